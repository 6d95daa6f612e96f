/*
 * Fuzz target: whole evaluation of random requests against fixed policies,
 * through the public API only, with an oracle checked on every result.
 *
 * Input layout (a short header, then length-prefixed strings):
 *   byte 0  policy index
 *   byte 1  bits 0-1 Origin line count (0-3); bits 2-3 method (OPTIONS, GET,
 *           from the data, POST); bit 4 Access-Control-Request-Method sent;
 *           bit 5 Access-Control-Request-Private-Network sent
 *   byte 2  Access-Control-Request-Headers line count (mod 12)
 *   then the origins, the method (when from the data), the request method,
 *   the request-header lines and the private-network value, each as one
 *   length byte L followed by L bytes, where L = 255 means a 16-bit
 *   little-endian length follows, 254 an absent value (NULL pointer) and
 *   253 a value from a table of interesting origins (index in the next byte).
 *
 * The oracle (docs/decisions.md): no CR/LF/NUL in any returned name or
 * value; an echoed origin equals the request's only Origin;
 * Access-Control-Allow-Credentials never without Access-Control-Allow-Origin
 * and never with "*"; "*" only from a public policy; "null" allowed only when
 * listed (or as "*" of a public policy); a result whose origin was denied, or
 * a preflight whose method or header list is malformed, carries no
 * Access-Control-* header, except the "*" and expose headers every
 * non-preflight response of a public policy carries; a preflight whose origin
 * is allowed gets the full answer even when allowed is false; report-only
 * returns no headers; an allowed origin is one the policy's entries can
 * match (checked against a small independent matcher per policy); an
 * evaluation is deterministic and reports the space it needs.
 *
 * SPDX-License-Identifier: MIT
 */
#include <cors/cors.h>

#include "fuzz-common.h"

#define MAX_LIST 8

struct fixed {
    const char *name;
    const char *origins[MAX_LIST];
    const char *regexes[MAX_LIST];
    const char *methods[MAX_LIST];
    const char *allow_headers[MAX_LIST];
    const char *expose[MAX_LIST];
    int64_t max_age;
    bool credentials, private_network, report_only, forward;
    int preflight_status, reject_status;
    /* oracle facts */
    bool public_star; /* "*" without credentials */
    bool any_origin;  /* "*" (with credentials: every valid origin echoed) */
    bool null_listed;
    bool (*could_match)(const char *p, size_t n); /* NULL: exact entries only */
};

static bool
has_prefix(const char *p, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && memcmp(p, lit, l) == 0;
}

static bool
has_suffix(const char *p, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && memcmp(p + n - l, lit, l) == 0;
}

static bool
all_digits(const char *p, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

/* the entries of "wildcards-null-forward": subdomains of example.com over
 * https, any port of http://localhost, any wss origin, and null */
static bool
wild_could_match(const char *p, size_t n)
{
    if (n == 4 && memcmp(p, "null", 4) == 0)
        return true;
    if (has_prefix(p, n, "https://") && has_suffix(p, n, ".example.com"))
        return n > 8 + 12 && memchr(p + 8, ':', n - 8) == NULL && p[n - 13] != '.';
    if (has_prefix(p, n, "http://localhost"))
        return n == 16 || (p[16] == ':' && all_digits(p + 17, n - 17));
    return has_prefix(p, n, "wss://");
}

/* exact https://exact.example.org; regexes over example.org and slow.test */
static bool
regex_could_match(const char *p, size_t n)
{
    return has_prefix(p, n, "https://") &&
           (has_suffix(p, n, ".example.org") || has_suffix(p, n, ".slow.test"));
}

static const struct fixed fixed[] = {
    {
        .name = "exact-credentials",
        .origins = {"https://app.example.com", "http://localhost:8080", "https://[::1]:8443",
                    "http://10.0.0.1", "chrome-extension://abcdef"},
        .methods = {"PUT", "DELETE", "X-CUSTOM"},
        .allow_headers = {"x-requested-with", "content-type", "authorization"},
        .expose = {"x-total", "etag"},
        .max_age = 600,
        .credentials = true,
        .private_network = true,
        .preflight_status = 200,
        .reject_status = 403,
    },
    {
        .name = "public",
        .origins = {"*"},
        .methods = {"*"},
        .allow_headers = {"*"},
        .expose = {"x-total"},
        .max_age = 0,
        .preflight_status = 204,
        .reject_status = 403,
        .public_star = true,
        .any_origin = true,
    },
    {
        .name = "star-credentials",
        .origins = {"*"},
        .methods = {"GET"},
        .allow_headers = {"*"},
        .max_age = CORS_MAX_AGE_UNSET,
        .credentials = true,
        .preflight_status = 200,
        .reject_status = 200,
        .any_origin = true,
    },
    {
        .name = "wildcards-null-forward",
        .origins = {"https://*.example.com", "http://localhost:*", "null", "wss://*:*"},
        .methods = {"*"},
        .allow_headers = {"*"},
        .expose = {"*"},
        .max_age = 7200,
        .private_network = true,
        .forward = true,
        .preflight_status = 200,
        .reject_status = 204,
        .null_listed = true,
        .could_match = wild_could_match,
    },
    {
        .name = "regex-report-only",
        .origins = {"https://exact.example.org"},
        .regexes = {"https://[a-z0-9-]+\\.example\\.org", "https://(a|aa)+\\.slow\\.test"},
        .methods = {"PATCH"},
        .allow_headers = {"x-a"},
        .max_age = CORS_MAX_AGE_UNSET,
        .report_only = true,
        .preflight_status = 200,
        .reject_status = 403,
        .could_match = regex_could_match,
    },
    {
        .name = "regex-credentials",
        .origins = {"https://exact.example.org"},
        .regexes = {"https://[a-z0-9-]+\\.example\\.org", "https://(a|aa)+\\.slow\\.test"},
        .methods = {"PATCH", "PUT"},
        .allow_headers = {"x-a", "x-b"},
        .expose = {"x-c"},
        .max_age = 5,
        .credentials = true,
        .preflight_status = 204,
        .reject_status = 403,
        .could_match = regex_could_match,
    },
};
#define NPOLICIES (sizeof fixed / sizeof fixed[0])

static struct cors_policy *policies[NPOLICIES];

static const char *const interesting[] = {
    "https://app.example.com", "http://localhost:8080", "https://[::1]:8443", "http://10.0.0.1",
    "chrome-extension://abcdef", "null", "https://a.example.com", "https://example.com",
    "http://localhost", "wss://x:1", "https://exact.example.org", "https://b.example.org",
    "https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.slow.test", "https://APP.example.com",
    "https://app.example.com:443", "*", "",
};
#define NINTERESTING (sizeof interesting / sizeof interesting[0])

static void
build_all(void)
{
    for (size_t i = 0; i < NPOLICIES; i++) {
        const struct fixed *f = &fixed[i];
        struct cors_policy_builder *b = cors_policy_builder_new(NULL);
        if (b == NULL)
            abort();
        for (size_t j = 0; j < MAX_LIST && f->origins[j]; j++)
            (void)cors_policy_builder_add_origin(b, cors_str_from_cstr(f->origins[j]));
        for (size_t j = 0; j < MAX_LIST && f->regexes[j]; j++)
            (void)cors_policy_builder_add_origin_regex(b, cors_str_from_cstr(f->regexes[j]));
        for (size_t j = 0; j < MAX_LIST && f->methods[j]; j++)
            (void)cors_policy_builder_add_method(b, cors_str_from_cstr(f->methods[j]));
        for (size_t j = 0; j < MAX_LIST && f->allow_headers[j]; j++)
            (void)cors_policy_builder_add_allow_header(b, cors_str_from_cstr(f->allow_headers[j]));
        for (size_t j = 0; j < MAX_LIST && f->expose[j]; j++)
            (void)cors_policy_builder_add_expose_header(b, cors_str_from_cstr(f->expose[j]));
        (void)cors_policy_builder_set_max_age(b, f->max_age);
        (void)cors_policy_builder_set_allow_credentials(b, f->credentials);
        (void)cors_policy_builder_set_allow_private_network(b, f->private_network);
        (void)cors_policy_builder_set_report_only(b, f->report_only);
        (void)cors_policy_builder_set_forward_rejected_preflights(b, f->forward);
        (void)cors_policy_builder_set_preflight_status(b, f->preflight_status);
        (void)cors_policy_builder_set_reject_status(b, f->reject_status);
        enum cors_status st;
        policies[i] = cors_policy_build(b, 0, NULL, &st);
        cors_policy_builder_free(b);
        if (policies[i] == NULL) {
            fprintf(stderr, "fixed policy %s does not build: %s\n", f->name, cors_status_name(st));
            abort();
        }
    }
}

struct reader {
    const uint8_t *p;
    size_t n;
};

static struct cors_str
take(struct reader *r)
{
    if (r->n == 0)
        return (struct cors_str){"", 0};
    size_t len = r->p[0];
    r->p++;
    r->n--;
    if (len == 254)
        return (struct cors_str){NULL, 0};
    if (len == 253) {
        size_t idx = 0;
        if (r->n > 0) {
            idx = r->p[0];
            r->p++;
            r->n--;
        }
        return cors_str_from_cstr(interesting[idx % NINTERESTING]);
    }
    if (len == 255) {
        len = 0;
        if (r->n >= 2) {
            len = (size_t)r->p[0] | (size_t)r->p[1] << 8;
            r->p += 2;
            r->n -= 2;
        }
    }
    if (len > r->n)
        len = r->n;
    struct cors_str s = {(const char *)r->p, len};
    r->p += len;
    r->n -= len;
    return s;
}

static bool
eq(struct cors_str s, const char *lit)
{
    size_t l = strlen(lit);
    return s.ptr != NULL && s.len == l && memcmp(s.ptr, lit, l) == 0;
}

static bool
same(struct cors_str a, struct cors_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static const char *const known_names[] = {
    "Access-Control-Allow-Origin",  "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
    "Access-Control-Max-Age",       "Access-Control-Expose-Headers",
    "Access-Control-Allow-Private-Network", "Vary",
};

static const struct cors_header *
find(const struct cors_result *res, const char *name)
{
    for (size_t i = 0; i < res->header_count; i++)
        if (eq(res->headers[i].name, name))
            return &res->headers[i];
    return NULL;
}

static bool
origin_reason(enum cors_reason r)
{
    return r == CORS_REASON_ORIGIN_NOT_ALLOWED || r == CORS_REASON_ORIGIN_MALFORMED ||
           r == CORS_REASON_ORIGIN_MULTIPLE || r == CORS_REASON_ORIGIN_TOO_LONG ||
           r == CORS_REASON_ORIGIN_REGEX_LIMIT;
}

static void
check(const struct fixed *f, const struct cors_request *rq, const struct cors_result *res)
{
    const char *reason = cors_reason_name(res->reason);
    bool preflight = rq->origin_count > 0 && eq(rq->method, "OPTIONS") &&
                     rq->request_method.ptr != NULL;

    /* classification */
    if (rq->origin_count == 0)
        FUZZ_CHECK(res->decision == CORS_DECISION_NOT_CORS && res->reason == CORS_REASON_NOT_CORS,
                   "no Origin: %s", reason);
    else
        FUZZ_CHECK(res->decision == (preflight ? CORS_DECISION_PREFLIGHT : CORS_DECISION_ACTUAL),
                   "decision %d", (int)res->decision);
    FUZZ_CHECK(res->allowed == (res->reason == CORS_REASON_ALLOWED), "allowed=%d reason %s",
               res->allowed, reason);
    FUZZ_CHECK(res->report_only == f->report_only, "report_only flag");
    FUZZ_CHECK(res->call_handler ? res->status == 0 : res->status != 0, "status %d", res->status);
    if (res->decision != CORS_DECISION_PREFLIGHT)
        FUZZ_CHECK(res->call_handler, "a non-preflight must reach the handler");
    if (res->decision == CORS_DECISION_ACTUAL)
        FUZZ_CHECK(res->reason == CORS_REASON_ALLOWED || origin_reason(res->reason),
                   "actual request with reason %s", reason);

    /* match attribution: an allowed origin names its entry (cors.h) */
    FUZZ_CHECK((res->matched_field == CORS_FIELD_NONE) == (res->matched_index == SIZE_MAX),
               "matched_field %d index %zu", (int)res->matched_field, res->matched_index);
    if (res->allowed)
        FUZZ_CHECK(res->matched_field == CORS_FIELD_ALLOW_ORIGINS ||
                       res->matched_field == CORS_FIELD_ALLOW_ORIGIN_REGEX,
                   "allowed without a matching entry");
    if (origin_reason(res->reason) || res->decision == CORS_DECISION_NOT_CORS)
        FUZZ_CHECK(res->matched_field == CORS_FIELD_NONE, "denied origin attributed");

    /* the response contract: a policy in force first removes every
     * Access-Control-* header; the rest is checked without that entry */
    FUZZ_CHECK(res->header_count <= CORS_HEADERS_MAX, "%zu headers", res->header_count);
    struct cors_result rest;
    if (!f->report_only) {
        FUZZ_CHECK(res->header_count >= 1 &&
                       res->headers[0].op == CORS_HEADER_REMOVE_ACCESS_CONTROL &&
                       eq(res->headers[0].name, "Access-Control-*") &&
                       res->headers[0].value.ptr != NULL && res->headers[0].value.len == 0,
                   "a result of a policy in force must start with REMOVE_ACCESS_CONTROL");
        rest = *res;
        rest.headers++;
        rest.header_count--;
        res = &rest;
    }
    /* every header: known name, clean value */
    for (size_t i = 0; i < res->header_count; i++) {
        const struct cors_header *h = &res->headers[i];
        bool known = false;
        for (size_t k = 0; k < sizeof known_names / sizeof known_names[0]; k++)
            known = known || eq(h->name, known_names[k]);
        FUZZ_CHECK(known, "unknown header name \"%.*s\"", (int)h->name.len, h->name.ptr);
        FUZZ_CHECK(h->value.ptr != NULL, "NULL value for %s", h->name.ptr);
        FUZZ_CHECK(fuzz_clean(h->value.ptr, h->value.len), "CR/LF/NUL in %.*s",
                   (int)h->name.len, h->name.ptr);
        FUZZ_CHECK(h->value.len > 0, "empty value for %.*s", (int)h->name.len, h->name.ptr);
        FUZZ_CHECK(h->op == CORS_HEADER_SET || h->op == CORS_HEADER_APPEND ||
                       h->op == CORS_HEADER_MERGE_VARY,
                   "op %d", (int)h->op);
        if (h->op == CORS_HEADER_APPEND)
            FUZZ_CHECK(i > 0 && same(res->headers[i - 1].name, h->name),
                       "APPEND does not follow its name");
    }

    if (f->report_only) {
        FUZZ_CHECK(res->header_count == 0 && res->call_handler && res->status == 0,
                   "report-only returned headers or a status");
        return;
    }

    const struct cors_header *acao = find(res, "Access-Control-Allow-Origin");
    const struct cors_header *acac = find(res, "Access-Control-Allow-Credentials");

    /* credentials */
    if (acac != NULL) {
        FUZZ_CHECK(acao != NULL, "credentials without Access-Control-Allow-Origin");
        FUZZ_CHECK(!eq(acao->value, "*"), "'*' with credentials");
        FUZZ_CHECK(eq(acac->value, "true") && f->credentials, "credentials value/policy");
    }
    /* the allowed origin */
    if (acao != NULL) {
        if (eq(acao->value, "*")) {
            FUZZ_CHECK(f->public_star, "'*' from a policy that is not public");
        } else {
            FUZZ_CHECK(rq->origin_count == 1 && rq->origins[0].ptr != NULL &&
                           same(acao->value, rq->origins[0]),
                       "echoed origin differs from the request's");
            FUZZ_CHECK(!origin_reason(res->reason), "origin echoed with reason %s", reason);
        }
    }

    bool origin_denied = origin_reason(res->reason);
    bool malformed_preflight = res->decision == CORS_DECISION_PREFLIGHT &&
                               (res->reason == CORS_REASON_METHOD_MALFORMED ||
                                res->reason == CORS_REASON_HEADERS_MALFORMED ||
                                res->reason == CORS_REASON_HEADERS_TOO_MANY_LINES);
    bool public_actual = f->public_star && res->decision != CORS_DECISION_PREFLIGHT;

    /* "null" is allowed only when listed (or answered "*" by a public policy) */
    if (rq->origin_count == 1 && eq(rq->origins[0], "null") && !origin_denied)
        FUZZ_CHECK(f->null_listed || f->public_star, "null allowed but not listed");
    if (acao != NULL && eq(acao->value, "null"))
        FUZZ_CHECK(f->null_listed, "null echoed but not listed");

    /* an allowed origin is one the entries can match */
    if (rq->origin_count == 1 && !origin_denied && res->decision != CORS_DECISION_NOT_CORS &&
        !f->any_origin) {
        struct cors_str o = rq->origins[0];
        bool listed = false;
        for (size_t j = 0; j < MAX_LIST && f->origins[j]; j++)
            listed = listed || eq(o, f->origins[j]);
        FUZZ_CHECK(listed || (f->could_match != NULL && f->could_match(o.ptr, o.len)),
                   "policy %s allowed origin \"%.*s\"", f->name, (int)o.len, o.ptr);
    }
    /* and a listed origin is allowed */
    if (rq->origin_count == 1 && rq->origins[0].ptr != NULL)
        for (size_t j = 0; j < MAX_LIST && f->origins[j]; j++)
            if (strchr(f->origins[j], '*') == NULL && eq(rq->origins[0], f->origins[j]))
                FUZZ_CHECK(!origin_denied, "listed origin %s denied: %s", f->origins[j], reason);

    if (public_actual) {
        /* identical for every non-preflight request: "*" and expose only */
        FUZZ_CHECK(acao != NULL && eq(acao->value, "*"), "public policy without '*'");
        FUZZ_CHECK(find(res, "Vary") == NULL, "public policy with Vary");
        FUZZ_CHECK((find(res, "Access-Control-Expose-Headers") != NULL) == (f->expose[0] != NULL),
                   "public response without its expose headers");
        for (size_t i = 0; i < res->header_count; i++)
            FUZZ_CHECK(eq(res->headers[i].name, "Access-Control-Allow-Origin") ||
                           eq(res->headers[i].name, "Access-Control-Expose-Headers"),
                       "public response with %.*s", (int)res->headers[i].name.len,
                       res->headers[i].name.ptr);
        return;
    }
    if (res->decision == CORS_DECISION_NOT_CORS || origin_denied || malformed_preflight) {
        /* a denied result carries no Access-Control-* header, only Vary */
        for (size_t i = 0; i < res->header_count; i++)
            FUZZ_CHECK(eq(res->headers[i].name, "Vary"), "denied (%s) result with %.*s", reason,
                       (int)res->headers[i].name.len, res->headers[i].name.ptr);
        FUZZ_CHECK(find(res, "Vary") != NULL, "denied result without Vary");
        if (res->decision == CORS_DECISION_PREFLIGHT)
            FUZZ_CHECK(res->call_handler == f->forward &&
                           res->status == (f->forward ? 0 : f->reject_status),
                       "rejected preflight: call_handler %d status %d", res->call_handler,
                       res->status);
        return;
    }

    /* the origin is allowed */
    FUZZ_CHECK(acao != NULL, "allowed origin without Access-Control-Allow-Origin (%s)", reason);
    FUZZ_CHECK((acac != NULL) == f->credentials, "credentials header vs policy");
    if (res->decision == CORS_DECISION_PREFLIGHT) {
        /* the full answer whatever the method/header verdict (docs/semantics.md §4.2) */
        FUZZ_CHECK(!res->call_handler && res->status == f->preflight_status,
                   "preflight status %d", res->status);
        FUZZ_CHECK(find(res, "Vary") != NULL, "preflight without Vary");
        FUZZ_CHECK(find(res, "Access-Control-Allow-Methods") != NULL, "preflight without methods");
        if (res->reason == CORS_REASON_PRIVATE_NETWORK_NOT_ALLOWED)
            FUZZ_CHECK(find(res, "Access-Control-Allow-Private-Network") == NULL,
                       "private network allowed and refused");
        FUZZ_CHECK((find(res, "Access-Control-Max-Age") != NULL) ==
                       (f->max_age != CORS_MAX_AGE_UNSET),
                   "Max-Age presence differs from the policy");
    } else {
        FUZZ_CHECK(res->call_handler, "actual request not handled");
        FUZZ_CHECK((find(res, "Access-Control-Expose-Headers") != NULL) == (f->expose[0] != NULL),
                   "expose headers presence differs from the policy");
        FUZZ_CHECK(find(res, "Vary") != NULL, "credentialed/listed policy without Vary: Origin");
    }
}

static void
run(const struct fixed *f, const struct cors_policy *p, const struct cors_request *rq)
{
    struct cors_header headers[CORS_HEADERS_MAX];
    struct cors_result res;
    memset(&res, 0x5a, sizeof res);
    enum cors_status st = cors_evaluate(p, rq, headers, CORS_HEADERS_MAX, &res);
    FUZZ_CHECK(st == CORS_OK, "status %s with %zu headers", cors_status_name(st),
               res.header_count);
    FUZZ_CHECK(res.headers == headers, "headers array");
    check(f, rq, &res);

    /* deterministic, and the size report works with no room at all */
    struct cors_result again;
    st = cors_evaluate(p, rq, NULL, 0, &again);
    FUZZ_CHECK(st == (res.header_count > 0 ? CORS_E_NOSPACE : CORS_OK), "capacity 0: %s",
               cors_status_name(st));
    FUZZ_CHECK(again.header_count == res.header_count && again.reason == res.reason &&
                   again.allowed == res.allowed && again.decision == res.decision &&
                   again.status == res.status && again.call_handler == res.call_handler,
               "second evaluation differs");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (policies[0] == NULL)
        build_all();
    if (size < 3)
        return 0;
    size_t pi = data[0] % NPOLICIES;
    unsigned flags = data[1];
    size_t nrh = data[2] % 12;
    struct reader r = {data + 3, size - 3};

    struct cors_str origins[3];
    size_t norigins = flags & 3;
    for (size_t i = 0; i < norigins; i++)
        origins[i] = take(&r);

    struct cors_request rq;
    memset(&rq, 0, sizeof rq);
    switch ((flags >> 2) & 3) {
    case 0:
        rq.method = CORS_STR("OPTIONS");
        break;
    case 1:
        rq.method = CORS_STR("GET");
        break;
    case 2:
        rq.method = take(&r);
        break;
    default:
        rq.method = CORS_STR("POST");
        break;
    }
    rq.origins = norigins > 0 ? origins : NULL;
    rq.origin_count = norigins;
    if (flags & 0x10) {
        rq.request_method = take(&r);
        if (rq.request_method.ptr == NULL)
            rq.request_method = CORS_STR("");
    }
    struct cors_str lines[12];
    for (size_t i = 0; i < nrh; i++)
        lines[i] = take(&r);
    rq.request_headers = nrh > 0 ? lines : NULL;
    rq.request_header_count = nrh;
    if (flags & 0x20)
        rq.request_private_network = take(&r);

    run(&fixed[pi], policies[pi], &rq);
    return 0;
}
