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

/* --- Annuaire de l'éducation (src/ref/annuaire.c) --------------------- */

/** Largest number of schools an annuaire may hold (the national export
 * has about 66,000). */
#define CLASCONV_ANNUAIRE_MAX_SCHOOLS 500000u

/** One school of the annuaire. Strings belong to the annuaire. */
typedef struct clasconv_annuaire_school {
    char uai[CLASCONV_UAI_SIZE]; /* Identifiant_de_l_etablissement */
    const char *name;            /* Nom_etablissement, as published */
    const char *type;            /* Type_etablissement ("" when absent) */
    const char *nature_label;    /* libelle_nature ("" when absent) */
    const char *commune_code;    /* Code_commune, INSEE ("" when absent) */
    const char *commune;         /* Nom_commune ("" when absent) */
    const char *postal_code;     /* Code postal ("" when absent) */
    int nature;                  /* code_nature; 0 when absent */
    clasconv_level level;        /* implied by code_nature, else by name */
    /* Matching keys (see match.c). */
    const char *key;         /* clasconv_school_name_normalize() key */
    const char *proper;      /* the key without its type words */
    const char *fingerprint; /* sorted distinct words, no small words */
    int subtype;             /* maternelle, élémentaire, LP ... (match.c) */
    uint32_t next;           /* next school of the commune, or UINT32_MAX */
} clasconv_annuaire_school;

/** An annuaire loaded into memory, indexed by commune and by UAI. */
typedef struct clasconv_annuaire clasconv_annuaire;

/**
 * Loads an Annuaire de l'éducation export (`;`, `,` or tab separated,
 * UTF-8 with or without BOM; columns found by their normalized names,
 * never by position: identifier, name, Type_etablissement, code_nature,
 * libelle_nature, Code_commune, Nom_commune, Code postal, etat). The file
 * is read in pieces, never whole. Schools whose `etat` says closed
 * (FERME) are left out. Fails with IO (cannot read), FORMAT (not such an
 * export: the French message names the missing columns), TOO_LARGE or
 * MEMORY; `diag` says which.
 */
clasconv_error clasconv_annuaire_load(const char *path, clasconv_annuaire **out,
                                      clasconv_diag *diag);

/** Same as clasconv_annuaire_load() for bytes in memory. */
clasconv_error clasconv_annuaire_load_memory(const char *name,
                                             const unsigned char *data,
                                             size_t size,
                                             clasconv_annuaire **out,
                                             clasconv_diag *diag);

void clasconv_annuaire_free(clasconv_annuaire *annuaire);

/** The base name of the file it was loaded from. */
const char *clasconv_annuaire_name(const clasconv_annuaire *annuaire);
/** Number of schools loaded. */
size_t clasconv_annuaire_count(const clasconv_annuaire *annuaire);
/** Number of communes. */
size_t clasconv_annuaire_communes(const clasconv_annuaire *annuaire);
/** School `i` (0 <= i < count). */
const clasconv_annuaire_school *
clasconv_annuaire_school_at(const clasconv_annuaire *annuaire, size_t i);
/** The school of a UAI (any case), or NULL. */
const clasconv_annuaire_school *
clasconv_annuaire_find_uai(const clasconv_annuaire *annuaire, const char *uai);
/**
 * The first school of a commune given by name (any spelling with the same
 * key: "SAINT PRIEST", "St-Priest") or by INSEE code ("69290"); follow
 * `next` for the others. UINT32_MAX when the commune has none.
 */
uint32_t clasconv_annuaire_commune_first(const clasconv_annuaire *annuaire,
                                         const char *commune);

/**
 * A table of the annuaire's schools of a commune (name or INSEE code), for
 * pre-filling the template: first degree, collèges and lycées in level
 * order, then as in the annuaire; names canonicalized, the UAI in `uai`,
 * counts blank, the commune as the annuaire spells it. Fails with NO_TABLE
 * (French message) when the annuaire has no school there, or MEMORY.
 */
clasconv_error
clasconv_annuaire_commune_table(const clasconv_annuaire *annuaire,
                                const char *commune, clasconv_table **out,
                                clasconv_diag *diag);

/* --- Matching (src/ref/match.c) --------------------------------------- */

/** Lowest confidence (percent) at which a school is taken as a match. */
#define CLASCONV_MATCH_THRESHOLD 80

/**
 * Confidence (0..100) that a school name as canonicalized in a table
 * (`key` from clasconv_school_name_normalize()) and an annuaire school
 * are the same school, by type and name: 100 for the same key, then the
 * proper name's key, its word set (OpenRefine fingerprint: punctuation as
 * spaces, sorted distinct words), initials ("J. Ferry"), contained words,
 * and trigram similarity; a type that differs in kind (maternelle /
 * élémentaire) lowers it, another level excludes it (0).
 */
int clasconv_match_confidence(const char *key,
                              const clasconv_annuaire_school *school);

/**
 * The matching stage, after reconcile: every named school of `table` is
 * looked up among the annuaire's schools of the table's commune (by name,
 * or INSEE code). Exactly one candidate at or above the threshold (or one
 * exact among several) gives the school its official name, confidence and
 * UAI (a UAI read in the file is kept; SCHOOL_MATCH_APPROX when not exact).
 * Several: SCHOOL_AMBIGUOUS listing them; none: SCHOOL_NOT_IN_ANNUAIRE. A
 * UAI in the file that the annuaire knows is taken first; one that
 * contradicts the name's match is UAI_CONFLICT; a level implied by
 * code_nature that contradicts the section is LEVEL_CONFLICT. Anomalies go
 * to `list` (the table's own list, normally), which is sorted again.
 * Sets table->annuaire_used. Returns MEMORY or TOO_LARGE.
 */
clasconv_error clasconv_ref_match(clasconv_table *table,
                                  const clasconv_annuaire *annuaire,
                                  clasconv_anomalies *list);

/* --- Year over year (src/ref/compare.c) ------------------------------- */

/** A count moves when it changes by more than this many children... */
#define CLASCONV_COMPARE_MIN_CHILDREN 10
/** ...and by more than this percentage of the older count. */
#define CLASCONV_COMPARE_MIN_PERCENT 50

typedef enum clasconv_change_kind {
    CLASCONV_CHANGE_SCHOOL_NEW = 0, /* in the newer table only */
    CLASCONV_CHANGE_SCHOOL_GONE,    /* in the older table only */
    CLASCONV_CHANGE_SCHEME_STARTED, /* blank or 0, then > 0 */
    CLASCONV_CHANGE_SCHEME_STOPPED, /* > 0, then blank or 0 */
    CLASCONV_CHANGE_COUNT_MOVED     /* both > 0, beyond both thresholds */
} clasconv_change_kind;

/** "SCHOOL_NEW", ... (JSON id). */
const char *clasconv_change_kind_id(clasconv_change_kind kind);

/** One change. Strings are borrowed from the compared tables. */
typedef struct clasconv_change {
    clasconv_change_kind kind;
    clasconv_level level;
    clasconv_scheme scheme; /* CLASCONV_SCHEME_NONE for a school change */
    const char *school;     /* canonical name */
    const char *uai;        /* NULL when unknown */
    int64_t before, after;  /* counts; CLASCONV_BLANK when blank/absent */
} clasconv_change;

/** The comparison of two tables; zero-initialize. */
typedef struct clasconv_comparison {
    const clasconv_table *before; /* borrowed */
    const clasconv_table *after;  /* borrowed */
    clasconv_change *changes;     /* gone, new, then per school in order */
    size_t count;                 /* grown only by clasconv_compare */
    size_t kept;                  /* schools found in both */
    size_t by_uai; /* of which paired by their UAI (else by level + key) */
} clasconv_comparison;

/**
 * Compares two reconciled tables: schools are paired by UAI when both
 * rows have one, else by level and school key (each row once, in order);
 * unpaired ones appear or disappear; for paired schools every scheme that
 * starts, stops or moves by more than both thresholds is a change. Totals
 * per level are the tables' own. Returns MEMORY.
 */
clasconv_error clasconv_compare(const clasconv_table *before,
                                const clasconv_table *after,
                                clasconv_comparison *out);

void clasconv_comparison_free(clasconv_comparison *cmp);

/** Comparisons one per commune (clasconv_compare_communes()); zero-init. */
typedef struct clasconv_comparison_set {
    clasconv_comparison *items; /* in the newer side's order, then the
                                   communes found in the older side only */
    size_t count;
    clasconv_table **empties; /* owned: stand for a commune absent from a
                                 side */
    size_t nempties;
} clasconv_comparison_set;

/**
 * Compares two sides of tables commune by commune, as `compare` does for
 * two files or two batch output folders: communes are paired by the key of
 * their name (else of the file name), each older table once; a commune on
 * one side only is compared with an empty table (held by the set). The
 * tables stay the caller's and must outlive the set. Returns MEMORY (the
 * set is then empty).
 */
clasconv_error clasconv_compare_communes(const clasconv_table *const *before,
                                         size_t nbefore,
                                         const clasconv_table *const *after,
                                         size_t nafter,
                                         clasconv_comparison_set *out);

/** Frees the comparisons and empty tables of a set; NULL does nothing. */
void clasconv_comparison_set_free(clasconv_comparison_set *set);

#ifdef __cplusplus
}
#endif

#endif
