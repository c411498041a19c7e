/* mhd.h: libmicrohttpd loaded at run time, by `clasconv serve` only.
 *
 * Linked normally, libmicrohttpd brings GnuTLS and eight more libraries
 * into every clasconv process: about 5 million instructions of dynamic
 * loading and GnuTLS constructors per start, half of `clasconv --version`
 * and a sixth of a typical `convert` (docs/BENCHMARKS.md). Only the server
 * needs it, so it is opened with dlopen() there. */
#ifndef CLASCONV_SERVE_MHD_H
#define CLASCONV_SERVE_MHD_H

#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include "clasconv/error.h"

/** The libmicrohttpd functions the server calls (same signatures). */
typedef struct serve_mhd_api {
    struct MHD_Response *(*create_response_from_buffer)(
        size_t size, void *buffer, enum MHD_ResponseMemoryMode mode);
    enum MHD_Result (*add_response_header)(struct MHD_Response *response,
                                           const char *header,
                                           const char *content);
    enum MHD_Result (*queue_response)(struct MHD_Connection *connection,
                                      unsigned int status_code,
                                      struct MHD_Response *response);
    void (*destroy_response)(struct MHD_Response *response);
    struct MHD_PostProcessor *(*create_post_processor)(
        struct MHD_Connection *connection, size_t buffer_size,
        MHD_PostDataIterator iter, void *iter_cls);
    enum MHD_Result (*post_process)(struct MHD_PostProcessor *pp,
                                    const char *post_data,
                                    size_t post_data_len);
    enum MHD_Result (*destroy_post_processor)(struct MHD_PostProcessor *pp);
    const char *(*lookup_connection_value)(struct MHD_Connection *connection,
                                           enum MHD_ValueKind kind,
                                           const char *key);
    struct MHD_Daemon *(*start_daemon)(unsigned int flags, uint16_t port,
                                       MHD_AcceptPolicyCallback apc,
                                       void *apc_cls,
                                       MHD_AccessHandlerCallback dh,
                                       void *dh_cls, ...);
    const union MHD_DaemonInfo *(*get_daemon_info)(
        struct MHD_Daemon *daemon, enum MHD_DaemonInfoType info_type, ...);
    void (*stop_daemon)(struct MHD_Daemon *daemon);
} serve_mhd_api;

/** Filled by serve_mhd_load(). */
extern serve_mhd_api serve_mhd;

/**
 * Opens libmicrohttpd and resolves serve_mhd (once; later calls return at
 * once). Fails with a French message when the library or one of its
 * functions is missing.
 */
clasconv_error serve_mhd_load(clasconv_diag *diag);

#endif
