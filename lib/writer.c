/*
 * The bounded writer: appends bytes to a caller's buffer and counts the
 * length the whole text needs, as snprintf() does.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cors-private.h"

void
corsp_writer_put(struct corsp_writer *w, const char *p, size_t n)
{
    if (w->len < w->size && n > 0)
        memcpy(w->buf + w->len, p, n < w->size - w->len ? n : w->size - w->len);
    w->len += n;
}

void
corsp_writer_puts(struct corsp_writer *w, const char *s)
{
    corsp_writer_put(w, s, strlen(s));
}

size_t
corsp_writer_finish(struct corsp_writer *w)
{
    if (w->size > 0)
        w->buf[w->len < w->size ? w->len : w->size - 1] = '\0';
    return w->len;
}
