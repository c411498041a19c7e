/* write_fixture.h: a small hand-built table shared by the writer tests. */
#ifndef CLASCONV_TESTS_WRITE_FIXTURE_H
#define CLASCONV_TESTS_WRITE_FIXTURE_H

#include <string.h>

#include <criterion/criterion.h>

#include "clasconv/clasconv.h"

static clasconv_school *fixture_school(clasconv_table *t, clasconv_level level,
                                       const char *name, const char *read,
                                       const char *cell,
                                       const int64_t counts[9])
{
    clasconv_school *s =
        clasconv_table_add_school(t, level, name, "", read, cell);
    int i;

    cr_assert_not_null(s);
    for (i = 0; i < 9; i++)
        s->counts[i] = counts[i];
    return s;
}

/* Sets totals from the rows, as reconcile does. */
static void fixture_totals(clasconv_table *t)
{
    clasconv_table_totals(t, t->totals);
}

#define B CLASCONV_BLANK

/* Three schools (two in Élémentaire, one in Collège), three anomalies
 * (sorted: error, warning, info), one Source field. */
static clasconv_table *fixture_table(void)
{
    static const int64_t c1[9] = {12, B, 5, B, 8, 3, 14, 14, B};
    static const int64_t c2[9] = {0, B, B, B, B, B, 20, B, 2};
    static const int64_t c3[9] = {B, 30, B, 4, 11, 7, B, B, B};
    clasconv_table *t = clasconv_table_new();
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();
    clasconv_school *s;

    cr_assert_not_null(t);
    cr_assert_eq(clasconv_table_set_string(&t->file_name, "bron.csv"), 0);
    cr_assert_eq(clasconv_table_set_string(&t->format, "csv"), 0);
    cr_assert_eq(clasconv_table_set_string(&t->sheet, "bron"), 0);
    cr_assert_eq(clasconv_table_set_string(&t->commune, "Bron"), 0);
    t->commune_source = CLASCONV_COMMUNE_CELL;
    cr_assert_eq(clasconv_table_set_string(&t->encoding, "Windows-1252"), 0);
    strcpy(t->sha256, "00112233445566778899aabbccddeeff"
                      "00112233445566778899aabbccddeeff");
    fixture_school(t, CLASCONV_LEVEL_ELEMENTAIRE,
                   "École élémentaire Jules Ferry", "EE J. FERRY",
                   "ligne 8, champ 1", c1);
    s = fixture_school(t, CLASCONV_LEVEL_ELEMENTAIRE,
                       "École maternelle Jean Rostand", "EMPU Jean Rostand",
                       "ligne 9, champ 1", c2);
    cr_assert_eq(clasconv_table_set_string(&s->autre_detail, "Coup de pouce"),
                 0);
    fixture_school(t, CLASCONV_LEVEL_COLLEGE, "Collège Jean Moulin",
                   "clg jean moulin", "ligne 14, champ 1", c3);
    fixture_totals(t);

    at.level = CLASCONV_LEVEL_COLLEGE;
    at.scheme = CLASCONV_SCHEME_CLAS;
    at.school = "Collège Jean Moulin";
    at.cell = "ligne 14, champ 8";
    at.read = "NC";
    at.kept = "";
    cr_assert_eq(clasconv_anomalies_add(&t->anomalies,
                                        CLASCONV_A_VALUE_NOT_A_NUMBER, &at,
                                        "« NC » n'est pas un nombre."),
                 0);
    at = clasconv_anomaly_nowhere();
    at.level = CLASCONV_LEVEL_ELEMENTAIRE;
    at.scheme = CLASCONV_SCHEME_PRE_QPV;
    at.school = "École maternelle Jean Rostand";
    cr_assert_eq(clasconv_anomalies_add(&t->anomalies, CLASCONV_A_QPV_MISSING,
                                        &at, "« dont QPV » non rempli."),
                 0);
    at = clasconv_anomaly_nowhere();
    cr_assert_eq(clasconv_anomalies_add(&t->anomalies,
                                        CLASCONV_A_ENCODING_ASSUMED, &at,
                                        "Lu en Windows-1252."),
                 0);
    cr_assert_eq(clasconv_table_add_field(t, "Coordinateur", "Mme Dupont"), 0);
    return t;
}

#undef B

#endif
