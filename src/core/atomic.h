/* atomic.h: the one way clasconv writes an output file (private).
 *
 * The file is written to a hidden temporary file in the target's folder,
 * `.NAME.clasconv-PID-XXXXXX`, verified, synced when durable, then renamed
 * over the target; on any failure the temporary file is removed and the
 * target is untouched. Only a regular file (or nothing) may be replaced: a
 * device, FIFO, socket or folder as output is refused with a French message.
 * Opening also removes the stale temporary files of runs that were killed
 * (their process is gone, or they are older than CLASCONV_ATOMIC_STALE_S).
 *
 * Usage:
 *     clasconv_atomic a;
 *     if (clasconv_atomic_open(&a, path, diag) != CLASCONV_OK)
 *         return CLASCONV_ERR_WRITE;
 *     ... write to a.fd, or to a.tmp_path by name ...
 *     return clasconv_atomic_commit(&a, verify, ctx, durable, diag);
 *     // or clasconv_atomic_abort(&a)
 * or in one call for bytes in memory: clasconv_atomic_write_file().
 */
#ifndef CLASCONV_CORE_ATOMIC_H
#define CLASCONV_CORE_ATOMIC_H

#include <stddef.h>
#include <sys/types.h>

#include "clasconv/error.h"

/** The marker in every temporary file name: `.NAME.clasconv-PID-XXXXXX`. */
#define CLASCONV_ATOMIC_MARK ".clasconv-"
/** A temporary file older than this (seconds) is stale whoever made it. */
#define CLASCONV_ATOMIC_STALE_S 600

typedef struct clasconv_atomic {
    char *target;   /* as given */
    char *dir;      /* folder of the target ("." when none) */
    char *tmp_path; /* the hidden temporary file */
    int fd;         /* open on tmp_path for writing, -1 once closed */
    mode_t mode;    /* the final file's mode */
} clasconv_atomic;

/**
 * Checks `target` and creates the temporary file beside it (`a->fd` open
 * for writing). WRITE with a French message when the name is empty or a
 * folder, the folder is missing or not writable, or `target` exists and
 * is not a regular file (symbolic links are followed: a link to /dev/null
 * is refused). MEMORY when out of memory.
 */
clasconv_error clasconv_atomic_open(clasconv_atomic *a, const char *target,
                                    clasconv_diag *diag);

/** Writes `len` bytes to `a->fd`. WRITE with a French message on failure
 * (the handle stays open: commit or abort it). */
clasconv_error clasconv_atomic_write(clasconv_atomic *a, const void *data,
                                     size_t len, clasconv_diag *diag);

/**
 * Closes the temporary file, runs `verify` on it when not NULL (it returns
 * CLASCONV_OK or an error with a French message in `diag`), syncs it when
 * `durable`, checks again that the target may be replaced, renames it over
 * the target and syncs the folder when `durable`. On any failure the
 * temporary file is removed and the target untouched. The handle is
 * released either way.
 */
clasconv_error
clasconv_atomic_commit(clasconv_atomic *a,
                       clasconv_error (*verify)(const char *tmp_path, void *ctx,
                                                clasconv_diag *diag),
                       void *ctx, int durable, clasconv_diag *diag);

/** Gives up: removes the temporary file and releases the handle. */
void clasconv_atomic_abort(clasconv_atomic *a);

/** open + write + commit for bytes in memory. */
clasconv_error clasconv_atomic_write_file(const char *target, const void *data,
                                          size_t len, int durable,
                                          clasconv_diag *diag);

/**
 * WRITE with a French message when `target` exists and is not a regular
 * file (followed through symbolic links); OK when it is one or is absent.
 * For the places that rename a file they staged elsewhere.
 */
clasconv_error clasconv_atomic_check_target(const char *target,
                                            clasconv_diag *diag);

/** Sets "Impossible d'écrire « PATH » : REASON. ADVICE." for `err`. */
void clasconv_atomic_fail(clasconv_diag *diag, const char *path, int err);

/**
 * Removes the stale temporary files of clasconv_atomic_open() in `dir`:
 * those whose process is gone, or older than CLASCONV_ATOMIC_STALE_S.
 * Returns how many were removed. Best effort, never fails.
 */
size_t clasconv_atomic_clean_stale(const char *dir);

/**
 * Removes a private folder and everything in it (symbolic links are
 * removed, never followed; at most 32 levels deep). Failures are ignored.
 * The one home of it: serve's upload folders, the LibreOffice converter's.
 */
void clasconv_remove_tree(const char *dir);

#endif
