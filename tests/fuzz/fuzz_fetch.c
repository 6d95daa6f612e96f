/*
 * libFuzzer target for the Fetch oracle (lib/fetch.c).
 *
 * Input, one field per line: a flags byte ('0'-'2' credentials mode, +'4'
 * for a private-network target), the origin, the method, the script's
 * request headers "Name: value" up to an empty line, the response status,
 * then the response header lines. Every function runs on it, and the
 * invariants are checked:
 *  - the plan's Access-Control-Request-Headers value is lower-case tokens,
 *    strictly ascending (sorted, no duplicates), joined by ',', as many as
 *    unsafe_header_count, the same whatever the buffer size (snprintf);
 *  - a preflight is sent exactly when the method is unsafe, a name is unsafe
 *    or the target is private;
 *  - ok is reason == ok, a detail points into the input, max-age values are
 *    within their caps;
 *  - the readable names are distinct response names, each readable by
 *    cors_fetch_header_readable(), none when the CORS check fails;
 *  - credentials only make things stricter: a response that passes with
 *    credentials included passes without.
 *
 * SPDX-License-Identifier: MIT
 */
#include "fuzz-common.h"

#include <cors/cors.h>

#define MAX_LINES 64

static bool
is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* ASCII case-insensitive equality of n bytes (NUL is an ordinary byte) */
static bool
ieq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y + 32);
        if (x != y)
            return false;
    }
    return true;
}

/* a < b in byte order */
static bool
before(const char *a, size_t an, const char *b, size_t bn)
{
    size_t n = an < bn ? an : bn;
    int c = memcmp(a, b, n);
    return c < 0 || (c == 0 && an < bn);
}

static void
check_acrh(const char *v, size_t len, size_t count)
{
    if (len == 0) {
        FUZZ_CHECK(count == 0, "no value, unsafe_header_count %zu", count);
        return;
    }
    size_t items = 0, start = 0;
    const char *prev = NULL;
    size_t prev_len = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && v[i] != ',') {
            FUZZ_CHECK(is_tchar((unsigned char)v[i]), "byte 0x%02x in '%.*s'", (unsigned char)v[i],
                       (int)len, v);
            continue;
        }
        FUZZ_CHECK(i > start, "empty element in '%.*s'", (int)len, v);
        if (prev != NULL)
            FUZZ_CHECK(before(prev, prev_len, v + start, i - start), "not ascending: '%.*s'",
                       (int)len, v);
        prev = v + start;
        prev_len = i - start;
        items++;
        start = i + 1;
    }
    FUZZ_CHECK(items == count, "%zu names listed, unsafe_header_count %zu", items, count);
}

static void
check_verdict(const struct cors_fetch_verdict *v, const uint8_t *data, size_t size, bool preflight)
{
    FUZZ_CHECK(v->ok == (v->reason == CORS_FETCH_OK), "ok %d reason %s", v->ok,
               cors_fetch_reason_name(v->reason));
    FUZZ_CHECK(strcmp(cors_fetch_reason_name(v->reason), "unknown") != 0, "reason %d",
               (int)v->reason);
    if (v->detail.ptr != NULL)
        FUZZ_CHECK(fuzz_inside(v->detail.ptr, v->detail.len, (const char *)data, size),
                   "detail outside the input");
    FUZZ_CHECK(!v->ok || v->detail.ptr == NULL, "a detail on success");
    if (preflight && v->ok) {
        FUZZ_CHECK(v->max_age >= 0 && v->max_age <= INT64_C(2147483648), "max_age %lld",
                   (long long)v->max_age);
        FUZZ_CHECK(v->max_age_chromium <= CORS_FETCH_MAX_AGE_CHROMIUM &&
                       v->max_age_chromium <= v->max_age,
                   "chromium %lld", (long long)v->max_age_chromium);
        FUZZ_CHECK(v->max_age_firefox <= CORS_FETCH_MAX_AGE_FIREFOX &&
                       v->max_age_firefox <= v->max_age,
                   "firefox %lld", (long long)v->max_age_firefox);
        FUZZ_CHECK(v->max_age_given || v->max_age == CORS_FETCH_MAX_AGE_DEFAULT, "default %lld",
                   (long long)v->max_age);
    }
}

/* The next line of the input (without its '\n'); false at the end. */
static bool
next_line(const char **p, const char *end, struct cors_str *line)
{
    if (*p >= end)
        return false;
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *stop = nl ? nl : end;
    *line = (struct cors_str){*p, (size_t)(stop - *p)};
    *p = nl ? nl + 1 : end;
    return true;
}

static bool
split_header(struct cors_str line, struct cors_fetch_header *h)
{
    const char *colon = memchr(line.ptr, ':', line.len);
    if (colon == NULL)
        return false;
    h->name = (struct cors_str){line.ptr, (size_t)(colon - line.ptr)};
    h->value = (struct cors_str){colon + 1, line.len - h->name.len - 1};
    return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    struct cors_str flags, origin, method, line;
    if (!next_line(&p, end, &flags) || !next_line(&p, end, &origin) || !next_line(&p, end, &method))
        return 0;
    struct cors_fetch_header rq_h[MAX_LINES], rs_h[MAX_LINES];
    struct cors_fetch_request rq = {.origin = origin, .method = method, .headers = rq_h};
    unsigned f = flags.len ? (unsigned char)flags.ptr[0] : 0;
    rq.credentials = (enum cors_fetch_credentials)(f % 3);
    rq.private_network = (f & 4) != 0;
    while (next_line(&p, end, &line) && line.len > 0 && rq.header_count < MAX_LINES)
        if (split_header(line, &rq_h[rq.header_count]))
            rq.header_count++;
    struct cors_fetch_response resp = {200, rs_h, 0};
    if (next_line(&p, end, &line))
        resp.status = (int)(line.len ? (unsigned char)line.ptr[0] * 2 : 200);
    while (next_line(&p, end, &line) && resp.header_count < MAX_LINES)
        if (split_header(line, &rs_h[resp.header_count]))
            resp.header_count++;

    /* (a) the plan, with a small and a sufficient buffer */
    char small[16], big[MAX_LINES * 200];
    struct cors_fetch_plan plan, plan2;
    enum cors_status st = cors_fetch_plan(&rq, small, sizeof small, &plan);
    FUZZ_CHECK(st == CORS_OK || st == CORS_E_NOSPACE, "status %d", (int)st);
    FUZZ_CHECK(strlen(small) < sizeof small, "not NUL-terminated");
    FUZZ_CHECK((st == CORS_E_NOSPACE) == (plan.request_headers_len >= sizeof small),
               "NOSPACE with length %zu", plan.request_headers_len);
    FUZZ_CHECK(cors_fetch_plan(&rq, big, sizeof big, &plan2) == CORS_OK, "big buffer");
    FUZZ_CHECK(plan2.request_headers_len == plan.request_headers_len &&
                   strlen(big) == plan.request_headers_len,
               "lengths %zu %zu %zu", plan.request_headers_len, plan2.request_headers_len,
               strlen(big));
    if (st == CORS_OK)
        FUZZ_CHECK(strcmp(small, big) == 0, "'%s' vs '%s'", small, big);
    if (plan2.reason == CORS_FETCH_OK) {
        check_acrh(big, plan2.request_headers_len, plan2.unsafe_header_count);
        FUZZ_CHECK(plan2.preflight ==
                       (plan2.method_unsafe || plan2.unsafe_header_count > 0 || rq.private_network),
                   "preflight %d", plan2.preflight);
        FUZZ_CHECK(plan2.forbidden_header_count <= rq.header_count, "forbidden count");
    } else {
        FUZZ_CHECK(plan2.reason == CORS_FETCH_METHOD_INVALID ||
                       plan2.reason == CORS_FETCH_METHOD_FORBIDDEN ||
                       plan2.reason == CORS_FETCH_HEADER_INVALID,
                   "plan reason %s", cors_fetch_reason_name(plan2.reason));
    }

    /* (b), (c) */
    struct cors_fetch_verdict pv, av;
    FUZZ_CHECK(cors_fetch_check_preflight(&rq, &resp, &pv) == CORS_OK, "preflight status");
    check_verdict(&pv, data, size, true);
    FUZZ_CHECK(cors_fetch_check_response(&rq, &resp, &av) == CORS_OK, "response status");
    check_verdict(&av, data, size, false);
    if (plan2.reason != CORS_FETCH_OK)
        FUZZ_CHECK(pv.reason == plan2.reason && av.reason == plan2.reason, "throw reasons");

    /* readable names */
    struct cors_str names[MAX_LINES];
    size_t n = cors_fetch_readable_headers(&rq, &resp, names, MAX_LINES);
    FUZZ_CHECK(n <= resp.header_count, "%zu readable of %zu", n, resp.header_count);
    if (!av.ok)
        FUZZ_CHECK(n == 0, "%zu readable after a failed CORS check", n);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(cors_fetch_header_readable(&rq, &resp, names[i]), "listed, not readable");
        for (size_t k = 0; k < i; k++)
            FUZZ_CHECK(names[k].len != names[i].len ||
                           !ieq(names[k].ptr, names[i].ptr, names[i].len),
                       "listed twice");
    }

    /* credentials only make the checks stricter */
    if (rq.credentials == CORS_FETCH_CREDENTIALS_INCLUDE) {
        struct cors_fetch_request omit = rq;
        omit.credentials = CORS_FETCH_CREDENTIALS_OMIT;
        struct cors_fetch_verdict v2;
        if (pv.ok) {
            (void)cors_fetch_check_preflight(&omit, &resp, &v2);
            FUZZ_CHECK(v2.ok, "passes with credentials, fails without: %s",
                       cors_fetch_reason_name(v2.reason));
        }
        if (av.ok) {
            (void)cors_fetch_check_response(&omit, &resp, &v2);
            FUZZ_CHECK(v2.ok, "response passes with credentials, fails without: %s",
                       cors_fetch_reason_name(v2.reason));
        }
    }
    return 0;
}
