/* plausibility.c: what a located table says, checked against the CLAS rules:
 * is it filled in at all (TABLE_EMPTY), and the plausibility rules, kept
 * as data below so that a new rule or threshold is one entry.
 *
 * Sources of the rules: the CAF's CLAS charter and caf.fr (the CLAS runs
 * from CP to lycée, outside school time, in groups of 8 to 12 children);
 * the Programme de réussite éducative serves children of 2 to 16. The
 * school sizes are generous ceilings of French schools (an école above 600
 * pupils, a collège above 1,200, a lycée above 2,500 are very rare): a
 * count above them is more likely a total, hours or a typing slip.
 */
#include "table/plausibility.h"

#include <stdio.h>
#include <string.h>

#include "clasconv/buf.h"
#include "clasconv/table.h"

#define NO_LIMIT                                                               \
    {                                                                          \
        0, 0, 0                                                                \
    }

static const plausibility_rule rules[] = {
    {CLASCONV_A_PLAUSIBILITY_CLAS_MATERNELLE, CLASCONV_SEV_WARNING,
     PLAUSIBILITY_SCHEME_IN_TYPE, CLASCONV_SCHEME_CLAS, CLASCONV_LEVEL_NONE,
     "ecole maternelle", 0, 0, NO_LIMIT,
     "« {ecole} » est une école maternelle mais compte {nombre} enfant(s) "
     "en CLAS, alors que le CLAS commence au CP. Vérifiez le type de "
     "l'école (élémentaire ou primaire ?) ou la colonne où le nombre a été "
     "saisi."},
    {CLASCONV_A_PLAUSIBILITY_CLAS_GROUPS, CLASCONV_SEV_INFO,
     PLAUSIBILITY_GROUPS, CLASCONV_SCHEME_CLAS, CLASCONV_LEVEL_NONE, NULL, 8,
     12, NO_LIMIT,
     "Le tableau compte {nombre} enfant(s) en CLAS au total, un nombre qui "
     "ne se forme pas avec des groupes de {min} à {max} enfants (règle de "
     "la CAF). Vérifiez le nombre de groupes et les effectifs déclarés."},
    {CLASCONV_A_PLAUSIBILITY_SCHOOL_SIZE,
     CLASCONV_SEV_WARNING,
     PLAUSIBILITY_OVER_SIZE,
     CLASCONV_SCHEME_NONE,
     CLASCONV_LEVEL_NONE,
     NULL,
     0,
     0,
     {600, 1200, 2500},
     "« {ecole} » : {nombre} enfants en {dispositif}, plus que n'en accueille "
     "d'ordinaire {un_niveau} (seuil : {seuil}). Vérifiez qu'il ne s'agit "
     "pas d'un total, d'un nombre d'heures ou d'une faute de frappe."},
    {CLASCONV_A_PLAUSIBILITY_PRE_LYCEE, CLASCONV_SEV_INFO,
     PLAUSIBILITY_SCHEME_AT_LEVEL, CLASCONV_SCHEME_PRE, CLASCONV_LEVEL_LYCEE,
     NULL, 0, 0, NO_LIMIT,
     "« {ecole} » (lycée) : {nombre} enfant(s) en PRE, alors que le "
     "Programme de réussite éducative s'adresse aux enfants de 2 à 16 ans. "
     "Vérifiez le niveau de l'établissement ou la colonne."},
    {CLASCONV_A_PLAUSIBILITY_AUTRE_SANS_PRECISION, CLASCONV_SEV_WARNING,
     PLAUSIBILITY_NO_DETAIL, CLASCONV_SCHEME_AUTRE, CLASCONV_LEVEL_NONE, NULL,
     0, 0, NO_LIMIT,
     "« {ecole} » : {nombre} enfant(s) dans « Autre » sans que le dispositif "
     "soit précisé. Indiquez lequel (en-tête « Autre : nom du dispositif » "
     "ou colonne « Autre (précision) »)."},
    {CLASCONV_A_PLAUSIBILITY_SCHOOL_EMPTY, CLASCONV_SEV_INFO,
     PLAUSIBILITY_ALL_EMPTY, CLASCONV_SCHEME_NONE, CLASCONV_LEVEL_NONE, NULL, 0,
     0, NO_LIMIT,
     "« {ecole} » est listé sans aucun enfant : toutes ses cases sont vides "
     "ou à 0. Vérifiez s'il manque ses effectifs, ou retirez la ligne."},
};

const plausibility_rule *plausibility_rules(size_t *count)
{
    *count = sizeof rules / sizeof rules[0];
    return rules;
}

int plausibility_groups_reachable(int64_t n, int64_t min, int64_t max)
{
    int64_t fewest, most;

    if (n <= 0 || min <= 0 || max < min)
        return n == 0;
    fewest = (n + max - 1) / max; /* groups as full as allowed */
    most = n / min;               /* groups as small as allowed */
    return fewest <= most;
}

static const char *indefinite_level(clasconv_level level)
{
    switch (level) {
    case CLASCONV_LEVEL_ELEMENTAIRE:
        return "une école";
    case CLASCONV_LEVEL_COLLEGE:
        return "un collège";
    case CLASCONV_LEVEL_LYCEE:
        return "un lycée";
    case CLASCONV_LEVEL_COUNT:
    case CLASCONV_LEVEL_NONE:
        break;
    }
    return "un établissement";
}

/* What the placeholders of a message stand for. */
typedef struct message_values {
    const char *school;
    clasconv_scheme scheme;
    clasconv_level level;
    int64_t count;
    int64_t limit;
    int64_t group_min, group_max;
} message_values;

static clasconv_error put_number(clasconv_buf *out, int64_t n)
{
    return clasconv_buf_printf(out, "%lld", (long long)n);
}

/* Replaces the {placeholders} of a rule's message. */
static clasconv_error expand(const char *message, const message_values *v,
                             clasconv_buf *out)
{
    const char *p = message;
    clasconv_error err = CLASCONV_OK;

    while (*p && !err) {
        const char *open = strchr(p, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        size_t len;
        if (!open || !close) {
            err = clasconv_buf_puts(out, p);
            break;
        }
        err = clasconv_buf_append(out, p, (size_t)(open - p));
        len = (size_t)(close - open - 1);
        open++;
        if (err)
            break;
        if (len == 5 && !strncmp(open, "ecole", len))
            err = clasconv_buf_puts(out, v->school ? v->school : "");
        else if (len == 6 && !strncmp(open, "nombre", len))
            err = put_number(out, v->count);
        else if (len == 10 && !strncmp(open, "dispositif", len))
            err =
                clasconv_buf_puts(out, v->scheme == CLASCONV_SCHEME_NONE
                                           ? ""
                                           : clasconv_scheme_label(v->scheme));
        else if (len == 9 && !strncmp(open, "un_niveau", len))
            err = clasconv_buf_puts(out, indefinite_level(v->level));
        else if (len == 5 && !strncmp(open, "seuil", len))
            err = put_number(out, v->limit);
        else if (len == 3 && !strncmp(open, "min", len))
            err = put_number(out, v->group_min);
        else if (len == 3 && !strncmp(open, "max", len))
            err = put_number(out, v->group_max);
        else /* not a placeholder: kept as written */
            err = clasconv_buf_append(out, open - 1, len + 2);
        p = close + 1;
    }
    return err;
}

/* Raises a rule's anomaly about a school, or about the whole table when
 * `school` is NULL. */
static clasconv_error raise(clasconv_table *table,
                            const plausibility_rule *rule,
                            const clasconv_school *school,
                            clasconv_scheme scheme, int64_t count,
                            int64_t limit)
{
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();
    message_values v;
    clasconv_buf text = {0};
    char number[32];
    clasconv_error err;

    v.school = school ? school->name : NULL;
    v.scheme = scheme;
    v.level = school ? school->level : CLASCONV_LEVEL_NONE;
    v.count = count;
    v.limit = limit;
    v.group_min = rule->group_min;
    v.group_max = rule->group_max;
    err = expand(rule->message, &v, &text);
    if (!err && !text.data)
        err = clasconv_buf_puts(&text, "");
    if (!err) {
        at.level = v.level;
        at.scheme = scheme;
        at.school = v.school;
        at.cell = school ? school->cell : NULL;
        if (scheme != CLASCONV_SCHEME_NONE) {
            snprintf(number, sizeof number, "%lld", (long long)count);
            at.read = number;
            at.kept = number;
        }
        err = clasconv_anomalies_add(&table->anomalies, rule->code, &at, "%s",
                                     text.data);
    }
    clasconv_buf_free(&text);
    return err;
}

static int positive(const clasconv_school *school, clasconv_scheme scheme)
{
    return scheme != CLASCONV_SCHEME_NONE && school->counts[scheme] > 0;
}

static int starts_with(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);

    return text && !strncmp(text, prefix, n) &&
           (text[n] == '\0' || text[n] == ' ');
}

/* A value of the school was read but not kept ("NC", "-2"): its cells
 * are not empty, whatever the counts say. */
static int has_rejected_value(const clasconv_table *table,
                              const clasconv_school *school)
{
    size_t i;

    for (i = 0; i < table->anomalies.count; i++) {
        const clasconv_anomaly *a = &table->anomalies.items[i];
        if ((a->code == CLASCONV_A_VALUE_NOT_A_NUMBER ||
             a->code == CLASCONV_A_VALUE_NOT_INTEGER ||
             a->code == CLASCONV_A_VALUE_NEGATIVE) &&
            a->level == school->level && a->school && school->name &&
            !strcmp(a->school, school->name))
            return 1;
    }
    return 0;
}

/* Applies one rule to one school. */
static clasconv_error apply(clasconv_table *table,
                            const plausibility_rule *rule,
                            const clasconv_school *school)
{
    clasconv_scheme sc = rule->scheme;
    int s;

    switch (rule->test) {
    case PLAUSIBILITY_SCHEME_IN_TYPE:
        if (positive(school, sc) && starts_with(school->key, rule->school_type))
            return raise(table, rule, school, sc, school->counts[sc], 0);
        return CLASCONV_OK;
    case PLAUSIBILITY_GROUPS: /* a table-wide rule, see apply_to_table */
        return CLASCONV_OK;
    case PLAUSIBILITY_OVER_SIZE:
        if (school->level == CLASCONV_LEVEL_NONE ||
            rule->limit[school->level] <= 0)
            return CLASCONV_OK;
        for (s = 0; s < CLASCONV_SCHEME_COUNT; s++) {
            clasconv_error err;
            /* a "dont QPV" count is part of its scheme's, flagged already */
            if (s == CLASCONV_SCHEME_PRE_QPV || s == CLASCONV_SCHEME_CLAS_QPV ||
                school->counts[s] <= rule->limit[school->level])
                continue;
            err = raise(table, rule, school, (clasconv_scheme)s,
                        school->counts[s], rule->limit[school->level]);
            if (err)
                return err;
        }
        return CLASCONV_OK;
    case PLAUSIBILITY_SCHEME_AT_LEVEL:
        if (positive(school, sc) && school->level == rule->level)
            return raise(table, rule, school, sc, school->counts[sc], 0);
        return CLASCONV_OK;
    case PLAUSIBILITY_NO_DETAIL:
        if (positive(school, sc) &&
            (!school->autre_detail || !school->autre_detail[0]))
            return raise(table, rule, school, sc, school->counts[sc], 0);
        return CLASCONV_OK;
    case PLAUSIBILITY_ALL_EMPTY:
        for (s = 0; s < CLASCONV_SCHEME_COUNT; s++)
            if (school->counts[s] > 0)
                return CLASCONV_OK;
        if (has_rejected_value(table, school))
            return CLASCONV_OK; /* its errors say what is wrong */
        return raise(table, rule, school, CLASCONV_SCHEME_NONE, 0, 0);
    }
    return CLASCONV_OK;
}

/* Rules about the table as a whole. CLAS groups mix children of several
 * schools, so a school's own CLAS count may be anything; the commune's
 * total, though, is a sum of whole groups. */
static clasconv_error apply_to_table(clasconv_table *table,
                                     const plausibility_rule *rule)
{
    int64_t total;

    if (rule->test != PLAUSIBILITY_GROUPS ||
        rule->scheme == CLASCONV_SCHEME_NONE)
        return CLASCONV_OK;
    total = table->totals[CLASCONV_TOTALS_ALL].counts[rule->scheme];
    if (total > 0 &&
        !plausibility_groups_reachable(total, rule->group_min, rule->group_max))
        return raise(table, rule, NULL, rule->scheme, total, 0);
    return CLASCONV_OK;
}

static int has_any_count(const clasconv_table *table,
                         const clasconv_school *school)
{
    int s;

    for (s = 0; s < CLASCONV_SCHEME_COUNT; s++)
        if (school->counts[s] != CLASCONV_BLANK)
            return 1;
    return has_rejected_value(table, school);
}

/* A table with no school row, or with school rows and not one count:
 * nothing the CAF can use, whatever else is right. */
static clasconv_error check_filled(clasconv_table *table, int *empty)
{
    char sheet[160];
    size_t i;

    *empty = 1;
    if (table->sheet && !strncmp(table->sheet, "tableau ", 8))
        snprintf(sheet, sizeof sheet, "%s", table->sheet);
    else
        snprintf(sheet, sizeof sheet, "feuille « %.120s »",
                 table->sheet ? table->sheet : "?");
    if (table->nschools == 0)
        return clasconv_anomalies_add(
            &table->anomalies, CLASCONV_A_TABLE_EMPTY, NULL,
            "L'en-tête du tableau a été trouvé (%s) mais aucune ligne "
            "d'établissement ne le suit : le tableau n'a pas été rempli "
            "(modèle vide ou seul l'en-tête). Ajoutez une ligne par "
            "établissement, avec son nom et le nombre d'enfants de chaque "
            "dispositif, puis renvoyez le fichier.",
            sheet);
    for (i = 0; i < table->nschools; i++)
        if (has_any_count(table, &table->schools[i])) {
            *empty = 0;
            return CLASCONV_OK;
        }
    return clasconv_anomalies_add(
        &table->anomalies, CLASCONV_A_TABLE_EMPTY, NULL,
        "%zu établissement%s listé%s (%s) mais aucun nombre d'enfants n'est "
        "rempli : toutes les cases des dispositifs sont vides. Saisissez le "
        "nombre d'enfants de chaque dispositif (0 s'il n'y en a aucun), puis "
        "renvoyez le fichier.",
        table->nschools, table->nschools > 1 ? "s" : "",
        table->nschools > 1 ? "s" : "", sheet);
}

clasconv_error clasconv_plausibility_check(clasconv_table *table)
{
    size_t i, r;
    int empty = 0;
    clasconv_error err = check_filled(table, &empty);

    for (r = 0; r < sizeof rules / sizeof rules[0] && !err && !empty; r++)
        err = apply_to_table(table, &rules[r]);
    for (i = 0; i < table->nschools && !err && !empty; i++)
        for (r = 0; r < sizeof rules / sizeof rules[0] && !err; r++)
            err = apply(table, &rules[r], &table->schools[i]);
    clasconv_anomalies_sort(&table->anomalies);
    return err;
}
