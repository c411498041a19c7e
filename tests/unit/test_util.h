/* test_util.h: helpers shared by the unit tests (header-only). */
#ifndef CLASCONV_TEST_UTIL_H
#define CLASCONV_TEST_UTIL_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "clasconv/read.h"

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

#endif
