/* consolidate.c: one count per commune in the synthesis: exact copies
 * (same SHA-256) and older versions of a commune's file are listed but
 * not counted, and a school listed by two communes is flagged. */
#include "batch/consolidate.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "batch/batch_internal.h"
#include "clasconv/buf.h"
#include "clasconv/ref.h"
#include "clasconv/table.h"
#include "core/grow.h"

#define NO_FILE SIZE_MAX

static int has_figures(const clasconv_batch_file *f)
{
    return f->table != NULL && (f->status == CLASCONV_BATCH_OK ||
                                f->status == CLASCONV_BATCH_TO_CHECK ||
                                f->status == CLASCONV_BATCH_WRITE_FAILED);
}

/* An index sorted by a string key, then by position (stable groups). */
typedef struct keyed {
    const char *key;
    size_t index;
    size_t sub; /* school index, for the school pass */
    const char *commune;
} keyed;

static int cmp_keyed(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);

    if (c)
        return c;
    if (a->index != b->index)
        return a->index < b->index ? -1 : 1;
    return (a->sub > b->sub) - (a->sub < b->sub);
}

static clasconv_error add(batch_consolidation *c, size_t file, size_t *cap,
                          clasconv_anomaly_code code,
                          const clasconv_anomaly_at *at, const char *message)
{
    clasconv_error err =
        clasconv_grow((void **)&c->anomaly_file, cap, c->anomalies.count + 1,
                      sizeof *c->anomaly_file, CLASCONV_ANOMALIES_MAX);

    if (err)
        return err;
    err = clasconv_anomalies_add(&c->anomalies, code, at, "%s", message);
    if (!err)
        c->anomaly_file[c->anomalies.count - 1] = file;
    return err;
}

/* "le 04/03/2026 à 10:12" (local time), or "à une date inconnue". */
static void when(int64_t mtime, char *buf, size_t size)
{
    time_t t = (time_t)mtime;
    struct tm tm;

    if (mtime <= 0 || !localtime_r(&t, &tm) ||
        !strftime(buf, size, "le %d/%m/%Y à %H:%M", &tm))
        snprintf(buf, size, "à une date inconnue");
}

static clasconv_error exact_copies(const clasconv_batch_file *files, size_t n,
                                   batch_consolidation *c, size_t *cap)
{
    keyed *order = malloc((n + 1) * sizeof *order);
    size_t i, m = 0, first = 0;
    clasconv_error err = CLASCONV_OK;

    if (!order)
        return CLASCONV_ERR_MEMORY;
    for (i = 0; i < n; i++)
        if (files[i].status != CLASCONV_BATCH_SKIPPED &&
            files[i].sha256[0] != '\0') {
            order[m].key = files[i].sha256;
            order[m].index = i;
            order[m].sub = 0;
            order[m++].commune = NULL;
        }
    qsort(order, m, sizeof *order, cmp_keyed);
    for (i = 0; i < m; i++) {
        size_t f, o;
        if (i == 0 || strcmp(order[i].key, order[first].key)) {
            first = i;
            continue;
        }
        f = order[i].index;
        o = order[first].index;
        c->counts[f].kind = BATCH_COUNT_EXACT_COPY;
        c->counts[f].other = o;
    }
    /* anomalies in the files' order */
    for (i = 0; i < n && !err; i++) {
        char msg[1024];
        if (c->counts[i].kind != BATCH_COUNT_EXACT_COPY)
            continue;
        snprintf(msg, sizeof msg,
                 "« %.300s » est un doublon exact de « %.300s » (même "
                 "empreinte SHA-256) : il est listé dans Fichiers mais n'est "
                 "compté qu'une fois. Retirez la copie du dossier.",
                 files[i].path, files[c->counts[i].other].path);
        err = add(c, i, cap, CLASCONV_A_FILE_DUPLICATE, NULL, msg);
    }
    free(order);
    return err;
}

static clasconv_error same_commune(const clasconv_batch_file *files, size_t n,
                                   batch_consolidation *c, size_t *cap)
{
    keyed *order = malloc((n + 1) * sizeof *order);
    char **keys = calloc(n + 1, sizeof *keys);
    size_t i, m = 0;
    clasconv_error err = CLASCONV_OK;

    if (!order || !keys) {
        free(order);
        free(keys);
        return CLASCONV_ERR_MEMORY;
    }
    for (i = 0; i < n && !err; i++) {
        const char *commune = clasconv_batch_file_commune(&files[i]);
        if (c->counts[i].kind != BATCH_COUNT_YES || commune[0] == '\0')
            continue;
        keys[i] = clasconv_text_key(commune);
        if (!keys[i]) {
            err = CLASCONV_ERR_MEMORY;
            break;
        }
        if (keys[i][0] == '\0')
            continue;
        order[m].key = keys[i];
        order[m].index = i;
        order[m].sub = 0;
        order[m++].commune = commune;
    }
    if (!err)
        qsort(order, m, sizeof *order, cmp_keyed);
    for (i = 0; i < m && !err;) {
        size_t j = i, best = i, k;
        while (j < m && !strcmp(order[j].key, order[i].key))
            j++;
        for (k = i + 1; k < j; k++)
            if (files[order[k].index].mtime >= files[order[best].index].mtime)
                best = k;
        for (k = i; k < j; k++)
            if (k != best) {
                c->counts[order[k].index].kind = BATCH_COUNT_SUPERSEDED;
                c->counts[order[k].index].other = order[best].index;
            }
        i = j;
    }
    for (i = 0; i < n && !err; i++) {
        const clasconv_batch_file *f = &files[i], *kept;
        char msg[1536], d_kept[64], d_this[64];
        if (c->counts[i].kind != BATCH_COUNT_SUPERSEDED)
            continue;
        kept = &files[c->counts[i].other];
        when(kept->mtime, d_kept, sizeof d_kept);
        when(f->mtime, d_this, sizeof d_this);
        snprintf(msg, sizeof msg,
                 "Deux fichiers pour la commune « %.200s » : « %.300s » "
                 "(modifié %s) est compté dans la synthèse, « %.300s » "
                 "(modifié %s) ne l'est pas. Vérifiez lequel est le bon : "
                 "pour compter l'autre, retirez celui-ci du dossier et "
                 "relancez.",
                 clasconv_batch_file_commune(f), kept->path, d_kept, f->path,
                 d_this);
        err = add(c, i, cap, CLASCONV_A_COMMUNE_DUPLICATE, NULL, msg);
    }
    for (i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    free(order);
    return err;
}

/* Appends " ; text" (or text) to `buf` unless `once` and already there. */
static clasconv_error join(clasconv_buf *buf, const char *text, int once)
{
    clasconv_error err = CLASCONV_OK;

    if (text == NULL || text[0] == '\0')
        return CLASCONV_OK;
    if (once && buf->data != NULL && strstr(buf->data, text) != NULL)
        return CLASCONV_OK;
    if (buf->len > 0)
        err = clasconv_buf_puts(buf, " ; ");
    if (!err)
        err = clasconv_buf_puts(buf, text);
    return err;
}

static int cmp_ref(const void *pa, const void *pb)
{
    const batch_school_ref *a = pa, *b = pb;

    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    return (a->sub > b->sub) - (a->sub < b->sub);
}

/* What the school passes need of one school of `order`, copied from its
 * file's table: a spilled table is decoded again at each batch_tables_get
 * of another file, and `order` jumps from file to file. */
typedef struct school_copy {
    size_t pos; /* in `order` */
    size_t index, sub;
    int found; /* the table had the school */
    clasconv_level level;
    char *name;
    char *cell;
    int64_t counts[CLASCONV_SCHEME_COUNT];
} school_copy;

static int cmp_copy_file(const void *pa, const void *pb)
{
    const school_copy *a = pa, *b = pb;

    if (a->index != b->index)
        return a->index < b->index ? -1 : 1;
    return (a->sub > b->sub) - (a->sub < b->sub);
}

static int cmp_copy_pos(const void *pa, const void *pb)
{
    const school_copy *a = pa, *b = pb;

    return (a->pos > b->pos) - (a->pos < b->pos);
}

/* Fills `copies` (their pos, index and sub set) reading each file once;
 * leaves them sorted by pos. */
static clasconv_error copy_schools(batch_tables *tables, school_copy *copies,
                                   size_t n)
{
    clasconv_error err = CLASCONV_OK;
    size_t i;
    int sc;

    qsort(copies, n, sizeof *copies, cmp_copy_file);
    for (i = 0; i < n && !err; i++) {
        school_copy *k = &copies[i];
        const clasconv_table *t = batch_tables_get(tables, k->index, &err);
        const clasconv_school *s;
        if (t == NULL || k->sub >= t->nschools)
            continue;
        s = &t->schools[k->sub];
        k->found = 1;
        k->level = s->level;
        k->name = s->name ? strdup(s->name) : NULL;
        k->cell = s->cell ? strdup(s->cell) : NULL;
        for (sc = 0; sc < CLASCONV_SCHEME_COUNT; sc++)
            k->counts[sc] = s->counts[sc];
        if ((s->name && !k->name) || (s->cell && !k->cell))
            err = CLASCONV_ERR_MEMORY;
    }
    qsort(copies, n, sizeof *copies, cmp_copy_pos);
    return err;
}

static const school_copy *copy_at(const school_copy *copies, size_t n,
                                  size_t pos)
{
    school_copy key;

    memset(&key, 0, sizeof key);
    key.pos = pos;
    return n ? bsearch(&key, copies, n, sizeof *copies, cmp_copy_pos) : NULL;
}

static void copies_free(school_copy *copies, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(copies[i].name);
        free(copies[i].cell);
    }
    free(copies);
}

/* Groups the schools sharing a UAI (keys "\001UAI" in `order`, sorted)
 * into one Établissements row each. */
static clasconv_error merge_uai_rows(batch_tables *tables,
                                     batch_consolidation *c, const keyed *order,
                                     size_t m, const school_copy *copies,
                                     size_t ncopies)
{
    size_t i, rcap = 0, fcap = 0;
    clasconv_error err = CLASCONV_OK;

    for (i = 0; i < m && !err;) {
        size_t end = i, k;
        batch_school_row *row;
        clasconv_buf communes = {0}, files = {0}, cells = {0};
        int sc;

        while (end < m && !strcmp(order[end].key, order[i].key))
            end++;
        if (order[i].key[0] != '\001' || end - i < 2) {
            i = end;
            continue;
        }
        if ((err = clasconv_grow((void **)&c->school_rows, &rcap,
                                 c->nschool_rows + 1, sizeof *c->school_rows,
                                 SIZE_MAX / sizeof *c->school_rows)) ||
            (err = clasconv_grow(
                 (void **)&c->school_refs, &fcap, c->nschool_refs + (end - i),
                 sizeof *c->school_refs, SIZE_MAX / sizeof *c->school_refs)))
            break;
        row = &c->school_rows[c->nschool_rows];
        memset(row, 0, sizeof *row);
        for (sc = 0; sc < CLASCONV_SCHEME_COUNT; sc++)
            row->counts[sc] = CLASCONV_BLANK;
        for (k = i; k < end && !err; k++) {
            const clasconv_batch_file *f = &tables->files[order[k].index];
            const school_copy *s = copy_at(copies, ncopies, k);
            batch_school_ref *ref = &c->school_refs[c->nschool_refs++];
            char cell[1024];

            ref->file = order[k].index;
            ref->sub = order[k].sub;
            ref->row = c->nschool_rows;
            ref->first = k == i;
            if (s == NULL || !s->found) {
                err = CLASCONV_ERR_IO;
                break;
            }
            for (sc = 0; sc < CLASCONV_SCHEME_COUNT; sc++)
                if (s->counts[sc] != CLASCONV_BLANK)
                    row->counts[sc] =
                        (row->counts[sc] == CLASCONV_BLANK ? 0
                                                           : row->counts[sc]) +
                        s->counts[sc];
            snprintf(cell, sizeof cell, "%s : %s", f->path,
                     s->cell != NULL ? s->cell : "");
            err = join(&communes, clasconv_batch_file_commune(f), 1);
            if (!err)
                err = join(&files, f->path, 1);
            if (!err)
                err = join(&cells, cell, 0);
        }
        row->communes = clasconv_buf_detach(&communes);
        row->files = clasconv_buf_detach(&files);
        row->cells = clasconv_buf_detach(&cells);
        c->nschool_rows++;
        i = end;
    }
    if (!err && c->nschool_refs > 0)
        qsort(c->school_refs, c->nschool_refs, sizeof *c->school_refs, cmp_ref);
    return err;
}

const batch_school_ref *batch_school_merged(const batch_consolidation *c,
                                            size_t file, size_t sub)
{
    batch_school_ref key;

    if (c->nschool_refs == 0)
        return NULL;
    key.file = file;
    key.sub = sub;
    return bsearch(&key, c->school_refs, c->nschool_refs,
                   sizeof *c->school_refs, cmp_ref);
}

/* Entry k of the group starting at i is flagged SCHOOL_IN_TWO_COMMUNES:
 * its commune is not the first entry's, once per file. */
static int flagged(const keyed *order, size_t i, size_t k)
{
    return k > i && strcmp(order[k].commune, order[i].commune) != 0 &&
           !(k > i + 1 && order[k - 1].index == order[k].index);
}

static clasconv_error schools_in_two_communes(batch_tables *tables,
                                              batch_consolidation *c,
                                              size_t *cap)
{
    const clasconv_batch_file *files = tables->files;
    size_t n = tables->n;
    keyed *order = NULL;
    school_copy *copies = NULL;
    size_t ncopies = 0, ccap = 0;
    char **communes = calloc(n + 1, sizeof *communes);
    size_t i, j, m = 0, ocap = 0;
    clasconv_error err = CLASCONV_OK;

    if (!communes)
        return CLASCONV_ERR_MEMORY;
    /* One file's table at a time: only the school keys stay. */
    for (i = 0; i < n && !err; i++) {
        const char *commune = clasconv_batch_file_commune(&files[i]);
        const clasconv_table *t;
        if (c->counts[i].kind != BATCH_COUNT_YES || commune[0] == '\0')
            continue;
        communes[i] = clasconv_text_key(commune);
        if (!communes[i]) {
            err = CLASCONV_ERR_MEMORY;
            break;
        }
        t = batch_tables_get(tables, i, &err);
        for (j = 0; t != NULL && j < t->nschools && !err; j++) {
            const clasconv_school *s = &t->schools[j];
            char uai[CLASCONV_UAI_SIZE];
            int by_uai =
                s->uai != NULL &&
                clasconv_uai_parse(s->uai, uai, NULL) == CLASCONV_UAI_VALID;
            if (!by_uai && (!s->key || !s->key[0]))
                continue;
            if (m + 1 > ocap &&
                clasconv_grow((void **)&order, &ocap, m + 1, sizeof *order,
                              SIZE_MAX / sizeof *order)) {
                err = CLASCONV_ERR_MEMORY;
                break;
            }
            /* Keyed by UAI where known (issue 16), else by name key;
             * "\001" keeps the two kinds of key apart. */
            if (by_uai) {
                char *k = malloc(CLASCONV_UAI_SIZE + 1);
                if (k != NULL) {
                    k[0] = '\001';
                    memcpy(k + 1, uai, CLASCONV_UAI_SIZE);
                }
                order[m].key = k;
            } else {
                order[m].key = strdup(s->key);
            }
            if (!order[m].key) {
                err = CLASCONV_ERR_MEMORY;
                break;
            }
            order[m].index = i;
            order[m].sub = j;
            order[m++].commune = communes[i];
        }
    }
    if (!err && m > 0)
        qsort(order, m, sizeof *order, cmp_keyed);
    /* The schools the two passes below read: copied first, each file's
     * table decoded once. */
    for (i = 0; i < m && !err;) {
        size_t end = i, k;
        while (end < m && !strcmp(order[end].key, order[i].key))
            end++;
        for (k = i; k < end && end - i > 1; k++) {
            if (!(order[i].key[0] == '\001' || flagged(order, i, k)))
                continue;
            if (clasconv_grow((void **)&copies, &ccap, ncopies + 1,
                              sizeof *copies, SIZE_MAX / sizeof *copies)) {
                err = CLASCONV_ERR_MEMORY;
                break;
            }
            memset(&copies[ncopies], 0, sizeof *copies);
            copies[ncopies].pos = k;
            copies[ncopies].index = order[k].index;
            copies[ncopies++].sub = order[k].sub;
        }
        i = end;
    }
    if (!err && ncopies > 0)
        err = copy_schools(tables, copies, ncopies);
    /* per school key: every entry whose commune differs from the first
     * entry's is flagged once per file */
    for (i = 0; i < m && !err;) {
        size_t end = i, k;
        while (end < m && !strcmp(order[end].key, order[i].key))
            end++;
        for (k = i + 1; k < end && !err; k++) {
            const keyed *e = &order[k], *first = &order[i];
            const school_copy *s;
            clasconv_anomaly_at at = clasconv_anomaly_nowhere();
            char msg[1536];
            if (!flagged(order, i, k))
                continue;
            s = copy_at(copies, ncopies, k);
            if (s == NULL || !s->found)
                break;
            at.level = s->level;
            at.school = s->name;
            at.cell = s->cell;
            snprintf(msg, sizeof msg,
                     "« %.200s » figure dans le tableau de %.200s (« %.300s ») "
                     "et dans celui de %.200s (« %.300s »). Vérifiez qu'il "
                     "s'agit de deux établissements homonymes et non d'un "
                     "même établissement compté deux fois.",
                     s->name, clasconv_batch_file_commune(&files[first->index]),
                     files[first->index].path,
                     clasconv_batch_file_commune(&files[e->index]),
                     files[e->index].path);
            err = add(c, e->index, cap, CLASCONV_A_SCHOOL_IN_TWO_COMMUNES, &at,
                      msg);
        }
        i = end;
    }
    if (!err)
        err = merge_uai_rows(tables, c, order, m, copies, ncopies);
    copies_free(copies, ncopies);
    for (i = 0; i < m; i++)
        free((char *)order[i].key);
    for (i = 0; i < n; i++)
        free(communes[i]);
    free(communes);
    free(order);
    return err;
}

/* Anomalies of one code come out in key order; the sheet wants them by
 * code, then in the files' order, then as found. */
typedef struct ranked {
    clasconv_anomaly_code code;
    size_t file;
    size_t found;
} ranked;

static int cmp_ranked(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;

    if (a->code != b->code)
        return a->code < b->code ? -1 : 1;
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    return (a->found > b->found) - (a->found < b->found);
}

static clasconv_error order_anomalies(batch_consolidation *c)
{
    size_t n = c->anomalies.count, i;
    clasconv_anomaly *items;
    size_t *files;
    ranked *rank;

    if (n < 2)
        return CLASCONV_OK;
    items = malloc(n * sizeof *items);
    files = malloc(n * sizeof *files);
    rank = malloc(n * sizeof *rank);
    if (!items || !files || !rank) {
        free(items);
        free(files);
        free(rank);
        return CLASCONV_ERR_MEMORY;
    }
    for (i = 0; i < n; i++) {
        rank[i].code = c->anomalies.items[i].code;
        rank[i].file = c->anomaly_file[i];
        rank[i].found = i;
    }
    qsort(rank, n, sizeof *rank, cmp_ranked);
    for (i = 0; i < n; i++) {
        items[i] = c->anomalies.items[rank[i].found];
        files[i] = rank[i].file;
    }
    memcpy(c->anomalies.items, items, n * sizeof *items);
    memcpy(c->anomaly_file, files, n * sizeof *files);
    free(items);
    free(files);
    free(rank);
    return CLASCONV_OK;
}

clasconv_error batch_consolidate(const clasconv_batch_file *files, size_t n,
                                 batch_consolidation *out)
{
    batch_tables tables;
    clasconv_error err;

    batch_tables_init(&tables, files, n, -1);
    err = batch_consolidate_tables(&tables, out);
    batch_tables_free(&tables);
    return err;
}

clasconv_error batch_consolidate_tables(batch_tables *tables,
                                        batch_consolidation *out)
{
    const clasconv_batch_file *files = tables->files;
    size_t n = tables->n;
    size_t i, cap = 0;
    clasconv_error err;

    memset(out, 0, sizeof *out);
    out->counts = calloc(n + 1, sizeof *out->counts);
    if (!out->counts)
        return CLASCONV_ERR_MEMORY;
    for (i = 0; i < n; i++) {
        out->counts[i].kind =
            has_figures(&files[i]) ? BATCH_COUNT_YES : BATCH_COUNT_NO_FIGURES;
        out->counts[i].other = NO_FILE;
    }
    err = exact_copies(files, n, out, &cap);
    /* an exact copy of an unreadable file has no figures either way */
    for (i = 0; i < n; i++)
        if (out->counts[i].kind == BATCH_COUNT_EXACT_COPY &&
            !has_figures(&files[i]))
            out->counts[i].kind = BATCH_COUNT_NO_FIGURES;
    if (!err)
        err = same_commune(files, n, out, &cap);
    if (!err)
        err = schools_in_two_communes(tables, out, &cap);
    if (!err)
        err = order_anomalies(out);
    if (err)
        batch_consolidation_free(out);
    return err;
}

void batch_consolidation_free(batch_consolidation *c)
{
    size_t i;

    for (i = 0; i < c->nschool_rows; i++) {
        free(c->school_rows[i].communes);
        free(c->school_rows[i].files);
        free(c->school_rows[i].cells);
    }
    free(c->school_rows);
    free(c->school_refs);
    free(c->counts);
    clasconv_anomalies_free(&c->anomalies);
    free(c->anomaly_file);
    memset(c, 0, sizeof *c);
}

void batch_count_text(const batch_consolidation *c,
                      const clasconv_batch_file *files, size_t index, char *buf,
                      size_t size)
{
    const batch_count *k = &c->counts[index];

    switch (k->kind) {
    case BATCH_COUNT_YES:
        snprintf(buf, size, "Compté");
        return;
    case BATCH_COUNT_EXACT_COPY:
        snprintf(buf, size, "Non compté : doublon exact de « %.300s »",
                 files[k->other].path);
        return;
    case BATCH_COUNT_SUPERSEDED:
        snprintf(buf, size,
                 "Non compté : même commune que « %.300s », modifié plus "
                 "récemment",
                 files[k->other].path);
        return;
    case BATCH_COUNT_NO_FIGURES:
        break;
    }
    buf[0] = '\0';
}

void batch_tables_init(batch_tables *t, const clasconv_batch_file *files,
                       size_t n, int spill_fd)
{
    memset(t, 0, sizeof *t);
    t->files = files;
    t->n = n;
    t->spill_fd = spill_fd;
}

const clasconv_table *batch_tables_get(batch_tables *t, size_t i,
                                       clasconv_error *err)
{
    const clasconv_batch_file *f = &t->files[i];
    unsigned char *bytes;
    size_t got = 0;

    if (f->spill_size == 0 || t->spill_fd < 0)
        return f->table;
    if (t->has_loaded && t->loaded_index == i)
        return t->loaded.table;
    batch_file_clear(&t->loaded);
    t->has_loaded = 0;
    if (f->spill_size > BATCH_SUMMARY_MAX) {
        *err = CLASCONV_ERR_IO;
        return NULL;
    }
    bytes = malloc((size_t)f->spill_size);
    if (bytes == NULL) {
        *err = CLASCONV_ERR_MEMORY;
        return NULL;
    }
    while (got < f->spill_size) {
        ssize_t r = pread(t->spill_fd, bytes + got, (size_t)f->spill_size - got,
                          (off_t)(f->spill_offset + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got < f->spill_size) {
        free(bytes);
        *err = CLASCONV_ERR_IO;
        return NULL;
    }
    *err = batch_wire_decode(bytes, got, &t->loaded);
    free(bytes);
    if (*err != CLASCONV_OK)
        return NULL;
    t->has_loaded = 1;
    t->loaded_index = i;
    return t->loaded.table;
}

void batch_tables_free(batch_tables *t)
{
    batch_file_clear(&t->loaded);
    t->has_loaded = 0;
}

void batch_table_strip(clasconv_table *table)
{
    if (table != NULL)
        clasconv_table_drop_schools(table);
}
