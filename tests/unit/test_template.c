/* test_template.c: the fillable template, read back from its XML, and its
 * round trips through the converter on hand-built tables and every sample.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <expat.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <unzip.h>

#include "clasconv/clasconv.h"
#include "clasconv/coord.h"
#include "test_util.h"

/* --- A tiny reader of the written XLSX: a flat list of XML elements. --- */

#define MAX_ATTRS 16

typedef struct xml_el {
    char *name; /* local name */
    int parent; /* index, -1 for the root */
    int nattrs;
    char *attr_names[MAX_ATTRS];
    char *attr_values[MAX_ATTRS];
    char *text; /* character data directly inside */
} xml_el;

typedef struct xml_doc {
    xml_el *els;
    int count, cap;
    int stack[64];
    int depth;
} xml_doc;

static const char *local_name(const char *name)
{
    const char *bar = strrchr(name, '|');
    return bar ? bar + 1 : name;
}

static void on_start(void *data, const char *name, const char **attrs)
{
    xml_doc *doc = data;
    xml_el *el;
    int i;

    if (doc->count == doc->cap) {
        doc->cap = doc->cap ? doc->cap * 2 : 256;
        doc->els = realloc(doc->els, (size_t)doc->cap * sizeof *doc->els);
        cr_assert_not_null(doc->els);
    }
    el = &doc->els[doc->count];
    memset(el, 0, sizeof *el);
    el->name = strdup(local_name(name));
    el->parent = doc->depth ? doc->stack[doc->depth - 1] : -1;
    for (i = 0; attrs[i] && attrs[i + 1] && el->nattrs < MAX_ATTRS; i += 2) {
        el->attr_names[el->nattrs] = strdup(local_name(attrs[i]));
        el->attr_values[el->nattrs] = strdup(attrs[i + 1]);
        el->nattrs++;
    }
    el->text = strdup("");
    cr_assert_lt(doc->depth, 64);
    doc->stack[doc->depth++] = doc->count++;
}

static void on_end(void *data, const char *name)
{
    xml_doc *doc = data;
    (void)name;
    doc->depth--;
}

static void on_text(void *data, const char *s, int len)
{
    xml_doc *doc = data;
    xml_el *el;
    size_t old;

    if (!doc->depth)
        return;
    el = &doc->els[doc->stack[doc->depth - 1]];
    old = strlen(el->text);
    el->text = realloc(el->text, old + (size_t)len + 1);
    cr_assert_not_null(el->text);
    memcpy(el->text + old, s, (size_t)len);
    el->text[old + (size_t)len] = '\0';
}

static char *zip_part(const char *path, const char *part)
{
    unzFile zip = unzOpen64(path);
    unz_file_info64 info;
    char *data;
    int n;

    cr_assert_not_null(zip, "cannot open %s", path);
    cr_assert_eq(unzLocateFile(zip, part, 1), UNZ_OK, "no part %s", part);
    cr_assert_eq(unzGetCurrentFileInfo64(zip, &info, NULL, 0, NULL, 0, NULL, 0),
                 UNZ_OK);
    data = malloc(info.uncompressed_size + 1);
    cr_assert_not_null(data);
    cr_assert_eq(unzOpenCurrentFile(zip), UNZ_OK);
    n = unzReadCurrentFile(zip, data, (unsigned)info.uncompressed_size);
    cr_assert_eq((uint64_t)n, info.uncompressed_size);
    data[n] = '\0';
    cr_assert_eq(unzCloseCurrentFile(zip), UNZ_OK);
    unzClose(zip);
    return data;
}

static void xml_parse(xml_doc *doc, const char *path, const char *part)
{
    char *text = zip_part(path, part);
    XML_Parser p = XML_ParserCreateNS(NULL, '|');

    memset(doc, 0, sizeof *doc);
    XML_SetUserData(p, doc);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    cr_assert_eq(XML_Parse(p, text, (int)strlen(text), 1), XML_STATUS_OK,
                 "%s is not well-formed", part);
    XML_ParserFree(p);
    free(text);
}

static void xml_free(xml_doc *doc)
{
    int i, j;

    for (i = 0; i < doc->count; i++) {
        free(doc->els[i].name);
        free(doc->els[i].text);
        for (j = 0; j < doc->els[i].nattrs; j++) {
            free(doc->els[i].attr_names[j]);
            free(doc->els[i].attr_values[j]);
        }
    }
    free(doc->els);
}

static const char *attr(const xml_el *el, const char *name)
{
    int i;

    for (i = 0; i < el->nattrs; i++)
        if (!strcmp(el->attr_names[i], name))
            return el->attr_values[i];
    return NULL;
}

/* The first child of `parent` named `name`, or -1. */
static int child(const xml_doc *doc, int parent, const char *name)
{
    int i;

    for (i = parent + 1; i < doc->count; i++)
        if (doc->els[i].parent == parent && !strcmp(doc->els[i].name, name))
            return i;
    return -1;
}

/* The n-th element named `name` anywhere, or -1. */
static int nth(const xml_doc *doc, const char *name, int n)
{
    int i;

    for (i = 0; i < doc->count; i++)
        if (!strcmp(doc->els[i].name, name) && n-- == 0)
            return i;
    return -1;
}

static int count_named(const xml_doc *doc, const char *name)
{
    int i, n = 0;

    for (i = 0; i < doc->count; i++)
        n += !strcmp(doc->els[i].name, name);
    return n;
}

/* A written template, parsed. */
typedef struct tpl {
    char path[128];
    xml_doc sheet, book, styles, strings;
} tpl;

static void tmp_name(char *buf, size_t size)
{
    int fd;

    snprintf(buf, size, "/tmp/clasconv-tpl-XXXXXX");
    fd = mkstemp(buf);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert_eq(unlink(buf), 0);
    strncat(buf, ".xlsx", size - strlen(buf) - 1);
}

static void tpl_write(tpl *t, const clasconv_template_options *opts,
                      const clasconv_table *prefill)
{
    clasconv_diag diag = {{0}};

    tmp_name(t->path, sizeof t->path);
    cr_assert_eq(clasconv_write_template(opts, prefill, t->path, &diag),
                 CLASCONV_OK, "%s", diag.message);
    xml_parse(&t->sheet, t->path, "xl/worksheets/sheet1.xml");
    xml_parse(&t->book, t->path, "xl/workbook.xml");
    xml_parse(&t->styles, t->path, "xl/styles.xml");
    xml_parse(&t->strings, t->path, "xl/sharedStrings.xml");
}

static void tpl_free(tpl *t)
{
    xml_free(&t->sheet);
    xml_free(&t->book);
    xml_free(&t->styles);
    xml_free(&t->strings);
    unlink(t->path);
}

static int find_cell(const tpl *t, const char *ref)
{
    int i;

    for (i = 0; i < t->sheet.count; i++)
        if (!strcmp(t->sheet.els[i].name, "c") &&
            !strcmp(attr(&t->sheet.els[i], "r"), ref))
            return i;
    return -1;
}

/* The text of a shared-string cell ("" when blank or not text). */
static const char *cell_text(const tpl *t, const char *ref)
{
    int c = find_cell(t, ref), v, si;
    const char *type;

    if (c < 0)
        return "";
    type = attr(&t->sheet.els[c], "t");
    v = child(&t->sheet, c, "v");
    if (!type || strcmp(type, "s") || v < 0)
        return "";
    si = nth(&t->strings, "si", atoi(t->sheet.els[v].text));
    cr_assert_geq(si, 0);
    return t->strings.els[child(&t->strings, si, "t")].text;
}

static const char *cell_formula(const tpl *t, const char *ref)
{
    int c = find_cell(t, ref), f;

    if (c < 0 || (f = child(&t->sheet, c, "f")) < 0)
        return NULL;
    return t->sheet.els[f].text;
}

static const char *cell_value(const tpl *t, const char *ref)
{
    int c = find_cell(t, ref), v;

    if (c < 0 || (v = child(&t->sheet, c, "v")) < 0)
        return NULL;
    return t->sheet.els[v].text;
}

/* Whether a cell is locked under sheet protection (Excel's default). */
static int cell_locked(const tpl *t, const char *ref)
{
    int c = find_cell(t, ref), xfs, xf, prot, want, seen = -1;
    const char *s, *locked;

    cr_assert_geq(c, 0, "no cell %s", ref);
    s = attr(&t->sheet.els[c], "s");
    want = s ? atoi(s) : 0;
    xfs = nth(&t->styles, "cellXfs", 0);
    cr_assert_geq(xfs, 0);
    for (xf = xfs + 1; xf < t->styles.count; xf++)
        if (t->styles.els[xf].parent == xfs && ++seen == want)
            break;
    cr_assert_eq(seen, want, "no style %d", want);
    prot = child(&t->styles, xf, "protection");
    if (prot < 0)
        return 1;
    locked = attr(&t->styles.els[prot], "locked");
    return !locked || strcmp(locked, "0") != 0;
}

/* The data validation whose sqref is `sqref`, or -1. */
static int find_validation(const tpl *t, const char *sqref)
{
    int i;

    for (i = 0; i < t->sheet.count; i++)
        if (!strcmp(t->sheet.els[i].name, "dataValidation") &&
            !strcmp(attr(&t->sheet.els[i], "sqref"), sqref))
            return i;
    return -1;
}

static const char *validation_formula(const tpl *t, int dv, const char *name)
{
    int f = child(&t->sheet, dv, name);
    return f < 0 ? NULL : t->sheet.els[f].text;
}

static const char *const scheme_heads[9] = {
    "ETUDE",
    "ECOLE OUVERTE",
    "ACCOMPAGNEMENT EDUCATIF",
    "STAGE DE REUSSITE",
    "PROGRAMME DE REUSSITE EDUCATIVE (PRE)",
    NULL,
    "(CLAS)",
    NULL,
    "AUTRE (PRECISER)"};

/* Rows (1-based) of each level with the default 30 school rows: NIVEAU,
 * sub-header, first school, last school, TOTAL. */
static const int layout30[3][5] = {
    {11, 12, 13, 42, 43}, {44, 45, 46, 75, 76}, {77, 78, 79, 108, 109}};
static const char *const level_rows[3] = {"NIVEAU ELEMENTAIRE",
                                          "NIVEAU COLLEGE", "NIVEAU LYCEE"};
static const char *const total_rows[3] = {"TOTAL ELEMENTAIRE", "TOTAL COLLEGE",
                                          "TOTAL LYCEE"};

static void ref(char *buf, size_t size, char col, int row)
{
    snprintf(buf, size, "%c%d", col, row);
}

Test(template, one_sheet_titles_and_commune)
{
    clasconv_template_options opts = {0};
    tpl t;
    int sheet;

    opts.commune = "Saint-Priest";
    tpl_write(&t, &opts, NULL);
    cr_assert_eq(count_named(&t.book, "sheet"), 1);
    sheet = nth(&t.book, "sheet", 0);
    cr_assert_str_eq(attr(&t.book.els[sheet], "name"), "Tableau CLAS");
    cr_assert_str_eq(cell_text(&t, "A1"),
                     "CONTRAT LOCAL D’ACCOMPAGNEMENT A LA SCOLARITE");
    cr_assert_str_eq(cell_text(&t, "A5"), "Territoire de :");
    cr_assert_str_eq(cell_text(&t, "B5"), "Saint-Priest");
    cr_assert_str_eq(cell_text(&t, "A7"),
                     "3/ Dispositifs existants sur le territoire");
    cr_assert_not(cell_locked(&t, "B5"));
    cr_assert(cell_locked(&t, "A5"));
    tpl_free(&t);
}

Test(template, header_rows_as_in_the_form)
{
    tpl t;
    char r[16];
    int s, l, m;
    const char *cols = "BCDEFGHIJ";

    tpl_write(&t, NULL, NULL);
    cr_assert_str_eq(cell_text(&t, "A10"), "");
    for (s = 0; s < 9; s++) {
        ref(r, sizeof r, cols[s], 10);
        cr_assert_str_eq(cell_text(&t, r),
                         scheme_heads[s] ? scheme_heads[s] : "");
        cr_assert(cell_locked(&t, r));
    }
    for (l = 0; l < 3; l++) {
        ref(r, sizeof r, 'A', layout30[l][0]);
        cr_assert_str_eq(cell_text(&t, r), level_rows[l]);
        ref(r, sizeof r, 'A', layout30[l][1]);
        cr_assert_str_eq(cell_text(&t, r), "ETABLISSEMENTS SCOLAIRES");
        for (s = 0; s < 9; s++) {
            ref(r, sizeof r, cols[s], layout30[l][1]);
            cr_assert_str_eq(cell_text(&t, r), (s == 5 || s == 7)
                                                   ? "Dont issus QPV"
                                                   : "NOMBRE D’ENFANTS");
        }
        ref(r, sizeof r, 'K', layout30[l][1]);
        cr_assert_str_eq(cell_text(&t, r), "Nom du dispositif");
        ref(r, sizeof r, 'L', layout30[l][1]);
        cr_assert_str_eq(cell_text(&t, r), "Remarques libres");
        ref(r, sizeof r, 'A', layout30[l][4]);
        cr_assert_str_eq(cell_text(&t, r), total_rows[l]);
    }
    /* K: the name of the "other" scheme (read as "Autre (précision)"). */
    cr_assert_str_eq(cell_text(&t, "K10"), "PRÉCISION (AUTRE)");
    /* L: the commune's remarks (read back as the school's observations). */
    cr_assert_str_eq(cell_text(&t, "L10"), "OBSERVATIONS DE LA COMMUNE");
    /* PRE and CLAS span their "dont QPV" column; NIVEAU rows span the
     * printed columns A:K. */
    {
        const char *want[] = {"F10:G10", "H10:I10", "A11:K11", "A44:K44",
                              "A77:K77"};
        size_t w;
        for (w = 0; w < sizeof want / sizeof want[0]; w++) {
            int found = 0;
            for (m = 0; m < count_named(&t.sheet, "mergeCell"); m++)
                found |= !strcmp(
                    attr(&t.sheet.els[nth(&t.sheet, "mergeCell", m)], "ref"),
                    want[w]);
            cr_assert(found, "no merge %s", want[w]);
        }
    }
    tpl_free(&t);
}

Test(template, totals_are_formulas)
{
    tpl t;
    char r[16], f[64];
    int s, l;
    const char *cols = "BCDEFGHIJ";

    tpl_write(&t, NULL, NULL);
    for (l = 0; l < 3; l++)
        for (s = 0; s < 9; s++) {
            ref(r, sizeof r, cols[s], layout30[l][4]);
            /* From the sub-header to the row above the TOTAL, wherever
             * rows are inserted. */
            snprintf(f, sizeof f, "SUM(%c%d:INDEX(%c:%c,ROW()-1))", cols[s],
                     layout30[l][1], cols[s], cols[s]);
            cr_assert_str_eq(cell_formula(&t, r), f);
            cr_assert_str_eq(cell_value(&t, r), "0");
            cr_assert(cell_locked(&t, r));
        }
    cr_assert_str_eq(cell_text(&t, "A110"), "TOTAL GÉNÉRAL");
    for (s = 0; s < 9; s++) {
        ref(r, sizeof r, cols[s], 110);
        snprintf(f, sizeof f, "%c43+%c76+%c109", cols[s], cols[s], cols[s]);
        cr_assert_str_eq(cell_formula(&t, r), f);
    }
    tpl_free(&t);
}

Test(template, validation_on_every_data_cell)
{
    tpl t;
    char sq[32], want[16];
    int s, l, dv;
    const char *cols = "BCDEFGHIJ";

    tpl_write(&t, NULL, NULL);
    cr_assert_eq(count_named(&t.sheet, "dataValidation"), 3 * 12);
    for (l = 0; l < 3; l++) {
        for (s = 0; s < 9; s++) {
            int qpv = (s == 5 || s == 7);
            snprintf(sq, sizeof sq, "%c%d:%c%d", cols[s], layout30[l][2],
                     cols[s], layout30[l][3]);
            dv = find_validation(&t, sq);
            cr_assert_geq(dv, 0, "no validation on %s", sq);
            cr_assert_str_eq(attr(&t.sheet.els[dv], "type"), "whole");
            cr_assert_str_eq(validation_formula(&t, dv, "formula1"), "0");
            cr_assert_str_eq(attr(&t.sheet.els[dv], "showErrorMessage"), "1");
            if (qpv) {
                /* between 0 and the count on its left (relative ref) */
                cr_assert_null(attr(&t.sheet.els[dv], "operator"));
                snprintf(want, sizeof want, "%c%d", cols[s - 1],
                         layout30[l][2]);
                cr_assert_str_eq(validation_formula(&t, dv, "formula2"), want);
                cr_assert_str_eq(attr(&t.sheet.els[dv], "promptTitle"),
                                 "Dont issus QPV");
                cr_assert_not_null(strstr(attr(&t.sheet.els[dv], "error"),
                                          "entre 0 et le nombre d'enfants"));
            } else {
                cr_assert_str_eq(attr(&t.sheet.els[dv], "operator"),
                                 "greaterThanOrEqual");
                cr_assert_str_eq(attr(&t.sheet.els[dv], "promptTitle"),
                                 "Nombre d'enfants");
                cr_assert_str_eq(attr(&t.sheet.els[dv], "error"),
                                 "Saisissez un nombre entier, 0 ou plus, "
                                 "sans texte ni décimale (par exemple 12).");
            }
            cr_assert_str_eq(attr(&t.sheet.els[dv], "errorTitle"),
                             qpv ? "Nombre QPV invalide"
                                 : "Nombre d'enfants invalide");
        }
        snprintf(sq, sizeof sq, "A%d:A%d", layout30[l][2], layout30[l][3]);
        dv = find_validation(&t, sq);
        cr_assert_geq(dv, 0);
        cr_assert_str_eq(attr(&t.sheet.els[dv], "promptTitle"),
                         "Établissement scolaire");
        snprintf(sq, sizeof sq, "K%d:K%d", layout30[l][2], layout30[l][3]);
        dv = find_validation(&t, sq);
        cr_assert_geq(dv, 0);
        cr_assert_str_eq(attr(&t.sheet.els[dv], "promptTitle"),
                         "Autre dispositif");
    }
    tpl_free(&t);
}

Test(template, data_cells_unlocked_structure_protected)
{
    tpl t;
    char r[16];
    int l, row, prot;
    const char *cols = "ABCDEFGHIJK", *c;

    tpl_write(&t, NULL, NULL);
    prot = nth(&t.sheet, "sheetProtection", 0);
    cr_assert_geq(prot, 0);
    cr_assert_str_eq(attr(&t.sheet.els[prot], "sheet"), "1");
    cr_assert_null(attr(&t.sheet.els[prot], "password"));
    cr_assert_null(attr(&t.sheet.els[prot], "hashValue"));
    /* Rows may be inserted (a school more than the rows given), not
     * deleted (a TOTAL row would go with them). */
    cr_assert_str_eq(attr(&t.sheet.els[prot], "insertRows"), "0");
    cr_assert_null(attr(&t.sheet.els[prot], "deleteRows"));
    for (l = 0; l < 3; l++) {
        for (row = layout30[l][2]; row <= layout30[l][3]; row++)
            for (c = cols; *c; c++) {
                ref(r, sizeof r, *c, row);
                cr_assert_not(cell_locked(&t, r), "%s is locked", r);
            }
        for (c = cols; *c; c++) {
            ref(r, sizeof r, *c, layout30[l][1]);
            cr_assert(cell_locked(&t, r), "%s is unlocked", r);
            ref(r, sizeof r, *c, layout30[l][4]);
            cr_assert(cell_locked(&t, r), "%s is unlocked", r);
        }
    }
    tpl_free(&t);
}

Test(template, print_setup)
{
    tpl t;
    int ps, pr, dn, i, titles = 0;

    tpl_write(&t, NULL, NULL);
    ps = nth(&t.sheet, "pageSetup", 0);
    cr_assert_geq(ps, 0);
    cr_assert_str_eq(attr(&t.sheet.els[ps], "orientation"), "landscape");
    cr_assert_str_eq(attr(&t.sheet.els[ps], "paperSize"), "9");
    cr_assert_str_eq(attr(&t.sheet.els[ps], "fitToHeight"), "0");
    /* fitToWidth defaults to 1 when absent */
    cr_assert(!attr(&t.sheet.els[ps], "fitToWidth") ||
              !strcmp(attr(&t.sheet.els[ps], "fitToWidth"), "1"));
    pr = nth(&t.sheet, "pageSetUpPr", 0);
    cr_assert_geq(pr, 0);
    cr_assert_str_eq(attr(&t.sheet.els[pr], "fitToPage"), "1");
    for (i = 0; (dn = nth(&t.book, "definedName", i)) >= 0; i++)
        if (!strcmp(attr(&t.book.els[dn], "name"), "_xlnm.Print_Titles")) {
            cr_assert_str_eq(t.book.els[dn].text, "'Tableau CLAS'!$10:$10");
            titles = 1;
        }
    cr_assert(titles);
    tpl_free(&t);
}

Test(template, rows_option)
{
    clasconv_template_options opts = {0};
    tpl t;

    opts.rows_per_level = 3;
    tpl_write(&t, &opts, NULL);
    /* Élémentaire: 11 NIVEAU, 12 sub-header, 13-15 schools, 16 TOTAL. */
    cr_assert_str_eq(cell_text(&t, "A16"), "TOTAL ELEMENTAIRE");
    cr_assert_str_eq(cell_formula(&t, "B16"), "SUM(B12:INDEX(B:B,ROW()-1))");
    cr_assert_str_eq(cell_text(&t, "A17"), "NIVEAU COLLEGE");
    cr_assert_geq(find_validation(&t, "G13:G15"), 0);
    cr_assert_str_eq(cell_text(&t, "A28"), "TOTAL LYCEE");
    cr_assert_str_eq(cell_text(&t, "A29"), "TOTAL GÉNÉRAL");
    cr_assert_str_eq(cell_formula(&t, "J29"), "J16+J22+J28");
    tpl_free(&t);
}

Test(template, bad_options_and_paths)
{
    clasconv_template_options opts = {0};
    clasconv_diag diag = {{0}};
    char dir[] = "/tmp/clasconv-tpl-dir-XXXXXX", path[128];

    opts.rows_per_level = CLASCONV_TEMPLATE_ROWS_MAX + 1;
    cr_assert_eq(clasconv_write_template(&opts, NULL, "/tmp/x.xlsx", &diag),
                 CLASCONV_ERR_USAGE);
    cr_assert_not_null(strstr(diag.message, "lignes"));
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/absent/m.xlsx", dir);
    cr_assert_eq(clasconv_write_template(NULL, NULL, path, &diag),
                 CLASCONV_ERR_WRITE);
    cr_assert_eq(clasconv_write_template(NULL, NULL, "", &diag),
                 CLASCONV_ERR_USAGE);
    cr_assert_eq(rmdir(dir), 0); /* nothing left behind */
}

Test(template, same_input_same_bytes)
{
    char a[128], b[128];
    char *x, *y;
    FILE *f;
    long na, nb;
    clasconv_diag diag;

    tmp_name(a, sizeof a);
    tmp_name(b, sizeof b);
    cr_assert_eq(clasconv_write_template(NULL, NULL, a, &diag), CLASCONV_OK);
    cr_assert_eq(clasconv_write_template(NULL, NULL, b, &diag), CLASCONV_OK);
    f = fopen(a, "rb");
    fseek(f, 0, SEEK_END);
    na = ftell(f);
    rewind(f);
    x = malloc((size_t)na);
    cr_assert_eq(fread(x, 1, (size_t)na, f), (size_t)na);
    fclose(f);
    f = fopen(b, "rb");
    fseek(f, 0, SEEK_END);
    nb = ftell(f);
    rewind(f);
    y = malloc((size_t)nb);
    cr_assert_eq(fread(y, 1, (size_t)nb, f), (size_t)nb);
    fclose(f);
    cr_assert_eq(na, nb);
    cr_assert_eq(memcmp(x, y, (size_t)na), 0);
    free(x);
    free(y);
    unlink(a);
    unlink(b);
}

/* --- Round trips through the converter -------------------------------- */

static void set_counts(clasconv_school *s, const int64_t c[9])
{
    memcpy(s->counts, c, sizeof s->counts);
}

#define B_ CLASCONV_BLANK

/* A correctly filled table: every level, blanks and zeros, QPV <= count,
 * nothing implausible (no PRE in a lycée, Autre always named),
 * a school with odd characters in its name, more schools than rows. */
static clasconv_table *clean_table(void)
{
    static const int64_t c[6][9] = {
        {12, B_, 5, B_, 8, 3, 14, 14, B_}, {6, 0, 0, 0, 0, 0, 0, 0, 0},
        {B_, 30, B_, 4, 11, 7, 2, 0, B_},  {40, B_, 88, B_, B_, B_, 25, 9, 12},
        {1, 2, 3, 4, 0, 0, 6, 6, 7},       {B_, B_, B_, B_, B_, B_, 3, 1, B_}};
    clasconv_table *t = clasconv_table_new();

    cr_assert_not_null(t);
    set_counts(clasconv_table_add_school(t, CLASCONV_LEVEL_ELEMENTAIRE,
                                         "École élémentaire Jules Ferry", "",
                                         NULL, NULL),
               c[0]);
    set_counts(clasconv_table_add_school(t, CLASCONV_LEVEL_ELEMENTAIRE,
                                         "École maternelle L'Île <Verte> & "
                                         "_x0041_",
                                         "", NULL, NULL),
               c[1]);
    set_counts(clasconv_table_add_school(t, CLASCONV_LEVEL_ELEMENTAIRE,
                                         "École primaire Paul Bert", "", NULL,
                                         NULL),
               c[2]);
    set_counts(clasconv_table_add_school(t, CLASCONV_LEVEL_COLLEGE,
                                         "Collège Jean Moulin", "", NULL, NULL),
               c[3]);
    set_counts(clasconv_table_add_school(t, CLASCONV_LEVEL_LYCEE,
                                         "Lycée professionnel Condorcet", "",
                                         NULL, NULL),
               c[4]);
    set_counts(clasconv_table_add_school(t, CLASCONV_LEVEL_LYCEE,
                                         "Lycée Ampère", "", NULL, NULL),
               c[5]);
    clasconv_table_set_string(&t->schools[3].autre_detail, "Ateliers lecture");
    clasconv_table_set_string(&t->schools[4].autre_detail, "Coup de pouce CLÉ");
    clasconv_school_add_observation(&t->schools[2], "Remarques",
                                    "Démarrage en janvier 2027");
    clasconv_school_add_observation(&t->schools[2], NULL, "salle B");
    clasconv_table_set_string(&t->commune, "Vaulx-en-Velin");
    return t;
}

static clasconv_table *convert_ok(const char *path)
{
    clasconv_table *t = NULL;
    clasconv_diag diag = {{0}};

    cr_assert_eq(clasconv_convert(path, &t, &diag), CLASCONV_OK, "%s: %s", path,
                 diag.message);
    cr_assert_not_null(t);
    return t;
}

/* Same schools (level, name, counts) in the same order, same totals. */
static void assert_same_rows(const clasconv_table *a, const clasconv_table *b,
                             const char *what)
{
    size_t i;
    int l, s;

    cr_assert_eq(a->nschools, b->nschools, "%s: %zu rows, then %zu", what,
                 a->nschools, b->nschools);
    for (i = 0; i < a->nschools; i++) {
        cr_assert_eq(a->schools[i].level, b->schools[i].level, "%s row %zu",
                     what, i);
        /* A row without a name is named after its cell, which differs
         * between the file and the template. */
        if (strncmp(a->schools[i].name, "(sans nom, ", 11) != 0 ||
            strncmp(b->schools[i].name, "(sans nom, ", 11) != 0)
            cr_assert_str_eq(a->schools[i].name, b->schools[i].name,
                             "%s row %zu", what, i);
        cr_assert_str_eq(
            a->schools[i].autre_detail ? a->schools[i].autre_detail : "(none)",
            b->schools[i].autre_detail ? b->schools[i].autre_detail : "(none)",
            "%s row %zu: Autre (précision)", what, i);
        cr_assert_str_eq(
            a->schools[i].observations ? a->schools[i].observations : "(none)",
            b->schools[i].observations ? b->schools[i].observations : "(none)",
            "%s row %zu: observations", what, i);
        for (s = 0; s < 9; s++)
            cr_assert_eq(a->schools[i].counts[s], b->schools[i].counts[s],
                         "%s row %zu scheme %d", what, i, s);
    }
    for (l = 0; l <= CLASCONV_LEVEL_COUNT; l++) {
        cr_assert_eq(a->totals[l].schools, b->totals[l].schools);
        for (s = 0; s < 9; s++)
            cr_assert_eq(a->totals[l].counts[s], b->totals[l].counts[s],
                         "%s totals level %d scheme %d", what, l, s);
    }
}

Test(template_roundtrip, empty_template_reads_back_as_table_empty)
{
    char path[128];
    clasconv_table *t;
    clasconv_diag diag;
    clasconv_template_options opts = {0};

    opts.commune = "Bron";
    tmp_name(path, sizeof path);
    cr_assert_eq(clasconv_write_template(&opts, NULL, path, &diag),
                 CLASCONV_OK);
    t = convert_ok(path);
    cr_assert_eq(t->nschools, 0);
    /* read cleanly, but an unfilled form is not a table the CAF can use */
    cr_assert_eq(t->anomalies.count, 1, "first anomaly: %s",
                 t->anomalies.count ? t->anomalies.items[0].message : "");
    cr_assert_eq(t->anomalies.items[0].code, CLASCONV_A_TABLE_EMPTY);
    cr_assert_str_eq(t->commune, "Bron");
    clasconv_table_free(t);
    unlink(path);
}

Test(template_roundtrip, filled_template_converts_without_anomaly)
{
    clasconv_table *src = clean_table(), *back;
    clasconv_template_options opts = {0};
    clasconv_diag diag;
    char path[128];
    const int64_t *c;

    opts.rows_per_level = 2; /* Élémentaire needs 3: the rows grow */
    tmp_name(path, sizeof path);
    cr_assert_eq(clasconv_write_template(&opts, src, path, &diag), CLASCONV_OK,
                 "%s", diag.message);
    back = convert_ok(path);
    cr_assert_eq(back->anomalies.count, 0, "first anomaly: %s",
                 back->anomalies.count ? back->anomalies.items[0].message : "");
    cr_assert_eq(back->nschools, 6);
    cr_assert_str_eq(back->schools[1].name,
                     "École maternelle L'Île <Verte> & _x0041_");
    cr_assert_str_eq(back->commune, "Vaulx-en-Velin");
    cr_assert_str_eq(back->schools[4].autre_detail, "Coup de pouce CLÉ");
    cr_assert_null(back->schools[0].autre_detail);
    /* the Observations column is read back as it was written */
    cr_assert_str_eq(back->schools[2].observations,
                     "Remarques : Démarrage en janvier 2027 ; salle B");
    cr_assert_null(back->schools[0].observations);
    c = back->schools[3].counts;
    cr_assert_eq(c[CLASCONV_SCHEME_ETUDE], 40);
    cr_assert_eq(c[CLASCONV_SCHEME_PRE], CLASCONV_BLANK);
    /* Étude: 12 + 6 (the maternelle) */
    cr_assert_eq(back->totals[CLASCONV_LEVEL_ELEMENTAIRE].counts[0], 18);
    cr_assert_eq(back->totals[CLASCONV_LEVEL_COUNT].counts[6], 50);
    cr_assert_eq(back->totals[CLASCONV_LEVEL_COUNT].schools, 6);
    clasconv_table_free(src);
    clasconv_table_free(back);
    unlink(path);
}

/* template --depuis X, then convert: the same rows and totals as X. */
static void roundtrip_sample(const char *input)
{
    clasconv_table *direct = NULL, *back;
    clasconv_diag diag = {{0}};
    clasconv_error err;
    char path[128];

    err = clasconv_convert(input, &direct, &diag);
    if (err == CLASCONV_ERR_NO_TABLE || err == CLASCONV_ERR_FORMAT ||
        err == CLASCONV_ERR_UNSUPPORTED) {
        /* A refused file gives nothing to pre-fill (template exits 2). */
        cr_assert_not_null(direct);
        cr_assert_eq(direct->nschools, 0);
        clasconv_table_free(direct);
        return;
    }
    cr_assert_eq(err, CLASCONV_OK, "%s: %s", input, diag.message);
    tmp_name(path, sizeof path);
    cr_assert_eq(clasconv_write_template(NULL, direct, path, &diag),
                 CLASCONV_OK, "%s", diag.message);
    back = convert_ok(path);
    assert_same_rows(direct, back, input);
    if (direct->commune)
        cr_assert_str_eq(back->commune, direct->commune);
    clasconv_table_free(direct);
    clasconv_table_free(back);
    unlink(path);
}

Test(template_roundtrip, every_sample)
{
    test_need_samples();
    DIR *samples = opendir(CLASCONV_SAMPLES);
    struct dirent *d;
    int n = 0, tried = 0;

    cr_assert_not_null(samples, "no samples at %s", CLASCONV_SAMPLES);
    while ((d = readdir(samples)) != NULL) {
        char dir[1024];
        DIR *inner;
        struct dirent *f;
        if (d->d_name[0] != 'p')
            continue;
        snprintf(dir, sizeof dir, "%s/%s", CLASCONV_SAMPLES, d->d_name);
        inner = opendir(dir);
        if (!inner)
            continue;
        n++;
        while ((f = readdir(inner)) != NULL) {
            char input[2048];
            if (f->d_name[0] == '.' || !strcmp(f->d_name, "expected.json"))
                continue;
            snprintf(input, sizeof input, "%s/%s", dir, f->d_name);
            roundtrip_sample(input);
            tried++;
        }
        closedir(inner);
    }
    closedir(samples);
    cr_assert_geq(n, 9);
    cr_assert_eq(tried, n);
}

/* --- The command line ----------------------------------------------------- */

/* Runs the clasconv executable with `args` (NULL-terminated), output
 * discarded; returns its exit status. */
static int run_cli(const char *const *args)
{
    char *argv[16];
    pid_t pid;
    int status, i;

    argv[0] = (char *)CLASCONV_EXE;
    for (i = 0; args[i] && i < 14; i++)
        argv[i + 1] = (char *)args[i];
    argv[i + 1] = NULL;
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execv(CLASCONV_EXE, argv);
        _exit(127);
    }
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

#define P01                                                                    \
    CLASCONV_SAMPLES "/p01-form-xls-villeurbanne/Tableau dispositifs CLAS "    \
                     "2026 - Villeurbanne.xls"
/* The project's own fixtures, for the tests that run in a bare clone. */
#define HTML_AS_XLS CLASCONV_FIXTURES "/layouts/unreadable-html.xls"
#define DEMO                                                                   \
    CLASCONV_FIXTURES "/demo/Tableau dispositifs CLAS 2026 - "                 \
                      "Exemple-sur-Sa\xc3\xb4ne.csv"

Test(template_cli, writes_the_template)
{
    char path[128];
    tpl t;

    tmp_name(path, sizeof path);
    {
        const char *args[] = {"template", "-o",       path, "--commune",
                              "Bron",     "--lignes", "3",  NULL};
        cr_assert_eq(run_cli(args), 0);
    }
    memset(&t, 0, sizeof t);
    snprintf(t.path, sizeof t.path, "%s", path);
    xml_parse(&t.sheet, t.path, "xl/worksheets/sheet1.xml");
    xml_parse(&t.book, t.path, "xl/workbook.xml");
    xml_parse(&t.styles, t.path, "xl/styles.xml");
    xml_parse(&t.strings, t.path, "xl/sharedStrings.xml");
    cr_assert_str_eq(cell_text(&t, "B5"), "Bron");
    cr_assert_str_eq(cell_text(&t, "A16"), "TOTAL ELEMENTAIRE");
    tpl_free(&t);
}

Test(template_cli, depuis_prefills_from_a_file)
{
    test_need_samples();
    char path[128];
    clasconv_table *direct, *back;

    tmp_name(path, sizeof path);
    {
        const char *args[] = {"template", "--depuis", P01, "-o", path, NULL};
        cr_assert_eq(run_cli(args), 0);
    }
    direct = convert_ok(P01);
    back = convert_ok(path);
    cr_assert_gt(direct->nschools, 0);
    assert_same_rows(direct, back, "p01 via the command line");
    /* only what the data itself says (plausibility), as read directly */
    cr_assert_eq(back->anomalies.count, direct->anomalies.count);
    {
        size_t i;
        for (i = 0; i < back->anomalies.count; i++) {
            const char *name =
                clasconv_anomaly_code_name(back->anomalies.items[i].code);
            cr_assert_eq(back->anomalies.items[i].code,
                         direct->anomalies.items[i].code, "%s", name);
            cr_assert(!strncmp(name, "PLAUSIBILITY_", 13), "%s", name);
        }
    }
    clasconv_table_free(direct);
    clasconv_table_free(back);
    unlink(path);
}

Test(template_cli, refuses_bad_usage_and_unreadable_sources)
{
    char path[128];

    tmp_name(path, sizeof path);
    {
        const char *no_output[] = {"template", NULL};
        const char *bad_rows[] = {"template", "-o", path,
                                  "--lignes", "0",  NULL};
        const char *bad_rows2[] = {"template", "-o",  path,
                                   "--lignes", "12x", NULL};
        const char *missing_value[] = {"template", "-o", path, "--commune",
                                       NULL};
        const char *extra[] = {"template", "-o", path, "surplus", NULL};
        const char *unreadable[] = {"template", "--depuis", HTML_AS_XLS,
                                    "-o",       path,       NULL};
        const char *absent[] = {"template", "--depuis", "/nonexistent.xlsx",
                                "-o",       path,       NULL};
        const char *same[] = {"template", "--depuis", DEMO, "-o", DEMO, NULL};
        cr_assert_eq(run_cli(no_output), 64);
        cr_assert_eq(run_cli(bad_rows), 64);
        cr_assert_eq(run_cli(bad_rows2), 64);
        cr_assert_eq(run_cli(missing_value), 64);
        cr_assert_eq(run_cli(extra), 64);
        cr_assert_eq(run_cli(unreadable), 2);
        cr_assert_eq(run_cli(absent), 2);
        cr_assert_eq(run_cli(same), 64);
    }
    cr_assert_not(exists(path));
}

/* A school whose level is unknown is kept, under Élémentaire, with a note
 * asking to move it; nothing is dropped, and the Élémentaire TOTAL counts
 * it (no false TOTAL_MISMATCH when the template is checked). */
Test(template, unknown_level_kept_with_a_note)
{
    clasconv_table *src = clean_table(), *back;
    clasconv_school *s;
    clasconv_diag diag;
    char path[128], *comments;
    size_t i, found = 0;

    clasconv_totals before[CLASCONV_TOTALS_COUNT];

    s = clasconv_table_add_school(src, CLASCONV_LEVEL_NONE, "Jules Verne", "",
                                  NULL, NULL);
    cr_assert_not_null(s);
    s->counts[CLASCONV_SCHEME_CLAS] = 7;
    clasconv_table_totals(src, before);
    tmp_name(path, sizeof path);
    cr_assert_eq(clasconv_write_template(NULL, src, path, &diag), CLASCONV_OK,
                 "%s", diag.message);
    comments = zip_part(path, "xl/comments1.xml");
    cr_assert_not_null(strstr(comments, "Niveau inconnu dans le fichier lu"));
    free(comments);
    back = convert_ok(path);
    cr_assert_eq(back->nschools, src->nschools);
    for (i = 0; i < back->nschools; i++)
        if (!strcmp(back->schools[i].name, "Jules Verne")) {
            cr_assert_eq(back->schools[i].level, CLASCONV_LEVEL_ELEMENTAIRE);
            found++;
        }
    cr_assert_eq(found, 1);
    cr_assert(back->declared[CLASCONV_LEVEL_ELEMENTAIRE].present);
    cr_assert_eq(
        back->declared[CLASCONV_LEVEL_ELEMENTAIRE].counts[CLASCONV_SCHEME_CLAS],
        before[CLASCONV_LEVEL_ELEMENTAIRE].counts[CLASCONV_SCHEME_CLAS] + 7);
    for (i = 0; i < back->anomalies.count; i++)
        cr_assert_neq(back->anomalies.items[i].code, CLASCONV_A_TOTAL_MISMATCH,
                      "%s", back->anomalies.items[i].message);
    clasconv_table_free(src);
    clasconv_table_free(back);
    unlink(path);
}

/* The style index of a cell ("0" when none). */
static const char *cell_style_of(const tpl *t, const char *ref)
{
    int c = find_cell(t, ref);
    const char *s = c < 0 ? NULL : attr(&t->sheet.els[c], "s");

    return s ? s : "0";
}

/* Anomaly codes of a table, as a sorted list of counts per code. */
static void code_counts(const clasconv_table *t, size_t out[CLASCONV_A_COUNT])
{
    size_t i;

    memset(out, 0, sizeof(size_t) * CLASCONV_A_COUNT);
    for (i = 0; i < t->anomalies.count; i++)
        out[t->anomalies.items[i].code]++;
}

/* --depuis keeps every value it read: « NC » is copied as read, a dont-QPV
 * larger than its count (18 > 15) too, each cell coloured with its
 * anomaly's message in a comment; a row without a name keeps an empty name
 * cell with a comment. Converting the template gives the same rows and the
 * same anomalies as converting the file. */
Test(template, depuis_keeps_what_it_read)
{
    static const char extra[] = ";4;;;;;;;;\n";
    char dir[] = "/tmp/clasconv-depuis-XXXXXX", input[256], *demo, *comments;
    size_t before[CLASCONV_A_COUNT], after[CLASCONV_A_COUNT], len;
    clasconv_table *src, *back;
    const char *cut;
    tpl t;
    FILE *f;

    /* The demo with a row without a name after Saint-Exupéry (row 13). */
    cr_assert_not_null(mkdtemp(dir));
    demo = (char *)test_load(DEMO, &len);
    cut = strstr(demo, "TOTAL ELEMENTAIRE");
    cr_assert_not_null(cut);
    snprintf(input, sizeof input, "%s/Tableau CLAS - Bron.csv", dir);
    f = fopen(input, "wb");
    cr_assert_not_null(f);
    fwrite(demo, 1, (size_t)(cut - demo), f);
    fputs(extra, f);
    fputs(cut, f);
    fclose(f);
    free(demo);

    src = convert_ok(input);
    tpl_write(&t, NULL, src);
    /* Élémentaire from row 13: Jules Ferry, Pasteur, les Tilleuls,
     * Saint-Exupéry, then the row without a name. */
    cr_assert_str_eq(cell_text(&t, "B16"), "NC");
    cr_assert_str_eq(cell_value(&t, "I14"), "18"); /* CLAS dont QPV > 15 */
    cr_assert_str_eq(cell_value(&t, "H14"), "15");
    cr_assert_eq(find_cell(&t, "A17") >= 0, 1);
    cr_assert_str_eq(cell_text(&t, "A17"), "");
    cr_assert_str_eq(cell_value(&t, "B17"), "4");
    /* Coloured: another style than their plain neighbours. */
    cr_assert_str_neq(cell_style_of(&t, "B16"), cell_style_of(&t, "B13"));
    cr_assert_str_neq(cell_style_of(&t, "I14"), cell_style_of(&t, "H14"));
    cr_assert_str_neq(cell_style_of(&t, "A17"), cell_style_of(&t, "A13"));
    cr_assert_not(cell_locked(&t, "I14"));
    comments = zip_part(t.path, "xl/comments1.xml");
    cr_assert_not_null(strstr(comments, "ref=\"B16\""));
    cr_assert_not_null(strstr(comments, "« NC »"));
    cr_assert_not_null(strstr(comments, "ref=\"I14\""));
    cr_assert_not_null(strstr(comments, "ref=\"A17\""));
    cr_assert_not_null(strstr(comments, "pas de nom"));
    free(comments);

    back = convert_ok(t.path);
    assert_same_rows(src, back, "depuis");
    code_counts(src, before);
    code_counts(back, after);
    cr_assert_eq(after[CLASCONV_A_VALUE_NOT_A_NUMBER],
                 before[CLASCONV_A_VALUE_NOT_A_NUMBER]);
    cr_assert_eq(after[CLASCONV_A_QPV_EXCEEDS_TOTAL],
                 before[CLASCONV_A_QPV_EXCEEDS_TOTAL]);
    cr_assert_eq(after[CLASCONV_A_SCHOOL_NAME_MISSING], 1);
    cr_assert_eq(before[CLASCONV_A_SCHOOL_NAME_MISSING], 1);
    cr_assert_eq(after[CLASCONV_A_TOTAL_MISMATCH], 0);
    clasconv_table_free(src);
    clasconv_table_free(back);
    tpl_free(&t);
    unlink(input);
    rmdir(dir);
}
