/*
 * Validation of a builder's settings (every problem reported), compilation
 * into the immutable policy that evaluate.c reads, and the policy's lifetime
 * (reference counting) and accessors.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"

#include <inttypes.h>
#include <stdio.h>

#if HAVE_PSL
#include <libpsl.h>
#endif

/* ------------------------------------------------------------- validation */

struct build {
    const struct cors_policy_builder *b;
    struct cors_policy *p;
    struct corsp_report r;
    struct corsp_pool scratch; /* temporary, released at the end of the build */
};

/* At most this much of an entry is quoted in a message. */
#define QUOTE_MAX 120
#define QUOTE(e)                                                                                   \
    (int)((e)->len > QUOTE_MAX ? QUOTE_MAX : (e)->len), (e)->ptr,                                  \
        ((e)->len > QUOTE_MAX ? "..." : "")

static void
report_entry(struct build *bd, enum cors_diag_code code, enum corsp_list_field l, size_t i,
             size_t offset, const char *detail)
{
    const struct corsp_entry *e = &bd->b->lists[l].items[i];
    corsp_report(&bd->r, code, corsp_list_fields[l], i, e->line, e->column, offset, "\"%.*s%s\": %s",
                 QUOTE(e), detail);
}

static void CORSP_PRINTF(4, 5) report_field(struct build *bd, enum cors_diag_code code,
                                            enum cors_field f, const char *fmt, ...)
{
    char detail[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    corsp_report(&bd->r, code, f, SIZE_MAX, bd->b->field_line[f], bd->b->field_column[f], 0, "%s",
                 detail);
}

static bool
is_star(const struct corsp_entry *e)
{
    return e->len == 1 && e->ptr[0] == '*';
}

/*
 * Marks duplicates (by key) in a list: dup[i] is true when an earlier entry has
 * the same key. Reports each one. Returns false when out of memory.
 */
static bool
find_duplicates(struct build *bd, enum corsp_list_field l, const struct cors_str *keys, size_t n,
                bool fold, bool *dup)
{
    struct corsp_strset set;
    if (!corsp_strset_build(&set, &bd->scratch, keys, n, fold))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (keys[i].ptr == NULL)
            continue;
        long first = corsp_strset_find(&set, keys[i].ptr, keys[i].len);
        if (first >= 0 && (size_t)first != i) {
            dup[i] = true;
            char detail[64];
            snprintf(detail, sizeof(detail), "the same as entry %ld; ignored", first);
            report_entry(bd, CORS_DIAG_DUPLICATE_ENTRY, l, i, 0, detail);
        }
    }
    return true;
}

static void
check_star_mixed(struct build *bd, enum corsp_list_field l, size_t star_index, size_t valid)
{
    if (star_index != SIZE_MAX && valid > 1)
        report_entry(bd, CORS_DIAG_STAR_MIXED, l, star_index, 0,
                     "'*' must be the only entry of its list");
}

/* Joins keys[i] for !skip[i] with ',' into a pool string. */
static struct cors_str
join(struct build *bd, const struct cors_str *keys, const bool *skip, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        if (!skip[i])
            total += keys[i].len + 1;
    char *s = corsp_pool_alloc(&bd->p->pool, total + 1);
    if (s == NULL)
        return (struct cors_str){NULL, 0};
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (skip[i])
            continue;
        if (o > 0)
            s[o++] = ',';
        memcpy(s + o, keys[i].ptr, keys[i].len);
        o += keys[i].len;
    }
    s[o] = '\0';
    return (struct cors_str){s, o};
}

/* Keeps keys[i] for !skip[i], in a pool array; returns it and its count. */
static const struct cors_str *
keep(struct build *bd, const struct cors_str *keys, const bool *skip, size_t n, size_t *count)
{
    struct cors_str *out = corsp_pool_alloc(&bd->p->pool, sizeof(*out) * (n + 1));
    size_t k = 0;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!skip[i])
            out[k++] = keys[i];
    *count = k;
    return out;
}

static void *
scratch_array(struct build *bd, size_t n, size_t size)
{
    if (n > SIZE_MAX / size - 1)
        return NULL;
    return corsp_pool_alloc(&bd->scratch, (n + 1) * size);
}

static bool
build_origins(struct build *bd)
{
    const struct corsp_entry_list *list = &bd->b->lists[CORSP_LIST_ORIGINS];
    struct cors_policy *p = bd->p;
    size_t n = list->count;
    struct cors_str *canon = corsp_pool_alloc(&p->pool, sizeof(*canon) * (n + 1));
    uint8_t *kind = scratch_array(bd, n, 1);
    bool *skip = scratch_array(bd, n, sizeof(bool));
    bool *insecure = scratch_array(bd, n, sizeof(bool));
    /* by configured index while parsing; the set keeps only the wildcards */
    struct corsp_wild_entry *wild = scratch_array(bd, n, sizeof(*wild));
    struct corsp_pattern *pat = corsp_pool_alloc(&bd->scratch, sizeof(*pat));
    if (!canon || !kind || !skip || !insecure || !wild || !pat)
        return false;

    char msg[400];
    for (size_t i = 0; i < n; i++) {
        const struct corsp_entry *e = &list->items[i];
        enum cors_diag_code code = corsp_pattern_parse(e->ptr, e->len, pat, msg, sizeof(msg));
        if (code != 0) {
            report_entry(bd, code, CORSP_LIST_ORIGINS, i, 0, msg);
            skip[i] = true;
            continue;
        }
        if (msg[0] != '\0') /* normalised: say what browsers send */
            report_entry(bd, CORS_DIAG_ORIGIN_NOT_CANONICAL, CORSP_LIST_ORIGINS, i, 0, msg);
        canon[i].ptr = corsp_pool_strdup(&p->pool, pat->canonical.ptr, pat->canonical.len);
        if (canon[i].ptr == NULL)
            return false;
        canon[i].len = pat->canonical.len;
        kind[i] = (uint8_t)pat->kind;
        insecure[i] = pat->http_insecure;
        if (pat->kind == CORSP_PATTERN_WILDCARD) {
            /* scheme and host point into the canonical copy */
            const char *base = canon[i].ptr;
            wild[i].scheme = (struct cors_str){base, pat->scheme.len};
            wild[i].host = (struct cors_str){base + (pat->host.ptr - pat->buf), pat->host.len};
            wild[i].port = pat->port;
            wild[i].index = (uint32_t)i;
            wild[i].host_match = (uint8_t)pat->host_match;
        }
    }
    bool *dup = scratch_array(bd, n, sizeof(bool));
    if (dup == NULL || !find_duplicates(bd, CORSP_LIST_ORIGINS, canon, n, false, dup))
        return false;

    size_t valid = 0, star = SIZE_MAX, exact_n = 0, wild_n = 0;
    struct cors_str *exact = scratch_array(bd, n, sizeof(*exact));
    uint32_t *exact_index = corsp_pool_alloc(&p->pool, sizeof(*exact_index) * (n + 1));
    if (exact == NULL || exact_index == NULL)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (skip[i] || dup[i]) {
            skip[i] = true;
            continue;
        }
        valid++;
        switch ((enum corsp_pattern_kind)kind[i]) {
        case CORSP_PATTERN_STAR:
            star = i;
            p->origins_any = true;
            break;
        case CORSP_PATTERN_NULL:
            report_entry(bd, CORS_DIAG_ORIGIN_NULL, CORSP_LIST_ORIGINS, i, 0,
                         "\"null\" is sent by sandboxed iframes, file: pages and redirects, "
                         "so any site can claim it");
            exact_index[exact_n] = (uint32_t)i;
            exact[exact_n++] = canon[i];
            break;
        case CORSP_PATTERN_EXACT:
            if (bd->b->credentials && insecure[i])
                report_entry(bd, CORS_DIAG_ORIGIN_INSECURE_WITH_CREDENTIALS, CORSP_LIST_ORIGINS, i,
                             0,
                             "an http:// origin with credentials: anyone on the network path "
                             "can impersonate it");
            exact_index[exact_n] = (uint32_t)i;
            exact[exact_n++] = canon[i];
            break;
        case CORSP_PATTERN_WILDCARD:
            if (bd->b->credentials)
                report_entry(bd, CORS_DIAG_ORIGIN_WILDCARD_WITH_CREDENTIALS, CORSP_LIST_ORIGINS, i,
                             0,
                             "a wildcard origin with credentials trusts every matching host "
                             "with the user's cookies");
#if HAVE_PSL
            if (wild[i].host_match == CORSP_HOST_SUBDOMAIN) {
                char suffix[CORS_ORIGIN_MAX + 1];
                memcpy(suffix, wild[i].host.ptr, wild[i].host.len);
                suffix[wild[i].host.len] = '\0';
                if (psl_is_public_suffix(psl_builtin(), suffix))
                    report_entry(bd, CORS_DIAG_ORIGIN_PUBLIC_SUFFIX_WILDCARD, CORSP_LIST_ORIGINS, i,
                                 0,
                                 "the wildcard sits directly under a public suffix: "
                                 "every site registered there matches");
            }
#endif
            wild[wild_n++] = wild[i];
            break;
        }
    }
    check_star_mixed(bd, CORSP_LIST_ORIGINS, star, valid);
    if (p->origins_any && bd->b->credentials)
        report_entry(bd, CORS_DIAG_ORIGIN_STAR_WITH_CREDENTIALS, CORSP_LIST_ORIGINS, star, 0,
                     "'*' with credentials echoes every origin, so every site can make "
                     "credentialed requests");
    if (p->origins_any && bd->b->predicate != NULL)
        corsp_report(&bd->r, CORS_DIAG_ORIGIN_PREDICATE_UNREACHABLE, CORS_FIELD_ORIGIN_PREDICATE,
                     SIZE_MAX, bd->b->field_line[CORS_FIELD_ORIGIN_PREDICATE],
                     bd->b->field_column[CORS_FIELD_ORIGIN_PREDICATE], 0,
                     "allowOrigins has '*': every origin is allowed before the origin "
                     "predicate could be asked");
    if (valid == 0 && bd->b->lists[CORSP_LIST_REGEX].count == 0 && bd->b->predicate == NULL)
        corsp_report(&bd->r, CORS_DIAG_NO_ORIGINS, CORS_FIELD_ALLOW_ORIGINS, SIZE_MAX, 0, 0, 0,
                     "the policy allows no origin: every cross-origin request is denied");

    struct corsp_wild_entry *wild_kept =
        corsp_pool_alloc(&p->pool, sizeof(*wild) * (wild_n + 1));
    if (wild_kept == NULL)
        return false;
    memcpy(wild_kept, wild, sizeof(*wild) * wild_n);
    /* every entry kept and exact (the usual long list): the exact keys are
     * the configured list itself; otherwise a pool copy of those there are */
    const struct cors_str *exact_keys = canon;
    if (exact_n != n) {
        struct cors_str *kept = corsp_pool_alloc(&p->pool, sizeof(*kept) * (exact_n + 1));
        if (kept == NULL)
            return false;
        memcpy(kept, exact, sizeof(*kept) * exact_n);
        exact_keys = kept;
    }
    if (!corsp_strset_build(&p->exact, &p->pool, exact_keys, exact_n, false) ||
        !corsp_wildset_build(&p->wild, &p->pool, wild_kept, wild_n))
        return false;
    p->exact_index = exact_index;
    p->star_index = (uint32_t)star;
    /* every entry by its configured index (duplicates share their text) */
    p->configured[CORSP_LIST_ORIGINS] = canon;
    p->configured_counts[CORSP_LIST_ORIGINS] = n;
    /* the effective list (cors_policy_to_json()): the configured one itself
     * when no entry was dropped, not a second array of the same slices */
    if (valid == n) {
        p->lists[CORSP_LIST_ORIGINS] = canon;
        p->list_counts[CORSP_LIST_ORIGINS] = n;
    } else {
        p->lists[CORSP_LIST_ORIGINS] =
            keep(bd, canon, skip, n, &p->list_counts[CORSP_LIST_ORIGINS]);
    }
    return p->lists[CORSP_LIST_ORIGINS] != NULL;
}

static bool
build_regexes(struct build *bd, unsigned flags)
{
    const struct corsp_entry_list *list = &bd->b->lists[CORSP_LIST_REGEX];
    struct cors_policy *p = bd->p;
    size_t n = list->count;
    if (n == 0)
        return true;
    p->regexes = corsp_regex_set_new(&p->pool.alloc);
    struct cors_str *src = corsp_pool_alloc(&p->pool, sizeof(*src) * (n + 1));
    bool *dup = scratch_array(bd, n, sizeof(bool));
    if (p->regexes == NULL || src == NULL || dup == NULL)
        return false;
    struct cors_str *kept_src = corsp_pool_alloc(&p->pool, sizeof(*kept_src) * (n + 1));
    if (kept_src == NULL)
        return false;
    for (size_t i = 0; i < n; i++) {
        src[i].ptr = corsp_pool_strdup(&p->pool, list->items[i].ptr, list->items[i].len);
        src[i].len = list->items[i].len;
        if (src[i].ptr == NULL)
            return false;
    }
    if (!find_duplicates(bd, CORSP_LIST_REGEX, src, n, false, dup))
        return false;
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        const struct corsp_entry *e = &list->items[i];
        if (dup[i])
            continue;
        if (!corsp_regex_set_add(p->regexes, e->ptr, e->len, i, e->line, e->column,
                                 !(flags & CORS_BUILD_NO_JIT), &bd->r))
            return false;
        kept_src[kept++] = src[i];
    }
    if (!corsp_regex_set_finish(p->regexes, &bd->r))
        return false;
    p->lists[CORSP_LIST_REGEX] = kept_src;
    p->list_counts[CORSP_LIST_REGEX] = kept;
    p->configured[CORSP_LIST_REGEX] = src;
    p->configured_counts[CORSP_LIST_REGEX] = n;
    return true;
}

static bool
is_upper_token(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 'a' && s[i] <= 'z')
            return false;
    return true;
}

static bool
build_methods(struct build *bd)
{
    const struct corsp_entry_list *list = &bd->b->lists[CORSP_LIST_METHODS];
    struct cors_policy *p = bd->p;
    size_t n = list->count;
    struct cors_str *keys = scratch_array(bd, n, sizeof(*keys));
    bool *skip = scratch_array(bd, n, sizeof(bool));
    bool *dup = scratch_array(bd, n, sizeof(bool));
    if (!keys || !skip || !dup)
        return false;
    static const char *const forbidden[] = {"CONNECT", "TRACE", "TRACK"};
    for (size_t i = 0; i < n; i++) {
        const struct corsp_entry *e = &list->items[i];
        keys[i] = (struct cors_str){e->ptr, e->len};
        if (is_star(e))
            continue;
        if (!corsp_is_token(e->ptr, e->len)) {
            report_entry(bd, CORS_DIAG_METHOD_INVALID, CORSP_LIST_METHODS, i, 0,
                         "a method is one HTTP token (letters, digits, and !#$%&'*+-.^_`|~)");
            skip[i] = true;
            keys[i] = (struct cors_str){NULL, 0};
            continue;
        }
        bool bad = false;
        for (size_t f = 0; f < CORSP_ARRAY_SIZE(forbidden); f++)
            if (e->len == strlen(forbidden[f]) && corsp_equal_fold(e->ptr, forbidden[f], e->len))
                bad = true;
        if (bad) {
            report_entry(bd, CORS_DIAG_METHOD_FORBIDDEN, CORSP_LIST_METHODS, i, 0,
                         "a forbidden method (Fetch): scripts can never send it");
            skip[i] = true;
            keys[i] = (struct cors_str){NULL, 0};
            continue;
        }
        if (!is_upper_token(e->ptr, e->len))
            report_entry(bd, CORS_DIAG_METHOD_LOWERCASE, CORSP_LIST_METHODS, i, 0,
                         "methods are case-sensitive and browsers send them in upper case "
                         "(\"PATCH\", \"GET\"), so this entry never matches");
    }
    if (!find_duplicates(bd, CORSP_LIST_METHODS, keys, n, false, dup))
        return false;
    size_t valid = 0, star = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        skip[i] |= dup[i];
        if (skip[i])
            continue;
        valid++;
        if (is_star(&list->items[i])) {
            star = i;
            p->methods_any = true;
        }
    }
    check_star_mixed(bd, CORSP_LIST_METHODS, star, valid);
    for (size_t i = 0; i < n; i++)
        if (!skip[i])
            keys[i].ptr = corsp_pool_strdup(&p->pool, keys[i].ptr, keys[i].len);
    p->methods = keep(bd, keys, skip, n, &p->method_count);
    p->lists[CORSP_LIST_METHODS] = p->methods;
    p->list_counts[CORSP_LIST_METHODS] = p->method_count;
    if (!p->methods_any)
        p->allow_methods_value = join(bd, keys, skip, n);
    return p->methods != NULL && !bd->p->pool.failed;
}

static bool
is_cors_protocol_header(const char *s, size_t n)
{
    return n >= 15 && memcmp(s, "access-control-", 15) == 0;
}

static bool
build_header_list(struct build *bd, enum corsp_list_field l)
{
    const struct corsp_entry_list *list = &bd->b->lists[l];
    struct cors_policy *p = bd->p;
    size_t n = list->count;
    struct cors_str *keys = scratch_array(bd, n, sizeof(*keys));
    bool *skip = scratch_array(bd, n, sizeof(bool));
    bool *dup = scratch_array(bd, n, sizeof(bool));
    if (!keys || !skip || !dup)
        return false;
    bool expose = l == CORSP_LIST_EXPOSE_HEADERS;
    for (size_t i = 0; i < n; i++) {
        const struct corsp_entry *e = &list->items[i];
        if (is_star(e)) {
            keys[i] = (struct cors_str){"*", 1};
            continue;
        }
        if (!corsp_is_token(e->ptr, e->len)) {
            report_entry(bd, CORS_DIAG_HEADER_INVALID, l, i, 0,
                         "a header name is one HTTP token (letters, digits, and "
                         "!#$%&'*+-.^_`|~)");
            skip[i] = true;
            continue;
        }
        char *lower = corsp_pool_alloc(&p->pool, e->len + 1);
        if (lower == NULL)
            return false;
        for (size_t k = 0; k < e->len; k++)
            lower[k] = (char)corsp_lower[(unsigned char)e->ptr[k]];
        keys[i] = (struct cors_str){lower, e->len};
        if (!expose && corsp_forbidden_request_header_name(lower, e->len))
            report_entry(bd, CORS_DIAG_HEADER_FORBIDDEN, l, i, 0,
                         "a forbidden request header (Fetch): scripts cannot set it, so "
                         "allowing it has no effect");
        else if (is_cors_protocol_header(lower, e->len))
            report_entry(bd, CORS_DIAG_HEADER_CORS_PROTOCOL, l, i, 0,
                         expose ? "a CORS protocol header: exposing it has no use"
                                : "a CORS response header: scripts do not send it");
        else if (expose && ((e->len == 10 && memcmp(lower, "set-cookie", 10) == 0) ||
                            (e->len == 11 && memcmp(lower, "set-cookie2", 11) == 0)))
            report_entry(bd, CORS_DIAG_EXPOSE_FORBIDDEN, l, i, 0,
                         "a forbidden response header name: browsers never expose it");
    }
    for (size_t i = 0; i < n; i++)
        if (skip[i])
            keys[i] = (struct cors_str){NULL, 0};
    if (!find_duplicates(bd, l, keys, n, false, dup))
        return false;
    size_t valid = 0, star = SIZE_MAX;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        skip[i] |= dup[i];
        if (skip[i])
            continue;
        valid++;
        if (is_star(&list->items[i])) {
            star = i;
            any = true;
        }
    }
    check_star_mixed(bd, l, star, valid);
    size_t count;
    const struct cors_str *kept = keep(bd, keys, skip, n, &count);
    if (kept == NULL)
        return false;
    p->lists[l] = kept;
    p->list_counts[l] = count;
    if (expose) {
        if (any && bd->b->credentials)
            report_entry(bd, CORS_DIAG_EXPOSE_STAR_WITH_CREDENTIALS, l, star, 0,
                         "with credentials, browsers read '*' as a header literally named '*', "
                         "so nothing is exposed to credentialed requests: list the names");
        p->expose_headers_value = join(bd, keys, skip, n);
    } else {
        p->headers_any = any;
        if (!any) {
            p->allow_headers_value = join(bd, keys, skip, n);
            if (!corsp_strset_build(&p->headers, &p->pool, kept, count, true))
                return false;
        }
    }
    return !p->pool.failed;
}

static bool
build_scalars(struct build *bd)
{
    const struct cors_policy_builder *b = bd->b;
    struct cors_policy *p = bd->p;
    p->credentials = b->credentials;
    p->private_network = b->private_network;
    p->forward_rejected = b->forward_rejected;
    p->forward_allowed = b->forward_allowed;
    p->report_only = b->report_only;
    p->timing_allow_origin = b->timing_allow_origin;
    p->preflight_status = b->preflight_status;
    p->reject_status = b->reject_status;
    p->max_age = b->max_age;
    p->predicate = b->predicate;
    p->predicate_data = b->predicate_data;
    if (b->enforce_percent < 0 || b->enforce_percent > 100)
        report_field(bd, CORS_DIAG_PERCENT_OUT_OF_RANGE, CORS_FIELD_ENFORCE_PERCENT,
                     "enforcePercent %d is outside 0..100", b->enforce_percent);
    else
        p->enforce_percent = (unsigned)b->enforce_percent;

    if (b->max_age != CORS_MAX_AGE_UNSET) {
        if (b->max_age < 0 || b->max_age > INT32_MAX) {
            report_field(bd, CORS_DIAG_MAX_AGE_OUT_OF_RANGE, CORS_FIELD_MAX_AGE,
                         "maxAge %" PRId64 " is outside 0..2147483647 seconds", b->max_age);
        } else {
            if (b->max_age > 86400)
                report_field(bd, CORS_DIAG_MAX_AGE_ABOVE_FIREFOX_CAP, CORS_FIELD_MAX_AGE,
                             "maxAge %" PRId64 " is above Firefox's cap of 86400 s and "
                             "Chromium's of 7200 s: browsers cache preflights for less",
                             b->max_age);
            else if (b->max_age > 7200)
                report_field(bd, CORS_DIAG_MAX_AGE_ABOVE_CHROMIUM_CAP, CORS_FIELD_MAX_AGE,
                             "maxAge %" PRId64 " is above Chromium's cap of 7200 s: Chromium "
                             "caches preflights for 7200 s at most",
                             b->max_age);
            char digits[24];
            int len = snprintf(digits, sizeof(digits), "%" PRId64, b->max_age);
            p->max_age_value.ptr = corsp_pool_strdup(&p->pool, digits, (size_t)len);
            p->max_age_value.len = (size_t)len;
            if (p->max_age_value.ptr == NULL)
                return false;
        }
    }
    if (b->preflight_status != 200 && b->preflight_status != 204)
        report_field(bd, CORS_DIAG_STATUS_INVALID, CORS_FIELD_PREFLIGHT_STATUS,
                     "preflightStatus %d is not 200 or 204", b->preflight_status);
    if (b->reject_status != 403 && b->reject_status != 200 && b->reject_status != 204)
        report_field(bd, CORS_DIAG_STATUS_INVALID, CORS_FIELD_REJECT_STATUS,
                     "rejectStatus %d is not 403, 200 or 204", b->reject_status);

    static const char vary[] =
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, "
        "Access-Control-Request-Private-Network";
    static const size_t pna_len = sizeof(", Access-Control-Request-Private-Network") - 1;
    p->vary_preflight_value.ptr = vary;
    p->vary_preflight_value.len = sizeof(vary) - 1 - (p->private_network ? 0 : pna_len);

    p->source.ptr = corsp_pool_strdup(&p->pool, b->source ? b->source : "", b->source_len);
    p->source.len = b->source_len;
    return p->source.ptr != NULL;
}

static void
policy_free(struct cors_policy *p)
{
    corsp_regex_set_free(p->regexes);
    struct corsp_pool pool = p->pool;
    corsp_pool_release(&pool);
}

CORS_EXPORT struct cors_policy *
cors_policy_build(const struct cors_policy_builder *b, unsigned flags,
                  struct cors_diagnostics *diags, enum cors_status *status_out)
{
    enum cors_status dummy;
    if (status_out == NULL)
        status_out = &dummy;
    if (b == NULL) {
        *status_out = CORS_E_INVALID_ARGUMENT;
        return NULL;
    }
    if (b->failed_status != CORS_OK) {
        /* sticky: an earlier call failed, so the settings are incomplete */
        struct corsp_report r = {.diags = diags};
        corsp_report(&r, CORS_DIAG_BUILDER_CALL_FAILED, CORS_FIELD_NONE, SIZE_MAX, 0, 0, 0,
                     "%s() failed earlier (%s): the policy would miss what it added, so it "
                     "is not built",
                     b->failed_call, cors_status_name(b->failed_status));
        *status_out = b->failed_status;
        return NULL;
    }

    struct corsp_pool pool;
    corsp_pool_init(&pool, &b->alloc);
    struct cors_policy *p = corsp_pool_alloc(&pool, sizeof(*p));
    if (p == NULL) {
        *status_out = CORS_E_NOMEM;
        return NULL;
    }
    p->pool = pool;
    atomic_init(&p->refs, 1);

    struct build bd = {.b = b, .p = p};
    bd.r.diags = diags;
    bd.r.strict = (flags & CORS_BUILD_STRICT) != 0;
    corsp_pool_init(&bd.scratch, &b->alloc);

    bool ok = build_scalars(&bd) && build_origins(&bd) && build_regexes(&bd, flags) &&
              build_methods(&bd) && build_header_list(&bd, CORSP_LIST_ALLOW_HEADERS) &&
              build_header_list(&bd, CORSP_LIST_EXPOSE_HEADERS);
    p->public_star = p->origins_any && !p->credentials;
    corsp_pool_release(&bd.scratch);

    if (!ok || bd.r.oom || p->pool.failed || bd.scratch.failed) {
        policy_free(p);
        *status_out = CORS_E_NOMEM;
        return NULL;
    }
    if (bd.r.errors > 0) {
        policy_free(p);
        *status_out = CORS_E_INVALID_POLICY;
        return NULL;
    }
    corsp_evaluate_prepare(p);
    *status_out = CORS_OK;
    return p;
}

/* ----------------------------------------------------------------- policy */

CORS_EXPORT struct cors_policy *
cors_policy_ref(struct cors_policy *p)
{
    if (p != NULL)
        atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
    return p;
}

CORS_EXPORT void
cors_policy_unref(struct cors_policy *p)
{
    if (p == NULL)
        return;
    if (atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) == 1)
        policy_free(p);
}

CORS_EXPORT struct cors_str
cors_policy_entry(const struct cors_policy *p, enum cors_field field, size_t index)
{
    int l = field == CORS_FIELD_ALLOW_ORIGINS        ? CORSP_LIST_ORIGINS
            : field == CORS_FIELD_ALLOW_ORIGIN_REGEX ? CORSP_LIST_REGEX
                                                     : -1;
    if (p == NULL || l < 0 || index >= p->configured_counts[l])
        return (struct cors_str){NULL, 0};
    return p->configured[l][index];
}

CORS_EXPORT struct cors_str
cors_policy_source(const struct cors_policy *p)
{
    if (p == NULL)
        return (struct cors_str){NULL, 0};
    return p->source;
}
