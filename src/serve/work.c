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
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
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
 * bytes. A forked worker sends its records, then exits 0; a pool worker
 * ends each answer with a record of empty name (see the pool below). */

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

/* A worker of the pool, as the server sees it. */
struct serve_pooled {
    pid_t pid; /* 0: none (to be started by the main thread) */
    int req;   /* the server's ends of its two pipes */
    int resp;
    int busy;      /* a request thread is using it */
    int by_zygote; /* forked by the zygote, which reaps it */
};

static double now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* In a child: only `fds` (moved to 3, 4, ...) and the standard streams
 * stay open. */
static void close_other_fds(int *fds, int count)
{
    int i, first = 3 + count;

    /* Above every target first, so that no move overwrites another. */
    for (i = 0; i < count; i++) {
        int high = fcntl(fds[i], F_DUPFD, 64);
        if (high < 0)
            _exit(6);
        fds[i] = high;
    }
    for (i = 0; i < count; i++) {
        if (dup2(fds[i], 3 + i) < 0)
            _exit(6);
        fds[i] = 3 + i;
    }
#if defined(__linux__) && defined(SYS_close_range)
    if (syscall(SYS_close_range, (unsigned)first, ~0u, 0u) == 0)
        return;
#endif
    {
        long max = sysconf(_SC_OPEN_MAX);
        int fd;
        for (fd = first; fd < (max > 0 && max < 65536 ? (int)max : 65536); fd++)
            close(fd);
    }
}

/* In a child: default signal actions, nothing blocked, killed with the
 * thread that forked it, standard input from /dev/null, the pipes `fds`
 * kept (as 3, 4, ...). */
static void child_setup(int *fds, int count, pid_t parent)
{
    struct sigaction sa;
    sigset_t none;
    int devnull;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    if (getppid() != parent)
        _exit(5);
    close_other_fds(fds, count);
    devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0 && devnull != 0) {
        dup2(devnull, 0);
        close(devnull);
    }
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
    /* A busy pool worker too: its request thread sees the end of its
     * answer, reaps it and returns. */
    for (i = 0; ctx->pool && i < ctx->o.workers; i++)
        if (ctx->pool[i].pid > 0 && ctx->pool[i].busy)
            kill(ctx->pool[i].pid, SIGKILL);
    pthread_mutex_unlock(&ctx->lock);
}

/* Walks the complete records of an answer from `*pos`: 1 with `*end` at
 * its closing record (which must be last), 0 when more bytes are needed,
 * -1 when damaged. */
static int answer_end(const unsigned char *data, size_t len, size_t *pos,
                      size_t *end)
{
    for (;;) {
        const unsigned char *nul = memchr(data + *pos, '\0', len - *pos);
        size_t at;
        uint64_t size = 0;
        int i;
        if (!nul)
            return 0;
        at = (size_t)(nul - data) + 1;
        if (len - at < 8)
            return 0;
        for (i = 7; i >= 0; i--)
            size = size << 8 | data[at + (size_t)i];
        at += 8;
        if (size > len - at)
            return 0;
        if (nul == data + *pos) {
            *end = *pos;
            return at + size == len && size <= 1 ? 1 : -1;
        }
        *pos = at + (size_t)size;
    }
}

/*
 * Reads a worker's answer from `fd` into `got` before `deadline`, up to its
 * closing record (its offset in `*end`). OK when it came whole; CRASHED at
 * the end of the pipe before the closing record; TIMEOUT, OVERSIZE,
 * MALFORMED.
 */
static serve_outcome read_answer(int fd, double deadline, clasconv_buf *got,
                                 size_t *end)
{
    size_t scanned = 0;

    for (;;) {
        char chunk[65536];
        struct pollfd p = {fd, POLLIN, 0};
        double left = deadline - now_s();
        ssize_t n;
        int r;
        if (left <= 0)
            return SERVE_WORKER_TIMEOUT;
        r = poll(&p, 1, (int)(left * 1000) + 1);
        if (r <= 0)
            continue; /* EINTR, or the loop checks the deadline */
        n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return SERVE_WORKER_CRASHED;
        if (got->len + (size_t)n > SERVE_WORKER_OUTPUT_MAX ||
            clasconv_buf_append(got, chunk, (size_t)n) != CLASCONV_OK)
            return SERVE_WORKER_OVERSIZE;
        r = answer_end((const unsigned char *)got->data, got->len, &scanned,
                       end);
        if (r != 0)
            return r > 0 ? SERVE_WORKER_OK : SERVE_WORKER_MALFORMED;
    }
}

/* --- The pool of reused workers ---------------------------------------------
 * A request: 8 bytes of length (little endian), then records. An answer:
 * records, then one of empty name whose bytes are "R" when the worker
 * retires after it (it then exits) and empty otherwise. Workers are forked
 * by the zygote below, the pool's at the main thread's request
 * (serve_pool_start, serve_pool_tend). Without the zygote the main thread
 * forks the pool's (the parent-death signal follows the thread that
 * forked, and a connection thread ends with its connection) and a request
 * thread its one-shot worker, which it waits for. */

/* Bytes a request may hold: an upload, or what workers answered (the
 * synthesis of a lot gets its files' results), and 1 MiB of fields. */
static uint64_t request_max(const serve_ctx *ctx)
{
    return (uint64_t)ctx->max_bytes + SERVE_WORKER_OUTPUT_MAX + (1u << 20);
}

/* Reads exactly `len` bytes: 1 when read, 0 at a clean end of file before
 * the first byte, -1 otherwise. */
static int read_full(int fd, unsigned char *p, size_t len)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            return got == 0 ? 0 : -1;
        got += (size_t)n;
    }
    return 1;
}

const char *serve_parts_string(const serve_parts *parts, const char *name)
{
    const serve_part *p = serve_parts_find(parts, name);

    if (!p || p->len == 0 || p->data[p->len - 1] != '\0' ||
        memchr(p->data, '\0', p->len - 1))
        return NULL;
    return (const char *)p->data;
}

static void pool_child(serve_ctx *ctx, int req_fd, int resp_fd, pid_t parent)
{
    unsigned long long base;
    unsigned done = 0;
    struct rlimit rl;
    int fds[2] = {req_fd, resp_fd};

    child_setup(fds, 2, parent);
    rl.rlim_cur = rl.rlim_max = 0;
    setrlimit(RLIMIT_CORE, &rl); /* a crash must not leave a core file */
    base = batch_worker_size();
    for (;;) {
        unsigned char head[8], *body;
        serve_parts req = {0};
        const char *dir, *label;
        uint64_t size = 0;
        int i, got = read_full(fds[0], head, sizeof head), retiring;

        if (got == 0)
            _exit(0); /* the server is gone or stopping */
        if (got < 0)
            _exit(6);
        for (i = 7; i >= 0; i--)
            size = size << 8 | head[i];
        if (size > request_max(ctx))
            _exit(6);
        body = malloc(size ? (size_t)size : 1);
        if (!body)
            _exit(4);
        if ((size && read_full(fds[0], body, (size_t)size) != 1) ||
            parse_records(body, (size_t)size, &req) != 0)
            _exit(6);
        free(body);
        dir = serve_parts_string(&req, "dir");
        label = serve_parts_string(&req, "label");
        if (!dir || setenv("TMPDIR", dir, 1) != 0 || chdir(dir) != 0)
            _exit(7);
        batch_worker_file_limits(&ctx->limits);
#ifdef CLASCONV_TEST_HOOKS
        batch_worker_test_hook(getenv("CLASCONV_SERVE_TEST_HOOK"),
                               label ? label : "");
#else
        (void)label;
#endif
        serve_pool_dispatch(ctx, &req, fds[1]);
        serve_parts_free(&req);
        if (chdir("/") != 0)
            _exit(7);
        malloc_trim(0); /* give the job's memory back before the next */
        retiring = batch_worker_retiring(&ctx->limits, ++done, base);
        serve_send(fds[1], "", "R", retiring ? 1 : 0);
        if (retiring)
            _exit(0);
    }
}

/* --- The zygote ------------------------------------------------------------
 * The pool's workers are forked by a process of one thread, itself forked
 * before the server starts its threads: a request thread may hold a lock
 * (the allocator's under ASan, the time zone's, stdio's) at the instant the
 * main thread forks, and the child would wait on it forever. The zygote
 * answers two requests on a socket: 'S' (fork a worker: its pid, and the
 * server's ends of its pipes passed as descriptors) and 'W' (reap worker
 * `pid`: its wait status). Were it gone, the main thread forks them. */

typedef struct zygote_msg {
    int op;     /* 'S' or 'W' */
    pid_t pid;  /* the worker; -1 on failure */
    int status; /* of 'W' */
} zygote_msg;

/* Creates the two pipes of a worker: `req` (server to worker) and `resp`
 * (worker to server), the server's ends close-on-exec. */
static int worker_pipes(int req[2], int resp[2])
{
    if (pipe(req) != 0)
        return -1;
    if (pipe(resp) != 0) {
        close(req[0]);
        close(req[1]);
        return -1;
    }
    fcntl(req[1], F_SETFD, FD_CLOEXEC);
    fcntl(resp[0], F_SETFD, FD_CLOEXEC);
    return 0;
}

/* Forks a pool worker on the pipes `req` and `resp`, closing the worker's
 * ends here; its pid, or -1 (the server's ends closed too). */
static pid_t worker_fork(serve_ctx *ctx, int req[2], int resp[2])
{
    pid_t pid, parent = getpid();

    pid = fork();
    if (pid == 0) {
        close(req[1]);
        close(resp[0]);
        pool_child(ctx, req[0], resp[1], parent);
    }
    close(req[0]);
    close(resp[1]);
    if (pid < 0) {
        close(req[1]);
        close(resp[0]);
    }
    return pid;
}

/* A message of the zygote: `m`, and room for two descriptors. */
typedef struct zygote_packet {
    struct msghdr mh;
    struct iovec iov;
    union {
        char buf[CMSG_SPACE(2 * sizeof(int))];
        size_t align; /* a cmsghdr's alignment */
    } u;
} zygote_packet;

static void zygote_packet_init(zygote_packet *p, zygote_msg *m)
{
    memset(p, 0, sizeof *p);
    p->iov.iov_base = m;
    p->iov.iov_len = sizeof *m;
    p->mh.msg_iov = &p->iov;
    p->mh.msg_iovlen = 1;
    p->mh.msg_control = p->u.buf;
    p->mh.msg_controllen = sizeof p->u.buf;
}

static void zygote_answer(int sock, zygote_msg *m, const int *fds)
{
    zygote_packet p;

    zygote_packet_init(&p, m);
    if (!fds) {
        p.mh.msg_control = NULL;
        p.mh.msg_controllen = 0;
    } else {
        struct cmsghdr *c = CMSG_FIRSTHDR(&p.mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(2 * sizeof(int));
        memcpy(CMSG_DATA(c), fds, 2 * sizeof(int));
    }
    while (sendmsg(sock, &p.mh, MSG_NOSIGNAL) < 0)
        if (errno != EINTR)
            _exit(6);
}

static void zygote_main(serve_ctx *ctx, int sock, pid_t server)
{
    child_setup(&sock, 1, server);
    for (;;) {
        zygote_msg m;
        ssize_t n = recv(sock, &m, sizeof m, 0);

        if (n == 0)
            _exit(0); /* the server stops */
        if (n < 0 && errno == EINTR)
            continue;
        if (n != (ssize_t)sizeof m)
            _exit(6);
        if (m.op == 'S') {
            int req[2], resp[2];
            m.pid =
                worker_pipes(req, resp) == 0 ? worker_fork(ctx, req, resp) : -1;
            if (m.pid > 0) {
                int fds[2] = {req[1], resp[0]};
                zygote_answer(sock, &m, fds);
                close(req[1]);
                close(resp[0]);
            } else {
                zygote_answer(sock, &m, NULL);
            }
        } else if (m.op == 'W') {
            m.status = 0;
            while ((n = waitpid(m.pid, &m.status, 0)) < 0 && errno == EINTR)
                ;
            if (n < 0)
                m.pid = -1;
            zygote_answer(sock, &m, NULL);
        } else {
            _exit(6);
        }
    }
}

/* Forks the zygote (before any other thread runs); without it (fork or
 * socket failed) the main thread forks the workers. */
static void zygote_start(serve_ctx *ctx)
{
    int sv[2];
    pid_t pid, server = getpid();
    struct timeval tv = {10, 0};

    ctx->zygote = -1;
    ctx->zygote_pid = 0;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return;
    pid = fork();
    if (pid == 0) {
        close(sv[0]);
        zygote_main(ctx, sv[1], server);
    }
    close(sv[1]);
    if (pid < 0) {
        close(sv[0]);
        return;
    }
    /* It answers at once; a zygote silent for 10 s is dropped. */
    setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ctx->zygote = sv[0];
    ctx->zygote_pid = pid;
}

/* Drops the zygote: closes its socket, kills and reaps it (its workers die
 * with it). zygote_lock held, or no other thread. */
static void zygote_drop(serve_ctx *ctx)
{
    if (ctx->zygote < 0)
        return;
    close(ctx->zygote);
    ctx->zygote = -1;
    kill(ctx->zygote_pid, SIGKILL);
    while (waitpid(ctx->zygote_pid, NULL, 0) < 0 && errno == EINTR)
        ;
    ctx->zygote_pid = 0;
}

/* Sends `m` to the zygote and reads its answer into `m` (and, for 'S', the
 * two descriptors into `fds`); -1 when the zygote is gone or broken. */
static int zygote_call(serve_ctx *ctx, zygote_msg *m, int *fds)
{
    zygote_packet p;
    struct cmsghdr *c;
    int op = m->op, rc = -1;
    ssize_t n;

    pthread_mutex_lock(&ctx->zygote_lock);
    if (ctx->zygote < 0)
        goto out;
    while ((n = send(ctx->zygote, m, sizeof *m, MSG_NOSIGNAL)) < 0 &&
           errno == EINTR)
        ;
    if (n != (ssize_t)sizeof *m)
        goto broken;
    zygote_packet_init(&p, m);
    while ((n = recvmsg(ctx->zygote, &p.mh, MSG_CMSG_CLOEXEC)) < 0 &&
           errno == EINTR)
        ;
    if (n != (ssize_t)sizeof *m || m->op != op)
        goto broken;
    c = CMSG_FIRSTHDR(&p.mh);
    if (op == 'S' && m->pid > 0) {
        if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
            c->cmsg_len != CMSG_LEN(2 * sizeof(int)))
            goto broken;
        memcpy(fds, CMSG_DATA(c), 2 * sizeof(int));
    }
    rc = 0;
    goto out;
broken:
    zygote_drop(ctx);
out:
    pthread_mutex_unlock(&ctx->zygote_lock);
    return rc;
}

/* Reaps the worker `w` (killed or exiting), its wait status into
 * `*status`. */
static void worker_reap(serve_ctx *ctx, const struct serve_pooled *w,
                        int *status)
{
    *status = 0;
    if (w->by_zygote) {
        zygote_msg m = {'W', w->pid, 0};
        if (zygote_call(ctx, &m, NULL) == 0 && m.pid == w->pid)
            *status = m.status;
        /* else the zygote is gone, and its workers with it */
        return;
    }
    while (waitpid(w->pid, status, 0) < 0 && errno == EINTR)
        ;
}

/* Starts the worker of `w`: forked by the zygote, or here without it; -1
 * on failure. */
static int pool_spawn(serve_ctx *ctx, struct serve_pooled *w)
{
    int req[2], resp[2], fds[2];
    zygote_msg m = {'S', 0, 0};
    pid_t pid;

    if (zygote_call(ctx, &m, fds) == 0) {
        if (m.pid <= 0)
            return -1;
        pid = m.pid;
        w->by_zygote = 1;
    } else {
        if (worker_pipes(req, resp) != 0)
            return -1;
        pid = worker_fork(ctx, req, resp);
        if (pid < 0)
            return -1;
        fds[0] = req[1];
        fds[1] = resp[0];
        w->by_zygote = 0;
    }
    /* The server never blocks writing a request past the wall time. */
    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    w->pid = pid;
    w->req = fds[0];
    w->resp = fds[1];
    w->busy = 0;
    return 0;
}

int serve_pool_start(serve_ctx *ctx)
{
    ctx->pool = calloc(ctx->o.workers, sizeof *ctx->pool);
    if (!ctx->pool)
        return -1;
    pthread_cond_init(&ctx->pool_ready, NULL);
    pthread_mutex_init(&ctx->zygote_lock, NULL);
    zygote_start(ctx);
    serve_pool_tend(ctx);
    return 0;
}

void serve_pool_tend(serve_ctx *ctx)
{
    unsigned i;
    int failed = 0;

    pthread_mutex_lock(&ctx->lock);
    for (i = 0; i < ctx->o.workers && !ctx->stopping; i++)
        if (ctx->pool[i].pid == 0 && !ctx->pool[i].busy &&
            pool_spawn(ctx, &ctx->pool[i]) != 0)
            failed = 1;
    ctx->pool_failed = failed;
    pthread_cond_broadcast(&ctx->pool_ready);
    pthread_mutex_unlock(&ctx->lock);
}

void serve_pool_stop(serve_ctx *ctx)
{
    unsigned i;

    if (!ctx->pool)
        return;
    for (i = 0; i < ctx->o.workers; i++) {
        struct serve_pooled *w = &ctx->pool[i];
        int status;
        if (w->pid <= 0)
            continue;
        close(w->req); /* an idle worker exits at the end of its requests */
        kill(w->pid, SIGKILL);
        worker_reap(ctx, w, &status);
        close(w->resp);
        w->pid = 0;
    }
    zygote_drop(ctx);
    pthread_mutex_destroy(&ctx->zygote_lock);
    pthread_cond_destroy(&ctx->pool_ready);
    free(ctx->pool);
    ctx->pool = NULL;
}

/* Asks the main thread for the missing workers (ctx->lock held). */
static void pool_ask(serve_ctx *ctx)
{
    if (!ctx->stopping)
        pthread_kill(ctx->main_thread, SIGUSR1);
}

/* Takes an idle worker, waiting for the main thread to fork one if none
 * is; NULL when stopping, when it cannot fork, or past `deadline`. */
static struct serve_pooled *pool_take(serve_ctx *ctx, double deadline)
{
    struct serve_pooled *w = NULL;
    int asked = 0;

    pthread_mutex_lock(&ctx->lock);
    for (;;) {
        unsigned i;
        int missing = 0;
        struct timespec until;
        double left = deadline - now_s();
        for (i = 0; i < ctx->o.workers && !w; i++) {
            if (ctx->pool[i].busy)
                continue;
            if (ctx->pool[i].pid > 0)
                w = &ctx->pool[i];
            else
                missing = 1;
        }
        if (w || ctx->stopping || left <= 0 || (asked && ctx->pool_failed))
            break;
        if (missing && !asked) {
            ctx->pool_failed = 0;
            pool_ask(ctx);
            asked = 1;
        }
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += (time_t)left;
        until.tv_nsec += (long)((left - (double)(time_t)left) * 1e9);
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&ctx->pool_ready, &ctx->lock, &until);
    }
    if (w && ctx->stopping)
        w = NULL;
    if (w)
        w->busy = 1;
    pthread_mutex_unlock(&ctx->lock);
    return w;
}

/* Writes all of `data` to the non-blocking `fd` before `deadline`: 0, or
 * the error (ETIMEDOUT past the deadline, EPIPE when the worker is gone). */
static int send_before(int fd, const void *data, size_t len, double deadline)
{
    const unsigned char *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = {fd, POLLOUT, 0};
            double left = deadline - now_s();
            if (left <= 0)
                return ETIMEDOUT;
            if (poll(&pfd, 1, (int)(left * 1000) + 1) < 0 && errno != EINTR)
                return errno;
            continue;
        }
        return n < 0 ? errno : EIO;
    }
    return 0;
}

static void put_le64(unsigned char out[8], uint64_t v)
{
    int i;

    for (i = 0; i < 8; i++)
        out[i] = (unsigned char)(v >> (8 * i));
}

/* Sends a request: 0, or the error as send_before() (EMSGSIZE past
 * request_max()). */
static int send_request(const serve_ctx *ctx, int fd, const serve_field *fields,
                        size_t count, double deadline)
{
    unsigned char head[8];
    uint64_t total = 0;
    size_t i;
    int rc;

    for (i = 0; i < count; i++)
        total += strlen(fields[i].name) + 1 + 8 + fields[i].len;
    if (total > request_max(ctx))
        return EMSGSIZE;
    put_le64(head, total);
    if ((rc = send_before(fd, head, sizeof head, deadline)) != 0)
        return rc;
    for (i = 0; i < count; i++) {
        put_le64(head, fields[i].len);
        if ((rc = send_before(fd, fields[i].name, strlen(fields[i].name) + 1,
                              deadline)) != 0 ||
            (rc = send_before(fd, head, sizeof head, deadline)) != 0 ||
            (fields[i].len && (rc = send_before(fd, fields[i].data,
                                                fields[i].len, deadline)) != 0))
            return rc;
    }
    return 0;
}

static serve_outcome send_failure(int rc)
{
    return rc == ETIMEDOUT  ? SERVE_WORKER_TIMEOUT
           : rc == EMSGSIZE ? SERVE_WORKER_OVERSIZE
                            : SERVE_WORKER_CRASHED;
}

/* Non-zero once the zygote has been dropped: the workers it forked died
 * with it. */
static int zygote_gone(serve_ctx *ctx)
{
    int gone;

    pthread_mutex_lock(&ctx->zygote_lock);
    gone = ctx->zygote < 0;
    pthread_mutex_unlock(&ctx->zygote_lock);
    return gone;
}

/* Once the zygote is gone, its idle workers are too (they die with it):
 * forgets them, so that all are replaced now (ctx->lock held; init reaps
 * them). */
static void pool_orphans_drop(serve_ctx *ctx)
{
    unsigned i;

    if (!zygote_gone(ctx))
        return;
    for (i = 0; i < ctx->o.workers; i++) {
        struct serve_pooled *o = &ctx->pool[i];
        /* Not signalled: init may have reaped it, and its number be
         * another process's now. */
        if (o->pid > 0 && !o->busy && o->by_zygote) {
            close(o->req);
            close(o->resp);
            o->pid = 0;
        }
    }
}

/* Kills the worker `w` unless it retires by itself, reaps it, closes its
 * pipes and asks the main thread for its replacement; its wait status. */
static int pool_drop(serve_ctx *ctx, struct serve_pooled *w, int retiring)
{
    int status;

    if (!retiring && !(w->by_zygote && zygote_gone(ctx)))
        kill(w->pid, SIGKILL);
    worker_reap(ctx, w, &status);
    close(w->req);
    close(w->resp);
    pthread_mutex_lock(&ctx->lock);
    w->pid = 0;
    w->busy = 0;
    pool_orphans_drop(ctx);
    pool_ask(ctx);
    pthread_mutex_unlock(&ctx->lock);
    return status;
}

/* When a request sent now must be answered. */
static double request_deadline(const serve_ctx *ctx)
{
    return now_s() + (ctx->limits.wall_s ? ctx->limits.wall_s
                                         : CLASCONV_BATCH_DEFAULT_WALL_S);
}

/* Reads a worker's answer from `fd` into `out`; `*retiring` set when the
 * worker exits after it. */
static serve_outcome collect(int fd, double deadline, serve_parts *out,
                             int *retiring)
{
    clasconv_buf got = {0};
    serve_outcome outcome;
    size_t end = 0;

    *retiring = 0;
    outcome = read_answer(fd, deadline, &got, &end);
    if (outcome == SERVE_WORKER_OK) {
        *retiring = got.len > end + 9 && got.data[end + 9] == 'R';
        if (parse_records((const unsigned char *)got.data, end, out) != 0)
            outcome = SERVE_WORKER_MALFORMED;
    }
    clasconv_buf_free(&got);
    return outcome;
}

serve_outcome serve_pool_run(serve_ctx *ctx, const serve_field *fields,
                             size_t count, serve_parts *out, int *signal_out)
{
    double deadline = request_deadline(ctx);
    serve_outcome outcome;
    struct serve_pooled *w;
    unsigned tries;
    int retiring, status, rc;

    *signal_out = 0;
    /* A worker found dead before it read the request (its pipe closed:
     * killed from outside, or with the zygote) is replaced, and the request
     * goes to another: the file is not blamed for it. */
    for (tries = 0;; tries++) {
        w = pool_take(ctx, deadline);
        if (!w)
            return SERVE_WORKER_NO_PROCESS;
        rc = send_request(ctx, w->req, fields, count, deadline);
        if (rc == 0)
            break;
        pool_drop(ctx, w, 0);
        if (rc != EPIPE || tries >= ctx->o.workers)
            return send_failure(rc);
    }
    outcome = collect(w->resp, deadline, out, &retiring);
    if (outcome == SERVE_WORKER_OK && !retiring) {
        pthread_mutex_lock(&ctx->lock);
        w->busy = 0;
        pthread_cond_broadcast(&ctx->pool_ready);
        pthread_mutex_unlock(&ctx->lock);
        return outcome;
    }
    /* Killed (a retiring worker exits by itself), reaped, replaced by the
     * main thread. */
    status = pool_drop(ctx, w, outcome == SERVE_WORKER_OK);
    if (outcome == SERVE_WORKER_CRASHED && WIFSIGNALED(status))
        *signal_out = WTERMSIG(status);
    if (outcome != SERVE_WORKER_OK)
        serve_parts_free(out);
    return outcome;
}

serve_outcome serve_worker_run(serve_ctx *ctx, const serve_field *fields,
                               size_t count, serve_parts *out, int *signal_out)
{
    double deadline = request_deadline(ctx);
    serve_outcome outcome;
    struct serve_pooled w;
    int status = 0, retiring, rc;

    *signal_out = 0;
    memset(&w, 0, sizeof w);
    if (pool_spawn(ctx, &w) != 0)
        return SERVE_WORKER_NO_PROCESS;
    register_pid(ctx, w.pid);
    rc = send_request(ctx, w.req, fields, count, deadline);
    outcome =
        rc == 0 ? collect(w.resp, deadline, out, &retiring) : send_failure(rc);
    /* Used once: killed whatever it answered, forgotten, then reaped. */
    close(w.req);
    close(w.resp);
    if (!(w.by_zygote && zygote_gone(ctx)))
        kill(w.pid, SIGKILL);
    register_pid(ctx, -w.pid);
    worker_reap(ctx, &w, &status);
    if (outcome == SERVE_WORKER_CRASHED && WIFSIGNALED(status))
        *signal_out = WTERMSIG(status);
    if (outcome != SERVE_WORKER_OK)
        serve_parts_free(out);
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
