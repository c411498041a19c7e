/* value.c: reading a count of children from a cell (SPEC section 1). */

/*
 * Choices beyond SPEC section 1:
 * - ',' and '.' are both decimal marks: "12,0" and "12.0" are 12, "1.234"
 *   is NOT_INTEGER. "1.000" (a dot, three zeros, at most 3 digits before)
 *   may be a thousand written the English way: NOT_A_NUMBER. "12,000" is 12.
 * - Blanks are the library's one blank set (clasconv_blank_len: every
 *   Unicode space and zero-width character): trimmed at both ends.
 * - Thousands groups: one blank then exactly three digits, after a first
 *   group of 1-3 digits.
 * - A minus sign (-, U+2212, U+2013) before digits: NEGATIVE, even with a
 *   fraction ("-2,5"); "-0" is 0. "+3" is 3.
 * - Zero words: "-", "–", "—", "‐", "−" alone, and "néant", "aucun",
 *   "aucune" (case and accents folded).
 * - Counts above CLASCONV_COUNT_MAX: NOT_A_NUMBER.
 * - Number cells within 1e-9 (relative, absolute below 1) of a whole number
 *   are that number (formula noise: 14.999999999 -> 15).
 * - Boolean, error and date cells: NOT_A_NUMBER.
 * - A count followed by blanks and one word for children (unit_words):
 *   UNIT_REMOVED with the count ("12 enfants", "12 enf.", "3 élèves"). Any
 *   other text after the count ("12 ?", "12 (Coup de pouce)") or before it
 *   ("env. 12") stays NOT_A_NUMBER, in every scheme.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "clasconv/table.h"
#include "core/text.h"

/* Longest text that can be a count or a zero word, in bytes. */
#define MAX_VALUE_TEXT 64
/* A number cell within this relative distance of a whole number is that
 * number (formula noise such as 14.999999999). */
#define INTEGER_TOLERANCE 1e-9

/* Words read as 0 (folded: lower case, no accents), with `-`, `–`, `—`. */
static const char *const zero_words[] = {"-", "neant", "aucun", "aucune"};
/* Words for children after a count (folded), read as the unit of it. */
static const char *const unit_words[] = {"enfants", "enfant", "enf",
                                         "enf.",    "eleves", "eleve"};
/* Dashes alone also read as 0, compared before folding: en dash, em dash,
 * hyphen, minus sign. */
static const char *const zero_dashes[] = {"\xE2\x80\x93", "\xE2\x80\x94",
                                          "\xE2\x80\x90", "\xE2\x88\x92"};

/* Length of the blank at `s` (NUL-terminated), or 0: the one blank set of
 * the library (core/text.h), zero-width characters included. */
static size_t blank_at(const char *s)
{
    return clasconv_blank_len(s, strnlen(s, 4));
}

/* Length of a minus sign at `s` (-, U+2212, U+2013 before a digit), or 0. */
static size_t minus_at(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] == '-') {
        return 1;
    }
    if ((u[0] == 0xE2 && u[1] == 0x88 && u[2] == 0x92) ||
        (u[0] == 0xE2 && u[1] == 0x80 && u[2] == 0x93)) {
        return 3;
    }
    return 0;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Whether [text, text + len) is one of `words` once case and accents are
 * folded. */
static int folded_word_in(const char *text, size_t len,
                          const char *const *words, size_t nwords)
{
    char buf[MAX_VALUE_TEXT + 1];
    memcpy(buf, text, len);
    buf[len] = '\0';
    uint8_t *folded = NULL;
    utf8proc_ssize_t n =
        utf8proc_map((const uint8_t *)buf, 0, &folded,
                     UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                         UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD);
    if (n < 0) {
        return 0;
    }
    int found = 0;
    for (size_t i = 0; i < nwords; i++) {
        if (strcmp((const char *)folded, words[i]) == 0) {
            found = 1;
            break;
        }
    }
    free(folded);
    return found;
}

/* Whether [s, s + len) is blanks then a word for children ("enfants"). */
static int is_unit_tail(const char *s, size_t len)
{
    size_t pos = 0, blank;
    while (pos < len && (blank = blank_at(s + pos)) > 0) {
        pos += blank;
    }
    if (pos == 0 || pos == len) {
        return 0;
    }
    return folded_word_in(s + pos, len - pos, unit_words,
                          sizeof unit_words / sizeof unit_words[0]);
}

/* Whether the trimmed text is a word read as 0. */
static int is_zero_word(const char *text, size_t len)
{
    char buf[MAX_VALUE_TEXT + 1];
    memcpy(buf, text, len);
    buf[len] = '\0';
    for (size_t i = 0; i < sizeof zero_dashes / sizeof zero_dashes[0]; i++) {
        if (strcmp(buf, zero_dashes[i]) == 0) {
            return 1;
        }
    }
    return folded_word_in(text, len, zero_words,
                          sizeof zero_words / sizeof zero_words[0]);
}

/*
 * Parses [s, s + len) as digits with optional thousands groups separated by
 * one blank ("1 234"). Returns the number of bytes used (0 when there is no
 * number there) and the value, saturated above CLASCONV_COUNT_MAX.
 */
static size_t parse_digits(const char *s, size_t len, int64_t *value)
{
    size_t pos = 0;
    size_t group = 0;
    int64_t v = 0;
    while (pos < len && is_digit(s[pos])) {
        if (v <= CLASCONV_COUNT_MAX) {
            v = v * 10 + (s[pos] - '0');
        }
        pos++;
        group++;
    }
    if (pos == 0) {
        return 0;
    }
    /* Thousands groups: only after a first group of 1 to 3 digits. */
    while (group <= 3 && pos < len) {
        size_t blank = blank_at(s + pos);
        if (blank == 0 || pos + blank + 3 > len) {
            break;
        }
        const char *g = s + pos + blank;
        if (!is_digit(g[0]) || !is_digit(g[1]) || !is_digit(g[2]) ||
            (pos + blank + 3 < len && is_digit(g[3]))) {
            break;
        }
        for (int k = 0; k < 3; k++) {
            if (v <= CLASCONV_COUNT_MAX) {
                v = v * 10 + (g[k] - '0');
            }
        }
        pos += blank + 3;
        group = 3;
    }
    *value = v;
    return pos;
}

clasconv_value_status clasconv_value_parse_text(const char *text,
                                                int64_t *value)
{
    int64_t ignored;
    if (value == NULL) {
        value = &ignored;
    }
    *value = CLASCONV_BLANK;
    if (text == NULL) {
        return CLASCONV_VALUE_BLANK;
    }
    const char *start = text;
    size_t blank;
    while ((blank = blank_at(start)) > 0) {
        start += blank;
    }
    size_t len = strlen(start);
    /* Trim trailing blanks: walk forward, remembering the last non-blank. */
    size_t end = 0;
    for (size_t pos = 0; pos < len;) {
        size_t b = blank_at(start + pos);
        if (b > 0) {
            pos += b;
        } else {
            pos++;
            end = pos;
        }
    }
    len = end;
    if (len == 0) {
        return CLASCONV_VALUE_BLANK;
    }
    if (len > MAX_VALUE_TEXT) {
        return CLASCONV_VALUE_NOT_A_NUMBER;
    }
    /* A text starting with a digit is never a zero word: skip folding. */
    if (!is_digit(start[0]) && is_zero_word(start, len)) {
        *value = 0;
        return CLASCONV_VALUE_ZERO_WORD;
    }

    size_t pos = 0;
    int negative = 0;
    size_t sign = minus_at(start);
    if (sign > 0) {
        negative = 1;
        pos = sign;
    } else if (start[0] == '+') {
        pos = 1;
    }
    int64_t whole = 0;
    size_t used = parse_digits(start + pos, len - pos, &whole);
    if (used == 0) {
        return CLASCONV_VALUE_NOT_A_NUMBER;
    }
    pos += used;
    int fraction = 0;
    if (pos < len && (start[pos] == ',' || start[pos] == '.')) {
        char mark = start[pos];
        size_t first = ++pos;
        int nonzero = 0;
        while (pos < len && is_digit(start[pos])) {
            nonzero |= start[pos] != '0';
            pos++;
        }
        size_t digits = pos - first;
        if (digits == 0) {
            return CLASCONV_VALUE_NOT_A_NUMBER; /* "12." */
        }
        /* "1.000" may be a thousand written the English way: ambiguous. */
        if (mark == '.' && digits == 3 && !nonzero && used <= 3) {
            return CLASCONV_VALUE_NOT_A_NUMBER;
        }
        fraction = nonzero;
    }
    int unit = 0;
    if (pos != len) {
        if (!is_unit_tail(start + pos, len - pos)) {
            return CLASCONV_VALUE_NOT_A_NUMBER;
        }
        unit = 1;
    }
    if (negative && (whole > 0 || fraction)) {
        return CLASCONV_VALUE_NEGATIVE;
    }
    if (fraction) {
        return CLASCONV_VALUE_NOT_INTEGER;
    }
    if (whole > CLASCONV_COUNT_MAX) {
        return CLASCONV_VALUE_NOT_A_NUMBER;
    }
    *value = whole;
    return unit ? CLASCONV_VALUE_UNIT_REMOVED : CLASCONV_VALUE_OK;
}

clasconv_value_status clasconv_value_parse_number(double number, int64_t *value)
{
    int64_t ignored;
    if (value == NULL) {
        value = &ignored;
    }
    *value = CLASCONV_BLANK;
    if (!isfinite(number)) {
        return CLASCONV_VALUE_NOT_A_NUMBER;
    }
    double whole = round(number);
    double scale = fabs(number) > 1.0 ? fabs(number) : 1.0;
    int integer = fabs(number - whole) <= INTEGER_TOLERANCE * scale;
    if (number < 0 && (!integer || whole < 0)) {
        return CLASCONV_VALUE_NEGATIVE;
    }
    if (!integer) {
        return CLASCONV_VALUE_NOT_INTEGER;
    }
    if (whole > (double)CLASCONV_COUNT_MAX) {
        return CLASCONV_VALUE_NOT_A_NUMBER;
    }
    *value = (int64_t)whole;
    return CLASCONV_VALUE_OK;
}

clasconv_value_status clasconv_value_parse_cell(const clasconv_cell *cell,
                                                int64_t *value)
{
    int64_t ignored;
    if (value == NULL) {
        value = &ignored;
    }
    *value = CLASCONV_BLANK;
    if (cell == NULL) {
        return CLASCONV_VALUE_BLANK;
    }
    if (cell->flags &
        (CLASCONV_CELL_BOOLEAN | CLASCONV_CELL_ERROR | CLASCONV_CELL_DATE)) {
        return CLASCONV_VALUE_NOT_A_NUMBER;
    }
    switch (cell->type) {
    case CLASCONV_CELL_TEXT:
        return clasconv_value_parse_text(cell->v.text, value);
    case CLASCONV_CELL_NUMBER:
        return clasconv_value_parse_number(cell->v.number, value);
    default:
        return CLASCONV_VALUE_NOT_A_NUMBER;
    }
}

/* Copies `text` into `buf`, cut on a UTF-8 character boundary. */
static void copy_text(const char *text, char *buf, size_t size)
{
    size_t len = strlen(text);
    if (len >= size) {
        len = size - 1;
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80) {
            len--;
        }
    }
    memcpy(buf, text, len);
    buf[len] = '\0';
}

/* A number in French style: "12,5", "15", no trailing zeros. */
static void format_number(double number, char *buf, size_t size)
{
    if (!isfinite(number)) {
        copy_text("?", buf, size);
        return;
    }
    if (number == 0) {
        number = 0; /* no "-0" */
    }
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.15g", number);
    for (char *p = tmp; *p != '\0'; p++) {
        if (*p == '.') {
            *p = ',';
        }
    }
    copy_text(tmp, buf, size);
}

void clasconv_value_cell_text(const clasconv_cell *cell, char *buf, size_t size)
{
    if (buf == NULL || size == 0) {
        return;
    }
    buf[0] = '\0';
    if (cell == NULL) {
        return;
    }
    if (cell->type == CLASCONV_CELL_TEXT) {
        copy_text(cell->v.text != NULL ? cell->v.text : "", buf, size);
        return;
    }
    if (cell->type != CLASCONV_CELL_NUMBER) {
        return;
    }
    if (cell->flags & CLASCONV_CELL_BOOLEAN) {
        copy_text(cell->v.number != 0 ? "VRAI" : "FAUX", buf, size);
        return;
    }
    format_number(cell->v.number, buf, size);
}
