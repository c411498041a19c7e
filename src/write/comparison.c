/* comparison.c: the outputs of `compare`: French terminal report, JSON and
 * the workbook (Évolution, Changements) written through xlsx_util. */
#include "clasconv/write.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "write/report_util.h"
#include "write/xlsx_util.h"

static clasconv_error buf_result(const clasconv_buf *buf)
{
    if (!buf->failed)
        return CLASCONV_OK;
    return buf->len >= CLASCONV_BUF_MAX ? CLASCONV_ERR_TOO_LARGE
                                        : CLASCONV_ERR_MEMORY;
}

static int64_t count0(int64_t v)
{
    return v > 0 ? v : 0;
}

static const char *kind_label(clasconv_change_kind kind)
{
    switch (kind) {
    case CLASCONV_CHANGE_SCHOOL_NEW:
        return "Établissement apparu";
    case CLASCONV_CHANGE_SCHOOL_GONE:
        return "Établissement disparu";
    case CLASCONV_CHANGE_SCHEME_STARTED:
        return "Dispositif commencé";
    case CLASCONV_CHANGE_SCHEME_STOPPED:
        return "Dispositif arrêté";
    case CLASCONV_CHANGE_COUNT_MOVED:
        return "Effectif en forte variation";
    }
    return "";
}

static const char *level_label(clasconv_level level)
{
    return level >= 0 && level < CLASCONV_LEVEL_COUNT
               ? clasconv_level_label(level)
               : "Inconnu";
}

/* --- Terminal report --------------------------------------------------- */

static size_t text_width(const char *text)
{
    size_t n = 0;

    for (; *text; text++)
        n += ((unsigned char)*text & 0xC0) != 0x80;
    return n;
}

static void put_padded(clasconv_buf *out, const char *text, size_t width,
                       int right)
{
    size_t w = text_width(text), pad = w < width ? width - w : 1;

    if (!right)
        clasconv_buf_puts(out, text);
    clasconv_buf_printf(out, "%*s", (int)pad, "");
    if (right)
        clasconv_buf_puts(out, text);
}

static void put_safe(clasconv_buf *out, const char *text)
{
    char *safe = clasconv_terminal_text(text ? text : "");

    if (!safe) {
        out->failed = 1;
        return;
    }
    clasconv_buf_puts(out, safe);
    free(safe);
}

static void put_side(clasconv_buf *out, const char *label,
                     const clasconv_table *t)
{
    clasconv_buf_printf(out, "%s : ", label);
    if (!t->file_name || !t->file_name[0]) {
        clasconv_buf_puts(out, "aucun fichier pour cette commune\n");
        return;
    }
    put_safe(out, t->file_name);
    if (t->commune) {
        clasconv_buf_puts(out, " (");
        put_safe(out, t->commune);
        clasconv_buf_puts(out, ")");
    }
    clasconv_buf_printf(out, ", %zu établissement%s\n", t->nschools,
                        t->nschools > 1 ? "s" : "");
}

static void put_totals_row(clasconv_buf *out, const char *level,
                           const char *what, int64_t before, int64_t after)
{
    char num[32];

    put_padded(out, level, 14, 0);
    put_padded(out, what, 26, 0);
    snprintf(num, sizeof num, "%" PRId64, before);
    put_padded(out, num, 8, 1);
    snprintf(num, sizeof num, "%" PRId64, after);
    put_padded(out, num, 8, 1);
    snprintf(num, sizeof num, "%+" PRId64, after - before);
    put_padded(out, num, 8, 1);
    clasconv_buf_puts(out, "\n");
}

static size_t count_kind(const clasconv_comparison *cmp,
                         clasconv_change_kind kind)
{
    size_t i, n = 0;

    for (i = 0; i < cmp->count; i++)
        n += cmp->changes[i].kind == kind;
    return n;
}

static void put_change_line(clasconv_buf *out, const clasconv_change *c)
{
    clasconv_buf_puts(out, "  - ");
    put_safe(out, c->school);
    clasconv_buf_printf(out, " (%s", level_label(c->level));
    if (c->uai) {
        clasconv_buf_puts(out, ", UAI ");
        put_safe(out, c->uai);
    }
    clasconv_buf_puts(out, ")");
    if (c->scheme != CLASCONV_SCHEME_NONE) {
        int64_t b = count0(c->before), a = count0(c->after);
        clasconv_buf_printf(out, " : %s %" PRId64 " → %" PRId64 " (%+" PRId64,
                            clasconv_scheme_label(c->scheme), b, a, a - b);
        if (c->kind == CLASCONV_CHANGE_COUNT_MOVED && b > 0)
            clasconv_buf_printf(out, ", %+.0f %%",
                                (double)(a - b) * 100.0 / (double)b);
        clasconv_buf_puts(out, ")");
    }
    clasconv_buf_puts(out, "\n");
}

static const struct section {
    clasconv_change_kind kind;
    const char *title;
} sections[] = {
    {CLASCONV_CHANGE_SCHOOL_NEW, "Établissements apparus"},
    {CLASCONV_CHANGE_SCHOOL_GONE, "Établissements disparus"},
    {CLASCONV_CHANGE_SCHEME_STARTED, "Dispositifs commencés"},
    {CLASCONV_CHANGE_SCHEME_STOPPED, "Dispositifs arrêtés"},
    {CLASCONV_CHANGE_COUNT_MOVED, "Effectifs en forte variation"},
};

static void render_one(const clasconv_comparison *cmp, clasconv_buf *out)
{
    const clasconv_table *b = cmp->before, *a = cmp->after;
    size_t i, k;
    int l, s;

    put_side(out, "Ancien ", b);
    put_side(out, "Nouveau", a);
    clasconv_buf_printf(
        out,
        "Établissements retrouvés : %zu (dont %zu par leur UAI, les autres "
        "par niveau et nom) ; apparus : %zu ; disparus : %zu.\n\n",
        cmp->kept, cmp->by_uai, count_kind(cmp, CLASCONV_CHANGE_SCHOOL_NEW),
        count_kind(cmp, CLASCONV_CHANGE_SCHOOL_GONE));

    clasconv_buf_puts(out, "Totaux par niveau (nombre d'enfants ; les lignes "
                           "à 0 des deux côtés sont omises)\n");
    put_padded(out, "Niveau", 14, 0);
    put_padded(out, "Dispositif", 26, 0);
    put_padded(out, "Ancien", 8, 1);
    put_padded(out, "Nouveau", 8, 1);
    put_padded(out, "Écart", 8, 1);
    clasconv_buf_puts(out, "\n");
    for (l = 0; l <= CLASCONV_LEVEL_COUNT; l++) {
        const clasconv_totals *tb = &b->totals[l], *ta = &a->totals[l];
        const char *label = clasconv_level_label((clasconv_level)l);
        put_totals_row(out, label, "Établissements", tb->schools, ta->schools);
        for (s = 0; s < CLASCONV_SCHEME_COUNT; s++)
            if (tb->counts[s] || ta->counts[s])
                put_totals_row(out, label,
                               clasconv_scheme_label((clasconv_scheme)s),
                               tb->counts[s], ta->counts[s]);
    }

    for (k = 0; k < sizeof sections / sizeof *sections; k++) {
        size_t n = count_kind(cmp, sections[k].kind);
        clasconv_buf_printf(out, "\n%s : %zu\n", sections[k].title, n);
        if (sections[k].kind == CLASCONV_CHANGE_COUNT_MOVED)
            clasconv_buf_printf(out,
                                "  (écart de plus de %d enfants et de plus "
                                "de %d %% de l'ancien effectif)\n",
                                CLASCONV_COMPARE_MIN_CHILDREN,
                                CLASCONV_COMPARE_MIN_PERCENT);
        for (i = 0; i < cmp->count; i++)
            if (cmp->changes[i].kind == sections[k].kind)
                put_change_line(out, &cmp->changes[i]);
    }
}

/* The commune a comparison is about (the newer side's, else the older). */
static const char *commune_of(const clasconv_comparison *cmp)
{
    if (cmp->after->commune)
        return cmp->after->commune;
    return cmp->before->commune ? cmp->before->commune : "";
}

clasconv_error clasconv_render_comparison(const clasconv_comparison *cmps,
                                          size_t n, clasconv_buf *out)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (n > 1) {
            clasconv_buf_printf(out, "%s== ", i ? "\n" : "");
            put_safe(out, commune_of(&cmps[i]));
            clasconv_buf_puts(out, " ==\n");
        }
        render_one(&cmps[i], out);
    }
    return buf_result(out);
}

/* --- JSON -------------------------------------------------------------- */

static void json_string(clasconv_buf *out, const char *text)
{
    char *safe;

    if (!text) {
        clasconv_buf_puts(out, "null");
        return;
    }
    safe = clasconv_utf8_repair(text, strlen(text));
    if (!safe) {
        out->failed = 1;
        return;
    }
    clasconv_buf_json_string(out, safe);
    free(safe);
}

static void json_count(clasconv_buf *out, int64_t v)
{
    if (v < 0)
        clasconv_buf_puts(out, "null");
    else
        clasconv_buf_printf(out, "%" PRId64, v);
}

static void json_side(clasconv_buf *out, const clasconv_table *t)
{
    clasconv_buf_puts(out, "{\"file\":");
    json_string(out, t->file_name && t->file_name[0] ? t->file_name : NULL);
    clasconv_buf_puts(out, ",\"commune\":");
    json_string(out, t->commune);
    clasconv_buf_printf(out, ",\"schools\":%zu}", t->nschools);
}

static void json_one(const clasconv_comparison *cmp, clasconv_buf *out)
{
    size_t i;
    int l, s;

    clasconv_buf_puts(out, "{\"before\":");
    json_side(out, cmp->before);
    clasconv_buf_puts(out, ",\"after\":");
    json_side(out, cmp->after);
    clasconv_buf_printf(out, ",\"kept\":%zu,\"kept_by_uai\":%zu", cmp->kept,
                        cmp->by_uai);
    clasconv_buf_printf(out, ",\"thresholds\":{\"children\":%d,\"percent\":%d}",
                        CLASCONV_COMPARE_MIN_CHILDREN,
                        CLASCONV_COMPARE_MIN_PERCENT);
    clasconv_buf_puts(out, ",\"totals\":{");
    for (l = 0; l <= CLASCONV_LEVEL_COUNT; l++) {
        const clasconv_totals *tb = &cmp->before->totals[l];
        const clasconv_totals *ta = &cmp->after->totals[l];
        clasconv_buf_printf(out,
                            "%s\"%s\":{\"schools\":{\"before\":%" PRId64
                            ",\"after\":%" PRId64 ",\"change\":%" PRId64 "}",
                            l ? "," : "", clasconv_level_id((clasconv_level)l),
                            tb->schools, ta->schools,
                            ta->schools - tb->schools);
        for (s = 0; s < CLASCONV_SCHEME_COUNT; s++)
            clasconv_buf_printf(
                out,
                ",\"%s\":{\"before\":%" PRId64 ",\"after\":%" PRId64
                ",\"change\":%" PRId64 "}",
                clasconv_scheme_id((clasconv_scheme)s), tb->counts[s],
                ta->counts[s], ta->counts[s] - tb->counts[s]);
        clasconv_buf_puts(out, "}");
    }
    clasconv_buf_puts(out, "},\"changes\":[");
    for (i = 0; i < cmp->count; i++) {
        const clasconv_change *c = &cmp->changes[i];
        clasconv_buf_printf(out, "%s{\"kind\":\"%s\",\"level\":", i ? "," : "",
                            clasconv_change_kind_id(c->kind));
        json_string(out, c->level >= 0 && c->level < CLASCONV_LEVEL_COUNT
                             ? clasconv_level_id(c->level)
                             : NULL);
        clasconv_buf_puts(out, ",\"school\":");
        json_string(out, c->school);
        clasconv_buf_puts(out, ",\"uai\":");
        json_string(out, c->uai);
        clasconv_buf_puts(out, ",\"scheme\":");
        json_string(out, clasconv_scheme_id(c->scheme));
        clasconv_buf_puts(out, ",\"before\":");
        json_count(out, c->before);
        clasconv_buf_puts(out, ",\"after\":");
        json_count(out, c->after);
        clasconv_buf_puts(out, "}");
    }
    clasconv_buf_puts(out, "]}");
}

clasconv_error clasconv_render_comparison_json(const clasconv_comparison *cmps,
                                               size_t n, clasconv_buf *out)
{
    size_t i;

    if (n == 1) {
        json_one(&cmps[0], out);
    } else {
        clasconv_buf_puts(out, "{\"communes\":[");
        for (i = 0; i < n; i++) {
            if (i)
                clasconv_buf_puts(out, ",");
            json_one(&cmps[i], out);
        }
        clasconv_buf_puts(out, "]}");
    }
    clasconv_buf_puts(out, "\n");
    return buf_result(out);
}

/* --- Workbook ---------------------------------------------------------- */

#define EVO_COLS 7u
#define CHANGE_COLS 9u

/* Évolution: per commune, one row per level and line (Établissements,
 * then the nine schemes), Ancien and Nouveau as numbers, Écart and
 * Évolution as formulas with their cached values. */
static void write_evolution(clasconv_xlsx *x, const clasconv_comparison *cmps,
                            size_t n, lxw_format *percent)
{
    static const char *const labels[EVO_COLS] = {"Commune",  "Niveau",  "Ligne",
                                                 "Ancien",   "Nouveau", "Écart",
                                                 "Évolution"};
    lxw_worksheet *ws = clasconv_xlsx_add_sheet(x, "Évolution");
    size_t row = 1, i;
    char formula[96];
    int l, s;

    clasconv_xlsx_header_row(x, ws, labels, EVO_COLS);
    for (i = 0; i < n && x->lerr == LXW_NO_ERROR; i++)
        for (l = 0; l <= CLASCONV_LEVEL_COUNT; l++) {
            const clasconv_totals *tb = &cmps[i].before->totals[l];
            const clasconv_totals *ta = &cmps[i].after->totals[l];
            for (s = -1; s < CLASCONV_SCHEME_COUNT; s++, row++) {
                int64_t b = s < 0 ? tb->schools : tb->counts[s];
                int64_t a = s < 0 ? ta->schools : ta->counts[s];
                int total = l == CLASCONV_LEVEL_COUNT;

                clasconv_xlsx_string(x, ws, row, 0, commune_of(&cmps[i]),
                                     x->text);
                clasconv_xlsx_string(x, ws, row, 1,
                                     clasconv_level_label((clasconv_level)l),
                                     total ? x->bold : x->text);
                clasconv_xlsx_string(
                    x, ws, row, 2,
                    s < 0 ? "Établissements"
                          : clasconv_scheme_label((clasconv_scheme)s),
                    x->text);
                clasconv_xlsx_number(x, ws, row, 3, (double)b, x->count);
                clasconv_xlsx_number(x, ws, row, 4, (double)a, x->count);
                snprintf(formula, sizeof formula, "=E%zu-D%zu", row + 1,
                         row + 1);
                clasconv_xlsx_formula(x, ws, row, 5, formula, x->count,
                                      (double)(a - b));
                if (b > 0) {
                    snprintf(formula, sizeof formula, "=(E%zu-D%zu)/D%zu",
                             row + 1, row + 1, row + 1);
                    clasconv_xlsx_formula(x, ws, row, 6, formula, percent,
                                          (double)(a - b) / (double)b);
                }
            }
        }
    clasconv_xlsx_check(
        x, worksheet_autofilter(ws, 0, 0, (lxw_row_t)(row - 1), EVO_COLS - 1),
        "filtre");
    clasconv_xlsx_width(x, ws, 0, 0, 20);
    clasconv_xlsx_width(x, ws, 1, 1, 13);
    clasconv_xlsx_width(x, ws, 2, 2, 26);
    clasconv_xlsx_width(x, ws, 3, 6, 11);
    clasconv_xlsx_page_setup(x, ws);
}

static void write_changes(clasconv_xlsx *x, const clasconv_comparison *cmps,
                          size_t n)
{
    static const char *const labels[CHANGE_COLS] = {
        "Commune",    "Changement", "Niveau",  "Établissement", "UAI",
        "Dispositif", "Ancien",     "Nouveau", "Écart"};
    lxw_worksheet *ws = clasconv_xlsx_add_sheet(x, "Changements");
    char formula[64];
    size_t row = 0, i, k;

    clasconv_xlsx_header_row(x, ws, labels, CHANGE_COLS);
    for (k = 0; k < n; k++)
        for (i = 0; i < cmps[k].count && x->lerr == LXW_NO_ERROR; i++) {
            const clasconv_change *c = &cmps[k].changes[i];
            int64_t b = count0(c->before), a = count0(c->after);

            row++;
            clasconv_xlsx_string(x, ws, row, 0, commune_of(&cmps[k]), x->text);
            clasconv_xlsx_string(x, ws, row, 1, kind_label(c->kind), x->text);
            clasconv_xlsx_string(x, ws, row, 2, level_label(c->level), x->text);
            clasconv_xlsx_string(x, ws, row, 3, c->school, x->text);
            clasconv_xlsx_string(x, ws, row, 4, c->uai, x->text);
            if (c->scheme == CLASCONV_SCHEME_NONE)
                continue;
            clasconv_xlsx_string(x, ws, row, 5,
                                 clasconv_scheme_label(c->scheme), x->text);
            clasconv_xlsx_number(x, ws, row, 6, (double)b, x->count);
            clasconv_xlsx_number(x, ws, row, 7, (double)a, x->count);
            snprintf(formula, sizeof formula, "=H%zu-G%zu", row + 1, row + 1);
            clasconv_xlsx_formula(x, ws, row, 8, formula, x->count,
                                  (double)(a - b));
        }
    if (row > 0)
        clasconv_xlsx_check(
            x, worksheet_autofilter(ws, 0, 0, (lxw_row_t)row, CHANGE_COLS - 1),
            "filtre");
    clasconv_xlsx_width(x, ws, 0, 0, 20);
    clasconv_xlsx_width(x, ws, 1, 1, 26);
    clasconv_xlsx_width(x, ws, 2, 2, 13);
    clasconv_xlsx_width(x, ws, 3, 3, 42);
    clasconv_xlsx_width(x, ws, 4, 4, 11);
    clasconv_xlsx_width(x, ws, 5, 5, 24);
    clasconv_xlsx_width(x, ws, 6, 8, 10);
    clasconv_xlsx_page_setup(x, ws);
}

clasconv_error clasconv_write_comparison(const clasconv_comparison *cmps,
                                         size_t n, const char *path,
                                         clasconv_diag *diag)
{
    clasconv_xlsx x;
    lxw_format *percent;

    if (clasconv_xlsx_open(&x, path, "Comparaison CLAS", diag) != CLASCONV_OK)
        return CLASCONV_ERR_WRITE;
    percent = workbook_add_format(x.wb);
    if (percent)
        format_set_num_format(percent, "0%");
    write_evolution(&x, cmps, n, percent ? percent : x.count);
    write_changes(&x, cmps, n);
    return clasconv_xlsx_commit(&x, diag);
}
