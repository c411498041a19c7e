/* targets.c: bodies of the fuzz targets: one per reader plus the pipeline. */
#include "targets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clasconv/clasconv.h"
#include "clasconv/coord.h"

volatile unsigned long fuzz_sink;

/* Reads every cell, merge and reference of a finished grid, so that a bad
 * pointer or length left by a reader shows up under ASan. */
static unsigned long touch_grid(const clasconv_grid *grid)
{
    unsigned long sum = 0;
    size_t s, r, m, i;
    const char *key, *value;

    for (i = 0; i < clasconv_grid_meta_count(grid); i++) {
        clasconv_grid_meta(grid, i, &key, &value);
        sum += strlen(key) + strlen(value);
    }
    for (s = 0; s < clasconv_grid_sheet_count(grid); s++) {
        const clasconv_sheet *sheet = clasconv_grid_sheet(grid, s);
        char ref[128];

        sum += strlen(clasconv_sheet_name(sheet));
        for (m = 0; m < clasconv_sheet_merge_count(sheet); m++) {
            const clasconv_merge *mg = clasconv_sheet_merge(sheet, m);
            sum += mg->last_row - mg->first_row + mg->last_col - mg->first_col;
        }
        for (r = 0; r < clasconv_sheet_row_count(sheet); r++) {
            clasconv_row row = clasconv_sheet_row(sheet, r);
            uint32_t c;
            for (c = 0; c < row.ncells; c++) {
                const clasconv_cell *cell = &row.cells[c];
                if (cell->type == CLASCONV_CELL_TEXT)
                    sum += strlen(cell->v.text);
                else
                    sum += cell->v.number > 0.0;
                if (r < 4 && c < 4) {
                    clasconv_sheet_ref(sheet, cell->row, cell->col, ref,
                                       sizeof ref);
                    sum += strlen(ref);
                }
            }
        }
    }
    return sum;
}

/* --- Stored zip entries: CRC fix-up ------------------------------------- */

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    size_t i;
    int k;

    for (i = 0; i < n; i++) {
        crc ^= p[i];
        for (k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* In a copy of a zip, sets the CRC of every stored (uncompressed) entry to
 * the CRC of its bytes, in its local header and in the central directory,
 * so that mutations of the XML inside reach the parsers' later stages
 * instead of stopping at the checksum. Anything malformed is left as is. */
static void fix_stored_crcs(uint8_t *zip, size_t size)
{
    size_t pos;

    for (pos = 0; pos + 46 <= size; pos++) {
        uint32_t local, crc, csize;
        uint16_t method, name_len, extra_len;
        size_t data_at;

        if (le32(zip + pos) != 0x02014b50u)
            continue;
        method = le16(zip + pos + 10);
        csize = le32(zip + pos + 20);
        local = le32(zip + pos + 42);
        if (method != 0 || local > size || size - local < 30 ||
            le32(zip + local) != 0x04034b50u)
            continue;
        name_len = le16(zip + local + 26);
        extra_len = le16(zip + local + 28);
        data_at = (size_t)local + 30 + name_len + extra_len;
        if (data_at > size || size - data_at < csize)
            continue;
        crc = crc32_of(zip + data_at, csize);
        put32(zip + pos + 16, crc);
        put32(zip + local + 14, crc);
    }
}

/* Runs `run` on a CRC-fixed copy when the input is a zip. */
static int with_fixed_zip(int (*run)(const uint8_t *, size_t),
                          const uint8_t *data, size_t size)
{
    uint8_t *copy;
    int rc;

    if (size < 4 || data[0] != 'P' || data[1] != 'K' || !(copy = malloc(size)))
        return run(data, size);
    memcpy(copy, data, size);
    fix_stored_crcs(copy, size);
    rc = run(copy, size);
    free(copy);
    return rc;
}

typedef clasconv_error (*reader_fn)(const clasconv_input *, clasconv_grid *,
                                    clasconv_diag *);

static int run_reader(reader_fn reader, const uint8_t *data, size_t size)
{
    clasconv_grid *grid = clasconv_grid_new();
    clasconv_input in;
    clasconv_diag diag;
    clasconv_error err;

    if (!grid)
        return CLASCONV_ERR_MEMORY;
    in.path = NULL; /* the XLS reader then writes its own temporary file */
    in.data = data;
    in.size = size;
    clasconv_diag_clear(&diag);
    err = reader(&in, grid, &diag);
    if (err == CLASCONV_OK)
        fuzz_sink += touch_grid(grid);
    else
        fuzz_sink += strlen(diag.message);
    clasconv_grid_free(grid);
    return (int)err;
}

int fuzz_target_csv(const uint8_t *data, size_t size)
{
    return run_reader(clasconv_read_csv, data, size);
}

int fuzz_target_xls(const uint8_t *data, size_t size)
{
    return run_reader(clasconv_read_xls, data, size);
}

static int read_xlsx(const uint8_t *data, size_t size)
{
    return run_reader(clasconv_read_xlsx, data, size);
}

int fuzz_target_xlsx(const uint8_t *data, size_t size)
{
    return with_fixed_zip(read_xlsx, data, size);
}

static int read_ods(const uint8_t *data, size_t size)
{
    return run_reader(clasconv_read_ods, data, size);
}

int fuzz_target_ods(const uint8_t *data, size_t size)
{
    return with_fixed_zip(read_ods, data, size);
}

static int read_docx(const uint8_t *data, size_t size)
{
    return run_reader(clasconv_read_docx, data, size);
}

int fuzz_target_docx(const uint8_t *data, size_t size)
{
    return with_fixed_zip(read_docx, data, size);
}

static int read_odt(const uint8_t *data, size_t size)
{
    return run_reader(clasconv_read_odt, data, size);
}

int fuzz_target_odt(const uint8_t *data, size_t size)
{
    return with_fixed_zip(read_odt, data, size);
}

int fuzz_target_html(const uint8_t *data, size_t size)
{
    return run_reader(clasconv_read_html, data, size);
}

/* A private output path in TMPDIR for the pipeline's workbook. */
int fuzz_target_xml2003(const uint8_t *data, size_t size)
{
    return run_reader(clasconv_read_xml2003, data, size);
}

static const char *workbook_path(void)
{
    static char path[512];
    const char *dir;

    if (!path[0]) {
        dir = getenv("TMPDIR");
        if (!dir || !dir[0] || strlen(dir) > 400)
            dir = "/tmp";
        snprintf(path, sizeof path, "%s/clasconv-fuzz-%ld.xlsx", dir,
                 (long)getpid());
    }
    return path;
}

/* Bytes to table (sniff, read, locate, reconcile), then every renderer;
 * the workbook is written (and removed) when the conversion succeeds.
 * LibreOffice is never run (.doc, .rtf, .xlsb are refused): the fuzzers
 * exercise clasconv's own code, not an external program. */
static int pipeline(const uint8_t *data, size_t size)
{
    clasconv_table *table = NULL;
    clasconv_diag diag;
    clasconv_error err;
    clasconv_buf buf = {0};

    setenv("CLASCONV_SOFFICE", "0", 1);
    err = clasconv_convert_memory("Tableau CLAS 2026 - Fuzz-sur-Saône.xls",
                                  NULL, data, size, &table, &diag);
    if (!table)
        return (int)err;
    (void)clasconv_render_json(table, &buf);
    (void)clasconv_render_report(table, &buf);
    clasconv_buf_free(&buf);
    if (err == CLASCONV_OK) {
        const char *path = workbook_path();
        if (clasconv_write_workbook(table, path, &diag) == CLASCONV_OK)
            unlink(path);
    }
    clasconv_table_free(table);
    return (int)err;
}

int fuzz_target_pipeline(const uint8_t *data, size_t size)
{
    return with_fixed_zip(pipeline, data, size);
}

/* Loads an annuaire, then matches a small table to the commune of its
 * first school and lists that commune (the template's pre-fill). */
int fuzz_target_annuaire(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"EE Jules Ferry", "Collège J. Moulin",
                                        "Lycée (0690026D)", "Ecole"};
    clasconv_annuaire *a = NULL;
    clasconv_table *table, *listed = NULL;
    clasconv_diag diag;
    clasconv_error err;
    size_t i;

    err = clasconv_annuaire_load_memory("annuaire.csv", data, size, &a, &diag);
    if (err)
        return (int)err;
    table = clasconv_table_new();
    if (table && clasconv_annuaire_count(a) > 0 &&
        clasconv_table_set_string(&table->commune,
                                  clasconv_annuaire_school_at(a, 0)->commune) ==
            CLASCONV_OK) {
        for (i = 0; i < sizeof names / sizeof *names; i++) {
            clasconv_school_name n;
            if (clasconv_school_name_normalize(names[i], &n) != CLASCONV_OK)
                break;
            (void)clasconv_table_add_school(table, n.level, n.canonical, n.key,
                                            names[i], "A1");
            clasconv_school_name_free(&n);
        }
        (void)clasconv_ref_read_uai(table);
        (void)clasconv_ref_match(table, a, &table->anomalies);
        if (clasconv_annuaire_commune_table(a, table->commune, &listed,
                                            &diag) == CLASCONV_OK)
            fuzz_sink += listed->nschools;
    }
    clasconv_table_free(listed);
    clasconv_table_free(table);
    clasconv_annuaire_free(a);
    return (int)err;
}

/* The output budget of docs/ROBUSTNESS.md, with margin: no renderer may
 * write more than this for an input of `size` bytes. Before the caps, a
 * 654 KB CSV gave 385 MB of JSON. */
static size_t render_budget(size_t size)
{
    return 16 * size + ((size_t)32 << 20);
}

/* One renderer's output against the budget: over it is the bug. */
static void check_budget(const char *what, const clasconv_buf *buf, size_t size)
{
    if (buf->len > render_budget(size)) {
        fprintf(stderr,
                "render: %s wrote %zu bytes for %zu read (budget %zu)\n", what,
                buf->len, size, render_budget(size));
        abort();
    }
    fuzz_sink += buf->len;
}

/* Bytes to table, then the HTML report, the JSON and the terminal report,
 * each checked against the output budget (amplification is the bug). */
static int render(const uint8_t *data, size_t size)
{
    clasconv_table *table = NULL;
    clasconv_diag diag;
    clasconv_error err;
    clasconv_buf buf = {0};

    err = clasconv_convert_memory("Tableau CLAS 2026 - Fuzz-sur-Saône.csv",
                                  NULL, data, size, &table, &diag);
    if (!table)
        return (int)err;
    if (clasconv_render_html(table, &buf) == CLASCONV_OK)
        check_budget("HTML", &buf, size);
    clasconv_buf_reset(&buf);
    if (clasconv_render_json(table, &buf) == CLASCONV_OK)
        check_budget("JSON", &buf, size);
    clasconv_buf_reset(&buf);
    if (clasconv_render_report(table, &buf) == CLASCONV_OK)
        check_budget("report", &buf, size);
    clasconv_buf_free(&buf);
    clasconv_table_free(table);
    return (int)err;
}

int fuzz_target_render(const uint8_t *data, size_t size)
{
    return with_fixed_zip(render, data, size);
}

const fuzz_target fuzz_targets[] = {
    {"csv", fuzz_target_csv},         {"xls", fuzz_target_xls},
    {"xlsx", fuzz_target_xlsx},       {"ods", fuzz_target_ods},
    {"docx", fuzz_target_docx},       {"pipeline", fuzz_target_pipeline},
    {"xml2003", fuzz_target_xml2003}, {"annuaire", fuzz_target_annuaire},
    {"render", fuzz_target_render},   {"odt", fuzz_target_odt},
    {"html", fuzz_target_html},
};
const size_t fuzz_target_count = sizeof fuzz_targets / sizeof fuzz_targets[0];
