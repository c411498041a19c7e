/* test_opc.c: packages told by their content: OPC relationships (main part
 * anywhere, Strict OOXML, .xlsm, .xlsb) and password-protected files. */
#include <criterion/criterion.h>
#include <string.h>

#include "clasconv/clasconv.h"
#include "clasconv/read.h"
#include "clasconv/table.h"
#include "test_util.h"

#define OPC(name) CLASCONV_FIXTURES "/opc/" name

static clasconv_format sniff_file(const char *path)
{
    size_t size;
    unsigned char *data = test_load(path, &size);
    clasconv_format format = clasconv_sniff(data, size);
    free(data);
    return format;
}

/* Sniffs and reads `path` through the dispatch, as the pipeline does. */
static clasconv_error read_any(const char *path, clasconv_grid **grid,
                               clasconv_diag *diag)
{
    size_t size;
    unsigned char *data = test_load(path, &size);
    clasconv_input in = {path, data, size};
    *grid = clasconv_grid_new();
    cr_assert_not_null(*grid);
    clasconv_diag_clear(diag);
    clasconv_error err =
        clasconv_read(clasconv_sniff(data, size), &in, *grid, diag);
    free(data);
    return err;
}

Test(opc, formats_from_relationships_and_content_types)
{
    static const struct {
        const char *path;
        clasconv_format format;
    } cases[] = {
        {OPC("moved-main.xlsx"), CLASCONV_FORMAT_XLSX},
        {OPC("strict-moved.xlsx"), CLASCONV_FORMAT_XLSX},
        {OPC("macro.xlsm"), CLASCONV_FORMAT_XLSX},
        {OPC("moved-main.docx"), CLASCONV_FORMAT_DOCX},
        {OPC("strict.docx"), CLASCONV_FORMAT_DOCX},
        {OPC("binary.xlsb"), CLASCONV_FORMAT_XLSB},
        {OPC("password.ods"), CLASCONV_FORMAT_ENCRYPTED},
        {CLASCONV_FIXTURES "/xls/password-package.xlsx",
         CLASCONV_FORMAT_ENCRYPTED},
        {CLASCONV_FIXTURES "/xls/password-package.docx",
         CLASCONV_FORMAT_ENCRYPTED},
        /* Unchanged: the usual names, an .xls, an encrypted .xls. */
        {CLASCONV_FIXTURES "/zip/good.xlsx", CLASCONV_FORMAT_XLSX},
        {CLASCONV_FIXTURES "/zip/docx-spans.docx", CLASCONV_FORMAT_DOCX},
        {CLASCONV_FIXTURES "/zip/ods-repeat.ods", CLASCONV_FORMAT_ODS},
        {CLASCONV_FIXTURES "/xls/formulas.xls", CLASCONV_FORMAT_XLS},
        {CLASCONV_FIXTURES "/xls/encrypted.xls", CLASCONV_FORMAT_XLS},
        {CLASCONV_FIXTURES "/xls/word.doc", CLASCONV_FORMAT_DOC},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clasconv_format got = sniff_file(cases[i].path);
        cr_expect_eq(got, cases[i].format, "%s: %s", cases[i].path,
                     clasconv_format_name(got));
    }
}

static void expect_school_table(const clasconv_grid *grid)
{
    cr_assert_eq(clasconv_grid_sheet_count(grid), 1);
    const clasconv_sheet *s = clasconv_grid_sheet(grid, 0);
    expect_text(s, 0, 0, "Établissement", 0);
    expect_text(s, 1, 0, "École Jules Ferry", 0);
    if (clasconv_sheet_ref_kind(s) == CLASCONV_REF_WORD) {
        expect_text(s, 1, 1, "12", 0);
    } else {
        expect_number(s, 1, 1, 12, 0);
    }
}

/* Main parts away from xl/workbook.xml and word/document.xml, Strict
 * namespaces, a macro workbook: all read through their relationships. */
Test(opc, packages_read_wherever_their_main_part_is)
{
    const char *files[] = {OPC("moved-main.xlsx"), OPC("strict-moved.xlsx"),
                           OPC("macro.xlsm"), OPC("moved-main.docx"),
                           OPC("strict.docx")};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        clasconv_grid *grid;
        clasconv_diag diag;
        clasconv_error err = read_any(files[i], &grid, &diag);
        cr_assert_eq(err, CLASCONV_OK, "%s: %s", files[i], diag.message);
        expect_school_table(grid);
        clasconv_grid_free(grid);
    }
}

/* One message for every password-protected kind, .xls included. */
Test(opc, password_protected_files_say_so)
{
    const char *files[] = {OPC("password.ods"),
                           CLASCONV_FIXTURES "/xls/password-package.xlsx",
                           CLASCONV_FIXTURES "/xls/password-package.docx",
                           CLASCONV_FIXTURES "/xls/encrypted.xls"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        clasconv_grid *grid;
        clasconv_diag diag;
        clasconv_error err = read_any(files[i], &grid, &diag);
        cr_expect_neq(err, CLASCONV_OK, "%s", files[i]);
        cr_expect_not_null(strstr(diag.message,
                                  "Le fichier est protégé par un mot de "
                                  "passe : enregistrez-le sans mot de passe "
                                  "et renvoyez-le"),
                           "%s: %s", files[i], diag.message);
        clasconv_grid_free(grid);
    }
}

/* Without LibreOffice (turned off here), an .xlsb is refused and named. */
Test(opc, xlsb_is_named)
{
    clasconv_grid *grid;
    clasconv_diag diag;
    setenv("CLASCONV_SOFFICE", "0", 1);
    clasconv_error err = read_any(OPC("binary.xlsb"), &grid, &diag);
    cr_expect_eq(err, CLASCONV_ERR_FORMAT);
    cr_expect_not_null(strstr(diag.message, "classeur Excel binaire (.xlsb)"),
                       "%s", diag.message);
    cr_expect_not_null(strstr(diag.message, "enregistrez-le au format Excel"));
    clasconv_grid_free(grid);
    cr_expect_str_eq(clasconv_format_name(CLASCONV_FORMAT_XLSB), "xlsb");
    cr_expect_str_eq(clasconv_format_name(CLASCONV_FORMAT_ENCRYPTED),
                     "protege");
    cr_expect_not_null(strstr(diag.message, "libreoffice-calc-nogui"), "%s",
                       diag.message);
    /* Readable: through LibreOffice when it is installed. */
    cr_expect_eq(clasconv_format_readable(CLASCONV_FORMAT_XLSB), 1);
    cr_expect_eq(clasconv_format_readable(CLASCONV_FORMAT_ENCRYPTED), 0);
}

/* TABLE_NOT_FOUND says where it looked: a Word document's tables, a CSV
 * file, a workbook's sheets. */
Test(opc, table_not_found_worded_for_the_kind)
{
    static const struct {
        const char *path, *where;
    } cases[] = {
        {OPC("strict.docx"), "Autre) dans le document."},
        {OPC("moved-main.xlsx"), "Autre) dans la feuille."},
        {CLASCONV_FIXTURES "/xls/cp1251.xls", "Autre) dans la feuille."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clasconv_table *table = NULL;
        clasconv_diag diag;
        clasconv_error err = clasconv_convert(cases[i].path, &table, &diag);
        cr_expect_eq(err, CLASCONV_ERR_NO_TABLE, "%s: %s", cases[i].path,
                     diag.message);
        cr_expect_not_null(strstr(diag.message, cases[i].where), "%s: %s",
                           cases[i].path, diag.message);
        clasconv_table_free(table);
    }
    static const unsigned char csv[] = "Titre;x\nfoo;bar\n";
    clasconv_table *table = NULL;
    clasconv_diag diag;
    clasconv_error err = clasconv_convert_memory("notes.csv", NULL, csv,
                                                 sizeof csv - 1, &table, &diag);
    cr_expect_eq(err, CLASCONV_ERR_NO_TABLE, "%s", diag.message);
    cr_expect_not_null(strstr(diag.message, "Autre) dans le fichier."), "%s",
                       diag.message);
    clasconv_table_free(table);
}
