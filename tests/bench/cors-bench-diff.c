/*
 * cors-bench-diff: a differential check for performance work. The same
 * policies and the same pseudo-random requests (origins of every shape and
 * length up to past CORS_ORIGIN_MAX, Access-Control-Request-Headers lists
 * with odd separators and bytes, several Origin lines, small header arrays)
 * go through two builds of libcors, loaded side by side with dlopen(), and
 * every field of every result is compared.
 *
 *   cors-bench-diff REFERENCE.so CANDIDATE.so [REQUESTS-PER-POLICY]
 *
 * e.g. a build of the commit before an optimisation against the current one.
 * Prints the number of differences (the first few in detail); exit status 1
 * when there is any.
 *
 * SPDX-License-Identifier: MIT
 */
#include <cors/cors.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lib {
    void *h;
    struct cors_policy_builder *(*bnew)(const struct cors_allocator *);
    enum cors_status (*add_origin)(struct cors_policy_builder *, struct cors_str);
    enum cors_status (*add_regex)(struct cors_policy_builder *, struct cors_str);
    enum cors_status (*add_method)(struct cors_policy_builder *, struct cors_str);
    enum cors_status (*add_header)(struct cors_policy_builder *, struct cors_str);
    enum cors_status (*set_cred)(struct cors_policy_builder *, bool);
    struct cors_policy *(*build)(const struct cors_policy_builder *, unsigned,
                                 struct cors_diagnostics *, enum cors_status *);
    enum cors_status (*eval)(const struct cors_policy *, const struct cors_request *,
                             struct cors_header *, size_t, struct cors_result *);
};

static void
load(struct lib *l, const char *path)
{
    l->h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!l->h) {
        fprintf(stderr, "%s\n", dlerror());
        exit(1);
    }
#define G(f, n) *(void **)&l->f = dlsym(l->h, n)
    G(bnew, "cors_policy_builder_new");
    G(add_origin, "cors_policy_builder_add_origin");
    G(add_regex, "cors_policy_builder_add_origin_regex");
    G(add_method, "cors_policy_builder_add_method");
    G(add_header, "cors_policy_builder_add_allow_header");
    G(set_cred, "cors_policy_builder_set_allow_credentials");
    G(build, "cors_policy_build");
    G(eval, "cors_evaluate");
}

static unsigned long long rs = 88172645463325252ull;
static unsigned
rnd(unsigned n)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (unsigned)(rs % n);
}

static const char *pol_origins[][12] = {
    {"https://example.com", "https://*.example.org", "http://localhost:*",
     "https://*.a.b.c.d.e.f.g.h.example.net", "null", NULL},
    {"https://*", NULL},
    {"https://*.ab", "https://*.a-b_c.ab", "http://*:*", "https://x.y:8443", NULL},
    {"*", NULL},
    {"https://example.com", NULL}, /* exact origins only, one entry */
    {"https://example.com", "https://www.example.com", "null", NULL}, /* exact origins only */
    /* more wildcards than the comparisons take: the hash table */
    {"https://*.example.org", "http://localhost:*", "https://*.a.b.c.d.e.f.g.h.example.net",
     "https://*.org:*", "wss://*", "http://*.example.org:8080", "https://x.y:*",
     "https://*.example.net", "http://*.h.example.net:*", "ws://*.org", "https://*.c.d:8443", NULL},
    /* at most four wildcards: compared in turn */
    {"https://*.example.org", "https://*.org", "http://*.org:*", "https://*.net", NULL},
    {"https://*.example.org", "https://*.c.d.e.f.g.h.example.net:*", "http://*.example.org:8080",
     "wss://*.org", NULL},
};
#define POLICIES (sizeof pol_origins / sizeof pol_origins[0])
static const char *hdrs[] = {
    "authorization", "content-type", "x-requested-with", "x-a", "x-custom-header-name-long", NULL};

static void
gen_origin(char *o, size_t *n)
{
    static const char *schemes[] = {"https://", "http://",  "wss://", "chrome-extension://",
                                    "HTTPS://", "ht-tp://", ""};
    static const char alpha[] = "abcxyz0189-_..:A/[]% ";
    size_t k = 0;
    const char *sc = schemes[rnd(7)];
    memcpy(o, sc, strlen(sc));
    k = strlen(sc);
    unsigned mode = rnd(4), len = mode == 0   ? rnd(8)
                                  : mode == 1 ? rnd(40)
                                  : mode == 2 ? rnd(200)
                                              : rnd(4200);
    for (unsigned i = 0; i < len && k < 4200; i++) {
        unsigned r = rnd(100);
        if (r < 70)
            o[k++] = "abcdefgh"[rnd(8)];
        else if (r < 85)
            o[k++] = '.';
        else if (r < 88)
            o[k++] = (char)(0x80 + rnd(128));
        else
            o[k++] = alpha[rnd(sizeof(alpha) - 1)];
    }
    if (rnd(3) == 0) {
        const char *t = rnd(2) ? ".example.org" : ".a.b.c.d.e.f.g.h.example.net";
        memcpy(o + k, t, strlen(t));
        k += strlen(t);
    }
    if (rnd(4) == 0) {
        k += (size_t)sprintf(o + k, ":%u", rnd(70000));
    }
    if (rnd(20) == 0) {
        memcpy(o, "https://example.com", 19);
        k = 19;
    } else if (rnd(20) == 0) {
        /* the length of a listed origin, one byte changed */
        memcpy(o, "https://example.com", 19);
        o[rnd(19)] = alpha[rnd(sizeof(alpha) - 1)];
        k = 19;
    }
    *n = k;
}

static void
gen_acrh(char *h, size_t *n)
{
    size_t k = 0;
    unsigned items = rnd(4) == 0 ? rnd(300) : rnd(5);
    for (unsigned i = 0; i < items; i++) {
        unsigned r = rnd(10);
        if (i) {
            const char *sep[] = {",", ", ", " ,", ",,", "\t,", " "};
            const char *s = sep[rnd(6)];
            memcpy(h + k, s, strlen(s));
            k += strlen(s);
        }
        if (r < 6) {
            const char *x = hdrs[rnd(5)];
            memcpy(h + k, x, strlen(x));
            k += strlen(x);
            if (rnd(4) == 0)
                h[k - 1] = (char)(h[k - 1] - 32);
        } else {
            unsigned l = rnd(24);
            for (unsigned j = 0; j < l; j++)
                h[k++] = (char)(rnd(8) ? (unsigned char)"abcXY-!~"[rnd(8)] : rnd(256));
        }
    }
    *n = k;
}

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: cors-bench-diff REFERENCE.so CANDIDATE.so [N]\n");
        return 2;
    }
    struct lib a, b;
    load(&a, argv[1]);
    load(&b, argv[2]);
    long iters = argc > 3 ? atol(argv[3]) : 200000, bad = 0;
    for (size_t pi = 0; pi < POLICIES; pi++) {
        struct cors_policy *pa, *pb;
        struct lib *ls[2] = {&a, &b};
        struct cors_policy **ps[2] = {&pa, &pb};
        for (int w = 0; w < 2; w++) {
            struct cors_policy_builder *bd = ls[w]->bnew(NULL);
            for (int i = 0; pol_origins[pi][i]; i++)
                ls[w]->add_origin(bd, cors_str_from_cstr(pol_origins[pi][i]));
            if (pi == 0)
                ls[w]->add_regex(bd, CORS_STR("https://(a|b)+\\.test(:[0-9]+)?"));
            ls[w]->add_method(bd, CORS_STR("PUT"));
            ls[w]->add_method(bd, CORS_STR("PATCH"));
            if (pi != 1)
                for (int i = 0; hdrs[i]; i++)
                    ls[w]->add_header(bd, cors_str_from_cstr(hdrs[i]));
            else
                ls[w]->add_header(bd, CORS_STR("*"));
            ls[w]->set_cred(bd, pi == 2);
            *ps[w] = ls[w]->build(bd, 0, NULL, NULL);
            if (!*ps[w]) {
                fprintf(stderr, "policy %zu does not build\n", pi);
                return 1;
            }
        }
        static char o[5000], h1[20000], h2[200];
        for (long it = 0; it < iters; it++) {
            size_t on, hn, h2n;
            gen_origin(o, &on);
            gen_acrh(h1, &hn);
            gen_acrh(h2, &h2n);
            if (h2n > 150)
                h2n = 150;
            struct cors_str ol[2] = {{o, on}, CORS_STR("https://example.com")};
            struct cors_str hl[2] = {{h1, hn}, {h2, h2n}};
            static const char *meths[] = {"PUT", "GET", "PATCH", "patch", "DELETE",
                                          "",    "P T", "HEAD",  "POSTX"};
            struct cors_request rq = {rnd(3) ? CORS_STR("OPTIONS") : CORS_STR("GET"),
                                      rnd(30) ? ol : NULL,
                                      0,
                                      cors_str_from_cstr(rnd(5) ? meths[rnd(9)] : NULL),
                                      rnd(5) ? hl : NULL,
                                      0,
                                      {NULL, 0}};
            rq.origin_count = rq.origins ? (rnd(40) ? 1 : 2) : 0;
            rq.request_header_count = rq.request_headers ? 1 + rnd(2) : 0;
            size_t cap = rnd(3) ? 16 : rnd(17);
            struct cors_header ha[16], hb[16];
            struct cors_result ra, rb;
            memset(&ra, 0, sizeof ra);
            memset(&rb, 0, sizeof rb);
            int sa = a.eval(pa, &rq, ha, cap, &ra), sb = b.eval(pb, &rq, hb, cap, &rb);
            int same = sa == sb && ra.decision == rb.decision && ra.allowed == rb.allowed &&
                       ra.reason == rb.reason && ra.call_handler == rb.call_handler &&
                       ra.status == rb.status && ra.header_count == rb.header_count &&
                       ra.report_only == rb.report_only && ra.matched_field == rb.matched_field &&
                       ra.matched_index == rb.matched_index;
            size_t shown = ra.header_count < cap ? ra.header_count : cap;
            for (size_t k = 0; same && k < shown; k++)
                same = ha[k].op == hb[k].op && ha[k].name.len == hb[k].name.len &&
                       !memcmp(ha[k].name.ptr, hb[k].name.ptr, ha[k].name.len) &&
                       ha[k].value.len == hb[k].value.len &&
                       !memcmp(ha[k].value.ptr, hb[k].value.ptr, ha[k].value.len);
            if (!same && bad++ < 5)
                fprintf(stderr, "policy %zu: differ on origin '%.*s' (%zu) reasons %d/%d\n", pi,
                        (int)(on > 80 ? 80 : on), o, on, ra.reason, rb.reason);
        }
    }
    printf("%ld differences in %ld requests x %zu policies\n", bad, iters, (size_t)POLICIES);
    return bad != 0;
}
