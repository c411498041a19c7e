/* ref_internal.h: what annuaire.c and match.c share (private). */
#ifndef CLASCONV_REF_INTERNAL_H
#define CLASCONV_REF_INTERNAL_H

#include <stddef.h>

#include "clasconv/anomaly.h"

/* School subtypes, told by the type words of a name or by code_nature. */
enum {
    REF_SUBTYPE_NONE = 0,    /* no type words, or a bare "École"/"Lycée" */
    REF_SUBTYPE_MATERNELLE,  /* École maternelle, 101 */
    REF_SUBTYPE_ELEMENTAIRE, /* École élémentaire, 151 */
    REF_SUBTYPE_PRIMAIRE,    /* École primaire (maternelle + élémentaire) */
    REF_SUBTYPE_COLLEGE,     /* Collège, 340 */
    REF_SUBTYPE_LGT,         /* Lycée général (et technologique), 300, 302 */
    REF_SUBTYPE_LPO,         /* Lycée polyvalent, 306 */
    REF_SUBTYPE_LP           /* Lycée professionnel, 320 */
};

/**
 * Splits a school key ("ecole elementaire jules ferry") into its type
 * words and its proper name: returns the proper name's start ("jules
 * ferry"), sets `*subtype` and `*level` (the level the type words imply,
 * CLASCONV_LEVEL_NONE when none). Words such as "publique", "privee" after
 * the type are skipped too.
 */
const char *ref_type_split(const char *key, int *subtype,
                           clasconv_level *level);

/** The subtype code_nature implies, REF_SUBTYPE_NONE when unknown. */
int ref_nature_subtype(int nature);

/**
 * OpenRefine-style fingerprint of a folded proper name: its words sorted,
 * each once, without small words (de, la, l, et...). Writes at most
 * `size` bytes (NUL included).
 */
void ref_fingerprint(const char *proper, char *out, size_t size);

/**
 * The key of a commune name: folded, "st"/"ste" spelled out, so that
 * "ST-PRIEST", "Saint Priest" and "saint-priest" share "saint priest".
 * Writes at most `size` bytes; returns 0 when the text cannot be folded.
 */
size_t ref_commune_key(const char *name, char *out, size_t size);

#endif
