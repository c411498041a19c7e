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

/**
 * The capacity of an array that keeps no capacity field (the public
 * structs: clasconv_anomalies, clasconv_table, clasconv_comparison, and
 * clasconv_buf's bytes): it follows from the number of elements in use,
 * `count`. 0 for 0, else the power of two >= `count` (at least `min`, a
 * power of two), at most `max`. Only clasconv_grow_count allocates such an
 * array, so its allocation is always at least this.
 */
size_t clasconv_grow_capacity(size_t count, size_t min, size_t max);

/**
 * clasconv_grow for an array whose capacity follows from `count`, the
 * elements in use (clasconv_grow_capacity with a minimum of 16): makes room
 * for `need` elements, reallocating `*p` to clasconv_grow_capacity(need)
 * when that is more than the array holds. Returns OK, TOO_LARGE when
 * `need > max` (or the bytes would overflow), or MEMORY; on failure `*p` is
 * unchanged (still to be freed). An array replaced by hand must be
 * allocated with clasconv_grow_capacity(count, 16, max) elements.
 */
clasconv_error clasconv_grow_count(void **p, size_t count, size_t need,
                                   size_t elem, size_t max);

/**
 * realloc() refused past `max` bytes: NULL (and `ptr` left as it is) when
 * `size > max`. The body of the realloc hook of a library that grows its
 * own buffer (libcsv's csv_set_realloc_func(), in read/csv.c and
 * ref/annuaire.c): such a hook takes no context, so each caller keeps a
 * one-line hook that names its own limit.
 */
void *clasconv_realloc_capped(void *ptr, size_t size, size_t max);

/** The minimum of clasconv_grow_count. */
#define CLASCONV_GROW_MIN 16u

#endif
