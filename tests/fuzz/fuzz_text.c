/*
 * Fuzz target: the YAML/JSON text loader (cors_policy_new_from_text), public
 * API only.
 *
 * Invariants: no crash, leak or hang on any bytes; every diagnostic has a
 * known code, a NUL-terminated message of the stated length without CR, LF
 * or NUL; a policy is returned exactly when the status is CORS_OK; a built
 * policy's effective JSON (cors_policy_to_json) has snprintf semantics, loads
 * again into a policy, and that policy writes the same JSON (round trip); an
 * evaluation against it returns clean headers.
 *
 * SPDX-License-Identifier: MIT
 */
#include <cors/cors.h>

#include "fuzz-common.h"

static void
check_diags(const struct cors_diagnostics *d)
{
    size_t n = cors_diagnostics_count(d), errors = 0;
    for (size_t i = 0; i < n; i++) {
        const struct cors_diagnostic *g = cors_diagnostics_get(d, i);
        FUZZ_CHECK(g != NULL, "diagnostic %zu missing", i);
        FUZZ_CHECK(strcmp(cors_diag_code_name(g->code), "unknown") != 0, "unknown code %d",
                   (int)g->code);
        FUZZ_CHECK(g->message.ptr != NULL && g->message.ptr[g->message.len] == '\0' &&
                       strlen(g->message.ptr) == g->message.len,
                   "message length");
        FUZZ_CHECK(fuzz_clean(g->message.ptr, g->message.len), "CR/LF in message: %s",
                   g->message.ptr);
        errors += g->severity == CORS_SEVERITY_ERROR;
    }
    FUZZ_CHECK(cors_diagnostics_get(d, n) == NULL, "get past the end");
    FUZZ_CHECK(cors_diagnostics_error_count(d) == errors, "error count");
}

static char *
json_of(const struct cors_policy *p, size_t *len)
{
    size_t need = cors_policy_to_json(p, NULL, 0);
    char *buf = malloc(need + 1);
    FUZZ_CHECK(buf != NULL, "out of memory");
    size_t got = cors_policy_to_json(p, buf, need + 1);
    FUZZ_CHECK(got == need && buf[need] == '\0' && strlen(buf) == need, "to_json length");
    if (need > 2) {
        char small[8];
        FUZZ_CHECK(cors_policy_to_json(p, small, sizeof small) == need &&
                       small[sizeof small - 1] == '\0' &&
                       memcmp(small, buf, sizeof small - 1) == 0,
                   "truncated to_json");
    }
    *len = need;
    return buf;
}

/* Removes the last member if it is "policySource" (to_json writes it last);
 * returns the new length. */
static size_t
strip_source(char *json, size_t len)
{
    static const char key[] = ",\"policySource\":";
    char *last = NULL;
    for (char *q = strstr(json, key); q != NULL; q = strstr(q + 1, key))
        last = q;
    if (last == NULL)
        return len;
    last[0] = '}';
    last[1] = '\0';
    return (size_t)(last - json) + 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cors_diagnostics *d = cors_diagnostics_new(NULL);
    if (d == NULL)
        return 0;
    enum cors_status st = CORS_E_NOMEM;
    struct cors_policy *p =
        cors_policy_new_from_text((struct cors_str){(const char *)data, size}, 0, NULL, d, &st);
    FUZZ_CHECK((p != NULL) == (st == CORS_OK), "policy %p with status %s", (void *)p,
               cors_status_name(st));
    check_diags(d);
    if (p == NULL) {
        FUZZ_CHECK(st == CORS_E_INVALID_POLICY || st == CORS_E_UNSUPPORTED,
                   "status %s", cors_status_name(st));
        FUZZ_CHECK(cors_diagnostics_error_count(d) > 0, "refused without an error diagnostic");
        cors_diagnostics_free(d);
        return 0;
    }

    /* evaluate one preflight: clean headers */
    struct cors_str origin = CORS_STR("https://example.com");
    struct cors_str rh = CORS_STR("x-a, content-type");
    struct cors_request rq = {
        .method = CORS_STR("OPTIONS"),
        .origins = &origin,
        .origin_count = 1,
        .request_method = CORS_STR("PUT"),
        .request_headers = &rh,
        .request_header_count = 1,
    };
    struct cors_header h[CORS_HEADERS_MAX];
    struct cors_result res;
    FUZZ_CHECK(cors_evaluate(p, &rq, h, CORS_HEADERS_MAX, &res) == CORS_OK, "evaluate");
    for (size_t i = 0; i < res.header_count; i++)
        FUZZ_CHECK(fuzz_clean(h[i].value.ptr, h[i].value.len), "CR/LF/NUL in a value");

    /* The effective JSON loads again into the same policy. Its "policySource"
     * member is not a text-policy key (the loader refuses it; pinned by
     * regress_json_policy_source_reloads in tests/stress/regressions.c), so
     * it is cut before reloading. */
    size_t len1, len2;
    char *j1 = json_of(p, &len1);
    len1 = strip_source(j1, len1);
    cors_diagnostics_clear(d);
    struct cors_policy *q =
        cors_policy_new_from_text((struct cors_str){j1, len1}, 0, NULL, d, &st);
    FUZZ_CHECK(q != NULL, "effective JSON does not load (%s): %s", cors_status_name(st), j1);
    char *j2 = json_of(q, &len2);
    len2 = strip_source(j2, len2);
    FUZZ_CHECK(len1 == len2 && memcmp(j1, j2, len1) == 0, "round trip differs:\n%s\n%s", j1, j2);
    free(j1);
    free(j2);
    cors_policy_unref(q);
    cors_policy_unref(p);
    cors_diagnostics_free(d);
    return 0;
}
