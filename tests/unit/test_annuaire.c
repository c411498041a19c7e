/* test_annuaire.c: loading an Annuaire de l'éducation export, its index by
 * commune and UAI, the match confidence, and the matching stage. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "clasconv/clasconv.h"

#define FIXTURE CLASCONV_FIXTURES "/annuaire/annuaire-rhone.csv"

static clasconv_annuaire *load_fixture(void)
{
    clasconv_annuaire *a = NULL;
    clasconv_diag diag;

    cr_assert_eq(clasconv_annuaire_load(FIXTURE, &a, &diag), CLASCONV_OK, "%s",
                 diag.message);
    cr_assert_not_null(a);
    return a;
}

Test(annuaire, loads_the_fixture)
{
    clasconv_annuaire *a = load_fixture();
    const clasconv_annuaire_school *s;

    /* 61 rows, 7 communes; « A FERMER » is still open. */
    cr_assert_eq(clasconv_annuaire_count(a), 61);
    cr_assert_eq(clasconv_annuaire_communes(a), 7);
    cr_assert_str_eq(clasconv_annuaire_name(a), "annuaire-rhone.csv");
    s = clasconv_annuaire_find_uai(a, "0694106n");
    cr_assert_not_null(s);
    cr_assert_str_eq(s->uai, "0694106N");
    cr_assert_str_eq(s->name, "Collège Jean Jaurès");
    cr_assert_str_eq(s->type, "Collège");
    cr_assert_eq(s->nature, 340);
    cr_assert_str_eq(s->nature_label, "COLLEGE");
    cr_assert_eq(s->level, CLASCONV_LEVEL_COLLEGE);
    cr_assert_str_eq(s->commune, "Villeurbanne");
    cr_assert_str_eq(s->commune_code, "69266");
    cr_assert_str_eq(s->postal_code, "69100");
    cr_assert_str_eq(s->key, "college jean jaures");
    cr_assert_str_eq(s->proper, "jean jaures");
    cr_assert_str_eq(s->fingerprint, "jaures jean");
    cr_assert_null(clasconv_annuaire_find_uai(a, "0694106P"));
    cr_assert_null(clasconv_annuaire_find_uai(a, "nonsense"));
    clasconv_annuaire_free(a);
}

Test(annuaire, communes_by_any_spelling_or_insee_code)
{
    clasconv_annuaire *a = load_fixture();
    const char *const spellings[] = {"Saint-Priest", "SAINT PRIEST",
                                     "St-Priest", "saint priest", "69290"};
    size_t i, n = 0;
    uint32_t first, k;

    for (i = 0; i < sizeof spellings / sizeof *spellings; i++) {
        first = clasconv_annuaire_commune_first(a, spellings[i]);
        cr_assert_neq(first, UINT32_MAX, "%s", spellings[i]);
        cr_expect_str_eq(clasconv_annuaire_school_at(a, first)->uai, "0694401J",
                         "%s", spellings[i]);
    }
    /* Saint-Priest has 7 schools, in file order. */
    first = clasconv_annuaire_commune_first(a, "Saint-Priest");
    for (k = first; k != UINT32_MAX;
         k = clasconv_annuaire_school_at(a, k)->next)
        n++;
    cr_assert_eq(n, 7);
    cr_assert_eq(clasconv_annuaire_commune_first(a, "Lyon"), UINT32_MAX);
    cr_assert_eq(clasconv_annuaire_commune_first(a, NULL), UINT32_MAX);
    clasconv_annuaire_free(a);
}

/* Other years' spellings, another order, a comma separator, a closed
 * school and a row without a UAI. */
Test(annuaire, columns_found_by_name_not_position)
{
    static const char csv[] =
        "nom_commune,Code postal,identifiant_de_l_etablissement,"
        "libelle_nature,Nom_etablissement,code_nature,etat\r\n"
        "Bron,69500,0694301a,ECOLE DE NIVEAU ELEMENTAIRE,"
        "\"Ecole élémentaire Victor Hugo\",151,OUVERT\r\n"
        "Bron,69500,0694399Z,COLLEGE,Collège Fermé,340,FERME\r\n"
        "Bron,69500,,COLLEGE,Collège Sans Code,340,OUVERT\r\n";
    clasconv_annuaire *a = NULL;
    clasconv_diag diag;
    const clasconv_annuaire_school *s;

    cr_assert_eq(clasconv_annuaire_load_memory("variantes.csv",
                                               (const unsigned char *)csv,
                                               sizeof csv - 1, &a, &diag),
                 CLASCONV_OK, "%s", diag.message);
    cr_assert_eq(clasconv_annuaire_count(a), 1);
    s = clasconv_annuaire_school_at(a, 0);
    cr_assert_str_eq(s->uai, "0694301A");
    cr_assert_str_eq(s->name, "Ecole élémentaire Victor Hugo");
    cr_assert_str_eq(s->postal_code, "69500");
    cr_assert_str_eq(s->commune_code, "");
    cr_assert_eq(s->nature, 151);
    cr_assert_eq(s->level, CLASCONV_LEVEL_ELEMENTAIRE);
    clasconv_annuaire_free(a);
}

Test(annuaire, not_an_export_names_missing_columns)
{
    static const char csv[] = "Commune;Nombre;Autre\nBron;3;x\n";
    clasconv_annuaire *a = NULL;
    clasconv_diag diag;

    cr_assert_eq(clasconv_annuaire_load_memory("budget.csv",
                                               (const unsigned char *)csv,
                                               sizeof csv - 1, &a, &diag),
                 CLASCONV_ERR_FORMAT);
    cr_assert_null(a);
    cr_assert_not_null(strstr(diag.message, "« budget.csv » n'est pas un "
                                            "export de l'Annuaire"),
                       "%s", diag.message);
    cr_assert_not_null(strstr(diag.message, "Identifiant_de_l_etablissement, "
                                            "Nom_etablissement introuvables"),
                       "%s", diag.message);
}

Test(annuaire, unclosed_quote_and_missing_file)
{
    static const char csv[] = "Identifiant_de_l_etablissement;"
                              "Nom_etablissement;Nom_commune\n"
                              "0694301A;\"Ecole;Bron\n";
    clasconv_annuaire *a = NULL;
    clasconv_diag diag;

    cr_assert_eq(clasconv_annuaire_load_memory("x.csv",
                                               (const unsigned char *)csv,
                                               sizeof csv - 1, &a, &diag),
                 CLASCONV_ERR_FORMAT);
    cr_assert_not_null(strstr(diag.message, "guillemets"), "%s", diag.message);
    cr_assert_eq(clasconv_annuaire_load("/nonexistent/a.csv", &a, &diag),
                 CLASCONV_ERR_IO);
    cr_assert_str_eq(diag.message, "Impossible d'ouvrir l'annuaire « a.csv » "
                                   ": fichier introuvable.");
}

typedef struct confidence_case {
    const char *key; /* as clasconv_school_name_normalize() gives it */
    const char *uai;
    int confidence;
} confidence_case;

static const confidence_case confidences[] = {
    /* same key */
    {"ecole elementaire jules ferry", "0694112V", 100},
    /* bare "École": subtype unknown, x 0.95 */
    {"ecole jules ferry", "0694112V", 95},
    /* fingerprint: same words in another order, 0.95 */
    {"ecole elementaire ferry jules", "0694112V", 95},
    /* initials: "j" for "jules", 0.9 */
    {"ecole elementaire j ferry", "0694112V", 90},
    /* primaire / élémentaire: 1.0 x 0.9 */
    {"ecole primaire ferdinand buisson", "0694103K", 90},
    /* maternelle / élémentaire: 1.0 x 0.7, below the threshold */
    {"ecole maternelle jules ferry", "0694112V", 70},
    /* words contained: "ampere" in "andre marie ampere", 0.85 */
    {"lycee professionnel ampere", "0694109S", 85},
    /* a typo: words "ferri"/"ferry" 1 - 1/5 = 0.8, "jules" 1: 0.9 x 0.95 */
    {"ecole elementaire jules ferri", "0694112V", 86},
    /* another level: never */
    {"college jules ferry", "0694112V", 0},
};

Test(annuaire, match_confidence_table)
{
    clasconv_annuaire *a = load_fixture();
    size_t i;

    for (i = 0; i < sizeof confidences / sizeof *confidences; i++) {
        const confidence_case *c = &confidences[i];
        const clasconv_annuaire_school *s =
            clasconv_annuaire_find_uai(a, c->uai);
        cr_assert_not_null(s);
        cr_expect_eq(clasconv_match_confidence(c->key, s), c->confidence,
                     "%s / %s: %d, want %d", c->key, s->name,
                     clasconv_match_confidence(c->key, s), c->confidence);
    }
    clasconv_annuaire_free(a);
}

static clasconv_school *add(clasconv_table *t, clasconv_level level,
                            const char *read)
{
    clasconv_school_name name;
    clasconv_school *s;

    cr_assert_eq(clasconv_school_name_normalize(read, &name), CLASCONV_OK);
    s = clasconv_table_add_school(t, level, name.canonical, name.key, read,
                                  "Feuil1!A2");
    cr_assert_not_null(s);
    clasconv_school_name_free(&name);
    return s;
}

static size_t count_code(const clasconv_table *t, clasconv_anomaly_code code)
{
    size_t i, n = 0;

    for (i = 0; i < t->anomalies.count; i++)
        n += t->anomalies.items[i].code == code;
    return n;
}

Test(annuaire, stage_matches_within_the_commune)
{
    clasconv_annuaire *a = load_fixture();
    clasconv_table *t = clasconv_table_new();
    clasconv_school *exact, *approx, *ambiguous, *missing, *other_town;
    size_t i;

    cr_assert_eq(clasconv_table_set_string(&t->commune, "VILLEURBANNE"), 0);
    exact = add(t, CLASCONV_LEVEL_COLLEGE, "CLG JEAN JAURES");
    approx = add(t, CLASCONV_LEVEL_ELEMENTAIRE, "EE J. Ferry");
    ambiguous = add(t, CLASCONV_LEVEL_ELEMENTAIRE, "Ecole Berthelot");
    missing = add(t, CLASCONV_LEVEL_ELEMENTAIRE, "EE Paul Bert");
    /* Collège Ampère exists in Bron, not in Villeurbanne. */
    other_town = add(t, CLASCONV_LEVEL_COLLEGE, "Collège Ampère");
    cr_assert_eq(clasconv_ref_match(t, a, &t->anomalies), CLASCONV_OK);
    cr_assert(t->annuaire_used);

    cr_assert_str_eq(exact->uai, "0694106N");
    cr_assert_str_eq(exact->official_name, "Collège Jean Jaurès");
    cr_assert_eq(exact->confidence, 100);
    cr_assert_str_eq(approx->uai, "0694112V");
    cr_assert_str_eq(approx->official_name, "Ecole élémentaire Jules Ferry");
    cr_assert_eq(approx->confidence, 90);
    cr_assert_null(ambiguous->uai);
    cr_assert_eq(ambiguous->confidence, 0);
    cr_assert_null(missing->uai);
    cr_assert_null(other_town->uai);

    cr_assert_eq(count_code(t, CLASCONV_A_SCHOOL_MATCH_APPROX), 1);
    cr_assert_eq(count_code(t, CLASCONV_A_SCHOOL_AMBIGUOUS), 1);
    cr_assert_eq(count_code(t, CLASCONV_A_SCHOOL_NOT_IN_ANNUAIRE), 2);
    for (i = 0; i < t->anomalies.count; i++) {
        const clasconv_anomaly *an = &t->anomalies.items[i];
        if (an->code == CLASCONV_A_SCHOOL_AMBIGUOUS)
            cr_assert_str_eq(
                an->message,
                "« École Berthelot » peut être 2 établissements de "
                "VILLEURBANNE dans l'annuaire : « Ecole maternelle "
                "Berthelot » (0694104L, 95 %) et « Ecole élémentaire "
                "Berthelot » (0694105M, 95 %). Aucun n'a été retenu : "
                "précisez le type (maternelle, élémentaire...) ou indiquez "
                "l'UAI dans le tableau.");
        if (an->code == CLASCONV_A_SCHOOL_MATCH_APPROX)
            cr_assert_not_null(strstr(an->message,
                                      "« École élémentaire J. Ferry » a été "
                                      "rapproché de « Ecole élémentaire "
                                      "Jules Ferry » (0694112V)"),
                               "%s", an->message);
    }
    /* Source facts. */
    cr_assert_eq(t->nfields, 2);
    cr_assert_str_eq(t->fields[0].value,
                     "annuaire-rhone.csv (61 établissements)");
    cr_assert_str_eq(t->fields[1].value, "2 établissements sur 5 rapprochés");
    clasconv_table_free(t);
    clasconv_annuaire_free(a);
}

Test(annuaire, stage_unknown_commune_matches_by_uai_only)
{
    clasconv_annuaire *a = load_fixture();
    clasconv_table *t = clasconv_table_new();
    clasconv_school *s;

    cr_assert_eq(clasconv_table_set_string(&t->commune, "Lyon"), 0);
    s = add(t, CLASCONV_LEVEL_LYCEE, "Lycée Ampère");
    cr_assert_eq(clasconv_table_set_string(&s->uai, "0694307G"), 0);
    add(t, CLASCONV_LEVEL_LYCEE, "Lycée du Parc");
    cr_assert_eq(clasconv_ref_match(t, a, &t->anomalies), CLASCONV_OK);
    cr_assert_str_eq(s->official_name, "Lycée Ampère");
    cr_assert_eq(s->confidence, 100);
    /* One file-level warning, not one per school. */
    cr_assert_eq(t->anomalies.count, 1);
    cr_assert_eq(t->anomalies.items[0].code, CLASCONV_A_SCHOOL_NOT_IN_ANNUAIRE);
    cr_assert_not_null(
        strstr(t->anomalies.items[0].message, "La commune « Lyon » n'est pas"));
    clasconv_table_free(t);
    clasconv_annuaire_free(a);
}

/* A field of 2 MiB (an unclosed quote swallowing the file) fails with
 * TOO_LARGE instead of growing without bound. */
Test(annuaire, huge_field_is_refused)
{
    static const char head[] = "Identifiant_de_l_etablissement;"
                               "Nom_etablissement;Nom_commune\n0694301A;\"";
    size_t size = sizeof head - 1 + ((size_t)2 << 20);
    unsigned char *csv = malloc(size);
    clasconv_annuaire *a = NULL;
    clasconv_diag diag;

    cr_assert_not_null(csv);
    memcpy(csv, head, sizeof head - 1);
    memset(csv + sizeof head - 1, 'x', size - (sizeof head - 1));
    cr_assert_eq(clasconv_annuaire_load_memory("big.csv", csv, size, &a, &diag),
                 CLASCONV_ERR_TOO_LARGE);
    cr_assert_null(a);
    cr_assert_not_null(strstr(diag.message, "champ de plus de 1 Mo"), "%s",
                       diag.message);
    free(csv);
}
