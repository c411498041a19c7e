/* ref.h: schools as the Éducation nationale knows them: UAI check letters,
 * the Annuaire de l'éducation index, matching a table's schools to it, and
 * the year-over-year comparison of two tables.
 *
 * Layer: above the table (it reads and completes a reconciled table),
 * below the writers (which show what it found).
 */
#ifndef CLASCONV_REF_H
#define CLASCONV_REF_H

#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"
#include "error.h"
#include "table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- UAI (src/ref/uai.c) ---------------------------------------------- */

/** Room for a UAI: 7 digits, a letter and the NUL. */
#define CLASCONV_UAI_SIZE 9

/**
 * The check letter of the 7-digit number of a UAI:
 * "ABCDEFGHJKLMNPRSTUVWXYZ"[number % 23] (23 letters: no I, O, Q).
 * `number` is at most 9999999.
 */
char clasconv_uai_check_letter(uint32_t number);

typedef enum clasconv_uai_status {
    CLASCONV_UAI_VALID = 0,  /* 7 digits and their check letter */
    CLASCONV_UAI_BAD_LETTER, /* 7 digits and another letter */
    CLASCONV_UAI_MALFORMED   /* not 7 digits followed by one letter */
} clasconv_uai_status;

/**
 * Reads a UAI from a cell's text: blanks around it ignored, the letter in
 * either case. When the shape is right (VALID or BAD_LETTER) `uai` holds
 * the upper-case form ("0691234S") and `*expected` (may be NULL) the right
 * letter; on MALFORMED `uai` is "".
 */
clasconv_uai_status clasconv_uai_parse(const char *text,
                                       char uai[CLASCONV_UAI_SIZE],
                                       char *expected);

/**
 * Finds a UAI written inside a school name: "École Jules Ferry (0691234S)",
 * "0691234S - École Jules Ferry", "École Jules Ferry, UAI : 0691234S".
 * Returns 1 when found: `uai` holds it (upper case, letter unchecked) and
 * `*rest` a malloc'd copy of the name without it, its brackets, label and
 * separator; 0 when the name holds none or nothing else (`*rest` NULL);
 * -1 when out of memory.
 */
int clasconv_uai_extract(const char *name, char uai[CLASCONV_UAI_SIZE],
                         char **rest);

/**
 * The UAI stage, between locate and reconcile: a UAI written in a school's
 * name goes to the school's `uai` (unless a UAI column gave one) and the
 * name is normalized again without it; every UAI's check letter is then
 * verified (UAI_INVALID, the expected letter in the message). Returns
 * MEMORY or TOO_LARGE (anomaly list full).
 */
clasconv_error clasconv_ref_read_uai(clasconv_table *table);

#ifdef __cplusplus
}
#endif

#endif
