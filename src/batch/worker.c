/* worker.c: what a batch worker process does: limits itself, then, for
 * each file the batch sends it, converts, writes the workbook under a
 * temporary name, renames it, and sends a compact summary to its parent. */
#include "batch/batch_internal.h"
#include "core/atomic.h"
#include "core/sha256.h"

#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "clasconv/clasconv.h"

#if defined(__SANITIZE_ADDRESS__)
#define BATCH_NO_AS_LIMIT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BATCH_NO_AS_LIMIT 1
#endif
#endif

/* --- SHA-256 ------------------------------------------------------------- */

void batch_sha256_hex(const unsigned char *data, size_t size, char out[65])
{
    clasconv_sha256_hex(data, size, out);
}

void batch_sha256_file(const char *path, char out[65])
{
    unsigned char chunk[65536];
    clasconv_sha256 ctx;
    struct stat st;
    ssize_t n;
    int fd, ok = 1;

    out[0] = '\0';
    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return;
    }
    clasconv_sha256_init(&ctx);
    while ((n = read(fd, chunk, sizeof chunk)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            ok = 0;
            break;
        }
        clasconv_sha256_update(&ctx, chunk, (size_t)n);
    }
    if (ok)
        clasconv_sha256_final_hex(&ctx, out);
    close(fd);
}

/* --- Limits and hooks ---------------------------------------------------- */

#ifndef BATCH_NO_AS_LIMIT
/* Current size of the address space (bytes), 0 when unknown. */
static unsigned long long vm_size(void)
{
    FILE *f = fopen("/proc/self/statm", "re");
    unsigned long long pages = 0;
    long page = sysconf(_SC_PAGESIZE);

    if (f == NULL)
        return 0;
    if (fscanf(f, "%llu", &pages) != 1)
        pages = 0;
    fclose(f);
    return page > 0 ? pages * (unsigned long long)page : 0;
}
#endif

#ifdef CLASCONV_TEST_HOOKS
/* Test builds only (cmake -DCLASCONV_TEST_HOOKS=ON): `hook` comes from the
 * environment variable CLASCONV_BATCH_TEST_HOOK (or, for `clasconv serve`,
 * CLASCONV_SERVE_TEST_HOOK) as "ACTION:TEXT" and makes a worker whose
 * input path contains TEXT do ACTION first: "crash" (SIGSEGV), "kill"
 * (SIGKILL), "hang" (endless loop), "sleep" (sleeps), "oom" (allocates
 * until refused, then crashes). Production builds have no such seam. */
void batch_worker_test_hook(const char *hook, const char *rel)
{
    const char *colon = hook != NULL ? strchr(hook, ':') : NULL;
    volatile unsigned long spin = 0;

    if (colon == NULL || colon[1] == '\0' || strstr(rel, colon + 1) == NULL)
        return;
    if (strncmp(hook, "crash:", 6) == 0) {
        raise(SIGSEGV);
    } else if (strncmp(hook, "kill:", 5) == 0) {
        raise(SIGKILL);
    } else if (strncmp(hook, "hang:", 5) == 0) {
        for (;;)
            spin++;
    } else if (strncmp(hook, "sleep:", 6) == 0) {
        for (;;)
            sleep(1);
    } else if (strncmp(hook, "oom:", 4) == 0) {
        for (;;) {
            char *p = malloc((size_t)16 << 20);
            if (p == NULL)
                raise(SIGSEGV); /* what a library that trusts malloc does */
            memset(p, 1, (size_t)16 << 20);
        }
    }
}
#endif

/* --- Doing the work ------------------------------------------------------ */

static void set_message(clasconv_batch_file *f, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void set_message(clasconv_batch_file *f, const char *fmt, ...)
{
    va_list ap;
    char *text;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    text = malloc((size_t)n + 1);
    if (text == NULL)
        return; /* the previous message (or none) stays */
    va_start(ap, fmt);
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    va_end(ap);
    free(f->message);
    f->message = text;
}

/* Creates the folders of `rel` (a path relative to outdir) under outdir. */
static int make_parents(const char *outdir, const char *rel)
{
    size_t lo = strlen(outdir), lr = strlen(rel), i;
    char *path = malloc(lo + lr + 2);

    if (path == NULL)
        return -1;
    memcpy(path, outdir, lo);
    path[lo] = '/';
    memcpy(path + lo + 1, rel, lr + 1);
    for (i = lo + 1; path[i] != '\0'; i++) {
        if (path[i] != '/')
            continue;
        path[i] = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            free(path);
            return -1;
        }
        path[i] = '/';
    }
    free(path);
    return 0;
}

void batch_file_error_hint(clasconv_batch_file *f)
{
    const clasconv_table *t = f->table;
    size_t i;

    for (i = 0; t != NULL && i < t->anomalies.count; i++) {
        const clasconv_anomaly *a = &t->anomalies.items[i];
        if (a->severity != CLASCONV_SEV_ERROR)
            continue;
        set_message(f, "%zu erreur%s à vérifier ; la première : %s%s%s%s",
                    f->errors, f->errors > 1 ? "s" : "",
                    a->message != NULL ? a->message : "",
                    a->cell != NULL ? " (" : "", a->cell != NULL ? a->cell : "",
                    a->cell != NULL ? ")" : "");
        return;
    }
}

static void skip_message(clasconv_batch_file *f, clasconv_format format)
{
    if (format == CLASCONV_FORMAT_CSV)
        set_message(f, "Fichier texte dont le nom ne finit pas par "
                       ".csv ou .txt. S'il contient le tableau, "
                       "renommez-le en .csv.");
    else
        set_message(f, "Ce n'est pas un tableur (contenu : %s).",
                    clasconv_format_name(format));
}

static void convert_one(const batch_job *job, clasconv_batch_file *f)
{
    const clasconv_batch_options *o = job->options;
    clasconv_batch_convert_fn convert =
        o->convert != NULL ? o->convert : clasconv_convert_memory;
    const char *name = strrchr(job->rel, '/');
    unsigned char *data = NULL;
    size_t size = 0;
    clasconv_diag diag;
    clasconv_format format;
    clasconv_error rc;
    char *tmp = NULL, *final = NULL;
    size_t len;

    name = name != NULL ? name + 1 : job->rel;
    clasconv_diag_clear(&diag);
    f->status = CLASCONV_BATCH_UNREADABLE;
    rc = clasconv_load_file(job->abs, &data, &size, &diag);
    if (rc != CLASCONV_OK) {
        set_message(f, "%s", diag.message);
        f->errors = 1;
        return;
    }
    format = clasconv_sniff(data, size);
    if (!batch_name_claims_sheet(name) &&
        (!clasconv_format_readable(format) || format == CLASCONV_FORMAT_CSV)) {
        batch_sha256_hex(data, size, f->sha256);
        f->status = CLASCONV_BATCH_SKIPPED;
        skip_message(f, format);
        free(data);
        return;
    }
    rc = convert(name, job->abs, data, size, &f->table, &diag);
    if (rc == CLASCONV_OK && f->table != NULL && o->annuaire != NULL)
        rc = clasconv_ref_match(f->table, o->annuaire, &f->table->anomalies);
    /* The pipeline already fingerprints the input: hash it again only
     * when it returned no table. */
    if (f->table != NULL && f->table->sha256[0] != '\0')
        memcpy(f->sha256, f->table->sha256, sizeof f->table->sha256);
    else
        batch_sha256_hex(data, size, f->sha256);
    free(data);
    if (f->table != NULL) {
        f->errors =
            clasconv_anomalies_count(&f->table->anomalies, CLASCONV_SEV_ERROR);
        f->warnings = clasconv_anomalies_count(&f->table->anomalies,
                                               CLASCONV_SEV_WARNING);
        f->infos =
            clasconv_anomalies_count(&f->table->anomalies, CLASCONV_SEV_INFO);
    }
    if (rc == CLASCONV_ERR_MEMORY) {
        unsigned mb =
            o->memory_mb ? o->memory_mb : CLASCONV_BATCH_DEFAULT_MEMORY_MB;
        set_message(f,
                    "La lecture de ce fichier demande plus de "
                    "mémoire que la limite de %u Mo par fichier. Vérifiez-le "
                    "(une cellule remplie très loin du tableau suffit), ou "
                    "relancez avec --memoire pour relever la limite.",
                    mb);
        if (f->errors == 0)
            f->errors = 1;
        return;
    }
    if (rc != CLASCONV_OK || f->table == NULL) {
        set_message(f, "%s",
                    diag.message[0] != '\0' ? diag.message
                                            : clasconv_strerror(rc));
        if (f->errors == 0)
            f->errors = 1;
        return;
    }

    /* The workbook goes to the staging folder, then to its final name. */
    len = strlen(job->staging) + 32;
    tmp = malloc(len);
    len = strlen(job->outdir) + strlen(job->output_rel) + 2;
    final = malloc(len);
    if (tmp == NULL || final == NULL) {
        free(tmp);
        free(final);
        f->status = CLASCONV_BATCH_WRITE_FAILED;
        set_message(f, "Mémoire insuffisante.");
        return;
    }
    snprintf(tmp, strlen(job->staging) + 32, "%s/w%zu.xlsx", job->staging,
             job->index);
    snprintf(final, len, "%s/%s", job->outdir, job->output_rel);
    clasconv_diag_clear(&diag);
    rc = clasconv_write_workbook(f->table, tmp, &diag);
    if (rc != CLASCONV_OK) {
        f->status = CLASCONV_BATCH_WRITE_FAILED;
        set_message(f, "%s", diag.message);
    } else if (clasconv_atomic_check_target(final, &diag) != CLASCONV_OK) {
        unlink(tmp);
        f->status = CLASCONV_BATCH_WRITE_FAILED;
        set_message(f, "%s", diag.message);
    } else if (make_parents(job->outdir, job->output_rel) != 0 ||
               rename(tmp, final) != 0) {
        int err = errno;
        unlink(tmp);
        f->status = CLASCONV_BATCH_WRITE_FAILED;
        set_message(f, "Impossible d'écrire « %s » : %s.", job->output_rel,
                    clasconv_errno_fr(err));
    } else {
        f->output = strdup(job->output_rel);
        f->status = f->errors > 0 ? CLASCONV_BATCH_TO_CHECK : CLASCONV_BATCH_OK;
        if (f->errors > 0)
            batch_file_error_hint(f);
    }
    free(tmp);
    free(final);
}

static void write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            _exit(3);
        }
        data += n;
        len -= (size_t)n;
    }
}

/* Reads exactly `len` bytes; returns 0 at a clean end of file before the
 * first byte, 1 when read, -1 otherwise. */
static int read_all(int fd, unsigned char *p, size_t len)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            return got == 0 ? 0 : -1;
        got += (size_t)n;
    }
    return 1;
}

/* Only soft limits move (an unprivileged process cannot raise a hard one);
 * the parent kills a file that runs past the CPU limit + 2 s, as the hard
 * limit did. */
void batch_worker_file_limits(const clasconv_batch_options *o)
{
    struct rlimit rl;
    struct rusage ru;
    unsigned cpu = o->cpu_s ? o->cpu_s : CLASCONV_BATCH_DEFAULT_CPU_S;
    rlim_t used = 0;

    /* Whole seconds used so far, rounded up: the allowance of this file is
     * between `cpu` and `cpu` + 1 seconds. */
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        used = (rlim_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
                        (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000000) +
               1;
    if (getrlimit(RLIMIT_CPU, &rl) == 0) {
        rl.rlim_cur = used + cpu;
        if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
            rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_CPU, &rl);
    }
#ifndef BATCH_NO_AS_LIMIT
    if (getrlimit(RLIMIT_AS, &rl) == 0) {
        unsigned mb =
            o->memory_mb ? o->memory_mb : CLASCONV_BATCH_DEFAULT_MEMORY_MB;
        rl.rlim_cur =
            (rlim_t)(vm_size() + (unsigned long long)mb * 1024 * 1024);
        if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
            rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_AS, &rl);
    }
#endif
}

unsigned long long batch_worker_size(void)
{
#ifndef BATCH_NO_AS_LIMIT
    return vm_size();
#else
    return 0;
#endif
}

int batch_worker_retiring(const clasconv_batch_options *o, unsigned done,
                          unsigned long long base)
{
    unsigned quota =
        o->worker_files ? o->worker_files : CLASCONV_BATCH_DEFAULT_WORKER_FILES;
    unsigned mb =
        o->memory_mb ? o->memory_mb : CLASCONV_BATCH_DEFAULT_MEMORY_MB;

    return done >= quota ||
           (base > 0 &&
            batch_worker_size() > base + ((unsigned long long)mb << 19));
}

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v & 0xFF);
    p[1] = (unsigned char)((v >> 8) & 0xFF);
    p[2] = (unsigned char)((v >> 16) & 0xFF);
    p[3] = (unsigned char)((v >> 24) & 0xFF);
}

void batch_worker_loop(const batch_pool_ctx *ctx, int job_fd, int result_fd)
{
    const clasconv_batch_options *o = ctx->options;
    unsigned long long base;
    unsigned done = 0;
    struct sigaction sa;
    struct rlimit rl;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGXCPU, &sa, NULL);
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    if (getppid() != ctx->parent)
        _exit(5); /* the parent is already gone */
    {
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
    }
    rl.rlim_cur = rl.rlim_max = 0;
    setrlimit(RLIMIT_CORE, &rl);   /* a crash must not leave a core file */
    clasconv_write_set_durable(0); /* the parent syncs OUTDIR once */
    base = batch_worker_size();

    for (;;) {
        unsigned char in[8], head[BATCH_FRAME_HEADER];
        const batch_entry *e;
        clasconv_batch_file file;
        clasconv_buf out = {0};
        batch_job job;
        uint64_t index = 0;
        uint32_t flags = 0;
        int k, got = read_all(job_fd, in, sizeof in);

        if (got == 0)
            _exit(0); /* the batch has no more work for this worker */
        if (got < 0)
            _exit(6);
        for (k = 7; k >= 0; k--)
            index = index << 8 | in[k];
        if (index >= ctx->count)
            _exit(6);
        e = &ctx->entries[index];
        memset(&job, 0, sizeof job);
        job.abs = e->abs;
        job.rel = e->rel;
        job.output_rel = e->output;
        job.outdir = ctx->outdir;
        job.staging = ctx->staging;
        job.index = (size_t)index;
        job.parent = ctx->parent;
        job.options = o;
        batch_worker_file_limits(o);
#ifdef CLASCONV_TEST_HOOKS
        batch_worker_test_hook(getenv("CLASCONV_BATCH_TEST_HOOK"), job.rel);
#endif
        memset(&file, 0, sizeof file);
        convert_one(&job, &file);
        if (file.message == NULL)
            file.message = strdup("");
        if (batch_wire_encode(&file, &out) != CLASCONV_OK) {
            /* Too big for the pipe or out of memory: send the counts only. */
            clasconv_buf_free(&out);
            clasconv_table_free(file.table);
            file.table = NULL;
            file.truncated = 1;
            if (batch_wire_encode(&file, &out) != CLASCONV_OK)
                _exit(4);
        }
        batch_file_clear(&file);
        malloc_trim(0); /* give the file's memory back before the next */
        if (batch_worker_retiring(o, ++done, base))
            flags |= BATCH_FRAME_RETIRING;
        /* The parent refuses a summary over BATCH_SUMMARY_MAX. */
        put_le32(head, out.len > UINT32_MAX ? UINT32_MAX : (uint32_t)out.len);
        put_le32(head + 4, flags);
        write_all(result_fd, (const char *)head, sizeof head);
        write_all(result_fd, out.data, out.len);
        clasconv_buf_free(&out);
        if (flags & BATCH_FRAME_RETIRING)
            _exit(0);
    }
}
