/*
 * Origin regexes (docs/decisions.md "Regex origins"): the backtracking lint
 * over known ReDoS shapes and ordinary origin regexes, the constructs refused
 * because a policy's regexes are matched as one alternation, and matching
 * through the host-suffix prefilter and the combined groups (the entry named
 * in the result is the first in allowOriginRegex order that matches, DNS
 * limits drop hosts no browser sends).
 *
 * SPDX-License-Identifier: MIT
 */
#include "test-common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------- backtracking lint */

/* Known ReDoS shapes (OWASP "Regular expression Denial of Service", the
 * classic nested-quantifier and overlapping-alternation families): each gets
 * regex-backtracking at the offset of the outer repetition. */
static const struct {
    const char *regex;
    size_t offset;
} redos[] = {
    {"https://(a|aa)+\\.example\\.com", 8},                  /* overlapping alternation */
    {"https://(a|aa)+(b|bb)*x\\.test", 8},                   /* the example */
    {"https://(a+)+\\.example\\.com", 8},                    /* nested quantifier */
    {"https://(.*)*\\.example\\.com", 8},                    /* nested any */
    {"https://(\\w+\\d*)+\\.example\\.com", 8},              /* overlapping sequence */
    {"https://(a|a)+\\.example\\.com", 8},                   /* identical branches */
    {"https://((a*)*)*b\\.example\\.com", 8},                /* three levels */
    {"https://(?:[a-z]+\\.?)+\\.example\\.com", 8},          /* optional separator */
    {"https://([a-z0-9.-]+)*\\.example\\.com", 8},           /* label class with the dot */
    {"https://(x+x+)+y\\.example\\.com", 8},                 /* adjacent overlap */
    {"https://(?:(?:a|a?)+)+\\.example\\.com", 8},           /* optional branch */
    {"https://(\\d|[0-9a-f])+\\.example\\.com", 8},          /* overlapping classes */
    {"https://app\\.(a+)+\\.example\\.com", 13},             /* offset further in */
    {"https://(.*a){12}\\.example\\.com", 8},                /* bounded repeat of .*a */
    {"https://(\\w+\\.)+\\w+\\.example\\.com(:\\d+)?", -1u}, /* quiet: \\w excludes '.' */
};

START_TEST(test_lint_redos)
{
    const char *re = redos[_i].regex;
    struct policy_spec s = {.regexes = (const char *const[]){re, NULL}};
    struct cors_diagnostics *d = spec_build_ok_diags(&s, 0);
    const struct cors_diagnostic *x = diag_find(d, CORS_DIAG_REGEX_BACKTRACKING, 0);
    if (redos[_i].offset == (size_t)-1u) {
        ck_assert_msg(x == NULL, "%s: unexpected regex-backtracking", re);
        cors_diagnostics_free(d);
        return;
    }
    ck_assert_msg(x != NULL, "%s: no regex-backtracking", re);
    ck_assert_int_eq(x->severity, CORS_SEVERITY_WARNING);
    ck_assert_int_eq(x->field, CORS_FIELD_ALLOW_ORIGIN_REGEX);
    ck_assert_msg(x->offset == redos[_i].offset, "%s: offset %zu, expected %zu", re, x->offset,
                  redos[_i].offset);
    cors_diagnostics_free(d);
    /* strict: the same finding is an error */
    d = spec_build_fails(&s, CORS_BUILD_STRICT);
    assert_diag(d, CORS_DIAG_REGEX_BACKTRACKING, CORS_SEVERITY_ERROR, CORS_FIELD_ALLOW_ORIGIN_REGEX,
                0);
    cors_diagnostics_free(d);
}
END_TEST

/* Ordinary origin regexes: no regex-backtracking (the repetitions are
 * separated by a byte the repeated part cannot match, or are possessive). */
static const char *const quiet[] = {
    "https://([a-z0-9-]+\\.)*example\\.com",
    "https://([a-z0-9-]+\\.)*tenant9\\.example\\.com(:[0-9]+)?",
    "https://[a-z0-9-]+(\\.[a-z0-9-]+)*\\.example\\.com",
    "https://pr-[0-9]+\\.preview\\.example\\.net",
    "https://((www|web)\\.)*example\\.com",
    "https?://(dev|staging|prod)\\.example\\.com",
    "https://([a-z0-9]+[.-])*[a-z0-9]+\\.example\\.com",
    "https://[a-z]+\\.example\\.(com|org|net)",
    "http://localhost(:\\d+)?",
    "https://(?>[a-z]+)+\\.example\\.com",
    "https://(?:[a-z]++\\.?)+\\.example\\.com",
    "https://(ab|ac)+\\.example\\.com",
    "https://app[0-9]{1,3}\\.example\\.com",
};

START_TEST(test_lint_quiet)
{
    struct policy_spec s = {.regexes = (const char *const[]){quiet[_i], NULL}};
    struct cors_diagnostics *d = spec_build_ok_diags(&s, 0);
    char buf[2048];
    ck_assert_msg(diag_count_code(d, CORS_DIAG_REGEX_BACKTRACKING) == 0, "%s:\n%s", quiet[_i],
                  diag_dump(d, buf, sizeof buf));
    cors_diagnostics_free(d);
}
END_TEST

/* ------------------------------------------------------------ unsupported */

/* Constructs that reach outside one regex: refused (regex-unsupported) with
 * the offset of the construct. */
static const struct {
    const char *regex;
    size_t offset;
} unsupported[] = {
    {"https://(?<l>a)\\1\\.example\\.com", 15},        /* backreference */
    {"https://(?<l>a)\\k<l>\\.example\\.com", 15},     /* named backreference */
    {"https://(?<l>a)\\g1\\.example\\.com", 15},       /* \g reference */
    {"https://a(?R)?\\.example\\.com", 9},             /* recursion */
    {"https://(?<l>a)(?1)\\.example\\.com", 15},       /* subroutine call */
    {"https://(?<l>a)(?&l)\\.example\\.com", 15},      /* named subroutine call */
    {"https://(?<l>a)?(?(1)b|c)\\.example\\.com", 16}, /* condition */
    {"https://a(*COMMIT)b\\.example\\.com", 9},        /* backtracking verb */
    {"https://a(*MARK:x)\\.example\\.com", 9},         /* a mark of its own */
    {"https://a(*SKIP)(*FAIL)|https://b\\.example\\.com", 9},
    {"https://a(?C1)\\.example\\.com", 9}, /* callout */
    /* fine alone, but they would swallow what follows them in a combined pattern */
    {"https://a\\.example\\.com\\Q", 0},            /* \Q to the end */
    {"(?x)https://a\\.example\\.com # comment", 0}, /* a comment to the end */
};

START_TEST(test_unsupported)
{
    struct policy_spec s = {.regexes = (const char *const[]){"https://ok\\.example\\.com",
                                                             unsupported[_i].regex, NULL}};
    struct cors_diagnostics *d = spec_build_fails(&s, 0);
    assert_diag(d, CORS_DIAG_REGEX_UNSUPPORTED, CORS_SEVERITY_ERROR, CORS_FIELD_ALLOW_ORIGIN_REGEX,
                1);
    const struct cors_diagnostic *x = diag_find(d, CORS_DIAG_REGEX_UNSUPPORTED, 1);
    ck_assert_msg(x->offset == unsupported[_i].offset, "%s: offset %zu, expected %zu",
                  unsupported[_i].regex, x->offset, unsupported[_i].offset);
    cors_diagnostics_free(d);
}
END_TEST

/* ---------------------------------------------------------------- matching */

/* Which entry allows an origin (-1: none), through keys, the rest group and
 * both together. */
static const struct {
    const char *const *regexes;
    const char *origin;
    int index;
    const char *why;
} matches[] = {
    {LIST("https://([a-z0-9-]+\\.)*t1\\.example\\.com(:[0-9]+)?"), "https://a.b.t1.example.com", 0,
     "key t1.example.com"},
    {LIST("https://([a-z0-9-]+\\.)*t1\\.example\\.com(:[0-9]+)?"), "https://t1.example.com:8443", 0,
     "key with a port"},
    {LIST("https://([a-z0-9-]+\\.)*t1\\.example\\.com(:[0-9]+)?"), "https://xt1.example.com", -1,
     "the key starts at a label"},
    {LIST("https://[a-z]*t1\\.example\\.com"), "https://xt1.example.com", 0,
     "a key cut at the first dot (example.com)"},
    {LIST("https://api\\.example\\.com"), "https://api.example.com", 0, "whole host as key"},
    {LIST("https://api\\.example\\.com"), "https://api.example.com:444", -1, "no port in regex"},
    {LIST("https://api\\.example\\.com:8080"), "https://api.example.com:8080", 0, "literal port"},
    {LIST("https://pr-[0-9]+\\.preview\\.example\\.net"), "https://pr-12.preview.example.net", 0,
     "key after a leading dot"},
    {LIST("https://.*\\.example\\.(com|org)"), "https://a.example.org", 0, "no key: rest group"},
    {LIST("https://a\\.example\\.com|https://b\\.example\\.com"), "https://b.example.com", 0,
     "top-level alternation: rest group"},
    {LIST("(?i)https://API\\.example\\.com"), "https://api.example.com", 0, "caseless: rest group"},
    {LIST("https://b\\.example\\.com", "https://.*\\.example\\.com"), "https://b.example.com", 0,
     "keyed entry before a rest entry: the first wins"},
    {LIST("https://.*\\.example\\.com", "https://b\\.example\\.com"), "https://b.example.com", 0,
     "rest entry before a keyed entry: the first wins"},
    {LIST("https://x\\.example\\.com", "https://([a-z]+\\.)*example\\.com",
          "https://b\\.example\\.com"),
     "https://b.example.com", 1, "two buckets hit: the first configured wins"},
    {LIST("http://r[0-9]+\\.localhost(:[0-9]+)?"), "http://r1.localhost:8080", 0,
     "the browser suite's regex: key localhost"},
    {LIST("http://r[0-9]+\\.localhost(:[0-9]+)?"), "http://r1.localhost.evil.test", -1,
     "anchored at the end"},
    {LIST("http://\\[::1\\](:[0-9]+)?"), "http://[::1]:3000", 0, "IPv6 host"},
    {LIST("https://([a-z]+\\.)*a\\.b\\.c\\.d\\.e\\.f\\.g\\.h\\.i\\.j\\.example"),
     "https://x.y.z.a.b.c.d.e.f.g.h.i.j.example", 0, "a key of 11 labels (past the 8 dots kept)"},
    {LIST("https://([a-z]+\\.)*a\\.b\\.c\\.d\\.e\\.f\\.g\\.h\\.i\\.j\\.example"),
     "https://a.b.c.d.e.f.g.h.i.j.example", 0, "the whole host as an 11-label key"},
    {LIST("https://([a-z]+\\.)*a\\.b\\.c\\.d\\.e\\.f\\.g\\.h\\.i\\.j\\.example"),
     "https://x.b.c.d.e.f.g.h.i.j.example", -1, "one label differs"},
    {LIST("https://([a-z]+\\.)*example\\.com\\."), "https://a.example.com.", 0,
     "a key ending in the trailing dot"},
    {LIST("https://([a-z]+\\.)*example\\.com"), "https://a.example.com.", -1,
     "no trailing dot in the regex"},
    {LIST("https://[a-z.]+\\.example\\.com"),
     "https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com", -1,
     "a 64-byte label: no browser sends it (RFC 1035 2.3.4)"},
    {LIST("https://[a-z.]+\\.example\\.com"),
     "https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com", 0,
     "a 63-byte label is fine"},
};

START_TEST(test_match)
{
    struct policy_spec s = {.regexes = matches[_i].regexes, .origins = NULL};
    for (int jit = 0; jit < 2; jit++) {
        struct cors_policy *p = spec_try_build(&s, jit ? 0 : CORS_BUILD_NO_JIT, NULL, NULL);
        ck_assert_msg(p != NULL, "%s: no policy", matches[_i].why);
        struct eval e;
        eval_spec(p, &(struct req_spec){.origin = matches[_i].origin}, &e);
        if (matches[_i].index < 0) {
            ck_assert_msg(!e.r.allowed, "%s: allowed", matches[_i].why);
        } else {
            ck_assert_msg(e.r.allowed, "%s: %s", matches[_i].why, cors_reason_name(e.r.reason));
            ck_assert_int_eq(e.r.matched_field, CORS_FIELD_ALLOW_ORIGIN_REGEX);
            ck_assert_msg(e.r.matched_index == (size_t)matches[_i].index, "%s: index %zu",
                          matches[_i].why, e.r.matched_index);
        }
        cors_policy_unref(p);
    }
}
END_TEST

/* A host of 254 bytes (253 is DNS's maximum) is never allowed by a regex. */
START_TEST(test_host_too_long)
{
    char origin[300] = "https://";
    for (int i = 0; i < 4; i++) /* 4 labels of 60 */
        strcat(origin, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.");
    size_t fill = 8 + 253 - strlen(origin) - 3; /* up to 253 bytes with "com" */
    memset(origin + strlen(origin), 'b', fill);
    origin[8 + 253 - 3] = '\0';
    strcat(origin, "com");
    ck_assert_uint_eq(strlen(origin) - 8, 253);
    struct policy_spec s = {.regexes = LIST("https://[a-z.]+")};
    struct cors_policy *p = spec_build(&s);
    struct eval e;
    eval_spec(p, &(struct req_spec){.origin = origin}, &e);
    ck_assert(e.r.allowed); /* 253: allowed */
    char longer[320];
    snprintf(longer, sizeof longer, "https://b%s", origin + 8); /* 254 */
    eval_spec(p, &(struct req_spec){.origin = longer}, &e);
    ck_assert(!e.r.allowed);
    ck_assert_int_eq(e.r.reason, CORS_REASON_ORIGIN_NOT_ALLOWED);
    cors_policy_unref(p);
}
END_TEST

/* A legitimate regex on the longest hosts a browser sends stays inside the
 * request's budget: 110 labels "a." and tenant9.example.com (239 bytes). */
START_TEST(test_long_host_within_budget)
{
    char origin[300] = "https://";
    for (int i = 0; i < 110; i++)
        strcat(origin, "a.");
    strcat(origin, "tenant9.example.com");
    struct policy_spec s = {.regexes =
                                LIST("https://([a-z0-9-]+\\.)*tenant9\\.example\\.com(:[0-9]+)?")};
    for (int jit = 0; jit < 2; jit++) {
        struct cors_policy *p = spec_try_build(&s, jit ? 0 : CORS_BUILD_NO_JIT, NULL, NULL);
        ck_assert_ptr_nonnull(p);
        struct eval e;
        eval_spec(p, &(struct req_spec){.origin = origin}, &e);
        ck_assert_msg(e.r.allowed, "%s", cors_reason_name(e.r.reason));
        origin[strlen(origin) - 13] = '8'; /* tenant8: a miss, not a limit */
        eval_spec(p, &(struct req_spec){.origin = origin}, &e);
        ck_assert_int_eq(e.r.reason, CORS_REASON_ORIGIN_NOT_ALLOWED);
        origin[strlen(origin) - 13] = '9';
        cors_policy_unref(p);
    }
}
END_TEST

/* 1 000 regexes, keyed and not (the unkeyed ones need several compiled
 * groups): every entry is found under its own index. */
START_TEST(test_many)
{
    enum { N = 1000 };
    static char text[N][96];
    const char *list[N + 1];
    for (int i = 0; i < N; i++) {
        if (_i == 0)
            snprintf(text[i], sizeof text[i], "https://([a-z0-9-]+\\.)*t%d\\.example\\.com", i);
        else
            snprintf(text[i], sizeof text[i], "https://[a-z]+[0-9]*-t%d(\\.[a-z0-9-]+)+", i);
        list[i] = text[i];
    }
    list[N] = NULL;
    struct policy_spec s = {.regexes = list};
    struct cors_policy *p = spec_try_build(&s, 0, NULL, NULL);
    ck_assert_ptr_nonnull(p);
    static const int probe[] = {0, 1, 499, 998, 999};
    for (size_t k = 0; k < sizeof probe / sizeof probe[0]; k++) {
        char origin[128];
        if (_i == 0)
            snprintf(origin, sizeof origin, "https://app.t%d.example.com", probe[k]);
        else
            snprintf(origin, sizeof origin, "https://app-t%d.example.com", probe[k]);
        struct eval e;
        eval_spec(p, &(struct req_spec){.origin = origin}, &e);
        ck_assert_msg(e.r.allowed, "%s: %s", origin, cors_reason_name(e.r.reason));
        ck_assert_uint_eq(e.r.matched_index, (size_t)probe[k]);
    }
    struct eval e;
    eval_spec(p, &(struct req_spec){.origin = "https://app.t1000.example.com"}, &e);
    ck_assert(!e.r.allowed);
    cors_policy_unref(p);
}
END_TEST

/* Regexes of the simple form are matched without PCRE2 (docs/decisions.md
 * "Regex origins"): the same regex forced through PCRE2 (a top-level
 * alternative that never matches takes away its key) must give the same
 * answer for every origin. */
static const char *const simple_regexes[] = {
    "https://([a-z0-9-]+\\.)*tenant9\\.example\\.com(:[0-9]+)?",
    "https://api\\.example\\.com",
    "https://api\\.example\\.com:8080",
    "https://api\\.example\\.com:443",
    "http://api\\.example\\.com:0080",
    "^https://(?:[a-z]+\\.)+example\\.com$",
    "https://([a-z0-9-]+\\.)*example\\.com(:\\d{1,5})?",
    "https://([a-z]+\\.)*example\\.com\\.",
    "http://10\\.0\\.0\\.1(:[0-9]+)?",
    "chrome-extension://abcdef",
    /* label classes: every host byte, all but '_', fewer */
    "https://([a-z0-9_-]+\\.)*tenant9\\.example\\.com",
    "https://([-a-z0-9]+\\.)+tenant9\\.example\\.com",
    "https://([a-z]+\\.)*tenant9\\.example\\.com",
    "https://([a-z_]+\\.)*tenant9\\.example\\.com",
};

static const char *const simple_origins[] = {
    "https://tenant9.example.com",
    "https://app.tenant9.example.com",
    "https://a.b.tenant9.example.com:8443",
    "https://xtenant9.example.com",
    "https://-.tenant9.example.com",
    "https://a_b.tenant9.example.com",
    "http://app.tenant9.example.com",
    "https://api.example.com",
    "https://api.example.com:8080",
    "https://api.example.com:8081",
    "http://api.example.com:80",
    "http://api.example.com",
    "http://api.example.com:8080",
    "https://example.com",
    "https://a.example.com",
    "https://A1.example.com",
    "https://a.example.com.",
    "https://example.com.",
    "https://a.example.com:65535",
    "http://10.0.0.1",
    "http://10.0.0.1:3000",
    "http://110.0.0.1",
    "chrome-extension://abcdef",
    "chrome-extension://abcdefg",
    "https://api.example.com.evil.test",
    /* '_' before, at and after the 8-byte steps of the labels' check */
    "https://_.tenant9.example.com",
    "https://abcdefg_.tenant9.example.com",
    "https://abcdefgh_.tenant9.example.com",
    "https://abcdefgh.ijklmnop.tenant9.example.com",
    "https://abcdefgh.ijklmno_.tenant9.example.com",
    "https://abcdefgh.ijklmnop.q_.tenant9.example.com",
    "https://a.b.c.d.e.f.g.h.i.j.k.tenant9.example.com",
    "https://a.b.c.d.e.f.g.h.i.j.1.tenant9.example.com",
    "https://a-b.c_d.tenant9.example.com",
};

START_TEST(test_simple_same_as_pcre2)
{
    const char *re = simple_regexes[_i];
    char forced[256];
    snprintf(forced, sizeof forced, "%s|(?!)", re);
    struct cors_policy *a = spec_try_build(
        &(struct policy_spec){.regexes = (const char *const[]){re, NULL}}, 0, NULL, NULL);
    struct cors_policy *b = spec_try_build(
        &(struct policy_spec){.regexes = (const char *const[]){forced, NULL}}, 0, NULL, NULL);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    for (size_t k = 0; k < sizeof simple_origins / sizeof simple_origins[0]; k++) {
        struct eval ea, eb;
        eval_spec(a, &(struct req_spec){.origin = simple_origins[k]}, &ea);
        eval_spec(b, &(struct req_spec){.origin = simple_origins[k]}, &eb);
        ck_assert_msg(ea.r.allowed == eb.r.allowed, "%s on %s: direct %d, PCRE2 %d", re,
                      simple_origins[k], ea.r.allowed, eb.r.allowed);
    }
    cors_policy_unref(a);
    cors_policy_unref(b);
}
END_TEST

static Suite *
regex_suite(void)
{
    Suite *s = suite_create("regex");
    TCase *tc = tcase_create("regex");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_lint_redos, 0, (int)(sizeof redos / sizeof redos[0]));
    tcase_add_loop_test(tc, test_lint_quiet, 0, (int)(sizeof quiet / sizeof quiet[0]));
    tcase_add_loop_test(tc, test_unsupported, 0, (int)(sizeof unsupported / sizeof unsupported[0]));
    tcase_add_loop_test(tc, test_match, 0, (int)(sizeof matches / sizeof matches[0]));
    tcase_add_test(tc, test_host_too_long);
    tcase_add_test(tc, test_long_host_within_budget);
    tcase_add_loop_test(tc, test_many, 0, 2);
    tcase_add_loop_test(tc, test_simple_same_as_pcre2, 0,
                        (int)(sizeof simple_regexes / sizeof simple_regexes[0]));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(regex_suite());
}
