/*
 * Fuzz target: the strict request-Origin parser (corsp_origin_parse).
 *
 * Invariants: corsp_origin_parse() gives what corsp_origin_parse_full()
 * gives; corsp_origin_surely_valid() is true only for values the parser
 * accepts, and its loop-free form only where it is; a value is accepted only
 * when it is its own canonical serialization (scheme "://" host [":" port])
 * rebuilt from the parsed parts;
 * the parts are slices of the input; the port is never the scheme's default;
 * "null" is the only non-URL value accepted; and every accepted origin of at
 * most CORS_ORIGIN_MAX bytes, configured as an allowOrigins entry,
 * canonicalises to itself (otherwise
 * a listed origin could never match the request that carries it).
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"
#include "fuzz-common.h"

static unsigned
default_port_of(struct cors_str s)
{
    if ((s.len == 4 && memcmp(s.ptr, "http", 4) == 0) ||
        (s.len == 2 && memcmp(s.ptr, "ws", 2) == 0))
        return 80;
    if ((s.len == 5 && memcmp(s.ptr, "https", 5) == 0) ||
        (s.len == 3 && memcmp(s.ptr, "wss", 3) == 0))
        return 443;
    return 0;
}

static struct corsp_pattern pattern; /* large: keep it off the stack */

/* Whether a host fits DNS's limits: at most 253 bytes (without a trailing
 * dot), no label over 63. IP-literal hosts always fit. */
static bool
dns_host_fits(struct cors_str host)
{
    if (host.len > 0 && host.ptr[0] == '[')
        return true;
    size_t len = host.len;
    if (len > 0 && host.ptr[len - 1] == '.')
        len--;
    if (len > 253)
        return false;
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        label = host.ptr[i] == '.' ? 0 : label + 1;
        if (label > 63)
            return false;
    }
    return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    struct corsp_origin o;
    memset(&o, 0xA5, sizeof o);

    enum corsp_origin_kind kind = corsp_origin_parse(p, size, &o);
    /* the parser's shortcut for usual origins agrees with the full parser */
    struct corsp_origin full;
    memset(&full, 0x5A, sizeof full);
    enum corsp_origin_kind full_kind = corsp_origin_parse_full(p, size, &full);
    FUZZ_CHECK(kind == full_kind, "\"%.*s\": %d, full parser %d", (int)size, p, (int)kind,
               (int)full_kind);
    if (kind == CORSP_ORIGIN_VALID)
        FUZZ_CHECK(o.scheme.ptr == full.scheme.ptr && o.scheme.len == full.scheme.len &&
                       o.host.ptr == full.host.ptr && o.host.len == full.host.len &&
                       o.port == full.port && o.labels == full.labels &&
                       o.dot_window == full.dot_window,
                   "\"%.*s\": parts differ from the full parser's", (int)size, p);
    /* the quick validity check never calls valid what the parser refuses */
    FUZZ_CHECK(!corsp_origin_surely_valid(p, size) || kind == CORSP_ORIGIN_VALID,
               "\"%.*s\" surely valid, but the parser says %d", (int)size, p, (int)kind);
    /* its loop-free form (the exact-only path) says no more than it does */
    size_t quick_host = corsp_origin_quick_host(p, size, true);
    FUZZ_CHECK(quick_host == 0 || corsp_origin_surely_valid(p, size),
               "\"%.*s\" surely valid to the loop-free check only", (int)size, p);
    /* and where it says the host starts, a domain host (no IP address) runs
     * to the end: what the wildcard-only path compares with the patterns */
    FUZZ_CHECK(quick_host == 0 || (kind == CORSP_ORIGIN_VALID && o.host.ptr == p + quick_host &&
                                   o.host.len == size - quick_host && o.labels != 0 &&
                                   o.port == CORSP_PORT_DEFAULT),
               "\"%.*s\": the quick check's host is not the parser's", (int)size, p);
    FUZZ_CHECK(kind == CORSP_ORIGIN_VALID || kind == CORSP_ORIGIN_NULL ||
                   kind == CORSP_ORIGIN_MALFORMED,
               "kind %d", (int)kind);
    if (kind == CORSP_ORIGIN_NULL) {
        FUZZ_CHECK(size == 4 && memcmp(p, "null", 4) == 0, "only \"null\" is the null origin");
        return 0;
    }
    if (kind == CORSP_ORIGIN_MALFORMED)
        return 0;

    FUZZ_CHECK(fuzz_clean(p, size), "accepted origin with CR/LF/NUL");
    FUZZ_CHECK(o.scheme.ptr == p && o.scheme.len > 0 && o.scheme.len < size, "scheme slice");
    FUZZ_CHECK(fuzz_inside(o.host.ptr, o.host.len, p, size) && o.host.len > 0, "host slice");
    for (size_t i = 0; i < o.scheme.len; i++) {
        unsigned char c = (unsigned char)o.scheme.ptr[i];
        FUZZ_CHECK((c >= 'a' && c <= 'z') ||
                       (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')),
                   "scheme byte 0x%02x", c);
    }
    for (size_t i = 0; i < o.host.len; i++) {
        unsigned char c = (unsigned char)o.host.ptr[i];
        FUZZ_CHECK(c > 0x20 && c < 0x7f && !(c >= 'A' && c <= 'Z') && c != '/' && c != '@' &&
                       c != '?' && c != '#' && c != '%' && c != '\\',
                   "host byte 0x%02x", c);
    }

    /* the dot window: bit 63 - k is the host's k-th byte from its end, set
     * exactly for dots; labels counts labels up to 2 (0 for an address) */
    if (o.host.ptr[0] != '[') {
        size_t labels = 1;
        for (size_t k = 0; k < o.host.len; k++) {
            bool dot = o.host.ptr[o.host.len - 1 - k] == '.';
            if (k < 64)
                FUZZ_CHECK(((o.dot_window >> (63 - k)) & 1) == dot, "dot window bit %zu", k);
            labels += dot && k > 0; /* a trailing dot ends no label */
        }
        if (o.host.len < 64)
            FUZZ_CHECK((o.dot_window << o.host.len) == 0, "dot window beyond the host");
        FUZZ_CHECK(o.labels == 0 || o.labels == (labels < 2 ? labels : 2), "labels %u, %zu",
                   (unsigned)o.labels, labels);
    } else {
        FUZZ_CHECK(o.dot_window == 0 && o.labels == 0, "IPv6 host with labels");
    }

    /* rebuild the canonical serialization from the parts */
    char rebuilt[CORS_ORIGIN_MAX * 2 + 32];
    size_t n = 0;
    if (o.scheme.len + o.host.len + 16 > sizeof rebuilt)
        return 0;
    memcpy(rebuilt + n, o.scheme.ptr, o.scheme.len);
    n += o.scheme.len;
    memcpy(rebuilt + n, "://", 3);
    n += 3;
    memcpy(rebuilt + n, o.host.ptr, o.host.len);
    n += o.host.len;
    if (o.port != CORSP_PORT_DEFAULT) {
        FUZZ_CHECK((o.port & 0xFFFF0000u) == 0x10000u, "port encoding 0x%x", (unsigned)o.port);
        unsigned port = o.port & 0xFFFFu;
        /* decisions.md: port 1-65535, never the scheme's default */
        FUZZ_CHECK(port >= 1, "port 0 accepted in \"%.*s\"", (int)size, p);
        FUZZ_CHECK(port != default_port_of(o.scheme), "default port %u kept", port);
        n += (size_t)snprintf(rebuilt + n, sizeof rebuilt - n, ":%u", port);
    }
    FUZZ_CHECK(n == size && memcmp(rebuilt, p, n) == 0,
               "accepted \"%.*s\" is not its canonical form \"%.*s\"", (int)size, p, (int)n,
               rebuilt);

    /* the same bytes as a configured origin: an exact pattern, unchanged
     * (the length limit is not the parser's: cors_evaluate() refuses longer
     * request origins before parsing, and patterns are limited the same way) */
    if (size > CORS_ORIGIN_MAX)
        return 0;
    char msg[256];
    enum cors_diag_code code = corsp_pattern_parse(p, size, &pattern, msg, sizeof msg);
    /* Origins no browser sends parse as request origins (they just never
     * match) but are refused as configuration (README "Validation"): a host
     * beyond DNS's limits (over 253 bytes, a label over 63), a file: origin
     * (browsers send "null"), an "xn--" label that is not punycode. */
    bool dns_ok = dns_host_fits(o.host);
    bool file = o.scheme.len == 4 && memcmp(o.scheme.ptr, "file", 4) == 0;
    bool xn = false;
    for (size_t i = 0; i + 4 <= o.host.len; i++)
        xn = xn || ((i == 0 || o.host.ptr[i - 1] == '.') && memcmp(o.host.ptr + i, "xn--", 4) == 0);
    if (code != 0) {
        FUZZ_CHECK((code == CORS_DIAG_ORIGIN_HOST_TOO_LONG && !dns_ok) ||
                       (code == CORS_DIAG_ORIGIN_FILE_SCHEME && file) ||
                       (code == CORS_DIAG_ORIGIN_PUNYCODE_INVALID && xn),
                   "valid request origin \"%.*s\" refused as a pattern: %s", (int)size, p, msg);
        return 0;
    }
    FUZZ_CHECK(dns_ok && !file, "\"%.*s\" accepted as a pattern although no browser sends it",
               (int)size, p);
    FUZZ_CHECK(pattern.kind == CORSP_PATTERN_EXACT, "kind %d", (int)pattern.kind);
    FUZZ_CHECK(pattern.canonical.len == size && memcmp(pattern.canonical.ptr, p, size) == 0,
               "\"%.*s\" canonicalised to \"%.*s\"", (int)size, p, (int)pattern.canonical.len,
               pattern.canonical.ptr);
    return 0;
}
