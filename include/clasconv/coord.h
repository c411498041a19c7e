/* coord.h: outputs for coordinators: the fillable template workbook and the
 * self-contained HTML check report.
 */
#ifndef CLASCONV_COORD_H
#define CLASCONV_COORD_H

#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "table.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Default number of empty school rows per level in the template. */
#define CLASCONV_TEMPLATE_ROWS_DEFAULT 30
/** Largest number of school rows per level (--lignes and pre-filling). */
#define CLASCONV_TEMPLATE_ROWS_MAX 2000

/** Options of the template; zero-initialize, then set what is wanted. */
typedef struct clasconv_template_options {
    /* Commune written after "Territoire de :" (UTF-8); NULL or "" leaves
     * the field empty (or takes the pre-fill table's commune). */
    const char *commune;
    /* School rows per level; 0 means CLASCONV_TEMPLATE_ROWS_DEFAULT. A
     * level pre-filled with more schools gets as many rows as it needs. */
    size_t rows_per_level;
} clasconv_template_options;

/**
 * Writes the form's section 3 as a fillable workbook to `path`: title,
 * "Territoire de" field, the two-row header of the form, the three level
 * sections (NIVEAU row, sub-header, school rows, TOTAL row as SUM formulas),
 * a grand total; data validation on every count cell (whole number >= 0)
 * and every "dont QPV" cell (<= its count); the sheet protected without a
 * password with the data cells unlocked; A4 landscape, fit to width, header
 * repeated on each page.
 *
 * `prefill` (may be NULL) gives the schools and counts to write in the
 * school rows (blanks stay blank) and the commune when `options` names
 * none. The file is written to a temporary name in the same folder,
 * verified and renamed: on failure nothing is left and an existing `path`
 * is untouched. Returns USAGE (bad options), MEMORY, TOO_LARGE or WRITE with
 * a French message in `diag`. Same inputs give the same bytes.
 */
clasconv_error clasconv_write_template(const clasconv_template_options *options,
                                       const clasconv_table *prefill,
                                       const char *path, clasconv_diag *diag);

/**
 * Appends to `out` a self-contained HTML page (inline CSS, no script, no
 * external resource) that shows the table as read, level by level, with
 * each problem cell coloured by severity and its message in a `title`
 * tooltip and in the list below, the totals, and a one-line verdict at
 * the top ("3 erreurs à corriger avant l'envoi"). Every text from the
 * table is escaped. Returns MEMORY or TOO_LARGE.
 */
clasconv_error clasconv_render_html(const clasconv_table *table,
                                    clasconv_buf *out);

/** Additions to the HTML report for the page `clasconv serve` shows. */
typedef struct clasconv_html_extra {
    const char *css;    /* appended to the style sheet (trusted text) */
    const char *nav;    /* trusted HTML at the start of the body */
    const char *top;    /* trusted HTML after the header (verdict first) */
    const char *bottom; /* trusted HTML after the anomaly list */
} clasconv_html_extra;

/**
 * clasconv_render_html() with additions (`extra` may be NULL: then the
 * same bytes as clasconv_render_html()).
 */
clasconv_error clasconv_render_html_page(const clasconv_table *table,
                                         const clasconv_html_extra *extra,
                                         clasconv_buf *out);

/** The report's style sheet (the text inside its <style> element). */
const char *clasconv_html_css(void);

/**
 * Appends `text` escaped for HTML text and quoted attributes, as the report
 * escapes everything read from a file (invalid UTF-8 becomes U+FFFD).
 */
clasconv_error clasconv_html_escape(clasconv_buf *out, const char *text);

/**
 * The verdict line of the HTML report (static French text for the counts
 * of errors and warnings) written into `buf` (NUL-terminated, truncated).
 */
void clasconv_html_verdict(const clasconv_table *table, char *buf, size_t size);

/**
 * Renders the HTML report and writes it to `path` atomically (temporary
 * file in the same folder, then rename). Returns MEMORY, TOO_LARGE or WRITE
 * with a French message in `diag`.
 */
clasconv_error clasconv_write_html(const clasconv_table *table,
                                   const char *path, clasconv_diag *diag);

#ifdef __cplusplus
}
#endif

#endif
