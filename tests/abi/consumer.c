/*
 * A program that knows libcors only through pkg-config: built by
 * pkgconfig-consumer.sh against an installed copy, with nothing but
 * `pkg-config --cflags --libs libcors`. It builds a policy, evaluates a
 * preflight and an actual request and prints what it got.
 *
 * SPDX-License-Identifier: MIT
 */
#include <cors/cors.h>

#include <stdio.h>

static int
show(const struct cors_policy *policy, const char *method, const char *origin, const char *acrm)
{
    struct cors_str o = cors_str_from_cstr(origin);
    struct cors_request rq = { cors_str_from_cstr(method), &o, 1, cors_str_from_cstr(acrm),
                               NULL, 0, { NULL, 0 } };
    struct cors_header h[CORS_HEADERS_MAX];
    struct cors_result r;
    if (cors_evaluate(policy, &rq, h, CORS_HEADERS_MAX, &r) != CORS_OK)
        return 1;
    printf("%s %s %s status=%d handler=%d\n", cors_decision_name(r.decision),
           cors_reason_name(r.reason), r.allowed ? "allowed" : "denied", r.status,
           (int)r.call_handler);
    for (size_t i = 0; i < r.header_count; i++)
        printf("%.*s: %.*s\n", (int)h[i].name.len, h[i].name.ptr, (int)h[i].value.len,
               h[i].value.ptr);
    return 0;
}

int
main(void)
{
    if (cors_version() != CORS_VERSION_HEX) {
        fprintf(stderr, "runtime %s does not match the installed header\n",
                cors_version_string());
        return 1;
    }
    struct cors_policy_builder *b = cors_policy_builder_new(NULL);
    if (b == NULL)
        return 1;
    cors_policy_builder_add_origin(b, CORS_STR("https://app.example.com"));
    cors_policy_builder_add_origin_regex(b, CORS_STR("https://pr-[0-9]+\\.example\\.net"));
    cors_policy_builder_add_method(b, CORS_STR("PUT"));
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    struct cors_policy *p = cors_policy_build(b, CORS_BUILD_STRICT, d, NULL);
    cors_policy_builder_free(b);
    if (p == NULL) {
        for (size_t i = 0; i < cors_diagnostics_count(d); i++)
            fprintf(stderr, "%s\n", cors_diagnostics_get(d, i)->message.ptr);
        return 1;
    }
    cors_diagnostics_free(d);
    int rc = show(p, "OPTIONS", "https://app.example.com", "PUT");
    rc |= show(p, "GET", "https://pr-12.example.net", NULL);
    cors_policy_unref(p);
    printf("libcors %s\n", cors_version_string());
    return rc;
}
