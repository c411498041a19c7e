/* listing.h: the values of an unknown column quoted in its anomaly, cut so
 * that a file of long school names cannot multiply into gigabytes. */
#ifndef CLASCONV_TABLE_LISTING_H
#define CLASCONV_TABLE_LISTING_H

#include <stddef.h>

#include "clasconv/buf.h"

/* Bytes kept of a school name or a value in a listing (then « … (N
 * caractères de plus) »). */
#define CLASCONV_LISTING_MAX_TEXT 80u

/* Appends « name : « value » » to `list` (after " ; " when not empty), name
 * and value cut to CLASCONV_LISTING_MAX_TEXT bytes. Does nothing for the
 * `column`-th unknown column (0-based) from CLASCONV_ANOMALIES_PER_CODE on:
 * its anomaly is only counted in the summary. Returns the buffer's error. */
clasconv_error clasconv_listing_add(clasconv_buf *list, size_t column,
                                    const char *name, const char *value);

#endif
