/* test_commune.c: where the commune comes from (cell, title, file name,
 * nothing) and the anomalies that say so, one case a line. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "clasconv/clasconv.h"

#define CELL CLASCONV_COMMUNE_CELL
#define TITLE CLASCONV_COMMUNE_TITLE
#define FNAME CLASCONV_COMMUNE_FILE_NAME
#define NONE CLASCONV_COMMUNE_NONE
#define NO_CODE CLASCONV_A_COUNT

#define TABLE                                                                   \
    "\r\nÉtablissement;Étude;CLAS\r\nNIVEAU COLLEGE\r\nCLG Jean Moulin;20;10" \
    "\r\n"

typedef struct commune_case {
    const char *file_name;
    const char *top; /* lines above the table */
    const char *commune;
    clasconv_commune_source source;
    clasconv_anomaly_code code; /* the commune anomaly, or NO_CODE */
} commune_case;

static const commune_case cases[] = {
    {"saint-priest.csv", "Territoire de : Bron", "Bron", CELL, NO_CODE},
    {"x.csv", "Commune : Bron", "Bron", CELL, NO_CODE},
    {"x.csv", "Commune de : Bron", "Bron", CELL, NO_CODE},
    {"x.csv", "Territoire de;Bron", "Bron", CELL, NO_CODE},
    {"bron.csv", "Ville de Bron", "Bron", TITLE, NO_CODE},
    {"bron.csv", "MAIRIE DE BRON", "BRON", TITLE, NO_CODE},
    {"bron.csv", "Commune de Bron", "Bron", TITLE, NO_CODE},
    {"ecully.csv", "Ville d'Écully", "Écully", TITLE, NO_CODE},
    {"ecully.csv", "Ville d’Écully", "Écully", TITLE, NO_CODE},
    {"bron.csv", "Ville de Bron - Service Éducation", "Bron", TITLE, NO_CODE},
    {"bron.csv", "Ville de Bron : dispositifs 2026", "Bron", TITLE, NO_CODE},
    {"bron.csv", "Ville de Bron (Rhône)", "Bron", TITLE, NO_CODE},
    /* a cell of the form wins over a title */
    {"x.csv", "Ville de Lyon\r\nTerritoire de : Bron", "Bron", CELL, NO_CODE},
    /* the title and the file name: one name written shorter is no conflict */
    {"CLAS_2026_vaulx.csv", "Ville de Vaulx-en-Velin", "Vaulx-en-Velin", TITLE,
     NO_CODE},
    {"Saint-Priest.csv", "Ville de Vaulx-en-Velin", "Vaulx-en-Velin", TITLE,
     CLASCONV_A_COMMUNE_CONFLICT},
    {"dispositifs_clas_2026_bron.csv", "", "Bron", FNAME,
     CLASCONV_A_COMMUNE_FROM_FILENAME},
    {"CLAS_2026.csv", "", NULL, NONE, CLASCONV_A_COMMUNE_UNKNOWN},
    /* a title with no file name to compare with */
    {"tableau_clas_2026.csv", "Mairie de Givors", "Givors", TITLE, NO_CODE},
};

static size_t commune_anomalies(const clasconv_table *t,
                                clasconv_anomaly_code *code)
{
    size_t i, n = 0;

    *code = NO_CODE;
    for (i = 0; i < t->anomalies.count; i++) {
        clasconv_anomaly_code c = t->anomalies.items[i].code;
        if (c == CLASCONV_A_COMMUNE_FROM_FILENAME ||
            c == CLASCONV_A_COMMUNE_UNKNOWN ||
            c == CLASCONV_A_COMMUNE_CONFLICT) {
            *code = c;
            n++;
        }
    }
    return n;
}

Test(commune, every_case)
{
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const commune_case *k = &cases[i];
        char text[512];
        clasconv_table *t = NULL;
        clasconv_diag diag;
        clasconv_anomaly_code code;
        size_t n;

        snprintf(text, sizeof text, "%s\r\n%s", k->top, TABLE);
        cr_assert_eq(clasconv_convert_memory(k->file_name, NULL,
                                             (const unsigned char *)text,
                                             strlen(text), &t, &diag),
                     CLASCONV_OK, "%s: %s", k->top, diag.message);
        if (k->commune)
            cr_assert_str_eq(t->commune ? t->commune : "(null)", k->commune,
                             "%s / %s", k->file_name, k->top);
        else
            cr_assert_null(t->commune, "%s: %s", k->file_name, t->commune);
        cr_assert_eq(t->commune_source, k->source, "%s / %s: source %d",
                     k->file_name, k->top, t->commune_source);
        n = commune_anomalies(t, &code);
        cr_assert_eq(n, k->code == NO_CODE ? 0u : 1u, "%s / %s: %zu",
                     k->file_name, k->top, n);
        cr_assert_eq(code, k->code, "%s / %s: %s", k->file_name, k->top,
                     clasconv_anomaly_code_name(code));
        clasconv_table_free(t);
    }
}

Test(commune, conflict_names_both_and_says_the_title_wins)
{
    const char *text = "Ville de Vaulx-en-Velin\r\n" TABLE;
    clasconv_table *t = NULL;
    const clasconv_anomaly *a = NULL;
    size_t i;

    cr_assert_eq(clasconv_convert_memory("Saint-Priest.xlsx", NULL,
                                         (const unsigned char *)text,
                                         strlen(text), &t, NULL),
                 CLASCONV_OK);
    for (i = 0; i < t->anomalies.count; i++)
        if (t->anomalies.items[i].code == CLASCONV_A_COMMUNE_CONFLICT)
            a = &t->anomalies.items[i];
    cr_assert_not_null(a);
    cr_assert_eq(a->severity, CLASCONV_SEV_WARNING);
    cr_assert(strstr(a->message, "« Vaulx-en-Velin »"), "%s", a->message);
    cr_assert(strstr(a->message, "« Saint-Priest »"), "%s", a->message);
    cr_assert(strstr(a->message, "titre qui est retenu"), "%s", a->message);
    clasconv_table_free(t);
}

Test(commune, unreadable_files_raise_no_commune_anomaly)
{
    const char *text = "rien à voir\r\n";
    clasconv_table *t = NULL;
    clasconv_anomaly_code code;

    cr_assert_eq(clasconv_convert_memory("CLAS_2026.csv", NULL,
                                         (const unsigned char *)text,
                                         strlen(text), &t, NULL),
                 CLASCONV_ERR_NO_TABLE);
    cr_assert_eq(commune_anomalies(t, &code), 0);
    cr_assert_eq(t->commune_source, NONE);
    clasconv_table_free(t);
}
