/*
 * Run-time version.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"

CORS_EXPORT uint32_t
cors_version(void)
{
    return CORS_VERSION_HEX;
}

CORS_EXPORT const char *
cors_version_string(void)
{
    return CORS_VERSION_STRING;
}
