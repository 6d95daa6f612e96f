/*
 * The 17 cases of the Gateway API conformance test HTTPRouteCORS
 * (conformance/tests/httproute-cors.go in the Gateway API repository,
 * kubernetes-sigs/gateway-api), evaluated against policies built with the
 * library's default options.
 *
 * Acceptance follows the suite's comparison rules
 * (conformance/utils/http/http.go): header names case-insensitive; several
 * field lines joined with "," before comparing; all spaces removed
 * (IgnoreWhitespace); otherwise exact. A missing expected status means 200.
 * "200 from backend" means the request reaches the handler.
 *
 * A second test pins the library's own choice among the accepted answers:
 * '*' without credentials answers ACAO '*', methods '*' echo the requested
 * method, headers '*' echo the requested headers, lists in configured order.
 *
 * SPDX-License-Identifier: MIT
 */
#include "test-common.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

enum route { CORS_1, CORS_2, WILDCARD_ORIGIN, WILDCARD_MH, WILDCARD_MH_UNAUTH, ROUTES };

static const struct policy_spec routes[ROUTES] = {
    [CORS_1] = { .origins = LIST("https://www.foo.com", "https://*.bar.com"),
                 .methods = LIST("GET", "OPTIONS"),
                 .allow_headers = LIST("x-header-1", "x-header-2"),
                 .expose_headers = LIST("x-header-3", "x-header-4"),
                 .credentials = true, .has_max_age = true, .max_age = 3600 },
    [CORS_2] = { .origins = LIST("https://www.foo.com"), .methods = LIST("*") },
    [WILDCARD_ORIGIN] = { .origins = LIST("*"), .methods = LIST("PUT") },
    [WILDCARD_MH] = { .origins = LIST("*"), .methods = LIST("*"), .allow_headers = LIST("*"),
                      .credentials = true },
    [WILDCARD_MH_UNAUTH] = { .origins = LIST("*"), .methods = LIST("*"),
                             .allow_headers = LIST("*") },
};

#define ABSENT NULL
#define ANY(...) ((const char *const[]){ __VA_ARGS__, NULL })

struct expect {
    const char *name;
    const char *const *accepted; /* ABSENT: the header must not be there; [0] = the library's answer */
};

struct conf_case {
    int number;
    enum route route;
    const char *method, *origin, *acrm, *acrh;
    bool backend;       /* must reach the handler ("200 from backend") */
    int statuses[3];    /* accepted statuses when answered by the gateway */
    struct expect expect[8];
};

#define PREFLIGHT_OK { 200, 204, 0 }
#define ACAO_ECHO(o) { H_ACAO, ANY(o) }
#define ACAO_ECHO_OR_STAR(o) { H_ACAO, ANY("*", o) }
/* cases 1-3: an allowed preflight on route cors-1, every field answered */
#define CORS_1_PREFLIGHT_ALLOWED(o)                                                        \
    { ACAO_ECHO(o),                                                                        \
      { H_ACAM, ANY("GET,OPTIONS", "OPTIONS,GET") },                                       \
      { H_ACAH, ANY("x-header-1,x-header-2", "x-header-2,x-header-1") },                   \
      { H_ACEH, ANY("x-header-3,x-header-4", "x-header-4,x-header-3") },                   \
      { H_ACMA, ANY("3600") },                                                             \
      { H_ACAC, ANY("true") } }

static const struct conf_case cases[] = {
    { 1, CORS_1, "OPTIONS", "https://www.foo.com", "GET", "x-header-1, x-header-2", false,
      PREFLIGHT_OK, CORS_1_PREFLIGHT_ALLOWED("https://www.foo.com") },
    { 2, CORS_1, "OPTIONS", "https://www.bar.com", "GET", "x-header-1, x-header-2", false,
      PREFLIGHT_OK, CORS_1_PREFLIGHT_ALLOWED("https://www.bar.com") },
    { 3, CORS_1, "OPTIONS", "https://xpto.www.bar.com", "GET", "x-header-1, x-header-2", false,
      PREFLIGHT_OK, CORS_1_PREFLIGHT_ALLOWED("https://xpto.www.bar.com") },
    { 4, CORS_1, "OPTIONS", "https://foobar.com", "GET", NULL, false, { 403, 200, 204 },
      { { H_ACAO, ABSENT } } },
    { 5, CORS_1, "GET", "https://www.foo.com", "GET", "x-header-1, x-header-2", true, { 0 },
      { ACAO_ECHO("https://www.foo.com") } },
    { 6, CORS_1, "GET", "https://www.bar.com", NULL, NULL, true, { 0 },
      { ACAO_ECHO("https://www.bar.com") } },
    { 7, CORS_1, "GET", "https://foobar.com", NULL, NULL, true, { 0 },
      { { H_ACAO, ABSENT } } },
    { 8, CORS_2, "OPTIONS", "https://www.foo.com", "POST", NULL, false, PREFLIGHT_OK,
      { ACAO_ECHO("https://www.foo.com"), { H_ACAM, ANY("POST", "*") }, { H_ACAC, ABSENT } } },
    { 9, CORS_2, "OPTIONS", "https://www.foo.com", "POST", NULL, false, PREFLIGHT_OK,
      { { H_ACAC, ABSENT } } },
    { 10, WILDCARD_ORIGIN, "OPTIONS", "https://foobar.com", "PUT", NULL, false, PREFLIGHT_OK,
      { ACAO_ECHO_OR_STAR("https://foobar.com"), { H_ACAM, ANY("PUT") }, { H_ACAC, ABSENT } } },
    { 11, WILDCARD_ORIGIN, "OPTIONS", "https://foobar.com:12345", "PUT", NULL, false,
      PREFLIGHT_OK,
      { ACAO_ECHO_OR_STAR("https://foobar.com:12345"), { H_ACAM, ANY("PUT") } } },
    { 12, WILDCARD_ORIGIN, "PUT", "https://foobar.com:12345", NULL, NULL, true, { 0 },
      { ACAO_ECHO_OR_STAR("https://foobar.com:12345") } },
    { 13, WILDCARD_ORIGIN, "PUT", "https://foobar.com", NULL, NULL, true, { 0 },
      { ACAO_ECHO_OR_STAR("https://foobar.com"), { H_ACAC, ABSENT } } },
    { 14, WILDCARD_MH, "OPTIONS", "https://other.foo.com", "PUT", "x-header-1, x-header-2",
      false, PREFLIGHT_OK,
      { ACAO_ECHO("https://other.foo.com"), { H_ACAM, ANY("PUT") },
        { H_ACAH, ANY("x-header-1,x-header-2", "x-header-2,x-header-1") },
        { H_ACAC, ANY("true") } } },
    { 15, WILDCARD_MH_UNAUTH, "OPTIONS", "https://other.foo.com", "PUT",
      "x-header-1, x-header-2", false, PREFLIGHT_OK,
      { ACAO_ECHO_OR_STAR("https://other.foo.com"), { H_ACAM, ANY("PUT", "*") },
        { H_ACAH, ANY("x-header-1,x-header-2", "x-header-2,x-header-1", "*") },
        { H_ACAC, ABSENT } } },
    { 16, WILDCARD_MH, "GET", "https://other.foo.com", NULL, NULL, true, { 0 },
      { ACAO_ECHO("https://other.foo.com"), { H_ACAC, ANY("true") } } },
    { 17, WILDCARD_MH_UNAUTH, "GET", "https://other.foo.com", NULL, NULL, true, { 0 },
      { ACAO_ECHO_OR_STAR("https://other.foo.com"), { H_ACAC, ABSENT } } },
};

/* The suite's view of a response header: lines of that name (any case)
 * joined with ",", then every space removed. NULL when absent. */
static const char *
suite_header_value(const struct eval *e, const char *name, char *buf, size_t size)
{
    size_t used = 0;
    bool found = false;
    for (size_t i = 0; i < e->r.header_count; i++) {
        const struct cors_header *h = &e->h[i];
        if (h->name.len != strlen(name) || strncasecmp(h->name.ptr, name, h->name.len) != 0)
            continue;
        if (found && used + 1 < size)
            buf[used++] = ',';
        found = true;
        for (size_t k = 0; k < h->value.len && used + 1 < size; k++)
            if (h->value.ptr[k] != ' ')
                buf[used++] = h->value.ptr[k];
    }
    buf[used] = '\0';
    return found ? buf : NULL;
}

static void
strip_spaces(const char *in, char *out, size_t size)
{
    size_t used = 0;
    for (; *in != '\0' && used + 1 < size; in++)
        if (*in != ' ')
            out[used++] = *in;
    out[used] = '\0';
}

static void
run_case(const struct conf_case *c, bool library_answer)
{
    struct cors_policy *p = spec_build(&routes[c->route]);
    struct eval e;
    eval_spec(p, &(struct req_spec){ .method = c->method, .origin = c->origin, .acrm = c->acrm,
                                     .acrh = c->acrh != NULL ? (const char *const[]){ c->acrh,
                                                                                      NULL }
                                                             : NULL }, &e);
    if (c->backend) {
        ck_assert_msg(e.r.call_handler, "case %d: must reach the backend", c->number);
    } else {
        ck_assert_msg(!e.r.call_handler, "case %d: a preflight must not reach the backend",
                      c->number);
        bool ok = false;
        for (size_t i = 0; i < 3 && c->statuses[i] != 0; i++)
            ok = ok || e.r.status == c->statuses[i];
        ck_assert_msg(ok, "case %d: status %d not accepted", c->number, e.r.status);
        if (library_answer)
            ck_assert_msg(e.r.status == c->statuses[0], "case %d: status %d, library default %d",
                          c->number, e.r.status, c->statuses[0]);
    }
    for (size_t k = 0; k < 8 && c->expect[k].name != NULL; k++) {
        const struct expect *x = &c->expect[k];
        char got_buf[1024], want[256];
        const char *got = suite_header_value(&e, x->name, got_buf, sizeof got_buf);
        if (x->accepted == ABSENT) {
            ck_assert_msg(got == NULL, "case %d: %s must be absent, got '%s'", c->number, x->name,
                          got);
            continue;
        }
        ck_assert_msg(got != NULL, "case %d: %s missing", c->number, x->name);
        bool ok = false;
        size_t n = library_answer ? 1 : SIZE_MAX;
        for (size_t a = 0; a < n && x->accepted[a] != NULL; a++) {
            strip_spaces(x->accepted[a], want, sizeof want);
            ok = ok || strcmp(got, want) == 0;
        }
        ck_assert_msg(ok, "case %d: %s '%s' is not %s '%s'%s", c->number, x->name, got,
                      library_answer ? "the library's answer" : "accepted, e.g.",
                      x->accepted[0], library_answer ? "" : " (or its listed alternatives)");
    }
    cors_policy_unref(p);
}

START_TEST(test_conformance_case)
{
    run_case(&cases[_i], false);
}
END_TEST

START_TEST(test_library_answer)
{
    run_case(&cases[_i], true);
}
END_TEST

/* The table is complete: 17 cases numbered 1..17. */
START_TEST(test_table_complete)
{
    ck_assert_uint_eq(sizeof cases / sizeof cases[0], 17);
    for (size_t i = 0; i < 17; i++)
        ck_assert_int_eq(cases[i].number, (int)i + 1);
}
END_TEST

/* The seed guide (seed/agentgateway-cors-guide.txt), step 1's HTTPRoute
 * filter and step 2's expected output, with the Access-Control-Request-Method
 * a browser adds (the guide's curl sends none: for libcors that is an actual
 * OPTIONS request, which goes to the handler). */
static const struct policy_spec seed_route = {
    .origins = LIST("https://example.com"),
    .methods = LIST("GET", "POST", "OPTIONS"),
    .allow_headers = LIST("Origin"),
    .expose_headers = LIST("Origin", "X-HTTPRoute-Header"),
    .credentials = true,
    .has_max_age = true,
    .max_age = 86400,
};

START_TEST(test_seed_guide)
{
    struct cors_policy *p = spec_build(&seed_route);
    struct eval e;
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = "https://example.com",
                                     .acrm = "GET" }, &e);
    ck_assert(!e.r.call_handler);
    ck_assert_int_eq(e.r.status, 200); /* HTTP/1.1 200 OK */
    assert_header(&e, H_ACAO, "https://example.com");
    assert_header(&e, H_ACAM, "GET,POST,OPTIONS");
    assert_header(&e, H_ACAH, "origin");
    assert_header(&e, H_ACMA, "86400");
    assert_header(&e, H_ACAC, "true");
    assert_header(&e, H_ACEH, "origin,x-httproute-header");
    /* step 3: a disallowed origin gets no CORS settings (and, unlike the
     * guide's httpbin, the preflight is answered here, not forwarded) */
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = "https://notallowed.com",
                                     .acrm = "GET" }, &e);
    ck_assert(!e.r.call_handler);
    ck_assert(!e.r.allowed);
    assert_only_vary(&e);
    /* the guide's exact curl (no Access-Control-Request-Method) */
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = "https://example.com" }, &e);
    ck_assert_int_eq(e.r.decision, CORS_DECISION_ACTUAL);
    ck_assert(e.r.call_handler);
    assert_header(&e, H_ACAO, "https://example.com");
    assert_header(&e, H_ACAM, NULL);
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = "https://notallowed.com" },
              &e);
    ck_assert(e.r.call_handler);
    assert_only_vary(&e);
    cors_policy_unref(p);
}
END_TEST

static Suite *
conformance_suite(void)
{
    Suite *s = suite_create("conformance");
    int n = (int)(sizeof cases / sizeof cases[0]);
    TCase *tc = tcase_create("gateway-api");
    tcase_add_test(tc, test_table_complete);
    tcase_add_loop_test(tc, test_conformance_case, 0, n);
    suite_add_tcase(s, tc);
    tc = tcase_create("library-answer");
    tcase_add_loop_test(tc, test_library_answer, 0, n);
    suite_add_tcase(s, tc);
    tc = tcase_create("seed");
    tcase_add_test(tc, test_seed_guide);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(conformance_suite());
}
