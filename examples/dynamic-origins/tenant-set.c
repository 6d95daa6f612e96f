/*
 * tenant-set.c - the origins of tenant-set.h: a sorted array searched with
 * bsearch, replaced whole under a reader-writer lock.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L
#include "tenant-set.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One loaded generation of origins: immutable once published. */
struct origins {
    size_t count;
    struct cors_str *items; /* sorted by (length, bytes); point into text */
    char *text;             /* the copied file, the items' storage */
};

struct tenant_set {
    pthread_rwlock_t lock; /* guards current: readers look up, a reload swaps */
    struct origins *current;
};

static void
origins_free(struct origins *o)
{
    if (o == NULL)
        return;
    free(o->items);
    free(o->text);
    free(o);
}

static int
compare(const void *a, const void *b)
{
    const struct cors_str *x = a, *y = b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return memcmp(x->ptr, y->ptr, x->len);
}

struct tenant_set *
tenant_set_new(void)
{
    struct tenant_set *ts = calloc(1, sizeof(*ts));
    if (ts == NULL)
        return NULL;
    ts->current = calloc(1, sizeof(*ts->current));
    if (ts->current == NULL || pthread_rwlock_init(&ts->lock, NULL) != 0) {
        free(ts->current);
        free(ts);
        return NULL;
    }
    return ts;
}

void
tenant_set_free(struct tenant_set *ts)
{
    if (ts == NULL)
        return;
    origins_free(ts->current);
    pthread_rwlock_destroy(&ts->lock);
    free(ts);
}

/* Whether line is a serialized origin in the canonical form: libcors
 * canonicalises it as an allowOrigins entry, and it must come back unchanged,
 * exact (no wildcard) and not "null". */
static bool
is_canonical_origin(struct cors_str line, char *err, size_t err_size)
{
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    if (b == NULL) {
        snprintf(err, err_size, "out of memory");
        return false;
    }
    cors_policy_builder_add_origin(b, line); /* sticky: checked at the build */
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    enum cors_status st = CORS_OK;
    struct cors_policy *p = cors_policy_build(b, 0, d, &st);
    cors_policy_builder_free(b);
    bool ok = false;
    if (p == NULL) {
        const struct cors_diagnostic *diag = d ? cors_diagnostics_get(d, 0) : NULL;
        snprintf(err, err_size, "%s", diag ? diag->message.ptr : cors_status_name(st));
    } else {
        struct cors_str canon = cors_policy_entry(p, CORS_FIELD_ALLOW_ORIGINS, 0);
        if (canon.len != line.len || memcmp(canon.ptr, line.ptr, line.len) != 0)
            snprintf(err, err_size, "not in canonical form: browsers send %.*s", (int)canon.len,
                     canon.ptr);
        else if (memchr(line.ptr, '*', line.len) != NULL || (line.len == 4 && !memcmp(line.ptr, "null", 4)))
            snprintf(err, err_size, "a tenant origin is one exact origin (no '*', not null)");
        else
            ok = true;
    }
    cors_policy_unref(p);
    cors_diagnostics_free(d);
    return ok;
}

bool
tenant_set_load(struct tenant_set *ts, const char *text, size_t len, char *err,
                size_t err_size)
{
    struct origins *o = calloc(1, sizeof(*o));
    if (o == NULL || (o->text = malloc(len + 1)) == NULL) {
        free(o);
        snprintf(err, err_size, "out of memory");
        return false;
    }
    memcpy(o->text, text, len);
    o->text[len] = '\0';
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    o->items = calloc(lines, sizeof(*o->items));
    if (o->items == NULL) {
        origins_free(o);
        snprintf(err, err_size, "out of memory");
        return false;
    }
    char *p = o->text, *end = o->text + len;
    for (size_t lineno = 1; p < end; lineno++) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *stop = nl != NULL ? nl : end;
        char *hash = memchr(p, '#', (size_t)(stop - p));
        char *e = hash != NULL ? hash : stop;
        while (p < e && (*p == ' ' || *p == '\t'))
            p++;
        while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
            e--;
        if (e > p) {
            struct cors_str line = { p, (size_t)(e - p) };
            char why[300];
            if (!is_canonical_origin(line, why, sizeof(why))) {
                snprintf(err, err_size, "line %zu: %s", lineno, why);
                origins_free(o);
                return false;
            }
            o->items[o->count++] = line;
        }
        p = stop + 1;
    }
    qsort(o->items, o->count, sizeof(*o->items), compare);

    pthread_rwlock_wrlock(&ts->lock);
    struct origins *old = ts->current;
    ts->current = o;
    pthread_rwlock_unlock(&ts->lock);
    /* no reader can still see old: they all held the read lock to use it */
    origins_free(old);
    return true;
}

size_t
tenant_set_count(struct tenant_set *ts)
{
    pthread_rwlock_rdlock(&ts->lock);
    size_t n = ts->current->count;
    pthread_rwlock_unlock(&ts->lock);
    return n;
}

bool
tenant_set_predicate(void *user_data, struct cors_str origin)
{
    struct tenant_set *ts = user_data;
    pthread_rwlock_rdlock(&ts->lock);
    const struct origins *o = ts->current;
    bool found = o->count > 0 && bsearch(&origin, o->items, o->count, sizeof(*o->items),
                                         compare) != NULL;
    pthread_rwlock_unlock(&ts->lock);
    return found;
}
