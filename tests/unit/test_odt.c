/* test_odt.c: the ODT reader on the Word form converted by LibreOffice
 * Writer and on a hand-made file (nested table, span, frame). */
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

    /* the frame's table is not a sheet */
    cr_assert_eq(clasconv_grid_sheet_count(grid), 1);
    s = clasconv_grid_sheet(grid, 0);
    cr_expect_str_eq(clasconv_sheet_name(s), "tableau 1");
    expect_text(s, 0, 0, "CLAS", 0);
    cr_expect_null(clasconv_sheet_get(s, 0, 1)); /* covered: not read */
    expect_text(s, 0, 2, "QPV", 0);
    /* the nested table's paragraphs join the enclosing cell, one a line */
    expect_text(s, 1, 0, "EE\nJules Ferry\n12", 0);
    expect_number(s, 1, 1, 12, 0);
    expect_text(s, 1, 2, "a  b", 0);
    cr_assert_eq(clasconv_sheet_merge_count(s), 1);
    m = clasconv_sheet_merge(s, 0);
    cr_expect(m->first_row == 0 && m->first_col == 0 && m->last_row == 0 &&
              m->last_col == 1);
    cr_expect_str_eq(meta(grid, "Territoire"), "Exemple-sur-Sa\xC3\xB4ne");
    clasconv_grid_free(grid);
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
