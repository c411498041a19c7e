/* text.h: the comparison key of a text (public part of the core text
 * module, src/core/text.c). */
#ifndef CLASCONV_TEXT_H
#define CLASCONV_TEXT_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The comparison key of any text: case, accents and punctuation folded,
 * œ -> oe, æ -> ae, spaces collapsed. Caller frees; NULL when out of memory.
 */
char *clasconv_text_key(const char *text);

#ifdef __cplusplus
}
#endif

#endif
