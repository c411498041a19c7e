/* compare.c: year over year: pairs the schools of two tables (by UAI, else
 * by level and key) and lists what appeared, disappeared, started, stopped
 * or moved. */
#include "clasconv/ref.h"

#include <stdlib.h>
#include <string.h>

#include "core/grow.h"

const char *clasconv_change_kind_id(clasconv_change_kind kind)
{
    switch (kind) {
    case CLASCONV_CHANGE_SCHOOL_NEW:
        return "SCHOOL_NEW";
    case CLASCONV_CHANGE_SCHOOL_GONE:
        return "SCHOOL_GONE";
    case CLASCONV_CHANGE_SCHEME_STARTED:
        return "SCHEME_STARTED";
    case CLASCONV_CHANGE_SCHEME_STOPPED:
        return "SCHEME_STOPPED";
    case CLASCONV_CHANGE_COUNT_MOVED:
        return "COUNT_MOVED";
    }
    return "UNKNOWN";
}

/* A school of the older table, for pairing. */
typedef struct entry {
    const clasconv_school *school;
    char uai[CLASCONV_UAI_SIZE]; /* "" when none (or not a UAI) */
    int used;
} entry;

static void uai_of(const clasconv_school *s, char uai[CLASCONV_UAI_SIZE])
{
    if (clasconv_uai_parse(s->uai, uai, NULL) == CLASCONV_UAI_MALFORMED)
        uai[0] = '\0';
}

static int key_cmp(const entry *x, const entry *y)
{
    int c = (int)x->school->level - (int)y->school->level;

    return c ? c : strcmp(x->school->key, y->school->key);
}

static int uai_cmp(const entry *x, const entry *y)
{
    return strcmp(x->uai, y->uai);
}

static int by_key(const void *a, const void *b)
{
    return key_cmp(*(entry *const *)a, *(entry *const *)b);
}

static int by_uai(const void *a, const void *b)
{
    return uai_cmp(*(entry *const *)a, *(entry *const *)b);
}

/* The first unused entry equal to `probe` in `sorted`, skipping, when the
 * probe has a UAI, entries with another UAI. NULL when none. */
static entry *find_unused(entry **sorted, size_t n, const entry *probe,
                          int (*cmp)(const entry *, const entry *))
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp(sorted[mid], probe) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < n && cmp(sorted[lo], probe) == 0; lo++)
        if (!sorted[lo]->used && (!probe->uai[0] || !sorted[lo]->uai[0] ||
                                  !strcmp(probe->uai, sorted[lo]->uai)))
            return sorted[lo];
    return NULL;
}

static clasconv_error add_change(clasconv_comparison *cmp,
                                 clasconv_change_kind kind,
                                 const clasconv_school *s,
                                 clasconv_scheme scheme, int64_t before,
                                 int64_t after)
{
    clasconv_change *c;
    clasconv_error err =
        clasconv_grow_count((void **)&cmp->changes, cmp->count, cmp->count + 1,
                            sizeof *cmp->changes, (size_t)1 << 24);

    if (err)
        return err;
    c = &cmp->changes[cmp->count++];
    c->kind = kind;
    c->level = s->level;
    c->scheme = scheme;
    c->school = s->name;
    c->uai = s->uai;
    c->before = before;
    c->after = after;
    return CLASCONV_OK;
}

static int moved(int64_t before, int64_t after)
{
    int64_t delta = after > before ? after - before : before - after;

    return delta > CLASCONV_COMPARE_MIN_CHILDREN &&
           delta * 100 > (int64_t)CLASCONV_COMPARE_MIN_PERCENT * before;
}

static clasconv_error compare_counts(clasconv_comparison *cmp,
                                     const clasconv_school *old,
                                     const clasconv_school *now)
{
    clasconv_error err = CLASCONV_OK;
    int s;

    for (s = 0; s < CLASCONV_SCHEME_COUNT && !err; s++) {
        int64_t b = old->counts[s], a = now->counts[s];
        int64_t b0 = b > 0 ? b : 0, a0 = a > 0 ? a : 0;
        clasconv_change_kind kind;

        if (b0 == 0 && a0 > 0)
            kind = CLASCONV_CHANGE_SCHEME_STARTED;
        else if (b0 > 0 && a0 == 0)
            kind = CLASCONV_CHANGE_SCHEME_STOPPED;
        else if (b0 > 0 && moved(b0, a0))
            kind = CLASCONV_CHANGE_COUNT_MOVED;
        else
            continue;
        err = add_change(cmp, kind, now, (clasconv_scheme)s, b, a);
    }
    return err;
}

clasconv_error clasconv_compare(const clasconv_table *before,
                                const clasconv_table *after,
                                clasconv_comparison *out)
{
    size_t n = before->nschools, i;
    entry *entries = calloc(n ? n : 1, sizeof *entries);
    entry **keys = calloc(n ? n : 1, sizeof *keys);
    entry **uais = calloc(n ? n : 1, sizeof *uais);
    entry **pair = calloc(after->nschools ? after->nschools : 1, sizeof *pair);
    clasconv_error err = CLASCONV_OK;

    memset(out, 0, sizeof *out);
    out->before = before;
    out->after = after;
    if (!entries || !keys || !uais || !pair) {
        err = CLASCONV_ERR_MEMORY;
        goto done;
    }
    for (i = 0; i < n; i++) {
        entries[i].school = &before->schools[i];
        uai_of(entries[i].school, entries[i].uai);
        keys[i] = uais[i] = &entries[i];
    }
    qsort(keys, n, sizeof *keys, by_key);
    qsort(uais, n, sizeof *uais, by_uai);

    /* By UAI first (both rows have one), then by level + key. */
    for (i = 0; i < after->nschools; i++) {
        entry probe = {&after->schools[i], "", 0};
        uai_of(probe.school, probe.uai);
        if (probe.uai[0] &&
            (pair[i] = find_unused(uais, n, &probe, uai_cmp)) != NULL) {
            pair[i]->used = 1;
            out->by_uai++;
        }
    }
    for (i = 0; i < after->nschools; i++) {
        entry probe = {&after->schools[i], "", 0};
        if (pair[i])
            continue;
        uai_of(probe.school, probe.uai);
        if ((pair[i] = find_unused(keys, n, &probe, key_cmp)) != NULL)
            pair[i]->used = 1;
    }

    for (i = 0; i < n && !err; i++)
        if (!entries[i].used)
            err = add_change(out, CLASCONV_CHANGE_SCHOOL_GONE,
                             entries[i].school, CLASCONV_SCHEME_NONE,
                             CLASCONV_BLANK, CLASCONV_BLANK);
    for (i = 0; i < after->nschools && !err; i++)
        if (!pair[i])
            err = add_change(out, CLASCONV_CHANGE_SCHOOL_NEW,
                             &after->schools[i], CLASCONV_SCHEME_NONE,
                             CLASCONV_BLANK, CLASCONV_BLANK);
    for (i = 0; i < after->nschools && !err; i++)
        if (pair[i]) {
            out->kept++;
            err = compare_counts(out, pair[i]->school, &after->schools[i]);
        }
done:
    free(entries);
    free(keys);
    free(uais);
    free(pair);
    if (err)
        clasconv_comparison_free(out);
    return err;
}

void clasconv_comparison_free(clasconv_comparison *cmp)
{
    if (!cmp)
        return;
    free(cmp->changes);
    cmp->changes = NULL;
    cmp->count = 0;
}

/* --- Commune by commune --- */

/* The key two years of a commune share. */
static char *commune_key(const clasconv_table *t)
{
    return clasconv_text_key(t->commune ? t->commune : t->file_name);
}

/* An empty table standing for a commune absent from one side, held by the
 * set. NULL when out of memory. */
static const clasconv_table *empty_like(clasconv_comparison_set *set,
                                        const clasconv_table *t)
{
    clasconv_table *e = clasconv_table_new();

    if (e && (clasconv_table_set_string(&e->commune, t->commune) ||
              clasconv_table_set_string(&e->file_name, ""))) {
        clasconv_table_free(e);
        return NULL;
    }
    if (e)
        set->empties[set->nempties++] = e;
    return e;
}

clasconv_error clasconv_compare_communes(const clasconv_table *const *before,
                                         size_t nbefore,
                                         const clasconv_table *const *after,
                                         size_t nafter,
                                         clasconv_comparison_set *out)
{
    size_t total = nbefore + nafter, i, j;
    char *used = calloc(nbefore ? nbefore : 1, 1);
    clasconv_error err = CLASCONV_OK;

    memset(out, 0, sizeof *out);
    out->items = calloc(total ? total : 1, sizeof *out->items);
    out->empties = calloc(total ? total : 1, sizeof *out->empties);
    if (!used || !out->items || !out->empties)
        err = CLASCONV_ERR_MEMORY;
    for (i = 0; i < nafter && !err; i++) {
        char *key = commune_key(after[i]);
        const clasconv_table *old = NULL;
        for (j = 0; key && j < nbefore && !old; j++) {
            char *other = used[j] ? NULL : commune_key(before[j]);
            if (other && !strcmp(key, other)) {
                old = before[j];
                used[j] = 1;
            }
            free(other);
        }
        if (!key)
            err = CLASCONV_ERR_MEMORY;
        free(key);
        if (!err && !old && !(old = empty_like(out, after[i])))
            err = CLASCONV_ERR_MEMORY;
        if (!err && clasconv_compare(old, after[i], &out->items[out->count]))
            err = CLASCONV_ERR_MEMORY;
        else if (!err)
            out->count++;
    }
    for (j = 0; j < nbefore && !err; j++) {
        const clasconv_table *e;
        if (used[j])
            continue;
        e = empty_like(out, before[j]);
        if (!e || clasconv_compare(before[j], e, &out->items[out->count]))
            err = CLASCONV_ERR_MEMORY;
        else
            out->count++;
    }
    free(used);
    if (err)
        clasconv_comparison_set_free(out);
    return err;
}

void clasconv_comparison_set_free(clasconv_comparison_set *set)
{
    size_t i;

    if (!set)
        return;
    for (i = 0; i < set->count; i++)
        clasconv_comparison_free(&set->items[i]);
    for (i = 0; i < set->nempties; i++)
        clasconv_table_free(set->empties[i]);
    free(set->items);
    free(set->empties);
    memset(set, 0, sizeof *set);
}
