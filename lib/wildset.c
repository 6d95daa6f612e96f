/*
 * The wildcard origin set: configured patterns with a host or port wildcard,
 * keyed by (scheme, host or suffix, match kind, port) in a corsp_table, and
 * the lookup that probes it once per label suffix of a request's host; for a
 * set of at most CORSP_WILD_QUICK_MAX patterns (the usual policy has one or
 * two), the quick list that compares the origin with each pattern instead,
 * in the order the probes would find them, with the same result.
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

/* The bytes at [at, at + n) of an 8-byte word (0 <= at, at + n <= 8), as
 * corsp_load64() gives them, and the mask of those bytes. */
static void
word_part(const char *p, size_t at, size_t n, uint64_t *word, uint64_t *mask)
{
    char w[8] = {0}, m[8] = {0};
    if (n > 0) { /* none for the any-host entry */
        memcpy(w + at, p, n);
        memset(m + at, 0xFF, n);
    }
    *word = corsp_load64(w);
    *mask = corsp_load64(m);
}

/* The table walk's order within one port: the any-host entry, the exact
 * host, the subdomain patterns. */
static unsigned
quick_rank(const struct corsp_wild_quick *q)
{
    return q->entry->host_match == CORSP_HOST_ANY     ? 0
           : q->entry->host_match == CORSP_HOST_EXACT ? 1
                                                      : 2;
}

/* The order in which corsp_wildset_match() tries the quick list: the entries
 * of a given port before those of any port, then by kind in the walk's
 * order, then the shorter suffix first (see corsp_wild_match_quick() why this is the
 * table walk's order). */
static bool
quick_before(const struct corsp_wild_quick *a, const struct corsp_wild_quick *b)
{
    bool a_any = a->port == CORSP_PORT_ANY, b_any = b->port == CORSP_PORT_ANY;
    if (a_any != b_any)
        return b_any;
    if (quick_rank(a) != quick_rank(b))
        return quick_rank(a) < quick_rank(b);
    return a->len < b->len;
}

/* Fills the quick list of a set of at most CORSP_WILD_QUICK_MAX entries. */
static bool
quick_build(struct corsp_wildset *set, struct corsp_pool *pool)
{
    uint32_t n = set->count;
    struct corsp_wild_quick *quick = corsp_pool_alloc(pool, sizeof(*quick) * n);
    if (quick == NULL)
        return false;
    for (uint32_t k = 0; k < n; k++) {
        const struct corsp_wild_entry *e = &set->entries[k];
        struct corsp_wild_quick q = {0};
        /* the text that ends a matching host, in a copy of its own */
        bool sub = e->host_match == CORSP_HOST_SUBDOMAIN;
        size_t len = e->host_match == CORSP_HOST_ANY ? 0 : e->host.len + sub;
        char *text = corsp_pool_alloc(pool, len + 1);
        if (text == NULL)
            return false;
        if (sub)
            text[0] = '.';
        if (len > sub)
            memcpy(text + sub, e->host.ptr, len - sub);
        q.text = text;
        q.len = (uint32_t)len;
        switch ((enum corsp_host_match)e->host_match) {
        case CORSP_HOST_SUBDOMAIN:
            /* at least one byte, a label, before ".suffix"; host_len -
             * min_host wraps for a shorter host, so the span must stop short
             * of the wrapped values for the test to refuse it (and the
             * loads at the host's end to stay in the value) */
            q.min_host = q.len + 1;
            q.host_span = UINT32_MAX - q.min_host;
            q.min_labels = 2;
            break;
        case CORSP_HOST_EXACT:
            q.min_host = q.len;
            q.host_span = 0;
            break;
        case CORSP_HOST_ANY:
            q.host_span = UINT32_MAX;
            break;
        }
        q.scheme_len = (uint32_t)e->scheme.len;
        q.port = e->port;
        q.entry = e;
        char sch[8];
        size_t sn = e->scheme.len + 3 < 8 ? e->scheme.len + 3 : 8;
        for (size_t i = 0; i < sn; i++)
            sch[i] = i < e->scheme.len ? e->scheme.ptr[i] : i == e->scheme.len ? ':' : '/';
        word_part(sch, 0, sn, &q.scheme_word, &q.scheme_mask);
        size_t tn = len < 8 ? len : 8;
        word_part(text + len - tn, 8 - tn, tn, &q.tail, &q.tail_mask);
        if (len > 8)
            q.head = corsp_load64(text);
        set->quick_long |= len > 16 || q.scheme_len >= 8;
        /* insertion in order (stable: equal keys keep the entries' order) */
        uint32_t at = k;
        while (at > 0 && quick_before(&q, &quick[at - 1])) {
            quick[at] = quick[at - 1];
            at--;
        }
        quick[at] = q;
    }
    set->quick = quick;
    set->quick_count = n;
    return true;
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
        else if (e->host_match == CORSP_HOST_EXACT) {
            set->exact_host = true;
            set->exact_len_mask |= 1ull << (e->host.len & 63);
        } else {
            set->suffix_len_mask |= 1ull << (e->host.len & 63);
            uint32_t labels = suffix_labels(e->host);
            if (labels > set->max_suffix_labels)
                set->max_suffix_labels = labels;
            if (set->min_suffix_labels == 0 || labels < set->min_suffix_labels)
                set->min_suffix_labels = labels;
        }
    }
    if (n > 0 && n <= CORSP_WILD_QUICK_MAX)
        return quick_build(set, pool);
    return true;
}

static CORSP_ALWAYS_INLINE const struct corsp_wild_entry *
wild_find(const struct corsp_wildset *set, struct cors_str scheme, uint64_t seed,
          struct cors_str host, uint32_t port, uint8_t match)
{
    uint64_t h = corsp_hash_inline(host.ptr, host.len, seed);
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
    uint64_t seed = wild_seed(o->scheme, port, CORSP_HOST_SUBDOMAIN);
    for (size_t i = end; i > 0 && tried < set->max_suffix_labels; i--) {
        if (h[i - 1] != '.' || i == end)
            continue; /* a trailing dot starts no suffix */
        struct cors_str suffix = {h + i, end - i};
        tried++;
        /* no configured suffix has this few labels, or this length */
        if (tried < set->min_suffix_labels || !((set->suffix_len_mask >> (suffix.len & 63)) & 1))
            continue;
        const struct corsp_wild_entry *e =
            wild_find(set, o->scheme, seed, suffix, port, CORSP_HOST_SUBDOMAIN);
        if (e != NULL)
            return e;
    }
    return NULL;
}

/* corsp_wild_match_quick() with every test: for a list with long text, or a host of
 * fewer than two labels. Out of line, so that the usual caller keeps its
 * registers few. */
static __attribute__((noinline)) const struct corsp_wild_entry *
match_quick_slow(const struct corsp_wildset *set, const struct corsp_origin *o, const char *end)
{
    return corsp_wild_match_quick(set, o->scheme, end, o->host.len, o->port, o->labels, true);
}

/* The table walk: for the origin's port, then for any port, the any-host
 * entry, the exact-host entry and the subdomain entries of each label
 * suffix, shortest first. Out of line, so that the quick list's caller
 * does not pay for its registers. */
static __attribute__((noinline)) const struct corsp_wild_entry *
match_table(const struct corsp_wildset *set, const struct corsp_origin *o)
{
    static const struct cors_str empty = {"", 0};
    const uint32_t ports[2] = {o->port, CORSP_PORT_ANY};

    const struct corsp_wild_entry *e;
    for (int k = 0; k < 2; k++) {
        uint32_t port = ports[k];
        if (set->any_host &&
            (e = wild_find(set, o->scheme, wild_seed(o->scheme, port, CORSP_HOST_ANY), empty, port,
                           CORSP_HOST_ANY)) != NULL)
            return e;
        if (set->exact_host && ((set->exact_len_mask >> (o->host.len & 63)) & 1) &&
            (e = wild_find(set, o->scheme, wild_seed(o->scheme, port, CORSP_HOST_EXACT), o->host,
                           port, CORSP_HOST_EXACT)) != NULL)
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
        /* the scheme and port hashed once for every suffix */
        uint64_t seed = wild_seed(o->scheme, port, CORSP_HOST_SUBDOMAIN);
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
            /* no suffix of this length (mod 64): a miss without hashing */
            if (!((set->suffix_len_mask >> (suffix.len & 63)) & 1))
                continue;
            if ((e = wild_find(set, o->scheme, seed, suffix, port, CORSP_HOST_SUBDOMAIN)) != NULL)
                return e;
        }
    }
    return NULL;
}

const struct corsp_wild_entry *
corsp_wildset_match(const struct corsp_wildset *set, const struct corsp_origin *o)
{
    if (CORSP_LIKELY(set->quick != NULL)) {
        const char *end = o->host.ptr + o->host.len;
        /* shorter origins ("a://b.c") take the table walk */
        if (CORSP_LIKELY(end - o->scheme.ptr >= 8))
            return CORSP_LIKELY(!set->quick_long && o->labels >= 2)
                       ? corsp_wild_match_quick(set, o->scheme, end, o->host.len, o->port,
                                                o->labels, false)
                       : match_quick_slow(set, o, end);
    }
    if (set->count == 0)
        return NULL;
    return match_table(set, o);
}
