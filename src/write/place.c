/* place.c: which school row and column each anomaly concerns. */
#include "write/place.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Codes that concern the file or a column, never one school row. */
static int is_file_level(clasconv_anomaly_code code)
{
    switch (code) {
    case CLASCONV_A_FILE_UNREADABLE:
    case CLASCONV_A_TABLE_NOT_FOUND:
    case CLASCONV_A_COLUMN_MISSING:
    case CLASCONV_A_COLUMN_UNKNOWN:
    case CLASCONV_A_COLUMN_DUPLICATE:
    case CLASCONV_A_ENCODING_ASSUMED:
    case CLASCONV_A_TABLE_EMPTY:
    case CLASCONV_A_COMMUNE_FROM_FILENAME:
    case CLASCONV_A_COMMUNE_UNKNOWN:
    case CLASCONV_A_COMMUNE_CONFLICT:
    case CLASCONV_A_FILE_DUPLICATE:
    case CLASCONV_A_COMMUNE_DUPLICATE:
    case CLASCONV_A_SHEET_IGNORED:
    case CLASCONV_A_SHEETS_READ:
        return 1;
    default:
        return 0;
    }
}

/* The part of a source reference that names its row, malloc'd:
 * "Feuil1!$C$7" -> "Feuil1!7", "ligne 12, champ 4" -> "ligne 12",
 * "tableau 2, ligne 5, colonne 1" -> "tableau 2, ligne 5"; anything else is
 * copied. NULL when out of memory. */
static char *row_key(const char *ref)
{
    const char *cut = strstr(ref, ", champ");
    const char *bang, *digits;
    size_t prefix;
    char *key;

    if (!cut)
        cut = strstr(ref, ", colonne");
    if (cut)
        return strndup(ref, (size_t)(cut - ref));
    bang = strrchr(ref, '!');
    if (!bang)
        return strdup(ref);
    prefix = (size_t)(bang + 1 - ref);
    digits = bang + 1;
    while (*digits == '$' || (*digits >= 'A' && *digits <= 'Z') ||
           (*digits >= 'a' && *digits <= 'z'))
        digits++;
    key = malloc(prefix + strlen(digits) + 1);
    if (!key)
        return NULL;
    memcpy(key, ref, prefix);
    strcpy(key + prefix, digits);
    return key;
}

/* Schools sorted by a key (then by table order), for lookups in log time
 * whatever the number of schools and anomalies. */
typedef struct school_entry {
    const char *key;
    size_t index;
} school_entry;

typedef struct school_index {
    school_entry *by_row;  /* key: row of the name cell (owned below) */
    school_entry *by_name; /* key: canonical name (borrowed) */
    char **row_keys;
    size_t count;
} school_index;

/* At most this many schools sharing one key are looked at. */
#define SAME_KEY_MAX 64

static int entry_cmp(const void *pa, const void *pb)
{
    const school_entry *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);

    if (c)
        return c;
    return (a->index > b->index) - (a->index < b->index);
}

/* First entry whose key is >= `key`. */
static size_t lower_bound(const school_entry *e, size_t n, const char *key)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(e[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void index_free(school_index *ix)
{
    size_t i;

    for (i = 0; ix->row_keys && i < ix->count; i++)
        free(ix->row_keys[i]);
    free(ix->row_keys);
    free(ix->by_row);
    free(ix->by_name);
    memset(ix, 0, sizeof *ix);
}

static clasconv_error index_build(const clasconv_table *t, school_index *ix)
{
    size_t n = t->nschools, i;

    memset(ix, 0, sizeof *ix);
    ix->by_row = malloc((n ? n : 1) * sizeof *ix->by_row);
    ix->by_name = malloc((n ? n : 1) * sizeof *ix->by_name);
    ix->row_keys = calloc(n ? n : 1, sizeof *ix->row_keys);
    if (!ix->by_row || !ix->by_name || !ix->row_keys) {
        index_free(ix);
        return CLASCONV_ERR_MEMORY;
    }
    ix->count = n;
    for (i = 0; i < n; i++) {
        const clasconv_school *s = &t->schools[i];
        ix->row_keys[i] = row_key(s->cell ? s->cell : "");
        if (!ix->row_keys[i]) {
            index_free(ix);
            return CLASCONV_ERR_MEMORY;
        }
        ix->by_row[i].key = ix->row_keys[i];
        ix->by_row[i].index = i;
        ix->by_name[i].key = s->name ? s->name : "";
        ix->by_name[i].index = i;
    }
    qsort(ix->by_row, n, sizeof *ix->by_row, entry_cmp);
    qsort(ix->by_name, n, sizeof *ix->by_name, entry_cmp);
    return CLASCONV_OK;
}

static int level_matches(const clasconv_anomaly *a, const clasconv_school *s)
{
    return a->level == CLASCONV_LEVEL_NONE || a->level == s->level;
}

/* The school row an anomaly belongs to, or SIZE_MAX: the school of that
 * name on the anomaly's row, else the first of that name (same level),
 * else the first school on that row. */
static size_t find_school(const clasconv_table *t, const school_index *ix,
                          const clasconv_anomaly *a)
{
    int named = a->school && *a->school;
    size_t on_row = SIZE_MAX, p, k;
    char *key = NULL;

    if (a->cell && *a->cell)
        key = row_key(a->cell);
    if (key && *key) {
        p = lower_bound(ix->by_row, ix->count, key);
        for (k = 0; p < ix->count && k < SAME_KEY_MAX &&
                    !strcmp(ix->by_row[p].key, key);
             p++, k++) {
            const clasconv_school *s = &t->schools[ix->by_row[p].index];
            if (!level_matches(a, s))
                continue;
            if (named && s->name && !strcmp(s->name, a->school)) {
                free(key);
                return ix->by_row[p].index;
            }
            if (on_row == SIZE_MAX)
                on_row = ix->by_row[p].index;
        }
    }
    free(key);
    if (named) {
        p = lower_bound(ix->by_name, ix->count, a->school);
        for (k = 0; p < ix->count && k < SAME_KEY_MAX &&
                    !strcmp(ix->by_name[p].key, a->school);
             p++, k++)
            if (level_matches(a, &t->schools[ix->by_name[p].index]))
                return ix->by_name[p].index;
    }
    return on_row;
}

clasconv_error clasconv_place_anomalies(const clasconv_table *t,
                                        clasconv_place *out)
{
    school_index ix;
    size_t i;

    if (index_build(t, &ix) != CLASCONV_OK)
        return CLASCONV_ERR_MEMORY;
    for (i = 0; i < t->anomalies.count; i++) {
        const clasconv_anomaly *a = &t->anomalies.items[i];
        int scheme_ok = a->scheme >= 0 && a->scheme < CLASCONV_SCHEME_COUNT;
        int level_ok = a->level >= 0 && a->level < CLASCONV_LEVEL_COUNT;
        int unnamed = !a->school || !*a->school;
        clasconv_place *p = &out[i];

        p->school = CLASCONV_PLACE_NONE;
        p->scheme = scheme_ok ? (int)a->scheme : -1;
        p->total = -1;
        if (is_file_level(a->code))
            continue;
        if (unnamed && level_ok && scheme_ok &&
            a->code == CLASCONV_A_TOTAL_MISMATCH)
            p->total = (int)a->level;
        else if ((p->school = find_school(t, &ix, a)) != CLASCONV_PLACE_NONE)
            continue;
        else if (level_ok && scheme_ok && unnamed)
            p->total = (int)a->level;
    }
    index_free(&ix);
    return CLASCONV_OK;
}

static int mark_cmp(const void *pa, const void *pb)
{
    const clasconv_cell_mark *a = pa, *b = pb;

    if (a->school != b->school)
        return a->school < b->school ? -1 : 1;
    if (a->scheme != b->scheme)
        return a->scheme < b->scheme ? -1 : 1;
    return (a->anomaly > b->anomaly) - (a->anomaly < b->anomaly);
}

clasconv_error clasconv_place_marks(const clasconv_table *t,
                                    const clasconv_place *places,
                                    clasconv_cell_mark **marks, size_t *count)
{
    size_t n = t->anomalies.count, i, k = 0;
    clasconv_cell_mark *m = malloc((n ? n : 1) * sizeof *m);

    *marks = m;
    *count = 0;
    if (!m)
        return CLASCONV_ERR_MEMORY;
    for (i = 0; i < n; i++) {
        if (places[i].school == CLASCONV_PLACE_NONE)
            continue;
        m[k].school = places[i].school;
        m[k].scheme = places[i].scheme;
        m[k].anomaly = i;
        k++;
    }
    qsort(m, k, sizeof *m, mark_cmp);
    *count = k;
    return CLASCONV_OK;
}

clasconv_severity clasconv_place_message(const clasconv_table *t,
                                         const clasconv_cell_mark *marks,
                                         size_t first, size_t end, char *text,
                                         size_t size)
{
    clasconv_severity worst = CLASCONV_SEV_INFO;
    size_t pos = 0, k;

    text[0] = '\0';
    for (k = first; k < end; k++) {
        const clasconv_anomaly *a = &t->anomalies.items[marks[k].anomaly];
        int n;

        if (a->severity < worst)
            worst = a->severity;
        if (pos >= size)
            continue;
        n = snprintf(text + pos, size - pos, "%s%s : %s", pos ? "\n" : "",
                     clasconv_severity_name(a->severity),
                     a->message ? a->message : "");
        if (n < 0 || (size_t)n >= size - pos) {
            text[pos] = '\0';
            pos = size; /* full: later messages are left out */
            continue;
        }
        pos += (size_t)n;
    }
    return worst;
}
