/* grid.h: the cells every reader fills and every later stage reads.
 *
 * A grid holds sheets (a spreadsheet's worksheets, a CSV file's one table,
 * or a Word document's tables). A sheet holds sparse cells, each text or
 * number, with the position it came from so that every value can be traced
 * back to the file: `Feuil1!C7`, `ligne 12, champ 4`, or
 * `tableau 3, ligne 5, colonne 4`.
 *
 * Readers call clasconv_sheet_put_*() in any order, then
 * clasconv_grid_finish(); after that the grid is read-only and cells can be
 * looked up by row and column or walked row by row.
 */
#ifndef CLASCONV_GRID_H
#define CLASCONV_GRID_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Hard limits: a grid that would exceed them fails with TOO_LARGE. */
#define CLASCONV_GRID_MAX_SHEETS 512
#define CLASCONV_GRID_MAX_ROWS 1048576u
#define CLASCONV_GRID_MAX_COLS 16384u
#define CLASCONV_GRID_MAX_CELLS 4000000u
#define CLASCONV_GRID_MAX_TEXT ((size_t)256 << 20) /* bytes in all cells */
#define CLASCONV_GRID_MAX_CELL_TEXT 32767u         /* bytes in one cell */
#define CLASCONV_GRID_MAX_MERGES 100000u

/** How a sheet's cells are referred to in messages. */
typedef enum clasconv_ref_kind {
    CLASCONV_REF_SHEET, /* `Name!C7` (row and column, 1-based letters) */
    CLASCONV_REF_CSV,   /* `ligne L, champ F` (physical line, field) */
    CLASCONV_REF_WORD   /* `NAME, ligne L, colonne C`: NAME is the sheet's,
                           `tableau T` or `tableau T.K` (nested) */
} clasconv_ref_kind;

typedef enum clasconv_cell_type {
    CLASCONV_CELL_TEXT = 1,
    CLASCONV_CELL_NUMBER = 2
} clasconv_cell_type;

/* Cell flags. */
#define CLASCONV_CELL_FORMULA 0x1u /* value is a formula's cached result */
#define CLASCONV_CELL_BOOLEAN 0x2u /* a boolean stored as 0/1 */
#define CLASCONV_CELL_ERROR 0x4u   /* an error value (#DIV/0!, ...) as text */
#define CLASCONV_CELL_DATE 0x8u    /* a date (kept as text or serial) */

/** One non-empty cell. Rows and columns are 0-based. Packed in 24 bytes:
 * a 100,000-row file holds over a million of them. */
typedef struct clasconv_cell {
    uint32_t row;
    uint16_t col;   /* < CLASCONV_GRID_MAX_COLS */
    uint16_t field; /* CSV: field (1-based); Word: grid column + 1; else 0 */
    uint32_t line;  /* CSV: physical line (1-based); Word: table row + 1 */
    uint8_t type;   /* clasconv_cell_type */
    uint8_t flags;  /* CLASCONV_CELL_* */
    union {
        const char *text; /* UTF-8, NUL-terminated, owned by the grid */
        double number;
    } v;
} clasconv_cell;

/** A rectangle of merged cells (inclusive bounds, 0-based). */
typedef struct clasconv_merge {
    uint32_t first_row, first_col, last_row, last_col;
} clasconv_merge;

/** One non-empty row of a finished sheet. */
typedef struct clasconv_row {
    uint32_t row;               /* 0-based row index in the sheet */
    uint32_t ncells;            /* cells in this row, sorted by column */
    const clasconv_cell *cells; /* borrowed from the sheet */
} clasconv_row;

typedef struct clasconv_sheet clasconv_sheet;
typedef struct clasconv_grid clasconv_grid;

/** Creates an empty grid; NULL when out of memory. */
clasconv_grid *clasconv_grid_new(void);
/** Frees a grid and everything in it. NULL does nothing. */
void clasconv_grid_free(clasconv_grid *grid);

/**
 * Adds a sheet named `name` (UTF-8, copied). For CLASCONV_REF_WORD,
 * `table_no` is the 1-based number of the Word table (of the top-level
 * table holding it, for a nested one); else 0.
 * Returns NULL when out of memory or too many sheets (see `err`).
 */
clasconv_sheet *clasconv_grid_add_sheet(clasconv_grid *grid, const char *name,
                                        clasconv_ref_kind kind,
                                        uint32_t table_no, clasconv_error *err);

/**
 * Puts a text cell (bytes copied; must be valid UTF-8, else FORMAT).
 * An empty or all-blank text is ignored (the cell stays empty).
 * `line`/`field` give the source position for CSV and Word sheets (0 for
 * spreadsheets, where the reference is derived from row and column).
 * A later put on the same row and column replaces the earlier one.
 */
clasconv_error clasconv_sheet_put_text(clasconv_sheet *sheet, uint32_t row,
                                       uint32_t col, const char *text,
                                       size_t len, uint32_t line,
                                       uint32_t field, unsigned flags);

/** Puts a number cell (NaN and infinities are refused with FORMAT). */
clasconv_error clasconv_sheet_put_number(clasconv_sheet *sheet, uint32_t row,
                                         uint32_t col, double value,
                                         unsigned flags);

/** Records a merged range (the value sits in its top-left cell). */
clasconv_error clasconv_sheet_add_merge(clasconv_sheet *sheet,
                                        clasconv_merge merge);

/** Records a key/value fact about the source (e.g. "Territoire de"). */
clasconv_error clasconv_grid_set_meta(clasconv_grid *grid, const char *key,
                                      const char *value);
/** Marks the input as decoded from an assumed encoding (name copied). */
clasconv_error clasconv_grid_set_encoding(clasconv_grid *grid,
                                          const char *encoding, int assumed);

/**
 * Records what a reader noticed and read past (the pipeline turns each
 * note into an info anomaly): `code` a clasconv_anomaly_code, `cell` the
 * source reference (may be NULL), `message` French. Strings are copied; at
 * most 16 notes are kept (TOO_LARGE after).
 */
clasconv_error clasconv_grid_add_note(clasconv_grid *grid, int code,
                                      const char *cell, const char *message);

/** Sorts and indexes every sheet; call once after reading. */
clasconv_error clasconv_grid_finish(clasconv_grid *grid);

/* --- Reading a finished grid ------------------------------------------ */

size_t clasconv_grid_sheet_count(const clasconv_grid *grid);
const clasconv_sheet *clasconv_grid_sheet(const clasconv_grid *grid,
                                          size_t index);
size_t clasconv_grid_meta_count(const clasconv_grid *grid);
/** Borrowed key and value of meta entry `index`. */
void clasconv_grid_meta(const clasconv_grid *grid, size_t index,
                        const char **key, const char **value);
size_t clasconv_grid_note_count(const clasconv_grid *grid);
/** Borrowed fields of note `index` (`cell` may be NULL). */
void clasconv_grid_note(const clasconv_grid *grid, size_t index, int *code,
                        const char **cell, const char **message);
/** Borrowed encoding name (NULL if the reader set none). */
const char *clasconv_grid_encoding(const clasconv_grid *grid, int *assumed);

const char *clasconv_sheet_name(const clasconv_sheet *sheet);
clasconv_ref_kind clasconv_sheet_ref_kind(const clasconv_sheet *sheet);
uint32_t clasconv_sheet_table_no(const clasconv_sheet *sheet);
/** Number of non-empty rows. */
size_t clasconv_sheet_row_count(const clasconv_sheet *sheet);
/** The `index`-th non-empty row (rows ascending). */
clasconv_row clasconv_sheet_row(const clasconv_sheet *sheet, size_t index);
/** Index of the first non-empty row whose number is >= `row`. */
size_t clasconv_sheet_row_lower_bound(const clasconv_sheet *sheet,
                                      uint32_t row);
/** The cell at (row, col), or NULL when empty. */
const clasconv_cell *clasconv_sheet_get(const clasconv_sheet *sheet,
                                        uint32_t row, uint32_t col);
/** One past the largest column index used (0 when empty). */
uint32_t clasconv_sheet_col_count(const clasconv_sheet *sheet);
size_t clasconv_sheet_merge_count(const clasconv_sheet *sheet);
const clasconv_merge *clasconv_sheet_merge(const clasconv_sheet *sheet,
                                           size_t index);
/** The merged range covering (row, col), or NULL. */
const clasconv_merge *clasconv_sheet_merge_at(const clasconv_sheet *sheet,
                                              uint32_t row, uint32_t col);

/**
 * Writes the source reference of (row, col) in `buf`: `Feuil1!C7`,
 * `ligne 12, champ 4` or `tableau 3, ligne 5, colonne 4`. For CSV and Word
 * the line comes from the row's cells when (row, col) itself is empty.
 */
void clasconv_sheet_ref(const clasconv_sheet *sheet, uint32_t row, uint32_t col,
                        char *buf, size_t size);

/** Writes a column's letters (0 -> "A", 26 -> "AA"). */
void clasconv_col_letters(uint32_t col, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
