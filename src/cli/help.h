/* help.h: the help texts of every subcommand, as data (help.c), and the
 * three ways they are shown: --help text, the clasconv(1) man page and the
 * bash completion script. */
#ifndef CLASCONV_CLI_HELP_H
#define CLASCONV_CLI_HELP_H

#include <stdio.h>

#define CLI_HELP_MAX_OPTIONS 12
#define CLI_HELP_MAX_EXAMPLES 6

typedef struct cli_help_option {
    const char *flags; /* "-o, --output FICHIER": short and long forms */
    const char *text;  /* what it does, in French */
} cli_help_option;

typedef struct cli_help_example {
    const char *command; /* "clasconv convert Bron.csv" */
    const char *text;    /* what it does, in French */
} cli_help_example;

typedef struct cli_help {
    const char *name;        /* subcommand name: "convert" */
    const char *summary;     /* one line for the list of commands */
    const char *synopsis;    /* "clasconv convert FICHIER [-o SORTIE.xlsx]" */
    const char *description; /* French paragraphs separated by "\n\n" */
    cli_help_option options[CLI_HELP_MAX_OPTIONS];    /* ends at flags NULL */
    cli_help_example examples[CLI_HELP_MAX_EXAMPLES]; /* ends at NULL */
} cli_help;

/** The help of every subcommand, in the order of `clasconv --help`. */
extern const cli_help cli_helps[];
extern const size_t cli_help_count;

/** The help of subcommand `name`, or NULL. */
const cli_help *cli_help_find(const char *name);

/** Prints the --help text of one subcommand. */
void cli_help_print(const cli_help *help, FILE *out);

/** Prints the general usage of the subcommands `names` (the dispatch
 * table's, in its order): synopses, commands, formats, exit statuses. A
 * command without a help entry shows « aide manquante ». */
void cli_help_usage(FILE *out, const char *const *names, size_t count);

/** Prints the clasconv(1) man page (roff, French). */
void cli_help_man(FILE *out);

/** Prints the bash completion script for clasconv. */
void cli_help_bash_completion(FILE *out);

#endif
