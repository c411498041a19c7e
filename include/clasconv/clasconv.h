/* clasconv.h: umbrella header and the whole pipeline in one call. */
#ifndef CLASCONV_H
#define CLASCONV_H

#include <stddef.h>

#include "anomaly.h"
#include "buf.h"
#include "error.h"
#include "grid.h"
#include "read.h"
#include "ref.h"
#include "table.h"
#include "write.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Converts one input file: sniff, read, locate, reconcile.
 *
 * Always sets `*table` (NULL only when out of memory). On success returns
 * OK. When the file cannot be read returns IO/FORMAT/UNSUPPORTED/TOO_LARGE
 * and the table holds a FILE_UNREADABLE anomaly; when it holds no CLAS
 * table returns NO_TABLE and the table holds TABLE_NOT_FOUND. In both
 * cases `diag` has the French message. The caller frees the table.
 */
clasconv_error clasconv_convert(const char *path, clasconv_table **table,
                                clasconv_diag *diag);

/**
 * Same as clasconv_convert() for bytes in memory; `file_name` names them
 * in messages and may give the commune. `path` may be NULL (every reader
 * works from memory).
 */
clasconv_error clasconv_convert_memory(const char *file_name, const char *path,
                                       const unsigned char *data, size_t size,
                                       clasconv_table **table,
                                       clasconv_diag *diag);

#ifdef __cplusplus
}
#endif

#endif
