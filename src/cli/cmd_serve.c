/* cmd_serve.c: `clasconv serve`: the web pages, on one address. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clasconv/ref.h"
#include "clasconv/serve.h"
#include "cli.h"

static long parse_number(const char *s, long min, long max)
{
    char *end;
    long v;

    if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    return v;
}

/* "ADRESSE:PORT", "[v6]:PORT" or ":PORT"; the address is copied to `addr`. */
static int parse_listen(const char *text, char *addr, size_t size,
                        unsigned *port, int *any_port)
{
    const char *colon;
    size_t len;
    long v;

    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':')
            return -1;
        len = (size_t)(close - text - 1);
        if (len == 0 || len >= size)
            return -1;
        memcpy(addr, text + 1, len);
        addr[len] = '\0';
        colon = close + 1;
    } else {
        colon = strrchr(text, ':');
        if (!colon)
            return -1;
        len = (size_t)(colon - text);
        if (len >= size)
            return -1;
        memcpy(addr, text, len);
        addr[len] = '\0';
        if (len == 0)
            snprintf(addr, size, "127.0.0.1");
    }
    v = parse_number(colon + 1, 0, 65535);
    if (v < 0)
        return -1;
    *port = (unsigned)v;
    *any_port = v == 0;
    return 0;
}

static void on_log(const char *line, void *user)
{
    (void)user;
    fprintf(stderr, "clasconv serve : %s\n", line);
}

static void on_ready(const char *url, void *user)
{
    (void)user;
    printf("clasconv serve : à l'écoute sur %s (Ctrl+C pour arrêter)\n", url);
    fflush(stdout);
}

int cmd_serve(int argc, char **argv)
{
    clasconv_serve_options o;
    clasconv_diag diag;
    clasconv_error err;
    clasconv_annuaire *annuaire = NULL;
    const char *annuaire_path = NULL;
    char addr[64];
    int i;

    memset(&o, 0, sizeof o);
    clasconv_diag_clear(&diag);
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        long v = -2;
        if (!value) {
            cli_error("%s « %s ». Voir « clasconv serve --help ».",
                      arg[0] == '-' ? "valeur manquante après"
                                    : "argument inattendu",
                      arg);
            return CLI_EXIT_USAGE;
        }
        i++;
        if (!strcmp(arg, "--ecoute")) {
            if (parse_listen(value, addr, sizeof addr, &o.port, &o.any_port)) {
                cli_error("--ecoute attend ADRESSE:PORT, par exemple "
                          "127.0.0.1:8080 (reçu « %s »).",
                          value);
                return CLI_EXIT_USAGE;
            }
            o.address = addr;
            continue;
        }
        if (!strcmp(arg, "--annuaire")) {
            annuaire_path = value;
            continue;
        }
        if (!strcmp(arg, "--max-taille") &&
            (v = parse_number(value, 1, 4096)) > 0)
            o.max_mb = (unsigned)v;
        else if (!strcmp(arg, "--max-fichiers") &&
                 (v = parse_number(value, 1, 100000)) > 0)
            o.max_files = (unsigned)v;
        else if (!strcmp(arg, "--travailleurs") &&
                 (v = parse_number(value, 1, 256)) > 0)
            o.workers = (unsigned)v;
        else if (!strcmp(arg, "--attente") &&
                 (v = parse_number(value, 0, 4096)) >= 0)
            o.queue = (unsigned)v;
        else if (!strcmp(arg, "--memoire") &&
                 (v = parse_number(value, 64, 1048576)) > 0)
            o.memory_mb = (unsigned)v;
        else if (!strcmp(arg, "--delai") &&
                 (v = parse_number(value, 1, 86400)) > 0)
            o.wall_s = o.cpu_s = (unsigned)v;
        else if (!strcmp(arg, "--inactivite") &&
                 (v = parse_number(value, 1, 3600)) > 0)
            o.timeout_s = (unsigned)v;
        else if (!strcmp(arg, "--garde") &&
                 (v = parse_number(value, 1, 86400)) > 0)
            o.keep_s = (unsigned)v;
        if (v == -2) {
            cli_error("option inconnue « %s ». Voir « clasconv serve "
                      "--help ».",
                      arg);
            return CLI_EXIT_USAGE;
        }
        if (v < 0 || (v == 0 && strcmp(arg, "--attente"))) {
            cli_error("valeur invalide pour %s : « %s ». Voir « clasconv "
                      "serve --help ».",
                      arg, value);
            return CLI_EXIT_USAGE;
        }
    }
    o.queue_set = 1;
    o.ready = on_ready;
    o.log = on_log;
    /* Loaded once, before any worker is forked: every conversion shares
     * it. A server that cannot read it does not start. */
    if (annuaire_path && clasconv_annuaire_load(annuaire_path, &annuaire,
                                                &diag) != CLASCONV_OK) {
        cli_error("%s Le serveur ne démarre pas : corrigez le chemin donné "
                  "à --annuaire.",
                  diag.message);
        return CLI_EXIT_FAILED;
    }
    o.annuaire = annuaire;
    err = clasconv_serve_run(&o, &diag);
    clasconv_annuaire_free(annuaire);
    if (err != CLASCONV_OK) {
        cli_error("%s", diag.message);
        return err == CLASCONV_ERR_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
    }
    fputs("clasconv serve : arrêté.\n", stdout);
    return CLI_EXIT_OK;
}
