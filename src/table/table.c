/* table.c: the normalized table's memory management and its totals. */
#include "clasconv/table.h"
#include "core/cut.h"
#include "core/grow.h"
#include "core/text.h"

#include <stdlib.h>
#include <string.h>

clasconv_table *clasconv_table_new(void)
{
    return calloc(1, sizeof(clasconv_table));
}

static void declared_free(clasconv_declared_total *d)
{
    int s;

    for (s = 0; s < CLASCONV_SCHEME_COUNT; s++) {
        free(d->cells[s]);
        free(d->read[s]);
    }
}

void clasconv_table_drop_schools(clasconv_table *table)
{
    size_t i;

    for (i = 0; i < table->nschools; i++) {
        clasconv_school *s = &table->schools[i];
        free(s->name);
        free(s->key);
        free(s->read_name);
        free(s->cell);
        free(s->autre_detail);
        free(s->uai);
        free(s->official_name);
        free(s->observations);
    }
    free(table->schools);
    table->schools = NULL;
    table->nschools = 0;
    clasconv_anomalies_free(&table->anomalies);
}

void clasconv_table_free(clasconv_table *table)
{
    size_t i;
    int l;

    if (!table)
        return;
    free(table->file_name);
    free(table->format);
    free(table->sheet);
    for (i = 0; i < table->nsheets; i++)
        free(table->sheets[i]);
    free(table->sheets);
    free(table->commune);
    free(table->encoding);
    clasconv_table_drop_schools(table);
    for (l = 0; l < CLASCONV_LEVEL_COUNT; l++)
        declared_free(&table->declared[l]);
    declared_free(&table->declared_all);
    for (i = 0; i < table->nfields; i++) {
        free(table->fields[i].name);
        free(table->fields[i].value);
    }
    free(table->fields);
    free(table);
}

clasconv_error clasconv_table_add_sheet(clasconv_table *table,
                                        const char *label)
{
    clasconv_error err = clasconv_grow_count(
        (void **)&table->sheets, table->nsheets, table->nsheets + 1,
        sizeof *table->sheets, CLASCONV_GRID_MAX_SHEETS);
    size_t i, len = 0;
    char *joined;

    if (err)
        return err;
    table->sheets[table->nsheets] = strdup(label);
    if (!table->sheets[table->nsheets])
        return CLASCONV_ERR_MEMORY;
    table->nsheets++;
    for (i = 0; i < table->nsheets; i++)
        len += strlen(table->sheets[i]) + 2;
    joined = malloc(len + 1);
    if (!joined)
        return CLASCONV_ERR_MEMORY;
    joined[0] = '\0';
    for (i = 0; i < table->nsheets; i++) {
        if (i)
            strcat(joined, ", ");
        strcat(joined, table->sheets[i]);
    }
    free(table->sheet);
    table->sheet = joined;
    return CLASCONV_OK;
}

clasconv_error clasconv_table_set_string(char **member, const char *value)
{
    char *copy = NULL;

    if (value) {
        copy = strdup(value);
        if (!copy)
            return CLASCONV_ERR_MEMORY;
    }
    free(*member);
    *member = copy;
    return CLASCONV_OK;
}

clasconv_school *clasconv_table_add_school(clasconv_table *table,
                                           clasconv_level level,
                                           const char *name, const char *key,
                                           const char *read_name,
                                           const char *cell)
{
    clasconv_school *s;
    int i;

    if (clasconv_grow_count((void **)&table->schools, table->nschools,
                            table->nschools + 1, sizeof *table->schools,
                            SIZE_MAX))
        return NULL;
    s = &table->schools[table->nschools];
    memset(s, 0, sizeof *s);
    s->level = level;
    for (i = 0; i < CLASCONV_SCHEME_COUNT; i++)
        s->counts[i] = CLASCONV_BLANK;
    if (clasconv_table_set_string(&s->name, name ? name : "") ||
        clasconv_table_set_string(&s->key, key ? key : "") ||
        clasconv_table_set_string(&s->read_name, read_name) ||
        clasconv_table_set_string(&s->cell, cell)) {
        free(s->name);
        free(s->key);
        free(s->read_name);
        free(s->cell);
        return NULL;
    }
    table->nschools++;
    return s;
}

#define OBSERVATION_HEADER_MAX 128u
#define OBSERVATION_VALUE_MAX 1000u
#define OBSERVATIONS_ELLIPSIS " …"

clasconv_error clasconv_school_add_observation(clasconv_school *school,
                                               const char *header,
                                               const char *value)
{
    size_t old = school->observations ? strlen(school->observations) : 0;
    clasconv_buf buf;
    char *joined;

    if (!value || clasconv_text_is_blank(value, strlen(value)))
        return CLASCONV_OK;
    if (old + 8 > CLASCONV_OBSERVATIONS_MAX)
        return CLASCONV_OK; /* full (it ends with « … » when cut) */
    memset(&buf, 0, sizeof buf);
    clasconv_buf_puts(&buf, school->observations);
    if (old)
        clasconv_buf_puts(&buf, " ; ");
    if (header) {
        clasconv_cut_append(&buf, header, OBSERVATION_HEADER_MAX);
        clasconv_buf_puts(&buf, " : ");
    }
    clasconv_cut_append(&buf, value, OBSERVATION_VALUE_MAX);
    if (!buf.failed && buf.len > CLASCONV_OBSERVATIONS_MAX) {
        size_t keep = clasconv_cut_len(buf.data, buf.len,
                                       CLASCONV_OBSERVATIONS_MAX -
                                           (sizeof OBSERVATIONS_ELLIPSIS - 1));
        buf.len = keep;
        buf.data[keep] = '\0';
        clasconv_buf_puts(&buf, OBSERVATIONS_ELLIPSIS);
    }
    if (buf.failed) {
        clasconv_buf_free(&buf);
        return CLASCONV_ERR_MEMORY;
    }
    joined = clasconv_buf_detach(&buf);
    if (!joined)
        return CLASCONV_ERR_MEMORY;
    free(school->observations);
    school->observations = joined;
    return CLASCONV_OK;
}

clasconv_error clasconv_table_add_field(clasconv_table *table, const char *name,
                                        const char *value)
{
    clasconv_field *f;

    if (clasconv_grow_count((void **)&table->fields, table->nfields,
                            table->nfields + 1, sizeof *table->fields,
                            SIZE_MAX))
        return CLASCONV_ERR_MEMORY;
    f = &table->fields[table->nfields];
    f->name = strdup(name);
    f->value = strdup(value);
    if (!f->name || !f->value) {
        free(f->name);
        free(f->value);
        return CLASCONV_ERR_MEMORY;
    }
    table->nfields++;
    return CLASCONV_OK;
}

void clasconv_table_totals(const clasconv_table *table,
                           clasconv_totals out[CLASCONV_TOTALS_COUNT])
{
    size_t i;
    int s;

    memset(out, 0, sizeof(clasconv_totals) * CLASCONV_TOTALS_COUNT);
    for (i = 0; i < table->nschools; i++) {
        const clasconv_school *school = &table->schools[i];
        clasconv_totals *all = &out[CLASCONV_TOTALS_ALL];
        clasconv_totals *lvl =
            school->level >= 0 && school->level < CLASCONV_LEVEL_COUNT
                ? &out[school->level]
                : &out[CLASCONV_TOTALS_UNKNOWN];
        all->schools++;
        lvl->schools++;
        for (s = 0; s < CLASCONV_SCHEME_COUNT; s++) {
            int64_t v = school->counts[s];
            if (v <= 0)
                continue;
            all->counts[s] += v;
            lvl->counts[s] += v;
        }
    }
}

const char *clasconv_commune_source_id(clasconv_commune_source source)
{
    switch (source) {
    case CLASCONV_COMMUNE_CELL:
        return "cellule";
    case CLASCONV_COMMUNE_TITLE:
        return "titre";
    case CLASCONV_COMMUNE_FILE_NAME:
        return "nom_de_fichier";
    case CLASCONV_COMMUNE_NONE:
        break;
    }
    return NULL;
}

const char *clasconv_commune_source_label(clasconv_commune_source source)
{
    switch (source) {
    case CLASCONV_COMMUNE_CELL:
        return "cellule « Territoire de » / « Commune »";
    case CLASCONV_COMMUNE_TITLE:
        return "titre du tableau";
    case CLASCONV_COMMUNE_FILE_NAME:
        return "nom du fichier";
    case CLASCONV_COMMUNE_NONE:
        break;
    }
    return "non trouvée";
}
