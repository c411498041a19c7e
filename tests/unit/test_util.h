/* test_util.h: helpers shared by the unit tests (header-only). */
#ifndef CLASCONV_TEST_UTIL_H
#define CLASCONV_TEST_UTIL_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clasconv/read.h"

/* Skips the test when ../shared/samples (CLASCONV_SAMPLES) is absent: the
 * shared samples live outside the repository, so a bare clone has none. */
static inline void test_need_samples(void)
{
    if (access(CLASCONV_SAMPLES, R_OK | X_OK) != 0)
        cr_skip_test("../shared/samples absent (bare clone): sample test "
                     "skipped");
}

/* Reads a whole file into a new buffer (NUL-terminated); fails the test
 * when it cannot. The caller frees. */
static inline unsigned char *test_load(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data;
    long n;

    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    cr_assert_geq(n, 0);
    data = malloc((size_t)n + 1);
    cr_assert_not_null(data);
    cr_assert_eq(fread(data, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    data[n] = '\0';
    *size = (size_t)n;
    return data;
}

/* Reads `path` with `reader` into a new grid; fails the test on error. */
static inline clasconv_grid *
test_read_with(clasconv_error (*reader)(const clasconv_input *, clasconv_grid *,
                                        clasconv_diag *),
               const char *path)
{
    size_t size;
    unsigned char *data = test_load(path, &size);
    clasconv_input in = {path, data, size};
    clasconv_grid *grid = clasconv_grid_new();
    clasconv_diag diag;
    clasconv_error err;

    diag.message[0] = '\0';
    err = reader(&in, grid, &diag);
    free(data);
    cr_assert_eq(err, CLASCONV_OK, "%s: %s", path, diag.message);
    return grid;
}

static inline void expect_text(const clasconv_sheet *sheet, uint32_t row,
                               uint32_t col, const char *text, unsigned flags)
{
    const clasconv_cell *cell = clasconv_sheet_get(sheet, row, col);

    cr_assert_not_null(cell, "no cell at %u,%u", row, col);
    cr_assert_eq(cell->type, CLASCONV_CELL_TEXT, "not text at %u,%u", row, col);
    cr_expect_str_eq(cell->v.text, text);
    cr_expect_eq(cell->flags, flags, "flags %u at %u,%u", cell->flags, row,
                 col);
}

static inline void expect_number(const clasconv_sheet *sheet, uint32_t row,
                                 uint32_t col, double value, unsigned flags)
{
    const clasconv_cell *cell = clasconv_sheet_get(sheet, row, col);

    cr_assert_not_null(cell, "no cell at %u,%u", row, col);
    cr_assert_eq(cell->type, CLASCONV_CELL_NUMBER, "not a number at %u,%u", row,
                 col);
    cr_expect_eq(cell->v.number, value, "%g at %u,%u", cell->v.number, row,
                 col);
    cr_expect_eq(cell->flags, flags, "flags %u at %u,%u", cell->flags, row,
                 col);
}

/* Creates a fresh private folder under /tmp named after `prefix`
 * ("clasconv_wb"); the caller frees the returned path. */
static inline char *test_make_dir(const char *prefix)
{
    size_t n = strlen(prefix) + sizeof "/tmp/_XXXXXX";
    char *dir = malloc(n);

    cr_assert_not_null(dir);
    snprintf(dir, n, "/tmp/%s_XXXXXX", prefix);
    cr_assert_not_null(mkdtemp(dir));
    return dir;
}

/* "dir/name", malloc'd. */
static inline char *test_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);

    cr_assert_not_null(path);
    snprintf(path, n, "%s/%s", dir, name);
    return path;
}

/* Writes into `text` (at least max_pieces x longest piece + 1 bytes) a
 * random concatenation of up to max_pieces - 1 `pieces`, from a small
 * deterministic generator whose state is `*seed`. Returns the length. */
static inline size_t test_random_text(const char *const *pieces, size_t npieces,
                                      unsigned max_pieces, uint32_t *seed,
                                      char *text)
{
    size_t len = 0;
    unsigned count, k;

    *seed = *seed * 1103515245u + 12345u;
    count = (*seed >> 16) % max_pieces;
    for (k = 0; k < count; k++) {
        const char *piece;
        size_t n;
        *seed = *seed * 1103515245u + 12345u;
        piece = pieces[(*seed >> 16) % npieces];
        n = strlen(piece);
        memcpy(text + len, piece, n);
        len += n;
    }
    text[len] = '\0';
    return len;
}

#endif
