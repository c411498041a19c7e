/* convert.c: the whole pipeline for one input: sniff, read, locate,
 * reconcile. Failures become a table with one anomaly, so that every
 * writer can still say what happened. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clasconv/clasconv.h"
#include "core/sha256.h"

static const char *base_name(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;

    return slash ? slash + 1 : path;
}

/* Records a failure as the table's one anomaly. */
static clasconv_error fail(clasconv_table *table, clasconv_error err,
                           clasconv_diag *diag)
{
    clasconv_anomaly_code code = err == CLASCONV_ERR_NO_TABLE
                                     ? CLASCONV_A_TABLE_NOT_FOUND
                                     : CLASCONV_A_FILE_UNREADABLE;

    if (!diag->message[0])
        clasconv_diag_set(diag, "%s.", clasconv_strerror(err));
    if (clasconv_anomalies_add(&table->anomalies, code, NULL, "%s",
                               diag->message))
        return CLASCONV_ERR_MEMORY;
    return err;
}

clasconv_error clasconv_convert_memory(const char *file_name, const char *path,
                                       const unsigned char *data, size_t size,
                                       clasconv_table **out,
                                       clasconv_diag *diag)
{
    clasconv_diag local;
    clasconv_table *table;
    clasconv_grid *grid;
    clasconv_format format;
    clasconv_input in;
    clasconv_error err;
    const char *encoding;
    int assumed = 0;
    size_t i;

    if (!diag)
        diag = &local;
    clasconv_diag_clear(diag);
    *out = table = clasconv_table_new();
    if (!table) {
        clasconv_diag_set(diag, "Mémoire insuffisante.");
        return CLASCONV_ERR_MEMORY;
    }
    format = clasconv_sniff(data, size);
    clasconv_sha256_hex(data, size, table->sha256);
    if (clasconv_table_set_string(&table->file_name,
                                  file_name ? base_name(file_name) : "") ||
        clasconv_table_set_string(&table->format,
                                  clasconv_format_name(format))) {
        clasconv_diag_set(diag, "Mémoire insuffisante.");
        return CLASCONV_ERR_MEMORY;
    }
    grid = clasconv_grid_new();
    if (!grid) {
        clasconv_diag_set(diag, "Mémoire insuffisante.");
        return fail(table, CLASCONV_ERR_MEMORY, diag);
    }
    in.path = path;
    in.data = data;
    in.size = size;
    err = clasconv_read(format, &in, grid, diag);
    if (err) {
        clasconv_grid_free(grid);
        return fail(table, err, diag);
    }
    encoding = clasconv_grid_encoding(grid, &assumed);
    if (encoding && clasconv_table_set_string(&table->encoding, encoding))
        err = CLASCONV_ERR_MEMORY;
    if (!err && encoding && assumed && !strcmp(encoding, "UTF-8"))
        err = clasconv_anomalies_add(
            &table->anomalies, CLASCONV_A_ENCODING_ASSUMED, NULL,
            "Le fichier CSV annonce l'UTF-8 mais contient des octets "
            "invalides : ils ont été remplacés par « \xEF\xBF\xBD ». "
            "Vérifiez les accents des noms.");
    else if (!err && encoding && assumed)
        err = clasconv_anomalies_add(
            &table->anomalies, CLASCONV_A_ENCODING_ASSUMED, NULL,
            "Le fichier CSV n'est pas en UTF-8 : il a été lu comme du %s "
            "(export d'Excel en français). Vérifiez les accents des noms.",
            encoding);
    for (i = 0; !err && i < clasconv_grid_note_count(grid); i++) {
        int code;
        const char *cell, *message;
        clasconv_anomaly_at at = clasconv_anomaly_nowhere();
        clasconv_grid_note(grid, i, &code, &cell, &message);
        at.cell = cell;
        err = clasconv_anomalies_add(
            &table->anomalies, (clasconv_anomaly_code)code, &at, "%s", message);
    }
    if (!err)
        err = clasconv_locate(grid, table->file_name, table, diag);
    clasconv_grid_free(grid);
    if (!err)
        err = clasconv_ref_read_uai(table);
    if (!err)
        err = clasconv_reconcile(table);
    if (!err)
        err = clasconv_plausibility_check(table);
    if (err)
        return fail(table, err, diag);
    return CLASCONV_OK;
}

clasconv_error clasconv_convert(const char *path, clasconv_table **out,
                                clasconv_diag *diag)
{
    clasconv_diag local;
    unsigned char *data = NULL;
    size_t size = 0;
    clasconv_error err;

    if (!diag)
        diag = &local;
    clasconv_diag_clear(diag);
    err = clasconv_load_file(path, &data, &size, diag);
    if (err) {
        clasconv_table *table = clasconv_table_new();
        *out = table;
        if (!table)
            return CLASCONV_ERR_MEMORY;
        if (clasconv_table_set_string(&table->file_name, base_name(path)) ||
            clasconv_table_set_string(&table->format, "inconnu"))
            return CLASCONV_ERR_MEMORY;
        return fail(table, err, diag);
    }
    err = clasconv_convert_memory(path, path, data, size, out, diag);
    free(data);
    return err;
}
