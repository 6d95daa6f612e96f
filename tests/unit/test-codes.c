/*
 * Code tables (cors.h): every status, field, diagnostic code, decision and
 * reason has its stable name; unknown values give "unknown"; the version
 * functions agree with the version macros.
 *
 * SPDX-License-Identifier: MIT
 */
#include "test-common.h"

#include <stdio.h>
#include <string.h>

START_TEST(test_version)
{
    ck_assert_uint_eq(cors_version(), CORS_VERSION_HEX);
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", CORS_VERSION_MAJOR, CORS_VERSION_MINOR,
             CORS_VERSION_MICRO);
    ck_assert_str_eq(cors_version_string(), want);
    ck_assert(CORS_VERSION_AT_LEAST(0, 1, 0));
    ck_assert(!CORS_VERSION_AT_LEAST(CORS_VERSION_MAJOR + 1, 0, 0));
    ck_assert_uint_eq(CORS_VERSION_HEX, (CORS_VERSION_MAJOR << 16) | (CORS_VERSION_MINOR << 8) |
                                        CORS_VERSION_MICRO);
}
END_TEST

START_TEST(test_status_names)
{
    static const enum cors_status all[] = { CORS_OK, CORS_E_INVALID_ARGUMENT, CORS_E_NOMEM,
                                            CORS_E_NOSPACE, CORS_E_INVALID_POLICY,
                                            CORS_E_UNSUPPORTED };
    ck_assert_int_eq(CORS_OK, 0);
    ck_assert_int_eq(CORS_E_INVALID_ARGUMENT, 1);
    ck_assert_int_eq(CORS_E_NOMEM, 2);
    ck_assert_int_eq(CORS_E_NOSPACE, 3);
    ck_assert_int_eq(CORS_E_INVALID_POLICY, 4);
    ck_assert_int_eq(CORS_E_UNSUPPORTED, 5);
    ck_assert_str_eq(cors_status_name(CORS_E_NOSPACE), "nospace");
    for (size_t i = 0; i < 6; i++) {
        const char *n = cors_status_name(all[i]);
        ck_assert_ptr_nonnull(n);
        ck_assert_str_ne(n, "unknown");
        ck_assert_uint_gt(strlen(n), 0);
        for (size_t j = 0; j < i; j++)
            ck_assert_str_ne(n, cors_status_name(all[j]));
    }
    ck_assert_str_eq(cors_status_name((enum cors_status)6), "unknown");
    ck_assert_str_eq(cors_status_name((enum cors_status)-1), "unknown");
    ck_assert_str_eq(cors_status_name((enum cors_status)1000), "unknown");
}
END_TEST

START_TEST(test_field_names)
{
    static const struct {
        enum cors_field f;
        int value;
        const char *name;
    } all[] = {
        { CORS_FIELD_NONE, 0, "" },
        { CORS_FIELD_ALLOW_ORIGINS, 1, "allowOrigins" },
        { CORS_FIELD_ALLOW_ORIGIN_REGEX, 2, "allowOriginRegex" },
        { CORS_FIELD_ALLOW_METHODS, 3, "allowMethods" },
        { CORS_FIELD_ALLOW_HEADERS, 4, "allowHeaders" },
        { CORS_FIELD_EXPOSE_HEADERS, 5, "exposeHeaders" },
        { CORS_FIELD_MAX_AGE, 6, "maxAge" },
        { CORS_FIELD_ALLOW_CREDENTIALS, 7, "allowCredentials" },
        { CORS_FIELD_ALLOW_PRIVATE_NETWORK, 8, "allowPrivateNetwork" },
        { CORS_FIELD_PREFLIGHT_STATUS, 9, "preflightStatus" },
        { CORS_FIELD_REJECT_STATUS, 10, "rejectStatus" },
        { CORS_FIELD_FORWARD_REJECTED_PREFLIGHTS, 11, "forwardRejectedPreflights" },
        { CORS_FIELD_REPORT_ONLY, 12, "reportOnly" },
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        ck_assert_int_eq((int)all[i].f, all[i].value);
        ck_assert_ptr_nonnull(cors_field_name(all[i].f));
        ck_assert_str_eq(cors_field_name(all[i].f), all[i].name);
    }
    ck_assert_ptr_nonnull(cors_field_name((enum cors_field)13));
    ck_assert_ptr_nonnull(cors_field_name((enum cors_field)-1));
}
END_TEST

START_TEST(test_decision_names)
{
    ck_assert_int_eq(CORS_DECISION_NOT_CORS, 0);
    ck_assert_int_eq(CORS_DECISION_ACTUAL, 1);
    ck_assert_int_eq(CORS_DECISION_PREFLIGHT, 2);
    ck_assert_str_eq(cors_decision_name(CORS_DECISION_NOT_CORS), "not-cors");
    ck_assert_str_eq(cors_decision_name(CORS_DECISION_ACTUAL), "actual");
    ck_assert_str_eq(cors_decision_name(CORS_DECISION_PREFLIGHT), "preflight");
    ck_assert_str_eq(cors_decision_name((enum cors_decision)3), "unknown");
}
END_TEST

START_TEST(test_reason_names)
{
    static const struct {
        enum cors_reason r;
        int value;
        const char *name;
    } all[] = {
        { CORS_REASON_NOT_CORS, 0, "not-cors" },
        { CORS_REASON_ALLOWED, 1, "allowed" },
        { CORS_REASON_ORIGIN_NOT_ALLOWED, 2, "origin-not-allowed" },
        { CORS_REASON_ORIGIN_MALFORMED, 3, "origin-malformed" },
        { CORS_REASON_ORIGIN_MULTIPLE, 4, "origin-multiple" },
        { CORS_REASON_ORIGIN_TOO_LONG, 5, "origin-too-long" },
        { CORS_REASON_METHOD_NOT_ALLOWED, 6, "method-not-allowed" },
        { CORS_REASON_METHOD_MALFORMED, 7, "method-malformed" },
        { CORS_REASON_HEADER_NOT_ALLOWED, 8, "header-not-allowed" },
        { CORS_REASON_HEADERS_MALFORMED, 9, "headers-malformed" },
        { CORS_REASON_HEADERS_TOO_MANY_LINES, 10, "headers-too-many-lines" },
        { CORS_REASON_PRIVATE_NETWORK_NOT_ALLOWED, 11, "private-network-not-allowed" },
        { CORS_REASON_ORIGIN_REGEX_LIMIT, 12, "origin-regex-limit" },
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        ck_assert_int_eq((int)all[i].r, all[i].value);
        ck_assert_str_eq(cors_reason_name(all[i].r), all[i].name);
    }
    ck_assert_str_eq(cors_reason_name((enum cors_reason)13), "unknown");
    ck_assert_str_eq(cors_reason_name((enum cors_reason)-1), "unknown");
}
END_TEST

/* Diagnostic names follow the enum: CORS_DIAG_ORIGIN_MALFORMED is
 * "origin-malformed" (cors.h's example; decisions.md uses "duplicate-entry"
 * and "method-lowercase" the same way). */
#define D(sym, val) { CORS_DIAG_##sym, val, #sym }
START_TEST(test_diag_code_names)
{
    static const struct {
        enum cors_diag_code c;
        int value;
        const char *sym;
    } all[] = {
        D(ORIGIN_MALFORMED, 1), D(ORIGIN_WILDCARD_MISPLACED, 2), D(ORIGIN_NOT_ASCII, 3),
        D(STAR_MIXED, 4), D(REGEX_INVALID, 5), D(REGEX_MATCHES_STAR, 6),
        D(REGEX_MATCHES_NULL, 7), D(METHOD_INVALID, 8), D(METHOD_FORBIDDEN, 9),
        D(HEADER_INVALID, 10), D(MAX_AGE_OUT_OF_RANGE, 11), D(STATUS_INVALID, 12),
        D(TEXT_SYNTAX, 13), D(TEXT_UNKNOWN_KEY, 14), D(TEXT_WRONG_TYPE, 15),
        D(TEXT_NO_POLICY, 16), D(TEXT_UNSUPPORTED, 17), D(TEXT_DUPLICATE_KEY, 18),
        D(TEXT_TOO_LARGE, 19), D(BUILDER_CALL_FAILED, 20), D(REGEX_UNSUPPORTED, 21),
        D(ORIGIN_HOST_TOO_LONG, 22), D(ORIGIN_FILE_SCHEME, 23), D(ORIGIN_PUNYCODE_INVALID, 24),
        D(PERCENT_OUT_OF_RANGE, 25),
        D(ORIGIN_STAR_WITH_CREDENTIALS, 100), D(ORIGIN_NULL, 101),
        D(ORIGIN_INSECURE_WITH_CREDENTIALS, 102), D(ORIGIN_WILDCARD_WITH_CREDENTIALS, 103),
        D(EXPOSE_STAR_WITH_CREDENTIALS, 104), D(HEADER_FORBIDDEN, 105),
        D(HEADER_CORS_PROTOCOL, 106), D(EXPOSE_FORBIDDEN, 107), D(METHOD_LOWERCASE, 108),
        D(NO_ORIGINS, 109), D(MAX_AGE_ABOVE_CHROMIUM_CAP, 110),
        D(MAX_AGE_ABOVE_FIREFOX_CAP, 111), D(REGEX_UNESCAPED_DOT, 112), D(REGEX_NO_SCHEME, 113),
        D(REGEX_MATCHES_CANARY, 114), D(ORIGIN_PUBLIC_SUFFIX_WILDCARD, 115),
        D(DUPLICATE_ENTRY, 116), D(TEXT_BOTH_LEVELS, 117), D(REGEX_BACKTRACKING, 118),
        D(ORIGIN_NOT_CANONICAL, 119), D(ORIGIN_PREDICATE_UNREACHABLE, 120),
        D(GATEWAY_API_EXTENSION_KEY, 121), D(GATEWAY_API_TOO_MANY_ENTRIES, 122),
        D(GATEWAY_API_METHOD_NOT_IN_ENUM, 123), D(GATEWAY_API_MAX_AGE, 124),
        D(GATEWAY_API_ORIGIN_PATTERN, 125),
    };
    size_t n = sizeof all / sizeof all[0];
    for (size_t i = 0; i < n; i++) {
        char want[64];
        size_t k;
        for (k = 0; all[i].sym[k] != '\0'; k++) {
            char c = all[i].sym[k];
            want[k] = c == '_' ? '-' : (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        }
        want[k] = '\0';
        ck_assert_int_eq((int)all[i].c, all[i].value);
        ck_assert_msg(strcmp(cors_diag_code_name(all[i].c), want) == 0,
                      "code %d: name '%s', expected '%s'", all[i].value,
                      cors_diag_code_name(all[i].c), want);
        const char *summary = cors_diag_code_summary(all[i].c);
        ck_assert_ptr_nonnull(summary);
        ck_assert_uint_gt(strlen(summary), 0);
        for (size_t j = 0; j < i; j++)
            ck_assert_str_ne(cors_diag_code_name(all[i].c), cors_diag_code_name(all[j].c));
    }
    static const int unknown[] = { 0, 26, 99, 126, 130, 1000, -1 };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        ck_assert_str_eq(cors_diag_code_name((enum cors_diag_code)unknown[i]), "unknown");
        ck_assert_ptr_nonnull(cors_diag_code_summary((enum cors_diag_code)unknown[i]));
    }
}
END_TEST

START_TEST(test_enum_values)
{
    ck_assert_int_eq(CORS_SEVERITY_ERROR, 0);
    ck_assert_int_eq(CORS_SEVERITY_WARNING, 1);
    ck_assert_int_eq(CORS_HEADER_SET, 0);
    ck_assert_int_eq(CORS_HEADER_APPEND, 1);
    ck_assert_int_eq(CORS_HEADER_MERGE_VARY, 2);
    ck_assert_int_eq(CORS_BUILD_STRICT, 1);
    ck_assert_int_eq(CORS_BUILD_NO_JIT, 2);
    ck_assert_int_eq(CORS_MAX_AGE_UNSET, -1);
    ck_assert_int_eq(CORS_ORIGIN_MAX, 4096);
    ck_assert_int_eq(CORS_REQUEST_HEADER_LINES_MAX, 8);
    ck_assert_int_ge(CORS_HEADERS_MAX, 15);
    struct cors_str s = CORS_STR("abc");
    ck_assert_uint_eq(s.len, 3);
    s = cors_str_from_cstr(NULL);
    ck_assert_ptr_null(s.ptr);
    ck_assert_uint_eq(s.len, 0);
    s = cors_str_from_cstr("");
    ck_assert_ptr_nonnull(s.ptr);
    ck_assert_uint_eq(s.len, 0);
}
END_TEST

static Suite *
codes_suite(void)
{
    Suite *s = suite_create("codes");
    TCase *tc = tcase_create("codes");
    tcase_add_test(tc, test_version);
    tcase_add_test(tc, test_status_names);
    tcase_add_test(tc, test_field_names);
    tcase_add_test(tc, test_decision_names);
    tcase_add_test(tc, test_reason_names);
    tcase_add_test(tc, test_diag_code_names);
    tcase_add_test(tc, test_enum_values);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(codes_suite());
}
