/* text.c: UTF-8 validation, blank tests and the comparison key. */
#include "core/text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "clasconv/table.h"

/* Length of the valid UTF-8 sequence at p (0 if invalid). */
static size_t utf8_seq(const unsigned char *p, size_t avail)
{
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        if (avail < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if (p[0] == 0xE0 && p[1] < 0xA0)
            return 0; /* overlong */
        if (p[0] == 0xED && p[1] >= 0xA0)
            return 0; /* surrogate */
        return 3;
    }
    if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        if (avail < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
            (p[3] & 0xC0) != 0x80)
            return 0;
        if (p[0] == 0xF0 && p[1] < 0x90)
            return 0;
        if (p[0] == 0xF4 && p[1] >= 0x90)
            return 0;
        return 4;
    }
    return 0;
}

int clasconv_utf8_valid(const char *text, size_t len)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0;

    while (i < len) {
        size_t n;
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        n = utf8_seq(p + i, len - i);
        if (!n)
            return 0;
        i += n;
    }
    return 1;
}

int clasconv_text_is_blank(const char *text, size_t len)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0;

    while (i < len) {
        if (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r' ||
            p[i] == '\v' || p[i] == '\f') {
            i++;
        } else if (i + 1 < len && p[i] == 0xC2 && p[i + 1] == 0xA0) {
            i += 2;
        } else if (i + 2 < len && p[i] == 0xE2 && p[i + 1] == 0x80 &&
                   (p[i + 2] == 0xAF || p[i + 2] == 0x87 || p[i + 2] == 0x8B)) {
            i += 3; /* U+202F, U+2007, U+200B */
        } else if (i + 2 < len && p[i] == 0xEF && p[i + 1] == 0xBB &&
                   p[i + 2] == 0xBF) {
            i += 3; /* stray BOM / U+FEFF */
        } else {
            return 0;
        }
    }
    return 1;
}

char *clasconv_utf8_sanitize(const char *text, size_t len)
{
    const unsigned char *p = (const unsigned char *)text;
    char *out, *o;
    size_t i = 0;

    if (len > (SIZE_MAX - 1) / 3)
        return NULL;
    out = malloc(len * 3 + 1);
    if (!out)
        return NULL;
    o = out;
    while (i < len) {
        size_t n = p[i] ? utf8_seq(p + i, len - i) : 0;
        if (!p[i]) {
            i++;
        } else if (!n) {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(o, p + i, n);
            o += n;
            i += n;
        }
    }
    *o = '\0';
    return out;
}

/* Appends the key of one folded code point to out (space for others). */
static size_t key_put(utf8proc_int32_t cp, char *out, size_t pos, size_t size,
                      int *pending_space)
{
    utf8proc_uint8_t enc[4];
    utf8proc_ssize_t n;
    const char *alt = NULL;
    size_t k;
    utf8proc_category_t cat = utf8proc_category(cp);
    int word = cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL ||
               cat == UTF8PROC_CATEGORY_LT || cat == UTF8PROC_CATEGORY_LM ||
               cat == UTF8PROC_CATEGORY_LO || cat == UTF8PROC_CATEGORY_ND ||
               cat == UTF8PROC_CATEGORY_NL || cat == UTF8PROC_CATEGORY_NO;

    if (cp == 0x0153 || cp == 0x0152)
        alt = "oe";
    else if (cp == 0x00E6 || cp == 0x00C6)
        alt = "ae";
    if (!word && !alt) {
        *pending_space = pos > 0;
        return pos;
    }
    if (*pending_space) {
        if (pos + 1 < size)
            out[pos++] = ' ';
        *pending_space = 0;
    }
    if (alt) {
        for (k = 0; alt[k] && pos + 1 < size; k++)
            out[pos++] = alt[k];
        return pos;
    }
    n = utf8proc_encode_char(cp, enc);
    if (n <= 0 || pos + (size_t)n >= size)
        return pos;
    memcpy(out + pos, enc, (size_t)n);
    return pos + (size_t)n;
}

size_t clasconv_text_fold(const char *text, char *out, size_t size)
{
    utf8proc_uint8_t *folded = NULL;
    utf8proc_ssize_t len, i = 0;
    size_t pos = 0;
    int pending_space = 0;

    if (!size)
        return 0;
    out[0] = '\0';
    len = utf8proc_map((const utf8proc_uint8_t *)text, 0, &folded,
                       UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                           UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD |
                           UTF8PROC_LUMP);
    if (len < 0)
        return 0;
    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(folded + i, len - i, &cp);
        if (n <= 0)
            break;
        i += n;
        pos = key_put(cp, out, pos, size, &pending_space);
    }
    out[pos] = '\0';
    free(folded);
    return pos;
}

char *clasconv_text_key(const char *text)
{
    size_t len = strlen(text);
    size_t size = len * 3 + 8; /* case folding can expand */
    char *out = malloc(size);

    if (!out)
        return NULL;
    if (!clasconv_text_fold(text, out, size) && len) {
        /* Invalid UTF-8: fold what can be read after sanitizing. */
        char *clean = clasconv_utf8_sanitize(text, len);
        if (!clean) {
            free(out);
            return NULL;
        }
        clasconv_text_fold(clean, out, size);
        free(clean);
    }
    return out;
}
