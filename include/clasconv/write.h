/* write.h: outputs of a converted table: workbook, JSON, terminal report. */
#ifndef CLASCONV_WRITE_H
#define CLASCONV_WRITE_H

#include "buf.h"
#include "error.h"
#include "ref.h"
#include "table.h"
/* CLASCONV_VERSION, generated from CMakeLists.txt's project(VERSION). */
#include "clasconv/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Writes the standardized workbook of SPEC section 4 to `path`: into a
 * temporary file in the same folder, verified, then renamed. On failure
 * nothing is left and an existing `path` is untouched (WRITE, with a French
 * message in `diag`). Same table gives the same bytes.
 */
clasconv_error clasconv_write_workbook(const clasconv_table *table,
                                       const char *path, clasconv_diag *diag);

/**
 * Whether finished workbooks are flushed to disk (fsync) before they are
 * renamed to their final name. Default 1. A batch turns it off in its
 * workers and flushes the whole output folder once at the end: one fsync
 * per file made a folder of a thousand files take half a minute.
 */
void clasconv_write_set_durable(int durable);

/**
 * Appends the JSON object of SPEC section 6 (one line, then "\n"). A table
 * whose file could not be read has no rows and its one anomaly.
 */
clasconv_error clasconv_render_json(const clasconv_table *table,
                                    clasconv_buf *out);

/** Appends the French report `check` prints: table, counts, anomalies. */
clasconv_error clasconv_render_report(const clasconv_table *table,
                                      clasconv_buf *out);

/* --- Year over year (src/write/comparison.c) -------------------------- */

/* Each takes `n` comparisons: one per commune, as
 * clasconv_compare_communes() pairs them (two files of one commune give
 * one; a commune present on one side only is compared with an empty
 * table). */

/** Appends the French report `compare` prints. */
clasconv_error clasconv_render_comparison(const clasconv_comparison *cmps,
                                          size_t n, clasconv_buf *out);

/**
 * Appends the comparison as one JSON object (one line, then "\n"): for
 * one comparison its fields; for several {"communes": [...]}.
 */
clasconv_error clasconv_render_comparison_json(const clasconv_comparison *cmps,
                                               size_t n, clasconv_buf *out);

/**
 * Writes the comparison workbook (Évolution: totals per commune, level and
 * scheme, older and newer side by side with the change as formulas
 * carrying their values; Changements: one row per change), atomically as
 * clasconv_write_workbook() does. WRITE with a French message on failure.
 */
clasconv_error clasconv_write_comparison(const clasconv_comparison *cmps,
                                         size_t n, const char *path,
                                         clasconv_diag *diag);

#ifdef __cplusplus
}
#endif

#endif
