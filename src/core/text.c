/* text.c: the one home of text handling: UTF-8 decoding and repair, the
 * blank set and the comparison key. */
#include "core/text.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "clasconv/text.h"

size_t clasconv_utf8_decode(const char *text, size_t avail, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)text;
    uint32_t c;
    size_t len, i;

    if (avail == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
        c = s[0] & 0x1Fu;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        c = s[0] & 0x0Fu;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        c = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (avail < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) || c > 0x10FFFF ||
        (c >= 0xD800 && c <= 0xDFFF))
        return 0; /* overlong, out of range or surrogate */
    *cp = c;
    return len;
}

int clasconv_utf8_valid(const char *text, size_t len)
{
    size_t i = 0;

    while (i < len) {
        uint32_t cp;
        size_t n = clasconv_utf8_decode(text + i, len - i, &cp);
        if (!n)
            return 0;
        i += n;
    }
    return 1;
}

/* The blank set: every Unicode space (White_Space) and the zero-width
 * characters, the only definition in the library. */
int clasconv_is_blank_cp(uint32_t cp)
{
    if (cp < 0x80)
        return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
    switch (cp) {
    case 0x0085: /* next line */
    case 0x00A0: /* no-break space */
    case 0x1680: /* Ogham space mark */
    case 0x180E: /* Mongolian vowel separator */
    case 0x2028: /* line separator */
    case 0x2029: /* paragraph separator */
    case 0x202F: /* narrow no-break space */
    case 0x205F: /* medium mathematical space */
    case 0x2060: /* word joiner */
    case 0x3000: /* ideographic space */
    case 0xFEFF: /* zero-width no-break space, stray BOM */
        return 1;
    default:
        /* U+2000..U+200A spaces, U+200B..U+200D zero-width. */
        return cp >= 0x2000 && cp <= 0x200D;
    }
}

size_t clasconv_blank_len(const char *text, size_t avail)
{
    uint32_t cp;
    size_t n = clasconv_utf8_decode(text, avail, &cp);

    return n && clasconv_is_blank_cp(cp) ? n : 0;
}

int clasconv_text_is_blank(const char *text, size_t len)
{
    size_t i = 0;

    while (i < len) {
        size_t n = clasconv_blank_len(text + i, len - i);
        if (!n)
            return 0;
        i += n;
    }
    return 1;
}

char *clasconv_utf8_repair(const char *text, size_t len)
{
    static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */
    char *out, *o;
    size_t i = 0;

    if (!text) {
        text = "";
        len = 0;
    }
    if (len > (SIZE_MAX - 1) / 3)
        return NULL;
    out = malloc(len * 3 + 1);
    if (!out)
        return NULL;
    o = out;
    while (i < len) {
        uint32_t cp = 0;
        size_t n = clasconv_utf8_decode(text + i, len - i, &cp);
        if (n && cp == 0) {
            i++; /* NUL bytes are dropped */
        } else if (!n || cp == 0xFFFE || cp == 0xFFFF) {
            memcpy(o, replacement, 3); /* one U+FFFD per invalid byte */
            o += 3;
            i += n ? n : 1;
        } else {
            memcpy(o, text + i, n);
            o += n;
            i += n;
        }
    }
    *o = '\0';
    return out;
}

/* Latin letters U+0080..U+024F folded to lower-case ASCII without
 * accents, as utf8proc's decompose + stripmark + casefold gives them:
 * the common case, without a call into utf8proc. Generated with Python's
 * unicodedata (NFD, combining marks dropped, casefold, ASCII results). */
static const char *const latin_fold[0x250 - 0x80] = {
    [0x040] = "a", [0x041] = "a",  [0x042] = "a", [0x043] = "a", [0x044] = "a",
    [0x045] = "a", [0x047] = "c",  [0x048] = "e", [0x049] = "e", [0x04A] = "e",
    [0x04B] = "e", [0x04C] = "i",  [0x04D] = "i", [0x04E] = "i", [0x04F] = "i",
    [0x051] = "n", [0x052] = "o",  [0x053] = "o", [0x054] = "o", [0x055] = "o",
    [0x056] = "o", [0x059] = "u",  [0x05A] = "u", [0x05B] = "u", [0x05C] = "u",
    [0x05D] = "y", [0x05F] = "ss", [0x060] = "a", [0x061] = "a", [0x062] = "a",
    [0x063] = "a", [0x064] = "a",  [0x065] = "a", [0x067] = "c", [0x068] = "e",
    [0x069] = "e", [0x06A] = "e",  [0x06B] = "e", [0x06C] = "i", [0x06D] = "i",
    [0x06E] = "i", [0x06F] = "i",  [0x071] = "n", [0x072] = "o", [0x073] = "o",
    [0x074] = "o", [0x075] = "o",  [0x076] = "o", [0x079] = "u", [0x07A] = "u",
    [0x07B] = "u", [0x07C] = "u",  [0x07D] = "y", [0x07F] = "y", [0x080] = "a",
    [0x081] = "a", [0x082] = "a",  [0x083] = "a", [0x084] = "a", [0x085] = "a",
    [0x086] = "c", [0x087] = "c",  [0x088] = "c", [0x089] = "c", [0x08A] = "c",
    [0x08B] = "c", [0x08C] = "c",  [0x08D] = "c", [0x08E] = "d", [0x08F] = "d",
    [0x092] = "e", [0x093] = "e",  [0x094] = "e", [0x095] = "e", [0x096] = "e",
    [0x097] = "e", [0x098] = "e",  [0x099] = "e", [0x09A] = "e", [0x09B] = "e",
    [0x09C] = "g", [0x09D] = "g",  [0x09E] = "g", [0x09F] = "g", [0x0A0] = "g",
    [0x0A1] = "g", [0x0A2] = "g",  [0x0A3] = "g", [0x0A4] = "h", [0x0A5] = "h",
    [0x0A8] = "i", [0x0A9] = "i",  [0x0AA] = "i", [0x0AB] = "i", [0x0AC] = "i",
    [0x0AD] = "i", [0x0AE] = "i",  [0x0AF] = "i", [0x0B0] = "i", [0x0B4] = "j",
    [0x0B5] = "j", [0x0B6] = "k",  [0x0B7] = "k", [0x0B9] = "l", [0x0BA] = "l",
    [0x0BB] = "l", [0x0BC] = "l",  [0x0BD] = "l", [0x0BE] = "l", [0x0C3] = "n",
    [0x0C4] = "n", [0x0C5] = "n",  [0x0C6] = "n", [0x0C7] = "n", [0x0C8] = "n",
    [0x0CC] = "o", [0x0CD] = "o",  [0x0CE] = "o", [0x0CF] = "o", [0x0D0] = "o",
    [0x0D1] = "o", [0x0D4] = "r",  [0x0D5] = "r", [0x0D6] = "r", [0x0D7] = "r",
    [0x0D8] = "r", [0x0D9] = "r",  [0x0DA] = "s", [0x0DB] = "s", [0x0DC] = "s",
    [0x0DD] = "s", [0x0DE] = "s",  [0x0DF] = "s", [0x0E0] = "s", [0x0E1] = "s",
    [0x0E2] = "t", [0x0E3] = "t",  [0x0E4] = "t", [0x0E5] = "t", [0x0E8] = "u",
    [0x0E9] = "u", [0x0EA] = "u",  [0x0EB] = "u", [0x0EC] = "u", [0x0ED] = "u",
    [0x0EE] = "u", [0x0EF] = "u",  [0x0F0] = "u", [0x0F1] = "u", [0x0F2] = "u",
    [0x0F3] = "u", [0x0F4] = "w",  [0x0F5] = "w", [0x0F6] = "y", [0x0F7] = "y",
    [0x0F8] = "y", [0x0F9] = "z",  [0x0FA] = "z", [0x0FB] = "z", [0x0FC] = "z",
    [0x0FD] = "z", [0x0FE] = "z",  [0x0FF] = "s", [0x120] = "o", [0x121] = "o",
    [0x12F] = "u", [0x130] = "u",  [0x14D] = "a", [0x14E] = "a", [0x14F] = "i",
    [0x150] = "i", [0x151] = "o",  [0x152] = "o", [0x153] = "u", [0x154] = "u",
    [0x155] = "u", [0x156] = "u",  [0x157] = "u", [0x158] = "u", [0x159] = "u",
    [0x15A] = "u", [0x15B] = "u",  [0x15C] = "u", [0x15E] = "a", [0x15F] = "a",
    [0x160] = "a", [0x161] = "a",  [0x166] = "g", [0x167] = "g", [0x168] = "k",
    [0x169] = "k", [0x16A] = "o",  [0x16B] = "o", [0x16C] = "o", [0x16D] = "o",
    [0x170] = "j", [0x174] = "g",  [0x175] = "g", [0x178] = "n", [0x179] = "n",
    [0x17A] = "a", [0x17B] = "a",  [0x180] = "a", [0x181] = "a", [0x182] = "a",
    [0x183] = "a", [0x184] = "e",  [0x185] = "e", [0x186] = "e", [0x187] = "e",
    [0x188] = "i", [0x189] = "i",  [0x18A] = "i", [0x18B] = "i", [0x18C] = "o",
    [0x18D] = "o", [0x18E] = "o",  [0x18F] = "o", [0x190] = "r", [0x191] = "r",
    [0x192] = "r", [0x193] = "r",  [0x194] = "u", [0x195] = "u", [0x196] = "u",
    [0x197] = "u", [0x198] = "s",  [0x199] = "s", [0x19A] = "t", [0x19B] = "t",
    [0x19E] = "h", [0x19F] = "h",  [0x1A6] = "a", [0x1A7] = "a", [0x1A8] = "e",
    [0x1A9] = "e", [0x1AA] = "o",  [0x1AB] = "o", [0x1AC] = "o", [0x1AD] = "o",
    [0x1AE] = "o", [0x1AF] = "o",  [0x1B0] = "o", [0x1B1] = "o", [0x1B2] = "y",
    [0x1B3] = "y",
};

const char *clasconv_latin_fold(int32_t cp)
{
    if (cp < 0x80 || cp >= 0x250)
        return NULL;
    return latin_fold[cp - 0x80];
}

typedef struct fold_out {
    char *out;
    size_t pos, size;
    int pending_space;
} fold_out;

static void fold_emit(fold_out *f, const char *bytes, size_t n)
{
    if (f->pending_space) {
        if (f->pos + 1 < f->size)
            f->out[f->pos++] = ' ';
        f->pending_space = 0;
    }
    if (f->pos + n >= f->size)
        return;
    memcpy(f->out + f->pos, bytes, n);
    f->pos += n;
}

static void fold_separator(fold_out *f)
{
    f->pending_space = f->pos > 0;
}

/* Folds one code point that the Latin table does not cover. */
static void fold_other(fold_out *f, utf8proc_int32_t cp)
{
    utf8proc_int32_t parts[16];
    utf8proc_ssize_t n, k;
    int boundclass = 0;

    n = utf8proc_decompose_char(cp, parts, 16,
                                UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
                                    UTF8PROC_CASEFOLD | UTF8PROC_LUMP,
                                &boundclass);
    if (n < 0 || n > 16)
        return;
    for (k = 0; k < n; k++) {
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t len;
        utf8proc_category_t cat;
        const char *latin = clasconv_latin_fold(parts[k]);

        if (parts[k] < 0x80) {
            char c = (char)parts[k];
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
                fold_emit(f, &c, 1);
            else if (c >= 'A' && c <= 'Z') {
                c = (char)(c - 'A' + 'a');
                fold_emit(f, &c, 1);
            } else
                fold_separator(f);
            continue;
        }
        if (latin) {
            fold_emit(f, latin, strlen(latin));
            continue;
        }
        if (parts[k] == 0x0153 || parts[k] == 0x0152) {
            fold_emit(f, "oe", 2);
            continue;
        }
        if (parts[k] == 0x00E6 || parts[k] == 0x00C6) {
            fold_emit(f, "ae", 2);
            continue;
        }
        cat = utf8proc_category(parts[k]);
        if (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC ||
            cat == UTF8PROC_CATEGORY_ME)
            continue; /* a mark the table kept: never a separator */
        if (cat != UTF8PROC_CATEGORY_LU && cat != UTF8PROC_CATEGORY_LL &&
            cat != UTF8PROC_CATEGORY_LT && cat != UTF8PROC_CATEGORY_LM &&
            cat != UTF8PROC_CATEGORY_LO && cat != UTF8PROC_CATEGORY_ND &&
            cat != UTF8PROC_CATEGORY_NL && cat != UTF8PROC_CATEGORY_NO) {
            fold_separator(f);
            continue;
        }
        len = utf8proc_encode_char(parts[k], enc);
        if (len > 0)
            fold_emit(f, (const char *)enc, (size_t)len);
    }
}

size_t clasconv_text_fold(const char *text, char *out, size_t size)
{
    const unsigned char *p = (const unsigned char *)text;
    fold_out f;

    if (!size)
        return 0;
    out[0] = '\0';
    f.out = out;
    f.pos = 0;
    f.size = size;
    f.pending_space = 0;
    while (*p) {
        unsigned char c = *p;
        utf8proc_int32_t cp;
        utf8proc_ssize_t n;
        const char *latin;

        if (c < 0x80) {
            char lower = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
            if ((lower >= 'a' && lower <= 'z') || (c >= '0' && c <= '9'))
                fold_emit(&f, &lower, 1);
            else
                fold_separator(&f);
            p++;
            continue;
        }
        n = utf8proc_iterate(p, -1, &cp);
        if (n <= 0)
            return 0; /* invalid UTF-8: the caller sanitizes */
        p += n;
        latin = clasconv_latin_fold(cp);
        if (latin)
            fold_emit(&f, latin, strlen(latin));
        else
            fold_other(&f, cp);
    }
    out[f.pos] = '\0';
    return f.pos;
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
        char *clean = clasconv_utf8_repair(text, len);
        if (!clean) {
            free(out);
            return NULL;
        }
        clasconv_text_fold(clean, out, size);
        free(clean);
    }
    return out;
}

clasconv_error clasconv_text_convert(const char *from, const char *to,
                                     size_t unit, const unsigned char *src,
                                     size_t len, size_t out_max, char **out,
                                     size_t *out_len)
{
    static const char fffd[] = "\xEF\xBF\xBD"; /* U+FFFD */
    int to_utf8 = strcmp(to, "UTF-8") == 0;
    int from_utf8 = strcmp(from, "UTF-8") == 0;
    const char *repl = to_utf8 ? fffd : "?";
    size_t repl_len = strlen(repl);
    iconv_t cd = iconv_open(to, from);
    char *buf, *in = (char *)(uintptr_t)src, *o;
    size_t in_left = len, o_left;

    if (cd == (iconv_t)-1)
        return CLASCONV_ERR_UNSUPPORTED;
    buf = malloc(out_max + 1);
    if (buf == NULL) {
        iconv_close(cd);
        return CLASCONV_ERR_MEMORY;
    }
    o = buf;
    o_left = out_max;
    while (in_left > 0) {
        size_t skip = unit;
        if (iconv(cd, &in, &in_left, &o, &o_left) != (size_t)-1)
            break;
        if ((errno != EILSEQ && errno != EINVAL) || o_left < repl_len) {
            /* E2BIG cannot happen with out_max; anything else is a bug. */
            free(buf);
            iconv_close(cd);
            return CLASCONV_ERR_FORMAT;
        }
        memcpy(o, repl, repl_len);
        o += repl_len;
        o_left -= repl_len;
        if (from_utf8) {
            /* A character the target lacks goes whole; a bad byte alone. */
            uint32_t cp;
            size_t n = clasconv_utf8_decode(in, in_left, &cp);
            skip = n > 0 ? n : 1;
        }
        if (skip > in_left)
            skip = in_left;
        in += skip;
        in_left -= skip;
    }
    iconv_close(cd);
    *o = '\0';
    *out = buf;
    *out_len = (size_t)(o - buf);
    return CLASCONV_OK;
}
