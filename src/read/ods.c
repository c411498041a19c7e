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
 * the Word grid). A table nested in a cell is not a sheet of its own: its
 * paragraphs go into the enclosing cell, one per line. Tables of headers,
 * footers and frames are not read.
 */

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

typedef struct ods_parse {
    clasconv_grid *grid;
    clasconv_diag *diag;
    clasconv_sheet *sheet;
    char sheet_name[256];
    unsigned tables; /* sheets seen, for unnamed ones */
    int text_doc;    /* reading an ODT: office:text body, Word references */
    int body;        /* the expected office:spreadsheet/text body was seen */
    unsigned nested; /* depth of tables nested in the current cell (ODT) */
    /* ODT: the paragraph outside tables, for the form's fields */
    unsigned meta_depth;
    int meta_pending;
    clasconv_text para;
    unsigned skip; /* depth inside an ignored subtree */
    int in_table;
    uint64_t row; /* index of the current row */
    uint64_t row_repeat;
    int in_row;
    uint64_t col;
    uint64_t copies;      /* extra cells materialized from repeats */
    uint64_t copied_text; /* their text bytes */
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
                      CLASCONV_ZIP_DAMAGED, p->sheet_name, CLASCONV_ZIP_RESAVE);
    return CLASCONV_ERR_TOO_LARGE;
}

/* --- Rows -------------------------------------------------------------- */

static clasconv_error keep_cell(ods_parse *p, const ods_cell *cell,
                                const char *text, size_t len)
{
    if (clasconv_grow((void **)&p->cells, &p->cells_cap, p->ncells + 1,
                      sizeof *p->cells, SIZE_MAX)) {
        return CLASCONV_ERR_MEMORY;
    }
    p->cells[p->ncells] = *cell;
    p->cells[p->ncells].text_offset = p->pool_len;
    p->cells[p->ncells].text_len = len;
    if (len > 0) {
        if (clasconv_grow((void **)&p->pool, &p->pool_cap, p->pool_len + len, 1,
                          SIZE_MAX)) {
            return CLASCONV_ERR_MEMORY;
        }
        memcpy(p->pool + p->pool_len, text, len);
        p->pool_len += len;
    }
    p->ncells++;
    return CLASCONV_OK;
}

static clasconv_error put_one(ods_parse *p, const ods_cell *cell, uint64_t row,
                              uint64_t col)
{
    clasconv_error err = CLASCONV_OK;

    if (cell->has_value) {
        if (cell->is_number) {
            err = clasconv_sheet_put_number(p->sheet, (uint32_t)row,
                                            (uint32_t)col, cell->number,
                                            cell->flags);
        } else {
            err = clasconv_sheet_put_text(
                p->sheet, (uint32_t)row, (uint32_t)col,
                p->pool + cell->text_offset, cell->text_len, 0, 0, cell->flags);
        }
        if (err != CLASCONV_OK) {
            return clasconv_zip_grid_failure(p->diag, err, p->sheet_name);
        }
    }
    if (cell->col_span > 1 || cell->row_span > 1) {
        clasconv_merge merge;
        uint64_t last_row = row + cell->row_span - 1;
        uint64_t last_col = col + cell->col_span - 1;

        merge.first_row = (uint32_t)row;
        merge.first_col = (uint32_t)col;
        merge.last_row = (uint32_t)(last_row < CLASCONV_GRID_MAX_ROWS
                                        ? last_row
                                        : CLASCONV_GRID_MAX_ROWS - 1);
        merge.last_col = (uint32_t)(last_col < CLASCONV_GRID_MAX_COLS
                                        ? last_col
                                        : CLASCONV_GRID_MAX_COLS - 1);
        err = clasconv_sheet_add_merge(p->sheet, merge);
        if (err != CLASCONV_OK) {
            return clasconv_zip_grid_failure(p->diag, err, p->sheet_name);
        }
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

    if (p->ncells == 0) {
        return CLASCONV_OK; /* empty rows are never materialized */
    }
    if (p->row >= CLASCONV_GRID_MAX_ROWS ||
        p->row_repeat > CLASCONV_GRID_MAX_ROWS - p->row) {
        return too_many_repeats(p);
    }
    for (r = 0; r < p->row_repeat; r++) {
        for (i = 0; i < p->ncells; i++) {
            const ods_cell *cell = &p->cells[i];
            for (c = 0; c < cell->repeat; c++) {
                if (r > 0 || c > 0) {
                    p->copied_text += cell->text_len;
                    if (++p->copies > ODS_MAX_COPIES ||
                        p->copied_text > ODS_MAX_COPIED_TEXT) {
                        return too_many_repeats(p);
                    }
                }
                err = put_one(p, cell, p->row + r, cell->col + c);
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

    memset(&p->cell, 0, sizeof p->cell);
    p->cell.col = p->col;
    p->cell.repeat = parse_count(
        clasconv_xml_attr_ns(attrs, NS_TABLE, "number-columns-repeated"));
    p->cell.col_span = parse_count(
        clasconv_xml_attr_ns(attrs, NS_TABLE, "number-columns-spanned"));
    p->cell.row_span = parse_count(
        clasconv_xml_attr_ns(attrs, NS_TABLE, "number-rows-spanned"));
    if (clasconv_xml_attr_ns(attrs, NS_TABLE, "formula") != NULL) {
        p->cell.flags |= CLASCONV_CELL_FORMULA;
    }
    p->value_type[0] = '\0';
    if (type != NULL && strlen(type) < sizeof p->value_type) {
        strcpy(p->value_type, type);
    }
    /* calcext:value-type="error" marks error results (LibreOffice). */
    p->error_value = 0;
    for (size_t i = 0; attrs[i] != NULL; i += 2) {
        if (clasconv_xml_is(attrs[i], NULL, "value-type") &&
            strcmp(attrs[i + 1], "error") == 0) {
            p->error_value = 1;
        }
    }
    if (strcmp(p->value_type, "float") == 0 ||
        strcmp(p->value_type, "percentage") == 0 ||
        strcmp(p->value_type, "currency") == 0) {
        value = clasconv_xml_attr_ns(attrs, NS_OFFICE, "value");
    } else if (strcmp(p->value_type, "boolean") == 0) {
        value = clasconv_xml_attr_ns(attrs, NS_OFFICE, "boolean-value");
    } else if (strcmp(p->value_type, "date") == 0) {
        value = clasconv_xml_attr_ns(attrs, NS_OFFICE, "date-value");
    } else if (strcmp(p->value_type, "string") == 0) {
        value = clasconv_xml_attr_ns(attrs, NS_OFFICE, "string-value");
    }
    free(p->attr_value);
    p->attr_value = value != NULL ? strdup(value) : NULL;
    p->paragraphs = 0;
    p->in_paragraph = 0;
    clasconv_text_reset(&p->text);
    p->in_cell = 1;
}

/* Decides the cell's value at its end and keeps it for the row. */
static clasconv_error end_cell(ods_parse *p)
{
    ods_cell *cell = &p->cell;
    const char *text = clasconv_text_str(&p->text);
    size_t len = p->text.len;
    const char *type = p->value_type;
    double number;

    p->in_cell = 0;
    if (p->error_value) {
        cell->has_value = len > 0;
        cell->flags |= CLASCONV_CELL_ERROR;
    } else if ((strcmp(type, "float") == 0 || strcmp(type, "percentage") == 0 ||
                strcmp(type, "currency") == 0) &&
               p->attr_value != NULL &&
               clasconv_xml_number(p->attr_value, &number)) {
        cell->has_value = 1;
        cell->is_number = 1;
        cell->number = number;
    } else if (strcmp(type, "boolean") == 0 && p->attr_value != NULL) {
        cell->has_value = 1;
        cell->is_number = 1;
        cell->number = strcmp(p->attr_value, "true") == 0 ? 1.0 : 0.0;
        cell->flags |= CLASCONV_CELL_BOOLEAN;
    } else if (strcmp(type, "date") == 0 && p->attr_value != NULL) {
        text = p->attr_value;
        len = strlen(text);
        cell->has_value = len > 0;
        cell->flags |= CLASCONV_CELL_DATE;
    } else if (strcmp(type, "string") == 0 && p->attr_value != NULL &&
               p->attr_value[0] != '\0') {
        text = p->attr_value;
        len = strlen(text);
        if (len > CLASCONV_GRID_MAX_CELL_TEXT) {
            clasconv_text_reset(&p->text);
            clasconv_text_append(&p->text, text, len);
            text = clasconv_text_str(&p->text);
            len = p->text.len;
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
        if (p->in_table && p->text_doc && p->in_cell) {
            p->nested++; /* its paragraphs join the enclosing cell's */
            return CLASCONV_OK;
        }
        if (p->in_table) {
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
            snprintf(p->sheet_name, sizeof p->sheet_name, "tableau %u",
                     p->tables);
        } else if (sheet_name != NULL &&
                   strlen(sheet_name) < sizeof p->sheet_name) {
            strcpy(p->sheet_name, sheet_name);
        } else {
            snprintf(p->sheet_name, sizeof p->sheet_name, "Feuille%u",
                     p->tables);
        }
        p->sheet = clasconv_grid_add_sheet(p->grid, p->sheet_name,
                                           p->text_doc ? CLASCONV_REF_WORD
                                                       : CLASCONV_REF_SHEET,
                                           p->text_doc ? p->tables : 0, &err);
        if (p->sheet == NULL) {
            return clasconv_zip_sheet_failure(p->diag, err, p->grid,
                                              p->sheet_name);
        }
        p->in_table = 1;
        p->row = 0;
        p->in_row = 0;
        return CLASCONV_OK;
    }
    if ((p->in_table || p->text_doc) && skipped_element(name)) {
        p->skip = 1; /* notes, drawings... (and, in ODT, frames' text) */
        return CLASCONV_OK;
    }
    if (!p->in_table) {
        return p->text_doc && p->body ? meta_start(p, name, attrs)
                                      : CLASCONV_OK;
    }
    if (p->in_cell) {
        if (clasconv_xml_is(name, NS_TEXT, "p") ||
            clasconv_xml_is(name, NS_TEXT, "h")) {
            if (p->in_paragraph == 0 && p->paragraphs++ > 0) {
                err = clasconv_text_append(&p->text, "\n", 1);
            }
            p->in_paragraph++;
        } else if (p->in_paragraph == 0) {
            /* only paragraphs carry text */
        } else if (clasconv_xml_is(name, NS_TEXT, "s")) {
            err = clasconv_text_repeat(
                &p->text, ' ', parse_count(clasconv_xml_attr(attrs, "c")));
        } else if (clasconv_xml_is(name, NS_TEXT, "tab")) {
            err = clasconv_text_append(&p->text, "\t", 1);
        } else if (clasconv_xml_is(name, NS_TEXT, "line-break")) {
            err = clasconv_text_append(&p->text, "\n", 1);
        }
        return err;
    }
    if (clasconv_xml_is(name, NS_TABLE, "table-row")) {
        p->in_row = 1;
        p->row_repeat = parse_count(
            clasconv_xml_attr_ns(attrs, NS_TABLE, "number-rows-repeated"));
        p->col = 0;
        p->ncells = 0;
        p->pool_len = 0;
    } else if (p->in_row && clasconv_xml_is(name, NS_TABLE, "table-cell")) {
        start_cell(p, attrs);
    } else if (p->in_row &&
               clasconv_xml_is(name, NS_TABLE, "covered-table-cell")) {
        p->col =
            sat_add(p->col, parse_count(clasconv_xml_attr_ns(
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
    if (!p->in_table) {
        return p->text_doc ? meta_end(p, name) : CLASCONV_OK;
    }
    if (p->nested > 0 && clasconv_xml_is(name, NS_TABLE, "table")) {
        p->nested--;
    } else if (clasconv_xml_is(name, NS_TABLE, "table")) {
        p->in_table = 0;
        p->sheet = NULL;
    } else if (p->in_cell) {
        if (p->nested == 0 && clasconv_xml_is(name, NS_TABLE, "table-cell")) {
            err = end_cell(p);
            p->col = sat_add(p->col, p->cell.repeat);
            return err;
        }
        if ((clasconv_xml_is(name, NS_TEXT, "p") ||
             clasconv_xml_is(name, NS_TEXT, "h")) &&
            p->in_paragraph > 0) {
            p->in_paragraph--;
        }
    } else if (clasconv_xml_is(name, NS_TABLE, "table-row") && p->in_row) {
        p->in_row = 0;
        err = flush_row(p);
        p->row = sat_add(p->row, p->row_repeat);
        return err;
    }
    return CLASCONV_OK;
}

static clasconv_error ods_text(void *user, const char *text, size_t len)
{
    ods_parse *p = user;

    if (p->skip == 0 && p->in_cell && p->in_paragraph > 0) {
        return clasconv_text_append(&p->text, text, len);
    }
    if (p->skip == 0 && !p->in_table && p->meta_depth > 0) {
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
    p.text.limit = CLASCONV_GRID_MAX_CELL_TEXT;
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
    clasconv_text_free(&p.text);
    clasconv_text_free(&p.para);
    free(p.attr_value);
    free(p.cells);
    free(p.pool);
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
