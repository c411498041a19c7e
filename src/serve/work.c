/* work.c: the worker processes of `clasconv serve`: slots, fork with the
 * batch limits, records sent back through a pipe, private temporary
 * folders and random tokens. */
#include "serve/serve_internal.h"

#include "batch/batch_internal.h"
#include "core/atomic.h"
#include "core/grow.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

/* --- Named blobs --- */

int serve_parts_add(serve_parts *parts, const char *name, const void *data,
                    size_t len)
{
    serve_part *p;

    if (clasconv_grow_count((void **)&parts->items, parts->count,
                            parts->count + 1, sizeof *parts->items,
                            SIZE_MAX) != CLASCONV_OK)
        return -1;
    p = &parts->items[parts->count];
    p->name = strdup(name);
    p->data = malloc(len ? len : 1);
    if (!p->name || !p->data) {
        free(p->name);
        free(p->data);
        return -1;
    }
    if (len)
        memcpy(p->data, data, len);
    p->len = len;
    parts->count++;
    return 0;
}

const serve_part *serve_parts_find(const serve_parts *parts, const char *name)
{
    size_t i;

    for (i = 0; i < parts->count; i++)
        if (!strcmp(parts->items[i].name, name))
            return &parts->items[i];
    return NULL;
}

void serve_parts_free(serve_parts *parts)
{
    size_t i;

    for (i = 0; i < parts->count; i++) {
        free(parts->items[i].name);
        free(parts->items[i].data);
    }
    free(parts->items);
    memset(parts, 0, sizeof *parts);
}

/* --- Slots --- */

int serve_slot_acquire(serve_ctx *ctx)
{
    struct timespec until;
    int rc = 0;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec +=
        (time_t)(ctx->limits.wall_s ? ctx->limits.wall_s
                                    : CLASCONV_BATCH_DEFAULT_WALL_S);
    pthread_mutex_lock(&ctx->lock);
    if (ctx->active >= ctx->o.workers) {
        if (ctx->waiting >= ctx->o.queue || ctx->stopping) {
            pthread_mutex_unlock(&ctx->lock);
            return -1;
        }
        ctx->waiting++;
        while (ctx->active >= ctx->o.workers && !ctx->stopping && rc == 0)
            rc = pthread_cond_timedwait(&ctx->freed, &ctx->lock, &until);
        ctx->waiting--;
        if (ctx->active >= ctx->o.workers || ctx->stopping) {
            pthread_mutex_unlock(&ctx->lock);
            return -1;
        }
    }
    ctx->active++;
    pthread_mutex_unlock(&ctx->lock);
    return 0;
}

void serve_slot_release(serve_ctx *ctx)
{
    pthread_mutex_lock(&ctx->lock);
    ctx->active--;
    pthread_cond_signal(&ctx->freed);
    pthread_mutex_unlock(&ctx->lock);
}

/* --- Records ----------------------------------------------------------------
 * A record: name (NUL-terminated), 8 bytes of length (little endian), the
 * bytes. A worker sends its records, then exits 0. */

static void write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            _exit(3);
        }
        p += n;
        len -= (size_t)n;
    }
}

void serve_send(int fd, const char *name, const void *data, size_t len)
{
    unsigned char size[8];
    uint64_t v = len;
    int i;

    for (i = 0; i < 8; i++)
        size[i] = (unsigned char)(v >> (8 * i));
    write_all(fd, name, strlen(name) + 1);
    write_all(fd, size, sizeof size);
    if (len)
        write_all(fd, data, len);
}

int serve_send_file(int fd, const char *name, const char *path)
{
    FILE *f = fopen(path, "rb");
    clasconv_buf buf = {0};
    char chunk[65536];
    size_t n;
    int rc = 0;

    if (!f)
        return -1;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (clasconv_buf_append(&buf, chunk, n) != CLASCONV_OK) {
            rc = -1;
            break;
        }
    if (ferror(f))
        rc = -1;
    fclose(f);
    if (rc == 0)
        serve_send(fd, name, buf.data ? buf.data : "", buf.len);
    clasconv_buf_free(&buf);
    return rc;
}

static int parse_records(const unsigned char *data, size_t len,
                         serve_parts *out)
{
    size_t pos = 0;

    while (pos < len) {
        const unsigned char *nul = memchr(data + pos, '\0', len - pos);
        uint64_t size = 0;
        size_t name_at = pos;
        int i;
        if (!nul || (size_t)(nul - data) + 9 > len)
            return -1;
        pos = (size_t)(nul - data) + 1;
        for (i = 0; i < 8; i++)
            size |= (uint64_t)data[pos + (size_t)i] << (8 * i);
        pos += 8;
        if (size > len - pos)
            return -1;
        if (serve_parts_add(out, (const char *)data + name_at, data + pos,
                            (size_t)size))
            return -1;
        pos += (size_t)size;
    }
    return 0;
}

/* --- Workers --- */

static double now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* In the child: only the pipe and the standard streams stay open. */
static void close_other_fds(int keep)
{
#if defined(__linux__) && defined(SYS_close_range)
    if (keep != 3) {
        if (dup2(keep, 3) < 0)
            _exit(6);
        keep = 3;
    }
    if (syscall(SYS_close_range, 4u, ~0u, 0u) == 0)
        return;
#endif
    {
        long max = sysconf(_SC_OPEN_MAX);
        int fd;
        for (fd = 3; fd < (max > 0 && max < 65536 ? (int)max : 65536); fd++)
            if (fd != keep)
                close(fd);
    }
}

static void child_main(serve_ctx *ctx, const char *label, const char *dir,
                       serve_job_fn fn, void *arg, int fd, pid_t parent)
{
    struct sigaction sa;
    sigset_t none;
    int devnull;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    if (getppid() != parent)
        _exit(5);
    close_other_fds(fd);
#if defined(__linux__) && defined(SYS_close_range)
    fd = 3;
#endif
    devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0 && devnull != 0) {
        dup2(devnull, 0);
        close(devnull);
    }
    if (setenv("TMPDIR", dir, 1) != 0 || chdir(dir) != 0)
        _exit(7);
    batch_worker_set_limits(&ctx->limits);
#ifdef CLASCONV_TEST_HOOKS
    /* Test builds only, as for batch: CLASCONV_SERVE_TEST_HOOK="ACTION:TEXT"
     * makes the worker of a file whose name contains TEXT misbehave. */
    batch_worker_test_hook(getenv("CLASCONV_SERVE_TEST_HOOK"), label);
#else
    (void)label;
#endif
    fn(arg, fd);
    close(fd);
    _exit(0);
}

/* Records (pid > 0) or forgets (-pid) a running worker, so that a stop can
 * kill it. Forgotten before it is reaped: its number is never reused
 * while it is listed. */
static void register_pid(serve_ctx *ctx, pid_t pid)
{
    unsigned i;

    pthread_mutex_lock(&ctx->lock);
    if (pid > 0 && ctx->stopping)
        kill(pid, SIGKILL); /* forked after the stop began */
    for (i = 0; ctx->pids && i < ctx->o.workers; i++) {
        if (pid > 0 && ctx->pids[i] == 0) {
            ctx->pids[i] = pid;
            break;
        }
        if (pid < 0 && ctx->pids[i] == -pid) {
            ctx->pids[i] = 0;
            break;
        }
    }
    pthread_mutex_unlock(&ctx->lock);
}

void serve_kill_workers(serve_ctx *ctx)
{
    unsigned i;

    pthread_mutex_lock(&ctx->lock);
    for (i = 0; ctx->pids && i < ctx->o.workers; i++)
        if (ctx->pids[i] > 0)
            kill(ctx->pids[i], SIGKILL);
    pthread_mutex_unlock(&ctx->lock);
}

serve_outcome serve_worker_run(serve_ctx *ctx, const char *label,
                               const char *dir, serve_job_fn fn, void *arg,
                               serve_parts *out, int *signal_out)
{
    unsigned wall =
        ctx->limits.wall_s ? ctx->limits.wall_s : CLASCONV_BATCH_DEFAULT_WALL_S;
    double deadline = now_s() + wall;
    clasconv_buf got = {0};
    serve_outcome outcome = SERVE_WORKER_OK;
    int fds[2], status = 0;
    pid_t pid, parent = getpid();

    *signal_out = 0;
    if (pipe(fds) != 0)
        return SERVE_WORKER_NO_PROCESS;
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return SERVE_WORKER_NO_PROCESS;
    }
    if (pid == 0) {
        close(fds[0]);
        child_main(ctx, label, dir, fn, arg, fds[1], parent);
    }
    close(fds[1]);
    register_pid(ctx, pid);
    for (;;) {
        char chunk[65536];
        struct pollfd p = {fds[0], POLLIN, 0};
        double left = deadline - now_s();
        ssize_t n;
        int r;
        if (left <= 0) {
            outcome = SERVE_WORKER_TIMEOUT;
            break;
        }
        r = poll(&p, 1, (int)(left * 1000) + 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            continue; /* the loop checks the deadline */
        n = read(fds[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (got.len + (size_t)n > SERVE_WORKER_OUTPUT_MAX ||
            clasconv_buf_append(&got, chunk, (size_t)n) != CLASCONV_OK) {
            outcome = SERVE_WORKER_OVERSIZE;
            break;
        }
    }
    close(fds[0]);
    register_pid(ctx, -pid);
    if (outcome != SERVE_WORKER_OK)
        kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (outcome == SERVE_WORKER_OK) {
        if (WIFSIGNALED(status)) {
            outcome = SERVE_WORKER_CRASHED;
            *signal_out = WTERMSIG(status);
        } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            outcome = SERVE_WORKER_CRASHED;
        } else if (parse_records((const unsigned char *)got.data, got.len,
                                 out) != 0) {
            outcome = SERVE_WORKER_MALFORMED;
        }
    }
    if (outcome != SERVE_WORKER_OK)
        serve_parts_free(out);
    clasconv_buf_free(&got);
    return outcome;
}

/* --- Temporary folders and tokens --- */

char *serve_tmpdir_make(const serve_ctx *ctx)
{
    size_t size = strlen(ctx->tmpbase) + sizeof "/clasconv-serve.XXXXXX";
    char *dir = malloc(size);

    if (!dir)
        return NULL;
    snprintf(dir, size, "%s/clasconv-serve.XXXXXX", ctx->tmpbase);
    if (!mkdtemp(dir)) { /* mkdtemp makes it 0700 */
        free(dir);
        return NULL;
    }
    return dir;
}

void serve_tmpdir_remove(const char *dir)
{
    if (!dir)
        return;
    clasconv_remove_tree(dir);
}

int serve_token(char out[SERVE_TOKEN_LEN + 1])
{
    unsigned char raw[SERVE_TOKEN_LEN / 2];
    size_t got = 0, i;

    while (got < sizeof raw) {
        ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        got += (size_t)n;
    }
    for (i = 0; i < sizeof raw; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return 0;
}
