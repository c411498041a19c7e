/* reconcile.c: checks across cells and rows (SPEC section 3): QPV
 * sub-counts and level conflicts (run per row by the row reader, see
 * reconcile.h, so that anomalies keep the source order), duplicates,
 * totals per level and the declared TOTAL rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clasconv/table.h"
#include "table/reconcile.h"

static clasconv_scheme qpv_of(clasconv_scheme scheme)
{
    return scheme == CLASCONV_SCHEME_PRE ? CLASCONV_SCHEME_PRE_QPV
                                         : CLASCONV_SCHEME_CLAS_QPV;
}

clasconv_error reconcile_check_qpv(clasconv_anomalies *list,
                                   const clasconv_school *s,
                                   clasconv_scheme scheme,
                                   const reconcile_qpv_source *src)
{
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();
    clasconv_scheme qpv = qpv_of(scheme);
    int64_t count = s->counts[scheme], sub = s->counts[qpv];
    char read[32];

    if ((sub == CLASCONV_BLANK && (count == CLASCONV_BLANK || count == 0)) ||
        (sub != CLASCONV_BLANK && count != CLASCONV_BLANK && sub <= count))
        return CLASCONV_OK; /* nothing to report: the common cases */
    at.level = s->level;
    at.school = s->name;
    at.scheme = qpv;
    at.cell = src->cell;
    if (sub != CLASCONV_BLANK && count != CLASCONV_BLANK && sub > count) {
        snprintf(read, sizeof read, "%lld", (long long)sub);
        at.read = read;
        at.kept = read;
        return clasconv_anomalies_add(
            list, CLASCONV_A_QPV_EXCEEDS_TOTAL, &at,
            "Pour « %s », %s « dont QPV » vaut %lld, plus que les %lld "
            "enfants du dispositif : le nombre d'enfants issus de QPV ne "
            "peut pas dépasser le total. Valeurs gardées telles quelles ; "
            "corrigez l'une ou l'autre.",
            s->name, clasconv_scheme_label(scheme), (long long)sub,
            (long long)count);
    }
    if (sub != CLASCONV_BLANK && count == CLASCONV_BLANK &&
        !src->count_filled) {
        snprintf(read, sizeof read, "%lld", (long long)sub);
        at.read = read;
        at.kept = read;
        return clasconv_anomalies_add(
            list, CLASCONV_A_QPV_WITHOUT_TOTAL, &at,
            "Pour « %s », %s « dont QPV » est rempli (%lld) mais le nombre "
            "d'enfants du %s est vide : indiquez le nombre total d'enfants.",
            s->name, clasconv_scheme_label(scheme), (long long)sub,
            clasconv_scheme_label(scheme));
    }
    if (src->qpv_mapped && !src->qpv_filled && count != CLASCONV_BLANK &&
        count > 0 && sub == CLASCONV_BLANK) {
        at.read = "";
        at.kept = "";
        return clasconv_anomalies_add(
            list, CLASCONV_A_QPV_MISSING, &at,
            "Pour « %s », %s compte %lld enfants mais « dont issus QPV » "
            "n'est pas rempli : indiquez combien habitent un quartier "
            "prioritaire (0 si aucun).",
            s->name, clasconv_scheme_label(scheme), (long long)count);
    }
    return CLASCONV_OK;
}

clasconv_error reconcile_check_level(clasconv_anomalies *list,
                                     const clasconv_school *school,
                                     clasconv_level sheet_level,
                                     clasconv_level name_level)
{
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();

    if (sheet_level == CLASCONV_LEVEL_NONE ||
        name_level == CLASCONV_LEVEL_NONE || name_level == sheet_level)
        return CLASCONV_OK;
    at.level = sheet_level;
    at.school = school->name;
    at.cell = school->cell;
    return clasconv_anomalies_add(
        list, CLASCONV_A_LEVEL_CONFLICT, &at,
        "« %s » (%s) est de niveau %s d'après son nom mais figure au "
        "niveau %s ; la ligne est laissée au niveau %s. Vérifiez-la.",
        school->name, school->cell, clasconv_level_label(name_level),
        clasconv_level_label(sheet_level), clasconv_level_label(sheet_level));
}

static const clasconv_school *sort_base;

static int by_level_key_index(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    const clasconv_school *sa = &sort_base[a], *sb = &sort_base[b];
    int c;

    if (sa->level != sb->level)
        return sa->level < sb->level ? -1 : 1;
    c = strcmp(sa->key, sb->key);
    if (c)
        return c;
    return a < b ? -1 : a > b;
}

/* Rows of one level with the same key: every later one is flagged. */
static clasconv_error check_duplicates(clasconv_table *table)
{
    size_t i, first = 0, *order;
    clasconv_error err = CLASCONV_OK;

    if (table->nschools < 2)
        return CLASCONV_OK;
    order = malloc(table->nschools * sizeof *order);
    if (!order)
        return CLASCONV_ERR_MEMORY;
    for (i = 0; i < table->nschools; i++)
        order[i] = i;
    sort_base = table->schools;
    qsort(order, table->nschools, sizeof *order, by_level_key_index);
    for (i = 1; i < table->nschools && !err; i++) {
        const clasconv_school *s = &table->schools[order[i]];
        const clasconv_school *t = &table->schools[order[first]];
        clasconv_anomaly_at at = clasconv_anomaly_nowhere();
        if (s->level != t->level || strcmp(s->key, t->key)) {
            first = i;
            continue;
        }
        if (!s->key[0] || s->level == CLASCONV_LEVEL_NONE)
            continue;
        at.level = s->level;
        at.school = s->name;
        at.cell = s->cell;
        err = clasconv_anomalies_add(
            &table->anomalies, CLASCONV_A_SCHOOL_DUPLICATE, &at,
            "« %s » (%s) figure deux fois au niveau %s : même "
            "établissement que « %s » (%s). Les deux lignes sont gardées ; "
            "supprimez ou fusionnez le doublon.",
            s->name, s->cell, clasconv_level_label(s->level), t->name, t->cell);
    }
    free(order);
    return err;
}

static clasconv_error check_declared(clasconv_table *table,
                                     const clasconv_declared_total *d,
                                     clasconv_level level)
{
    const clasconv_totals *computed =
        &table->totals[level == CLASCONV_LEVEL_NONE ? CLASCONV_TOTALS_ALL
                                                    : level];
    const char *label = level == CLASCONV_LEVEL_NONE
                            ? "TOTAL GÉNÉRAL"
                            : clasconv_level_label(level);
    clasconv_error err = CLASCONV_OK;
    int s;

    if (!d->present)
        return CLASCONV_OK;
    for (s = 0; s < CLASCONV_SCHEME_COUNT && !err; s++) {
        clasconv_anomaly_at at = clasconv_anomaly_nowhere();
        char kept[32];
        if (d->counts[s] == CLASCONV_BLANK ||
            d->counts[s] == computed->counts[s])
            continue;
        snprintf(kept, sizeof kept, "%lld", (long long)computed->counts[s]);
        at.level = level;
        at.scheme = (clasconv_scheme)s;
        at.cell = d->cells[s];
        at.read = d->read[s];
        at.kept = kept;
        err = clasconv_anomalies_add(
            &table->anomalies, CLASCONV_A_TOTAL_MISMATCH, &at,
            "Le total déclaré %s%s pour %s (%s) vaut %lld, mais la somme "
            "des établissements donne %lld ; c'est la somme qui est "
            "gardée.",
            level == CLASCONV_LEVEL_NONE ? "" : "du niveau ", label,
            clasconv_scheme_label((clasconv_scheme)s),
            d->cells[s] ? d->cells[s] : "?", (long long)d->counts[s],
            (long long)computed->counts[s]);
    }
    return err;
}

clasconv_error clasconv_reconcile(clasconv_table *table)
{
    clasconv_error err = check_duplicates(table);
    int l;

    clasconv_table_totals(table, table->totals);
    for (l = 0; l < CLASCONV_LEVEL_COUNT && !err; l++)
        err = check_declared(table, &table->declared[l], (clasconv_level)l);
    if (!err)
        err = check_declared(table, &table->declared_all, CLASCONV_LEVEL_NONE);
    clasconv_anomalies_sort(&table->anomalies);
    return err;
}
