/* reconcile.h: the cross-cell checks of reconcile.c that the row reader
 * calls while it reads a row (private to the table stage). */
#ifndef CLASCONV_TABLE_RECONCILE_H
#define CLASCONV_TABLE_RECONCILE_H

#include "clasconv/table.h"

/** What the source sheet says about a school's PRE or CLAS cells, beyond
 * the counts kept (a cell can hold text that was not retained). */
typedef struct reconcile_qpv_source {
    const char *cell; /* the "dont QPV" cell; the count cell when the
                         table has no "dont QPV" column */
    int count_filled; /* the count cell holds something, kept or not */
    int qpv_mapped;   /* the table has a "dont QPV" column */
    int qpv_filled;   /* the "dont QPV" cell holds something */
} reconcile_qpv_source;

/**
 * The "dont QPV" checks of one school for `scheme` (PRE or CLAS): a QPV
 * sub-count above its total (QPV_EXCEEDS_TOTAL), without a total
 * (QPV_WITHOUT_TOTAL), or missing beside a positive total (QPV_MISSING).
 * Called per row by the row reader, so that the anomalies keep the source
 * order; returns MEMORY when an anomaly cannot be added.
 */
clasconv_error reconcile_check_qpv(clasconv_anomalies *list,
                                   const clasconv_school *school,
                                   clasconv_scheme scheme,
                                   const reconcile_qpv_source *src);

/**
 * LEVEL_CONFLICT when the level the sheet gives a school (`sheet_level`:
 * its "Niveau" cell or its NIVEAU section; NONE when the sheet says
 * nothing) and the level its name implies (`name_level`) disagree; the
 * sheet's level is kept. Called per row by the row reader.
 */
clasconv_error reconcile_check_level(clasconv_anomalies *list,
                                     const clasconv_school *school,
                                     clasconv_level sheet_level,
                                     clasconv_level name_level);

#endif
