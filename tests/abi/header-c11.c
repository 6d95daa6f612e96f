/*
 * The public header compiles on its own under -std=c11 -pedantic -Werror
 * (plus the project's warnings), and its macros and inline helper work.
 * Built and run as the test 'abi-header-c11'.
 *
 * SPDX-License-Identifier: MIT
 */
#include <cors/cors.h>
#include <cors/cors.h> /* include guard */

#include <stdio.h>

#if !defined(CORS_VERSION_MAJOR) || !defined(CORS_VERSION_MINOR) || !defined(CORS_VERSION_MICRO)
#error "version macros missing"
#endif
#if !CORS_VERSION_AT_LEAST(0, 1, 0)
#error "CORS_VERSION_AT_LEAST broken"
#endif

int
main(void)
{
    struct cors_str lit = CORS_STR("https://example.com");
    struct cors_str c = cors_str_from_cstr("abc");
    struct cors_str absent = cors_str_from_cstr(NULL);
    struct cors_header headers[CORS_HEADERS_MAX];
    struct cors_request request = { CORS_STR("GET"), &lit, 1, { NULL, 0 }, NULL, 0, { NULL, 0 } };
    (void)headers;
    (void)request;
    if (lit.len != 19 || c.len != 3 || absent.ptr != NULL || absent.len != 0) {
        fprintf(stderr, "slice helpers broken\n");
        return 1;
    }
    return 0;
}
