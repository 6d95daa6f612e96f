/*
 * Thread-safety stress test (suite "stress"): 8 threads evaluate requests
 * against a shared policy while another thread swaps in a new policy 10 000
 * times. Policies are reference-counted: the handoff in this test is a
 * mutex-protected pointer; each evaluation takes a reference under the mutex,
 * evaluates without it, checks the result against the policy variant it
 * holds (reading the borrowed header values, which live in the policy), and
 * drops the reference. The swapper drops the old policy's reference after
 * the swap, so the last reference is released by whichever thread holds it:
 * the library's atomic reference count must make that safe. Built with
 * -Db_sanitize=thread this must report no race; with address, no leak and
 * no use after free.
 *
 * Plain C (no Check): the threads need no fork, and exit status 0 = pass.
 *
 * SPDX-License-Identifier: MIT
 */
#include <cors/cors.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVALUATORS 8
#define SWAPS 10000
#define VARIANTS 3

/* The shared slot: policy and the variant it was built as. */
struct slot {
    pthread_mutex_t lock;
    struct cors_policy *policy;
    int variant;
};

static struct slot shared = {PTHREAD_MUTEX_INITIALIZER, NULL, 0};
static atomic_bool done;
static atomic_long evaluations;
static atomic_long failures;

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        if (atomic_fetch_add(&failures, 1) < 10) {                                                 \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

/*
 * Variant 0: exact origins with credentials.
 * Variant 1: public "*" (no credentials), expose x-total.
 * Variant 2: a subdomain wildcard and a regex, allowHeaders "*".
 */
static struct cors_policy *
build(int variant, unsigned serial)
{
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    if (b == NULL)
        return NULL;
    char source[64];
    snprintf(source, sizeof source, "stress policy %u", serial);
    (void)cors_policy_builder_set_source(b, cors_str_from_cstr(source));
    switch (variant) {
    case 0:
        (void)cors_policy_builder_add_origin(b, CORS_STR("https://app.example.com"));
        (void)cors_policy_builder_add_origin(b, CORS_STR("https://admin.example.com"));
        (void)cors_policy_builder_add_method(b, CORS_STR("PUT"));
        (void)cors_policy_builder_add_allow_header(b, CORS_STR("x-token"));
        (void)cors_policy_builder_set_allow_credentials(b, true);
        (void)cors_policy_builder_set_max_age(b, 600);
        break;
    case 1:
        (void)cors_policy_builder_add_origin(b, CORS_STR("*"));
        (void)cors_policy_builder_add_expose_header(b, CORS_STR("x-total"));
        (void)cors_policy_builder_add_method(b, CORS_STR("PUT"));
        (void)cors_policy_builder_add_allow_header(b, CORS_STR("x-token"));
        break;
    default:
        (void)cors_policy_builder_add_origin(b, CORS_STR("https://*.example.com"));
        (void)cors_policy_builder_add_origin_regex(b, CORS_STR("https://[a-z]+\\.example\\.org"));
        (void)cors_policy_builder_add_method(b, CORS_STR("PUT"));
        (void)cors_policy_builder_add_allow_header(b, CORS_STR("*"));
        break;
    }
    enum cors_status st;
    struct cors_policy *p = cors_policy_build(b, 0, NULL, &st);
    cors_policy_builder_free(b);
    return p;
}

static struct cors_policy *
acquire(int *variant)
{
    pthread_mutex_lock(&shared.lock);
    struct cors_policy *p = cors_policy_ref(shared.policy);
    *variant = shared.variant;
    pthread_mutex_unlock(&shared.lock);
    return p;
}

static const struct cors_header *
find(const struct cors_result *r, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < r->header_count; i++)
        if (r->headers[i].name.len == n && memcmp(r->headers[i].name.ptr, name, n) == 0)
            return &r->headers[i];
    return NULL;
}

static bool
value_is(const struct cors_header *h, const char *v)
{
    size_t n = strlen(v);
    return h != NULL && h->value.len == n && memcmp(h->value.ptr, v, n) == 0;
}

/* The origins each thread cycles through, and whether each variant allows them. */
static const struct {
    const char *origin;
    bool allowed[VARIANTS];
} cases[] = {
    {"https://app.example.com", {true, true, true}},
    {"https://evil.test", {false, true, false}},
    {"https://x.example.org", {false, true, true}},
    {"null", {false, true, false}},
};
#define NCASES (sizeof cases / sizeof cases[0])

static void
check(int variant, const struct cors_policy *p, size_t c, bool preflight,
      const struct cors_result *r)
{
    const char *origin = cases[c].origin;
    bool want = cases[c].allowed[variant];
    if (r->allowed != want) {
        FAIL("variant %d, %s: allowed %d, want %d (%s)", variant, origin, r->allowed, want,
             cors_reason_name(r->reason));
        return;
    }
    const struct cors_header *acao = find(r, "Access-Control-Allow-Origin");
    const struct cors_header *acac = find(r, "Access-Control-Allow-Credentials");
    if (variant == 1) {
        if (!value_is(acao, "*") || acac != NULL)
            FAIL("variant 1, %s: not the public answer", origin);
        if (!preflight && !value_is(find(r, "Access-Control-Expose-Headers"), "x-total"))
            FAIL("variant 1: expose header missing");
    } else if (want) {
        if (!value_is(acao, origin))
            FAIL("variant %d, %s: origin not echoed", variant, origin);
        if ((acac != NULL) != (variant == 0))
            FAIL("variant %d: credentials header %s", variant, acac ? "present" : "missing");
    } else if (acao != NULL || acac != NULL) {
        FAIL("variant %d, %s: denied origin with allow headers", variant, origin);
    }
    if (preflight && want) {
        const struct cors_header *methods = find(r, "Access-Control-Allow-Methods");
        if (methods == NULL || memchr(methods->value.ptr, 'P', methods->value.len) == NULL)
            FAIL("variant %d: methods header missing", variant);
    }
    /* a value borrowed from the policy: its source text must still be readable */
    struct cors_str src = cors_policy_source(p);
    if (src.len < 13 || memcmp(src.ptr, "stress policy", 13) != 0)
        FAIL("policy source unreadable");
}

static void *
evaluator(void *arg)
{
    size_t seed = (size_t)(uintptr_t)arg;
    long n = 0;
    struct cors_str rh = CORS_STR("x-token");
    while (!atomic_load_explicit(&done, memory_order_relaxed) || n == 0) {
        int variant;
        struct cors_policy *p = acquire(&variant);
        size_t c = (seed + (size_t)n) % NCASES;
        bool preflight = (n & 1) != 0;
        struct cors_str origin = cors_str_from_cstr(cases[c].origin);
        struct cors_request rq = {
            .method = preflight ? CORS_STR("OPTIONS") : CORS_STR("GET"),
            .origins = &origin,
            .origin_count = 1,
            .request_method = preflight ? CORS_STR("PUT") : (struct cors_str){NULL, 0},
            .request_headers = preflight ? &rh : NULL,
            .request_header_count = preflight ? 1 : 0,
        };
        struct cors_header h[CORS_HEADERS_MAX];
        struct cors_result r;
        if (cors_evaluate(p, &rq, h, CORS_HEADERS_MAX, &r) != CORS_OK)
            FAIL("evaluate failed");
        else
            check(variant, p, c, preflight, &r);
        cors_policy_unref(p);
        n++;
    }
    atomic_fetch_add(&evaluations, n);
    return NULL;
}

static void *
swapper(void *arg)
{
    (void)arg;
    for (unsigned i = 1; i <= SWAPS; i++) {
        int variant = (int)(i % VARIANTS);
        struct cors_policy *next = build(variant, i);
        if (next == NULL) {
            FAIL("policy %u (variant %d) did not build", i, variant);
            break;
        }
        pthread_mutex_lock(&shared.lock);
        struct cors_policy *old = shared.policy;
        shared.policy = next;
        shared.variant = variant;
        pthread_mutex_unlock(&shared.lock);
        cors_policy_unref(old); /* maybe not the last reference */
    }
    atomic_store(&done, true);
    return NULL;
}

int
main(void)
{
    shared.policy = build(0, 0);
    if (shared.policy == NULL) {
        fprintf(stderr, "the first policy did not build\n");
        return EXIT_FAILURE;
    }
    pthread_t threads[EVALUATORS], swap;
    for (size_t i = 0; i < EVALUATORS; i++)
        if (pthread_create(&threads[i], NULL, evaluator, (void *)(uintptr_t)i) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return EXIT_FAILURE;
        }
    if (pthread_create(&swap, NULL, swapper, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return EXIT_FAILURE;
    }
    pthread_join(swap, NULL);
    for (size_t i = 0; i < EVALUATORS; i++)
        pthread_join(threads[i], NULL);
    cors_policy_unref(shared.policy);

    long f = atomic_load(&failures);
    printf("%d swaps, %ld evaluations on %d threads, %ld failures\n", SWAPS,
           atomic_load(&evaluations), EVALUATORS, f);
    return f == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
