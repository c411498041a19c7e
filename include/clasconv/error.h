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
