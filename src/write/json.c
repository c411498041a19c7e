/* json.c: the one-line JSON object of SPEC section 6 (`--json`). */
#include "clasconv/write.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

/* The output and its first error: once an append failed, later ones do
 * nothing. */
typedef struct json_out {
    clasconv_buf *buf;
    clasconv_error err;
} json_out;

static void keep(json_out *out, clasconv_error err)
{
    if (out->err == CLASCONV_OK)
        out->err = err;
}

static void put_raw(json_out *out, const char *text)
{
    if (out->err == CLASCONV_OK)
        keep(out, clasconv_buf_puts(out->buf, text));
}

/* Appends a JSON string; invalid UTF-8 is repaired first so the output is
 * always valid JSON. NULL gives null. */
static void put_string(json_out *out, const char *text)
{
    char *safe;

    if (out->err != CLASCONV_OK)
        return;
    if (text == NULL) {
        put_raw(out, "null");
        return;
    }
    safe = clasconv_utf8_repair(text, strlen(text));
    if (safe == NULL) {
        keep(out, CLASCONV_ERR_MEMORY);
        return;
    }
    keep(out, clasconv_buf_json_string(out->buf, safe));
    free(safe);
}

/* Appends `"key":` (key is a plain ASCII identifier). */
static void put_key(json_out *out, int first, const char *key)
{
    if (out->err == CLASCONV_OK)
        keep(out,
             clasconv_buf_printf(out->buf, "%s\"%s\":", first ? "" : ",", key));
}

/* A count; negative (CLASCONV_BLANK) is null when `blank_is_null`, else 0. */
static void put_count(json_out *out, int64_t value, int blank_is_null)
{
    if (out->err != CLASCONV_OK)
        return;
    if (value < 0 && blank_is_null)
        put_raw(out, "null");
    else
        keep(out,
             clasconv_buf_printf(out->buf, "%" PRId64, value < 0 ? 0 : value));
}

static void put_row(json_out *out, const clasconv_school *row,
                    int annuaire_used)
{
    int s;

    put_raw(out, "{");
    put_key(out, 1, "level");
    put_string(out, clasconv_level_id(row->level));
    put_key(out, 0, "school");
    put_string(out, row->name);
    put_key(out, 0, "read_name");
    put_string(out, row->read_name);
    put_key(out, 0, "cell");
    put_string(out, row->cell);
    put_key(out, 0, "uai");
    put_string(out, row->uai);
    if (annuaire_used) {
        put_key(out, 0, "official_name");
        put_string(out, row->confidence > 0 ? row->official_name : NULL);
        put_key(out, 0, "confidence");
        if (row->confidence > 0)
            put_count(out, row->confidence, 1);
        else
            put_raw(out, "null");
    }
    put_key(out, 0, "counts");
    put_raw(out, "{");
    for (s = 0; s < CLASCONV_SCHEME_COUNT; s++) {
        put_key(out, s == 0, clasconv_scheme_id((clasconv_scheme)s));
        put_count(out, row->counts[s], 1);
    }
    put_raw(out, "}");
    put_key(out, 0, "observations");
    put_string(out, row->observations);
    put_raw(out, "}");
}

static void put_totals(json_out *out, const clasconv_totals *totals)
{
    int s;

    put_raw(out, "{");
    put_key(out, 1, "schools");
    put_count(out, totals->schools, 0);
    for (s = 0; s < CLASCONV_SCHEME_COUNT; s++) {
        put_key(out, 0, clasconv_scheme_id((clasconv_scheme)s));
        put_count(out, totals->counts[s], 0);
    }
    put_raw(out, "}");
}

static void put_anomaly(json_out *out, const clasconv_anomaly *a)
{
    put_raw(out, "{");
    put_key(out, 1, "code");
    put_string(out, clasconv_anomaly_code_name(a->code));
    put_key(out, 0, "severity");
    put_string(out, clasconv_severity_name(a->severity));
    put_key(out, 0, "level");
    put_string(out, a->level >= 0 && a->level < CLASCONV_LEVEL_COUNT
                        ? clasconv_level_id(a->level)
                        : NULL);
    put_key(out, 0, "school");
    put_string(out, a->school);
    put_key(out, 0, "scheme");
    put_string(out, clasconv_scheme_id(a->scheme));
    put_key(out, 0, "cell");
    put_string(out, a->cell);
    put_key(out, 0, "read");
    put_string(out, a->read);
    put_key(out, 0, "kept");
    put_string(out, a->kept);
    put_key(out, 0, "message");
    put_string(out, a->message);
    put_raw(out, "}");
}

clasconv_error clasconv_render_json(const clasconv_table *table,
                                    clasconv_buf *buf)
{
    json_out out;
    size_t i, start;
    int l;

    if (table == NULL || buf == NULL)
        return CLASCONV_ERR_USAGE;
    out.buf = buf;
    out.err = CLASCONV_OK;
    start = buf->len;

    put_raw(&out, "{");
    put_key(&out, 1, "file");
    put_string(&out, table->file_name);
    put_key(&out, 0, "format");
    put_string(&out, table->format);
    put_key(&out, 0, "sheet");
    put_string(&out, table->sheet);
    put_key(&out, 0, "sheets");
    put_raw(&out, "[");
    if (table->nsheets == 0 && table->sheet != NULL)
        put_string(&out, table->sheet);
    for (i = 0; i < table->nsheets; i++) {
        if (i > 0)
            put_raw(&out, ",");
        put_string(&out, table->sheets[i]);
    }
    put_raw(&out, "]");
    put_key(&out, 0, "commune");
    put_string(&out, table->commune);
    put_key(&out, 0, "commune_source");
    put_string(&out, clasconv_commune_source_id(table->commune_source));
    put_key(&out, 0, "encoding");
    put_string(&out, table->encoding);
    put_key(&out, 0, "sha256");
    put_string(&out, table->sha256[0] != '\0' ? table->sha256 : NULL);

    put_key(&out, 0, "rows");
    put_raw(&out, "[");
    for (i = 0; i < table->nschools && out.err == CLASCONV_OK; i++) {
        if (i > 0)
            put_raw(&out, ",");
        put_row(&out, &table->schools[i], table->annuaire_used);
    }
    put_raw(&out, "]");

    put_key(&out, 0, "totals");
    put_raw(&out, "{");
    for (l = 0; l <= CLASCONV_TOTALS_ALL; l++) {
        put_key(&out, l == 0, clasconv_level_id((clasconv_level)l));
        put_totals(&out, &table->totals[l]);
    }
    put_raw(&out, "}");

    put_key(&out, 0, "anomalies");
    put_raw(&out, "[");
    for (i = 0; i < table->anomalies.count && out.err == CLASCONV_OK; i++) {
        if (i > 0)
            put_raw(&out, ",");
        put_anomaly(&out, &table->anomalies.items[i]);
    }
    put_raw(&out, "]}\n");

    if (out.err != CLASCONV_OK && buf->data != NULL && start <= buf->len) {
        /* Leave no half object behind. */
        buf->len = start;
        buf->data[start] = '\0';
    }
    return out.err;
}
