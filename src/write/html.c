/* html.c: the self-contained HTML check report (check --html). */
#include "clasconv/coord.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clasconv/write.h"
#include "core/atomic.h"
#include "core/text.h"
#include "write/place.h"

#define NO_ANOMALY SIZE_MAX
/* Columns of a level table: the name, then the nine schemes. */
#define HTML_COLS (1 + CLASCONV_SCHEME_COUNT)

/* Where each anomaly is drawn, and per-cell chains of anomalies. */
typedef struct html_map {
    size_t *next;        /* per anomaly: next anomaly of the same cell */
    size_t *school_head; /* per school and column: first anomaly */
    size_t total_head[CLASCONV_LEVEL_COUNT][CLASCONV_SCHEME_COUNT];
    unsigned char *placed; /* per anomaly: drawn in a cell */
    size_t nfile;          /* anomalies listed at the top */
    size_t *file_items;
} html_map;

static const char css[] =
    ":root{color-scheme:light}"
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,"
    "sans-serif;margin:0 auto;max-width:1200px;padding:12px;color:#1a1a1a;"
    "background:#fff;line-height:1.4}"
    "h1{font-size:1.3em;margin:.4em 0}"
    "h2{font-size:1.1em;margin:1.2em 0 .4em}"
    ".verdict{font-size:1.2em;font-weight:bold;padding:10px 14px;"
    "border-radius:6px;margin:0 0 10px}"
    ".v-err{background:#fde2e1;border-left:6px solid #c62828}"
    ".v-warn{background:#fff4d6;border-left:6px solid #b58100}"
    ".v-ok{background:#e3f4e1;border-left:6px solid #2e7d32}"
    ".meta{color:#444;font-size:.9em;margin:.2em 0}"
    ".uai{display:block;color:#444;font-size:.85em}"
    ".legend span{display:inline-block;margin:2px 8px 2px 0;padding:0 6px}"
    ".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}"
    "table{border-collapse:collapse;width:100%;min-width:760px;"
    "table-layout:fixed;font-size:.9em}"
    "th.name-col{width:26%}"
    "th,td{border:1px solid #bbb;padding:4px 6px;vertical-align:top}"
    "thead th{background:#e8eef7;font-size:.85em;text-align:center;"
    "overflow-wrap:break-word;hyphens:manual}"
    "td.num{text-align:right;white-space:nowrap;"
    "font-variant-numeric:tabular-nums}"
    "td.name{min-width:12em;text-align:left}"
    "tfoot td{font-weight:bold;background:#f2f2f2}"
    "td.empty{color:#666;font-style:italic}"
    ".pb{cursor:help}"
    ".pb-erreur{background:#f8c9c7;box-shadow:inset 0 0 0 2px #c62828}"
    ".pb-avertissement{background:#ffe9a8;box-shadow:inset 0 0 0 2px #b58100}"
    ".pb-info{background:#d6e8fb;box-shadow:inset 0 0 0 2px #1e63b5}"
    "a.ref{font-size:.75em;vertical-align:super;text-decoration:none;"
    "margin-left:2px;color:#333}"
    ".lu{text-decoration:line-through;color:#7a1c1c}"
    "ol.anomalies{padding-left:2.2em}"
    "ol.anomalies li{margin:.35em 0}"
    "li:target{background:#ffffb3}"
    ".badge{display:inline-block;padding:0 .4em;border-radius:3px;"
    "font-size:.8em;font-weight:bold;color:#fff}"
    ".b-erreur{background:#c62828}.b-avertissement{background:#8a6200}"
    ".b-info{background:#1e63b5}"
    ".where{color:#444}"
    "code{font-size:.85em}"
    "footer{margin-top:2em;color:#666;font-size:.8em}"
    "@media (max-width:600px){body{padding:6px}th,td{padding:3px 4px}"
    "table{font-size:.85em}.verdict{font-size:1.05em}}"
    "@media print{body{max-width:none;padding:0;font-size:9pt}"
    "table{min-width:0}"
    ".scroll{overflow:visible}a.ref{color:#000}thead{display:"
    "table-header-group}tr,li{break-inside:avoid}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/* Appends `text` escaped for HTML text or a quoted attribute: & < > " '
 * become entities, invalid UTF-8 becomes U+FFFD, control characters become
 * spaces (newlines become &#10; when `keep_newlines`). */
static clasconv_error put_escaped(clasconv_buf *out, const char *text,
                                  int keep_newlines)
{
    char *clean;
    const char *p, *run;
    clasconv_error err = CLASCONV_OK;

    if (!text)
        return CLASCONV_OK;
    clean = clasconv_utf8_repair(text, strlen(text));
    if (!clean)
        return CLASCONV_ERR_MEMORY;
    for (p = run = clean; !err && *p; p++) {
        const char *entity = NULL;
        unsigned char c = (unsigned char)*p;
        switch (c) {
        case '&':
            entity = "&amp;";
            break;
        case '<':
            entity = "&lt;";
            break;
        case '>':
            entity = "&gt;";
            break;
        case '"':
            entity = "&quot;";
            break;
        case '\'':
            entity = "&#39;";
            break;
        case '\n':
            entity = keep_newlines ? "&#10;" : " ";
            break;
        default:
            if (c < 0x20 || c == 0x7F)
                entity = " ";
            break;
        }
        if (!entity)
            continue;
        err = clasconv_buf_append(out, run, (size_t)(p - run));
        if (!err)
            err = clasconv_buf_puts(out, entity);
        run = p + 1;
    }
    if (!err)
        err = clasconv_buf_puts(out, run);
    free(clean);
    return err;
}

static size_t count_sev(const clasconv_table *t, clasconv_severity sev)
{
    return clasconv_anomalies_count(&t->anomalies, sev);
}

void clasconv_html_verdict(const clasconv_table *table, char *buf, size_t size)
{
    size_t errors = count_sev(table, CLASCONV_SEV_ERROR);
    size_t warnings = count_sev(table, CLASCONV_SEV_WARNING);

    if (!buf || !size)
        return;
    if (errors && warnings)
        snprintf(buf, size,
                 "%zu erreur%s à corriger avant l'envoi (et %zu "
                 "avertissement%s à vérifier)",
                 errors, errors > 1 ? "s" : "", warnings,
                 warnings > 1 ? "s" : "");
    else if (errors)
        snprintf(buf, size, "%zu erreur%s à corriger avant l'envoi", errors,
                 errors > 1 ? "s" : "");
    else if (warnings)
        snprintf(buf, size,
                 "Aucune erreur : %zu avertissement%s à vérifier avant "
                 "l'envoi",
                 warnings, warnings > 1 ? "s" : "");
    else
        snprintf(buf, size, "Aucune erreur : le tableau peut être envoyé");
}

static void map_free(html_map *m)
{
    free(m->next);
    free(m->school_head);
    free(m->file_items);
    free(m->placed);
}

/* Places every anomaly: a school cell, a level total cell, or the file. */
static clasconv_error map_build(const clasconv_table *t, html_map *m)
{
    size_t n = t->anomalies.count, cells, i;
    clasconv_place *places;
    int l, s;

    memset(m, 0, sizeof *m);
    if (t->nschools > SIZE_MAX / HTML_COLS / sizeof(size_t))
        return CLASCONV_ERR_TOO_LARGE;
    cells = t->nschools * HTML_COLS;
    m->next = malloc((n ? n : 1) * sizeof *m->next);
    m->file_items = malloc((n ? n : 1) * sizeof *m->file_items);
    m->placed = malloc(n ? n : 1);
    m->school_head = malloc((cells ? cells : 1) * sizeof *m->school_head);
    places = malloc((n ? n : 1) * sizeof *places);
    if (!m->next || !m->file_items || !m->school_head || !m->placed ||
        !places || clasconv_place_anomalies(t, places) != CLASCONV_OK) {
        free(places);
        map_free(m);
        return CLASCONV_ERR_MEMORY;
    }
    for (i = 0; i < cells; i++)
        m->school_head[i] = NO_ANOMALY;
    for (l = 0; l < CLASCONV_LEVEL_COUNT; l++)
        for (s = 0; s < CLASCONV_SCHEME_COUNT; s++)
            m->total_head[l][s] = NO_ANOMALY;
    /* Walk backwards so that each chain keeps the list's order. */
    for (i = n; i-- > 0;) {
        const clasconv_place *p = &places[i];
        size_t *head = NULL;

        m->next[i] = NO_ANOMALY;
        if (p->school != CLASCONV_PLACE_NONE)
            head = &m->school_head[p->school * HTML_COLS +
                                   (size_t)(p->scheme + 1)];
        else if (p->total >= 0 && p->scheme >= 0)
            head = &m->total_head[p->total][p->scheme];
        m->placed[i] = head != NULL;
        if (head) {
            m->next[i] = *head;
            *head = i;
        }
    }
    free(places);
    for (i = 0; i < n; i++)
        if (!m->placed[i])
            m->file_items[m->nfile++] = i;
    return CLASCONV_OK;
}

/* Opens a table cell with its problem class, tooltip and the read value of
 * a value that was not kept; then the value and the reference links. */
static clasconv_error put_cell(clasconv_buf *out, const clasconv_table *t,
                               const html_map *m, size_t head, const char *cls,
                               const char *value)
{
    const clasconv_anomalies *list = &t->anomalies;
    clasconv_error err = CLASCONV_OK;
    clasconv_severity worst = CLASCONV_SEV_INFO;
    const char *lost = NULL;
    size_t j;
    int first = 1;

    for (j = head; j != NO_ANOMALY; j = m->next[j]) {
        if (list->items[j].severity < worst)
            worst = list->items[j].severity;
        if (!lost && list->items[j].read && *list->items[j].read &&
            (!list->items[j].kept || !*list->items[j].kept))
            lost = list->items[j].read;
    }
    if (head == NO_ANOMALY)
        return clasconv_buf_printf(out, "<td class=\"%s\">%s</td>", cls, value);
    err = clasconv_buf_printf(out, "<td class=\"%s pb pb-%s\" title=\"", cls,
                              clasconv_severity_name(worst));
    for (j = head; !err && j != NO_ANOMALY; j = m->next[j]) {
        const clasconv_anomaly *a = &list->items[j];
        if (!first)
            err = clasconv_buf_puts(out, "&#10;");
        first = 0;
        if (!err)
            err = clasconv_buf_printf(out, "%zu. %s : ", j + 1,
                                      clasconv_severity_name(a->severity));
        if (!err)
            err = put_escaped(out, a->message, 0);
    }
    if (!err)
        err = clasconv_buf_printf(out, "\">%s", value);
    if (!err && !*value && lost) {
        err = clasconv_buf_puts(out, "<span class=\"lu\">");
        if (!err)
            err = put_escaped(out, lost, 0);
        if (!err)
            err = clasconv_buf_puts(out, "</span>");
    }
    for (j = head; !err && j != NO_ANOMALY; j = m->next[j])
        err = clasconv_buf_printf(
            out, "<a class=\"ref\" href=\"#a%zu\">%zu</a>", j + 1, j + 1);
    if (!err)
        err = clasconv_buf_puts(out, "</td>");
    return err;
}

static void count_text(char *buf, size_t size, int64_t v)
{
    if (v < 0)
        buf[0] = '\0';
    else
        snprintf(buf, size, "%" PRId64, v);
}

/* A column header: the scheme label, with a soft hyphen in the long word
 * so that narrow columns (phones, print) break it cleanly. */
static const char *scheme_head(int scheme)
{
    if (scheme == CLASCONV_SCHEME_ACCOMPAGNEMENT_EDUCATIF)
        return "Accompa&shy;gnement éducatif";
    return clasconv_scheme_label((clasconv_scheme)scheme);
}

static clasconv_error put_level_head(clasconv_buf *out)
{
    clasconv_error err = clasconv_buf_puts(
        out, "<thead><tr><th scope=\"col\" class=\"name-col\">Établissement"
             "</th>");
    int s;

    for (s = 0; !err && s < CLASCONV_SCHEME_COUNT; s++)
        err = clasconv_buf_printf(out, "<th scope=\"col\">%s</th>",
                                  scheme_head(s));
    if (!err)
        err = clasconv_buf_puts(out, "</tr></thead>");
    return err;
}

/* Whether the annuaire's name says more than the name shown: not when the
 * two differ only by case, accents or punctuation. */
static int official_differs(const clasconv_school *school)
{
    char *a, *b;
    int differs;

    if (school->official_name == NULL || school->official_name[0] == '\0')
        return 0;
    if (school->name == NULL)
        return 1;
    a = clasconv_text_key(school->name);
    b = clasconv_text_key(school->official_name);
    differs = a == NULL || b == NULL || strcmp(a, b) != 0;
    free(a);
    free(b);
    return differs;
}

/* The school's name, then on a line of its own its UAI and, when the
 * annuaire knows it under another name, that name: what the agent needs
 * to look the school up. */
static clasconv_error put_school_name(clasconv_buf *out,
                                      const clasconv_school *school)
{
    clasconv_error err = put_escaped(out, school->name ? school->name : "", 0);

    if (err || school->uai == NULL || school->uai[0] == '\0')
        return err;
    err = clasconv_buf_puts(out, "<span class=\"uai\">UAI ");
    if (!err)
        err = put_escaped(out, school->uai, 0);
    if (!err && official_differs(school)) {
        err = clasconv_buf_puts(out, " · annuaire : ");
        if (!err)
            err = put_escaped(out, school->official_name, 0);
    }
    if (!err)
        err = clasconv_buf_puts(out, "</span>");
    return err;
}

static int in_level(const clasconv_school *school, int level)
{
    if (level == CLASCONV_LEVEL_NONE)
        return school->level < 0 || school->level >= CLASCONV_LEVEL_COUNT;
    return (int)school->level == level;
}

/* One level's table; CLASCONV_LEVEL_NONE shows the schools whose level is
 * unknown (only when there are some). */
static clasconv_error put_level(clasconv_buf *out, const clasconv_table *t,
                                const html_map *m, int level)
{
    const clasconv_totals *tot = &t->totals[CLASCONV_TOTALS_UNKNOWN];
    const char *id = "INCONNU", *label = "Niveau inconnu";
    clasconv_error err;
    size_t i;
    int s;
    char num[32];

    if (level == CLASCONV_LEVEL_NONE && !tot->schools)
        return CLASCONV_OK;
    if (level != CLASCONV_LEVEL_NONE) {
        tot = &t->totals[level];
        id = clasconv_level_id((clasconv_level)level);
        label = clasconv_level_label((clasconv_level)level);
    }
    err = clasconv_buf_printf(
        out,
        "<section class=\"level\" id=\"niveau-%s\"><h2>%s <span "
        "class=\"meta\">(%" PRId64 " établissement%s)</span></h2>"
        "<div class=\"scroll\"><table>",
        id, label, tot->schools, tot->schools > 1 ? "s" : "");
    if (!err)
        err = put_level_head(out);
    if (!err)
        err = clasconv_buf_puts(out, "<tbody>");
    for (i = 0; !err && i < t->nschools; i++) {
        const clasconv_school *school = &t->schools[i];
        const size_t *heads = &m->school_head[i * HTML_COLS];
        clasconv_buf name = {0};
        if (!in_level(school, level))
            continue;
        err = put_school_name(&name, school);
        if (!err)
            err = clasconv_buf_puts(out, "<tr>");
        if (!err)
            err = put_cell(out, t, m, heads[0], "name",
                           name.data ? name.data : "");
        clasconv_buf_free(&name);
        for (s = 0; !err && s < CLASCONV_SCHEME_COUNT; s++) {
            count_text(num, sizeof num, school->counts[s]);
            err = put_cell(out, t, m, heads[1 + s], "num", num);
        }
        if (!err)
            err = clasconv_buf_puts(out, "</tr>");
    }
    if (!err && !tot->schools)
        err = clasconv_buf_printf(out,
                                  "<tr><td class=\"empty\" colspan=\"%d\">"
                                  "Aucun établissement à ce niveau.</td></tr>",
                                  HTML_COLS);
    if (!err)
        err = clasconv_buf_printf(
            out, "</tbody><tfoot><tr><td class=\"name\">Total %s</td>",
            level == CLASCONV_LEVEL_NONE ? "niveau inconnu" : label);
    for (s = 0; !err && s < CLASCONV_SCHEME_COUNT; s++) {
        count_text(num, sizeof num, tot->counts[s]);
        err = put_cell(out, t, m,
                       level == CLASCONV_LEVEL_NONE ? NO_ANOMALY
                                                    : m->total_head[level][s],
                       "num", num);
    }
    if (!err)
        err = clasconv_buf_puts(out, "</tr></tfoot></table></div></section>");
    return err;
}

static clasconv_error put_totals(clasconv_buf *out, const clasconv_table *t)
{
    clasconv_error err = clasconv_buf_puts(
        out, "<section id=\"totaux\"><h2>Totaux</h2><div class=\"scroll\">"
             "<table><thead><tr><th scope=\"col\" class=\"name-col\">Niveau"
             "</th>"
             "<th scope=\"col\">Établis&shy;sements</th>");
    int s, l;

    for (s = 0; !err && s < CLASCONV_SCHEME_COUNT; s++)
        err = clasconv_buf_printf(out, "<th scope=\"col\">%s</th>",
                                  scheme_head(s));
    if (!err)
        err = clasconv_buf_puts(out, "</tr></thead><tbody>");
    for (l = 0; !err && l <= CLASCONV_TOTALS_ALL; l++) {
        const clasconv_totals *tot = &t->totals[l];
        err = clasconv_buf_printf(
            out,
            "<tr%s><td class=\"name\">%s</td><td class=\"num\">%" PRId64
            "</td>",
            l == CLASCONV_LEVEL_COUNT ? " class=\"all\"" : "",
            clasconv_level_label((clasconv_level)l), tot->schools);
        for (s = 0; !err && s < CLASCONV_SCHEME_COUNT; s++)
            err = clasconv_buf_printf(out, "<td class=\"num\">%" PRId64 "</td>",
                                      tot->counts[s]);
        if (!err)
            err = clasconv_buf_puts(out, "</tr>");
    }
    if (!err)
        err = clasconv_buf_puts(out, "</tbody></table></div></section>");
    return err;
}

/* One anomaly of the list: badge, code, where, message, read and kept. */
static clasconv_error put_item(clasconv_buf *out, const clasconv_anomaly *a,
                               const char *id_prefix, size_t number)
{
    const char *sev = clasconv_severity_name(a->severity);
    const char *code = clasconv_anomaly_code_name(a->code);
    const char *parts[4];
    size_t nparts = 0, i;
    clasconv_error err;

    err = clasconv_buf_printf(out,
                              "<li id=\"%s%zu\" class=\"sev-%s\"><span "
                              "class=\"badge b-%s\">%s</span> <code>%s</code>",
                              id_prefix, number, sev, sev, sev,
                              code ? code : "?");
    if (a->level >= 0 && a->level < CLASCONV_LEVEL_COUNT)
        parts[nparts++] = clasconv_level_label(a->level);
    if (a->school && *a->school)
        parts[nparts++] = a->school;
    if (a->scheme >= 0 && a->scheme < CLASCONV_SCHEME_COUNT)
        parts[nparts++] = clasconv_scheme_label(a->scheme);
    if (a->cell && *a->cell)
        parts[nparts++] = a->cell;
    if (!err && nparts)
        err = clasconv_buf_puts(out, " <span class=\"where\">");
    for (i = 0; !err && i < nparts; i++) {
        if (i)
            err = clasconv_buf_puts(out, " · ");
        if (!err)
            err = put_escaped(out, parts[i], 0);
    }
    if (!err && nparts)
        err = clasconv_buf_puts(out, "</span>");
    if (!err)
        err = clasconv_buf_puts(out, " — ");
    if (!err)
        err = put_escaped(out, a->message, 0);
    if (!err && a->read && *a->read) {
        err = clasconv_buf_puts(out, " <span class=\"where\">(lu « ");
        if (!err)
            err = put_escaped(out, a->read, 0);
        if (!err)
            err = clasconv_buf_puts(out, " », retenu « ");
        if (!err)
            err = put_escaped(out, a->kept && *a->kept ? a->kept : "vide", 0);
        if (!err)
            err = clasconv_buf_puts(out, " »)</span>");
    }
    if (!err)
        err = clasconv_buf_puts(out, "</li>");
    return err;
}

static clasconv_error put_header(clasconv_buf *out, const clasconv_table *t,
                                 const clasconv_html_extra *x)
{
    size_t errors = count_sev(t, CLASCONV_SEV_ERROR);
    size_t warnings = count_sev(t, CLASCONV_SEV_WARNING);
    char verdict[256];
    clasconv_error err;

    clasconv_html_verdict(t, verdict, sizeof verdict);
    err = clasconv_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"fr\"><head>"
                                 "<meta charset=\"utf-8\">"
                                 "<meta name=\"viewport\" content=\"width="
                                 "device-width, initial-scale=1\">"
                                 "<title>Vérification du tableau CLAS – ");
    if (!err)
        err = put_escaped(out, t->file_name ? t->file_name : "fichier", 0);
    if (!err)
        err = clasconv_buf_printf(out,
                                  "</title><style>%s%s</style></head>\n"
                                  "<body>%s<header>",
                                  css, x && x->css ? x->css : "",
                                  x && x->nav ? x->nav : "");
    if (!err)
        err =
            clasconv_buf_printf(out, "<p id=\"verdict\" class=\"verdict %s\">",
                                errors     ? "v-err"
                                : warnings ? "v-warn"
                                           : "v-ok");
    if (!err)
        err = put_escaped(out, verdict, 0);
    if (!err)
        err = clasconv_buf_puts(out, "</p><h1>Tableau des dispositifs CLAS");
    if (!err && t->commune && *t->commune) {
        err = clasconv_buf_puts(out, " — ");
        if (!err)
            err = put_escaped(out, t->commune, 0);
    }
    if (!err)
        err = clasconv_buf_puts(out, "</h1><p class=\"meta\">Fichier : ");
    if (!err)
        err = put_escaped(out, t->file_name ? t->file_name : "?", 0);
    if (!err && t->format && *t->format) {
        err = clasconv_buf_puts(out, " · format ");
        if (!err)
            err = put_escaped(out, t->format, 0);
    }
    if (!err && t->sheet && *t->sheet) {
        err = clasconv_buf_puts(out, " · tableau lu dans « ");
        if (!err)
            err = put_escaped(out, t->sheet, 0);
        if (!err)
            err = clasconv_buf_puts(out, " »");
    }
    if (!err && t->sheet && *t->sheet) {
        err = clasconv_buf_puts(out, " · commune trouvée dans : ");
        if (!err)
            err = put_escaped(
                out, clasconv_commune_source_label(t->commune_source), 0);
    }
    if (!err)
        err = clasconv_buf_printf(
            out,
            "</p><p class=\"meta legend\">%zu erreur%s, %zu avertissement%s, "
            "%zu info%s. Cellules signalées : "
            "<span class=\"pb-erreur\">erreur</span>"
            "<span class=\"pb-avertissement\">avertissement</span>"
            "<span class=\"pb-info\">info</span> (survolez une cellule pour "
            "lire le message ; le numéro renvoie à la liste).</p></header>\n",
            errors, errors > 1 ? "s" : "", warnings, warnings > 1 ? "s" : "",
            count_sev(t, CLASCONV_SEV_INFO),
            count_sev(t, CLASCONV_SEV_INFO) > 1 ? "s" : "");
    if (!err && x && x->top)
        err = clasconv_buf_puts(out, x->top);
    return err;
}

/* Non-zero when the file gave no table at all. */
static int table_missing(const clasconv_table *t)
{
    size_t i;

    for (i = 0; i < t->anomalies.count; i++)
        if (t->anomalies.items[i].code == CLASCONV_A_FILE_UNREADABLE ||
            t->anomalies.items[i].code == CLASCONV_A_TABLE_NOT_FOUND)
            return 1;
    return 0;
}

static clasconv_error render(const clasconv_table *t, const html_map *m,
                             const clasconv_html_extra *x, clasconv_buf *out)
{
    clasconv_error err = put_header(out, t, x);
    size_t i;
    int l;

    if (!err && m->nfile) {
        err = clasconv_buf_puts(out, "<section id=\"fichier\"><h2>Problèmes "
                                     "concernant tout le fichier</h2>"
                                     "<ul class=\"anomalies\">");
        for (i = 0; !err && i < m->nfile; i++)
            err = put_item(out, &t->anomalies.items[m->file_items[i]], "f",
                           m->file_items[i] + 1);
        if (!err)
            err = clasconv_buf_puts(out, "</ul></section>\n");
    }
    if (!table_missing(t)) {
        for (l = 0; !err && l < CLASCONV_LEVEL_COUNT; l++)
            err = put_level(out, t, m, l);
        if (!err)
            err = put_level(out, t, m, CLASCONV_LEVEL_NONE);
        if (!err)
            err = put_totals(out, t);
    }
    if (!err)
        err = clasconv_buf_printf(out,
                                  "\n<section id=\"anomalies\"><h2>Anomalies "
                                  "(%zu)</h2>",
                                  t->anomalies.count);
    if (!err && !t->anomalies.count)
        err = clasconv_buf_puts(out, "<p>Aucune anomalie.</p>");
    if (!err && t->anomalies.count)
        err = clasconv_buf_puts(out, "<ol class=\"anomalies\">");
    for (i = 0; !err && i < t->anomalies.count; i++)
        err = put_item(out, &t->anomalies.items[i], "a", i + 1);
    if (!err && t->anomalies.count)
        err = clasconv_buf_puts(out, "</ol>");
    if (!err)
        err = clasconv_buf_puts(out, "</section>\n");
    if (!err && x && x->bottom)
        err = clasconv_buf_puts(out, x->bottom);
    if (!err)
        err = clasconv_buf_printf(out,
                                  "<footer>Rapport produit par "
                                  "clasconv %s.</footer></body></html>\n",
                                  CLASCONV_VERSION);
    return err;
}

const char *clasconv_html_css(void)
{
    return css;
}

clasconv_error clasconv_html_escape(clasconv_buf *out, const char *text)
{
    return put_escaped(out, text, 0);
}

clasconv_error clasconv_render_html(const clasconv_table *table,
                                    clasconv_buf *out)
{
    return clasconv_render_html_page(table, NULL, out);
}

clasconv_error clasconv_render_html_page(const clasconv_table *table,
                                         const clasconv_html_extra *extra,
                                         clasconv_buf *out)
{
    html_map map;
    clasconv_error err;

    if (!table || !out)
        return CLASCONV_ERR_USAGE;
    err = map_build(table, &map);
    if (err)
        return err;
    err = render(table, &map, extra, out);
    map_free(&map);
    if (!err && out->failed)
        err = CLASCONV_ERR_MEMORY;
    return err;
}

clasconv_error clasconv_write_html(const clasconv_table *table,
                                   const char *path, clasconv_diag *diag)
{
    clasconv_buf out = {0};
    clasconv_error err;

    if (!path || !*path) {
        clasconv_diag_set(diag, "Indiquez le fichier du rapport (--html "
                                "RAPPORT.html).");
        return CLASCONV_ERR_USAGE;
    }
    err = clasconv_render_html(table, &out);
    if (err) {
        clasconv_buf_free(&out);
        clasconv_diag_set(diag, "Impossible de produire le rapport HTML : %s.",
                          clasconv_strerror(err));
        return err;
    }
    err = clasconv_atomic_write_file(path, out.data ? out.data : "", out.len, 1,
                                     diag);
    clasconv_buf_free(&out);
    return err;
}
