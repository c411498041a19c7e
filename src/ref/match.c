/* match.c: matches a table's schools to the annuaire's schools of their
 * commune, by type and name key, then by fuzzy keys, with a confidence.
 *
 * Nothing is merged silently: a match that is not exact is an info that
 * shows both names, several candidates are SCHOOL_AMBIGUOUS, none is
 * SCHOOL_NOT_IN_ANNUAIRE.
 */
#include "clasconv/ref.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clasconv/buf.h"
#include "core/text.h"
#include "ref/ref_internal.h"

#define MAX_CANDIDATES 8
#define MAX_WORDS 24
#define MAX_TRIGRAMS 256
#define NEAR_MISS                                                              \
    50 /* a best candidate above this is named when none                       \
          reaches the threshold */

/* --- Keys -------------------------------------------------------------- */

static const struct type_words {
    const char *words; /* folded, followed by a space in the key */
    int subtype;
    clasconv_level level;
} type_words[] = {
    {"ecole maternelle", REF_SUBTYPE_MATERNELLE, CLASCONV_LEVEL_ELEMENTAIRE},
    {"ecole elementaire", REF_SUBTYPE_ELEMENTAIRE, CLASCONV_LEVEL_ELEMENTAIRE},
    {"ecole primaire", REF_SUBTYPE_PRIMAIRE, CLASCONV_LEVEL_ELEMENTAIRE},
    {"groupe scolaire", REF_SUBTYPE_PRIMAIRE, CLASCONV_LEVEL_ELEMENTAIRE},
    {"ecole", REF_SUBTYPE_NONE, CLASCONV_LEVEL_ELEMENTAIRE},
    {"college", REF_SUBTYPE_COLLEGE, CLASCONV_LEVEL_COLLEGE},
    {"lycee general et technologique", REF_SUBTYPE_LGT, CLASCONV_LEVEL_LYCEE},
    {"lycee general", REF_SUBTYPE_LGT, CLASCONV_LEVEL_LYCEE},
    {"lycee technologique", REF_SUBTYPE_LGT, CLASCONV_LEVEL_LYCEE},
    {"lycee polyvalent", REF_SUBTYPE_LPO, CLASCONV_LEVEL_LYCEE},
    {"lycee professionnel", REF_SUBTYPE_LP, CLASCONV_LEVEL_LYCEE},
    {"lycee", REF_SUBTYPE_NONE, CLASCONV_LEVEL_LYCEE},
};

/* Words after the type that say nothing of which school it is. */
static const char *const status_words[] = {"publique", "public", "privee",
                                           "prive"};

/* Small words a fingerprint leaves out. */
static const char *const small_words[] = {"de",  "du",  "des", "la", "le",
                                          "les", "l",   "d",   "et", "a",
                                          "au",  "aux", "en"};

static int starts_word(const char *text, const char *word, size_t *len)
{
    size_t n = strlen(word);

    if (strncmp(text, word, n) != 0 || (text[n] != ' ' && text[n] != '\0'))
        return 0;
    *len = n;
    return 1;
}

const char *ref_type_split(const char *key, int *subtype, clasconv_level *level)
{
    size_t i, n;

    *subtype = REF_SUBTYPE_NONE;
    *level = CLASCONV_LEVEL_NONE;
    for (i = 0; i < sizeof type_words / sizeof *type_words; i++)
        if (starts_word(key, type_words[i].words, &n)) {
            *subtype = type_words[i].subtype;
            *level = type_words[i].level;
            key += n;
            break;
        }
    for (;;) {
        while (*key == ' ')
            key++;
        for (i = 0; i < sizeof status_words / sizeof *status_words; i++)
            if (starts_word(key, status_words[i], &n))
                break;
        if (i == sizeof status_words / sizeof *status_words)
            return key;
        key += n;
    }
}

int ref_nature_subtype(int nature)
{
    switch (nature) {
    case 101:
        return REF_SUBTYPE_MATERNELLE;
    case 151:
        return REF_SUBTYPE_ELEMENTAIRE;
    case 340:
        return REF_SUBTYPE_COLLEGE;
    case 300:
    case 301:
    case 302:
        return REF_SUBTYPE_LGT;
    case 306:
        return REF_SUBTYPE_LPO;
    case 320:
        return REF_SUBTYPE_LP;
    default:
        return REF_SUBTYPE_NONE;
    }
}

static int is_small_word(const char *word, size_t len)
{
    size_t i;

    for (i = 0; i < sizeof small_words / sizeof *small_words; i++)
        if (strlen(small_words[i]) == len &&
            !strncmp(word, small_words[i], len))
            return 1;
    return 0;
}

typedef struct words {
    const char *start[MAX_WORDS];
    size_t len[MAX_WORDS];
    size_t count;
} words;

/* Splits folded text on spaces; small words left out when asked. */
static void split_words(const char *text, words *w, int drop_small)
{
    w->count = 0;
    while (*text && w->count < MAX_WORDS) {
        const char *start;
        while (*text == ' ')
            text++;
        start = text;
        while (*text && *text != ' ')
            text++;
        if (text > start &&
            !(drop_small && is_small_word(start, (size_t)(text - start)))) {
            w->start[w->count] = start;
            w->len[w->count] = (size_t)(text - start);
            w->count++;
        }
    }
}

static int word_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = strncmp(a, b, n);

    return c ? c : (alen > blen) - (alen < blen);
}

void ref_fingerprint(const char *proper, char *out, size_t size)
{
    words w;
    size_t i, j, used = 0;

    out[0] = '\0';
    split_words(proper, &w, 1);
    /* Insertion sort: names have a handful of words. */
    for (i = 1; i < w.count; i++)
        for (j = i; j > 0 && word_cmp(w.start[j - 1], w.len[j - 1], w.start[j],
                                      w.len[j]) > 0;
             j--) {
            const char *s = w.start[j];
            size_t l = w.len[j];
            w.start[j] = w.start[j - 1];
            w.len[j] = w.len[j - 1];
            w.start[j - 1] = s;
            w.len[j - 1] = l;
        }
    for (i = 0; i < w.count; i++) {
        if (i > 0 &&
            !word_cmp(w.start[i - 1], w.len[i - 1], w.start[i], w.len[i]))
            continue;
        if (used + w.len[i] + 2 > size)
            break;
        if (used)
            out[used++] = ' ';
        memcpy(out + used, w.start[i], w.len[i]);
        used += w.len[i];
        out[used] = '\0';
    }
}

size_t ref_commune_key(const char *name, char *out, size_t size)
{
    char folded[512];
    words w;
    size_t i, used = 0;

    out[0] = '\0';
    if (!name || !clasconv_text_fold(name, folded, sizeof folded))
        return 0;
    split_words(folded, &w, 0);
    for (i = 0; i < w.count; i++) {
        const char *word = w.start[i];
        size_t len = w.len[i];
        if (len == 2 && !strncmp(word, "st", 2)) {
            word = "saint";
            len = 5;
        } else if (len == 3 && !strncmp(word, "ste", 3)) {
            word = "sainte";
            len = 6;
        }
        if (used + len + 2 > size)
            break;
        if (used)
            out[used++] = ' ';
        memcpy(out + used, word, len);
        used += len;
        out[used] = '\0';
    }
    return used;
}

/* --- Similarity -------------------------------------------------------- */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return (x > y) - (x < y);
}

/* Trigrams of " text " as 24-bit numbers, sorted. */
static size_t trigrams(const char *text, uint32_t *out)
{
    size_t len = strlen(text), i, n = 0;
    unsigned char padded[MAX_TRIGRAMS + 2];

    if (len > MAX_TRIGRAMS - 2)
        len = MAX_TRIGRAMS - 2;
    padded[0] = ' ';
    memcpy(padded + 1, text, len);
    padded[len + 1] = ' ';
    for (i = 0; i + 3 <= len + 2; i++)
        out[n++] = (uint32_t)padded[i] << 16 | (uint32_t)padded[i + 1] << 8 |
                   padded[i + 2];
    qsort(out, n, sizeof *out, cmp_u32);
    return n;
}

/* Dice coefficient of the trigram multisets (0..1). */
static double trigram_similarity(const char *a, const char *b)
{
    uint32_t ta[MAX_TRIGRAMS], tb[MAX_TRIGRAMS];
    size_t na = trigrams(a, ta), nb = trigrams(b, tb), i = 0, j = 0, both = 0;

    if (na + nb == 0)
        return 0;
    while (i < na && j < nb) {
        if (ta[i] == tb[j]) {
            both++;
            i++;
            j++;
        } else if (ta[i] < tb[j]) {
            i++;
        } else {
            j++;
        }
    }
    return 2.0 * (double)both / (double)(na + nb);
}

/* Edit distance of two short words (bytes; longer words are cut). */
static size_t edit_distance(const char *a, size_t alen, const char *b,
                            size_t blen)
{
    size_t row[65], i, j;

    if (alen > 64)
        alen = 64;
    if (blen > 64)
        blen = 64;
    for (j = 0; j <= blen; j++)
        row[j] = j;
    for (i = 1; i <= alen; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (j = 1; j <= blen; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[blen];
}

/* Each word of `a` against its closest word of `b` (1 - distance / length),
 * weighted by length: "ferri jules" / "ferry jules" is 0.9. */
static double word_similarity_one_way(const words *a, const words *b)
{
    double total = 0, weight = 0;
    size_t i, j;

    for (i = 0; i < a->count; i++) {
        double best = 0;
        for (j = 0; j < b->count; j++) {
            size_t longer = a->len[i] > b->len[j] ? a->len[i] : b->len[j];
            double sim = 1.0 - (double)edit_distance(a->start[i], a->len[i],
                                                     b->start[j], b->len[j]) /
                                   (double)longer;
            if (sim > best)
                best = sim;
        }
        total += best * (double)a->len[i];
        weight += (double)a->len[i];
    }
    return weight > 0 ? total / weight : 0;
}

/* Two words are the same, or one is the other's initial ("j" / "jules"). */
static int words_agree(const char *a, size_t alen, const char *b, size_t blen,
                       int *initial)
{
    if (!word_cmp(a, alen, b, blen))
        return 1;
    if ((alen == 1 || blen == 1) && a[0] == b[0]) {
        *initial = 1;
        return 1;
    }
    return 0;
}

/* Each word of `small` agrees with a distinct word of `big`. */
static int covered(const words *small, const words *big, int *initial)
{
    int used[MAX_WORDS] = {0};
    size_t i, j;

    for (i = 0; i < small->count; i++) {
        for (j = 0; j < big->count; j++)
            if (!used[j] && words_agree(small->start[i], small->len[i],
                                        big->start[j], big->len[j], initial))
                break;
        if (j == big->count)
            return 0;
        used[j] = 1;
    }
    return 1;
}

/* How alike two proper names are (0..1), from the strictest key down. */
static double name_similarity(const char *proper, const char *fingerprint,
                              const clasconv_annuaire_school *s)
{
    words a, b;
    int initial = 0;
    size_t i, long_words = 0;

    if (!proper[0] || !s->proper[0])
        return 0;
    if (!strcmp(proper, s->proper))
        return 1.0;
    if (fingerprint[0] && !strcmp(fingerprint, s->fingerprint))
        return 0.95;
    split_words(fingerprint, &a, 0);
    split_words(s->fingerprint, &b, 0);
    if (a.count && b.count) {
        if (a.count == b.count && covered(&a, &b, &initial))
            return 0.9;
        /* All the words of the shorter name, one of them a real word, are
         * in the longer: "Ampère" / "André-Marie Ampère". */
        initial = 0;
        if (a.count < b.count ? covered(&a, &b, &initial)
                              : covered(&b, &a, &initial)) {
            const words *shorter = a.count < b.count ? &a : &b;
            for (i = 0; i < shorter->count; i++)
                long_words += shorter->len[i] >= 3;
            if (long_words)
                return 0.85;
        }
    }
    /* n-gram similarity of the fingerprints, or of their words when a typo
     * breaks too many trigrams of short names. */
    {
        double tri = trigram_similarity(fingerprint, s->fingerprint);
        double wa = word_similarity_one_way(&a, &b);
        double wb = word_similarity_one_way(&b, &a);
        double w = (wa + wb) / 2;
        return 0.95 * (tri > w ? tri : w);
    }
}

/* How much a difference of subtype lowers the confidence. */
static double subtype_factor(int a, int b)
{
    if (a == b)
        return 1.0;
    if (a == REF_SUBTYPE_NONE || b == REF_SUBTYPE_NONE)
        return 0.95; /* "Lycée X" for "Lycée professionnel X" */
    if ((a == REF_SUBTYPE_PRIMAIRE &&
         (b == REF_SUBTYPE_MATERNELLE || b == REF_SUBTYPE_ELEMENTAIRE)) ||
        (b == REF_SUBTYPE_PRIMAIRE &&
         (a == REF_SUBTYPE_MATERNELLE || a == REF_SUBTYPE_ELEMENTAIRE)))
        return 0.9;
    if ((a == REF_SUBTYPE_LPO &&
         (b == REF_SUBTYPE_LGT || b == REF_SUBTYPE_LP)) ||
        (b == REF_SUBTYPE_LPO && (a == REF_SUBTYPE_LGT || a == REF_SUBTYPE_LP)))
        return 0.9;
    return 0.7;
}

static int confidence_of(const char *key, const char *proper,
                         const char *fingerprint, int subtype,
                         clasconv_level level,
                         const clasconv_annuaire_school *s)
{
    double c;
    int percent;

    if (!strcmp(key, s->key))
        return 100;
    if (level != CLASCONV_LEVEL_NONE && s->level != CLASCONV_LEVEL_NONE &&
        level != s->level)
        return 0;
    c = name_similarity(proper, fingerprint, s) *
        subtype_factor(subtype, s->subtype);
    percent = (int)(c * 100.0 + 0.5);
    return percent > 99 ? 99 : percent;
}

int clasconv_match_confidence(const char *key,
                              const clasconv_annuaire_school *school)
{
    char fingerprint[512];
    clasconv_level level;
    int subtype;
    const char *proper = ref_type_split(key, &subtype, &level);

    ref_fingerprint(proper, fingerprint, sizeof fingerprint);
    return confidence_of(key, proper, fingerprint, subtype, level, school);
}

/* --- The stage --------------------------------------------------------- */

typedef struct candidate {
    const clasconv_annuaire_school *school;
    int confidence;
} candidate;

typedef struct lookup {
    candidate found[MAX_CANDIDATES]; /* at or above the threshold, best first */
    size_t nfound;                   /* how many (may exceed the array) */
    candidate best_below;            /* best under the threshold */
    const clasconv_annuaire_school *match; /* the one taken, or NULL */
    int confidence;
} lookup;

static void keep_candidate(lookup *lk, const clasconv_annuaire_school *s,
                           int confidence)
{
    size_t n, i;

    if (confidence < CLASCONV_MATCH_THRESHOLD) {
        if (confidence > lk->best_below.confidence) {
            lk->best_below.school = s;
            lk->best_below.confidence = confidence;
        }
        return;
    }
    n = lk->nfound < MAX_CANDIDATES ? lk->nfound : MAX_CANDIDATES;
    lk->nfound++;
    if (n == MAX_CANDIDATES && lk->found[n - 1].confidence >= confidence)
        return;
    if (n == MAX_CANDIDATES)
        n--;
    for (i = n; i > 0 && lk->found[i - 1].confidence < confidence; i--)
        lk->found[i] = lk->found[i - 1];
    lk->found[i].school = s;
    lk->found[i].confidence = confidence;
}

static void find_by_name(const clasconv_annuaire *annuaire, uint32_t first,
                         const char *key, lookup *lk)
{
    char fingerprint[512];
    clasconv_level level;
    int subtype;
    const char *proper = ref_type_split(key, &subtype, &level);
    uint32_t i;

    memset(lk, 0, sizeof *lk);
    ref_fingerprint(proper, fingerprint, sizeof fingerprint);
    for (i = first; i != UINT32_MAX;) {
        const clasconv_annuaire_school *s =
            clasconv_annuaire_school_at(annuaire, i);
        keep_candidate(
            lk, s, confidence_of(key, proper, fingerprint, subtype, level, s));
        i = s->next;
    }
    /* One candidate; or one exact name among several. */
    if (lk->nfound == 1 || (lk->nfound > 1 && lk->found[0].confidence == 100 &&
                            lk->found[1].confidence < 100)) {
        lk->match = lk->found[0].school;
        lk->confidence = lk->found[0].confidence;
    }
}

static clasconv_anomaly_at at_school(const clasconv_school *school)
{
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();

    at.level = school->level;
    at.school = school->name;
    at.cell = school->cell;
    return at;
}

static clasconv_error report_ambiguous(clasconv_anomalies *list,
                                       const clasconv_school *school,
                                       const char *commune, const lookup *lk)
{
    clasconv_anomaly_at at = at_school(school);
    clasconv_buf names = {0};
    size_t i, n = lk->nfound < MAX_CANDIDATES ? lk->nfound : MAX_CANDIDATES;
    clasconv_error err;

    for (i = 0; i < n; i++)
        clasconv_buf_printf(&names, "%s« %s » (%s, %d %%)",
                            i ? (i + 1 == n && n == lk->nfound ? " et " : ", ")
                              : "",
                            lk->found[i].school->name, lk->found[i].school->uai,
                            lk->found[i].confidence);
    if (n < lk->nfound)
        clasconv_buf_printf(&names, " et %zu autres", lk->nfound - n);
    if (names.failed) {
        clasconv_buf_free(&names);
        return CLASCONV_ERR_MEMORY;
    }
    err = clasconv_anomalies_add(
        list, CLASCONV_A_SCHOOL_AMBIGUOUS, &at,
        "« %s » peut être %zu établissements de %s dans l'annuaire : %s. "
        "Aucun n'a été retenu : précisez le type (maternelle, "
        "élémentaire...) ou indiquez l'UAI dans le tableau.",
        school->name, lk->nfound, commune, names.data);
    clasconv_buf_free(&names);
    return err;
}

static clasconv_error report_missing(clasconv_anomalies *list,
                                     const clasconv_school *school,
                                     const char *commune, const char *file,
                                     const lookup *lk)
{
    clasconv_anomaly_at at = at_school(school);
    char nearest[600] = "";

    if (lk->best_below.school && lk->best_below.confidence >= NEAR_MISS)
        snprintf(nearest, sizeof nearest,
                 " Le plus proche, « %s » (%s), ne ressemble qu'à %d %%.",
                 lk->best_below.school->name, lk->best_below.school->uai,
                 lk->best_below.confidence);
    return clasconv_anomalies_add(
        list, CLASCONV_A_SCHOOL_NOT_IN_ANNUAIRE, &at,
        "« %s » ne correspond à aucun établissement de %s dans l'annuaire "
        "« %s ».%s Vérifiez le nom, ou indiquez l'UAI dans le tableau.",
        school->name, commune, file, nearest);
}

static clasconv_error check_level(clasconv_anomalies *list,
                                  const clasconv_school *school,
                                  const clasconv_annuaire_school *match)
{
    clasconv_anomaly_at at = at_school(school);
    clasconv_level named;
    int subtype;

    if (match->level == CLASCONV_LEVEL_NONE || school->level < 0 ||
        school->level >= CLASCONV_LEVEL_COUNT || match->level == school->level)
        return CLASCONV_OK;
    ref_type_split(school->key, &subtype, &named);
    if (named != CLASCONV_LEVEL_NONE && named != school->level)
        return CLASCONV_OK; /* reconcile has said so already */
    return clasconv_anomalies_add(
        list, CLASCONV_A_LEVEL_CONFLICT, &at,
        "L'annuaire classe « %s » (%s, code nature %d) au niveau %s, mais le "
        "tableau le place au niveau %s : l'établissement est gardé dans sa "
        "section, vérifiez.",
        match->name, match->uai, match->nature,
        clasconv_level_label(match->level),
        clasconv_level_label(school->level));
}

static clasconv_error match_school(clasconv_table *table,
                                   const clasconv_annuaire *annuaire,
                                   uint32_t first, clasconv_anomalies *list,
                                   clasconv_school *school, size_t *matched)
{
    const char *commune = table->commune ? table->commune : "la commune";
    const char *file = clasconv_annuaire_name(annuaire);
    const clasconv_annuaire_school *by_uai = NULL, *match;
    clasconv_anomaly_at at = at_school(school);
    clasconv_error err = CLASCONV_OK;
    int confidence;
    lookup lk;

    if (school->uai)
        by_uai = clasconv_annuaire_find_uai(annuaire, school->uai);
    memset(&lk, 0, sizeof lk);
    if (first != UINT32_MAX)
        find_by_name(annuaire, first, school->key, &lk);
    if (by_uai) {
        match = by_uai;
        confidence = 100;
        if (lk.match && lk.match != by_uai)
            err = clasconv_anomalies_add(
                list, CLASCONV_A_UAI_CONFLICT, &at,
                "L'UAI %s du tableau désigne « %s » (%s) dans l'annuaire, "
                "mais le nom « %s » correspond à « %s » (%s). L'UAI du "
                "tableau est gardé : vérifiez-le.",
                by_uai->uai, by_uai->name, by_uai->commune, school->name,
                lk.match->name, lk.match->uai);
    } else if (lk.match) {
        match = lk.match;
        confidence = lk.confidence;
        if (school->uai)
            err = clasconv_anomalies_add(
                list, CLASCONV_A_UAI_CONFLICT, &at,
                "L'UAI %s du tableau n'est pas dans l'annuaire « %s », où le "
                "nom « %s » correspond à « %s » (%s). L'UAI du tableau est "
                "gardé : vérifiez-le.",
                school->uai, file, school->name, match->name, match->uai);
        else
            err = clasconv_table_set_string(&school->uai, match->uai);
        if (!err && confidence < 100)
            err = clasconv_anomalies_add(
                list, CLASCONV_A_SCHOOL_MATCH_APPROX, &at,
                "« %s » a été rapproché de « %s » (%s) dans l'annuaire, avec "
                "une confiance de %d %% : vérifiez qu'il s'agit du même "
                "établissement.",
                school->name, match->name, match->uai, confidence);
    } else {
        if (first == UINT32_MAX)
            return CLASCONV_OK; /* said once for the file */
        if (lk.nfound > 1)
            return report_ambiguous(list, school, commune, &lk);
        return report_missing(list, school, commune, file, &lk);
    }
    if (!err)
        err = clasconv_table_set_string(&school->official_name, match->name);
    if (!err) {
        school->confidence = confidence;
        (*matched)++;
        err = check_level(list, school, match);
    }
    return err;
}

clasconv_error clasconv_ref_match(clasconv_table *table,
                                  const clasconv_annuaire *annuaire,
                                  clasconv_anomalies *list)
{
    const char *file = clasconv_annuaire_name(annuaire);
    uint32_t first = clasconv_annuaire_commune_first(annuaire, table->commune);
    size_t i, named = 0, matched = 0;
    clasconv_error err = CLASCONV_OK;
    char summary[512];

    table->annuaire_used = 1;
    if (first == UINT32_MAX)
        err = clasconv_anomalies_add(
            list, CLASCONV_A_SCHOOL_NOT_IN_ANNUAIRE, NULL,
            table->commune
                ? "La commune « %s » n'est pas dans l'annuaire « %s » : les "
                  "établissements n'ont été rapprochés que par leur UAI."
                : "%sLa commune du tableau n'est pas connue : les "
                  "établissements de l'annuaire « %s » n'ont été rapprochés "
                  "que par leur UAI.",
            table->commune ? table->commune : "", file);
    for (i = 0; i < table->nschools && !err; i++) {
        clasconv_school *school = &table->schools[i];
        if (!school->read_name || !school->key[0])
            continue; /* SCHOOL_NAME_MISSING already */
        named++;
        err = match_school(table, annuaire, first, list, school, &matched);
    }
    if (!err) {
        snprintf(summary, sizeof summary, "%s (%zu établissements)", file,
                 clasconv_annuaire_count(annuaire));
        err = clasconv_table_add_field(table, "Annuaire", summary);
    }
    if (!err) {
        snprintf(summary, sizeof summary,
                 "%zu établissement%s sur %zu rapproché%s", matched,
                 matched > 1 ? "s" : "", named, matched > 1 ? "s" : "");
        err = clasconv_table_add_field(table, "Rapprochement", summary);
    }
    clasconv_anomalies_sort(list);
    return err;
}
