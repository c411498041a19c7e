/* test_xlsx.c: the XLSX reader on hand-made fixtures, the samples, and
 * workbooks written by libxlsxwriter. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "clasconv/read.h"

#include "test_util.h"

static clasconv_grid *read_file(const char *path)
{
    return test_read_with(clasconv_read_xlsx, path);
}

static const clasconv_sheet *sheet_named(const clasconv_grid *grid,
                                         const char *name)
{
    size_t i;

    for (i = 0; i < clasconv_grid_sheet_count(grid); i++) {
        const clasconv_sheet *sheet = clasconv_grid_sheet(grid, i);
        if (strcmp(clasconv_sheet_name(sheet), name) == 0) {
            return sheet;
        }
    }
    cr_assert_fail("no sheet %s", name);
    return NULL;
}

static void expect_merge(const clasconv_sheet *sheet, size_t index, uint32_t r1,
                         uint32_t c1, uint32_t r2, uint32_t c2)
{
    const clasconv_merge *m = clasconv_sheet_merge(sheet, index);

    cr_assert_not_null(m);
    cr_expect(m->first_row == r1 && m->first_col == c1 && m->last_row == r2 &&
                  m->last_col == c2,
              "merge %zu is %u,%u-%u,%u", index, m->first_row, m->first_col,
              m->last_row, m->last_col);
}

Test(xlsx, inline_strings_and_missing_r)
{
    clasconv_grid *grid = read_file(CLASCONV_FIXTURES "/zip/xlsx-inline.xlsx");
    const clasconv_sheet *s;
    char ref[64];

    cr_assert_eq(clasconv_grid_sheet_count(grid), 1);
    s = sheet_named(grid, "Feuil1");
    cr_assert_eq(clasconv_sheet_ref_kind(s), CLASCONV_REF_SHEET);
    /* rich runs concatenated; rows and cells without r */
    expect_text(s, 0, 0, "EE Jules Ferry", 0);
    expect_number(s, 0, 1, 12, 0);
    expect_number(s, 0, 2, 1, CLASCONV_CELL_BOOLEAN);
    expect_text(s, 1, 0, " 12 ", 0); /* a number stored as text stays text */
    expect_number(s, 1, 1, 12, CLASCONV_CELL_FORMULA);
    expect_text(s, 1, 2, "#DIV/0!",
                CLASCONV_CELL_FORMULA | CLASCONV_CELL_ERROR);
    expect_text(s, 1, 3, "ab", CLASCONV_CELL_FORMULA);
    /* row 5 with r; _x000D_ decoded; a cell without r after D5 is F5 */
    expect_text(s, 4, 1, "Ligne\r\nDeux", 0);
    expect_number(s, 4, 3, -150, 0);
    cr_expect_null(clasconv_sheet_get(s, 4, 4)); /* styled, no value */
    expect_number(s, 4, 5, 0.1, 0);
    /* a row without r after row 5 is row 6; phonetic run skipped */
    expect_text(s, 5, 0, "six", 0);
    cr_expect_null(clasconv_sheet_get(s, 5, 1)); /* formula, no cache */
    cr_expect_eq(clasconv_sheet_row_count(s), 4);
    cr_assert_eq(clasconv_sheet_merge_count(s), 1);
    expect_merge(s, 0, 0, 0, 1, 0);
    clasconv_sheet_ref(s, 4, 3, ref, sizeof ref);
    cr_expect_str_eq(ref, "Feuil1!D5");
    clasconv_grid_free(grid);
}

Test(xlsx, prefixed_namespaces_and_shared_strings)
{
    clasconv_grid *grid =
        read_file(CLASCONV_FIXTURES "/zip/xlsx-prefixed.xlsx");
    const clasconv_sheet *s;

    /* workbook order; the chart sheet is skipped */
    cr_assert_eq(clasconv_grid_sheet_count(grid), 2);
    cr_expect_str_eq(clasconv_sheet_name(clasconv_grid_sheet(grid, 0)),
                     "Dispositifs 2026");
    cr_expect_str_eq(clasconv_sheet_name(clasconv_grid_sheet(grid, 1)),
                     "Notes");
    s = clasconv_grid_sheet(grid, 0);
    expect_text(s, 2, 1, "Établissement", 0);
    expect_text(s, 2, 2, "CLAS dont QPV", 0); /* runs joined, no rPh */
    expect_text(s, 3, 1, "EE Marcel Pagnol", 0);
    expect_text(s, 3, 2, "14", 0);
    expect_number(s, 3, 3, 7, 0);
    cr_assert_eq(clasconv_sheet_merge_count(s), 1); /* "Z9" alone: none */
    expect_merge(s, 0, 0, 1, 1, 3);
    expect_text(clasconv_grid_sheet(grid, 1), 0, 0, "note", 0);
    clasconv_grid_free(grid);
}

Test(xlsx, sample_p02_onerow)
{
    test_need_samples();
    clasconv_grid *grid = read_file(
        CLASCONV_SAMPLES
        "/p02-onerow-xlsx-vaulx-en-velin/CLAS_2026_Vaulx-en-Velin.xlsx");
    const clasconv_sheet *s = sheet_named(grid, "Dispositifs 2026");
    char ref[64];

    expect_text(s, 2, 3, "CLAS - dont QPV", 0);
    expect_text(s, 3, 1, "EE Marcel Pagnol", 0);
    expect_text(s, 3, 2, "14", 0); /* numbers stored as text */
    expect_number(s, 4, 2, 8, 0);
    expect_text(s, 4, 11, "Démarrage en janvier 2027", 0);
    expect_text(s, 2, 10, "Coup de pouce CLÉ", 0);
    clasconv_sheet_ref(s, 3, 1, ref, sizeof ref);
    cr_expect_str_eq(ref, "Dispositifs 2026!B4");
    clasconv_grid_free(grid);
}

Test(xlsx, sample_p08_budget)
{
    test_need_samples();
    clasconv_grid *grid = read_file(
        CLASCONV_SAMPLES "/p08-bad-budget-sheet-meyzieu/Budget previsionnel "
                         "CLAS 2026 - Meyzieu.xlsx");
    const clasconv_sheet *s = sheet_named(grid, "Budget");

    cr_expect_eq(clasconv_grid_sheet_count(grid), 1);
    expect_text(s, 0, 0, "BUDGET PREVISIONNEL ACTION CLAS 2026-2027", 0);
    expect_number(s, 4, 1, 1850, 0);
    /* SUM formulas keep their cached values */
    expect_number(s, 16, 1, 35850, CLASCONV_CELL_FORMULA);
    expect_number(s, 16, 4, 35850, CLASCONV_CELL_FORMULA);
    cr_assert_eq(clasconv_sheet_merge_count(s), 1);
    expect_merge(s, 0, 0, 0, 0, 4);
    clasconv_grid_free(grid);
}

/* Writes a workbook with libxlsxwriter, reads it back. */
static void roundtrip(int constant_memory)
{
    char dir[] = "/tmp/clasconv-xlsx-XXXXXX";
    char path[128];
    lxw_workbook_options options = {0};
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_doc_properties props = {0};
    clasconv_grid *grid;
    const clasconv_sheet *s;

    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/out.xlsx", dir);
    options.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE;
    options.tmpdir = dir;
    wb = workbook_new_opt(path, &options);
    cr_assert_not_null(wb);
    props.created = 1700000000;
    workbook_set_properties(wb, &props);
    ws = workbook_add_worksheet(wb, "Dispositifs");
    worksheet_write_string(ws, 0, 0, "Niveau", NULL);
    worksheet_write_string(ws, 0, 1, "Établissement", NULL);
    worksheet_write_string(ws, 1, 0, "Élémentaire", NULL);
    worksheet_write_string(ws, 1, 1, "École élémentaire Jules Ferry", NULL);
    worksheet_write_number(ws, 1, 2, 12, NULL);
    worksheet_write_number(ws, 2, 2, 30, NULL);
    worksheet_write_formula_num(ws, 3, 2, "=SUM(C2:C3)", NULL, 42);
    worksheet_write_string(ws, 4, 0, "a_x0041_b", NULL);
    worksheet_write_boolean(ws, 4, 1, 1, NULL);
    worksheet_write_string(ws, 5, 0, "a_x005F_x0041_b", NULL);
    ws = workbook_add_worksheet(wb, "Totaux");
    worksheet_write_formula_num(ws, 0, 0, "=Dispositifs!C4", NULL, 42);
    cr_assert_eq(workbook_close(wb), LXW_NO_ERROR);

    grid = read_file(path);
    cr_assert_eq(clasconv_grid_sheet_count(grid), 2);
    s = sheet_named(grid, "Dispositifs");
    expect_text(s, 0, 1, "Établissement", 0);
    expect_text(s, 1, 1, "École élémentaire Jules Ferry", 0);
    expect_number(s, 2, 2, 30, 0);
    expect_number(s, 3, 2, 42, CLASCONV_CELL_FORMULA);
    /* libxlsxwriter does not escape a literal _x0041_: it reads back as
     * Excel shows it; a writer must write _x005F_x0041_ to keep it */
    expect_text(s, 4, 0, "aAb", 0);
    expect_text(s, 5, 0, "a_x0041_b", 0);
    expect_number(s, 4, 1, 1, CLASCONV_CELL_BOOLEAN);
    expect_number(sheet_named(grid, "Totaux"), 0, 0, 42, CLASCONV_CELL_FORMULA);
    clasconv_grid_free(grid);
    unlink(path);
    rmdir(dir);
}

Test(xlsx, libxlsxwriter_roundtrip)
{
    roundtrip(0);
}

Test(xlsx, libxlsxwriter_roundtrip_constant_memory)
{
    roundtrip(1);
}
