/*
 * cors-eval --diff OLD NEW: what NEW admits that OLD refused, and the
 * reverse, per field of the effective policies and as browser verdicts over
 * probe requests derived from both (each configured origin and its
 * neighbours: other scheme, other port, a subdomain, a look-alike suffix; a
 * subdomain and the apex of each wildcard; null; an unlisted origin; each
 * method and allowed header; with and without credentials). Each probe is a
 * whole fetch() through the Fetch oracle (exchange.c).
 *
 * Exit status: 0 NEW admits nothing OLD did not; 1 it does (a field widens
 * or a probe is newly allowed); 2 usage error, unreadable or invalid policy.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include "cors-eval.h"

#include <stdlib.h>
#include <string.h>

#if CORS_EVAL_HAVE_YAML
#include <yaml.h>

#define PROBE_ORIGINS_MAX 256
#define PROBE_NAMES_MAX   64

/* ------------------------------------------------- the effective policies */

struct side {
    const char *path;
    struct cors_policy *policy;
    char *json;
    yaml_document_t doc;
    bool loaded;
};

static yaml_node_t *
field(struct side *s, const char *key)
{
    yaml_node_t *root = yaml_document_get_root_node(&s->doc);
    if (root == NULL || root->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(&s->doc, p->key);
        if (k && k->type == YAML_SCALAR_NODE && strcmp((char *)k->data.scalar.value, key) == 0)
            return yaml_document_get_node(&s->doc, p->value);
    }
    return NULL;
}

static size_t
list_len(yaml_node_t *n)
{
    if (n == NULL || n->type != YAML_SEQUENCE_NODE)
        return 0;
    return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static const char *
list_item(struct side *s, yaml_node_t *n, size_t i)
{
    yaml_node_t *it = yaml_document_get_node(&s->doc, n->data.sequence.items.start[i]);
    return it && it->type == YAML_SCALAR_NODE ? (const char *)it->data.scalar.value : "";
}

static const char *
scalar_text(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : "";
}

static bool
load_side(struct side *s, bool strict)
{
    s->policy = cors_eval_load_policy(s->path, strict);
    if (s->policy == NULL)
        return false;
    size_t need = cors_policy_to_json(s->policy, NULL, 0);
    s->json = malloc(need + 1);
    if (s->json == NULL)
        return false;
    (void)cors_policy_to_json(s->policy, s->json, need + 1);
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return false;
    yaml_parser_set_input_string(&parser, (const unsigned char *)s->json, need);
    s->loaded = yaml_parser_load(&parser, &s->doc) != 0;
    yaml_parser_delete(&parser);
    return s->loaded;
}

static void
free_side(struct side *s)
{
    if (s->loaded)
        yaml_document_delete(&s->doc);
    free(s->json);
    cors_policy_unref(s->policy);
}

/* ------------------------------------------------------------ field diff */

struct out {
    bool json;
    bool widened; /* NEW admits something OLD did not */
    bool first;   /* JSON: no element written yet in the current array/object */
    size_t admitted, refused, probes;
    size_t field_changes;
};

static void
json_str(const char *s)
{
    cors_eval_json_string(stdout, s, strlen(s));
}

static bool
in_list(struct side *s, yaml_node_t *n, const char *v, bool fold)
{
    for (size_t i = 0; i < list_len(n); i++) {
        const char *x = list_item(s, n, i);
        if (fold ? cors_eval_name_eq(cors_str_from_cstr(x), v) : strcmp(x, v) == 0)
            return true;
    }
    return false;
}

/* The entries of list l of side s that list ol of side os lacks: counts them,
 * and prints them when mark is not NULL (JSON strings, or "    mark entry"
 * lines). */
static size_t
only_in(const struct out *o, struct side *s, yaml_node_t *l, struct side *os, yaml_node_t *ol,
        bool fold, const char *mark)
{
    size_t n = 0;
    for (size_t i = 0; i < list_len(l); i++) {
        const char *v = list_item(s, l, i);
        if (in_list(os, ol, v, fold))
            continue;
        if (mark != NULL && o->json) {
            printf("%s", n > 0 ? ", " : "");
            json_str(v);
        } else if (mark != NULL) {
            printf("    %s %s\n", mark, v);
        }
        n++;
    }
    return n;
}

/* Entries of a list field only in one side; additions widen the policy. */
static void
diff_list(struct out *o, struct side *a, struct side *b, const char *key, bool fold)
{
    yaml_node_t *la = field(a, key), *lb = field(b, key);
    size_t added = only_in(o, b, lb, a, la, fold, NULL);
    size_t removed = only_in(o, a, la, b, lb, fold, NULL);
    if (added)
        o->widened = true;
    if (!added && !removed)
        return;
    o->field_changes++;
    if (o->json) {
        printf("%s\n    ", o->first ? "" : ",");
        o->first = false;
        json_str(key);
        printf(": {\"added\": [");
        only_in(o, b, lb, a, la, fold, "+");
        printf("], \"removed\": [");
        only_in(o, a, la, b, lb, fold, "-");
        printf("]}");
        return;
    }
    printf("  %s:\n", key);
    only_in(o, b, lb, a, la, fold, "+");
    only_in(o, a, la, b, lb, fold, "-");
}

/* A scalar field; widens when NEW is "true" and OLD is not, or (numeric
 * widen_up) when NEW is larger. */
static void
diff_scalar(struct out *o, struct side *a, struct side *b, const char *key, bool widen_true,
            bool widen_up)
{
    const char *va = scalar_text(field(a, key)), *vb = scalar_text(field(b, key));
    if (strcmp(va, vb) == 0)
        return;
    bool widens = (widen_true && strcmp(vb, "true") == 0);
    if (widen_up) {
        /* maxAge: null is the Fetch default of 5 seconds */
        long long na = strcmp(va, "null") == 0 ? CORS_FETCH_MAX_AGE_DEFAULT : atoll(va);
        long long nb = strcmp(vb, "null") == 0 ? CORS_FETCH_MAX_AGE_DEFAULT : atoll(vb);
        widens = nb > na;
    }
    if (widens)
        o->widened = true;
    o->field_changes++;
    if (o->json) {
        printf("%s\n    ", o->first ? "" : ",");
        o->first = false;
        json_str(key);
        printf(": {\"old\": %s, \"new\": %s, \"widens\": %s}", va, vb, widens ? "true" : "false");
        return;
    }
    printf("  %s: %s -> %s%s\n", key, va, vb, widens ? "  (widens)" : "");
}

/* ---------------------------------------------------------------- probes */

struct names {
    char *v[PROBE_ORIGINS_MAX];
    size_t n;
    bool capped;
};

static void
add_name(struct names *s, const char *v, bool fold)
{
    for (size_t i = 0; i < s->n; i++)
        if (fold ? cors_eval_name_eq(cors_str_from_cstr(s->v[i]), v) : strcmp(s->v[i], v) == 0)
            return;
    if (s->n == PROBE_ORIGINS_MAX) {
        s->capped = true;
        return;
    }
    char *c = strdup(v);
    if (c != NULL)
        s->v[s->n++] = c;
}

static void
free_names(struct names *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
}

/* Probe origins around one configured origin pattern. */
static void
origin_probes(struct names *s, const char *e)
{
    char buf[CORS_ORIGIN_MAX + 64];
    if (strcmp(e, "*") == 0) {
        add_name(s, "https://any-origin.example", false);
        return;
    }
    if (strcmp(e, "null") == 0) {
        add_name(s, "null", false);
        return;
    }
    const char *sep = strstr(e, "://");
    if (sep == NULL || strlen(e) > CORS_ORIGIN_MAX)
        return;
    int sl = (int)(sep - e);
    const char *host = sep + 3;
    const char *colon = strrchr(host, ':');
    if (colon != NULL && strchr(colon, ']') != NULL)
        colon = NULL; /* inside an IPv6 literal */
    int hl = colon ? (int)(colon - host) : (int)strlen(host);
    const char *port = colon ? colon : "";
    bool port_any = strcmp(port, ":*") == 0;
    const char *probe_port = port_any ? ":8081" : port;
    const char *other_scheme = strncmp(e, "https", (size_t)sl) == 0 && sl == 5 ? "http" : "https";
    if (hl == 1 && host[0] == '*') { /* any host of the scheme */
        snprintf(buf, sizeof buf, "%.*s://probe.example%s", sl, e, probe_port);
        add_name(s, buf, false);
        snprintf(buf, sizeof buf, "%s://probe.example%s", other_scheme, probe_port);
        add_name(s, buf, false);
        return;
    }
    if (hl > 2 && host[0] == '*' && host[1] == '.') { /* subdomain wildcard */
        const char *suffix = host + 2;
        int xl = hl - 2;
        snprintf(buf, sizeof buf, "%.*s://probe.%.*s%s", sl, e, xl, suffix, probe_port);
        add_name(s, buf, false);
        snprintf(buf, sizeof buf, "%.*s://a.b.%.*s%s", sl, e, xl, suffix, probe_port);
        add_name(s, buf, false);
        snprintf(buf, sizeof buf, "%.*s://%.*s%s", sl, e, xl, suffix, probe_port); /* apex */
        add_name(s, buf, false);
        snprintf(buf, sizeof buf, "%.*s://%.*s.evil.example%s", sl, e, xl, suffix, probe_port);
        add_name(s, buf, false);
        snprintf(buf, sizeof buf, "%s://probe.%.*s%s", other_scheme, xl, suffix, probe_port);
        add_name(s, buf, false);
        return;
    }
    /* an exact origin (or a port wildcard of one host) */
    snprintf(buf, sizeof buf, "%.*s://%.*s%s", sl, e, hl, host, probe_port);
    add_name(s, buf, false);
    snprintf(buf, sizeof buf, "%s://%.*s%s", other_scheme, hl, host, probe_port);
    add_name(s, buf, false);
    snprintf(buf, sizeof buf, "%.*s://%.*s%s", sl, e, hl, host, *port ? "" : ":8443");
    add_name(s, buf, false);
    snprintf(buf, sizeof buf, "%.*s://probe.%.*s%s", sl, e, hl, host, probe_port);
    add_name(s, buf, false);
    snprintf(buf, sizeof buf, "%.*s://%.*s.evil.example%s", sl, e, hl, host, probe_port);
    add_name(s, buf, false);
}

struct probe {
    const char *origin;
    const char *method;
    const char *header; /* NULL: none */
    enum cors_fetch_credentials credentials;
};

static void
describe(const struct probe *p, char *buf, size_t size)
{
    snprintf(buf, size, "%s %s%s%s%s", p->method, p->origin, p->header ? " with " : "",
             p->header ? p->header : "",
             p->credentials == CORS_FETCH_CREDENTIALS_INCLUDE ? " (credentials)" : "");
}

/* Counts a changed verdict (gained: NEW admits what OLD refused) and, in
 * JSON, opens its object with the change, the method and the origin. */
static void
change_begin(struct out *o, const struct probe *p, bool gained, const char *change)
{
    if (gained) {
        o->admitted++;
        o->widened = true;
    } else {
        o->refused++;
    }
    if (!o->json)
        return;
    printf("%s\n    {\"change\": \"%s\", \"method\": ", o->first ? "" : ",", change);
    o->first = false;
    json_str(p->method);
    printf(", \"origin\": ");
    json_str(p->origin);
}

/* Runs one probe against both policies and reports a changed verdict. */
static bool
run_probe(struct out *o, struct side *a, struct side *b, const struct probe *p,
          struct names *expose, struct cors_eval_exchange *xa, struct cors_eval_exchange *xb)
{
    struct cors_fetch_header h[1];
    struct cors_fetch_request fr = {.origin = cors_str_from_cstr(p->origin),
                                    .method = cors_str_from_cstr(p->method),
                                    .headers = h,
                                    .header_count = 0,
                                    .credentials = p->credentials};
    if (p->header != NULL) {
        bool ct = cors_eval_name_eq(cors_str_from_cstr(p->header), "content-type");
        h[0] = (struct cors_fetch_header){cors_str_from_cstr(p->header),
                                          ct ? CORS_STR("application/json") : CORS_STR("x")};
        fr.header_count = 1;
    }
    /* the handler answers with every exposed name of both policies */
    struct cors_fetch_header extra[PROBE_NAMES_MAX];
    size_t nextra = 0;
    for (size_t i = 0; i < expose->n && nextra < PROBE_NAMES_MAX; i++)
        extra[nextra++] =
            (struct cors_fetch_header){cors_str_from_cstr(expose->v[i]), CORS_STR("1")};
    if (cors_eval_exchange(a->policy, &fr, 200, extra, nextra, xa) != CORS_OK ||
        cors_eval_exchange(b->policy, &fr, 200, extra, nextra, xb) != CORS_OK)
        return false;
    if (xa->plan.forbidden_header_count > 0)
        return true; /* the browser drops the header: the same as the plain probe */
    o->probes++;
    char what[CORS_ORIGIN_MAX + 256];
    describe(p, what, sizeof what);
    if (xa->ok != xb->ok) {
        change_begin(o, p, xb->ok, xb->ok ? "admitted" : "refused");
        if (o->json) {
            printf(", \"header\": ");
            if (p->header)
                json_str(p->header);
            else
                printf("null");
            printf(", \"credentials\": %s, \"old\": \"%s\", \"new\": \"%s\"}",
                   p->credentials == CORS_FETCH_CREDENTIALS_INCLUDE ? "true" : "false",
                   cors_fetch_reason_name(xa->reason), cors_fetch_reason_name(xb->reason));
        } else {
            printf("  %c %s: %s -> %s\n", xb->ok ? '+' : '-', what,
                   xa->ok ? "allowed" : cors_fetch_reason_name(xa->reason),
                   xb->ok ? "allowed" : cors_fetch_reason_name(xb->reason));
        }
        return true;
    }
    if (!xa->ok || p->header != NULL || strcmp(p->method, "GET") != 0)
        return true;
    /* both allowed (a plain GET): the response headers the script can read */
    for (size_t i = 0; i < nextra; i++) {
        bool ra = cors_fetch_header_readable(&fr, &xa->aresp, extra[i].name);
        bool rb = cors_fetch_header_readable(&fr, &xb->aresp, extra[i].name);
        if (ra == rb)
            continue;
        change_begin(o, p, rb, rb ? "reads" : "no-longer-reads");
        if (o->json) {
            printf(", \"responseHeader\": ");
            json_str(expose->v[i]);
            printf(", \"credentials\": %s}",
                   p->credentials == CORS_FETCH_CREDENTIALS_INCLUDE ? "true" : "false");
        } else {
            printf("  %c %s: the script %s %s\n", rb ? '+' : '-', what,
                   rb ? "can now read" : "can no longer read", expose->v[i]);
        }
    }
    return true;
}

static bool
run_probes(struct out *o, struct side *a, struct side *b)
{
    struct names origins = {0}, methods = {0}, headers = {0}, expose = {0};
    struct side *sides[2] = {a, b};
    /* the origins only one side lists first, so that the cap never hides them */
    for (int pass = 0; pass < 2; pass++) {
        for (int k = 0; k < 2; k++) {
            yaml_node_t *n = field(sides[k], "allowOrigins");
            yaml_node_t *other = field(sides[1 - k], "allowOrigins");
            for (size_t i = 0; i < list_len(n); i++)
                if (pass == 1 || !in_list(sides[1 - k], other, list_item(sides[k], n, i), false))
                    origin_probes(&origins, list_item(sides[k], n, i));
        }
    }
    for (int k = 0; k < 2; k++) {
        yaml_node_t *n = field(sides[k], "allowMethods");
        for (size_t i = 0; i < list_len(n); i++)
            if (strcmp(list_item(sides[k], n, i), "*") != 0)
                add_name(&methods, list_item(sides[k], n, i), false);
        n = field(sides[k], "allowHeaders");
        for (size_t i = 0; i < list_len(n); i++)
            if (strcmp(list_item(sides[k], n, i), "*") != 0)
                add_name(&headers, list_item(sides[k], n, i), true);
        n = field(sides[k], "exposeHeaders");
        for (size_t i = 0; i < list_len(n); i++)
            if (strcmp(list_item(sides[k], n, i), "*") != 0)
                add_name(&expose, list_item(sides[k], n, i), true);
    }
    add_name(&origins, "null", false);
    add_name(&origins, "https://unlisted.example", false);
    static const char *const std_methods[] = {"GET", "POST", "PUT", "DELETE", "PATCH"};
    for (size_t i = 0; i < sizeof std_methods / sizeof std_methods[0]; i++)
        add_name(&methods, std_methods[i], false);
    add_name(&headers, "x-probe", true);
    add_name(&headers, "authorization", true);
    add_name(&headers, "content-type", true);
    add_name(&expose, "x-probe-response", true);

    bool ok = true;
    struct cors_eval_exchange *xa = malloc(sizeof *xa), *xb = malloc(sizeof *xb);
    if (xa == NULL || xb == NULL)
        ok = false;
    for (size_t i = 0; ok && i < origins.n; i++) {
        for (int c = 0; ok && c < 2; c++) {
            enum cors_fetch_credentials cred =
                c ? CORS_FETCH_CREDENTIALS_INCLUDE : CORS_FETCH_CREDENTIALS_OMIT;
            for (size_t m = 0; ok && m < methods.n; m++) {
                struct probe p = {origins.v[i], methods.v[m], NULL, cred};
                ok = run_probe(o, a, b, &p, &expose, xa, xb);
            }
            for (size_t h = 0; ok && h < headers.n; h++) {
                struct probe p = {origins.v[i], "GET", headers.v[h], cred};
                ok = run_probe(o, a, b, &p, &expose, xa, xb);
            }
        }
    }
    bool capped = origins.capped || methods.capped || headers.capped || expose.capped;
    free(xa);
    free(xb);
    free_names(&origins);
    free_names(&methods);
    free_names(&headers);
    free_names(&expose);
    if (capped && !o->json)
        printf("  (probe lists capped at %d entries each)\n", PROBE_ORIGINS_MAX);
    return ok;
}

int
cors_eval_diff(const char *old_path, const char *new_path, bool json, bool strict)
{
    struct side a = {.path = old_path}, b = {.path = new_path};
    int rc = CORS_EVAL_EXIT_USAGE;
    if (!load_side(&a, strict) || !load_side(&b, strict)) {
        if (a.policy != NULL && b.policy != NULL)
            fputs("cors-eval: out of memory\n", stderr);
        goto done;
    }
    struct out o = {.json = json, .first = true};
    static const char *const lists[] = {"allowOrigins", "allowOriginRegex", "allowMethods",
                                        "allowHeaders", "exposeHeaders"};
    if (json) {
        printf("{\n  \"old\": ");
        json_str(old_path);
        printf(",\n  \"new\": ");
        json_str(new_path);
        printf(",\n  \"fields\": {");
    } else {
        printf("--- %s\n+++ %s\nfields:\n", old_path, new_path);
    }
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        diff_list(&o, &a, &b, lists[i], i != 2 /* methods are case-sensitive */);
    diff_scalar(&o, &a, &b, "allowCredentials", true, false);
    diff_scalar(&o, &a, &b, "allowPrivateNetwork", true, false);
    diff_scalar(&o, &a, &b, "maxAge", false, true);
    diff_scalar(&o, &a, &b, "reportOnly", true, false);
    diff_scalar(&o, &a, &b, "forwardRejectedPreflights", false, false);
    diff_scalar(&o, &a, &b, "preflightStatus", false, false);
    diff_scalar(&o, &a, &b, "rejectStatus", false, false);
    bool fields_changed = o.field_changes > 0;
    if (json) {
        printf("%s},\n  \"probes\": [", fields_changed ? "\n  " : "");
    } else {
        if (!fields_changed)
            printf("  (no change)\n");
        printf("probes (a browser's fetch() against each policy):\n");
    }
    o.first = true;
    if (!run_probes(&o, &a, &b)) {
        fputs("cors-eval: out of memory\n", stderr);
        goto done;
    }
    if (json) {
        printf("%s],\n  \"probeCount\": %zu,\n  \"admitted\": %zu,\n  \"refused\": %zu,\n"
               "  \"admitsNew\": %s\n}\n",
               o.first ? "" : "\n  ", o.probes, o.admitted, o.refused,
               o.widened ? "true" : "false");
    } else {
        if (o.admitted + o.refused == 0)
            printf("  (no verdict changes)\n");
        printf("%zu probes: %zu newly allowed, %zu newly refused; NEW %s\n", o.probes, o.admitted,
               o.refused,
               o.widened ? "admits something OLD did not (review it)"
                         : "admits nothing OLD did not");
    }
    rc = o.widened ? CORS_EVAL_EXIT_FAIL : CORS_EVAL_EXIT_OK;
done:
    free_side(&a);
    free_side(&b);
    return rc;
}

#else /* !CORS_EVAL_HAVE_YAML */

int
cors_eval_diff(const char *old_path, const char *new_path, bool json, bool strict)
{
    (void)old_path;
    (void)new_path;
    (void)json;
    (void)strict;
    fputs("cors-eval: --diff needs YAML support (built without libyaml)\n", stderr);
    return CORS_EVAL_EXIT_USAGE;
}

#endif
