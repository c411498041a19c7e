/* locate.c: the locator's entry point: finds the table in every sheet
 * (header.c, sheets.c), maps its columns (columns.c), reads its rows
 * (rows.c, merges.c), sorts the schools by level and names the sheets and
 * the commune (commune.c).
 *
 * In each sheet (and Word table) the header row is the row that names the
 * most schemes (SPEC section 1 vocabulary, see vocab.c). Every sheet with a
 * header and school rows is read, in order, except a copy of a sheet read
 * already; a summary by level is not. Columns are mapped from it, from
 * merged header cells and from the "NOMBRE D'ENFANTS" / "Dont issus QPV"
 * sub-header row when there is one. Rows below are then told apart:
 * repeated headers, NIVEAU section rows, TOTAL rows, notes, and school rows,
 * whose values are read per SPEC section 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table/locate_internal.h"

/* Output order: level order, then source order (stable). Applies the
 * permutation in place, so a 100,000-row table is not copied whole. */
static void sort_schools_by_level(clasconv_table *table)
{
    size_t n = table->nschools, i, next = 0, *dest;
    size_t count[CLASCONV_LEVEL_COUNT + 1] = {0};
    size_t start[CLASCONV_LEVEL_COUNT + 1];
    int l;

    for (i = 0; i < n; i++) {
        clasconv_level lv = table->schools[i].level;
        count[lv == CLASCONV_LEVEL_NONE ? CLASCONV_LEVEL_COUNT : lv]++;
    }
    for (l = 0; l <= CLASCONV_LEVEL_COUNT; l++) {
        start[l] = next;
        next += count[l];
    }
    dest = malloc(n * sizeof *dest + 1);
    if (!dest)
        return; /* order is cosmetic: keep source order */
    for (i = 0; i < n; i++) {
        clasconv_level lv = table->schools[i].level;
        dest[i] =
            start[lv == CLASCONV_LEVEL_NONE ? CLASCONV_LEVEL_COUNT : lv]++;
    }
    /* follow each cycle of the permutation: element i goes to dest[i] */
    for (i = 0; i < n; i++) {
        while (dest[i] != i) {
            size_t j = dest[i];
            clasconv_school tmp = table->schools[j];
            size_t dj = dest[j];
            table->schools[j] = table->schools[i];
            dest[j] = j;
            table->schools[i] = tmp;
            dest[i] = dj;
        }
    }
    free(dest);
}

/* Where no header was found, worded for the file's kind: the sheets of a
 * workbook, the tables of a Word document, a CSV file. */
static const char *searched_where(const clasconv_grid *grid,
                                  const clasconv_table *table)
{
    size_t n = clasconv_grid_sheet_count(grid);
    clasconv_ref_kind kind = CLASCONV_REF_SHEET;

    if (n > 0)
        kind = clasconv_sheet_ref_kind(clasconv_grid_sheet(grid, 0));
    else if (table->format &&
             (!strcmp(table->format, "docx") || !strcmp(table->format, "odt")))
        kind = CLASCONV_REF_WORD;
    else if (table->format && !strcmp(table->format, "csv"))
        kind = CLASCONV_REF_CSV;
    switch (kind) {
    case CLASCONV_REF_WORD:
        return n > 1 ? "dans aucun tableau du document" : "dans le document";
    case CLASCONV_REF_CSV:
        return "dans le fichier";
    case CLASCONV_REF_SHEET:
        break;
    }
    return n > 1 ? "dans aucune feuille" : "dans la feuille";
}

/* The sheets whose header the locator recognizes, in order, and the
 * header row of each. */
typedef struct read_sheet {
    locator loc;
    int copy_of; /* index of the sheet it repeats, or -1 */
} read_sheet;

static const char no_table_message[] =
    "Aucun tableau des dispositifs n'a été trouvé : aucune ligne "
    "d'en-tête ne nomme les dispositifs (Étude, École ouverte, "
    "Accompagnement éducatif, Stage de réussite, PRE, CLAS, Autre) "
    "%s. Vérifiez que le fichier contient bien le tableau de la "
    "section 3 de la note (« Dispositifs existants sur le "
    "territoire »), avec sa ligne d'en-tête.";

/* Reads one sheet's table into loc->table (columns, rows). */
static clasconv_error read_one_sheet(locator *loc)
{
    clasconv_error err = locate_map_columns(loc);

    if (!err) {
        locate_guess_name_column(loc);
        locate_guess_autre_detail(loc);
        err = locate_read_rows(loc);
    }
    return err;
}

/* COLUMN_MISSING: once for a scheme no sheet read has, once per sheet for
 * a scheme only some sheets lack. */
static clasconv_error report_missing(clasconv_table *table,
                                     const read_sheet *sheets, size_t n)
{
    clasconv_error err = CLASCONV_OK;
    size_t i, counted;
    int s;

    for (s = 0; s < CLASCONV_SCHEME_COUNT && !err; s++) {
        size_t missing = 0;
        counted = 0;
        for (i = 0; i < n; i++) {
            if (sheets[i].copy_of >= 0)
                continue;
            counted++;
            missing += sheets[i].loc.map.scheme_col[s] == NO_COL;
        }
        if (!missing)
            continue;
        if (missing == counted) {
            err = locate_report_missing(table, (clasconv_scheme)s, NULL);
            continue;
        }
        for (i = 0; i < n && !err; i++) {
            char label[128];
            if (sheets[i].copy_of >= 0 ||
                sheets[i].loc.map.scheme_col[s] != NO_COL)
                continue;
            locate_sheet_label(sheets[i].loc.sheet, label, sizeof label);
            err = locate_report_missing(table, (clasconv_scheme)s, label);
        }
    }
    return err;
}

/* SHEET_IGNORED for a copy of a sheet read; SHEETS_READ naming the sheets
 * when there are several. */
static clasconv_error report_sheets(clasconv_table *table,
                                    const read_sheet *sheets, size_t n)
{
    clasconv_error err = CLASCONV_OK;
    clasconv_buf names = {0};
    size_t i;

    for (i = 0; i < n && !err; i++) {
        char label[128], original[128], ref[96];
        clasconv_anomaly_at at = clasconv_anomaly_nowhere();
        const locator *loc = &sheets[i].loc;
        if (sheets[i].copy_of < 0)
            continue;
        locate_sheet_label(loc->sheet, label, sizeof label);
        locate_sheet_label(sheets[sheets[i].copy_of].loc.sheet, original,
                           sizeof original);
        locate_ref(loc->sheet, loc->header_row, 0, ref, sizeof ref);
        at.cell = ref;
        err = clasconv_anomalies_add(
            &table->anomalies, CLASCONV_A_SHEET_IGNORED, &at,
            "La feuille « %s » est une copie de la feuille « %s » (mêmes "
            "lignes) : elle n'est pas lue, pour ne pas compter ses "
            "établissements deux fois.",
            label, original);
    }
    if (err || table->nsheets < 2)
        return err;
    for (i = 0; i < table->nsheets; i++)
        clasconv_buf_printf(&names, "%s« %s »", i ? ", " : "",
                            table->sheets[i]);
    if (names.failed)
        err = CLASCONV_ERR_MEMORY;
    else
        err = clasconv_anomalies_add(
            &table->anomalies, CLASCONV_A_SHEETS_READ, NULL,
            "Le tableau est lu dans %zu feuilles : %s ; leurs lignes sont "
            "réunies dans l'ordre des feuilles.",
            table->nsheets, names.data);
    clasconv_buf_free(&names);
    return err;
}

clasconv_error clasconv_locate(const clasconv_grid *grid, const char *file_name,
                               clasconv_table *table, clasconv_diag *diag)
{
    size_t nsheets = clasconv_grid_sheet_count(grid), n = 0, si, k;
    read_sheet *sheets = calloc(nsheets + 1, sizeof *sheets);
    clasconv_error err = CLASCONV_OK;
    const clasconv_sheet *best_sheet = NULL;
    uint32_t best_row = 0;
    int best_score = 0;
    char label[128];

    if (!sheets) {
        clasconv_diag_set(diag, "Mémoire insuffisante pour lire le tableau.");
        return CLASCONV_ERR_MEMORY;
    }
    for (si = 0; si < nsheets; si++) {
        const clasconv_sheet *sheet = clasconv_grid_sheet(grid, si);
        uint32_t row;
        int score = locate_sheet_header(sheet, &row);
        read_sheet *rs = &sheets[n];
        if (score > best_score) {
            best_score = score;
            best_sheet = sheet;
            best_row = row;
        }
        /* a summary by level (no school row) is not a table */
        if (!score || !locate_has_school_rows(sheet, row))
            continue;
        rs->loc.sheet = sheet;
        rs->loc.table = table;
        rs->loc.header_row = row;
        rs->copy_of = -1;
        for (k = 0; k < n; k++)
            if (sheets[k].copy_of < 0 &&
                locate_same_rows(sheet, row, sheets[k].loc.sheet,
                                 sheets[k].loc.header_row))
                rs->copy_of = (int)k;
        n++;
    }
    if (!n && best_sheet) {
        /* no sheet has a school row: the best header alone, as it is */
        sheets[0].loc.sheet = best_sheet;
        sheets[0].loc.table = table;
        sheets[0].loc.header_row = best_row;
        sheets[0].copy_of = -1;
        n = 1;
    }
    if (!n) {
        free(sheets);
        clasconv_diag_set(diag, no_table_message, searched_where(grid, table));
        return CLASCONV_ERR_NO_TABLE;
    }
    for (k = 0; k < n && !err; k++) {
        locator *loc = &sheets[k].loc;
        if (sheets[k].copy_of >= 0)
            continue;
        loc->sheet_level = locate_sheet_level(loc->sheet, loc->header_row);
        err = read_one_sheet(loc);
        locate_sheet_label(loc->sheet, label, sizeof label);
        if (!err)
            err = clasconv_table_add_sheet(table, label);
    }
    if (!err)
        err = report_missing(table, sheets, n);
    for (k = 0; k < n && !err; k++)
        if (sheets[k].copy_of < 0)
            err = locate_report_columns(&sheets[k].loc);
    for (si = 0, k = 0; si < nsheets && !err; si++) {
        const clasconv_sheet *sheet = clasconv_grid_sheet(grid, si);
        if (k < n && sheets[k].loc.sheet == sheet) {
            k++;
            continue;
        }
        err = locate_check_ignored(sheet, table);
    }
    if (!err)
        err = report_sheets(table, sheets, n);
    if (!err) {
        const locator *first = &sheets[0].loc;
        sort_schools_by_level(table);
        err = locate_find_commune(grid, first->sheet, first->header_row,
                                  file_name, table);
    }
    for (k = 0; k < n; k++)
        locate_colmap_free(&sheets[k].loc.map);
    free(sheets);
    for (si = 0; si < clasconv_grid_meta_count(grid) && !err; si++) {
        const char *key, *value;
        clasconv_grid_meta(grid, si, &key, &value);
        err = clasconv_table_add_field(table, key, value);
    }
    if (err)
        clasconv_diag_set(diag, "Mémoire insuffisante pour lire le tableau.");
    return err;
}
