/* xlsx_util.h: what every xlsx writer shares: atomic temp file, verification,
 * safe strings for libxlsxwriter, common formats and page setup.
 *
 * Usage:
 *     clasconv_xlsx x;
 *     if (clasconv_xlsx_open(&x, path, "Titre", diag) != CLASCONV_OK)
 *         return CLASCONV_ERR_WRITE;
 *     lxw_worksheet *ws = clasconv_xlsx_add_sheet(&x, "Feuille");
 *     clasconv_xlsx_string(&x, ws, 0, 0, text, x.header);
 *     ...
 *     return clasconv_xlsx_commit(&x, diag); // or clasconv_xlsx_abort(&x)
 *
 * Every write call records the first libxlsxwriter error in the handle
 * ("sticky" error): later calls do nothing and clasconv_xlsx_commit() then
 * fails, removes the temporary file and leaves the target untouched.
 */
#ifndef CLASCONV_WRITE_XLSX_UTIL_H
#define CLASCONV_WRITE_XLSX_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <xlsxwriter.h>

#include "clasconv/error.h"
#include "core/atomic.h"

/** Longest cell text Excel accepts (UTF-16 units). */
#define CLASCONV_XLSX_MAX_TEXT 32767u
/** Largest number of sheets a writer may add. */
#define CLASCONV_XLSX_MAX_SHEETS 32

/** A workbook being written to a temporary file next to its target. */
typedef struct clasconv_xlsx {
    lxw_workbook *wb;
    clasconv_atomic file; /* target, folder and hidden temporary file */
    lxw_error lerr;       /* first libxlsxwriter error, LXW_NO_ERROR if none */
    const char *what;     /* what failed (for the message), static */
    int too_many_rows;    /* a row beyond Excel's last row was asked */
    const char *scratch;  /* libxlsxwriter's temporary files' folder */
    unsigned nsheets;
    lxw_doc_properties props;

    /* Formats, created by clasconv_xlsx_open(). */
    lxw_format *header;     /* bold, wrapped, bottom border, grey fill */
    lxw_format *text;       /* plain text, top-aligned */
    lxw_format *wrap;       /* wrapped text, top-aligned */
    lxw_format *count;      /* whole number ("0") */
    lxw_format *bold;       /* bold text */
    lxw_format *bold_count; /* bold whole number */
    lxw_format *header_num; /* header over numbers: as header, centred */
    lxw_format *bold_wrap;  /* bold, wrapped, top-aligned (field names) */
    lxw_format *link;       /* internal hyperlink */
    /* Fills of the three severities (index = clasconv_severity): a text
     * cell and a count cell with an anomaly. */
    lxw_format *sev_text[3];
    lxw_format *sev_count[3];

    /* Printed in the page header of every sheet (the commune); set with
     * clasconv_xlsx_set_print_title() before clasconv_xlsx_page_setup(). */
    char print_header[256];
} clasconv_xlsx;

/** Fills of the severities (index = clasconv_severity), as in the HTML
 * report: red, amber, blue. */
extern const lxw_color_t clasconv_xlsx_severity_fill[3];

/** Point size of the body font (libxlsxwriter's default, Calibri 11). */
#define CLASCONV_XLSX_FONT_PT 11.0
/** Height in points of one line of body text. */
#define CLASCONV_XLSX_LINE_PT 15.0

/** One column of a sheet: its header label, whether it holds numbers
 * (header centred over them), and its width in characters (widened to fit
 * the longest word of the label at the header font). */
typedef struct clasconv_xlsx_column {
    const char *label;
    int numeric;
    double width;
} clasconv_xlsx_column;

/**
 * Creates the hidden temporary file next to `path` and a workbook writing
 * to it (libxlsxwriter's own temporary files go in /dev/shm when it is a
 * writable memory file system with room, else next to `path`). Fails
 * with WRITE and a French message when the folder is missing, not
 * writable, when `path` is a folder, etc. `title` (static or kept alive
 * until commit) goes to the document properties; the creation date is fixed
 * so that the same content gives the same bytes.
 */
clasconv_error clasconv_xlsx_open(clasconv_xlsx *x, const char *path,
                                  const char *title, clasconv_diag *diag);

/**
 * Same as clasconv_xlsx_open(), in libxlsxwriter's constant-memory mode
 * when `constant_memory` is not 0: each row is flushed to a temporary file
 * (next to the target) as soon as a later row is written, and strings are
 * stored inline. Rows of a sheet must then be written in increasing order,
 * and worksheet_set_row() called before a row's cells; a write to an
 * earlier row fails (sticky error). Use it for sheets whose size follows
 * the input (up to a million anomalies).
 */
clasconv_error clasconv_xlsx_open_opt(clasconv_xlsx *x, const char *path,
                                      const char *title, int constant_memory,
                                      clasconv_diag *diag);

/** Adds a worksheet (name must be a valid, static sheet name). */
lxw_worksheet *clasconv_xlsx_add_sheet(clasconv_xlsx *x, const char *name);

/** Records `err` as the first error if there is none yet; returns 1 if OK. */
int clasconv_xlsx_check(clasconv_xlsx *x, lxw_error err, const char *what);

/** Writes text (sanitized: see clasconv_xlsx_sanitize); NULL writes nothing. */
void clasconv_xlsx_string(clasconv_xlsx *x, lxw_worksheet *ws, size_t row,
                          unsigned col, const char *text, lxw_format *fmt);
/** Writes a number; NaN and infinities are refused (sticky error). */
void clasconv_xlsx_number(clasconv_xlsx *x, lxw_worksheet *ws, size_t row,
                          unsigned col, double value, lxw_format *fmt);
/** Writes a formula with its cached result (must be finite). */
void clasconv_xlsx_formula(clasconv_xlsx *x, lxw_worksheet *ws, size_t row,
                           unsigned col, const char *formula, lxw_format *fmt,
                           double value);
/** Writes a row of header labels from column 0, in the header format. */
void clasconv_xlsx_header_row(clasconv_xlsx *x, lxw_worksheet *ws,
                              const char *const *labels, unsigned count);
/** Sets columns first..last to `width` characters (ranges set on one
 * sheet must not overlap: Excel repairs such files). */
void clasconv_xlsx_width(clasconv_xlsx *x, lxw_worksheet *ws, unsigned first,
                         unsigned last, double width);
/**
 * Page setup shared by our sheets: header row frozen and repeated on every
 * printed page, landscape A4, narrow margins, fit to one page wide (as many
 * pages tall as needed), the print title (left) and the sheet name (right)
 * in the page header, « Page N / M » in the footer.
 */
void clasconv_xlsx_page_setup(clasconv_xlsx *x, lxw_worksheet *ws);

/** Prints rows 0..last_row and columns 0..last_col only (text running
 * over from the last column does not widen the page). */
void clasconv_xlsx_print_area(clasconv_xlsx *x, lxw_worksheet *ws,
                              size_t last_row, unsigned last_col);

/** The page header (print title left, sheet name right) and footer
 * (« Page N / M ») alone, for a sheet with its own page setup. */
void clasconv_xlsx_print_header(clasconv_xlsx *x, lxw_worksheet *ws);

/** Sets the text printed at the top left of every page (the commune):
 * `&` escaped, cut to fit Excel's 255-character header. NULL clears. */
void clasconv_xlsx_set_print_title(clasconv_xlsx *x, const char *title);

/**
 * Lays out row 0 of a sheet from its columns: each width widened so that the
 * longest word of its label fits on one line at the header font (headers
 * wrap between words only), the header row tall enough for the wrapped
 * labels, labels left-aligned over text and centred over numbers. Call it
 * before writing row 1 (constant-memory mode writes rows in order).
 */
void clasconv_xlsx_columns(clasconv_xlsx *x, lxw_worksheet *ws,
                           const clasconv_xlsx_column *cols, unsigned count);

/** The width clasconv_xlsx_columns() gives a column. */
double clasconv_xlsx_column_width(const clasconv_xlsx_column *col);

/** Width in characters that shows `word` (UTF-8, the longest word of a
 * label) on one line in bold at the body size, padding included. */
double clasconv_xlsx_word_width(const char *word, size_t bytes);

/** Height in points of a row whose cell of `width` characters wraps
 * `text` between words (libxlsxwriter does not autofit). */
double clasconv_xlsx_text_height(const char *text, double width);

/**
 * Closes the workbook, verifies the finished file (every zip entry
 * inflates with a good CRC, every XML part is well-formed, the
 * `nsheets` sheet parts are there) and commits it through
 * clasconv_atomic_commit() (synced when writes are durable). On any failure the
 * temporary file is removed, the target is untouched and WRITE is returned with
 * a French message. The handle is released either way.
 */
clasconv_error clasconv_xlsx_commit(clasconv_xlsx *x, clasconv_diag *diag);

/** Gives up: closes the workbook and removes the temporary file. */
void clasconv_xlsx_abort(clasconv_xlsx *x);

/**
 * Returns a malloc'd copy of `text` that libxlsxwriter and Excel keep
 * exactly: invalid UTF-8 bytes and U+FFFE/U+FFFF become U+FFFD, a literal
 * `_xHHHH_` gets its `_` escaped as `_x005F_` (Excel would decode it),
 * and the result is cut on a character boundary so that it holds at most
 * `max_units` UTF-16 units (escapes counted at their written length).
 * NULL when out of memory.
 */
char *clasconv_xlsx_sanitize(const char *text, size_t max_units);

/**
 * Verifies a finished xlsx file as clasconv_xlsx_commit() does. Returns 0
 * when good; otherwise -1 and a static English reason in `*why`.
 */
int clasconv_xlsx_verify(const char *path, unsigned nsheets, const char **why);

#endif
