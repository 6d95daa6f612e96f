/*
 * minimal.c - the smallest complete use of libcors.
 *
 * Builds a policy once (checking its diagnostics and the builder's one
 * status), then evaluates a preflight and two actual requests the way a
 * server would: every request header field goes to a cors_request_fields,
 * and the result says what to do to the response.
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
    case CORS_HEADER_REMOVE_ACCESS_CONTROL:
        return "remove";
    }
    return "?";
}

/* What a server does with one request: hand every header field line to the
 * library, evaluate, then either answer at once (a preflight) or run its
 * handler and apply the headers to its response. fields lists name, value
 * pairs and ends with NULL. */
static int
handle(const struct cors_policy *policy, const char *title, const char *method,
       const char *const *fields)
{
    struct cors_request_fields acc;
    cors_request_fields_init(&acc, cors_str_from_cstr(method));
    for (size_t i = 0; fields[i] != NULL; i += 2)
        cors_request_fields_add(&acc, cors_str_from_cstr(fields[i]),
                                cors_str_from_cstr(fields[i + 1]));
    struct cors_request request;
    cors_request_fields_to_request(&acc, &request);

    struct cors_header headers[CORS_HEADERS_MAX];
    struct cors_result result;
    enum cors_status st = cors_evaluate(policy, &request, headers, CORS_HEADERS_MAX, &result);
    if (st != CORS_OK) {
        fprintf(stderr, "cors_evaluate: %s\n", cors_status_name(st));
        return -1;
    }
    printf("== %s\n", title);
    printf("decision: %s, reason: %s, allowed: %s\n", cors_decision_name(result.decision),
           cors_reason_name(result.reason), result.allowed ? "yes" : "no");
    if (result.matched_field != CORS_FIELD_NONE) {
        struct cors_str entry =
            cors_policy_entry(policy, result.matched_field, result.matched_index);
        printf("allowed by %s[%zu]: %.*s\n", cors_field_name(result.matched_field),
               result.matched_index, (int)entry.len, entry.ptr);
    }
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
    /* 1. Build the policy once, at start-up. Builder errors are sticky: the
     *    setters' results need no check, the build fails if any did. */
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

    /* 2. Per request: every header field line as the server read it. */
    static const char *const preflight[] = {
        "Host", "api.example.com",
        "Origin", "https://app.example.com",
        "Access-Control-Request-Method", "PUT",
        "Access-Control-Request-Headers", "content-type,x-request-id",
        NULL,
    };
    static const char *const actual[] = {
        "origin", "https://pr-42.preview.example.com",
        "Content-Type", "application/json",
        NULL,
    };
    static const char *const denied[] = {
        "Origin", "https://evil.example",
        NULL,
    };
    int rc = handle(policy, "preflight PUT from https://app.example.com", "OPTIONS", preflight);
    rc |= handle(policy, "PUT from https://pr-42.preview.example.com", "PUT", actual);
    rc |= handle(policy, "GET from https://evil.example", "GET", denied);

    /* 3. Drop the reference when the configuration goes away. */
    cors_policy_unref(policy);
    return rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
