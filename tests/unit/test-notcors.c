/*
 * Requests without an Origin header (docs/semantics.md §2 "not-cors", §4.4 Vary;
 * docs/decisions.md "Public policies"): the handler runs, only Vary: Origin
 * is added (or, for a public policy, the same headers as a CORS response).
 *
 * SPDX-License-Identifier: MIT
 */
#include "test-common.h"

#include <string.h>

static const struct policy_spec specs[] = {
    { .origins = LIST("https://a.example") },
    { .origins = LIST("https://a.example"), .credentials = true,
      .expose_headers = LIST("X-E"), .methods = LIST("PUT"), .has_max_age = true,
      .max_age = 5 },
    { .origins = LIST("https://*.example") },
    { .regexes = LIST("https://[a-z]+\\.example") },
    { .origins = LIST("*"), .credentials = true },
    { .origins = LIST("null") },
    { .methods = LIST("GET") }, /* no origins at all */
};

START_TEST(test_not_cors_vary_origin)
{
    struct cors_policy *p = spec_build(&specs[_i]);
    static const char *const methods[] = { "GET", "POST", "OPTIONS", "DELETE" };
    for (size_t m = 0; m < 4; m++) {
        struct eval e;
        eval_spec(p, &(struct req_spec){ .method = methods[m] }, &e);
        ck_assert_int_eq(e.r.decision, CORS_DECISION_NOT_CORS);
        ck_assert_int_eq(e.r.reason, CORS_REASON_NOT_CORS);
        ck_assert(e.r.call_handler);
        ck_assert_int_eq(e.r.status, 0);
        assert_only_vary(&e);
        assert_vary(&e, VARY_ORIGIN);
        ck_assert_uint_eq(e.r.header_count, 2);
    }
    /* the preflight headers without an Origin: still not CORS */
    struct eval e;
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .acrm = "PUT", .acrh = LIST("x-a"),
                                     .acrpn = "true" }, &e);
    ck_assert_int_eq(e.r.decision, CORS_DECISION_NOT_CORS);
    ck_assert(e.r.call_handler);
    assert_only_vary(&e);
    assert_vary(&e, VARY_ORIGIN);
    cors_policy_unref(p);
}
END_TEST

/* origins non-NULL but origin_count 0 is "no Origin header". */
START_TEST(test_origin_count_zero)
{
    struct cors_policy *p = spec_build(&specs[0]);
    struct eval e;
    struct cors_str o = CORS_STR("https://a.example");
    req_from_spec(&(struct req_spec){ .method = "GET" }, &e);
    e.req.origins = &o;
    e.req.origin_count = 0;
    eval_request(p, &e);
    ck_assert_int_eq(e.r.decision, CORS_DECISION_NOT_CORS);
    assert_vary(&e, VARY_ORIGIN);
    assert_header(&e, H_ACAO, NULL);
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_public_not_cors)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){
        .origins = LIST("*"), .expose_headers = LIST("X-E", "X-F"), .methods = LIST("PUT") });
    struct eval e, cors;
    eval_spec(p, &(struct req_spec){ .method = "GET" }, &e);
    ck_assert_int_eq(e.r.decision, CORS_DECISION_NOT_CORS);
    ck_assert(e.r.call_handler);
    assert_header(&e, H_ACAO, "*");
    assert_header(&e, H_ACEH, "x-e,x-f");
    assert_vary(&e, NULL);
    ck_assert_uint_eq(e.r.header_count, 3);
    /* identical to the CORS response, so a shared cache may serve either */
    eval_spec(p, &(struct req_spec){ .method = "GET", .origin = "https://x.example" }, &cors);
    ck_assert_uint_eq(cors.r.header_count, e.r.header_count);
    for (size_t i = 0; i < e.r.header_count; i++) {
        ck_assert_uint_eq(e.h[i].op, cors.h[i].op);
        ck_assert_uint_eq(e.h[i].name.len, cors.h[i].name.len);
        ck_assert_int_eq(memcmp(e.h[i].name.ptr, cors.h[i].name.ptr, e.h[i].name.len), 0);
        ck_assert_uint_eq(e.h[i].value.len, cors.h[i].value.len);
        ck_assert_int_eq(memcmp(e.h[i].value.ptr, cors.h[i].value.ptr, e.h[i].value.len), 0);
    }
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_report_only_not_cors)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){ .origins = LIST("https://a.example"),
                                                              .report_only = true });
    struct eval e;
    eval_spec(p, &(struct req_spec){ .method = "GET" }, &e);
    ck_assert_int_eq(e.r.decision, CORS_DECISION_NOT_CORS);
    ck_assert_int_eq(e.r.reason, CORS_REASON_NOT_CORS);
    ck_assert(e.r.report_only);
    ck_assert(e.r.call_handler);
    ck_assert_uint_eq(e.r.header_count, 0);
    cors_policy_unref(p);
}
END_TEST

static Suite *
notcors_suite(void)
{
    Suite *s = suite_create("not-cors");
    TCase *tc = tcase_create("not-cors");
    tcase_add_loop_test(tc, test_not_cors_vary_origin, 0, (int)(sizeof specs / sizeof specs[0]));
    tcase_add_test(tc, test_origin_count_zero);
    tcase_add_test(tc, test_public_not_cors);
    tcase_add_test(tc, test_report_only_not_cors);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(notcors_suite());
}
