/*
 * cors-eval --diff OLD NEW (not written yet).
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-eval.h"

int
cors_eval_diff(const char *old_path, const char *new_path, bool json, bool strict)
{
    (void)old_path;
    (void)new_path;
    (void)json;
    (void)strict;
    fputs("cors-eval: --diff is not available in this build\n", stderr);
    return CORS_EVAL_EXIT_USAGE;
}
