/* test_plausibility.c: TABLE_EMPTY and each plausibility rule, one test that
 * raises it and one that does not. */
#include <criterion/criterion.h>
#include <string.h>

#include "clasconv/clasconv.h"
#include "table/plausibility.h"

#define B CLASCONV_BLANK
#define ELEM CLASCONV_LEVEL_ELEMENTAIRE
#define COLL CLASCONV_LEVEL_COLLEGE
#define LYC CLASCONV_LEVEL_LYCEE

/* A school with its nine counts in the form's order. */
static clasconv_school *add(clasconv_table *t, clasconv_level level,
                            const char *name, const int64_t counts[9])
{
    clasconv_school_name n;
    clasconv_school *s;
    int i;

    cr_assert_eq(clasconv_school_name_normalize(name, &n), CLASCONV_OK);
    s = clasconv_table_add_school(t, level, n.canonical, n.key, name, "A2");
    cr_assert_not_null(s);
    for (i = 0; i < CLASCONV_SCHEME_COUNT; i++)
        s->counts[i] = counts[i];
    clasconv_school_name_free(&n);
    return s;
}

static clasconv_table *new_table(void)
{
    clasconv_table *t = clasconv_table_new();

    cr_assert_not_null(t);
    cr_assert_eq(clasconv_table_set_string(&t->sheet, "Feuil1"), CLASCONV_OK);
    return t;
}

/* Reconciles (totals), then runs the checks. */
static void check(clasconv_table *t)
{
    cr_assert_eq(clasconv_reconcile(t), CLASCONV_OK);
    cr_assert_eq(clasconv_plausibility_check(t), CLASCONV_OK);
}

static size_t count_code(const clasconv_table *t, clasconv_anomaly_code code)
{
    size_t i, n = 0;

    for (i = 0; i < t->anomalies.count; i++)
        if (t->anomalies.items[i].code == code)
            n++;
    return n;
}

static const clasconv_anomaly *find(const clasconv_table *t,
                                    clasconv_anomaly_code code)
{
    size_t i;

    for (i = 0; i < t->anomalies.count; i++)
        if (t->anomalies.items[i].code == code)
            return &t->anomalies.items[i];
    cr_assert_fail("%s not raised", clasconv_anomaly_code_name(code));
    return NULL;
}

/* Counts of a clean school: ETUDE 20, CLAS 10 (one group), QPV 4. */
static const int64_t clean[9] = {20, B, B, B, B, B, 10, 4, B};

Test(rules, are_data_with_the_severity_of_their_code)
{
    size_t n, i;
    const plausibility_rule *r = plausibility_rules(&n);

    cr_assert_geq(n, 6);
    for (i = 0; i < n; i++) {
        const char *name = clasconv_anomaly_code_name(r[i].code);
        cr_assert(!strncmp(name, "PLAUSIBILITY_", 13), "%s", name);
        cr_assert_neq(r[i].severity, CLASCONV_SEV_ERROR, "%s", name);
        cr_assert_eq(r[i].severity, clasconv_anomaly_code_severity(r[i].code),
                     "%s: severity differs from anomaly.c", name);
        cr_assert(strstr(r[i].message, "Vérifiez") ||
                      strstr(r[i].message, "Indiquez"),
                  "%s says what to check", name);
    }
}

Test(rules, groups_reachable)
{
    static const struct {
        int64_t n;
        int ok;
    } cases[] = {{0, 1},  {1, 0},  {3, 0},  {7, 0},  {8, 1},
                 {12, 1}, {13, 0}, {15, 0}, {16, 1}, {24, 1},
                 {25, 1}, {36, 1}, {37, 1}, {100, 1}};
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_assert_eq(plausibility_groups_reachable(cases[i].n, 8, 12),
                     cases[i].ok, "%lld", (long long)cases[i].n);
}

Test(table_empty, no_school_row)
{
    clasconv_table *t = new_table();
    const clasconv_anomaly *a;

    check(t);
    cr_assert_eq(t->anomalies.count, 1);
    a = find(t, CLASCONV_A_TABLE_EMPTY);
    cr_assert_eq(a->severity, CLASCONV_SEV_ERROR);
    cr_assert(strstr(a->message, "Feuil1"), "%s", a->message);
    cr_assert(strstr(a->message, "aucune ligne d'établissement"), "%s",
              a->message);
    clasconv_table_free(t);
}

Test(table_empty, schools_without_any_count)
{
    static const int64_t blank[9] = {B, B, B, B, B, B, B, B, B};
    clasconv_table *t = new_table();
    const clasconv_anomaly *a;

    add(t, ELEM, "EE Jules Ferry", blank);
    add(t, COLL, "Collège Jean Moulin", blank);
    check(t);
    a = find(t, CLASCONV_A_TABLE_EMPTY);
    cr_assert(strstr(a->message, "2 établissements"), "%s", a->message);
    /* the rows themselves are not flagged one by one on top */
    cr_assert_eq(t->anomalies.count, 1);
    clasconv_table_free(t);
}

Test(table_empty, one_count_is_enough_and_zero_is_a_count)
{
    static const int64_t zeros[9] = {0, B, B, B, B, B, B, B, B};
    clasconv_table *t = new_table();

    add(t, ELEM, "EE Jules Ferry", zeros);
    check(t);
    cr_assert_eq(count_code(t, CLASCONV_A_TABLE_EMPTY), 0);
    clasconv_table_free(t);
}

Test(clas_maternelle, raised)
{
    clasconv_table *t = new_table();
    const clasconv_anomaly *a;

    add(t, ELEM, "EM Les Tilleuls", clean);
    check(t);
    a = find(t, CLASCONV_A_PLAUSIBILITY_CLAS_MATERNELLE);
    cr_assert_eq(a->severity, CLASCONV_SEV_WARNING);
    cr_assert_eq(a->scheme, CLASCONV_SCHEME_CLAS);
    cr_assert_str_eq(a->school, "École maternelle Les Tilleuls");
    cr_assert_str_eq(a->read, "10");
    cr_assert(strstr(a->message, "CP"), "%s", a->message);
    cr_assert(strstr(a->message, "« École maternelle Les Tilleuls »"), "%s",
              a->message);
    clasconv_table_free(t);
}

Test(clas_maternelle, not_raised)
{
    static const int64_t etude_only[9] = {15, B, B, B, B, B, B, B, B};
    clasconv_table *t = new_table();

    add(t, ELEM, "EE Les Tilleuls", clean);   /* élémentaire: CLAS ok */
    add(t, ELEM, "EM Les Lilas", etude_only); /* maternelle, no CLAS */
    check(t);
    cr_assert_eq(count_code(t, CLASCONV_A_PLAUSIBILITY_CLAS_MATERNELLE), 0);
    clasconv_table_free(t);
}

Test(clas_groups, raised_below_eight_and_between_groups)
{
    static const int64_t three[9] = {B, B, B, B, B, B, 3, B, B};
    static const int64_t fourteen[9] = {B, B, B, B, B, B, 14, B, B};
    clasconv_table *t = new_table();
    const clasconv_anomaly *a;

    add(t, ELEM, "EE Jules Ferry", three);
    check(t);
    a = find(t, CLASCONV_A_PLAUSIBILITY_CLAS_GROUPS);
    cr_assert_eq(a->severity, CLASCONV_SEV_INFO);
    cr_assert_str_eq(a->read, "3");
    cr_assert_null(a->school);
    cr_assert(strstr(a->message, "groupes de 8 à 12"), "%s", a->message);
    cr_assert(strstr(a->message, "nombre de groupes"), "%s", a->message);
    clasconv_table_free(t);

    t = new_table();
    add(t, COLL, "Collège Jean Moulin", fourteen);
    check(t);
    cr_assert_eq(count_code(t, CLASCONV_A_PLAUSIBILITY_CLAS_GROUPS), 1);
    clasconv_table_free(t);
}

Test(clas_groups, not_raised_on_the_commune_total)
{
    static const int64_t five[9] = {B, B, B, B, B, B, 5, B, B};
    clasconv_table *t = new_table();

    /* 5 + 5 + 10 = 20: two groups of 10 across schools */
    add(t, ELEM, "EE Jules Ferry", five);
    add(t, ELEM, "EE Jean Macé", five);
    add(t, COLL, "Collège Jean Moulin", clean);
    check(t);
    cr_assert_eq(count_code(t, CLASCONV_A_PLAUSIBILITY_CLAS_GROUPS), 0);
    clasconv_table_free(t);
}

Test(school_size, raised_per_level_threshold)
{
    static const int64_t big_etude[9] = {1020, B, B, B, B, B, B, B, B};
    clasconv_table *t = new_table();
    const clasconv_anomaly *a;

    add(t, ELEM, "EE Jules Ferry", big_etude); /* > 600 */
    check(t);
    a = find(t, CLASCONV_A_PLAUSIBILITY_SCHOOL_SIZE);
    cr_assert_eq(a->severity, CLASCONV_SEV_WARNING);
    cr_assert_eq(a->scheme, CLASCONV_SCHEME_ETUDE);
    cr_assert_str_eq(a->read, "1020");
    cr_assert(strstr(a->message, "1020 enfants en Étude"), "%s", a->message);
    cr_assert(strstr(a->message, "une école (seuil : 600)"), "%s", a->message);
    clasconv_table_free(t);
}

Test(school_size, not_raised_under_the_level_threshold)
{
    static const int64_t big_etude[9] = {1020, B, B, B, B, B, B, B, B};
    static const int64_t huge_qpv[9] = {B, B, B, B, 700, 700, B, B, B};
    clasconv_table *t = new_table();

    add(t, COLL, "Collège Jean Moulin", big_etude); /* <= 1,200 */
    add(t, LYC, "Lycée Ampère", big_etude);         /* <= 2,500 */
    check(t);
    cr_assert_eq(count_code(t, CLASCONV_A_PLAUSIBILITY_SCHOOL_SIZE), 0);
    clasconv_table_free(t);

    /* a "dont QPV" is not flagged again on top of its scheme */
    t = new_table();
    add(t, ELEM, "EE Jules Ferry", huge_qpv);
    check(t);
    cr_assert_eq(count_code(t, CLASCONV_A_PLAUSIBILITY_SCHOOL_SIZE), 1);
    cr_assert_eq(find(t, CLASCONV_A_PLAUSIBILITY_SCHOOL_SIZE)->scheme,
                 CLASCONV_SCHEME_PRE);
    clasconv_table_free(t);
}

Test(pre_lycee, raised)
{
    static const int64_t pre[9] = {B, B, B, B, 6, 2, B, B, B};
    clasconv_table *t = new_table();
    const clasconv_anomaly *a;

    add(t, LYC, "LP Jacques Brel", pre);
    check(t);
    a = find(t, CLASCONV_A_PLAUSIBILITY_PRE_LYCEE);
    cr_assert_eq(a->severity, CLASCONV_SEV_INFO);
    cr_assert_eq(a->scheme, CLASCONV_SCHEME_PRE);
    cr_assert(strstr(a->message, "2 à 16 ans"), "%s", a->message);
    clasconv_table_free(t);
}

Test(pre_lycee, not_raised)
{
    static const int64_t pre[9] = {B, B, B, B, 6, 2, B, B, B};
    static const int64_t pre_zero[9] = {10, B, B, B, 0, B, B, B, B};
    clasconv_table *t = new_table();

    add(t, COLL, "Collège Jean Moulin", pre); /* collège: PRE is fine */
    add(t, LYC, "Lycée Ampère", pre_zero);    /* lycée with PRE = 0 */
    check(t);
    cr_assert_eq(count_code(t, CLASCONV_A_PLAUSIBILITY_PRE_LYCEE), 0);
    clasconv_table_free(t);
}

Test(autre_sans_precision, raised)
{
    static const int64_t autre[9] = {B, B, B, B, B, B, B, B, 7};
    clasconv_table *t = new_table();
    const clasconv_anomaly *a;

    add(t, COLL, "Collège Paul Eluard", autre);
    check(t);
    a = find(t, CLASCONV_A_PLAUSIBILITY_AUTRE_SANS_PRECISION);
    cr_assert_eq(a->severity, CLASCONV_SEV_WARNING);
    cr_assert_eq(a->scheme, CLASCONV_SCHEME_AUTRE);
    cr_assert(strstr(a->message, "précis"), "%s", a->message);
    clasconv_table_free(t);
}

Test(autre_sans_precision, not_raised)
{
    static const int64_t autre[9] = {B, B, B, B, B, B, B, B, 7};
    static const int64_t autre_zero[9] = {5, B, B, B, B, B, B, B, 0};
    clasconv_table *t = new_table();
    clasconv_school *s;

    s = add(t, COLL, "Collège Paul Eluard", autre);
    cr_assert_eq(clasconv_table_set_string(&s->autre_detail, "Coup de pouce"),
                 CLASCONV_OK);
    add(t, COLL, "Collège Jean Moulin", autre_zero);
    check(t);
    cr_assert_eq(count_code(t, CLASCONV_A_PLAUSIBILITY_AUTRE_SANS_PRECISION),
                 0);
    clasconv_table_free(t);
}

Test(school_empty, raised_for_zeros_and_blanks)
{
    static const int64_t nothing[9] = {0, B, B, 0, B, B, B, B, B};
    clasconv_table *t = new_table();
    const clasconv_anomaly *a;

    add(t, COLL, "Collège Jean Moulin", clean);
    add(t, ELEM, "EM Pasteur", nothing);
    check(t);
    cr_assert_eq(count_code(t, CLASCONV_A_PLAUSIBILITY_SCHOOL_EMPTY), 1);
    a = find(t, CLASCONV_A_PLAUSIBILITY_SCHOOL_EMPTY);
    cr_assert_eq(a->severity, CLASCONV_SEV_INFO);
    cr_assert_str_eq(a->school, "École maternelle Pasteur");
    cr_assert_str_eq(a->cell, "A2");
    cr_assert_eq(count_code(t, CLASCONV_A_TABLE_EMPTY), 0);
    clasconv_table_free(t);
}

Test(school_empty, not_raised)
{
    clasconv_table *t = new_table();

    add(t, COLL, "Collège Jean Moulin", clean);
    add(t, ELEM, "EE Jules Ferry", clean);
    check(t);
    cr_assert_eq(t->anomalies.count, 0, "first: %s",
                 t->anomalies.count ? t->anomalies.items[0].message : "");
    clasconv_table_free(t);
}

Test(order, errors_first_after_the_checks)
{
    static const int64_t three[9] = {B, B, B, B, B, B, 3, B, B};
    clasconv_table *t = new_table();

    add(t, ELEM, "EM Les Tilleuls", three);
    check(t);
    cr_assert_eq(t->anomalies.count, 2);
    cr_assert_eq(t->anomalies.items[0].severity, CLASCONV_SEV_WARNING);
    cr_assert_eq(t->anomalies.items[1].severity, CLASCONV_SEV_INFO);
    clasconv_table_free(t);
}

/* A school whose only values were refused ("NC", "-2") is not "empty":
 * its errors say what is wrong. */
Test(school_empty, not_raised_when_values_were_refused)
{
    static const int64_t refused[9] = {B, 0, 0, 0, 0, 0, 0, 0, 0};
    clasconv_table *t = new_table();
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();

    add(t, LYC, "Lycée Ampère", refused);
    add(t, COLL, "Collège Jean Moulin", clean);
    at.level = LYC;
    at.school = "Lycée Ampère";
    at.scheme = CLASCONV_SCHEME_ETUDE;
    cr_assert_eq(clasconv_anomalies_add(&t->anomalies,
                                        CLASCONV_A_VALUE_NEGATIVE, &at, "%s",
                                        "-2 est négatif."),
                 CLASCONV_OK);
    check(t);
    cr_assert_eq(count_code(t, CLASCONV_A_PLAUSIBILITY_SCHOOL_EMPTY), 0);
    clasconv_table_free(t);
}

Test(table_empty, not_raised_when_every_value_was_refused)
{
    static const int64_t blank[9] = {B, B, B, B, B, B, B, B, B};
    clasconv_table *t = new_table();
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();

    add(t, ELEM, "EE Jules Ferry", blank);
    at.level = ELEM;
    at.school = "École élémentaire Jules Ferry";
    cr_assert_eq(clasconv_anomalies_add(&t->anomalies,
                                        CLASCONV_A_VALUE_NOT_A_NUMBER, &at,
                                        "%s", "« NC » n'est pas un nombre."),
                 CLASCONV_OK);
    check(t);
    cr_assert_eq(count_code(t, CLASCONV_A_TABLE_EMPTY), 0);
    cr_assert_eq(count_code(t, CLASCONV_A_PLAUSIBILITY_SCHOOL_EMPTY), 0);
    clasconv_table_free(t);
}
