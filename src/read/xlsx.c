/* xlsx.c: the XLSX reader (Office Open XML workbooks) into the grid. */
#include "clasconv/read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read/zipxml.h"
#include "core/grow.h"

#define XLSX_PATH_MAX 1100u
#define XLSX_MAX_RELS CLASCONV_ZIP_MAX_ENTRIES
/*
 * Shared strings amplify: a 30-byte cell can copy a 32 KB string. Bytes
 * copied by second and later uses of a string are counted, and a file
 * beyond this many is refused as hostile.
 */
#define XLSX_MAX_REUSED_TEXT ((size_t)16 << 20)

typedef struct xlsx_rel {
    char *id;
    char *target; /* resolved part name */
    int worksheet;
} xlsx_rel;

typedef struct xlsx_sheet_ref {
    char *name;
    char *rel_id;
} xlsx_sheet_ref;

/* Shared strings: one byte pool and the offset of each string. */
typedef struct xlsx_strings {
    char *pool;
    size_t pool_len;
    size_t pool_cap;
    uint32_t *offsets;
    size_t count;
    size_t cap;
    unsigned char *used; /* one bit per string */
    size_t reused;       /* bytes copied by repeated uses */
} xlsx_strings;

typedef struct xlsx_book {
    clasconv_zip *zip;
    clasconv_grid *grid;
    clasconv_diag *diag;
    char workbook[XLSX_PATH_MAX];
    char strings_part[XLSX_PATH_MAX];
    xlsx_rel *rels;
    size_t nrels, rels_cap;
    xlsx_sheet_ref *sheets;
    size_t nsheets, sheets_cap;
    xlsx_strings strings;
    int saw_root;    /* the workbook part's root element was seen */
    int is_workbook; /* ... and it is <workbook> */
} xlsx_book;

/* --- Small helpers ----------------------------------------------------- */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Decodes OOXML `_xHHHH_` escapes in place; returns the new length. */
static size_t decode_escapes(char *text, size_t len)
{
    size_t in = 0;
    size_t out = 0;

    while (in < len) {
        if (text[in] == '_' && len - in >= 7 && text[in + 1] == 'x' &&
            text[in + 6] == '_') {
            int h0 = hex_value(text[in + 2]);
            int h1 = hex_value(text[in + 3]);
            int h2 = hex_value(text[in + 4]);
            int h3 = hex_value(text[in + 5]);
            if (h0 >= 0 && h1 >= 0 && h2 >= 0 && h3 >= 0) {
                unsigned cp = (unsigned)(h0 << 12 | h1 << 8 | h2 << 4 | h3);
                if (cp != 0 && (cp < 0xD800u || cp > 0xDFFFu)) {
                    if (cp < 0x80u) {
                        text[out++] = (char)cp;
                    } else if (cp < 0x800u) {
                        text[out++] = (char)(0xC0u | cp >> 6);
                        text[out++] = (char)(0x80u | (cp & 0x3Fu));
                    } else {
                        text[out++] = (char)(0xE0u | cp >> 12);
                        text[out++] = (char)(0x80u | (cp >> 6 & 0x3Fu));
                        text[out++] = (char)(0x80u | (cp & 0x3Fu));
                    }
                    in += 7;
                    continue;
                }
            }
        }
        text[out++] = text[in++];
    }
    if (out < len) {
        text[out] = '\0';
    }
    return out;
}

/* Parses a cell reference "C7" (0-based row/col). Returns 0 if invalid. */
static int parse_ref(const char *ref, uint64_t *row, uint64_t *col,
                     const char **end)
{
    uint64_t c = 0;
    uint64_t r = 0;
    int letters = 0;
    int digits = 0;
    const char *p = ref;

    if (*p == '$') {
        p++;
    }
    for (; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'); p++) {
        int v = (*p >= 'a' ? *p - 'a' : *p - 'A') + 1;
        if (++letters > 4) {
            return 0;
        }
        c = c * 26u + (uint64_t)v;
    }
    if (*p == '$') {
        p++;
    }
    for (; *p >= '0' && *p <= '9'; p++) {
        if (++digits > 10) {
            return 0;
        }
        r = r * 10u + (uint64_t)(*p - '0');
    }
    if (letters == 0 || digits == 0 || r == 0) {
        return 0;
    }
    *row = r - 1;
    *col = c - 1;
    if (end != NULL) {
        *end = p;
    }
    return 1;
}

static int parse_uint(const char *text, uint64_t *value)
{
    uint64_t v = 0;
    int digits = 0;

    while (*text == ' ') {
        text++;
    }
    for (; *text >= '0' && *text <= '9'; text++) {
        if (++digits > 12) {
            return 0;
        }
        v = v * 10u + (uint64_t)(*text - '0');
    }
    while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r') {
        text++;
    }
    if (digits == 0 || *text != '\0') {
        return 0;
    }
    *value = v;
    return 1;
}

static const char *rel_target_of(const xlsx_book *book, const char *id,
                                 int *worksheet)
{
    size_t i;

    for (i = 0; i < book->nrels; i++) {
        if (strcmp(book->rels[i].id, id) == 0) {
            *worksheet = book->rels[i].worksheet;
            return book->rels[i].target;
        }
    }
    return NULL;
}

/* --- Workbook relationships ------------------------------------------- */

static clasconv_error rels_start(void *user, const char *name,
                                 const char **attrs)
{
    xlsx_book *book = user;
    const char *id;
    const char *type;
    const char *target;
    const char *mode;
    char resolved[XLSX_PATH_MAX];
    xlsx_rel *rel;

    if (!clasconv_xml_is(name, NULL, "Relationship")) {
        return CLASCONV_OK;
    }
    id = clasconv_xml_attr(attrs, "Id");
    type = clasconv_xml_attr(attrs, "Type");
    target = clasconv_xml_attr(attrs, "Target");
    mode = clasconv_xml_attr(attrs, "TargetMode");
    if (id == NULL || type == NULL || target == NULL ||
        (mode != NULL && strcmp(mode, "External") == 0) ||
        !clasconv_zip_resolve(book->workbook, target, resolved,
                              sizeof resolved)) {
        return CLASCONV_OK;
    }
    if (book->nrels >= XLSX_MAX_RELS) {
        return CLASCONV_OK;
    }
    if (clasconv_grow((void **)&book->rels, &book->rels_cap, book->nrels + 1,
                      sizeof *book->rels, XLSX_MAX_RELS)) {
        return CLASCONV_ERR_MEMORY;
    }
    rel = &book->rels[book->nrels];
    rel->id = strdup(id);
    rel->target = strdup(resolved);
    rel->worksheet = clasconv_str_ends_with(type, "/worksheet");
    if (clasconv_str_ends_with(type, "/sharedStrings") &&
        book->strings_part[0] == '\0') {
        strcpy(book->strings_part, resolved);
    }
    if (rel->id == NULL || rel->target == NULL) {
        free(rel->id);
        free(rel->target);
        return CLASCONV_ERR_MEMORY;
    }
    book->nrels++;
    return CLASCONV_OK;
}

/* --- Workbook: sheet names --------------------------------------------- */

static clasconv_error workbook_start(void *user, const char *name,
                                     const char **attrs)
{
    xlsx_book *book = user;
    const char *sheet_name;
    const char *rel_id;
    xlsx_sheet_ref *sheet;

    if (!book->saw_root) {
        book->saw_root = 1;
        book->is_workbook = clasconv_xml_is(name, NULL, "workbook");
    }
    if (!clasconv_xml_is(name, NULL, "sheet")) {
        return CLASCONV_OK;
    }
    sheet_name = clasconv_xml_attr(attrs, "name");
    rel_id = clasconv_xml_attr_ns(attrs, "relationships", "id");
    if (sheet_name == NULL || rel_id == NULL) {
        return CLASCONV_OK;
    }
    if (book->nsheets >= CLASCONV_GRID_MAX_SHEETS) {
        return clasconv_zip_too_many_sheets(book->diag);
    }
    if (clasconv_grow((void **)&book->sheets, &book->sheets_cap,
                      book->nsheets + 1, sizeof *book->sheets,
                      CLASCONV_GRID_MAX_SHEETS)) {
        return CLASCONV_ERR_MEMORY;
    }
    sheet = &book->sheets[book->nsheets];
    sheet->name = strdup(sheet_name);
    sheet->rel_id = strdup(rel_id);
    if (sheet->name == NULL || sheet->rel_id == NULL) {
        free(sheet->name);
        free(sheet->rel_id);
        return CLASCONV_ERR_MEMORY;
    }
    book->nsheets++;
    return CLASCONV_OK;
}

/* --- Shared strings ---------------------------------------------------- */

typedef struct sst_parse {
    xlsx_book *book;
    clasconv_text text;
    int in_si;
    int in_t;
    unsigned phonetic; /* depth inside <rPh> */
} sst_parse;

static clasconv_error strings_add(xlsx_book *book, clasconv_text *text)
{
    xlsx_strings *s = &book->strings;
    size_t len;

    clasconv_text_str(text); /* drops a character cut by the limit */
    len = decode_escapes(text->data, text->len);
    if (s->count >= CLASCONV_GRID_MAX_CELLS ||
        len + 1 > CLASCONV_GRID_MAX_TEXT - s->pool_len) {
        return clasconv_zip_grid_failure(book->diag, CLASCONV_ERR_TOO_LARGE,
                                         "sharedStrings");
    }
    if (clasconv_grow((void **)&s->offsets, &s->cap, s->count + 1,
                      sizeof *s->offsets, SIZE_MAX) ||
        clasconv_grow((void **)&s->pool, &s->pool_cap, s->pool_len + len + 1, 1,
                      SIZE_MAX)) {
        return CLASCONV_ERR_MEMORY;
    }
    if (len > 0) {
        memcpy(s->pool + s->pool_len, text->data, len);
    }
    s->pool[s->pool_len + len] = '\0';
    s->offsets[s->count++] = (uint32_t)s->pool_len;
    s->pool_len += len + 1;
    return CLASCONV_OK;
}

static clasconv_error sst_start(void *user, const char *name,
                                const char **attrs)
{
    sst_parse *p = user;
    const char *local = clasconv_xml_local(name);
    (void)attrs;

    if (strcmp(local, "si") == 0) {
        p->in_si = 1;
        p->in_t = 0;
        p->phonetic = 0;
        clasconv_text_reset(&p->text);
    } else if (strcmp(local, "rPh") == 0) {
        p->phonetic++;
    } else if (strcmp(local, "t") == 0 && p->in_si && p->phonetic == 0) {
        p->in_t = 1;
    }
    return CLASCONV_OK;
}

static clasconv_error sst_end(void *user, const char *name)
{
    sst_parse *p = user;
    const char *local = clasconv_xml_local(name);

    if (strcmp(local, "si") == 0 && p->in_si) {
        p->in_si = 0;
        return strings_add(p->book, &p->text);
    }
    if (strcmp(local, "rPh") == 0 && p->phonetic > 0) {
        p->phonetic--;
    } else if (strcmp(local, "t") == 0) {
        p->in_t = 0;
    }
    return CLASCONV_OK;
}

static clasconv_error sst_text(void *user, const char *text, size_t len)
{
    sst_parse *p = user;

    if (p->in_t && p->phonetic == 0) {
        return clasconv_text_append(&p->text, text, len);
    }
    return CLASCONV_OK;
}

static clasconv_error read_strings(xlsx_book *book, const char *part)
{
    sst_parse p;
    clasconv_xml_handler handler;
    clasconv_error err;

    memset(&p, 0, sizeof p);
    p.book = book;
    p.text.limit = CLASCONV_GRID_MAX_CELL_TEXT;
    memset(&handler, 0, sizeof handler);
    handler.start = sst_start;
    handler.end = sst_end;
    handler.text = sst_text;
    handler.user = &p;
    err = clasconv_zip_parse_xml(book->zip, part, &handler, book->diag);
    clasconv_text_free(&p.text);
    return err;
}

/* --- Worksheets -------------------------------------------------------- */

typedef enum cell_kind {
    KIND_NUMBER,
    KIND_SHARED,
    KIND_INLINE,
    KIND_STR,
    KIND_BOOL,
    KIND_ERROR,
    KIND_DATE
} cell_kind;

typedef struct sheet_parse {
    xlsx_book *book;
    clasconv_sheet *sheet;
    const char *name;
    int in_data; /* inside <sheetData> */
    int64_t row; /* current row (0-based), -1 before the first */
    int64_t col; /* last cell's column, -1 at a row's start */
    int in_cell;
    uint64_t cell_row;
    uint64_t cell_col;
    cell_kind kind;
    int formula;
    int in_v;
    int in_is;
    int in_t;
    unsigned phonetic;
    clasconv_text value;       /* <v> */
    clasconv_text inline_text; /* <is> */
} sheet_parse;

static cell_kind kind_of(const char *t)
{
    if (t == NULL || strcmp(t, "n") == 0) {
        return KIND_NUMBER;
    }
    if (strcmp(t, "s") == 0) {
        return KIND_SHARED;
    }
    if (strcmp(t, "inlineStr") == 0) {
        return KIND_INLINE;
    }
    if (strcmp(t, "str") == 0) {
        return KIND_STR;
    }
    if (strcmp(t, "b") == 0) {
        return KIND_BOOL;
    }
    if (strcmp(t, "e") == 0) {
        return KIND_ERROR;
    }
    if (strcmp(t, "d") == 0) {
        return KIND_DATE;
    }
    return KIND_NUMBER;
}

static clasconv_error put_text(sheet_parse *p, char *text, size_t len,
                               unsigned flags)
{
    clasconv_error err;

    len = decode_escapes(text, len);
    err =
        clasconv_sheet_put_text(p->sheet, (uint32_t)p->cell_row,
                                (uint32_t)p->cell_col, text, len, 0, 0, flags);
    if (err != CLASCONV_OK) {
        return clasconv_zip_grid_failure(p->book->diag, err, p->name);
    }
    return CLASCONV_OK;
}

/* Puts the finished cell into the grid. */
static clasconv_error emit_cell(sheet_parse *p)
{
    unsigned flags = p->formula ? CLASCONV_CELL_FORMULA : 0u;
    const char *v = clasconv_text_str(&p->value);
    xlsx_strings *strings = &p->book->strings;
    uint64_t index;
    double number;
    clasconv_error err = CLASCONV_OK;

    if (p->kind != KIND_INLINE && p->value.len == 0) {
        return CLASCONV_OK; /* no value (empty or uncalculated formula) */
    }
    if (p->cell_row >= CLASCONV_GRID_MAX_ROWS ||
        p->cell_col >= CLASCONV_GRID_MAX_COLS) {
        return clasconv_zip_grid_failure(p->book->diag, CLASCONV_ERR_TOO_LARGE,
                                         p->name);
    }
    switch (p->kind) {
    case KIND_SHARED:
        if (!parse_uint(v, &index) || index >= strings->count) {
            clasconv_diag_set(p->book->diag,
                              "%sla feuille « %.100s » renvoie à un texte "
                              "partagé qui n'existe pas.%s",
                              CLASCONV_ZIP_DAMAGED, p->name,
                              CLASCONV_ZIP_RESAVE);
            return CLASCONV_ERR_FORMAT;
        }
        {
            const char *s = strings->pool + strings->offsets[index];
            size_t len = strlen(s);
            unsigned char bit = (unsigned char)(1u << (index & 7u));
            if ((strings->used[index >> 3] & bit) != 0) {
                strings->reused += len;
                if (strings->reused > XLSX_MAX_REUSED_TEXT) {
                    clasconv_diag_set(p->book->diag,
                                      "%sla feuille « %.100s » répète des "
                                      "textes partagés un nombre démesuré "
                                      "de fois.%s",
                                      CLASCONV_ZIP_DAMAGED, p->name,
                                      CLASCONV_ZIP_RESAVE);
                    return CLASCONV_ERR_TOO_LARGE;
                }
            }
            strings->used[index >> 3] |= bit;
            err = clasconv_sheet_put_text(p->sheet, (uint32_t)p->cell_row,
                                          (uint32_t)p->cell_col, s, len, 0, 0,
                                          flags);
            if (err != CLASCONV_OK) {
                return clasconv_zip_grid_failure(p->book->diag, err, p->name);
            }
        }
        return CLASCONV_OK;
    case KIND_INLINE:
        clasconv_text_str(&p->inline_text);
        return put_text(p, p->inline_text.data, p->inline_text.len, flags);
    case KIND_STR:
        return put_text(p, p->value.data, p->value.len, flags);
    case KIND_ERROR:
        return put_text(p, p->value.data, p->value.len,
                        flags | CLASCONV_CELL_ERROR);
    case KIND_DATE:
        return put_text(p, p->value.data, p->value.len,
                        flags | CLASCONV_CELL_DATE);
    case KIND_BOOL:
        if (!clasconv_xml_number(v, &number)) {
            number = strstr(v, "true") != NULL ? 1.0 : 0.0;
        }
        err = clasconv_sheet_put_number(
            p->sheet, (uint32_t)p->cell_row, (uint32_t)p->cell_col,
            number != 0.0 ? 1.0 : 0.0, flags | CLASCONV_CELL_BOOLEAN);
        break;
    case KIND_NUMBER:
        if (!clasconv_xml_number(v, &number)) {
            /* Not a number after all: keep what was written. */
            return put_text(p, p->value.data, p->value.len, flags);
        }
        err = clasconv_sheet_put_number(p->sheet, (uint32_t)p->cell_row,
                                        (uint32_t)p->cell_col, number, flags);
        break;
    }
    if (err != CLASCONV_OK) {
        return clasconv_zip_grid_failure(p->book->diag, err, p->name);
    }
    return CLASCONV_OK;
}

static clasconv_error add_merge(sheet_parse *p, const char *ref)
{
    uint64_t r1, c1, r2, c2;
    const char *end;

    if (ref == NULL || !parse_ref(ref, &r1, &c1, &end) || *end != ':' ||
        !parse_ref(end + 1, &r2, &c2, &end) || *end != '\0') {
        return CLASCONV_OK; /* a malformed range merges nothing */
    }
    if (r2 < r1 || c2 < c1 || r2 >= CLASCONV_GRID_MAX_ROWS ||
        c2 >= CLASCONV_GRID_MAX_COLS || (r1 == r2 && c1 == c2)) {
        return CLASCONV_OK;
    }
    return clasconv_zip_add_merge(p->sheet, p->name, (uint32_t)r1, (uint32_t)c1,
                                  (uint32_t)r2, (uint32_t)c2, p->book->diag);
}

static clasconv_error sheet_start(void *user, const char *name,
                                  const char **attrs)
{
    sheet_parse *p = user;
    const char *local = clasconv_xml_local(name);
    uint64_t row;
    uint64_t col;
    const char *ref;
    const char *end;

    if (strcmp(local, "sheetData") == 0) {
        p->in_data = 1;
    } else if (strcmp(local, "mergeCell") == 0) {
        return add_merge(p, clasconv_xml_attr(attrs, "ref"));
    } else if (!p->in_data) {
        return CLASCONV_OK;
    } else if (strcmp(local, "row") == 0) {
        ref = clasconv_xml_attr(attrs, "r");
        if (ref != NULL && parse_uint(ref, &row) && row >= 1 &&
            row <= CLASCONV_GRID_MAX_ROWS) {
            p->row = (int64_t)row - 1;
        } else {
            p->row++;
        }
        p->col = -1;
    } else if (strcmp(local, "c") == 0) {
        ref = clasconv_xml_attr(attrs, "r");
        if (ref != NULL && parse_ref(ref, &row, &col, &end) && *end == '\0') {
            p->cell_row = row;
            p->cell_col = col;
        } else {
            p->cell_row = p->row < 0 ? 0 : (uint64_t)p->row;
            p->cell_col = (uint64_t)(p->col + 1);
        }
        if (p->cell_col < ((uint64_t)1 << 40)) {
            p->col = (int64_t)p->cell_col;
        }
        p->in_cell = 1;
        p->kind = kind_of(clasconv_xml_attr(attrs, "t"));
        p->formula = 0;
        p->in_v = 0;
        p->in_is = 0;
        p->in_t = 0;
        p->phonetic = 0;
        clasconv_text_reset(&p->value);
        clasconv_text_reset(&p->inline_text);
    } else if (!p->in_cell) {
        return CLASCONV_OK;
    } else if (strcmp(local, "f") == 0) {
        p->formula = 1;
    } else if (strcmp(local, "v") == 0) {
        p->in_v = 1;
    } else if (strcmp(local, "is") == 0) {
        p->in_is = 1;
    } else if (strcmp(local, "rPh") == 0) {
        p->phonetic++;
    } else if (strcmp(local, "t") == 0 && p->in_is && p->phonetic == 0) {
        p->in_t = 1;
    }
    return CLASCONV_OK;
}

static clasconv_error sheet_end(void *user, const char *name)
{
    sheet_parse *p = user;
    const char *local = clasconv_xml_local(name);

    if (strcmp(local, "sheetData") == 0) {
        p->in_data = 0;
    } else if (!p->in_cell) {
        return CLASCONV_OK;
    } else if (strcmp(local, "c") == 0) {
        p->in_cell = 0;
        return emit_cell(p);
    } else if (strcmp(local, "v") == 0) {
        p->in_v = 0;
    } else if (strcmp(local, "is") == 0) {
        p->in_is = 0;
    } else if (strcmp(local, "rPh") == 0 && p->phonetic > 0) {
        p->phonetic--;
    } else if (strcmp(local, "t") == 0) {
        p->in_t = 0;
    }
    return CLASCONV_OK;
}

static clasconv_error sheet_text(void *user, const char *text, size_t len)
{
    sheet_parse *p = user;

    if (p->in_v) {
        return clasconv_text_append(&p->value, text, len);
    }
    if (p->in_t && p->phonetic == 0) {
        return clasconv_text_append(&p->inline_text, text, len);
    }
    return CLASCONV_OK;
}

static clasconv_error read_sheet(xlsx_book *book, const char *name,
                                 const char *part)
{
    sheet_parse p;
    clasconv_xml_handler handler;
    clasconv_error err = CLASCONV_OK;

    memset(&p, 0, sizeof p);
    p.book = book;
    p.name = name;
    p.row = -1;
    p.col = -1;
    p.value.limit = CLASCONV_GRID_MAX_CELL_TEXT;
    p.inline_text.limit = CLASCONV_GRID_MAX_CELL_TEXT;
    p.sheet =
        clasconv_grid_add_sheet(book->grid, name, CLASCONV_REF_SHEET, 0, &err);
    if (p.sheet == NULL) {
        return clasconv_zip_sheet_failure(book->diag, err, book->grid, name);
    }
    memset(&handler, 0, sizeof handler);
    handler.start = sheet_start;
    handler.end = sheet_end;
    handler.text = sheet_text;
    handler.user = &p;
    err = clasconv_zip_parse_xml(book->zip, part, &handler, book->diag);
    clasconv_text_free(&p.value);
    clasconv_text_free(&p.inline_text);
    return err;
}

/* --- The workbook ------------------------------------------------------ */

static clasconv_error parse_part(xlsx_book *book, const char *part,
                                 clasconv_error (*start)(void *, const char *,
                                                         const char **))
{
    clasconv_xml_handler handler;

    memset(&handler, 0, sizeof handler);
    handler.start = start;
    handler.user = book;
    return clasconv_zip_parse_xml(book->zip, part, &handler, book->diag);
}

static clasconv_error not_a_workbook(xlsx_book *book)
{
    clasconv_diag_set(book->diag,
                      "Ce fichier n'est pas un classeur Excel (.xlsx) "
                      "lisible : sa partie « classeur » est absente. "
                      "Ouvrez-le dans Excel ou LibreOffice et "
                      "enregistrez-le au format .xlsx.");
    return CLASCONV_ERR_FORMAT;
}

static clasconv_error read_book(xlsx_book *book)
{
    char rels[XLSX_PATH_MAX + 16];
    const char *slash;
    size_t dir_len;
    size_t i;
    clasconv_error err;

    err = clasconv_zip_rel_target(book->zip, "_rels/.rels", "",
                                  "/officeDocument", book->workbook,
                                  sizeof book->workbook, book->diag);
    if (err != CLASCONV_OK) {
        return err;
    }
    if (book->workbook[0] == '\0' ||
        !clasconv_zip_has(book->zip, book->workbook)) {
        strcpy(book->workbook, "xl/workbook.xml");
    }
    if (!clasconv_zip_has(book->zip, book->workbook)) {
        return not_a_workbook(book);
    }
    /* xl/workbook.xml -> xl/_rels/workbook.xml.rels */
    slash = strrchr(book->workbook, '/');
    dir_len = slash != NULL ? (size_t)(slash - book->workbook) + 1 : 0;
    memcpy(rels, book->workbook, dir_len);
    snprintf(rels + dir_len, sizeof rels - dir_len, "_rels/%s.rels",
             book->workbook + dir_len);
    if (clasconv_zip_has(book->zip, rels)) {
        err = parse_part(book, rels, rels_start);
        if (err != CLASCONV_OK) {
            return err;
        }
    }
    err = parse_part(book, book->workbook, workbook_start);
    if (err != CLASCONV_OK) {
        return err;
    }
    if (!book->is_workbook) {
        return not_a_workbook(book);
    }
    if (book->strings_part[0] == '\0') {
        /* No relationship: the usual name, when present. */
        snprintf(book->strings_part, sizeof book->strings_part,
                 "%.*ssharedStrings.xml", (int)dir_len, book->workbook);
    }
    if (clasconv_zip_has(book->zip, book->strings_part)) {
        err = read_strings(book, book->strings_part);
        if (err != CLASCONV_OK) {
            return err;
        }
    }
    book->strings.used = calloc(book->strings.count / 8 + 1, 1);
    if (book->strings.used == NULL) {
        return CLASCONV_ERR_MEMORY;
    }
    for (i = 0; i < book->nsheets; i++) {
        int worksheet = 0;
        const char *part =
            rel_target_of(book, book->sheets[i].rel_id, &worksheet);
        if (part == NULL || !worksheet) {
            continue; /* chart sheets, dialog sheets, dangling ids */
        }
        err = read_sheet(book, book->sheets[i].name, part);
        if (err != CLASCONV_OK) {
            return err;
        }
    }
    return clasconv_grid_finish(book->grid);
}

clasconv_error clasconv_read_xlsx(const clasconv_input *in, clasconv_grid *grid,
                                  clasconv_diag *diag)
{
    xlsx_book book;
    clasconv_error err;
    size_t i;

    memset(&book, 0, sizeof book);
    book.grid = grid;
    book.diag = diag;
    err = clasconv_zip_open(in->data, in->size, &book.zip, diag);
    if (err != CLASCONV_OK) {
        return err;
    }
    err = read_book(&book);
    if (err == CLASCONV_ERR_MEMORY) {
        clasconv_diag_set(diag, "Mémoire insuffisante pour lire le fichier.");
    }
    for (i = 0; i < book.nrels; i++) {
        free(book.rels[i].id);
        free(book.rels[i].target);
    }
    free(book.rels);
    for (i = 0; i < book.nsheets; i++) {
        free(book.sheets[i].name);
        free(book.sheets[i].rel_id);
    }
    free(book.sheets);
    free(book.strings.pool);
    free(book.strings.offsets);
    free(book.strings.used);
    clasconv_zip_free(book.zip);
    return err;
}
