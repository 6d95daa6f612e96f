/*
 * cors-eval's parts: what the modes in their own files (policy-test.c,
 * policy-diff.c) use from cors-eval.c, and their entry points.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef CORS_EVAL_H
#define CORS_EVAL_H

#include <cors/cors.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses shared by every mode. */
#define CORS_EVAL_EXIT_OK    0
#define CORS_EVAL_EXIT_FAIL  1 /* invalid policy, failed tests, new admissions */
#define CORS_EVAL_EXIT_USAGE 2 /* usage error, unreadable or malformed input file */

/* Reads a whole file ("-": standard input); NULL with errno set. *too_big
 * when it is larger than cors-eval reads. The caller frees the result. */
char *cors_eval_read_file(const char *path, size_t *len_out, bool *too_big);

/* Prints diagnostics as FILE:LINE:COL: error|warning: CODE: message. */
void cors_eval_print_diagnostics(FILE *out, const char *file, const struct cors_diagnostics *diags);

/* A printable copy of untrusted bytes (ASCII, cut to size with "..."). */
const char *cors_eval_printable(char *dst, size_t size, const char *s, size_t len);

/* Writes s[0..len) as a JSON string (quoted; escapes for '"', '\\', control
 * and non-ASCII bytes). In json-string.c, which the browser suite's
 * fetch-oracle builds too. */
void cors_eval_json_string(FILE *out, const char *s, size_t len);

/* Loads a policy file (the text formats of cors-eval --policy), printing its
 * diagnostics to stderr; NULL (and a message) when unreadable or invalid. */
struct cors_policy *cors_eval_load_policy(const char *path, bool strict);

/* ------------------------------------------------------------ exchange.c */

/* At most this many request or handler header lines per request. */
#define CORS_EVAL_MAX_LINES 64

/* ASCII case-insensitive equality of a slice and a C string. */
bool cors_eval_name_eq(struct cors_str a, const char *b);

/* The field lines named name joined by ", " into buf; false when absent. */
bool cors_eval_joined_header(const struct cors_fetch_header *hs, size_t n, const char *name,
                             char *buf, size_t size);

/* What libcors answers to one request, and its headers as a browser sees them. */
struct cors_eval_answer {
    struct cors_result result;
    struct cors_header h[32];
    struct cors_fetch_header fh[32]; /* the lines libcors sets */
    size_t nfh;
    /* the whole response as the browser sees it (cors_eval_exchange()) */
    struct cors_fetch_header view[32 + CORS_EVAL_MAX_LINES];
    char vary[1024];
};

/* Evaluates a request given as a method and header lines, read through the
 * library's cors_request_fields as a host does. Slices in a borrow from hs
 * and the policy. */
enum cors_status cors_eval_answer(const struct cors_policy *policy, struct cors_str method,
                                  const struct cors_fetch_header *hs, size_t n,
                                  struct cors_eval_answer *a);

/* A whole fetch() against a policy: the oracle's plan, the preflight (when
 * sent) and the actual request answered by libcors (and by a handler with
 * handler_status and the extra headers when libcors calls it), each checked
 * by the oracle. step: "none", "throws", "preflight" or "response". */
struct cors_eval_exchange {
    struct cors_fetch_plan plan;
    char acrh[4096];
    bool ok;
    const char *step;
    enum cors_fetch_reason reason;
    bool have_preflight, have_actual;
    struct cors_eval_answer pre, act;
    struct cors_fetch_response presp, aresp;
    struct cors_fetch_verdict pv, av;
};

enum cors_status cors_eval_exchange(const struct cors_policy *policy,
                                    const struct cors_fetch_request *request, int handler_status,
                                    const struct cors_fetch_header *extra, size_t nextra,
                                    struct cors_eval_exchange *x);

/* cors-eval --test FILE: runs a policy test file, TAP on stdout. */
int cors_eval_test(const char *path, bool strict);

/* cors-eval --diff OLD NEW [--json]: what NEW admits that OLD did not. */
int cors_eval_diff(const char *old_path, const char *new_path, bool json, bool strict);

#endif /* CORS_EVAL_H */
