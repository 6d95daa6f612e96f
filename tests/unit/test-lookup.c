/*
 * The two per-request set lookups at every size and length boundary:
 * allowOrigins exact entries (byte-exact, docs/semantics.md §3.2) and
 * allowHeaders names (ASCII case-insensitive, Fetch "CORS-preflight fetch"
 * step 7). Sets of up to four keys are compared key by key, larger ones
 * hashed; words are compared 8 and 16 bytes at a time, so the cases are
 * keys of the same length that differ in one byte, placed on each side of
 * the 8/16/32-byte boundaries, in sets of 1, 2, 4, 5 and 8 keys.
 *
 * SPDX-License-Identifier: MIT
 */
#include "test-common.h"

#include <stdio.h>
#include <string.h>

/* Set sizes: the key-by-key comparison (1..4) and the hash table (5, 8). */
static const size_t set_sizes[] = {1, 2, 4, 5, 8};
#define SET_SIZES (sizeof set_sizes / sizeof set_sizes[0])

/* Origin lengths around the comparison's word boundaries. */
static const size_t origin_lengths[] = {13, 15, 16, 17, 24, 31, 32, 33, 47, 48, 49, 64, 65};
#define ORIGIN_LENGTHS (sizeof origin_lengths / sizeof origin_lengths[0])

#define KEY_MAX 80

/* "https://" + L-12 letters + ".com": a canonical origin of length L whose
 * letters are all 'a'. */
static void
base_origin(char *buf, size_t len)
{
    memcpy(buf, "https://", 8);
    memset(buf + 8, 'a', len - 12);
    memcpy(buf + len - 4, ".com", 5);
}

/*
 * Positions of the letters to vary: the first and last letter, and those on
 * each side of byte 8, 16 and 32 and of the last 8 and 16 bytes. Returns how
 * many (distinct, in [first, last]).
 */
static size_t
positions(size_t first, size_t last, size_t len, size_t *out, size_t max)
{
    size_t cand[] = {first, last,     7,        8,       15,      16,        31,      32,
                     33,    len - 17, len - 16, len - 9, len - 8, first + 1, last - 1};
    size_t n = 0;
    for (size_t i = 0; i < sizeof cand / sizeof cand[0] && n < max; i++) {
        size_t p = cand[i];
        if (p < first || p > last || p >= len)
            continue;
        bool seen = false;
        for (size_t j = 0; j < n; j++)
            seen |= out[j] == p;
        if (!seen)
            out[n++] = p;
    }
    return n;
}

static void
expect_actual(const struct cors_policy *p, const char *origin, bool allowed, size_t index)
{
    struct eval e;
    eval_spec(p, &(struct req_spec){ .method = "GET", .origin = origin }, &e);
    if (allowed) {
        ck_assert_msg(e.r.allowed && e.r.reason == CORS_REASON_ALLOWED, "'%s' must be allowed",
                      origin);
        ck_assert_int_eq(e.r.matched_field, CORS_FIELD_ALLOW_ORIGINS);
        ck_assert_msg(e.r.matched_index == index, "'%s': matched_index %zu, expected %zu", origin,
                      e.r.matched_index, index);
        assert_header(&e, H_ACAO, origin);
    } else {
        ck_assert_msg(!e.r.allowed && e.r.reason == CORS_REASON_ORIGIN_NOT_ALLOWED,
                      "'%s' must be refused (%s)", origin, cors_reason_name(e.r.reason));
        ck_assert_int_eq(e.r.matched_field, CORS_FIELD_NONE);
        assert_header(&e, H_ACAO, NULL);
    }
}

/*
 * For each length L and set size n: allowOrigins holds n origins of length L
 * that differ from the base in one letter (set to 'b', or 'c', 'd'... once
 * every position is used). Each entry is allowed and attributed to its own
 * index; the same origin with that letter 'z' instead, and the base itself, are refused.
 */
START_TEST(test_exact_origins)
{
    size_t len = origin_lengths[_i];
    for (size_t s = 0; s < SET_SIZES; s++) {
        size_t pos[16];
        size_t np = positions(8, len - 5, len, pos, 16);
        size_t n = set_sizes[s];
        char keys[8][KEY_MAX];
        const char *list[9];
        for (size_t k = 0; k < n; k++) {
            base_origin(keys[k], len);
            /* more keys than positions: the next letter ('c', 'd', ...) */
            keys[k][pos[k % np]] = (char)('b' + k / np);
            list[k] = keys[k];
        }
        list[n] = NULL;
        struct cors_policy *p = spec_build(&(struct policy_spec){ .origins = list });
        for (size_t k = 0; k < n; k++) {
            expect_actual(p, keys[k], true, k);
            char other[KEY_MAX];
            memcpy(other, keys[k], len + 1);
            other[pos[k % np]] = 'z';
            expect_actual(p, other, false, 0);
        }
        char base[KEY_MAX];
        base_origin(base, len);
        expect_actual(p, base, false, 0);
        /* one byte shorter (when there is a letter to drop) and one longer */
        if (len > 13) {
            char shorter[KEY_MAX];
            memcpy(shorter, "https://", 8);
            memset(shorter + 8, 'a', len - 13);
            memcpy(shorter + len - 5, ".com", 5);
            expect_actual(p, shorter, false, 0);
        }
        char longer[KEY_MAX];
        memcpy(longer, "https://", 8);
        memset(longer + 8, 'a', len - 11);
        memcpy(longer + len - 3, ".com", 5);
        expect_actual(p, longer, false, 0);
        cors_policy_unref(p);
    }
}
END_TEST

/* Header name lengths around the word boundaries of the case-folded compare. */
static const size_t name_lengths[] = {1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 24, 32, 33, 40};
#define NAME_LENGTHS (sizeof name_lengths / sizeof name_lengths[0])

static enum cors_reason
preflight_reason(const struct cors_policy *p, const char *name)
{
    struct eval e;
    eval_spec(p,
              &(struct req_spec){ .method = "OPTIONS",
                                 .origin = "https://app.example",
                                 .acrm = "GET",
                                 .acrh = (const char *const[]){ name, NULL } },
              &e);
    return e.r.reason;
}

/*
 * For each length L and set size n: allowHeaders holds n lower-case names
 * of length L ("x" + letters) that differ from "xaaa..." in one letter ('b', 'c',
 * ...). Each is allowed in any case; with that letter 'z' (and as the base name)
 * the preflight is header-not-allowed.
 */
START_TEST(test_allow_headers)
{
    size_t len = name_lengths[_i];
    for (size_t s = 0; s < SET_SIZES; s++) {
        size_t pos[16];
        size_t n = set_sizes[s];
        /* a one-byte name has only one letter to vary: one key */
        if (len == 1 && n > 1)
            continue;
        size_t np = len == 1 ? 1 : positions(1, len - 1, len, pos, 16);
        if (len == 1)
            pos[0] = 0;
        char keys[8][KEY_MAX];
        const char *list[9];
        for (size_t k = 0; k < n; k++) {
            memset(keys[k], 'a', len);
            keys[k][len] = '\0';
            if (len > 1)
                keys[k][0] = 'x';
            /* more keys than positions: the next letter ('c', 'd', ...) */
            keys[k][pos[k % np]] = (char)('b' + k / np);
            list[k] = keys[k];
        }
        list[n] = NULL;
        struct cors_policy *p = spec_build(
            &(struct policy_spec){ .origins = LIST("https://app.example"), .allow_headers = list });
        for (size_t k = 0; k < n; k++) {
            char name[KEY_MAX];
            memcpy(name, keys[k], len + 1);
            ck_assert_msg(preflight_reason(p, name) == CORS_REASON_ALLOWED, "'%s'", name);
            /* the same name in upper case, then in mixed case */
            for (size_t i = 0; i < len; i++)
                name[i] = (char)(name[i] - 'a' + 'A');
            ck_assert_msg(preflight_reason(p, name) == CORS_REASON_ALLOWED, "'%s'", name);
            for (size_t i = 0; i < len; i += 2)
                name[i] = keys[k][i];
            ck_assert_msg(preflight_reason(p, name) == CORS_REASON_ALLOWED, "'%s'", name);
            memcpy(name, keys[k], len + 1);
            name[pos[k % np]] = 'z';
            ck_assert_msg(preflight_reason(p, name) == CORS_REASON_HEADER_NOT_ALLOWED, "'%s'",
                          name);
        }
        char base[KEY_MAX];
        memset(base, 'a', len);
        base[len] = '\0';
        if (len > 1) {
            base[0] = 'x';
            ck_assert_msg(preflight_reason(p, base) == CORS_REASON_HEADER_NOT_ALLOWED, "'%s'",
                          base);
        }
        cors_policy_unref(p);
    }
}
END_TEST

/*
 * Only 'A'..'Z' fold (RFC 9110 §5.1: field names are case-insensitive, which
 * is ASCII case): '^' and '~' differ by the same bit as 'A' and 'a' and must
 * not match each other, nor '0' and 'P'/'p'. Names of 3, 8, 9, 16 and 17
 * bytes, in a set of one key and of five.
 */
static const struct {
    const char *key;
    const char *request;
    enum cors_reason want;
} fold_cases[] = {
    { "x-~", "x-^", CORS_REASON_HEADER_NOT_ALLOWED },
    { "x-^", "x-~", CORS_REASON_HEADER_NOT_ALLOWED },
    { "x-p", "x-0", CORS_REASON_HEADER_NOT_ALLOWED },
    { "x-p", "X-P", CORS_REASON_ALLOWED },
    { "x-aaaa~b", "x-aaaa^b", CORS_REASON_HEADER_NOT_ALLOWED },
    { "x-aaaaa~b", "X-AAAAA^B", CORS_REASON_HEADER_NOT_ALLOWED },
    { "x-aaaaa~b", "X-AAAAA~B", CORS_REASON_ALLOWED },
    { "x-aaaaaaaaaaaa~b", "x-aaaaaaaaaaaa^b", CORS_REASON_HEADER_NOT_ALLOWED },
    { "x-aaaaaaaaaaaaa~b", "x-aaaaaaaaaaaaa^b", CORS_REASON_HEADER_NOT_ALLOWED },
    { "x-aaaaaaaaaaaaa~b", "X-AAAAAAAAAAAAA~B", CORS_REASON_ALLOWED },
};

START_TEST(test_fold_only_letters)
{
    const char *key = fold_cases[_i].key;
    const char *const *lists[] = {
        (const char *const[]){ key, NULL },
        (const char *const[]){ "x-1", "x-2", key, "x-3", "x-4", NULL },
    };
    for (size_t l = 0; l < 2; l++) {
        struct cors_policy *p = spec_build(&(struct policy_spec){
            .origins = LIST("https://app.example"), .allow_headers = lists[l] });
        enum cors_reason r = preflight_reason(p, fold_cases[_i].request);
        ck_assert_msg(r == fold_cases[_i].want, "key '%s', request '%s': %s", key,
                      fold_cases[_i].request, cors_reason_name(r));
        cors_policy_unref(p);
    }
}
END_TEST

/*
 * Access-Control-Request-Headers lists (RFC 9110 §5.6.1 #token: elements
 * separated by "," with optional white space, empty elements allowed) read by
 * the quick name compare (allowHeaders of at most four names of at most 16
 * bytes) and by the list scanner it hands over to: the same verdicts as with
 * five names (hashed) or a name of 17 bytes (no quick compare).
 */
static const struct {
    const char *line;
    enum cors_reason want;
} list_cases[] = {
    { "authorization,content-type", CORS_REASON_ALLOWED },
    { "authorization, content-type", CORS_REASON_ALLOWED },
    { "authorization ,content-type", CORS_REASON_ALLOWED },
    { "authorization,\tcontent-type", CORS_REASON_ALLOWED },
    { "authorization,  content-type", CORS_REASON_ALLOWED },
    { "authorization,,content-type,", CORS_REASON_ALLOWED },
    { "Authorization,CONTENT-TYPE", CORS_REASON_ALLOWED },
    { " x-a", CORS_REASON_ALLOWED },
    { ", x-a", CORS_REASON_ALLOWED },
    { "x-a, ", CORS_REASON_ALLOWED },
    { "x-a,x-a,X-A", CORS_REASON_ALLOWED },
    { "authorizatio", CORS_REASON_HEADER_NOT_ALLOWED },
    { "authorizationx", CORS_REASON_HEADER_NOT_ALLOWED },
    { "content-type2", CORS_REASON_HEADER_NOT_ALLOWED },
    { "x-a,x-b", CORS_REASON_HEADER_NOT_ALLOWED },
    { "x-b,x-a", CORS_REASON_HEADER_NOT_ALLOWED },
    { "x-a x-b", CORS_REASON_HEADERS_MALFORMED },
    { "x-a,x b", CORS_REASON_HEADERS_MALFORMED },
    { "authorization,content-type;", CORS_REASON_HEADERS_MALFORMED },
    { "x-a,authorization@", CORS_REASON_HEADERS_MALFORMED },
    { "x-b,x-a@", CORS_REASON_HEADERS_MALFORMED },
    { "x-a;", CORS_REASON_HEADERS_MALFORMED },
    { "x-a\r", CORS_REASON_HEADERS_MALFORMED },
};

START_TEST(test_header_lists)
{
    const char *const *lists[] = {
        LIST("authorization", "content-type", "x-a"),
        LIST("authorization", "content-type", "x-a", "x-1", "x-2"),
        LIST("authorization", "content-type", "x-a", "x-seventeen-bytes"),
    };
    for (size_t l = 0; l < 3; l++) {
        struct cors_policy *p = spec_build(&(struct policy_spec){
            .origins = LIST("https://app.example"), .allow_headers = lists[l] });
        enum cors_reason r = preflight_reason(p, list_cases[_i].line);
        ck_assert_msg(r == list_cases[_i].want, "policy %zu, '%s': %s, expected %s", l,
                      list_cases[_i].line, cors_reason_name(r),
                      cors_reason_name(list_cases[_i].want));
        cors_policy_unref(p);
    }
}
END_TEST

/* A request that is a prefix of a longer entry, while some entry has the
 * request's length: refused (lengths are compared before bytes). */
START_TEST(test_prefix_of_entry)
{
    const char *const *lists[] = {
        LIST("https://abc.com", "https://ab.com"),
        LIST("https://abc.com", "https://ab.com", "https://1.example", "https://2.example",
             "https://3.example"),
        LIST("https://abcdefghijklmnopqrstuvwxyz.com", "https://abcdefghijklmnopqrstuvwxy.com"),
    };
    const char *const refused[] = { "https://abc.co", "https://abc.co",
                                   "https://abcdefghijklmnopqrstuvwxyz.co" };
    for (size_t i = 0; i < 3; i++) {
        struct cors_policy *p = spec_build(&(struct policy_spec){ .origins = lists[i] });
        expect_actual(p, refused[i], false, 0);
        expect_actual(p, lists[i][1], true, 1);
        cors_policy_unref(p);
    }
}
END_TEST

/* Equal entries keep the first index (attribution), in small and large sets. */
START_TEST(test_duplicate_keeps_first)
{
    const char *const *lists[] = {
        LIST("https://a.example", "https://b.example", "https://a.example"),
        LIST("https://1.example", "https://2.example", "https://3.example", "https://4.example",
             "https://b.example", "https://a.example", "https://a.example"),
    };
    const size_t first_a[] = {0, 5};
    for (size_t i = 0; i < 2; i++) {
        struct cors_policy *p = spec_build(&(struct policy_spec){ .origins = lists[i] });
        expect_actual(p, "https://a.example", true, first_a[i]);
        cors_policy_unref(p);
    }
}
END_TEST

static Suite *
lookup_suite(void)
{
    Suite *s = suite_create("lookup");
    TCase *tc = tcase_create("sets");
    tcase_add_loop_test(tc, test_exact_origins, 0, (int)ORIGIN_LENGTHS);
    tcase_add_loop_test(tc, test_allow_headers, 0, (int)NAME_LENGTHS);
    tcase_add_loop_test(tc, test_fold_only_letters, 0,
                        (int)(sizeof fold_cases / sizeof fold_cases[0]));
    tcase_add_loop_test(tc, test_header_lists, 0, (int)(sizeof list_cases / sizeof list_cases[0]));
    tcase_add_test(tc, test_prefix_of_entry);
    tcase_add_test(tc, test_duplicate_keeps_first);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(lookup_suite());
}
