/* names_vocab.h: the school-name vocabulary (type words, particles, Saint). */
#ifndef CLASCONV_NAMES_VOCAB_H
#define CLASCONV_NAMES_VOCAB_H

#include <stddef.h>

#include "clasconv/anomaly.h"

/**
 * One way of writing a school type. `pattern` is the written form folded
 * (lower case, no accents), words separated by one space, without dots:
 * "ec elem" matches "Éc. élém.", "EC ELEM" and "Ec.elem.". `canonical` is
 * the type as shown (sentence case, with accents).
 */
typedef struct clasconv_name_type {
    const char *pattern;
    const char *canonical;
    clasconv_level level;
} clasconv_name_type;

/** An abbreviation of a proper-name word ("st" -> "Saint"). */
typedef struct clasconv_name_abbrev {
    const char *folded;
    const char *expanded;
} clasconv_name_abbrev;

extern const clasconv_name_type clasconv_name_types[];
extern const size_t clasconv_name_type_count;

/**
 * A word that stays in lower case in a title-cased proper name, except as
 * its first word. A preposition (`after_type` set: "du", "d'") also stays
 * in lower case as the first word after a type: "École du Centre", while an
 * article starts the name: "École Les Marronniers", "Collège L'Arbresle".
 */
typedef struct clasconv_name_particle {
    const char *folded;
    int after_type;
} clasconv_name_particle;

/** Whole words ("de", "la"...). */
extern const clasconv_name_particle clasconv_name_particles[];
extern const size_t clasconv_name_particle_count;

/** Elided words, the letter before the apostrophe ("l" of "l'"). */
extern const clasconv_name_particle clasconv_name_elisions[];
extern const size_t clasconv_name_elision_count;

/** Words kept in capitals in a title-cased proper name ("REP"). */
extern const clasconv_name_abbrev clasconv_name_acronyms[];
extern const size_t clasconv_name_acronym_count;

/** Abbreviations expanded before a following name (St Exupéry). */
extern const clasconv_name_abbrev clasconv_name_abbrevs[];
extern const size_t clasconv_name_abbrev_count;

#endif
