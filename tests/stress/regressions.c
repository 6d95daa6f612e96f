/*
 * Regression tests for defects found by the fuzz targets and the hardening
 * work (test "regressions", suites "unit" and "hostile"). Each test is named
 * regress_<what> and says which finding it pins and whether it is fixed.
 * A test whose defect is not fixed yet FAILS: that is deliberate (see the
 * hardening report).
 *
 * SPDX-License-Identifier: MIT
 */
#include <cors/cors.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

static struct cors_policy *
build_with_method(const char *method, struct cors_diagnostics *d, enum cors_status *st)
{
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(cors_policy_builder_add_origin(b, CORS_STR("https://a.example")), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_add_method(b, cors_str_from_cstr(method)), CORS_OK);
    struct cors_policy *p = cors_policy_build(b, 0, d, st);
    cors_policy_builder_free(b);
    return p;
}

static bool
has_code(const struct cors_diagnostics *d, enum cors_diag_code code)
{
    for (size_t i = 0; i < cors_diagnostics_count(d); i++)
        if (cors_diagnostics_get(d, i)->code == code)
            return true;
    return false;
}

/*
 * Found by fuzz-text: an allowMethods entry that is not a token ("GE:T") or
 * is forbidden ("CONNECT") made cors_policy_build() crash (SIGSEGV):
 * build_methods() sets keys[i].ptr = NULL but keeps keys[i].len, and
 * find_duplicates() -> corsp_strset_build() -> corsp_hash() reads len bytes
 * from NULL (lib/policy.c build_methods, lib/hash.c corsp_hash).
 * Fixed on main in bfa237a (found there by the unit suites too).
 */
static const char *const bad_methods[] = {"CONNECT", "GE:T", "TRACE", "GET POST"};

START_TEST(regress_build_invalid_method_crash)
{
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    ck_assert_ptr_nonnull(d);
    enum cors_status st = CORS_OK;
    struct cors_policy *p = build_with_method(bad_methods[_i], d, &st);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(st, CORS_E_INVALID_POLICY);
    ck_assert(has_code(d, CORS_DIAG_METHOD_INVALID) || has_code(d, CORS_DIAG_METHOD_FORBIDDEN));
    cors_diagnostics_free(d);
}
END_TEST

/*
 * Found by fuzz-list (UBSan): cors_merge_vary() with an absent existing value
 * ({NULL, 0}, documented as allowed) passes NULL to memcpy() (lib/evaluate.c,
 * PUT(existing.ptr, existing.len)): undefined behaviour even for 0 bytes. This
 * test passes in a plain build and fails under -fsanitize=undefined with
 * UBSAN_OPTIONS=halt_on_error=1 (tools/ci.d/20-sanitizers.sh).
 * Fixed on main in bfa237a.
 */
START_TEST(regress_merge_vary_absent_existing)
{
    char out[64];
    size_t n = cors_merge_vary((struct cors_str){NULL, 0}, CORS_STR("Origin"), out, sizeof out);
    ck_assert_uint_eq(n, 6);
    ck_assert_str_eq(out, "Origin");
    n = cors_merge_vary((struct cors_str){NULL, 0}, (struct cors_str){NULL, 0}, out, sizeof out);
    ck_assert_uint_eq(n, 0);
    ck_assert_str_eq(out, "");
}
END_TEST

/*
 * Guard (not a defect): corsp_pattern_parse() quotes raw bytes of a configured
 * origin in its message ("the scheme has an invalid character '\r'"); the
 * library replaces control bytes before the message reaches the diagnostics
 * list, so a host logging diagnostics line by line cannot be fed forged lines.
 */
static const char *const crlf_origins[] = {"ht\rtp://a.example", "ht\ntp://a.example",
                                           "https://a.exa\r\nmple"};

START_TEST(guard_diag_message_crlf)
{
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(cors_policy_builder_add_origin(b, cors_str_from_cstr(crlf_origins[_i])),
                     CORS_OK);
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    ck_assert_ptr_nonnull(d);
    enum cors_status st;
    struct cors_policy *p = cors_policy_build(b, 0, d, &st);
    cors_policy_builder_free(b);
    ck_assert_ptr_null(p);
    ck_assert_uint_gt(cors_diagnostics_error_count(d), 0);
    for (size_t i = 0; i < cors_diagnostics_count(d); i++) {
        struct cors_str m = cors_diagnostics_get(d, i)->message;
        ck_assert_msg(memchr(m.ptr, '\r', m.len) == NULL && memchr(m.ptr, '\n', m.len) == NULL,
                      "diagnostic %zu quotes a raw CR/LF: %s", i, m.ptr);
    }
    cors_diagnostics_free(d);
}
END_TEST

/*
 * decisions.md: a request Origin port is "1-65535 without leading zeros", but
 * corsp_origin_parse() accepted ":0" (found by fuzz-origin). Fixed on main in
 * bfa237a; this pins the documented behaviour.
 */
START_TEST(regress_origin_port_zero)
{
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(cors_policy_builder_add_origin(b, CORS_STR("https://*:*")), CORS_OK);
    enum cors_status st;
    struct cors_policy *p = cors_policy_build(b, 0, NULL, &st);
    cors_policy_builder_free(b);
    ck_assert_ptr_nonnull(p);
    struct cors_str o = CORS_STR("https://a.example:0");
    struct cors_request rq = {.method = CORS_STR("GET"), .origins = &o, .origin_count = 1};
    struct cors_header h[CORS_HEADERS_MAX];
    struct cors_result r;
    ck_assert_int_eq(cors_evaluate(p, &rq, h, CORS_HEADERS_MAX, &r), CORS_OK);
    ck_assert_str_eq(cors_reason_name(r.reason), "origin-malformed");
    cors_policy_unref(p);
}
END_TEST

#ifdef REGRESS_HAVE_YAML
/*
 * Found by fuzz-text: cors_policy_to_json() writes a "policySource" member,
 * and the text loader refuses it as an unknown key, so the effective policy
 * ("in the text-policy shape", cors.h) does not load back. NOT FIXED: either
 * the loader accepts (and ignores or uses) "policySource", or to_json stops
 * writing it.
 */
START_TEST(regress_json_policy_source_reloads)
{
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(cors_policy_builder_add_origin(b, CORS_STR("https://a.example")), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_set_source(b, CORS_STR("unit test")), CORS_OK);
    enum cors_status st;
    struct cors_policy *p = cors_policy_build(b, 0, NULL, &st);
    cors_policy_builder_free(b);
    ck_assert_ptr_nonnull(p);
    char json[2048];
    size_t n = cors_policy_to_json(p, json, sizeof json);
    ck_assert_uint_lt(n, sizeof json);
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    ck_assert_ptr_nonnull(d);
    struct cors_policy *q = cors_policy_new_from_text((struct cors_str){json, n}, 0, NULL, d, &st);
    ck_assert_msg(q != NULL, "effective JSON does not load: %s (%s)", json,
                  cors_diagnostics_count(d) ? cors_diagnostics_get(d, 0)->message.ptr : "");
    cors_policy_unref(q);
    cors_policy_unref(p);
    cors_diagnostics_free(d);
}
END_TEST
#endif

static Suite *
regress_suite(void)
{
    Suite *s = suite_create("regressions");
    TCase *t = tcase_create("found");
    tcase_add_loop_test(t, regress_build_invalid_method_crash, 0,
                        (int)(sizeof bad_methods / sizeof bad_methods[0]));
    tcase_add_test(t, regress_merge_vary_absent_existing);
    tcase_add_loop_test(t, guard_diag_message_crlf, 0,
                        (int)(sizeof crlf_origins / sizeof crlf_origins[0]));
    tcase_add_test(t, regress_origin_port_zero);
#ifdef REGRESS_HAVE_YAML
    tcase_add_test(t, regress_json_policy_source_reloads);
#endif
    suite_add_tcase(s, t);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(regress_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
