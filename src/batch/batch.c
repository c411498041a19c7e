/* batch.c: runs a batch: checks the folders, walks INDIR, runs one worker
 * process per file (N at a time), collects their summaries, then writes the
 * synthesis and the report, all under temporary names first. */
#define _GNU_SOURCE /* syncfs */
#include "batch/batch_internal.h"
#include "batch/consolidate.h"
#include "core/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#define MAX_JOBS 256u

static volatile sig_atomic_t caught_signal;

static void on_signal(int sig)
{
    if (caught_signal == 0)
        caught_signal = sig;
}

static const int handled_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NSIGNALS (sizeof handled_signals / sizeof handled_signals[0])

typedef struct batch_state {
    const char *indir;
    const char *outdir;
    const clasconv_batch_options *options;
    int outdir_fd;
    char *staging;
    batch_walk walk;
    clasconv_batch_file *files; /* one per walk entry, walk order */
    int spill_fd;               /* unlinked file of the summaries; -1 if none */
    uint64_t spill_end;         /* its size */
    clasconv_batch_result *result;
    struct timespec start;
    size_t done;
    size_t failures;
    size_t to_check;
    struct sigaction saved[NSIGNALS];
    int signals_installed;
    sigset_t blocked, saved_mask;
} batch_state;

typedef struct slot {
    pid_t pid; /* 0 when free */
    int fd;    /* read end of the pipe; -1 after EOF */
    size_t entry;
    clasconv_buf buf;
    struct timespec start;
    int killed_wall;   /* killed by us: wall-clock limit */
    int killed_large;  /* killed by us: summary too large */
    int killed_memory; /* killed by us: resident memory over the limit */
} slot;

/* --- Small helpers ------------------------------------------------------- */

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) +
           (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static char *path_join(const char *dir, const char *name)
{
    size_t ld = strlen(dir), ln = strlen(name);
    char *s = malloc(ld + ln + 2);

    if (s == NULL)
        return NULL;
    memcpy(s, dir, ld);
    s[ld] = '/';
    memcpy(s + ld + 1, name, ln + 1);
    return s;
}

/* Removes a staging folder and the files in it. */
static void remove_staging(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (d != NULL) {
        while ((de = readdir(d)) != NULL) {
            char *p;
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            p = path_join(dir, de->d_name);
            if (p != NULL)
                unlink(p);
            free(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* Removes staging folders left by a run that was killed. */
static void remove_stale_staging(const char *outdir)
{
    DIR *d = opendir(outdir);
    struct dirent *de;

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        char *p;
        struct stat st;
        if (strncmp(de->d_name, BATCH_STAGING_PREFIX,
                    strlen(BATCH_STAGING_PREFIX)) != 0)
            continue;
        p = path_join(outdir, de->d_name);
        if (p != NULL && lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_staging(p);
        free(p);
    }
    closedir(d);
}

static void progress(batch_state *s, clasconv_batch_event_kind kind,
                     const clasconv_batch_file *file)
{
    clasconv_batch_event ev;

    if (s->options->progress == NULL)
        return;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.file = file;
    ev.done = s->done;
    ev.total = s->walk.count;
    ev.failures = s->failures;
    ev.to_check = s->to_check;
    ev.elapsed = seconds_since(&s->start);
    s->options->progress(&ev, s->options->progress_user);
}

/* Records that entry `i` is finished. */
static void file_done(batch_state *s, size_t i)
{
    clasconv_batch_file *f = &s->files[i];

    s->done++;
    if (f->status == CLASCONV_BATCH_UNREADABLE ||
        f->status == CLASCONV_BATCH_WRITE_FAILED)
        s->failures++;
    else if (f->status == CLASCONV_BATCH_TO_CHECK)
        s->to_check++;
    progress(s, CLASCONV_BATCH_EV_FILE, f);
}

/* --- Preparing ----------------------------------------------------------- */

static clasconv_error check_folders(batch_state *s, struct stat *out_st,
                                    clasconv_diag *diag)
{
    struct stat in_st;
    const char *why;
    char *tmpl;
    int err;

    if (stat(s->indir, &in_st) != 0) {
        err = errno;
        clasconv_diag_set(diag,
                          "Le dossier d'entrée « %s » est introuvable (%s). "
                          "Vérifiez le chemin.",
                          s->indir, clasconv_errno_fr(err));
        return CLASCONV_ERR_IO;
    }
    if (!S_ISDIR(in_st.st_mode)) {
        clasconv_diag_set(diag,
                          "« %s » n'est pas un dossier : indiquez le dossier "
                          "qui contient les fichiers des communes.",
                          s->indir);
        return CLASCONV_ERR_IO;
    }
    if (stat(s->outdir, out_st) != 0) {
        err = errno;
        if (err == ENOENT)
            clasconv_diag_set(diag,
                              "Le dossier de sortie « %s » n'existe pas : "
                              "créez-le (par exemple « mkdir -p %s ») ou "
                              "choisissez un autre dossier. Rien n'a été "
                              "écrit.",
                              s->outdir, s->outdir);
        else
            clasconv_diag_set(diag,
                              "Le dossier de sortie « %s » est inaccessible "
                              "(%s). Rien n'a été écrit.",
                              s->outdir, clasconv_errno_fr(err));
        return CLASCONV_ERR_WRITE;
    }
    if (!S_ISDIR(out_st->st_mode)) {
        clasconv_diag_set(diag,
                          "« %s » n'est pas un dossier : indiquez un dossier "
                          "de sortie. Rien n'a été écrit.",
                          s->outdir);
        return CLASCONV_ERR_WRITE;
    }
    if (in_st.st_dev == out_st->st_dev && in_st.st_ino == out_st->st_ino) {
        clasconv_diag_set(diag,
                          "Le dossier de sortie doit être différent du "
                          "dossier d'entrée (« %s ») : les classeurs produits "
                          "se mêleraient aux fichiers des communes.",
                          s->indir);
        return CLASCONV_ERR_USAGE;
    }
    s->outdir_fd = open(s->outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (s->outdir_fd < 0) {
        err = errno;
        clasconv_diag_set(diag,
                          "Le dossier de sortie « %s » ne peut pas être "
                          "ouvert (%s). Rien n'a été écrit.",
                          s->outdir, clasconv_errno_fr(err));
        return CLASCONV_ERR_WRITE;
    }
    /* A file system without locks (some network shares) runs unlocked. */
    if (flock(s->outdir_fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
        clasconv_diag_set(diag,
                          "Un autre « clasconv batch » écrit déjà dans "
                          "« %s » : attendez qu'il se termine, ou choisissez "
                          "un autre dossier de sortie.",
                          s->outdir);
        return CLASCONV_ERR_WRITE;
    }
    remove_stale_staging(s->outdir);
    tmpl = path_join(s->outdir, BATCH_STAGING_PREFIX "XXXXXX");
    if (tmpl == NULL) {
        clasconv_diag_set(diag, "Mémoire insuffisante.");
        return CLASCONV_ERR_MEMORY;
    }
    if (mkdtemp(tmpl) == NULL) {
        err = errno;
        free(tmpl);
        why = clasconv_errno_advice_fr(err);
        if (why != NULL)
            clasconv_diag_set(diag,
                              "Impossible d'écrire dans le dossier de sortie "
                              "« %s » : %s. %s. Rien n'a été écrit.",
                              s->outdir, clasconv_errno_fr(err), why);
        else
            clasconv_diag_set(diag,
                              "Impossible d'écrire dans le dossier de sortie "
                              "« %s » : %s. Rien n'a été écrit.",
                              s->outdir, clasconv_errno_fr(err));
        return CLASCONV_ERR_WRITE;
    }
    s->staging = tmpl;
    return CLASCONV_OK;
}

typedef struct file_id {
    dev_t dev;
    ino_t ino;
} file_id;

static int cmp_ids(const void *a, const void *b)
{
    const file_id *x = a, *y = b;

    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* An output that would replace an input (INDIR inside OUTDIR) is refused. */
static clasconv_error guard_outputs(batch_state *s)
{
    static const char reason[] =
        "Le classeur produit remplacerait un fichier d'entrée. "
        "Choisissez un dossier de sortie qui ne contient pas le dossier "
        "d'entrée.";
    batch_walk *w = &s->walk;
    file_id *ids = malloc((w->count + 1) * sizeof *ids);
    size_t i, n = 0;

    if (ids == NULL)
        return CLASCONV_ERR_MEMORY;
    for (i = 0; i < w->count; i++) {
        if (w->entries[i].status != CLASCONV_BATCH_OK)
            continue;
        ids[n].dev = w->entries[i].dev;
        ids[n++].ino = w->entries[i].ino;
    }
    qsort(ids, n, sizeof *ids, cmp_ids);
    for (i = 0; i < w->count; i++) {
        batch_entry *e = &w->entries[i];
        struct stat st;
        file_id key;
        char *p;

        if (e->output == NULL)
            continue;
        p = path_join(s->outdir, e->output);
        if (p == NULL) {
            free(ids);
            return CLASCONV_ERR_MEMORY;
        }
        if (stat(p, &st) == 0) {
            key.dev = st.st_dev;
            key.ino = st.st_ino;
            if (bsearch(&key, ids, n, sizeof *ids, cmp_ids) != NULL) {
                e->status = CLASCONV_BATCH_WRITE_FAILED;
                e->reason = reason;
            }
        }
        free(p);
    }
    free(ids);
    return CLASCONV_OK;
}

/* --- Signals ------------------------------------------------------------- */

static void install_signals(batch_state *s)
{
    struct sigaction sa;
    size_t i;

    caught_signal = 0;
    sigemptyset(&s->blocked);
    for (i = 0; i < NSIGNALS; i++)
        sigaddset(&s->blocked, handled_signals[i]);
    if (!s->options->handle_signals)
        return;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: poll() returns on a signal */
    for (i = 0; i < NSIGNALS; i++)
        sigaction(handled_signals[i], &sa, &s->saved[i]);
    s->signals_installed = 1;
}

static void restore_signals(batch_state *s)
{
    size_t i;

    if (!s->signals_installed)
        return;
    for (i = 0; i < NSIGNALS; i++)
        sigaction(handled_signals[i], &s->saved[i], NULL);
    s->signals_installed = 0;
}

/* --- Workers ------------------------------------------------------------- */

static int spawn(batch_state *s, slot *slots, unsigned nslots, slot *sl,
                 size_t entry)
{
    batch_job job;
    int fds[2];
    pid_t pid;
    unsigned k;

    if (pipe(fds) != 0)
        return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    memset(&job, 0, sizeof job);
    job.abs = s->walk.entries[entry].abs;
    job.rel = s->walk.entries[entry].rel;
    job.output_rel = s->walk.entries[entry].output;
    job.outdir = s->outdir;
    job.staging = s->staging;
    job.index = entry;
    job.parent = getpid();
    job.options = s->options;

    /* Signals stay blocked across fork so that a child never runs the
     * parent's handler; the child unblocks them with default actions. */
    sigprocmask(SIG_BLOCK, &s->blocked, &s->saved_mask);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        for (k = 0; k < nslots; k++)
            if (slots[k].pid != 0 && slots[k].fd >= 0)
                close(slots[k].fd);
        if (s->outdir_fd >= 0)
            close(s->outdir_fd);
        batch_worker_main(&job, fds[1]);
    }
    sigprocmask(SIG_SETMASK, &s->saved_mask, NULL);
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return -1;
    }
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    memset(sl, 0, sizeof *sl);
    sl->pid = pid;
    sl->fd = fds[0];
    sl->entry = entry;
    clock_gettime(CLOCK_MONOTONIC, &sl->start);
    return 0;
}

/* Resident memory of a process (bytes), 0 when unknown. */
static unsigned long long resident_bytes(pid_t pid)
{
    char path[64];
    unsigned long long size = 0, resident = 0;
    long page = sysconf(_SC_PAGESIZE);
    FILE *f;

    snprintf(path, sizeof path, "/proc/%ld/statm", (long)pid);
    f = fopen(path, "re");
    if (f == NULL)
        return 0;
    if (fscanf(f, "%llu %llu", &size, &resident) != 2)
        resident = 0;
    fclose(f);
    return page > 0 ? resident * (unsigned long long)page : 0;
}

static const char *signal_words(int sig)
{
    switch (sig) {
    case SIGSEGV:
        return "erreur de segmentation";
    case SIGBUS:
        return "erreur de bus";
    case SIGABRT:
        return "abandon";
    case SIGFPE:
        return "erreur de calcul";
    case SIGILL:
        return "instruction illégale";
    case SIGXCPU:
        return "temps de calcul dépassé";
    case SIGKILL:
        return "arrêt forcé";
    default:
        return "signal";
    }
}

/* Builds the entry of a worker that sent no usable summary. */
static void worker_failed(batch_state *s, slot *sl, int status)
{
    const clasconv_batch_options *o = s->options;
    clasconv_batch_file *f = &s->files[sl->entry];
    unsigned wall = o->wall_s ? o->wall_s : CLASCONV_BATCH_DEFAULT_WALL_S;
    unsigned cpu = o->cpu_s ? o->cpu_s : CLASCONV_BATCH_DEFAULT_CPU_S;
    unsigned mb =
        o->memory_mb ? o->memory_mb : CLASCONV_BATCH_DEFAULT_MEMORY_MB;
    char msg[1024];

    /* Which time limit fires first depends on the machine's load: one
     * message for both keeps the synthesis independent of timing. */
    if (sl->killed_wall || (WIFSIGNALED(status) &&
                            WTERMSIG(status) == SIGXCPU && !sl->killed_memory))
        snprintf(msg, sizeof msg,
                 "La conversion n'était pas finie dans le temps permis "
                 "(%u s de calcul, %u s au total) et a été arrêtée. Le "
                 "fichier est peut-être abîmé ou anormalement gros ; "
                 "vérifiez-le, ou relancez avec --delai pour allonger le "
                 "temps permis.",
                 cpu, wall);
    else if (sl->killed_memory)
        snprintf(msg, sizeof msg,
                 "La conversion a dépassé la limite de %u Mo de mémoire et "
                 "a été arrêtée. Vérifiez le fichier (une cellule remplie "
                 "très loin du tableau suffit), ou relancez avec --memoire "
                 "pour relever la limite.",
                 mb);
    else if (sl->killed_large)
        snprintf(msg, sizeof msg,
                 "Le résumé de ce fichier dépasse la taille "
                 "permise ; le fichier est anormalement gros.");
    else if (WIFSIGNALED(status) &&
             (WTERMSIG(status) == SIGXCPU || WTERMSIG(status) == SIGKILL))
        snprintf(msg, sizeof msg,
                 "La conversion a été arrêtée (%s) : elle a "
                 "dépassé la limite de %u s de calcul ou de %u Mo de "
                 "mémoire. Le fichier est peut-être abîmé ou anormalement "
                 "gros ; vérifiez-le.",
                 signal_words(WTERMSIG(status)), cpu, mb);
    else if (WIFSIGNALED(status))
        snprintf(msg, sizeof msg,
                 "La conversion de ce fichier s'est arrêtée "
                 "brutalement (signal %d, %s). Il est sans doute abîmé ; "
                 "ouvrez-le dans Excel ou LibreOffice, enregistrez-le à "
                 "nouveau (.xlsx) et recommencez, et signalez le problème "
                 "avec le fichier.",
                 WTERMSIG(status), signal_words(WTERMSIG(status)));
    else
        snprintf(msg, sizeof msg,
                 "Le processus de conversion s'est terminé "
                 "anormalement (code %d).",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    f->status = CLASCONV_BATCH_UNREADABLE;
    f->message = strdup(msg);
    f->errors = 1;
    batch_sha256_file(s->walk.entries[sl->entry].abs, f->sha256);
}

/* Moves a done file's schools and anomalies out of memory: its summary
 * goes to the spill file, read back by the synthesis. Keeps them in memory
 * when the spill file cannot be written. */
static void spill(batch_state *s, clasconv_batch_file *f, const slot *sl)
{
    size_t put = 0;

    if (f->table == NULL || sl->buf.len == 0)
        return;
    if (s->spill_fd < 0) {
        s->spill_fd = open(s->staging, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (s->spill_fd < 0)
            s->spill_fd = -2; /* do not try again */
    }
    if (s->spill_fd < 0)
        return;
    while (put < sl->buf.len) {
        ssize_t w = pwrite(s->spill_fd, sl->buf.data + put, sl->buf.len - put,
                           (off_t)(s->spill_end + put));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        put += (size_t)w;
    }
    f->spill_offset = s->spill_end;
    f->spill_size = sl->buf.len;
    s->spill_end += sl->buf.len;
    batch_table_strip(f->table);
}

/* Collects a finished worker. */
static void reap(batch_state *s, slot *sl)
{
    clasconv_batch_file decoded;
    clasconv_batch_file *f = &s->files[sl->entry];
    int status = 0;
    char *path = f->path;

    while (waitpid(sl->pid, &status, 0) < 0 && errno == EINTR)
        ;
    f->path = NULL;
    if (!sl->killed_wall && !sl->killed_large && !sl->killed_memory &&
        WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
        batch_wire_decode((const unsigned char *)sl->buf.data, sl->buf.len,
                          &decoded) == CLASCONV_OK) {
        *f = decoded;
    } else {
        worker_failed(s, sl, status);
    }
    f->path = path;
    sl->pid = 0;
    file_done(s, sl->entry);
    spill(s, f, sl);
    clasconv_buf_free(&sl->buf);
}

/* Reads what a worker sent; returns 1 at end of file. */
static int drain(slot *sl)
{
    char chunk[65536];

    for (;;) {
        ssize_t n = read(sl->fd, chunk, sizeof chunk);
        if (n > 0) {
            if (sl->buf.len + (size_t)n > BATCH_SUMMARY_MAX) {
                kill(sl->pid, SIGKILL);
                sl->killed_large = 1;
                return 1;
            }
            if (clasconv_buf_append(&sl->buf, chunk, (size_t)n) !=
                CLASCONV_OK) {
                kill(sl->pid, SIGKILL);
                sl->killed_large = 1;
                return 1;
            }
            continue;
        }
        if (n == 0)
            return 1;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        return 1;
    }
}

static void kill_all(slot *slots, unsigned nslots)
{
    unsigned k;
    int status;

    for (k = 0; k < nslots; k++) {
        if (slots[k].pid == 0)
            continue;
        kill(slots[k].pid, SIGKILL);
        while (waitpid(slots[k].pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (slots[k].fd >= 0)
            close(slots[k].fd);
        clasconv_buf_free(&slots[k].buf);
        slots[k].pid = 0;
    }
}

/* Runs every entry to convert; returns non-zero when a signal stopped it. */
static int run_workers(batch_state *s, unsigned jobs)
{
    const clasconv_batch_options *o = s->options;
    double wall = o->wall_s ? o->wall_s : CLASCONV_BATCH_DEFAULT_WALL_S;
    /* Second guard, also under sanitizers where RLIMIT_AS cannot be used:
     * resident memory, checked at every turn of the loop. */
    unsigned long long max_rss =
        (unsigned long long)(o->memory_mb ? o->memory_mb
                                          : CLASCONV_BATCH_DEFAULT_MEMORY_MB)
        << 20;
    slot *slots = calloc(jobs, sizeof *slots);
    struct pollfd *pfds = calloc(jobs, sizeof *pfds);
    size_t next = 0;
    unsigned k, running = 0;

    if (slots == NULL || pfds == NULL) {
        free(slots);
        free(pfds);
        return -1;
    }
    for (;;) {
        unsigned np = 0;
        int timeout = 200;

        if (caught_signal)
            break;
        /* Fill free slots. */
        for (k = 0; k < jobs && next < s->walk.count; k++) {
            if (slots[k].pid != 0)
                continue;
            while (next < s->walk.count &&
                   s->walk.entries[next].status != CLASCONV_BATCH_OK)
                next++;
            if (next >= s->walk.count)
                break;
            if (spawn(s, slots, jobs, &slots[k], next) != 0) {
                clasconv_batch_file *f = &s->files[next];
                if (running > 0)
                    break; /* out of processes: wait for a worker */
                f->status = CLASCONV_BATCH_UNREADABLE;
                f->message = strdup("Impossible de lancer un "
                                    "processus de conversion (ressources "
                                    "du système épuisées).");
                f->errors = 1;
                file_done(s, next);
            } else {
                running++;
            }
            next++;
        }
        if (running == 0 && next >= s->walk.count)
            break;
        for (k = 0; k < jobs; k++) {
            if (slots[k].pid == 0)
                continue;
            pfds[np].fd = slots[k].fd;
            pfds[np].events = POLLIN;
            pfds[np].revents = 0;
            np++;
        }
        if (np > 0 && poll(pfds, np, timeout) < 0 && errno != EINTR)
            break;
        for (k = 0; k < jobs; k++) {
            slot *sl = &slots[k];
            if (sl->pid == 0)
                continue;
            if (drain(sl)) {
                close(sl->fd);
                sl->fd = -1;
                reap(s, sl);
                running--;
                continue;
            }
            if (sl->killed_wall || sl->killed_memory)
                continue;
            if (seconds_since(&sl->start) > wall) {
                kill(sl->pid, SIGKILL);
                sl->killed_wall = 1;
            } else if (resident_bytes(sl->pid) > max_rss) {
                kill(sl->pid, SIGKILL);
                sl->killed_memory = 1;
            }
        }
    }
    if (caught_signal)
        kill_all(slots, jobs);
    free(slots);
    free(pfds);
    return caught_signal != 0;
}

/* --- Outputs ------------------------------------------------------------- */

static clasconv_error write_outputs(batch_state *s, clasconv_diag *diag)
{
    clasconv_batch_result *r = s->result;
    clasconv_buf csv = {0};
    char *tmp_csv = path_join(s->staging, BATCH_REPORT_NAME);
    char *tmp_xlsx = path_join(s->staging, BATCH_SYNTHESIS_NAME);
    char *final_csv = path_join(s->outdir, BATCH_REPORT_NAME);
    char *final_xlsx = path_join(s->outdir, BATCH_SYNTHESIS_NAME);
    clasconv_error rc = CLASCONV_ERR_MEMORY;
    int err;

    if (tmp_csv == NULL || tmp_xlsx == NULL || final_csv == NULL ||
        final_xlsx == NULL) {
        clasconv_diag_set(diag, "Mémoire insuffisante.");
        goto done;
    }
    /* Workers rename their workbooks without fsync: flush them all at once
     * before the synthesis that points to them. */
    if (syncfs(s->outdir_fd) != 0) {
        err = errno;
        clasconv_diag_set(diag,
                          "Impossible d'enregistrer les classeurs sur le "
                          "disque dans « %s » : %s.",
                          s->outdir, clasconv_errno_fr(err));
        rc = CLASCONV_ERR_WRITE;
        goto done;
    }
    rc =
        batch_write_synthesis(r->files, r->nfiles, s->spill_fd, tmp_xlsx, diag);
    if (rc != CLASCONV_OK)
        goto done;
    rc = clasconv_batch_render_csv(r->files, r->nfiles, &csv);
    if (rc != CLASCONV_OK) {
        clasconv_diag_set(diag, "Mémoire insuffisante pour le rapport.");
        goto done;
    }
    rc = clasconv_atomic_write_file(tmp_csv, csv.data, csv.len, 1, diag);
    if (rc != CLASCONV_OK)
        goto done;
    if (caught_signal) {
        rc = CLASCONV_ERR_IO;
        goto done;
    }
    /* Only regular files are replaced (core/atomic.h). */
    rc = clasconv_atomic_check_target(final_xlsx, diag);
    if (rc == CLASCONV_OK)
        rc = clasconv_atomic_check_target(final_csv, diag);
    if (rc != CLASCONV_OK)
        goto done;
    if (rename(tmp_xlsx, final_xlsx) != 0 || rename(tmp_csv, final_csv) != 0) {
        err = errno;
        clasconv_diag_set(diag,
                          "Impossible d'écrire la synthèse dans « %s » : %s.",
                          s->outdir, clasconv_errno_fr(err));
        rc = CLASCONV_ERR_WRITE;
        goto done;
    }
    fsync(s->outdir_fd);
    rc = CLASCONV_OK;
done:
    clasconv_buf_free(&csv);
    free(tmp_csv);
    free(tmp_xlsx);
    free(final_csv);
    free(final_xlsx);
    return rc;
}

/* --- The run ------------------------------------------------------------- */

static unsigned choose_jobs(const clasconv_batch_options *o, size_t work)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned jobs = o->jobs;

    if (jobs == 0)
        jobs = cores > 0 ? (unsigned)(cores > 64 ? 64 : cores) : 1;
    if (jobs > MAX_JOBS)
        jobs = MAX_JOBS;
    if (work > 0 && jobs > work)
        jobs = (unsigned)work;
    return jobs == 0 ? 1 : jobs;
}

static clasconv_error collect(batch_state *s)
{
    clasconv_batch_result *r = s->result;
    size_t i;

    r->files = s->files;
    r->nfiles = s->walk.count;
    s->files = NULL;
    for (i = 0; i < r->nfiles; i++)
        if ((int)r->files[i].status >= 0 &&
            r->files[i].status <= CLASCONV_BATCH_SKIPPED)
            r->count[r->files[i].status]++;
    clasconv_batch_sort(r->files, r->nfiles);
    return CLASCONV_OK;
}

clasconv_error clasconv_batch_run(const char *indir, const char *outdir,
                                  const clasconv_batch_options *options,
                                  clasconv_batch_result **result,
                                  clasconv_diag *diag)
{
    static const clasconv_batch_options defaults;
    batch_state s;
    struct stat out_st;
    clasconv_error rc;
    size_t i, work = 0;
    int stopped;

    *result = NULL;
    clasconv_diag_clear(diag);
    memset(&s, 0, sizeof s);
    s.indir = indir;
    s.outdir = outdir;
    s.options = options != NULL ? options : &defaults;
    s.outdir_fd = -1;
    s.spill_fd = -1;
    clock_gettime(CLOCK_MONOTONIC, &s.start);

    rc = check_folders(&s, &out_st, diag);
    if (rc == CLASCONV_OK)
        rc = batch_walk_dir(indir, s.options->recursive, out_st.st_dev,
                            out_st.st_ino, &s.walk, diag);
    if (rc == CLASCONV_OK) {
        rc = batch_plan_outputs(&s.walk);
        if (rc == CLASCONV_OK)
            rc = guard_outputs(&s);
        if (rc != CLASCONV_OK)
            clasconv_diag_set(diag, "Mémoire insuffisante pour préparer les "
                                    "noms des classeurs.");
    }
    if (rc == CLASCONV_OK) {
        s.files = calloc(s.walk.count + 1, sizeof *s.files);
        s.result = calloc(1, sizeof *s.result);
        if (s.files == NULL || s.result == NULL) {
            clasconv_diag_set(diag, "Mémoire insuffisante.");
            rc = CLASCONV_ERR_MEMORY;
        }
    }
    for (i = 0; rc == CLASCONV_OK && i < s.walk.count; i++) {
        s.files[i].path = strdup(s.walk.entries[i].rel);
        if (s.files[i].path == NULL) {
            clasconv_diag_set(diag, "Mémoire insuffisante.");
            rc = CLASCONV_ERR_MEMORY;
        }
        if (s.walk.entries[i].status == CLASCONV_BATCH_OK)
            work++;
    }
    if (rc != CLASCONV_OK) {
        if (s.files != NULL)
            for (i = 0; i < s.walk.count; i++)
                batch_file_clear(&s.files[i]);
        free(s.files);
        free(s.result);
        batch_walk_free(&s.walk);
        if (s.staging != NULL)
            remove_staging(s.staging);
        free(s.staging);
        if (s.outdir_fd >= 0)
            close(s.outdir_fd);
        return rc;
    }

    *result = s.result;
    s.result->jobs = choose_jobs(s.options, work);
    install_signals(&s);
    progress(&s, CLASCONV_BATCH_EV_START, NULL);
    /* Entries decided by the walk are done at once. */
    for (i = 0; i < s.walk.count; i++) {
        if (s.walk.entries[i].status == CLASCONV_BATCH_OK)
            continue;
        s.files[i].status = s.walk.entries[i].status;
        s.files[i].message = strdup(s.walk.entries[i].reason);
        if (s.files[i].status != CLASCONV_BATCH_SKIPPED)
            s.files[i].errors = 1;
        file_done(&s, i);
    }
    stopped = run_workers(&s, s.result->jobs);
    for (i = 0; i < s.walk.count; i++) {
        if (s.files[i].message == NULL)
            s.files[i].message = strdup("");
        s.files[i].mtime = s.walk.entries[i].mtime;
    }
    collect(&s);
    if (stopped == 0) {
        progress(&s, CLASCONV_BATCH_EV_WRITING, NULL);
        rc = write_outputs(&s, diag);
    } else if (stopped < 0) {
        clasconv_diag_set(diag, "Mémoire insuffisante.");
        rc = CLASCONV_ERR_MEMORY;
    }
    if (caught_signal) {
        s.result->interrupted = caught_signal;
        clasconv_diag_set(diag,
                          "Traitement interrompu (signal %d) : aucun fichier "
                          "partiel n'a été laissé. Relancez la même commande "
                          "pour terminer.",
                          (int)caught_signal);
        rc = CLASCONV_ERR_IO;
    }
    if (s.spill_fd >= 0)
        close(s.spill_fd);
    remove_staging(s.staging);
    free(s.staging);
    close(s.outdir_fd);
    batch_walk_free(&s.walk);
    s.result->elapsed = seconds_since(&s.start);
    if (rc == CLASCONV_OK)
        progress(&s, CLASCONV_BATCH_EV_END, NULL);
    restore_signals(&s);
    return rc;
}
