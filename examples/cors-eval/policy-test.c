/*
 * cors-eval --test FILE: runs a policy test file and prints TAP.
 *
 * A test file (YAML or JSON) holds a policy (inline, or a path relative to
 * the test file) and cases. A "request" case is one HTTP request and what
 * libcors answers (decision, allowed, reason, handler, status, headers
 * present with their values, headers absent). A "fetch" case is a page
 * script's fetch() and what the browser does with this policy's answers, as
 * the Fetch oracle (cors_fetch_*) says: whether a preflight is sent, with
 * which Access-Control-Request-Headers, whether the browser accepts, the step
 * and reason when it does not, which response headers the script can read,
 * and the preflight cache lifetime per engine.
 *
 * Exit status: 0 every case passed; 1 a case failed or the policy is
 * invalid; 2 the test file is unreadable or malformed.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* strdup, open_memstream */

#include "cors-eval.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#if CORS_EVAL_HAVE_YAML
#include <yaml.h>

struct tf {
    const char *path; /* as given */
    char *text;
    size_t len;
    yaml_document_t doc;
    bool malformed;
};

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
static void
tf_error(struct tf *t, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;
    if (n != NULL)
        fprintf(stderr, "%s:%lu:%lu: error: ", t->path, (unsigned long)n->start_mark.line + 1,
                (unsigned long)n->start_mark.column + 1);
    else
        fprintf(stderr, "%s: error: ", t->path);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    t->malformed = true;
}

static yaml_node_t *
get_node(struct tf *t, int index)
{
    return yaml_document_get_node(&t->doc, index);
}

static bool
is_scalar(const yaml_node_t *n)
{
    return n != NULL && n->type == YAML_SCALAR_NODE;
}

static const char *
scalar(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static bool
is_null(const yaml_node_t *n)
{
    if (!is_scalar(n) || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *s = scalar(n);
    return *s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0;
}

/* The value of key in a mapping, or NULL. */
static yaml_node_t *
map_get(struct tf *t, const yaml_node_t *map, const char *key)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = get_node(t, p->key);
        if (is_scalar(k) && strcmp(scalar(k), key) == 0)
            return get_node(t, p->value);
    }
    return NULL;
}

/* Reports keys of map that are not in allowed (NULL-terminated). */
static void
check_keys(struct tf *t, const yaml_node_t *map, const char *what, const char *const *allowed)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = get_node(t, p->key);
        bool ok = false;
        for (size_t i = 0; is_scalar(k) && allowed[i] != NULL && !ok; i++)
            ok = strcmp(scalar(k), allowed[i]) == 0;
        if (!ok) {
            char q[80];
            tf_error(t, k, "unknown key '%s' in %s",
                     is_scalar(k)
                         ? cors_eval_printable(q, sizeof q, scalar(k), k->data.scalar.length)
                         : "?",
                     what);
        }
    }
}

static bool
want_mapping(struct tf *t, const yaml_node_t *n, const char *what)
{
    if (n != NULL && n->type == YAML_MAPPING_NODE)
        return true;
    tf_error(t, n, "%s must be a mapping", what);
    return false;
}

static const char *
want_string(struct tf *t, const yaml_node_t *n, const char *what)
{
    if (is_scalar(n) && !is_null(n))
        return scalar(n);
    tf_error(t, n, "%s must be a string", what);
    return NULL;
}

static bool
want_bool(struct tf *t, const yaml_node_t *n, const char *what, bool *out)
{
    if (is_scalar(n) && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        if (strcmp(scalar(n), "true") == 0) {
            *out = true;
            return true;
        }
        if (strcmp(scalar(n), "false") == 0) {
            *out = false;
            return true;
        }
    }
    tf_error(t, n, "%s must be true or false", what);
    return false;
}

static bool
want_int(struct tf *t, const yaml_node_t *n, const char *what, long long *out)
{
    if (is_scalar(n) && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        char *end;
        errno = 0;
        long long v = strtoll(scalar(n), &end, 10);
        if (errno == 0 && end != scalar(n) && *end == '\0') {
            *out = v;
            return true;
        }
    }
    tf_error(t, n, "%s must be an integer", what);
    return false;
}

/* A mapping of header names to a string or a list of strings, into hs. */
static size_t
want_headers(struct tf *t, const yaml_node_t *n, const char *what, struct cors_fetch_header *hs)
{
    size_t count = 0;
    if (n == NULL || is_null(n))
        return 0;
    if (!want_mapping(t, n, what))
        return 0;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = get_node(t, p->key), *v = get_node(t, p->value);
        const char *name = want_string(t, k, "a header name");
        if (name == NULL)
            return count;
        yaml_node_t *one[1] = {v};
        yaml_node_t **items = one;
        size_t nitems = 1;
        yaml_node_t *seq_items[CORS_EVAL_MAX_LINES];
        if (v != NULL && v->type == YAML_SEQUENCE_NODE) {
            nitems = 0;
            for (yaml_node_item_t *it = v->data.sequence.items.start;
                 it < v->data.sequence.items.top && nitems < CORS_EVAL_MAX_LINES; it++)
                seq_items[nitems++] = get_node(t, *it);
            items = seq_items;
        }
        for (size_t i = 0; i < nitems; i++) {
            if (!is_scalar(items[i])) {
                tf_error(t, items[i], "the value of header '%s' must be a string", name);
                return count;
            }
            if (count == CORS_EVAL_MAX_LINES) {
                tf_error(t, n, "%s: more than %d header lines", what, CORS_EVAL_MAX_LINES);
                return count;
            }
            hs[count].name = (struct cors_str){name, k->data.scalar.length};
            hs[count].value = (struct cors_str){scalar(items[i]), items[i]->data.scalar.length};
            count++;
        }
    }
    return count;
}

/* ------------------------------------------------------------ the policy */

static char *
dir_join(const char *base_file, const char *rel)
{
    if (rel[0] == '/' || strcmp(base_file, "-") == 0)
        return strdup(rel);
    const char *slash = strrchr(base_file, '/');
    size_t dlen = slash ? (size_t)(slash - base_file) + 1 : 0;
    char *out = malloc(dlen + strlen(rel) + 1);
    if (out != NULL) {
        memcpy(out, base_file, dlen);
        strcpy(out + dlen, rel);
    }
    return out;
}

/* The policy: a path (relative to the test file) or an inline mapping,
 * handed to the loader with the test file's line and column positions. */
static struct cors_policy *
load_policy(struct tf *t, const yaml_node_t *n, bool strict, bool *invalid)
{
    if (is_scalar(n) && !is_null(n)) {
        char *path = dir_join(t->path, scalar(n));
        if (path == NULL) {
            tf_error(t, n, "out of memory");
            return NULL;
        }
        struct cors_policy *p = cors_eval_load_policy(path, strict);
        free(path);
        *invalid = p == NULL;
        return p;
    }
    if (n == NULL || n->type != YAML_MAPPING_NODE) {
        tf_error(t, n, "policy must be a file name or a mapping");
        return NULL;
    }
    size_t start = n->start_mark.index, end = n->end_mark.index;
    size_t lines = n->start_mark.line, cols = n->start_mark.column;
    char *buf = malloc(lines + cols + (end - start) + 1);
    if (buf == NULL) {
        tf_error(t, n, "out of memory");
        return NULL;
    }
    memset(buf, '\n', lines);
    memset(buf + lines, ' ', cols);
    memcpy(buf + lines + cols, t->text + start, end - start);
    size_t blen = lines + cols + (end - start);
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    enum cors_status st = CORS_OK;
    struct cors_policy *p =
        d ? cors_policy_new_from_text((struct cors_str){buf, blen}, strict ? CORS_BUILD_STRICT : 0,
                                      NULL, d, &st)
          : NULL;
    free(buf);
    if (d != NULL)
        cors_eval_print_diagnostics(stderr, t->path, d);
    if (p == NULL) {
        fprintf(stderr, "cors-eval: %s: the inline policy is invalid\n", t->path);
        *invalid = true;
    }
    cors_diagnostics_free(d);
    return p;
}

/* ------------------------------------------------------ checking helpers */

struct report {
    char text[4096];
    size_t len;
    bool failed;
};

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
static void
mismatch(struct report *r, const char *fmt, ...)
{
    r->failed = true;
    if (r->len + 8 >= sizeof r->text)
        return;
    int n = snprintf(r->text + r->len, sizeof r->text - r->len, "#   ");
    if (n > 0)
        r->len += (size_t)n;
    va_list ap;
    va_start(ap, fmt);
    n = vsnprintf(r->text + r->len, sizeof r->text - r->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        r->len += (size_t)n;
    if (r->len >= sizeof r->text - 2)
        r->len = sizeof r->text - 2;
    r->text[r->len++] = '\n';
    r->text[r->len] = '\0';
}

static void
expect_string(struct tf *t, struct report *r, const yaml_node_t *exp, const char *key,
              const char *got)
{
    const yaml_node_t *n = map_get(t, exp, key);
    if (n == NULL)
        return;
    const char *want = want_string(t, n, key);
    if (want != NULL && strcmp(want, got) != 0)
        mismatch(r, "%s: expected \"%s\", got \"%s\"", key, want, got);
}

static void
expect_bool(struct tf *t, struct report *r, const yaml_node_t *exp, const char *key, bool got)
{
    const yaml_node_t *n = map_get(t, exp, key);
    bool want;
    if (n != NULL && want_bool(t, n, key, &want) && want != got)
        mismatch(r, "%s: expected %s, got %s", key, want ? "true" : "false",
                 got ? "true" : "false");
}

static void
expect_int(struct tf *t, struct report *r, const yaml_node_t *exp, const char *key, long long got)
{
    const yaml_node_t *n = map_get(t, exp, key);
    long long want;
    if (n != NULL && want_int(t, n, key, &want) && want != got)
        mismatch(r, "%s: expected %lld, got %lld", key, want, got);
}

/* A request evaluated by libcors; false (and a file error) on failure. */
static bool
evaluate(struct tf *t, const yaml_node_t *where, const struct cors_policy *policy,
         struct cors_str method, const struct cors_fetch_header *hs, size_t n,
         struct cors_eval_answer *a)
{
    enum cors_status st = cors_eval_answer(policy, method, hs, n, a);
    if (st != CORS_OK)
        tf_error(t, where, "evaluation failed: %s", cors_status_name(st));
    return st == CORS_OK;
}

static void
print_headers(struct report *r, const char *what, int status, const struct cors_fetch_header *hs,
              size_t n)
{
    mismatch(r, "%s: status %d", what, status);
    for (size_t i = 0; i < n; i++)
        mismatch(r, "  %.*s: %.*s", (int)hs[i].name.len, hs[i].name.ptr, (int)hs[i].value.len,
                 hs[i].value.ptr);
}

/* --------------------------------------------------------- request cases */

static const char *const request_keys[] = {"method", "headers", NULL};
static const char *const request_expect_keys[] = {"decision", "allowed", "reason", "handler",
                                                  "status",   "headers", "absent", NULL};

static void
run_request_case(struct tf *t, const struct cors_policy *policy, const yaml_node_t *rq,
                 const yaml_node_t *exp, struct report *r)
{
    if (!want_mapping(t, rq, "request") || !want_mapping(t, exp, "expect"))
        return;
    check_keys(t, rq, "request", request_keys);
    check_keys(t, exp, "expect (of a request case)", request_expect_keys);
    const yaml_node_t *m = map_get(t, rq, "method");
    const char *method = m ? want_string(t, m, "method") : "GET";
    struct cors_fetch_header hs[CORS_EVAL_MAX_LINES];
    size_t n = want_headers(t, map_get(t, rq, "headers"), "request headers", hs);
    if (method == NULL || t->malformed)
        return;
    struct cors_eval_answer a;
    if (!evaluate(t, rq, policy, cors_str_from_cstr(method), hs, n, &a))
        return;
    const struct cors_result *res = &a.result;

    expect_string(t, r, exp, "decision", cors_decision_name(res->decision));
    expect_bool(t, r, exp, "allowed", res->allowed);
    expect_string(t, r, exp, "reason", cors_reason_name(res->reason));
    expect_bool(t, r, exp, "handler", res->call_handler);
    const yaml_node_t *sn = map_get(t, exp, "status");
    if (sn != NULL && is_null(sn)) {
        if (!res->call_handler)
            mismatch(r, "status: expected null (the handler answers), got %d", res->status);
    } else if (sn != NULL) {
        long long want;
        if (want_int(t, sn, "status", &want) && (res->call_handler || want != res->status)) {
            if (res->call_handler)
                mismatch(r, "status: expected %lld, got null (the handler answers)", want);
            else
                mismatch(r, "status: expected %lld, got %d", want, res->status);
        }
    }
    const yaml_node_t *hn = map_get(t, exp, "headers");
    if (hn != NULL && want_mapping(t, hn, "expect.headers")) {
        for (yaml_node_pair_t *p = hn->data.mapping.pairs.start; p < hn->data.mapping.pairs.top;
             p++) {
            const char *name = want_string(t, get_node(t, p->key), "a header name");
            const char *want = want_string(t, get_node(t, p->value), "a header value");
            if (name == NULL || want == NULL)
                continue;
            char got[2048];
            if (!cors_eval_joined_header(a.fh, a.nfh, name, got, sizeof got))
                mismatch(r, "header %s: expected \"%s\", absent", name, want);
            else if (strcmp(got, want) != 0)
                mismatch(r, "header %s: expected \"%s\", got \"%s\"", name, want, got);
        }
    }
    const yaml_node_t *an = map_get(t, exp, "absent");
    if (an != NULL) {
        if (an->type != YAML_SEQUENCE_NODE) {
            tf_error(t, an, "expect.absent must be a list of header names");
        } else {
            for (yaml_node_item_t *it = an->data.sequence.items.start;
                 it < an->data.sequence.items.top; it++) {
                const char *name = want_string(t, get_node(t, *it), "a header name");
                char got[2048];
                if (name != NULL && cors_eval_joined_header(a.fh, a.nfh, name, got, sizeof got))
                    mismatch(r, "header %s: expected absent, got \"%s\"", name, got);
            }
        }
    }
    if (r->failed)
        print_headers(r, "response", res->call_handler ? 0 : res->status, a.fh, a.nfh);
}

/* ----------------------------------------------------------- fetch cases */

static const char *const fetch_keys[] = {"origin",      "method",         "headers",
                                         "credentials", "privateNetwork", NULL};
static const char *const response_keys[] = {"status", "headers", NULL};
static const char *const fetch_expect_keys[] = {
    "preflight",      "requestHeaders", "ok", "step", "reason", "readable", "unreadable", "maxAge",
    "maxAgeChromium", "maxAgeFirefox",  NULL};

static void
expect_names(struct tf *t, struct report *r, const yaml_node_t *exp, const char *key,
             const struct cors_fetch_request *fr, const struct cors_fetch_response *resp,
             bool want_readable)
{
    const yaml_node_t *n = map_get(t, exp, key);
    if (n == NULL)
        return;
    if (n->type != YAML_SEQUENCE_NODE) {
        tf_error(t, n, "expect.%s must be a list of header names", key);
        return;
    }
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        const yaml_node_t *in = get_node(t, *it);
        const char *name = want_string(t, in, "a header name");
        if (name == NULL)
            continue;
        bool got = resp != NULL && cors_fetch_header_readable(
                                       fr, resp, (struct cors_str){name, in->data.scalar.length});
        if (got != want_readable)
            mismatch(r, "%s: the script %s read %s", key, got ? "can" : "cannot", name);
    }
}

static void
run_fetch_case(struct tf *t, const struct cors_policy *policy, const yaml_node_t *fq,
               const yaml_node_t *rn, const yaml_node_t *exp, struct report *r)
{
    if (!want_mapping(t, fq, "fetch") || !want_mapping(t, exp, "expect"))
        return;
    check_keys(t, fq, "fetch", fetch_keys);
    check_keys(t, exp, "expect (of a fetch case)", fetch_expect_keys);
    struct cors_fetch_request fr;
    memset(&fr, 0, sizeof fr);
    const yaml_node_t *on = map_get(t, fq, "origin");
    const char *origin = want_string(t, on, "fetch.origin");
    const yaml_node_t *mn = map_get(t, fq, "method");
    const char *method = mn ? want_string(t, mn, "fetch.method") : "GET";
    struct cors_fetch_header hs[CORS_EVAL_MAX_LINES];
    fr.header_count = want_headers(t, map_get(t, fq, "headers"), "fetch.headers", hs);
    fr.headers = hs;
    const yaml_node_t *cn = map_get(t, fq, "credentials");
    if (cn != NULL) {
        const char *c = want_string(t, cn, "fetch.credentials");
        if (c != NULL && strcmp(c, "include") == 0)
            fr.credentials = CORS_FETCH_CREDENTIALS_INCLUDE;
        else if (c != NULL && strcmp(c, "omit") == 0)
            fr.credentials = CORS_FETCH_CREDENTIALS_OMIT;
        else if (c != NULL && strcmp(c, "same-origin") == 0)
            fr.credentials = CORS_FETCH_CREDENTIALS_SAME_ORIGIN;
        else if (c != NULL)
            tf_error(t, cn, "fetch.credentials must be omit, same-origin or include");
    }
    const yaml_node_t *pn = map_get(t, fq, "privateNetwork");
    if (pn != NULL)
        (void)want_bool(t, pn, "fetch.privateNetwork", &fr.private_network);
    long long handler_status = 200;
    struct cors_fetch_header extra[CORS_EVAL_MAX_LINES];
    size_t nextra = 0;
    if (rn != NULL && want_mapping(t, rn, "response")) {
        check_keys(t, rn, "response", response_keys);
        const yaml_node_t *s = map_get(t, rn, "status");
        if (s != NULL)
            (void)want_int(t, s, "response.status", &handler_status);
        nextra = want_headers(t, map_get(t, rn, "headers"), "response.headers", extra);
    }
    if (origin == NULL || method == NULL || t->malformed)
        return;
    fr.origin = cors_str_from_cstr(origin);
    fr.method = cors_str_from_cstr(method);

    struct cors_eval_exchange *x = malloc(sizeof *x);
    if (x == NULL) {
        tf_error(t, fq, "out of memory");
        return;
    }
    enum cors_status st = cors_eval_exchange(policy, &fr, (int)handler_status, extra, nextra, x);
    if (st != CORS_OK) {
        tf_error(t, fq, "the request cannot be evaluated: %s", cors_status_name(st));
        free(x);
        return;
    }
    const struct cors_fetch_plan plan = x->plan;
    const char *acrh = x->acrh, *step = x->step;
    bool ok = x->ok, have_pv = x->have_preflight, have_actual = x->have_actual;
    enum cors_fetch_reason reason = x->reason;
    const struct cors_fetch_verdict pv = x->pv;
    const struct cors_fetch_response presp = x->presp, aresp = x->aresp;

    expect_bool(t, r, exp, "preflight", plan.reason == CORS_FETCH_OK && plan.preflight);
    const yaml_node_t *rh = map_get(t, exp, "requestHeaders");
    if (rh != NULL) {
        const char *want = is_null(rh) ? "" : want_string(t, rh, "requestHeaders");
        const char *got = plan.request_headers_len ? acrh : "";
        if (want != NULL && strcmp(want, got) != 0)
            mismatch(r, "requestHeaders: expected \"%s\", got \"%s\"", want, got);
    }
    expect_bool(t, r, exp, "ok", ok);
    expect_string(t, r, exp, "step", step);
    expect_string(t, r, exp, "reason", cors_fetch_reason_name(reason));
    expect_names(t, r, exp, "readable", &fr, ok && have_actual ? &aresp : NULL, true);
    expect_names(t, r, exp, "unreadable", &fr, ok && have_actual ? &aresp : NULL, false);
    if (map_get(t, exp, "maxAge") || map_get(t, exp, "maxAgeChromium") ||
        map_get(t, exp, "maxAgeFirefox")) {
        if (!have_pv || !pv.ok) {
            mismatch(r, "maxAge: no preflight was accepted, so nothing is cached");
        } else {
            expect_int(t, r, exp, "maxAge", pv.max_age);
            expect_int(t, r, exp, "maxAgeChromium", pv.max_age_chromium);
            expect_int(t, r, exp, "maxAgeFirefox", pv.max_age_firefox);
        }
    }
    if (r->failed) {
        mismatch(r, "browser: step %s, reason %s%s%.*s", step, cors_fetch_reason_name(reason),
                 have_pv && pv.detail.ptr ? ", about " : "",
                 have_pv && pv.detail.ptr ? (int)pv.detail.len : 0,
                 have_pv && pv.detail.ptr ? pv.detail.ptr : "");
        if (plan.reason == CORS_FETCH_OK && plan.preflight)
            print_headers(r, "preflight response", presp.status, presp.headers, presp.header_count);
        if (have_actual)
            print_headers(r, "actual response", aresp.status, aresp.headers, aresp.header_count);
    }
    free(x);
}

/* ------------------------------------------------------------- the file */

static const char *const top_keys[] = {"policy", "strict", "cases", NULL};
static const char *const case_keys[] = {"name", "request", "fetch", "response", "expect", NULL};

int
cors_eval_test(const char *path, bool strict)
{
    struct tf t;
    memset(&t, 0, sizeof t);
    t.path = path;
    bool too_big = false;
    t.text = cors_eval_read_file(path, &t.len, &too_big);
    if (t.text == NULL) {
        fprintf(stderr, "cors-eval: cannot read %s: %s\n", path, strerror(errno));
        return CORS_EVAL_EXIT_USAGE;
    }
    if (too_big) {
        fprintf(stderr, "cors-eval: %s: too large for a test file\n", path);
        free(t.text);
        return CORS_EVAL_EXIT_USAGE;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        free(t.text);
        fputs("cors-eval: out of memory\n", stderr);
        return CORS_EVAL_EXIT_USAGE;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)t.text, t.len);
    if (!yaml_parser_load(&parser, &t.doc)) {
        fprintf(stderr, "%s:%lu:%lu: error: %s\n", path,
                (unsigned long)parser.problem_mark.line + 1,
                (unsigned long)parser.problem_mark.column + 1,
                parser.problem ? parser.problem : "not valid YAML");
        yaml_parser_delete(&parser);
        free(t.text);
        return CORS_EVAL_EXIT_USAGE;
    }
    yaml_parser_delete(&parser);

    int rc = CORS_EVAL_EXIT_USAGE;
    char *out = NULL;
    size_t out_len = 0;
    FILE *tap = NULL;
    struct cors_policy *policy = NULL;
    yaml_node_t *root = yaml_document_get_root_node(&t.doc);
    if (root == NULL) {
        tf_error(&t, NULL, "the file is empty");
        goto done;
    }
    if (!want_mapping(&t, root, "a policy test file"))
        goto done;
    check_keys(&t, root, "the test file", top_keys);
    const yaml_node_t *sn = map_get(&t, root, "strict");
    bool file_strict = false;
    if (sn != NULL)
        (void)want_bool(&t, sn, "strict", &file_strict);
    const yaml_node_t *cases = map_get(&t, root, "cases");
    if (cases == NULL || cases->type != YAML_SEQUENCE_NODE) {
        tf_error(&t, cases ? cases : root, "cases must be a list");
        goto done;
    }
    const yaml_node_t *pn = map_get(&t, root, "policy");
    if (pn == NULL) {
        tf_error(&t, root, "policy is required (a file name or a mapping)");
        goto done;
    }
    if (t.malformed)
        goto done;
    bool invalid = false;
    policy = load_policy(&t, pn, strict || file_strict, &invalid);
    if (policy == NULL) {
        if (invalid) {
            printf("TAP version 13\n1..0\nBail out! the policy is invalid\n");
            rc = CORS_EVAL_EXIT_FAIL;
        }
        goto done;
    }

    tap = open_memstream(&out, &out_len);
    if (tap == NULL) {
        fputs("cors-eval: out of memory\n", stderr);
        goto done;
    }
    size_t ncases = (size_t)(cases->data.sequence.items.top - cases->data.sequence.items.start);
    fprintf(tap, "TAP version 13\n1..%zu\n", ncases);
    size_t failed = 0, i = 0;
    for (yaml_node_item_t *it = cases->data.sequence.items.start;
         it < cases->data.sequence.items.top; it++) {
        i++;
        const yaml_node_t *c = get_node(&t, *it);
        if (!want_mapping(&t, c, "a case"))
            continue;
        check_keys(&t, c, "a case", case_keys);
        const char *name = want_string(&t, map_get(&t, c, "name"), "the case name");
        const yaml_node_t *rq = map_get(&t, c, "request"), *fq = map_get(&t, c, "fetch");
        const yaml_node_t *exp = map_get(&t, c, "expect");
        if ((rq == NULL) == (fq == NULL)) {
            tf_error(&t, c, "a case has either request or fetch");
            continue;
        }
        if (rq != NULL && map_get(&t, c, "response") != NULL)
            tf_error(&t, map_get(&t, c, "response"), "response belongs to fetch cases");
        struct report r;
        memset(&r, 0, sizeof r);
        if (rq != NULL)
            run_request_case(&t, policy, rq, exp, &r);
        else
            run_fetch_case(&t, policy, fq, map_get(&t, c, "response"), exp, &r);
        if (t.malformed || name == NULL)
            continue;
        char q[200];
        cors_eval_printable(q, sizeof q, name, strlen(name));
        /* '#' would start a TAP directive */
        for (char *h = q; *h; h++)
            if (*h == '#')
                *h = '_';
        if (r.failed) {
            failed++;
            fprintf(tap, "not ok %zu - %s\n%s", i, q, r.text);
        } else {
            fprintf(tap, "ok %zu - %s\n", i, q);
        }
    }
    if (failed > 0)
        fprintf(tap, "# %zu of %zu case%s failed\n", failed, ncases, ncases == 1 ? "" : "s");
    fclose(tap);
    tap = NULL;
    if (!t.malformed) {
        fwrite(out, 1, out_len, stdout);
        rc = failed ? CORS_EVAL_EXIT_FAIL : CORS_EVAL_EXIT_OK;
    }
done:
    if (t.malformed && rc == CORS_EVAL_EXIT_USAGE)
        fprintf(stderr, "cors-eval: %s: not a valid policy test file\n", path);
    if (tap != NULL)
        fclose(tap);
    free(out);
    cors_policy_unref(policy);
    yaml_document_delete(&t.doc);
    free(t.text);
    return rc;
}

#else /* !CORS_EVAL_HAVE_YAML */

int
cors_eval_test(const char *path, bool strict)
{
    (void)path;
    (void)strict;
    fputs("cors-eval: --test needs YAML support (built without libyaml)\n", stderr);
    return CORS_EVAL_EXIT_USAGE;
}

#endif
