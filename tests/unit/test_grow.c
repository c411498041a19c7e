/* test_grow.c: the one array-growth helper (core/grow.c). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/grow.h"

#include "test_util.h"

Test(grow, grows_by_half_and_keeps_contents)
{
    int *v = NULL;
    size_t cap = 0, n;

    for (n = 0; n < 1000; n++) {
        cr_assert_eq(clasconv_grow((void **)&v, &cap, n + 1, sizeof *v, 5000),
                     CLASCONV_OK);
        cr_assert_geq(cap, n + 1);
        v[n] = (int)n;
    }
    for (n = 0; n < 1000; n++)
        cr_assert_eq(v[n], (int)n);
    cr_assert_lt(cap, 1500, "1.5x growth, not 2x: %zu", cap);
    free(v);
}

Test(grow, first_size_and_no_realloc_when_room)
{
    char *v = NULL, *before;
    size_t cap = 0;

    cr_assert_eq(clasconv_grow((void **)&v, &cap, 1, 1, SIZE_MAX), CLASCONV_OK);
    cr_assert_eq(cap, 16);
    before = v;
    cr_assert_eq(clasconv_grow((void **)&v, &cap, 16, 1, SIZE_MAX),
                 CLASCONV_OK);
    cr_assert_eq(v, before);
    cr_assert_eq(clasconv_grow((void **)&v, &cap, 100, 1, SIZE_MAX),
                 CLASCONV_OK);
    cr_assert_eq(cap, 100, "at least what is needed");
    free(v);
}

Test(grow, refuses_past_the_cap_and_overflow)
{
    long *v = NULL;
    size_t cap = 0;

    cr_assert_eq(clasconv_grow((void **)&v, &cap, 10, sizeof *v, 12),
                 CLASCONV_OK);
    cr_assert_eq(cap, 12, "clamped to the cap");
    cr_assert_eq(clasconv_grow((void **)&v, &cap, 13, sizeof *v, 12),
                 CLASCONV_ERR_TOO_LARGE);
    cr_assert_eq(cap, 12, "unchanged on failure");
    cr_assert_eq(
        clasconv_grow((void **)&v, &cap, SIZE_MAX / 4, sizeof *v, SIZE_MAX),
        CLASCONV_ERR_TOO_LARGE, "bytes would overflow");
    free(v);
}

Test(grow, capacity_follows_from_count)
{
    cr_assert_eq(clasconv_grow_capacity(0, 16, 1000), 0);
    cr_assert_eq(clasconv_grow_capacity(1, 16, 1000), 16);
    cr_assert_eq(clasconv_grow_capacity(16, 16, 1000), 16);
    cr_assert_eq(clasconv_grow_capacity(17, 16, 1000), 32);
    cr_assert_eq(clasconv_grow_capacity(513, 16, 1000), 1000, "at most max");
    cr_assert_eq(clasconv_grow_capacity(1000, 16, 1000), 1000);
    cr_assert_eq(clasconv_grow_capacity(1, 256, (size_t)1 << 30), 256);
    cr_assert_eq(clasconv_grow_capacity(SIZE_MAX, 16, SIZE_MAX), SIZE_MAX);
}

Test(grow, grow_count_keeps_no_capacity)
{
    int *v = NULL, *before;
    size_t n;

    for (n = 0; n < 1000; n++) {
        cr_assert_eq(
            clasconv_grow_count((void **)&v, n, n + 1, sizeof *v, 5000),
            CLASCONV_OK);
        v[n] = (int)n;
    }
    for (n = 0; n < 1000; n++)
        cr_assert_eq(v[n], (int)n);
    /* 1000 elements live in 1024: room for 24 more without a realloc */
    before = v;
    cr_assert_eq(clasconv_grow_count((void **)&v, 1000, 1024, sizeof *v, 5000),
                 CLASCONV_OK);
    cr_assert_eq(v, before);
    cr_assert_eq(clasconv_grow_count((void **)&v, 1000, 5001, sizeof *v, 5000),
                 CLASCONV_ERR_TOO_LARGE);
    cr_assert_eq(v, before, "unchanged on failure");
    cr_assert_eq(
        clasconv_grow_count((void **)&v, 1000, 3, SIZE_MAX / 2, SIZE_MAX),
        CLASCONV_ERR_TOO_LARGE, "bytes would overflow");
    free(v);
}

Test(grow, realloc_capped_refuses_past_the_cap)
{
    char *p = clasconv_realloc_capped(NULL, 64, 64), *q;

    cr_assert_not_null(p);
    p[63] = 'x';
    q = clasconv_realloc_capped(p, 65, 64);
    cr_assert_null(q, "past the cap: refused");
    cr_assert_eq(p[63], 'x', "the block is left as it was");
    q = clasconv_realloc_capped(p, 32, 64);
    cr_assert_not_null(q);
    free(q);
}
