/*
 * Fuzz target: comma-separated header lists (corsp_list_next, corsp_trim_ows)
 * and the public Vary merger (cors_merge_vary).
 *
 * The list iterator is checked against an independent reference: split on
 * ',', trim spaces and tabs, skip empty elements, every other element must be
 * a non-empty run of RFC 9110 tchar. The iterator must return exactly the
 * valid elements in order, then 0 (well-formed) or -1 (the first malformed
 * element), always moving forward and staying inside the input.
 *
 * cors_merge_vary() is checked for snprintf semantics: the same length for
 * every buffer size, NUL termination, a prefix of the full result when
 * truncated, no CR/LF/NUL added, and the addition's names present.
 *
 * Input: byte 0 chooses where the Vary input splits into (existing,
 * addition); the rest is the list.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"
#include "fuzz-common.h"

static bool
tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool
ows(char c)
{
    return c == ' ' || c == '\t';
}

static void
check_list(const char *p, size_t n)
{
    struct corsp_list_iter it = {p, p + n};
    const char *prev = p;
    size_t start = 0;
    bool done = false;

    /* walk the reference elements and compare one by one */
    while (!done) {
        size_t end = start;
        while (end < n && p[end] != ',')
            end++;
        size_t a = start, b = end;
        while (a < b && ows(p[a]))
            a++;
        while (b > a && ows(p[b - 1]))
            b--;
        bool last = end >= n;
        if (a < b) {
            bool token = true;
            for (size_t i = a; i < b; i++)
                token = token && tchar((unsigned char)p[i]);
            struct cors_str out = {NULL, 0};
            int rc = corsp_list_next(&it, &out);
            FUZZ_CHECK(it.p >= prev && it.p <= p + n, "iterator moved backwards or out");
            prev = it.p;
            if (!token) {
                FUZZ_CHECK(rc == -1, "element \"%.*s\" is not a token but rc=%d", (int)(b - a),
                           p + a, rc);
                return;
            }
            FUZZ_CHECK(rc == 1, "element \"%.*s\" missed (rc=%d)", (int)(b - a), p + a, rc);
            FUZZ_CHECK(out.ptr == p + a && out.len == b - a,
                       "element \"%.*s\" returned as \"%.*s\"", (int)(b - a), p + a,
                       (int)out.len, out.ptr);
        }
        if (last)
            done = true;
        start = end + 1;
    }
    struct cors_str out;
    int rc = corsp_list_next(&it, &out);
    FUZZ_CHECK(rc == 0, "extra element after the end (rc=%d)", rc);
    FUZZ_CHECK(corsp_list_next(&it, &out) == 0, "not stable at the end");

    struct cors_str t = corsp_trim_ows((struct cors_str){p, n});
    FUZZ_CHECK(fuzz_inside(t.ptr, t.len, p, n), "trim out of bounds");
    if (t.len > 0)
        FUZZ_CHECK(!ows(t.ptr[0]) && !ows(t.ptr[t.len - 1]), "trim left OWS");
}

static void
check_vary(struct cors_str existing, struct cors_str addition)
{
    static char full[1 << 17];
    size_t need = cors_merge_vary(existing, addition, NULL, 0);
    if (need >= sizeof full)
        return;
    size_t got = cors_merge_vary(existing, addition, full, sizeof full);
    FUZZ_CHECK(got == need, "length %zu vs %zu", got, need);
    FUZZ_CHECK(full[got] == '\0', "not NUL-terminated");

    /* Vary merging adds only tokens and ", ": no CR/LF/NUL unless the
     * existing value had them */
    if (fuzz_clean(existing.ptr, existing.len))
        FUZZ_CHECK(fuzz_clean(full, got), "merge introduced CR/LF/NUL");

    /* truncated outputs are prefixes */
    char small[17];
    for (size_t size = 1; size <= sizeof small; size += 5) {
        memset(small, 0x7f, sizeof small);
        size_t r = cors_merge_vary(existing, addition, small, size);
        FUZZ_CHECK(r == need, "length depends on the buffer size");
        size_t w = need < size ? need : size - 1;
        FUZZ_CHECK(small[w] == '\0' && memcmp(small, full, w) == 0, "truncated output differs");
        if (size < sizeof small)
            FUZZ_CHECK(small[size] == 0x7f, "wrote past the buffer");
    }

    /* every valid name of the addition is now listed (unless the result is "*") */
    if (got == 1 && full[0] == '*')
        return;
    struct corsp_list_iter it = {addition.ptr, addition.ptr + addition.len};
    struct cors_str name;
    int rc;
    while ((rc = corsp_list_next(&it, &name)) == 1) {
        bool found = false;
        struct corsp_list_iter r = {full, full + got};
        struct cors_str have;
        int rr;
        while (!found && (rr = corsp_list_next(&r, &have)) != 0) {
            if (rr < 0) {
                while (r.p < r.end && *r.p != ',')
                    r.p++;
                continue;
            }
            found = have.len == name.len && corsp_equal_fold(have.ptr, name.ptr, name.len);
        }
        FUZZ_CHECK(found, "\"%.*s\" missing from the merged Vary", (int)name.len, name.ptr);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    check_list(p, n);

    size_t split = n == 0 ? 0 : data[0] % (n + 1);
    check_vary((struct cors_str){p, split}, (struct cors_str){p + split, n - split});
    check_vary((struct cors_str){NULL, 0}, (struct cors_str){p, n});
    return 0;
}
