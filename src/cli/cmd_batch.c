/* cmd_batch.c: `batch INDIR OUTDIR [-j N] [-r]`: argument parsing, the
 * progress line (terminal) or one plain line per file (cron), exit status. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clasconv/batch.h"
#include "clasconv/ref.h"
#include "cli.h"

typedef struct batch_args {
    const char *indir;
    const char *outdir;
    const char *annuaire; /* --annuaire FICHIER.csv, or NULL */
    clasconv_batch_options options;
} batch_args;

typedef struct progress_state {
    int tty;
    size_t width;   /* length of the last progress line */
    size_t columns; /* of the terminal (80 when unknown) */
    size_t count[CLASCONV_BATCH_SKIPPED + 1]; /* files so far, by status */
} progress_state;

/* Columns of the terminal on stderr; 80 when it does not say. */
static size_t terminal_columns(void)
{
    struct winsize ws;

    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

/* Prints `line` on the progress line: cut to the terminal's width less
 * one (a full line would wrap and leave the next update one line down),
 * then the rest of the old line cleared. */
static void put_progress(progress_state *ps, const char *line)
{
    size_t cols = 0, max = ps->columns > 1 ? ps->columns - 1 : 79;
    const char *p;

    fputc('\r', stderr);
    for (p = line; *p; p++) {
        if (((unsigned char)*p & 0xC0) != 0x80 && ++cols > max)
            break;
        fputc(*p, stderr);
    }
    fputs("\033[K", stderr);
    ps->width = cols;
}

/* Parses a whole number in [min, max]; returns -1 when it is not one. */
static long parse_number(const char *s, long min, long max)
{
    char *end;
    long v;

    if (s == NULL || *s == '\0')
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    return v;
}

static int parse_args(int argc, char **argv, batch_args *a)
{
    int i, options = 1;
    long v;

    memset(a, 0, sizeof *a);
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (options && !strcmp(arg, "--")) {
            options = 0; /* what follows are folder names */
            continue;
        }
        if (!options) {
            if (a->indir == NULL) {
                a->indir = arg;
            } else if (a->outdir == NULL) {
                a->outdir = arg;
            } else {
                cli_error("« %s » en trop : indiquez un dossier d'entrée et "
                          "un dossier de sortie.",
                          arg);
                return -1;
            }
        } else if (!strcmp(arg, "-r") || !strcmp(arg, "--recursif") ||
                   !strcmp(arg, "--recursive")) {
            a->options.recursive = 1;
        } else if (!strcmp(arg, "-j") || !strcmp(arg, "--jobs")) {
            v = i + 1 < argc ? parse_number(argv[i + 1], 1, 256) : -1;
            if (v < 0) {
                cli_error("l'option %s attend un nombre de processus entre 1 "
                          "et 256.",
                          arg);
                return -1;
            }
            a->options.jobs = (unsigned)v;
            i++;
        } else if (!strncmp(arg, "-j", 2) && arg[2] != '\0') {
            v = parse_number(arg + 2, 1, 256);
            if (v < 0) {
                cli_error("l'option -j attend un nombre de processus entre 1 "
                          "et 256.");
                return -1;
            }
            a->options.jobs = (unsigned)v;
        } else if (!strcmp(arg, "--memoire")) {
            v = i + 1 < argc ? parse_number(argv[i + 1], 64, 1048576) : -1;
            if (v < 0) {
                cli_error("l'option --memoire attend une limite en Mo (64 "
                          "ou plus).");
                return -1;
            }
            a->options.memory_mb = (unsigned)v;
            i++;
        } else if (!strcmp(arg, "--delai")) {
            v = i + 1 < argc ? parse_number(argv[i + 1], 1, 86400) : -1;
            if (v < 0) {
                cli_error("l'option --delai attend un nombre de secondes "
                          "(1 à 86400).");
                return -1;
            }
            a->options.wall_s = (unsigned)v;
            a->options.cpu_s = (unsigned)v;
            i++;
        } else if (!strcmp(arg, "--annuaire")) {
            if (++i >= argc) {
                cli_error("l'option --annuaire attend le fichier CSV de "
                          "l'Annuaire de l'éducation.");
                return -1;
            }
            a->annuaire = argv[i];
        } else if (arg[0] == '-' && arg[1] != '\0') {
            cli_error("option inconnue « %s ». Voir « clasconv --help ».", arg);
            return -1;
        } else if (a->indir == NULL) {
            a->indir = arg;
        } else if (a->outdir == NULL) {
            a->outdir = arg;
        } else {
            cli_error("« %s » en trop : indiquez un dossier d'entrée et un "
                      "dossier de sortie.",
                      arg);
            return -1;
        }
    }
    if (a->indir == NULL || a->outdir == NULL) {
        cli_error("indiquez le dossier des fichiers reçus et le dossier de "
                  "sortie : clasconv batch DOSSIER_ENTREE DOSSIER_SORTIE "
                  "[-j N] [-r].");
        return -1;
    }
    return 0;
}

/* Prints text with control characters (a newline in a file name...)
 * replaced by '?', so that a log line stays one line. */
static void put_clean(FILE *out, const char *text)
{
    clasconv_buf clean = {0};

    clasconv_buf_printable(&clean, text, 0);
    if (clean.data != NULL)
        fputs(clean.data, out);
    clasconv_buf_free(&clean);
}

/* "12,5": one decimal with a French comma. */
static void french_decimal(char *buf, size_t size, double v)
{
    char *dot;

    snprintf(buf, size, "%.1f", v);
    dot = strchr(buf, '.');
    if (dot != NULL)
        *dot = ',';
}

static void on_progress(const clasconv_batch_event *ev, void *user)
{
    progress_state *ps = user;
    char rate[32], line[256];
    int n;

    if (ev->kind == CLASCONV_BATCH_EV_FILE && ev->file != NULL &&
        (unsigned)ev->file->status <= CLASCONV_BATCH_SKIPPED)
        ps->count[ev->file->status]++;
    french_decimal(rate, sizeof rate,
                   ev->elapsed > 0 ? (double)ev->done / ev->elapsed : 0);
    if (ps->tty) {
        if (ev->kind == CLASCONV_BATCH_EV_END)
            return;
        /* Failures get their own line above the progress line. */
        if (ev->kind == CLASCONV_BATCH_EV_FILE && ev->file != NULL &&
            (ev->file->status == CLASCONV_BATCH_UNREADABLE ||
             ev->file->status == CLASCONV_BATCH_WRITE_FAILED)) {
            fputs("\r\033[K", stderr);
            put_clean(stderr, clasconv_batch_status_label(ev->file->status));
            fputs(" : ", stderr);
            put_clean(stderr, ev->file->path);
            fputs(" : ", stderr);
            put_clean(stderr, ev->file->message);
            fputc('\n', stderr);
        }
        /* The words of the summary: « à vérifier », « illisibles »,
         * « non écrits ». */
        n = snprintf(line, sizeof line,
                     "[%zu/%zu] %zu à vérifier, %zu illisible%s", ev->done,
                     ev->total, ps->count[CLASCONV_BATCH_TO_CHECK],
                     ps->count[CLASCONV_BATCH_UNREADABLE],
                     ps->count[CLASCONV_BATCH_UNREADABLE] > 1 ? "s" : "");
        if (n > 0 && (size_t)n < sizeof line &&
            ps->count[CLASCONV_BATCH_WRITE_FAILED] > 0)
            n +=
                snprintf(line + n, sizeof line - (size_t)n, ", %zu non écrit%s",
                         ps->count[CLASCONV_BATCH_WRITE_FAILED],
                         ps->count[CLASCONV_BATCH_WRITE_FAILED] > 1 ? "s" : "");
        if (n > 0 && (size_t)n < sizeof line)
            snprintf(line + n, sizeof line - (size_t)n, "%s%s%s",
                     ev->kind == CLASCONV_BATCH_EV_WRITING
                         ? " ; écriture de la synthèse"
                         : ", ",
                     ev->kind == CLASCONV_BATCH_EV_WRITING ? "" : rate,
                     ev->kind == CLASCONV_BATCH_EV_WRITING ? ""
                                                           : " fichiers/s");
        put_progress(ps, line);
        fflush(stderr);
        return;
    }
    if (ev->kind == CLASCONV_BATCH_EV_START) {
        printf("clasconv batch : %zu fichier%s trouvé%s\n", ev->total,
               ev->total > 1 ? "s" : "", ev->total > 1 ? "s" : "");
    } else if (ev->kind == CLASCONV_BATCH_EV_FILE && ev->file != NULL) {
        const clasconv_batch_file *f = ev->file;
        printf("[%zu/%zu] ", ev->done, ev->total);
        put_clean(stdout, clasconv_batch_status_label(f->status));
        fputs(" : ", stdout);
        put_clean(stdout, f->path);
        if (f->output != NULL) {
            fputs(" -> ", stdout);
            put_clean(stdout, f->output);
        }
        if (f->message != NULL && f->message[0] != '\0') {
            fputs(" : ", stdout);
            put_clean(stdout, f->message);
        }
        fputc('\n', stdout);
    }
    fflush(stdout);
}

static void print_summary(const batch_args *a, const clasconv_batch_result *r)
{
    char secs[32], rate[32];

    french_decimal(secs, sizeof secs, r->elapsed);
    french_decimal(rate, sizeof rate,
                   r->elapsed > 0 ? (double)r->nfiles / r->elapsed : 0);
    printf("Terminé : %zu fichier%s en %s s (%s fichiers/s, %u processus) : "
           "%zu OK, %zu à vérifier, %zu illisible%s, %zu non écrit%s, "
           "%zu ignoré%s.\n",
           r->nfiles, r->nfiles > 1 ? "s" : "", secs, rate, r->jobs,
           r->count[CLASCONV_BATCH_OK], r->count[CLASCONV_BATCH_TO_CHECK],
           r->count[CLASCONV_BATCH_UNREADABLE],
           r->count[CLASCONV_BATCH_UNREADABLE] > 1 ? "s" : "",
           r->count[CLASCONV_BATCH_WRITE_FAILED],
           r->count[CLASCONV_BATCH_WRITE_FAILED] > 1 ? "s" : "",
           r->count[CLASCONV_BATCH_SKIPPED],
           r->count[CLASCONV_BATCH_SKIPPED] > 1 ? "s" : "");
    fputs("Synthèse : ", stdout);
    put_clean(stdout, a->outdir);
    fputs("/synthese.xlsx ; rapport : ", stdout);
    put_clean(stdout, a->outdir);
    fputs("/rapport.csv\n", stdout);
    fflush(stdout);
}

/* Creates OUTDIR when it is missing but its parent folder exists (and
 * INDIR is a folder: a mistyped input must not leave an empty folder).
 * Returns 1 when it created it, 0 otherwise; any other case is left to
 * clasconv_batch_run(), which explains it. */
static int create_outdir(const char *indir, const char *outdir)
{
    struct stat st;

    if (stat(indir, &st) != 0 || !S_ISDIR(st.st_mode))
        return 0;
    if (stat(outdir, &st) == 0 || errno != ENOENT)
        return 0;
    return mkdir(outdir, 0777) == 0;
}

int cmd_batch(int argc, char **argv)
{
    batch_args a;
    progress_state ps;
    clasconv_batch_result *r = NULL;
    clasconv_annuaire *annuaire = NULL;
    clasconv_diag diag;
    clasconv_error err;
    int rc, created;

    if (parse_args(argc, argv, &a) != 0)
        return CLI_EXIT_USAGE;
    /* Loaded once here; the workers are forks and share it. */
    if (a.annuaire != NULL &&
        clasconv_annuaire_load(a.annuaire, &annuaire, &diag) != CLASCONV_OK) {
        cli_error("%s", diag.message);
        return CLI_EXIT_FAILED;
    }
    a.options.annuaire = annuaire;
    memset(&ps, 0, sizeof ps);
    ps.tty = isatty(STDERR_FILENO);
    ps.columns = ps.tty ? terminal_columns() : 80;
    a.options.handle_signals = 1;
    a.options.progress = on_progress;
    a.options.progress_user = &ps;
    /* A closed log pipe must not stop the batch halfway. */
    signal(SIGPIPE, SIG_IGN);

    created = create_outdir(a.indir, a.outdir);
    err = clasconv_batch_run(a.indir, a.outdir, &a.options, &r, &diag);
    clasconv_annuaire_free(annuaire);
    if (err != CLASCONV_OK && created)
        rmdir(a.outdir); /* only if still empty */
    if (ps.tty && ps.width > 0)
        fputc('\n', stderr);
    if (r != NULL && r->interrupted) {
        int sig = r->interrupted;
        cli_error("%s", diag.message);
        clasconv_batch_result_free(r);
        fflush(NULL);
        /* Die of the same signal, as shells and service managers expect. */
        signal(sig, SIG_DFL);
        raise(sig);
        return 128 + sig;
    }
    if (err != CLASCONV_OK) {
        cli_error("%s", diag.message);
        clasconv_batch_result_free(r);
        return err == CLASCONV_ERR_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
    }
    print_summary(&a, r);
    if (r->count[CLASCONV_BATCH_UNREADABLE] > 0 ||
        r->count[CLASCONV_BATCH_WRITE_FAILED] > 0)
        rc = CLI_EXIT_FAILED;
    else if (r->count[CLASCONV_BATCH_TO_CHECK] > 0)
        rc = CLI_EXIT_ERRORS;
    else
        rc = CLI_EXIT_OK;
    clasconv_batch_result_free(r);
    return rc;
}
