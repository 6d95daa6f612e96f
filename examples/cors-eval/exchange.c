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

/* Repeated single-valued lines joined as a host would ("a, b"). */
static struct cors_str
join_values(const struct cors_fetch_header *hs, size_t n, const char *name, char *buf, size_t size)
{
    if (!cors_eval_joined_header(hs, n, name, buf, size))
        return (struct cors_str){NULL, 0};
    return cors_str_from_cstr(buf);
}

enum cors_status
cors_eval_answer(const struct cors_policy *policy, struct cors_str method,
                 const struct cors_fetch_header *hs, size_t n, struct cors_eval_answer *a)
{
    struct cors_str origins[CORS_EVAL_MAX_LINES], acrh[CORS_EVAL_MAX_LINES];
    size_t no = 0, nh = 0;
    if (n > CORS_EVAL_MAX_LINES)
        return CORS_E_NOSPACE;
    for (size_t i = 0; i < n; i++) {
        if (cors_eval_name_eq(hs[i].name, "origin"))
            origins[no++] = hs[i].value;
        else if (cors_eval_name_eq(hs[i].name, "access-control-request-headers"))
            acrh[nh++] = hs[i].value;
    }
    struct cors_request req = {
        .method = method,
        .origins = origins,
        .origin_count = no,
        .request_method =
            join_values(hs, n, "access-control-request-method", a->acrm, sizeof a->acrm),
        .request_headers = acrh,
        .request_header_count = nh,
        .request_private_network =
            join_values(hs, n, "access-control-request-private-network", a->acrpn, sizeof a->acrpn),
    };
    enum cors_status st = cors_evaluate(policy, &req, a->h, 32, &a->result);
    if (st != CORS_OK)
        return st;
    a->nfh = 0;
    for (size_t i = 0; i < a->result.header_count; i++) {
        const struct cors_header *h = &a->result.headers[i];
        a->fh[a->nfh++] = (struct cors_fetch_header){h->name, h->value};
    }
    return CORS_OK;
}

/* The response the browser sees: libcors' answer, or the handler's status
 * with libcors' headers and the handler's own when the handler is called. */
static void
respond(struct cors_eval_answer *a, int handler_status, const struct cors_fetch_header *extra,
        size_t nextra, struct cors_fetch_response *resp)
{
    resp->status = a->result.status;
    if (a->result.call_handler) {
        for (size_t i = 0; i < nextra && a->nfh < sizeof a->fh / sizeof a->fh[0]; i++)
            a->fh[a->nfh++] = extra[i];
        resp->status = handler_status;
    }
    resp->headers = a->fh;
    resp->header_count = a->nfh;
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
