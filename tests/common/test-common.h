/*
 * Shared helpers for the libcors Check suites. Everything here uses only the
 * public header <cors/cors.h>.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef TEST_COMMON_H
#define TEST_COMMON_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cors/cors.h>

/* A NULL-terminated list of C strings, for struct policy_spec / req_spec. */
#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* The canonical header names the library may return. */
#define H_ACAO "Access-Control-Allow-Origin"
#define H_ACAC "Access-Control-Allow-Credentials"
#define H_ACAM "Access-Control-Allow-Methods"
#define H_ACAH "Access-Control-Allow-Headers"
#define H_ACEH "Access-Control-Expose-Headers"
#define H_ACMA "Access-Control-Max-Age"
#define H_ACAPN "Access-Control-Allow-Private-Network"
#define H_VARY "Vary"
#define H_TAO "Timing-Allow-Origin"

/* ---------------------------------------------------------------- policies */

/* A policy described as data; zero/NULL fields keep the builder's defaults. */
struct policy_spec {
    const char *const *origins;        /* allowOrigins */
    const char *const *regexes;        /* allowOriginRegex */
    const char *const *methods;        /* allowMethods */
    const char *const *allow_headers;  /* allowHeaders */
    const char *const *expose_headers; /* exposeHeaders */
    bool has_max_age;
    int64_t max_age;
    bool credentials;
    bool private_network;
    bool forward_rejected;
    bool report_only;
    int preflight_status; /* 0: not set */
    int reject_status;    /* 0: not set */
};

/* A builder with the spec's settings (every setter must return CORS_OK). */
struct cors_policy_builder *spec_builder(const struct policy_spec *spec,
                                         const struct cors_allocator *alloc);

/* Builds without asserting success; diags and status may be NULL. */
struct cors_policy *spec_try_build(const struct policy_spec *spec, unsigned flags,
                                   struct cors_diagnostics *diags,
                                   enum cors_status *status);

/* Builds and fails the test (listing the diagnostics) unless it succeeds. */
struct cors_policy *spec_build(const struct policy_spec *spec);

/* Builds with diagnostics and asserts it FAILS; returns the list (caller frees). */
struct cors_diagnostics *spec_build_fails(const struct policy_spec *spec, unsigned flags);

/* Builds with diagnostics and asserts it succeeds; the policy is freed, the
 * diagnostics returned (caller frees). */
struct cors_diagnostics *spec_build_ok_diags(const struct policy_spec *spec, unsigned flags);

/* ---------------------------------------------------------------- requests */

struct req_spec {
    const char *method;          /* NULL: "GET" */
    const char *origin;          /* NULL: no Origin header (unless origins) */
    const char *const *origins;  /* several Origin field lines (overrides origin) */
    const char *acrm;            /* Access-Control-Request-Method; NULL: absent */
    const char *const *acrh;     /* Access-Control-Request-Headers lines; NULL: absent */
    const char *acrpn;           /* Access-Control-Request-Private-Network; NULL: absent */
};

#define EVAL_EXTRA 4
#define EVAL_MAX_LINES 64

/* One evaluation: the request as given, the result and the caller array. */
struct eval {
    enum cors_status status;
    struct cors_request req;
    struct cors_result r;
    struct cors_header h[CORS_HEADERS_MAX + EVAL_EXTRA];
    struct cors_str origin_lines[EVAL_MAX_LINES];
    struct cors_str acrh_lines[EVAL_MAX_LINES];
};

/* Fills e->req from a spec (the strings are borrowed, not copied). */
void req_from_spec(const struct req_spec *rq, struct eval *e);

/* Evaluates e->req with capacity CORS_HEADERS_MAX, asserts CORS_OK and every
 * invariant of a result (see check_result_invariants()). */
void eval_request(const struct cors_policy *policy, struct eval *e);

/* req_from_spec() + eval_request(). */
void eval_spec(const struct cors_policy *policy, const struct req_spec *rq, struct eval *e);

/* Checks the invariants every result must satisfy whatever the policy
 * (docs/semantics.md §2-§4, docs/decisions.md, cors.h); on failure writes why into msg. */
bool check_result_invariants(const struct eval *e, char *msg, size_t msg_size);

/* The first header with exactly this (canonical) name, or NULL. */
const struct cors_header *find_header(const struct eval *e, const char *name);

/* Number of header entries with this name. */
size_t count_header(const struct eval *e, const char *name);

/* All lines of a header joined with ",", NUL-terminated into buf; NULL if
 * absent. */
const char *header_joined(const struct eval *e, const char *name, char *buf, size_t size);

/* expected NULL: the header must be absent. Otherwise the joined value must
 * equal expected byte for byte. */
bool check_header(const struct eval *e, const char *name, const char *expected,
                  char *msg, size_t msg_size);
#define assert_header(e, name, expected)                                         \
    do {                                                                         \
        char assert_msg_[1024];                                                  \
        ck_assert_msg(check_header((e), (name), (expected), assert_msg_,         \
                                   sizeof assert_msg_), "%s", assert_msg_);      \
    } while (0)

/* The Vary entry must exist (op MERGE_VARY) and list exactly these names
 * (case-insensitive, any order, OWS ignored, no duplicates). names NULL: no Vary. */
bool check_vary(const struct eval *e, const char *const *names, char *msg, size_t msg_size);
#define assert_vary(e, names)                                                    \
    do {                                                                         \
        char assert_msg_[1024];                                                  \
        ck_assert_msg(check_vary((e), (names), assert_msg_, sizeof assert_msg_), \
                      "%s", assert_msg_);                                        \
    } while (0)

/* No header at all other than Vary (after the REMOVE_ACCESS_CONTROL entry). */
#define assert_only_vary(e)                                                      \
    do {                                                                         \
        size_t i_;                                                               \
        for (i_ = 0; i_ < (e)->r.header_count; i_++)                             \
            ck_assert_msg((e)->h[i_].op == CORS_HEADER_MERGE_VARY ||             \
                              (i_ == 0 && (e)->h[i_].op ==                       \
                                              CORS_HEADER_REMOVE_ACCESS_CONTROL), \
                          "unexpected header %.*s: %.*s",                        \
                          (int)(e)->h[i_].name.len, (e)->h[i_].name.ptr,         \
                          (int)(e)->h[i_].value.len, (e)->h[i_].value.ptr);      \
    } while (0)

#define VARY_ORIGIN LIST("Origin")
#define VARY_PREFLIGHT                                                           \
    LIST("Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers")
#define VARY_PREFLIGHT_PNA                                                       \
    LIST("Origin", "Access-Control-Request-Method",                              \
         "Access-Control-Request-Headers", "Access-Control-Request-Private-Network")

/* Compares two comma lists as sets of case-insensitive names (OWS and empty
 * elements ignored); duplicates in a make it fail. */
bool name_list_equal(struct cors_str a, const char *const *names);

/* ------------------------------------------------------------- diagnostics */

/* Index wildcard for diag_find(). */
#define ANY_INDEX ((size_t)SIZE_MAX - 1)

/* The first diagnostic with this code and index (ANY_INDEX: any), or NULL. */
const struct cors_diagnostic *diag_find(const struct cors_diagnostics *d,
                                        enum cors_diag_code code, size_t index);
size_t diag_count_code(const struct cors_diagnostics *d, enum cors_diag_code code);

/* Writes every diagnostic, one per line, into buf (for failure messages). */
const char *diag_dump(const struct cors_diagnostics *d, char *buf, size_t size);

/* A diagnostic with this code and index exists and has this severity and
 * field, a non-empty NUL-terminated message. */
bool check_diag(const struct cors_diagnostics *d, enum cors_diag_code code,
                enum cors_severity sev, enum cors_field field, size_t index,
                char *msg, size_t msg_size);
#define assert_diag(d, code, sev, field, index)                                  \
    do {                                                                         \
        char assert_msg_[4096];                                                  \
        ck_assert_msg(check_diag((d), (code), (sev), (field), (index),           \
                                 assert_msg_, sizeof assert_msg_),               \
                      "%s", assert_msg_);                                        \
    } while (0)
#define assert_no_diag(d, code)                                                  \
    do {                                                                         \
        char assert_buf_[4096];                                                  \
        ck_assert_msg(diag_find((d), (code), ANY_INDEX) == NULL,                 \
                      "unexpected diagnostic %s in:\n%s",                        \
                      cors_diag_code_name(code),                                 \
                      diag_dump((d), assert_buf_, sizeof assert_buf_));          \
    } while (0)

/* -------------------------------------------------------------- allocator */

/* Counts the calls made through a struct cors_allocator; can fail the n-th. */
struct counting_alloc {
    size_t mallocs;
    size_t frees;
    size_t live;
    size_t fail_at; /* 0: never fail; n: the n-th malloc_fn call returns NULL */
    size_t failed;
    /* where the blocks come from; NULL: malloc() and free() (a test that
     * counts the process's own heap calls gives ones that bypass them) */
    void *(*backing_malloc)(size_t size);
    void (*backing_free)(void *ptr);
};

struct cors_allocator counting_allocator(struct counting_alloc *c);

/* ------------------------------------------------------------------ misc */

/* A copy of the bytes at the very end of a page followed by an inaccessible
 * page, so any read past len faults. Freed by guard_free_all(). */
struct cors_str guarded_str(const char *bytes, size_t len);
void guard_free_all(void);

/* Creates an SRunner, runs it with CK_ENV, returns EXIT_SUCCESS/EXIT_FAILURE. */
int run_suite(Suite *suite);

#endif /* TEST_COMMON_H */
