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

/* Loads a policy file (the text formats of cors-eval --policy), printing its
 * diagnostics to stderr; NULL (and a message) when unreadable or invalid. */
struct cors_policy *cors_eval_load_policy(const char *path, bool strict);

/* cors-eval --test FILE: runs a policy test file, TAP on stdout. */
int cors_eval_test(const char *path, bool strict);

/* cors-eval --diff OLD NEW [--json]: what NEW admits that OLD did not. */
int cors_eval_diff(const char *old_path, const char *new_path, bool json, bool strict);

#endif /* CORS_EVAL_H */
