/* soffice.c: the formats clasconv does not parse (.doc, .rtf, .xlsb, SYLK,
 * DIF), converted by LibreOffice headless into .docx/.xlsx, then read by
 * the project's own readers. */
#include "clasconv/read.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#include "clasconv/anomaly.h"
#include "core/atomic.h"
#include "core/text.h"
#include "read/sniff.h"

/*
 * The conversion runs in a private folder (mkdtemp, mode 0700, under
 * TMPDIR): the input is copied there (the original is never opened for
 * writing), LibreOffice gets its own profile in it
 * (-env:UserInstallation), a minimal environment (HOME and TMPDIR in the
 * folder, no DISPLAY, no proxy), no standard streams, its own process
 * group, and limits: CPU, file size, open files, 2 GiB of address space.
 * The parent waits at most SOFFICE_WALL_S seconds (CLASCONV_SOFFICE_TIMEOUT
 * overrides it), then kills the whole group; the folder is removed on
 * every path. LibreOffice's output is read through clasconv_load_file and
 * the normal reader, with the same limits as any file. A converted file
 * carries the info FILE_CONVERTED.
 *
 * CLASCONV_SOFFICE=/path/to/soffice chooses the program, CLASCONV_SOFFICE=0
 * turns the conversion off; by default `soffice` is looked for in PATH and
 * in /usr/bin and /usr/lib/libreoffice/program.
 */

#define SOFFICE_WALL_S 60u
#define SOFFICE_AS_BYTES ((rlim_t)2 << 30)
#define SOFFICE_FSIZE_BYTES ((rlim_t)512 << 20)
#define SOFFICE_PATH_MAX 4096u
#define SOFFICE_DIR_MAX 1100u /* TMPDIR (at most 1024 bytes) + our name */

typedef struct soffice_kind {
    const char *ext;    /* the input's extension for LibreOffice */
    const char *target; /* --convert-to */
    const char *what;   /* French, in messages */
    const char *resave; /* French: what the commune can do instead */
    const char *package;
} soffice_kind;

/* What the commune can do instead, by the converter LibreOffice uses. */
#define RESAVE_WORD                                                            \
    "ouvrez-le dans Word ou LibreOffice et enregistrez-le au format Word "     \
    "(.docx)"
#define RESAVE_EXCEL                                                           \
    "ouvrez-le dans Excel ou LibreOffice et enregistrez-le au format Excel "   \
    "(.xlsx)"
#define WRITER "libreoffice-writer-nogui"
#define CALC "libreoffice-calc-nogui"

static const soffice_kind *kind_of(clasconv_format format)
{
    static const soffice_kind doc = {
        "doc", "docx", "un document Word 97-2003 (.doc)", RESAVE_WORD, WRITER};
    static const soffice_kind rtf = {
        "rtf", "docx", "un document texte RTF (.rtf)", RESAVE_WORD, WRITER};
    static const soffice_kind xlsb = {"xlsb", "xlsx",
                                      "un classeur Excel binaire (.xlsb)",
                                      RESAVE_EXCEL, CALC};
    static const soffice_kind slk = {"slk", "xlsx",
                                     "un classeur au format texte SYLK (.slk)",
                                     RESAVE_EXCEL, CALC};
    static const soffice_kind dif = {"dif", "xlsx",
                                     "un classeur au format texte DIF (.dif)",
                                     RESAVE_EXCEL, CALC};

    switch (format) {
    case CLASCONV_FORMAT_SYLK:
        return &slk;
    case CLASCONV_FORMAT_DIF:
        return &dif;
    case CLASCONV_FORMAT_DOC:
        return &doc;
    case CLASCONV_FORMAT_RTF:
        return &rtf;
    case CLASCONV_FORMAT_XLSB:
        return &xlsb;
    default:
        return NULL;
    }
}

static int executable(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
           access(path, X_OK) == 0;
}

/* The soffice program to run, into `out`; 0 when none (or turned off). */
static int find_soffice(char *out, size_t size)
{
    static const char *const fixed[] = {"/usr/bin/soffice",
                                        "/usr/lib/libreoffice/program/soffice",
                                        "/opt/libreoffice/program/soffice"};
    const char *env = getenv("CLASCONV_SOFFICE");
    const char *path = getenv("PATH");
    size_t i;

    if (env != NULL && env[0] != '\0') {
        if (strcmp(env, "0") == 0 || !executable(env)) {
            return 0;
        }
        return snprintf(out, size, "%s", env) < (int)size;
    }
    while (path != NULL && *path != '\0') {
        const char *end = strchr(path, ':');
        size_t len = end != NULL ? (size_t)(end - path) : strlen(path);
        if (len > 0 && len + 9 < size) {
            memcpy(out, path, len);
            memcpy(out + len, "/soffice", 9);
            if (executable(out)) {
                return 1;
            }
        }
        path = end != NULL ? end + 1 : NULL;
    }
    for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        if (executable(fixed[i])) {
            return snprintf(out, size, "%s", fixed[i]) < (int)size;
        }
    }
    return 0;
}

static unsigned wall_seconds(void)
{
    const char *env = getenv("CLASCONV_SOFFICE_TIMEOUT");
    char *end;
    unsigned long v;

    if (env == NULL || env[0] == '\0') {
        return SOFFICE_WALL_S;
    }
    v = strtoul(env, &end, 10);
    return *end == '\0' && v > 0 && v <= 3600 ? (unsigned)v : SOFFICE_WALL_S;
}

static void limit(int resource, rlim_t value)
{
    struct rlimit rl;

    if (getrlimit(resource, &rl) != 0) {
        return;
    }
    rl.rlim_cur = value;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
    }
    (void)setrlimit(resource, &rl);
}

/* In the child: never returns. */
static void run_child(const char *program, const char *dir,
                      const soffice_kind *k, unsigned wall)
{
    char profile[SOFFICE_DIR_MAX + 40], outdir[SOFFICE_DIR_MAX + 8],
        input[SOFFICE_DIR_MAX + 16], home[SOFFICE_DIR_MAX + 8],
        tmp[SOFFICE_DIR_MAX + 8];
    char *argv[16];
    char *envp[8];
    int fd, n = 0;

    (void)setpgid(0, 0);
#ifdef __linux__
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    fd = open("/dev/null", O_RDWR);
    if (fd < 0) {
        _exit(126);
    }
    (void)dup2(fd, 0);
    (void)dup2(fd, 1);
    (void)dup2(fd, 2);
    if (fd > 2) {
        close(fd);
    }
    /* Nothing of the caller's stays open in LibreOffice (a serve worker's
     * pipes: its death must be seen at once). */
#if defined(__linux__) && defined(SYS_close_range)
    if (syscall(SYS_close_range, 3u, ~0u, 0u) != 0)
#endif
    {
        for (fd = 3; fd < 1024; fd++) {
            close(fd);
        }
    }
    limit(RLIMIT_CPU, (rlim_t)wall + 5);
    limit(RLIMIT_FSIZE, SOFFICE_FSIZE_BYTES);
    limit(RLIMIT_NOFILE, 1024);
    limit(RLIMIT_AS, SOFFICE_AS_BYTES);
    limit(RLIMIT_CORE, 0);
    snprintf(profile, sizeof profile, "-env:UserInstallation=file://%s/profil",
             dir);
    snprintf(outdir, sizeof outdir, "%s/sortie", dir);
    snprintf(input, sizeof input, "%s/entree.%s", dir, k->ext);
    snprintf(home, sizeof home, "HOME=%s", dir);
    snprintf(tmp, sizeof tmp, "TMPDIR=%s", dir);
    argv[n++] = (char *)"soffice";
    argv[n++] = profile;
    argv[n++] = (char *)"--headless";
    argv[n++] = (char *)"--invisible";
    argv[n++] = (char *)"--norestore";
    argv[n++] = (char *)"--nologo";
    argv[n++] = (char *)"--nolockcheck";
    argv[n++] = (char *)"--convert-to";
    argv[n++] = (char *)k->target;
    argv[n++] = (char *)"--outdir";
    argv[n++] = outdir;
    argv[n++] = input;
    argv[n] = NULL;
    envp[0] = home;
    envp[1] = tmp;
    envp[2] = (char *)"PATH=/usr/local/bin:/usr/bin:/bin";
    envp[3] = (char *)"LANG=C.UTF-8";
    envp[4] = (char *)"SAL_USE_VCLPLUGIN=svp";
    envp[5] = NULL;
    (void)chdir(dir);
    execve(program, argv, envp);
    _exit(127);
}

static double now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Kills what is left of the process group `pgid` and waits (at most one
 * second) until it is gone, so that nothing writes into the private folder
 * while it is removed. A process that init has not reaped yet still
 * counts: hence the bound. */
static void kill_group(pid_t pgid)
{
    int i;

    (void)kill(-pgid, SIGKILL);
    for (i = 0; i < 100 && kill(-pgid, 0) == 0; i++) {
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
}

typedef enum run_result { RUN_DONE, RUN_FAILED, RUN_TIMEOUT } run_result;

static run_result run_soffice(const char *program, const char *dir,
                              const soffice_kind *k, unsigned wall)
{
    double deadline = now_s() + wall;
    int status = 0;
    pid_t pid = fork();

    if (pid < 0) {
        return RUN_FAILED;
    }
    if (pid == 0) {
        run_child(program, dir, k, wall);
    }
    (void)setpgid(pid, pid); /* also from here: no race with the kill */
    for (;;) {
        struct timespec pause = {0, 20 * 1000 * 1000};
        pid_t r = waitpid(pid, &status, WNOHANG);

        if (r == pid) {
            break;
        }
        if (r < 0 && errno != EINTR) {
            return RUN_FAILED;
        }
        if (now_s() > deadline) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            kill_group(pid);
            return RUN_TIMEOUT;
        }
        nanosleep(&pause, NULL);
    }
    kill_group(pid); /* what it left running (soffice.bin, oosplash) */
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? RUN_DONE
                                                         : RUN_FAILED;
}

static clasconv_error refuse(clasconv_diag *diag, const soffice_kind *k,
                             const char *why)
{
    clasconv_diag_set(diag,
                      "Ce fichier est %s, un format que clasconv lit "
                      "en le faisant convertir par LibreOffice : %s. Que "
                      "faire : %s, puis recommencez.",
                      k->what, why, k->resave);
    return CLASCONV_ERR_FORMAT;
}

/* The text formats, in the encoding LibreOffice 7.4 reads them in (it
 * takes no filter options here): SYLK in UTF-8 (the environment's), so a
 * Windows-1252 one as Excel writes it is converted; DIF in Windows-1252 as
 * Excel writes it, so a UTF-8 one is converted back. `*assumed` when the
 * file was taken as Windows-1252; `*out` stays NULL when the bytes go as
 * they are. */
static clasconv_error text_for_soffice(clasconv_format format,
                                       const clasconv_input *in, char **out,
                                       size_t *out_len, int *assumed)
{
    const unsigned char *p = in->data;
    size_t i;
    int ascii = 1;

    *out = NULL;
    *assumed = 0;
    for (i = 0; i < in->size && ascii; i++) {
        ascii = p[i] < 0x80;
    }
    if (ascii ||
        (format != CLASCONV_FORMAT_SYLK && format != CLASCONV_FORMAT_DIF)) {
        return CLASCONV_OK;
    }
    if (format == CLASCONV_FORMAT_SYLK &&
        !clasconv_utf8_valid((const char *)p, in->size)) {
        *assumed = 1;
        return clasconv_text_convert("WINDOWS-1252", "UTF-8", 1, p, in->size,
                                     in->size * 3, out, out_len);
    }
    if (format == CLASCONV_FORMAT_DIF &&
        clasconv_utf8_valid((const char *)p, in->size)) {
        return clasconv_text_convert("UTF-8", "WINDOWS-1252", 1, p, in->size,
                                     in->size, out, out_len);
    }
    *assumed = format == CLASCONV_FORMAT_DIF;
    return CLASCONV_OK;
}

clasconv_error clasconv_read_converted(clasconv_format format,
                                       const clasconv_input *in,
                                       clasconv_grid *grid, clasconv_diag *diag)
{
    const soffice_kind *k = kind_of(format);
    char program[SOFFICE_PATH_MAX], dir[SOFFICE_DIR_MAX],
        path[SOFFICE_DIR_MAX + 32], why[256];
    const char *base = getenv("TMPDIR");
    unsigned wall = wall_seconds();
    unsigned char *data = NULL;
    size_t size = 0;
    clasconv_input out;
    clasconv_error err;
    run_result run;
    char *recoded = NULL;
    size_t recoded_len = 0;
    int assumed = 0;

    if (k == NULL) {
        clasconv_format_explain(format, in->path, diag);
        return CLASCONV_ERR_FORMAT;
    }
    if (!find_soffice(program, sizeof program)) {
        snprintf(why, sizeof why,
                 "LibreOffice n'est pas installé sur ce serveur (paquet "
                 "Debian %s)",
                 k->package);
        return refuse(diag, k, why);
    }
    if (base == NULL || base[0] != '/' || strlen(base) > 1024) {
        base = "/tmp";
    }
    snprintf(dir, sizeof dir, "%s/clasconv-lo-XXXXXX", base);
    if (mkdtemp(dir) == NULL) {
        clasconv_diag_set(diag,
                          "Impossible de créer le dossier temporaire de la "
                          "conversion par LibreOffice (%s) : %s",
                          dir, clasconv_errno_fr(errno));
        return CLASCONV_ERR_IO;
    }
    snprintf(path, sizeof path, "%s/entree.%s", dir, k->ext);
    err = text_for_soffice(format, in, &recoded, &recoded_len, &assumed);
    if (err == CLASCONV_OK) {
        err = clasconv_atomic_write_file(
            path, recoded != NULL ? (const unsigned char *)recoded : in->data,
            recoded != NULL ? recoded_len : in->size, 0, diag);
    } else {
        clasconv_diag_set(diag, err == CLASCONV_ERR_MEMORY
                                    ? "Mémoire insuffisante."
                                    : "Conversion de l'encodage du fichier "
                                      "impossible (iconv).");
    }
    free(recoded);
    snprintf(path, sizeof path, "%s/sortie", dir);
    if (err == CLASCONV_OK && mkdir(path, 0700) != 0) {
        clasconv_diag_set(diag,
                          "Impossible de préparer la conversion par "
                          "LibreOffice (%s) : %s",
                          path, clasconv_errno_fr(errno));
        err = CLASCONV_ERR_IO;
    }
    if (err != CLASCONV_OK) {
        clasconv_remove_tree(dir);
        return err;
    }
    run = run_soffice(program, dir, k, wall);
    snprintf(path, sizeof path, "%s/sortie/entree.%s", dir, k->target);
    if (run == RUN_TIMEOUT) {
        clasconv_remove_tree(dir);
        snprintf(why, sizeof why,
                 "LibreOffice ne l'a pas converti en %u secondes (fichier "
                 "trop lourd ou endommagé)",
                 wall);
        return refuse(diag, k, why);
    }
    if (access(path, F_OK) != 0) {
        clasconv_remove_tree(dir);
        return refuse(diag, k,
                      run == RUN_DONE
                          ? "LibreOffice n'a rien produit (fichier endommagé "
                            "ou qui n'est pas ce qu'il semble être)"
                          : "LibreOffice a échoué en le convertissant "
                            "(fichier endommagé, ou mémoire insuffisante)");
    }
    err = clasconv_load_file(path, &data, &size, diag);
    clasconv_remove_tree(dir);
    if (err != CLASCONV_OK) {
        return err;
    }
    out.path = in->path;
    out.data = data;
    out.size = size;
    err = strcmp(k->target, "docx") == 0 ? clasconv_read_docx(&out, grid, diag)
                                         : clasconv_read_xlsx(&out, grid, diag);
    free(data);
    if (err == CLASCONV_OK) {
        char message[512];
        snprintf(message, sizeof message,
                 "Ce fichier est %s : il a été converti par LibreOffice "
                 "avant d'être lu. Les références des cellules sont celles "
                 "du document converti ; en cas de doute, vérifiez les "
                 "effectifs sur l'original.",
                 k->what);
        err = clasconv_grid_add_note(grid, CLASCONV_A_FILE_CONVERTED, NULL,
                                     message);
    }
    if (err == CLASCONV_OK && assumed) {
        err = clasconv_grid_add_note(
            grid, CLASCONV_A_ENCODING_ASSUMED, NULL,
            format == CLASCONV_FORMAT_SYLK
                ? "Le fichier SYLK n'est pas en UTF-8 : il a été lu comme du "
                  "Windows-1252 (export d'Excel en français). Vérifiez les "
                  "accents des noms."
                : "Le fichier DIF n'est pas en UTF-8 : il a été lu comme du "
                  "Windows-1252 (export d'Excel en français). Vérifiez les "
                  "accents des noms.");
    }
    return err;
}
