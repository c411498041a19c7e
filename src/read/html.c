/* html.c: the HTML reader: the tables of a web page (what portals export
 * under a .xls name, Excel's "page web" .htm) into the grid, through
 * libxml2's HTML parser. */
#include "clasconv/read.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/encoding.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include "clasconv/anomaly.h"
#include "core/grow.h"
#include "core/text.h"
#include "read/formmeta.h"
#include "read/zipxml.h"

/*
 * Layout: one grid sheet per <table>, as a Word document's tables are read
 * (docx.c): top-level tables numbered 1..n in document order, named
 * "tableau N", CLASCONV_REF_WORD; a table inside a cell of another is a
 * sheet of its own, "tableau N.K" (the K-th table in the cells of table N),
 * down to HTML_MAX_NESTING levels, and its text is not its cell's. Row =
 * <tr> (0-based), column = the HTML table model's: a cell goes to the first
 * column of its row not covered by a rowspan from above; colspan and
 * rowspan give a merge. Cell text: whitespace runs collapsed to one space
 * (as a browser shows it), <br> and block elements (p, div, li, h1-h6) as
 * "\n", script and style ignored, character references decoded by libxml2.
 * Paragraphs outside tables go to the Word form's field reader (formmeta.h),
 * so that « Territoire de : ... » above the table names the commune.
 *
 * Encoding: a byte-order mark, else the charset of a <meta> in the first
 * HTML_SNIFF_BYTES; a declared UTF-8 (or nothing) that is not valid UTF-8 is
 * read as Windows-1252, as browsers do, with an info anomaly. The page's own
 * <meta> never switches the parser once reading has begun
 * (HTML_PARSE_IGNORE_ENC). libxml2 is opened with dlopen() on the first
 * page read (as serve opens libmicrohttpd): linked normally it brings ICU
 * and liblzma into every clasconv process, 3.5 million instructions of
 * dynamic loading per start (`clasconv --version`: 5.4 M -> 8.8 M), for a
 * format few communes send. libxml2 reports nothing (its errors are
 * swallowed: a web page is read the way a browser repairs it), reaches no
 * network (HTML_PARSE_NONET) and keeps its default limits (no
 * XML_PARSE_HUGE).
 */

#define HTML_MAX_NESTING 8u
#define HTML_NAME_MAX 64u
#define HTML_MAX_COLSPAN 1000u /* the HTML standard's limits */
#define HTML_MAX_ROWSPAN 65534u
#define HTML_META_MAX 512u /* bytes of a paragraph outside tables */
#define HTML_SNIFF_BYTES 4096u
/* Cells (<td>/<th>, empty ones included) of the whole page, and columns
 * stepped over to place them: bound the work on hostile spans. */
#define HTML_MAX_CELLS 1000000u
#define HTML_MAX_STEPS 50000000u

#ifndef CLASCONV_LIBXML2_SONAME
/* The Debian package names it in its Depends (cmake/install.cmake): keep
 * them in step. */
#define CLASCONV_LIBXML2_SONAME "libxml2.so.2"
#endif

/* The libxml2 functions the reader calls (same signatures). */
typedef struct html_xml_api {
    void (*init_parser)(void);
    htmlParserCtxtPtr (*create_push)(htmlSAXHandlerPtr sax, void *user,
                                     const char *chunk, int size,
                                     const char *filename, xmlCharEncoding enc);
    void (*free_ctxt)(htmlParserCtxtPtr ctxt);
    int (*use_options)(htmlParserCtxtPtr ctxt, int options);
    int (*parse_chunk)(htmlParserCtxtPtr ctxt, const char *chunk, int size,
                       int terminate);
    void (*stop_parser)(xmlParserCtxtPtr ctxt);
    xmlCharEncodingHandlerPtr (*find_handler)(const char *name);
    int (*close_handler)(xmlCharEncodingHandler *handler);
    int (*switch_encoding)(xmlParserCtxtPtr ctxt,
                           xmlCharEncodingHandlerPtr handler);
} html_xml_api;

static html_xml_api xml;
static int xml_loaded; /* 1 loaded, -1 missing */
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

/* dlsym() returns an object pointer: copied into the function pointer as
 * POSIX allows, without an ISO C conversion. */
static int resolve(void *lib, void *fp, size_t size, const char *name)
{
    void *sym = dlsym(lib, name);

    if (sym == NULL) {
        return 0;
    }
    memcpy(fp, &sym, size);
    return 1;
}

#define RESOLVE(lib, field, name)                                              \
    resolve(lib, &xml.field, sizeof xml.field, name)

static void load_libxml2(void)
{
    void *lib = dlopen(CLASCONV_LIBXML2_SONAME, RTLD_NOW | RTLD_LOCAL);

    xml_loaded = -1;
    if (lib == NULL) {
        return;
    }
    if (RESOLVE(lib, init_parser, "xmlInitParser") &&
        RESOLVE(lib, create_push, "htmlCreatePushParserCtxt") &&
        RESOLVE(lib, free_ctxt, "htmlFreeParserCtxt") &&
        RESOLVE(lib, use_options, "htmlCtxtUseOptions") &&
        RESOLVE(lib, parse_chunk, "htmlParseChunk") &&
        RESOLVE(lib, stop_parser, "xmlStopParser") &&
        RESOLVE(lib, find_handler, "xmlFindCharEncodingHandler") &&
        RESOLVE(lib, close_handler, "xmlCharEncCloseFunc") &&
        RESOLVE(lib, switch_encoding, "xmlSwitchToEncoding")) {
        xml.init_parser();
        xml_loaded = 1;
        return; /* kept open for the life of the process */
    }
    dlclose(lib);
}

/* One open table read as a sheet. */
typedef struct html_level {
    clasconv_sheet *sheet;
    char sheet_name[HTML_NAME_MAX];
    uint32_t children; /* tables nested in its cells so far */
    int64_t row;       /* current row, -1 before the first <tr> */
    uint32_t col;      /* next column to try in the current row */
    int in_cell;       /* inside a <td>/<th> */
    uint32_t cell_col;
    uint32_t colspan, rowspan;
    clasconv_text cell;
    int space; /* a collapsed blank waits before the next character */
    /* busy[c]: the first row where column c is free again (rowspans) */
    uint32_t *busy;
    size_t nbusy, busy_cap;
} html_level;

typedef struct html_parse {
    clasconv_grid *grid;
    clasconv_diag *diag;
    clasconv_error err; /* first failure: the parser is stopped */
    xmlParserCtxtPtr ctxt;
    html_level lv[HTML_MAX_NESTING];
    unsigned depth;     /* tables open as sheets */
    unsigned flat;      /* tables open past the nesting limit */
    unsigned skip;      /* inside script/style/head */
    uint32_t tables;    /* top-level tables */
    uint64_t cells;     /* <td>/<th> seen */
    uint64_t steps;     /* columns stepped over */
    clasconv_text para; /* text outside tables, one block at a time */
    int para_space;
    int meta_pending;
} html_parse;

static void stop(html_parse *p, clasconv_error err)
{
    if (p->err == CLASCONV_OK) {
        p->err = err;
    }
    xml.stop_parser(p->ctxt);
}

static int is_html_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Appends text with HTML's whitespace collapsing: a run of blanks becomes
 * one space, none at the start of a line. */
static clasconv_error append_collapsed(clasconv_text *t, int *space,
                                       const char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        size_t j = i;
        clasconv_error err;

        if (is_html_space((unsigned char)s[i])) {
            while (i < len && is_html_space((unsigned char)s[i])) {
                i++;
            }
            *space = 1;
            continue;
        }
        while (j < len && !is_html_space((unsigned char)s[j])) {
            j++;
        }
        if (*space && t->len > 0 && t->data[t->len - 1] != '\n') {
            err = clasconv_text_append(t, " ", 1);
            if (err != CLASCONV_OK) {
                return err;
            }
        }
        *space = 0;
        err = clasconv_text_append(t, s + i, j - i);
        if (err != CLASCONV_OK) {
            return err;
        }
        i = j;
    }
    return CLASCONV_OK;
}

/* A line break inside a cell: none at its start, never two in a row. */
static clasconv_error cell_break(html_level *t)
{
    t->space = 0;
    if (t->cell.len == 0 || t->cell.data[t->cell.len - 1] == '\n') {
        return CLASCONV_OK;
    }
    return clasconv_text_append(&t->cell, "\n", 1);
}

/* Ends a paragraph outside tables: the form's fields are looked for in it. */
static void para_flush(html_parse *p)
{
    clasconv_error err;

    p->para_space = 0;
    if (p->para.len == 0) {
        return;
    }
    err = clasconv_form_meta_paragraph(p->grid, &p->meta_pending, &p->para);
    clasconv_text_reset(&p->para);
    if (err != CLASCONV_OK) {
        stop(p, clasconv_zip_grid_failure(p->diag, err, NULL));
    }
}

static uint32_t parse_span(const xmlChar **attrs, const char *name,
                           uint32_t max)
{
    size_t i;

    for (i = 0; attrs != NULL && attrs[i] != NULL; i += 2) {
        const char *v = (const char *)attrs[i + 1];
        unsigned long n = 0;

        if (strcmp((const char *)attrs[i], name) != 0 || v == NULL) {
            continue;
        }
        while (is_html_space((unsigned char)*v)) {
            v++;
        }
        /* As browsers: leading digits, the rest ignored; 0 or none is 1. */
        while (*v >= '0' && *v <= '9' && n <= max) {
            n = n * 10 + (unsigned long)(*v - '0');
            v++;
        }
        if (n < 1) {
            return 1;
        }
        return n > max ? max : (uint32_t)n;
    }
    return 1;
}

static void start_table(html_parse *p)
{
    html_level *parent = p->depth > 0 ? &p->lv[p->depth - 1] : NULL;
    html_level *t;
    clasconv_text cell;
    uint32_t *busy;
    size_t busy_cap;
    clasconv_error err = CLASCONV_OK;

    if (p->flat > 0 || p->depth >= HTML_MAX_NESTING ||
        (parent != NULL && !parent->in_cell)) {
        /* Too deep, or a table straight inside a table (outside any cell,
         * which browsers move before it): its cells join the open text. */
        p->flat++;
        return;
    }
    t = &p->lv[p->depth];
    cell = t->cell;
    busy = t->busy;
    busy_cap = t->busy_cap;
    memset(t, 0, sizeof *t);
    t->cell = cell; /* buffers kept from the last table at this depth */
    clasconv_text_reset(&t->cell);
    t->busy = busy;
    t->busy_cap = busy_cap;
    if (parent != NULL) {
        err = clasconv_zip_nested_sheet(
            p->grid, parent->sheet_name, ++parent->children, p->tables,
            t->sheet_name, sizeof t->sheet_name, &t->sheet, p->diag);
        if (err != CLASCONV_OK) {
            stop(p, err);
            return;
        }
    } else {
        para_flush(p);
        p->tables++;
        snprintf(t->sheet_name, sizeof t->sheet_name, "tableau %u",
                 (unsigned)p->tables);
        t->sheet = clasconv_grid_add_sheet(p->grid, t->sheet_name,
                                           CLASCONV_REF_WORD, p->tables, &err);
        if (t->sheet == NULL) {
            stop(p, clasconv_zip_sheet_failure(p->diag, err, p->grid,
                                               t->sheet_name));
            return;
        }
    }
    t->row = -1;
    p->depth++;
}

static void end_cell(html_parse *p, html_level *t);

static void end_table(html_parse *p)
{
    html_level *t;

    if (p->flat > 0) {
        p->flat--;
        return;
    }
    if (p->depth == 0) {
        return; /* a stray </table> */
    }
    t = &p->lv[p->depth - 1];
    if (t->in_cell) {
        end_cell(p, t);
    }
    t->sheet = NULL;
    p->depth--;
}

static void start_row(html_level *t)
{
    if (t->in_cell) {
        return; /* ended by the parser before a new <tr> */
    }
    t->row++;
    t->col = 0;
}

static void start_cell(html_parse *p, html_level *t, const xmlChar **attrs)
{
    if (++p->cells > HTML_MAX_CELLS) {
        clasconv_diag_set(p->diag,
                          "Le fichier est trop grand pour être lu : ses "
                          "tableaux dépassent %u cellules. Gardez seulement "
                          "le tableau des dispositifs et enregistrez le "
                          "fichier à nouveau.",
                          HTML_MAX_CELLS);
        stop(p, CLASCONV_ERR_TOO_LARGE);
        return;
    }
    if (t->row < 0) {
        t->row = 0; /* a cell before any <tr> */
        t->col = 0;
    }
    while (t->col < t->nbusy && t->busy[t->col] > (uint64_t)t->row) {
        t->col++;
        if (++p->steps > HTML_MAX_STEPS) {
            clasconv_diag_set(p->diag,
                              "Le fichier est trop complexe pour être lu : "
                              "ses cellules fusionnées couvrent trop de "
                              "lignes et de colonnes. Gardez seulement le "
                              "tableau des dispositifs et enregistrez le "
                              "fichier à nouveau.");
            stop(p, CLASCONV_ERR_TOO_LARGE);
            return;
        }
    }
    t->in_cell = 1;
    t->space = 0;
    t->cell_col = t->col;
    t->colspan = parse_span(attrs, "colspan", HTML_MAX_COLSPAN);
    t->rowspan = parse_span(attrs, "rowspan", HTML_MAX_ROWSPAN);
    clasconv_text_reset(&t->cell);
}

/* Marks the columns of the cell just read as busy down its rowspan. */
static clasconv_error cover(html_level *t, uint32_t first, uint32_t last)
{
    uint64_t until = (uint64_t)t->row + t->rowspan;
    uint32_t c;
    clasconv_error err;

    if (t->rowspan <= 1) {
        return CLASCONV_OK;
    }
    err = clasconv_grow((void **)&t->busy, &t->busy_cap, (size_t)last + 1,
                        sizeof *t->busy, CLASCONV_GRID_MAX_COLS);
    if (err != CLASCONV_OK) {
        return err;
    }
    for (c = (uint32_t)t->nbusy; c <= last; c++) {
        t->busy[c] = 0;
    }
    if (t->nbusy < (size_t)last + 1) {
        t->nbusy = (size_t)last + 1;
    }
    if (until > UINT32_MAX) {
        until = UINT32_MAX;
    }
    for (c = first; c <= last; c++) {
        t->busy[c] = (uint32_t)until;
    }
    return CLASCONV_OK;
}

static void end_cell(html_parse *p, html_level *t)
{
    const char *text = clasconv_text_str(&t->cell);
    uint64_t first = t->cell_col;
    uint64_t last = first + t->colspan - 1;
    uint64_t last_row = (uint64_t)t->row + t->rowspan - 1;
    clasconv_error err;

    t->in_cell = 0;
    t->col = (uint32_t)(last + 1 < UINT32_MAX ? last + 1 : UINT32_MAX);
    if (first >= CLASCONV_GRID_MAX_COLS) {
        if (!clasconv_text_is_blank(text, t->cell.len)) {
            stop(p, clasconv_zip_grid_failure(p->diag, CLASCONV_ERR_TOO_LARGE,
                                              t->sheet_name));
        }
        return;
    }
    if (last >= CLASCONV_GRID_MAX_COLS) {
        last = CLASCONV_GRID_MAX_COLS - 1;
    }
    if (last_row >= CLASCONV_GRID_MAX_ROWS) {
        last_row = CLASCONV_GRID_MAX_ROWS - 1;
    }
    if (t->cell.len > 0 && t->cell.data[t->cell.len - 1] == '\n') {
        t->cell.len--; /* a trailing break */
    }
    err = clasconv_sheet_put_text(t->sheet, (uint32_t)t->row, (uint32_t)first,
                                  text, t->cell.len, (uint32_t)t->row + 1,
                                  (uint32_t)first + 1, 0);
    if (err == CLASCONV_OK) {
        err = cover(t, (uint32_t)first, (uint32_t)last);
    }
    if (err != CLASCONV_OK) {
        stop(p, clasconv_zip_grid_failure(p->diag, err, t->sheet_name));
        return;
    }
    if ((last > first || last_row > (uint64_t)t->row) &&
        (uint64_t)t->row < CLASCONV_GRID_MAX_ROWS) {
        err = clasconv_zip_add_merge(t->sheet, t->sheet_name, (uint32_t)t->row,
                                     (uint32_t)first, (uint32_t)last_row,
                                     (uint32_t)last, p->diag);
        if (err != CLASCONV_OK) {
            stop(p, err);
        }
    }
}

static int is_block(const char *name)
{
    static const char *const blocks[] = {
        "p",  "div", "li", "h1", "h2", "h3",      "h4",     "h5",
        "h6", "ul",  "ol", "dt", "dd", "caption", "center", "blockquote"};
    size_t i;

    for (i = 0; i < sizeof blocks / sizeof blocks[0]; i++) {
        if (strcmp(name, blocks[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static int is_skipped(const char *name)
{
    return strcmp(name, "script") == 0 || strcmp(name, "style") == 0 ||
           strcmp(name, "head") == 0 || strcmp(name, "title") == 0 ||
           strcmp(name, "template") == 0 || strcmp(name, "noscript") == 0;
}

/* The innermost open sheet table, or NULL. */
static html_level *open_table(html_parse *p)
{
    return p->depth > 0 ? &p->lv[p->depth - 1] : NULL;
}

/* A break in the text being gathered (a cell's or a paragraph's). */
static void text_break(html_parse *p)
{
    html_level *t = open_table(p);

    if (t != NULL) {
        if (t->in_cell) {
            clasconv_error err = cell_break(t);
            if (err != CLASCONV_OK) {
                stop(p, clasconv_zip_grid_failure(p->diag, err, NULL));
            }
        }
        return;
    }
    para_flush(p);
}

static void on_start(void *ctx, const xmlChar *xname, const xmlChar **attrs)
{
    html_parse *p = ctx;
    const char *name = (const char *)xname;
    html_level *t;

    if (p->err != CLASCONV_OK || name == NULL) {
        return;
    }
    if (is_skipped(name)) {
        p->skip++;
        return;
    }
    if (p->skip > 0) {
        return;
    }
    if (strcmp(name, "table") == 0) {
        start_table(p);
        return;
    }
    t = open_table(p);
    if (p->flat == 0 && t != NULL) {
        if (strcmp(name, "tr") == 0) {
            if (t->in_cell) {
                end_cell(p, t);
            }
            start_row(t);
            return;
        }
        if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
            if (t->in_cell) {
                end_cell(p, t);
            }
            if (p->err == CLASCONV_OK) {
                start_cell(p, t, attrs);
            }
            return;
        }
    } else if (p->flat > 0 &&
               (strcmp(name, "tr") == 0 || strcmp(name, "td") == 0 ||
                strcmp(name, "th") == 0)) {
        text_break(p); /* a flattened table's cells, one per line */
        return;
    }
    if (strcmp(name, "br") == 0 || is_block(name)) {
        text_break(p);
    }
}

static void on_end(void *ctx, const xmlChar *xname)
{
    html_parse *p = ctx;
    const char *name = (const char *)xname;
    html_level *t;

    if (p->err != CLASCONV_OK || name == NULL) {
        return;
    }
    if (is_skipped(name)) {
        if (p->skip > 0) {
            p->skip--;
        }
        return;
    }
    if (p->skip > 0) {
        return;
    }
    if (strcmp(name, "table") == 0) {
        end_table(p);
        return;
    }
    t = open_table(p);
    if (p->flat == 0 && t != NULL &&
        (strcmp(name, "td") == 0 || strcmp(name, "th") == 0)) {
        if (t->in_cell) {
            end_cell(p, t);
        }
        return;
    }
    if (is_block(name) || strcmp(name, "tr") == 0) {
        text_break(p);
    }
}

static void on_text(void *ctx, const xmlChar *ch, int len)
{
    html_parse *p = ctx;
    html_level *t;
    clasconv_error err = CLASCONV_OK;

    if (p->err != CLASCONV_OK || p->skip > 0 || len <= 0) {
        return;
    }
    t = open_table(p);
    if (t != NULL) {
        if (t->in_cell) {
            err = append_collapsed(&t->cell, &t->space, (const char *)ch,
                                   (size_t)len);
        }
        /* text between cells is dropped (browsers show it above the
         * table, outside it) */
    } else {
        err = append_collapsed(&p->para, &p->para_space, (const char *)ch,
                               (size_t)len);
    }
    if (err != CLASCONV_OK) {
        stop(p, clasconv_zip_grid_failure(p->diag, err, NULL));
    }
}

static void on_cdata(void *ctx, const xmlChar *ch, int len)
{
    (void)ctx; /* script and style bodies */
    (void)ch;
    (void)len;
}

static void on_error(void *ctx, xmlErrorPtr error)
{
    (void)ctx; /* a page is read as a browser repairs it */
    (void)error;
}

/* ASCII case-insensitive search for `needle` in `hay[0..len)`. */
static const unsigned char *find_ci(const unsigned char *hay, size_t len,
                                    const char *needle)
{
    size_t n = strlen(needle), i, k;

    for (i = 0; i + n <= len; i++) {
        for (k = 0; k < n; k++) {
            unsigned char c = hay[i + k];
            if (c >= 'A' && c <= 'Z') {
                c = (unsigned char)(c + 32);
            }
            if (c != (unsigned char)needle[k]) {
                break;
            }
        }
        if (k == n) {
            return hay + i;
        }
    }
    return NULL;
}

/* The charset a <meta> declares in the first bytes, lowercased, or "". */
static void declared_charset(const unsigned char *data, size_t size, char *out,
                             size_t out_size)
{
    size_t len = size < HTML_SNIFF_BYTES ? size : HTML_SNIFF_BYTES;
    const unsigned char *p = find_ci(data, len, "charset=");
    size_t n = 0;

    out[0] = '\0';
    if (p == NULL) {
        return;
    }
    p += 8;
    while (p < data + len && (*p == '"' || *p == '\'' || *p == ' ')) {
        p++;
    }
    while (p < data + len && n + 1 < out_size &&
           ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == ':' ||
            *p == '.')) {
        out[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        p++;
    }
    out[n] = '\0';
}

typedef struct html_encoding {
    char name[40]; /* for libxml2 and the grid */
    size_t skip;   /* byte-order mark */
    int assumed;   /* Windows-1252 taken for want of valid UTF-8 */
    int declared;  /* the page named its charset */
} html_encoding;

static void set_name(html_encoding *e, const char *name)
{
    snprintf(e->name, sizeof e->name, "%s", name);
}

/* Latin-1 and ASCII mean Windows-1252 on the web (WHATWG Encoding). */
static int is_latin1_label(const char *label)
{
    static const char *const labels[] = {"iso-8859-1",   "iso8859-1", "latin1",
                                         "l1",           "us-ascii",  "ascii",
                                         "cp1252",       "cp819",     "ibm819",
                                         "windows-1252", "x-cp1252"};
    size_t i;

    for (i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        if (strcmp(label, labels[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static html_encoding choose_encoding(const unsigned char *data, size_t size)
{
    html_encoding e;
    char declared[40];

    memset(&e, 0, sizeof e);
    set_name(&e, "UTF-8");
    if (size >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) {
        e.skip = 3;
    } else if (size >= 2 && data[0] == 0xFF && data[1] == 0xFE) {
        set_name(&e, "UTF-16LE");
        e.skip = 2;
        return e;
    } else if (size >= 2 && data[0] == 0xFE && data[1] == 0xFF) {
        set_name(&e, "UTF-16BE");
        e.skip = 2;
        return e;
    } else {
        declared_charset(data, size, declared, sizeof declared);
        e.declared = declared[0] != '\0';
        if (is_latin1_label(declared)) {
            set_name(&e, "Windows-1252");
            return e;
        }
        if (e.declared && strcmp(declared, "utf-8") != 0 &&
            strcmp(declared, "utf8") != 0) {
            xmlCharEncodingHandlerPtr h = xml.find_handler(declared);
            if (h != NULL) {
                (void)xml.close_handler(h);
                set_name(&e, declared);
                return e;
            }
            e.declared = 0; /* unknown to iconv: told by the bytes */
        }
    }
    if (!clasconv_utf8_valid((const char *)data + e.skip, size - e.skip)) {
        set_name(&e, "Windows-1252");
        e.assumed = 1;
    }
    return e;
}

static void free_levels(html_parse *p)
{
    size_t i;

    for (i = 0; i < HTML_MAX_NESTING; i++) {
        clasconv_text_free(&p->lv[i].cell);
        free(p->lv[i].busy);
    }
    clasconv_text_free(&p->para);
}

clasconv_error clasconv_read_html(const clasconv_input *in, clasconv_grid *grid,
                                  clasconv_diag *diag)
{
    htmlSAXHandler sax;
    html_parse p;
    html_encoding enc;
    xmlCharEncodingHandlerPtr handler;
    const int options = HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                        HTML_PARSE_NOWARNING | HTML_PARSE_IGNORE_ENC;
    size_t i;
    clasconv_error err;

    (void)pthread_once(&xml_once, load_libxml2);
    if (xml_loaded != 1) {
        clasconv_diag_set(diag,
                          "Ce fichier est une page web (HTML) : pour la lire, "
                          "clasconv a besoin de la bibliothèque %s, absente "
                          "de ce serveur (paquet libxml2). Installez-la, ou "
                          "ouvrez le fichier dans Excel ou LibreOffice et "
                          "enregistrez-le au format .xlsx.",
                          CLASCONV_LIBXML2_SONAME);
        return CLASCONV_ERR_UNSUPPORTED;
    }
    enc = choose_encoding(in->data, in->size);
    if (in->size - enc.skip > (size_t)INT32_MAX) {
        return CLASCONV_ERR_TOO_LARGE; /* not reached: CLASCONV_INPUT_MAX */
    }
    memset(&sax, 0, sizeof sax);
    sax.startElement = on_start;
    sax.endElement = on_end;
    sax.characters = on_text;
    sax.ignorableWhitespace = on_text;
    sax.cdataBlock = on_cdata;
    sax.serror = on_error;
    sax.initialized = XML_SAX2_MAGIC; /* so that serror is the channel */
    memset(&p, 0, sizeof p);
    p.grid = grid;
    p.diag = diag;
    for (i = 0; i < HTML_MAX_NESTING; i++) {
        p.lv[i].cell.limit = CLASCONV_GRID_MAX_CELL_TEXT;
    }
    p.para.limit = HTML_META_MAX;
    p.ctxt = xml.create_push(&sax, &p, NULL, 0, NULL, XML_CHAR_ENCODING_NONE);
    handler = xml.find_handler(enc.name);
    if (p.ctxt == NULL || handler == NULL) {
        if (p.ctxt != NULL) {
            xml.free_ctxt(p.ctxt);
        }
        clasconv_diag_set(diag, "Mémoire insuffisante pour lire le fichier.");
        return CLASCONV_ERR_MEMORY;
    }
    (void)xml.use_options(p.ctxt, options);
    (void)xml.switch_encoding(p.ctxt, handler);
    (void)xml.parse_chunk(p.ctxt, (const char *)in->data + enc.skip,
                          (int)(in->size - enc.skip), 1);
    xml.free_ctxt(p.ctxt);
    if (p.err == CLASCONV_OK) {
        para_flush(&p);
    }
    free_levels(&p);
    if (p.err != CLASCONV_OK) {
        return p.err;
    }
    if (p.tables == 0) {
        clasconv_diag_set(diag,
                          "Cette page web (HTML) ne contient aucun tableau : "
                          "elle ne peut pas être lue comme un tableau des "
                          "dispositifs. Demandez à la commune le tableau "
                          "d'origine (Excel, LibreOffice, CSV ou Word .docx).");
        return CLASCONV_ERR_FORMAT;
    }
    err = clasconv_grid_set_encoding(grid, enc.name, 0);
    if (err == CLASCONV_OK && enc.assumed) {
        err = clasconv_grid_add_note(
            grid, CLASCONV_A_ENCODING_ASSUMED, NULL,
            enc.declared ? "La page web annonce l'UTF-8 mais n'est pas en "
                           "UTF-8 : elle a été lue comme du Windows-1252. "
                           "Vérifiez les accents des noms."
                         : "La page web ne dit pas son encodage et n'est pas "
                           "en UTF-8 : elle a été lue comme du Windows-1252. "
                           "Vérifiez les accents des noms.");
    }
    if (err == CLASCONV_OK) {
        err = clasconv_grid_finish(grid);
    }
    if (err != CLASCONV_OK) {
        return clasconv_zip_grid_failure(diag, err, NULL);
    }
    return CLASCONV_OK;
}
