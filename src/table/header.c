/* header.c: finds the header row of the CLAS table in a sheet (the row
 * naming the most schemes) and its "NOMBRE D'ENFANTS" sub-header row. */
#include <string.h>

#include "table/locate_internal.h"
#include "table/vocab.h"

#define HEADER_SEARCH_ROWS 400 /* non-empty rows searched for a header */
#define SUBHEADER_SEARCH_ROWS 8

/* Scores a row as a header: distinct schemes named, name column. */
int locate_header_score(const clasconv_row *row)
{
    unsigned seen = 0;
    int main_schemes = 0, qpv = 0, name = 0, numbers = 0;
    uint32_t i;

    for (i = 0; i < row->ncells; i++) {
        const char *text = locate_cell_text(&row->cells[i]);
        vocab_header h;
        if (!text) {
            numbers++;
            continue;
        }
        h = vocab_classify_header(text);
        if (h.kind == VOCAB_SCHEME && !(seen & (1u << h.scheme))) {
            seen |= 1u << h.scheme;
            main_schemes++;
        } else if (h.kind == VOCAB_QPV) {
            qpv++;
        } else if (h.kind == VOCAB_NAME) {
            name = 1;
        }
    }
    if (numbers > main_schemes)
        return 0; /* a data row that happens to hold a word */
    if (main_schemes >= 3)
        return main_schemes * 4 + qpv + name;
    if (main_schemes >= 1 && (name || (qpv && main_schemes + qpv >= 2)))
        return main_schemes * 4 + qpv + name;
    return 0;
}

static int row_has_number(const clasconv_row *row)
{
    uint32_t i;

    for (i = 0; i < row->ncells; i++)
        if (row->cells[i].type == CLASCONV_CELL_NUMBER)
            return 1;
    return 0;
}

/* Counts sub-header words (NOMBRE D'ENFANTS, dont QPV, ETABLISSEMENTS). */
int locate_subheader_score(const clasconv_row *row)
{
    int score = 0;
    uint32_t i;

    if (row_has_number(row))
        return 0;
    for (i = 0; i < row->ncells; i++) {
        const char *text = locate_cell_text(&row->cells[i]);
        vocab_header h;
        if (!text)
            continue;
        h = vocab_classify_header(text);
        if (h.kind == VOCAB_COUNT || h.kind == VOCAB_QPV)
            score++;
    }
    return score;
}

uint32_t locate_find_subheader(const locator *loc)
{
    size_t i = clasconv_sheet_row_lower_bound(loc->sheet, loc->header_row + 1);
    size_t end = i + SUBHEADER_SEARCH_ROWS;
    size_t n = clasconv_sheet_row_count(loc->sheet);

    for (; i < n && i < end; i++) {
        clasconv_row row = clasconv_sheet_row(loc->sheet, i);
        if (row_has_number(&row))
            break;
        if (locate_subheader_score(&row) >= 2)
            return row.row;
    }
    return NO_COL;
}

int locate_sheet_header(const clasconv_sheet *sheet, uint32_t *row)
{
    int best_score = 0;
    size_t n = clasconv_sheet_row_count(sheet), ri;

    *row = 0;
    for (ri = 0; ri < n && ri < HEADER_SEARCH_ROWS; ri++) {
        clasconv_row r = clasconv_sheet_row(sheet, ri);
        int score = locate_header_score(&r);
        if (score > best_score) {
            best_score = score;
            *row = r.row;
        }
    }
    return best_score;
}
