/*
 * 0.2 policy features (README "Features", cors.h): the origin predicate,
 * forwardAllowedPreflights, timingAllowOrigin (W3C Resource Timing, the
 * Timing-Allow-Origin check) and the sticky enforcePercent roll-out.
 *
 * SPDX-License-Identifier: MIT
 */
#include "test-common.h"

#include <stdio.h>
#include <string.h>

#define ORIGIN "https://app.example"

/* ---------------------------------------------------- origin predicate */

/* A predicate that allows the origins of a list and records every call. */
struct tenants {
    const char *const *allowed;
    size_t calls;
    char last[256];
};

static bool
tenant_predicate(void *user_data, struct cors_str origin)
{
    struct tenants *t = user_data;
    t->calls++;
    snprintf(t->last, sizeof t->last, "%.*s", (int)origin.len, origin.ptr);
    for (size_t i = 0; t->allowed[i] != NULL; i++)
        if (strlen(t->allowed[i]) == origin.len && memcmp(t->allowed[i], origin.ptr, origin.len) == 0)
            return true;
    return false;
}

static struct cors_policy *
predicate_policy(const struct policy_spec *spec, struct tenants *t, struct cors_diagnostics *d)
{
    struct cors_policy_builder *b = spec_builder(spec, NULL);
    ck_assert_int_eq(cors_policy_builder_set_origin_predicate(b, tenant_predicate, t), CORS_OK);
    enum cors_status st = CORS_OK;
    struct cors_policy *p = cors_policy_build(b, 0, d, &st);
    cors_policy_builder_free(b);
    return p;
}

/* When the predicate is asked (cors.h cors_origin_predicate): only with a
 * valid, canonical origin that no static entry allowed. */
static const struct {
    const char *rule;
    struct req_spec request;
    bool asked;
    enum cors_reason reason;
} predicate_cases[] = {
    { "a static entry allows it: not asked", { .origin = ORIGIN }, false, CORS_REASON_ALLOWED },
    { "a static wildcard allows it: not asked", { .origin = "https://x.static.example" }, false,
      CORS_REASON_ALLOWED },
    { "a tenant origin: asked, allowed", { .origin = "https://tenant-1.example" }, true,
      CORS_REASON_ALLOWED },
    { "an unknown origin: asked, refused", { .origin = "https://evil.example" }, true,
      CORS_REASON_ORIGIN_NOT_ALLOWED },
    { "malformed: never asked", { .origin = "https://Tenant-1.example" }, false,
      CORS_REASON_ORIGIN_MALFORMED },
    { "a path: malformed, never asked", { .origin = "https://tenant-1.example/" }, false,
      CORS_REASON_ORIGIN_MALFORMED },
    { "null: never asked", { .origin = "null" }, false, CORS_REASON_ORIGIN_NOT_ALLOWED },
    { "several Origin lines: never asked", { .origins = LIST("https://tenant-1.example",
                                                             "https://tenant-1.example") },
      false, CORS_REASON_ORIGIN_MULTIPLE },
    { "no Origin: never asked", { .method = "GET" }, false, CORS_REASON_NOT_CORS },
    { "a preflight: asked like an actual request",
      { .method = "OPTIONS", .origin = "https://tenant-1.example", .acrm = "PUT" }, true,
      CORS_REASON_ALLOWED },
};

START_TEST(test_predicate_when_asked)
{
    const struct policy_spec spec = {
        .origins = LIST(ORIGIN, "https://*.static.example"),
        .methods = LIST("PUT"),
        .credentials = true,
        .expose_headers = LIST("X-E"),
    };
    struct tenants t = { .allowed = LIST("https://tenant-1.example") };
    struct cors_policy *p = predicate_policy(&spec, &t, NULL);
    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < sizeof predicate_cases / sizeof predicate_cases[0]; i++) {
        t.calls = 0;
        struct eval e;
        eval_spec(p, &predicate_cases[i].request, &e);
        ck_assert_msg(t.calls == (predicate_cases[i].asked ? 1u : 0u), "%s: %zu calls",
                      predicate_cases[i].rule, t.calls);
        ck_assert_msg(e.r.reason == predicate_cases[i].reason, "%s: %s", predicate_cases[i].rule,
                      cors_reason_name(e.r.reason));
        if (predicate_cases[i].asked)
            ck_assert_str_eq(t.last, predicate_cases[i].request.origin);
    }
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_predicate_yes_is_a_match)
{
    /* its yes is treated exactly like a static match: echo, credentials,
     * expose headers, Vary, attribution */
    const struct policy_spec spec = { .origins = LIST(ORIGIN), .credentials = true,
                                      .expose_headers = LIST("X-E"), .methods = LIST("PUT") };
    struct tenants t = { .allowed = LIST("https://tenant-1.example") };
    struct cors_policy *p = predicate_policy(&spec, &t, NULL);
    struct eval e;
    eval_spec(p, &(struct req_spec){ .origin = "https://tenant-1.example" }, &e);
    ck_assert(e.r.allowed);
    assert_header(&e, H_ACAO, "https://tenant-1.example");
    assert_header(&e, H_ACAC, "true");
    assert_header(&e, H_ACEH, "x-e");
    assert_vary(&e, VARY_ORIGIN);
    ck_assert_int_eq(e.r.matched_field, CORS_FIELD_ORIGIN_PREDICATE);
    ck_assert_uint_eq(e.r.matched_index, 0);
    ck_assert_str_eq(cors_field_name(e.r.matched_field), "originPredicate");

    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = "https://tenant-1.example",
                                     .acrm = "PUT" },
              &e);
    ck_assert(e.r.allowed);
    ck_assert(!e.r.call_handler);
    assert_header(&e, H_ACAO, "https://tenant-1.example");
    assert_header(&e, H_ACAM, "PUT");

    /* its no: no CORS headers, Vary only */
    eval_spec(p, &(struct req_spec){ .origin = "https://tenant-2.example" }, &e);
    ck_assert(!e.r.allowed);
    ck_assert_int_eq(e.r.matched_field, CORS_FIELD_NONE);
    assert_only_vary(&e);
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_predicate_with_star_and_report_only)
{
    /* "*": the predicate is never asked, and the build says so */
    struct tenants t = { .allowed = LIST("https://tenant-1.example") };
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    const struct policy_spec star = { .origins = LIST("*") };
    struct cors_policy *p = predicate_policy(&star, &t, d);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(diag_find(d, CORS_DIAG_ORIGIN_PREDICATE_UNREACHABLE, ANY_INDEX));
    struct eval e;
    eval_spec(p, &(struct req_spec){ .origin = "https://evil.example" }, &e);
    ck_assert(e.r.allowed);
    ck_assert_uint_eq(t.calls, 0);
    cors_policy_unref(p);
    cors_diagnostics_free(d);

    /* reportOnly: asked for the verdict, nothing returned */
    const struct policy_spec report = { .origins = LIST(ORIGIN), .report_only = true };
    d = cors_diagnostics_new(NULL);
    p = predicate_policy(&report, &t, d);
    eval_spec(p, &(struct req_spec){ .origin = "https://tenant-1.example" }, &e);
    ck_assert_uint_eq(t.calls, 1);
    ck_assert(e.r.allowed);
    ck_assert(e.r.report_only);
    ck_assert_uint_eq(e.r.header_count, 0);
    cors_policy_unref(p);
    cors_diagnostics_free(d);

    /* a predicate alone is a policy that allows origins: no no-origins warning */
    const struct policy_spec only = { .methods = LIST("GET") };
    d = cors_diagnostics_new(NULL);
    p = predicate_policy(&only, &t, d);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_null(diag_find(d, CORS_DIAG_NO_ORIGINS, ANY_INDEX));
    cors_policy_unref(p);
    cors_diagnostics_free(d);

    /* NULL removes it: the no-origins warning is back */
    struct cors_policy_builder *b = spec_builder(&only, NULL);
    ck_assert_int_eq(cors_policy_builder_set_origin_predicate(b, tenant_predicate, &t), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_set_origin_predicate(b, NULL, NULL), CORS_OK);
    d = cors_diagnostics_new(NULL);
    p = cors_policy_build(b, 0, d, NULL);
    ck_assert_ptr_nonnull(diag_find(d, CORS_DIAG_NO_ORIGINS, ANY_INDEX));
    cors_policy_unref(p);
    cors_diagnostics_free(d);
    cors_policy_builder_free(b);
    ck_assert_int_eq(cors_policy_builder_set_origin_predicate(NULL, tenant_predicate, &t),
                     CORS_E_INVALID_ARGUMENT);
}
END_TEST

/* ------------------------------------------- forwardAllowedPreflights */

START_TEST(test_forward_allowed_preflights)
{
    const struct policy_spec answered = { .origins = LIST(ORIGIN), .methods = LIST("PUT"),
                                          .allow_headers = LIST("X-A"), .has_max_age = true,
                                          .max_age = 60, .credentials = true };
    struct policy_spec forwarded = answered;
    struct cors_policy *pa = spec_build(&answered);
    struct cors_policy_builder *b = spec_builder(&forwarded, NULL);
    ck_assert_int_eq(cors_policy_builder_set_forward_allowed_preflights(b, true), CORS_OK);
    struct cors_policy *pf = cors_policy_build(b, 0, NULL, NULL);
    cors_policy_builder_free(b);
    ck_assert_ptr_nonnull(pf);

    const struct req_spec allowed = { .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT",
                                      .acrh = LIST("x-a") };
    struct eval ea, ef;
    eval_spec(pa, &allowed, &ea);
    eval_spec(pf, &allowed, &ef);
    /* the handler answers, with the headers an answered preflight gets */
    ck_assert(!ea.r.call_handler);
    ck_assert_int_eq(ea.r.status, 200);
    ck_assert(ef.r.call_handler);
    ck_assert_int_eq(ef.r.status, 0);
    ck_assert_int_eq(ef.r.decision, CORS_DECISION_PREFLIGHT);
    ck_assert(ef.r.allowed);
    ck_assert_uint_eq(ef.r.header_count, ea.r.header_count);
    for (size_t i = 0; i < ea.r.header_count; i++) {
        ck_assert_int_eq(ef.h[i].op, ea.h[i].op);
        ck_assert(ef.h[i].name.len == ea.h[i].name.len &&
                  memcmp(ef.h[i].name.ptr, ea.h[i].name.ptr, ea.h[i].name.len) == 0);
        ck_assert(ef.h[i].value.len == ea.h[i].value.len &&
                  memcmp(ef.h[i].value.ptr, ea.h[i].value.ptr, ea.h[i].value.len) == 0);
    }
    /* a method the policy does not allow: still the handler's (the browser
     * decides, as for answered preflights) */
    eval_spec(pf, &(struct req_spec){ .method = "OPTIONS", .origin = ORIGIN, .acrm = "PATCH" },
              &ef);
    ck_assert(ef.r.call_handler);
    ck_assert_int_eq(ef.r.reason, CORS_REASON_METHOD_NOT_ALLOWED);
    /* a rejected origin is still answered with rejectStatus */
    eval_spec(pf, &(struct req_spec){ .method = "OPTIONS", .origin = "https://evil.example",
                                      .acrm = "PUT" },
              &ef);
    ck_assert(!ef.r.call_handler);
    ck_assert_int_eq(ef.r.status, 403);
    /* a malformed request method is rejected, not forwarded */
    eval_spec(pf, &(struct req_spec){ .method = "OPTIONS", .origin = ORIGIN, .acrm = "P T" },
              &ef);
    ck_assert(!ef.r.call_handler);
    cors_policy_unref(pa);
    cors_policy_unref(pf);
}
END_TEST

/* --------------------------------------------------- timingAllowOrigin */

static struct cors_policy *
timing_policy(const struct policy_spec *spec)
{
    struct cors_policy_builder *b = spec_builder(spec, NULL);
    ck_assert_int_eq(cors_policy_builder_set_timing_allow_origin(b, true), CORS_OK);
    struct cors_policy *p = cors_policy_build(b, 0, NULL, NULL);
    cors_policy_builder_free(b);
    ck_assert_ptr_nonnull(p);
    return p;
}

START_TEST(test_timing_allow_origin)
{
    const struct policy_spec spec = { .origins = LIST(ORIGIN), .credentials = true };
    struct cors_policy *p = timing_policy(&spec);
    struct eval e;
    /* allowed actual response: the same value as Access-Control-Allow-Origin */
    eval_spec(p, &(struct req_spec){ .origin = ORIGIN }, &e);
    assert_header(&e, H_TAO, ORIGIN);
    assert_header(&e, H_ACAO, ORIGIN);
    /* denied, preflight and not-CORS responses: none */
    eval_spec(p, &(struct req_spec){ .origin = "https://evil.example" }, &e);
    assert_header(&e, H_TAO, NULL);
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = ORIGIN, .acrm = "GET" }, &e);
    assert_header(&e, H_TAO, NULL);
    eval_spec(p, &(struct req_spec){ .method = "GET" }, &e);
    assert_header(&e, H_TAO, NULL);
    cors_policy_unref(p);

    /* a public policy: "*" beside "*", on every non-preflight response */
    const struct policy_spec pub = { .origins = LIST("*") };
    p = timing_policy(&pub);
    eval_spec(p, &(struct req_spec){ .origin = "https://any.example" }, &e);
    assert_header(&e, H_TAO, "*");
    eval_spec(p, &(struct req_spec){ .method = "GET" }, &e);
    assert_header(&e, H_TAO, "*");
    cors_policy_unref(p);

    /* off by default */
    p = spec_build(&spec);
    eval_spec(p, &(struct req_spec){ .origin = ORIGIN }, &e);
    assert_header(&e, H_TAO, NULL);
    cors_policy_unref(p);
}
END_TEST

/* ------------------------------------------------------ enforcePercent */

START_TEST(test_origin_bucket_is_documented_fnv1a)
{
    /* FNV-1a 32-bit modulo 100 (cors.h), values computed independently */
    static const struct {
        const char *origin;
        unsigned bucket;
    } cases[] = {
        { "https://example.com", 79 },
        { "https://app.example", 89 },
        { "http://localhost:8080", 42 },
        { "null", 20 },
        { "", 61 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_uint_eq(cors_origin_bucket(cors_str_from_cstr(cases[i].origin)),
                          cases[i].bucket);
    ck_assert_uint_eq(cors_origin_bucket((struct cors_str){ NULL, 0 }), 61);
}
END_TEST

static struct cors_policy *
percent_policy(int percent, struct cors_diagnostics *d, enum cors_status *st)
{
    const struct policy_spec spec = { .origins = LIST("https://*.example") };
    struct cors_policy_builder *b = spec_builder(&spec, NULL);
    ck_assert_int_eq(cors_policy_builder_set_enforce_percent(b, percent), CORS_OK);
    struct cors_policy *p = cors_policy_build(b, 0, d, st);
    cors_policy_builder_free(b);
    return p;
}

START_TEST(test_bucket_distribution)
{
    /* the buckets of many origins are close to uniform, so enforcePercent N
     * enforces close to N % of them */
    static size_t counts[100];
    memset(counts, 0, sizeof counts);
    size_t n = 100000;
    for (size_t i = 0; i < n; i++) {
        char origin[64];
        snprintf(origin, sizeof origin, "https://tenant-%zu.example", i);
        unsigned bucket = cors_origin_bucket(cors_str_from_cstr(origin));
        ck_assert_uint_lt(bucket, 100);
        counts[bucket]++;
    }
    size_t below = 0;
    for (unsigned percent = 0; percent <= 100; percent++) {
        double share = 100.0 * (double)below / (double)n;
        ck_assert_msg(share >= percent - 1.0 && share <= percent + 1.0,
                      "enforcePercent %u would enforce %.2f%%", percent, share);
        if (percent < 100)
            below += counts[percent];
    }
}
END_TEST

START_TEST(test_enforce_percent_split)
{
    /* every origin gets the treatment its bucket says, on every request */
    static const int percents[] = { 0, 1, 10, 50, 90, 100 };
    for (size_t k = 0; k < sizeof percents / sizeof percents[0]; k++) {
        struct cors_policy *p = percent_policy(percents[k], NULL, NULL);
        ck_assert_ptr_nonnull(p);
        size_t enforced = 0, n = 1000;
        for (size_t i = 0; i < n; i++) {
            char origin[64];
            snprintf(origin, sizeof origin, "https://tenant-%zu.example", i);
            struct eval e, again;
            eval_spec(p, &(struct req_spec){ .origin = origin }, &e);
            eval_spec(p, &(struct req_spec){ .origin = origin }, &again);
            ck_assert_int_eq(e.r.report_only, again.r.report_only);
            ck_assert(e.r.allowed); /* the verdict is the same either way */
            bool want_enforced =
                cors_origin_bucket(cors_str_from_cstr(origin)) < (unsigned)percents[k];
            ck_assert_int_eq(!e.r.report_only, want_enforced);
            if (e.r.report_only) {
                /* report-only treatment: nothing but Vary: Origin */
                ck_assert_uint_eq(e.r.header_count, 1);
                assert_vary(&e, VARY_ORIGIN);
            } else {
                assert_header(&e, H_ACAO, origin);
                enforced++;
            }
        }
        if (percents[k] == 0)
            ck_assert_uint_eq(enforced, 0);
        if (percents[k] == 100)
            ck_assert_uint_eq(enforced, n);
        /* requests without Origin are always enforced (Vary: Origin) */
        struct eval e;
        eval_spec(p, &(struct req_spec){ .method = "GET" }, &e);
        ck_assert(!e.r.report_only);
        cors_policy_unref(p);
    }
}
END_TEST

START_TEST(test_enforce_percent_preflight_and_range)
{
    /* a report-only preflight goes to the handler with the preflight Vary */
    struct cors_policy *p = percent_policy(0, NULL, NULL);
    struct eval e;
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = "https://a.example",
                                     .acrm = "GET" },
              &e);
    ck_assert(e.r.report_only);
    ck_assert(e.r.call_handler);
    assert_vary(&e, VARY_PREFLIGHT);
    cors_policy_unref(p);

    /* outside 0..100: an error of its own */
    static const int bad[] = { -1, 101, 1000 };
    for (size_t i = 0; i < 3; i++) {
        struct cors_diagnostics *d = cors_diagnostics_new(NULL);
        enum cors_status st = CORS_OK;
        ck_assert_ptr_null(percent_policy(bad[i], d, &st));
        ck_assert_int_eq(st, CORS_E_INVALID_POLICY);
        const struct cors_diagnostic *diag = diag_find(d, CORS_DIAG_PERCENT_OUT_OF_RANGE, ANY_INDEX);
        ck_assert_ptr_nonnull(diag);
        ck_assert_int_eq(diag->field, CORS_FIELD_ENFORCE_PERCENT);
        cors_diagnostics_free(d);
    }
}
END_TEST

START_TEST(test_new_settings_in_json)
{
    const struct policy_spec spec = { .origins = LIST(ORIGIN) };
    struct cors_policy_builder *b = spec_builder(&spec, NULL);
    ck_assert_int_eq(cors_policy_builder_set_forward_allowed_preflights(b, true), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_set_timing_allow_origin(b, true), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_set_enforce_percent(b, 25), CORS_OK);
    struct cors_policy *p = cors_policy_build(b, 0, NULL, NULL);
    cors_policy_builder_free(b);
    char json[2048];
    ck_assert_uint_lt(cors_policy_to_json(p, json, sizeof json), sizeof json);
    ck_assert_ptr_nonnull(strstr(json, "\"forwardAllowedPreflights\":true"));
    ck_assert_ptr_nonnull(strstr(json, "\"timingAllowOrigin\":true"));
    ck_assert_ptr_nonnull(strstr(json, "\"enforcePercent\":25"));
    cors_policy_unref(p);
}
END_TEST

static Suite *
features_suite(void)
{
    Suite *s = suite_create("features");
    TCase *tc = tcase_create("predicate");
    tcase_add_test(tc, test_predicate_when_asked);
    tcase_add_test(tc, test_predicate_yes_is_a_match);
    tcase_add_test(tc, test_predicate_with_star_and_report_only);
    suite_add_tcase(s, tc);
    tc = tcase_create("settings");
    tcase_add_test(tc, test_forward_allowed_preflights);
    tcase_add_test(tc, test_timing_allow_origin);
    tcase_add_test(tc, test_origin_bucket_is_documented_fnv1a);
    tcase_add_test(tc, test_bucket_distribution);
    tcase_add_test(tc, test_enforce_percent_split);
    tcase_add_test(tc, test_enforce_percent_preflight_and_range);
    tcase_add_test(tc, test_new_settings_in_json);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(features_suite());
}
