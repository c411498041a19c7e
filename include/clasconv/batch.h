/* batch.h: converting a whole folder in worker processes, with a synthesis.
 *
 * clasconv_batch_run() walks INDIR (sorted, optionally recursive), converts
 * every spreadsheet in a child process with limits on memory and time,
 * writes OUTDIR/<name>.xlsx for each, then OUTDIR/synthese.xlsx and
 * OUTDIR/rapport.csv from the files' summaries sorted by commune then file,
 * so that what is written never depends on the number of workers or on
 * timing. Inputs are opened read-only. The library never prints: progress
 * goes through a callback.
 */
#ifndef CLASCONV_BATCH_H
#define CLASCONV_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "table.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What became of one input. */
typedef enum clasconv_batch_status {
    CLASCONV_BATCH_OK = 0,   /* converted, no error anomaly: "OK" */
    CLASCONV_BATCH_TO_CHECK, /* converted with error anomalies: "À vérifier" */
    CLASCONV_BATCH_UNREADABLE,   /* refused (FILE_UNREADABLE, TABLE_NOT_FOUND),
                                    or its worker failed: "Illisible" */
    CLASCONV_BATCH_WRITE_FAILED, /* read, but its workbook could not be
                                    written: "Non écrit" */
    CLASCONV_BATCH_SKIPPED       /* lock file, hidden file, subfolder, not a
                                    spreadsheet: "Ignoré" */
} clasconv_batch_status;

/** "OK", "À vérifier", "Illisible", "Non écrit", "Ignoré". */
const char *clasconv_batch_status_label(clasconv_batch_status status);

/** One input of a batch. Strings are owned by the result. */
typedef struct clasconv_batch_file {
    char *path;   /* relative to INDIR, '/'-separated */
    char *output; /* relative to OUTDIR; NULL when no workbook was written */
    clasconv_batch_status status;
    char *message;   /* French; "" when there is nothing to say */
    char sha256[65]; /* of the input bytes; "" when it was not read */
    int64_t mtime;   /* the input's modification time (seconds since 1970;
                        0 when unknown): of two files for one commune, the
                        synthesis counts the most recent */
    size_t errors, warnings, infos; /* anomalies by severity (exact) */
    int truncated; /* the summary's school or anomaly list was cut */
    /* What was read: schools (level order), totals, anomalies, commune,
     * format. NULL for skipped files and failed workers. */
    clasconv_table *table;
    /* Kept out of memory by clasconv_batch_run() once the file is done:
     * when `spill_size` is not 0, `table` holds no schools nor anomalies
     * (nschools 0) and the worker's summary sits at `spill_offset` in the
     * batch's temporary file, read back while writing the synthesis. */
    uint64_t spill_offset;
    uint64_t spill_size;
} clasconv_batch_file;

/** The commune of a file ("" when unknown). */
const char *clasconv_batch_file_commune(const clasconv_batch_file *file);

/** What a progress callback is told. */
typedef enum clasconv_batch_event_kind {
    CLASCONV_BATCH_EV_START = 0, /* the walk is done; `total` is known */
    CLASCONV_BATCH_EV_FILE,      /* one file is done (completion order) */
    CLASCONV_BATCH_EV_WRITING,   /* every file is done; writing synthesis */
    CLASCONV_BATCH_EV_END        /* synthese.xlsx and rapport.csv written */
} clasconv_batch_event_kind;

typedef struct clasconv_batch_event {
    clasconv_batch_event_kind kind;
    const clasconv_batch_file *file; /* EV_FILE only */
    size_t done;     /* files done so far (skipped ones included) */
    size_t total;    /* files found */
    size_t failures; /* UNREADABLE + WRITE_FAILED so far */
    size_t to_check; /* TO_CHECK so far */
    double elapsed;  /* seconds since the start */
} clasconv_batch_event;

typedef void (*clasconv_batch_progress_fn)(const clasconv_batch_event *event,
                                           void *user);

/**
 * Converts one file in a worker (tests and embedders may replace the
 * pipeline). Same contract as clasconv_convert_memory().
 */
typedef clasconv_error (*clasconv_batch_convert_fn)(
    const char *file_name, const char *path, const unsigned char *data,
    size_t size, clasconv_table **table, clasconv_diag *diag);

/* Defaults of the per-file limits. */
#define CLASCONV_BATCH_DEFAULT_MEMORY_MB 256u
#define CLASCONV_BATCH_DEFAULT_CPU_S 60u
#define CLASCONV_BATCH_DEFAULT_WALL_S 120u
#define CLASCONV_BATCH_DEFAULT_WORKER_FILES 200u
/* Hard bounds of a walk. */
#define CLASCONV_BATCH_MAX_FILES 200000u
#define CLASCONV_BATCH_MAX_DEPTH 32u
/* A summary keeps at most this many schools and anomalies per file (the
 * per-file workbook has them all; the counts are always exact). */
#define CLASCONV_BATCH_MAX_SCHOOLS 20000u
#define CLASCONV_BATCH_MAX_ANOMALIES 20000u

/** Options of a batch; zero-initialize, then set what you need. */
typedef struct clasconv_batch_options {
    unsigned jobs;      /* worker processes; 0 = number of online cores */
    int recursive;      /* descend into subfolders */
    unsigned memory_mb; /* address-space limit per worker; 0 = default */
    unsigned cpu_s;     /* CPU seconds per file; 0 = default */
    unsigned wall_s;    /* wall-clock seconds per file; 0 = default */
    int handle_signals; /* catch SIGINT/SIGTERM/SIGHUP during the run: kill
                           the workers, remove temporary files, return with
                           `interrupted` set */
    clasconv_batch_progress_fn progress; /* may be NULL */
    void *progress_user;
    clasconv_batch_convert_fn convert; /* NULL = clasconv_convert_memory */
    /* Annuaire de l'éducation to match every table to (src/ref), loaded
     * once by the caller and shared by the workers; NULL = none. */
    const struct clasconv_annuaire *annuaire;
    /* Files a worker process converts before it is replaced by a fresh
     * one (bounds leaks and fragmentation); 0 = default. */
    unsigned worker_files;
} clasconv_batch_options;

/** The outcome of a batch. */
typedef struct clasconv_batch_result {
    clasconv_batch_file *files; /* sorted by commune, then path */
    size_t nfiles;
    size_t count[CLASCONV_BATCH_SKIPPED + 1]; /* files per status */
    unsigned jobs;                            /* workers used */
    double elapsed;                           /* seconds */
    int interrupted; /* the signal that stopped the run, 0 if none */
} clasconv_batch_result;

/**
 * Runs a batch from `indir` into `outdir` (which must exist and be
 * writable). Checks both folders before any work: fails at once with USAGE
 * (same folder, INDIR missing or not a folder), IO (INDIR unreadable) or
 * WRITE (OUTDIR missing, not writable, or used by another batch), with a
 * French message in `diag`. Otherwise converts every file; one file's
 * failure is recorded in its entry and the batch goes on. Returns WRITE
 * when synthese.xlsx or rapport.csv could not be written, IO with
 * `(*result)->interrupted` set when a signal stopped the run (nothing under
 * a final name is partial; the synthesis is not written). `*result` is set
 * whenever the work started (caller frees); NULL otherwise.
 */
clasconv_error clasconv_batch_run(const char *indir, const char *outdir,
                                  const clasconv_batch_options *options,
                                  clasconv_batch_result **result,
                                  clasconv_diag *diag);

/** Frees a result. NULL does nothing. */
void clasconv_batch_result_free(clasconv_batch_result *result);

/**
 * Sorts files by commune (folded: case and accents ignored; unknown
 * communes last), then by path (bytes).
 */
void clasconv_batch_sort(clasconv_batch_file *files, size_t nfiles);

/**
 * Appends rapport.csv: UTF-8 with BOM, ';' separated, CRLF, columns
 * fichier;commune;statut;erreurs;avertissements;sortie;message, one row per
 * file in the given order.
 */
clasconv_error clasconv_batch_render_csv(const clasconv_batch_file *files,
                                         size_t nfiles, clasconv_buf *out);

/**
 * Writes synthese.xlsx (sheets Communes, Établissements, Anomalies,
 * Fichiers) for `files` in the given order, atomically (temporary file next
 * to `path`, verified, renamed). Same files give the same bytes.
 */
clasconv_error clasconv_write_synthesis(const clasconv_batch_file *files,
                                        size_t nfiles, const char *path,
                                        clasconv_diag *diag);

#ifdef __cplusplus
}
#endif

#endif
