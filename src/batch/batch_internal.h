/* batch_internal.h: the pieces of a batch shared by its files (private):
 * folder walk and output names, worker processes, the summary a worker
 * sends back through its pipe.
 */
#ifndef CLASCONV_BATCH_INTERNAL_H
#define CLASCONV_BATCH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "clasconv/batch.h"
#include "clasconv/buf.h"
#include "clasconv/error.h"

/* Largest summary a worker may send (bytes). */
#define BATCH_SUMMARY_MAX ((size_t)64 << 20)
/* Prefix of the private staging folder inside OUTDIR. */
#define BATCH_STAGING_PREFIX ".clasconv-batch."
#define BATCH_SYNTHESIS_NAME "synthese.xlsx"
#define BATCH_REPORT_NAME "rapport.csv"

/* --- Walk (walk.c) ------------------------------------------------------- */

/** One entry found in INDIR. */
typedef struct batch_entry {
    char *rel;    /* path relative to INDIR, '/'-separated */
    char *abs;    /* path to open */
    char *output; /* planned output, relative to OUTDIR; NULL if none */
    clasconv_batch_status status; /* SKIPPED/UNREADABLE if decided by the
                                     walk, else OK (to convert) */
    const char *reason; /* static French message when decided by the walk */
    dev_t dev;
    ino_t ino;
    int64_t mtime; /* st_mtime of the input, 0 if unknown */
} batch_entry;

typedef struct batch_walk {
    batch_entry *entries;
    size_t count;
    size_t cap;
} batch_walk;

/**
 * Lists INDIR (sorted by name; into subfolders when `recursive`), leaving
 * out the folder (dev, ino) of OUTDIR, and plans every output name. Fails
 * with IO (INDIR unreadable: message in diag), MEMORY or TOO_LARGE.
 */
clasconv_error batch_walk_dir(const char *indir, int recursive, dev_t out_dev,
                              ino_t out_ino, batch_walk *walk,
                              clasconv_diag *diag);
void batch_walk_free(batch_walk *walk);

/**
 * Plans output names: "<stem>.xlsx" in the mirrored subfolder; when two
 * inputs of a folder would share it (case ignored) or it would be
 * synthese.xlsx, "<name>.xlsx"; remaining clashes get " (2)", " (3)"...
 * Deterministic for a given list.
 */
clasconv_error batch_plan_outputs(batch_walk *walk);

/** Non-zero when a name claims a format clasconv reads or refuses with a
 * message (xls, xlsx, ods, csv, txt, docx, ...). */
int batch_name_claims_sheet(const char *name);

/* --- Worker (worker.c) --------------------------------------------------- */

/** What a worker needs to know. */
typedef struct batch_job {
    const char *abs;        /* input path */
    const char *rel;        /* input path relative to INDIR */
    const char *output_rel; /* planned output, relative to OUTDIR */
    const char *outdir;     /* OUTDIR */
    const char *staging;    /* private folder for temporary files */
    size_t index;           /* unique number in the batch */
    pid_t parent;           /* the batch process */
    const clasconv_batch_options *options; /* limits, hooks */
} batch_job;

/* Frame of one summary on a pool worker's result pipe: a header of two
 * little-endian u32 (length of the wire bytes, flags), then the bytes. */
#define BATCH_FRAME_HEADER 8u
/* Flag: the worker exits after this summary (files or memory quota used). */
#define BATCH_FRAME_RETIRING 1u

/** What a pool worker shares with the batch (inherited at fork). */
typedef struct batch_pool_ctx {
    const batch_entry *entries; /* the walk, complete before any fork */
    size_t count;
    const char *outdir;
    const char *staging;
    pid_t parent;
    const clasconv_batch_options *options;
} batch_pool_ctx;

/**
 * Runs in a pool worker: reads entry indexes (u64, little-endian) from
 * `job_fd`, converts each, writes its framed summary to `result_fd`; exits
 * at end of file on `job_fd`, or after a summary flagged RETIRING. Per-file
 * limits (CPU, address space) are reset before each file. Never returns.
 */
void batch_worker_loop(const batch_pool_ctx *ctx, int job_fd, int result_fd)
#if defined(__GNUC__)
    __attribute__((noreturn))
#endif
    ;

/**
 * In a worker that converts many files in turn, before each: CPU seconds
 * from what it has used so far, address space on top of its current size.
 */
void batch_worker_file_limits(const clasconv_batch_options *options);

/** Address space of the calling process (bytes); 0 when unknown or not
 * limited (sanitizer builds). */
unsigned long long batch_worker_size(void);

/**
 * 1 when a worker that has done `done` files must be replaced: after its
 * quota (options->worker_files), or when what the files left behind
 * (leaks, fragmentation) has grown its size from `base` (its size before
 * the first file, batch_worker_size()) by half its memory allowance.
 */
int batch_worker_retiring(const clasconv_batch_options *options, unsigned done,
                          unsigned long long base);

#ifdef CLASCONV_TEST_HOOKS
/** Test builds only: runs test hook `hook` ("ACTION:TEXT", see worker.c)
 * when `label` contains TEXT; does nothing when `hook` is NULL. */
void batch_worker_test_hook(const char *hook, const char *label);
#endif

/** Sets the message of a file with errors: "N erreurs à vérifier ; la
 * première : ..." from its table's first error anomaly. */
void batch_file_error_hint(clasconv_batch_file *file);

/** SHA-256 of bytes, as 64 lowercase hex digits and a NUL. */
void batch_sha256_hex(const unsigned char *data, size_t size, char out[65]);
/** SHA-256 of a file, streamed; "" when it cannot be read. */
void batch_sha256_file(const char *path, char out[65]);

/* --- Summary (wire.c) ---------------------------------------------------- */

/** Serializes a file's summary (table may be NULL). */
clasconv_error batch_wire_encode(const clasconv_batch_file *file,
                                 clasconv_buf *out);
/**
 * Rebuilds a summary from bytes. Fills `file` (its `path` is left NULL for
 * the caller). Returns FORMAT when the bytes are truncated or malformed,
 * MEMORY when out of memory; `file` is then empty.
 */
clasconv_error batch_wire_decode(const unsigned char *data, size_t size,
                                 clasconv_batch_file *file);

/** Frees the members of a file entry (not the entry itself). */
void batch_file_clear(clasconv_batch_file *file);

#endif
