/*
 * mod_cors: CORS for Apache httpd 2.4, decided by libcors.
 *
 * Directives (server config, virtual host, <Location>, <Directory>; an inner
 * section replaces the outer one):
 *
 *     CorsPolicy FILE     YAML/JSON policy (relative to ServerRoot), read with the configuration
 *     Cors off            no CORS handling here (overrides an outer CorsPolicy)
 *     CorsStrict on|off   policy warnings are errors (default off)
 *
 * How a request is handled:
 *  - In the header_parser hook, which runs after the <Location>/<Directory>
 *    configuration is merged and before access control, authentication and
 *    authorization (access_checker, check_user_id, auth_checker), the request
 *    is evaluated once. A preflight that libcors answers is answered there:
 *    status, headers and no body (the hook returns DONE); it never reaches
 *    Require, AuthType, ErrorDocument, the handler or a proxied upstream.
 *  - Otherwise the decision is kept in the request's configuration vector
 *    and an output filter applies it to whatever the request answers: handler
 *    output, static files, 401/403/404/5xx (insert_error_filter),
 *    ErrorDocument pages and other internal redirects (which find the
 *    decision through r->prev, so it is taken once), proxied responses. Every Access-Control-*
 * header already in r->headers_out or r->err_headers_out (an upstream's, a handler's, a mod_headers
 * line's) is removed first; Vary is merged, never replaced.
 *  - The filter's type is AP_FTYPE_PROTOCOL - 1: after every content filter,
 *    mod_headers' included, and before the protocol's header filter (HTTP/1.1
 *    and mod_http2 alike).
 *  - A response produced before header_parser (a 400 from the request line,
 *    a redirect from a server-level RewriteRule) is evaluated by the filter.
 *  - A reportOnly policy changes nothing in the response; its decision and
 *    reason are logged at "info", one line per request.
 *
 * Uses only the public libcors API, <cors/cors.h>.
 *
 * SPDX-License-Identifier: MIT
 */

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "util_filter.h"

#include "apr_file_io.h"
#include "apr_strings.h"
#include "apr_tables.h"

#include <cors/cors.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

module AP_MODULE_DECLARE_DATA cors_module;

/* A policy file is read whole into memory at configuration time. */
#define CORS_FILE_MAX (4 * 1024 * 1024)

/* Longest Origin value quoted in a report-only log line. */
#define CORS_LOG_ORIGIN_MAX 256

/* One CorsPolicy directive: a loaded policy and where it was configured. */
struct mod_cors_policy_rec {
    const char *file;      /* full path of the policy file */
    const char *conf_file; /* configuration file ... */
    unsigned conf_line;    /* ... and line of the CorsPolicy directive */
    struct cors_policy *policy;
    struct cors_diagnostics *diags;
    size_t warnings;
    struct mod_cors_dir_conf *section; /* the section the directive is in */
    server_rec *server;                /* the (virtual) server it is in */
    struct mod_cors_policy_rec *next;
};

enum mod_cors_state {
    CORS_STATE_UNSET = 0, /* inherit the outer section's */
    CORS_STATE_POLICY,    /* CorsPolicy FILE */
    CORS_STATE_OFF,       /* Cors off */
};

struct mod_cors_dir_conf {
    enum mod_cors_state state;
    struct mod_cors_policy_rec *policy; /* when state is CORS_STATE_POLICY */
    int strict;                         /* -1: not set here */
};

/* One header of a decision, as APR tables take it: NUL-terminated strings. */
struct mod_cors_header {
    enum cors_header_op op;
    const char *name; /* canonical case, e.g. "Access-Control-Allow-Origin" */
    size_t name_len;
    const char *value; /* MERGE_VARY: the names to merge */
    size_t value_len;
};

/* The decision for one request: the headers to apply to its response. */
struct mod_cors_decision {
    bool report_only;
    size_t count;
    struct mod_cors_header headers[]; /* count entries */
};

/* Every CorsPolicy of the configuration being read (reset in pre_config). */
static struct mod_cors_policy_rec *cors_policies;

static ap_filter_rec_t *cors_filter_handle;

/* Configuration ---------------------------------------------------------- */

static void *
cors_create_dir_conf(apr_pool_t *p, char *dir)
{
    struct mod_cors_dir_conf *c = apr_pcalloc(p, sizeof(*c));
    c->state = CORS_STATE_UNSET;
    c->strict = -1;
    return c;
}

static void *
cors_merge_dir_conf(apr_pool_t *p, void *parent, void *child)
{
    const struct mod_cors_dir_conf *outer = parent;
    const struct mod_cors_dir_conf *inner = child;
    struct mod_cors_dir_conf *c = apr_palloc(p, sizeof(*c));

    /* an inner section replaces the outer one as a whole */
    if (inner->state != CORS_STATE_UNSET) {
        c->state = inner->state;
        c->policy = inner->policy;
    } else {
        c->state = outer->state;
        c->policy = outer->policy;
    }
    c->strict = inner->strict != -1 ? inner->strict : outer->strict;
    return c;
}

static apr_status_t
cors_policy_cleanup(void *data)
{
    struct mod_cors_policy_rec *rec = data;
    cors_policy_unref(rec->policy);
    cors_diagnostics_free(rec->diags);
    rec->policy = NULL;
    rec->diags = NULL;
    return APR_SUCCESS;
}

/* "FILE:LINE:COL: SEVERITY: CODE: message" (LINE:COL left out when unknown). */
static const char *
cors_format_diag(apr_pool_t *p, const char *file, const struct cors_diagnostic *d,
                 const char *severity)
{
    const char *msg = d->message.ptr != NULL ? d->message.ptr : "";
    if (d->line > 0)
        return apr_psprintf(p, "%s:%u:%u: %s: %s: %s", file, (unsigned)d->line, (unsigned)d->column,
                            severity, cors_diag_code_name(d->code), msg);
    return apr_psprintf(p, "%s: %s: %s: %s", file, severity, cors_diag_code_name(d->code), msg);
}

/* Reads the whole file into pool memory, NUL-terminated; an error message or NULL. */
static const char *
cors_read_file(apr_pool_t *p, const char *path, char **text, apr_size_t *len)
{
    apr_file_t *fd;
    apr_finfo_t fi;
    apr_status_t rv;
    char err[256];

    rv = apr_file_open(&fd, path, APR_FOPEN_READ | APR_FOPEN_BINARY, APR_OS_DEFAULT, p);
    if (rv != APR_SUCCESS)
        return apr_psprintf(p, "CorsPolicy: cannot open \"%s\": %s", path,
                            apr_strerror(rv, err, sizeof(err)));
    rv = apr_file_info_get(&fi, APR_FINFO_SIZE | APR_FINFO_TYPE, fd);
    if (rv != APR_SUCCESS) {
        apr_file_close(fd);
        return apr_psprintf(p, "CorsPolicy: cannot stat \"%s\": %s", path,
                            apr_strerror(rv, err, sizeof(err)));
    }
    if (fi.filetype != APR_REG) {
        apr_file_close(fd);
        return apr_psprintf(p, "CorsPolicy: \"%s\" is not a regular file", path);
    }
    if (fi.size > CORS_FILE_MAX) {
        apr_file_close(fd);
        return apr_psprintf(p, "CorsPolicy: \"%s\" is larger than %d bytes", path, CORS_FILE_MAX);
    }
    *len = (apr_size_t)fi.size;
    *text = apr_palloc(p, *len + 1);
    if (*len > 0) {
        rv = apr_file_read_full(fd, *text, *len, len);
        if (rv != APR_SUCCESS && rv != APR_EOF) {
            apr_file_close(fd);
            return apr_psprintf(p, "CorsPolicy: cannot read \"%s\": %s", path,
                                apr_strerror(rv, err, sizeof(err)));
        }
    }
    (*text)[*len] = '\0';
    apr_file_close(fd);
    return NULL;
}

static const char *
cors_set_policy(cmd_parms *cmd, void *dconf, const char *arg)
{
    struct mod_cors_dir_conf *conf = dconf;
    struct mod_cors_policy_rec *rec;
    enum cors_status status = CORS_OK;
    const char *err;
    char *text = NULL;
    apr_size_t len = 0;
    size_t i, n, errors;

    if (conf->state == CORS_STATE_OFF)
        return "CorsPolicy conflicts with \"Cors off\" in the same section";
    if (conf->state == CORS_STATE_POLICY)
        return "CorsPolicy is duplicate: one policy per section";
    if (*arg == '\0')
        return "CorsPolicy needs a file name";

    rec = apr_pcalloc(cmd->pool, sizeof(*rec));
    rec->file = ap_server_root_relative(cmd->pool, arg);
    if (rec->file == NULL)
        return apr_pstrcat(cmd->pool, "CorsPolicy: invalid file path ", arg, NULL);
    rec->conf_file = cmd->directive->filename;
    rec->conf_line = (unsigned)cmd->directive->line_num;
    rec->section = conf;
    rec->server = cmd->server;

    err = cors_read_file(cmd->temp_pool, rec->file, &text, &len);
    if (err != NULL)
        return err;

    rec->diags = cors_diagnostics_new(NULL);
    if (rec->diags == NULL)
        return "CorsPolicy: out of memory";
    apr_pool_cleanup_register(cmd->pool, rec, cors_policy_cleanup, apr_pool_cleanup_null);

    /*
     * Built without CORS_BUILD_STRICT: CorsStrict may come later in the
     * section or in an outer one; it is resolved in check_config, where the
     * warnings then fail the configuration. The policy is the same either way.
     */
    rec->policy =
        cors_policy_new_from_text((struct cors_str){text, len}, 0, NULL, rec->diags, &status);
    n = cors_diagnostics_count(rec->diags);
    errors = cors_diagnostics_error_count(rec->diags);
    rec->warnings = n - errors;

    if (rec->policy == NULL) {
        const char *first = NULL;
        /*
         * Apache escapes line breaks in a directive's error message: the
         * message carries the first error, and when there are more, each is
         * also logged on its own line (to standard error while "apache2 -t"
         * or a start reads the configuration).
         */
        for (i = 0; i < n; i++) {
            const struct cors_diagnostic *d = cors_diagnostics_get(rec->diags, i);
            const char *line;
            if (d == NULL || d->severity != CORS_SEVERITY_ERROR)
                continue;
            line = cors_format_diag(cmd->pool, rec->file, d, "error");
            if (first == NULL)
                first = line;
            if (errors > 1)
                ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, cmd->server, "%s", line);
        }
        return apr_psprintf(
            cmd->pool,
            "%s%sCorsPolicy \"%s\" is not a valid CORS policy (%s, %" APR_SIZE_T_FMT " error(s)%s)",
            first != NULL ? first : "", first != NULL ? " -- " : "", rec->file,
            cors_status_name(status), (apr_size_t)errors, errors > 1 ? ", each listed above" : "");
    }

    conf->state = CORS_STATE_POLICY;
    conf->policy = rec;
    rec->next = cors_policies;
    cors_policies = rec;
    return NULL;
}

static const char *
cors_set_cors(cmd_parms *cmd, void *dconf, const char *arg)
{
    struct mod_cors_dir_conf *conf = dconf;

    if (strcasecmp(arg, "off") != 0)
        return apr_psprintf(cmd->pool,
                            "Cors \"%s\": the only value is \"off\" (CorsPolicy FILE switches CORS "
                            "on)",
                            arg);
    if (conf->state == CORS_STATE_POLICY)
        return "Cors off conflicts with CorsPolicy in the same section";
    conf->state = CORS_STATE_OFF;
    conf->policy = NULL;
    return NULL;
}

static const char *
cors_set_strict(cmd_parms *cmd, void *dconf, int on)
{
    struct mod_cors_dir_conf *conf = dconf;
    conf->strict = on ? 1 : 0;
    return NULL;
}

static const command_rec cors_cmds[] = {
    AP_INIT_TAKE1("CorsPolicy", cors_set_policy, NULL, RSRC_CONF | ACCESS_CONF,
                  "a YAML/JSON CORS policy file (relative to ServerRoot)"),
    AP_INIT_TAKE1("Cors", cors_set_cors, NULL, RSRC_CONF | ACCESS_CONF,
                  "\"off\": no CORS handling in this section"),
    AP_INIT_FLAG("CorsStrict", cors_set_strict, NULL, RSRC_CONF | ACCESS_CONF,
                 "on: CORS policy warnings are errors (default off)"),
    {.name = NULL}, /* the end (designated: no -Wmissing-field-initializers) */
};

static int
cors_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    cors_policies = NULL;
    return OK;
}

/* CorsStrict for a policy: its section's, else its server's, else the main server's. */
static int
cors_effective_strict(const struct mod_cors_policy_rec *rec, server_rec *main_server)
{
    const struct mod_cors_dir_conf *c;

    if (rec->section->strict != -1)
        return rec->section->strict;
    c = ap_get_module_config(rec->server->lookup_defaults, &cors_module);
    if (c != NULL && c->strict != -1)
        return c->strict;
    c = ap_get_module_config(main_server->lookup_defaults, &cors_module);
    if (c != NULL && c->strict != -1)
        return c->strict;
    return 0;
}

/* Runs after the configuration is read, before a config test ends and before
 * a (re)start goes on: policy warnings are logged, or fail under CorsStrict. */
static int
cors_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    const struct mod_cors_policy_rec *rec;
    int failed = 0;
    size_t i, n;

    for (rec = cors_policies; rec != NULL; rec = rec->next) {
        int strict;
        if (rec->warnings == 0)
            continue;
        strict = cors_effective_strict(rec, s);
        n = cors_diagnostics_count(rec->diags);
        for (i = 0; i < n; i++) {
            const struct cors_diagnostic *d = cors_diagnostics_get(rec->diags, i);
            if (d == NULL || d->severity != CORS_SEVERITY_WARNING)
                continue;
            ap_log_error(APLOG_MARK, APLOG_STARTUP | (strict ? APLOG_EMERG : APLOG_WARNING), 0, s,
                         "%s (CorsPolicy on line %u of %s)",
                         cors_format_diag(ptemp, rec->file, d, strict ? "error" : "warning"),
                         rec->conf_line, rec->conf_file);
        }
        if (strict) {
            ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, s,
                         "CorsPolicy \"%s\": %" APR_SIZE_T_FMT
                         " warning(s) are errors under \"CorsStrict on\"",
                         rec->file, (apr_size_t)rec->warnings);
            failed = 1;
        }
    }
    return failed ? HTTP_INTERNAL_SERVER_ERROR : OK;
}

/* Per request -------------------------------------------------------------- */

/*
 * False for a request header name that is none of the four libcors reads, by
 * its first letter and length: "Origin" (6), "Access-Control-Request-"
 * "Method" (29), "Headers" (30), "Private-Network" (38). libcors then decides
 * on the whole name. *len receives the name's length when it may be one.
 */
static bool
cors_may_be_field(const char *key, size_t *len)
{
    char c = (char)(key[0] | 0x20);

    if (c != 'o' && c != 'a')
        return false;
    *len = strlen(key);
    switch (*len) {
    case 6:
        return c == 'o';
    case 29:
    case 30:
    case 38:
        return c == 'a';
    default:
        return false;
    }
}

/* The request values handed to libcors: NUL-terminated in the request pool. */
struct mod_cors_values {
    size_t count;
    struct cors_str v[CORS_REQUEST_HEADER_LINES_MAX + 4];
};

/*
 * Hands every request header line that may be a CORS field to fields, in
 * order (one pass over the table's entries, no copies), and notes their
 * values in seen.
 */
static void
cors_read_fields(request_rec *r, struct cors_request_fields *fields, struct mod_cors_values *seen)
{
    const apr_array_header_t *arr = apr_table_elts(r->headers_in);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    int i;

    seen->count = 0;
    for (i = 0; i < arr->nelts; i++) {
        struct cors_str value = {NULL, 0};
        size_t len;

        if (e[i].key == NULL || !cors_may_be_field(e[i].key, &len))
            continue;
        if (e[i].val != NULL)
            value = (struct cors_str){e[i].val, strlen(e[i].val)};
        if (cors_request_fields_add(fields, (struct cors_str){e[i].key, len}, value) &&
            value.ptr != NULL && seen->count < sizeof(seen->v) / sizeof(seen->v[0]))
            seen->v[seen->count++] = value;
    }
}

/*
 * True when s is the end of one of the request's values, so that s.ptr is
 * NUL-terminated where s ends (an echoed Origin, for example).
 */
static bool
cors_is_request_tail(const struct mod_cors_values *seen, struct cors_str s)
{
    uintptr_t p = (uintptr_t)s.ptr;
    size_t i;

    for (i = 0; i < seen->count; i++) {
        uintptr_t start = (uintptr_t)seen->v[i].ptr;
        if (p >= start && p <= start + seen->v[i].len && p + s.len == start + seen->v[i].len)
            return true;
    }
    return false;
}

/*
 * Fills dec's headers from libcors' as NUL-terminated strings: the echoed
 * request values that end their line are used as they are, everything else
 * (names and values from libcors and the policy) is copied, all of it into
 * one block of the request pool.
 */
static void
cors_prepare_headers(request_rec *r, struct mod_cors_decision *dec, const struct cors_header *h,
                     size_t n, const struct mod_cors_values *seen)
{
    bool own[CORS_HEADERS_MAX];
    size_t i, total = 0;
    char *p;

    for (i = 0; i < n; i++) {
        own[i] = h[i].value.len == 0 || !cors_is_request_tail(seen, h[i].value);
        total += h[i].name.len + 1 + (own[i] ? h[i].value.len + 1 : 0);
    }
    p = apr_palloc(r->pool, total);
    for (i = 0; i < n; i++) {
        struct mod_cors_header *d = &dec->headers[i];

        d->op = h[i].op;
        d->name = p;
        d->name_len = h[i].name.len;
        memcpy(p, h[i].name.ptr, h[i].name.len);
        p += h[i].name.len;
        *p++ = '\0';
        d->value_len = h[i].value.len;
        if (own[i]) {
            d->value = p;
            if (h[i].value.len > 0)
                memcpy(p, h[i].value.ptr, h[i].value.len);
            p += h[i].value.len;
            *p++ = '\0';
        } else {
            d->value = h[i].value.ptr;
        }
    }
    dec->count = n;
}

/* One "info" line for a request under a reportOnly policy. */
static void
cors_log_report(request_rec *r, const struct cors_policy *policy, const struct cors_result *res)
{
    const char *origin = apr_table_get(r->headers_in, "Origin");
    char quoted[CORS_LOG_ORIGIN_MAX + 4];
    const char *matched = "";
    size_t i, k = 0;

    if (!APLOG_R_IS_LEVEL(r, APLOG_INFO))
        return;
    /* the Origin value, printable ASCII only, shortened */
    for (i = 0; origin != NULL && origin[i] != '\0' && k < CORS_LOG_ORIGIN_MAX; i++) {
        unsigned char c = (unsigned char)origin[i];
        quoted[k++] = (c > 0x20 && c < 0x7f && c != '"' && c != '\\') ? (char)c : '?';
    }
    if (origin != NULL && origin[i] != '\0') {
        memcpy(quoted + k, "...", 3);
        k += 3;
    }
    quoted[k] = '\0';
    if (res->matched_field != CORS_FIELD_NONE) {
        struct cors_str e = cors_policy_entry(policy, res->matched_field, res->matched_index);
        matched = apr_psprintf(r->pool, ", matched %s[%" APR_SIZE_T_FMT "] \"%.*s\"",
                               cors_field_name(res->matched_field), (apr_size_t)res->matched_index,
                               e.ptr != NULL ? (int)e.len : 0, e.ptr != NULL ? e.ptr : "");
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  "cors report-only: %s %s, reason \"%s\", origin \"%s\"%s",
                  cors_decision_name(res->decision), res->allowed ? "allowed" : "rejected",
                  cors_reason_name(res->reason), quoted, matched);
}

/*
 * Evaluates the request against policy and keeps the decision in the
 * request's configuration vector, where internal redirects find it through
 * r->prev.
 * Returns the decision, or NULL on an internal error (logged).
 */
static struct mod_cors_decision *
cors_decide(request_rec *r, const struct mod_cors_policy_rec *rec, struct cors_result *res)
{
    const struct cors_policy *policy = rec->policy;
    struct mod_cors_decision *dec;
    struct cors_request_fields fields;
    struct cors_request req;
    struct cors_header hdrs[CORS_HEADERS_MAX];
    struct mod_cors_values seen;
    enum cors_status st;

    cors_request_fields_init(&fields, (struct cors_str){r->method, strlen(r->method)});
    cors_read_fields(r, &fields, &seen);
    cors_request_fields_to_request(&fields, &req);

    st = cors_evaluate(policy, &req, hdrs, CORS_HEADERS_MAX, res);
    if (st != CORS_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "cors_evaluate() failed: %s",
                      cors_status_name(st));
        return NULL;
    }
    dec = apr_palloc(r->pool, sizeof(*dec) + res->header_count * sizeof(dec->headers[0]));
    cors_prepare_headers(r, dec, hdrs, res->header_count, &seen);
    dec->report_only = res->report_only;
    /* for LogFormat: %{cors-decision}n, %{cors-allowed}n, %{cors-reason}n,
     * %{cors-report-only}n, %{cors-policy}n */
    apr_table_addn(r->notes, "cors-decision", cors_decision_name(res->decision));
    apr_table_addn(r->notes, "cors-allowed", res->allowed ? "true" : "false");
    apr_table_addn(r->notes, "cors-reason", cors_reason_name(res->reason));
    apr_table_addn(r->notes, "cors-report-only", res->report_only ? "true" : "false");
    apr_table_addn(r->notes, "cors-policy", rec->file);
    if (res->report_only)
        cors_log_report(r, policy, res);
    ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r,
                  "cors: %s, %s, reason %s, handler %d, %" APR_SIZE_T_FMT " header(s)",
                  cors_decision_name(res->decision), res->allowed ? "allowed" : "not allowed",
                  cors_reason_name(res->reason), (int)res->call_handler,
                  (apr_size_t)res->header_count);
    ap_set_module_config(r->request_config, &cors_module, dec);
    return dec;
}

/* The request's decision, or the one of the request an internal redirect
 * (ErrorDocument, for example) came from: each gets a new request_config. */
static struct mod_cors_decision *
cors_get_decision(request_rec *r)
{
    for (; r != NULL; r = r->prev) {
        struct mod_cors_decision *dec = ap_get_module_config(r->request_config, &cors_module);
        if (dec != NULL)
            return dec;
    }
    return NULL;
}

static const struct mod_cors_policy_rec *
cors_dir_policy(request_rec *r)
{
    const struct mod_cors_dir_conf *c = ap_get_module_config(r->per_dir_config, &cors_module);
    if (c == NULL || c->state != CORS_STATE_POLICY || c->policy == NULL ||
        c->policy->policy == NULL)
        return NULL;
    return c->policy;
}

/*
 * True for a name cors_is_access_control_header() accepts; the first letter
 * is checked here first, so that most names cost no call.
 */
static bool
cors_is_access_control(const char *key)
{
    return key != NULL && (key[0] | 0x20) == 'a' &&
           cors_is_access_control_header((struct cors_str){key, strlen(key)});
}

/* Removes every Access-Control-* header from t (one pass over its entries). */
static void
cors_remove_access_control(apr_table_t *t)
{
    const apr_array_header_t *arr = apr_table_elts(t);
    int i = 0;

    while (i < arr->nelts) {
        const char *key = ((const apr_table_entry_t *)arr->elts)[i].key;
        /* unset removes every line of that name; the entries after i move
         * down, the ones before stay (none of them is Access-Control-*) */
        if (cors_is_access_control(key))
            apr_table_unset(t, key);
        else
            i++;
    }
}

struct mod_cors_vary {
    apr_pool_t *pool;
    char *joined;
    size_t lines; /* Vary lines seen, empty ones included */
};

static int
cors_collect_vary(void *data, const char *key, const char *value)
{
    struct mod_cors_vary *v = data;
    v->lines++;
    if (value == NULL || *value == '\0')
        return 1;
    v->joined = v->joined == NULL ? apr_pstrdup(v->pool, value)
                                  : apr_pstrcat(v->pool, v->joined, ", ", value, NULL);
    return 1;
}

/* Merges the names of add into the response's Vary (both tables, every line). */
static void
cors_merge_vary_header(request_rec *r, const struct mod_cors_header *h)
{
    struct mod_cors_vary v = {r->pool, NULL, 0};
    size_t err_lines;
    struct cors_str existing;
    char small[256], *buf;
    const char *out;
    size_t need;

    /* the order the HTTP header filter sends them in: err_headers_out first */
    apr_table_do(cors_collect_vary, &v, r->err_headers_out, "Vary", NULL);
    err_lines = v.lines;
    apr_table_do(cors_collect_vary, &v, r->headers_out, "Vary", NULL);
    if (v.joined == NULL) {
        /* nothing to merge with: libcors' list as it is (what cors_merge_vary
         * gives for a list without repeats, as libcors' are) */
        out = h->value;
    } else {
        existing = (struct cors_str){v.joined, strlen(v.joined)};
        need = cors_merge_vary(existing, (struct cors_str){h->value, h->value_len}, small,
                               sizeof(small));
        if (need < sizeof(small)) {
            out = apr_pstrmemdup(r->pool, small, need);
        } else {
            buf = apr_palloc(r->pool, need + 1);
            cors_merge_vary(existing, (struct cors_str){h->value, h->value_len}, buf, need + 1);
            out = buf;
        }
    }
    /* one Vary line, in headers_out (setn and unset only where there are lines) */
    if (err_lines > 0)
        apr_table_unset(r->err_headers_out, "Vary");
    if (v.lines > err_lines)
        apr_table_setn(r->headers_out, "Vary", out);
    else
        apr_table_addn(r->headers_out, "Vary", out);
}

/*
 * Applies a decision's headers in order: REMOVE_ACCESS_CONTROL from both
 * header tables, SET (replacing the name in both), APPEND, MERGE_VARY. The
 * strings live in the request pool (cors_prepare_headers()).
 */
static void
cors_apply(request_rec *r, const struct mod_cors_decision *dec)
{
    bool removed = false;
    size_t i;

    for (i = 0; i < dec->count; i++) {
        const struct mod_cors_header *h = &dec->headers[i];

        switch (h->op) {
        case CORS_HEADER_REMOVE_ACCESS_CONTROL:
            cors_remove_access_control(r->headers_out);
            cors_remove_access_control(r->err_headers_out);
            removed = true;
            break;
        case CORS_HEADER_SET:
            /*
             * After REMOVE_ACCESS_CONTROL neither table has an
             * Access-Control-* line that a SET of such a name would replace
             * (a result sets each name once): it is added.
             */
            if (removed && h->name_len >= 15 && memcmp(h->name, "Access-Control-", 15) == 0) {
                apr_table_addn(r->headers_out, h->name, h->value);
                break;
            }
            apr_table_unset(r->err_headers_out, h->name);
            apr_table_setn(r->headers_out, h->name, h->value);
            break;
        case CORS_HEADER_APPEND:
            apr_table_addn(r->headers_out, h->name, h->value);
            break;
        case CORS_HEADER_MERGE_VARY:
            cors_merge_vary_header(r, h);
            break;
        default:
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "cors: unknown header operation %d",
                          (int)h->op);
            break;
        }
    }
}

/*
 * header_parser: after the per-directory configuration is merged, before
 * access control and authentication. Main requests only (Apache does not run
 * this hook for subrequests); internal redirects find the decision taken.
 */
static int
cors_header_parser(request_rec *r)
{
    const struct mod_cors_policy_rec *policy;
    struct mod_cors_decision *dec;
    struct cors_result res;
    int rc;

    if (r->main != NULL || cors_get_decision(r) != NULL)
        return DECLINED;
    policy = cors_dir_policy(r);
    if (policy == NULL)
        return DECLINED;
    dec = cors_decide(r, policy, &res);
    if (dec == NULL)
        return HTTP_INTERNAL_SERVER_ERROR;
    if (res.call_handler)
        return DECLINED;

    /* answered here: status, headers, no body; never the handler */
    rc = ap_discard_request_body(r);
    if (rc != OK)
        return rc;
    cors_apply(r, dec);
    r->status = res.status;
    if (res.status != HTTP_NO_CONTENT)
        ap_set_content_length(r, 0);
    return DONE;
}

static bool
cors_wants_filter(request_rec *r)
{
    const struct mod_cors_decision *dec;

    if (r->main != NULL)
        return false;
    dec = cors_get_decision(r);
    if (dec != NULL)
        return !dec->report_only && dec->count > 0;
    return cors_dir_policy(r) != NULL;
}

static void
cors_insert_filter(request_rec *r)
{
    if (cors_wants_filter(r))
        ap_add_output_filter_handle(cors_filter_handle, NULL, r, r->connection);
}

/* Applies the decision (or takes it now, for a response made before
 * header_parser) on the first brigade, then leaves the chain. */
static apr_status_t
cors_output_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    const struct mod_cors_decision *dec = cors_get_decision(r);

    if (dec == NULL) {
        const struct mod_cors_policy_rec *policy = cors_dir_policy(r);
        struct cors_result res;
        if (policy != NULL)
            dec = cors_decide(r, policy, &res);
    }
    if (dec != NULL && !dec->report_only)
        cors_apply(r, dec);
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}

static void
cors_register_hooks(apr_pool_t *p)
{
    ap_hook_pre_config(cors_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(cors_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_header_parser(cors_header_parser, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_insert_filter(cors_insert_filter, NULL, NULL, APR_HOOK_LAST);
    ap_hook_insert_error_filter(cors_insert_filter, NULL, NULL, APR_HOOK_LAST);
    /* after every content filter (mod_headers' at AP_FTYPE_CONTENT_SET),
     * before the protocol's header filter */
    cors_filter_handle = ap_register_output_filter("CORS", cors_output_filter, NULL,
                                                   (ap_filter_type)(AP_FTYPE_PROTOCOL - 1));
}

AP_DECLARE_MODULE(cors) = {
    STANDARD20_MODULE_STUFF,
    cors_create_dir_conf, /* per-directory config */
    cors_merge_dir_conf,  /* merge per-directory */
    NULL,                 /* per-server config */
    NULL,                 /* merge per-server */
    cors_cmds,            /* directives */
    cors_register_hooks,  /* hooks */
    0,                    /* flags */
};
