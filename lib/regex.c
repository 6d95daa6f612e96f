/*
 * Origin regexes: PCRE2, compiled once, anchored at both ends, JIT where
 * available, bounded by match and depth limits, and linted at build time.
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

/* Match limit of one regex: REGEX_MATCH_LIMIT, lowered to an equal share of
 * REGEX_MATCH_BUDGET (per evaluation) when a policy has many regexes, but never
 * below REGEX_MATCH_LIMIT_MIN, so that many pathological regexes do not
 * multiply the worst case of one request. */
#define REGEX_MATCH_LIMIT     100000u
#define REGEX_MATCH_BUDGET    1000000u
#define REGEX_MATCH_LIMIT_MIN 10000u
#define REGEX_DEPTH_LIMIT    1000u
#define REGEX_HEAP_LIMIT_KIB 24u
#define REGEX_ARENA_SIZE     (32u * 1024u)

#define REGEX_COMPILE_OPTIONS                                                                      \
    (PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_NO_AUTO_CAPTURE | PCRE2_NEVER_UTF |                \
     PCRE2_NEVER_UCP | PCRE2_NEVER_BACKSLASH_C)

struct corsp_regex {
    pcre2_code *code;
    bool jit;     /* JIT-compiled: matched with pcre2_jit_match() */
    size_t index; /* position in allowOriginRegex as configured */
};

struct corsp_regex_set {
    struct cors_allocator alloc;
    bool alloc_failed; /* an allocation for PCRE2 failed during the build */
    pcre2_general_context *gctx;
    pcre2_compile_context *cctx;
    pcre2_match_context *mctx;
    struct corsp_regex *items;
    size_t count;
    size_t capacity;
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
    set->gctx = pcre2_general_context_create(pcre_malloc, pcre_free, set);
    if (set->gctx != NULL) {
        set->cctx = pcre2_compile_context_create(set->gctx);
        set->mctx = pcre2_match_context_create(set->gctx);
    }
    if (set->gctx == NULL || set->cctx == NULL || set->mctx == NULL) {
        corsp_regex_set_free(set);
        return NULL;
    }
    pcre2_set_match_limit(set->mctx, REGEX_MATCH_LIMIT);
    pcre2_set_depth_limit(set->mctx, REGEX_DEPTH_LIMIT);
    pcre2_set_heap_limit(set->mctx, REGEX_HEAP_LIMIT_KIB);
    return set;
}

void
corsp_regex_set_free(struct corsp_regex_set *set)
{
    if (set == NULL)
        return;
    for (size_t i = 0; i < set->count; i++)
        pcre2_code_free(set->items[i].code);
    corsp_free(&set->alloc, set->items);
    pcre2_match_context_free(set->mctx);
    pcre2_compile_context_free(set->cctx);
    pcre2_general_context_free(set->gctx);
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

__attribute__((noinline)) int
corsp_regex_set_match(const struct corsp_regex_set *set, const char *p, size_t n, size_t *index)
{
    _Alignas(16) unsigned char space[REGEX_ARENA_SIZE];
    struct arena arena = {space, 0, sizeof(space)};
    pcre2_general_context *g = pcre2_general_context_create(arena_malloc, arena_free, &arena);
    if (g == NULL)
        return -1;
    pcre2_match_data *md = pcre2_match_data_create(1, g);
    if (md == NULL)
        return -1;
    size_t mark = arena.used;
    int result = 0;
    for (size_t i = 0; i < set->count; i++) {
        arena.used = mark; /* the interpreter's frames are per match */
        int rc = match_one(set->items[i].code, set->items[i].jit, p, n, md, set->mctx);
        if (rc == 1) {
            *index = set->items[i].index;
            return 1;
        }
        if (rc < 0)
            result = -1;
    }
    return result;
}

/* -------------------------------------------------------------- compiling */

/* Build-time match with a heap match data block. */
static int
match_heap(const struct corsp_regex_set *set, const pcre2_code *code, const char *s)
{
    pcre2_match_data *md = pcre2_match_data_create(1, set->gctx);
    if (md == NULL)
        return -2;
    int rc = match_one(code, false, s, strlen(s), md, set->mctx);
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
    if (jit)
        (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */

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

    if (set->alloc_failed) {
        pcre2_code_free(code);
        return false;
    }
    if (set->count == set->capacity) {
        size_t cap = set->capacity ? set->capacity * 2 : 4;
        struct corsp_regex *items = corsp_malloc(&set->alloc, cap * sizeof(*items));
        if (items == NULL) {
            pcre2_code_free(code);
            return false;
        }
        if (set->count > 0)
            memcpy(items, set->items, set->count * sizeof(*items));
        corsp_free(&set->alloc, set->items);
        set->items = items;
        set->capacity = cap;
    }
    size_t jit_size = 0;
    if (jit && pcre2_pattern_info(code, PCRE2_INFO_JITSIZE, &jit_size) != 0)
        jit_size = 0;
    set->items[set->count].code = code;
    set->items[set->count].jit = jit_size > 0;
    set->items[set->count].index = index;
    set->count++;
    size_t share = REGEX_MATCH_BUDGET / set->count;
    if (share > REGEX_MATCH_LIMIT)
        share = REGEX_MATCH_LIMIT;
    if (share < REGEX_MATCH_LIMIT_MIN)
        share = REGEX_MATCH_LIMIT_MIN;
    pcre2_set_match_limit(set->mctx, (uint32_t)share);
    return !report->oom;
}
