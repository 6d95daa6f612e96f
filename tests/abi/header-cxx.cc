// The public header compiles as C++ (extern "C", no C-only constructs
// outside macros) with -pedantic -Werror, links, and its inline helper works.
// SPDX-License-Identifier: MIT
#include <cors/cors.h>

#include <cstdio>

int
main()
{
    cors_str s = cors_str_from_cstr("https://example.com");
    cors_policy_builder *b = cors_policy_builder_new(nullptr);
    if (b == nullptr)
        return 1;
    cors_status st = cors_policy_builder_add_origin(b, s);
    cors_policy *p = cors_policy_build(b, 0, nullptr, nullptr);
    cors_policy_builder_free(b);
    if (st != CORS_OK || p == nullptr)
        return 1;
    cors_request rq = {};
    rq.method = cors_str_from_cstr("GET");
    rq.origins = &s;
    rq.origin_count = 1;
    cors_header h[CORS_HEADERS_MAX];
    cors_result r;
    st = cors_evaluate(p, &rq, h, CORS_HEADERS_MAX, &r);
    cors_policy_unref(p);
    if (st != CORS_OK || !r.allowed || r.decision != CORS_DECISION_ACTUAL) {
        std::fprintf(stderr, "unexpected result\n");
        return 1;
    }
    return 0;
}
