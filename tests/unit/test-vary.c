/*
 * Vary (docs/semantics.md §4.4 "Vary"; docs/decisions.md "Headers and lists"): which
 * responses carry it and with which names, always as a MERGE_VARY entry;
 * and cors_merge_vary(), which merges without duplicates or clobbering.
 *
 * SPDX-License-Identifier: MIT
 */
#include "test-common.h"

#include <string.h>

/* ------------------------------------------------------ cors_merge_vary */

static const char *
merge(const char *existing, const char *addition, char *buf, size_t size)
{
    size_t need = cors_merge_vary(cors_str_from_cstr(existing), cors_str_from_cstr(addition),
                                  buf, size);
    ck_assert_uint_lt(need, size);
    ck_assert_uint_eq(strlen(buf), need);
    return buf;
}

START_TEST(test_merge_basic)
{
    char buf[256];
    ck_assert_str_eq(merge(NULL, "Origin", buf, sizeof buf), "Origin");
    ck_assert_str_eq(merge("", "Origin", buf, sizeof buf), "Origin");
    /* existing names are kept as they are, and first */
    merge("Accept-Encoding", "Origin", buf, sizeof buf);
    ck_assert_msg(strncmp(buf, "Accept-Encoding", 15) == 0, "'%s'", buf);
    ck_assert(name_list_equal(cors_str_from_cstr(buf), LIST("Accept-Encoding", "Origin")));
    /* no duplicates, case-insensitive; the existing spelling wins */
    ck_assert_str_eq(merge("origin", "Origin", buf, sizeof buf), "origin");
    ck_assert_str_eq(merge("Accept-Encoding, ORIGIN", "Origin", buf, sizeof buf),
                     "Accept-Encoding, ORIGIN");
    merge("Accept-Encoding, Origin",
          "Origin, Access-Control-Request-Method, Access-Control-Request-Headers", buf,
          sizeof buf);
    ck_assert_msg(strncmp(buf, "Accept-Encoding, Origin", 23) == 0, "'%s'", buf);
    ck_assert(name_list_equal(cors_str_from_cstr(buf),
                              LIST("Accept-Encoding", "Origin", "Access-Control-Request-Method",
                                   "Access-Control-Request-Headers")));
    /* '*' stays '*' */
    ck_assert_str_eq(merge("*", "Origin", buf, sizeof buf), "*");
    /* OWS and empty elements in the existing value */
    merge(" Accept ,  , origin ", "Origin,Accept-Language", buf, sizeof buf);
    ck_assert(name_list_equal(cors_str_from_cstr(buf), LIST("Accept", "origin",
                                                            "Accept-Language")));
    /* merging twice is idempotent */
    char once[256], twice[256];
    merge("Accept-Encoding", "Origin", once, sizeof once);
    merge(once, "Origin", twice, sizeof twice);
    ck_assert_str_eq(once, twice);
    /* a name that merely contains another is not a duplicate */
    merge("X-Origin", "Origin", buf, sizeof buf);
    ck_assert(name_list_equal(cors_str_from_cstr(buf), LIST("X-Origin", "Origin")));
    merge("Origin-X", "Origin", buf, sizeof buf);
    ck_assert(name_list_equal(cors_str_from_cstr(buf), LIST("Origin-X", "Origin")));
}
END_TEST

START_TEST(test_merge_snprintf)
{
    struct cors_str ex = CORS_STR("Accept-Encoding");
    struct cors_str add = CORS_STR("Origin");
    char full[64];
    size_t need = cors_merge_vary(ex, add, full, sizeof full);
    ck_assert_uint_eq(strlen(full), need);
    /* size 0: nothing written, length still returned */
    ck_assert_uint_eq(cors_merge_vary(ex, add, NULL, 0), need);
    char small[8];
    memset(small, 'Q', sizeof small);
    ck_assert_uint_eq(cors_merge_vary(ex, add, small, sizeof small), need);
    ck_assert_int_eq(small[7], '\0');
    ck_assert_int_eq(strncmp(small, full, 7), 0);
    char one[1] = { 'Q' };
    ck_assert_uint_eq(cors_merge_vary(ex, add, one, 1), need);
    ck_assert_int_eq(one[0], '\0');
    /* exactly need+1 */
    char exact[64];
    ck_assert_uint_eq(cors_merge_vary(ex, add, exact, need + 1), need);
    ck_assert_str_eq(exact, full);
    /* reads only up to the lengths */
    struct cors_str gex = guarded_str("Accept", 6);
    struct cors_str gadd = guarded_str("Origin", 6);
    char g[64];
    cors_merge_vary(gex, gadd, g, sizeof g);
    ck_assert(name_list_equal(cors_str_from_cstr(g), LIST("Accept", "Origin")));
    guard_free_all();
}
END_TEST

/* Applying the library's Vary entry to a response that already varies. */
START_TEST(test_merge_result_into_host_vary)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){ .origins = LIST("https://a.example") });
    struct eval e;
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = "https://a.example",
                                     .acrm = "GET" }, &e);
    const struct cors_header *v = find_header(&e, H_VARY);
    ck_assert_ptr_nonnull(v);
    char buf[256];
    cors_merge_vary(CORS_STR("Accept-Encoding, Origin"), v->value, buf, sizeof buf);
    ck_assert_msg(strncmp(buf, "Accept-Encoding, Origin", 23) == 0, "'%s'", buf);
    ck_assert(name_list_equal(cors_str_from_cstr(buf),
                              LIST("Accept-Encoding", "Origin", "Access-Control-Request-Method",
                                   "Access-Control-Request-Headers")));
    cors_policy_unref(p);
}
END_TEST

/* ------------------------------------------------- Vary on every response */

/* Policies: the origin-dependent ones and the public one. */
static const struct policy_spec vary_specs[] = {
    { .origins = LIST("https://a.example") },
    { .origins = LIST("https://*.a.example", "http://localhost:*"), .credentials = true },
    { .regexes = LIST("https://[a-z]+\\.a\\.example") },
    { .origins = LIST("*"), .credentials = true },
    { .origins = LIST("null", "https://a.example") },
    { .origins = LIST("https://a.example"), .forward_rejected = true, .reject_status = 204 },
    { .origins = LIST("https://a.example"), .private_network = true },
    { .origins = LIST("*") },                                 /* public */
    { .origins = LIST("*"), .private_network = true },        /* public, PNA */
};

START_TEST(test_vary_matrix)
{
    const struct policy_spec *s = &vary_specs[_i];
    bool public_policy = s->origins != NULL && strcmp(s->origins[0], "*") == 0 &&
                         !s->credentials;
    const char *const *pre = s->private_network ? VARY_PREFLIGHT_PNA : VARY_PREFLIGHT;
    struct cors_policy *p = spec_build(s);
    struct {
        struct req_spec rq;
        bool preflight;
    } cases[] = {
        { { .method = "GET" }, false },
        { { .method = "OPTIONS" }, false },
        { { .method = "GET", .origin = "https://a.example" }, false },
        { { .method = "POST", .origin = "https://x.a.example" }, false },
        { { .method = "GET", .origin = "https://evil.example" }, false },
        { { .method = "GET", .origin = "null" }, false },
        { { .method = "GET", .origin = "https://A.example" }, false },
        { { .method = "GET", .origins = LIST("https://a.example", "https://b.example") }, false },
        { { .method = "OPTIONS", .origin = "https://a.example" }, false },
        { { .method = "OPTIONS", .origin = "https://a.example", .acrm = "GET" }, true },
        { { .method = "OPTIONS", .origin = "https://x.a.example", .acrm = "PUT",
            .acrh = LIST("x-a") }, true },
        { { .method = "OPTIONS", .origin = "https://evil.example", .acrm = "GET" }, true },
        { { .method = "OPTIONS", .origin = "null", .acrm = "GET" }, true },
        { { .method = "OPTIONS", .origin = "https://a.example/", .acrm = "GET" }, true },
        { { .method = "OPTIONS", .origin = "https://a.example", .acrm = "GET, PUT" }, true },
        { { .method = "OPTIONS", .origin = "https://a.example", .acrm = "GET",
            .acrh = LIST("x a") }, true },
        { { .method = "OPTIONS", .origin = "https://a.example", .acrm = "GET",
            .acrpn = "true" }, true },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct eval e;
        char msg[1024];
        eval_spec(p, &cases[i].rq, &e);
        ck_assert_uint_le(count_header(&e, H_VARY), 1);
        /* cors.h, cors_merge_vary(): a Vary value cors_evaluate() returned,
         * merged into none, is that value byte for byte (what a host relies on
         * to set it as it is when its response has no Vary) */
        for (size_t k = 0; k < e.r.header_count; k++) {
            if (e.h[k].op != CORS_HEADER_MERGE_VARY)
                continue;
            char buf[256];
            struct cors_str v = e.h[k].value;
            struct cors_str none[] = {{NULL, 0}, {"", 0}};
            for (size_t n = 0; n < 2; n++) {
                size_t need = cors_merge_vary(none[n], v, buf, sizeof buf);
                ck_assert_msg(need == v.len && memcmp(buf, v.ptr, v.len) == 0,
                              "policy %d case %zu: merged '%s' from '%.*s'", _i, i, buf,
                              (int)v.len, v.ptr);
            }
        }
        if (cases[i].preflight) {
            ck_assert_msg(check_vary(&e, pre, msg, sizeof msg), "policy %d case %zu: %s", _i, i,
                          msg);
        } else if (public_policy) {
            ck_assert_msg(check_vary(&e, NULL, msg, sizeof msg), "policy %d case %zu: %s", _i, i,
                          msg);
            assert_header(&e, H_ACAO, "*");
        } else {
            ck_assert_msg(check_vary(&e, VARY_ORIGIN, msg, sizeof msg), "policy %d case %zu: %s",
                          _i, i, msg);
        }
    }
    cors_policy_unref(p);
}
END_TEST

START_TEST(test_no_vary_in_report_only)
{
    struct cors_policy *p = spec_build(&(struct policy_spec){ .origins = LIST("https://a.example"),
                                                              .report_only = true });
    struct eval e;
    eval_spec(p, &(struct req_spec){ .method = "GET", .origin = "https://a.example" }, &e);
    assert_vary(&e, NULL);
    eval_spec(p, &(struct req_spec){ .method = "OPTIONS", .origin = "https://a.example",
                                     .acrm = "GET" }, &e);
    assert_vary(&e, NULL);
    cors_policy_unref(p);
}
END_TEST

static Suite *
vary_suite(void)
{
    Suite *s = suite_create("vary");
    TCase *tc = tcase_create("merge");
    tcase_add_test(tc, test_merge_basic);
    tcase_add_test(tc, test_merge_snprintf);
    tcase_add_test(tc, test_merge_result_into_host_vary);
    suite_add_tcase(s, tc);
    tc = tcase_create("responses");
    tcase_add_loop_test(tc, test_vary_matrix, 0, (int)(sizeof vary_specs / sizeof vary_specs[0]));
    tcase_add_test(tc, test_no_vary_in_report_only);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(vary_suite());
}
