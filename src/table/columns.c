/* columns.c: maps the header row's columns to schemes, name, level and
 * "Autre (précision)", guesses the unnamed ones, and reports the columns
 * missing or not understood. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "table/listing.h"
#include "table/locate_internal.h"
#include "table/vocab.h"

static clasconv_error add_unknown(locator *loc, uint32_t col,
                                  const char *header, int remarks)
{
    unknown_col *u;
    colmap *map = &loc->map;

    if (clasconv_grow_count((void **)&map->unknown, map->nunknown,
                            map->nunknown + 1, sizeof *u, SIZE_MAX))
        return CLASCONV_ERR_MEMORY;
    u = &map->unknown[map->nunknown++];
    memset(u, 0, sizeof *u);
    u->col = col;
    u->remarks = remarks;
    snprintf(u->header, sizeof u->header, "%s", header);
    locate_ref(loc->sheet, loc->header_row, col, u->ref, sizeof u->ref);
    return CLASCONV_OK;
}

static clasconv_error assign_scheme(locator *loc, clasconv_scheme scheme,
                                    uint32_t col, uint32_t header_row)
{
    colmap *map = &loc->map;
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();
    char first[96], second[96];

    if (map->scheme_col[scheme] == NO_COL) {
        map->scheme_col[scheme] = col;
        return CLASCONV_OK;
    }
    if (map->scheme_col[scheme] == col)
        return CLASCONV_OK;
    locate_ref(loc->sheet, header_row, map->scheme_col[scheme], first,
               sizeof first);
    locate_ref(loc->sheet, header_row, col, second, sizeof second);
    at.scheme = scheme;
    at.cell = second;
    return clasconv_anomalies_add(
        &loc->table->anomalies, CLASCONV_A_COLUMN_DUPLICATE, &at,
        "Deux colonnes correspondent au dispositif « %s » (%s et %s) ; "
        "seule la première (%s) est reprise, la seconde est ignorée.",
        clasconv_scheme_label(scheme), first, second, first);
}

/* The scheme whose header covers `col` in the header row, through a merge
 * or as the nearest scheme header to the left with empty cells between. */
static clasconv_scheme owner_of(const locator *loc,
                                const clasconv_scheme *header_scheme,
                                uint32_t ncols, uint32_t col)
{
    const clasconv_merge *m =
        clasconv_sheet_merge_at(loc->sheet, loc->header_row, col);
    uint32_t c;

    if (m && m->first_col < ncols &&
        header_scheme[m->first_col] != CLASCONV_SCHEME_NONE)
        return header_scheme[m->first_col];
    for (c = col; c-- > 0;) {
        if (header_scheme[c] != CLASCONV_SCHEME_NONE)
            return header_scheme[c];
        if (clasconv_sheet_get(loc->sheet, loc->header_row, c))
            break;
    }
    return CLASCONV_SCHEME_NONE;
}

static clasconv_scheme qpv_of(clasconv_scheme s)
{
    if (s == CLASCONV_SCHEME_PRE)
        return CLASCONV_SCHEME_PRE_QPV;
    if (s == CLASCONV_SCHEME_CLAS)
        return CLASCONV_SCHEME_CLAS_QPV;
    return CLASCONV_SCHEME_NONE;
}

/* Maps columns from the header row (and sub-header row). */
clasconv_error locate_map_columns(locator *loc)
{
    colmap *map = &loc->map;
    uint32_t ncols = clasconv_sheet_col_count(loc->sheet), c;
    clasconv_scheme *header_scheme = NULL;
    vocab_header *hk = NULL, *sk = NULL;
    clasconv_error err = CLASCONV_OK;
    int s;

    for (s = 0; s < CLASCONV_SCHEME_COUNT; s++)
        map->scheme_col[s] = NO_COL;
    map->name_col = map->level_col = map->detail_col = map->uai_col = NO_COL;
    map->first_col = NO_COL;
    map->last_col = 0;
    header_scheme = malloc(ncols * sizeof *header_scheme + 1);
    hk = calloc(ncols + 1, sizeof *hk);
    sk = calloc(ncols + 1, sizeof *sk);
    if (!header_scheme || !hk || !sk) {
        err = CLASCONV_ERR_MEMORY;
        goto done;
    }
    loc->subheader_row = locate_find_subheader(loc);
    for (c = 0; c < ncols; c++) {
        const char *text = locate_cell_text(
            clasconv_sheet_get(loc->sheet, loc->header_row, c));
        hk[c].scheme = sk[c].scheme = CLASCONV_SCHEME_NONE;
        header_scheme[c] = CLASCONV_SCHEME_NONE;
        if (text) {
            hk[c] = vocab_classify_header(text);
            if (hk[c].kind == VOCAB_SCHEME)
                header_scheme[c] = hk[c].scheme;
        }
        if (loc->subheader_row != NO_COL) {
            text = locate_cell_text(
                clasconv_sheet_get(loc->sheet, loc->subheader_row, c));
            if (text)
                sk[c] = vocab_classify_header(text);
        }
    }
    for (c = 0; c < ncols && !err; c++) {
        clasconv_scheme owner;
        switch (hk[c].kind) {
        case VOCAB_SCHEME:
            if (sk[c].kind == VOCAB_QPV &&
                qpv_of(hk[c].scheme) != CLASCONV_SCHEME_NONE) {
                /* "dont QPV" under the scheme's own first column */
                err = assign_scheme(loc, qpv_of(hk[c].scheme), c,
                                    loc->header_row);
                break;
            }
            err = assign_scheme(loc, hk[c].scheme, c, loc->header_row);
            if (hk[c].scheme == CLASCONV_SCHEME_AUTRE && hk[c].detail[0])
                snprintf(map->autre_detail, sizeof map->autre_detail, "%s",
                         hk[c].detail);
            break;
        case VOCAB_QPV:
            owner = hk[c].scheme != CLASCONV_SCHEME_NONE
                        ? hk[c].scheme
                        : qpv_of(owner_of(loc, header_scheme, ncols, c));
            if (owner == CLASCONV_SCHEME_NONE) {
                err = add_unknown(loc, c,
                                  locate_cell_text(clasconv_sheet_get(
                                      loc->sheet, loc->header_row, c)),
                                  0);
                break;
            }
            err = assign_scheme(loc, owner, c, loc->header_row);
            break;
        case VOCAB_NAME:
            if (map->name_col == NO_COL)
                map->name_col = c;
            break;
        case VOCAB_LEVEL:
            if (map->level_col == NO_COL)
                map->level_col = c;
            break;
        case VOCAB_AUTRE_DETAIL:
            if (map->detail_col == NO_COL)
                map->detail_col = c;
            break;
        case VOCAB_UAI:
            if (map->uai_col == NO_COL)
                map->uai_col = c;
            break;
        case VOCAB_OBSERVATIONS:
            err = add_unknown(loc, c,
                              locate_cell_text(clasconv_sheet_get(
                                  loc->sheet, loc->header_row, c)),
                              1);
            break;
        case VOCAB_COUNT:
            break;
        case VOCAB_NONE: {
            const clasconv_cell *cell =
                clasconv_sheet_get(loc->sheet, loc->header_row, c);
            if (cell && cell->type == CLASCONV_CELL_TEXT) {
                err = add_unknown(loc, c, cell->v.text, 0);
                break;
            }
            if (cell)
                break;
            /* Empty header cell: the sub-header may tell what it is. */
            if (sk[c].kind == VOCAB_QPV) {
                owner = sk[c].scheme != CLASCONV_SCHEME_NONE
                            ? sk[c].scheme
                            : qpv_of(owner_of(loc, header_scheme, ncols, c));
                if (owner != CLASCONV_SCHEME_NONE)
                    err = assign_scheme(loc, owner, c, loc->subheader_row);
            } else if (sk[c].kind == VOCAB_COUNT) {
                owner = owner_of(loc, header_scheme, ncols, c);
                /* count under a merged scheme whose first column held QPV */
                if (owner != CLASCONV_SCHEME_NONE &&
                    map->scheme_col[owner] == NO_COL)
                    err = assign_scheme(loc, owner, c, loc->subheader_row);
            } else if (sk[c].kind == VOCAB_NAME && map->name_col == NO_COL) {
                map->name_col = c;
            } else if (sk[c].kind == VOCAB_LEVEL && map->level_col == NO_COL) {
                map->level_col = c;
            } else if (sk[c].kind == VOCAB_AUTRE_DETAIL &&
                       map->detail_col == NO_COL) {
                map->detail_col = c;
            }
            break;
        }
        }
    }
    for (s = 0; s < CLASCONV_SCHEME_COUNT; s++) {
        uint32_t col = map->scheme_col[s];
        if (col == NO_COL)
            continue;
        if (map->first_col == NO_COL || col < map->first_col)
            map->first_col = col;
        if (col > map->last_col)
            map->last_col = col;
    }
done:
    free(header_scheme);
    free(hk);
    free(sk);
    return err;
}

int locate_is_scheme_col(const colmap *map, uint32_t col)
{
    int s;

    for (s = 0; s < CLASCONV_SCHEME_COUNT; s++)
        if (map->scheme_col[s] == col)
            return 1;
    return 0;
}

/* Without a name header, the name column is the one whose cells look
 * most like school names: a type word ("EE", "Collège") counts three, other
 * text with letters one; a column mostly of codes (UAI, numbers) is never
 * names. Columns left of the counts weigh double. */
void locate_guess_name_column(locator *loc)
{
    colmap *map = &loc->map;
    size_t first =
        clasconv_sheet_row_lower_bound(loc->sheet, loc->header_row + 1);
    size_t n = clasconv_sheet_row_count(loc->sheet), i, u;
    uint32_t best = NO_COL, c;
    size_t best_count = 0;
    size_t *counts, *codes;
    uint32_t ncols = clasconv_sheet_col_count(loc->sheet);

    if (!ncols)
        return;
    counts = calloc(ncols, sizeof *counts);
    codes = calloc(ncols, sizeof *codes);
    if (!counts || !codes) {
        free(counts);
        free(codes);
        return;
    }
    for (i = first; i < n && i < first + 60; i++) {
        clasconv_row row = clasconv_sheet_row(loc->sheet, i);
        uint32_t k;
        for (k = 0; k < row.ncells; k++) {
            const clasconv_cell *cell = &row.cells[k];
            if (cell->type != CLASCONV_CELL_TEXT ||
                locate_is_code(cell->v.text))
                codes[cell->col]++;
            else
                counts[cell->col] +=
                    locate_names_school(cell->v.text) ? 3u : 1u;
        }
    }
    if (map->name_col != NO_COL &&
        codes[map->name_col] <= counts[map->name_col]) {
        free(counts);
        free(codes);
        return; /* the name header's column holds names */
    }
    for (c = 0; c < ncols; c++) {
        int left = map->first_col == NO_COL || c < map->first_col;
        if (locate_is_scheme_col(map, c) || c == map->level_col ||
            c == map->detail_col || c == map->uai_col || codes[c] > counts[c])
            continue;
        /* prefer columns left of the counts: weigh them double */
        if (counts[c] * (left ? 2u : 1u) > best_count) {
            best_count = counts[c] * (left ? 2u : 1u);
            best = c;
        }
    }
    free(counts);
    free(codes);
    if (best == NO_COL)
        return; /* keep the header's column, if any */
    map->name_col = best;
    for (u = 0; u < map->nunknown; u++) {
        if (map->unknown[u].col == best) {
            clasconv_buf_free(&map->unknown[u].values);
            memmove(&map->unknown[u], &map->unknown[u + 1],
                    (map->nunknown - u - 1) * sizeof *map->unknown);
            map->nunknown--;
            break;
        }
    }
}

/* A column with no header just right of AUTRE that holds only text is
 * where communes write which "other" scheme they mean. */
void locate_guess_autre_detail(locator *loc)
{
    colmap *map = &loc->map;
    uint32_t autre = map->scheme_col[CLASCONV_SCHEME_AUTRE], col;
    size_t first, n, i, texts = 0, numbers = 0;
    const clasconv_merge *m;

    if (autre == NO_COL || map->detail_col != NO_COL)
        return;
    col = autre + 1;
    if (locate_is_scheme_col(map, col) || col == map->name_col ||
        col == map->level_col)
        return;
    m = clasconv_sheet_merge_at(loc->sheet, loc->header_row, col);
    if (clasconv_sheet_get(loc->sheet, loc->header_row, col) ||
        (m && m->first_col != autre))
        return;
    if (loc->subheader_row != NO_COL &&
        clasconv_sheet_get(loc->sheet, loc->subheader_row, col))
        return;
    first = clasconv_sheet_row_lower_bound(loc->sheet, loc->header_row + 1);
    n = clasconv_sheet_row_count(loc->sheet);
    for (i = first; i < n && i < first + 500; i++) {
        const clasconv_cell *cell = clasconv_sheet_get(
            loc->sheet, clasconv_sheet_row(loc->sheet, i).row, col);
        if (!cell)
            continue;
        if (cell->type == CLASCONV_CELL_TEXT)
            texts++;
        else
            numbers++;
    }
    if (texts && !numbers)
        map->detail_col = col;
}

clasconv_error locate_report_missing(clasconv_table *table,
                                     clasconv_scheme scheme, const char *sheet)
{
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();

    at.scheme = scheme;
    if (sheet)
        return clasconv_anomalies_add(
            &table->anomalies, CLASCONV_A_COLUMN_MISSING, &at,
            "La colonne « %s » est absente de la feuille « %s » ; ses "
            "cellules y restent vides.",
            clasconv_scheme_label(scheme), sheet);
    return clasconv_anomalies_add(
        &table->anomalies, CLASCONV_A_COLUMN_MISSING, &at,
        "La colonne « %s » est absente du tableau ; ses cellules "
        "restent vides.",
        clasconv_scheme_label(scheme));
}

clasconv_error locate_report_columns(locator *loc)
{
    colmap *map = &loc->map;
    clasconv_error err = CLASCONV_OK;
    size_t u;

    for (u = 0; u < map->nunknown && !err; u++) {
        unknown_col *col = &map->unknown[u];
        clasconv_anomaly_at at = clasconv_anomaly_nowhere();
        if (col->remarks)
            continue;
        at.cell = col->ref;
        at.read = col->values.data ? col->values.data : "";
        if (col->nvalues)
            err = clasconv_anomalies_add(
                &loc->table->anomalies, CLASCONV_A_COLUMN_UNKNOWN, &at,
                "La colonne « %s » (%s) ne correspond à aucun dispositif ; "
                "%s dans la colonne « Observations » : %s%s.%s",
                col->header, col->ref,
                col->nvalues == 1 ? "sa valeur n'est pas comptée, elle est "
                                    "gardée"
                                  : "ses valeurs ne sont pas comptées, elles "
                                    "sont gardées",
                col->values.data,
                col->nvalues > UNKNOWN_VALUES_LISTED ? " …" : "",
                col->ncounts ? " Si elle compte les enfants d'un dispositif, "
                               "reportez-les dans la colonne de ce dispositif."
                             : "");
        else
            err = clasconv_anomalies_add(
                &loc->table->anomalies, CLASCONV_A_COLUMN_UNKNOWN, &at,
                "La colonne « %s » (%s) ne correspond à aucun dispositif ; "
                "elle est vide et n'est pas reprise.",
                col->header, col->ref);
    }
    return err;
}

/* The header an observation is given under: none for the template's
 * column or a column headed « Observations » (the value says it all). */
static const char *observation_header(const unknown_col *col)
{
    char folded[128];

    if (col->remarks || (locate_fold(col->header, folded, sizeof folded) &&
                         strcmp(folded, "observations") == 0))
        return NULL;
    return col->header;
}

clasconv_error locate_note_unknown_values(locator *loc, uint32_t row,
                                          clasconv_school *school)
{
    colmap *map = &loc->map;
    char numbuf[64];
    size_t u, column = 0; /* rank among the unknown columns */
    int64_t count;

    for (u = 0; u < map->nunknown; u++) {
        unknown_col *col = &map->unknown[u];
        const char *value =
            locate_cell_string(clasconv_sheet_get(loc->sheet, row, col->col),
                               numbuf, sizeof numbuf);
        size_t rank = col->remarks ? 0 : column++;

        if (!value)
            continue;
        if (clasconv_school_add_observation(school, observation_header(col),
                                            value))
            return CLASCONV_ERR_MEMORY;
        if (col->remarks)
            continue;
        col->nvalues++;
        if (clasconv_value_parse_cell(
                clasconv_sheet_get(loc->sheet, row, col->col), &count) ==
            CLASCONV_VALUE_OK)
            col->ncounts++;
        if (col->nvalues > UNKNOWN_VALUES_LISTED)
            continue;
        clasconv_listing_add(&col->values, rank, school->name, value);
        if (col->values.failed)
            return CLASCONV_ERR_MEMORY;
    }
    return CLASCONV_OK;
}

void locate_colmap_free(colmap *map)
{
    size_t u;

    for (u = 0; u < map->nunknown; u++)
        clasconv_buf_free(&map->unknown[u].values);
    free(map->unknown);
    map->unknown = NULL;
    map->nunknown = 0;
}
