/* test_json.c: the JSON object of SPEC section 6. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "clasconv/clasconv.h"
#include "write_fixture.h"

Test(json, small_table_exact)
{
    static const int64_t counts[9] = {12,
                                      CLASCONV_BLANK,
                                      0,
                                      CLASCONV_BLANK,
                                      5,
                                      3,
                                      CLASCONV_BLANK,
                                      CLASCONV_BLANK,
                                      1};
    static const char want[] =
        "{\"file\":\"Note \\\"CLAS\\\".xls\",\"format\":\"xls\","
        "\"sheet\":\"Feuil1\",\"sheets\":[\"Feuil1\"],"
        "\"commune\":\"Saint-Fons\",\"commune_source\":"
        "\"cellule\",\"encoding\":null,"
        "\"sha256\":null,"
        "\"rows\":[{\"level\":\"COLLEGE\",\"school\":\"Collège Jean Moulin\","
        "\"read_name\":\"CLG JEAN MOULIN\",\"cell\":\"Feuil1!A14\","
        "\"uai\":null,"
        "\"counts\":{\"ETUDE\":12,\"ECOLE_OUVERTE\":null,"
        "\"ACCOMPAGNEMENT_EDUCATIF\":0,\"STAGE_REUSSITE\":null,\"PRE\":5,"
        "\"PRE_QPV\":3,\"CLAS\":null,\"CLAS_QPV\":null,\"AUTRE\":1},"
        "\"observations\":null}],"
        "\"totals\":{"
        "\"ELEMENTAIRE\":{\"schools\":0,\"ETUDE\":0,\"ECOLE_OUVERTE\":0,"
        "\"ACCOMPAGNEMENT_EDUCATIF\":0,\"STAGE_REUSSITE\":0,\"PRE\":0,"
        "\"PRE_QPV\":0,\"CLAS\":0,\"CLAS_QPV\":0,\"AUTRE\":0},"
        "\"COLLEGE\":{\"schools\":1,\"ETUDE\":12,\"ECOLE_OUVERTE\":0,"
        "\"ACCOMPAGNEMENT_EDUCATIF\":0,\"STAGE_REUSSITE\":0,\"PRE\":5,"
        "\"PRE_QPV\":3,\"CLAS\":0,\"CLAS_QPV\":0,\"AUTRE\":1},"
        "\"LYCEE\":{\"schools\":0,\"ETUDE\":0,\"ECOLE_OUVERTE\":0,"
        "\"ACCOMPAGNEMENT_EDUCATIF\":0,\"STAGE_REUSSITE\":0,\"PRE\":0,"
        "\"PRE_QPV\":0,\"CLAS\":0,\"CLAS_QPV\":0,\"AUTRE\":0},"
        "\"ALL\":{\"schools\":1,\"ETUDE\":12,\"ECOLE_OUVERTE\":0,"
        "\"ACCOMPAGNEMENT_EDUCATIF\":0,\"STAGE_REUSSITE\":0,\"PRE\":5,"
        "\"PRE_QPV\":3,\"CLAS\":0,\"CLAS_QPV\":0,\"AUTRE\":1}},"
        "\"anomalies\":[{\"code\":\"QPV_EXCEEDS_TOTAL\",\"severity\":"
        "\"erreur\",\"level\":\"COLLEGE\",\"school\":\"Collège Jean Moulin\","
        "\"scheme\":\"PRE_QPV\",\"cell\":\"Feuil1!G14\",\"read\":\"7\","
        "\"kept\":\"7\",\"message\":\"Ligne 1\\nligne 2\\t\\u0001\"}]}\n";
    clasconv_table *t = clasconv_table_new();
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();
    clasconv_buf out = {0};

    cr_assert_eq(clasconv_table_set_string(&t->file_name, "Note \"CLAS\".xls"),
                 0);
    cr_assert_eq(clasconv_table_set_string(&t->format, "xls"), 0);
    cr_assert_eq(clasconv_table_set_string(&t->sheet, "Feuil1"), 0);
    cr_assert_eq(clasconv_table_set_string(&t->commune, "Saint-Fons"), 0);
    t->commune_source = CLASCONV_COMMUNE_CELL;
    fixture_school(t, CLASCONV_LEVEL_COLLEGE, "Collège Jean Moulin",
                   "CLG JEAN MOULIN", "Feuil1!A14", counts);
    fixture_totals(t);
    at.level = CLASCONV_LEVEL_COLLEGE;
    at.scheme = CLASCONV_SCHEME_PRE_QPV;
    at.school = "Collège Jean Moulin";
    at.cell = "Feuil1!G14";
    at.read = "7";
    at.kept = "7";
    cr_assert_eq(clasconv_anomalies_add(&t->anomalies,
                                        CLASCONV_A_QPV_EXCEEDS_TOTAL, &at,
                                        "Ligne 1\nligne 2\t\x01"),
                 0);
    cr_assert_eq(clasconv_render_json(t, &out), CLASCONV_OK);
    cr_assert_str_eq(out.data, want);
    clasconv_buf_free(&out);
    clasconv_table_free(t);
}

Test(json, fixture_has_every_section)
{
    clasconv_table *t = fixture_table();
    clasconv_buf out = {0};

    cr_assert_eq(clasconv_render_json(t, &out), CLASCONV_OK);
    cr_assert_not_null(strstr(out.data, "\"encoding\":\"Windows-1252\""));
    cr_assert_not_null(
        strstr(out.data, "\"sha256\":\"00112233445566778899aabbccddeeff0011"));
    cr_assert_not_null(strstr(out.data, "\"ALL\":{\"schools\":3,\"ETUDE\":12,"
                                        "\"ECOLE_OUVERTE\":30,"));
    cr_assert_not_null(strstr(out.data, "{\"code\":\"ENCODING_ASSUMED\","
                                        "\"severity\":\"info\",\"level\":null,"
                                        "\"school\":null,\"scheme\":null,"
                                        "\"cell\":null,\"read\":null,"
                                        "\"kept\":null,\"message\":"
                                        "\"Lu en Windows-1252.\"}]}\n"));
    /* One line. */
    cr_assert_eq(strchr(out.data, '\n'), out.data + out.len - 1);
    clasconv_buf_free(&out);
    clasconv_table_free(t);
}

Test(json, failed_file_same_shape)
{
    static const char want[] =
        "{\"file\":\"export.xls\",\"format\":null,\"sheet\":null,"
        "\"sheets\":[],"
        "\"commune\":null,\"commune_source\":null,\"encoding\":null,\"sha256\":"
        "null,\"rows\":[],"
        "\"totals\":{"
        "\"ELEMENTAIRE\":{\"schools\":0,\"ETUDE\":0,\"ECOLE_OUVERTE\":0,"
        "\"ACCOMPAGNEMENT_EDUCATIF\":0,\"STAGE_REUSSITE\":0,\"PRE\":0,"
        "\"PRE_QPV\":0,\"CLAS\":0,\"CLAS_QPV\":0,\"AUTRE\":0},"
        "\"COLLEGE\":{\"schools\":0,\"ETUDE\":0,\"ECOLE_OUVERTE\":0,"
        "\"ACCOMPAGNEMENT_EDUCATIF\":0,\"STAGE_REUSSITE\":0,\"PRE\":0,"
        "\"PRE_QPV\":0,\"CLAS\":0,\"CLAS_QPV\":0,\"AUTRE\":0},"
        "\"LYCEE\":{\"schools\":0,\"ETUDE\":0,\"ECOLE_OUVERTE\":0,"
        "\"ACCOMPAGNEMENT_EDUCATIF\":0,\"STAGE_REUSSITE\":0,\"PRE\":0,"
        "\"PRE_QPV\":0,\"CLAS\":0,\"CLAS_QPV\":0,\"AUTRE\":0},"
        "\"ALL\":{\"schools\":0,\"ETUDE\":0,\"ECOLE_OUVERTE\":0,"
        "\"ACCOMPAGNEMENT_EDUCATIF\":0,\"STAGE_REUSSITE\":0,\"PRE\":0,"
        "\"PRE_QPV\":0,\"CLAS\":0,\"CLAS_QPV\":0,\"AUTRE\":0}},"
        "\"anomalies\":[{\"code\":\"FILE_UNREADABLE\",\"severity\":"
        "\"erreur\",\"level\":null,\"school\":null,\"scheme\":null,"
        "\"cell\":null,\"read\":null,\"kept\":null,"
        "\"message\":\"Ce n'est pas un tableur.\"}]}\n";
    clasconv_table *t = clasconv_table_new();
    clasconv_buf out = {0};

    cr_assert_eq(clasconv_table_set_string(&t->file_name, "export.xls"), 0);
    cr_assert_eq(clasconv_anomalies_add(&t->anomalies,
                                        CLASCONV_A_FILE_UNREADABLE, NULL,
                                        "Ce n'est pas un tableur."),
                 0);
    cr_assert_eq(clasconv_render_json(t, &out), CLASCONV_OK);
    cr_assert_str_eq(out.data, want);
    clasconv_buf_free(&out);
    clasconv_table_free(t);
}

Test(json, invalid_utf8_is_repaired_and_appends)
{
    clasconv_table *t = clasconv_table_new();
    clasconv_buf out = {0};

    cr_assert_eq(clasconv_table_set_string(&t->file_name, "caf\xe9.csv"), 0);
    cr_assert_eq(clasconv_buf_puts(&out, "prefix "), 0);
    cr_assert_eq(clasconv_render_json(t, &out), CLASCONV_OK);
    cr_assert_eq(strncmp(out.data, "prefix {\"file\":\"caf\xEF\xBF\xBD.csv\"",
                         strlen("prefix {\"file\":\"caf\xEF\xBF\xBD.csv\"")),
                 0, "%s", out.data);
    clasconv_buf_free(&out);
    clasconv_table_free(t);
}

Test(json, null_arguments)
{
    clasconv_buf out = {0};

    cr_assert_eq(clasconv_render_json(NULL, &out), CLASCONV_ERR_USAGE);
    cr_assert_eq(out.len, 0);
}

Test(json, uai_and_annuaire_match_per_row)
{
    static const int64_t counts[9] = {1, -1, -1, -1, -1, -1, -1, -1, -1};
    clasconv_table *t = clasconv_table_new();
    clasconv_buf out = {0};
    clasconv_school *a, *b;

    a = fixture_school(t, CLASCONV_LEVEL_LYCEE, "Lycée du Parc", "LYC PARC",
                       "Feuil1!A3", counts);
    b = fixture_school(t, CLASCONV_LEVEL_LYCEE, "Lycée Inconnu", "LYC X",
                       "Feuil1!A4", counts);
    cr_assert_eq(clasconv_table_set_string(&a->uai, "0690026D"), 0);
    fixture_totals(t);
    cr_assert_eq(clasconv_render_json(t, &out), CLASCONV_OK);
    cr_assert_not_null(strstr(out.data, "\"cell\":\"Feuil1!A3\","
                                        "\"uai\":\"0690026D\",\"counts\""));
    cr_assert_not_null(strstr(out.data, "\"cell\":\"Feuil1!A4\","
                                        "\"uai\":null,\"counts\""));
    cr_assert_null(strstr(out.data, "official_name"));
    clasconv_buf_reset(&out);
    t->annuaire_used = 1;
    cr_assert_eq(clasconv_table_set_string(&a->official_name, "Lycée du Parc"),
                 0);
    a->confidence = 92;
    cr_assert_eq(clasconv_render_json(t, &out), CLASCONV_OK);
    cr_assert_not_null(strstr(out.data, "\"uai\":\"0690026D\","
                                        "\"official_name\":\"Lycée du Parc\","
                                        "\"confidence\":92,"));
    cr_assert_not_null(strstr(out.data, "\"uai\":null,"
                                        "\"official_name\":null,"
                                        "\"confidence\":null,"));
    (void)b;
    clasconv_buf_free(&out);
    clasconv_table_free(t);
}
