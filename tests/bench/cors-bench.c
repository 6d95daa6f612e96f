/*
 * cors-bench: the cost of one cors_evaluate() decision in fixed scenarios.
 *
 * Every scenario evaluates the same prepared request against the same
 * prepared policy, over and over. For each it prints nanoseconds per decision
 * (median and spread of several timed runs), instructions per decision (from
 * perf_event_open when the kernel allows it; tests/bench/callgrind.sh gives a
 * deterministic count otherwise), heap allocations per decision (counted
 * through the library's allocator hook) and the bytes the policy keeps.
 *
 *   cors-bench                      all scenarios, human-readable table
 *   cors-bench --markdown           the same table in Markdown
 *   cors-bench --runs N             timed runs per scenario (default 7)
 *   cors-bench --ms M               target milliseconds per run (default 60)
 *   cors-bench --only NAME          only the scenario NAME (e.g. B, E-100000)
 *   cors-bench --only NAME --iterations N
 *                                   no timing: set up NAME, evaluate N times,
 *                                   exit (used by callgrind.sh)
 *   cors-bench --list               the scenario names
 *   cors-bench --dump               a deterministic trace of many decisions
 *                                   (to diff behaviour before/after a change)
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include <cors/cors.h>

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef __linux__
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#define HAVE_PERF 1
#else
#define HAVE_PERF 0
#endif

/* ------------------------------------------------------ counting allocator */

struct counter {
    uint64_t allocs;
    uint64_t frees;
    size_t live;
    size_t peak;
};

static struct counter counts;

/* A 16-byte header in front of every block remembers its size. */
static void *
count_malloc(size_t size, void *user_data)
{
    struct counter *c = user_data;
    unsigned char *p = malloc(size + 16);
    if (p == NULL)
        return NULL;
    memcpy(p, &size, sizeof(size));
    c->allocs++;
    c->live += size;
    if (c->live > c->peak)
        c->peak = c->live;
    return p + 16;
}

static void
count_free(void *ptr, void *user_data)
{
    struct counter *c = user_data;
    if (ptr == NULL)
        return;
    unsigned char *p = (unsigned char *)ptr - 16;
    size_t size;
    memcpy(&size, p, sizeof(size));
    c->frees++;
    c->live -= size;
    free(p);
}

static const struct cors_allocator counting = {count_malloc, count_free, &counts};

/* ---------------------------------------------------------------- helpers */

static void
die(const char *what)
{
    fprintf(stderr, "cors-bench: %s\n", what);
    exit(EXIT_FAILURE);
}

static uint64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static char *xstrdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
xstrdup_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        die("out of memory");
    va_end(ap);
    return s;
}

static struct cors_str
str(const char *s)
{
    return cors_str_from_cstr(s);
}

/* ------------------------------------------------------------ policy specs */

struct spec {
    const char **origins;
    size_t origin_count;
    const char **regexes;
    size_t regex_count;
    const char **methods;
    size_t method_count;
    const char **headers;
    size_t header_count;
    int64_t max_age;
    bool credentials;
    unsigned flags;
};

static const char *base_origins[] = {"https://example.com"};
static const char *base_methods[] = {"GET", "POST", "PUT", "DELETE"};
static const char *base_headers[] = {"authorization", "content-type"};
static const char *wild_origins[] = {"https://*.example.com"};
/* the usual development policy: subdomains and a local server on any port */
static const char *wild_dev_origins[] = {"https://*.example.com", "http://localhost:*"};
/* more wildcards than the comparisons take (the hash table), a port
 * wildcard among them */
static const char *wild_table_origins[] = {"https://*.example.net",   "https://*.example.org",
                                           "http://localhost:*",      "https://*.a.example.org",
                                           "https://*.test",          "https://*.b.example.org",
                                           "https://*.c.example.org", "https://*.d.example.org",
                                           "https://*.example.io",    "https://*.example.com"};
static const char *hostile_headers[] = {"x-custom-header"};
static const char *regex_list[10];
static const char *regex_list_1000[1000]; /* the same shape for tenants 0..999 */
static const char *regex_list_pcre[10];   /* a shape that needs PCRE2: pr-[0-9]+ */
/* one regex with catastrophic backtracking on runs of 'a' ((a|aa)+ is
 * ambiguous: exponentially many ways to split a run) */
static const char *regex_catastrophic[] = {"https://(a|aa)+(b|bb)*x\\.test"};
static char hostile_a40[64];      /* "https://" + 40 'a' */
static char hostile_a40_test[80]; /* "https://" + 40 'a' + ".test" */

static void
add_all(struct cors_policy_builder *b,
        enum cors_status (*add)(struct cors_policy_builder *, struct cors_str), const char **items,
        size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (add(b, str(items[i])) != CORS_OK)
            die("builder: out of memory");
}

static struct cors_policy_builder *
make_builder(const struct spec *s)
{
    struct cors_policy_builder *b = cors_policy_builder_new(&counting);
    if (b == NULL)
        die("builder: out of memory");
    add_all(b, cors_policy_builder_add_origin, s->origins, s->origin_count);
    add_all(b, cors_policy_builder_add_origin_regex, s->regexes, s->regex_count);
    add_all(b, cors_policy_builder_add_method, s->methods, s->method_count);
    add_all(b, cors_policy_builder_add_allow_header, s->headers, s->header_count);
    if (s->max_age != CORS_MAX_AGE_UNSET &&
        cors_policy_builder_set_max_age(b, s->max_age) != CORS_OK)
        die("builder: set_max_age");
    if (cors_policy_builder_set_allow_credentials(b, s->credentials) != CORS_OK)
        die("builder: set_allow_credentials");
    return b;
}

/* Builds the policy; *bytes gets what the policy keeps allocated. */
static struct cors_policy *
build(const struct cors_policy_builder *b, unsigned flags, size_t *bytes)
{
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    if (d == NULL)
        die("diagnostics: out of memory");
    size_t before = counts.live;
    enum cors_status st = CORS_OK;
    struct cors_policy *p = cors_policy_build(b, flags, d, &st);
    if (p == NULL) {
        for (size_t i = 0; i < cors_diagnostics_count(d); i++)
            fprintf(stderr, "  %s\n", cors_diagnostics_get(d, i)->message.ptr);
        die("the policy does not build");
    }
    if (bytes != NULL)
        *bytes = counts.live - before;
    cors_diagnostics_free(d);
    return p;
}

/* ---------------------------------------------------------------- scenarios */

struct scenario {
    const char *name;
    const char *what;
    /* setup */
    struct spec spec;
    const char *origin; /* NULL: no Origin header */
    const char *method;
    const char *acrm; /* Access-Control-Request-Method or NULL */
    const char *acrh; /* Access-Control-Request-Headers or NULL */
    /* expected outcome (checked before timing) */
    enum cors_decision decision;
    bool allowed;
    int reason; /* -1: any */
    /* prepared state */
    struct prepared {
        struct cors_policy *policy;
        size_t policy_bytes;
        struct cors_str origin_line;
        struct cors_str acrh_line;
        struct cors_request req;
        bool ready;
    } st;
};

static char *many_origins[3]; /* generated exact lists: 1, 1 000, 100 000 */
static const char **origin_lists[3];
static const size_t list_sizes[3] = {1, 1000, 100000};
static char *hostile_acrh;   /* 16 KiB of allowed names */
static char *hostile_origin; /* 4 KiB origin */
static const char *hostile_all_origins[] = {"https://*.example.com"};

/* The generated list of list_sizes[l] exact origins, made on first use. */
static const char **
origin_list(int l)
{
    if (origin_lists[l] != NULL)
        return origin_lists[l];
    size_t n = list_sizes[l];
    origin_lists[l] = calloc(n, sizeof(char *));
    if (origin_lists[l] == NULL)
        die("out of memory");
    for (size_t i = 0; i < n; i++)
        origin_lists[l][i] = xstrdup_printf("https://o%06zu.example.com", i);
    many_origins[l] = xstrdup_printf("https://o%06zu.example.com", n - 1);
    return origin_lists[l];
}

static void
make_inputs(void)
{
    for (int i = 0; i < 10; i++)
        regex_list[i] =
            xstrdup_printf("https://([a-z0-9-]+\\.)*tenant%d\\.example\\.com(:[0-9]+)?", i);
    for (int i = 0; i < 10; i++)
        regex_list_pcre[i] = xstrdup_printf("https://pr-[0-9]+\\.tenant%d\\.example\\.com", i);
    for (int i = 0; i < 1000; i++)
        regex_list_1000[i] =
            xstrdup_printf("https://([a-z0-9-]+\\.)*tenant%d\\.example\\.com(:[0-9]+)?", i);
    snprintf(hostile_a40, sizeof(hostile_a40), "https://%s",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    snprintf(hostile_a40_test, sizeof(hostile_a40_test), "%s.test", hostile_a40);
    /* "x-custom-header, x-custom-header, ..." up to 16 KiB */
    size_t cap = 16 * 1024;
    hostile_acrh = malloc(cap + 1);
    if (hostile_acrh == NULL)
        die("out of memory");
    size_t o = 0;
    const char item[] = "x-custom-header";
    while (o + sizeof(item) - 1 + 2 <= cap) {
        if (o > 0) {
            memcpy(hostile_acrh + o, ", ", 2);
            o += 2;
        }
        memcpy(hostile_acrh + o, item, sizeof(item) - 1);
        o += sizeof(item) - 1;
    }
    hostile_acrh[o] = '\0';
    /* "https://aa.a.a....a.example.org" of exactly CORS_ORIGIN_MAX bytes: many
     * labels for the wildcard walk, a long subject for the regexes */
    hostile_origin = malloc(CORS_ORIGIN_MAX + 1);
    if (hostile_origin == NULL)
        die("out of memory");
    const char head[] = "https://", tail[] = "example.org";
    size_t hl = sizeof(head) - 1, tl = sizeof(tail) - 1;
    size_t room = CORS_ORIGIN_MAX - hl - tl; /* first label, '.', then "a." pairs */
    size_t first = room % 2 ? 2 : 1;
    memcpy(hostile_origin, head, hl);
    o = hl;
    memset(hostile_origin + o, 'a', first);
    o += first;
    hostile_origin[o++] = '.';
    while (o + tl < CORS_ORIGIN_MAX) {
        hostile_origin[o++] = 'a';
        hostile_origin[o++] = '.';
    }
    memcpy(hostile_origin + o, tail, tl);
    hostile_origin[o + tl] = '\0';
}

/* A policy spec with the base methods, headers and max-age: origins, regexes
 * and build flags vary. */
// clang-format off
#define SPEC(origins, origin_count, regexes, regex_count, flags) \
    {origins, origin_count, regexes, regex_count, base_methods, 4, base_headers, 2, 3600, false, \
     flags}
#define SPEC_BASE SPEC(base_origins, 1, NULL, 0, 0)
/* E-*: setup() fills in the generated origin list (and the origin when NULL) */
#define SPEC_LATER {0}
/* H-acrh: one allowed header, the one the 16 KiB ACRH repeats */
#define SPEC_ACRH {base_origins, 1, NULL, 0, base_methods, 4, hostile_headers, 1, 3600, false, 0}

/* One scenario: name, what, spec, Origin (NULL: none, or set by setup()),
 * method, ACRM, ACRH, then the expected decision (CORS_DECISION_ without its
 * prefix), allowed and reason (-1: any). */
#define SCENARIO(name, what, spec, origin, method, acrm, acrh, decision, allowed, reason) \
    {name, what, spec, origin, method, acrm, acrh, CORS_DECISION_##decision, allowed, reason, {0}}
// clang-format on

static struct scenario scenarios[] = {
    SCENARIO("A", "actual GET, allowed origin, 1 exact origin", SPEC_BASE, "https://example.com",
             "GET", NULL, NULL, ACTUAL, true, CORS_REASON_ALLOWED),
    SCENARIO("B", "preflight PUT, ACRH authorization,content-type, allowed", SPEC_BASE,
             "https://example.com", "OPTIONS", "PUT", "authorization,content-type", PREFLIGHT, true,
             CORS_REASON_ALLOWED),
    SCENARIO("C", "preflight from a disallowed origin", SPEC_BASE, "https://evil.example",
             "OPTIONS", "PUT", "authorization,content-type", PREFLIGHT, false,
             CORS_REASON_ORIGIN_NOT_ALLOWED),
    SCENARIO("D", "GET without Origin", SPEC_BASE, NULL, "GET", NULL, NULL, NOT_CORS, false,
             CORS_REASON_NOT_CORS),
    SCENARIO("E-1", "actual GET, 1 exact origin, matches the last", SPEC_LATER, NULL, "GET", NULL,
             NULL, ACTUAL, true, CORS_REASON_ALLOWED),
    SCENARIO("E-1000", "actual GET, 1 000 exact origins, matches the last", SPEC_LATER, NULL, "GET",
             NULL, NULL, ACTUAL, true, CORS_REASON_ALLOWED),
    SCENARIO("E-100000", "actual GET, 100 000 exact origins, matches the last", SPEC_LATER, NULL,
             "GET", NULL, NULL, ACTUAL, true, CORS_REASON_ALLOWED),
    SCENARIO("E-miss-1", "actual GET, 1 exact origin, no match", SPEC_LATER,
             "https://nothere.example.com", "GET", NULL, NULL, ACTUAL, false,
             CORS_REASON_ORIGIN_NOT_ALLOWED),
    SCENARIO("E-miss-100000", "actual GET, 100 000 exact origins, no match", SPEC_LATER,
             "https://nothere.example.com", "GET", NULL, NULL, ACTUAL, false,
             CORS_REASON_ORIGIN_NOT_ALLOWED),
    SCENARIO("F", "actual GET, https://*.example.com, origin https://a.b.example.com",
             SPEC(wild_origins, 1, NULL, 0, 0), "https://a.b.example.com", "GET", NULL, NULL,
             ACTUAL, true, CORS_REASON_ALLOWED),
    SCENARIO(
        "F-dev",
        "actual GET, https://*.example.com + http://localhost:*, origin https://a.b.example.com",
        SPEC(wild_dev_origins, 2, NULL, 0, 0), "https://a.b.example.com", "GET", NULL, NULL, ACTUAL,
        true, CORS_REASON_ALLOWED),
    SCENARIO("F-table", "actual GET, 10 wildcards (hash table), origin https://a.b.example.com",
             SPEC(wild_table_origins, 10, NULL, 0, 0), "https://a.b.example.com", "GET", NULL, NULL,
             ACTUAL, true, CORS_REASON_ALLOWED),
    /* origin predicate scenarios: set up by predicate_setup() below */
    SCENARIO("P-hit",
             "actual GET, 1 exact origin missed, allowed by a predicate (16 sorted origins)",
             SPEC_BASE, "https://t09.tenants.example", "GET", NULL, NULL, ACTUAL, true,
             CORS_REASON_ALLOWED),
    SCENARIO("P-miss",
             "actual GET, 1 exact origin missed, refused by a predicate (16 sorted origins)",
             SPEC_BASE, "https://t99.tenants.example", "GET", NULL, NULL, ACTUAL, false,
             CORS_REASON_ORIGIN_NOT_ALLOWED),
    SCENARIO("R-jit", "actual GET, 10 regexes (JIT), matches the last",
             SPEC(NULL, 0, regex_list, 10, 0), "https://app.tenant9.example.com", "GET", NULL, NULL,
             ACTUAL, true, CORS_REASON_ALLOWED),
    SCENARIO("R-nojit", "actual GET, 10 regexes (no JIT), matches the last",
             SPEC(NULL, 0, regex_list, 10, CORS_BUILD_NO_JIT), "https://app.tenant9.example.com",
             "GET", NULL, NULL, ACTUAL, true, CORS_REASON_ALLOWED),
    SCENARIO("R-pcre",
             "actual GET, 10 regexes https://pr-[0-9]+\\.tenantN... (JIT), matches the last",
             SPEC(NULL, 0, regex_list_pcre, 10, 0), "https://pr-12.tenant9.example.com", "GET",
             NULL, NULL, ACTUAL, true, CORS_REASON_ALLOWED),
    SCENARIO("R-1000", "actual GET, 1 000 regexes (JIT), matches the last",
             SPEC(NULL, 0, regex_list_1000, 1000, 0), "https://app.tenant999.example.com", "GET",
             NULL, NULL, ACTUAL, true, CORS_REASON_ALLOWED),
    SCENARIO("R-1000-nojit", "actual GET, 1 000 regexes (no JIT), matches the last",
             SPEC(NULL, 0, regex_list_1000, 1000, CORS_BUILD_NO_JIT),
             "https://app.tenant999.example.com", "GET", NULL, NULL, ACTUAL, true,
             CORS_REASON_ALLOWED),
    /* H-*: setup() sets the hostile Origin (or ACRH) made by make_inputs() */
    SCENARIO("H-redos",
             "actual GET, regex https://(a|aa)+(b|bb)*x\\.test (JIT), origin https:// + 40 a",
             SPEC(NULL, 0, regex_catastrophic, 1, 0), NULL, "GET", NULL, NULL, ACTUAL, false, -1),
    SCENARIO("H-redos-test", "as H-redos, origin https:// + 40 a + .test (JIT)",
             SPEC(NULL, 0, regex_catastrophic, 1, 0), NULL, "GET", NULL, NULL, ACTUAL, false, -1),
    SCENARIO("H-redos-nojit", "as H-redos-test without JIT",
             SPEC(NULL, 0, regex_catastrophic, 1, CORS_BUILD_NO_JIT), NULL, "GET", NULL, NULL,
             ACTUAL, false, -1),
    SCENARIO("H-acrh", "preflight, 16 KiB Access-Control-Request-Headers, allowed", SPEC_ACRH,
             "https://example.com", "OPTIONS", "PUT", NULL, PREFLIGHT, true, CORS_REASON_ALLOWED),
    SCENARIO("H-origin-wild", "actual GET, 4 KiB Origin (2 000 labels), wildcard only, no match",
             SPEC(hostile_all_origins, 1, NULL, 0, 0), NULL, "GET", NULL, NULL, ACTUAL, false,
             CORS_REASON_ORIGIN_NOT_ALLOWED),
    SCENARIO("H-origin", "actual GET, 4 KiB Origin, wildcard + 10 regexes (JIT), no match",
             SPEC(hostile_all_origins, 1, regex_list, 10, 0), NULL, "GET", NULL, NULL, ACTUAL,
             false, CORS_REASON_ORIGIN_NOT_ALLOWED),
};

#undef SCENARIO

#define SCENARIO_COUNT (sizeof(scenarios) / sizeof(scenarios[0]))

static void prepare_and_check(struct scenario *s);

/* ---------------------------------------------- origin predicate (P-hit/P-miss)
 *
 * The host's own check as a SaaS host would write it: a small set of tenant
 * origins, sorted, searched by bisection. libcors asks it only after the
 * exact origin of the policy (SPEC_BASE: https://example.com) missed, so the
 * figures are the exact-set miss plus the predicate call. */

/* {text, length}: the host keeps the lengths, as a real set would */
#define TENANT(n)                                                                                  \
    {                                                                                              \
        "https://t" n ".tenants.example", sizeof("https://t" n ".tenants.example") - 1             \
    }
static const struct cors_str predicate_origins[] = {
    TENANT("00"), TENANT("01"), TENANT("02"), TENANT("03"), TENANT("04"), TENANT("05"),
    TENANT("06"), TENANT("07"), TENANT("08"), TENANT("09"), TENANT("10"), TENANT("11"),
    TENANT("12"), TENANT("13"), TENANT("14"), TENANT("15"),
};
#undef TENANT

#define PREDICATE_ORIGIN_COUNT (sizeof(predicate_origins) / sizeof(predicate_origins[0]))

/* Byte order, a shorter prefix first: the order the array above is in. */
static int
origin_cmp(struct cors_str a, struct cors_str b)
{
    int c = memcmp(a.ptr, b.ptr, a.len < b.len ? a.len : b.len);
    if (c != 0)
        return c;
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

static bool
tenant_set_predicate(void *user_data, struct cors_str origin)
{
    const struct cors_str *set = user_data;
    size_t lo = 0, hi = PREDICATE_ORIGIN_COUNT;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = origin_cmp(origin, set[mid]);
        if (c == 0)
            return true;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return false;
}

/* Sets up P-hit and P-miss (returns true); false for every other scenario.
 * Besides the checks of prepare_and_check(), P-hit must be attributed to the
 * predicate, so it cannot pass by matching something else. */
static bool
predicate_setup(struct scenario *s)
{
    bool hit = strcmp(s->name, "P-hit") == 0;
    if (!hit && strcmp(s->name, "P-miss") != 0)
        return false;
    for (size_t i = 1; i < PREDICATE_ORIGIN_COUNT; i++)
        if (origin_cmp(predicate_origins[i - 1], predicate_origins[i]) >= 0)
            die("predicate_origins is not sorted");
    struct cors_policy_builder *b = make_builder(&s->spec);
    if (cors_policy_builder_set_origin_predicate(b, tenant_set_predicate,
                                                 (void *)predicate_origins) != CORS_OK)
        die("builder: set_origin_predicate");
    s->st.policy = build(b, s->spec.flags, &s->st.policy_bytes);
    cors_policy_builder_free(b);
    prepare_and_check(s);

    struct cors_header h[CORS_HEADERS_MAX];
    struct cors_result r;
    if (cors_evaluate(s->st.policy, &s->st.req, h, CORS_HEADERS_MAX, &r) != CORS_OK ||
        r.matched_field != (hit ? CORS_FIELD_ORIGIN_PREDICATE : CORS_FIELD_NONE))
        die("P-hit/P-miss: the predicate did not decide");
    return true;
}

/* ------------------------------------------------------------- setup */

static void
setup(struct scenario *s)
{
    if (s->st.ready)
        return;
    if (predicate_setup(s))
        return;
    if (strncmp(s->name, "E-", 2) == 0) {
        int l = strstr(s->name, "100000") ? 2 : strstr(s->name, "1000") ? 1 : 0;
        s->spec = (struct spec)SPEC(origin_list(l), list_sizes[l], NULL, 0, 0);
        if (s->origin == NULL)
            s->origin = many_origins[l];
    }
    if (strcmp(s->name, "H-acrh") == 0)
        s->acrh = hostile_acrh;
    if (strncmp(s->name, "H-origin", 8) == 0)
        s->origin = hostile_origin;
    if (strcmp(s->name, "H-redos") == 0)
        s->origin = hostile_a40;
    if (strcmp(s->name, "H-redos-test") == 0 || strcmp(s->name, "H-redos-nojit") == 0)
        s->origin = hostile_a40_test;

    struct cors_policy_builder *b = make_builder(&s->spec);
    s->st.policy = build(b, s->spec.flags, &s->st.policy_bytes);
    cors_policy_builder_free(b);
    prepare_and_check(s);
}

/* Prepares the scenario's request and checks its result once (the policy is
 * built). */
static void
prepare_and_check(struct scenario *s)
{
    memset(&s->st.req, 0, sizeof(s->st.req));
    s->st.req.method = str(s->method);
    if (s->origin != NULL) {
        s->st.origin_line = str(s->origin);
        s->st.req.origins = &s->st.origin_line;
        s->st.req.origin_count = 1;
    }
    s->st.req.request_method = str(s->acrm);
    if (s->acrh != NULL) {
        s->st.acrh_line = str(s->acrh);
        s->st.req.request_headers = &s->st.acrh_line;
        s->st.req.request_header_count = 1;
    }

    struct cors_header h[CORS_HEADERS_MAX];
    struct cors_result r;
    if (cors_evaluate(s->st.policy, &s->st.req, h, CORS_HEADERS_MAX, &r) != CORS_OK)
        die("cors_evaluate failed");
    if (r.decision != s->decision || r.allowed != s->allowed ||
        (s->reason >= 0 && (int)r.reason != s->reason)) {
        fprintf(stderr, "cors-bench: scenario %s: got %s/%s/%s\n", s->name,
                cors_decision_name(r.decision), r.allowed ? "allowed" : "denied",
                cors_reason_name(r.reason));
        die("unexpected result: the scenario does not measure what it says");
    }
    s->st.ready = true;
}

/* The measured loop: the result feeds a sum so nothing can be dropped. */
__attribute__((noinline)) static uint64_t
run_loop(const struct scenario *s, uint64_t iterations)
{
    struct cors_header h[CORS_HEADERS_MAX];
    struct cors_result r;
    uint64_t sink = 0;
    for (uint64_t i = 0; i < iterations; i++) {
        cors_evaluate(s->st.policy, &s->st.req, h, CORS_HEADERS_MAX, &r);
        sink += r.header_count + (uint64_t)r.reason;
        __asm__ volatile("" : : "r"(&h), "r"(&r) : "memory");
    }
    return sink;
}

/* --------------------------------------------------------------- perf */

struct perf {
    int fd;
    char why[128];
};

static void
perf_open(struct perf *pf)
{
    pf->fd = -1;
#if HAVE_PERF
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.type = PERF_TYPE_HARDWARE;
    attr.size = sizeof(attr);
    attr.config = PERF_COUNT_HW_INSTRUCTIONS;
    attr.disabled = 1;
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    long fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
    if (fd < 0) {
        snprintf(pf->why, sizeof(pf->why), "n/a (perf_event_open: %s)", strerror(errno));
        return;
    }
    pf->fd = (int)fd;
#else
    snprintf(pf->why, sizeof(pf->why), "n/a (no perf_event_open on this system)");
#endif
}

/* Instructions for `iterations` decisions, or -1. */
static double
perf_count(const struct perf *pf, const struct scenario *s, uint64_t iterations, uint64_t *sink)
{
#if HAVE_PERF
    if (pf->fd < 0)
        return -1;
    uint64_t v = 0;
    ioctl(pf->fd, PERF_EVENT_IOC_RESET, 0);
    ioctl(pf->fd, PERF_EVENT_IOC_ENABLE, 0);
    *sink += run_loop(s, iterations);
    ioctl(pf->fd, PERF_EVENT_IOC_DISABLE, 0);
    if (read(pf->fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
        return -1;
    return (double)v;
#else
    (void)pf;
    (void)s;
    (void)iterations;
    (void)sink;
    return -1;
#endif
}

/* ---------------------------------------------------------------- timing */

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct stats {
    double median, min, max;
};

static struct stats
summarize(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    struct stats st = {n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v[0], v[n - 1]};
    return st;
}

/* Iterations that take about `ms` milliseconds. */
static uint64_t
calibrate(const struct scenario *s, double ms, uint64_t *sink)
{
    uint64_t n = 1;
    for (;;) {
        uint64_t t0 = now_ns();
        *sink += run_loop(s, n);
        uint64_t dt = now_ns() - t0;
        if (dt >= 10000000u || n >= (1ull << 40)) {
            double per = (double)dt / (double)n;
            double want = ms * 1e6 / per;
            return want < 1 ? 1 : (uint64_t)want;
        }
        n *= 4;
    }
}

struct row {
    const char *name;
    const char *what;
    struct stats ns;
    double instr; /* <0: n/a */
    double allocs;
    size_t policy_bytes;
};

static void
print_header(bool md, const char *instr_note)
{
    if (md) {
        printf("| scenario | what | ns/decision median [min-max] | instructions/decision | "
               "allocations/decision | policy bytes |\n");
        printf("|---|---|---|---|---|---|\n");
    } else {
        printf("%-14s %-24s %-8s %-7s %-12s %s\n", "scenario", "ns/op median [min-max]", "instr/op",
               "allocs", "policy-bytes", "what");
    }
    (void)instr_note;
}

static void
print_row(bool md, const struct row *r, const char *instr_na)
{
    char ns[64], instr[160];
    snprintf(ns, sizeof(ns), "%.1f [%.1f-%.1f]", r->ns.median, r->ns.min, r->ns.max);
    if (r->instr >= 0)
        snprintf(instr, sizeof(instr), "%.0f", r->instr);
    else
        snprintf(instr, sizeof(instr), "%s", md ? instr_na : "n/a");
    if (md)
        printf("| %s | %s | %s | %s | %.3g | %zu |\n", r->name, r->what, ns, instr, r->allocs,
               r->policy_bytes);
    else
        printf("%-14s %-24s %-8s %-7.3g %-12zu %s\n", r->name, ns, instr, r->allocs,
               r->policy_bytes, r->what);
}

static void
bench_scenario(struct scenario *s, int runs, double ms, const struct perf *pf, bool md,
               const char *instr_na, uint64_t *sink)
{
    setup(s);
    uint64_t n = calibrate(s, ms, sink);
    double *v = calloc((size_t)runs, sizeof(double));
    if (v == NULL)
        die("out of memory");
    uint64_t allocs_before = counts.allocs;
    for (int r = 0; r < runs; r++) {
        uint64_t t0 = now_ns();
        *sink += run_loop(s, n);
        uint64_t dt = now_ns() - t0;
        v[r] = (double)dt / (double)n;
    }
    uint64_t allocs = counts.allocs - allocs_before;
    struct row row = {
        s->name,           s->what, summarize(v, runs), -1, (double)allocs / ((double)n * runs),
        s->st.policy_bytes};
    free(v);
    uint64_t pn = n < 1000000 ? n : 1000000;
    double i1 = perf_count(pf, s, pn, sink);
    double i2 = perf_count(pf, s, 2 * pn, sink);
    if (i1 >= 0 && i2 >= 0)
        row.instr = (i2 - i1) / (double)pn;
    print_row(md, &row, instr_na);
    fflush(stdout);
}

/* P: policy build time and memory for 1, 1 000 and 100 000 exact origins. */
static void
bench_build(int runs, bool md)
{
    if (md) {
        printf("\n| build | origins | ms/build median [min-max] | ns/origin | policy bytes | "
               "bytes/origin | peak bytes during build |\n|---|---|---|---|---|---|---|\n");
    } else {
        printf("\n%-10s %-8s %-30s %-10s %-12s %-12s %s\n", "build", "origins",
               "ms/build median [min-max]", "ns/origin", "policy-bytes", "bytes/origin",
               "peak-bytes-in-build");
    }
    for (int l = 0; l < 3; l++) {
        size_t n = list_sizes[l];
        struct spec sp = SPEC(origin_list(l), n, NULL, 0, 0);
        struct cors_policy_builder *b = make_builder(&sp);
        /* repeat small builds inside one timed run so the clock resolves them */
        int inner = n >= 100000 ? 1 : n >= 1000 ? 20 : 2000;
        int r_count = n >= 100000 ? (runs < 5 ? runs : 5) : runs;
        double *v = calloc((size_t)r_count, sizeof(double));
        size_t bytes = 0, peak = 0;
        if (v == NULL)
            die("out of memory");
        for (int r = 0; r < r_count; r++) {
            uint64_t t = 0;
            for (int k = 0; k < inner; k++) {
                size_t live0 = counts.live;
                counts.peak = counts.live;
                uint64_t t0 = now_ns();
                struct cors_policy *p = cors_policy_build(b, 0, NULL, NULL);
                t += now_ns() - t0;
                if (p == NULL)
                    die("build failed");
                bytes = counts.live - live0;
                peak = counts.peak - live0;
                cors_policy_unref(p);
            }
            v[r] = (double)t / inner / 1e6;
        }
        struct stats st = summarize(v, r_count);
        free(v);
        char name[16];
        snprintf(name, sizeof(name), "P-%zu", n);
        if (md)
            printf("| %s | %zu | %.3f [%.3f-%.3f] | %.0f | %zu | %.1f | %zu |\n", name, n,
                   st.median, st.min, st.max, st.median * 1e6 / (double)n, bytes,
                   (double)bytes / (double)n, peak);
        else {
            char ms_text[64];
            snprintf(ms_text, sizeof(ms_text), "%.3f [%.3f-%.3f]", st.median, st.min, st.max);
            printf("%-10s %-8zu %-30s %-10.0f %-12zu %-12.1f %zu\n", name, n, ms_text,
                   st.median * 1e6 / (double)n, bytes, (double)bytes / (double)n, peak);
        }
        cors_policy_builder_free(b);
        fflush(stdout);
    }
}

/* ------------------------------------------------------------------ dump */

/* Prints one line per decision for a corpus of policies x requests, so that
 * an optimisation can be checked to change nothing (diff two dumps). */
static void
dump(void)
{
    static const char *origins_a[] = {"https://example.com",   "http://localhost:*",
                                      "https://*.example.org", "null",
                                      "https://[::1]:8443",    "chrome-extension://abcdef"};
    static const char *origins_star[] = {"*"};
    static const char *methods_a[] = {"PUT", "PATCH", "DELETE"};
    static const char *methods_star[] = {"*"};
    static const char *headers_a[] = {"authorization", "Content-Type", "X-Requested-With"};
    static const char *headers_star[] = {"*"};
    static const char *regexes_a[] = {"https://app[0-9]+\\.example\\.net",
                                      "https://(a|b)+\\.test(:[0-9]{2,5})?"};
    struct spec specs[] = {
        {origins_a, 6, regexes_a, 2, methods_a, 3, headers_a, 3, 600, false, 0},
        {origins_a, 6, regexes_a, 2, methods_a, 3, headers_a, 3, CORS_MAX_AGE_UNSET, true,
         CORS_BUILD_NO_JIT},
        {origins_star, 1, NULL, 0, methods_star, 1, headers_star, 1, 0, false, 0},
        {origins_star, 1, NULL, 0, methods_star, 1, headers_star, 1, 86400, true, 0},
        {origin_list(1), 1000, NULL, 0, NULL, 0, NULL, 0, CORS_MAX_AGE_UNSET, false, 0},
        {wild_origins, 1, NULL, 0, methods_a, 3, headers_star, 1, 5, true, 0},
    };
    static const char *req_origins[] = {NULL,
                                        "https://example.com",
                                        "https://EXAMPLE.com",
                                        "https://example.com:443",
                                        "https://example.com/",
                                        "http://localhost",
                                        "http://localhost:3000",
                                        "http://localhost:80",
                                        "https://a.example.org",
                                        "https://x.y.example.org",
                                        "https://example.org",
                                        "null",
                                        "https://[::1]:8443",
                                        "https://[0:0::1]:8443",
                                        "chrome-extension://abcdef",
                                        "https://app42.example.net",
                                        "https://app.example.net",
                                        "https://abab.test:8080",
                                        "https://abab.test:1",
                                        "https://o000999.example.com",
                                        "https://o001000.example.com",
                                        "https://a.b.example.com",
                                        "https://example.com.",
                                        "https://127.0.0.1",
                                        "https://127.1",
                                        "",
                                        "https://exa mple.com",
                                        "HTTPS://example.com",
                                        "https://*.example.org",
                                        "https://a.0x1",
                                        "https://1.2.3.4.",
                                        "https://0x7f.1",
                                        "https://1.2.3.4",
                                        "https://01.2.3.4",
                                        "https://a.b.",
                                        "https://a..b",
                                        "https://.a",
                                        "http://a_b-c.example.org:8080",
                                        "http://x",
                                        "https://:443",
                                        "https://a.example.org.",
                                        "wss://a.example.org",
                                        "http://localhost:0",
                                        "http://localhost:65536",
                                        "https://a.example.org:0443",
                                        "https://5.example.org",
                                        "https://x.9"};
    static const char *methods[] = {"GET", "OPTIONS", "POST", "options"};
    static const char *acrms[] = {NULL,    "PUT", "GET",        "PATCH",
                                  "patch", "",    "BAD METHOD", "CONNECT"};
    static const char *acrhs[] = {
        NULL,   "authorization", "Authorization, content-type", "x-requested-with,x-other",
        " , ,", "a b",           "content-type,,authorization", "x-custom, \t"};
    static const char *pnas[] = {NULL, "true"};
    size_t line = 0;
    for (size_t p = 0; p < sizeof(specs) / sizeof(specs[0]); p++) {
        struct cors_policy_builder *b = make_builder(&specs[p]);
        if (p == 1 || p == 3)
            (void)cors_policy_builder_set_allow_private_network(b, true);
        if (p == 2)
            (void)cors_policy_builder_set_preflight_status(b, 204);
        if (p == 3) {
            (void)cors_policy_builder_add_expose_header(b, str("X-Total"));
            (void)cors_policy_builder_set_forward_rejected_preflights(b, true);
        }
        if (p == 5)
            (void)cors_policy_builder_set_report_only(b, true);
        struct cors_policy *pol = build(b, specs[p].flags, NULL);
        cors_policy_builder_free(b);
        for (size_t o = 0; o < sizeof(req_origins) / sizeof(req_origins[0]); o++)
            for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++)
                for (size_t a = 0; a < sizeof(acrms) / sizeof(acrms[0]); a++)
                    for (size_t h = 0; h < sizeof(acrhs) / sizeof(acrhs[0]); h++)
                        for (size_t n = 0; n < 2; n++) {
                            if (m != 1 && (a > 1 || h > 1 || n > 0))
                                continue; /* keep the corpus small */
                            struct cors_str ol[2] = {str(req_origins[o]),
                                                     str("https://example.com")};
                            struct cors_str hl[2] = {str(acrhs[h]), str("x-second")};
                            struct cors_request req = {
                                str(methods[m]),
                                req_origins[o] ? ol : NULL,
                                req_origins[o] ? 1 + (o == 4 && a == 2) : 0,
                                str(acrms[a]),
                                acrhs[h] ? hl : NULL,
                                acrhs[h] ? 1 + (h == 7) : 0,
                                str(pnas[n]),
                            };
                            struct cors_header hd[CORS_HEADERS_MAX];
                            struct cors_result r;
                            size_t cap = (line % 7 == 3) ? 1 : CORS_HEADERS_MAX;
                            enum cors_status st = cors_evaluate(pol, &req, hd, cap, &r);
                            printf("%zu p%zu o%zu m%zu a%zu h%zu n%zu cap%zu: %s %s %s %s "
                                   "handler=%d status=%d ro=%d n=%zu",
                                   line++, p, o, m, a, h, n, cap, cors_status_name(st),
                                   cors_decision_name(r.decision), r.allowed ? "allowed" : "denied",
                                   cors_reason_name(r.reason), r.call_handler, r.status,
                                   r.report_only, r.header_count);
                            size_t shown = r.header_count < cap ? r.header_count : cap;
                            for (size_t k = 0; k < shown; k++)
                                printf(" | %d %.*s: %.*s", (int)hd[k].op, (int)hd[k].name.len,
                                       hd[k].name.ptr, (int)hd[k].value.len, hd[k].value.ptr);
                            printf("\n");
                        }
        cors_policy_unref(pol);
    }
}

/* ------------------------------------------------------------------ main */

static struct scenario *
find(const char *name)
{
    for (size_t i = 0; i < SCENARIO_COUNT; i++)
        if (strcmp(scenarios[i].name, name) == 0)
            return &scenarios[i];
    return NULL;
}

static void
usage(void)
{
    fprintf(stderr, "usage: cors-bench [--markdown] [--runs N] [--ms M] [--only NAME "
                    "[--iterations N]] [--list] [--dump] [--no-build]\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    bool md = false, list = false, do_dump = false, no_build = false;
    int runs = 7;
    double ms = 60;
    const char *only = NULL;
    long long iterations = -1;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--markdown") == 0)
            md = true;
        else if (strcmp(a, "--list") == 0)
            list = true;
        else if (strcmp(a, "--dump") == 0)
            do_dump = true;
        else if (strcmp(a, "--no-build") == 0)
            no_build = true;
        else if (strcmp(a, "--runs") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (strcmp(a, "--ms") == 0 && i + 1 < argc)
            ms = atof(argv[++i]);
        else if (strcmp(a, "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(a, "--iterations") == 0 && i + 1 < argc)
            iterations = atoll(argv[++i]);
        else
            usage();
    }
    if (runs < 1 || runs > 1000 || !(ms > 0))
        usage();

    if (list) {
        for (size_t i = 0; i < SCENARIO_COUNT; i++)
            printf("%s\t%s\n", scenarios[i].name, scenarios[i].what);
        printf("P\tpolicy build for 1, 1 000, 100 000 exact origins\n");
        return EXIT_SUCCESS;
    }
    make_inputs();
    if (do_dump) {
        dump();
        return EXIT_SUCCESS;
    }

    uint64_t sink = 0;
    if (iterations >= 0) {
        struct scenario *s = only ? find(only) : NULL;
        if (s == NULL)
            usage();
        setup(s);
        sink += run_loop(s, (uint64_t)iterations);
        printf("%s: %lld iterations, sink %" PRIu64 "\n", s->name, iterations, sink);
        return EXIT_SUCCESS;
    }

    struct perf pf;
    perf_open(&pf);
    printf("libcors %s, cors-bench: %d runs of ~%.0f ms per scenario; instructions: %s\n",
           cors_version_string(), runs, ms, pf.fd >= 0 ? "perf_event_open" : pf.why);
    print_header(md, pf.why);
    bool any = false;
    bool warm = false;
    for (size_t i = 0; i < SCENARIO_COUNT; i++) {
        if (only != NULL && strcmp(only, scenarios[i].name) != 0)
            continue;
        if (!warm) {
            /* ~200 ms of work first, so the first scenario does not pay for
             * the CPU leaving its idle state */
            setup(&scenarios[i]);
            uint64_t t0 = now_ns();
            while (now_ns() - t0 < 200000000u)
                sink += run_loop(&scenarios[i], 10000);
            warm = true;
        }
        bench_scenario(&scenarios[i], runs, ms, &pf, md, pf.why, &sink);
        any = true;
    }
    if (!no_build && (only == NULL || strcmp(only, "P") == 0)) {
        bench_build(runs, md);
        any = true;
    }
    if (!any)
        usage();
    if (pf.fd < 0)
        printf("\ninstructions %s; run tests/bench/callgrind.sh for a deterministic count\n",
               pf.why);
    printf("(sink %" PRIu64 ")\n", sink & 0xFF);
    return EXIT_SUCCESS;
}
