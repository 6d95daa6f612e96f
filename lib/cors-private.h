/*
 * Internal declarations shared by the files of lib/. Nothing here is part of
 * the public API or ABI.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef CORS_PRIVATE_H
#define CORS_PRIVATE_H

#include "config.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cors/cors.h>

#define CORS_EXPORT         __attribute__((visibility("default")))
#define CORSP_LIKELY(x)     __builtin_expect(!!(x), 1)
#define CORSP_UNLIKELY(x)   __builtin_expect(!!(x), 0)
#define CORSP_ALWAYS_INLINE __attribute__((always_inline)) inline
#define CORSP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define CORSP_PRINTF(f, a)  __attribute__((format(printf, f, a)))

struct corsp_report;

/* ------------------------------------------------------------------ alloc.c */

/* Copies *src, or installs malloc/free when src is NULL or incomplete. */
void corsp_alloc_init(struct cors_allocator *dst, const struct cors_allocator *src);
void *corsp_malloc(const struct cors_allocator *a, size_t n);
void corsp_free(const struct cors_allocator *a, void *p);

/*
 * A pool of build-time allocations, all released at once. The policy keeps
 * everything it owns in one pool, so freeing it is one walk over the chunks.
 */
struct corsp_pool {
    struct cors_allocator alloc;
    struct corsp_chunk *chunks;
    bool failed;
};
void corsp_pool_init(struct corsp_pool *pool, const struct cors_allocator *alloc);
void *corsp_pool_alloc(struct corsp_pool *pool, size_t n); /* 16-byte aligned, zeroed */
char *corsp_pool_strdup(struct corsp_pool *pool, const char *p, size_t n); /* NUL-terminated */
void corsp_pool_release(struct corsp_pool *pool);

/* ----------------------------------------------------------------- tokens.c */

/* 1 for RFC 9110 tchar bytes. */
extern const unsigned char corsp_tchar[256];
/* ASCII lower-case mapping of every byte. */
extern const unsigned char corsp_lower[256];

/* Unaligned little-endian loads: the byte at p is the word's least significant
 * byte on every host (a byte swap on a big-endian one, nothing on x86-64 or
 * arm64), so a mask or shift written for "the first bytes" means the same
 * thing everywhere. corsp_load_small() packs the n (< 8) bytes at p into a
 * word without reading outside them (overlapping loads: a function of the
 * bytes and n, injective for a given n). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define CORSP_LE16(v) __builtin_bswap16(v)
#define CORSP_LE32(v) __builtin_bswap32(v)
#define CORSP_LE64(v) __builtin_bswap64(v)
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define CORSP_LE16(v) (v)
#define CORSP_LE32(v) (v)
#define CORSP_LE64(v) (v)
#else
#error "libcors: unknown byte order (__BYTE_ORDER__ is not defined)"
#endif
static inline uint64_t
corsp_load64(const void *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return CORSP_LE64(v);
}
static inline uint32_t
corsp_load32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return CORSP_LE32(v);
}
static inline uint16_t
corsp_load16(const void *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof(v));
    return CORSP_LE16(v);
}
static inline uint64_t
corsp_load_small(const void *data, size_t n)
{
    const unsigned char *p = data;
    if (n >= 4)
        return (uint64_t)corsp_load32(p) | ((uint64_t)corsp_load32(p + n - 4) << 32);
    if (n >= 2)
        return (uint64_t)corsp_load16(p) | ((uint64_t)corsp_load16(p + n - 2) << 16);
    return n ? p[0] : 0;
}

/* Adds 0x20 to every byte 'A'..'Z' of an 8-byte word (other bytes untouched):
 * corsp_lower[] applied to 8 bytes at once. */
static inline uint64_t
corsp_fold_word(uint64_t v)
{
    const uint64_t ones = 0x0101010101010101ull;
    uint64_t low7 = v & (0x7F * ones);
    uint64_t ge_a = low7 + (0x80 - 'A') * ones; /* high bit set if byte >= 'A' */
    uint64_t gt_z = low7 + (0x7F - 'Z') * ones; /* high bit set if byte > 'Z' */
    uint64_t upper = (ge_a ^ gt_z) & ~v & (0x80 * ones);
    return v | (upper >> 2);
}

#if defined(__SSE2__)
#include <emmintrin.h>

/* The 16 bytes at a and at b are equal, as a 16-bit mask of equal bytes. */
static CORSP_ALWAYS_INLINE unsigned
corsp_eq16_mask(const char *a, const char *b)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)a);
    __m128i y = _mm_loadu_si128((const __m128i *)(const void *)b);
    return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, y));
}
#endif

/* memcmp(a, b, n) == 0 without a call: one or two overlapping words up to 16
 * bytes; beyond, 16 bytes per step with SSE2 (17..32 bytes, the usual origin,
 * are two overlapping 16-byte compares and one branch), else a word at a time. */
static CORSP_ALWAYS_INLINE bool
corsp_equal_bytes(const char *a, const char *b, size_t n)
{
#if defined(__SSE2__)
    /* 17..32 bytes (most origins) first: one test instead of three */
    if (n - 17 < 16)
        return (corsp_eq16_mask(a, b) & corsp_eq16_mask(a + n - 16, b + n - 16)) == 0xFFFFu;
#endif
    if (n < 8)
        return corsp_load_small(a, n) == corsp_load_small(b, n);
    if (n <= 16)
        return ((corsp_load64(a) ^ corsp_load64(b)) |
                (corsp_load64(a + n - 8) ^ corsp_load64(b + n - 8))) == 0;
#if defined(__SSE2__)
    size_t i = 0;
    if (CORSP_UNLIKELY(n > 32))
        for (; i + 32 < n; i += 16)
            if (corsp_eq16_mask(a + i, b + i) != 0xFFFFu)
                return false;
    /* 17..32 bytes left: the next 16 and the last 16, overlapping */
    return (corsp_eq16_mask(a + i, b + i) & corsp_eq16_mask(a + n - 16, b + n - 16)) == 0xFFFFu;
#else
    for (size_t i = 0; i + 8 < n; i += 8)
        if (corsp_load64(a + i) != corsp_load64(b + i))
            return false;
    return corsp_load64(a + n - 8) == corsp_load64(b + n - 8);
#endif
}

/* corsp_equal_fold(), inlined. */
static inline bool
corsp_equal_fold_inline(const char *a, const char *b, size_t n)
{
    if (n < 8)
        return corsp_fold_word(corsp_load_small(a, n)) == corsp_fold_word(corsp_load_small(b, n));
    for (size_t i = 0; i + 8 < n; i += 8)
        if (corsp_fold_word(corsp_load64(a + i)) != corsp_fold_word(corsp_load64(b + i)))
            return false;
    return corsp_fold_word(corsp_load64(a + n - 8)) == corsp_fold_word(corsp_load64(b + n - 8));
}

bool corsp_is_token(const char *p, size_t n);
/* A Fetch forbidden request-header name (any case), Proxy-* and Sec-* included. */
bool corsp_forbidden_request_header_name(const char *p, size_t n);
bool corsp_equal_fold(const char *a, const char *b, size_t n);

#if defined(__SSE2__)
/* Bit i set when byte i of the 16 at p is not an RFC 9110 tchar: outside
 * 0x21..0x7E, or one of the delimiters "(),/:;<=>?@[\]{} */
static CORSP_ALWAYS_INLINE unsigned
corsp_non_tchar16(const unsigned char *p)
{
    const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
#define B(c)       _mm_set1_epi8((char)(c))
#define EQ(v, c)   _mm_cmpeq_epi8((v), B(c))
#define IN(lo, hi) _mm_and_si128(_mm_cmpgt_epi8(x, B((lo)-1)), _mm_cmplt_epi8(x, B((hi) + 1)))
    /* signed compares: bytes >= 0x80 are negative, so outside every range */
    __m128i visible = IN(0x21, 0x7E);
    __m128i delim = _mm_or_si128(EQ(x, '"'), EQ(_mm_or_si128(x, B(1)), ')')); /* " ( ) */
    delim = _mm_or_si128(delim, _mm_or_si128(EQ(x, ','), EQ(x, '/')));
    delim = _mm_or_si128(delim, _mm_or_si128(EQ(x, '{'), EQ(x, '}')));
    delim = _mm_or_si128(delim, _mm_or_si128(IN(':', '@'), IN('[', ']')));
#undef IN
#undef EQ
#undef B
    return ~(unsigned)_mm_movemask_epi8(_mm_andnot_si128(delim, visible)) & 0xFFFFu;
}
#endif

/* The end of the run of tchar bytes starting at p: 16 bytes per step with
 * SSE2, else 4 table lookups per step. */
static CORSP_ALWAYS_INLINE const unsigned char *
corsp_skip_tchar(const unsigned char *p, const unsigned char *end)
{
#if defined(__SSE2__)
    while (end - p >= 16) {
        unsigned m = corsp_non_tchar16(p);
        if (m != 0)
            return p + __builtin_ctz(m);
        p += 16;
    }
#endif
    while (end - p >= 4 &&
           (corsp_tchar[p[0]] & corsp_tchar[p[1]] & corsp_tchar[p[2]] & corsp_tchar[p[3]]))
        p += 4;
    while (p < end && corsp_tchar[*p])
        p++;
    return p;
}

/*
 * The list scanner: the elements of one comma-separated field line of tokens
 * (RFC 9110 §5.6.1 #token), skipping empty elements and optional white space.
 * corsp_list_scan() is the one implementation, inlined on the per-request
 * path (Access-Control-Request-Headers); corsp_list_next() is the same as a
 * function, for everything else (Vary).
 */
struct corsp_list_iter {
    const char *p;
    const char *end;
};

/* The first byte at or after p that is neither OWS nor ','. */
static CORSP_ALWAYS_INLINE const char *
corsp_list_skip_separators(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
        p++;
    return p;
}

/* True when the line has no element: empty, or only commas and OWS. */
static CORSP_ALWAYS_INLINE bool
corsp_list_is_empty(struct cors_str line)
{
    return corsp_list_skip_separators(line.ptr, line.ptr + line.len) == line.ptr + line.len;
}

/* 1: *out is the next element; 0: no more elements; -1: malformed (it->p is
 * at the offending byte). */
static CORSP_ALWAYS_INLINE int
corsp_list_scan(struct corsp_list_iter *it, struct cors_str *out)
{
    const char *c = it->p, *end = it->end;
    /* OWS and empty elements (usually none: a name follows) */
    if (CORSP_UNLIKELY(c == end || !corsp_tchar[(unsigned char)*c])) {
        c = corsp_list_skip_separators(c, end);
        if (c == end) {
            it->p = c;
            return 0;
        }
    }
    const char *start = c;
    c = (const char *)corsp_skip_tchar((const unsigned char *)c, (const unsigned char *)end);
    if (c == start) {
        it->p = c;
        return -1;
    }
    out->ptr = start;
    out->len = (size_t)(c - start);
    /* the separator: "," or ", " usually */
    if (CORSP_LIKELY(c < end && *c == ',')) {
        c++;
        if (c < end && *c == ' ')
            c++;
    } else {
        while (c < end && (*c == ' ' || *c == '\t'))
            c++;
        if (c < end) {
            if (*c != ',') {
                it->p = c;
                return -1;
            }
            c++;
        }
    }
    it->p = c;
    return 1;
}

/* corsp_list_scan() as a function. */
int corsp_list_next(struct corsp_list_iter *it, struct cors_str *out);
/* The line with leading and trailing OWS removed. */
struct cors_str corsp_trim_ows(struct cors_str s);

/* ----------------------------------------------------------------- writer.c */

/*
 * A bounded writer with snprintf()'s contract: the bytes go into buf[0..size)
 * as far as they fit, len counts every byte asked for, so the caller learns
 * the size the whole text needs. Initialise with {buf, size, 0}; buf may be
 * NULL when size is 0.
 */
struct corsp_writer {
    char *buf;
    size_t size;
    size_t len; /* bytes written or wanted (may exceed size) */
};
void corsp_writer_put(struct corsp_writer *w, const char *p, size_t n);
void corsp_writer_puts(struct corsp_writer *w, const char *s); /* a C string */
/* NUL-terminates the buffer (over its last byte when the text did not fit)
 * and returns len, the text's whole length without the NUL. */
size_t corsp_writer_finish(struct corsp_writer *w);

/* ------------------------------------------------------------------- hash.c */

uint64_t corsp_hash(const void *p, size_t n, uint64_t seed);
uint64_t corsp_hash_fold(const void *p, size_t n, uint64_t seed); /* ASCII case-insensitive */

/*
 * The open-addressing table under every hash set of lib/ (the string set
 * below, the wildcard set of wildset.c): a power-of-two array of slots kept
 * at most half full, probed linearly from the hash's low bits. A slot holds
 * the hash's high 32 bits as a tag and the index + 1 of its key; the keys
 * themselves are stored by the set's owner.
 */
struct corsp_slot {
    uint32_t hash;
    uint32_t index1; /* key index + 1; 0 = empty */
};
struct corsp_table {
    struct corsp_slot *slots;
    uint32_t mask; /* slot count - 1 */
};
/* Empty slots for n keys from pool; false on OOM or when n is too large. */
bool corsp_table_init(struct corsp_table *t, struct corsp_pool *pool, size_t n);
/* Puts key index in the first empty slot of the probe sequence of hash h. */
void corsp_table_insert(struct corsp_table *t, uint64_t h, uint32_t index);

/*
 * Walks the probe sequence of hash h (evaluated more than once) in table t:
 * runs the statement that follows for every slot whose tag is h's, with the
 * uint32_t i1 it declares set to that slot's index1 (key index + 1), until
 * an empty slot. `continue` in the statement goes on to the next slot.
 *
 *     CORSP_TABLE_PROBE(&set->table, h, i1) {
 *         if (equal(&keys[i1 - 1]))
 *             return i1 - 1;
 *     }
 */
#define CORSP_TABLE_PROBE(t, h, i1)                                                                \
    for (uint32_t corsp_i_ = (uint32_t)(h) & (t)->mask, corsp_tag_ = (uint32_t)((h) >> 32), i1;    \
         ((i1) = (t)->slots[corsp_i_].index1) != 0; corsp_i_ = (corsp_i_ + 1) & (t)->mask)         \
        if ((t)->slots[corsp_i_].hash == corsp_tag_)

/*
 * A set of byte strings (exact or ASCII case-folded) over a corsp_table.
 */
struct corsp_strset {
    struct corsp_table table;
    const struct cors_str *keys;
    uint32_t count;
    bool fold;
    bool keys_lower;   /* no key has a byte 'A'..'Z' (set at build) */
    uint64_t len_mask; /* bit (len % 64) set for every key length */
};
/* Builds the table over keys[0..n) (keys must stay alive); false on OOM. */
bool corsp_strset_build(struct corsp_strset *set, struct corsp_pool *pool,
                        const struct cors_str *keys, size_t n, bool fold);
/* Index of the key equal to (p, n), or -1. */
long corsp_strset_find(const struct corsp_strset *set, const char *p, size_t n);

#define CORSP_K1 0x9E3779B97F4A7C15ull
#define CORSP_K2 0xC2B2AE3D27D4EB4Full

/* The hash of a key of up to 16 bytes from its words: w0 the first (packed)
 * word, w1 the last 8 bytes (0 when n <= 8). Two multiplications; the shift
 * between them brings the words' high bytes (a key's last bytes) down to
 * where the second one spreads them over the low bits, the table's slot:
 * without it "example.com" and "example.org" share a slot
 * (tests/unit/test-hash.c). */
static CORSP_ALWAYS_INLINE uint64_t
corsp_hash_short(uint64_t w0, uint64_t w1, size_t n, uint64_t seed)
{
    uint64_t h = ((w0 ^ seed) * CORSP_K1) ^ (w1 + n);
    h ^= h >> 29;
    h *= CORSP_K2;
    return h ^ (h >> 32);
}

/* Up to 16 bytes: corsp_hash_short() of the (packed) first and the last
 * word. Longer: two lanes of 8-byte words (multiply after xor), the last 16
 * bytes overlapping, then one avalanche; 17 to 32 bytes (most origins and
 * regex keys) take the lanes' one step and the last 16 bytes without the
 * loop (the same value). FOLD is applied to every word. */
#define CORSP_HASH_BODY(FOLD)                                                                      \
    const unsigned char *p = data;                                                                 \
    if (n <= 16) {                                                                                 \
        if (n < 8)                                                                                 \
            return corsp_hash_short(FOLD(corsp_load_small(p, n)), 0, n, seed);                     \
        return corsp_hash_short(FOLD(corsp_load64(p)), n > 8 ? FOLD(corsp_load64(p + n - 8)) : 0,  \
                                n, seed);                                                          \
    }                                                                                              \
    uint64_t a = seed ^ CORSP_K2, b = n;                                                           \
    if (CORSP_LIKELY(n <= 32)) {                                                                   \
        a = (a ^ FOLD(corsp_load64(p))) * CORSP_K1;                                                \
        b = (b ^ FOLD(corsp_load64(p + 8))) * CORSP_K2;                                            \
    } else {                                                                                       \
        for (size_t i = 0; i + 16 < n; i += 16) {                                                  \
            a = (a ^ FOLD(corsp_load64(p + i))) * CORSP_K1;                                        \
            b = (b ^ FOLD(corsp_load64(p + i + 8))) * CORSP_K2;                                    \
        }                                                                                          \
    }                                                                                              \
    a = (a ^ FOLD(corsp_load64(p + n - 16))) * CORSP_K1;                                           \
    b = (b ^ FOLD(corsp_load64(p + n - 8))) * CORSP_K2;                                            \
    uint64_t h = a ^ ((b << 32) | (b >> 32));                                                      \
    h ^= h >> 29;                                                                                  \
    h *= CORSP_K1;                                                                                 \
    return h ^ (h >> 32)

#define CORSP_NO_FOLD(v) (v)

static CORSP_ALWAYS_INLINE uint64_t
corsp_hash_inline(const void *data, size_t n, uint64_t seed)
{
    CORSP_HASH_BODY(CORSP_NO_FOLD);
}

static CORSP_ALWAYS_INLINE uint64_t
corsp_hash_fold_inline(const void *data, size_t n, uint64_t seed)
{
    CORSP_HASH_BODY(corsp_fold_word);
}

/* Sets of at most this many keys are searched by comparing the keys in turn
 * (a length test each, then the bytes) rather than hashing: for one to four
 * keys that is cheaper than computing the hash alone. */
#define CORSP_STRSET_LINEAR 4

/* The lookup itself, inlined where it is hot (fold is a constant there). */
static CORSP_ALWAYS_INLINE long
corsp_strset_find_inline(const struct corsp_strset *set, const char *p, size_t n, bool fold)
{
    /* no key has this length (mod 64): a miss without hashing */
    if (!((set->len_mask >> (n & 63)) & 1))
        return -1;
    uint64_t w0 = 0, w1 = 0;
    bool short_lower = fold && set->keys_lower && n <= 16;
    if (short_lower) {
        /* Keys of up to 16 bytes, all lower case: fold the one or two words
         * of the name once, for the hash (the same value as
         * corsp_hash_fold_inline()) and for the comparisons. */
        if (n < 8) {
            w0 = corsp_fold_word(corsp_load_small(p, n));
        } else {
            w0 = corsp_fold_word(corsp_load64(p));
            w1 = corsp_fold_word(corsp_load64(p + n - 8));
        }
    }
#define CORSP_STRSET_KEY_EQUAL(k)                                                                  \
    (short_lower ? (n < 8 ? corsp_load_small((k)->ptr, n) == w0                                    \
                          : corsp_load64((k)->ptr) == w0 && corsp_load64((k)->ptr + n - 8) == w1)  \
     : fold      ? corsp_equal_fold_inline((k)->ptr, p, n)                                         \
                 : corsp_equal_bytes((k)->ptr, p, n))
    if (set->count <= CORSP_STRSET_LINEAR) {
        /* in index order, so an equal key found first is the earliest, as
         * in the table (corsp_strset_build() keeps the first of equal keys) */
        for (uint32_t k = 0; k < set->count; k++)
            if (set->keys[k].len == n && CORSP_STRSET_KEY_EQUAL(&set->keys[k]))
                return (long)k;
        return -1;
    }
    uint64_t h;
    if (short_lower)
        h = corsp_hash_short(w0, n > 8 ? w1 : 0, n, 0);
    else
        h = fold ? corsp_hash_fold_inline(p, n, 0) : corsp_hash_inline(p, n, 0);
    CORSP_TABLE_PROBE (&set->table, h, i1) {
        const struct cors_str *k = &set->keys[i1 - 1];
        if (k->len == n && CORSP_STRSET_KEY_EQUAL(k))
            return (long)i1 - 1;
    }
#undef CORSP_STRSET_KEY_EQUAL
    return -1;
}

/* ----------------------------------------------------------------- origin.c */

enum corsp_host_match {
    CORSP_HOST_EXACT = 0,     /* "https://example.com:*" */
    CORSP_HOST_SUBDOMAIN = 1, /* host "*.example.com" */
    CORSP_HOST_ANY = 2,       /* host "*" */
};

#define CORSP_PORT_DEFAULT 0u /* no port in the origin: the scheme's default */
#define CORSP_PORT_ANY     0xFFFFFFFFu

/* A parsed request origin: slices into the request's bytes. */
struct corsp_origin {
    struct cors_str scheme; /* without "://" */
    struct cors_str host;   /* IPv6 hosts keep their brackets */
    uint32_t port;          /* CORSP_PORT_DEFAULT or 0x10000 | port (0..65535) */
    uint32_t labels;        /* dot-separated labels of a domain host, counted up to 2
                               (2: two or more); 0 for an IP address */
    uint64_t dot_window;    /* the dots among the host's last 64 bytes: bit 63 is
                               its last byte, bit 63 - k the k-th byte before */
};

/*
 * The dots of a parsed host from right to left: the window first (a bit
 * scan each, no byte read), then a backward byte scan for any dot more than
 * 64 bytes before the host's end. Suffix lookups (wildcards, regex keys) walk
 * the labels this way.
 */
struct corsp_dot_iter {
    const char *host;
    uint64_t window; /* dots not returned yet: bit 63 is the byte before pos */
    size_t pos;      /* the offset of the dot returned last (at first: the end) */
    size_t scan;     /* bytes [0, scan) not looked at yet outside the window */
};

static CORSP_ALWAYS_INLINE void
corsp_dot_iter_init(struct corsp_dot_iter *it, const struct corsp_origin *o)
{
    it->host = o->host.ptr;
    it->window = o->dot_window;
    it->pos = o->host.len;
    it->scan = o->host.len > 64 ? o->host.len - 64 : 0;
}

/* The offset in the host of the next dot to the left, or -1 when none is
 * left. In the window: the leading zeros are the bytes up to the dot, and
 * shifting them and the dot out keeps bit 63 next to the position. */
static CORSP_ALWAYS_INLINE long
corsp_dot_iter_next(struct corsp_dot_iter *it)
{
    if (CORSP_LIKELY(it->window != 0)) {
        unsigned skip = (unsigned)__builtin_clzll(it->window);
        it->window = (it->window << skip) << 1; /* skip + 1 may be 64 */
        it->pos -= skip + 1;
        return (long)it->pos;
    }
    while (it->scan > 0)
        if (it->host[--it->scan] == '.')
            return (long)it->scan;
    return -1;
}

enum corsp_origin_kind {
    CORSP_ORIGIN_VALID = 0,
    CORSP_ORIGIN_NULL = 1,
    CORSP_ORIGIN_MALFORMED = 2,
};

/* Parses a request Origin value, accepting only the canonical serialization. */
enum corsp_origin_kind corsp_origin_parse(const char *p, size_t n, struct corsp_origin *out);
/* The same without the shortcut for the usual http(s) origin: the reference
 * the shortcut is fuzzed against (tests/fuzz/fuzz_origin.c). */
enum corsp_origin_kind corsp_origin_parse_full(const char *p, size_t n, struct corsp_origin *out);

#if defined(__SSE2__)
/* The 16 bytes at p as bit masks for the request-origin parser and
 * corsp_origin_surely_valid(): *ok for the bytes a domain host holds
 * ([a-z0-9_.-]), *dot and *digit. A byte class lo..hi is one add and one
 * signed compare: x + (0x80 - lo) wraps the class onto -128..-128 + (hi - lo),
 * below everything else. */
static CORSP_ALWAYS_INLINE void
corsp_quick_masks16(const unsigned char *p, unsigned *ok, unsigned *dot, unsigned *digit)
{
    const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
#define B(c)             _mm_set1_epi8((char)(c))
#define CLASS(lo, count) _mm_cmplt_epi8(_mm_add_epi8(x, B(0x80 - (lo))), B(-128 + (count)))
    __m128i d = CLASS('0', 10);
    __m128i k = _mm_or_si128(_mm_or_si128(d, CLASS('a', 26)), CLASS('-', 2)); /* '-' and '.' */
    k = _mm_or_si128(k, _mm_cmpeq_epi8(x, B('_')));
    *ok = (unsigned)_mm_movemask_epi8(k);
    *dot = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, B('.')));
    *digit = (unsigned)_mm_movemask_epi8(d);
#undef CLASS
#undef B
}

/* One step of corsp_origin_surely_valid(): the bytes of the 16 at p whose
 * bits are in todo (the lowest of them at bit shift) are host bytes with no
 * empty label and no label starting with a digit; *prev_dot says the byte
 * before bit shift ends a label (a dot, or the "//" before the host), and
 * becomes whether bit 15 is a dot. */
static CORSP_ALWAYS_INLINE bool
corsp_quick_step16(const unsigned char *p, unsigned todo, unsigned shift, unsigned *prev_dot)
{
    unsigned ok, dot, digit;
    corsp_quick_masks16(p, &ok, &dot, &digit);
    if ((ok & todo) != todo)
        return false; /* ':' (a port), '[', upper case, ...: the parser decides */
    dot &= todo;
    unsigned starts = ((dot << 1) | (*prev_dot << shift)) & todo; /* label starts */
    if ((starts & (dot | digit)) != 0)
        return false; /* an empty label, or a label starting with a digit */
    *prev_dot = dot >> 15;
    return true;
}
#endif

/* corsp_origin_surely_valid() for the host bytes p[i, n) of a value under
 * 16 bytes (or of any value without SSE2), one byte at a time (origin.c). */
bool corsp_origin_surely_valid_bytes(const char *p, size_t i, size_t n);

/*
 * Whether corsp_origin_parse() would call the value VALID, decided without
 * parsing it: "https://" or "http://" and then a domain host alone (no port,
 * no IP literal). A policy of exact origins only needs to know "valid or
 * malformed" for a value its exact set missed (both are refused, for
 * different reasons), so this spares that path the parse and the dot
 * bookkeeping; inline, so that its caller saves no registers for a call.
 * False means "not sure": the caller parses. It is never true for a value the
 * parser refuses (tests/unit/test-origin.c and tests/fuzz/fuzz_origin.c
 * compare both on every input).
 *
 * A host the parser accepts is a run of [a-z0-9_-] and '.' with no empty
 * label (no leading '.', no ".."; one trailing '.' is fine) whose last label
 * is not a number (WHATWG "ends in a number": all digits or "0x..."; such a
 * host must then be a canonical dotted quad). A number starts with a digit,
 * so "no label starts with a digit" rules it out without finding the last
 * label; hosts with a label that does ("1password.com", "10.0.0.1") are left
 * to the parser.
 *
 * corsp_origin_quick_host() is the same check that says where the host
 * starts (7 or 8, after "http://" or "https://"; 0: not sure); with
 * wide_only it calls nothing and has no loop: values under 16 bytes, hosts
 * over 32 bytes (and every value without SSE2) are then "not sure".
 */
static CORSP_ALWAYS_INLINE size_t
corsp_origin_quick_host(const char *p, size_t n, bool wide_only)
{
    /* the scheme, as 4-byte compares with constants (no register for a
     * 64-bit constant): "http", then "s://" or, from byte 3, "p://" */
    if (n < 8 || corsp_load32(p) != corsp_load32("http"))
        return 0;
    size_t i;
    if (corsp_load32(p + 4) == corsp_load32("s://"))
        i = 8;
    else if (corsp_load32(p + 3) == corsp_load32("p://"))
        i = 7;
    else
        return 0;
    if (i == n)
        return 0; /* empty host */
    const size_t host = i;
#if defined(__SSE2__)
    if (n >= 16) {
        /* 16 bytes per step; the last step reloads the value's final 16
         * bytes (never reading past its end), its bits below `shift` being
         * bytes already judged. */
        const unsigned char *u = (const unsigned char *)p;
        unsigned prev_dot = 1;
        if (wide_only) {
            /* a host of up to 32 bytes in one or two steps and no loop (the
             * loop's registers would cost the caller more saved ones) */
            if (n - i > 32)
                return 0;
            if (n - i > 16) {
                if (!corsp_quick_step16(u + i, 0xFFFFu, 0, &prev_dot))
                    return 0;
                i += 16;
            }
        } else {
            for (; n - i > 16; i += 16)
                if (!corsp_quick_step16(u + i, 0xFFFFu, 0, &prev_dot))
                    return 0;
        }
        unsigned shift = (unsigned)(i - (n - 16));
        return corsp_quick_step16(u + n - 16, (0xFFFFu << shift) & 0xFFFFu, shift, &prev_dot)
                   ? host
                   : 0;
    }
#endif
    return !wide_only && corsp_origin_surely_valid_bytes(p, i, n) ? host : 0;
}

static CORSP_ALWAYS_INLINE bool
corsp_origin_surely_valid(const char *p, size_t n)
{
    return corsp_origin_quick_host(p, n, false) != 0;
}

enum corsp_pattern_kind {
    CORSP_PATTERN_STAR = 0,     /* "*" */
    CORSP_PATTERN_NULL = 1,     /* "null" */
    CORSP_PATTERN_EXACT = 2,    /* canonical origin in .canonical */
    CORSP_PATTERN_WILDCARD = 3, /* host and/or port wildcard */
};

/* A configured origin pattern after canonicalisation (slices into .buf). */
struct corsp_pattern {
    enum corsp_pattern_kind kind;
    struct cors_str canonical; /* canonical text of the whole pattern */
    struct cors_str scheme;
    struct cors_str host; /* exact host, or the suffix after "*." */
    enum corsp_host_match host_match;
    uint32_t port;      /* CORSP_PORT_DEFAULT, CORSP_PORT_ANY or 0x10000 | port */
    bool http_insecure; /* http:// and not a loopback host */
    char buf[CORS_ORIGIN_MAX + 64];
};

/*
 * Parses and canonicalises a configured origin pattern. Returns 0 on success,
 * or the diagnostic code with a message in msg. On success msg is empty, or
 * (CORS_DIAG_ORIGIN_NOT_CANONICAL) says what browsers send instead of the
 * spelling given (upper case, an explicit default port, ...).
 */
enum cors_diag_code corsp_pattern_parse(const char *p, size_t n, struct corsp_pattern *out,
                                        char *msg, size_t msg_size);

/* ---------------------------------------------------------------- wildset.c */

/* The wildcard origin set: (scheme, host or suffix, match kind, port) keys,
 * probed once per label suffix of the request's host; or, for a set of at
 * most CORSP_WILD_QUICK_MAX patterns, a short list compared with the
 * origin's scheme and host's end (struct corsp_wild_quick). */
struct corsp_wild_entry {
    struct cors_str scheme;
    struct cors_str host;
    uint32_t port;
    uint32_t index; /* position in allowOrigins as configured */
    uint8_t host_match;
};

/* A set of at most this many entries is matched by comparing the request
 * origin with each entry in turn, in the order the table walk would find
 * them (struct corsp_wild_quick): a few word compares each, where the walk
 * hashes and probes a suffix per label for each port. Measured (cors-bench,
 * a whole decision) with 8 subdomain patterns and an origin that none
 * matches: 458 instructions compared, 731 walked. The bound keeps the cost
 * independent of the policy's size. */
#define CORSP_WILD_QUICK_MAX 8

/* One entry of the quick list, as words to compare with 8-byte loads of the
 * request origin (values as corsp_load64() returns them). The host matches
 * when it ends with text and its length is in [min_host, min_host + host_span]
 * (one unsigned test: host length - min_host <= host_span, so that a shorter
 * host wraps past the span): text is ".suffix" for a subdomain pattern
 * (min_host len + 1, the span up to UINT32_MAX), the
 * host for an exact host with a port wildcard (min_host len, span 0), and
 * empty for any host. */
struct corsp_wild_quick {
    uint64_t scheme_word; /* the first min(8, scheme_len + 3) bytes of "scheme://" */
    uint64_t scheme_mask; /* the bytes of an 8-byte load that scheme_word holds */
    uint64_t tail;        /* the last min(8, len) bytes of text, at the end of a word */
    uint64_t tail_mask;   /* the bytes of an 8-byte load that tail holds */
    uint64_t head;        /* the first 8 bytes of text (len > 8) */
    const char *text;     /* what ends a matching host (len bytes) */
    uint32_t len;         /* bytes of text */
    uint32_t min_host;    /* the fewest bytes of a matching host */
    uint32_t host_span;   /* how many more it may have (UINT32_MAX - min_host: any) */
    uint32_t min_labels;  /* 2 for a subdomain pattern, else 0 (an IP address has 0) */
    uint32_t scheme_len;  /* bytes of the scheme, without "://" */
    uint32_t port;        /* CORSP_PORT_DEFAULT, CORSP_PORT_ANY or 0x10000 | port */
    const struct corsp_wild_entry *entry; /* the pattern (in the set's entries) */
};

struct corsp_wildset {
    struct corsp_table table;
    const struct corsp_wild_entry *entries;
    uint32_t count;
    uint32_t max_suffix_labels; /* most labels in a subdomain suffix */
    uint32_t min_suffix_labels; /* fewest labels in a subdomain suffix (0: none) */
    bool any_host;              /* some entry is CORSP_HOST_ANY */
    bool exact_host;            /* some entry is CORSP_HOST_EXACT (port wildcard) */
    uint64_t exact_len_mask;    /* bit (len % 64) set for every exact host's length */
    uint64_t suffix_len_mask;   /* bit (len % 64) set for every subdomain suffix's length */
    /* Every entry, when they are at most CORSP_WILD_QUICK_MAX, in the order
     * the table walk would find them (NULL: use the table). */
    const struct corsp_wild_quick *quick;
    uint32_t quick_count;
    bool quick_long; /* some text is over 16 bytes or scheme 8 or more: more to compare */
};
bool corsp_wildset_build(struct corsp_wildset *set, struct corsp_pool *pool,
                         const struct corsp_wild_entry *entries, size_t n);

/* The bytes of a long suffix or scheme that the words of q leave out. */
static CORSP_ALWAYS_INLINE bool
corsp_wild_quick_rest_equal(const struct corsp_wild_quick *q, struct cors_str scheme,
                            const char *end)
{
    return (q->len <= 16 || corsp_equal_bytes(end - q->len, q->text, q->len)) &&
           (q->scheme_len < 8 ||
            (scheme.len == q->scheme_len &&
             corsp_equal_bytes(scheme.ptr, q->entry->scheme.ptr, q->scheme_len)));
}

/*
 * The quick list (set->quick): the first entry, in the list's order, whose
 * scheme and port are the origin's (or any port) and whose text ends the
 * host, the host having the length (host_bytes) and labels the entry asks
 * for. scheme is the origin's (its start is the value's), end is the host's
 * end, at least 8 bytes after the scheme's start, so every 8-byte load below stays
 * within the origin value (text is never longer than the host). slow (a
 * constant where inlined): the tests that the usual case does not need,
 * for a host of fewer than two labels (the labels a subdomain pattern asks
 * for) and for text over 16 bytes or a scheme of 8 bytes or more (which the
 * words alone do not settle).
 *
 * The scheme: a scheme of under 8 bytes is equal when "scheme:" (and what
 * fits of "//") is the origin's start, as a scheme never holds a ':'.
 *
 * This is the entry the table walk (match_table()) finds:
 * - the walk tries the origin's own port in a first pass and CORSP_PORT_ANY
 *   in a second; the list has the entries of a given port before those of
 *   any port, and an entry of another port is skipped here. Entries of
 *   different given ports never both match one origin, so one pass over the
 *   given-port entries in the list's order is the first pass;
 * - within a pass the walk probes the any-host entry (a match whatever the
 *   host), then the exact host, then the host's label suffixes shortest
 *   first; the list has the kinds in that order, and there is at most one
 *   any-host and one exact-host entry per scheme and port to find;
 * - a suffix the walk probes is the host after a dot (not a trailing dot);
 *   as labels are never empty, a ".suffix" that ends the host after at
 *   least one byte is such a suffix, and the walk gets to it since no entry
 *   has more labels than it goes deep (over 64 bytes too: its byte scan).
 *   Two suffixes of one host are nested, so fewer labels is fewer bytes:
 *   the list's length order is the walk's order;
 * - the walk probes no suffix of a host with fewer than two labels (an IP
 *   address counts 0), nor does this (min_labels);
 * - equal keys cannot occur (duplicate patterns are dropped when the policy
 *   is built), so which of two equal entries comes first does not matter.
 * A trailing dot is a byte of the host like another: "a.example.com." ends
 * with ".example.com." (a pattern "*.example.com."), not ".example.com", as
 * in the walk, whose suffixes all end at the host's end.
 */
static CORSP_ALWAYS_INLINE const struct corsp_wild_entry *
corsp_wild_match_quick(const struct corsp_wildset *set, struct cors_str scheme, const char *end,
                       size_t host_bytes, uint32_t port, uint32_t labels, bool slow)
{
    uint64_t first = corsp_load64(scheme.ptr);
    uint64_t last = corsp_load64(end - 8);
    uint32_t host_len = (uint32_t)host_bytes; /* at most CORS_ORIGIN_MAX */
    /* the list is never empty */
    const struct corsp_wild_quick *q = set->quick, *stop = q + set->quick_count;
    do {
        if ((q->port != port && q->port != CORSP_PORT_ANY) ||
            host_len - q->min_host > q->host_span || (slow && labels < q->min_labels))
            continue;
        if (((first & q->scheme_mask) ^ q->scheme_word) | ((last & q->tail_mask) ^ q->tail))
            continue;
        if (q->len > 8 && corsp_load64(end - q->len) != q->head)
            continue;
        if (slow && !corsp_wild_quick_rest_equal(q, scheme, end))
            continue;
        return q->entry;
    } while (++q != stop);
    return NULL;
}

/* The entry the origin matches, or NULL. */
const struct corsp_wild_entry *corsp_wildset_match(const struct corsp_wildset *set,
                                                   const struct corsp_origin *o);

/* ------------------------------------------------------------ regex-shape.c */

/*
 * A regex of the simplest usual form, matched without PCRE2:
 * "scheme://" literally, optionally (C+\.)* or (C+\.)+ for a byte class C
 * without '.', the literal host (suffix) host, optionally a port part.
 */
enum corsp_simple_port {
    CORSP_SIMPLE_PORT_NONE = 0,  /* no port part: the scheme's default port only */
    CORSP_SIMPLE_PORT_ANY = 1,   /* (:[0-9]+)? and the like: any port or none */
    CORSP_SIMPLE_PORT_EXACT = 2, /* ":8080": that port only */
};
struct corsp_regex_simple {
    const char *prefix; /* "scheme://" */
    size_t prefix_len;
    bool labels;         /* the (C+\.)* part is there */
    bool labels_min_one; /* ... as (C+\.)+ */
    uint64_t label_set[4];
    const char *host;
    size_t host_len;
    uint8_t port;        /* enum corsp_simple_port */
    uint32_t port_value; /* CORSP_SIMPLE_PORT_EXACT: 0x10000 | port, or 0: never */
};

/* Whether origin o, parsed from the value at p, matches the regex of simple
 * form f. */
bool corsp_regex_simple_match(const struct corsp_regex_simple *f, const struct corsp_origin *o,
                              const char *p);

/* What the source of one origin regex says about it. */
struct corsp_regex_shape {
    bool unsupported; /* a construct reaching outside the pattern (backreference,
                         recursion, subroutine call, condition, callout, verb) */
    size_t unsupported_at;
    const char *unsupported_what; /* static */
    bool backtracking; /* a repetition that can split one input in many ways */
    size_t backtracking_at;
    const char *backtracking_what; /* static */
    char key[254];  /* every origin the regex matches has a host that is key or
                       ends in "." key */
    size_t key_len; /* 0: no key */
    bool simple;    /* the regex has the simple form (then it has a key) */
    struct corsp_regex_simple form; /* prefix and host point into the buffers below */
    char form_prefix[64];
    char form_host[254];
};
/* Reads pattern (p, n), which PCRE2 compiled. False only when out of memory. */
bool corsp_regex_shape(const struct cors_allocator *alloc, const char *p, size_t n,
                       struct corsp_regex_shape *out);

/* ------------------------------------------------------------------ regex.c */

struct corsp_regex_set; /* compiled origin regexes, owned by a policy */

struct corsp_regex_set *corsp_regex_set_new(const struct cors_allocator *alloc);
void corsp_regex_set_free(struct corsp_regex_set *set);
/*
 * Compiles one pattern and runs its lints, reporting what it finds. Returns
 * false only when out of memory.
 */
bool corsp_regex_set_add(struct corsp_regex_set *set, const char *p, size_t n, size_t index,
                         uint32_t line, uint32_t column, bool jit, struct corsp_report *report);
/* After the last add: compiles the matching groups. False only when out of
 * memory. */
bool corsp_regex_set_finish(struct corsp_regex_set *set, struct corsp_report *report);
/* 1: some regex matches the origin o (text p, n) (*index: the smallest
 * allowOriginRegex position as configured among those that match); 0: none;
 * -1: the request's budget ran out and none matched. */
int corsp_regex_set_match(const struct corsp_regex_set *set, const struct corsp_origin *o,
                          const char *p, size_t n, size_t *index);

/* --------------------------------------------------------------- evaluate.c */

/* The most headers a response shape holds: a preflight answer without echoed
 * request header lines (REMOVE ACAO ACAC ACAM ACAH max-age ACEH ACAPN Vary). */
#define CORSP_SHAPE_HEADERS 9

/*
 * A response shape: the whole result of one kind of request under one policy,
 * computed when the policy is built by the same code that answers the other
 * requests, so cors_evaluate() copies it with a few wide stores instead of
 * testing the policy's settings header by header. Only the request's own
 * values are filled in per request (the Origin echoed in
 * Access-Control-Allow-Origin and Timing-Allow-Origin, the method echoed for
 * allowMethods "*"), plus the reason, allowed and the matched entry.
 */
struct corsp_shape {
    struct cors_result result; /* up to header_count; headers and matched_* are per request */
    size_t min_capacity;       /* header count: a smaller caller array takes the slow path */
    int8_t origin_at[2];       /* entries whose value is the request's Origin, or -1 */
    int8_t method_at;          /* the entry whose value is the request method, or -1 */
    int8_t echo_at; /* allowHeaders "*": where the request's header lines go, or -1 */
    struct cors_header headers[CORSP_SHAPE_HEADERS];
    /* to 512 bytes on LP64: p->shapes[kind] is then one shift, not three
     * instructions, each of the few times a request's path computes it */
    char pad[512 - 72 - CORSP_SHAPE_HEADERS * sizeof(struct cors_header)];
};

enum corsp_shape_kind {
    CORSP_SHAPE_NOT_CORS = 0,
    CORSP_SHAPE_ACTUAL_ALLOWED,
    CORSP_SHAPE_ACTUAL_DENIED,
    CORSP_SHAPE_PREFLIGHT_REJECTED,     /* origin refused, or a malformed method or headers */
    CORSP_SHAPE_PREFLIGHT_ANSWERED,     /* origin allowed, no Private Network request */
    CORSP_SHAPE_PREFLIGHT_ANSWERED_PNA, /* ... with Access-Control-Request-Private-Network */
    CORSP_SHAPE_COUNT
};

/*
 * allowHeaders as a few words, when it has at most CORSP_QUICK_NAMES names of
 * at most 16 bytes: a request's list element of len bytes at c is the name
 * when its one or two words (as corsp_strset_find_inline() loads them), OR-ed
 * with mask (0x20 on each letter), equal word (the name in lower case). That
 * makes a case-insensitive compare 2 operations per word, and a match needs no
 * token check: every byte equals a name's (a token's) or is its upper case.
 */
#define CORSP_QUICK_NAMES 4
struct corsp_quick_name {
    uint64_t word[2];
    uint64_t mask[2];
    size_t len;
};
struct corsp_quick_names {
    struct corsp_quick_name names[CORSP_QUICK_NAMES];
    uint32_t count; /* 0: not used (no list, "*", or names too many or too long) */
};

/*
 * allowMethods entries of under 8 bytes (all of them, in practice) other than
 * the safelisted GET, HEAD and POST, as (length, word) pairs: a request method
 * of n bytes is one of them when corsp_load_small() of it equals a word of
 * length n. complete: every such entry is here (otherwise the list decides).
 */
#define CORSP_QUICK_METHODS 8
struct corsp_quick_methods {
    uint64_t word[CORSP_QUICK_METHODS];
    uint8_t len[CORSP_QUICK_METHODS];
    uint32_t count;
    bool complete;
};

/* How a policy answers requests with an Origin (see corsp_evaluate_prepare()). */
typedef enum cors_status (*corsp_evaluate_fn)(const struct cors_policy *p,
                                              const struct cors_request *req,
                                              struct cors_header *headers, size_t capacity,
                                              struct cors_result *res);

/* Precomputes what cors_evaluate() reads besides the settings: p->shapes,
 * p->quick_headers, p->quick_methods, and the functions that answer actual
 * requests and preflights: from the shapes, or header by header when some
 * shape cannot be used (enforcePercent under 100). The last step of the
 * build. */
void corsp_evaluate_prepare(struct cors_policy *p);

/* ------------------------------------------------------------------- diag.c */

/* Where a build reports its findings. diags may be NULL: the counts still work. */
struct corsp_report {
    struct cors_diagnostics *diags;
    bool strict; /* warnings count as errors */
    size_t errors;
    bool oom;
};
/* Records one finding with a formatted message; the severity derives from the
 * code (warnings are codes >= 100) and strict mode. */
void corsp_report(struct corsp_report *r, enum cors_diag_code code, enum cors_field field,
                  size_t index, uint32_t line, uint32_t column, size_t offset, const char *fmt, ...)
    CORSP_PRINTF(8, 9);

/* ---------------------------------------------------------------- builder.c */

enum corsp_list_field {
    CORSP_LIST_ORIGINS = 0,
    CORSP_LIST_REGEX,
    CORSP_LIST_METHODS,
    CORSP_LIST_ALLOW_HEADERS,
    CORSP_LIST_EXPOSE_HEADERS,
    CORSP_LIST_COUNT
};

/* The public field of each list. */
extern const enum cors_field corsp_list_fields[CORSP_LIST_COUNT];

/* One list entry as the builder received it (a NUL-terminated copy). */
struct corsp_entry {
    char *ptr;
    size_t len;
    uint32_t line;
    uint32_t column;
};

struct corsp_entry_list {
    struct corsp_entry *items;
    size_t count;
    size_t capacity;
};

#define CORSP_FIELD_COUNT (CORS_FIELD_ORIGIN_PREDICATE + 1)

struct cors_policy_builder {
    struct cors_allocator alloc;
    struct corsp_entry_list lists[CORSP_LIST_COUNT];
    int64_t max_age;
    bool credentials;
    bool private_network;
    bool forward_rejected;
    bool forward_allowed;
    bool report_only;
    bool timing_allow_origin;
    int enforce_percent;
    cors_origin_predicate predicate;
    void *predicate_data;
    int preflight_status;
    int reject_status;
    uint32_t line; /* position for what is added next */
    uint32_t column;
    uint32_t field_line[CORSP_FIELD_COUNT];
    uint32_t field_column[CORSP_FIELD_COUNT];
    char *source;
    size_t source_len;
    /* the first call that failed (sticky: every build then fails with it) */
    enum cors_status failed_status;
    const char *failed_call; /* static: the public function's name */
};

/* Records a failing call on the builder (the first one wins); returns status. */
enum cors_status corsp_builder_fail(struct cors_policy_builder *b, const char *call,
                                    enum cors_status status);

/* ----------------------------------------------------------------- policy.c */

struct cors_policy {
    atomic_uint refs;
    struct corsp_pool pool;

    bool credentials;
    bool private_network;
    bool forward_rejected;
    bool forward_allowed;
    bool report_only;
    bool timing_allow_origin;
    bool origins_any; /* "*" in allowOrigins */
    bool origins_exact_only; /* no "*", wildcard, regex or predicate: set by
                                corsp_evaluate_prepare() */
    bool public_star; /* "*" without credentials: literal "*" on every response */
    bool methods_any;
    bool headers_any;
    int preflight_status;
    int reject_status;
    int64_t max_age;
    unsigned enforce_percent;        /* 0..100; 100: every request enforced */
    cors_origin_predicate predicate; /* NULL: none */
    void *predicate_data;

    struct corsp_strset exact; /* canonical exact origins, and "null" if listed */
    struct corsp_wildset wild;
    struct corsp_regex_set *regexes; /* NULL when none */

    const struct cors_str *methods;
    size_t method_count;
    struct corsp_strset headers; /* allowHeaders, case-insensitive */

    /* precomputed header values */
    struct cors_str allow_methods_value;
    struct cors_str allow_headers_value;
    struct cors_str expose_headers_value;
    struct cors_str max_age_value;
    struct cors_str vary_preflight_value;

    /* the effective lists, for cors_policy_to_json() */
    const struct cors_str *lists[CORSP_LIST_COUNT];
    size_t list_counts[CORSP_LIST_COUNT];
    /* every configured entry of allowOrigins (canonical) and allowOriginRegex,
     * by the index the builder received it at (cors_policy_entry()) */
    const struct cors_str *configured[2];
    size_t configured_counts[2];
    /* the allowOrigins index of each exact key, of each wildcard entry, and
     * of the "*" entry (match attribution) */
    const uint32_t *exact_index;
    uint32_t star_index;
    struct cors_str source;

    /* precomputed by corsp_evaluate_prepare() */
    struct corsp_shape shapes[CORSP_SHAPE_COUNT];
    struct corsp_quick_names quick_headers;
    struct corsp_quick_methods quick_methods;
    corsp_evaluate_fn evaluate_actual;
    corsp_evaluate_fn evaluate_preflight;
};

#endif /* CORS_PRIVATE_H */
