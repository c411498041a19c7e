/* cut.c: long texts cut at a UTF-8 boundary with « … » and a count, and
 * texts made safe for a terminal. */
#include "core/cut.h"

#include <stdlib.h>
#include <string.h>

size_t clasconv_cut_len(const char *text, size_t len, size_t max)
{
    size_t n;

    if (len <= max) {
        return len;
    }
    n = max;
    /* step back over continuation bytes to a character's first byte */
    while (n > 0 && ((unsigned char)text[n] & 0xC0u) == 0x80u) {
        n--;
    }
    return n;
}

/* Characters (UTF-8 sequences) in `len` bytes. */
static size_t count_chars(const char *text, size_t len)
{
    size_t i, n = 0;

    for (i = 0; i < len; i++) {
        if (((unsigned char)text[i] & 0xC0u) != 0x80u) {
            n++;
        }
    }
    return n;
}

clasconv_error clasconv_cut_append(clasconv_buf *buf, const char *text,
                                   size_t max)
{
    size_t len, kept;

    if (text == NULL) {
        return CLASCONV_OK;
    }
    len = strlen(text);
    kept = clasconv_cut_len(text, len, max);
    if (kept == len) {
        return clasconv_buf_append(buf, text, len);
    }
    clasconv_buf_append(buf, text, kept);
    return clasconv_buf_printf(buf,
                               "\xE2\x80\xA6 (%zu caract\xC3\xA8res de plus)",
                               count_chars(text + kept, len - kept));
}

char *clasconv_cut_dup(const char *text, size_t max, int *failed)
{
    clasconv_buf buf;
    char *out;

    if (text == NULL) {
        return NULL;
    }
    memset(&buf, 0, sizeof buf);
    if (clasconv_cut_append(&buf, text, max) != CLASCONV_OK) {
        clasconv_buf_free(&buf);
        *failed = 1;
        return NULL;
    }
    out = clasconv_buf_detach(&buf);
    if (out == NULL) {
        *failed = 1;
    }
    return out;
}

clasconv_error clasconv_buf_printable(clasconv_buf *buf, const char *str,
                                      int keep_lines)
{
    const unsigned char *s = (const unsigned char *)str;
    const unsigned char *run;

    if (str == NULL) {
        return CLASCONV_OK;
    }
    run = s;
    while (*s != '\0') {
        size_t width = 0;
        unsigned code = 0;
        if ((*s < 0x20u && !(keep_lines && (*s == '\n' || *s == '\t'))) ||
            *s == 0x7Fu) {
            width = 1;
            code = *s;
        } else if (*s == 0xC2u && s[1] >= 0x80u && s[1] <= 0x9Fu) {
            width = 2; /* C1 control, U+0080..U+009F (CSI is U+009B) */
            code = s[1];
        }
        if (width == 0) {
            s++;
            continue;
        }
        clasconv_buf_append(buf, (const char *)run, (size_t)(s - run));
        clasconv_buf_printf(buf, "\\x%02x", code);
        s += width;
        run = s;
    }
    return clasconv_buf_append(buf, (const char *)run, (size_t)(s - run));
}
