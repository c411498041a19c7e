/* cmd_convert.c: `convert`, `check` and `dump`: one file at a time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clasconv/clasconv.h"
#include "clasconv/coord.h"
#include "cli.h"
#include "deadline.h"

typedef struct file_args {
    const char *input;
    const char *output;
    const char *html;
    const char *annuaire;
    int json;
    unsigned delay_s; /* --delai, 0: none */
} file_args;

/* Parses INPUT [-o OUT] [--json] [--html FILE] [--annuaire CSV] [--delai S]
 * [--] and starts the --delai timer; returns 0 or prints. `allow_html` > 0
 * allows --html; < 0 (dump) refuses --annuaire too. */
static int parse_args(int argc, char **argv, file_args *args, int allow_out,
                      int allow_html)
{
    int i, options = 1;

    memset(args, 0, sizeof *args);
    args->delay_s = CLI_DEADLINE_DEFAULT_S;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options && !strcmp(a, "--")) {
            options = 0; /* what follows is a file name */
        } else if (!options) {
            if (args->input) {
                cli_error("un seul fichier à la fois (« %s » en trop).", a);
                return -1;
            }
            args->input = a;
        } else if (!strcmp(a, "--delai")) {
            char *end = NULL;
            unsigned long v = i + 1 < argc ? strtoul(argv[i + 1], &end, 10) : 0;
            if (i + 1 >= argc || end == argv[i + 1] || *end != '\0' ||
                argv[i + 1][0] == '-' || v > 86400) {
                cli_error("l'option --delai attend un nombre de secondes "
                          "(0 à 86400 ; 0 : sans limite).");
                return -1;
            }
            args->delay_s = (unsigned)v;
            i++;
        } else if (!strcmp(a, "--json")) {
            args->json = 1;
        } else if (allow_out && (!strcmp(a, "-o") || !strcmp(a, "--output"))) {
            if (++i >= argc) {
                cli_error("l'option %s attend un nom de fichier.", a);
                return -1;
            }
            args->output = argv[i];
        } else if (allow_html > 0 && !strcmp(a, "--html")) {
            if (++i >= argc) {
                cli_error("l'option --html attend un nom de fichier.");
                return -1;
            }
            args->html = argv[i];
        } else if (allow_html >= 0 && !strcmp(a, "--annuaire")) {
            if (++i >= argc) {
                cli_error("l'option --annuaire attend le fichier CSV de "
                          "l'Annuaire de l'éducation.");
                return -1;
            }
            args->annuaire = argv[i];
        } else if (a[0] == '-' && a[1] != '\0') {
            cli_error("option inconnue « %s ». Voir « clasconv --help ».", a);
            return -1;
        } else if (!args->input) {
            args->input = a;
        } else {
            cli_error("un seul fichier à la fois (« %s » en trop). Pour un "
                      "dossier, utilisez « clasconv batch ».",
                      a);
            return -1;
        }
    }
    if (!args->input) {
        cli_error("indiquez le fichier à lire. Voir « clasconv --help ».");
        return -1;
    }
    if (cli_deadline_start(args->delay_s, args->input) != 0) {
        cli_error("impossible de régler le délai (--delai).");
        return -1;
    }
    return 0;
}

/* INPUT with its extension replaced by .xlsx, never INPUT itself. */
static char *default_output(const char *input)
{
    const char *slash = strrchr(input, '/');
    const char *dot = strrchr(input, '.');
    size_t stem = dot && (!slash || dot > slash + 1) ? (size_t)(dot - input)
                                                     : strlen(input);
    size_t size = stem + sizeof "-clasconv.xlsx";
    char *out = malloc(size);

    if (!out)
        return NULL;
    snprintf(out, size, "%.*s.xlsx", (int)stem, input);
    if (!strcmp(out, input))
        snprintf(out, size, "%.*s-clasconv.xlsx", (int)stem, input);
    return out;
}

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;

    if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
        return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Converts INPUT, then matches it to the annuaire when one is given. An
 * annuaire that cannot be loaded is a failure of the run (status 2): the
 * agent asked for the matching. */
static clasconv_error convert_input(const file_args *args,
                                    clasconv_table **table, clasconv_diag *diag,
                                    int *annuaire_failed)
{
    clasconv_annuaire *annuaire = NULL;
    clasconv_error err;

    *annuaire_failed = 0;
    *table = NULL;
    if (args->annuaire) {
        err = clasconv_annuaire_load(args->annuaire, &annuaire, diag);
        if (err) {
            *annuaire_failed = 1;
            return err;
        }
    }
    err = clasconv_convert(args->input, table, diag);
    if (!err && *table && annuaire &&
        clasconv_ref_match(*table, annuaire, &(*table)->anomalies)) {
        clasconv_diag_set(diag, "Mémoire insuffisante pour le "
                                "rapprochement avec l'annuaire.");
        err = CLASCONV_ERR_MEMORY;
    }
    clasconv_annuaire_free(annuaire);
    return err;
}

static const char *plural(size_t n)
{
    return n > 1 ? "s" : "";
}

static int print_json(const clasconv_table *table)
{
    clasconv_buf buf = {0};
    int rc = 0;

    if (clasconv_render_json(table, &buf) != CLASCONV_OK) {
        cli_error("mémoire insuffisante pour produire le JSON.");
        rc = -1;
    } else {
        rc = cli_write_stdout(buf.data, buf.len);
    }
    clasconv_buf_free(&buf);
    return rc;
}

int cmd_convert(int argc, char **argv)
{
    file_args args;
    clasconv_table *table = NULL;
    clasconv_diag diag;
    clasconv_error err;
    char *output = NULL;
    int rc = CLI_EXIT_OK, annuaire_failed;

    if (parse_args(argc, argv, &args, 1, 0))
        return CLI_EXIT_USAGE;
    output = args.output ? strdup(args.output) : default_output(args.input);
    if (!output) {
        cli_error("mémoire insuffisante.");
        return CLI_EXIT_FAILED;
    }
    if (!strcmp(output, args.input) || same_file(output, args.input)) {
        cli_error("le fichier de sortie « %s » est le fichier lu : choisissez "
                  "un autre nom avec -o (le fichier reçu n'est jamais "
                  "modifié).",
                  output);
        free(output);
        return CLI_EXIT_USAGE;
    }
    err = convert_input(&args, &table, &diag, &annuaire_failed);
    if (annuaire_failed) {
        cli_error("%s", diag.message);
        free(output);
        return CLI_EXIT_FAILED;
    }
    if (!table) {
        cli_error("mémoire insuffisante.");
        free(output);
        return CLI_EXIT_FAILED;
    }
    if (err) {
        cli_error("%s : %s", args.input, diag.message);
        cli_error("aucun classeur n'a été écrit.");
        if (args.json)
            print_json(table);
        rc = CLI_EXIT_FAILED;
        goto done;
    }
    err = clasconv_write_workbook(table, output, &diag);
    if (err) {
        cli_error("%s", diag.message);
        rc = CLI_EXIT_FAILED;
        goto done;
    }
    if (args.json) {
        if (print_json(table))
            rc = CLI_EXIT_FAILED;
    } else {
        size_t e =
            clasconv_anomalies_count(&table->anomalies, CLASCONV_SEV_ERROR);
        size_t w =
            clasconv_anomalies_count(&table->anomalies, CLASCONV_SEV_WARNING);
        size_t i =
            clasconv_anomalies_count(&table->anomalies, CLASCONV_SEV_INFO);
        fprintf(stderr,
                "Classeur écrit : %s (%zu établissement%s ; %zu erreur%s, "
                "%zu avertissement%s, %zu info%s).\n",
                output, table->nschools, plural(table->nschools), e, plural(e),
                w, plural(w), i, plural(i));
    }
done:
    clasconv_table_free(table);
    free(output);
    return rc;
}

/* Non-zero when one of the table's anomalies says `message`. */
static int has_message(const clasconv_table *table, const char *message)
{
    size_t i;

    for (i = 0; i < table->anomalies.count; i++)
        if (table->anomalies.items[i].message != NULL &&
            !strcmp(table->anomalies.items[i].message, message))
            return 1;
    return 0;
}

int cmd_check(int argc, char **argv)
{
    file_args args;
    clasconv_table *table = NULL;
    clasconv_diag diag;
    clasconv_error err;
    clasconv_buf buf = {0};
    int rc, annuaire_failed;

    if (parse_args(argc, argv, &args, 0, 1))
        return CLI_EXIT_USAGE;
    if (args.html &&
        (!strcmp(args.html, args.input) || same_file(args.html, args.input))) {
        cli_error("le rapport « %s » est le fichier lu : choisissez un autre "
                  "nom (le fichier reçu n'est jamais modifié).",
                  args.html);
        return CLI_EXIT_USAGE;
    }
    err = convert_input(&args, &table, &diag, &annuaire_failed);
    if (annuaire_failed) {
        cli_error("%s", diag.message);
        return CLI_EXIT_FAILED;
    }
    if (!table) {
        cli_error("mémoire insuffisante.");
        return CLI_EXIT_FAILED;
    }
    if (args.html) {
        clasconv_diag html_diag;
        clasconv_diag_clear(&html_diag);
        if (clasconv_write_html(table, args.html, &html_diag) != CLASCONV_OK) {
            cli_error("%s", html_diag.message);
            clasconv_table_free(table);
            return CLI_EXIT_FAILED;
        }
    }
    if (args.json) {
        rc = print_json(table) ? CLI_EXIT_FAILED : CLI_EXIT_OK;
    } else if (clasconv_render_report(table, &buf) != CLASCONV_OK) {
        cli_error("mémoire insuffisante pour produire le rapport.");
        rc = CLI_EXIT_FAILED;
    } else {
        rc =
            cli_write_stdout(buf.data, buf.len) ? CLI_EXIT_FAILED : CLI_EXIT_OK;
    }
    clasconv_buf_free(&buf);
    if (err) {
        /* The report already holds the message (one message, one
         * verdict); JSON carries it as an anomaly. */
        if (!args.json && !has_message(table, diag.message))
            cli_error("%s : %s", args.input, diag.message);
        rc = CLI_EXIT_FAILED;
    } else if (rc == CLI_EXIT_OK &&
               clasconv_anomalies_count(&table->anomalies, CLASCONV_SEV_ERROR) >
                   0) {
        rc = CLI_EXIT_ERRORS;
    }
    clasconv_table_free(table);
    return rc;
}

/* A cell text or name for the terminal: no escape sequence gets through
 * (tabs and line feeds stay, as in the cells). */
static const char *clean(clasconv_buf *buf, const char *text)
{
    clasconv_buf_reset(buf);
    clasconv_buf_printable(buf, text, 1);
    return buf->data != NULL && !buf->failed ? buf->data : "";
}

static void dump_sheet(const clasconv_sheet *sheet)
{
    clasconv_buf text = {0};
    size_t r, m;
    static const char *const kinds[] = {"feuille", "csv", "word"};

    printf("== %s (%s)\n", clean(&text, clasconv_sheet_name(sheet)),
           kinds[clasconv_sheet_ref_kind(sheet)]);
    for (m = 0; m < clasconv_sheet_merge_count(sheet); m++) {
        const clasconv_merge *mg = clasconv_sheet_merge(sheet, m);
        char a[96], b[96];
        clasconv_sheet_ref(sheet, mg->first_row, mg->first_col, a, sizeof a);
        clasconv_sheet_ref(sheet, mg->last_row, mg->last_col, b, sizeof b);
        printf("fusion\t%s\t", clean(&text, a));
        printf("%s\n", clean(&text, b));
    }
    for (r = 0; r < clasconv_sheet_row_count(sheet); r++) {
        clasconv_row row = clasconv_sheet_row(sheet, r);
        uint32_t c;
        for (c = 0; c < row.ncells; c++) {
            const clasconv_cell *cell = &row.cells[c];
            char ref[96];
            clasconv_sheet_ref(sheet, cell->row, cell->col, ref, sizeof ref);
            if (cell->type == CLASCONV_CELL_NUMBER)
                printf("%s\tnombre%s\t%.15g\n", clean(&text, ref),
                       cell->flags & CLASCONV_CELL_FORMULA ? "+formule" : "",
                       cell->v.number);
            else {
                printf("%s\ttexte%s\t", clean(&text, ref),
                       cell->flags & CLASCONV_CELL_FORMULA ? "+formule" : "");
                printf("%s\n", clean(&text, cell->v.text));
            }
        }
    }
    clasconv_buf_free(&text);
}

int cmd_dump(int argc, char **argv)
{
    file_args args;
    clasconv_diag diag;
    unsigned char *data = NULL;
    size_t size = 0, i;
    clasconv_grid *grid;
    clasconv_input in;
    clasconv_format format;
    clasconv_error err;
    const char *key, *value;

    if (parse_args(argc, argv, &args, 0, -1))
        return CLI_EXIT_USAGE;
    if (clasconv_load_file(args.input, &data, &size, &diag)) {
        cli_error("%s", diag.message);
        return CLI_EXIT_FAILED;
    }
    grid = clasconv_grid_new();
    if (!grid) {
        free(data);
        cli_error("mémoire insuffisante.");
        return CLI_EXIT_FAILED;
    }
    format = clasconv_sniff(data, size);
    in.path = args.input;
    in.data = data;
    in.size = size;
    clasconv_diag_clear(&diag);
    err = clasconv_read(format, &in, grid, &diag);
    if (err) {
        cli_error("%s : %s", args.input, diag.message);
    } else {
        printf("format\t%s\n", clasconv_format_name(format));
        for (i = 0; i < clasconv_grid_meta_count(grid); i++) {
            clasconv_grid_meta(grid, i, &key, &value);
            clasconv_buf k = {0};
            printf("info\t%s\t", clean(&k, key));
            printf("%s\n", clean(&k, value));
            clasconv_buf_free(&k);
        }
        for (i = 0; i < clasconv_grid_sheet_count(grid); i++)
            dump_sheet(clasconv_grid_sheet(grid, i));
        fflush(stdout);
    }
    clasconv_grid_free(grid);
    free(data);
    return err ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}
