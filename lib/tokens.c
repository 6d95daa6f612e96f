/*
 * HTTP tokens and comma-separated lists (RFC 9110 §5.6): the tchar and
 * lower-case tables, corsp_list_next() (the one list scanner, whose inline
 * body corsp_list_scan() is in cors-private.h) and OWS trimming.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"

/* tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
 *         "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA */
#define T1(c) [c] = 1
const unsigned char corsp_tchar[256] = {
    T1('!'), T1('#'), T1('$'), T1('%'), T1('&'), T1('\''), T1('*'), T1('+'), T1('-'), T1('.'),
    T1('^'), T1('_'), T1('`'), T1('|'), T1('~'), T1('0'),  T1('1'), T1('2'), T1('3'), T1('4'),
    T1('5'), T1('6'), T1('7'), T1('8'), T1('9'), T1('A'),  T1('B'), T1('C'), T1('D'), T1('E'),
    T1('F'), T1('G'), T1('H'), T1('I'), T1('J'), T1('K'),  T1('L'), T1('M'), T1('N'), T1('O'),
    T1('P'), T1('Q'), T1('R'), T1('S'), T1('T'), T1('U'),  T1('V'), T1('W'), T1('X'), T1('Y'),
    T1('Z'), T1('a'), T1('b'), T1('c'), T1('d'), T1('e'),  T1('f'), T1('g'), T1('h'), T1('i'),
    T1('j'), T1('k'), T1('l'), T1('m'), T1('n'), T1('o'),  T1('p'), T1('q'), T1('r'), T1('s'),
    T1('t'), T1('u'), T1('v'), T1('w'), T1('x'), T1('y'),  T1('z'),
};
#undef T1

#define L4(b)  (b), (b) + 1, (b) + 2, (b) + 3
#define L16(b) L4(b), L4((b) + 4), L4((b) + 8), L4((b) + 12)
const unsigned char corsp_lower[256] = {
    L16(0x00),
    L16(0x10),
    L16(0x20),
    L16(0x30),
    /* 0x40 '@' stays, 'A'..'Z' become 'a'..'z' */
    0x40,
    L4(0x61),
    L4(0x65),
    L4(0x69),
    L4(0x6d),
    L4(0x71),
    L4(0x75),
    0x79,
    0x7a,
    0x5b,
    0x5c,
    0x5d,
    0x5e,
    0x5f,
    L16(0x60),
    L16(0x70),
    L16(0x80),
    L16(0x90),
    L16(0xa0),
    L16(0xb0),
    L16(0xc0),
    L16(0xd0),
    L16(0xe0),
    L16(0xf0),
};
#undef L16
#undef L4

bool
corsp_is_token(const char *p, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!corsp_tchar[(unsigned char)p[i]])
            return false;
    return true;
}

bool
corsp_equal_fold(const char *a, const char *b, size_t n)
{
    /* eight bytes at a time; corsp_fold_word() is corsp_lower[] per byte */
    return corsp_equal_fold_inline(a, b, n);
}

static inline bool
is_ows(char c)
{
    return c == ' ' || c == '\t';
}

int
corsp_list_next(struct corsp_list_iter *it, struct cors_str *out)
{
    return corsp_list_scan(it, out);
}

struct cors_str
corsp_trim_ows(struct cors_str s)
{
    while (s.len > 0 && is_ows(s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len > 0 && is_ows(s.ptr[s.len - 1]))
        s.len--;
    return s;
}

/* Fetch "forbidden request-header" names (any case): what scripts cannot set.
 * The X-HTTP-Method(-Override) family is forbidden only with a forbidden
 * method in its value, which the caller checks. */
bool
corsp_forbidden_request_header_name(const char *s, size_t n)
{
    static const char *const names[] = {
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    };
    for (size_t i = 0; i < CORSP_ARRAY_SIZE(names); i++)
        if (n == strlen(names[i]) && corsp_equal_fold(s, names[i], n))
            return true;
    return (n >= 6 && corsp_equal_fold(s, "proxy-", 6)) ||
           (n >= 4 && corsp_equal_fold(s, "sec-", 4));
}
