/* merges.c: merged cells as the locator reads them (SPEC section 1): a
 * merged name, level or section cell holds its value for every cell it
 * covers. Merges are indexed per column of the table, sorted by row, so a
 * lookup costs a binary search even on a sheet with many merges. */
#include <stdlib.h>

#include "table/locate_internal.h"

static int by_first_row(const void *a, const void *b)
{
    const clasconv_merge *x = *(const clasconv_merge *const *)a;
    const clasconv_merge *y = *(const clasconv_merge *const *)b;

    return (x->first_row > y->first_row) - (x->first_row < y->first_row);
}

/* The column's merges, or NULL when it has none indexed. */
static const merge_column *column_of(const merge_index *index, uint32_t col)
{
    size_t i;

    for (i = 0; i < index->ncols; i++)
        if (index->cols[i].col == col)
            return &index->cols[i];
    return NULL;
}

clasconv_error locate_merges_build(merge_index *index,
                                   const clasconv_sheet *sheet,
                                   const uint32_t *cols, size_t ncols)
{
    size_t nmerges = clasconv_sheet_merge_count(sheet), i, k;

    index->cols = NULL;
    index->ncols = 0;
    if (!nmerges)
        return CLASCONV_OK;
    index->cols = calloc(ncols + 1, sizeof *index->cols);
    if (!index->cols)
        return CLASCONV_ERR_MEMORY;
    for (k = 0; k < ncols; k++) {
        merge_column *mc;
        if (cols[k] == NO_COL || column_of(index, cols[k]))
            continue;
        mc = &index->cols[index->ncols++];
        mc->col = cols[k];
        for (i = 0; i < nmerges; i++) {
            const clasconv_merge *m = clasconv_sheet_merge(sheet, i);
            if (m->first_col <= cols[k] && cols[k] <= m->last_col)
                mc->n++;
        }
        if (!mc->n)
            continue;
        mc->merges = malloc(mc->n * sizeof *mc->merges);
        if (!mc->merges)
            return CLASCONV_ERR_MEMORY;
        mc->n = 0;
        for (i = 0; i < nmerges; i++) {
            const clasconv_merge *m = clasconv_sheet_merge(sheet, i);
            if (m->first_col <= cols[k] && cols[k] <= m->last_col)
                mc->merges[mc->n++] = m;
        }
        qsort(mc->merges, mc->n, sizeof *mc->merges, by_first_row);
    }
    return CLASCONV_OK;
}

void locate_merges_free(merge_index *index)
{
    size_t i;

    for (i = 0; i < index->ncols; i++)
        free(index->cols[i].merges);
    free(index->cols);
    index->cols = NULL;
    index->ncols = 0;
}

const clasconv_merge *locate_merge_at(const merge_index *index, uint32_t row,
                                      uint32_t col)
{
    const merge_column *mc = column_of(index, col);
    size_t lo = 0, hi;

    if (!mc || !mc->n)
        return NULL;
    hi = mc->n;
    /* the last merge starting at or above `row` (merges do not overlap) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (mc->merges[mid]->first_row <= row)
            lo = mid;
        else
            hi = mid;
    }
    if (mc->merges[lo]->first_row <= row && row <= mc->merges[lo]->last_row)
        return mc->merges[lo];
    return NULL;
}

const clasconv_cell *locate_cell_merged(const locator *loc, uint32_t row,
                                        uint32_t col)
{
    const clasconv_cell *cell;
    const clasconv_merge *m;

    if (col == NO_COL)
        return NULL;
    cell = clasconv_sheet_get(loc->sheet, row, col);
    if (cell)
        return cell;
    m = locate_merge_at(&loc->merges, row, col);
    return m ? clasconv_sheet_get(loc->sheet, m->first_row, m->first_col)
             : NULL;
}
