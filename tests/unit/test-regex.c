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

/*
 * The one-lookup path (docs/decisions.md "Regex origins": when every key has
 * as many labels and every regex has the simple form, a request looks up
 * one host suffix) and the general one, against PCRE2: each policy below is
 * built once as written and once with every regex forced through PCRE2 (a
 * top-level alternative that never matches takes away its key), and many
 * generated origins must get the same verdict and the same matched entry
 * (the first in allowOriginRegex order that matches). The keys' lengths
 * cross the 8-, 16- and 32-byte steps of the key hash and comparisons, and
 * the label parts cross the 8-byte steps of the '_' check.
 */
#define DIFF_MAX_REGEXES 48

struct diff_policy {
    const char *what;
    size_t count;
    char *regex[DIFF_MAX_REGEXES];
    char *key[DIFF_MAX_REGEXES];
};

static char *
diff_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    ck_assert_ptr_nonnull(c);
    memcpy(c, s, n);
    return c;
}

static void
diff_add(struct diff_policy *d, const char *head, const char *key, const char *tail)
{
    ck_assert_uint_lt(d->count, DIFF_MAX_REGEXES);
    char re[512], *o = re;
    o += sprintf(o, "%s", head);
    for (const char *c = key; *c; c++)
        o += sprintf(o, *c == '.' ? "\\." : "%c", *c);
    sprintf(o, "%s", tail);
    d->regex[d->count] = diff_strdup(re);
    d->key[d->count] = diff_strdup(key);
    d->count++;
}

/* A key of len bytes with dots after every `label` bytes (0: none). */
static void
make_key(char *out, size_t len, size_t label)
{
    for (size_t i = 0; i < len; i++)
        out[i] = label != 0 && i % (label + 1) == label ? '.' : (char)('a' + (i * 7 + len) % 26);
    out[len] = '\0';
    if (len > 0 && out[len - 1] == '.')
        out[len - 1] = 'z';
}

#define LABELS "([a-z0-9-]+\\.)*"
#define PORT   "(:[0-9]+)?"

static void
diff_policies(struct diff_policy *d, size_t *n)
{
    char key[64];
    size_t k = 0;
    /* the benchmark's shape: ten tenants, keys of two dots */
    d[k].what = "tenants";
    for (int t = 0; t < 10; t++) {
        snprintf(key, sizeof key, "tenant%d.example.com", t);
        diff_add(&d[k], "https://" LABELS, key, PORT);
    }
    k++;
    /* keys without a dot, 1..40 bytes (one lookup: the last label) */
    d[k].what = "lengths, no dot";
    for (size_t len = 1; len <= 40; len++) {
        make_key(key, len, 0);
        diff_add(&d[k], "https://" LABELS, key, PORT);
    }
    k++;
    /* keys of one dot, 3..42 bytes (one lookup: the last two labels) */
    d[k].what = "lengths, one dot";
    for (size_t len = 3; len <= 42; len++) {
        make_key(key, len - 2, 0);
        memcpy(key + len - 2, ".z", 3);
        diff_add(&d[k], "https://" LABELS, key, PORT);
    }
    k++;
    /* mixed label counts: every suffix depth up to the deepest key */
    d[k].what = "mixed label counts";
    diff_add(&d[k], "https://" LABELS, "a.b.c.example.com", "");
    diff_add(&d[k], "https://" LABELS, "example.com", PORT);
    diff_add(&d[k], "https://" LABELS, "com", ":8080");
    diff_add(&d[k], "https://" LABELS, "tenant9.example.com", "");
    diff_add(&d[k], "https://", "app.example.com", "");
    diff_add(&d[k], "http://" LABELS, "c.example.com", PORT);
    k++;
    /* one depth, other forms: schemes shorter and longer than 8 bytes (and
     * than 16: matched the long way), exact ports, (C+\.)+, label classes */
    d[k].what = "forms";
    diff_add(&d[k], "https://" LABELS, "abcdefg.example.com", "");
    diff_add(&d[k], "http://" LABELS, "abcdefg.example.com", PORT);
    diff_add(&d[k], "wss://([a-z]+\\.)+", "tenant9.example.com", "");
    diff_add(&d[k], "https://([a-z0-9_-]+\\.)*", "tenant8.example.com", ":8443");
    diff_add(&d[k], "https://([a-z_]+\\.)*", "tenant7.example.com", "");
    diff_add(&d[k], "chrome-extension://" LABELS, "tenant6.example.com", "");
    diff_add(&d[k], "https://", "tenant5.example.com", ":443");
    diff_add(&d[k], "https://" LABELS, "tenant9.example.com", "");
    k++;
    *n = k;
}

START_TEST(test_one_lookup_same_as_pcre2)
{
    struct diff_policy d[8];
    memset(d, 0, sizeof d);
    size_t np = 0;
    diff_policies(d, &np);
    struct diff_policy *dp = &d[_i];
    const char *direct[DIFF_MAX_REGEXES + 1], *forced[DIFF_MAX_REGEXES + 1];
    for (size_t r = 0; r < dp->count; r++) {
        direct[r] = dp->regex[r];
        char buf[600];
        snprintf(buf, sizeof buf, "%s|(?!)", dp->regex[r]);
        forced[r] = diff_strdup(buf);
    }
    direct[dp->count] = forced[dp->count] = NULL;
    struct cors_policy *a = spec_try_build(&(struct policy_spec){.regexes = direct}, 0, NULL, NULL);
    struct cors_policy *b = spec_try_build(&(struct policy_spec){.regexes = forced}, 0, NULL, NULL);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    static const char *const schemes[] = {"https://", "http://", "wss://", "chrome-extension://"};
    static const char *const labels[] = {
        "",          "a.",        "app.",
        "a_b.",      "_.",        "-.",
        "abcdefg_.", "abcdefgh.", "abcdefgh_.",
        "x.y.",      "a1.b2.",    "abcdefgh.ijklmno_.",
        "tenant9.",  "example.",  "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxy.",
    };
    static const char *const ports[] = {"", ":8080", ":8443", ":443"};
    size_t allowed = 0, total = 0;
    for (size_t r = 0; r < dp->count; r++) {
        const char *k = dp->key[r];
        size_t kl = strlen(k);
        /* the key, a byte more or less on either side, a trailing dot */
        char hosts[5][80];
        snprintf(hosts[0], sizeof hosts[0], "%s", k);
        snprintf(hosts[1], sizeof hosts[1], "x%s", k);
        snprintf(hosts[2], sizeof hosts[2], "%s", k + 1);
        snprintf(hosts[3], sizeof hosts[3], "%.*s", (int)(kl > 1 ? kl - 1 : kl), k);
        snprintf(hosts[4], sizeof hosts[4], "%s.", k);
        for (size_t s = 0; s < sizeof schemes / sizeof schemes[0]; s++)
            for (size_t l = 0; l < sizeof labels / sizeof labels[0]; l++)
                for (size_t h = 0; h < 5; h++)
                    for (size_t pt = 0; pt < sizeof ports / sizeof ports[0]; pt++) {
                        char origin[512];
                        snprintf(origin, sizeof origin, "%s%s%s%s", schemes[s], labels[l], hosts[h],
                                 ports[pt]);
                        struct eval ea, eb;
                        eval_spec(a, &(struct req_spec){.origin = origin}, &ea);
                        eval_spec(b, &(struct req_spec){.origin = origin}, &eb);
                        ck_assert_msg(ea.r.allowed == eb.r.allowed && ea.r.reason == eb.r.reason &&
                                          ea.r.matched_index == eb.r.matched_index,
                                      "%s: %s: direct %d (%s, entry %zu), PCRE2 %d (%s, entry %zu)",
                                      dp->what, origin, ea.r.allowed, cors_reason_name(ea.r.reason),
                                      ea.r.matched_index, eb.r.allowed,
                                      cors_reason_name(eb.r.reason), eb.r.matched_index);
                        allowed += ea.r.allowed;
                        total++;
                    }
    }
    /* the generated origins exercise both verdicts */
    ck_assert_uint_gt(allowed, dp->count);
    ck_assert_uint_lt(allowed, total);
    cors_policy_unref(a);
    cors_policy_unref(b);
    for (size_t p = 0; p < np; p++)
        for (size_t r = 0; r < d[p].count; r++) {
            free(d[p].regex[r]);
            free(d[p].key[r]);
        }
    for (size_t r = 0; r < dp->count; r++)
        free((char *)forced[r]);
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
    tcase_add_loop_test(tc, test_one_lookup_same_as_pcre2, 0, 5);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(regex_suite());
}
