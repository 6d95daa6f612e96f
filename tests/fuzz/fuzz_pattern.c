/*
 * Fuzz target: configured origin patterns (corsp_pattern_parse), the
 * canonicalising parser behind allowOrigins.
 *
 * Invariants: the diagnostic message is NUL-terminated inside its buffer and
 * not empty on error (on success it is empty or names the canonical form, and
 * empty for the canonical form itself); an accepted pattern has a canonical text free of CR/LF/NUL
 * that parses again to the same pattern (idempotent); an exact pattern's
 * canonical text is a valid request origin (else the entry could never
 * match); wildcard parts are consistent with the canonical text.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"
#include "fuzz-common.h"

static struct corsp_pattern first, second;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    char msg[256];
    memset(msg, 'x', sizeof msg);

    enum cors_diag_code code = corsp_pattern_parse(p, size, &first, msg, sizeof msg);
    size_t ml = 0;
    while (ml < sizeof msg && msg[ml] != '\0')
        ml++;
    FUZZ_CHECK(ml < sizeof msg, "message not NUL-terminated");
    /* (the message may quote raw input bytes: corsp_report() replaces control
     * bytes before a message reaches the diagnostics list) */
    if (code != 0) {
        FUZZ_CHECK(code == CORS_DIAG_ORIGIN_MALFORMED || code == CORS_DIAG_ORIGIN_WILDCARD_MISPLACED ||
                       code == CORS_DIAG_ORIGIN_NOT_ASCII || code == CORS_DIAG_ORIGIN_HOST_TOO_LONG ||
                       code == CORS_DIAG_ORIGIN_FILE_SCHEME ||
                       code == CORS_DIAG_ORIGIN_PUNYCODE_INVALID,
                   "unexpected code %d", (int)code);
        FUZZ_CHECK(ml > 0, "error %d without a message", (int)code);
        return 0;
    }

    struct cors_str c = first.canonical;
    FUZZ_CHECK(c.ptr != NULL && c.len > 0 && c.len <= CORS_ORIGIN_MAX, "canonical length %zu",
               c.len);
    FUZZ_CHECK(fuzz_clean(c.ptr, c.len), "canonical with CR/LF/NUL");
    for (size_t i = 0; i < c.len; i++)
        FUZZ_CHECK((unsigned char)c.ptr[i] > 0x20 && (unsigned char)c.ptr[i] < 0x7f,
                   "canonical byte 0x%02x", (unsigned char)c.ptr[i]);

    switch (first.kind) {
    case CORSP_PATTERN_STAR:
        FUZZ_CHECK(c.len == 1 && c.ptr[0] == '*', "star canonical");
        break;
    case CORSP_PATTERN_NULL:
        FUZZ_CHECK(c.len == 4 && memcmp(c.ptr, "null", 4) == 0, "null canonical");
        break;
    case CORSP_PATTERN_EXACT: {
        struct corsp_origin o;
        enum corsp_origin_kind k = corsp_origin_parse(c.ptr, c.len, &o);
        FUZZ_CHECK(k == CORSP_ORIGIN_VALID, "exact pattern \"%.*s\" canonicalised to \"%.*s\", "
                   "which no request origin can equal", (int)size, p, (int)c.len, c.ptr);
        FUZZ_CHECK(o.scheme.len == first.scheme.len &&
                       memcmp(o.scheme.ptr, first.scheme.ptr, o.scheme.len) == 0,
                   "scheme differs");
        FUZZ_CHECK(o.host.len == first.host.len && memcmp(o.host.ptr, first.host.ptr, o.host.len) == 0,
                   "host differs");
        FUZZ_CHECK(o.port == first.port, "port differs");
        break;
    }
    case CORSP_PATTERN_WILDCARD:
        FUZZ_CHECK(first.host_match == CORSP_HOST_ANY || first.host_match == CORSP_HOST_SUBDOMAIN ||
                       first.port == CORSP_PORT_ANY,
                   "a wildcard pattern without a wildcard part");
        FUZZ_CHECK(memchr(c.ptr, '*', c.len) != NULL, "wildcard canonical without '*'");
        if (first.host_match == CORSP_HOST_SUBDOMAIN)
            FUZZ_CHECK(first.host.len > 0, "empty subdomain suffix");
        break;
    default:
        FUZZ_CHECK(0, "kind %d", (int)first.kind);
    }

    /* idempotent: the canonical text is accepted and canonical */
    char copy[CORS_ORIGIN_MAX + 64];
    memcpy(copy, c.ptr, c.len);
    size_t cl = c.len;
    enum cors_diag_code again = corsp_pattern_parse(copy, cl, &second, msg, sizeof msg);
    FUZZ_CHECK(again == 0, "canonical \"%.*s\" refused: %s", (int)cl, copy, msg);
    /* the canonical form is what browsers send: no origin-not-canonical message */
    FUZZ_CHECK(msg[0] == '\0', "canonical \"%.*s\" reported as not canonical: %s", (int)cl, copy,
               msg);
    FUZZ_CHECK(second.kind == first.kind, "kind changed");
    FUZZ_CHECK(second.canonical.len == cl && memcmp(second.canonical.ptr, copy, cl) == 0,
               "not idempotent: \"%.*s\" -> \"%.*s\"", (int)cl, copy, (int)second.canonical.len,
               second.canonical.ptr);
    FUZZ_CHECK(second.port == first.port && second.host_match == first.host_match &&
                   second.http_insecure == first.http_insecure,
               "parts changed");
    return 0;
}
