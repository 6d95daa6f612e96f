/*
 * Wildcard origin patterns: which entry allows an origin (matched_index).
 *
 * A policy of a few wildcard patterns (at most eight) is matched by
 * comparing the origin with each pattern in turn; a larger one by probing a
 * hash table once per label suffix of the host. Both must name the same entry. Each
 * case below builds a pattern list as it is (the comparisons) and with
 * sixteen more entries that only force the table (port wildcards on a
 * scheme no generated origin has, appended so the indices of the others
 * stay), and evaluates the same generated origins on both and on a model of
 * the documented rules:
 *
 *  - docs/semantics.md §3.2: a subdomain wildcard matches one or more whole
 *    labels before the suffix, never the suffix itself or a longer label;
 *    a host "*" any host of the scheme; a port "*" every port of the host;
 *    the port is the pattern's (none: the scheme's default) or any (":*");
 *  - docs/decisions.md "Origins": an origin is compared with the wildcards
 *    for its own port before those for any port; for one port, with the
 *    any-host pattern, then the exact host, then the label suffixes of its
 *    host shortest first; the entry named is the first in that order. One
 *    trailing dot is a distinct host; IP addresses have no labels to match
 *    a suffix;
 *  - docs/semantics.md §3.3: a value that is not a canonical serialized
 *    origin (upper case, an explicit default port) is malformed, never
 *    allowed.
 *
 * SPDX-License-Identifier: MIT
 */
#include "test-common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATTERNS_MAX 8
#define ORIGIN_BUF   1024

/* Entries that only force the hash table: exact hosts with a port wildcard
 * on a scheme no generated origin has, more of them than any list of
 * comparisons takes. */
#define TABLE_FORCERS 16

struct wild_case {
    const char *why; /* the rule the case pins */
    const char *patterns[PATTERNS_MAX];
};

static const struct wild_case cases[] = {
    {"§3.2 subdomain wildcard, one pattern (the usual policy)", {"https://*.example.com"}},
    {"decisions.md Origins: nested suffixes, the shorter first when listed first",
     {"https://*.example.com", "https://*.b.example.com"}},
    {"decisions.md Origins: nested suffixes, the shorter first when listed last",
     {"https://*.b.example.com", "https://*.example.com"}},
    {"decisions.md Origins: the origin's own port before any port (any-port listed first)",
     {"https://*.example.com:*", "https://*.b.example.com", "https://*.example.com:8443"}},
    {"decisions.md Origins: the origin's own port before any port (any-port listed last)",
     {"https://*.b.example.com:8443", "https://*.example.com", "https://*.b.example.com:*"}},
    {"§3.2: the scheme is part of the pattern (http and https, given ports)",
     {"http://*.example.com:8080", "https://*.example.com", "http://*.example.com",
      "https://*.com:*"}},
    {"§3.3 / decisions.md: one trailing dot is a distinct host",
     {"https://*.example.com.", "https://*.example.com", "https://*.com."}},
    {"§3.2: suffixes longer than 16 bytes (compared past two words)",
     {"https://*.a-rather-long-suffix.example.com", "https://*.example.com:*",
      "https://*.b.a-rather-long-suffix.example.com"}},
    {"§3.2: suffixes of 1 to 8 bytes (one partial word)",
     {"https://*.b", "https://*.co", "wss://*.a.b"}},
    {"decisions.md Origins: wildcards for any scheme (7 and 8 bytes, over 8)",
     {"web+app://*.example.com", "coap+tcp://*.example.com", "chrome-extension://*.example.com",
      "ws://*.b"}},
    {"§3.2: labels with '-' and '_', single-label suffix",
     {"http://*.x-y", "http://*._s.x-y:8080"}},
    {"§3.2 port wildcard on a host beside a subdomain pattern (the usual development policy)",
     {"https://*.example.com", "http://localhost:*"}},
    {"decisions.md Origins: exact host (any port) before the suffixes, own port first",
     {"https://*.example.com", "https://b.example.com:*", "https://*.b.example.com:*",
      "http://a.b:*"}},
    {"decisions.md Origins: any host before the exact host and the suffixes",
     {"https://*.example.com", "https://*:*", "https://b.example.com:*", "http://*"}},
    {"decisions.md Origins: all kinds and ports in one list of 8 (the most compared in turn)",
     {"https://*.b.example.com:*", "http://*:*", "https://*.example.com", "https://b.example.com:*",
      "https://*.com:8443", "wss://*", "https://*.a.b.example.com", "http://*.example.com:8080"}},
    {"§3.2 any host on the default port, any port; hosts over 16 bytes",
     {"https://*", "http://*:*", "https://a-rather-long-host.example.com:*", "wss://*.b"}},
};
#define CASES (sizeof cases / sizeof cases[0])

/* ------------------------------------------------------------------ model */

enum kind { KIND_ANY = 0, KIND_EXACT = 1, KIND_SUB = 2 }; /* the walk's order */

struct pattern {
    char scheme[32];
    enum kind kind;
    char host[128]; /* the suffix after "*." or the exact host; empty for any host */
    bool any_port;
    unsigned port; /* 0: the scheme's default */
};

static unsigned
default_port(const char *scheme)
{
    if (!strcmp(scheme, "http") || !strcmp(scheme, "ws"))
        return 80;
    if (!strcmp(scheme, "https") || !strcmp(scheme, "wss"))
        return 443;
    return 0;
}

/* A pattern as the table above writes them (canonical): the scheme, "://",
 * then "*", "*." and a suffix, or a host, then ":port", ":*" or nothing. */
static void
pattern_parse(const char *text, struct pattern *p)
{
    memset(p, 0, sizeof(*p));
    const char *sep = strstr(text, "://");
    ck_assert_ptr_nonnull(sep);
    memcpy(p->scheme, text, (size_t)(sep - text));
    const char *host = sep + 3, *colon = strchr(host, ':');
    size_t hn = colon ? (size_t)(colon - host) : strlen(host);
    if (hn == 1 && host[0] == '*') {
        p->kind = KIND_ANY;
    } else if (host[0] == '*') {
        p->kind = KIND_SUB;
        memcpy(p->host, host + 2, hn - 2);
    } else {
        p->kind = KIND_EXACT;
        memcpy(p->host, host, hn);
    }
    if (colon != NULL) {
        if (!strcmp(colon, ":*"))
            p->any_port = true;
        else
            p->port = (unsigned)atoi(colon + 1);
    }
}

/* A generated origin, as parts. */
struct gen_origin {
    char scheme[32];
    char host[ORIGIN_BUF / 2];
    bool ip;        /* host is an IPv4 address */
    unsigned port;  /* 0: none (the default) */
    bool malformed; /* spelt as no browser sends it */
    char text[ORIGIN_BUF];
};

static bool
model_matches(const struct pattern *p, const struct gen_origin *o)
{
    if (strcmp(p->scheme, o->scheme) != 0 || (!p->any_port && p->port != o->port))
        return false;
    size_t hn = strlen(o->host), sn = strlen(p->host);
    switch (p->kind) {
    case KIND_ANY:
        return true;
    case KIND_EXACT:
        return strcmp(o->host, p->host) == 0;
    case KIND_SUB:
        /* one or more whole labels, then ".suffix" */
        return !o->ip && hn >= sn + 2 && o->host[hn - sn - 1] == '.' &&
               strcmp(o->host + hn - sn, p->host) == 0;
    }
    return false;
}

/* The entry the documented rules name for a valid origin, or -1: among the
 * matching patterns, a given port before any port, then any host, exact
 * host, subdomain, then the fewest labels. */
static long
model_match(const struct pattern *ps, size_t n, const struct gen_origin *o)
{
    long best = -1;
    for (size_t i = 0; i < n; i++) {
        const struct pattern *p = &ps[i];
        if (!model_matches(p, o))
            continue;
        if (best < 0) {
            best = (long)i;
            continue;
        }
        const struct pattern *b = &ps[best];
        if (b->any_port != p->any_port) {
            if (b->any_port)
                best = (long)i;
        } else if (b->kind != p->kind) {
            if (p->kind < b->kind)
                best = (long)i;
        } else if (strlen(p->host) < strlen(b->host)) {
            best = (long)i;
        }
    }
    return best;
}

/* ------------------------------------------------------------- generator */

static unsigned long long rng_state;

static unsigned
rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

static void
append(char *buf, size_t size, const char *s)
{
    size_t n = strlen(buf), m = strlen(s);
    ck_assert_uint_lt(n + m, size);
    memcpy(buf + n, s, m + 1);
}

/* A label of the generator: short ones that occur in the suffixes, and long
 * ones that take the host past 64 bytes (the parser's dot window). */
static void
append_label(char *host, size_t size)
{
    static const char *labels[] = {"a",  "b",  "x-y",  "_s", "example", "com",
                                   "co", "uk", "evil", "0a", "bb",      "long"};
    unsigned r = rnd(16);
    if (r < 12) {
        append(host, size, labels[r]);
        return;
    }
    char l[64];
    unsigned len = 40 + rnd(24); /* 40..63 bytes */
    for (unsigned i = 0; i < len; i++)
        l[i] = "abcdefghij-_0123"[rnd(16)];
    l[0] = 'q';
    l[len - 1] = 'z';
    l[len] = '\0';
    append(host, size, l);
}

static void
gen(const struct pattern *ps, size_t n, struct gen_origin *o)
{
    static const char *schemes[] = {"https",           "http", "wss", "ws", "web+app", "coap+tcp",
                                    "chrome-extension"};
    memset(o, 0, sizeof(*o));
    const struct pattern *p = &ps[rnd((unsigned)n)];
    /* mostly the scheme of a pattern, else any of the list */
    snprintf(o->scheme, sizeof o->scheme, "%s", rnd(4) ? p->scheme : schemes[rnd(7)]);
    if (rnd(12) == 0) {
        /* an IPv4 address (sometimes ending like a one-label suffix) */
        snprintf(o->host, sizeof o->host, "%u.%u.%u.%u", 1 + rnd(254), rnd(256), rnd(256),
                 1 + rnd(254));
        o->ip = true;
    } else {
        unsigned before = rnd(5); /* labels before the suffix (0: the apex) */
        unsigned tail = rnd(10);
        const struct pattern *t = &ps[rnd((unsigned)n)];
        if (tail >= 8)
            before = 0; /* one label ("localhost") or an exact host alone */
        for (unsigned i = 0; i < before; i++) {
            append_label(o->host, sizeof o->host);
            append(o->host, sizeof o->host, ".");
        }
        if (tail == 8) {
            append_label(o->host, sizeof o->host);
        } else if (tail == 9 || (tail < 5 && t->kind != KIND_SUB)) {
            /* a configured host (a suffix: the apex) after the labels */
            append(o->host, sizeof o->host, t->host[0] ? t->host : "localhost");
        } else if (tail < 5) {
            /* a configured suffix; rnd: glued to the label before it */
            if (tail == 0 && before > 0)
                o->host[strlen(o->host) - 1] = '\0';
            append(o->host, sizeof o->host, t->host);
        } else if (tail < 7) {
            append(o->host, sizeof o->host, rnd(2) ? "example.com" : "b.example.com");
        } else {
            append_label(o->host, sizeof o->host);
            append(o->host, sizeof o->host, rnd(2) ? ".com" : ".example.net");
        }
        size_t hn = strlen(o->host);
        if (hn > 0 && o->host[hn - 1] != '.' && rnd(6) == 0)
            append(o->host, sizeof o->host, "."); /* one trailing dot */
    }
    unsigned r = rnd(8);
    if (r == 0)
        o->port = 8080;
    else if (r == 1)
        o->port = 8443;
    else if (r == 2 && p->port != 0)
        o->port = p->port;
    else if (r == 3)
        o->port = 1 + rnd(65535);
    if (o->port != 0 && o->port == default_port(o->scheme))
        o->port = 0; /* spelt without it, as browsers do */
    snprintf(o->text, sizeof o->text, "%s://%s", o->scheme, o->host);
    if (o->port != 0)
        snprintf(o->text + strlen(o->text), sizeof o->text - strlen(o->text), ":%u", o->port);

    /* a few values no browser sends (§3.3): upper case, explicit default port */
    unsigned bad = rnd(20);
    if (bad == 0 && strlen(o->host) > 0) {
        char *h = strstr(o->text, "://") + 3;
        for (; *h && *h != ':'; h++)
            if (*h >= 'a' && *h <= 'z') {
                *h = (char)(*h - 32);
                break;
            }
        o->malformed = h[0] != '\0' && h[0] != ':';
    } else if (bad == 1 && o->port == 0 && default_port(o->scheme) != 0) {
        snprintf(o->text + strlen(o->text), sizeof o->text - strlen(o->text), ":%u",
                 default_port(o->scheme));
        o->malformed = true;
    }
}

/* -------------------------------------------------------------- the tests */

struct verdict {
    enum cors_reason reason;
    enum cors_field field;
    size_t index;
};

/* Evaluates a GET with the origin in a heap block of its exact length (no
 * NUL), so that a read outside the value is an out-of-bounds read for the
 * sanitizer and valgrind runs of this suite (the comparisons load 8 bytes at
 * a time from the value's host end backwards). */
static struct verdict
evaluate(const struct cors_policy *p, const char *origin)
{
    size_t n = strlen(origin);
    char *copy = malloc(n > 0 ? n : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, origin, n);
    struct eval e;
    struct cors_str line = {copy, n};
    req_from_spec(&(struct req_spec){.method = "GET"}, &e);
    e.req.origins = &line;
    e.req.origin_count = 1;
    eval_request(p, &e);
    free(copy);
    return (struct verdict){e.r.reason, e.r.matched_field, e.r.matched_index};
}

static void
build_pair(const struct wild_case *c, struct cors_policy **quick, struct cors_policy **table,
           struct pattern *ps, size_t *count)
{
    static char forcers[TABLE_FORCERS][40];
    const char *with_forcers[PATTERNS_MAX + TABLE_FORCERS + 1] = {0};
    const char *alone[PATTERNS_MAX + 1] = {0};
    size_t n = 0;
    for (; n < PATTERNS_MAX && c->patterns[n] != NULL; n++) {
        alone[n] = with_forcers[n] = c->patterns[n];
        pattern_parse(c->patterns[n], &ps[n]);
    }
    ck_assert_uint_le(n, 8); /* what the comparisons take */
    for (size_t k = 0; k < TABLE_FORCERS; k++) {
        snprintf(forcers[k], sizeof forcers[k], "gopher://never%zu.test:*", k);
        with_forcers[n + k] = forcers[k];
    }
    *count = n;
    *quick = spec_build(&(struct policy_spec){.origins = alone});
    *table = spec_build(&(struct policy_spec){.origins = with_forcers});
}

#define ORIGINS_PER_CASE 1500

/* The generated origins: the same verdict with and without the forcing
 * entries, and the model's. */
START_TEST(test_quick_equals_table)
{
    const struct wild_case *c = &cases[_i];
    struct pattern ps[PATTERNS_MAX];
    size_t n;
    struct cors_policy *quick, *table;
    build_pair(c, &quick, &table, ps, &n);
    rng_state = 0x9E3779B97F4A7C15ull ^ (unsigned long long)(_i + 1);
    size_t matched = 0, long_hosts = 0;
    for (int k = 0; k < ORIGINS_PER_CASE; k++) {
        struct gen_origin o;
        gen(ps, n, &o);
        struct verdict a = evaluate(quick, o.text), b = evaluate(table, o.text);
        ck_assert_msg(a.reason == b.reason && a.field == b.field && a.index == b.index,
                      "%s: '%s': comparisons %s #%zu, table %s #%zu", c->why, o.text,
                      cors_reason_name(a.reason), a.index, cors_reason_name(b.reason), b.index);
        if (o.malformed) {
            ck_assert_msg(a.reason == CORS_REASON_ORIGIN_MALFORMED, "%s: '%s' must be malformed",
                          c->why, o.text);
            continue;
        }
        long want = model_match(ps, n, &o);
        if (want < 0) {
            ck_assert_msg(a.reason == CORS_REASON_ORIGIN_NOT_ALLOWED,
                          "%s: '%s' must be refused, got %s #%zu", c->why, o.text,
                          cors_reason_name(a.reason), a.index);
        } else {
            ck_assert_msg(a.reason == CORS_REASON_ALLOWED && a.field == CORS_FIELD_ALLOW_ORIGINS &&
                              a.index == (size_t)want,
                          "%s: '%s' must be allowed by #%ld (%s), got %s #%zu", c->why, o.text,
                          want, c->patterns[want], cors_reason_name(a.reason), a.index);
            matched++;
        }
        long_hosts += strlen(o.host) > 64;
    }
    /* the generator reaches both answers and the long hosts */
    ck_assert_msg(matched > ORIGINS_PER_CASE / 20, "%s: only %zu matches", c->why, matched);
    ck_assert_msg(long_hosts > ORIGINS_PER_CASE / 20, "%s: only %zu long hosts", c->why,
                  long_hosts);
    cors_policy_unref(quick);
    cors_policy_unref(table);
}
END_TEST

/* Named origins for the order rules, on both lookups (decisions.md
 * "Origins": own port first, then any host, the exact host, the fewest
 * labels). */
struct order_case {
    const char *why;
    const char *patterns[PATTERNS_MAX];
    const char *origin;
    long index; /* -1: refused */
};

static const struct order_case order_cases[] = {
    {"shorter suffix first, listed first",
     {"https://*.example.com", "https://*.b.example.com"},
     "https://a.b.example.com",
     0},
    {"shorter suffix first, listed last",
     {"https://*.b.example.com", "https://*.example.com"},
     "https://a.b.example.com",
     1},
    {"own port before any port, though longer",
     {"https://*.example.com:*", "https://*.b.example.com"},
     "https://a.b.example.com",
     1},
    {"any port when the own port has none",
     {"https://*.b.example.com:8443", "https://*.example.com:*"},
     "https://a.b.example.com",
     1},
    {"given port, not another", {"https://*.example.com:8443"}, "https://a.example.com:8444", -1},
    {"§3.2 never the suffix itself", {"https://*.example.com"}, "https://example.com", -1},
    {"§3.2 never a longer label", {"https://*.example.com"}, "https://evilexample.com", -1},
    {"trailing dot: a distinct host", {"https://*.example.com"}, "https://a.example.com.", -1},
    {"trailing dot pattern",
     {"https://*.example.com", "https://*.example.com."},
     "https://a.example.com.",
     1},
    {"an IP address has no labels (a pattern cannot end in a number)",
     {"https://*.b"},
     "https://10.0.0.1",
     -1},
    {"host over 64 bytes",
     {"https://*.example.com"},
     "https://a123456789b123456789c123456789d123456789e123456789f123456789.example.com",
     0},
    {"scheme of 8 bytes",
     {"coap+tcp://*.example.com", "coap+tc://*.example.com"},
     "coap+tcp://a.example.com",
     0},
    {"scheme prefix of another", {"coap+tcp://*.example.com"}, "coap+tc://a.example.com", -1},
    {"short origin (under 8 bytes to the host's end)", {"a://*.c"}, "a://b.c", 0},
    {"a host shorter than the suffix (no load before the value)",
     {"https://*.a-rather-long-suffix.example.com"},
     "https://b.c",
     -1},
    {"a host as long as the suffix with its dot",
     {"https://*.example.com", "https://*.a-rather-long-suffix.example.com"},
     "https://a.example.com",
     0},
    {"port wildcard on one host",
     {"https://*.example.com", "http://localhost:*"},
     "http://localhost:3000",
     1},
    {"port wildcard: the default port too", {"http://localhost:*"}, "http://localhost", 0},
    {"port wildcard: that host only", {"http://localhost:*"}, "http://localhost.test:3000", -1},
    {"own port first: a subdomain pattern before the exact host of any port",
     {"https://a.example.com:*", "https://*.example.com"},
     "https://a.example.com",
     1},
    {"any port: the exact host before a subdomain pattern",
     {"https://*.example.com:*", "https://a.example.com:*"},
     "https://a.example.com:8443",
     1},
    {"any host before the exact host and the suffixes",
     {"https://*.example.com", "https://a.example.com:*", "https://*:*", "https://*"},
     "https://a.example.com",
     3},
    {"any host: an IP address too", {"https://*.example.com", "https://*"}, "https://10.0.0.1", 1},
    {"any host: that scheme only", {"https://*"}, "http://a.example.com", -1},
};

START_TEST(test_order)
{
    const struct order_case *c = &order_cases[_i];
    struct wild_case wc = {c->why, {0}};
    memcpy(wc.patterns, c->patterns, sizeof wc.patterns);
    struct pattern ps[PATTERNS_MAX];
    size_t n;
    struct cors_policy *quick, *table;
    build_pair(&wc, &quick, &table, ps, &n);
    struct cors_policy *pols[2] = {quick, table};
    for (int w = 0; w < 2; w++) {
        struct verdict v = evaluate(pols[w], c->origin);
        if (c->index < 0)
            ck_assert_msg(v.reason == CORS_REASON_ORIGIN_NOT_ALLOWED, "%s (%s): '%s' refused",
                          c->why, w ? "table" : "comparisons", c->origin);
        else
            ck_assert_msg(v.reason == CORS_REASON_ALLOWED && v.index == (size_t)c->index,
                          "%s (%s): '%s' allowed by #%ld, got %s #%zu", c->why,
                          w ? "table" : "comparisons", c->origin, c->index,
                          cors_reason_name(v.reason), v.index);
    }
    cors_policy_unref(quick);
    cors_policy_unref(table);
}
END_TEST

static Suite *
wildcard_suite(void)
{
    Suite *s = suite_create("wildcard");
    TCase *tc = tcase_create("match");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_quick_equals_table, 0, (int)CASES);
    tcase_add_loop_test(tc, test_order, 0, (int)(sizeof order_cases / sizeof order_cases[0]));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(wildcard_suite());
}
