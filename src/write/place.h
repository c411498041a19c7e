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

#endif
