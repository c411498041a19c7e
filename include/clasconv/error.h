/* error.h: error codes and the caller-owned diagnostic that carries detail. */
#ifndef CLASCONV_ERROR_H
#define CLASCONV_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Result of every fallible library call. */
typedef enum clasconv_error {
    CLASCONV_OK = 0,
    CLASCONV_ERR_MEMORY,      /* out of memory */
    CLASCONV_ERR_IO,          /* input could not be opened or read */
    CLASCONV_ERR_FORMAT,      /* not a spreadsheet, or corrupt */
    CLASCONV_ERR_UNSUPPORTED, /* recognized but unsupported (encrypted...) */
    CLASCONV_ERR_TOO_LARGE,   /* a resource limit was hit */
    CLASCONV_ERR_NO_TABLE,    /* no CLAS table in a readable file */
    CLASCONV_ERR_WRITE,       /* output could not be written */
    CLASCONV_ERR_USAGE        /* bad arguments */
} clasconv_error;

/** Short French description of an error code (static string). */
const char *clasconv_strerror(clasconv_error err);

/**
 * The French reason for a system error number, e.g. "disque plein" for
 * ENOSPC: lower case, no final period, never NULL ("erreur système n° N"
 * for a number the table does not know; that string is per thread and
 * valid until the next call). Use it instead of strerror(), whose English
 * text must never reach a user.
 */
const char *clasconv_errno_fr(int err);

/**
 * What the user can do about `err` ("Libérez de la place ou choisissez un
 * autre emplacement"), a sentence without final period; NULL when there
 * is nothing to advise.
 */
const char *clasconv_errno_advice_fr(int err);

/** Detail of the last failure: a French message for the user. */
typedef struct clasconv_diag {
    char message[1024];
} clasconv_diag;

/** Sets the diagnostic message (printf-style). `diag` may be NULL. */
void clasconv_diag_set(clasconv_diag *diag, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/** Clears a diagnostic. */
void clasconv_diag_clear(clasconv_diag *diag);

#ifdef __cplusplus
}
#endif

#endif
