/*
 * cors-eval's JSON string writer (cors-eval.h), in a file of its own so that
 * the browser suite's fetch-oracle writes its JSON with the same code.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-eval.h"

void
cors_eval_json_string(FILE *out, const char *s, size_t len)
{
    fputc('"', out);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c == '\t')
            fputs("\\t", out);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}
