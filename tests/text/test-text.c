/*
 * Check suite 'text': the YAML/JSON policy loader (lib/text.c), tested through
 * the public API only: builder + cors_policy_builder_load_text() + build, or
 * cors_policy_new_from_text(), then cors_evaluate() / cors_policy_source() /
 * the diagnostics list to see what was loaded.
 *
 * SPDX-License-Identifier: MIT
 */
#include <cors/cors.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifndef TEXT_DATA_DIR
#error "TEXT_DATA_DIR must be defined by the build"
#endif

static struct cors_str
S(const char *s) {
    return cors_str_from_cstr(s);
}

#if TEXT_HAVE_YAML

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static char *
read_data(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", TEXT_DATA_DIR, name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *buf = malloc(1 << 20);
    ck_assert_ptr_nonnull(buf);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static void
dump_diags(const struct cors_diagnostics *d)
{
    for (size_t i = 0; i < cors_diagnostics_count(d); i++) {
        const struct cors_diagnostic *g = cors_diagnostics_get(d, i);
        fprintf(stderr, "  diag %s %s field=%d idx=%zu %u:%u %s\n", cors_diag_code_name(g->code),
                g->severity == CORS_SEVERITY_ERROR ? "error" : "warning", (int)g->field, g->index,
                (unsigned)g->line, (unsigned)g->column, g->message.ptr);
    }
}

/* The first diagnostic with this code, or NULL. */
static const struct cors_diagnostic *
find_diag(const struct cors_diagnostics *d, enum cors_diag_code code)
{
    for (size_t i = 0; i < cors_diagnostics_count(d); i++) {
        const struct cors_diagnostic *g = cors_diagnostics_get(d, i);
        if (g->code == code)
            return g;
    }
    return NULL;
}

static size_t
count_diag(const struct cors_diagnostics *d, enum cors_diag_code code)
{
    size_t n = 0;
    for (size_t i = 0; i < cors_diagnostics_count(d); i++)
        if (cors_diagnostics_get(d, i)->code == code)
            n++;
    return n;
}

/* Whether a diagnostic with code at line:col exists (any of them may match). */
static bool
has_diag_at(const struct cors_diagnostics *d, enum cors_diag_code code, uint32_t line, uint32_t col)
{
    for (size_t i = 0; i < cors_diagnostics_count(d); i++) {
        const struct cors_diagnostic *g = cors_diagnostics_get(d, i);
        if (g->code == code && g->line == line && g->column == col)
            return true;
    }
    return false;
}

/* Asserts a diagnostic with code at line:col exists (any of them may match). */
#define assert_diag_at(d, want_code, want_line, want_col)                                          \
    do {                                                                                           \
        bool found_ = has_diag_at((d), (want_code), (uint32_t)(want_line), (uint32_t)(want_col));  \
        if (!found_)                                                                               \
            dump_diags(d);                                                                         \
        ck_assert_msg(found_, "no diagnostic %s at %d:%d", cors_diag_code_name(want_code),         \
                      (int)(want_line), (int)(want_col));                                          \
    } while (0)

/* Loads text into a fresh builder and builds it. */
struct loaded {
    struct cors_diagnostics *diags;
    struct cors_policy *policy;
    enum cors_status load_status;
    enum cors_status build_status;
    char *text; /* the file load_file() read, or NULL */
};

static struct loaded
load(const char *text, size_t len, unsigned flags)
{
    struct loaded l;
    memset(&l, 0, sizeof(l));
    l.diags = cors_diagnostics_new(NULL);
    ck_assert_ptr_nonnull(l.diags);
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    ck_assert_ptr_nonnull(b);
    l.load_status = cors_policy_builder_load_text(b, (struct cors_str){text, len}, flags, l.diags);
    if (l.load_status == CORS_OK)
        l.policy = cors_policy_build(b, flags, l.diags, &l.build_status);
    cors_policy_builder_free(b);
    return l;
}

static struct loaded
load_s(const char *text)
{
    return load(text, strlen(text), 0);
}

static void
loaded_free(struct loaded *l)
{
    cors_policy_unref(l->policy);
    cors_diagnostics_free(l->diags);
    free(l->text);
}

/* Loads the data file name and expects a policy. */
static struct loaded
load_file(const char *name)
{
    size_t len;
    char *text = read_data(name, &len);
    struct loaded l = load(text, len, 0);
    l.text = text;
    if (l.policy == NULL)
        dump_diags(l.diags);
    ck_assert_ptr_nonnull(l.policy);
    return l;
}

/* Loads and expects success. */
static struct loaded
load_ok(const char *text)
{
    struct loaded l = load_s(text);
    if (l.load_status != CORS_OK || l.policy == NULL)
        dump_diags(l.diags);
    ck_assert_int_eq(l.load_status, CORS_OK);
    ck_assert_ptr_nonnull(l.policy);
    return l;
}

/* Loads and expects CORS_E_INVALID_POLICY from the loader. */
static struct loaded
load_bad(const char *text)
{
    struct loaded l = load_s(text);
    if (l.load_status != CORS_E_INVALID_POLICY)
        dump_diags(l.diags);
    ck_assert_int_eq(l.load_status, CORS_E_INVALID_POLICY);
    ck_assert_ptr_null(l.policy);
    ck_assert_uint_ge(cors_diagnostics_error_count(l.diags), 1);
    return l;
}

/* A text the loader refuses, and the diagnostic it must give there. */
struct bad_text {
    const char *rule; /* what the row checks, and where that is written */
    const char *text;
    enum cors_diag_code code;
    uint32_t line, column;
};

/* Loads each row's text, expecting CORS_E_INVALID_POLICY and the row's
 * diagnostic at the row's line:column. */
static void
check_bad_texts(const struct bad_text *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct loaded l = load_bad(rows[i].text);
        bool found = has_diag_at(l.diags, rows[i].code, rows[i].line, rows[i].column);
        if (!found)
            dump_diags(l.diags);
        ck_assert_msg(found, "%s: no diagnostic %s at %u:%u", rows[i].rule,
                      cors_diag_code_name(rows[i].code), (unsigned)rows[i].line,
                      (unsigned)rows[i].column);
        loaded_free(&l);
    }
}

#define CHECK_BAD_TEXTS(rows) check_bad_texts((rows), sizeof(rows) / sizeof((rows)[0]))

struct eval {
    struct cors_result r;
    struct cors_header h[CORS_HEADERS_MAX];
    struct cors_str origin;
    struct cors_str acrh;
};

static void
evaluate(const struct cors_policy *p, const char *method, const char *origin, const char *acrm,
         const char *acrh, const char *pna, struct eval *e)
{
    struct cors_request req;
    memset(&req, 0, sizeof(req));
    memset(e, 0, sizeof(*e));
    req.method = S(method);
    if (origin != NULL) {
        e->origin = S(origin);
        req.origins = &e->origin;
        req.origin_count = 1;
    }
    req.request_method = S(acrm);
    if (acrh != NULL) {
        e->acrh = S(acrh);
        req.request_headers = &e->acrh;
        req.request_header_count = 1;
    }
    req.request_private_network = S(pna);
    ck_assert_int_eq(cors_evaluate(p, &req, e->h, CORS_HEADERS_MAX, &e->r), CORS_OK);
}

static void
preflight(const struct cors_policy *p, const char *origin, const char *acrm, struct eval *e)
{
    evaluate(p, "OPTIONS", origin, acrm, NULL, NULL, e);
}

/* a equals b, ASCII case-insensitively (header names, RFC 9110 5.1). */
static bool
name_ieq(struct cors_str a, const char *b)
{
    return a.len == strlen(b) && strncasecmp(a.ptr, b, a.len) == 0;
}

/* The value of the first header named name (case-insensitive), or NULL. */
static const char *
hval(const struct eval *e, const char *name)
{
    static char ring[8][512];
    static unsigned at;
    for (size_t i = 0; i < e->r.header_count; i++) {
        if (name_ieq(e->h[i].name, name)) {
            char *out = ring[at++ % 8];
            size_t n = e->h[i].value.len < 511 ? e->h[i].value.len : 511;
            memcpy(out, e->h[i].value.ptr, n);
            out[n] = '\0';
            return out;
        }
    }
    return NULL;
}

#define assert_header(e, name, value)                                                              \
    do {                                                                                           \
        const char *v_ = hval((e), (name));                                                        \
        ck_assert_msg(v_ != NULL, "header %s missing", (name));                                    \
        ck_assert_str_eq(v_, (value));                                                             \
    } while (0)

#define assert_no_header(e, name)                                                                  \
    ck_assert_msg(hval((e), (name)) == NULL, "unexpected header %s", (name))

static void
assert_source(const struct cors_policy *p, const char *want)
{
    struct cors_str s = cors_policy_source(p);
    ck_assert_uint_eq(s.len, strlen(want));
    ck_assert(memcmp(s.ptr, want, s.len) == 0);
}

/* The Access-Control-Max-Age a preflight from https://a.example gets. */
static const char *
max_age_of(const char *text)
{
    static char out[64];
    struct loaded l = load_ok(text);
    struct eval e;
    preflight(l.policy, "https://a.example", "GET", &e);
    const char *v = hval(&e, "Access-Control-Max-Age");
    snprintf(out, sizeof(out), "%s", v ? v : "(none)");
    loaded_free(&l);
    return out;
}

/* ------------------------------------------------------------------------ */
/* The seed guide's two blocks, verbatim                                    */
/* ------------------------------------------------------------------------ */

static void
check_seed_allowed(const struct cors_policy *p, const char *allow_headers, const char *expose)
{
    struct eval e;
    preflight(p, "https://example.com", "POST", &e);
    ck_assert_int_eq(e.r.decision, CORS_DECISION_PREFLIGHT);
    ck_assert(e.r.allowed);
    ck_assert_int_eq(e.r.reason, CORS_REASON_ALLOWED);
    ck_assert(!e.r.call_handler);
    ck_assert_int_eq(e.r.status, 200);
    assert_header(&e, "Access-Control-Allow-Origin", "https://example.com");
    assert_header(&e, "Access-Control-Allow-Methods", "GET,POST,OPTIONS");
    assert_header(&e, "Access-Control-Allow-Headers", allow_headers);
    assert_header(&e, "Access-Control-Max-Age", "86400");
    assert_header(&e, "Access-Control-Allow-Credentials", "true");
    assert_header(&e, "Access-Control-Expose-Headers", expose);
    assert_header(&e, "Vary",
                  "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");

    preflight(p, "https://notallowed.com", "POST", &e);
    ck_assert(!e.r.allowed);
    ck_assert_int_eq(e.r.reason, CORS_REASON_ORIGIN_NOT_ALLOWED);
    ck_assert(!e.r.call_handler);
    ck_assert_int_eq(e.r.status, 403);
    assert_no_header(&e, "Access-Control-Allow-Origin");
    assert_no_header(&e, "Access-Control-Allow-Methods");
    assert_no_header(&e, "Access-Control-Max-Age");
    assert_no_header(&e, "Access-Control-Allow-Credentials");
    ck_assert_uint_eq(e.r.header_count, 2); /* REMOVE_ACCESS_CONTROL, Vary */
}

/* Each of the guide's two blocks alone: the policy it describes, and the
 * warnings the guide's own values get, with their positions in the file. */
static const struct {
    const char *file;
    const char *source;         /* cors_policy_source() (README "Text policies") */
    const char *allow_headers;  /* Access-Control-Allow-Headers of the allowed preflight */
    const char *expose;         /* Access-Control-Expose-Headers */
    uint32_t cap_line, cap_col; /* maxAge 86400 over Chromium's 7200 s cap */
    uint32_t origin_line,
        origin_col; /* "Origin" in allowHeaders: a forbidden header name (Fetch) */
} seed_blocks[] = {
    {"seed-httproute.yaml", "HTTPRoute httpbin/httpbin (document 1)", "origin",
     "origin,x-httproute-header", 26, 21, 16, 17},
    {"seed-agentgatewaypolicy.yaml",
     "AgentgatewayPolicy agentgateway-system/httpbin-cors (document 1)",
     "origin,authorization,content-type", "origin,x-trafficpolicy-header", 27, 15, 15, 11},
};

START_TEST(seed_block)
{
    struct loaded l = load_file(seed_blocks[_i].file);
    ck_assert_int_eq(l.load_status, CORS_OK);
    assert_source(l.policy, seed_blocks[_i].source);
    check_seed_allowed(l.policy, seed_blocks[_i].allow_headers, seed_blocks[_i].expose);
    ck_assert_uint_eq(cors_diagnostics_error_count(l.diags), 0);
    assert_diag_at(l.diags, CORS_DIAG_MAX_AGE_ABOVE_CHROMIUM_CAP, seed_blocks[_i].cap_line,
                   seed_blocks[_i].cap_col);
    assert_diag_at(l.diags, CORS_DIAG_HEADER_FORBIDDEN, seed_blocks[_i].origin_line,
                   seed_blocks[_i].origin_col);
    loaded_free(&l);
}
END_TEST

START_TEST(seed_both_route_wins)
{
    struct loaded l = load_file("seed-both.yaml");
    assert_source(l.policy, "HTTPRoute httpbin/httpbin (document 1)");
    check_seed_allowed(l.policy, "origin", "origin,x-httproute-header");
    /* the warning points at the ignored policy-level cors: key */
    assert_diag_at(l.diags, CORS_DIAG_TEXT_BOTH_LEVELS, 42, 5);
    const struct cors_diagnostic *g = find_diag(l.diags, CORS_DIAG_TEXT_BOTH_LEVELS);
    ck_assert_int_eq(g->severity, CORS_SEVERITY_WARNING);
    ck_assert_ptr_nonnull(strstr(g->message.ptr, "HTTPRoute httpbin/httpbin (document 1)"));
    ck_assert_ptr_nonnull(
        strstr(g->message.ptr, "AgentgatewayPolicy agentgateway-system/httpbin-cors (document 2)"));
    loaded_free(&l);
}
END_TEST

START_TEST(seed_both_policy_first)
{
    /* the order of the documents does not matter: the route level wins */
    size_t l1, l2;
    char *route = read_data("seed-httproute.yaml", &l1);
    char *pol = read_data("seed-agentgatewaypolicy.yaml", &l2);
    char *text = malloc(l1 + l2 + 8);
    ck_assert_ptr_nonnull(text);
    memcpy(text, pol, l2);
    memcpy(text + l2, "---\n", 4);
    memcpy(text + l2 + 4, route, l1);
    struct loaded l = load(text, l1 + l2 + 4, 0);
    ck_assert_ptr_nonnull(l.policy);
    assert_source(l.policy, "HTTPRoute httpbin/httpbin (document 2)");
    check_seed_allowed(l.policy, "origin", "origin,x-httproute-header");
    assert_diag_at(l.diags, CORS_DIAG_TEXT_BOTH_LEVELS, 12, 5);
    loaded_free(&l);
    free(text);
    free(route);
    free(pol);
}
END_TEST

/* The blocks as they appear in the guide's rendered list, indented by four
 * spaces, load to the same policy; positions move by four columns. */
START_TEST(seed_indented_as_in_guide)
{
    static const char *files[] = {"seed-httproute.yaml", "seed-agentgatewaypolicy.yaml",
                                  "seed-both.yaml"};
    for (size_t f = 0; f < 3; f++) {
        size_t len;
        char *text = read_data(files[f], &len);
        char *ind = malloc(len * 5 + 8);
        ck_assert_ptr_nonnull(ind);
        size_t n = 0;
        bool bol = true;
        for (size_t i = 0; i < len; i++) {
            if (bol && text[i] != '\n' && strncmp(text + i, "---", 3) != 0) {
                memcpy(ind + n, "    ", 4);
                n += 4;
            }
            ind[n++] = text[i];
            bol = text[i] == '\n';
        }
        struct loaded a = load(text, len, 0);
        struct loaded b = load(ind, n, 0);
        ck_assert_ptr_nonnull(a.policy);
        ck_assert_ptr_nonnull(b.policy);
        char ja[2048], jb[2048];
        ck_assert_uint_lt(cors_policy_to_json(a.policy, ja, sizeof(ja)), sizeof(ja));
        ck_assert_uint_lt(cors_policy_to_json(b.policy, jb, sizeof(jb)), sizeof(jb));
        ck_assert_str_eq(ja, jb);
        const struct cors_diagnostic *ga = find_diag(a.diags, CORS_DIAG_MAX_AGE_ABOVE_CHROMIUM_CAP);
        const struct cors_diagnostic *gb = find_diag(b.diags, CORS_DIAG_MAX_AGE_ABOVE_CHROMIUM_CAP);
        ck_assert_uint_eq(ga->line, gb->line);
        ck_assert_uint_eq(ga->column + 4, gb->column);
        loaded_free(&a);
        loaded_free(&b);
        free(ind);
        free(text);
    }
}
END_TEST

START_TEST(keys_0_2)
{
    /* forwardAllowedPreflights, timingAllowOrigin, enforcePercent (README
     * "Text policies"): loaded, shown by the JSON dump, range-checked */
    struct loaded l = load_ok("allowOrigins: [\"https://a.example\"]\n"
                              "forwardAllowedPreflights: true\n"
                              "timingAllowOrigin: true\n"
                              "enforcePercent: 30\n");
    char json[2048];
    ck_assert_uint_lt(cors_policy_to_json(l.policy, json, sizeof json), sizeof json);
    ck_assert_ptr_nonnull(strstr(json, "\"forwardAllowedPreflights\":true"));
    ck_assert_ptr_nonnull(strstr(json, "\"timingAllowOrigin\":true"));
    ck_assert_ptr_nonnull(strstr(json, "\"enforcePercent\":30"));
    /* the dump loads back to the same policy */
    struct loaded again = load_ok(json);
    char json2[2048];
    cors_policy_to_json(again.policy, json2, sizeof json2);
    ck_assert_str_eq(json, json2);
    loaded_free(&again);
    loaded_free(&l);

    static const struct bad_text bad[] = {
        {"enforcePercent is 0-100 (README \"Text policies\")",
         "allowOrigins: [\"https://a.example\"]\nenforcePercent: 101\n",
         CORS_DIAG_PERCENT_OUT_OF_RANGE, 2, 17},
        {"enforcePercent is a number, not a string",
         "allowOrigins: [\"https://a.example\"]\nenforcePercent: \"50%\"\n",
         CORS_DIAG_TEXT_WRONG_TYPE, 2, 17},
        {"timingAllowOrigin is a boolean",
         "allowOrigins: [\"https://a.example\"]\ntimingAllowOrigin: 1\n", CORS_DIAG_TEXT_WRONG_TYPE,
         2, 20},
    };
    CHECK_BAD_TEXTS(bad);
}
END_TEST

/* Gateway API fidelity (README "Text policies", cors.h gateway-api-*
 * codes): in a Kubernetes document, what the HTTPCORSFilter CRD refuses or
 * prunes is a warning with its own code and position (an error under strict
 * mode); the same mapping as a bare policy gets none of them. */
static const struct {
    enum cors_diag_code code;
    uint32_t line, column;
} fidelity_expected[] = {
    {CORS_DIAG_GATEWAY_API_ORIGIN_PATTERN, 14, 17},     /* http://localhost:* */
    {CORS_DIAG_GATEWAY_API_ORIGIN_PATTERN, 15, 17},     /* null */
    {CORS_DIAG_GATEWAY_API_ORIGIN_PATTERN, 16, 17},     /* IPv6 */
    {CORS_DIAG_GATEWAY_API_ORIGIN_PATTERN, 17, 17},     /* another scheme */
    {CORS_DIAG_GATEWAY_API_METHOD_NOT_IN_ENUM, 18, 38}, /* patch */
    {CORS_DIAG_GATEWAY_API_METHOD_NOT_IN_ENUM, 18, 45}, /* PROPFIND */
    {CORS_DIAG_GATEWAY_API_MAX_AGE, 19, 21},            /* a duration */
    {CORS_DIAG_GATEWAY_API_EXTENSION_KEY, 20, 13},      /* reportOnly, even false */
    {CORS_DIAG_GATEWAY_API_EXTENSION_KEY, 21, 13},      /* timingAllowOrigin */
};

static size_t
count_gateway_api(const struct cors_diagnostics *d)
{
    size_t n = 0;
    for (size_t i = 0; i < cors_diagnostics_count(d); i++) {
        enum cors_diag_code c = cors_diagnostics_get(d, i)->code;
        n += c >= CORS_DIAG_GATEWAY_API_EXTENSION_KEY && c <= CORS_DIAG_GATEWAY_API_ORIGIN_PATTERN;
    }
    return n;
}

START_TEST(gateway_api_fidelity)
{
    size_t len;
    char *text = read_data("gateway-api-fidelity.yaml", &len);
    struct loaded l = load(text, len, 0);
    ck_assert_int_eq(l.load_status, CORS_OK);
    ck_assert_ptr_nonnull(l.policy); /* libcors itself accepts every entry */
    for (size_t i = 0; i < sizeof fidelity_expected / sizeof fidelity_expected[0]; i++)
        assert_diag_at(l.diags, fidelity_expected[i].code, fidelity_expected[i].line,
                       fidelity_expected[i].column);
    ck_assert_uint_eq(count_gateway_api(l.diags),
                      sizeof fidelity_expected / sizeof fidelity_expected[0]);
    const struct cors_diagnostic *d = find_diag(l.diags, CORS_DIAG_GATEWAY_API_EXTENSION_KEY);
    ck_assert_int_eq(d->severity, CORS_SEVERITY_WARNING);
    ck_assert_str_eq(cors_diag_code_name(d->code), "gateway-api-extension-key");
    loaded_free(&l);

    /* strict: errors, the document is refused as a cluster would */
    l = load(text, len, CORS_BUILD_STRICT);
    ck_assert_int_eq(l.load_status, CORS_E_INVALID_POLICY);
    d = find_diag(l.diags, CORS_DIAG_GATEWAY_API_MAX_AGE);
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(d->severity, CORS_SEVERITY_ERROR);
    loaded_free(&l);
    free(text);

    /* the same mapping as a bare policy: extensions are welcome */
    l = load_ok("allowOrigins: [\"https://app.example\", \"http://localhost:*\", \"null\"]\n"
                "allowMethods: [GET, patch, PROPFIND]\n"
                "maxAge: 10m\n"
                "reportOnly: false\n");
    ck_assert_uint_eq(count_gateway_api(l.diags), 0);
    loaded_free(&l);
}
END_TEST

START_TEST(gateway_api_limits)
{
    /* 65 origins, 10 methods, 65 headers, maxAge 0 in an AgentgatewayPolicy */
    char text[16384];
    size_t n = (size_t)snprintf(text, sizeof text,
                                "apiVersion: agentgateway.dev/v1alpha1\n"
                                "kind: AgentgatewayPolicy\n"
                                "metadata: {name: limits, namespace: test}\n"
                                "spec:\n"
                                "  traffic:\n"
                                "    cors:\n"
                                "      maxAge: 0\n"
                                "      allowMethods: [GET, HEAD, POST, PUT, DELETE, OPTIONS, "
                                "PATCH, GET, HEAD, POST]\n"
                                "      allowOrigins:\n");
    for (int i = 0; i < 65; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "        - \"https://o%d.example\"\n", i);
    n += (size_t)snprintf(text + n, sizeof text - n, "      allowHeaders:\n");
    for (int i = 0; i < 65; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "        - x-h%d\n", i);
    ck_assert_uint_lt(n, sizeof text);
    struct loaded l = load(text, n, 0);
    assert_diag_at(l.diags, CORS_DIAG_GATEWAY_API_MAX_AGE, 7, 15);
    assert_diag_at(l.diags, CORS_DIAG_GATEWAY_API_TOO_MANY_ENTRIES, 8, 7);  /* 10 methods */
    assert_diag_at(l.diags, CORS_DIAG_GATEWAY_API_TOO_MANY_ENTRIES, 9, 7);  /* 65 origins */
    assert_diag_at(l.diags, CORS_DIAG_GATEWAY_API_TOO_MANY_ENTRIES, 75, 7); /* 65 headers */
    ck_assert_uint_eq(count_gateway_api(l.diags), 4);
    loaded_free(&l);
}
END_TEST

START_TEST(load_text_strict_flag)
{
    /* cors_policy_builder_load_text() takes the build flags (cors.h): under
     * CORS_BUILD_STRICT the loader's own warnings are errors there too, as in
     * cors_policy_new_from_text(), and the failure is sticky */
    size_t len;
    char *text = read_data("seed-both.yaml", &len);
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    ck_assert_int_eq(
        cors_policy_builder_load_text(b, (struct cors_str){text, len}, CORS_BUILD_STRICT, d),
        CORS_E_INVALID_POLICY);
    const struct cors_diagnostic *g = find_diag(d, CORS_DIAG_TEXT_BOTH_LEVELS);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(g->severity, CORS_SEVERITY_ERROR);
    enum cors_status st = CORS_OK;
    ck_assert_ptr_null(cors_policy_build(b, CORS_BUILD_STRICT, d, &st));
    ck_assert_int_eq(st, CORS_E_INVALID_POLICY);
    cors_policy_builder_free(b);
    cors_diagnostics_free(d);

    /* without the flag: loaded with a warning, built */
    d = cors_diagnostics_new(NULL);
    b = cors_policy_builder_new(NULL);
    ck_assert_int_eq(cors_policy_builder_load_text(b, (struct cors_str){text, len}, 0, d), CORS_OK);
    g = find_diag(d, CORS_DIAG_TEXT_BOTH_LEVELS);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(g->severity, CORS_SEVERITY_WARNING);
    struct cors_policy *p = cors_policy_build(b, 0, d, &st);
    ck_assert_ptr_nonnull(p);
    cors_policy_unref(p);
    cors_policy_builder_free(b);
    cors_diagnostics_free(d);
    free(text);
}
END_TEST

START_TEST(seed_strict)
{
    /* strict: the guide's warnings become errors; the both-levels warning too */
    size_t len;
    char *text = read_data("seed-httproute.yaml", &len);
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    enum cors_status st = CORS_OK;
    struct cors_policy *p =
        cors_policy_new_from_text((struct cors_str){text, len}, CORS_BUILD_STRICT, NULL, d, &st);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(st, CORS_E_INVALID_POLICY);
    const struct cors_diagnostic *g = find_diag(d, CORS_DIAG_MAX_AGE_ABOVE_CHROMIUM_CAP);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(g->severity, CORS_SEVERITY_ERROR);
    cors_diagnostics_free(d);
    free(text);

    /* the both-levels warning is an error under strict mode */
    text = read_data("seed-both.yaml", &len);
    d = cors_diagnostics_new(NULL);
    p = cors_policy_new_from_text((struct cors_str){text, len}, CORS_BUILD_STRICT, NULL, d, &st);
    ck_assert_ptr_null(p);
    g = find_diag(d, CORS_DIAG_TEXT_BOTH_LEVELS);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(g->severity, CORS_SEVERITY_ERROR);
    cors_diagnostics_free(d);

    /* without strict: built, with warnings */
    d = cors_diagnostics_new(NULL);
    p = cors_policy_new_from_text((struct cors_str){text, len}, 0, NULL, d, &st);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(st, CORS_OK);
    ck_assert_uint_eq(cors_diagnostics_error_count(d), 0);
    ck_assert_uint_ge(cors_diagnostics_count(d), 2);
    assert_source(p, "HTTPRoute httpbin/httpbin (document 1)");
    cors_policy_unref(p);
    cors_diagnostics_free(d);
    free(text);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Accepted shapes                                                          */
/* ------------------------------------------------------------------------ */

START_TEST(bare_mapping_all_fields)
{
    struct loaded l = load_ok("allowOrigins: [\"https://a.example\", \"https://*.b.example\"]\n"
                              "allowOriginRegex: ['https://c[0-9]\\.example']\n"
                              "allowMethods: [GET, PUT]\n"
                              "allowHeaders: [X-One, x-two]\n"
                              "exposeHeaders: [X-Three]\n"
                              "maxAge: 600\n"
                              "allowCredentials: true\n"
                              "allowPrivateNetwork: true\n"
                              "preflightStatus: 204\n"
                              "rejectStatus: 200\n"
                              "forwardRejectedPreflights: false\n"
                              "reportOnly: false\n");
    assert_source(l.policy, "HTTPCORSFilter (document 1)");
    struct eval e;
    evaluate(l.policy, "OPTIONS", "https://a.example", "PUT", "x-one", "true", &e);
    ck_assert(e.r.allowed);
    ck_assert_int_eq(e.r.status, 204);
    assert_header(&e, "Access-Control-Allow-Methods", "GET,PUT");
    assert_header(&e, "Access-Control-Allow-Headers", "x-one,x-two");
    assert_header(&e, "Access-Control-Expose-Headers", "x-three");
    assert_header(&e, "Access-Control-Max-Age", "600");
    assert_header(&e, "Access-Control-Allow-Credentials", "true");
    assert_header(&e, "Access-Control-Allow-Private-Network", "true");
    /* wildcard and regex origins were loaded */
    preflight(l.policy, "https://x.b.example", "GET", &e);
    ck_assert(e.r.allowed);
    preflight(l.policy, "https://c7.example", "GET", &e);
    ck_assert(e.r.allowed);
    /* rejectStatus 200 */
    preflight(l.policy, "https://nope.example", "GET", &e);
    ck_assert(!e.r.allowed);
    ck_assert(!e.r.call_handler);
    ck_assert_int_eq(e.r.status, 200);
    loaded_free(&l);
}
END_TEST

START_TEST(bare_mapping_extensions_forward_report_only)
{
    struct loaded l = load_ok("allowOrigins: [\"https://a.example\"]\n"
                              "forwardRejectedPreflights: true\n");
    struct eval e;
    preflight(l.policy, "https://nope.example", "GET", &e);
    ck_assert(!e.r.allowed);
    ck_assert(e.r.call_handler); /* forwarded */
    loaded_free(&l);

    l = load_ok("allowOrigins: [\"https://a.example\"]\nreportOnly: true\n");
    preflight(l.policy, "https://a.example", "GET", &e);
    ck_assert(e.r.report_only);
    ck_assert(e.r.call_handler);
    ck_assert_uint_eq(e.r.header_count, 0);
    loaded_free(&l);
}
END_TEST

START_TEST(bare_mapping_no_default_max_age)
{
    /* libcors's own format: maxAge absent means no header */
    ck_assert_str_eq(max_age_of("allowOrigins: [\"https://a.example\"]\n"), "(none)");
    ck_assert_str_eq(max_age_of("cors:\n  allowOrigins: [\"https://a.example\"]\n"), "(none)");
    ck_assert_str_eq(max_age_of("{\"allowOrigins\": [\"https://a.example\"]}"), "(none)");
    ck_assert_str_eq(max_age_of("allowOrigins: [\"https://a.example\"]\nmaxAge: 0\n"), "0");
}
END_TEST

START_TEST(cors_wrapper)
{
    struct loaded l = load_ok("cors:\n  allowOrigins:\n    - https://a.example\n  maxAge: 10m\n");
    assert_source(l.policy, "HTTPCORSFilter (document 1)");
    struct eval e;
    preflight(l.policy, "https://a.example", "GET", &e);
    ck_assert(e.r.allowed);
    assert_header(&e, "Access-Control-Max-Age", "600");
    loaded_free(&l);

    /* a filter entry: type: CORS next to cors */
    l = load_ok("type: CORS\ncors:\n  allowOrigins: [\"https://a.example\"]\n");
    preflight(l.policy, "https://a.example", "GET", &e);
    ck_assert(e.r.allowed);
    loaded_free(&l);

    static const struct bad_text bad[] = {
        {"a filter entry next to cors has type: CORS (Gateway API HTTPRouteFilter)",
         "type: RequestRedirect\ncors:\n  allowOrigins: [\"https://a.example\"]\n",
         CORS_DIAG_TEXT_WRONG_TYPE, 1, 7},
        {"nothing but type next to the cors wrapper",
         "cors:\n  allowOrigins: [\"https://a.example\"]\nextra: 1\n", CORS_DIAG_TEXT_UNKNOWN_KEY,
         3, 1},
        {"the cors wrapper holds a mapping", "cors: [1]\n", CORS_DIAG_TEXT_WRONG_TYPE, 1, 7},
    };
    CHECK_BAD_TEXTS(bad);
}
END_TEST

static const char httproute_no_max_age[] =
    "apiVersion: gateway.networking.k8s.io/v1\n"
    "kind: HTTPRoute\n"
    "metadata:\n"
    "  name: r\n"
    "spec:\n"
    "  rules:\n"
    "    - matches:\n"
    "        - path: {type: PathPrefix, value: /}\n"
    "      filters:\n"
    "        - type: RequestHeaderModifier\n"
    "          requestHeaderModifier: {set: [{name: x, value: y}]}\n"
    "        - type: CORS\n"
    "          cors:\n"
    "            allowOrigins: [\"https://a.example\"]\n";

START_TEST(gateway_default_max_age)
{
    ck_assert_str_eq(max_age_of(httproute_no_max_age), "5");
    struct loaded l = load_ok(httproute_no_max_age);
    /* no namespace: "HTTPRoute name" */
    assert_source(l.policy, "HTTPRoute r (document 1)");
    loaded_free(&l);

    /* an AgentgatewayPolicy: absent or null maxAge is the Gateway API default, 5 s */
    static const struct {
        const char *max_age_line;
        const char *want;
    } agw[] = {
        {"", "5"},
        {"      maxAge: null\n", "5"},
        {"      maxAge: 1h\n", "3600"},
    };
    for (size_t i = 0; i < sizeof agw / sizeof agw[0]; i++) {
        char text[256];
        snprintf(text, sizeof text,
                 "kind: AgentgatewayPolicy\n"
                 "spec:\n"
                 "  traffic:\n"
                 "    cors:\n"
                 "      allowOrigins: [\"https://a.example\"]\n"
                 "%s",
                 agw[i].max_age_line);
        ck_assert_msg(strcmp(max_age_of(text), agw[i].want) == 0,
                      "maxAge line '%s': got %s want %s", agw[i].max_age_line, max_age_of(text),
                      agw[i].want);
    }
    l = load_ok("kind: AgentgatewayPolicy\nspec:\n  traffic:\n    cors:\n"
                "      allowOrigins: [\"https://a.example\"]\n");
    assert_source(l.policy, "AgentgatewayPolicy (document 1)");
    loaded_free(&l);
}
END_TEST

START_TEST(json_shapes)
{
    struct loaded l = load_ok("{\"allowOrigins\":[\"https://a.example\"],\"maxAge\":\"1h30m\","
                              "\"allowCredentials\":true,\"preflightStatus\":204}");
    struct eval e;
    preflight(l.policy, "https://a.example", "GET", &e);
    ck_assert_int_eq(e.r.status, 204);
    assert_header(&e, "Access-Control-Max-Age", "5400");
    assert_header(&e, "Access-Control-Allow-Credentials", "true");
    assert_source(l.policy, "HTTPCORSFilter (document 1)");
    loaded_free(&l);

    /* tab-indented JSON, a cors wrapper */
    l = load_ok("{\n\t\"cors\": {\n\t\t\"allowOrigins\": [\"https://a.example\"],\n"
                "\t\t\"maxAge\": 90\n\t}\n}\n");
    preflight(l.policy, "https://a.example", "GET", &e);
    assert_header(&e, "Access-Control-Max-Age", "90");
    loaded_free(&l);

    /* an HTTPRoute as JSON */
    l = load_ok(
        "{\"apiVersion\": \"gateway.networking.k8s.io/v1\", \"kind\": \"HTTPRoute\",\n"
        " \"metadata\": {\"name\": \"j\", \"namespace\": \"ns\"},\n"
        " \"spec\": {\"rules\": [{\"filters\": [{\"type\": \"CORS\", \"cors\": {\n"
        "   \"allowOrigins\": [\"https://a.example\"], \"allowMethods\": [\"PUT\"]}}]}]}}\n");
    assert_source(l.policy, "HTTPRoute ns/j (document 1)");
    preflight(l.policy, "https://a.example", "PUT", &e);
    ck_assert(e.r.allowed);
    assert_header(&e, "Access-Control-Allow-Methods", "PUT");
    assert_header(&e, "Access-Control-Max-Age", "5");
    loaded_free(&l);

    /* an AgentgatewayPolicy as JSON */
    l = load_ok("{\"kind\": \"AgentgatewayPolicy\", \"metadata\": {\"name\": \"p\"},"
                " \"spec\": {\"traffic\": {\"cors\": {\"allowOrigins\": [\"*\"]}}}}");
    assert_source(l.policy, "AgentgatewayPolicy p (document 1)");
    loaded_free(&l);

    /* JSON errors carry line and column */
    static const struct bad_text bad[] = {
        {"JSON: maxAge is a number or a duration string",
         "{\n  \"allowOrigins\": [\"https://a.example\"],\n  \"maxAge\": true\n}\n",
         CORS_DIAG_TEXT_WRONG_TYPE, 3, 13},
        {"JSON: a syntax error (RFC 8259 value-separator)",
         "{\n  \"allowOrigins\": [\"https://a.example\"],,\n}\n", CORS_DIAG_TEXT_SYNTAX, 2, 41},
        {"JSON: a key given twice", "{\"allowOrigins\": [], \"allowOrigins\": []}",
         CORS_DIAG_TEXT_DUPLICATE_KEY, 1, 22},
    };
    CHECK_BAD_TEXTS(bad);
}
END_TEST

START_TEST(multi_document_stream)
{
    /* other kinds and empty documents are ignored */
    struct loaded l = load_ok("---\n"
                              "apiVersion: v1\n"
                              "kind: Service\n"
                              "metadata: {name: s}\n"
                              "spec: {ports: [{port: 80}]}\n"
                              "---\n"
                              "---\n"
                              "kind: AgentgatewayPolicy\n"
                              "metadata: {name: p, namespace: n}\n"
                              "spec:\n"
                              "  traffic:\n"
                              "    cors:\n"
                              "      allowOrigins: [\"https://a.example\"]\n"
                              "...\n");
    assert_source(l.policy, "AgentgatewayPolicy n/p (document 3)");
    loaded_free(&l);
}
END_TEST

START_TEST(kubernetes_outside_cors_not_validated)
{
    /* unknown keys, odd types outside the cors mapping are not our business */
    struct loaded l =
        load_ok("apiVersion: gateway.networking.k8s.io/v1\n"
                "kind: HTTPRoute\n"
                "metadata:\n"
                "  name: r\n"
                "  labels: {a: b}\n"
                "  whatever: [1, 2, {x: y}]\n"
                "spec:\n"
                "  parentRefs: 7\n"
                "  hostnames: [\"a.example\"]\n"
                "  rules:\n"
                "    - backendRefs: [{name: b, port: 8000}]\n"
                "    - filters:\n"
                "        - {type: CORS, cors: {allowOrigins: [\"https://a.example\"]}}\n"
                "      unknownRuleKey: true\n");
    ck_assert_uint_eq(cors_diagnostics_error_count(l.diags), 0);
    loaded_free(&l);

    /* but inside cors it is strict */
    l = load_bad("kind: HTTPRoute\n"
                 "spec:\n"
                 "  rules:\n"
                 "    - filters:\n"
                 "        - type: CORS\n"
                 "          cors:\n"
                 "            allowOrigins: [\"https://a.example\"]\n"
                 "            allowOrigin: [\"https://b.example\"]\n");
    assert_diag_at(l.diags, CORS_DIAG_TEXT_UNKNOWN_KEY, 8, 13);
    const struct cors_diagnostic *g = find_diag(l.diags, CORS_DIAG_TEXT_UNKNOWN_KEY);
    ck_assert_ptr_nonnull(strstr(g->message.ptr, "did you mean 'allowOrigins'"));
    loaded_free(&l);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Several CORS policies                                                    */
/* ------------------------------------------------------------------------ */

START_TEST(two_route_filters_error)
{
    struct loaded l = load_bad("kind: HTTPRoute\n"
                               "metadata: {name: r}\n"
                               "spec:\n"
                               "  rules:\n"
                               "    - filters:\n"
                               "        - type: CORS\n"
                               "          cors: {allowOrigins: [\"https://a.example\"]}\n"
                               "    - filters:\n"
                               "        - type: CORS\n"
                               "          cors: {allowOrigins: [\"https://b.example\"]}\n");
    assert_diag_at(l.diags, CORS_DIAG_TEXT_DUPLICATE_KEY, 10, 11);
    ck_assert_uint_eq(count_diag(l.diags, CORS_DIAG_TEXT_DUPLICATE_KEY), 1);
    loaded_free(&l);

    static const struct bad_text bad[] = {
        {"one CORS policy a text: two HTTPRoutes in one stream",
         "kind: HTTPRoute\n"
         "spec: {rules: [{filters: [{type: CORS, cors: {allowOrigins: [\"*\"]}}]}]}\n"
         "---\n"
         "kind: HTTPRoute\n"
         "spec: {rules: [{filters: [{type: CORS, cors: {allowOrigins: [\"*\"]}}]}]}\n",
         CORS_DIAG_TEXT_DUPLICATE_KEY, 5, 40},
    };
    CHECK_BAD_TEXTS(bad);
}
END_TEST

START_TEST(two_policies_error)
{
    static const struct bad_text bad[] = {
        {"one CORS policy a text: two AgentgatewayPolicies",
         "kind: AgentgatewayPolicy\n"
         "spec: {traffic: {cors: {allowOrigins: [\"*\"]}}}\n"
         "---\n"
         "kind: AgentgatewayPolicy\n"
         "spec: {traffic: {cors: {allowOrigins: [\"*\"]}}}\n",
         CORS_DIAG_TEXT_DUPLICATE_KEY, 5, 18},
        {"one CORS policy a text: a bare filter next to a Kubernetes document",
         "allowOrigins: [\"*\"]\n"
         "---\n"
         "kind: AgentgatewayPolicy\n"
         "spec: {traffic: {cors: {allowOrigins: [\"*\"]}}}\n",
         CORS_DIAG_TEXT_DUPLICATE_KEY, 4, 18},
        {"one CORS policy a text: two bare documents",
         "allowOrigins: [\"*\"]\n---\nallowOrigins: [\"*\"]\n", CORS_DIAG_TEXT_DUPLICATE_KEY, 3, 1},
    };
    CHECK_BAD_TEXTS(bad);
}
END_TEST

START_TEST(ignored_policy_level_still_checked)
{
    /* the ignored policy-level CORS is still checked for text errors */
    struct loaded l =
        load_bad("kind: HTTPRoute\n"
                 "spec: {rules: [{filters: [{type: CORS, cors: {allowOrigins: [\"*\"]}}]}]}\n"
                 "---\n"
                 "kind: AgentgatewayPolicy\n"
                 "spec:\n"
                 "  traffic:\n"
                 "    cors:\n"
                 "      maxAge: soon\n");
    assert_diag_at(l.diags, CORS_DIAG_TEXT_WRONG_TYPE, 8, 15);
    assert_diag_at(l.diags, CORS_DIAG_TEXT_BOTH_LEVELS, 7, 5);
    loaded_free(&l);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* maxAge durations                                                         */
/* ------------------------------------------------------------------------ */

START_TEST(durations_accepted)
{
    static const struct {
        const char *yaml;
        const char *want;
    } cases[] = {
        {"600", "600"},
        {"\"600\"", "600"},
        {"'0'", "0"},
        {"0", "0"},
        {"90s", "90"},
        {"10m", "600"},
        {"1h", "3600"},
        {"1h30m", "5400"},
        {"2h45m10s", "9910"},
        {"\"1m30s\"", "90"},
        {"0s", "0"},
        {"+5", "5"},
        {"2147483647", "2147483647"},
        {"596523h", "2147482800"},
        {"596523h14m7s", "2147483647"},
        {"0h0m0s", "0"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text), "allowOrigins: [\"https://a.example\"]\nmaxAge: %s\n",
                 cases[i].yaml);
        ck_assert_msg(strcmp(max_age_of(text), cases[i].want) == 0, "maxAge %s: got %s want %s",
                      cases[i].yaml, max_age_of(text), cases[i].want);
    }
}
END_TEST

START_TEST(durations_rejected)
{
    static const struct {
        const char *yaml;
        enum cors_diag_code code;
    } cases[] = {
        {"-5", CORS_DIAG_MAX_AGE_OUT_OF_RANGE},
        {"-1", CORS_DIAG_MAX_AGE_OUT_OF_RANGE},
        {"\"-5s\"", CORS_DIAG_MAX_AGE_OUT_OF_RANGE},
        {"2147483648", CORS_DIAG_MAX_AGE_OUT_OF_RANGE},
        {"99999999999999999999999", CORS_DIAG_MAX_AGE_OUT_OF_RANGE},
        {"596524h", CORS_DIAG_MAX_AGE_OUT_OF_RANGE},
        {"596523h14m8s", CORS_DIAG_MAX_AGE_OUT_OF_RANGE},
        {"1.5", CORS_DIAG_TEXT_WRONG_TYPE},
        {"1.5h", CORS_DIAG_TEXT_WRONG_TYPE},
        {"500ms", CORS_DIAG_TEXT_WRONG_TYPE},
        {"10x", CORS_DIAG_TEXT_WRONG_TYPE},
        {"1m1h", CORS_DIAG_TEXT_WRONG_TYPE},
        {"1h1h", CORS_DIAG_TEXT_WRONG_TYPE},
        {"1h30", CORS_DIAG_TEXT_WRONG_TYPE},
        {"h", CORS_DIAG_TEXT_WRONG_TYPE},
        {"\"\"", CORS_DIAG_TEXT_WRONG_TYPE},
        {"\" 5\"", CORS_DIAG_TEXT_WRONG_TYPE},
        {"1e3", CORS_DIAG_TEXT_WRONG_TYPE},
        {"true", CORS_DIAG_TEXT_WRONG_TYPE},
        {"[5]", CORS_DIAG_TEXT_WRONG_TYPE},
        {"{s: 5}", CORS_DIAG_TEXT_WRONG_TYPE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text), "allowOrigins: [\"https://a.example\"]\nmaxAge: %s\n",
                 cases[i].yaml);
        struct loaded l = load_s(text);
        ck_assert_msg(l.load_status == CORS_E_INVALID_POLICY, "maxAge %s accepted", cases[i].yaml);
        ck_assert_uint_eq(cors_diagnostics_count(l.diags), 1);
        const struct cors_diagnostic *g = cors_diagnostics_get(l.diags, 0);
        ck_assert_msg(g->code == cases[i].code, "maxAge %s: code %s", cases[i].yaml,
                      cors_diag_code_name(g->code));
        ck_assert_int_eq(g->severity, CORS_SEVERITY_ERROR);
        ck_assert_int_eq(g->field, CORS_FIELD_MAX_AGE);
        ck_assert_uint_eq(g->line, 2);
        ck_assert_uint_eq(g->column, 9);
        loaded_free(&l);
    }
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Error paths, each with its line and column                               */
/* ------------------------------------------------------------------------ */

START_TEST(error_unknown_key)
{
    struct loaded l = load_bad("allowOrigins: [\"https://a.example\"]\n"
                               "  # a comment\n"
                               "allowCredential: true\n"
                               "frobnicate: 1\n");
    ck_assert_uint_eq(count_diag(l.diags, CORS_DIAG_TEXT_UNKNOWN_KEY), 2);
    assert_diag_at(l.diags, CORS_DIAG_TEXT_UNKNOWN_KEY, 3, 1);
    assert_diag_at(l.diags, CORS_DIAG_TEXT_UNKNOWN_KEY, 4, 1);
    const struct cors_diagnostic *g = find_diag(l.diags, CORS_DIAG_TEXT_UNKNOWN_KEY);
    ck_assert_ptr_nonnull(strstr(g->message.ptr, "allowCredentials"));
    ck_assert_int_eq(g->severity, CORS_SEVERITY_ERROR);
    loaded_free(&l);
}
END_TEST

START_TEST(error_duplicate_key)
{
    struct loaded l = load_bad("allowOrigins: [\"https://a.example\"]\n"
                               "maxAge: 5\n"
                               "maxAge: 6\n");
    assert_diag_at(l.diags, CORS_DIAG_TEXT_DUPLICATE_KEY, 3, 1);
    const struct cors_diagnostic *g = find_diag(l.diags, CORS_DIAG_TEXT_DUPLICATE_KEY);
    ck_assert_int_eq(g->field, CORS_FIELD_MAX_AGE);
    ck_assert_ptr_nonnull(strstr(g->message.ptr, "line 2"));
    loaded_free(&l);

    static const struct bad_text bad[] = {
        {"duplicate structural keys of a Kubernetes document",
         "kind: AgentgatewayPolicy\n"
         "spec:\n"
         "  traffic:\n"
         "    cors: {allowOrigins: [\"*\"]}\n"
         "    cors: {allowOrigins: [\"*\"]}\n",
         CORS_DIAG_TEXT_DUPLICATE_KEY, 5, 5},
    };
    CHECK_BAD_TEXTS(bad);
}
END_TEST

START_TEST(error_wrong_types)
{
    struct loaded l = load_bad("allowOrigins: https://a.example\n"       /* 1: not a list */
                               "allowMethods: [GET, 12, true, ~, [x]]\n" /* 2 */
                               "allowCredentials: \"true\"\n"            /* 3 */
                               "allowPrivateNetwork: yes\n"              /* 4 */
                               "preflightStatus: \"204\"\n"              /* 5 */
                               "rejectStatus: 4.03\n"                    /* 6 */
                               "reportOnly: [true]\n"                    /* 7 */
                               "exposeHeaders: {a: b}\n");               /* 8 */
    assert_diag_at(l.diags, CORS_DIAG_TEXT_WRONG_TYPE, 1, 15);
    assert_diag_at(l.diags, CORS_DIAG_TEXT_WRONG_TYPE, 2, 21);
    assert_diag_at(l.diags, CORS_DIAG_TEXT_WRONG_TYPE, 2, 25);
    assert_diag_at(l.diags, CORS_DIAG_TEXT_WRONG_TYPE, 2, 31);
    assert_diag_at(l.diags, CORS_DIAG_TEXT_WRONG_TYPE, 2, 34);
    assert_diag_at(l.diags, CORS_DIAG_TEXT_WRONG_TYPE, 3, 19);
    assert_diag_at(l.diags, CORS_DIAG_TEXT_WRONG_TYPE, 4, 22);
    assert_diag_at(l.diags, CORS_DIAG_TEXT_WRONG_TYPE, 5, 18);
    assert_diag_at(l.diags, CORS_DIAG_TEXT_WRONG_TYPE, 6, 15);
    assert_diag_at(l.diags, CORS_DIAG_TEXT_WRONG_TYPE, 7, 13);
    assert_diag_at(l.diags, CORS_DIAG_TEXT_WRONG_TYPE, 8, 16);
    ck_assert_uint_eq(cors_diagnostics_count(l.diags), 11);
    /* fields and list indexes are filled in */
    for (size_t i = 0; i < cors_diagnostics_count(l.diags); i++) {
        const struct cors_diagnostic *g = cors_diagnostics_get(l.diags, i);
        ck_assert_int_ne(g->field, CORS_FIELD_NONE);
        if (g->line == 2) {
            ck_assert_int_eq(g->field, CORS_FIELD_ALLOW_METHODS);
            ck_assert_uint_eq(g->index, (size_t)(g->column == 21   ? 1
                                                 : g->column == 25 ? 2
                                                 : g->column == 31 ? 3
                                                                   : 4));
        } else {
            ck_assert_uint_eq(g->index, SIZE_MAX);
        }
    }
    loaded_free(&l);

    static const struct bad_text bad[] = {
        {"a status that does not fit an int", "allowOrigins: [\"*\"]\nrejectStatus: 99999999999\n",
         CORS_DIAG_STATUS_INVALID, 2, 15},
        {"the CORS filter's cors is a mapping (Gateway API HTTPCORSFilter)",
         "kind: HTTPRoute\nspec: {rules: [{filters: [{type: CORS, cors: [1]}]}]}\n",
         CORS_DIAG_TEXT_WRONG_TYPE, 2, 46},
        {"a CORS filter has its cors mapping",
         "kind: HTTPRoute\nspec: {rules: [{filters: [{type: CORS}]}]}\n", CORS_DIAG_TEXT_WRONG_TYPE,
         2, 34},
        {"a key is a string", "allowOrigins: [\"*\"]\n? [a]\n: b\n", CORS_DIAG_TEXT_WRONG_TYPE, 2,
         3},
        {"a document is a mapping, not a list", "- allowOrigins\n", CORS_DIAG_TEXT_WRONG_TYPE, 1,
         1},
        {"a JSON document is an object, not an array", "[\"https://a.example\"]",
         CORS_DIAG_TEXT_WRONG_TYPE, 1, 1},
    };
    CHECK_BAD_TEXTS(bad);
}
END_TEST

START_TEST(error_syntax)
{
    struct loaded l = load_bad("allowOrigins: [\"https://a.example\"\nmaxAge: 5\n");
    ck_assert_ptr_nonnull(find_diag(l.diags, CORS_DIAG_TEXT_SYNTAX));
    ck_assert_uint_eq(cors_diagnostics_count(l.diags), 1);
    ck_assert_uint_eq(find_diag(l.diags, CORS_DIAG_TEXT_SYNTAX)->line, 2);
    loaded_free(&l);

    static const struct bad_text bad[] = {
        {"YAML 1.2 indentation: a key less indented than its siblings", "a:\n  b: c\n d: e\n",
         CORS_DIAG_TEXT_SYNTAX, 3, 2},
        {"invalid UTF-8 (YAML 1.2 character set)",
         "allowOrigins: [\"https://a.example\"]\nmaxAge: \xff\n", CORS_DIAG_TEXT_SYNTAX, 2, 9},
    };
    CHECK_BAD_TEXTS(bad);

    l = load_bad("allowOrigins: [\"*\"]\nmaxAge: \"unterminated\n");
    ck_assert_ptr_nonnull(find_diag(l.diags, CORS_DIAG_TEXT_SYNTAX));
    loaded_free(&l);

    /* control characters */
    static const char nul[] = "allowOrigins: [\"*\"]\nx\0y: 1\n";
    l = load(nul, sizeof(nul) - 1, 0);
    ck_assert_int_eq(l.load_status, CORS_E_INVALID_POLICY);
    assert_diag_at(l.diags, CORS_DIAG_TEXT_SYNTAX, 2, 2);
    loaded_free(&l);
}
END_TEST

START_TEST(error_no_policy)
{
    static const char *texts[] = {
        "",
        "# only a comment\n",
        "---\n...\n",
        "kind: Service\nmetadata: {name: s}\n",
        "kind: HTTPRoute\nspec:\n  rules:\n    - backendRefs: [{name: b}]\n",
        "kind: HTTPRoute\nspec: {rules: [{filters: [{type: RequestMirror}]}]}\n",
        "kind: AgentgatewayPolicy\nspec: {traffic: {rateLimit: {}}}\n",
        "kind: [HTTPRoute]\n",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        struct loaded l = load_s(texts[i]);
        ck_assert_msg(l.load_status == CORS_E_INVALID_POLICY, "text %zu loaded", i);
        ck_assert_uint_eq(cors_diagnostics_count(l.diags), 1);
        ck_assert_int_eq(cors_diagnostics_get(l.diags, 0)->code, CORS_DIAG_TEXT_NO_POLICY);
        loaded_free(&l);
    }
    /* a NULL slice is an empty text */
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    ck_assert_int_eq(cors_policy_builder_load_text(b, (struct cors_str){NULL, 0}, 0, d),
                     CORS_E_INVALID_POLICY);
    ck_assert_ptr_nonnull(find_diag(d, CORS_DIAG_TEXT_NO_POLICY));
    cors_policy_builder_free(b);
    cors_diagnostics_free(d);
}
END_TEST

START_TEST(error_limits)
{
    /* over 1 MiB */
    size_t big = 1024 * 1024 + 1;
    char *text = malloc(big);
    ck_assert_ptr_nonnull(text);
    memset(text, ' ', big);
    memcpy(text, "allowOrigins: [\"*\"]\n", 20);
    struct loaded l = load(text, big, 0);
    ck_assert_int_eq(l.load_status, CORS_E_INVALID_POLICY);
    ck_assert_ptr_nonnull(find_diag(l.diags, CORS_DIAG_TEXT_TOO_LARGE));
    loaded_free(&l);
    /* exactly 1 MiB is accepted */
    l = load(text, big - 1, 0);
    ck_assert_int_eq(l.load_status, CORS_OK);
    loaded_free(&l);
    free(text);

    /* nesting deeper than 64 */
    char deep[256];
    size_t n = 0;
    n += (size_t)snprintf(deep, sizeof(deep), "x: ");
    for (int i = 0; i < 64; i++)
        deep[n++] = '[';
    for (int i = 0; i < 64; i++)
        deep[n++] = ']';
    deep[n] = '\0';
    l = load_s(deep);
    assert_diag_at(l.diags, CORS_DIAG_TEXT_TOO_LARGE, 1, 67);
    loaded_free(&l);
    /* 63 nested lists inside the root mapping are fine (no limit hit) */
    n = (size_t)snprintf(deep, sizeof(deep), "x: ");
    for (int i = 0; i < 63; i++)
        deep[n++] = '[';
    for (int i = 0; i < 63; i++)
        deep[n++] = ']';
    deep[n] = '\0';
    l = load_s(deep);
    ck_assert_ptr_null(find_diag(l.diags, CORS_DIAG_TEXT_TOO_LARGE));
    ck_assert_ptr_nonnull(find_diag(l.diags, CORS_DIAG_TEXT_UNKNOWN_KEY));
    loaded_free(&l);

    /* too many values */
    size_t cap = 400000;
    text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    n = (size_t)snprintf(text, cap, "allowOrigins: [");
    for (int i = 0; i < 120000; i++) {
        text[n++] = 'a';
        text[n++] = ',';
    }
    text[n++] = ']';
    l = load(text, n, 0);
    ck_assert_int_eq(l.load_status, CORS_E_INVALID_POLICY);
    ck_assert_ptr_nonnull(find_diag(l.diags, CORS_DIAG_TEXT_TOO_LARGE));
    loaded_free(&l);
    free(text);

    /* aliases are refused (no billion laughs) */
    l = load_bad("a: &a [x, x, x, x, x, x, x, x, x]\n"
                 "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                 "allowOrigins: *b\n");
    assert_diag_at(l.diags, CORS_DIAG_TEXT_TOO_LARGE, 2, 8);
    ck_assert_uint_eq(cors_diagnostics_count(l.diags), 1);
    loaded_free(&l);
}
END_TEST

START_TEST(error_not_echoed_raw)
{
    /* control characters and long input are not copied into messages */
    struct loaded l =
        load_bad("\"\\e[31mxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                 "xxxxxxxxxxxxxxxxxxxxxxxxxxx\": 1\n");
    const struct cors_diagnostic *g = find_diag(l.diags, CORS_DIAG_TEXT_UNKNOWN_KEY);
    ck_assert_ptr_nonnull(g);
    ck_assert_ptr_null(memchr(g->message.ptr, 0x1b, g->message.len));
    ck_assert_ptr_nonnull(strstr(g->message.ptr, "..."));
    ck_assert_uint_lt(g->message.len, 400);
    loaded_free(&l);
}
END_TEST

START_TEST(builder_diagnostics_have_positions)
{
    /* content errors found by the builder point into the text */
    struct loaded l = load_s("allowOrigins:\n"
                             "  - \"https://a.example\"\n"
                             "  - \"https://ex*mple.com\"\n"
                             "allowHeaders: [x-a, \"bad header\"]\n");
    ck_assert_int_eq(l.load_status, CORS_OK); /* the text itself is fine */
    ck_assert_ptr_null(l.policy);             /* the build is not */
    assert_diag_at(l.diags, CORS_DIAG_ORIGIN_WILDCARD_MISPLACED, 3, 5);
    assert_diag_at(l.diags, CORS_DIAG_HEADER_INVALID, 4, 21);
    const struct cors_diagnostic *g = find_diag(l.diags, CORS_DIAG_ORIGIN_WILDCARD_MISPLACED);
    ck_assert_int_eq(g->field, CORS_FIELD_ALLOW_ORIGINS);
    ck_assert_uint_eq(g->index, 1);
    loaded_free(&l);
}
END_TEST

START_TEST(builder_method_diagnostics_have_positions)
{
    struct loaded l = load_s("allowOrigins: [\"https://a.example\"]\n"
                             "allowMethods: [GET, \"BAD METHOD\", CONNECT]\n");
    ck_assert_int_eq(l.load_status, CORS_OK);
    ck_assert_ptr_null(l.policy);
    assert_diag_at(l.diags, CORS_DIAG_METHOD_INVALID, 2, 21);
    assert_diag_at(l.diags, CORS_DIAG_METHOD_FORBIDDEN, 2, 35);
    loaded_free(&l);
}
END_TEST

START_TEST(load_failure_is_sticky)
{
    /* a text with an error fails the builder: no build succeeds without what
     * the text would have added (cors.h, sticky builder errors) */
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    ck_assert_int_eq(cors_policy_builder_add_origin(b, S("https://code.example")), CORS_OK);
    ck_assert_int_eq(cors_policy_builder_load_text(
                         b, S("allowOrigins: [\"https://text.example\"]\nbogus: 1\n"), 0, d),
                     CORS_E_INVALID_POLICY);
    ck_assert_int_eq(cors_policy_builder_status(b), CORS_E_INVALID_POLICY);
    cors_diagnostics_clear(d);
    enum cors_status st = CORS_OK;
    ck_assert_ptr_null(cors_policy_build(b, 0, d, &st));
    ck_assert_int_eq(st, CORS_E_INVALID_POLICY);
    ck_assert_uint_eq(cors_diagnostics_count(d), 1);
    const struct cors_diagnostic *diag = cors_diagnostics_get(d, 0);
    ck_assert_int_eq(diag->code, CORS_DIAG_BUILDER_CALL_FAILED);
    ck_assert_ptr_nonnull(strstr(diag->message.ptr, "cors_policy_builder_load_text()"));
    cors_policy_builder_free(b);
    cors_diagnostics_free(d);
}
END_TEST

START_TEST(load_adds_to_builder)
{
    /* a good text adds to what the builder has */
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    ck_assert_int_eq(cors_policy_builder_add_origin(b, S("https://code.example")), CORS_OK);
    struct cors_policy *p;
    struct eval e;
    ck_assert_int_eq(
        cors_policy_builder_load_text(b, S("allowOrigins: [\"https://text.example\"]\n"), 0, d),
        CORS_OK);
    p = cors_policy_build(b, 0, d, NULL);
    ck_assert_ptr_nonnull(p);
    preflight(p, "https://text.example", "GET", &e);
    ck_assert(e.r.allowed);
    preflight(p, "https://code.example", "GET", &e);
    ck_assert(e.r.allowed);
    cors_policy_unref(p);
    cors_policy_builder_free(b);
    cors_diagnostics_free(d);
}
END_TEST

START_TEST(new_from_text_reports_everything)
{
    /* one call reports the text's errors and the builder's */
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    enum cors_status st = CORS_OK;
    struct cors_policy *p = cors_policy_new_from_text(
        S("allowOrigins: [\"https://a.example/path\"]\nmaxAgee: 5\n"), 0, NULL, d, &st);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(st, CORS_E_INVALID_POLICY);
    assert_diag_at(d, CORS_DIAG_TEXT_UNKNOWN_KEY, 2, 1);
    assert_diag_at(d, CORS_DIAG_ORIGIN_MALFORMED, 1, 16);
    cors_diagnostics_free(d);

    /* NULL diagnostics and status pointers are allowed */
    p = cors_policy_new_from_text(S("allowOrigins: [\"https://a.example\"]\n"), 0, NULL, NULL,
                                  NULL);
    ck_assert_ptr_nonnull(p);
    cors_policy_unref(p);
    p = cors_policy_new_from_text(S("bogus: 1\n"), 0, NULL, NULL, NULL);
    ck_assert_ptr_null(p);
}
END_TEST

START_TEST(tags_and_quoting)
{
    /* quoting makes a string; !!str too */
    struct loaded l = load_ok("allowOrigins: [\"https://a.example\"]\n"
                              "allowHeaders: [!!str true, \"null\", '12']\n");
    struct eval e;
    preflight(l.policy, "https://a.example", "GET", &e);
    assert_header(&e, "Access-Control-Allow-Headers", "true,null,12");
    loaded_free(&l);

    /* null values count as absent */
    l = load_ok("allowOrigins: [\"https://a.example\"]\nallowHeaders:\nexposeHeaders: ~\n"
                "allowCredentials: null\n");
    preflight(l.policy, "https://a.example", "GET", &e);
    assert_no_header(&e, "Access-Control-Allow-Headers");
    assert_no_header(&e, "Access-Control-Allow-Credentials");
    loaded_free(&l);

    /* the core schema's booleans */
    l = load_ok("allowOrigins: [\"https://a.example\"]\nallowCredentials: True\n");
    preflight(l.policy, "https://a.example", "GET", &e);
    assert_header(&e, "Access-Control-Allow-Credentials", "true");
    loaded_free(&l);
}
END_TEST

START_TEST(dump_shows_loaded_policy)
{
    struct loaded l = load_file("seed-httproute.yaml");
    size_t need = cors_policy_to_json(l.policy, NULL, 0);
    ck_assert_uint_gt(need, 0);
    char *buf = malloc(need + 1);
    ck_assert_uint_eq(cors_policy_to_json(l.policy, buf, need + 1), need);
    ck_assert_ptr_nonnull(strstr(buf, "\"https://example.com\""));
    ck_assert_ptr_nonnull(strstr(buf, "86400"));
    ck_assert_ptr_nonnull(strstr(buf, "x-httproute-header"));
    free(buf);
    loaded_free(&l);
}
END_TEST

struct budget {
    long left; /* allocations still allowed; < 0: unlimited */
    long live; /* allocated and not yet freed */
};

static void *
budget_malloc(size_t size, void *user)
{
    struct budget *b = user;
    if (b->left == 0)
        return NULL;
    if (b->left > 0)
        b->left--;
    void *p = malloc(size);
    if (p != NULL)
        b->live++;
    return p;
}

static void
budget_free(void *p, void *user)
{
    struct budget *b = user;
    if (p != NULL)
        b->live--;
    free(p);
}

START_TEST(allocation_failures)
{
    /* every allocation of the builder and the policy can fail: the result is
     * CORS_E_NOMEM or a policy, never a crash, and nothing is left allocated */
    size_t len;
    char *text = read_data("seed-both.yaml", &len);
    long needed = -1;
    for (long n = 0; n < 10000; n++) {
        struct budget b = {n, 0};
        struct cors_allocator a = {budget_malloc, budget_free, &b};
        struct cors_diagnostics *d = cors_diagnostics_new(NULL);
        enum cors_status st = CORS_OK;
        struct cors_policy *p =
            cors_policy_new_from_text((struct cors_str){text, len}, 0, &a, d, &st);
        if (p != NULL) {
            ck_assert_int_eq(st, CORS_OK);
            assert_source(p, "HTTPRoute httpbin/httpbin (document 1)");
            cors_policy_unref(p);
            needed = n;
        } else {
            ck_assert_msg(st == CORS_E_NOMEM, "budget %ld: status %s", n, cors_status_name(st));
        }
        ck_assert_msg(b.live == 0, "budget %ld: %ld allocations left", n, b.live);
        cors_diagnostics_free(d);
        if (p != NULL)
            break;
    }
    ck_assert_msg(needed > 0, "never built");
    free(text);
}
END_TEST

START_TEST(null_arguments)
{
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    ck_assert_int_eq(cors_policy_builder_load_text(NULL, S("{}"), 0, d), CORS_E_INVALID_ARGUMENT);
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    ck_assert_int_eq(cors_policy_builder_load_text(b, (struct cors_str){NULL, 3}, 0, d),
                     CORS_E_INVALID_ARGUMENT);
    /* diags may be NULL */
    ck_assert_int_eq(cors_policy_builder_load_text(b, S("bogus: 1\n"), 0, NULL),
                     CORS_E_INVALID_POLICY);
    ck_assert_int_eq(cors_policy_builder_load_text(b, S("allowOrigins: [\"*\"]\n"), 0, NULL),
                     CORS_OK);
    cors_policy_builder_free(b);
    enum cors_status st = CORS_OK;
    ck_assert_ptr_null(cors_policy_new_from_text((struct cors_str){NULL, 3}, 0, NULL, d, &st));
    ck_assert_int_eq(st, CORS_E_INVALID_ARGUMENT);
    cors_diagnostics_free(d);
}
END_TEST

#else /* !TEXT_HAVE_YAML */

START_TEST(unsupported_without_libyaml)
{
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    ck_assert_int_eq(cors_policy_builder_load_text(b, S("allowOrigins: [\"*\"]\n"), 0, d),
                     CORS_E_UNSUPPORTED);
    ck_assert_uint_eq(cors_diagnostics_count(d), 1);
    const struct cors_diagnostic *g = cors_diagnostics_get(d, 0);
    ck_assert_int_eq(g->code, CORS_DIAG_TEXT_UNSUPPORTED);
    ck_assert_int_eq(g->severity, CORS_SEVERITY_ERROR);
    ck_assert_ptr_nonnull(strstr(g->message.ptr, "libyaml"));
    cors_policy_builder_free(b);
    enum cors_status st = CORS_OK;
    ck_assert_ptr_null(cors_policy_new_from_text(S("allowOrigins: [\"*\"]\n"), 0, NULL, d, &st));
    ck_assert_int_eq(st, CORS_E_UNSUPPORTED);
    cors_diagnostics_free(d);
}
END_TEST

#endif

static Suite *
text_suite(void)
{
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("loader");
    tcase_set_timeout(tc, 60);
#if TEXT_HAVE_YAML
    tcase_add_loop_test(tc, seed_block, 0, (int)(sizeof seed_blocks / sizeof seed_blocks[0]));
    tcase_add_test(tc, seed_both_route_wins);
    tcase_add_test(tc, seed_both_policy_first);
    tcase_add_test(tc, seed_indented_as_in_guide);
    tcase_add_test(tc, seed_strict);
    tcase_add_test(tc, bare_mapping_all_fields);
    tcase_add_test(tc, bare_mapping_extensions_forward_report_only);
    tcase_add_test(tc, bare_mapping_no_default_max_age);
    tcase_add_test(tc, cors_wrapper);
    tcase_add_test(tc, gateway_default_max_age);
    tcase_add_test(tc, json_shapes);
    tcase_add_test(tc, multi_document_stream);
    tcase_add_test(tc, kubernetes_outside_cors_not_validated);
    tcase_add_test(tc, two_route_filters_error);
    tcase_add_test(tc, two_policies_error);
    tcase_add_test(tc, ignored_policy_level_still_checked);
    tcase_add_test(tc, durations_accepted);
    tcase_add_test(tc, durations_rejected);
    tcase_add_test(tc, error_unknown_key);
    tcase_add_test(tc, error_duplicate_key);
    tcase_add_test(tc, error_wrong_types);
    tcase_add_test(tc, error_syntax);
    tcase_add_test(tc, error_no_policy);
    tcase_add_test(tc, error_limits);
    tcase_add_test(tc, error_not_echoed_raw);
    tcase_add_test(tc, builder_diagnostics_have_positions);
    tcase_add_test(tc, builder_method_diagnostics_have_positions);
    tcase_add_test(tc, load_failure_is_sticky);
    tcase_add_test(tc, load_text_strict_flag);
    tcase_add_test(tc, keys_0_2);
    tcase_add_test(tc, gateway_api_fidelity);
    tcase_add_test(tc, gateway_api_limits);
    tcase_add_test(tc, load_adds_to_builder);
    tcase_add_test(tc, new_from_text_reports_everything);
    tcase_add_test(tc, tags_and_quoting);
    tcase_add_test(tc, dump_shows_loaded_policy);
    tcase_add_test(tc, null_arguments);
    tcase_add_test(tc, allocation_failures);
#else
    tcase_add_test(tc, unsupported_without_libyaml);
#endif
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(text_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
