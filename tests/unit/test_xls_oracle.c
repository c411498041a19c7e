/* test_xls_oracle.c: the .xls reader against FreeXL, kept as an independent
 * oracle only: every .xls fixture FreeXL opens must give the same cells. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <freexl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clasconv/read.h"
#include "core/text.h"
#include "test_util.h"

/* The cells FreeXL and the reader are known to disagree on, each with its
 * reason: FreeXL's gaps the reader fills. `cell` "*" allows any cell the
 * reader has and FreeXL lacks (FreeXL drops RSTRING records); "refused"
 * a hostile file FreeXL reads only by going out of bounds. */
typedef struct known_gap {
    const char *file;
    const char *cell;
    const char *reason;
} known_gap;

static const known_gap known_gaps[] = {
    {"rstring5.xls", "*", "FreeXL drops RSTRING (rich text)"},
    {"rstring8.xls", "*", "FreeXL drops RSTRING (rich text)"},
    {"rich-text.gnumeric-biff7.xls", "*", "FreeXL drops RSTRING"},
    {"rich-text.gnumeric-biff8.xls", "*", "FreeXL drops RSTRING"},
    {"cp1258.xls", "Feuil1!A1", "FreeXL never flushes CP1258's last letter"},
    {"cp1258.xls", "Feuil1!A2", "FreeXL never flushes CP1258's last letter"},
    {"numbers-dates.xls", "Feuil1!C3",
     "FreeXL takes \"Semaine \"0 for a time (the S and m of the quoted text)"},
    {"dates1904.xls", "Feuil1!A1", "FreeXL gives serial 0 as 1904-01-02"},
    {"bad-fat-cycle.xls", "refused",
     "a FAT chain looping back: FreeXL reads sectors twice"},
    {"bad-label-length.xls", "refused",
     "a LABEL of 59,680 bytes in a 40-byte record: FreeXL reads past its "
     "record buffer"},
};

static int refused_on_purpose(const char *file)
{
    for (size_t i = 0; i < sizeof known_gaps / sizeof known_gaps[0]; i++) {
        if (strcmp(known_gaps[i].file, file) == 0 &&
            strcmp(known_gaps[i].cell, "refused") == 0) {
            return 1;
        }
    }
    return 0;
}

/* One cell as "sheet\tref\tkind:value" (tabs and newlines escaped). */
typedef struct cell_list {
    char **lines;
    size_t n, cap;
} cell_list;

static void list_add(cell_list *l, const char *line)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->lines = realloc(l->lines, l->cap * sizeof *l->lines);
        cr_assert_not_null(l->lines);
    }
    l->lines[l->n] = strdup(line);
    cr_assert_not_null(l->lines[l->n]);
    l->n++;
}

static void list_free(cell_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->lines[i]);
    }
    free(l->lines);
    memset(l, 0, sizeof *l);
}

static int cmp_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* `out` gets "sheet\tA1\t" (the key of a line). */
static void cell_key(char *out, size_t size, const char *sheet, uint32_t row,
                     uint32_t col)
{
    char letters[8];
    clasconv_col_letters(col, letters, sizeof letters);
    snprintf(out, size, "%s!%s%u\t", sheet, letters, (unsigned)row + 1);
}

/* Appends `text` escaped (\t, \n, \r, \\) to `out`. */
static void escape_into(char *out, size_t size, const char *text)
{
    size_t len = strlen(out);
    for (const char *p = text; *p != '\0' && len + 3 < size; p++) {
        char c = *p;
        if (c == '\t' || c == '\n' || c == '\r' || c == '\\') {
            out[len++] = '\\';
            c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
        }
        out[len++] = c;
    }
    out[len] = '\0';
}

/* --- FreeXL's side, in a child process --------------------------------- */

/* Writes every cell FreeXL reads, one line each, to `fd`. Returns 0, or
 * 1 when FreeXL refuses the file. */
static int freexl_dump(const char *path, FILE *out)
{
    const void *handle = NULL;
    if (freexl_open(path, &handle) != FREEXL_OK) {
        return 1;
    }
    unsigned int info = 0;
    if (freexl_get_info(handle, FREEXL_BIFF_PASSWORD, &info) != FREEXL_OK ||
        info != FREEXL_BIFF_PLAIN) {
        return 1;
    }
    unsigned int count = 0;
    if (freexl_get_info(handle, FREEXL_BIFF_SHEET_COUNT, &count) != FREEXL_OK) {
        return 1;
    }
    static char line[70000];
    for (unsigned short i = 0; i < count; i++) {
        const char *name = NULL;
        unsigned int rows = 0;
        unsigned short cols = 0;
        if (freexl_get_worksheet_name(handle, i, &name) != FREEXL_OK ||
            freexl_select_active_worksheet(handle, i) != FREEXL_OK ||
            freexl_worksheet_dimensions(handle, &rows, &cols) != FREEXL_OK) {
            return 1;
        }
        for (unsigned int r = 0; r < rows; r++) {
            for (unsigned short c = 0; c < cols; c++) {
                FreeXL_CellValue v;
                if (freexl_get_cell_value(handle, r, c, &v) != FREEXL_OK) {
                    return 1;
                }
                cell_key(line, sizeof line, name != NULL ? name : "", r, c);
                char value[64];
                switch (v.type) {
                case FREEXL_CELL_INT:
                    snprintf(value, sizeof value, "N:%.17g",
                             (double)v.value.int_value);
                    strcat(line, value);
                    break;
                case FREEXL_CELL_DOUBLE:
                    snprintf(value, sizeof value, "N:%.17g",
                             v.value.double_value);
                    strcat(line, value);
                    break;
                case FREEXL_CELL_TEXT:
                case FREEXL_CELL_SST_TEXT:
                case FREEXL_CELL_DATE:
                case FREEXL_CELL_DATETIME:
                case FREEXL_CELL_TIME:
                    if (v.value.text_value == NULL ||
                        clasconv_text_is_blank(v.value.text_value,
                                               strlen(v.value.text_value))) {
                        continue; /* the grid keeps no blank text */
                    }
                    strcat(line, v.type == FREEXL_CELL_TEXT ||
                                         v.type == FREEXL_CELL_SST_TEXT
                                     ? "T:"
                                     : "D:");
                    escape_into(line, sizeof line, v.value.text_value);
                    break;
                default:
                    continue;
                }
                fprintf(out, "%s\n", line);
            }
        }
    }
    /* No freexl_close(): the child ends with _exit, FreeXL's own leaks
     * (26 valid files) stay out of LeakSanitizer's report. */
    return 0;
}

/* Runs freexl_dump in a child (FreeXL may crash on a file); fills `cells`.
 * Returns 0 when FreeXL read the file. */
static int freexl_cells(const char *path, cell_list *cells)
{
    char tmpl[] = "/tmp/clasconv-oracle-XXXXXX";
    int fd = mkstemp(tmpl);
    cr_assert_geq(fd, 0);
    unlink(tmpl);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        /* FreeXL's own memory errors abort the child under ASan: keep
         * their reports out of the test's log (the file counts as
         * refused). */
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            dup2(devnull, 2);
        }
        FILE *out = fdopen(fd, "w");
        int rc = out == NULL ? 2 : freexl_dump(path, out);
        if (out != NULL) {
            fflush(out);
        }
        _exit(rc);
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (ok) {
        FILE *in = fdopen(dup(fd), "r");
        cr_assert_not_null(in);
        rewind(in);
        static char line[70000];
        while (fgets(line, sizeof line, in) != NULL) {
            line[strcspn(line, "\n")] = '\0';
            list_add(cells, line);
        }
        fclose(in);
    }
    close(fd);
    return ok ? 0 : 1;
}

/* --- The reader's side ------------------------------------------------- */

/* Fills `cells` with what FreeXL can see, `hidden` with the keys of the
 * cells it cannot (formula results, error values). Returns the error. */
static clasconv_error reader_cells(const char *path, cell_list *cells,
                                   cell_list *hidden)
{
    size_t size;
    unsigned char *data = test_load(path, &size);
    clasconv_input in = {NULL, data, size};
    clasconv_grid *grid = clasconv_grid_new();
    clasconv_diag diag;
    diag.message[0] = '\0';
    clasconv_error err = clasconv_read_xls(&in, grid, &diag);
    free(data);
    static char line[70000];
    for (size_t s = 0;
         err == CLASCONV_OK && s < clasconv_grid_sheet_count(grid); s++) {
        const clasconv_sheet *sheet = clasconv_grid_sheet(grid, s);
        for (size_t r = 0; r < clasconv_sheet_row_count(sheet); r++) {
            clasconv_row row = clasconv_sheet_row(sheet, r);
            for (uint32_t c = 0; c < row.ncells; c++) {
                const clasconv_cell *cell = &row.cells[c];
                cell_key(line, sizeof line, clasconv_sheet_name(sheet),
                         cell->row, cell->col);
                if (cell->flags &
                    (CLASCONV_CELL_FORMULA | CLASCONV_CELL_ERROR)) {
                    list_add(hidden, line);
                    continue;
                }
                if (cell->type == CLASCONV_CELL_NUMBER) {
                    char value[64];
                    snprintf(value, sizeof value, "N:%.17g", cell->v.number);
                    strcat(line, value);
                } else {
                    strcat(line,
                           (cell->flags & CLASCONV_CELL_DATE) ? "D:" : "T:");
                    escape_into(line, sizeof line, cell->v.text);
                }
                list_add(cells, line);
            }
        }
    }
    clasconv_grid_free(grid);
    return err;
}

/* --- Comparison -------------------------------------------------------- */

static int key_len(const char *line)
{
    return (int)(strchr(line, '\t') - line);
}

static int in_list(const cell_list *l, const char *line)
{
    int n = key_len(line);
    for (size_t i = 0; i < l->n; i++) {
        if (strncmp(l->lines[i], line, (size_t)n + 1) == 0) {
            return 1;
        }
    }
    return 0;
}

static const char *known(const char *file, const char *line, int extra)
{
    int n = key_len(line);
    for (size_t i = 0; i < sizeof known_gaps / sizeof known_gaps[0]; i++) {
        const known_gap *g = &known_gaps[i];
        if (strcmp(g->file, file) != 0) {
            continue;
        }
        if ((extra && strcmp(g->cell, "*") == 0) ||
            ((int)strlen(g->cell) == n && strncmp(g->cell, line, n) == 0)) {
            return g->reason;
        }
    }
    return NULL;
}

typedef struct tally {
    size_t files, opened, refused, equal, with_gaps, cells, gaps, failures;
    size_t reader_ok; /* files the reader reads, FreeXL or not */
} tally;

/* Compares one file; counts its differences not in known_gaps. */
static void compare_file(const char *dir, const char *name, tally *t)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    cell_list theirs = {0}, ours = {0}, hidden = {0};
    t->files++;
    int freexl_refused = freexl_cells(path, &theirs) != 0;
    cell_list probe = {0}, probe_hidden = {0};
    if (reader_cells(path, &probe, &probe_hidden) == CLASCONV_OK) {
        t->reader_ok++;
        if (freexl_refused) {
            fprintf(stderr,
                    "xls oracle: FreeXL refuses %s, the reader "
                    "reads it (%zu cells)\n",
                    name, probe.n + probe_hidden.n);
        }
    }
    list_free(&probe);
    list_free(&probe_hidden);
    if (freexl_refused) {
        t->refused++;
        list_free(&theirs);
        return;
    }
    t->opened++;
    clasconv_error err = reader_cells(path, &ours, &hidden);
    if (err != CLASCONV_OK && refused_on_purpose(name)) {
        t->with_gaps++;
        goto done;
    }
    if (err != CLASCONV_OK) {
        cr_log_error("%s: FreeXL reads it, the reader refuses it (%d)", path,
                     err);
        t->failures++;
        goto done;
    }
    if (theirs.n > 1) {
        qsort(theirs.lines, theirs.n, sizeof *theirs.lines, cmp_lines);
    }
    if (ours.n > 1) {
        qsort(ours.lines, ours.n, sizeof *ours.lines, cmp_lines);
    }
    size_t gaps = 0;
    for (size_t i = 0; i < theirs.n; i++) {
        const char *line = theirs.lines[i];
        if (in_list(&hidden, line)) {
            continue; /* a formula or an error FreeXL cannot see */
        }
        t->cells++;
        if (ours.n > 0 && bsearch(&line, ours.lines, ours.n, sizeof *ours.lines,
                                  cmp_lines) != NULL) {
            continue;
        }
        const char *why = known(name, line, 0);
        if (why != NULL) {
            gaps++;
            continue;
        }
        cr_log_error("%s: FreeXL %s, the reader %s", path, line,
                     in_list(&ours, line) ? "differs" : "has no such cell");
        t->failures++;
    }
    for (size_t i = 0; i < ours.n; i++) {
        const char *line = ours.lines[i];
        if (in_list(&theirs, line)) {
            continue; /* equal, or reported above */
        }
        const char *why = known(name, line, 1);
        if (why != NULL) {
            gaps++;
            continue;
        }
        cr_log_error("%s: the reader %s, FreeXL has no such cell", path, line);
        t->failures++;
    }
    t->gaps += gaps;
    if (gaps > 0) {
        t->with_gaps++;
    } else {
        t->equal++;
    }
done:
    list_free(&theirs);
    list_free(&ours);
    list_free(&hidden);
}

static int is_xls(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcasecmp(name + n - 4, ".xls") == 0;
}

static void compare_dir(const char *dir, tally *t)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return; /* ../shared/samples may be absent */
    }
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        if (is_xls(e->d_name)) {
            names = realloc(names, (n + 1) * sizeof *names);
            names[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    if (n > 1) {
        qsort(names, n, sizeof *names, cmp_lines);
    }
    for (size_t i = 0; i < n; i++) {
        compare_file(dir, names[i], t);
        free(names[i]);
    }
    free(names);
}

Test(xls_oracle, every_fixture_freexl_opens_gives_the_same_cells)
{
    tally t = {0};
    compare_dir(CLASCONV_FIXTURES "/xls", &t);
    size_t own = t.files;
    compare_dir(CLASCONV_FIXTURES "/xls/writers", &t);
    size_t writers = t.files - own;
    DIR *d = opendir(CLASCONV_SAMPLES);
    size_t samples_before = t.files;
    if (d != NULL) {
        for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
            if (e->d_name[0] != '.') {
                char dir[4096];
                snprintf(dir, sizeof dir, "%s/%s", CLASCONV_SAMPLES, e->d_name);
                compare_dir(dir, &t);
            }
        }
        closedir(d);
    }
    /* The figures, for the record (ctest -V shows them). */
    fprintf(stderr,
            "xls oracle: %zu files (%zu hand-made, %zu by writers, %zu "
            "samples); the reader reads %zu; FreeXL opens %zu, refuses %zu; "
            "%zu equal, %zu with known FreeXL gaps (%zu cells); %zu FreeXL "
            "cells compared; %zu unexplained differences\n",
            t.files, own, writers, t.files - samples_before, t.reader_ok,
            t.opened, t.refused, t.equal, t.with_gaps, t.gaps, t.cells,
            t.failures);
    cr_assert_eq(t.failures, 0, "%zu differences (see the log)", t.failures);
    cr_assert_geq(writers, 50, "fixtures/xls/writers: %zu files", writers);
    cr_assert_gt(t.opened, 40);
    cr_assert_gt(t.cells, 1000);
}
