/* test_vocab.c: header, level and total vocabulary of SPEC 1, one case a line.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/text.h"
#include "table/vocab.h"

#define NONE VOCAB_NONE
#define SCH VOCAB_SCHEME
#define QPV VOCAB_QPV
#define NAME VOCAB_NAME
#define LVL VOCAB_LEVEL
#define CNT VOCAB_COUNT
#define DET VOCAB_AUTRE_DETAIL
#define NO CLASCONV_SCHEME_NONE
#define ETUDE CLASCONV_SCHEME_ETUDE
#define EO CLASCONV_SCHEME_ECOLE_OUVERTE
#define AE CLASCONV_SCHEME_ACCOMPAGNEMENT_EDUCATIF
#define SR CLASCONV_SCHEME_STAGE_REUSSITE
#define PRE CLASCONV_SCHEME_PRE
#define PREQ CLASCONV_SCHEME_PRE_QPV
#define CLAS CLASCONV_SCHEME_CLAS
#define CLASQ CLASCONV_SCHEME_CLAS_QPV
#define AUTRE CLASCONV_SCHEME_AUTRE

typedef struct header_case {
    const char *text;
    vocab_kind kind;
    clasconv_scheme scheme;
    const char *detail; /* NULL: not checked */
} header_case;

static const header_case header_cases[] = {
    /* SPEC 1, scheme by scheme, as the form and commune files write them */
    {"ETUDE", SCH, ETUDE, NULL},
    {"Études", SCH, ETUDE, NULL},
    {"Étude surveillée", SCH, ETUDE, NULL},
    {"Études dirigées", SCH, ETUDE, NULL},
    {"  etude ", SCH, ETUDE, NULL},
    {"ECOLE OUVERTE", SCH, EO, NULL},
    {"École ouverte", SCH, EO, NULL},
    {"Ecole  Ouverte", SCH, EO, NULL},
    {"Ecole ouverte (EO)", SCH, EO, NULL},
    {"Études surveillées / dirigées", SCH, ETUDE, NULL},
    {"Stage de réussite (vacances)", SCH, SR, NULL},
    {"ACCOMPAGNEMENT EDUCATIF", SCH, AE, NULL},
    {"Accompagnement éducatif", SCH, AE, NULL},
    {"Acc. éducatif", SCH, AE, NULL},
    {"STAGE DE REUSSITE", SCH, SR, NULL},
    {"Stages de réussite", SCH, SR, NULL},
    {"Stage de réussite", SCH, SR, NULL},
    {"PROGRAMME DE REUSSITE EDUCATIVE (PRE)", SCH, PRE, NULL},
    {"PRE", SCH, PRE, NULL},
    {"Réussite éducative", SCH, PRE, NULL},
    {"P.R.E.", SCH, PRE, NULL},
    {"(CLAS)", SCH, CLAS, NULL},
    {"CLAS", SCH, CLAS, NULL},
    {"Contrat local d'accompagnement à la scolarité", SCH, CLAS, NULL},
    {"Contrat local d’accompagnement à la scolarité", SCH, CLAS, NULL},
    {"C.L.A.S.", SCH, CLAS, NULL},
    {"AUTRE (PRECISER)", SCH, AUTRE, ""},
    {"Autre", SCH, AUTRE, ""},
    {"Autres", SCH, AUTRE, ""},
    {"Autre (préciser)", SCH, AUTRE, ""},
    {"Autre : Coup de pouce", SCH, AUTRE, "Coup de pouce"},
    {"AUTRE : Coup de pouce CLÉ", SCH, AUTRE, "Coup de pouce CLÉ"},
    {"Autre - Ateliers lecture", SCH, AUTRE, "Ateliers lecture"},
    /* a scheme with "number of children" around it */
    {"Nombre d'enfants CLAS", SCH, CLAS, NULL},
    {"CLAS (nombre d'enfants)", SCH, CLAS, NULL},
    {"Nb enfants PRE", SCH, PRE, NULL},
    {"Étude - effectifs", SCH, ETUDE, NULL},
    /* "dont QPV": alone (the group tells the scheme) or with its scheme */
    {"Dont issus QPV", QPV, NO, NULL},
    {"Dont  issus QPV", QPV, NO, NULL},
    {"dont QPV", QPV, NO, NULL},
    {"DONT ISSUS QPV", QPV, NO, NULL},
    {"PRE dont QPV", QPV, PREQ, NULL},
    {"CLAS dont QPV", QPV, CLASQ, NULL},
    {"CLAS - dont QPV", QPV, CLASQ, NULL},
    {"PRE - dont QPV", QPV, PREQ, NULL},
    {"PRE (dont QPV)", QPV, PREQ, NULL},
    {"CLAS (dont issus QPV)", QPV, CLASQ, NULL},
    {"PRE dont issus QPV", QPV, PREQ, NULL},
    {"CLAS - Dont issus QPV", QPV, CLASQ, NULL},
    {"Nombre d'enfants CLAS dont QPV", QPV, CLASQ, NULL},
    {"CLAS dont enfants domiciliés en QPV", QPV, CLASQ, NULL},
    {"Étude dont QPV", NONE, NO, NULL},
    /* one normalization for every header: acronym dots, spaces, hyphens,
     * a trailing colon, abbreviations (issue 17) */
    {"C.L.A.S. dont QPV", QPV, CLASQ, NULL},
    {"C L A S dont QPV", QPV, CLASQ, NULL},
    {"C-L-A-S", SCH, CLAS, NULL},
    {"C L A S", SCH, CLAS, NULL},
    {"P.R.E. dont QPV", QPV, PREQ, NULL},
    {"P R E", SCH, PRE, NULL},
    {"P.R.E (dont issus QPV)", QPV, PREQ, NULL},
    {"C.L.A.S. :", SCH, CLAS, NULL},
    {"Etude :", SCH, ETUDE, NULL},
    {"Acc. Educ.", SCH, AE, NULL},
    {"Accomp. éducatif", SCH, AE, NULL},
    {"Accomp. éduc.", SCH, AE, NULL},
    {"Stage réussite", SCH, SR, NULL},
    {"Etudes surveillées", SCH, ETUDE, NULL},
    {"Ecole Ouverte", SCH, EO, NULL},
    {"E.O.", SCH, EO, NULL},
    {"Accompagnement à l'école", NONE, NO, NULL},
    /* the other columns of the table */
    {"ETABLISSEMENTS SCOLAIRES", NAME, NO, NULL},
    {"Établissement", NAME, NO, NULL},
    {"Établissement scolaire", NAME, NO, NULL},
    {"Nom de l'établissement", NAME, NO, NULL},
    {"Nom de l’établissement", NAME, NO, NULL},
    {"École", NAME, NO, NULL},
    {"Nom", NAME, NO, NULL},
    {"Nom de l'école", NAME, NO, NULL},
    {"Nom de l'école / de l'établissement", NAME, NO, NULL},
    {"Structure", NAME, NO, NULL},
    {"Lieu", NAME, NO, NULL},
    {"Lieu d'intervention", NAME, NO, NULL},
    {"Établissements :", NAME, NO, NULL},
    {"Niveau", LVL, NO, NULL},
    {"NIVEAU", LVL, NO, NULL},
    {"Niveau scolaire", LVL, NO, NULL},
    {"NOMBRE D’ENFANTS", CNT, NO, NULL},
    {"Nombre d'enfants", CNT, NO, NULL},
    {"Nb enfants", CNT, NO, NULL},
    {"Précision", DET, NO, NULL},
    {"Précisions", DET, NO, NULL},
    {"Si autre, préciser", DET, NO, NULL},
    /* the school's UAI (issue "reference") */
    {"UAI", VOCAB_UAI, NO, NULL},
    {"RNE", VOCAB_UAI, NO, NULL},
    {"N° UAI", VOCAB_UAI, NO, NULL},
    {"Code établissement", VOCAB_UAI, NO, NULL},
    {"Code établissement (UAI)", VOCAB_UAI, NO, NULL},
    {"UAI / RNE", VOCAB_UAI, NO, NULL},
    {"Numéro UAI", VOCAB_UAI, NO, NULL},
    /* maps to nothing */
    {"Observations", NONE, NO, NULL},
    {"Coup de pouce CLÉ", NONE, NO, NULL},
    {"Commentaires", NONE, NO, NULL},
    {"", NONE, NO, NULL},
    {"   ", NONE, NO, NULL},
    {"12", NONE, NO, NULL},
    {"Montant", NONE, NO, NULL},
    {"Prénom", NONE, NO, NULL},
    {"Clastres", NONE, NO, NULL},
    {"Prévu", NONE, NO, NULL},
};

Test(vocab, header_cases_count)
{
    cr_assert_geq(sizeof header_cases / sizeof header_cases[0], 45);
}

Test(vocab, classify_header)
{
    size_t i, n = sizeof header_cases / sizeof header_cases[0];

    for (i = 0; i < n; i++) {
        const header_case *c = &header_cases[i];
        vocab_header h = vocab_classify_header(c->text);
        cr_expect_eq(h.kind, c->kind, "«%s»: kind %d, want %d", c->text,
                     (int)h.kind, (int)c->kind);
        cr_expect_eq(h.scheme, c->scheme, "«%s»: scheme %d, want %d", c->text,
                     (int)h.scheme, (int)c->scheme);
        if (c->detail)
            cr_expect_str_eq(h.detail, c->detail, "«%s»: detail «%s»", c->text,
                             h.detail);
    }
}

Test(vocab, classify_header_long)
{
    char text[4096];
    vocab_header h;

    memset(text, 'a', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    memcpy(text, "Autre : ", 8);
    h = vocab_classify_header(text);
    cr_expect_eq(h.kind, VOCAB_SCHEME);
    cr_expect_eq(h.scheme, CLASCONV_SCHEME_AUTRE);
    cr_expect_lt(strlen(h.detail), sizeof h.detail);
}

typedef struct level_case {
    const char *text;
    clasconv_level level;
} level_case;

#define EL CLASCONV_LEVEL_ELEMENTAIRE
#define CO CLASCONV_LEVEL_COLLEGE
#define LY CLASCONV_LEVEL_LYCEE
#define LN CLASCONV_LEVEL_NONE

static const level_case level_cases[] = {
    {"NIVEAU ELEMENTAIRE", EL},
    {"Niveau élémentaire", EL},
    {"Élémentaire", EL},
    {"ELEMENTAIRE", EL},
    {"Primaire", EL},
    {"Premier degré", EL},
    {"1er degré", EL},
    {"Maternelle et élémentaire", EL},
    {"NIVEAU COLLEGE", CO},
    {"Niveau collège", CO},
    {"Collège", CO},
    {"Collèges", CO},
    {"Second degré collège", CO},
    {"Second degré - collège", CO},
    {"NIVEAU LYCEE", LY},
    {"Lycée", LY},
    {"Lycées", LY},
    {"niveau lycée", LY},
    {"Niveau", LN},
    {"", LN},
    {"Second degré", LN},
    {"Total", LN},
    {"CM2", LN},
    {"Collège Jean Moulin", LN},
};

Test(vocab, level_label)
{
    size_t i, n = sizeof level_cases / sizeof level_cases[0];

    cr_assert_geq(n, 20);
    for (i = 0; i < n; i++) {
        char folded[256];
        clasconv_level got;

        clasconv_text_fold(level_cases[i].text, folded, sizeof folded);
        got = vocab_level_label(folded);
        cr_expect_eq(got, level_cases[i].level,
                     "«%s» (folded «%s»): %d, "
                     "want %d",
                     level_cases[i].text, folded, (int)got,
                     (int)level_cases[i].level);
    }
}

typedef struct total_case {
    const char *text;
    vocab_total kind;
    clasconv_level level;
} total_case;

static const total_case total_cases[] = {
    {"TOTAL ELEMENTAIRE", VOCAB_TOTAL_LEVEL, EL},
    {"Total élémentaire", VOCAB_TOTAL_LEVEL, EL},
    {"TOTAL PRIMAIRE", VOCAB_TOTAL_LEVEL, EL},
    {"Total 1er degré", VOCAB_TOTAL_LEVEL, EL},
    {"TOTAL COLLEGE", VOCAB_TOTAL_LEVEL, CO},
    {"Total collèges", VOCAB_TOTAL_LEVEL, CO},
    {"Total niveau collège", VOCAB_TOTAL_LEVEL, CO},
    {"Sous-total collège", VOCAB_TOTAL_LEVEL, CO},
    {"TOTAL LYCEE", VOCAB_TOTAL_LEVEL, LY},
    {"TOTAL LYCEES", VOCAB_TOTAL_LEVEL, LY},
    {"TOTAL", VOCAB_TOTAL_BARE, LN},
    {"Total :", VOCAB_TOTAL_BARE, LN},
    {"Sous-total", VOCAB_TOTAL_BARE, LN},
    {"TOTAL GENERAL", VOCAB_TOTAL_ALL, LN},
    {"Total général", VOCAB_TOTAL_ALL, LN},
    {"TOTAL GÉNÉRAL :", VOCAB_TOTAL_ALL, LN},
    {"Total tous niveaux", VOCAB_TOTAL_ALL, LN},
    {"Totaux", VOCAB_TOTAL_NONE, LN},
    {"Totalement", VOCAB_TOTAL_NONE, LN},
    {"École élémentaire Total", VOCAB_TOTAL_NONE, LN},
    {"", VOCAB_TOTAL_NONE, LN},
    {"NIVEAU COLLEGE", VOCAB_TOTAL_NONE, LN},
};

Test(vocab, total_label)
{
    size_t i, n = sizeof total_cases / sizeof total_cases[0];

    cr_assert_geq(n, 20);
    for (i = 0; i < n; i++) {
        char folded[256];
        clasconv_level level = CLASCONV_LEVEL_COUNT;
        vocab_total got;

        clasconv_text_fold(total_cases[i].text, folded, sizeof folded);
        got = vocab_total_label(folded, &level);
        cr_expect_eq(got, total_cases[i].kind, "«%s»: kind %d, want %d",
                     total_cases[i].text, (int)got, (int)total_cases[i].kind);
        cr_expect_eq(level, total_cases[i].level, "«%s»: level %d, want %d",
                     total_cases[i].text, (int)level,
                     (int)total_cases[i].level);
    }
}

/* A "Niveau" cell drops a leading "niveau" first; a section label tries
 * the whole text first. */
Test(vocab, level_cell_and_section)
{
    static const struct {
        const char *text;
        clasconv_level cell, section;
    } cases[] = {
        {"Niveau collège", CO, CO},  {"NIVEAU LYCEE", LY, LY},
        {"Collèges", CO, CO},        {"Niveau", LN, LN},
        {"niveaux collège", LN, LN}, {"", LN, LN},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char folded[256];
        clasconv_text_fold(cases[i].text, folded, sizeof folded);
        cr_expect_eq(vocab_level_cell(folded), cases[i].cell, "cell «%s»",
                     cases[i].text);
        cr_expect_eq(vocab_level_section(folded), cases[i].section,
                     "section «%s»", cases[i].text);
    }
}

typedef struct commune_case {
    const char *text;
    const char *after; /* NULL: not a commune label */
    vocab_commune_kind kind;
} commune_case;

#define CCELL VOCAB_COMMUNE_CELL
#define CTITLE VOCAB_COMMUNE_TITLE
#define CNONE VOCAB_COMMUNE_NONE

static const commune_case commune_cases[] = {
    {"Territoire de : Bron", " Bron", CCELL},
    {"TERRITOIRE DE :", "", CCELL},
    {"Territoire de Bron", "Bron", CCELL},
    {"Commune de Vénissieux", "Vénissieux", CTITLE},
    {"Commune de : Vénissieux", " Vénissieux", CCELL},
    {"VILLE DE BRON", "BRON", CTITLE},
    {"Ville de Bron : dispositifs 2026", "Bron : dispositifs 2026", CTITLE},
    {"Mairie de Vaulx-en-Velin", "Vaulx-en-Velin", CTITLE},
    {"Ville d'Écully", "Écully", CTITLE},
    {"Mairie d’Oullins", "Oullins", CTITLE},
    {"Commune", "", CCELL},
    {"Ville de", "", CCELL},
    {"Commune : Bron", " Bron", CCELL},
    {"Nom de la commune : Meyzieu", " Meyzieu", CCELL},
    {"Des dispositifs éducatifs du territoire de : Décines", " Décines", CCELL},
    {"Communes voisines", NULL, CNONE},
    {"Villeurbanne", NULL, CNONE},
    {"École Jules Ferry", NULL, CNONE},
    /* an anomaly code in a workbook read back is not a label */
    {"COMMUNE_FROM_FILENAME", NULL, CNONE},
    {"COMMUNE_UNKNOWN", NULL, CNONE},
};

Test(vocab, commune_label)
{
    size_t i;

    for (i = 0; i < sizeof commune_cases / sizeof commune_cases[0]; i++) {
        char folded[256];
        const char *got;
        vocab_commune_kind kind;

        clasconv_text_fold(commune_cases[i].text, folded, sizeof folded);
        got = vocab_after_commune_label(commune_cases[i].text, folded, &kind);
        if (!commune_cases[i].after)
            cr_expect_null(got, "«%s»: «%s»", commune_cases[i].text, got);
        else
            cr_expect(got && !strcmp(got, commune_cases[i].after),
                      "«%s»: «%s», want «%s»", commune_cases[i].text,
                      got ? got : "(null)", commune_cases[i].after);
        cr_expect_eq(kind, commune_cases[i].kind, "«%s»: kind %d",
                     commune_cases[i].text, kind);
    }
    cr_expect(vocab_is_commune_field("territoire"));
    cr_expect(vocab_is_commune_field("commune"));
    cr_expect(!vocab_is_commune_field("commune de"));
}

Test(vocab, qpv_and_autre_words)
{
    vocab_header h = vocab_classify_header("CLAS dont quartier prioritaire");
    cr_expect_eq(h.kind, VOCAB_QPV);
    cr_expect_eq(h.scheme, CLASCONV_SCHEME_CLAS_QPV);
    h = vocab_classify_header("Autres : Coup de pouce");
    cr_expect_eq(h.kind, VOCAB_SCHEME);
    cr_expect_eq(h.scheme, CLASCONV_SCHEME_AUTRE);
    cr_expect_str_eq(h.detail, "Coup de pouce");
    h = vocab_classify_header("Autre (à préciser)");
    cr_expect_eq(h.scheme, CLASCONV_SCHEME_AUTRE);
    cr_expect_str_eq(h.detail, "");
}
