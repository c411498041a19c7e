/* text.h: UTF-8 helpers shared by every stage (private to the library). */
#ifndef CLASCONV_CORE_TEXT_H
#define CLASCONV_CORE_TEXT_H

#include <stddef.h>
#include <stdint.h>

/** Non-zero when `text[0..len)` is valid UTF-8 (no overlongs, no
 * surrogates). */
int clasconv_utf8_valid(const char *text, size_t len);

/** Non-zero when the text holds only spaces, tabs, newlines, no-break
 * spaces (U+00A0, U+202F, U+2007) or zero-width spaces. */
int clasconv_text_is_blank(const char *text, size_t len);

/**
 * Returns a malloc'd copy of `text[0..len)` where every invalid UTF-8
 * sequence is replaced by U+FFFD and NUL bytes are dropped. NULL when out of
 * memory.
 */
char *clasconv_utf8_sanitize(const char *text, size_t len);

/**
 * Folds `text` for comparison: like clasconv_text_key() (public, table.h).
 * Returns the number of bytes written to `out` (NUL-terminated, truncated
 * to `size`), or 0 on failure.
 */
size_t clasconv_text_fold(const char *text, char *out, size_t size);

/**
 * The folded form of a Latin letter U+0080..U+024F ("é" -> "e",
 * "ß" -> "ss"), or NULL when it has no plain ASCII folding.
 */
const char *clasconv_latin_fold(int32_t cp);

#endif
