/*
 * The shape of an origin regex, read from its source: which constructs reach
 * outside one pattern (refused, since a policy's regexes are matched as one
 * alternation), whether a repetition can split its input in more than one way
 * (the backtracking lint), and the host suffix that every origin the regex
 * matches has (the key of the prefilter in regex.c).
 *
 * The parser covers the PCRE2 syntax an origin regex uses; whatever it does not
 * follow (an extended-mode pattern) gets no lint and no key. Every set it
 * computes over-approximates what PCRE2 matches, so a key is never wrong: at
 * worst a regex has no key and is tried for every origin.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"

enum node_type {
    N_EMPTY = 0, /* matches the empty string (anchors, lookarounds, options) */
    N_SET,       /* one byte of a set */
    N_CAT,       /* children in sequence */
    N_ALT,       /* one of the children (each an N_CAT) */
    N_REP,       /* the child min..max times */
};

#define REP_INF UINT32_MAX

struct node {
    uint8_t type;
    bool atomic;     /* atomic group or possessive repetition: never backtracked into */
    bool lookaround; /* content of a lookaround: zero-width, not analysed */
    uint32_t min, max;
    int32_t child, next, parent; /* -1: none */
    uint32_t offset;
    uint32_t sub_first; /* N_REP: the first node of its body */
    uint64_t set[4];
};

struct parser {
    const unsigned char *p;
    size_t n, i;
    struct node *nodes;
    size_t count, cap;
    bool caseless; /* (?i) seen: every set folded, no key */
    bool opaque;   /* a construct the parser does not follow: no lint, no key */
    bool unsupported;
    size_t unsupported_at;
    const char *unsupported_what;
    int depth;
    size_t work; /* analysis steps so far: past WORK_MAX the results are dropped */
};

/* Enough for any origin regex (a few hundred nodes); a pathological pattern
 * of many thousand nested repetitions gets no lint and no key instead of a
 * quadratic analysis. */
#define WORK_MAX 4000000u

/* ------------------------------------------------------------- byte sets */

static void
set_add(uint64_t *s, unsigned c)
{
    s[c >> 6] |= 1ull << (c & 63);
}

static bool
set_has(const uint64_t *s, unsigned c)
{
    return (s[c >> 6] >> (c & 63)) & 1;
}

static void
set_range(uint64_t *s, unsigned lo, unsigned hi)
{
    for (unsigned c = lo; c <= hi && c < 256; c++)
        set_add(s, c);
}

static void
set_or(uint64_t *d, const uint64_t *s)
{
    for (int k = 0; k < 4; k++)
        d[k] |= s[k];
}

static bool
set_meets(const uint64_t *a, const uint64_t *b)
{
    for (int k = 0; k < 4; k++)
        if (a[k] & b[k])
            return true;
    return false;
}

static bool
set_within(const uint64_t *a, const uint64_t *b)
{
    for (int k = 0; k < 4; k++)
        if (a[k] & ~b[k])
            return false;
    return true;
}

/* The byte of a one-byte set, or -1. */
static int
set_single(const uint64_t *s)
{
    int found = -1;
    for (int k = 0; k < 4; k++) {
        if (s[k] == 0)
            continue;
        if ((s[k] & (s[k] - 1)) != 0 || found >= 0)
            return -1;
        found = k * 64 + __builtin_ctzll(s[k]);
    }
    return found;
}

/* \d \w \s \h \v and their complements (ASCII, as with PCRE2_NEVER_UCP). */
static bool
class_escape(unsigned char e, uint64_t *s)
{
    uint64_t t[4] = {0};
    switch (e | 0x20) {
    case 'd':
        set_range(t, '0', '9');
        break;
    case 'w':
        set_range(t, '0', '9');
        set_range(t, 'a', 'z');
        set_range(t, 'A', 'Z');
        set_add(t, '_');
        break;
    case 's':
    case 'v':
        set_range(t, '\t', '\r');
        set_add(t, ' ');
        break;
    case 'h':
        set_add(t, '\t');
        set_add(t, ' ');
        set_add(t, 0xa0);
        break;
    default:
        return false;
    }
    bool negate = e >= 'A' && e <= 'Z';
    for (int k = 0; k < 4; k++)
        s[k] |= negate ? ~t[k] : t[k];
    return true;
}

/* -------------------------------------------------------------- parsing */

static int32_t
new_node(struct parser *ps, enum node_type type, size_t offset)
{
    if (ps->count == ps->cap) {
        ps->opaque = true; /* cannot happen: the array is sized for the pattern */
        return -1;
    }
    struct node *nd = &ps->nodes[ps->count];
    memset(nd, 0, sizeof(*nd));
    nd->type = (uint8_t)type;
    nd->child = nd->next = nd->parent = -1;
    nd->offset = (uint32_t)offset;
    nd->min = nd->max = 1;
    return (int32_t)ps->count++;
}

static void
unsupported(struct parser *ps, size_t at, const char *what)
{
    if (!ps->unsupported) {
        ps->unsupported = true;
        ps->unsupported_at = at;
        ps->unsupported_what = what;
    }
    ps->opaque = true;
}

static int32_t
set_node(struct parser *ps, size_t offset, const uint64_t *s)
{
    int32_t k = new_node(ps, N_SET, offset);
    if (k >= 0)
        memcpy(ps->nodes[k].set, s, sizeof(ps->nodes[k].set));
    return k;
}

static int32_t
byte_node(struct parser *ps, size_t offset, unsigned c)
{
    uint64_t s[4] = {0};
    set_add(s, c & 0xff);
    return set_node(ps, offset, s);
}

static int
hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A literal escape (\x.., \0.., \n, \., ...) at ps->i (after the '\'): its
 * byte, or -1 when it is something else. Advances past it. */
static int
literal_escape(struct parser *ps)
{
    const unsigned char *p = ps->p;
    size_t n = ps->n;
    unsigned char e = p[ps->i++];
    switch (e) {
    case 'a':
        return 7;
    case 'e':
        return 27;
    case 'f':
        return 12;
    case 'n':
        return 10;
    case 'r':
        return 13;
    case 't':
        return 9;
    case 'x': {
        unsigned v = 0;
        if (ps->i < n && p[ps->i] == '{') {
            while (ps->i < n && p[ps->i] != '}')
                ps->i++;
            ps->i++;
            return -1; /* a code point in braces: any byte, as far as we know */
        }
        for (int k = 0; k < 2 && ps->i < n && hexval(p[ps->i]) >= 0; k++)
            v = v * 16 + (unsigned)hexval(p[ps->i++]);
        return (int)(v & 0xff);
    }
    case '0': {
        unsigned v = 0;
        for (int k = 0; k < 2 && ps->i < n && p[ps->i] >= '0' && p[ps->i] <= '7'; k++)
            v = v * 8 + (unsigned)(p[ps->i++] - '0');
        return (int)(v & 0xff);
    }
    case 'c':
        if (ps->i < n)
            return (p[ps->i++] & 0xdf) ^ 0x40;
        return -1;
    default:
        if (!((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')))
            return e;
        ps->i--;
        return -1;
    }
}

static void
fold_set(uint64_t *s)
{
    for (unsigned c = 'a'; c <= 'z'; c++) {
        if (set_has(s, c) || set_has(s, c - 32)) {
            set_add(s, c);
            set_add(s, c - 32);
        }
    }
}

/* A character class; ps->i is after '['. */
static int32_t
parse_class(struct parser *ps, size_t start)
{
    const unsigned char *p = ps->p;
    size_t n = ps->n;
    uint64_t s[4] = {0};
    bool negate = false;
    if (ps->i < n && p[ps->i] == '^') {
        negate = true;
        ps->i++;
    }
    bool first = true;
    int prev = -1; /* last literal byte, for ranges */
    while (ps->i < n && (first || p[ps->i] != ']')) {
        first = false;
        unsigned char c = p[ps->i];
        if (c == '[' && ps->i + 1 < n && p[ps->i + 1] == ':') {
            size_t e = ps->i + 2;
            while (e + 1 < n && !(p[e] == ':' && p[e + 1] == ']'))
                e++;
            const char *name = (const char *)p + ps->i + 2;
            size_t len = e - ps->i - 2;
            if (len == 5 && memcmp(name, "digit", 5) == 0)
                set_range(s, '0', '9');
            else if (len == 5 && memcmp(name, "lower", 5) == 0)
                set_range(s, 'a', 'z');
            else if (len == 5 && memcmp(name, "alpha", 5) == 0) {
                set_range(s, 'a', 'z');
                set_range(s, 'A', 'Z');
            } else if (len == 5 && memcmp(name, "alnum", 5) == 0) {
                set_range(s, 'a', 'z');
                set_range(s, 'A', 'Z');
                set_range(s, '0', '9');
            } else
                set_range(s, 0, 255);
            ps->i = e + 2;
            prev = -1;
            continue;
        }
        int lit;
        if (c == '\\' && ps->i + 1 < n) {
            ps->i++;
            unsigned char e = p[ps->i];
            if (class_escape(e, s)) {
                ps->i++;
                prev = -1;
                continue;
            }
            if (e == 'b') {
                ps->i++;
                lit = 8;
            } else if (e == 'Q' || e == 'E') {
                ps->i++;
                if (e == 'Q')
                    while (ps->i < n && !(p[ps->i] == '\\' && ps->i + 1 < n && p[ps->i + 1] == 'E'))
                        set_add(s, p[ps->i++]);
                continue;
            } else {
                lit = literal_escape(ps);
                if (lit < 0) {
                    set_range(s, 0, 255); /* \p{..} and the like */
                    ps->i++;
                    if (ps->i < n && p[ps->i] == '{')
                        while (ps->i < n && p[ps->i] != '}')
                            ps->i++;
                    prev = -1;
                    continue;
                }
            }
        } else {
            lit = c;
            ps->i++;
        }
        if (prev >= 0 && lit == '-' && ps->i < n && p[ps->i] != ']' && c == '-') {
            /* a range prev-hi */
            unsigned char h = p[ps->i];
            int hi;
            if (h == '\\' && ps->i + 1 < n) {
                ps->i++;
                hi = literal_escape(ps);
                if (hi < 0) {
                    set_range(s, 0, 255);
                    prev = -1;
                    continue;
                }
            } else {
                hi = h;
                ps->i++;
            }
            set_range(s, (unsigned)prev, (unsigned)hi);
            prev = -1;
            continue;
        }
        set_add(s, (unsigned)lit);
        prev = lit;
    }
    ps->i++; /* ']' */
    if (ps->caseless)
        fold_set(s);
    if (negate)
        for (int k = 0; k < 4; k++)
            s[k] = ~s[k];
    return set_node(ps, start, s);
}

static int32_t parse_alt(struct parser *ps, size_t start);

static void
append(struct parser *ps, int32_t parent, int32_t *last, int32_t child)
{
    if (child < 0)
        return;
    ps->nodes[child].parent = parent;
    if (*last < 0)
        ps->nodes[parent].child = child;
    else
        ps->nodes[*last].next = child;
    *last = child;
}

/* A group; ps->i is after '('. */
static int32_t
parse_group(struct parser *ps, size_t start)
{
    const unsigned char *p = ps->p;
    size_t n = ps->n;
    bool atomic = false, look = false;
    if (ps->i < n && p[ps->i] == '*') {
        unsupported(ps, start, "a backtracking control verb");
        return -1;
    }
    if (ps->i < n && p[ps->i] == '?') {
        ps->i++;
        unsigned char c = ps->i < n ? p[ps->i] : 0;
        unsigned char d = ps->i + 1 < n ? p[ps->i + 1] : 0;
        if (c == '#') {
            while (ps->i < n && p[ps->i] != ')')
                ps->i++;
            ps->i++;
            return new_node(ps, N_EMPTY, start);
        } else if (c == ':' || c == '|') {
            ps->i++;
        } else if (c == '>') {
            ps->i++;
            atomic = true;
        } else if (c == '=' || c == '!' || (c == '<' && (d == '=' || d == '!'))) {
            ps->i += c == '<' ? 2 : 1;
            look = true;
        } else if (c == '<' || c == '\'' || (c == 'P' && d == '<')) {
            /* a named group */
            while (ps->i < n && p[ps->i] != '>' && !(p[ps->i] == '\'' && ps->i > start + 2))
                ps->i++;
            ps->i++;
        } else if (c == 'R' || c == '&' || c == 'P' || c == '(' || c == 'C' || c == '+' ||
                   (c >= '0' && c <= '9') || (c == '-' && d >= '0' && d <= '9')) {
            unsupported(ps, start,
                        c == '('   ? "a conditional group"
                        : c == 'C' ? "a callout"
                                   : "a recursion or subroutine call");
            return -1;
        } else {
            /* option letters, then ')' (a setting) or ':' (a group) */
            while (ps->i < n && p[ps->i] != ')' && p[ps->i] != ':') {
                if (p[ps->i] == 'x')
                    ps->opaque = true; /* extended syntax: not followed */
                if (p[ps->i] == 'i')
                    ps->caseless = true;
                ps->i++;
            }
            if (ps->i < n && p[ps->i] == ')') {
                ps->i++;
                return new_node(ps, N_EMPTY, start);
            }
            ps->i++;
        }
    }
    if (++ps->depth > 400) {
        ps->opaque = true;
        return -1;
    }
    int32_t g = parse_alt(ps, start);
    ps->depth--;
    if (ps->i < n && p[ps->i] == ')')
        ps->i++;
    if (g < 0)
        return -1;
    if (look) {
        ps->nodes[g].lookaround = true;
        int32_t e = new_node(ps, N_EMPTY, start);
        /* keep the content reachable for nothing: zero-width */
        return e;
    }
    ps->nodes[g].atomic = atomic;
    return g;
}

/* One atom at ps->i; -1 when none was made (a \E, an error). */
static int32_t
parse_atom(struct parser *ps)
{
    const unsigned char *p = ps->p;
    size_t start = ps->i;
    unsigned char c = p[ps->i++];
    uint64_t s[4] = {0};
    switch (c) {
    case '(':
        return parse_group(ps, start);
    case '[':
        return parse_class(ps, start);
    case '.':
        set_range(s, 0, 255);
        return set_node(ps, start, s);
    case '^':
    case '$':
        return new_node(ps, N_EMPTY, start);
    case '\\': {
        if (ps->i >= ps->n)
            return -1;
        unsigned char e = p[ps->i];
        if (class_escape(e, s)) {
            ps->i++;
            return set_node(ps, start, s);
        }
        switch (e) {
        case 'b':
        case 'B':
        case 'A':
        case 'z':
        case 'Z':
        case 'G':
        case 'K':
            ps->i++;
            return new_node(ps, N_EMPTY, start);
        case 'g':
        case 'k':
            unsupported(ps, start, "a backreference");
            return -1;
        case 'N':
        case 'R':
        case 'X':
        case 'p':
        case 'P':
            ps->i++;
            if (ps->i < ps->n && p[ps->i] == '{')
                while (ps->i < ps->n && p[ps->i] != '}')
                    ps->i++;
            else if (e == 'p' || e == 'P')
                ps->i++;
            if (ps->i < ps->n && p[ps->i] == '}')
                ps->i++;
            set_range(s, 0, 255);
            return set_node(ps, start, s);
        default:
            break;
        }
        if (e >= '1' && e <= '9') {
            unsupported(ps, start, "a backreference");
            return -1;
        }
        int lit = literal_escape(ps);
        if (lit < 0) {
            ps->i++;
            set_range(s, 0, 255);
            return set_node(ps, start, s);
        }
        set_add(s, (unsigned)lit);
        break;
    }
    default:
        set_add(s, c);
        break;
    }
    if (ps->caseless)
        fold_set(s);
    return set_node(ps, start, s);
}

/* A quantifier at ps->i: true with min, max and possessive set. */
static bool
parse_quantifier(struct parser *ps, uint32_t *min, uint32_t *max, bool *possessive)
{
    const unsigned char *p = ps->p;
    size_t n = ps->n;
    if (ps->i >= n)
        return false;
    unsigned char c = p[ps->i];
    if (c == '*' || c == '+' || c == '?') {
        *min = c == '+' ? 1 : 0;
        *max = c == '?' ? 1 : REP_INF;
        ps->i++;
    } else if (c == '{') {
        size_t j = ps->i + 1;
        uint32_t a = 0, b;
        size_t digits = 0;
        while (j < n && p[j] >= '0' && p[j] <= '9' && digits < 9) {
            a = a * 10 + (uint32_t)(p[j++] - '0');
            digits++;
        }
        if (digits == 0)
            return false;
        b = a;
        if (j < n && p[j] == ',') {
            j++;
            size_t bd = 0;
            b = 0;
            while (j < n && p[j] >= '0' && p[j] <= '9' && bd < 9) {
                b = b * 10 + (uint32_t)(p[j++] - '0');
                bd++;
            }
            if (bd == 0)
                b = REP_INF;
        }
        if (j >= n || p[j] != '}')
            return false;
        ps->i = j + 1;
        *min = a;
        *max = b;
    } else {
        return false;
    }
    *possessive = false;
    if (ps->i < n && p[ps->i] == '+') {
        *possessive = true;
        ps->i++;
    } else if (ps->i < n && p[ps->i] == '?') {
        ps->i++;
    }
    return true;
}

/* A sequence up to '|', ')' or the end. */
static int32_t
parse_seq(struct parser *ps, size_t start)
{
    int32_t cat = new_node(ps, N_CAT, start);
    if (cat < 0)
        return -1;
    int32_t last = -1;
    const unsigned char *p = ps->p;
    while (ps->i < ps->n && p[ps->i] != '|' && p[ps->i] != ')' && !ps->opaque) {
        if (p[ps->i] == '\\' && ps->i + 1 < ps->n && (p[ps->i + 1] == 'Q' || p[ps->i + 1] == 'E')) {
            bool q = p[ps->i + 1] == 'Q';
            ps->i += 2;
            while (q && ps->i < ps->n &&
                   !(p[ps->i] == '\\' && ps->i + 1 < ps->n && p[ps->i + 1] == 'E')) {
                int32_t b = byte_node(ps, ps->i, p[ps->i]);
                if (b >= 0 && ps->caseless)
                    fold_set(ps->nodes[b].set);
                append(ps, cat, &last, b);
                ps->i++;
            }
            continue;
        }
        size_t at = ps->i;
        size_t sub_first = ps->count;
        int32_t a = parse_atom(ps);
        if (a < 0)
            continue;
        uint32_t min, max;
        bool possessive;
        if (parse_quantifier(ps, &min, &max, &possessive)) {
            int32_t r = new_node(ps, N_REP, at);
            if (r < 0)
                return -1;
            ps->nodes[r].min = min;
            ps->nodes[r].max = max;
            ps->nodes[r].atomic = possessive;
            ps->nodes[r].sub_first = (uint32_t)sub_first;
            ps->nodes[r].child = a;
            ps->nodes[a].parent = r;
            a = r;
        }
        append(ps, cat, &last, a);
    }
    return cat;
}

static int32_t
parse_alt(struct parser *ps, size_t start)
{
    int32_t alt = new_node(ps, N_ALT, start);
    if (alt < 0)
        return -1;
    int32_t last = -1;
    for (;;) {
        int32_t s = parse_seq(ps, ps->i);
        if (s < 0)
            return -1;
        append(ps, alt, &last, s);
        if (ps->opaque || ps->i >= ps->n || ps->p[ps->i] != '|')
            break;
        ps->i++;
    }
    return alt;
}

/* ------------------------------------------------------------- analysis */

static bool
nullable(struct parser *ps, int32_t k)
{
    if (++ps->work > WORK_MAX)
        return true;
    const struct node *nd = &ps->nodes[k];
    switch ((enum node_type)nd->type) {
    case N_EMPTY:
        return true;
    case N_SET:
        return false;
    case N_CAT:
        for (int32_t c = nd->child; c >= 0; c = ps->nodes[c].next)
            if (!nullable(ps, c))
                return false;
        return true;
    case N_ALT:
        for (int32_t c = nd->child; c >= 0; c = ps->nodes[c].next)
            if (nullable(ps, c))
                return true;
        return nd->child < 0;
    case N_REP:
        return nd->min == 0 || nullable(ps, nd->child);
    }
    return true;
}

/* The bytes a non-empty match of node k can start with (last: end with). */
static void
edge_set(struct parser *ps, int32_t k, bool last, uint64_t *out)
{
    if (++ps->work > WORK_MAX) {
        set_range(out, 0, 255);
        return;
    }
    const struct node *nd = &ps->nodes[k];
    switch ((enum node_type)nd->type) {
    case N_EMPTY:
        return;
    case N_SET:
        set_or(out, nd->set);
        return;
    case N_CAT:
        if (!last) {
            /* from the start while the items may be empty */
            for (int32_t c = nd->child; c >= 0; c = ps->nodes[c].next) {
                edge_set(ps, c, false, out);
                if (!nullable(ps, c))
                    return;
            }
        } else {
            /* the last bytes of a prefix: those of its last item, and of
             * the prefix before it when that item may be empty */
            uint64_t acc[4] = {0};
            for (int32_t c = nd->child; c >= 0; c = ps->nodes[c].next) {
                uint64_t mine[4] = {0};
                edge_set(ps, c, true, mine);
                if (!nullable(ps, c))
                    memset(acc, 0, sizeof(acc));
                set_or(acc, mine);
            }
            set_or(out, acc);
        }
        return;
    case N_ALT:
        for (int32_t c = nd->child; c >= 0; c = ps->nodes[c].next)
            edge_set(ps, c, last, out);
        return;
    case N_REP:
        if (nd->max > 0)
            edge_set(ps, nd->child, last, out);
        return;
    }
}

static void
first_set(struct parser *ps, int32_t k, uint64_t *out)
{
    edge_set(ps, k, false, out);
}

/* The first bytes of the items from k on (of a sequence); *empty when they
 * may all match the empty string. */
static void
first_from(struct parser *ps, int32_t k, uint64_t *out, bool *empty)
{
    for (; k >= 0; k = ps->nodes[k].next) {
        first_set(ps, k, out);
        if (!nullable(ps, k)) {
            *empty = false;
            return;
        }
    }
    *empty = true;
}

static bool
inside(struct parser *ps, int32_t k, int32_t ancestor)
{
    for (k = ps->nodes[k].parent; k >= 0; k = ps->nodes[k].parent)
        if (k == ancestor)
            return true;
    return false;
}

/* Not analysed: inside a lookaround or below an atomic group/repetition
 * (below `outer`, exclusive). */
static bool
shielded(struct parser *ps, int32_t k, int32_t outer)
{
    for (; k >= 0 && k != outer; k = ps->nodes[k].parent)
        if (ps->nodes[k].atomic || ps->nodes[k].lookaround)
            return true;
    return false;
}

/* What may follow repetition q inside the body of repetition r, the next
 * iteration of r included. */
static void
follow_within(struct parser *ps, int32_t q, int32_t r, uint64_t *out)
{
    int32_t cur = q;
    for (;;) {
        int32_t par = ps->nodes[cur].parent;
        if (par < 0)
            return;
        if (par == r) {
            first_set(ps, ps->nodes[r].child, out);
            return;
        }
        const struct node *pn = &ps->nodes[par];
        if (pn->type == N_CAT) {
            bool empty;
            first_from(ps, ps->nodes[cur].next, out, &empty);
            if (!empty)
                return;
        } else if (pn->type == N_REP && pn->max > 1) {
            first_set(ps, pn->child, out);
        }
        cur = par;
    }
}

/* Whether two branches (N_CAT) of an alternation can both match a prefix of
 * one input: their literal prefixes agree until one ends, or the rest of
 * both can start with the same byte. */
static bool
branches_overlap(struct parser *ps, int32_t a, int32_t b)
{
    int32_t x = ps->nodes[a].child, y = ps->nodes[b].child;
    for (;;) {
        while (x >= 0 && ps->nodes[x].type == N_EMPTY)
            x = ps->nodes[x].next;
        while (y >= 0 && ps->nodes[y].type == N_EMPTY)
            y = ps->nodes[y].next;
        if (x < 0 || y < 0)
            return true; /* one is a prefix of the other */
        const struct node *nx = &ps->nodes[x], *ny = &ps->nodes[y];
        if (nx->type == N_SET && ny->type == N_SET) {
            if (!set_meets(nx->set, ny->set))
                return false;
            x = nx->next;
            y = ny->next;
            continue;
        }
        uint64_t fx[4] = {0}, fy[4] = {0};
        bool ex, ey;
        first_from(ps, x, fx, &ex);
        first_from(ps, y, fy, &ey);
        return ex || ey || set_meets(fx, fy);
    }
}

/* The first ambiguous repetition: its offset and what it is, or false. */
static bool lint_one(struct parser *ps, size_t r, size_t *offset, const char **what);

/* The outermost (first in the pattern) ambiguous repetition. */
static bool
lint(struct parser *ps, size_t *offset, const char **what)
{
    bool found = false;
    for (size_t r = 0; r < ps->count; r++) {
        size_t at;
        const char *w;
        if (lint_one(ps, r, &at, &w) && (!found || at < *offset)) {
            found = true;
            *offset = at;
            *what = w;
        }
    }
    return found;
}

static bool
lint_one(struct parser *ps, size_t r, size_t *offset, const char **what)
{
    {
        const struct node *rn = &ps->nodes[r];
        if (rn->type != N_REP || rn->max <= 1 || shielded(ps, (int32_t)r, -1))
            return false;
        /* the nodes of its body were made just before it */
        for (size_t k = rn->sub_first; k < r; k++) {
            const struct node *kn = &ps->nodes[k];
            if (!inside(ps, (int32_t)k, (int32_t)r) || shielded(ps, (int32_t)k, (int32_t)r))
                continue;
            if (kn->type == N_REP && kn->max > 1) {
                uint64_t f[4] = {0}, mine[4] = {0};
                follow_within(ps, (int32_t)k, (int32_t)r, f);
                first_set(ps, kn->child, mine);
                if (set_meets(mine, f)) {
                    *offset = rn->offset;
                    *what = "a repetition inside a repetition that can split the same input in "
                            "more than one way";
                    return true;
                }
            } else if (kn->type == N_ALT && kn->child >= 0 && ps->nodes[kn->child].next >= 0) {
                for (int32_t a = kn->child; a >= 0; a = ps->nodes[a].next)
                    for (int32_t b = ps->nodes[a].next; b >= 0; b = ps->nodes[b].next)
                        if (branches_overlap(ps, a, b)) {
                            *offset = rn->offset;
                            *what = "a repeated alternation whose branches can match the "
                                    "same input";
                            return true;
                        }
            }
        }
    }
    return false;
}

static bool
is_host_byte(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

static bool
digits_only(struct parser *ps, int32_t k)
{
    uint64_t d[4] = {0};
    set_range(d, '0', '9');
    const struct node *nd = &ps->nodes[k];
    if (nd->type == N_REP)
        nd = &ps->nodes[nd->child];
    return nd->type == N_SET && set_within(nd->set, d);
}

/* Items [from, to) of a sequence are ':' then digits. */
static bool
port_items(struct parser *ps, const int32_t *items, size_t from, size_t to)
{
    while (from < to && ps->nodes[items[from]].type == N_EMPTY)
        from++;
    if (from == to || ps->nodes[items[from]].type != N_SET ||
        set_single(ps->nodes[items[from]].set) != ':')
        return false;
    for (size_t j = from + 1; j < to; j++)
        if (ps->nodes[items[j]].type != N_EMPTY && !digits_only(ps, items[j]))
            return false;
    return true;
}

/*
 * The host suffix key (see the file comment): the regex is one sequence that
 * ends with a literal L of host bytes, then optionally a port (':' and
 * digits, possibly in an optional group). Every origin it matches then has a
 * host ending in L; the key is the part of L known to start at a label.
 */
static size_t
host_key(struct parser *ps, int32_t root, char *key, size_t size)
{
    const struct node *rn = &ps->nodes[root];
    if (rn->child < 0 || ps->nodes[rn->child].next >= 0)
        return 0; /* an alternation at the top */
    int32_t items[600];
    size_t m = 0;
    for (int32_t c = ps->nodes[rn->child].child; c >= 0; c = ps->nodes[c].next) {
        if (m == CORSP_ARRAY_SIZE(items))
            return 0;
        items[m++] = c;
    }
    size_t end = m;
    while (end > 0 && ps->nodes[items[end - 1]].type == N_EMPTY)
        end--;
    /* the port part */
    if (end > 0) {
        const struct node *t = &ps->nodes[items[end - 1]];
        if (t->type == N_REP && t->min == 0 && t->max == 1 && ps->nodes[t->child].type == N_ALT &&
            ps->nodes[t->child].child >= 0 && ps->nodes[ps->nodes[t->child].child].next < 0) {
            int32_t inner[64];
            size_t im = 0;
            bool fits = true;
            for (int32_t c = ps->nodes[ps->nodes[t->child].child].child; c >= 0;
                 c = ps->nodes[c].next) {
                if (im == CORSP_ARRAY_SIZE(inner)) {
                    fits = false;
                    break;
                }
                inner[im++] = c;
            }
            if (fits && port_items(ps, inner, 0, im))
                end--;
        } else {
            size_t j = end;
            while (j > 0 && digits_only(ps, items[j - 1]))
                j--;
            if (j > 0 && j < end && port_items(ps, items, j - 1, end))
                end = j - 1;
        }
    }
    /* the literal L, backwards */
    size_t start = end;
    while (start > 0) {
        const struct node *nd = &ps->nodes[items[start - 1]];
        int c = nd->type == N_SET ? set_single(nd->set) : -1;
        if (!is_host_byte(c))
            break;
        start--;
    }
    size_t len = end - start;
    if (len == 0 || start == 0 || len > 253)
        return 0;
    char lit[254];
    bool digits = true;
    for (size_t j = 0; j < len; j++) {
        lit[j] = (char)set_single(ps->nodes[items[start + j]].set);
        if (lit[j] < '0' || lit[j] > '9')
            digits = false;
    }
    if (digits)
        return 0; /* could be a port */
    /* what ends just before L */
    uint64_t before[4] = {0}, bounds[4] = {0};
    bool all_empty = true;
    for (size_t j = start; j > 0; j--) {
        edge_set(ps, items[j - 1], true, before);
        if (!nullable(ps, items[j - 1])) {
            all_empty = false;
            break;
        }
    }
    set_add(bounds, '.');
    set_add(bounds, '/');
    size_t from;
    if (lit[0] == '.')
        from = 1;
    else if (!all_empty && set_within(before, bounds))
        from = 0;
    else {
        from = 0;
        while (from < len && lit[from] != '.')
            from++;
        from++;
    }
    if (from >= len || lit[from] == '.' || len - from >= size)
        return 0;
    memcpy(key, lit + from, len - from);
    return len - from;
}

/* A '^' or '$' (not a lookaround or an option setting). */
static bool
is_anchor(struct parser *ps, int32_t k)
{
    const struct node *nd = &ps->nodes[k];
    return nd->type == N_EMPTY && (ps->p[nd->offset] == '^' || ps->p[nd->offset] == '$');
}

static int
literal_at(struct parser *ps, int32_t k)
{
    const struct node *nd = &ps->nodes[k];
    return nd->type == N_SET ? set_single(nd->set) : -1;
}

/* The simple form (struct corsp_regex_simple), or false. */
static bool
simple_form(struct parser *ps, int32_t root, struct corsp_regex_shape *out)
{
    struct corsp_regex_simple *f = &out->form;
    char *prefix = out->form_prefix, *host = out->form_host;
    const struct node *rn = &ps->nodes[root];
    if (rn->child < 0 || ps->nodes[rn->child].next >= 0)
        return false;
    int32_t items[600];
    size_t m = 0;
    for (int32_t c = ps->nodes[rn->child].child; c >= 0; c = ps->nodes[c].next) {
        if (m == CORSP_ARRAY_SIZE(items))
            return false;
        items[m++] = c;
    }
    size_t i = 0, end = m;
    while (i < end && is_anchor(ps, items[i]) && ps->p[ps->nodes[items[i]].offset] == '^')
        i++;
    while (end > i && is_anchor(ps, items[end - 1]) &&
           ps->p[ps->nodes[items[end - 1]].offset] == '$')
        end--;
    memset(f, 0, sizeof(*f));
    f->prefix = prefix;
    f->host = host;
    /* "scheme://" */
    while (i < end && f->prefix_len < sizeof(out->form_prefix)) {
        int c = literal_at(ps, items[i]);
        if (c < 0)
            return false;
        prefix[f->prefix_len++] = (char)c;
        i++;
        if (f->prefix_len >= 4 && memcmp(f->prefix + f->prefix_len - 3, "://", 3) == 0)
            break;
    }
    if (f->prefix_len < 4 || memcmp(f->prefix + f->prefix_len - 3, "://", 3) != 0 ||
        !(f->prefix[0] >= 'a' && f->prefix[0] <= 'z'))
        return false;
    for (size_t k = 1; k + 3 < f->prefix_len; k++) {
        char c = f->prefix[k];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
            return false;
    }
    /* (C+\.)* or (C+\.)+ */
    if (i < end && ps->nodes[items[i]].type == N_REP) {
        const struct node *r = &ps->nodes[items[i]];
        const struct node *g = &ps->nodes[r->child];
        if (r->min > 1 || r->max != REP_INF || g->type != N_ALT || g->child < 0 ||
            ps->nodes[g->child].next >= 0)
            return false;
        int32_t a = ps->nodes[g->child].child;
        int32_t b = a >= 0 ? ps->nodes[a].next : -1;
        if (a < 0 || b < 0 || ps->nodes[b].next >= 0 || literal_at(ps, b) != '.')
            return false;
        const struct node *ra = &ps->nodes[a];
        if (ra->type != N_REP || ra->min != 1 || ra->max != REP_INF ||
            ps->nodes[ra->child].type != N_SET || set_has(ps->nodes[ra->child].set, '.'))
            return false;
        f->labels = true;
        f->labels_min_one = r->min == 1;
        memcpy(f->label_set, ps->nodes[ra->child].set, sizeof(f->label_set));
        i++;
    }
    /* the host */
    while (i < end && f->host_len < sizeof(out->form_host) - 1) {
        int c = literal_at(ps, items[i]);
        if (!is_host_byte(c))
            break;
        host[f->host_len++] = (char)c;
        i++;
    }
    if (f->host_len == 0 || f->host[0] == '.')
        return false;
    /* the port */
    if (i == end)
        return true;
    if (literal_at(ps, items[i]) == ':') {
        /* ":digits" */
        uint32_t v = 0;
        size_t digits = 0;
        bool zero_first = false;
        for (i++; i < end; i++) {
            int c = literal_at(ps, items[i]);
            if (c < '0' || c > '9' || digits == 5)
                return false;
            if (digits == 0)
                zero_first = c == '0';
            v = v * 10 + (uint32_t)(c - '0');
            digits++;
        }
        if (digits == 0)
            return false;
        /* a port a browser sends: no leading zero, 1..65535, not the
         * scheme's default (else the regex never matches) */
        size_t sl = f->prefix_len - 3;
        uint32_t def = (sl == 4 && memcmp(f->prefix, "http", 4) == 0) ||
                               (sl == 2 && memcmp(f->prefix, "ws", 2) == 0)
                           ? 80
                       : (sl == 5 && memcmp(f->prefix, "https", 5) == 0) ||
                               (sl == 3 && memcmp(f->prefix, "wss", 3) == 0)
                           ? 443
                           : 0;
        f->port = CORSP_SIMPLE_PORT_EXACT;
        f->port_value = !zero_first && v >= 1 && v <= 65535 && v != def ? 0x10000u | v : 0;
        return true;
    }
    if (i + 1 != end)
        return false;
    /* (:D{min,max})? with every digit in D, min <= 1, max >= 5 */
    const struct node *t = &ps->nodes[items[i]];
    if (t->type != N_REP || t->min != 0 || t->max != 1 || ps->nodes[t->child].type != N_ALT)
        return false;
    const struct node *g = &ps->nodes[t->child];
    if (g->child < 0 || ps->nodes[g->child].next >= 0)
        return false;
    int32_t a = ps->nodes[g->child].child;
    int32_t b = a >= 0 ? ps->nodes[a].next : -1;
    if (a < 0 || b < 0 || ps->nodes[b].next >= 0 || literal_at(ps, a) != ':')
        return false;
    const struct node *rb = &ps->nodes[b];
    if (rb->type != N_REP || rb->min > 1 || rb->max < 5 || ps->nodes[rb->child].type != N_SET)
        return false;
    for (unsigned c = '0'; c <= '9'; c++)
        if (!set_has(ps->nodes[rb->child].set, c))
            return false;
    f->port = CORSP_SIMPLE_PORT_ANY;
    return true;
}

bool
corsp_regex_shape(const struct cors_allocator *alloc, const char *p, size_t n,
                  struct corsp_regex_shape *out)
{
    memset(out, 0, sizeof(*out));
    struct parser ps = {.p = (const unsigned char *)p, .n = n};
    if (n > SIZE_MAX / (3 * sizeof(struct node)) - 8)
        return true; /* nothing to say about it */
    ps.cap = 3 * n + 8;
    ps.nodes = corsp_malloc(alloc, ps.cap * sizeof(struct node));
    if (ps.nodes == NULL)
        return false;
    int32_t root = parse_alt(&ps, 0);
    while (!ps.opaque && root >= 0 && ps.i < n) {
        /* an unbalanced ')' PCRE2 would have refused; stop there */
        ps.opaque = true;
    }
    out->unsupported = ps.unsupported;
    out->unsupported_at = ps.unsupported_at;
    out->unsupported_what = ps.unsupported_what;
    if (!ps.opaque && root >= 0) {
        out->backtracking = lint(&ps, &out->backtracking_at, &out->backtracking_what);
        if (!ps.caseless)
            out->key_len = host_key(&ps, root, out->key, sizeof(out->key));
        if (out->key_len > 0 && !out->unsupported)
            out->simple = simple_form(&ps, root, out);
        if (ps.work > WORK_MAX) {
            /* too large to analyse: no finding, no key (always tried) */
            out->backtracking = false;
            out->key_len = 0;
            out->simple = false;
        }
    }
    corsp_free(alloc, ps.nodes);
    return true;
}
