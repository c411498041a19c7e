/* coord_io.h: atomic text output for the HTML report (private).
 *
 * A file is written to a temporary name in the target's folder, then
 * renamed over the target; on failure the temporary file is removed and the
 * target is untouched. (Workbooks use src/write/xlsx_util.h.)
 */
#ifndef CLASCONV_WRITE_COORD_IO_H
#define CLASCONV_WRITE_COORD_IO_H

#include <stddef.h>

#include "clasconv/error.h"

typedef struct coord_tmp {
    char *path;   /* temporary file, in the target's folder */
    char *dir;    /* the target's folder */
    char *target; /* the final name */
} coord_tmp;

/** Creates an empty temporary file next to `target`. WRITE or MEMORY. */
clasconv_error coord_tmp_open(coord_tmp *tmp, const char *target,
                              clasconv_diag *diag);

/** Writes `len` bytes to the temporary file. WRITE on failure. */
clasconv_error coord_tmp_write(coord_tmp *tmp, const char *data, size_t len,
                               clasconv_diag *diag);

/** Renames the temporary file to the target. Frees `tmp` in all cases.
 * WRITE on failure. */
clasconv_error coord_tmp_commit(coord_tmp *tmp, clasconv_diag *diag);

/** Removes the temporary file and frees `tmp`. */
void coord_tmp_abort(coord_tmp *tmp);

#endif
