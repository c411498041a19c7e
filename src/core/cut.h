/* cut.h: long texts cut at a UTF-8 boundary with « … » and a count, so that
 * what is derived from an input (messages, listings) stays bounded. */
#ifndef CLASCONV_CORE_CUT_H
#define CLASCONV_CORE_CUT_H

#include <stddef.h>

#include "clasconv/buf.h"

/* Longest part of a text kept by the functions below (bytes, before the
 * suffix « … (N caractères de plus) », which adds at most 40 bytes). */
#define CLASCONV_CUT_SUFFIX_MAX 40u

/* Byte length of the longest prefix of `text` (`len` bytes) that is at most
 * `max` bytes and does not split a UTF-8 sequence. */
size_t clasconv_cut_len(const char *text, size_t len, size_t max);

/* Appends `text` to `buf`, or, when it is longer than `max` bytes, its
 * first characters within `max` bytes and « … (N caractères de plus) ».
 * NULL appends nothing. Returns the buffer's error. */
clasconv_error clasconv_cut_append(clasconv_buf *buf, const char *text,
                                   size_t max);

/* A copy of `text` cut as by clasconv_cut_append (caller frees); NULL for
 * NULL or when out of memory (*failed set then). */
char *clasconv_cut_dup(const char *text, size_t max, int *failed);

#endif
