/* locate.c: finds the CLAS table in a grid and reads its rows.
 *
 * The header row is the row that names the most schemes (SPEC section 1
 * vocabulary, see vocab.c), in any sheet. Columns are mapped from it, from
 * merged header cells and from the "NOMBRE D'ENFANTS" / "Dont issus QPV"
 * sub-header row when there is one. Rows below are then told apart:
 * repeated headers, NIVEAU section rows, TOTAL rows, notes, and school rows,
 * whose values are read per SPEC section 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clasconv/buf.h"
#include "clasconv/table.h"
#include "core/text.h"
#include "table/reconcile.h"
#include "table/vocab.h"

#define NO_COL UINT32_MAX
#define HEADER_SEARCH_ROWS 400 /* non-empty rows searched for a header */
#define SUBHEADER_SEARCH_ROWS 8
#define UNKNOWN_VALUES_LISTED 20
#define NOTE_MIN_LENGTH 90 /* a longer text with no counts is a note */

typedef struct unknown_col {
    uint32_t col;
    char header[128];
    char ref[96];
    clasconv_buf values;
    size_t nvalues;
} unknown_col;

typedef struct colmap {
    uint32_t scheme_col[CLASCONV_SCHEME_COUNT];
    uint32_t name_col;
    uint32_t level_col;
    uint32_t detail_col;
    uint32_t first_col, last_col; /* extent of mapped columns */
    char autre_detail[128];
    unknown_col *unknown;
    size_t nunknown;
} colmap;

typedef struct locator {
    const clasconv_sheet *sheet;
    clasconv_table *table;
    colmap map;
    uint32_t header_row;
    uint32_t subheader_row; /* NO_COL when none */
} locator;

/* Text of a cell for matching: numbers are not header words. */
static const char *cell_text(const clasconv_cell *cell)
{
    return cell && cell->type == CLASCONV_CELL_TEXT ? cell->v.text : NULL;
}

static int fold(const char *text, char *out, size_t size)
{
    out[0] = '\0';
    return text && clasconv_text_fold(text, out, size) > 0;
}

/* Scores a row as a header: distinct schemes named, name column. */
static int header_score(const clasconv_row *row)
{
    unsigned seen = 0;
    int main_schemes = 0, qpv = 0, name = 0, numbers = 0;
    uint32_t i;

    for (i = 0; i < row->ncells; i++) {
        const char *text = cell_text(&row->cells[i]);
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
static int subheader_score(const clasconv_row *row)
{
    int score = 0;
    uint32_t i;

    if (row_has_number(row))
        return 0;
    for (i = 0; i < row->ncells; i++) {
        const char *text = cell_text(&row->cells[i]);
        vocab_header h;
        if (!text)
            continue;
        h = vocab_classify_header(text);
        if (h.kind == VOCAB_COUNT || h.kind == VOCAB_QPV)
            score++;
    }
    return score;
}

static void set_ref(const clasconv_sheet *sheet, uint32_t row, uint32_t col,
                    char *buf, size_t size)
{
    clasconv_sheet_ref(sheet, row, col, buf, size);
}

static clasconv_error add_unknown(locator *loc, uint32_t col,
                                  const char *header)
{
    unknown_col *u;
    colmap *map = &loc->map;

    u = realloc(map->unknown, (map->nunknown + 1) * sizeof *u);
    if (!u)
        return CLASCONV_ERR_MEMORY;
    map->unknown = u;
    u = &map->unknown[map->nunknown++];
    memset(u, 0, sizeof *u);
    u->col = col;
    snprintf(u->header, sizeof u->header, "%s", header);
    set_ref(loc->sheet, loc->header_row, col, u->ref, sizeof u->ref);
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
    set_ref(loc->sheet, header_row, map->scheme_col[scheme], first,
            sizeof first);
    set_ref(loc->sheet, header_row, col, second, sizeof second);
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

static uint32_t find_subheader(const locator *loc)
{
    size_t i = clasconv_sheet_row_lower_bound(loc->sheet, loc->header_row + 1);
    size_t end = i + SUBHEADER_SEARCH_ROWS;
    size_t n = clasconv_sheet_row_count(loc->sheet);

    for (; i < n && i < end; i++) {
        clasconv_row row = clasconv_sheet_row(loc->sheet, i);
        if (row_has_number(&row))
            break;
        if (subheader_score(&row) >= 2)
            return row.row;
    }
    return NO_COL;
}

/* Maps columns from the header row (and sub-header row). */
static clasconv_error map_columns(locator *loc)
{
    colmap *map = &loc->map;
    uint32_t ncols = clasconv_sheet_col_count(loc->sheet), c;
    clasconv_scheme *header_scheme = NULL;
    vocab_header *hk = NULL, *sk = NULL;
    clasconv_error err = CLASCONV_OK;
    int s;

    for (s = 0; s < CLASCONV_SCHEME_COUNT; s++)
        map->scheme_col[s] = NO_COL;
    map->name_col = map->level_col = map->detail_col = NO_COL;
    map->first_col = NO_COL;
    map->last_col = 0;
    header_scheme = malloc(ncols * sizeof *header_scheme + 1);
    hk = calloc(ncols + 1, sizeof *hk);
    sk = calloc(ncols + 1, sizeof *sk);
    if (!header_scheme || !hk || !sk) {
        err = CLASCONV_ERR_MEMORY;
        goto done;
    }
    loc->subheader_row = find_subheader(loc);
    for (c = 0; c < ncols; c++) {
        const char *text =
            cell_text(clasconv_sheet_get(loc->sheet, loc->header_row, c));
        hk[c].scheme = sk[c].scheme = CLASCONV_SCHEME_NONE;
        header_scheme[c] = CLASCONV_SCHEME_NONE;
        if (text) {
            hk[c] = vocab_classify_header(text);
            if (hk[c].kind == VOCAB_SCHEME)
                header_scheme[c] = hk[c].scheme;
        }
        if (loc->subheader_row != NO_COL) {
            text = cell_text(
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
                                  cell_text(clasconv_sheet_get(
                                      loc->sheet, loc->header_row, c)));
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
        case VOCAB_COUNT:
            break;
        case VOCAB_NONE: {
            const clasconv_cell *cell =
                clasconv_sheet_get(loc->sheet, loc->header_row, c);
            if (cell && cell->type == CLASCONV_CELL_TEXT) {
                err = add_unknown(loc, c, cell->v.text);
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

static int is_scheme_col(const colmap *map, uint32_t col)
{
    int s;

    for (s = 0; s < CLASCONV_SCHEME_COUNT; s++)
        if (map->scheme_col[s] == col)
            return 1;
    return 0;
}

/* Without a name header, the name column is the one left of the counts
 * that holds the most text in the rows below the header. */
static void guess_name_column(locator *loc)
{
    colmap *map = &loc->map;
    size_t first =
        clasconv_sheet_row_lower_bound(loc->sheet, loc->header_row + 1);
    size_t n = clasconv_sheet_row_count(loc->sheet), i, u;
    uint32_t best = NO_COL, c;
    size_t best_count = 0;
    size_t *counts;
    uint32_t ncols = clasconv_sheet_col_count(loc->sheet);

    if (map->name_col != NO_COL || !ncols)
        return;
    counts = calloc(ncols, sizeof *counts);
    if (!counts)
        return;
    for (i = first; i < n && i < first + 60; i++) {
        clasconv_row row = clasconv_sheet_row(loc->sheet, i);
        uint32_t k;
        for (k = 0; k < row.ncells; k++)
            if (row.cells[k].type == CLASCONV_CELL_TEXT)
                counts[row.cells[k].col]++;
    }
    for (c = 0; c < ncols; c++) {
        int left = map->first_col == NO_COL || c < map->first_col;
        if (is_scheme_col(map, c) || c == map->level_col ||
            c == map->detail_col)
            continue;
        /* prefer columns left of the counts: weigh them double */
        if (counts[c] * (left ? 2u : 1u) > best_count) {
            best_count = counts[c] * (left ? 2u : 1u);
            best = c;
        }
    }
    free(counts);
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
static void guess_autre_detail(locator *loc)
{
    colmap *map = &loc->map;
    uint32_t autre = map->scheme_col[CLASCONV_SCHEME_AUTRE], col;
    size_t first, n, i, texts = 0, numbers = 0;
    const clasconv_merge *m;

    if (autre == NO_COL || map->detail_col != NO_COL)
        return;
    col = autre + 1;
    if (is_scheme_col(map, col) || col == map->name_col ||
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

static clasconv_error report_columns(locator *loc)
{
    colmap *map = &loc->map;
    clasconv_error err = CLASCONV_OK;
    size_t u;
    int s;

    for (s = 0; s < CLASCONV_SCHEME_COUNT && !err; s++) {
        clasconv_anomaly_at at = clasconv_anomaly_nowhere();
        if (map->scheme_col[s] != NO_COL)
            continue;
        at.scheme = (clasconv_scheme)s;
        err = clasconv_anomalies_add(
            &loc->table->anomalies, CLASCONV_A_COLUMN_MISSING, &at,
            "La colonne « %s » est absente du tableau ; ses cellules "
            "restent vides.",
            clasconv_scheme_label((clasconv_scheme)s));
    }
    for (u = 0; u < map->nunknown && !err; u++) {
        unknown_col *col = &map->unknown[u];
        clasconv_anomaly_at at = clasconv_anomaly_nowhere();
        at.cell = col->ref;
        at.read = col->values.data ? col->values.data : "";
        if (col->nvalues)
            err = clasconv_anomalies_add(
                &loc->table->anomalies, CLASCONV_A_COLUMN_UNKNOWN, &at,
                "La colonne « %s » (%s) ne correspond à aucun dispositif ; "
                "ses %zu valeurs ne sont pas reprises : %s%s.",
                col->header, col->ref, col->nvalues, col->values.data,
                col->nvalues > UNKNOWN_VALUES_LISTED ? " …" : "");
        else
            err = clasconv_anomalies_add(
                &loc->table->anomalies, CLASCONV_A_COLUMN_UNKNOWN, &at,
                "La colonne « %s » (%s) ne correspond à aucun dispositif ; "
                "elle est vide et n'est pas reprise.",
                col->header, col->ref);
    }
    return err;
}

static void format_number(double v, char *buf, size_t size)
{
    snprintf(buf, size, "%.15g", v);
}

/* The cell's text as written, for names and details. */
static const char *cell_string(const clasconv_cell *cell, char *buf,
                               size_t size)
{
    if (!cell)
        return NULL;
    if (cell->type == CLASCONV_CELL_TEXT)
        return cell->v.text;
    format_number(cell->v.number, buf, size);
    return buf;
}

static int row_has_values(const locator *loc, uint32_t row)
{
    int s;

    for (s = 0; s < CLASCONV_SCHEME_COUNT; s++)
        if (loc->map.scheme_col[s] != NO_COL &&
            clasconv_sheet_get(loc->sheet, row, loc->map.scheme_col[s]))
            return 1;
    return 0;
}

/* The text that labels a row: its name cell, else its first text cell
 * left of the counts (a merged NIVEAU or TOTAL label). */
static const char *row_label(const locator *loc, const clasconv_row *row)
{
    const clasconv_cell *name =
        loc->map.name_col != NO_COL
            ? clasconv_sheet_get(loc->sheet, row->row, loc->map.name_col)
            : NULL;
    uint32_t i;

    if (name && name->type == CLASCONV_CELL_TEXT)
        return name->v.text;
    for (i = 0; i < row->ncells; i++) {
        if (row->cells[i].type != CLASCONV_CELL_TEXT)
            continue;
        if (is_scheme_col(&loc->map, row->cells[i].col))
            continue;
        return row->cells[i].v.text;
    }
    return NULL;
}

static clasconv_error
record_declared(locator *loc, clasconv_declared_total *total, uint32_t row)
{
    int s;

    total->present = 1;
    for (s = 0; s < CLASCONV_SCHEME_COUNT; s++) {
        uint32_t col = loc->map.scheme_col[s];
        const clasconv_cell *cell;
        char text[64], ref[96];
        int64_t value;
        clasconv_value_status status;

        total->counts[s] = CLASCONV_BLANK;
        if (col == NO_COL)
            continue;
        cell = clasconv_sheet_get(loc->sheet, row, col);
        if (!cell)
            continue;
        status = clasconv_value_parse_cell(cell, &value);
        if (status == CLASCONV_VALUE_OK || status == CLASCONV_VALUE_ZERO_WORD)
            total->counts[s] = value;
        clasconv_value_cell_text(cell, text, sizeof text);
        set_ref(loc->sheet, row, col, ref, sizeof ref);
        if (clasconv_table_set_string(&total->cells[s], ref) ||
            clasconv_table_set_string(&total->read[s], text))
            return CLASCONV_ERR_MEMORY;
    }
    return CLASCONV_OK;
}

static clasconv_error value_anomaly(locator *loc, clasconv_value_status st,
                                    const clasconv_school *school,
                                    clasconv_scheme scheme,
                                    const clasconv_cell *cell, uint32_t row,
                                    uint32_t col)
{
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();
    clasconv_anomalies *list = &loc->table->anomalies;
    char text[256], ref[96];

    if (st == CLASCONV_VALUE_OK || st == CLASCONV_VALUE_BLANK)
        return CLASCONV_OK;
    clasconv_value_cell_text(cell, text, sizeof text);
    set_ref(loc->sheet, row, col, ref, sizeof ref);
    at.level = school->level;
    at.scheme = scheme;
    at.school = school->name;
    at.cell = ref;
    at.read = text;
    at.kept = "";
    switch (st) {
    case CLASCONV_VALUE_NOT_A_NUMBER:
        return clasconv_anomalies_add(
            list, CLASCONV_A_VALUE_NOT_A_NUMBER, &at,
            "La valeur « %s » en %s n'est pas un nombre d'enfants ; la "
            "cellule est laissée vide.",
            text, ref);
    case CLASCONV_VALUE_NOT_INTEGER:
        return clasconv_anomalies_add(
            list, CLASCONV_A_VALUE_NOT_INTEGER, &at,
            "La valeur « %s » en %s n'est pas un nombre entier d'enfants ; "
            "la cellule est laissée vide.",
            text, ref);
    case CLASCONV_VALUE_NEGATIVE:
        return clasconv_anomalies_add(
            list, CLASCONV_A_VALUE_NEGATIVE, &at,
            "La valeur « %s » en %s est négative : un nombre d'enfants ne "
            "peut pas l'être ; la cellule est laissée vide.",
            text, ref);
    case CLASCONV_VALUE_ZERO_WORD:
        at.kept = "0";
        return clasconv_anomalies_add(list, CLASCONV_A_VALUE_READ_AS_ZERO, &at,
                                      "La valeur « %s » en %s est lue comme 0.",
                                      text, ref);
    case CLASCONV_VALUE_BLANK:
    case CLASCONV_VALUE_OK:
        break;
    }
    return CLASCONV_OK;
}

/* "12 (coup de pouce)" or "Coup de pouce : 12" in the AUTRE column. */
static int split_autre(const char *text, int64_t *value, char *detail,
                       size_t size)
{
    const char *p = text, *digits, *end;
    int64_t v = 0;
    size_t n;

    while (*p == ' ')
        p++;
    if (*p >= '0' && *p <= '9') {
        for (digits = p; *p >= '0' && *p <= '9' && v < CLASCONV_COUNT_MAX; p++)
            v = v * 10 + (*p - '0');
        if (*p >= '0' && *p <= '9')
            return 0;
        end = p;
        while (*end == ' ' || *end == '(' || *end == ':' || *end == '-')
            end++;
        if (!*end || end == p)
            return 0;
        snprintf(detail, size, "%s", end);
        (void)digits;
    } else {
        const char *last = text + strlen(text);
        while (last > text && last[-1] == ' ')
            last--;
        end = last;
        while (last > text && last[-1] >= '0' && last[-1] <= '9')
            last--;
        if (last == end || end - last > 9)
            return 0;
        for (p = last; p < end; p++)
            v = v * 10 + (*p - '0');
        n = (size_t)(last - text);
        while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == ':' ||
                         text[n - 1] == '-' || text[n - 1] == '('))
            n--;
        if (!n)
            return 0;
        snprintf(detail, size, "%.*s", (int)n, text);
    }
    n = strlen(detail);
    while (n > 0 && (detail[n - 1] == ' ' || detail[n - 1] == ')'))
        detail[--n] = '\0';
    if (!n)
        return 0;
    *value = v;
    return 1;
}

/* Gathers what the sheet says about the PRE or CLAS cells of a row and
 * runs reconcile.c's "dont QPV" checks on them. */
static clasconv_error check_qpv(locator *loc, const clasconv_school *s,
                                uint32_t row, clasconv_scheme scheme,
                                clasconv_scheme qpv)
{
    uint32_t qpv_col = loc->map.scheme_col[qpv];
    uint32_t count_col = loc->map.scheme_col[scheme];
    reconcile_qpv_source src;
    char ref[96];

    set_ref(loc->sheet, row, qpv_col != NO_COL ? qpv_col : count_col, ref,
            sizeof ref);
    src.cell = ref;
    src.count_filled = count_col != NO_COL &&
                       clasconv_sheet_get(loc->sheet, row, count_col) != NULL;
    src.qpv_mapped = qpv_col != NO_COL;
    src.qpv_filled = qpv_col != NO_COL &&
                     clasconv_sheet_get(loc->sheet, row, qpv_col) != NULL;
    return reconcile_check_qpv(&loc->table->anomalies, s, scheme, &src);
}

static clasconv_error read_school(locator *loc, uint32_t row,
                                  clasconv_level section)
{
    colmap *map = &loc->map;
    const clasconv_cell *name_cell =
        map->name_col != NO_COL
            ? clasconv_sheet_get(loc->sheet, row, map->name_col)
            : NULL;
    char numbuf[64], ref[96], missing[160], folded[128];
    const char *read = cell_string(name_cell, numbuf, sizeof numbuf);
    clasconv_school_name name = {NULL, NULL, CLASCONV_LEVEL_NONE};
    clasconv_level level = CLASCONV_LEVEL_NONE;
    int level_told = 0, unnamed;
    clasconv_school *school;
    clasconv_error err;
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();
    size_t u;
    int s;

    set_ref(loc->sheet, row, map->name_col != NO_COL ? map->name_col : 0, ref,
            sizeof ref);
    if (read) {
        err = clasconv_school_name_normalize(read, &name);
        if (err)
            return err;
    }
    if (map->level_col != NO_COL) {
        const clasconv_cell *lc =
            clasconv_sheet_get(loc->sheet, row, map->level_col);
        if (lc && fold(cell_text(lc), folded, sizeof folded)) {
            if (!strncmp(folded, "niveau ", 7))
                memmove(folded, folded + 7, strlen(folded + 7) + 1);
            level = vocab_level_label(folded);
            level_told = level != CLASCONV_LEVEL_NONE;
        }
    }
    if (!level_told && section != CLASCONV_LEVEL_NONE) {
        level = section;
        level_told = 1;
    }
    if (!level_told)
        level = name.level;

    unnamed = !read || !name.canonical || !name.canonical[0];
    if (unnamed) {
        snprintf(missing, sizeof missing, "(sans nom, %s)", ref);
        school = clasconv_table_add_school(loc->table, level, missing, "", NULL,
                                           ref);
    } else {
        school = clasconv_table_add_school(loc->table, level, name.canonical,
                                           name.key, read, ref);
    }
    if (!school) {
        clasconv_school_name_free(&name);
        return CLASCONV_ERR_MEMORY;
    }
    at.level = level;
    at.school = school->name;
    at.cell = ref;
    err = CLASCONV_OK;
    if (unnamed) {
        err = clasconv_anomalies_add(
            &loc->table->anomalies, CLASCONV_A_SCHOOL_NAME_MISSING, &at,
            "La ligne %s contient des effectifs mais pas de nom "
            "d'établissement ; elle est gardée sous le nom « %s ». "
            "Indiquez le nom de l'établissement.",
            ref, school->name);
    }
    if (!err && level == CLASCONV_LEVEL_NONE) {
        err = clasconv_anomalies_add(
            &loc->table->anomalies, CLASCONV_A_LEVEL_UNKNOWN, &at,
            "Le niveau de « %s » (%s) est inconnu : ni une ligne « NIVEAU "
            "… », ni une colonne « Niveau », ni le type d'établissement ne "
            "l'indiquent. La ligne est gardée sans niveau ; précisez s'il "
            "s'agit d'une école, d'un collège ou d'un lycée.",
            school->name, ref);
    } else if (!err && level_told && name.level != CLASCONV_LEVEL_NONE &&
               name.level != level) {
        err = clasconv_anomalies_add(
            &loc->table->anomalies, CLASCONV_A_LEVEL_CONFLICT, &at,
            "« %s » (%s) est de niveau %s d'après son nom mais figure au "
            "niveau %s ; la ligne est laissée au niveau %s. Vérifiez-la.",
            school->name, ref, clasconv_level_label(name.level),
            clasconv_level_label(level), clasconv_level_label(level));
    }
    clasconv_school_name_free(&name);

    for (s = 0; s < CLASCONV_SCHEME_COUNT && !err; s++) {
        uint32_t col = map->scheme_col[s];
        const clasconv_cell *cell;
        clasconv_value_status st;
        int64_t value = CLASCONV_BLANK;
        char detail[256];

        if (col == NO_COL)
            continue;
        cell = clasconv_sheet_get(loc->sheet, row, col);
        if (!cell)
            continue;
        st = clasconv_value_parse_cell(cell, &value);
        if (s == CLASCONV_SCHEME_AUTRE && st == CLASCONV_VALUE_NOT_A_NUMBER &&
            cell->type == CLASCONV_CELL_TEXT &&
            split_autre(cell->v.text, &value, detail, sizeof detail)) {
            st = CLASCONV_VALUE_OK;
            err = clasconv_table_set_string(&school->autre_detail, detail);
        }
        if (st == CLASCONV_VALUE_OK || st == CLASCONV_VALUE_ZERO_WORD)
            school->counts[s] = value;
        if (!err)
            err = value_anomaly(loc, st, school, (clasconv_scheme)s, cell, row,
                                col);
    }
    if (!err)
        err = check_qpv(loc, school, row, CLASCONV_SCHEME_PRE,
                        CLASCONV_SCHEME_PRE_QPV);
    if (!err)
        err = check_qpv(loc, school, row, CLASCONV_SCHEME_CLAS,
                        CLASCONV_SCHEME_CLAS_QPV);
    if (!err && map->detail_col != NO_COL) {
        const char *detail =
            cell_string(clasconv_sheet_get(loc->sheet, row, map->detail_col),
                        numbuf, sizeof numbuf);
        if (detail)
            err = clasconv_table_set_string(&school->autre_detail, detail);
    }
    if (!err && !school->autre_detail && map->autre_detail[0] &&
        school->counts[CLASCONV_SCHEME_AUTRE] != CLASCONV_BLANK)
        err =
            clasconv_table_set_string(&school->autre_detail, map->autre_detail);
    for (u = 0; u < map->nunknown && !err; u++) {
        unknown_col *col = &map->unknown[u];
        const char *value =
            cell_string(clasconv_sheet_get(loc->sheet, row, col->col), numbuf,
                        sizeof numbuf);
        if (!value)
            continue;
        col->nvalues++;
        if (col->nvalues > UNKNOWN_VALUES_LISTED)
            continue;
        if (col->values.len)
            clasconv_buf_puts(&col->values, " ; ");
        clasconv_buf_printf(&col->values, "%s : « %s »", school->name, value);
        if (col->values.failed)
            err = CLASCONV_ERR_MEMORY;
    }
    return err;
}

/* Non-zero when a count cell of the row holds a digit: then the row is
 * data, and the costly header test is skipped. */
static int scheme_digits(const locator *loc, const clasconv_row *row)
{
    uint32_t i;

    for (i = 0; i < row->ncells; i++) {
        const clasconv_cell *cell = &row->cells[i];
        if (!is_scheme_col(&loc->map, cell->col))
            continue;
        if (cell->type == CLASCONV_CELL_NUMBER ||
            strpbrk(cell->v.text, "0123456789"))
            return 1;
    }
    return 0;
}

static int is_repeated_header(const clasconv_row *row)
{
    return header_score(row) > 0 || subheader_score(row) >= 2;
}

/* The level a section label names ("NIVEAU COLLEGE", "Lycées"), or NONE. */
static clasconv_level section_label(const char *text)
{
    char folded[256];
    clasconv_level level;

    if (!fold(text, folded, sizeof folded))
        return CLASCONV_LEVEL_NONE;
    level = vocab_level_label(folded);
    if (level == CLASCONV_LEVEL_NONE && !strncmp(folded, "niveau ", 7))
        level = vocab_level_label(folded + 7);
    return level;
}

/* Non-zero when a name carries no school type ("M. Dupont, adjoint"). */
static int untyped_name(const char *name)
{
    clasconv_school_name parsed = {NULL, NULL, CLASCONV_LEVEL_NONE};
    int untyped;

    if (clasconv_school_name_normalize(name, &parsed))
        return 0;
    untyped = parsed.level == CLASCONV_LEVEL_NONE;
    clasconv_school_name_free(&parsed);
    return untyped;
}

static clasconv_error read_rows(locator *loc)
{
    const clasconv_sheet *sheet = loc->sheet;
    size_t i = clasconv_sheet_row_lower_bound(sheet, loc->header_row + 1);
    size_t n = clasconv_sheet_row_count(sheet);
    clasconv_level section = CLASCONV_LEVEL_NONE;
    clasconv_table *table = loc->table;
    clasconv_error err = CLASCONV_OK;
    uint32_t prev_row = loc->header_row;
    int ended = 0, seen_counts = 0, after_gap = 0;

    for (; i < n && !err; prev_row = clasconv_sheet_row(sheet, i).row, i++) {
        clasconv_row row = clasconv_sheet_row(sheet, i);
        const char *label = row_label(loc, &row);
        char folded[256];
        int values = row_has_values(loc, row.row);
        clasconv_level level;
        vocab_total total;

        if (seen_counts && row.row > prev_row + 1)
            after_gap = 1; /* a blank row after the last counts */
        /* A lone label naming a level is a section row, in any column. */
        if (row.ncells == 1 && row.cells[0].type == CLASCONV_CELL_TEXT &&
            strlen(row.cells[0].v.text) < 64) {
            level = section_label(row.cells[0].v.text);
            if (level != CLASCONV_LEVEL_NONE) {
                section = level;
                ended = after_gap = 0;
                continue;
            }
        }
        fold(label, folded, sizeof folded);
        if (!scheme_digits(loc, &row) && is_repeated_header(&row))
            continue;
        total =
            folded[0] ? vocab_total_label(folded, &level) : VOCAB_TOTAL_NONE;
        if (total != VOCAB_TOTAL_NONE) {
            clasconv_declared_total *d = &table->declared_all;
            if (total == VOCAB_TOTAL_BARE && loc->map.level_col != NO_COL) {
                char lf[128];
                const clasconv_cell *lc =
                    clasconv_sheet_get(sheet, row.row, loc->map.level_col);
                if (fold(cell_text(lc), lf, sizeof lf))
                    level = vocab_level_label(lf);
            }
            if (total == VOCAB_TOTAL_BARE && level == CLASCONV_LEVEL_NONE &&
                section != CLASCONV_LEVEL_NONE &&
                !table->declared[section].present)
                level = section;
            if (total != VOCAB_TOTAL_ALL && level != CLASCONV_LEVEL_NONE)
                d = &table->declared[level];
            if (!d->present)
                err = record_declared(loc, d, row.row);
            if (d == &table->declared_all || level == CLASCONV_LEVEL_LYCEE)
                ended = 1;
            continue;
        }
        if (!values) {
            level = label && strlen(label) < 64 ? section_label(label)
                                                : CLASCONV_LEVEL_NONE;
            if (level != CLASCONV_LEVEL_NONE) {
                section = level;
                ended = after_gap = 0;
                continue;
            }
            if (ended)
                continue; /* notes below the last total */
            if (!label)
                continue; /* an empty template row */
            if (vocab_is_note(folded) || strlen(label) >= NOTE_MIN_LENGTH)
                continue;
            if (loc->map.name_col != NO_COL &&
                !clasconv_sheet_get(sheet, row.row, loc->map.name_col))
                continue; /* text only outside the table's columns */
            if (after_gap && untyped_name(label))
                continue; /* a note or a signature below the table */
        } else {
            seen_counts = 1;
            after_gap = 0;
        }
        err = read_school(loc, row.row, section);
    }
    return err;
}

/* --- Commune -------------------------------------------------------- */

/* Copies `text` without dotted leaders, underscores and outer blanks. */
static void clean_value(const char *text, char *out, size_t size)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)text;

    while (*p && o + 1 < size) {
        if (*p == '.' || *p == '_' || *p == ':' || *p == '\t' || *p == '\n' ||
            *p == '\r') {
            p++;
            if (o && out[o - 1] != ' ')
                out[o++] = ' ';
            continue;
        }
        if (p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xA6) { /* … */
            p += 3;
            continue;
        }
        out[o++] = (char)*p++;
    }
    out[o] = '\0';
    while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == ','))
        out[--o] = '\0';
    o = 0;
    while (out[o] == ' ')
        o++;
    memmove(out, out + o, strlen(out + o) + 1);
}

/* Finds the label word in `text` and returns what follows its colon. */
static const char *after_label(const char *text, const char *folded)
{
    static const char *const labels[] = {"territoire de", "territoire",
                                         "commune de",    "commune",
                                         "ville de",      "nom de la commune"};
    const char *colon;
    size_t i;

    for (i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        size_t n = strlen(labels[i]);
        if (!strncmp(folded, labels[i], n) &&
            (folded[n] == '\0' || folded[n] == ' '))
            break;
        if (i == 0 && strstr(folded, " territoire de"))
            break; /* "Des dispositifs éducatifs du territoire de :" */
    }
    if (i == sizeof labels / sizeof labels[0])
        return NULL;
    colon = strrchr(text, ':');
    if (colon)
        return colon + 1;
    if (!strncmp(folded, "commune de ", 11) ||
        !strncmp(folded, "ville de ", 9) ||
        !strncmp(folded, "territoire de ", 14)) {
        const char *de = strstr(text, " de ");
        if (!de)
            de = strstr(text, " DE ");
        return de ? de + 4 : "";
    }
    return "";
}

static int commune_from_sheet(const clasconv_sheet *sheet, uint32_t max_row,
                              char *out, size_t size)
{
    size_t i, n = clasconv_sheet_row_count(sheet);

    for (i = 0; i < n; i++) {
        clasconv_row row = clasconv_sheet_row(sheet, i);
        uint32_t k;
        if (row.row > max_row)
            break;
        for (k = 0; k < row.ncells; k++) {
            const char *text = cell_text(&row.cells[k]);
            const char *value;
            char folded[256];
            uint32_t j;
            if (!text || strlen(text) > 200 ||
                !fold(text, folded, sizeof folded))
                continue;
            value = after_label(text, folded);
            if (!value)
                continue;
            clean_value(value, out, size);
            if (out[0])
                return 1;
            /* the value sits in a cell to the right, or just below */
            for (j = k + 1; j < row.ncells; j++) {
                const char *next = cell_text(&row.cells[j]);
                if (!next)
                    continue;
                clean_value(next, out, size);
                if (out[0])
                    return 1;
            }
            if (i + 1 < n) {
                clasconv_row below = clasconv_sheet_row(sheet, i + 1);
                if (below.row == row.row + 1 && below.ncells &&
                    cell_text(&below.cells[0]) &&
                    strlen(below.cells[0].v.text) < 80) {
                    clean_value(below.cells[0].v.text, out, size);
                    if (out[0])
                        return 1;
                }
            }
        }
    }
    return 0;
}

static int all_same_case(const char *text)
{
    int upper = 0, lower = 0;
    const unsigned char *p = (const unsigned char *)text;

    for (; *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            lower = 1;
        else if (*p >= 'A' && *p <= 'Z')
            upper = 1;
    }
    return !(upper && lower);
}

/* "dispositifs_clas_2026_bron.csv" -> "Bron". */
static void commune_from_file_name(const char *file_name, char *out,
                                   size_t size)
{
    char name[512], word[256], folded[256];
    char *p, *dot;
    size_t o = 0;

    out[0] = '\0';
    if (!file_name)
        return;
    p = strrchr(file_name, '/');
    snprintf(name, sizeof name, "%s", p ? p + 1 : file_name);
    dot = strrchr(name, '.');
    if (dot && dot != name)
        *dot = '\0';
    for (p = name; *p; p++)
        if (*p == '_')
            *p = ' ';
    p = name;
    while (*p) {
        size_t len;
        while (*p == ' ')
            p++;
        len = strcspn(p, " ");
        if (!len)
            break;
        snprintf(word, sizeof word, "%.*s", (int)len, p);
        p += len;
        fold(word, folded, sizeof folded);
        if (!folded[0] || vocab_is_file_name_noise(folded))
            continue;
        if (o && o + 1 < size)
            out[o++] = ' ';
        o += (size_t)snprintf(out + o, size - o, "%s", word);
        if (o >= size)
            o = size - 1;
    }
    if (all_same_case(out)) {
        /* "bron", "BRON" -> "Bron"; hyphenated parts each capitalized */
        int start = 1;
        for (p = out; *p; p++) {
            if (*p >= 'a' && *p <= 'z' && start)
                *p = (char)(*p - 'a' + 'A');
            else if (*p >= 'A' && *p <= 'Z' && !start)
                *p = (char)(*p - 'A' + 'a');
            start = *p == ' ' || *p == '-' || *p == '\'';
        }
    }
}

static clasconv_error find_commune(const clasconv_grid *grid,
                                   const clasconv_sheet *table_sheet,
                                   uint32_t header_row, const char *file_name,
                                   clasconv_table *table)
{
    char commune[256];
    size_t i, n = clasconv_grid_meta_count(grid);

    commune[0] = '\0';
    for (i = 0; i < n && !commune[0]; i++) {
        const char *key, *value;
        char folded[64];
        clasconv_grid_meta(grid, i, &key, &value);
        fold(key, folded, sizeof folded);
        if (!strcmp(folded, "territoire") || !strcmp(folded, "commune"))
            clean_value(value, commune, sizeof commune);
    }
    if (!commune[0])
        commune_from_sheet(table_sheet, header_row, commune, sizeof commune);
    for (i = 0; i < clasconv_grid_sheet_count(grid) && !commune[0]; i++)
        commune_from_sheet(clasconv_grid_sheet(grid, i), 60, commune,
                           sizeof commune);
    if (!commune[0])
        commune_from_file_name(file_name, commune, sizeof commune);
    return clasconv_table_set_string(&table->commune,
                                     commune[0] ? commune : NULL);
}

/* --- Entry point ---------------------------------------------------- */

/* Output order: level order, then source order (stable). Applies the
 * permutation in place, so a 100,000-row table is not copied whole. */
static void sort_schools_by_level(clasconv_table *table)
{
    size_t n = table->nschools, i, next = 0, *dest;
    size_t count[CLASCONV_LEVEL_COUNT + 1] = {0};
    size_t start[CLASCONV_LEVEL_COUNT + 1];
    int l;

    for (i = 0; i < n; i++) {
        clasconv_level lv = table->schools[i].level;
        count[lv == CLASCONV_LEVEL_NONE ? CLASCONV_LEVEL_COUNT : lv]++;
    }
    for (l = 0; l <= CLASCONV_LEVEL_COUNT; l++) {
        start[l] = next;
        next += count[l];
    }
    dest = malloc(n * sizeof *dest + 1);
    if (!dest)
        return; /* order is cosmetic: keep source order */
    for (i = 0; i < n; i++) {
        clasconv_level lv = table->schools[i].level;
        dest[i] =
            start[lv == CLASCONV_LEVEL_NONE ? CLASCONV_LEVEL_COUNT : lv]++;
    }
    /* follow each cycle of the permutation: element i goes to dest[i] */
    for (i = 0; i < n; i++) {
        while (dest[i] != i) {
            size_t j = dest[i];
            clasconv_school tmp = table->schools[j];
            size_t dj = dest[j];
            table->schools[j] = table->schools[i];
            dest[j] = j;
            table->schools[i] = tmp;
            dest[i] = dj;
        }
    }
    free(dest);
}

clasconv_error clasconv_locate(const clasconv_grid *grid, const char *file_name,
                               clasconv_table *table, clasconv_diag *diag)
{
    const clasconv_sheet *best_sheet = NULL;
    uint32_t best_row = 0;
    int best_score = 0;
    size_t si, ri, u;
    locator loc;
    clasconv_error err;
    char sheet_label[128];

    for (si = 0; si < clasconv_grid_sheet_count(grid); si++) {
        const clasconv_sheet *sheet = clasconv_grid_sheet(grid, si);
        size_t n = clasconv_sheet_row_count(sheet);
        for (ri = 0; ri < n && ri < HEADER_SEARCH_ROWS; ri++) {
            clasconv_row row = clasconv_sheet_row(sheet, ri);
            int score = header_score(&row);
            if (score > best_score) {
                best_score = score;
                best_sheet = sheet;
                best_row = row.row;
            }
        }
    }
    if (!best_sheet) {
        clasconv_diag_set(
            diag,
            "Aucun tableau des dispositifs n'a été trouvé : aucune ligne "
            "d'en-tête ne nomme les dispositifs (Étude, École ouverte, "
            "Accompagnement éducatif, Stage de réussite, PRE, CLAS, Autre) "
            "%s. Vérifiez que le fichier contient bien le tableau de la "
            "section 3 de la note (« Dispositifs existants sur le "
            "territoire »), avec sa ligne d'en-tête.",
            clasconv_grid_sheet_count(grid) > 1 ? "dans aucune feuille"
                                                : "dans la feuille");
        return CLASCONV_ERR_NO_TABLE;
    }
    memset(&loc, 0, sizeof loc);
    loc.sheet = best_sheet;
    loc.table = table;
    loc.header_row = best_row;
    err = map_columns(&loc);
    if (!err) {
        guess_name_column(&loc);
        guess_autre_detail(&loc);
        err = read_rows(&loc);
    }
    if (!err)
        err = report_columns(&loc);
    for (u = 0; u < loc.map.nunknown; u++)
        clasconv_buf_free(&loc.map.unknown[u].values);
    free(loc.map.unknown);
    if (err) {
        clasconv_diag_set(diag, "Mémoire insuffisante pour lire le tableau.");
        return err;
    }
    sort_schools_by_level(table);
    if (clasconv_sheet_ref_kind(best_sheet) == CLASCONV_REF_WORD)
        snprintf(sheet_label, sizeof sheet_label, "tableau %u",
                 clasconv_sheet_table_no(best_sheet));
    else
        snprintf(sheet_label, sizeof sheet_label, "%s",
                 clasconv_sheet_name(best_sheet));
    err = clasconv_table_set_string(&table->sheet, sheet_label);
    if (!err)
        err = find_commune(grid, best_sheet, best_row, file_name, table);
    for (si = 0; si < clasconv_grid_meta_count(grid) && !err; si++) {
        const char *key, *value;
        clasconv_grid_meta(grid, si, &key, &value);
        err = clasconv_table_add_field(table, key, value);
    }
    if (err)
        clasconv_diag_set(diag, "Mémoire insuffisante pour lire le tableau.");
    return err;
}
