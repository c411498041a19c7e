/* table.h: the normalized table, and the stages that build it from a grid:
 * value reading, school names, header vocabulary, locator, reconciliation.
 */
#ifndef CLASCONV_TABLE_H
#define CLASCONV_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"
#include "error.h"
#include "grid.h"
#include "text.h" /* clasconv_text_key() */

#ifdef __cplusplus
extern "C" {
#endif

/** A blank count (cell not filled in, or a value not retained). */
#define CLASCONV_BLANK ((int64_t)-1)
/** Largest count accepted as a number of children. */
#define CLASCONV_COUNT_MAX ((int64_t)1000000000)

/* --- Value reading (SPEC section 1) ----------------------------------- */

typedef enum clasconv_value_status {
    CLASCONV_VALUE_BLANK = 0,    /* empty cell */
    CLASCONV_VALUE_OK,           /* a whole number >= 0 */
    CLASCONV_VALUE_ZERO_WORD,    /* `-`, `néant`, `aucun`: 0, info */
    CLASCONV_VALUE_NOT_A_NUMBER, /* text that is not a count */
    CLASCONV_VALUE_NOT_INTEGER,  /* a number with a fraction */
    CLASCONV_VALUE_NEGATIVE,     /* a negative number */
    CLASCONV_VALUE_UNIT_REMOVED  /* `12 enfants`: 12, info */
} clasconv_value_status;

/**
 * Reads a count from cell text. Sets `*value` (0 for ZERO_WORD,
 * CLASCONV_BLANK when not retained).
 */
clasconv_value_status clasconv_value_parse_text(const char *text,
                                                int64_t *value);
/** Reads a count from a numeric cell. */
clasconv_value_status clasconv_value_parse_number(double number,
                                                  int64_t *value);
/** Reads a count from a grid cell (NULL = blank). */
clasconv_value_status clasconv_value_parse_cell(const clasconv_cell *cell,
                                                int64_t *value);
/** Writes the cell as read, as text ("12,5", "NC"), in `buf`. */
void clasconv_value_cell_text(const clasconv_cell *cell, char *buf,
                              size_t size);

/* --- School names (SPEC section 2) ------------------------------------ */

/** The result of normalizing one school name. Strings are malloc'd. */
typedef struct clasconv_school_name {
    char *canonical;      /* "École élémentaire Jules Ferry" */
    char *key;            /* "ecole elementaire jules ferry" */
    clasconv_level level; /* level implied by the type, or NONE */
} clasconv_school_name;

/**
 * Normalizes a school name as read (UTF-8). Returns MEMORY on failure.
 * An all-blank name gives canonical "" and key "".
 */
clasconv_error clasconv_school_name_normalize(const char *read,
                                              clasconv_school_name *out);
void clasconv_school_name_free(clasconv_school_name *name);

/* --- The normalized table --------------------------------------------- */

/** One school row of the output. Strings are owned by the table. */
typedef struct clasconv_school {
    clasconv_level level;
    char *name; /* canonical; "(sans nom, A25)" when missing */
    char *key;
    char *read_name;    /* as read; NULL when the name cell is empty */
    char *cell;         /* source reference of the name cell */
    char *autre_detail; /* "Autre (précision)"; NULL when none */
    int64_t counts[CLASCONV_SCHEME_COUNT]; /* CLASCONV_BLANK = blank */
    /* Reference (src/ref): the UAI read in the file (its UAI column or
     * its name) or else found in the annuaire; the annuaire's name and the
     * confidence of the match (1..100; 0 = not matched). */
    char *uai;           /* NULL when none */
    char *official_name; /* NULL when not matched */
    int confidence;
    /* The commune's remarks: the row's values in the columns that map to
     * no scheme, « En-tête : valeur » joined by " ; " (a column headed
     * « Observations » gives its value alone); NULL when none. Built by
     * clasconv_school_add_observation. */
    char *observations;
} clasconv_school;

/** Longest observations text kept for a school (bytes); past it, later
 * values are dropped and « … » ends the text. */
#define CLASCONV_OBSERVATIONS_MAX 4000u

/** Per-level sums: blanks count as 0. */
typedef struct clasconv_totals {
    int64_t schools;
    int64_t counts[CLASCONV_SCHEME_COUNT];
} clasconv_totals;

/* Buckets of a totals array: one per level (index = clasconv_level), then
 * the grand total (every school, unknown level included), then the schools
 * whose level is unknown. */
#define CLASCONV_TOTALS_ALL CLASCONV_LEVEL_COUNT
#define CLASCONV_TOTALS_UNKNOWN (CLASCONV_LEVEL_COUNT + 1)
#define CLASCONV_TOTALS_COUNT (CLASCONV_LEVEL_COUNT + 2)

/** A declared TOTAL row as read from the file. */
typedef struct clasconv_declared_total {
    int present;                           /* a TOTAL row was found */
    int64_t counts[CLASCONV_SCHEME_COUNT]; /* CLASCONV_BLANK if empty */
    char *cells[CLASCONV_SCHEME_COUNT];    /* source refs (NULL if none) */
    char *read[CLASCONV_SCHEME_COUNT];     /* text as read (NULL if none) */
} clasconv_declared_total;

/** Key/value facts for the Source sheet. */
typedef struct clasconv_field {
    char *name;
    char *value;
} clasconv_field;

/** How the commune was found (Source sheet, JSON "commune_source"). */
typedef enum clasconv_commune_source {
    CLASCONV_COMMUNE_NONE = 0, /* not found */
    CLASCONV_COMMUNE_CELL,     /* a "Territoire de"/"Commune" cell or field */
    CLASCONV_COMMUNE_TITLE, /* a title: « Ville de X », « Mairie de X » */
    CLASCONV_COMMUNE_FILE_NAME /* the file name */
} clasconv_commune_source;

/** "cellule", "titre", "nom_de_fichier"; NULL for NONE (JSON null). */
const char *clasconv_commune_source_id(clasconv_commune_source source);
/** French, for the Source sheet and the reports ("nom du fichier"...). */
const char *clasconv_commune_source_label(clasconv_commune_source source);

/** Everything known about one converted input. Its arrays (sheets,
 * schools, fields) grow only through clasconv_table_add_*: their capacity
 * follows from their count and is no part of the public struct. */
typedef struct clasconv_table {
    char *file_name; /* base name of the input */
    char *format;    /* "xls", "csv", ... */
    char *sheet;     /* sheet(s) (or "tableau 2") read, joined by ", " */
    char **sheets;   /* every sheet read, in order (clasconv_table_add_sheet) */
    size_t nsheets;
    char *commune;
    clasconv_commune_source commune_source;
    char *encoding;  /* CSV: "UTF-8", "Windows-1252" ...; else NULL */
    char sha256[65]; /* of the input bytes, lowercase hex */

    clasconv_school *schools; /* level order, then source order */
    size_t nschools;

    /* set by clasconv_reconcile with clasconv_table_totals. JSON, the
     * reports and the synthesis read it (a batch summary may carry fewer
     * schools than it counts); the workbook and the template call
     * clasconv_table_totals on the rows they write, so that their cached
     * values match their formulas. */
    clasconv_totals totals[CLASCONV_TOTALS_COUNT];
    clasconv_declared_total declared[CLASCONV_LEVEL_COUNT];
    clasconv_declared_total declared_all; /* a grand TOTAL row, if any */

    clasconv_field *fields; /* extra Source facts (Word form fields...) */
    size_t nfields;

    clasconv_anomalies anomalies;

    int annuaire_used; /* schools were matched to an annuaire (src/ref) */
} clasconv_table;

/** A zero-initialized table. */
clasconv_table *clasconv_table_new(void);
void clasconv_table_free(clasconv_table *table);
/* Frees the schools and anomalies of a table and leaves them empty (the
 * rest of the table is kept). */
void clasconv_table_drop_schools(clasconv_table *table);
/** Appends a school (strings copied); returns the new row or NULL. */
clasconv_school *clasconv_table_add_school(clasconv_table *table,
                                           clasconv_level level,
                                           const char *name, const char *key,
                                           const char *read_name,
                                           const char *cell);
/** Appends a Source field (copied). */
clasconv_error clasconv_table_add_field(clasconv_table *table, const char *name,
                                        const char *value);
/** Appends a sheet read (copied) to `sheets` and rebuilds `sheet`. */
clasconv_error clasconv_table_add_sheet(clasconv_table *table,
                                        const char *label);
/**
 * Appends a remark to `school->observations`: « header : value », or the
 * value alone when `header` is NULL, after " ; " when not the first; the
 * value is cut to 1000 bytes and the whole to CLASCONV_OBSERVATIONS_MAX.
 * A blank value adds nothing. Returns MEMORY.
 */
clasconv_error clasconv_school_add_observation(clasconv_school *school,
                                               const char *header,
                                               const char *value);
/** Sets a string member (copied; NULL clears). */
clasconv_error clasconv_table_set_string(char **member, const char *value);

/**
 * The one place totals are computed: sums the schools' counts into `out`
 * (indexed by level, CLASCONV_TOTALS_ALL, CLASCONV_TOTALS_UNKNOWN). Blanks
 * and negative values count as 0; a school of unknown level counts in the
 * UNKNOWN bucket and in ALL, never in a level.
 */
void clasconv_table_totals(const clasconv_table *table,
                           clasconv_totals out[CLASCONV_TOTALS_COUNT]);

/* --- Stages ------------------------------------------------------------ */

/**
 * Finds the CLAS table in `grid` (any sheet) and fills `table`: schools
 * with their values read, declared totals, commune (from a "Territoire
 * de"/"Commune" cell), and the anomalies of reading. Fails with NO_TABLE
 * (and a French message saying what was looked for) when no sheet holds a
 * recognizable header. `file_name` is used for the commune when the file
 * names none.
 */
clasconv_error clasconv_locate(const clasconv_grid *grid, const char *file_name,
                               clasconv_table *table, clasconv_diag *diag);

/**
 * Reconciles a located table: level conflicts, duplicates, QPV checks,
 * totals per level and declared totals. Sorts the anomalies.
 */
clasconv_error clasconv_reconcile(clasconv_table *table);

/**
 * Checks what a reconciled table says: TABLE_EMPTY (erreur) when it has
 * no school row or not one count, else the plausibility rules of
 * src/table/plausibility.c (avertissement or info). Sorts the anomalies.
 */
clasconv_error clasconv_plausibility_check(clasconv_table *table);

#ifdef __cplusplus
}
#endif

#endif
