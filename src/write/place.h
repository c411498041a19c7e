/* place.h: the output cell each anomaly concerns (a school's row and
 * column, a level's TOTAL cell, or the file as a whole), shared by the HTML
 * report, the workbook and the template so that they agree. */
#ifndef CLASCONV_WRITE_PLACE_H
#define CLASCONV_WRITE_PLACE_H

#include <stddef.h>
#include <stdint.h>

#include "clasconv/table.h"

/** No school row. */
#define CLASCONV_PLACE_NONE SIZE_MAX

/** Where one anomaly is shown. */
typedef struct clasconv_place {
    size_t school; /* index in table->schools, or CLASCONV_PLACE_NONE */
    int scheme;    /* its scheme column, or -1 for the school's name cell */
    int total;     /* the level whose TOTAL cell it concerns, or -1 */
} clasconv_place;

/**
 * Fills `out[i]` (caller-allocated, table->anomalies.count entries) for
 * every anomaly: the school of that name on the anomaly's source row, else
 * the first school of that name (same level), else the first school on that
 * row; a TOTAL_MISMATCH (or any level and scheme with no school) goes to the
 * level's TOTAL cell; file and column anomalies go nowhere. Lookups take log
 * time whatever the number of schools. Returns MEMORY on failure.
 */
clasconv_error clasconv_place_anomalies(const clasconv_table *table,
                                        clasconv_place *out);

/** One anomaly on a school's cell (scheme -1: its name cell). */
typedef struct clasconv_cell_mark {
    size_t school;
    int scheme;
    size_t anomaly;
} clasconv_cell_mark;

/**
 * The anomalies of `places` that are on a school's cell, in a malloc'd
 * array `*marks` (`*count` entries; the caller frees it) sorted by school,
 * then column (the name first), then list order, so that a writer going
 * through the rows in order finds each cell's anomalies in one pass.
 * Returns MEMORY on failure.
 */
clasconv_error clasconv_place_marks(const clasconv_table *table,
                                    const clasconv_place *places,
                                    clasconv_cell_mark **marks, size_t *count);

/**
 * For the marks [first, end) of one cell: returns their worst severity and
 * writes their messages in `text`, one a line (« erreur : … »), cut on a
 * line boundary to fit `size`.
 */
clasconv_severity clasconv_place_message(const clasconv_table *table,
                                         const clasconv_cell_mark *marks,
                                         size_t first, size_t end, char *text,
                                         size_t size);

#endif
