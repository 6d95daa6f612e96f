/*
 * A small word-at-a-time hash and an open-addressing string set, used for
 * exact origins and allowed header names. Lookups cost one hash of the key and
 * (almost always) one comparison, whatever the number of entries.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"

uint64_t
corsp_hash(const void *data, size_t n, uint64_t seed)
{
    return corsp_hash_inline(data, n, seed);
}

uint64_t
corsp_hash_fold(const void *data, size_t n, uint64_t seed)
{
    return corsp_hash_fold_inline(data, n, seed);
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
    set->keys_lower = fold; /* only case-insensitive lookups use it */
    set->len_mask = 0;
    for (size_t k = 0; k < n; k++) {
        set->len_mask |= 1ull << (keys[k].len & 63);
        for (size_t j = 0; j < keys[k].len && set->keys_lower; j++)
            if (keys[k].ptr[j] >= 'A' && keys[k].ptr[j] <= 'Z')
                set->keys_lower = false;
    }
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
                      (fold ? corsp_equal_fold_inline(other->ptr, keys[k].ptr, keys[k].len)
                            : corsp_equal_bytes(other->ptr, keys[k].ptr, keys[k].len));
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
    return set->fold ? corsp_strset_find_inline(set, p, n, true)
                     : corsp_strset_find_inline(set, p, n, false);
}
