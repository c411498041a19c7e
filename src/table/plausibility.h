/* plausibility.h: the plausibility rules as data (private; the stage itself
 * is clasconv_plausibility_check() in clasconv/table.h). */
#ifndef CLASCONV_TABLE_PLAUSIBILITY_H
#define CLASCONV_TABLE_PLAUSIBILITY_H

#include <stddef.h>
#include <stdint.h>

#include "clasconv/anomaly.h"

/** What a rule looks at in one school row. */
typedef enum plausibility_test {
    /* `scheme` > 0 in a school whose key starts with `school_type` */
    PLAUSIBILITY_SCHEME_IN_TYPE = 0,
    /* the table's total of `scheme` > 0 and not a sum of groups of
     * `group_min`..`group_max` children */
    PLAUSIBILITY_GROUPS,
    /* any count > `limit[level]` (a school's plausible size) */
    PLAUSIBILITY_OVER_SIZE,
    /* `scheme` > 0 at `level` */
    PLAUSIBILITY_SCHEME_AT_LEVEL,
    /* `scheme` > 0 and no précision of the scheme */
    PLAUSIBILITY_NO_DETAIL,
    /* every count of the school 0 or blank */
    PLAUSIBILITY_ALL_EMPTY
} plausibility_test;

/**
 * One rule. The message is French with placeholders replaced per school:
 * {ecole} (canonical name), {nombre} (the count), {dispositif} (scheme
 * label), {niveau} (level label, lower case), {seuil} (the limit of the
 * level), {min} and {max} (group sizes).
 */
typedef struct plausibility_rule {
    clasconv_anomaly_code code;
    clasconv_severity severity; /* avertissement or info, never erreur */
    plausibility_test test;
    clasconv_scheme scheme;  /* NONE when the test looks at every count */
    clasconv_level level;    /* NONE when the test is not about a level */
    const char *school_type; /* key prefix ("ecole maternelle") or NULL */
    int64_t group_min, group_max;
    int64_t limit[CLASCONV_LEVEL_COUNT];
    const char *message;
} plausibility_rule;

/** The rules, in the order they are applied; `*count` is set. */
const plausibility_rule *plausibility_rules(size_t *count);

/** Non-zero when `n` children make whole groups of `min` to `max`. */
int plausibility_groups_reachable(int64_t n, int64_t min, int64_t max);

#endif
