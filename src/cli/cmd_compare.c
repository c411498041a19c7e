/* cmd_compare.c: `compare ANCIEN NOUVEAU`: what changed from one year's
 * table to the next. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clasconv/clasconv.h"
#include "cli.h"

typedef struct compare_args {
    const char *before;
    const char *after;
    const char *output;
    const char *annuaire;
    int json;
} compare_args;

static int parse(int argc, char **argv, compare_args *args)
{
    int i;

    memset(args, 0, sizeof *args);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) {
            args->json = 1;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output") ||
                   !strcmp(a, "--annuaire")) {
            if (++i >= argc) {
                cli_error("l'option %s attend un nom de fichier.", a);
                return -1;
            }
            if (!strcmp(a, "--annuaire"))
                args->annuaire = argv[i];
            else
                args->output = argv[i];
        } else if (a[0] == '-' && a[1] != '\0') {
            cli_error("option inconnue « %s ». Voir « clasconv --help ».", a);
            return -1;
        } else if (!args->before) {
            args->before = a;
        } else if (!args->after) {
            args->after = a;
        } else {
            cli_error("compare lit deux fichiers (« %s » en trop).", a);
            return -1;
        }
    }
    if (!args->after) {
        cli_error("indiquez l'ancien et le nouveau fichier : clasconv compare "
                  "ANCIEN NOUVEAU [-o COMPARAISON.xlsx] [--json].");
        return -1;
    }
    if (args->output && (!strcmp(args->output, args->before) ||
                         !strcmp(args->output, args->after))) {
        cli_error("le fichier de sortie « %s » est un des fichiers lus : "
                  "choisissez un autre nom avec -o.",
                  args->output);
        return -1;
    }
    return 0;
}

/* Converts one side (and matches it to the annuaire); prints why not. */
static clasconv_table *read_side(const char *path,
                                 const clasconv_annuaire *annuaire)
{
    clasconv_table *table = NULL;
    clasconv_diag diag;
    clasconv_error err = clasconv_convert(path, &table, &diag);

    if (!table) {
        cli_error("mémoire insuffisante.");
        return NULL;
    }
    if (err) {
        cli_error("%s : %s", path, diag.message);
        clasconv_table_free(table);
        return NULL;
    }
    if (annuaire && clasconv_ref_match(table, annuaire, &table->anomalies)) {
        cli_error("mémoire insuffisante pour le rapprochement avec "
                  "l'annuaire.");
        clasconv_table_free(table);
        return NULL;
    }
    return table;
}

int cmd_compare(int argc, char **argv)
{
    compare_args args;
    clasconv_annuaire *annuaire = NULL;
    clasconv_table *before = NULL, *after = NULL;
    clasconv_comparison cmp;
    clasconv_buf buf = {0};
    clasconv_diag diag;
    int rc = CLI_EXIT_FAILED;

    memset(&cmp, 0, sizeof cmp);
    if (parse(argc, argv, &args))
        return CLI_EXIT_USAGE;
    if (args.annuaire &&
        clasconv_annuaire_load(args.annuaire, &annuaire, &diag)) {
        cli_error("%s", diag.message);
        return CLI_EXIT_FAILED;
    }
    before = read_side(args.before, annuaire);
    after = before ? read_side(args.after, annuaire) : NULL;
    if (!after)
        goto done;
    if (clasconv_compare(before, after, &cmp)) {
        cli_error("mémoire insuffisante pour la comparaison.");
        goto done;
    }
    if (args.output) {
        clasconv_diag_clear(&diag);
        if (clasconv_write_comparison(&cmp, args.output, &diag)) {
            cli_error("%s", diag.message);
            goto done;
        }
    }
    if ((args.json ? clasconv_render_comparison_json(&cmp, &buf)
                   : clasconv_render_comparison(&cmp, &buf)) != CLASCONV_OK) {
        cli_error("mémoire insuffisante pour produire le rapport.");
        goto done;
    }
    if (cli_write_stdout(buf.data, buf.len))
        goto done;
    if (args.output && !args.json)
        fprintf(stderr, "Classeur de comparaison écrit : %s\n", args.output);
    rc = CLI_EXIT_OK;
done:
    clasconv_buf_free(&buf);
    clasconv_comparison_free(&cmp);
    clasconv_table_free(before);
    clasconv_table_free(after);
    clasconv_annuaire_free(annuaire);
    return rc;
}
