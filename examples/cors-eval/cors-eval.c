/*
 * cors-eval - evaluate one HTTP request against a libcors text policy.
 *
 *   cors-eval --policy FILE [-X METHOD] [-H 'Name: value']... [--json] [--strict]
 *   cors-eval --policy FILE --check [--strict]
 *   cors-eval --policy FILE --dump [--strict]
 *   cors-eval --test FILE.yaml [--strict]
 *   cors-eval --diff OLD NEW [--json] [--strict]
 *
 * Uses only <cors/cors.h> and the C library: it reads the file itself (the
 * library does no I/O), builds the policy with cors_policy_new_from_text(),
 * evaluates the request with cors_evaluate() and prints what the client
 * would receive.
 *
 * Exit status: 0 evaluated (allowed or not) or valid; 1 invalid policy;
 * 2 usage error (including an unreadable policy file). --test and --diff
 * (policy-test.c, policy-diff.c) say theirs.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-eval.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_EVALUATED 0
#define EXIT_INVALID 1
#define EXIT_USAGE 2

/* cors-eval refuses to read more than this; the library's own limit is lower
 * and reported as a diagnostic (text-too-large). */
#define READ_MAX ((size_t)16 * 1024 * 1024)

static const char usage_text[] =
    "Usage: cors-eval --policy FILE [-X METHOD] [-H 'Name: value']... [--json] [--strict]\n"
    "       cors-eval --policy FILE --check [--strict]\n"
    "       cors-eval --policy FILE --dump [--strict]\n"
    "       cors-eval --test FILE.yaml [--strict]\n"
    "       cors-eval --diff OLD NEW [--json] [--strict]\n"
    "\n"
    "Evaluates one HTTP request against a CORS policy (YAML or JSON: a CORS mapping,\n"
    "a 'cors:' mapping, or Kubernetes HTTPRoute / AgentgatewayPolicy documents) and\n"
    "prints what the client would receive, like the headers of 'curl -i'.\n"
    "\n"
    "  --policy FILE         the policy text; '-' reads standard input\n"
    "  -X, --request METHOD  request method (default GET)\n"
    "  -H, --header 'N: v'   a request header; repeatable. Used: Origin (repeated:\n"
    "                        several values), Access-Control-Request-Method,\n"
    "                        Access-Control-Request-Headers (repeatable lines),\n"
    "                        Access-Control-Request-Private-Network; others ignored.\n"
    "                        'Name;' sends an empty value, as in curl\n"
    "  --json                print one JSON object: decision, allowed, reason,\n"
    "                        handler, status, headers, policySource\n"
    "  --strict              every policy warning is an error\n"
    "  --check               only validate the policy; print its diagnostics as\n"
    "                        FILE:LINE:COL: error|warning: CODE: message\n"
    "  --dump                print the effective policy as JSON\n"
    "  --test FILE           run a policy test file (a policy and cases with the\n"
    "                        expected answers and browser outcomes); TAP output,\n"
    "                        exit 0 all passed, 1 a case failed, 2 bad test file\n"
    "  --diff OLD NEW        what NEW admits that OLD refused and the reverse, per\n"
    "                        field and over probe requests (--json for JSON);\n"
    "                        exit 1 when NEW admits anything OLD did not\n"
    "  -h, --help            this help\n"
    "  -V, --version         version of cors-eval and libcors\n"
    "\n"
    "Exit status: 0 evaluated (allowed or not) or valid, 1 invalid policy,\n"
    "2 usage error. See cors-eval(1).\n";

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 1, 2)))
#endif
static int
usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("cors-eval: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'cors-eval --help' for more information.\n", stderr);
    return EXIT_USAGE;
}

/* A copy of untrusted text safe to print in a message: printable ASCII, cut. */
static const char *
printable(char *dst, size_t size, const char *s, size_t len)
{
    size_t j = 0;
    for (size_t i = 0; i < len && j + 4 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        dst[j++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    if (j + 4 >= size && len > j) {
        memcpy(dst + j, "...", 3);
        j += 3;
    }
    dst[j] = '\0';
    return dst;
}

static bool
is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* HTTP token characters (RFC 9110 tchar) for header names given with -H. */
static bool
is_tchar(unsigned char c)
{
    if (c >= 'a' && c <= 'z')
        return true;
    if (c >= 'A' && c <= 'Z')
        return true;
    if (c >= '0' && c <= '9')
        return true;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

struct header_arg {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

/* Splits "Name: value" (or curl's "Name;" for an empty value). */
static bool
split_header(const char *arg, struct header_arg *h)
{
    size_t len = strlen(arg);
    size_t colon = 0;
    while (colon < len && arg[colon] != ':')
        colon++;
    size_t name_end;
    const char *v;
    size_t vlen;
    if (colon < len) {
        name_end = colon;
        v = arg + colon + 1;
        vlen = len - colon - 1;
    } else if (len > 1 && arg[len - 1] == ';') {
        name_end = len - 1;
        v = arg + len;
        vlen = 0;
    } else {
        return false;
    }
    if (name_end == 0)
        return false;
    for (size_t i = 0; i < name_end; i++)
        if (!is_tchar((unsigned char)arg[i]))
            return false;
    while (vlen > 0 && is_ows(v[0])) {
        v++;
        vlen--;
    }
    while (vlen > 0 && is_ows(v[vlen - 1]))
        vlen--;
    h->name = arg;
    h->name_len = name_end;
    h->value = v;
    h->value_len = vlen;
    return true;
}

/* Reads the whole file ("-": standard input). Returns NULL with errno set. */
static char *
read_file(const char *path, size_t *len_out, bool *too_big)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    *too_big = false;
    if (f == NULL)
        return NULL;
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    if (buf == NULL) {
        if (f != stdin)
            fclose(f);
        errno = ENOMEM;
        return NULL;
    }
    for (;;) {
        if (len == cap) {
            if (cap >= READ_MAX) {
                *too_big = true;
                break;
            }
            size_t ncap = cap * 2 > READ_MAX ? READ_MAX : cap * 2;
            char *nb = realloc(buf, ncap);
            if (nb == NULL) {
                free(buf);
                if (f != stdin)
                    fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            buf = nb;
            cap = ncap;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f)) {
                int e = errno ? errno : EIO;
                free(buf);
                if (f != stdin)
                    fclose(f);
                errno = e;
                return NULL;
            }
            break;
        }
    }
    if (f != stdin)
        fclose(f);
    *len_out = len;
    return buf;
}

/* Reads the policy file path whole (display: its name in messages). NULL,
 * with a message on stderr, when it cannot be read (*exit_code EXIT_USAGE) or
 * is too large to be a policy (*exit_code EXIT_INVALID). */
static char *
read_policy_text(const char *path, const char *display, size_t *len_out, int *exit_code)
{
    bool too_big = false;
    char *text = read_file(path, len_out, &too_big);
    if (text == NULL) {
        fprintf(stderr, "cors-eval: cannot read %s: %s\n", display, strerror(errno));
        *exit_code = EXIT_USAGE;
        return NULL;
    }
    if (too_big) {
        fprintf(stderr, "cors-eval: %s: larger than %zu bytes; not a CORS policy\n", display,
                READ_MAX);
        free(text);
        *exit_code = EXIT_INVALID;
        return NULL;
    }
    return text;
}

static void
print_diagnostics(FILE *out, const char *file, const struct cors_diagnostics *diags)
{
    char msg[1024];
    for (size_t i = 0; i < cors_diagnostics_count(diags); i++) {
        const struct cors_diagnostic *d = cors_diagnostics_get(diags, i);
        const char *sev = d->severity == CORS_SEVERITY_ERROR ? "error" : "warning";
        printable(msg, sizeof(msg), d->message.ptr, d->message.len);
        if (d->line > 0)
            fprintf(out, "%s:%lu:%lu: %s: %s: %s\n", file, (unsigned long)d->line,
                    (unsigned long)d->column, sev, cors_diag_code_name(d->code), msg);
        else
            fprintf(out, "%s: %s: %s: %s\n", file, sev, cors_diag_code_name(d->code), msg);
    }
}

static const char *
reason_phrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    default:
        return "";
    }
}

static void
print_lower(FILE *out, struct cors_str s)
{
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        fputc((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c, out);
    }
}

static void
print_curl(const struct cors_result *r)
{
    if (r->call_handler)
        printf("HTTP/1.1 200 OK\n");
    else if (*reason_phrase(r->status))
        printf("HTTP/1.1 %d %s\n", r->status, reason_phrase(r->status));
    else
        printf("HTTP/1.1 %d\n", r->status);
    for (size_t i = 0; i < r->header_count; i++) {
        const struct cors_header *h = &r->headers[i];
        if (h->op == CORS_HEADER_REMOVE_ACCESS_CONTROL)
            continue; /* an instruction to the server, not a header */
        if (h->op == CORS_HEADER_MERGE_VARY)
            fputs("vary", stdout);
        else
            print_lower(stdout, h->name);
        printf(": %.*s\n", (int)h->value.len, h->value.ptr);
    }
}

static void
print_json(const struct cors_result *r, const struct cors_policy *policy)
{
    printf("{\n  \"decision\": \"%s\",\n", cors_decision_name(r->decision));
    printf("  \"allowed\": %s,\n", r->allowed ? "true" : "false");
    printf("  \"reason\": \"%s\",\n", cors_reason_name(r->reason));
    printf("  \"handler\": %s,\n", r->call_handler ? "true" : "false");
    if (r->call_handler)
        printf("  \"status\": null,\n");
    else
        printf("  \"status\": %d,\n", r->status);
    /* reportOnly, or outside the policy's enforcePercent share */
    printf("  \"reportOnly\": %s,\n", r->report_only ? "true" : "false");
    /* the entry that allowed the origin, as an operator finds it in the policy */
    if (r->matched_field == CORS_FIELD_NONE) {
        printf("  \"matched\": null,\n");
    } else {
        struct cors_str entry = cors_policy_entry(policy, r->matched_field, r->matched_index);
        printf("  \"matched\": {\"field\": \"%s\", \"index\": %zu, \"entry\": ",
               cors_field_name(r->matched_field), r->matched_index);
        cors_eval_json_string(stdout, entry.ptr ? entry.ptr : "", entry.ptr ? entry.len : 0);
        printf("},\n");
    }
    /* the server removes every Access-Control-* header of the handler's */
    bool removes = false;
    size_t shown = 0;
    for (size_t i = 0; i < r->header_count; i++) {
        if (r->headers[i].op == CORS_HEADER_REMOVE_ACCESS_CONTROL)
            removes = true;
        else
            shown++;
    }
    printf("  \"removesAccessControl\": %s,\n", removes ? "true" : "false");
    if (shown == 0) {
        printf("  \"headers\": [],\n");
    } else {
        printf("  \"headers\": [\n");
        for (size_t i = 0; i < r->header_count; i++) {
            const struct cors_header *h = &r->headers[i];
            if (h->op == CORS_HEADER_REMOVE_ACCESS_CONTROL)
                continue;
            fputs("    [", stdout);
            cors_eval_json_string(stdout, h->name.ptr, h->name.len);
            fputs(", ", stdout);
            cors_eval_json_string(stdout, h->value.ptr, h->value.len);
            printf("]%s\n", --shown > 0 ? "," : "");
        }
        printf("  ],\n");
    }
    struct cors_str source = cors_policy_source(policy);
    fputs("  \"policySource\": ", stdout);
    cors_eval_json_string(stdout, source.ptr ? source.ptr : "", source.ptr ? source.len : 0);
    printf("\n}\n");
}

struct options {
    const char *policy;
    const char *test;
    bool diff;
    const char *diff_old, *diff_new;
    const char *method;
    bool json, strict, check, dump;
    const char **headers;
    size_t header_count;
};

/* Value of an option: "--opt=value", "--opt value", "-Xvalue", "-X value". */
static int
take_value(int argc, char **argv, int *i, const char *arg, size_t prefix_len,
           const char **value)
{
    if (arg[prefix_len] == '=' && arg[1] == '-') {
        *value = arg + prefix_len + 1;
        return 0;
    }
    if (arg[prefix_len] != '\0' && arg[1] != '-') {
        *value = arg + prefix_len; /* -XPOST */
        return 0;
    }
    if (arg[prefix_len] != '\0')
        return -1;
    if (*i + 1 >= argc)
        return -1;
    *value = argv[++*i];
    return 0;
}

static bool
opt_is(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || (arg[n] == '=' && name[1] == '-') ||
                                          (name[1] != '-' && arg[n] != '\0'));
}

static int
parse_args(int argc, char **argv, struct options *o)
{
    char q[80];
    o->headers = calloc((size_t)argc + 1, sizeof(*o->headers));
    if (o->headers == NULL)
        return usage_error("out of memory");
    bool method_given = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return -1;
        }
        if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
            return -2;
        }
        if (strcmp(a, "--json") == 0) {
            o->json = true;
        } else if (strcmp(a, "--strict") == 0) {
            o->strict = true;
        } else if (strcmp(a, "--check") == 0) {
            o->check = true;
        } else if (strcmp(a, "--dump") == 0) {
            o->dump = true;
        } else if (opt_is(a, "--policy")) {
            if (take_value(argc, argv, &i, a, 8, &v) != 0)
                return usage_error("--policy needs a file name (or '-' for standard input)");
            if (o->policy != NULL)
                return usage_error("--policy given twice");
            if (*v == '\0')
                return usage_error("--policy needs a file name (or '-' for standard input)");
            o->policy = v;
        } else if (opt_is(a, "--test")) {
            if (take_value(argc, argv, &i, a, 6, &v) != 0 || *v == '\0')
                return usage_error("--test needs a policy test file");
            if (o->test != NULL)
                return usage_error("--test given twice");
            o->test = v;
        } else if (strcmp(a, "--diff") == 0) {
            if (o->diff)
                return usage_error("--diff given twice");
            o->diff = true;
        } else if (a[0] != '-' || strcmp(a, "-") == 0) {
            /* OLD and NEW of --diff */
            if (o->diff_new != NULL)
                return usage_error("unexpected argument '%s'",
                                   printable(q, sizeof(q), a, strlen(a)));
            if (o->diff_old == NULL)
                o->diff_old = a;
            else
                o->diff_new = a;
        } else if (opt_is(a, "-X") || opt_is(a, "--request")) {
            size_t pl = a[1] == '-' ? 9 : 2;
            if (take_value(argc, argv, &i, a, pl, &v) != 0)
                return usage_error("%s needs a method", a[1] == '-' ? "--request" : "-X");
            if (*v == '\0')
                return usage_error("the method given with -X is empty");
            o->method = v;
            method_given = true;
        } else if (opt_is(a, "-H") || opt_is(a, "--header")) {
            size_t pl = a[1] == '-' ? 8 : 2;
            if (take_value(argc, argv, &i, a, pl, &v) != 0)
                return usage_error("%s needs a header such as 'Origin: https://example.com'",
                                   a[1] == '-' ? "--header" : "-H");
            struct header_arg h;
            if (!split_header(v, &h))
                return usage_error("-H '%s': expected 'Name: value' (or 'Name;' for an empty "
                                   "value) with a valid header name",
                                   printable(q, sizeof(q), v, strlen(v)));
            o->headers[o->header_count++] = v;
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage_error("unknown option '%s'", printable(q, sizeof(q), a, strlen(a)));
        } else {
            return usage_error("unexpected argument '%s'", printable(q, sizeof(q), a, strlen(a)));
        }
    }
    if (!o->diff && o->diff_old != NULL)
        return usage_error("unexpected argument '%s'",
                           printable(q, sizeof(q), o->diff_old, strlen(o->diff_old)));
    if (o->diff && (o->diff_new == NULL || *o->diff_old == '\0' || *o->diff_new == '\0'))
        return usage_error("--diff needs two policy files: OLD NEW");
    if (o->test != NULL || o->diff) {
        const char *mode = o->test != NULL ? "--test" : "--diff";
        if (o->test != NULL && o->diff)
            return usage_error("--test and --diff cannot be combined");
        if (o->policy != NULL || o->check || o->dump || method_given || o->header_count > 0)
            return usage_error("%s takes no --policy, --check, --dump, -X or -H", mode);
        if (o->test != NULL && o->json)
            return usage_error("--test prints TAP; it takes no --json");
        return 0;
    }
    if (o->policy == NULL)
        return usage_error("--policy FILE is required");
    if (o->check && o->dump)
        return usage_error("--check and --dump cannot be combined");
    if ((o->check || o->dump) && (method_given || o->header_count > 0 || o->json))
        return usage_error("%s validates the policy only; it takes no -X, -H or --json",
                           o->check ? "--check" : "--dump");
    if (o->method == NULL)
        o->method = "GET";
    return 0;
}

static bool
text_supported(void)
{
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    if (b == NULL)
        return false;
    enum cors_status st = cors_policy_builder_load_text(b, CORS_STR("{}"), 0, NULL);
    cors_policy_builder_free(b);
    return st != CORS_E_UNSUPPORTED;
}

static int
evaluate(const struct options *o, const struct cors_policy *policy)
{
    /* Every -H line goes to the library's accumulator, which picks the CORS
     * fields and applies the rules for repeated ones, as a server does. */
    struct header_arg *hs = calloc(o->header_count + 1, sizeof(*hs));
    if (hs == NULL) {
        fputs("cors-eval: out of memory\n", stderr);
        return EXIT_INVALID;
    }
    struct cors_request_fields fields;
    cors_request_fields_init(&fields, cors_str_from_cstr(o->method));
    for (size_t i = 0; i < o->header_count; i++) {
        struct header_arg *h = &hs[i];
        (void)split_header(o->headers[i], h); /* validated in parse_args */
        cors_request_fields_add(&fields, (struct cors_str){ h->name, h->name_len },
                                (struct cors_str){ h->value, h->value_len });
    }
    struct cors_request req;
    cors_request_fields_to_request(&fields, &req);

    int rc = EXIT_EVALUATED;
    struct cors_header headers[CORS_HEADERS_MAX];
    struct cors_result result;
    enum cors_status st = cors_evaluate(policy, &req, headers, CORS_HEADERS_MAX, &result);
    if (st != CORS_OK) {
        fprintf(stderr, "cors-eval: evaluation failed: %s\n", cors_status_name(st));
        rc = EXIT_INVALID;
    } else if (o->json) {
        print_json(&result, policy);
    } else {
        print_curl(&result);
    }
    free(hs);
    return rc;
}

static int
dump(const struct cors_policy *policy)
{
    size_t need = cors_policy_to_json(policy, NULL, 0);
    char *buf = malloc(need + 1);
    if (buf == NULL) {
        fputs("cors-eval: out of memory\n", stderr);
        return EXIT_INVALID;
    }
    (void)cors_policy_to_json(policy, buf, need + 1);
    fwrite(buf, 1, need, stdout);
    if (need == 0 || buf[need - 1] != '\n')
        fputc('\n', stdout);
    free(buf);
    return EXIT_EVALUATED;
}

int
main(int argc, char **argv)
{
    struct options o;
    memset(&o, 0, sizeof(o));
    int rc = parse_args(argc, argv, &o);
    if (rc == -1) { /* --help */
        free(o.headers);
        return EXIT_EVALUATED;
    }
    if (rc == -2) { /* --version */
        free(o.headers);
        printf("cors-eval (libcors) %s\n", cors_version_string());
        printf("YAML/JSON text policies: %s\n", text_supported() ? "yes" : "no (built without libyaml)");
        return EXIT_EVALUATED;
    }
    if (rc != 0) {
        free(o.headers);
        return rc;
    }

    if (o.test != NULL || o.diff) {
        free(o.headers);
        return o.test != NULL ? cors_eval_test(o.test, o.strict)
                              : cors_eval_diff(o.diff_old, o.diff_new, o.json, o.strict);
    }

    const char *display = strcmp(o.policy, "-") == 0 ? "<stdin>" : o.policy;
    size_t len = 0;
    char *text = read_policy_text(o.policy, display, &len, &rc);
    if (text == NULL) {
        free(o.headers);
        return rc;
    }

    struct cors_diagnostics *diags = cors_diagnostics_new(NULL);
    if (diags == NULL) {
        fputs("cors-eval: out of memory\n", stderr);
        free(text);
        free(o.headers);
        return EXIT_INVALID;
    }
    enum cors_status st = CORS_OK;
    struct cors_policy *policy =
        cors_policy_new_from_text((struct cors_str){ text, len },
                                  o.strict ? CORS_BUILD_STRICT : 0, NULL, diags, &st);
    free(text);

    size_t errors = cors_diagnostics_error_count(diags);
    size_t warnings = cors_diagnostics_count(diags) - errors;
    print_diagnostics(o.check ? stdout : stderr, display, diags);

    if (policy == NULL) {
        if (st == CORS_E_NOMEM)
            fprintf(stderr, "cors-eval: out of memory\n");
        else
            fprintf(stderr, "cors-eval: %s: invalid policy (%zu error%s, %zu warning%s)\n",
                    display, errors, errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
        rc = EXIT_INVALID;
    } else if (o.check) {
        fprintf(stderr, "cors-eval: %s: valid (%zu warning%s)\n", display, warnings,
                warnings == 1 ? "" : "s");
        rc = EXIT_EVALUATED;
    } else if (o.dump) {
        rc = dump(policy);
    } else {
        rc = evaluate(&o, policy);
    }
    cors_policy_unref(policy);
    cors_diagnostics_free(diags);
    free(o.headers);
    return rc;
}

/* ------------------------------------------- shared with the other modes */

char *
cors_eval_read_file(const char *path, size_t *len_out, bool *too_big)
{
    return read_file(path, len_out, too_big);
}

void
cors_eval_print_diagnostics(FILE *out, const char *file, const struct cors_diagnostics *diags)
{
    print_diagnostics(out, file, diags);
}

const char *
cors_eval_printable(char *dst, size_t size, const char *s, size_t len)
{
    return printable(dst, size, s, len);
}

struct cors_policy *
cors_eval_load_policy(const char *path, bool strict)
{
    size_t len = 0;
    int unused;
    char *text = read_policy_text(path, path, &len, &unused);
    if (text == NULL)
        return NULL;
    struct cors_diagnostics *diags = cors_diagnostics_new(NULL);
    enum cors_status st = CORS_OK;
    struct cors_policy *policy =
        diags ? cors_policy_new_from_text((struct cors_str){ text, len },
                                          strict ? CORS_BUILD_STRICT : 0, NULL, diags, &st)
              : NULL;
    free(text);
    if (diags != NULL)
        print_diagnostics(stderr, path, diags);
    if (policy == NULL)
        fprintf(stderr, "cors-eval: %s: %s\n", path,
                st == CORS_E_NOMEM || diags == NULL ? "out of memory" : "invalid policy");
    cors_diagnostics_free(diags);
    return policy;
}
