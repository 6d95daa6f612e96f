/*
 * Fuzz target: the reader of origin regexes (corsp_regex_shape, lib/regex-
 * shape.c), on every pattern PCRE2 accepts with the library's options.
 *
 * Input: a pattern, optionally followed by a NUL byte and a request origin.
 * Invariants: no crash or sanitizer report; offsets inside the pattern; a key
 * is a non-empty run of host bytes not starting with '.'. Soundness of the
 * prefilter: when the origin is a valid request origin and the regex matches
 * it, its host is the key or ends in "." + key (else the prefilter would
 * hide a match); a regex of the simple form gives the same answer as PCRE2,
 * alone and as a policy's only regex (for a host within the DNS limits).
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"
#include "fuzz-common.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#define OPTIONS                                                                                    \
    (PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_NO_AUTO_CAPTURE | PCRE2_NEVER_UTF |                \
     PCRE2_NEVER_UCP | PCRE2_NEVER_BACKSLASH_C)

/* A policy of the one regex p allows the GET request from origin s exactly
 * when `match` (what PCRE2 said). Regexes the build refuses are skipped. */
static void
check_policy(const char *p, size_t n, const char *s, size_t sn, bool match)
{
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    FUZZ_CHECK(b != NULL, "out of memory");
    (void)cors_policy_builder_add_origin_regex(b, (struct cors_str){p, n});
    struct cors_policy *policy = cors_policy_build(b, 0, NULL, NULL);
    cors_policy_builder_free(b);
    if (policy == NULL)
        return;
    struct cors_str origin = {s, sn};
    struct cors_request rq;
    memset(&rq, 0, sizeof rq);
    rq.method = (struct cors_str){"GET", 3};
    rq.origins = &origin;
    rq.origin_count = 1;
    struct cors_header headers[CORS_HEADERS_MAX];
    struct cors_result res;
    enum cors_status st = cors_evaluate(policy, &rq, headers, CORS_HEADERS_MAX, &res);
    FUZZ_CHECK(st == CORS_OK, "status %s", cors_status_name(st));
    FUZZ_CHECK(res.allowed == match, "regex \"%.*s\" on \"%.*s\": PCRE2 %d, policy %d (%s)", (int)n,
               p, (int)sn, s, match, res.allowed, cors_reason_name(res.reason));
    cors_policy_unref(policy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    const char *sep = memchr(p, '\0', size);
    size_t n = sep ? (size_t)(sep - p) : size;
    const char *subject = sep ? sep + 1 : NULL;
    size_t sn = sep ? size - n - 1 : 0;

    int err;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)p, n, OPTIONS, &err, &off, NULL);
    if (code == NULL)
        return 0;
    struct cors_allocator a;
    corsp_alloc_init(&a, NULL);
    struct corsp_regex_shape shape;
    FUZZ_CHECK(corsp_regex_shape(&a, p, n, &shape), "out of memory");
    if (shape.unsupported)
        FUZZ_CHECK(shape.unsupported_at < n, "unsupported offset %zu of %zu", shape.unsupported_at,
                   n);
    if (shape.backtracking)
        FUZZ_CHECK(shape.backtracking_at < n, "lint offset %zu of %zu", shape.backtracking_at, n);
    if (shape.key_len > 0) {
        FUZZ_CHECK(shape.key[0] != '.', "key starts with a dot");
        for (size_t i = 0; i < shape.key_len; i++) {
            char c = shape.key[i];
            FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                           c == '.',
                       "key byte 0x%02x", (unsigned char)c);
        }
    }
    struct corsp_origin o;
    if (subject != NULL && shape.key_len > 0 && !shape.unsupported &&
        corsp_origin_parse(subject, sn, &o) == CORSP_ORIGIN_VALID) {
        pcre2_match_data *md = pcre2_match_data_create(1, NULL);
        pcre2_match_context *mc = pcre2_match_context_create(NULL);
        pcre2_set_match_limit(mc, 100000);
        pcre2_set_depth_limit(mc, 1000);
        int rc = pcre2_match(code, (PCRE2_SPTR)subject, sn, 0, 0, md, mc);
        if (shape.simple && (rc >= 0 || rc == PCRE2_ERROR_NOMATCH)) {
            bool direct = corsp_regex_simple_match(&shape.form, &o, subject);
            FUZZ_CHECK(direct == (rc >= 0), "regex \"%.*s\" on \"%.*s\": PCRE2 %d, simple %d",
                       (int)n, p, (int)sn, subject, rc >= 0, direct);
            /* the policy's own path (the one-lookup path of lib/regex.c for
             * a simple regex with a short scheme) says the same for a host
             * that breaks no DNS limit (at most 63 bytes) */
            if (o.host.len <= 63)
                check_policy(p, n, subject, sn, rc >= 0);
        }
        if (rc >= 0) {
            struct cors_str h = o.host;
            size_t k = shape.key_len;
            bool ok = (h.len == k && memcmp(h.ptr, shape.key, k) == 0) ||
                      (h.len > k && h.ptr[h.len - k - 1] == '.' &&
                       memcmp(h.ptr + h.len - k, shape.key, k) == 0);
            FUZZ_CHECK(ok, "regex \"%.*s\" matches \"%.*s\" but its key is \"%.*s\"", (int)n, p,
                       (int)sn, subject, (int)k, shape.key);
        }
        pcre2_match_context_free(mc);
        pcre2_match_data_free(md);
    }
    pcre2_code_free(code);
    return 0;
}
