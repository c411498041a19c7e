/* test_uai.c: UAI check letters, reading a UAI from a cell and from inside
 * a school name, and the UAI stage on a table. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "clasconv/clasconv.h"

/* Letters by index: A0 B1 C2 D3 E4 F5 G6 H7 J8 K9 L10 M11 N12 P13 R14 S15
 * T16 U17 V18 W19 X20 Y21 Z22 (no I, O, Q). */
typedef struct letter_case {
    uint32_t number;
    char letter;
} letter_case;

static const letter_case letters[] = {
    /* 0 = 23 x 0 + 0 -> A */
    {0, 'A'},
    /* 22 = 23 x 0 + 22 -> Z */
    {22, 'Z'},
    /* 23 = 23 x 1 + 0 -> A again */
    {23, 'A'},
    /* Lycée Ampère, Lyon, 0690023A: 690023 = 23 x 30001 + 0 -> A */
    {690023, 'A'},
    /* Lycée du Parc, Lyon, 0690026D: 690026 = 23 x 30001 + 3 -> D */
    {690026, 'D'},
    /* Lycée Frédéric Faÿs, Villeurbanne, 0690132U:
     * 690132 = 690023 + 109 = 23 x 30001 + 23 x 4 + 17 -> 17 -> U */
    {690132, 'U'},
    /* Lycée Louis-le-Grand, Paris, 0750654D:
     * 750654 = 23 x 32637 (750651) + 3 -> D */
    {750654, 'D'},
    /* Lycée Henri-IV, Paris, 0750699C:
     * 750699 = 750651 + 48 = 23 x 32637 + 23 x 2 + 2 -> C */
    {750699, 'C'},
    /* 691234 = 690023 + 1211 = 23 x 30001 + 23 x 52 (1196) + 15 -> S */
    {691234, 'S'},
    /* 9999999 = 23 x 434782 (9999986) + 13 -> P */
    {9999999, 'P'},
};

Test(uai, check_letter_vectors)
{
    size_t i;

    for (i = 0; i < sizeof letters / sizeof *letters; i++)
        cr_expect_eq(
            clasconv_uai_check_letter(letters[i].number), letters[i].letter,
            "%u: got %c, want %c", letters[i].number,
            clasconv_uai_check_letter(letters[i].number), letters[i].letter);
}

Test(uai, parse_valid)
{
    char uai[CLASCONV_UAI_SIZE], expected = 0;

    cr_assert_eq(clasconv_uai_parse("0690026D", uai, &expected),
                 CLASCONV_UAI_VALID);
    cr_assert_str_eq(uai, "0690026D");
    cr_assert_eq(expected, 'D');
    /* Blanks around it (no-break space too) and a lower-case letter. */
    cr_assert_eq(clasconv_uai_parse(" 0750654d\xC2\xA0", uai, NULL),
                 CLASCONV_UAI_VALID);
    cr_assert_str_eq(uai, "0750654D");
}

Test(uai, parse_wrong_letter_gives_expected)
{
    char uai[CLASCONV_UAI_SIZE], expected = 0;

    /* 690026 -> D, not E */
    cr_assert_eq(clasconv_uai_parse("0690026E", uai, &expected),
                 CLASCONV_UAI_BAD_LETTER);
    cr_assert_str_eq(uai, "0690026E");
    cr_assert_eq(expected, 'D');
    /* The brief's example 0691234A: 691234 -> S */
    cr_assert_eq(clasconv_uai_parse("0691234A", uai, &expected),
                 CLASCONV_UAI_BAD_LETTER);
    cr_assert_eq(expected, 'S');
    /* I, O, Q are never check letters */
    cr_assert_eq(clasconv_uai_parse("0690023I", uai, &expected),
                 CLASCONV_UAI_BAD_LETTER);
    cr_assert_eq(expected, 'A');
}

Test(uai, parse_malformed)
{
    static const char *const bad[] = {
        "",          "069002D",  "06900260",  "0690026DD",
        "0690 026D", "D0690026", "0690026-D", "Collège 0690026D"};
    char uai[CLASCONV_UAI_SIZE];
    size_t i;

    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_expect_eq(clasconv_uai_parse(bad[i], uai, NULL),
                     CLASCONV_UAI_MALFORMED, "%s", bad[i]);
        cr_expect_str_eq(uai, "", "%s", bad[i]);
    }
    cr_expect_eq(clasconv_uai_parse(NULL, uai, NULL), CLASCONV_UAI_MALFORMED);
}

typedef struct extract_case {
    const char *name;
    const char *uai;  /* NULL: none found */
    const char *rest; /* the name without it */
} extract_case;

static const extract_case extracts[] = {
    {"École Jules Ferry (0691234S)", "0691234S", "École Jules Ferry"},
    {"École Jules Ferry(0691234s)", "0691234S", "École Jules Ferry"},
    {"0691234S - École Jules Ferry", "0691234S", "École Jules Ferry"},
    {"EE Jules Ferry \xE2\x80\x93 UAI : 0691234S", "0691234S",
     "EE Jules Ferry"},
    {"Collège Jean Moulin [RNE 0690026D]", "0690026D", "Collège Jean Moulin"},
    {"Collège Jean Moulin, N° UAI 0690026D", "0690026D", "Collège Jean Moulin"},
    {"Collège (0690026D) Jean Moulin", "0690026D", "Collège Jean Moulin"},
    /* The letter is not checked here: a wrong one is still taken out. */
    {"École Jules Ferry (0691234A)", "0691234A", "École Jules Ferry"},
    /* Not a UAI: 8 digits, a letter glued before, 6 digits. */
    {"École 12345678", NULL, NULL},
    {"École X0691234S", NULL, NULL},
    {"École 069123S", NULL, NULL},
    {"École 0691234SA", NULL, NULL},
    /* Nothing but the UAI: nothing to take it out of. */
    {"(0691234S)", NULL, NULL},
    {"Jules Ferry", NULL, NULL},
};

Test(uai, extract_from_names)
{
    size_t i;

    for (i = 0; i < sizeof extracts / sizeof *extracts; i++) {
        const extract_case *c = &extracts[i];
        char uai[CLASCONV_UAI_SIZE];
        char *rest = NULL;
        int found = clasconv_uai_extract(c->name, uai, &rest);

        if (!c->uai) {
            cr_expect_eq(found, 0, "%s: found %s", c->name, uai);
            cr_expect_null(rest, "%s", c->name);
        } else {
            cr_expect_eq(found, 1, "%s: not found", c->name);
            cr_expect_str_eq(uai, c->uai, "%s", c->name);
            cr_expect_str_eq(rest ? rest : "(null)", c->rest, "%s", c->name);
        }
        free(rest);
    }
}

static clasconv_table *table_of(const char *read_name, const char *uai)
{
    clasconv_table *t = clasconv_table_new();
    clasconv_school_name name;
    clasconv_school *s;

    cr_assert_not_null(t);
    cr_assert_eq(clasconv_school_name_normalize(read_name, &name), CLASCONV_OK);
    s = clasconv_table_add_school(t, CLASCONV_LEVEL_ELEMENTAIRE, name.canonical,
                                  name.key, read_name, "Feuil1!A7");
    cr_assert_not_null(s);
    clasconv_school_name_free(&name);
    if (uai)
        cr_assert_eq(clasconv_table_set_string(&s->uai, uai), CLASCONV_OK);
    return t;
}

Test(uai, stage_takes_uai_out_of_the_name)
{
    clasconv_table *t = table_of("EE J. FERRY (0691234S)", NULL);

    cr_assert_eq(clasconv_ref_read_uai(t), CLASCONV_OK);
    cr_assert_str_eq(t->schools[0].uai, "0691234S");
    cr_assert_str_eq(t->schools[0].name, "École élémentaire J. Ferry");
    cr_assert_str_eq(t->schools[0].key, "ecole elementaire j ferry");
    /* What was read stays as read. */
    cr_assert_str_eq(t->schools[0].read_name, "EE J. FERRY (0691234S)");
    cr_assert_eq(t->anomalies.count, 0);
    clasconv_table_free(t);
}

Test(uai, stage_flags_wrong_letter_with_expected_one)
{
    clasconv_table *t = table_of("École Jules Ferry (0691234A)", NULL);
    const clasconv_anomaly *a;

    cr_assert_eq(clasconv_ref_read_uai(t), CLASCONV_OK);
    cr_assert_str_eq(t->schools[0].uai, "0691234A");
    cr_assert_eq(t->anomalies.count, 1);
    a = &t->anomalies.items[0];
    cr_assert_eq(a->code, CLASCONV_A_UAI_INVALID);
    cr_assert_eq(a->severity, CLASCONV_SEV_WARNING);
    cr_assert_str_eq(a->school, "École Jules Ferry");
    cr_assert_str_eq(a->cell, "Feuil1!A7");
    cr_assert_str_eq(a->read, "0691234A");
    cr_assert_not_null(strstr(a->message, "la lettre attendue est S "
                                          "(0691234S)"),
                       "%s", a->message);
    clasconv_table_free(t);
}

Test(uai, stage_keeps_a_column_uai_and_checks_it)
{
    /* A UAI column gave one: the name's is taken out, the column's kept. */
    clasconv_table *t = table_of("Collège Jean Moulin (0690023A)", "0690026e");
    const clasconv_anomaly *a;

    cr_assert_eq(clasconv_ref_read_uai(t), CLASCONV_OK);
    cr_assert_str_eq(t->schools[0].uai, "0690026E"); /* upper case */
    cr_assert_str_eq(t->schools[0].name, "Collège Jean Moulin");
    cr_assert_eq(t->anomalies.count, 1);
    a = &t->anomalies.items[0];
    cr_assert_eq(a->code, CLASCONV_A_UAI_INVALID);
    cr_assert_not_null(strstr(a->message, "attendue est D"), "%s", a->message);
    clasconv_table_free(t);
}

Test(uai, stage_flags_a_cell_that_is_not_a_uai)
{
    clasconv_table *t = table_of("École Paul Bert", "69-123");

    cr_assert_eq(clasconv_ref_read_uai(t), CLASCONV_OK);
    cr_assert_eq(t->anomalies.count, 1);
    cr_assert_eq(t->anomalies.items[0].code, CLASCONV_A_UAI_INVALID);
    cr_assert_not_null(strstr(t->anomalies.items[0].message,
                              "7 chiffres suivis d'une lettre"));
    clasconv_table_free(t);
}

Test(uai, stage_leaves_names_without_uai_alone)
{
    clasconv_table *t = table_of("EE Jules Ferry", NULL);

    cr_assert_eq(clasconv_ref_read_uai(t), CLASCONV_OK);
    cr_assert_null(t->schools[0].uai);
    cr_assert_str_eq(t->schools[0].name, "École élémentaire Jules Ferry");
    cr_assert_eq(t->anomalies.count, 0);
    clasconv_table_free(t);
}
