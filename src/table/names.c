/* names.c: school names in canonical form, with their key (SPEC section 2). */

/*
 * Steps: decode (invalid bytes -> U+FFFD), NFC, unify blanks, apostrophes
 * and dashes, collapse and trim blanks; find the longest type of the
 * vocabulary (names_vocab.c) at the start, dots optional; skip separators
 * ("EE - X", "CLG: X"); title-case the rest when it has no mixed case;
 * expand "St"/"Ste" before a name; key = clasconv_text_key(canonical).
 *
 * Choices beyond SPEC section 2:
 * - LEGT -> "Lycée général et technologique" (same key as LGT); EREA and
 *   SEGPA are types with no level (NONE).
 * - Title case: a preposition (de, du, des, d', au, aux) right after a type
 *   stays in lower case ("École du Centre", "Lycée d'Alembert"); an article
 *   (la, le, les, l') starts the name ("École Les Marronniers", "Collège
 *   L'Arbresle"); with no type the first word is capitalized ("D'Alembert").
 *   Hyphenated parts are words ("Saint-Jean-de-Luz"); after one letter and an
 *   apostrophe the next letter is capitalized ("O'Neill"); Roman numerals
 *   (II..XXXIX) and a few acronyms (REP, ULIS...) stay in capitals.
 * - "St.Exupéry" (dot, no space) -> "Saint-Exupéry".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "clasconv/table.h"
#include "core/text.h"
#include "table/names_vocab.h"

#define MAX_TYPE_WORDS 8 /* longest type pattern, in words */
#define MAX_FOLDED 64    /* bytes of one folded word */
#define REPLACEMENT 0xFFFD

/* A word of the name: code points [start, end). */
typedef struct word_range {
    size_t start, end;
} word_range;

/* What one code point becomes before anything else: -1 drops it. */
static int32_t map_code_point(int32_t cp)
{
    switch (cp) {
    case 0x200B: /* zero-width space, joiners, word joiner, BOM */
    case 0x200C:
    case 0x200D:
    case 0x2060:
    case 0xFEFF:
    case 0x00AD: /* soft hyphen */
        return -1;
    case 0x0085:
    case 0x00A0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
        return ' ';
    case 0x2018:
    case 0x2019:
    case 0x201B:
    case 0x0060:
    case 0x00B4:
    case 0x02BC:
    case 0x2032:
        return '\'';
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
    case 0x2212:
    case 0xFE58:
    case 0xFE63:
    case 0xFF0D:
        return '-';
    default:
        break;
    }
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) {
        return ' ';
    }
    if (cp >= 0x2000 && cp <= 0x200A) {
        return ' ';
    }
    return cp;
}

/*
 * Decodes `text` into NFC code points, invalid bytes replaced by U+FFFD,
 * spaces, apostrophes and dashes unified, blanks collapsed and trimmed.
 * Returns NULL when out of memory.
 */
static int32_t *clean_code_points(const char *text, size_t *out_len)
{
    size_t len = strlen(text);
    if (len > SIZE_MAX / 8 - 4) {
        return NULL;
    }
    /* Re-encode with invalid bytes replaced, so that utf8proc accepts it. */
    uint8_t *valid = malloc(len * 3 + 1);
    if (valid == NULL) {
        return NULL;
    }
    size_t vlen = 0;
    const uint8_t *in = (const uint8_t *)text;
    size_t pos = 0;
    while (pos < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n =
            utf8proc_iterate(in + pos, (utf8proc_ssize_t)(len - pos), &cp);
        if (n <= 0) {
            cp = REPLACEMENT;
            n = 1;
        }
        pos += (size_t)n;
        vlen += (size_t)utf8proc_encode_char(cp, valid + vlen);
    }
    valid[vlen] = '\0';

    /* Text below U+0300 without combining marks is already in NFC: skip
     * utf8proc's normalization, the costliest step, in the common case. */
    int composed = 1;
    for (size_t k = 0; k < vlen; k++) {
        if (valid[k] >= 0xCC) {
            composed = 0;
            break;
        }
    }
    uint8_t *nfc = NULL;
    utf8proc_ssize_t nlen;
    if (composed) {
        nfc = valid;
        nlen = (utf8proc_ssize_t)vlen;
    } else {
        nlen = utf8proc_map(valid, 0, &nfc,
                            UTF8PROC_NULLTERM | UTF8PROC_STABLE |
                                UTF8PROC_COMPOSE);
        free(valid);
        if (nlen < 0) {
            return NULL;
        }
    }

    int32_t *cps = calloc((size_t)nlen + 1, sizeof *cps);
    if (cps == NULL) {
        free(nfc);
        return NULL;
    }
    size_t count = 0;
    int pending_space = 0;
    pos = 0;
    while (pos < (size_t)nlen) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(
            nfc + pos, (utf8proc_ssize_t)((size_t)nlen - pos), &cp);
        if (n <= 0) {
            cp = REPLACEMENT;
            n = 1;
        }
        pos += (size_t)n;
        int32_t mapped = map_code_point(cp);
        if (mapped < 0) {
            continue;
        }
        if (mapped == ' ') {
            pending_space = count > 0;
            continue;
        }
        if (pending_space) {
            cps[count++] = ' ';
            pending_space = 0;
        }
        cps[count++] = mapped;
    }
    free(nfc);
    *out_len = count;
    return cps;
}

static int is_letter(int32_t cp)
{
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        return 1;
    default:
        return 0;
    }
}

/* Letters, marks, digits and apostrophes make up a word to title-case. */
static int is_word_char(int32_t cp)
{
    if (cp == '\'') {
        return 1;
    }
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return 1;
    default:
        return is_letter(cp);
    }
}

/*
 * Folds code points [start, end) to lower case without accents, as UTF-8 in
 * `out` (size MAX_FOLDED). Returns 0 when it does not fit.
 */
static int fold_range(const int32_t *cps, size_t start, size_t end, char *out)
{
    size_t used = 0;
    for (size_t i = start; i < end; i++) {
        utf8proc_int32_t parts[8];
        int boundclass = 0;
        const char *latin = cps[i] < 0x80 ? NULL : clasconv_latin_fold(cps[i]);
        if (cps[i] < 0x80 || latin) {
            /* the common case, without a call into utf8proc */
            char ascii[2] = {(char)cps[i], '\0'};
            const char *piece = latin ? latin : ascii;
            size_t plen = strlen(piece);
            if (!latin && ascii[0] >= 'A' && ascii[0] <= 'Z')
                ascii[0] = (char)(ascii[0] - 'A' + 'a');
            if (used + plen + 1 > MAX_FOLDED)
                return 0;
            memcpy(out + used, piece, plen);
            used += plen;
            continue;
        }
        utf8proc_ssize_t n = utf8proc_decompose_char(
            cps[i], parts, 8,
            UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD,
            &boundclass);
        if (n < 0 || n > 8) {
            return 0;
        }
        for (utf8proc_ssize_t k = 0; k < n; k++) {
            uint8_t bytes[4];
            utf8proc_ssize_t b = utf8proc_encode_char(parts[k], bytes);
            if (used + (size_t)b + 1 > MAX_FOLDED) {
                return 0;
            }
            memcpy(out + used, bytes, (size_t)b);
            used += (size_t)b;
        }
    }
    out[used] = '\0';
    return 1;
}

/*
 * Splits the start of the name into up to MAX_TYPE_WORDS words for type
 * matching: words end at a space or just after a dot ("Éc.élém." is two).
 */
static size_t type_words(const int32_t *cps, size_t len, word_range *words)
{
    size_t count = 0;
    size_t pos = 0;
    while (pos < len && count < MAX_TYPE_WORDS) {
        while (pos < len && cps[pos] == ' ') {
            pos++;
        }
        if (pos >= len) {
            break;
        }
        size_t start = pos;
        while (pos < len && cps[pos] != ' ') {
            pos++;
            if (cps[pos - 1] == '.') {
                break;
            }
        }
        words[count].start = start;
        words[count].end = pos;
        count++;
    }
    return count;
}

/* The folded form of a type word: trailing dots, colons, commas dropped. */
static int fold_type_word(const int32_t *cps, word_range word, char *out)
{
    if (!fold_range(cps, word.start, word.end, out)) {
        return 0;
    }
    size_t n = strlen(out);
    while (n > 0 &&
           (out[n - 1] == '.' || out[n - 1] == ':' || out[n - 1] == ',')) {
        out[--n] = '\0';
    }
    return n > 0;
}

/* Number of words of `pattern` matched by `folded`, or 0 when it fails. */
static size_t match_pattern(const char *pattern, char folded[][MAX_FOLDED],
                            size_t nwords)
{
    size_t matched = 0;
    const char *p = pattern;
    while (*p != '\0') {
        const char *space = strchr(p, ' ');
        size_t n = space != NULL ? (size_t)(space - p) : strlen(p);
        if (matched >= nwords || strlen(folded[matched]) != n ||
            memcmp(folded[matched], p, n) != 0) {
            return 0;
        }
        matched++;
        p += n;
        if (*p == ' ') {
            p++;
        }
    }
    return matched;
}

/*
 * Finds the school type at the start of the name: the longest pattern of
 * the vocabulary. Returns the entry (NULL if none) and sets `*end` to the
 * code point just after it.
 */
static const clasconv_name_type *find_type(const int32_t *cps, size_t len,
                                           size_t *end)
{
    word_range words[MAX_TYPE_WORDS];
    char folded[MAX_TYPE_WORDS][MAX_FOLDED];
    size_t nwords = type_words(cps, len, words);
    for (size_t i = 0; i < nwords; i++) {
        if (!fold_type_word(cps, words[i], folded[i])) {
            nwords = i;
            break;
        }
    }
    const clasconv_name_type *best = NULL;
    size_t best_words = 0;
    for (size_t t = 0; t < clasconv_name_type_count; t++) {
        size_t n =
            match_pattern(clasconv_name_types[t].pattern, folded, nwords);
        if (n > best_words) {
            best_words = n;
            best = &clasconv_name_types[t];
        }
    }
    *end = best != NULL ? words[best_words - 1].end : 0;
    return best;
}

static const clasconv_name_particle *
find_particle(const clasconv_name_particle *list, size_t count,
              const int32_t *cps, size_t start, size_t end)
{
    char folded[MAX_FOLDED];
    if (!fold_range(cps, start, end, folded)) {
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        if (strcmp(folded, list[i].folded) == 0) {
            return &list[i];
        }
    }
    return NULL;
}

/* A Roman numeral of 2 to 39 (II, IV, XIV, XXIII), in either case. */
static int is_roman(const int32_t *cps, size_t start, size_t end)
{
    static const char *const units[] = {"",  "i",  "ii",  "iii",  "iv",
                                        "v", "vi", "vii", "viii", "ix"};
    char word[MAX_FOLDED];
    size_t n = end - start;
    if (n < 2 || n >= sizeof word) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        int32_t c = utf8proc_tolower(cps[start + i]);
        if (c != 'i' && c != 'v' && c != 'x') {
            return 0;
        }
        word[i] = (char)c;
    }
    word[n] = '\0';
    const char *p = word;
    for (int tens = 0; tens < 3 && *p == 'x'; tens++) {
        p++;
    }
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        if (strcmp(p, units[u]) == 0) {
            return 1;
        }
    }
    return 0;
}

/* A word kept in capitals (REP, ULIS...). */
static int is_acronym(const int32_t *cps, size_t start, size_t end)
{
    char folded[MAX_FOLDED];
    if (!fold_range(cps, start, end, folded)) {
        return 0;
    }
    for (size_t i = 0; i < clasconv_name_acronym_count; i++) {
        if (strcmp(folded, clasconv_name_acronyms[i].folded) == 0) {
            return 1;
        }
    }
    return 0;
}

static void capitalize_first(int32_t *cps, size_t start, size_t end)
{
    if (start < end && is_letter(cps[start])) {
        cps[start] = utf8proc_totitle(cps[start]);
    }
}

/*
 * French title case of one word [start, end), already in lower case.
 * `first` is set for the first word of the proper name, `after_type` when
 * a type precedes it.
 */
static void title_case_word(int32_t *cps, size_t start, size_t end, int first,
                            int after_type)
{
    size_t apostrophe = start;
    while (apostrophe < end && cps[apostrophe] != '\'') {
        apostrophe++;
    }
    if (apostrophe == start + 1 && apostrophe + 1 < end &&
        is_letter(cps[start])) {
        /* An elision: l'Arbresle, d'Ormesson, O'Neill. */
        const clasconv_name_particle *elision =
            find_particle(clasconv_name_elisions, clasconv_name_elision_count,
                          cps, start, apostrophe);
        int lower =
            elision != NULL && (!first || (after_type && elision->after_type));
        if (!lower) {
            capitalize_first(cps, start, apostrophe);
        }
        capitalize_first(cps, apostrophe + 1, end);
        return;
    }
    const clasconv_name_particle *particle = find_particle(
        clasconv_name_particles, clasconv_name_particle_count, cps, start, end);
    if (particle != NULL && (!first || (after_type && particle->after_type))) {
        return;
    }
    if (is_roman(cps, start, end) || is_acronym(cps, start, end)) {
        for (size_t i = start; i < end; i++) {
            cps[i] = utf8proc_toupper(cps[i]);
        }
        return;
    }
    capitalize_first(cps, start, end);
}

/* Title-cases [start, len) when it is all in capitals or all in lower case. */
static void title_case(int32_t *cps, size_t start, size_t len, int after_type)
{
    int has_upper = 0, has_lower = 0;
    for (size_t i = start; i < len; i++) {
        utf8proc_category_t cat = utf8proc_category(cps[i]);
        if (cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT) {
            has_upper = 1;
        } else if (cat == UTF8PROC_CATEGORY_LL) {
            has_lower = 1;
        }
    }
    if (has_upper && has_lower) {
        return; /* mixed case: kept as written */
    }
    for (size_t i = start; i < len; i++) {
        cps[i] = utf8proc_tolower(cps[i]);
    }
    int first = 1;
    size_t pos = start;
    while (pos < len) {
        if (!is_word_char(cps[pos])) {
            pos++;
            continue;
        }
        size_t word_start = pos;
        while (pos < len && is_word_char(cps[pos])) {
            pos++;
        }
        title_case_word(cps, word_start, pos, first, after_type);
        first = 0;
    }
}

/*
 * If an abbreviation such as "St" starts at `pos` and a name follows it,
 * returns its expansion and sets `*skip` (code points replaced) and
 * `*hyphen` (a '-' to add, for "St.Exupéry").
 */
static const char *abbreviation_at(const int32_t *cps, size_t start, size_t len,
                                   size_t pos, size_t *skip, int *hyphen)
{
    if (pos > start && cps[pos - 1] != ' ' && cps[pos - 1] != '-') {
        return NULL;
    }
    size_t end = pos;
    while (end < len && is_letter(cps[end]) && end - pos < 4) {
        end++;
    }
    if (end == pos || (end < len && is_word_char(cps[end]))) {
        return NULL;
    }
    const char *expanded = NULL;
    char folded[MAX_FOLDED];
    if (!fold_range(cps, pos, end, folded)) {
        return NULL;
    }
    for (size_t i = 0; i < clasconv_name_abbrev_count; i++) {
        if (strcmp(folded, clasconv_name_abbrevs[i].folded) == 0) {
            expanded = clasconv_name_abbrevs[i].expanded;
            break;
        }
    }
    if (expanded == NULL) {
        return NULL;
    }
    size_t next = end;
    *hyphen = 0;
    if (next < len && cps[next] == '.') {
        next++;
        if (next < len && is_letter(cps[next])) {
            *skip = next - pos;
            *hyphen = 1;
            return expanded;
        }
    }
    if (next + 1 < len && (cps[next] == ' ' || cps[next] == '-') &&
        is_letter(cps[next + 1])) {
        *skip = next - pos;
        return expanded;
    }
    return NULL;
}

/* Appends code points [start, len) as UTF-8, expanding "St" and "Ste". */
static size_t encode_name(const int32_t *cps, size_t start, size_t len,
                          char *out)
{
    size_t used = 0;
    for (size_t pos = start; pos < len;) {
        size_t skip = 0;
        int hyphen = 0;
        const char *expanded =
            is_letter(cps[pos])
                ? abbreviation_at(cps, start, len, pos, &skip, &hyphen)
                : NULL;
        if (expanded != NULL) {
            size_t n = strlen(expanded);
            memcpy(out + used, expanded, n);
            used += n;
            if (hyphen) {
                out[used++] = '-';
            }
            pos += skip;
            continue;
        }
        used += (size_t)utf8proc_encode_char(cps[pos], (uint8_t *)out + used);
        pos++;
    }
    return used;
}

static int is_separator(int32_t cp)
{
    return cp == ' ' || cp == '-' || cp == ':' || cp == ',' || cp == ';' ||
           cp == '.';
}

clasconv_error clasconv_school_name_normalize(const char *read,
                                              clasconv_school_name *out)
{
    if (out == NULL) {
        return CLASCONV_ERR_USAGE;
    }
    out->canonical = NULL;
    out->key = NULL;
    out->level = CLASCONV_LEVEL_NONE;

    size_t len = 0;
    int32_t *cps = clean_code_points(read != NULL ? read : "", &len);
    if (cps == NULL) {
        return CLASCONV_ERR_MEMORY;
    }

    size_t rest = 0;
    const clasconv_name_type *type = find_type(cps, len, &rest);
    if (type != NULL) {
        while (rest < len && is_separator(cps[rest])) {
            rest++;
        }
        out->level = type->level;
    }
    title_case(cps, rest, len, type != NULL);

    /* An abbreviation of k code points expands to at most 3k bytes. */
    size_t type_len = type != NULL ? strlen(type->canonical) : 0;
    char *canonical = malloc(type_len + 1 + (len - rest) * 4 + 1);
    if (canonical == NULL) {
        free(cps);
        return CLASCONV_ERR_MEMORY;
    }
    size_t used = 0;
    if (type != NULL) {
        memcpy(canonical, type->canonical, type_len);
        used = type_len;
        if (rest < len) {
            canonical[used++] = ' ';
        }
    }
    used += encode_name(cps, rest, len, canonical + used);
    canonical[used] = '\0';
    free(cps);

    char *key = used == 0 ? strdup("") : clasconv_text_key(canonical);
    if (key == NULL) {
        free(canonical);
        return CLASCONV_ERR_MEMORY;
    }
    out->canonical = canonical;
    out->key = key;
    return CLASCONV_OK;
}

void clasconv_school_name_free(clasconv_school_name *name)
{
    if (name == NULL) {
        return;
    }
    free(name->canonical);
    free(name->key);
    name->canonical = NULL;
    name->key = NULL;
}
