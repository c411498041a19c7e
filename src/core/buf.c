/* buf.c: growable, capped byte buffer for renderers. */
#include "clasconv/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"

/* The first allocation; then it doubles up to CLASCONV_BUF_MAX. */
#define BUF_MIN 256u

/* Bytes allocated: they follow from the length (core/grow.h), as only
 * buf_reserve allocates, so the public struct carries no capacity. */
static size_t buf_cap(const clasconv_buf *buf)
{
    if (!buf->data)
        return 0;
    return clasconv_grow_capacity(buf->len + 1, BUF_MIN, CLASCONV_BUF_MAX);
}

static clasconv_error buf_reserve(clasconv_buf *buf, size_t extra)
{
    size_t need, cap;
    char *data;

    if (buf->failed)
        return (clasconv_error)buf->failed; /* the first error, kept */
    if (extra > CLASCONV_BUF_MAX - buf->len - 1) {
        buf->failed = CLASCONV_ERR_TOO_LARGE;
        return CLASCONV_ERR_TOO_LARGE;
    }
    need = buf->len + extra + 1;
    if (need <= buf_cap(buf))
        return CLASCONV_OK;
    cap = clasconv_grow_capacity(need, BUF_MIN, CLASCONV_BUF_MAX);
    data = realloc(buf->data, cap);
    if (!data) {
        buf->failed = CLASCONV_ERR_MEMORY;
        return CLASCONV_ERR_MEMORY;
    }
    buf->data = data;
    return CLASCONV_OK;
}

clasconv_error clasconv_buf_append(clasconv_buf *buf, const char *data,
                                   size_t len)
{
    clasconv_error err = buf_reserve(buf, len);

    if (err)
        return err;
    if (len)
        memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
    return CLASCONV_OK;
}

clasconv_error clasconv_buf_puts(clasconv_buf *buf, const char *str)
{
    if (!str)
        return (clasconv_error)buf->failed;
    return clasconv_buf_append(buf, str, strlen(str));
}

clasconv_error clasconv_buf_printf(clasconv_buf *buf, const char *fmt, ...)
{
    va_list ap;
    int n;
    size_t room;
    clasconv_error err;

    if (buf->failed)
        return (clasconv_error)buf->failed;
    /* Format straight into the free space; grow and redo only when it
     * does not fit (formatting twice was most of the JSON time). */
    if (buf_cap(buf) - buf->len < 64 && (err = buf_reserve(buf, 64)) != 0)
        return err;
    room = buf_cap(buf) - buf->len;
    va_start(ap, fmt);
    n = vsnprintf(buf->data + buf->len, room, fmt, ap);
    va_end(ap);
    if (n < 0) {
        buf->data[buf->len] = '\0';
        return CLASCONV_ERR_MEMORY;
    }
    if ((size_t)n >= room) {
        err = buf_reserve(buf, (size_t)n);
        if (err) {
            buf->data[buf->len] = '\0';
            return err;
        }
        va_start(ap, fmt);
        vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    buf->len += (size_t)n;
    return CLASCONV_OK;
}

clasconv_error clasconv_buf_json_string(clasconv_buf *buf, const char *str)
{
    const unsigned char *p;
    clasconv_error err;

    if (!str)
        return clasconv_buf_puts(buf, "null");
    err = clasconv_buf_append(buf, "\"", 1);
    for (p = (const unsigned char *)str; !err && *p; p++) {
        switch (*p) {
        case '"':
            err = clasconv_buf_append(buf, "\\\"", 2);
            break;
        case '\\':
            err = clasconv_buf_append(buf, "\\\\", 2);
            break;
        case '\n':
            err = clasconv_buf_append(buf, "\\n", 2);
            break;
        case '\r':
            err = clasconv_buf_append(buf, "\\r", 2);
            break;
        case '\t':
            err = clasconv_buf_append(buf, "\\t", 2);
            break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                err = clasconv_buf_printf(buf, "\\u%04x", *p);
            else
                err = clasconv_buf_append(buf, (const char *)p, 1);
        }
    }
    if (!err)
        err = clasconv_buf_append(buf, "\"", 1);
    return err;
}

void clasconv_buf_reset(clasconv_buf *buf)
{
    buf->len = 0;
    buf->failed = 0;
    if (buf->data)
        buf->data[0] = '\0';
}

void clasconv_buf_free(clasconv_buf *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->len = 0;
    buf->failed = 0;
}

char *clasconv_buf_detach(clasconv_buf *buf)
{
    char *data = buf->data;

    if (!data)
        data = calloc(1, 1);
    buf->data = NULL;
    buf->len = 0;
    buf->failed = 0;
    return data;
}
