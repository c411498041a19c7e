/* test_odt.c: the ODT reader on the Word form converted by LibreOffice
 * Writer and on hand-made files (nested tables, span, frame). */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clasconv/read.h"

#include "test_util.h"

#define ODT(name) CLASCONV_FIXTURES "/odt/" name

static clasconv_grid *read_file(const char *path)
{
    return test_read_with(clasconv_read_odt, path);
}

static const char *meta(const clasconv_grid *grid, const char *key)
{
    const char *k;
    const char *v;

    for (size_t i = 0; i < clasconv_grid_meta_count(grid); i++) {
        clasconv_grid_meta(grid, i, &k, &v);
        if (strcmp(k, key) == 0) {
            return v;
        }
    }
    return NULL;
}

Test(odt, sniffed_by_mimetype)
{
    size_t size;
    unsigned char *data = test_load(ODT("form-saint-fons.odt"), &size);

    cr_expect_eq(clasconv_sniff(data, size), CLASCONV_FORMAT_ODT);
    free(data);
    data = test_load(ODT("nested.odt"), &size);
    cr_expect_eq(clasconv_sniff(data, size), CLASCONV_FORMAT_ODT);
    free(data);
    cr_expect_str_eq(clasconv_format_name(CLASCONV_FORMAT_ODT), "odt");
    cr_expect_eq(clasconv_format_readable(CLASCONV_FORMAT_ODT), 1);
}

/* The p09 Word form saved by Writer: the same tables, references and
 * fields as the .docx reader gives for the original. */
Test(odt, writer_form)
{
    clasconv_grid *grid = read_file(ODT("form-saint-fons.odt"));
    const clasconv_sheet *s;
    char ref[64];

    cr_assert_eq(clasconv_grid_sheet_count(grid), 2);
    s = clasconv_grid_sheet(grid, 1);
    cr_expect_str_eq(clasconv_sheet_name(s), "tableau 2");
    cr_expect_eq(clasconv_sheet_ref_kind(s), CLASCONV_REF_WORD);
    expect_text(s, 1, 1,
                "NOMBRE D\xE2\x80\x99"
                "ENFANTS",
                0);
    expect_text(s, 4, 0,
                "\xC3\x89"
                "cole \xC3\xA9l\xC3\xA9mentaire Lamartine",
                0);
    clasconv_sheet_ref(s, 4, 0, ref, sizeof ref);
    cr_expect_str_eq(ref, "tableau 2, ligne 5, colonne 1");
    /* PRE over two columns (gridSpan in the .docx, covered cell here) */
    cr_expect_geq(clasconv_sheet_merge_count(s), 5);
    cr_expect_str_eq(meta(grid, "Territoire"), "Saint-Fons");
    cr_expect_str_eq(meta(grid, "Nom/Pr\xC3\xA9nom"), "BERTRAND Claire");
    clasconv_grid_free(grid);
}

Test(odt, nested_span_and_frame)
{
    clasconv_grid *grid = read_file(ODT("nested.odt"));
    const clasconv_sheet *s;
    const clasconv_merge *m;

    /* the frame's table is not a sheet; the nested one is */
    cr_assert_eq(clasconv_grid_sheet_count(grid), 2);
    s = clasconv_grid_sheet(grid, 0);
    cr_expect_str_eq(clasconv_sheet_name(s), "tableau 1");
    expect_text(s, 0, 0, "CLAS", 0);
    cr_expect_null(clasconv_sheet_get(s, 0, 1)); /* covered: not read */
    expect_text(s, 0, 2, "QPV", 0);
    /* the enclosing cell keeps only its own paragraph */
    expect_text(s, 1, 0, "EE", 0);
    expect_number(s, 1, 1, 12, 0);
    expect_text(s, 1, 2, "a  b", 0);
    cr_assert_eq(clasconv_sheet_merge_count(s), 1);
    m = clasconv_sheet_merge(s, 0);
    cr_expect(m->first_row == 0 && m->first_col == 0 && m->last_row == 0 &&
              m->last_col == 1);
    cr_expect_str_eq(meta(grid, "Territoire"), "Exemple-sur-Sa\xC3\xB4ne");
    /* the nested table, after its parent */
    s = clasconv_grid_sheet(grid, 1);
    cr_expect_str_eq(clasconv_sheet_name(s), "tableau 1.1");
    cr_expect_eq(clasconv_sheet_ref_kind(s), CLASCONV_REF_WORD);
    expect_text(s, 0, 0, "Jules Ferry", 0);
    expect_text(s, 0, 1, "12", 0);
    cr_expect_eq(clasconv_sheet_row_count(s), 1);
    clasconv_grid_free(grid);
}

#define NESTED(name) CLASCONV_FIXTURES "/nested/" name

/* The CLAS table beside a logo in a Writer layout table: its own sheet,
 * with references a person can follow. */
Test(odt, clas_table_beside_a_logo)
{
    clasconv_grid *grid = read_file(NESTED("form-nested.odt"));
    const clasconv_sheet *s;
    char ref[64];

    cr_assert_eq(clasconv_grid_sheet_count(grid), 2);
    s = clasconv_grid_sheet(grid, 0);
    cr_expect_str_eq(clasconv_sheet_name(s), "tableau 1");
    expect_text(s, 0, 0, "[logo]\nVille de Nestville", 0);
    expect_text(s, 0, 1,
                "Dispositifs existants sur le territoire\nFait \xC3\xA0 "
                "Nestville",
                0);
    s = clasconv_grid_sheet(grid, 1);
    cr_expect_str_eq(clasconv_sheet_name(s), "tableau 1.1");
    cr_expect_eq(clasconv_sheet_table_no(s), 1);
    cr_expect_eq(clasconv_sheet_row_count(s), 4);
    expect_text(s, 1, 0, "EE Jules Ferry", 0);
    expect_text(s, 3, 0, "Coll\xC3\xA8ge Jean Moulin", 0);
    expect_text(s, 3, 8, "12", 0);
    clasconv_sheet_ref(s, 3, 8, ref, sizeof ref);
    cr_expect_str_eq(ref, "tableau 1.1, ligne 4, colonne 9");
    cr_expect_str_eq(meta(grid, "Territoire"), "Nestville");
    clasconv_grid_free(grid);
}

/* The same names as the DOCX reader gives (test_docx_nested.c). */
Test(odt, nested_names)
{
    static const char *const names[] = {
        "tableau 1",   "tableau 1.1",   "tableau 1.2", "tableau 1.3",
        "tableau 1.4", "tableau 1.4.1", "tableau 2",   "tableau 2.1"};
    clasconv_grid *grid = read_file(NESTED("names.odt"));

    cr_assert_eq(clasconv_grid_sheet_count(grid), 8);
    for (size_t i = 0; i < 8; i++) {
        cr_expect_str_eq(clasconv_sheet_name(clasconv_grid_sheet(grid, i)),
                         names[i]);
    }
    expect_text(clasconv_grid_sheet(grid, 0), 0, 0, "a\na2\na4", 0);
    expect_text(clasconv_grid_sheet(grid, 4), 0, 0, "b2", 0);
    expect_text(clasconv_grid_sheet(grid, 5), 0, 0, "b3", 0);
    expect_text(clasconv_grid_sheet(grid, 7), 0, 0, "c1", 0);
    clasconv_grid_free(grid);
}

Test(odt, deep_nesting_bounded)
{
    clasconv_grid *grid = read_file(NESTED("hostile-deep.odt"));
    const clasconv_sheet *s;
    const clasconv_cell *cell;

    cr_assert_eq(clasconv_grid_sheet_count(grid), 8);
    s = clasconv_grid_sheet(grid, 7);
    cr_expect_str_eq(clasconv_sheet_name(s), "tableau 1.1.1.1.1.1.1.1");
    expect_text(clasconv_grid_sheet(grid, 6), 0, 0, "niveau 7", 0);
    cell = clasconv_sheet_get(s, 0, 0);
    cr_assert_not_null(cell);
    cr_expect_eq(strncmp(cell->v.text, "niveau 8\nniveau 9\n", 18), 0, "%s",
                 cell->v.text);
    cr_expect_str_eq(cell->v.text + strlen(cell->v.text) - 19,
                     "niveau 59\nniveau 60");
    clasconv_grid_free(grid);
}

Test(odt, wide_nesting_refused)
{
    size_t size;
    unsigned char *data = test_load(NESTED("hostile-wide.odt"), &size);
    clasconv_input in = {"hostile-wide.odt", data, size};
    clasconv_grid *grid = clasconv_grid_new();
    clasconv_diag diag;

    diag.message[0] = '\0';
    cr_expect_eq(clasconv_read_odt(&in, grid, &diag), CLASCONV_ERR_TOO_LARGE);
    cr_expect_not_null(strstr(diag.message, "512"), "%s", diag.message);
    clasconv_grid_free(grid);
    free(data);
}

Test(odt, no_text_body_refused)
{
    size_t size;
    unsigned char *data = test_load(ODT("no-text.odt"), &size);
    clasconv_input in = {"no-text.odt", data, size};
    clasconv_grid *grid = clasconv_grid_new();
    clasconv_diag diag;

    diag.message[0] = '\0';
    cr_expect_eq(clasconv_read_odt(&in, grid, &diag), CLASCONV_ERR_FORMAT);
    cr_expect_not_null(strstr(diag.message, "(.odt)"), "%s", diag.message);
    clasconv_grid_free(grid);
    free(data);
}
