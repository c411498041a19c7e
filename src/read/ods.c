/* ods.c: the ODS reader (OpenDocument spreadsheets) into the grid, and the
 * ODT reader (OpenDocument text: the Word form saved by LibreOffice Writer),
 * whose tables are the same table:table elements. */
#include "clasconv/read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/grow.h"
#include "read/formmeta.h"
#include "read/zipxml.h"

/*
 * Repeated rows and columns: empty repeats are never materialized (they only
 * move the position, on 64-bit counters); non-empty ones are copied, but
 * never beyond the grid's rows and columns, and never more than
 * ODS_MAX_COPIES extra cells and merges (ODS_MAX_COPIED_TEXT bytes of text)
 * per file: past that the file is refused as hostile (TOO_LARGE).
 */
#define ODS_MAX_COPIES 100000u
#define ODS_MAX_COPIED_TEXT ((uint64_t)8 << 20) /* bytes, in those copies */
#define ODS_COUNT_CAP ((uint64_t)1 << 40)       /* saturate positions here */

/*
 * ODT layout, as the DOCX reader's: one grid sheet per top-level table of
 * the body (numbered 1..n in document order, named "tableau N",
 * CLASCONV_REF_WORD); row = table row, column = grid column (a cell
 * spanning columns is followed by covered cells, so columns stay those of
 * the Word grid). A table nested in a cell is a sheet of its own, named
 * as the DOCX reader does ("tableau 1.1": the first table in the cells of
 * table 1), and the enclosing cell keeps only its own paragraphs; below
 * ODT_MAX_NESTING levels a table's paragraphs join its cell's text. Tables
 * of headers, footers and frames are not read. (In a spreadsheet a table
 * inside a cell is ignored.)
 */

/* Writer tables read as sheets along one line of nesting, the top-level
 * one included (as DOCX_MAX_NESTING); deeper ones are their cell's text. */
#define ODT_MAX_NESTING 8u

#define NS_TABLE "opendocument:xmlns:table:1.0"
#define NS_TEXT "opendocument:xmlns:text:1.0"
#define NS_OFFICE "opendocument:xmlns:office:1.0"
#define NS_DRAW "opendocument:xmlns:drawing:1.0"

/* One cell of the row being read, kept until the row's end. */
typedef struct ods_cell {
    uint64_t col;
    uint64_t repeat;   /* number-columns-repeated */
    uint64_t col_span; /* number-columns-spanned */
    uint64_t row_span; /* number-rows-spanned */
    int has_value;     /* else only a merge */
    int is_number;
    double number;
    size_t text_offset; /* into the row's text pool */
    size_t text_len;
    unsigned flags;
} ods_cell;

/* One open table: a sheet of the spreadsheet, or a Writer table (the
 * top-level one, or one nested in a cell of the level below). */
typedef struct ods_table {
    clasconv_sheet *sheet;
    char sheet_name[256];
    unsigned children; /* ODT: tables nested in its cells so far */
    int in_table;
    uint64_t row; /* index of the current row */
    uint64_t row_repeat;
    int in_row;
    uint64_t col;
    /* the current cell */
    int in_cell;
    ods_cell cell;
    char value_type[16];
    char *attr_value; /* office:value, office:boolean-value... */
    int error_value;
    unsigned paragraphs;
    unsigned in_paragraph;
    clasconv_text text;
    /* the current row */
    ods_cell *cells;
    size_t ncells;
    size_t cells_cap;
    char *pool;
    size_t pool_len;
    size_t pool_cap;
} ods_table;

typedef struct ods_parse {
    clasconv_grid *grid;
    clasconv_diag *diag;
    unsigned tables; /* sheets (top-level tables) seen, for unnamed ones */
    int text_doc;    /* reading an ODT: office:text body, Word references */
    int body;        /* the expected office:spreadsheet/text body was seen */
    /* open tables: lv[0..depth-1]; t the innermost (lv[0] when none) */
    ods_table lv[ODT_MAX_NESTING];
    unsigned depth;
    ods_table *t;
    unsigned nested; /* ODT: tables open beyond those, read as cell text */
    /* ODT: the paragraph outside tables, for the form's fields */
    unsigned meta_depth;
    int meta_pending;
    clasconv_text para;
    unsigned skip;        /* depth inside an ignored subtree */
    uint64_t copies;      /* extra cells materialized from repeats */
    uint64_t copied_text; /* their text bytes */
} ods_parse;

static uint64_t parse_count(const char *text)
{
    uint64_t v = 0;
    int digits = 0;

    if (text == NULL) {
        return 1;
    }
    for (; *text >= '0' && *text <= '9'; text++) {
        digits++;
        if (v < ODS_COUNT_CAP) {
            v = v * 10u + (uint64_t)(*text - '0');
        }
    }
    if (digits == 0 || *text != '\0' || v == 0) {
        return 1;
    }
    return v < ODS_COUNT_CAP ? v : ODS_COUNT_CAP;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a + b < ODS_COUNT_CAP ? a + b : ODS_COUNT_CAP;
}

static clasconv_error too_many_repeats(ods_parse *p)
{
    clasconv_diag_set(p->diag,
                      "%sla feuille « %.100s » répète une ligne ou une "
                      "cellule remplie un nombre démesuré de fois.%s",
                      CLASCONV_ZIP_DAMAGED, p->t->sheet_name,
                      CLASCONV_ZIP_RESAVE);
    return CLASCONV_ERR_TOO_LARGE;
}

/* --- Rows -------------------------------------------------------------- */

static clasconv_error keep_cell(ods_parse *p, const ods_cell *cell,
                                const char *text, size_t len)
{
    if (clasconv_grow((void **)&p->t->cells, &p->t->cells_cap, p->t->ncells + 1,
                      sizeof *p->t->cells, SIZE_MAX)) {
        return CLASCONV_ERR_MEMORY;
    }
    p->t->cells[p->t->ncells] = *cell;
    p->t->cells[p->t->ncells].text_offset = p->t->pool_len;
    p->t->cells[p->t->ncells].text_len = len;
    if (len > 0) {
        if (clasconv_grow((void **)&p->t->pool, &p->t->pool_cap,
                          p->t->pool_len + len, 1, SIZE_MAX)) {
            return CLASCONV_ERR_MEMORY;
        }
        memcpy(p->t->pool + p->t->pool_len, text, len);
        p->t->pool_len += len;
    }
    p->t->ncells++;
    return CLASCONV_OK;
}

static clasconv_error put_one(ods_parse *p, const ods_cell *cell, uint64_t row,
                              uint64_t col)
{
    clasconv_error err = CLASCONV_OK;

    if (cell->has_value) {
        if (cell->is_number) {
            err = clasconv_sheet_put_number(p->t->sheet, (uint32_t)row,
                                            (uint32_t)col, cell->number,
                                            cell->flags);
        } else {
            err = clasconv_sheet_put_text(p->t->sheet, (uint32_t)row,
                                          (uint32_t)col,
                                          p->t->pool + cell->text_offset,
                                          cell->text_len, 0, 0, cell->flags);
        }
        if (err != CLASCONV_OK) {
            return clasconv_zip_grid_failure(p->diag, err, p->t->sheet_name);
        }
    }
    if (cell->col_span > 1 || cell->row_span > 1) {
        uint64_t last_row = row + cell->row_span - 1;
        uint64_t last_col = col + cell->col_span - 1;

        return clasconv_zip_add_merge(
            p->t->sheet, p->t->sheet_name, (uint32_t)row, (uint32_t)col,
            (uint32_t)(last_row < CLASCONV_GRID_MAX_ROWS
                           ? last_row
                           : CLASCONV_GRID_MAX_ROWS - 1),
            (uint32_t)(last_col < CLASCONV_GRID_MAX_COLS
                           ? last_col
                           : CLASCONV_GRID_MAX_COLS - 1),
            p->diag);
    }
    return CLASCONV_OK;
}

/* Puts the row's cells, once per repeat of the row and of each cell. */
static clasconv_error flush_row(ods_parse *p)
{
    uint64_t r;
    uint64_t c;
    size_t i;
    clasconv_error err;

    if (p->t->ncells == 0) {
        return CLASCONV_OK; /* empty rows are never materialized */
    }
    if (p->t->row >= CLASCONV_GRID_MAX_ROWS ||
        p->t->row_repeat > CLASCONV_GRID_MAX_ROWS - p->t->row) {
        return too_many_repeats(p);
    }
    for (r = 0; r < p->t->row_repeat; r++) {
        for (i = 0; i < p->t->ncells; i++) {
            const ods_cell *cell = &p->t->cells[i];
            for (c = 0; c < cell->repeat; c++) {
                if (r > 0 || c > 0) {
                    p->copied_text += cell->text_len;
                    if (++p->copies > ODS_MAX_COPIES ||
                        p->copied_text > ODS_MAX_COPIED_TEXT) {
                        return too_many_repeats(p);
                    }
                }
                err = put_one(p, cell, p->t->row + r, cell->col + c);
                if (err != CLASCONV_OK) {
                    return err;
                }
            }
        }
    }
    return CLASCONV_OK;
}

/* --- Cells ------------------------------------------------------------- */

static void start_cell(ods_parse *p, const char **attrs)
{
    const char *type = clasconv_xml_attr_ns(attrs, NS_OFFICE, "value-type");
    const char *value = NULL;

    memset(&p->t->cell, 0, sizeof p->t->cell);
    p->t->cell.col = p->t->col;
    p->t->cell.repeat = parse_count(
        clasconv_xml_attr_ns(attrs, NS_TABLE, "number-columns-repeated"));
    p->t->cell.col_span = parse_count(
        clasconv_xml_attr_ns(attrs, NS_TABLE, "number-columns-spanned"));
    p->t->cell.row_span = parse_count(
        clasconv_xml_attr_ns(attrs, NS_TABLE, "number-rows-spanned"));
    if (clasconv_xml_attr_ns(attrs, NS_TABLE, "formula") != NULL) {
        p->t->cell.flags |= CLASCONV_CELL_FORMULA;
    }
    p->t->value_type[0] = '\0';
    if (type != NULL && strlen(type) < sizeof p->t->value_type) {
        strcpy(p->t->value_type, type);
    }
    /* calcext:value-type="error" marks error results (LibreOffice). */
    p->t->error_value = 0;
    for (size_t i = 0; attrs[i] != NULL; i += 2) {
        if (clasconv_xml_is(attrs[i], NULL, "value-type") &&
            strcmp(attrs[i + 1], "error") == 0) {
            p->t->error_value = 1;
        }
    }
    if (strcmp(p->t->value_type, "float") == 0 ||
        strcmp(p->t->value_type, "percentage") == 0 ||
        strcmp(p->t->value_type, "currency") == 0) {
        value = clasconv_xml_attr_ns(attrs, NS_OFFICE, "value");
    } else if (strcmp(p->t->value_type, "boolean") == 0) {
        value = clasconv_xml_attr_ns(attrs, NS_OFFICE, "boolean-value");
    } else if (strcmp(p->t->value_type, "date") == 0) {
        value = clasconv_xml_attr_ns(attrs, NS_OFFICE, "date-value");
    } else if (strcmp(p->t->value_type, "string") == 0) {
        value = clasconv_xml_attr_ns(attrs, NS_OFFICE, "string-value");
    }
    free(p->t->attr_value);
    p->t->attr_value = value != NULL ? strdup(value) : NULL;
    p->t->paragraphs = 0;
    p->t->in_paragraph = 0;
    clasconv_text_reset(&p->t->text);
    p->t->in_cell = 1;
}

/* Decides the cell's value at its end and keeps it for the row. */
static clasconv_error end_cell(ods_parse *p)
{
    ods_cell *cell = &p->t->cell;
    const char *text = clasconv_text_str(&p->t->text);
    size_t len = p->t->text.len;
    const char *type = p->t->value_type;
    double number;

    p->t->in_cell = 0;
    if (p->t->error_value) {
        cell->has_value = len > 0;
        cell->flags |= CLASCONV_CELL_ERROR;
    } else if ((strcmp(type, "float") == 0 || strcmp(type, "percentage") == 0 ||
                strcmp(type, "currency") == 0) &&
               p->t->attr_value != NULL &&
               clasconv_xml_number(p->t->attr_value, &number)) {
        cell->has_value = 1;
        cell->is_number = 1;
        cell->number = number;
    } else if (strcmp(type, "boolean") == 0 && p->t->attr_value != NULL) {
        cell->has_value = 1;
        cell->is_number = 1;
        cell->number = strcmp(p->t->attr_value, "true") == 0 ? 1.0 : 0.0;
        cell->flags |= CLASCONV_CELL_BOOLEAN;
    } else if (strcmp(type, "date") == 0 && p->t->attr_value != NULL) {
        text = p->t->attr_value;
        len = strlen(text);
        cell->has_value = len > 0;
        cell->flags |= CLASCONV_CELL_DATE;
    } else if (strcmp(type, "string") == 0 && p->t->attr_value != NULL &&
               p->t->attr_value[0] != '\0') {
        text = p->t->attr_value;
        len = strlen(text);
        if (len > CLASCONV_GRID_MAX_CELL_TEXT) {
            clasconv_text_reset(&p->t->text);
            clasconv_text_append(&p->t->text, text, len);
            text = clasconv_text_str(&p->t->text);
            len = p->t->text.len;
        }
        cell->has_value = 1;
    } else {
        if (strcmp(type, "time") == 0) {
            cell->flags |= CLASCONV_CELL_DATE;
        }
        cell->has_value = len > 0;
    }
    if (cell->has_value && !cell->is_number &&
        clasconv_text_is_blank(text, len)) {
        cell->has_value = 0;
    }
    if (cell->has_value &&
        (cell->col >= CLASCONV_GRID_MAX_COLS ||
         cell->repeat > CLASCONV_GRID_MAX_COLS - cell->col)) {
        return too_many_repeats(p);
    }
    if (!cell->has_value && cell->col_span <= 1 && cell->row_span <= 1) {
        return CLASCONV_OK;
    }
    if (!cell->has_value && cell->col >= CLASCONV_GRID_MAX_COLS) {
        return CLASCONV_OK; /* a merge beyond the grid: nothing to record */
    }
    if (!cell->has_value && cell->repeat > CLASCONV_GRID_MAX_COLS - cell->col) {
        cell->repeat = CLASCONV_GRID_MAX_COLS - cell->col;
    }
    return keep_cell(p, cell, cell->is_number ? NULL : text,
                     cell->is_number ? 0 : len);
}

/* --- Paragraphs outside tables (ODT) ---------------------------------- */

static int is_paragraph(const char *name)
{
    return clasconv_xml_is(name, NS_TEXT, "p") ||
           clasconv_xml_is(name, NS_TEXT, "h");
}

static clasconv_error meta_start(ods_parse *p, const char *name,
                                 const char **attrs)
{
    if (is_paragraph(name)) {
        if (p->meta_depth++ == 0) {
            clasconv_text_reset(&p->para);
        }
        return CLASCONV_OK;
    }
    if (p->meta_depth == 0) {
        return CLASCONV_OK;
    }
    if (clasconv_xml_is(name, NS_TEXT, "s")) {
        return clasconv_text_repeat(&p->para, ' ',
                                    parse_count(clasconv_xml_attr(attrs, "c")));
    }
    if (clasconv_xml_is(name, NS_TEXT, "tab")) {
        return clasconv_text_append(&p->para, " ", 1); /* as DOCX's w:tab */
    }
    if (clasconv_xml_is(name, NS_TEXT, "line-break")) {
        return clasconv_text_append(&p->para, "\n", 1);
    }
    return CLASCONV_OK;
}

static clasconv_error meta_end(ods_parse *p, const char *name)
{
    if (p->meta_depth > 0 && is_paragraph(name) && --p->meta_depth == 0) {
        return clasconv_form_meta_paragraph(p->grid, &p->meta_pending,
                                            &p->para);
    }
    return CLASCONV_OK;
}

/* --- Handlers ---------------------------------------------------------- */

/* Opens a Writer table nested in the current cell as a sheet of its own,
 * "tableau N.K" for the K-th table in the cells of "tableau N". */
static clasconv_error start_nested(ods_parse *p)
{
    clasconv_error err = CLASCONV_OK;
    ods_table *parent = p->t;
    ods_table *t = &p->lv[p->depth];
    ods_table keep = *t; /* buffers of the last table at this depth */

    free(keep.attr_value);
    memset(t, 0, sizeof *t);
    t->text = keep.text;
    clasconv_text_reset(&t->text);
    t->cells = keep.cells;
    t->cells_cap = keep.cells_cap;
    t->pool = keep.pool;
    t->pool_cap = keep.pool_cap;
    err = clasconv_zip_nested_sheet(
        p->grid, parent->sheet_name, ++parent->children, p->tables,
        t->sheet_name, sizeof t->sheet_name, &t->sheet, p->diag);
    if (err != CLASCONV_OK) {
        return err;
    }
    t->in_table = 1;
    p->depth++;
    p->t = t;
    return CLASCONV_OK;
}

static int skipped_element(const char *name)
{
    return clasconv_xml_is(name, NS_OFFICE, "annotation") ||
           clasconv_xml_is(name, NS_TEXT, "note") ||
           clasconv_xml_is(name, NS_TEXT, "tracked-changes") ||
           clasconv_xml_is(name, NS_OFFICE, "event-listeners") ||
           strstr(name, NS_DRAW "|") != NULL;
}

static clasconv_error ods_start(void *user, const char *name,
                                const char **attrs)
{
    ods_parse *p = user;
    clasconv_error err = CLASCONV_OK;

    if (p->skip > 0) {
        p->skip++;
        return CLASCONV_OK;
    }
    if (clasconv_xml_is(name, NS_OFFICE,
                        p->text_doc ? "text" : "spreadsheet")) {
        p->body = 1;
        return CLASCONV_OK;
    }
    if (clasconv_xml_is(name, NS_TABLE, "table")) {
        const char *sheet_name;
        if (p->t->in_table && p->text_doc && p->t->in_cell) {
            if (p->nested > 0 || p->depth >= ODT_MAX_NESTING) {
                p->nested++; /* its paragraphs join the enclosing cell's */
                return CLASCONV_OK;
            }
            return start_nested(p);
        }
        if (p->t->in_table) {
            p->skip = 1; /* a table inside a cell: ignored */
            return CLASCONV_OK;
        }
        if (p->text_doc && !p->body) {
            p->skip = 1; /* not in the document's body */
            return CLASCONV_OK;
        }
        p->tables++;
        sheet_name = clasconv_xml_attr_ns(attrs, NS_TABLE, "name");
        if (p->text_doc) {
            snprintf(p->t->sheet_name, sizeof p->t->sheet_name, "tableau %u",
                     p->tables);
        } else if (sheet_name != NULL &&
                   strlen(sheet_name) < sizeof p->t->sheet_name) {
            strcpy(p->t->sheet_name, sheet_name);
        } else {
            snprintf(p->t->sheet_name, sizeof p->t->sheet_name, "Feuille%u",
                     p->tables);
        }
        p->t->sheet = clasconv_grid_add_sheet(
            p->grid, p->t->sheet_name,
            p->text_doc ? CLASCONV_REF_WORD : CLASCONV_REF_SHEET,
            p->text_doc ? p->tables : 0, &err);
        if (p->t->sheet == NULL) {
            return clasconv_zip_sheet_failure(p->diag, err, p->grid,
                                              p->t->sheet_name);
        }
        p->t->in_table = 1;
        p->t->row = 0;
        p->t->in_row = 0;
        p->t->children = 0;
        p->depth = 1;
        return CLASCONV_OK;
    }
    if ((p->t->in_table || p->text_doc) && skipped_element(name)) {
        p->skip = 1; /* notes, drawings... (and, in ODT, frames' text) */
        return CLASCONV_OK;
    }
    if (!p->t->in_table) {
        return p->text_doc && p->body ? meta_start(p, name, attrs)
                                      : CLASCONV_OK;
    }
    if (p->t->in_cell) {
        if (clasconv_xml_is(name, NS_TEXT, "p") ||
            clasconv_xml_is(name, NS_TEXT, "h")) {
            if (p->t->in_paragraph == 0 && p->t->paragraphs++ > 0) {
                err = clasconv_text_append(&p->t->text, "\n", 1);
            }
            p->t->in_paragraph++;
        } else if (p->t->in_paragraph == 0) {
            /* only paragraphs carry text */
        } else if (clasconv_xml_is(name, NS_TEXT, "s")) {
            err = clasconv_text_repeat(
                &p->t->text, ' ', parse_count(clasconv_xml_attr(attrs, "c")));
        } else if (clasconv_xml_is(name, NS_TEXT, "tab")) {
            err = clasconv_text_append(&p->t->text, "\t", 1);
        } else if (clasconv_xml_is(name, NS_TEXT, "line-break")) {
            err = clasconv_text_append(&p->t->text, "\n", 1);
        }
        return err;
    }
    if (clasconv_xml_is(name, NS_TABLE, "table-row")) {
        p->t->in_row = 1;
        p->t->row_repeat = parse_count(
            clasconv_xml_attr_ns(attrs, NS_TABLE, "number-rows-repeated"));
        p->t->col = 0;
        p->t->ncells = 0;
        p->t->pool_len = 0;
    } else if (p->t->in_row && clasconv_xml_is(name, NS_TABLE, "table-cell")) {
        start_cell(p, attrs);
    } else if (p->t->in_row &&
               clasconv_xml_is(name, NS_TABLE, "covered-table-cell")) {
        p->t->col = sat_add(p->t->col,
                            parse_count(clasconv_xml_attr_ns(
                                attrs, NS_TABLE, "number-columns-repeated")));
        p->skip = 1; /* hidden content under a merge */
    }
    return CLASCONV_OK;
}

static clasconv_error ods_end(void *user, const char *name)
{
    ods_parse *p = user;
    clasconv_error err;

    if (p->skip > 0) {
        p->skip--;
        return CLASCONV_OK;
    }
    if (!p->t->in_table) {
        return p->text_doc ? meta_end(p, name) : CLASCONV_OK;
    }
    if (p->nested > 0 && clasconv_xml_is(name, NS_TABLE, "table")) {
        p->nested--;
    } else if (clasconv_xml_is(name, NS_TABLE, "table")) {
        p->t->in_table = 0;
        p->t->sheet = NULL;
        if (p->depth > 0) {
            p->depth--;
        }
        p->t = &p->lv[p->depth > 0 ? p->depth - 1 : 0]; /* back to its cell */
    } else if (p->t->in_cell) {
        if (p->nested == 0 && clasconv_xml_is(name, NS_TABLE, "table-cell")) {
            err = end_cell(p);
            p->t->col = sat_add(p->t->col, p->t->cell.repeat);
            return err;
        }
        if ((clasconv_xml_is(name, NS_TEXT, "p") ||
             clasconv_xml_is(name, NS_TEXT, "h")) &&
            p->t->in_paragraph > 0) {
            p->t->in_paragraph--;
        }
    } else if (clasconv_xml_is(name, NS_TABLE, "table-row") && p->t->in_row) {
        p->t->in_row = 0;
        err = flush_row(p);
        p->t->row = sat_add(p->t->row, p->t->row_repeat);
        return err;
    }
    return CLASCONV_OK;
}

static clasconv_error ods_text(void *user, const char *text, size_t len)
{
    ods_parse *p = user;

    if (p->skip == 0 && p->t->in_cell && p->t->in_paragraph > 0) {
        return clasconv_text_append(&p->t->text, text, len);
    }
    if (p->skip == 0 && !p->t->in_table && p->meta_depth > 0) {
        return clasconv_text_append(&p->para, text, len);
    }
    return CLASCONV_OK;
}

static clasconv_error not_a_spreadsheet(clasconv_diag *diag, int text_doc)
{
    if (text_doc) {
        clasconv_diag_set(diag, "Ce fichier n'est pas un document OpenDocument "
                                "(.odt) lisible : il ne contient pas de texte. "
                                "Ouvrez-le dans LibreOffice Writer et "
                                "enregistrez-le à nouveau au format .odt ou "
                                ".docx.");
        return CLASCONV_ERR_FORMAT;
    }
    clasconv_diag_set(diag,
                      "Ce fichier n'est pas un classeur OpenDocument (.ods) "
                      "lisible : il ne contient pas de feuille de calcul. "
                      "Ouvrez-le dans LibreOffice et enregistrez-le à "
                      "nouveau au format .ods.");
    return CLASCONV_ERR_FORMAT;
}

static clasconv_error read_odf(const clasconv_input *in, clasconv_grid *grid,
                               clasconv_diag *diag, int text_doc)
{
    clasconv_zip *zip = NULL;
    ods_parse p;
    clasconv_xml_handler handler;
    clasconv_error err;

    err = clasconv_zip_open(in->data, in->size, &zip, diag);
    if (err != CLASCONV_OK) {
        return err;
    }
    if (!clasconv_zip_has(zip, "content.xml")) {
        clasconv_zip_free(zip);
        return not_a_spreadsheet(diag, text_doc);
    }
    memset(&p, 0, sizeof p);
    p.text_doc = text_doc;
    p.grid = grid;
    p.diag = diag;
    for (size_t i = 0; i < ODT_MAX_NESTING; i++) {
        p.lv[i].text.limit = CLASCONV_GRID_MAX_CELL_TEXT;
    }
    p.t = &p.lv[0];
    p.para.limit = CLASCONV_GRID_MAX_CELL_TEXT;
    memset(&handler, 0, sizeof handler);
    handler.start = ods_start;
    handler.end = ods_end;
    handler.text = ods_text;
    handler.user = &p;
    err = clasconv_zip_parse_xml(zip, "content.xml", &handler, diag);
    if (err == CLASCONV_OK && !p.body) {
        err = not_a_spreadsheet(diag, text_doc);
    }
    if (err == CLASCONV_OK) {
        err = clasconv_grid_finish(grid);
    }
    if (err == CLASCONV_ERR_MEMORY) {
        clasconv_diag_set(diag, "Mémoire insuffisante pour lire le fichier.");
    }
    clasconv_text_free(&p.para);
    for (size_t i = 0; i < ODT_MAX_NESTING; i++) {
        clasconv_text_free(&p.lv[i].text);
        free(p.lv[i].attr_value);
        free(p.lv[i].cells);
        free(p.lv[i].pool);
    }
    clasconv_zip_free(zip);
    return err;
}

clasconv_error clasconv_read_ods(const clasconv_input *in, clasconv_grid *grid,
                                 clasconv_diag *diag)
{
    return read_odf(in, grid, diag, 0);
}

clasconv_error clasconv_read_odt(const clasconv_input *in, clasconv_grid *grid,
                                 clasconv_diag *diag)
{
    return read_odf(in, grid, diag, 1);
}
