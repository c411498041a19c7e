/* main.c: the clasconv command line: dispatches to one cmd_<name> each. */
#include <locale.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "clasconv/clasconv.h"
#include "cli.h"

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"convert", cmd_convert, "convertit un fichier en classeur standardisé"},
    {"check", cmd_check, "vérifie un fichier et affiche ses anomalies"},
    {"batch", cmd_batch, "convertit tout un dossier et en fait la synthèse"},
    {"template", cmd_template, "écrit le modèle de tableau à remplir"},
    {"serve", cmd_serve, "sert les pages web de vérification et de lot"},
    {"compare", cmd_compare, "compare deux années d'un même territoire"},
    {"dump", cmd_dump, "affiche les cellules lues d'un fichier (diagnostic)"},
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

static void usage(FILE *out)
{
    size_t i;

    fputs("Utilisation :\n"
          "  clasconv convert FICHIER [-o SORTIE.xlsx] [--json]"
          " [--delai S] [--annuaire ANNUAIRE.csv]\n"
          "  clasconv check FICHIER [--json] [--html RAPPORT.html]"
          " [--delai S] [--annuaire ANNUAIRE.csv]\n"
          "  clasconv compare ANCIEN NOUVEAU [-o COMPARAISON.xlsx] [--json]"
          " [--annuaire ANNUAIRE.csv]\n"
          "  clasconv batch DOSSIER_ENTREE DOSSIER_SORTIE [-j N] [-r]"
          " [--memoire MO] [--delai S] [--annuaire ANNUAIRE.csv]\n"
          "  clasconv template -o MODELE.xlsx [--commune NOM] [--lignes N]"
          " [--depuis FICHIER] [--annuaire ANNUAIRE.csv]\n"
          "  clasconv serve [--ecoute ADRESSE:PORT] [--max-taille MO]"
          " [--max-fichiers N] [--travailleurs N]\n"
          "  clasconv --help | --version\n\nCommandes :\n",
          out);
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fputs("\nFormats lus : .xls, .xlsx/.xlsm, .ods, .csv/.txt, XML Excel"
          " 2003, .docx (formulaire Word rempli).\n"
          "--delai S : arrête convert, check ou dump après S secondes"
          " (défaut 60 ; 0 : sans limite). « -- » termine les options.\n"
          "Statut de sortie : 0 succès ; 1 erreurs trouvées ; 2 fichier"
          " illisible ou impossible à écrire ; 64 mauvaise utilisation.\n",
          out);
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
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("clasconv %s\n", CLASCONV_VERSION);
        return CLI_EXIT_OK;
    }
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    cli_error("commande inconnue « %s ». Voir « clasconv --help ».", argv[1]);
    return CLI_EXIT_USAGE;
}
