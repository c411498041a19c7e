/* test_soffice.c: .doc, .rtf and .xlsb read through LibreOffice headless
 * (src/read/soffice.c), and the French refusals when it is absent, fails
 * or takes too long. The tests that need LibreOffice skip when soffice is
 * not installed. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clasconv/anomaly.h"
#include "clasconv/clasconv.h"
#include "clasconv/read.h"
#include "test_util.h"

#define SOFFICE(name) CLASCONV_FIXTURES "/soffice/" name

static int have_soffice(void)
{
    return access("/usr/bin/soffice", X_OK) == 0;
}

static void need_soffice(void)
{
    if (!have_soffice())
        cr_skip_test("soffice absent: LibreOffice conversion test skipped "
                     "(scripts/setup installs it)");
}

static clasconv_error read_any(const char *path, clasconv_grid **grid,
                               clasconv_diag *diag, clasconv_format *format)
{
    size_t size;
    unsigned char *data = test_load(path, &size);
    clasconv_input in = {path, data, size};
    *grid = clasconv_grid_new();
    cr_assert_not_null(*grid);
    clasconv_diag_clear(diag);
    *format = clasconv_sniff(data, size);
    clasconv_error err = clasconv_read(*format, &in, *grid, diag);
    free(data);
    return err;
}

/* Whether some cell of the grid holds `text`. */
static int grid_has(const clasconv_grid *grid, const char *text)
{
    size_t s, r, c;
    for (s = 0; s < clasconv_grid_sheet_count(grid); s++) {
        const clasconv_sheet *sh = clasconv_grid_sheet(grid, s);
        for (r = 0; r < clasconv_sheet_row_count(sh); r++) {
            clasconv_row row = clasconv_sheet_row(sh, r);
            for (c = 0; c < row.ncells; c++)
                if (row.cells[c].type == CLASCONV_CELL_TEXT &&
                    strstr(row.cells[c].v.text, text) != NULL)
                    return 1;
        }
    }
    return 0;
}

static int grid_has_note(const clasconv_grid *grid, int code)
{
    size_t i;
    for (i = 0; i < clasconv_grid_note_count(grid); i++) {
        int c;
        const char *cell, *message;
        clasconv_grid_note(grid, i, &c, &cell, &message);
        if (c == code && strstr(message, "LibreOffice") != NULL)
            return 1;
    }
    return 0;
}

/* A private TMPDIR for one test, to check the converter leaves nothing. */
static char tmpdir[256];

static void private_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/clasconv-test-soffice-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    setenv("TMPDIR", tmpdir, 1);
}

static int tmpdir_entries(void)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    int n = 0;
    cr_assert_not_null(d);
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static void write_script(const char *path, const char *body)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(body, f);
    fclose(f);
    cr_assert_eq(chmod(path, 0700), 0);
}

Test(soffice, sniffed_formats)
{
    size_t size;
    unsigned char *data = test_load(SOFFICE("form-saint-fons.doc"), &size);
    cr_expect_eq(clasconv_sniff(data, size), CLASCONV_FORMAT_DOC);
    free(data);
    data = test_load(SOFFICE("form-saint-fons.rtf"), &size);
    cr_expect_eq(clasconv_sniff(data, size), CLASCONV_FORMAT_RTF);
    free(data);
    cr_expect_str_eq(clasconv_format_name(CLASCONV_FORMAT_DOC), "doc");
}

Test(soffice, doc_and_rtf_converted_and_read)
{
    static const char *const files[] = {SOFFICE("form-saint-fons.doc"),
                                        SOFFICE("form-saint-fons.rtf")};
    size_t i;
    need_soffice();
    private_tmpdir();
    unsetenv("CLASCONV_SOFFICE");
    for (i = 0; i < 2; i++) {
        clasconv_grid *grid;
        clasconv_diag diag;
        clasconv_format format;
        clasconv_error err = read_any(files[i], &grid, &diag, &format);
        cr_assert_eq(err, CLASCONV_OK, "%s: %s", files[i], diag.message);
        cr_expect(grid_has(grid, "Lamartine"), "%s", files[i]);
        cr_expect(grid_has(grid, "Collège Ampère"), "%s", files[i]);
        cr_expect(grid_has_note(grid, CLASCONV_A_FILE_CONVERTED), "%s",
                  files[i]);
        clasconv_grid_free(grid);
    }
    cr_expect_eq(tmpdir_entries(), 0, "private folder left in %s", tmpdir);
    rmdir(tmpdir);
}

Test(soffice, turned_off_says_what_to_install)
{
    clasconv_grid *grid;
    clasconv_diag diag;
    clasconv_format format;
    setenv("CLASCONV_SOFFICE", "0", 1);
    clasconv_error err =
        read_any(SOFFICE("form-saint-fons.doc"), &grid, &diag, &format);
    cr_expect_eq(err, CLASCONV_ERR_FORMAT);
    cr_expect_not_null(strstr(diag.message, "Word 97-2003 (.doc)"), "%s",
                       diag.message);
    cr_expect_not_null(strstr(diag.message, "libreoffice-writer-nogui"), "%s",
                       diag.message);
    cr_expect_not_null(strstr(diag.message, "(.docx)"), "%s", diag.message);
    clasconv_grid_free(grid);
    unsetenv("CLASCONV_SOFFICE");
}

Test(soffice, program_that_writes_nothing)
{
    clasconv_grid *grid;
    clasconv_diag diag;
    clasconv_format format;
    private_tmpdir();
    setenv("CLASCONV_SOFFICE", "/bin/false", 1);
    clasconv_error err =
        read_any(SOFFICE("form-saint-fons.rtf"), &grid, &diag, &format);
    cr_expect_eq(err, CLASCONV_ERR_FORMAT);
    cr_expect_not_null(strstr(diag.message, "LibreOffice a échoué"), "%s",
                       diag.message);
    clasconv_grid_free(grid);
    cr_expect_eq(tmpdir_entries(), 0);
    rmdir(tmpdir);
    unsetenv("CLASCONV_SOFFICE");
}

Test(soffice, timeout_kills_the_group_and_cleans_up)
{
    clasconv_grid *grid;
    clasconv_diag diag;
    clasconv_format format;
    char script[300];
    time_t t0;
    private_tmpdir();
    snprintf(script, sizeof script, "%s.sh", tmpdir);
    write_script(script, "#!/bin/sh\nsleep 30 &\nsleep 30\n");
    setenv("CLASCONV_SOFFICE", script, 1);
    setenv("CLASCONV_SOFFICE_TIMEOUT", "1", 1);
    t0 = time(NULL);
    clasconv_error err =
        read_any(SOFFICE("form-saint-fons.doc"), &grid, &diag, &format);
    cr_expect_leq(time(NULL) - t0, 5);
    cr_expect_eq(err, CLASCONV_ERR_FORMAT);
    cr_expect_not_null(strstr(diag.message, "en 1 secondes"), "%s",
                       diag.message);
    clasconv_grid_free(grid);
    cr_expect_eq(tmpdir_entries(), 0);
    rmdir(tmpdir);
    unlink(script);
    unsetenv("CLASCONV_SOFFICE");
    unsetenv("CLASCONV_SOFFICE_TIMEOUT");
}
