/* cmd_template.c: `clasconv template`: writes the fillable form workbook. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clasconv/clasconv.h"
#include "clasconv/coord.h"
#include "cli.h"

static void template_usage(void)
{
    cli_error("utilisation : clasconv template -o MODELE.xlsx [--commune NOM]"
              " [--lignes N] [--depuis FICHIER] [--annuaire ANNUAIRE.csv]");
}

/* Parses --lignes: a whole number from 1 to the maximum. */
static int parse_rows(const char *text, size_t *rows)
{
    char *end;
    unsigned long long v;

    if (!text || !*text || *text == '-' || *text == '+')
        return -1;
    errno = 0;
    v = strtoull(text, &end, 10);
    if (errno || *end || v < 1 || v > CLASCONV_TEMPLATE_ROWS_MAX)
        return -1;
    *rows = (size_t)v;
    return 0;
}

/* Non-zero when both paths name the same existing file. */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;

    if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
        return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int cmd_template(int argc, char **argv)
{
    clasconv_template_options options;
    const char *output = NULL, *from = NULL, *annuaire_path = NULL;
    clasconv_table *prefill = NULL;
    clasconv_diag diag;
    clasconv_error err;
    int i;

    memset(&options, 0, sizeof options);
    clasconv_diag_clear(&diag);
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(arg, "--")) {
            continue; /* ends the options: template takes no operand */
        }
        if (!strcmp(arg, "-o") || !strcmp(arg, "--output") ||
            !strcmp(arg, "--commune") || !strcmp(arg, "--lignes") ||
            !strcmp(arg, "--depuis") || !strcmp(arg, "--annuaire")) {
            if (!value) {
                cli_error("l'option %s attend une valeur.", arg);
                template_usage();
                return CLI_EXIT_USAGE;
            }
            i++;
            if (!strcmp(arg, "-o") || !strcmp(arg, "--output")) {
                output = value;
            } else if (!strcmp(arg, "--commune")) {
                options.commune = value;
            } else if (!strcmp(arg, "--depuis")) {
                from = value;
            } else if (!strcmp(arg, "--annuaire")) {
                annuaire_path = value;
            } else if (parse_rows(value, &options.rows_per_level) != 0) {
                cli_error("--lignes attend un nombre entier de 1 à %d (reçu "
                          "« %s »).",
                          CLASCONV_TEMPLATE_ROWS_MAX, value);
                return CLI_EXIT_USAGE;
            }
            continue;
        }
        cli_error("argument inattendu « %s ».", arg);
        template_usage();
        return CLI_EXIT_USAGE;
    }
    if (!output) {
        cli_error("indiquez le fichier à écrire avec -o MODELE.xlsx.");
        template_usage();
        return CLI_EXIT_USAGE;
    }
    if (from && same_file(from, output)) {
        cli_error("le modèle « %s » remplacerait le fichier lu : choisissez "
                  "un autre nom avec -o.",
                  output);
        return CLI_EXIT_USAGE;
    }

    if (annuaire_path && (from || !options.commune)) {
        cli_error("--annuaire pré-remplit le modèle avec les établissements "
                  "d'une commune : donnez-la avec --commune (et sans "
                  "--depuis).");
        return CLI_EXIT_USAGE;
    }
    if (annuaire_path) {
        clasconv_annuaire *annuaire = NULL;
        err = clasconv_annuaire_load(annuaire_path, &annuaire, &diag);
        if (!err)
            err = clasconv_annuaire_commune_table(annuaire, options.commune,
                                                  &prefill, &diag);
        clasconv_annuaire_free(annuaire);
        if (err) {
            cli_error("%s", diag.message);
            return CLI_EXIT_FAILED;
        }
        from = annuaire_path;
    }
    if (from && !prefill) {
        err = clasconv_convert(from, &prefill, &diag);
        if (err) {
            cli_error("%s",
                      diag.message[0] ? diag.message : clasconv_strerror(err));
            clasconv_table_free(prefill);
            return CLI_EXIT_FAILED;
        }
    }

    clasconv_diag_clear(&diag);
    err = clasconv_write_template(&options, prefill, output, &diag);
    if (err) {
        cli_error("%s",
                  diag.message[0] ? diag.message : clasconv_strerror(err));
        clasconv_table_free(prefill);
        return err == CLASCONV_ERR_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
    }
    if (prefill) {
        size_t errors =
            clasconv_anomalies_count(&prefill->anomalies, CLASCONV_SEV_ERROR);
        const char *plural = prefill->nschools > 1 ? "s" : "";
        printf("Modèle écrit : %s (pré-rempli avec %zu établissement%s lu%s "
               "dans %s).\n",
               output, prefill->nschools, plural, plural, from);
        if (errors)
            printf("Attention : %zu erreur%s dans %s : les valeurs sont "
                   "recopiées telles qu'elles ont été lues, et chaque "
                   "cellule à corriger est colorée, avec le message en "
                   "commentaire. Détail : clasconv check \"%s\"\n",
                   errors, errors > 1 ? "s" : "", from, from);
    } else {
        printf("Modèle écrit : %s.\n", output);
    }
    clasconv_table_free(prefill);
    return CLI_EXIT_OK;
}
