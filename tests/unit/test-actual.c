/*
 * Actual CORS requests (docs/semantics.md §2, §4.1, §4.3; docs/decisions.md "Public policies",
 * "Headers and lists"): allowed and rejected origins, credentials, exposed
 * headers, public policies, report-only. The handler always runs.
 *
 * SPDX-License-Identifier: MIT
 */
#include "test-common.h"

#define ORIGIN "https://app.example.com"

static const struct policy_spec full_spec = {
    .origins = LIST(ORIGIN, "https://*.example.org"),
    .regexes = LIST("https://pr-[0-9]+\\.preview\\.example\\.net"),
    .methods = LIST("GET", "PUT"),
    .allow_headers = LIST("X-Custom"),
    .expose_headers = LIST("X-Request-Id", "X-Total"),
    .has_max_age = true,
    .max_age = 600,
    .credentials = true,
    .private_network = true,
};

static void
actual(const struct cors_policy *p, const char *method, const char *origin, struct eval *e)
{
    eval_spec(p, &(struct req_spec){ .method = method, .origin = origin }, e);
    ck_assert_int_eq(e->r.decision, CORS_DECISION_ACTUAL);
    ck_assert(e->r.call_handler);
    ck_assert_int_eq(e->r.status, 0);
}

START_TEST(test_allowed)
{
    struct cors_policy *p = spec_build(&full_spec);
    static const char *const methods[] = { "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS",
                                           "HEAD", "get", "X-CUSTOM" };
    static const char *const origins[] = { ORIGIN, "https://a.example.org",
                                           "https://pr-12.preview.example.net" };
    for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++)
        for (size_t o = 0; o < 3; o++) {
            struct eval e;
            actual(p, methods[m], origins[o], &e);
            ck_assert_msg(e.r.allowed, "%s %s: %s", methods[m], origins[o],
                          cors_reason_name(e.r.reason));
            ck_assert_int_eq(e.r.reason, CORS_REASON_ALLOWED);
            ck_assert(!e.r.report_only);
            assert_header(&e, H_ACAO, origins[o]);
            assert_header(&e, H_ACAC, "true");
            assert_header(&e, H_ACEH, "x-request-id,x-total");
            assert_header(&e, H_ACAM, NULL);
            assert_header(&e, H_ACAH, NULL);
            assert_header(&e, H_ACMA, NULL);
            assert_header(&e, H_ACAPN, NULL);
            assert_vary(&e, VARY_ORIGIN);
            ck_assert_uint_eq(e.r.header_count, 5); /* REMOVE_ACCESS_CONTROL first */;
        }
    cors_policy_unref(p);
}
END_TEST

/* Stray preflight headers on a non-OPTIONS request change nothing. */
START_TEST(test_stray_preflight_headers)
{
    struct cors_policy *p = spec_build(&full_spec);
    struct eval e;
    eval_spec(p, &(struct req_spec){ .method = "GET", .origin = ORIGIN, .acrm = "DELETE",
                                     .acrh = LIST("x y z"), .acrpn = "true" }, &e);
    ck_assert_int_eq(e.r.decision, CORS_DECISION_ACTUAL);
    ck_assert(e.r.allowed);
    assert_header(&e, H_ACAO, ORIGIN);
    assert_header(&e, H_ACAM, NULL);
    assert_vary(&e, VARY_ORIGIN);
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_not_allowed)
{
    struct cors_policy *p = spec_build(&full_spec);
    struct {
        const char *origin;
        enum cors_reason reason;
    } cases[] = {
        { "https://evil.example", CORS_REASON_ORIGIN_NOT_ALLOWED },
        { "https://example.org", CORS_REASON_ORIGIN_NOT_ALLOWED },
        { "http://app.example.com", CORS_REASON_ORIGIN_NOT_ALLOWED },
        { "null", CORS_REASON_ORIGIN_NOT_ALLOWED },
        { "https://pr-x.preview.example.net", CORS_REASON_ORIGIN_NOT_ALLOWED },
        { "https://app.example.com/", CORS_REASON_ORIGIN_MALFORMED },
        { "https://APP.example.com", CORS_REASON_ORIGIN_MALFORMED },
        { "", CORS_REASON_ORIGIN_MALFORMED },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct eval e;
        actual(p, "GET", cases[i].origin, &e);
        ck_assert_msg(e.r.reason == cases[i].reason, "'%s': %s", cases[i].origin,
                      cors_reason_name(e.r.reason));
        ck_assert(!e.r.allowed);
        assert_only_vary(&e);
        assert_vary(&e, VARY_ORIGIN);
        ck_assert_uint_eq(e.r.header_count, 2);
    }
    struct eval e;
    eval_spec(p, &(struct req_spec){ .method = "POST",
                                     .origins = LIST(ORIGIN, ORIGIN) }, &e);
    ck_assert_int_eq(e.r.reason, CORS_REASON_ORIGIN_MULTIPLE);
    ck_assert(e.r.call_handler);
    assert_only_vary(&e);
    assert_vary(&e, VARY_ORIGIN);
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_without_credentials)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){ .origins = LIST(ORIGIN) });
    struct eval e;
    actual(p, "GET", ORIGIN, &e);
    ck_assert(e.r.allowed);
    assert_header(&e, H_ACAO, ORIGIN);
    assert_header(&e, H_ACAC, NULL);
    assert_header(&e, H_ACEH, NULL);
    assert_vary(&e, VARY_ORIGIN);
    ck_assert_uint_eq(e.r.header_count, 3);
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_expose_star)
{
    struct eval e;
    struct cors_policy *p = spec_build(&(struct policy_spec){ .origins = LIST(ORIGIN),
                                                              .expose_headers = LIST("*") });
    actual(p, "GET", ORIGIN, &e);
    assert_header(&e, H_ACEH, "*");
    cors_policy_unref(p);
    /* decisions.md: with credentials it is still emitted as '*' */
    p = spec_build(&(struct policy_spec){ .origins = LIST(ORIGIN), .expose_headers = LIST("*"),
                                          .credentials = true });
    actual(p, "GET", ORIGIN, &e);
    assert_header(&e, H_ACEH, "*");
    assert_header(&e, H_ACAC, "true");
    cors_policy_unref(p);
}
END_TEST

/* Expose names are lower-cased and joined with ',' in configuration order. */
START_TEST(test_expose_list_format)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){
        .origins = LIST(ORIGIN), .expose_headers = LIST("X-B", "Content-Disposition", "x-a") });
    struct eval e;
    actual(p, "GET", ORIGIN, &e);
    assert_header(&e, H_ACEH, "x-b,content-disposition,x-a");
    cors_policy_unref(p);
}
END_TEST

/* A policy whose origins are '*' without credentials sends the literal '*'
 * and the exposed headers on every response, and no Vary. */
START_TEST(test_public_policy)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){ .origins = LIST("*"),
                                                              .expose_headers = LIST("X-E") });
    static const char *const origins[] = { "https://a.example", "http://localhost:1",
                                           "null", "chrome-extension://abc" };
    struct eval e;
    for (size_t i = 0; i < 4; i++) {
        actual(p, "GET", origins[i], &e);
        ck_assert(e.r.allowed);
        assert_header(&e, H_ACAO, "*");
        assert_header(&e, H_ACEH, "x-e");
        assert_header(&e, H_ACAC, NULL);
        assert_vary(&e, NULL);
        ck_assert_uint_eq(e.r.header_count, 3);
    }
    /* a malformed origin: verdict origin-malformed, headers still public */
    actual(p, "GET", "https://A.example/", &e);
    ck_assert(!e.r.allowed);
    ck_assert_int_eq(e.r.reason, CORS_REASON_ORIGIN_MALFORMED);
    assert_header(&e, H_ACAO, "*");
    assert_header(&e, H_ACEH, "x-e");
    assert_vary(&e, NULL);
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_star_with_credentials)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){ .origins = LIST("*"),
                                                              .credentials = true });
    struct eval e;
    actual(p, "PUT", "https://anything.example:8443", &e);
    ck_assert(e.r.allowed);
    assert_header(&e, H_ACAO, "https://anything.example:8443");
    assert_header(&e, H_ACAC, "true");
    assert_vary(&e, VARY_ORIGIN);
    actual(p, "PUT", "null", &e);
    ck_assert(!e.r.allowed);
    ck_assert_int_eq(e.r.reason, CORS_REASON_ORIGIN_NOT_ALLOWED);
    assert_only_vary(&e);
    assert_vary(&e, VARY_ORIGIN);
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_report_only)
{
    struct policy_spec s = full_spec;
    s.report_only = true;
    struct cors_policy *p = spec_build(&s);
    struct eval e;
    actual(p, "GET", ORIGIN, &e);
    ck_assert(e.r.report_only);
    ck_assert(e.r.allowed);
    ck_assert_int_eq(e.r.reason, CORS_REASON_ALLOWED);
    ck_assert_uint_eq(e.r.header_count, 0);
    actual(p, "GET", "https://evil.example", &e);
    ck_assert(e.r.report_only);
    ck_assert(!e.r.allowed);
    ck_assert_int_eq(e.r.reason, CORS_REASON_ORIGIN_NOT_ALLOWED);
    ck_assert_uint_eq(e.r.header_count, 0);
    cors_policy_unref(p);
    /* a public report-only policy returns nothing either */
    p = spec_build(&(struct policy_spec){ .origins = LIST("*"), .report_only = true });
    actual(p, "GET", "https://x.example", &e);
    ck_assert(e.r.report_only);
    ck_assert_uint_eq(e.r.header_count, 0);
    cors_policy_unref(p);
}
END_TEST

/* The policy's preflight settings never affect actual responses. */
START_TEST(test_preflight_settings_ignored)
{
    struct policy_spec s = full_spec;
    s.preflight_status = 204;
    s.reject_status = 200;
    s.forward_rejected = true;
    struct cors_policy *p = spec_build(&s);
    struct eval e;
    actual(p, "DELETE", "https://evil.example", &e);
    ck_assert(!e.r.allowed);
    assert_only_vary(&e);
    actual(p, "DELETE", ORIGIN, &e);
    ck_assert(e.r.allowed);
    cors_policy_unref(p);
}
END_TEST

static Suite *
actual_suite(void)
{
    Suite *s = suite_create("actual");
    TCase *tc = tcase_create("actual");
    tcase_add_test(tc, test_allowed);
    tcase_add_test(tc, test_stray_preflight_headers);
    tcase_add_test(tc, test_not_allowed);
    tcase_add_test(tc, test_without_credentials);
    tcase_add_test(tc, test_expose_star);
    tcase_add_test(tc, test_expose_list_format);
    tcase_add_test(tc, test_public_policy);
    tcase_add_test(tc, test_star_with_credentials);
    tcase_add_test(tc, test_report_only);
    tcase_add_test(tc, test_preflight_settings_ignored);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(actual_suite());
}
