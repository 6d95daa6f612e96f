/*
 * The browser's side of CORS (cors_fetch_*), written from the Fetch standard
 * (fetch.spec.whatwg.org) rather than from libcors' own evaluation. Every
 * table row names the rule it checks: a section or definition of the
 * standard ("CORS check", "CORS-preflight fetch" step 7.5, ...), MIME
 * Sniffing's "parse a MIME type", Private Network Access, or RFC 9111.
 *
 * SPDX-License-Identifier: MIT
 */
#include "test-common.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Table rows give only the leading fields of a request (zero for the rest). */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define APP  "https://app.example"
#define OMIT CORS_FETCH_CREDENTIALS_OMIT
#define SAME CORS_FETCH_CREDENTIALS_SAME_ORIGIN
#define INCL CORS_FETCH_CREDENTIALS_INCLUDE

/* "Name: value" strings into headers (split at the first ':'). */
static size_t
parse_headers(const char *const *lines, struct cors_fetch_header *out, size_t cap)
{
    size_t n = 0;
    for (; lines != NULL && lines[n] != NULL; n++) {
        ck_assert_uint_lt(n, cap);
        const char *colon = strchr(lines[n], ':');
        ck_assert_msg(colon != NULL, "test bug: %s", lines[n]);
        out[n].name = (struct cors_str){lines[n], (size_t)(colon - lines[n])};
        out[n].value = cors_str_from_cstr(colon + 1);
    }
    return n;
}

struct req_case {
    const char *method;
    const char *const *headers;
    enum cors_fetch_credentials credentials;
    bool private_network;
    const char *origin; /* NULL: APP */
};

struct req_buf {
    struct cors_fetch_header h[64];
    struct cors_fetch_request r;
};

static const struct cors_fetch_request *
make_request(const struct req_case *c, struct req_buf *b)
{
    memset(b, 0, sizeof(*b));
    b->r.origin = cors_str_from_cstr(c->origin ? c->origin : APP);
    b->r.method = cors_str_from_cstr(c->method ? c->method : "GET");
    b->r.header_count = parse_headers(c->headers, b->h, 64);
    b->r.headers = b->h;
    b->r.credentials = c->credentials;
    b->r.private_network = c->private_network;
    return &b->r;
}

static void
assert_reason(enum cors_fetch_reason got, enum cors_fetch_reason want, const char *rule)
{
    ck_assert_msg(got == want, "[%s] reason %s, expected %s", rule, cors_fetch_reason_name(got),
                  cors_fetch_reason_name(want));
}

/* ============================================================ (a) the plan */

struct plan_case {
    const char *rule;
    struct req_case req;
    enum cors_fetch_reason reason;
    bool preflight;
    const char *acrh;        /* expected Access-Control-Request-Headers ("" none) */
    const char *method_sent; /* NULL: not checked */
};

#define LONG129                                                                                    \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
_Static_assert(sizeof(LONG129) - 1 == 129, "129 bytes");
#define LONG128                                                                                    \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

_Static_assert(sizeof(LONG128) - 1 == 128, "128 bytes");

/* clang-format off */
static const struct plan_case plan_cases[] = {
    /* Fetch "CORS-safelisted method" */
    { "safelisted method GET", { "GET" }, CORS_FETCH_OK, false, "", "GET" },
    { "safelisted method HEAD", { "HEAD" }, CORS_FETCH_OK, false, "", "HEAD" },
    { "safelisted method POST", { "POST" }, CORS_FETCH_OK, false, "", "POST" },
    { "PUT is not safelisted", { "PUT" }, CORS_FETCH_OK, true, "", "PUT" },
    { "DELETE is not safelisted", { "DELETE" }, CORS_FETCH_OK, true, "", "DELETE" },
    { "OPTIONS is not safelisted", { "OPTIONS" }, CORS_FETCH_OK, true, "", "OPTIONS" },
    { "PATCH is not safelisted", { "PATCH" }, CORS_FETCH_OK, true, "", "PATCH" },
    /* Fetch method "normalize": six methods are upper-cased, others kept */
    { "normalize: post -> POST (safelisted)", { "post" }, CORS_FETCH_OK, false, "", "POST" },
    { "normalize: gEt -> GET", { "gEt" }, CORS_FETCH_OK, false, "", "GET" },
    { "normalize: delete -> DELETE", { "delete" }, CORS_FETCH_OK, true, "", "DELETE" },
    { "normalize: patch stays patch", { "patch" }, CORS_FETCH_OK, true, "", "patch" },
    /* Fetch "forbidden method" and method token: fetch() throws */
    { "forbidden method CONNECT", { "CONNECT" }, CORS_FETCH_METHOD_FORBIDDEN, false, "", NULL },
    { "forbidden method trace (any case)", { "trace" }, CORS_FETCH_METHOD_FORBIDDEN, false, "",
      NULL },
    { "forbidden method TRACK", { "TRACK" }, CORS_FETCH_METHOD_FORBIDDEN, false, "", NULL },
    { "method must be a token", { "GE T" }, CORS_FETCH_METHOD_INVALID, false, "", NULL },
    { "method must not be empty", { "" }, CORS_FETCH_METHOD_INVALID, false, "", NULL },
    /* Headers append: a name is a token, a value has no NUL/CR/LF */
    { "header name must be a token", { "GET", LIST("X Bad: 1") }, CORS_FETCH_HEADER_INVALID, false,
      "", NULL },
    { "header value with LF inside", { "GET", LIST("X-A: a\nb") }, CORS_FETCH_HEADER_INVALID,
      false, "", NULL },
    { "header value: surrounding whitespace is trimmed, not invalid", { "GET",
      LIST("Accept:  text/html \t") }, CORS_FETCH_OK, false, "", "GET" },
    /* Fetch "CORS-safelisted request-header": Accept */
    { "Accept: any value without unsafe bytes", { "GET", LIST("Accept: application/json") },
      CORS_FETCH_OK, false, "", NULL },
    { "Accept: */* safelisted", { "GET", LIST("Accept: */*") }, CORS_FETCH_OK, false, "", NULL },
    { "Accept: unsafe byte '('", { "GET", LIST("Accept: text/(x)") }, CORS_FETCH_OK, true,
      "accept", NULL },
    { "Accept: unsafe byte '\"'", { "GET", LIST("Accept: a\"b") }, CORS_FETCH_OK, true, "accept",
      NULL },
    { "Accept: unsafe byte '@'", { "GET", LIST("Accept: a@b") }, CORS_FETCH_OK, true, "accept",
      NULL },
    { "Accept: HT is allowed", { "GET", LIST("Accept: a\tb") }, CORS_FETCH_OK, false, "", NULL },
    { "Accept: control byte 0x01", { "GET", LIST("Accept: a\001b") }, CORS_FETCH_OK, true,
      "accept", NULL },
    { "Accept: DEL 0x7F", { "GET", LIST("Accept: a\177b") }, CORS_FETCH_OK, true, "accept", NULL },
    /* Accept-Language / Content-Language: 0-9 A-Z a-z SP * , - . ; = */
    { "Accept-Language: en-US,en;q=0.9", { "GET", LIST("Accept-Language: en-US,en;q=0.9") },
      CORS_FETCH_OK, false, "", NULL },
    { "Content-Language: de-DE, *", { "GET", LIST("Content-Language: de-DE, *") }, CORS_FETCH_OK,
      false, "", NULL },
    { "Accept-Language: '_' not allowed", { "GET", LIST("Accept-Language: en_US") }, CORS_FETCH_OK,
      true, "accept-language", NULL },
    { "Content-Language: '/' not allowed", { "GET", LIST("Content-Language: a/b") }, CORS_FETCH_OK,
      true, "content-language", NULL },
    /* Content-Type: the three essences after "parse a MIME type" */
    { "Content-Type: text/plain", { "POST", LIST("Content-Type: text/plain") }, CORS_FETCH_OK,
      false, "", NULL },
    { "Content-Type: string body's text/plain;charset=UTF-8", { "POST",
      LIST("Content-Type: text/plain;charset=UTF-8") }, CORS_FETCH_OK, false, "", NULL },
    { "Content-Type: multipart/form-data; boundary=x", { "POST",
      LIST("Content-Type: multipart/form-data; boundary=x") }, CORS_FETCH_OK, false, "", NULL },
    { "Content-Type: application/x-www-form-urlencoded", { "POST",
      LIST("Content-Type: application/x-www-form-urlencoded") }, CORS_FETCH_OK, false, "", NULL },
    { "Content-Type: essence is case-insensitive (TEXT/Plain)", { "POST",
      LIST("Content-Type: TEXT/Plain") }, CORS_FETCH_OK, false, "", NULL },
    { "Content-Type: whitespace before ';' trimmed from the subtype", { "POST",
      LIST("Content-Type: text/plain ;charset=utf-8") }, CORS_FETCH_OK, false, "", NULL },
    { "Content-Type: application/json is not safelisted", { "POST",
      LIST("Content-Type: application/json") }, CORS_FETCH_OK, true, "content-type", NULL },
    { "Content-Type: no subtype fails the parse", { "POST", LIST("Content-Type: text/") },
      CORS_FETCH_OK, true, "content-type", NULL },
    { "Content-Type: no '/' fails the parse", { "POST", LIST("Content-Type: text") },
      CORS_FETCH_OK, true, "content-type", NULL },
    { "Content-Type: space inside the type fails the parse", { "POST",
      LIST("Content-Type: te xt/plain") }, CORS_FETCH_OK, true, "content-type", NULL },
    { "Content-Type: unsafe byte in a parameter ('\"')", { "POST",
      LIST("Content-Type: text/plain; charset=\"utf-8\"") }, CORS_FETCH_OK, true, "content-type",
      NULL },
    { "Content-Type: unsafe byte ':'", { "POST", LIST("Content-Type: text/plain; a=b:c") },
      CORS_FETCH_OK, true, "content-type", NULL },
    /* Range: "parse a single range header value", start required */
    { "Range: bytes=0-499", { "GET", LIST("Range: bytes=0-499") }, CORS_FETCH_OK, false, "", NULL },
    { "Range: bytes=500- (no end)", { "GET", LIST("Range: bytes=500-") }, CORS_FETCH_OK, false, "",
      NULL },
    { "Range: bytes=-500 (no start) is not safelisted", { "GET", LIST("Range: bytes=-500") },
      CORS_FETCH_OK, true, "range", NULL },
    { "Range: two ranges", { "GET", LIST("Range: bytes=0-1,5-6") }, CORS_FETCH_OK, true, "range",
      NULL },
    { "Range: start after end", { "GET", LIST("Range: bytes=10-9") }, CORS_FETCH_OK, true, "range",
      NULL },
    { "Range: start after end, compared as numbers", { "GET", LIST("Range: bytes=0010-9") },
      CORS_FETCH_OK, true, "range", NULL },
    { "Range: big numbers compared without overflow", { "GET",
      LIST("Range: bytes=99999999999999999999-100000000000000000000") }, CORS_FETCH_OK, false, "",
      NULL },
    { "Range: whitespace not allowed", { "GET", LIST("Range: bytes= 0-1") }, CORS_FETCH_OK, true,
      "range", NULL },
    { "Range: unit other than bytes", { "GET", LIST("Range: items=0-1") }, CORS_FETCH_OK, true,
      "range", NULL },
    /* 128-byte value limit */
    { "value of 128 bytes is safelisted", { "GET", LIST("Accept: " LONG128) }, CORS_FETCH_OK,
      false, "", NULL },
    { "value of 129 bytes is not", { "GET", LIST("Accept: " LONG129) }, CORS_FETCH_OK, true,
      "accept", NULL },
    /* any other name is unsafe */
    { "X-Token is unsafe", { "GET", LIST("X-Token: abc") }, CORS_FETCH_OK, true, "x-token", NULL },
    { "Authorization is unsafe", { "GET", LIST("Authorization: Bearer x") }, CORS_FETCH_OK, true,
      "authorization", NULL },
    /* "CORS-unsafe request-header names": lower-cased, deduplicated, sorted, "," */
    { "names sorted, lower-cased, deduplicated", { "PUT", LIST("X-B: 1", "x-a: 2", "X-b: 3",
      "Content-Type: application/json", "Accept: text/html") }, CORS_FETCH_OK, true,
      "content-type,x-a,x-b", "PUT" },
    { "sorting is by byte value ('-' before 'a')", { "GET", LIST("X-AB: 1", "X-A-B: 2") },
      CORS_FETCH_OK, true, "x-a-b,x-ab", NULL },
    /* "forbidden request-header": dropped silently, never listed */
    { "Cookie is dropped", { "GET", LIST("Cookie: a=b") }, CORS_FETCH_OK, false, "", NULL },
    { "Sec- prefix dropped", { "GET", LIST("Sec-Fetch-Mode: cors", "X-A: 1") }, CORS_FETCH_OK,
      true, "x-a", NULL },
    { "Proxy- prefix dropped", { "GET", LIST("Proxy-Authorization: x") }, CORS_FETCH_OK, false, "",
      NULL },
    { "X-HTTP-Method-Override naming TRACE dropped", { "GET",
      LIST("X-HTTP-Method-Override: GET, trace") }, CORS_FETCH_OK, false, "", NULL },
    { "X-HTTP-Method-Override naming PATCH is sent (unsafe)", { "GET",
      LIST("X-HTTP-Method-Override: PATCH") }, CORS_FETCH_OK, true, "x-http-method-override",
      NULL },
    /* Private Network Access: a preflight for every request */
    { "private network forces a preflight", { "GET", NULL, OMIT, true }, CORS_FETCH_OK, true, "",
      "GET" },
    /* credentials do not change the plan */
    { "credentials do not make a preflight", { "GET", NULL, INCL }, CORS_FETCH_OK, false, "",
      NULL },
};
/* clang-format on */

START_TEST(test_plan_table)
{
    const struct plan_case *c = &plan_cases[_i];
    struct req_buf b;
    const struct cors_fetch_request *r = make_request(&c->req, &b);
    struct cors_fetch_plan plan;
    char buf[512];
    memset(buf, 'Z', sizeof(buf));
    ck_assert_int_eq(cors_fetch_plan(r, buf, sizeof(buf), &plan), CORS_OK);
    assert_reason(plan.reason, c->reason, c->rule);
    if (c->reason != CORS_FETCH_OK)
        return;
    ck_assert_msg(plan.preflight == c->preflight, "[%s] preflight %d", c->rule, plan.preflight);
    ck_assert_msg(strcmp(buf, c->acrh) == 0, "[%s] ACRH '%s', expected '%s'", c->rule, buf,
                  c->acrh);
    ck_assert_uint_eq(plan.request_headers_len, strlen(c->acrh));
    if (*c->acrh) {
        ck_assert_ptr_eq(plan.request_headers.ptr, buf);
        ck_assert_uint_eq(plan.request_headers.len, strlen(c->acrh));
    } else {
        ck_assert_ptr_null(plan.request_headers.ptr);
    }
    if (c->method_sent != NULL)
        ck_assert_msg(plan.method.len == strlen(c->method_sent) &&
                          memcmp(plan.method.ptr, c->method_sent, plan.method.len) == 0,
                      "[%s] method %.*s", c->rule, (int)plan.method.len, plan.method.ptr);
}
END_TEST

/* "CORS-unsafe request-header names": safelisted values over 1024 bytes in
 * total make every header unsafe. */
START_TEST(test_plan_total_1024)
{
    /* 8 Accept-Language values of 128 bytes = 1024: still safelisted */
    char v[129];
    memset(v, 'a', 128);
    v[128] = '\0';
    struct cors_fetch_header h[9];
    for (int i = 0; i < 9; i++)
        h[i] = (struct cors_fetch_header){CORS_STR("Accept-Language"), {v, 128}};
    struct cors_fetch_request r = {
        .origin = CORS_STR(APP), .method = CORS_STR("GET"), .headers = h, .header_count = 8};
    struct cors_fetch_plan plan;
    char buf[64];
    ck_assert_int_eq(cors_fetch_plan(&r, buf, sizeof buf, &plan), CORS_OK);
    ck_assert(!plan.preflight);
    ck_assert(!plan.safelist_total_exceeded);
    /* one more byte anywhere: all of them unsafe, listed once */
    h[8] = (struct cors_fetch_header){CORS_STR("Accept"), CORS_STR("x")};
    r.header_count = 9;
    ck_assert_int_eq(cors_fetch_plan(&r, buf, sizeof buf, &plan), CORS_OK);
    ck_assert(plan.preflight);
    ck_assert(plan.safelist_total_exceeded);
    ck_assert_str_eq(buf, "accept,accept-language");
    ck_assert_uint_eq(plan.unsafe_header_count, 2);
    /* unsafe values do not count toward the total */
    h[8] = (struct cors_fetch_header){CORS_STR("X-Big"), {v, 128}};
    ck_assert_int_eq(cors_fetch_plan(&r, buf, sizeof buf, &plan), CORS_OK);
    ck_assert(!plan.safelist_total_exceeded);
    ck_assert_str_eq(buf, "x-big");
}
END_TEST

/* The Access-Control-Request-Headers value is written like snprintf. */
START_TEST(test_plan_buffer)
{
    static const char *const hs[] = {"X-One: 1", "X-Two: 2", NULL};
    struct req_buf b;
    const struct cors_fetch_request *r = make_request(&(struct req_case){"GET", hs}, &b);
    struct cors_fetch_plan plan;
    const char *want = "x-one,x-two";
    size_t n = strlen(want);
    ck_assert_int_eq(cors_fetch_plan(r, NULL, 0, &plan), CORS_E_NOSPACE);
    ck_assert_uint_eq(plan.request_headers_len, n);
    ck_assert(plan.preflight);
    ck_assert_ptr_null(plan.request_headers.ptr);
    char buf[32];
    for (size_t size = 1; size <= n; size++) {
        memset(buf, 'Z', sizeof buf);
        ck_assert_int_eq(cors_fetch_plan(r, buf, size, &plan), CORS_E_NOSPACE);
        ck_assert_uint_eq(plan.request_headers_len, n);
        ck_assert_uint_lt(strlen(buf), size); /* NUL-terminated inside the buffer */
        ck_assert_int_eq(buf[size], 'Z');     /* nothing written past it */
    }
    ck_assert_int_eq(cors_fetch_plan(r, buf, n + 1, &plan), CORS_OK);
    ck_assert_str_eq(buf, want);
    /* no unsafe header: an empty string, CORS_OK even with size 0 */
    b.r.header_count = 0;
    ck_assert_int_eq(cors_fetch_plan(r, NULL, 0, &plan), CORS_OK);
    ck_assert_uint_eq(plan.request_headers_len, 0);
}
END_TEST

START_TEST(test_plan_counts)
{
    static const char *const hs[] = {"Cookie: a", "Host: x", "X-A: 1", "x-a: 2", NULL};
    struct req_buf b;
    const struct cors_fetch_request *r = make_request(&(struct req_case){"GET", hs}, &b);
    struct cors_fetch_plan plan;
    char buf[32];
    ck_assert_int_eq(cors_fetch_plan(r, buf, sizeof buf, &plan), CORS_OK);
    ck_assert_uint_eq(plan.forbidden_header_count, 2);
    ck_assert_uint_eq(plan.unsafe_header_count, 1);
    ck_assert(!plan.method_unsafe);
}
END_TEST

/* ================================================= (b) the preflight check */

struct pf_case {
    const char *rule;
    struct req_case req;
    int status;
    const char *const *response;
    enum cors_fetch_reason reason;
    const char *detail; /* NULL: not checked */
};

#define ACAO_APP "Access-Control-Allow-Origin: " APP

/* clang-format off */
static const struct pf_case pf_cases[] = {
    /* "CORS check" */
    { "CORS check: exact origin", { "PUT" }, 200, LIST(ACAO_APP,
      "Access-Control-Allow-Methods: PUT"), CORS_FETCH_OK, NULL },
    { "CORS check step 2: no ACAO", { "PUT" }, 200, LIST("Access-Control-Allow-Methods: PUT"),
      CORS_FETCH_ALLOW_ORIGIN_MISSING, NULL },
    { "CORS check step 3: '*' without credentials", { "PUT" }, 200,
      LIST("Access-Control-Allow-Origin: *", "Access-Control-Allow-Methods: PUT"), CORS_FETCH_OK,
      NULL },
    { "CORS check step 3: '*' with credentials fails", { "PUT", NULL, INCL }, 200,
      LIST("Access-Control-Allow-Origin: *", "Access-Control-Allow-Credentials: true",
      "Access-Control-Allow-Methods: PUT"), CORS_FETCH_ALLOW_ORIGIN_STAR_CREDENTIALS, "*" },
    { "CORS check step 4: other origin", { "PUT" }, 200,
      LIST("Access-Control-Allow-Origin: https://other.example"), CORS_FETCH_ALLOW_ORIGIN_MISMATCH,
      "https://other.example" },
    { "CORS check step 4: byte-exact (case)", { "PUT" }, 200,
      LIST("Access-Control-Allow-Origin: https://APP.example"), CORS_FETCH_ALLOW_ORIGIN_MISMATCH,
      NULL },
    { "CORS check step 4: trailing slash differs", { "PUT" }, 200,
      LIST("Access-Control-Allow-Origin: " APP "/"), CORS_FETCH_ALLOW_ORIGIN_MISMATCH, NULL },
    { "CORS check: surrounding whitespace of the value ignored", { "PUT" }, 200,
      LIST("Access-Control-Allow-Origin:  " APP " ", "Access-Control-Allow-Methods: PUT"),
      CORS_FETCH_OK, NULL },
    { "CORS check 'get': two ACAO lines combine and fail", { "PUT" }, 200, LIST(ACAO_APP, ACAO_APP,
      "Access-Control-Allow-Methods: PUT"), CORS_FETCH_ALLOW_ORIGIN_MULTIPLE, NULL },
    { "CORS check: a list in one ACAO line fails", { "PUT" }, 200,
      LIST("Access-Control-Allow-Origin: " APP ", https://b.example"),
      CORS_FETCH_ALLOW_ORIGIN_MULTIPLE, NULL },
    { "CORS check: header names are case-insensitive", { "PUT" }, 200,
      LIST("access-control-allow-ORIGIN: " APP, "ACCESS-CONTROL-ALLOW-METHODS: PUT"),
      CORS_FETCH_OK, NULL },
    { "CORS check: Origin null matches ACAO null", { "PUT", NULL, OMIT, false, "null" }, 200,
      LIST("Access-Control-Allow-Origin: null", "Access-Control-Allow-Methods: PUT"),
      CORS_FETCH_OK, NULL },
    { "CORS check steps 6-8: credentials need ACAC true", { "PUT", NULL, INCL }, 200,
      LIST(ACAO_APP, "Access-Control-Allow-Methods: PUT"), CORS_FETCH_ALLOW_CREDENTIALS_NOT_TRUE,
      NULL },
    { "CORS check step 7: ACAC 'True' is not `true`", { "PUT", NULL, INCL }, 200, LIST(ACAO_APP,
      "Access-Control-Allow-Credentials: True", "Access-Control-Allow-Methods: PUT"),
      CORS_FETCH_ALLOW_CREDENTIALS_NOT_TRUE, "True" },
    { "CORS check step 7: two ACAC lines combine to 'true, true'", { "PUT", NULL, INCL }, 200,
      LIST(ACAO_APP, "Access-Control-Allow-Credentials: true",
      "Access-Control-Allow-Credentials: true", "Access-Control-Allow-Methods: PUT"),
      CORS_FETCH_ALLOW_CREDENTIALS_NOT_TRUE, NULL },
    { "CORS check: credentials with ACAC true pass", { "PUT", NULL, INCL }, 200, LIST(ACAO_APP,
      "Access-Control-Allow-Credentials: true", "Access-Control-Allow-Methods: PUT"),
      CORS_FETCH_OK, NULL },
    { "CORS check: same-origin mode is not 'include'", { "PUT", NULL, SAME }, 200,
      LIST("Access-Control-Allow-Origin: *", "Access-Control-Allow-Methods: PUT"), CORS_FETCH_OK,
      NULL },
    /* "CORS-preflight fetch" step 7: ok status, after the CORS check */
    { "preflight step 7: status 204 is ok", { "PUT" }, 204, LIST(ACAO_APP,
      "Access-Control-Allow-Methods: PUT"), CORS_FETCH_OK, NULL },
    { "preflight step 7: status 299 is ok", { "PUT" }, 299, LIST(ACAO_APP,
      "Access-Control-Allow-Methods: PUT"), CORS_FETCH_OK, NULL },
    { "preflight step 7: status 403 fails", { "PUT" }, 403, LIST(ACAO_APP,
      "Access-Control-Allow-Methods: PUT"), CORS_FETCH_PREFLIGHT_STATUS, NULL },
    { "preflight step 7: status 301 fails (no redirects)", { "PUT" }, 301, LIST(ACAO_APP,
      "Access-Control-Allow-Methods: PUT"), CORS_FETCH_PREFLIGHT_STATUS, NULL },
    { "preflight step 7: the CORS check is reported before the status", { "PUT" }, 404, NULL,
      CORS_FETCH_ALLOW_ORIGIN_MISSING, NULL },
    /* step 7.1-7.3: lists must parse */
    { "preflight 7.3: ACAM not a list of tokens", { "PUT" }, 200, LIST(ACAO_APP,
      "Access-Control-Allow-Methods: PUT POST"), CORS_FETCH_ALLOW_METHODS_MALFORMED, NULL },
    { "preflight 7.3: ACAH not a list of tokens", { "PUT" }, 200, LIST(ACAO_APP,
      "Access-Control-Allow-Methods: PUT", "Access-Control-Allow-Headers: x/y"),
      CORS_FETCH_ALLOW_HEADERS_MALFORMED, NULL },
    { "preflight 7.3: even a safelisted request fails on a malformed list", { "GET", NULL, OMIT,
      true }, 200, LIST(ACAO_APP, "Access-Control-Allow-Methods: ;",
      "Access-Control-Allow-Private-Network: true"), CORS_FETCH_ALLOW_METHODS_MALFORMED, NULL },
    { "#rule: empty elements and OWS are fine", { "PUT" }, 200, LIST(ACAO_APP,
      "Access-Control-Allow-Methods: , GET ,, PUT ,"), CORS_FETCH_OK, NULL },
    { "extract header list values: lines combine", { "PUT", LIST("X-A: 1") }, 200, LIST(ACAO_APP,
      "Access-Control-Allow-Methods: GET", "Access-Control-Allow-Methods: PUT",
      "Access-Control-Allow-Headers: x-b", "Access-Control-Allow-Headers: X-A"), CORS_FETCH_OK,
      NULL },
    /* step 7.5: the method */
    { "preflight 7.5: method not listed", { "PUT" }, 200, LIST(ACAO_APP,
      "Access-Control-Allow-Methods: GET, POST"), CORS_FETCH_METHOD_NOT_ALLOWED, "PUT" },
    { "preflight 7.5: ACAM absent", { "DELETE" }, 200, LIST(ACAO_APP),
      CORS_FETCH_METHOD_NOT_ALLOWED, "DELETE" },
    { "preflight 7.5: methods are byte-exact ('put' listed, PUT sent)", { "PUT" }, 200,
      LIST(ACAO_APP, "Access-Control-Allow-Methods: put"), CORS_FETCH_METHOD_NOT_ALLOWED, NULL },
    { "preflight 7.5: 'patch' is sent as is and must be listed so", { "patch" }, 200,
      LIST(ACAO_APP, "Access-Control-Allow-Methods: PATCH"), CORS_FETCH_METHOD_NOT_ALLOWED,
      "patch" },
    { "preflight 7.5: normalized method matches ('delete' -> DELETE)", { "delete" }, 200,
      LIST(ACAO_APP, "Access-Control-Allow-Methods: DELETE"), CORS_FETCH_OK, NULL },
    { "preflight 7.5: '*' covers any method without credentials", { "PATCH" }, 200, LIST(ACAO_APP,
      "Access-Control-Allow-Methods: *"), CORS_FETCH_OK, NULL },
    { "preflight 7.5: '*' is literal with credentials", { "PATCH", NULL, INCL }, 200,
      LIST(ACAO_APP, "Access-Control-Allow-Credentials: true", "Access-Control-Allow-Methods: *"),
      CORS_FETCH_METHOD_STAR_CREDENTIALS, "PATCH" },
    { "preflight 7.5: listed method with credentials", { "PATCH", NULL, INCL }, 200, LIST(ACAO_APP,
      "Access-Control-Allow-Credentials: true", "Access-Control-Allow-Methods: *, PATCH"),
      CORS_FETCH_OK, NULL },
    { "preflight 7.5: safelisted methods always pass", { "POST", LIST("X-A: 1") }, 200,
      LIST(ACAO_APP, "Access-Control-Allow-Methods: PUT", "Access-Control-Allow-Headers: x-a"),
      CORS_FETCH_OK, NULL },
    /* step 7.6: Authorization */
    { "preflight 7.6: '*' does not cover Authorization", { "GET", LIST("Authorization: x") }, 200,
      LIST(ACAO_APP, "Access-Control-Allow-Headers: *"), CORS_FETCH_AUTHORIZATION_NOT_COVERED,
      "Authorization" },
    { "preflight 7.6: Authorization listed by name", { "GET", LIST("Authorization: x") }, 200,
      LIST(ACAO_APP, "Access-Control-Allow-Headers: *, authorization"), CORS_FETCH_OK, NULL },
    { "preflight 7.6: Authorization not listed", { "GET", LIST("Authorization: x") }, 200,
      LIST(ACAO_APP, "Access-Control-Allow-Headers: x-a"), CORS_FETCH_HEADER_NOT_ALLOWED,
      "Authorization" },
    /* step 7.7: each unsafe name */
    { "preflight 7.7: unsafe header listed (case-insensitive)", { "GET", LIST("X-Token: 1") }, 200,
      LIST(ACAO_APP, "Access-Control-Allow-Headers: x-TOKEN"), CORS_FETCH_OK, NULL },
    { "preflight 7.7: unsafe header not listed", { "GET", LIST("X-Token: 1") }, 200, LIST(ACAO_APP,
      "Access-Control-Allow-Headers: x-other"), CORS_FETCH_HEADER_NOT_ALLOWED, "X-Token" },
    { "preflight 7.7: ACAH absent", { "GET", LIST("X-Token: 1") }, 200, LIST(ACAO_APP),
      CORS_FETCH_HEADER_NOT_ALLOWED, "X-Token" },
    { "preflight 7.7: first failing name in sorted order", { "GET", LIST("X-Z: 1", "X-B: 2") },
      200, LIST(ACAO_APP), CORS_FETCH_HEADER_NOT_ALLOWED, "X-B" },
    { "preflight 7.7: '*' covers unsafe names without credentials", { "PUT", LIST("X-Token: 1",
      "Content-Type: application/json") }, 200, LIST(ACAO_APP, "Access-Control-Allow-Methods: PUT",
      "Access-Control-Allow-Headers: *"), CORS_FETCH_OK, NULL },
    { "preflight 7.7: '*' is literal with credentials", { "GET", LIST("X-Token: 1"), INCL }, 200,
      LIST(ACAO_APP, "Access-Control-Allow-Credentials: true", "Access-Control-Allow-Headers: *"),
      CORS_FETCH_HEADER_STAR_CREDENTIALS, "X-Token" },
    { "preflight 7.7: safelisted headers need not be listed", { "PUT", LIST("Accept: text/html",
      "Content-Type: text/plain") }, 200, LIST(ACAO_APP, "Access-Control-Allow-Methods: PUT"),
      CORS_FETCH_OK, NULL },
    { "preflight 7.7: an unsafe Content-Type value must be listed", { "POST",
      LIST("Content-Type: application/json") }, 200, LIST(ACAO_APP), CORS_FETCH_HEADER_NOT_ALLOWED,
      "Content-Type" },
    { "preflight 7.7: forbidden headers are not checked", { "PUT", LIST("Cookie: a=b") }, 200,
      LIST(ACAO_APP, "Access-Control-Allow-Methods: PUT"), CORS_FETCH_OK, NULL },
    /* Private Network Access */
    { "PNA: Access-Control-Allow-Private-Network: true", { "GET", NULL, OMIT, true }, 200,
      LIST(ACAO_APP, "Access-Control-Allow-Private-Network: true"), CORS_FETCH_OK, NULL },
    { "PNA: header missing", { "GET", NULL, OMIT, true }, 200, LIST(ACAO_APP),
      CORS_FETCH_PRIVATE_NETWORK_NOT_ALLOWED, NULL },
    { "PNA: value must be `true`", { "GET", NULL, OMIT, true }, 200, LIST(ACAO_APP,
      "Access-Control-Allow-Private-Network: yes"), CORS_FETCH_PRIVATE_NETWORK_NOT_ALLOWED, "yes" },
    { "PNA: checked after method and headers", { "PUT", NULL, OMIT, true }, 200, LIST(ACAO_APP),
      CORS_FETCH_METHOD_NOT_ALLOWED, NULL },
    /* fetch() throws before any preflight */
    { "forbidden method: nothing is sent", { "TRACE" }, 200,
      LIST("Access-Control-Allow-Origin: *"), CORS_FETCH_METHOD_FORBIDDEN, "TRACE" },
};
/* clang-format on */

START_TEST(test_preflight_table)
{
    const struct pf_case *c = &pf_cases[_i];
    struct req_buf b;
    const struct cors_fetch_request *r = make_request(&c->req, &b);
    struct cors_fetch_header rh[16];
    struct cors_fetch_response resp = {c->status, rh, parse_headers(c->response, rh, 16)};
    struct cors_fetch_verdict v;
    ck_assert_int_eq(cors_fetch_check_preflight(r, &resp, &v), CORS_OK);
    assert_reason(v.reason, c->reason, c->rule);
    ck_assert_msg(v.ok == (c->reason == CORS_FETCH_OK), "[%s] ok flag", c->rule);
    if (c->detail != NULL)
        ck_assert_msg(v.detail.ptr != NULL && v.detail.len == strlen(c->detail) &&
                          memcmp(v.detail.ptr, c->detail, v.detail.len) == 0,
                      "[%s] detail '%.*s', expected '%s'", c->rule, (int)v.detail.len,
                      v.detail.ptr ? v.detail.ptr : "", c->detail);
    if (c->reason == CORS_FETCH_OK)
        ck_assert_ptr_null(v.detail.ptr);
}
END_TEST

/* "CORS-preflight fetch" step 7.8 and the engines' caps. */
struct age_case {
    const char *rule;
    const char *const *extra;
    bool given;
    int64_t age, chromium, firefox;
};

/* clang-format off */
static const struct age_case age_cases[] = {
    { "absent: default 5", NULL, false, 5, 5, 5 },
    { "600", LIST("Access-Control-Max-Age: 600"), true, 600, 600, 600 },
    { "0: no caching", LIST("Access-Control-Max-Age: 0"), true, 0, 0, 0 },
    { "7200: Chromium's cap", LIST("Access-Control-Max-Age: 7200"), true, 7200, 7200, 7200 },
    { "86400 capped by Chromium to 7200", LIST("Access-Control-Max-Age: 86400"), true, 86400, 7200,
      86400 },
    { "100000 capped by both", LIST("Access-Control-Max-Age: 100000"), true, 100000, 7200, 86400 },
    { "RFC 9111 1.2.2: saturates at 2^31", LIST("Access-Control-Max-Age: 99999999999999999999999"),
      true, 2147483648, 7200, 86400 },
    { "delta-seconds: '-1' invalid, default", LIST("Access-Control-Max-Age: -1"), false, 5, 5, 5 },
    { "delta-seconds: '1.5' invalid", LIST("Access-Control-Max-Age: 1.5"), false, 5, 5, 5 },
    { "delta-seconds: empty invalid", LIST("Access-Control-Max-Age: "), false, 5, 5, 5 },
    { "single header: two lines fail, default", LIST("Access-Control-Max-Age: 60",
      "Access-Control-Max-Age: 60"), false, 5, 5, 5 },
    { "surrounding whitespace ignored", LIST("Access-Control-Max-Age:  60 "), true, 60, 60, 60 },
};
/* clang-format on */

START_TEST(test_max_age_table)
{
    const struct age_case *c = &age_cases[_i];
    struct req_buf b;
    const struct cors_fetch_request *r = make_request(&(struct req_case){"PUT"}, &b);
    struct cors_fetch_header rh[8] = {
        {CORS_STR("Access-Control-Allow-Origin"), CORS_STR(APP)},
        {CORS_STR("Access-Control-Allow-Methods"), CORS_STR("PUT")},
    };
    size_t n = 2 + parse_headers(c->extra, rh + 2, 6);
    struct cors_fetch_response resp = {200, rh, n};
    struct cors_fetch_verdict v;
    ck_assert_int_eq(cors_fetch_check_preflight(r, &resp, &v), CORS_OK);
    ck_assert_msg(v.ok, "[%s]", c->rule);
    ck_assert_msg(v.max_age_given == c->given, "[%s] given", c->rule);
    ck_assert_msg(v.max_age == c->age, "[%s] max_age %lld", c->rule, (long long)v.max_age);
    ck_assert_msg(v.max_age_chromium == c->chromium, "[%s] chromium %lld", c->rule,
                  (long long)v.max_age_chromium);
    ck_assert_msg(v.max_age_firefox == c->firefox, "[%s] firefox %lld", c->rule,
                  (long long)v.max_age_firefox);
}
END_TEST

/* ================================================ (c) the actual response */

struct resp_case {
    const char *rule;
    enum cors_fetch_credentials credentials;
    int status;
    const char *const *response;
    enum cors_fetch_reason reason;
};

/* clang-format off */
static const struct resp_case resp_cases[] = {
    { "CORS check: exact origin", OMIT, 200, LIST(ACAO_APP), CORS_FETCH_OK },
    { "CORS check: the status does not matter", OMIT, 500, LIST(ACAO_APP), CORS_FETCH_OK },
    { "CORS check: '*'", OMIT, 200, LIST("Access-Control-Allow-Origin: *"), CORS_FETCH_OK },
    { "CORS check: '*' with credentials", INCL, 200, LIST("Access-Control-Allow-Origin: *",
      "Access-Control-Allow-Credentials: true"), CORS_FETCH_ALLOW_ORIGIN_STAR_CREDENTIALS },
    { "CORS check: missing", OMIT, 200, LIST("Vary: Origin"), CORS_FETCH_ALLOW_ORIGIN_MISSING },
    { "CORS check: other origin", OMIT, 200,
      LIST("Access-Control-Allow-Origin: https://x.example"), CORS_FETCH_ALLOW_ORIGIN_MISMATCH },
    { "CORS check: two lines", OMIT, 200, LIST(ACAO_APP, "Access-Control-Allow-Origin: *"),
      CORS_FETCH_ALLOW_ORIGIN_MULTIPLE },
    { "CORS check: credentials without ACAC", INCL, 200, LIST(ACAO_APP),
      CORS_FETCH_ALLOW_CREDENTIALS_NOT_TRUE },
    { "CORS check: credentials with ACAC true", INCL, 200, LIST(ACAO_APP,
      "Access-Control-Allow-Credentials: true"), CORS_FETCH_OK },
    { "CORS check: ACAC ignored without credentials", OMIT, 200, LIST(ACAO_APP,
      "Access-Control-Allow-Credentials: false"), CORS_FETCH_OK },
};
/* clang-format on */

START_TEST(test_response_table)
{
    const struct resp_case *c = &resp_cases[_i];
    struct req_buf b;
    const struct cors_fetch_request *r =
        make_request(&(struct req_case){"GET", NULL, c->credentials}, &b);
    struct cors_fetch_header rh[8];
    struct cors_fetch_response resp = {c->status, rh, parse_headers(c->response, rh, 8)};
    struct cors_fetch_verdict v;
    ck_assert_int_eq(cors_fetch_check_response(r, &resp, &v), CORS_OK);
    assert_reason(v.reason, c->reason, c->rule);
    ck_assert(v.ok == (c->reason == CORS_FETCH_OK));
    ck_assert(v.max_age == 0 && !v.max_age_given);
}
END_TEST

/* "CORS-safelisted response-header name", "CORS-filtered response", "main
 * fetch" (Access-Control-Expose-Headers). */
struct read_case {
    const char *rule;
    enum cors_fetch_credentials credentials;
    const char *const *response;
    const char *readable; /* comma-joined, response order */
};

#define BASE_HEADERS                                                                               \
    ACAO_APP, "Content-Type: text/plain", "Content-Length: 3", "Cache-Control: no-store",          \
        "X-Request-Id: 7", "Set-Cookie: a=b", "Date: today"

/* clang-format off */
static const struct read_case read_cases[] = {
    { "safelisted response-header names only", OMIT, LIST(BASE_HEADERS),
      "Content-Type,Content-Length,Cache-Control" },
    { "all seven safelisted names", OMIT, LIST(ACAO_APP, "Cache-Control: a", "Content-Language: b",
      "Content-Length: 1", "Content-Type: c", "Expires: d", "Last-Modified: e", "Pragma: f",
      "ETag: g"),
      "Cache-Control,Content-Language,Content-Length,Content-Type,Expires,Last-Modified,Pragma" },
    { "exposed by name (case-insensitive)", OMIT, LIST(BASE_HEADERS,
      "Access-Control-Expose-Headers: x-REQUEST-id"),
      "Content-Type,Content-Length,Cache-Control,X-Request-Id" },
    { "Set-Cookie never, even when listed", OMIT, LIST(BASE_HEADERS,
      "Access-Control-Expose-Headers: Set-Cookie, Date"),
      "Content-Type,Content-Length,Cache-Control,Date" },
    { "'*' exposes every name without credentials (not Set-Cookie)", OMIT, LIST(BASE_HEADERS,
      "Access-Control-Expose-Headers: *"),
      "Access-Control-Allow-Origin,Content-Type,Content-Length,Cache-Control,X-Request-Id,Date," "Access-Control-Expose-Headers" },
    { "'*' is literal with credentials", INCL, LIST(BASE_HEADERS,
      "Access-Control-Allow-Credentials: true", "Access-Control-Expose-Headers: *"),
      "Content-Type,Content-Length,Cache-Control" },
    { "credentials: names still work", INCL, LIST(BASE_HEADERS,
      "Access-Control-Allow-Credentials: true", "Access-Control-Expose-Headers: *, X-Request-Id"),
      "Content-Type,Content-Length,Cache-Control,X-Request-Id" },
    { "malformed expose list exposes nothing extra", OMIT, LIST(BASE_HEADERS,
      "Access-Control-Expose-Headers: X-Request-Id, a b"),
      "Content-Type,Content-Length,Cache-Control" },
    { "expose lines combine", OMIT, LIST(BASE_HEADERS, "Access-Control-Expose-Headers: date",
      "Access-Control-Expose-Headers: x-request-id"),
      "Content-Type,Content-Length,Cache-Control,X-Request-Id,Date" },
    { "a repeated name is listed once", OMIT, LIST(ACAO_APP, "Pragma: a", "pragma: b"), "Pragma" },
    { "failed CORS check: nothing readable", OMIT, LIST("Content-Type: text/plain",
      "Access-Control-Expose-Headers: *"), "" },
};
/* clang-format on */

START_TEST(test_readable_table)
{
    const struct read_case *c = &read_cases[_i];
    struct req_buf b;
    const struct cors_fetch_request *r =
        make_request(&(struct req_case){"GET", NULL, c->credentials}, &b);
    struct cors_fetch_header rh[16];
    struct cors_fetch_response resp = {200, rh, parse_headers(c->response, rh, 16)};
    struct cors_str names[16];
    size_t n = cors_fetch_readable_headers(r, &resp, names, 16);
    char got[512] = "";
    for (size_t i = 0; i < n && i < 16; i++) {
        if (i > 0)
            strcat(got, ",");
        strncat(got, names[i].ptr, names[i].len);
    }
    ck_assert_msg(strcmp(got, c->readable) == 0, "[%s] readable '%s', expected '%s'", c->rule, got,
                  c->readable);
    /* cors_fetch_header_readable() agrees for every response name */
    for (size_t i = 0; i < resp.header_count; i++) {
        bool listed = false;
        for (size_t k = 0; k < n; k++)
            listed = listed || (names[k].len == rh[i].name.len &&
                                strncasecmp(names[k].ptr, rh[i].name.ptr, names[k].len) == 0);
        ck_assert_msg(cors_fetch_header_readable(r, &resp, rh[i].name) == listed,
                      "[%s] header_readable(%.*s)", c->rule, (int)rh[i].name.len, rh[i].name.ptr);
    }
    /* a header the response does not have is never readable */
    ck_assert(!cors_fetch_header_readable(r, &resp, CORS_STR("X-Absent")));
}
END_TEST

START_TEST(test_readable_capacity)
{
    struct req_buf b;
    const struct cors_fetch_request *r = make_request(&(struct req_case){"GET"}, &b);
    struct cors_fetch_header rh[4];
    struct cors_fetch_response resp = {
        200, rh, parse_headers(LIST(ACAO_APP, "Pragma: a", "Expires: b"), rh, 4)};
    ck_assert_uint_eq(cors_fetch_readable_headers(r, &resp, NULL, 0), 2);
    struct cors_str one[1] = {{NULL, 0}};
    ck_assert_uint_eq(cors_fetch_readable_headers(r, &resp, one, 1), 2);
    ck_assert_uint_eq(one[0].len, 6);
    ck_assert_ptr_eq(one[0].ptr, rh[1].name.ptr); /* borrowed from the response */
}
END_TEST

/* ===================================================== arguments and names */

START_TEST(test_invalid_arguments)
{
    struct cors_fetch_request r = {.origin = CORS_STR(APP), .method = CORS_STR("GET")};
    struct cors_fetch_response resp = {200, NULL, 0};
    struct cors_fetch_plan plan;
    struct cors_fetch_verdict v;
    char buf[8];
    ck_assert_int_eq(cors_fetch_plan(NULL, buf, 8, &plan), CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_fetch_plan(&r, buf, 8, NULL), CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_fetch_plan(&r, NULL, 8, &plan), CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_fetch_check_preflight(&r, NULL, &v), CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_fetch_check_preflight(&r, &resp, NULL), CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_fetch_check_response(NULL, &resp, &v), CORS_E_INVALID_ARGUMENT);
    r.header_count = 1; /* headers NULL with a count */
    ck_assert_int_eq(cors_fetch_plan(&r, buf, 8, &plan), CORS_E_INVALID_ARGUMENT);
    r.header_count = 0;
    r.origin = (struct cors_str){NULL, 0};
    ck_assert_int_eq(cors_fetch_check_response(&r, &resp, &v), CORS_E_INVALID_ARGUMENT);
    r.origin = CORS_STR(APP);
    resp.header_count = 2; /* headers NULL with a count */
    ck_assert_int_eq(cors_fetch_check_response(&r, &resp, &v), CORS_E_INVALID_ARGUMENT);
    ck_assert_uint_eq(cors_fetch_readable_headers(&r, &resp, NULL, 0), 0);
    ck_assert(!cors_fetch_header_readable(&r, &resp, CORS_STR("Pragma")));
    ck_assert(!cors_fetch_header_readable(NULL, NULL, CORS_STR("Pragma")));
}
END_TEST

START_TEST(test_reason_names)
{
    static const char *const names[] = {
        "ok",
        "method-invalid",
        "method-forbidden",
        "header-invalid",
        "preflight-status",
        "allow-origin-missing",
        "allow-origin-multiple",
        "allow-origin-mismatch",
        "allow-origin-star-credentials",
        "allow-credentials-not-true",
        "allow-methods-malformed",
        "allow-headers-malformed",
        "method-not-allowed",
        "method-star-credentials",
        "header-not-allowed",
        "header-star-credentials",
        "authorization-not-covered",
        "private-network-not-allowed",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        ck_assert_str_eq(cors_fetch_reason_name((enum cors_fetch_reason)i), names[i]);
    ck_assert_int_eq(CORS_FETCH_PRIVATE_NETWORK_NOT_ALLOWED, 17);
    ck_assert_str_eq(cors_fetch_reason_name((enum cors_fetch_reason)18), "unknown");
    ck_assert_str_eq(cors_fetch_reason_name((enum cors_fetch_reason) - 1), "unknown");
}
END_TEST

/* Slices are read within their length only: every input ends at a guard page. */
START_TEST(test_no_overread)
{
    struct cors_fetch_header h[3] = {
        {guarded_str("X-Token", 7), guarded_str("abc", 3)},
        {guarded_str("Content-Type", 12), guarded_str("text/plain", 10)},
        {guarded_str("Range", 5), guarded_str("bytes=0-", 8)},
    };
    struct cors_fetch_request r = {.origin = guarded_str(APP, strlen(APP)),
                                   .method = guarded_str("patch", 5),
                                   .headers = h,
                                   .header_count = 3,
                                   .credentials = INCL};
    char buf[64];
    struct cors_fetch_plan plan;
    ck_assert_int_eq(cors_fetch_plan(&r, buf, sizeof buf, &plan), CORS_OK);
    ck_assert_str_eq(buf, "x-token");
    struct cors_fetch_header rh[5] = {
        {guarded_str("Access-Control-Allow-Origin", 27), guarded_str(APP, strlen(APP))},
        {guarded_str("Access-Control-Allow-Credentials", 32), guarded_str("true", 4)},
        {guarded_str("Access-Control-Allow-Methods", 28), guarded_str("patch", 5)},
        {guarded_str("Access-Control-Allow-Headers", 28), guarded_str("x-token", 7)},
        {guarded_str("Access-Control-Max-Age", 22), guarded_str("60", 2)},
    };
    struct cors_fetch_response resp = {204, rh, 5};
    struct cors_fetch_verdict v;
    ck_assert_int_eq(cors_fetch_check_preflight(&r, &resp, &v), CORS_OK);
    ck_assert_msg(v.ok, "%s", cors_fetch_reason_name(v.reason));
    ck_assert_int_eq(v.max_age, 60);
    guard_free_all();
}
END_TEST

/* Bad input: at most CORS_FETCH_HEADERS_MAX lines each way, and the largest
 * allowed input (every name distinct and unsafe, all listed) stays fast. */
START_TEST(test_header_limits)
{
    static struct cors_fetch_header rq_h[CORS_FETCH_HEADERS_MAX + 1];
    static struct cors_fetch_header rs_h[CORS_FETCH_HEADERS_MAX + 1];
    static char names[CORS_FETCH_HEADERS_MAX + 1][16];
    for (int i = 0; i <= CORS_FETCH_HEADERS_MAX; i++) {
        /* descending, so the sorted output is the reverse of the input */
        snprintf(names[i], sizeof names[i], "X-H%05d", CORS_FETCH_HEADERS_MAX - i);
        rq_h[i] = (struct cors_fetch_header){cors_str_from_cstr(names[i]), CORS_STR("v")};
        rs_h[i] = (struct cors_fetch_header){CORS_STR("Access-Control-Allow-Headers"),
                                             cors_str_from_cstr(names[i])};
    }
    rs_h[0] = (struct cors_fetch_header){CORS_STR("Access-Control-Allow-Origin"), CORS_STR(APP)};
    rs_h[1] = (struct cors_fetch_header){CORS_STR("Access-Control-Allow-Headers"),
                                         CORS_STR("x-h01024, X-H01023")};
    struct cors_fetch_request r = {.origin = CORS_STR(APP),
                                   .method = CORS_STR("GET"),
                                   .headers = rq_h,
                                   .header_count = CORS_FETCH_HEADERS_MAX + 1};
    struct cors_fetch_response resp = {200, rs_h, CORS_FETCH_HEADERS_MAX};
    struct cors_fetch_plan plan;
    struct cors_fetch_verdict v;
    ck_assert_int_eq(cors_fetch_plan(&r, NULL, 0, &plan), CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_fetch_check_preflight(&r, &resp, &v), CORS_E_INVALID_ARGUMENT);
    r.header_count = CORS_FETCH_HEADERS_MAX;
    resp.header_count = CORS_FETCH_HEADERS_MAX + 1;
    ck_assert_int_eq(cors_fetch_check_preflight(&r, &resp, &v), CORS_E_INVALID_ARGUMENT);
    ck_assert_int_eq(cors_fetch_check_response(&r, &resp, &v), CORS_E_INVALID_ARGUMENT);
    ck_assert_uint_eq(cors_fetch_readable_headers(&r, &resp, NULL, 0), 0);

    /* the maximum: 1024 unsafe names, each listed by one of 1024 lines */
    resp.header_count = CORS_FETCH_HEADERS_MAX;
    static char buf[CORS_FETCH_HEADERS_MAX * 9];
    ck_assert_int_eq(cors_fetch_plan(&r, buf, sizeof buf, &plan), CORS_OK);
    ck_assert_uint_eq(plan.unsafe_header_count, CORS_FETCH_HEADERS_MAX);
    ck_assert_uint_eq(plan.request_headers_len, CORS_FETCH_HEADERS_MAX * 9 - 1);
    ck_assert(strncmp(buf, "x-h00001,x-h00002,", 18) == 0);
    ck_assert_int_eq(cors_fetch_check_preflight(&r, &resp, &v), CORS_OK);
    ck_assert_msg(v.ok, "%s %.*s", cors_fetch_reason_name(v.reason), (int)v.detail.len,
                  v.detail.ptr);
    ck_assert_uint_eq(cors_fetch_readable_headers(&r, &resp, NULL, 0), 0);
}
END_TEST

static Suite *
fetch_suite(void)
{
    Suite *s = suite_create("fetch");
    TCase *tc = tcase_create("plan");
    tcase_add_loop_test(tc, test_plan_table, 0, (int)(sizeof plan_cases / sizeof plan_cases[0]));
    tcase_add_test(tc, test_plan_total_1024);
    tcase_add_test(tc, test_plan_buffer);
    tcase_add_test(tc, test_plan_counts);
    suite_add_tcase(s, tc);
    tc = tcase_create("preflight");
    tcase_add_loop_test(tc, test_preflight_table, 0, (int)(sizeof pf_cases / sizeof pf_cases[0]));
    tcase_add_loop_test(tc, test_max_age_table, 0, (int)(sizeof age_cases / sizeof age_cases[0]));
    suite_add_tcase(s, tc);
    tc = tcase_create("response");
    tcase_add_loop_test(tc, test_response_table, 0,
                        (int)(sizeof resp_cases / sizeof resp_cases[0]));
    tcase_add_loop_test(tc, test_readable_table, 0,
                        (int)(sizeof read_cases / sizeof read_cases[0]));
    tcase_add_test(tc, test_readable_capacity);
    suite_add_tcase(s, tc);
    tc = tcase_create("api");
    tcase_add_test(tc, test_invalid_arguments);
    tcase_add_test(tc, test_reason_names);
    tcase_add_test(tc, test_no_overread);
    tcase_add_test(tc, test_header_limits);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(fetch_suite());
}
