/* workbook.c: the standardized workbook of SPEC section 4 (Dispositifs,
 * Totaux, Anomalies, Source), written atomically through xlsx_util. */
#include "clasconv/write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "write/place.h"
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
/* Then, last, the commune's remarks (school->observations): at
 * COL_UAI + 1 or, with --annuaire, COL_CONFIDENCE + 1; not printed. */
#define OBS_WIDTH 30
#define DISPOSITIFS_COLS (COL_CONFIDENCE + 2u)

/* Totaux columns: Niveau, Établissements, then the schemes (C .. K, the
 * same letters as in Dispositifs). */
#define TOT_COL_SCHOOLS 1u
#define TOTAUX_COLS (COL_FIRST_SCHEME + CLASCONV_SCHEME_COUNT)

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

/* Widths of the nine scheme columns: room for a count, widened by
 * clasconv_xlsx_columns() to the longest word of each label. */
#define SCHEME_WIDTH 7.0

/* At most this many cells get a comment (each is a shape in the file);
 * the others are still coloured. */
#define MAX_COMMENTS 5000u
/* Bytes of messages kept in one comment. */
#define COMMENT_MAX 1500u
/* Excel's limit of hyperlinks in one sheet. */
#define MAX_LINKS 65530u

/* Where anomalies are shown in the workbook. */
typedef struct placement {
    clasconv_place *places;    /* per anomaly */
    clasconv_cell_mark *marks; /* anomalies on a Dispositifs cell, sorted */
    size_t nmarks;
} placement;

static void placement_free(placement *p)
{
    free(p->places);
    free(p->marks);
    memset(p, 0, sizeof *p);
}

static unsigned place_col(const clasconv_place *p)
{
    return p->scheme >= 0 ? COL_FIRST_SCHEME + (unsigned)p->scheme : COL_SCHOOL;
}

static int placement_build(clasconv_xlsx *x, const clasconv_table *table,
                           placement *p)
{
    size_t n = table->anomalies.count;

    memset(p, 0, sizeof *p);
    p->places = malloc((n ? n : 1) * sizeof *p->places);
    if (!p->places ||
        clasconv_place_anomalies(table, p->places) != CLASCONV_OK ||
        clasconv_place_marks(table, p->places, &p->marks, &p->nmarks) !=
            CLASCONV_OK) {
        placement_free(p);
        clasconv_xlsx_check(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "anomalies");
        return -1;
    }
    return 0;
}

static void write_dispositifs(clasconv_xlsx *x, const clasconv_table *table,
                              const placement *p)
{
    clasconv_xlsx_column cols[DISPOSITIFS_COLS];
    lxw_worksheet *ws = clasconv_xlsx_add_sheet(x, "Dispositifs");
    unsigned ncols = table->annuaire_used ? DISPOSITIFS_COLS : COL_UAI + 2u;
    unsigned obs_col = ncols - 1u;
    char comment[COMMENT_MAX + 64];
    size_t i, k = 0, comments = 0;
    unsigned s;

    memset(cols, 0, sizeof cols);
    cols[COL_LEVEL] = (clasconv_xlsx_column){"Niveau", 0, 11};
    cols[COL_SCHOOL] = (clasconv_xlsx_column){"Établissement", 0, 31};
    for (s = 0; s < CLASCONV_SCHEME_COUNT; s++)
        cols[COL_FIRST_SCHEME + s] = (clasconv_xlsx_column){
            clasconv_scheme_label((clasconv_scheme)s), 1, SCHEME_WIDTH};
    cols[COL_AUTRE_DETAIL] = (clasconv_xlsx_column){"Autre (précision)", 0, 16};
    cols[COL_READ_NAME] = (clasconv_xlsx_column){"Nom lu", 0, 20};
    cols[COL_CELL] = (clasconv_xlsx_column){"Cellule source", 0, 14};
    cols[COL_UAI] = (clasconv_xlsx_column){"UAI", 0, 10};
    cols[COL_OFFICIAL] = (clasconv_xlsx_column){"Nom dans l'annuaire", 0, 31};
    cols[COL_CONFIDENCE] = (clasconv_xlsx_column){"Confiance (%)", 1, 11};
    cols[obs_col] = (clasconv_xlsx_column){"Observations", 0, OBS_WIDTH};
    clasconv_xlsx_columns(x, ws, cols, ncols);

    for (i = 0; i < table->nschools && x->lerr == LXW_NO_ERROR; i++) {
        const clasconv_school *school = &table->schools[i];
        size_t row = i + 1;
        unsigned c;
        double obs_h = clasconv_xlsx_text_height(
            school->observations, clasconv_xlsx_column_width(&cols[obs_col]));

        /* Before the cells: constant memory writes rows in order. */
        if (obs_h > CLASCONV_XLSX_LINE_PT && ws != NULL && row < LXW_ROW_MAX)
            clasconv_xlsx_check(
                x, worksheet_set_row(ws, (lxw_row_t)row, obs_h, NULL), "ligne");
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
        clasconv_xlsx_string(x, ws, row, obs_col, school->observations,
                             x->wrap);

        /* The row's cells with an anomaly: the severity's fill (the cell
         * written again with it) and the messages in a comment. */
        while (k < p->nmarks && p->marks[k].school == i &&
               x->lerr == LXW_NO_ERROR) {
            size_t end = k;
            clasconv_severity worst;
            lxw_comment_options opt;

            int scheme = p->marks[k].scheme;

            c = scheme >= 0 ? COL_FIRST_SCHEME + (unsigned)scheme : COL_SCHOOL;
            while (end < p->nmarks && p->marks[end].school == i &&
                   p->marks[end].scheme == scheme)
                end++;
            worst = clasconv_place_message(table, p->marks, k, end, comment,
                                           sizeof comment);
            if (c == COL_SCHOOL)
                clasconv_xlsx_string(x, ws, row, c, school->name,
                                     x->sev_text[worst]);
            else if (school->counts[c - COL_FIRST_SCHEME] >= 0)
                clasconv_xlsx_number(
                    x, ws, row, c, (double)school->counts[c - COL_FIRST_SCHEME],
                    x->sev_count[worst]);
            else
                clasconv_xlsx_check(x,
                                    worksheet_write_blank(ws, (lxw_row_t)row,
                                                          (lxw_col_t)c,
                                                          x->sev_count[worst]),
                                    "cellule");
            if (comments < MAX_COMMENTS && comment[0]) {
                char *safe = clasconv_xlsx_sanitize(comment, COMMENT_MAX + 64);

                memset(&opt, 0, sizeof opt);
                opt.width = 360;
                opt.height =
                    (uint16_t)(clasconv_xlsx_text_height(comment, 50) * 4 / 3 +
                               8);
                if (safe == NULL)
                    clasconv_xlsx_check(x, LXW_ERROR_MEMORY_MALLOC_FAILED,
                                        "commentaire");
                else
                    clasconv_xlsx_check(
                        x,
                        worksheet_write_comment_opt(ws, (lxw_row_t)row,
                                                    (lxw_col_t)c, safe, &opt),
                        "commentaire");
                free(safe);
                comments++;
            }
            k = end;
        }
    }
    /* Observations on screen only: printed too, the page would be under
     * 8 pt at A4 width (tests/render). */
    clasconv_xlsx_print_area(x, ws, table->nschools, obs_col - 1);
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
    clasconv_xlsx_column cols[TOTAUX_COLS];
    lxw_worksheet *ws = clasconv_xlsx_add_sheet(x, "Totaux");
    /* Last row of the Dispositifs range (1-based); "$A$2:$A$2" when there
     * are no schools keeps the formulas valid. */
    size_t last = table->nschools + 1 > 2 ? table->nschools + 1 : 2;
    char formula[256];
    unsigned s;
    int l;

    compute_totals(table, values);
    cols[0] = (clasconv_xlsx_column){"Niveau", 0, 12};
    cols[TOT_COL_SCHOOLS] = (clasconv_xlsx_column){"Établissements", 1, 8};
    for (s = 0; s < CLASCONV_SCHEME_COUNT; s++)
        cols[COL_FIRST_SCHEME + s] = (clasconv_xlsx_column){
            clasconv_scheme_label((clasconv_scheme)s), 1, SCHEME_WIDTH};
    clasconv_xlsx_columns(x, ws, cols, TOTAUX_COLS);

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

    clasconv_xlsx_page_setup(x, ws);
}

/* Anomalies columns: what a reader needs first, then the technical ones.
 * The names are those of SPEC section 4, plus the link to the output cell
 * beside the source cell. */
enum {
    AN_SEVERITY,
    AN_LEVEL,
    AN_SCHOOL,
    AN_SCHEME,
    AN_MESSAGE,
    AN_READ,
    AN_KEPT,
    AN_CODE,
    AN_CELL,
    AN_LINK,
    ANOMALIES_COLS
};

/* The workbook cell an anomaly is shown on ("Dispositifs!C5"), or "". */
static void output_cell(const clasconv_place *p, char *buf, size_t size)
{
    buf[0] = '\0';
    if (p->school != CLASCONV_PLACE_NONE)
        snprintf(buf, size, "Dispositifs!%c%zu", col_letter(place_col(p)),
                 p->school + 2);
    else if (p->total >= 0 && p->scheme >= 0)
        snprintf(buf, size, "Totaux!%c%d",
                 col_letter(COL_FIRST_SCHEME + (unsigned)p->scheme),
                 p->total + 2);
}

static void write_anomalies(clasconv_xlsx *x, const clasconv_table *table,
                            const placement *p)
{
    static const clasconv_xlsx_column cols[ANOMALIES_COLS] = {
        [AN_SEVERITY] = {"Gravité", 0, 13},
        [AN_LEVEL] = {"Niveau", 0, 10.5},
        [AN_SCHOOL] = {"Établissement", 0, 25},
        [AN_SCHEME] = {"Dispositif", 0, 13},
        [AN_MESSAGE] = {"Message", 0, 43},
        [AN_READ] = {"Valeur lue", 0, 9},
        [AN_KEPT] = {"Valeur retenue", 0, 9},
        [AN_CODE] = {"Code", 0, 25},
        [AN_CELL] = {"Cellule source", 0, 14},
        [AN_LINK] = {"Cellule du classeur", 0, 13}};
    const clasconv_anomalies *list = &table->anomalies;
    lxw_worksheet *ws = clasconv_xlsx_add_sheet(x, "Anomalies");
    size_t i, last_row, links = 0;
    char target[64], url[96];

    clasconv_xlsx_columns(x, ws, cols, ANOMALIES_COLS);
    for (i = 0; i < list->count && x->lerr == LXW_NO_ERROR; i++) {
        const clasconv_anomaly *a = &list->items[i];
        size_t row = i + 1;
        double height =
            clasconv_xlsx_text_height(a->message, cols[AN_MESSAGE].width);
        double school_h =
            clasconv_xlsx_text_height(a->school, cols[AN_SCHOOL].width);
        const char *scheme = clasconv_scheme_label(a->scheme);
        double scheme_h =
            clasconv_xlsx_text_height(scheme, cols[AN_SCHEME].width);

        double read_h = clasconv_xlsx_text_height(a->read, cols[AN_READ].width);
        double kept_h = clasconv_xlsx_text_height(a->kept, cols[AN_KEPT].width);

        if (school_h > height)
            height = school_h;
        if (scheme_h > height)
            height = scheme_h;
        double code_h = clasconv_xlsx_text_height(
            clasconv_anomaly_code_name(a->code), cols[AN_CODE].width);

        if (read_h > height)
            height = read_h;
        if (code_h > height)
            height = code_h;
        if (kept_h > height)
            height = kept_h;
        /* Before the cells: constant memory writes rows in order. */
        if (ws != NULL && row < LXW_ROW_MAX)
            clasconv_xlsx_check(
                x, worksheet_set_row(ws, (lxw_row_t)row, height, NULL),
                "ligne");
        clasconv_xlsx_string(x, ws, row, AN_SEVERITY,
                             clasconv_severity_name(a->severity),
                             x->sev_text[a->severity]);
        if (valid_level(a->level))
            clasconv_xlsx_string(x, ws, row, AN_LEVEL,
                                 clasconv_level_label(a->level), x->text);
        clasconv_xlsx_string(x, ws, row, AN_SCHOOL, a->school, x->wrap);
        clasconv_xlsx_string(x, ws, row, AN_SCHEME, scheme, x->wrap);
        clasconv_xlsx_string(x, ws, row, AN_MESSAGE, a->message, x->wrap);
        clasconv_xlsx_string(x, ws, row, AN_READ, a->read, x->wrap);
        clasconv_xlsx_string(x, ws, row, AN_KEPT, a->kept, x->wrap);
        clasconv_xlsx_string(x, ws, row, AN_CODE,
                             clasconv_anomaly_code_name(a->code), x->wrap);
        clasconv_xlsx_string(x, ws, row, AN_CELL, a->cell, x->text);
        output_cell(&p->places[i], target, sizeof target);
        if (target[0] && links < MAX_LINKS && ws != NULL &&
            x->lerr == LXW_NO_ERROR && row < LXW_ROW_MAX) {
            snprintf(url, sizeof url, "internal:%s", target);
            clasconv_xlsx_check(x,
                                worksheet_write_url_opt(ws, (lxw_row_t)row,
                                                        AN_LINK, url, x->link,
                                                        target, NULL),
                                "lien");
            links++;
        } else {
            clasconv_xlsx_string(x, ws, row, AN_LINK, target, x->text);
        }
    }
    last_row = list->count < LXW_ROW_MAX ? list->count : LXW_ROW_MAX - 1;
    if (ws != NULL && x->lerr == LXW_NO_ERROR)
        clasconv_xlsx_check(x,
                            worksheet_autofilter(ws, 0, 0, (lxw_row_t)last_row,
                                                 ANOMALIES_COLS - 1),
                            "filtre");
    clasconv_xlsx_print_area(x, ws, last_row, ANOMALIES_COLS - 1);
    clasconv_xlsx_page_setup(x, ws);
}

/* Widths of the Source sheet's columns. */
#define SOURCE_NAME_WIDTH 28.0
#define SOURCE_VALUE_WIDTH 72.0

/* A Source fact; a long value (a Word form's field) wraps, its row grows. */
static void source_text(clasconv_xlsx *x, lxw_worksheet *ws, size_t *row,
                        const char *name, const char *value)
{
    double h = clasconv_xlsx_text_height(value, SOURCE_VALUE_WIDTH);
    double name_h = clasconv_xlsx_text_height(name, SOURCE_NAME_WIDTH);

    if (name_h > h)
        h = name_h;
    if (h > CLASCONV_XLSX_LINE_PT && ws != NULL && x->lerr == LXW_NO_ERROR)
        clasconv_xlsx_check(x, worksheet_set_row(ws, (lxw_row_t)*row, h, NULL),
                            "ligne");
    clasconv_xlsx_string(x, ws, *row, 0, name, x->bold_wrap);
    clasconv_xlsx_string(x, ws, *row, 1, value, x->wrap);
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
    static const clasconv_xlsx_column cols[2] = {
        {"Champ", 0, SOURCE_NAME_WIDTH}, {"Valeur", 0, SOURCE_VALUE_WIDTH}};
    const clasconv_anomalies *list = &table->anomalies;
    lxw_worksheet *ws = clasconv_xlsx_add_sheet(x, "Source");
    size_t row = 1, i;

    clasconv_xlsx_columns(x, ws, cols, 2);
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
    clasconv_xlsx_page_setup(x, ws);
}

clasconv_error clasconv_write_workbook(const clasconv_table *table,
                                       const char *path, clasconv_diag *diag)
{
    placement places;
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
    clasconv_xlsx_set_print_title(&x, table->commune);
    if (placement_build(&x, table, &places) == 0) {
        write_dispositifs(&x, table, &places);
        write_totaux(&x, table);
        write_anomalies(&x, table, &places);
        write_source(&x, table);
    }
    placement_free(&places);
    return clasconv_xlsx_commit(&x, diag);
}
