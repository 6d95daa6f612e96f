/*
 * The browser's half of the CORS protocol: what a browser does with a
 * script's cross-origin request and with a server's response headers,
 * written from the Fetch standard (fetch.spec.whatwg.org). Section names in
 * the comments are the standard's headings and definitions.
 *
 * This file shares no decision code with evaluate.c (it judges any server's
 * answer, libcors' included); it uses only lib/'s byte tables and the list
 * scanner of tokens.c.
 *
 * The rules it covers (Fetch anchors in brackets):
 *  - CORS-safelisted method [#cors-safelisted-method], forbidden method
 *    [#forbidden-method], method normalize [#concept-method-normalize], the
 *    method token (Headers/Request throw on others);
 *  - header name and value validity [#concept-header-value-normalize,
 *    #header-value]; forbidden request-header, including the method-override
 *    headers [#forbidden-request-header];
 *  - CORS-safelisted request-header with its value rules: 128 bytes, Accept,
 *    Accept-Language, Content-Language, Content-Type (MIME Sniffing "parse a
 *    MIME type" and the three essences), Range ("parse a single range header
 *    value", start required) [#cors-safelisted-request-header,
 *    #cors-unsafe-request-header-byte, #simple-range-header-value];
 *  - CORS-unsafe request-header names with the 1024-byte total, as a
 *    sorted-lowercase set [#cors-unsafe-request-header-names,
 *    #convert-header-names-to-a-sorted-lowercase-set], joined by "," in
 *    Access-Control-Request-Headers [#cors-preflight-fetch step 5];
 *  - when a preflight is sent [#http-fetch: method not safelisted or unsafe
 *    names], plus Private Network Access (WICG) for more-private targets;
 *  - the CORS check [#concept-cors-check] with "get" combining field lines
 *    [#concept-header-list-get];
 *  - CORS-preflight fetch step 7: ok status [#ok-status], extracting header
 *    list values of #method / #field-name lists [#extract-header-list-values],
 *    the method check with "*" [7.5], the CORS non-wildcard request-header
 *    name Authorization [#cors-non-wildcard-request-header-name, 7.6], each
 *    unsafe name with "*" [7.7], Access-Control-Max-Age as delta-seconds with
 *    the default of 5 s [7.8] (saturated as RFC 9111 §1.2.2 says) and the
 *    Chromium (7200 s) and Firefox (86400 s) caps;
 *  - Access-Control-Allow-Private-Network: true (Private Network Access);
 *  - CORS-safelisted response-header names, forbidden response-header names,
 *    the CORS-exposed header-name list from Access-Control-Expose-Headers
 *    with "*" [#cors-safelisted-response-header-name,
 *    #forbidden-response-header-name, #main-fetch, #concept-filtered-response-cors].
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"

/* ------------------------------------------------------------- small tools */

static bool
is_http_ws(char c)
{
    /* Fetch "HTTP whitespace": LF, CR, HT, SP */
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Fetch "normalize" a header value: strip leading and trailing HTTP whitespace. */
static struct cors_str
normalize_value(struct cors_str s)
{
    if (s.ptr == NULL)
        return (struct cors_str){"", 0};
    while (s.len > 0 && is_http_ws(s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len > 0 && is_http_ws(s.ptr[s.len - 1]))
        s.len--;
    return s;
}

/* s equals the lower-case literal lit, ASCII case-insensitively. */
static bool
eq_fold(struct cors_str s, const char *lit, size_t lit_len)
{
    return s.len == lit_len && s.ptr != NULL && corsp_equal_fold(s.ptr, lit, lit_len);
}
#define EQ_FOLD(s, lit) eq_fold((s), (lit), sizeof(lit) - 1)

static bool
eq_bytes(struct cors_str a, struct cors_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static bool
eq_names(struct cors_str a, struct cors_str b)
{
    return a.len == b.len && (a.len == 0 || corsp_equal_fold(a.ptr, b.ptr, a.len));
}

/* Byte-lowercase order of two names (Fetch "convert header names to a
 * sorted-lowercase set": lexicographic on the lower-cased bytes). */
static int
cmp_lower(struct cors_str a, struct cors_str b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    for (size_t i = 0; i < n; i++) {
        unsigned char x = corsp_lower[(unsigned char)a.ptr[i]];
        unsigned char y = corsp_lower[(unsigned char)b.ptr[i]];
        if (x != y)
            return x < y ? -1 : 1;
    }
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

/* ----------------------------------------------------------------- reasons */

static const char *const reason_names[] = {
    [CORS_FETCH_OK] = "ok",
    [CORS_FETCH_METHOD_INVALID] = "method-invalid",
    [CORS_FETCH_METHOD_FORBIDDEN] = "method-forbidden",
    [CORS_FETCH_HEADER_INVALID] = "header-invalid",
    [CORS_FETCH_PREFLIGHT_STATUS] = "preflight-status",
    [CORS_FETCH_ALLOW_ORIGIN_MISSING] = "allow-origin-missing",
    [CORS_FETCH_ALLOW_ORIGIN_MULTIPLE] = "allow-origin-multiple",
    [CORS_FETCH_ALLOW_ORIGIN_MISMATCH] = "allow-origin-mismatch",
    [CORS_FETCH_ALLOW_ORIGIN_STAR_CREDENTIALS] = "allow-origin-star-credentials",
    [CORS_FETCH_ALLOW_CREDENTIALS_NOT_TRUE] = "allow-credentials-not-true",
    [CORS_FETCH_ALLOW_METHODS_MALFORMED] = "allow-methods-malformed",
    [CORS_FETCH_ALLOW_HEADERS_MALFORMED] = "allow-headers-malformed",
    [CORS_FETCH_METHOD_NOT_ALLOWED] = "method-not-allowed",
    [CORS_FETCH_METHOD_STAR_CREDENTIALS] = "method-star-credentials",
    [CORS_FETCH_HEADER_NOT_ALLOWED] = "header-not-allowed",
    [CORS_FETCH_HEADER_STAR_CREDENTIALS] = "header-star-credentials",
    [CORS_FETCH_AUTHORIZATION_NOT_COVERED] = "authorization-not-covered",
    [CORS_FETCH_PRIVATE_NETWORK_NOT_ALLOWED] = "private-network-not-allowed",
};

CORS_EXPORT const char *
cors_fetch_reason_name(enum cors_fetch_reason reason)
{
    if ((unsigned)reason < CORSP_ARRAY_SIZE(reason_names) && reason_names[reason] != NULL)
        return reason_names[reason];
    return "unknown";
}

/* ----------------------------------------------------------------- methods */

/* Fetch "CORS-safelisted method": GET, HEAD, POST (byte-exact). */
static bool
method_safelisted(struct cors_str m)
{
    return eq_bytes(m, (struct cors_str){"GET", 3}) || eq_bytes(m, (struct cors_str){"HEAD", 4}) ||
           eq_bytes(m, (struct cors_str){"POST", 4});
}

/* Fetch "forbidden method": CONNECT, TRACE, TRACK, byte-case-insensitive. */
static bool
method_forbidden(struct cors_str m)
{
    return EQ_FOLD(m, "connect") || EQ_FOLD(m, "trace") || EQ_FOLD(m, "track");
}

/* Fetch "normalize" a method: DELETE, GET, HEAD, OPTIONS, POST, PUT matched
 * case-insensitively are upper-cased; any other method is kept as given. */
static struct cors_str
method_normalize(struct cors_str m)
{
    static const struct cors_str norm[] = {
        {"DELETE", 6}, {"GET", 3}, {"HEAD", 4}, {"OPTIONS", 7}, {"POST", 4}, {"PUT", 3},
    };
    for (size_t i = 0; i < CORSP_ARRAY_SIZE(norm); i++)
        if (m.len == norm[i].len && corsp_equal_fold(m.ptr, norm[i].ptr, m.len))
            return norm[i];
    return m;
}

/* --------------------------------------------------------- request headers */

/* Fetch "forbidden request-header" (name, value): browsers drop these
 * silently from a script's Headers (guard "request"). */
static bool
request_header_forbidden(struct cors_str name, struct cors_str value)
{
    if (corsp_forbidden_request_header_name(name.ptr, name.len))
        return true;
    /* X-HTTP-Method, X-HTTP-Method-Override, X-Method-Override naming a
     * forbidden method among their comma-separated values */
    if (EQ_FOLD(name, "x-http-method") || EQ_FOLD(name, "x-http-method-override") ||
        EQ_FOLD(name, "x-method-override")) {
        size_t start = 0;
        for (size_t i = 0; i <= value.len; i++) {
            if (i == value.len || value.ptr[i] == ',') {
                struct cors_str item = {value.ptr + start, i - start};
                if (method_forbidden(normalize_value(item)))
                    return true;
                start = i + 1;
            }
        }
    }
    return false;
}

/* Fetch "CORS-unsafe request-header byte": a control byte other than HT,
 * or one of "():<>?@[\]{} and DEL. */
static bool
unsafe_byte(unsigned char c)
{
    if (c < 0x20)
        return c != 0x09;
    switch (c) {
    case '"':
    case '(':
    case ')':
    case ':':
    case '<':
    case '>':
    case '?':
    case '@':
    case '[':
    case '\\':
    case ']':
    case '{':
    case '}':
    case 0x7F:
        return true;
    default:
        return false;
    }
}

static bool
has_unsafe_byte(struct cors_str v)
{
    for (size_t i = 0; i < v.len; i++)
        if (unsafe_byte((unsigned char)v.ptr[i]))
            return true;
    return false;
}

/* Accept-Language / Content-Language: only 0-9 A-Z a-z SP * , - . ; = */
static bool
language_value_ok(struct cors_str v)
{
    for (size_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.ptr[i];
        bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                  c == ' ' || c == '*' || c == ',' || c == '-' || c == '.' || c == ';' || c == '=';
        if (!ok)
            return false;
    }
    return true;
}

/*
 * MIME Sniffing "parse a MIME type", as far as the essence: trim HTTP
 * whitespace; type = the bytes before '/', a non-empty token; subtype = the
 * bytes up to ';' with trailing HTTP whitespace removed, a non-empty token.
 * Parameters never make the parse fail. Returns true and the two slices.
 */
static bool
mime_essence(struct cors_str v, struct cors_str *type, struct cors_str *subtype)
{
    v = normalize_value(v);
    size_t slash = 0;
    while (slash < v.len && v.ptr[slash] != '/')
        slash++;
    if (slash == v.len || !corsp_is_token(v.ptr, slash))
        return false;
    size_t end = slash + 1;
    while (end < v.len && v.ptr[end] != ';')
        end++;
    struct cors_str sub = {v.ptr + slash + 1, end - slash - 1};
    while (sub.len > 0 && is_http_ws(sub.ptr[sub.len - 1]))
        sub.len--;
    if (!corsp_is_token(sub.ptr, sub.len))
        return false;
    *type = (struct cors_str){v.ptr, slash};
    *subtype = sub;
    return true;
}

/* Content-Type: its MIME type's essence is one of the three form types. */
static bool
content_type_ok(struct cors_str v)
{
    struct cors_str type, sub;
    if (has_unsafe_byte(v) || !mime_essence(v, &type, &sub))
        return false;
    if (EQ_FOLD(type, "application"))
        return EQ_FOLD(sub, "x-www-form-urlencoded");
    if (EQ_FOLD(type, "multipart"))
        return EQ_FOLD(sub, "form-data");
    if (EQ_FOLD(type, "text"))
        return EQ_FOLD(sub, "plain");
    return false;
}

/* Compares two non-empty decimal digit strings by value (no overflow). */
static int
cmp_decimal(const char *a, size_t an, const char *b, size_t bn)
{
    while (an > 1 && *a == '0') {
        a++;
        an--;
    }
    while (bn > 1 && *b == '0') {
        b++;
        bn--;
    }
    if (an != bn)
        return an < bn ? -1 : 1;
    int c = memcmp(a, b, an);
    return c < 0 ? -1 : c > 0;
}

/* Range: Fetch "parse a single range header value" without whitespace,
 * and the start must be present ("bytes=500-" yes, "bytes=-500" no). */
static bool
range_ok(struct cors_str v)
{
    if (v.len < 6 || memcmp(v.ptr, "bytes=", 6) != 0)
        return false;
    size_t i = 6, s0 = i;
    while (i < v.len && v.ptr[i] >= '0' && v.ptr[i] <= '9')
        i++;
    size_t s1 = i;
    if (s1 == s0 || i == v.len || v.ptr[i] != '-')
        return false;
    i++;
    size_t e0 = i;
    while (i < v.len && v.ptr[i] >= '0' && v.ptr[i] <= '9')
        i++;
    if (i != v.len)
        return false;
    if (i > e0 && cmp_decimal(v.ptr + s0, s1 - s0, v.ptr + e0, i - e0) > 0)
        return false; /* start after end */
    return true;
}

/* Fetch "CORS-safelisted request-header" (name, value). */
static bool
request_header_safelisted(struct cors_str name, struct cors_str value)
{
    if (value.len > 128)
        return false;
    if (EQ_FOLD(name, "accept"))
        return !has_unsafe_byte(value);
    if (EQ_FOLD(name, "accept-language") || EQ_FOLD(name, "content-language"))
        return language_value_ok(value);
    if (EQ_FOLD(name, "content-type"))
        return content_type_ok(value);
    if (EQ_FOLD(name, "range"))
        return range_ok(value);
    return false;
}

/*
 * The script's header list after Headers' own rules: names must be tokens,
 * values (normalized) must not hold NUL, CR or LF (else fetch() throws);
 * forbidden request-headers are dropped. Returns false on an invalid header.
 */
static bool
header_valid(const struct cors_fetch_header *h)
{
    if (h->name.ptr == NULL || !corsp_is_token(h->name.ptr, h->name.len))
        return false;
    struct cors_str v = normalize_value(h->value);
    for (size_t i = 0; i < v.len; i++)
        if (v.ptr[i] == '\0' || v.ptr[i] == '\n' || v.ptr[i] == '\r')
            return false;
    return true;
}

static bool
header_sent(const struct cors_fetch_header *h)
{
    return !request_header_forbidden(h->name, normalize_value(h->value));
}

/* Fetch "CORS-unsafe request-header names", step 1-4: the total length of
 * the safelisted values; over 1024 makes every header unsafe. */
static bool
safelist_total_exceeded(const struct cors_fetch_request *r)
{
    size_t total = 0;
    for (size_t i = 0; i < r->header_count; i++) {
        const struct cors_fetch_header *h = &r->headers[i];
        if (!header_sent(h))
            continue;
        struct cors_str v = normalize_value(h->value);
        if (request_header_safelisted(h->name, v))
            total += v.len;
    }
    return total > 1024;
}

/* Header i is one of the CORS-unsafe request-header names. */
static bool
header_unsafe(const struct cors_fetch_request *r, size_t i, bool total_exceeded)
{
    const struct cors_fetch_header *h = &r->headers[i];
    if (!header_sent(h))
        return false;
    return total_exceeded || !request_header_safelisted(h->name, normalize_value(h->value));
}

/* The first unsafe header whose name sorts after `after` (NULL: the first
 * of all), in the sorted-lowercase set order; SIZE_MAX when none. */
static size_t
next_unsafe(const struct cors_fetch_request *r, bool exceeded, const struct cors_str *after)
{
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < r->header_count; i++) {
        if (!header_unsafe(r, i, exceeded))
            continue;
        struct cors_str n = r->headers[i].name;
        if (after != NULL && cmp_lower(n, *after) <= 0)
            continue;
        if (best == SIZE_MAX || cmp_lower(n, r->headers[best].name) < 0)
            best = i;
    }
    return best;
}

static bool
request_args_ok(const struct cors_fetch_request *r)
{
    return r != NULL && r->origin.ptr != NULL && r->method.ptr != NULL &&
           (r->headers != NULL || r->header_count == 0) &&
           r->header_count <= CORS_FETCH_HEADERS_MAX;
}

static bool
response_args_ok(const struct cors_fetch_response *r)
{
    return r != NULL && (r->headers != NULL || r->header_count == 0) &&
           r->header_count <= CORS_FETCH_HEADERS_MAX;
}

/* The reason fetch() throws before sending (TypeError), or CORS_FETCH_OK. */
static enum cors_fetch_reason
request_throws(const struct cors_fetch_request *r)
{
    if (!corsp_is_token(r->method.ptr, r->method.len))
        return CORS_FETCH_METHOD_INVALID;
    if (method_forbidden(r->method))
        return CORS_FETCH_METHOD_FORBIDDEN;
    for (size_t i = 0; i < r->header_count; i++)
        if (!header_valid(&r->headers[i]))
            return CORS_FETCH_HEADER_INVALID;
    return CORS_FETCH_OK;
}

/* ---------------------------------------------------------- (a) the plan */

CORS_EXPORT enum cors_status
cors_fetch_plan(const struct cors_fetch_request *request, char *buf, size_t size,
                struct cors_fetch_plan *plan)
{
    if (plan == NULL || !request_args_ok(request) || (buf == NULL && size > 0))
        return CORS_E_INVALID_ARGUMENT;
    memset(plan, 0, sizeof(*plan));
    if (size > 0)
        buf[0] = '\0';
    plan->reason = request_throws(request);
    if (plan->reason != CORS_FETCH_OK)
        return CORS_OK;

    plan->method = method_normalize(request->method);
    plan->method_unsafe = !method_safelisted(plan->method);
    for (size_t i = 0; i < request->header_count; i++)
        if (!header_sent(&request->headers[i]))
            plan->forbidden_header_count++;
    bool exceeded = safelist_total_exceeded(request);
    plan->safelist_total_exceeded = exceeded;

    /* "CORS-preflight fetch" step 5: the names joined by "," */
    size_t len = 0;
    const struct cors_str *prev = NULL;
    for (size_t i = next_unsafe(request, exceeded, NULL); i != SIZE_MAX;
         i = next_unsafe(request, exceeded, prev)) {
        const struct cors_str *n = &request->headers[i].name;
        size_t need = len + (len > 0) + n->len;
        if (need < size) {
            if (len > 0)
                buf[len] = ',';
            for (size_t k = 0; k < n->len; k++)
                buf[len + (len > 0) + k] = (char)corsp_lower[(unsigned char)n->ptr[k]];
            buf[need] = '\0';
        }
        len = need;
        plan->unsafe_header_count++;
        prev = n;
    }
    plan->request_headers_len = len;
    if (len > 0 && len < size)
        plan->request_headers = (struct cors_str){buf, len};

    /* "HTTP fetch": a preflight when the method is not safelisted or there
     * are unsafe names; Private Network Access adds one for every request. */
    plan->preflight =
        plan->method_unsafe || plan->unsafe_header_count > 0 || request->private_network;
    return len > 0 && len >= size ? CORS_E_NOSPACE : CORS_OK;
}

/* -------------------------------------------------------- response headers */

/* Fetch "get" a header: the number of field lines with that name, and the
 * first one's value (normalized). */
static size_t
response_get(const struct cors_fetch_response *resp, const char *lower, size_t n,
             struct cors_str *first)
{
    size_t count = 0;
    for (size_t i = 0; i < resp->header_count; i++) {
        const struct cors_fetch_header *h = &resp->headers[i];
        if (eq_fold(h->name, lower, n)) {
            if (count == 0)
                *first = normalize_value(h->value);
            count++;
        }
    }
    return count;
}

/*
 * Fetch "extract header list values" for a #token list header
 * (Access-Control-Allow-Methods, -Allow-Headers, -Expose-Headers): -1 when a
 * line is not a list of tokens (failure), 0 when absent (null), 1 otherwise.
 * With a non-NULL needle, *found tells whether an element equals it
 * (byte-exact when fold is false); *star whether "*" is an element.
 */
static int
response_list(const struct cors_fetch_response *resp, const char *lower, size_t n,
              const struct cors_str *needle, bool fold, bool *found, bool *star)
{
    int present = 0;
    if (found != NULL)
        *found = false;
    if (star != NULL)
        *star = false;
    for (size_t i = 0; i < resp->header_count; i++) {
        const struct cors_fetch_header *h = &resp->headers[i];
        if (!eq_fold(h->name, lower, n))
            continue;
        present = 1;
        struct cors_str v = normalize_value(h->value);
        struct corsp_list_iter it = {v.ptr, v.ptr + v.len};
        struct cors_str item;
        int rc;
        while ((rc = corsp_list_next(&it, &item)) == 1) {
            if (star != NULL && item.len == 1 && item.ptr[0] == '*')
                *star = true;
            if (needle != NULL && found != NULL &&
                (fold ? eq_names(item, *needle) : eq_bytes(item, *needle)))
                *found = true;
        }
        if (rc < 0)
            return -1;
    }
    return present;
}

#define LIST_ARGS(lit) lit, sizeof(lit) - 1

static void
verdict_fail(struct cors_fetch_verdict *v, enum cors_fetch_reason reason, struct cors_str detail)
{
    v->ok = false;
    v->reason = reason;
    v->detail = detail;
}

static const struct cors_str no_detail = {NULL, 0};

static bool
credentialed(const struct cors_fetch_request *r)
{
    return r->credentials == CORS_FETCH_CREDENTIALS_INCLUDE;
}

/* Fetch "CORS check" (request, response). */
static bool
cors_check(const struct cors_fetch_request *r, const struct cors_fetch_response *resp,
           struct cors_fetch_verdict *v)
{
    struct cors_str origin = {NULL, 0};
    size_t lines = response_get(resp, LIST_ARGS("access-control-allow-origin"), &origin);
    /* steps 1-2: absent */
    if (lines == 0) {
        verdict_fail(v, CORS_FETCH_ALLOW_ORIGIN_MISSING, no_detail);
        return false;
    }
    /* several field lines are combined with ", ", which never equals a
     * serialized origin; a list in one line fails the same way */
    if (lines > 1 || memchr(origin.ptr, ',', origin.len) != NULL) {
        verdict_fail(v, CORS_FETCH_ALLOW_ORIGIN_MULTIPLE, origin);
        return false;
    }
    bool star = origin.len == 1 && origin.ptr[0] == '*';
    /* step 3: "*" without credentials */
    if (star && !credentialed(r))
        return true;
    if (star) {
        verdict_fail(v, CORS_FETCH_ALLOW_ORIGIN_STAR_CREDENTIALS, origin);
        return false;
    }
    /* step 4: byte-exact serialization of the request's origin */
    if (!eq_bytes(origin, normalize_value(r->origin))) {
        verdict_fail(v, CORS_FETCH_ALLOW_ORIGIN_MISMATCH, origin);
        return false;
    }
    /* step 5 */
    if (!credentialed(r))
        return true;
    /* steps 6-8: Access-Control-Allow-Credentials is exactly `true` */
    struct cors_str cred = {NULL, 0};
    size_t cl = response_get(resp, LIST_ARGS("access-control-allow-credentials"), &cred);
    if (cl != 1 || !eq_bytes(cred, (struct cors_str){"true", 4})) {
        verdict_fail(v, CORS_FETCH_ALLOW_CREDENTIALS_NOT_TRUE, cl ? cred : no_detail);
        return false;
    }
    return true;
}

static void
verdict_init(struct cors_fetch_verdict *v)
{
    memset(v, 0, sizeof(*v));
    v->ok = true;
    v->reason = CORS_FETCH_OK;
}

/* The throw reasons of fetch() also decide every later step. */
static bool
verdict_throws(const struct cors_fetch_request *r, struct cors_fetch_verdict *v)
{
    enum cors_fetch_reason t = request_throws(r);
    if (t == CORS_FETCH_OK)
        return false;
    verdict_fail(v, t, t == CORS_FETCH_HEADER_INVALID ? no_detail : r->method);
    return true;
}

/* Access-Control-Max-Age: delta-seconds (1*DIGIT), one field line; absent
 * or invalid gives the default (Fetch "CORS-preflight fetch" step 7.8). */
static void
max_age(const struct cors_fetch_response *resp, struct cors_fetch_verdict *v)
{
    struct cors_str s = {NULL, 0};
    size_t lines = response_get(resp, LIST_ARGS("access-control-max-age"), &s);
    int64_t age = CORS_FETCH_MAX_AGE_DEFAULT;
    bool ok = lines == 1 && s.len > 0;
    for (size_t i = 0; ok && i < s.len; i++)
        ok = s.ptr[i] >= '0' && s.ptr[i] <= '9';
    if (ok) {
        /* RFC 9111 §1.2.2: a delta-seconds too large saturates at 2^31 */
        const int64_t cap = INT64_C(2147483648);
        age = 0;
        for (size_t i = 0; i < s.len; i++) {
            age = age * 10 + (s.ptr[i] - '0');
            if (age > cap)
                age = cap;
        }
    }
    v->max_age_given = ok;
    v->max_age = age;
    v->max_age_chromium = age < CORS_FETCH_MAX_AGE_CHROMIUM ? age : CORS_FETCH_MAX_AGE_CHROMIUM;
    v->max_age_firefox = age < CORS_FETCH_MAX_AGE_FIREFOX ? age : CORS_FETCH_MAX_AGE_FIREFOX;
}

/* ----------------------------------------------- (b) the preflight response */

CORS_EXPORT enum cors_status
cors_fetch_check_preflight(const struct cors_fetch_request *request,
                           const struct cors_fetch_response *response,
                           struct cors_fetch_verdict *verdict)
{
    if (verdict == NULL || !request_args_ok(request) || !response_args_ok(response))
        return CORS_E_INVALID_ARGUMENT;
    verdict_init(verdict);
    if (verdict_throws(request, verdict))
        return CORS_OK;
    const struct cors_fetch_request *r = request;
    struct cors_str method = method_normalize(r->method);

    /* step 7: the CORS check, and an ok status (200-299) */
    if (!cors_check(r, response, verdict))
        return CORS_OK;
    if (response->status < 200 || response->status > 299) {
        verdict_fail(verdict, CORS_FETCH_PREFLIGHT_STATUS, no_detail);
        return CORS_OK;
    }

    /* 7.1-7.3: both lists must parse */
    bool m_found, m_star;
    if (response_list(response, LIST_ARGS("access-control-allow-methods"), &method, false, &m_found,
                      &m_star) < 0) {
        verdict_fail(verdict, CORS_FETCH_ALLOW_METHODS_MALFORMED, no_detail);
        return CORS_OK;
    }
    bool h_star;
    if (response_list(response, LIST_ARGS("access-control-allow-headers"), NULL, true, NULL,
                      &h_star) < 0) {
        verdict_fail(verdict, CORS_FETCH_ALLOW_HEADERS_MALFORMED, no_detail);
        return CORS_OK;
    }

    /* 7.5: the method is listed (byte-exact), safelisted, or covered by "*"
     * when credentials are not included */
    if (!m_found && !method_safelisted(method) && (credentialed(r) || !m_star)) {
        verdict_fail(verdict,
                     m_star ? CORS_FETCH_METHOD_STAR_CREDENTIALS : CORS_FETCH_METHOD_NOT_ALLOWED,
                     r->method);
        return CORS_OK;
    }

    /* 7.6: a CORS non-wildcard request-header name (Authorization) must be
     * listed by name, "*" never covers it */
    for (size_t i = 0; i < r->header_count; i++) {
        const struct cors_fetch_header *h = &r->headers[i];
        if (!header_sent(h) || !EQ_FOLD(h->name, "authorization"))
            continue;
        bool found;
        (void)response_list(response, LIST_ARGS("access-control-allow-headers"), &h->name, true,
                            &found, NULL);
        if (!found) {
            verdict_fail(verdict,
                         h_star ? CORS_FETCH_AUTHORIZATION_NOT_COVERED
                                : CORS_FETCH_HEADER_NOT_ALLOWED,
                         h->name);
            return CORS_OK;
        }
    }

    /* 7.7: each CORS-unsafe request-header name is listed, or covered by
     * "*" when credentials are not included; the first failing name in the
     * sorted order is reported */
    bool exceeded = safelist_total_exceeded(r);
    const struct cors_str *prev = NULL;
    for (size_t i = next_unsafe(r, exceeded, NULL); i != SIZE_MAX;
         i = next_unsafe(r, exceeded, prev)) {
        const struct cors_str *n = &r->headers[i].name;
        prev = n;
        bool found;
        (void)response_list(response, LIST_ARGS("access-control-allow-headers"), n, true, &found,
                            NULL);
        if (!found && (credentialed(r) || !h_star)) {
            verdict_fail(
                verdict,
                h_star ? CORS_FETCH_HEADER_STAR_CREDENTIALS : CORS_FETCH_HEADER_NOT_ALLOWED, *n);
            return CORS_OK;
        }
    }

    /* Private Network Access, "CORS-preflight fetch" additions: the
     * response carries Access-Control-Allow-Private-Network: true */
    if (r->private_network) {
        struct cors_str pn = {NULL, 0};
        size_t lines =
            response_get(response, LIST_ARGS("access-control-allow-private-network"), &pn);
        if (lines != 1 || !eq_bytes(pn, (struct cors_str){"true", 4})) {
            verdict_fail(verdict, CORS_FETCH_PRIVATE_NETWORK_NOT_ALLOWED, lines ? pn : no_detail);
            return CORS_OK;
        }
    }

    /* 7.8: the cache lifetime */
    max_age(response, verdict);
    return CORS_OK;
}

/* -------------------------------------------------- (c) the actual response */

CORS_EXPORT enum cors_status
cors_fetch_check_response(const struct cors_fetch_request *request,
                          const struct cors_fetch_response *response,
                          struct cors_fetch_verdict *verdict)
{
    if (verdict == NULL || !request_args_ok(request) || !response_args_ok(response))
        return CORS_E_INVALID_ARGUMENT;
    verdict_init(verdict);
    if (verdict_throws(request, verdict))
        return CORS_OK;
    (void)cors_check(request, response, verdict);
    return CORS_OK;
}

/* Fetch "CORS-safelisted response-header name" without a list. */
static bool
response_name_safelisted(struct cors_str n)
{
    return EQ_FOLD(n, "cache-control") || EQ_FOLD(n, "content-language") ||
           EQ_FOLD(n, "content-length") || EQ_FOLD(n, "content-type") || EQ_FOLD(n, "expires") ||
           EQ_FOLD(n, "last-modified") || EQ_FOLD(n, "pragma");
}

/* Fetch "forbidden response-header name". */
static bool
response_name_forbidden(struct cors_str n)
{
    return EQ_FOLD(n, "set-cookie") || EQ_FOLD(n, "set-cookie2");
}

/*
 * One response header name is readable: "main fetch" sets the CORS-exposed
 * header-name list from Access-Control-Expose-Headers ("*" without
 * credentials: every name; a malformed list: none), and the CORS-filtered
 * response keeps the safelisted names and the exposed ones that are not
 * forbidden response-header names.
 */
static bool
name_readable(const struct cors_fetch_request *r, const struct cors_fetch_response *resp,
              struct cors_str name)
{
    if (response_name_forbidden(name))
        return false;
    if (response_name_safelisted(name))
        return true;
    bool found, star;
    if (response_list(resp, LIST_ARGS("access-control-expose-headers"), &name, true, &found,
                      &star) <= 0)
        return false;
    return found || (star && !credentialed(r));
}

static bool
readable_args_ok(const struct cors_fetch_request *r, const struct cors_fetch_response *resp)
{
    if (!request_args_ok(r) || !response_args_ok(resp))
        return false;
    struct cors_fetch_verdict v;
    verdict_init(&v);
    return !verdict_throws(r, &v) && cors_check(r, resp, &v);
}

CORS_EXPORT size_t
cors_fetch_readable_headers(const struct cors_fetch_request *request,
                            const struct cors_fetch_response *response, struct cors_str *names,
                            size_t capacity)
{
    if (!readable_args_ok(request, response) || (names == NULL && capacity > 0))
        return 0;
    size_t count = 0;
    for (size_t i = 0; i < response->header_count; i++) {
        struct cors_str n = response->headers[i].name;
        if (n.ptr == NULL || n.len == 0)
            continue;
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = eq_names(response->headers[k].name, n);
        if (seen || !name_readable(request, response, n))
            continue;
        if (count < capacity)
            names[count] = n;
        count++;
    }
    return count;
}

CORS_EXPORT bool
cors_fetch_header_readable(const struct cors_fetch_request *request,
                           const struct cors_fetch_response *response, struct cors_str name)
{
    if (name.ptr == NULL || !readable_args_ok(request, response))
        return false;
    bool present = false;
    for (size_t i = 0; i < response->header_count && !present; i++)
        present = eq_names(response->headers[i].name, name);
    return present && name_readable(request, response, name);
}
