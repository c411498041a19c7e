/* main.c: the clasconv command line: dispatches to one cmd_<name> each. */
#include <locale.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "clasconv/clasconv.h"
#include "cli.h"
#include "help.h"

/* The subcommands; their help texts (summary, synopsis, options,
 * examples) are data in help.c, one entry each. */
static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"convert", cmd_convert},   {"check", cmd_check}, {"batch", cmd_batch},
    {"template", cmd_template}, {"serve", cmd_serve}, {"compare", cmd_compare},
    {"dump", cmd_dump},
};

void cli_error(const char *fmt, ...)
{
    char text[4096];
    clasconv_buf clean = {0};
    va_list ap;

    /* file names and cell texts in messages: no escape sequence reaches
     * the terminal */
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    clasconv_buf_printable(&clean, text, 0);
    fputs("clasconv: ", stderr);
    fputs(clean.data != NULL ? clean.data : text, stderr);
    fputc('\n', stderr);
    clasconv_buf_free(&clean);
}

/* Non-zero when `data` holds a control character other than \n and \t. */
static int has_controls(const char *data, unsigned long len)
{
    const unsigned char *p = (const unsigned char *)data;
    unsigned long i;

    for (i = 0; i < len; i++)
        if ((p[i] < 0x20 && p[i] != '\n' && p[i] != '\t') || p[i] == 0x7F ||
            (p[i] == 0xC2 && i + 1 < len && p[i + 1] >= 0x80 &&
             p[i + 1] <= 0x9F))
            return 1;
    return 0;
}

int cli_write_stdout(const char *data, unsigned long len)
{
    clasconv_buf clean = {0};

    /* the report quotes cell texts and file names: escape sequences in
     * them must not reach the terminal */
    if (len && has_controls(data, len)) {
        clasconv_buf_printable(&clean, data, 1);
        if (clean.failed) {
            clasconv_buf_free(&clean);
            cli_error("mémoire insuffisante.");
            return -1;
        }
        data = clean.data;
        len = clean.len;
    }
    if (len && fwrite(data, 1, len, stdout) != len) {
        clasconv_buf_free(&clean);
        cli_error("impossible d'écrire sur la sortie standard");
        return -1;
    }
    clasconv_buf_free(&clean);
    if (fflush(stdout) != 0) {
        cli_error("impossible d'écrire sur la sortie standard");
        return -1;
    }
    return 0;
}

#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* The general usage, for the commands of the dispatch table. */
static void usage(FILE *out)
{
    const char *names[NCOMMANDS];
    size_t i;

    for (i = 0; i < NCOMMANDS; i++)
        names[i] = commands[i].name;
    cli_help_usage(out, names, NCOMMANDS);
}

static int is_help(const char *arg)
{
    return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

/* `clasconv help [COMMANDE]`. */
static int help_command(int argc, char **argv)
{
    const cli_help *h;

    if (argc < 3) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    h = cli_help_find(argv[2]);
    if (h == NULL) {
        cli_error("pas d'aide pour « %s » : ce n'est pas une commande de "
                  "clasconv. Voir « clasconv --help ».",
                  argv[2]);
        return CLI_EXIT_USAGE;
    }
    cli_help_print(h, stdout);
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    size_t i;

    setlocale(LC_CTYPE, "");
    /* A run is short: give memory back to the system at exit only. Trimming
     * and re-growing the heap cost a third of a batch worker's time in
     * page faults. */
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (is_help(argv[1])) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (!strcmp(argv[1], "help"))
        return help_command(argc, argv);
    /* Hidden: what the build installs as clasconv(1) and as the bash
     * completion, written from the same help texts. */
    if (!strcmp(argv[1], "--man")) {
        cli_help_man(stdout);
        return fflush(stdout) ? CLI_EXIT_FAILED : CLI_EXIT_OK;
    }
    if (!strcmp(argv[1], "--bash-completion")) {
        cli_help_bash_completion(stdout);
        return fflush(stdout) ? CLI_EXIT_FAILED : CLI_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("clasconv %s\n", CLASCONV_VERSION);
        return CLI_EXIT_OK;
    }
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        int a;
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        /* `clasconv COMMANDE --help` anywhere before « -- »: its help. */
        for (a = 2; a < argc && strcmp(argv[a], "--") != 0; a++) {
            if (is_help(argv[a])) {
                const cli_help *h = cli_help_find(commands[i].name);
                if (h == NULL) {
                    cli_error("la commande « %s » n'a pas d'aide (à ajouter "
                              "dans src/cli/help.c).",
                              commands[i].name);
                    return CLI_EXIT_FAILED;
                }
                cli_help_print(h, stdout);
                return CLI_EXIT_OK;
            }
        }
        return commands[i].run(argc - 1, argv + 1);
    }
    cli_error("commande inconnue « %s ». Voir « clasconv --help ».", argv[1]);
    return CLI_EXIT_USAGE;
}
