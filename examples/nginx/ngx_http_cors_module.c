/*
 * ngx_http_cors_module: CORS for nginx, decided by libcors.
 *
 * Directives (http, server, location; an inner level replaces the outer one):
 *
 *     cors_policy FILE;      YAML/JSON policy, loaded when the configuration is read
 *     cors off;              no CORS handling here (overrides an outer cors_policy)
 *     cors_strict on|off;    policy warnings are errors (default off)
 *
 * How a request is handled:
 *  - In the PREACCESS phase (before allow/deny, auth_basic and auth_request,
 *    which all run in the ACCESS phase) the request is evaluated once. A
 *    preflight that libcors answers is answered right there with the library's
 *    status, headers and an empty body. Otherwise the result is kept for the
 *    header filter.
 *  - The header filter sets the result's headers on whatever the location
 *    answers: static files, proxied responses, error pages (401, 403, 404,
 *    5xx). Every Access-Control-* header already in the response (an
 *    upstream's own, or one of add_header: the filter runs after
 *    ngx_http_headers_filter_module's) is removed first; Vary is merged,
 *    never replaced.
 *  - The request's CORS fields are read by libcors' cors_request_fields from
 *    every request header line that can be one of them (the name's length
 *    and first letter); the module has no rules of its own.
 *  - The decision is taken once per request. It survives internal redirects
 *    (error_page, try_files, index), which clear module contexts, by living in
 *    a request pool cleanup entry that is looked up again after a redirect.
 *  - Responses produced before the PREACCESS phase (a rewrite-module
 *    "return 404", for example) are evaluated in the header filter.
 *  - A reportOnly policy changes nothing in the response; its decision,
 *    reason and the policy entry that allowed the origin are logged at
 *    "info" level, one line per request.
 *
 * Uses only the public libcors API, <cors/cors.h>.
 *
 * SPDX-License-Identifier: MIT
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <cors/cors.h>


/* A policy file is read whole into memory at configuration time. */
#define NGX_HTTP_CORS_FILE_MAX          (4 * 1024 * 1024)

/* Longest Origin value quoted in a report-only log line. */
#define NGX_HTTP_CORS_LOG_ORIGIN_MAX    256


/* One loaded policy file, shared by every configuration level that uses it. */
typedef struct {
    ngx_str_t                   file;       /* full path of the policy file */
    ngx_str_t                   conf_file;  /* nginx configuration file ... */
    ngx_uint_t                  conf_line;  /* ... and line of cors_policy */
    struct cors_policy         *policy;
    struct cors_diagnostics    *diags;
    ngx_uint_t                  warnings;
    unsigned                    warned:1;   /* warnings already logged */
} ngx_http_cors_policy_t;


typedef struct {
    /* NGX_CONF_UNSET_PTR: not set at this level; NULL: "cors off" */
    ngx_http_cors_policy_t     *policy;
    ngx_flag_t                  strict;
} ngx_http_cors_loc_conf_t;


/*
 * The decision for one request: the headers to set on its response. One
 * block from the request pool: its own pool cleanup entry (by which it is
 * found again after an internal redirect) and the headers.
 */
typedef struct {
    ngx_pool_cleanup_t          cln;
    ngx_uint_t                  nheaders;
    struct cors_header          headers[];  /* nheaders entries */
} ngx_http_cors_ctx_t;


static ngx_int_t ngx_http_cors_init(ngx_conf_t *cf);
static void *ngx_http_cors_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_cors_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_http_cors_policy(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_cors(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static void ngx_http_cors_policy_cleanup(void *data);
static void ngx_http_cors_ctx_cleanup(void *data);


static ngx_command_t  ngx_http_cors_commands[] = {

    { ngx_string("cors_policy"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_cors_policy,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("cors"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_cors,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("cors_strict"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_cors_loc_conf_t, strict),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_cors_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_cors_init,                    /* postconfiguration */

    NULL,                                  /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_cors_create_loc_conf,         /* create location configuration */
    ngx_http_cors_merge_loc_conf           /* merge location configuration */
};


ngx_module_t  ngx_http_cors_module = {
    NGX_MODULE_V1,
    &ngx_http_cors_module_ctx,             /* module context */
    ngx_http_cors_commands,                /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;


/* Configuration ---------------------------------------------------------- */

static void *
ngx_http_cors_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_cors_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_cors_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    conf->policy = NGX_CONF_UNSET_PTR;
    conf->strict = NGX_CONF_UNSET;

    return conf;
}


static const char *
ngx_http_cors_severity_name(const struct cors_diagnostic *d)
{
    return d->severity == CORS_SEVERITY_ERROR ? "error" : "warning";
}


/*
 * Logs one diagnostic as "FILE:LINE:COLUMN: SEVERITY: CODE: MESSAGE"
 * (LINE and COLUMN left out when unknown), followed by where the cors_policy
 * directive is.
 */
static void
ngx_http_cors_log_diag(ngx_uint_t level, ngx_log_t *log,
    ngx_http_cors_policy_t *p, const struct cors_diagnostic *d,
    const char *severity)
{
    const char  *msg;

    msg = d->message.ptr != NULL ? d->message.ptr : "";

    if (d->line > 0) {
        ngx_log_error(level, log, 0,
                      "%V:%uD:%uD: %s: %s: %s (cors_policy in %V:%ui)",
                      &p->file, (uint32_t) d->line, (uint32_t) d->column,
                      severity, cors_diag_code_name(d->code), msg,
                      &p->conf_file, p->conf_line);

    } else {
        ngx_log_error(level, log, 0,
                      "%V: %s: %s: %s (cors_policy in %V:%ui)",
                      &p->file, severity, cors_diag_code_name(d->code), msg,
                      &p->conf_file, p->conf_line);
    }
}


static char *
ngx_http_cors_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_cors_loc_conf_t  *prev = parent;
    ngx_http_cors_loc_conf_t  *conf = child;

    size_t                          i, n;
    ngx_http_cors_policy_t         *p;
    const struct cors_diagnostic   *d;

    /* an inner level replaces the outer one as a whole */
    ngx_conf_merge_ptr_value(conf->policy, prev->policy, NULL);
    ngx_conf_merge_value(conf->strict, prev->strict, 0);

    p = conf->policy;

    if (p == NULL || p->warnings == 0) {
        return NGX_CONF_OK;
    }

    n = cors_diagnostics_count(p->diags);

    if (conf->strict) {
        for (i = 0; i < n; i++) {
            d = cors_diagnostics_get(p->diags, i);
            if (d != NULL && d->severity == CORS_SEVERITY_WARNING) {
                ngx_http_cors_log_diag(NGX_LOG_EMERG, cf->log, p, d, "error");
            }
        }

        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "cors_policy \"%V\": %ui warning(s) are errors "
                      "under \"cors_strict on\"", &p->file, p->warnings);

        return NGX_CONF_ERROR;
    }

    if (!p->warned) {
        p->warned = 1;

        for (i = 0; i < n; i++) {
            d = cors_diagnostics_get(p->diags, i);
            if (d != NULL) {
                ngx_http_cors_log_diag(NGX_LOG_WARN, cf->log, p, d,
                                       ngx_http_cors_severity_name(d));
            }
        }
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_cors_read_file(ngx_conf_t *cf, ngx_str_t *name, ngx_str_t *text)
{
    ssize_t           n;
    ngx_fd_t          fd;
    ngx_file_t        file;
    ngx_int_t         rc;
    ngx_file_info_t   fi;

    fd = ngx_open_file(name->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%V\" failed", name);
        return NGX_ERROR;
    }

    rc = NGX_ERROR;

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_fd_info_n " \"%V\" failed", name);
        goto done;
    }

    if (!ngx_is_file(&fi)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "cors_policy \"%V\" is not a regular file", name);
        goto done;
    }

    if (ngx_file_size(&fi) > NGX_HTTP_CORS_FILE_MAX) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "cors_policy \"%V\" is larger than %d bytes",
                           name, NGX_HTTP_CORS_FILE_MAX);
        goto done;
    }

    text->len = (size_t) ngx_file_size(&fi);
    text->data = ngx_pnalloc(cf->temp_pool, text->len + 1);
    if (text->data == NULL) {
        goto done;
    }

    ngx_memzero(&file, sizeof(ngx_file_t));
    file.fd = fd;
    file.name = *name;
    file.log = cf->log;

    n = ngx_read_file(&file, text->data, text->len, 0);
    if (n == NGX_ERROR) {
        goto done;
    }

    if ((size_t) n != text->len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           ngx_read_file_n " \"%V\" returned only %z bytes "
                           "instead of %uz", name, n, text->len);
        goto done;
    }

    text->data[text->len] = '\0';
    rc = NGX_OK;

done:

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_ALERT, cf->log, ngx_errno,
                      ngx_close_file_n " \"%V\" failed", name);
    }

    return rc;
}


static char *
ngx_http_cors_policy(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_cors_loc_conf_t  *clcf = conf;

    size_t                          i, n, errors;
    ngx_str_t                      *value, text;
    enum cors_status                status;
    ngx_pool_cleanup_t             *cln;
    ngx_http_cors_policy_t         *p;
    const struct cors_diagnostic   *d;

    if (clcf->policy != NGX_CONF_UNSET_PTR) {
        return clcf->policy == NULL ? "conflicts with \"cors off\""
                                    : "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 0) {
        return "needs a file name";
    }

    p = ngx_pcalloc(cf->pool, sizeof(ngx_http_cors_policy_t));
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    p->file = value[1];
    if (ngx_conf_full_name(cf->cycle, &p->file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    p->conf_file = cf->conf_file->file.name;
    p->conf_line = cf->conf_file->line;

    /* the policy and its diagnostics live as long as this configuration */
    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_http_cors_policy_cleanup;
    cln->data = p;

    if (ngx_http_cors_read_file(cf, &p->file, &text) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    p->diags = cors_diagnostics_new(NULL);
    if (p->diags == NULL) {
        return NGX_CONF_ERROR;
    }

    /*
     * Built without CORS_BUILD_STRICT: cors_strict may come later in the
     * block and is resolved when the levels are merged, where warnings are
     * then reported as errors. The policy built is the same either way.
     */
    status = CORS_OK;
    p->policy = cors_policy_new_from_text(
                    (struct cors_str) { (const char *) text.data, text.len },
                    0, NULL, p->diags, &status);

    n = cors_diagnostics_count(p->diags);
    errors = cors_diagnostics_error_count(p->diags);
    p->warnings = n - errors;

    if (p->policy != NULL) {
        clcf->policy = p;
        return NGX_CONF_OK;
    }

    for (i = 0; i < n; i++) {
        d = cors_diagnostics_get(p->diags, i);
        if (d == NULL || d->severity != CORS_SEVERITY_ERROR) {
            continue;
        }

        if (d->line > 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%V:%uD:%uD: error: %s: %s",
                               &p->file, (uint32_t) d->line,
                               (uint32_t) d->column,
                               cors_diag_code_name(d->code),
                               d->message.ptr != NULL ? d->message.ptr : "");
        } else {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%V: error: %s: %s",
                               &p->file, cors_diag_code_name(d->code),
                               d->message.ptr != NULL ? d->message.ptr : "");
        }
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "cors_policy \"%V\" is not a valid CORS policy "
                       "(%s, %uz error(s))", &p->file,
                       cors_status_name(status), errors);

    return NGX_CONF_ERROR;
}


static char *
ngx_http_cors(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_cors_loc_conf_t  *clcf = conf;

    ngx_str_t  *value;

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"%V\" directive, "
                           "it must be \"off\" (use \"cors_policy FILE\" "
                           "to enable CORS)", &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (clcf->policy != NGX_CONF_UNSET_PTR) {
        return clcf->policy == NULL ? "is duplicate"
                                    : "conflicts with \"cors_policy\"";
    }

    clcf->policy = NULL;

    return NGX_CONF_OK;
}


static void
ngx_http_cors_policy_cleanup(void *data)
{
    ngx_http_cors_policy_t  *p = data;

    cors_policy_unref(p->policy);
    cors_diagnostics_free(p->diags);
}


/* Per request ------------------------------------------------------------ */

static void
ngx_http_cors_ctx_cleanup(void *data)
{
    /* nothing to free: the entry only marks where the context is */
}


/*
 * The request's context, also after an internal redirect, which clears
 * r->ctx: the context is then found again through its pool cleanup entry.
 */
static ngx_http_cors_ctx_t *
ngx_http_cors_get_ctx(ngx_http_request_t *r)
{
    ngx_pool_cleanup_t   *cln;
    ngx_http_cors_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_cors_module);

    if (ctx != NULL || !r->internal) {
        return ctx;
    }

    for (cln = r->pool->cleanup; cln != NULL; cln = cln->next) {
        if (cln->handler == ngx_http_cors_ctx_cleanup) {
            ctx = cln->data;
            ngx_http_set_ctx(r, ctx, ngx_http_cors_module);
            return ctx;
        }
    }

    return NULL;
}


/*
 * The next element of a walk over a header list, NULL after the last; *part
 * starts at the list's first part and *i at 0.
 */
static ngx_inline ngx_table_elt_t *
ngx_http_cors_next(ngx_list_part_t **part, ngx_uint_t *i)
{
    while (*i >= (*part)->nelts) {
        if ((*part)->next == NULL) {
            return NULL;
        }

        *part = (*part)->next;
        *i = 0;
    }

    return (ngx_table_elt_t *) (*part)->elts + (*i)++;
}


/*
 * False for a request header name that is none of the four libcors reads,
 * by its length and first byte: "Origin" (6), "Access-Control-Request-"
 * "Method" (29), "Headers" (30), "Private-Network" (38). libcors then decides
 * on the whole name.
 */
static ngx_inline ngx_uint_t
ngx_http_cors_may_be_field(const ngx_table_elt_t *h)
{
    switch (h->key.len) {
    case 6:
        return (h->key.data[0] | 0x20) == 'o';
    case 29:
    case 30:
    case 38:
        return (h->key.data[0] | 0x20) == 'a';
    default:
        return 0;
    }
}


/*
 * Evaluates the request with libcors: every request header line that can be
 * one of its fields goes to a cors_request_fields, which applies the rules
 * for repeated and empty lines.
 * fields and req are the caller's (req points into fields); the result's
 * headers (in hdrs, at least CORS_HEADERS_MAX entries) borrow from the
 * request's header buffers and from the policy, both alive for the whole
 * request. Nothing is allocated.
 */
static ngx_int_t
ngx_http_cors_evaluate(ngx_http_request_t *r, const struct cors_policy *policy,
    struct cors_request_fields *fields, struct cors_request *req,
    struct cors_header *hdrs, struct cors_result *res)
{
    ngx_uint_t           i;
    ngx_list_part_t     *part;
    ngx_table_elt_t     *h;
    enum cors_status     status;

    cors_request_fields_init(fields,
        (struct cors_str) { (const char *) r->method_name.data,
                            r->method_name.len });

    part = &r->headers_in.headers.part;
    i = 0;

    while ((h = ngx_http_cors_next(&part, &i)) != NULL) {
        if (!ngx_http_cors_may_be_field(h) || h->hash == 0) {
            continue;
        }

        (void) cors_request_fields_add(fields,
            (struct cors_str) { (const char *) h->key.data, h->key.len },
            (struct cors_str) { (const char *) h->value.data,
                                h->value.len });
    }

    cors_request_fields_to_request(fields, req);

    status = cors_evaluate(policy, req, hdrs, CORS_HEADERS_MAX, res);

    if (status != CORS_OK) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "cors_evaluate() failed: %s", cors_status_name(status));
        return NGX_ERROR;
    }

    ngx_log_debug5(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "cors: %s, %s, reason %s, handler %d, %uz header(s)",
                   cors_decision_name(res->decision),
                   res->allowed ? "allowed" : "not allowed",
                   cors_reason_name(res->reason), (int) res->call_handler,
                   res->header_count);

    return NGX_OK;
}


/*
 * Copies at most max bytes of v into buf, printable ASCII only (other bytes,
 * '"' and '\\' as '?'), with "..." when cut; returns the length written.
 * buf has room for max + 3 bytes.
 */
static size_t
ngx_http_cors_log_value(u_char *buf, size_t max, struct cors_str v)
{
    u_char  *p, c;
    size_t   k;

    p = buf;

    for (k = 0; k < v.len && k < max; k++) {
        c = (u_char) v.ptr[k];
        *p++ = (c > 0x20 && c < 0x7f && c != '"' && c != '\\') ? c : '?';
    }

    if (k < v.len) {
        *p++ = '.';
        *p++ = '.';
        *p++ = '.';
    }

    return (size_t) (p - buf);
}


/*
 * One "info" line per request of a reportOnly policy: the verdict, the first
 * Origin line and the policy entry that allowed the origin, if any.
 */
static void
ngx_http_cors_log_report(ngx_http_request_t *r, const struct cors_policy *policy,
    const struct cors_request *req, const struct cors_result *res)
{
    size_t           olen, elen;
    struct cors_str  origin, entry;
    u_char           obuf[NGX_HTTP_CORS_LOG_ORIGIN_MAX + 3];
    u_char           ebuf[NGX_HTTP_CORS_LOG_ORIGIN_MAX + 3];

    if (r->connection->log->log_level < NGX_LOG_INFO) {
        return;
    }

    origin.ptr = "";
    origin.len = 0;

    if (req->origin_count > 0) {
        origin = req->origins[0];
    }

    olen = ngx_http_cors_log_value(obuf, NGX_HTTP_CORS_LOG_ORIGIN_MAX, origin);

    if (res->matched_field == CORS_FIELD_NONE) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "cors report-only: %s %s, reason \"%s\", origin \"%*s\"",
                      cors_decision_name(res->decision),
                      res->allowed ? "allowed" : "rejected",
                      cors_reason_name(res->reason), olen, obuf);
        return;
    }

    /* an origin predicate has no text: "" */
    entry = cors_policy_entry(policy, res->matched_field, res->matched_index);
    if (entry.ptr == NULL) {
        entry.ptr = "";
        entry.len = 0;
    }

    elen = ngx_http_cors_log_value(ebuf, NGX_HTTP_CORS_LOG_ORIGIN_MAX, entry);

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "cors report-only: %s %s, reason \"%s\", origin \"%*s\", "
                  "matched %s[%uz] \"%*s\"",
                  cors_decision_name(res->decision),
                  res->allowed ? "allowed" : "rejected",
                  cors_reason_name(res->reason), olen, obuf,
                  cors_field_name(res->matched_field), res->matched_index,
                  elen, ebuf);
}


/*
 * True for a name cors_is_access_control_header() accepts; the length and
 * the first byte are checked here first, so that most names cost no call.
 */
static ngx_inline ngx_uint_t
ngx_http_cors_is_access_control(const u_char *name, size_t len)
{
    return len >= sizeof("Access-Control-") - 1 && (name[0] | 0x20) == 'a'
           && cors_is_access_control_header((struct cors_str) {
                  (const char *) name, len });
}


/*
 * The same for a name libcors returns, which is in canonical case
 * ("Access-Control-Allow-Origin"): a plain compare.
 */
static ngx_inline ngx_uint_t
ngx_http_cors_canonical_access_control(struct cors_str name)
{
    return name.len >= sizeof("Access-Control-") - 1
           && ngx_memcmp(name.ptr, "Access-Control-",
                         sizeof("Access-Control-") - 1) == 0;
}


static ngx_inline ngx_uint_t
ngx_http_cors_is_vary(const ngx_table_elt_t *h)
{
    return h->key.len == sizeof("Vary") - 1 && (h->key.data[0] | 0x20) == 'v'
           && ngx_strncasecmp(h->key.data, (u_char *) "vary", 4) == 0;
}


/* The response's Vary lines, as one walk over its header list found them. */
typedef struct {
    ngx_table_elt_t            *first;      /* NULL: no Vary line */
    ngx_uint_t                  n;          /* number of Vary lines */
    size_t                      len;        /* their values joined by ", " */
    ngx_uint_t                  stale;      /* the list changed since */
} ngx_http_cors_vary_t;


/*
 * One walk over the response's header list: with remove set, drops every
 * Access-Control-* header (CORS_HEADER_REMOVE_ACCESS_CONTROL); notes the
 * Vary lines in *vary either way.
 */
static void
ngx_http_cors_scan(ngx_http_request_t *r, ngx_uint_t remove,
    ngx_http_cors_vary_t *vary)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    vary->first = NULL;
    vary->n = 0;
    vary->len = 0;
    vary->stale = 0;

    part = &r->headers_out.headers.part;
    i = 0;

    while ((h = ngx_http_cors_next(&part, &i)) != NULL) {
        if (h->hash == 0) {
            continue;
        }

        if (remove
            && ngx_http_cors_is_access_control(h->key.data, h->key.len))
        {
            h->hash = 0;
            continue;
        }

        if (ngx_http_cors_is_vary(h)) {
            if (vary->first == NULL) {
                vary->first = h;
            }

            vary->len += (vary->n > 0 ? 2 : 0) + h->value.len;
            vary->n++;
        }
    }
}


/* Drops from the response every header named name[len] (case-insensitive). */
static void
ngx_http_cors_clear_header(ngx_http_request_t *r, const char *name, size_t len)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    part = &r->headers_out.headers.part;
    i = 0;

    while ((h = ngx_http_cors_next(&part, &i)) != NULL) {
        if (h->hash != 0
            && h->key.len == len
            && ngx_tolower(h->key.data[0]) == ngx_tolower((u_char) name[0])
            && ngx_strncasecmp(h->key.data, (u_char *) name, len) == 0)
        {
            h->hash = 0;
        }
    }
}


static ngx_int_t
ngx_http_cors_push_header(ngx_http_request_t *r, struct cors_str name,
    struct cors_str value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif
    h->key.data = (u_char *) name.ptr;
    h->key.len = name.len;
    h->value.data = (u_char *) value.ptr;
    h->value.len = value.len;
    h->lowcase_key = NULL;

    return NGX_OK;
}


/*
 * Merges the names of add into the response's Vary, whose lines vary holds
 * (ngx_http_cors_scan()). Several Vary lines are joined into one first.
 * Allocates (from r->pool) only the merged value.
 */
static ngx_int_t
ngx_http_cors_merge_vary(ngx_http_request_t *r, struct cors_str add,
    const ngx_http_cors_vary_t *vary)
{
    u_char            *buf, *p, small[256];
    size_t             need;
    ngx_uint_t         i;
    ngx_list_part_t   *part;
    ngx_table_elt_t   *h, *first;
    struct cors_str    existing;

    first = vary->first;

    if (first == NULL) {
        return ngx_http_cors_push_header(r,
                   (struct cors_str) { "Vary", sizeof("Vary") - 1 }, add);
    }

    if (vary->n == 1) {
        existing.ptr = (const char *) first->value.data;
        existing.len = first->value.len;

    } else {
        /* several Vary lines: one comma-separated list, kept in the first */
        buf = ngx_pnalloc(r->pool, vary->len);
        if (buf == NULL) {
            return NGX_ERROR;
        }

        p = buf;
        part = &r->headers_out.headers.part;
        i = 0;

        while ((h = ngx_http_cors_next(&part, &i)) != NULL) {
            if (h->hash == 0 || !ngx_http_cors_is_vary(h)) {
                continue;
            }

            if (p != buf) {
                *p++ = ',';
                *p++ = ' ';
            }

            p = ngx_cpymem(p, h->value.data, h->value.len);

            if (h != first) {
                h->hash = 0;
            }
        }

        existing.ptr = (const char *) buf;
        existing.len = (size_t) (p - buf);
        first->value.data = buf;
        first->value.len = existing.len;
    }

    need = cors_merge_vary(existing, add, (char *) small, sizeof(small));

    if (need == existing.len) {
        /* every name is there already */
        return NGX_OK;
    }

    buf = ngx_pnalloc(r->pool, need + 1);
    if (buf == NULL) {
        return NGX_ERROR;
    }

    if (need < sizeof(small)) {
        ngx_memcpy(buf, small, need);

    } else {
        (void) cors_merge_vary(existing, add, (char *) buf, need + 1);
    }

    first->value.data = buf;
    first->value.len = need;

    return NGX_OK;
}


/*
 * Applies the decision's headers to the response in order: REMOVE_ACCESS_CONTROL
 * removes every Access-Control-* header already there (an upstream's own
 * included), then SET and APPEND headers are added and Vary is merged. The
 * header list is walked once (REMOVE_ACCESS_CONTROL and the Vary lines
 * together) unless a SET replaces a header of another name.
 */
static ngx_int_t
ngx_http_cors_apply(ngx_http_request_t *r, const struct cors_header *hdrs,
    size_t n)
{
    size_t                i;
    ngx_http_cors_vary_t  vary;

    vary.stale = 1;

    for (i = 0; i < n; i++) {

        switch (hdrs[i].op) {

        case CORS_HEADER_REMOVE_ACCESS_CONTROL:
            ngx_http_cors_scan(r, 1, &vary);
            break;

        case CORS_HEADER_SET:
        case CORS_HEADER_APPEND:
            /*
             * A SET of an Access-Control-* name follows the removal of them
             * all; another name is replaced here. Only a line of another
             * name can be a Vary line.
             */
            if (!ngx_http_cors_canonical_access_control(hdrs[i].name)) {
                if (hdrs[i].op == CORS_HEADER_SET) {
                    ngx_http_cors_clear_header(r, hdrs[i].name.ptr,
                                               hdrs[i].name.len);
                }

                vary.stale = 1;
            }

            if (ngx_http_cors_push_header(r, hdrs[i].name, hdrs[i].value)
                != NGX_OK)
            {
                return NGX_ERROR;
            }

            break;

        case CORS_HEADER_MERGE_VARY:
            if (vary.stale) {
                ngx_http_cors_scan(r, 0, &vary);
            }

            if (ngx_http_cors_merge_vary(r, hdrs[i].value, &vary) != NGX_OK) {
                return NGX_ERROR;
            }

            vary.stale = 1;
            break;

        default:
            ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                          "cors: unknown header operation %d for \"%*s\"",
                          (int) hdrs[i].op, hdrs[i].name.len,
                          hdrs[i].name.ptr);
            break;
        }
    }

    return NGX_OK;
}


/* Answers a preflight at once: status, no body; the filter adds headers. */
static ngx_int_t
ngx_http_cors_answer(ngx_http_request_t *r, int status)
{
    ngx_int_t  rc;

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    r->headers_out.status = status;
    r->headers_out.content_length_n = 0;
    r->header_only = 1;

    rc = ngx_http_send_header(r);

    ngx_http_finalize_request(r, rc);

    return NGX_DONE;
}


static ngx_int_t
ngx_http_cors_handler(ngx_http_request_t *r)
{
    ngx_http_cors_ctx_t         *ctx;
    ngx_http_cors_loc_conf_t    *clcf;
    struct cors_result           res;
    struct cors_request          req;
    struct cors_request_fields   fields;
    struct cors_header           hdrs[CORS_HEADERS_MAX];

    if (r != r->main) {
        return NGX_DECLINED;
    }

    if (ngx_http_cors_get_ctx(r) != NULL) {
        /* decided in the location before an internal redirect */
        return NGX_DECLINED;
    }

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_cors_module);

    if (clcf->policy == NULL) {
        return NGX_DECLINED;
    }

    if (ngx_http_cors_evaluate(r, clcf->policy->policy, &fields, &req, hdrs,
                               &res)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (res.report_only) {
        ngx_http_cors_log_report(r, clcf->policy->policy, &req, &res);
    }

    /*
     * The context is the one allocation per request: the headers to set,
     * with the pool cleanup entry that lets it survive internal redirects
     * (linked in as ngx_pool_cleanup_add() does, without a second block).
     */
    ctx = ngx_palloc(r->pool, offsetof(ngx_http_cors_ctx_t, headers)
                              + res.header_count * sizeof(struct cors_header));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->cln.handler = ngx_http_cors_ctx_cleanup;
    ctx->cln.data = ctx;
    ctx->cln.next = r->pool->cleanup;
    r->pool->cleanup = &ctx->cln;

    ctx->nheaders = res.header_count;
    ngx_memcpy(ctx->headers, hdrs,
               res.header_count * sizeof(struct cors_header));

    ngx_http_set_ctx(r, ctx, ngx_http_cors_module);

    if (!res.call_handler) {
        return ngx_http_cors_answer(r, res.status);
    }

    return NGX_DECLINED;
}


static ngx_int_t
ngx_http_cors_header_filter(ngx_http_request_t *r)
{
    ngx_http_cors_ctx_t         *ctx;
    ngx_http_cors_loc_conf_t    *clcf;
    struct cors_result           res;
    struct cors_request          req;
    struct cors_request_fields   fields;
    struct cors_header           hdrs[CORS_HEADERS_MAX];

    if (r != r->main) {
        return ngx_http_next_header_filter(r);
    }

    ctx = ngx_http_cors_get_ctx(r);

    if (ctx != NULL) {
        if (ngx_http_cors_apply(r, ctx->headers, ctx->nheaders) != NGX_OK) {
            return NGX_ERROR;
        }

        return ngx_http_next_header_filter(r);
    }

    /* a response produced before the PREACCESS phase, e.g. "return 404" */

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_cors_module);

    if (clcf == NULL || clcf->policy == NULL) {
        return ngx_http_next_header_filter(r);
    }

    if (ngx_http_cors_evaluate(r, clcf->policy->policy, &fields, &req, hdrs,
                               &res)
        != NGX_OK)
    {
        return ngx_http_next_header_filter(r);
    }

    if (res.report_only) {
        ngx_http_cors_log_report(r, clcf->policy->policy, &req, &res);
    }

    /* report-only: nothing, or Vary alone under a partial enforcePercent */
    if (ngx_http_cors_apply(r, hdrs, res.header_count) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_next_header_filter(r);
}


/*
 * The module's header filter must run after ngx_http_headers_filter_module's
 * (add_header, expires), so that the policy's decision is what reaches the
 * client: "add_header Access-Control-Allow-Origin *" next to cors_policy is
 * removed like an upstream's. Header filters run in the reverse order of
 * their modules' postconfiguration calls, which follow the module list, so
 * this module must come before ngx_http_headers_filter_module in it: config
 * places it there (ngx_module_order for a dynamic module, the position in
 * HTTP_FILTER_MODULES for a static one). A module built some other way is
 * refused here rather than silently losing to add_header.
 */
static ngx_int_t
ngx_http_cors_check_order(ngx_conf_t *cf)
{
    ngx_uint_t  i, self, headers;

    self = NGX_CONF_UNSET_UINT;
    headers = NGX_CONF_UNSET_UINT;

    for (i = 0; cf->cycle->modules[i] != NULL; i++) {
        if (cf->cycle->modules[i] == &ngx_http_cors_module) {
            self = i;

        } else if (ngx_strcmp(cf->cycle->modules[i]->name,
                              "ngx_http_headers_filter_module") == 0)
        {
            headers = i;
        }
    }

    if (self == NGX_CONF_UNSET_UINT || headers == NGX_CONF_UNSET_UINT
        || self < headers)
    {
        return NGX_OK;
    }

    ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                  "ngx_http_cors_module comes after "
                  "ngx_http_headers_filter_module in the module order, so "
                  "\"add_header Access-Control-...\" would override the CORS "
                  "policy's decision: build the module with the \"config\" "
                  "file of its source directory (it sets the order)");

    return NGX_ERROR;
}


static ngx_int_t
ngx_http_cors_init(ngx_conf_t *cf)
{
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    if (ngx_http_cors_check_order(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    /*
     * PREACCESS runs before ACCESS, where allow/deny, auth_basic and
     * auth_request are: a preflight never needs credentials.
     */
    h = ngx_array_push(&cmcf->phases[NGX_HTTP_PREACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_cors_handler;

    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_cors_header_filter;

    return NGX_OK;
}
