/*
 * The wildcard origin set: configured patterns with a host or port wildcard,
 * keyed by (scheme, host or suffix, match kind, port) in a corsp_table, and
 * the lookup that probes it once per label suffix of a request's host.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"

/* The hash of (scheme, port, match): from the scheme's first and last 8
 * bytes and its length (schemes are few; wild_find() compares them whole). */
static CORSP_ALWAYS_INLINE uint64_t
wild_seed(struct cors_str scheme, uint32_t port, uint8_t match)
{
    size_t n = scheme.len;
    uint64_t a = n < 8 ? corsp_load_small(scheme.ptr, n) : corsp_load64(scheme.ptr);
    uint64_t b = n <= 8 ? 0 : corsp_load64(scheme.ptr + n - 8);
    return corsp_hash_short(a, b, n, ((uint64_t)port << 8) | match);
}

static CORSP_ALWAYS_INLINE uint64_t
wild_hash(struct cors_str scheme, struct cors_str host, uint32_t port, uint8_t match)
{
    return corsp_hash_inline(host.ptr, host.len, wild_seed(scheme, port, match));
}

static uint32_t
suffix_labels(struct cors_str host)
{
    uint32_t labels = 0;
    size_t label = 0;
    for (size_t i = 0; i < host.len; i++) {
        if (host.ptr[i] == '.') {
            if (label > 0)
                labels++;
            label = 0;
        } else {
            label++;
        }
    }
    return labels + (label > 0);
}

bool
corsp_wildset_build(struct corsp_wildset *set, struct corsp_pool *pool,
                    const struct corsp_wild_entry *entries, size_t n)
{
    memset(set, 0, sizeof(*set));
    if (!corsp_table_init(&set->table, pool, n))
        return false;
    set->entries = entries;
    set->count = (uint32_t)n;
    for (size_t k = 0; k < n; k++) {
        const struct corsp_wild_entry *e = &entries[k];
        corsp_table_insert(&set->table, wild_hash(e->scheme, e->host, e->port, e->host_match),
                           (uint32_t)k);
        if (e->host_match == CORSP_HOST_ANY)
            set->any_host = true;
        else if (e->host_match == CORSP_HOST_EXACT)
            set->exact_host = true;
        else {
            uint32_t labels = suffix_labels(e->host);
            if (labels > set->max_suffix_labels)
                set->max_suffix_labels = labels;
            if (set->min_suffix_labels == 0 || labels < set->min_suffix_labels)
                set->min_suffix_labels = labels;
        }
    }
    return true;
}

static CORSP_ALWAYS_INLINE const struct corsp_wild_entry *
wild_find(const struct corsp_wildset *set, struct cors_str scheme, struct cors_str host,
          uint32_t port, uint8_t match)
{
    uint64_t h = wild_hash(scheme, host, port, match);
    CORSP_TABLE_PROBE (&set->table, h, i1) {
        const struct corsp_wild_entry *e = &set->entries[i1 - 1];
        if (e->port == port && e->host_match == match && e->scheme.len == scheme.len &&
            e->host.len == host.len && corsp_equal_bytes(e->scheme.ptr, scheme.ptr, scheme.len) &&
            corsp_equal_bytes(e->host.ptr, host.ptr, host.len))
            return e;
    }
    return NULL;
}

/* The subdomain patterns for one port, for a host over 64 bytes whose dot
 * window ran out: every proper label suffix from the shortest, as deep as
 * any pattern goes, by a backward byte scan. */
static __attribute__((noinline)) const struct corsp_wild_entry *
match_suffixes_scan(const struct corsp_wildset *set, const struct corsp_origin *o, uint32_t port)
{
    const char *h = o->host.ptr;
    size_t end = o->host.len;
    uint32_t tried = 0;
    for (size_t i = end; i > 0 && tried < set->max_suffix_labels; i--) {
        if (h[i - 1] != '.' || i == end)
            continue; /* a trailing dot starts no suffix */
        struct cors_str suffix = {h + i, end - i};
        tried++;
        /* no configured suffix has this few labels */
        if (tried < set->min_suffix_labels)
            continue;
        const struct corsp_wild_entry *e =
            wild_find(set, o->scheme, suffix, port, CORSP_HOST_SUBDOMAIN);
        if (e != NULL)
            return e;
    }
    return NULL;
}

const struct corsp_wild_entry *
corsp_wildset_match(const struct corsp_wildset *set, const struct corsp_origin *o)
{
    static const struct cors_str empty = {"", 0};
    const uint32_t ports[2] = {o->port, CORSP_PORT_ANY};

    const struct corsp_wild_entry *e;
    if (set->count == 0)
        return NULL;
    for (int k = 0; k < 2; k++) {
        uint32_t port = ports[k];
        if (set->any_host && (e = wild_find(set, o->scheme, empty, port, CORSP_HOST_ANY)) != NULL)
            return e;
        if (set->exact_host &&
            (e = wild_find(set, o->scheme, o->host, port, CORSP_HOST_EXACT)) != NULL)
            return e;
        if (set->max_suffix_labels == 0 || o->labels < 2)
            continue;
        /* Proper label suffixes, shortest first, as deep as any pattern
         * goes: the suffix of d labels starts after the d-th dot from the
         * right, the d-th highest bit of the parser's dot window (bit 63 is
         * the host's last byte: cleared, as a trailing dot starts no
         * suffix). A host over 64 bytes may have dots before the window:
         * when it runs out, the byte scan takes over. */
        uint64_t w = o->dot_window & ~(1ull << 63);
        size_t end = o->host.len;
        for (uint32_t depth = 1; depth <= set->max_suffix_labels; depth++) {
            if (w == 0) {
                if (end > 64 && (e = match_suffixes_scan(set, o, port)) != NULL)
                    return e;
                break;
            }
            unsigned bit = 63u - (unsigned)__builtin_clzll(w);
            w ^= 1ull << bit;
            if (depth < set->min_suffix_labels)
                continue;                   /* no configured suffix has this few labels */
            size_t at = end - 64 + bit + 1; /* after the dot */
            struct cors_str suffix = {o->host.ptr + at, end - at};
            if ((e = wild_find(set, o->scheme, suffix, port, CORSP_HOST_SUBDOMAIN)) != NULL)
                return e;
        }
    }
    return NULL;
}
