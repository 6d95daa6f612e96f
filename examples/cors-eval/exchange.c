/*
 * A browser's fetch() against a libcors policy: the Fetch oracle decides what
 * the browser sends and whether it accepts, cors_evaluate() answers each
 * request as a server with that policy would (--test and --diff use it).
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-eval.h"

#include <string.h>

bool
cors_eval_name_eq(struct cors_str a, const char *b)
{
    size_t n = strlen(b);
    if (a.len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char x = a.ptr[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

bool
cors_eval_joined_header(const struct cors_fetch_header *hs, size_t n, const char *name, char *buf,
                        size_t size)
{
    bool found = false;
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (!cors_eval_name_eq(hs[i].name, name))
            continue;
        int w = snprintf(buf + at, size - at, "%s%.*s", found ? ", " : "", (int)hs[i].value.len,
                         hs[i].value.ptr);
        if (w > 0)
            at = at + (size_t)w < size ? at + (size_t)w : size - 1;
        found = true;
    }
    return found;
}

enum cors_status
cors_eval_answer(const struct cors_policy *policy, struct cors_str method,
                 const struct cors_fetch_header *hs, size_t n, struct cors_eval_answer *a)
{
    /* the library's rules for repeated and empty fields, as a host applies them */
    struct cors_request_fields fields;
    cors_request_fields_init(&fields, method);
    for (size_t i = 0; i < n; i++)
        (void)cors_request_fields_add(&fields, hs[i].name, hs[i].value);
    struct cors_request req;
    cors_request_fields_to_request(&fields, &req);
    enum cors_status st = cors_evaluate(policy, &req, a->h, 32, &a->result);
    if (st != CORS_OK)
        return st;
    /* the headers libcors sets, as lines (the removal of Access-Control-*
     * is an operation on a response, applied by respond()) */
    a->nfh = 0;
    for (size_t i = 0; i < a->result.header_count; i++) {
        const struct cors_header *h = &a->result.headers[i];
        if (h->op != CORS_HEADER_REMOVE_ACCESS_CONTROL)
            a->fh[a->nfh++] = (struct cors_fetch_header){h->name, h->value};
    }
    return CORS_OK;
}

/* Keeps the lines of view for which drop() is false. */
static size_t
filter(struct cors_fetch_header *view, size_t n, bool (*drop)(struct cors_str, const char *),
       const char *arg)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!drop(view[i].name, arg))
            view[k++] = view[i];
    return k;
}

static bool
is_access_control(struct cors_str name, const char *unused)
{
    (void)unused;
    return cors_is_access_control_header(name);
}

static bool
same_name(struct cors_str name, const char *other)
{
    return cors_eval_name_eq(name, other);
}

/* The response the browser sees: libcors' own answer, or the handler's
 * status and headers, with libcors' operations applied in order as a host
 * does (remove Access-Control-*, set, append, merge Vary). */
static void
respond(struct cors_eval_answer *a, int handler_status, const struct cors_fetch_header *extra,
        size_t nextra, struct cors_fetch_response *resp)
{
    const size_t cap = sizeof a->view / sizeof a->view[0];
    size_t n = 0;
    resp->status = a->result.status;
    if (a->result.call_handler) {
        for (size_t i = 0; i < nextra && n < cap; i++)
            a->view[n++] = extra[i];
        resp->status = handler_status;
    }
    for (size_t i = 0; i < a->result.header_count; i++) {
        const struct cors_header *h = &a->result.headers[i];
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)h->name.len, h->name.ptr);
        switch (h->op) {
        case CORS_HEADER_REMOVE_ACCESS_CONTROL:
            n = filter(a->view, n, is_access_control, NULL);
            break;
        case CORS_HEADER_SET:
            n = filter(a->view, n, same_name, name);
            if (n < cap)
                a->view[n++] = (struct cors_fetch_header){h->name, h->value};
            break;
        case CORS_HEADER_APPEND:
            if (n < cap)
                a->view[n++] = (struct cors_fetch_header){h->name, h->value};
            break;
        case CORS_HEADER_MERGE_VARY: {
            char old[sizeof a->vary];
            bool had = cors_eval_joined_header(a->view, n, "vary", old, sizeof old);
            n = filter(a->view, n, same_name, "vary");
            (void)cors_merge_vary(had ? cors_str_from_cstr(old) : (struct cors_str){NULL, 0},
                                  h->value, a->vary, sizeof a->vary);
            if (n < cap)
                a->view[n++] =
                    (struct cors_fetch_header){CORS_STR("Vary"), cors_str_from_cstr(a->vary)};
            break;
        }
        }
    }
    resp->headers = a->view;
    resp->header_count = n;
}

enum cors_status
cors_eval_exchange(const struct cors_policy *policy, const struct cors_fetch_request *fr,
                   int handler_status, const struct cors_fetch_header *extra, size_t nextra,
                   struct cors_eval_exchange *x)
{
    memset(x, 0, sizeof *x);
    x->step = "none";
    x->ok = true;
    /* (a) what the browser sends, or fetch() throws */
    enum cors_status st = cors_fetch_plan(fr, x->acrh, sizeof x->acrh, &x->plan);
    if (st != CORS_OK)
        return st;
    x->reason = x->plan.reason;
    if (x->plan.reason != CORS_FETCH_OK) {
        x->step = "throws";
        x->ok = false;
        return CORS_OK;
    }
    if (x->plan.preflight) {
        /* (b) the preflight: OPTIONS with the Access-Control-Request-* headers */
        struct cors_fetch_header ph[4];
        size_t np = 0;
        ph[np++] = (struct cors_fetch_header){CORS_STR("Origin"), fr->origin};
        ph[np++] =
            (struct cors_fetch_header){CORS_STR("Access-Control-Request-Method"), x->plan.method};
        if (x->plan.request_headers_len > 0)
            ph[np++] = (struct cors_fetch_header){CORS_STR("Access-Control-Request-Headers"),
                                                  x->plan.request_headers};
        if (fr->private_network)
            ph[np++] = (struct cors_fetch_header){
                CORS_STR("Access-Control-Request-Private-Network"), CORS_STR("true")};
        st = cors_eval_answer(policy, CORS_STR("OPTIONS"), ph, np, &x->pre);
        if (st != CORS_OK)
            return st;
        respond(&x->pre, handler_status, extra, nextra, &x->presp);
        x->have_preflight = true;
        (void)cors_fetch_check_preflight(fr, &x->presp, &x->pv);
        if (!x->pv.ok) {
            x->step = "preflight";
            x->ok = false;
            x->reason = x->pv.reason;
            return CORS_OK;
        }
    }
    /* (c) the actual request */
    struct cors_fetch_header ah[1] = {{CORS_STR("Origin"), fr->origin}};
    st = cors_eval_answer(policy, x->plan.method, ah, 1, &x->act);
    if (st != CORS_OK)
        return st;
    respond(&x->act, handler_status, extra, nextra, &x->aresp);
    x->have_actual = true;
    (void)cors_fetch_check_response(fr, &x->aresp, &x->av);
    if (!x->av.ok) {
        x->step = "response";
        x->ok = false;
        x->reason = x->av.reason;
    }
    return CORS_OK;
}
