/*
 * Allocation through the host's optional allocator, and the build-time pool
 * that owns everything a policy holds.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"

#include <stdlib.h>

static void *
default_malloc(size_t size, void *user_data)
{
    (void)user_data;
    return malloc(size);
}

static void
default_free(void *ptr, void *user_data)
{
    (void)user_data;
    free(ptr);
}

void
corsp_alloc_init(struct cors_allocator *dst, const struct cors_allocator *src)
{
    if (src != NULL && src->malloc_fn != NULL && src->free_fn != NULL) {
        *dst = *src;
    } else {
        dst->malloc_fn = default_malloc;
        dst->free_fn = default_free;
        dst->user_data = NULL;
    }
}

void *
corsp_malloc(const struct cors_allocator *a, size_t n)
{
    return a->malloc_fn(n == 0 ? 1 : n, a->user_data);
}

void
corsp_free(const struct cors_allocator *a, void *p)
{
    if (p != NULL)
        a->free_fn(p, a->user_data);
}

struct corsp_chunk {
    struct corsp_chunk *next;
    size_t used;
    size_t size;
    _Alignas(16) unsigned char data[];
};

#define CHUNK_MIN 4096

void
corsp_pool_init(struct corsp_pool *pool, const struct cors_allocator *alloc)
{
    corsp_alloc_init(&pool->alloc, alloc);
    pool->chunks = NULL;
    pool->failed = false;
}

void *
corsp_pool_alloc(struct corsp_pool *pool, size_t n)
{
    struct corsp_chunk *c = pool->chunks;
    size_t need = (n + 15) & ~(size_t)15;

    if (need < n) {
        pool->failed = true;
        return NULL;
    }
    if (c == NULL || c->size - c->used < need) {
        size_t size = need > CHUNK_MIN ? need : CHUNK_MIN;
        if (size > SIZE_MAX - sizeof(*c)) {
            pool->failed = true;
            return NULL;
        }
        c = corsp_malloc(&pool->alloc, sizeof(*c) + size);
        if (c == NULL) {
            pool->failed = true;
            return NULL;
        }
        c->used = 0;
        c->size = size;
        /* keep a partly used chunk in front if it has more room left */
        if (pool->chunks != NULL && pool->chunks->size - pool->chunks->used > size - need) {
            c->next = pool->chunks->next;
            pool->chunks->next = c;
        } else {
            c->next = pool->chunks;
            pool->chunks = c;
        }
    }
    void *p = c->data + c->used;
    c->used += need;
    memset(p, 0, n);
    return p;
}

char *
corsp_pool_strdup(struct corsp_pool *pool, const char *p, size_t n)
{
    char *s = corsp_pool_alloc(pool, n + 1);
    if (s == NULL)
        return NULL;
    if (n > 0)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

void
corsp_pool_release(struct corsp_pool *pool)
{
    struct corsp_chunk *c = pool->chunks;
    while (c != NULL) {
        struct corsp_chunk *next = c->next;
        corsp_free(&pool->alloc, c);
        c = next;
    }
    pool->chunks = NULL;
}
