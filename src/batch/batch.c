/* batch.c: runs a batch: checks the folders, walks INDIR, forks a pool of N
 * worker processes that convert the files one after the other (a fresh
 * worker replaces one that dies or retires), collects their summaries, then
 * writes the synthesis and the report, all under temporary names first. */
#define _GNU_SOURCE /* syncfs */
#include "batch/batch_internal.h"
#include "batch/consolidate.h"
#include "core/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
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

/* One worker of the pool. */
typedef enum slot_state {
    SLOT_FREE,    /* no process */
    SLOT_IDLE,    /* waiting for a file */
    SLOT_BUSY,    /* converting `entry` */
    SLOT_RETIRING /* told to exit (or exiting): waiting for end of file */
} slot_state;

typedef struct slot {
    slot_state state;
    pid_t pid;
    int fd;     /* read end of the result pipe */
    int job_fd; /* write end of the job pipe; -1 once closed */
    size_t entry;
    clasconv_buf buf;
    struct timespec start;   /* when `entry` was sent */
    unsigned long long cpu0; /* worker's CPU ticks then */
    int killed_wall;         /* killed by us: wall-clock limit */
    int killed_large;        /* killed by us: summary too large */
    int killed_memory;       /* killed by us: resident memory over the limit */
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

/* Forks a pool worker into free slot `sl`. Workers are forked at the start
 * of the run, while the parent is small, and again only to replace one
 * that died or retired. */
static int spawn(batch_state *s, slot *slots, unsigned nslots, slot *sl)
{
    batch_pool_ctx ctx;
    int jobs[2], results[2];
    pid_t pid;
    unsigned k;

    if (pipe(jobs) != 0)
        return -1;
    if (pipe(results) != 0) {
        close(jobs[0]);
        close(jobs[1]);
        return -1;
    }
    fcntl(jobs[0], F_SETFD, FD_CLOEXEC);
    fcntl(jobs[1], F_SETFD, FD_CLOEXEC);
    fcntl(results[0], F_SETFD, FD_CLOEXEC);
    fcntl(results[1], F_SETFD, FD_CLOEXEC);
    memset(&ctx, 0, sizeof ctx);
    ctx.entries = s->walk.entries;
    ctx.count = s->walk.count;
    ctx.outdir = s->outdir;
    ctx.staging = s->staging;
    ctx.parent = getpid();
    ctx.options = s->options;

    /* Signals stay blocked across fork so that a child never runs the
     * parent's handler; the child unblocks them with default actions. */
    sigprocmask(SIG_BLOCK, &s->blocked, &s->saved_mask);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        close(jobs[1]);
        close(results[0]);
        /* A sibling's job pipe held open here would never reach EOF. */
        for (k = 0; k < nslots; k++) {
            if (slots[k].state == SLOT_FREE)
                continue;
            close(slots[k].fd);
            if (slots[k].job_fd >= 0)
                close(slots[k].job_fd);
        }
        if (s->outdir_fd >= 0)
            close(s->outdir_fd);
        batch_worker_loop(&ctx, jobs[0], results[1]);
    }
    sigprocmask(SIG_SETMASK, &s->saved_mask, NULL);
    close(jobs[0]);
    close(results[1]);
    if (pid < 0) {
        close(jobs[1]);
        close(results[0]);
        return -1;
    }
    fcntl(results[0], F_SETFL, O_NONBLOCK);
    memset(sl, 0, sizeof *sl);
    sl->state = SLOT_IDLE;
    sl->pid = pid;
    sl->fd = results[0];
    sl->job_fd = jobs[1];
    return 0;
}

/* CPU time (user + system) of a process in clock ticks, 0 when unknown. */
static unsigned long long cpu_ticks(pid_t pid)
{
    char path[64], line[1024];
    unsigned long long ut = 0, st = 0;
    const char *p;
    size_t n;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    f = fopen(path, "re");
    if (f == NULL)
        return 0;
    n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = '\0';
    /* After the command name in parentheses: fields 3.., utime is 14th. */
    p = strrchr(line, ')');
    if (p == NULL ||
        sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
               &ut, &st) != 2)
        return 0;
    return ut + st;
}

/* Sends entry `entry` to idle worker `sl`; returns 0 when sent. */
static int dispatch(slot *sl, size_t entry)
{
    unsigned char msg[8];
    uint64_t v = entry;
    size_t off = 0;
    int k;

    for (k = 0; k < 8; k++)
        msg[k] = (unsigned char)(v >> (8 * k) & 0xFF);
    sl->cpu0 = cpu_ticks(sl->pid);
    /* 8 bytes into an empty pipe: written at once, never blocks. */
    while (off < sizeof msg) {
        ssize_t n = write(sl->job_fd, msg + off, sizeof msg - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        off += (size_t)n;
    }
    sl->state = SLOT_BUSY;
    sl->entry = entry;
    sl->buf.len = 0;
    sl->killed_wall = sl->killed_large = sl->killed_memory = 0;
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
static void spill(batch_state *s, clasconv_batch_file *f, const char *data,
                  size_t len)
{
    size_t put = 0;

    if (f->table == NULL || len == 0)
        return;
    if (s->spill_fd < 0) {
        s->spill_fd = open(s->staging, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (s->spill_fd < 0)
            s->spill_fd = -2; /* do not try again */
    }
    if (s->spill_fd < 0)
        return;
    while (put < len) {
        ssize_t w = pwrite(s->spill_fd, data + put, len - put,
                           (off_t)(s->spill_end + put));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        put += (size_t)w;
    }
    f->spill_offset = s->spill_end;
    f->spill_size = len;
    s->spill_end += len;
    batch_table_strip(f->table);
}

static uint32_t get_le32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;

    return (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 |
           (uint32_t)u[3] << 24;
}

/* Closes the job pipe of a worker: it exits when it reads end of file. */
static void retire(slot *sl)
{
    if (sl->job_fd >= 0)
        close(sl->job_fd);
    sl->job_fd = -1;
    sl->state = SLOT_RETIRING;
}

/* Takes the summary of a busy worker that sent one whole frame. */
static void take_summary(batch_state *s, slot *sl, uint32_t flags)
{
    clasconv_batch_file decoded;
    clasconv_batch_file *f = &s->files[sl->entry];
    char *path = f->path;
    size_t len = sl->buf.len - BATCH_FRAME_HEADER;

    f->path = NULL;
    if (batch_wire_decode((const unsigned char *)sl->buf.data +
                              BATCH_FRAME_HEADER,
                          len, &decoded) == CLASCONV_OK) {
        *f = decoded;
    } else {
        /* As a worker that exited without a usable summary. */
        worker_failed(s, sl, 0);
        flags |= BATCH_FRAME_RETIRING;
    }
    f->path = path;
    file_done(s, sl->entry);
    spill(s, f, sl->buf.data + BATCH_FRAME_HEADER, len);
    sl->buf.len = 0;
    if (flags & BATCH_FRAME_RETIRING)
        retire(sl);
    else
        sl->state = SLOT_IDLE;
}

/* Collects a worker whose result pipe reached end of file (it exited or
 * was killed); its file, if it had one, failed. */
static void reap(batch_state *s, slot *sl)
{
    int status = 0;

    close(sl->fd);
    sl->fd = -1;
    if (sl->job_fd >= 0)
        close(sl->job_fd);
    sl->job_fd = -1;
    while (waitpid(sl->pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (sl->state == SLOT_BUSY) {
        clasconv_batch_file *f = &s->files[sl->entry];
        char *path = f->path;
        f->path = NULL;
        batch_file_clear(f);
        worker_failed(s, sl, status);
        f->path = path;
        file_done(s, sl->entry);
    }
    clasconv_buf_free(&sl->buf);
    sl->state = SLOT_FREE;
    sl->pid = 0;
}

/* Reads what a worker sent; returns 1 at end of file (or when the worker
 * was killed for sending too much), 0 otherwise. A whole frame from a busy
 * worker is taken at once. */
static int drain(batch_state *s, slot *sl)
{
    char chunk[65536];

    for (;;) {
        ssize_t n = read(sl->fd, chunk, sizeof chunk);
        if (n > 0) {
            if (sl->state != SLOT_BUSY || sl->killed_large) {
                /* Nothing is expected now: a broken worker. */
                kill(sl->pid, SIGKILL);
                if (sl->state == SLOT_BUSY)
                    sl->killed_large = 1;
                continue;
            }
            if (clasconv_buf_append(&sl->buf, chunk, (size_t)n) !=
                CLASCONV_OK) {
                kill(sl->pid, SIGKILL);
                sl->killed_large = 1;
                continue;
            }
            if (sl->buf.len >= BATCH_FRAME_HEADER) {
                uint32_t len = get_le32(sl->buf.data);
                size_t want = (size_t)len + BATCH_FRAME_HEADER;
                if (len > BATCH_SUMMARY_MAX || sl->buf.len > want) {
                    kill(sl->pid, SIGKILL);
                    sl->killed_large = 1;
                    continue;
                }
                if (sl->buf.len == want)
                    take_summary(s, sl, get_le32(sl->buf.data + 4));
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
        if (slots[k].state == SLOT_FREE)
            continue;
        kill(slots[k].pid, SIGKILL);
        while (waitpid(slots[k].pid, &status, 0) < 0 && errno == EINTR)
            ;
        close(slots[k].fd);
        if (slots[k].job_fd >= 0)
            close(slots[k].job_fd);
        clasconv_buf_free(&slots[k].buf);
        slots[k].state = SLOT_FREE;
        slots[k].pid = 0;
    }
}

/* Next entry to convert at or after `next`, or the walk's count. */
static size_t next_work(const batch_state *s, size_t next)
{
    while (next < s->walk.count &&
           s->walk.entries[next].status != CLASCONV_BATCH_OK)
        next++;
    return next;
}

/* Runs every entry to convert through the pool; returns non-zero when a
 * signal stopped it, -1 when out of memory. */
static int run_workers(batch_state *s, unsigned jobs)
{
    const clasconv_batch_options *o = s->options;
    double wall = o->wall_s ? o->wall_s : CLASCONV_BATCH_DEFAULT_WALL_S;
    unsigned cpu = o->cpu_s ? o->cpu_s : CLASCONV_BATCH_DEFAULT_CPU_S;
    long hz = sysconf(_SC_CLK_TCK);
    /* Second guard, also under sanitizers where RLIMIT_AS cannot be used:
     * resident memory, checked at every turn of the loop. */
    unsigned long long max_rss =
        (unsigned long long)(o->memory_mb ? o->memory_mb
                                          : CLASCONV_BATCH_DEFAULT_MEMORY_MB)
        << 20;
    slot *slots = calloc(jobs, sizeof *slots);
    struct pollfd *pfds = calloc(jobs, sizeof *pfds);
    size_t next = next_work(s, 0);
    unsigned k;

    if (slots == NULL || pfds == NULL) {
        free(slots);
        free(pfds);
        return -1;
    }
    if (hz <= 0)
        hz = 100;
    for (;;) {
        unsigned np = 0, live = 0, busy = 0;

        if (caught_signal)
            break;
        /* Give work to idle workers; fork workers into free slots. */
        for (k = 0; k < jobs && next < s->walk.count; k++) {
            slot *sl = &slots[k];
            if (sl->state == SLOT_FREE && spawn(s, slots, jobs, sl) != 0)
                continue;
            if (sl->state != SLOT_IDLE)
                continue;
            if (dispatch(sl, next) != 0) {
                kill(sl->pid, SIGKILL); /* reaped at its end of file */
                retire(sl);
                continue;
            }
            next = next_work(s, next + 1);
        }
        /* Once every file is sent, idle workers are told to exit. */
        for (k = 0; k < jobs; k++) {
            if (slots[k].state == SLOT_IDLE && next >= s->walk.count)
                retire(&slots[k]);
            if (slots[k].state != SLOT_FREE)
                live++;
            if (slots[k].state == SLOT_BUSY)
                busy++;
        }
        if (live == 0) {
            if (next >= s->walk.count)
                break;
            /* Not one worker could be forked: this file fails. */
            {
                clasconv_batch_file *f = &s->files[next];
                f->status = CLASCONV_BATCH_UNREADABLE;
                f->message = strdup("Impossible de lancer un "
                                    "processus de conversion (ressources "
                                    "du système épuisées).");
                f->errors = 1;
                file_done(s, next);
                next = next_work(s, next + 1);
            }
            continue;
        }
        for (k = 0; k < jobs; k++) {
            if (slots[k].state == SLOT_FREE)
                continue;
            pfds[np].fd = slots[k].fd;
            pfds[np].events = POLLIN;
            pfds[np].revents = 0;
            np++;
        }
        if (poll(pfds, np, busy > 0 ? 200 : 1000) < 0 && errno != EINTR)
            break;
        for (k = 0; k < jobs; k++) {
            slot *sl = &slots[k];
            double t;
            if (sl->state == SLOT_FREE)
                continue;
            if (drain(s, sl)) {
                reap(s, sl);
                continue;
            }
            if (sl->state != SLOT_BUSY || sl->killed_wall ||
                sl->killed_memory || sl->killed_large)
                continue;
            t = seconds_since(&sl->start);
            if (t > wall) {
                kill(sl->pid, SIGKILL);
                sl->killed_wall = 1;
            } else if (resident_bytes(sl->pid) > max_rss) {
                kill(sl->pid, SIGKILL);
                sl->killed_memory = 1;
            } else if (t > (double)cpu + 2 &&
                       cpu_ticks(sl->pid) - sl->cpu0 >
                           (unsigned long long)(cpu + 2) *
                               (unsigned long long)hz) {
                /* What the hard CPU limit did for a worker per file. */
                kill(sl->pid, SIGKILL);
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
