/* test_csv.c: the CSV reader (encodings, delimiters, lines, errors). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clasconv/anomaly.h"
#include "clasconv/clasconv.h"
#include "clasconv/read.h"
#include "test_util.h"

typedef struct csv_result {
    clasconv_grid *grid;
    const clasconv_sheet *sheet;
    clasconv_error err;
    clasconv_diag diag;
} csv_result;

static csv_result read_bytes(const char *bytes, size_t len, const char *path)
{
    csv_result r;
    clasconv_input in;
    memset(&r, 0, sizeof r);
    in.path = path;
    in.data = (const unsigned char *)bytes;
    in.size = len;
    r.grid = clasconv_grid_new();
    cr_assert_not_null(r.grid);
    r.err = clasconv_read_csv(&in, r.grid, &r.diag);
    if (r.err == CLASCONV_OK) {
        cr_assert_eq(clasconv_grid_sheet_count(r.grid), 1);
        r.sheet = clasconv_grid_sheet(r.grid, 0);
    }
    return r;
}

#define READ(lit) read_bytes(lit, sizeof(lit) - 1, NULL)

static csv_result read_path(const char *path)
{
    FILE *f = fopen(path, "rb");
    static char buf[1 << 16];
    size_t n;
    cr_assert_not_null(f, "%s", path);
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return read_bytes(buf, n, path);
}

/* Checks the text, line and field of the cell at (row, col). */
static void expect_cell(const csv_result *r, uint32_t row, uint32_t col,
                        const char *text, uint32_t line, uint32_t field)
{
    const clasconv_cell *cell = clasconv_sheet_get(r->sheet, row, col);
    cr_assert_not_null(cell, "no cell at row %u col %u (want %s)", row, col,
                       text);
    cr_expect_eq(cell->type, CLASCONV_CELL_TEXT);
    cr_expect_str_eq(cell->v.text, text, "row %u col %u", row, col);
    cr_expect_eq(cell->line, line, "row %u col %u: line %u", row, col,
                 cell->line);
    cr_expect_eq(cell->field, field, "row %u col %u: field %u", row, col,
                 cell->field);
}

static void expect_encoding(const csv_result *r, const char *name, int assumed)
{
    int got = -1;
    const char *enc = clasconv_grid_encoding(r->grid, &got);
    cr_assert_not_null(enc);
    cr_expect_str_eq(enc, name);
    cr_expect_eq(got, assumed);
}

/* --- Encodings ----------------------------------------------------------- */

Test(csv_encoding, utf8_bom)
{
    csv_result r = READ("\xEF\xBB\xBF\xC3\x89tude;CLAS\r\n12;3\r\n");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_encoding(&r, "UTF-8", 0);
    expect_cell(&r, 0, 0, "\xC3\x89tude", 1, 1);
    expect_cell(&r, 1, 1, "3", 2, 2);
    clasconv_grid_free(r.grid);
}

Test(csv_encoding, utf8_without_bom)
{
    csv_result r = READ("Coll\xC3\xA8ge;\xE2\x80\x99\n");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_encoding(&r, "UTF-8", 0);
    expect_cell(&r, 0, 0, "Coll\xC3\xA8ge", 1, 1);
    expect_cell(&r, 0, 1, "\xE2\x80\x99", 1, 2);
    clasconv_grid_free(r.grid);
}

Test(csv_encoding, ascii_is_utf8)
{
    csv_result r = READ("a;b\n");
    cr_assert_eq(r.err, CLASCONV_OK);
    expect_encoding(&r, "UTF-8", 0);
    clasconv_grid_free(r.grid);
}

Test(csv_encoding, cp1252)
{
    /* é ’ œ € as French Excel writes them. */
    csv_result r = READ("\xC9\x63ole l\x92\x9Cuvre;10 \x80\r\n");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_encoding(&r, "Windows-1252", 1);
    expect_cell(&r, 0, 0, "\xC3\x89\x63ole l\xE2\x80\x99\xC5\x93uvre", 1, 1);
    expect_cell(&r, 0, 1, "10 \xE2\x82\xAC", 1, 2);
    clasconv_grid_free(r.grid);
}

Test(csv_encoding, cp1252_undefined_bytes)
{
    csv_result r = READ("a\x81z;\x8D\x8F\x90\x9D;\xE9\n");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_encoding(&r, "Windows-1252", 1);
    expect_cell(&r, 0, 0, "a\xEF\xBF\xBDz", 1, 1);
    expect_cell(&r, 0, 1, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 1,
                2);
    expect_cell(&r, 0, 2, "\xC3\xA9", 1, 3);
    clasconv_grid_free(r.grid);
}

Test(csv_encoding, utf16le_bom)
{
    static const char bytes[] = "\xFF\xFE"
                                "\xC9\0t\0;\0C\0\r\0\n\0"
                                "1\0;\0\x19\x20\r\0\n\0";
    csv_result r = read_bytes(bytes, sizeof bytes - 1, NULL);
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_encoding(&r, "UTF-16", 0);
    expect_cell(&r, 0, 0, "\xC3\x89t", 1, 1);
    expect_cell(&r, 0, 1, "C", 1, 2);
    expect_cell(&r, 1, 0, "1", 2, 1);
    expect_cell(&r, 1, 1, "\xE2\x80\x99", 2, 2);
    cr_expect_eq(clasconv_sheet_row_count(r.sheet), 2);
    clasconv_grid_free(r.grid);
}

Test(csv_encoding, utf16be_bom_and_odd_byte)
{
    /* A lone surrogate and a cut last unit become U+FFFD. */
    static const char bytes[] = "\xFE\xFF"
                                "\0a\0;\xD8\0\0b\0\n\0";
    csv_result r = read_bytes(bytes, sizeof bytes - 1, NULL);
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_encoding(&r, "UTF-16", 0);
    expect_cell(&r, 0, 0, "a", 1, 1);
    expect_cell(&r, 0, 1,
                "\xEF\xBF\xBD"
                "b",
                1, 2);
    expect_cell(&r, 1, 0, "\xEF\xBF\xBD", 2, 1);
    clasconv_grid_free(r.grid);
}

Test(csv_encoding, utf8_bom_with_bad_bytes)
{
    csv_result r = READ("\xEF\xBB\xBF\xC3\xA9;\xE9t\xE9\n");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_encoding(&r, "UTF-8", 1);
    expect_cell(&r, 0, 0, "\xC3\xA9", 1, 1);
    expect_cell(&r, 0, 1, "\xEF\xBF\xBDt\xEF\xBF\xBD", 1, 2);
    clasconv_grid_free(r.grid);
}

Test(csv_encoding, overlong_utf8_is_cp1252)
{
    /* C0 AF is an overlong '/': not UTF-8, so Windows-1252 (À¯). */
    csv_result r = READ("\xC0\xAF;x\n");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_encoding(&r, "Windows-1252", 1);
    expect_cell(&r, 0, 0, "\xC3\x80\xC2\xAF", 1, 1);
    clasconv_grid_free(r.grid);
}

/* --- Delimiters ---------------------------------------------------------- */

Test(csv_delimiter, semicolon_with_decimal_commas)
{
    csv_result r = READ("Etablissement;Etude;CLAS\r\n"
                        "Ecole A;12,5;3\r\n"
                        "Ecole B;4;7,25\r\n"
                        "Ecole C;1,5;2,5\r\n");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_cell(&r, 1, 1, "12,5", 2, 2);
    expect_cell(&r, 1, 2, "3", 2, 3);
    expect_cell(&r, 2, 2, "7,25", 3, 3);
    expect_cell(&r, 3, 1, "1,5", 4, 2);
    cr_expect_eq(clasconv_sheet_col_count(r.sheet), 3);
    clasconv_grid_free(r.grid);
}

Test(csv_delimiter, semicolon_when_every_row_has_decimals)
{
    /* Two decimal commas per row, but nine ';' on every row. */
    csv_result r = READ("Titre;;;;;;;;;\r\n"
                        "Nom;a;b;c;d;e;f;g;h;i\r\n"
                        "X;1,5;2,5;;;;;;;\r\n"
                        "Y;3,5;4,5;;;;;;;\r\n");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_cell(&r, 2, 1, "1,5", 3, 2);
    expect_cell(&r, 3, 2, "4,5", 4, 3);
    clasconv_grid_free(r.grid);
}

Test(csv_delimiter, comma_with_quoted_decimal)
{
    csv_result r = READ("Niveau,Etablissement,Etude\r\n"
                        "Primaire,Ecole A,\"12,5\"\r\n"
                        "College,\"College B; annexe\",4\r\n");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_cell(&r, 1, 2, "12,5", 2, 3);
    expect_cell(&r, 2, 1, "College B; annexe", 3, 2);
    expect_cell(&r, 2, 2, "4", 3, 3);
    cr_expect_eq(clasconv_sheet_col_count(r.sheet), 3);
    clasconv_grid_free(r.grid);
}

Test(csv_delimiter, tab)
{
    csv_result r = READ("Nom\tCLAS\tPRE\nEcole, A\t1\t2\nEcole; B\t3\t4\n");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_cell(&r, 1, 0, "Ecole, A", 2, 1);
    expect_cell(&r, 2, 0, "Ecole; B", 3, 1);
    expect_cell(&r, 2, 2, "4", 3, 3);
    clasconv_grid_free(r.grid);
}

Test(csv_delimiter, single_column)
{
    csv_result r = READ("Ecole A\nEcole B\n");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_cell(&r, 0, 0, "Ecole A", 1, 1);
    expect_cell(&r, 1, 0, "Ecole B", 2, 1);
    cr_expect_eq(clasconv_sheet_col_count(r.sheet), 1);
    clasconv_grid_free(r.grid);
}

/* --- Lines and fields ---------------------------------------------------- */

Test(csv_lines, crlf_without_phantom_rows)
{
    csv_result r = READ("a;b\r\nc;d\r\n");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    cr_expect_eq(clasconv_sheet_row_count(r.sheet), 2);
    expect_cell(&r, 0, 1, "b", 1, 2);
    expect_cell(&r, 1, 0, "c", 2, 1);
    expect_cell(&r, 1, 1, "d", 2, 2);
    clasconv_grid_free(r.grid);
}

Test(csv_lines, cr_only_and_no_final_newline)
{
    csv_result r = READ("a;b\rc;d\r\re;f");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    cr_expect_eq(clasconv_sheet_row_count(r.sheet), 3);
    expect_cell(&r, 1, 1, "d", 2, 2);
    expect_cell(&r, 3, 0, "e", 4, 1);
    expect_cell(&r, 3, 1, "f", 4, 2);
    clasconv_grid_free(r.grid);
}

Test(csv_lines, quoted_newline_moves_next_field)
{
    csv_result r = READ("Nom;Note;CLAS\r\n"
                        "Ecole A;\"ligne un\r\nligne deux\";12\r\n"
                        "Ecole B;;3\r\n");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_cell(&r, 1, 0, "Ecole A", 2, 1);
    expect_cell(&r, 1, 1, "ligne un\r\nligne deux", 2, 2);
    /* The next field starts on the record's second physical line. */
    expect_cell(&r, 1, 2, "12", 3, 3);
    /* The next record starts on line 4, and keeps that row. */
    expect_cell(&r, 3, 0, "Ecole B", 4, 1);
    expect_cell(&r, 3, 2, "3", 4, 3);
    cr_expect_null(clasconv_sheet_get(r.sheet, 2, 0));
    clasconv_grid_free(r.grid);
}

Test(csv_lines, quoted_field_spanning_lines_starts_its_line)
{
    csv_result r = READ("a;\"x\ny\nz\";\"\n\"\"q\"\"\"\nb\n");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_cell(&r, 0, 1, "x\ny\nz", 1, 2);
    expect_cell(&r, 0, 2, "\n\"q\"", 3, 3);
    expect_cell(&r, 4, 0, "b", 5, 1);
    clasconv_grid_free(r.grid);
}

Test(csv_lines, blank_lines_keep_positions)
{
    csv_result r = READ("Titre\n"
                        "Nom;CLAS\n"
                        "\n"
                        "\r\n"
                        "\n"
                        "Ecole A;1\n"
                        "Ecole B;2\n");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    cr_expect_eq(clasconv_sheet_row_count(r.sheet), 4);
    expect_cell(&r, 5, 0, "Ecole A", 6, 1);
    expect_cell(&r, 6, 0, "Ecole B", 7, 1);
    expect_cell(&r, 6, 1, "2", 7, 2);
    cr_expect_null(clasconv_sheet_get(r.sheet, 2, 0));
    {
        char ref[64];
        clasconv_sheet_ref(r.sheet, 6, 1, ref, sizeof ref);
        cr_expect_str_eq(ref, "ligne 7, champ 2");
    }
    clasconv_grid_free(r.grid);
}

Test(csv_lines, padded_rows)
{
    csv_result r = READ("Territoire de : Bron;;;\r\n"
                        ";;;\r\n"
                        "Nom;;CLAS;\r\n"
                        ";;;\r\n");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    cr_expect_eq(clasconv_sheet_row_count(r.sheet), 2);
    expect_cell(&r, 0, 0, "Territoire de : Bron", 1, 1);
    expect_cell(&r, 2, 0, "Nom", 3, 1);
    expect_cell(&r, 2, 2, "CLAS", 3, 3);
    cr_expect_null(clasconv_sheet_get(r.sheet, 2, 1));
    cr_expect_eq(clasconv_sheet_col_count(r.sheet), 3);
    clasconv_grid_free(r.grid);
}

Test(csv_lines, spaces_are_kept)
{
    csv_result r = READ("  Ecole A  ; 12 ;\" x \";   \n");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_cell(&r, 0, 0, "  Ecole A  ", 1, 1);
    expect_cell(&r, 0, 1, " 12 ", 1, 2);
    expect_cell(&r, 0, 2, " x ", 1, 3);
    /* An all-blank field is dropped by the grid. */
    cr_expect_null(clasconv_sheet_get(r.sheet, 0, 3));
    clasconv_grid_free(r.grid);
}

Test(csv_lines, empty_and_quoted_empty_fields)
{
    csv_result r = READ(";\"\";x;\"a\"\"b\"\n");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    cr_expect_null(clasconv_sheet_get(r.sheet, 0, 0));
    cr_expect_null(clasconv_sheet_get(r.sheet, 0, 1));
    expect_cell(&r, 0, 2, "x", 1, 3);
    expect_cell(&r, 0, 3, "a\"b", 1, 4);
    clasconv_grid_free(r.grid);
}

/* --- Sheet name ---------------------------------------------------------- */

Test(csv_sheet, named_after_file)
{
    csv_result r = read_bytes("a;b\n", 4, "/in/dispositifs 2026.v2.csv");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    cr_expect_str_eq(clasconv_sheet_name(r.sheet), "dispositifs 2026.v2");
    cr_expect_eq(clasconv_sheet_ref_kind(r.sheet), CLASCONV_REF_CSV);
    clasconv_grid_free(r.grid);
    r = read_bytes("a;b\n", 4, "export");
    cr_expect_str_eq(clasconv_sheet_name(r.sheet), "export");
    clasconv_grid_free(r.grid);
    r = read_bytes("a;b\n", 4, NULL);
    cr_expect_str_eq(clasconv_sheet_name(r.sheet), "CSV");
    clasconv_grid_free(r.grid);
    r = read_bytes("a;b\n", 4, "/in/\xE9t\xE9.csv"); /* not UTF-8 */
    cr_expect_str_eq(clasconv_sheet_name(r.sheet), "CSV");
    clasconv_grid_free(r.grid);
}

/* --- Errors -------------------------------------------------------------- */

/* --- What LibreOffice reads and strict CSV refuses --------------------- */

/* The text LibreOffice 7.4 reads as (checked with soffice --convert-to):
 * spaces before an opening quote dropped, a quote inside an unquoted field
 * kept, text after a closing quote appended. */
Test(csv_lenient, as_libreoffice_reads_it)
{
    csv_result r = READ("Nom;Nombre;Note\n"
                        "Ecole A; \"Jules; Ferry\";12\n"
                        "Ecole B;Coll\"ege;7\n"
                        "\"Ecole C\";ab \"x\" cd;3\n"
                        " \"Ecole D\" ;x;4\n");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_cell(&r, 1, 0, "Ecole A", 2, 1);
    expect_cell(&r, 1, 1, "Jules; Ferry", 2, 2);
    expect_cell(&r, 1, 2, "12", 2, 3);
    expect_cell(&r, 2, 1, "Coll\"ege", 3, 2);
    expect_cell(&r, 2, 2, "7", 3, 3);
    expect_cell(&r, 3, 0, "Ecole C", 4, 1);
    expect_cell(&r, 3, 1, "ab \"x\" cd", 4, 2);
    expect_cell(&r, 4, 0, "Ecole D ", 5, 1);
    expect_cell(&r, 4, 1, "x", 5, 2);
    expect_cell(&r, 4, 2, "4", 5, 3);
    /* One info note for the pipeline, at the first place. */
    cr_assert_eq(clasconv_grid_note_count(r.grid), 1);
    int code;
    const char *cell, *message;
    clasconv_grid_note(r.grid, 0, &code, &cell, &message);
    cr_expect_eq(code, CLASCONV_A_CSV_QUOTE_LENIENT);
    cr_expect_str_eq(cell, "ligne 2, champ 2");
    cr_expect_str_eq(message,
                     "Guillemets hors norme lus comme LibreOffice les lit : "
                     "des espaces avant un guillemet ouvrant ont été "
                     "ignorés, ligne 2, champ 2 (et 3 autres champs). "
                     "Vérifiez le texte de ce champ.");
    clasconv_grid_free(r.grid);
}

Test(csv_lenient, text_after_a_closing_quote)
{
    csv_result r = READ("h,i,j\r\na,\"b\"x,c\r\n");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_cell(&r, 1, 1, "bx", 2, 2);
    expect_cell(&r, 1, 2, "c", 2, 3);
    int code;
    const char *cell, *message;
    cr_assert_eq(clasconv_grid_note_count(r.grid), 1);
    clasconv_grid_note(r.grid, 0, &code, &cell, &message);
    cr_expect_not_null(strstr(message, "du texte après un guillemet fermant"),
                       "%s", message);
    clasconv_grid_free(r.grid);
}

Test(csv_lenient, quote_after_a_quoted_newline)
{
    csv_result r = READ("h;i\n\"a\nb\";c\n\nd;e\"f\n");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_cell(&r, 1, 0, "a\nb", 2, 1);
    expect_cell(&r, 1, 1, "c", 3, 2);
    expect_cell(&r, 4, 0, "d", 5, 1);
    expect_cell(&r, 4, 1, "e\"f", 5, 2);
    int code;
    const char *cell, *message;
    cr_assert_eq(clasconv_grid_note_count(r.grid), 1);
    clasconv_grid_note(r.grid, 0, &code, &cell, &message);
    cr_expect_str_eq(cell, "ligne 5, champ 2");
    cr_expect_not_null(strstr(message, "un guillemet au milieu d'un champ"));
    clasconv_grid_free(r.grid);
}

Test(csv_lenient, fixture_bad_quote)
{
    char path[1024];
    csv_result r;
    snprintf(path, sizeof path, "%s/csv/bad-quote.csv", CLASCONV_FIXTURES);
    r = read_path(path);
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_cell(&r, 2, 1, "bx", 3, 2);
    clasconv_grid_free(r.grid);
}

/* A quote opened on line 2 and never closed swallows the lines after it
 * until another quote: reported where it opens, not where it ends. */
Test(csv_errors, unclosed_quote_reported_where_it_opens)
{
    csv_result r = READ("Nom;Nombre\n"
                        "\"Ecole Jules Ferry;12\n"
                        "Ecole Pasteur;3\n"
                        "Ecole Curie;4\n"
                        "\"College Jean Moulin\";7\n");
    cr_expect_eq(r.err, CLASCONV_ERR_FORMAT);
    cr_expect_str_eq(
        r.diag.message,
        "Le fichier CSV est mal formé : un guillemet ouvert "
        "ligne 2, champ 1 n'est jamais refermé. Ouvrez le fichier dans "
        "Excel ou LibreOffice, vérifiez cette ligne, puis "
        "enregistrez-le à nouveau au format CSV et "
        "recommencez.");
    clasconv_grid_free(r.grid);
}

Test(csv_errors, unclosed_quote_at_end)
{
    csv_result r = READ("h;i\r\nj;\"k\r\nl\r\n");
    cr_expect_eq(r.err, CLASCONV_ERR_FORMAT);
    cr_expect_str_eq(
        r.diag.message,
        "Le fichier CSV est mal formé : un guillemet ouvert "
        "ligne 2, champ 2 n'est jamais refermé. Ouvrez le fichier dans "
        "Excel ou LibreOffice, vérifiez cette ligne, puis "
        "enregistrez-le à nouveau au format CSV et "
        "recommencez.");
    clasconv_grid_free(r.grid);
}

Test(csv_errors, empty_file)
{
    csv_result r = read_bytes("", 0, "/in/vide.csv");
    cr_expect_eq(r.err, CLASCONV_ERR_FORMAT);
    cr_expect_not_null(strstr(r.diag.message, "Ce fichier est vide"));
    clasconv_grid_free(r.grid);
    r = READ("\xEF\xBB\xBF \r\n\r\n");
    cr_expect_eq(r.err, CLASCONV_ERR_FORMAT);
    cr_expect_not_null(strstr(r.diag.message, "Ce fichier est vide"));
    clasconv_grid_free(r.grid);
}

Test(csv_errors, only_delimiters_is_an_empty_sheet)
{
    csv_result r = READ(";;;\r\n;;;\r\n");
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    cr_expect_eq(clasconv_sheet_row_count(r.sheet), 0);
    clasconv_grid_free(r.grid);
}

Test(csv_errors, nul_bytes)
{
    csv_result r = READ("a;b\r\nc\0d;e\r\n");
    cr_expect_eq(r.err, CLASCONV_ERR_FORMAT);
    cr_expect_not_null(strstr(r.diag.message, "octets nuls"));
    clasconv_grid_free(r.grid);
}

Test(csv_errors, cell_too_long)
{
    size_t n = CLASCONV_GRID_MAX_CELL_TEXT + 10;
    char *buf = malloc(n + 16);
    csv_result r;
    cr_assert_not_null(buf);
    memcpy(buf, "a;b\n", 4);
    memset(buf + 4, 'x', n);
    memcpy(buf + 4 + n, ";c\n", 3);
    r = read_bytes(buf, n + 7, NULL);
    cr_expect_eq(r.err, CLASCONV_ERR_TOO_LARGE);
    cr_expect_not_null(strstr(r.diag.message, "Le champ 1 de la ligne 2 est "
                                              "trop long"),
                       "%s", r.diag.message);
    clasconv_grid_free(r.grid);
    free(buf);
}

Test(csv_errors, unclosed_quote_swallowing_megabytes)
{
    size_t n = (size_t)3 << 20;
    char *buf = malloc(n);
    csv_result r;
    cr_assert_not_null(buf);
    memset(buf, 'x', n);
    memcpy(buf, "a;b\nc;\"", 7);
    r = read_bytes(buf, n, NULL);
    cr_expect_eq(r.err, CLASCONV_ERR_TOO_LARGE);
    cr_expect_not_null(strstr(r.diag.message, "ligne 2"), "%s", r.diag.message);
    clasconv_grid_free(r.grid);
    free(buf);
}

Test(csv_errors, too_many_columns)
{
    size_t cols = CLASCONV_GRID_MAX_COLS + 1, i;
    char *buf = malloc(cols * 2 + 8);
    csv_result r;
    cr_assert_not_null(buf);
    memcpy(buf, "h\n", 2);
    for (i = 0; i < cols; i++) {
        buf[2 + 2 * i] = 'a';
        buf[3 + 2 * i] = ';';
    }
    buf[2 + 2 * cols - 1] = '\n';
    r = read_bytes(buf, 2 + 2 * cols, NULL);
    cr_expect_eq(r.err, CLASCONV_ERR_TOO_LARGE);
    cr_expect_not_null(strstr(r.diag.message, "La ligne 2 a trop de champs"),
                       "%s", r.diag.message);
    clasconv_grid_free(r.grid);
    free(buf);
}

/* --- Fixtures and samples ---------------------------------------------- */

Test(csv_files, fixture_utf16_tab)
{
    char path[1024];
    csv_result r;
    snprintf(path, sizeof path, "%s/csv/utf16le-tab.csv", CLASCONV_FIXTURES);
    r = read_path(path);
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_encoding(&r, "UTF-16", 0);
    cr_expect_str_eq(clasconv_sheet_name(r.sheet), "utf16le-tab");
    expect_cell(&r, 1, 0, "Coll\xC3\xA8ge Paul \xC3\x89luard", 2, 1);
    expect_cell(&r, 1, 1, "12", 2, 2);
    clasconv_grid_free(r.grid);
}

Test(csv_files, fixture_cp1252)
{
    char path[1024];
    csv_result r;
    snprintf(path, sizeof path, "%s/csv/cp1252-semicolon.csv",
             CLASCONV_FIXTURES);
    r = read_path(path);
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_encoding(&r, "Windows-1252", 1);
    expect_cell(&r, 3, 0,
                "\xC3\x89\x63ole \xC3\xA9l\xC3\xA9mentaire l\xE2\x80\x99\xC5"
                "\x92uvre",
                4, 1);
    expect_cell(&r, 3, 1, "12,5", 4, 2);
    expect_cell(&r, 3, 3, "10 \xE2\x82\xAC", 4, 4);
    expect_cell(&r, 5, 0, "Lyc\xC3\xA9\x65 \xEF\xBF\xBD", 6, 1);
    clasconv_grid_free(r.grid);
}

Test(csv_files, sample_p03_cp1252_semicolon)
{
    test_need_samples();
    char path[1024];
    csv_result r;
    snprintf(path, sizeof path, "%s/%s", CLASCONV_SAMPLES,
             "p03-form-csv-cp1252-bron/dispositifs_clas_2026_bron.csv");
    r = read_path(path);
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_encoding(&r, "Windows-1252", 1);
    cr_expect_str_eq(clasconv_sheet_name(r.sheet),
                     "dispositifs_clas_2026_bron");
    expect_cell(&r, 0, 0,
                "CONTRAT LOCAL D\xE2\x80\x99\x41\x43\x43OMPAGNEMENT A LA "
                "SCOLARITE",
                1, 1);
    expect_cell(&r, 4, 0, "Territoire de : Bron", 5, 1);
    expect_cell(&r, 9, 5, "PROGRAMME DE REUSSITE EDUCATIVE (PRE)", 10, 6);
    expect_cell(&r, 11, 8, "Dont  issus QPV", 12, 9);
    expect_cell(&r, 12, 0,
                "\xC3\x89\x63ole \xC3\xA9l\xC3\xA9mentaire Victor "
                "Hugo",
                13, 1);
    expect_cell(&r, 13, 1, "NC", 14, 2);
    expect_cell(&r, 14, 4, "-", 15, 5);
    expect_cell(&r, 19, 0, "Coll\xC3\xA8ge Amp\xC3\xA8re", 20, 1);
    cr_expect_null(clasconv_sheet_get(r.sheet, 3, 0));
    cr_expect_eq(clasconv_sheet_col_count(r.sheet), 10);
    clasconv_grid_free(r.grid);
}

Test(csv_files, sample_p05_utf8_bom_comma)
{
    test_need_samples();
    char path[1024];
    csv_result r;
    snprintf(path, sizeof path, "%s/%s", CLASCONV_SAMPLES,
             "p05-flat-csv-utf8-venissieux/V\xC3\xA9nissieux - dispositifs "
             "CLAS.csv");
    r = read_path(path);
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    expect_encoding(&r, "UTF-8", 0);
    cr_expect_str_eq(clasconv_sheet_name(r.sheet),
                     "V\xC3\xA9nissieux - dispositifs CLAS");
    expect_cell(&r, 0, 0, "Niveau", 1, 1);
    expect_cell(&r, 1, 1, "\xC3\x89\x63ole maternelle Ernest Renan", 2, 2);
    expect_cell(&r, 1, 5, "12,5", 2, 6);
    expect_cell(&r, 4, 3, "n\xC3\xA9\x61nt", 5, 4);
    expect_cell(&r, 3, 10, "-2", 4, 11);
    expect_cell(&r, 9, 2, "1\xC2\xA0\x30\x32\x30", 10, 3);
    cr_expect_eq(clasconv_sheet_row_count(r.sheet), 11);
    cr_expect_eq(clasconv_sheet_col_count(r.sheet), 11);
    clasconv_grid_free(r.grid);
}

/* Through the pipeline: the reader's note becomes an info anomaly with its
 * cell, and the school names keep their quotes as LibreOffice shows them. */
Test(csv_lenient, info_anomaly_in_the_pipeline)
{
    clasconv_table *table = NULL;
    clasconv_diag diag;
    clasconv_error err = clasconv_convert(
        CLASCONV_FIXTURES "/csv/lenient-quotes.csv", &table, &diag);
    cr_assert_eq(err, CLASCONV_OK, "%s", diag.message);
    size_t found = 0;
    for (size_t i = 0; i < table->anomalies.count; i++) {
        const clasconv_anomaly *a = &table->anomalies.items[i];
        if (a->code != CLASCONV_A_CSV_QUOTE_LENIENT) {
            continue;
        }
        found++;
        cr_expect_eq(a->severity, CLASCONV_SEV_INFO);
        cr_expect_str_eq(a->cell, "ligne 3, champ 1");
        cr_expect_not_null(strstr(a->message, "(et 1 autre champ)"));
    }
    cr_expect_eq(found, 1);
    cr_expect_eq(table->nschools, 3);
    clasconv_table_free(table);
}
