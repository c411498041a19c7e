/* test_docx_nested.c: Word tables nested in layout tables' cells (a CLAS
 * table beside a commune's logo) read as sheets of their own, named after
 * their parent; hostile nestings bounded (fixtures/nested, made by
 * scripts/gen-nested-fixtures). */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clasconv/read.h"

#include "test_util.h"

#define NESTED(name) CLASCONV_FIXTURES "/nested/" name

static clasconv_grid *read_file(const char *path)
{
    return test_read_with(clasconv_read_docx, path);
}

static void expect_ref(const clasconv_sheet *s, uint32_t row, uint32_t col,
                       const char *text, const char *where)
{
    char ref[96];

    expect_text(s, row, col, text, 0);
    clasconv_sheet_ref(s, row, col, ref, sizeof ref);
    cr_expect_str_eq(ref, where);
}

Test(docx_nested, clas_table_beside_a_logo)
{
    clasconv_grid *grid = read_file(NESTED("form-nested.docx"));
    const clasconv_sheet *s;

    cr_assert_eq(clasconv_grid_sheet_count(grid), 2);
    /* the layout table: each cell keeps only its own paragraphs */
    s = clasconv_grid_sheet(grid, 0);
    cr_expect_str_eq(clasconv_sheet_name(s), "tableau 1");
    cr_expect_eq(clasconv_sheet_row_count(s), 1);
    expect_ref(s, 0, 0, "[logo]\nVille de Nestville",
               "tableau 1, ligne 1, colonne 1");
    expect_ref(s, 0, 1,
               "Dispositifs existants sur le territoire\nFait \xC3\xA0 "
               "Nestville",
               "tableau 1, ligne 1, colonne 2");
    /* the CLAS table, its own sheet */
    s = clasconv_grid_sheet(grid, 1);
    cr_expect_str_eq(clasconv_sheet_name(s), "tableau 1.1");
    cr_expect_eq(clasconv_sheet_ref_kind(s), CLASCONV_REF_WORD);
    cr_expect_eq(clasconv_sheet_table_no(s), 1);
    cr_expect_eq(clasconv_sheet_row_count(s), 4);
    expect_ref(s, 0, 0, "\xC3\x89tablissement",
               "tableau 1.1, ligne 1, colonne 1");
    expect_ref(s, 0, 9, "Autre", "tableau 1.1, ligne 1, colonne 10");
    expect_ref(s, 1, 0, "EE Jules Ferry", "tableau 1.1, ligne 2, colonne 1");
    expect_ref(s, 1, 7, "10", "tableau 1.1, ligne 2, colonne 8");
    expect_ref(s, 3, 0, "Coll\xC3\xA8ge Jean Moulin",
               "tableau 1.1, ligne 4, colonne 1");
    expect_ref(s, 3, 8, "12", "tableau 1.1, ligne 4, colonne 9");
    cr_expect_null(clasconv_sheet_get(s, 3, 9));
    clasconv_grid_free(grid);
}

/* Numbered per parent, in document order, each after its parent. */
Test(docx_nested, names)
{
    static const char *const names[] = {
        "tableau 1",   "tableau 1.1",   "tableau 1.2", "tableau 1.3",
        "tableau 1.4", "tableau 1.4.1", "tableau 2",   "tableau 2.1"};
    static const char *const first[] = {"a\na2\na4", "a1", "a3", "b1",
                                        "b2",        "b3", NULL, "c1"};
    clasconv_grid *grid = read_file(NESTED("names.docx"));

    cr_assert_eq(clasconv_grid_sheet_count(grid), 8);
    for (size_t i = 0; i < 8; i++) {
        const clasconv_sheet *s = clasconv_grid_sheet(grid, i);
        cr_expect_str_eq(clasconv_sheet_name(s), names[i]);
        cr_expect_eq(clasconv_sheet_table_no(s), i < 6 ? 1u : 2u);
        if (first[i] != NULL) {
            expect_text(s, 0, 0, first[i], 0);
        } else {
            cr_expect_null(clasconv_sheet_get(s, 0, 0), "%s", names[i]);
        }
    }
    clasconv_grid_free(grid);
}

/* 60 levels: 8 sheets, the deeper tables' text in the 8th one's cell. */
Test(docx_nested, deep_nesting_bounded)
{
    clasconv_grid *grid = read_file(NESTED("hostile-deep.docx"));
    const clasconv_sheet *s;
    const clasconv_cell *cell;
    char want[32] = "tableau 1";

    cr_assert_eq(clasconv_grid_sheet_count(grid), 8);
    for (size_t i = 0; i < 8; i++) {
        char text[16];
        s = clasconv_grid_sheet(grid, i);
        cr_expect_str_eq(clasconv_sheet_name(s), want);
        strcat(want, ".1");
        if (i < 7) {
            snprintf(text, sizeof text, "niveau %zu", i + 1);
            expect_text(s, 0, 0, text, 0);
        }
    }
    cell = clasconv_sheet_get(s, 0, 0);
    cr_assert_not_null(cell);
    cr_expect_eq(strncmp(cell->v.text, "niveau 8\nniveau 9\nniveau 10\n", 28),
                 0, "%s", cell->v.text);
    cr_expect_str_eq(cell->v.text + strlen(cell->v.text) - 19,
                     "niveau 59\nniveau 60");
    clasconv_grid_free(grid);
}

/* 600 tables in one cell: refused at the grid's 512 sheets. */
Test(docx_nested, wide_nesting_refused)
{
    size_t size;
    unsigned char *data = test_load(NESTED("hostile-wide.docx"), &size);
    clasconv_input in = {"hostile-wide.docx", data, size};
    clasconv_grid *grid = clasconv_grid_new();
    clasconv_diag diag;

    diag.message[0] = '\0';
    cr_expect_eq(clasconv_read_docx(&in, grid, &diag), CLASCONV_ERR_TOO_LARGE);
    cr_expect_not_null(strstr(diag.message, "512"), "%s", diag.message);
    clasconv_grid_free(grid);
    free(data);
}
