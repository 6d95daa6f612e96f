/*
 * The per-request decision and its response headers. Reads only what
 * policy.c compiled; never allocates; linear in the request's header bytes.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"

#define S(lit)                                                                                     \
    {                                                                                              \
        (lit), sizeof(lit) - 1                                                                     \
    }

static const struct cors_str h_allow_origin = S("Access-Control-Allow-Origin");
static const struct cors_str h_allow_credentials = S("Access-Control-Allow-Credentials");
static const struct cors_str h_allow_methods = S("Access-Control-Allow-Methods");
static const struct cors_str h_allow_headers = S("Access-Control-Allow-Headers");
static const struct cors_str h_max_age = S("Access-Control-Max-Age");
static const struct cors_str h_expose_headers = S("Access-Control-Expose-Headers");
static const struct cors_str h_allow_private_network = S("Access-Control-Allow-Private-Network");
static const struct cors_str h_vary = S("Vary");
static const struct cors_str h_timing_allow_origin = S("Timing-Allow-Origin");
static const struct cors_str h_access_control_any = S("Access-Control-*");
static const struct cors_str v_empty = S("");
static const struct cors_str v_star = S("*");
static const struct cors_str v_true = S("true");
static const struct cors_str v_origin = S("Origin");

struct out {
    struct cors_header *headers;
    size_t capacity;
    size_t count;
    bool roomy; /* capacity >= ROOMY: no result can overflow, skip the checks */
};

/* The most headers one result holds: preflight REMOVE_ACCESS_CONTROL, ACAO,
 * ACAC, ACAM, up to CORS_REQUEST_HEADER_LINES_MAX ACAH lines, max-age, ACEH,
 * ACAPN and Vary. */
#define MOST_HEADERS (8 + CORS_REQUEST_HEADER_LINES_MAX)
#define ROOMY        CORS_HEADERS_MAX
_Static_assert(MOST_HEADERS <= ROOMY, "a result may exceed CORS_HEADERS_MAX");

static CORSP_ALWAYS_INLINE void
emit(struct out *o, struct cors_str name, struct cors_str value, enum cors_header_op op)
{
    if (o->roomy || CORSP_LIKELY(o->count < o->capacity)) {
        struct cors_header *h = &o->headers[o->count];
        h->name = name;
        h->value = value;
        h->op = op;
    }
    o->count++;
}

/* The policy owns the Access-Control-* namespace of every response it is in
 * force on: first the host removes what anyone else put there. */
static CORSP_ALWAYS_INLINE void
emit_remove(struct out *o)
{
    emit(o, h_access_control_any, v_empty, CORS_HEADER_REMOVE_ACCESS_CONTROL);
}

static inline bool
str_is(struct cors_str s, const char *lit, size_t n)
{
    return s.ptr != NULL && s.len == n && memcmp(s.ptr, lit, n) == 0;
}

/* Headers of every non-preflight response of a public ("*", no credentials)
 * policy: identical for CORS and non-CORS requests, so no Vary is needed. */
static CORSP_ALWAYS_INLINE void
emit_public(const struct cors_policy *p, struct out *o)
{
    emit(o, h_allow_origin, v_star, CORS_HEADER_SET);
    if (p->expose_headers_value.len > 0)
        emit(o, h_expose_headers, p->expose_headers_value, CORS_HEADER_SET);
    if (CORSP_UNLIKELY(p->timing_allow_origin))
        emit(o, h_timing_allow_origin, v_star, CORS_HEADER_SET);
}

static CORSP_ALWAYS_INLINE enum cors_reason
matched(struct cors_result *res, enum cors_field field, size_t index)
{
    res->matched_field = field;
    res->matched_index = index;
    return CORS_REASON_ALLOWED;
}

/* The verdict on the request's origin: CORS_REASON_ALLOWED (and the entry
 * that allowed it in res) or why not. */
static CORSP_ALWAYS_INLINE enum cors_reason
check_origin(const struct cors_policy *p, const struct cors_request *req, struct cors_result *res)
{
    if (req->origin_count > 1)
        return CORS_REASON_ORIGIN_MULTIPLE;
    struct cors_str s = req->origins[0];
    if (s.ptr == NULL)
        return CORS_REASON_ORIGIN_MALFORMED;
    if (s.len > CORS_ORIGIN_MAX)
        return CORS_REASON_ORIGIN_TOO_LONG;
    /* The exact set only holds canonical origins (and "null" when listed), so
     * a hit needs no parsing. */
    if (p->exact.count != 0) {
        long k = corsp_strset_find_inline(&p->exact, s.ptr, s.len, false);
        if (k >= 0)
            return matched(res, CORS_FIELD_ALLOW_ORIGINS, p->exact_index[k]);
    }

    /* Only exact origins: a miss is refused whatever the value is, and only
     * the reason (not allowed, or malformed) depends on it. A quick check
     * tells most valid values without the parse. */
    if (p->wild.count == 0 && p->regexes == NULL && p->predicate == NULL && !p->origins_any &&
        corsp_origin_surely_valid(s.ptr, s.len))
        return CORS_REASON_ORIGIN_NOT_ALLOWED;

    struct corsp_origin o;
    switch (corsp_origin_parse(s.ptr, s.len, &o)) {
    case CORSP_ORIGIN_MALFORMED:
        return CORS_REASON_ORIGIN_MALFORMED;
    case CORSP_ORIGIN_NULL:
        /* only an explicit "null" entry (already tried) or a public "*" */
        return p->public_star ? matched(res, CORS_FIELD_ALLOW_ORIGINS, p->star_index)
                              : CORS_REASON_ORIGIN_NOT_ALLOWED;
    case CORSP_ORIGIN_VALID:
        break;
    }
    if (p->origins_any)
        return matched(res, CORS_FIELD_ALLOW_ORIGINS, p->star_index);
    enum cors_reason why = CORS_REASON_ORIGIN_NOT_ALLOWED;
    if (p->wild.count != 0) {
        const struct corsp_wild_entry *w = corsp_wildset_match(&p->wild, &o);
        if (w != NULL)
            return matched(res, CORS_FIELD_ALLOW_ORIGINS, w->index);
    }
    if (p->regexes != NULL) {
        size_t index;
        int rc = corsp_regex_set_match(p->regexes, &o, s.ptr, s.len, &index);
        if (rc == 1)
            return matched(res, CORS_FIELD_ALLOW_ORIGIN_REGEX, index);
        if (rc < 0)
            why = CORS_REASON_ORIGIN_REGEX_LIMIT;
    }
    /* the host's own check, last: a valid, canonical origin no entry allowed */
    if (CORSP_UNLIKELY(p->predicate != NULL) && p->predicate(p->predicate_data, s))
        return matched(res, CORS_FIELD_ORIGIN_PREDICATE, 0);
    return why;
}

static CORSP_ALWAYS_INLINE bool
method_allowed(const struct cors_policy *p, struct cors_str m)
{
    if (p->methods_any)
        return true;
    size_t n = m.len;
    if (n < 8) {
        /* short methods (all of them, in practice) compare as one word */
        uint64_t w = corsp_load_small(m.ptr, n);
        /* CORS-safelisted methods need no permission (Fetch #methods) */
        if ((n == 3 && w == corsp_load_small("GET", 3)) ||
            (n == 4 && (w == corsp_load_small("HEAD", 4) || w == corsp_load_small("POST", 4))))
            return true;
        for (size_t i = 0; i < p->method_count; i++)
            if (p->methods[i].len == n && corsp_load_small(p->methods[i].ptr, n) == w)
                return true;
        return false;
    }
    for (size_t i = 0; i < p->method_count; i++)
        if (p->methods[i].len == n && corsp_equal_bytes(p->methods[i].ptr, m.ptr, n))
            return true;
    return false;
}

/*
 * Scans every Access-Control-Request-Headers line once with the list scanner:
 * validates the tokens, checks them against the policy, and counts the
 * non-empty lines (echoed when allowHeaders is "*"). Returns ALLOWED,
 * HEADER_NOT_ALLOWED, HEADERS_MALFORMED or HEADERS_TOO_MANY_LINES.
 */
static enum cors_reason
check_request_headers(const struct cors_policy *p, const struct cors_request *req,
                      size_t *echo_lines)
{
    enum cors_reason verdict = CORS_REASON_ALLOWED;
    bool lookup = !p->headers_any; /* still checking names against the list */
    size_t lines = 0;
    for (size_t l = 0; l < req->request_header_count; l++) {
        struct cors_str line = req->request_headers[l];
        if (line.ptr == NULL)
            continue;
        struct corsp_list_iter it = {line.ptr, line.ptr + line.len};
        struct cors_str name;
        bool any = false;
        for (;;) {
            int rc = corsp_list_scan(&it, &name);
            if (CORSP_UNLIKELY(rc <= 0)) {
                if (rc < 0)
                    return CORS_REASON_HEADERS_MALFORMED;
                break;
            }
            any = true;
            if (lookup && (p->headers.count == 0 ||
                           corsp_strset_find_inline(&p->headers, name.ptr, name.len, true) < 0)) {
                verdict = CORS_REASON_HEADER_NOT_ALLOWED;
                lookup = false;
            }
        }
        lines += any;
    }
    *echo_lines = lines;
    if (lines > CORS_REQUEST_HEADER_LINES_MAX)
        return CORS_REASON_HEADERS_TOO_MANY_LINES;
    return verdict;
}

/* Emits the validated request header lines, one response line each. */
static CORSP_ALWAYS_INLINE void
emit_echoed_headers(const struct cors_request *req, struct out *o)
{
    enum cors_header_op op = CORS_HEADER_SET;
    for (size_t l = 0; l < req->request_header_count; l++) {
        struct cors_str line = req->request_headers[l];
        /* a line of only commas and white space has no element: skip it */
        if (line.ptr == NULL || corsp_list_is_empty(line))
            continue;
        emit(o, h_allow_headers, corsp_trim_ows(line), op);
        op = CORS_HEADER_APPEND;
    }
}

static CORSP_ALWAYS_INLINE void
evaluate_preflight(const struct cors_policy *p, const struct cors_request *req,
                   enum cors_reason origin, struct out *o, struct cors_result *res)
{
    bool rejected = origin != CORS_REASON_ALLOWED;
    enum cors_reason reason = origin;
    size_t echo_lines = 0;
    bool pna_requested = str_is(req->request_private_network, "true", 4);

    if (!rejected) {
        const unsigned char *m = (const unsigned char *)req->request_method.ptr;
        size_t mn = req->request_method.len;
        if (mn == 0 || corsp_skip_tchar(m, m + mn) != m + mn) { /* not a token */
            reason = CORS_REASON_METHOD_MALFORMED;
            rejected = true;
        } else {
            enum cors_reason headers = check_request_headers(p, req, &echo_lines);
            if (headers == CORS_REASON_HEADERS_MALFORMED ||
                headers == CORS_REASON_HEADERS_TOO_MANY_LINES) {
                reason = headers;
                rejected = true;
            } else if (!method_allowed(p, req->request_method)) {
                reason = CORS_REASON_METHOD_NOT_ALLOWED;
            } else if (headers != CORS_REASON_ALLOWED) {
                reason = headers;
            } else if (pna_requested && !p->private_network) {
                reason = CORS_REASON_PRIVATE_NETWORK_NOT_ALLOWED;
            }
        }
    }
    res->reason = reason;
    res->allowed = reason == CORS_REASON_ALLOWED;

    if (res->report_only) {
        res->call_handler = true;
        if (CORSP_UNLIKELY(!p->report_only)) /* outside enforcePercent's share */
            emit(o, h_vary, p->vary_preflight_value, CORS_HEADER_MERGE_VARY);
        return;
    }
    emit_remove(o);
    if (rejected) {
        res->call_handler = p->forward_rejected;
        res->status = p->forward_rejected ? 0 : p->reject_status;
        emit(o, h_vary, p->vary_preflight_value, CORS_HEADER_MERGE_VARY);
        return;
    }

    /* The origin is allowed: the full answer, whatever the method and header
     * verdicts (the browser enforces them; docs/semantics.md §4.2). */
    res->call_handler = p->forward_allowed;
    res->status = p->forward_allowed ? 0 : p->preflight_status;
    emit(o, h_allow_origin, p->public_star ? v_star : req->origins[0], CORS_HEADER_SET);
    if (p->credentials)
        emit(o, h_allow_credentials, v_true, CORS_HEADER_SET);
    if (p->methods_any)
        emit(o, h_allow_methods, req->request_method, CORS_HEADER_SET);
    else if (p->allow_methods_value.len > 0)
        emit(o, h_allow_methods, p->allow_methods_value, CORS_HEADER_SET);
    if (p->headers_any) {
        if (echo_lines > 0)
            emit_echoed_headers(req, o);
    } else if (p->allow_headers_value.len > 0) {
        emit(o, h_allow_headers, p->allow_headers_value, CORS_HEADER_SET);
    }
    if (p->max_age_value.ptr != NULL)
        emit(o, h_max_age, p->max_age_value, CORS_HEADER_SET);
    if (p->expose_headers_value.len > 0)
        emit(o, h_expose_headers, p->expose_headers_value, CORS_HEADER_SET);
    if (p->private_network && pna_requested)
        emit(o, h_allow_private_network, v_true, CORS_HEADER_SET);
    emit(o, h_vary, p->vary_preflight_value, CORS_HEADER_MERGE_VARY);
}

static CORSP_ALWAYS_INLINE void
evaluate_actual(const struct cors_policy *p, const struct cors_request *req,
                enum cors_reason origin, struct out *o, struct cors_result *res)
{
    res->reason = origin;
    res->allowed = origin == CORS_REASON_ALLOWED;
    res->call_handler = true;
    if (res->report_only) {
        if (CORSP_UNLIKELY(!p->report_only)) /* outside enforcePercent's share */
            emit(o, h_vary, v_origin, CORS_HEADER_MERGE_VARY);
        return;
    }
    emit_remove(o);
    if (p->public_star) {
        emit_public(p, o);
        return;
    }
    if (res->allowed) {
        emit(o, h_allow_origin, req->origins[0], CORS_HEADER_SET);
        if (p->credentials)
            emit(o, h_allow_credentials, v_true, CORS_HEADER_SET);
        if (p->expose_headers_value.len > 0)
            emit(o, h_expose_headers, p->expose_headers_value, CORS_HEADER_SET);
        if (CORSP_UNLIKELY(p->timing_allow_origin))
            emit(o, h_timing_allow_origin, req->origins[0], CORS_HEADER_SET);
    }
    emit(o, h_vary, v_origin, CORS_HEADER_MERGE_VARY);
}

static CORSP_ALWAYS_INLINE enum cors_status
evaluate_cors_body(const struct cors_policy *p, const struct cors_request *req,
                   struct cors_header *headers, size_t capacity, struct cors_result *res,
                   bool roomy)
{
    struct out o = {headers, capacity, 0, roomy};
    enum cors_reason origin = check_origin(p, req, res);
    if (str_is(req->method, "OPTIONS", 7) && req->request_method.ptr != NULL) {
        res->decision = CORS_DECISION_PREFLIGHT;
        evaluate_preflight(p, req, origin, &o, res);
    } else {
        res->decision = CORS_DECISION_ACTUAL;
        evaluate_actual(p, req, origin, &o, res);
    }
    res->header_count = o.count;
    return o.count <= capacity ? CORS_OK : CORS_E_NOSPACE;
}

/* Requests with an Origin: kept out of cors_evaluate() so that the not-CORS
 * path stays a leaf without a stack frame. Two copies: one for callers whose
 * array always has room (no capacity check per header), one checking. */
__attribute__((noinline)) static enum cors_status
evaluate_cors_roomy(const struct cors_policy *p, const struct cors_request *req,
                    struct cors_header *headers, struct cors_result *res)
{
    return evaluate_cors_body(p, req, headers, ROOMY, res, true);
}

__attribute__((noinline)) static enum cors_status
evaluate_cors(const struct cors_policy *p, const struct cors_request *req,
              struct cors_header *headers, size_t capacity, struct cors_result *res)
{
    return evaluate_cors_body(p, req, headers, capacity, res, false);
}

CORS_EXPORT enum cors_status
cors_evaluate(const struct cors_policy *p, const struct cors_request *req,
              struct cors_header *headers, size_t capacity, struct cors_result *res)
{
    if (CORSP_UNLIKELY(p == NULL || req == NULL || res == NULL))
        return CORS_E_INVALID_ARGUMENT;
    /* one test for the "array NULL but count > 0" cases (origins only
     * matters when there is an Origin) */
    size_t origin_count = req->origin_count;
    if (CORSP_UNLIKELY(((headers == NULL) & (capacity > 0)) |
                       ((req->request_headers == NULL) & (req->request_header_count > 0))))
        return CORS_E_INVALID_ARGUMENT;
    if (origin_count != 0) {
        if (CORSP_UNLIKELY(req->origins == NULL))
            return CORS_E_INVALID_ARGUMENT;
        res->allowed = false;
        res->status = 0;
        res->report_only = p->report_only;
        if (CORSP_UNLIKELY(p->enforce_percent < 100))
            res->report_only |= cors_origin_bucket(req->origins[0]) >= p->enforce_percent;
        res->headers = headers;
        res->matched_field = CORS_FIELD_NONE;
        res->matched_index = SIZE_MAX;
        return capacity >= ROOMY ? evaluate_cors_roomy(p, req, headers, res)
                                 : evaluate_cors(p, req, headers, capacity, res);
    }

    res->allowed = false;
    res->status = 0;
    res->report_only = p->report_only;
    res->headers = headers;
    res->decision = CORS_DECISION_NOT_CORS;
    res->reason = CORS_REASON_NOT_CORS;
    res->call_handler = true;
    res->matched_field = CORS_FIELD_NONE;
    res->matched_index = SIZE_MAX;
    struct out o = {headers, capacity, 0, false};
    if (!p->report_only) {
        emit_remove(&o);
        if (CORSP_UNLIKELY(p->public_star))
            emit_public(p, &o);
        else
            emit(&o, h_vary, v_origin, CORS_HEADER_MERGE_VARY);
    }
    res->header_count = o.count;
    return o.count <= capacity ? CORS_OK : CORS_E_NOSPACE;
}

/* ------------------------------------------------------------- roll-out */

CORS_EXPORT unsigned
cors_origin_bucket(struct cors_str origin)
{
    /* FNV-1a, 32 bits (offset basis 2166136261, prime 16777619): simple
     * enough for any host or tool to recompute */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < origin.len; i++) {
        h ^= (unsigned char)origin.ptr[i];
        h *= 16777619u;
    }
    return h % 100;
}

/* ------------------------------------------------------------------- Vary */

static bool
vary_has(struct cors_str list, struct cors_str name)
{
    struct corsp_list_iter it = {list.ptr, list.ptr + list.len};
    struct cors_str item;
    int rc;
    while ((rc = corsp_list_next(&it, &item)) != 0) {
        if (rc < 0) {
            /* skip an unparsable element up to the next comma */
            while (it.p < it.end && *it.p != ',')
                it.p++;
            continue;
        }
        if (item.len == name.len && corsp_equal_fold(item.ptr, name.ptr, name.len))
            return true;
    }
    return false;
}

CORS_EXPORT size_t
cors_merge_vary(struct cors_str existing, struct cors_str addition, char *out, size_t size)
{
    struct corsp_writer w = {out, size, 0};

    /* absent values are empty ones (no arithmetic on a NULL pointer) */
    if (existing.ptr == NULL)
        existing = (struct cors_str){"", 0};
    if (addition.ptr == NULL)
        addition = (struct cors_str){"", 0};
    existing = corsp_trim_ows(existing);
    static const struct cors_str star = {"*", 1};
    if (existing.len > 0 && vary_has(existing, star)) {
        corsp_writer_put(&w, "*", 1);
    } else {
        corsp_writer_put(&w, existing.ptr, existing.len);
        struct corsp_list_iter it = {addition.ptr, addition.ptr + addition.len};
        struct cors_str name;
        int rc;
        while ((rc = corsp_list_next(&it, &name)) != 0) {
            if (rc < 0) {
                while (it.p < it.end && *it.p != ',')
                    it.p++;
                continue;
            }
            if (vary_has(existing, name))
                continue;
            /* not repeated within the addition either */
            struct cors_str done = {addition.ptr, (size_t)(name.ptr - addition.ptr)};
            if (vary_has(done, name))
                continue;
            if (w.len > 0)
                corsp_writer_put(&w, ", ", 2);
            corsp_writer_put(&w, name.ptr, name.len);
        }
    }
    return corsp_writer_finish(&w);
}
