/*
 * The output array and argument handling of cors_evaluate() (cors.h):
 * CORS_E_NOSPACE with the needed count and no write past the capacity,
 * CORS_E_INVALID_ARGUMENT, CORS_HEADERS_MAX suffices for the largest result,
 * request slices read only up to their lengths (guard pages), borrowed
 * values stay valid while the policy and request live.
 *
 * SPDX-License-Identifier: MIT
 */
#include "test-common.h"

#include <stdio.h>
#include <string.h>

#define ORIGIN "https://app.example.com"

static const struct policy_spec big_spec = {
    .origins = LIST(ORIGIN),
    .methods = LIST("GET", "PUT", "DELETE", "PATCH"),
    .allow_headers = LIST("*"),
    .expose_headers = LIST("X-A", "X-B"),
    .has_max_age = true,
    .max_age = 600,
    .credentials = true,
    .private_network = true,
};

/* Requests producing results of many sizes (0 to the largest). */
static const struct req_spec requests[] = {
    { .method = "GET" },
    { .method = "GET", .origin = ORIGIN },
    { .method = "GET", .origin = "https://evil.example" },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT" },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT", .acrh = LIST("x-a, x-b") },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT", .acrpn = "true",
      .acrh = LIST("x-1", "x-2", "x-3", "x-4", "x-5", "x-6", "x-7", "x-8") },
    { .method = "OPTIONS", .origin = "https://evil.example", .acrm = "PUT" },
};

START_TEST(test_largest_result_fits)
{
    struct cors_policy *p = spec_build(&big_spec);
    struct eval e;
    eval_spec(p, &requests[5], &e);
    ck_assert(e.r.allowed);
    /* REMOVE ACAO ACAC ACAM ACAH*8 ACEH ACMA ACAPN Vary */
    ck_assert_uint_eq(e.r.header_count, 16);
    ck_assert_uint_le(e.r.header_count, CORS_HEADERS_MAX);
    assert_header(&e, H_ACAPN, "true");
    assert_header(&e, H_ACAH, "x-1,x-2,x-3,x-4,x-5,x-6,x-7,x-8");
    cors_policy_unref(p);
}
END_TEST

static bool
same_result(const struct cors_result *a, const struct cors_result *b)
{
    return a->decision == b->decision && a->allowed == b->allowed && a->reason == b->reason &&
           a->call_handler == b->call_handler && a->status == b->status &&
           a->report_only == b->report_only;
}

/* Evaluates spec at capacity cap into e and r (the array filled with 0xA5
 * and r with fill first) and checks it against full, the result with room
 * for every header: CORS_E_NOSPACE below need and CORS_OK from it, the count
 * and fields of full, nothing written past cap, and full's headers when they
 * fit. what names the case in messages. */
static void
check_capacity(struct cors_policy *p, const struct req_spec *spec, const struct eval *full,
               size_t cap, unsigned char fill, struct eval *e, struct cors_result *r,
               const char *what)
{
    size_t need = full->r.header_count;
    req_from_spec(spec, e);
    memset(e->h, 0xA5, sizeof e->h);
    memset(r, fill, sizeof *r);
    enum cors_status st = cors_evaluate(p, &e->req, e->h, cap, r);
    ck_assert_msg(st == (cap < need ? CORS_E_NOSPACE : CORS_OK), "%s cap %zu: %s", what, cap,
                  cors_status_name(st));
    ck_assert_msg(r->header_count == need, "%s cap %zu: header_count %zu, need %zu", what, cap,
                  r->header_count, need);
    ck_assert(same_result(r, &full->r));
    const unsigned char *raw = (const unsigned char *)&e->h[cap];
    for (size_t b = 0; b < sizeof e->h - cap * sizeof e->h[0]; b++)
        ck_assert_msg(raw[b] == 0xA5, "%s cap %zu: wrote past capacity", what, cap);
    for (size_t i = 0; cap >= need && i < need; i++) {
        ck_assert_int_eq(e->h[i].op, full->h[i].op);
        ck_assert_uint_eq(e->h[i].name.len, full->h[i].name.len);
        ck_assert_int_eq(memcmp(e->h[i].name.ptr, full->h[i].name.ptr, e->h[i].name.len), 0);
        ck_assert_uint_eq(e->h[i].value.len, full->h[i].value.len);
        ck_assert_int_eq(memcmp(e->h[i].value.ptr, full->h[i].value.ptr, e->h[i].value.len), 0);
    }
}

START_TEST(test_nospace)
{
    struct cors_policy *p = spec_build(&big_spec);
    for (size_t k = 0; k < sizeof requests / sizeof requests[0]; k++) {
        struct eval full;
        eval_spec(p, &requests[k], &full);
        size_t need = full.r.header_count;
        char what[32];
        snprintf(what, sizeof what, "request %zu", k);
        for (size_t cap = 0; cap <= need; cap++) {
            struct eval e;
            struct cors_result r;
            check_capacity(p, &requests[k], &full, cap, 0, &e, &r, what);
        }
        /* capacity 0 with no array at all */
        struct eval e;
        req_from_spec(&requests[k], &e);
        struct cors_result r;
        enum cors_status st = cors_evaluate(p, &e.req, NULL, 0, &r);
        ck_assert_int_eq(st, need == 0 ? CORS_OK : CORS_E_NOSPACE);
        ck_assert_uint_eq(r.header_count, need);
    }
    cors_policy_unref(p);
}
END_TEST

/*
 * Every kind of result (not CORS, actual allowed and refused, preflight
 * answered with and without Private Network, refused origin, malformed
 * method, method and header not allowed) under policies whose results
 * cors_evaluate() copies whole when the array has room for them: at every
 * capacity from 0 to one past the need, CORS_E_NOSPACE exactly below it,
 * header_count always the need, the same decision and matched entry, no
 * write past the capacity, and the same headers once they fit. Policy 0's
 * Private Network preflight has 9 headers, the most a copied result holds;
 * policy 5 (allowHeaders "*") has the request's header lines put into it.
 */
static struct cors_policy *
build_kind_policy(int i)
{
    const struct policy_spec specs[] = {
        { .origins = LIST("https://app.example.com", "https://b.example"),
         .methods = LIST("GET", "PUT", "DELETE"),
         .allow_headers = LIST("x-a", "authorization"),
         .expose_headers = LIST("X-A"),
         .has_max_age = true,
         .max_age = 600,
         .credentials = true,
         .private_network = true },
        { .origins = LIST("*"), .expose_headers = LIST("X-A", "X-B") },
        { .origins = LIST("https://app.example.com"),
         .methods = LIST("*"),
         .allow_headers = LIST("x-a"),
         .credentials = true },
        { .origins = LIST("https://app.example.com"), .report_only = true },
        { .origins = LIST("https://app.example.com"), .methods = LIST("PUT") },
        { .origins = LIST("https://app.example.com"),
          .methods = LIST("PUT"),
          .allow_headers = LIST("*"),
          .expose_headers = LIST("X-A"),
          .has_max_age = true,
          .max_age = 60,
          .private_network = true },
    };
    struct cors_policy_builder *b = spec_builder(&specs[i], NULL);
    if (i <= 1)
        ck_assert_int_eq(cors_policy_builder_set_timing_allow_origin(b, true), CORS_OK);
    if (i == 4)
        ck_assert_int_eq(cors_policy_builder_set_enforce_percent(b, 50), CORS_OK);
    enum cors_status st;
    struct cors_policy *p = cors_policy_build(b, 0, NULL, &st);
    ck_assert_msg(p != NULL, "policy %d: %s", i, cors_status_name(st));
    cors_policy_builder_free(b);
    return p;
}

static const struct req_spec kind_requests[] = {
    { .method = "GET" },
    { .method = "GET", .origin = ORIGIN },
    { .method = "GET", .origin = "https://evil.example" },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT", .acrh = LIST("x-a") },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT", .acrpn = "true" },
    { .method = "OPTIONS", .origin = "https://evil.example", .acrm = "PUT" },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "P T" },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "PATCH" },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT", .acrh = LIST("x-b") },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT", .acrpn = "true",
      .acrh = LIST("x-a", " , ", "x-b, x-c") },
};

START_TEST(test_nospace_every_kind)
{
    struct cors_policy *p = build_kind_policy(_i);
    for (size_t k = 0; k < sizeof kind_requests / sizeof kind_requests[0]; k++) {
        struct eval full;
        eval_spec(p, &kind_requests[k], &full);
        size_t need = full.r.header_count;
        ck_assert_uint_le(need, _i == 5 ? 11 : 9);
        char what[48];
        snprintf(what, sizeof what, "policy %d request %zu", _i, k);
        for (size_t cap = 0; cap <= need + 1; cap++) {
            struct eval e;
            struct cors_result r;
            check_capacity(p, &kind_requests[k], &full, cap, 0x5A, &e, &r, what);
            ck_assert_int_eq(r.matched_field, full.r.matched_field);
            ck_assert_uint_eq(r.matched_index, full.r.matched_index);
            ck_assert_ptr_eq(r.headers, e.h);
        }
    }
    /* a capacity of SIZE_MAX is as good as CORS_HEADERS_MAX (cors.h: that
     * always suffices), whether or not the result is copied whole */
    for (size_t k = 0; k < sizeof kind_requests / sizeof kind_requests[0]; k++) {
        struct eval full, e;
        eval_spec(p, &kind_requests[k], &full);
        req_from_spec(&kind_requests[k], &e);
        struct cors_result r;
        ck_assert_int_eq(cors_evaluate(p, &e.req, e.h, SIZE_MAX, &r), CORS_OK);
        ck_assert_uint_eq(r.header_count, full.r.header_count);
        ck_assert(same_result(&r, &full.r));
        for (size_t i = 0; i < r.header_count; i++) {
            ck_assert_int_eq(e.h[i].op, full.h[i].op);
            ck_assert_uint_eq(e.h[i].value.len, full.h[i].value.len);
            ck_assert_int_eq(memcmp(e.h[i].value.ptr, full.h[i].value.ptr, e.h[i].value.len), 0);
        }
    }
    /* the largest: a Private Network preflight of policy 0 */
    if (_i == 0) {
        struct eval e;
        eval_spec(p, &kind_requests[4], &e);
        ck_assert_uint_eq(e.r.header_count, 9);
        assert_header(&e, H_ACAPN, "true");
        assert_header(&e, H_ACAO, ORIGIN);
    }
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_invalid_arguments)
{
    struct cors_policy *p = spec_build(&big_spec);
    struct eval e;
    req_from_spec(&requests[1], &e);
    struct cors_result r;
    ck_assert_int_eq(cors_evaluate(NULL, &e.req, e.h, CORS_HEADERS_MAX, &r),
                     CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_evaluate(p, NULL, e.h, CORS_HEADERS_MAX, &r), CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_evaluate(p, &e.req, e.h, CORS_HEADERS_MAX, NULL),
                     CORS_E_INVALID_ARGUMENT);
    cors_policy_unref(p);
}
END_TEST

/* Every request slice lives at the end of a page followed by an inaccessible
 * page: reading one byte past a length crashes the test. */
START_TEST(test_guarded_request)
{
    struct cors_policy *policies[] = {
        spec_build(&big_spec),
        spec_build(&(struct policy_spec){ .origins = LIST("https://*.example.com", "null"),
                                          .regexes = LIST("https://r[0-9]+\\.example\\.net"),
                                          .methods = LIST("*"),
                                          .allow_headers = LIST("X-A", "X-B") }),
        spec_build(&(struct policy_spec){ .origins = LIST("*"), .methods = LIST("*"),
                                          .allow_headers = LIST("*") }),
    };
    static const char *const origins[] = {
        ORIGIN, "https://a.example.com", "https://r12.example.net", "null", "https://evil.test",
        "https://app.example.com:8443", "https://[::1]:8080", "http://127.0.0.1", "",
        "https://app.example.com/", "https://APP.example.com", "https://", "h",
    };
    static const char *const acrms[] = { NULL, "GET", "PUT", "", "GET, PUT", "PATCH", "P" };
    static const char *const acrhs[] = { NULL, "", "x-a", "x-a, x-b", "x-a,,x-b ", "x y",
                                         "authorization", "," };
    static const char *const acrpns[] = { NULL, "true", "", "t" };
    for (size_t pi = 0; pi < 3; pi++)
        for (size_t o = 0; o < sizeof origins / sizeof origins[0]; o++)
            for (size_t m = 0; m < sizeof acrms / sizeof acrms[0]; m++)
                for (size_t h = 0; h < sizeof acrhs / sizeof acrhs[0]; h++) {
                    struct cors_str gorigin = guarded_str(origins[o], strlen(origins[o]));
                    struct cors_str gline;
                    struct eval e;
                    memset(&e, 0, sizeof e);
                    e.req.method = guarded_str(acrms[m] != NULL ? "OPTIONS" : "GET",
                                               acrms[m] != NULL ? 7 : 3);
                    e.req.origins = &gorigin;
                    e.req.origin_count = 1;
                    if (acrms[m] != NULL)
                        e.req.request_method = guarded_str(acrms[m], strlen(acrms[m]));
                    if (acrhs[h] != NULL) {
                        gline = guarded_str(acrhs[h], strlen(acrhs[h]));
                        e.req.request_headers = &gline;
                        e.req.request_header_count = 1;
                    }
                    const char *pn = acrpns[(o + m + h) % 4];
                    if (pn != NULL)
                        e.req.request_private_network = guarded_str(pn, strlen(pn));
                    eval_request(policies[pi], &e);
                    guard_free_all();
                }
    for (size_t pi = 0; pi < 3; pi++)
        cors_policy_unref(policies[pi]);
}
END_TEST

/* Borrowed values: policy strings live while the caller holds a reference,
 * echoed ones while the request buffers live. */
START_TEST(test_borrowed_lifetimes)
{
    struct cors_policy *p = spec_build(&big_spec);
    struct eval e;
    char origin[] = ORIGIN;
    char lines[2][16] = { "x-a", "x-b" };
    struct cors_str hl[2] = { cors_str_from_cstr(lines[0]), cors_str_from_cstr(lines[1]) };
    struct cors_str o = cors_str_from_cstr(origin);
    memset(&e, 0, sizeof e);
    e.req.method = CORS_STR("OPTIONS");
    e.req.origins = &o;
    e.req.origin_count = 1;
    e.req.request_method = CORS_STR("PUT");
    e.req.request_headers = hl;
    e.req.request_header_count = 2;
    eval_request(p, &e);
    ck_assert(e.r.allowed);
    /* a second evaluation into another array does not disturb the first */
    struct eval e2;
    eval_spec(p, &(struct req_spec){ .method = "GET", .origin = "https://evil.example" }, &e2);
    assert_header(&e, H_ACAO, ORIGIN);
    assert_header(&e, H_ACAM, "GET,PUT,DELETE,PATCH");
    assert_header(&e, H_ACAH, "x-a,x-b");
    assert_header(&e, H_ACEH, "x-a,x-b");
    cors_policy_unref(p);
}
END_TEST

/* Random requests from an alphabet of the bytes that matter (separators,
 * CR/LF/NUL, non-ASCII, upper case): every result satisfies the invariants
 * (names canonical, no CR/LF/NUL in values, APPEND after SET, ...), and the
 * evaluation never fails on a full-size array. Deterministic seed. */
static uint32_t rng_state = 4242;

static uint32_t
rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

static size_t
random_bytes(char *buf, size_t max)
{
    static const char alphabet[] = "abcxyzAZ09-._:/*[]@?#%, \t\r\n\0\x7f\xc3\xa9";
    static const char *const pieces[] = { "https://", "http://", "app.example.com", "null",
                                          ":8443", "x-a", "GET", "PUT", "OPTIONS", "true",
                                          "*.", "[::1]", ", ", "authorization" };
    size_t n = 0, want = rng() % max;
    while (n < want) {
        if (rng() % 3 == 0) {
            const char *p = pieces[rng() % (sizeof pieces / sizeof pieces[0])];
            size_t l = strlen(p);
            if (n + l > max)
                break;
            memcpy(buf + n, p, l);
            n += l;
        } else {
            buf[n++] = alphabet[rng() % (sizeof alphabet - 1)];
        }
    }
    return n;
}

START_TEST(test_random_requests)
{
    struct cors_policy *policies[] = {
        spec_build(&big_spec),
        spec_build(&(struct policy_spec){ .origins = LIST("*") }),
        spec_build(&(struct policy_spec){ .origins = LIST("https://*.example.com", "null"),
                                          .regexes = LIST("https://[a-z]+\\.example\\.com"),
                                          .methods = LIST("*"), .allow_headers = LIST("*"),
                                          .credentials = true, .forward_rejected = true }),
    };
    static char bufs[6][96];
    for (int iter = 0; iter < 6000; iter++) {
        struct cors_str origins[2], lines[3];
        struct eval e;
        memset(&e, 0, sizeof e);
        size_t n = random_bytes(bufs[0], sizeof bufs[0]);
        e.req.method = rng() % 2 ? CORS_STR("OPTIONS") : (struct cors_str){ bufs[0], n };
        origins[0] = (struct cors_str){ bufs[1], random_bytes(bufs[1], sizeof bufs[1]) };
        origins[1] = (struct cors_str){ bufs[2], random_bytes(bufs[2], sizeof bufs[2]) };
        e.req.origins = origins;
        e.req.origin_count = rng() % 8 == 0 ? 2 : rng() % 8 == 0 ? 0 : 1;
        if (rng() % 4 != 0)
            e.req.request_method = (struct cors_str){ bufs[3],
                                                      random_bytes(bufs[3], sizeof bufs[3]) };
        lines[0] = (struct cors_str){ bufs[4], random_bytes(bufs[4], sizeof bufs[4]) };
        lines[1] = (struct cors_str){ bufs[5], random_bytes(bufs[5], sizeof bufs[5]) };
        lines[2] = CORS_STR("x-a");
        e.req.request_headers = lines;
        e.req.request_header_count = rng() % 4;
        if (rng() % 2)
            e.req.request_private_network = rng() % 2 ? CORS_STR("true") : lines[0];
        eval_request(policies[iter % 3], &e);
    }
    for (size_t i = 0; i < 3; i++)
        cors_policy_unref(policies[i]);
}
END_TEST

static Suite *
output_suite(void)
{
    Suite *s = suite_create("output");
    TCase *tc = tcase_create("output");
    tcase_add_test(tc, test_largest_result_fits);
    tcase_add_test(tc, test_nospace);
    tcase_add_loop_test(tc, test_nospace_every_kind, 0, 6);
    tcase_add_test(tc, test_invalid_arguments);
    tcase_add_test(tc, test_guarded_request);
    tcase_add_test(tc, test_borrowed_lifetimes);
    tcase_add_test(tc, test_random_requests);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(output_suite());
}
