/* locate.c: the locator's entry point: finds the table (header.c), maps
 * its columns (columns.c), reads its rows (rows.c), sorts the schools by
 * level and names the sheet and the commune (commune.c).
 *
 * The header row is the row that names the most schemes (SPEC section 1
 * vocabulary, see vocab.c), in any sheet. Columns are mapped from it, from
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
    else if (table->format && !strcmp(table->format, "docx"))
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

clasconv_error clasconv_locate(const clasconv_grid *grid, const char *file_name,
                               clasconv_table *table, clasconv_diag *diag)
{
    const clasconv_sheet *best_sheet;
    uint32_t best_row;
    size_t si;
    locator loc;
    clasconv_error err;
    char sheet_label[128];

    if (!locate_find_header(grid, &best_sheet, &best_row)) {
        clasconv_diag_set(
            diag,
            "Aucun tableau des dispositifs n'a été trouvé : aucune ligne "
            "d'en-tête ne nomme les dispositifs (Étude, École ouverte, "
            "Accompagnement éducatif, Stage de réussite, PRE, CLAS, Autre) "
            "%s. Vérifiez que le fichier contient bien le tableau de la "
            "section 3 de la note (« Dispositifs existants sur le "
            "territoire »), avec sa ligne d'en-tête.",
            searched_where(grid, table));
        return CLASCONV_ERR_NO_TABLE;
    }
    memset(&loc, 0, sizeof loc);
    loc.sheet = best_sheet;
    loc.table = table;
    loc.header_row = best_row;
    err = locate_map_columns(&loc);
    if (!err) {
        locate_guess_name_column(&loc);
        locate_guess_autre_detail(&loc);
        err = locate_read_rows(&loc);
    }
    if (!err)
        err = locate_report_columns(&loc);
    locate_colmap_free(&loc.map);
    if (err) {
        clasconv_diag_set(diag, "Mémoire insuffisante pour lire le tableau.");
        return err;
    }
    sort_schools_by_level(table);
    if (clasconv_sheet_ref_kind(best_sheet) == CLASCONV_REF_WORD)
        snprintf(sheet_label, sizeof sheet_label, "tableau %u",
                 clasconv_sheet_table_no(best_sheet));
    else
        snprintf(sheet_label, sizeof sheet_label, "%s",
                 clasconv_sheet_name(best_sheet));
    err = clasconv_table_set_string(&table->sheet, sheet_label);
    if (!err)
        err = locate_find_commune(grid, best_sheet, best_row, file_name, table);
    for (si = 0; si < clasconv_grid_meta_count(grid) && !err; si++) {
        const char *key, *value;
        clasconv_grid_meta(grid, si, &key, &value);
        err = clasconv_table_add_field(table, key, value);
    }
    if (err)
        clasconv_diag_set(diag, "Mémoire insuffisante pour lire le tableau.");
    return err;
}
