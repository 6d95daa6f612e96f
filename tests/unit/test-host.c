/*
 * The host seam (cors.h groups "request" and "evaluate", README "Applying the
 * result"): request header field lines in through cors_request_fields, the
 * response contract out (REMOVE_ACCESS_CONTROL first), the name predicate,
 * match attribution, and sticky builder errors.
 *
 * SPDX-License-Identifier: MIT
 */
#include "test-common.h"

#include <string.h>
#include <strings.h>

/* ------------------------------------------------------- request fields */

/* What the accumulator must make of a request's field lines. */
struct fields_case {
    const char *rule;             /* the rule the case checks */
    const char *method;           /* request method */
    const char *const *lines;     /* name, value, name, value, ..., NULL */
    size_t origin_count;          /* cors_request.origin_count */
    const char *origin0;          /* origins[0] (when origin_count > 0) */
    const char *request_method;   /* NULL: absent */
    size_t header_lines;          /* request_header_count */
    const char *header0;          /* request_headers[0] (when header_lines > 0) */
    const char *private_network;  /* NULL: absent */
    enum cors_reason reason;      /* against the policy below */
};

#define ORIGIN "https://app.example"
/* A value given as an absent slice (ptr NULL). */
#define ABSENT "(absent)"

static const struct policy_spec fields_policy = {
    .origins = LIST(ORIGIN),
    .methods = LIST("PUT"),
    .allow_headers = LIST("X-A", "X-B"),
    .private_network = true,
};

static const struct fields_case fields_cases[] = {
    { "no field: not CORS (Fetch: no Origin)", "GET", LIST("Host", "api.example"), 0, NULL, NULL,
      0, NULL, NULL, CORS_REASON_NOT_CORS },
    { "names in any case (RFC 9110 §5.1)", "GET", LIST("oRiGiN", ORIGIN), 1, ORIGIN, NULL, 0,
      NULL, NULL, CORS_REASON_ALLOWED },
    { "value OWS is not part of the value (RFC 9110 §5.5)", "GET",
      LIST("Origin", " \t" ORIGIN "\t "), 1, ORIGIN, NULL, 0, NULL, NULL, CORS_REASON_ALLOWED },
    { "two Origin lines: origin-multiple", "GET", LIST("Origin", ORIGIN, "Origin", ORIGIN), 2,
      ORIGIN, NULL, 0, NULL, NULL, CORS_REASON_ORIGIN_MULTIPLE },
    { "many Origin lines: at most 2 kept, still origin-multiple", "GET",
      LIST("Origin", ORIGIN, "Origin", "null", "Origin", "x", "Origin", "y"), 2, ORIGIN, NULL, 0,
      NULL, NULL, CORS_REASON_ORIGIN_MULTIPLE },
    { "empty Origin: present and malformed", "GET", LIST("Origin", ""), 1, "", NULL, 0, NULL,
      NULL, CORS_REASON_ORIGIN_MALFORMED },
    { "white-space-only Origin: present, empty, malformed", "GET", LIST("Origin", "  "), 1, "",
      NULL, 0, NULL, NULL, CORS_REASON_ORIGIN_MALFORMED },
    { "absent value pointer counts as an empty line", "GET", LIST("Origin", ABSENT), 1, "", NULL,
      0, NULL, NULL, CORS_REASON_ORIGIN_MALFORMED },
    { "one ACRM line: the method (Fetch CORS-preflight request)", "OPTIONS",
      LIST("Origin", ORIGIN, "Access-Control-Request-Method", "PUT"), 1, ORIGIN, "PUT", 0, NULL,
      NULL, CORS_REASON_ALLOWED },
    { "two ACRM lines combine into a list (RFC 9110 §5.3): method-malformed", "OPTIONS",
      LIST("Origin", ORIGIN, "Access-Control-Request-Method", "PUT",
           "access-control-request-method", "PUT"),
      1, ORIGIN, ", ", 0, NULL, NULL, CORS_REASON_METHOD_MALFORMED },
    { "empty ACRM: a preflight, method-malformed", "OPTIONS",
      LIST("Origin", ORIGIN, "Access-Control-Request-Method", ""), 1, ORIGIN, "", 0, NULL, NULL,
      CORS_REASON_METHOD_MALFORMED },
    { "ACRM on a GET: not a preflight (Fetch: OPTIONS only)", "GET",
      LIST("Origin", ORIGIN, "Access-Control-Request-Method", "DELETE"), 1, ORIGIN, "DELETE", 0,
      NULL, NULL, CORS_REASON_ALLOWED },
    { "ACRH lines are kept line by line", "OPTIONS",
      LIST("Origin", ORIGIN, "Access-Control-Request-Method", "PUT",
           "Access-Control-Request-Headers", "x-a", "Access-Control-Request-Headers", "x-b"),
      1, ORIGIN, "PUT", 2, "x-a", NULL, CORS_REASON_ALLOWED },
    { "ACRH lines naming nothing are dropped", "OPTIONS",
      LIST("Origin", ORIGIN, "Access-Control-Request-Method", "PUT",
           "Access-Control-Request-Headers", "", "Access-Control-Request-Headers", " , ,\t",
           "Access-Control-Request-Headers", "x-a"),
      1, ORIGIN, "PUT", 1, "x-a", NULL, CORS_REASON_ALLOWED },
    { "a name not allowed in any kept line", "OPTIONS",
      LIST("Origin", ORIGIN, "Access-Control-Request-Method", "PUT",
           "Access-Control-Request-Headers", "x-a", "Access-Control-Request-Headers", "x-c"),
      1, ORIGIN, "PUT", 2, "x-a", NULL, CORS_REASON_HEADER_NOT_ALLOWED },
    { "more ACRH lines than are read: headers-too-many-lines", "OPTIONS",
      LIST("Origin", ORIGIN, "Access-Control-Request-Method", "PUT",
           "Access-Control-Request-Headers", "x-a", "Access-Control-Request-Headers", "x-a",
           "Access-Control-Request-Headers", "x-a", "Access-Control-Request-Headers", "x-a",
           "Access-Control-Request-Headers", "x-a", "Access-Control-Request-Headers", "x-a",
           "Access-Control-Request-Headers", "x-a", "Access-Control-Request-Headers", "x-a",
           "Access-Control-Request-Headers", "x-a", "Access-Control-Request-Headers", "x-a"),
      1, ORIGIN, "PUT", CORS_REQUEST_HEADER_LINES_MAX + 1, "x-a", NULL,
      CORS_REASON_HEADERS_TOO_MANY_LINES },
    { "exactly the maximum of ACRH lines is read", "OPTIONS",
      LIST("Origin", ORIGIN, "Access-Control-Request-Method", "PUT",
           "Access-Control-Request-Headers", "x-a", "Access-Control-Request-Headers", "x-a",
           "Access-Control-Request-Headers", "x-a", "Access-Control-Request-Headers", "x-a",
           "Access-Control-Request-Headers", "x-a", "Access-Control-Request-Headers", "x-a",
           "Access-Control-Request-Headers", "x-a", "Access-Control-Request-Headers", "x-b"),
      1, ORIGIN, "PUT", CORS_REQUEST_HEADER_LINES_MAX, "x-a", NULL, CORS_REASON_ALLOWED },
    { "one ACRPN line: the value (Private Network Access)", "OPTIONS",
      LIST("Origin", ORIGIN, "Access-Control-Request-Method", "PUT",
           "Access-Control-Request-Private-Network", "true"),
      1, ORIGIN, "PUT", 0, NULL, "true", CORS_REASON_ALLOWED },
    { "two ACRPN lines: not requested", "OPTIONS",
      LIST("Origin", ORIGIN, "Access-Control-Request-Method", "PUT",
           "Access-Control-Request-Private-Network", "true",
           "Access-Control-Request-Private-Network", "true"),
      1, ORIGIN, "PUT", 0, NULL, NULL, CORS_REASON_ALLOWED },
    { "other names and near misses are ignored", "GET",
      LIST("Origins", ORIGIN, "Origin ", ORIGIN, "X-Origin", ORIGIN, "Referer", ORIGIN,
           "Access-Control-Request-Methods", "PUT", "", ""),
      0, NULL, NULL, 0, NULL, NULL, CORS_REASON_NOT_CORS },
};

static bool
slice_is(struct cors_str s, const char *want)
{
    if (want == NULL)
        return s.ptr == NULL;
    return s.ptr != NULL && s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0;
}

START_TEST(test_request_fields)
{
    const struct fields_case *c = &fields_cases[_i];
    struct cors_request_fields f;
    cors_request_fields_init(&f, cors_str_from_cstr(c->method));
    for (size_t i = 0; c->lines[i] != NULL; i += 2) {
        struct cors_str name = cors_str_from_cstr(c->lines[i]);
        struct cors_str value = strcmp(c->lines[i + 1], ABSENT) == 0
                                    ? (struct cors_str){ NULL, 0 }
                                    : cors_str_from_cstr(c->lines[i + 1]);
        bool cors_field = cors_request_fields_add(&f, name, value);
        bool want = (strcasecmp(c->lines[i], "origin") == 0 ||
                     strncasecmp(c->lines[i], "access-control-request-", 23) == 0) &&
                    strcasecmp(c->lines[i], "access-control-request-methods") != 0;
        ck_assert_msg(cors_field == want, "%s: add(%s) returned %d", c->rule, c->lines[i],
                      cors_field);
    }
    struct eval e;
    memset(&e, 0, sizeof e);
    cors_request_fields_to_request(&f, &e.req);
    ck_assert_msg(slice_is(e.req.method, c->method), "%s: method", c->rule);
    ck_assert_msg(e.req.origin_count == c->origin_count, "%s: origin_count %zu", c->rule,
                  e.req.origin_count);
    if (c->origin_count > 0)
        ck_assert_msg(slice_is(e.req.origins[0], c->origin0), "%s: origin '%.*s'", c->rule,
                      (int)e.req.origins[0].len, e.req.origins[0].ptr);
    ck_assert_msg(slice_is(e.req.request_method, c->request_method), "%s: request_method",
                  c->rule);
    ck_assert_msg(e.req.request_header_count == c->header_lines, "%s: %zu header lines", c->rule,
                  e.req.request_header_count);
    if (c->header_lines > 0)
        ck_assert_msg(slice_is(e.req.request_headers[0], c->header0), "%s: header line",
                      c->rule);
    ck_assert_msg(slice_is(e.req.request_private_network, c->private_network),
                  "%s: private network", c->rule);

    struct cors_policy *p = spec_build(&fields_policy);
    eval_request(p, &e);
    ck_assert_msg(e.r.reason == c->reason, "%s: reason %s, expected %s", c->rule,
                  cors_reason_name(e.r.reason), cors_reason_name(c->reason));
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_request_fields_reinit_and_null)
{
    struct cors_request_fields f;
    cors_request_fields_init(&f, CORS_STR("GET"));
    ck_assert(cors_request_fields_add(&f, CORS_STR("Origin"), CORS_STR(ORIGIN)));
    /* init forgets everything added before */
    cors_request_fields_init(&f, CORS_STR("OPTIONS"));
    struct cors_request r;
    cors_request_fields_to_request(&f, &r);
    ck_assert_uint_eq(r.origin_count, 0);
    ck_assert(slice_is(r.method, "OPTIONS"));
    /* NULL arguments are no-ops, never crashes */
    cors_request_fields_init(NULL, CORS_STR("GET"));
    ck_assert(!cors_request_fields_add(NULL, CORS_STR("Origin"), CORS_STR(ORIGIN)));
    ck_assert(!cors_request_fields_add(&f, (struct cors_str){ NULL, 0 }, CORS_STR(ORIGIN)));
    cors_request_fields_to_request(&f, NULL);
    cors_request_fields_to_request(NULL, &r);
    ck_assert_uint_eq(r.origin_count, 0);
    ck_assert_ptr_null(r.method.ptr);
}
END_TEST

/* ----------------------------------------------------- name predicate */

START_TEST(test_access_control_predicate)
{
    static const struct {
        const char *name;
        bool is;
    } cases[] = {
        { "Access-Control-Allow-Origin", true },
        { "access-control-allow-credentials", true },
        { "ACCESS-CONTROL-EXPOSE-HEADERS", true },
        { "Access-Control-X", true },
        { "Access-Control-", true }, /* the prefix itself: still in the namespace */
        { "Access-Control", false },
        { "Access-Controls-Allow-Origin", false },
        { "X-Access-Control-Allow-Origin", false },
        { "Vary", false },
        { "Timing-Allow-Origin", false },
        { "", false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_msg(cors_is_access_control_header(cors_str_from_cstr(cases[i].name)) ==
                          cases[i].is,
                      "%s", cases[i].name);
    ck_assert(!cors_is_access_control_header((struct cors_str){ NULL, 0 }));
}
END_TEST

/* ---------------------------------------------- the response contract */

/* Every result of a policy in force starts with REMOVE_ACCESS_CONTROL, for
 * allowed and denied origins, preflights, actual and not-CORS requests,
 * answered and forwarded; a report-only result has no entry at all. */
START_TEST(test_remove_access_control_first)
{
    const struct policy_spec specs[] = {
        { .origins = LIST(ORIGIN), .credentials = true },
        { .origins = LIST("*") },
        { .origins = LIST(ORIGIN), .forward_rejected = true },
        { .origins = LIST(ORIGIN), .report_only = true },
    };
    static const struct req_spec requests[] = {
        { .method = "GET" },
        { .method = "GET", .origin = ORIGIN },
        { .method = "GET", .origin = "https://evil.example" },
        { .method = "OPTIONS", .origin = ORIGIN, .acrm = "GET" },
        { .method = "OPTIONS", .origin = "https://evil.example", .acrm = "GET" },
        { .method = "OPTIONS", .origin = "not an origin", .acrm = "GET" },
    };
    for (size_t s = 0; s < sizeof specs / sizeof specs[0]; s++) {
        struct cors_policy *p = spec_build(&specs[s]);
        for (size_t q = 0; q < sizeof requests / sizeof requests[0]; q++) {
            struct eval e;
            eval_spec(p, &requests[q], &e);
            if (specs[s].report_only) {
                ck_assert_uint_eq(e.r.header_count, 0);
                continue;
            }
            ck_assert_uint_ge(e.r.header_count, 1);
            ck_assert_int_eq(e.h[0].op, CORS_HEADER_REMOVE_ACCESS_CONTROL);
            ck_assert(cors_is_access_control_header(e.h[0].name));
            for (size_t i = 1; i < e.r.header_count; i++)
                ck_assert_int_ne(e.h[i].op, CORS_HEADER_REMOVE_ACCESS_CONTROL);
        }
        cors_policy_unref(p);
    }
}
END_TEST

/* ------------------------------------------------------- attribution */

static const struct policy_spec attribution_policy = {
    .origins = LIST("https://a.example", "https://*.wild.example", "http://localhost:*",
                    "https://a.example", /* a duplicate: the first entry matches */
                    "null", "https://Upper.Example:443"),
    .regexes = LIST("https://r1-[0-9]+\\.example", "https://r2-[a-z]+\\.example"),
};

static const struct {
    const char *origin;
    enum cors_field field;
    size_t index;
    const char *entry; /* cors_policy_entry() */
} attribution_cases[] = {
    { "https://a.example", CORS_FIELD_ALLOW_ORIGINS, 0, "https://a.example" },
    { "https://x.y.wild.example", CORS_FIELD_ALLOW_ORIGINS, 1, "https://*.wild.example" },
    { "http://localhost:5173", CORS_FIELD_ALLOW_ORIGINS, 2, "http://localhost:*" },
    { "null", CORS_FIELD_ALLOW_ORIGINS, 4, "null" },
    /* the canonical form of the configured entry */
    { "https://upper.example", CORS_FIELD_ALLOW_ORIGINS, 5, "https://upper.example" },
    { "https://r1-42.example", CORS_FIELD_ALLOW_ORIGIN_REGEX, 0, "https://r1-[0-9]+\\.example" },
    { "https://r2-ab.example", CORS_FIELD_ALLOW_ORIGIN_REGEX, 1, "https://r2-[a-z]+\\.example" },
    { "https://evil.example", CORS_FIELD_NONE, SIZE_MAX, NULL },
    { "https://wild.example", CORS_FIELD_NONE, SIZE_MAX, NULL },
};

START_TEST(test_attribution)
{
    struct cors_policy *p = spec_build(&attribution_policy);
    for (size_t i = 0; i < sizeof attribution_cases / sizeof attribution_cases[0]; i++) {
        struct eval e;
        /* a preflight whose method is not allowed: the origin is still
         * attributed (reason method-not-allowed) */
        eval_spec(p, &(struct req_spec){ .method = "OPTIONS",
                                         .origin = attribution_cases[i].origin,
                                         .acrm = "DELETE" },
                  &e);
        ck_assert_msg(e.r.matched_field == attribution_cases[i].field &&
                          e.r.matched_index == attribution_cases[i].index,
                      "%s: matched %d[%zu]", attribution_cases[i].origin, (int)e.r.matched_field,
                      e.r.matched_index);
        struct cors_str entry = cors_policy_entry(p, e.r.matched_field, e.r.matched_index);
        ck_assert_msg(slice_is(entry, attribution_cases[i].entry), "%s: entry '%.*s'",
                      attribution_cases[i].origin, (int)entry.len, entry.ptr ? entry.ptr : "");
    }
    /* the duplicate keeps its position and text */
    ck_assert(slice_is(cors_policy_entry(p, CORS_FIELD_ALLOW_ORIGINS, 3), "https://a.example"));
    /* out of range, other fields, NULL policy */
    ck_assert_ptr_null(cors_policy_entry(p, CORS_FIELD_ALLOW_ORIGINS, 6).ptr);
    ck_assert_ptr_null(cors_policy_entry(p, CORS_FIELD_ALLOW_ORIGIN_REGEX, 2).ptr);
    ck_assert_ptr_null(cors_policy_entry(p, CORS_FIELD_ALLOW_METHODS, 0).ptr);
    ck_assert_ptr_null(cors_policy_entry(p, CORS_FIELD_NONE, SIZE_MAX).ptr);
    ck_assert_ptr_null(cors_policy_entry(NULL, CORS_FIELD_ALLOW_ORIGINS, 0).ptr);
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_attribution_star_and_report_only)
{
    const struct policy_spec star = { .origins = LIST("*") };
    const struct policy_spec star_credentials = { .origins = LIST("*"), .credentials = true };
    const struct policy_spec report_only = { .origins = LIST("https://a.example"),
                                             .report_only = true };
    struct eval e;
    struct cors_policy *p = spec_build(&star);
    eval_spec(p, &(struct req_spec){ .origin = "https://any.example" }, &e);
    ck_assert_int_eq(e.r.matched_field, CORS_FIELD_ALLOW_ORIGINS);
    ck_assert_uint_eq(e.r.matched_index, 0);
    ck_assert(slice_is(cors_policy_entry(p, e.r.matched_field, e.r.matched_index), "*"));
    /* a public "*" answers null too, by its "*" entry */
    eval_spec(p, &(struct req_spec){ .origin = "null" }, &e);
    ck_assert_int_eq(e.r.matched_field, CORS_FIELD_ALLOW_ORIGINS);
    /* malformed origins are never attributed */
    eval_spec(p, &(struct req_spec){ .origin = "https://x.example/" }, &e);
    ck_assert_int_eq(e.r.matched_field, CORS_FIELD_NONE);
    cors_policy_unref(p);

    p = spec_build(&star_credentials);
    eval_spec(p, &(struct req_spec){ .origin = "null" }, &e);
    ck_assert_int_eq(e.r.matched_field, CORS_FIELD_NONE);
    cors_policy_unref(p);

    p = spec_build(&report_only);
    eval_spec(p, &(struct req_spec){ .origin = "https://a.example" }, &e);
    ck_assert_int_eq(e.r.matched_field, CORS_FIELD_ALLOW_ORIGINS);
    ck_assert_uint_eq(e.r.matched_index, 0);
    ck_assert_uint_eq(e.r.header_count, 0);
    cors_policy_unref(p);
}
END_TEST

/* ----------------------------------------------- sticky builder errors */

START_TEST(test_sticky_invalid_argument)
{
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(cors_policy_builder_status(b), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_add_origin(b, CORS_STR("https://a.example")), CORS_OK);
    /* an invalid slice: the first failure */
    ck_assert_int_eq(cors_policy_builder_add_method(b, (struct cors_str){ NULL, 3 }),
                     CORS_E_INVALID_ARGUMENT);
    /* a later failure of another kind does not replace it */
    ck_assert_int_eq(cors_policy_builder_set_source(b, (struct cors_str){ NULL, 1 }),
                     CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_policy_builder_status(b), CORS_E_INVALID_ARGUMENT);
    /* later good calls still succeed, and change nothing about the failure */
    ck_assert_int_eq(cors_policy_builder_add_method(b, CORS_STR("PUT")), CORS_OK);

    for (int round = 0; round < 2; round++) { /* every build fails, not only the first */
        struct cors_diagnostics *d = cors_diagnostics_new(NULL);
        enum cors_status st = CORS_OK;
        ck_assert_ptr_null(cors_policy_build(b, 0, d, &st));
        ck_assert_int_eq(st, CORS_E_INVALID_ARGUMENT);
        ck_assert_uint_eq(cors_diagnostics_count(d), 1);
        const struct cors_diagnostic *diag = cors_diagnostics_get(d, 0);
        ck_assert_int_eq(diag->code, CORS_DIAG_BUILDER_CALL_FAILED);
        ck_assert_int_eq(diag->severity, CORS_SEVERITY_ERROR);
        ck_assert_str_eq(cors_diag_code_name(diag->code), "builder-call-failed");
        ck_assert_ptr_nonnull(strstr(diag->message.ptr, "cors_policy_builder_add_method()"));
        ck_assert_ptr_nonnull(strstr(diag->message.ptr, "invalid-argument"));
        cors_diagnostics_free(d);
    }
    /* without a diagnostics list or a status pointer: still NULL */
    ck_assert_ptr_null(cors_policy_build(b, 0, NULL, NULL));
    cors_policy_builder_free(b);
    ck_assert_int_eq(cors_policy_builder_status(NULL), CORS_E_INVALID_ARGUMENT);
}
END_TEST

START_TEST(test_null_builder_is_not_sticky_anywhere)
{
    /* a NULL builder has nowhere to remember a failure: every setter says so */
    ck_assert_int_eq(cors_policy_builder_add_origin(NULL, CORS_STR("https://a.example")),
                     CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_policy_builder_set_max_age(NULL, 5), CORS_E_INVALID_ARGUMENT);
    enum cors_status st = CORS_OK;
    ck_assert_ptr_null(cors_policy_build(NULL, 0, NULL, &st));
    ck_assert_int_eq(st, CORS_E_INVALID_ARGUMENT);
}
END_TEST

static Suite *
host_suite(void)
{
    Suite *s = suite_create("host");
    TCase *tc = tcase_create("request-fields");
    tcase_add_loop_test(tc, test_request_fields, 0,
                        (int)(sizeof fields_cases / sizeof fields_cases[0]));
    tcase_add_test(tc, test_request_fields_reinit_and_null);
    suite_add_tcase(s, tc);
    tc = tcase_create("response");
    tcase_add_test(tc, test_access_control_predicate);
    tcase_add_test(tc, test_remove_access_control_first);
    suite_add_tcase(s, tc);
    tc = tcase_create("attribution");
    tcase_add_test(tc, test_attribution);
    tcase_add_test(tc, test_attribution_star_and_report_only);
    suite_add_tcase(s, tc);
    tc = tcase_create("sticky");
    tcase_add_test(tc, test_sticky_invalid_argument);
    tcase_add_test(tc, test_null_builder_is_not_sticky_anywhere);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(host_suite());
}
