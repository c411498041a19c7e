/* test_compare.c: pairing the schools of two years and the thresholds of
 * a count that moves. */
#include <criterion/criterion.h>
#include <string.h>

#include "clasconv/clasconv.h"

#define B CLASCONV_BLANK

static clasconv_school *add(clasconv_table *t, clasconv_level level,
                            const char *read, const char *uai, int64_t clas)
{
    clasconv_school_name name;
    clasconv_school *s;

    cr_assert_eq(clasconv_school_name_normalize(read, &name), CLASCONV_OK);
    s = clasconv_table_add_school(t, level, name.canonical, name.key, read,
                                  "A1");
    cr_assert_not_null(s);
    clasconv_school_name_free(&name);
    if (uai)
        cr_assert_eq(clasconv_table_set_string(&s->uai, uai), 0);
    s->counts[CLASCONV_SCHEME_CLAS] = clas;
    return s;
}

static size_t count_kind(const clasconv_comparison *c, clasconv_change_kind k)
{
    size_t i, n = 0;

    for (i = 0; i < c->count; i++)
        n += c->changes[i].kind == k;
    return n;
}

Test(compare, duplicate_keys_pair_once_each)
{
    clasconv_table *old = clasconv_table_new(), *now = clasconv_table_new();
    clasconv_comparison cmp;

    add(old, CLASCONV_LEVEL_ELEMENTAIRE, "EE Jules Ferry", NULL, 5);
    add(old, CLASCONV_LEVEL_ELEMENTAIRE, "Ecole élémentaire Jules-Ferry", NULL,
        5);
    add(now, CLASCONV_LEVEL_ELEMENTAIRE, "EE JULES FERRY", NULL, 5);
    cr_assert_eq(clasconv_compare(old, now, &cmp), CLASCONV_OK);
    cr_assert_eq(cmp.kept, 1);
    cr_assert_eq(cmp.count, 1);
    cr_assert_eq(cmp.changes[0].kind, CLASCONV_CHANGE_SCHOOL_GONE);
    /* The second row of the older year is the one left over. */
    cr_assert_str_eq(cmp.changes[0].school, "École élémentaire Jules-Ferry");
    clasconv_comparison_free(&cmp);
    clasconv_table_free(old);
    clasconv_table_free(now);
}

Test(compare, uai_pairs_across_names_and_levels)
{
    clasconv_table *old = clasconv_table_new(), *now = clasconv_table_new();
    clasconv_comparison cmp;

    add(old, CLASCONV_LEVEL_ELEMENTAIRE, "Groupe scolaire Centre", "0694112v",
        5);
    add(now, CLASCONV_LEVEL_COLLEGE, "EE du Centre", "0694112V", 5);
    cr_assert_eq(clasconv_compare(old, now, &cmp), CLASCONV_OK);
    cr_assert_eq(cmp.kept, 1);
    cr_assert_eq(cmp.by_uai, 1);
    cr_assert_eq(cmp.count, 0);
    clasconv_comparison_free(&cmp);
    clasconv_table_free(old);
    clasconv_table_free(now);
}

Test(compare, same_name_other_uai_is_another_school)
{
    clasconv_table *old = clasconv_table_new(), *now = clasconv_table_new();
    clasconv_comparison cmp;

    add(old, CLASCONV_LEVEL_ELEMENTAIRE, "EE Jules Ferry", "0694112V", 5);
    add(now, CLASCONV_LEVEL_ELEMENTAIRE, "EE Jules Ferry", "0694401J", 5);
    cr_assert_eq(clasconv_compare(old, now, &cmp), CLASCONV_OK);
    cr_assert_eq(cmp.kept, 0);
    cr_assert_eq(count_kind(&cmp, CLASCONV_CHANGE_SCHOOL_GONE), 1);
    cr_assert_eq(count_kind(&cmp, CLASCONV_CHANGE_SCHOOL_NEW), 1);
    cr_assert_str_eq(cmp.changes[1].uai, "0694401J");
    clasconv_comparison_free(&cmp);
    clasconv_table_free(old);
    clasconv_table_free(now);
}

typedef struct move_case {
    int64_t before, after;
    clasconv_change_kind kind; /* what is listed */
    int listed;
} move_case;

static const move_case moves[] = {
    {10, 21, CLASCONV_CHANGE_COUNT_MOVED, 1},  /* +11, +110 % */
    {20, 31, CLASCONV_CHANGE_COUNT_MOVED, 1},  /* +11, +55 % */
    {30, 41, CLASCONV_CHANGE_COUNT_MOVED, 0},  /* +11, +37 %: not 50 % */
    {5, 15, CLASCONV_CHANGE_COUNT_MOVED, 0},   /* +10: not more than 10 */
    {100, 49, CLASCONV_CHANGE_COUNT_MOVED, 1}, /* -51, -51 % */
    {100, 50, CLASCONV_CHANGE_COUNT_MOVED, 0}, /* -50 %: not more */
    {B, 3, CLASCONV_CHANGE_SCHEME_STARTED, 1}, /* blank -> 3 */
    {0, 1, CLASCONV_CHANGE_SCHEME_STARTED, 1}, /* 0 -> 1 */
    {7, 0, CLASCONV_CHANGE_SCHEME_STOPPED, 1}, /* 7 -> 0 */
    {7, B, CLASCONV_CHANGE_SCHEME_STOPPED, 1}, /* 7 -> blank */
    {B, 0, CLASCONV_CHANGE_SCHEME_STARTED, 0}, /* blank -> 0: nothing */
};

Test(compare, thresholds)
{
    size_t i;

    for (i = 0; i < sizeof moves / sizeof *moves; i++) {
        clasconv_table *old = clasconv_table_new();
        clasconv_table *now = clasconv_table_new();
        clasconv_comparison cmp;

        add(old, CLASCONV_LEVEL_COLLEGE, "CLG Jean Moulin", NULL,
            moves[i].before);
        add(now, CLASCONV_LEVEL_COLLEGE, "Collège Jean Moulin", NULL,
            moves[i].after);
        cr_assert_eq(clasconv_compare(old, now, &cmp), CLASCONV_OK);
        cr_expect_eq(cmp.kept, 1);
        cr_expect_eq(cmp.count, (size_t)moves[i].listed, "%lld -> %lld",
                     (long long)moves[i].before, (long long)moves[i].after);
        if (cmp.count == 1) {
            cr_expect_eq(cmp.changes[0].kind, moves[i].kind);
            cr_expect_eq(cmp.changes[0].scheme, CLASCONV_SCHEME_CLAS);
            cr_expect_eq(cmp.changes[0].before, moves[i].before);
            cr_expect_eq(cmp.changes[0].after, moves[i].after);
        }
        clasconv_comparison_free(&cmp);
        clasconv_table_free(old);
        clasconv_table_free(now);
    }
}

/* Commune by commune (compare of two files or two batch folders, and the
 * serve page): paired by the commune's key, each older table once; a
 * commune on one side only is compared with an empty table. */
Test(compare, communes_paired_by_key_else_with_an_empty_table)
{
    clasconv_table *t[4];
    const clasconv_table *older[2], *newer[2];
    clasconv_comparison_set set;
    size_t i;

    for (i = 0; i < 4; i++) {
        t[i] = clasconv_table_new();
        cr_assert_not_null(t[i]);
        add(t[i], CLASCONV_LEVEL_ELEMENTAIRE, "EE Jules Ferry", NULL, 5);
    }
    cr_assert_eq(clasconv_table_set_string(&t[0]->commune, "Bron"), 0);
    cr_assert_eq(clasconv_table_set_string(&t[1]->commune, "SAINT-PRIEST"), 0);
    cr_assert_eq(clasconv_table_set_string(&t[2]->commune, "Saint Priest"), 0);
    cr_assert_eq(clasconv_table_set_string(&t[3]->commune, "Vénissieux"), 0);
    older[0] = t[0];
    older[1] = t[1];
    newer[0] = t[2];
    newer[1] = t[3];
    cr_assert_eq(clasconv_compare_communes(older, 2, newer, 2, &set),
                 CLASCONV_OK);
    cr_assert_eq(set.count, 3);
    cr_assert_eq(set.nempties, 2);
    /* Saint-Priest with Saint Priest: the school kept, nothing changed. */
    cr_assert_eq(set.items[0].before, t[1]);
    cr_assert_eq(set.items[0].after, t[2]);
    cr_assert_eq(set.items[0].kept, 1);
    cr_assert_eq(set.items[0].count, 0);
    /* Vénissieux is new: compared with an empty table of its name. */
    cr_assert_eq(set.items[1].after, t[3]);
    cr_assert_str_eq(set.items[1].before->commune, "Vénissieux");
    cr_assert_eq(count_kind(&set.items[1], CLASCONV_CHANGE_SCHOOL_NEW), 1);
    /* Bron is gone, last. */
    cr_assert_eq(set.items[2].before, t[0]);
    cr_assert_eq(count_kind(&set.items[2], CLASCONV_CHANGE_SCHOOL_GONE), 1);
    clasconv_comparison_set_free(&set);
    cr_assert_eq(set.count, 0);
    clasconv_comparison_set_free(NULL);
    for (i = 0; i < 4; i++)
        clasconv_table_free(t[i]);
}
