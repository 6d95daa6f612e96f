/*
 * One regression test per common bug class of CORS libraries and gateways
 * (the bugs that docs/semantics.md's rules exist to prevent). Each test names
 * its class and the issues behind it.
 *
 * SPDX-License-Identifier: MIT
 */
#include "test-common.h"

#include <stdlib.h>
#include <string.h>

#define ORIGIN "https://app.example.com"

/* d.2.1 Missing Vary: Origin -> cache poisoning (envoy #35873, rs/cors #10,
 * expressjs/cors #106 no Vary when rejected, jetty #1927 Vary needed on
 * non-CORS responses too). */
START_TEST(test_d2_01_missing_vary)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){ .origins = LIST(ORIGIN) });
    struct eval e;
    eval_spec(p, &(struct req_spec){ .origin = ORIGIN }, &e);
    assert_vary(&e, VARY_ORIGIN);
    eval_spec(p, &(struct req_spec){ .origin = "https://evil.example" }, &e); /* rejected */
    assert_vary(&e, VARY_ORIGIN);
    eval_spec(p, &(struct req_spec){ .method = "GET" }, &e);                  /* non-CORS */
    assert_vary(&e, VARY_ORIGIN);
    cors_policy_unref(p);
}
END_TEST

/* d.2.2 Vary clobbering / duplication (tower-http #397 inner Vary dropped,
 * #598 duplicated Vary when cascading). */
START_TEST(test_d2_02_vary_clobbering)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){ .origins = LIST(ORIGIN) });
    struct eval e;
    eval_spec(p, &(struct req_spec){ .origin = ORIGIN }, &e);
    const struct cors_header *v = find_header(&e, H_VARY);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->op, CORS_HEADER_MERGE_VARY); /* merged, never set */
    char once[128], twice[128];
    cors_merge_vary(CORS_STR("Accept-Encoding"), v->value, once, sizeof once);
    ck_assert(name_list_equal(cors_str_from_cstr(once), LIST("Accept-Encoding", "Origin")));
    /* cascading: applying it again adds nothing */
    cors_merge_vary(cors_str_from_cstr(once), v->value, twice, sizeof twice);
    ck_assert_str_eq(once, twice);
    cors_policy_unref(p);
}
END_TEST

/* d.2.3 Regex mistakes: unanchored or unescaped dots (expressjs/cors #408
 * /example\.com$/ admits evil-example.com; sanic-cors CVE re.match;
 * globalping #851 unescaped '.'). */
START_TEST(test_d2_03_regex_anchoring_and_dots)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){
        .regexes = LIST("https://example\\.com") });
    struct eval e;
    eval_spec(p, &(struct req_spec){ .origin = "https://evil-example.com" }, &e);
    ck_assert(!e.r.allowed);
    eval_spec(p, &(struct req_spec){ .origin = "https://example.com.evil.test" }, &e);
    ck_assert(!e.r.allowed);
    eval_spec(p, &(struct req_spec){ .origin = "https://example.com" }, &e);
    ck_assert(e.r.allowed);
    cors_policy_unref(p);
    /* an unescaped dot is reported */
    struct cors_diagnostics *d = spec_build_ok_diags(
        &(struct policy_spec){ .regexes = LIST("https://www.example\\.com") }, 0);
    ck_assert_ptr_nonnull(diag_find(d, CORS_DIAG_REGEX_UNESCAPED_DOT, 0));
    cors_diagnostics_free(d);
}
END_TEST

/* d.2.4 Stateful regex alternating allow/deny (fastify-cors #151, medusa
 * #16417: /g regexes keep lastIndex). The same request always gets the same
 * answer. */
START_TEST(test_d2_04_stateless_regex)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){
        .regexes = LIST("https://[a-z]+\\.example\\.com") });
    for (int i = 0; i < 50; i++) {
        struct eval e;
        eval_spec(p, &(struct req_spec){ .origin = "https://app.example.com" }, &e);
        ck_assert_msg(e.r.allowed, "iteration %d", i);
        eval_spec(p, &(struct req_spec){ .origin = "https://no.example.org" }, &e);
        ck_assert_msg(!e.r.allowed, "iteration %d", i);
    }
    cors_policy_unref(p);
}
END_TEST

/* d.2.5 Wildcard + credentials = origin reflection to anyone (rs/cors #197
 * "h*" bypass, ag-ui #2548 null + credentials). */
START_TEST(test_d2_05_wildcard_credentials_reflection)
{
    /* a glob in the middle of a host is refused, not silently broad */
    struct cors_diagnostics *d = spec_build_fails(
        &(struct policy_spec){ .origins = LIST("https://h*"), .credentials = true }, 0);
    ck_assert_ptr_nonnull(diag_find(d, CORS_DIAG_ORIGIN_WILDCARD_MISPLACED, 0));
    cors_diagnostics_free(d);
    /* '*' with credentials is warned about and never reflects null */
    d = spec_build_ok_diags(&(struct policy_spec){ .origins = LIST("*"), .credentials = true }, 0);
    ck_assert_ptr_nonnull(diag_find(d, CORS_DIAG_ORIGIN_STAR_WITH_CREDENTIALS, 0));
    cors_diagnostics_free(d);
    struct cors_policy *p = spec_build(&(struct policy_spec){ .origins = LIST("*"),
                                                              .credentials = true });
    struct eval e;
    eval_spec(p, &(struct req_spec){ .origin = "null" }, &e);
    ck_assert(!e.r.allowed);
    assert_header(&e, H_ACAO, NULL);
    assert_header(&e, H_ACAC, NULL);
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = "null", .acrm = "GET" }, &e);
    assert_header(&e, H_ACAO, NULL);
    assert_header(&e, H_ACAC, NULL);
    cors_policy_unref(p);
}
END_TEST

/* d.2.6 Origin-matcher logic errors (jub0bs GHSA-vhxv-fg4m-p2w8: patterns
 * sharing a suffix allowed https://barfoo.com; ForestAdmin #1903 silent
 * never-matching entries; pikku #604 a rejected origin gets another
 * origin's ACAO; jub0bs #12 allowed origins rejected). */
START_TEST(test_d2_06_matcher_logic)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){
        .origins = LIST("https://foo.com", "https://bar.com", "https://*.baz.com") });
    static const char *const denied[] = { "https://barfoo.com", "https://foobar.com",
                                          "https://foo.combar.com", "https://bar.com.foo.com",
                                          "https://xbaz.com", "https://baz.com",
                                          "https://x.baz.comx", "https://foo.co" };
    for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++) {
        struct eval e;
        eval_spec(p, &(struct req_spec){ .origin = denied[i] }, &e);
        ck_assert_msg(!e.r.allowed, "%s must not be allowed", denied[i]);
        assert_header(&e, H_ACAO, NULL); /* never another origin's value */
    }
    static const char *const allowed[] = { "https://foo.com", "https://bar.com",
                                           "https://x.baz.com", "https://x.y.baz.com" };
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
        struct eval e;
        eval_spec(p, &(struct req_spec){ .origin = allowed[i] }, &e);
        ck_assert_msg(e.r.allowed, "%s must be allowed", allowed[i]);
        assert_header(&e, H_ACAO, allowed[i]);
    }
    cors_policy_unref(p);
    /* an entry that could never match is an error, not silence */
    struct cors_diagnostics *d = spec_build_fails(
        &(struct policy_spec){ .origins = LIST("example.com") }, 0);
    ck_assert_ptr_nonnull(diag_find(d, CORS_DIAG_ORIGIN_MALFORMED, 0));
    cors_diagnostics_free(d);
}
END_TEST

/* d.2.7 DoS via adversarial Access-Control-Request-Headers (rs/cors #170:
 * 127 ms and 121 MB per request). A 100 KB comma-only value and a 100 KB
 * list of names are handled (within the test timeout, without allocation:
 * see test-alloc) and give sane verdicts. */
START_TEST(test_d2_07_acrh_dos)
{
    enum { BIG = 100 * 1024 };
    char *commas = malloc(BIG + 1);
    memset(commas, ',', BIG);
    commas[BIG] = '\0';
    char *names = malloc(BIG + 1);
    for (size_t i = 0; i < BIG; i++)
        names[i] = "x-a,"[i % 4];
    names[BIG] = '\0';
    struct cors_policy *list = spec_build(&(struct policy_spec){
        .origins = LIST(ORIGIN), .allow_headers = LIST("x-a") });
    struct cors_policy *star = spec_build(&(struct policy_spec){
        .origins = LIST(ORIGIN), .allow_headers = LIST("*") });
    struct eval e;
    for (int i = 0; i < 20; i++) {
        eval_spec(list, &(struct req_spec){ .method = "OPTIONS", .origin = ORIGIN, .acrm = "GET",
                                            .acrh = (const char *const[]){ commas, NULL } }, &e);
        ck_assert(e.r.allowed); /* only empty elements: asks for nothing */
        eval_spec(list, &(struct req_spec){ .method = "OPTIONS", .origin = ORIGIN, .acrm = "GET",
                                            .acrh = (const char *const[]){ names, NULL } }, &e);
        ck_assert(e.r.allowed);
        eval_spec(star, &(struct req_spec){ .method = "OPTIONS", .origin = ORIGIN, .acrm = "GET",
                                            .acrh = (const char *const[]){ names, NULL } }, &e);
        ck_assert(e.r.allowed);
    }
    /* many names that are not allowed */
    names[0] = 'z';
    eval_spec(list, &(struct req_spec){ .method = "OPTIONS", .origin = ORIGIN, .acrm = "GET",
                                        .acrh = (const char *const[]){ names, NULL } }, &e);
    ck_assert_int_eq(e.r.reason, CORS_REASON_HEADER_NOT_ALLOWED);
    cors_policy_unref(list);
    cors_policy_unref(star);
    free(commas);
    free(names);
}
END_TEST

/* d.2.8 Unvalidated reflection of request headers (go-safeweb #372: ACRM
 * "GET, DELETE" echoed into ACAM grants DELETE). */
START_TEST(test_d2_08_unvalidated_reflection)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){
        .origins = LIST(ORIGIN), .methods = LIST("*"), .allow_headers = LIST("*") });
    struct eval e;
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = ORIGIN,
                                     .acrm = "GET, DELETE" }, &e);
    ck_assert(!e.r.allowed);
    ck_assert_int_eq(e.r.reason, CORS_REASON_METHOD_MALFORMED);
    assert_header(&e, H_ACAM, NULL);
    assert_header(&e, H_ACAO, NULL);
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = ORIGIN, .acrm = "GET",
                                     .acrh = LIST("x-a\r\nSet-Cookie: a=b") }, &e);
    ck_assert_int_eq(e.r.reason, CORS_REASON_HEADERS_MALFORMED);
    assert_header(&e, H_ACAH, NULL);
    assert_only_vary(&e);
    cors_policy_unref(p);
}
END_TEST

/* d.2.9 Preflight forwarded upstream / answered by the app (envoy #14233;
 * PrepPilot #215: 200 + full method list to rejected origins; laravel-cors
 * #354: 403 on actual requests breaks non-browser clients). */
START_TEST(test_d2_09_preflight_not_forwarded)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){
        .origins = LIST(ORIGIN), .methods = LIST("GET", "PUT", "DELETE"),
        .allow_headers = LIST("x-a"), .has_max_age = true, .max_age = 60 });
    struct eval e;
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = "https://evil.example",
                                     .acrm = "DELETE" }, &e);
    ck_assert(!e.r.call_handler);       /* answered, never forwarded by default */
    ck_assert_int_eq(e.r.status, 403);
    assert_only_vary(&e);               /* no method list to a rejected origin */
    /* a rejected actual request still reaches the handler */
    eval_spec(p, &(struct req_spec){ .method = "DELETE", .origin = "https://evil.example" }, &e);
    ck_assert(e.r.call_handler);
    ck_assert_int_eq(e.r.status, 0);
    cors_policy_unref(p);
}
END_TEST

/* d.2.10 Shared mutable state (jub0bs #14, rs/cors #198: precomputed header
 * slices mutated by wrapped handlers). Results live in the caller's array;
 * one evaluation never changes another's output, and a host scribbling on
 * its own array does not change the next answer. */
START_TEST(test_d2_10_no_shared_mutable_state)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){
        .origins = LIST(ORIGIN, "https://b.example"), .expose_headers = LIST("x-e"),
        .methods = LIST("PUT") });
    struct eval a, b;
    eval_spec(p, &(struct req_spec){ .origin = ORIGIN }, &a);
    eval_spec(p, &(struct req_spec){ .origin = "https://b.example" }, &b);
    assert_header(&a, H_ACAO, ORIGIN);
    assert_header(&b, H_ACAO, "https://b.example");
    /* the host rewrites its copy of the entries */
    for (size_t i = 0; i < a.r.header_count; i++) {
        a.h[i].value = CORS_STR("tampered");
        a.h[i].name = CORS_STR("X-Tampered");
    }
    eval_spec(p, &(struct req_spec){ .origin = ORIGIN }, &a);
    assert_header(&a, H_ACAO, ORIGIN);
    assert_header(&a, H_ACEH, "x-e");
    cors_policy_unref(p);
}
END_TEST

/* d.2.11 Missing ACAM by default (envoy #37533) and OPTIONS hijacked
 * (tower-http #497): configured methods are sent on preflights; an OPTIONS
 * without Access-Control-Request-Method reaches the application. */
START_TEST(test_d2_11_acam_and_options)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){
        .origins = LIST(ORIGIN), .methods = LIST("PUT", "PATCH") });
    struct eval e;
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT" }, &e);
    assert_header(&e, H_ACAM, "PUT,PATCH");
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = ORIGIN }, &e);
    ck_assert_int_eq(e.r.decision, CORS_DECISION_ACTUAL);
    ck_assert(e.r.call_handler);
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = "https://evil.example" }, &e);
    ck_assert(e.r.call_handler);
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS" }, &e);
    ck_assert(e.r.call_handler);
    cors_policy_unref(p);
}
END_TEST

/* d.2.12 Wildcard-in-header incompatibility (envoy #8218, yahoo/fili #545):
 * methods/headers '*' are answered with the validated request values, which
 * work in every browser and with credentials, and cover Authorization. */
START_TEST(test_d2_12_wildcard_echo)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){
        .origins = LIST(ORIGIN), .methods = LIST("*"), .allow_headers = LIST("*"),
        .credentials = true });
    struct eval e;
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = ORIGIN, .acrm = "DELETE",
                                     .acrh = LIST("authorization,x-a") }, &e);
    assert_header(&e, H_ACAM, "DELETE");
    assert_header(&e, H_ACAH, "authorization,x-a");
    assert_header(&e, H_ACAC, "true");
    cors_policy_unref(p);
}
END_TEST

/* d.2.13 Envoy regex footguns (envoy #24191, #31242, envoyproxy/gateway
 * #9965): a matcher that matches the literal '*' is allow-all. Refused. */
START_TEST(test_d2_13_regex_matching_star)
{
    static const char *const bad[] = { "\\*", ".*", "https://a\\.example|\\*", "[*]", ".+" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct cors_diagnostics *d = spec_build_fails(
            &(struct policy_spec){ .regexes = (const char *const[]){ bad[i], NULL } }, 0);
        ck_assert_msg(diag_find(d, CORS_DIAG_REGEX_MATCHES_STAR, 0) != NULL, "regex '%s'",
                      bad[i]);
        cors_diagnostics_free(d);
    }
}
END_TEST

static Suite *
regressions_suite(void)
{
    Suite *s = suite_create("regressions");
    TCase *tc = tcase_create("bug-classes");
    tcase_add_test(tc, test_d2_01_missing_vary);
    tcase_add_test(tc, test_d2_02_vary_clobbering);
    tcase_add_test(tc, test_d2_03_regex_anchoring_and_dots);
    tcase_add_test(tc, test_d2_04_stateless_regex);
    tcase_add_test(tc, test_d2_05_wildcard_credentials_reflection);
    tcase_add_test(tc, test_d2_06_matcher_logic);
    tcase_add_test(tc, test_d2_07_acrh_dos);
    tcase_add_test(tc, test_d2_08_unvalidated_reflection);
    tcase_add_test(tc, test_d2_09_preflight_not_forwarded);
    tcase_add_test(tc, test_d2_10_no_shared_mutable_state);
    tcase_add_test(tc, test_d2_11_acam_and_options);
    tcase_add_test(tc, test_d2_12_wildcard_echo);
    tcase_add_test(tc, test_d2_13_regex_matching_star);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(regressions_suite());
}
