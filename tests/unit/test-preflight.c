/*
 * Preflight requests (docs/semantics.md §2, §4.2 "Preflights"; docs/decisions.md
 * "Classification", "Preflight verdicts", "Headers and lists"): the success
 * response, verdicts and reasons, malformed request method / headers,
 * rejected origins, statuses, forwarding, private network, report-only.
 *
 * SPDX-License-Identifier: MIT
 */
#include "test-common.h"

#include <string.h>

#define ORIGIN "https://app.example.com"

static const struct policy_spec full_spec = {
    .origins = LIST(ORIGIN, "https://*.example.org"),
    .methods = LIST("GET", "PUT", "DELETE"),
    .allow_headers = LIST("X-Custom", "Content-Type"),
    .expose_headers = LIST("X-Request-Id", "X-Total"),
    .has_max_age = true,
    .max_age = 600,
    .credentials = true,
};

static void
preflight(const struct cors_policy *p, const char *origin, const char *acrm,
          const char *const *acrh, struct eval *e)
{
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = origin, .acrm = acrm,
                                     .acrh = acrh }, e);
    ck_assert_int_eq(e->r.decision, CORS_DECISION_PREFLIGHT);
}

/* The full success response of the policy above. */
static void
assert_full_success(const struct eval *e, const char *origin, int status)
{
    ck_assert(!e->r.call_handler);
    ck_assert_int_eq(e->r.status, status);
    assert_header(e, H_ACAO, origin);
    assert_header(e, H_ACAC, "true");
    assert_header(e, H_ACAM, "GET,PUT,DELETE");
    assert_header(e, H_ACAH, "x-custom,content-type");
    assert_header(e, H_ACEH, "x-request-id,x-total");
    assert_header(e, H_ACMA, "600");
    assert_header(e, H_ACAPN, NULL);
    assert_vary(e, VARY_PREFLIGHT);
}

/* A rejected preflight: reject status, nothing but Vary, handler not called. */
static void
assert_rejected(const struct eval *e, enum cors_reason reason, int status)
{
    ck_assert_msg(e->r.reason == reason, "reason %s, expected %s", cors_reason_name(e->r.reason),
                  cors_reason_name(reason));
    ck_assert(!e->r.allowed);
    ck_assert(!e->r.call_handler);
    ck_assert_int_eq(e->r.status, status);
    assert_only_vary(e);
    assert_vary(e, VARY_PREFLIGHT);
}

/* ------------------------------------------------------- classification */

START_TEST(test_classification)
{
    struct cors_policy *p = spec_build(&full_spec);
    struct eval e;
    /* OPTIONS without Access-Control-Request-Method: an actual request */
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = ORIGIN }, &e);
    ck_assert_int_eq(e.r.decision, CORS_DECISION_ACTUAL);
    ck_assert(e.r.call_handler);
    ck_assert(e.r.allowed);
    assert_header(&e, H_ACAO, ORIGIN);
    assert_header(&e, H_ACAM, NULL);
    /* ... also with Access-Control-Request-Headers only */
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = ORIGIN,
                                     .acrh = LIST("x-custom") }, &e);
    ck_assert_int_eq(e.r.decision, CORS_DECISION_ACTUAL);
    /* method is byte-exact: "options" is not OPTIONS */
    eval_spec(p, &(struct req_spec){ .method = "options", .origin = ORIGIN, .acrm = "PUT" }, &e);
    ck_assert_int_eq(e.r.decision, CORS_DECISION_ACTUAL);
    ck_assert(e.r.call_handler);
    /* no Origin: not CORS, even with the preflight headers */
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .acrm = "PUT",
                                     .acrh = LIST("x-custom") }, &e);
    ck_assert_int_eq(e.r.decision, CORS_DECISION_NOT_CORS);
    ck_assert(e.r.call_handler);
    /* present-but-empty ACRM: a malformed preflight */
    preflight(p, ORIGIN, "", NULL, &e);
    assert_rejected(&e, CORS_REASON_METHOD_MALFORMED, 403);
    cors_policy_unref(p);
}
END_TEST

/* ------------------------------------------------------------- success */

START_TEST(test_success_full)
{
    struct cors_policy *p = spec_build(&full_spec);
    struct eval e;
    preflight(p, ORIGIN, "PUT", LIST("x-custom"), &e);
    ck_assert(e.r.allowed);
    ck_assert_int_eq(e.r.reason, CORS_REASON_ALLOWED);
    ck_assert(!e.r.report_only);
    assert_full_success(&e, ORIGIN, 200);
    /* a wildcard-matched origin gets the same response with its own origin */
    preflight(p, "https://a.b.example.org", "DELETE", LIST("content-type,x-custom"), &e);
    ck_assert(e.r.allowed);
    assert_full_success(&e, "https://a.b.example.org", 200);
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_preflight_status_204)
{
    struct policy_spec s = full_spec;
    s.preflight_status = 204;
    struct cors_policy *p = spec_build(&s);
    struct eval e;
    preflight(p, ORIGIN, "PUT", NULL, &e);
    assert_full_success(&e, ORIGIN, 204);
    cors_policy_unref(p);
}
END_TEST

/* The response does not depend on whether the method and headers are
 * allowed; the verdict and reason do. */
START_TEST(test_verdicts)
{
    struct cors_policy *p = spec_build(&full_spec);
    struct eval e;
    struct {
        const char *acrm;
        const char *const *acrh;
        enum cors_reason reason;
    } cases[] = {
        { "PUT", NULL, CORS_REASON_ALLOWED },
        { "GET", NULL, CORS_REASON_ALLOWED },
        { "HEAD", NULL, CORS_REASON_ALLOWED },   /* safelisted, not listed */
        { "POST", NULL, CORS_REASON_ALLOWED },   /* safelisted, not listed */
        { "PATCH", NULL, CORS_REASON_METHOD_NOT_ALLOWED },
        { "put", NULL, CORS_REASON_METHOD_NOT_ALLOWED },     /* case-sensitive */
        { "OPTIONS", NULL, CORS_REASON_METHOD_NOT_ALLOWED },
        { "PUT", LIST("x-custom"), CORS_REASON_ALLOWED },
        { "PUT", LIST("X-CUSTOM"), CORS_REASON_ALLOWED },    /* case-insensitive */
        { "PUT", LIST("content-type,x-custom"), CORS_REASON_ALLOWED },
        { "PUT", LIST("x-other"), CORS_REASON_HEADER_NOT_ALLOWED },
        { "PUT", LIST("x-custom,x-other"), CORS_REASON_HEADER_NOT_ALLOWED },
        { "PUT", LIST("accept"), CORS_REASON_HEADER_NOT_ALLOWED }, /* safelisted names too */
        { "PUT", LIST("authorization"), CORS_REASON_HEADER_NOT_ALLOWED },
        { "PUT", LIST("x-custom-2"), CORS_REASON_HEADER_NOT_ALLOWED },
        { "PUT", LIST("x-custo"), CORS_REASON_HEADER_NOT_ALLOWED },
        { "PUT", LIST("x-custom", "x-other"), CORS_REASON_HEADER_NOT_ALLOWED }, /* 2 lines */
        { "PUT", LIST("x-custom", "content-type"), CORS_REASON_ALLOWED },
        { "PUT", LIST(""), CORS_REASON_ALLOWED },            /* empty: asks for none */
        { "PATCH", LIST("x-other"), CORS_REASON_METHOD_NOT_ALLOWED }, /* method first */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        preflight(p, ORIGIN, cases[i].acrm, cases[i].acrh, &e);
        ck_assert_msg(e.r.reason == cases[i].reason, "case %zu (%s): reason %s, expected %s", i,
                      cases[i].acrm, cors_reason_name(e.r.reason),
                      cors_reason_name(cases[i].reason));
        ck_assert_int_eq(e.r.allowed, cases[i].reason == CORS_REASON_ALLOWED);
        assert_full_success(&e, ORIGIN, 200);
    }
    cors_policy_unref(p);
}
END_TEST

/* Empty elements and OWS in Access-Control-Request-Headers are tolerated. */
START_TEST(test_request_headers_tolerance)
{
    struct cors_policy *p = spec_build(&full_spec);
    static const char *const ok[] = {
        "x-custom,,content-type", ",x-custom", "x-custom,", " x-custom , content-type ",
        "x-custom,\tcontent-type", ",,,", "   ", "\t",
    };
    struct eval e;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        preflight(p, ORIGIN, "PUT", (const char *const[]){ ok[i], NULL }, &e);
        ck_assert_msg(e.r.reason == CORS_REASON_ALLOWED, "'%s': reason %s", ok[i],
                      cors_reason_name(e.r.reason));
        assert_full_success(&e, ORIGIN, 200);
    }
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_no_methods_configured)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){ .origins = LIST(ORIGIN) });
    struct eval e;
    preflight(p, ORIGIN, "GET", NULL, &e);
    ck_assert(e.r.allowed);
    ck_assert_int_eq(e.r.status, 200);
    assert_header(&e, H_ACAO, ORIGIN);
    assert_header(&e, H_ACAM, NULL);
    assert_header(&e, H_ACAH, NULL);
    assert_header(&e, H_ACEH, NULL);
    assert_header(&e, H_ACMA, NULL);
    assert_header(&e, H_ACAC, NULL);
    assert_vary(&e, VARY_PREFLIGHT);
    preflight(p, ORIGIN, "DELETE", NULL, &e);
    ck_assert_int_eq(e.r.reason, CORS_REASON_METHOD_NOT_ALLOWED);
    preflight(p, ORIGIN, "POST", LIST("x-a"), &e);
    ck_assert_int_eq(e.r.reason, CORS_REASON_HEADER_NOT_ALLOWED);
    cors_policy_unref(p);
}
END_TEST

/* ---------------------------------------------------------- wildcards */

START_TEST(test_methods_star)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){ .origins = LIST(ORIGIN),
                                                              .methods = LIST("*") });
    struct eval e;
    static const char *const methods[] = { "DELETE", "PATCH", "GET", "FOO-BAR", "patch", "M_1" };
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        preflight(p, ORIGIN, methods[i], NULL, &e);
        ck_assert_msg(e.r.allowed, "%s: %s", methods[i], cors_reason_name(e.r.reason));
        assert_header(&e, H_ACAM, methods[i]);
    }
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_headers_star)
{
    struct policy_spec s = { .origins = LIST(ORIGIN), .methods = LIST("*"),
                             .allow_headers = LIST("*"), .credentials = true };
    struct cors_policy *p = spec_build(&s);
    struct eval e;
    /* echoed, Authorization included */
    preflight(p, ORIGIN, "PUT", LIST("authorization,x-a"), &e);
    ck_assert(e.r.allowed);
    assert_header(&e, H_ACAH, "authorization,x-a");
    assert_header(&e, H_ACAC, "true");
    /* no header when the request asked for none */
    preflight(p, ORIGIN, "PUT", NULL, &e);
    ck_assert(e.r.allowed);
    assert_header(&e, H_ACAH, NULL);
    preflight(p, ORIGIN, "PUT", LIST(""), &e);
    ck_assert(e.r.allowed);
    assert_header(&e, H_ACAH, NULL);
    /* each line trimmed of OWS */
    preflight(p, ORIGIN, "PUT", LIST("  x-a,x-b \t"), &e);
    assert_header(&e, H_ACAH, "x-a,x-b");
    /* several lines: one response line each, SET then APPEND, empty lines skipped */
    preflight(p, ORIGIN, "PUT", LIST("x-a", "", "x-b, x-c", "  "), &e);
    ck_assert(e.r.allowed);
    ck_assert_uint_eq(count_header(&e, H_ACAH), 2);
    assert_header(&e, H_ACAH, "x-a,x-b, x-c");
    ck_assert_int_eq(find_header(&e, H_ACAH)->op, CORS_HEADER_SET);
    size_t seen = 0;
    for (size_t i = 0; i < e.r.header_count; i++)
        if (e.h[i].name.len == strlen(H_ACAH) && memcmp(e.h[i].name.ptr, H_ACAH, e.h[i].name.len) == 0)
            ck_assert_int_eq(e.h[i].op, seen++ == 0 ? CORS_HEADER_SET : CORS_HEADER_APPEND);
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_headers_star_line_limit)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){ .origins = LIST(ORIGIN),
                                                              .allow_headers = LIST("*") });
    struct eval e;
    preflight(p, ORIGIN, "GET", LIST("x-1", "x-2", "x-3", "x-4", "x-5", "x-6", "x-7", "x-8"), &e);
    ck_assert(e.r.allowed);
    ck_assert_uint_eq(count_header(&e, H_ACAH), CORS_REQUEST_HEADER_LINES_MAX);
    assert_header(&e, H_ACAH, "x-1,x-2,x-3,x-4,x-5,x-6,x-7,x-8");
    /* empty lines do not count */
    preflight(p, ORIGIN, "GET",
              LIST("", "x-1", "x-2", "x-3", "", "x-4", "x-5", "x-6", "x-7", "x-8", ""), &e);
    ck_assert(e.r.allowed);
    /* nine non-empty lines: rejected */
    preflight(p, ORIGIN, "GET",
              LIST("x-1", "x-2", "x-3", "x-4", "x-5", "x-6", "x-7", "x-8", "x-9"), &e);
    assert_rejected(&e, CORS_REASON_HEADERS_TOO_MANY_LINES, 403);
    cors_policy_unref(p);
}
END_TEST

/* ---------------------------------------------------------- malformed */

START_TEST(test_malformed_method)
{
    static const char *const bad[] = { "GET, DELETE", "GET DELETE", "", "G\r\nET", "GET\n",
                                       "G\x00T", "GET,", "(GET)", "G\xc3\x89T", "GET;" };
    static const size_t len[] = { 11, 10, 0, 5, 4, 3, 4, 5, 4, 4 };
    struct policy_spec specs[] = {
        full_spec,
        { .origins = LIST(ORIGIN), .methods = LIST("*") },
        { .origins = LIST("*"), .methods = LIST("*") },
    };
    for (size_t k = 0; k < 3; k++) {
        struct cors_policy *p = spec_build(&specs[k]);
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            struct eval e;
            req_from_spec(&(struct req_spec){ .method = "OPTIONS", .origin = ORIGIN }, &e);
            e.req.request_method.ptr = bad[i];
            e.req.request_method.len = len[i];
            eval_request(p, &e);
            ck_assert_msg(e.r.reason == CORS_REASON_METHOD_MALFORMED, "policy %zu, ACRM %zu: %s",
                          k, i, cors_reason_name(e.r.reason));
            assert_rejected(&e, CORS_REASON_METHOD_MALFORMED, 403);
        }
        cors_policy_unref(p);
    }
}
END_TEST

START_TEST(test_malformed_headers)
{
    static const char *const bad[] = {
        "x-a y", "x-a\r\nx-b", "x-\x01", "x-\xc3\xa9", "x-a;b", "x-a:b", "x-a/b",
        "x-a,x b", "x-a, x-b c", "\"x-a\"", "x-a\x7f",
    };
    struct policy_spec specs[] = {
        full_spec,
        { .origins = LIST(ORIGIN), .allow_headers = LIST("*") },
        { .origins = LIST("*"), .allow_headers = LIST("*"), .methods = LIST("*") },
    };
    for (size_t k = 0; k < 3; k++) {
        struct cors_policy *p = spec_build(&specs[k]);
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            struct eval e;
            preflight(p, ORIGIN, "PUT", (const char *const[]){ "x-custom", bad[i], NULL }, &e);
            ck_assert_msg(e.r.reason == CORS_REASON_HEADERS_MALFORMED, "policy %zu, '%s': %s", k,
                          bad[i], cors_reason_name(e.r.reason));
            assert_rejected(&e, CORS_REASON_HEADERS_MALFORMED, 403);
        }
        /* an embedded NUL */
        struct eval e;
        static const char nul[] = "x-a\0x-b";
        req_from_spec(&(struct req_spec){ .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT" },
                      &e);
        e.acrh_lines[0] = (struct cors_str){ nul, sizeof nul - 1 };
        e.req.request_headers = e.acrh_lines;
        e.req.request_header_count = 1;
        eval_request(p, &e);
        assert_rejected(&e, CORS_REASON_HEADERS_MALFORMED, 403);
        cors_policy_unref(p);
    }
}
END_TEST

/* A malformed request is rejected whatever the origin. */
START_TEST(test_malformed_any_origin)
{
    struct cors_policy *p = spec_build(&full_spec);
    struct eval e;
    preflight(p, "https://other.example", "GET, DELETE", NULL, &e);
    ck_assert(!e.r.allowed);
    ck_assert(!e.r.call_handler);
    ck_assert_int_eq(e.r.status, 403);
    assert_only_vary(&e);
    cors_policy_unref(p);
}
END_TEST

/* ------------------------------------------------------------- rejected */

START_TEST(test_rejected_origin)
{
    struct cors_policy *p = spec_build(&full_spec);
    struct eval e;
    preflight(p, "https://evil.example", "GET", LIST("x-custom"), &e);
    assert_rejected(&e, CORS_REASON_ORIGIN_NOT_ALLOWED, 403);
    preflight(p, "https://example.org", "GET", NULL, &e); /* apex of the wildcard */
    assert_rejected(&e, CORS_REASON_ORIGIN_NOT_ALLOWED, 403);
    preflight(p, "https://App.example.com", "GET", NULL, &e);
    assert_rejected(&e, CORS_REASON_ORIGIN_MALFORMED, 403);
    preflight(p, "null", "GET", NULL, &e);
    assert_rejected(&e, CORS_REASON_ORIGIN_NOT_ALLOWED, 403);
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_reject_status)
{
    static const int statuses[] = { 200, 204, 403 };
    for (size_t i = 0; i < 3; i++) {
        struct policy_spec s = full_spec;
        s.reject_status = statuses[i];
        struct cors_policy *p = spec_build(&s);
        struct eval e;
        preflight(p, "https://evil.example", "GET", NULL, &e);
        assert_rejected(&e, CORS_REASON_ORIGIN_NOT_ALLOWED, statuses[i]);
        preflight(p, ORIGIN, "GET, PUT", NULL, &e);
        assert_rejected(&e, CORS_REASON_METHOD_MALFORMED, statuses[i]);
        /* the success status is unaffected */
        preflight(p, ORIGIN, "GET", NULL, &e);
        assert_full_success(&e, ORIGIN, 200);
        cors_policy_unref(p);
    }
}
END_TEST

START_TEST(test_forward_rejected)
{
    struct policy_spec s = full_spec;
    s.forward_rejected = true;
    struct cors_policy *p = spec_build(&s);
    struct eval e;
    preflight(p, "https://evil.example", "GET", NULL, &e);
    ck_assert(!e.r.allowed);
    ck_assert_int_eq(e.r.reason, CORS_REASON_ORIGIN_NOT_ALLOWED);
    ck_assert(e.r.call_handler);
    ck_assert_int_eq(e.r.status, 0);
    assert_only_vary(&e);
    assert_vary(&e, VARY_PREFLIGHT);
    preflight(p, ORIGIN, "GET DELETE", NULL, &e);
    ck_assert_int_eq(e.r.reason, CORS_REASON_METHOD_MALFORMED);
    ck_assert(e.r.call_handler);
    assert_only_vary(&e);
    /* an allowed origin is still answered by the library, even when the
     * method is not allowed */
    preflight(p, ORIGIN, "PUT", NULL, &e);
    assert_full_success(&e, ORIGIN, 200);
    preflight(p, ORIGIN, "PATCH", NULL, &e);
    ck_assert_int_eq(e.r.reason, CORS_REASON_METHOD_NOT_ALLOWED);
    assert_full_success(&e, ORIGIN, 200);
    cors_policy_unref(p);
}
END_TEST

/* ------------------------------------------------------ max-age, creds */

START_TEST(test_max_age)
{
    struct eval e;
    struct cors_policy *p = spec_build(&(struct policy_spec){ .origins = LIST(ORIGIN) });
    preflight(p, ORIGIN, "GET", NULL, &e);
    assert_header(&e, H_ACMA, NULL);
    cors_policy_unref(p);
    p = spec_build(&(struct policy_spec){ .origins = LIST(ORIGIN), .has_max_age = true,
                                          .max_age = CORS_MAX_AGE_UNSET });
    preflight(p, ORIGIN, "GET", NULL, &e);
    assert_header(&e, H_ACMA, NULL);
    cors_policy_unref(p);
    p = spec_build(&(struct policy_spec){ .origins = LIST(ORIGIN), .has_max_age = true,
                                          .max_age = 0 });
    preflight(p, ORIGIN, "GET", NULL, &e);
    assert_header(&e, H_ACMA, "0");
    cors_policy_unref(p);
    p = spec_build(&(struct policy_spec){ .origins = LIST(ORIGIN), .has_max_age = true,
                                          .max_age = 2147483647 });
    preflight(p, ORIGIN, "GET", NULL, &e);
    assert_header(&e, H_ACMA, "2147483647");
    /* never on rejected preflights */
    preflight(p, "https://evil.example", "GET", NULL, &e);
    assert_header(&e, H_ACMA, NULL);
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_credentials)
{
    struct eval e;
    struct policy_spec s = full_spec;
    s.credentials = false;
    struct cors_policy *p = spec_build(&s);
    preflight(p, ORIGIN, "GET", NULL, &e);
    assert_header(&e, H_ACAC, NULL);
    assert_header(&e, H_ACAO, ORIGIN);
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_expose_star)
{
    struct eval e;
    struct cors_policy *p = spec_build(&(struct policy_spec){ .origins = LIST(ORIGIN),
                                                              .expose_headers = LIST("*") });
    preflight(p, ORIGIN, "GET", NULL, &e);
    assert_header(&e, H_ACEH, "*");
    cors_policy_unref(p);
    p = spec_build(&(struct policy_spec){ .origins = LIST(ORIGIN), .expose_headers = LIST("*"),
                                          .credentials = true });
    preflight(p, ORIGIN, "GET", NULL, &e);
    assert_header(&e, H_ACEH, "*");
    cors_policy_unref(p);
}
END_TEST

/* ------------------------------------------------------- public policies */

START_TEST(test_public_policy)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){ .origins = LIST("*"),
                                                              .methods = LIST("PUT"),
                                                              .expose_headers = LIST("X-E") });
    struct eval e;
    static const char *const origins[] = { "https://a.example", "http://localhost:1234", "null",
                                           "chrome-extension://abc" };
    for (size_t i = 0; i < 4; i++) {
        preflight(p, origins[i], "PUT", NULL, &e);
        ck_assert_msg(e.r.allowed, "%s: %s", origins[i], cors_reason_name(e.r.reason));
        ck_assert(!e.r.call_handler);
        ck_assert_int_eq(e.r.status, 200);
        assert_header(&e, H_ACAO, "*");
        assert_header(&e, H_ACAM, "PUT");
        assert_header(&e, H_ACEH, "x-e");
        assert_header(&e, H_ACAC, NULL);
        assert_vary(&e, VARY_PREFLIGHT);
    }
    /* malformed origins are rejected */
    preflight(p, "https://A.example", "PUT", NULL, &e);
    assert_rejected(&e, CORS_REASON_ORIGIN_MALFORMED, 403);
    preflight(p, "https://a.example/", "PUT", NULL, &e);
    assert_rejected(&e, CORS_REASON_ORIGIN_MALFORMED, 403);
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_star_with_credentials)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){ .origins = LIST("*"),
                                                              .credentials = true });
    struct eval e;
    preflight(p, "https://a.example", "GET", NULL, &e);
    ck_assert(e.r.allowed);
    assert_header(&e, H_ACAO, "https://a.example");
    assert_header(&e, H_ACAC, "true");
    preflight(p, "null", "GET", NULL, &e);
    assert_rejected(&e, CORS_REASON_ORIGIN_NOT_ALLOWED, 403);
    cors_policy_unref(p);
}
END_TEST

/* ------------------------------------------------------- private network */

START_TEST(test_private_network)
{
    struct policy_spec s = full_spec;
    s.private_network = true;
    struct cors_policy *p = spec_build(&s);
    struct eval e;
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT",
                                     .acrpn = "true" }, &e);
    ck_assert(e.r.allowed);
    assert_header(&e, H_ACAPN, "true");
    assert_header(&e, H_ACAO, ORIGIN);
    assert_vary(&e, VARY_PREFLIGHT_PNA);
    /* only the exact value "true" counts as a request */
    static const char *const not_requested[] = { "TRUE", "1", "", "true ", "yes", "false" };
    for (size_t i = 0; i < sizeof not_requested / sizeof not_requested[0]; i++) {
        eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT",
                                         .acrpn = not_requested[i] }, &e);
        ck_assert(e.r.allowed);
        assert_header(&e, H_ACAPN, NULL);
        assert_vary(&e, VARY_PREFLIGHT_PNA);
    }
    preflight(p, ORIGIN, "PUT", NULL, &e);
    assert_header(&e, H_ACAPN, NULL);
    assert_vary(&e, VARY_PREFLIGHT_PNA);
    /* rejected preflights: no ACAPN, Vary still lists it */
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = "https://evil.example",
                                     .acrm = "PUT", .acrpn = "true" }, &e);
    ck_assert(!e.r.allowed);
    assert_only_vary(&e);
    assert_vary(&e, VARY_PREFLIGHT_PNA);
    /* method failures take precedence over the private network verdict */
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = ORIGIN, .acrm = "PATCH",
                                     .acrpn = "true" }, &e);
    ck_assert_int_eq(e.r.reason, CORS_REASON_METHOD_NOT_ALLOWED);
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_private_network_disabled)
{
    struct cors_policy *p = spec_build(&full_spec);
    struct eval e;
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT",
                                     .acrpn = "true" }, &e);
    ck_assert(!e.r.allowed);
    ck_assert_int_eq(e.r.reason, CORS_REASON_PRIVATE_NETWORK_NOT_ALLOWED);
    assert_full_success(&e, ORIGIN, 200);
    /* header failures come first */
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT",
                                     .acrh = LIST("x-nope"), .acrpn = "true" }, &e);
    ck_assert_int_eq(e.r.reason, CORS_REASON_HEADER_NOT_ALLOWED);
    /* a value other than "true" is no request */
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT",
                                     .acrpn = "false" }, &e);
    ck_assert(e.r.allowed);
    cors_policy_unref(p);
}
END_TEST

/* --------------------------------------------------------- report-only */

START_TEST(test_report_only)
{
    struct policy_spec s = full_spec;
    s.report_only = true;
    s.private_network = true;
    struct cors_policy *p = spec_build(&s);
    struct eval e;
    struct {
        const char *origin, *acrm;
        const char *const *acrh;
        enum cors_reason reason;
    } cases[] = {
        { ORIGIN, "PUT", LIST("x-custom"), CORS_REASON_ALLOWED },
        { ORIGIN, "PATCH", NULL, CORS_REASON_METHOD_NOT_ALLOWED },
        { ORIGIN, "PUT", LIST("x-no"), CORS_REASON_HEADER_NOT_ALLOWED },
        { "https://evil.example", "PUT", NULL, CORS_REASON_ORIGIN_NOT_ALLOWED },
        { "https://Evil.example", "PUT", NULL, CORS_REASON_ORIGIN_MALFORMED },
        { ORIGIN, "PUT, GET", NULL, CORS_REASON_METHOD_MALFORMED },
        { ORIGIN, "PUT", LIST("x y"), CORS_REASON_HEADERS_MALFORMED },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        preflight(p, cases[i].origin, cases[i].acrm, cases[i].acrh, &e);
        ck_assert_msg(e.r.reason == cases[i].reason, "case %zu: %s", i,
                      cors_reason_name(e.r.reason));
        ck_assert(e.r.report_only);
        ck_assert(e.r.call_handler);
        ck_assert_int_eq(e.r.status, 0);
        ck_assert_uint_eq(e.r.header_count, 0);
        ck_assert_int_eq(e.r.allowed, cases[i].reason == CORS_REASON_ALLOWED);
    }
    cors_policy_unref(p);
}
END_TEST

/* Differential test: random Access-Control-Request-Headers lists (names in
 * random case, OWS, empty elements, split over lines) against a list policy;
 * allowed exactly when every name is listed (case-insensitively). */
static uint32_t rng_state = 777;

static uint32_t
rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

START_TEST(test_differential_request_headers)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){
        .origins = LIST(ORIGIN), .allow_headers = LIST("X-One", "x-two", "Content-Type") });
    static const char *const names[] = { "x-one", "x-two", "content-type", "x-three", "x-on",
                                         "x-one-" };
    static const bool listed[] = { true, true, true, false, false, false };
    static const char *const seps[] = { ",", ", ", " ,", ",,", " , ", ",\t" };
    static char lines[4][512];
    for (int iter = 0; iter < 3000; iter++) {
        int nlines = 1 + (int)(rng() % 3);
        bool all_listed = true;
        const char *ptrs[5] = { NULL };
        for (int l = 0; l < nlines; l++) {
            char *w = lines[l];
            w[0] = '\0';
            int nnames = (int)(rng() % 4);
            if (rng() % 4 == 0)
                strcat(w, " ");
            for (int k = 0; k < nnames; k++) {
                size_t which = rng() % 6;
                all_listed = all_listed && listed[which];
                if (k > 0)
                    strcat(w, seps[rng() % 6]);
                size_t at = strlen(w);
                strcat(w, names[which]);
                for (size_t c = at; w[c] != '\0'; c++)
                    if (rng() % 3 == 0 && w[c] >= 'a' && w[c] <= 'z')
                        w[c] = (char)(w[c] - 'a' + 'A');
            }
            if (rng() % 4 == 0)
                strcat(w, ",");
            ptrs[l] = w;
        }
        struct eval e;
        preflight(p, ORIGIN, "GET", ptrs, &e);
        enum cors_reason want = all_listed ? CORS_REASON_ALLOWED : CORS_REASON_HEADER_NOT_ALLOWED;
        ck_assert_msg(e.r.reason == want, "lines '%s' '%s' '%s': %s, expected %s", lines[0],
                      nlines > 1 ? lines[1] : "", nlines > 2 ? lines[2] : "",
                      cors_reason_name(e.r.reason), cors_reason_name(want));
        assert_header(&e, H_ACAH, "x-one,x-two,content-type");
    }
    cors_policy_unref(p);
}
END_TEST

static Suite *
preflight_suite(void)
{
    Suite *s = suite_create("preflight");
    TCase *tc = tcase_create("success");
    tcase_add_test(tc, test_classification);
    tcase_add_test(tc, test_success_full);
    tcase_add_test(tc, test_preflight_status_204);
    tcase_add_test(tc, test_verdicts);
    tcase_add_test(tc, test_request_headers_tolerance);
    tcase_add_test(tc, test_differential_request_headers);
    tcase_add_test(tc, test_no_methods_configured);
    tcase_add_test(tc, test_methods_star);
    tcase_add_test(tc, test_headers_star);
    tcase_add_test(tc, test_headers_star_line_limit);
    tcase_add_test(tc, test_max_age);
    tcase_add_test(tc, test_credentials);
    tcase_add_test(tc, test_expose_star);
    tcase_add_test(tc, test_public_policy);
    tcase_add_test(tc, test_star_with_credentials);
    suite_add_tcase(s, tc);

    tc = tcase_create("rejected");
    tcase_add_test(tc, test_malformed_method);
    tcase_add_test(tc, test_malformed_headers);
    tcase_add_test(tc, test_malformed_any_origin);
    tcase_add_test(tc, test_rejected_origin);
    tcase_add_test(tc, test_reject_status);
    tcase_add_test(tc, test_forward_rejected);
    suite_add_tcase(s, tc);

    tc = tcase_create("modes");
    tcase_add_test(tc, test_private_network);
    tcase_add_test(tc, test_private_network_disabled);
    tcase_add_test(tc, test_report_only);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(preflight_suite());
}
