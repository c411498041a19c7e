/* template.c: the form's section 3 as a fillable, validated, protected XLSX. */
#include "clasconv/coord.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "write/place.h"
#include "write/xlsx_util.h"

/* Rows of the sheet (0-based), as in the form and the samples. */
#define ROW_TITLE 0
#define ROW_YEAR 1
#define ROW_NOTE 2
#define ROW_COMMUNE 4
#define ROW_SECTION 6
#define ROW_QPV_NOTE 7
#define ROW_HEAD 9
#define ROW_FIRST_LEVEL 10

/* Columns: A holds names, B..J the nine schemes in clasconv_scheme order. */
#define COL_NAME 0
#define COL_LAST_SCHEME (1 + CLASCONV_SCHEME_COUNT - 1)
/* K: which "other" scheme AUTRE counts (read back as "Autre (précision)"). */
#define COL_DETAIL (COL_LAST_SCHEME + 1)
/* The printed columns, A..K: the titles and the NIVEAU rows span them. */
#define COL_LAST COL_DETAIL
/* L: the commune's remarks (read back as its school's observations), on
 * screen only: printed too, the page would be under 8 pt at A4 width. */
#define COL_OBS (COL_DETAIL + 1)
#define COL_OF(scheme) ((lxw_col_t)(1 + (scheme)))

#define SHEET_NAME "Tableau CLAS"

#define DOC_TITLE "Dispositifs existants sur le territoire (CLAS)"

static const char *const level_rows[CLASCONV_LEVEL_COUNT] = {
    "NIVEAU ELEMENTAIRE", "NIVEAU COLLEGE", "NIVEAU LYCEE"};
static const char *const total_rows[CLASCONV_LEVEL_COUNT] = {
    "TOTAL ELEMENTAIRE", "TOTAL COLLEGE", "TOTAL LYCEE"};
#define GRAND_TOTAL_LABEL "TOTAL GÉNÉRAL"

/* The form's first header row; PRE and CLAS span their "dont QPV" column. */
static const char *const scheme_heads[CLASCONV_SCHEME_COUNT] = {
    "ETUDE",
    "ECOLE OUVERTE",
    "ACCOMPAGNEMENT EDUCATIF",
    "STAGE DE REUSSITE",
    "PROGRAMME DE REUSSITE EDUCATIVE (PRE)",
    NULL,
    "(CLAS)",
    NULL,
    "AUTRE (PRECISER)"};

#define SUBHEAD_NAME "ETABLISSEMENTS SCOLAIRES"
#define SUBHEAD_COUNT "NOMBRE D’ENFANTS"
#define SUBHEAD_QPV "Dont issus QPV"
#define DETAIL_HEAD "PRÉCISION (AUTRE)"
#define DETAIL_SUBHEAD "Nom du dispositif"
/* Read back as VOCAB_OBSERVATIONS (src/table/vocab.c): keep in step. */
#define OBS_HEAD "OBSERVATIONS DE LA COMMUNE"
#define OBS_SUBHEAD "Remarques libres"

/* Texts handed to libxlsxwriter (its fields are not const). */
static char count_title[] = "Nombre d'enfants";
static char count_prompt[] =
    "Nombre entier d'enfants (0 ou plus). Laissez la cellule "
    "vide si le dispositif n'existe pas dans cet établissement.";
static char count_error_title[] = "Nombre d'enfants invalide";
static char count_error[] = "Saisissez un nombre entier, 0 ou plus, sans "
                            "texte ni décimale (par exemple 12).";
static char zero_formula[] = "0";
static char qpv_title[] = "Dont issus QPV";
static char qpv_prompt[] =
    "Parmi ces enfants, combien habitent un quartier prioritaire "
    "(QPV) ? Nombre entier, au plus égal au nombre d'enfants de "
    "la colonne de gauche.";
static char qpv_error_title[] = "Nombre QPV invalide";
static char qpv_error[] =
    "Le nombre d'enfants issus QPV doit être un nombre entier "
    "entre 0 et le nombre d'enfants du dispositif (colonne de "
    "gauche). Remplissez d'abord le nombre d'enfants.";
static char obs_title[] = "Observations";
static char obs_prompt[] = "Remarque libre sur cet établissement (horaires, "
                           "démarrage, groupes...). Elle n'est pas comptée.";
static char detail_title[] = "Autre dispositif";
static char detail_prompt[] = "Si des enfants sont comptés dans AUTRE, nommez "
                              "ce dispositif (par exemple « Coup de pouce "
                              "CLÉ »).";
static char name_title[] = "Établissement scolaire";
static char name_prompt[] = "Nom de l'établissement, par exemple « École "
                            "élémentaire Jules Ferry » ou « Collège Jean "
                            "Moulin ». Une ligne par établissement.";

static int is_qpv(int scheme)
{
    return scheme == CLASCONV_SCHEME_PRE_QPV ||
           scheme == CLASCONV_SCHEME_CLAS_QPV;
}

/* Where each level's rows are, once the row counts are known. */
typedef struct level_layout {
    lxw_row_t level_row;  /* "NIVEAU ..." */
    lxw_row_t sub_row;    /* "ETABLISSEMENTS SCOLAIRES ..." */
    lxw_row_t first_data; /* first school row */
    size_t nrows;         /* school rows */
    lxw_row_t total_row;  /* "TOTAL ..." */
} level_layout;

typedef struct template_formats {
    lxw_format *title, *subtitle, *label, *commune, *head, *level, *subhead;
    lxw_format *name, *count, *total_label, *total, *grand_label, *grand;
    lxw_format *note;
    lxw_format *remark; /* observations: editable, wrapped */
    /* A pre-filled cell with an anomaly: fill of its severity. */
    lxw_format *name_sev[3], *count_sev[3];
} template_formats;

static lxw_format *new_format(lxw_workbook *wb, int bold, int border,
                              lxw_color_t bg)
{
    lxw_format *f = workbook_add_format(wb);

    if (!f)
        return NULL;
    format_set_font_name(f, "Arial");
    format_set_font_size(f, 10);
    format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
    if (bold)
        format_set_bold(f);
    if (border)
        format_set_border(f, LXW_BORDER_THIN);
    if (bg)
        format_set_bg_color(f, bg);
    return f;
}

static int make_formats(lxw_workbook *wb, template_formats *fm)
{
    int sev;

    fm->title = new_format(wb, 1, 0, 0);
    fm->subtitle = new_format(wb, 1, 0, 0);
    fm->label = new_format(wb, 1, 0, 0);
    fm->commune = new_format(wb, 1, 0, 0);
    fm->head = new_format(wb, 1, 1, 0xD9E1F2);
    fm->level = new_format(wb, 1, 1, 0xBDD7EE);
    fm->subhead = new_format(wb, 1, 1, 0xEDEDED);
    fm->name = new_format(wb, 0, 1, 0);
    fm->count = new_format(wb, 0, 1, 0);
    fm->total_label = new_format(wb, 1, 1, 0xFFF2CC);
    fm->total = new_format(wb, 1, 1, 0xFFF2CC);
    fm->grand_label = new_format(wb, 1, 1, 0xFFD966);
    fm->grand = new_format(wb, 1, 1, 0xFFD966);
    fm->note = new_format(wb, 0, 0, 0);
    fm->remark = new_format(wb, 0, 1, 0);
    for (sev = 0; sev < 3; sev++) {
        fm->name_sev[sev] =
            new_format(wb, 0, 1, clasconv_xlsx_severity_fill[sev]);
        fm->count_sev[sev] =
            new_format(wb, 0, 1, clasconv_xlsx_severity_fill[sev]);
        if (!fm->name_sev[sev] || !fm->count_sev[sev])
            return -1;
        format_set_unlocked(fm->name_sev[sev]);
        format_set_unlocked(fm->count_sev[sev]);
        format_set_align(fm->count_sev[sev], LXW_ALIGN_CENTER);
        format_set_num_format(fm->count_sev[sev], "0");
    }
    if (!fm->title || !fm->subtitle || !fm->label || !fm->commune ||
        !fm->head || !fm->level || !fm->subhead || !fm->name || !fm->count ||
        !fm->total_label || !fm->total || !fm->grand_label || !fm->grand ||
        !fm->note || !fm->remark)
        return -1;
    format_set_font_size(fm->title, 14);
    format_set_align(fm->title, LXW_ALIGN_CENTER);
    format_set_align(fm->subtitle, LXW_ALIGN_CENTER);
    format_set_font_size(fm->subtitle, 12);
    format_set_unlocked(fm->commune);
    format_set_bottom(fm->commune, LXW_BORDER_THIN);
    format_set_font_size(fm->commune, 12);
    format_set_text_wrap(fm->head);
    format_set_align(fm->head, LXW_ALIGN_CENTER);
    format_set_text_wrap(fm->subhead);
    format_set_align(fm->subhead, LXW_ALIGN_CENTER);
    format_set_unlocked(fm->name);
    format_set_unlocked(fm->count);
    format_set_align(fm->count, LXW_ALIGN_CENTER);
    format_set_num_format(fm->count, "0");
    format_set_align(fm->total, LXW_ALIGN_CENTER);
    format_set_num_format(fm->total, "0");
    format_set_align(fm->grand, LXW_ALIGN_CENTER);
    format_set_num_format(fm->grand, "0");
    format_set_italic(fm->note);
    format_set_text_wrap(fm->note);
    format_set_unlocked(fm->remark);
    format_set_text_wrap(fm->remark);
    return 0;
}

/* "B13" from 0-based row and column (columns A..J only). */
static void cell_name(char *buf, size_t size, lxw_row_t row, lxw_col_t col)
{
    snprintf(buf, size, "%c%lu", (char)('A' + col), (unsigned long)row + 1);
}

/* A copy of `text` fit for the writer (see clasconv_xlsx_sanitize), with
 * control characters turned into spaces and absurd lengths cut. */
static char *xlsx_text(const char *text)
{
    char *clean = clasconv_xlsx_sanitize(text ? text : "", 4000);
    char *p;

    for (p = clean; p && *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7F)
            *p = ' ';
    return clean;
}

static lxw_error write_text(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                            const char *text, lxw_format *fmt)
{
    char *clean = xlsx_text(text);
    lxw_error err;

    if (!clean)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    if (!*clean)
        err = worksheet_write_blank(ws, row, col, fmt);
    else
        err = worksheet_write_string(ws, row, col, clean, fmt);
    free(clean);
    return err;
}

#define UNKNOWN_LEVEL_NOTE                                                     \
    "Niveau inconnu dans le fichier lu : déplacez cette ligne dans le bon "   \
    "niveau (école, collège ou lycée)."

/* The section a school of unknown level is written under (it stays
 * visible, with a comment asking to move it). */
#define UNKNOWN_SECTION CLASCONV_LEVEL_ELEMENTAIRE

/* The school's name, followed by its UAI in brackets when it has one
 * ("École Jules Ferry (0694112V)"): clasconv reads it back from there. */
static lxw_error write_name(lxw_worksheet *ws, lxw_row_t row,
                            const clasconv_school *school, lxw_format *fmt)
{
    size_t size;
    char *text;
    lxw_error err;

    if (!school->uai || !school->uai[0])
        return write_text(ws, row, COL_NAME, school->name, fmt);
    size = strlen(school->name) + strlen(school->uai) + 4;
    text = malloc(size);
    if (!text)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    snprintf(text, size, "%s (%s)", school->name, school->uai);
    err = write_text(ws, row, COL_NAME, text, fmt);
    free(text);
    return err;
}

/* The level a pre-filled school is written under: its own, or Élémentaire
 * for a school whose level could not be told (it stays visible). */
static int school_section(const clasconv_school *school)
{
    if (school->level >= 0 && school->level < CLASCONV_LEVEL_COUNT)
        return (int)school->level;
    return UNKNOWN_SECTION;
}

/* What each section's TOTAL row adds up: the level's pre-filled schools,
 * and for UNKNOWN_SECTION the schools of unknown level written there too. */
static void section_totals(const clasconv_table *prefill,
                           clasconv_totals out[CLASCONV_LEVEL_COUNT])
{
    clasconv_totals totals[CLASCONV_TOTALS_COUNT];
    int s;

    memset(totals, 0, sizeof totals);
    if (prefill)
        clasconv_table_totals(prefill, totals);
    memcpy(out, totals, sizeof(clasconv_totals) * CLASCONV_LEVEL_COUNT);
    out[UNKNOWN_SECTION].schools += totals[CLASCONV_TOTALS_UNKNOWN].schools;
    for (s = 0; s < CLASCONV_SCHEME_COUNT; s++)
        out[UNKNOWN_SECTION].counts[s] +=
            totals[CLASCONV_TOTALS_UNKNOWN].counts[s];
}

static lxw_error write_titles(lxw_worksheet *ws, const template_formats *fm,
                              const char *commune)
{
    lxw_error err;

    err = worksheet_merge_range(ws, ROW_TITLE, COL_NAME, ROW_TITLE, COL_LAST,
                                "CONTRAT LOCAL D’ACCOMPAGNEMENT A LA SCOLARITE",
                                fm->title);
    if (!err)
        err = worksheet_merge_range(ws, ROW_YEAR, COL_NAME, ROW_YEAR, COL_LAST,
                                    "Année scolaire 2026 - 2027", fm->subtitle);
    if (!err)
        err = worksheet_merge_range(
            ws, ROW_NOTE, COL_NAME, ROW_NOTE, COL_LAST,
            "Note unique stratégique d’organisation des dispositifs éducatifs",
            fm->subtitle);
    if (!err)
        err = worksheet_write_string(ws, ROW_COMMUNE, COL_NAME,
                                     "Territoire de :", fm->label);
    if (!err)
        err = worksheet_merge_range(ws, ROW_COMMUNE, 1, ROW_COMMUNE, 4, "",
                                    fm->commune);
    if (!err)
        err = write_text(ws, ROW_COMMUNE, 1, commune, fm->commune);
    if (!err)
        err = worksheet_write_string(
            ws, ROW_SECTION, COL_NAME,
            "3/ Dispositifs existants sur le territoire", fm->label);
    if (!err)
        err = worksheet_write_string(
            ws, ROW_QPV_NOTE, COL_NAME,
            "Merci de préciser pour les dispositifs CLAS et PRE le nombre "
            "d’enfants domiciliés en quartier Politique de la Ville (QPV)",
            NULL);
    return err;
}

static lxw_error write_head(lxw_worksheet *ws, const template_formats *fm)
{
    lxw_error err = worksheet_write_blank(ws, ROW_HEAD, COL_NAME, fm->head);
    int s;

    for (s = 0; !err && s < CLASCONV_SCHEME_COUNT; s++) {
        if (!scheme_heads[s])
            continue;
        if (s == CLASCONV_SCHEME_PRE || s == CLASCONV_SCHEME_CLAS)
            err =
                worksheet_merge_range(ws, ROW_HEAD, COL_OF(s), ROW_HEAD,
                                      COL_OF(s + 1), scheme_heads[s], fm->head);
        else
            err = worksheet_write_string(ws, ROW_HEAD, COL_OF(s),
                                         scheme_heads[s], fm->head);
    }
    if (!err)
        err = worksheet_write_string(ws, ROW_HEAD, COL_DETAIL, DETAIL_HEAD,
                                     fm->head);
    if (!err)
        err = worksheet_write_string(ws, ROW_HEAD, COL_OBS, OBS_HEAD, fm->head);
    if (!err)
        err = worksheet_set_row(ws, ROW_HEAD, 42, NULL);
    return err;
}

static lxw_error add_validations(lxw_worksheet *ws, const level_layout *lay)
{
    lxw_row_t first = lay->first_data;
    lxw_row_t last = (lxw_row_t)(first + lay->nrows - 1);
    lxw_error err = LXW_NO_ERROR;
    char max_ref[16];
    int s;

    for (s = 0; !err && s < CLASCONV_SCHEME_COUNT; s++) {
        lxw_data_validation dv;
        memset(&dv, 0, sizeof dv);
        dv.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
        if (!is_qpv(s)) {
            dv.validate = LXW_VALIDATION_TYPE_INTEGER;
            dv.criteria = LXW_VALIDATION_CRITERIA_GREATER_THAN_OR_EQUAL_TO;
            dv.value_number = 0;
            dv.input_title = count_title;
            dv.input_message = count_prompt;
            dv.error_title = count_error_title;
            dv.error_message = count_error;
        } else {
            cell_name(max_ref, sizeof max_ref, first, COL_OF(s - 1));
            dv.validate = LXW_VALIDATION_TYPE_INTEGER_FORMULA;
            dv.criteria = LXW_VALIDATION_CRITERIA_BETWEEN;
            dv.minimum_formula = zero_formula;
            dv.maximum_formula = max_ref;
            dv.input_title = qpv_title;
            dv.input_message = qpv_prompt;
            dv.error_title = qpv_error_title;
            dv.error_message = qpv_error;
        }
        err = worksheet_data_validation_range(ws, first, COL_OF(s), last,
                                              COL_OF(s), &dv);
    }
    if (!err) {
        lxw_data_validation dv;
        memset(&dv, 0, sizeof dv);
        dv.validate = LXW_VALIDATION_TYPE_ANY;
        dv.input_title = name_title;
        dv.input_message = name_prompt;
        err = worksheet_data_validation_range(ws, first, COL_NAME, last,
                                              COL_NAME, &dv);
    }
    if (!err) {
        lxw_data_validation dv;
        memset(&dv, 0, sizeof dv);
        dv.validate = LXW_VALIDATION_TYPE_ANY;
        dv.input_title = detail_title;
        dv.input_message = detail_prompt;
        err = worksheet_data_validation_range(ws, first, COL_DETAIL, last,
                                              COL_DETAIL, &dv);
    }
    if (!err) {
        lxw_data_validation dv;
        memset(&dv, 0, sizeof dv);
        dv.validate = LXW_VALIDATION_TYPE_ANY;
        dv.input_title = obs_title;
        dv.input_message = obs_prompt;
        err = worksheet_data_validation_range(ws, first, COL_OBS, last, COL_OBS,
                                              &dv);
    }
    return err;
}

/* What the pre-filled rows need from the anomalies: each school's row in
 * the sheet, the rows read without a name, and the values read but not
 * kept (per school and scheme, borrowed from the anomaly list). */
typedef struct prefill_marks {
    clasconv_place *places;
    clasconv_cell_mark *marks;
    size_t nmarks;
    lxw_row_t *rows;            /* per school */
    unsigned char *nameless;    /* per school */
    unsigned char *name_marked; /* per school: an anomaly on its name */
    const char **lost;          /* per school and scheme */
} prefill_marks;

static void marks_free(prefill_marks *pm)
{
    free(pm->places);
    free(pm->marks);
    free(pm->rows);
    free(pm->nameless);
    free(pm->name_marked);
    free(pm->lost);
    memset(pm, 0, sizeof *pm);
}

/* Codes whose value is read but left blank in the table. */
static int value_not_kept(clasconv_anomaly_code code)
{
    return code == CLASCONV_A_VALUE_NOT_A_NUMBER ||
           code == CLASCONV_A_VALUE_NOT_INTEGER ||
           code == CLASCONV_A_VALUE_NEGATIVE;
}

static int marks_build(const clasconv_table *prefill, prefill_marks *pm)
{
    size_t n = prefill ? prefill->anomalies.count : 0;
    size_t ns = prefill ? prefill->nschools : 0, k;

    memset(pm, 0, sizeof *pm);
    pm->places = malloc((n ? n : 1) * sizeof *pm->places);
    pm->rows = calloc(ns ? ns : 1, sizeof *pm->rows);
    pm->nameless = calloc(ns ? ns : 1, 1);
    pm->name_marked = calloc(ns ? ns : 1, 1);
    pm->lost = calloc(ns ? ns * CLASCONV_SCHEME_COUNT : 1, sizeof *pm->lost);
    if (!pm->places || !pm->rows || !pm->nameless || !pm->name_marked ||
        !pm->lost)
        goto fail;
    if (!prefill)
        return 0;
    if (clasconv_place_anomalies(prefill, pm->places) != CLASCONV_OK ||
        clasconv_place_marks(prefill, pm->places, &pm->marks, &pm->nmarks) !=
            CLASCONV_OK)
        goto fail;
    for (k = 0; k < pm->nmarks; k++) {
        const clasconv_cell_mark *m = &pm->marks[k];
        const clasconv_anomaly *a = &prefill->anomalies.items[m->anomaly];

        if (m->scheme < 0)
            pm->name_marked[m->school] = 1;
        if (a->code == CLASCONV_A_SCHOOL_NAME_MISSING && m->scheme < 0)
            pm->nameless[m->school] = 1;
        if (value_not_kept(a->code) && m->scheme >= 0 && a->read && *a->read &&
            prefill->schools[m->school].counts[m->scheme] == CLASCONV_BLANK)
            pm->lost[m->school * CLASCONV_SCHEME_COUNT + (size_t)m->scheme] =
                a->read;
    }
    return 0;
fail:
    marks_free(pm);
    return -1;
}

/* Colours each pre-filled cell that has an anomaly (its worst severity)
 * and puts the messages in its comment, so that the commune sees what to
 * correct where it types. */
static lxw_error mark_cells(lxw_worksheet *ws, const template_formats *fm,
                            const clasconv_table *prefill,
                            const prefill_marks *pm)
{
    char text[1600];
    lxw_error err = LXW_NO_ERROR;
    size_t k = 0;

    while (!err && k < pm->nmarks) {
        const clasconv_cell_mark *m = &pm->marks[k];
        const clasconv_school *school = &prefill->schools[m->school];
        lxw_row_t r = pm->rows[m->school];
        lxw_col_t c = m->scheme >= 0 ? COL_OF(m->scheme) : COL_NAME;
        lxw_comment_options opt;
        clasconv_severity worst;
        size_t end = k;
        char *safe;

        while (end < pm->nmarks && pm->marks[end].school == m->school &&
               pm->marks[end].scheme == m->scheme)
            end++;
        {
            /* The name cell of a school of unknown level says where to
             * move it first. */
            size_t pre = 0;
            if (m->scheme < 0 && school_section(school) != (int)school->level)
                pre = (size_t)snprintf(text, sizeof text, "%s\n",
                                       UNKNOWN_LEVEL_NOTE);
            worst = clasconv_place_message(prefill, pm->marks, k, end,
                                           text + pre, sizeof text - pre);
        }
        k = end;
        if (m->scheme < 0) {
            err = write_text(ws, r, c,
                             pm->nameless[m->school] ? "" : school->name,
                             fm->name_sev[worst]);
        } else {
            int64_t v = school->counts[m->scheme];
            const char *lost =
                pm->lost[m->school * CLASCONV_SCHEME_COUNT + (size_t)m->scheme];
            if (v >= 0 && v <= CLASCONV_COUNT_MAX)
                err = worksheet_write_number(ws, r, c, (double)v,
                                             fm->count_sev[worst]);
            else if (lost)
                err = write_text(ws, r, c, lost, fm->count_sev[worst]);
            else
                err = worksheet_write_blank(ws, r, c, fm->count_sev[worst]);
        }
        if (err || !text[0])
            continue;
        safe = xlsx_text(text);
        if (!safe)
            return LXW_ERROR_MEMORY_MALLOC_FAILED;
        memset(&opt, 0, sizeof opt);
        opt.width = 360;
        opt.height =
            (uint16_t)(clasconv_xlsx_text_height(text, 50) * 4 / 3 + 8);
        err = worksheet_write_comment_opt(ws, r, c, safe, &opt);
        free(safe);
    }
    return err;
}

/* Writes one level section; fills `cached` with its TOTAL values, the
 * sums of `section` (see section_totals). */
static lxw_error write_level(lxw_worksheet *ws, const template_formats *fm,
                             int level, const level_layout *lay,
                             const clasconv_table *prefill,
                             const prefill_marks *pm,
                             const clasconv_totals *section,
                             double cached[CLASCONV_SCHEME_COUNT])
{
    lxw_error err;
    size_t i, row = 0;
    int s;

    err = worksheet_merge_range(ws, lay->level_row, COL_NAME, lay->level_row,
                                COL_LAST, level_rows[level], fm->level);
    if (!err)
        err = worksheet_write_string(ws, lay->sub_row, COL_NAME, SUBHEAD_NAME,
                                     fm->subhead);
    for (s = 0; !err && s < CLASCONV_SCHEME_COUNT; s++)
        err = worksheet_write_string(ws, lay->sub_row, COL_OF(s),
                                     is_qpv(s) ? SUBHEAD_QPV : SUBHEAD_COUNT,
                                     fm->subhead);
    if (!err)
        err = worksheet_write_string(ws, lay->sub_row, COL_DETAIL,
                                     DETAIL_SUBHEAD, fm->subhead);
    if (!err)
        err = worksheet_write_string(ws, lay->sub_row, COL_OBS, OBS_SUBHEAD,
                                     fm->subhead);
    if (!err)
        err = worksheet_set_row(ws, lay->sub_row, 28, NULL);

    /* Pre-filled schools first, in table order, then empty rows. */
    for (i = 0; !err && prefill && i < prefill->nschools; i++) {
        const clasconv_school *school = &prefill->schools[i];
        lxw_row_t r;
        if (school_section(school) != level)
            continue;
        r = (lxw_row_t)(lay->first_data + row++);
        pm->rows[i] = r;
        /* A row without a name keeps an empty name cell (its anomaly's
         * comment asks for the name), not the placeholder. */
        err = pm->nameless[i] ? write_text(ws, r, COL_NAME, "", fm->name)
                              : write_name(ws, r, school, fm->name);
        if (!err && school_section(school) != (int)school->level &&
            !pm->name_marked[i])
            err = worksheet_write_comment(ws, r, COL_NAME, UNKNOWN_LEVEL_NOTE);
        for (s = 0; !err && s < CLASCONV_SCHEME_COUNT; s++) {
            int64_t v = school->counts[s];
            if (v >= 0 && v <= CLASCONV_COUNT_MAX)
                err = worksheet_write_number(ws, r, COL_OF(s), (double)v,
                                             fm->count);
            else if (pm->lost[i * CLASCONV_SCHEME_COUNT + (size_t)s])
                /* A value read but not kept (« NC », 12,5, -2): copied as
                 * read, as text; reading it again gives the same anomaly. */
                err = write_text(
                    ws, r, COL_OF(s),
                    pm->lost[i * CLASCONV_SCHEME_COUNT + (size_t)s], fm->count);
            else
                err = worksheet_write_blank(ws, r, COL_OF(s), fm->count);
        }
        if (!err)
            err = write_text(ws, r, COL_DETAIL, school->autre_detail, fm->name);
        if (!err)
            err = write_text(ws, r, COL_OBS, school->observations, fm->remark);
    }
    for (; !err && row < lay->nrows; row++) {
        lxw_row_t r = (lxw_row_t)(lay->first_data + row);
        err = worksheet_write_blank(ws, r, COL_NAME, fm->name);
        for (s = 0; !err && s < CLASCONV_SCHEME_COUNT; s++)
            err = worksheet_write_blank(ws, r, COL_OF(s), fm->count);
        if (!err)
            err = worksheet_write_blank(ws, r, COL_DETAIL, fm->name);
        if (!err)
            err = worksheet_write_blank(ws, r, COL_OBS, fm->remark);
    }

    if (!err)
        err = worksheet_write_string(ws, lay->total_row, COL_NAME,
                                     total_rows[level], fm->total_label);
    for (s = 0; !err && s < CLASCONV_SCHEME_COUNT; s++) {
        char formula[64], from[16];
        char col = (char)('A' + COL_OF(s));
        /* From the sub-header (text, not counted) to the row above the
         * TOTAL, wherever it is: rows inserted anywhere in the section,
         * just above the TOTAL included, are added up. */
        cell_name(from, sizeof from, lay->sub_row, COL_OF(s));
        snprintf(formula, sizeof formula, "=SUM(%s:INDEX(%c:%c,ROW()-1))", from,
                 col, col);
        cached[s] = (double)section->counts[s];
        err = worksheet_write_formula_num(ws, lay->total_row, COL_OF(s),
                                          formula, fm->total, cached[s]);
    }
    if (!err)
        err = worksheet_write_blank(ws, lay->total_row, COL_DETAIL, fm->total);
    if (!err)
        err = worksheet_write_blank(ws, lay->total_row, COL_OBS, fm->total);
    if (!err)
        err = add_validations(ws, lay);
    return err;
}

static lxw_error write_grand_total(lxw_worksheet *ws,
                                   const template_formats *fm, lxw_row_t row,
                                   const level_layout lay[CLASCONV_LEVEL_COUNT],
                                   double cached[][CLASCONV_SCHEME_COUNT])
{
    lxw_error err = worksheet_write_string(ws, row, COL_NAME, GRAND_TOTAL_LABEL,
                                           fm->grand_label);
    int s, l;

    for (s = 0; !err && s < CLASCONV_SCHEME_COUNT; s++) {
        char formula[80], ref[CLASCONV_LEVEL_COUNT][16];
        double value = 0;
        for (l = 0; l < CLASCONV_LEVEL_COUNT; l++) {
            cell_name(ref[l], sizeof ref[l], lay[l].total_row, COL_OF(s));
            value += cached[l][s];
        }
        snprintf(formula, sizeof formula, "=%s+%s+%s", ref[0], ref[1], ref[2]);
        err = worksheet_write_formula_num(ws, row, COL_OF(s), formula,
                                          fm->grand, value);
    }
    if (!err)
        err = worksheet_write_blank(ws, row, COL_DETAIL, fm->grand);
    if (!err)
        err = worksheet_write_blank(ws, row, COL_OBS, fm->grand);
    return err;
}

static void setup_page(clasconv_xlsx *x, lxw_worksheet *ws, lxw_row_t last_row)
{
    lxw_protection protection;

    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_set_margins(ws, 0.4, 0.4, 0.6, 0.6);
    worksheet_center_horizontally(ws);
    worksheet_repeat_rows(ws, ROW_HEAD, ROW_HEAD);
    worksheet_print_area(ws, 0, COL_NAME, last_row, COL_LAST);
    clasconv_xlsx_print_header(x, ws); /* commune, sheet, page N / M */

    /* Structure protected, no password: the unlocked cells stay editable,
     * columns and rows may still be resized, and rows inserted (a school
     * more than the rows given: the TOTAL sums cover it). */
    memset(&protection, 0, sizeof protection);
    protection.format_columns = 1;
    protection.format_rows = 1;
    protection.insert_rows = 1;
    worksheet_protect(ws, NULL, &protection);
}

static lxw_error build_sheet(clasconv_xlsx *x, const char *commune,
                             const size_t nrows[CLASCONV_LEVEL_COUNT],
                             const clasconv_table *prefill)
{
    lxw_worksheet *ws = clasconv_xlsx_add_sheet(x, SHEET_NAME);
    template_formats fm;
    level_layout lay[CLASCONV_LEVEL_COUNT];
    double cached[CLASCONV_LEVEL_COUNT][CLASCONV_SCHEME_COUNT];
    clasconv_totals sections[CLASCONV_LEVEL_COUNT];
    lxw_row_t row = ROW_FIRST_LEVEL, grand_row;
    prefill_marks pm;
    lxw_error err;
    int l;

    if (!ws || make_formats(x->wb, &fm) != 0 || marks_build(prefill, &pm) != 0)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    clasconv_xlsx_set_print_title(x, commune);
    section_totals(prefill, sections);
    for (l = 0; l < CLASCONV_LEVEL_COUNT; l++) {
        lay[l].level_row = row;
        lay[l].sub_row = row + 1;
        lay[l].first_data = row + 2;
        lay[l].nrows = nrows[l];
        lay[l].total_row = (lxw_row_t)(row + 2 + nrows[l]);
        row = lay[l].total_row + 1;
    }
    grand_row = row;

    /* Widths: a school name, room for each header's longest word in bold
     * capitals (« ACCOMPAGNEMENT » is the longest), so that A4 landscape
     * fit to width prints at a legible size. */
    err = worksheet_set_column(ws, COL_NAME, COL_NAME, 34, NULL);
    for (l = 0; !err && l < CLASCONV_SCHEME_COUNT; l++)
        err = worksheet_set_column(
            ws, COL_OF(l), COL_OF(l),
            l == CLASCONV_SCHEME_ACCOMPAGNEMENT_EDUCATIF ? 20 : 11, NULL);
    if (!err)
        err = worksheet_set_column(ws, COL_DETAIL, COL_DETAIL, 18, NULL);
    if (!err)
        err = worksheet_set_column(ws, COL_OBS, COL_OBS, 30, NULL);
    if (!err)
        err = write_titles(ws, &fm, commune);
    if (!err)
        err = write_head(ws, &fm);
    for (l = 0; !err && l < CLASCONV_LEVEL_COUNT; l++)
        err = write_level(ws, &fm, l, &lay[l], prefill, &pm, &sections[l],
                          cached[l]);
    if (!err && prefill)
        err = mark_cells(ws, &fm, prefill, &pm);
    if (!err)
        err = write_grand_total(ws, &fm, grand_row, lay, cached);
    if (!err)
        err = worksheet_merge_range(
            ws, grand_row + 2, COL_NAME, grand_row + 3, COL_LAST,
            "Remplissez les cellules blanches : une ligne par établissement, "
            "un nombre entier d’enfants par dispositif (laissez vide si le "
            "dispositif n’existe pas). Les totaux se calculent seuls. "
            "Vérifiez le fichier avec « clasconv check » avant l’envoi.",
            fm.note);
    if (!err)
        setup_page(x, ws, grand_row + 3);
    marks_free(&pm);
    return err;
}

/* Rows per level: the option (or the default), or more to fit the
 * pre-filled schools. */
static clasconv_error count_rows(const clasconv_template_options *options,
                                 const clasconv_table *prefill,
                                 size_t nrows[CLASCONV_LEVEL_COUNT],
                                 clasconv_diag *diag)
{
    size_t wanted = CLASCONV_TEMPLATE_ROWS_DEFAULT, i;
    int l;

    if (options && options->rows_per_level)
        wanted = options->rows_per_level;
    if (wanted > CLASCONV_TEMPLATE_ROWS_MAX) {
        clasconv_diag_set(diag,
                          "Nombre de lignes trop grand (%zu) : indiquez au "
                          "plus %d lignes par niveau.",
                          wanted, CLASCONV_TEMPLATE_ROWS_MAX);
        return CLASCONV_ERR_USAGE;
    }
    for (l = 0; l < CLASCONV_LEVEL_COUNT; l++)
        nrows[l] = 0;
    for (i = 0; prefill && i < prefill->nschools; i++)
        nrows[school_section(&prefill->schools[i])]++;
    for (l = 0; l < CLASCONV_LEVEL_COUNT; l++) {
        if (nrows[l] > CLASCONV_TEMPLATE_ROWS_MAX) {
            clasconv_diag_set(diag,
                              "Le tableau à recopier compte %zu "
                              "établissements au niveau %s : le modèle en "
                              "accepte au plus %d par niveau.",
                              nrows[l], clasconv_level_label((clasconv_level)l),
                              CLASCONV_TEMPLATE_ROWS_MAX);
            return CLASCONV_ERR_TOO_LARGE;
        }
        if (nrows[l] < wanted)
            nrows[l] = wanted;
    }
    return CLASCONV_OK;
}

clasconv_error clasconv_write_template(const clasconv_template_options *options,
                                       const clasconv_table *prefill,
                                       const char *path, clasconv_diag *diag)
{
    size_t nrows[CLASCONV_LEVEL_COUNT];
    const char *commune = NULL;
    clasconv_xlsx x;
    clasconv_error err;

    if (!path || !*path) {
        clasconv_diag_set(diag, "Indiquez le fichier à écrire (-o "
                                "MODELE.xlsx).");
        return CLASCONV_ERR_USAGE;
    }
    err = count_rows(options, prefill, nrows, diag);
    if (err)
        return err;
    if (options && options->commune && *options->commune)
        commune = options->commune;
    else if (prefill && prefill->commune)
        commune = prefill->commune;

    err = clasconv_xlsx_open(&x, path, DOC_TITLE, diag);
    if (err)
        return err;
    clasconv_xlsx_check(&x, build_sheet(&x, commune, nrows, prefill), "modèle");
    /* Written, verified and renamed; or removed with a French message. */
    return clasconv_xlsx_commit(&x, diag);
}
