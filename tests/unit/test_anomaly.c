/* test_anomaly.c: the anomaly list's bounds (texts cut, one summary per
 * code past CLASCONV_ANOMALIES_PER_CODE) and the cut helper. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "clasconv/anomaly.h"
#include "core/cut.h"
#include "table/listing.h"

Test(cut, keeps_short_texts_and_cuts_long_ones_at_a_character)
{
    clasconv_buf buf = {0};
    int failed = 0;
    char *s;

    cr_assert_eq(clasconv_cut_append(&buf, "École", 10), CLASCONV_OK);
    cr_assert_str_eq(buf.data, "École");
    clasconv_buf_reset(&buf);
    /* "É" is 2 bytes: a cut at 1 byte must not split it */
    cr_assert_eq(clasconv_cut_append(&buf, "École", 1), CLASCONV_OK);
    cr_assert_str_eq(buf.data, "… (5 caractères de plus)");
    clasconv_buf_reset(&buf);
    cr_assert_eq(clasconv_cut_append(&buf, "École Jules Ferry", 8),
                 CLASCONV_OK);
    cr_assert_str_eq(buf.data, "École J… (10 caractères de plus)");
    clasconv_buf_free(&buf);
    s = clasconv_cut_dup("abcdef", 3, &failed);
    cr_assert_str_eq(s, "abc… (3 caractères de plus)");
    cr_assert_eq(failed, 0);
    free(s);
    cr_assert_null(clasconv_cut_dup(NULL, 3, &failed));
    cr_assert_eq(clasconv_cut_len("aé", 3, 2), 1);
}

Test(anomaly, long_fields_and_messages_are_cut)
{
    clasconv_anomalies list = {0};
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();
    char *name = malloc(32001);

    memset(name, 'x', 32000);
    name[32000] = '\0';
    at.school = name;
    at.read = name;
    cr_assert_eq(clasconv_anomalies_add(&list, CLASCONV_A_LEVEL_UNKNOWN, &at,
                                        "Le niveau de « %s » est inconnu.",
                                        name),
                 CLASCONV_OK);
    cr_assert_eq(list.count, 1);
    cr_assert_leq(strlen(list.items[0].school),
                  CLASCONV_ANOMALY_MAX_FIELD + CLASCONV_CUT_SUFFIX_MAX);
    cr_assert_not_null(
        strstr(list.items[0].school, "… (31488 caractères de plus)"));
    cr_assert_leq(strlen(list.items[0].message),
                  CLASCONV_ANOMALY_MAX_MESSAGE + CLASCONV_CUT_SUFFIX_MAX);
    cr_assert_not_null(strstr(list.items[0].message, "caractères de plus)"));
    clasconv_anomalies_free(&list);
    free(name);
}

Test(anomaly, one_summary_per_code_past_the_limit)
{
    clasconv_anomalies list = {0};
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();
    size_t i, n = 100000;

    for (i = 0; i < n; i++) {
        cr_assert_eq(clasconv_anomalies_add(&list,
                                            CLASCONV_A_VALUE_READ_AS_ZERO, &at,
                                            "« NC » lu comme 0 (%zu).", i),
                     CLASCONV_OK);
        if (i % 2 == 0)
            cr_assert_eq(clasconv_anomalies_add(
                             &list, CLASCONV_A_VALUE_NEGATIVE, &at, "négatif"),
                         CLASCONV_OK);
    }
    /* 200 of each code, plus one summary each */
    cr_assert_eq(list.count, 2 * (CLASCONV_ANOMALIES_PER_CODE + 1));
    /* counts stay true */
    cr_assert_eq(clasconv_anomalies_count(&list, CLASCONV_SEV_INFO), n);
    cr_assert_eq(clasconv_anomalies_count(&list, CLASCONV_SEV_ERROR), n / 2);
    clasconv_anomalies_sort(&list); /* errors first: the summaries move */
    cr_assert_eq(clasconv_anomalies_add(&list, CLASCONV_A_VALUE_NEGATIVE, &at,
                                        "négatif"),
                 CLASCONV_OK);
    cr_assert_eq(clasconv_anomalies_add(&list, CLASCONV_A_VALUE_READ_AS_ZERO,
                                        &at, "zéro"),
                 CLASCONV_OK);
    cr_assert_eq(list.count, 2 * (CLASCONV_ANOMALIES_PER_CODE + 1));
    cr_assert_eq(list.items[0].code, CLASCONV_A_VALUE_NEGATIVE);
    cr_assert_str_eq(list.items[CLASCONV_ANOMALIES_PER_CODE].message,
                     "… et 49801 autres cellules avec la même anomalie "
                     "(VALUE_NEGATIVE), non détaillées : seules les 200 "
                     "premières le sont.");
    cr_assert_str_eq(list.items[2 * CLASCONV_ANOMALIES_PER_CODE + 1].message,
                     "… et 99801 autres cellules avec la même anomalie "
                     "(VALUE_READ_AS_ZERO), non détaillées : seules les 200 "
                     "premières le sont.");
    clasconv_anomalies_free(&list);
    cr_assert_eq(list.count, 0);
    cr_assert_eq(list.per_code[CLASCONV_A_VALUE_NEGATIVE], 0);
}

Test(listing, names_and_values_cut_and_later_columns_skipped)
{
    clasconv_buf buf = {0};
    char name[200];

    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    cr_assert_eq(clasconv_listing_add(&buf, 0, "École A", "3"), CLASCONV_OK);
    cr_assert_eq(clasconv_listing_add(&buf, 0, name, "4"), CLASCONV_OK);
    cr_assert_eq(strlen(buf.data),
                 strlen("École A : « 3 » ; ") + 80 +
                     strlen("… (119 caractères de plus) : « 4 »"));
    cr_assert_not_null(strstr(buf.data, "… (119 caractères de plus) : « 4 »"));
    clasconv_buf_free(&buf);
    cr_assert_eq(
        clasconv_listing_add(&buf, CLASCONV_ANOMALIES_PER_CODE, "A", "1"),
        CLASCONV_OK);
    cr_assert_eq(buf.len, 0);
}
