/* wire.c: the compact summary a batch worker sends its parent: status,
 * message, counts, commune, totals, schools and anomalies of one file. */
#include "batch/batch_internal.h"

#include <stdlib.h>
#include <string.h>

#define WIRE_MAGIC "CLB1"
#define WIRE_NULL 0xFFFFFFFFu

/* --- Encoding ------------------------------------------------------------ */

static void put_u32(clasconv_buf *out, uint32_t v)
{
    char b[4];

    b[0] = (char)(v & 0xFF);
    b[1] = (char)((v >> 8) & 0xFF);
    b[2] = (char)((v >> 16) & 0xFF);
    b[3] = (char)((v >> 24) & 0xFF);
    clasconv_buf_append(out, b, 4);
}

static void put_i64(clasconv_buf *out, int64_t v)
{
    uint64_t u = (uint64_t)v;

    put_u32(out, (uint32_t)(u & 0xFFFFFFFFu));
    put_u32(out, (uint32_t)(u >> 32));
}

static void put_str(clasconv_buf *out, const char *s)
{
    size_t len;

    if (s == NULL) {
        put_u32(out, WIRE_NULL);
        return;
    }
    len = strlen(s);
    if (len >= WIRE_NULL) /* cannot happen with capped inputs */
        len = WIRE_NULL - 1;
    put_u32(out, (uint32_t)len);
    clasconv_buf_append(out, s, len);
}

static void put_counts(clasconv_buf *out, const int64_t *counts)
{
    int i;

    for (i = 0; i < CLASCONV_SCHEME_COUNT; i++)
        put_i64(out, counts[i]);
}

clasconv_error batch_wire_encode(const clasconv_batch_file *file,
                                 clasconv_buf *out)
{
    const clasconv_table *t = file->table;
    size_t i, nschools, nanom;
    int l;

    clasconv_buf_append(out, WIRE_MAGIC, 4);
    put_u32(out, (uint32_t)file->status);
    put_str(out, file->message);
    put_str(out, file->sha256);
    put_str(out, file->output);
    put_i64(out, (int64_t)file->errors);
    put_i64(out, (int64_t)file->warnings);
    put_i64(out, (int64_t)file->infos);
    put_u32(out, t != NULL ? 1u : 0u);
    if (t != NULL) {
        nschools = t->nschools;
        nanom = t->anomalies.count;
        if (nschools > CLASCONV_BATCH_MAX_SCHOOLS)
            nschools = CLASCONV_BATCH_MAX_SCHOOLS;
        if (nanom > CLASCONV_BATCH_MAX_ANOMALIES)
            nanom = CLASCONV_BATCH_MAX_ANOMALIES;
        put_u32(out, (file->truncated || nschools < t->nschools ||
                      nanom < t->anomalies.count)
                         ? 1u
                         : 0u);
        put_str(out, t->file_name);
        put_str(out, t->format);
        put_str(out, t->sheet);
        put_str(out, t->commune);
        put_u32(out, (uint32_t)t->commune_source);
        put_str(out, t->encoding);
        put_str(out, t->sha256);
        put_u32(out, t->annuaire_used ? 1u : 0u);
        for (l = 0; l < CLASCONV_TOTALS_COUNT; l++) {
            put_i64(out, t->totals[l].schools);
            put_counts(out, t->totals[l].counts);
        }
        put_u32(out, (uint32_t)nschools);
        for (i = 0; i < nschools; i++) {
            const clasconv_school *s = &t->schools[i];
            put_u32(out, (uint32_t)(int32_t)s->level);
            put_str(out, s->name);
            put_str(out, s->key);
            put_str(out, s->read_name);
            put_str(out, s->cell);
            put_str(out, s->autre_detail);
            put_counts(out, s->counts);
            put_str(out, s->uai);
            put_str(out, s->official_name);
            put_u32(out, (uint32_t)s->confidence);
            put_str(out, s->observations);
        }
        put_u32(out, (uint32_t)nanom);
        for (i = 0; i < nanom; i++) {
            const clasconv_anomaly *a = &t->anomalies.items[i];
            put_u32(out, (uint32_t)a->code);
            put_u32(out, (uint32_t)(int32_t)a->level);
            put_u32(out, (uint32_t)(int32_t)a->scheme);
            put_str(out, a->school);
            put_str(out, a->cell);
            put_str(out, a->read);
            put_str(out, a->kept);
            put_str(out, a->message);
        }
    } else {
        put_u32(out, file->truncated ? 1u : 0u);
    }
    put_u32(out, 0x454E4421u); /* "!DNE": the summary is complete */
    if (out->failed)
        return out->len >= CLASCONV_BUF_MAX ? CLASCONV_ERR_TOO_LARGE
                                            : CLASCONV_ERR_MEMORY;
    return CLASCONV_OK;
}

/* --- Decoding ------------------------------------------------------------ */

typedef struct reader {
    const unsigned char *p;
    size_t left;
    int bad;   /* truncated or malformed */
    int nomem; /* out of memory */
} reader;

static uint32_t get_u32(reader *r)
{
    uint32_t v;

    if (r->bad || r->left < 4) {
        r->bad = 1;
        return 0;
    }
    v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 |
        (uint32_t)r->p[3] << 24;
    r->p += 4;
    r->left -= 4;
    return v;
}

static int64_t get_i64(reader *r)
{
    uint64_t lo = get_u32(r);
    uint64_t hi = get_u32(r);

    return (int64_t)(lo | hi << 32);
}

/* A malloc'd string (NULL for a null string or on failure). */
static char *get_str(reader *r)
{
    uint32_t len = get_u32(r);
    char *s;

    if (r->bad || len == WIRE_NULL)
        return NULL;
    if (len > r->left || memchr(r->p, 0, len) != NULL) {
        r->bad = 1;
        return NULL;
    }
    s = malloc((size_t)len + 1);
    if (s == NULL) {
        r->nomem = 1;
        r->bad = 1;
        return NULL;
    }
    memcpy(s, r->p, len);
    s[len] = '\0';
    r->p += len;
    r->left -= len;
    return s;
}

/* Sets a table string member from the reader. */
static void get_member(reader *r, char **member)
{
    free(*member);
    *member = get_str(r);
}

static int valid_count(int64_t v)
{
    return v == CLASCONV_BLANK || (v >= 0 && v <= INT64_MAX / 4);
}

static void get_counts(reader *r, int64_t *counts)
{
    int i;

    for (i = 0; i < CLASCONV_SCHEME_COUNT; i++) {
        counts[i] = get_i64(r);
        if (!valid_count(counts[i]))
            r->bad = 1;
    }
}

static int valid_level(int32_t level, int allow_none)
{
    return (allow_none && level == CLASCONV_LEVEL_NONE) ||
           (level >= 0 && level < CLASCONV_LEVEL_COUNT);
}

static void get_school(reader *r, clasconv_table *t)
{
    int32_t level = (int32_t)get_u32(r);
    char *name = get_str(r), *key = get_str(r), *read_name = get_str(r);
    char *cell = get_str(r), *detail = get_str(r);
    clasconv_school *s = NULL;

    if (!r->bad && !valid_level(level, 1))
        r->bad = 1;
    if (!r->bad) {
        s = clasconv_table_add_school(t, (clasconv_level)level, name, key,
                                      read_name, cell);
        if (s == NULL) {
            r->nomem = 1;
            r->bad = 1;
        }
    }
    if (s != NULL) {
        uint32_t confidence;
        s->autre_detail = detail;
        detail = NULL;
        get_counts(r, s->counts);
        s->uai = get_str(r);
        s->official_name = get_str(r);
        confidence = get_u32(r);
        if (confidence > 100)
            r->bad = 1;
        else
            s->confidence = (int)confidence;
        s->observations = get_str(r);
    }
    free(name);
    free(key);
    free(read_name);
    free(cell);
    free(detail);
}

static void get_anomaly(reader *r, clasconv_table *t)
{
    uint32_t code = get_u32(r);
    int32_t level = (int32_t)get_u32(r);
    int32_t scheme = (int32_t)get_u32(r);
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();
    char *school = get_str(r), *cell = get_str(r), *read = get_str(r);
    char *kept = get_str(r), *message = get_str(r);

    if (!r->bad &&
        (code >= CLASCONV_A_COUNT || !valid_level(level, 1) ||
         scheme < CLASCONV_SCHEME_NONE || scheme >= CLASCONV_SCHEME_COUNT))
        r->bad = 1;
    if (!r->bad) {
        at.level = (clasconv_level)level;
        at.scheme = (clasconv_scheme)scheme;
        at.school = school;
        at.cell = cell;
        at.read = read;
        at.kept = kept;
        if (clasconv_anomalies_add(&t->anomalies, (clasconv_anomaly_code)code,
                                   &at, "%s", message != NULL ? message : "") !=
            CLASCONV_OK) {
            r->nomem = 1;
            r->bad = 1;
        }
    }
    free(school);
    free(cell);
    free(read);
    free(kept);
    free(message);
}

static void get_table(reader *r, clasconv_table *t)
{
    char *sha;
    uint32_t i, n;
    int l;

    get_member(r, &t->file_name);
    get_member(r, &t->format);
    get_member(r, &t->sheet);
    get_member(r, &t->commune);
    n = get_u32(r);
    if (n > CLASCONV_COMMUNE_FILE_NAME)
        r->bad = 1;
    else
        t->commune_source = (clasconv_commune_source)n;
    get_member(r, &t->encoding);
    sha = get_str(r);
    if (sha != NULL && strlen(sha) < sizeof t->sha256)
        memcpy(t->sha256, sha, strlen(sha) + 1);
    free(sha);
    t->annuaire_used = get_u32(r) != 0;
    for (l = 0; l < CLASCONV_TOTALS_COUNT; l++) {
        t->totals[l].schools = get_i64(r);
        if (t->totals[l].schools < 0)
            r->bad = 1;
        get_counts(r, t->totals[l].counts);
    }
    n = get_u32(r);
    if (n > CLASCONV_BATCH_MAX_SCHOOLS)
        r->bad = 1;
    for (i = 0; i < n && !r->bad; i++)
        get_school(r, t);
    n = get_u32(r);
    if (n > CLASCONV_BATCH_MAX_ANOMALIES)
        r->bad = 1;
    for (i = 0; i < n && !r->bad; i++)
        get_anomaly(r, t);
}

clasconv_error batch_wire_decode(const unsigned char *data, size_t size,
                                 clasconv_batch_file *file)
{
    reader r;
    char *sha;
    uint32_t status, has_table;

    memset(file, 0, sizeof *file);
    r.p = data;
    r.left = size;
    r.bad = r.nomem = 0;
    if (size < 4 || memcmp(data, WIRE_MAGIC, 4) != 0)
        return CLASCONV_ERR_FORMAT;
    r.p += 4;
    r.left -= 4;
    status = get_u32(&r);
    if (status > CLASCONV_BATCH_SKIPPED)
        r.bad = 1;
    file->status = (clasconv_batch_status)status;
    file->message = get_str(&r);
    sha = get_str(&r);
    if (sha != NULL && strlen(sha) < sizeof file->sha256)
        memcpy(file->sha256, sha, strlen(sha) + 1);
    free(sha);
    file->output = get_str(&r);
    file->errors = (size_t)get_i64(&r);
    file->warnings = (size_t)get_i64(&r);
    file->infos = (size_t)get_i64(&r);
    has_table = get_u32(&r);
    if (has_table > 1)
        r.bad = 1;
    if (has_table == 1 && !r.bad) {
        file->table = clasconv_table_new();
        if (file->table == NULL) {
            r.nomem = 1;
            r.bad = 1;
        }
    }
    file->truncated = get_u32(&r) != 0;
    if (file->table != NULL && !r.bad)
        get_table(&r, file->table);
    if (get_u32(&r) != 0x454E4421u || r.left != 0)
        r.bad = 1;
    if (file->message == NULL && !r.bad) {
        file->message = strdup("");
        if (file->message == NULL)
            r.nomem = r.bad = 1;
    }
    if (r.bad) {
        batch_file_clear(file);
        return r.nomem ? CLASCONV_ERR_MEMORY : CLASCONV_ERR_FORMAT;
    }
    return CLASCONV_OK;
}

void batch_file_clear(clasconv_batch_file *file)
{
    if (file == NULL)
        return;
    free(file->path);
    free(file->output);
    free(file->message);
    clasconv_table_free(file->table);
    memset(file, 0, sizeof *file);
}
