/* The naive anchor of scripts/bench (not part of the product): reads a
 * Windows-1252 `;` CSV with libcsv and writes every cell to a one-sheet
 * xlsx with libxlsxwriter (whole numbers as numbers, the rest as text).
 * No locating, no checks, no anomalies: the floor issue 18 compares
 * clasconv's per-file cost against.  Usage: naive IN.csv OUT.xlsx */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

typedef struct {
    lxw_worksheet *ws;
    lxw_row_t row;
    lxw_col_t col;
    char *buf;
    size_t cap;
} naive_ctx;

/* Windows-1252 to UTF-8 (the C1 range mapped as Latin-1: the anchor only
 * needs to cost what a real conversion costs). */
static const char *to_utf8(naive_ctx *c, const char *s, size_t n)
{
    size_t j = 0;

    if (c->cap < 2 * n + 1) {
        c->cap = 2 * n + 1;
        c->buf = realloc(c->buf, c->cap);
        if (c->buf == NULL)
            exit(2);
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b < 0x80) {
            c->buf[j++] = (char)b;
        } else {
            c->buf[j++] = (char)(0xC0 | (b >> 6));
            c->buf[j++] = (char)(0x80 | (b & 0x3F));
        }
    }
    c->buf[j] = '\0';
    return c->buf;
}

static void on_field(void *s, size_t n, void *data)
{
    naive_ctx *c = data;
    const char *f = s;
    char *end;
    long v;

    if (n > 0) {
        const char *t = to_utf8(c, f, n);
        v = strtol(t, &end, 10);
        if (*end == '\0' && end != t)
            worksheet_write_number(c->ws, c->row, c->col, (double)v, NULL);
        else
            worksheet_write_string(c->ws, c->row, c->col, t, NULL);
    }
    c->col++;
}

static void on_row(int term, void *data)
{
    naive_ctx *c = data;

    (void)term;
    c->row++;
    c->col = 0;
}

int main(int argc, char **argv)
{
    struct csv_parser p;
    naive_ctx c;
    char chunk[65536];
    size_t n;
    FILE *in;
    lxw_workbook *wb;

    if (argc != 3) {
        fprintf(stderr, "usage: naive IN.csv OUT.xlsx\n");
        return 2;
    }
    in = fopen(argv[1], "rb");
    if (in == NULL || csv_init(&p, CSV_APPEND_NULL) != 0)
        return 1;
    csv_set_delim(&p, ';');
    memset(&c, 0, sizeof c);
    wb = workbook_new(argv[2]);
    if (wb == NULL)
        return 1;
    c.ws = workbook_add_worksheet(wb, "Feuille1");
    while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
        if (csv_parse(&p, chunk, n, on_field, on_row, &c) != n)
            return 1;
    csv_fini(&p, on_field, on_row, &c);
    csv_free(&p);
    fclose(in);
    free(c.buf);
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : 1;
}
