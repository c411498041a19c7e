/* test_reconcile.c: the cross-cell checks and the totals, on hand-built
 * tables (codes, cells, values read and kept). */
#include <criterion/criterion.h>
#include <string.h>

#include "clasconv/clasconv.h"
#include "table/reconcile.h"

#define B CLASCONV_BLANK

static clasconv_school *school(clasconv_table *t, clasconv_level level,
                               const char *name, const char *key,
                               const char *cell)
{
    clasconv_school *s =
        clasconv_table_add_school(t, level, name, key, name, cell);
    int i;

    cr_assert_not_null(s);
    for (i = 0; i < CLASCONV_SCHEME_COUNT; i++)
        s->counts[i] = B;
    return s;
}

static void declare(clasconv_declared_total *d, clasconv_scheme scheme,
                    int64_t value, const char *cell, const char *read)
{
    int i;

    if (!d->present)
        for (i = 0; i < CLASCONV_SCHEME_COUNT; i++)
            d->counts[i] = B;
    d->present = 1;
    d->counts[scheme] = value;
    cr_assert_eq(clasconv_table_set_string(&d->cells[scheme], cell), 0);
    cr_assert_eq(clasconv_table_set_string(&d->read[scheme], read), 0);
}

static const clasconv_anomaly *only(const clasconv_anomalies *list,
                                    clasconv_anomaly_code code)
{
    const clasconv_anomaly *found = NULL;
    size_t i;

    for (i = 0; i < list->count; i++) {
        if (list->items[i].code != code)
            continue;
        cr_assert_null(found, "%s raised twice",
                       clasconv_anomaly_code_name(code));
        found = &list->items[i];
    }
    cr_assert_not_null(found, "%s not raised",
                       clasconv_anomaly_code_name(code));
    return found;
}

Test(totals, buckets_per_level_unknown_and_all)
{
    clasconv_table *t = clasconv_table_new();
    clasconv_totals tot[CLASCONV_TOTALS_COUNT];

    school(t, CLASCONV_LEVEL_ELEMENTAIRE, "École A", "a", "A2")
        ->counts[CLASCONV_SCHEME_CLAS] = 10;
    school(t, CLASCONV_LEVEL_ELEMENTAIRE, "École B", "b", "A3")
        ->counts[CLASCONV_SCHEME_CLAS] = 5;
    school(t, CLASCONV_LEVEL_LYCEE, "Lycée C", "c", "A4")
        ->counts[CLASCONV_SCHEME_ETUDE] = 7;
    school(t, CLASCONV_LEVEL_NONE, "Jules Verne", "d", "A5")
        ->counts[CLASCONV_SCHEME_CLAS] = 3;
    clasconv_table_totals(t, tot);
    cr_assert_eq(tot[CLASCONV_LEVEL_ELEMENTAIRE].schools, 2);
    cr_assert_eq(tot[CLASCONV_LEVEL_ELEMENTAIRE].counts[CLASCONV_SCHEME_CLAS],
                 15);
    cr_assert_eq(tot[CLASCONV_LEVEL_COLLEGE].schools, 0);
    cr_assert_eq(tot[CLASCONV_LEVEL_LYCEE].counts[CLASCONV_SCHEME_ETUDE], 7);
    cr_assert_eq(tot[CLASCONV_LEVEL_LYCEE].counts[CLASCONV_SCHEME_CLAS], 0);
    cr_assert_eq(tot[CLASCONV_TOTALS_UNKNOWN].schools, 1);
    cr_assert_eq(tot[CLASCONV_TOTALS_UNKNOWN].counts[CLASCONV_SCHEME_CLAS], 3);
    cr_assert_eq(tot[CLASCONV_TOTALS_ALL].schools, 4);
    cr_assert_eq(tot[CLASCONV_TOTALS_ALL].counts[CLASCONV_SCHEME_CLAS], 18);
    cr_assert_eq(tot[CLASCONV_TOTALS_ALL].counts[CLASCONV_SCHEME_ETUDE], 7);
    cr_assert_eq(tot[CLASCONV_TOTALS_ALL].counts[CLASCONV_SCHEME_AUTRE], 0);
    clasconv_table_free(t);
}

Test(reconcile, stores_the_totals)
{
    clasconv_table *t = clasconv_table_new();

    school(t, CLASCONV_LEVEL_COLLEGE, "Collège A", "a", "A2")
        ->counts[CLASCONV_SCHEME_PRE] = 4;
    school(t, CLASCONV_LEVEL_NONE, "Jules Verne", "b", "A3")
        ->counts[CLASCONV_SCHEME_PRE] = 2;
    cr_assert_eq(clasconv_reconcile(t), CLASCONV_OK);
    cr_assert_eq(t->totals[CLASCONV_LEVEL_COLLEGE].counts[CLASCONV_SCHEME_PRE],
                 4);
    cr_assert_eq(t->totals[CLASCONV_TOTALS_UNKNOWN].counts[CLASCONV_SCHEME_PRE],
                 2);
    cr_assert_eq(t->totals[CLASCONV_TOTALS_ALL].counts[CLASCONV_SCHEME_PRE], 6);
    cr_assert_eq(t->anomalies.count, 0);
    clasconv_table_free(t);
}

Test(reconcile, duplicate_of_one_level)
{
    clasconv_table *t = clasconv_table_new();
    const clasconv_anomaly *a;

    school(t, CLASCONV_LEVEL_ELEMENTAIRE, "École Jules Ferry", "jf", "A2");
    school(t, CLASCONV_LEVEL_COLLEGE, "Collège Jules Ferry", "jf", "A9");
    school(t, CLASCONV_LEVEL_ELEMENTAIRE, "École Jules Ferry", "jf", "A5");
    /* no key, no level: never duplicates */
    school(t, CLASCONV_LEVEL_NONE, "X", "x", "A7");
    school(t, CLASCONV_LEVEL_NONE, "X", "x", "A8");
    cr_assert_eq(clasconv_reconcile(t), CLASCONV_OK);
    cr_assert_eq(t->anomalies.count, 1);
    a = only(&t->anomalies, CLASCONV_A_SCHOOL_DUPLICATE);
    cr_assert_eq(a->level, CLASCONV_LEVEL_ELEMENTAIRE);
    cr_assert_str_eq(a->cell, "A5");
    cr_assert_str_eq(a->school, "École Jules Ferry");
    cr_assert_not_null(strstr(a->message, "(A2)"));
    clasconv_table_free(t);
}

Test(reconcile, declared_total_mismatch)
{
    clasconv_table *t = clasconv_table_new();
    const clasconv_anomaly *a;

    school(t, CLASCONV_LEVEL_COLLEGE, "Collège A", "a", "A2")
        ->counts[CLASCONV_SCHEME_CLAS] = 12;
    school(t, CLASCONV_LEVEL_COLLEGE, "Collège B", "b", "A3")
        ->counts[CLASCONV_SCHEME_CLAS] = 8;
    declare(&t->declared[CLASCONV_LEVEL_COLLEGE], CLASCONV_SCHEME_CLAS, 21,
            "H4", "21");
    declare(&t->declared[CLASCONV_LEVEL_COLLEGE], CLASCONV_SCHEME_ETUDE, 0,
            "B4", "0"); /* agrees with the blank sum */
    cr_assert_eq(clasconv_reconcile(t), CLASCONV_OK);
    cr_assert_eq(t->anomalies.count, 1);
    a = only(&t->anomalies, CLASCONV_A_TOTAL_MISMATCH);
    cr_assert_eq(a->severity, CLASCONV_SEV_WARNING);
    cr_assert_eq(a->level, CLASCONV_LEVEL_COLLEGE);
    cr_assert_eq(a->scheme, CLASCONV_SCHEME_CLAS);
    cr_assert_str_eq(a->cell, "H4");
    cr_assert_str_eq(a->read, "21");
    cr_assert_str_eq(a->kept, "20");
    clasconv_table_free(t);
}

Test(reconcile, grand_total_counts_the_unknown_level)
{
    clasconv_table *t = clasconv_table_new();
    const clasconv_anomaly *a;

    school(t, CLASCONV_LEVEL_LYCEE, "Lycée A", "a", "A2")
        ->counts[CLASCONV_SCHEME_ETUDE] = 5;
    school(t, CLASCONV_LEVEL_NONE, "Jules Verne", "b", "A3")
        ->counts[CLASCONV_SCHEME_ETUDE] = 2;
    declare(&t->declared_all, CLASCONV_SCHEME_ETUDE, 7, "B9", "7");
    declare(&t->declared[CLASCONV_LEVEL_LYCEE], CLASCONV_SCHEME_ETUDE, 7, "B4",
            "7");
    cr_assert_eq(clasconv_reconcile(t), CLASCONV_OK);
    cr_assert_eq(t->anomalies.count, 1); /* the Lycée total only */
    a = only(&t->anomalies, CLASCONV_A_TOTAL_MISMATCH);
    cr_assert_eq(a->level, CLASCONV_LEVEL_LYCEE);
    cr_assert_str_eq(a->cell, "B4");
    cr_assert_str_eq(a->kept, "5");
    clasconv_table_free(t);
}

/* --- "dont QPV" -------------------------------------------------------- */

static char qpv_name[] = "Collège Jean Moulin";

static clasconv_school qpv_school(int64_t count, int64_t sub)
{
    clasconv_school s;
    int i;

    memset(&s, 0, sizeof s);
    s.level = CLASCONV_LEVEL_COLLEGE;
    s.name = qpv_name;
    for (i = 0; i < CLASCONV_SCHEME_COUNT; i++)
        s.counts[i] = B;
    s.counts[CLASCONV_SCHEME_CLAS] = count;
    s.counts[CLASCONV_SCHEME_CLAS_QPV] = sub;
    return s;
}

static const reconcile_qpv_source filled = {"I7", 1, 1, 1};

Test(qpv, common_cases_raise_nothing)
{
    static const int64_t cases[][2] = {{B, B}, {0, B}, {5, 5}, {5, 0}, {0, 0}};
    clasconv_anomalies list = {0};
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clasconv_school s = qpv_school(cases[i][0], cases[i][1]);
        cr_assert_eq(
            reconcile_check_qpv(&list, &s, CLASCONV_SCHEME_CLAS, &filled), 0);
    }
    cr_assert_eq(list.count, 0);
}

Test(qpv, exceeds_total)
{
    clasconv_anomalies list = {0};
    clasconv_school s = qpv_school(5, 9);
    const clasconv_anomaly *a;

    cr_assert_eq(reconcile_check_qpv(&list, &s, CLASCONV_SCHEME_CLAS, &filled),
                 0);
    a = only(&list, CLASCONV_A_QPV_EXCEEDS_TOTAL);
    cr_assert_eq(list.count, 1);
    cr_assert_eq(a->scheme, CLASCONV_SCHEME_CLAS_QPV);
    cr_assert_eq(a->level, CLASCONV_LEVEL_COLLEGE);
    cr_assert_str_eq(a->cell, "I7");
    cr_assert_str_eq(a->read, "9");
    cr_assert_str_eq(a->kept, "9");
    cr_assert_str_eq(a->school, "Collège Jean Moulin");
    clasconv_anomalies_free(&list);
}

Test(qpv, without_total_only_when_the_count_cell_is_empty)
{
    clasconv_anomalies list = {0};
    clasconv_school s = qpv_school(B, 4);
    reconcile_qpv_source src = {"I7", 0, 1, 1};
    const clasconv_anomaly *a;

    cr_assert_eq(reconcile_check_qpv(&list, &s, CLASCONV_SCHEME_CLAS, &src), 0);
    a = only(&list, CLASCONV_A_QPV_WITHOUT_TOTAL);
    cr_assert_str_eq(a->cell, "I7");
    cr_assert_str_eq(a->read, "4");
    clasconv_anomalies_free(&list);
    /* "NC" in the count cell: its own VALUE anomaly says it, not this one */
    src.count_filled = 1;
    cr_assert_eq(reconcile_check_qpv(&list, &s, CLASCONV_SCHEME_CLAS, &src), 0);
    cr_assert_eq(list.count, 0);
}

Test(qpv, missing_beside_a_positive_count)
{
    clasconv_anomalies list = {0};
    clasconv_school s = qpv_school(B, B);
    reconcile_qpv_source src = {"G3", 1, 1, 0};
    const clasconv_anomaly *a;

    s.counts[CLASCONV_SCHEME_PRE] = 6;
    cr_assert_eq(reconcile_check_qpv(&list, &s, CLASCONV_SCHEME_PRE, &src), 0);
    a = only(&list, CLASCONV_A_QPV_MISSING);
    cr_assert_eq(a->scheme, CLASCONV_SCHEME_PRE_QPV);
    cr_assert_str_eq(a->cell, "G3");
    cr_assert_str_eq(a->read, "");
    cr_assert_str_eq(a->kept, "");
    clasconv_anomalies_free(&list);
    /* no "dont QPV" column, or a cell holding text: nothing to ask */
    src.qpv_mapped = 0;
    cr_assert_eq(reconcile_check_qpv(&list, &s, CLASCONV_SCHEME_PRE, &src), 0);
    src.qpv_mapped = 1;
    src.qpv_filled = 1;
    cr_assert_eq(reconcile_check_qpv(&list, &s, CLASCONV_SCHEME_PRE, &src), 0);
    cr_assert_eq(list.count, 0);
}

/* --- Level given by the sheet against the name's type ------------------ */

Test(level, conflict_keeps_the_sheet_level)
{
    clasconv_anomalies list = {0};
    clasconv_school s = qpv_school(B, B);
    char cell[] = "A12";
    const clasconv_anomaly *a;

    s.cell = cell;
    s.level = CLASCONV_LEVEL_ELEMENTAIRE;
    cr_assert_eq(reconcile_check_level(&list, &s, CLASCONV_LEVEL_ELEMENTAIRE,
                                       CLASCONV_LEVEL_COLLEGE),
                 0);
    a = only(&list, CLASCONV_A_LEVEL_CONFLICT);
    cr_assert_eq(a->level, CLASCONV_LEVEL_ELEMENTAIRE);
    cr_assert_str_eq(a->cell, "A12");
    cr_assert_str_eq(a->school, "Collège Jean Moulin");
    cr_assert_not_null(strstr(a->message, "niveau Collège d'après son nom"));
    clasconv_anomalies_free(&list);
}

Test(level, no_conflict_without_two_levels)
{
    clasconv_anomalies list = {0};
    clasconv_school s = qpv_school(B, B);
    char cell[] = "A12";

    s.cell = cell;
    cr_assert_eq(reconcile_check_level(&list, &s, CLASCONV_LEVEL_COLLEGE,
                                       CLASCONV_LEVEL_COLLEGE),
                 0);
    cr_assert_eq(reconcile_check_level(&list, &s, CLASCONV_LEVEL_NONE,
                                       CLASCONV_LEVEL_COLLEGE),
                 0);
    cr_assert_eq(reconcile_check_level(&list, &s, CLASCONV_LEVEL_LYCEE,
                                       CLASCONV_LEVEL_NONE),
                 0);
    cr_assert_eq(list.count, 0);
}
