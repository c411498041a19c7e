/* serve_internal.h: the pieces of `clasconv serve` (private): worker
 * processes and their records, the store of results under random tokens,
 * the French pages, the jobs a worker does.
 */
#ifndef CLASCONV_SERVE_INTERNAL_H
#define CLASCONV_SERVE_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "clasconv/batch.h"
#include "clasconv/buf.h"
#include "clasconv/serve.h"

/* Largest output a worker may send back (bytes). */
#define SERVE_WORKER_OUTPUT_MAX ((size_t)512 << 20)
/* Largest total of results held for download (bytes). */
#define SERVE_STORE_MAX_BYTES ((size_t)1 << 30)
/* Most results held at once. */
#define SERVE_STORE_MAX_RESULTS 512u
/* A file name kept as a label: at most this many bytes. */
#define SERVE_LABEL_MAX 200u
/* Random token: 16 bytes, 32 hex digits. */
#define SERVE_TOKEN_LEN 32u

/* --- Named blobs (records a worker sends back) --------------------------- */

typedef struct serve_part {
    char *name;
    unsigned char *data;
    size_t len;
} serve_part;

typedef struct serve_parts {
    serve_part *items; /* capacity from count (clasconv_grow_count) */
    size_t count;
} serve_parts;

/** Appends a copy of `data` under `name`; -1 when out of memory. */
int serve_parts_add(serve_parts *parts, const char *name, const void *data,
                    size_t len);
/** The first part called `name`, or NULL. */
const serve_part *serve_parts_find(const serve_parts *parts, const char *name);
/** The bytes of part `name` as a string: NULL unless they end with their
 * only NUL. */
const char *serve_parts_string(const serve_parts *parts, const char *name);
void serve_parts_free(serve_parts *parts);

/* --- The server's shared state ------------------------------------------- */

typedef struct serve_store serve_store;

typedef struct serve_ctx {
    clasconv_serve_options o;      /* with defaults filled in */
    clasconv_batch_options limits; /* memory, CPU, wall time, test hook */
    size_t max_bytes;              /* o.max_mb in bytes */
    const char *tmpbase;           /* where per-request folders go */
    char *style;                   /* the style sheet of every page */
    char *csp;                     /* Content-Security-Policy value */
    serve_store *store;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    unsigned active;  /* workers running */
    unsigned waiting; /* requests waiting for one */
    pid_t *pids;      /* running workers (o.workers entries, 0 = free) */
    int stopping;
    /* The pool of reused workers (work.c): o.workers entries. */
    struct serve_pooled *pool;
    pthread_t main_thread; /* starts the pool's workers (SIGUSR1 wakes it) */
    pthread_cond_t pool_ready;
    int pool_failed; /* the last fork of a pool worker failed */
    /* The single-threaded process that forks the pool's workers (work.c):
     * its socket (-1: none, the main thread forks them) and pid. */
    int zygote;
    pid_t zygote_pid;
    pthread_mutex_t zygote_lock; /* one request on its socket at a time */
} serve_ctx;

/* --- Workers (work.c) ---------------------------------------------------- */

typedef enum serve_outcome {
    SERVE_WORKER_OK = 0,
    SERVE_WORKER_CRASHED,   /* killed by a signal or exited non-zero */
    SERVE_WORKER_TIMEOUT,   /* ran past its wall-clock limit: killed */
    SERVE_WORKER_OVERSIZE,  /* sent more than SERVE_WORKER_OUTPUT_MAX */
    SERVE_WORKER_MALFORMED, /* its records were cut or damaged */
    SERVE_WORKER_NO_PROCESS /* fork or pipe failed */
} serve_outcome;

/**
 * Waits for a worker slot (at most ctx->o.queue requests wait, each at most
 * the wall time). Returns 0 with a slot held, -1 when too busy (503).
 */
int serve_slot_acquire(serve_ctx *ctx);
void serve_slot_release(serve_ctx *ctx);

/** Kills the running workers (when the server stops). */
void serve_kill_workers(serve_ctx *ctx);

/* --- The pool of reused workers (work.c) ---------------------------------
 * The check of a file (alone or in a lot) runs in one of ctx->o.workers
 * long-lived processes instead of a process forked for it: each reads a
 * request (records, as its answers), does the job, answers, and waits for
 * the next. Every job still runs in a process of its own with the batch
 * limits, reset before each job; a worker that crashes, runs past the wall
 * time or sends too much is killed and replaced; one retires after
 * limits.worker_files jobs or when its memory has grown. */

/** One field of a request: a record's name and bytes (not copied). */
typedef struct serve_field {
    const char *name;
    const void *data;
    size_t len;
} serve_field;

/**
 * Starts the pool: allocates it, forks the process that forks its workers
 * (a fork from a threaded process copies the locks other threads hold at
 * that instant, an allocator's or the time zone's, and the child may wait
 * on one forever: that process has one thread) and its workers. Called by
 * the thread that will call serve_pool_tend(), before the server listens.
 * -1 when out of memory.
 */
int serve_pool_start(serve_ctx *ctx);
/** Replaces the pool's missing workers; called by the main thread when a
 * request thread wakes it with SIGUSR1. */
void serve_pool_tend(serve_ctx *ctx);
/** Kills and reaps the pool's workers and frees the pool. */
void serve_pool_stop(serve_ctx *ctx);

/**
 * Sends the request `fields` (its "job" field names what to do, its "dir"
 * field the private folder the job runs in, "label" the file for test
 * hooks) to a pool worker and collects its answer into `out`, within the
 * wall time. The caller holds a slot. Outcomes as serve_worker_run().
 */
serve_outcome serve_pool_run(serve_ctx *ctx, const serve_field *fields,
                             size_t count, serve_parts *out, int *signal_out);

/**
 * As serve_pool_run(), in a worker started for this request alone and
 * killed after it: the jobs other than a file's check (a lot's zip
 * archives and synthesis, the comparison, the template). The caller holds
 * a slot.
 */
serve_outcome serve_worker_run(serve_ctx *ctx, const serve_field *fields,
                               size_t count, serve_parts *out, int *signal_out);

/** In a pool worker (jobs.c): does the job the request `req` names and
 * writes its records to `fd`; exits the worker on a request it cannot do. */
void serve_pool_dispatch(const serve_ctx *ctx, const serve_parts *req, int fd);

/** In the worker: sends one record (exits the worker on a write error). */
void serve_send(int fd, const char *name, const void *data, size_t len);
/** In the worker: sends a file's bytes as a record; -1 when unreadable. */
int serve_send_file(int fd, const char *name, const char *path);

/** A private 0700 folder under ctx->tmpbase (caller frees); NULL on error. */
char *serve_tmpdir_make(const serve_ctx *ctx);
/** Removes a folder made by serve_tmpdir_make() and what it holds. */
void serve_tmpdir_remove(const char *dir);

/** 32 hex digits from getrandom(); -1 when the kernel gave none. */
int serve_token(char out[SERVE_TOKEN_LEN + 1]);

/* --- Results held for download (store.c) ---------------------------------- */

typedef struct serve_item {
    char *key;         /* "classeur", "modele", "json", "rapport-3", ... */
    char *filename;    /* offered to the browser (UTF-8) */
    const char *ctype; /* Content-Type */
    int page;          /* an HTML page shown inline */
    unsigned char *data;
    size_t len;
} serve_item;

serve_store *serve_store_new(unsigned keep_s);
void serve_store_free(serve_store *store);
/**
 * Holds `items` (moved: the store frees them) under `token` for the keep
 * time. Evicts the oldest results beyond the caps. -1 when out of memory
 * (the items are freed).
 */
int serve_store_put(serve_store *store, const char *token, serve_item *items,
                    size_t count);
/**
 * Copies the item `key` of result `token` (caller frees data and
 * filename). -1 when unknown or expired.
 */
int serve_store_get(serve_store *store, const char *token, const char *key,
                    serve_item *copy);
void serve_item_clear(serve_item *item);

/* --- Pages (pages.c) -------------------------------------------------------
 */

/** The style sheet of the server's own pages (added to the report's). */
extern const char serve_page_css[];

/** Opens a page: doctype, head with the style, navigation, <main>. */
void serve_page_begin(clasconv_buf *out, const serve_ctx *ctx,
                      const char *title, const char *current);
/** Closes a page opened by serve_page_begin(). */
void serve_page_end(clasconv_buf *out);
/** The navigation bar (trusted HTML) for `current` ("verifier", ...). */
void serve_page_nav(clasconv_buf *out, const char *current);
void serve_page_home(clasconv_buf *out, const serve_ctx *ctx);
void serve_page_check_form(clasconv_buf *out, const serve_ctx *ctx);
void serve_page_lot_form(clasconv_buf *out, const serve_ctx *ctx);
void serve_page_template_form(clasconv_buf *out, const serve_ctx *ctx);
void serve_page_compare_form(clasconv_buf *out, const serve_ctx *ctx);
/**
 * A complete French error page: `title` (trusted), `what` (escaped) and
 * `next` (trusted HTML: what to do next).
 */
void serve_page_error(clasconv_buf *out, const serve_ctx *ctx,
                      const char *title, const char *what, const char *next);
/** Appends escaped text. */
void serve_esc(clasconv_buf *out, const char *text);
/** Plural "s" for n. */
const char *serve_plural(size_t n);

/* --- Jobs (jobs.c) ---------------------------------------------------------
 */

/** One uploaded file: its name is only a label, never a path. */
typedef struct serve_upload {
    char *label;
    unsigned char *data;
    size_t len; /* the bytes allocated follow from it while it is received
                   (clasconv_grow_count) */
    int newer;  /* « Comparer »: 1 for the « nouveau » field, else 0 */
} serve_upload;

/**
 * The answer to one request: HTTP status, HTML page (or download) and the
 * results to hold under `token`.
 */
typedef struct serve_answer {
    unsigned status;
    clasconv_buf body;
    const char *ctype;               /* NULL = the HTML page type */
    char *filename;                  /* set for a download */
    char token[SERVE_TOKEN_LEN + 1]; /* where `items` are held */
    serve_item *items;               /* results to hold (moved to the store);
                                        capacity from nitems
                                        (clasconv_grow_count) */
    size_t nitems;
} serve_answer;

/** Adds a result item (data moved into the answer). -1 out of memory. */
int serve_answer_item(serve_answer *a, const char *key, const char *filename,
                      const char *ctype, int page, unsigned char *data,
                      size_t len);
void serve_answer_clear(serve_answer *a);

/* Each job takes one worker slot (the caller has checked the slot with
 * serve_slot_acquire() and releases it after). */

/** « Vérifier un fichier »: one upload. */
void serve_job_check(serve_ctx *ctx, const serve_upload *up, const char *dir,
                     serve_answer *a);
/** « Convertir un lot »: uploads (a .zip is opened in a worker). */
void serve_job_lot(serve_ctx *ctx, serve_upload *ups, size_t nups,
                   const char *dir, serve_answer *a);
/**
 * « Comparer avec l'an dernier »: `older` and `newer` compared in one
 * worker, as `compare ANCIEN NOUVEAU -o` does (report and workbook).
 */
void serve_job_compare(serve_ctx *ctx, const serve_upload *older,
                       const serve_upload *newer, const char *dir,
                       serve_answer *a);
/** « Modèle vierge »: the empty template for `commune` (may be ""). */
void serve_job_template(serve_ctx *ctx, const char *commune, const char *dir,
                        serve_answer *a);

/** The stem of a label ("Bron 2026.xls" -> "Bron 2026"), into `out`. */
void serve_label_stem(const char *label, char *out, size_t size);
/** A label fit to show and to name a download: base name only, no control
 * characters, valid UTF-8, at most SERVE_LABEL_MAX bytes (caller frees). */
char *serve_label_clean(const char *name);

#endif
