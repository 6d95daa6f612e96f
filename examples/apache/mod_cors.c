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

/* The decision for one request: the headers to apply to its response. */
struct mod_cors_decision {
    bool report_only;
    size_t count;
    struct cors_header headers[CORS_HEADERS_MAX];
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
    { .name = NULL }, /* the end (designated: no -Wmissing-field-initializers) */
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

static int
cors_add_field(void *data, const char *key, const char *value)
{
    cors_request_fields_add(data, cors_str_from_cstr(key), cors_str_from_cstr(value));
    return 1;
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
    struct mod_cors_decision *dec = apr_palloc(r->pool, sizeof(*dec));
    struct cors_request_fields fields;
    struct cors_request req;
    enum cors_status st;

    cors_request_fields_init(&fields, cors_str_from_cstr(r->method));
    apr_table_do(cors_add_field, &fields, r->headers_in, NULL);
    cors_request_fields_to_request(&fields, &req);

    st = cors_evaluate(policy, &req, dec->headers, CORS_HEADERS_MAX, res);
    if (st != CORS_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "cors_evaluate() failed: %s",
                      cors_status_name(st));
        return NULL;
    }
    dec->count = res->header_count;
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

struct mod_cors_names {
    const char *names[16];
    int count;
    bool more;
};

static int
cors_collect_access_control(void *data, const char *key, const char *value)
{
    struct mod_cors_names *n = data;
    if (cors_is_access_control_header(cors_str_from_cstr(key))) {
        if (n->count < (int)(sizeof(n->names) / sizeof(n->names[0])))
            n->names[n->count++] = key;
        else
            n->more = true;
    }
    return 1;
}

/* Removes every Access-Control-* header from t. */
static void
cors_remove_access_control(apr_table_t *t)
{
    struct mod_cors_names n;
    int i;

    do {
        n.count = 0;
        n.more = false;
        apr_table_do(cors_collect_access_control, &n, t, NULL);
        for (i = 0; i < n.count; i++)
            apr_table_unset(t, n.names[i]);
    } while (n.more);
}

struct mod_cors_vary {
    apr_pool_t *pool;
    char *joined;
};

static int
cors_collect_vary(void *data, const char *key, const char *value)
{
    struct mod_cors_vary *v = data;
    if (value == NULL || *value == '\0')
        return 1;
    v->joined = v->joined == NULL ? apr_pstrdup(v->pool, value)
                                  : apr_pstrcat(v->pool, v->joined, ", ", value, NULL);
    return 1;
}

/* Merges the names of add into the response's Vary (both tables, every line). */
static void
cors_merge_vary_header(request_rec *r, struct cors_str add)
{
    struct mod_cors_vary v = {r->pool, NULL};
    struct cors_str existing;
    size_t need;
    char *out;

    /* the order the HTTP header filter sends them in: err_headers_out first */
    apr_table_do(cors_collect_vary, &v, r->err_headers_out, "Vary", NULL);
    apr_table_do(cors_collect_vary, &v, r->headers_out, "Vary", NULL);
    existing = cors_str_from_cstr(v.joined);
    need = cors_merge_vary(existing, add, NULL, 0);
    out = apr_palloc(r->pool, need + 1);
    cors_merge_vary(existing, add, out, need + 1);
    apr_table_unset(r->err_headers_out, "Vary");
    apr_table_setn(r->headers_out, "Vary", out);
}

/*
 * Applies a decision's headers in order: REMOVE_ACCESS_CONTROL from both
 * header tables, SET (replacing the name in both), APPEND, MERGE_VARY.
 */
static void
cors_apply(request_rec *r, const struct mod_cors_decision *dec)
{
    size_t i;

    for (i = 0; i < dec->count; i++) {
        const struct cors_header *h = &dec->headers[i];
        const char *name, *value;

        switch (h->op) {
        case CORS_HEADER_REMOVE_ACCESS_CONTROL:
            cors_remove_access_control(r->headers_out);
            cors_remove_access_control(r->err_headers_out);
            break;
        case CORS_HEADER_SET:
            name = apr_pstrmemdup(r->pool, h->name.ptr, h->name.len);
            value = apr_pstrmemdup(r->pool, h->value.ptr, h->value.len);
            apr_table_unset(r->err_headers_out, name);
            apr_table_setn(r->headers_out, name, value);
            break;
        case CORS_HEADER_APPEND:
            name = apr_pstrmemdup(r->pool, h->name.ptr, h->name.len);
            value = apr_pstrmemdup(r->pool, h->value.ptr, h->value.len);
            apr_table_addn(r->headers_out, name, value);
            break;
        case CORS_HEADER_MERGE_VARY:
            cors_merge_vary_header(r, h->value);
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
