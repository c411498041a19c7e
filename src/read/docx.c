/* docx.c: the DOCX reader: the filled Word form's tables into the grid, and
 * its territory and coordinator fields into the grid's meta. */
#include "clasconv/read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "read/formmeta.h"
#include "read/zipxml.h"

/*
 * Layout: one grid sheet per Word table (top-level ones numbered 1..n in
 * document order, named "tableau N", CLASCONV_REF_WORD). Row = Word row
 * (0-based), column = grid column: w:gridBefore and w:gridSpan advance it.
 * A cell spanning columns, or a w:vMerge restart with its continue cells,
 * gives a merge; continue cells stay empty. A table nested in a cell (a
 * CLAS table beside a logo in a layout table) is a sheet of its own, named
 * after its parent: "tableau 1.1", "tableau 1.2" (the K-th table in the
 * cells of table 1), "tableau 1.1.1"; the sheet follows its parent's, and
 * the enclosing cell keeps only its own paragraphs. Below
 * DOCX_MAX_NESTING levels a table's paragraphs join its cell's text.
 * Cell text: runs concatenated, paragraphs joined with "\n" (empty ones
 * dropped), w:tab as a space, w:br/w:cr as "\n", deleted and moved-away
 * text ignored, inserted text kept.
 */

#define NS_W "wordprocessingml/2006/main"
#define NS_W_STRICT "purl.oclc.org/ooxml/wordprocessingml/main"
#define NS_MC "markup-compatibility/2006"
#define DOCX_PATH_MAX 1100u
#define DOCX_MAX_SPAN 1000u
#define DOCX_META_MAX 512u
#define DOCX_FOLD_MAX 512u
/* Cells of all top-level tables, counted as read (vMerge continue and empty
 * cells included, which the grid does not store): Word's tables have at most
 * 63 columns, the form's table a few hundred cells. */
#define DOCX_MAX_CELLS 1000000u
/* Tables read as sheets along one line of nesting (the top-level one
 * included): a CLAS table sits in a layout table's cell, one or two deep;
 * deeper tables are read as the text of their cell (the XML depth limit and
 * the grid's 512 sheets bound the rest). */
#define DOCX_MAX_NESTING 8u
#define DOCX_NAME_MAX 64u /* "tableau 512.512.512..." at 8 levels fits */

/* WordprocessingML elements and attributes, in the transitional or the
 * Strict (ISO/IEC 29500 strict) namespace. */
static int w_ns(const char *name)
{
    return strstr(name, NS_W "|") != NULL ||
           strstr(name, NS_W_STRICT "|") != NULL;
}

static int w_is(const char *name, const char *local)
{
    return clasconv_xml_is(name, NS_W, local) ||
           clasconv_xml_is(name, NS_W_STRICT, local);
}

static const char *w_attr(const char **attrs, const char *local)
{
    const char *value = clasconv_xml_attr_ns(attrs, NS_W, local);
    return value != NULL ? value
                         : clasconv_xml_attr_ns(attrs, NS_W_STRICT, local);
}

enum { VMERGE_NONE, VMERGE_RESTART, VMERGE_CONTINUE };

/* Open vertical merges of the current top-level table, indexed by column
 * so that every cell costs at most its span (never a search through the
 * open merges). Open merges never overlap: a cell that covers a column of
 * one closes it first. */
#define VMERGE_NO_COL UINT16_MAX
typedef struct vmerge {
    uint32_t first_row, last_row;
    uint16_t last_col;
    uint16_t live_pos; /* its index in `live` */
} vmerge;

typedef struct vmerge_table {
    vmerge *by_first; /* [CLASCONV_GRID_MAX_COLS], valid where open */
    uint16_t *cover;  /* [CLASCONV_GRID_MAX_COLS] first column or NO_COL */
    uint16_t *live;   /* first columns of the open merges */
    size_t nlive;
} vmerge_table;

/* A label of the form's first page and the meta key it fills. */
typedef struct docx_label {
    const char *folded; /* as clasconv_text_fold() gives it */
    const char *key;
    const char *ascii; /* label accepted without ':' (NULL: none) */
} docx_label;

static const docx_label labels[] = {
    {"nom prenom", "Nom/Prénom", NULL},
    {"fonction", "Fonction", NULL},
    {"telephone", "Téléphone", NULL},
    {"tel", "Téléphone", NULL},
    {"mail", "Mail", "Mail"},
    {"e mail", "Mail", NULL},
    {"courriel", "Mail", NULL},
    {"date de la reunion de concertation", "Date de la réunion de concertation",
     NULL},
    {"coordonnateur communal clas", "Coordonnateur communal CLAS", NULL},
    {"coordinateur communal clas", "Coordonnateur communal CLAS", NULL},
};

/* One open table read as a sheet: the top-level one, or one nested in a
 * cell of the level below. */
typedef struct docx_level {
    clasconv_sheet *sheet;
    char sheet_name[DOCX_NAME_MAX];
    uint32_t children; /* tables nested in its cells so far */
    int64_t row;
    uint64_t col;
    /* the current cell */
    int in_tc;
    int in_tcpr;
    int in_trpr;
    uint64_t cell_col;
    uint64_t span;
    int vmerge_state;
    clasconv_text cell;
    /* vertical merges open in this table (kept allocated for the next
     * table at this depth) */
    vmerge_table vm;
} docx_level;

typedef struct docx_parse {
    clasconv_grid *grid;
    clasconv_diag *diag;
    unsigned skip;      /* depth inside an ignored subtree */
    unsigned tbl_depth; /* open w:tbl elements */
    uint32_t tables;    /* top-level tables seen */
    /* tables open as sheets: lv[0..depth-1], t the innermost (NULL: none) */
    docx_level lv[DOCX_MAX_NESTING];
    unsigned depth;
    docx_level *t;
    unsigned flat; /* tables open beyond those: read as their cell's text */
    uint64_t cells_seen; /* w:tc of all tables, continue cells too */
    /* the current paragraph */
    unsigned p_depth;
    unsigned r_depth;
    int in_t;
    clasconv_text para;
    int saw_root;    /* the main part's root element was seen */
    int is_document; /* ... and it is <w:document> */
    /* meta */
    int territory_pending; /* paragraphs left to look at for the name */
} docx_parse;

static uint64_t parse_val(const char **attrs, uint64_t fallback)
{
    const char *text = w_attr(attrs, "val");
    uint64_t v = 0;
    int digits = 0;

    if (text == NULL) {
        return fallback;
    }
    for (; *text >= '0' && *text <= '9'; text++) {
        if (++digits > 9) {
            return fallback;
        }
        v = v * 10u + (uint64_t)(*text - '0');
    }
    return digits > 0 && *text == '\0' ? v : fallback;
}

/* --- Meta fields ------------------------------------------------------- */

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Length of a leader character (. _ … or a blank) at `s`, else 0. */
static size_t leader_len(const char *s)
{
    if (*s == '.' || *s == '_' || *s == ' ' || *s == '\t' || *s == '\n' ||
        *s == ':') {
        return 1;
    }
    if (starts_with(s, "\xE2\x80\xA6") || /* … */
        starts_with(s, "\xE2\x80\xAF")) { /* narrow no-break space */
        return 3;
    }
    if (starts_with(s, "\xC2\xA0")) { /* no-break space */
        return 2;
    }
    return 0;
}

/* Strips blanks and dotted leaders around a value, into `out`. */
static void clean_value(const char *value, char *out, size_t size)
{
    const char *start = value;
    const char *end = value + strlen(value);
    size_t n;
    size_t len;

    while ((n = leader_len(start)) > 0) {
        start += n;
    }
    while (end > start) {
        const char *p = end - 1;
        while (p > start && ((unsigned char)*p & 0xC0u) == 0x80u) {
            p--;
        }
        if (leader_len(p) != (size_t)(end - p)) {
            break;
        }
        end = p;
    }
    len = (size_t)(end - start);
    if (len >= size) {
        len = size - 1;
        while (len > 0 && ((unsigned char)start[len] & 0xC0u) == 0x80u) {
            len--; /* do not cut a character */
        }
    }
    memcpy(out, start, len);
    out[len] = '\0';
}

static clasconv_error set_meta(docx_parse *p, const char *key,
                               const char *value)
{
    size_t i;
    const char *k;
    const char *v;
    clasconv_error err;

    for (i = 0; i < clasconv_grid_meta_count(p->grid); i++) {
        clasconv_grid_meta(p->grid, i, &k, &v);
        if (strcmp(k, key) == 0) {
            return CLASCONV_OK; /* the first one wins */
        }
    }
    err = clasconv_grid_set_meta(p->grid, key, value);
    return err == CLASCONV_ERR_MEMORY ? err : CLASCONV_OK;
}

/* The territory's name on a line after "territoire de :". */
static clasconv_error territory_line(docx_parse *p, const char *text)
{
    char value[DOCX_META_MAX];
    int dotted = strstr(text, "\xE2\x80\xA6") != NULL ||
                 strstr(text, "...") != NULL || strstr(text, "__") != NULL;

    clean_value(text, value, sizeof value);
    if (value[0] == '\0') {
        return CLASCONV_OK; /* a blank line or leaders only: look further */
    }
    p->territory_pending = 0;
    if (strlen(value) > 80 ||
        (!dotted && (strncasecmp(value, "a adresser", 10) == 0 ||
                     starts_with(value, "\xC3\x80 adresser")))) {
        return CLASCONV_OK; /* a sentence of the form, not a name */
    }
    return set_meta(p, "Territoire", value);
}

/* Looks at one paragraph outside tables for the form's fields. */
static clasconv_error meta_paragraph(docx_parse *p)
{
    const char *text = clasconv_text_str(&p->para);
    const char *colon;
    char label[DOCX_FOLD_MAX];
    char folded[DOCX_FOLD_MAX];
    char value[DOCX_META_MAX];
    size_t label_len;
    size_t i;
    size_t flen;

    if (clasconv_text_is_blank(text, p->para.len)) {
        return CLASCONV_OK;
    }
    colon = strchr(text, ':');
    if (colon == NULL) {
        if (p->territory_pending > 0) {
            p->territory_pending--;
            return territory_line(p, text);
        }
        /* "Mail  c.dupont@..." with no colon */
        for (i = 0; i < sizeof labels / sizeof labels[0]; i++) {
            size_t n = labels[i].ascii != NULL ? strlen(labels[i].ascii) : 0;
            if (n > 0 && strncasecmp(text, labels[i].ascii, n) == 0 &&
                leader_len(text + n) > 0) {
                clean_value(text + n, value, sizeof value);
                if (value[0] != '\0') {
                    return set_meta(p, labels[i].key, value);
                }
            }
        }
        return CLASCONV_OK;
    }
    label_len = (size_t)(colon - text);
    if (label_len >= sizeof label) {
        if (p->territory_pending > 0) {
            p->territory_pending--;
            return territory_line(p, text);
        }
        return CLASCONV_OK;
    }
    memcpy(label, text, label_len);
    label[label_len] = '\0';
    flen = clasconv_text_fold(label, folded, sizeof folded);
    clean_value(colon + 1, value, sizeof value);
    if (flen >= 13 && strcmp(folded + flen - 13, "territoire de") == 0) {
        if (value[0] != '\0') {
            p->territory_pending = 0;
            return set_meta(p, "Territoire", value);
        }
        p->territory_pending = 2;
        return CLASCONV_OK;
    }
    for (i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        if (strcmp(folded, labels[i].folded) == 0) {
            p->territory_pending = 0;
            return value[0] != '\0' ? set_meta(p, labels[i].key, value)
                                    : CLASCONV_OK;
        }
    }
    if (p->territory_pending > 0) {
        p->territory_pending--;
        return territory_line(p, text);
    }
    return CLASCONV_OK;
}

/* --- Tables ------------------------------------------------------------ */

static clasconv_error add_merge(docx_parse *p, uint32_t r1, uint32_t c1,
                                uint32_t r2, uint32_t c2)
{
    if (r1 == r2 && c1 == c2) {
        return CLASCONV_OK;
    }
    return clasconv_zip_add_merge(p->t->sheet, p->t->sheet_name, r1, c1, r2, c2,
                                  p->diag);
}

static clasconv_error vmerge_alloc(vmerge_table *vm)
{
    size_t i;

    if (vm->cover != NULL) {
        return CLASCONV_OK;
    }
    vm->by_first = malloc(CLASCONV_GRID_MAX_COLS * sizeof *vm->by_first);
    vm->cover = malloc(CLASCONV_GRID_MAX_COLS * sizeof *vm->cover);
    vm->live = malloc(CLASCONV_GRID_MAX_COLS * sizeof *vm->live);
    if (vm->by_first == NULL || vm->cover == NULL || vm->live == NULL) {
        return CLASCONV_ERR_MEMORY;
    }
    for (i = 0; i < CLASCONV_GRID_MAX_COLS; i++) {
        vm->cover[i] = VMERGE_NO_COL;
    }
    vm->nlive = 0;
    return CLASCONV_OK;
}

static void vmerge_free(vmerge_table *vm)
{
    free(vm->by_first);
    free(vm->cover);
    free(vm->live);
}

/* Closes the open merge starting at column `first`: adds it to the sheet. */
static clasconv_error close_vmerge(docx_parse *p, uint16_t first)
{
    vmerge_table *vm = &p->t->vm;
    vmerge m = vm->by_first[first];
    uint16_t moved;
    uint32_t c;

    for (c = first; c <= m.last_col; c++) {
        vm->cover[c] = VMERGE_NO_COL;
    }
    moved = vm->live[--vm->nlive];
    vm->live[m.live_pos] = moved;
    vm->by_first[moved].live_pos = m.live_pos;
    return add_merge(p, m.first_row, first, m.last_row, m.last_col);
}

/* Closes the open merges covering any column of [col, last_col]. */
static clasconv_error close_vmerges_over(docx_parse *p, uint64_t col,
                                         uint64_t last_col)
{
    clasconv_error err;
    uint64_t c;

    if (p->t->vm.cover == NULL || p->t->vm.nlive == 0) {
        return CLASCONV_OK;
    }
    for (c = col; c <= last_col; c++) {
        if (p->t->vm.cover[c] != VMERGE_NO_COL) {
            err = close_vmerge(p, p->t->vm.cover[c]);
            if (err != CLASCONV_OK) {
                return err;
            }
        }
    }
    return CLASCONV_OK;
}

/* Closes the open merges last continued above `row` (row < 0: all). The
 * ones left open were continued by a cell of this row, so the walk costs
 * no more than the row's cells and the merges it closes. */
static clasconv_error close_vmerges_before(docx_parse *p, int64_t row)
{
    size_t i = 0;
    clasconv_error err;

    while (i < p->t->vm.nlive) {
        uint16_t first = p->t->vm.live[i];
        if (row >= 0 && (int64_t)p->t->vm.by_first[first].last_row >= row) {
            i++;
            continue;
        }
        err = close_vmerge(p, first); /* moves the last one to `i` */
        if (err != CLASCONV_OK) {
            return err;
        }
    }
    return CLASCONV_OK;
}

static clasconv_error end_cell(docx_parse *p)
{
    uint64_t last_col = p->t->cell_col + p->t->span - 1;
    const char *text = clasconv_text_str(&p->t->cell);
    clasconv_error err;

    p->t->in_tc = 0;
    if (p->t->cell_col >= CLASCONV_GRID_MAX_COLS) {
        if (!clasconv_text_is_blank(text, p->t->cell.len)) {
            return clasconv_zip_grid_failure(p->diag, CLASCONV_ERR_TOO_LARGE,
                                             p->t->sheet_name);
        }
        return CLASCONV_OK;
    }
    if (last_col >= CLASCONV_GRID_MAX_COLS) {
        last_col = CLASCONV_GRID_MAX_COLS - 1;
    }
    if (p->t->vmerge_state == VMERGE_CONTINUE) {
        if (p->t->vm.cover != NULL &&
            p->t->vm.cover[p->t->cell_col] == p->t->cell_col) {
            p->t->vm.by_first[p->t->cell_col].last_row = (uint32_t)p->t->row;
        }
        return CLASCONV_OK; /* else it continues nothing: an empty cell */
    }
    err = close_vmerges_over(p, p->t->cell_col, last_col);
    if (err != CLASCONV_OK) {
        return err;
    }
    err = clasconv_sheet_put_text(p->t->sheet, (uint32_t)p->t->row,
                                  (uint32_t)p->t->cell_col, text,
                                  p->t->cell.len, (uint32_t)p->t->row + 1,
                                  (uint32_t)p->t->cell_col + 1, 0);
    if (err != CLASCONV_OK) {
        return clasconv_zip_grid_failure(p->diag, err, p->t->sheet_name);
    }
    if (p->t->vmerge_state == VMERGE_RESTART) {
        vmerge *m;
        uint64_t c;

        err = vmerge_alloc(&p->t->vm);
        if (err != CLASCONV_OK) {
            return err;
        }
        m = &p->t->vm.by_first[p->t->cell_col];
        m->first_row = (uint32_t)p->t->row;
        m->last_row = (uint32_t)p->t->row;
        m->last_col = (uint16_t)last_col;
        m->live_pos = (uint16_t)p->t->vm.nlive;
        p->t->vm.live[p->t->vm.nlive++] = (uint16_t)p->t->cell_col;
        for (c = p->t->cell_col; c <= last_col; c++) {
            p->t->vm.cover[c] = (uint16_t)p->t->cell_col;
        }
        return CLASCONV_OK;
    }
    return add_merge(p, (uint32_t)p->t->row, (uint32_t)p->t->cell_col,
                     (uint32_t)p->t->row, (uint32_t)last_col);
}

/* Opens a table as a sheet: "tableau N" at the top level, "tableau N.K"
 * for the K-th table nested in the cells of table N (and so on down). */
static clasconv_error start_table(docx_parse *p)
{
    clasconv_error err = CLASCONV_OK;
    docx_level *parent = p->t;
    docx_level *t = &p->lv[p->depth];
    clasconv_text cell = t->cell;
    vmerge_table vm = t->vm;

    memset(t, 0, sizeof *t);
    t->cell = cell; /* buffers kept from the last table at this depth */
    clasconv_text_reset(&t->cell);
    t->vm = vm;
    if (parent != NULL) {
        err = clasconv_zip_nested_sheet(
            p->grid, parent->sheet_name, ++parent->children, p->tables,
            t->sheet_name, sizeof t->sheet_name, &t->sheet, p->diag);
        if (err != CLASCONV_OK) {
            return err;
        }
    } else {
        p->tables++;
        snprintf(t->sheet_name, sizeof t->sheet_name, "tableau %u", p->tables);
        t->sheet = clasconv_grid_add_sheet(p->grid, t->sheet_name,
                                           CLASCONV_REF_WORD, p->tables, &err);
        if (t->sheet == NULL) {
            return clasconv_zip_sheet_failure(p->diag, err, p->grid,
                                              t->sheet_name);
        }
    }
    t->row = -1;
    p->depth++;
    p->t = t;
    return CLASCONV_OK;
}

/* Closes the innermost open sheet table: its last vertical merges, then
 * back to the cell that holds it (if any). */
static clasconv_error end_table(docx_parse *p)
{
    clasconv_error err = close_vmerges_before(p, -1);

    p->t->sheet = NULL;
    p->t->in_tc = 0;
    p->depth--;
    p->t = p->depth > 0 ? &p->lv[p->depth - 1] : NULL;
    return err;
}

/* --- Handlers ---------------------------------------------------------- */

static int skipped_element(const char *name)
{
    static const char *const w_skipped[] = {"del",
                                            "moveFrom",
                                            "delText",
                                            "instrText",
                                            "txbxContent",
                                            "tcPrChange",
                                            "trPrChange",
                                            "tblPrChange",
                                            "pPrChange",
                                            "rPrChange",
                                            "sectPrChange",
                                            "cellDel",
                                            "footnoteReference",
                                            "commentReference"};
    size_t i;

    if (clasconv_xml_is(name, NS_MC, "Fallback")) {
        return 1; /* the same content as mc:Choice, for older readers */
    }
    for (i = 0; i < sizeof w_skipped / sizeof w_skipped[0]; i++) {
        if (w_is(name, w_skipped[i])) {
            return 1;
        }
    }
    return 0;
}

static clasconv_error para_char(docx_parse *p, const char *text)
{
    if (p->r_depth == 0) {
        return CLASCONV_OK; /* tab stops and breaks of paragraph props */
    }
    return clasconv_text_append(&p->para, text, strlen(text));
}

static clasconv_error docx_start(void *user, const char *name,
                                 const char **attrs)
{
    docx_parse *p = user;
    const char *local;

    if (!p->saw_root) {
        p->saw_root = 1;
        p->is_document = w_is(name, "document");
    }
    if (p->skip > 0 || skipped_element(name)) {
        p->skip++;
        return CLASCONV_OK;
    }
    if (!w_ns(name)) {
        return CLASCONV_OK;
    }
    local = clasconv_xml_local(name);
    if (strcmp(local, "p") == 0) {
        if (p->p_depth++ == 0) {
            clasconv_text_reset(&p->para);
        }
    } else if (strcmp(local, "r") == 0) {
        p->r_depth++;
    } else if (strcmp(local, "t") == 0) {
        p->in_t = 1;
    } else if (strcmp(local, "tab") == 0 || strcmp(local, "ptab") == 0) {
        return para_char(p, " ");
    } else if (strcmp(local, "br") == 0 || strcmp(local, "cr") == 0) {
        return para_char(p, "\n");
    } else if (strcmp(local, "noBreakHyphen") == 0) {
        return para_char(p, "-");
    } else if (strcmp(local, "tbl") == 0) {
        p->tbl_depth++;
        if (p->flat == 0 && p->depth < DOCX_MAX_NESTING &&
            (p->t == NULL || p->t->in_tc)) {
            return start_table(p);
        }
        p->flat++; /* too deep, or outside a cell: only its text counts */
    } else if (p->t == NULL || p->flat > 0) {
        return CLASCONV_OK;
    } else if (strcmp(local, "tr") == 0) {
        p->t->row++;
        p->t->col = 0;
        if (p->t->row >= (int64_t)CLASCONV_GRID_MAX_ROWS) {
            return clasconv_zip_grid_failure(p->diag, CLASCONV_ERR_TOO_LARGE,
                                             p->t->sheet_name);
        }
    } else if (strcmp(local, "trPr") == 0) {
        p->t->in_trpr = 1;
    } else if (strcmp(local, "gridBefore") == 0 && p->t->in_trpr &&
               !p->t->in_tc) {
        uint64_t before = parse_val(attrs, 0);
        p->t->col += before < DOCX_MAX_SPAN ? before : DOCX_MAX_SPAN;
    } else if (strcmp(local, "tc") == 0) {
        /* Every cell counts, continue and empty ones too, which the grid's
         * own cell limit does not see. */
        if (++p->cells_seen > DOCX_MAX_CELLS) {
            clasconv_diag_set(p->diag,
                              "Le fichier est trop grand pour être lu : ses "
                              "tableaux Word dépassent %u cellules (celui "
                              "des dispositifs en a quelques centaines). "
                              "Gardez seulement le tableau des dispositifs "
                              "et enregistrez le fichier à nouveau.",
                              DOCX_MAX_CELLS);
            return CLASCONV_ERR_TOO_LARGE;
        }
        p->t->in_tc = 1;
        p->t->cell_col = p->t->col;
        p->t->span = 1;
        p->t->vmerge_state = VMERGE_NONE;
        clasconv_text_reset(&p->t->cell);
    } else if (strcmp(local, "tcPr") == 0) {
        p->t->in_tcpr = 1;
    } else if (strcmp(local, "gridSpan") == 0 && p->t->in_tcpr) {
        uint64_t span = parse_val(attrs, 1);
        p->t->span = span < 1 ? 1 : span < DOCX_MAX_SPAN ? span : DOCX_MAX_SPAN;
    } else if (strcmp(local, "vMerge") == 0 && p->t->in_tcpr) {
        const char *val = w_attr(attrs, "val");
        p->t->vmerge_state = val != NULL && strcmp(val, "restart") == 0
                                 ? VMERGE_RESTART
                                 : VMERGE_CONTINUE;
    }
    return CLASCONV_OK;
}

static clasconv_error end_paragraph(docx_parse *p)
{
    const char *text = clasconv_text_str(&p->para);

    if (p->tbl_depth == 0) {
        return meta_paragraph(p);
    }
    if (p->t == NULL || !p->t->in_tc ||
        clasconv_text_is_blank(text, p->para.len)) {
        return CLASCONV_OK;
    }
    if (p->t->cell.len > 0) {
        clasconv_error err = clasconv_text_append(&p->t->cell, "\n", 1);
        if (err != CLASCONV_OK) {
            return err;
        }
    }
    return clasconv_text_append(&p->t->cell, text, p->para.len);
}

static clasconv_error docx_end(void *user, const char *name)
{
    docx_parse *p = user;
    const char *local;
    clasconv_error err;

    if (p->skip > 0) {
        p->skip--;
        return CLASCONV_OK;
    }
    if (!w_ns(name)) {
        return CLASCONV_OK;
    }
    local = clasconv_xml_local(name);
    if (strcmp(local, "p") == 0) {
        if (p->p_depth > 0 && --p->p_depth == 0) {
            return end_paragraph(p);
        }
    } else if (strcmp(local, "r") == 0) {
        if (p->r_depth > 0) {
            p->r_depth--;
        }
    } else if (strcmp(local, "t") == 0) {
        p->in_t = 0;
    } else if (strcmp(local, "tbl") == 0) {
        if (p->tbl_depth > 0) {
            p->tbl_depth--;
            if (p->flat > 0) {
                p->flat--;
            } else if (p->t != NULL) {
                return end_table(p);
            }
        }
    } else if (p->t == NULL || p->flat > 0) {
        return CLASCONV_OK;
    } else if (strcmp(local, "tc") == 0) {
        if (p->t->in_tc) {
            err = end_cell(p);
            p->t->col += p->t->span;
            return err;
        }
    } else if (strcmp(local, "tcPr") == 0) {
        p->t->in_tcpr = 0;
    } else if (strcmp(local, "trPr") == 0) {
        p->t->in_trpr = 0;
    } else if (strcmp(local, "tr") == 0) {
        /* Merges not continued in this row end above it. */
        return close_vmerges_before(p, p->t->row);
    }
    return CLASCONV_OK;
}

static clasconv_error docx_text(void *user, const char *text, size_t len)
{
    docx_parse *p = user;

    if (p->skip == 0 && p->in_t && p->p_depth > 0) {
        return clasconv_text_append(&p->para, text, len);
    }
    return CLASCONV_OK;
}

static clasconv_error not_a_document(clasconv_diag *diag)
{
    clasconv_diag_set(diag, "Ce fichier n'est pas un document Word (.docx) "
                            "lisible : son texte principal est absent. "
                            "Ouvrez-le dans Word ou LibreOffice et "
                            "enregistrez-le à nouveau au format .docx.");
    return CLASCONV_ERR_FORMAT;
}

clasconv_error clasconv_read_docx(const clasconv_input *in, clasconv_grid *grid,
                                  clasconv_diag *diag)
{
    clasconv_zip *zip = NULL;
    docx_parse p;
    clasconv_xml_handler handler;
    char main_part[DOCX_PATH_MAX];
    clasconv_error err;

    err = clasconv_zip_open(in->data, in->size, &zip, diag);
    if (err != CLASCONV_OK) {
        return err;
    }
    err = clasconv_zip_rel_target(zip, "_rels/.rels", "", "/officeDocument",
                                  main_part, sizeof main_part, diag);
    if (err == CLASCONV_OK &&
        (main_part[0] == '\0' || !clasconv_zip_has(zip, main_part))) {
        strcpy(main_part, "word/document.xml");
    }
    if (err == CLASCONV_OK && !clasconv_zip_has(zip, main_part)) {
        clasconv_diag_set(diag, "Ce fichier n'est pas un document Word (.docx) "
                                "lisible : son texte principal est absent. "
                                "Ouvrez-le dans Word ou LibreOffice et "
                                "enregistrez-le à nouveau au format .docx.");
        err = CLASCONV_ERR_FORMAT;
    }
    if (err != CLASCONV_OK) {
        clasconv_zip_free(zip);
        return err;
    }
    memset(&p, 0, sizeof p);
    p.grid = grid;
    p.diag = diag;
    for (size_t i = 0; i < DOCX_MAX_NESTING; i++) {
        p.lv[i].cell.limit = CLASCONV_GRID_MAX_CELL_TEXT;
    }
    p.para.limit = CLASCONV_GRID_MAX_CELL_TEXT;
    memset(&handler, 0, sizeof handler);
    handler.start = docx_start;
    handler.end = docx_end;
    handler.text = docx_text;
    handler.user = &p;
    err = clasconv_zip_parse_xml(zip, main_part, &handler, diag);
    if (err == CLASCONV_OK && !p.is_document) {
        err = not_a_document(diag);
    }
    if (err == CLASCONV_OK) {
        err = clasconv_grid_finish(grid);
    }
    if (err == CLASCONV_ERR_MEMORY) {
        clasconv_diag_set(diag, "Mémoire insuffisante pour lire le fichier.");
    }
    for (size_t i = 0; i < DOCX_MAX_NESTING; i++) {
        clasconv_text_free(&p.lv[i].cell);
        vmerge_free(&p.lv[i].vm);
    }
    clasconv_text_free(&p.para);
    clasconv_zip_free(zip);
    return err;
}

clasconv_error clasconv_form_meta_paragraph(clasconv_grid *grid, int *pending,
                                            clasconv_text *para)
{
    docx_parse p;
    clasconv_error err;

    memset(&p, 0, sizeof p);
    p.grid = grid;
    p.territory_pending = *pending;
    p.para = *para;
    err = meta_paragraph(&p);
    *para = p.para;
    *pending = p.territory_pending;
    return err;
}
