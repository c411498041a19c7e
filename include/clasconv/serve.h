/* serve.h: `clasconv serve`, the web pages of clasconv (libmicrohttpd).
 *
 * Pages in French for a browser: check one file (the `check --html`
 * report, with downloads of the workbook, the pre-filled template and the
 * JSON), convert a lot of files (synthesis, report, zip of workbooks),
 * compare last year's table with this year's (the `compare` report and
 * workbook) and download the empty template. Every conversion runs in a worker
 * process with the limits of `batch`; uploads stay in memory, or in a private
 * per-request temporary folder removed with the response.
 */
#ifndef CLASCONV_SERVE_H
#define CLASCONV_SERVE_H

#include <stddef.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CLASCONV_SERVE_DEFAULT_ADDRESS "127.0.0.1"
#define CLASCONV_SERVE_DEFAULT_PORT 8080u
#define CLASCONV_SERVE_DEFAULT_MAX_MB 20u
#define CLASCONV_SERVE_DEFAULT_MAX_FILES 200u
#define CLASCONV_SERVE_DEFAULT_QUEUE 64u
#define CLASCONV_SERVE_DEFAULT_KEEP_S 600u
#define CLASCONV_SERVE_DEFAULT_TIMEOUT_S 30u
#define CLASCONV_SERVE_MAX_CONNECTIONS 256u
#define CLASCONV_SERVE_MAX_PER_IP 64u

/** Options of the server; zero-initialize, then set what you need. */
typedef struct clasconv_serve_options {
    const char *address; /* IPv4 or IPv6 literal; NULL = 127.0.0.1 */
    unsigned port;       /* 0 with `any_port` set = a free port */
    int any_port;
    unsigned max_mb;    /* largest upload (whole request body), MB */
    unsigned max_files; /* files in one upload (zip entries included) */
    unsigned workers;   /* conversions at once; 0 = online cores */
    unsigned queue;     /* requests waiting for a worker before 503 */
    int queue_set;      /* `queue` was given (0 is then allowed) */
    unsigned memory_mb; /* per worker; 0 = batch default */
    unsigned cpu_s;     /* per worker; 0 = batch default */
    unsigned wall_s;    /* per worker; 0 = batch default */
    unsigned keep_s;    /* how long results stay downloadable */
    unsigned timeout_s; /* idle connection timeout (slow clients) */
    /* Annuaire de l'éducation every conversion is matched to (borrowed:
     * loaded once by the caller before the server starts; the workers,
     * forked from the server, share it). NULL = none. */
    const struct clasconv_annuaire *annuaire;
    /* Called once listening, with the address ("http://127.0.0.1:8080/"). */
    void (*ready)(const char *url, void *user);
    /* Called with one French line per conversion request (may be NULL);
     * from the request's thread. */
    void (*log)(const char *line, void *user);
    void *ready_user; /* given to both callbacks */
} clasconv_serve_options;

/**
 * Serves until SIGINT or SIGTERM (blocked in every thread and waited for),
 * then stops cleanly: in-flight requests end, workers are killed, held
 * results freed. Returns USAGE (bad options), IO (cannot listen: message in
 * `diag`) or OK after a signal.
 */
clasconv_error clasconv_serve_run(const clasconv_serve_options *options,
                                  clasconv_diag *diag);

#ifdef __cplusplus
}
#endif

#endif
