/*
 * The origin predicate under load (cors.h cors_origin_predicate: "called
 * from any thread at once"): evaluator threads share one policy whose
 * predicate reads examples/dynamic-origins' tenant set, while a writer
 * replaces the set again and again. Every answer must come from the old or
 * the new set, never a torn one. Run under TSan by tools/ci.d/20-sanitizers.sh
 * (suite "stress").
 *
 * SPDX-License-Identifier: MIT
 */
#include "../../examples/dynamic-origins/tenant-set.h"

#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READERS 4
#define SWAPS 2000

/* Set A: always + a-only; set B: always + b-only. */
static const char set_a[] = "https://always.example\nhttps://a-only.example\n";
static const char set_b[] = "https://always.example\nhttps://b-only.example\n";

struct shared {
    const struct cors_policy *policy;
    atomic_bool stop;
    atomic_size_t evaluations;
    atomic_size_t wrong;
};

static bool
allowed(const struct cors_policy *p, const char *origin, enum cors_field *by)
{
    struct cors_request_fields f;
    cors_request_fields_init(&f, CORS_STR("GET"));
    cors_request_fields_add(&f, CORS_STR("Origin"), cors_str_from_cstr(origin));
    struct cors_request rq;
    cors_request_fields_to_request(&f, &rq);
    struct cors_header h[CORS_HEADERS_MAX];
    struct cors_result r;
    if (cors_evaluate(p, &rq, h, CORS_HEADERS_MAX, &r) != CORS_OK)
        return false;
    *by = r.matched_field;
    return r.allowed;
}

static void *
reader(void *arg)
{
    struct shared *s = arg;
    while (!atomic_load(&s->stop)) {
        enum cors_field by = CORS_FIELD_NONE;
        bool ok = allowed(s->policy, "https://always.example", &by) &&
                  by == CORS_FIELD_ORIGIN_PREDICATE &&
                  !allowed(s->policy, "https://never.example", &by) &&
                  allowed(s->policy, "https://static.example", &by) &&
                  by == CORS_FIELD_ALLOW_ORIGINS;
        /* a-only and b-only: either answer, depending on the generation */
        (void)allowed(s->policy, "https://a-only.example", &by);
        (void)allowed(s->policy, "https://b-only.example", &by);
        if (!ok)
            atomic_fetch_add(&s->wrong, 1);
        atomic_fetch_add(&s->evaluations, 1);
    }
    return NULL;
}

START_TEST(test_swaps_under_load)
{
    struct tenant_set *ts = tenant_set_new();
    ck_assert_ptr_nonnull(ts);
    char err[256];
    ck_assert(tenant_set_load(ts, set_a, strlen(set_a), err, sizeof err));

    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    cors_policy_builder_add_origin(b, CORS_STR("https://static.example"));
    cors_policy_builder_set_origin_predicate(b, tenant_set_predicate, ts);
    struct cors_policy *p = cors_policy_build(b, 0, NULL, NULL);
    cors_policy_builder_free(b);
    ck_assert_ptr_nonnull(p);

    struct shared s = { .policy = p };
    pthread_t threads[READERS];
    for (int i = 0; i < READERS; i++)
        ck_assert_int_eq(pthread_create(&threads[i], NULL, reader, &s), 0);
    for (int i = 0; i < SWAPS; i++) {
        const char *text = (i & 1) ? set_a : set_b;
        ck_assert_msg(tenant_set_load(ts, text, strlen(text), err, sizeof err), "%s", err);
        /* a bad generation is refused and changes nothing */
        if (i % 100 == 0)
            ck_assert(!tenant_set_load(ts, "https://x.example/path\n", 23, err, sizeof err));
    }
    atomic_store(&s.stop, true);
    for (int i = 0; i < READERS; i++)
        pthread_join(threads[i], NULL);

    ck_assert_uint_eq(atomic_load(&s.wrong), 0);
    ck_assert_uint_gt(atomic_load(&s.evaluations), 0);
    ck_assert_uint_eq(tenant_set_count(ts), 2);
    cors_policy_unref(p);
    tenant_set_free(ts);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("dynamic-origins");
    TCase *tc = tcase_create("swaps");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_swaps_under_load);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
