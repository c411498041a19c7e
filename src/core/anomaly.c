/* anomaly.c: level/scheme/anomaly vocabularies and the anomaly list. */
#include "clasconv/anomaly.h"
#include "core/grow.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cut.h"

const char *clasconv_level_id(clasconv_level level)
{
    switch (level) {
    case CLASCONV_LEVEL_ELEMENTAIRE:
        return "ELEMENTAIRE";
    case CLASCONV_LEVEL_COLLEGE:
        return "COLLEGE";
    case CLASCONV_LEVEL_LYCEE:
        return "LYCEE";
    case CLASCONV_LEVEL_COUNT:
        return "ALL";
    case CLASCONV_LEVEL_NONE:
        break;
    }
    return NULL;
}

const char *clasconv_level_label(clasconv_level level)
{
    switch (level) {
    case CLASCONV_LEVEL_ELEMENTAIRE:
        return "Élémentaire";
    case CLASCONV_LEVEL_COLLEGE:
        return "Collège";
    case CLASCONV_LEVEL_LYCEE:
        return "Lycée";
    case CLASCONV_LEVEL_COUNT:
        return "Total";
    case CLASCONV_LEVEL_NONE:
        break;
    }
    return NULL;
}

static const char *const scheme_ids[CLASCONV_SCHEME_COUNT] = {
    "ETUDE",          "ECOLE_OUVERTE", "ACCOMPAGNEMENT_EDUCATIF",
    "STAGE_REUSSITE", "PRE",           "PRE_QPV",
    "CLAS",           "CLAS_QPV",      "AUTRE"};

static const char *const scheme_labels[CLASCONV_SCHEME_COUNT] = {
    "Étude",
    "École ouverte",
    "Accompagnement éducatif",
    "Stage de réussite",
    "PRE",
    "PRE dont QPV",
    "CLAS",
    "CLAS dont QPV",
    "Autre"};

const char *clasconv_scheme_id(clasconv_scheme scheme)
{
    if (scheme < 0 || scheme >= CLASCONV_SCHEME_COUNT)
        return NULL;
    return scheme_ids[scheme];
}

const char *clasconv_scheme_label(clasconv_scheme scheme)
{
    if (scheme < 0 || scheme >= CLASCONV_SCHEME_COUNT)
        return NULL;
    return scheme_labels[scheme];
}

const char *clasconv_severity_name(clasconv_severity severity)
{
    switch (severity) {
    case CLASCONV_SEV_ERROR:
        return "erreur";
    case CLASCONV_SEV_WARNING:
        return "avertissement";
    case CLASCONV_SEV_INFO:
        return "info";
    }
    return "info";
}

static const struct {
    const char *name;
    clasconv_severity severity;
} codes[CLASCONV_A_COUNT] = {
    [CLASCONV_A_FILE_UNREADABLE] = {"FILE_UNREADABLE", CLASCONV_SEV_ERROR},
    [CLASCONV_A_TABLE_NOT_FOUND] = {"TABLE_NOT_FOUND", CLASCONV_SEV_ERROR},
    [CLASCONV_A_COLUMN_MISSING] = {"COLUMN_MISSING", CLASCONV_SEV_WARNING},
    [CLASCONV_A_COLUMN_UNKNOWN] = {"COLUMN_UNKNOWN", CLASCONV_SEV_WARNING},
    [CLASCONV_A_COLUMN_DUPLICATE] = {"COLUMN_DUPLICATE", CLASCONV_SEV_ERROR},
    [CLASCONV_A_LEVEL_UNKNOWN] = {"LEVEL_UNKNOWN", CLASCONV_SEV_ERROR},
    [CLASCONV_A_LEVEL_CONFLICT] = {"LEVEL_CONFLICT", CLASCONV_SEV_WARNING},
    [CLASCONV_A_SCHOOL_NAME_MISSING] = {"SCHOOL_NAME_MISSING",
                                        CLASCONV_SEV_ERROR},
    [CLASCONV_A_SCHOOL_DUPLICATE] = {"SCHOOL_DUPLICATE", CLASCONV_SEV_WARNING},
    [CLASCONV_A_VALUE_NOT_A_NUMBER] = {"VALUE_NOT_A_NUMBER",
                                       CLASCONV_SEV_ERROR},
    [CLASCONV_A_VALUE_NOT_INTEGER] = {"VALUE_NOT_INTEGER", CLASCONV_SEV_ERROR},
    [CLASCONV_A_VALUE_NEGATIVE] = {"VALUE_NEGATIVE", CLASCONV_SEV_ERROR},
    [CLASCONV_A_VALUE_READ_AS_ZERO] = {"VALUE_READ_AS_ZERO", CLASCONV_SEV_INFO},
    [CLASCONV_A_QPV_EXCEEDS_TOTAL] = {"QPV_EXCEEDS_TOTAL", CLASCONV_SEV_ERROR},
    [CLASCONV_A_QPV_WITHOUT_TOTAL] = {"QPV_WITHOUT_TOTAL", CLASCONV_SEV_ERROR},
    [CLASCONV_A_QPV_MISSING] = {"QPV_MISSING", CLASCONV_SEV_WARNING},
    [CLASCONV_A_TOTAL_MISMATCH] = {"TOTAL_MISMATCH", CLASCONV_SEV_WARNING},
    [CLASCONV_A_ENCODING_ASSUMED] = {"ENCODING_ASSUMED", CLASCONV_SEV_INFO},
    [CLASCONV_A_TABLE_EMPTY] = {"TABLE_EMPTY", CLASCONV_SEV_ERROR},
    [CLASCONV_A_COMMUNE_FROM_FILENAME] = {"COMMUNE_FROM_FILENAME",
                                          CLASCONV_SEV_INFO},
    [CLASCONV_A_COMMUNE_UNKNOWN] = {"COMMUNE_UNKNOWN", CLASCONV_SEV_WARNING},
    [CLASCONV_A_COMMUNE_CONFLICT] = {"COMMUNE_CONFLICT", CLASCONV_SEV_WARNING},
    /* must agree with the severities of src/table/plausibility.c (a unit
     * test checks it) */
    [CLASCONV_A_PLAUSIBILITY_CLAS_MATERNELLE] = {"PLAUSIBILITY_CLAS_MATERNELLE",
                                                 CLASCONV_SEV_WARNING},
    [CLASCONV_A_PLAUSIBILITY_CLAS_GROUPS] = {"PLAUSIBILITY_CLAS_GROUPS",
                                             CLASCONV_SEV_INFO},
    [CLASCONV_A_PLAUSIBILITY_SCHOOL_SIZE] = {"PLAUSIBILITY_SCHOOL_SIZE",
                                             CLASCONV_SEV_WARNING},
    [CLASCONV_A_PLAUSIBILITY_PRE_LYCEE] = {"PLAUSIBILITY_PRE_LYCEE",
                                           CLASCONV_SEV_INFO},
    [CLASCONV_A_PLAUSIBILITY_AUTRE_SANS_PRECISION] =
        {"PLAUSIBILITY_AUTRE_SANS_PRECISION", CLASCONV_SEV_WARNING},
    [CLASCONV_A_PLAUSIBILITY_SCHOOL_EMPTY] = {"PLAUSIBILITY_SCHOOL_EMPTY",
                                              CLASCONV_SEV_INFO},
    [CLASCONV_A_FILE_DUPLICATE] = {"FILE_DUPLICATE", CLASCONV_SEV_WARNING},
    [CLASCONV_A_COMMUNE_DUPLICATE] = {"COMMUNE_DUPLICATE",
                                      CLASCONV_SEV_WARNING},
    [CLASCONV_A_SCHOOL_IN_TWO_COMMUNES] = {"SCHOOL_IN_TWO_COMMUNES",
                                           CLASCONV_SEV_INFO},
    [CLASCONV_A_CSV_QUOTE_LENIENT] = {"CSV_QUOTE_LENIENT", CLASCONV_SEV_INFO},
    [CLASCONV_A_UAI_INVALID] = {"UAI_INVALID", CLASCONV_SEV_WARNING},
    [CLASCONV_A_UAI_CONFLICT] = {"UAI_CONFLICT", CLASCONV_SEV_WARNING},
    [CLASCONV_A_SCHOOL_NOT_IN_ANNUAIRE] = {"SCHOOL_NOT_IN_ANNUAIRE",
                                           CLASCONV_SEV_WARNING},
    [CLASCONV_A_SCHOOL_AMBIGUOUS] = {"SCHOOL_AMBIGUOUS", CLASCONV_SEV_WARNING},
    [CLASCONV_A_SCHOOL_MATCH_APPROX] = {"SCHOOL_MATCH_APPROX",
                                        CLASCONV_SEV_INFO},
    [CLASCONV_A_SHEET_IGNORED] = {"SHEET_IGNORED", CLASCONV_SEV_WARNING},
    [CLASCONV_A_SHEETS_READ] = {"SHEETS_READ", CLASCONV_SEV_INFO},
    [CLASCONV_A_VALUE_UNIT_REMOVED] = {"VALUE_UNIT_REMOVED", CLASCONV_SEV_INFO},
    [CLASCONV_A_FILE_CONVERTED] = {"FILE_CONVERTED", CLASCONV_SEV_INFO},
};

const char *clasconv_anomaly_code_name(clasconv_anomaly_code code)
{
    if (code < 0 || code >= CLASCONV_A_COUNT)
        return "UNKNOWN";
    return codes[code].name;
}

clasconv_severity clasconv_anomaly_code_severity(clasconv_anomaly_code code)
{
    if (code < 0 || code >= CLASCONV_A_COUNT)
        return CLASCONV_SEV_ERROR;
    return codes[code].severity;
}

clasconv_anomaly_at clasconv_anomaly_nowhere(void)
{
    clasconv_anomaly_at at;

    memset(&at, 0, sizeof at);
    at.level = CLASCONV_LEVEL_NONE;
    at.scheme = CLASCONV_SCHEME_NONE;
    return at;
}

static int dup_opt(const char *src, char **dst)
{
    int failed = 0;

    *dst = clasconv_cut_dup(src, CLASCONV_ANOMALY_MAX_FIELD, &failed);
    return failed ? -1 : 0;
}

static clasconv_error grow(clasconv_anomalies *list)
{
    if (list->count >= CLASCONV_ANOMALIES_MAX)
        return CLASCONV_ERR_TOO_LARGE;
    if (clasconv_grow_count((void **)&list->items, list->count, list->count + 1,
                            sizeof *list->items, CLASCONV_ANOMALIES_MAX))
        return CLASCONV_ERR_MEMORY;
    return CLASCONV_OK;
}

/* Past CLASCONV_ANOMALIES_PER_CODE, one anomaly per code counts the rest;
 * its message is rewritten as the count grows (a few bytes each time). */
static clasconv_error summarise(clasconv_anomalies *list,
                                clasconv_anomaly_code code)
{
    size_t omitted = list->per_code[code] - CLASCONV_ANOMALIES_PER_CODE;
    clasconv_anomaly *a;
    char text[256];
    char *message;

    snprintf(text, sizeof text,
             "… et %zu autre%s cellule%s avec la même anomalie (%s), non "
             "détaillée%s : seules les %u premières le sont.",
             omitted, omitted > 1 ? "s" : "", omitted > 1 ? "s" : "",
             clasconv_anomaly_code_name(code), omitted > 1 ? "s" : "",
             CLASCONV_ANOMALIES_PER_CODE);
    message = strdup(text);
    if (!message)
        return CLASCONV_ERR_MEMORY;
    if (list->summary[code] == 0) {
        clasconv_error err = grow(list);
        if (err != CLASCONV_OK) {
            free(message);
            return err;
        }
        a = &list->items[list->count++];
        memset(a, 0, sizeof *a);
        a->code = code;
        a->severity = clasconv_anomaly_code_severity(code);
        a->level = CLASCONV_LEVEL_NONE;
        a->scheme = CLASCONV_SCHEME_NONE;
        list->summary[code] = list->count;
    } else {
        a = &list->items[list->summary[code] - 1];
        free(a->message);
    }
    a->message = message;
    return CLASCONV_OK;
}

static void anomaly_clear(clasconv_anomaly *a)
{
    free(a->school);
    free(a->cell);
    free(a->read);
    free(a->kept);
    free(a->message);
}

clasconv_error clasconv_anomalies_add(clasconv_anomalies *list,
                                      clasconv_anomaly_code code,
                                      const clasconv_anomaly_at *at,
                                      const char *fmt, ...)
{
    clasconv_anomaly a;
    clasconv_anomaly_at nowhere = clasconv_anomaly_nowhere();
    clasconv_error err;
    va_list ap;
    int n;

    if (!at)
        at = &nowhere;
    if (code >= 0 && code < CLASCONV_A_COUNT &&
        ++list->per_code[code] > CLASCONV_ANOMALIES_PER_CODE)
        return summarise(list, code);
    err = grow(list);
    if (err != CLASCONV_OK)
        return err;
    memset(&a, 0, sizeof a);
    a.code = code;
    a.severity = clasconv_anomaly_code_severity(code);
    a.level = at->level;
    a.scheme = at->scheme;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n >= 0) {
        a.message = malloc((size_t)n + 1);
        if (a.message) {
            va_start(ap, fmt);
            vsnprintf(a.message, (size_t)n + 1, fmt, ap);
            va_end(ap);
        }
        if (a.message && (size_t)n > CLASCONV_ANOMALY_MAX_MESSAGE) {
            int failed = 0;
            char *cut = clasconv_cut_dup(a.message,
                                         CLASCONV_ANOMALY_MAX_MESSAGE, &failed);
            free(a.message);
            a.message = cut;
        }
    }
    if (!a.message || dup_opt(at->school, &a.school) ||
        dup_opt(at->cell, &a.cell) || dup_opt(at->read, &a.read) ||
        dup_opt(at->kept, &a.kept)) {
        anomaly_clear(&a);
        return CLASCONV_ERR_MEMORY;
    }
    list->items[list->count++] = a;
    return CLASCONV_OK;
}

void clasconv_anomalies_sort(clasconv_anomalies *list)
{
    clasconv_anomaly *sorted;
    size_t i, n = 0;
    int sev;

    /* Stable bucket pass by severity: lists can be long on huge files. */
    if (list->count < 2)
        return;
    /* the capacity follows from the count (core/grow.h) */
    sorted = malloc(clasconv_grow_capacity(list->count, CLASCONV_GROW_MIN,
                                           CLASCONV_ANOMALIES_MAX) *
                    sizeof *sorted);
    if (!sorted)
        return; /* order is cosmetic: keep source order */
    for (sev = 0; sev < CLASCONV_SEV_COUNT; sev++)
        for (i = 0; i < list->count; i++)
            if ((int)list->items[i].severity == sev) {
                clasconv_anomaly_code code = list->items[i].code;
                if (code >= 0 && code < CLASCONV_A_COUNT &&
                    list->summary[code] == i + 1)
                    list->summary[code] = n + 1; /* it moves */
                sorted[n++] = list->items[i];
            }
    free(list->items);
    list->items = sorted;
}

size_t clasconv_anomalies_count(const clasconv_anomalies *list,
                                clasconv_severity severity)
{
    size_t i, n = 0;

    for (i = 0; i < list->count; i++)
        if (list->items[i].severity == severity)
            n++;
    /* a summary stands for the anomalies it counts */
    for (i = 0; i < CLASCONV_A_COUNT; i++)
        if (list->summary[i] != 0 && clasconv_anomaly_code_severity(
                                         (clasconv_anomaly_code)i) == severity)
            n += list->per_code[i] - CLASCONV_ANOMALIES_PER_CODE - 1;
    return n;
}

void clasconv_anomalies_free(clasconv_anomalies *list)
{
    size_t i;

    for (i = 0; i < list->count; i++)
        anomaly_clear(&list->items[i]);
    free(list->items);
    memset(list, 0, sizeof *list);
}
