/* test_docx.c: the DOCX reader on a hand-made fixture and the filled form. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clasconv/read.h"

#include "test_util.h"

static clasconv_grid *read_file(const char *path)
{
    return test_read_with(clasconv_read_docx, path);
}

static const char *meta(const clasconv_grid *grid, const char *key)
{
    size_t i;
    const char *k;
    const char *v;

    for (i = 0; i < clasconv_grid_meta_count(grid); i++) {
        clasconv_grid_meta(grid, i, &k, &v);
        if (strcmp(k, key) == 0) {
            return v;
        }
    }
    return NULL;
}

/* Text of (row, col) and its source reference. */
static void expect_cell(const clasconv_sheet *sheet, uint32_t row, uint32_t col,
                        const char *text, const char *where)
{
    const clasconv_cell *cell = clasconv_sheet_get(sheet, row, col);
    char ref[96];

    cr_assert_not_null(cell, "no cell at %u,%u", row, col);
    cr_assert_eq(cell->type, CLASCONV_CELL_TEXT);
    cr_expect_str_eq(cell->v.text, text);
    cr_expect_eq(cell->line, row + 1);
    cr_expect_eq(cell->field, col + 1);
    clasconv_sheet_ref(sheet, row, col, ref, sizeof ref);
    cr_expect_str_eq(ref, where);
}

static void expect_merge(const clasconv_sheet *sheet, uint32_t row,
                         uint32_t col, uint32_t r1, uint32_t c1, uint32_t r2,
                         uint32_t c2)
{
    const clasconv_merge *m = clasconv_sheet_merge_at(sheet, row, col);

    cr_assert_not_null(m, "no merge at %u,%u", row, col);
    cr_expect(m->first_row == r1 && m->first_col == c1 && m->last_row == r2 &&
                  m->last_col == c2,
              "merge at %u,%u is %u,%u-%u,%u", row, col, m->first_row,
              m->first_col, m->last_row, m->last_col);
}

Test(docx, spans_nested_and_revisions)
{
    clasconv_grid *grid = read_file(CLASCONV_FIXTURES "/zip/docx-spans.docx");
    const clasconv_sheet *s;

    cr_assert_eq(clasconv_grid_sheet_count(grid), 3);
    s = clasconv_grid_sheet(grid, 0);
    cr_expect_str_eq(clasconv_sheet_name(s), "tableau 1");
    cr_expect_eq(clasconv_sheet_ref_kind(s), CLASCONV_REF_WORD);
    cr_expect_eq(clasconv_sheet_table_no(s), 1);
    expect_cell(s, 0, 0, "Nom", "tableau 1, ligne 1, colonne 1");
    /* gridSpan advances the grid column */
    expect_cell(s, 0, 1, "PRE", "tableau 1, ligne 1, colonne 2");
    expect_cell(s, 0, 3, "CLAS", "tableau 1, ligne 1, colonne 4");
    expect_cell(s, 1, 2, "qpv", "tableau 1, ligne 2, colonne 3");
    /* w:tab -> space, w:del ignored, w:ins kept, w:br and paragraphs */
    expect_cell(s, 2, 0, "École Ajout\nligne\ndeux",
                "tableau 1, ligne 3, colonne 1");
    /* a nested table is a sheet of its own: its cell keeps nothing */
    cr_expect_null(clasconv_sheet_get(s, 2, 2));
    /* vMerge continue cells stay empty */
    cr_expect_null(clasconv_sheet_get(s, 1, 3));
    cr_expect_null(clasconv_sheet_get(s, 3, 0));
    expect_cell(s, 3, 4, "9", "tableau 1, ligne 4, colonne 5");
    /* gridBefore skips a column */
    expect_cell(s, 4, 1, "après", "tableau 1, ligne 5, colonne 2");
    cr_expect_eq(clasconv_sheet_row_count(s), 5);
    cr_assert_eq(clasconv_sheet_merge_count(s), 3);
    expect_merge(s, 0, 2, 0, 1, 0, 2);
    expect_merge(s, 1, 4, 0, 3, 1, 4); /* span 2 + vMerge over 2 rows */
    expect_merge(s, 3, 0, 2, 0, 3, 0);
    cr_expect_null(clasconv_sheet_merge_at(s, 4, 1));
    /* ... that follows its parent's, named after it */
    s = clasconv_grid_sheet(grid, 1);
    cr_expect_str_eq(clasconv_sheet_name(s), "tableau 1.1");
    cr_expect_eq(clasconv_sheet_ref_kind(s), CLASCONV_REF_WORD);
    cr_expect_eq(clasconv_sheet_table_no(s), 1);
    cr_expect_eq(clasconv_sheet_row_count(s), 1);
    expect_cell(s, 0, 0, "dedans", "tableau 1.1, ligne 1, colonne 1");
    expect_cell(s, 0, 1, "aussi", "tableau 1.1, ligne 1, colonne 2");
    s = clasconv_grid_sheet(grid, 2);
    cr_expect_str_eq(clasconv_sheet_name(s), "tableau 2");
    cr_expect_eq(clasconv_sheet_table_no(s), 2);
    expect_cell(s, 0, 0, "second", "tableau 2, ligne 1, colonne 1");
    /* the territory on the line after its label, leaders stripped;
     * placeholders and blank fields are not values */
    cr_expect_str_eq(meta(grid, "Territoire"), "Vénissieux");
    cr_expect_str_eq(meta(grid, "Fonction"), "Coordinatrice");
    cr_expect_null(meta(grid, "Nom/Prénom"));
    cr_expect_null(meta(grid, "Mail"));
    cr_expect_null(meta(grid, "Date de la réunion de concertation"));
    cr_expect_eq(clasconv_grid_meta_count(grid), 2);
    clasconv_grid_free(grid);
}

Test(docx, sample_p09_filled_form)
{
    test_need_samples();
    clasconv_grid *grid = read_file(
        CLASCONV_SAMPLES "/p09-form-docx-saint-fons/Note unique stratégique "
                         "CLAS 2026-2027 - Saint-Fons.docx");
    const clasconv_sheet *s;

    cr_assert_eq(clasconv_grid_sheet_count(grid), 2);
    /* question 2's OUI/NON grid */
    s = clasconv_grid_sheet(grid, 0);
    expect_cell(s, 0, 1, "OUI", "tableau 1, ligne 1, colonne 2");
    /* section 3's table */
    s = clasconv_grid_sheet(grid, 1);
    cr_expect_str_eq(clasconv_sheet_name(s), "tableau 2");
    expect_cell(s, 0, 1, "ETUDE", "tableau 2, ligne 1, colonne 2");
    expect_cell(s, 0, 5, "PROGRAMME DE REUSSITE EDUCATIVE (PRE)",
                "tableau 2, ligne 1, colonne 6");
    expect_cell(s, 0, 7, "(CLAS)", "tableau 2, ligne 1, colonne 8");
    expect_cell(s, 0, 9, "AUTRE (PRECISER)", "tableau 2, ligne 1, colonne 10");
    expect_cell(s, 1, 6, "Dont issus QPV", "tableau 2, ligne 2, colonne 7");
    expect_cell(s, 2, 0, "NIVEAU ELEMENTAIRE", "tableau 2, ligne 3, colonne 1");
    expect_merge(s, 2, 9, 2, 0, 2, 9); /* NIVEAU row spans the width */
    expect_merge(s, 0, 6, 0, 5, 0, 6); /* PRE over two columns */
    expect_cell(s, 4, 0, "École élémentaire Lamartine",
                "tableau 2, ligne 5, colonne 1");
    expect_cell(s, 4, 7, "33", "tableau 2, ligne 5, colonne 8");
    expect_cell(s, 4, 8, "16", "tableau 2, ligne 5, colonne 9");
    cr_expect_null(clasconv_sheet_get(s, 4, 1));
    expect_cell(s, 5, 0, "École maternelle Les Marronniers",
                "tableau 2, ligne 6, colonne 1");
    expect_cell(s, 8, 0, "TOTAL ELEMENTAIRE", "tableau 2, ligne 9, colonne 1");
    expect_cell(s, 8, 7, "55", "tableau 2, ligne 9, colonne 8");
    /* the fields above the tables */
    cr_expect_str_eq(meta(grid, "Territoire"), "Saint-Fons");
    cr_expect_str_eq(meta(grid, "Nom/Prénom"), "BERTRAND Claire");
    cr_expect_str_eq(meta(grid, "Fonction"),
                     "Coordinatrice Réussite éducative et CLAS");
    cr_expect_str_eq(meta(grid, "Téléphone"), "04 72 09 00 00");
    cr_expect_str_eq(meta(grid, "Mail"), "c.bertrand@ville-saint-fons.fr");
    cr_expect_str_eq(meta(grid, "Date de la réunion de concertation"),
                     "jeudi 12 mars 2026");
    cr_expect_str_eq(meta(grid, "Coordonnateur communal CLAS"),
                     "Ville de Saint-Fons, Direction Éducation Enfance");
    clasconv_grid_free(grid);
}
