/*
 * libcors - text policies: a Gateway API style YAML or JSON text turned into
 * builder calls.
 *
 * It feeds the builder through its public setters, and does no I/O: the host
 * hands over the bytes.
 *
 * How it works:
 *  1. libyaml's event parser (never its document loader) reads the whole
 *     stream into a small tree kept in a pool of the library's (corsp_pool,
 *     with the builder's allocator). Aliases are refused and the
 *     size, nesting depth and node count are bounded, so no input can make
 *     the loader use unbounded memory or time.
 *  2. Every document is classified: a Kubernetes document (it has a "kind"),
 *     a "cors:" wrapper, or a bare HTTPCORSFilter mapping. The CORS mappings
 *     found are the candidates: route level (HTTPRoute
 *     spec.rules[].filters[] of type CORS), policy level
 *     (AgentgatewayPolicy spec.traffic.cors) or plain (bare or wrapper).
 *  3. One candidate wins: the route-level filter over the policy level (with
 *     a text-both-levels warning). Two candidates of one level, or a plain
 *     filter next to any other, are an error: a text holds one policy.
 *  4. Every candidate is checked strictly (unknown keys, types, durations,
 *     duplicate keys); the winner is then handed to the builder, with the
 *     source position set before each setter.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"

#include <inttypes.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#if HAVE_YAML
#include <yaml.h>
#endif

/* Security limits of the loader (all reported as text-too-large). */
#define TEXT_MAX_BYTES ((size_t)1024 * 1024) /* 1 MiB of text */
#define TEXT_MAX_DEPTH 64                     /* nested sequences/mappings */
#define TEXT_MAX_NODES ((size_t)100000)      /* scalars + collections + documents */

/* Maximum characters of the input quoted back in a message (sanitised). */
#define TEXT_QUOTE_MAX 48

/* Gateway API default for an absent maxAge in a Kubernetes document. */
#define GATEWAY_API_DEFAULT_MAX_AGE 5

#if HAVE_YAML

/* ------------------------------------------------------------------------ */
/* The tree                                                                 */
/* ------------------------------------------------------------------------ */

enum node_kind {
    NODE_SCALAR,
    NODE_SEQUENCE,
    NODE_MAPPING,
};

struct node {
    enum node_kind kind;
    uint32_t line;   /* 1-based */
    uint32_t column; /* 1-based */
    /* scalar */
    const char *value; /* NUL-terminated copy (may also contain NULs) */
    size_t len;
    bool plain; /* plain style and no !!str tag: subject to type resolution */
    /* sequence / mapping: children in order; a mapping alternates key, value */
    struct node *first;
    struct node *last;
    size_t count;
    struct node *next;
};

struct document {
    struct node *root; /* NULL for an empty document */
    unsigned index;    /* 1-based */
    struct document *next;
};

/* ------------------------------------------------------------------------ */
/* Loader state and diagnostics                                             */
/* ------------------------------------------------------------------------ */

enum level {
    LEVEL_ROUTE,  /* HTTPRoute filter */
    LEVEL_POLICY, /* AgentgatewayPolicy traffic.cors */
    LEVEL_PLAIN,  /* bare HTTPCORSFilter or cors: wrapper */
};

struct candidate {
    enum level level;
    const struct node *cors;  /* the CORS mapping (any node: checked later) */
    const struct node *where; /* where to point diagnostics about the candidate */
    bool gateway_defaults;    /* a Kubernetes document: maxAge defaults to 5 */
    char source[200];
    struct candidate *next;
};

struct loader {
    struct corsp_pool pool; /* the tree, with the builder's allocator */
    struct corsp_report *r; /* where findings go (a discarded one in the apply pass) */
    const char *text;
    size_t len;
    struct document *docs;
    struct document *docs_tail;
    size_t node_count;
    struct candidate *cands;
    struct candidate *cands_tail;
    enum cors_status fail; /* CORS_E_NOMEM once an allocation failed */
};

/* CORS_E_NOMEM once an allocation failed: the tree's, a setter's or a
 * diagnostic's. */
static enum cors_status
failure(const struct loader *ld)
{
    return ld->r->oom ? CORS_E_NOMEM : ld->fail;
}

/*
 * Copies at most TEXT_QUOTE_MAX characters of untrusted input into dst for a
 * message: printable ASCII only (everything else becomes '?'), "..." when cut.
 */
static const char *
quote(char *dst, size_t cap, const char *s, size_t n)
{
    size_t max = TEXT_QUOTE_MAX < cap - 4 ? TEXT_QUOTE_MAX : cap - 4;
    size_t i = 0;
    for (; i < n && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    if (i < n) {
        memcpy(dst + i, "...", 3);
        i += 3;
    }
    dst[i] = '\0';
    return dst;
}

#define QUOTE_BUF (TEXT_QUOTE_MAX + 8)

/* ------------------------------------------------------------------------ */
/* Scalar typing (YAML 1.2 core schema, which also covers JSON)             */
/* ------------------------------------------------------------------------ */

static bool
scalar_is(const struct node *n, const char *s)
{
    size_t l = strlen(s);
    return n->len == l && memcmp(n->value, s, l) == 0;
}

static bool
is_null(const struct node *n)
{
    if (n == NULL)
        return true;
    if (n->kind != NODE_SCALAR || !n->plain)
        return false;
    return n->len == 0 || scalar_is(n, "~") || scalar_is(n, "null") || scalar_is(n, "Null") ||
           scalar_is(n, "NULL");
}

/* 1 true, 0 false, -1 not a boolean */
static int
scalar_bool(const struct node *n)
{
    if (n->kind != NODE_SCALAR || !n->plain)
        return -1;
    if (scalar_is(n, "true") || scalar_is(n, "True") || scalar_is(n, "TRUE"))
        return 1;
    if (scalar_is(n, "false") || scalar_is(n, "False") || scalar_is(n, "FALSE"))
        return 0;
    return -1;
}

/* A plain scalar that the core schema resolves to a number. */
static bool
scalar_is_number(const struct node *n)
{
    if (n->kind != NODE_SCALAR || !n->plain || n->len == 0)
        return false;
    const char *s = n->value;
    size_t i = 0, len = n->len;
    if (s[i] == '-' || s[i] == '+')
        i++;
    if (len - i == 4 && (memcmp(s + i, ".inf", 4) == 0 || memcmp(s + i, ".Inf", 4) == 0 ||
                         memcmp(s + i, ".INF", 4) == 0))
        return true;
    if (scalar_is(n, ".nan") || scalar_is(n, ".NaN") || scalar_is(n, ".NAN"))
        return true;
    size_t digits = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        i++;
        digits++;
    }
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            i++;
            digits++;
        }
    }
    if (digits == 0)
        return false;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '-' || s[i] == '+'))
            i++;
        size_t ed = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            i++;
            ed++;
        }
        if (ed == 0)
            return false;
    }
    return i == len;
}

/*
 * An integer: optional sign and decimal digits. Returns 1 and *out on
 * success; 2 when it is an integer whose magnitude exceeds INT64 range
 * (*out saturated); 0 when not an integer.
 */
static int
parse_integer(const char *s, size_t len, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (s[i] == '-' || s[i] == '+')) {
        neg = s[i] == '-';
        i++;
    }
    if (i == len)
        return 0;
    uint64_t v = 0;
    bool over = false;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10 || v * 10 + d > (uint64_t)INT64_MAX)
            over = true;
        else
            v = v * 10 + d;
    }
    if (over) {
        *out = neg ? INT64_MIN : INT64_MAX;
        return 2;
    }
    *out = neg ? -(int64_t)v : (int64_t)v;
    return 1;
}

static const char *
node_type_name(const struct node *n)
{
    if (n == NULL || is_null(n))
        return "null";
    switch (n->kind) {
    case NODE_SEQUENCE:
        return "a list";
    case NODE_MAPPING:
        return "a mapping";
    case NODE_SCALAR:
        break;
    }
    if (scalar_bool(n) >= 0)
        return "a boolean";
    if (scalar_is_number(n))
        return "a number";
    return "a string";
}

/* A string value: any scalar that is not null, a boolean or a number. */
static bool
is_string(const struct node *n)
{
    return n != NULL && n->kind == NODE_SCALAR && !is_null(n) && scalar_bool(n) < 0 &&
           !scalar_is_number(n);
}

/* ------------------------------------------------------------------------ */
/* Parsing into the tree                                                    */
/* ------------------------------------------------------------------------ */

static struct node *
new_node(struct loader *ld, enum node_kind kind, yaml_mark_t mark)
{
    struct node *n = corsp_pool_alloc(&ld->pool, sizeof(*n));
    if (n == NULL) {
        ld->fail = CORS_E_NOMEM;
        return NULL;
    }
    n->kind = kind;
    n->line = mark.line >= UINT32_MAX ? UINT32_MAX : (uint32_t)mark.line + 1;
    n->column = mark.column >= UINT32_MAX ? UINT32_MAX : (uint32_t)mark.column + 1;
    return n;
}

static void
append_child(struct node *parent, struct node *child)
{
    if (parent->last == NULL)
        parent->first = child;
    else
        parent->last->next = child;
    parent->last = child;
    parent->count++;
}

/* Line and column (1-based, columns in characters) of a byte offset. */
static void
offset_position(const char *text, size_t len, size_t offset, uint32_t *line, uint32_t *col)
{
    uint32_t l = 1, c = 1;
    if (offset > len)
        offset = len;
    for (size_t i = 0; i < offset; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n') {
            l++;
            c = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

static void
report_parser_error(struct loader *ld, const yaml_parser_t *p)
{
    uint32_t line = 0, col = 0;
    const char *problem = p->problem ? p->problem : "unknown problem";
    switch (p->error) {
    case YAML_MEMORY_ERROR:
        ld->fail = CORS_E_NOMEM;
        return;
    case YAML_READER_ERROR:
        offset_position(ld->text, ld->len, p->problem_offset, &line, &col);
        corsp_report(ld->r, CORS_DIAG_TEXT_SYNTAX, CORS_FIELD_NONE, SIZE_MAX, line, col, 0,
                     "not valid YAML or JSON: %s", problem);
        return;
    default:
        line = (uint32_t)p->problem_mark.line + 1;
        col = (uint32_t)p->problem_mark.column + 1;
        if (p->context != NULL && (p->context_mark.line != p->problem_mark.line ||
                                   p->context_mark.column != p->problem_mark.column))
            corsp_report(ld->r, CORS_DIAG_TEXT_SYNTAX, CORS_FIELD_NONE, SIZE_MAX, line, col, 0,
                         "not valid YAML or JSON: %s (%s started at line %lu, column %lu)", problem,
                         p->context, (unsigned long)p->context_mark.line + 1,
                         (unsigned long)p->context_mark.column + 1);
        else if (p->context != NULL)
            corsp_report(ld->r, CORS_DIAG_TEXT_SYNTAX, CORS_FIELD_NONE, SIZE_MAX, line, col, 0,
                         "not valid YAML or JSON: %s (%s)", problem, p->context);
        else
            corsp_report(ld->r, CORS_DIAG_TEXT_SYNTAX, CORS_FIELD_NONE, SIZE_MAX, line, col, 0,
                         "not valid YAML or JSON: %s", problem);
        return;
    }
}

static const char yaml_str_tag[] = "tag:yaml.org,2002:str";

/* Returns true when the stream was read completely into ld->docs. */
static bool
parse_stream(struct loader *ld)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        ld->fail = CORS_E_NOMEM;
        return false;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)ld->text, ld->len);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

    struct node *stack[TEXT_MAX_DEPTH];
    size_t depth = 0;
    struct document *doc = NULL;
    unsigned docno = 0;
    bool ok = false, done = false;

    while (!done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            report_parser_error(ld, &parser);
            break;
        }
        bool stop = false;
        struct node *n = NULL;
        if (ev.type == YAML_SCALAR_EVENT || ev.type == YAML_SEQUENCE_START_EVENT ||
            ev.type == YAML_MAPPING_START_EVENT || ev.type == YAML_DOCUMENT_START_EVENT) {
            if (++ld->node_count > TEXT_MAX_NODES) {
                corsp_report(ld->r, CORS_DIAG_TEXT_TOO_LARGE, CORS_FIELD_NONE, SIZE_MAX,
                             (uint32_t)ev.start_mark.line + 1, (uint32_t)ev.start_mark.column + 1,
                             0, "the text has more than %zu values; a CORS policy needs far fewer",
                             TEXT_MAX_NODES);
                stop = true;
            }
        }
        if (!stop) {
            switch (ev.type) {
            case YAML_STREAM_END_EVENT:
                ok = true;
                done = true;
                break;
            case YAML_DOCUMENT_START_EVENT:
                doc = corsp_pool_alloc(&ld->pool, sizeof(*doc));
                if (doc == NULL) {
                    ld->fail = CORS_E_NOMEM;
                    stop = true;
                    break;
                }
                doc->root = NULL;
                doc->index = ++docno;
                doc->next = NULL;
                if (ld->docs_tail)
                    ld->docs_tail->next = doc;
                else
                    ld->docs = doc;
                ld->docs_tail = doc;
                break;
            case YAML_DOCUMENT_END_EVENT:
                doc = NULL;
                break;
            case YAML_ALIAS_EVENT:
                corsp_report(
                    ld->r, CORS_DIAG_TEXT_TOO_LARGE, CORS_FIELD_NONE, SIZE_MAX,
                    (uint32_t)ev.start_mark.line + 1, (uint32_t)ev.start_mark.column + 1, 0,
                    "YAML aliases (*name) are not accepted: they can expand without bound; "
                    "write the value out");
                stop = true;
                break;
            case YAML_SCALAR_EVENT:
                n = new_node(ld, NODE_SCALAR, ev.start_mark);
                if (n == NULL) {
                    stop = true;
                    break;
                }
                {
                    char *v = corsp_pool_alloc(&ld->pool, ev.data.scalar.length + 1);
                    if (v == NULL) {
                        ld->fail = CORS_E_NOMEM;
                        stop = true;
                        break;
                    }
                    memcpy(v, ev.data.scalar.value, ev.data.scalar.length);
                    v[ev.data.scalar.length] = '\0';
                    n->value = v;
                    n->len = ev.data.scalar.length;
                }
                n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                           !(ev.data.scalar.tag != NULL &&
                             strcmp((const char *)ev.data.scalar.tag, yaml_str_tag) == 0);
                break;
            case YAML_SEQUENCE_START_EVENT:
            case YAML_MAPPING_START_EVENT:
                if (depth == TEXT_MAX_DEPTH) {
                    corsp_report(ld->r, CORS_DIAG_TEXT_TOO_LARGE, CORS_FIELD_NONE, SIZE_MAX,
                                 (uint32_t)ev.start_mark.line + 1,
                                 (uint32_t)ev.start_mark.column + 1, 0,
                                 "nesting deeper than %d levels", TEXT_MAX_DEPTH);
                    stop = true;
                    break;
                }
                n = new_node(ld,
                             ev.type == YAML_SEQUENCE_START_EVENT ? NODE_SEQUENCE : NODE_MAPPING,
                             ev.start_mark);
                if (n == NULL)
                    stop = true;
                break;
            case YAML_SEQUENCE_END_EVENT:
            case YAML_MAPPING_END_EVENT:
                if (depth > 0)
                    depth--;
                break;
            default:
                break;
            }
        }
        if (!stop && n != NULL) {
            if (depth > 0)
                append_child(stack[depth - 1], n);
            else if (doc != NULL)
                doc->root = n;
            if (n->kind != NODE_SCALAR)
                stack[depth++] = n;
        }
        yaml_event_delete(&ev);
        if (stop)
            break;
    }
    yaml_parser_delete(&parser);
    return ok && failure(ld) == CORS_OK;
}

/* ------------------------------------------------------------------------ */
/* Looking things up                                                        */
/* ------------------------------------------------------------------------ */

static bool
key_is(const struct node *key, const char *name)
{
    return key->kind == NODE_SCALAR && scalar_is(key, name);
}

/*
 * The value of key name in mapping m (NULL when absent or m is not a
 * mapping). A second occurrence of the key is reported.
 */
static const struct node *
lookup(struct loader *ld, const struct node *m, const char *name, const struct node **key_out)
{
    const struct node *found = NULL, *found_key = NULL;
    if (key_out)
        *key_out = NULL;
    if (m == NULL || m->kind != NODE_MAPPING)
        return NULL;
    for (const struct node *k = m->first; k != NULL && k->next != NULL; k = k->next->next) {
        if (!key_is(k, name))
            continue;
        if (found_key == NULL) {
            found_key = k;
            found = k->next;
        } else {
            corsp_report(ld->r, CORS_DIAG_TEXT_DUPLICATE_KEY, CORS_FIELD_NONE, SIZE_MAX, k->line,
                         k->column, 0,
                         "key '%s' given twice in one mapping (first at line %u, column %u)", name,
                         (unsigned)found_key->line, (unsigned)found_key->column);
        }
    }
    if (key_out)
        *key_out = found_key;
    return found;
}

/* ------------------------------------------------------------------------ */
/* The CORS mapping                                                         */
/* ------------------------------------------------------------------------ */

enum value_kind {
    V_LIST,
    V_BOOL,
    V_STATUS,
    V_PERCENT,
    V_DURATION,
    V_SOURCE,
};

struct key_spec {
    const char *name;
    enum cors_field field;
    enum value_kind kind;
};

static const struct key_spec cors_keys[] = {
    { "allowOrigins", CORS_FIELD_ALLOW_ORIGINS, V_LIST },
    { "allowOriginRegex", CORS_FIELD_ALLOW_ORIGIN_REGEX, V_LIST },
    { "allowMethods", CORS_FIELD_ALLOW_METHODS, V_LIST },
    { "allowHeaders", CORS_FIELD_ALLOW_HEADERS, V_LIST },
    { "exposeHeaders", CORS_FIELD_EXPOSE_HEADERS, V_LIST },
    { "maxAge", CORS_FIELD_MAX_AGE, V_DURATION },
    { "allowCredentials", CORS_FIELD_ALLOW_CREDENTIALS, V_BOOL },
    { "allowPrivateNetwork", CORS_FIELD_ALLOW_PRIVATE_NETWORK, V_BOOL },
    { "preflightStatus", CORS_FIELD_PREFLIGHT_STATUS, V_STATUS },
    { "rejectStatus", CORS_FIELD_REJECT_STATUS, V_STATUS },
    { "forwardRejectedPreflights", CORS_FIELD_FORWARD_REJECTED_PREFLIGHTS, V_BOOL },
    { "reportOnly", CORS_FIELD_REPORT_ONLY, V_BOOL },
    { "forwardAllowedPreflights", CORS_FIELD_FORWARD_ALLOWED_PREFLIGHTS, V_BOOL },
    { "timingAllowOrigin", CORS_FIELD_TIMING_ALLOW_ORIGIN, V_BOOL },
    { "enforcePercent", CORS_FIELD_ENFORCE_PERCENT, V_PERCENT },
    /* written by cors_policy_to_json(), so that a dump loads again */
    { "policySource", CORS_FIELD_NONE, V_SOURCE },
};
#define N_CORS_KEYS (sizeof(cors_keys) / sizeof(cors_keys[0]))

static char
ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Edit distance (case-insensitive) between short strings, capped. */
static size_t
edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
    size_t row[40];
    if (la >= 40 || lb >= 40)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = ascii_lower(a[i - 1]) == ascii_lower(b[j - 1]) ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static const char *
suggest_key(const char *s, size_t len)
{
    const char *best = NULL;
    size_t best_d = 3; /* suggest only at distance <= 2 */
    for (size_t i = 0; i < N_CORS_KEYS; i++) {
        size_t d = edit_distance(s, len, cors_keys[i].name, strlen(cors_keys[i].name));
        if (d < best_d) {
            best_d = d;
            best = cors_keys[i].name;
        }
    }
    return best;
}

enum duration_result {
    DUR_OK,
    DUR_MALFORMED,
    DUR_FRACTION,
    DUR_NEGATIVE,
    DUR_OVERFLOW,
};

/*
 * maxAge as whole seconds: a digit string, or a duration such as "90s",
 * "10m", "1h30m", "2h45m10s" (units h, m, s, each at most once, in that
 * order). Values above 2147483647 seconds overflow.
 */
static enum duration_result
parse_duration(const char *s, size_t len, int64_t *out)
{
    const int64_t max = INT32_MAX;
    if (len == 0)
        return DUR_MALFORMED;
    if (s[0] == '-') {
        /* anything that would be a number or duration after the sign */
        int64_t ignored;
        enum duration_result r = parse_duration(s + 1, len - 1, &ignored);
        return (r == DUR_MALFORMED) ? DUR_MALFORMED : DUR_NEGATIVE;
    }
    size_t i = 0;
    int64_t total = 0;
    int last_unit = 4; /* 3 = h, 2 = m, 1 = s */
    bool overflow = false, fraction = false, any_unit = false;
    while (i < len) {
        size_t start = i;
        int64_t v = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (v > max)
                overflow = true;
            else
                v = v * 10 + (s[i] - '0');
            i++;
        }
        if (i == start)
            return DUR_MALFORMED;
        if (i < len && s[i] == '.') {
            size_t fs = ++i;
            while (i < len && s[i] >= '0' && s[i] <= '9')
                i++;
            if (i == fs)
                return DUR_MALFORMED;
            fraction = true;
        }
        if (i == len) {
            if (any_unit)
                return DUR_MALFORMED; /* "1h30" */
            /* a bare number: seconds */
            if (fraction)
                return DUR_FRACTION;
            if (overflow || v > max)
                return DUR_OVERFLOW;
            *out = v;
            return DUR_OK;
        }
        int unit;
        int64_t mul;
        if (s[i] == 'h') {
            unit = 3;
            mul = 3600;
            i++;
        } else if (s[i] == 'm' && !(i + 1 < len && s[i + 1] == 's')) {
            unit = 2;
            mul = 60;
            i++;
        } else if (s[i] == 's') {
            unit = 1;
            mul = 1;
            i++;
        } else if ((s[i] == 'm' || s[i] == 'u' || s[i] == 'n') && i + 1 < len && s[i + 1] == 's') {
            /* ms, us, ns: sub-second units */
            i += 2;
            if (v != 0 || fraction)
                fraction = true;
            unit = 0;
            mul = 0;
        } else {
            return DUR_MALFORMED;
        }
        if (unit >= last_unit)
            return DUR_MALFORMED; /* repeated or out of order */
        last_unit = unit;
        any_unit = true;
        if (!overflow) {
            if (v > max / (mul ? mul : 1))
                overflow = true;
            else
                total += v * mul;
            if (total > max)
                overflow = true;
        }
    }
    if (fraction)
        return DUR_FRACTION;
    if (overflow)
        return DUR_OVERFLOW;
    *out = total;
    return DUR_OK;
}

static enum cors_status
apply_list_entry(struct cors_policy_builder *b, enum cors_field field, struct cors_str s)
{
    switch (field) {
    case CORS_FIELD_ALLOW_ORIGINS:
        return cors_policy_builder_add_origin(b, s);
    case CORS_FIELD_ALLOW_ORIGIN_REGEX:
        return cors_policy_builder_add_origin_regex(b, s);
    case CORS_FIELD_ALLOW_METHODS:
        return cors_policy_builder_add_method(b, s);
    case CORS_FIELD_ALLOW_HEADERS:
        return cors_policy_builder_add_allow_header(b, s);
    case CORS_FIELD_EXPOSE_HEADERS:
        return cors_policy_builder_add_expose_header(b, s);
    default:
        return CORS_E_INVALID_ARGUMENT;
    }
}

static enum cors_status
apply_bool(struct cors_policy_builder *b, enum cors_field field, bool v)
{
    switch (field) {
    case CORS_FIELD_ALLOW_CREDENTIALS:
        return cors_policy_builder_set_allow_credentials(b, v);
    case CORS_FIELD_ALLOW_PRIVATE_NETWORK:
        return cors_policy_builder_set_allow_private_network(b, v);
    case CORS_FIELD_FORWARD_REJECTED_PREFLIGHTS:
        return cors_policy_builder_set_forward_rejected_preflights(b, v);
    case CORS_FIELD_REPORT_ONLY:
        return cors_policy_builder_set_report_only(b, v);
    case CORS_FIELD_FORWARD_ALLOWED_PREFLIGHTS:
        return cors_policy_builder_set_forward_allowed_preflights(b, v);
    case CORS_FIELD_TIMING_ALLOW_ORIGIN:
        return cors_policy_builder_set_timing_allow_origin(b, v);
    default:
        return CORS_E_INVALID_ARGUMENT;
    }
}

static void
note_status(struct loader *ld, enum cors_status st)
{
    if (st == CORS_E_NOMEM)
        ld->fail = CORS_E_NOMEM;
}

static void
set_pos(struct cors_policy_builder *b, const struct node *n)
{
    (void)cors_policy_builder_set_position(b, n->line, n->column);
}

static void
walk_value(struct loader *ld, const struct key_spec *spec, const struct node *v,
           struct cors_policy_builder *b)
{
    char q[QUOTE_BUF];
    enum cors_field field = spec->field;

    if (is_null(v))
        return; /* null: as if absent */

    switch (spec->kind) {
    case V_SOURCE:
        if (!is_string(v)) {
            corsp_report(ld->r, CORS_DIAG_TEXT_WRONG_TYPE, field, SIZE_MAX, v->line, v->column, 0,
                         "%s must be a string, not %s", spec->name, node_type_name(v));
            return;
        }
        if (b != NULL)
            note_status(ld, cors_policy_builder_set_source(b, (struct cors_str){ v->value, v->len }));
        return;
    case V_LIST: {
        if (v->kind != NODE_SEQUENCE) {
            corsp_report(ld->r, CORS_DIAG_TEXT_WRONG_TYPE, field, SIZE_MAX, v->line, v->column, 0,
                         "%s must be a list of strings, not %s%s", spec->name, node_type_name(v),
                         v->kind == NODE_SCALAR ? " (write one entry as a list: [\"...\"])" : "");
            return;
        }
        size_t i = 0;
        for (const struct node *e = v->first; e != NULL; e = e->next, i++) {
            if (!is_string(e)) {
                corsp_report(ld->r, CORS_DIAG_TEXT_WRONG_TYPE, field, i, e->line, e->column, 0,
                             "%s entry %zu must be a string, not %s%s", spec->name, i,
                             node_type_name(e),
                             (e->kind == NODE_SCALAR && !is_null(e)) ? " (quote it)" : "");
                continue;
            }
            if (b != NULL) {
                set_pos(b, e);
                note_status(ld, apply_list_entry(b, field, (struct cors_str){ e->value, e->len }));
            }
        }
        return;
    }
    case V_BOOL: {
        int bv = v->kind == NODE_SCALAR ? scalar_bool(v) : -1;
        if (bv < 0) {
            if (v->kind == NODE_SCALAR && is_string(v))
                corsp_report(ld->r, CORS_DIAG_TEXT_WRONG_TYPE, field, SIZE_MAX, v->line, v->column,
                             0, "%s must be true or false, not the string '%s'", spec->name,
                             quote(q, sizeof(q), v->value, v->len));
            else
                corsp_report(ld->r, CORS_DIAG_TEXT_WRONG_TYPE, field, SIZE_MAX, v->line, v->column,
                             0, "%s must be true or false, not %s", spec->name, node_type_name(v));
            return;
        }
        if (b != NULL) {
            set_pos(b, v);
            note_status(ld, apply_bool(b, field, bv == 1));
        }
        return;
    }
    case V_STATUS: {
        int64_t iv = 0;
        int r = (v->kind == NODE_SCALAR && v->plain) ? parse_integer(v->value, v->len, &iv) : 0;
        if (r == 0) {
            corsp_report(ld->r, CORS_DIAG_TEXT_WRONG_TYPE, field, SIZE_MAX, v->line, v->column, 0,
                         "%s must be an HTTP status number such as %s, not %s", spec->name,
                         field == CORS_FIELD_PREFLIGHT_STATUS ? "200 or 204" : "403, 200 or 204",
                         node_type_name(v));
            return;
        }
        if (r == 2 || iv < INT_MIN || iv > INT_MAX) {
            corsp_report(ld->r, CORS_DIAG_STATUS_INVALID, field, SIZE_MAX, v->line, v->column, 0,
                         "%s %s is not an HTTP status", spec->name,
                         quote(q, sizeof(q), v->value, v->len));
            return;
        }
        if (b != NULL) {
            set_pos(b, v);
            if (field == CORS_FIELD_PREFLIGHT_STATUS)
                note_status(ld, cors_policy_builder_set_preflight_status(b, (int)iv));
            else
                note_status(ld, cors_policy_builder_set_reject_status(b, (int)iv));
        }
        return;
    }
    case V_PERCENT: {
        int64_t iv = 0;
        int r = (v->kind == NODE_SCALAR && v->plain) ? parse_integer(v->value, v->len, &iv) : 0;
        if (r == 0) {
            corsp_report(ld->r, CORS_DIAG_TEXT_WRONG_TYPE, field, SIZE_MAX, v->line, v->column, 0,
                         "%s must be a whole number from 0 to 100, not %s", spec->name,
                         node_type_name(v));
            return;
        }
        if (r == 2 || iv < 0 || iv > 100) {
            corsp_report(ld->r, CORS_DIAG_PERCENT_OUT_OF_RANGE, field, SIZE_MAX, v->line, v->column,
                         0, "%s %s is outside 0..100", spec->name,
                         quote(q, sizeof(q), v->value, v->len));
            return;
        }
        if (b != NULL) {
            set_pos(b, v);
            note_status(ld, cors_policy_builder_set_enforce_percent(b, (int)iv));
        }
        return;
    }
    case V_DURATION: {
        int64_t secs = 0;
        enum duration_result r;
        if (v->kind != NODE_SCALAR || scalar_bool(v) >= 0) {
            corsp_report(ld->r, CORS_DIAG_TEXT_WRONG_TYPE, field, SIZE_MAX, v->line, v->column, 0,
                         "maxAge must be whole seconds or a duration such as \"90s\", \"10m\" or "
                         "\"1h30m\", not %s",
                         node_type_name(v));
            return;
        }
        /* plain integers may carry a '+' sign in YAML */
        if (v->plain && v->len > 1 && v->value[0] == '+')
            r = parse_duration(v->value + 1, v->len - 1, &secs);
        else
            r = parse_duration(v->value, v->len, &secs);
        switch (r) {
        case DUR_OK:
            if (b != NULL) {
                set_pos(b, v);
                note_status(ld, cors_policy_builder_set_max_age(b, secs));
            }
            return;
        case DUR_MALFORMED:
            corsp_report(
                ld->r, CORS_DIAG_TEXT_WRONG_TYPE, field, SIZE_MAX, v->line, v->column, 0,
                "maxAge '%s' is not whole seconds or a duration such as \"90s\", \"10m\" or "
                "\"1h30m\" (units h, m, s in that order)",
                quote(q, sizeof(q), v->value, v->len));
            return;
        case DUR_FRACTION:
            corsp_report(ld->r, CORS_DIAG_TEXT_WRONG_TYPE, field, SIZE_MAX, v->line, v->column, 0,
                         "maxAge '%s' is not a whole number of seconds",
                         quote(q, sizeof(q), v->value, v->len));
            return;
        case DUR_NEGATIVE:
            corsp_report(ld->r, CORS_DIAG_MAX_AGE_OUT_OF_RANGE, field, SIZE_MAX, v->line, v->column,
                         0, "maxAge '%s' is negative; it must be 0..2147483647 seconds",
                         quote(q, sizeof(q), v->value, v->len));
            return;
        case DUR_OVERFLOW:
            corsp_report(ld->r, CORS_DIAG_MAX_AGE_OUT_OF_RANGE, field, SIZE_MAX, v->line, v->column,
                         0, "maxAge '%s' is more than 2147483647 seconds (about 68 years)",
                         quote(q, sizeof(q), v->value, v->len));
            return;
        }
        return;
    }
    }
}

/*
 * Checks (and, with b, applies) one CORS mapping. Every key is known, given
 * once and of the right type; unknown keys are errors.
 */
static void check_gateway_api(struct loader *ld, const struct key_spec *spec,
                              const struct node *k, const struct node *v);

static void
walk_cors(struct loader *ld, const struct candidate *c, struct cors_policy_builder *b)
{
    const struct node *m = c->cors;
    char q[QUOTE_BUF];

    if (m == NULL || m->kind != NODE_MAPPING) {
        const struct node *at = m ? m : c->where;
        corsp_report(ld->r, CORS_DIAG_TEXT_WRONG_TYPE, CORS_FIELD_NONE, SIZE_MAX, at ? at->line : 0,
                     at ? at->column : 0, 0,
                     "the CORS policy must be a mapping (allowOrigins, allowMethods, ...), not %s",
                     node_type_name(m));
        return;
    }

    const struct node *seen[N_CORS_KEYS] = { 0 };
    for (const struct node *k = m->first; k != NULL && k->next != NULL; k = k->next->next) {
        const struct node *v = k->next;
        if (k->kind != NODE_SCALAR) {
            corsp_report(ld->r, CORS_DIAG_TEXT_WRONG_TYPE, CORS_FIELD_NONE, SIZE_MAX, k->line,
                         k->column, 0, "a key of the CORS policy must be a string, not %s",
                         node_type_name(k));
            continue;
        }
        const struct key_spec *spec = NULL;
        size_t idx = 0;
        for (; idx < N_CORS_KEYS; idx++) {
            if (scalar_is(k, cors_keys[idx].name)) {
                spec = &cors_keys[idx];
                break;
            }
        }
        if (spec == NULL) {
            const char *hint = suggest_key(k->value, k->len);
            if (hint != NULL)
                corsp_report(ld->r, CORS_DIAG_TEXT_UNKNOWN_KEY, CORS_FIELD_NONE, SIZE_MAX, k->line,
                             k->column, 0,
                             "unknown key '%s' in the CORS policy (did you mean '%s'?)",
                             quote(q, sizeof(q), k->value, k->len), hint);
            else
                corsp_report(
                    ld->r, CORS_DIAG_TEXT_UNKNOWN_KEY, CORS_FIELD_NONE, SIZE_MAX, k->line,
                    k->column, 0,
                    "unknown key '%s' in the CORS policy (known keys: allowOrigins, "
                    "allowOriginRegex, allowMethods, allowHeaders, exposeHeaders, maxAge, "
                    "allowCredentials, allowPrivateNetwork, preflightStatus, rejectStatus, "
                    "forwardRejectedPreflights, forwardAllowedPreflights, reportOnly, "
                    "timingAllowOrigin, enforcePercent, policySource)",
                    quote(q, sizeof(q), k->value, k->len));
            continue;
        }
        if (seen[idx] != NULL) {
            corsp_report(ld->r, CORS_DIAG_TEXT_DUPLICATE_KEY, spec->field, SIZE_MAX, k->line,
                         k->column, 0,
                         "key '%s' given twice in the CORS policy (first at line %u, column %u)",
                         spec->name, (unsigned)seen[idx]->line, (unsigned)seen[idx]->column);
            continue;
        }
        seen[idx] = k;
        walk_value(ld, spec, v, b);
        /* a Kubernetes document: also what the cluster would refuse or drop
         * (once, in the check pass) */
        if (b == NULL && c->gateway_defaults)
            check_gateway_api(ld, spec, k, v);
    }

    if (b != NULL && c->gateway_defaults) {
        size_t mi = 0;
        while (cors_keys[mi].field != CORS_FIELD_MAX_AGE)
            mi++;
        if (seen[mi] == NULL || is_null(seen[mi]->next)) {
            set_pos(b, m);
            note_status(ld, cors_policy_builder_set_max_age(b, GATEWAY_API_DEFAULT_MAX_AGE));
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Gateway API fidelity: what a cluster would do with a Kubernetes document  */
/* ------------------------------------------------------------------------ */

/*
 * The HTTPCORSFilter CRD (gateway-api apis/v1/httproute_types.go and
 * shared_types.go) allows at most 64 origins matching its CORSOrigin pattern,
 * 9 methods from its HTTPMethodWithWildcard enum, 64 allow and 64 expose
 * headers, and an int32 maxAge of at least 1. A key outside its schema (a
 * libcors extension) is refused by the API server's strict field validation
 * or pruned. libcors accepts all of these in a bare policy; in a Kubernetes
 * document each gets a warning of its own, an error under strict mode.
 */
#define GATEWAY_API_MAX_ORIGINS 64
#define GATEWAY_API_MAX_METHODS 9
#define GATEWAY_API_MAX_HEADERS 64

static bool
gateway_api_key(enum cors_field field)
{
    switch (field) {
    case CORS_FIELD_ALLOW_ORIGINS:
    case CORS_FIELD_ALLOW_METHODS:
    case CORS_FIELD_ALLOW_HEADERS:
    case CORS_FIELD_EXPOSE_HEADERS:
    case CORS_FIELD_MAX_AGE:
    case CORS_FIELD_ALLOW_CREDENTIALS:
        return true;
    default:
        return false;
    }
}

static bool
is_alnum_hyphen(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* The CRD's CORSOrigin pattern: "*" alone, or http(s)://host[:port] with a
 * host of letters, digits and hyphens in dot-separated labels, optionally
 * behind one leading "*.", or the host "*"; a port of 1 to 5 digits. */
static bool
gateway_api_origin(const char *s, size_t n)
{
    if (n == 1 && s[0] == '*')
        return true;
    size_t i;
    if (n >= 7 && memcmp(s, "http://", 7) == 0)
        i = 7;
    else if (n >= 8 && memcmp(s, "https://", 8) == 0)
        i = 8;
    else
        return false;
    if (i < n && s[i] == '*' && (i + 1 == n || s[i + 1] == ':')) {
        i++; /* the host "*" */
    } else {
        if (i + 1 < n && s[i] == '*' && s[i + 1] == '.')
            i += 2;
        for (;;) { /* labels */
            size_t start = i;
            while (i < n && is_alnum_hyphen(s[i]))
                i++;
            if (i == start)
                return false;
            if (i < n && s[i] == '.') {
                i++;
                continue;
            }
            break;
        }
    }
    if (i == n)
        return true;
    if (s[i] != ':')
        return false;
    size_t digits = n - i - 1;
    if (digits < 1 || digits > 5)
        return false;
    for (i++; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool
gateway_api_method(const char *s, size_t n)
{
    static const char *const allowed[] = {"GET",     "HEAD",    "POST",  "PUT",   "DELETE",
                                          "CONNECT", "OPTIONS", "TRACE", "PATCH", "*"};
    for (size_t i = 0; i < CORSP_ARRAY_SIZE(allowed); i++)
        if (strlen(allowed[i]) == n && memcmp(allowed[i], s, n) == 0)
            return true;
    return false;
}

static void
gateway_api_list(struct loader *ld, const struct key_spec *spec, const struct node *k,
                 const struct node *v)
{
    char q[QUOTE_BUF];
    size_t limit = spec->field == CORS_FIELD_ALLOW_ORIGINS   ? GATEWAY_API_MAX_ORIGINS
                   : spec->field == CORS_FIELD_ALLOW_METHODS ? GATEWAY_API_MAX_METHODS
                                                             : GATEWAY_API_MAX_HEADERS;
    size_t count = 0;
    for (const struct node *e = v->first; e != NULL; e = e->next, count++) {
        if (!is_string(e))
            continue; /* reported by walk_value */
        if (spec->field == CORS_FIELD_ALLOW_ORIGINS && !gateway_api_origin(e->value, e->len))
            corsp_report(ld->r, CORS_DIAG_GATEWAY_API_ORIGIN_PATTERN, spec->field, count, e->line,
                         e->column, 0,
                         "'%s': the HTTPCORSFilter CRD accepts only '*' or "
                         "http(s)://host[:port] with an optional leading '*.' (no port "
                         "wildcard, null, IPv6 or other schemes): the API server refuses it",
                         quote(q, sizeof(q), e->value, e->len));
        if (spec->field == CORS_FIELD_ALLOW_METHODS && !gateway_api_method(e->value, e->len))
            corsp_report(ld->r, CORS_DIAG_GATEWAY_API_METHOD_NOT_IN_ENUM, spec->field, count,
                         e->line, e->column, 0,
                         "'%s' is not in the HTTPCORSFilter CRD's method enum (GET, HEAD, POST, "
                         "PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH, *): the API server "
                         "refuses it",
                         quote(q, sizeof(q), e->value, e->len));
    }
    if (count > limit)
        corsp_report(ld->r, CORS_DIAG_GATEWAY_API_TOO_MANY_ENTRIES, spec->field, SIZE_MAX,
                     k->line, k->column, 0,
                     "%s has %zu entries; the HTTPCORSFilter CRD allows at most %zu: the API "
                     "server refuses the document",
                     spec->name, count, limit);
}

/* One key of a Kubernetes document's CORS mapping, as the cluster sees it. */
static void
check_gateway_api(struct loader *ld, const struct key_spec *spec, const struct node *k,
                  const struct node *v)
{
    if (is_null(v))
        return;
    if (!gateway_api_key(spec->field)) {
        corsp_report(ld->r, CORS_DIAG_GATEWAY_API_EXTENSION_KEY, spec->field, SIZE_MAX, k->line,
                     k->column, 0,
                     "'%s' is a libcors extension, not a field of the Gateway API's "
                     "HTTPCORSFilter: the API server refuses the document (strict field "
                     "validation) or drops the key, so a cluster would not apply it",
                     spec->name);
        return;
    }
    if (v->kind == NODE_SEQUENCE && spec->kind == V_LIST) {
        gateway_api_list(ld, spec, k, v);
        return;
    }
    if (spec->field == CORS_FIELD_MAX_AGE && v->kind == NODE_SCALAR) {
        int64_t secs = 0;
        int r = v->plain ? parse_integer(v->value, v->len, &secs) : 0;
        if (r != 1)
            corsp_report(ld->r, CORS_DIAG_GATEWAY_API_MAX_AGE, spec->field, SIZE_MAX, v->line,
                         v->column, 0,
                         "maxAge is an int32 number of seconds in the HTTPCORSFilter CRD: the "
                         "API server refuses a duration or a string; write %s",
                         "the seconds as a plain number");
        else if (secs < 1)
            corsp_report(ld->r, CORS_DIAG_GATEWAY_API_MAX_AGE, spec->field, SIZE_MAX, v->line,
                         v->column, 0,
                         "maxAge %" PRId64 " is below the HTTPCORSFilter CRD's minimum of 1: "
                         "the API server refuses it (there, no caching cannot be expressed)",
                         secs);
    }
}

/* ------------------------------------------------------------------------ */
/* Documents                                                                */
/* ------------------------------------------------------------------------ */

static void
add_candidate(struct loader *ld, enum level level, const struct node *cors,
              const struct node *where, bool gateway_defaults, const char *source)
{
    struct candidate *c = corsp_pool_alloc(&ld->pool, sizeof(*c));
    if (c == NULL) {
        ld->fail = CORS_E_NOMEM;
        return;
    }
    c->level = level;
    c->cors = cors;
    c->where = where;
    c->gateway_defaults = gateway_defaults;
    snprintf(c->source, sizeof(c->source), "%s", source);
    if (ld->cands_tail)
        ld->cands_tail->next = c;
    else
        ld->cands = c;
    ld->cands_tail = c;
}

/* "Kind namespace/name (document N)" from metadata, sanitised. */
static void
k8s_source(struct loader *ld, char *out, size_t size, const char *kind,
           const struct node *root, unsigned docno)
{
    const struct node *meta = lookup(ld, root, "metadata", NULL);
    const struct node *name = lookup(ld, meta, "name", NULL);
    const struct node *ns = lookup(ld, meta, "namespace", NULL);
    char qn[QUOTE_BUF], qs[QUOTE_BUF];
    bool has_name = name != NULL && is_string(name);
    bool has_ns = ns != NULL && is_string(ns);
    if (has_name && has_ns)
        snprintf(out, size, "%s %s/%s (document %u)", kind, quote(qs, sizeof(qs), ns->value, ns->len),
                 quote(qn, sizeof(qn), name->value, name->len), docno);
    else if (has_name)
        snprintf(out, size, "%s %s (document %u)", kind,
                 quote(qn, sizeof(qn), name->value, name->len), docno);
    else
        snprintf(out, size, "%s (document %u)", kind, docno);
}

static void
find_in_httproute(struct loader *ld, const struct node *root, unsigned docno)
{
    const struct node *spec = lookup(ld, root, "spec", NULL);
    const struct node *rules = lookup(ld, spec, "rules", NULL);
    if (rules == NULL || rules->kind != NODE_SEQUENCE)
        return;
    char source[200];
    bool have_source = false;
    for (const struct node *rule = rules->first; rule != NULL; rule = rule->next) {
        const struct node *filters = lookup(ld, rule, "filters", NULL);
        if (filters == NULL || filters->kind != NODE_SEQUENCE)
            continue;
        for (const struct node *f = filters->first; f != NULL; f = f->next) {
            const struct node *type = lookup(ld, f, "type", NULL);
            if (type == NULL || type->kind != NODE_SCALAR || !scalar_is(type, "CORS"))
                continue;
            const struct node *key = NULL;
            const struct node *cors = lookup(ld, f, "cors", &key);
            if (!have_source) {
                k8s_source(ld, source, sizeof(source), "HTTPRoute", root, docno);
                have_source = true;
            }
            add_candidate(ld, LEVEL_ROUTE, cors, key ? key : type, true, source);
        }
    }
}

static void
find_in_agentgatewaypolicy(struct loader *ld, const struct node *root, unsigned docno)
{
    const struct node *spec = lookup(ld, root, "spec", NULL);
    const struct node *traffic = lookup(ld, spec, "traffic", NULL);
    const struct node *key = NULL;
    const struct node *cors = lookup(ld, traffic, "cors", &key);
    if (key == NULL)
        return;
    char source[200];
    k8s_source(ld, source, sizeof(source), "AgentgatewayPolicy", root, docno);
    add_candidate(ld, LEVEL_POLICY, cors, key, true, source);
}

static void
find_candidates(struct loader *ld, const struct document *doc)
{
    const struct node *root = doc->root;
    char source[64];
    if (root == NULL || is_null(root))
        return; /* empty document: nothing to do */
    if (root->kind != NODE_MAPPING) {
        corsp_report(
            ld->r, CORS_DIAG_TEXT_WRONG_TYPE, CORS_FIELD_NONE, SIZE_MAX, root->line, root->column,
            0,
            "document %u is %s; expected a mapping (a CORS policy, a 'cors:' mapping, or a "
            "Kubernetes HTTPRoute / AgentgatewayPolicy)",
            doc->index, node_type_name(root));
        return;
    }
    const struct node *kind = lookup(ld, root, "kind", NULL);
    if (kind != NULL) {
        if (kind->kind != NODE_SCALAR)
            return; /* not a document we know */
        if (scalar_is(kind, "HTTPRoute"))
            find_in_httproute(ld, root, doc->index);
        else if (scalar_is(kind, "AgentgatewayPolicy"))
            find_in_agentgatewaypolicy(ld, root, doc->index);
        /* other kinds are ignored */
        return;
    }
    snprintf(source, sizeof(source), "HTTPCORSFilter (document %u)", doc->index);
    const struct node *cors_key = NULL;
    const struct node *cors = lookup(ld, root, "cors", &cors_key);
    if (cors_key == NULL) {
        add_candidate(ld, LEVEL_PLAIN, root, root, false, source);
        return;
    }
    /* a "cors:" wrapper: besides cors only "type: CORS" (a filter entry) */
    char q[QUOTE_BUF];
    for (const struct node *k = root->first; k != NULL && k->next != NULL; k = k->next->next) {
        if (key_is(k, "cors"))
            continue;
        if (key_is(k, "type")) {
            const struct node *t = k->next;
            if (t->kind != NODE_SCALAR || !scalar_is(t, "CORS"))
                corsp_report(ld->r, CORS_DIAG_TEXT_WRONG_TYPE, CORS_FIELD_NONE, SIZE_MAX, t->line,
                             t->column, 0, "'type' next to 'cors' must be CORS");
            continue;
        }
        if (k->kind == NODE_SCALAR)
            corsp_report(ld->r, CORS_DIAG_TEXT_UNKNOWN_KEY, CORS_FIELD_NONE, SIZE_MAX, k->line,
                         k->column, 0,
                         "unknown key '%s' next to 'cors' (a 'cors:' mapping holds only the CORS "
                         "policy, optionally with 'type: CORS')",
                         quote(q, sizeof(q), k->value, k->len));
        else
            corsp_report(ld->r, CORS_DIAG_TEXT_WRONG_TYPE, CORS_FIELD_NONE, SIZE_MAX, k->line,
                         k->column, 0, "a key must be a string, not %s", node_type_name(k));
    }
    add_candidate(ld, LEVEL_PLAIN, cors, cors_key, false, source);
}

static const char *
level_name(enum level l)
{
    switch (l) {
    case LEVEL_ROUTE:
        return "route-level CORS filter";
    case LEVEL_POLICY:
        return "policy-level CORS";
    case LEVEL_PLAIN:
        break;
    }
    return "CORS policy";
}

static bool
conflicts(enum level a, enum level b)
{
    return a == b || a == LEVEL_PLAIN || b == LEVEL_PLAIN;
}

/*
 * Chooses the winner: the first route-level filter, else the policy level,
 * else the plain one. Reports conflicts and the both-levels warning.
 */
static const struct candidate *
choose(struct loader *ld)
{
    const struct candidate *route = NULL, *policy = NULL, *plain = NULL;
    for (const struct candidate *c = ld->cands; c != NULL; c = c->next) {
        const struct candidate *earlier = NULL;
        for (const struct candidate *e = ld->cands; e != c; e = e->next) {
            if (conflicts(e->level, c->level)) {
                earlier = e;
                break;
            }
        }
        if (earlier != NULL) {
            const struct node *at = c->where;
            corsp_report(ld->r, CORS_DIAG_TEXT_DUPLICATE_KEY, CORS_FIELD_NONE, SIZE_MAX,
                         at ? at->line : 0, at ? at->column : 0, 0,
                         "a second %s (%s): the text already has one (%s); a text holds one CORS "
                         "policy",
                         level_name(c->level), c->source, earlier->source);
            continue;
        }
        if (c->level == LEVEL_ROUTE)
            route = c;
        else if (c->level == LEVEL_POLICY)
            policy = c;
        else
            plain = c;
    }
    if (route != NULL && policy != NULL) {
        const struct node *at = policy->where;
        corsp_report(
            ld->r, CORS_DIAG_TEXT_BOTH_LEVELS, CORS_FIELD_NONE, SIZE_MAX, at ? at->line : 0,
            at ? at->column : 0, 0,
            "the route-level CORS filter (%s) takes precedence; the policy-level CORS (%s) "
            "is ignored",
            route->source, policy->source);
    }
    if (route != NULL)
        return route;
    if (policy != NULL)
        return policy;
    return plain;
}

enum load_mode {
    LOAD_ATOMIC,  /* builder untouched unless the text has no error */
    LOAD_PARTIAL, /* apply the winner even with errors (to collect builder diagnostics) */
};

static enum cors_status
load_impl(struct cors_policy_builder *b, struct cors_str text, struct cors_diagnostics *diags,
          enum load_mode mode, bool strict, bool *applied)
{
    struct corsp_report report = {.diags = diags, .strict = strict};
    struct loader ld;
    memset(&ld, 0, sizeof(ld));
    ld.r = &report;
    ld.text = text.ptr;
    ld.len = text.len;
    ld.fail = CORS_OK;
    *applied = false;

    if (text.len > TEXT_MAX_BYTES) {
        corsp_report(ld.r, CORS_DIAG_TEXT_TOO_LARGE, CORS_FIELD_NONE, SIZE_MAX, 0, 0, 0,
                     "the text is %zu bytes; the limit is %zu bytes (1 MiB)", text.len,
                     TEXT_MAX_BYTES);
        return failure(&ld) != CORS_OK ? failure(&ld) : CORS_E_INVALID_POLICY;
    }
    if (ld.text == NULL)
        ld.text = "";

    /* the tree lives in a pool of the builder's allocator (libyaml's own
     * parser state uses malloc: libyaml has no allocator hook) */
    corsp_pool_init(&ld.pool, &b->alloc);
    enum cors_status st;
    if (!parse_stream(&ld)) {
        st = failure(&ld) != CORS_OK ? failure(&ld) : CORS_E_INVALID_POLICY;
        corsp_pool_release(&ld.pool);
        return st;
    }

    for (const struct document *d = ld.docs; d != NULL && failure(&ld) == CORS_OK; d = d->next)
        find_candidates(&ld, d);

    const struct candidate *win = NULL;
    if (failure(&ld) == CORS_OK) {
        if (ld.cands == NULL) {
            if (report.errors == 0)
                corsp_report(ld.r, CORS_DIAG_TEXT_NO_POLICY, CORS_FIELD_NONE, SIZE_MAX, 0, 0, 0,
                             "no CORS policy found: expected a CORS mapping (allowOrigins, ...), "
                             "a 'cors:' mapping, an HTTPRoute with a filter of type CORS, or an "
                             "AgentgatewayPolicy with spec.traffic.cors");
        } else {
            win = choose(&ld);
        }
    }

    /* check every candidate's CORS mapping strictly */
    for (const struct candidate *c = ld.cands; c != NULL && failure(&ld) == CORS_OK; c = c->next)
        walk_cors(&ld, c, NULL);

    if (failure(&ld) == CORS_OK && win != NULL && (report.errors == 0 || mode == LOAD_PARTIAL)) {
        /* the apply pass finds what the check pass reported: into a report
         * nobody reads */
        struct corsp_report quiet = {.strict = strict};
        ld.r = &quiet;
        note_status(&ld, cors_policy_builder_set_source(b, cors_str_from_cstr(win->source)));
        walk_cors(&ld, win, b);
        (void)cors_policy_builder_set_position(b, 0, 0);
        *applied = true;
        ld.r = &report;
    }

    if (failure(&ld) != CORS_OK)
        st = failure(&ld);
    else
        st = report.errors ? CORS_E_INVALID_POLICY : CORS_OK;
    corsp_pool_release(&ld.pool);
    return st;
}

#else /* !HAVE_YAML */

static enum cors_status
load_impl(struct cors_policy_builder *b, struct cors_str text, struct cors_diagnostics *diags,
          int mode, bool strict, bool *applied)
{
    (void)b;
    (void)text;
    (void)mode;
    (void)strict;
    *applied = false;
    struct corsp_report report = {.diags = diags};
    corsp_report(&report, CORS_DIAG_TEXT_UNSUPPORTED, CORS_FIELD_NONE, SIZE_MAX, 0, 0, 0,
                 "text policies are not supported: libcors was built without libyaml "
                 "(meson setup -Dyaml=enabled)");
    return report.oom ? CORS_E_NOMEM : CORS_E_UNSUPPORTED;
}

#define LOAD_ATOMIC 0
#define LOAD_PARTIAL 1

#endif /* HAVE_YAML */

CORS_EXPORT enum cors_status
cors_policy_builder_load_text(struct cors_policy_builder *builder, struct cors_str text,
                              unsigned flags, struct cors_diagnostics *diags)
{
    bool applied;
    if (builder == NULL)
        return CORS_E_INVALID_ARGUMENT;
    if (text.ptr == NULL && text.len > 0)
        return corsp_builder_fail(builder, __func__, CORS_E_INVALID_ARGUMENT);
    enum cors_status st = load_impl(builder, text, diags, LOAD_ATOMIC,
                                    (flags & CORS_BUILD_STRICT) != 0, &applied);
    return corsp_builder_fail(builder, __func__, st);
}

CORS_EXPORT struct cors_policy *
cors_policy_new_from_text(struct cors_str text, unsigned flags, const struct cors_allocator *alloc,
                          struct cors_diagnostics *diags, enum cors_status *status_out)
{
    enum cors_status st;
    struct cors_policy *policy = NULL;
    bool applied = false;

    if (text.ptr == NULL && text.len > 0) {
        st = CORS_E_INVALID_ARGUMENT;
        goto out;
    }
    struct cors_policy_builder *b = cors_policy_builder_new(alloc);
    if (b == NULL) {
        st = CORS_E_NOMEM;
        goto out;
    }
    st = load_impl(b, text, diags, LOAD_PARTIAL, (flags & CORS_BUILD_STRICT) != 0, &applied);
    if (st == CORS_OK || (st == CORS_E_INVALID_POLICY && applied)) {
        /* With text errors the build still runs, so that one call reports
         * every problem (the builder's too); its result is then discarded. */
        enum cors_status bst = CORS_OK;
        policy = cors_policy_build(b, flags, diags, &bst);
        if (st != CORS_OK) {
            cors_policy_unref(policy);
            policy = NULL;
        } else if (policy == NULL) {
            st = bst != CORS_OK ? bst : CORS_E_INVALID_POLICY;
        }
    }
    cors_policy_builder_free(b);
out:
    if (status_out != NULL)
        *status_out = st;
    return policy;
}
