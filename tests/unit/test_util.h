/* test_util.h: helpers shared by the unit tests (header-only). */
#ifndef CLASCONV_TEST_UTIL_H
#define CLASCONV_TEST_UTIL_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

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

#endif
