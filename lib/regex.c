/*
 * Origin regexes: PCRE2, anchored at both ends, JIT where available, linted
 * at build time, and matched under one fixed budget per request.
 *
 * At build time every regex is compiled alone (for its diagnostics) and its
 * shape read (regex-shape.c): a regex whose matches all have a host ending in
 * a known suffix (its key, e.g. "example.com" for
 * https://([a-z0-9-]+\.)*example\.com(:[0-9]+)?) goes into that key's bucket;
 * the others go into the rest. The regexes of a bucket, and those of the
 * rest, are then compiled together as one alternation, each branch starting
 * with (*MARK:i) so that a match names its allowOriginRegex entry (split into
 * several groups when one would exceed PCRE2's pattern size).
 *
 * A request first drops hosts no browser sends (over 253 bytes, a label over
 * 63), then looks its host's label suffixes up in the key table and runs the
 * groups of the rest and of the buckets found, one match call each, sharing
 * REGEX_BUDGET match-limit units: each call gets REGEX_BUDGET / calls.
 *
 * Matching allocates nothing on the heap: the general context and the match
 * data are carved out of an arena on the caller's stack for each evaluation.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdio.h>
#include <stdlib.h>

/* Match-limit units of one request, all match calls together. */
#define REGEX_BUDGET         4000u
#define REGEX_LINT_LIMIT     100000u /* build-time lint matches */
#define REGEX_DEPTH_LIMIT    1000u
#define REGEX_HEAP_LIMIT_KIB 24u
#define REGEX_ARENA_SIZE     (32u * 1024u)
/* Compiled bytes of a group before the next one starts (PCRE2 built with
 * 2-byte links caps a pattern at 64 KiB). */
#define REGEX_GROUP_BYTES 48000u
#define DNS_HOST_MAX      253u
#define DNS_LABEL_MAX     63u
#define KEY_LABELS_MAX    128u

#define REGEX_COMPILE_OPTIONS                                                                      \
    (PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_NO_AUTO_CAPTURE | PCRE2_NEVER_UTF |                \
     PCRE2_NEVER_UCP | PCRE2_NEVER_BACKSLASH_C)

/* One configured regex, kept until the groups are compiled. */
struct entry {
    char *src;
    size_t len;
    size_t index; /* position in allowOriginRegex as configured */
    size_t size;  /* compiled size alone */
    struct cors_str key;
    const struct corsp_regex_simple *simple; /* in the pool, or NULL */
    uint32_t line, column;
};

/* A regex of the simple form, matched without PCRE2. */
struct direct {
    const struct corsp_regex_simple *form;
    size_t index;
    /* what direct_match() compares, read from form once at build time */
    uint64_t prefix_lo, prefix_hi; /* "scheme://": corsp_load_small() of it (< 8
                                      bytes), or its first and last 8 bytes */
    uint32_t port;                 /* the port the origin must have ... */
    uint32_t port_mask;            /* ... in these bits (0: any port) */
    uint8_t prefix_len;
    bool fast;        /* host_is_key and a prefix of at most 16 bytes: direct_match() */
    bool host_is_key; /* the form's literal host is its bucket's key */
    bool bare_ok;     /* it matches the literal host alone (no labels before it) */
    bool sub_ok;      /* it matches labels before the literal host */
    uint8_t labels;   /* enum label_check */
};

/* One compiled alternation of regexes. */
struct group {
    pcre2_code *code;
    bool jit;       /* JIT-compiled: matched with pcre2_jit_match() */
    uint32_t first; /* the smallest index among its regexes */
};

struct corsp_regex_set {
    struct cors_allocator alloc;
    bool alloc_failed; /* an allocation for PCRE2 failed during the build */
    bool jit;
    pcre2_general_context *gctx;
    pcre2_compile_context *cctx;
    pcre2_match_context *lint_mctx;
    struct corsp_pool pool; /* entries, keys and tables */
    struct entry *entries;
    size_t count;
    size_t capacity;
    /* after corsp_regex_set_finish() */
    struct group *groups;
    size_t group_count;
    size_t rest_groups;       /* groups [0, rest_groups): regexes without a key */
    struct corsp_strset keys; /* bucket keys */
    uint32_t *bucket_groups;  /* bucket b: groups [bucket_groups[b], bucket_groups[b + 1]) */
    uint32_t max_key_labels;  /* most labels in a key */
    uint32_t min_key_labels;  /* fewest labels in a key */
    /* every key has key_dots dots, no regex needs PCRE2 (no rest, every bucket
     * direct) and every direct entry is fast: match_one_depth() decides */
    bool one_depth;
    uint32_t key_dots;
    pcre2_match_context **mctx; /* mctx[c]: REGEX_BUDGET / c units, c = 1..group_count */
    /* buckets whose regexes all have the simple form are matched without
     * PCRE2: bucket b has direct[bucket_direct[b] .. bucket_direct[b + 1]) */
    struct direct *direct;
    uint32_t *bucket_direct;
};

static void *
pcre_malloc(PCRE2_SIZE size, void *data)
{
    struct corsp_regex_set *set = data;
    void *p = corsp_malloc(&set->alloc, size);
    if (p == NULL)
        set->alloc_failed = true;
    return p;
}

static void
pcre_free(void *ptr, void *data)
{
    struct corsp_regex_set *set = data;
    corsp_free(&set->alloc, ptr);
}

struct corsp_regex_set *
corsp_regex_set_new(const struct cors_allocator *alloc)
{
    struct cors_allocator a;
    corsp_alloc_init(&a, alloc);
    struct corsp_regex_set *set = corsp_malloc(&a, sizeof(*set));
    if (set == NULL)
        return NULL;
    memset(set, 0, sizeof(*set));
    set->alloc = a;
    corsp_pool_init(&set->pool, &a);
    set->gctx = pcre2_general_context_create(pcre_malloc, pcre_free, set);
    if (set->gctx != NULL) {
        set->cctx = pcre2_compile_context_create(set->gctx);
        set->lint_mctx = pcre2_match_context_create(set->gctx);
    }
    if (set->gctx == NULL || set->cctx == NULL || set->lint_mctx == NULL) {
        corsp_regex_set_free(set);
        return NULL;
    }
    pcre2_set_match_limit(set->lint_mctx, REGEX_LINT_LIMIT);
    pcre2_set_depth_limit(set->lint_mctx, REGEX_DEPTH_LIMIT);
    pcre2_set_heap_limit(set->lint_mctx, REGEX_HEAP_LIMIT_KIB);
    return set;
}

/* Frees the build-time copies of the regexes. */
static void
drop_entries(struct corsp_regex_set *set)
{
    for (size_t i = 0; i < set->count; i++)
        corsp_free(&set->alloc, set->entries[i].src);
    corsp_free(&set->alloc, set->entries);
    set->entries = NULL;
    set->count = set->capacity = 0;
}

void
corsp_regex_set_free(struct corsp_regex_set *set)
{
    if (set == NULL)
        return;
    drop_entries(set);
    for (size_t i = 0; i < set->group_count; i++)
        pcre2_code_free(set->groups[i].code);
    if (set->mctx != NULL)
        for (size_t c = 0; c <= set->group_count; c++)
            pcre2_match_context_free(set->mctx[c]);
    pcre2_match_context_free(set->lint_mctx);
    pcre2_compile_context_free(set->cctx);
    pcre2_general_context_free(set->gctx);
    corsp_pool_release(&set->pool);
    struct cors_allocator a = set->alloc;
    corsp_free(&a, set);
}

/* ------------------------------------------------------------ stack arena */

struct arena {
    unsigned char *base;
    size_t used;
    size_t size;
};

static void *
arena_malloc(PCRE2_SIZE size, void *data)
{
    struct arena *a = data;
    size_t need = (size + 15) & ~(size_t)15;
    if (need < size || a->size - a->used < need)
        return NULL;
    void *p = a->base + a->used;
    a->used += need;
    return p;
}

static void
arena_free(void *ptr, void *data)
{
    (void)ptr;
    (void)data;
}

/* 1 match, 0 no match, -1 a limit was hit, -2 another error. */
static int
match_one(const pcre2_code *code, bool jit, const char *p, size_t n, pcre2_match_data *md,
          pcre2_match_context *mctx)
{
    /* pcre2_jit_match() is pcre2_match() on JIT code without the option and
     * subject checks, which cannot fail here (options 0, no UTF). */
    int rc = jit ? pcre2_jit_match(code, (PCRE2_SPTR)p, n, 0, 0, md, mctx)
                 : pcre2_match(code, (PCRE2_SPTR)p, n, 0, 0, md, mctx);
    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
        rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_NOMEMORY ||
        rc == PCRE2_ERROR_JIT_STACKLIMIT)
        return -1;
    return -2;
}

/* False for a domain host no browser sends: over 253 bytes (a trailing dot
 * aside) or with a label over 63 (RFC 1035 §2.3.4). */
static __attribute__((noinline)) bool
dns_host_ok(struct cors_str h)
{
    if (h.len == 0 || h.ptr[0] == '[')
        return true;
    size_t n = h.len - (h.ptr[h.len - 1] == '.');
    if (n > DNS_HOST_MAX)
        return false;
    if (n <= DNS_LABEL_MAX)
        return true;
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        label = h.ptr[i] == '.' ? 0 : label + 1;
        if (label > DNS_LABEL_MAX)
            return false;
    }
    return true;
}

/*
 * How the labels before a simple form's literal host are checked. The
 * parser lets only [a-z0-9_-] and dots into a host, so a label class
 * holding all of [a-z0-9_-] needs no check, and the usual [a-z0-9-] only
 * needs "no '_'" (a word at a time); other classes are read byte by byte.
 */
enum label_check {
    LABELS_ANY_HOST_BYTE = 0,
    LABELS_NO_UNDERSCORE = 1,
    LABELS_BY_SET = 2,
};

static bool
label_set_has(const uint64_t set[4], unsigned char c)
{
    return (set[c >> 6] >> (c & 63)) & 1;
}

static enum label_check
label_check_of(const struct corsp_regex_simple *f)
{
    bool all = true;
    for (unsigned c = 0; c < 256; c++) {
        bool host_byte = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        if (host_byte && !label_set_has(f->label_set, (unsigned char)c))
            all = false;
    }
    if (!all)
        return LABELS_BY_SET;
    return label_set_has(f->label_set, '_') ? LABELS_ANY_HOST_BYTE : LABELS_NO_UNDERSCORE;
}

/* Whether byte c occurs in p[0, n): 8 bytes per step, each word XORed with
 * c in every byte so that the classic "has a zero byte" test finds it. */
static CORSP_ALWAYS_INLINE bool
has_byte(const char *p, size_t n, unsigned char c)
{
    const uint64_t ones = 0x0101010101010101ull, pattern = ones * c;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v = corsp_load64(p + i) ^ pattern;
        if (((v - ones) & ~v & (ones << 7)) != 0)
            return true;
    }
    if (i == n)
        return false;
    /* the rest packed into one word; its unused high bytes are zero, which
     * XORs to c, never to zero (c != 0) */
    uint64_t v = corsp_load_small(p + i, n - i) ^ pattern;
    return ((v - ones) & ~v & (ones << 7)) != 0;
}

/* Whether the labels h[0, x) before a simple form's literal host (and the dot
 * that ends them) have only bytes of the form's class: the parser let no
 * empty label through (and no host starting with a dot), so only their
 * bytes' class is left to check. host_len: the whole host's, for the one-word
 * test of a short label part. */
static CORSP_ALWAYS_INLINE bool
labels_in_class(enum label_check labels, const uint64_t label_set[4], const char *h, size_t x,
                size_t host_len)
{
    if (labels == LABELS_ANY_HOST_BYTE)
        return true;
    if (labels == LABELS_NO_UNDERSCORE) {
        if (x <= 8 && host_len >= 8) {
            /* one word from the host's start, only its first x bytes
             * looked at: has_byte()'s test, whose false positives only
             * come above a true zero byte, so none among them */
            const uint64_t ones = 0x0101010101010101ull;
            uint64_t v = corsp_load64(h) ^ (ones * '_');
            uint64_t zero = (v - ones) & ~v & (ones << 7);
            return (zero & (~0ull >> (64 - 8 * x))) == 0;
        }
        return !has_byte(h, x, '_');
    }
    for (size_t i = 0; i < x; i++) {
        unsigned char c = (unsigned char)h[i];
        if (c != '.' && !label_set_has(label_set, c))
            return false;
    }
    return true;
}

/* corsp_regex_simple_match(), inlined where it is hot; host_known: the
 * caller has already found that the host ends in f->host; labels: the
 * label_check_of() f. */
static CORSP_ALWAYS_INLINE bool
simple_match(const struct corsp_regex_simple *f, const struct corsp_origin *o, const char *p,
             bool host_known, enum label_check labels)
{
    struct cors_str h = o->host;
    /* the host right after the prefix (so the prefix is inside the value) */
    if (h.ptr != p + f->prefix_len || h.len < f->host_len ||
        !corsp_equal_bytes(p, f->prefix, f->prefix_len))
        return false;
    if (!host_known && !corsp_equal_bytes(h.ptr + h.len - f->host_len, f->host, f->host_len))
        return false;
    switch ((enum corsp_simple_port)f->port) {
    case CORSP_SIMPLE_PORT_NONE:
        if (o->port != CORSP_PORT_DEFAULT)
            return false;
        break;
    case CORSP_SIMPLE_PORT_EXACT:
        if (o->port != f->port_value || f->port_value == 0)
            return false;
        break;
    case CORSP_SIMPLE_PORT_ANY:
        break;
    }
    size_t x = h.len - f->host_len; /* the labels before the literal host */
    if (x == 0)
        return !f->labels_min_one;
    if (!f->labels || h.ptr[x - 1] != '.')
        return false;
    return labels_in_class(labels, f->label_set, h.ptr, x - 1, h.len);
}

bool
corsp_regex_simple_match(const struct corsp_regex_simple *f, const struct corsp_origin *o,
                         const char *p)
{
    return simple_match(f, o, p, false, label_check_of(f));
}

/* simple_match() of a fast direct entry e for a host whose suffix from
 * offset j (0, or just after a dot) is e's key, which is its literal host:
 * the host ends in the literal, and the labels before it, if any, end in a
 * dot. Left: the prefix, the port and the labels' bytes. */
static CORSP_ALWAYS_INLINE bool
direct_match(const struct direct *e, const struct corsp_origin *o, const char *p, size_t j)
{
    /* the host right after the prefix (so the prefix is inside the value) */
    if (o->host.ptr != p + e->prefix_len || ((o->port ^ e->port) & e->port_mask) != 0)
        return false;
    if (e->prefix_len >= 8 ? (corsp_load64(p) ^ e->prefix_lo) |
                                 (corsp_load64(p + e->prefix_len - 8) ^ e->prefix_hi)
                           : corsp_load_small(p, e->prefix_len) ^ e->prefix_lo)
        return false;
    if (j == 0)
        return e->bare_ok;
    if (!e->sub_ok)
        return false;
    return labels_in_class((enum label_check)e->labels, e->form->label_set, o->host.ptr, j - 1,
                           o->host.len);
}

/* Runs the compiled groups [from[r], to[r]) under the request's budget
 * (calls of them in all); *best is the smallest matching index so far. */
static __attribute__((noinline)) int
run_groups(const struct corsp_regex_set *set, const uint32_t *from, const uint32_t *to,
           size_t ranges, size_t calls, const char *p, size_t n, size_t *best)
{
    _Alignas(16) unsigned char space[REGEX_ARENA_SIZE];
    struct arena arena = {space, 0, sizeof(space)};
    pcre2_general_context *g = pcre2_general_context_create(arena_malloc, arena_free, &arena);
    if (g == NULL)
        return -1;
    pcre2_match_data *md = pcre2_match_data_create(1, g);
    if (md == NULL)
        return -1;
    pcre2_match_context *mctx = set->mctx[calls];
    size_t mark = arena.used;
    int result = 0;
    for (size_t r = 0; r < ranges; r++) {
        for (uint32_t k = from[r]; k < to[r]; k++) {
            const struct group *gr = &set->groups[k];
            if (gr->first >= *best)
                continue;      /* an earlier entry already matched */
            arena.used = mark; /* the interpreter's frames are per match */
            int rc = match_one(gr->code, gr->jit, p, n, md, mctx);
            if (rc == 1) {
                PCRE2_SPTR name = pcre2_get_mark(md);
                size_t v = 0;
                for (; name != NULL && *name >= '0' && *name <= '9'; name++)
                    v = v * 10 + (size_t)(*name - '0');
                if (v < *best)
                    *best = v;
            } else if (rc < 0) {
                result = -1;
            }
        }
    }
    return result;
}

/* Any set, any host that dns_host_ok(): the rest's groups, then every label suffix up to the
 * deepest key, and the groups of the buckets found. */
static __attribute__((noinline)) int
match_general(const struct corsp_regex_set *set, const struct corsp_origin *o, const char *p,
              size_t n, size_t *index)
{
    /* the groups to run: the rest, and the buckets of the host's suffixes;
     * simple buckets are matched here and now */
    uint32_t from[KEY_LABELS_MAX + 1], to[KEY_LABELS_MAX + 1];
    size_t ranges = 0, calls = 0, best = SIZE_MAX;
    if (set->rest_groups > 0) {
        from[0] = 0;
        to[0] = (uint32_t)set->rest_groups;
        ranges = 1;
        calls = set->rest_groups;
    }
    struct cors_str h = o->host;
    if (set->keys.count != 0 && h.len > 0 && h.ptr[0] != '[') {
        /* the suffix of t + 1 labels starts after the (t + 1)-th dot from
         * the right, or is the whole host when there are fewer dots */
        struct corsp_dot_iter it;
        corsp_dot_iter_init(&it, o);
        size_t j = h.len;
        for (uint32_t t = 0; t < set->max_key_labels; t++) {
            long dot = corsp_dot_iter_next(&it);
            j = dot >= 0 ? (size_t)dot + 1 : 0;
            /* no key has this few labels (a shorter host may still have a
             * key of its whole length) */
            if (t + 1 < set->min_key_labels && j != 0)
                continue;
            long b = corsp_strset_find_inline(&set->keys, h.ptr + j, h.len - j, false);
            if (b >= 0) {
                for (uint32_t d = set->bucket_direct[b]; d < set->bucket_direct[b + 1]; d++) {
                    const struct direct *e = &set->direct[d];
                    if (e->index >= best)
                        break; /* ascending: no smaller index follows */
                    if (simple_match(e->form, o, p, e->host_is_key, (enum label_check)e->labels)) {
                        best = e->index;
                        break;
                    }
                }
                if (set->bucket_groups[b] < set->bucket_groups[b + 1]) {
                    from[ranges] = set->bucket_groups[b];
                    to[ranges] = set->bucket_groups[b + 1];
                    calls += to[ranges] - from[ranges];
                    ranges++;
                }
            }
            if (j == 0)
                break;
        }
    }
    int result = calls > 0 ? run_groups(set, from, to, ranges, calls, p, n, &best) : 0;
    if (best != SIZE_MAX) {
        *index = best;
        return 1;
    }
    return result;
}

/*
 * The usual multi-tenant set: every key has key_dots dots and every regex is
 * a fast direct entry. A suffix of the host can only equal a key with as
 * many dots, so one suffix is looked up: the one after the (key_dots + 1)-th
 * dot from the right, or the whole host when it has exactly key_dots dots.
 * The caller guarantees a host of at most 63 bytes: no DNS limit can fail
 * (dns_host_ok()) and the dot window holds all its dots.
 */
static __attribute__((noinline)) int
match_one_depth(const struct corsp_regex_set *set, const struct corsp_origin *o, const char *p,
                size_t *index)
{
    struct cors_str h = o->host;
    if (h.len == 0 || h.ptr[0] == '[')
        return 0;
    /* bit 63 of the window is the host's last byte: drop key_dots dots from
     * the right, the next one (the highest bit left) ends the suffix */
    uint64_t w = o->dot_window;
    for (uint32_t k = set->key_dots; k != 0; k--) {
        if (w == 0)
            return 0; /* fewer dots than any key */
        w &= ~(0x8000000000000000ull >> __builtin_clzll(w));
    }
    size_t j = w != 0 ? h.len - (size_t)__builtin_clzll(w) : 0;
    long b = corsp_strset_find_inline(&set->keys, h.ptr + j, h.len - j, false);
    if (b < 0)
        return 0;
    /* ascending index: the first match is the lowest */
    for (uint32_t d = set->bucket_direct[b]; d < set->bucket_direct[b + 1]; d++) {
        const struct direct *e = &set->direct[d];
        if (direct_match(e, o, p, j)) {
            *index = e->index;
            return 1;
        }
    }
    return 0;
}

int
corsp_regex_set_match(const struct corsp_regex_set *set, const struct corsp_origin *o,
                      const char *p, size_t n, size_t *index)
{
    if (o->host.len <= DNS_LABEL_MAX) {
        /* no DNS limit can fail (dns_host_ok()) */
        if (CORSP_LIKELY(set->one_depth))
            return match_one_depth(set, o, p, index);
    } else if (!dns_host_ok(o->host)) {
        return 0;
    }
    return match_general(set, o, p, n, index);
}

/* -------------------------------------------------------------- compiling */

/* Build-time match with a heap match data block. */
static int
match_heap(const struct corsp_regex_set *set, const pcre2_code *code, const char *s)
{
    pcre2_match_data *md = pcre2_match_data_create(1, set->gctx);
    if (md == NULL)
        return -2;
    int rc = match_one(code, false, s, strlen(s), md, set->lint_mctx);
    pcre2_match_data_free(md);
    return rc;
}

/* Offset of the first '.' outside a character class and not escaped, or -1. */
static long
unescaped_dot(const char *p, size_t n)
{
    bool in_class = false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\\') {
            if (i + 1 < n && p[i + 1] == 'Q') {
                /* \Q...\E quotes everything */
                size_t j = i + 2;
                while (j + 1 < n && !(p[j] == '\\' && p[j + 1] == 'E'))
                    j++;
                i = j + 1;
                continue;
            }
            i++;
            continue;
        }
        if (in_class) {
            if (c == ']')
                in_class = false;
            continue;
        }
        if (c == '[') {
            in_class = true;
            /* a ']' right after '[' or '[^' is literal */
            if (i + 1 < n && p[i + 1] == '^')
                i++;
            if (i + 1 < n && p[i + 1] == ']')
                i++;
            continue;
        }
        if (c == '.')
            return (long)i;
    }
    return -1;
}

/* True when the pattern starts with a literal scheme and "://" (optionally
 * after '^', allowing "https?" and escaped slashes). */
static bool
literal_scheme(const char *p, size_t n)
{
    size_t i = 0;
    if (i < n && p[i] == '^')
        i++;
    size_t start = i;
    while (i < n && ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '+' ||
                     p[i] == '-'))
        i++;
    if (i == start)
        return false;
    if (i + 1 < n && p[i] == 's' && p[i + 1] == '?')
        i += 2;
    else if (i < n && p[i] == '?' && p[i - 1] == 's')
        i++;
    if (i < n && p[i] != ':')
        return false;
    i++;
    for (int slash = 0; slash < 2; slash++) {
        if (i < n && p[i] == '/')
            i++;
        else if (i + 1 < n && p[i] == '\\' && p[i + 1] == '/')
            i += 2;
        else
            return false;
    }
    return true;
}

static const char *const canaries[] = {
    "https://example.com.evil.test",
    "https://evilexample.com",
    "https://evil.test",
    "http://evil.test",
};

/* 1 when "(?:" p ")" compiles, 0 when not, -1 when out of memory. */
static int
compiles_wrapped(struct corsp_regex_set *set, const char *p, size_t n)
{
    char *text = corsp_malloc(&set->alloc, n + 4);
    if (text == NULL)
        return -1;
    memcpy(text, "(?:", 3);
    memcpy(text + 3, p, n);
    text[n + 3] = ')';
    int err = 0;
    PCRE2_SIZE off = 0;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)text, n + 4,
                                     REGEX_COMPILE_OPTIONS | PCRE2_DUPNAMES, &err, &off, set->cctx);
    corsp_free(&set->alloc, text);
    if (code == NULL)
        return err == PCRE2_ERROR_NOMEMORY || err == PCRE2_ERROR_HEAP_FAILED || set->alloc_failed
                   ? -1
                   : 0;
    pcre2_code_free(code);
    return set->alloc_failed ? -1 : 1;
}

bool
corsp_regex_set_add(struct corsp_regex_set *set, const char *p, size_t n, size_t index,
                    uint32_t line, uint32_t column, bool jit, struct corsp_report *report)
{
    const enum cors_field field = CORS_FIELD_ALLOW_ORIGIN_REGEX;
    int err = 0;
    PCRE2_SIZE off = 0;
    pcre2_code *code =
        pcre2_compile((PCRE2_SPTR)p, n, REGEX_COMPILE_OPTIONS, &err, &off, set->cctx);
    if (code == NULL) {
        if (err == PCRE2_ERROR_NOMEMORY || err == PCRE2_ERROR_HEAP_FAILED)
            return false;
        PCRE2_UCHAR text[160];
        if (pcre2_get_error_message(err, text, sizeof(text)) < 0)
            snprintf((char *)text, sizeof(text), "error %d", err);
        corsp_report(report, CORS_DIAG_REGEX_INVALID, field, index, line, column, off,
                     "invalid regex at offset %zu: %s", (size_t)off, (char *)text);
        return !report->oom;
    }
    set->jit = jit;

    int rc = match_heap(set, code, "*");
    if (rc == -2 || set->alloc_failed) {
        /* out of memory (a JIT failure for any other reason is no error:
         * PCRE2 then runs the interpreter) */
        pcre2_code_free(code);
        return false;
    }
    if (rc == 1) {
        corsp_report(report, CORS_DIAG_REGEX_MATCHES_STAR, field, index, line, column, 0,
                     "the regex matches the literal \"*\", which would allow every origin");
    }
    if (match_heap(set, code, "null") == 1) {
        corsp_report(report, CORS_DIAG_REGEX_MATCHES_NULL, field, index, line, column, 0,
                     "the regex matches \"null\": list \"null\" in allowOrigins explicitly "
                     "if it is really wanted");
    }
    long dot = unescaped_dot(p, n);
    if (dot >= 0) {
        corsp_report(report, CORS_DIAG_REGEX_UNESCAPED_DOT, field, index, line, column, (size_t)dot,
                     "unescaped '.' at offset %ld matches any character: write '\\.'", dot);
    }
    if (!literal_scheme(p, n)) {
        corsp_report(report, CORS_DIAG_REGEX_NO_SCHEME, field, index, line, column, 0,
                     "the regex does not start with a literal scheme such as 'https://'");
    }
    for (size_t c = 0; c < CORSP_ARRAY_SIZE(canaries); c++) {
        if (match_heap(set, code, canaries[c]) == 1) {
            corsp_report(report, CORS_DIAG_REGEX_MATCHES_CANARY, field, index, line, column, 0,
                         "the regex matches the canary origin %s", canaries[c]);
            break;
        }
    }

    size_t size = 0;
    if (pcre2_pattern_info(code, PCRE2_INFO_SIZE, &size) != 0)
        size = REGEX_GROUP_BYTES;
    pcre2_code_free(code);
    if (set->alloc_failed)
        return false;

    struct corsp_regex_shape shape;
    if (!corsp_regex_shape(&set->alloc, p, n, &shape))
        return false;
    if (shape.unsupported) {
        corsp_report(report, CORS_DIAG_REGEX_UNSUPPORTED, field, index, line, column,
                     shape.unsupported_at,
                     "%s at offset %zu: origin regexes are matched together, so a regex cannot "
                     "refer to groups, recurse or steer backtracking",
                     shape.unsupported_what, shape.unsupported_at);
        return !report->oom;
    }
    /* Wrapped in a group, the regex must still compile: then it ends in a
     * clean state (not inside \Q..., a (?x) comment or a class) and the next
     * branch of a combined pattern is read as it would be alone. */
    int wrapped = compiles_wrapped(set, p, n);
    if (wrapped < 0)
        return false;
    if (wrapped == 0) {
        corsp_report(report, CORS_DIAG_REGEX_UNSUPPORTED, field, index, line, column, 0,
                     "the regex does not end where it seems to (an open \\Q or a (?x) comment "
                     "runs to its end), so it cannot be matched together with the others");
        return !report->oom;
    }
    if (shape.backtracking)
        corsp_report(report, CORS_DIAG_REGEX_BACKTRACKING, field, index, line, column,
                     shape.backtracking_at,
                     "%s at offset %zu: some origins make it backtrack until the request's "
                     "budget runs out (and then it matches nothing); make the parts exclusive, "
                     "e.g. ([a-z0-9-]+\\.)* rather than ([a-z0-9.-]+)*",
                     shape.backtracking_what, shape.backtracking_at);

    if (set->count == set->capacity) {
        size_t cap = set->capacity ? set->capacity * 2 : 4;
        struct entry *items = corsp_malloc(&set->alloc, cap * sizeof(*items));
        if (items == NULL)
            return false;
        if (set->count > 0)
            memcpy(items, set->entries, set->count * sizeof(*items));
        corsp_free(&set->alloc, set->entries);
        set->entries = items;
        set->capacity = cap;
    }
    struct entry *e = &set->entries[set->count];
    e->src = corsp_malloc(&set->alloc, n + 1); /* freed once the groups are compiled */
    if (e->src == NULL)
        return false;
    set->count++;
    memcpy(e->src, p, n);
    e->src[n] = '\0';
    e->len = n;
    e->index = index;
    e->size = size;
    e->line = line;
    e->column = column;
    e->key = (struct cors_str){NULL, 0};
    if (shape.key_len > 0) {
        e->key.ptr = corsp_pool_strdup(&set->pool, shape.key, shape.key_len);
        e->key.len = shape.key_len;
        if (e->key.ptr == NULL)
            return false;
    }
    e->simple = NULL;
    if (shape.simple) {
        struct corsp_regex_simple *f = corsp_pool_alloc(&set->pool, sizeof(*f));
        if (f == NULL)
            return false;
        *f = shape.form;
        f->prefix = corsp_pool_strdup(&set->pool, shape.form.prefix, shape.form.prefix_len);
        f->host = corsp_pool_strdup(&set->pool, shape.form.host, shape.form.host_len);
        if (f->prefix == NULL || f->host == NULL)
            return false;
        e->simple = f;
    }
    return !report->oom;
}

/* Fills direct entry d for the simple-form entry en. */
static void
direct_init(struct direct *d, const struct entry *en)
{
    const struct corsp_regex_simple *f = en->simple;
    memset(d, 0, sizeof(*d));
    d->form = f;
    d->index = en->index;
    d->labels = (uint8_t)label_check_of(f);
    /* then a key hit is a match of the literal host already */
    d->host_is_key = f->host_len == en->key.len && memcmp(f->host, en->key.ptr, en->key.len) == 0;
    d->prefix_len = (uint8_t)(f->prefix_len <= 16 ? f->prefix_len : 0);
    if (f->prefix_len < 8) {
        d->prefix_lo = corsp_load_small(f->prefix, f->prefix_len);
    } else if (f->prefix_len <= 16) {
        d->prefix_lo = corsp_load64(f->prefix);
        d->prefix_hi = corsp_load64(f->prefix + f->prefix_len - 8);
    }
    d->bare_ok = !f->labels_min_one;
    d->sub_ok = f->labels;
    switch ((enum corsp_simple_port)f->port) {
    case CORSP_SIMPLE_PORT_NONE:
        d->port = CORSP_PORT_DEFAULT;
        d->port_mask = UINT32_MAX;
        break;
    case CORSP_SIMPLE_PORT_EXACT:
        d->port = f->port_value;
        d->port_mask = UINT32_MAX;
        if (f->port_value == 0)
            d->bare_ok = d->sub_ok = false; /* a port no browser sends: never */
        break;
    case CORSP_SIMPLE_PORT_ANY:
        d->port = 0;
        d->port_mask = 0;
        break;
    }
    d->fast = d->host_is_key && f->prefix_len <= 16;
}

/* --------------------------------------------------------------- grouping */

/* Compiles entries ids[0..n) as one alternation into set->groups (several
 * groups when PCRE2 finds it too large). False only when out of memory. */
static bool
compile_group(struct corsp_regex_set *set, const size_t *ids, size_t n, struct corsp_report *report)
{
    size_t len = 0;
    for (size_t k = 0; k < n; k++)
        len += set->entries[ids[k]].len + 40;
    char *text = corsp_malloc(&set->alloc, len + 1);
    if (text == NULL)
        return false;
    size_t o = 0;
    for (size_t k = 0; k < n; k++) {
        const struct entry *e = &set->entries[ids[k]];
        o += (size_t)snprintf(text + o, len + 1 - o, "%s(*MARK:%zu)(?:", k ? "|" : "", e->index);
        memcpy(text + o, e->src, e->len);
        o += e->len;
        text[o++] = ')';
    }
    int err = 0;
    PCRE2_SIZE off = 0;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)text, o, REGEX_COMPILE_OPTIONS | PCRE2_DUPNAMES,
                                     &err, &off, set->cctx);
    corsp_free(&set->alloc, text);
    if (code == NULL) {
        if (err == PCRE2_ERROR_NOMEMORY || err == PCRE2_ERROR_HEAP_FAILED || set->alloc_failed)
            return false;
        if (n > 1)
            return compile_group(set, ids, n / 2, report) &&
                   compile_group(set, ids + n / 2, n - n / 2, report);
        const struct entry *e = &set->entries[ids[0]];
        PCRE2_UCHAR why[160];
        if (pcre2_get_error_message(err, why, sizeof(why)) < 0)
            snprintf((char *)why, sizeof(why), "error %d", err);
        corsp_report(report, CORS_DIAG_REGEX_UNSUPPORTED, CORS_FIELD_ALLOW_ORIGIN_REGEX, e->index,
                     e->line, e->column, 0,
                     "the regex cannot be matched together with the others: %s", (char *)why);
        return !report->oom;
    }
    if (set->jit)
        (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
    size_t jit_size = 0;
    if (set->jit && pcre2_pattern_info(code, PCRE2_INFO_JITSIZE, &jit_size) != 0)
        jit_size = 0;
    if (set->alloc_failed) {
        pcre2_code_free(code);
        return false;
    }
    struct group *gr = &set->groups[set->group_count++];
    gr->code = code;
    gr->jit = jit_size > 0;
    gr->first = (uint32_t)set->entries[ids[0]].index;
    return true;
}

/* Groups entries ids[0..n) (ascending index) by compiled size. */
static bool
compile_groups(struct corsp_regex_set *set, const size_t *ids, size_t n,
               struct corsp_report *report)
{
    size_t start = 0, bytes = 0;
    for (size_t k = 0; k < n; k++) {
        size_t sz = set->entries[ids[k]].size;
        if (k > start && bytes + sz > REGEX_GROUP_BYTES) {
            if (!compile_group(set, ids + start, k - start, report))
                return false;
            start = k;
            bytes = 0;
        }
        bytes += sz;
    }
    return n == start || compile_group(set, ids + start, n - start, report);
}

bool
corsp_regex_set_finish(struct corsp_regex_set *set, struct corsp_report *report)
{
    size_t n = set->count;
    if (n == 0)
        return true;
    /* the keys, each once: bucket of entry i = dense number of its key */
    struct cors_str *all = corsp_pool_alloc(&set->pool, (n + 1) * sizeof(*all));
    struct cors_str *keys = corsp_pool_alloc(&set->pool, (n + 1) * sizeof(*keys));
    size_t *bucket = corsp_pool_alloc(&set->pool, (n + 1) * sizeof(*bucket));
    size_t *ids = corsp_pool_alloc(&set->pool, (n + 1) * sizeof(*ids));
    uint32_t *sizes = corsp_pool_alloc(&set->pool, (n + 2) * sizeof(*sizes));
    if (all == NULL || keys == NULL || bucket == NULL || ids == NULL || sizes == NULL)
        return false;
    for (size_t i = 0; i < n; i++)
        all[i] = set->entries[i].key;
    struct corsp_strset seen;
    if (!corsp_strset_build(&seen, &set->pool, all, n, false))
        return false;
    size_t buckets = 0;
    for (size_t i = 0; i < n; i++) {
        bucket[i] = SIZE_MAX;
        if (all[i].ptr == NULL)
            continue;
        size_t first = (size_t)corsp_strset_find(&seen, all[i].ptr, all[i].len);
        if (first == i) {
            bucket[i] = buckets;
            keys[buckets++] = all[i];
            uint32_t labels = 1;
            for (size_t c = 0; c < all[i].len; c++)
                labels += all[i].ptr[c] == '.';
            if (labels > set->max_key_labels)
                set->max_key_labels = labels < KEY_LABELS_MAX ? labels : KEY_LABELS_MAX;
            if (set->min_key_labels == 0 || labels < set->min_key_labels)
                set->min_key_labels = labels;
        } else {
            bucket[i] = bucket[first];
        }
    }
    /* at most one group per regex */
    set->groups = corsp_pool_alloc(&set->pool, (n + 1) * sizeof(*set->groups));
    set->bucket_groups = corsp_pool_alloc(&set->pool, (buckets + 1) * sizeof(uint32_t));
    if (set->groups == NULL || set->bucket_groups == NULL)
        return false;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (bucket[i] == SIZE_MAX)
            ids[m++] = i;
    if (!compile_groups(set, ids, m, report))
        return false;
    set->rest_groups = set->group_count;
    /* bucket by bucket (counting sort of the entries by bucket) */
    memset(sizes, 0, (buckets + 2) * sizeof(*sizes));
    for (size_t i = 0; i < n; i++)
        if (bucket[i] != SIZE_MAX)
            sizes[bucket[i] + 1]++;
    for (size_t b = 0; b < buckets; b++)
        sizes[b + 1] += sizes[b];
    for (size_t i = 0; i < n; i++)
        if (bucket[i] != SIZE_MAX)
            ids[sizes[bucket[i]]++] = i;
    /* sizes[b] is now the end of bucket b */
    set->direct = corsp_pool_alloc(&set->pool, (n + 1) * sizeof(*set->direct));
    set->bucket_direct = corsp_pool_alloc(&set->pool, (buckets + 1) * sizeof(uint32_t));
    if (set->direct == NULL || set->bucket_direct == NULL)
        return false;
    size_t start = 0, direct = 0;
    for (size_t b = 0; b < buckets; b++) {
        set->bucket_groups[b] = (uint32_t)set->group_count;
        set->bucket_direct[b] = (uint32_t)direct;
        bool simple = true;
        for (size_t k = start; k < sizes[b]; k++)
            simple = simple && set->entries[ids[k]].simple != NULL;
        if (simple) {
            for (size_t k = start; k < sizes[b]; k++) {
                const struct entry *en = &set->entries[ids[k]];
                direct_init(&set->direct[direct++], en);
            }
        } else if (!compile_groups(set, ids + start, sizes[b] - start, report)) {
            return false;
        }
        start = sizes[b];
    }
    set->bucket_groups[buckets] = (uint32_t)set->group_count;
    set->bucket_direct[buckets] = (uint32_t)direct;
    /* one lookup per request when every key has as many labels and every
     * regex is matched directly */
    set->one_depth = set->group_count == 0 && buckets > 0 &&
                     set->min_key_labels == set->max_key_labels &&
                     set->max_key_labels < KEY_LABELS_MAX;
    set->key_dots = set->max_key_labels - 1;
    for (size_t d = 0; d < direct; d++)
        set->one_depth = set->one_depth && set->direct[d].fast;
    if (!corsp_strset_build(&set->keys, &set->pool, keys, buckets, false))
        return false;
    /* one match context per number of calls a request can make */
    set->mctx = corsp_pool_alloc(&set->pool, (set->group_count + 1) * sizeof(*set->mctx));
    if (set->mctx == NULL)
        return false;
    for (size_t c = 1; c <= set->group_count; c++) {
        pcre2_match_context *mc = pcre2_match_context_create(set->gctx);
        if (mc == NULL)
            return false;
        set->mctx[c] = mc;
        uint32_t share = REGEX_BUDGET / (uint32_t)c;
        pcre2_set_match_limit(mc, share > 0 ? share : 1);
        pcre2_set_depth_limit(mc, REGEX_DEPTH_LIMIT);
        pcre2_set_heap_limit(mc, REGEX_HEAP_LIMIT_KIB);
    }
    drop_entries(set);
    return !set->pool.failed && !set->alloc_failed;
}
