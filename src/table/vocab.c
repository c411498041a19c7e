/* vocab.c: header, level and total vocabulary as data (SPEC section 1).
 *
 * Every entry is written folded (clasconv_text_fold: lower case, no
 * accents, punctuation as single spaces), so a new variant seen in a
 * commune file is one line here.
 */
#include "table/vocab.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

typedef struct header_entry {
    const char *folded;
    vocab_kind kind;
    clasconv_scheme scheme;
} header_entry;

#define S(text, scheme)                                                        \
    {                                                                          \
        text, VOCAB_SCHEME, CLASCONV_SCHEME_##scheme                           \
    }
#define K(text, kind)                                                          \
    {                                                                          \
        text, kind, CLASCONV_SCHEME_NONE                                       \
    }

static const header_entry header_words[] = {
    S("etude", ETUDE),
    S("etudes", ETUDE),
    S("etude surveillee", ETUDE),
    S("etudes surveillees", ETUDE),
    S("etudes dirigees", ETUDE),
    S("etude dirigee", ETUDE),
    S("etudes surveillees dirigees", ETUDE),
    S("etude surveillee dirigee", ETUDE),
    S("etudes accompagnees", ETUDE),
    S("etude surv", ETUDE),
    S("etudes surv", ETUDE),
    S("ecole ouverte", ECOLE_OUVERTE),
    S("ecoles ouvertes", ECOLE_OUVERTE),
    S("operation ecole ouverte", ECOLE_OUVERTE),
    S("ec ouverte", ECOLE_OUVERTE),
    S("ecole ouv", ECOLE_OUVERTE),
    S("eo", ECOLE_OUVERTE),
    S("accompagnement educatif", ACCOMPAGNEMENT_EDUCATIF),
    S("acc educatif", ACCOMPAGNEMENT_EDUCATIF),
    S("acc educ", ACCOMPAGNEMENT_EDUCATIF),
    S("accomp educatif", ACCOMPAGNEMENT_EDUCATIF),
    S("accompagnement educ", ACCOMPAGNEMENT_EDUCATIF),
    S("accomp educ", ACCOMPAGNEMENT_EDUCATIF),
    S("acc educative", ACCOMPAGNEMENT_EDUCATIF),
    S("accompagnement educatif ae", ACCOMPAGNEMENT_EDUCATIF),
    S("stage de reussite", STAGE_REUSSITE),
    S("stages de reussite", STAGE_REUSSITE),
    S("stage reussite", STAGE_REUSSITE),
    S("stages reussite", STAGE_REUSSITE),
    S("stage de reussite scolaire", STAGE_REUSSITE),
    S("stages de reussite scolaire", STAGE_REUSSITE),
    S("pre", PRE),
    S("programme de reussite educative", PRE),
    S("programme de reussite educative pre", PRE),
    S("pre programme de reussite educative", PRE),
    S("programme reussite educative", PRE),
    S("reussite educative", PRE),
    S("dispositif de reussite educative", PRE),
    S("clas", CLAS),
    S("contrat local d accompagnement a la scolarite", CLAS),
    S("contrat local d accompagnement a la scolarite clas", CLAS),
    S("clas contrat local d accompagnement a la scolarite", CLAS),
    S("contrat local d accompagnement scolaire", CLAS),
    S("accompagnement a la scolarite", CLAS),
    S("autre", AUTRE),
    S("autres", AUTRE),
    S("autre preciser", AUTRE),
    S("autres preciser", AUTRE),
    S("autre a preciser", AUTRE),
    S("autres dispositifs", AUTRE),
    S("autre dispositif", AUTRE),
    K("etablissements scolaires", VOCAB_NAME),
    K("etablissement scolaire", VOCAB_NAME),
    K("etablissements", VOCAB_NAME),
    K("etablissement", VOCAB_NAME),
    K("nom de l etablissement", VOCAB_NAME),
    K("nom de l etablissement scolaire", VOCAB_NAME),
    K("nom etablissement", VOCAB_NAME),
    K("nom des etablissements", VOCAB_NAME),
    K("nom de l ecole", VOCAB_NAME),
    K("ecole", VOCAB_NAME),
    K("ecoles", VOCAB_NAME),
    K("ecole etablissement", VOCAB_NAME),
    K("etablissement ecole", VOCAB_NAME),
    K("ecole college lycee", VOCAB_NAME),
    K("etablissements scolaires concernes", VOCAB_NAME),
    K("nom", VOCAB_NAME),
    K("structure", VOCAB_NAME),
    K("structures", VOCAB_NAME),
    K("nom de la structure", VOCAB_NAME),
    K("nom de l ecole de l etablissement", VOCAB_NAME),
    K("nom de l etablissement de l ecole", VOCAB_NAME),
    K("nom de l ecole ou de l etablissement", VOCAB_NAME),
    K("nom de l ecole college lycee", VOCAB_NAME),
    K("ecole ou etablissement", VOCAB_NAME),
    K("etablissements concernes", VOCAB_NAME),
    K("lieu", VOCAB_NAME),
    K("lieux", VOCAB_NAME),
    K("lieu d intervention", VOCAB_NAME),
    K("lieux d intervention", VOCAB_NAME),
    K("lieu d accueil", VOCAB_NAME),
    K("niveau", VOCAB_LEVEL),
    K("niveaux", VOCAB_LEVEL),
    K("niveau scolaire", VOCAB_LEVEL),
    K("niveau d enseignement", VOCAB_LEVEL),
    K("cycle", VOCAB_LEVEL),
    K("degre", VOCAB_LEVEL),
    K("nombre d enfants", VOCAB_COUNT),
    K("nombre enfants", VOCAB_COUNT),
    K("nb d enfants", VOCAB_COUNT),
    K("nb enfants", VOCAB_COUNT),
    K("nbre d enfants", VOCAB_COUNT),
    K("nombre", VOCAB_COUNT),
    K("nb", VOCAB_COUNT),
    K("effectif", VOCAB_COUNT),
    K("effectifs", VOCAB_COUNT),
    K("nombre d eleves", VOCAB_COUNT),
    K("nb eleves", VOCAB_COUNT),
    K("enfants", VOCAB_COUNT),
    K("precision", VOCAB_AUTRE_DETAIL),
    K("precisions", VOCAB_AUTRE_DETAIL),
    K("preciser", VOCAB_AUTRE_DETAIL),
    K("autre precision", VOCAB_AUTRE_DETAIL),
    K("autre precisions", VOCAB_AUTRE_DETAIL),
    K("precision autre", VOCAB_AUTRE_DETAIL),
    K("autre lequel", VOCAB_AUTRE_DETAIL),
    K("lequel", VOCAB_AUTRE_DETAIL),
    K("lesquels", VOCAB_AUTRE_DETAIL),
    K("si autre preciser", VOCAB_AUTRE_DETAIL),
    K("uai", VOCAB_UAI),
    K("rne", VOCAB_UAI),
    K("uai rne", VOCAB_UAI),
    K("rne uai", VOCAB_UAI),
    K("n uai", VOCAB_UAI),
    K("no uai", VOCAB_UAI),
    K("numero uai", VOCAB_UAI),
    K("code uai", VOCAB_UAI),
    K("n rne", VOCAB_UAI),
    K("numero rne", VOCAB_UAI),
    K("code rne", VOCAB_UAI),
    K("code etablissement", VOCAB_UAI),
    K("code de l etablissement", VOCAB_UAI),
    K("identifiant de l etablissement", VOCAB_UAI),
    /* The template's own column only: a commune's « Observations » stays an
     * unknown column (COLUMN_UNKNOWN), its values kept all the same. */
    K("observations de la commune", VOCAB_OBSERVATIONS),
    K("nom du dispositif", VOCAB_AUTRE_DETAIL),
    K("nom de l autre dispositif", VOCAB_AUTRE_DETAIL),
};

/* Words dropped around a "dont QPV" header before naming its scheme. */
static const char *const qpv_noise[] = {
    "dont",        "issus",        "issu",
    "issues",      "des",          "de",
    "du",          "en",           "qpv",
    "nb",          "nombre",       "d",
    "enfants",     "enfant",       "eleves",
    "domicilies",  "quartier",     "quartiers",
    "la",          "politique",    "ville",
    "prioritaire", "prioritaires", "residant",
    "habitant",    "habitants",    "a",
    "y",           "compris",      "nbre"};

/* Phrases that only say "number of" around a scheme name. */
static const char *const count_noise[] = {
    "nombre d enfants", "nb d enfants", "nb enfants", "nbre d enfants",
    "nombre d eleves",  "nb eleves",    "effectifs",  "effectif",
    "nombre",           "nb",           "enfants"};

typedef struct level_entry {
    const char *folded;
    clasconv_level level;
} level_entry;

#define L(text, level)                                                         \
    {                                                                          \
        text, CLASCONV_LEVEL_##level                                           \
    }

static const level_entry level_words[] = {
    L("niveau elementaire", ELEMENTAIRE),
    L("elementaire", ELEMENTAIRE),
    L("elementaires", ELEMENTAIRE),
    L("niveau primaire", ELEMENTAIRE),
    L("primaire", ELEMENTAIRE),
    L("primaires", ELEMENTAIRE),
    L("premier degre", ELEMENTAIRE),
    L("1er degre", ELEMENTAIRE),
    L("niveau 1er degre", ELEMENTAIRE),
    L("maternelle et elementaire", ELEMENTAIRE),
    L("maternelle elementaire", ELEMENTAIRE),
    L("maternelle", ELEMENTAIRE),
    L("ecole", ELEMENTAIRE),
    L("ecoles", ELEMENTAIRE),
    L("ecole elementaire", ELEMENTAIRE),
    L("ecoles elementaires", ELEMENTAIRE),
    L("ecoles primaires", ELEMENTAIRE),
    L("elem", ELEMENTAIRE),
    L("niveau college", COLLEGE),
    L("niveau colleges", COLLEGE),
    L("college", COLLEGE),
    L("colleges", COLLEGE),
    L("second degre college", COLLEGE),
    L("2nd degre college", COLLEGE),
    L("2nd degre colleges", COLLEGE),
    L("niveau lycee", LYCEE),
    L("niveau lycees", LYCEE),
    L("lycee", LYCEE),
    L("lycees", LYCEE),
    L("lycee professionnel", LYCEE),
    L("lycees professionnels", LYCEE),
    L("lycee general et technologique", LYCEE),
    L("lycee polyvalent", LYCEE),
    L("second degre lycee", LYCEE),
    L("2nd degre lycee", LYCEE),
};

/* Totals for every level together. */
static const char *const total_all_words[] = {
    "total general",      "total generale",
    "total tous niveaux", "total global",
    "total commune",      "total territoire",
    "total ensemble",     "ensemble",
    "total des niveaux",  "total general tous niveaux"};

/* First words of a TOTAL row naming its level or not ("TOTAL COLLEGE",
 * "Sous-total"), longest first. */
static const char *const total_prefixes[] = {"sous total", "total"};

/* A header is a "dont QPV" count when it holds one of these words, or one
 * of these phrases anywhere. */
static const char *const qpv_words[] = {"qpv"};
static const char *const qpv_phrases[] = {"politique de la ville",
                                          "quartier prioritaire"};

/* A header opening with one of these words ("Autre : Coup de pouce",
 * "Autres dispositifs") is the AUTRE column, the rest its detail. */
static const char *const autre_words[] = {"autre", "autres"};

/* Details of an "Autre" header that name no scheme ("Autre (préciser)"). */
static const char *const autre_placeholders[] = {
    "preciser", "a preciser", "dispositifs", "dispositif", "nombre d enfants"};

/* Labels in front of the commune's name, folded, the longer first for each
 * word: a cell of the form ("Territoire de : Bron", "Commune : Bron") or a
 * title ("Ville de Bron", "Mairie de Bron", "Commune de Bron"). A title
 * label followed by a colon is a cell ("Commune de : Bron"). */
typedef struct commune_label {
    const char *folded;
    vocab_commune_kind kind;
} commune_label;
static const commune_label commune_labels[] = {
    {"territoire de", VOCAB_COMMUNE_CELL},
    {"territoire d", VOCAB_COMMUNE_CELL},
    {"territoire", VOCAB_COMMUNE_CELL},
    {"nom de la commune", VOCAB_COMMUNE_CELL},
    {"commune de", VOCAB_COMMUNE_TITLE},
    {"commune d", VOCAB_COMMUNE_TITLE},
    {"commune", VOCAB_COMMUNE_CELL},
    {"ville de", VOCAB_COMMUNE_TITLE},
    {"ville d", VOCAB_COMMUNE_TITLE},
    {"mairie de", VOCAB_COMMUNE_TITLE},
    {"mairie d", VOCAB_COMMUNE_TITLE}};
/* Also a label inside a sentence, after a space: "Des dispositifs du
 * territoire de :". */
static const char commune_label_inside[] = " territoire de";
/* Form fields (Word documents) that hold the commune. */
static const char *const commune_fields[] = {"territoire", "commune"};

#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

/* First words of notes and signatures written below the table. */
static const char *const note_prefixes[] = {"elements complementaires",
                                            "fait a",
                                            "signature",
                                            "le maire",
                                            "cachet",
                                            "nb ",
                                            "n b ",
                                            "note",
                                            "source",
                                            "merci de",
                                            "a adresser",
                                            "commentaire",
                                            "observations",
                                            "remarque",
                                            "date",
                                            "le coordonnateur",
                                            "le coordinateur",
                                            "visa",
                                            "pour le maire",
                                            "l adjoint"};

/* Words of a file name that do not name the commune. */
static const char *const file_noise[] = {"tableau",
                                         "tableaux",
                                         "dispositif",
                                         "dispositifs",
                                         "clas",
                                         "note",
                                         "unique",
                                         "strategique",
                                         "export",
                                         "budget",
                                         "previsionnel",
                                         "annee",
                                         "scolaire",
                                         "annexe",
                                         "fichier",
                                         "commune",
                                         "ville",
                                         "final",
                                         "finale",
                                         "definitif",
                                         "v1",
                                         "v2",
                                         "v3",
                                         "copie",
                                         "version",
                                         "dispositifs clas",
                                         "recapitulatif",
                                         "recap",
                                         "synthese",
                                         "donnees",
                                         "formulaire",
                                         "bilan",
                                         "liste",
                                         "etat",
                                         "ecoles",
                                         "et",
                                         "de",
                                         "du",
                                         "des",
                                         "pour"};

/* The word that may precede a level's name: "NIVEAU COLLEGE". */
static const char level_prefix[] = "niveau";

static int folded_in(const char *folded, const char *const *list, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!strcmp(folded, list[i]))
            return 1;
    return 0;
}

/* header_words sorted by folded text (ties in table order), built once:
 * every cell of a sheet's first rows is looked up, a linear search over
 * the table was 6 % of a typical conversion's instructions. */
#define HEADER_COUNT (sizeof header_words / sizeof header_words[0])
_Static_assert(HEADER_COUNT <= 65535, "header_order holds short indexes");
static unsigned short header_order[HEADER_COUNT];
static pthread_once_t header_once = PTHREAD_ONCE_INIT;

static int by_folded(const void *a, const void *b)
{
    unsigned short x = *(const unsigned short *)a;
    unsigned short y = *(const unsigned short *)b;
    int c = strcmp(header_words[x].folded, header_words[y].folded);

    return c != 0 ? c : (x > y) - (x < y);
}

static void sort_headers(void)
{
    size_t i;

    for (i = 0; i < HEADER_COUNT; i++)
        header_order[i] = (unsigned short)i;
    qsort(header_order, HEADER_COUNT, sizeof header_order[0], by_folded);
}

/* The first entry (in table order) whose folded text is `folded`. */
static const header_entry *lookup_header(const char *folded)
{
    size_t lo = 0, hi = HEADER_COUNT;

    (void)pthread_once(&header_once, sort_headers);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(header_words[header_order[mid]].folded, folded) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < HEADER_COUNT &&
        !strcmp(header_words[header_order[lo]].folded, folded))
        return &header_words[header_order[lo]];
    return NULL;
}

/* Removes `phrase` when it starts or ends `text` (in place). */
static int strip_phrase(char *text, const char *phrase)
{
    size_t n = strlen(text), p = strlen(phrase);

    if (n > p && !strncmp(text, phrase, p) && text[p] == ' ') {
        memmove(text, text + p + 1, n - p);
        return 1;
    }
    if (n > p && !strcmp(text + n - p, phrase) && text[n - p - 1] == ' ') {
        text[n - p - 1] = '\0';
        return 1;
    }
    return 0;
}

/* Drops the words of `list` from a folded text (in place). */
static void drop_words(char *text, const char *const *list, size_t n)
{
    char out[512];
    size_t o = 0;
    char *word = text;

    while (*word) {
        char *end = strchr(word, ' ');
        size_t len = end ? (size_t)(end - word) : strlen(word);
        char save = word[len];
        word[len] = '\0';
        if (!folded_in(word, list, n) && o + len + 1 < sizeof out) {
            if (o)
                out[o++] = ' ';
            memcpy(out + o, word, len);
            o += len;
        }
        word[len] = save;
        word += len;
        while (*word == ' ')
            word++;
    }
    out[o] = '\0';
    memcpy(text, out, o + 1);
}

static int has_word(const char *folded, const char *word)
{
    size_t n = strlen(word);
    const char *p = folded;

    while ((p = strstr(p, word)) != NULL) {
        if ((p == folded || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return 1;
        p += n;
    }
    return 0;
}

/* Non-zero when `text` starts with the lower-case ASCII `word`, in any
 * case. */
static int ascii_prefix_nocase(const char *text, const char *word)
{
    for (; *word; text++, word++) {
        char c = *text;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != *word)
            return 0;
    }
    return 1;
}

/* Non-zero when a folded header says "dont QPV". */
static int names_qpv(const char *folded)
{
    size_t i;

    for (i = 0; i < COUNT_OF(qpv_words); i++)
        if (has_word(folded, qpv_words[i]))
            return 1;
    for (i = 0; i < COUNT_OF(qpv_phrases); i++)
        if (strstr(folded, qpv_phrases[i]))
            return 1;
    return 0;
}

/* The folded text after a leading `word` and a space, or NULL. */
static const char *after_word(const char *folded, const char *word)
{
    size_t n = strlen(word);

    if (!strncmp(folded, word, n) && folded[n] == ' ')
        return folded + n + 1;
    return NULL;
}

/* "Autre : Coup de pouce" -> "Coup de pouce"; "" for "Autre (préciser)". */
static void autre_detail(const char *text, char *detail, size_t size)
{
    const char *p = text;
    char folded[128];
    size_t n;

    while (*p == ' ' || *p == '\t')
        p++;
    /* skip the word "autre"/"autres" in any case */
    if (ascii_prefix_nocase(p, autre_words[0])) {
        p += strlen(autre_words[0]);
        if (*p == 's' || *p == 'S')
            p++;
    }
    while (*p == ' ' || *p == ':' || *p == '-' || *p == '(' || *p == '\t' ||
           *p == '/' || *p == ',')
        p++;
    snprintf(detail, size, "%s", p);
    n = strlen(detail);
    while (n > 0 && (detail[n - 1] == ' ' || detail[n - 1] == ')' ||
                     detail[n - 1] == '\n' || detail[n - 1] == ':'))
        detail[--n] = '\0';
    clasconv_text_fold(detail, folded, sizeof folded);
    if (folded_in(folded, autre_placeholders, COUNT_OF(autre_placeholders)))
        detail[0] = '\0';
}

/* Non-zero when the raw text holds a letter, a dot, a letter ("E.O."). */
static int has_dotted_letters(const char *text)
{
    const char *p;

    for (p = text; *p; p++)
        if (p > text && *p == '.' &&
            ((p[-1] | 0x20) >= 'a' && (p[-1] | 0x20) <= 'z') &&
            ((p[1] | 0x20) >= 'a' && (p[1] | 0x20) <= 'z'))
            return 1;
    return 0;
}

/* Joins an acronym spelled letter by letter ("c l a s" from "C.L.A.S.",
 * "C L A S" or "C-L-A-S") into one word, in place: a run of three or more
 * one-letter words, or of two when the raw text dots its letters ("E.O."),
 * so that "accompagnement a l ecole" keeps its words. */
static void join_acronyms(char *folded, int dotted)
{
    char out[512];
    size_t o = 0, i = 0, n = strlen(folded);

    while (i < n && o + 1 < sizeof out) {
        size_t run = 0, j = i;
        while (j < n && folded[j] != ' ' &&
               (j + 1 == n || folded[j + 1] == ' ')) {
            run++;
            j += 2;
        }
        if (run >= 3 || (run == 2 && dotted)) {
            size_t k;
            if (o)
                out[o++] = ' ';
            for (k = 0; k < run && o + 1 < sizeof out; k++)
                out[o++] = folded[i + 2 * k];
            i += 2 * run;
        } else {
            size_t len = strcspn(folded + i, " ");
            if (o && o + 1 < sizeof out)
                out[o++] = ' ';
            if (o + len >= sizeof out)
                break;
            memcpy(out + o, folded + i, len);
            o += len;
            i += len;
        }
        while (i < n && folded[i] == ' ')
            i++;
    }
    out[o] = '\0';
    memcpy(folded, out, o + 1);
}

/* The one normalization of every header (SPEC section 1): folded (case,
 * accents, punctuation, spacing, a trailing colon), acronym letters
 * joined. 0 when nothing is left. */
static int normalize_header(const char *text, char *folded, size_t size)
{
    if (!text || !clasconv_text_fold(text, folded, size))
        return 0;
    join_acronyms(folded, has_dotted_letters(text));
    return folded[0] != '\0';
}

vocab_header vocab_classify_header(const char *text)
{
    vocab_header h;
    char folded[512];
    const header_entry *e;
    size_t i;

    memset(&h, 0, sizeof h);
    h.scheme = CLASCONV_SCHEME_NONE;
    if (!normalize_header(text, folded, sizeof folded))
        return h;
    if (names_qpv(folded)) {
        drop_words(folded, qpv_noise, sizeof qpv_noise / sizeof qpv_noise[0]);
        h.kind = VOCAB_QPV;
        if (!folded[0])
            return h;
        e = lookup_header(folded);
        if (e && e->kind == VOCAB_SCHEME &&
            (e->scheme == CLASCONV_SCHEME_PRE ||
             e->scheme == CLASCONV_SCHEME_CLAS)) {
            h.scheme = e->scheme == CLASCONV_SCHEME_PRE
                           ? CLASCONV_SCHEME_PRE_QPV
                           : CLASCONV_SCHEME_CLAS_QPV;
            return h;
        }
        h.kind = VOCAB_NONE; /* "Étude dont QPV": no such column */
        return h;
    }
    e = lookup_header(folded);
    for (i = 0; !e && i < sizeof count_noise / sizeof count_noise[0]; i++)
        if (strip_phrase(folded, count_noise[i]))
            e = lookup_header(folded);
    if (!e && strchr(text, '(') && text[0] != '(') {
        /* "Ecole ouverte (EO)", "Stage de réussite (vacances)" */
        char head[512];
        snprintf(head, sizeof head, "%.*s", (int)strcspn(text, "("), text);
        if (normalize_header(head, folded, sizeof folded))
            e = lookup_header(folded);
    }
    if (e) {
        h.kind = e->kind;
        h.scheme = e->scheme;
        return h;
    }
    for (i = 0; i < COUNT_OF(autre_words) && h.kind == VOCAB_NONE; i++)
        if (after_word(folded, autre_words[i]))
            h.kind = VOCAB_SCHEME;
    if (h.kind == VOCAB_SCHEME) {
        h.scheme = CLASCONV_SCHEME_AUTRE;
        autre_detail(text, h.detail, sizeof h.detail);
    }
    return h;
}

clasconv_level vocab_level_label(const char *folded)
{
    size_t i;

    for (i = 0; i < sizeof level_words / sizeof level_words[0]; i++)
        if (!strcmp(folded, level_words[i].folded))
            return level_words[i].level;
    return CLASCONV_LEVEL_NONE;
}

/* The text after a leading "niveau " (level_prefix), or NULL. */
static const char *after_level_prefix(const char *folded)
{
    return after_word(folded, level_prefix);
}

clasconv_level vocab_level_cell(const char *folded)
{
    const char *rest = after_level_prefix(folded);

    return vocab_level_label(rest ? rest : folded);
}

clasconv_level vocab_level_section(const char *folded)
{
    clasconv_level level = vocab_level_label(folded);
    const char *rest;

    if (level == CLASCONV_LEVEL_NONE && (rest = after_level_prefix(folded)))
        level = vocab_level_label(rest);
    return level;
}

vocab_total vocab_total_label(const char *folded, clasconv_level *level)
{
    const char *rest = NULL, *after;
    size_t i;

    *level = CLASCONV_LEVEL_NONE;
    if (folded_in(folded, total_all_words, COUNT_OF(total_all_words)))
        return VOCAB_TOTAL_ALL;
    for (i = 0; i < COUNT_OF(total_prefixes) && !rest; i++)
        if (!strncmp(folded, total_prefixes[i], strlen(total_prefixes[i])))
            rest = folded + strlen(total_prefixes[i]);
    if (!rest)
        return VOCAB_TOTAL_NONE;
    if (*rest == '\0')
        return VOCAB_TOTAL_BARE;
    if (*rest != ' ')
        return VOCAB_TOTAL_NONE; /* "totalement", "totaux" */
    rest++;
    after = after_level_prefix(rest);
    *level = vocab_level_label(after ? after : rest);
    if (*level != CLASCONV_LEVEL_NONE)
        return VOCAB_TOTAL_LEVEL;
    return VOCAB_TOTAL_BARE;
}

int vocab_is_note(const char *folded)
{
    size_t i;

    for (i = 0; i < sizeof note_prefixes / sizeof note_prefixes[0]; i++)
        if (!strncmp(folded, note_prefixes[i], strlen(note_prefixes[i])))
            return 1;
    return 0;
}

int vocab_is_file_name_noise(const char *folded)
{
    size_t n = strlen(folded), i;
    int digits = 1;

    for (i = 0; i < n; i++)
        if ((folded[i] < '0' || folded[i] > '9') && folded[i] != ' ')
            digits = 0;
    if (digits)
        return 1; /* 2026, 2026 2027 */
    return folded_in(folded, file_noise,
                     sizeof file_noise / sizeof file_noise[0]);
}

/* Skips the `words` words of a commune label at the start of `text`; an
 * elided last word ("Ville d'Écully") ends at its apostrophe. */
static const char *skip_label(const char *text, size_t words)
{
    const char *p = text;
    size_t w;

    for (w = 0; w < words; w++) {
        while (*p == ' ')
            p++;
        if (w + 1 == words && (p[0] == 'd' || p[0] == 'D')) {
            if (p[1] == '\'')
                return p + 2;
            if (!strncmp(p + 1, "\xE2\x80\x99", 3)) /* ’ */
                return p + 4;
        }
        while (*p && *p != ' ')
            p++;
    }
    return p;
}

const char *vocab_after_commune_label(const char *text, const char *folded,
                                      vocab_commune_kind *kind)
{
    const commune_label *label = NULL;
    const char *colon = strrchr(text, ':'), *rest, *p;
    size_t i, n, words = 1;

    *kind = VOCAB_COMMUNE_NONE;
    /* An identifier such as COMMUNE_FROM_FILENAME (an anomaly code in a
     * workbook read back) is not a label. */
    if (strchr(text, '_') && !strchr(text, ' '))
        return NULL;
    for (i = 0; i < COUNT_OF(commune_labels) && !label; i++) {
        n = strlen(commune_labels[i].folded);
        if (!strncmp(folded, commune_labels[i].folded, n) &&
            (folded[n] == '\0' || folded[n] == ' '))
            label = &commune_labels[i];
    }
    if (!label) {
        if (!strstr(folded, commune_label_inside))
            return NULL;
        *kind = VOCAB_COMMUNE_CELL;
        return colon ? colon + 1 : "";
    }
    *kind = VOCAB_COMMUNE_CELL;
    for (p = label->folded; *p; p++)
        words += *p == ' ';
    rest = skip_label(text, words);
    while (*rest == ' ')
        rest++;
    if (*rest == ':')
        return rest + 1; /* "Commune de : Bron" */
    if (colon && label->kind == VOCAB_COMMUNE_CELL)
        return colon + 1;
    n = strlen(label->folded);
    if (!after_word(folded, label->folded) ||
        (label->folded[n - 1] != 'd' && strcmp(label->folded + n - 3, " de")))
        return ""; /* "Commune", "Territoire": the value is beside or below */
    *kind = label->kind;
    return rest; /* "Territoire de Bron", "Ville de Bron" */
}

int vocab_is_commune_field(const char *folded)
{
    return folded_in(folded, commune_fields, COUNT_OF(commune_fields));
}
