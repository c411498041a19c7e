/* locate_internal.h: what the locator's files share (private to
 * src/table): the column map, the locator state, and each job's entry.
 *
 *   header.c   header row and sub-header row (scoring)
 *   columns.c  column mapping, guessed columns, column anomalies
 *   rows.c     section, TOTAL, note and school rows; one school's values
 *   commune.c  the commune's name
 *   merges.c   merged cells read through (name, level, counts)
 *   sheets.c   which sheets are read: level named by a sheet or a title,
 *              copies, SHEET_IGNORED, SHEETS_READ
 *   locate.c   clasconv_locate: the order of the jobs, sorting by level
 */
#ifndef CLASCONV_TABLE_LOCATE_INTERNAL_H
#define CLASCONV_TABLE_LOCATE_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "clasconv/buf.h"
#include "clasconv/table.h"
#include "core/text.h"

#define NO_COL UINT32_MAX
#define UNKNOWN_VALUES_LISTED 20 /* values quoted per unknown column */

/** A header the vocabulary does not know (or an « Observations » column),
 * and what its rows hold. Both keep their values in the school's
 * observations; only the unknown ones raise COLUMN_UNKNOWN. */
typedef struct unknown_col {
    uint32_t col;
    int remarks; /* a VOCAB_OBSERVATIONS column: no anomaly */
    char header[128];
    char ref[96];
    clasconv_buf values; /* "School : « value »" ; ... */
    size_t nvalues;
    size_t ncounts; /* values that read as a count: a scheme, perhaps */
} unknown_col;

/** Where each thing is, by column (NO_COL when absent). */
typedef struct colmap {
    uint32_t scheme_col[CLASCONV_SCHEME_COUNT];
    uint32_t name_col;
    uint32_t level_col;
    uint32_t detail_col;
    uint32_t uai_col;             /* UAI column (src/ref checks letters) */
    uint32_t first_col, last_col; /* extent of mapped columns */
    char autre_detail[128];       /* from an "Autre : Coup de pouce" header */
    unknown_col *unknown;
    size_t nunknown;
} colmap;

/** The merges covering one column, sorted by first row. */
typedef struct merge_column {
    uint32_t col;
    const clasconv_merge **merges;
    size_t n;
} merge_column;

/** Merges of the table's columns (name, level, schemes). */
typedef struct merge_index {
    merge_column *cols;
    size_t ncols;
} merge_index;

/** The locator's state for the one table it reads. */
typedef struct locator {
    const clasconv_sheet *sheet;
    clasconv_table *table;
    colmap map;
    uint32_t header_row;
    uint32_t subheader_row;     /* NO_COL when none */
    clasconv_level sheet_level; /* named by the sheet or a title, or NONE */
    merge_index merges;         /* built by locate_read_rows */
} locator;

/* Text of a cell for matching: numbers are not header words. */
static inline const char *locate_cell_text(const clasconv_cell *cell)
{
    return cell && cell->type == CLASCONV_CELL_TEXT ? cell->v.text : NULL;
}

/* Folds `text` into `out`; 0 (and "") when there is nothing to fold. */
static inline int locate_fold(const char *text, char *out, size_t size)
{
    out[0] = '\0';
    return text && clasconv_text_fold(text, out, size) > 0;
}

/* The cell's text as written, for names and details: its text, or its
 * number in `buf` ("%.15g"); NULL for an empty cell. */
static inline const char *locate_cell_string(const clasconv_cell *cell,
                                             char *buf, size_t size)
{
    if (!cell)
        return NULL;
    if (cell->type == CLASCONV_CELL_TEXT)
        return cell->v.text;
    snprintf(buf, size, "%.15g", cell->v.number);
    return buf;
}

/* The source reference of a cell of the table's sheet. */
static inline void locate_ref(const clasconv_sheet *sheet, uint32_t row,
                              uint32_t col, char *buf, size_t size)
{
    clasconv_sheet_ref(sheet, row, col, buf, size);
}

/* --- header.c ---------------------------------------------------------- */

/** Scores a row as a header: distinct schemes named, name column; 0 when
 * it is not one. */
int locate_header_score(const clasconv_row *row);
/** Counts sub-header words (NOMBRE D'ENFANTS, dont QPV, ETABLISSEMENTS). */
int locate_subheader_score(const clasconv_row *row);
/** The best header row of a sheet and its score; 0 when no row is a
 * header. */
int locate_sheet_header(const clasconv_sheet *sheet, uint32_t *row);
/** The sub-header row just below the header, or NO_COL. */
uint32_t locate_find_subheader(const locator *loc);

/* --- columns.c --------------------------------------------------------- */

/** Maps columns from the header row (and sub-header row); sets
 * loc->subheader_row. Raises COLUMN_DUPLICATE. */
clasconv_error locate_map_columns(locator *loc);
/** Non-zero when `col` holds a scheme's counts. */
int locate_is_scheme_col(const colmap *map, uint32_t col);
/** Without a name header: the column of text left of the counts. */
void locate_guess_name_column(locator *loc);
/** A header-less text column right of AUTRE is "Autre (précision)". */
void locate_guess_autre_detail(locator *loc);
/** Keeps the row's values in the unknown and « Observations » columns in
 * the school's observations, and notes the unknown ones for their
 * anomaly. */
clasconv_error locate_note_unknown_values(locator *loc, uint32_t row,
                                          clasconv_school *school);
/** Raises COLUMN_UNKNOWN. */
clasconv_error locate_report_columns(locator *loc);
/** Raises COLUMN_MISSING for `scheme`, absent from the sheet named
 * `sheet`, or from every sheet read when `sheet` is NULL. */
clasconv_error locate_report_missing(clasconv_table *table,
                                     clasconv_scheme scheme, const char *sheet);
/** Frees what the column map holds. */
void locate_colmap_free(colmap *map);

/* --- rows.c ------------------------------------------------------------ */

/** Reads every row below the header into loc->table. */
clasconv_error locate_read_rows(locator *loc);

/* --- merges.c ---------------------------------------------------------- */

/** Indexes the merges covering `cols` (NO_COL entries skipped). */
clasconv_error locate_merges_build(merge_index *index,
                                   const clasconv_sheet *sheet,
                                   const uint32_t *cols, size_t ncols);
void locate_merges_free(merge_index *index);
/** The merge covering (row, col), for an indexed column; else NULL. */
const clasconv_merge *locate_merge_at(const merge_index *index, uint32_t row,
                                      uint32_t col);
/** The cell at (row, col), or the value of the merge covering it. */
const clasconv_cell *locate_cell_merged(const locator *loc, uint32_t row,
                                        uint32_t col);

/* --- sheets.c ---------------------------------------------------------- */

/** The level a sheet's name or a title row just above its header names
 * ("Collège", "NIVEAU ELEMENTAIRE"), or NONE. */
clasconv_level locate_sheet_level(const clasconv_sheet *sheet,
                                  uint32_t header_row);
/** Non-zero when the sheet holds, from its header row down, the same
 * cells as `other` from its own. */
int locate_same_rows(const clasconv_sheet *sheet, uint32_t header_row,
                     const clasconv_sheet *other, uint32_t other_row);
/** Non-zero when a text names a school by its type ("EE Jules Ferry"). */
int locate_names_school(const char *text);
/** Non-zero when a text is a code, not a name: a UAI ("0691234A"), or no
 * letter at all ("12", "69-001"). */
int locate_is_code(const char *text);
/** Non-zero when a row below the header holds a name (not a level or a
 * TOTAL label) and a count: a table, not a summary by level. */
int locate_has_school_rows(const clasconv_sheet *sheet, uint32_t header_row);
/** The label of a sheet in messages and the Source sheet: its name, or
 * "tableau N" for a Word table. */
void locate_sheet_label(const clasconv_sheet *sheet, char *buf, size_t size);
/** Raises SHEET_IGNORED when a sheet not read holds school rows with
 * counts. */
clasconv_error locate_check_ignored(const clasconv_sheet *sheet,
                                    clasconv_table *table);

/* --- commune.c --------------------------------------------------------- */

/** Sets table->commune from the grid's fields, the sheets or the file
 * name (NULL when none names it). */
clasconv_error locate_find_commune(const clasconv_grid *grid,
                                   const clasconv_sheet *table_sheet,
                                   uint32_t header_row, const char *file_name,
                                   clasconv_table *table);

#endif
