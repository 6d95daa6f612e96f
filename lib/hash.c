/*
 * A small word-at-a-time hash and an open-addressing string set, used for
 * exact origins and allowed header names. Lookups cost one hash of the key and
 * (almost always) one comparison, whatever the number of entries.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"

#define K1 0x9E3779B97F4A7C15ull
#define K2 0xC2B2AE3D27D4EB4Full

static CORSP_ALWAYS_INLINE uint64_t
mix(uint64_t h, uint64_t v)
{
    h ^= v;
    h *= K1;
    h ^= h >> 32;
    return h;
}

static CORSP_ALWAYS_INLINE uint64_t
finish(uint64_t h, size_t n)
{
    h ^= (uint64_t)n * K2;
    h ^= h >> 29;
    h *= K1;
    h ^= h >> 32;
    return h;
}

/* Whole words, then the last 1..8 bytes: a word overlapping the previous one
 * when n >= 8, else the packed short tail. The length goes into finish(). */
#define HASH_BODY(FOLD)                                                                            \
    const unsigned char *p = data;                                                                 \
    uint64_t h = seed ^ K2;                                                                        \
    if (n < 8) {                                                                                   \
        if (n > 0)                                                                                 \
            h = mix(h, FOLD(corsp_load_small(p, n)));                                              \
        return finish(h, n);                                                                       \
    }                                                                                              \
    size_t i = 0;                                                                                  \
    for (; i + 8 < n; i += 8)                                                                      \
        h = mix(h, FOLD(corsp_load64(p + i)));                                                     \
    h = mix(h, FOLD(corsp_load64(p + n - 8)));                                                     \
    return finish(h, n)

#define NO_FOLD(v) (v)

static CORSP_ALWAYS_INLINE uint64_t
hash_inline(const void *data, size_t n, uint64_t seed)
{
    HASH_BODY(NO_FOLD);
}

static CORSP_ALWAYS_INLINE uint64_t
hash_fold_inline(const void *data, size_t n, uint64_t seed)
{
    HASH_BODY(corsp_fold_word);
}

uint64_t
corsp_hash(const void *data, size_t n, uint64_t seed)
{
    return hash_inline(data, n, seed);
}

uint64_t
corsp_hash_fold(const void *data, size_t n, uint64_t seed)
{
    return hash_fold_inline(data, n, seed);
}

static uint32_t
table_size(size_t n)
{
    uint32_t size = 8;
    while (size < n * 2 + 1)
        size <<= 1;
    return size;
}

bool
corsp_strset_build(struct corsp_strset *set, struct corsp_pool *pool, const struct cors_str *keys,
                   size_t n, bool fold)
{
    if (n > UINT32_MAX / 4)
        return false;
    uint32_t size = table_size(n);
    set->slots = corsp_pool_alloc(pool, sizeof(*set->slots) * size);
    if (set->slots == NULL)
        return false;
    set->keys = keys;
    set->mask = size - 1;
    set->count = (uint32_t)n;
    set->fold = fold;
    for (size_t k = 0; k < n; k++) {
        uint64_t h = fold ? corsp_hash_fold(keys[k].ptr, keys[k].len, 0)
                          : corsp_hash(keys[k].ptr, keys[k].len, 0);
        uint32_t i = (uint32_t)h & set->mask;
        while (set->slots[i].index1 != 0)
            i = (i + 1) & set->mask;
        set->slots[i].hash = (uint32_t)(h >> 32);
        set->slots[i].index1 = (uint32_t)k + 1;
    }
    return true;
}

static CORSP_ALWAYS_INLINE long
strset_find(const struct corsp_strset *set, const char *p, size_t n, bool fold)
{
    uint64_t h = fold ? hash_fold_inline(p, n, 0) : hash_inline(p, n, 0);
    uint32_t tag = (uint32_t)(h >> 32);
    for (uint32_t i = (uint32_t)h & set->mask;; i = (i + 1) & set->mask) {
        const struct corsp_slot *s = &set->slots[i];
        if (s->index1 == 0)
            return -1;
        if (s->hash != tag)
            continue;
        const struct cors_str *k = &set->keys[s->index1 - 1];
        if (k->len != n)
            continue;
        if (fold ? corsp_equal_fold(k->ptr, p, n) : corsp_equal_bytes(k->ptr, p, n))
            return (long)s->index1 - 1;
    }
}

long
corsp_strset_find(const struct corsp_strset *set, const char *p, size_t n)
{
    if (set->count == 0)
        return -1;
    return set->fold ? strset_find(set, p, n, true) : strset_find(set, p, n, false);
}
