/*
 * fetch-oracle: the browser suite's prediction, made by libcors' Fetch
 * oracle (cors_fetch_*) rather than by JavaScript. run.js calls it once per
 * step of a case and compares its answer with what the browser did.
 *
 *   fetch-oracle plan|preflight|response|timing --origin ORIGIN --method METHOD
 *                [--credentials omit|same-origin|include] [--private-network]
 *                [-H 'Name: value']...   (the script's request headers)
 *                [--status N] [-R 'Name: value']...   (the response)
 *
 * Prints one JSON object:
 *   plan:      {"reason", "preflight", "method", "requestHeaders"}
 *   preflight: {"ok", "reason", "detail", "maxAge", "maxAgeChromium", "maxAgeFirefox"}
 *   response:  {"ok", "reason", "detail", "readable": [names]}
 *   timing:    {"cors", "tao", "visible"}: does the response pass the CORS
 *              check, the TAO check (Timing-Allow-Origin), and so are its
 *              Resource Timing details visible to the page (both)
 * Exit status 0, or 2 on a usage error.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-eval.h" /* cors_eval_json_string() */

#include <cors/cors.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_LINES 128

static int
usage(const char *msg)
{
    fprintf(stderr, "fetch-oracle: %s\n", msg);
    return 2;
}

/* "Name: value" into a header (the value's surrounding blanks are kept:
 * the oracle ignores them as an HTTP parser does). */
static int
split(const char *arg, struct cors_fetch_header *h)
{
    const char *colon = strchr(arg, ':');
    if (colon == NULL || colon == arg)
        return -1;
    h->name = (struct cors_str){arg, (size_t)(colon - arg)};
    h->value = cors_str_from_cstr(colon + 1);
    return 0;
}

/* s as a JSON string on stdout (cors-eval's writer); null for a NULL slice. */
static void
json_str(struct cors_str s)
{
    if (s.ptr == NULL)
        fputs("null", stdout);
    else
        cors_eval_json_string(stdout, s.ptr, s.len);
}

/* The start of the preflight and response answers: ok, reason and detail. */
static void
print_verdict(const struct cors_fetch_verdict *v)
{
    printf("{\"ok\": %s, \"reason\": \"%s\", \"detail\": ", v->ok ? "true" : "false",
           cors_fetch_reason_name(v->reason));
    json_str(v->detail);
}

static bool
str_eq(struct cors_str a, struct cors_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static bool
is_http_ws(char c)
{
    return c == ' ' || c == '\t';
}

/*
 * Fetch's TAO check (fetch.spec.whatwg.org, "TAO check") for a response to a
 * CORS request without redirects: the values of every Timing-Allow-Origin
 * line, got, decoded and split on commas outside quoted strings and trimmed
 * of HTTP white space, must contain "*" or the request's serialized origin
 * (exactly: "Null" is not "null"). libcors' Fetch oracle has no TAO check;
 * this is the suite's own, small and separate from it.
 */
static bool
tao_check(struct cors_str origin, const struct cors_fetch_response *resp)
{
    for (size_t i = 0; i < resp->header_count; i++) {
        const struct cors_fetch_header *h = &resp->headers[i];
        if (h->name.len != sizeof "Timing-Allow-Origin" - 1 ||
            strncasecmp(h->name.ptr, "Timing-Allow-Origin", h->name.len) != 0)
            continue;
        const char *p = h->value.ptr, *end = p + h->value.len;
        while (p <= end) {
            const char *start = p;
            bool quoted = false;
            while (p < end && (quoted || *p != ',')) {
                if (*p == '"')
                    quoted = !quoted;
                p++;
            }
            const char *a = start, *b = p;
            while (a < b && is_http_ws(*a))
                a++;
            while (b > a && is_http_ws(b[-1]))
                b--;
            struct cors_str value = {a, (size_t)(b - a)};
            if (str_eq(value, CORS_STR("*")) || str_eq(value, origin))
                return true;
            p++; /* past the comma (or the end) */
        }
    }
    return false;
}

int
main(int argc, char **argv)
{
    static struct cors_fetch_header req_h[MAX_LINES], resp_h[MAX_LINES];
    struct cors_fetch_request rq = {.method = CORS_STR("GET")};
    struct cors_fetch_response resp = {200, resp_h, 0};
    const char *mode = NULL;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--private-network") == 0) {
            rq.private_network = true;
        } else if (a[0] != '-') {
            if (mode != NULL)
                return usage("one mode only");
            mode = a;
        } else if (v == NULL) {
            return usage("an option needs a value");
        } else if (strcmp(a, "--origin") == 0) {
            rq.origin = cors_str_from_cstr(v);
            i++;
        } else if (strcmp(a, "--method") == 0) {
            rq.method = cors_str_from_cstr(v);
            i++;
        } else if (strcmp(a, "--credentials") == 0) {
            if (strcmp(v, "include") == 0)
                rq.credentials = CORS_FETCH_CREDENTIALS_INCLUDE;
            else if (strcmp(v, "omit") == 0)
                rq.credentials = CORS_FETCH_CREDENTIALS_OMIT;
            else if (strcmp(v, "same-origin") == 0)
                rq.credentials = CORS_FETCH_CREDENTIALS_SAME_ORIGIN;
            else
                return usage("--credentials: omit, same-origin or include");
            i++;
        } else if (strcmp(a, "--status") == 0) {
            resp.status = atoi(v);
            i++;
        } else if (strcmp(a, "-H") == 0 || strcmp(a, "-R") == 0) {
            bool request = a[1] == 'H';
            size_t *n = request ? &rq.header_count : &resp.header_count;
            struct cors_fetch_header *arr = request ? req_h : resp_h;
            if (*n == MAX_LINES || split(v, &arr[*n]) != 0)
                return usage("-H/-R need 'Name: value' (at most 128 each)");
            (*n)++;
            i++;
        } else {
            return usage("unknown option");
        }
    }
    rq.headers = req_h;
    if (mode == NULL || rq.origin.ptr == NULL)
        return usage("usage: fetch-oracle plan|preflight|response|timing --origin O [options]");

    if (strcmp(mode, "plan") == 0) {
        char buf[8192];
        struct cors_fetch_plan plan;
        if (cors_fetch_plan(&rq, buf, sizeof buf, &plan) != CORS_OK)
            return usage("request headers too long");
        printf("{\"reason\": \"%s\", \"preflight\": %s, \"method\": ",
               cors_fetch_reason_name(plan.reason), plan.preflight ? "true" : "false");
        json_str(plan.reason == CORS_FETCH_OK ? plan.method : rq.method);
        printf(", \"requestHeaders\": ");
        json_str(plan.request_headers_len ? plan.request_headers : CORS_STR(""));
        printf("}\n");
        return 0;
    }
    struct cors_fetch_verdict v;
    if (strcmp(mode, "preflight") == 0) {
        if (cors_fetch_check_preflight(&rq, &resp, &v) != CORS_OK)
            return usage("invalid arguments");
        print_verdict(&v);
        printf(", \"maxAge\": %lld, \"maxAgeChromium\": %lld, \"maxAgeFirefox\": %lld}\n",
               (long long)v.max_age, (long long)v.max_age_chromium, (long long)v.max_age_firefox);
        return 0;
    }
    if (strcmp(mode, "response") == 0) {
        if (cors_fetch_check_response(&rq, &resp, &v) != CORS_OK)
            return usage("invalid arguments");
        print_verdict(&v);
        struct cors_str names[MAX_LINES];
        size_t n = cors_fetch_readable_headers(&rq, &resp, names, MAX_LINES);
        printf(", \"readable\": [");
        for (size_t i = 0; i < n && i < MAX_LINES; i++) {
            if (i > 0)
                printf(", ");
            json_str(names[i]);
        }
        printf("]}\n");
        return 0;
    }
    if (strcmp(mode, "timing") == 0) {
        if (cors_fetch_check_response(&rq, &resp, &v) != CORS_OK)
            return usage("invalid arguments");
        bool tao = tao_check(rq.origin, &resp);
        printf("{\"cors\": %s, \"tao\": %s, \"visible\": %s}\n", v.ok ? "true" : "false",
               tao ? "true" : "false", v.ok && tao ? "true" : "false");
        return 0;
    }
    return usage("the mode is plan, preflight, response or timing");
}
