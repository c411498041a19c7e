/* test_ods.c: the ODS reader on a hand-made fixture and the sample. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clasconv/read.h"

#include "test_util.h"

static clasconv_grid *read_file(const char *path)
{
    return test_read_with(clasconv_read_ods, path);
}

Test(ods, repeats_spans_and_text)
{
    clasconv_grid *grid = read_file(CLASCONV_FIXTURES "/zip/ods-repeat.ods");
    const clasconv_sheet *s;
    const clasconv_merge *m;
    char ref[64];

    cr_assert_eq(clasconv_grid_sheet_count(grid), 2);
    s = clasconv_grid_sheet(grid, 0);
    cr_expect_str_eq(clasconv_sheet_name(s), "Tableau");
    /* paragraphs joined with \n, text:s c=3, tab, line-break; no comment */
    expect_text(s, 0, 0, "EE   Jules Ferry\na\tb\nc d", 0);
    /* a value repeated over 3 columns */
    expect_number(s, 0, 1, 7, 0);
    expect_number(s, 0, 2, 7, 0);
    expect_number(s, 0, 3, 7, 0);
    expect_text(s, 0, 4, "fusion", 0);
    cr_expect_null(clasconv_sheet_get(s, 0, 5)); /* covered: not read */
    /* values from office:value, not the display text */
    expect_number(s, 0, 6, 0.25, 0);
    expect_number(s, 0, 7, 12.5, 0);
    expect_number(s, 0, 8, 1, CLASCONV_CELL_BOOLEAN);
    expect_text(s, 0, 9, "2026-03-12", CLASCONV_CELL_DATE);
    expect_text(s, 1, 0, "valeur", 0); /* office:string-value */
    expect_number(s, 1, 1, 21, CLASCONV_CELL_FORMULA);
    expect_text(s, 1, 2, "#DIV/0!",
                CLASCONV_CELL_FORMULA | CLASCONV_CELL_ERROR);
    /* covered cells advance the columns: 3 lands in G2 */
    expect_number(s, 1, 6, 3, 0);
    /* 1,000 empty rows skipped, then a row repeated twice */
    expect_text(s, 1002, 0, "bis", 0);
    expect_number(s, 1002, 1, 5, 0);
    expect_text(s, 1003, 0, "bis", 0);
    expect_number(s, 1003, 1, 5, 0);
    cr_expect_eq(clasconv_sheet_row_count(s), 4);
    cr_expect_eq(clasconv_sheet_col_count(s), 10);
    cr_assert_eq(clasconv_sheet_merge_count(s), 1);
    m = clasconv_sheet_merge(s, 0);
    cr_expect(m->first_row == 0 && m->first_col == 4 && m->last_row == 1 &&
              m->last_col == 5);
    clasconv_sheet_ref(s, 1002, 1, ref, sizeof ref);
    cr_expect_str_eq(ref, "Tableau!B1003");
    /* header rows are ordinary rows */
    s = clasconv_grid_sheet(grid, 1);
    cr_expect_str_eq(clasconv_sheet_name(s), "Deux");
    expect_text(s, 0, 0, "en-tête", 0);
    expect_number(s, 1, 0, 1, 0);
    clasconv_grid_free(grid);
}

Test(ods, sample_p04_form)
{
    test_need_samples();
    clasconv_grid *grid =
        read_file(CLASCONV_SAMPLES "/p04-form-ods-saint-priest/Note CLAS "
                                   "2026-2027 Saint-Priest.ods");
    const clasconv_sheet *s;
    char ref[64];
    static const double total_elem[] = {193, 25, 99, 15, 30, 17, 113, 82, 0};
    static const double total_coll[] = {30, 51, 88, 0, 13, 6, 34, 15, 12};
    uint32_t i;

    cr_assert_eq(clasconv_grid_sheet_count(grid), 1);
    s = clasconv_grid_sheet(grid, 0);
    cr_expect_str_eq(clasconv_sheet_name(s), "Tableau");
    expect_text(s, 4, 0, "Territoire de : Saint-Priest", 0);
    expect_text(s, 12, 0, "EE Jules Ferry", 0);
    expect_number(s, 12, 1, 23, 0);
    expect_text(s, 17, 0, "Ecole élémentaire JULES-FERRY", 0);
    expect_text(s, 9, 5, "PROGRAMME DE REUSSITE EDUCATIVE (PRE)", 0);
    /* a row with counts and no name */
    cr_expect_null(clasconv_sheet_get(s, 24, 0));
    expect_number(s, 24, 1, 14, 0);
    /* SUM totals: their cached values */
    expect_text(s, 20, 0, "TOTAL ELEMENTAIRE", 0);
    expect_text(s, 28, 0, "TOTAL COLLEGE", 0);
    for (i = 0; i < 9; i++) {
        expect_number(s, 20, i + 1, total_elem[i], CLASCONV_CELL_FORMULA);
        expect_number(s, 28, i + 1, total_coll[i], CLASCONV_CELL_FORMULA);
        expect_number(s, 33, i + 1, 0, CLASCONV_CELL_FORMULA);
    }
    /* the header's PRE and CLAS span two columns; NIVEAU rows the width */
    cr_expect_not_null(clasconv_sheet_merge_at(s, 9, 6));
    cr_expect_eq(clasconv_sheet_merge_at(s, 9, 6)->first_col, 5);
    cr_expect_eq(clasconv_sheet_merge_at(s, 10, 9)->first_col, 0);
    clasconv_sheet_ref(s, 12, 0, ref, sizeof ref);
    cr_expect_str_eq(ref, "Tableau!A13");
    clasconv_grid_free(grid);
}
