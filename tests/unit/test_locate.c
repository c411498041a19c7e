/* test_locate.c: the table locator and the reconciliation on small grids. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <string.h>

#include "clasconv/clasconv.h"
#include "table/locate_internal.h"

/* Adds a sheet of rows of cells separated by '|'; a cell starting with '#'
 * is a number. */
static void add_rows(clasconv_grid *g, const char *sheet_name,
                     const char *const *rows, size_t nrows)
{
    clasconv_sheet *s =
        clasconv_grid_add_sheet(g, sheet_name, CLASCONV_REF_SHEET, 0, NULL);
    size_t r;

    cr_assert_not_null(s);
    for (r = 0; r < nrows; r++) {
        const char *p = rows[r];
        uint32_t c = 0;
        while (1) {
            const char *end = strchr(p, '|');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            if (len && p[0] == '#')
                cr_assert_eq(clasconv_sheet_put_number(s, (uint32_t)r, c,
                                                       atof(p + 1), 0),
                             CLASCONV_OK);
            else if (len)
                cr_assert_eq(
                    clasconv_sheet_put_text(s, (uint32_t)r, c, p, len, 0, 0, 0),
                    CLASCONV_OK);
            if (!end)
                break;
            p = end + 1;
            c++;
        }
    }
}

/* A one-sheet grid (see add_rows). */
static clasconv_grid *grid_of(const char *sheet_name, const char *const *rows,
                              size_t nrows)
{
    clasconv_grid *g = clasconv_grid_new();

    add_rows(g, sheet_name, rows, nrows);
    cr_assert_eq(clasconv_grid_finish(g), CLASCONV_OK);
    return g;
}

static clasconv_table *locate(const char *const *rows, size_t nrows,
                              clasconv_error want)
{
    clasconv_grid *g = grid_of("Feuil1", rows, nrows);
    clasconv_table *t = clasconv_table_new();
    clasconv_diag diag;
    clasconv_error err = clasconv_locate(g, "tableau_bron.xlsx", t, &diag);

    cr_assert_eq(err, want, "locate: %d, message %s", err, diag.message);
    if (!err)
        cr_assert_eq(clasconv_reconcile(t), CLASCONV_OK);
    clasconv_grid_free(g);
    return t;
}

static size_t count_code(const clasconv_table *t, clasconv_anomaly_code code)
{
    size_t i, n = 0;

    for (i = 0; i < t->anomalies.count; i++)
        if (t->anomalies.items[i].code == code)
            n++;
    return n;
}

static const clasconv_anomaly *find_code(const clasconv_table *t,
                                         clasconv_anomaly_code code)
{
    size_t i;

    for (i = 0; i < t->anomalies.count; i++)
        if (t->anomalies.items[i].code == code)
            return &t->anomalies.items[i];
    return NULL;
}

static const char *const form[] = {
    "CONTRAT LOCAL D'ACCOMPAGNEMENT A LA SCOLARITE",
    "Territoire de : Vaulx-en-Velin",
    "",
    "|ETUDE|ECOLE OUVERTE|ACCOMPAGNEMENT EDUCATIF|STAGE DE REUSSITE|"
    "PROGRAMME DE REUSSITE EDUCATIVE (PRE)||(CLAS)||AUTRE (PRECISER)",
    "NIVEAU ELEMENTAIRE",
    "ETABLISSEMENTS SCOLAIRES|NOMBRE D'ENFANTS|NOMBRE D'ENFANTS|"
    "NOMBRE D'ENFANTS|NOMBRE D'ENFANTS|NOMBRE D'ENFANTS|Dont issus QPV|"
    "NOMBRE D'ENFANTS|Dont  issus QPV|NOMBRE D'ENFANTS",
    "EE Jules Ferry|#12||||#4|#2|#20|#25|",
    "Collège Paul Langevin|#3||||||||",
    "|||||||||",
    "TOTAL ELEMENTAIRE|#15||||#4|#2|#21|#25|",
    "NIVEAU COLLEGE",
    "ETABLISSEMENTS SCOLAIRES|NOMBRE D'ENFANTS|NOMBRE D'ENFANTS|"
    "NOMBRE D'ENFANTS|NOMBRE D'ENFANTS|NOMBRE D'ENFANTS|Dont issus QPV|"
    "NOMBRE D'ENFANTS|Dont  issus QPV|NOMBRE D'ENFANTS",
    "CLG jean moulin||NC|||#7||||",
    "|#5|||||||#3|",
    "TOTAL COLLEGE|#5|||||||#3|",
    "NIVEAU LYCEE",
    "TOTAL LYCEE",
    "Eléments complémentaires destinés au Comité départemental du Clas :",
    "Fait à Vaulx-en-Velin, le 3 mai 2026",
};

Test(locate, form_layout_rows_levels_and_columns)
{
    clasconv_table *t = locate(form, sizeof form / sizeof form[0], CLASCONV_OK);

    cr_assert_str_eq(t->commune, "Vaulx-en-Velin");
    cr_assert_str_eq(t->sheet, "Feuil1");
    cr_assert_eq(t->nschools, 4);
    cr_assert_str_eq(t->schools[0].name, "École élémentaire Jules Ferry");
    cr_assert_str_eq(t->schools[0].cell, "Feuil1!A7");
    cr_assert_eq(t->schools[0].level, CLASCONV_LEVEL_ELEMENTAIRE);
    cr_assert_eq(t->schools[0].counts[CLASCONV_SCHEME_ETUDE], 12);
    cr_assert_eq(t->schools[0].counts[CLASCONV_SCHEME_PRE], 4);
    cr_assert_eq(t->schools[0].counts[CLASCONV_SCHEME_PRE_QPV], 2);
    cr_assert_eq(t->schools[0].counts[CLASCONV_SCHEME_CLAS], 20);
    cr_assert_eq(t->schools[0].counts[CLASCONV_SCHEME_CLAS_QPV], 25);
    cr_assert_eq(t->schools[0].counts[CLASCONV_SCHEME_AUTRE], CLASCONV_BLANK);
    /* a collège under NIVEAU ELEMENTAIRE stays there, flagged */
    cr_assert_eq(t->schools[1].level, CLASCONV_LEVEL_ELEMENTAIRE);
    cr_assert_eq(count_code(t, CLASCONV_A_LEVEL_CONFLICT), 1);
    cr_assert_str_eq(t->schools[2].name, "Collège Jean Moulin");
    cr_assert_eq(t->schools[2].level, CLASCONV_LEVEL_COLLEGE);
    cr_assert_str_eq(t->schools[3].name, "(sans nom, Feuil1!A14)");
    cr_assert_null(t->schools[3].read_name);
    cr_assert_eq(count_code(t, CLASCONV_A_SCHOOL_NAME_MISSING), 1);
    /* totals: blanks count as 0, NC is not retained */
    cr_assert_eq(t->totals[CLASCONV_LEVEL_ELEMENTAIRE].schools, 2);
    cr_assert_eq(
        t->totals[CLASCONV_LEVEL_ELEMENTAIRE].counts[CLASCONV_SCHEME_ETUDE],
        15);
    cr_assert_eq(t->totals[CLASCONV_LEVEL_LYCEE].schools, 0);
    cr_assert_eq(t->totals[CLASCONV_LEVEL_COUNT].schools, 4);
    /* declared CLAS total 21 vs 20 computed */
    const clasconv_anomaly *m = find_code(t, CLASCONV_A_TOTAL_MISMATCH);
    cr_assert_not_null(m);
    cr_assert_eq(count_code(t, CLASCONV_A_TOTAL_MISMATCH), 1);
    cr_assert_eq(m->scheme, CLASCONV_SCHEME_CLAS);
    cr_assert_str_eq(m->cell, "Feuil1!H10");
    cr_assert_str_eq(m->read, "21");
    cr_assert_str_eq(m->kept, "20");
    const clasconv_anomaly *q = find_code(t, CLASCONV_A_QPV_EXCEEDS_TOTAL);
    cr_assert_not_null(q);
    cr_assert_str_eq(q->cell, "Feuil1!I7");
    cr_assert_eq(q->scheme, CLASCONV_SCHEME_CLAS_QPV);
    const clasconv_anomaly *v = find_code(t, CLASCONV_A_VALUE_NOT_A_NUMBER);
    cr_assert_not_null(v);
    cr_assert_str_eq(v->cell, "Feuil1!C13");
    cr_assert_str_eq(v->read, "NC");
    cr_assert_str_eq(v->kept, "");
    cr_assert(strstr(v->message, "« NC » en Feuil1!C13"));
    /* PRE 7 without its dont QPV, in the collège */
    cr_assert_eq(count_code(t, CLASCONV_A_QPV_MISSING), 1);
    cr_assert_eq(count_code(t, CLASCONV_A_COLUMN_MISSING), 0);
    cr_assert_eq(count_code(t, CLASCONV_A_COLUMN_UNKNOWN), 0);
    /* errors come first */
    cr_assert_eq(t->anomalies.items[0].severity, CLASCONV_SEV_ERROR);
    clasconv_table_free(t);
}

static const char *const one_row[] = {
    "Dispositifs CLAS 2026",
    "Niveau|Établissement|CLAS|CLAS - dont QPV|PRE|PRE (dont QPV)|Étude|"
    "Observations|Études dirigées",
    "Primaire|EMPU Jean Rostand|#8|#3|||#5|à revoir|#1",
    "Second degré collège|Lycée Ampère|#4|#1|||||",
    "|CLG Victor Hugo|#2|#2|#1|#1|||",
    "|Maison de quartier|#2|#2|||||",
    "Total|||||||",
};

Test(locate, one_row_header_niveau_column_unknown_and_duplicate)
{
    clasconv_table *t =
        locate(one_row, sizeof one_row / sizeof one_row[0], CLASCONV_OK);

    cr_assert_eq(t->nschools, 4);
    cr_assert_eq(t->schools[0].level, CLASCONV_LEVEL_ELEMENTAIRE);
    cr_assert_eq(t->schools[0].counts[CLASCONV_SCHEME_CLAS], 8);
    cr_assert_eq(t->schools[0].counts[CLASCONV_SCHEME_CLAS_QPV], 3);
    cr_assert_eq(t->schools[0].counts[CLASCONV_SCHEME_ETUDE], 5);
    /* level column wins, the type conflicts */
    cr_assert_eq(t->schools[1].level, CLASCONV_LEVEL_COLLEGE);
    cr_assert_str_eq(t->schools[1].name, "Lycée Ampère");
    cr_assert_eq(count_code(t, CLASCONV_A_LEVEL_CONFLICT), 1);
    /* level from the school type alone */
    cr_assert_eq(t->schools[2].level, CLASCONV_LEVEL_COLLEGE);
    cr_assert_eq(t->schools[2].counts[CLASCONV_SCHEME_PRE_QPV], 1);
    /* nothing tells the level: kept last, flagged */
    cr_assert_eq(t->schools[3].level, CLASCONV_LEVEL_NONE);
    cr_assert_eq(count_code(t, CLASCONV_A_LEVEL_UNKNOWN), 1);
    /* Études dirigées is a second ETUDE column */
    const clasconv_anomaly *d = find_code(t, CLASCONV_A_COLUMN_DUPLICATE);
    cr_assert_not_null(d);
    cr_assert_eq(d->scheme, CLASCONV_SCHEME_ETUDE);
    cr_assert_str_eq(d->cell, "Feuil1!I2");
    const clasconv_anomaly *u = find_code(t, CLASCONV_A_COLUMN_UNKNOWN);
    cr_assert_not_null(u);
    cr_assert(strstr(u->message, "Observations"));
    cr_assert(strstr(u->message, "à revoir"));
    /* its values are kept as the school's observations, the header dropped
     * for a column headed « Observations » */
    cr_assert_str_eq(t->schools[0].observations, "à revoir");
    cr_assert_null(t->schools[1].observations);
    /* École ouverte, Accompagnement éducatif, Stage, Autre are missing */
    cr_assert_eq(count_code(t, CLASCONV_A_COLUMN_MISSING), 4);
    clasconv_table_free(t);
}

static const char *const budget[] = {
    "Budget prévisionnel CLAS 2026", "Charges|Montant|Produits|Montant",
    "Achats|#1200|CAF - CLAS|#8000", "Personnel|#15000|Commune|#9000",
    "Total|#16200|Total|#17000",
};

Test(locate, no_table_in_a_budget)
{
    clasconv_table *t =
        locate(budget, sizeof budget / sizeof budget[0], CLASCONV_ERR_NO_TABLE);
    cr_assert_eq(t->nschools, 0);
    clasconv_table_free(t);
}

static const char *const autre[] = {
    "Commune : Saint-Fons",
    "Ecole|CLAS|dont QPV|Autre : Coup de pouce|Précision",
    "Ecole Jean Macé|#10|#4|#6|",
    "Ecole Lamartine|#3|#1|#2|CLÉ",
    "Ecole Pasteur|#5|#5|12 (Coup de pouce Clé)|",
};

Test(locate, autre_precision_and_commune)
{
    clasconv_table *t =
        locate(autre, sizeof autre / sizeof autre[0], CLASCONV_OK);
    cr_assert_str_eq(t->commune, "Saint-Fons");
    cr_assert_eq(t->nschools, 3);
    cr_assert_eq(t->schools[0].counts[CLASCONV_SCHEME_CLAS_QPV], 4);
    cr_assert_eq(t->schools[0].counts[CLASCONV_SCHEME_AUTRE], 6);
    cr_assert_str_eq(t->schools[0].autre_detail, "Coup de pouce");
    cr_assert_str_eq(t->schools[1].autre_detail, "CLÉ");
    /* text after a count is no précision (SPEC 1, issue 17): an error,
     * the cell left blank, the précision not taken from it */
    cr_assert_eq(t->schools[2].counts[CLASCONV_SCHEME_AUTRE], CLASCONV_BLANK);
    cr_assert_null(t->schools[2].autre_detail);
    cr_assert_eq(count_code(t, CLASCONV_A_VALUE_NOT_A_NUMBER), 1);
    clasconv_table_free(t);
}

static const char *const duplicates[] = {
    "Établissement|Niveau|ETUDE|ECOLE OUVERTE|ACC. EDUCATIF|STAGE DE "
    "REUSSITE|PRE|PRE dont QPV|CLAS|CLAS dont QPV|AUTRE",
    "EE Jules Ferry|élémentaire|#1||||||||",
    "École élémentaire JULES-FERRY|Elémentaire|#2|||||||#0|",
    "Collège Jules Ferry|Collèges|#3||||||#-1||néant",
};

Test(locate, duplicates_qpv_without_total_and_values)
{
    clasconv_table *t = locate(
        duplicates, sizeof duplicates / sizeof duplicates[0], CLASCONV_OK);
    cr_assert_eq(t->nschools, 3);
    cr_assert_eq(count_code(t, CLASCONV_A_SCHOOL_DUPLICATE), 1);
    cr_assert_str_eq(find_code(t, CLASCONV_A_SCHOOL_DUPLICATE)->school,
                     "École élémentaire Jules-Ferry");
    cr_assert_eq(count_code(t, CLASCONV_A_QPV_WITHOUT_TOTAL), 1);
    cr_assert_eq(count_code(t, CLASCONV_A_VALUE_NEGATIVE), 1);
    cr_assert_eq(count_code(t, CLASCONV_A_VALUE_READ_AS_ZERO), 1);
    cr_assert_eq(t->schools[2].counts[CLASCONV_SCHEME_AUTRE], 0);
    cr_assert_eq(t->schools[2].counts[CLASCONV_SCHEME_CLAS], CLASCONV_BLANK);
    cr_assert_eq(count_code(t, CLASCONV_A_COLUMN_MISSING), 0);
    clasconv_table_free(t);
}

Test(locate, commune_from_file_name)
{
    static const char *const rows[] = {
        "Nom|Etude|Ecole ouverte|CLAS",
        "Collège Ampère|#1|#2|#3",
    };
    clasconv_table *t = locate(rows, 2, CLASCONV_OK);
    cr_assert_str_eq(t->commune, "Bron");
    clasconv_table_free(t);
}

/* Non-zero when an anomaly of `code` has `part` in its message. */
static int has_message(const clasconv_table *t, clasconv_anomaly_code code,
                       const char *part)
{
    size_t i;

    for (i = 0; i < t->anomalies.count; i++)
        if (t->anomalies.items[i].code == code &&
            strstr(t->anomalies.items[i].message, part))
            return 1;
    return 0;
}

/* Issue 17: one sheet per level, a copy, a sheet without header, a
 * summary by level. */
static const char *const college_sheet[] = {
    "Établissement|CLAS|CLAS dont QPV|PRE",
    "Jean Moulin|#10|#4|",
    "CLG Victor Hugo|#5|#5|#2",
};
static const char *const lycee_sheet[] = {
    "Établissement|CLAS|CLAS dont QPV",
    "Lycée Condorcet|#3|#1",
};
static const char *const loose_sheet[] = {
    "École élémentaire Jules Ferry|#12|#4",
};
static const char *const summary_sheet[] = {
    "Niveau|CLAS|CLAS dont QPV|PRE",
    "Collège|#15|#9|#2",
    "Total|#18|#10|#2",
};

Test(locate, every_sheet_read)
{
    clasconv_grid *g = clasconv_grid_new();
    clasconv_table *t = clasconv_table_new();
    clasconv_diag diag;

    add_rows(g, "Collège", college_sheet, 3);
    add_rows(g, "Récapitulatif", summary_sheet, 3);
    add_rows(g, "Lycée", lycee_sheet, 2);
    add_rows(g, "Collège (2)", college_sheet, 3);
    add_rows(g, "Autres", loose_sheet, 1);
    cr_assert_eq(clasconv_grid_finish(g), CLASCONV_OK);
    cr_assert_eq(clasconv_locate(g, "bron.xlsx", t, &diag), CLASCONV_OK);
    cr_assert_eq(t->nsheets, 2);
    cr_assert_str_eq(t->sheets[0], "Collège");
    cr_assert_str_eq(t->sheets[1], "Lycée");
    cr_assert_str_eq(t->sheet, "Collège, Lycée");
    cr_assert_eq(t->nschools, 3);
    /* "Jean Moulin" has no type: the sheet's name gives its level */
    cr_assert_str_eq(t->schools[0].name, "Jean Moulin");
    cr_assert_eq(t->schools[0].level, CLASCONV_LEVEL_COLLEGE);
    cr_assert_eq(t->schools[2].level, CLASCONV_LEVEL_LYCEE);
    cr_assert_eq(count_code(t, CLASCONV_A_LEVEL_UNKNOWN), 0);
    cr_assert_eq(count_code(t, CLASCONV_A_SHEETS_READ), 1);
    /* the copy and the sheet without header, not the summary */
    cr_assert_eq(count_code(t, CLASCONV_A_SHEET_IGNORED), 2);
    cr_assert(has_message(t, CLASCONV_A_SHEET_IGNORED, "« Collège (2) »"));
    cr_assert(has_message(t, CLASCONV_A_SHEET_IGNORED, "« Autres »"));
    cr_assert(!has_message(t, CLASCONV_A_SHEET_IGNORED, "Récapitulatif"));
    /* PRE is in the Collège sheet only: missing from Lycée, named */
    cr_assert_eq(count_code(t, CLASCONV_A_COLUMN_MISSING),
                 CLASCONV_SCHEME_COUNT - 3 + 1);
    clasconv_table_free(t);
    clasconv_grid_free(g);
}

typedef struct code_case {
    const char *text;
    int code;
} code_case;

static const code_case code_cases[] = {
    {"0691234A", 1},    {" 0691234a ", 1}, {"12", 1},        {"69-001", 1},
    {"Jules Ferry", 0}, {"EE 12", 0},      {"0691234AB", 0}, {"Collège", 0},
};

Test(locate, codes_are_not_names)
{
    size_t i;

    for (i = 0; i < sizeof code_cases / sizeof code_cases[0]; i++)
        cr_expect_eq(locate_is_code(code_cases[i].text), code_cases[i].code,
                     "[%s]", code_cases[i].text);
    cr_assert(locate_names_school("EE Jules Ferry"));
    cr_assert(!locate_names_school("Jules Ferry"));
}

static const char *const remarks[] = {
    "Nom|Étude|CLAS|Coup de pouce|Remarques|Commentaire",
    "EE Jules Ferry|#12|#10|#3|salle B|ouvert le mercredi",
    "CLG Jean Moulin|#5||||",
};

Test(locate, unknown_columns_kept_as_observations)
{
    clasconv_table *t =
        locate(remarks, sizeof remarks / sizeof remarks[0], CLASCONV_OK);

    cr_assert_eq(t->nschools, 2);
    /* « header : value », numbers as written, joined by " ; " */
    cr_assert_str_eq(t->schools[0].observations,
                     "Coup de pouce : 3 ; Remarques : salle B ; Commentaire : "
                     "ouvert le mercredi");
    /* an empty row keeps none */
    cr_assert_null(t->schools[1].observations);
    /* each column still raises its anomaly, saying where its values went */
    cr_assert_eq(count_code(t, CLASCONV_A_COLUMN_UNKNOWN), 3);
    cr_assert(strstr(find_code(t, CLASCONV_A_COLUMN_UNKNOWN)->message,
                     "sa valeur n'est pas comptée, elle est gardée dans la "
                     "colonne « Observations » : École élémentaire Jules "
                     "Ferry : « 3 ». Si elle compte"));
    clasconv_table_free(t);
}

Test(locate, observations_are_bounded)
{
    clasconv_school s;
    char big[3000];
    int i;

    memset(&s, 0, sizeof s);
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cr_assert_eq(clasconv_school_add_observation(&s, "A", "  "), CLASCONV_OK);
    cr_assert_null(s.observations);
    for (i = 0; i < 10; i++)
        cr_assert_eq(clasconv_school_add_observation(&s, "Remarques", big),
                     CLASCONV_OK);
    cr_assert_leq(strlen(s.observations), CLASCONV_OBSERVATIONS_MAX);
    cr_assert_not_null(strstr(s.observations, "caractères de plus"));
    cr_assert_not_null(
        strstr(s.observations + strlen(s.observations) - 4, "…"));
    free(s.observations);
}
