/* names_vocab.c: school-name vocabulary as data (SPEC section 2). */
#include "table/names_vocab.h"

#define ELEM CLASCONV_LEVEL_ELEMENTAIRE
#define COLL CLASCONV_LEVEL_COLLEGE
#define LYC CLASCONV_LEVEL_LYCEE
#define NONE CLASCONV_LEVEL_NONE

/*
 * Ways of writing a school type, one per line. The longest matching pattern
 * wins, so "ecole" only applies when no longer pattern does. Dots are
 * optional in the input ("Coll." and "Coll" both match "coll").
 */
const clasconv_name_type clasconv_name_types[] = {
    /* École élémentaire */
    {"ee", "École élémentaire", ELEM},
    {"eepu", "École élémentaire", ELEM},
    {"eepr", "École élémentaire", ELEM},
    {"e e", "École élémentaire", ELEM},
    {"ecole elementaire", "École élémentaire", ELEM},
    {"ecole elem", "École élémentaire", ELEM},
    {"ec elem", "École élémentaire", ELEM},
    {"ec elementaire", "École élémentaire", ELEM},
    {"ecole elementaire publique", "École élémentaire publique", ELEM},
    {"ecole elementaire privee", "École élémentaire privée", ELEM},
    /* École maternelle */
    {"em", "École maternelle", ELEM},
    {"empu", "École maternelle", ELEM},
    {"empr", "École maternelle", ELEM},
    {"e m", "École maternelle", ELEM},
    {"ecole maternelle", "École maternelle", ELEM},
    {"ecole mat", "École maternelle", ELEM},
    {"ec mat", "École maternelle", ELEM},
    {"ec maternelle", "École maternelle", ELEM},
    {"ecole maternelle publique", "École maternelle publique", ELEM},
    {"ecole maternelle privee", "École maternelle privée", ELEM},
    {"ecole maternelle et elementaire", "École maternelle et élémentaire",
     ELEM},
    {"ecole elementaire et maternelle", "École élémentaire et maternelle",
     ELEM},
    /* École primaire */
    {"ep", "École primaire", ELEM},
    {"eppu", "École primaire", ELEM},
    {"eppr", "École primaire", ELEM},
    {"e p", "École primaire", ELEM},
    {"ecole primaire", "École primaire", ELEM},
    {"ecole prim", "École primaire", ELEM},
    {"ec prim", "École primaire", ELEM},
    {"ec primaire", "École primaire", ELEM},
    {"ecole primaire publique", "École primaire publique", ELEM},
    {"ecole primaire privee", "École primaire privée", ELEM},
    {"ecole primaire et maternelle", "École primaire et maternelle", ELEM},
    /* École alone, groupe scolaire */
    {"ecole", "École", ELEM},
    {"ec", "École", ELEM},
    {"gs", "Groupe scolaire", ELEM},
    {"groupe scolaire", "Groupe scolaire", ELEM},
    {"grpe scolaire", "Groupe scolaire", ELEM},
    {"gpe scolaire", "Groupe scolaire", ELEM},
    /* Collège */
    {"clg", "Collège", COLL},
    {"coll", "Collège", COLL},
    {"col", "Collège", COLL},
    {"college", "Collège", COLL},
    /* Lycée */
    {"lyc", "Lycée", LYC},
    {"lycee", "Lycée", LYC},
    {"lp", "Lycée professionnel", LYC},
    {"lycee professionnel", "Lycée professionnel", LYC},
    {"lycee prof", "Lycée professionnel", LYC},
    {"lycee pro", "Lycée professionnel", LYC},
    {"lyc prof", "Lycée professionnel", LYC},
    {"lyc pro", "Lycée professionnel", LYC},
    {"lgt", "Lycée général et technologique", LYC},
    {"legt", "Lycée général et technologique", LYC},
    {"lycee general et technologique", "Lycée général et technologique", LYC},
    {"lycee d'enseignement general et technologique",
     "Lycée d'enseignement général et technologique", LYC},
    {"lycee general", "Lycée général", LYC},
    {"lycee technologique", "Lycée technologique", LYC},
    {"lpo", "Lycée polyvalent", LYC},
    {"lycee polyvalent", "Lycée polyvalent", LYC},
    {"lyc polyvalent", "Lycée polyvalent", LYC},
    {"lycee agricole", "Lycée agricole", LYC},
    {"lycee des metiers", "Lycée des métiers", LYC},
    /* Kept as written, no single level. */
    {"erea", "EREA", NONE},
    {"segpa", "SEGPA", NONE},
};
const size_t clasconv_name_type_count =
    sizeof clasconv_name_types / sizeof clasconv_name_types[0];

const clasconv_name_particle clasconv_name_particles[] = {
    {"de", 1}, {"du", 1},  {"des", 1},  {"la", 0}, {"le", 0},  {"les", 0},
    {"et", 0}, {"sur", 0}, {"sous", 0}, {"en", 0}, {"aux", 1}, {"au", 1},
};
const size_t clasconv_name_particle_count =
    sizeof clasconv_name_particles / sizeof clasconv_name_particles[0];

/* l' and d' (the particles "l'" and "d'" of SPEC section 2). */
const clasconv_name_particle clasconv_name_elisions[] = {{"l", 0}, {"d", 1}};
const size_t clasconv_name_elision_count =
    sizeof clasconv_name_elisions / sizeof clasconv_name_elisions[0];

const clasconv_name_abbrev clasconv_name_acronyms[] = {
    {"rep", "REP"},     {"qpv", "QPV"},   {"ulis", "ULIS"},
    {"segpa", "SEGPA"}, {"erea", "EREA"}, {"upe2a", "UPE2A"},
};
const size_t clasconv_name_acronym_count =
    sizeof clasconv_name_acronyms / sizeof clasconv_name_acronyms[0];

const clasconv_name_abbrev clasconv_name_abbrevs[] = {
    {"st", "Saint"},
    {"ste", "Sainte"},
};
const size_t clasconv_name_abbrev_count =
    sizeof clasconv_name_abbrevs / sizeof clasconv_name_abbrevs[0];
