/* cmd_compare.c: `compare ANCIEN NOUVEAU`: what changed from one year's
 * table to the next, for two files or two batch output folders. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

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

/* The tables of one side: one file, or every standardized workbook of a
 * batch output folder. The slots are counted before they are allocated,
 * once: the array never grows. */
typedef struct side {
    clasconv_table **tables;
    size_t n;
} side;

static void side_free(side *sd)
{
    size_t i;

    for (i = 0; i < sd->n; i++)
        clasconv_table_free(sd->tables[i]);
    free(sd->tables);
    memset(sd, 0, sizeof *sd);
}

static int is_folder(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* scandir() filter: every NAME.xlsx but synthese.xlsx and hidden
 * (temporary) files. */
static int is_output(const struct dirent *e)
{
    size_t len = strlen(e->d_name);

    return e->d_name[0] != '.' && len >= 6 &&
           strcasecmp(e->d_name + len - 5, ".xlsx") == 0 &&
           strcmp(e->d_name, "synthese.xlsx") != 0;
}

/* scandir() order: by name, byte by byte (not the locale's order). */
static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* A batch output folder: every NAME.xlsx but synthese.xlsx and hidden
 * (temporary) files, in name order. A file that cannot be read is said
 * and left out. Returns 0, or -1 (printed). */
static int read_folder(const char *dir, const clasconv_annuaire *annuaire,
                       side *sd)
{
    struct dirent **names = NULL;
    int n, i, rc = 0;

    /* scandir() lists, filters and sorts: one allocation of its own, and
     * the count that sizes the tables. */
    errno = 0;
    n = scandir(dir, &names, is_output, by_name);
    if (n < 0) {
        if (errno == ENOMEM)
            cli_error("mémoire insuffisante.");
        else
            cli_error("impossible de lire le dossier « %s ».", dir);
        return -1;
    }
    sd->tables = calloc(n ? (size_t)n : 1, sizeof *sd->tables);
    if (!sd->tables)
        rc = -1;
    for (i = 0; i < n; i++) {
        char *path = NULL;
        clasconv_table *t;

        if (!rc) {
            path = malloc(strlen(dir) + strlen(names[i]->d_name) + 2);
            if (!path)
                rc = -1;
        }
        if (path) {
            sprintf(path, "%s/%s", dir, names[i]->d_name);
            t = read_side(path, annuaire);
            if (t)
                sd->tables[sd->n++] = t;
            free(path);
        }
        free(names[i]);
    }
    free(names);
    if (rc)
        cli_error("mémoire insuffisante.");
    if (!rc && sd->n == 0) {
        cli_error("le dossier « %s » ne contient aucun classeur lisible "
                  "(sortie de « clasconv batch » attendue).",
                  dir);
        rc = -1;
    }
    return rc;
}

static int read_one_side(const char *path, const clasconv_annuaire *annuaire,
                         int folder, side *sd)
{
    clasconv_table *t;

    if (folder)
        return read_folder(path, annuaire, sd);
    t = read_side(path, annuaire);
    if (!t)
        return -1;
    sd->tables = malloc(sizeof *sd->tables);
    if (!sd->tables) {
        clasconv_table_free(t);
        return -1;
    }
    sd->tables[sd->n++] = t;
    return 0;
}

int cmd_compare(int argc, char **argv)
{
    compare_args args;
    clasconv_annuaire *annuaire = NULL;
    side before = {0}, after = {0};
    clasconv_comparison_set set = {0};
    clasconv_buf buf = {0};
    clasconv_diag diag;
    int rc = CLI_EXIT_FAILED, folders;

    if (parse(argc, argv, &args))
        return CLI_EXIT_USAGE;
    folders = is_folder(args.before);
    if (folders != is_folder(args.after)) {
        cli_error("comparez deux fichiers, ou deux dossiers de sortie de "
                  "« clasconv batch », pas un fichier et un dossier.");
        return CLI_EXIT_USAGE;
    }
    if (args.annuaire &&
        clasconv_annuaire_load(args.annuaire, &annuaire, &diag)) {
        cli_error("%s", diag.message);
        return CLI_EXIT_FAILED;
    }
    if (read_one_side(args.before, annuaire, folders, &before) ||
        read_one_side(args.after, annuaire, folders, &after))
        goto done;
    if (clasconv_compare_communes(
            (const clasconv_table *const *)before.tables, before.n,
            (const clasconv_table *const *)after.tables, after.n, &set)) {
        cli_error("mémoire insuffisante pour la comparaison.");
        goto done;
    }
    if (args.output) {
        clasconv_diag_clear(&diag);
        if (clasconv_write_comparison(set.items, set.count, args.output,
                                      &diag)) {
            cli_error("%s", diag.message);
            goto done;
        }
    }
    if ((args.json ? clasconv_render_comparison_json(set.items, set.count, &buf)
                   : clasconv_render_comparison(set.items, set.count, &buf)) !=
        CLASCONV_OK) {
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
    clasconv_comparison_set_free(&set);
    side_free(&before);
    side_free(&after);
    clasconv_annuaire_free(annuaire);
    return rc;
}
