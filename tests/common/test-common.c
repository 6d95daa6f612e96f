/*
 * Shared helpers for the libcors Check suites.
 *
 * SPDX-License-Identifier: MIT
 */
#define _DEFAULT_SOURCE
#include "test-common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---------------------------------------------------------------- policies */

static void
add_list(struct cors_policy_builder *b, const char *const *list,
         enum cors_status (*add)(struct cors_policy_builder *, struct cors_str))
{
    if (list == NULL)
        return;
    for (size_t i = 0; list[i] != NULL; i++)
        ck_assert_int_eq(add(b, cors_str_from_cstr(list[i])), CORS_OK);
}

struct cors_policy_builder *
spec_builder(const struct policy_spec *spec, const struct cors_allocator *alloc)
{
    struct cors_policy_builder *b = cors_policy_builder_new(alloc);
    ck_assert_ptr_nonnull(b);
    add_list(b, spec->origins, cors_policy_builder_add_origin);
    add_list(b, spec->regexes, cors_policy_builder_add_origin_regex);
    add_list(b, spec->methods, cors_policy_builder_add_method);
    add_list(b, spec->allow_headers, cors_policy_builder_add_allow_header);
    add_list(b, spec->expose_headers, cors_policy_builder_add_expose_header);
    if (spec->has_max_age)
        ck_assert_int_eq(cors_policy_builder_set_max_age(b, spec->max_age), CORS_OK);
    if (spec->credentials)
        ck_assert_int_eq(cors_policy_builder_set_allow_credentials(b, true), CORS_OK);
    if (spec->private_network)
        ck_assert_int_eq(cors_policy_builder_set_allow_private_network(b, true), CORS_OK);
    if (spec->forward_rejected)
        ck_assert_int_eq(cors_policy_builder_set_forward_rejected_preflights(b, true), CORS_OK);
    if (spec->report_only)
        ck_assert_int_eq(cors_policy_builder_set_report_only(b, true), CORS_OK);
    if (spec->preflight_status != 0)
        ck_assert_int_eq(cors_policy_builder_set_preflight_status(b, spec->preflight_status),
                         CORS_OK);
    if (spec->reject_status != 0)
        ck_assert_int_eq(cors_policy_builder_set_reject_status(b, spec->reject_status), CORS_OK);
    return b;
}

struct cors_policy *
spec_try_build(const struct policy_spec *spec, unsigned flags, struct cors_diagnostics *diags,
               enum cors_status *status)
{
    struct cors_policy_builder *b = spec_builder(spec, NULL);
    struct cors_policy *p = cors_policy_build(b, flags, diags, status);
    cors_policy_builder_free(b);
    return p;
}

struct cors_policy *
spec_build(const struct policy_spec *spec)
{
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    enum cors_status st = CORS_E_NOMEM;
    char buf[4096];
    ck_assert_ptr_nonnull(d);
    struct cors_policy *p = spec_try_build(spec, 0, d, &st);
    ck_assert_msg(p != NULL, "policy build failed (status %s):\n%s", cors_status_name(st),
                  diag_dump(d, buf, sizeof buf));
    ck_assert_int_eq(st, CORS_OK);
    ck_assert_uint_eq(cors_diagnostics_error_count(d), 0);
    cors_diagnostics_free(d);
    return p;
}

struct cors_diagnostics *
spec_build_fails(const struct policy_spec *spec, unsigned flags)
{
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    enum cors_status st = CORS_OK;
    char buf[4096];
    ck_assert_ptr_nonnull(d);
    struct cors_policy *p = spec_try_build(spec, flags, d, &st);
    ck_assert_msg(p == NULL, "policy build succeeded but must fail; diagnostics:\n%s",
                  diag_dump(d, buf, sizeof buf));
    ck_assert_msg(st == CORS_E_INVALID_POLICY, "status %s, expected invalid-policy",
                  cors_status_name(st));
    ck_assert_uint_gt(cors_diagnostics_error_count(d), 0);
    return d;
}

struct cors_diagnostics *
spec_build_ok_diags(const struct policy_spec *spec, unsigned flags)
{
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    enum cors_status st = CORS_E_NOMEM;
    char buf[4096];
    ck_assert_ptr_nonnull(d);
    struct cors_policy *p = spec_try_build(spec, flags, d, &st);
    ck_assert_msg(p != NULL, "policy build failed (status %s):\n%s", cors_status_name(st),
                  diag_dump(d, buf, sizeof buf));
    ck_assert_int_eq(st, CORS_OK);
    ck_assert_uint_eq(cors_diagnostics_error_count(d), 0);
    cors_policy_unref(p);
    return d;
}

/* ---------------------------------------------------------------- requests */

void
req_from_spec(const struct req_spec *rq, struct eval *e)
{
    memset(e, 0, sizeof *e);
    e->req.method = cors_str_from_cstr(rq->method != NULL ? rq->method : "GET");
    if (rq->origins != NULL) {
        size_t n = 0;
        for (; rq->origins[n] != NULL; n++) {
            ck_assert_uint_lt(n, EVAL_MAX_LINES);
            e->origin_lines[n] = cors_str_from_cstr(rq->origins[n]);
        }
        e->req.origins = e->origin_lines;
        e->req.origin_count = n;
    } else if (rq->origin != NULL) {
        e->origin_lines[0] = cors_str_from_cstr(rq->origin);
        e->req.origins = e->origin_lines;
        e->req.origin_count = 1;
    }
    e->req.request_method = cors_str_from_cstr(rq->acrm);
    if (rq->acrh != NULL) {
        size_t n = 0;
        for (; rq->acrh[n] != NULL; n++) {
            ck_assert_uint_lt(n, EVAL_MAX_LINES);
            e->acrh_lines[n] = cors_str_from_cstr(rq->acrh[n]);
        }
        e->req.request_headers = e->acrh_lines;
        e->req.request_header_count = n;
    }
    e->req.request_private_network = cors_str_from_cstr(rq->acrpn);
}

static bool
str_eq(struct cors_str s, const char *c)
{
    size_t n = strlen(c);
    return s.ptr != NULL && s.len == n && memcmp(s.ptr, c, n) == 0;
}

static const char *const canonical_names[] = {
    H_ACAO, H_ACAC, H_ACAM, H_ACAH, H_ACEH, H_ACMA, H_ACAPN, H_VARY, H_TAO, NULL,
};

#define FAIL(...)                                                               \
    do {                                                                        \
        snprintf(msg, msg_size, __VA_ARGS__);                                   \
        return false;                                                           \
    } while (0)

bool
check_result_invariants(const struct eval *e, char *msg, size_t msg_size)
{
    const struct cors_result *r = &e->r;
    const struct cors_request *q = &e->req;
    enum cors_decision expect_decision;

    if (q->origin_count == 0)
        expect_decision = CORS_DECISION_NOT_CORS;
    else if (str_eq(q->method, "OPTIONS") && q->request_method.ptr != NULL)
        expect_decision = CORS_DECISION_PREFLIGHT;
    else
        expect_decision = CORS_DECISION_ACTUAL;
    if (r->decision != expect_decision)
        FAIL("decision %s, expected %s (docs/semantics.md §2)", cors_decision_name(r->decision),
             cors_decision_name(expect_decision));
    if (r->decision == CORS_DECISION_NOT_CORS && r->reason != CORS_REASON_NOT_CORS)
        FAIL("not-CORS request with reason %s", cors_reason_name(r->reason));
    if (r->decision != CORS_DECISION_NOT_CORS && r->reason == CORS_REASON_NOT_CORS)
        FAIL("CORS request with reason not-cors");
    if (r->decision != CORS_DECISION_NOT_CORS && (r->allowed != (r->reason == CORS_REASON_ALLOWED)))
        FAIL("allowed=%d but reason %s", r->allowed, cors_reason_name(r->reason));
    if (r->call_handler && r->status != 0)
        FAIL("call_handler with status %d (must be 0)", r->status);
    if (!r->call_handler && r->status != 200 && r->status != 204 && r->status != 403)
        FAIL("answered with status %d", r->status);
    if (!r->call_handler && r->decision != CORS_DECISION_PREFLIGHT)
        FAIL("a %s request must go to the handler", cors_decision_name(r->decision));
    /* report-only treatment: the handler runs, nothing but (under a partial
     * enforcePercent) Vary is returned */
    if (r->report_only && !r->call_handler)
        FAIL("report-only result answered at once");
    for (size_t i = 0; r->report_only && i < r->header_count; i++)
        if (e->h[i].op != CORS_HEADER_MERGE_VARY)
            FAIL("report-only result with a header other than Vary");
    if (r->header_count > CORS_HEADERS_MAX)
        FAIL("header_count %zu > CORS_HEADERS_MAX", r->header_count);
    if (r->header_count > 0 && r->headers != e->h)
        FAIL("result.headers does not point at the caller's array");

    /* The response contract (README "Applying the result"): a policy in force
     * owns the Access-Control-* namespace, so its result starts with exactly
     * one REMOVE_ACCESS_CONTROL; a report-only result has nothing. */
    size_t first = 0;
    if (!r->report_only) {
        if (r->header_count == 0 || e->h[0].op != CORS_HEADER_REMOVE_ACCESS_CONTROL)
            FAIL("a result of a policy in force must start with REMOVE_ACCESS_CONTROL");
        if (!str_eq(e->h[0].name, "Access-Control-*") || e->h[0].value.ptr == NULL ||
            e->h[0].value.len != 0)
            FAIL("REMOVE_ACCESS_CONTROL entry is not (\"Access-Control-*\", \"\")");
        first = 1;
    }
    /* Match attribution (cors.h, struct cors_result) */
    if ((r->matched_field == CORS_FIELD_NONE) != (r->matched_index == SIZE_MAX))
        FAIL("matched_field %d with matched_index %zu", (int)r->matched_field, r->matched_index);
    if (r->matched_field != CORS_FIELD_NONE && r->matched_field != CORS_FIELD_ALLOW_ORIGINS &&
        r->matched_field != CORS_FIELD_ALLOW_ORIGIN_REGEX &&
        !(r->matched_field == CORS_FIELD_ORIGIN_PREDICATE && r->matched_index == 0))
        FAIL("matched_field %d is not an origin list or the predicate", (int)r->matched_field);
    if (r->allowed && r->matched_field == CORS_FIELD_NONE)
        FAIL("allowed without a matching entry");
    if (r->decision == CORS_DECISION_NOT_CORS && r->matched_field != CORS_FIELD_NONE)
        FAIL("not-CORS request attributed to an entry");

    bool seen_set[9] = { false };
    bool has_acao = false, has_acac = false;
    size_t vary = 0;
    for (size_t i = first; i < r->header_count; i++) {
        const struct cors_header *h = &e->h[i];
        size_t k;
        if (h->name.ptr == NULL || h->value.ptr == NULL)
            FAIL("header %zu has a NULL name or value", i);
        for (k = 0; canonical_names[k] != NULL; k++)
            if (str_eq(h->name, canonical_names[k]))
                break;
        if (canonical_names[k] == NULL)
            FAIL("header name '%.*s' is not one of the canonical CORS names", (int)h->name.len,
                 h->name.ptr);
        for (size_t j = 0; j < h->value.len; j++) {
            char c = h->value.ptr[j];
            if (c == '\r' || c == '\n' || c == '\0')
                FAIL("value of %s contains CR, LF or NUL", canonical_names[k]);
        }
        if (str_eq(h->name, H_VARY)) {
            if (h->op != CORS_HEADER_MERGE_VARY)
                FAIL("Vary with op %d, expected MERGE_VARY", (int)h->op);
            vary++;
        } else if (h->op == CORS_HEADER_SET) {
            if (seen_set[k])
                FAIL("%s SET twice", canonical_names[k]);
            seen_set[k] = true;
        } else if (h->op == CORS_HEADER_APPEND) {
            if (!seen_set[k])
                FAIL("%s APPEND without an earlier SET", canonical_names[k]);
        } else {
            FAIL("%s with op %d", canonical_names[k], (int)h->op);
        }
        if (str_eq(h->name, H_ACAO))
            has_acao = true;
        if (str_eq(h->name, H_ACAC)) {
            has_acac = true;
            if (!str_eq(h->value, "true"))
                FAIL("Access-Control-Allow-Credentials: %.*s", (int)h->value.len, h->value.ptr);
        }
        if (r->decision != CORS_DECISION_PREFLIGHT &&
            (str_eq(h->name, H_ACAM) || str_eq(h->name, H_ACAH) || str_eq(h->name, H_ACMA) ||
             str_eq(h->name, H_ACAPN)))
            FAIL("%s on a non-preflight response", canonical_names[k]);
    }
    if (vary > 1)
        FAIL("%zu Vary entries", vary);
    if (has_acac && !has_acao)
        FAIL("Access-Control-Allow-Credentials without Access-Control-Allow-Origin");
    /* Timing-Allow-Origin: only beside an ACAO of a non-preflight response,
     * with the same value (timingAllowOrigin) */
    const struct cors_header *tao = NULL, *acao = NULL;
    for (size_t i = 0; i < r->header_count; i++) {
        if (str_eq(e->h[i].name, H_TAO))
            tao = &e->h[i];
        if (str_eq(e->h[i].name, H_ACAO))
            acao = &e->h[i];
    }
    if (tao != NULL && (acao == NULL || r->decision == CORS_DECISION_PREFLIGHT ||
                        tao->value.len != acao->value.len ||
                        memcmp(tao->value.ptr, acao->value.ptr, tao->value.len) != 0))
        FAIL("Timing-Allow-Origin without the same Access-Control-Allow-Origin");
    return true;
}

void
eval_request(const struct cors_policy *policy, struct eval *e)
{
    char msg[1024];
    memset(e->h, 0, sizeof e->h);
    memset(&e->r, 0, sizeof e->r);
    e->status = cors_evaluate(policy, &e->req, e->h, CORS_HEADERS_MAX, &e->r);
    ck_assert_msg(e->status == CORS_OK, "cors_evaluate returned %s",
                  cors_status_name(e->status));
    ck_assert_msg(check_result_invariants(e, msg, sizeof msg), "%s", msg);
}

void
eval_spec(const struct cors_policy *policy, const struct req_spec *rq, struct eval *e)
{
    req_from_spec(rq, e);
    eval_request(policy, e);
}

const struct cors_header *
find_header(const struct eval *e, const char *name)
{
    for (size_t i = 0; i < e->r.header_count; i++)
        if (str_eq(e->h[i].name, name))
            return &e->h[i];
    return NULL;
}

size_t
count_header(const struct eval *e, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < e->r.header_count; i++)
        if (str_eq(e->h[i].name, name))
            n++;
    return n;
}

const char *
header_joined(const struct eval *e, const char *name, char *buf, size_t size)
{
    size_t used = 0;
    bool found = false;
    if (size == 0)
        return NULL;
    buf[0] = '\0';
    for (size_t i = 0; i < e->r.header_count; i++) {
        const struct cors_header *h = &e->h[i];
        if (!str_eq(h->name, name))
            continue;
        int n = snprintf(buf + used, size - used, "%s%.*s", found ? "," : "",
                         (int)h->value.len, h->value.ptr);
        found = true;
        if (n < 0 || (size_t)n >= size - used) {
            used = size - 1;
            break;
        }
        used += (size_t)n;
    }
    return found ? buf : NULL;
}

bool
check_header(const struct eval *e, const char *name, const char *expected, char *msg,
             size_t msg_size)
{
    static char buf[65536];
    const char *got = header_joined(e, name, buf, sizeof buf);
    if (expected == NULL && got != NULL)
        FAIL("%s must be absent, got '%s'", name, got);
    if (expected != NULL && got == NULL)
        FAIL("%s missing, expected '%s'", name, expected);
    if (expected != NULL && strcmp(got, expected) != 0)
        FAIL("%s: got '%s', expected '%s'", name, got, expected);
    return true;
}

static bool
is_ows(char c)
{
    return c == ' ' || c == '\t';
}

bool
name_list_equal(struct cors_str a, const char *const *names)
{
    size_t want = 0, got = 0;
    bool seen[32] = { false };
    while (names[want] != NULL)
        want++;
    if (want > 32)
        return false;
    size_t i = 0;
    while (i <= a.len) {
        size_t start = i;
        while (i < a.len && a.ptr[i] != ',')
            i++;
        size_t end = i;
        while (start < end && is_ows(a.ptr[start]))
            start++;
        while (end > start && is_ows(a.ptr[end - 1]))
            end--;
        if (end > start) {
            size_t k;
            for (k = 0; k < want; k++)
                if (strlen(names[k]) == end - start &&
                    strncasecmp(names[k], a.ptr + start, end - start) == 0)
                    break;
            if (k == want || seen[k])
                return false; /* unknown name or duplicate */
            seen[k] = true;
            got++;
        }
        i++;
    }
    return got == want;
}

bool
check_vary(const struct eval *e, const char *const *names, char *msg, size_t msg_size)
{
    const struct cors_header *v = find_header(e, H_VARY);
    if (names == NULL) {
        if (v != NULL)
            FAIL("Vary must be absent, got '%.*s'", (int)v->value.len, v->value.ptr);
        return true;
    }
    if (v == NULL)
        FAIL("Vary missing");
    if (v->op != CORS_HEADER_MERGE_VARY)
        FAIL("Vary op %d, expected MERGE_VARY", (int)v->op);
    if (!name_list_equal(v->value, names)) {
        char want[512] = "";
        for (size_t i = 0; names[i] != NULL; i++) {
            strncat(want, i ? ", " : "", sizeof want - strlen(want) - 1);
            strncat(want, names[i], sizeof want - strlen(want) - 1);
        }
        FAIL("Vary: got '%.*s', expected the names {%s}", (int)v->value.len, v->value.ptr,
             want);
    }
    return true;
}

/* ------------------------------------------------------------- diagnostics */

const struct cors_diagnostic *
diag_find(const struct cors_diagnostics *d, enum cors_diag_code code, size_t index)
{
    size_t n = cors_diagnostics_count(d);
    for (size_t i = 0; i < n; i++) {
        const struct cors_diagnostic *x = cors_diagnostics_get(d, i);
        if (x != NULL && x->code == code && (index == ANY_INDEX || x->index == index))
            return x;
    }
    return NULL;
}

size_t
diag_count_code(const struct cors_diagnostics *d, enum cors_diag_code code)
{
    size_t n = cors_diagnostics_count(d), c = 0;
    for (size_t i = 0; i < n; i++) {
        const struct cors_diagnostic *x = cors_diagnostics_get(d, i);
        if (x != NULL && x->code == code)
            c++;
    }
    return c;
}

const char *
diag_dump(const struct cors_diagnostics *d, char *buf, size_t size)
{
    size_t used = 0, n = d != NULL ? cors_diagnostics_count(d) : 0;
    if (size == 0)
        return buf;
    buf[0] = '\0';
    if (n == 0) {
        snprintf(buf, size, "  (no diagnostics)\n");
        return buf;
    }
    for (size_t i = 0; i < n && used + 1 < size; i++) {
        const struct cors_diagnostic *x = cors_diagnostics_get(d, i);
        int w = snprintf(buf + used, size - used,
                         "  %s %s (%d) field=%s index=%zd line=%u col=%u: %.*s\n",
                         x->severity == CORS_SEVERITY_ERROR ? "error" : "warning",
                         cors_diag_code_name(x->code), (int)x->code, cors_field_name(x->field),
                         x->index == SIZE_MAX ? (ssize_t)-1 : (ssize_t)x->index,
                         (unsigned)x->line, (unsigned)x->column, (int)x->message.len,
                         x->message.ptr != NULL ? x->message.ptr : "");
        if (w < 0)
            break;
        used += (size_t)w;
        if (used >= size)
            used = size - 1;
    }
    return buf;
}

bool
check_diag(const struct cors_diagnostics *d, enum cors_diag_code code, enum cors_severity sev,
           enum cors_field field, size_t index, char *msg, size_t msg_size)
{
    char dump[3000];
    const struct cors_diagnostic *x = NULL;
    size_t n = cors_diagnostics_count(d);
    /* prefer an entry that matches completely; else report the first one */
    for (size_t i = 0; i < n; i++) {
        const struct cors_diagnostic *y = cors_diagnostics_get(d, i);
        if (y->code != code || (index != ANY_INDEX && y->index != index))
            continue;
        if (x == NULL || (y->severity == sev && y->field == field))
            x = y;
        if (y->severity == sev && y->field == field)
            break;
    }
    if (x == NULL)
        FAIL("no diagnostic %s (%d) with index %zd; got:\n%s", cors_diag_code_name(code),
             (int)code, index == SIZE_MAX ? (ssize_t)-1 : (ssize_t)index,
             diag_dump(d, dump, sizeof dump));
    if (x->severity != sev || x->field != field)
        FAIL("diagnostic %s: severity %d field %s, expected severity %d field %s; all:\n%s",
             cors_diag_code_name(code), (int)x->severity, cors_field_name(x->field), (int)sev,
             cors_field_name(field), diag_dump(d, dump, sizeof dump));
    if (x->message.ptr == NULL || x->message.len == 0 || x->message.ptr[x->message.len] != '\0' ||
        strlen(x->message.ptr) != x->message.len)
        FAIL("diagnostic %s: message empty or not NUL-terminated", cors_diag_code_name(code));
    return true;
}

/* -------------------------------------------------------------- allocator */

static void *
counting_malloc(size_t size, void *user_data)
{
    struct counting_alloc *c = user_data;
    c->mallocs++;
    if (c->fail_at != 0 && c->mallocs == c->fail_at) {
        c->failed++;
        return NULL;
    }
    size_t n = size == 0 ? 1 : size;
    void *p = c->backing_malloc != NULL ? c->backing_malloc(n) : malloc(n);
    if (p != NULL)
        c->live++;
    return p;
}

static void
counting_free(void *ptr, void *user_data)
{
    struct counting_alloc *c = user_data;
    c->frees++;
    if (ptr != NULL) {
        c->live--;
        if (c->backing_free != NULL)
            c->backing_free(ptr);
        else
            free(ptr);
    }
}

struct cors_allocator
counting_allocator(struct counting_alloc *c)
{
    struct cors_allocator a = { counting_malloc, counting_free, c };
    return a;
}

/* ------------------------------------------------------------------ misc */

struct guard_block {
    void *base;
    size_t size;
};
static struct guard_block guard_blocks[256];
static size_t guard_count;

struct cors_str
guarded_str(const char *bytes, size_t len)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t data_pages = (len + page - 1) / page;
    if (data_pages == 0)
        data_pages = 1;
    size_t total = (data_pages + 1) * page;
    ck_assert_uint_lt(guard_count, 256);
    char *base = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert(base != MAP_FAILED);
    ck_assert_int_eq(mprotect(base + data_pages * page, page, PROT_NONE), 0);
    char *dst = base + data_pages * page - len;
    if (len > 0)
        memcpy(dst, bytes, len);
    guard_blocks[guard_count].base = base;
    guard_blocks[guard_count].size = total;
    guard_count++;
    struct cors_str s = { dst, len };
    return s;
}

void
guard_free_all(void)
{
    for (size_t i = 0; i < guard_count; i++)
        munmap(guard_blocks[i].base, guard_blocks[i].size);
    guard_count = 0;
}

int
run_suite(Suite *suite)
{
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
