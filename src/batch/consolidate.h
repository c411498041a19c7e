/* consolidate.h: which files of a batch the synthesis counts, so that no
 * commune is counted twice, and the anomalies found across files (private).
 */
#ifndef CLASCONV_BATCH_CONSOLIDATE_H
#define CLASCONV_BATCH_CONSOLIDATE_H

#include <stddef.h>

#include "clasconv/anomaly.h"
#include "clasconv/batch.h"
#include "clasconv/error.h"
#include "clasconv/table.h"

/** Whether a file's figures enter the synthesis's totals. */
typedef enum batch_count_kind {
    BATCH_COUNT_NO_FIGURES = 0, /* skipped or unreadable: nothing to count */
    BATCH_COUNT_YES,            /* counted */
    BATCH_COUNT_EXACT_COPY,     /* same SHA-256 as `other`: not counted */
    BATCH_COUNT_SUPERSEDED      /* same commune as `other`, which was
                                   modified more recently: not counted */
} batch_count_kind;

typedef struct batch_count {
    batch_count_kind kind;
    size_t other; /* the file kept instead (EXACT_COPY, SUPERSEDED) */
} batch_count;

typedef struct batch_consolidation {
    batch_count *counts;          /* one per file, in the files' order */
    clasconv_anomalies anomalies; /* FILE_DUPLICATE, COMMUNE_DUPLICATE,
                                     SCHOOL_IN_TWO_COMMUNES, in that order,
                                     each in the files' order */
    size_t *anomaly_file;         /* the file each anomaly is about */
    /* Établissements: a UAI listed more than once among the counted files
     * is one row: the schools of each such UAI, and their row. */
    struct batch_school_ref *school_refs; /* sorted by file, then school */
    size_t nschool_refs;
    struct batch_school_row *school_rows;
    size_t nschool_rows;
} batch_consolidation;

/** One Établissements row standing for the schools of one UAI. */
typedef struct batch_school_row {
    char *communes; /* each commune once, joined by " ; " */
    char *files;
    char *cells;                           /* "file: cell" of each school */
    int64_t counts[CLASCONV_SCHEME_COUNT]; /* sums; CLASCONV_BLANK if all
                                              blank */
} batch_school_row;

typedef struct batch_school_ref {
    size_t file, sub; /* school `sub` of file `file` */
    size_t row;       /* its batch_school_row */
    int first;        /* the first school of the row (the row is written
                         there, the others are not) */
} batch_school_ref;

/** The merged row school `sub` of file `file` belongs to; NULL if none. */
const batch_school_ref *batch_school_merged(const batch_consolidation *c,
                                            size_t file, size_t sub);

/** The whole tables of a batch's files: each file's own, or, for a file
 * whose schools and anomalies were spilled, decoded from `spill_fd` (one
 * at a time: a returned table is valid until the next call). */
typedef struct batch_tables {
    const clasconv_batch_file *files;
    size_t n;
    int spill_fd; /* -1: every table is whole in memory */
    clasconv_batch_file loaded;
    size_t loaded_index;
    int has_loaded;
} batch_tables;

void batch_tables_init(batch_tables *t, const clasconv_batch_file *files,
                       size_t n, int spill_fd);
/** File `i`'s whole table; NULL when it has none or it cannot be read back
 * (MEMORY or IO in `*err` then). */
const clasconv_table *batch_tables_get(batch_tables *t, size_t i,
                                       clasconv_error *err);
void batch_tables_free(batch_tables *t);

/** Frees a table's schools and anomalies, keeping its totals, commune,
 * format and digest (what the batch keeps in memory for a spilled file). */
void batch_table_strip(clasconv_table *table);

/** The synthesis of a batch whose files may be spilled to `spill_fd`. */
clasconv_error batch_write_synthesis(const clasconv_batch_file *files,
                                     size_t nfiles, int spill_fd,
                                     const char *path, clasconv_diag *diag);

/**
 * Decides what the synthesis counts: of files with the same SHA-256 the
 * first (in the given order) stays, the others are exact copies; of the
 * remaining converted files of one commune (by comparison key), the most
 * recently modified is counted (a tie goes to the last in order). Then
 * flags every school key listed by two communes among the counted files.
 * Deterministic for given files. Returns MEMORY (then `out` is empty).
 */
clasconv_error batch_consolidate(const clasconv_batch_file *files, size_t n,
                                 batch_consolidation *out);
/** The same, for files whose tables may be spilled. */
clasconv_error batch_consolidate_tables(batch_tables *tables,
                                        batch_consolidation *out);
void batch_consolidation_free(batch_consolidation *c);

/** "Non compté : doublon exact de « x.csv »"..., in `buf`; "" when the
 * file is counted or has no figures. */
void batch_count_text(const batch_consolidation *c,
                      const clasconv_batch_file *files, size_t index, char *buf,
                      size_t size);

#endif
