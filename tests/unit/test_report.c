/* test_report.c: the French report `clasconv check` prints. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "clasconv/clasconv.h"
#include "write_fixture.h"

static char *render(const clasconv_table *t)
{
    clasconv_buf out = {0};

    cr_assert_eq(clasconv_render_report(t, &out), CLASCONV_OK);
    return clasconv_buf_detach(&out);
}

static void assert_contains(const char *text, const char *needle)
{
    cr_assert_not_null(strstr(text, needle), "missing «%s» in:\n%s", needle,
                       text);
}

/* Every line fits an 80-column terminal: at most 79 characters. */
static void assert_narrow(const char *text)
{
    size_t width = 0;

    for (; *text != '\0'; text++) {
        if (*text == '\n') {
            width = 0;
            continue;
        }
        if (((unsigned char)*text & 0xC0) != 0x80)
            width++;
        cr_assert_leq(width, 79, "line too wide in:\n%s", text);
    }
}

Test(report, fixture_report)
{
    clasconv_table *t = fixture_table();
    char *text = render(t);

    assert_contains(text, "Fichier         : bron.csv\n"
                          "Format          : csv\n"
                          "Tableau lu dans : bron\n"
                          "Commune         : Bron (cellule « Territoire de » "
                          "/ « Commune »)\n"
                          "Encodage        : Windows-1252\n");
    assert_contains(
        text, "Niveau       Étab. Étude École  Acc. Stage   PRE  dont  CLAS  "
              "dont Autre\n"
              "                          ouv. éduc.               QPV         "
              "QPV\n"
              "Élémentaire      2    12     0     5     0     8     3    34    "
              "14     2\n"
              "Collège          1     0    30     0     4    11     7     0    "
              " 0     0\n"
              "Lycée            0     0     0     0     0     0     0     0    "
              " 0     0\n"
              "Total            3    12    30     5     4    19    10    34    "
              "14     2\n");
    assert_narrow(text);
    assert_contains(text, "Anomalies : 1 erreur, 1 avertissement, 1 info\n");
    assert_contains(text, "\n1 erreur\n  - [VALUE_NOT_A_NUMBER] ligne 14, "
                          "champ 8 · Collège Jean Moulin · CLAS\n"
                          "    « NC » n'est pas un nombre.\n");
    assert_contains(text, "\n1 avertissement\n  - [QPV_MISSING] École "
                          "maternelle Jean Rostand · PRE dont QPV\n");
    assert_contains(text, "\n1 info\n  - [ENCODING_ASSUMED]\n"
                          "    Lu en Windows-1252.\n");
    /* Errors first, then warnings, then infos; the verdict last. */
    cr_assert_lt(strstr(text, "\n1 erreur\n"),
                 strstr(text, "\n1 avertissement\n"));
    cr_assert_lt(strstr(text, "\n1 avertissement\n"),
                 strstr(text, "\n1 info\n"));
    cr_assert_eq(strcmp(text + strlen(text) -
                            strlen("\n1 erreur à corriger avant l'envoi.\n"),
                        "\n1 erreur à corriger avant l'envoi.\n"),
                 0, "%s", text);
    assert_narrow(text);
    free(text);
    clasconv_table_free(t);
}

Test(report, plural_groups_and_verdict)
{
    clasconv_table *t = fixture_table();
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();
    char *text;
    int i;

    clasconv_anomalies_free(&t->anomalies);
    for (i = 0; i < 3; i++)
        cr_assert_eq(clasconv_anomalies_add(&t->anomalies,
                                            CLASCONV_A_VALUE_NEGATIVE, &at,
                                            "Négatif."),
                     0);
    for (i = 0; i < 2; i++)
        cr_assert_eq(clasconv_anomalies_add(&t->anomalies,
                                            CLASCONV_A_VALUE_READ_AS_ZERO, &at,
                                            "Zéro."),
                     0);
    text = render(t);
    assert_contains(text, "Anomalies : 3 erreurs, 0 avertissement, 2 infos\n");
    assert_contains(text, "\n3 erreurs\n");
    assert_contains(text, "\n2 infos\n");
    cr_assert_null(strstr(text, "avertissement\n  -"));
    assert_contains(text, "\n3 erreurs à corriger avant l'envoi.\n");
    free(text);
    clasconv_table_free(t);
}

Test(report, clean_table_can_be_sent)
{
    clasconv_table *t = fixture_table();
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();
    char *text;

    clasconv_anomalies_free(&t->anomalies);
    cr_assert_eq(clasconv_anomalies_add(&t->anomalies, CLASCONV_A_QPV_MISSING,
                                        &at, "À vérifier."),
                 0);
    text = render(t);
    assert_contains(text, "\n1 avertissement\n  - [QPV_MISSING]\n"
                          "    À vérifier.\n");
    assert_contains(text, "\nAucune erreur : le tableau peut être envoyé.\n");
    cr_assert_null(strstr(text, "à corriger"));
    free(text);
    clasconv_table_free(t);
}

Test(report, failed_file)
{
    clasconv_table *t = clasconv_table_new();
    char *text;

    cr_assert_eq(clasconv_table_set_string(&t->file_name, "export.xls"), 0);
    cr_assert_eq(clasconv_anomalies_add(&t->anomalies,
                                        CLASCONV_A_FILE_UNREADABLE, NULL,
                                        "Ce fichier est une page web."),
                 0);
    text = render(t);
    cr_assert_str_eq(text, "Fichier         : export.xls\n"
                           "\n"
                           "Ce fichier n'a pas pu être lu :\n"
                           "  - [FILE_UNREADABLE]\n"
                           "    Ce fichier est une page web.\n"
                           "\n"
                           "Rien n'a été vérifié : faites ce qui est indiqué "
                           "ci-dessus, puis relancez\n"
                           "« clasconv check ».\n");
    /* One verdict, never the count of errors to correct. */
    cr_assert_null(strstr(text, "à corriger"));
    free(text);
    clasconv_table_free(t);
}

Test(report, long_messages_wrap_and_controls_are_neutralized)
{
    clasconv_table *t = clasconv_table_new();
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();
    char message[600];
    char *text;
    int i;

    message[0] = '\0';
    for (i = 0; i < 40; i++)
        strcat(message, "mot\xc3\xa9s ");
    at.school = "Coll\x1b[31mège\xff\x7f";
    cr_assert_eq(clasconv_anomalies_add(&t->anomalies,
                                        CLASCONV_A_SCHOOL_DUPLICATE, &at, "%s",
                                        message),
                 0);
    text = render(t);
    assert_narrow(text);
    cr_assert_null(strchr(text, '\x1b'));
    cr_assert_null(strchr(text, '\x7f'));
    assert_contains(text,
                    "[SCHOOL_DUPLICATE] Coll\\x1b[31mège\xEF\xBF\xBD\\x7f\n");
    /* 40 words of 5 characters: 12 per 79-column line after the indent. */
    assert_contains(text, "\n    motés motés motés motés motés motés motés "
                          "motés motés motés motés motés\n    motés");
    free(text);
    clasconv_table_free(t);
}

Test(report, unknown_level_row_makes_rows_add_up)
{
    clasconv_table *t = fixture_table();
    static const int64_t counts[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    char *text;

    fixture_school(t, CLASCONV_LEVEL_NONE, "Centre social", NULL,
                   "ligne 30, champ 1", counts);
    fixture_totals(t);
    text = render(t);
    assert_contains(text, "Lycée            0     0     0     0     0     0 "
                          "    0     0     0     0\n"
                          "Inconnu          1     1     2     3     4     5 "
                          "    6     7     8     9\n"
                          "Total            4    13    32     8     8    24 "
                          "   16    41    22    11\n");
    free(text);
    clasconv_table_free(t);
}

Test(report, no_line_starts_with_french_punctuation)
{
    clasconv_table *t = clasconv_table_new();
    char *text;
    const char *p;

    cr_assert_eq(clasconv_anomalies_add(
                     &t->anomalies, CLASCONV_A_QPV_MISSING, NULL,
                     "Pour « Collège Jean Moulin », PRE compte 6 enfants "
                     "mais « dont issus QPV » n'est pas rempli : indiquez "
                     "combien habitent un quartier ; prioritaire ! (0 si "
                     "aucun) ? « un long texte cité qui ne se coupe pas » "
                     ": fin."),
                 0);
    text = render(t);
    for (p = strchr(text, '\n'); p != NULL; p = strchr(p + 1, '\n')) {
        const char *q = p + 1;

        while (*q == ' ')
            q++;
        cr_assert(*q != ':' && *q != ';' && *q != '!' && *q != '?' &&
                      strncmp(q, "»", strlen("»")) != 0,
                  "%s", text);
        cr_assert(p - text < 3 || strncmp(p - 2, "«", 2) != 0, "%s", text);
    }
    assert_contains(text, "    Pour « Collège Jean Moulin », PRE compte 6 "
                          "enfants mais « dont issus QPV »\n"
                          "    n'est pas rempli : indiquez");
    free(text);
    clasconv_table_free(t);
}
