/* help.c: the help of every subcommand as data, one entry each, and its
 * three renderings: --help text (wrapped at 80 columns), the clasconv(1)
 * man page (roff) and the bash completion script.
 *
 * To document a new subcommand, add one entry to cli_helps[]: name,
 * summary, synopsis, description, options and examples. `clasconv --help`,
 * `clasconv help NAME`, `clasconv NAME --help`, the man page and the
 * completion all follow. */
#include "help.h"

#include <string.h>

#include "clasconv/clasconv.h"
#include "clasconv/coord.h"

#define STR_(x) #x
#define STR(x) STR_(x)

const cli_help cli_helps[] = {
    {"convert",
     "convertit un fichier en classeur standardisé",
     "clasconv convert FICHIER [-o SORTIE.xlsx] [--json] [--delai S] "
     "[--annuaire ANNUAIRE.csv] [--]",
     "Lit le tableau des dispositifs CLAS d'une commune (.xls, .xlsx/.xlsm, "
     ".ods, .csv/.txt, XML Excel 2003, page web HTML ou formulaire Word "
     ".docx/.odt) et écrit un "
     "classeur standardisé : "
     "feuilles Dispositifs, Totaux, Anomalies et Source. Le fichier reçu "
     "n'est jamais modifié ; le classeur est écrit sous un nom temporaire "
     "puis renommé, jamais à moitié.\n\n"
     "Sans -o, le classeur est écrit à côté du fichier lu, avec l'extension "
     ".xlsx (ou -clasconv.xlsx si le fichier lu est déjà un .xlsx).",
     {{"-o, --output SORTIE.xlsx", "classeur à écrire"},
      {"--json",
       "affiche aussi le tableau lu et ses anomalies en JSON sur la sortie "
       "standard"},
      {"--delai S",
       "arrête la lecture après S secondes (défaut 60 ; 0 : sans limite)"},
      {"--annuaire ANNUAIRE.csv",
       "rapproche chaque établissement de l'Annuaire de l'éducation (export "
       "CSV) : UAI, nom officiel, confiance"},
      {"-h, --help", "affiche cette aide"}},
     {{"clasconv convert Bron.csv", "écrit Bron.xlsx à côté du fichier reçu"},
      {"clasconv convert recus/Bron.xls -o convertis/Bron.xlsx",
       "choisit le nom du classeur écrit"},
      {"clasconv convert Bron.ods --json > Bron.json",
       "garde aussi le tableau en JSON"}}},
    {"check",
     "vérifie un fichier et affiche ses anomalies",
     "clasconv check FICHIER [--json] [--html RAPPORT.html] [--delai S] "
     "[--annuaire ANNUAIRE.csv] [--]",
     "Lit le tableau comme « convert », sans rien écrire à côté, et affiche "
     "les effectifs par niveau et la liste des anomalies, chacune avec ce "
     "qu'il faut faire. À lancer avant d'envoyer un tableau : le verdict de "
     "la dernière ligne dit s'il peut partir.",
     {{"--json", "affiche le résultat en JSON au lieu du rapport"},
      {"--html RAPPORT.html",
       "écrit aussi un rapport HTML à ouvrir dans un navigateur"},
      {"--delai S",
       "arrête la lecture après S secondes (défaut 60 ; 0 : sans limite)"},
      {"--annuaire ANNUAIRE.csv",
       "rapproche chaque établissement de l'Annuaire de l'éducation (export "
       "CSV) : UAI, nom officiel, confiance"},
      {"-h, --help", "affiche cette aide"}},
     {{"clasconv check Bron.xls", "affiche le rapport de vérification"},
      {"clasconv check Bron.xls --html Bron.html",
       "écrit aussi le rapport dans une page web"}}},
    {"batch",
     "convertit tout un dossier et en fait la synthèse",
     "clasconv batch DOSSIER_ENTREE DOSSIER_SORTIE [-j N] [-r] [--memoire MO] "
     "[--delai S] [--annuaire ANNUAIRE.csv]",
     "Convertit chaque fichier de DOSSIER_ENTREE dans DOSSIER_SORTIE (créé "
     "s'il n'existe pas et que son dossier parent existe), continue après un "
     "fichier illisible et écrit la synthèse du dossier (synthese.xlsx) et "
     "un rapport (rapport.csv, à ouvrir dans Excel). Chaque fichier est "
     "converti dans son propre processus, limité en mémoire et en temps ; "
     "les fichiers reçus ne sont jamais modifiés. Fait pour tourner seul "
     "chaque nuit (cron ou minuteur systemd) : voir BATCH.md dans la "
     "documentation (man clasconv, VOIR AUSSI).\n\n"
     "Statut de sortie : 0 tout est converti sans erreur ; 1 des fichiers "
     "ont des erreurs à vérifier ; 2 des fichiers sont illisibles ou n'ont "
     "pas pu être écrits.",
     {{"-j, --jobs N",
       "nombre de processus en parallèle, de 1 à 256 (défaut : le nombre de "
       "cœurs)"},
      {"-r, --recursif",
       "convertit aussi les sous-dossiers (reproduits dans DOSSIER_SORTIE)"},
      {"--memoire MO",
       "mémoire permise à la conversion d'un fichier, en Mo (défaut 256)"},
      {"--delai S",
       "temps permis à la conversion d'un fichier, en secondes (défaut 60 s "
       "de calcul, 120 s d'horloge)"},
      {"--annuaire ANNUAIRE.csv",
       "rapproche chaque établissement de l'Annuaire de l'éducation (export "
       "CSV) : UAI, nom officiel, confiance"},
      {"-h, --help", "affiche cette aide"}},
     {{"clasconv batch recus convertis", "convertit le dossier recus"},
      {"clasconv batch /srv/clas/recus /srv/clas/convertis -r -j 2",
       "avec les sous-dossiers, deux fichiers à la fois"}}},
    {"template",
     "écrit le modèle de tableau à remplir",
     "clasconv template -o MODELE.xlsx [--commune NOM] [--lignes N] "
     "[--depuis FICHIER] [--annuaire ANNUAIRE.csv]",
     "Écrit le tableau de la section 3 de la note unique, à remplir par la "
     "commune : contrôle de saisie, totaux calculés et mise en page A4 "
     "paysage.",
     {{"-o, --output MODELE.xlsx", "classeur à écrire"},
      {"--commune NOM", "commune inscrite après « Territoire de : »"},
      {"--lignes N",
       "lignes d'établissement par niveau, de 1 à " STR(
           CLASCONV_TEMPLATE_ROWS_MAX) " (défaut " STR(CLASCONV_TEMPLATE_ROWS_DEFAULT) ")"},
      {"--depuis FICHIER",
       "pré-remplit le modèle avec le tableau lu dans FICHIER"},
      {"--annuaire ANNUAIRE.csv",
       "avec --commune : pré-remplit le modèle avec les écoles, collèges et "
       "lycées de la commune dans l'Annuaire de l'éducation (nom suivi de "
       "l'UAI)"},
      {"-h, --help", "affiche cette aide"}},
     {{"clasconv template -o modele.xlsx --commune Bron",
       "modèle vide pour Bron"},
      {"clasconv template -o Bron-2026.xlsx --depuis Bron-2025.xls",
       "modèle pré-rempli avec le tableau de l'an dernier"}}},
    {"serve",
     "sert les pages web de vérification, de lot et de comparaison",
     "clasconv serve [--ecoute ADRESSE:PORT] [--max-taille MO] "
     "[--max-fichiers N] [--travailleurs N] [--attente N] [--memoire MO] "
     "[--delai S] [--garde S] [--inactivite S] [--annuaire ANNUAIRE.csv]",
     "Sert à un navigateur les pages « Vérifier un fichier », « Convertir un "
     "lot », « Comparer avec l'an dernier » et « Modèle vierge ». Chaque "
     "conversion tourne dans son propre "
     "processus, avec les limites de « batch ». Déploiement derrière le "
     "proxy HTTPS et unité systemd : voir SERVE.md dans la documentation.",
     {{"--ecoute ADRESSE:PORT",
       "adresse d'écoute (défaut 127.0.0.1:8080) ; 0.0.0.0:8080 pour tout le "
       "réseau, derrière le proxy HTTPS de la CAF"},
      {"--max-taille MO", "envoi le plus gros accepté, en Mo (défaut 20)"},
      {"--max-fichiers N", "fichiers par lot (défaut 200)"},
      {"--travailleurs N",
       "conversions en même temps (défaut : le nombre de cœurs)"},
      {"--attente N",
       "requêtes en attente d'un travailleur avant de répondre « occupé » "
       "(défaut 64)"},
      {"--memoire MO", "mémoire par conversion, en Mo (défaut 256)"},
      {"--delai S", "secondes par conversion (défaut 120)"},
      {"--garde S", "durée de conservation des résultats, en secondes "
                    "(défaut 600)"},
      {"--inactivite S",
       "coupe une connexion muette depuis S secondes (défaut 30)"},
      {"--annuaire ANNUAIRE.csv",
       "rapproche chaque école de l'Annuaire de l'éducation (UAI, nom "
       "officiel) ; lu une fois au démarrage"},
      {"-h, --help", "affiche cette aide"}},
     {{"clasconv serve", "pages sur http://127.0.0.1:8080 (ce poste seul)"},
      {"clasconv serve --ecoute 0.0.0.0:8080 --travailleurs 2",
       "pour tout le réseau, derrière le proxy HTTPS"}}},
    {"dump",
     "affiche les cellules lues d'un fichier (diagnostic)",
     "clasconv dump FICHIER",
     "Affiche, une par ligne, les cellules que clasconv lit dans FICHIER "
     "(référence, type, valeur), avec le format reconnu et les fusions. "
     "Utile pour comprendre pourquoi un tableau n'est pas trouvé ou pour "
     "signaler un problème.",
     {{"--delai S",
       "arrête la lecture après S secondes (défaut 60 ; 0 : sans limite)"},
      {"-h, --help", "affiche cette aide"}},
     {{"clasconv dump Bron.xls | less", "parcourt les cellules lues"}}},
    {"compare",
     "compare deux années d'un même territoire",
     "clasconv compare ANCIEN NOUVEAU [-o COMPARAISON.xlsx] "
     "[--json] "
     "[--annuaire ANNUAIRE.csv]",
     "Compare le tableau de l'an dernier (ANCIEN) et celui de cette "
     "année "
     "(NOUVEAU) : deux fichiers de commune, ou deux dossiers de "
     "sortie de "
     "« batch » (rapprochés par commune). Signale les "
     "établissements qui "
     "apparaissent ou disparaissent (par UAI, sinon par nom), les "
     "dispositifs qui commencent ou s'arrêtent, les effectifs qui "
     "changent "
     "de plus de 10 enfants et de plus de 50 %, et les totaux par "
     "niveau "
     "côte à côte.",
     {{"-o, --output COMPARAISON.xlsx",
       "écrit aussi un classeur (feuilles Évolution et "
       "Changements)"},
      {"--json", "affiche le résultat en JSON au lieu du rapport"},
      {"--annuaire ANNUAIRE.csv",
       "rapproche chaque établissement de l'Annuaire de l'éducation "
       "(export "
       "CSV) : UAI, nom officiel, confiance"},
      {"-h, --help", "affiche cette aide"}},
     {{"clasconv compare Bron-2025.xls Bron-2026.xlsx",
       "affiche ce qui a changé d'une année à l'autre"},
      {"clasconv compare sorties-2025 sorties-2026 -o "
       "evolution.xlsx",
       "compare deux lots et écrit le classeur d'évolution"}}},
};

const size_t cli_help_count = sizeof cli_helps / sizeof cli_helps[0];

static const char formats_text[] =
    "Formats lus : .xls, .xlsx/.xlsm, .ods, .csv/.txt, XML Excel 2003, page "
    "web HTML (export de portail en .xls, .htm), .docx/.odt (formulaire "
    "Word rempli) ; .doc, .rtf, .xlsb, .slk et .dif convertis d'abord par "
    "LibreOffice "
    "quand il est installé (CLASCONV_SOFFICE=0 pour ne pas l'utiliser).";
static const char status_text[] =
    "Statut de sortie : 0 succès ; 1 erreurs trouvées ; 2 fichier illisible "
    "ou impossible à écrire ; 64 mauvaise utilisation.";

const cli_help *cli_help_find(const char *name)
{
    size_t i;

    for (i = 0; name != NULL && i < cli_help_count; i++)
        if (!strcmp(cli_helps[i].name, name))
            return &cli_helps[i];
    return NULL;
}

/* Display columns of UTF-8 text: one per code point. */
static size_t columns(const char *s, size_t len)
{
    size_t i, n = 0;

    for (i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

/* Length of the next unbreakable piece of text: a word, with the French
 * punctuation that follows it after a space (" ;", " :", " »", " ?", " !")
 * or the word after an opening « , and a whole [--option VALEUR]. */
static size_t token(const char *p)
{
    size_t i = 0;
    int depth = 0;

    for (;;) {
        while (p[i] && p[i] != '\n' && (p[i] != ' ' || depth > 0)) {
            if (p[i] == '[')
                depth++;
            else if (p[i] == ']' && depth > 0)
                depth--;
            i++;
        }
        if (p[i] != ' ')
            return i;
        /* Glue "«" to the next word and ";" ":" "?" "!" "»" to this one. */
        if ((i >= 2 && !strncmp(p + i - 2, "«", 2) &&
             (i == 2 || p[i - 3] == ' ')) ||
            ((strchr(";:?!", p[i + 1]) != NULL && p[i + 1] != '\0' &&
              (p[i + 2] == ' ' || p[i + 2] == '\0' || p[i + 2] == '\n')) ||
             (!strncmp(p + i + 1, "»", 2) &&
              (p[i + 3] == ' ' || p[i + 3] == '\0' || p[i + 3] == '\n' ||
               strchr(",.", p[i + 3]) != NULL)))) {
            i++;
            continue;
        }
        return i;
    }
}

/* Prints `text` wrapped at 79 columns at spaces only: the first line after
 * `first` columns already used, the next ones indented by `indent`. A
 * "\n" in text starts a new paragraph (one empty line). */
static void wrap(FILE *out, const char *text, size_t first, size_t indent)
{
    const size_t width = 79;
    size_t col = first;
    int line_start = 1;
    const char *p = text;

    while (*p) {
        size_t len = token(p);
        size_t w = columns(p, len);
        if (!line_start && col + 1 + w > width) {
            fprintf(out, "\n%*s", (int)indent, "");
            col = indent;
            line_start = 1;
        }
        if (!line_start) {
            fputc(' ', out);
            col++;
        }
        fwrite(p, 1, len, out);
        col += w;
        line_start = 0;
        p += len;
        if (*p == ' ') {
            p++;
        } else if (*p == '\n') {
            while (*p == '\n')
                p++;
            fprintf(out, "\n\n%*s", (int)indent, "");
            col = indent;
            line_start = 1;
        }
    }
    fputc('\n', out);
}

void cli_help_print(const cli_help *h, FILE *out)
{
    size_t i;

    fputs("Utilisation : ", out);
    wrap(out, h->synopsis, columns("Utilisation : ", 14), 4);
    fputc('\n', out);
    wrap(out, h->description, 0, 0);
    fputs("\nOptions :\n", out);
    for (i = 0; i < CLI_HELP_MAX_OPTIONS && h->options[i].flags; i++) {
        size_t w =
            2 + columns(h->options[i].flags, strlen(h->options[i].flags));
        fprintf(out, "  %s", h->options[i].flags);
        if (w + 2 > 28) {
            fprintf(out, "\n%*s", 28, "");
            w = 28;
        } else {
            fprintf(out, "%*s", (int)(28 - w), "");
            w = 28;
        }
        wrap(out, h->options[i].text, w, 28);
    }
    fputs("\nExemples :\n", out);
    for (i = 0; i < CLI_HELP_MAX_EXAMPLES && h->examples[i].command; i++) {
        fprintf(out, "  %s\n      ", h->examples[i].command);
        wrap(out, h->examples[i].text, 6, 6);
    }
    fputs("\nAide de toutes les commandes : clasconv --help ; manuel : "
          "man clasconv.\n",
          out);
}

void cli_help_usage(FILE *out, const char *const *names, size_t count)
{
    size_t i;

    fputs("Utilisation :\n", out);
    for (i = 0; i < count; i++) {
        const cli_help *h = cli_help_find(names[i]);
        fputs("  ", out);
        if (h != NULL)
            wrap(out, h->synopsis, 2, 6);
        else
            fprintf(out, "clasconv %s\n", names[i]);
    }
    fputs("  clasconv help COMMANDE | COMMANDE --help\n"
          "  clasconv --help | --version\n\nCommandes :\n",
          out);
    for (i = 0; i < count; i++) {
        const cli_help *h = cli_help_find(names[i]);
        fprintf(out, "  %-9s %s\n", names[i],
                h != NULL ? h->summary
                          : "(aide manquante : à ajouter dans src/cli/help.c)");
    }
    fputc('\n', out);
    wrap(out, formats_text, 0, 0);
    wrap(out, status_text, 0, 0);
    fputs("Aide d'une commande, avec des exemples : clasconv help COMMANDE.\n",
          out);
}

/* --- Man page ---------------------------------------------------------- */

/* Prints text escaped for roff: backslashes, a dot or quote at the start
 * of a line; with `code`, '-' as the ASCII minus \- (options, commands). */
static void roff(FILE *out, const char *text, int code)
{
    const char *p;
    int bol = 1;

    for (p = text; *p; p++) {
        if (bol && (*p == '.' || *p == '\''))
            fputs("\\&", out);
        bol = 0;
        if (*p == '\\')
            fputs("\\e", out);
        else if (*p == ' ' && !code &&
                 ((p[1] != '\0' && strchr(";:?!", p[1]) != NULL) ||
                  !strncmp(p + 1, "»", 2) ||
                  (p - text >= 2 && !strncmp(p - 2, "«", 2))))
            fputs("\\~", out); /* French spacing: never broken */
        else if (*p == '-' && code)
            fputs("\\-", out);
        else if (*p == '\n') {
            fputc('\n', out);
            bol = 1;
        } else
            fputc(*p, out);
    }
}

/* A description: "\n\n" separates paragraphs (.PP). */
static void roff_paragraphs(FILE *out, const char *text)
{
    const char *p = text;

    while (*p) {
        size_t len = strcspn(p, "\n");
        char line[2048];
        if (len >= sizeof line)
            len = sizeof line - 1;
        memcpy(line, p, len);
        line[len] = '\0';
        if (len > 0) {
            roff(out, line, 0);
            fputc('\n', out);
        }
        p += len;
        if (*p == '\n') {
            while (*p == '\n')
                p++;
            fputs(".PP\n", out);
        }
    }
}

void cli_help_man(FILE *out)
{
    size_t i, j;

    fprintf(out,
            "'\\\" -*- coding: UTF-8 -*-\n"
            ".\\\" clasconv(1), written by `clasconv --man` from the --help "
            "texts (src/cli/help.c).\n"
            ".TH CLASCONV 1 \"\" \"clasconv %s\" \"Commandes utilisateur\"\n"
            ".SH NOM\n"
            "clasconv \\- convertit les tableaux des dispositifs CLAS des "
            "communes en classeurs standardisés\n"
            ".SH SYNOPSIS\n.nf\n",
            CLASCONV_VERSION);
    for (i = 0; i < cli_help_count; i++) {
        roff(out, cli_helps[i].synopsis, 1);
        fputc('\n', out);
    }
    fputs("clasconv help COMMANDE\nclasconv \\-\\-help | \\-\\-version\n.fi\n"
          ".SH DESCRIPTION\n"
          "clasconv lit le tableau des dispositifs d'accompagnement à la "
          "scolarité (CLAS) que chaque commune envoie, sous la forme où il "
          "arrive, et en écrit un classeur standardisé, avec la liste des "
          "anomalies et ce qu'il faut faire pour chacune.\n.PP\n",
          out);
    roff(out, formats_text, 0);
    fputs("\n.SH COMMANDES\n", out);
    for (i = 0; i < cli_help_count; i++) {
        const cli_help *h = &cli_helps[i];
        fputs(".SS ", out);
        roff(out, h->name, 1);
        fputs("\n.B ", out);
        roff(out, h->synopsis, 1);
        fputs("\n.PP\n", out);
        roff_paragraphs(out, h->description);
        for (j = 0; j < CLI_HELP_MAX_OPTIONS && h->options[j].flags; j++) {
            fputs(".TP\n.B ", out);
            roff(out, h->options[j].flags, 1);
            fputc('\n', out);
            roff(out, h->options[j].text, 0);
            fputc('\n', out);
        }
        fputs(".PP\nExemples :\n", out);
        for (j = 0; j < CLI_HELP_MAX_EXAMPLES && h->examples[j].command; j++) {
            fputs(".TP\n.B ", out);
            roff(out, h->examples[j].command, 1);
            fputc('\n', out);
            roff(out, h->examples[j].text, 0);
            fputc('\n', out);
        }
    }
    fputs(".SH \"STATUT DE SORTIE\"\n", out);
    roff(out, status_text, 0);
    fputs("\n.SH \"VOIR AUSSI\"\n"
          "La documentation installée avec clasconv, dans share/doc/clasconv "
          "(README.md, BATCH.md, COORDINATEURS.md, et les exemples cron et "
          "systemd dans examples/), et\n"
          ".B clasconv help COMMANDE\n.\n",
          out);
}

/* --- Bash completion --------------------------------------------------- */

/* Prints the option words of "-o, --output FICHIER" ("-o", "--output"),
 * each after `sep` but the very first one (*any == 0) of a list. */
static void option_words(FILE *out, const char *flags, const char *sep,
                         int *any)
{
    const char *p = flags;

    while (*p) {
        size_t len;
        while (*p == ' ' || *p == ',')
            p++;
        len = strcspn(p, " ,");
        if (len > 0 && p[0] == '-') {
            fprintf(out, "%s%.*s", *any ? sep : "", (int)len, p);
            *any = 1;
        }
        p += len;
    }
}

/* Non-zero when the option takes a value that is not a path ("N", "NOM",
 * "MO", "S"): nothing to complete after it. */
static int takes_plain_value(const char *flags)
{
    const char *last = strrchr(flags, ' ');

    if (last == NULL || last[1] == '-')
        return 0;
    last++;
    return strstr(last, "FICHIER") == NULL && strstr(last, "DOSSIER") == NULL &&
           strchr(last, '.') == NULL;
}

void cli_help_bash_completion(FILE *out)
{
    size_t i, j;

    fputs("# bash completion for clasconv, written by `clasconv "
          "--bash-completion`\n"
          "# from its --help texts (src/cli/help.c).\n"
          "_clasconv()\n{\n"
          "    local cur prev cmds opts\n"
          "    cur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
          "    prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
          "    COMPREPLY=()\n"
          "    cmds=\"",
          out);
    for (i = 0; i < cli_help_count; i++)
        fprintf(out, "%s%s", i ? " " : "", cli_helps[i].name);
    fputs("\"\n"
          "    if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
          "        COMPREPLY=($(compgen -W \"$cmds help --help --version\" "
          "-- \"$cur\"))\n"
          "        return 0\n"
          "    fi\n"
          "    case \"${COMP_WORDS[1]}\" in\n"
          "    help)\n"
          "        [ \"$COMP_CWORD\" -eq 2 ] && "
          "COMPREPLY=($(compgen -W \"$cmds\" -- \"$cur\"))\n"
          "        return 0 ;;\n",
          out);
    for (i = 0; i < cli_help_count; i++) {
        const cli_help *h = &cli_helps[i];
        int any = 0;
        fprintf(out, "    %s) opts=\"", h->name);
        for (j = 0; j < CLI_HELP_MAX_OPTIONS && h->options[j].flags; j++)
            option_words(out, h->options[j].flags, " ", &any);
        fputs("\" ;;\n", out);
    }
    fputs("    *) return 0 ;;\n    esac\n    case \"$prev\" in\n    ", out);
    {
        int any = 0;
        for (i = 0; i < cli_help_count; i++)
            for (j = 0;
                 j < CLI_HELP_MAX_OPTIONS && cli_helps[i].options[j].flags; j++)
                if (takes_plain_value(cli_helps[i].options[j].flags))
                    option_words(out, cli_helps[i].options[j].flags, "|", &any);
        fputs(any ? ") return 0 ;;\n" : "--) return 0 ;;\n", out);
    }
    fputs("    esac\n"
          "    if [[ \"$cur\" == -* ]]; then\n"
          "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
          "    else\n"
          "        compopt -o filenames 2>/dev/null\n"
          "        if [ \"${COMP_WORDS[1]}\" = batch ]; then\n"
          "            mapfile -t COMPREPLY < <(compgen -d -- \"$cur\")\n"
          "        else\n"
          "            mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
          "        fi\n"
          "    fi\n"
          "    return 0\n"
          "}\n"
          "complete -F _clasconv clasconv\n",
          out);
}
