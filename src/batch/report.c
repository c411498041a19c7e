/* report.c: the batch's stable order (commune, then file), its rapport.csv
 * for French Excel, and the result's lifetime. */
#include "batch/batch_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"

const char *clasconv_batch_status_label(clasconv_batch_status status)
{
    switch (status) {
    case CLASCONV_BATCH_OK:
        return "OK";
    case CLASCONV_BATCH_TO_CHECK:
        return "À vérifier";
    case CLASCONV_BATCH_UNREADABLE:
        return "Illisible";
    case CLASCONV_BATCH_WRITE_FAILED:
        return "Non écrit";
    case CLASCONV_BATCH_SKIPPED:
        return "Ignoré";
    }
    return "?";
}

const char *clasconv_batch_file_commune(const clasconv_batch_file *file)
{
    if (file->table != NULL && file->table->commune != NULL)
        return file->table->commune;
    return "";
}

/* --- Order --------------------------------------------------------------- */

typedef struct sort_item {
    clasconv_batch_file file;
    char *key; /* folded commune; NULL when unknown */
} sort_item;

static int cmp_items(const void *a, const void *b)
{
    const sort_item *x = a, *y = b;
    const char *cx = clasconv_batch_file_commune(&x->file);
    const char *cy = clasconv_batch_file_commune(&y->file);
    int c;

    /* Unknown communes go last. */
    if ((cx[0] == '\0') != (cy[0] == '\0'))
        return cx[0] == '\0' ? 1 : -1;
    if (x->key != NULL && y->key != NULL) {
        c = strcmp(x->key, y->key);
        if (c != 0)
            return c;
    }
    c = strcmp(cx, cy);
    if (c != 0)
        return c;
    return strcmp(x->file.path != NULL ? x->file.path : "",
                  y->file.path != NULL ? y->file.path : "");
}

void clasconv_batch_sort(clasconv_batch_file *files, size_t nfiles)
{
    sort_item *items;
    size_t i;

    if (nfiles < 2)
        return;
    items = malloc(nfiles * sizeof *items);
    if (items == NULL) {
        return; /* cannot happen in practice; order stays the walk's */
    }
    for (i = 0; i < nfiles; i++) {
        const char *commune = clasconv_batch_file_commune(&files[i]);
        items[i].file = files[i];
        items[i].key = commune[0] != '\0' ? clasconv_text_key(commune) : NULL;
    }
    qsort(items, nfiles, sizeof *items, cmp_items);
    for (i = 0; i < nfiles; i++) {
        files[i] = items[i].file;
        free(items[i].key);
    }
    free(items);
}

/* --- rapport.csv --------------------------------------------------------- */

/* Appends one field: quoted when needed; a leading = + - @ TAB or CR is
 * escaped with an apostrophe so that Excel does not run it as a formula
 * (OWASP's list: Excel skips a leading TAB or CR, then sees the =). */
static void csv_field(clasconv_buf *out, const char *text)
{
    char *clean = clasconv_utf8_repair(text, text != NULL ? strlen(text) : 0);
    const char *p;
    int quote;

    if (clean == NULL) {
        out->failed = 1;
        return;
    }
    quote = strpbrk(clean, ";\"\r\n") != NULL;
    if (quote)
        clasconv_buf_puts(out, "\"");
    if (clean[0] != '\0' && strchr("=+-@\t\r", clean[0]) != NULL)
        clasconv_buf_puts(out, "'");
    for (p = clean; *p != '\0'; p++) {
        if (*p == '"')
            clasconv_buf_puts(out, "\"\"");
        else
            clasconv_buf_append(out, p, 1);
    }
    if (quote)
        clasconv_buf_puts(out, "\"");
    free(clean);
}

clasconv_error clasconv_batch_render_csv(const clasconv_batch_file *files,
                                         size_t nfiles, clasconv_buf *out)
{
    size_t i;

    clasconv_buf_puts(out, "\xEF\xBB\xBF"
                           "fichier;commune;statut;erreurs;avertissements;"
                           "sortie;message\r\n");
    for (i = 0; i < nfiles; i++) {
        const clasconv_batch_file *f = &files[i];
        csv_field(out, f->path);
        clasconv_buf_puts(out, ";");
        csv_field(out, clasconv_batch_file_commune(f));
        clasconv_buf_puts(out, ";");
        csv_field(out, clasconv_batch_status_label(f->status));
        clasconv_buf_printf(out, ";%zu;%zu;", f->errors, f->warnings);
        csv_field(out, f->output);
        clasconv_buf_puts(out, ";");
        csv_field(out, f->message);
        clasconv_buf_puts(out, "\r\n");
    }
    if (out->failed)
        return out->len >= CLASCONV_BUF_MAX ? CLASCONV_ERR_TOO_LARGE
                                            : CLASCONV_ERR_MEMORY;
    return CLASCONV_OK;
}

void clasconv_batch_result_free(clasconv_batch_result *result)
{
    size_t i;

    if (result == NULL)
        return;
    for (i = 0; i < result->nfiles; i++)
        batch_file_clear(&result->files[i]);
    free(result->files);
    free(result);
}
