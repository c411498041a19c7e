/* workbook.c: the standardized workbook of SPEC section 4 (Dispositifs,
 * Totaux, Anomalies, Source), written atomically through xlsx_util. */
#include "clasconv/write.h"

#include <stdio.h>
#include <string.h>

#include "write/xlsx_util.h"

/* Dispositifs columns. */
#define COL_LEVEL 0u
#define COL_SCHOOL 1u
#define COL_FIRST_SCHEME 2u /* C .. K, one per scheme */
#define COL_AUTRE_DETAIL (COL_FIRST_SCHEME + CLASCONV_SCHEME_COUNT)
#define COL_READ_NAME (COL_AUTRE_DETAIL + 1u)
#define COL_CELL (COL_READ_NAME + 1u)
#define COL_UAI (COL_CELL + 1u)       /* last: added after the SPEC's columns */
#define COL_OFFICIAL (COL_UAI + 1u)   /* with --annuaire only */
#define COL_CONFIDENCE (COL_UAI + 2u) /* with --annuaire only */
#define DISPOSITIFS_COLS (COL_CONFIDENCE + 1u)

/* Totaux columns: Niveau, Établissements, then the schemes (C .. K, the
 * same letters as in Dispositifs). */
#define TOT_COL_SCHOOLS 1u
#define TOTAUX_COLS (COL_FIRST_SCHEME + CLASCONV_SCHEME_COUNT)

#define ANOMALIES_COLS 9u

/* Column letter of a column index below 26. */
static char col_letter(unsigned col)
{
    return (char)('A' + col);
}

static int valid_level(clasconv_level level)
{
    return level >= 0 && level < CLASCONV_LEVEL_COUNT;
}

/* The Niveau of a Dispositifs row: a school whose level is unknown (a
 * LEVEL_UNKNOWN error) says so, and every row has a label for the Total
 * row's COUNTA. */
static const char *row_level(clasconv_level level)
{
    return valid_level(level) ? clasconv_level_label(level) : "Inconnu";
}

/* Room for two-line header labels (before the row is written: constant
 * memory mode flushes rows). */
static void tall_header(clasconv_xlsx *x, lxw_worksheet *ws)
{
    if (ws != NULL && x->lerr == LXW_NO_ERROR)
        clasconv_xlsx_check(x, worksheet_set_row(ws, 0, 32, NULL), "ligne");
}

/* Widths of the nine scheme columns (ranges must not overlap). */
static void scheme_widths(clasconv_xlsx *x, lxw_worksheet *ws)
{
    unsigned s;

    for (s = 0; s < CLASCONV_SCHEME_COUNT; s++)
        clasconv_xlsx_width(x, ws, COL_FIRST_SCHEME + s, COL_FIRST_SCHEME + s,
                            s == CLASCONV_SCHEME_ACCOMPAGNEMENT_EDUCATIF ? 15
                                                                         : 12);
}

static void write_dispositifs(clasconv_xlsx *x, const clasconv_table *table)
{
    const char *labels[DISPOSITIFS_COLS];
    lxw_worksheet *ws = clasconv_xlsx_add_sheet(x, "Dispositifs");
    unsigned ncols = table->annuaire_used ? DISPOSITIFS_COLS : COL_UAI + 1u;
    size_t i;
    unsigned s;

    labels[COL_LEVEL] = "Niveau";
    labels[COL_SCHOOL] = "Établissement";
    for (s = 0; s < CLASCONV_SCHEME_COUNT; s++)
        labels[COL_FIRST_SCHEME + s] =
            clasconv_scheme_label((clasconv_scheme)s);
    labels[COL_AUTRE_DETAIL] = "Autre (précision)";
    labels[COL_READ_NAME] = "Nom lu";
    labels[COL_CELL] = "Cellule source";
    labels[COL_UAI] = "UAI";
    labels[COL_OFFICIAL] = "Nom dans l'annuaire";
    labels[COL_CONFIDENCE] = "Confiance (%)";
    tall_header(x, ws);
    clasconv_xlsx_header_row(x, ws, labels, ncols);

    for (i = 0; i < table->nschools && x->lerr == LXW_NO_ERROR; i++) {
        const clasconv_school *school = &table->schools[i];
        size_t row = i + 1;

        clasconv_xlsx_string(x, ws, row, COL_LEVEL, row_level(school->level),
                             x->text);
        clasconv_xlsx_string(x, ws, row, COL_SCHOOL, school->name, x->text);
        for (s = 0; s < CLASCONV_SCHEME_COUNT; s++) {
            int64_t count = school->counts[s];

            if (count >= 0)
                clasconv_xlsx_number(x, ws, row, COL_FIRST_SCHEME + s,
                                     (double)count, x->count);
        }
        clasconv_xlsx_string(x, ws, row, COL_AUTRE_DETAIL, school->autre_detail,
                             x->text);
        clasconv_xlsx_string(x, ws, row, COL_READ_NAME, school->read_name,
                             x->text);
        clasconv_xlsx_string(x, ws, row, COL_CELL, school->cell, x->text);
        clasconv_xlsx_string(x, ws, row, COL_UAI, school->uai, x->text);
        if (table->annuaire_used && school->confidence > 0) {
            clasconv_xlsx_string(x, ws, row, COL_OFFICIAL,
                                 school->official_name, x->text);
            clasconv_xlsx_number(x, ws, row, COL_CONFIDENCE,
                                 (double)school->confidence, x->count);
        }
    }

    clasconv_xlsx_width(x, ws, COL_LEVEL, COL_LEVEL, 13);
    clasconv_xlsx_width(x, ws, COL_SCHOOL, COL_SCHOOL, 42);
    scheme_widths(x, ws);
    clasconv_xlsx_width(x, ws, COL_AUTRE_DETAIL, COL_AUTRE_DETAIL, 26);
    clasconv_xlsx_width(x, ws, COL_READ_NAME, COL_READ_NAME, 36);
    clasconv_xlsx_width(x, ws, COL_CELL, COL_CELL, 22);
    clasconv_xlsx_width(x, ws, COL_UAI, COL_UAI, 11);
    if (table->annuaire_used) {
        clasconv_xlsx_width(x, ws, COL_OFFICIAL, COL_OFFICIAL, 42);
        clasconv_xlsx_width(x, ws, COL_CONFIDENCE, COL_CONFIDENCE, 12);
    }
    clasconv_xlsx_page_setup(x, ws);
}

/* What the Totaux formulas compute, from the rows themselves: the number
 * of schools of each level and the sum of each scheme (blanks as 0); the
 * Total row covers every row, a school of unknown level included. */
static void compute_totals(
    const clasconv_table *table,
    double values[CLASCONV_LEVEL_COUNT + 1][1 + CLASCONV_SCHEME_COUNT])
{
    clasconv_totals totals[CLASCONV_TOTALS_COUNT];
    int l, s;

    clasconv_table_totals(table, totals);
    for (l = 0; l <= CLASCONV_LEVEL_COUNT; l++) {
        const clasconv_totals *t =
            &totals[l == CLASCONV_LEVEL_COUNT ? CLASCONV_TOTALS_ALL : l];
        values[l][0] = (double)t->schools;
        for (s = 0; s < CLASCONV_SCHEME_COUNT; s++)
            values[l][1 + s] = (double)t->counts[s];
    }
}

static void write_totaux(clasconv_xlsx *x, const clasconv_table *table)
{
    double values[CLASCONV_LEVEL_COUNT + 1][1 + CLASCONV_SCHEME_COUNT];
    const char *labels[TOTAUX_COLS];
    lxw_worksheet *ws = clasconv_xlsx_add_sheet(x, "Totaux");
    /* Last row of the Dispositifs range (1-based); "$A$2:$A$2" when there
     * are no schools keeps the formulas valid. */
    size_t last = table->nschools + 1 > 2 ? table->nschools + 1 : 2;
    char formula[256];
    unsigned s;
    int l;

    compute_totals(table, values);
    labels[0] = "Niveau";
    labels[TOT_COL_SCHOOLS] = "Établissements";
    for (s = 0; s < CLASCONV_SCHEME_COUNT; s++)
        labels[COL_FIRST_SCHEME + s] =
            clasconv_scheme_label((clasconv_scheme)s);
    tall_header(x, ws);
    clasconv_xlsx_header_row(x, ws, labels, TOTAUX_COLS);

    for (l = 0; l <= CLASCONV_LEVEL_COUNT; l++) {
        const char *label = clasconv_level_label((clasconv_level)l);
        size_t row = (size_t)l + 1;
        int total = l == CLASCONV_LEVEL_COUNT;
        lxw_format *fmt = total ? x->bold_count : x->count;

        clasconv_xlsx_string(x, ws, row, 0, label, total ? x->bold : x->text);
        if (total)
            snprintf(formula, sizeof formula,
                     "=COUNTA(Dispositifs!$A$2:$A$%zu)", last);
        else
            snprintf(formula, sizeof formula,
                     "=COUNTIF(Dispositifs!$A$2:$A$%zu,\"%s\")", last, label);
        clasconv_xlsx_formula(x, ws, row, TOT_COL_SCHOOLS, formula, fmt,
                              values[l][0]);
        for (s = 0; s < CLASCONV_SCHEME_COUNT; s++) {
            char c = col_letter(COL_FIRST_SCHEME + s);

            if (total)
                snprintf(formula, sizeof formula,
                         "=SUM(Dispositifs!%c$2:%c$%zu)", c, c, last);
            else
                snprintf(formula, sizeof formula,
                         "=SUMIF(Dispositifs!$A$2:$A$%zu,\"%s\","
                         "Dispositifs!%c$2:%c$%zu)",
                         last, label, c, c, last);
            clasconv_xlsx_formula(x, ws, row, COL_FIRST_SCHEME + s, formula,
                                  fmt, values[l][1 + s]);
        }
    }

    clasconv_xlsx_width(x, ws, 0, 0, 13);
    clasconv_xlsx_width(x, ws, TOT_COL_SCHOOLS, TOT_COL_SCHOOLS, 15);
    scheme_widths(x, ws);
    clasconv_xlsx_page_setup(x, ws);
}

static void write_anomalies(clasconv_xlsx *x, const clasconv_table *table)
{
    static const char *const labels[ANOMALIES_COLS] = {
        "Code",          "Gravité",        "Niveau",
        "Établissement", "Dispositif",     "Cellule source",
        "Valeur lue",    "Valeur retenue", "Message"};
    static const double widths[ANOMALIES_COLS] = {24, 14, 13, 36, 22,
                                                  22, 14, 14, 80};
    const clasconv_anomalies *list = &table->anomalies;
    lxw_worksheet *ws = clasconv_xlsx_add_sheet(x, "Anomalies");
    size_t i, last_row;
    unsigned c;

    clasconv_xlsx_header_row(x, ws, labels, ANOMALIES_COLS);
    for (i = 0; i < list->count && x->lerr == LXW_NO_ERROR; i++) {
        const clasconv_anomaly *a = &list->items[i];
        size_t row = i + 1;

        clasconv_xlsx_string(x, ws, row, 0, clasconv_anomaly_code_name(a->code),
                             x->text);
        clasconv_xlsx_string(x, ws, row, 1, clasconv_severity_name(a->severity),
                             x->text);
        if (valid_level(a->level))
            clasconv_xlsx_string(x, ws, row, 2, clasconv_level_label(a->level),
                                 x->text);
        clasconv_xlsx_string(x, ws, row, 3, a->school, x->text);
        clasconv_xlsx_string(x, ws, row, 4, clasconv_scheme_label(a->scheme),
                             x->text);
        clasconv_xlsx_string(x, ws, row, 5, a->cell, x->text);
        clasconv_xlsx_string(x, ws, row, 6, a->read, x->text);
        clasconv_xlsx_string(x, ws, row, 7, a->kept, x->text);
        clasconv_xlsx_string(x, ws, row, 8, a->message, x->wrap);
    }
    for (c = 0; c < ANOMALIES_COLS; c++)
        clasconv_xlsx_width(x, ws, c, c, widths[c]);
    last_row = list->count < LXW_ROW_MAX ? list->count : LXW_ROW_MAX - 1;
    if (ws != NULL && x->lerr == LXW_NO_ERROR)
        clasconv_xlsx_check(x,
                            worksheet_autofilter(ws, 0, 0, (lxw_row_t)last_row,
                                                 ANOMALIES_COLS - 1),
                            "filtre");
    clasconv_xlsx_page_setup(x, ws);
}

static void source_text(clasconv_xlsx *x, lxw_worksheet *ws, size_t *row,
                        const char *name, const char *value)
{
    clasconv_xlsx_string(x, ws, *row, 0, name, x->bold);
    clasconv_xlsx_string(x, ws, *row, 1, value, x->text);
    (*row)++;
}

static void source_number(clasconv_xlsx *x, lxw_worksheet *ws, size_t *row,
                          const char *name, size_t value)
{
    clasconv_xlsx_string(x, ws, *row, 0, name, x->bold);
    clasconv_xlsx_number(x, ws, *row, 1, (double)value, x->count);
    (*row)++;
}

static void write_source(clasconv_xlsx *x, const clasconv_table *table)
{
    static const char *const labels[2] = {"Champ", "Valeur"};
    const clasconv_anomalies *list = &table->anomalies;
    lxw_worksheet *ws = clasconv_xlsx_add_sheet(x, "Source");
    size_t row = 1, i;

    clasconv_xlsx_header_row(x, ws, labels, 2);
    source_text(x, ws, &row, "Fichier", table->file_name);
    source_text(x, ws, &row, "Format", table->format);
    source_text(x, ws, &row, "Feuille", table->sheet);
    source_text(x, ws, &row, "Commune", table->commune);
    source_text(x, ws, &row, "Commune trouvée dans",
                clasconv_commune_source_label(table->commune_source));
    if (table->encoding != NULL)
        source_text(x, ws, &row, "Encodage", table->encoding);
    source_text(x, ws, &row, "SHA-256", table->sha256);
    source_number(x, ws, &row, "Erreurs",
                  clasconv_anomalies_count(list, CLASCONV_SEV_ERROR));
    source_number(x, ws, &row, "Avertissements",
                  clasconv_anomalies_count(list, CLASCONV_SEV_WARNING));
    source_number(x, ws, &row, "Infos",
                  clasconv_anomalies_count(list, CLASCONV_SEV_INFO));
    source_text(x, ws, &row, "Version de clasconv", CLASCONV_VERSION);
    for (i = 0; i < table->nfields && x->lerr == LXW_NO_ERROR; i++)
        source_text(x, ws, &row, table->fields[i].name, table->fields[i].value);
    clasconv_xlsx_width(x, ws, 0, 0, 26);
    clasconv_xlsx_width(x, ws, 1, 1, 72);
    clasconv_xlsx_page_setup(x, ws);
}

clasconv_error clasconv_write_workbook(const clasconv_table *table,
                                       const char *path, clasconv_diag *diag)
{
    clasconv_xlsx x;

    if (table == NULL) {
        clasconv_diag_set(diag, "Impossible d'écrire le classeur : aucun "
                                "tableau à écrire.");
        return CLASCONV_ERR_WRITE;
    }
    /* Constant memory: a hostile input can bring a million anomalies. */
    if (clasconv_xlsx_open_opt(&x, path, "Dispositifs CLAS", 1, diag) !=
        CLASCONV_OK)
        return CLASCONV_ERR_WRITE;
    write_dispositifs(&x, table);
    write_totaux(&x, table);
    write_anomalies(&x, table);
    write_source(&x, table);
    return clasconv_xlsx_commit(&x, diag);
}
