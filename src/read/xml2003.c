/* xml2003.c: reads an Excel 2003 XML workbook (SpreadsheetML 2003, saved as
 * .xml or .xls by Excel and by web tools' exports) into a grid. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clasconv/read.h"
#include "read/zipxml.h"

#define NS_SS "urn:schemas-microsoft-com:office:spreadsheet"

/* Most characters kept for one cell (the grid's own cap). */
#define XML2003_CELL_MAX CLASCONV_GRID_MAX_CELL_TEXT

typedef struct ss_parse {
    clasconv_grid *grid;
    clasconv_diag *diag;
    clasconv_sheet *sheet; /* the current Worksheet's, or NULL */
    unsigned sheets;
    uint32_t row; /* 0-based row of the current or next Row */
    uint32_t col; /* 0-based column of the current or next Cell */
    int in_row, in_cell, in_table;
    unsigned data_depth;    /* inside Data (and its rich-text children) */
    unsigned comment_depth; /* inside a Comment: its Data is no value */
    char type[16];          /* ss:Type of the current Data */
    int formula;            /* the current Cell has ss:Formula */
    uint32_t merge_across, merge_down;
    clasconv_text text;
} ss_parse;

static clasconv_error too_large(ss_parse *p)
{
    clasconv_diag_set(p->diag,
                      "Le classeur XML est trop grand (plus de %u lignes, %u "
                      "colonnes ou %u cellules) : ce n'est sans doute pas un "
                      "tableau CLAS.",
                      (unsigned)CLASCONV_GRID_MAX_ROWS,
                      (unsigned)CLASCONV_GRID_MAX_COLS,
                      (unsigned)CLASCONV_GRID_MAX_CELLS);
    return CLASCONV_ERR_TOO_LARGE;
}

static clasconv_error grid_failed(ss_parse *p, clasconv_error err)
{
    if (err == CLASCONV_ERR_MEMORY) {
        clasconv_diag_set(p->diag, "Mémoire insuffisante pour lire le "
                                   "classeur XML.");
        return err;
    }
    if (err == CLASCONV_ERR_TOO_LARGE) {
        return too_large(p);
    }
    clasconv_diag_set(p->diag, "Le classeur XML contient une cellule "
                               "illisible : ouvrez-le dans Excel ou "
                               "LibreOffice et enregistrez-le au format "
                               ".xlsx.");
    return err;
}

/* A 1-based ss:Index (or a count) attribute: 0 when absent or invalid. */
static uint32_t index_attr(const char **attrs, const char *local)
{
    const char *v = clasconv_xml_attr_ns(attrs, NS_SS, local);
    unsigned long n = 0;
    if (v == NULL) {
        return 0;
    }
    while (*v == ' ') {
        v++;
    }
    for (; *v >= '0' && *v <= '9'; v++) {
        n = n * 10 + (unsigned long)(*v - '0');
        if (n > CLASCONV_GRID_MAX_ROWS + 1u) {
            return CLASCONV_GRID_MAX_ROWS + 1u; /* over any grid */
        }
    }
    return (uint32_t)n;
}

static clasconv_error ss_start(void *user, const char *name, const char **attrs)
{
    ss_parse *p = user;
    const char *local = clasconv_xml_local(name);
    clasconv_error err = CLASCONV_OK;
    uint32_t index;

    if (p->data_depth > 0) {
        p->data_depth++; /* rich text: <Font>, <B>... inside ss:Data */
        return CLASCONV_OK;
    }
    if (!clasconv_xml_is(name, NS_SS, local)) {
        return CLASCONV_OK;
    }
    if (strcmp(local, "Worksheet") == 0) {
        const char *sheet_name = clasconv_xml_attr_ns(attrs, NS_SS, "Name");
        char fallback[32];
        p->sheets++;
        if (sheet_name == NULL || sheet_name[0] == '\0') {
            snprintf(fallback, sizeof fallback, "Feuille %u", p->sheets);
            sheet_name = fallback;
        }
        p->sheet = clasconv_grid_add_sheet(p->grid, sheet_name,
                                           CLASCONV_REF_SHEET, 0, &err);
        if (p->sheet == NULL) {
            return grid_failed(p,
                               err != CLASCONV_OK ? err : CLASCONV_ERR_MEMORY);
        }
        p->row = 0;
    } else if (strcmp(local, "Table") == 0) {
        p->in_table = 1;
        p->row = 0;
    } else if (strcmp(local, "Row") == 0 && p->in_table) {
        index = index_attr(attrs, "Index");
        if (index > 0) {
            p->row = index - 1;
        }
        if (p->row >= CLASCONV_GRID_MAX_ROWS) {
            return too_large(p);
        }
        p->in_row = 1;
        p->col = 0;
    } else if (strcmp(local, "Cell") == 0 && p->in_row) {
        index = index_attr(attrs, "Index");
        if (index > 0) {
            p->col = index - 1;
        }
        if (p->col >= CLASCONV_GRID_MAX_COLS) {
            return too_large(p);
        }
        p->in_cell = 1;
        p->formula = clasconv_xml_attr_ns(attrs, NS_SS, "Formula") != NULL;
        p->merge_across = index_attr(attrs, "MergeAcross");
        p->merge_down = index_attr(attrs, "MergeDown");
    } else if (strcmp(local, "Comment") == 0 && p->in_cell) {
        p->comment_depth++;
    } else if (strcmp(local, "Data") == 0 && p->in_cell &&
               p->comment_depth == 0) {
        const char *type = clasconv_xml_attr_ns(attrs, NS_SS, "Type");
        snprintf(p->type, sizeof p->type, "%s", type != NULL ? type : "");
        clasconv_text_reset(&p->text);
        p->data_depth = 1;
    }
    return CLASCONV_OK;
}

/* "2025-12-31T00:00:00.000" as "2025-12-31", else "2025-12-31 08:30:00". */
static void date_text(const char *iso, char *out, size_t size)
{
    size_t n = strlen(iso);
    if (n >= 19 && iso[10] == 'T') {
        if (strncmp(iso + 11, "00:00:00", 8) == 0) {
            snprintf(out, size, "%.10s", iso);
        } else {
            snprintf(out, size, "%.10s %.8s", iso, iso + 11);
        }
    } else {
        snprintf(out, size, "%s", iso);
    }
}

static clasconv_error put_data(ss_parse *p)
{
    const char *text = clasconv_text_str(&p->text);
    unsigned flags = p->formula ? CLASCONV_CELL_FORMULA : 0;
    double number;
    char date[64];

    if (p->sheet == NULL) {
        return CLASCONV_OK;
    }
    if (strcmp(p->type, "Number") == 0 && clasconv_xml_number(text, &number)) {
        return clasconv_sheet_put_number(p->sheet, p->row, p->col, number,
                                         flags);
    }
    if (strcmp(p->type, "Boolean") == 0 && clasconv_xml_number(text, &number)) {
        return clasconv_sheet_put_number(p->sheet, p->row, p->col, number != 0,
                                         flags | CLASCONV_CELL_BOOLEAN);
    }
    if (strcmp(p->type, "DateTime") == 0) {
        date_text(text, date, sizeof date);
        return clasconv_sheet_put_text(p->sheet, p->row, p->col, date,
                                       strlen(date), 0, 0,
                                       flags | CLASCONV_CELL_DATE);
    }
    if (strcmp(p->type, "Error") == 0) {
        flags |= CLASCONV_CELL_ERROR;
    }
    return clasconv_sheet_put_text(p->sheet, p->row, p->col, text, strlen(text),
                                   0, 0, flags);
}

static clasconv_error ss_end(void *user, const char *name)
{
    ss_parse *p = user;
    const char *local = clasconv_xml_local(name);
    clasconv_error err;

    if (p->data_depth > 0) {
        if (--p->data_depth > 0) {
            return CLASCONV_OK;
        }
        err = put_data(p);
        return err != CLASCONV_OK ? grid_failed(p, err) : CLASCONV_OK;
    }
    if (!clasconv_xml_is(name, NS_SS, local)) {
        return CLASCONV_OK;
    }
    if (strcmp(local, "Comment") == 0 && p->comment_depth > 0) {
        p->comment_depth--;
    } else if (strcmp(local, "Cell") == 0 && p->in_cell) {
        p->in_cell = 0;
        if (p->sheet != NULL && (p->merge_across > 0 || p->merge_down > 0)) {
            clasconv_merge merge = {p->row, p->col, p->row + p->merge_down,
                                    p->col + p->merge_across};
            err = clasconv_sheet_add_merge(p->sheet, merge);
            if (err != CLASCONV_OK) {
                return grid_failed(p, err);
            }
        }
        p->col += 1 + p->merge_across;
    } else if (strcmp(local, "Row") == 0 && p->in_row) {
        p->in_row = 0;
        p->row++;
    } else if (strcmp(local, "Table") == 0) {
        p->in_table = 0;
    } else if (strcmp(local, "Worksheet") == 0) {
        p->sheet = NULL;
    }
    return CLASCONV_OK;
}

static clasconv_error ss_text(void *user, const char *text, size_t len)
{
    ss_parse *p = user;
    if (p->data_depth == 0) {
        return CLASCONV_OK;
    }
    return clasconv_text_append(&p->text, text, len);
}

clasconv_error clasconv_read_xml2003(const clasconv_input *in,
                                     clasconv_grid *grid, clasconv_diag *diag)
{
    ss_parse p;
    clasconv_xml_handler handler = {ss_start, ss_end, ss_text, &p};
    clasconv_error err;

    memset(&p, 0, sizeof p);
    p.grid = grid;
    p.diag = diag;
    p.text.limit = XML2003_CELL_MAX;
    err = clasconv_xml_parse_memory((const char *)in->data, in->size,
                                    "classeur XML 2003", &handler, diag);
    clasconv_text_free(&p.text);
    if (err == CLASCONV_OK && p.sheets == 0) {
        clasconv_diag_set(diag, "Le classeur XML 2003 ne contient aucune "
                                "feuille : ouvrez-le dans Excel ou "
                                "LibreOffice et vérifiez qu'il contient le "
                                "tableau CLAS.");
        err = CLASCONV_ERR_FORMAT;
    }
    if (err == CLASCONV_OK) {
        err = clasconv_grid_finish(grid);
        if (err != CLASCONV_OK) {
            err = grid_failed(&p, err);
        }
    }
    return err;
}
