/* grow.h: the one array-growth helper (private to the library). */
#ifndef CLASCONV_CORE_GROW_H
#define CLASCONV_CORE_GROW_H

#include <stddef.h>

#include "clasconv/error.h"

/**
 * Makes room for `need` elements of `elem` bytes in the array `*p` of
 * `*cap` elements: when `need > *cap` it grows by half (16 at first, at
 * least `need`, at most `max` elements) and updates `*p` and `*cap`.
 * Returns OK, TOO_LARGE when `need > max` (or the bytes would overflow), or
 * MEMORY; on failure `*p` and `*cap` are unchanged (still to be freed).
 * Usage: `if ((err = clasconv_grow((void **)&v, &cap, n + 1, sizeof *v,
 * MAX)) != CLASCONV_OK) return err; v[n++] = x;`
 */
clasconv_error clasconv_grow(void **p, size_t *cap, size_t need, size_t elem,
                             size_t max);

#endif
