/* cmd_compare.c: `compare ANCIEN NOUVEAU`: what changed from one year's
 * table to the next, for two files or two batch output folders. */
#include <dirent.h>
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
 * batch output folder. */
typedef struct side {
    clasconv_table **tables;
    size_t n, cap;
} side;

static void side_free(side *sd)
{
    size_t i;

    for (i = 0; i < sd->n; i++)
        clasconv_table_free(sd->tables[i]);
    free(sd->tables);
    memset(sd, 0, sizeof *sd);
}

static int side_add(side *sd, clasconv_table *t)
{
    if (sd->n == sd->cap) {
        size_t cap = sd->cap ? sd->cap * 2 : 16;
        clasconv_table **grown = realloc(sd->tables, cap * sizeof *grown);
        if (!grown) {
            clasconv_table_free(t);
            return -1;
        }
        sd->tables = grown;
        sd->cap = cap;
    }
    sd->tables[sd->n++] = t;
    return 0;
}

static int is_folder(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A batch output folder: every NAME.xlsx but synthese.xlsx and hidden
 * (temporary) files, in name order. A file that cannot be read is said
 * and left out. Returns 0, or -1 (printed). */
static int read_folder(const char *dir, const clasconv_annuaire *annuaire,
                       side *sd)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    int rc = 0;

    if (!d) {
        cli_error("impossible de lire le dossier « %s ».", dir);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 6 ||
            strcasecmp(e->d_name + len - 5, ".xlsx") != 0 ||
            !strcmp(e->d_name, "synthese.xlsx"))
            continue;
        if (n == cap) {
            char **grown;
            cap = cap ? cap * 2 : 64;
            grown = realloc(names, cap * sizeof *grown);
            if (!grown) {
                rc = -1;
                break;
            }
            names = grown;
        }
        names[n] = malloc(strlen(dir) + len + 2);
        if (!names[n]) {
            rc = -1;
            break;
        }
        sprintf(names[n], "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (rc)
        cli_error("mémoire insuffisante.");
    if (!rc)
        qsort(names, n, sizeof *names, cmp_names);
    for (i = 0; i < n; i++) {
        clasconv_table *t = rc ? NULL : read_side(names[i], annuaire);
        if (t && side_add(sd, t)) {
            cli_error("mémoire insuffisante.");
            rc = -1;
        }
        free(names[i]);
    }
    free(names);
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
    if (!t || side_add(sd, t))
        return -1;
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
