/* test_xls.c: the .xls reader, its OLE2 reader and its BIFF walker. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clasconv/read.h"
#include "read/biff.h"
#include "read/ole2.h"
#include "test_util.h"

#define P01                                                                    \
    CLASCONV_SAMPLES "/p01-form-xls-villeurbanne/Tableau dispositifs CLAS "    \
                     "2026 - Villeurbanne.xls"
#define P06                                                                    \
    CLASCONV_SAMPLES "/p06-form-biff5-caps-rillieux/Tableau CLAS 2026 "        \
                     "Rillieux-la-Pape.xls"
#define FIX(name) CLASCONV_FIXTURES "/xls/" name

/* --- Helpers ------------------------------------------------------------ */

static unsigned char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    long len = ftell(f);
    cr_assert_geq(len, 0);
    rewind(f);
    unsigned char *data = malloc((size_t)len + 1);
    cr_assert_not_null(data);
    cr_assert_eq(fread(data, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *size = (size_t)len;
    return data;
}

typedef struct read_result {
    clasconv_grid *grid;
    clasconv_error err;
    clasconv_diag diag;
} read_result;

/* Reads `path` through the reader: with its path, or from memory only. */
static read_result read_file(const char *path, int with_path)
{
    read_result r;
    memset(&r, 0, sizeof r);
    size_t size;
    unsigned char *data = slurp(path, &size);
    clasconv_input in = {with_path ? path : NULL, data, size};
    r.grid = clasconv_grid_new();
    cr_assert_not_null(r.grid);
    r.err = clasconv_read_xls(&in, r.grid, &r.diag);
    free(data);
    return r;
}

static read_result read_bytes(const unsigned char *data, size_t size)
{
    read_result r;
    memset(&r, 0, sizeof r);
    clasconv_input in = {NULL, data, size};
    r.grid = clasconv_grid_new();
    cr_assert_not_null(r.grid);
    r.err = clasconv_read_xls(&in, r.grid, &r.diag);
    return r;
}

static const clasconv_sheet *sheet_named(const clasconv_grid *g,
                                         const char *name)
{
    for (size_t i = 0; i < clasconv_grid_sheet_count(g); i++) {
        const clasconv_sheet *s = clasconv_grid_sheet(g, i);
        if (strcmp(clasconv_sheet_name(s), name) == 0) {
            return s;
        }
    }
    cr_assert_fail("no sheet %s", name);
    return NULL;
}

/* Cell by A1 reference ("B20"). */
static const clasconv_cell *cell(const clasconv_sheet *s, const char *ref)
{
    uint32_t col = 0;
    const char *p = ref;
    while (*p >= 'A' && *p <= 'Z') {
        col = col * 26 + (uint32_t)(*p - 'A' + 1);
        p++;
    }
    uint32_t row = (uint32_t)strtoul(p, NULL, 10);
    return clasconv_sheet_get(s, row - 1, col - 1);
}

static void assert_number(const clasconv_sheet *s, const char *ref,
                          double value, unsigned flags)
{
    const clasconv_cell *c = cell(s, ref);
    cr_assert_not_null(c, "%s is empty", ref);
    cr_assert_eq(c->type, CLASCONV_CELL_NUMBER, "%s is not a number", ref);
    cr_assert_eq(c->v.number, value, "%s: %g, not %g", ref, c->v.number, value);
    cr_assert_eq(c->flags, flags, "%s: flags %x, not %x", ref, c->flags, flags);
}

static void assert_text(const clasconv_sheet *s, const char *ref,
                        const char *text, unsigned flags)
{
    const clasconv_cell *c = cell(s, ref);
    cr_assert_not_null(c, "%s is empty", ref);
    cr_assert_eq(c->type, CLASCONV_CELL_TEXT, "%s is not text", ref);
    cr_assert_str_eq(c->v.text, text);
    cr_assert_eq(c->flags, flags, "%s: flags %x, not %x", ref, c->flags, flags);
}

static void assert_merge(const clasconv_sheet *s, uint32_t r1, uint32_t c1,
                         uint32_t r2, uint32_t c2)
{
    const clasconv_merge *m = clasconv_sheet_merge_at(s, r1, c1);
    cr_assert_not_null(m, "no merge at %u,%u", r1, c1);
    cr_assert_eq(m->first_row, r1);
    cr_assert_eq(m->first_col, c1);
    cr_assert_eq(m->last_row, r2);
    cr_assert_eq(m->last_col, c2);
}

#define F CLASCONV_CELL_FORMULA

/* --- The samples -------------------------------------------------------- */

static void check_p01(const clasconv_grid *g)
{
    cr_assert_eq(clasconv_grid_sheet_count(g), 1);
    const clasconv_sheet *s = sheet_named(g, "Feuil1");
    cr_assert_eq(clasconv_sheet_ref_kind(s), CLASCONV_REF_SHEET);
    assert_text(s, "A5", "Territoire de : Villeurbanne", 0);
    assert_text(s, "A13", "École primaire Édouard Herriot", 0);
    assert_number(s, "B13", 15, 0);
    assert_number(s, "H14", 25, 0);
    assert_number(s, "I14", 19, 0);
    assert_text(s, "A25", "Collège Frédéric Faÿs", 0);
    /* TOTAL rows: =SUM(...) with their cached results. */
    assert_text(s, "A20", "TOTAL ELEMENTAIRE", 0);
    assert_number(s, "B20", 51, F);
    assert_number(s, "H20", 77, F);
    assert_number(s, "I20", 71, F);
    assert_number(s, "J20", 0, F);
    assert_number(s, "D28", 78, F);
    assert_number(s, "B35", 53, F);
    assert_number(s, "J35", 20, F);
    cr_assert_null(cell(s, "C14"));
    /* Merged title rows and the two-row header's PRE and CLAS groups. */
    cr_assert_eq(clasconv_sheet_merge_count(s), 9);
    assert_merge(s, 0, 0, 0, 9);
    assert_merge(s, 9, 5, 9, 6);
    assert_merge(s, 9, 7, 9, 8);
    assert_merge(s, 36, 0, 36, 9);
    cr_assert_not_null(clasconv_sheet_merge_at(s, 9, 6));
    cr_assert_null(clasconv_sheet_merge_at(s, 9, 4));
}

Test(xls, p01_biff8_with_path)
{
    test_need_samples();
    read_result r = read_file(P01, 1);
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    check_p01(r.grid);
    clasconv_grid_free(r.grid);
}

Test(xls, p01_biff8_from_memory_writes_no_file)
{
    test_need_samples();
    char dir[] = "/tmp/clasconv-test-xls-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    cr_assert_eq(setenv("TMPDIR", dir, 1), 0);
    read_result r = read_file(P01, 0);
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    check_p01(r.grid);
    clasconv_grid_free(r.grid);
    /* Nor does a failed read. */
    r = read_file(FIX("bad-no-eof.xls"), 0);
    cr_assert_eq(r.err, CLASCONV_ERR_FORMAT);
    clasconv_grid_free(r.grid);
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    int entries = 0;
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            entries++;
        }
    }
    closedir(d);
    cr_assert_eq(entries, 0, "temp files left in %s", dir);
    cr_assert_eq(rmdir(dir), 0);
}

Test(xls, p06_biff5_gnumeric)
{
    test_need_samples();
    read_result r = read_file(P06, 1);
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    cr_assert_eq(clasconv_grid_sheet_count(r.grid), 1);
    const clasconv_sheet *s = sheet_named(r.grid, "Feuil1");
    assert_text(s, "A5", "Territoire de : Rillieux-la-Pape", 0);
    assert_text(s, "B12", "NOMBRE D’ENFANTS", 0); /* CP1252 0x92 */
    assert_text(s, "A13", "ECOLE ELEMENTAIRE JULES FERRY", 0);
    assert_number(s, "H13", 21, 0);
    assert_text(s, "A21", "COLLEGE JEAN MOULIN", 0);
    assert_number(s, "D21", 34, 0);
    cr_assert_null(cell(s, "I21")); /* CLAS without its dont QPV */
    assert_text(s, "A18", "TOTAL ELEMENTAIRE", 0);
    assert_number(s, "H18", 103, F);
    assert_number(s, "I18", 92, F);
    assert_number(s, "B18", 0, F);
    assert_number(s, "D24", 34, F);
    assert_number(s, "E30", 68, F);
    assert_number(s, "J30", 17, F);
    cr_assert_eq(clasconv_sheet_merge_count(s), 9);
    assert_merge(s, 0, 0, 0, 9);
    assert_merge(s, 9, 5, 9, 6);
    assert_merge(s, 9, 7, 9, 8);
    assert_merge(s, 31, 0, 31, 9);
    clasconv_grid_free(r.grid);
}

/* --- Own fixtures ------------------------------------------------------- */

static void check_formulas(const char *path, int with_path)
{
    read_result r = read_file(path, with_path);
    cr_assert_eq(r.err, CLASCONV_OK, "%s: %s", path, r.diag.message);
    /* The chart sheet "Graphique" is no worksheet: left out. */
    cr_assert_eq(clasconv_grid_sheet_count(r.grid), 2);
    const clasconv_sheet *s = sheet_named(r.grid, "Feuil1");
    assert_text(s, "A1", "Établissement", 0);
    assert_text(s, "A2", "École Jules Ferry", 0);
    assert_number(s, "B2", 15, F); /* a count typed as =12+3 */
    assert_number(s, "C2", 7.5, 0);
    assert_number(s, "D2", 3, 0);
    assert_number(s, "B3", 22, F);
    assert_text(s, "A4", "Texte calculé", F);
    assert_number(s, "B4", 1, F | CLASCONV_CELL_BOOLEAN);
    assert_text(s, "C4", "#DIV/0!", F | CLASCONV_CELL_ERROR);
    assert_number(s, "D4", 0, CLASCONV_CELL_BOOLEAN);
    assert_text(s, "E4", "#N/A", CLASCONV_CELL_ERROR);
    cr_assert_null(cell(s, "F4")); /* a formula giving "" */
    char expected[400] = "";
    for (int i = 0; i < 30; i++) {
        strcat(expected, "Commentaire ");
    }
    strcat(expected, "€"); /* from the CONTINUE record, in UTF-16 */
    assert_text(s, "A5", expected, F);
    assert_text(s, "A6", "Fusion A6:C6", 0);
    cr_assert_eq(clasconv_sheet_merge_count(s), 2);
    assert_merge(s, 5, 0, 5, 2);
    assert_merge(s, 6, 1, 6, 3);
    const clasconv_sheet *s2 = sheet_named(r.grid, "Données 2");
    assert_number(s2, "A1", 4, 0);
    assert_number(s2, "B2", 40, F);
    clasconv_grid_free(r.grid);
}

Test(xls, formula_results_booleans_errors_merges)
{
    check_formulas(FIX("formulas.xls"), 1);
    check_formulas(FIX("formulas.xls"), 0);
}

Test(xls, ole2_version4_sectors)
{
    check_formulas(FIX("formulas-v4.xls"), 1);
}

Test(xls, ole2_difat_chain)
{
    check_formulas(FIX("difat.xls"), 0);
}

Test(xls, biff5_codepage_and_mini_stream)
{
    read_result r = read_file(FIX("biff5.xls"), 0);
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    const clasconv_sheet *s = sheet_named(r.grid, "Feuil1");
    assert_text(s, "A1", "Élève", 0);
    assert_text(s, "B1", "Collège Frédéric Faÿs", 0);
    assert_number(s, "A2", 12, 0);
    assert_number(s, "B2", 15, F);
    assert_text(s, "A3", "Total général œuvre €", F);
    assert_number(s, "B3", 0, F | CLASCONV_CELL_BOOLEAN);
    clasconv_grid_free(r.grid);
}

Test(xls, dates_come_as_text_flagged_date)
{
    read_result r = read_file(FIX("dates.xls"), 0);
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    const clasconv_sheet *s = sheet_named(r.grid, "Feuil1");
    assert_text(s, "A1", "2025-12-31", CLASCONV_CELL_DATE);
    assert_number(s, "B1", 12, 0);
    clasconv_grid_free(r.grid);
}

/* Rich text (RSTRING), which FreeXL dropped: the form Gnumeric saves with
 * a bold « EE » lost its school names. */
Test(xls, rich_text_cells)
{
    const char *files[] = {FIX("rstring5.xls"), FIX("rstring8.xls"),
                           FIX("writers/rich-text.gnumeric-biff7.xls"),
                           FIX("writers/rich-text.gnumeric-biff8.xls"),
                           FIX("writers/rich-text.lo-biff8.xls")};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        read_result r = read_file(files[i], 0);
        cr_assert_eq(r.err, CLASCONV_OK, "%s: %s", files[i], r.diag.message);
        const clasconv_sheet *s = sheet_named(r.grid, "Feuil1");
        int gnumeric = strstr(files[i], "writers/") != NULL;
        const char *ee = gnumeric ? "A3" : "A2";
        const char *college = gnumeric ? "A4" : "A3";
        assert_text(s, ee, "EE Jules Ferry", 0);
        cr_assert_not_null(strstr(cell(s, college)->v.text, "Jean Moulin"));
        cr_assert_eq(strncmp(cell(s, college)->v.text, "Collège", 8), 0);
        clasconv_grid_free(r.grid);
    }
}

Test(xls, shared_strings_across_continue_with_empty_ones)
{
    read_result r = read_file(FIX("sst-continue.xls"), 0);
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    const clasconv_sheet *s = sheet_named(r.grid, "Feuil1");
    assert_text(s, "A1", "Établissement", 0);
    cr_assert_null(cell(s, "A2")); /* an empty shared string */
    assert_text(s, "A3", "École Jules Ferry", 0);
    char x150[200];
    memset(x150, 'x', 150);
    strcpy(x150 + 150, "é");
    assert_text(s, "A4", x150, 0);
    cr_assert_null(cell(s, "A5"));
    char college[300] = "";
    for (int i = 0; i < 20; i++) {
        strcat(college, "Collège ");
    }
    strcat(college, "Œuvre");
    assert_text(s, "A6", college, 0);
    assert_text(s, "A7", "€uro ← unicode", 0);
    assert_text(s, "A8", "TOTAL", 0);
    clasconv_grid_free(r.grid);
}

/* BIFF5 text in every Windows code page iconv knows: CP1258 composes its
 * tone marks (FreeXL shifted them by one character), CP932 is
 * multi-byte. */
Test(xls, biff5_code_pages)
{
    struct {
        const char *file, *a1, *a2;
    } cases[] = {
        {FIX("cp1258.xls"), "Trường Tiểu học", "Hà Nội"},
        {FIX("cp1251.xls"), "Школа №5", "Ёлка"},
        {FIX("cp1250.xls"), "Łódź", "Příliš žluťoučký kůň"},
        {FIX("cp932.xls"), "小学校", "カタカナ"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        read_result r = read_file(cases[i].file, 0);
        cr_assert_eq(r.err, CLASCONV_OK, "%s: %s", cases[i].file,
                     r.diag.message);
        const clasconv_sheet *s = sheet_named(r.grid, "Feuil1");
        assert_text(s, "A1", cases[i].a1, 0);
        assert_text(s, "A2", cases[i].a2, 0);
        clasconv_grid_free(r.grid);
    }
}

/* DIMENSIONS says 32,770 x 130 (over 4 million cells); 64 are there. */
Test(xls, sparse_sheet_counts_cells_present)
{
    read_result r = read_file(FIX("sparse.xls"), 0);
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    const clasconv_sheet *s = sheet_named(r.grid, "Feuil1");
    size_t cells = 0;
    for (size_t i = 0; i < clasconv_sheet_row_count(s); i++) {
        cells += clasconv_sheet_row(s, i).ncells;
    }
    cr_assert_eq(cells, 64);
    assert_number(s, "A1", 0, 0);
    assert_number(s, "DI3585", 7 * 8 + 7, 0); /* row 7 * 512, column 7 * 16 */
    clasconv_grid_free(r.grid);
}

#define D CLASCONV_CELL_DATE

Test(xls, rk_mulrk_blanks_and_date_formats)
{
    read_result r = read_file(FIX("numbers-dates.xls"), 0);
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    const clasconv_sheet *s = sheet_named(r.grid, "Feuil1");
    assert_number(s, "A1", 12, 0);         /* RK integer */
    assert_number(s, "B1", 7.5, 0);        /* RK integer / 100 */
    assert_number(s, "C1", -3, 0);         /* negative */
    assert_number(s, "D1", 0.1, 0);        /* RK 10 / 100 */
    assert_number(s, "E1", 1234567.5, 0);  /* RK / 100 */
    cr_assert_null(cell(s, "A2"));         /* BLANK */
    cr_assert_null(cell(s, "B2"));         /* MULBLANK */
    assert_text(s, "D2", "2025-12-31", D); /* built-in format 14 */
    assert_text(s, "E2", "2025-12-31", D); /* dd/mm/yyyy */
    assert_text(s, "A3", "12:00:00", D);   /* hh:mm */
    assert_text(s, "B3", "2025-12-31 18:00:00", D);
    assert_number(s, "C3", 12, 0);                  /* "Semaine "0 is no date */
    assert_number(s, "D3", 3.25, 0);                /* [Red]0.00 neither */
    assert_text(s, "E3", "2023-03-15 12:00:00", D); /* built-in 22 */
    assert_text(s, "A4", "1900-02-28", D);
    assert_text(s, "B4", "1900-02-29", D); /* Excel's (Lotus's) leap day */
    assert_text(s, "C4", "1900-03-01", D);
    clasconv_grid_free(r.grid);

    r = read_file(FIX("dates1904.xls"), 0);
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    s = sheet_named(r.grid, "Feuil1");
    assert_text(s, "A1", "1904-01-01", D);
    assert_text(s, "B1", "2026-01-01", D);
    clasconv_grid_free(r.grid);

    /* A BIFF5 FORMAT (8-bit count: FreeXL misread it and refused). */
    r = read_file(FIX("biff5-dates.xls"), 0);
    cr_assert_eq(r.err, CLASCONV_OK, "%s", r.diag.message);
    assert_text(sheet_named(r.grid, "Feuil1"), "A1", "2025-12-31", D);
    clasconv_grid_free(r.grid);
}

Test(biff, date_texts)
{
    struct {
        double serial;
        int date1904, kind;
        const char *text;
    } cases[] = {
        {1, 0, CLASCONV_BIFF_DATE_ONLY, "1900-01-01"},
        {0, 0, CLASCONV_BIFF_DATE_ONLY, "1900-01-01"},
        {59, 0, CLASCONV_BIFF_DATE_ONLY, "1900-02-28"},
        {60, 0, CLASCONV_BIFF_DATE_ONLY, "1900-02-29"},
        {61, 0, CLASCONV_BIFF_DATE_ONLY, "1900-03-01"},
        {46022.99, 0, CLASCONV_BIFF_DATE_ONLY, "2025-12-31"},
        {73109, 0, CLASCONV_BIFF_DATE_ONLY, "2100-02-28"},
        {73110, 0, CLASCONV_BIFF_DATE_ONLY, "2100-03-01"},
        {2958465, 0, CLASCONV_BIFF_DATE_ONLY, "9999-12-31"},
        {0, 1, CLASCONV_BIFF_DATE_ONLY, "1904-01-01"},
        {0.75, 0, CLASCONV_BIFF_TIME, "18:00:00"},
        {1.5 / 86400, 0, CLASCONV_BIFF_TIME, "00:00:02"},
        {46022.999999, 0, CLASCONV_BIFF_DATETIME, "2026-01-01 00:00:00"},
        {46022.5, 0, CLASCONV_BIFF_DATETIME, "2025-12-31 12:00:00"},
    };
    char out[40];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cr_assert_eq(clasconv_biff_date_text(cases[i].serial, cases[i].date1904,
                                             cases[i].kind, out, sizeof out),
                     0);
        cr_assert_str_eq(out, cases[i].text, "serial %g", cases[i].serial);
    }
    cr_assert_eq(clasconv_biff_date_text(-1, 0, CLASCONV_BIFF_DATE_ONLY, out,
                                         sizeof out),
                 -1);
    cr_assert_eq(clasconv_biff_date_text(2958466, 0, CLASCONV_BIFF_DATE_ONLY,
                                         out, sizeof out),
                 -1);
}

Test(xls, encrypted_is_refused)
{
    read_result r = read_file(FIX("encrypted.xls"), 1);
    cr_assert_eq(r.err, CLASCONV_ERR_UNSUPPORTED);
    cr_assert_not_null(strstr(r.diag.message, "mot de passe"), "%s",
                       r.diag.message);
    cr_assert_not_null(strstr(r.diag.message, "enregistrez-le"));
    clasconv_grid_free(r.grid);
}

Test(xls, office_files_that_are_no_workbook)
{
    read_result r = read_file(FIX("word.doc"), 1);
    cr_assert_eq(r.err, CLASCONV_ERR_FORMAT);
    cr_assert_not_null(strstr(r.diag.message, "document Word"), "%s",
                       r.diag.message);
    cr_assert_not_null(strstr(r.diag.message, "pas un classeur Excel"));
    clasconv_grid_free(r.grid);
    r = read_file(FIX("outlook.msg"), 0);
    cr_assert_eq(r.err, CLASCONV_ERR_FORMAT);
    cr_assert_not_null(strstr(r.diag.message, "message Outlook"), "%s",
                       r.diag.message);
    clasconv_grid_free(r.grid);
    /* A directory whose tree loops on itself, with no workbook. */
    r = read_file(FIX("bad-dir-cycle.xls"), 0);
    cr_assert_eq(r.err, CLASCONV_ERR_FORMAT);
    cr_assert_not_null(strstr(r.diag.message, "document Office"), "%s",
                       r.diag.message);
    clasconv_grid_free(r.grid);
}

/* A cell at IV65536: the sheet's extent is no cost, only its cells are. */
Test(xls, far_cell_counts_cells_present)
{
    const char *files[] = {FIX("far-cell.xls"), FIX("far-cell-nodim.xls")};
    for (size_t i = 0; i < 2; i++) {
        read_result r = read_file(files[i], 1);
        cr_assert_eq(r.err, CLASCONV_OK, "%s: %s", files[i], r.diag.message);
        const clasconv_sheet *s = sheet_named(r.grid, "Feuil1");
        assert_number(s, "A1", 1, 0);
        assert_number(s, "IV65536", 2, 0);
        clasconv_grid_free(r.grid);
    }
}

Test(xls, damaged_files)
{
    const char *files[] = {FIX("bad-fat-cycle.xls"),    FIX("bad-sector.xls"),
                           FIX("bad-record.xls"),       FIX("bad-no-eof.xls"),
                           FIX("bad-label-length.xls"), FIX("bad-sst.xls")};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        read_result r = read_file(files[i], 1);
        cr_assert_eq(r.err, CLASCONV_ERR_FORMAT, "%s", files[i]);
        cr_assert_not_null(
            strstr(r.diag.message, "Le fichier .xls est endommagé ou tronqué"),
            "%s: %s", files[i], r.diag.message);
        clasconv_grid_free(r.grid);
    }
}

/* A directory entry name length 16 KB long (FreeXL read past its buffer
 * there): the OLE2 reader ignores it and the book reads. */
Test(xls, hostile_directory_name_is_harmless)
{
    check_formulas(FIX("bad-dir-name.xls"), 1);
}

Test(xls, not_an_ole2_file)
{
    const unsigned char html[] = "<html><table><tr><td>1</td></tr></table>";
    read_result r = read_bytes(html, sizeof html - 1);
    cr_assert_eq(r.err, CLASCONV_ERR_FORMAT);
    cr_assert_not_null(strstr(r.diag.message, "pas un classeur Excel"));
    clasconv_grid_free(r.grid);
    r = read_bytes(html, 0);
    cr_assert_eq(r.err, CLASCONV_ERR_FORMAT);
    clasconv_grid_free(r.grid);
}

/* Every prefix of the sample, cut on sector bounds and in between. */
Test(xls, truncated_sample_is_refused_cleanly)
{
    test_need_samples();
    size_t size;
    unsigned char *data = slurp(P01, &size);
    size_t checked = 0;
    for (size_t n = 0; n < size; n += (n < 1024 ? 97 : 509)) {
        read_result r = read_bytes(data, n);
        if (r.err == CLASCONV_OK) {
            /* Only the zero padding of the last sector may be cut: the
             * missing bytes read as zeros and every value is there. */
            cr_assert_gt(n, size - 512, "cut at %zu read as OK", n);
            check_p01(r.grid);
            clasconv_grid_free(r.grid);
            continue;
        }
        cr_assert_eq(r.err, CLASCONV_ERR_FORMAT, "cut at %zu: %d", n, r.err);
        cr_assert_neq(r.diag.message[0], '\0');
        if (n >= 512) {
            cr_assert_not_null(
                strstr(r.diag.message,
                       "Le fichier .xls est endommagé ou tronqué"),
                "cut at %zu: %s", n, r.diag.message);
        }
        clasconv_grid_free(r.grid);
        checked++;
    }
    cr_assert_gt(checked, 20);
    free(data);
}

/* --- OLE2 reader -------------------------------------------------------- */

static clasconv_ole2_status ole2_read_named(const unsigned char *data,
                                            size_t size, const char *name,
                                            unsigned char **out,
                                            size_t *out_size)
{
    clasconv_ole2 *ole = NULL;
    *out = NULL;
    *out_size = 0;
    clasconv_ole2_status st = clasconv_ole2_open(data, size, &ole);
    if (st != CLASCONV_OLE2_OK) {
        return st;
    }
    size_t index;
    st = clasconv_ole2_find(ole, name, &index);
    if (st == CLASCONV_OLE2_OK) {
        st = clasconv_ole2_read(ole, index, out, out_size);
    }
    clasconv_ole2_free(ole);
    return st;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

Test(ole2, reads_streams_of_every_layout)
{
    const char *files[] = {FIX("formulas.xls"), FIX("formulas-v4.xls"),
                           FIX("difat.xls")};
    size_t first_size = 0;
    for (size_t i = 0; i < 3; i++) {
        size_t size;
        unsigned char *data = slurp(files[i], &size);
        unsigned char *stream;
        size_t stream_size;
        cr_assert_eq(
            ole2_read_named(data, size, "workbook", &stream, &stream_size),
            CLASCONV_OLE2_OK, "%s", files[i]);
        cr_assert_eq(stream_size, 4096);
        if (i == 0) {
            first_size = stream_size;
        }
        cr_assert_eq(stream_size, first_size);
        cr_assert_eq(stream[0], 0x09); /* BOF */
        cr_assert_eq(stream[1], 0x08);
        free(stream);
        free(data);
    }
    /* The BIFF5 `Book` stream sits in the mini stream. */
    size_t size;
    unsigned char *data = slurp(FIX("biff5.xls"), &size);
    unsigned char *stream;
    size_t stream_size;
    cr_assert_eq(ole2_read_named(data, size, "Book", &stream, &stream_size),
                 CLASCONV_OLE2_OK);
    cr_assert_lt(stream_size, 4096);
    cr_assert_eq(stream[0], 0x09);
    free(stream);
    cr_assert_eq(ole2_read_named(data, size, "Workbook", &stream, &stream_size),
                 CLASCONV_OLE2_NOT_FOUND);
    free(data);
}

Test(ole2, fat_cycle_and_sector_out_of_range)
{
    const char *files[] = {FIX("bad-fat-cycle.xls"), FIX("bad-sector.xls")};
    for (size_t i = 0; i < 2; i++) {
        size_t size;
        unsigned char *data = slurp(files[i], &size);
        unsigned char *stream;
        size_t stream_size;
        cr_assert_eq(
            ole2_read_named(data, size, "Workbook", &stream, &stream_size),
            CLASCONV_OLE2_CORRUPT, "%s", files[i]);
        cr_assert_null(stream);
        free(data);
    }
}

Test(ole2, directory_cycle_ends)
{
    size_t size;
    unsigned char *data = slurp(FIX("bad-dir-cycle.xls"), &size);
    unsigned char *stream;
    size_t stream_size;
    cr_assert_eq(ole2_read_named(data, size, "Workbook", &stream, &stream_size),
                 CLASCONV_OLE2_NOT_FOUND);
    free(data);
}

Test(ole2, hostile_headers)
{
    size_t size;
    unsigned char *orig = slurp(FIX("formulas.xls"), &size);
    unsigned char *data = malloc(size);
    unsigned char *stream;
    size_t stream_size;
    clasconv_ole2 *ole;

    cr_assert_eq(clasconv_ole2_open(orig, 7, &ole), CLASCONV_OLE2_NOT_OLE2);
    cr_assert_eq(clasconv_ole2_open(orig, 511, &ole), CLASCONV_OLE2_CORRUPT);
    cr_assert_eq(clasconv_ole2_open(orig, 512, &ole), CLASCONV_OLE2_CORRUPT);
    cr_assert_null(ole);

    struct {
        size_t offset;
        uint32_t value;
        int width;
    } patches[] = {
        {0x1E, 20, 2},         /* sector shift */
        {0x20, 3, 2},          /* mini sector shift */
        {0x1C, 0xFEFF, 2},     /* byte order */
        {0x2C, 0, 4},          /* no FAT sector */
        {0x2C, 0x7FFFFFFF, 4}, /* absurd FAT sector count */
        {0x2C, 200, 4},        /* more FAT sectors than the file holds */
        {0x4C, 5000, 4},       /* first FAT sector beyond the file */
        {0x30, 4000, 4},       /* directory beyond the file */
        {0x30, 0xFFFFFFFE, 4}, /* no directory */
        {0x3C, 999, 4},        /* mini FAT beyond the file */
    };
    for (size_t i = 0; i < sizeof patches / sizeof patches[0]; i++) {
        memcpy(data, orig, size);
        if (patches[i].width == 2) {
            data[patches[i].offset] = (unsigned char)patches[i].value;
            data[patches[i].offset + 1] =
                (unsigned char)(patches[i].value >> 8);
        } else {
            put32(data + patches[i].offset, patches[i].value);
        }
        clasconv_ole2_status st =
            ole2_read_named(data, size, "Workbook", &stream, &stream_size);
        cr_assert_eq(st, CLASCONV_OLE2_CORRUPT, "patch %zu: %d", i, st);
        free(stream);
    }
    /* 120 FAT sectors: 109 in the header, 11 in the DIFAT sector. A DIFAT
     * chain beyond the file, or ending too early, is corrupt. */
    size_t dsize;
    unsigned char *difat = slurp(FIX("difat.xls"), &dsize);
    cr_assert_eq(
        ole2_read_named(difat, dsize, "Workbook", &stream, &stream_size),
        CLASCONV_OLE2_OK);
    free(stream);
    put32(difat + 0x44, 100000);
    cr_assert_eq(
        ole2_read_named(difat, dsize, "Workbook", &stream, &stream_size),
        CLASCONV_OLE2_CORRUPT);
    put32(difat + 0x44, 0xFFFFFFFE);
    cr_assert_eq(
        ole2_read_named(difat, dsize, "Workbook", &stream, &stream_size),
        CLASCONV_OLE2_CORRUPT);
    free(difat);
    free(data);
    free(orig);
}

Test(ole2, mini_stream_out_of_range)
{
    size_t size;
    unsigned char *orig = slurp(FIX("biff5.xls"), &size);
    clasconv_ole2 *ole;
    cr_assert_eq(clasconv_ole2_open(orig, size, &ole), CLASCONV_OLE2_OK);
    size_t index;
    cr_assert_eq(clasconv_ole2_find(ole, "Book", &index), CLASCONV_OLE2_OK);
    clasconv_ole2_free(ole);
    /* Find the directory entry of "Book" and point it past the mini
     * stream, then make it claim a size larger than the mini stream. */
    uint32_t dir = (uint32_t)orig[0x30] | ((uint32_t)orig[0x31] << 8);
    unsigned char *entry = orig + 512 * ((size_t)dir + 1) + 128 * index;
    unsigned char *stream;
    size_t stream_size;
    put32(entry + 0x74, 5000);
    cr_assert_eq(ole2_read_named(orig, size, "Book", &stream, &stream_size),
                 CLASCONV_OLE2_CORRUPT);
    put32(entry + 0x74, 0);
    put32(entry + 0x78, 4000);
    cr_assert_eq(ole2_read_named(orig, size, "Book", &stream, &stream_size),
                 CLASCONV_OLE2_CORRUPT);
    /* A size larger than the whole file. */
    put32(entry + 0x78, 0x7FFFFFFF);
    cr_assert_eq(ole2_read_named(orig, size, "Book", &stream, &stream_size),
                 CLASCONV_OLE2_CORRUPT);
    free(orig);
}

/* Random byte changes: no crash, no leak, any status (run under ASan). */
Test(ole2, mutations_never_crash)
{
    const char *files[] = {FIX("formulas.xls"), FIX("biff5.xls"),
                           FIX("difat.xls"), FIX("formulas-v4.xls")};
    unsigned seed = 12345;
    for (size_t f = 0; f < 4; f++) {
        size_t size;
        unsigned char *orig = slurp(files[f], &size);
        unsigned char *data = malloc(size);
        for (int round = 0; round < 1500; round++) {
            memcpy(data, orig, size);
            int changes = 1 + round % 8;
            for (int k = 0; k < changes; k++) {
                seed = seed * 1103515245u + 12345u;
                size_t pos = (seed >> 8) % size;
                /* Favour the header, the FAT and the directory. */
                if (k % 2 == 0) {
                    pos %= size < 2048 ? size : 2048;
                }
                seed = seed * 1103515245u + 12345u;
                data[pos] = (unsigned char)(seed >> 16);
            }
            unsigned char *stream = NULL;
            size_t stream_size = 0;
            const char *name = f == 1 ? "Book" : "Workbook";
            if (ole2_read_named(data, size, name, &stream, &stream_size) ==
                CLASCONV_OLE2_OK) {
                clasconv_biff_book book;
                memset(&book, 0, sizeof book);
                (void)clasconv_biff_read(stream, stream_size, &book);
                clasconv_biff_free(&book);
                free(stream);
            }
        }
        free(data);
        free(orig);
    }
}

/* --- BIFF walker -------------------------------------------------------- */

static unsigned char *workbook_stream(const char *path, const char *name,
                                      size_t *size)
{
    size_t file_size;
    unsigned char *data = slurp(path, &file_size);
    unsigned char *stream;
    cr_assert_eq(ole2_read_named(data, file_size, name, &stream, size),
                 CLASCONV_OLE2_OK);
    free(data);
    return stream;
}

static size_t count_formulas(const clasconv_biff_sheet *sheet)
{
    size_t n = 0;
    for (size_t i = 0; i < sheet->nvalues; i++) {
        n += sheet->values[i].formula;
    }
    return n;
}

Test(biff, walks_the_sample_streams)
{
    test_need_samples();
    size_t size;
    unsigned char *stream = workbook_stream(P01, "Workbook", &size);
    clasconv_biff_book book;
    memset(&book, 0, sizeof book);
    cr_assert_eq(clasconv_biff_read(stream, size, &book), CLASCONV_BIFF_OK);
    cr_assert_eq(book.version, 8);
    cr_assert_eq(book.nsheets, 1);
    cr_assert_str_eq(book.sheets[0].name, "Feuil1");
    cr_assert_eq(book.sheets[0].dim_rows, 37);
    cr_assert_eq(book.sheets[0].dim_cols, 10);
    cr_assert_eq(book.sheets[0].nvalues, 131);         /* every cell record */
    cr_assert_eq(count_formulas(&book.sheets[0]), 27); /* 3 TOTAL rows x 9 */
    cr_assert_eq(book.nsst, 34);
    cr_assert_eq(book.sheets[0].nmerges, 9);
    clasconv_biff_free(&book);
    free(stream);

    stream = workbook_stream(P06, "Book", &size);
    memset(&book, 0, sizeof book);
    cr_assert_eq(clasconv_biff_read(stream, size, &book), CLASCONV_BIFF_OK);
    cr_assert_eq(book.version, 5);
    cr_assert_eq(book.codepage, 1252);
    cr_assert_eq(book.sheets[0].nvalues, 109);
    cr_assert_eq(count_formulas(&book.sheets[0]), 27);
    cr_assert_eq(book.sheets[0].nmerges, 9);
    clasconv_biff_free(&book);
    free(stream);
}

Test(biff, every_prefix_is_corrupt)
{
    size_t size;
    unsigned char *stream = workbook_stream(FIX("biff5.xls"), "Book", &size);
    for (size_t n = 0; n < size; n++) {
        unsigned char *copy = malloc(n + 1);
        memcpy(copy, stream, n);
        clasconv_biff_book book;
        memset(&book, 0, sizeof book);
        clasconv_biff_status st = clasconv_biff_read(copy, n, &book);
        cr_assert_eq(st, CLASCONV_BIFF_CORRUPT, "prefix %zu: %d", n, st);
        clasconv_biff_free(&book);
        free(copy);
    }
    clasconv_biff_book book;
    memset(&book, 0, sizeof book);
    cr_assert_eq(clasconv_biff_read(stream, size, &book), CLASCONV_BIFF_OK);
    clasconv_biff_free(&book);
    free(stream);
}

/* A tiny BIFF8 stream builder for hand-made cases. */
typedef struct bstream {
    unsigned char data[1024];
    size_t len;
} bstream;

static void brec(bstream *b, uint16_t type, const void *body, uint16_t len)
{
    cr_assert_leq(b->len + 4 + len, sizeof b->data);
    b->data[b->len++] = (unsigned char)type;
    b->data[b->len++] = (unsigned char)(type >> 8);
    b->data[b->len++] = (unsigned char)len;
    b->data[b->len++] = (unsigned char)(len >> 8);
    if (len > 0) {
        memcpy(b->data + b->len, body, len);
    }
    b->len += len;
}

/* Globals with one BOUNDSHEET whose offset is the end of the globals. */
static void book_start(bstream *b, const void *extra, uint16_t extra_type,
                       uint16_t extra_len)
{
    const unsigned char bof_globals[16] = {0x00, 0x06, 0x05, 0x00};
    brec(b, 0x0809, bof_globals, 16);
    if (extra_type != 0) {
        brec(b, extra_type, extra, extra_len);
    }
    unsigned char sheet[9] = {0, 0, 0, 0, 0, 0, 1, 0, 'S'};
    size_t at = b->len;
    brec(b, 0x0085, sheet, 9);
    brec(b, 0x000A, NULL, 0);
    put32(b->data + at + 4, (uint32_t)b->len);
    const unsigned char bof_sheet[16] = {0x00, 0x06, 0x10, 0x00};
    brec(b, 0x0809, bof_sheet, 16);
}

static clasconv_biff_status walk(bstream *b, clasconv_biff_book *book)
{
    memset(book, 0, sizeof *book);
    return clasconv_biff_read(b->data, b->len, book);
}

Test(biff, record_length_past_the_end)
{
    bstream b = {{0}, 0};
    book_start(&b, NULL, 0, 0);
    unsigned char number[14] = {0};
    brec(&b, 0x0203, number, 14);
    brec(&b, 0x000A, NULL, 0);
    b.data[b.len - 2] = 50; /* EOF claims 50 bytes that are not there */
    clasconv_biff_book book;
    cr_assert_eq(walk(&b, &book), CLASCONV_BIFF_CORRUPT);
    clasconv_biff_free(&book);
}

Test(biff, filepass_and_old_versions)
{
    bstream b = {{0}, 0};
    unsigned char filepass[6] = {1, 0, 1, 0, 1, 0};
    book_start(&b, filepass, 0x002F, 6);
    brec(&b, 0x000A, NULL, 0);
    clasconv_biff_book book;
    cr_assert_eq(walk(&b, &book), CLASCONV_BIFF_ENCRYPTED);
    cr_assert_eq(book.encrypted, 1);
    clasconv_biff_free(&book);

    bstream old = {{0}, 0};
    unsigned char bof4[6] = {0, 0, 0x10, 0};
    brec(&old, 0x0409, bof4, 6);
    cr_assert_eq(walk(&old, &book), CLASCONV_BIFF_UNSUPPORTED);
    clasconv_biff_free(&book);

    bstream other = {{0}, 0};
    unsigned char bof_v[16] = {0x00, 0x07, 0x05, 0x00};
    brec(&other, 0x0809, bof_v, 16);
    cr_assert_eq(walk(&other, &book), CLASCONV_BIFF_UNSUPPORTED);
    clasconv_biff_free(&book);
}

Test(biff, short_records_and_bad_counts)
{
    struct {
        uint16_t type;
        uint16_t len;
    } cases[] = {
        {0x0006, 10}, /* FORMULA too short for its result */
        {0x0200, 6},  /* DIMENSIONS */
        {0x0205, 5},  /* BOOLERR */
        {0x00BD, 4},  /* MULRK */
        {0x0203, 3},  /* NUMBER */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bstream b = {{0}, 0};
        book_start(&b, NULL, 0, 0);
        unsigned char body[32] = {0};
        brec(&b, cases[i].type, body, cases[i].len);
        brec(&b, 0x000A, NULL, 0);
        clasconv_biff_book book;
        cr_assert_eq(walk(&b, &book), CLASCONV_BIFF_CORRUPT, "case %zu", i);
        clasconv_biff_free(&book);
    }
    /* MERGEDCELLS announcing 5 ranges and holding 1. */
    bstream b = {{0}, 0};
    book_start(&b, NULL, 0, 0);
    unsigned char merges[10] = {5, 0, 0, 0, 1, 0, 0, 0, 2, 0};
    brec(&b, 0x00E5, merges, 10);
    brec(&b, 0x000A, NULL, 0);
    clasconv_biff_book book;
    cr_assert_eq(walk(&b, &book), CLASCONV_BIFF_CORRUPT);
    clasconv_biff_free(&book);
}

Test(biff, string_result_missing_its_continue)
{
    bstream b = {{0}, 0};
    book_start(&b, NULL, 0, 0);
    unsigned char formula[22] = {2, 0, 1, 0, 0, 0,    0,
                                 0, 0, 0, 0, 0, 0xFF, 0xFF};
    brec(&b, 0x0006, formula, 22);
    unsigned char string[6] = {10, 0, 0, 'a', 'b', 'c'}; /* 10 announced */
    brec(&b, 0x0207, string, 6);
    brec(&b, 0x000A, NULL, 0);
    clasconv_biff_book book;
    cr_assert_eq(walk(&b, &book), CLASCONV_BIFF_CORRUPT);
    clasconv_biff_free(&book);

    /* With the CONTINUE (UTF-16 this time) it reads, and a lone UTF-16
     * surrogate becomes U+FFFD. */
    bstream ok = {{0}, 0};
    book_start(&ok, NULL, 0, 0);
    brec(&ok, 0x0006, formula, 22);
    unsigned char head[6] = {6, 0, 0, 'a', 'b', 'c'};
    brec(&ok, 0x0207, head, 6);
    unsigned char tail[7] = {1, 0xE9, 0x00, 0x00, 0xD8, 'z', 0};
    brec(&ok, 0x003C, tail, 7);
    brec(&ok, 0x000A, NULL, 0);
    cr_assert_eq(walk(&ok, &book), CLASCONV_BIFF_OK);
    cr_assert_eq(book.sheets[0].nvalues, 1);
    cr_assert_eq(book.sheets[0].values[0].row, 2);
    cr_assert_eq(book.sheets[0].values[0].col, 1);
    cr_assert_str_eq(book.sheets[0].values[0].text, "abcé\xEF\xBF\xBDz");
    clasconv_biff_free(&book);
}

Test(biff, missing_worksheet_substream)
{
    bstream b = {{0}, 0};
    book_start(&b, NULL, 0, 0);
    b.len -= 20; /* drop the sheet's BOF: nothing at its offset */
    clasconv_biff_book book;
    cr_assert_eq(walk(&b, &book), CLASCONV_BIFF_CORRUPT);
    clasconv_biff_free(&book);
}

Test(biff, embedded_chart_records_are_not_cells)
{
    bstream b = {{0}, 0};
    book_start(&b, NULL, 0, 0);
    const unsigned char bof_chart[16] = {0x00, 0x06, 0x20, 0x00};
    brec(&b, 0x0809, bof_chart, 16);
    /* Row 9, column 9, cached 10.0 (0x4024000000000000). */
    unsigned char formula[22] = {9, 0, 9, 0, 0, 0,    0,
                                 0, 0, 0, 0, 0, 0x24, 0x40};
    brec(&b, 0x0006, formula, 22); /* inside the chart: ignored */
    brec(&b, 0x000A, NULL, 0);
    formula[0] = 1;
    brec(&b, 0x0006, formula, 22);
    brec(&b, 0x000A, NULL, 0);
    clasconv_biff_book book;
    cr_assert_eq(walk(&b, &book), CLASCONV_BIFF_OK);
    cr_assert_eq(book.sheets[0].nvalues, 1);
    cr_assert_eq(book.sheets[0].values[0].row, 1);
    cr_assert_eq(book.sheets[0].values[0].number, 10.0);
    clasconv_biff_free(&book);
}

Test(biff, error_texts)
{
    cr_assert_str_eq(clasconv_biff_error_text(0x07), "#DIV/0!");
    cr_assert_str_eq(clasconv_biff_error_text(0x2A), "#N/A");
    cr_assert_str_eq(clasconv_biff_error_text(0x17), "#REF!");
    cr_assert_str_eq(clasconv_biff_error_text(0x99), "#N/A");
}

/* --- Records out of the ordinary ------------------------------------- */

static void body16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

Test(biff, strings_past_their_record_and_odd_records)
{
    clasconv_biff_book book;
    /* A LABEL whose characters run past the record. */
    bstream b = {{0}, 0};
    book_start(&b, NULL, 0, 0);
    unsigned char label[16] = {0, 0, 0, 0, 0, 0, 200, 0, 0, 'a', 'b'};
    brec(&b, 0x0204, label, 16);
    brec(&b, 0x000A, NULL, 0);
    cr_assert_eq(walk(&b, &book), CLASCONV_BIFF_CORRUPT);
    clasconv_biff_free(&book);
    /* The same LABEL with a fitting count is fine. */
    b.len = 0;
    book_start(&b, NULL, 0, 0);
    label[6] = 7;
    brec(&b, 0x0204, label, 16);
    brec(&b, 0x000A, NULL, 0);
    cr_assert_eq(walk(&b, &book), CLASCONV_BIFF_OK);
    clasconv_biff_free(&book);
    /* A FORMAT (BIFF8) announcing more characters than it holds. */
    unsigned char format[8] = {0xA4, 0, 50, 0, 0, 'd', 'd', 'd'};
    b.len = 0;
    book_start(&b, format, 0x041E, 8);
    brec(&b, 0x000A, NULL, 0);
    cr_assert_eq(walk(&b, &book), CLASCONV_BIFF_CORRUPT);
    clasconv_biff_free(&book);
    /* A record of type 0 and length 0 inside a sheet (FreeXL stopped
     * there): skipped, the cell after it is read. */
    b.len = 0;
    book_start(&b, NULL, 0, 0);
    brec(&b, 0x0000, NULL, 0);
    unsigned char rk[10] = {0, 0, 1, 0, 0, 0, (7 << 2) | 2, 0, 0, 0};
    brec(&b, 0x027E, rk, 10);
    brec(&b, 0x000A, NULL, 0);
    cr_assert_eq(walk(&b, &book), CLASCONV_BIFF_OK);
    cr_assert_eq(book.sheets[0].nvalues, 1);
    cr_assert_eq(book.sheets[0].values[0].number, 7.0);
    clasconv_biff_free(&book);
}

/* Records over BIFF8's 8,224 bytes (FreeXL stopped at them) are read. */
Test(biff, record_over_8224_bytes)
{
    bstream b = {{0}, 0};
    book_start(&b, NULL, 0, 0);
    brec(&b, 0x000A, NULL, 0);
    size_t len = b.len + 4 + 9000 + 4;
    unsigned char *data = calloc(1, len);
    /* The giant record sits in the globals, before their EOF. */
    size_t globals_eof = 20 + 13;
    memcpy(data, b.data, globals_eof);
    data[globals_eof] = 0x99;
    body16(data + globals_eof + 2, 9000);
    memcpy(data + globals_eof + 9004, b.data + globals_eof,
           b.len - globals_eof);
    put32(data + 20 + 4, (uint32_t)(globals_eof + 9004 + 4));
    clasconv_biff_book book;
    memset(&book, 0, sizeof book);
    cr_assert_eq(clasconv_biff_read(data, len, &book), CLASCONV_BIFF_OK);
    cr_assert_eq(book.nsheets, 1);
    cr_assert(book.sheets[0].found);
    clasconv_biff_free(&book);
    free(data);
}

/* Globals with an SST made of `parts` (SST body, then CONTINUE bodies).
 * `book` is filled; free it. */
static clasconv_biff_status walk_sst(const unsigned char *const *parts,
                                     const uint16_t *lens, size_t nparts,
                                     clasconv_biff_book *book)
{
    bstream b = {{0}, 0};
    const unsigned char bof_globals[16] = {0x00, 0x06, 0x05, 0x00};
    brec(&b, 0x0809, bof_globals, 16);
    for (size_t i = 0; i < nparts; i++) {
        brec(&b, i == 0 ? 0x00FC : 0x003C, parts[i], lens[i]);
    }
    brec(&b, 0x000A, NULL, 0);
    memset(book, 0, sizeof *book);
    return clasconv_biff_read(b.data, b.len, book);
}

Test(biff, sst_across_continue_records)
{
    clasconv_biff_book book;
    /* Two strings; the second is split: 2 chars here, 3 (UTF-16) in the
     * CONTINUE, which restarts with a flags byte. */
    const unsigned char sst[] = {2, 0, 0,   0,   2, 0, 0, 0,   2,
                                 0, 0, 'o', 'k', 5, 0, 0, 'a', 'b'};
    const unsigned char cont[] = {1, 'c', 0, 'd', 0, 0xAC, 0x20};
    const unsigned char *parts[] = {sst, cont};
    uint16_t lens[] = {sizeof sst, sizeof cont};
    cr_assert_eq(walk_sst(parts, lens, 2, &book), CLASCONV_BIFF_OK);
    cr_assert_eq(book.nsst, 2);
    cr_assert_str_eq(book.sst[0], "ok");
    cr_assert_str_eq(book.sst[1], "abcd€");
    clasconv_biff_free(&book);
    /* The rest does not fit in the CONTINUE, or there is none. */
    lens[1] = 5;
    cr_assert_eq(walk_sst(parts, lens, 2, &book), CLASCONV_BIFF_CORRUPT);
    clasconv_biff_free(&book);
    cr_assert_eq(walk_sst(parts, lens, 1, &book), CLASCONV_BIFF_CORRUPT);
    clasconv_biff_free(&book);
    /* A string header cut by the end of the record reads on in the
     * CONTINUE (no flags byte there: the header is not characters). */
    const unsigned char cut[] = {2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 'o', 'k', 3};
    const unsigned char rest[] = {0, 0, 'x', 'y', 'z'};
    const unsigned char *cut_parts[] = {cut, rest};
    uint16_t cut_lens[] = {sizeof cut, sizeof rest};
    cr_assert_eq(walk_sst(cut_parts, cut_lens, 2, &book), CLASCONV_BIFF_OK);
    cr_assert_eq(book.nsst, 2);
    cr_assert_str_eq(book.sst[1], "xyz");
    clasconv_biff_free(&book);
    /* Rich-text runs (flag 0x08, 2 runs = 8 bytes) spilling into the
     * CONTINUE, then the next string. */
    const unsigned char rich[] = {2, 0,    0, 0, 2,   0,   0, 0, 2,
                                  0, 0x08, 2, 0, 'E', 'E', 1, 2, 3};
    const unsigned char spill[] = {4, 5, 6, 7, 8, 3, 0, 0, 'J', 'u', 'l'};
    const unsigned char *rich_parts[] = {rich, spill};
    uint16_t rich_lens[] = {sizeof rich, sizeof spill};
    cr_assert_eq(walk_sst(rich_parts, rich_lens, 2, &book), CLASCONV_BIFF_OK);
    cr_assert_eq(book.nsst, 2);
    cr_assert_str_eq(book.sst[0], "EE");
    cr_assert_str_eq(book.sst[1], "Jul");
    clasconv_biff_free(&book);
    /* Runs announced past the last record. */
    rich_lens[1] = 3;
    cr_assert_eq(walk_sst(rich_parts, rich_lens, 2, &book),
                 CLASCONV_BIFF_CORRUPT);
    clasconv_biff_free(&book);
}

Test(biff, sst_empty_strings_and_counts)
{
    clasconv_biff_book book;
    /* Empty strings (FreeXL refused them as "crafted") are strings. */
    const unsigned char empty[] = {3, 0, 0, 0, 3, 0,   0, 0, 0,
                                   0, 0, 1, 0, 0, 'a', 0, 0, 0};
    const unsigned char *empty_parts[] = {empty};
    uint16_t empty_lens[] = {sizeof empty};
    cr_assert_eq(walk_sst(empty_parts, empty_lens, 1, &book), CLASCONV_BIFF_OK);
    cr_assert_eq(book.nsst, 3);
    cr_assert_str_eq(book.sst[0], "");
    cr_assert_str_eq(book.sst[1], "a");
    cr_assert_str_eq(book.sst[2], "");
    clasconv_biff_free(&book);
    /* A count of 2 million over no strings: nothing to read, no
     * allocation on the count's word. */
    const unsigned char huge[] = {0, 0, 0, 0, 0, 0, 0x20, 0};
    const unsigned char *huge_parts[] = {huge};
    uint16_t huge_lens[] = {sizeof huge};
    cr_assert_eq(walk_sst(huge_parts, huge_lens, 1, &book), CLASCONV_BIFF_OK);
    cr_assert_eq(book.nsst, 0);
    clasconv_biff_free(&book);
}

/* An SST of 1,000,001 empty strings (3 bytes each): over the cap. */
Test(biff, sst_cap)
{
    const size_t count = CLASCONV_BIFF_MAX_SST + 1;
    const size_t per_record = 2740; /* 8,220 bytes of strings */
    size_t records = (count + per_record - 1) / per_record;
    size_t cap = 20 + 4 + 8 + records * 4 + count * 3 + 4;
    unsigned char *data = calloc(1, cap);
    cr_assert_not_null(data);
    const unsigned char bof[20] = {0x09, 0x08, 16, 0, 0x00, 0x06, 0x05, 0x00};
    memcpy(data, bof, 20);
    size_t len = 20;
    for (size_t done = 0, r = 0; done < count; r++) {
        size_t n = count - done < per_record ? count - done : per_record;
        size_t body = n * 3 + (r == 0 ? 8 : 0);
        body16(data + len, r == 0 ? 0x00FC : 0x003C);
        body16(data + len + 2, (uint16_t)body);
        len += 4;
        if (r == 0) {
            put32(data + len, (uint32_t)count);
            put32(data + len + 4, (uint32_t)count);
            len += 8;
        }
        len += n * 3; /* count 0, flags 0: empty strings */
        done += n;
    }
    body16(data + len, 0x000A);
    len += 4;
    clasconv_biff_book book;
    memset(&book, 0, sizeof book);
    cr_assert_eq(clasconv_biff_read(data, len, &book), CLASCONV_BIFF_TOO_LARGE);
    clasconv_biff_free(&book);
    free(data);
}
