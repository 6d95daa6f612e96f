/*
 * minimal.c - the smallest complete use of libcors.
 *
 * Builds a policy once (checking its diagnostics), then evaluates a
 * preflight and an actual request the way a server would, and prints the
 * decision and the response headers the server has to apply.
 *
 *     cc minimal.c $(pkg-config --cflags --libs libcors) -o minimal
 *
 * SPDX-License-Identifier: MIT
 */
#include <cors/cors.h>

#include <stdio.h>
#include <stdlib.h>

static const char *
op_name(enum cors_header_op op)
{
    switch (op) {
    case CORS_HEADER_SET:
        return "set";
    case CORS_HEADER_APPEND:
        return "append";
    case CORS_HEADER_MERGE_VARY:
        return "merge";
    }
    return "?";
}

/* What a server does with one request: evaluate, then either answer at once
 * (a preflight) or run its handler and add the headers to its response. */
static int
handle(const struct cors_policy *policy, const char *title, const struct cors_request *request)
{
    struct cors_header headers[CORS_HEADERS_MAX];
    struct cors_result result;
    enum cors_status st = cors_evaluate(policy, request, headers, CORS_HEADERS_MAX, &result);
    if (st != CORS_OK) {
        fprintf(stderr, "cors_evaluate: %s\n", cors_status_name(st));
        return -1;
    }
    printf("== %s\n", title);
    printf("decision: %s, reason: %s, allowed: %s\n", cors_decision_name(result.decision),
           cors_reason_name(result.reason), result.allowed ? "yes" : "no");
    if (result.call_handler)
        printf("run the handler, then apply:\n");
    else
        printf("answer now: status %d, empty body, with:\n", result.status);
    for (size_t i = 0; i < result.header_count; i++)
        printf("  [%s] %.*s: %.*s\n", op_name(headers[i].op), (int)headers[i].name.len,
               headers[i].name.ptr, (int)headers[i].value.len, headers[i].value.ptr);
    return 0;
}

int
main(void)
{
    /* 1. Build the policy once, at start-up. */
    struct cors_policy_builder *builder = cors_policy_builder_new(NULL);
    if (builder == NULL)
        return EXIT_FAILURE;
    cors_policy_builder_add_origin(builder, CORS_STR("https://app.example.com"));
    cors_policy_builder_add_origin(builder, CORS_STR("https://*.preview.example.com"));
    cors_policy_builder_add_method(builder, CORS_STR("GET"));
    cors_policy_builder_add_method(builder, CORS_STR("PUT"));
    cors_policy_builder_add_method(builder, CORS_STR("DELETE"));
    cors_policy_builder_add_allow_header(builder, CORS_STR("Content-Type"));
    cors_policy_builder_add_allow_header(builder, CORS_STR("X-Request-Id"));
    cors_policy_builder_add_expose_header(builder, CORS_STR("X-Request-Id"));
    cors_policy_builder_set_max_age(builder, 600);

    struct cors_diagnostics *diags = cors_diagnostics_new(NULL);
    enum cors_status st = CORS_OK;
    struct cors_policy *policy = cors_policy_build(builder, 0, diags, &st);
    cors_policy_builder_free(builder);
    for (size_t i = 0; diags != NULL && i < cors_diagnostics_count(diags); i++) {
        const struct cors_diagnostic *d = cors_diagnostics_get(diags, i);
        fprintf(stderr, "%s: %s[%zu]: %s: %s\n",
                d->severity == CORS_SEVERITY_ERROR ? "error" : "warning",
                cors_field_name(d->field), d->index, cors_diag_code_name(d->code),
                d->message.ptr);
    }
    cors_diagnostics_free(diags);
    if (policy == NULL) {
        fprintf(stderr, "invalid policy (%s)\n", cors_status_name(st));
        return EXIT_FAILURE;
    }

    /* 2. Per request: hand over the method and the raw header values. */
    struct cors_str origin = CORS_STR("https://app.example.com");
    struct cors_str request_headers = CORS_STR("content-type,x-request-id");
    struct cors_request preflight = {
        .method = CORS_STR("OPTIONS"),
        .origins = &origin,
        .origin_count = 1,
        .request_method = CORS_STR("PUT"),
        .request_headers = &request_headers,
        .request_header_count = 1,
    };
    struct cors_str pr_origin = CORS_STR("https://pr-42.preview.example.com");
    struct cors_request actual = {
        .method = CORS_STR("PUT"),
        .origins = &pr_origin,
        .origin_count = 1,
    };
    struct cors_str evil = CORS_STR("https://evil.example");
    struct cors_request denied = {
        .method = CORS_STR("GET"),
        .origins = &evil,
        .origin_count = 1,
    };

    int rc = handle(policy, "preflight PUT from https://app.example.com", &preflight);
    rc |= handle(policy, "PUT from https://pr-42.preview.example.com", &actual);
    rc |= handle(policy, "GET from https://evil.example", &denied);

    /* 3. Drop the reference when the configuration goes away. */
    cors_policy_unref(policy);
    return rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
