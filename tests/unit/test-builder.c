/*
 * Builder and validation (docs/semantics.md §3, §5; docs/decisions.md "Validation
 * deviations", "Regex origins"): every diagnostic code the builder can
 * produce, with its severity, field and index; strict mode; all problems
 * reported at once; setters copy; positions, source, status_out.
 *
 * SPDX-License-Identifier: MIT
 */
#include "test-common.h"

#include <stdlib.h>
#include <string.h>

#ifndef TEST_HAVE_IDN
#define TEST_HAVE_IDN 0
#endif
#ifndef TEST_HAVE_PSL
#define TEST_HAVE_PSL 0
#endif

#define OK_ORIGIN LIST("https://app.example.com")

/* An error: the build fails and reports (code, ERROR, field, index). */
static void
expect_error(const struct policy_spec *s, enum cors_diag_code code, enum cors_field field,
             size_t index)
{
    struct cors_diagnostics *d = spec_build_fails(s, 0);
    assert_diag(d, code, CORS_SEVERITY_ERROR, field, index);
    cors_diagnostics_free(d);
}

/* A warning: the build succeeds with (code, WARNING, field, index); under
 * CORS_BUILD_STRICT the same diagnostic is an ERROR and the build fails. */
static void
expect_warning(const struct policy_spec *s, enum cors_diag_code code, enum cors_field field,
               size_t index)
{
    struct cors_diagnostics *d = spec_build_ok_diags(s, 0);
    assert_diag(d, code, CORS_SEVERITY_WARNING, field, index);
    cors_diagnostics_free(d);
    d = spec_build_fails(s, CORS_BUILD_STRICT);
    assert_diag(d, code, CORS_SEVERITY_ERROR, field, index);
    cors_diagnostics_free(d);
}

/* The build succeeds and this code is not reported. */
static void
expect_no(const struct policy_spec *s, enum cors_diag_code code)
{
    struct cors_diagnostics *d = spec_build_ok_diags(s, 0);
    assert_no_diag(d, code);
    cors_diagnostics_free(d);
}

/* The build succeeds with no diagnostic at all, strict included. */
static void
expect_clean(const struct policy_spec *s)
{
    char buf[4096];
    struct cors_diagnostics *d = spec_build_ok_diags(s, CORS_BUILD_STRICT);
    ck_assert_msg(cors_diagnostics_count(d) == 0, "expected no diagnostics, got:\n%s",
                  diag_dump(d, buf, sizeof buf));
    cors_diagnostics_free(d);
}

/* ------------------------------------------------------------ basics */

START_TEST(test_null_arguments)
{
    struct cors_str s = CORS_STR("x");
    ck_assert_int_eq(cors_policy_builder_add_origin(NULL, s), CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_policy_builder_add_origin_regex(NULL, s), CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_policy_builder_add_method(NULL, s), CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_policy_builder_add_allow_header(NULL, s), CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_policy_builder_add_expose_header(NULL, s), CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_policy_builder_set_max_age(NULL, 5), CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_policy_builder_set_allow_credentials(NULL, true),
                     CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_policy_builder_set_allow_private_network(NULL, true),
                     CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_policy_builder_set_preflight_status(NULL, 204),
                     CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_policy_builder_set_reject_status(NULL, 403), CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_policy_builder_set_forward_rejected_preflights(NULL, true),
                     CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_policy_builder_set_report_only(NULL, true), CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_policy_builder_set_position(NULL, 1, 1), CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_policy_builder_set_source(NULL, s), CORS_E_INVALID_ARGUMENT);

    enum cors_status st = CORS_OK;
    struct cors_policy *p = cors_policy_build(NULL, 0, NULL, &st);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(st, CORS_E_INVALID_ARGUMENT);

    /* NULL is a no-op for every free/unref. */
    cors_policy_builder_free(NULL);
    cors_policy_unref(NULL);
    cors_diagnostics_free(NULL);
}
END_TEST

/* Setters "fail only on a NULL builder or when out of memory": content
 * problems are left to the build. */
START_TEST(test_setters_accept_bad_content)
{
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(cors_policy_builder_add_origin(b, CORS_STR("not an origin")), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_add_origin_regex(b, CORS_STR("(")), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_add_method(b, CORS_STR("GE T")), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_add_allow_header(b, CORS_STR("x y")), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_add_expose_header(b, CORS_STR("x y")), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_set_max_age(b, -42), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_set_preflight_status(b, 500), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_set_reject_status(b, 302), CORS_OK);
    enum cors_status st = CORS_OK;
    struct cors_policy *p = cors_policy_build(b, 0, NULL, &st); /* diags may be NULL */
    ck_assert_ptr_null(p);
    ck_assert_int_eq(st, CORS_E_INVALID_POLICY);
    cors_policy_builder_free(b);
}
END_TEST

START_TEST(test_status_out_ok)
{
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    ck_assert_int_eq(cors_policy_builder_add_origin(b, CORS_STR("https://a.example")), CORS_OK);
    enum cors_status st = CORS_E_NOMEM;
    struct cors_policy *p = cors_policy_build(b, 0, NULL, &st);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(st, CORS_OK);
    cors_policy_unref(p);
    /* status_out may be NULL */
    p = cors_policy_build(b, 0, NULL, NULL);
    ck_assert_ptr_nonnull(p);
    cors_policy_unref(p);
    cors_policy_builder_free(b);
}
END_TEST

/* Setters copy: the caller's buffers may change or vanish before the build. */
START_TEST(test_setters_copy)
{
    char origin[] = "https://copy.example.com";
    char method[] = "PATCH";
    char header[] = "X-Copied";
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    ck_assert_int_eq(cors_policy_builder_add_origin(b, cors_str_from_cstr(origin)), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_add_method(b, cors_str_from_cstr(method)), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_add_allow_header(b, cors_str_from_cstr(header)),
                     CORS_OK);
    memset(origin, 'z', sizeof origin - 1);
    memset(method, 'z', sizeof method - 1);
    memset(header, 'z', sizeof header - 1);
    struct cors_policy *p = cors_policy_build(b, 0, NULL, NULL);
    ck_assert_ptr_nonnull(p);
    cors_policy_builder_free(b);

    struct eval e;
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = "https://copy.example.com",
                                     .acrm = "PATCH", .acrh = LIST("x-copied") }, &e);
    ck_assert(e.r.allowed);
    assert_header(&e, H_ACAO, "https://copy.example.com");
    assert_header(&e, H_ACAM, "PATCH");
    assert_header(&e, H_ACAH, "x-copied");
    cors_policy_unref(p);
}
END_TEST

/* Slices are read only up to their length (no NUL terminator expected). */
START_TEST(test_setters_read_only_len)
{
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    const char *o = "https://guard.example.com";
    ck_assert_int_eq(cors_policy_builder_add_origin(b, guarded_str(o, strlen(o))), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_add_origin_regex(
                         b, guarded_str("https://r\\.example\\.com", 22)), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_add_method(b, guarded_str("PUT", 3)), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_add_allow_header(b, guarded_str("X-G", 3)), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_add_expose_header(b, guarded_str("X-E", 3)), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_set_source(b, guarded_str("src", 3)), CORS_OK);
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    char buf[4096];
    struct cors_policy *p = cors_policy_build(b, 0, d, NULL);
    ck_assert_msg(p != NULL, "%s", diag_dump(d, buf, sizeof buf));
    ck_assert_uint_eq(cors_diagnostics_count(d), 0);
    struct cors_str src = cors_policy_source(p);
    ck_assert_uint_eq(src.len, 3);
    ck_assert_int_eq(memcmp(src.ptr, "src", 3), 0);
    cors_policy_builder_free(b);
    cors_policy_unref(p);
    cors_diagnostics_free(d);
    guard_free_all();
}
END_TEST

START_TEST(test_builder_reuse)
{
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    ck_assert_int_eq(cors_policy_builder_add_origin(b, CORS_STR("https://one.example")), CORS_OK);
    struct cors_policy *p1 = cors_policy_build(b, 0, NULL, NULL);
    ck_assert_ptr_nonnull(p1);
    ck_assert_int_eq(cors_policy_builder_add_origin(b, CORS_STR("https://two.example")), CORS_OK);
    struct cors_policy *p2 = cors_policy_build(b, 0, NULL, NULL);
    ck_assert_ptr_nonnull(p2);
    cors_policy_builder_free(b); /* policies are unaffected */

    struct eval e;
    eval_spec(p1, &(struct req_spec){ .origin = "https://two.example" }, &e);
    ck_assert(!e.r.allowed);
    ck_assert_int_eq(e.r.reason, CORS_REASON_ORIGIN_NOT_ALLOWED);
    eval_spec(p1, &(struct req_spec){ .origin = "https://one.example" }, &e);
    ck_assert(e.r.allowed);
    eval_spec(p2, &(struct req_spec){ .origin = "https://two.example" }, &e);
    ck_assert(e.r.allowed);
    eval_spec(p2, &(struct req_spec){ .origin = "https://one.example" }, &e);
    ck_assert(e.r.allowed);
    cors_policy_unref(p1);
    cors_policy_unref(p2);
}
END_TEST

START_TEST(test_ref_unref)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){ .origins = OK_ORIGIN });
    ck_assert_ptr_eq(cors_policy_ref(p), p);
    cors_policy_unref(p);
    struct eval e;
    eval_spec(p, &(struct req_spec){ .origin = "https://app.example.com" }, &e);
    ck_assert(e.r.allowed);
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_source)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){ .origins = OK_ORIGIN });
    ck_assert_uint_eq(cors_policy_source(p).len, 0);
    cors_policy_unref(p);

    struct cors_policy_builder *b = spec_builder(&(struct policy_spec){ .origins = OK_ORIGIN },
                                                 NULL);
    char src[] = "HTTPRoute httpbin/httpbin, document 1";
    ck_assert_int_eq(cors_policy_builder_set_source(b, cors_str_from_cstr(src)), CORS_OK);
    p = cors_policy_build(b, 0, NULL, NULL);
    memset(src, 'x', sizeof src - 1);
    cors_policy_builder_free(b);
    ck_assert_ptr_nonnull(p);
    struct cors_str s = cors_policy_source(p);
    ck_assert_uint_eq(s.len, strlen("HTTPRoute httpbin/httpbin, document 1"));
    ck_assert_int_eq(memcmp(s.ptr, "HTTPRoute httpbin/httpbin, document 1", s.len), 0);
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_positions)
{
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    ck_assert_int_eq(cors_policy_builder_add_origin(b, CORS_STR("no-scheme.example")), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_set_position(b, 12, 7), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_add_origin(b, CORS_STR("also bad")), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_set_position(b, 20, 3), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_set_max_age(b, -5), CORS_OK);
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    ck_assert_ptr_null(cors_policy_build(b, 0, d, NULL));

    const struct cors_diagnostic *x = diag_find(d, CORS_DIAG_ORIGIN_MALFORMED, 0);
    ck_assert_ptr_nonnull(x);
    ck_assert_uint_eq(x->line, 0);
    ck_assert_uint_eq(x->column, 0);
    x = diag_find(d, CORS_DIAG_ORIGIN_MALFORMED, 1);
    ck_assert_ptr_nonnull(x);
    ck_assert_uint_eq(x->line, 12);
    ck_assert_uint_eq(x->column, 7);
    x = diag_find(d, CORS_DIAG_MAX_AGE_OUT_OF_RANGE, ANY_INDEX);
    ck_assert_ptr_nonnull(x);
    ck_assert_uint_eq(x->line, 20);
    ck_assert_uint_eq(x->column, 3);
    cors_diagnostics_free(d);
    cors_policy_builder_free(b);
}
END_TEST

START_TEST(test_diagnostics_api)
{
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(cors_diagnostics_count(d), 0);
    ck_assert_uint_eq(cors_diagnostics_error_count(d), 0);
    ck_assert_ptr_null(cors_diagnostics_get(d, 0));

    char msg[] = "host check failed";
    ck_assert_int_eq(cors_diagnostics_add(d, CORS_DIAG_ORIGIN_MALFORMED, CORS_SEVERITY_ERROR,
                                          CORS_FIELD_ALLOW_ORIGINS, 3, 10, 4,
                                          cors_str_from_cstr(msg)), CORS_OK);
    ck_assert_int_eq(cors_diagnostics_add(d, CORS_DIAG_ORIGIN_NULL, CORS_SEVERITY_WARNING,
                                          CORS_FIELD_ALLOW_ORIGINS, SIZE_MAX, 0, 0,
                                          CORS_STR("second")), CORS_OK);
    memset(msg, 'x', sizeof msg - 1); /* the message was copied */
    ck_assert_uint_eq(cors_diagnostics_count(d), 2);
    ck_assert_uint_eq(cors_diagnostics_error_count(d), 1);
    const struct cors_diagnostic *x = cors_diagnostics_get(d, 0);
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(x->code, CORS_DIAG_ORIGIN_MALFORMED);
    ck_assert_int_eq(x->severity, CORS_SEVERITY_ERROR);
    ck_assert_int_eq(x->field, CORS_FIELD_ALLOW_ORIGINS);
    ck_assert_uint_eq(x->index, 3);
    ck_assert_uint_eq(x->line, 10);
    ck_assert_uint_eq(x->column, 4);
    ck_assert_uint_eq(x->message.len, strlen("host check failed"));
    ck_assert_str_eq(x->message.ptr, "host check failed");
    x = cors_diagnostics_get(d, 1);
    ck_assert_ptr_nonnull(x);
    ck_assert_uint_eq(x->index, SIZE_MAX);
    ck_assert_str_eq(x->message.ptr, "second");
    ck_assert_ptr_null(cors_diagnostics_get(d, 2));

    ck_assert_int_eq(cors_diagnostics_add(NULL, CORS_DIAG_ORIGIN_NULL, CORS_SEVERITY_WARNING,
                                          CORS_FIELD_NONE, SIZE_MAX, 0, 0, CORS_STR("x")),
                     CORS_E_INVALID_ARGUMENT);

    cors_diagnostics_clear(d);
    ck_assert_uint_eq(cors_diagnostics_count(d), 0);
    ck_assert_uint_eq(cors_diagnostics_error_count(d), 0);
    ck_assert_ptr_null(cors_diagnostics_get(d, 0));

    /* A build appends to what is there. */
    ck_assert_int_eq(cors_diagnostics_add(d, CORS_DIAG_NO_ORIGINS, CORS_SEVERITY_WARNING,
                                          CORS_FIELD_NONE, SIZE_MAX, 0, 0, CORS_STR("host")),
                     CORS_OK);
    struct cors_policy *p = spec_try_build(&(struct policy_spec){ .origins = LIST("bad") }, 0,
                                           d, NULL);
    ck_assert_ptr_null(p);
    ck_assert_uint_ge(cors_diagnostics_count(d), 2);
    ck_assert_int_eq(cors_diagnostics_get(d, 0)->code, CORS_DIAG_NO_ORIGINS);
    ck_assert_str_eq(cors_diagnostics_get(d, 0)->message.ptr, "host");
    ck_assert_ptr_nonnull(diag_find(d, CORS_DIAG_ORIGIN_MALFORMED, 0));
    cors_diagnostics_free(d);
}
END_TEST

/* docs/semantics.md §5: "reports every problem", not just the first. */
START_TEST(test_all_problems_reported)
{
    struct policy_spec s = {
        .origins = LIST("no-scheme.example", "https://ok.example", "https://ex*mple.com",
                        "https://*example.org"),
        .regexes = LIST("https://(unclosed"),
        .allow_headers = LIST("x y", "X-Fine"),
        .expose_headers = LIST("X-Fine", "a:b"),
        .has_max_age = true,
        .max_age = -7,
        .preflight_status = 201,
        .reject_status = 500,
    };
    struct cors_diagnostics *d = spec_build_fails(&s, 0);
    assert_diag(d, CORS_DIAG_ORIGIN_MALFORMED, CORS_SEVERITY_ERROR, CORS_FIELD_ALLOW_ORIGINS, 0);
    assert_diag(d, CORS_DIAG_ORIGIN_WILDCARD_MISPLACED, CORS_SEVERITY_ERROR,
                CORS_FIELD_ALLOW_ORIGINS, 2);
    assert_diag(d, CORS_DIAG_ORIGIN_WILDCARD_MISPLACED, CORS_SEVERITY_ERROR,
                CORS_FIELD_ALLOW_ORIGINS, 3);
    assert_diag(d, CORS_DIAG_REGEX_INVALID, CORS_SEVERITY_ERROR, CORS_FIELD_ALLOW_ORIGIN_REGEX, 0);
    assert_diag(d, CORS_DIAG_HEADER_INVALID, CORS_SEVERITY_ERROR, CORS_FIELD_ALLOW_HEADERS, 0);
    assert_diag(d, CORS_DIAG_HEADER_INVALID, CORS_SEVERITY_ERROR, CORS_FIELD_EXPOSE_HEADERS, 1);
    assert_diag(d, CORS_DIAG_MAX_AGE_OUT_OF_RANGE, CORS_SEVERITY_ERROR, CORS_FIELD_MAX_AGE,
                SIZE_MAX);
    assert_diag(d, CORS_DIAG_STATUS_INVALID, CORS_SEVERITY_ERROR, CORS_FIELD_PREFLIGHT_STATUS,
                SIZE_MAX);
    assert_diag(d, CORS_DIAG_STATUS_INVALID, CORS_SEVERITY_ERROR, CORS_FIELD_REJECT_STATUS,
                SIZE_MAX);
    ck_assert_uint_ge(cors_diagnostics_error_count(d), 9);
    /* good entries are not reported */
    ck_assert_ptr_null(diag_find(d, CORS_DIAG_ORIGIN_MALFORMED, 1));
    cors_diagnostics_free(d);
}
END_TEST

/* The same with errors in several methods as well. */
START_TEST(test_all_problems_reported_methods)
{
    struct policy_spec s = {
        .origins = LIST("no-scheme.example", "https://ok.example"),
        .methods = LIST("GE T", "CONNECT", "GET", "(x)"),
        .allow_headers = LIST("x y"),
        .has_max_age = true,
        .max_age = -7,
    };
    struct cors_diagnostics *d = spec_build_fails(&s, 0);
    assert_diag(d, CORS_DIAG_ORIGIN_MALFORMED, CORS_SEVERITY_ERROR, CORS_FIELD_ALLOW_ORIGINS, 0);
    assert_diag(d, CORS_DIAG_METHOD_INVALID, CORS_SEVERITY_ERROR, CORS_FIELD_ALLOW_METHODS, 0);
    assert_diag(d, CORS_DIAG_METHOD_FORBIDDEN, CORS_SEVERITY_ERROR, CORS_FIELD_ALLOW_METHODS, 1);
    assert_diag(d, CORS_DIAG_METHOD_INVALID, CORS_SEVERITY_ERROR, CORS_FIELD_ALLOW_METHODS, 3);
    assert_diag(d, CORS_DIAG_HEADER_INVALID, CORS_SEVERITY_ERROR, CORS_FIELD_ALLOW_HEADERS, 0);
    assert_diag(d, CORS_DIAG_MAX_AGE_OUT_OF_RANGE, CORS_SEVERITY_ERROR, CORS_FIELD_MAX_AGE,
                SIZE_MAX);
    ck_assert_ptr_null(diag_find(d, CORS_DIAG_METHOD_INVALID, 2));
    ck_assert_uint_eq(cors_diagnostics_error_count(d), 6);
    cors_diagnostics_free(d);
}
END_TEST

/* Warnings and errors together: the errors stop the build, the warnings are
 * still listed as warnings. */
START_TEST(test_errors_and_warnings_together)
{
    struct policy_spec s = {
        .origins = LIST("null", "bad origin"),
        .methods = LIST("patch"),
    };
    struct cors_diagnostics *d = spec_build_fails(&s, 0);
    assert_diag(d, CORS_DIAG_ORIGIN_NULL, CORS_SEVERITY_WARNING, CORS_FIELD_ALLOW_ORIGINS, 0);
    assert_diag(d, CORS_DIAG_ORIGIN_MALFORMED, CORS_SEVERITY_ERROR, CORS_FIELD_ALLOW_ORIGINS, 1);
    assert_diag(d, CORS_DIAG_METHOD_LOWERCASE, CORS_SEVERITY_WARNING, CORS_FIELD_ALLOW_METHODS,
                0);
    ck_assert_uint_eq(cors_diagnostics_error_count(d), 1);
    cors_diagnostics_free(d);
}
END_TEST

START_TEST(test_strict_without_warnings_builds)
{
    expect_clean(&(struct policy_spec){
        .origins = LIST("https://app.example.com", "http://localhost:8080",
                        "https://*.example.org"),
        .regexes = LIST("https://pr-[0-9]+\\.preview\\.example\\.com"),
        .methods = LIST("GET", "PUT", "PATCH", "DELETE"),
        .allow_headers = LIST("X-Custom", "Content-Type", "Authorization"),
        .expose_headers = LIST("X-Request-Id"),
        .has_max_age = true, .max_age = 600,
        .private_network = true,
        .preflight_status = 204, .reject_status = 200,
        .forward_rejected = true, .report_only = true,
    });
    expect_clean(&(struct policy_spec){ .origins = LIST("*"), .methods = LIST("*"),
                                        .allow_headers = LIST("*"), .expose_headers = LIST("*") });
    expect_clean(&(struct policy_spec){ .origins = LIST("https://app.example.com",
                                                        "http://localhost:3000",
                                                        "http://127.0.0.1:8080",
                                                        "http://[::1]:8080"),
                                        .credentials = true });
}
END_TEST

/* -------------------------------------------------------------- origins */

START_TEST(test_valid_origin_patterns)
{
    static const char *const ok[] = {
        "https://example.com", "http://localhost:8080", "https://[::1]:8443",
        "chrome-extension://abcdef", "https://*.example.com", "https://*",
        "http://localhost:*", "https://*.example.com:*", "https://*:*",
        "HTTPS://Example.COM:443", "https://example.com.", "http://127.0.0.1",
        "tauri://localhost", "wss://socket.example", "http://example.com:8080",
        "https://a-b.c_d.example", "https://[2001:db8::1]", "*",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        struct cors_diagnostics *d = cors_diagnostics_new(NULL);
        char buf[4096];
        struct cors_policy *p = spec_try_build(
            &(struct policy_spec){ .origins = (const char *const[]){ ok[i], NULL } }, 0, d,
            NULL);
        ck_assert_msg(p != NULL && cors_diagnostics_error_count(d) == 0,
                      "'%s' must be a valid origin pattern:\n%s", ok[i],
                      diag_dump(d, buf, sizeof buf));
        cors_policy_unref(p);
        cors_diagnostics_free(d);
    }
}
END_TEST

static const char *const malformed_patterns[] = {
    "example.com", "https://example.com/", "https://example.com/path",
    "https://user@example.com", "https://user:pw@example.com", "https://",
    "https//example.com", "https:/example.com", "://example.com", "1https://example.com",
    "https://example.com:", "https://example.com:0", "https://example.com:65536",
    "https://example.com:99999", "https://example.com:8a", "https://exa mple.com",
    "https://a..b.example", "https://.example.com", "https://example.com?x=1",
    "https://example.com#frag", "", " https://example.com", "https://example.com ",
    "https://example.com\n", "https://[::1", "https://[zz::1]", "https://ex\"ample.com",
    "nul",
};

START_TEST(test_origin_malformed)
{
    const char *o = malformed_patterns[_i];
    expect_error(&(struct policy_spec){ .origins = (const char *const[]){
                     "https://fine.example", o, NULL } },
                 CORS_DIAG_ORIGIN_MALFORMED, CORS_FIELD_ALLOW_ORIGINS, 1);
}
END_TEST

static const char *const misplaced_patterns[] = {
    "https://ex*mple.com", "https://*example.com", "https://www.*.example.com",
    "https://example.*", "*://example.com", "https://**.example.com",
    "https://example.com:8*", "http*://example.com", "https://*.*", "https://a*",
};

START_TEST(test_origin_wildcard_misplaced)
{
    const char *o = misplaced_patterns[_i];
    expect_error(&(struct policy_spec){ .origins = (const char *const[]){
                     "https://fine.example", o, NULL } },
                 CORS_DIAG_ORIGIN_WILDCARD_MISPLACED, CORS_FIELD_ALLOW_ORIGINS, 1);
}
END_TEST

/* docs/semantics.md §3.3: non-ASCII hosts are converted to punycode with libidn2, or an
 * error when built without it. */
START_TEST(test_origin_not_ascii)
{
    struct policy_spec s = { .origins = LIST("https://fine.example", "https://b\xc3\xbc" "cher.example") };
    if (TEST_HAVE_IDN) {
        struct cors_diagnostics *d = spec_build_ok_diags(&s, 0);
        assert_no_diag(d, CORS_DIAG_ORIGIN_NOT_ASCII);
        cors_diagnostics_free(d);
        struct cors_policy *p = spec_build(&s);
        struct eval e;
        eval_spec(p, &(struct req_spec){ .origin = "https://xn--bcher-kva.example" }, &e);
        ck_assert(e.r.allowed);
        assert_header(&e, H_ACAO, "https://xn--bcher-kva.example");
        cors_policy_unref(p);
    } else {
        expect_error(&s, CORS_DIAG_ORIGIN_NOT_ASCII, CORS_FIELD_ALLOW_ORIGINS, 1);
    }
}
END_TEST

/* Configured origins no browser sends (docs/decisions.md "Origins"): errors
 * with their own codes, since such an entry can never match. */
static char long_host[300], long_label[100], long_wild[300];

/* Appends n bytes 'a' to the string in buf. */
static void
append_a(char *buf, size_t n)
{
    size_t len = strlen(buf);
    memset(buf + len, 'a', n);
    buf[len + n] = '\0';
}

static void
make_long_origins(void)
{
    /* 254 bytes of host: four labels of 62 and "ab" */
    strcpy(long_host, "https://");
    for (int i = 0; i < 4; i++) {
        append_a(long_host, 62);
        strcat(long_host, ".");
    }
    strcat(long_host, "ab");
    /* a 64-byte label */
    strcpy(long_label, "https://");
    append_a(long_label, 64);
    strcat(long_label, ".example");
    /* a wildcard suffix of 252 bytes: with one label before it, 254 */
    strcpy(long_wild, "https://*.");
    for (int i = 0; i < 3; i++) {
        append_a(long_wild, 62);
        strcat(long_wild, ".");
    }
    append_a(long_wild, 63);
}

static const struct {
    const char *origin; /* NULL: one of the generated long ones, by .which */
    int which;
    enum cors_diag_code code;
    const char *why;
} never_sent[] = {
    {NULL, 0, CORS_DIAG_ORIGIN_HOST_TOO_LONG, "RFC 1035 2.3.4: a name is at most 253 bytes"},
    {NULL, 1, CORS_DIAG_ORIGIN_HOST_TOO_LONG, "RFC 1035 2.3.4: a label is at most 63 bytes"},
    {NULL, 2, CORS_DIAG_ORIGIN_HOST_TOO_LONG, "a wildcard whose matches would pass 253 bytes"},
    {"file://", 0, CORS_DIAG_ORIGIN_FILE_SCHEME, "Fetch: file: URLs have an opaque origin"},
    {"file://localhost", 0, CORS_DIAG_ORIGIN_FILE_SCHEME, "a file origin with a host"},
    {"FILE://host", 0, CORS_DIAG_ORIGIN_FILE_SCHEME, "the scheme in any case"},
    {"http://xn--f", 0, CORS_DIAG_ORIGIN_PUNYCODE_INVALID, "RFC 3492: 'f' ends mid-number"},
    {"https://xn--.example", 0, CORS_DIAG_ORIGIN_PUNYCODE_INVALID, "RFC 5891 4.4: empty A-label"},
    {"https://xn--abc-.example", 0, CORS_DIAG_ORIGIN_PUNYCODE_INVALID,
     "RFC 5891 4.4: decodes to ASCII only"},
    {"https://*.xn--f.example", 0, CORS_DIAG_ORIGIN_PUNYCODE_INVALID, "in a wildcard suffix"},
};

START_TEST(test_origin_never_sent)
{
    make_long_origins();
    const char *o = never_sent[_i].origin;
    if (o == NULL)
        o = never_sent[_i].which == 0 ? long_host : never_sent[_i].which == 1 ? long_label
                                                                               : long_wild;
    ck_assert(strlen(long_wild) == 10 + 252);
    struct policy_spec s = {.origins = (const char *const[]){"https://fine.example", o, NULL}};
    struct cors_diagnostics *d = spec_build_fails(&s, 0);
    ck_assert_msg(diag_find(d, never_sent[_i].code, 1) != NULL, "%s: %s", never_sent[_i].why, o);
    assert_diag(d, never_sent[_i].code, CORS_SEVERITY_ERROR, CORS_FIELD_ALLOW_ORIGINS, 1);
    cors_diagnostics_free(d);
}
END_TEST

/* The limits themselves and valid A-labels build cleanly. */
START_TEST(test_origin_dns_limits_ok)
{
    char host253[300] = "https://", label63[100] = "https://";
    for (int i = 0; i < 4; i++) {
        append_a(host253, 62);
        strcat(host253, ".");
    }
    strcat(host253, "a");
    ck_assert_uint_eq(strlen(host253) - 8, 253);
    append_a(label63, 63);
    strcat(label63, ".example");
    expect_clean(&(struct policy_spec){.origins = (const char *const[]){host253, label63,
                                                                         "https://xn--bcher-kva.example",
                                                                         "https://xn--80ak6aa92e.com",
                                                                         NULL}});
}
END_TEST

/* Spellings that are normalised: a warning naming what browsers send
 * (strict: an error); the policy matches the canonical form. */
static const struct {
    const char *written;
    const char *canonical;
    const char *what;
} not_canonical[] = {
    {"https://example.com:443", "https://example.com", "an explicit default port"},
    {"http://example.com:80", "http://example.com", "an explicit default port"},
    {"HTTPS://Example.COM", "https://example.com", "upper case"},
    {"https://example.com:08080", "https://example.com:8080", "a leading zero in the port"},
    {"http://[0:0:0:0:0:0:0:1]:8080", "http://[::1]:8080", "an IPv6 address not in its"},
    {"http://[::ffff:127.0.0.1]", "http://[::ffff:7f00:1]", "an IPv6 address not in its"},
    {"https://*.Example.com:443", "https://*.example.com", "upper case, an explicit default"},
    {"NULL", "null", "lower case"},
};

START_TEST(test_origin_not_canonical)
{
    struct policy_spec s = {.origins = (const char *const[]){"https://fine.example",
                                                             not_canonical[_i].written, NULL}};
    expect_warning(&s, CORS_DIAG_ORIGIN_NOT_CANONICAL, CORS_FIELD_ALLOW_ORIGINS, 1);
    struct cors_diagnostics *d = spec_build_ok_diags(&s, 0);
    const struct cors_diagnostic *x = diag_find(d, CORS_DIAG_ORIGIN_NOT_CANONICAL, 1);
    ck_assert_msg(strstr(x->message.ptr, not_canonical[_i].canonical) != NULL &&
                      strstr(x->message.ptr, not_canonical[_i].what) != NULL,
                  "%s: %s", not_canonical[_i].written, x->message.ptr);
    cors_diagnostics_free(d);
    /* the canonical form is what the policy holds */
    struct cors_policy *p = spec_try_build(&s, 0, NULL, NULL);
    ck_assert_ptr_nonnull(p);
    struct cors_str e = cors_policy_entry(p, CORS_FIELD_ALLOW_ORIGINS, 1);
    ck_assert_uint_eq(e.len, strlen(not_canonical[_i].canonical));
    ck_assert(memcmp(e.ptr, not_canonical[_i].canonical, e.len) == 0);
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_star_mixed)
{
    struct cors_diagnostics *d;
    d = spec_build_fails(&(struct policy_spec){ .origins = LIST("*", "https://a.example") }, 0);
    ck_assert_ptr_nonnull(diag_find(d, CORS_DIAG_STAR_MIXED, ANY_INDEX));
    ck_assert_int_eq(diag_find(d, CORS_DIAG_STAR_MIXED, ANY_INDEX)->field,
                     CORS_FIELD_ALLOW_ORIGINS);
    ck_assert_int_eq(diag_find(d, CORS_DIAG_STAR_MIXED, ANY_INDEX)->severity,
                     CORS_SEVERITY_ERROR);
    ck_assert_uint_lt(diag_find(d, CORS_DIAG_STAR_MIXED, ANY_INDEX)->index, 2);
    cors_diagnostics_free(d);

    struct {
        struct policy_spec s;
        enum cors_field field;
    } cases[] = {
        { { .origins = OK_ORIGIN, .methods = LIST("GET", "*") }, CORS_FIELD_ALLOW_METHODS },
        { { .origins = OK_ORIGIN, .allow_headers = LIST("*", "x-a") }, CORS_FIELD_ALLOW_HEADERS },
        { { .origins = OK_ORIGIN, .expose_headers = LIST("x-a", "*") },
          CORS_FIELD_EXPOSE_HEADERS },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        d = spec_build_fails(&cases[i].s, 0);
        const struct cors_diagnostic *x = diag_find(d, CORS_DIAG_STAR_MIXED, ANY_INDEX);
        ck_assert_msg(x != NULL, "case %zu: no star-mixed", i);
        ck_assert_int_eq(x->field, cases[i].field);
        ck_assert_int_eq(x->severity, CORS_SEVERITY_ERROR);
        ck_assert_uint_lt(x->index, 2);
        cors_diagnostics_free(d);
    }
}
END_TEST

START_TEST(test_origin_warnings)
{
    /* '*' with credentials */
    expect_warning(&(struct policy_spec){ .origins = LIST("*"), .credentials = true },
                   CORS_DIAG_ORIGIN_STAR_WITH_CREDENTIALS, CORS_FIELD_ALLOW_ORIGINS, 0);
    expect_no(&(struct policy_spec){ .origins = LIST("*") },
              CORS_DIAG_ORIGIN_STAR_WITH_CREDENTIALS);
    /* null */
    expect_warning(&(struct policy_spec){ .origins = LIST("https://a.example", "null") },
                   CORS_DIAG_ORIGIN_NULL, CORS_FIELD_ALLOW_ORIGINS, 1);
    /* http:// with credentials, loopback excepted */
    expect_warning(&(struct policy_spec){ .origins = LIST("https://a.example",
                                                          "http://b.example"),
                                          .credentials = true },
                   CORS_DIAG_ORIGIN_INSECURE_WITH_CREDENTIALS, CORS_FIELD_ALLOW_ORIGINS, 1);
    expect_no(&(struct policy_spec){ .origins = LIST("http://b.example") },
              CORS_DIAG_ORIGIN_INSECURE_WITH_CREDENTIALS);
    expect_no(&(struct policy_spec){ .origins = LIST("http://localhost", "http://localhost:3000",
                                                     "http://127.0.0.1:8080", "http://[::1]",
                                                     "https://b.example"),
                                     .credentials = true },
              CORS_DIAG_ORIGIN_INSECURE_WITH_CREDENTIALS);
    /* wildcards with credentials */
    expect_warning(&(struct policy_spec){ .origins = LIST("https://a.example",
                                                          "https://*.example.com"),
                                          .credentials = true },
                   CORS_DIAG_ORIGIN_WILDCARD_WITH_CREDENTIALS, CORS_FIELD_ALLOW_ORIGINS, 1);
    expect_warning(&(struct policy_spec){ .origins = LIST("https://*"), .credentials = true },
                   CORS_DIAG_ORIGIN_WILDCARD_WITH_CREDENTIALS, CORS_FIELD_ALLOW_ORIGINS, 0);
    expect_warning(&(struct policy_spec){ .origins = LIST("https://app.example:*"),
                                          .credentials = true },
                   CORS_DIAG_ORIGIN_WILDCARD_WITH_CREDENTIALS, CORS_FIELD_ALLOW_ORIGINS, 0);
    expect_no(&(struct policy_spec){ .origins = LIST("https://*.example.com") },
              CORS_DIAG_ORIGIN_WILDCARD_WITH_CREDENTIALS);
    /* no origin at all */
    expect_warning(&(struct policy_spec){ .methods = LIST("GET") }, CORS_DIAG_NO_ORIGINS,
                   CORS_FIELD_ALLOW_ORIGINS, SIZE_MAX);
    expect_no(&(struct policy_spec){ .regexes = LIST("https://a\\.example") },
              CORS_DIAG_NO_ORIGINS);
}
END_TEST

START_TEST(test_public_suffix_wildcard)
{
    struct policy_spec under_suffix = { .origins = LIST("https://ok.example",
                                                        "https://*.co.uk") };
    struct policy_spec under_suffix2 = { .origins = LIST("https://*.com") };
    struct policy_spec fine = { .origins = LIST("https://*.example.co.uk") };
    if (TEST_HAVE_PSL) {
        expect_warning(&under_suffix, CORS_DIAG_ORIGIN_PUBLIC_SUFFIX_WILDCARD,
                       CORS_FIELD_ALLOW_ORIGINS, 1);
        expect_warning(&under_suffix2, CORS_DIAG_ORIGIN_PUBLIC_SUFFIX_WILDCARD,
                       CORS_FIELD_ALLOW_ORIGINS, 0);
    } else {
        /* without libpsl the lint does not exist; the policy still builds */
        expect_no(&under_suffix, CORS_DIAG_ORIGIN_PUBLIC_SUFFIX_WILDCARD);
    }
    expect_no(&fine, CORS_DIAG_ORIGIN_PUBLIC_SUFFIX_WILDCARD);
}
END_TEST

/* ---------------------------------------------------------------- regexes */

START_TEST(test_regex_invalid)
{
    struct cors_diagnostics *d = spec_build_fails(
        &(struct policy_spec){ .regexes = LIST("https://ok\\.example", "https://(unclosed") }, 0);
    assert_diag(d, CORS_DIAG_REGEX_INVALID, CORS_SEVERITY_ERROR, CORS_FIELD_ALLOW_ORIGIN_REGEX, 1);
    const struct cors_diagnostic *x = diag_find(d, CORS_DIAG_REGEX_INVALID, 1);
    /* PCRE2 reports the missing parenthesis at the end of the pattern */
    ck_assert_uint_eq(x->offset, strlen("https://(unclosed"));
    ck_assert_msg(strstr(x->message.ptr, "parenthesis") != NULL,
                  "message should carry PCRE2's text: %s", x->message.ptr);
    cors_diagnostics_free(d);

    d = spec_build_fails(&(struct policy_spec){ .regexes = LIST("https://[z-a]\\.example") }, 0);
    assert_diag(d, CORS_DIAG_REGEX_INVALID, CORS_SEVERITY_ERROR, CORS_FIELD_ALLOW_ORIGIN_REGEX, 0);
    x = diag_find(d, CORS_DIAG_REGEX_INVALID, 0);
    ck_assert_uint_gt(x->offset, 0);
    ck_assert_uint_le(x->offset, strlen("https://[z-a]\\.example"));
    cors_diagnostics_free(d);
}
END_TEST

/* decisions.md: PCRE2_NEVER_UTF and PCRE2_NEVER_BACKSLASH_C. */
START_TEST(test_regex_compile_options)
{
    expect_error(&(struct policy_spec){ .regexes = LIST("https://a\\C\\.example") },
                 CORS_DIAG_REGEX_INVALID, CORS_FIELD_ALLOW_ORIGIN_REGEX, 0);
    expect_error(&(struct policy_spec){ .regexes = LIST("(*UTF)https://a\\.example") },
                 CORS_DIAG_REGEX_INVALID, CORS_FIELD_ALLOW_ORIGIN_REGEX, 0);
    /* the regex cannot capture its way around anything, but groups work */
    expect_clean(&(struct policy_spec){ .regexes = LIST("https://(a|b)\\.example") });
}
END_TEST

START_TEST(test_regex_matches_star_or_null)
{
    expect_error(&(struct policy_spec){ .regexes = LIST("https://a\\.example", "\\*") },
                 CORS_DIAG_REGEX_MATCHES_STAR, CORS_FIELD_ALLOW_ORIGIN_REGEX, 1);
    expect_error(&(struct policy_spec){ .regexes = LIST("https://a\\.example|\\*") },
                 CORS_DIAG_REGEX_MATCHES_STAR, CORS_FIELD_ALLOW_ORIGIN_REGEX, 0);
    expect_error(&(struct policy_spec){ .regexes = LIST("null") },
                 CORS_DIAG_REGEX_MATCHES_NULL, CORS_FIELD_ALLOW_ORIGIN_REGEX, 0);
    expect_error(&(struct policy_spec){ .regexes = LIST("https://a\\.example", "nul+") },
                 CORS_DIAG_REGEX_MATCHES_NULL, CORS_FIELD_ALLOW_ORIGIN_REGEX, 1);
    /* ".*" matches both */
    struct cors_diagnostics *d = spec_build_fails(&(struct policy_spec){ .regexes = LIST(".*") },
                                                  0);
    assert_diag(d, CORS_DIAG_REGEX_MATCHES_STAR, CORS_SEVERITY_ERROR,
                CORS_FIELD_ALLOW_ORIGIN_REGEX, 0);
    assert_diag(d, CORS_DIAG_REGEX_MATCHES_NULL, CORS_SEVERITY_ERROR,
                CORS_FIELD_ALLOW_ORIGIN_REGEX, 0);
    cors_diagnostics_free(d);
}
END_TEST

START_TEST(test_regex_lints)
{
    expect_warning(&(struct policy_spec){ .regexes = LIST("https://app.example\\.com") },
                   CORS_DIAG_REGEX_UNESCAPED_DOT, CORS_FIELD_ALLOW_ORIGIN_REGEX, 0);
    expect_no(&(struct policy_spec){ .regexes = LIST("https://[a-z.]+\\.example\\.com") },
              CORS_DIAG_REGEX_UNESCAPED_DOT);
    expect_warning(&(struct policy_spec){ .regexes = LIST("https://a\\.example",
                                                          "[a-z]+://app\\.example\\.com") },
                   CORS_DIAG_REGEX_NO_SCHEME, CORS_FIELD_ALLOW_ORIGIN_REGEX, 1);
    expect_warning(&(struct policy_spec){ .regexes = LIST("app\\.example\\.com") },
                   CORS_DIAG_REGEX_NO_SCHEME, CORS_FIELD_ALLOW_ORIGIN_REGEX, 0);
    /* canaries: https://example.com.evil.test, https://evilexample.com, https://evil.test */
    expect_warning(&(struct policy_spec){ .regexes = LIST("https://example\\.com[a-z.]*") },
                   CORS_DIAG_REGEX_MATCHES_CANARY, CORS_FIELD_ALLOW_ORIGIN_REGEX, 0);
    expect_warning(&(struct policy_spec){ .regexes = LIST("https://[a-z]*example\\.com") },
                   CORS_DIAG_REGEX_MATCHES_CANARY, CORS_FIELD_ALLOW_ORIGIN_REGEX, 0);
    expect_warning(&(struct policy_spec){ .regexes = LIST("https://a\\.example",
                                                          "https://[a-z]+\\.test") },
                   CORS_DIAG_REGEX_MATCHES_CANARY, CORS_FIELD_ALLOW_ORIGIN_REGEX, 1);
    expect_clean(&(struct policy_spec){ .regexes = LIST("https://app\\.example\\.com",
                                                        "https://app\\.example\\.com(:[0-9]+)?",
                                                        "https://[a-z.]+\\.example\\.com") });
}
END_TEST

/* ---------------------------------------------------------------- methods */

START_TEST(test_methods_invalid)
{
    static const char *const invalid[] = { "GE T", "", "GET,POST", "G@T", "GET\r\n", "(GET)",
                                           "G\xc3\x89T", "\"GET\"", " GET" };
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
        expect_error(&(struct policy_spec){ .origins = OK_ORIGIN,
                                            .methods = (const char *const[]){ "GET", invalid[i],
                                                                              NULL } },
                     CORS_DIAG_METHOD_INVALID, CORS_FIELD_ALLOW_METHODS, 1);
}
END_TEST

START_TEST(test_methods_forbidden)
{
    static const char *const forbidden[] = { "CONNECT", "TRACE", "TRACK" };
    for (size_t i = 0; i < 3; i++)
        expect_error(&(struct policy_spec){ .origins = OK_ORIGIN,
                                            .methods = (const char *const[]){ "GET", forbidden[i],
                                                                              NULL } },
                     CORS_DIAG_METHOD_FORBIDDEN, CORS_FIELD_ALLOW_METHODS, 1);
}
END_TEST

START_TEST(test_methods_lowercase)
{
    static const char *const lower[] = { "patch", "get", "Patch", "pUT" };
    for (size_t i = 0; i < 4; i++)
        expect_warning(&(struct policy_spec){ .origins = OK_ORIGIN,
                                              .methods = (const char *const[]){ "GET", lower[i],
                                                                                NULL } },
                       CORS_DIAG_METHOD_LOWERCASE, CORS_FIELD_ALLOW_METHODS, 1);
    expect_clean(&(struct policy_spec){ .origins = OK_ORIGIN,
                                        .methods = LIST("GET", "PATCH", "M-SEARCH", "PROPFIND",
                                                        "OPTIONS", "X_1") });
    expect_clean(&(struct policy_spec){ .origins = OK_ORIGIN, .methods = LIST("*") });
}
END_TEST

/* ---------------------------------------------------------------- headers */

START_TEST(test_headers_invalid)
{
    static const char *const invalid[] = { "x header", "", "x:y", "x-\xc3\xa9", "x/y", "(x)",
                                           "x\r\ny", "x,y", " x" };
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        expect_error(&(struct policy_spec){ .origins = OK_ORIGIN,
                                            .allow_headers = (const char *const[]){
                                                "X-Ok", invalid[i], NULL } },
                     CORS_DIAG_HEADER_INVALID, CORS_FIELD_ALLOW_HEADERS, 1);
        expect_error(&(struct policy_spec){ .origins = OK_ORIGIN,
                                            .expose_headers = (const char *const[]){
                                                "X-Ok", invalid[i], NULL } },
                     CORS_DIAG_HEADER_INVALID, CORS_FIELD_EXPOSE_HEADERS, 1);
    }
}
END_TEST

START_TEST(test_headers_forbidden)
{
    static const char *const forbidden[] = { "Cookie", "host", "Sec-Fetch-Mode",
                                             "Proxy-Authorization", "Accept-Encoding",
                                             "Content-Length", "Connection", "Referer",
                                             "Transfer-Encoding", "Keep-Alive" };
    for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++)
        expect_warning(&(struct policy_spec){ .origins = OK_ORIGIN,
                                              .allow_headers = (const char *const[]){
                                                  "X-Ok", forbidden[i], NULL } },
                       CORS_DIAG_HEADER_FORBIDDEN, CORS_FIELD_ALLOW_HEADERS, 1);
    /* decisions.md: safelisted names get no warning */
    expect_clean(&(struct policy_spec){ .origins = OK_ORIGIN,
                                        .allow_headers = LIST("Accept", "Accept-Language",
                                                              "Content-Language", "Content-Type",
                                                              "Range", "Authorization",
                                                              "X-Custom") });
}
END_TEST

START_TEST(test_headers_cors_protocol)
{
    expect_warning(&(struct policy_spec){ .origins = OK_ORIGIN,
                                          .allow_headers = LIST("X-Ok",
                                                                "Access-Control-Allow-Origin") },
                   CORS_DIAG_HEADER_CORS_PROTOCOL, CORS_FIELD_ALLOW_HEADERS, 1);
    expect_warning(&(struct policy_spec){ .origins = OK_ORIGIN,
                                          .allow_headers = LIST("access-control-max-age") },
                   CORS_DIAG_HEADER_CORS_PROTOCOL, CORS_FIELD_ALLOW_HEADERS, 0);
    /* "Origin" is both a forbidden request header and a CORS protocol name:
     * either warning will do */
    {
        struct policy_spec s = { .origins = OK_ORIGIN, .allow_headers = LIST("X-Ok", "Origin") };
        struct cors_diagnostics *d = spec_build_ok_diags(&s, 0);
        const struct cors_diagnostic *x = diag_find(d, CORS_DIAG_HEADER_CORS_PROTOCOL, 1);
        if (x == NULL)
            x = diag_find(d, CORS_DIAG_HEADER_FORBIDDEN, 1);
        ck_assert_ptr_nonnull(x);
        ck_assert_int_eq(x->severity, CORS_SEVERITY_WARNING);
        ck_assert_int_eq(x->field, CORS_FIELD_ALLOW_HEADERS);
        cors_diagnostics_free(d);
    }
    expect_warning(&(struct policy_spec){ .origins = OK_ORIGIN,
                                          .expose_headers = LIST("X-Ok",
                                                                 "Access-Control-Allow-Origin") },
                   CORS_DIAG_HEADER_CORS_PROTOCOL, CORS_FIELD_EXPOSE_HEADERS, 1);
    expect_warning(&(struct policy_spec){ .origins = OK_ORIGIN,
                                          .expose_headers = LIST("Set-Cookie") },
                   CORS_DIAG_EXPOSE_FORBIDDEN, CORS_FIELD_EXPOSE_HEADERS, 0);
    expect_warning(&(struct policy_spec){ .origins = OK_ORIGIN,
                                          .expose_headers = LIST("X-Ok", "set-cookie2") },
                   CORS_DIAG_EXPOSE_FORBIDDEN, CORS_FIELD_EXPOSE_HEADERS, 1);
    /* Set-Cookie in allowHeaders is a forbidden request header, not this code */
    expect_no(&(struct policy_spec){ .origins = OK_ORIGIN, .expose_headers = LIST("X-Set-Cookie") },
              CORS_DIAG_EXPOSE_FORBIDDEN);
}
END_TEST

START_TEST(test_expose_star_with_credentials)
{
    expect_warning(&(struct policy_spec){ .origins = OK_ORIGIN, .expose_headers = LIST("*"),
                                          .credentials = true },
                   CORS_DIAG_EXPOSE_STAR_WITH_CREDENTIALS, CORS_FIELD_EXPOSE_HEADERS, 0);
    expect_no(&(struct policy_spec){ .origins = OK_ORIGIN, .expose_headers = LIST("*") },
              CORS_DIAG_EXPOSE_STAR_WITH_CREDENTIALS);
}
END_TEST

/* ---------------------------------------------------------------- numbers */

START_TEST(test_max_age)
{
    static const int64_t bad[] = { -2, -100, INT64_MIN, 2147483648LL, INT64_MAX };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_error(&(struct policy_spec){ .origins = OK_ORIGIN, .has_max_age = true,
                                            .max_age = bad[i] },
                     CORS_DIAG_MAX_AGE_OUT_OF_RANGE, CORS_FIELD_MAX_AGE, SIZE_MAX);
    static const int64_t clean[] = { CORS_MAX_AGE_UNSET, 0, 1, 5, 600, 7200 };
    for (size_t i = 0; i < sizeof clean / sizeof clean[0]; i++)
        expect_clean(&(struct policy_spec){ .origins = OK_ORIGIN, .has_max_age = true,
                                            .max_age = clean[i] });

    struct policy_spec chromium = { .origins = OK_ORIGIN, .has_max_age = true, .max_age = 7201 };
    expect_warning(&chromium, CORS_DIAG_MAX_AGE_ABOVE_CHROMIUM_CAP, CORS_FIELD_MAX_AGE, SIZE_MAX);
    expect_no(&chromium, CORS_DIAG_MAX_AGE_ABOVE_FIREFOX_CAP);
    struct policy_spec at_firefox = { .origins = OK_ORIGIN, .has_max_age = true,
                                      .max_age = 86400 };
    expect_warning(&at_firefox, CORS_DIAG_MAX_AGE_ABOVE_CHROMIUM_CAP, CORS_FIELD_MAX_AGE,
                   SIZE_MAX);
    expect_no(&at_firefox, CORS_DIAG_MAX_AGE_ABOVE_FIREFOX_CAP);
    struct policy_spec firefox = { .origins = OK_ORIGIN, .has_max_age = true, .max_age = 86401 };
    expect_warning(&firefox, CORS_DIAG_MAX_AGE_ABOVE_FIREFOX_CAP, CORS_FIELD_MAX_AGE, SIZE_MAX);
    struct policy_spec top = { .origins = OK_ORIGIN, .has_max_age = true, .max_age = 2147483647 };
    expect_warning(&top, CORS_DIAG_MAX_AGE_ABOVE_FIREFOX_CAP, CORS_FIELD_MAX_AGE, SIZE_MAX);
}
END_TEST

START_TEST(test_statuses)
{
    static const int bad_preflight[] = { 201, 203, 205, 299, 301, 403, 500, -1, 999 };
    for (size_t i = 0; i < sizeof bad_preflight / sizeof bad_preflight[0]; i++)
        expect_error(&(struct policy_spec){ .origins = OK_ORIGIN,
                                            .preflight_status = bad_preflight[i] },
                     CORS_DIAG_STATUS_INVALID, CORS_FIELD_PREFLIGHT_STATUS, SIZE_MAX);
    static const int bad_reject[] = { 201, 401, 404, 500, 302, -403, 1000 };
    for (size_t i = 0; i < sizeof bad_reject / sizeof bad_reject[0]; i++)
        expect_error(&(struct policy_spec){ .origins = OK_ORIGIN,
                                            .reject_status = bad_reject[i] },
                     CORS_DIAG_STATUS_INVALID, CORS_FIELD_REJECT_STATUS, SIZE_MAX);
    /* 0 (struct policy_spec's "not set") through the setter directly */
    struct cors_policy_builder *b = spec_builder(&(struct policy_spec){ .origins = OK_ORIGIN },
                                                 NULL);
    ck_assert_int_eq(cors_policy_builder_set_preflight_status(b, 0), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_set_reject_status(b, 0), CORS_OK);
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    ck_assert_ptr_null(cors_policy_build(b, 0, d, NULL));
    assert_diag(d, CORS_DIAG_STATUS_INVALID, CORS_SEVERITY_ERROR, CORS_FIELD_PREFLIGHT_STATUS,
                SIZE_MAX);
    assert_diag(d, CORS_DIAG_STATUS_INVALID, CORS_SEVERITY_ERROR, CORS_FIELD_REJECT_STATUS,
                SIZE_MAX);
    cors_diagnostics_free(d);
    cors_policy_builder_free(b);
    expect_clean(&(struct policy_spec){ .origins = OK_ORIGIN, .preflight_status = 200,
                                        .reject_status = 403 });
    expect_clean(&(struct policy_spec){ .origins = OK_ORIGIN, .preflight_status = 204,
                                        .reject_status = 200 });
    expect_clean(&(struct policy_spec){ .origins = OK_ORIGIN, .reject_status = 204 });
}
END_TEST

/* ------------------------------------------------------------- duplicates */

START_TEST(test_duplicates)
{
    expect_warning(&(struct policy_spec){ .origins = LIST("https://a.example",
                                                          "https://b.example",
                                                          "https://a.example") },
                   CORS_DIAG_DUPLICATE_ENTRY, CORS_FIELD_ALLOW_ORIGINS, 2);
    /* duplicates after normalisation */
    expect_warning(&(struct policy_spec){ .origins = LIST("https://a.example",
                                                          "HTTPS://A.EXAMPLE:443") },
                   CORS_DIAG_DUPLICATE_ENTRY, CORS_FIELD_ALLOW_ORIGINS, 1);
    expect_warning(&(struct policy_spec){ .origins = OK_ORIGIN, .methods = LIST("GET", "GET") },
                   CORS_DIAG_DUPLICATE_ENTRY, CORS_FIELD_ALLOW_METHODS, 1);
    expect_warning(&(struct policy_spec){ .origins = OK_ORIGIN,
                                          .allow_headers = LIST("X-A", "x-b", "x-a") },
                   CORS_DIAG_DUPLICATE_ENTRY, CORS_FIELD_ALLOW_HEADERS, 2);
    expect_warning(&(struct policy_spec){ .origins = OK_ORIGIN,
                                          .expose_headers = LIST("X-A", "X-A") },
                   CORS_DIAG_DUPLICATE_ENTRY, CORS_FIELD_EXPOSE_HEADERS, 1);
    /* methods are case-sensitive: GET and Get are different methods */
    expect_no(&(struct policy_spec){ .origins = OK_ORIGIN, .methods = LIST("PATCH", "patch") },
              CORS_DIAG_DUPLICATE_ENTRY);

    /* the duplicate is dropped from the emitted list */
    struct cors_policy *p = spec_build(&(struct policy_spec){
        .origins = OK_ORIGIN, .methods = LIST("PUT", "PUT", "DELETE"),
        .allow_headers = LIST("X-A", "x-a"), .expose_headers = LIST("X-E", "x-e") });
    struct eval e;
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = "https://app.example.com",
                                     .acrm = "PUT" }, &e);
    assert_header(&e, H_ACAM, "PUT,DELETE");
    assert_header(&e, H_ACAH, "x-a");
    assert_header(&e, H_ACEH, "x-e");
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_duplicate_regex)
{
    expect_warning(&(struct policy_spec){ .origins = OK_ORIGIN,
                                          .regexes = LIST("https://r\\.example",
                                                          "https://r\\.example") },
                   CORS_DIAG_DUPLICATE_ENTRY, CORS_FIELD_ALLOW_ORIGIN_REGEX, 1);
}
END_TEST

/* -------------------------------------------------------------- misc */

START_TEST(test_no_jit_flag)
{
    struct policy_spec s = { .regexes = LIST("https://pr-[0-9]+\\.example\\.com") };
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    struct cors_policy *p = spec_try_build(&s, CORS_BUILD_NO_JIT, d, NULL);
    ck_assert_ptr_nonnull(p);
    struct eval e;
    eval_spec(p, &(struct req_spec){ .origin = "https://pr-42.example.com" }, &e);
    ck_assert(e.r.allowed);
    eval_spec(p, &(struct req_spec){ .origin = "https://pr-x.example.com" }, &e);
    ck_assert(!e.r.allowed);
    cors_policy_unref(p);
    cors_diagnostics_free(d);
}
END_TEST

START_TEST(test_to_json)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){
        .origins = LIST("HTTPS://Example.COM:443", "http://localhost:8080"),
        .methods = LIST("GET", "PUT"), .allow_headers = LIST("X-Custom"),
        .has_max_age = true, .max_age = 600 });
    size_t need = cors_policy_to_json(p, NULL, 0);
    ck_assert_uint_gt(need, 2);
    char *buf = malloc(need + 1);
    ck_assert_uint_eq(cors_policy_to_json(p, buf, need + 1), need);
    ck_assert_uint_eq(strlen(buf), need);
    ck_assert_int_eq(buf[0], '{');
    ck_assert_int_eq(buf[need - 1], '}');
    ck_assert_msg(strstr(buf, "\"allowOrigins\"") != NULL, "%s", buf);
    ck_assert_msg(strstr(buf, "\"https://example.com\"") != NULL, "canonical origin: %s", buf);
    ck_assert_msg(strstr(buf, "\"http://localhost:8080\"") != NULL, "%s", buf);
    ck_assert_msg(strstr(buf, "x-custom") != NULL, "allowHeaders lower-cased: %s", buf);
    ck_assert_msg(strstr(buf, "600") != NULL, "%s", buf);
    /* truncated like snprintf */
    char small[8];
    memset(small, 'Q', sizeof small);
    ck_assert_uint_eq(cors_policy_to_json(p, small, sizeof small), need);
    ck_assert_int_eq(small[7], '\0');
    ck_assert_int_eq(strncmp(small, buf, 7), 0);
    free(buf);
    cors_policy_unref(p);
}
END_TEST

static Suite *
builder_suite(void)
{
    Suite *s = suite_create("builder");
    TCase *tc = tcase_create("api");
    tcase_add_test(tc, test_null_arguments);
    tcase_add_test(tc, test_setters_accept_bad_content);
    tcase_add_test(tc, test_status_out_ok);
    tcase_add_test(tc, test_setters_copy);
    tcase_add_test(tc, test_setters_read_only_len);
    tcase_add_test(tc, test_builder_reuse);
    tcase_add_test(tc, test_ref_unref);
    tcase_add_test(tc, test_source);
    tcase_add_test(tc, test_positions);
    tcase_add_test(tc, test_diagnostics_api);
    tcase_add_test(tc, test_no_jit_flag);
    tcase_add_test(tc, test_to_json);
    suite_add_tcase(s, tc);

    tc = tcase_create("validation");
    tcase_add_test(tc, test_all_problems_reported);
    tcase_add_test(tc, test_all_problems_reported_methods);
    tcase_add_test(tc, test_errors_and_warnings_together);
    tcase_add_test(tc, test_strict_without_warnings_builds);
    tcase_add_test(tc, test_valid_origin_patterns);
    tcase_add_loop_test(tc, test_origin_malformed, 0,
                        (int)(sizeof malformed_patterns / sizeof malformed_patterns[0]));
    tcase_add_loop_test(tc, test_origin_wildcard_misplaced, 0,
                        (int)(sizeof misplaced_patterns / sizeof misplaced_patterns[0]));
    tcase_add_test(tc, test_origin_not_ascii);
    tcase_add_test(tc, test_star_mixed);
    tcase_add_loop_test(tc, test_origin_never_sent, 0,
                        (int)(sizeof never_sent / sizeof never_sent[0]));
    tcase_add_test(tc, test_origin_dns_limits_ok);
    tcase_add_loop_test(tc, test_origin_not_canonical, 0,
                        (int)(sizeof not_canonical / sizeof not_canonical[0]));
    tcase_add_test(tc, test_origin_warnings);
    tcase_add_test(tc, test_public_suffix_wildcard);
    tcase_add_test(tc, test_regex_invalid);
    tcase_add_test(tc, test_regex_compile_options);
    tcase_add_test(tc, test_regex_matches_star_or_null);
    tcase_add_test(tc, test_regex_lints);
    tcase_add_test(tc, test_methods_invalid);
    tcase_add_test(tc, test_methods_forbidden);
    tcase_add_test(tc, test_methods_lowercase);
    tcase_add_test(tc, test_headers_invalid);
    tcase_add_test(tc, test_headers_forbidden);
    tcase_add_test(tc, test_headers_cors_protocol);
    tcase_add_test(tc, test_expose_star_with_credentials);
    tcase_add_test(tc, test_max_age);
    tcase_add_test(tc, test_statuses);
    tcase_add_test(tc, test_duplicates);
    tcase_add_test(tc, test_duplicate_regex);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(builder_suite());
}
