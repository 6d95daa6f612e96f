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

/* Where the headers of a result go: the caller's array, as far as it has room
 * (count goes on counting, for CORS_E_NOSPACE's header_count). */
struct out {
    struct cors_header *headers;
    size_t capacity;
    size_t count;
};

static void
emit(struct out *o, struct cors_str name, struct cors_str value, enum cors_header_op op)
{
    if (CORSP_LIKELY(o->count < o->capacity)) {
        struct cors_header *h = &o->headers[o->count];
        h->name = name;
        h->value = value;
        h->op = op;
    }
    o->count++;
}

/* The policy owns the Access-Control-* namespace of every response it is in
 * force on: first the host removes what anyone else put there. */
static void
emit_remove(struct out *o)
{
    emit(o, h_access_control_any, v_empty, CORS_HEADER_REMOVE_ACCESS_CONTROL);
}

static CORSP_ALWAYS_INLINE bool
str_is(struct cors_str s, const char *lit, size_t n)
{
    return s.len == n && s.ptr != NULL && memcmp(s.ptr, lit, n) == 0;
}

/* Headers of every non-preflight response of a public ("*", no credentials)
 * policy: identical for CORS and non-CORS requests, so no Vary is needed. */
static void
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

/* check_origin_listed(): the origin is in none of the lines it checks (never
 * a verdict: a request with an Origin is never "not CORS"). */
#define ORIGIN_UNLISTED CORS_REASON_NOT_CORS

/* The cheap part of the verdict on the request's origin: the Origin lines'
 * shape and the exact set. CORS_REASON_ALLOWED (and the entry that allowed it
 * in res), a refusal, or ORIGIN_UNLISTED: check_origin() decides. */
static CORSP_ALWAYS_INLINE enum cors_reason
check_origin_listed(const struct cors_policy *p, const struct cors_request *req,
                    struct cors_result *res)
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
    return ORIGIN_UNLISTED;
}

/* The verdict on an origin check_origin_listed() did not decide: ALLOWED (and
 * the entry that allowed it in res) or why not. */
static CORSP_ALWAYS_INLINE enum cors_reason
check_origin(const struct cors_policy *p, const struct cors_request *req, struct cors_result *res)
{
    struct cors_str s = req->origins[0];
    /* Only exact origins: a miss is refused whatever the value is, and only
     * the reason (not allowed, or malformed) depends on it. A quick check
     * tells most valid values without the parse. */
    if (p->origins_exact_only && corsp_origin_surely_valid(s.ptr, s.len))
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
        const struct corsp_quick_methods *q = &p->quick_methods;
        if (CORSP_LIKELY(q->complete)) {
            for (uint32_t i = 0; i < q->count; i++)
                if (q->len[i] == n && q->word[i] == w)
                    return true;
            return false;
        }
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
 * The common case of a preflight's header list: names of allowHeaders, each
 * followed by "," (and one space) or the end of the line. If the list element
 * at *pos is one of them, moves *pos past it and its separator and returns
 * true; otherwise (another name, other separators, a malformed list) leaves
 * *pos for the list scanner, which then reads from there.
 */
static CORSP_ALWAYS_INLINE bool
quick_name(const struct corsp_quick_names *q, const char **pos, const char *end)
{
    const char *c = *pos;
    size_t room = (size_t)(end - c);
    for (uint32_t i = 0; i < q->count; i++) {
        const struct corsp_quick_name *k = &q->names[i];
        size_t n = k->len;
        if (n > room || (n < room && c[n] != ','))
            continue;
        /* both words compared, then one branch ("&", not "&&") */
        bool eq = n < 8 ? (corsp_load_small(c, n) | k->mask[0]) == k->word[0]
                        : (int)((corsp_load64(c) | k->mask[0]) == k->word[0]) &
                              (int)((corsp_load64(c + n - 8) | k->mask[1]) == k->word[1]);
        if (eq) {
            c += n;
            if (c < end) { /* the comma, and one space after it */
                c++;
                if (c < end && *c == ' ')
                    c++;
            }
            *pos = c;
            return true;
        }
    }
    return false;
}

/* What check_request_headers() has found so far. */
struct header_scan {
    enum cors_reason verdict; /* ALLOWED or HEADER_NOT_ALLOWED */
    bool lookup;              /* still checking names against allowHeaders */
};

/*
 * The rest of one Access-Control-Request-Headers line from it with the list
 * scanner: validates the tokens and checks them against the policy. Returns
 * -1 when the list is malformed, else 1 if the rest has an element, 0 if not.
 * Out of line: the quick compare usually reads the whole line, and this loop's
 * registers and constants would cost its callers a stack frame.
 */
__attribute__((noinline)) static int
scan_header_list(const struct cors_policy *p, struct corsp_list_iter it, struct header_scan *st)
{
    struct cors_str name;
    int any = 0;
    for (;;) {
        int rc = corsp_list_scan(&it, &name);
        if (CORSP_UNLIKELY(rc <= 0))
            return rc == 0 ? any : -1;
        any = 1;
        if (st->lookup && (p->headers.count == 0 ||
                           corsp_strset_find_inline(&p->headers, name.ptr, name.len, true) < 0)) {
            st->verdict = CORS_REASON_HEADER_NOT_ALLOWED;
            st->lookup = false;
        }
    }
}

/*
 * Reads every Access-Control-Request-Headers line once: validates the tokens,
 * checks them against the policy, and counts the non-empty lines (echoed when
 * allowHeaders is "*"). Returns ALLOWED, HEADER_NOT_ALLOWED,
 * HEADERS_MALFORMED or HEADERS_TOO_MANY_LINES.
 */
static CORSP_ALWAYS_INLINE enum cors_reason
check_request_headers(const struct cors_policy *p, const struct cors_request *req,
                      size_t *echo_lines)
{
    struct header_scan st = {CORS_REASON_ALLOWED, !p->headers_any};
    size_t lines = 0;
    for (size_t l = 0; l < req->request_header_count; l++) {
        struct cors_str line = req->request_headers[l];
        if (line.ptr == NULL)
            continue;
        struct corsp_list_iter it = {line.ptr, line.ptr + line.len};
        bool any = false;
        if (st.lookup)
            while (it.p < it.end && quick_name(&p->quick_headers, &it.p, it.end))
                any = true;
        if (it.p < it.end) {
            int rest = scan_header_list(p, it, &st);
            if (rest < 0)
                return CORS_REASON_HEADERS_MALFORMED;
            any |= rest;
        }
        lines += any;
    }
    *echo_lines = lines;
    if (lines > CORS_REQUEST_HEADER_LINES_MAX)
        return CORS_REASON_HEADERS_TOO_MANY_LINES;
    return st.verdict;
}

/* What a preflight's answer depends on besides the policy. */
struct preflight {
    enum cors_reason reason;
    bool rejected; /* answered as a refused origin: no CORS headers */
    bool pna;      /* Access-Control-Request-Private-Network: true */
    size_t echo_lines;
};

/* The verdicts on a preflight's method, headers and private network request,
 * after the verdict on its origin. */
static CORSP_ALWAYS_INLINE void
preflight_verdict(const struct cors_policy *p, const struct cors_request *req,
                  enum cors_reason origin, struct preflight *v)
{
    v->reason = origin;
    v->rejected = origin != CORS_REASON_ALLOWED;
    /* usually absent: one test */
    v->pna = false;
    if (CORSP_UNLIKELY(req->request_private_network.ptr != NULL))
        v->pna = str_is(req->request_private_network, "true", 4);
    v->echo_lines = 0;
    if (v->rejected)
        return;
    struct cors_str method = req->request_method;
    bool method_ok = method_allowed(p, method);
    /* An allowed method equals a configured one (each a token, checked at
     * build) or a safelisted one, so only the others and "*" need the token
     * check. */
    if (!method_ok || p->methods_any) {
        const unsigned char *m = (const unsigned char *)method.ptr;
        if (method.len == 0 || corsp_skip_tchar(m, m + method.len) != m + method.len) {
            v->reason = CORS_REASON_METHOD_MALFORMED;
            v->rejected = true;
            return;
        }
    }
    enum cors_reason headers = check_request_headers(p, req, &v->echo_lines);
    if (headers == CORS_REASON_HEADERS_MALFORMED || headers == CORS_REASON_HEADERS_TOO_MANY_LINES) {
        v->reason = headers;
        v->rejected = true;
    } else if (!method_ok) {
        v->reason = CORS_REASON_METHOD_NOT_ALLOWED;
    } else if (headers != CORS_REASON_ALLOWED) {
        v->reason = headers;
    } else if (v->pna && !p->private_network) {
        v->reason = CORS_REASON_PRIVATE_NETWORK_NOT_ALLOWED;
    }
}

/* ------------------------------------------------------ building a result
 *
 * The result header by header from the policy's settings: at build time for
 * the shapes, and per request for what has no shape (a caller's array smaller
 * than the shape, echoed request headers, enforcePercent's per-origin share).
 * res->report_only is set, the rest of res is written here.
 */

static void
emit_not_cors(const struct cors_policy *p, struct out *o, struct cors_result *res)
{
    res->decision = CORS_DECISION_NOT_CORS;
    res->reason = CORS_REASON_NOT_CORS;
    res->allowed = false;
    res->call_handler = true;
    res->matched_field = CORS_FIELD_NONE;
    res->matched_index = SIZE_MAX;
    if (p->report_only)
        return;
    emit_remove(o);
    if (CORSP_UNLIKELY(p->public_star))
        emit_public(p, o);
    else
        emit(o, h_vary, v_origin, CORS_HEADER_MERGE_VARY);
}

/* Emits the validated request header lines, one response line each. */
static void
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

static void
emit_preflight(const struct cors_policy *p, const struct cors_request *req,
               const struct preflight *v, struct out *o, struct cors_result *res)
{
    res->decision = CORS_DECISION_PREFLIGHT;
    res->reason = v->reason;
    res->allowed = v->reason == CORS_REASON_ALLOWED;

    if (res->report_only) {
        res->call_handler = true;
        if (CORSP_UNLIKELY(!p->report_only)) /* outside enforcePercent's share */
            emit(o, h_vary, p->vary_preflight_value, CORS_HEADER_MERGE_VARY);
        return;
    }
    emit_remove(o);
    if (v->rejected) {
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
        if (v->echo_lines > 0)
            emit_echoed_headers(req, o);
    } else if (p->allow_headers_value.len > 0) {
        emit(o, h_allow_headers, p->allow_headers_value, CORS_HEADER_SET);
    }
    if (p->max_age_value.ptr != NULL)
        emit(o, h_max_age, p->max_age_value, CORS_HEADER_SET);
    if (p->expose_headers_value.len > 0)
        emit(o, h_expose_headers, p->expose_headers_value, CORS_HEADER_SET);
    if (p->private_network && v->pna)
        emit(o, h_allow_private_network, v_true, CORS_HEADER_SET);
    emit(o, h_vary, p->vary_preflight_value, CORS_HEADER_MERGE_VARY);
}

static void
emit_actual(const struct cors_policy *p, const struct cors_request *req, enum cors_reason origin,
            struct out *o, struct cors_result *res)
{
    res->decision = CORS_DECISION_ACTUAL;
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

/* The result built header by header (see above), for a request whose verdicts
 * are known: origin for an actual request, v for a preflight (by value, so
 * that the callers can keep theirs in registers). */
#define NO_PREFLIGHT ((struct preflight){CORS_REASON_NOT_CORS, false, false, 0})
__attribute__((noinline)) static enum cors_status
evaluate_slow(const struct cors_policy *p, const struct cors_request *req,
              enum cors_decision decision, enum cors_reason origin, struct preflight v,
              struct cors_header *headers, size_t capacity, struct cors_result *res)
{
    struct out o = {headers, capacity, 0};
    res->status = 0;
    res->headers = headers;
    res->report_only = p->report_only;
    if (decision == CORS_DECISION_NOT_CORS) {
        emit_not_cors(p, &o, res);
    } else {
        if (CORSP_UNLIKELY(p->enforce_percent < 100))
            res->report_only |= cors_origin_bucket(req->origins[0]) >= p->enforce_percent;
        if (decision == CORS_DECISION_PREFLIGHT)
            emit_preflight(p, req, &v, &o, res);
        else
            emit_actual(p, req, origin, &o, res);
    }
    res->header_count = o.count;
    return o.count <= capacity ? CORS_OK : CORS_E_NOSPACE;
}

/* ---------------------------------------------------------------- shapes */

/* Stand-ins for the request's values while the shapes are built: an entry
 * whose value points here is filled from the request (a distinct address
 * each, so an equal policy string is never mistaken for one). */
static const char origin_mark[] = "<origin>";
static const char method_mark[] = "<method>";
static const char echo_mark[] = "echo"; /* a request header line (a token) */

/* Fills p->shapes; false when some shape of a request with an Origin cannot
 * be used (the policy then answers those header by header). */
static bool
shapes_build(struct cors_policy *p)
{
    bool all_usable = true;
    const struct cors_str origin = {origin_mark, sizeof(origin_mark) - 1};
    const struct cors_str echo = {echo_mark, sizeof(echo_mark) - 1};
    const struct cors_request req = {
        .method = S("OPTIONS"),
        .origins = &origin,
        .origin_count = 1,
        .request_method = {method_mark, sizeof(method_mark) - 1},
        .request_headers = &echo,
        .request_header_count = 1,
    };
    for (int kind = 0; kind < CORSP_SHAPE_COUNT; kind++) {
        struct corsp_shape *shape = &p->shapes[kind];
        struct cors_header h[CORS_HEADERS_MAX];
        struct out o = {h, CORS_HEADERS_MAX, 0};
        struct cors_result *r = &shape->result;
        memset(r, 0, sizeof(*r));
        r->report_only = p->report_only;
        r->matched_field = CORS_FIELD_NONE;
        r->matched_index = SIZE_MAX;
        /* enforcePercent < 100 decides report_only per origin */
        bool usable = kind == CORSP_SHAPE_NOT_CORS || p->enforce_percent >= 100;
        struct preflight v = {CORS_REASON_ALLOWED, false, false, 0};
        switch ((enum corsp_shape_kind)kind) {
        case CORSP_SHAPE_NOT_CORS:
            emit_not_cors(p, &o, r);
            break;
        case CORSP_SHAPE_ACTUAL_ALLOWED:
            emit_actual(p, &req, CORS_REASON_ALLOWED, &o, r);
            break;
        case CORSP_SHAPE_ACTUAL_DENIED:
            emit_actual(p, &req, CORS_REASON_ORIGIN_NOT_ALLOWED, &o, r);
            break;
        case CORSP_SHAPE_PREFLIGHT_REJECTED:
            v = (struct preflight){CORS_REASON_ORIGIN_NOT_ALLOWED, true, false, 0};
            emit_preflight(p, &req, &v, &o, r);
            break;
        case CORSP_SHAPE_PREFLIGHT_ANSWERED:
        case CORSP_SHAPE_PREFLIGHT_ANSWERED_PNA:
            v.pna = kind == CORSP_SHAPE_PREFLIGHT_ANSWERED_PNA;
            v.echo_lines = 1; /* where allowHeaders "*" echoes: see echo_at */
            emit_preflight(p, &req, &v, &o, r);
            break;
        case CORSP_SHAPE_COUNT:
            break;
        }
        /* the echoed line (allowHeaders "*") is not part of the shape: its
         * place is, and the request's lines go there (insert_echoed()) */
        shape->echo_at = -1;
        for (size_t i = 0; i < o.count; i++) {
            if (h[i].value.ptr != echo_mark)
                continue;
            shape->echo_at = (int8_t)i;
            memmove(&h[i], &h[i + 1], (o.count - i - 1) * sizeof(h[0]));
            o.count--;
            break;
        }
        usable &= o.count <= CORSP_SHAPE_HEADERS;
        /* the refusals' shapes are applied without fills (FILL_NONE) */
        bool refusal = kind == CORSP_SHAPE_NOT_CORS || kind == CORSP_SHAPE_ACTUAL_DENIED ||
                       kind == CORSP_SHAPE_PREFLIGHT_REJECTED;
        r->header_count = o.count;
        shape->origin_at[0] = shape->origin_at[1] = shape->method_at = -1;
        for (size_t i = 0; usable && i < o.count; i++) {
            shape->headers[i] = h[i];
            if (h[i].value.ptr == origin_mark)
                shape->origin_at[shape->origin_at[0] < 0 ? 0 : 1] = (int8_t)i;
            if (h[i].value.ptr == method_mark)
                shape->method_at = (int8_t)i;
        }
        if (refusal && (shape->origin_at[0] >= 0 || shape->method_at >= 0 || shape->echo_at >= 0))
            usable = false;
        /* the fills are before the echoed lines, which move what follows */
        if (shape->echo_at >= 0 &&
            (shape->origin_at[0] >= shape->echo_at || shape->origin_at[1] >= shape->echo_at ||
             shape->method_at >= shape->echo_at))
            usable = false;
        shape->min_capacity = o.count;
        if (!usable)
            shape->echo_at = -1;
        if (kind == CORSP_SHAPE_NOT_CORS && !usable)
            shape->min_capacity = SIZE_MAX; /* never: at most 4 headers, no fills */
        else
            all_usable &= usable;
    }
    return all_usable;
}

/* p->quick_headers from allowHeaders (struct corsp_quick_names). */
static void
quick_names_build(struct cors_policy *p)
{
    struct corsp_quick_names *q = &p->quick_headers;
    q->count = 0;
    if (p->headers_any || p->headers.count > CORSP_QUICK_NAMES)
        return;
    for (uint32_t i = 0; i < p->headers.count; i++) {
        struct cors_str key = p->headers.keys[i];
        if (key.len == 0 || key.len > 16)
            return;
    }
    for (uint32_t i = 0; i < p->headers.count; i++) {
        struct cors_str key = p->headers.keys[i];
        struct corsp_quick_name *k = &q->names[i];
        char lower[16], mask[16];
        for (size_t j = 0; j < key.len; j++) {
            lower[j] = (char)corsp_lower[(unsigned char)key.ptr[j]];
            mask[j] = lower[j] >= 'a' && lower[j] <= 'z' ? 0x20 : 0;
        }
        k->len = key.len;
        if (key.len < 8) {
            k->word[0] = corsp_load_small(lower, key.len);
            k->mask[0] = corsp_load_small(mask, key.len);
            k->word[1] = k->mask[1] = 0;
        } else {
            k->word[0] = corsp_load64(lower);
            k->mask[0] = corsp_load64(mask);
            k->word[1] = corsp_load64(lower + key.len - 8);
            k->mask[1] = corsp_load64(mask + key.len - 8);
        }
    }
    q->count = p->headers.count;
}

/* p->quick_methods from allowMethods (struct corsp_quick_methods). */
static void
quick_methods_build(struct cors_policy *p)
{
    struct corsp_quick_methods *q = &p->quick_methods;
    q->count = 0;
    q->complete = true;
    for (size_t i = 0; i < p->method_count; i++) {
        struct cors_str m = p->methods[i];
        if (m.len >= 8)
            continue;
        uint64_t w = corsp_load_small(m.ptr, m.len);
        /* method_allowed() tests the safelisted ones first */
        if ((m.len == 3 && w == corsp_load_small("GET", 3)) ||
            (m.len == 4 && (w == corsp_load_small("HEAD", 4) || w == corsp_load_small("POST", 4))))
            continue;
        if (q->count == CORSP_QUICK_METHODS) {
            q->complete = false;
            return;
        }
        q->word[q->count] = w;
        q->len[q->count] = (uint8_t)m.len;
        q->count++;
    }
}

/* Copies n (<= CORSP_SHAPE_HEADERS) headers: a copy of a constant size for
 * each n, which compilers make a few 16-byte moves (40 bytes each header:
 * 2.5 moves, not the 3 of a copy per entry); a loop would become a call to
 * memcpy(). */
static CORSP_ALWAYS_INLINE void
copy_headers(struct cors_header *dst, const struct cors_header *src, size_t n)
{
    _Static_assert(CORSP_SHAPE_HEADERS == 9, "copy_headers() copies up to 9 entries");
#define COPY(k)                                                                                    \
    case k:                                                                                        \
        memcpy(dst, src, (k) * sizeof(*dst));                                                      \
        break
/* over 256 bytes, GCC copies with "rep movsq" (one instruction, but slow to
 * start): two copies instead */
#define COPY2(k)                                                                                   \
    case k:                                                                                        \
        memcpy(dst, src, 6 * sizeof(*dst));                                                        \
        memcpy(dst + 6, src + 6, ((k)-6) * sizeof(*dst));                                          \
        break
    switch (n) {
        COPY(1);
        COPY(2);
        COPY(3);
        COPY(4);
        COPY(5);
        COPY(6);
        COPY2(7);
        COPY2(8);
        COPY2(9);
    default:
        break;
    }
#undef COPY2
#undef COPY
}

/* The result fields a shape fixes come first in struct cors_result (its
 * layout is frozen): one copy of that prefix. */
#define SHAPE_RESULT_BYTES offsetof(struct cors_result, matched_field)
_Static_assert(offsetof(struct cors_result, header_count) < SHAPE_RESULT_BYTES &&
                   offsetof(struct cors_result, headers) < SHAPE_RESULT_BYTES,
               "struct cors_result: matched_field must follow the fields a shape fixes");

/* The usual number of headers of a result kind: the removal of
 * Access-Control-*, then Vary (refusals); Access-Control-Allow-Origin between
 * them (an allowed actual request); Access-Control-Allow-Origin, -Methods,
 * -Headers and -Max-Age between them (an answered preflight). */
#define USUAL_REFUSED            2
#define USUAL_ACTUAL_ALLOWED     3
#define USUAL_PREFLIGHT_ANSWERED 6

/* Which request values a shape may need (a constant at each call, so that
 * the shapes of refusals, which echo nothing, cost no test). */
enum fills {
    FILL_NONE = 0,
    FILL_ORIGIN = 1,        /* Access-Control-Allow-Origin, Timing-Allow-Origin */
    FILL_ORIGIN_METHOD = 2, /* ... and Access-Control-Allow-Methods */
};

/* Copies the shape to the caller (who has room for it) and fills in the
 * request's values; usual: the number of headers the kind usually has. */
static CORSP_ALWAYS_INLINE void
apply_shape(const struct corsp_shape *shape, const struct cors_request *req,
            struct cors_header *headers, struct cors_result *res, enum fills fills, size_t usual)
{
    memcpy(res, &shape->result, SHAPE_RESULT_BYTES);
    res->headers = headers;
    /* the usual number of headers of the kind (a constant at each call)
     * without copy_headers()'s jump table */
    if (CORSP_LIKELY(shape->result.header_count == usual))
        copy_headers(headers, shape->headers, usual);
    else
        copy_headers(headers, shape->headers, shape->result.header_count);
    if (fills >= FILL_ORIGIN && shape->origin_at[0] >= 0) {
        headers[shape->origin_at[0]].value = req->origins[0];
        if (CORSP_UNLIKELY(shape->origin_at[1] >= 0)) /* Timing-Allow-Origin */
            headers[shape->origin_at[1]].value = req->origins[0];
    }
    if (fills >= FILL_ORIGIN_METHOD && CORSP_UNLIKELY(shape->method_at >= 0)) /* methods "*" */
        headers[shape->method_at].value = req->request_method;
}

/* ------------------------------------------------------------ the decision */

/* allowHeaders "*": the request's echo non-empty header lines, one response
 * line each, at the shape's echo_at, after apply_shape(); what the shape has
 * from there on moves up. */
__attribute__((noinline)) static void
insert_echoed(const struct corsp_shape *shape, const struct cors_request *req,
              struct cors_header *headers, struct cors_result *res, size_t echo)
{
    size_t at = (size_t)shape->echo_at, count = shape->result.header_count;
    copy_headers(headers + at + echo, shape->headers + at, count - at);
    struct out o = {headers + at, echo, 0};
    emit_echoed_headers(req, &o);
    res->header_count = count + echo;
}

/* The answer to a preflight from an allowed origin: the verdicts on its
 * method, headers and private network request. */
static CORSP_ALWAYS_INLINE enum cors_status
answer_preflight_allowed(const struct cors_policy *p, const struct cors_request *req,
                         struct cors_header *headers, size_t capacity, struct cors_result *res)
{
    struct preflight v;
    preflight_verdict(p, req, CORS_REASON_ALLOWED, &v);
    _Static_assert(CORSP_SHAPE_PREFLIGHT_ANSWERED_PNA == CORSP_SHAPE_PREFLIGHT_ANSWERED + 1,
                   "the Private Network shape follows the other");
    const struct corsp_shape *shape =
        v.rejected ? &p->shapes[CORSP_SHAPE_PREFLIGHT_REJECTED]
                   : &p->shapes[CORSP_SHAPE_PREFLIGHT_ANSWERED + (size_t)v.pna];
    size_t echo = shape->echo_at >= 0 ? v.echo_lines : 0; /* allowHeaders "*" */
    if (CORSP_UNLIKELY(capacity < shape->min_capacity + echo))
        return evaluate_slow(p, req, CORS_DECISION_PREFLIGHT, CORS_REASON_ALLOWED, v, headers,
                             capacity, res);
    apply_shape(shape, req, headers, res, FILL_ORIGIN_METHOD, USUAL_PREFLIGHT_ANSWERED);
    if (echo > 0)
        insert_echoed(shape, req, headers, res, echo);
    res->reason = v.reason; /* a shape serves several reasons */
    res->allowed = v.reason == CORS_REASON_ALLOWED;
    return CORS_OK;
}

/* answer_preflight_allowed() out of line, for origins check_origin() allowed:
 * the header scan needs registers that the refused origins do without. */
__attribute__((noinline)) static enum cors_status
answer_preflight_allowed_call(const struct cors_policy *p, const struct cors_request *req,
                              struct cors_header *headers, size_t capacity, struct cors_result *res)
{
    return answer_preflight_allowed(p, req, headers, capacity, res);
}

/* The answer to a preflight from a refused origin: nothing else to check. */
static CORSP_ALWAYS_INLINE enum cors_status
answer_preflight_refused(const struct cors_policy *p, const struct cors_request *req,
                         enum cors_reason origin, struct cors_header *headers, size_t capacity,
                         struct cors_result *res)
{
    const struct corsp_shape *shape = &p->shapes[CORSP_SHAPE_PREFLIGHT_REJECTED];
    if (CORSP_UNLIKELY(capacity < shape->min_capacity)) {
        struct preflight v;
        preflight_verdict(p, req, origin, &v);
        return evaluate_slow(p, req, CORS_DECISION_PREFLIGHT, origin, v, headers, capacity, res);
    }
    apply_shape(shape, req, headers, res, FILL_NONE, USUAL_REFUSED);
    res->reason = origin;
    return CORS_OK;
}

/* The answer to an actual request, given the verdict on its origin. */
static CORSP_ALWAYS_INLINE enum cors_status
answer_actual(const struct cors_policy *p, const struct cors_request *req, enum cors_reason origin,
              struct cors_header *headers, size_t capacity, struct cors_result *res)
{
    bool allowed = origin == CORS_REASON_ALLOWED;
    const struct corsp_shape *shape =
        &p->shapes[allowed ? CORSP_SHAPE_ACTUAL_ALLOWED : CORSP_SHAPE_ACTUAL_DENIED];
    if (CORSP_UNLIKELY(capacity < shape->min_capacity))
        return evaluate_slow(p, req, CORS_DECISION_ACTUAL, origin, NO_PREFLIGHT, headers, capacity,
                             res);
    if (allowed) {
        apply_shape(shape, req, headers, res, FILL_ORIGIN, USUAL_ACTUAL_ALLOWED);
    } else {
        apply_shape(shape, req, headers, res, FILL_NONE, USUAL_REFUSED);
        res->reason = origin; /* the denied shape serves several reasons */
    }
    return CORS_OK;
}

/*
 * One function per kind of request and per way its origin is decided, each
 * reached by a tail call: each needs fewer registers than all of them
 * together would, so none pays for another's stack frame and cors_evaluate()
 * stays a leaf. The "unlisted" ones run check_origin() (a parse, wildcards,
 * regexes, the predicate) for an origin check_origin_listed() left undecided.
 */

__attribute__((noinline)) static enum cors_status
evaluate_preflight_unlisted(const struct cors_policy *p, const struct cors_request *req,
                            struct cors_header *headers, size_t capacity, struct cors_result *res)
{
    enum cors_reason origin = check_origin(p, req, res);
    if (origin == CORS_REASON_ALLOWED)
        return answer_preflight_allowed_call(p, req, headers, capacity, res);
    return answer_preflight_refused(p, req, origin, headers, capacity, res);
}

__attribute__((noinline)) static enum cors_status
evaluate_actual_unlisted(const struct cors_policy *p, const struct cors_request *req,
                         struct cors_header *headers, size_t capacity, struct cors_result *res)
{
    return answer_actual(p, req, check_origin(p, req, res), headers, capacity, res);
}

__attribute__((noinline)) static enum cors_status
evaluate_preflight(const struct cors_policy *p, const struct cors_request *req,
                   struct cors_header *headers, size_t capacity, struct cors_result *res)
{
    res->matched_field = CORS_FIELD_NONE;
    res->matched_index = SIZE_MAX;
    enum cors_reason origin = check_origin_listed(p, req, res);
    if (origin == ORIGIN_UNLISTED)
        return evaluate_preflight_unlisted(p, req, headers, capacity, res);
    if (origin == CORS_REASON_ALLOWED)
        return answer_preflight_allowed(p, req, headers, capacity, res);
    return answer_preflight_refused(p, req, origin, headers, capacity, res);
}

__attribute__((noinline)) static enum cors_status
evaluate_actual(const struct cors_policy *p, const struct cors_request *req,
                struct cors_header *headers, size_t capacity, struct cors_result *res)
{
    res->matched_field = CORS_FIELD_NONE;
    res->matched_index = SIZE_MAX;
    enum cors_reason origin = check_origin_listed(p, req, res);
    if (origin == ORIGIN_UNLISTED)
        return evaluate_actual_unlisted(p, req, headers, capacity, res);
    return answer_actual(p, req, origin, headers, capacity, res);
}

/*
 * Policies with no exact origin (wildcards, regexes, a predicate or "*"
 * alone): nothing to look up before check_origin(), so these go there
 * straight, with the checks of the Origin lines' shape that
 * check_origin_listed() makes first (a request that fails them goes to the
 * general path, which refuses it).
 */

static CORSP_ALWAYS_INLINE bool
origin_lines_plain(const struct cors_request *req)
{
    return req->origin_count == 1 && req->origins[0].ptr != NULL &&
           req->origins[0].len <= CORS_ORIGIN_MAX;
}

__attribute__((noinline)) static enum cors_status
evaluate_preflight_no_exact(const struct cors_policy *p, const struct cors_request *req,
                            struct cors_header *headers, size_t capacity, struct cors_result *res)
{
    if (CORSP_UNLIKELY(!origin_lines_plain(req)))
        return evaluate_preflight(p, req, headers, capacity, res);
    res->matched_field = CORS_FIELD_NONE;
    res->matched_index = SIZE_MAX;
    return evaluate_preflight_unlisted(p, req, headers, capacity, res);
}

__attribute__((noinline)) static enum cors_status
evaluate_actual_no_exact(const struct cors_policy *p, const struct cors_request *req,
                         struct cors_header *headers, size_t capacity, struct cors_result *res)
{
    if (CORSP_UNLIKELY(!origin_lines_plain(req)))
        return evaluate_actual(p, req, headers, capacity, res);
    res->matched_field = CORS_FIELD_NONE;
    res->matched_index = SIZE_MAX;
    return evaluate_actual_unlisted(p, req, headers, capacity, res);
}

/*
 * The quick paths: policies whose origins are one exact entry or none
 * (origins_exact_only, the usual case), or a few wildcard patterns alone.
 * They take only the common requests and call nothing but by a tail call,
 * so that they keep their values in registers (two to five saved ones,
 * where the general path saves six). Each finds a verdict on the origin
 * without parsing it, from the vector quick check (a valid http(s) origin
 * with a domain host and no port): the entry that allows it, none (refused
 * as not allowed: only that reason depends on the value), or "not sure".
 * Every request they are not sure of (several Origin lines, a value under 16
 * bytes or with a host over 32, one the quick check does not call valid) or
 * whose caller's array is smaller than the result goes to a general path,
 * which decides every request for any shaped policy.
 */

/* A quick verdict: the allowing entry's index in allowOrigins (always under
 * these two), or one of: */
#define QUICK_NOT_SURE    (SIZE_MAX - 1)
#define QUICK_NOT_ALLOWED SIZE_MAX

typedef enum cors_status (*evaluate_fn)(const struct cors_policy *, const struct cors_request *,
                                        struct cors_header *, size_t, struct cors_result *);

/* The refusal of a valid origin no entry allows (the caller has checked the
 * capacity). */
static CORSP_ALWAYS_INLINE enum cors_status
answer_quick_not_allowed(const struct corsp_shape *shape, const struct cors_request *req,
                         struct cors_header *headers, struct cors_result *res)
{
    res->matched_field = CORS_FIELD_NONE;
    res->matched_index = SIZE_MAX;
    apply_shape(shape, req, headers, res, FILL_NONE, USUAL_REFUSED);
    res->reason = CORS_REASON_ORIGIN_NOT_ALLOWED; /* the shape serves several reasons */
    return CORS_OK;
}

/* The answers from a quick verdict; general: the path for the rest (a
 * constant at each call, so a tail call). */
static CORSP_ALWAYS_INLINE enum cors_status
answer_quick_preflight(const struct cors_policy *p, const struct cors_request *req,
                       struct cors_header *headers, size_t capacity, struct cors_result *res,
                       size_t verdict, evaluate_fn general)
{
    if (verdict < QUICK_NOT_SURE) {
        res->matched_field = CORS_FIELD_ALLOW_ORIGINS;
        res->matched_index = verdict;
        return answer_preflight_allowed_call(p, req, headers, capacity, res);
    }
    const struct corsp_shape *shape = &p->shapes[CORSP_SHAPE_PREFLIGHT_REJECTED];
    if (verdict == QUICK_NOT_SURE || CORSP_UNLIKELY(capacity < shape->min_capacity))
        return general(p, req, headers, capacity, res);
    return answer_quick_not_allowed(shape, req, headers, res);
}

static CORSP_ALWAYS_INLINE enum cors_status
answer_quick_actual(const struct cors_policy *p, const struct cors_request *req,
                    struct cors_header *headers, size_t capacity, struct cors_result *res,
                    size_t verdict, evaluate_fn general)
{
    bool allowed = verdict < QUICK_NOT_SURE;
    const struct corsp_shape *shape =
        &p->shapes[allowed ? CORSP_SHAPE_ACTUAL_ALLOWED : CORSP_SHAPE_ACTUAL_DENIED];
    if (verdict == QUICK_NOT_SURE || CORSP_UNLIKELY(capacity < shape->min_capacity))
        return general(p, req, headers, capacity, res);
    if (!allowed)
        return answer_quick_not_allowed(shape, req, headers, res);
    apply_shape(shape, req, headers, res, FILL_ORIGIN, USUAL_ACTUAL_ALLOWED);
    res->matched_field = CORS_FIELD_ALLOW_ORIGINS;
    res->matched_index = verdict;
    return CORS_OK;
}

/* The verdict of a policy of one exact entry at most. No CORS_ORIGIN_MAX
 * test: no entry is longer (a longer pattern does not build), and the quick
 * check calls no value over 40 bytes valid. */
static CORSP_ALWAYS_INLINE size_t
exact_only_verdict(const struct cors_policy *p, const struct cors_request *req)
{
    struct cors_str s = req->origins[0];
    if (req->origin_count > 1 || CORSP_UNLIKELY(s.ptr == NULL))
        return QUICK_NOT_SURE;
    const struct corsp_strset *set = &p->exact;
    /* at most one entry (corsp_evaluate_prepare()): a length bit is its */
    if (((set->len_mask >> (s.len & 63)) & 1) && set->keys[0].len == s.len &&
        corsp_equal_bytes(set->keys[0].ptr, s.ptr, s.len))
        return p->exact_index[0];
    return corsp_origin_quick_host(s.ptr, s.len, true) != 0 ? QUICK_NOT_ALLOWED : QUICK_NOT_SURE;
}

/* The verdict of a policy of wildcard patterns alone that the quick list
 * holds (no exact origin, regex, predicate or "*"; at most
 * CORSP_WILD_QUICK_MAX patterns, no long suffix or scheme): the list is
 * compared with a valid origin as it is (its host is the rest of the value
 * after "://"; it has at least two labels whenever it ends with ".suffix",
 * and it is no IP address). */
static CORSP_ALWAYS_INLINE size_t
wild_only_verdict(const struct cors_policy *p, const struct cors_request *req)
{
    struct cors_str s = req->origins[0];
    if (req->origin_count != 1 || s.ptr == NULL)
        return QUICK_NOT_SURE;
    size_t host = corsp_origin_quick_host(s.ptr, s.len, true);
    if (host == 0)
        return QUICK_NOT_SURE;
    struct cors_str scheme = {s.ptr, host - 3}; /* before "://" */
    const struct corsp_wild_entry *e = corsp_wild_match_quick(
        &p->wild, scheme, s.ptr + s.len, s.len - host, CORSP_PORT_DEFAULT, 0, false);
    return e != NULL ? e->index : QUICK_NOT_ALLOWED;
}

__attribute__((noinline)) static enum cors_status
evaluate_preflight_exact_only(const struct cors_policy *p, const struct cors_request *req,
                              struct cors_header *headers, size_t capacity, struct cors_result *res)
{
    return answer_quick_preflight(p, req, headers, capacity, res, exact_only_verdict(p, req),
                                  evaluate_preflight);
}

__attribute__((noinline)) static enum cors_status
evaluate_actual_exact_only(const struct cors_policy *p, const struct cors_request *req,
                           struct cors_header *headers, size_t capacity, struct cors_result *res)
{
    return answer_quick_actual(p, req, headers, capacity, res, exact_only_verdict(p, req),
                               evaluate_actual);
}

__attribute__((noinline)) static enum cors_status
evaluate_preflight_wild_only(const struct cors_policy *p, const struct cors_request *req,
                             struct cors_header *headers, size_t capacity, struct cors_result *res)
{
    return answer_quick_preflight(p, req, headers, capacity, res, wild_only_verdict(p, req),
                                  evaluate_preflight_no_exact);
}

__attribute__((noinline)) static enum cors_status
evaluate_actual_wild_only(const struct cors_policy *p, const struct cors_request *req,
                          struct cors_header *headers, size_t capacity, struct cors_result *res)
{
    return answer_quick_actual(p, req, headers, capacity, res, wild_only_verdict(p, req),
                               evaluate_actual_no_exact);
}

/* The policies whose results cannot all be copied (enforcePercent under 100:
 * whether a request is report-only depends on its origin) answer requests
 * with an Origin header by header. */
__attribute__((noinline)) static enum cors_status
evaluate_generic(const struct cors_policy *p, const struct cors_request *req,
                 struct cors_header *headers, size_t capacity, struct cors_result *res,
                 enum cors_decision decision)
{
    res->matched_field = CORS_FIELD_NONE;
    res->matched_index = SIZE_MAX;
    enum cors_reason origin = check_origin_listed(p, req, res);
    if (origin == ORIGIN_UNLISTED)
        origin = check_origin(p, req, res);
    struct preflight v = NO_PREFLIGHT;
    if (decision == CORS_DECISION_PREFLIGHT)
        preflight_verdict(p, req, origin, &v);
    return evaluate_slow(p, req, decision, origin, v, headers, capacity, res);
}

static enum cors_status
evaluate_preflight_generic(const struct cors_policy *p, const struct cors_request *req,
                           struct cors_header *headers, size_t capacity, struct cors_result *res)
{
    return evaluate_generic(p, req, headers, capacity, res, CORS_DECISION_PREFLIGHT);
}

static enum cors_status
evaluate_actual_generic(const struct cors_policy *p, const struct cors_request *req,
                        struct cors_header *headers, size_t capacity, struct cors_result *res)
{
    return evaluate_generic(p, req, headers, capacity, res, CORS_DECISION_ACTUAL);
}

void
corsp_evaluate_prepare(struct cors_policy *p)
{
    _Static_assert(sizeof(void *) != 8 || sizeof(struct corsp_shape) == 512,
                   "struct corsp_shape: the padding no longer makes 512 bytes");
    p->origins_exact_only =
        p->wild.count == 0 && p->regexes == NULL && p->predicate == NULL && !p->origins_any;
    bool shaped = shapes_build(p);
    quick_names_build(p);
    quick_methods_build(p);
    if (!shaped) {
        p->evaluate_actual = evaluate_actual_generic;
        p->evaluate_preflight = evaluate_preflight_generic;
    } else if (p->origins_exact_only && p->exact.count <= 1) {
        p->evaluate_actual = evaluate_actual_exact_only;
        p->evaluate_preflight = evaluate_preflight_exact_only;
    } else if (p->exact.count == 0 && p->regexes == NULL && p->predicate == NULL &&
               !p->origins_any && p->wild.quick != NULL && !p->wild.quick_long) {
        p->evaluate_actual = evaluate_actual_wild_only;
        p->evaluate_preflight = evaluate_preflight_wild_only;
    } else if (p->exact.count == 0) {
        p->evaluate_actual = evaluate_actual_no_exact;
        p->evaluate_preflight = evaluate_preflight_no_exact;
    } else {
        p->evaluate_actual = evaluate_actual;
        p->evaluate_preflight = evaluate_preflight;
    }
}

/* An empty asm statement between two tests: GCC neither merges them into
 * one (set, set, or, test: 2 instructions more than two test-and-branch) nor
 * reorders them. */
#define SEPARATE_TESTS() __asm__("")

/* The argument checks are separate branches, each almost never taken: fewer
 * instructions than folding them into one test. */
CORS_EXPORT enum cors_status
cors_evaluate(const struct cors_policy *p, const struct cors_request *req,
              struct cors_header *headers, size_t capacity, struct cors_result *res)
{
    if (CORSP_UNLIKELY(p == NULL))
        return CORS_E_INVALID_ARGUMENT;
    SEPARATE_TESTS();
    if (CORSP_UNLIKELY(req == NULL))
        return CORS_E_INVALID_ARGUMENT;
    if (CORSP_UNLIKELY(res == NULL))
        return CORS_E_INVALID_ARGUMENT;
    /* an array NULL with a count: the usual values (an array, no ACRH lines)
     * are decided by the first test */
    if (CORSP_UNLIKELY(headers == NULL)) {
        SEPARATE_TESTS();
        if (capacity > 0)
            return CORS_E_INVALID_ARGUMENT;
    }
    if (req->request_header_count > 0) {
        if (CORSP_UNLIKELY(req->request_headers == NULL))
            return CORS_E_INVALID_ARGUMENT;
    }
    if (req->origin_count != 0) {
        if (CORSP_UNLIKELY(req->origins == NULL))
            return CORS_E_INVALID_ARGUMENT;
        /* the policy's own path (corsp_evaluate_prepare()) */
        if (str_is(req->method, "OPTIONS", 7) && req->request_method.ptr != NULL)
            return p->evaluate_preflight(p, req, headers, capacity, res);
        return p->evaluate_actual(p, req, headers, capacity, res);
    }

    const struct corsp_shape *shape = &p->shapes[CORSP_SHAPE_NOT_CORS];
    if (CORSP_UNLIKELY(capacity < shape->min_capacity))
        return evaluate_slow(p, req, CORS_DECISION_NOT_CORS, CORS_REASON_NOT_CORS, NO_PREFLIGHT,
                             headers, capacity, res);
    *res = shape->result;
    res->headers = headers;
    if (CORSP_LIKELY(shape->result.header_count == USUAL_REFUSED)) /* the removal and Vary */
        copy_headers(headers, shape->headers, USUAL_REFUSED);
    else
        copy_headers(headers, shape->headers, shape->result.header_count);
    return CORS_OK;
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
