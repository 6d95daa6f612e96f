/*
 * Fuzz target: the wildcard lookup (corsp_wildset_match, lib/wildset.c).
 *
 * A set of at most CORSP_WILD_QUICK_MAX wildcard patterns is matched by
 * comparing the origin with each pattern in turn (the quick list), a larger
 * one by walking a hash table; the table is built for every set, so the
 * same set with its quick list removed takes the walk.
 *
 * Input: byte 0, the number of patterns - 1 (mod 12, so that sets over
 * CORSP_WILD_QUICK_MAX come too); then five bytes per pattern: scheme,
 * host kind (bits 0-1: any host, exact host, subdomain x2; bits 2-3: labels
 * - 1; bit 4: a trailing dot), two bytes of label choices (a nibble each),
 * port; the rest: request Origin values separated by '\n'.
 *
 * Invariants: for every value corsp_origin_parse() accepts, the set with its
 * quick list and the same set walked give the same entry; and an entry
 * found is one the origin matches by the documented rules
 * (docs/semantics.md §3.2: the scheme; the port, or any; any host, the host
 * itself, or one or more whole labels before the suffix).
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"
#include "fuzz-common.h"

#define PATTERNS_MAX 12

static const char *const schemes[8] = {"https", "http",    "wss",      "ws",
                                       "a",     "web+app", "coap+tcp", "chrome-extension"};
static const char *const labels[16] = {"a",
                                       "b",
                                       "example",
                                       "com",
                                       "x-y",
                                       "_s",
                                       "co",
                                       "uk",
                                       "org",
                                       "localhost",
                                       "0a",
                                       "b2",
                                       "q",
                                       "test",
                                       "xn--bcher-kva",
                                       "a-label-of-forty-bytes-for-long-suffix-x"};
static const char *const ports[8] = {"", "", "", ":*", ":8080", ":8443", ":1", ":*"};

static struct corsp_pattern pattern; /* large: keep it off the stack */

/* The entry's own rule, independently of either lookup. */
static bool
entry_matches(const struct corsp_wild_entry *e, const struct corsp_origin *o)
{
    if (e->scheme.len != o->scheme.len || memcmp(e->scheme.ptr, o->scheme.ptr, o->scheme.len) != 0)
        return false;
    if (e->port != CORSP_PORT_ANY && e->port != o->port)
        return false;
    switch ((enum corsp_host_match)e->host_match) {
    case CORSP_HOST_ANY:
        return true;
    case CORSP_HOST_EXACT:
        return e->host.len == o->host.len && memcmp(e->host.ptr, o->host.ptr, o->host.len) == 0;
    case CORSP_HOST_SUBDOMAIN: {
        size_t h = o->host.len, s = e->host.len;
        /* a whole label (not a dot) before ".suffix"; IP addresses have none */
        return o->labels >= 2 && h >= s + 2 && o->host.ptr[h - s - 1] == '.' &&
               o->host.ptr[h - s - 2] != '.' && memcmp(o->host.ptr + h - s, e->host.ptr, s) == 0;
    }
    }
    return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t want = 1 + data[0] % PATTERNS_MAX, at = 1;
    struct corsp_pool pool;
    corsp_pool_init(&pool, NULL);
    struct corsp_wild_entry entries[PATTERNS_MAX];
    struct cors_str canon[PATTERNS_MAX];
    size_t n = 0;
    char msg[400];
    for (size_t k = 0; k < want && at + 5 <= size; k++, at += 5) {
        const uint8_t *b = data + at;
        char text[512];
        size_t len = (size_t)snprintf(text, sizeof text, "%s://", schemes[b[0] & 7]);
        unsigned kind = b[1] & 3, count = 1 + ((b[1] >> 2) & 3);
        if (kind == 0) {
            len += (size_t)snprintf(text + len, sizeof text - len, "*");
        } else {
            if (kind >= 2)
                len += (size_t)snprintf(text + len, sizeof text - len, "*.");
            unsigned choice = (unsigned)b[2] | ((unsigned)b[3] << 8);
            for (unsigned i = 0; i < count; i++)
                len += (size_t)snprintf(text + len, sizeof text - len, "%s%s", i ? "." : "",
                                        labels[(choice >> (4 * i)) & 15]);
            if (b[1] & 16)
                len += (size_t)snprintf(text + len, sizeof text - len, ".");
        }
        len += (size_t)snprintf(text + len, sizeof text - len, "%s", ports[b[4] & 7]);
        if (corsp_pattern_parse(text, len, &pattern, msg, sizeof msg) != 0 ||
            pattern.kind != CORSP_PATTERN_WILDCARD)
            continue;
        /* duplicates are dropped when a policy is built: so here */
        bool dup = false;
        for (size_t j = 0; j < n; j++)
            dup |= canon[j].len == pattern.canonical.len &&
                   memcmp(canon[j].ptr, pattern.canonical.ptr, pattern.canonical.len) == 0;
        if (dup)
            continue;
        /* as policy.c keeps them: slices of a copy of the canonical text */
        char *base = corsp_pool_strdup(&pool, pattern.canonical.ptr, pattern.canonical.len);
        FUZZ_CHECK(base != NULL, "out of memory");
        canon[n] = (struct cors_str){base, pattern.canonical.len};
        entries[n] = (struct corsp_wild_entry){
            .scheme = {base, pattern.scheme.len},
            .host = {base + (pattern.host.ptr - pattern.buf), pattern.host.len},
            .port = pattern.port,
            .index = (uint32_t)n,
            .host_match = (uint8_t)pattern.host_match,
        };
        n++;
    }
    struct corsp_wildset quick;
    FUZZ_CHECK(corsp_wildset_build(&quick, &pool, entries, n), "out of memory");
    FUZZ_CHECK((quick.quick != NULL) == (n > 0 && n <= CORSP_WILD_QUICK_MAX),
               "%zu entries: quick list %s", n, quick.quick ? "built" : "missing");
    struct corsp_wildset walk = quick;
    walk.quick = NULL;
    walk.quick_count = 0;

    const char *p = (const char *)data + at, *end = (const char *)data + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        struct corsp_origin o;
        if (n > 0 && corsp_origin_parse(p, len, &o) == CORSP_ORIGIN_VALID) {
            const struct corsp_wild_entry *a = corsp_wildset_match(&quick, &o);
            const struct corsp_wild_entry *w = corsp_wildset_match(&walk, &o);
            FUZZ_CHECK(a == w, "'%.*s': the list gives entry %ld, the table walk %ld", (int)len, p,
                       a ? (long)a->index : -1L, w ? (long)w->index : -1L);
            FUZZ_CHECK(a == NULL || entry_matches(a, &o), "'%.*s' does not match entry %u '%.*s'",
                       (int)len, p, a->index, (int)canon[a->index].len, canon[a->index].ptr);
        }
        p += len + 1;
    }
    corsp_pool_release(&pool);
    return 0;
}
