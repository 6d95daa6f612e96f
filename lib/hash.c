/*
 * A small word-at-a-time hash, the open-addressing table under every hash
 * set of lib/, and the string set used for exact origins and allowed header
 * names. Lookups cost one hash of the key and (almost always) one
 * comparison, whatever the number of entries.
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

bool
corsp_table_init(struct corsp_table *t, struct corsp_pool *pool, size_t n)
{
    if (n > UINT32_MAX / 4)
        return false;
    uint32_t size = 8;
    while (size < n * 2 + 1)
        size <<= 1;
    t->slots = corsp_pool_alloc(pool, sizeof(*t->slots) * size);
    t->mask = size - 1;
    return t->slots != NULL;
}

void
corsp_table_insert(struct corsp_table *t, uint64_t h, uint32_t index)
{
    uint32_t i = (uint32_t)h & t->mask;
    while (t->slots[i].index1 != 0)
        i = (i + 1) & t->mask;
    t->slots[i].hash = (uint32_t)(h >> 32);
    t->slots[i].index1 = index + 1;
}

bool
corsp_strset_build(struct corsp_strset *set, struct corsp_pool *pool, const struct cors_str *keys,
                   size_t n, bool fold)
{
    if (!corsp_table_init(&set->table, pool, n))
        return false;
    set->keys = keys;
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
        /* an equal key already in the table keeps its (earlier) index: equal
         * keys never share a probe chain, so duplicates cost no more than others */
        bool present = false;
        CORSP_TABLE_PROBE (&set->table, h, i1) {
            const struct cors_str *other = &keys[i1 - 1];
            if (other->len == keys[k].len &&
                (fold ? corsp_equal_fold_inline(other->ptr, keys[k].ptr, keys[k].len)
                      : corsp_equal_bytes(other->ptr, keys[k].ptr, keys[k].len))) {
                present = true;
                break;
            }
        }
        if (!present)
            corsp_table_insert(&set->table, h, (uint32_t)k);
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
