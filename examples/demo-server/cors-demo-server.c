/*
 * cors-demo-server - a small httpbin-like HTTP server on libmicrohttpd that
 * uses libcors the way an embedder would.
 *
 *   cors-demo-server --policy FILE [--route PREFIX=FILE]... [--port N]
 *                    [--strict] [--log FILE] [--static DIR]
 *
 * The gateway-level policy (--policy) covers every path; a route-level policy
 * (--route) replaces it for the paths that start with its prefix, the longest
 * prefix winning (the precedence of the agentgateway guide). Per request the
 * server hands every request header line to a cors_request_fields, calls
 * cors_evaluate() once and follows the decision: it answers preflights
 * itself, or runs the handler and applies the headers libcors returns to
 * whatever the handler answered, error responses included (first removing
 * every Access-Control-* header the handler set, so only the policy speaks
 * CORS). CORS runs before the bearer-token check of /private. The log line
 * names the policy entry that allowed the origin.
 *
 * SIGHUP loads every policy file again: when all of them are valid the new
 * policies are swapped in at once (a request in flight keeps the reference it
 * took, so it finishes on the old policy, which is freed by its last user);
 * otherwise the diagnostics are printed and the old policies stay.
 * SIGTERM / SIGINT stop the server (exit status 0).
 *
 * Uses only <cors/cors.h>.
 *
 * SPDX-License-Identifier: MIT
 */
#define _XOPEN_SOURCE 700 /* POSIX.1-2008 with XSI: realpath() */

#include <cors/cors.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <microhttpd.h>

#define PROG "cors-demo-server"

/* Limits. */
#define POLICY_FILE_MAX    (4u * 1024u * 1024u) /* bytes of one policy file */
#define BODY_MAX           (1024u * 1024u)      /* bytes of one request body */
#define MEMORY_LIMIT       (64u * 1024u) /* MHD per-connection memory: caps the request head */
#define CONNECTION_LIMIT   128u
#define CONNECTION_TIMEOUT 30u                   /* seconds */
#define LOG_VALUE_MAX      256u                  /* bytes of one logged value before truncation */
#define DELAY_MAX          10.0                  /* seconds, /delay/N */
#define STATIC_FILE_MAX    (16u * 1024u * 1024u) /* bytes of one --static file */

/* ------------------------------------------------------------------------ */
/* Growable byte buffer. On allocation failure it stops growing and records  */
/* the failure; callers check .oom once at the end.                          */

struct buf {
    char *p;
    size_t len;
    size_t cap;
    bool oom;
};

static void
buf_reserve(struct buf *b, size_t extra)
{
    if (b->oom)
        return;
    if (extra > SIZE_MAX - b->len - 1) {
        b->oom = true;
        return;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->p, cap);
    if (p == NULL) {
        b->oom = true;
        return;
    }
    b->p = p;
    b->cap = cap;
}

static void
buf_add(struct buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    if (b->oom)
        return;
    if (n > 0)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void
buf_adds(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

static void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
buf_printf(struct buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = true;
        return;
    }
    if ((size_t)n < sizeof tmp) {
        buf_add(b, tmp, (size_t)n);
        return;
    }
    buf_reserve(b, (size_t)n);
    if (b->oom)
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void
buf_free(struct buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/*
 * Appends s as a JSON string. Output is pure ASCII: control characters,
 * DEL and bytes >= 0x80 are written as \u00XX, so nothing the client sent
 * (CR, LF, NUL, invalid UTF-8) is ever copied raw. With max > 0, at most max
 * input bytes are written, followed by "..." inside the string.
 */
static void
buf_json_str(struct buf *b, const char *s, size_t n, size_t max)
{
    static const char hex[] = "0123456789abcdef";
    bool cut = max > 0 && n > max;
    if (cut)
        n = max;
    buf_add(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[7];
        if (c == '"')
            esc = "\\\"";
        else if (c == '\\')
            esc = "\\\\";
        else if (c == '\n')
            esc = "\\n";
        else if (c == '\r')
            esc = "\\r";
        else if (c == '\t')
            esc = "\\t";
        else if (c < 0x20 || c >= 0x7f) {
            u[0] = '\\';
            u[1] = 'u';
            u[2] = '0';
            u[3] = '0';
            u[4] = hex[c >> 4];
            u[5] = hex[c & 15];
            u[6] = '\0';
            esc = u;
        }
        if (esc != NULL) {
            buf_add(b, s + i - run, run);
            run = 0;
            buf_adds(b, esc);
        } else {
            run++;
        }
    }
    buf_add(b, s + n - run, run);
    if (cut)
        buf_add(b, "...", 3);
    buf_add(b, "\"", 1);
}

static void
buf_json_cstr(struct buf *b, const char *s)
{
    buf_json_str(b, s, strlen(s), 0);
}

/* ------------------------------------------------------------------------ */
/* Response header list (owned copies).                                      */

struct hdr {
    char *name;
    char *value;
};

struct hdrs {
    struct hdr *v;
    size_t n;
    size_t cap;
    bool oom;
};

static char *
dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p != NULL) {
        if (n > 0)
            memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static bool
name_eq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    return alen == blen && strncasecmp(a, b, alen) == 0;
}

static void
hdrs_add(struct hdrs *h, const char *name, size_t nlen, const char *value, size_t vlen)
{
    if (h->oom)
        return;
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 8;
        struct hdr *v = realloc(h->v, cap * sizeof *v);
        if (v == NULL) {
            h->oom = true;
            return;
        }
        h->v = v;
        h->cap = cap;
    }
    char *n = dup_n(name, nlen);
    char *val = dup_n(value, vlen);
    if (n == NULL || val == NULL) {
        free(n);
        free(val);
        h->oom = true;
        return;
    }
    h->v[h->n].name = n;
    h->v[h->n].value = val;
    h->n++;
}

static void
hdrs_adds(struct hdrs *h, const char *name, const char *value)
{
    hdrs_add(h, name, strlen(name), value, strlen(value));
}

/* Whether the header called have is called name (case-insensitive). */
static bool
named(const char *have, struct cors_str name)
{
    return strlen(have) == name.len && strncasecmp(have, name.ptr, name.len) == 0;
}

/* Whether the header called have is an Access-Control-* header. */
static bool
access_control(const char *have, struct cors_str unused)
{
    (void)unused;
    return cors_is_access_control_header(cors_str_from_cstr(have));
}

/* Index of the first header called name (case-insensitive), or -1. */
static long
hdrs_find(const struct hdrs *h, const char *name, size_t nlen)
{
    for (size_t i = 0; i < h->n; i++)
        if (named(h->v[i].name, (struct cors_str){name, nlen}))
            return (long)i;
    return -1;
}

/* Removes every header for whose name match(name, arg) is true. */
static void
hdrs_del_if(struct hdrs *h, bool (*match)(const char *, struct cors_str), struct cors_str arg)
{
    size_t j = 0;
    for (size_t i = 0; i < h->n; i++) {
        if (match(h->v[i].name, arg)) {
            free(h->v[i].name);
            free(h->v[i].value);
        } else {
            h->v[j++] = h->v[i];
        }
    }
    h->n = j;
}

static void
hdrs_free(struct hdrs *h)
{
    for (size_t i = 0; i < h->n; i++) {
        free(h->v[i].name);
        free(h->v[i].value);
    }
    free(h->v);
    memset(h, 0, sizeof *h);
}

/* ------------------------------------------------------------------------ */
/* Configuration and policies.                                               */

struct slot {
    const char *prefix; /* NULL: the gateway-level policy */
    size_t prefix_len;
    const char *file;
    struct cors_policy *policy; /* guarded by g_policy_lock */
};

static struct slot *g_slots; /* [0] is the gateway level */
static size_t g_nslots;
static pthread_mutex_t g_policy_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned g_build_flags;
static const char *g_log_path;
static char *g_static_dir; /* --static DIR, resolved with realpath() */
static pthread_mutex_t g_log_lock = PTHREAD_MUTEX_INITIALIZER;

static void
print_diagnostics(const char *file, const struct cors_diagnostics *diags)
{
    size_t n = cors_diagnostics_count(diags);
    for (size_t i = 0; i < n; i++) {
        const struct cors_diagnostic *d = cors_diagnostics_get(diags, i);
        if (d == NULL)
            continue;
        const char *sev = d->severity == CORS_SEVERITY_ERROR ? "error" : "warning";
        /* message is NUL-terminated and written by the library; still print
         * it with its length. */
        int mlen = d->message.len > INT_MAX ? INT_MAX : (int)d->message.len;
        if (d->line > 0)
            fprintf(stderr, "%s:%u:%u: %s: %s: %.*s\n", file, (unsigned)d->line,
                    (unsigned)d->column, sev, cors_diag_code_name(d->code), mlen,
                    d->message.ptr ? d->message.ptr : "");
        else
            fprintf(stderr, "%s: %s: %s: %.*s\n", file, sev, cors_diag_code_name(d->code), mlen,
                    d->message.ptr ? d->message.ptr : "");
    }
    fflush(stderr);
}

/* Reads a whole file (at most POLICY_FILE_MAX bytes). */
static char *
read_file(const char *path, size_t *len_out, char *err, size_t errsize)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errsize, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct buf b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > POLICY_FILE_MAX) {
            snprintf(err, errsize, "file larger than %u bytes", POLICY_FILE_MAX);
            fclose(f);
            buf_free(&b);
            return NULL;
        }
        buf_add(&b, chunk, n);
    }
    bool failed = ferror(f) != 0;
    int saved = errno;
    fclose(f);
    if (failed || b.oom) {
        snprintf(err, errsize, "cannot read: %s", b.oom ? "out of memory" : strerror(saved));
        buf_free(&b);
        return NULL;
    }
    if (b.p == NULL) {
        b.p = dup_n("", 0);
        if (b.p == NULL) {
            snprintf(err, errsize, "out of memory");
            return NULL;
        }
    }
    *len_out = b.len;
    return b.p;
}

/* Loads one policy file; prints every diagnostic. NULL on failure. */
static struct cors_policy *
load_policy(const char *file)
{
    char err[256];
    size_t len = 0;
    char *text = read_file(file, &len, err, sizeof err);
    if (text == NULL) {
        fprintf(stderr, "%s: error: %s\n", file, err);
        fflush(stderr);
        return NULL;
    }
    struct cors_diagnostics *diags = cors_diagnostics_new(NULL);
    if (diags == NULL) {
        fprintf(stderr, "%s: error: out of memory\n", file);
        free(text);
        return NULL;
    }
    enum cors_status st = CORS_OK;
    struct cors_str t = {text, len};
    struct cors_policy *p = cors_policy_new_from_text(t, g_build_flags, NULL, diags, &st);
    print_diagnostics(file, diags);
    if (p == NULL)
        fprintf(stderr, "%s: error: policy not loaded (%s, %zu error(s))\n", file,
                cors_status_name(st), cors_diagnostics_error_count(diags));
    fflush(stderr);
    cors_diagnostics_free(diags);
    free(text);
    return p;
}

/*
 * Loads every policy file. Only when all of them load is anything changed:
 * the new policies are swapped in under the lock, then the old references
 * are dropped outside it (a request still using an old policy holds its own
 * reference, so the old policy is freed by whoever finishes last).
 */
static bool
load_all(bool initial)
{
    struct cors_policy **fresh = calloc(g_nslots, sizeof *fresh);
    if (fresh == NULL) {
        fprintf(stderr, PROG ": out of memory\n");
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < g_nslots; i++) {
        /* a file named twice is loaded (and reported) once, then shared */
        size_t first = i;
        for (size_t j = 0; j < i && first == i; j++)
            if (strcmp(g_slots[j].file, g_slots[i].file) == 0)
                first = j;
        if (first != i)
            fresh[i] = fresh[first] != NULL ? cors_policy_ref(fresh[first]) : NULL;
        else
            fresh[i] = load_policy(g_slots[i].file);
        if (fresh[i] == NULL)
            ok = false;
    }
    if (!ok) {
        for (size_t i = 0; i < g_nslots; i++)
            cors_policy_unref(fresh[i]);
        free(fresh);
        if (!initial)
            fprintf(stderr, PROG ": reload refused: the previous policies stay in force\n");
        fflush(stderr);
        return false;
    }
    pthread_mutex_lock(&g_policy_lock);
    for (size_t i = 0; i < g_nslots; i++) {
        struct cors_policy *old = g_slots[i].policy;
        g_slots[i].policy = fresh[i];
        fresh[i] = old;
    }
    pthread_mutex_unlock(&g_policy_lock);
    for (size_t i = 0; i < g_nslots; i++)
        cors_policy_unref(fresh[i]);
    free(fresh);
    if (!initial) {
        fprintf(stderr, PROG ": reloaded %zu polic%s\n", g_nslots, g_nslots == 1 ? "y" : "ies");
        fflush(stderr);
    }
    return true;
}

static void
unref_all(void)
{
    pthread_mutex_lock(&g_policy_lock);
    for (size_t i = 0; i < g_nslots; i++) {
        cors_policy_unref(g_slots[i].policy);
        g_slots[i].policy = NULL;
    }
    pthread_mutex_unlock(&g_policy_lock);
}

/* Picks the slot for a path (longest matching route prefix, else the gateway
 * level) and takes a reference on its current policy. */
static struct cors_policy *
acquire_policy(const char *path, size_t path_len, const struct slot **slot_out)
{
    size_t best = 0;
    size_t best_len = 0;
    for (size_t i = 1; i < g_nslots; i++) {
        const struct slot *s = &g_slots[i];
        if (s->prefix_len <= path_len && memcmp(path, s->prefix, s->prefix_len) == 0 &&
            (best == 0 || s->prefix_len > best_len)) {
            best = i;
            best_len = s->prefix_len;
        }
    }
    pthread_mutex_lock(&g_policy_lock);
    struct cors_policy *p = cors_policy_ref(g_slots[best].policy);
    pthread_mutex_unlock(&g_policy_lock);
    *slot_out = &g_slots[best];
    return p;
}

/* ------------------------------------------------------------------------ */
/* Request log: one JSON line per request.                                   */

static void
log_line(const char *line, size_t len)
{
    pthread_mutex_lock(&g_log_lock);
    if (g_log_path != NULL) {
        int fd = open(g_log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            size_t off = 0;
            while (off < len) {
                ssize_t w = write(fd, line + off, len - off);
                if (w < 0) {
                    if (errno == EINTR)
                        continue;
                    break;
                }
                off += (size_t)w;
            }
            close(fd);
        } else {
            fprintf(stderr, PROG ": cannot open log %s: %s\n", g_log_path, strerror(errno));
        }
    } else {
        fwrite(line, 1, len, stderr);
        fflush(stderr);
    }
    pthread_mutex_unlock(&g_log_lock);
}

/* ------------------------------------------------------------------------ */
/* Per-request state.                                                        */

struct req {
    struct cors_policy *policy; /* our reference, dropped when the request completes */
    const struct slot *slot;
    /* The request's CORS fields as libcors reads them: every header line is
     * handed over, the library applies the rules for repeated lines. The
     * slices point into MHD's copy of the request head, valid until the
     * request completes; request points into fields (this struct never moves). */
    struct cors_request_fields fields;
    struct cors_request request;
    struct cors_header headers[CORS_HEADERS_MAX];
    struct cors_result result;
    enum cors_status eval_status;
    struct buf body;
    bool body_too_large;
};

static enum MHD_Result
add_field(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size, const char *value,
          size_t value_size)
{
    struct req *r = cls;
    (void)kind;
    if (key != NULL)
        cors_request_fields_add(&r->fields, (struct cors_str){key, key_size},
                                (struct cors_str){value, value != NULL ? value_size : 0});
    return MHD_YES;
}

/* First call of a request: headers are complete. Picks the policy, takes a
 * reference for the whole request and evaluates once. */
static void
begin_request(struct req *r, struct MHD_Connection *c, const char *url, const char *method)
{
    r->policy = acquire_policy(url, strlen(url), &r->slot);
    cors_request_fields_init(&r->fields, cors_str_from_cstr(method));
    MHD_get_connection_values_n(c, MHD_HEADER_KIND, add_field, r);
    cors_request_fields_to_request(&r->fields, &r->request);
    r->eval_status =
        cors_evaluate(r->policy, &r->request, r->headers, CORS_HEADERS_MAX, &r->result);
}

static void
free_request(struct req *r)
{
    cors_policy_unref(r->policy);
    buf_free(&r->body);
    free(r);
}

/* ------------------------------------------------------------------------ */
/* Handlers.                                                                 */

struct out {
    unsigned status;
    struct hdrs headers;
    struct buf body;
};

struct pairs_ctx {
    struct cors_str *names;
    struct cors_str *values;
    size_t n;
    size_t cap;
    bool oom;
};

static enum MHD_Result
collect_pair(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
             const char *value, size_t value_size)
{
    struct pairs_ctx *p = cls;
    (void)kind;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        struct cors_str *nn = realloc(p->names, cap * sizeof *nn);
        if (nn == NULL) {
            p->oom = true;
            return MHD_NO;
        }
        p->names = nn;
        struct cors_str *vv = realloc(p->values, cap * sizeof *vv);
        if (vv == NULL) {
            p->oom = true;
            return MHD_NO;
        }
        p->values = vv;
        p->cap = cap;
    }
    p->names[p->n].ptr = key ? key : "";
    p->names[p->n].len = key ? key_size : 0;
    p->values[p->n].ptr = value ? value : "";
    p->values[p->n].len = value ? value_size : 0;
    p->n++;
    return MHD_YES;
}

/* Writes the connection's values of one kind as a JSON object; repeated
 * names (case-insensitive) are joined with ", " like one field. */
static void
json_values(struct buf *b, struct MHD_Connection *c, enum MHD_ValueKind kind)
{
    struct pairs_ctx p = {0};
    MHD_get_connection_values_n(c, kind, collect_pair, &p);
    if (p.oom)
        b->oom = true;
    buf_add(b, "{", 1);
    bool first = true;
    for (size_t i = 0; i < p.n; i++) {
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = p.names[k].len == p.names[i].len &&
                   strncasecmp(p.names[k].ptr, p.names[i].ptr, p.names[i].len) == 0;
        if (seen)
            continue;
        if (!first)
            buf_add(b, ", ", 2);
        first = false;
        buf_json_str(b, p.names[i].ptr, p.names[i].len, 0);
        buf_add(b, ": \"", 3);
        bool more = false;
        for (size_t k = i; k < p.n; k++) {
            if (p.names[k].len != p.names[i].len ||
                strncasecmp(p.names[k].ptr, p.names[i].ptr, p.names[i].len) != 0)
                continue;
            if (more)
                buf_add(b, ", ", 2);
            more = true;
            /* the value without its quotes */
            struct buf tmp = {0};
            buf_json_str(&tmp, p.values[k].ptr, p.values[k].len, 0);
            if (tmp.oom)
                b->oom = true;
            else
                buf_add(b, tmp.p + 1, tmp.len - 2);
            buf_free(&tmp);
        }
        buf_add(b, "\"", 1);
    }
    buf_add(b, "}", 1);
    free(p.names);
    free(p.values);
}

static void
json_reply(struct out *o, unsigned status)
{
    o->status = status;
    hdrs_adds(&o->headers, "Content-Type", "application/json");
    buf_add(&o->body, "\n", 1);
}

static void
error_reply(struct out *o, unsigned status, const char *message)
{
    buf_adds(&o->body, "{\"error\": ");
    buf_json_cstr(&o->body, message);
    buf_adds(&o->body, "}");
    json_reply(o, status);
}

static bool
method_is(const char *method, const char *m)
{
    return strcmp(method, m) == 0;
}

static void
echo_reply(struct out *o, struct MHD_Connection *c, const char *url, const char *method,
           const struct req *r, bool with_body)
{
    struct buf *b = &o->body;
    buf_adds(b, "{\"method\": ");
    buf_json_cstr(b, method);
    buf_adds(b, ", \"path\": ");
    buf_json_cstr(b, url);
    buf_adds(b, ", \"args\": ");
    json_values(b, c, MHD_GET_ARGUMENT_KIND);
    buf_adds(b, ", \"headers\": ");
    json_values(b, c, MHD_HEADER_KIND);
    if (with_body) {
        buf_adds(b, ", \"body\": ");
        buf_json_str(b, r->body.p ? r->body.p : "", r->body.len, 0);
    }
    buf_adds(b, "}");
    json_reply(o, 200);
}

/* Parses a whole decimal number with an optional fraction; false on junk. */
static bool
parse_number(const char *s, double *out)
{
    if (*s == '\0' || strlen(s) > 16)
        return false;
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= 0.0))
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.'))
            return false;
    *out = v;
    return true;
}

static void
allow_reply(struct out *o, const char *allow)
{
    o->status = 204;
    hdrs_adds(&o->headers, "Allow", allow);
}

static bool
is_token_char(unsigned char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

struct rh_ctx {
    struct out *o;
    size_t count;
    bool bad;
};

static enum MHD_Result
response_header_arg(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                    const char *value, size_t value_size)
{
    struct rh_ctx *x = cls;
    (void)kind;
    if (value == NULL) {
        value = "";
        value_size = 0;
    }
    if (key == NULL || key_size == 0 || key_size > 64 || value_size > 256 || ++x->count > 16) {
        x->bad = true;
        return MHD_NO;
    }
    for (size_t i = 0; i < key_size; i++)
        if (!is_token_char((unsigned char)key[i])) {
            x->bad = true;
            return MHD_NO;
        }
    /* headers that frame the message or that the server sets itself */
    static const char *const reserved[] = {
        "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive",
        "Upgrade",        "Trailer",           "TE",         "Date",
        "Content-Type"};
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (name_eq(key, key_size, reserved[i])) {
            x->bad = true;
            return MHD_NO;
        }
    for (size_t i = 0; i < value_size; i++) {
        unsigned char ch = (unsigned char)value[i];
        if (!(ch == '\t' || (ch >= 0x20 && ch < 0x7f))) {
            x->bad = true;
            return MHD_NO;
        }
    }
    hdrs_add(&x->o->headers, key, key_size, value, value_size);
    return MHD_YES;
}

/* httpbin's /response-headers?Name=value: sets the named response headers.
 * Names must be tokens (not a framing header such as Content-Length) and
 * values visible ASCII, at most 16 of them; anything else is refused with 400
 * and nothing is set. OPTIONS (options true) gets them on its 204 with Allow
 * and no body: an application that answers preflights itself. */
static void
response_headers_reply(struct out *o, struct MHD_Connection *c, bool options)
{
    struct rh_ctx x = {o, 0, false};
    MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, response_header_arg, &x);
    if (x.bad) {
        hdrs_free(&o->headers);
        error_reply(o, 400,
                    "expected up to 16 Name=value arguments: token names, visible ASCII values");
        return;
    }
    if (options) {
        allow_reply(o, "GET, HEAD, POST, OPTIONS");
        return;
    }
    buf_adds(&o->body, "{\"headers\": ");
    json_values(&o->body, c, MHD_GET_ARGUMENT_KIND);
    buf_adds(&o->body, "}");
    json_reply(o, 200);
}

static const char *
content_type_for(const char *path)
{
    static const struct {
        const char *ext;
        const char *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".txt", "text/plain; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
    };
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t e = strlen(types[i].ext);
        if (n >= e && strcasecmp(path + n - e, types[i].ext) == 0)
            return types[i].type;
    }
    return "application/octet-stream";
}

/*
 * --static DIR: serves DIR/<path> (DIR/<path>index.html for a path ending in
 * '/'). Returns false when there is no such file (the caller answers 404).
 * Paths with a ".." segment are refused, and the resolved file must lie
 * inside DIR (symbolic links cannot lead out of it).
 */
static bool
static_reply(struct out *o, const char *url, const char *method)
{
    if (g_static_dir == NULL || url[0] != '/')
        return false;
    for (const char *p = url; *p; p++) {
        if (p[0] == '/' && p[1] == '.' && p[2] == '.' && (p[3] == '/' || p[3] == '\0'))
            return false;
        if (*p == '\\')
            return false;
    }
    struct buf path = {0};
    buf_adds(&path, g_static_dir);
    buf_adds(&path, url);
    if (url[strlen(url) - 1] == '/')
        buf_adds(&path, "index.html");
    if (path.oom) {
        buf_free(&path);
        return false;
    }
    char *real = realpath(path.p, NULL);
    buf_free(&path);
    size_t dl = strlen(g_static_dir);
    if (real == NULL || strncmp(real, g_static_dir, dl) != 0 || real[dl] != '/') {
        free(real);
        return false;
    }
    int fd = open(real, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > STATIC_FILE_MAX) {
        if (fd >= 0)
            close(fd);
        free(real);
        return false;
    }
    if (method_is(method, "OPTIONS")) {
        allow_reply(o, "GET, HEAD, OPTIONS");
    } else if (!method_is(method, "GET") && !method_is(method, "HEAD")) {
        hdrs_adds(&o->headers, "Allow", "GET, HEAD, OPTIONS");
        error_reply(o, 405, "method not allowed");
    } else {
        char chunk[8192];
        ssize_t n;
        while ((n = read(fd, chunk, sizeof chunk)) > 0)
            buf_add(&o->body, chunk, (size_t)n);
        if (n < 0) {
            buf_free(&o->body);
            error_reply(o, 500, "cannot read the file");
        } else {
            o->status = 200;
            hdrs_adds(&o->headers, "Content-Type", content_type_for(real));
            hdrs_adds(&o->headers, "Cache-Control", "no-store");
        }
    }
    close(fd);
    free(real);
    return true;
}

static void
run_handler(struct out *o, struct req *r, struct MHD_Connection *c, const char *url,
            const char *method)
{
    bool is_options = method_is(method, "OPTIONS");
    bool get_like = method_is(method, "GET") || method_is(method, "HEAD");

    if (r->body_too_large) {
        error_reply(o, 413, "request body too large");
        return;
    }
    if (strcmp(url, "/get") == 0 || strcmp(url, "/headers") == 0) {
        if (is_options) {
            allow_reply(o, "GET, HEAD, OPTIONS");
        } else if (!get_like) {
            hdrs_adds(&o->headers, "Allow", "GET, HEAD, OPTIONS");
            error_reply(o, 405, "method not allowed");
        } else if (url[1] == 'g') {
            echo_reply(o, c, url, method, r, false);
        } else {
            buf_adds(&o->body, "{\"headers\": ");
            json_values(&o->body, c, MHD_HEADER_KIND);
            buf_adds(&o->body, "}");
            json_reply(o, 200);
        }
    } else if (strcmp(url, "/anything") == 0 || strncmp(url, "/anything/", 10) == 0) {
        if (is_options)
            allow_reply(o, "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS");
        else
            echo_reply(o, c, url, method, r, true);
    } else if (strcmp(url, "/private") == 0) {
        const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
        if (is_options) {
            allow_reply(o, "GET, HEAD, POST, OPTIONS");
        } else if (auth == NULL || strcmp(auth, "Bearer demo") != 0) {
            hdrs_adds(&o->headers, "WWW-Authenticate", "Bearer realm=\"cors-demo\"");
            error_reply(o, 401, "missing or wrong bearer token");
        } else if (!get_like && !method_is(method, "POST")) {
            hdrs_adds(&o->headers, "Allow", "GET, HEAD, POST, OPTIONS");
            error_reply(o, 405, "method not allowed");
        } else {
            buf_adds(&o->body, "{\"authenticated\": true, \"token\": \"demo\"}");
            json_reply(o, 200);
        }
    } else if (strcmp(url, "/response-headers") == 0) {
        if (!get_like && !is_options && !method_is(method, "POST")) {
            hdrs_adds(&o->headers, "Allow", "GET, HEAD, POST, OPTIONS");
            error_reply(o, 405, "method not allowed");
        } else
            response_headers_reply(o, c, is_options);
    } else if (strncmp(url, "/status/", 8) == 0) {
        double v = 0;
        if (!parse_number(url + 8, &v) || v < 200 || v > 599 || v != (double)(unsigned)v) {
            error_reply(o, 400, "expected /status/N with N from 200 to 599");
        } else if (is_options) {
            allow_reply(o, "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS");
        } else {
            o->status = (unsigned)v;
            if (o->status != 204 && o->status != 304) {
                buf_printf(&o->body, "{\"status\": %u}", o->status);
                json_reply(o, o->status);
            }
        }
    } else if (strncmp(url, "/delay/", 7) == 0) {
        double v = 0;
        if (!parse_number(url + 7, &v) || v > DELAY_MAX) {
            error_reply(o, 400, "expected /delay/N with N from 0 to 10 seconds");
        } else if (is_options) {
            allow_reply(o, "GET, HEAD, OPTIONS");
        } else if (!get_like) {
            hdrs_adds(&o->headers, "Allow", "GET, HEAD, OPTIONS");
            error_reply(o, 405, "method not allowed");
        } else {
            struct timespec ts;
            ts.tv_sec = (time_t)v;
            ts.tv_nsec = (long)((v - (double)ts.tv_sec) * 1e9);
            while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
            }
            echo_reply(o, c, url, method, r, false);
        }
    } else if (!static_reply(o, url, method)) {
        error_reply(o, 404, "not found");
    }
}

/*
 * Applies the headers libcors returned, in order, to whatever response the
 * request gets (the handler's, an error page, or the preflight answer):
 * first remove every Access-Control-* header the handler put there (the
 * policy owns that namespace, for denied origins too), then set, append and
 * merge Vary.
 */
static void
apply_cors(struct out *o, const struct cors_result *res)
{
    for (size_t i = 0; i < res->header_count; i++) {
        const struct cors_header *h = &res->headers[i];
        switch (h->op) {
        case CORS_HEADER_REMOVE_ACCESS_CONTROL:
            hdrs_del_if(&o->headers, access_control, (struct cors_str){NULL, 0});
            break;
        case CORS_HEADER_SET:
            hdrs_del_if(&o->headers, named, h->name);
            hdrs_add(&o->headers, h->name.ptr, h->name.len, h->value.ptr, h->value.len);
            break;
        case CORS_HEADER_APPEND:
            hdrs_add(&o->headers, h->name.ptr, h->name.len, h->value.ptr, h->value.len);
            break;
        case CORS_HEADER_MERGE_VARY: {
            long at = hdrs_find(&o->headers, "Vary", 4);
            struct cors_str existing = {NULL, 0};
            if (at >= 0)
                existing = cors_str_from_cstr(o->headers.v[at].value);
            size_t need = cors_merge_vary(existing, h->value, NULL, 0);
            char *merged = malloc(need + 1);
            if (merged == NULL) {
                o->headers.oom = true;
                break;
            }
            cors_merge_vary(existing, h->value, merged, need + 1);
            if (at >= 0) {
                free(o->headers.v[at].value);
                o->headers.v[at].value = merged;
            } else {
                hdrs_add(&o->headers, "Vary", 4, merged, need);
                free(merged);
            }
            break;
        }
        default:
            break;
        }
    }
}

static void
write_log(const struct req *r, const char *method, const char *url, unsigned status, bool handler)
{
    struct buf b = {0};
    buf_adds(&b, "{\"method\": ");
    buf_json_str(&b, method, strlen(method), LOG_VALUE_MAX);
    buf_adds(&b, ", \"path\": ");
    buf_json_str(&b, url, strlen(url), LOG_VALUE_MAX);
    buf_adds(&b, ", \"origin\": ");
    if (r->request.origin_count > 0) {
        /* the Origin lines as libcors kept them (two at most), joined */
        struct buf origins = {0};
        for (size_t i = 0; i < r->request.origin_count; i++) {
            if (i > 0)
                buf_add(&origins, ", ", 2);
            buf_add(&origins, r->request.origins[i].ptr, r->request.origins[i].len);
        }
        if (origins.oom)
            b.oom = true;
        else
            buf_json_str(&b, origins.p != NULL ? origins.p : "", origins.len, LOG_VALUE_MAX);
        buf_free(&origins);
    } else {
        buf_adds(&b, "null");
    }
    if (r->eval_status == CORS_OK) {
        buf_adds(&b, ", \"decision\": ");
        buf_json_cstr(&b, cors_decision_name(r->result.decision));
        buf_printf(&b, ", \"allowed\": %s, \"reason\": ", r->result.allowed ? "true" : "false");
        buf_json_cstr(&b, cors_reason_name(r->result.reason));
        /* what allowed the origin, e.g. allowOrigins[0] and its text (an
         * origin predicate has no text) */
        if (r->result.matched_field != CORS_FIELD_NONE) {
            struct cors_str entry =
                cors_policy_entry(r->policy, r->result.matched_field, r->result.matched_index);
            buf_printf(&b, ", \"matched\": \"%s[%zu]\", \"matchedEntry\": ",
                       cors_field_name(r->result.matched_field), r->result.matched_index);
            if (entry.ptr != NULL)
                buf_json_str(&b, entry.ptr, entry.len, LOG_VALUE_MAX);
            else
                buf_adds(&b, "null");
        } else {
            buf_adds(&b, ", \"matched\": null, \"matchedEntry\": null");
        }
    } else {
        buf_adds(&b, ", \"decision\": null, \"allowed\": false, \"reason\": ");
        buf_json_cstr(&b, cors_status_name(r->eval_status));
        buf_adds(&b, ", \"matched\": null, \"matchedEntry\": null");
    }
    buf_printf(&b, ", \"handler\": %s, \"status\": %u, \"reportOnly\": %s, \"policy\": ",
               handler ? "true" : "false", status,
               r->eval_status == CORS_OK && r->result.report_only ? "true" : "false");
    if (r->slot->prefix != NULL) {
        buf_json_cstr(&b, r->slot->prefix);
    } else {
        struct cors_str src = cors_policy_source(r->policy);
        if (src.ptr != NULL && src.len > 0)
            buf_json_str(&b, src.ptr, src.len, LOG_VALUE_MAX);
        else
            buf_json_cstr(&b, r->slot->file);
    }
    buf_adds(&b, "}\n");
    if (!b.oom)
        log_line(b.p, b.len);
    buf_free(&b);
}

static enum MHD_Result
queue(struct MHD_Connection *c, struct out *o)
{
    struct MHD_Response *resp;
    if (o->body.len > 0)
        resp = MHD_create_response_from_buffer(o->body.len, o->body.p, MHD_RESPMEM_MUST_COPY);
    else
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (resp == NULL)
        return MHD_NO;
    for (size_t i = 0; i < o->headers.n; i++) {
        if (MHD_add_response_header(resp, o->headers.v[i].name, o->headers.v[i].value) != MHD_YES) {
            /* Cannot happen with the library's values (never CR/LF/NUL);
             * refuse to send a partial header set. */
            MHD_destroy_response(resp);
            static const char msg[] = "{\"error\": \"internal error\"}\n";
            resp = MHD_create_response_from_buffer(sizeof msg - 1, (void *)msg,
                                                   MHD_RESPMEM_PERSISTENT);
            if (resp == NULL)
                return MHD_NO;
            o->status = 500;
            break;
        }
    }
    enum MHD_Result ret = MHD_queue_response(c, o->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result
finish_request(struct req *r, struct MHD_Connection *c, const char *url, const char *method)
{
    struct out o;
    memset(&o, 0, sizeof o);
    bool handler = false;

    if (r->eval_status != CORS_OK) {
        error_reply(&o, 500, "CORS evaluation failed");
    } else if (!r->result.call_handler) {
        /* The library answers: a preflight, with its status and headers. */
        if (r->result.status >= 100 && r->result.status <= 599) {
            o.status = (unsigned)r->result.status;
            apply_cors(&o, &r->result);
        } else {
            error_reply(&o, 500, "CORS evaluation gave no status");
        }
    } else {
        handler = true;
        run_handler(&o, r, c, url, method);
        apply_cors(&o, &r->result); /* report-only: no headers, nothing changes */
    }
    if (o.headers.oom || o.body.oom) {
        hdrs_free(&o.headers);
        buf_free(&o.body);
        memset(&o, 0, sizeof o);
        o.status = 500;
    }
    enum MHD_Result ret = queue(c, &o);
    write_log(r, method, url, o.status, handler);
    hdrs_free(&o.headers);
    buf_free(&o.body);
    return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
    (void)cls;
    (void)version;
    struct req *r = *req_cls;
    if (url == NULL)
        url = "";
    if (r == NULL) {
        r = calloc(1, sizeof *r);
        if (r == NULL)
            return MHD_NO;
        *req_cls = r;
        begin_request(r, c, url, method);
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (!r->body_too_large) {
            if (*upload_data_size > BODY_MAX - r->body.len) {
                r->body_too_large = true;
                buf_free(&r->body);
            } else {
                buf_add(&r->body, upload_data, *upload_data_size);
                if (r->body.oom)
                    r->body_too_large = true;
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    return finish_request(r, c, url, method);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
             enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct req *r = *req_cls;
    if (r != NULL) {
        free_request(r);
        *req_cls = NULL;
    }
}

/* fmt comes from libmicrohttpd: a printf format (checked as one by -Wformat=2) */
__attribute__((format(printf, 2, 0))) static void
mhd_logger(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    fprintf(stderr, PROG ": mhd: %s%s", msg,
            msg[0] != '\0' && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
    fflush(stderr);
}

/* ------------------------------------------------------------------------ */
/* main                                                                       */

static void
usage(FILE *f)
{
    fprintf(f, "usage: " PROG " --policy FILE [--route PREFIX=FILE]... [--port N] [--strict]\n"
               "                        [--log FILE] [--static DIR]\n"
               "  --policy FILE        gateway-level CORS policy (YAML or JSON) for every path\n"
               "  --route PREFIX=FILE  route-level policy for paths starting with PREFIX\n"
               "                       (repeatable; the longest prefix wins and replaces the\n"
               "                       gateway-level policy)\n"
               "  --port N             TCP port on 127.0.0.1 (default 0: the OS chooses)\n"
               "  --strict             every policy warning is an error\n"
               "  --log FILE           append the per-request JSON lines to FILE (default stderr)\n"
               "  --static DIR         serve the files under DIR for paths no endpoint takes\n"
               "Endpoints: /get /headers /anything[/...] /private (Authorization: Bearer demo)\n"
               "           /status/N /delay/N /response-headers?Name=value;\n"
               "           SIGHUP reloads the policies, SIGTERM/SIGINT stop the server.\n");
}

static const char *
option_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) == 0 && a[n] == '=')
        return a + n + 1;
    if (strcmp(a, name) == 0) {
        if (*i + 1 >= argc) {
            fprintf(stderr, PROG ": %s needs a value\n", name);
            return NULL;
        }
        return argv[++*i];
    }
    return NULL;
}

int
main(int argc, char **argv)
{
    const char *policy_file = NULL;
    long port = 0;
    g_slots = calloc((size_t)argc + 1, sizeof *g_slots);
    if (g_slots == NULL)
        return 1;
    g_nslots = 1;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf(PROG " (libcors %s, libmicrohttpd %s)\n", cors_version_string(),
                   MHD_get_version());
            return 0;
        } else if (strcmp(a, "--strict") == 0) {
            g_build_flags |= CORS_BUILD_STRICT;
        } else if (strncmp(a, "--policy", 8) == 0 && (a[8] == '\0' || a[8] == '=')) {
            if ((v = option_value(argc, argv, &i, "--policy")) == NULL)
                return 2;
            policy_file = v;
        } else if (strncmp(a, "--route", 7) == 0 && (a[7] == '\0' || a[7] == '=')) {
            if ((v = option_value(argc, argv, &i, "--route")) == NULL)
                return 2;
            const char *eq = strchr(v, '=');
            if (eq == NULL || eq == v || eq[1] == '\0' || v[0] != '/') {
                fprintf(stderr, PROG ": --route wants PREFIX=FILE with PREFIX starting with '/'\n");
                return 2;
            }
            struct slot *s = &g_slots[g_nslots++];
            char *prefix = dup_n(v, (size_t)(eq - v));
            if (prefix == NULL)
                return 1;
            s->prefix = prefix;
            s->prefix_len = (size_t)(eq - v);
            s->file = eq + 1;
        } else if (strncmp(a, "--port", 6) == 0 && (a[6] == '\0' || a[6] == '=')) {
            if ((v = option_value(argc, argv, &i, "--port")) == NULL)
                return 2;
            char *end = NULL;
            errno = 0;
            port = strtol(v, &end, 10);
            if (errno != 0 || end == v || *end != '\0' || port < 0 || port > 65535) {
                fprintf(stderr, PROG ": --port wants a number from 0 to 65535\n");
                return 2;
            }
        } else if (strncmp(a, "--static", 8) == 0 && (a[8] == '\0' || a[8] == '=')) {
            if ((v = option_value(argc, argv, &i, "--static")) == NULL)
                return 2;
            free(g_static_dir);
            g_static_dir = realpath(v, NULL);
            struct stat st;
            if (g_static_dir == NULL || stat(g_static_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
                fprintf(stderr, PROG ": --static %s: not a directory\n", v);
                return 2;
            }
        } else if (strncmp(a, "--log", 5) == 0 && (a[5] == '\0' || a[5] == '=')) {
            if ((v = option_value(argc, argv, &i, "--log")) == NULL)
                return 2;
            g_log_path = v;
        } else {
            fprintf(stderr, PROG ": unknown argument '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (policy_file == NULL) {
        fprintf(stderr, PROG ": --policy FILE is required\n");
        usage(stderr);
        return 2;
    }
    g_slots[0].file = policy_file;

    if (!load_all(true))
        return 1;

    /* Block the signals in every thread (MHD's threads inherit the mask);
     * the main thread takes them with sigwait(). */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
        (uint16_t)port, NULL, NULL, &on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER, &mhd_logger,
        NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)MEMORY_LIMIT, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CONNECTION_LIMIT,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONNECTION_TIMEOUT,
        MHD_OPTION_NOTIFY_COMPLETED, &on_completed, NULL, MHD_OPTION_END);
    if (d == NULL) {
        fprintf(stderr, PROG ": cannot listen on 127.0.0.1:%ld\n", port);
        unref_all();
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned bound = info != NULL ? info->port : (unsigned)port;
    printf("listening http://127.0.0.1:%u\n", bound);
    fflush(stdout);

    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            fprintf(stderr, PROG ": SIGHUP: reloading the policies\n");
            fflush(stderr);
            load_all(false);
            continue;
        }
        break;
    }
    MHD_stop_daemon(d);
    unref_all();
    for (size_t i = 1; i < g_nslots; i++)
        free((char *)g_slots[i].prefix);
    free(g_slots);
    free(g_static_dir);
    return 0;
}
