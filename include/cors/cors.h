/*
 * libcors - an embeddable CORS policy library.
 *
 * This is the whole public API. A host server builds a policy once (from code
 * with the builder, or from a Gateway API style YAML/JSON text), then calls
 * cors_evaluate() once per HTTP request with the few request headers that
 * matter, and applies the decision and response headers it gets back.
 *
 * Conventions used throughout:
 *  - Every input string is a struct cors_str (pointer + length). Nothing is
 *    ever read past the length, and no NUL terminator is expected. A NULL
 *    pointer means "absent", distinct from a present but empty value.
 *  - Every output string is borrowed. Its lifetime is stated where it is
 *    returned.
 *  - No function does I/O, logs, touches global state, or allocates on the
 *    per-request path (cors_evaluate() never allocates).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef CORS_CORS_H
#define CORS_CORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup version Version
 * @{
 */

/** Major version of the headers the program was compiled with. @since 0.1 */
#define CORS_VERSION_MAJOR 0
/** Minor version of the headers the program was compiled with. @since 0.1 */
#define CORS_VERSION_MINOR 2
/** Micro version of the headers the program was compiled with. @since 0.1 */
#define CORS_VERSION_MICRO 0
/** The version as one comparable number: 0xMMmmuu. @since 0.1 */
#define CORS_VERSION_HEX                                                       \
    ((CORS_VERSION_MAJOR << 16) | (CORS_VERSION_MINOR << 8) | CORS_VERSION_MICRO)
/**
 * True when the headers are at least version x.y.z.
 * @param x major version
 * @param y minor version
 * @param z micro version
 * @since 0.1
 */
#define CORS_VERSION_AT_LEAST(x, y, z)                                         \
    (CORS_VERSION_HEX >= (((x) << 16) | ((y) << 8) | (z)))

/**
 * The version of the library the program runs with, as CORS_VERSION_HEX.
 * It may differ from the headers the program was compiled with.
 * @return 0xMMmmuu, e.g. 0x000200 for 0.2.0.
 * @since 0.1
 */
uint32_t cors_version(void);

/**
 * The run-time library version as a string.
 * @return A static NUL-terminated string such as "0.2.0" (never freed).
 * @since 0.1
 */
const char *cors_version_string(void);

/** @} */

#if defined(__GNUC__) || defined(__clang__)
#define CORS_WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#else
#define CORS_WARN_UNUSED_RESULT
#endif

/**
 * @defgroup basics Slices, allocator, status codes
 * @{
 */

/**
 * A borrowed byte string: pointer and length. ptr == NULL means absent
 * (for a request header: the header was not sent); ptr != NULL with
 * len == 0 means present and empty.
 * @since 0.1
 */
struct cors_str {
    const char *ptr; /**< the first byte; NULL: absent. Owned by whoever made the slice */
    size_t len;      /**< the number of bytes; no NUL terminator is read */
};

/**
 * A slice of a string literal, for tests and examples.
 * @param literal a string literal (its length is known at compile time)
 * @since 0.1
 */
#define CORS_STR(literal) ((struct cors_str){ (literal), sizeof(literal) - 1 })

/**
 * A slice of a NUL-terminated string.
 * @param s the string, borrowed (NULL gives an absent slice)
 * @return A slice of s's bytes without the NUL; it points into s.
 * @since 0.1
 */
static inline struct cors_str
cors_str_from_cstr(const char *s)
{
    struct cors_str r = { s, 0 };
    if (s != NULL)
        while (s[r.len] != '\0')
            r.len++;
    return r;
}

/**
 * An optional allocator. Every object of the library that allocates (builder,
 * policy, diagnostics, and PCRE2 inside a policy) takes one; NULL means the C
 * library's malloc() and free(). The struct is copied: it need not outlive the
 * call that received it, but user_data must outlive every object created with
 * it.
 * @since 0.1
 */
struct cors_allocator {
    /** Allocates size bytes aligned for any object; NULL on failure. */
    void *(*malloc_fn)(size_t size, void *user_data);
    /** Frees a block of malloc_fn (never called with NULL). */
    void (*free_fn)(void *ptr, void *user_data);
    /** Passed to both functions; owned by the caller. */
    void *user_data;
};

/**
 * Result of a call. The numeric values are stable.
 * @since 0.1
 */
enum cors_status {
    CORS_OK = 0,                   /**< success */
    CORS_E_INVALID_ARGUMENT = 1,   /**< a required pointer was NULL */
    CORS_E_NOMEM = 2,              /**< an allocation failed */
    CORS_E_NOSPACE = 3,            /**< the caller's output array or buffer is too small */
    CORS_E_INVALID_POLICY = 4,     /**< the policy or text has errors; see the diagnostics */
    CORS_E_UNSUPPORTED = 5,        /**< the library was built without this feature */
};

/**
 * The stable name of a status.
 * @param status any value
 * @return A static string such as "nospace"; "unknown" for other values.
 * @since 0.1
 */
const char *cors_status_name(enum cors_status status);

/** @} */

/**
 * @defgroup diagnostics Diagnostics
 *
 * Building a policy (or loading one from text) checks everything and reports
 * every problem, not just the first, into a caller-owned diagnostics list.
 *
 * Thread safety: a list is used by one thread at a time; the name and summary
 * functions are thread-safe.
 * @{
 */

/** Severity of a diagnostic. @since 0.1 */
enum cors_severity {
    CORS_SEVERITY_ERROR = 0,   /**< the policy is not built */
    CORS_SEVERITY_WARNING = 1, /**< the policy is built (unless CORS_BUILD_STRICT) */
};

/**
 * The setting a diagnostic is about. Names (cors_field_name()) are the
 * Gateway API / text-policy keys.
 * @since 0.1
 */
enum cors_field {
    CORS_FIELD_NONE = 0,                        /**< the policy as a whole, or the text */
    CORS_FIELD_ALLOW_ORIGINS = 1,               /**< "allowOrigins" */
    CORS_FIELD_ALLOW_ORIGIN_REGEX = 2,          /**< "allowOriginRegex" */
    CORS_FIELD_ALLOW_METHODS = 3,               /**< "allowMethods" */
    CORS_FIELD_ALLOW_HEADERS = 4,               /**< "allowHeaders" */
    CORS_FIELD_EXPOSE_HEADERS = 5,              /**< "exposeHeaders" */
    CORS_FIELD_MAX_AGE = 6,                     /**< "maxAge" */
    CORS_FIELD_ALLOW_CREDENTIALS = 7,           /**< "allowCredentials" */
    CORS_FIELD_ALLOW_PRIVATE_NETWORK = 8,       /**< "allowPrivateNetwork" */
    CORS_FIELD_PREFLIGHT_STATUS = 9,            /**< "preflightStatus" */
    CORS_FIELD_REJECT_STATUS = 10,              /**< "rejectStatus" */
    CORS_FIELD_FORWARD_REJECTED_PREFLIGHTS = 11,/**< "forwardRejectedPreflights" */
    CORS_FIELD_REPORT_ONLY = 12,                /**< "reportOnly" */
    CORS_FIELD_FORWARD_ALLOWED_PREFLIGHTS = 13, /**< "forwardAllowedPreflights" (0.2) */
    CORS_FIELD_TIMING_ALLOW_ORIGIN = 14,        /**< "timingAllowOrigin" (0.2) */
    CORS_FIELD_ENFORCE_PERCENT = 15,            /**< "enforcePercent" (0.2) */
    CORS_FIELD_ORIGIN_PREDICATE = 16,           /**< "originPredicate": the C predicate (0.2) */
};

/**
 * The text-policy key of a field.
 * @param field any value
 * @return A static string such as "allowOrigins"; "" for CORS_FIELD_NONE,
 *         "unknown" for other values.
 * @since 0.1
 */
const char *cors_field_name(enum cors_field field);

/*
 * Diagnostic codes. The numeric values and the names are stable: new codes are
 * only ever added. cors_diag_code_name() gives the name (e.g.
 * "origin-malformed"), cors_diag_code_summary() a one-line description.
 */
/** Diagnostic codes. @since 0.1 */
enum cors_diag_code {
    /* errors */
    CORS_DIAG_ORIGIN_MALFORMED = 1,            /**< not a serialized origin or origin pattern */
    CORS_DIAG_ORIGIN_WILDCARD_MISPLACED = 2,   /**< '*' other than a leftmost label, a whole host or a port */
    CORS_DIAG_ORIGIN_NOT_ASCII = 3,            /**< host outside ASCII and no IDNA support built in */
    CORS_DIAG_STAR_MIXED = 4,                  /**< '*' together with other entries in one list */
    CORS_DIAG_REGEX_INVALID = 5,               /**< PCRE2 refused the pattern (offset = PCRE2's error offset) */
    CORS_DIAG_REGEX_MATCHES_STAR = 6,          /**< a regex matches the literal "*" */
    CORS_DIAG_REGEX_MATCHES_NULL = 7,          /**< a regex matches the literal "null" */
    CORS_DIAG_METHOD_INVALID = 8,              /**< not an HTTP method token */
    CORS_DIAG_METHOD_FORBIDDEN = 9,            /**< CONNECT, TRACE or TRACK */
    CORS_DIAG_HEADER_INVALID = 10,             /**< not an HTTP header name token */
    CORS_DIAG_MAX_AGE_OUT_OF_RANGE = 11,       /**< maxAge outside 0..2147483647 */
    CORS_DIAG_STATUS_INVALID = 12,             /**< preflightStatus / rejectStatus not allowed */
    CORS_DIAG_TEXT_SYNTAX = 13,                /**< the text is not valid YAML/JSON */
    CORS_DIAG_TEXT_UNKNOWN_KEY = 14,           /**< a key the policy format does not have */
    CORS_DIAG_TEXT_WRONG_TYPE = 15,            /**< a value of the wrong type */
    CORS_DIAG_TEXT_NO_POLICY = 16,             /**< no CORS policy found in the text */
    CORS_DIAG_TEXT_UNSUPPORTED = 17,           /**< built without text-policy support */
    CORS_DIAG_TEXT_DUPLICATE_KEY = 18,         /**< a key given twice in one mapping */
    CORS_DIAG_TEXT_TOO_LARGE = 19,             /**< input over the loader's limits */
    CORS_DIAG_BUILDER_CALL_FAILED = 20,        /**< an earlier builder call failed (0.2): the policy would miss what it added */
    CORS_DIAG_REGEX_UNSUPPORTED = 21,          /**< a regex refers to groups, recurses or uses a backtracking verb (0.2; offset = where) */
    CORS_DIAG_ORIGIN_HOST_TOO_LONG = 22,       /**< a host over 253 bytes or a label over 63: no browser sends it (0.2) */
    CORS_DIAG_ORIGIN_FILE_SCHEME = 23,         /**< a file:// origin: browsers send "null" for file pages (0.2) */
    CORS_DIAG_ORIGIN_PUNYCODE_INVALID = 24,    /**< an "xn--" label that is not valid punycode (0.2) */
    CORS_DIAG_PERCENT_OUT_OF_RANGE = 25,       /**< enforcePercent outside 0..100 (0.2) */
    /* warnings */
    CORS_DIAG_ORIGIN_STAR_WITH_CREDENTIALS = 100,   /**< '*' with credentials: every origin is echoed */
    CORS_DIAG_ORIGIN_NULL = 101,                    /**< "null" allowed: any sandboxed page can claim it */
    CORS_DIAG_ORIGIN_INSECURE_WITH_CREDENTIALS = 102, /**< http:// (non-loopback) with credentials */
    CORS_DIAG_ORIGIN_WILDCARD_WITH_CREDENTIALS = 103, /**< wildcard origin with credentials */
    CORS_DIAG_EXPOSE_STAR_WITH_CREDENTIALS = 104,   /**< exposeHeaders '*' has no effect on credentialed requests */
    CORS_DIAG_HEADER_FORBIDDEN = 105,               /**< a forbidden request header: scripts cannot set it */
    CORS_DIAG_HEADER_CORS_PROTOCOL = 106,           /**< an Access-Control-* or Origin name, meaningless here */
    CORS_DIAG_EXPOSE_FORBIDDEN = 107,               /**< Set-Cookie/Set-Cookie2: never exposed by browsers */
    CORS_DIAG_METHOD_LOWERCASE = 108,               /**< e.g. "patch": browsers send "PATCH" */
    CORS_DIAG_NO_ORIGINS = 109,                     /**< the policy allows no origin at all */
    CORS_DIAG_MAX_AGE_ABOVE_CHROMIUM_CAP = 110,     /**< maxAge above 7200: Chromium caps it */
    CORS_DIAG_MAX_AGE_ABOVE_FIREFOX_CAP = 111,      /**< maxAge above 86400: Firefox caps it too */
    CORS_DIAG_REGEX_UNESCAPED_DOT = 112,            /**< an unescaped '.' matches any character */
    CORS_DIAG_REGEX_NO_SCHEME = 113,                /**< the regex does not start with a literal scheme */
    CORS_DIAG_REGEX_MATCHES_CANARY = 114,           /**< the regex matches a canary such as https://example.com.evil.test */
    CORS_DIAG_ORIGIN_PUBLIC_SUFFIX_WILDCARD = 115,  /**< a wildcard directly under a public suffix */
    CORS_DIAG_DUPLICATE_ENTRY = 116,                /**< the same entry twice in one list */
    CORS_DIAG_TEXT_BOTH_LEVELS = 117,               /**< route-level and policy-level CORS both given: the route wins */
    CORS_DIAG_REGEX_BACKTRACKING = 118,             /**< a nested or overlapping repetition that backtracks without end (0.2; offset = where) */
    CORS_DIAG_ORIGIN_NOT_CANONICAL = 119,           /**< an origin written other than browsers send it; the message names the canonical form (0.2) */
    CORS_DIAG_ORIGIN_PREDICATE_UNREACHABLE = 120,   /**< an origin predicate next to '*': never asked (0.2) */
    /* Kubernetes documents (HTTPRoute, AgentgatewayPolicy) only: what the
     * cluster's API server would refuse or prune (0.2) */
    CORS_DIAG_GATEWAY_API_EXTENSION_KEY = 121,      /**< a libcors extension key: not in the HTTPCORSFilter schema */
    CORS_DIAG_GATEWAY_API_TOO_MANY_ENTRIES = 122,   /**< over the CRD's limit: 64 origins, 9 methods, 64 headers */
    CORS_DIAG_GATEWAY_API_METHOD_NOT_IN_ENUM = 123, /**< a method outside the CRD's enum (GET ... PATCH, '*') */
    CORS_DIAG_GATEWAY_API_MAX_AGE = 124,            /**< maxAge not an integer >= 1 (a duration, or 0) */
    CORS_DIAG_GATEWAY_API_ORIGIN_PATTERN = 125,     /**< an origin the CRD's pattern refuses (':*', null, IPv6, ...) */
};

/**
 * The stable name of a diagnostic code.
 * @param code any value
 * @return A static string such as "origin-malformed"; "unknown" for other values.
 * @since 0.1
 */
const char *cors_diag_code_name(enum cors_diag_code code);

/**
 * A one-line description of a diagnostic code.
 * @param code any value
 * @return A static string; "unknown" for other values.
 * @since 0.1
 */
const char *cors_diag_code_summary(enum cors_diag_code code);

/**
 * One problem found while building or loading a policy. Everything in it is
 * owned by the diagnostics list and valid until the list is cleared or freed.
 * @since 0.1
 */
struct cors_diagnostic {
    enum cors_diag_code code;    /**< what was found (cors_diag_code_name()) */
    enum cors_severity severity; /**< ERROR under CORS_BUILD_STRICT even for warning codes */
    enum cors_field field;       /**< the setting it is about; CORS_FIELD_NONE for the whole */
    size_t index;        /**< entry index in a list field; SIZE_MAX when not about one entry */
    uint32_t line;       /**< 1-based line in the source text; 0 when unknown */
    uint32_t column;     /**< 1-based column in the source text; 0 when unknown */
    size_t offset;       /**< byte offset inside the entry (regex errors); 0 otherwise */
    struct cors_str message; /**< full message; also NUL-terminated */
};

/** A caller-owned list of diagnostics. @since 0.1 */
struct cors_diagnostics;

/**
 * A new empty list.
 * @param alloc the allocator of the list (copied); NULL: malloc() and free()
 * @return The list, owned by the caller (cors_diagnostics_free()); NULL on
 *         allocation failure.
 * @since 0.1
 */
CORS_WARN_UNUSED_RESULT struct cors_diagnostics *
cors_diagnostics_new(const struct cors_allocator *alloc);

/**
 * Frees the list and every diagnostic in it.
 * @param diags the list; NULL is a no-op
 * @since 0.1
 */
void cors_diagnostics_free(struct cors_diagnostics *diags);

/**
 * Removes every diagnostic (keeps the memory for reuse).
 * @param diags the list; NULL is a no-op
 * @since 0.1
 */
void cors_diagnostics_clear(struct cors_diagnostics *diags);

/**
 * The number of diagnostics.
 * @param diags the list (NULL: 0)
 * @return The count.
 * @since 0.1
 */
size_t cors_diagnostics_count(const struct cors_diagnostics *diags);

/**
 * The number of diagnostics with severity ERROR.
 * @param diags the list (NULL: 0)
 * @return The count.
 * @since 0.1
 */
size_t cors_diagnostics_error_count(const struct cors_diagnostics *diags);

/**
 * The i-th diagnostic, in the order found.
 * @param diags the list
 * @param i index, 0 to cors_diagnostics_count() - 1
 * @return The diagnostic, owned by the list and valid until the list is
 *         cleared, appended to, or freed; NULL if i is out of range.
 * @since 0.1
 */
const struct cors_diagnostic *
cors_diagnostics_get(const struct cors_diagnostics *diags, size_t i);

/**
 * Appends a diagnostic. Meant for hosts and loaders that validate their own
 * configuration around libcors and want one list.
 * @param diags the list
 * @param code the diagnostic code
 * @param severity its severity
 * @param field the setting it is about (CORS_FIELD_NONE: the whole)
 * @param index the entry index in a list field; SIZE_MAX when not about one entry
 * @param line 1-based line in the host's text; 0 when unknown
 * @param column 1-based column in the host's text; 0 when unknown
 * @param message the message, borrowed for the call (the list keeps a copy)
 * @return CORS_OK, CORS_E_INVALID_ARGUMENT (diags NULL or an invalid slice) or
 *         CORS_E_NOMEM.
 * @since 0.1
 */
enum cors_status
cors_diagnostics_add(struct cors_diagnostics *diags, enum cors_diag_code code,
                     enum cors_severity severity, enum cors_field field,
                     size_t index, uint32_t line, uint32_t column,
                     struct cors_str message);

/** @} */

/**
 * @defgroup builder Policy builder
 *
 * A builder collects settings; cors_policy_build() validates them all and
 * compiles an immutable policy. Setters only copy their input (so they can be
 * called in any order and content problems are all reported by the build);
 * they fail only on a NULL builder, an invalid slice (ptr NULL, len > 0) or
 * when out of memory. A builder is not thread-safe; it may build several
 * policies.
 *
 * Errors are sticky (0.2): the first failing call on a builder is
 * remembered, and every later cors_policy_build() on it returns NULL with that
 * call's status and a CORS_DIAG_BUILDER_CALL_FAILED diagnostic naming the
 * call. A caller may therefore ignore the setters' results and check once, at
 * the build: no policy is ever built with an entry silently missing.
 *
 * Thread safety: a builder is used by one thread at a time; different
 * builders are independent.
 * @{
 */

/** An opaque, mutable, single-threaded policy builder. @since 0.1 */
struct cors_policy_builder;

/**
 * A new builder with the defaults of a policy built in code: no origins, no
 * methods, headers or maxAge, preflightStatus 200, rejectStatus 403.
 * @param alloc the allocator of the builder and of the policies it builds
 *        (copied); NULL: malloc() and free()
 * @return The builder, owned by the caller (cors_policy_builder_free()); NULL
 *         on allocation failure.
 * @since 0.1
 */
CORS_WARN_UNUSED_RESULT struct cors_policy_builder *
cors_policy_builder_new(const struct cors_allocator *alloc);

/**
 * Frees the builder. Policies built from it are unaffected.
 * @param builder the builder; NULL is a no-op
 * @since 0.1
 */
void cors_policy_builder_free(struct cors_policy_builder *builder);

/**
 * Adds an origin pattern to allowOrigins: a serialized origin
 * ("https://example.com", "http://[::1]:8080", "chrome-extension://id"),
 * a subdomain wildcard (a host "*.example.com" after "https://": one or more
 * whole labels, never the apex), any host of a scheme (the host "*"), a port
 * wildcard ("http://localhost:*"), "*" or "null".
 * @param builder the builder
 * @param origin the pattern, borrowed for the call (the builder keeps a copy)
 * @return CORS_OK; CORS_E_INVALID_ARGUMENT (NULL builder or invalid slice) or
 *         CORS_E_NOMEM, both sticky (see the group).
 * @since 0.1
 */
enum cors_status
cors_policy_builder_add_origin(struct cors_policy_builder *builder, struct cors_str origin);

/**
 * Adds a PCRE2 pattern to allowOriginRegex (matched against the whole origin).
 * @param builder the builder
 * @param pattern the pattern, borrowed for the call (the builder keeps a copy)
 * @return CORS_OK; CORS_E_INVALID_ARGUMENT (NULL builder or invalid slice) or
 *         CORS_E_NOMEM, both sticky (see the group).
 * @since 0.1
 */
enum cors_status
cors_policy_builder_add_origin_regex(struct cors_policy_builder *builder, struct cors_str pattern);

/**
 * Adds a method token (case-sensitive) or "*" to allowMethods.
 * @param builder the builder
 * @param method the method, borrowed for the call (the builder keeps a copy)
 * @return CORS_OK; CORS_E_INVALID_ARGUMENT (NULL builder or invalid slice) or
 *         CORS_E_NOMEM, both sticky (see the group).
 * @since 0.1
 */
enum cors_status
cors_policy_builder_add_method(struct cors_policy_builder *builder, struct cors_str method);

/**
 * Adds a header name (case-insensitive) or "*" to allowHeaders.
 * @param builder the builder
 * @param name the name, borrowed for the call (the builder keeps a copy)
 * @return CORS_OK; CORS_E_INVALID_ARGUMENT (NULL builder or invalid slice) or
 *         CORS_E_NOMEM, both sticky (see the group).
 * @since 0.1
 */
enum cors_status
cors_policy_builder_add_allow_header(struct cors_policy_builder *builder, struct cors_str name);

/**
 * Adds a header name or "*" to exposeHeaders.
 * @param builder the builder
 * @param name the name, borrowed for the call (the builder keeps a copy)
 * @return CORS_OK; CORS_E_INVALID_ARGUMENT (NULL builder or invalid slice) or
 *         CORS_E_NOMEM, both sticky (see the group).
 * @since 0.1
 */
enum cors_status
cors_policy_builder_add_expose_header(struct cors_policy_builder *builder, struct cors_str name);

/** maxAge not set: no Access-Control-Max-Age header. @since 0.1 */
#define CORS_MAX_AGE_UNSET (-1)

/**
 * Sets maxAge in seconds (0 sends "Access-Control-Max-Age: 0": no caching),
 * or CORS_MAX_AGE_UNSET. Values outside 0..2147483647 are reported by the build.
 * @param builder the builder
 * @param seconds the value
 * @return CORS_OK; CORS_E_INVALID_ARGUMENT for a NULL builder (sticky).
 * @since 0.1
 */
enum cors_status
cors_policy_builder_set_max_age(struct cors_policy_builder *builder, int64_t seconds);

/**
 * Sets allowCredentials (default false).
 * @param builder the builder
 * @param allow the value
 * @return CORS_OK; CORS_E_INVALID_ARGUMENT for a NULL builder (sticky).
 * @since 0.1
 */
enum cors_status
cors_policy_builder_set_allow_credentials(struct cors_policy_builder *builder, bool allow);

/**
 * Sets allowPrivateNetwork (default false).
 * @param builder the builder
 * @param allow the value
 * @return CORS_OK; CORS_E_INVALID_ARGUMENT for a NULL builder (sticky).
 * @since 0.1
 */
enum cors_status
cors_policy_builder_set_allow_private_network(struct cors_policy_builder *builder, bool allow);

/**
 * Sets preflightStatus: 200 (default) or 204; other values are reported by the build.
 * @param builder the builder
 * @param status the HTTP status
 * @return CORS_OK; CORS_E_INVALID_ARGUMENT for a NULL builder (sticky).
 * @since 0.1
 */
enum cors_status
cors_policy_builder_set_preflight_status(struct cors_policy_builder *builder, int status);

/**
 * Sets rejectStatus: 403 (default), 200 or 204; other values are reported by the build.
 * @param builder the builder
 * @param status the HTTP status
 * @return CORS_OK; CORS_E_INVALID_ARGUMENT for a NULL builder (sticky).
 * @since 0.1
 */
enum cors_status
cors_policy_builder_set_reject_status(struct cors_policy_builder *builder, int status);

/**
 * Sets forwardRejectedPreflights (default false).
 * @param builder the builder
 * @param forward the value
 * @return CORS_OK; CORS_E_INVALID_ARGUMENT for a NULL builder (sticky).
 * @since 0.1
 */
enum cors_status
cors_policy_builder_set_forward_rejected_preflights(struct cors_policy_builder *builder, bool forward);

/**
 * Sets reportOnly (default false).
 * @param builder the builder
 * @param report_only the value
 * @return CORS_OK; CORS_E_INVALID_ARGUMENT for a NULL builder (sticky).
 * @since 0.1
 */
enum cors_status
cors_policy_builder_set_report_only(struct cors_policy_builder *builder, bool report_only);

/**
 * Sets forwardAllowedPreflights (default false): a preflight from an allowed
 * origin goes to the handler (call_handler true, status 0) with the headers
 * an answered preflight would get, so that the application answers OPTIONS
 * itself and the host adds the headers to its answer. The counterpart of
 * forwardRejectedPreflights.
 * @param builder the builder
 * @param forward the value
 * @return CORS_OK; CORS_E_INVALID_ARGUMENT for a NULL builder (sticky).
 * @since 0.2
 */
enum cors_status
cors_policy_builder_set_forward_allowed_preflights(struct cors_policy_builder *builder,
                                                   bool forward);

/**
 * Sets timingAllowOrigin (default false): every actual response that gets an
 * Access-Control-Allow-Origin also gets Timing-Allow-Origin with the same
 * value, so that Resource Timing details are visible to exactly the origins
 * the policy trusts.
 * @param builder the builder
 * @param allow the value
 * @return CORS_OK; CORS_E_INVALID_ARGUMENT for a NULL builder (sticky).
 * @since 0.2
 */
enum cors_status
cors_policy_builder_set_timing_allow_origin(struct cors_policy_builder *builder, bool allow);

/**
 * Sets enforcePercent, 0 to 100 (default 100; other values are reported by
 * the build): the policy is enforced for that share of origins and
 * report-only for the others (result.report_only), for a sticky roll-out.
 * The share is chosen by cors_origin_bucket() of the request's Origin, so one
 * origin gets the same treatment on every request and on every host.
 * @param builder the builder
 * @param percent the share, 0 to 100
 * @return CORS_OK; CORS_E_INVALID_ARGUMENT for a NULL builder (sticky).
 * @since 0.2
 */
enum cors_status
cors_policy_builder_set_enforce_percent(struct cors_policy_builder *builder, int percent);

/**
 * The roll-out bucket of an origin, 0 to 99: FNV-1a (32-bit) of the Origin
 * value's bytes, modulo 100. A request is enforced when its bucket is below
 * enforcePercent. Stable across versions, hosts and platforms. Thread-safe.
 * @param origin the raw Origin value, borrowed for the call
 * @return The bucket, 0 to 99.
 * @since 0.2
 */
unsigned cors_origin_bucket(struct cors_str origin);

/**
 * A host's own origin check for origins that change at run time (per tenant,
 * from a database): it is asked only with a valid, canonical request origin
 * that no allowOrigins or allowOriginRegex entry allowed, never with "null",
 * a malformed origin or a request without Origin. Its true is a match like
 * any other (the origin is echoed, credentials and expose headers apply,
 * Vary: Origin; result.matched_field is CORS_FIELD_ORIGIN_PREDICATE). It is
 * called from any thread at once, during cors_evaluate(), so it must be
 * thread-safe, must not block, and must not call back into libcors with the
 * same policy's builder.
 * @param user_data the pointer given to cors_policy_builder_set_origin_predicate()
 * @param origin the request origin, borrowed for the call
 * @return true when the origin is allowed.
 * @since 0.2
 */
typedef bool (*cors_origin_predicate)(void *user_data, struct cors_str origin);

/**
 * Sets the origin predicate (NULL: none) and its user_data, which must
 * outlive every policy built with it. With "*" in allowOrigins the predicate
 * is never asked (every origin is already allowed) and the build warns
 * (origin-predicate-unreachable). Under reportOnly it is asked like the
 * static entries, for the verdict.
 * @param builder the builder
 * @param predicate the function; NULL: none
 * @param user_data passed to predicate; owned by the caller
 * @return CORS_OK; CORS_E_INVALID_ARGUMENT for a NULL builder (sticky).
 * @since 0.2
 */
enum cors_status
cors_policy_builder_set_origin_predicate(struct cors_policy_builder *builder,
                                         cors_origin_predicate predicate, void *user_data);

/**
 * Sets the source position (1-based line and column; 0 = unknown) attached to
 * the entries and settings added after this call, so that diagnostics about
 * them point into the host's configuration text.
 * @param builder the builder
 * @param line 1-based line; 0 = unknown
 * @param column 1-based column; 0 = unknown
 * @return CORS_OK; CORS_E_INVALID_ARGUMENT for a NULL builder (sticky).
 * @since 0.1
 */
enum cors_status
cors_policy_builder_set_position(struct cors_policy_builder *builder, uint32_t line, uint32_t column);

/**
 * Sets a free-form description of where the policy comes from (for example
 * "HTTPRoute httpbin/httpbin, document 1"); the policy keeps a copy
 * (cors_policy_source()). Default: empty.
 * @param builder the builder
 * @param source the description, borrowed for the call
 * @return CORS_OK; CORS_E_INVALID_ARGUMENT (NULL builder or invalid slice) or
 *         CORS_E_NOMEM, both sticky (see the group).
 * @since 0.1
 */
enum cors_status
cors_policy_builder_set_source(struct cors_policy_builder *builder, struct cors_str source);

/**
 * The status of the first builder call that failed (CORS_OK when none did):
 * the status every cors_policy_build() on this builder will return.
 * @param builder the builder
 * @return That status; CORS_E_INVALID_ARGUMENT for a NULL builder.
 * @since 0.2
 */
enum cors_status
cors_policy_builder_status(const struct cors_policy_builder *builder);

/** Build flags. @since 0.1 */
enum cors_build_flags {
    CORS_BUILD_STRICT = 1u << 0, /**< every warning is an error */
    CORS_BUILD_NO_JIT = 1u << 1, /**< do not JIT-compile origin regexes */
};

/** An opaque, immutable, reference-counted, thread-shareable policy. @since 0.1 */
struct cors_policy;

/**
 * Validates the builder's settings and compiles a policy with one reference.
 * Every problem found is appended to diags (which may be NULL). Returns NULL
 * if there is any error (or, with CORS_BUILD_STRICT, any warning), when out of
 * memory, or when an earlier call on the builder failed (sticky errors: the
 * status is that call's, and diags gets a CORS_DIAG_BUILDER_CALL_FAILED
 * naming it). The builder is not changed and may build again.
 * @param builder the builder (read only)
 * @param flags cors_build_flags, or-ed
 * @param diags the list every problem found is appended to; may be NULL
 * @param status_out receives CORS_OK, CORS_E_INVALID_ARGUMENT, CORS_E_NOMEM,
 *        CORS_E_INVALID_POLICY or the sticky status; may be NULL
 * @return The policy with one reference, owned by the caller
 *         (cors_policy_unref()); NULL on failure.
 * @since 0.1
 */
CORS_WARN_UNUSED_RESULT struct cors_policy *
cors_policy_build(const struct cors_policy_builder *builder, unsigned flags,
                  struct cors_diagnostics *diags, enum cors_status *status_out);

/** @} */

/**
 * @defgroup text Text policies (YAML / JSON)
 * @{
 */

/**
 * Parses a YAML or JSON text (no file I/O: the host hands over the bytes) and
 * adds the CORS policy it holds to the builder: a bare HTTPCORSFilter mapping,
 * a mapping with a "cors" key, or Kubernetes documents (HTTPRoute with a CORS
 * filter, AgentgatewayPolicy with spec.traffic.cors; several in one stream; a
 * route-level filter wins over the policy level). Gateway API defaults apply
 * (maxAge 5 when absent in a Gateway API document). Positions and the source
 * description are recorded in the builder. Problems in the text are appended
 * to diags with line and column.
 *
 * flags are the cors_build_flags the policy will be built with: under
 * CORS_BUILD_STRICT the loader's own warnings (text-both-levels, ...) are
 * errors too, exactly as in cors_policy_new_from_text(). Pass the same flags
 * to cors_policy_build().
 *
 * On failure nothing is added to the builder, and the failure is sticky
 * (cors_policy_build() then fails with the same status).
 * @param builder the builder
 * @param text the YAML or JSON text, borrowed for the call (the builder keeps
 *        copies of what it needs)
 * @param flags the cors_build_flags the policy will be built with (0.2)
 * @param diags the list problems are appended to, with line and column; may be NULL
 * @return CORS_OK, CORS_E_INVALID_POLICY (see diags), CORS_E_UNSUPPORTED
 *         (built without libyaml; diags says so), CORS_E_INVALID_ARGUMENT or
 *         CORS_E_NOMEM.
 * @since 0.1; the flags parameter since 0.2
 */
enum cors_status
cors_policy_builder_load_text(struct cors_policy_builder *builder, struct cors_str text,
                              unsigned flags, struct cors_diagnostics *diags);

/**
 * Convenience: a new builder, cors_policy_builder_load_text(), then
 * cors_policy_build() with flags.
 * @param text the YAML or JSON text, borrowed for the call
 * @param flags cors_build_flags, or-ed
 * @param alloc the allocator of the policy (copied); NULL: malloc() and free()
 * @param diags the list problems are appended to; may be NULL
 * @param status_out receives the status (as cors_policy_builder_load_text()
 *        and cors_policy_build() return it); may be NULL
 * @return The policy with one reference, owned by the caller
 *         (cors_policy_unref()); NULL on any error.
 * @since 0.1
 */
CORS_WARN_UNUSED_RESULT struct cors_policy *
cors_policy_new_from_text(struct cors_str text, unsigned flags,
                          const struct cors_allocator *alloc,
                          struct cors_diagnostics *diags, enum cors_status *status_out);

/** @} */

/**
 * @defgroup policy Policy
 *
 * A built policy is immutable: every function of this group and
 * cors_evaluate() are thread-safe on a policy shared by any number of threads.
 * @{
 */

/**
 * Takes one more reference. Thread-safe (atomic).
 * @param policy the policy (not NULL)
 * @return policy, for chaining.
 * @since 0.1
 */
struct cors_policy *cors_policy_ref(struct cors_policy *policy);

/**
 * Drops one reference; the last one frees the policy. Thread-safe; NULL is a
 * no-op. Slices borrowed from the policy become invalid when it is freed.
 * @param policy the policy; NULL is a no-op
 * @since 0.1
 */
void cors_policy_unref(struct cors_policy *policy);

/**
 * The source description given to the builder. Thread-safe.
 * @param policy the policy
 * @return A slice owned by the policy, valid while the caller holds a
 *         reference; empty when none was given.
 * @since 0.1
 */
struct cors_str cors_policy_source(const struct cors_policy *policy);

/**
 * Writes the effective policy (canonical origins, lists as enforced, defaults
 * applied) as one JSON object in the text-policy shape into buf, NUL-terminated
 * when size > 0, like snprintf. Returns the length the whole text needs (not
 * counting the NUL); the output is complete only when that is < size.
 * Thread-safe.
 * @param policy the policy
 * @param buf the caller's buffer; may be NULL when size is 0
 * @param size its size in bytes
 * @return The length of the whole text, without the NUL.
 * @since 0.1
 */
size_t cors_policy_to_json(const struct cors_policy *policy, char *buf, size_t size);

/**
 * The configured entry at index of allowOrigins (in its canonical form) or
 * of allowOriginRegex (as given), the index being the position in which the
 * builder or the text received it: what a log line quotes for a result's
 * matched_field and matched_index ("allowed by allowOrigins[3], a wildcard").
 * Policy-owned, valid while the caller holds a reference. An absent slice
 * (ptr NULL) for any other field or an index out of range. Thread-safe.
 * @param policy the policy
 * @param field CORS_FIELD_ALLOW_ORIGINS or CORS_FIELD_ALLOW_ORIGIN_REGEX
 * @param index the entry's position, as in result.matched_index
 * @return The entry's text (see above for the owner).
 * @since 0.2
 */
struct cors_str cors_policy_entry(const struct cors_policy *policy, enum cors_field field,
                                  size_t index);

/** @} */

/**
 * @defgroup evaluate Per-request evaluation
 * @{
 */

/**
 * The request as the library needs it. All slices are borrowed for the
 * duration of cors_evaluate() and, when echoed, for the result's lifetime.
 * This struct's layout is frozen for every 0.1+ release.
 * @since 0.1
 */
struct cors_request {
    /** The request method, e.g. "OPTIONS" (case-sensitive, as on the wire). */
    struct cors_str method;
    /** The Origin field lines: 0 = no Origin header; more than 1 is malformed. */
    const struct cors_str *origins;
    /** The number of entries of origins. */
    size_t origin_count;
    /** Access-Control-Request-Method (ptr NULL: absent). */
    struct cors_str request_method;
    /** Access-Control-Request-Headers field lines (0 = absent). */
    const struct cors_str *request_headers;
    /** The number of entries of request_headers. */
    size_t request_header_count;
    /** Access-Control-Request-Private-Network (ptr NULL: absent). */
    struct cors_str request_private_network;
};

/** How the request was classified. @since 0.1 */
enum cors_decision {
    CORS_DECISION_NOT_CORS = 0,  /**< no Origin header */
    CORS_DECISION_ACTUAL = 1,    /**< Origin present, not a preflight */
    CORS_DECISION_PREFLIGHT = 2, /**< OPTIONS + Origin + Access-Control-Request-Method */
};

/**
 * The stable name of a decision.
 * @param decision any value
 * @return A static string: "not-cors", "actual", "preflight"; "unknown" for
 *         other values.
 * @since 0.1
 */
const char *cors_decision_name(enum cors_decision decision);

/**
 * Why the verdict is what it is. Values and names are stable.
 * @since 0.1
 */
enum cors_reason {
    CORS_REASON_NOT_CORS = 0,                 /**< "not-cors": no Origin header */
    CORS_REASON_ALLOWED = 1,                  /**< "allowed" */
    CORS_REASON_ORIGIN_NOT_ALLOWED = 2,       /**< "origin-not-allowed" */
    CORS_REASON_ORIGIN_MALFORMED = 3,         /**< "origin-malformed": not a serialized origin */
    CORS_REASON_ORIGIN_MULTIPLE = 4,          /**< "origin-multiple": several Origin values */
    CORS_REASON_ORIGIN_TOO_LONG = 5,          /**< "origin-too-long": over CORS_ORIGIN_MAX bytes */
    CORS_REASON_METHOD_NOT_ALLOWED = 6,       /**< "method-not-allowed" */
    CORS_REASON_METHOD_MALFORMED = 7,         /**< "method-malformed": not a single token */
    CORS_REASON_HEADER_NOT_ALLOWED = 8,       /**< "header-not-allowed" */
    CORS_REASON_HEADERS_MALFORMED = 9,        /**< "headers-malformed": not a list of tokens */
    CORS_REASON_HEADERS_TOO_MANY_LINES = 10,  /**< "headers-too-many-lines": over CORS_REQUEST_HEADER_LINES_MAX lines to echo */
    CORS_REASON_PRIVATE_NETWORK_NOT_ALLOWED = 11, /**< "private-network-not-allowed" */
    CORS_REASON_ORIGIN_REGEX_LIMIT = 12,      /**< "origin-regex-limit": the request's regex budget ran out before any regex matched */
};

/**
 * The stable name of a reason.
 * @param reason any value
 * @return A static string such as "origin-not-allowed"; "unknown" for other values.
 * @since 0.1
 */
const char *cors_reason_name(enum cors_reason reason);

/** Request Origin values longer than this are never allowed. @since 0.1 */
#define CORS_ORIGIN_MAX 4096

/**
 * At most this many non-empty Access-Control-Request-Headers field lines are
 * read; with allowHeaders "*" each is echoed as one response line. A preflight
 * with more is CORS_REASON_HEADERS_TOO_MANY_LINES whatever the policy (0.2;
 * in 0.1 only with allowHeaders "*").
 * @since 0.1
 */
#define CORS_REQUEST_HEADER_LINES_MAX 8

/**
 * What the host does with a returned header.
 * @since 0.1
 */
enum cors_header_op {
    /** Replace any header of that name the response already has. */
    CORS_HEADER_SET = 0,
    /** Add one more field line of the same name; follows a SET of that name. */
    CORS_HEADER_APPEND = 1,
    /** Merge the comma-separated names into the response's Vary without
     *  duplicates (case-insensitive), keeping what is there (cors_merge_vary()). */
    CORS_HEADER_MERGE_VARY = 2,
    /** Remove every header the response already has whose name starts with
     *  "Access-Control-" (cors_is_access_control_header()): whatever the
     *  handler, an upstream or the host's own configuration put there. The
     *  policy owns that namespace on every response it is in force on, for
     *  allowed and denied origins alike; without this, a handler's own
     *  Access-Control-Allow-Origin would reach a denied origin. Always the
     *  first entry of a result whose policy is not report-only, and comes
     *  before the SET/APPEND entries it must not undo. name is
     *  "Access-Control-*", value empty. @since 0.2 */
    CORS_HEADER_REMOVE_ACCESS_CONTROL = 3,
};

/**
 * True when name (any case) starts with "Access-Control-": a header that
 * CORS_HEADER_REMOVE_ACCESS_CONTROL removes. For hosts that walk their
 * response header list. Thread-safe.
 * @param name a header name, borrowed for the call
 * @return true for an Access-Control-* name.
 * @since 0.2
 */
bool cors_is_access_control_header(struct cors_str name);

/**
 * One response header. name and value are borrowed: from static storage, from
 * the policy (valid while the caller holds its reference), or from the request
 * (an echoed Origin or request header line; valid while the request buffers
 * are). Values never contain CR, LF or NUL.
 * @since 0.1
 */
struct cors_header {
    struct cors_str name;   /**< canonical case, e.g. "Access-Control-Allow-Origin" */
    struct cors_str value;  /**< the value (see above for its owner) */
    enum cors_header_op op; /**< what the host does with it */
};

/**
 * Enough entries for any result of this version. It may grow in a later
 * minor release; cors_evaluate() reports CORS_E_NOSPACE rather than overflow.
 * @since 0.1
 */
#define CORS_HEADERS_MAX 16

/**
 * The outcome of one evaluation.
 * @since 0.1
 */
struct cors_result {
    /** How the request was classified. */
    enum cors_decision decision;
    /** The browser will allow the request: origin allowed and, for a
     *  preflight, method, headers and private network allowed. */
    bool allowed;
    /** Why (cors_reason_name()). */
    enum cors_reason reason;
    /** true: the request goes to the handler (actual and not-CORS requests,
     *  forwarded rejected preflights, report-only mode); the host adds the
     *  headers to whatever the handler answers, error responses included.
     *  false: the host answers at once with status, the headers and an empty
     *  body, and does not call the handler. */
    bool call_handler;
    /** The status to answer with when call_handler is false; 0 otherwise. */
    int status;
    /** The request got the report-only treatment: the policy is reportOnly,
     *  or the origin is outside its enforcePercent share (0.2). The verdict
     *  is computed, the handler runs, and nothing is returned but, under a
     *  partial enforcePercent, Vary: Origin (so that caches keep the two
     *  treatments apart). */
    bool report_only;
    /** The headers, in the caller's array. */
    const struct cors_header *headers;
    /** Number of headers written (or needed, with CORS_E_NOSPACE). */
    size_t header_count;
    /** The entry that allowed the origin (also under report-only, and
     *  whatever the method and header verdicts of a preflight):
     *  CORS_FIELD_ALLOW_ORIGINS or CORS_FIELD_ALLOW_ORIGIN_REGEX, with
     *  matched_index the entry's position in that list as configured
     *  (cors_policy_entry() gives its text; a "*" entry included), or
     *  CORS_FIELD_ORIGIN_PREDICATE with index 0. When nothing allowed it:
     *  CORS_FIELD_NONE and SIZE_MAX. @since 0.2 */
    enum cors_field matched_field;
    /** See matched_field. @since 0.2 */
    size_t matched_index;
};

/**
 * Evaluates one request. Thread-safe on a shared policy; never allocates,
 * never blocks; time linear in the request's header bytes. headers is a
 * caller array of capacity entries (CORS_HEADERS_MAX always suffices).
 *
 * The host then applies result->headers in order to whatever response the
 * request gets (its own answer when call_handler is false; else the handler's,
 * an upstream's or an error page): REMOVE_ACCESS_CONTROL first, then SET
 * (replace), APPEND and MERGE_VARY. Fill the request with
 * cors_request_fields_to_request() rather than by hand.
 *
 * CORS_E_INVALID_ARGUMENT means that policy, request or result is NULL;
 * CORS_E_NOSPACE that capacity is too small (result is still filled, and
 * result->header_count says how many entries are needed).
 *
 * Cost of origin regexes (0.2): whatever the number and shape of the
 * policy's allowOriginRegex entries, one request spends at most 4 000 PCRE2
 * match-limit units on them in total (shared equally by its match calls: one
 * per compiled group of regexes it runs), about 5-12 us with JIT and 40-65 us
 * without on a 2.6 GHz machine for the worst patterns; a request that runs
 * out is denied with CORS_REASON_ORIGIN_REGEX_LIMIT. Regexes only run for an
 * origin whose host is at most 253 bytes with labels of at most 63 (what a
 * browser can send), and a regex whose matches all end in a known host
 * suffix only runs for hosts with that suffix (docs/decisions.md, "Regex
 * origins").
 *
 * Stack use: up to about 64 KiB when an origin reaches the policy's regexes
 * (PCRE2's JIT stack and match data live on the stack), a few hundred bytes
 * otherwise.
 * @param policy the policy; the caller holds a reference for the call and as
 *        long as it uses the headers
 * @param request the request; its slices are borrowed for the call and, when
 *        echoed, for as long as the headers are used
 * @param headers the caller's array the headers are written to
 * @param capacity its number of entries
 * @param result receives the outcome; result->headers points to headers
 * @return CORS_OK, CORS_E_INVALID_ARGUMENT or CORS_E_NOSPACE (see above).
 * @since 0.1
 */
enum cors_status
cors_evaluate(const struct cors_policy *policy, const struct cors_request *request,
              struct cors_header *headers, size_t capacity, struct cors_result *result);

/**
 * Merges the comma-separated field names of addition into an existing Vary
 * value (absent or empty allowed), skipping names already present
 * (case-insensitive) and keeping existing ones as they are. Writes the result
 * into out like snprintf (NUL-terminated when size > 0) and returns the length
 * the result needs. If existing is "*", the result is "*". A Vary value
 * cors_evaluate() returned has its names once each, separated by ", ": merged
 * into an absent or empty existing value it comes out byte for byte as it
 * is, so a host whose response has no Vary may set it without this call
 * (guaranteed since 0.2). Thread-safe.
 * @param existing the response's Vary value, borrowed (ptr NULL: none)
 * @param addition the names to merge, e.g. a MERGE_VARY header's value
 * @param out the caller's buffer; may be NULL when size is 0
 * @param size its size in bytes
 * @return The length of the merged value, without the NUL.
 * @since 0.1
 */
size_t cors_merge_vary(struct cors_str existing, struct cors_str addition, char *out, size_t size);

/** @} */

/**
 * @defgroup request Request fields (the host seam)
 *
 * A host hands every request header field line to a cors_request_fields as
 * it reads them (name and value as on the wire, names in any case) and gets a
 * struct cors_request out. The rules for repeated and empty fields live here,
 * once, instead of in every host:
 *
 *  - Origin: every line is kept (up to 2; the request's origin_count is at most
 *    2); two or more lines are CORS_REASON_ORIGIN_MULTIPLE. An empty value is
 *    present and malformed.
 *  - Access-Control-Request-Method: one line is the method; several lines
 *    combine into a list (RFC 9110 §5.3), which is never a method token, so
 *    the preflight is CORS_REASON_METHOD_MALFORMED. An empty value is present
 *    (the request is a preflight) and malformed.
 *  - Access-Control-Request-Headers: lines without any name (empty, or only
 *    commas and white space) are dropped; up to CORS_REQUEST_HEADER_LINES_MAX
 *    lines are kept, and one more line makes the preflight
 *    CORS_REASON_HEADERS_TOO_MANY_LINES (browsers send one line).
 *  - Access-Control-Request-Private-Network: one line is the value; several
 *    lines mean "not requested" (only a single "true" asks).
 *  - Leading and trailing spaces and tabs of every value are not part of it
 *    (RFC 9110 §5.5); other fields are ignored.
 *
 * The accumulator allocates nothing and keeps slices of the host's bytes:
 * names need only live for the call, values as long as the cors_request and
 * the result are used. Its members are private: their layout may change in
 * any minor release, so only declare it and pass its address.
 *
 * Thread safety: an accumulator belongs to one request, used by one thread at
 * a time.
 * @{
 */

/** Caller-owned accumulator of a request's CORS fields (members private). @since 0.2 */
struct cors_request_fields {
    /** @cond PRIVATE */
    struct cors_str method_;
    struct cors_str origin_[2];
    struct cors_str request_method_;
    struct cors_str request_headers_[CORS_REQUEST_HEADER_LINES_MAX + 1];
    struct cors_str request_private_network_;
    size_t origin_lines_;
    size_t request_method_lines_;
    size_t request_header_lines_;
    size_t request_private_network_lines_;
    /** @endcond */
};

/**
 * Starts a request: forgets every field added before. method is the request
 * method as on the wire.
 * @param fields the caller's accumulator
 * @param method the request method, borrowed like the values
 * @since 0.2
 */
void cors_request_fields_init(struct cors_request_fields *fields, struct cors_str method);

/**
 * Adds one request header field line. Returns true when the name is one of the
 * four fields libcors reads (Origin, Access-Control-Request-Method,
 * Access-Control-Request-Headers, Access-Control-Request-Private-Network),
 * false for any other name (ignored). An absent value (ptr NULL) counts as an
 * empty line.
 * @param fields the accumulator
 * @param name the field name in any case, borrowed for the call
 * @param value the field value, borrowed while the request and result are used
 * @return true for a field that libcors reads.
 * @since 0.2
 */
bool cors_request_fields_add(struct cors_request_fields *fields, struct cors_str name,
                             struct cors_str value);

/**
 * Fills *request from the fields added so far, with the rules above. The
 * request points into fields (and the host's value bytes): it is valid while
 * fields is neither changed, moved nor gone.
 * @param fields the accumulator
 * @param request receives the request
 * @since 0.2
 */
void cors_request_fields_to_request(const struct cors_request_fields *fields,
                                    struct cors_request *request);

/** @} */

/**
 * @defgroup fetch The browser's side: a Fetch-standard oracle
 *
 * What a browser does with a script's cross-origin request and with the
 * response headers of any server (libcors or not), following the Fetch
 * standard: whether fetch() throws, whether a CORS preflight is sent and with
 * which Access-Control-Request-Headers, whether the preflight response passes,
 * whether the actual response passes the CORS check, and which response
 * headers the script may read. Meant for test suites ("a fetch() from
 * https://app.example with credentials and X-Token succeeds against this
 * response"). It shares no decision code with cors_evaluate().
 *
 * The request is a cross-origin fetch() in "cors" mode (or an
 * XMLHttpRequest), without upload listeners and without redirects. Nothing
 * here allocates, does I/O or keeps state; every function is thread-safe.
 * Header names are compared ASCII case-insensitively; field values have their
 * leading and trailing spaces and tabs removed before use, as an HTTP parser
 * does.
 * @{
 */

/**
 * The credentials mode of the request (RequestInit.credentials; an
 * XMLHttpRequest with withCredentials = true is "include", otherwise
 * "same-origin"). Only "include" changes the CORS rules.
 * @since 0.2
 */
enum cors_fetch_credentials {
    CORS_FETCH_CREDENTIALS_SAME_ORIGIN = 0, /**< "same-origin", fetch()'s default */
    CORS_FETCH_CREDENTIALS_OMIT = 1,        /**< "omit" */
    CORS_FETCH_CREDENTIALS_INCLUDE = 2,     /**< "include" */
};

/**
 * One header field: a name and a value. Both slices are owned by the caller
 * (the script's request headers, or the server's response headers).
 * @since 0.2
 */
struct cors_fetch_header {
    struct cors_str name;  /**< field name, any case */
    struct cors_str value; /**< field value; surrounding spaces and tabs are ignored */
};

/**
 * What the page's script asks for. Every slice is owned by the caller and
 * must stay valid while a result that borrows from it is used.
 * @since 0.2
 */
struct cors_fetch_request {
    /** The page's serialized origin, as the browser sends it in Origin
     *  (e.g. "https://app.example", "null" for a sandboxed page). Required. */
    struct cors_str origin;
    /** The method given to fetch() (any case; "get" is normalized to "GET"
     *  as browsers do, "patch" is not). Required. */
    struct cors_str method;
    /** The headers the script sets, in order, repeated names as separate
     *  entries (Headers.append()). Include the Content-Type fetch() derives
     *  from the body (a string body: "text/plain;charset=UTF-8"). */
    const struct cors_fetch_header *headers;
    size_t header_count; /**< the number of entries of headers */
    /** The credentials mode. */
    enum cors_fetch_credentials credentials;
    /** The target is in a more private address space than the page
     *  (Private Network Access): a preflight is always sent, with
     *  Access-Control-Request-Private-Network: true. */
    bool private_network;
};

/**
 * Why the browser refuses, or CORS_FETCH_OK. Values and names
 * (cors_fetch_reason_name()) are stable; new reasons are only added.
 * @since 0.2
 */
enum cors_fetch_reason {
    CORS_FETCH_OK = 0,                           /**< "ok" */
    CORS_FETCH_METHOD_INVALID = 1,               /**< "method-invalid": not a token; fetch() throws */
    CORS_FETCH_METHOD_FORBIDDEN = 2,             /**< "method-forbidden": CONNECT, TRACE, TRACK; fetch() throws */
    CORS_FETCH_HEADER_INVALID = 3,               /**< "header-invalid": bad name or a NUL/CR/LF in a value; fetch() throws */
    CORS_FETCH_PREFLIGHT_STATUS = 4,             /**< "preflight-status": preflight status not 200-299 */
    CORS_FETCH_ALLOW_ORIGIN_MISSING = 5,         /**< "allow-origin-missing": no Access-Control-Allow-Origin */
    CORS_FETCH_ALLOW_ORIGIN_MULTIPLE = 6,        /**< "allow-origin-multiple": several field lines or a list */
    CORS_FETCH_ALLOW_ORIGIN_MISMATCH = 7,        /**< "allow-origin-mismatch": not the request's origin (byte-exact) */
    CORS_FETCH_ALLOW_ORIGIN_STAR_CREDENTIALS = 8,/**< "allow-origin-star-credentials": "*" with credentials */
    CORS_FETCH_ALLOW_CREDENTIALS_NOT_TRUE = 9,   /**< "allow-credentials-not-true": credentials, but Access-Control-Allow-Credentials is not exactly "true" */
    CORS_FETCH_ALLOW_METHODS_MALFORMED = 10,     /**< "allow-methods-malformed": not a list of tokens */
    CORS_FETCH_ALLOW_HEADERS_MALFORMED = 11,     /**< "allow-headers-malformed": not a list of tokens */
    CORS_FETCH_METHOD_NOT_ALLOWED = 12,          /**< "method-not-allowed": not in Access-Control-Allow-Methods */
    CORS_FETCH_METHOD_STAR_CREDENTIALS = 13,     /**< "method-star-credentials": only "*" lists it, and credentials are included */
    CORS_FETCH_HEADER_NOT_ALLOWED = 14,          /**< "header-not-allowed": not in Access-Control-Allow-Headers */
    CORS_FETCH_HEADER_STAR_CREDENTIALS = 15,     /**< "header-star-credentials": only "*" lists it, and credentials are included */
    CORS_FETCH_AUTHORIZATION_NOT_COVERED = 16,   /**< "authorization-not-covered": Authorization needs its own name, "*" does not cover it */
    CORS_FETCH_PRIVATE_NETWORK_NOT_ALLOWED = 17, /**< "private-network-not-allowed": no Access-Control-Allow-Private-Network: true */
};

/**
 * The stable name of a reason, e.g. "allow-origin-mismatch".
 * @param reason a reason
 * @return a static string; "unknown" for values not listed above
 * @since 0.2
 */
const char *cors_fetch_reason_name(enum cors_fetch_reason reason);

/**
 * The most header lines a cors_fetch_request or cors_fetch_response may hold
 * (the checks take time quadratic in the number of lines); more is
 * CORS_E_INVALID_ARGUMENT.
 * @since 0.2
 */
#define CORS_FETCH_HEADERS_MAX 1024

/**
 * What the browser sends for a request (step (a)).
 * @since 0.2
 */
struct cors_fetch_plan {
    /** CORS_FETCH_OK, or why fetch() throws before sending anything
     *  (method-invalid, method-forbidden, header-invalid). */
    enum cors_fetch_reason reason;
    /** A CORS preflight (OPTIONS) is sent before the request. */
    bool preflight;
    /** The method is not CORS-safelisted (GET, HEAD, POST). */
    bool method_unsafe;
    /** The method as sent (Access-Control-Request-Method): static storage
     *  or the request's method slice. */
    struct cors_str method;
    /** Number of distinct CORS-unsafe request-header names. */
    size_t unsafe_header_count;
    /** The safelisted values together exceed 1024 bytes, so every header
     *  counts as unsafe. */
    bool safelist_total_exceeded;
    /** Request headers the browser drops silently (forbidden request-header
     *  names such as Cookie, Host, Sec-*, Proxy-*). */
    size_t forbidden_header_count;
    /** Length of the Access-Control-Request-Headers value (0: not sent). */
    size_t request_headers_len;
    /** That value in the caller's buffer when it fit (NUL-terminated), else
     *  absent (ptr NULL). */
    struct cors_str request_headers;
};

/**
 * Step (a): does the browser send a preflight, and with what (Fetch
 * "CORS-preflight fetch", "CORS-unsafe request-header names").
 *
 * Writes the Access-Control-Request-Headers value the browser sends (the
 * unsafe names lower-cased, deduplicated, sorted, joined by ",") into buf,
 * NUL-terminated when size > 0, like snprintf. Time is quadratic in the
 * number of request headers.
 *
 * @param request the script's request
 * @param buf caller buffer for the Access-Control-Request-Headers value; may be NULL when size is 0
 * @param size size of buf in bytes
 * @param plan the result (caller-owned)
 * @return CORS_OK; CORS_E_INVALID_ARGUMENT if request, plan, the origin or the method is
 *         NULL, headers is NULL with a count, or there are more than CORS_FETCH_HEADERS_MAX
 *         headers; CORS_E_NOSPACE if the value did not fit (plan is
 *         complete, request_headers_len says how much is needed, without the NUL)
 * @since 0.2
 */
enum cors_status
cors_fetch_plan(const struct cors_fetch_request *request, char *buf, size_t size,
                struct cors_fetch_plan *plan);

/**
 * A response as the browser received it. Slices owned by the caller.
 * @since 0.2
 */
struct cors_fetch_response {
    int status;                               /**< the HTTP status code */
    const struct cors_fetch_header *headers;  /**< every field line, in order */
    size_t header_count;                      /**< the number of entries of headers */
};

/** Chromium's cap on Access-Control-Max-Age, in seconds. @since 0.2 */
#define CORS_FETCH_MAX_AGE_CHROMIUM 7200
/** Firefox's cap on Access-Control-Max-Age, in seconds. @since 0.2 */
#define CORS_FETCH_MAX_AGE_FIREFOX 86400
/** The Fetch default when Access-Control-Max-Age is absent or invalid. @since 0.2 */
#define CORS_FETCH_MAX_AGE_DEFAULT 5

/**
 * A browser's verdict on a response (steps (b) and (c)).
 * @since 0.2
 */
struct cors_fetch_verdict {
    /** The browser accepts the response (reason is CORS_FETCH_OK). */
    bool ok;
    /** Why (cors_fetch_reason_name()). */
    enum cors_fetch_reason reason;
    /** What the reason is about, when it is about one thing: the method or
     *  header name (request-owned) or the Access-Control-Allow-Origin value
     *  (response-owned); absent (ptr NULL) otherwise. */
    struct cors_str detail;
    /** Preflight only: Access-Control-Max-Age was one valid delta-seconds. */
    bool max_age_given;
    /** Preflight only: the cache lifetime the standard gives (the value,
     *  saturated at 2147483648, or CORS_FETCH_MAX_AGE_DEFAULT), and what
     *  Chromium and Firefox use after their caps. 0 for actual responses. */
    int64_t max_age;
    int64_t max_age_chromium; /**< max_age as Chromium uses it (capped at 7200) */
    int64_t max_age_firefox;  /**< max_age as Firefox uses it (capped at 86400) */
};

/**
 * Step (b): does the preflight response pass (Fetch "CORS-preflight fetch"
 * step 7, "CORS check"). Checks, in order: the CORS check
 * (Access-Control-Allow-Origin, Access-Control-Allow-Credentials), an ok
 * status, Access-Control-Allow-Methods and -Headers syntax, the method, the
 * Authorization header, each unsafe header, and Access-Control-Allow-Private-
 * Network when private_network is set; the first failure is the reason.
 *
 * @param request the script's request (the same as given to cors_fetch_plan())
 * @param response the preflight's response
 * @param verdict the result (caller-owned); detail borrows from request or response
 * @return CORS_OK, or CORS_E_INVALID_ARGUMENT if a pointer is NULL or a header count is over
 *         CORS_FETCH_HEADERS_MAX
 * @since 0.2
 */
enum cors_status
cors_fetch_check_preflight(const struct cors_fetch_request *request,
                           const struct cors_fetch_response *response,
                           struct cors_fetch_verdict *verdict);

/**
 * Step (c): does the actual response pass the CORS check (Fetch "CORS
 * check"). The status does not matter.
 *
 * @param request the script's request
 * @param response the actual response
 * @param verdict the result (caller-owned); detail borrows from response
 * @return CORS_OK, or CORS_E_INVALID_ARGUMENT if a pointer is NULL or a header count is over
 *         CORS_FETCH_HEADERS_MAX
 * @since 0.2
 */
enum cors_status
cors_fetch_check_response(const struct cors_fetch_request *request,
                          const struct cors_fetch_response *response,
                          struct cors_fetch_verdict *verdict);

/**
 * Which response headers the script can read (Fetch "CORS-safelisted
 * response-header name", "CORS-filtered response"): Cache-Control,
 * Content-Language, Content-Length, Content-Type, Expires, Last-Modified,
 * Pragma, and the names in Access-Control-Expose-Headers ("*": every name,
 * unless credentials are included); never Set-Cookie or Set-Cookie2. Nothing
 * when the response fails the CORS check.
 *
 * @param request the script's request
 * @param response the actual response
 * @param names caller array for the readable names, each once (first spelling
 *        in the response, response-owned), in response order; may be NULL when capacity is 0
 * @param capacity entries in names
 * @return the number of readable names (entries beyond capacity are not written); 0 also
 *         when an argument is invalid (as for cors_fetch_check_response())
 * @since 0.2
 */
size_t cors_fetch_readable_headers(const struct cors_fetch_request *request,
                                   const struct cors_fetch_response *response,
                                   struct cors_str *names, size_t capacity);

/**
 * Whether the script can read one response header (see
 * cors_fetch_readable_headers()).
 *
 * @param request the script's request
 * @param response the actual response
 * @param name the header name, any case (caller-owned)
 * @return true when the response passes the CORS check, has that header and exposes it
 * @since 0.2
 */
bool cors_fetch_header_readable(const struct cors_fetch_request *request,
                                const struct cors_fetch_response *response, struct cors_str name);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CORS_CORS_H */
