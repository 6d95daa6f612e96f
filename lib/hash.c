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

static inline uint64_t
load64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static inline uint64_t
load_tail(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    if (n > 0)
        memcpy(&v, p, n);
    return v;
}

static inline uint64_t
mix(uint64_t h, uint64_t v)
{
    h ^= v;
    h *= K1;
    h ^= h >> 32;
    return h;
}

static inline uint64_t
finish(uint64_t h, size_t n)
{
    h ^= (uint64_t)n * K2;
    h ^= h >> 29;
    h *= K1;
    h ^= h >> 32;
    return h;
}

/* Adds 0x20 to every byte 'A'..'Z' of an 8-byte word (bytes >= 0x80 untouched). */
static inline uint64_t
fold_word(uint64_t v)
{
    const uint64_t ones = 0x0101010101010101ull;
    uint64_t low7 = v & (0x7F * ones);
    uint64_t ge_a = low7 + (0x80 - 'A') * ones; /* high bit set if byte >= 'A' */
    uint64_t gt_z = low7 + (0x7F - 'Z') * ones; /* high bit set if byte > 'Z' */
    uint64_t upper = (ge_a ^ gt_z) & ~v & (0x80 * ones);
    return v | (upper >> 2);
}

uint64_t
corsp_hash(const void *data, size_t n, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = seed ^ K2;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        h = mix(h, load64(p + i));
    if (i < n)
        h = mix(h, load_tail(p + i, n - i));
    return finish(h, n);
}

uint64_t
corsp_hash_fold(const void *data, size_t n, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = seed ^ K2;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        h = mix(h, fold_word(load64(p + i)));
    if (i < n)
        h = mix(h, fold_word(load_tail(p + i, n - i)));
    return finish(h, n);
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
        uint32_t tag = (uint32_t)(h >> 32);
        uint32_t i = (uint32_t)h & set->mask;
        bool present = false;
        /* an equal key already in the table keeps its (earlier) index: equal
         * keys never share a probe chain, so duplicates cost no more than others */
        while (set->slots[i].index1 != 0 && !present) {
            const struct cors_str *other = &keys[set->slots[i].index1 - 1];
            present = set->slots[i].hash == tag && other->len == keys[k].len &&
                      (keys[k].len == 0 ||
                       (fold ? corsp_equal_fold(other->ptr, keys[k].ptr, keys[k].len)
                             : memcmp(other->ptr, keys[k].ptr, keys[k].len) == 0));
            i = (i + 1) & set->mask;
        }
        if (present)
            continue;
        set->slots[i].hash = tag;
        set->slots[i].index1 = (uint32_t)k + 1;
    }
    return true;
}

long
corsp_strset_find(const struct corsp_strset *set, const char *p, size_t n)
{
    if (set->count == 0)
        return -1;
    uint64_t h = set->fold ? corsp_hash_fold(p, n, 0) : corsp_hash(p, n, 0);
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
        if (n == 0 || (set->fold ? corsp_equal_fold(k->ptr, p, n) : memcmp(k->ptr, p, n) == 0))
            return (long)s->index1 - 1;
    }
}
