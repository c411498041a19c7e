/* report.c: the French plain-text report `clasconv check` prints. */
#include "clasconv/write.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "write/report_util.h"

/* Lines are wrapped to this many characters, so that the report fits an
 * 80-column terminal (and the table is 72 wide). */
#define REPORT_WIDTH 79u
#define LEVEL_COL_WIDTH 12u

/* The output and its first error. */
typedef struct report_out {
    clasconv_buf *buf;
    clasconv_error err;
} report_out;

static void keep(report_out *out, clasconv_error err)
{
    if (out->err == CLASCONV_OK)
        out->err = err;
}

static void put(report_out *out, const char *text)
{
    if (out->err == CLASCONV_OK)
        keep(out, clasconv_buf_puts(out->buf, text));
}

static void put_len(report_out *out, const char *text, size_t len)
{
    if (out->err == CLASCONV_OK)
        keep(out, clasconv_buf_append(out->buf, text, len));
}

static void put_spaces(report_out *out, size_t count)
{
    static const char spaces[] = "                                ";

    while (count > 0 && out->err == CLASCONV_OK) {
        size_t n = count < sizeof spaces - 1 ? count : sizeof spaces - 1;
        put_len(out, spaces, n);
        count -= n;
    }
}

/* Characters (code points) in valid UTF-8 text. */
static size_t text_width(const char *text)
{
    size_t n = 0;

    for (; *text != '\0'; text++) {
        if (((unsigned char)*text & 0xC0) != 0x80)
            n++;
    }
    return n;
}

/* A copy safe to print on a terminal: valid UTF-8, tabs and line breaks
 * as spaces, every other control character as `\xHH` (the one escaping of
 * clasconv_buf_printable), so hostile cell text cannot move the cursor or
 * change colours. NULL when out of memory. */
char *clasconv_terminal_text(const char *text)
{
    char *repaired =
        clasconv_utf8_repair(text, text != NULL ? strlen(text) : 0);
    clasconv_buf buf = {0};
    char *p;

    if (repaired == NULL)
        return NULL;
    for (p = repaired; *p != '\0'; p++)
        if (*p == '\t' || *p == '\n' || *p == '\r')
            *p = ' ';
    if (clasconv_buf_printable(&buf, repaired, 0) != CLASCONV_OK) {
        free(repaired);
        clasconv_buf_free(&buf);
        return NULL;
    }
    free(repaired);
    p = clasconv_buf_detach(&buf);
    return p != NULL ? p : strdup("");
}

static void put_clean(report_out *out, const char *text)
{
    char *safe;

    if (out->err != CLASCONV_OK || text == NULL)
        return;
    safe = clasconv_terminal_text(text);
    if (safe == NULL) {
        keep(out, CLASCONV_ERR_MEMORY);
        return;
    }
    put(out, safe);
    free(safe);
}

/* Text left-aligned in `width` characters (at least one space after). */
static void put_left(report_out *out, const char *text, size_t width)
{
    size_t w = text_width(text);

    put(out, text);
    put_spaces(out, w < width ? width - w : 1);
}

/* Text right-aligned in `width` characters (at least one space before). */
static void put_right(report_out *out, const char *text, size_t width)
{
    size_t w = text_width(text);

    put_spaces(out, w < width ? width - w : 1);
    put(out, text);
}

/* French puts a space before `:` `;` `!` `?` `»` and after `«`: a line
 * must not break there. */
static int glued_after(const char *word, const char *word_end)
{
    return word_end - word >= 2 && word_end[-2] == '\xC2' &&
           word_end[-1] == '\xAB'; /* « */
}

static int glued_before(const char *word)
{
    return word[0] == ':' || word[0] == ';' || word[0] == '!' ||
           word[0] == '?' ||
           (word[0] == '\xC2' && (word[1] == '\xBB' || /* » */
                                  word[1] == '\xB7')); /* · */
}

/* End of the unit that starts at `p` (not a space): a word, with the
 * words that French spacing glues to it. */
static const char *unit_end(const char *p)
{
    const char *word = p, *end = strchr(p, ' ');

    for (;;) {
        const char *next;

        if (end == NULL)
            return p + strlen(p);
        next = end;
        while (*next == ' ')
            next++;
        if (*next == '\0' || (!glued_after(word, end) && !glued_before(next)))
            return end;
        word = next;
        end = strchr(next, ' ');
    }
}

/* Appends `text` word-wrapped to REPORT_WIDTH, the first line indented by
 * `first`, the next ones by `indent`. */
static void put_wrapped_hanging(report_out *out, const char *text, size_t first,
                                size_t indent)
{
    char *safe;
    const char *p;
    size_t column = 0;

    if (out->err != CLASCONV_OK || text == NULL)
        return;
    safe = clasconv_terminal_text(text);
    if (safe == NULL) {
        keep(out, CLASCONV_ERR_MEMORY);
        return;
    }
    p = safe;
    while (*p != '\0' && out->err == CLASCONV_OK) {
        const char *end;
        size_t word_len, word_width;
        char *word;

        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        end = unit_end(p);
        word_len = (size_t)(end - p);
        word = strndup(p, word_len);
        if (word == NULL) {
            keep(out, CLASCONV_ERR_MEMORY);
            break;
        }
        word_width = text_width(word);
        if (column == 0) {
            put_spaces(out, first);
            column = first;
        } else if (column + 1 + word_width > REPORT_WIDTH) {
            put(out, "\n");
            put_spaces(out, indent);
            column = indent;
        } else {
            put(out, " ");
            column++;
        }
        put(out, word);
        column += word_width;
        free(word);
        p = end;
    }
    if (column > 0)
        put(out, "\n");
    free(safe);
}

/* Appends `text` word-wrapped to REPORT_WIDTH, each line indented. */
static void put_wrapped(report_out *out, const char *text, size_t indent)
{
    put_wrapped_hanging(out, text, indent, indent);
}

/* "3 erreurs", "1 avertissement", "0 info". */
static void put_counted(report_out *out, size_t count, const char *singular)
{
    char number[32];

    snprintf(number, sizeof number, "%zu ", count);
    put(out, number);
    put(out, singular);
    if (count > 1)
        put(out, "s");
}

static void put_field(report_out *out, const char *label, const char *value)
{
    if (value == NULL || value[0] == '\0')
        return;
    put_left(out, label, 16);
    put(out, ": ");
    put_clean(out, value);
    put(out, "\n");
}

/* "Commune : Bron (nom du fichier)": where it was found, since the file
 * name is a guess. */
static void put_commune(report_out *out, const clasconv_table *table)
{
    if (table->commune == NULL || table->commune[0] == '\0')
        return;
    put_left(out, "Commune", 16);
    put(out, ": ");
    put_clean(out, table->commune);
    if (table->commune_source != CLASCONV_COMMUNE_NONE) {
        put(out, " (");
        put(out, clasconv_commune_source_label(table->commune_source));
        put(out, ")");
    }
    put(out, "\n");
}

/* 1 when the file could not be read (FILE_UNREADABLE), 2 when it holds no
 * CLAS table (TABLE_NOT_FOUND), 0 otherwise. */
static int table_failed(const clasconv_table *table)
{
    size_t i;

    if (table->nschools > 0)
        return 0;
    for (i = 0; i < table->anomalies.count; i++) {
        clasconv_anomaly_code code = table->anomalies.items[i].code;

        if (code == CLASCONV_A_FILE_UNREADABLE)
            return 1;
        if (code == CLASCONV_A_TABLE_NOT_FOUND)
            return 2;
    }
    return 0;
}

static void put_summary(report_out *out, const clasconv_table *table)
{
    /* Two-line headings of at most 5 characters: the table is 72 columns
     * wide and numbers up to 99999 keep a space before them. */
    static const char *const headings[2][1 + CLASCONV_SCHEME_COUNT] = {
        {"Étab.", "Étude", "École", "Acc.", "Stage", "PRE", "dont", "CLAS",
         "dont", "Autre"},
        {"", "", "ouv.", "éduc.", "", "", "QPV", "", "QPV", ""}};
    static const size_t widths[1 + CLASCONV_SCHEME_COUNT] = {6, 6, 6, 6, 6,
                                                             6, 6, 6, 6, 6};
    const clasconv_totals *unknown = &table->totals[CLASCONV_TOTALS_UNKNOWN];
    char number[32];
    int l, c;

    put(out, "Effectifs par niveau (nombre d'enfants ; une case vide compte "
             "pour 0)\n");
    for (l = 0; l < 2; l++) {
        int last = CLASCONV_SCHEME_COUNT;
        while (last > 0 && headings[l][last][0] == '\0')
            last--; /* no trailing spaces */
        put_left(out, l == 0 ? "Niveau" : "", LEVEL_COL_WIDTH);
        for (c = 0; c <= last; c++)
            put_right(out, headings[l][c], widths[c]);
        put(out, "\n");
    }
    /* Schools of unknown level count in the Total only: their row, shown
     * when there are some, makes the rows add up. */
    for (l = 0; l <= CLASCONV_LEVEL_COUNT + 1; l++) {
        const clasconv_totals *t = &table->totals[CLASCONV_TOTALS_ALL];
        const char *label = clasconv_level_label(CLASCONV_LEVEL_COUNT);

        if (l < CLASCONV_LEVEL_COUNT) {
            t = &table->totals[l];
            label = clasconv_level_label((clasconv_level)l);
        } else if (l == CLASCONV_LEVEL_COUNT) {
            if (unknown->schools <= 0)
                continue;
            t = unknown;
            label = "Inconnu";
        }
        put_left(out, label, LEVEL_COL_WIDTH);
        for (c = 0; c <= CLASCONV_SCHEME_COUNT; c++) {
            int64_t v = c == 0 ? t->schools : t->counts[c - 1];

            snprintf(number, sizeof number, "%" PRId64, v > 0 ? v : 0);
            put_right(out, number, widths[c]);
        }
        put(out, "\n");
    }
    put_wrapped(out,
                "Étab. : établissements ; École ouv. : École ouverte ; Acc. "
                "éduc. : Accompagnement éducatif ; dont QPV : enfants des "
                "quartiers prioritaires.",
                0);
}

static void put_anomaly(report_out *out, const clasconv_anomaly *a)
{
    const char *where[3];
    int n = 0, i;
    clasconv_buf head = {0};
    clasconv_error err;

    if (a->cell != NULL && a->cell[0] != '\0')
        where[n++] = a->cell;
    if (a->school != NULL && a->school[0] != '\0')
        where[n++] = a->school;
    else if (a->level >= 0 && a->level < CLASCONV_LEVEL_COUNT)
        where[n++] = clasconv_level_label(a->level);
    if (a->scheme >= 0 && a->scheme < CLASCONV_SCHEME_COUNT)
        where[n++] = clasconv_scheme_label(a->scheme);

    /* "- [CODE] cell · school · scheme", wrapped under itself. */
    err = clasconv_buf_puts(&head, "- [");
    if (!err)
        err = clasconv_buf_puts(&head, clasconv_anomaly_code_name(a->code));
    if (!err)
        err = clasconv_buf_puts(&head, "]");
    for (i = 0; i < n && !err; i++) {
        err = clasconv_buf_puts(&head, i == 0 ? " " : " · ");
        if (!err)
            err = clasconv_buf_puts(&head, where[i]);
    }
    if (err)
        keep(out, err);
    else
        put_wrapped_hanging(out, head.data, 2, 4);
    clasconv_buf_free(&head);
    put_wrapped(out, a->message, 4);
}

static void put_anomalies(report_out *out, const clasconv_table *table)
{
    static const char *const names[CLASCONV_SEV_COUNT] = {
        "erreur", "avertissement", "info"};
    const clasconv_anomalies *list = &table->anomalies;
    int sev;
    size_t i;

    for (sev = 0; sev < CLASCONV_SEV_COUNT; sev++) {
        size_t count = clasconv_anomalies_count(list, (clasconv_severity)sev);

        if (count == 0)
            continue;
        put(out, "\n");
        put_counted(out, count, names[sev]);
        put(out, "\n");
        for (i = 0; i < list->count && out->err == CLASCONV_OK; i++) {
            if (list->items[i].severity == (clasconv_severity)sev)
                put_anomaly(out, &list->items[i]);
        }
    }
}

clasconv_error clasconv_render_report(const clasconv_table *table,
                                      clasconv_buf *buf)
{
    report_out out;
    size_t errors, start, i;
    int failed;

    if (table == NULL || buf == NULL)
        return CLASCONV_ERR_USAGE;
    out.buf = buf;
    out.err = CLASCONV_OK;
    start = buf->len;

    put_field(&out, "Fichier", table->file_name);
    put_field(&out, "Format", table->format);
    put_field(&out, "Tableau lu dans", table->sheet);
    put_commune(&out, table);
    put_field(&out, "Encodage", table->encoding);
    put(&out, "\n");
    failed = table_failed(table);
    if (failed) {
        /* One message (the anomaly's, which says what to do) and one
         * verdict: nothing was checked. */
        put(&out, failed == 1 ? "Ce fichier n'a pas pu être lu :\n"
                              : "Aucun tableau CLAS n'a été trouvé dans ce "
                                "fichier :\n");
        for (i = 0; i < table->anomalies.count; i++)
            if (table->anomalies.items[i].severity == CLASCONV_SEV_ERROR)
                put_anomaly(&out, &table->anomalies.items[i]);
        for (i = 0; i < table->anomalies.count; i++)
            if (table->anomalies.items[i].severity != CLASCONV_SEV_ERROR)
                put_anomaly(&out, &table->anomalies.items[i]);
        put(&out, "\n");
        put_wrapped(&out,
                    "Rien n'a été vérifié : faites ce qui est indiqué "
                    "ci-dessus, puis relancez « clasconv check ».",
                    0);
        goto done;
    }
    put_summary(&out, table);

    put(&out, "\nAnomalies : ");
    put_counted(&out,
                clasconv_anomalies_count(&table->anomalies, CLASCONV_SEV_ERROR),
                "erreur");
    put(&out, ", ");
    put_counted(
        &out, clasconv_anomalies_count(&table->anomalies, CLASCONV_SEV_WARNING),
        "avertissement");
    put(&out, ", ");
    put_counted(&out,
                clasconv_anomalies_count(&table->anomalies, CLASCONV_SEV_INFO),
                "info");
    put(&out, "\n");
    put_anomalies(&out, table);

    errors = clasconv_anomalies_count(&table->anomalies, CLASCONV_SEV_ERROR);
    put(&out, "\n");
    if (errors == 0) {
        put(&out, "Aucune erreur : le tableau peut être envoyé.\n");
    } else {
        put_counted(&out, errors, "erreur");
        put(&out, " à corriger avant l'envoi.\n");
    }

done:
    if (out.err != CLASCONV_OK && buf->data != NULL && start <= buf->len) {
        buf->len = start;
        buf->data[start] = '\0';
    }
    return out.err;
}
