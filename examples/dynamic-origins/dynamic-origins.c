/*
 * dynamic-origins - a host whose allowed origins change at run time: a
 * policy file for everything else, plus a tenants file of origins that is
 * re-read on SIGHUP while requests are evaluated.
 *
 *     dynamic-origins --policy POLICY.yaml --tenants TENANTS.txt
 *
 * Reads one request a line on standard input, "METHOD ORIGIN" (or just
 * ORIGIN for a GET), evaluates it, and prints one JSON line: the verdict,
 * the reason and what allowed the origin. A reload that fails (a line that is
 * not a canonical origin) keeps the old tenants and says why on stderr.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L
#include "tenant-set.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (buf == NULL) {
            fclose(f);
            errno = ENOMEM;
            return NULL;
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap || cap >= ((size_t)64 << 20))
            break;
        char *bigger = realloc(buf, cap * 2);
        if (bigger == NULL)
            free(buf);
        buf = bigger;
        cap *= 2;
    }
    bool failed = ferror(f) || n == cap;
    fclose(f);
    if (failed) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    *len = n;
    return buf;
}

static bool
reload(struct tenant_set *ts, const char *path)
{
    size_t len = 0;
    char *text = read_file(path, &len);
    if (text == NULL) {
        fprintf(stderr, "dynamic-origins: %s: %s\n", path, strerror(errno));
        return false;
    }
    char err[512];
    bool ok = tenant_set_load(ts, text, len, err, sizeof(err));
    free(text);
    if (ok)
        fprintf(stderr, "dynamic-origins: %s: %zu tenant origins\n", path, tenant_set_count(ts));
    else
        fprintf(stderr, "dynamic-origins: %s: %s; the previous tenants stay\n", path, err);
    return ok;
}

struct reloader {
    struct tenant_set *ts;
    const char *path;
    sigset_t signals;
};

/* Waits for SIGHUP (reload) and SIGTERM/SIGINT (quit) in a thread of its
 * own, so reloads run while the main thread evaluates. */
static void *
reloader_main(void *arg)
{
    struct reloader *r = arg;
    for (;;) {
        int sig = 0;
        if (sigwait(&r->signals, &sig) != 0)
            continue;
        if (sig != SIGHUP)
            exit(0);
        reload(r->ts, r->path);
    }
    return NULL;
}

static void
json_string(const char *s, size_t n)
{
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void
evaluate(const struct cors_policy *policy, const char *method, const char *origin)
{
    struct cors_request_fields fields;
    cors_request_fields_init(&fields, cors_str_from_cstr(method));
    cors_request_fields_add(&fields, CORS_STR("Origin"), cors_str_from_cstr(origin));
    struct cors_request request;
    cors_request_fields_to_request(&fields, &request);
    struct cors_header headers[CORS_HEADERS_MAX];
    struct cors_result r;
    if (cors_evaluate(policy, &request, headers, CORS_HEADERS_MAX, &r) != CORS_OK) {
        puts("{\"error\": \"evaluation failed\"}");
        return;
    }
    printf("{\"origin\": ");
    json_string(origin, strlen(origin));
    printf(", \"allowed\": %s, \"reason\": \"%s\", \"matchedBy\": ", r.allowed ? "true" : "false",
           cors_reason_name(r.reason));
    if (r.matched_field == CORS_FIELD_NONE) {
        printf("null");
    } else {
        char by[64];
        snprintf(by, sizeof(by), "%s[%zu]", cors_field_name(r.matched_field), r.matched_index);
        json_string(by, strlen(by));
    }
    printf("}\n");
    fflush(stdout);
}

int
main(int argc, char **argv)
{
    const char *policy_path = NULL, *tenants_path = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--policy") == 0)
            policy_path = argv[i + 1];
        else if (strcmp(argv[i], "--tenants") == 0)
            tenants_path = argv[i + 1];
    }
    if (policy_path == NULL || tenants_path == NULL || argc != 5) {
        fprintf(stderr, "usage: dynamic-origins --policy POLICY.yaml --tenants TENANTS.txt\n");
        return 2;
    }

    struct reloader r = { .ts = tenant_set_new(), .path = tenants_path };
    if (r.ts == NULL || !reload(r.ts, tenants_path))
        return 1;

    size_t len = 0;
    char *text = read_file(policy_path, &len);
    if (text == NULL) {
        fprintf(stderr, "dynamic-origins: %s: %s\n", policy_path, strerror(errno));
        return 1;
    }
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    struct cors_diagnostics *diags = cors_diagnostics_new(NULL);
    /* builder errors are sticky: the results are checked once, at the build */
    cors_policy_builder_load_text(b, (struct cors_str){ text, len }, 0, diags);
    cors_policy_builder_set_origin_predicate(b, tenant_set_predicate, r.ts);
    enum cors_status st = CORS_OK;
    struct cors_policy *policy = cors_policy_build(b, 0, diags, &st);
    cors_policy_builder_free(b);
    free(text);
    for (size_t i = 0; i < cors_diagnostics_count(diags); i++) {
        const struct cors_diagnostic *d = cors_diagnostics_get(diags, i);
        fprintf(stderr, "%s:%u:%u: %s: %s\n", policy_path, (unsigned)d->line,
                (unsigned)d->column, cors_diag_code_name(d->code), d->message.ptr);
    }
    cors_diagnostics_free(diags);
    if (policy == NULL) {
        fprintf(stderr, "dynamic-origins: %s: invalid policy (%s)\n", policy_path,
                cors_status_name(st));
        return 1;
    }

    /* SIGHUP, SIGINT and SIGTERM go to the reloader thread only */
    sigemptyset(&r.signals);
    sigaddset(&r.signals, SIGHUP);
    sigaddset(&r.signals, SIGINT);
    sigaddset(&r.signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &r.signals, NULL);
    pthread_t thread;
    if (pthread_create(&thread, NULL, reloader_main, &r) != 0)
        return 1;
    fprintf(stderr, "dynamic-origins: ready\n");

    char line[8192];
    while (fgets(line, sizeof(line), stdin) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        char *space = strchr(line, ' ');
        if (line[0] == '\0')
            continue;
        if (space != NULL) {
            *space = '\0';
            evaluate(policy, line, space + 1);
        } else {
            evaluate(policy, "GET", line);
        }
    }
    /* the reloader thread may still use the set: leave both to exit() */
    cors_policy_unref(policy);
    return 0;
}
