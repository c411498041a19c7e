/* test_xml2003.c: the Excel 2003 XML (SpreadsheetML 2003) reader. */
#include <criterion/criterion.h>
#include <string.h>

#include "clasconv/read.h"
#include "test_util.h"

#define X(name) CLASCONV_FIXTURES "/xml2003/" name

typedef struct xml_result {
    clasconv_grid *grid;
    clasconv_error err;
    clasconv_diag diag;
} xml_result;

static xml_result read_text(const char *text)
{
    xml_result r;
    clasconv_input in = {NULL, (const unsigned char *)text, strlen(text)};
    r.grid = clasconv_grid_new();
    cr_assert_not_null(r.grid);
    clasconv_diag_clear(&r.diag);
    r.err = clasconv_read_xml2003(&in, r.grid, &r.diag);
    return r;
}

static void check_form(const char *path)
{
    size_t size;
    unsigned char *data = test_load(path, &size);
    cr_assert_eq(clasconv_sniff(data, size), CLASCONV_FORMAT_XML2003, "%s",
                 path);
    free(data);
    clasconv_grid *grid = test_read_with(clasconv_read_xml2003, path);
    cr_assert_eq(clasconv_grid_sheet_count(grid), 2);
    const clasconv_sheet *s = clasconv_grid_sheet(grid, 0);
    cr_assert_str_eq(clasconv_sheet_name(s), "Feuil1");
    expect_text(s, 0, 0, "Note unique stratégique CLAS 2026-2027", 0);
    const clasconv_merge *m = clasconv_sheet_merge_at(s, 0, 5);
    cr_assert_not_null(m);
    cr_expect_eq(m->last_col, 9);
    expect_text(s, 2, 0, "Territoire de : Vénissieux", 0);  /* ss:Index="3" */
    expect_text(s, 2, 4, "2025-12-31", CLASCONV_CELL_DATE); /* Cell Index */
    expect_text(s, 4, 0, "Établissement", 0);  /* its Comment left aside */
    expect_text(s, 5, 0, "EE Jules Ferry", 0); /* rich text */
    expect_number(s, 5, 1, 12, 0);
    expect_number(s, 5, 2, 4.5, 0);
    cr_expect_null(clasconv_sheet_get(s, 6, 1));
    expect_number(s, 6, 2, 7, 0);
    expect_number(s, 6, 3, 1, CLASCONV_CELL_BOOLEAN);
    expect_number(s, 7, 1, 12, CLASCONV_CELL_FORMULA);
    expect_text(s, 7, 2, "#DIV/0!",
                CLASCONV_CELL_FORMULA | CLASCONV_CELL_ERROR);
    cr_assert_str_eq(clasconv_sheet_name(clasconv_grid_sheet(grid, 1)), "Vide");
    clasconv_grid_free(grid);
}

Test(xml2003, form_as_excel_saves_it)
{
    check_form(X("form.xml"));
}

/* Web tools export it with the .xls extension; told by content. */
Test(xml2003, saved_as_xls)
{
    check_form(X("export-portail.xls"));
}

Test(xml2003, utf16)
{
    check_form(X("form-utf16.xml"));
}

Test(xml2003, hostile_and_empty)
{
    /* A DOCTYPE (entities) is refused before anything is expanded. */
    xml_result r = read_text(
        "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]>"
        "<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">"
        "</Workbook>");
    cr_expect_eq(r.err, CLASCONV_ERR_FORMAT);
    cr_expect_not_null(strstr(r.diag.message, "DOCTYPE"), "%s", r.diag.message);
    clasconv_grid_free(r.grid);
    /* No worksheet at all. */
    r = read_text("<?xml version=\"1.0\"?><Workbook xmlns=\"urn:schemas-"
                  "microsoft-com:office:spreadsheet\"></Workbook>");
    cr_expect_eq(r.err, CLASCONV_ERR_FORMAT);
    cr_expect_not_null(strstr(r.diag.message, "aucune feuille"));
    clasconv_grid_free(r.grid);
    /* A row index past any grid. */
    r = read_text("<Workbook xmlns=\"urn:schemas-microsoft-com:office:"
                  "spreadsheet\" xmlns:ss=\"urn:schemas-microsoft-com:office:"
                  "spreadsheet\"><Worksheet ss:Name=\"a\"><Table>"
                  "<Row ss:Index=\"99999999999\"><Cell><Data ss:Type=\""
                  "String\">x</Data></Cell></Row></Table></Worksheet>"
                  "</Workbook>");
    cr_expect_eq(r.err, CLASCONV_ERR_TOO_LARGE);
    clasconv_grid_free(r.grid);
    /* Malformed XML. */
    r = read_text("<Workbook xmlns=\"urn:schemas-microsoft-com:office:"
                  "spreadsheet\"><Worksheet>");
    cr_expect_eq(r.err, CLASCONV_ERR_FORMAT);
    cr_expect_not_null(strstr(r.diag.message, "invalide"));
    clasconv_grid_free(r.grid);
}
