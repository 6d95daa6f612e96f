/*
 * The lookup hash (lib/cors-private.h, corsp_hash_inline() and
 * corsp_hash_short()): a table's slot is the hash's low bits, so keys that
 * differ in one byte must spread over them wherever that byte is. Configured
 * sets are full of such keys: "https://a.example.com" .. "https://z.example.com",
 * "example.com" / "example.org" / "example.net", "x-custom-header1" .. "9".
 * A hash whose last bytes only reach its high bits puts all of them in one
 * slot, and every lookup then walks the whole cluster (docs/decisions.md,
 * "Per-request cost": lookups cost the same however many entries a set has).
 *
 * This suite reads the library's private header (the hash is inline there);
 * it links only the test helpers.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"
#include "test-common.h"

/* 26 keys of length n, equal but for byte `at` ('a'..'z'): how many of the
 * 256 slots of an 8-bit mask they take. */
static unsigned
slots_taken(size_t n, size_t at, uint64_t seed)
{
    bool used[256] = {false};
    unsigned distinct = 0;
    char key[64];
    for (size_t i = 0; i < n; i++)
        key[i] = (char)('k' + i % 7);
    for (char c = 'a'; c <= 'z'; c++) {
        key[at] = c;
        unsigned slot = (unsigned)(corsp_hash_inline(key, n, seed) & 0xFF);
        if (!used[slot]) {
            used[slot] = true;
            distinct++;
        }
    }
    return distinct;
}

/* Every key length of the short hash (1..16: one packed word, or the first
 * and the last word), of the loop-free one (17..32) and of the loop (33..48),
 * and every position of the differing byte. 26 keys thrown into 256 slots at
 * random take about 25; the bound, 18, leaves room for chance and fails a
 * hash that loses a byte's bits (the old short hash gave 1 for the last 3
 * bytes of keys of 9 to 16 bytes). */
START_TEST(test_every_byte_reaches_the_slot)
{
    static const uint64_t seeds[] = {0, 0x1234567, (uint64_t)443 << 8 | 1};
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++)
        for (size_t n = 1; n <= 48; n++)
            for (size_t at = 0; at < n; at++) {
                unsigned d = slots_taken(n, at, seeds[s]);
                ck_assert_msg(d >= 18, "seed %zu, length %zu, byte %zu: 26 keys in %u slots", s, n,
                              at, d);
            }
}
END_TEST

/* The examples from the policies the cors-bench scenarios and the docs use. */
START_TEST(test_usual_suffixes_apart)
{
    static const char *const keys[][3] = {
        {"example.com", "example.org", "example.net"},
        {"x-custom-header1", "x-custom-header2", "x-custom-header3"},
        {"tenant1.example.com", "tenant2.example.com", "tenant3.example.com"},
    };
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        uint64_t h[3];
        for (size_t i = 0; i < 3; i++)
            h[i] = corsp_hash_inline(keys[k][i], strlen(keys[k][i]), 0) & 0xFF;
        ck_assert_msg(h[0] != h[1] || h[1] != h[2], "%s, %s and %s share slot %llu", keys[k][0],
                      keys[k][1], keys[k][2], (unsigned long long)h[0]);
    }
}
END_TEST

static Suite *
hash_suite(void)
{
    Suite *s = suite_create("hash");
    TCase *tc = tcase_create("spread");
    tcase_add_test(tc, test_every_byte_reaches_the_slot);
    tcase_add_test(tc, test_usual_suffixes_apart);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(hash_suite());
}
