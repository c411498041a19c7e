/* sheets.c: which sheets (and Word tables) the table is read from: the
 * level a sheet or a title above its table names, copies of a sheet read
 * already, and sheets with counts but no header (SHEET_IGNORED). */
#include <stdio.h>
#include <string.h>

#include "table/locate_internal.h"
#include "table/vocab.h"

#define TITLE_SEARCH_ROWS 3     /* non-empty rows above a header for a title */
#define IGNORED_SEARCH_ROWS 400 /* rows of a sheet searched for counts */

void locate_sheet_label(const clasconv_sheet *sheet, char *buf, size_t size)
{
    /* a Word table's sheet is named "tableau N" (or "tableau N.K" nested) */
    snprintf(buf, size, "%s", clasconv_sheet_name(sheet));
}

/* The level a short label names as a section does ("Collège", "NIVEAU
 * LYCEE"), or NONE. */
static clasconv_level label_level(const char *text)
{
    char folded[128];

    if (!text || strlen(text) >= 64 ||
        !locate_fold(text, folded, sizeof folded))
        return CLASCONV_LEVEL_NONE;
    return vocab_level_section(folded);
}

clasconv_level locate_sheet_level(const clasconv_sheet *sheet,
                                  uint32_t header_row)
{
    size_t i = clasconv_sheet_row_lower_bound(sheet, header_row), k;
    clasconv_level level;

    /* a title row just above the header: one text cell naming a level */
    for (k = 0; k < TITLE_SEARCH_ROWS && i > 0; k++) {
        clasconv_row row = clasconv_sheet_row(sheet, --i);
        if (row.ncells != 1 || row.cells[0].type != CLASCONV_CELL_TEXT)
            continue;
        level = label_level(row.cells[0].v.text);
        if (level != CLASCONV_LEVEL_NONE)
            return level;
    }
    if (clasconv_sheet_ref_kind(sheet) == CLASCONV_REF_SHEET)
        return label_level(clasconv_sheet_name(sheet));
    return CLASCONV_LEVEL_NONE;
}

static int same_cell(const clasconv_cell *a, const clasconv_cell *b)
{
    if (a->col != b->col || a->type != b->type)
        return 0;
    if (a->type == CLASCONV_CELL_TEXT)
        return !strcmp(a->v.text, b->v.text);
    return a->v.number == b->v.number;
}

int locate_same_rows(const clasconv_sheet *sheet, uint32_t header_row,
                     const clasconv_sheet *other, uint32_t other_row)
{
    size_t i = clasconv_sheet_row_lower_bound(sheet, header_row);
    size_t j = clasconv_sheet_row_lower_bound(other, other_row);
    size_t n = clasconv_sheet_row_count(sheet);
    size_t m = clasconv_sheet_row_count(other);
    int schools = 0;

    if (n - i != m - j)
        return 0;
    for (; i < n; i++, j++) {
        clasconv_row a = clasconv_sheet_row(sheet, i);
        clasconv_row b = clasconv_sheet_row(other, j);
        uint32_t k;
        if (a.ncells != b.ncells || a.row - header_row != b.row - other_row)
            return 0;
        for (k = 0; k < a.ncells; k++)
            if (!same_cell(&a.cells[k], &b.cells[k]))
                return 0;
        schools++;
    }
    return schools > 1; /* the header and at least one row below it */
}

/* A whole number >= 0 in a cell (a count), as a number or as text. */
static int is_count(const clasconv_cell *cell)
{
    int64_t value;
    clasconv_value_status st = clasconv_value_parse_cell(cell, &value);

    return st == CLASCONV_VALUE_OK || st == CLASCONV_VALUE_UNIT_REMOVED;
}

/* Non-zero when a text could name a school: letters, and not a level, a
 * TOTAL or a header word ("Élémentaire", "Total", "Niveau"). */
static int could_name_school(const char *text)
{
    char folded[256];
    clasconv_level level;
    const char *p;
    int letters = 0;

    if (!locate_fold(text, folded, sizeof folded))
        return 0;
    for (p = folded; *p; p++)
        letters += *p >= 'a' && *p <= 'z';
    if (letters < 2 || vocab_level_section(folded) != CLASCONV_LEVEL_NONE ||
        vocab_total_label(folded, &level) != VOCAB_TOTAL_NONE)
        return 0;
    return vocab_classify_header(text).kind == VOCAB_NONE;
}

int locate_has_school_rows(const clasconv_sheet *sheet, uint32_t header_row)
{
    size_t i = clasconv_sheet_row_lower_bound(sheet, header_row + 1);
    size_t n = clasconv_sheet_row_count(sheet), end = i + IGNORED_SEARCH_ROWS;

    for (; i < n && i < end; i++) {
        clasconv_row row = clasconv_sheet_row(sheet, i);
        int name = 0, counts = 0;
        uint32_t k;
        for (k = 0; k < row.ncells; k++) {
            const clasconv_cell *cell = &row.cells[k];
            if (cell->type == CLASCONV_CELL_TEXT &&
                could_name_school(cell->v.text))
                name = 1;
            else if (is_count(cell))
                counts = 1;
        }
        if (name && counts)
            return 1;
    }
    return 0;
}

int locate_names_school(const char *text)
{
    clasconv_school_name name = {NULL, NULL, CLASCONV_LEVEL_NONE};
    int school;

    if (!text || strlen(text) > 200 ||
        clasconv_school_name_normalize(text, &name))
        return 0;
    school = name.level != CLASCONV_LEVEL_NONE;
    clasconv_school_name_free(&name);
    return school;
}

int locate_is_code(const char *text)
{
    const char *p = text;
    size_t digits = 0, letters = 0;

    while (*p == ' ')
        p++;
    while (*p >= '0' && *p <= '9') {
        digits++;
        p++;
    }
    /* UAI: seven digits and a letter */
    if (digits == 7 && ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))) {
        p++;
        while (*p == ' ')
            p++;
        if (!*p)
            return 1;
    }
    for (p = text; *p; p++)
        letters += (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                   (unsigned char)*p >= 0x80;
    return letters == 0;
}

clasconv_error locate_check_ignored(const clasconv_sheet *sheet,
                                    clasconv_table *table)
{
    size_t n = clasconv_sheet_row_count(sheet), i;
    char label[128], ref[96];

    for (i = 0; i < n && i < IGNORED_SEARCH_ROWS; i++) {
        clasconv_row row = clasconv_sheet_row(sheet, i);
        const clasconv_cell *name = NULL;
        int counts = 0;
        uint32_t k;
        for (k = 0; k < row.ncells; k++) {
            const clasconv_cell *cell = &row.cells[k];
            if (cell->type == CLASCONV_CELL_TEXT && !name &&
                could_name_school(cell->v.text) &&
                locate_names_school(cell->v.text))
                name = cell;
            else if (is_count(cell))
                counts++;
        }
        if (name && counts) {
            clasconv_anomaly_at at = clasconv_anomaly_nowhere();
            locate_sheet_label(sheet, label, sizeof label);
            locate_ref(sheet, row.row, name->col, ref, sizeof ref);
            at.cell = ref;
            at.read = name->v.text;
            return clasconv_anomalies_add(
                &table->anomalies, CLASCONV_A_SHEET_IGNORED, &at,
                "La feuille « %s » contient des effectifs (%s : « %s ») "
                "mais aucune ligne d'en-tête reconnue (Établissement, "
                "Étude, École ouverte, …, CLAS, Autre) : elle n'est pas "
                "lue. Ajoutez-y la ligne d'en-tête du tableau, ou copiez "
                "ses lignes dans la feuille du tableau.",
                label, ref, name->v.text);
        }
    }
    return CLASCONV_OK;
}
