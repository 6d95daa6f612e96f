/*
 * Origins: the strict parser for request Origin values (only the canonical
 * serialization of Fetch #origin-header is accepted) and the canonicalising
 * parser for configured origin patterns.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"

#include <stdio.h>

#if HAVE_IDN2
#include <idn2.h>
#include <stdlib.h>
#endif

static inline bool
is_lower_alpha(unsigned char c)
{
    return c >= 'a' && c <= 'z';
}

static inline bool
is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static inline bool
is_scheme_char(unsigned char c)
{
    return is_lower_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.';
}

/* Bytes allowed in a canonical domain host label. */
static inline bool
is_host_char(unsigned char c)
{
    return is_lower_alpha(c) || is_digit(c) || c == '-' || c == '_';
}

static inline int
hex_value(unsigned char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The scheme's default port, or 0 when it has none. */
static unsigned
default_port(const char *scheme, size_t n)
{
    if ((n == 4 && memcmp(scheme, "http", 4) == 0) || (n == 2 && memcmp(scheme, "ws", 2) == 0))
        return 80;
    if ((n == 5 && memcmp(scheme, "https", 5) == 0) || (n == 3 && memcmp(scheme, "wss", 3) == 0))
        return 443;
    return 0;
}

/* ------------------------------------------------------------ IP addresses */

/* Reads at most max decimal digits from p[*i..n) into *value, advancing *i;
 * returns the number of digits read. */
static inline size_t
scan_decimal(const char *p, size_t *i, size_t n, size_t max, unsigned *value)
{
    size_t k = *i, end = n - k > max ? k + max : n;
    unsigned v = 0;
    while (k < end && is_digit((unsigned char)p[k]))
        v = v * 10 + (unsigned)(p[k++] - '0');
    size_t digits = k - *i;
    *i = k;
    *value = v;
    return digits;
}

/* A canonical dotted quad: four decimal parts 0..255 without leading zeros. */
static bool
is_canonical_ipv4(const char *p, size_t n)
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= n || p[i] != '.')
                return false;
            i++;
        }
        size_t start = i;
        unsigned v;
        size_t len = scan_decimal(p, &i, n, 4, &v);
        if (len == 0 || len > 3 || v > 255 || (len > 1 && p[start] == '0'))
            return false;
    }
    return i == n;
}

/* True when the host "ends in a number" (WHATWG URL): its last label, ignoring
 * one trailing dot, is all digits or 0x-prefixed. Such hosts are IPv4. */
static bool
ends_in_number(const char *p, size_t n)
{
    if (n > 0 && p[n - 1] == '.')
        n--;
    size_t start = n;
    while (start > 0 && p[start - 1] != '.')
        start--;
    size_t len = n - start;
    if (len == 0)
        return false;
    if (len >= 2 && p[start] == '0' && (p[start + 1] == 'x' || p[start + 1] == 'X'))
        return true;
    for (size_t i = start; i < n; i++)
        if (!is_digit((unsigned char)p[i]))
            return false;
    return true;
}

/* Parses an IPv6 address (without brackets), accepting upper case, leading
 * zeros and a dotted IPv4 tail. */
static bool
ipv6_parse(const char *p, size_t n, uint16_t words[8])
{
    int count = 0, compress = -1;
    size_t i = 0;

    memset(words, 0, 8 * sizeof(words[0]));
    if (n >= 2 && p[0] == ':' && p[1] == ':') {
        compress = 0;
        i = 2;
        if (i == n)
            return true;
    } else if (n > 0 && p[0] == ':') {
        return false;
    }
    while (i < n) {
        if (count == 8)
            return false;
        if (p[i] == ':') {
            if (compress >= 0)
                return false;
            compress = count;
            i++;
            if (i == n)
                break;
            continue;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < n && hex_value((unsigned char)p[i]) >= 0 && i - start < 4) {
            v = v * 16 + (unsigned)hex_value((unsigned char)p[i]);
            i++;
        }
        if (i < n && p[i] == '.') {
            /* dotted IPv4 tail: needs two free words */
            if (count > 6 || !is_canonical_ipv4(p + start, n - start))
                return false;
            unsigned b[4] = {0, 0, 0, 0};
            size_t j = start;
            for (int k = 0; k < 4; k++) {
                while (j < n && is_digit((unsigned char)p[j]))
                    b[k] = b[k] * 10 + (unsigned)(p[j++] - '0');
                j++;
            }
            words[count++] = (uint16_t)(b[0] << 8 | b[1]);
            words[count++] = (uint16_t)(b[2] << 8 | b[3]);
            i = n;
            break;
        }
        if (i == start)
            return false;
        words[count++] = (uint16_t)v;
        if (i < n) {
            if (p[i] != ':')
                return false;
            i++;
            if (i == n)
                return false; /* trailing single ':' */
            if (p[i] == ':') {
                if (compress >= 0)
                    return false;
                compress = count;
                i++;
            }
        }
    }
    if (compress >= 0) {
        if (count == 8)
            return false;
        int tail = count - compress;
        memmove(words + 8 - tail, words + compress, (size_t)tail * sizeof(words[0]));
        for (int k = compress; k < 8 - tail; k++)
            words[k] = 0;
    } else if (count != 8) {
        return false;
    }
    return true;
}

/* WHATWG IPv6 serializer: lower-case hex, the first longest run of two or
 * more zero words compressed. Writes at most 39 bytes, returns the length. */
static size_t
ipv6_serialize(const uint16_t words[8], char *out)
{
    int best = -1, best_len = 1;
    for (int i = 0; i < 8;) {
        if (words[i] != 0) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && words[j] == 0)
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            out[o++] = ':';
            if (i == 0)
                out[o++] = ':';
            i += best_len - 1;
            continue;
        }
        unsigned w = words[i];
        bool started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            unsigned d = (w >> shift) & 0xF;
            if (d != 0 || started || shift == 0) {
                out[o++] = hex[d];
                started = true;
            }
        }
        if (i < 7)
            out[o++] = ':';
    }
    return o;
}

/* ------------------------------------------------------- request origins */

#if defined(__SSE2__)
#include <emmintrin.h>

/* corsp_quick_masks16() over the bytes p[from, n) of a value of 16 to 64 bytes,
 * as 64-bit masks aligned on its end: byte j at bit 64 - n + j, the last
 * byte at bit 63 (bits below from are unspecified). The last 16 bytes are one
 * load, and loads from `from` on every 16 bytes cover the rest: a host of up
 * to 16 bytes costs one load. A byte seen twice sets the same bit twice. */
static CORSP_ALWAYS_INLINE void
value_masks64(const unsigned char *p, size_t n, size_t from, uint64_t *ok, uint64_t *dot,
              uint64_t *digit)
{
    unsigned base = (unsigned)(64 - n), o, d, g;
    corsp_quick_masks16(p + n - 16, &o, &d, &g);
    uint64_t ok64 = (uint64_t)o << 48, dot64 = (uint64_t)d << 48, digit64 = (uint64_t)g << 48;
    if (from + 16 < n) {
        /* the usual host of 17 to 32 bytes: one more load, no loop */
        corsp_quick_masks16(p + from, &o, &d, &g);
        ok64 |= (uint64_t)o << (base + from);
        dot64 |= (uint64_t)d << (base + from);
        digit64 |= (uint64_t)g << (base + from);
        for (size_t at = from + 16; at + 16 < n; at += 16) {
            corsp_quick_masks16(p + at, &o, &d, &g);
            ok64 |= (uint64_t)o << (base + at);
            dot64 |= (uint64_t)d << (base + at);
            digit64 |= (uint64_t)g << (base + at);
        }
    }
    *ok = ok64;
    *dot = dot64;
    *digit = digit64;
}

#endif

/* Byte classes of a request host: canonical host bytes, '.', ':' (0: none). */
#define HC_HOST  1u
#define HC_DOT   2u
#define HC_COLON 4u
#define HC_RANGE(a, b)                                                                             \
    [a] = HC_HOST, [a + 1] = HC_HOST, [a + 2] = HC_HOST, [a + 3] = HC_HOST, [a + 4] = HC_HOST,     \
    [a + 5] = HC_HOST, [a + 6] = HC_HOST, [a + 7] = HC_HOST, [a + 8] = HC_HOST, [b] = HC_HOST
static const unsigned char host_class[256] = {
    HC_RANGE('a', 'i' + 1), HC_RANGE('k', 't'), HC_RANGE('0', '9'), /* a-j, k-t, 0-9 */
    ['u'] = HC_HOST,        ['v'] = HC_HOST,    ['w'] = HC_HOST,    ['x'] = HC_HOST,
    ['y'] = HC_HOST,        ['z'] = HC_HOST,    ['-'] = HC_HOST,    ['_'] = HC_HOST,
    ['.'] = HC_DOT,         [':'] = HC_COLON,
};
#undef HC_RANGE

/* The end of a bracketed canonical IPv6 host starting at p[i] == '[', or 0
 * when it is not one. Out of line: its buffers stay off the common path. */
__attribute__((noinline)) static size_t
ipv6_host_end(const char *p, size_t n, size_t i)
{
    size_t close = i + 1;
    while (close < n && p[close] != ']')
        close++;
    if (close >= n)
        return 0;
    uint16_t words[8];
    char canon[40];
    size_t inner = close - i - 1;
    if (!ipv6_parse(p + i + 1, inner, words))
        return 0;
    size_t len = ipv6_serialize(words, canon);
    if (len != inner || memcmp(canon, p + i + 1, len) != 0)
        return 0;
    return close + 1;
}

/* The full parser: every scheme, IP literals, ports, values of any length;
 * the reference for the shortcut in corsp_origin_parse(). */
__attribute__((noinline)) enum corsp_origin_kind
corsp_origin_parse_full(const char *p, size_t n, struct corsp_origin *o)
{
    size_t i = 0;

    if (n == 4 && memcmp(p, "null", 4) == 0)
        return CORSP_ORIGIN_NULL;
    /* "https://" and "http://" in one 8-byte compare (what the loop below
     * would find for them) */
    uint64_t head = n >= 8 ? corsp_load64(p) : 0;
    if (head == corsp_load64("https://")) {
        i = 5;
    } else if ((head & 0x00FFFFFFFFFFFFFFull) ==
               (corsp_load64("http://x") & 0x00FFFFFFFFFFFFFFull)) {
        i = 4;
    } else {
        if (n == 0 || !is_lower_alpha((unsigned char)p[0]))
            return CORSP_ORIGIN_MALFORMED;
        while (i < n && is_scheme_char((unsigned char)p[i]))
            i++;
        if (n - i < 3 || p[i] != ':' || p[i + 1] != '/' || p[i + 2] != '/')
            return CORSP_ORIGIN_MALFORMED;
    }
    o->scheme.ptr = p;
    o->scheme.len = i;
    i += 3;

    size_t host_start = i;
    o->labels = 0;
    o->dot_window = 0;
    if (i < n && p[i] == '[') {
        i = ipv6_host_end(p, n, i);
        if (i == 0)
            return CORSP_ORIGIN_MALFORMED;
    } else {
        /* One pass over the host's bytes, as bit masks: host bytes and dots
         * run on, anything else ends the host (':' starts the port; the rest
         * is malformed, judged below). Along the way: the dot count, the dot
         * window (corsp_dot_iter), empty labels, and whether any label starts
         * with a digit (only then can the host end in a number). */
        const unsigned char *u = (const unsigned char *)p;
        uint64_t window = 0;
        uint32_t dots = 0;
        unsigned prev_dot = 1; /* the "//" ends a label: the host starts one */
        unsigned digit_start = 0;
#if defined(__SSE2__)
        if (n >= 16 && n <= 64 && i < n) {
            /* The usual origin, 16 to 64 bytes: the whole value as 64-bit
             * masks, and every rule at once on them, without a loop. */
            uint64_t ok, dot, digit;
            value_masks64(u, n, i, &ok, &dot, &digit);
            unsigned first = (unsigned)(i + 64 - n); /* the host's first byte */
            uint64_t host = ~0ull << first;
            uint64_t stop = ~ok & host;
            unsigned end = stop ? (unsigned)__builtin_ctzll(stop) : 64u; /* after the host */
            if (end == first)
                return CORSP_ORIGIN_MALFORMED; /* empty host */
            if (end < 64)
                host &= (1ull << end) - 1;
            dot &= host;
            uint64_t starts = ((dot << 1) | (1ull << first)) & host; /* label starts */
            if ((starts & dot) != 0)
                return CORSP_ORIGIN_MALFORMED; /* empty label */
            digit_start = (starts & digit) != 0;
            dots = (dot != 0) + ((dot & (dot - 1)) != 0);
            prev_dot = (unsigned)(dot >> (end - 1)) & 1;
            window = dot << (64 - end);
            i = end + n - 64;
        } else if (n >= 16) {
            /* Longer: 16 bytes per step; the last step reloads the value's
             * final 16 bytes (never reading past its end), its bits below
             * `shift` being bytes already scanned. */
            for (;;) {
                size_t base = n - i >= 16 ? i : n - 16;
                unsigned shift = (unsigned)(i - base);
                unsigned ok, dot, digit;
                corsp_quick_masks16(u + base, &ok, &dot, &digit);
                unsigned stop = ~ok & (0xFFFFu << shift) & 0xFFFFu;
                /* bytes [shift, end) of the step belong to the host */
                unsigned end = stop ? (unsigned)__builtin_ctz(stop) : 16u;
                unsigned run = end - shift;
                if (run != 0) {
                    unsigned todo = (0xFFFFu >> (16 - run)) << shift;
                    dot &= todo;
                    unsigned starts = ((dot << 1) | (prev_dot << shift)) & todo;
                    if ((starts & dot) != 0)
                        return CORSP_ORIGIN_MALFORMED; /* empty label */
                    digit_start |= starts & digit;
                    /* counted up to 2 per step (no popcount instruction
                     * in baseline x86-64): enough for corsp_origin.labels */
                    dots += (dot != 0) + ((dot & (dot - 1)) != 0);
                    /* shift the step's dots in at the top of the window */
                    window = (window >> run) | ((uint64_t)(dot >> shift) << (64 - run));
                    prev_dot = (dot >> (end - 1)) & 1;
                    i += run;
                }
                if (end < 16 || i == n)
                    break;
            }
        }
#endif
        /* one byte at a time: values under 16 bytes, or no SSE2 (after the
         * masks above, i is at the byte that ended the host, or at n) */
        for (; i < n; i++) {
            unsigned k = host_class[u[i]];
            if (k == HC_DOT) {
                if (prev_dot)
                    return CORSP_ORIGIN_MALFORMED; /* empty label */
                dots += dots < 2;
                prev_dot = 1;
            } else if (k == HC_HOST) {
                digit_start |= prev_dot & is_digit(u[i]);
                prev_dot = 0;
            } else {
                break;
            }
            window = (window >> 1) | ((uint64_t)(k == HC_DOT) << 63);
        }
        if (i < n && u[i] != ':')
            return CORSP_ORIGIN_MALFORMED;
        if (i == host_start)
            return CORSP_ORIGIN_MALFORMED;
        o->dot_window = window;
        /* a label before every dot, and one after the last unless the host
         * ends in a dot; 2 stands for "2 or more" */
        o->labels = dots + !prev_dot < 2 ? dots + !prev_dot : 2;
        if (digit_start != 0 && ends_in_number(p + host_start, i - host_start)) {
            if (!is_canonical_ipv4(p + host_start, i - host_start))
                return CORSP_ORIGIN_MALFORMED;
            o->labels = 0; /* no subdomain matching on addresses */
        }
    }
    o->host.ptr = p + host_start;
    o->host.len = i - host_start;

    o->port = CORSP_PORT_DEFAULT;
    if (i < n) {
        if (p[i] != ':')
            return CORSP_ORIGIN_MALFORMED;
        i++;
        size_t start = i;
        unsigned v;
        size_t len = scan_decimal(p, &i, n, 6, &v);
        if (i != n || len == 0 || len > 5 || v == 0 || v > 65535 || p[start] == '0')
            return CORSP_ORIGIN_MALFORMED;
        if (v == default_port(o->scheme.ptr, o->scheme.len))
            return CORSP_ORIGIN_MALFORMED;
        o->port = 0x10000u | v;
    }
    return CORSP_ORIGIN_VALID;
}

#if defined(__SSE2__)
/* The port p[i, n) (the digits after ':') as 0x10000 | port, or 0 when it
 * is not one a browser sends for the scheme: empty, a leading zero, 0, over
 * 65535 or the scheme's default. The same rules as corsp_origin_parse_full(). */
static __attribute__((noinline)) uint32_t
port_value(const char *p, size_t i, size_t n, const char *scheme, size_t scheme_len)
{
    size_t start = i;
    unsigned v;
    size_t len = scan_decimal(p, &i, n, 6, &v);
    if (i != n || len == 0 || len > 5 || v == 0 || v > 65535 || p[start] == '0' ||
        v == default_port(scheme, scheme_len))
        return 0;
    return 0x10000u | v;
}
#endif

/*
 * The usual request origin, "https://" or "http://", a domain host and
 * maybe a port, 16 to 64 bytes in all, is decided here on the 64-bit masks
 * of value_masks64(), in a function small enough to keep its state in
 * registers. Everything else goes to corsp_origin_parse_full(): other schemes, IP
 * literals (a host with a label starting with a digit may be an IPv4
 * address), other lengths, and every malformed value.
 *
 * parse_usual() is that decision for a value whose scheme is known (its
 * length in scheme). Without with_port, a value with a port goes to
 * parse_usual_port() by a tail call, so that the usual origin, which has
 * none, is parsed in a function that calls nothing but by a tail call (two
 * saved registers, not six).
 */
#if defined(__SSE2__)
static enum corsp_origin_kind parse_usual_port(const char *p, size_t n, struct corsp_origin *o,
                                               size_t scheme);

static CORSP_ALWAYS_INLINE enum corsp_origin_kind
parse_usual(const char *p, size_t n, struct corsp_origin *o, size_t scheme, bool with_port)
{
    uint64_t ok, dot, digit;
    value_masks64((const unsigned char *)p, n, scheme + 3, &ok, &dot, &digit);
    unsigned first = (unsigned)(scheme + 3 + 64 - n); /* the host's first byte */
    uint64_t host = ~0ull << first;
    uint64_t stop = ~ok & host;
    unsigned end = 64; /* the bit after the host */
    uint32_t port = CORSP_PORT_DEFAULT;
    if (stop != 0) {
        end = (unsigned)__builtin_ctzll(stop);
        size_t colon = end + n - 64;
        if (end == first || p[colon] != ':')
            return corsp_origin_parse_full(p, n, o);
        if (!with_port)
            return parse_usual_port(p, n, o, scheme);
        port = port_value(p, colon + 1, n, p, scheme);
        if (port == 0)
            return CORSP_ORIGIN_MALFORMED;
        host &= (1ull << end) - 1;
    }
    dot &= host;
    uint64_t starts = ((dot << 1) | (1ull << first)) & host; /* label starts */
    if ((starts & (dot | digit)) != 0)
        return corsp_origin_parse_full(p, n, o); /* an empty label, or maybe an address */
    o->scheme = (struct cors_str){p, scheme};
    o->host = (struct cors_str){p + scheme + 3, end - first};
    o->port = port;
    o->dot_window = dot << (64 - end);
    /* two labels or more when a dot is not the host's last byte */
    o->labels = (o->dot_window << 1) != 0 ? 2 : 1;
    return CORSP_ORIGIN_VALID;
}

static __attribute__((noinline)) enum corsp_origin_kind
parse_usual_port(const char *p, size_t n, struct corsp_origin *o, size_t scheme)
{
    return parse_usual(p, n, o, scheme, true);
}
#endif

enum corsp_origin_kind
corsp_origin_parse(const char *p, size_t n, struct corsp_origin *o)
{
#if defined(__SSE2__)
    if (n >= 16 && n <= 64) {
        uint64_t head = corsp_load64(p);
        if (head == corsp_load64("https://"))
            return parse_usual(p, n, o, 5, false);
        if ((head & 0x00FFFFFFFFFFFFFFull) == (corsp_load64("http://x") & 0x00FFFFFFFFFFFFFFull))
            return parse_usual(p, n, o, 4, false);
    }
#endif
    return corsp_origin_parse_full(p, n, o);
}

/* corsp_origin_surely_valid() (cors-private.h) for what its vector steps
 * do not take: the host bytes p[i, n) of a value under 16 bytes, or any
 * value without SSE2, one byte at a time by the same rules. */
bool
corsp_origin_surely_valid_bytes(const char *p, size_t i, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
    bool label_start = true;
    for (; i < n; i++) {
        unsigned k = host_class[u[i]];
        if (k == HC_DOT) {
            if (label_start)
                return false; /* empty label */
            label_start = true;
        } else if (k == HC_HOST) {
            if (label_start && is_digit(u[i]))
                return false; /* maybe a number: the parser decides */
            label_start = false;
        } else {
            return false;
        }
    }
    return true;
}

/* ------------------------------------------------------- configured origins */

static bool
is_loopback_host(const char *h, size_t n)
{
    static const char suffix[] = ".localhost";
    size_t sl = sizeof(suffix) - 1;
    if (n == 9 && memcmp(h, "localhost", 9) == 0)
        return true;
    if (n > sl && memcmp(h + n - sl, suffix, sl) == 0)
        return true;
    if (n == 5 && memcmp(h, "[::1]", 5) == 0)
        return true;
    if (n >= 4 && memcmp(h, "127.", 4) == 0 && is_canonical_ipv4(h, n))
        return true;
    return false;
}

#define FAIL(code, ...)                                                                            \
    do {                                                                                           \
        snprintf(msg, msg_size, __VA_ARGS__);                                                      \
        return (code);                                                                             \
    } while (0)

/* RFC 3492 §6.1 bias adaptation. */
static uint32_t
punycode_adapt(uint32_t delta, uint32_t points, bool first)
{
    delta = first ? delta / 700 : delta / 2;
    delta += delta / points;
    uint32_t k = 0;
    while (delta > ((36 - 1) * 26) / 2) {
        delta /= 36 - 1;
        k += 36;
    }
    return k + (36 - 1 + 1) * delta / (delta + 38);
}

/* Whether the part of an "xn--" label after the prefix is punycode (RFC 3492
 * §6.2) for at least one non-ASCII code point, each a Unicode scalar value
 * (RFC 5891 §4.4: an A-label decodes to a U-label). */
static bool
punycode_valid(const char *p, size_t n)
{
    if (n == 0)
        return false;
    size_t basic = 0;
    for (size_t k = 0; k < n; k++)
        if (p[k] == '-')
            basic = k;
    uint32_t code = 0x80, i = 0, bias = 72, count = (uint32_t)basic;
    bool non_ascii = false;
    for (size_t in = basic > 0 ? basic + 1 : 0; in < n;) {
        uint32_t old = i, w = 1;
        for (uint32_t k = 36;; k += 36) {
            if (in >= n)
                return false;
            unsigned char c = (unsigned char)p[in++];
            uint32_t digit = c >= 'a' && c <= 'z'   ? (uint32_t)(c - 'a')
                             : c >= '0' && c <= '9' ? (uint32_t)(c - '0' + 26)
                                                    : 36;
            if (digit >= 36 || digit > (UINT32_MAX - i) / w)
                return false;
            i += digit * w;
            uint32_t t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
            if (digit < t)
                break;
            if (w > UINT32_MAX / (36 - t))
                return false;
            w *= 36 - t;
        }
        count++;
        bias = punycode_adapt(i - old, count, old == 0);
        if (i / count > UINT32_MAX - code)
            return false;
        code += i / count;
        i %= count;
        if (code < 0x80 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
            return false;
        non_ascii = true;
        i++;
    }
    return non_ascii;
}

/* Validates and lower-cases a domain host (no wildcard) into out. */
static enum cors_diag_code
canonical_domain(const char *h, size_t n, char *out, size_t *out_len, char *msg, size_t msg_size)
{
    size_t label = 0;
    if (n == 0)
        FAIL(CORS_DIAG_ORIGIN_MALFORMED, "the host is empty");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = corsp_lower[(unsigned char)h[i]];
        if (c == '.') {
            if (label == 0)
                FAIL(CORS_DIAG_ORIGIN_MALFORMED, "the host has an empty label");
            label = 0;
        } else if (c == '*') {
            FAIL(CORS_DIAG_ORIGIN_WILDCARD_MISPLACED,
                 "'*' may only stand for a whole leftmost label ('*.example.com'), "
                 "the whole host or the port");
        } else if (is_host_char(c)) {
            label++;
        } else {
            FAIL(CORS_DIAG_ORIGIN_MALFORMED, "the host has a byte 0x%02x that no host can hold", c);
        }
        out[i] = (char)c;
    }
    *out_len = n;
    /* what DNS allows (RFC 1035 §2.3.4; one trailing dot aside) */
    size_t name = n - (out[n - 1] == '.');
    if (name > 253)
        FAIL(CORS_DIAG_ORIGIN_HOST_TOO_LONG,
             "the host has %zu bytes, more than the 253 of a DNS name: no browser sends it", name);
    for (size_t i = 0; i < name;) {
        size_t end = i;
        while (end < name && out[end] != '.')
            end++;
        if (end - i > 63)
            FAIL(CORS_DIAG_ORIGIN_HOST_TOO_LONG,
                 "the label '%.*s...' has %zu bytes, more than the 63 of a DNS label: no "
                 "browser sends it",
                 16, out + i, end - i);
        if (end - i >= 4 && memcmp(out + i, "xn--", 4) == 0 &&
            !punycode_valid(out + i + 4, end - i - 4))
            FAIL(CORS_DIAG_ORIGIN_PUNYCODE_INVALID,
                 "the label '%.*s' starts with xn-- but is not valid punycode, so no browser "
                 "sends it",
                 (int)(end - i), out + i);
        i = end + 1;
    }
    if (ends_in_number(out, n) && !is_canonical_ipv4(out, n))
        FAIL(CORS_DIAG_ORIGIN_MALFORMED,
             "a host ending in a number is an IPv4 address: write it as four decimal "
             "numbers 0-255 without leading zeros");
    return 0;
}

enum cors_diag_code
corsp_pattern_parse(const char *p, size_t n, struct corsp_pattern *out, char *msg, size_t msg_size)
{
    char *buf = out->buf;
    size_t o = 0;

    memset(out, 0, offsetof(struct corsp_pattern, buf));
    msg[0] = '\0';
    if (n == 1 && p[0] == '*') {
        out->kind = CORSP_PATTERN_STAR;
        out->canonical = (struct cors_str){"*", 1};
        return 0;
    }
    if (n == 4 && corsp_equal_fold(p, "null", 4)) {
        out->kind = CORSP_PATTERN_NULL;
        out->canonical = (struct cors_str){"null", 4};
        if (memcmp(p, "null", 4) != 0)
            snprintf(msg, msg_size, "browsers send \"null\" in lower case: write it so");
        return 0;
    }
    if (n == 0)
        FAIL(CORS_DIAG_ORIGIN_MALFORMED, "an origin cannot be empty");
    if (n > CORS_ORIGIN_MAX)
        FAIL(CORS_DIAG_ORIGIN_MALFORMED, "longer than %d bytes", CORS_ORIGIN_MAX);

    /* Hosts outside ASCII: converted to punycode with libidn2, else refused. */
    bool ascii = true;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] >= 0x80)
            ascii = false;
#if HAVE_IDN2
    char converted[CORS_ORIGIN_MAX + 1];
    if (!ascii) {
        const char *sep = NULL;
        for (size_t i = 0; i + 2 < n; i++)
            if (p[i] == ':' && p[i + 1] == '/' && p[i + 2] == '/') {
                sep = p + i + 3;
                break;
            }
        if (sep == NULL)
            FAIL(CORS_DIAG_ORIGIN_MALFORMED, "missing 'scheme://'");
        size_t pre = (size_t)(sep - p);
        size_t hl = 0;
        while (pre + hl < n && p[pre + hl] != ':' && p[pre + hl] != '/')
            hl++;
        char host[CORS_ORIGIN_MAX + 1];
        memcpy(host, sep, hl);
        host[hl] = '\0';
        char *ace = NULL;
        int rc = idn2_to_ascii_8z(host, &ace, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
        if (rc != IDN2_OK)
            FAIL(CORS_DIAG_ORIGIN_NOT_ASCII,
                 "the host is not a valid internationalized domain name: %s", idn2_strerror(rc));
        size_t al = strlen(ace);
        if (pre + al + (n - pre - hl) > CORS_ORIGIN_MAX) {
            idn2_free(ace);
            FAIL(CORS_DIAG_ORIGIN_MALFORMED, "longer than %d bytes", CORS_ORIGIN_MAX);
        }
        memcpy(converted, p, pre);
        memcpy(converted + pre, ace, al);
        memcpy(converted + pre + al, p + pre + hl, n - pre - hl);
        idn2_free(ace);
        n = pre + al + (n - pre - hl);
        p = converted;
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)p[i] >= 0x80)
                FAIL(CORS_DIAG_ORIGIN_NOT_ASCII, "only the host may hold non-ASCII characters");
    }
#else
    if (!ascii)
        FAIL(CORS_DIAG_ORIGIN_NOT_ASCII,
             "the origin is not ASCII: write the host in its punycode form "
             "(for example https://xn--bcher-kva.example for https://b\xc3\xbc"
             "cher.example), "
             "which is what browsers send");
#endif

    /* scheme */
    size_t i = 0;
    while (i < n && p[i] != ':' && p[i] != '/')
        i++;
    if (i + 2 >= n || p[i] != ':' || p[i + 1] != '/' || p[i + 2] != '/')
        FAIL(CORS_DIAG_ORIGIN_MALFORMED,
             "missing 'scheme://': an origin looks like https://example.com");
    if (i == 0)
        FAIL(CORS_DIAG_ORIGIN_MALFORMED, "the scheme is empty");
    for (size_t k = 0; k < i; k++) {
        unsigned char c = corsp_lower[(unsigned char)p[k]];
        if (c == '*')
            FAIL(CORS_DIAG_ORIGIN_WILDCARD_MISPLACED, "the scheme cannot be a wildcard");
        if (k == 0 ? !is_lower_alpha(c) : !is_scheme_char(c))
            FAIL(CORS_DIAG_ORIGIN_MALFORMED, "the scheme has an invalid character '%c'", p[k]);
        buf[o++] = (char)c;
    }
    out->scheme = (struct cors_str){buf, i};
    if (i == 4 && memcmp(buf, "file", 4) == 0)
        FAIL(CORS_DIAG_ORIGIN_FILE_SCHEME,
             "browsers send the origin \"null\" for file: pages, never file://; allow "
             "\"null\" if you must (any sandboxed page can send it too)");
    memcpy(buf + o, "://", 3);
    o += 3;
    i += 3;

    /* what is not an origin */
    for (size_t k = i; k < n; k++) {
        switch (p[k]) {
        case '/':
            FAIL(CORS_DIAG_ORIGIN_MALFORMED,
                 "an origin has no path (not even a trailing '/'): remove '%.*s'",
                 (int)(n - k > 64 ? 64 : n - k), p + k);
        case '?':
            FAIL(CORS_DIAG_ORIGIN_MALFORMED, "an origin has no query");
        case '#':
            FAIL(CORS_DIAG_ORIGIN_MALFORMED, "an origin has no fragment");
        case '@':
            FAIL(CORS_DIAG_ORIGIN_MALFORMED, "an origin has no user information");
        default:
            if ((unsigned char)p[k] <= 0x20 || p[k] == 0x7f)
                FAIL(CORS_DIAG_ORIGIN_MALFORMED, "an origin has no spaces or control characters");
        }
    }

    /* host and port */
    size_t host_start = i, host_end, port_start = n;
    if (i < n && p[i] == '[') {
        host_end = i + 1;
        while (host_end < n && p[host_end] != ']')
            host_end++;
        if (host_end == n)
            FAIL(CORS_DIAG_ORIGIN_MALFORMED, "an IPv6 address lacks its closing ']'");
        host_end++;
        if (host_end < n) {
            if (p[host_end] != ':')
                FAIL(CORS_DIAG_ORIGIN_MALFORMED, "unexpected text after the IPv6 address");
            port_start = host_end + 1;
        }
    } else {
        host_end = i;
        while (host_end < n && p[host_end] != ':')
            host_end++;
        if (host_end < n)
            port_start = host_end + 1;
    }
    const char *h = p + host_start;
    size_t hn = host_end - host_start;

    if (hn == 0)
        FAIL(CORS_DIAG_ORIGIN_MALFORMED, "the host is empty");
    if (hn == 1 && h[0] == '*') {
        out->host_match = CORSP_HOST_ANY;
        buf[o++] = '*';
        out->host = (struct cors_str){buf + o, 0};
    } else if (hn >= 2 && h[0] == '*' && h[1] == '.') {
        size_t len;
        enum cors_diag_code c = canonical_domain(h + 2, hn - 2, buf + o + 2, &len, msg, msg_size);
        if (c != 0)
            return c;
        if (ends_in_number(buf + o + 2, len))
            FAIL(CORS_DIAG_ORIGIN_WILDCARD_MISPLACED, "a wildcard cannot stand in an IP address");
        if (len - (buf[o + 1 + len] == '.') + 2 > 253)
            FAIL(CORS_DIAG_ORIGIN_HOST_TOO_LONG,
                 "with at least one label before it, the host would pass the 253 bytes of a "
                 "DNS name: no browser sends it");
        buf[o] = '*';
        buf[o + 1] = '.';
        out->host_match = CORSP_HOST_SUBDOMAIN;
        out->host = (struct cors_str){buf + o + 2, len};
        o += 2 + len;
    } else if (h[0] == '[') {
        uint16_t words[8];
        if (!ipv6_parse(h + 1, hn - 2, words))
            FAIL(CORS_DIAG_ORIGIN_MALFORMED, "not a valid IPv6 address");
        buf[o] = '[';
        size_t len = ipv6_serialize(words, buf + o + 1);
        buf[o + 1 + len] = ']';
        out->host_match = CORSP_HOST_EXACT;
        out->host = (struct cors_str){buf + o, len + 2};
        o += len + 2;
    } else {
        size_t len;
        enum cors_diag_code c = canonical_domain(h, hn, buf + o, &len, msg, msg_size);
        if (c != 0)
            return c;
        out->host_match = CORSP_HOST_EXACT;
        out->host = (struct cors_str){buf + o, len};
        o += len;
    }

    out->port = CORSP_PORT_DEFAULT;
    bool port_default = false, port_zero = false;
    if (port_start < n || (host_end < n && port_start == n)) {
        const char *pp = p + port_start;
        size_t pn = n - port_start;
        if (pn == 0)
            FAIL(CORS_DIAG_ORIGIN_MALFORMED, "the port after ':' is empty");
        if (pn == 1 && pp[0] == '*') {
            out->port = CORSP_PORT_ANY;
        } else {
            unsigned v = 0;
            for (size_t k = 0; k < pn; k++) {
                if (pp[k] == '*')
                    FAIL(CORS_DIAG_ORIGIN_WILDCARD_MISPLACED, "a port wildcard is ':*' alone");
                if (!is_digit((unsigned char)pp[k]))
                    FAIL(CORS_DIAG_ORIGIN_MALFORMED, "the port is not a number");
                v = v * 10 + (unsigned)(pp[k] - '0');
                if (v > 65535)
                    FAIL(CORS_DIAG_ORIGIN_MALFORMED, "the port is above 65535");
            }
            if (v == 0)
                FAIL(CORS_DIAG_ORIGIN_MALFORMED, "port 0 is not a port a browser can use");
            if (v != default_port(out->scheme.ptr, out->scheme.len))
                out->port = 0x10000u | v;
            else
                port_default = true;
            port_zero = pp[0] == '0';
        }
    }
    if (out->port == CORSP_PORT_ANY) {
        memcpy(buf + o, ":*", 2);
        o += 2;
    } else if (out->port != CORSP_PORT_DEFAULT) {
        o += (size_t)snprintf(buf + o, 8, ":%u", out->port & 0xFFFFu);
    }
    buf[o] = '\0';
    out->canonical = (struct cors_str){buf, o};
    out->kind = (out->host_match != CORSP_HOST_EXACT || out->port == CORSP_PORT_ANY)
                    ? CORSP_PATTERN_WILDCARD
                    : CORSP_PATTERN_EXACT;
    out->http_insecure =
        out->scheme.len == 4 && memcmp(out->scheme.ptr, "http", 4) == 0 &&
        !(out->host_match != CORSP_HOST_ANY && is_loopback_host(out->host.ptr, out->host.len));

    /* A spelling browsers never send (they send the canonical form): success,
     * with a message for the caller's warning. Non-ASCII hosts are converted
     * on purpose and not reported. */
    if (ascii && (n != o || memcmp(p, buf, n) != 0)) {
        bool upper = false;
        for (size_t k = 0; k < n; k++)
            if (p[k] >= 'A' && p[k] <= 'Z')
                upper = true;
        bool ipv6 = h[0] == '[' && (hn != out->host.len || memcmp(h, out->host.ptr, hn) != 0);
        snprintf(msg, msg_size, "write %s, the form browsers send (written with%s%s%s%s%s%s%s)",
                 buf, upper ? " upper case" : "",
                 upper && (port_default || port_zero || ipv6) ? "," : "",
                 port_default ? " an explicit default port" : "",
                 port_default && (port_zero || ipv6) ? "," : "",
                 port_zero ? " a leading zero in the port" : "", port_zero && ipv6 ? "," : "",
                 ipv6 ? " an IPv6 address not in its compressed form" : "");
    }
    return 0;
}

#undef FAIL
