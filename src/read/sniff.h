/* sniff.h: private helpers of the format sniffer shared with read.c. */
#ifndef CLASCONV_READ_SNIFF_H
#define CLASCONV_READ_SNIFF_H

#include "clasconv/error.h"
#include "clasconv/read.h"

/**
 * Writes in `diag` a French message saying what a file of `format` (one
 * with no reader, or an unknown one) is and what to do with it. `path` (may
 * be NULL) gives the extension to mention.
 */
void clasconv_format_explain(clasconv_format format, const char *path,
                             clasconv_diag *diag);

#endif
