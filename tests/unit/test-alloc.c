/*
 * Allocation (docs/semantics.md §1 "no heap allocation per request"; cors.h
 * "cors_evaluate() never allocates"; struct cors_allocator): zero heap
 * allocations per evaluation on every path, proven two ways:
 *  - the policy's own counting allocator sees no call during evaluations;
 *  - in builds without sanitizers, this program replaces malloc() and
 *    friends (forwarding to glibc's __libc_* functions) and counts every
 *    heap call made anywhere in the process (PCRE2 included) while
 *    evaluating.
 * Also: the builder, policy and diagnostics allocate through the given
 * allocator, free everything, and report out-of-memory as CORS_E_NOMEM.
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include "test-common.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------ process-wide counting */

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HEAP_HOOKS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||                    \
    __has_feature(memory_sanitizer)
#define HEAP_HOOKS 0
#endif
#endif
#if !defined(HEAP_HOOKS) && defined(__GLIBC__)
#define HEAP_HOOKS 1
#endif
#ifndef HEAP_HOOKS
#define HEAP_HOOKS 0
#endif

static volatile int heap_counting;
static volatile size_t heap_calls;

#if HEAP_HOOKS
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *ptr);

void *
malloc(size_t size)
{
    if (heap_counting)
        heap_calls++;
    return __libc_malloc(size);
}

void *
calloc(size_t n, size_t size)
{
    if (heap_counting)
        heap_calls++;
    return __libc_calloc(n, size);
}

void *
realloc(void *ptr, size_t size)
{
    if (heap_counting)
        heap_calls++;
    return __libc_realloc(ptr, size);
}

void
free(void *ptr)
{
    if (heap_counting && ptr != NULL)
        heap_calls++;
    __libc_free(ptr);
}

void *
aligned_alloc(size_t alignment, size_t size)
{
    if (heap_counting)
        heap_calls++;
    return __libc_memalign(alignment, size);
}

int
posix_memalign(void **out, size_t alignment, size_t size)
{
    if (heap_counting)
        heap_calls++;
    void *p = __libc_memalign(alignment, size);
    if (p == NULL)
        return ENOMEM;
    *out = p;
    return 0;
}
#endif

/* A counting allocator whose own calls bypass the process-wide counter. */
static void *
raw_malloc(size_t size)
{
#if HEAP_HOOKS
    return __libc_malloc(size);
#else
    return malloc(size);
#endif
}

static void
raw_free(void *ptr)
{
#if HEAP_HOOKS
    __libc_free(ptr);
#else
    free(ptr);
#endif
}

/* The counting allocator of test-common, on raw_malloc() and raw_free(). */
static struct cors_allocator
quiet_allocator(struct counting_alloc *c)
{
    c->backing_malloc = raw_malloc;
    c->backing_free = raw_free;
    return counting_allocator(c);
}

static void
heap_count_start(void)
{
    heap_calls = 0;
    heap_counting = 1;
}

static size_t
heap_count_stop(void)
{
    heap_counting = 0;
    return heap_calls;
}

/* ---------------------------------------------------------- fixtures */

#define ORIGIN "https://app.example.com"

static const struct policy_spec policies[] = {
    { .origins = LIST(ORIGIN, "https://*.example.org", "http://localhost:*", "null",
                      "https://[::1]:8443"),
      .regexes = LIST("https://pr-[0-9]+\\.preview\\.example\\.net"),
      .methods = LIST("GET", "PUT", "DELETE"), .allow_headers = LIST("X-A", "Content-Type"),
      .expose_headers = LIST("X-E"), .has_max_age = true, .max_age = 600, .credentials = true,
      .private_network = true },
    { .origins = LIST("*"), .expose_headers = LIST("X-E"), .methods = LIST("PUT") },
    { .origins = LIST("*"), .methods = LIST("*"), .allow_headers = LIST("*"),
      .credentials = true },
    { .origins = LIST(ORIGIN), .methods = LIST("*"), .allow_headers = LIST("*"),
      .forward_rejected = true, .reject_status = 204, .preflight_status = 204 },
    { .origins = LIST(ORIGIN), .report_only = true, .methods = LIST("PUT") },
    { .regexes = LIST("https://(a+)+[b-z]", "https://[a-z]+\\.example\\.com(:[0-9]+)?") },
};

static const struct req_spec requests[] = {
    { .method = "GET" },
    { .method = "OPTIONS", .acrm = "PUT" },
    { .method = "GET", .origin = ORIGIN },
    { .method = "POST", .origin = "https://a.b.example.org" },
    { .method = "GET", .origin = "http://localhost:5173" },
    { .method = "GET", .origin = "https://pr-9.preview.example.net" },
    { .method = "GET", .origin = "https://pr-x.preview.example.net" },
    { .method = "GET", .origin = "https://app.example.com:8443" },
    { .method = "GET", .origin = "https://evil.example" },
    { .method = "GET", .origin = "null" },
    { .method = "GET", .origin = "https://[::1]:8443" },
    { .method = "GET", .origin = "https://APP.example.com/" },
    { .method = "GET", .origin = "" },
    { .method = "GET", .origins = LIST(ORIGIN, ORIGIN) },
    { .method = "OPTIONS", .origin = ORIGIN },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT", .acrh = LIST("x-a") },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "PATCH" },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT", .acrh = LIST("x-b") },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT", .acrpn = "true" },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "GET, PUT" },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "" },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT", .acrh = LIST("x y") },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT",
      .acrh = LIST("x-1", "x-2", "x-3", "x-4", "x-5", "x-6", "x-7", "x-8") },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT",
      .acrh = LIST("x-1", "x-2", "x-3", "x-4", "x-5", "x-6", "x-7", "x-8", "x-9") },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT",
      .acrh = LIST(" authorization , x-a ,, content-type ") },
    { .method = "OPTIONS", .origin = "https://evil.example", .acrm = "PUT" },
    { .method = "OPTIONS", .origin = "https://a.example.org", .acrm = "DELETE",
      .acrh = LIST("content-type") },
    { .method = "OPTIONS", .origin = "null", .acrm = "GET" },
    { .method = "GET", .origin = "https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
    { .method = "OPTIONS", .origin = "https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      .acrm = "GET" },
    { .method = "GET", .origin = "https://zz.example.com:8080" },
    { .method = "GET", .origin = "https://aab" },
};

#define NREQ (sizeof requests / sizeof requests[0])
#define NPOL (sizeof policies / sizeof policies[0])

/* Every request against every policy (JIT and no JIT), counting allocator
 * and process heap both watched. */
START_TEST(test_zero_allocations_per_evaluation)
{
    static struct eval evals[NREQ];
    static enum cors_status statuses[NREQ];
    for (size_t pi = 0; pi < NPOL; pi++)
        for (unsigned flags = 0; flags <= CORS_BUILD_NO_JIT; flags += CORS_BUILD_NO_JIT) {
            struct counting_alloc c = { 0 };
            struct cors_allocator a = quiet_allocator(&c);
            struct cors_policy_builder *b = spec_builder(&policies[pi], &a);
            struct cors_policy *p = cors_policy_build(b, flags, NULL, NULL);
            ck_assert_msg(p != NULL, "policy %zu", pi);
            cors_policy_builder_free(b);
            ck_assert_uint_gt(c.mallocs, 0); /* the allocator is used ... */
            for (size_t i = 0; i < NREQ; i++)
                req_from_spec(&requests[i], &evals[i]);
            size_t before_m = c.mallocs, before_f = c.frees;

            heap_count_start();
            for (int round = 0; round < 3; round++)
                for (size_t i = 0; i < NREQ; i++)
                    statuses[i] = cors_evaluate(p, &evals[i].req, evals[i].h, CORS_HEADERS_MAX,
                                                &evals[i].r);
            size_t heap = heap_count_stop();

            ck_assert_msg(c.mallocs == before_m && c.frees == before_f,
                          "policy %zu flags %u: %zu allocator calls during evaluation", pi,
                          flags, (c.mallocs - before_m) + (c.frees - before_f));
            ck_assert_msg(heap == 0, "policy %zu flags %u: %zu heap calls during evaluation",
                          pi, flags, heap);
            for (size_t i = 0; i < NREQ; i++) {
                char msg[1024];
                ck_assert_msg(statuses[i] == CORS_OK, "policy %zu request %zu: %s", pi, i,
                              cors_status_name(statuses[i]));
                ck_assert_msg(check_result_invariants(&evals[i], msg, sizeof msg),
                              "policy %zu request %zu: %s", pi, i, msg);
            }
            cors_policy_unref(p);
            ck_assert_uint_eq(c.live, 0); /* ... and everything is given back */
            ck_assert_uint_eq(c.mallocs, c.frees);
        }
    if (!HEAP_HOOKS)
        fprintf(stderr, "note: process-wide heap counting is off in this build "
                        "(sanitizer or non-glibc); the policy allocator was still checked\n");
}
END_TEST

/* The regex limit path (pathological pattern, JIT and interpreter) and the
 * NOSPACE path allocate nothing either. */
START_TEST(test_zero_allocations_edge_paths)
{
    struct cors_policy *p = spec_build(&policies[5]);
    struct cors_policy *nojit;
    {
        struct cors_policy_builder *b = spec_builder(&policies[5], NULL);
        nojit = cors_policy_build(b, CORS_BUILD_NO_JIT, NULL, NULL);
        cors_policy_builder_free(b);
    }
    ck_assert_ptr_nonnull(nojit);
    struct eval e1, e2, e3;
    req_from_spec(&requests[28], &e1);
    req_from_spec(&requests[28], &e2);
    req_from_spec(&requests[15], &e3);
    struct cors_policy *full = spec_build(&policies[0]);
    enum cors_status s1, s2, s3;
    heap_count_start();
    s1 = cors_evaluate(p, &e1.req, e1.h, CORS_HEADERS_MAX, &e1.r);
    s2 = cors_evaluate(nojit, &e2.req, e2.h, CORS_HEADERS_MAX, &e2.r);
    s3 = cors_evaluate(full, &e3.req, e3.h, 1, &e3.r);
    size_t heap = heap_count_stop();
    ck_assert_uint_eq(heap, 0);
    ck_assert_int_eq(s1, CORS_OK);
    ck_assert_int_eq(s2, CORS_OK);
    ck_assert_int_eq(s3, CORS_E_NOSPACE);
    ck_assert_int_eq(e1.r.reason, CORS_REASON_ORIGIN_REGEX_LIMIT);
    ck_assert_int_eq(e2.r.reason, CORS_REASON_ORIGIN_REGEX_LIMIT);
    cors_policy_unref(p);
    cors_policy_unref(nojit);
    cors_policy_unref(full);
}
END_TEST

/* With an allocator given, building allocates only through it: no plain
 * malloc() anywhere in the process (exact origins, regexes and lists; IDNA
 * and public-suffix lookups are external libraries and left out). */
START_TEST(test_build_uses_only_the_allocator)
{
    struct policy_spec s = {
        .origins = LIST(ORIGIN, "http://localhost:8080"),
        .regexes = LIST("https://pr-[0-9]+\\.preview\\.example\\.net"),
        .methods = LIST("GET", "PUT"), .allow_headers = LIST("X-A"),
        .expose_headers = LIST("X-E"), .credentials = true,
    };
    struct counting_alloc c = { 0 };
    struct cors_allocator a = quiet_allocator(&c);
    for (unsigned flags = 0; flags <= CORS_BUILD_NO_JIT; flags += CORS_BUILD_NO_JIT) {
        struct cors_diagnostics *d = cors_diagnostics_new(&a);
        ck_assert_ptr_nonnull(d);
        struct cors_policy_builder *b = spec_builder(&s, &a);
        heap_count_start();
        struct cors_policy *p = cors_policy_build(b, flags, d, NULL);
        size_t heap = heap_count_stop();
        ck_assert_ptr_nonnull(p);
        ck_assert_msg(heap == 0, "flags %u: %zu plain heap calls while building", flags, heap);
        cors_policy_builder_free(b);
        cors_diagnostics_free(d);
        cors_policy_unref(p);
    }
    ck_assert_uint_gt(c.mallocs, 0);
    ck_assert_uint_eq(c.live, 0);
}
END_TEST

/* Diagnostics lists use their allocator and give everything back. */
START_TEST(test_diagnostics_allocator)
{
    struct counting_alloc c = { 0 };
    struct cors_allocator a = quiet_allocator(&c);
    struct cors_diagnostics *d = cors_diagnostics_new(&a);
    ck_assert_ptr_nonnull(d);
    struct cors_policy_builder *b = spec_builder(
        &(struct policy_spec){ .origins = LIST("bad", "worse", "null"),
                               .methods = LIST("G T", "patch"),
                               .regexes = LIST("(") }, NULL);
    ck_assert_ptr_null(cors_policy_build(b, 0, d, NULL));
    ck_assert_uint_ge(cors_diagnostics_count(d), 5);
    ck_assert_uint_gt(c.mallocs, 0);
    cors_diagnostics_clear(d);
    cors_diagnostics_free(d);
    cors_policy_builder_free(b);
    ck_assert_uint_eq(c.live, 0);
}
END_TEST

/* The text loader keeps its temporary tree in the library's pool, with the
 * builder's allocator (cors.h: every allocating object uses the caller's
 * allocator), and gives it all back: a text with no CORS policy makes no
 * builder call and no diagnostic (diags NULL), so every allocation seen is
 * the tree's. (libyaml's own parser state uses malloc: it has no hook.) */
START_TEST(test_text_tree_uses_the_allocator)
{
#if TEST_HAVE_YAML
    static const char text[] = "kind: Service\nmetadata: {name: web, namespace: prod}\n"
                               "spec: {ports: [80, 443], selector: {app: web}}\n";
    struct counting_alloc c = {0};
    struct cors_allocator a = quiet_allocator(&c);
    struct cors_policy_builder *b = cors_policy_builder_new(&a);
    ck_assert_ptr_nonnull(b);
    size_t mallocs = c.mallocs, live = c.live;
    ck_assert_int_eq(cors_policy_builder_load_text(b, CORS_STR(text), 0, NULL),
                     CORS_E_INVALID_POLICY);
    ck_assert_uint_gt(c.mallocs, mallocs);
    ck_assert_uint_eq(c.live, live);
    cors_policy_builder_free(b);
    ck_assert_uint_eq(c.live, 0);

    /* the tree's first allocation refused: out of memory, not a parse */
    c = (struct counting_alloc){0};
    a = quiet_allocator(&c);
    b = cors_policy_builder_new(&a);
    ck_assert_ptr_nonnull(b);
    c.fail_at = c.mallocs + 1;
    ck_assert_int_eq(cors_policy_builder_load_text(b, CORS_STR(text), 0, NULL), CORS_E_NOMEM);
    cors_policy_builder_free(b);
    ck_assert_uint_eq(c.live, 0);
#endif
}
END_TEST

/* Fail the n-th allocation for every n: setters report CORS_E_NOMEM, the
 * build returns NULL with CORS_E_NOMEM, nothing leaks, and once enough
 * allocations succeed the policy works. */
/* Every allocation of a builder's life (setters, source, text, build) fails
 * in turn. The caller ignores every setter's result, as most callers do:
 * the build must still never succeed with an entry missing (cors.h, sticky
 * builder errors). A build either fails with the failing call's status and a
 * builder-call-failed diagnostic naming it, or yields the complete policy
 * (the same effective JSON as a build without failures). */
#define OOM_SOURCE "oom test"
#define OOM_TEXT "allowOrigins: [\"https://text.example\"]\nallowMethods: [PATCH]\n"

static struct cors_policy *
oom_build(struct counting_alloc *c, bool use_text, struct cors_diagnostics *d,
          enum cors_status *st, struct cors_policy_builder **out_b)
{
    struct cors_allocator a = quiet_allocator(c);
    struct cors_policy_builder *b = cors_policy_builder_new(&a);
    *out_b = b;
    if (b == NULL)
        return NULL;
    static const char *const origins[] = { ORIGIN, "https://*.example.org", "http://localhost:*",
                                           NULL };
    static const char *const regexes[] = { "https://pr-[0-9]+\\.preview\\.example\\.net",
                                           NULL };
    static const char *const methods[] = { "GET", "PUT", NULL };
    static const char *const allow[] = { "X-A", "X-B", NULL };
    static const char *const expose[] = { "X-E", NULL };
    const char *const *lists[] = { origins, regexes, methods, allow, expose };
    enum cors_status (*adders[])(struct cors_policy_builder *, struct cors_str) = {
        cors_policy_builder_add_origin, cors_policy_builder_add_origin_regex,
        cors_policy_builder_add_method, cors_policy_builder_add_allow_header,
        cors_policy_builder_add_expose_header,
    };
    /* results deliberately ignored: the build is the one check */
    for (size_t l = 0; l < 5; l++)
        for (size_t i = 0; lists[l][i] != NULL; i++)
            (void)adders[l](b, cors_str_from_cstr(lists[l][i]));
    (void)cors_policy_builder_set_max_age(b, 60);
    (void)cors_policy_builder_set_source(b, CORS_STR(OOM_SOURCE));
    if (use_text)
        (void)cors_policy_builder_load_text(b, CORS_STR(OOM_TEXT), 0, NULL);
    return cors_policy_build(b, 0, d, st);
}

static void
oom_run(bool use_text)
{
    /* the complete policy, built without failures */
    char want[4096], got[4096];
    struct counting_alloc ok = { .fail_at = 0 };
    struct cors_policy_builder *b;
    enum cors_status st = CORS_OK;
    struct cors_policy *full = oom_build(&ok, use_text, NULL, &st, &b);
    ck_assert_ptr_nonnull(full);
    ck_assert_uint_lt(cors_policy_to_json(full, want, sizeof want), sizeof want);
    cors_policy_unref(full);
    cors_policy_builder_free(b);

    size_t builds = 0, refused_sticky = 0;
    for (size_t n = 1; n < 4000; n++) {
        struct counting_alloc c = { .fail_at = n };
        struct cors_diagnostics *d = cors_diagnostics_new(NULL);
        ck_assert_ptr_nonnull(d);
        st = CORS_OK;
        struct cors_policy *p = oom_build(&c, use_text, d, &st, &b);
        if (c.failed == 0) {
            /* n is past the last allocation: the complete policy */
            ck_assert_ptr_nonnull(p);
            cors_policy_unref(p);
            cors_policy_builder_free(b);
            cors_diagnostics_free(d);
            ck_assert(builds == 0);
            ck_assert_msg(refused_sticky > 0, "no setter allocation was ever failed");
            return;
        }
        if (p != NULL) {
            /* a build that succeeded despite a failure must be complete */
            ck_assert_uint_lt(cors_policy_to_json(p, got, sizeof got), sizeof got);
            ck_assert_msg(strcmp(got, want) == 0, "n=%zu: incomplete policy built:\n%s\nwant\n%s",
                          n, got, want);
            builds++;
            cors_policy_unref(p);
        } else if (b != NULL) {
            ck_assert_msg(st == CORS_E_NOMEM, "n=%zu: build status %s", n, cors_status_name(st));
            ck_assert_int_eq(cors_policy_builder_status(b) == CORS_OK ||
                                 cors_policy_builder_status(b) == CORS_E_NOMEM,
                             1);
            if (cors_policy_builder_status(b) == CORS_E_NOMEM) {
                /* the failure happened in a setter: the build says which */
                ck_assert_uint_ge(cors_diagnostics_count(d), 1);
                const struct cors_diagnostic *diag = cors_diagnostics_get(d, 0);
                ck_assert_int_eq(diag->code, CORS_DIAG_BUILDER_CALL_FAILED);
                ck_assert_ptr_nonnull(strstr(diag->message.ptr, "cors_policy_builder_"));
                refused_sticky++;
            }
        }
        cors_policy_builder_free(b);
        cors_diagnostics_free(d);
        ck_assert_msg(c.live == 0, "n=%zu: %zu allocations leaked", n, c.live);
    }
    ck_abort_msg("more than 4000 allocations");
}

START_TEST(test_out_of_memory)
{
    oom_run(false);
}
END_TEST

START_TEST(test_out_of_memory_with_text)
{
#if TEST_HAVE_YAML
    oom_run(true);
#else
    oom_run(false);
#endif
}
END_TEST

static Suite *
alloc_suite(void)
{
    Suite *s = suite_create("alloc");
    TCase *tc = tcase_create("alloc");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_zero_allocations_per_evaluation);
    tcase_add_test(tc, test_zero_allocations_edge_paths);
    tcase_add_test(tc, test_build_uses_only_the_allocator);
    tcase_add_test(tc, test_diagnostics_allocator);
    tcase_add_test(tc, test_text_tree_uses_the_allocator);
    tcase_add_test(tc, test_out_of_memory);
    tcase_add_test(tc, test_out_of_memory_with_text);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(alloc_suite());
}
