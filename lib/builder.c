/*
 * The policy builder: setters that copy their input, and the first failing
 * call remembered so that no build succeeds with a setting missing.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"

const enum cors_field corsp_list_fields[CORSP_LIST_COUNT] = {
    [CORSP_LIST_ORIGINS] = CORS_FIELD_ALLOW_ORIGINS,
    [CORSP_LIST_REGEX] = CORS_FIELD_ALLOW_ORIGIN_REGEX,
    [CORSP_LIST_METHODS] = CORS_FIELD_ALLOW_METHODS,
    [CORSP_LIST_ALLOW_HEADERS] = CORS_FIELD_ALLOW_HEADERS,
    [CORSP_LIST_EXPOSE_HEADERS] = CORS_FIELD_EXPOSE_HEADERS,
};

enum cors_status
corsp_builder_fail(struct cors_policy_builder *b, const char *call, enum cors_status status)
{
    if (b != NULL && status != CORS_OK && b->failed_status == CORS_OK) {
        b->failed_status = status;
        b->failed_call = call;
    }
    return status;
}

#define FAIL(b, status) corsp_builder_fail((b), __func__, (status))

CORS_EXPORT struct cors_policy_builder *
cors_policy_builder_new(const struct cors_allocator *alloc)
{
    struct cors_allocator a;
    corsp_alloc_init(&a, alloc);
    struct cors_policy_builder *b = corsp_malloc(&a, sizeof(*b));
    if (b == NULL)
        return NULL;
    memset(b, 0, sizeof(*b));
    b->alloc = a;
    b->max_age = CORS_MAX_AGE_UNSET;
    b->preflight_status = 200;
    b->reject_status = 403;
    b->enforce_percent = 100;
    return b;
}

CORS_EXPORT void
cors_policy_builder_free(struct cors_policy_builder *b)
{
    if (b == NULL)
        return;
    for (int l = 0; l < CORSP_LIST_COUNT; l++) {
        for (size_t i = 0; i < b->lists[l].count; i++)
            corsp_free(&b->alloc, b->lists[l].items[i].ptr);
        corsp_free(&b->alloc, b->lists[l].items);
    }
    corsp_free(&b->alloc, b->source);
    struct cors_allocator a = b->alloc;
    corsp_free(&a, b);
}

CORS_EXPORT enum cors_status
cors_policy_builder_status(const struct cors_policy_builder *b)
{
    return b == NULL ? CORS_E_INVALID_ARGUMENT : b->failed_status;
}

static enum cors_status
add_entry(struct cors_policy_builder *b, const char *call, enum corsp_list_field l,
          struct cors_str s)
{
    if (b == NULL)
        return CORS_E_INVALID_ARGUMENT;
    if (s.ptr == NULL && s.len > 0)
        return corsp_builder_fail(b, call, CORS_E_INVALID_ARGUMENT);
    struct corsp_entry_list *list = &b->lists[l];
    if (list->count == list->capacity) {
        size_t cap = list->capacity ? list->capacity * 2 : 8;
        if (cap > SIZE_MAX / sizeof(struct corsp_entry))
            return corsp_builder_fail(b, call, CORS_E_NOMEM);
        struct corsp_entry *items = corsp_malloc(&b->alloc, cap * sizeof(*items));
        if (items == NULL)
            return corsp_builder_fail(b, call, CORS_E_NOMEM);
        if (list->count > 0)
            memcpy(items, list->items, list->count * sizeof(*items));
        corsp_free(&b->alloc, list->items);
        list->items = items;
        list->capacity = cap;
    }
    char *copy = corsp_malloc(&b->alloc, s.len + 1);
    if (copy == NULL)
        return corsp_builder_fail(b, call, CORS_E_NOMEM);
    if (s.len > 0)
        memcpy(copy, s.ptr, s.len);
    copy[s.len] = '\0';
    list->items[list->count++] = (struct corsp_entry){copy, s.len, b->line, b->column};
    return CORS_OK;
}

CORS_EXPORT enum cors_status
cors_policy_builder_add_origin(struct cors_policy_builder *b, struct cors_str origin)
{
    return add_entry(b, __func__, CORSP_LIST_ORIGINS, origin);
}

CORS_EXPORT enum cors_status
cors_policy_builder_add_origin_regex(struct cors_policy_builder *b, struct cors_str pattern)
{
    return add_entry(b, __func__, CORSP_LIST_REGEX, pattern);
}

CORS_EXPORT enum cors_status
cors_policy_builder_add_method(struct cors_policy_builder *b, struct cors_str method)
{
    return add_entry(b, __func__, CORSP_LIST_METHODS, method);
}

CORS_EXPORT enum cors_status
cors_policy_builder_add_allow_header(struct cors_policy_builder *b, struct cors_str name)
{
    return add_entry(b, __func__, CORSP_LIST_ALLOW_HEADERS, name);
}

CORS_EXPORT enum cors_status
cors_policy_builder_add_expose_header(struct cors_policy_builder *b, struct cors_str name)
{
    return add_entry(b, __func__, CORSP_LIST_EXPOSE_HEADERS, name);
}

/* A scalar setting: stores the value and the position it was given at. */
#define SET_FIELD(b, member, value, field)                                                         \
    do {                                                                                           \
        if ((b) == NULL)                                                                           \
            return CORS_E_INVALID_ARGUMENT;                                                        \
        (b)->member = (value);                                                                     \
        (b)->field_line[field] = (b)->line;                                                        \
        (b)->field_column[field] = (b)->column;                                                    \
        return CORS_OK;                                                                            \
    } while (0)

CORS_EXPORT enum cors_status
cors_policy_builder_set_max_age(struct cors_policy_builder *b, int64_t seconds)
{
    SET_FIELD(b, max_age, seconds, CORS_FIELD_MAX_AGE);
}

CORS_EXPORT enum cors_status
cors_policy_builder_set_allow_credentials(struct cors_policy_builder *b, bool allow)
{
    SET_FIELD(b, credentials, allow, CORS_FIELD_ALLOW_CREDENTIALS);
}

CORS_EXPORT enum cors_status
cors_policy_builder_set_allow_private_network(struct cors_policy_builder *b, bool allow)
{
    SET_FIELD(b, private_network, allow, CORS_FIELD_ALLOW_PRIVATE_NETWORK);
}

CORS_EXPORT enum cors_status
cors_policy_builder_set_preflight_status(struct cors_policy_builder *b, int status)
{
    SET_FIELD(b, preflight_status, status, CORS_FIELD_PREFLIGHT_STATUS);
}

CORS_EXPORT enum cors_status
cors_policy_builder_set_reject_status(struct cors_policy_builder *b, int status)
{
    SET_FIELD(b, reject_status, status, CORS_FIELD_REJECT_STATUS);
}

CORS_EXPORT enum cors_status
cors_policy_builder_set_forward_rejected_preflights(struct cors_policy_builder *b, bool forward)
{
    SET_FIELD(b, forward_rejected, forward, CORS_FIELD_FORWARD_REJECTED_PREFLIGHTS);
}

CORS_EXPORT enum cors_status
cors_policy_builder_set_report_only(struct cors_policy_builder *b, bool report_only)
{
    SET_FIELD(b, report_only, report_only, CORS_FIELD_REPORT_ONLY);
}

CORS_EXPORT enum cors_status
cors_policy_builder_set_forward_allowed_preflights(struct cors_policy_builder *b, bool forward)
{
    SET_FIELD(b, forward_allowed, forward, CORS_FIELD_FORWARD_ALLOWED_PREFLIGHTS);
}

CORS_EXPORT enum cors_status
cors_policy_builder_set_timing_allow_origin(struct cors_policy_builder *b, bool allow)
{
    SET_FIELD(b, timing_allow_origin, allow, CORS_FIELD_TIMING_ALLOW_ORIGIN);
}

CORS_EXPORT enum cors_status
cors_policy_builder_set_enforce_percent(struct cors_policy_builder *b, int percent)
{
    SET_FIELD(b, enforce_percent, percent, CORS_FIELD_ENFORCE_PERCENT);
}

CORS_EXPORT enum cors_status
cors_policy_builder_set_origin_predicate(struct cors_policy_builder *b,
                                         cors_origin_predicate predicate, void *user_data)
{
    if (b == NULL)
        return CORS_E_INVALID_ARGUMENT;
    b->predicate_data = user_data;
    SET_FIELD(b, predicate, predicate, CORS_FIELD_ORIGIN_PREDICATE);
}

CORS_EXPORT enum cors_status
cors_policy_builder_set_position(struct cors_policy_builder *b, uint32_t line, uint32_t column)
{
    if (b == NULL)
        return CORS_E_INVALID_ARGUMENT;
    b->line = line;
    b->column = column;
    return CORS_OK;
}

CORS_EXPORT enum cors_status
cors_policy_builder_set_source(struct cors_policy_builder *b, struct cors_str source)
{
    if (b == NULL)
        return CORS_E_INVALID_ARGUMENT;
    if (source.ptr == NULL && source.len > 0)
        return FAIL(b, CORS_E_INVALID_ARGUMENT);
    char *copy = corsp_malloc(&b->alloc, source.len + 1);
    if (copy == NULL)
        return FAIL(b, CORS_E_NOMEM);
    if (source.len > 0)
        memcpy(copy, source.ptr, source.len);
    copy[source.len] = '\0';
    corsp_free(&b->alloc, b->source);
    b->source = copy;
    b->source_len = source.len;
    return CORS_OK;
}
