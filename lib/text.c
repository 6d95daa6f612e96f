/*
 * Text policies (YAML/JSON). Placeholder until the libyaml loader lands:
 * reports that text policies are not supported by this build.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"

CORS_EXPORT enum cors_status
cors_policy_builder_load_text(struct cors_policy_builder *builder, struct cors_str text,
                              struct cors_diagnostics *diags)
{
    (void)text;
    if (builder == NULL)
        return CORS_E_INVALID_ARGUMENT;
    if (diags != NULL)
        (void)cors_diagnostics_add(diags, CORS_DIAG_TEXT_UNSUPPORTED, CORS_SEVERITY_ERROR,
                                   CORS_FIELD_NONE, SIZE_MAX, 0, 0,
                                   CORS_STR("libcors was built without text-policy support"));
    return CORS_E_UNSUPPORTED;
}

CORS_EXPORT struct cors_policy *
cors_policy_new_from_text(struct cors_str text, unsigned flags, const struct cors_allocator *alloc,
                          struct cors_diagnostics *diags, enum cors_status *status_out)
{
    (void)flags;
    (void)alloc;
    enum cors_status status = cors_policy_builder_load_text(NULL, text, diags);
    if (status_out != NULL)
        *status_out = status == CORS_E_INVALID_ARGUMENT ? CORS_E_UNSUPPORTED : status;
    return NULL;
}
