/* grid.c: sparse cells with source positions, filled by readers. */
#include "clasconv/grid.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/grow.h"

#define ARENA_CHUNK 65536u

typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t used, size;
    char data[];
} arena_chunk;

typedef struct row_index {
    uint32_t row;
    uint32_t first; /* index of its first cell */
    uint32_t count;
} row_index;

struct clasconv_sheet {
    clasconv_grid *grid;
    char *name;
    clasconv_ref_kind kind;
    uint32_t table_no;
    clasconv_cell *cells;
    size_t ncells, cells_cap;
    clasconv_merge *merges;
    size_t nmerges, merges_cap;
    row_index *rows;
    size_t nrows;
    uint32_t ncols;
};

typedef struct meta_entry {
    char *key;
    char *value;
} meta_entry;

#define GRID_MAX_NOTES 16

typedef struct note_entry {
    int code;
    char *cell;
    char *message;
} note_entry;

struct clasconv_grid {
    clasconv_sheet **sheets;
    size_t nsheets, sheets_cap;
    arena_chunk *arena;
    size_t text_bytes;
    size_t total_cells;
    meta_entry *meta;
    size_t nmeta, meta_cap;
    char *encoding;
    int encoding_assumed;
    note_entry notes[GRID_MAX_NOTES];
    size_t nnotes;
};

clasconv_grid *clasconv_grid_new(void)
{
    return calloc(1, sizeof(clasconv_grid));
}

static void sheet_free(clasconv_sheet *sheet)
{
    if (!sheet)
        return;
    free(sheet->name);
    free(sheet->cells);
    free(sheet->merges);
    free(sheet->rows);
    free(sheet);
}

void clasconv_grid_free(clasconv_grid *grid)
{
    size_t i;
    arena_chunk *chunk, *next;

    if (!grid)
        return;
    for (i = 0; i < grid->nsheets; i++)
        sheet_free(grid->sheets[i]);
    free(grid->sheets);
    for (chunk = grid->arena; chunk; chunk = next) {
        next = chunk->next;
        free(chunk);
    }
    for (i = 0; i < grid->nmeta; i++) {
        free(grid->meta[i].key);
        free(grid->meta[i].value);
    }
    free(grid->meta);
    for (i = 0; i < grid->nnotes; i++) {
        free(grid->notes[i].cell);
        free(grid->notes[i].message);
    }
    free(grid->encoding);
    free(grid);
}

/* Room for one more item (core/grow.h); NULL when out of memory. */
static void *grow(void *items, size_t *cap, size_t count, size_t size)
{
    void *p = items;

    return clasconv_grow(&p, cap, count + 1, size, SIZE_MAX) == CLASCONV_OK
               ? p
               : NULL;
}

clasconv_sheet *clasconv_grid_add_sheet(clasconv_grid *grid, const char *name,
                                        clasconv_ref_kind kind,
                                        uint32_t table_no, clasconv_error *err)
{
    clasconv_sheet *sheet, **sheets;

    if (err)
        *err = CLASCONV_OK;
    if (grid->nsheets >= CLASCONV_GRID_MAX_SHEETS) {
        if (err)
            *err = CLASCONV_ERR_TOO_LARGE;
        return NULL;
    }
    sheets =
        grow(grid->sheets, &grid->sheets_cap, grid->nsheets, sizeof *sheets);
    sheet = sheets ? calloc(1, sizeof *sheet) : NULL;
    if (sheets)
        grid->sheets = sheets;
    if (sheet)
        sheet->name = strdup(name ? name : "");
    if (!sheet || !sheet->name) {
        sheet_free(sheet);
        if (err)
            *err = CLASCONV_ERR_MEMORY;
        return NULL;
    }
    sheet->grid = grid;
    sheet->kind = kind;
    sheet->table_no = table_no;
    grid->sheets[grid->nsheets++] = sheet;
    return sheet;
}

static char *arena_copy(clasconv_grid *grid, const char *text, size_t len)
{
    arena_chunk *chunk = grid->arena;
    char *dst;

    if (!chunk || chunk->size - chunk->used < len + 1) {
        size_t size = len + 1 > ARENA_CHUNK ? len + 1 : ARENA_CHUNK;
        arena_chunk *fresh = malloc(sizeof *fresh + size);
        if (!fresh)
            return NULL;
        fresh->used = 0;
        fresh->size = size;
        if (chunk && size > ARENA_CHUNK) {
            /* Keep filling the current chunk: put the big one behind. */
            fresh->next = chunk->next;
            chunk->next = fresh;
        } else {
            fresh->next = chunk;
            grid->arena = fresh;
        }
        chunk = fresh;
    }
    dst = chunk->data + chunk->used;
    memcpy(dst, text, len);
    dst[len] = '\0';
    chunk->used += len + 1;
    return dst;
}

static clasconv_cell *new_cell(clasconv_sheet *sheet, uint32_t row,
                               uint32_t col, clasconv_error *err)
{
    clasconv_cell *cells, *cell;

    if (row >= CLASCONV_GRID_MAX_ROWS || col >= CLASCONV_GRID_MAX_COLS ||
        sheet->grid->total_cells >= CLASCONV_GRID_MAX_CELLS) {
        *err = CLASCONV_ERR_TOO_LARGE;
        return NULL;
    }
    cells = grow(sheet->cells, &sheet->cells_cap, sheet->ncells, sizeof *cells);
    if (!cells) {
        *err = CLASCONV_ERR_MEMORY;
        return NULL;
    }
    sheet->cells = cells;
    cell = &cells[sheet->ncells++];
    memset(cell, 0, sizeof *cell);
    cell->row = row;
    cell->col = (uint16_t)col;
    sheet->grid->total_cells++;
    *err = CLASCONV_OK;
    return cell;
}

clasconv_error clasconv_sheet_put_text(clasconv_sheet *sheet, uint32_t row,
                                       uint32_t col, const char *text,
                                       size_t len, uint32_t line,
                                       uint32_t field, unsigned flags)
{
    clasconv_error err;
    clasconv_cell *cell;
    char *copy;

    if (!text || clasconv_text_is_blank(text, len))
        return CLASCONV_OK;
    if (len > CLASCONV_GRID_MAX_CELL_TEXT ||
        len > CLASCONV_GRID_MAX_TEXT - sheet->grid->text_bytes)
        return CLASCONV_ERR_TOO_LARGE;
    if (!clasconv_utf8_valid(text, len) || memchr(text, '\0', len))
        return CLASCONV_ERR_FORMAT;
    cell = new_cell(sheet, row, col, &err);
    if (!cell)
        return err;
    copy = arena_copy(sheet->grid, text, len);
    if (!copy) {
        sheet->ncells--;
        sheet->grid->total_cells--;
        return CLASCONV_ERR_MEMORY;
    }
    sheet->grid->text_bytes += len;
    cell->type = CLASCONV_CELL_TEXT;
    cell->flags = (uint8_t)flags;
    cell->line = line;
    cell->field = (uint16_t)(field <= UINT16_MAX ? field : 0);
    cell->v.text = copy;
    return CLASCONV_OK;
}

clasconv_error clasconv_sheet_put_number(clasconv_sheet *sheet, uint32_t row,
                                         uint32_t col, double value,
                                         unsigned flags)
{
    clasconv_error err;
    clasconv_cell *cell;

    if (!isfinite(value))
        return CLASCONV_ERR_FORMAT;
    cell = new_cell(sheet, row, col, &err);
    if (!cell)
        return err;
    cell->type = CLASCONV_CELL_NUMBER;
    cell->flags = (uint8_t)flags;
    cell->v.number = value;
    return CLASCONV_OK;
}

clasconv_error clasconv_sheet_add_merge(clasconv_sheet *sheet,
                                        clasconv_merge merge)
{
    clasconv_merge *merges;

    if (merge.first_row > merge.last_row || merge.first_col > merge.last_col)
        return CLASCONV_ERR_FORMAT;
    if (sheet->nmerges >= CLASCONV_GRID_MAX_MERGES)
        return CLASCONV_ERR_TOO_LARGE;
    merges =
        grow(sheet->merges, &sheet->merges_cap, sheet->nmerges, sizeof *merges);
    if (!merges)
        return CLASCONV_ERR_MEMORY;
    sheet->merges = merges;
    merges[sheet->nmerges++] = merge;
    return CLASCONV_OK;
}

clasconv_error clasconv_grid_set_meta(clasconv_grid *grid, const char *key,
                                      const char *value)
{
    meta_entry *meta;
    char *k, *v;

    if (grid->nmeta >= 1000)
        return CLASCONV_ERR_TOO_LARGE;
    meta = grow(grid->meta, &grid->meta_cap, grid->nmeta, sizeof *meta);
    if (!meta)
        return CLASCONV_ERR_MEMORY;
    grid->meta = meta;
    k = strdup(key);
    v = strdup(value);
    if (!k || !v) {
        free(k);
        free(v);
        return CLASCONV_ERR_MEMORY;
    }
    meta[grid->nmeta].key = k;
    meta[grid->nmeta].value = v;
    grid->nmeta++;
    return CLASCONV_OK;
}

clasconv_error clasconv_grid_add_note(clasconv_grid *grid, int code,
                                      const char *cell, const char *message)
{
    note_entry *note;

    if (grid->nnotes >= GRID_MAX_NOTES)
        return CLASCONV_ERR_TOO_LARGE;
    note = &grid->notes[grid->nnotes];
    note->code = code;
    note->cell = cell ? strdup(cell) : NULL;
    note->message = strdup(message);
    if ((cell && !note->cell) || !note->message) {
        free(note->cell);
        free(note->message);
        return CLASCONV_ERR_MEMORY;
    }
    grid->nnotes++;
    return CLASCONV_OK;
}

size_t clasconv_grid_note_count(const clasconv_grid *grid)
{
    return grid->nnotes;
}

void clasconv_grid_note(const clasconv_grid *grid, size_t index, int *code,
                        const char **cell, const char **message)
{
    const note_entry *note = index < grid->nnotes ? &grid->notes[index] : NULL;

    *code = note ? note->code : -1;
    *cell = note ? note->cell : NULL;
    *message = note ? note->message : NULL;
}

clasconv_error clasconv_grid_set_encoding(clasconv_grid *grid,
                                          const char *encoding, int assumed)
{
    char *copy = strdup(encoding);

    if (!copy)
        return CLASCONV_ERR_MEMORY;
    free(grid->encoding);
    grid->encoding = copy;
    grid->encoding_assumed = assumed;
    return CLASCONV_OK;
}

static int cell_before(const clasconv_cell *a, const clasconv_cell *b)
{
    return a->row < b->row || (a->row == b->row && a->col < b->col);
}

/* Stable merge sort: when a cell is put twice, the later one must win. */
static clasconv_error sort_cells(clasconv_sheet *sheet)
{
    size_t n = sheet->ncells, width, i;
    clasconv_cell *src = sheet->cells, *dst, *tmp;

    for (i = 1; i < n; i++)
        if (!cell_before(&src[i - 1], &src[i]))
            break;
    if (i >= n)
        return CLASCONV_OK;
    dst = malloc(n * sizeof *dst);
    if (!dst)
        return CLASCONV_ERR_MEMORY;
    for (width = 1; width < n; width *= 2) {
        for (i = 0; i < n; i += 2 * width) {
            size_t lo = i, mid = i + width < n ? i + width : n;
            size_t hi = i + 2 * width < n ? i + 2 * width : n;
            size_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi)
                dst[k++] = cell_before(&src[b], &src[a]) ? src[b++] : src[a++];
            while (a < mid)
                dst[k++] = src[a++];
            while (b < hi)
                dst[k++] = src[b++];
        }
        tmp = src;
        src = dst;
        dst = tmp;
    }
    if (src != sheet->cells) {
        free(sheet->cells);
        sheet->cells = src;
    } else {
        free(dst);
    }
    sheet->cells_cap = n;
    return CLASCONV_OK;
}

static clasconv_error sheet_finish(clasconv_sheet *sheet)
{
    size_t i, out = 0, nrows = 0;
    clasconv_error err = sort_cells(sheet);

    if (err)
        return err;
    /* Drop cells replaced by a later put at the same position. */
    for (i = 0; i < sheet->ncells; i++) {
        if (i + 1 < sheet->ncells &&
            sheet->cells[i].row == sheet->cells[i + 1].row &&
            sheet->cells[i].col == sheet->cells[i + 1].col)
            continue;
        sheet->cells[out++] = sheet->cells[i];
    }
    sheet->grid->total_cells -= sheet->ncells - out;
    sheet->ncells = out;
    free(sheet->rows);
    sheet->rows = NULL;
    sheet->nrows = 0;
    sheet->ncols = 0;
    for (i = 0; i < out; i++)
        if (i == 0 || sheet->cells[i].row != sheet->cells[i - 1].row)
            nrows++;
    if (nrows) {
        sheet->rows = malloc(nrows * sizeof *sheet->rows);
        if (!sheet->rows)
            return CLASCONV_ERR_MEMORY;
    }
    for (i = 0; i < out; i++) {
        const clasconv_cell *cell = &sheet->cells[i];
        if (i == 0 || cell->row != sheet->cells[i - 1].row) {
            sheet->rows[sheet->nrows].row = cell->row;
            sheet->rows[sheet->nrows].first = (uint32_t)i;
            sheet->rows[sheet->nrows].count = 0;
            sheet->nrows++;
        }
        sheet->rows[sheet->nrows - 1].count++;
        if ((uint32_t)cell->col + 1u > sheet->ncols)
            sheet->ncols = (uint32_t)cell->col + 1u;
    }
    return CLASCONV_OK;
}

clasconv_error clasconv_grid_finish(clasconv_grid *grid)
{
    size_t i;

    for (i = 0; i < grid->nsheets; i++) {
        clasconv_error err = sheet_finish(grid->sheets[i]);
        if (err)
            return err;
    }
    return CLASCONV_OK;
}

size_t clasconv_grid_sheet_count(const clasconv_grid *grid)
{
    return grid->nsheets;
}

const clasconv_sheet *clasconv_grid_sheet(const clasconv_grid *grid,
                                          size_t index)
{
    return index < grid->nsheets ? grid->sheets[index] : NULL;
}

size_t clasconv_grid_meta_count(const clasconv_grid *grid)
{
    return grid->nmeta;
}

void clasconv_grid_meta(const clasconv_grid *grid, size_t index,
                        const char **key, const char **value)
{
    *key = index < grid->nmeta ? grid->meta[index].key : NULL;
    *value = index < grid->nmeta ? grid->meta[index].value : NULL;
}

const char *clasconv_grid_encoding(const clasconv_grid *grid, int *assumed)
{
    if (assumed)
        *assumed = grid->encoding_assumed;
    return grid->encoding;
}

const char *clasconv_sheet_name(const clasconv_sheet *sheet)
{
    return sheet->name;
}

clasconv_ref_kind clasconv_sheet_ref_kind(const clasconv_sheet *sheet)
{
    return sheet->kind;
}

uint32_t clasconv_sheet_table_no(const clasconv_sheet *sheet)
{
    return sheet->table_no;
}

size_t clasconv_sheet_row_count(const clasconv_sheet *sheet)
{
    return sheet->nrows;
}

clasconv_row clasconv_sheet_row(const clasconv_sheet *sheet, size_t index)
{
    clasconv_row row = {0, 0, NULL};

    if (index < sheet->nrows) {
        row.row = sheet->rows[index].row;
        row.ncells = sheet->rows[index].count;
        row.cells = &sheet->cells[sheet->rows[index].first];
    }
    return row;
}

size_t clasconv_sheet_row_lower_bound(const clasconv_sheet *sheet, uint32_t row)
{
    size_t lo = 0, hi = sheet->nrows;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sheet->rows[mid].row < row)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const clasconv_cell *clasconv_sheet_get(const clasconv_sheet *sheet,
                                        uint32_t row, uint32_t col)
{
    size_t index = clasconv_sheet_row_lower_bound(sheet, row);
    const clasconv_cell *cells;
    size_t lo = 0, hi;

    if (index >= sheet->nrows || sheet->rows[index].row != row)
        return NULL;
    cells = &sheet->cells[sheet->rows[index].first];
    hi = sheet->rows[index].count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cells[mid].col < col)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < sheet->rows[index].count && cells[lo].col == col ? &cells[lo]
                                                                 : NULL;
}

uint32_t clasconv_sheet_col_count(const clasconv_sheet *sheet)
{
    return sheet->ncols;
}

size_t clasconv_sheet_merge_count(const clasconv_sheet *sheet)
{
    return sheet->nmerges;
}

const clasconv_merge *clasconv_sheet_merge(const clasconv_sheet *sheet,
                                           size_t index)
{
    return index < sheet->nmerges ? &sheet->merges[index] : NULL;
}

const clasconv_merge *clasconv_sheet_merge_at(const clasconv_sheet *sheet,
                                              uint32_t row, uint32_t col)
{
    size_t i;

    for (i = 0; i < sheet->nmerges; i++) {
        const clasconv_merge *m = &sheet->merges[i];
        if (row >= m->first_row && row <= m->last_row && col >= m->first_col &&
            col <= m->last_col)
            return m;
    }
    return NULL;
}

void clasconv_col_letters(uint32_t col, char *buf, size_t size)
{
    char tmp[8];
    size_t n = 0, i;
    uint64_t c = (uint64_t)col + 1;

    while (c > 0 && n < sizeof tmp) {
        c--;
        tmp[n++] = (char)('A' + c % 26);
        c /= 26;
    }
    if (!size)
        return;
    for (i = 0; i < n && i + 1 < size; i++)
        buf[i] = tmp[n - 1 - i];
    buf[i] = '\0';
}

void clasconv_sheet_ref(const clasconv_sheet *sheet, uint32_t row, uint32_t col,
                        char *buf, size_t size)
{
    const clasconv_cell *cell;
    char letters[8];

    switch (sheet->kind) {
    case CLASCONV_REF_CSV:
        cell = clasconv_sheet_get(sheet, row, col);
        if (cell && cell->line)
            snprintf(buf, size, "ligne %u, champ %u", cell->line,
                     cell->field ? cell->field : col + 1);
        else
            snprintf(buf, size, "ligne %u, champ %u", row + 1, col + 1);
        return;
    case CLASCONV_REF_WORD:
        /* the name: "tableau 2", or "tableau 2.1" for a nested table */
        snprintf(buf, size, "%s, ligne %u, colonne %u", sheet->name, row + 1,
                 col + 1);
        return;
    case CLASCONV_REF_SHEET:
        break;
    }
    clasconv_col_letters(col, letters, sizeof letters);
    snprintf(buf, size, "%s!%s%u", sheet->name, letters, row + 1);
}
