/* text.h: UTF-8 helpers shared by every stage (private to the library). */
#ifndef CLASCONV_CORE_TEXT_H
#define CLASCONV_CORE_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "clasconv/error.h"

/**
 * Decodes the UTF-8 sequence at `text` (`avail` bytes readable): returns
 * its length and sets `*cp`, or 0 when the bytes are not valid UTF-8
 * (overlong, surrogate, above U+10FFFF, cut short) or `avail` is 0. The
 * only UTF-8 decoder of the library.
 */
size_t clasconv_utf8_decode(const char *text, size_t avail, uint32_t *cp);

/** Non-zero when `text[0..len)` is valid UTF-8 (no overlongs, no
 * surrogates). */
int clasconv_utf8_valid(const char *text, size_t len);

/**
 * Non-zero when `cp` is in the blank set: every Unicode space
 * (U+0009..U+000D, U+0020, U+0085, U+00A0, U+1680, U+2000..U+200A,
 * U+2028, U+2029, U+202F, U+205F, U+3000) and the zero-width characters
 * (U+200B..U+200D, U+2060, U+FEFF, U+180E). The only definition of blank.
 */
int clasconv_is_blank_cp(uint32_t cp);

/** Length in bytes of the blank character at `text` (`avail` readable),
 * or 0 when it is not one. */
size_t clasconv_blank_len(const char *text, size_t avail);

/** Non-zero when `text[0..len)` holds only blank characters. */
int clasconv_text_is_blank(const char *text, size_t len);

/**
 * Returns a malloc'd copy of `text[0..len)` (NULL gives "") in which every
 * byte that is not valid UTF-8, and U+FFFE/U+FFFF, became U+FFFD and NUL
 * bytes are dropped. The only repair function. NULL when out of memory.
 */
char *clasconv_utf8_repair(const char *text, size_t len);

/**
 * Folds `text` for comparison: like clasconv_text_key() (public,
 * clasconv/text.h). Returns the number of bytes written to `out`
 * (NUL-terminated, truncated to `size`), or 0 on failure.
 */
size_t clasconv_text_fold(const char *text, char *out, size_t size);

/**
 * The folded form of a Latin letter U+0080..U+024F ("é" -> "e",
 * "ß" -> "ss"), or NULL when it has no plain ASCII folding.
 */
const char *clasconv_latin_fold(int32_t cp);

/**
 * Converts `len` bytes from encoding `from` to `to` with iconv into a new
 * NUL-terminated buffer of at most `out_max` bytes (the caller frees
 * `*out`). What has no character in `to`, or is not valid in `from`, becomes
 * U+FFFD (to UTF-8) or '?': `unit` bytes at a time, a whole character from
 * UTF-8. CLASCONV_ERR_UNSUPPORTED when iconv lacks an encoding. Whole
 * buffers are converted here (the .xls reader keeps one descriptor for its
 * many short strings).
 */
clasconv_error clasconv_text_convert(const char *from, const char *to,
                                     size_t unit, const unsigned char *src,
                                     size_t len, size_t out_max, char **out,
                                     size_t *out_len);

#endif
