/* buf.h: growable byte buffer with a hard cap, used by renderers. */
#ifndef CLASCONV_BUF_H
#define CLASCONV_BUF_H

#include <stddef.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A NUL-terminated growable buffer. Zero-initialize, then append. */
typedef struct clasconv_buf {
    char *data; /* NUL-terminated once non-empty; NULL when empty */
    size_t len; /* bytes used, without the NUL; the bytes allocated follow
                   from it (only the clasconv_buf_* functions allocate) */
    int failed; /* the first error (a clasconv_error, MEMORY or TOO_LARGE)
                   once an append failed; later appends do nothing and
                   return it; 0 while none */
} clasconv_buf;

/** Largest buffer ever grown (bytes): appends beyond fail. */
#define CLASCONV_BUF_MAX ((size_t)1 << 30)

/** Appends `len` bytes. Returns CLASCONV_ERR_MEMORY or _TOO_LARGE (past
 * CLASCONV_BUF_MAX), and the same first error on every later call. */
clasconv_error clasconv_buf_append(clasconv_buf *buf, const char *data,
                                   size_t len);
/** Appends a NUL-terminated string (NULL appends nothing). */
clasconv_error clasconv_buf_puts(clasconv_buf *buf, const char *str);
/** Appends formatted text. */
clasconv_error clasconv_buf_printf(clasconv_buf *buf, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/** Appends `str` as a JSON string literal with quotes; NULL gives `null`. */
clasconv_error clasconv_buf_json_string(clasconv_buf *buf, const char *str);
/** Appends `str` for a terminal: control characters (C0, DEL, C1) are
 * written as `\xHH` so that no escape sequence reaches the terminal,
 * except line feeds and tabs when `keep_lines` is set; NULL appends
 * nothing. Implemented in core/cut.c. */
clasconv_error clasconv_buf_printable(clasconv_buf *buf, const char *str,
                                      int keep_lines);
/** Empties the buffer, keeping its memory. */
void clasconv_buf_reset(clasconv_buf *buf);
/** Frees the memory; the buffer is empty and reusable after. */
void clasconv_buf_free(clasconv_buf *buf);
/** Returns the contents and gives up ownership (caller frees). */
char *clasconv_buf_detach(clasconv_buf *buf);

#ifdef __cplusplus
}
#endif

#endif
