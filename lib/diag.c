/*
 * Diagnostics: the one table of codes (statuses, diagnostic codes, reasons,
 * decisions and fields with their stable names), the diagnostics list, and
 * corsp_report(), through which every finding of a build or a text load goes.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"

#include <stdio.h>

#define STATUS_LIST(X)                                                                             \
    X(CORS_OK, "ok")                                                                               \
    X(CORS_E_INVALID_ARGUMENT, "invalid-argument")                                                 \
    X(CORS_E_NOMEM, "nomem")                                                                       \
    X(CORS_E_NOSPACE, "nospace")                                                                   \
    X(CORS_E_INVALID_POLICY, "invalid-policy")                                                     \
    X(CORS_E_UNSUPPORTED, "unsupported")

#define DIAG_LIST(X)                                                                               \
    X(CORS_DIAG_ORIGIN_MALFORMED, "origin-malformed", "not a serialized origin or origin pattern") \
    X(CORS_DIAG_ORIGIN_WILDCARD_MISPLACED, "origin-wildcard-misplaced",                            \
      "'*' other than a leftmost label, a whole host or a port")                                   \
    X(CORS_DIAG_ORIGIN_NOT_ASCII, "origin-not-ascii", "host outside ASCII")                        \
    X(CORS_DIAG_STAR_MIXED, "star-mixed", "'*' together with other entries in one list")           \
    X(CORS_DIAG_REGEX_INVALID, "regex-invalid", "PCRE2 refused the pattern")                       \
    X(CORS_DIAG_REGEX_MATCHES_STAR, "regex-matches-star", "a regex matches the literal \"*\"")     \
    X(CORS_DIAG_REGEX_MATCHES_NULL, "regex-matches-null", "a regex matches \"null\"")              \
    X(CORS_DIAG_METHOD_INVALID, "method-invalid", "not an HTTP method token")                      \
    X(CORS_DIAG_METHOD_FORBIDDEN, "method-forbidden", "CONNECT, TRACE and TRACK are forbidden")    \
    X(CORS_DIAG_HEADER_INVALID, "header-invalid", "not an HTTP header name")                       \
    X(CORS_DIAG_MAX_AGE_OUT_OF_RANGE, "max-age-out-of-range", "maxAge outside 0..2147483647")      \
    X(CORS_DIAG_STATUS_INVALID, "status-invalid", "status not allowed for this setting")           \
    X(CORS_DIAG_TEXT_SYNTAX, "text-syntax", "not valid YAML or JSON")                              \
    X(CORS_DIAG_TEXT_UNKNOWN_KEY, "text-unknown-key", "unknown key")                               \
    X(CORS_DIAG_TEXT_WRONG_TYPE, "text-wrong-type", "value of the wrong type")                     \
    X(CORS_DIAG_TEXT_NO_POLICY, "text-no-policy", "no CORS policy in the text")                    \
    X(CORS_DIAG_TEXT_UNSUPPORTED, "text-unsupported", "built without text-policy support")         \
    X(CORS_DIAG_TEXT_DUPLICATE_KEY, "text-duplicate-key", "key given twice")                       \
    X(CORS_DIAG_TEXT_TOO_LARGE, "text-too-large", "input over the loader's limits")                \
    X(CORS_DIAG_BUILDER_CALL_FAILED, "builder-call-failed",                                        \
      "an earlier builder call failed: the policy would miss a setting")                           \
    X(CORS_DIAG_REGEX_UNSUPPORTED, "regex-unsupported",                                            \
      "a regex refers to groups, recurses or steers backtracking")                                 \
    X(CORS_DIAG_ORIGIN_HOST_TOO_LONG, "origin-host-too-long",                                      \
      "a host over 253 bytes or a label over 63")                                                  \
    X(CORS_DIAG_ORIGIN_FILE_SCHEME, "origin-file-scheme", "file:// origins are sent as \"null\"")  \
    X(CORS_DIAG_ORIGIN_PUNYCODE_INVALID, "origin-punycode-invalid",                                \
      "an xn-- label that is not valid punycode")                                                  \
    X(CORS_DIAG_PERCENT_OUT_OF_RANGE, "percent-out-of-range", "enforcePercent outside 0..100")     \
    X(CORS_DIAG_ORIGIN_STAR_WITH_CREDENTIALS, "origin-star-with-credentials",                      \
      "'*' with credentials echoes every origin")                                                  \
    X(CORS_DIAG_ORIGIN_NULL, "origin-null", "\"null\" can be claimed by any sandboxed page")       \
    X(CORS_DIAG_ORIGIN_INSECURE_WITH_CREDENTIALS, "origin-insecure-with-credentials",              \
      "http:// origin with credentials")                                                           \
    X(CORS_DIAG_ORIGIN_WILDCARD_WITH_CREDENTIALS, "origin-wildcard-with-credentials",              \
      "wildcard origin with credentials")                                                          \
    X(CORS_DIAG_EXPOSE_STAR_WITH_CREDENTIALS, "expose-star-with-credentials",                      \
      "exposeHeaders '*' has no effect on credentialed requests")                                  \
    X(CORS_DIAG_HEADER_FORBIDDEN, "header-forbidden", "forbidden request header")                  \
    X(CORS_DIAG_HEADER_CORS_PROTOCOL, "header-cors-protocol", "CORS protocol header name")         \
    X(CORS_DIAG_EXPOSE_FORBIDDEN, "expose-forbidden", "header never exposed by browsers")          \
    X(CORS_DIAG_METHOD_LOWERCASE, "method-lowercase", "method not in upper case")                  \
    X(CORS_DIAG_NO_ORIGINS, "no-origins", "the policy allows no origin")                           \
    X(CORS_DIAG_MAX_AGE_ABOVE_CHROMIUM_CAP, "max-age-above-chromium-cap",                          \
      "maxAge above Chromium's 7200 s cap")                                                        \
    X(CORS_DIAG_MAX_AGE_ABOVE_FIREFOX_CAP, "max-age-above-firefox-cap",                            \
      "maxAge above Firefox's 86400 s cap")                                                        \
    X(CORS_DIAG_REGEX_UNESCAPED_DOT, "regex-unescaped-dot", "unescaped '.' in a regex")            \
    X(CORS_DIAG_REGEX_NO_SCHEME, "regex-no-scheme", "regex without a literal scheme")              \
    X(CORS_DIAG_REGEX_MATCHES_CANARY, "regex-matches-canary", "regex matches a canary origin")     \
    X(CORS_DIAG_ORIGIN_PUBLIC_SUFFIX_WILDCARD, "origin-public-suffix-wildcard",                    \
      "wildcard directly under a public suffix")                                                   \
    X(CORS_DIAG_DUPLICATE_ENTRY, "duplicate-entry", "the same entry twice in one list")            \
    X(CORS_DIAG_TEXT_BOTH_LEVELS, "text-both-levels", "route-level CORS wins over the policy level") \
    X(CORS_DIAG_REGEX_BACKTRACKING, "regex-backtracking",                                          \
      "a repetition that can backtrack without end")                                               \
    X(CORS_DIAG_ORIGIN_NOT_CANONICAL, "origin-not-canonical",                                      \
      "an origin not written as browsers send it")                                                 \
    X(CORS_DIAG_ORIGIN_PREDICATE_UNREACHABLE, "origin-predicate-unreachable",                      \
      "an origin predicate next to '*' is never asked")                                           \
    X(CORS_DIAG_GATEWAY_API_EXTENSION_KEY, "gateway-api-extension-key",                            \
      "a libcors extension key: the Gateway API refuses or prunes it")                             \
    X(CORS_DIAG_GATEWAY_API_TOO_MANY_ENTRIES, "gateway-api-too-many-entries",                      \
      "more entries than the HTTPCORSFilter CRD allows")                                           \
    X(CORS_DIAG_GATEWAY_API_METHOD_NOT_IN_ENUM, "gateway-api-method-not-in-enum",                  \
      "a method outside the HTTPCORSFilter CRD's enum")                                            \
    X(CORS_DIAG_GATEWAY_API_MAX_AGE, "gateway-api-max-age",                                        \
      "maxAge is not an integer of at least 1 as the CRD requires")                               \
    X(CORS_DIAG_GATEWAY_API_ORIGIN_PATTERN, "gateway-api-origin-pattern",                          \
      "an origin the HTTPCORSFilter CRD's pattern refuses")

#define REASON_LIST(X)                                                                             \
    X(CORS_REASON_NOT_CORS, "not-cors")                                                            \
    X(CORS_REASON_ALLOWED, "allowed")                                                              \
    X(CORS_REASON_ORIGIN_NOT_ALLOWED, "origin-not-allowed")                                        \
    X(CORS_REASON_ORIGIN_MALFORMED, "origin-malformed")                                            \
    X(CORS_REASON_ORIGIN_MULTIPLE, "origin-multiple")                                              \
    X(CORS_REASON_ORIGIN_TOO_LONG, "origin-too-long")                                              \
    X(CORS_REASON_METHOD_NOT_ALLOWED, "method-not-allowed")                                        \
    X(CORS_REASON_METHOD_MALFORMED, "method-malformed")                                            \
    X(CORS_REASON_HEADER_NOT_ALLOWED, "header-not-allowed")                                        \
    X(CORS_REASON_HEADERS_MALFORMED, "headers-malformed")                                          \
    X(CORS_REASON_HEADERS_TOO_MANY_LINES, "headers-too-many-lines")                                \
    X(CORS_REASON_PRIVATE_NETWORK_NOT_ALLOWED, "private-network-not-allowed")                      \
    X(CORS_REASON_ORIGIN_REGEX_LIMIT, "origin-regex-limit")

#define FIELD_LIST(X)                                                                              \
    X(CORS_FIELD_NONE, "")                                                                         \
    X(CORS_FIELD_ALLOW_ORIGINS, "allowOrigins")                                                    \
    X(CORS_FIELD_ALLOW_ORIGIN_REGEX, "allowOriginRegex")                                           \
    X(CORS_FIELD_ALLOW_METHODS, "allowMethods")                                                    \
    X(CORS_FIELD_ALLOW_HEADERS, "allowHeaders")                                                    \
    X(CORS_FIELD_EXPOSE_HEADERS, "exposeHeaders")                                                  \
    X(CORS_FIELD_MAX_AGE, "maxAge")                                                                \
    X(CORS_FIELD_ALLOW_CREDENTIALS, "allowCredentials")                                            \
    X(CORS_FIELD_ALLOW_PRIVATE_NETWORK, "allowPrivateNetwork")                                     \
    X(CORS_FIELD_PREFLIGHT_STATUS, "preflightStatus")                                              \
    X(CORS_FIELD_REJECT_STATUS, "rejectStatus")                                                    \
    X(CORS_FIELD_FORWARD_REJECTED_PREFLIGHTS, "forwardRejectedPreflights")                         \
    X(CORS_FIELD_REPORT_ONLY, "reportOnly")                                                        \
    X(CORS_FIELD_FORWARD_ALLOWED_PREFLIGHTS, "forwardAllowedPreflights")                           \
    X(CORS_FIELD_TIMING_ALLOW_ORIGIN, "timingAllowOrigin")                                         \
    X(CORS_FIELD_ENFORCE_PERCENT, "enforcePercent")                                                \
    X(CORS_FIELD_ORIGIN_PREDICATE, "originPredicate")

#define CASE_NAME(value, name)                                                                     \
    case value:                                                                                    \
        return name;
#define CASE_DIAG_NAME(value, name, summary)    CASE_NAME(value, name)
#define CASE_DIAG_SUMMARY(value, name, summary) CASE_NAME(value, summary)

CORS_EXPORT const char *
cors_status_name(enum cors_status status)
{
    switch (status) {
        STATUS_LIST(CASE_NAME)
    }
    return "unknown";
}

CORS_EXPORT const char *
cors_diag_code_name(enum cors_diag_code code)
{
    switch (code) {
        DIAG_LIST(CASE_DIAG_NAME)
    }
    return "unknown";
}

CORS_EXPORT const char *
cors_diag_code_summary(enum cors_diag_code code)
{
    switch (code) {
        DIAG_LIST(CASE_DIAG_SUMMARY)
    }
    return "unknown";
}

CORS_EXPORT const char *
cors_reason_name(enum cors_reason reason)
{
    switch (reason) {
        REASON_LIST(CASE_NAME)
    }
    return "unknown";
}

CORS_EXPORT const char *
cors_field_name(enum cors_field field)
{
    switch (field) {
        FIELD_LIST(CASE_NAME)
    }
    return "unknown";
}

CORS_EXPORT const char *
cors_decision_name(enum cors_decision decision)
{
    switch (decision) {
    case CORS_DECISION_NOT_CORS:
        return "not-cors";
    case CORS_DECISION_ACTUAL:
        return "actual";
    case CORS_DECISION_PREFLIGHT:
        return "preflight";
    }
    return "unknown";
}

/* ------------------------------------------------------- diagnostics list */

struct cors_diagnostics {
    struct cors_allocator alloc;
    struct cors_diagnostic *items;
    size_t count;
    size_t capacity;
    size_t errors;
};

CORS_EXPORT struct cors_diagnostics *
cors_diagnostics_new(const struct cors_allocator *alloc)
{
    struct cors_allocator a;
    corsp_alloc_init(&a, alloc);
    struct cors_diagnostics *d = corsp_malloc(&a, sizeof(*d));
    if (d == NULL)
        return NULL;
    memset(d, 0, sizeof(*d));
    d->alloc = a;
    return d;
}

CORS_EXPORT void
cors_diagnostics_clear(struct cors_diagnostics *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->count; i++)
        corsp_free(&d->alloc, (void *)d->items[i].message.ptr);
    d->count = 0;
    d->errors = 0;
}

CORS_EXPORT void
cors_diagnostics_free(struct cors_diagnostics *d)
{
    if (d == NULL)
        return;
    cors_diagnostics_clear(d);
    corsp_free(&d->alloc, d->items);
    struct cors_allocator a = d->alloc;
    corsp_free(&a, d);
}

CORS_EXPORT size_t
cors_diagnostics_count(const struct cors_diagnostics *d)
{
    return d == NULL ? 0 : d->count;
}

CORS_EXPORT size_t
cors_diagnostics_error_count(const struct cors_diagnostics *d)
{
    return d == NULL ? 0 : d->errors;
}

CORS_EXPORT const struct cors_diagnostic *
cors_diagnostics_get(const struct cors_diagnostics *d, size_t i)
{
    if (d == NULL || i >= d->count)
        return NULL;
    return &d->items[i];
}

/* Appends with the message taken over (allocated with d->alloc). */
static enum cors_status
append(struct cors_diagnostics *d, const struct cors_diagnostic *diag, char *message, size_t len)
{
    if (d->count == d->capacity) {
        size_t cap = d->capacity ? d->capacity * 2 : 8;
        struct cors_diagnostic *items = corsp_malloc(&d->alloc, cap * sizeof(*items));
        if (items == NULL) {
            corsp_free(&d->alloc, message);
            return CORS_E_NOMEM;
        }
        if (d->count > 0)
            memcpy(items, d->items, d->count * sizeof(*items));
        corsp_free(&d->alloc, d->items);
        d->items = items;
        d->capacity = cap;
    }
    struct cors_diagnostic *slot = &d->items[d->count++];
    *slot = *diag;
    slot->message.ptr = message;
    slot->message.len = len;
    if (diag->severity == CORS_SEVERITY_ERROR)
        d->errors++;
    return CORS_OK;
}

CORS_EXPORT enum cors_status
cors_diagnostics_add(struct cors_diagnostics *d, enum cors_diag_code code,
                     enum cors_severity severity, enum cors_field field, size_t index,
                     uint32_t line, uint32_t column, struct cors_str message)
{
    if (d == NULL || (message.ptr == NULL && message.len > 0))
        return CORS_E_INVALID_ARGUMENT;
    char *copy = corsp_malloc(&d->alloc, message.len + 1);
    if (copy == NULL)
        return CORS_E_NOMEM;
    if (message.len > 0)
        memcpy(copy, message.ptr, message.len);
    copy[message.len] = '\0';
    struct cors_diagnostic diag = {
        .code = code,
        .severity = severity,
        .field = field,
        .index = index,
        .line = line,
        .column = column,
        .offset = 0,
    };
    return append(d, &diag, copy, message.len);
}

void
corsp_report(struct corsp_report *r, enum cors_diag_code code, enum cors_field field, size_t index,
             uint32_t line, uint32_t column, size_t offset, const char *fmt, ...)
{
    bool warning = code >= 100;
    enum cors_severity severity =
        (warning && !r->strict) ? CORS_SEVERITY_WARNING : CORS_SEVERITY_ERROR;
    if (severity == CORS_SEVERITY_ERROR)
        r->errors++;
    if (r->diags == NULL)
        return;

    char text[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n >= sizeof(text) ? sizeof(text) - 1 : (size_t)n;
    char *copy = corsp_malloc(&r->diags->alloc, len + 1);
    if (copy == NULL) {
        r->oom = true;
        return;
    }
    /* messages quote configuration text: keep control bytes out of logs */
    for (size_t i = 0; i < len; i++)
        copy[i] = ((unsigned char)text[i] < 0x20 || text[i] == 0x7f) ? '?' : text[i];
    copy[len] = '\0';
    struct cors_diagnostic diag = {
        .code = code,
        .severity = severity,
        .field = field,
        .index = index,
        .line = line,
        .column = column,
        .offset = offset,
    };
    if (append(r->diags, &diag, copy, len) != CORS_OK)
        r->oom = true;
}
