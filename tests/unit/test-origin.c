/*
 * Origin parsing and matching (docs/semantics.md §3.2-§3.4, docs/decisions.md
 * "Origins", "Regex origins"): canonical forms, normalisation of configured
 * patterns, byte-exact request matching, malformed / multiple / too long
 * request origins, null, subdomain / scheme / port wildcards, regexes
 * (anchored, limited).
 *
 * SPDX-License-Identifier: MIT
 */
#include "test-common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TEST_HAVE_IDN
#define TEST_HAVE_IDN 0
#endif

/* An actual GET with this Origin: allowed (ACAO echoes it) or not, for reason. */
static void
expect_origin(const struct cors_policy *p, const char *origin, enum cors_reason reason)
{
    struct eval e;
    eval_spec(p, &(struct req_spec){ .method = "GET", .origin = origin }, &e);
    ck_assert_msg(e.r.reason == reason, "Origin '%s': reason %s, expected %s", origin,
                  cors_reason_name(e.r.reason), cors_reason_name(reason));
    if (reason == CORS_REASON_ALLOWED) {
        ck_assert_msg(e.r.allowed, "Origin '%s' must be allowed", origin);
        assert_header(&e, H_ACAO, origin);
    } else {
        ck_assert_msg(!e.r.allowed, "Origin '%s' must not be allowed", origin);
        assert_header(&e, H_ACAO, NULL);
        assert_only_vary(&e);
    }
    ck_assert(e.r.call_handler);
}

#define ALLOWED(p, o) expect_origin((p), (o), CORS_REASON_ALLOWED)
#define DENIED(p, o) expect_origin((p), (o), CORS_REASON_ORIGIN_NOT_ALLOWED)
#define MALFORMED(p, o) expect_origin((p), (o), CORS_REASON_ORIGIN_MALFORMED)

static struct cors_policy *
policy_of(const char *const *origins)
{
    return spec_build(&(struct policy_spec){ .origins = origins });
}

START_TEST(test_exact)
{
    struct cors_policy *p = policy_of(LIST("https://example.com", "http://localhost:8080"));
    ALLOWED(p, "https://example.com");
    ALLOWED(p, "http://localhost:8080");
    DENIED(p, "http://example.com");        /* scheme differs */
    DENIED(p, "https://example.com:8443");  /* port differs */
    DENIED(p, "https://www.example.com");   /* subdomain */
    DENIED(p, "https://example.co");
    DENIED(p, "https://example.com.");      /* a distinct host */
    DENIED(p, "https://example.comm");
    DENIED(p, "http://localhost");
    DENIED(p, "http://localhost:8081");
    DENIED(p, "https://localhost:8080");
    cors_policy_unref(p);
}
END_TEST

/* Configured patterns are normalised: lower-case scheme and host, default
 * port dropped. */
START_TEST(test_config_normalised)
{
    struct cors_policy *p = policy_of(LIST("HTTPS://Example.COM:443", "http://Foo.Example:80",
                                           "http://bar.example:443", "https://baz.example:80",
                                           "WSS://Socket.Example:443", "ws://ws.example:80"));
    ALLOWED(p, "https://example.com");
    ALLOWED(p, "http://foo.example");
    ALLOWED(p, "http://bar.example:443"); /* 443 is not http's default */
    ALLOWED(p, "https://baz.example:80");
    ALLOWED(p, "wss://socket.example");
    ALLOWED(p, "ws://ws.example");
    /* requests must be canonical themselves */
    MALFORMED(p, "https://Example.com");
    MALFORMED(p, "https://example.com:443");
    MALFORMED(p, "HTTPS://example.com");
    MALFORMED(p, "http://foo.example:80");
    DENIED(p, "http://bar.example");
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_other_schemes)
{
    struct cors_policy *p = policy_of(LIST("chrome-extension://abcdefghijklmnop",
                                           "tauri://localhost", "app://x.example:443"));
    ALLOWED(p, "chrome-extension://abcdefghijklmnop");
    ALLOWED(p, "tauri://localhost");
    ALLOWED(p, "app://x.example:443"); /* no default port for other schemes */
    DENIED(p, "app://x.example");
    DENIED(p, "chrome-extension://abcdefghijklmnoq");
    DENIED(p, "moz-extension://abcdefghijklmnop");
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_ip_literals)
{
    struct cors_policy *p = policy_of(LIST("https://[::1]:8443", "http://127.0.0.1:8080",
                                           "http://[2001:db8::1]", "https://10.0.0.1"));
    ALLOWED(p, "https://[::1]:8443");
    ALLOWED(p, "http://127.0.0.1:8080");
    ALLOWED(p, "http://[2001:db8::1]");
    ALLOWED(p, "https://10.0.0.1");
    DENIED(p, "https://[::1]");
    DENIED(p, "https://[::2]:8443");
    DENIED(p, "http://127.0.0.1");
    MALFORMED(p, "https://[0:0:0:0:0:0:0:1]:8443"); /* not compressed */
    MALFORMED(p, "http://[2001:DB8::1]");           /* not lower case */
    MALFORMED(p, "http://127.000.000.001:8080");   /* leading zeros */
    MALFORMED(p, "http://127.0.0.01:8080");
    MALFORMED(p, "https://[::1");
    MALFORMED(p, "https://::1");
    cors_policy_unref(p);
}
END_TEST

/* A request Origin that is not a canonical serialized origin is never
 * allowed: reason origin-malformed. */
static const char *const malformed_requests[] = {
    "https://example.com/", "https://example.com/path", "https://user@example.com",
    "https://user:pw@example.com", "example.com", "", "https://", "https://example.com:",
    "https://example.com:0", "https://example.com:65536", "https://example.com:080",
    "https://example.com:443", "https://exa mple.com", "https://a..example.com",
    "https://.example.com", "https://example.com?", "https://example.com?a=b",
    "https://example.com#", "HTTPS://example.com", "https://EXAMPLE.com", " https://example.com",
    "https://example.com ", "https://example.com\r\n", "https://b\xc3\xbc" "cher.example",
    "null ", "Null", "NULL", "*", "https://*.example.com", "https://example.com, https://a.com",
    "https//example.com", "https:example.com", "://example.com", "1http://example.com",
    "https://example.com:8443:8443", "https://ex%41mple.com", "https://example.com\\",
    "https://[::1]x", "https://\x01" "example.com",
};

START_TEST(test_malformed_request_origin)
{
    struct cors_policy *p = policy_of(LIST("https://example.com", "https://*.example.com",
                                           "null"));
    MALFORMED(p, malformed_requests[_i]);
    cors_policy_unref(p);
}
END_TEST

/* The scheme's first 8 bytes are compared as one word against "https://" and
 * "http://" (lib/origin.c); a byte changed anywhere in them must take the same
 * path as the byte-by-byte parser, on little- and big-endian hosts alike (a
 * mask built for the wrong byte order once let "Http://" and "1ttp://" through
 * under "*"). A scheme is a letter then letters, digits, '+', '-', '.'
 * (RFC 3986 §3.1), lower case in a serialized origin (RFC 6454 §6.1). Each
 * case: the request Origin, its reason under an exact list, under "*" (with
 * and without credentials: same verdict). */
static const struct {
    const char *origin;
    enum cors_reason exact, any;
} scheme_prefix_cases[] = {
    { "http://x.example", CORS_REASON_ALLOWED, CORS_REASON_ALLOWED }, /* the fast paths */
    { "https://x.example", CORS_REASON_ALLOWED, CORS_REASON_ALLOWED },
    { "xttp://x.example", CORS_REASON_ALLOWED, CORS_REASON_ALLOWED }, /* another scheme, configured */
    { "attp://x.example", CORS_REASON_ORIGIN_NOT_ALLOWED, CORS_REASON_ALLOWED },
    { "httpx://x.example", CORS_REASON_ORIGIN_NOT_ALLOWED, CORS_REASON_ALLOWED },
    { "http://y.example", CORS_REASON_ORIGIN_NOT_ALLOWED, CORS_REASON_ALLOWED },
    { "https://y.example", CORS_REASON_ORIGIN_NOT_ALLOWED, CORS_REASON_ALLOWED },
    { "Http://x.example", CORS_REASON_ORIGIN_MALFORMED, CORS_REASON_ORIGIN_MALFORMED }, /* upper case */
    { "hTtp://x.example", CORS_REASON_ORIGIN_MALFORMED, CORS_REASON_ORIGIN_MALFORMED },
    { "htTp://x.example", CORS_REASON_ORIGIN_MALFORMED, CORS_REASON_ORIGIN_MALFORMED },
    { "httP://x.example", CORS_REASON_ORIGIN_MALFORMED, CORS_REASON_ORIGIN_MALFORMED },
    { "Https://x.example", CORS_REASON_ORIGIN_MALFORMED, CORS_REASON_ORIGIN_MALFORMED },
    { "httpS://x.example", CORS_REASON_ORIGIN_MALFORMED, CORS_REASON_ORIGIN_MALFORMED },
    { "1ttp://x.example", CORS_REASON_ORIGIN_MALFORMED, CORS_REASON_ORIGIN_MALFORMED }, /* not a letter first */
    { "1ttps://x.example", CORS_REASON_ORIGIN_MALFORMED, CORS_REASON_ORIGIN_MALFORMED },
    { "http;//x.example", CORS_REASON_ORIGIN_MALFORMED, CORS_REASON_ORIGIN_MALFORMED }, /* not "://" */
    { "http:/x.example", CORS_REASON_ORIGIN_MALFORMED, CORS_REASON_ORIGIN_MALFORMED },
    { "http:/\\x.example", CORS_REASON_ORIGIN_MALFORMED, CORS_REASON_ORIGIN_MALFORMED },
    { "https:/x.example", CORS_REASON_ORIGIN_MALFORMED, CORS_REASON_ORIGIN_MALFORMED },
    { "https:///x.example", CORS_REASON_ORIGIN_MALFORMED, CORS_REASON_ORIGIN_MALFORMED }, /* no host */
    { "http://", CORS_REASON_ORIGIN_MALFORMED, CORS_REASON_ORIGIN_MALFORMED },
    { "https://", CORS_REASON_ORIGIN_MALFORMED, CORS_REASON_ORIGIN_MALFORMED },
};

START_TEST(test_scheme_prefix)
{
    const char *origin = scheme_prefix_cases[_i].origin;
    struct {
        struct cors_policy *p;
        enum cors_reason want;
        const char *acao; /* ACAO when not allowed; when allowed: the policy's echo */
        const char *allowed_acao;
    } pol[3] = {
        { policy_of(LIST("http://x.example", "https://x.example", "xttp://x.example")),
          scheme_prefix_cases[_i].exact, NULL, origin },
        /* public: the headers are the same for everyone, "*" */
        { policy_of(LIST("*")), scheme_prefix_cases[_i].any, "*", "*" },
        /* credentialed "*" echoes allowed origins and nothing else */
        { spec_build(&(struct policy_spec){ .origins = LIST("*"), .credentials = true }),
          scheme_prefix_cases[_i].any, NULL, origin },
    };
    for (int k = 0; k < 3; k++) {
        struct eval e;
        eval_spec(pol[k].p, &(struct req_spec){ .method = "GET", .origin = origin }, &e);
        ck_assert_msg(e.r.reason == pol[k].want, "Origin '%s', policy %d: reason %s, expected %s",
                      origin, k, cors_reason_name(e.r.reason), cors_reason_name(pol[k].want));
        bool allowed = pol[k].want == CORS_REASON_ALLOWED;
        ck_assert_msg(e.r.allowed == allowed, "Origin '%s', policy %d: allowed %d", origin, k,
                      (int)e.r.allowed);
        assert_header(&e, H_ACAO, allowed ? pol[k].allowed_acao : pol[k].acao);
        cors_policy_unref(pol[k].p);
    }
}
END_TEST

START_TEST(test_embedded_nul)
{
    struct cors_policy *p = policy_of(LIST("https://example.com"));
    static const char bytes[] = "https://example.com\0.evil.test";
    struct cors_str o = { bytes, sizeof bytes - 1 };
    struct eval e;
    memset(&e, 0, sizeof e);
    e.req.method = CORS_STR("GET");
    e.req.origins = &o;
    e.req.origin_count = 1;
    eval_request(p, &e);
    ck_assert(!e.r.allowed);
    ck_assert_int_eq(e.r.reason, CORS_REASON_ORIGIN_MALFORMED);
    assert_only_vary(&e);
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_multiple_origins)
{
    struct cors_policy *p = policy_of(LIST("https://a.example", "https://b.example"));
    struct eval e;
    eval_spec(p, &(struct req_spec){ .origins = LIST("https://a.example", "https://b.example") },
              &e);
    ck_assert(!e.r.allowed);
    ck_assert_int_eq(e.r.reason, CORS_REASON_ORIGIN_MULTIPLE);
    assert_header(&e, H_ACAO, NULL);
    eval_spec(p, &(struct req_spec){ .origins = LIST("https://a.example", "https://a.example") },
              &e);
    ck_assert_int_eq(e.r.reason, CORS_REASON_ORIGIN_MULTIPLE);
    /* also for preflights */
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .acrm = "GET",
                                     .origins = LIST("https://a.example", "https://b.example") },
              &e);
    ck_assert_int_eq(e.r.reason, CORS_REASON_ORIGIN_MULTIPLE);
    ck_assert(!e.r.call_handler);
    ck_assert_int_eq(e.r.status, 403);
    assert_only_vary(&e);
    /* a public policy still rejects it as a verdict */
    struct cors_policy *pub = policy_of(LIST("*"));
    eval_spec(pub, &(struct req_spec){ .origins = LIST("https://a.example", "https://b.example") },
              &e);
    ck_assert(!e.r.allowed);
    ck_assert_int_eq(e.r.reason, CORS_REASON_ORIGIN_MULTIPLE);
    cors_policy_unref(pub);
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_too_long)
{
    /* a host of n bytes: "https://" + 'a'... + ".example" */
    size_t total = CORS_ORIGIN_MAX + 1;
    char *o = malloc(total + 1);
    memcpy(o, "https://", 8);
    memset(o + 8, 'a', total - 8 - 8);
    memcpy(o + total - 8, ".example", 8);
    o[total] = '\0';
    ck_assert_uint_eq(strlen(o), CORS_ORIGIN_MAX + 1);
    struct cors_policy *p = policy_of(LIST("https://*.example"));
    struct eval e;
    eval_spec(p, &(struct req_spec){ .origin = o }, &e);
    ck_assert(!e.r.allowed);
    ck_assert_int_eq(e.r.reason, CORS_REASON_ORIGIN_TOO_LONG);
    assert_only_vary(&e);
    /* at exactly CORS_ORIGIN_MAX bytes it is not "too long" */
    memcpy(o + 1, "https://", 8);
    eval_spec(p, &(struct req_spec){ .origin = o + 1 }, &e);
    ck_assert_int_ne(e.r.reason, CORS_REASON_ORIGIN_TOO_LONG);
    /* a huge value is rejected the same way, on a preflight too */
    size_t big = 1 << 20;
    char *h = malloc(big + 1);
    memset(h, 'x', big);
    h[big] = '\0';
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .acrm = "GET", .origin = h }, &e);
    ck_assert_int_eq(e.r.reason, CORS_REASON_ORIGIN_TOO_LONG);
    ck_assert(!e.r.call_handler);
    assert_only_vary(&e);
    free(h);
    free(o);
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_null_origin)
{
    struct eval e;
    /* only an explicit "null" entry matches it */
    struct cors_policy *p = policy_of(LIST("https://a.example"));
    DENIED(p, "null");
    cors_policy_unref(p);
    p = policy_of(LIST("https://a.example", "null"));
    ALLOWED(p, "null");
    cors_policy_unref(p);
    /* wildcards and regexes never match it */
    p = spec_build(&(struct policy_spec){ .origins = LIST("https://*", "http://*:*",
                                                          "https://*.example.com") });
    DENIED(p, "null");
    cors_policy_unref(p);
    p = spec_build(&(struct policy_spec){ .regexes = LIST("https?://[a-z.]+") });
    DENIED(p, "null");
    cors_policy_unref(p);
    /* a credentialed '*' does not echo it */
    p = spec_build(&(struct policy_spec){ .origins = LIST("*"), .credentials = true });
    DENIED(p, "null");
    ALLOWED(p, "https://anything.example");
    cors_policy_unref(p);
    /* '*' without credentials answers it with the literal '*' */
    p = policy_of(LIST("*"));
    eval_spec(p, &(struct req_spec){ .origin = "null" }, &e);
    assert_header(&e, H_ACAO, "*");
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_subdomain_wildcard)
{
    struct cors_policy *p = policy_of(LIST("https://*.example.com"));
    ALLOWED(p, "https://a.example.com");
    ALLOWED(p, "https://www.example.com");
    ALLOWED(p, "https://a.b.c.example.com"); /* one or more labels */
    ALLOWED(p, "https://x-y.example.com");
    DENIED(p, "https://example.com");        /* never the apex */
    DENIED(p, "https://evilexample.com");
    DENIED(p, "https://a.evilexample.com");
    DENIED(p, "https://a.example.com.evil.test");
    DENIED(p, "https://a.example.com.");
    DENIED(p, "https://a.example.co");
    DENIED(p, "http://a.example.com");
    DENIED(p, "https://a.example.com:8443");
    DENIED(p, "wss://a.example.com");
    MALFORMED(p, "https://.example.com");
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_any_host)
{
    struct cors_policy *p = policy_of(LIST("https://*"));
    ALLOWED(p, "https://a.example");
    ALLOWED(p, "https://localhost");
    ALLOWED(p, "https://[::1]");
    ALLOWED(p, "https://10.1.2.3");
    DENIED(p, "https://a.example:8443");
    DENIED(p, "http://a.example");
    DENIED(p, "null");
    cors_policy_unref(p);
    p = policy_of(LIST("https://*:*"));
    ALLOWED(p, "https://a.example");
    ALLOWED(p, "https://a.example:8443");
    DENIED(p, "http://a.example:8443");
    cors_policy_unref(p);
    p = policy_of(LIST("http://*:8080"));
    ALLOWED(p, "http://a.example:8080");
    DENIED(p, "http://a.example");
    DENIED(p, "http://a.example:8081");
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_port_wildcard)
{
    struct cors_policy *p = policy_of(LIST("http://localhost:*"));
    ALLOWED(p, "http://localhost");       /* implicit default included */
    ALLOWED(p, "http://localhost:3000");
    ALLOWED(p, "http://localhost:65535");
    ALLOWED(p, "http://localhost:1");
    DENIED(p, "https://localhost:3000");
    DENIED(p, "http://localhost.evil.test:3000");
    DENIED(p, "http://a.localhost:3000");
    DENIED(p, "http://127.0.0.1:3000");
    MALFORMED(p, "http://localhost:65536");
    MALFORMED(p, "http://localhost:03000");
    cors_policy_unref(p);

    p = policy_of(LIST("https://*.example.com:*"));
    ALLOWED(p, "https://a.example.com");
    ALLOWED(p, "https://a.example.com:8443");
    ALLOWED(p, "https://a.b.example.com:1234");
    DENIED(p, "https://example.com:8443");
    DENIED(p, "http://a.example.com:8443");
    cors_policy_unref(p);

    p = policy_of(LIST("https://*.example.com:8443"));
    ALLOWED(p, "https://a.example.com:8443");
    DENIED(p, "https://a.example.com");
    DENIED(p, "https://a.example.com:8444");
    cors_policy_unref(p);
}
END_TEST

/* decisions.md: wildcards are allowed for any scheme. */
START_TEST(test_wildcards_other_schemes)
{
    struct cors_policy *p = policy_of(LIST("wss://*.example.com", "app://*",
                                           "chrome-extension://*"));
    ALLOWED(p, "wss://a.example.com");
    DENIED(p, "ws://a.example.com");
    DENIED(p, "wss://example.com");
    ALLOWED(p, "app://anything");
    DENIED(p, "app://anything:8080");
    ALLOWED(p, "chrome-extension://abcdefghijklmnop");
    DENIED(p, "moz-extension://abcdefghijklmnop");
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_trailing_dot)
{
    struct cors_policy *p = policy_of(LIST("https://example.com."));
    ALLOWED(p, "https://example.com.");
    DENIED(p, "https://example.com");
    MALFORMED(p, "https://example.com..");
    cors_policy_unref(p);
}
END_TEST

/* Several kinds together: exact, wildcard and regex are all consulted. */
START_TEST(test_mixed_kinds)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){
        .origins = LIST("https://exact.example", "https://*.wild.example", "http://localhost:*"),
        .regexes = LIST("https://pr-[0-9]+\\.preview\\.example") });
    ALLOWED(p, "https://exact.example");
    ALLOWED(p, "https://a.wild.example");
    ALLOWED(p, "http://localhost:5173");
    ALLOWED(p, "https://pr-17.preview.example");
    DENIED(p, "https://pr-x.preview.example");
    DENIED(p, "https://wild.example");
    DENIED(p, "https://exact.example:444");
    cors_policy_unref(p);
}
END_TEST

/* Many configured origins: every one matches, near misses do not. */
START_TEST(test_many_origins)
{
    enum { N = 300 };
    static char names[N][64];
    static const char *list[2 * N + 1];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "https://host%d.example", i);
        list[i] = names[i];
    }
    static char wild[N][64];
    for (int i = 0; i < N; i++) {
        snprintf(wild[i], sizeof wild[i], "https://*.zone%d.example", i);
        list[N + i] = wild[i];
    }
    list[2 * N] = NULL;
    struct cors_policy *p = policy_of(list);
    char buf[96];
    for (int i = 0; i < N; i++) {
        ALLOWED(p, names[i]);
        snprintf(buf, sizeof buf, "https://a.zone%d.example", i);
        ALLOWED(p, buf);
        snprintf(buf, sizeof buf, "https://host%d.example.evil", i);
        DENIED(p, buf);
        snprintf(buf, sizeof buf, "https://zone%d.example", i);
        DENIED(p, buf);
    }
    DENIED(p, "https://host300.example");
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_regex_full_match)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){
        .regexes = LIST("https://[a-z]+\\.example\\.com", "https://a\\.test|https://b\\.test") });
    ALLOWED(p, "https://app.example.com");
    DENIED(p, "https://app.example.com.evil.test"); /* end anchored */
    DENIED(p, "https://app.example.comx");
    DENIED(p, "https://a.b.example.com");
    DENIED(p, "http://app.example.com");
    ALLOWED(p, "https://a.test");
    ALLOWED(p, "https://b.test");
    DENIED(p, "https://b.test.evil.test"); /* the alternation is anchored as a whole */
    DENIED(p, "https://evil.a.test");
    cors_policy_unref(p);

    /* start anchored: a pattern without the scheme matches nothing */
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    p = spec_try_build(&(struct policy_spec){ .regexes = LIST("app\\.example\\.com") }, 0, d, NULL);
    ck_assert_ptr_nonnull(p);
    DENIED(p, "https://app.example.com");
    cors_policy_unref(p);
    cors_diagnostics_free(d);

    /* the regex sees the origin as sent (ports included) */
    p = spec_build(&(struct policy_spec){
        .regexes = LIST("https://app\\.example\\.com(:[0-9]+)?") });
    ALLOWED(p, "https://app.example.com");
    ALLOWED(p, "https://app.example.com:8443");
    MALFORMED(p, "https://app.example.com:443"); /* parsed before regexes */
    MALFORMED(p, "https://APP.example.com");
    cors_policy_unref(p);
}
END_TEST

/* decisions.md: a match that hits PCRE2's match limit is "not allowed" with
 * reason origin-regex-limit, with and without JIT. */
START_TEST(test_regex_limit)
{
    static const unsigned flags[] = { 0, CORS_BUILD_NO_JIT };
    for (size_t f = 0; f < 2; f++) {
        struct cors_diagnostics *d = cors_diagnostics_new(NULL);
        char buf[4096];
        struct cors_policy *p = spec_try_build(
            &(struct policy_spec){ .origins = LIST("https://ok.example"),
                                   .regexes = LIST("https://(a+)+[b-z]") },
            flags[f], d, NULL);
        ck_assert_msg(p != NULL, "%s", diag_dump(d, buf, sizeof buf));
        /* 2^40 ways to split the a's: only the limit stops it */
        expect_origin(p, "https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                      CORS_REASON_ORIGIN_REGEX_LIMIT);
        ALLOWED(p, "https://aab");
        ALLOWED(p, "https://ok.example");
        struct eval e;
        eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .acrm = "GET",
                                         .origin = "https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
                  &e);
        ck_assert_int_eq(e.r.reason, CORS_REASON_ORIGIN_REGEX_LIMIT);
        ck_assert(!e.r.allowed);
        ck_assert(!e.r.call_handler);
        assert_only_vary(&e);
        cors_policy_unref(p);
        cors_diagnostics_free(d);
    }
}
END_TEST

START_TEST(test_idn_origin)
{
    if (!TEST_HAVE_IDN)
        return; /* covered by the builder suite: origin-not-ascii */
    struct cors_policy *p = policy_of(LIST("https://b\xc3\xbc" "cher.example",
                                           "https://*.m\xc3\xbcnchen.example"));
    ALLOWED(p, "https://xn--bcher-kva.example");
    ALLOWED(p, "https://a.xn--mnchen-3ya.example");
    MALFORMED(p, "https://b\xc3\xbc" "cher.example"); /* browsers send punycode */
    cors_policy_unref(p);
}
END_TEST

/* The echoed ACAO is the request's bytes, not a stored copy that could
 * differ (and a rejected origin never gets another origin's value). */
START_TEST(test_echo_is_request_bytes)
{
    struct cors_policy *p = policy_of(LIST("https://a.example", "https://*.b.example"));
    struct eval e;
    eval_spec(p, &(struct req_spec){ .origin = "https://x.y.b.example" }, &e);
    const struct cors_header *h = find_header(&e, H_ACAO);
    ck_assert_ptr_nonnull(h);
    ck_assert_uint_eq(h->value.len, strlen("https://x.y.b.example"));
    ck_assert_int_eq(memcmp(h->value.ptr, "https://x.y.b.example", h->value.len), 0);
    eval_spec(p, &(struct req_spec){ .origin = "https://c.example" }, &e);
    assert_header(&e, H_ACAO, NULL);
    cors_policy_unref(p);
}
END_TEST

/* Differential test: random origins over a small alphabet, compared with a
 * direct reading of the rules (docs/semantics.md §3, decisions.md "Origins"). */
static uint32_t rng_state = 12345;

static uint32_t
rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

static bool
ends_with_label_suffix(const char *host, const char *suffix)
{
    size_t h = strlen(host), n = strlen(suffix);
    /* at least one whole label before ".suffix" */
    return h > n + 1 && strcmp(host + h - n, suffix) == 0 && host[h - n - 1] == '.';
}

START_TEST(test_differential_matching)
{
    struct cors_policy *p = policy_of(LIST("https://a.example.com", "http://b.example.com:8080",
                                           "https://*.b.example.com", "http://*.example.com:*",
                                           "https://*:8443"));
    static const char *const schemes[] = { "http", "https", "wss" };
    static const char *const labels[] = { "a", "b", "example", "com", "x" };
    static const char *const ports[] = { "", "80", "443", "8080", "8443" };
    for (int iter = 0; iter < 5000; iter++) {
        const char *scheme = schemes[rng() % 3];
        const char *port = ports[rng() % 5];
        char host[128] = "";
        int nlabels = 1 + (int)(rng() % 4);
        for (int l = 0; l < nlabels; l++) {
            if (l > 0)
                strcat(host, ".");
            strcat(host, labels[rng() % 5]);
        }
        char origin[256];
        snprintf(origin, sizeof origin, "%s://%s%s%s", scheme, host, *port ? ":" : "", port);

        bool is_http = strcmp(scheme, "http") == 0;
        bool is_https = strcmp(scheme, "https") == 0;
        bool is_wss = strcmp(scheme, "wss") == 0;
        enum cors_reason want;
        if ((is_http && strcmp(port, "80") == 0) ||
            ((is_https || is_wss) && strcmp(port, "443") == 0)) {
            want = CORS_REASON_ORIGIN_MALFORMED; /* explicit default port */
        } else {
            bool match = strcmp(origin, "https://a.example.com") == 0 ||
                         strcmp(origin, "http://b.example.com:8080") == 0 ||
                         (is_https && *port == '\0' &&
                          ends_with_label_suffix(host, "b.example.com")) ||
                         (is_http && ends_with_label_suffix(host, "example.com")) ||
                         (is_https && strcmp(port, "8443") == 0);
            want = match ? CORS_REASON_ALLOWED : CORS_REASON_ORIGIN_NOT_ALLOWED;
        }
        expect_origin(p, origin, want);
    }
    cors_policy_unref(p);
}
END_TEST

/*
 * A policy of exact origins alone tells a valid origin it misses from a
 * malformed one without parsing it when it can (lib/origin.c
 * corsp_origin_surely_valid()); a policy with an origin predicate always
 * parses (the predicate is only asked about valid origins). Both must give
 * the same reason for every value: the table holds the values where a quick
 * check could go wrong, each with the reason the canonical-origin rule
 * (docs/semantics.md §3.2, WHATWG URL origin serialization) gives.
 */
static int predicate_calls;

static bool
predicate_never(void *data, struct cors_str origin)
{
    (void)data;
    (void)origin;
    predicate_calls++;
    return false;
}

/* The exact-only policy and the same with a predicate that refuses all. */
static void
quick_check_policies(struct cors_policy **exact_only, struct cors_policy **parsing)
{
    const struct policy_spec spec = {.origins = LIST("https://example.com")};
    *exact_only = spec_build(&spec);
    struct cors_policy_builder *b = spec_builder(&spec, NULL);
    ck_assert_int_eq(cors_policy_builder_set_origin_predicate(b, predicate_never, NULL), CORS_OK);
    *parsing = cors_policy_build(b, 0, NULL, NULL);
    ck_assert_ptr_nonnull(*parsing);
    cors_policy_builder_free(b);
}

/* Both policies give `want` for origin (a C string). */
static void
expect_both(const struct cors_policy *exact_only, const struct cors_policy *parsing,
            const char *origin, enum cors_reason want)
{
    struct eval e;
    eval_spec(exact_only, &(struct req_spec){.method = "GET", .origin = origin}, &e);
    enum cors_reason quick = e.r.reason;
    int before = predicate_calls;
    eval_spec(parsing, &(struct req_spec){.method = "GET", .origin = origin}, &e);
    ck_assert_msg(quick == e.r.reason, "Origin '%s': %s with exact origins only, %s when parsed",
                  origin, cors_reason_name(quick), cors_reason_name(e.r.reason));
    /* the predicate is asked exactly when the parser found the origin valid
     * (and not "null") */
    ck_assert_int_eq(predicate_calls - before,
                     e.r.reason == CORS_REASON_ORIGIN_NOT_ALLOWED && strcmp(origin, "null") != 0);
    ck_assert_msg(quick == want, "Origin '%s': %s, expected %s", origin, cors_reason_name(quick),
                  cors_reason_name(want));
}

#define X_63 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk"
#define X_64 X_63 "l"

static const struct {
    const char *origin;
    enum cors_reason reason;
} quick_table[] = {
    /* plain domains, around the 16-byte steps of the check */
    {"https://a", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"http://a", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"https://a.b", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"https://evil.example", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"https://abcdefghijklmnop", CORS_REASON_ORIGIN_NOT_ALLOWED},  /* host of 16 */
    {"https://abcdefghijklmnopq", CORS_REASON_ORIGIN_NOT_ALLOWED}, /* 17 */
    {"https://abcdefghijklmno.", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"https://abcdefghijklmnop.q", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"https://abcdefghijklmnop..q", CORS_REASON_ORIGIN_MALFORMED}, /* empty label at a step */
    {"https://abcdefghijklmno..q", CORS_REASON_ORIGIN_MALFORMED},
    {"https://abcdefghijklmnopqrstuvwxyzabcdef.", CORS_REASON_ORIGIN_NOT_ALLOWED},
    /* labels: empty, trailing dot (a distinct host, still valid), '_' and '-' */
    {"https://example.com.", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"https://example.com..", CORS_REASON_ORIGIN_MALFORMED},
    {"https://.example.com", CORS_REASON_ORIGIN_MALFORMED},
    {"https://.", CORS_REASON_ORIGIN_MALFORMED},
    {"https://a..b", CORS_REASON_ORIGIN_MALFORMED},
    {"https://", CORS_REASON_ORIGIN_MALFORMED},
    {"http://", CORS_REASON_ORIGIN_MALFORMED},
    {"https://_dmarc.example.com", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"https://-a-.example.com", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"https://xn--bcher-kva.example", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"https://xn--f.example", CORS_REASON_ORIGIN_NOT_ALLOWED}, /* never sent, but well formed */
    /* DNS's limits are not the request parser's (such hosts just never match) */
    {"https://" X_63 ".example", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"https://" X_64 ".example", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"https://" X_63 "." X_63 "." X_63 "." X_63 "a", CORS_REASON_ORIGIN_NOT_ALLOWED},  /* 253 */
    {"https://" X_63 "." X_63 "." X_63 "." X_63 "ab", CORS_REASON_ORIGIN_NOT_ALLOWED}, /* 254 */
    {"https://" X_63 "." X_63 "..." X_63, CORS_REASON_ORIGIN_MALFORMED},
    /* hosts ending in a number are IPv4 addresses (WHATWG URL host parser) */
    {"https://1password.com", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"https://a.1b", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"https://a.0x", CORS_REASON_ORIGIN_MALFORMED},
    {"https://a.0xg", CORS_REASON_ORIGIN_MALFORMED},
    {"https://example.123", CORS_REASON_ORIGIN_MALFORMED},
    {"https://example.123.", CORS_REASON_ORIGIN_MALFORMED},
    {"https://10.0.0.1", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"https://10.0.0.01", CORS_REASON_ORIGIN_MALFORMED},
    {"https://10.0.0.256", CORS_REASON_ORIGIN_MALFORMED},
    {"https://255.255.255.255", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"https://[::1]", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"https://[0::1]", CORS_REASON_ORIGIN_MALFORMED},
    {"https://[::ffff:10.0.0.1]", CORS_REASON_ORIGIN_MALFORMED}, /* serialized in hex */
    {"https://[::ffff:a00:1]", CORS_REASON_ORIGIN_NOT_ALLOWED},
    /* ports: 1..65535, no leading zero, never the scheme's default */
    {"https://example.org:1", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"https://example.org:0", CORS_REASON_ORIGIN_MALFORMED},
    {"https://example.org:65535", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"https://example.org:65536", CORS_REASON_ORIGIN_MALFORMED},
    {"https://example.org:08080", CORS_REASON_ORIGIN_MALFORMED},
    {"https://example.org:443", CORS_REASON_ORIGIN_MALFORMED},
    {"http://example.org:443", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"http://example.org:80", CORS_REASON_ORIGIN_MALFORMED},
    {"https://example.org:", CORS_REASON_ORIGIN_MALFORMED},
    /* case, other bytes, other schemes, "null" */
    {"https://Example.org", CORS_REASON_ORIGIN_MALFORMED},
    {"HTTPS://example.org", CORS_REASON_ORIGIN_MALFORMED},
    {"https://exa mple.org", CORS_REASON_ORIGIN_MALFORMED},
    {"https://example.org/", CORS_REASON_ORIGIN_MALFORMED},
    {"https://ex~ample.org", CORS_REASON_ORIGIN_MALFORMED},
    {"https://ex\x7f"
     "ample.org",
     CORS_REASON_ORIGIN_MALFORMED},
    {"https://ex\xc3\xa4mple.org", CORS_REASON_ORIGIN_MALFORMED},
    {"https://exa*mple.org", CORS_REASON_ORIGIN_MALFORMED},
    {"https:/example.org", CORS_REASON_ORIGIN_MALFORMED},
    {"httpx://example.org", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"wss://example.org", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"chrome-extension://abcdefghijklmnop", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"null", CORS_REASON_ORIGIN_NOT_ALLOWED},
    {"Null", CORS_REASON_ORIGIN_MALFORMED},
};

START_TEST(test_quick_validity_table)
{
    struct cors_policy *exact_only, *parsing;
    quick_check_policies(&exact_only, &parsing);
    expect_both(exact_only, parsing, quick_table[_i].origin, quick_table[_i].reason);
    cors_policy_unref(exact_only);
    cors_policy_unref(parsing);
}
END_TEST

/* Random values from the bytes that matter to the check, of every length
 * up to 3 steps of 16 bytes, after each prefix: both policies agree. */
START_TEST(test_quick_validity_random)
{
    static const char *const prefixes[] = {"https://", "http://", "https:/", "wss://", ""};
    static const char bytes[] = "abz09-_..:[]A/\x80 xn";
    struct cors_policy *exact_only, *parsing;
    quick_check_policies(&exact_only, &parsing);
    for (int iter = 0; iter < 20000; iter++) {
        char origin[96];
        size_t n = strlen(strcpy(origin, prefixes[rng() % 5]));
        size_t len = rng() % 48;
        for (size_t k = 0; k < len; k++)
            origin[n++] = bytes[rng() % (sizeof bytes - 1)];
        origin[n] = '\0';
        struct eval e;
        eval_spec(parsing, &(struct req_spec){.method = "GET", .origin = origin}, &e);
        expect_both(exact_only, parsing, origin, e.r.reason);
    }
    cors_policy_unref(exact_only);
    cors_policy_unref(parsing);
}
END_TEST

/*
 * Subdomain wildcards and regex keys find a host's label suffixes from its
 * right end (lib/origin.c keeps the dots of the host's last 64 bytes as a bit
 * mask; longer hosts fall back to a byte scan): hosts of every length up to
 * 200 bytes, label boundaries on both sides of the 64-byte mark, with or
 * without a port or a trailing dot, against a naive suffix check
 * (docs/semantics.md §3.3: "*." matches one or more whole labels).
 */
START_TEST(test_suffixes_long_hosts)
{
    struct cors_policy *p = policy_of(LIST("https://*.example.com", "https://*.b.deep.example:8443"));
    struct cors_policy *r = spec_build(&(struct policy_spec){
        .regexes = LIST("https://([a-z0-9-]+\\.)*tenant\\.example\\.com(:[0-9]+)?") });
    static const char *const tails[] = { "example.com", "b.deep.example", "tenant.example.com",
                                         "example.org" };
    for (int iter = 0; iter < 4000; iter++) {
        char host[256] = "";
        size_t want_len = 1 + rng() % 200;
        while (strlen(host) < want_len) {
            size_t len = 1 + rng() % 40;
            char label[48];
            for (size_t k = 0; k < len; k++)
                label[k] = "abcxyz019"[rng() % 9];
            label[len] = '\0';
            strcat(host, label);
            strcat(host, ".");
        }
        const char *tail = tails[rng() % 4];
        strcat(host, tail);
        bool trailing = rng() % 8 == 0;
        if (trailing)
            strcat(host, ".");
        const char *port = rng() % 3 == 0 ? ":8443" : "";
        char origin[300];
        snprintf(origin, sizeof origin, "https://%s%s", host, port);

        bool dot_com = strcmp(tail, "example.com") == 0 || strcmp(tail, "tenant.example.com") == 0;
        bool wild = !trailing && ((dot_com && *port == '\0') ||
                                  (strcmp(tail, "b.deep.example") == 0 && *port != '\0'));
        expect_origin(p, origin, wild ? CORS_REASON_ALLOWED : CORS_REASON_ORIGIN_NOT_ALLOWED);
        /* the regex: its own label class, and every host in range of DNS
         * (README "Regex origins": longer hosts are never matched) */
        bool dns = strlen(host) - trailing <= 253;
        bool re = !trailing && dns && strcmp(tail, "tenant.example.com") == 0;
        expect_origin(r, origin, re ? CORS_REASON_ALLOWED : CORS_REASON_ORIGIN_NOT_ALLOWED);
    }
    cors_policy_unref(p);
    cors_policy_unref(r);
}
END_TEST

static Suite *
origin_suite(void)
{
    Suite *s = suite_create("origin");
    TCase *tc = tcase_create("exact");
    tcase_add_test(tc, test_exact);
    tcase_add_test(tc, test_config_normalised);
    tcase_add_test(tc, test_other_schemes);
    tcase_add_test(tc, test_ip_literals);
    tcase_add_test(tc, test_trailing_dot);
    tcase_add_test(tc, test_many_origins);
    tcase_add_test(tc, test_echo_is_request_bytes);
    tcase_add_test(tc, test_idn_origin);
    suite_add_tcase(s, tc);

    tc = tcase_create("request");
    tcase_add_loop_test(tc, test_malformed_request_origin, 0,
                        (int)(sizeof malformed_requests / sizeof malformed_requests[0]));
    tcase_add_loop_test(tc, test_scheme_prefix, 0,
                        (int)(sizeof scheme_prefix_cases / sizeof scheme_prefix_cases[0]));
    tcase_add_test(tc, test_embedded_nul);
    tcase_add_test(tc, test_multiple_origins);
    tcase_add_test(tc, test_too_long);
    tcase_add_test(tc, test_null_origin);
    suite_add_tcase(s, tc);

    tc = tcase_create("wildcard");
    tcase_add_test(tc, test_subdomain_wildcard);
    tcase_add_test(tc, test_any_host);
    tcase_add_test(tc, test_port_wildcard);
    tcase_add_test(tc, test_mixed_kinds);
    tcase_add_test(tc, test_wildcards_other_schemes);
    tcase_add_test(tc, test_differential_matching);
    tcase_add_loop_test(tc, test_quick_validity_table, 0,
                        (int)(sizeof quick_table / sizeof quick_table[0]));
    tcase_add_test(tc, test_quick_validity_random);
    tcase_add_test(tc, test_suffixes_long_hosts);
    suite_add_tcase(s, tc);

    tc = tcase_create("regex");
    tcase_add_test(tc, test_regex_full_match);
    tcase_add_test(tc, test_regex_limit);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(origin_suite());
}
