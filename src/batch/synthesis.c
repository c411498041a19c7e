/* synthesis.c: synthese.xlsx, the batch's summary workbook: one row per
 * counted file and level with the territory's totals, every school, every
 * anomaly, every input file, the totals per level of the whole folder.
 * Exact copies and older versions of a commune's file are listed, never
 * counted (batch/consolidate.c decides). */
#include "clasconv/batch.h"

#include <stdio.h>
#include <string.h>

#include "batch/consolidate.h"
#include "write/xlsx_util.h"

/* Data rows per sheet (Excel has 1,048,576 rows, one is the header and one
 * is kept for the note saying the list was cut). */
#define SYNTH_MAX_ROWS 1048574u

typedef struct sheet {
    clasconv_xlsx *x;
    lxw_worksheet *ws;
    size_t row; /* next row to write (0 is the header) */
    unsigned ncols;
    unsigned printed;  /* columns in the print area (the first ones) */
    int full;          /* the row cap was reached */
    double widths[32]; /* of each column, in characters */
    /* The row being planned: constant_memory mode wants a row's height set
     * before its cells, so cells are gathered, then written by row_flush. */
    size_t cur;  /* its number */
    int open;    /* cells are waiting */
    double tall; /* its height so far (points) */
    const char *text[32];
    int64_t count[32];
    unsigned char kind[32]; /* 0 none, 1 text, 2 count, 3 one-line text */
} sheet;

/* Columns of each sheet: label (NULL: a scheme label, filled in by
 * sheet_start), numbers or not, width in characters (widened to the
 * longest word of the label). Widths keep A4 landscape legible. */
static const clasconv_xlsx_column communes_head[] = {{"Commune", 0, 18},
                                                     {"Fichier", 0, 22},
                                                     {"Niveau", 0, 10.5},
                                                     {"Établissements", 1, 8},
                                                     {NULL, 1, 7},
                                                     {NULL, 1, 7},
                                                     {NULL, 1, 7},
                                                     {NULL, 1, 7},
                                                     {NULL, 1, 7},
                                                     {NULL, 1, 7},
                                                     {NULL, 1, 7},
                                                     {NULL, 1, 7},
                                                     {NULL, 1, 7},
                                                     {"Erreurs", 1, 7},
                                                     {"Avertissements", 1, 8},
                                                     {"Statut", 0, 12}};
#define COMMUNES_NCOLS 16u

/* The file comes last, on one line and outside the print area: a file
 * name has no word to break at, and wrapped in a narrow column it made
 * every printed row six lines tall. On paper the commune says where a
 * school comes from; on screen the name runs over the empty cells to its
 * right. */
static const clasconv_xlsx_column schools_head[] = {
    {"Commune", 0, 13},
    {"Niveau", 0, 10.5},
    {"Établissement", 0, 21},
    {"Clé", 0, 14},
    {NULL, 1, 7},
    {NULL, 1, 7},
    {NULL, 1, 7},
    {NULL, 1, 7},
    {NULL, 1, 7},
    {NULL, 1, 7},
    {NULL, 1, 7},
    {NULL, 1, 7},
    {NULL, 1, 7},
    {"Autre (précision)", 0, 10.5},
    {"Nom lu", 0, 14},
    {"Cellule source", 0, 8.5},
    {"UAI", 0, 9},
    {"Fichier", 0, 30}};
#define SCHOOLS_NCOLS 18u

static const clasconv_xlsx_column anomalies_head[] = {
    {"Commune", 0, 14},    {"Fichier", 0, 16},
    {"Code", 0, 19},       {"Gravité", 0, 13},
    {"Niveau", 0, 10.5},   {"Établissement", 0, 22},
    {"Dispositif", 0, 12}, {"Cellule source", 0, 12},
    {"Valeur lue", 0, 9},  {"Valeur retenue", 0, 9},
    {"Message", 0, 44}};
#define ANOMALIES_NCOLS 11u

static const clasconv_xlsx_column files_head[] = {
    {"Fichier", 0, 22}, {"Commune", 0, 14}, {"Format", 0, 7},
    {"Statut", 0, 11},  {"Erreurs", 1, 7},  {"Avertissements", 1, 8},
    {"Infos", 1, 6},    {"Message", 0, 38}, {"Sortie", 0, 18},
    {"SHA-256", 0, 14}, {"Décompte", 0, 24}};
#define FILES_NCOLS 11u

static const clasconv_xlsx_column territory_head[] = {
    {"Niveau", 0, 14}, {"Établissements", 1, 10},
    {NULL, 1, 9},      {NULL, 1, 9},
    {NULL, 1, 9},      {NULL, 1, 9},
    {NULL, 1, 9},      {NULL, 1, 9},
    {NULL, 1, 9},      {NULL, 1, 9},
    {NULL, 1, 9}};
#define TERRITORY_NCOLS 11u

/* Communes: the column of the level, of the school count, of the first
 * scheme. */
#define COMMUNES_COL_LEVEL 2u
#define COMMUNES_COL_SCHOOLS 3u
#define COMMUNES_COL_FIRST_SCHEME 4u

/* Starts a sheet: header row, scheme labels from column `first_scheme`. */
static void sheet_start(sheet *sh, clasconv_xlsx *x, const char *name,
                        const clasconv_xlsx_column *head, unsigned ncols,
                        int first_scheme)
{
    clasconv_xlsx_column cols[32];
    unsigned c;
    int s;

    memset(sh, 0, sizeof *sh);
    sh->x = x;
    sh->ws = clasconv_xlsx_add_sheet(x, name);
    sh->row = 1;
    sh->ncols = ncols;
    sh->printed = ncols;
    if (sh->ws == NULL)
        return;
    for (c = 0; c < ncols && c < 32; c++)
        cols[c] = head[c];
    if (first_scheme >= 0)
        for (s = 0; s < CLASCONV_SCHEME_COUNT; s++)
            cols[first_scheme + s].label =
                clasconv_scheme_label((clasconv_scheme)s);
    for (c = 0; c < ncols && c < 32; c++)
        sh->widths[c] = clasconv_xlsx_column_width(&cols[c]);
    clasconv_xlsx_columns(x, sh->ws, cols, ncols);
    clasconv_xlsx_page_setup(x, sh->ws);
}

static void row_flush(sheet *sh);

/* Claims the next row; returns 0 when the sheet is full (the note is then
 * written once). */
static int sheet_row(sheet *sh, size_t *row)
{
    if (sh->ws == NULL)
        return 0;
    if (sh->row > SYNTH_MAX_ROWS) {
        row_flush(sh);
        if (!sh->full)
            clasconv_xlsx_string(sh->x, sh->ws, sh->row, 0,
                                 "… liste coupée : la limite de lignes "
                                 "d'Excel est atteinte.",
                                 sh->x->text);
        sh->full = 1;
        return 0;
    }
    *row = sh->row++;
    return 1;
}

static void sheet_finish(sheet *sh)
{
    if (sh->ws == NULL)
        return;
    row_flush(sh);
    clasconv_xlsx_check(sh->x,
                        worksheet_autofilter(sh->ws, 0, 0,
                                             (lxw_row_t)(sh->row - 1),
                                             (lxw_col_t)(sh->ncols - 1)),
                        "filtre");
    clasconv_xlsx_print_area(sh->x, sh->ws, sh->row - 1, sh->printed - 1);
}

/* Writes the planned row: its height first (libxlsxwriter does not
 * autofit, nor does LibreOffice on opening), then its cells in order. */
static void row_flush(sheet *sh)
{
    unsigned c;

    if (!sh->open)
        return;
    sh->open = 0;
    if (sh->tall > CLASCONV_XLSX_LINE_PT && sh->x->lerr == LXW_NO_ERROR)
        clasconv_xlsx_check(
            sh->x,
            worksheet_set_row(sh->ws, (lxw_row_t)sh->cur, sh->tall, NULL),
            "ligne");
    for (c = 0; c < sh->ncols && c < 32; c++) {
        if (sh->kind[c] == 1)
            clasconv_xlsx_string(sh->x, sh->ws, sh->cur, c, sh->text[c],
                                 sh->x->wrap);
        else if (sh->kind[c] == 3)
            clasconv_xlsx_string(sh->x, sh->ws, sh->cur, c, sh->text[c],
                                 sh->x->text);
        else if (sh->kind[c] == 2)
            clasconv_xlsx_number(sh->x, sh->ws, sh->cur, c,
                                 (double)sh->count[c], sh->x->count);
        sh->kind[c] = 0;
    }
}

/* Starts planning `row` (flushing the previous one). */
static void row_plan(sheet *sh, size_t row)
{
    if (sh->open && sh->cur == row)
        return;
    row_flush(sh);
    sh->open = 1;
    sh->cur = row;
    sh->tall = CLASCONV_XLSX_LINE_PT;
}

/* Text wraps in its column (paths, keys and hashes are long) and its row
 * grows to show it: nothing runs over the next cells or the next row.
 * `text` must stay alive until the row is flushed. */
static void put_text(sheet *sh, size_t row, unsigned col, const char *text)
{
    double h;

    if (text == NULL || text[0] == '\0' || sh->ws == NULL || col >= 32)
        return;
    row_plan(sh, row);
    h = clasconv_xlsx_text_height(text, sh->widths[col]);
    if (h > sh->tall)
        sh->tall = h;
    sh->kind[col] = 1;
    sh->text[col] = text;
}

/* Text on one line that does not make its row taller (see schools_head). */
static void put_line(sheet *sh, size_t row, unsigned col, const char *text)
{
    if (text == NULL || text[0] == '\0' || sh->ws == NULL || col >= 32)
        return;
    row_plan(sh, row);
    sh->kind[col] = 3;
    sh->text[col] = text;
}

static void put_count(sheet *sh, size_t row, unsigned col, int64_t value)
{
    if (value == CLASCONV_BLANK || sh->ws == NULL || col >= 32)
        return;
    row_plan(sh, row);
    sh->kind[col] = 2;
    sh->count[col] = value;
}

static int has_levels(const clasconv_batch_file *f)
{
    return f->table != NULL && (f->status == CLASCONV_BATCH_OK ||
                                f->status == CLASCONV_BATCH_TO_CHECK ||
                                f->status == CLASCONV_BATCH_WRITE_FAILED);
}

/* Counted figures of a file: listed in Communes and Établissements. */
static int counted(const batch_consolidation *c, size_t i)
{
    return c->counts[i].kind == BATCH_COUNT_YES;
}

/* Not counted because another file stands for the same data. */
static int set_aside(const batch_consolidation *c, size_t i)
{
    return c->counts[i].kind == BATCH_COUNT_EXACT_COPY ||
           c->counts[i].kind == BATCH_COUNT_SUPERSEDED;
}

static char column_letter(unsigned col)
{
    return (char)('A' + col);
}

/* The territory's totals: [level][0] schools, [level][1 + s] scheme s;
 * index CLASCONV_LEVEL_COUNT is every level. */
typedef struct territory_totals {
    double v[CLASCONV_LEVEL_COUNT + 1][1 + CLASCONV_SCHEME_COUNT];
} territory_totals;

static void sum_counted(const clasconv_batch_file *files, size_t n,
                        const batch_consolidation *c, territory_totals *sums)
{
    size_t i;
    int l, s;

    memset(sums, 0, sizeof *sums);
    for (i = 0; i < n; i++) {
        if (!counted(c, i))
            continue;
        for (l = 0; l < CLASCONV_LEVEL_COUNT; l++) {
            const clasconv_totals *t = &files[i].table->totals[l];
            sums->v[l][0] += (double)t->schools;
            sums->v[CLASCONV_LEVEL_COUNT][0] += (double)t->schools;
            for (s = 0; s < CLASCONV_SCHEME_COUNT; s++) {
                double v = t->counts[s] < 0 ? 0 : (double)t->counts[s];
                sums->v[l][1 + s] += v;
                sums->v[CLASCONV_LEVEL_COUNT][1 + s] += v;
            }
        }
    }
}

/* The total rows under the Communes data: one per level (SUMIF on the
 * Niveau column), then every level (SUM); formulas with their values.
 * Sets `first_total` to the 1-based row of the first. */
static void write_communes_totals(sheet *sh, const territory_totals *sums,
                                  size_t *first_total)
{
    /* 1-based last data row; an empty sheet keeps a blank row 2 so that
     * no formula ever covers a total row. */
    size_t last = sh->row > 2 ? sh->row : 2;
    size_t row = last; /* 0-based row just after the data */
    char formula[256];
    unsigned col;
    int l;

    *first_total = row + 1;
    row_flush(sh);
    if (sh->ws == NULL || row + CLASCONV_LEVEL_COUNT + 1 > SYNTH_MAX_ROWS)
        return;
    for (l = 0; l <= CLASCONV_LEVEL_COUNT; l++, row++) {
        int all = l == CLASCONV_LEVEL_COUNT;
        const char *label =
            all ? "Tous niveaux" : clasconv_level_label((clasconv_level)l);
        lxw_format *fmt = all ? sh->x->bold_count : sh->x->count;

        clasconv_xlsx_string(sh->x, sh->ws, row, 0, "Total", sh->x->bold);
        clasconv_xlsx_string(sh->x, sh->ws, row, COMMUNES_COL_LEVEL, label,
                             all ? sh->x->bold : sh->x->text);
        for (col = COMMUNES_COL_SCHOOLS;
             col < COMMUNES_COL_FIRST_SCHEME + CLASCONV_SCHEME_COUNT; col++) {
            char c = column_letter(col);
            if (all)
                snprintf(formula, sizeof formula, "=SUM(%c$2:%c$%zu)", c, c,
                         last);
            else
                snprintf(formula, sizeof formula,
                         "=SUMIF($%c$2:$%c$%zu,\"%s\",%c$2:%c$%zu)",
                         column_letter(COMMUNES_COL_LEVEL),
                         column_letter(COMMUNES_COL_LEVEL), last, label, c, c,
                         last);
            clasconv_xlsx_formula(sh->x, sh->ws, row, col, formula, fmt,
                                  sums->v[l][col - COMMUNES_COL_SCHOOLS]);
        }
    }
}

static void write_communes(sheet *sh, const clasconv_batch_file *files,
                           size_t n, const batch_consolidation *c)
{
    size_t i, row;
    int l, s;

    for (i = 0; i < n; i++) {
        const clasconv_batch_file *f = &files[i];
        const char *commune = clasconv_batch_file_commune(f);
        const char *status = clasconv_batch_status_label(f->status);

        if (f->status == CLASCONV_BATCH_SKIPPED || set_aside(c, i))
            continue;
        if (!has_levels(f)) {
            if (!sheet_row(sh, &row))
                return;
            put_text(sh, row, 0, commune);
            put_text(sh, row, 1, f->path);
            put_count(sh, row, 13, (int64_t)f->errors);
            put_count(sh, row, 14, (int64_t)f->warnings);
            put_text(sh, row, 15, status);
            continue;
        }
        for (l = 0; l < CLASCONV_LEVEL_COUNT; l++) {
            const clasconv_totals *t = &f->table->totals[l];
            if (!sheet_row(sh, &row))
                return;
            put_text(sh, row, 0, commune);
            put_text(sh, row, 1, f->path);
            put_text(sh, row, 2, clasconv_level_label((clasconv_level)l));
            put_count(sh, row, 3, t->schools);
            for (s = 0; s < CLASCONV_SCHEME_COUNT; s++)
                put_count(sh, row, 4 + (unsigned)s,
                          t->counts[s] < 0 ? 0 : t->counts[s]);
            put_count(sh, row, 13, (int64_t)f->errors);
            put_count(sh, row, 14, (int64_t)f->warnings);
            put_text(sh, row, 15, status);
        }
    }
}

static clasconv_error write_schools(sheet *sh, batch_tables *tables,
                                    const batch_consolidation *c)
{
    size_t i, j, row;
    clasconv_error err = CLASCONV_OK;
    int s;

    for (i = 0; i < tables->n; i++) {
        const clasconv_batch_file *f = &tables->files[i];
        const char *commune = clasconv_batch_file_commune(f);
        const clasconv_table *t;

        if (!has_levels(f) || !counted(c, i))
            continue;
        t = batch_tables_get(tables, i, &err);
        if (t == NULL)
            return err;
        for (j = 0; j < t->nschools; j++) {
            const clasconv_school *sc = &t->schools[j];
            /* One row per UAI listed by several files (issue 16), where
             * its first school is; the others are in that row. */
            const batch_school_ref *ref = batch_school_merged(c, i, j);
            const batch_school_row *merged =
                ref != NULL ? &c->school_rows[ref->row] : NULL;
            if (ref != NULL && !ref->first)
                continue;
            if (!sheet_row(sh, &row))
                return CLASCONV_OK;
            put_text(sh, row, 0, merged ? merged->communes : commune);
            if (sc->level != CLASCONV_LEVEL_NONE)
                put_text(sh, row, 1, clasconv_level_label(sc->level));
            put_text(sh, row, 2, sc->name);
            put_text(sh, row, 3, sc->key);
            for (s = 0; s < CLASCONV_SCHEME_COUNT; s++)
                put_count(sh, row, 4 + (unsigned)s,
                          merged ? merged->counts[s] : sc->counts[s]);
            put_text(sh, row, 13, sc->autre_detail);
            put_text(sh, row, 14, sc->read_name);
            put_text(sh, row, 15, merged ? merged->cells : sc->cell);
            put_text(sh, row, 16, sc->uai);
            put_line(sh, row, 17, merged ? merged->files : f->path);
        }
        row_flush(sh); /* the next file's table replaces this one */
    }
    return CLASCONV_OK;
}

static void put_anomaly(sheet *sh, size_t row, const clasconv_anomaly *a)
{
    put_text(sh, row, 2, clasconv_anomaly_code_name(a->code));
    put_text(sh, row, 3, clasconv_severity_name(a->severity));
    if (a->level != CLASCONV_LEVEL_NONE)
        put_text(sh, row, 4, clasconv_level_label(a->level));
    put_text(sh, row, 5, a->school);
    if (a->scheme != CLASCONV_SCHEME_NONE)
        put_text(sh, row, 6, clasconv_scheme_label(a->scheme));
    put_text(sh, row, 7, a->cell);
    put_text(sh, row, 8, a->read);
    put_text(sh, row, 9, a->kept);
    put_text(sh, row, 10, a->message);
}

/* The anomalies found across files come first: they decide what counts. */
static clasconv_error write_anomalies(sheet *sh, batch_tables *tables,
                                      const batch_consolidation *c)
{
    const clasconv_batch_file *files = tables->files;
    size_t i, j, row, n = tables->n;
    clasconv_error err = CLASCONV_OK;

    for (i = 0; i < c->anomalies.count; i++) {
        const clasconv_batch_file *f = &files[c->anomaly_file[i]];
        if (!sheet_row(sh, &row))
            return CLASCONV_OK;
        put_text(sh, row, 0, clasconv_batch_file_commune(f));
        put_text(sh, row, 1, f->path);
        put_anomaly(sh, row, &c->anomalies.items[i]);
    }
    for (i = 0; i < n; i++) {
        const clasconv_batch_file *f = &files[i];
        const char *commune = clasconv_batch_file_commune(f);

        const clasconv_table *t;

        if (f->status == CLASCONV_BATCH_SKIPPED)
            continue;
        t = batch_tables_get(tables, i, &err);
        if (t == NULL && err != CLASCONV_OK)
            return err;
        if (t == NULL || t->anomalies.count == 0) {
            /* A file whose worker failed: its message stands for it. */
            if (f->status != CLASCONV_BATCH_UNREADABLE)
                continue;
            if (!sheet_row(sh, &row))
                return CLASCONV_OK;
            put_text(sh, row, 0, commune);
            put_text(sh, row, 1, f->path);
            put_text(sh, row, 2,
                     clasconv_anomaly_code_name(CLASCONV_A_FILE_UNREADABLE));
            put_text(sh, row, 3, clasconv_severity_name(CLASCONV_SEV_ERROR));
            put_text(sh, row, 10, f->message);
            continue;
        }
        for (j = 0; j < t->anomalies.count; j++) {
            const clasconv_anomaly *a = &t->anomalies.items[j];
            if (!sheet_row(sh, &row))
                return CLASCONV_OK;
            put_text(sh, row, 0, commune);
            put_text(sh, row, 1, f->path);
            put_anomaly(sh, row, a);
        }
        if (f->truncated && sheet_row(sh, &row)) {
            put_text(sh, row, 0, commune);
            put_text(sh, row, 1, f->path);
            put_text(sh, row, 10,
                     "… liste coupée : toutes les anomalies sont dans le "
                     "classeur du fichier.");
        }
        row_flush(sh); /* the next file's table replaces this one */
    }
    return CLASCONV_OK;
}

static void write_files(sheet *sh, const clasconv_batch_file *files, size_t n,
                        const batch_consolidation *c)
{
    size_t i, row;
    char count[512];

    for (i = 0; i < n; i++) {
        const clasconv_batch_file *f = &files[i];
        if (!sheet_row(sh, &row))
            return;
        batch_count_text(c, files, i, count, sizeof count);
        put_text(sh, row, 10, count);
        put_text(sh, row, 0, f->path);
        put_text(sh, row, 1, clasconv_batch_file_commune(f));
        if (f->table != NULL)
            put_text(sh, row, 2, f->table->format);
        put_text(sh, row, 3, clasconv_batch_status_label(f->status));
        if (f->status != CLASCONV_BATCH_SKIPPED) {
            put_count(sh, row, 4, (int64_t)f->errors);
            put_count(sh, row, 5, (int64_t)f->warnings);
            put_count(sh, row, 6, (int64_t)f->infos);
        }
        put_text(sh, row, 7, f->message);
        put_text(sh, row, 8, f->output);
        put_text(sh, row, 9, f->sha256);
        row_flush(sh); /* `count` is reused for the next file */
    }
}

/* Territoire: the totals per level of the whole folder, as formulas over
 * the total rows of Communes (with their values), then how many files
 * were counted. */
static void write_territory(clasconv_xlsx *x, size_t n,
                            const batch_consolidation *c,
                            const territory_totals *sums, size_t first_total)
{
    clasconv_xlsx_column cols[TERRITORY_NCOLS];
    lxw_worksheet *ws = clasconv_xlsx_add_sheet(x, "Territoire");
    size_t i, ncounted = 0, naside = 0;
    char formula[128], note[256];
    unsigned col;
    int l, s;

    if (ws == NULL)
        return;
    memcpy(cols, territory_head, sizeof cols);
    for (s = 0; s < CLASCONV_SCHEME_COUNT; s++)
        cols[2 + s].label = clasconv_scheme_label((clasconv_scheme)s);
    clasconv_xlsx_columns(x, ws, cols, TERRITORY_NCOLS);
    clasconv_xlsx_page_setup(x, ws);
    for (l = 0; l <= CLASCONV_LEVEL_COUNT; l++) {
        int all = l == CLASCONV_LEVEL_COUNT;
        size_t row = (size_t)l + 1;
        lxw_format *fmt = all ? x->bold_count : x->count;

        clasconv_xlsx_string(x, ws, row, 0,
                             clasconv_level_label((clasconv_level)l),
                             all ? x->bold : x->text);
        for (col = 1; col < TERRITORY_NCOLS; col++) {
            snprintf(formula, sizeof formula, "=Communes!%c%zu",
                     column_letter(COMMUNES_COL_SCHOOLS + col - 1),
                     first_total + (size_t)l);
            clasconv_xlsx_formula(x, ws, row, col, formula, fmt,
                                  sums->v[l][col - 1]);
        }
    }
    for (i = 0; i < n; i++) {
        ncounted += counted(c, i) ? 1 : 0;
        naside += set_aside(c, i) ? 1 : 0;
    }
    snprintf(note, sizeof note,
             "Fichiers comptés : %zu. Doublons et anciennes versions listés "
             "mais non comptés : %zu (voir Fichiers et Anomalies).",
             ncounted, naside);
    clasconv_xlsx_string(x, ws, CLASCONV_LEVEL_COUNT + 3, 0, note, x->text);
    clasconv_xlsx_print_area(x, ws, CLASCONV_LEVEL_COUNT + 3,
                             TERRITORY_NCOLS - 1);
}

static clasconv_error synthesis_failed(clasconv_diag *diag, clasconv_error rc)
{
    if (rc == CLASCONV_ERR_MEMORY)
        clasconv_diag_set(diag, "Mémoire insuffisante pour la synthèse.");
    else
        clasconv_diag_set(diag, "Impossible de relire les résumés des "
                                "fichiers pour la synthèse (dossier "
                                "temporaire illisible ou disque plein).");
    return rc;
}

clasconv_error clasconv_write_synthesis(const clasconv_batch_file *files,
                                        size_t nfiles, const char *path,
                                        clasconv_diag *diag)
{
    return batch_write_synthesis(files, nfiles, -1, path, diag);
}

clasconv_error batch_write_synthesis(const clasconv_batch_file *files,
                                     size_t nfiles, int spill_fd,
                                     const char *path, clasconv_diag *diag)
{
    batch_tables tables;
    clasconv_xlsx x;
    sheet communes, schools, anomalies, inputs;
    batch_consolidation cons;
    territory_totals sums;
    size_t first_total = 0;
    clasconv_error rc;

    batch_tables_init(&tables, files, nfiles, spill_fd);
    rc = batch_consolidate_tables(&tables, &cons);
    if (rc != CLASCONV_OK) {
        batch_tables_free(&tables);
        return synthesis_failed(diag, rc);
    }
    sum_counted(files, nfiles, &cons, &sums);
    rc = clasconv_xlsx_open_opt(&x, path, "Synthèse CLAS", 1, diag);
    if (rc == CLASCONV_OK)
        clasconv_xlsx_set_print_title(&x, "Synthèse CLAS");
    if (rc != CLASCONV_OK) {
        batch_consolidation_free(&cons);
        batch_tables_free(&tables);
        return rc;
    }
    sheet_start(&communes, &x, "Communes", communes_head, COMMUNES_NCOLS, 4);
    sheet_start(&schools, &x, "Établissements", schools_head, SCHOOLS_NCOLS, 4);
    schools.printed = SCHOOLS_NCOLS - 1; /* not the file (schools_head) */
    sheet_start(&anomalies, &x, "Anomalies", anomalies_head, ANOMALIES_NCOLS,
                -1);
    sheet_start(&inputs, &x, "Fichiers", files_head, FILES_NCOLS, -1);

    write_communes(&communes, files, nfiles, &cons);
    sheet_finish(&communes); /* the filter covers the data, not the totals */
    write_communes_totals(&communes, &sums, &first_total);
    rc = write_schools(&schools, &tables, &cons);
    if (rc == CLASCONV_OK)
        rc = write_anomalies(&anomalies, &tables, &cons);
    write_files(&inputs, files, nfiles, &cons);
    write_territory(&x, nfiles, &cons, &sums, first_total);

    /* Communes prints its total rows too. */
    clasconv_xlsx_print_area(&x, communes.ws,
                             first_total + CLASCONV_LEVEL_COUNT - 1,
                             COMMUNES_NCOLS - 1);
    sheet_finish(&schools);
    sheet_finish(&anomalies);
    sheet_finish(&inputs);
    batch_consolidation_free(&cons);
    batch_tables_free(&tables);
    if (rc != CLASCONV_OK) {
        clasconv_xlsx_abort(&x);
        return synthesis_failed(diag, rc);
    }
    return clasconv_xlsx_commit(&x, diag);
}
