/*
 * Concurrency (docs/semantics.md §1 "immutable, reference-counted";
 * cors.h "cors_evaluate() thread-safe on a shared policy", atomic ref/unref):
 * several threads evaluate one shared policy, each holding its own
 * reference, and every result equals the single-threaded one. The last
 * reference is dropped by whichever thread finishes last.
 *
 * SPDX-License-Identifier: MIT
 */
#include "test-common.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define ORIGIN "https://app.example.com"
#define THREADS 4
#define ROUNDS 300

static const struct policy_spec spec = {
    .origins = LIST(ORIGIN, "https://*.example.org", "http://localhost:*", "null"),
    .regexes = LIST("https://pr-[0-9]+\\.preview\\.example\\.net", "https://(a+)+[b-z]"),
    .methods = LIST("GET", "PUT", "DELETE"),
    .allow_headers = LIST("X-A", "Content-Type"),
    .expose_headers = LIST("X-E"),
    .has_max_age = true,
    .max_age = 600,
    .credentials = true,
    .private_network = true,
};

static const struct req_spec requests[] = {
    { .method = "GET" },
    { .method = "GET", .origin = ORIGIN },
    { .method = "GET", .origin = "https://a.b.example.org" },
    { .method = "GET", .origin = "http://localhost:3000" },
    { .method = "GET", .origin = "https://pr-7.preview.example.net" },
    { .method = "GET", .origin = "https://evil.example" },
    { .method = "GET", .origin = "null" },
    { .method = "GET", .origin = "https://APP.example.com" },
    { .method = "GET", .origin = "https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT", .acrh = LIST("x-a") },
    { .method = "OPTIONS", .origin = "https://x.example.org", .acrm = "PATCH" },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT", .acrpn = "true" },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "PUT, GET" },
    { .method = "OPTIONS", .origin = "https://evil.example", .acrm = "GET" },
    { .method = "OPTIONS", .origin = ORIGIN, .acrm = "GET", .acrh = LIST("x-b") },
};
#define NREQ (sizeof requests / sizeof requests[0])

/* A result as one comparable string. */
static void
serialize(const struct eval *e, enum cors_status st, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%d|%d|%d|%d|%d|%d|%d|%zu", (int)st, (int)e->r.decision,
                     (int)e->r.allowed, (int)e->r.reason, (int)e->r.call_handler, e->r.status,
                     (int)e->r.report_only, e->r.header_count);
    size_t used = n > 0 ? (size_t)n : 0;
    for (size_t i = 0; i < e->r.header_count && i < CORS_HEADERS_MAX && used < size; i++) {
        n = snprintf(buf + used, size - used, "|%.*s=%.*s/%d", (int)e->h[i].name.len,
                     e->h[i].name.ptr, (int)e->h[i].value.len, e->h[i].value.ptr,
                     (int)e->h[i].op);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

static char expected[NREQ][2048];

struct worker {
    struct cors_policy *policy; /* this thread's own reference */
    size_t mismatches;
    size_t evaluations;
    int id;
};

static void *
work(void *arg)
{
    struct worker *w = arg;
    static _Thread_local struct eval e;
    static _Thread_local char got[2048];
    for (int round = 0; round < ROUNDS; round++) {
        for (size_t k = 0; k < NREQ; k++) {
            size_t i = (k + (size_t)w->id * 3 + (size_t)round) % NREQ;
            req_from_spec(&requests[i], &e);
            enum cors_status st = cors_evaluate(w->policy, &e.req, e.h, CORS_HEADERS_MAX, &e.r);
            serialize(&e, st, got, sizeof got);
            if (strcmp(got, expected[i]) != 0)
                w->mismatches++;
            w->evaluations++;
        }
        /* churn the reference count while others evaluate */
        cors_policy_unref(cors_policy_ref(w->policy));
    }
    cors_policy_unref(w->policy);
    return NULL;
}

START_TEST(test_shared_policy)
{
    struct cors_policy *p = spec_build(&spec);
    struct eval e;
    for (size_t i = 0; i < NREQ; i++) {
        req_from_spec(&requests[i], &e);
        enum cors_status st = cors_evaluate(p, &e.req, e.h, CORS_HEADERS_MAX, &e.r);
        ck_assert_int_eq(st, CORS_OK);
        serialize(&e, st, expected[i], sizeof expected[i]);
    }
    pthread_t tids[THREADS];
    struct worker workers[THREADS];
    for (int t = 0; t < THREADS; t++) {
        workers[t] = (struct worker){ .policy = cors_policy_ref(p), .id = t };
        ck_assert_int_eq(pthread_create(&tids[t], NULL, work, &workers[t]), 0);
    }
    cors_policy_unref(p); /* the threads now own the policy */
    size_t mismatches = 0, evaluations = 0;
    for (int t = 0; t < THREADS; t++) {
        ck_assert_int_eq(pthread_join(tids[t], NULL), 0);
        mismatches += workers[t].mismatches;
        evaluations += workers[t].evaluations;
    }
    ck_assert_uint_eq(evaluations, (size_t)THREADS * ROUNDS * NREQ);
    ck_assert_msg(mismatches == 0, "%zu of %zu concurrent results differ from the "
                  "single-threaded ones", mismatches, evaluations);
}
END_TEST

/* Concurrent ref/unref pairs on one policy leave its count intact. */
static void *
ref_churn(void *arg)
{
    struct cors_policy *p = arg;
    for (int i = 0; i < 20000; i++) {
        struct cors_policy *r = cors_policy_ref(p);
        cors_policy_unref(r);
    }
    return NULL;
}

START_TEST(test_ref_churn)
{
    struct cors_policy *p = spec_build(&spec);
    pthread_t tids[THREADS];
    for (int t = 0; t < THREADS; t++)
        ck_assert_int_eq(pthread_create(&tids[t], NULL, ref_churn, p), 0);
    for (int t = 0; t < THREADS; t++)
        ck_assert_int_eq(pthread_join(tids[t], NULL), 0);
    /* still alive with exactly our reference */
    struct eval e;
    eval_spec(p, &(struct req_spec){ .origin = ORIGIN }, &e);
    ck_assert(e.r.allowed);
    cors_policy_unref(p);
}
END_TEST

static Suite *
threads_suite(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("threads");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_shared_policy);
    tcase_add_test(tc, test_ref_churn);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(threads_suite());
}
