/*
 * The host seam on the request side: request header field lines in, a
 * struct cors_request out, with the rules for repeated and empty fields
 * applied once for every host.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"

/* Several Access-Control-Request-Method lines combine into a list (RFC 9110
 * §5.3), which is never a method token: the preflight is method-malformed. */
static const char several_methods[] = ", ";

CORS_EXPORT void
cors_request_fields_init(struct cors_request_fields *f, struct cors_str method)
{
    if (f == NULL)
        return;
    /* only the counts: a slot is read only below its count */
    f->method_ = method;
    f->origin_lines_ = 0;
    f->request_method_lines_ = 0;
    f->request_header_lines_ = 0;
    f->request_private_network_lines_ = 0;
}

/* Each of the four names has a length of its own: the length picks the
 * candidate, one case-insensitive compare decides. */
enum field_kind { FIELD_OTHER, FIELD_ORIGIN, FIELD_ACRM, FIELD_ACRH, FIELD_ACRPN };

static enum field_kind
field_kind(struct cors_str name)
{
    if (name.ptr == NULL)
        return FIELD_OTHER;
    switch (name.len) {
    case 6:
        return corsp_equal_fold_inline(name.ptr, "origin", 6) ? FIELD_ORIGIN : FIELD_OTHER;
    case 29:
        return corsp_equal_fold_inline(name.ptr, "access-control-request-method", 29) ? FIELD_ACRM
                                                                                      : FIELD_OTHER;
    case 30:
        return corsp_equal_fold_inline(name.ptr, "access-control-request-headers", 30)
                   ? FIELD_ACRH
                   : FIELD_OTHER;
    case 38:
        return corsp_equal_fold_inline(name.ptr, "access-control-request-private-network", 38)
                   ? FIELD_ACRPN
                   : FIELD_OTHER;
    default:
        return FIELD_OTHER;
    }
}

CORS_EXPORT bool
cors_request_fields_add(struct cors_request_fields *f, struct cors_str name, struct cors_str value)
{
    enum field_kind kind = field_kind(name);
    if (f == NULL || kind == FIELD_OTHER)
        return false;
    if (value.ptr == NULL)
        value = (struct cors_str){"", 0};
    value = corsp_trim_ows(value);
    switch (kind) {
    case FIELD_ORIGIN:
        if (f->origin_lines_ < CORSP_ARRAY_SIZE(f->origin_))
            f->origin_[f->origin_lines_] = value;
        f->origin_lines_++;
        break;
    case FIELD_ACRM:
        if (f->request_method_lines_++ == 0)
            f->request_method_ = value;
        break;
    case FIELD_ACRH:
        if (corsp_list_is_empty(value)) /* names no header */
            break;
        if (f->request_header_lines_ < CORSP_ARRAY_SIZE(f->request_headers_))
            f->request_headers_[f->request_header_lines_] = value;
        f->request_header_lines_++;
        break;
    case FIELD_ACRPN:
        if (f->request_private_network_lines_++ == 0)
            f->request_private_network_ = value;
        break;
    case FIELD_OTHER:
        break;
    }
    return true;
}

static size_t
at_most(size_t n, size_t max)
{
    return n < max ? n : max;
}

CORS_EXPORT void
cors_request_fields_to_request(const struct cors_request_fields *f, struct cors_request *r)
{
    if (r == NULL)
        return;
    memset(r, 0, sizeof(*r));
    if (f == NULL)
        return;
    r->method = f->method_;
    r->origins = f->origin_;
    r->origin_count = at_most(f->origin_lines_, CORSP_ARRAY_SIZE(f->origin_));
    if (f->request_method_lines_ == 1)
        r->request_method = f->request_method_;
    else if (f->request_method_lines_ > 1)
        r->request_method = (struct cors_str){several_methods, sizeof(several_methods) - 1};
    r->request_headers = f->request_headers_;
    r->request_header_count =
        at_most(f->request_header_lines_, CORSP_ARRAY_SIZE(f->request_headers_));
    if (f->request_private_network_lines_ == 1)
        r->request_private_network = f->request_private_network_;
}

CORS_EXPORT bool
cors_is_access_control_header(struct cors_str name)
{
    return name.ptr != NULL && name.len >= 15 &&
           corsp_equal_fold_inline(name.ptr, "access-control-", 15);
}
