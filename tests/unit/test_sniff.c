/* test_sniff.c: format sniffing, format names and messages, file loading. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clasconv/read.h"
#include "read/sniff.h"
#include "test_util.h"

static clasconv_format sniff_str(const char *s, size_t len)
{
    return clasconv_sniff((const unsigned char *)s, len);
}

#define SNIFF(lit) sniff_str(lit, sizeof(lit) - 1)

static clasconv_format sniff_path(const char *path)
{
    unsigned char *data = NULL;
    size_t size = 0;
    clasconv_diag diag;
    clasconv_format format;
    clasconv_error err = clasconv_load_file(path, &data, &size, &diag);
    cr_assert_eq(err, CLASCONV_OK, "%s: %s", path, diag.message);
    format = clasconv_sniff(data, size);
    free(data);
    return format;
}

/* --- The shared samples -------------------------------------------- */

Test(sniff, samples)
{
    test_need_samples();
    static const struct {
        const char *path;
        clasconv_format format;
    } cases[] = {
        {"p01-form-xls-villeurbanne/Tableau dispositifs CLAS 2026 - "
         "Villeurbanne.xls",
         CLASCONV_FORMAT_XLS},
        {"p02-onerow-xlsx-vaulx-en-velin/CLAS_2026_Vaulx-en-Velin.xlsx",
         CLASCONV_FORMAT_XLSX},
        {"p03-form-csv-cp1252-bron/dispositifs_clas_2026_bron.csv",
         CLASCONV_FORMAT_CSV},
        {"p04-form-ods-saint-priest/Note CLAS 2026-2027 Saint-Priest.ods",
         CLASCONV_FORMAT_ODS},
        {"p05-flat-csv-utf8-venissieux/V\xc3\xa9nissieux - dispositifs "
         "CLAS.csv",
         CLASCONV_FORMAT_CSV},
        {"p06-form-biff5-caps-rillieux/Tableau CLAS 2026 "
         "Rillieux-la-Pape.xls",
         CLASCONV_FORMAT_XLS},
        {"p07-bad-html-as-xls-decines/Export_dispositifs_CLAS_Decines.xls",
         CLASCONV_FORMAT_HTML},
        {"p08-bad-budget-sheet-meyzieu/Budget previsionnel CLAS 2026 - "
         "Meyzieu.xlsx",
         CLASCONV_FORMAT_XLSX},
        {"p09-form-docx-saint-fons/Note unique strat\xc3\xa9gique CLAS "
         "2026-2027 - Saint-Fons.docx",
         CLASCONV_FORMAT_DOCX},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", CLASCONV_SAMPLES, cases[i].path);
        cr_expect_eq(sniff_path(path), cases[i].format, "%s: got %s",
                     cases[i].path, clasconv_format_name(sniff_path(path)));
    }
}

/* --- Fixtures whose names lie ---------------------------------------- */

Test(sniff, fixtures)
{
    static const struct {
        const char *name;
        clasconv_format format;
    } cases[] = {
        {"sniff/portal-export.xls", CLASCONV_FORMAT_HTML},
        {"sniff/excel2003.xml", CLASCONV_FORMAT_XML2003},
        {"xml2003/export-portail.xls", CLASCONV_FORMAT_XML2003},
        {"sniff/scan.xlsx", CLASCONV_FORMAT_PDF},
        {"sniff/note.doc", CLASCONV_FORMAT_RTF},
        {"sniff/word.xlsx", CLASCONV_FORMAT_DOCX},
        {"sniff/truncated.docx", CLASCONV_FORMAT_DOCX},
        {"sniff/other.zip", CLASCONV_FORMAT_ZIP_OTHER},
        {"sniff/empty.zip", CLASCONV_FORMAT_ZIP_OTHER},
        {"sniff/binary.xls", CLASCONV_FORMAT_UNKNOWN},
        {"csv/utf16le-tab.csv", CLASCONV_FORMAT_CSV},
        {"csv/cp1252-semicolon.csv", CLASCONV_FORMAT_CSV},
        {"csv/utf8-bom-comma.csv", CLASCONV_FORMAT_CSV},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", CLASCONV_FIXTURES, cases[i].name);
        cr_expect_eq(sniff_path(path), cases[i].format, "%s", cases[i].name);
    }
}

/* --- Hand-made zips ---------------------------------------------------- */

typedef struct zip_builder {
    unsigned char data[4096];
    size_t len;
    unsigned char cd[2048];
    size_t cd_len;
    unsigned entries;
} zip_builder;

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v & 0xFF);
    p[1] = (unsigned char)((v >> 8) & 0xFF);
}

static void put32(unsigned char *p, unsigned long v)
{
    put16(p, (unsigned)(v & 0xFFFF));
    put16(p + 2, (unsigned)((v >> 16) & 0xFFFF));
}

/* Adds a stored part (no CRC: the sniffer does not check it). */
static void zip_add(zip_builder *z, const char *name, const char *body,
                    unsigned method)
{
    size_t nlen = strlen(name), blen = strlen(body);
    unsigned char *h = z->data + z->len, *c = z->cd + z->cd_len;
    memset(h, 0, 30);
    put32(h, 0x04034b50ul);
    put16(h + 4, 20);
    put16(h + 8, method);
    put32(h + 18, blen);
    put32(h + 22, blen);
    put16(h + 26, (unsigned)nlen);
    memcpy(h + 30, name, nlen);
    memcpy(h + 30 + nlen, body, blen);
    memset(c, 0, 46);
    put32(c, 0x02014b50ul);
    put16(c + 10, method);
    put32(c + 20, blen);
    put32(c + 24, blen);
    put16(c + 28, (unsigned)nlen);
    put32(c + 42, z->len);
    memcpy(c + 46, name, nlen);
    z->len += 30 + nlen + blen;
    z->cd_len += 46 + nlen;
    z->entries++;
}

/* Appends the central directory and its end record. */
static void zip_finish(zip_builder *z)
{
    unsigned char *e;
    size_t cd_off = z->len;
    memcpy(z->data + z->len, z->cd, z->cd_len);
    z->len += z->cd_len;
    e = z->data + z->len;
    memset(e, 0, 22);
    put32(e, 0x06054b50ul);
    put16(e + 8, z->entries);
    put16(e + 10, z->entries);
    put32(e + 12, z->cd_len);
    put32(e + 16, cd_off);
    z->len += 22;
}

static clasconv_format sniff_zip(const char *const *parts, size_t n, size_t cut)
{
    zip_builder z;
    size_t i;
    memset(&z, 0, sizeof z);
    for (i = 0; i + 1 < n; i += 2)
        zip_add(&z, parts[i], parts[i + 1], 0);
    zip_finish(&z);
    return clasconv_sniff(z.data, cut != 0 && cut < z.len ? cut : z.len);
}

Test(sniff, zip_parts)
{
    static const char *const docx[] = {"[Content_Types].xml", "<Types/>",
                                       "word/document.xml", "<w:document/>"};
    static const char *const xlsx[] = {"docProps/app.xml", "<x/>",
                                       "xl/workbook.xml", "<workbook/>"};
    static const char *const ods[] = {
        "mimetype", "application/vnd.oasis.opendocument.spreadsheet",
        "content.xml", "<office:document-content/>"};
    static const char *const odt[] = {
        "mimetype", "application/vnd.oasis.opendocument.text", "content.xml",
        "<office:document-content/>"};
    static const char *const odp[] = {
        "mimetype", "application/vnd.oasis.opendocument.presentation",
        "content.xml", "<office:document-content/>"};
    static const char *const backslash[] = {"xl\\workbook.xml", "<w/>"};
    static const char *const other[] = {"a.txt", "hello"};
    cr_expect_eq(sniff_zip(docx, 4, 0), CLASCONV_FORMAT_DOCX);
    cr_expect_eq(sniff_zip(xlsx, 4, 0), CLASCONV_FORMAT_XLSX);
    cr_expect_eq(sniff_zip(ods, 4, 0), CLASCONV_FORMAT_ODS);
    cr_expect_eq(sniff_zip(odt, 4, 0), CLASCONV_FORMAT_ODT);
    cr_expect_eq(sniff_zip(odp, 4, 0), CLASCONV_FORMAT_ZIP_OTHER);
    cr_expect_eq(sniff_zip(backslash, 2, 0), CLASCONV_FORMAT_XLSX);
    cr_expect_eq(sniff_zip(other, 2, 0), CLASCONV_FORMAT_ZIP_OTHER);
}

Test(sniff, zip_truncated)
{
    static const char *const docx[] = {"[Content_Types].xml", "<Types/>",
                                       "word/document.xml", "<w:document/>"};
    static const char *const xlsx[] = {"[Content_Types].xml", "<Types/>",
                                       "xl/workbook.xml", "<workbook/>"};
    /* Cut inside the central directory: the local headers still tell. */
    cr_expect_eq(sniff_zip(docx, 4, 120), CLASCONV_FORMAT_DOCX);
    cr_expect_eq(sniff_zip(xlsx, 4, 120), CLASCONV_FORMAT_XLSX);
    /* Cut inside the second part's name: nothing but the first part. */
    cr_expect_eq(sniff_zip(docx, 4, 30 + 19 + 8 + 36),
                 CLASCONV_FORMAT_ZIP_OTHER);
    /* Only the signature. */
    cr_expect_eq(SNIFF("PK\3\4"), CLASCONV_FORMAT_ZIP_OTHER);
    cr_expect_eq(SNIFF("PK\5\6"), CLASCONV_FORMAT_ZIP_OTHER);
}

Test(sniff, zip_hostile_directory)
{
    zip_builder z;
    memset(&z, 0, sizeof z);
    zip_add(&z, "word/document.xml", "<w:document/>", 0);
    zip_finish(&z);
    /* A central directory claiming more entries and a huge size. */
    put16(z.data + z.len - 22 + 10, 0xFFFF);
    put32(z.data + z.len - 22 + 12, 0xFFFFFFFFul);
    cr_expect_eq(clasconv_sniff(z.data, z.len), CLASCONV_FORMAT_DOCX);
    /* Name lengths running past the end. */
    memset(&z, 0, sizeof z);
    zip_add(&z, "xl/workbook.xml", "<w/>", 0);
    zip_finish(&z);
    put16(z.data + 26, 0xFFFF);
    put16(z.data + z.len - 22 - 46 - 15 + 28, 0xFFFF);
    cr_expect_eq(clasconv_sniff(z.data, z.len), CLASCONV_FORMAT_ZIP_OTHER);
}

/* --- Text and markup --------------------------------------------------- */

Test(sniff, markup_and_documents)
{
    cr_expect_eq(SNIFF("<html><body>"), CLASCONV_FORMAT_HTML);
    cr_expect_eq(SNIFF("\r\n  <!DOCTYPE HTML PUBLIC>"), CLASCONV_FORMAT_HTML);
    cr_expect_eq(SNIFF("\xEF\xBB\xBF<TABLE border=1>"), CLASCONV_FORMAT_HTML);
    cr_expect_eq(SNIFF("<meta charset=utf-8>"), CLASCONV_FORMAT_HTML);
    cr_expect_eq(SNIFF("<head>"), CLASCONV_FORMAT_HTML);
    cr_expect_eq(SNIFF("<Body>"), CLASCONV_FORMAT_HTML);
    cr_expect_eq(SNIFF("<!-- export -->\n<html>"), CLASCONV_FORMAT_HTML);
    cr_expect_eq(SNIFF("<?xml version=\"1.0\"?>\n<!DOCTYPE html>\n<html>"),
                 CLASCONV_FORMAT_HTML);
    cr_expect_eq(SNIFF("<?xml version=\"1.0\"?><Workbook>"),
                 CLASCONV_FORMAT_XML);
    cr_expect_eq(SNIFF("<tablette;12\n"), CLASCONV_FORMAT_CSV);
    cr_expect_eq(SNIFF("%PDF-1.7\n"), CLASCONV_FORMAT_PDF);
    cr_expect_eq(SNIFF("\n%PDF-1.4\n"), CLASCONV_FORMAT_PDF);
    cr_expect_eq(SNIFF("{\\rtf1\\ansi}"), CLASCONV_FORMAT_RTF);
    /* SYLK and DIF, as Calc and Excel start them; CSV files that start
     * alike stay CSV. */
    cr_expect_eq(SNIFF("ID;PCALCOOO32\nC;X1;Y1;K\"Territoire\"\n"),
                 CLASCONV_FORMAT_SYLK);
    cr_expect_eq(SNIFF("ID;PWXL;N;E\r\nP;PGeneral\r\n"), CLASCONV_FORMAT_SYLK);
    cr_expect_eq(SNIFF("ID;Pr\xE9nom;Ecole\r\n1;Jean;Ferry\r\n"),
                 CLASCONV_FORMAT_CSV);
    cr_expect_eq(SNIFF("ID;Nom\nC;X1\n"), CLASCONV_FORMAT_CSV);
    cr_expect_eq(SNIFF("TABLE\n0,1\n\"Feuil1\"\nVECTORS\n"),
                 CLASCONV_FORMAT_DIF);
    cr_expect_eq(SNIFF("TABLE\r\n0,1\r\n\"EXCEL\"\r\n"), CLASCONV_FORMAT_DIF);
    cr_expect_eq(SNIFF("TABLE;0,1\n\"x\"\n"), CLASCONV_FORMAT_CSV);
    cr_expect_eq(SNIFF("Table\n0,1;2\n3;4\n"), CLASCONV_FORMAT_CSV);
    cr_expect_eq(SNIFF("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0"),
                 CLASCONV_FORMAT_XLS);
}

Test(sniff, text_empty_binary)
{
    cr_expect_eq(clasconv_sniff(NULL, 0), CLASCONV_FORMAT_EMPTY);
    cr_expect_eq(SNIFF(""), CLASCONV_FORMAT_EMPTY);
    cr_expect_eq(SNIFF(" \r\n\t\r\n"), CLASCONV_FORMAT_EMPTY);
    cr_expect_eq(SNIFF("\xEF\xBB\xBF"), CLASCONV_FORMAT_EMPTY);
    cr_expect_eq(SNIFF("\xFF\xFE \0\n\0"), CLASCONV_FORMAT_EMPTY);
    cr_expect_eq(SNIFF("a;b\r\n1;2\r\n"), CLASCONV_FORMAT_CSV);
    cr_expect_eq(SNIFF("\xE9t\xE9;12\r\n"), CLASCONV_FORMAT_CSV);
    cr_expect_eq(SNIFF("\xFF\xFE"
                       "a\0;\0b\0"),
                 CLASCONV_FORMAT_CSV);
    cr_expect_eq(SNIFF("\xFE\xFF\0<\0h\0t\0m\0l\0>"), CLASCONV_FORMAT_HTML);
    cr_expect_eq(SNIFF("a;b\0c"), CLASCONV_FORMAT_UNKNOWN);
    cr_expect_eq(SNIFF("\x89PNG\r\n\x1a\n\0\0"), CLASCONV_FORMAT_UNKNOWN);
}

Test(sniff, long_leading_blanks)
{
    size_t n = 100000;
    char *buf = malloc(n + 8);
    cr_assert_not_null(buf);
    memset(buf, '\n', n);
    memcpy(buf + n, "a;b\n", 4);
    cr_expect_eq(sniff_str(buf, n + 4), CLASCONV_FORMAT_CSV);
    memcpy(buf + n, "<html>", 6);
    cr_expect_eq(sniff_str(buf, n + 6), CLASCONV_FORMAT_HTML);
    free(buf);
}

/* --- Names and messages ---------------------------------------------- */

Test(format, names)
{
    static const struct {
        clasconv_format format;
        const char *name;
        int readable;
    } cases[] = {
        {CLASCONV_FORMAT_CSV, "csv", 1},
        {CLASCONV_FORMAT_XLS, "xls", 1},
        {CLASCONV_FORMAT_XLSX, "xlsx", 1},
        {CLASCONV_FORMAT_ODS, "ods", 1},
        {CLASCONV_FORMAT_DOCX, "docx", 1},
        {CLASCONV_FORMAT_EMPTY, "vide", 0},
        {CLASCONV_FORMAT_HTML, "html", 1},
        {CLASCONV_FORMAT_XML, "xml", 0},
        {CLASCONV_FORMAT_PDF, "pdf", 0},
        {CLASCONV_FORMAT_ZIP_OTHER, "zip", 0},
        {CLASCONV_FORMAT_OLE_OTHER, "ole", 0},
        {CLASCONV_FORMAT_RTF, "rtf", 1}, /* through LibreOffice */
        {CLASCONV_FORMAT_DOC, "doc", 1},
        {CLASCONV_FORMAT_XLSB, "xlsb", 1},
        {CLASCONV_FORMAT_SYLK, "slk", 1},
        {CLASCONV_FORMAT_DIF, "dif", 1},
        {CLASCONV_FORMAT_UNKNOWN, "inconnu", 0},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cr_expect_str_eq(clasconv_format_name(cases[i].format), cases[i].name);
        cr_expect_eq(clasconv_format_readable(cases[i].format),
                     cases[i].readable, "%s", cases[i].name);
    }
    cr_expect_str_eq(clasconv_format_name((clasconv_format)99), "inconnu");
    cr_expect_eq(clasconv_format_readable((clasconv_format)99), 0);
}

static const char *explain(clasconv_format format, const char *path)
{
    static clasconv_diag diag;
    clasconv_diag_clear(&diag);
    clasconv_format_explain(format, path, &diag);
    return diag.message;
}

Test(format, messages)
{
    cr_expect_str_eq(
        explain(CLASCONV_FORMAT_HTML, "/in/Export_CLAS.xls"),
        "Ce fichier n'est pas un classeur : c'est une page web (HTML) "
        "enregistrée avec l'extension .xls, comme en produisent certains "
        "portails. Ouvrez-le dans Excel ou LibreOffice, puis enregistrez-le "
        "au format Excel (.xlsx) ou CSV et recommencez.");
    cr_expect_str_eq(
        explain(CLASCONV_FORMAT_HTML, "page.HTM"),
        "Ce fichier n'est pas un classeur : c'est une page web (HTML), comme "
        "en produisent certains portails. Ouvrez-le dans Excel ou "
        "LibreOffice, puis enregistrez-le au format Excel (.xlsx) ou CSV et "
        "recommencez.");
    cr_expect_not_null(
        strstr(explain(CLASCONV_FORMAT_HTML, NULL), "page web (HTML), comme"));
    cr_expect_not_null(
        strstr(explain(CLASCONV_FORMAT_EMPTY, "a.csv"), "Ce fichier est vide"));
    cr_expect_not_null(
        strstr(explain(CLASCONV_FORMAT_PDF, "a.xls"), "document PDF"));
    cr_expect_not_null(
        strstr(explain(CLASCONV_FORMAT_PDF, "a.xls"), "Demandez à la commune"));
    cr_expect_not_null(
        strstr(explain(CLASCONV_FORMAT_XML, "a.xls"), "Excel 2003"));
    cr_expect_not_null(
        strstr(explain(CLASCONV_FORMAT_ZIP_OTHER, "a.xlsx"), "(zip)"));
    cr_expect_not_null(
        strstr(explain(CLASCONV_FORMAT_OLE_OTHER, "a.xls"), "Outlook .msg"));
    cr_expect_not_null(strstr(explain(CLASCONV_FORMAT_RTF, "a.doc"), "RTF"));
    cr_expect_not_null(
        strstr(explain(CLASCONV_FORMAT_UNKNOWN, "a.xls"), "n'est pas reconnu"));
    cr_expect_not_null(
        strstr(explain((clasconv_format)99, "a.xls"), "n'est pas reconnu"));
    /* An extension that is not plain letters is not quoted back. */
    cr_expect_not_null(strstr(explain(CLASCONV_FORMAT_HTML, "a.x%sls"),
                              "page web (HTML), comme"));
}

/* --- Loading files ----------------------------------------------------- */

static char *temp_file(const void *data, size_t len)
{
    char *path = strdup("/tmp/clasconv-test-sniff-XXXXXX");
    int fd;
    cr_assert_not_null(path);
    fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

Test(load, whole_file)
{
    test_need_samples();
    unsigned char *data = NULL;
    size_t size = 0;
    clasconv_diag diag;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", CLASCONV_SAMPLES,
             "p03-form-csv-cp1252-bron/dispositifs_clas_2026_bron.csv");
    cr_assert_eq(clasconv_load_file(path, &data, &size, &diag), CLASCONV_OK);
    cr_expect_eq(size, 1663);
    cr_expect_eq(memcmp(data, "CONTRAT LOCAL D\x92", 16), 0);
    cr_expect_eq(memcmp(data + size - 2, "\r\n", 2), 0);
    free(data);
}

Test(load, empty_file)
{
    unsigned char *data = NULL;
    size_t size = 7;
    clasconv_diag diag;
    char *path = temp_file("", 0);
    cr_assert_eq(clasconv_load_file(path, &data, &size, &diag), CLASCONV_OK);
    cr_expect_eq(size, 0);
    cr_expect_not_null(data);
    free(data);
    unlink(path);
    free(path);
}

Test(load, missing_file)
{
    unsigned char *data = (unsigned char *)"x";
    size_t size = 7;
    clasconv_diag diag;
    cr_expect_eq(clasconv_load_file("/nonexistent/dir/Tableau CLAS.xls", &data,
                                    &size, &diag),
                 CLASCONV_ERR_IO);
    cr_expect_null(data);
    cr_expect_eq(size, 0);
    cr_expect_str_eq(diag.message,
                     "Impossible d'ouvrir « Tableau CLAS.xls » : fichier "
                     "introuvable. Vérifiez le nom et le dossier du "
                     "fichier.");
}

Test(load, directory)
{
    unsigned char *data = NULL;
    size_t size = 0;
    clasconv_diag diag;
    cr_expect_eq(clasconv_load_file("/tmp", &data, &size, &diag),
                 CLASCONV_ERR_IO);
    cr_expect_null(data);
    cr_expect_not_null(strstr(diag.message, "« tmp » est un dossier"));
}

Test(load, not_regular)
{
    unsigned char *data = NULL;
    size_t size = 0;
    clasconv_diag diag;
    cr_expect_eq(clasconv_load_file("/dev/null", &data, &size, &diag),
                 CLASCONV_ERR_IO);
    cr_expect_not_null(strstr(diag.message, "n'est pas un fichier ordinaire"));
}

Test(load, fifo_does_not_hang)
{
    char path[] = "/tmp/clasconv-test-fifo-XXXXXX";
    unsigned char *data = NULL;
    size_t size = 0;
    clasconv_diag diag;
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    unlink(path);
    cr_assert_eq(mkfifo(path, 0600), 0);
    cr_expect_eq(clasconv_load_file(path, &data, &size, &diag),
                 CLASCONV_ERR_IO);
    unlink(path);
}

Test(load, too_large)
{
    unsigned char *data = NULL;
    size_t size = 0;
    clasconv_diag diag;
    char *path = temp_file("", 0);
    /* A sparse file: costs no disk space. */
    cr_assert_eq(truncate(path, (off_t)CLASCONV_INPUT_MAX + 1), 0);
    cr_expect_eq(clasconv_load_file(path, &data, &size, &diag),
                 CLASCONV_ERR_TOO_LARGE);
    cr_expect_null(data);
    cr_expect_not_null(strstr(diag.message, "trop volumineux"));
    unlink(path);
    free(path);
}

Test(load, permission_denied)
{
    unsigned char *data = NULL;
    size_t size = 0;
    clasconv_diag diag;
    char *path = temp_file("a;b\n", 4);
    cr_assert_eq(chmod(path, 0), 0);
    if (geteuid() == 0) {
        unlink(path);
        free(path);
        cr_skip_test("root reads any file");
    }
    cr_expect_eq(clasconv_load_file(path, &data, &size, &diag),
                 CLASCONV_ERR_IO);
    cr_expect_not_null(strstr(diag.message, "accès refusé"));
    unlink(path);
    free(path);
}

Test(load, input_unchanged)
{
    unsigned char *data = NULL;
    size_t size = 0;
    clasconv_diag diag;
    struct stat before, after;
    char *path = temp_file("a;b\r\n", 5);
    cr_assert_eq(chmod(path, 0444), 0);
    cr_assert_eq(stat(path, &before), 0);
    cr_assert_eq(clasconv_load_file(path, &data, &size, &diag), CLASCONV_OK);
    cr_assert_eq(stat(path, &after), 0);
    cr_expect_eq(size, 5);
    cr_expect_eq(before.st_mtime, after.st_mtime);
    cr_expect_eq(before.st_size, after.st_size);
    free(data);
    unlink(path);
    free(path);
}

/* --- Dispatch ----------------------------------------------------------- */

Test(read, dispatch)
{
    static const char csv[] = "Nom;CLAS\r\nEcole A;3\r\n";
    /* An HTML page is read (its tables); one without a table is refused. */
    static const char html[] = "<html><body><p>Export vide</p></body></html>";
    clasconv_input in = {"/in/Export.xls", (const unsigned char *)html,
                         sizeof html - 1};
    clasconv_diag diag;
    clasconv_grid *grid = clasconv_grid_new();
    cr_assert_not_null(grid);
    cr_expect_eq(
        clasconv_read(clasconv_sniff(in.data, in.size), &in, grid, &diag),
        CLASCONV_ERR_FORMAT);
    cr_expect_not_null(strstr(diag.message, "aucun tableau"));
    cr_expect_eq(clasconv_grid_sheet_count(grid), 0);
    in.data = (const unsigned char *)"";
    in.size = 0;
    cr_expect_eq(
        clasconv_read(clasconv_sniff(in.data, in.size), &in, grid, &diag),
        CLASCONV_ERR_FORMAT);
    cr_expect_not_null(strstr(diag.message, "Ce fichier est vide"));
    in.path = "/in/clas.csv";
    in.data = (const unsigned char *)csv;
    in.size = sizeof csv - 1;
    cr_assert_eq(
        clasconv_read(clasconv_sniff(in.data, in.size), &in, grid, &diag),
        CLASCONV_OK, "%s", diag.message);
    cr_assert_eq(clasconv_grid_sheet_count(grid), 1);
    cr_expect_str_eq(clasconv_sheet_name(clasconv_grid_sheet(grid, 0)), "clas");
    cr_expect_eq(clasconv_read(CLASCONV_FORMAT_CSV, NULL, grid, &diag),
                 CLASCONV_ERR_USAGE);
    cr_expect_str_eq(diag.message, "Aucun fichier à lire.");
    clasconv_grid_free(grid);
}

/* The checks every reader needs live in clasconv_read, one message each,
 * the same whatever the format. */
Test(read, dispatch_checks_the_input_once)
{
    static const clasconv_format formats[] = {
        CLASCONV_FORMAT_CSV,     CLASCONV_FORMAT_XLS,  CLASCONV_FORMAT_XLSX,
        CLASCONV_FORMAT_ODS,     CLASCONV_FORMAT_DOCX, CLASCONV_FORMAT_ODT,
        CLASCONV_FORMAT_XML2003,
    };
    static const unsigned char byte[1] = {0};
    clasconv_diag diag;
    clasconv_grid *grid = clasconv_grid_new();
    size_t i;

    cr_assert_not_null(grid);
    for (i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        /* never read: refused on the size alone */
        clasconv_input big = {"/in/gros", byte, CLASCONV_INPUT_MAX + 1};
        clasconv_input none = {"/in/rien", NULL, 10};

        cr_expect_eq(clasconv_read(formats[i], &big, grid, &diag),
                     CLASCONV_ERR_TOO_LARGE, "format %d", (int)formats[i]);
        cr_expect_str_eq(diag.message, "Le fichier est trop volumineux (au "
                                       "plus 200 Mo acceptés).");
        cr_expect_eq(clasconv_read(formats[i], &none, grid, &diag),
                     CLASCONV_ERR_USAGE, "format %d", (int)formats[i]);
        cr_expect_str_eq(diag.message, "Aucun fichier à lire.");
        cr_expect_eq(clasconv_read(formats[i], &none, NULL, &diag),
                     CLASCONV_ERR_USAGE);
    }
    cr_expect_eq(clasconv_grid_sheet_count(grid), 0);
    clasconv_grid_free(grid);
}
