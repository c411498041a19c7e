/* rows.c: reads the rows below the header: tells section, TOTAL, note and
 * repeated-header rows from school rows, and reads each school's name,
 * level and counts (SPEC section 1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table/locate_internal.h"
#include "table/reconcile.h"
#include "table/vocab.h"

#define NOTE_MIN_LENGTH 90 /* a longer text with no counts is a note */

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
        locate_cell_merged(loc, row->row, loc->map.name_col);
    uint32_t i;

    if (name && name->type == CLASCONV_CELL_TEXT)
        return name->v.text;
    for (i = 0; i < row->ncells; i++) {
        if (row->cells[i].type != CLASCONV_CELL_TEXT)
            continue;
        if (locate_is_scheme_col(&loc->map, row->cells[i].col))
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
        if (status == CLASCONV_VALUE_OK || status == CLASCONV_VALUE_ZERO_WORD ||
            status == CLASCONV_VALUE_UNIT_REMOVED)
            total->counts[s] = value;
        clasconv_value_cell_text(cell, text, sizeof text);
        locate_ref(loc->sheet, row, col, ref, sizeof ref);
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
    char text[256], ref[96], kept[32];

    if (st == CLASCONV_VALUE_OK || st == CLASCONV_VALUE_BLANK)
        return CLASCONV_OK;
    clasconv_value_cell_text(cell, text, sizeof text);
    locate_ref(loc->sheet, row, col, ref, sizeof ref);
    at.level = school->level;
    at.scheme = scheme;
    at.school = school->name;
    at.cell = ref;
    at.read = text;
    at.kept = "";
    snprintf(kept, sizeof kept, "%lld", (long long)school->counts[scheme]);
    switch (st) {
    case CLASCONV_VALUE_NOT_A_NUMBER:
        return clasconv_anomalies_add(
            list, CLASCONV_A_VALUE_NOT_A_NUMBER, &at,
            "La valeur « %s » en %s n'est pas un nombre d'enfants ; la "
            "cellule est laissée vide. Saisissez le nombre d'enfants (un "
            "nombre entier ≥ 0), ou laissez la cellule vide s'il n'y en a "
            "pas.",
            text, ref);
    case CLASCONV_VALUE_NOT_INTEGER:
        return clasconv_anomalies_add(
            list, CLASCONV_A_VALUE_NOT_INTEGER, &at,
            "La valeur « %s » en %s n'est pas un nombre entier d'enfants ; "
            "la cellule est laissée vide. Saisissez le nombre d'enfants "
            "sans décimale (un nombre entier ≥ 0), ou laissez la cellule "
            "vide s'il n'y en a pas.",
            text, ref);
    case CLASCONV_VALUE_NEGATIVE:
        return clasconv_anomalies_add(
            list, CLASCONV_A_VALUE_NEGATIVE, &at,
            "La valeur « %s » en %s est négative : un nombre d'enfants ne "
            "peut pas l'être ; la cellule est laissée vide. Saisissez le "
            "nombre d'enfants (un nombre entier ≥ 0), ou laissez la "
            "cellule vide s'il n'y en a pas.",
            text, ref);
    case CLASCONV_VALUE_ZERO_WORD:
        at.kept = "0";
        return clasconv_anomalies_add(list, CLASCONV_A_VALUE_READ_AS_ZERO, &at,
                                      "La valeur « %s » en %s est lue comme "
                                      "0. Si elle veut dire autre chose, "
                                      "saisissez le nombre d'enfants.",
                                      text, ref);
    case CLASCONV_VALUE_UNIT_REMOVED:
        at.kept = kept;
        return clasconv_anomalies_add(
            list, CLASCONV_A_VALUE_UNIT_REMOVED, &at,
            "La valeur « %s » en %s est lue comme %s : le mot après le "
            "nombre d'enfants est retiré.",
            text, ref, kept);
    case CLASCONV_VALUE_BLANK:
    case CLASCONV_VALUE_OK:
        break;
    }
    return CLASCONV_OK;
}

/* "Coup de pouce : 3" in the AUTRE column: the scheme's name, then its
 * count. Text after a count ("12 (Coup de pouce)") is not a précision
 * (SPEC section 1): that cell is VALUE_NOT_A_NUMBER as in any scheme. */
static int split_autre(const char *text, int64_t *value, char *detail,
                       size_t size)
{
    const char *p, *last = text + strlen(text), *end;
    int64_t v = 0;
    size_t n;

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

    locate_ref(loc->sheet, row, qpv_col != NO_COL ? qpv_col : count_col, ref,
               sizeof ref);
    src.cell = ref;
    src.count_filled = count_col != NO_COL &&
                       clasconv_sheet_get(loc->sheet, row, count_col) != NULL;
    src.qpv_mapped = qpv_col != NO_COL;
    src.qpv_filled = qpv_col != NO_COL &&
                     clasconv_sheet_get(loc->sheet, row, qpv_col) != NULL;
    return reconcile_check_qpv(&loc->table->anomalies, s, scheme, &src);
}

/* The level of a school row: its "Niveau" cell, else the section it is
 * in, else what its name implies (`name_level`). `*told` is set when the
 * level came from the sheet rather than from the name. */
static clasconv_level school_level(const locator *loc, uint32_t row,
                                   clasconv_level section,
                                   clasconv_level name_level, int *told)
{
    char folded[128];

    *told = 1;
    if (loc->map.level_col != NO_COL) {
        const clasconv_cell *lc =
            locate_cell_merged(loc, row, loc->map.level_col);
        if (lc && locate_fold(locate_cell_text(lc), folded, sizeof folded)) {
            clasconv_level level = vocab_level_cell(folded);
            if (level != CLASCONV_LEVEL_NONE)
                return level;
        }
    }
    if (section != CLASCONV_LEVEL_NONE)
        return section;
    *told = 0;
    return name_level;
}

/* Adds the school row, under its canonical name or, when it has none,
 * "(sans nom, A25)"; raises SCHOOL_NAME_MISSING then. */
static clasconv_error add_school_row(locator *loc, const char *read,
                                     const clasconv_school_name *name,
                                     clasconv_level level, const char *ref,
                                     clasconv_school **out)
{
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();
    char missing[160];
    clasconv_school *school;

    if (read && name->canonical && name->canonical[0]) {
        school = clasconv_table_add_school(loc->table, level, name->canonical,
                                           name->key, read, ref);
        *out = school;
        return school ? CLASCONV_OK : CLASCONV_ERR_MEMORY;
    }
    snprintf(missing, sizeof missing, "(sans nom, %s)", ref);
    school =
        clasconv_table_add_school(loc->table, level, missing, "", NULL, ref);
    *out = school;
    if (!school)
        return CLASCONV_ERR_MEMORY;
    at.level = level;
    at.school = school->name;
    at.cell = ref;
    return clasconv_anomalies_add(
        &loc->table->anomalies, CLASCONV_A_SCHOOL_NAME_MISSING, &at,
        "La ligne %s contient des effectifs mais pas de nom "
        "d'établissement ; elle est gardée sous le nom « %s ». "
        "Indiquez le nom de l'établissement.",
        ref, school->name);
}

/* LEVEL_UNKNOWN when nothing tells the level; the level's cross-cell
 * check (LEVEL_CONFLICT) is reconcile.c's. */
static clasconv_error level_anomaly(locator *loc, const clasconv_school *school,
                                    int level_told, clasconv_level name_level)
{
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();

    if (school->level != CLASCONV_LEVEL_NONE)
        return reconcile_check_level(
            &loc->table->anomalies, school,
            level_told ? school->level : CLASCONV_LEVEL_NONE, name_level);
    at.level = school->level;
    at.school = school->name;
    at.cell = school->cell;
    return clasconv_anomalies_add(
        &loc->table->anomalies, CLASCONV_A_LEVEL_UNKNOWN, &at,
        "Le niveau de « %s » (%s) est inconnu : ni une ligne « NIVEAU "
        "… », ni une colonne « Niveau », ni le type d'établissement ne "
        "l'indiquent. La ligne est gardée sans niveau ; précisez s'il "
        "s'agit d'une école, d'un collège ou d'un lycée.",
        school->name, school->cell);
}

/* Non-zero when a count merged down from `row` covers another non-empty
 * row: then it belongs to no one school. */
static int merged_over_rows(const locator *loc, uint32_t row, uint32_t col,
                            uint32_t *last_row)
{
    const clasconv_merge *m = locate_merge_at(&loc->merges, row, col);
    size_t next;

    if (!m || m->first_row != row || m->last_row == row)
        return 0;
    next = clasconv_sheet_row_lower_bound(loc->sheet, row + 1);
    *last_row = m->last_row;
    return next < clasconv_sheet_row_count(loc->sheet) &&
           clasconv_sheet_row(loc->sheet, next).row <= m->last_row;
}

/* VALUE_NOT_A_NUMBER for a count merged over several rows. */
static clasconv_error
merged_count_anomaly(locator *loc, const clasconv_school *school,
                     clasconv_scheme scheme, const clasconv_cell *cell,
                     uint32_t row, uint32_t col, uint32_t last_row)
{
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();
    char text[256], ref[96], last[96];

    clasconv_value_cell_text(cell, text, sizeof text);
    locate_ref(loc->sheet, row, col, ref, sizeof ref);
    locate_ref(loc->sheet, last_row, col, last, sizeof last);
    at.level = school->level;
    at.scheme = scheme;
    at.school = school->name;
    at.cell = ref;
    at.read = text;
    at.kept = "";
    return clasconv_anomalies_add(
        &loc->table->anomalies, CLASCONV_A_VALUE_NOT_A_NUMBER, &at,
        "La valeur « %s » (%s) est une cellule fusionnée sur plusieurs "
        "lignes d'établissements (jusqu'à %s) : à quel établissement "
        "correspond-elle ? Elle n'est reprise pour aucun ; indiquez "
        "l'effectif de chaque établissement sur sa ligne.",
        text, ref, last);
}

/* Reads the row's count cells into the school (SPEC section 1), with
 * "Coup de pouce : 3" split in AUTRE; raises the VALUE_* anomalies. */
static clasconv_error read_counts(locator *loc, clasconv_school *school,
                                  uint32_t row)
{
    clasconv_error err = CLASCONV_OK;
    int s;

    for (s = 0; s < CLASCONV_SCHEME_COUNT && !err; s++) {
        uint32_t col = loc->map.scheme_col[s];
        const clasconv_cell *cell;
        clasconv_value_status st;
        int64_t value = CLASCONV_BLANK;
        uint32_t last_row;
        char detail[256];

        if (col == NO_COL)
            continue;
        cell = clasconv_sheet_get(loc->sheet, row, col);
        if (!cell)
            continue;
        if (merged_over_rows(loc, row, col, &last_row)) {
            err = merged_count_anomaly(loc, school, (clasconv_scheme)s, cell,
                                       row, col, last_row);
            continue;
        }
        st = clasconv_value_parse_cell(cell, &value);
        if (s == CLASCONV_SCHEME_AUTRE && st == CLASCONV_VALUE_NOT_A_NUMBER &&
            cell->type == CLASCONV_CELL_TEXT &&
            split_autre(cell->v.text, &value, detail, sizeof detail)) {
            st = CLASCONV_VALUE_OK;
            err = clasconv_table_set_string(&school->autre_detail, detail);
        }
        if (st == CLASCONV_VALUE_OK || st == CLASCONV_VALUE_ZERO_WORD ||
            st == CLASCONV_VALUE_UNIT_REMOVED)
            school->counts[s] = value;
        if (!err)
            err = value_anomaly(loc, st, school, (clasconv_scheme)s, cell, row,
                                col);
    }
    return err;
}

/* "Autre (précision)": the row's own cell, else the header's detail when
 * the school has an AUTRE count (a detail split from the count stays). */
static clasconv_error read_autre_detail(locator *loc, clasconv_school *school,
                                        uint32_t row)
{
    const colmap *map = &loc->map;
    char numbuf[64];

    if (map->detail_col != NO_COL) {
        const char *detail = locate_cell_string(
            clasconv_sheet_get(loc->sheet, row, map->detail_col), numbuf,
            sizeof numbuf);
        if (detail) {
            clasconv_error err =
                clasconv_table_set_string(&school->autre_detail, detail);
            if (err)
                return err;
        }
    }
    if (!school->autre_detail && map->autre_detail[0] &&
        school->counts[CLASCONV_SCHEME_AUTRE] != CLASCONV_BLANK)
        return clasconv_table_set_string(&school->autre_detail,
                                         map->autre_detail);
    return CLASCONV_OK;
}

/* The row's UAI column, as written: src/ref puts it in its plain form and
 * checks its letter. */
static clasconv_error read_uai(locator *loc, clasconv_school *school,
                               uint32_t row)
{
    char numbuf[64];
    const char *uai;

    if (loc->map.uai_col == NO_COL)
        return CLASCONV_OK;
    uai = locate_cell_string(
        clasconv_sheet_get(loc->sheet, row, loc->map.uai_col), numbuf,
        sizeof numbuf);
    if (!uai || clasconv_text_is_blank(uai, strlen(uai)))
        return CLASCONV_OK;
    return clasconv_table_set_string(&school->uai, uai);
}

/* Reads one school row: name, level, counts, cross-cell checks, detail,
 * and the values of the columns nobody understood. */
static clasconv_error read_school(locator *loc, uint32_t row,
                                  clasconv_level section)
{
    const colmap *map = &loc->map;
    const clasconv_cell *name_cell =
        locate_cell_merged(loc, row, map->name_col);
    char numbuf[64], ref[96];
    const char *read = locate_cell_string(name_cell, numbuf, sizeof numbuf);
    clasconv_school_name name = {NULL, NULL, CLASCONV_LEVEL_NONE};
    clasconv_school *school = NULL;
    clasconv_level level;
    int level_told;
    clasconv_error err;

    locate_ref(loc->sheet, row, map->name_col != NO_COL ? map->name_col : 0,
               ref, sizeof ref);
    if (read) {
        err = clasconv_school_name_normalize(read, &name);
        if (err)
            return err;
    }
    level = school_level(loc, row, section, name.level, &level_told);
    err = add_school_row(loc, read, &name, level, ref, &school);
    if (!err)
        err = level_anomaly(loc, school, level_told, name.level);
    clasconv_school_name_free(&name);
    if (!err)
        err = read_counts(loc, school, row);
    if (!err)
        err = check_qpv(loc, school, row, CLASCONV_SCHEME_PRE,
                        CLASCONV_SCHEME_PRE_QPV);
    if (!err)
        err = check_qpv(loc, school, row, CLASCONV_SCHEME_CLAS,
                        CLASCONV_SCHEME_CLAS_QPV);
    if (!err)
        err = read_autre_detail(loc, school, row);
    if (!err)
        err = read_uai(loc, school, row);
    if (!err)
        err = locate_note_unknown_values(loc, row, school);
    return err;
}

/* Non-zero when a count cell of the row holds a digit: then the row is
 * data, and the costly header test is skipped. */
static int scheme_digits(const locator *loc, const clasconv_row *row)
{
    uint32_t i;

    for (i = 0; i < row->ncells; i++) {
        const clasconv_cell *cell = &row->cells[i];
        if (!locate_is_scheme_col(&loc->map, cell->col))
            continue;
        if (cell->type == CLASCONV_CELL_NUMBER ||
            strpbrk(cell->v.text, "0123456789"))
            return 1;
    }
    return 0;
}

static int is_repeated_header(const clasconv_row *row)
{
    return locate_header_score(row) > 0 || locate_subheader_score(row) >= 2;
}

/* The level a section label names ("NIVEAU COLLEGE", "Lycées"), or NONE. */
static clasconv_level section_label(const char *text)
{
    char folded[256];

    if (!locate_fold(text, folded, sizeof folded))
        return CLASCONV_LEVEL_NONE;
    return vocab_level_section(folded);
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

clasconv_error locate_read_rows(locator *loc)
{
    const clasconv_sheet *sheet = loc->sheet;
    size_t i = clasconv_sheet_row_lower_bound(sheet, loc->header_row + 1);
    size_t n = clasconv_sheet_row_count(sheet);
    clasconv_level section = loc->sheet_level;
    clasconv_table *table = loc->table;
    clasconv_error err = CLASCONV_OK;
    uint32_t prev_row = loc->header_row;
    int ended = 0, seen_counts = 0, after_gap = 0;
    uint32_t cols[CLASCONV_SCHEME_COUNT + 2];
    int s;

    for (s = 0; s < CLASCONV_SCHEME_COUNT; s++)
        cols[s] = loc->map.scheme_col[s];
    cols[CLASCONV_SCHEME_COUNT] = loc->map.name_col;
    cols[CLASCONV_SCHEME_COUNT + 1] = loc->map.level_col;
    err = locate_merges_build(&loc->merges, sheet, cols,
                              CLASCONV_SCHEME_COUNT + 2);

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
        locate_fold(label, folded, sizeof folded);
        if (!scheme_digits(loc, &row) && is_repeated_header(&row))
            continue;
        total =
            folded[0] ? vocab_total_label(folded, &level) : VOCAB_TOTAL_NONE;
        if (total != VOCAB_TOTAL_NONE) {
            clasconv_declared_total *d = &table->declared_all;
            if (total == VOCAB_TOTAL_BARE && loc->map.level_col != NO_COL) {
                char lf[128];
                const clasconv_cell *lc =
                    locate_cell_merged(loc, row.row, loc->map.level_col);
                if (locate_fold(locate_cell_text(lc), lf, sizeof lf))
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
                !locate_cell_merged(loc, row.row, loc->map.name_col))
                continue; /* text only outside the table's columns */
            if (after_gap && untyped_name(label))
                continue; /* a note or a signature below the table */
        } else {
            seen_counts = 1;
            after_gap = 0;
        }
        err = read_school(loc, row.row, section);
    }
    locate_merges_free(&loc->merges);
    return err;
}
