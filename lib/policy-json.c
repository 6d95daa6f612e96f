/*
 * cors_policy_to_json(): the effective policy written as one JSON object,
 * through the bounded writer.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"

#include <inttypes.h>
#include <stdio.h>

static void
put_json_string(struct corsp_writer *w, struct cors_str s)
{
    static const char hex[] = "0123456789abcdef";
    corsp_writer_put(w, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
            continue;
        corsp_writer_put(w, s.ptr + run, i - run);
        run = i + 1;
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        if (c == '"' || c == '\\') {
            esc[1] = (char)c;
            corsp_writer_put(w, esc, 2);
        } else {
            corsp_writer_put(w, esc, 6);
        }
    }
    corsp_writer_put(w, s.ptr + run, s.len - run);
    corsp_writer_put(w, "\"", 1);
}

static void
put_list(struct corsp_writer *w, const char *key, const struct cors_str *items, size_t n)
{
    corsp_writer_puts(w, w->len > 1 ? ",\"" : "\"");
    corsp_writer_puts(w, key);
    corsp_writer_puts(w, "\":[");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            corsp_writer_put(w, ",", 1);
        put_json_string(w, items[i]);
    }
    corsp_writer_puts(w, "]");
}

/* ,"key":value (the comma only after the first member) */
static void
put_field(struct corsp_writer *w, const char *key, const char *value)
{
    corsp_writer_puts(w, w->len > 1 ? ",\"" : "\"");
    corsp_writer_puts(w, key);
    corsp_writer_puts(w, "\":");
    corsp_writer_puts(w, value);
}

CORS_EXPORT size_t
cors_policy_to_json(const struct cors_policy *p, char *buf, size_t size)
{
    struct corsp_writer w = {buf, size, 0};
    if (p == NULL) {
        corsp_writer_puts(&w, "null");
    } else {
        char num[24];
        corsp_writer_put(&w, "{", 1);
        for (int l = 0; l < CORSP_LIST_COUNT; l++)
            put_list(&w, cors_field_name(corsp_list_fields[l]), p->lists[l], p->list_counts[l]);
        if (p->max_age == CORS_MAX_AGE_UNSET)
            snprintf(num, sizeof(num), "null");
        else
            snprintf(num, sizeof(num), "%" PRId64, p->max_age);
        put_field(&w, "maxAge", num);
        put_field(&w, "allowCredentials", p->credentials ? "true" : "false");
        put_field(&w, "allowPrivateNetwork", p->private_network ? "true" : "false");
        snprintf(num, sizeof(num), "%d", p->preflight_status);
        put_field(&w, "preflightStatus", num);
        snprintf(num, sizeof(num), "%d", p->reject_status);
        put_field(&w, "rejectStatus", num);
        put_field(&w, "forwardRejectedPreflights", p->forward_rejected ? "true" : "false");
        put_field(&w, "reportOnly", p->report_only ? "true" : "false");
        put_field(&w, "forwardAllowedPreflights", p->forward_allowed ? "true" : "false");
        put_field(&w, "timingAllowOrigin", p->timing_allow_origin ? "true" : "false");
        snprintf(num, sizeof(num), "%u", p->enforce_percent);
        put_field(&w, "enforcePercent", num);
        corsp_writer_puts(&w, ",\"policySource\":");
        put_json_string(&w, p->source);
        corsp_writer_put(&w, "}", 1);
    }
    return corsp_writer_finish(&w);
}
