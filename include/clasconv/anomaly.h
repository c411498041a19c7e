/* anomaly.h: levels, schemes and the anomalies of SPEC sections 1 and 3. */
#ifndef CLASCONV_ANOMALY_H
#define CLASCONV_ANOMALY_H

#include <stddef.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** School levels, in output order. */
typedef enum clasconv_level {
    CLASCONV_LEVEL_NONE = -1,
    CLASCONV_LEVEL_ELEMENTAIRE = 0,
    CLASCONV_LEVEL_COLLEGE,
    CLASCONV_LEVEL_LYCEE,
    CLASCONV_LEVEL_COUNT
} clasconv_level;

/** The nine count columns, in output order. */
typedef enum clasconv_scheme {
    CLASCONV_SCHEME_NONE = -1,
    CLASCONV_SCHEME_ETUDE = 0,
    CLASCONV_SCHEME_ECOLE_OUVERTE,
    CLASCONV_SCHEME_ACCOMPAGNEMENT_EDUCATIF,
    CLASCONV_SCHEME_STAGE_REUSSITE,
    CLASCONV_SCHEME_PRE,
    CLASCONV_SCHEME_PRE_QPV,
    CLASCONV_SCHEME_CLAS,
    CLASCONV_SCHEME_CLAS_QPV,
    CLASCONV_SCHEME_AUTRE,
    CLASCONV_SCHEME_COUNT
} clasconv_scheme;

/** "ELEMENTAIRE", ... (JSON id); "ALL" for CLASCONV_LEVEL_COUNT. */
const char *clasconv_level_id(clasconv_level level);
/** "Élémentaire", ... (workbook label); "Total" for CLASCONV_LEVEL_COUNT. */
const char *clasconv_level_label(clasconv_level level);
/** "ETUDE", ... (JSON id). */
const char *clasconv_scheme_id(clasconv_scheme scheme);
/** "Étude", ... (workbook label). */
const char *clasconv_scheme_label(clasconv_scheme scheme);

typedef enum clasconv_severity {
    CLASCONV_SEV_ERROR = 0, /* erreur */
    CLASCONV_SEV_WARNING,   /* avertissement */
    CLASCONV_SEV_INFO       /* info */
} clasconv_severity;

#define CLASCONV_SEV_COUNT 3

/** "erreur", "avertissement", "info". */
const char *clasconv_severity_name(clasconv_severity severity);

typedef enum clasconv_anomaly_code {
    CLASCONV_A_FILE_UNREADABLE = 0,
    CLASCONV_A_TABLE_NOT_FOUND,
    CLASCONV_A_COLUMN_MISSING,
    CLASCONV_A_COLUMN_UNKNOWN,
    CLASCONV_A_COLUMN_DUPLICATE,
    CLASCONV_A_LEVEL_UNKNOWN,
    CLASCONV_A_LEVEL_CONFLICT,
    CLASCONV_A_SCHOOL_NAME_MISSING,
    CLASCONV_A_SCHOOL_DUPLICATE,
    CLASCONV_A_VALUE_NOT_A_NUMBER,
    CLASCONV_A_VALUE_NOT_INTEGER,
    CLASCONV_A_VALUE_NEGATIVE,
    CLASCONV_A_VALUE_READ_AS_ZERO,
    CLASCONV_A_QPV_EXCEEDS_TOTAL,
    CLASCONV_A_QPV_WITHOUT_TOTAL,
    CLASCONV_A_QPV_MISSING,
    CLASCONV_A_TOTAL_MISMATCH,
    CLASCONV_A_ENCODING_ASSUMED,
    CLASCONV_A_TABLE_EMPTY,
    CLASCONV_A_COMMUNE_FROM_FILENAME,
    CLASCONV_A_COMMUNE_UNKNOWN,
    CLASCONV_A_COMMUNE_CONFLICT,
    /* plausibility rules (src/table/plausibility.c) */
    CLASCONV_A_PLAUSIBILITY_CLAS_MATERNELLE,
    CLASCONV_A_PLAUSIBILITY_CLAS_GROUPS,
    CLASCONV_A_PLAUSIBILITY_SCHOOL_SIZE,
    CLASCONV_A_PLAUSIBILITY_PRE_LYCEE,
    CLASCONV_A_PLAUSIBILITY_AUTRE_SANS_PRECISION,
    CLASCONV_A_PLAUSIBILITY_SCHOOL_EMPTY,
    /* raised by the batch synthesis across files */
    CLASCONV_A_FILE_DUPLICATE,
    CLASCONV_A_COMMUNE_DUPLICATE,
    CLASCONV_A_SCHOOL_IN_TWO_COMMUNES,
    CLASCONV_A_CSV_QUOTE_LENIENT, /* CSV quotes read as LibreOffice does */
    /* UAI and Annuaire de l'éducation (src/ref) */
    CLASCONV_A_UAI_INVALID,            /* wrong check letter, or not a UAI */
    CLASCONV_A_UAI_CONFLICT,           /* file UAI and annuaire match differ */
    CLASCONV_A_SCHOOL_NOT_IN_ANNUAIRE, /* no school of the commune matches */
    CLASCONV_A_SCHOOL_AMBIGUOUS,       /* several schools match */
    CLASCONV_A_SCHOOL_MATCH_APPROX,    /* matched by a fuzzy key (info) */
    /* several tables, counts with a unit (src/table) */
    CLASCONV_A_SHEET_IGNORED,
    CLASCONV_A_SHEETS_READ,
    CLASCONV_A_VALUE_UNIT_REMOVED,
    CLASCONV_A_FILE_CONVERTED, /* read after LibreOffice converted it */
    CLASCONV_A_COUNT
} clasconv_anomaly_code;

/** "FILE_UNREADABLE", ... */
const char *clasconv_anomaly_code_name(clasconv_anomaly_code code);
/** The severity SPEC section 3 gives the code. */
clasconv_severity clasconv_anomaly_code_severity(clasconv_anomaly_code code);

/** One anomaly. Strings are owned by the list; NULL = not applicable. */
typedef struct clasconv_anomaly {
    clasconv_anomaly_code code;
    clasconv_severity severity;
    clasconv_level level;   /* CLASCONV_LEVEL_NONE when not applicable */
    clasconv_scheme scheme; /* CLASCONV_SCHEME_NONE when not applicable */
    char *school;           /* canonical school name */
    char *cell;             /* source reference */
    char *read;             /* value read, as text */
    char *kept;             /* value kept, as text ("" = blank) */
    char *message;          /* French */
} clasconv_anomaly;

/** A growable list of anomalies. Zero-initialize. Past
 * CLASCONV_ANOMALIES_PER_CODE anomalies of one code, the next ones are
 * counted in one summarising anomaly of that code (« et N autres
 * cellules »), so the list stays bounded whatever the input. */
typedef struct clasconv_anomalies {
    clasconv_anomaly *items;
    size_t count; /* the capacity follows from it: items grow only
                     through clasconv_anomalies_add */
    size_t per_code[CLASCONV_A_COUNT]; /* anomalies added, by code */
    size_t summary[CLASCONV_A_COUNT];  /* 1 + index of the summary, or 0 */
} clasconv_anomalies;

/** Where an anomaly is; zero-initialize, set what is known. */
typedef struct clasconv_anomaly_at {
    clasconv_level level;   /* set to CLASCONV_LEVEL_NONE if unknown */
    clasconv_scheme scheme; /* set to CLASCONV_SCHEME_NONE if unknown */
    const char *school;
    const char *cell;
    const char *read;
    const char *kept;
} clasconv_anomaly_at;

/** A location with nothing known. */
clasconv_anomaly_at clasconv_anomaly_nowhere(void);

/**
 * Appends an anomaly with the code's severity; strings are copied. The
 * message is printf-formatted French. Returns CLASCONV_ERR_MEMORY or
 * CLASCONV_ERR_TOO_LARGE (more than CLASCONV_ANOMALIES_MAX).
 */
clasconv_error
clasconv_anomalies_add(clasconv_anomalies *list, clasconv_anomaly_code code,
                       const clasconv_anomaly_at *at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#define CLASCONV_ANOMALIES_MAX 1000000u
/** Anomalies of one code listed one by one; the others are summarised. */
#define CLASCONV_ANOMALIES_PER_CODE 200u
/** Longest message and fields kept (bytes, before « … (N caractères de
 * plus) »): a 32 KB school name must not be copied into every anomaly. */
#define CLASCONV_ANOMALY_MAX_MESSAGE 2048u
#define CLASCONV_ANOMALY_MAX_FIELD 512u

/** Stable sort: errors first, then warnings, then infos. */
void clasconv_anomalies_sort(clasconv_anomalies *list);
/** Number of anomalies of a severity. */
size_t clasconv_anomalies_count(const clasconv_anomalies *list,
                                clasconv_severity severity);
/** Frees the list's contents; the list is empty after. */
void clasconv_anomalies_free(clasconv_anomalies *list);

#ifdef __cplusplus
}
#endif

#endif
