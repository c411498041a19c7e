/* uai.c: the UAI (Unité administrative immatriculée, the 8-character
 * identifier of a school): check letter, reading it from a cell or from
 * inside a school name, and the stage that checks a table's UAIs. */
#include "clasconv/ref.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"

static const char uai_letters[] = "ABCDEFGHJKLMNPRSTUVWXYZ";

char clasconv_uai_check_letter(uint32_t number)
{
    return uai_letters[number % 23u];
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_letter(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int is_alnum(char c)
{
    return is_digit(c) || is_letter(c);
}

static char upper(char c)
{
    return (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
}

/* Non-zero when `p` starts with 7 digits and a letter. */
static int uai_shape(const char *p)
{
    int i;

    for (i = 0; i < 7; i++)
        if (!is_digit(p[i]))
            return 0;
    return is_letter(p[7]);
}

/* Checks the 8 characters at `p` (shape already verified). */
static clasconv_uai_status check(const char *p, char uai[CLASCONV_UAI_SIZE],
                                 char *expected)
{
    uint32_t number = 0;
    char want;
    int i;

    for (i = 0; i < 7; i++) {
        number = number * 10u + (uint32_t)(p[i] - '0');
        uai[i] = p[i];
    }
    uai[7] = upper(p[7]);
    uai[8] = '\0';
    want = clasconv_uai_check_letter(number);
    if (expected)
        *expected = want;
    return uai[7] == want ? CLASCONV_UAI_VALID : CLASCONV_UAI_BAD_LETTER;
}

/* Length of the blank character at `p` (the core's one blank set). */
static size_t blank_len(const char *p)
{
    return clasconv_blank_len(p, strnlen(p, 4));
}

clasconv_uai_status clasconv_uai_parse(const char *text,
                                       char uai[CLASCONV_UAI_SIZE],
                                       char *expected)
{
    size_t n;

    uai[0] = '\0';
    if (expected)
        *expected = '\0';
    if (!text)
        return CLASCONV_UAI_MALFORMED;
    while ((n = blank_len(text)) > 0)
        text += n;
    if (!uai_shape(text))
        return CLASCONV_UAI_MALFORMED;
    {
        const char *end = text + 8;
        while ((n = blank_len(end)) > 0)
            end += n;
        if (*end)
            return CLASCONV_UAI_MALFORMED;
    }
    return check(text, uai, expected);
}

/* Length of a separator left between a name and its UAI: blanks, dashes
 * (ASCII, en, em), commas, colons, semicolons, slashes. */
static size_t separator_len(const char *p)
{
    size_t n = blank_len(p);

    if (n)
        return n;
    if (*p == '-' || *p == ',' || *p == ':' || *p == ';' || *p == '/')
        return 1;
    if ((unsigned char)p[0] == 0xE2 && (unsigned char)p[1] == 0x80 &&
        ((unsigned char)p[2] == 0x93 || (unsigned char)p[2] == 0x94))
        return 3;
    return 0;
}

/* Start of the separator run that ends at `end` (text[0..end)). */
static size_t trim_back(const char *text, size_t end)
{
    for (;;) {
        size_t k, found = 0;
        /* A separator is at most 3 bytes: look for one ending at `end`. */
        for (k = 1; k <= 3 && k <= end; k++)
            if (separator_len(text + end - k) == k) {
                found = k;
                break;
            }
        if (!found)
            return end;
        end -= found;
    }
}

/* Case-insensitive: does text[at - len .. at) spell `word` as a word? */
static int word_before(const char *text, size_t at, const char *word)
{
    size_t len = strlen(word), i;

    if (at < len)
        return 0;
    for (i = 0; i < len; i++)
        if (upper(text[at - len + i]) != word[i])
            return 0;
    return at == len || !is_alnum(text[at - len - 1]);
}

int clasconv_uai_extract(const char *name, char uai[CLASCONV_UAI_SIZE],
                         char **rest)
{
    size_t len, i, token, start, end, left, right, n;
    char *out;

    *rest = NULL;
    uai[0] = '\0';
    if (!name)
        return 0;
    len = strlen(name);
    for (i = 0; i + 8 <= len; i++) {
        if ((i == 0 || !is_alnum(name[i - 1])) && uai_shape(name + i) &&
            !is_alnum(name[i + 8]))
            break;
    }
    if (i + 8 > len)
        return 0;
    token = start = i;
    end = i + 8;
    /* A label before it: "UAI", "RNE", "UAI :", "N° UAI". */
    left = start;
    while (left > 0 && (name[left - 1] == ' ' || name[left - 1] == ':'))
        left--;
    if (word_before(name, left, "UAI") || word_before(name, left, "RNE")) {
        left -= 3;
        while (left > 0 && name[left - 1] == ' ')
            left--;
        if (left >= 3 && !strncmp(name + left - 3, "N\xC2\xB0", 3))
            left -= 3;
        else if (left >= 2 &&
                 (name[left - 2] == 'N' || name[left - 2] == 'n') &&
                 name[left - 1] == '.')
            left -= 2;
        start = left;
    }
    /* Enclosing brackets. */
    left = start;
    while (left > 0 && (n = blank_len(name + left - 1)) == 1)
        left--;
    right = end;
    while ((n = blank_len(name + right)) > 0)
        right += n;
    if (left > 0 && right < len &&
        ((name[left - 1] == '(' && name[right] == ')') ||
         (name[left - 1] == '[' && name[right] == ']'))) {
        start = left - 1;
        end = right + 1;
    }
    /* The rest: what is left and right of it, without the separators. */
    left = trim_back(name, start);
    right = end;
    while ((n = separator_len(name + right)) > 0)
        right += n;
    if (left == 0 && right >= len)
        return 0; /* the name is the UAI and nothing else */
    out = malloc(len + 2);
    if (!out)
        return -1;
    memcpy(out, name, left);
    n = left;
    if (left > 0 && right < len)
        out[n++] = ' ';
    memcpy(out + n, name + right, len - right);
    n += len - right;
    out[n] = '\0';
    for (i = 0; i < 8; i++)
        uai[i] = upper(name[token + i]);
    uai[8] = '\0';
    *rest = out;
    return 1;
}

/* Puts a UAI found in a school's name into the school, name normalized
 * again without it. */
static clasconv_error take_uai_from_name(clasconv_school *school)
{
    char uai[CLASCONV_UAI_SIZE];
    char *rest = NULL;
    clasconv_school_name name;
    clasconv_error err;
    int found;

    if (!school->read_name)
        return CLASCONV_OK;
    found = clasconv_uai_extract(school->read_name, uai, &rest);
    if (found < 0)
        return CLASCONV_ERR_MEMORY;
    if (found == 0)
        return CLASCONV_OK;
    err = clasconv_school_name_normalize(rest, &name);
    free(rest);
    if (err)
        return err;
    if (!school->uai)
        err = clasconv_table_set_string(&school->uai, uai);
    if (!err && name.canonical[0]) {
        free(school->name);
        free(school->key);
        school->name = name.canonical;
        school->key = name.key;
        name.canonical = name.key = NULL;
    }
    clasconv_school_name_free(&name);
    return err;
}

/* Checks a school's UAI; one of the right shape is kept in its plain form
 * (" 0690026d " -> "0690026D"). */
static clasconv_error check_school_uai(clasconv_table *table,
                                       clasconv_school *school)
{
    char uai[CLASCONV_UAI_SIZE], expected;
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();
    clasconv_uai_status st;

    st = clasconv_uai_parse(school->uai, uai, &expected);
    if (st != CLASCONV_UAI_MALFORMED && strcmp(uai, school->uai) != 0 &&
        clasconv_table_set_string(&school->uai, uai))
        return CLASCONV_ERR_MEMORY;
    if (st == CLASCONV_UAI_VALID)
        return CLASCONV_OK;
    at.level = school->level;
    at.school = school->name;
    at.cell = school->cell;
    at.read = school->uai;
    at.kept = school->uai;
    if (st == CLASCONV_UAI_BAD_LETTER)
        return clasconv_anomalies_add(
            &table->anomalies, CLASCONV_A_UAI_INVALID, &at,
            "L'UAI %s a une lettre de contrôle fausse : pour le numéro "
            "%.7s, la lettre attendue est %c (%.7s%c). Vérifiez le code "
            "dans l'Annuaire de l'éducation.",
            uai, uai, expected, uai, expected);
    return clasconv_anomalies_add(
        &table->anomalies, CLASCONV_A_UAI_INVALID, &at,
        "« %s » n'est pas un UAI : un UAI s'écrit avec 7 chiffres suivis "
        "d'une lettre (0691234S).",
        school->uai);
}

clasconv_error clasconv_ref_read_uai(clasconv_table *table)
{
    size_t i;
    clasconv_error err = CLASCONV_OK;

    for (i = 0; i < table->nschools && !err; i++)
        err = take_uai_from_name(&table->schools[i]);
    for (i = 0; i < table->nschools && !err; i++)
        if (table->schools[i].uai)
            err = check_school_uai(table, &table->schools[i]);
    return err;
}
