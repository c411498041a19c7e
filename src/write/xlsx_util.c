/* xlsx_util.c: atomic, verified xlsx output and safe strings for
 * libxlsxwriter, shared by every workbook clasconv writes. */
#include "write/xlsx_util.h"

#include "clasconv/write.h"
#include "core/text.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <expat.h>
#include <unzip.h>

/* 2026-01-01T00:00:00Z: a fixed creation date makes the bytes stable. */
#define FIXED_CREATED ((time_t)1767225600)

/* Bounds of the verification pass (our own files are far smaller). */
#define VERIFY_MAX_ENTRIES 256u
#define VERIFY_MAX_BYTES ((uint64_t)4 << 30)

/* --- Strings ------------------------------------------------------------- */

static int is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
}

/* A literal `_xHHHH_` that Excel would decode as a character. */
static int is_excel_escape(const unsigned char *s, size_t n)
{
    size_t i;

    if (n < 7 || s[0] != '_' || (s[1] != 'x' && s[1] != 'X') || s[6] != '_')
        return 0;
    for (i = 2; i < 6; i++) {
        if (!is_hex(s[i]))
            return 0;
    }
    return 1;
}

char *clasconv_xlsx_sanitize(const char *text, size_t max_units)
{
    static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */
    static const char escaped_underscore[] = "_x005F_";
    const unsigned char *s;
    size_t len, cap, pos = 0, units = 0, i = 0;
    char *out;

    if (text == NULL)
        text = "";
    s = (const unsigned char *)text;
    len = strlen(text);
    /* Output bytes <= 7 per input byte and <= 3 per UTF-16 unit. */
    if (len > (SIZE_MAX - 1) / 7)
        return NULL;
    cap = 7 * len;
    if (max_units < (SIZE_MAX - 1) / 3 && 3 * max_units < cap)
        cap = 3 * max_units;
    out = malloc(cap + 1);
    if (out == NULL)
        return NULL;

    while (i < len) {
        uint32_t cp = 0;
        size_t n;
        const char *piece;
        size_t piece_len, piece_units;

        /* Most of the text: ASCII other than '_' is kept as it is. */
        if (s[i] < 0x80 && s[i] != '_') {
            size_t run = i;
            while (run < len && s[run] < 0x80 && s[run] != '_')
                run++;
            run -= i;
            if (run > max_units - units)
                run = max_units - units;
            if (run > cap - pos)
                run = cap - pos;
            if (run == 0)
                break;
            memcpy(out + pos, s + i, run);
            pos += run;
            units += run;
            i += run;
            continue;
        }
        n = clasconv_utf8_decode((const char *)s + i, len - i, &cp);

        if (n == 0 || cp == 0xFFFE || cp == 0xFFFF) {
            piece = replacement;
            piece_len = 3;
            piece_units = 1;
            if (n == 0)
                n = 1; /* one U+FFFD per invalid byte */
        } else if (is_excel_escape(s + i, len - i)) {
            piece = escaped_underscore;
            piece_len = 7;
            piece_units = 7;
        } else {
            piece = (const char *)s + i;
            piece_len = n;
            piece_units = cp >= 0x10000 ? 2 : 1;
        }
        if (units + piece_units > max_units || pos + piece_len > cap)
            break;
        memcpy(out + pos, piece, piece_len);
        pos += piece_len;
        units += piece_units;
        i += n;
    }
    out[pos] = '\0';
    return out;
}

/* --- Messages ------------------------------------------------------------ */

#define fail_errno clasconv_atomic_fail

/* --- Opening ------------------------------------------------------------- */

/* libxlsxwriter writes every part to a temporary file, then zips them: on
 * a memory file system those 16 files cost no disk I/O. Its temporary
 * files are unlinked as soon as they are open, so nothing is left there
 * after a crash. A full temp dir gives a truncated sheet with a success
 * code (LIBRARIES.md): clasconv_xlsx_commit() verifies the finished file,
 * and /dev/shm is used only with this much room left. */
#define SCRATCH_DIR "/dev/shm"
#define SCRATCH_MIN_FREE ((unsigned long long)256 << 20)

static const char *scratch_dir(const char *fallback)
{
    struct statvfs vfs;

    if (access(SCRATCH_DIR, W_OK | X_OK) != 0 ||
        statvfs(SCRATCH_DIR, &vfs) != 0 ||
        (unsigned long long)vfs.f_bavail * vfs.f_frsize < SCRATCH_MIN_FREE)
        return fallback;
    return SCRATCH_DIR;
}

static void release(clasconv_xlsx *x)
{
    clasconv_atomic_abort(&x->file);
    x->wb = NULL;
}

static lxw_format *new_format(clasconv_xlsx *x)
{
    lxw_format *fmt = workbook_add_format(x->wb);

    if (fmt == NULL)
        clasconv_xlsx_check(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "formats");
    return fmt;
}

const lxw_color_t clasconv_xlsx_severity_fill[3] = {0xF8C9C7, 0xFFE9A8,
                                                    0xD6E8FB};

static void create_formats(clasconv_xlsx *x)
{
    int sev;

    x->header = new_format(x);
    x->header_num = new_format(x);
    x->bold_wrap = new_format(x);
    x->link = new_format(x);
    for (sev = 0; sev < 3; sev++) {
        x->sev_text[sev] = new_format(x);
        x->sev_count[sev] = new_format(x);
    }
    x->text = new_format(x);
    x->wrap = new_format(x);
    x->count = new_format(x);
    x->bold = new_format(x);
    x->bold_count = new_format(x);
    if (x->lerr != LXW_NO_ERROR)
        return;
    format_set_bold(x->header);
    format_set_text_wrap(x->header);
    format_set_align(x->header, LXW_ALIGN_VERTICAL_CENTER);
    format_set_bottom(x->header, LXW_BORDER_THIN);
    format_set_bg_color(x->header, 0xD9D9D9);
    format_set_bold(x->bold_wrap);
    format_set_text_wrap(x->bold_wrap);
    format_set_align(x->bold_wrap, LXW_ALIGN_VERTICAL_TOP);
    format_set_bold(x->header_num);
    format_set_text_wrap(x->header_num);
    format_set_align(x->header_num, LXW_ALIGN_CENTER);
    format_set_align(x->header_num, LXW_ALIGN_VERTICAL_CENTER);
    format_set_bottom(x->header_num, LXW_BORDER_THIN);
    format_set_bg_color(x->header_num, 0xD9D9D9);
    format_set_underline(x->link, LXW_UNDERLINE_SINGLE);
    format_set_font_color(x->link, 0x0563C1);
    format_set_align(x->link, LXW_ALIGN_VERTICAL_TOP);
    for (sev = 0; sev < 3; sev++) {
        format_set_bg_color(x->sev_text[sev], clasconv_xlsx_severity_fill[sev]);
        format_set_align(x->sev_text[sev], LXW_ALIGN_VERTICAL_TOP);
        format_set_bg_color(x->sev_count[sev],
                            clasconv_xlsx_severity_fill[sev]);
        format_set_num_format_index(x->sev_count[sev], 1);
        format_set_align(x->sev_count[sev], LXW_ALIGN_VERTICAL_TOP);
    }
    format_set_align(x->text, LXW_ALIGN_VERTICAL_TOP);
    format_set_text_wrap(x->wrap);
    format_set_align(x->wrap, LXW_ALIGN_VERTICAL_TOP);
    format_set_num_format_index(x->count, 1); /* "0" */
    format_set_align(x->count, LXW_ALIGN_VERTICAL_TOP);
    format_set_bold(x->bold);
    format_set_bold(x->bold_count);
    format_set_num_format_index(x->bold_count, 1);
}

clasconv_error clasconv_xlsx_open(clasconv_xlsx *x, const char *path,
                                  const char *title, clasconv_diag *diag)
{
    return clasconv_xlsx_open_opt(x, path, title, 0, diag);
}

clasconv_error clasconv_xlsx_open_opt(clasconv_xlsx *x, const char *path,
                                      const char *title, int constant_memory,
                                      clasconv_diag *diag)
{
    lxw_workbook_options options;
    clasconv_error rc;

    memset(x, 0, sizeof *x);
    if (path == NULL || path[0] == '\0') {
        x->file.fd = -1;
        clasconv_diag_set(diag, "Impossible d'écrire le classeur : aucun "
                                "nom de fichier n'a été donné.");
        return CLASCONV_ERR_WRITE;
    }
    rc = clasconv_atomic_open(&x->file, path, diag);
    if (rc != CLASCONV_OK)
        return CLASCONV_ERR_WRITE;

    memset(&options, 0, sizeof options);
    x->scratch = scratch_dir(x->file.dir);
    options.tmpdir = (char *)x->scratch;
    options.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE;
    x->wb = workbook_new_opt(x->file.tmp_path, &options);
    if (x->wb == NULL) {
        fail_errno(diag, path, ENOMEM);
        clasconv_xlsx_abort(x);
        return CLASCONV_ERR_WRITE;
    }
    x->props.title = (char *)(title != NULL ? title : "clasconv");
    x->props.author = (char *)"clasconv";
    x->props.created = FIXED_CREATED;
    clasconv_xlsx_check(x, workbook_set_properties(x->wb, &x->props),
                        "propriétés");
    create_formats(x);
    if (x->lerr != LXW_NO_ERROR) {
        fail_errno(diag, path, ENOMEM);
        clasconv_xlsx_abort(x);
        return CLASCONV_ERR_WRITE;
    }
    return CLASCONV_OK;
}

/* --- Writing ------------------------------------------------------------- */

int clasconv_xlsx_check(clasconv_xlsx *x, lxw_error err, const char *what)
{
    if (err != LXW_NO_ERROR && x->lerr == LXW_NO_ERROR) {
        x->lerr = err;
        x->what = what;
    }
    return x->lerr == LXW_NO_ERROR;
}

lxw_worksheet *clasconv_xlsx_add_sheet(clasconv_xlsx *x, const char *name)
{
    lxw_worksheet *ws;

    if (x->lerr != LXW_NO_ERROR)
        return NULL;
    if (x->nsheets >= CLASCONV_XLSX_MAX_SHEETS) {
        clasconv_xlsx_check(x, LXW_ERROR_PARAMETER_VALIDATION, "feuilles");
        return NULL;
    }
    ws = workbook_add_worksheet(x->wb, name);
    if (ws == NULL) {
        clasconv_xlsx_check(x, LXW_ERROR_PARAMETER_VALIDATION, name);
        return NULL;
    }
    x->nsheets++;
    return ws;
}

/* Checks a cell position; records an error when it is beyond Excel. */
static int cell_ok(clasconv_xlsx *x, lxw_worksheet *ws, size_t row,
                   unsigned col)
{
    if (x->lerr != LXW_NO_ERROR || ws == NULL)
        return 0;
    if (row >= LXW_ROW_MAX || col >= LXW_COL_MAX) {
        x->too_many_rows = 1;
        clasconv_xlsx_check(x, LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE,
                            "cellule");
        return 0;
    }
    return 1;
}

void clasconv_xlsx_string(clasconv_xlsx *x, lxw_worksheet *ws, size_t row,
                          unsigned col, const char *text, lxw_format *fmt)
{
    char *safe;

    if (text == NULL || text[0] == '\0' || !cell_ok(x, ws, row, col))
        return;
    safe = clasconv_xlsx_sanitize(text, CLASCONV_XLSX_MAX_TEXT);
    if (safe == NULL) {
        clasconv_xlsx_check(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "texte");
        return;
    }
    clasconv_xlsx_check(
        x,
        worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)col, safe, fmt),
        "texte");
    free(safe);
}

void clasconv_xlsx_number(clasconv_xlsx *x, lxw_worksheet *ws, size_t row,
                          unsigned col, double value, lxw_format *fmt)
{
    if (!cell_ok(x, ws, row, col))
        return;
    if (!isfinite(value)) {
        clasconv_xlsx_check(x, LXW_ERROR_PARAMETER_VALIDATION, "nombre");
        return;
    }
    clasconv_xlsx_check(
        x,
        worksheet_write_number(ws, (lxw_row_t)row, (lxw_col_t)col, value, fmt),
        "nombre");
}

void clasconv_xlsx_formula(clasconv_xlsx *x, lxw_worksheet *ws, size_t row,
                           unsigned col, const char *formula, lxw_format *fmt,
                           double value)
{
    if (!cell_ok(x, ws, row, col))
        return;
    if (!isfinite(value) || formula == NULL) {
        clasconv_xlsx_check(x, LXW_ERROR_PARAMETER_VALIDATION, "formule");
        return;
    }
    clasconv_xlsx_check(x,
                        worksheet_write_formula_num(ws, (lxw_row_t)row,
                                                    (lxw_col_t)col, formula,
                                                    fmt, value),
                        "formule");
}

void clasconv_xlsx_header_row(clasconv_xlsx *x, lxw_worksheet *ws,
                              const char *const *labels, unsigned count)
{
    unsigned i;

    for (i = 0; i < count; i++)
        clasconv_xlsx_string(x, ws, 0, i, labels[i], x->header);
}

void clasconv_xlsx_width(clasconv_xlsx *x, lxw_worksheet *ws, unsigned first,
                         unsigned last, double width)
{
    if (x->lerr != LXW_NO_ERROR || ws == NULL)
        return;
    clasconv_xlsx_check(x,
                        worksheet_set_column(ws, (lxw_col_t)first,
                                             (lxw_col_t)last, width, NULL),
                        "colonnes");
}

/* --- Layout ------------------------------------------------------------- */

/* Width of one character of bold Calibri 11 in units of the digit 0 (the
 * column width unit), rounded up: narrow, wide and capital letters. */
static double char_width(uint32_t cp)
{
    if (cp == ' ')
        return 0.5;
    if (cp == 'm' || cp == 'w')
        return 1.6;
    if (cp == 'M' || cp == 'W')
        return 1.7;
    if (cp == 'i' || cp == 'l' || cp == 'j' || cp == 't' || cp == 'f' ||
        cp == 'r' || cp == '.' || cp == ',' || cp == '\'' || cp == '(' ||
        cp == ')' || cp == ':')
        return 0.6;
    if ((cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE))
        return 1.25;
    return 1.0;
}

/* Width of `n` bytes of UTF-8 text at the header font, without padding. */
static double text_width(const char *text, size_t n)
{
    double w = 0;
    size_t i = 0;

    while (i < n) {
        uint32_t cp = 0;
        size_t len = clasconv_utf8_decode(text + i, n - i, &cp);

        if (len == 0)
            len = 1;
        w += char_width(cp);
        i += len;
    }
    return w;
}

/* Cell padding (both sides) and a margin for font substitutes. */
#define WIDTH_PADDING 2.0

double clasconv_xlsx_word_width(const char *word, size_t bytes)
{
    return text_width(word, bytes) + WIDTH_PADDING;
}

/* Body text is measured with the bold widths of char_width() too: regular
 * letters are narrower, so rows are never too short (seen in LibreOffice). */
#define REGULAR_SCALE 1.0

/* Lines taken by `text` wrapped between words in `width` characters,
 * measured with `text_width` (a word longer than a line takes its own
 * lines); explicit newlines start a line. */
static unsigned wrapped_lines(const char *text, double width, double scale)
{
    double room = (width - WIDTH_PADDING) / scale, line = 0;
    unsigned lines = 1;
    const char *p = text;

    if (room < 1)
        room = 1;
    while (*p) {
        size_t n;
        double w;

        if (*p == '\n') {
            lines++;
            line = 0;
            p++;
            continue;
        }
        if (*p == ' ') {
            p++;
            continue;
        }
        n = strcspn(p, " \n");
        w = text_width(p, n);
        if (line > 0 && line + 0.5 + w > room) {
            lines++;
            line = 0;
        }
        if (line > 0)
            line += 0.5;
        line += w;
        while (line > room) { /* a word wider than the column */
            lines++;
            line -= room;
        }
        p += n;
    }
    return lines;
}

double clasconv_xlsx_text_height(const char *text, double width)
{
    unsigned lines =
        text != NULL ? wrapped_lines(text, width, REGULAR_SCALE) : 1;

    if (lines > 27) /* Excel's highest row is 409 points */
        lines = 27;
    return lines * CLASCONV_XLSX_LINE_PT;
}

/* Width that shows the longest word of `label` on one line. */
static double label_width(const char *label, double width)
{
    const char *p = label;

    while (p != NULL && *p) {
        size_t n = strcspn(p, " \n");
        double w = clasconv_xlsx_word_width(p, n);

        if (w > width)
            width = w;
        p += n;
        p += strspn(p, " \n");
    }
    return width;
}

double clasconv_xlsx_column_width(const clasconv_xlsx_column *col)
{
    return label_width(col->label, col->width);
}

void clasconv_xlsx_columns(clasconv_xlsx *x, lxw_worksheet *ws,
                           const clasconv_xlsx_column *cols, unsigned count)
{
    unsigned lines = 1, c;

    if (x->lerr != LXW_NO_ERROR || ws == NULL)
        return;
    for (c = 0; c < count; c++) {
        double width = clasconv_xlsx_column_width(&cols[c]);
        unsigned l =
            cols[c].label ? wrapped_lines(cols[c].label, width, 1.0) : 1;

        if (l > lines)
            lines = l;
        clasconv_xlsx_width(x, ws, c, c, width);
    }
    clasconv_xlsx_check(
        x, worksheet_set_row(ws, 0, lines * CLASCONV_XLSX_LINE_PT + 3, NULL),
        "ligne");
    for (c = 0; c < count; c++)
        clasconv_xlsx_string(x, ws, 0, c, cols[c].label,
                             cols[c].numeric ? x->header_num : x->header);
}

void clasconv_xlsx_set_print_title(clasconv_xlsx *x, const char *title)
{
    size_t pos = 0, i = 0, n;

    x->print_header[0] = '\0';
    if (title == NULL)
        return;
    n = strlen(title);
    /* "&L69" would read as a font size of 69: a space keeps it text. */
    if (title[0] >= '0' && title[0] <= '9')
        x->print_header[pos++] = ' ';
    /* "&L" + title (& doubled) + "&R&A": at most 255 characters; the title
     * is cut on a character boundary (continuation bytes are 10xxxxxx). */
    while (i < n && pos + 2 < 200) {
        if (title[i] == '&')
            x->print_header[pos++] = '&';
        x->print_header[pos++] = title[i++];
    }
    while (pos > 0 && i < n && ((unsigned char)title[i] & 0xC0) == 0x80) {
        pos--;
        i--;
    }
    x->print_header[pos] = '\0';
}

void clasconv_xlsx_page_setup(clasconv_xlsx *x, lxw_worksheet *ws)
{

    if (x->lerr != LXW_NO_ERROR || ws == NULL)
        return;
    worksheet_freeze_panes(ws, 1, 0);
    clasconv_xlsx_check(x, worksheet_repeat_rows(ws, 0, 0), "impression");
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_set_margins(ws, 0.25, 0.25, 0.6, 0.6);
    worksheet_fit_to_pages(ws, 1, 0);
    clasconv_xlsx_print_header(x, ws);
}

void clasconv_xlsx_print_area(clasconv_xlsx *x, lxw_worksheet *ws,
                              size_t last_row, unsigned last_col)
{
    if (x->lerr != LXW_NO_ERROR || ws == NULL)
        return;
    if (last_row >= LXW_ROW_MAX)
        last_row = LXW_ROW_MAX - 1;
    clasconv_xlsx_check(x,
                        worksheet_print_area(ws, 0, 0, (lxw_row_t)last_row,
                                             (lxw_col_t)last_col),
                        "impression");
}

void clasconv_xlsx_print_header(clasconv_xlsx *x, lxw_worksheet *ws)
{
    char header[sizeof x->print_header + 8], *safe;

    if (x->lerr != LXW_NO_ERROR || ws == NULL)
        return;
    snprintf(header, sizeof header, "&L%s&R&A", x->print_header);
    safe = clasconv_xlsx_sanitize(header, 255);
    if (safe == NULL) {
        clasconv_xlsx_check(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "impression");
        return;
    }
    clasconv_xlsx_check(x, worksheet_set_header(ws, safe), "impression");
    free(safe);
    clasconv_xlsx_check(x, worksheet_set_footer(ws, "&CPage &P / &N"),
                        "impression");
}

/* --- Verification -------------------------------------------------------- */

static int name_is_xml(const char *name)
{
    size_t n = strlen(name);

    return (n >= 4 && strcmp(name + n - 4, ".xml") == 0) ||
           (n >= 5 && strcmp(name + n - 5, ".rels") == 0);
}

/* The XML parts that say what the package holds are parsed in full; the
 * others (sheets, styles, theme) are checked by their closing root tag,
 * which is what a truncated write loses (LIBRARIES.md), and by their CRC.
 * Parsing every byte again took a quarter of a typical conversion. */
static int parse_in_full(const char *name)
{
    size_t n = strlen(name);

    return strcmp(name, "[Content_Types].xml") == 0 ||
           strcmp(name, "xl/workbook.xml") == 0 ||
           (n >= 5 && strcmp(name + n - 5, ".rels") == 0);
}

/* Whether `tail` (the last bytes of a part) closes the root element named
 * at the start of `head`. */
static int closes_root(const char *head, const char *tail)
{
    const char *p = head;
    char closing[80];
    size_t n, t;

    while ((p = strchr(p, '<')) != NULL && (p[1] == '?' || p[1] == '!'))
        p++;
    if (p == NULL)
        return 0;
    n = strcspn(p + 1, " \t\r\n/>");
    if (n == 0 || n > sizeof closing - 4)
        return 0;
    snprintf(closing, sizeof closing, "</%.*s>", (int)n, p + 1);
    t = strlen(tail);
    while (t > 0 && (tail[t - 1] == '\n' || tail[t - 1] == '\r' ||
                     tail[t - 1] == ' ' || tail[t - 1] == '\t'))
        t--;
    n = strlen(closing);
    return (t >= n && strncmp(tail + t - n, closing, n) == 0) ||
           (t >= 2 && strncmp(tail + t - 2, "/>", 2) == 0);
}

/* Inflates the current entry fully; when `parser` is not NULL feeds it
 * the bytes, else when `xml` checks its closing tag. Returns 0 when the
 * entry is intact. */
static int check_entry(unzFile zip, XML_Parser parser, int xml, uint64_t *total,
                       const char **why)
{
    char chunk[16384];
    char head[256] = "", tail[96] = "";
    int got, closed;

    if (unzOpenCurrentFile(zip) != UNZ_OK) {
        *why = "entry cannot be opened";
        return -1;
    }
    for (;;) {
        got = unzReadCurrentFile(zip, chunk, (unsigned)sizeof chunk);
        if (got < 0) {
            *why = "entry does not inflate";
            unzCloseCurrentFile(zip);
            return -1;
        }
        if (got == 0)
            break;
        *total += (uint64_t)got;
        if (*total > VERIFY_MAX_BYTES) {
            *why = "archive too large";
            unzCloseCurrentFile(zip);
            return -1;
        }
        if (xml && parser == NULL) {
            size_t keep, have;
            if (head[0] == '\0')
                snprintf(head, sizeof head, "%.*s",
                         got < (int)sizeof head - 1 ? got
                                                    : (int)sizeof head - 1,
                         chunk);
            /* keep the last bytes seen, to check the closing tag */
            keep =
                (size_t)got < sizeof tail - 1 ? (size_t)got : sizeof tail - 1;
            have = strlen(tail);
            if (have + keep > sizeof tail - 1) {
                size_t drop = have + keep - (sizeof tail - 1);
                memmove(tail, tail + drop, have - drop + 1);
                have -= drop;
            }
            memcpy(tail + have, chunk + got - keep, keep);
            tail[have + keep] = '\0';
        }
        if (parser != NULL &&
            XML_Parse(parser, chunk, got, 0) == XML_STATUS_ERROR) {
            *why = "XML part is not well-formed";
            unzCloseCurrentFile(zip);
            return -1;
        }
    }
    closed = unzCloseCurrentFile(zip);
    if (closed != UNZ_OK) {
        *why = "CRC mismatch";
        return -1;
    }
    if (parser != NULL && XML_Parse(parser, chunk, 0, 1) == XML_STATUS_ERROR) {
        *why = "XML part is truncated or not well-formed";
        return -1;
    }
    if (xml && parser == NULL && !closes_root(head, tail)) {
        *why = "XML part is truncated";
        return -1;
    }
    return 0;
}

int clasconv_xlsx_verify(const char *path, unsigned nsheets, const char **why)
{
    unzFile zip;
    unz_global_info64 global;
    XML_Parser parser = NULL;
    uint64_t total = 0, entry;
    unsigned char seen[CLASCONV_XLSX_MAX_SHEETS + 1];
    int have_types = 0, have_workbook = 0, rc = -1, step;
    unsigned i;

    *why = "unknown";
    if (nsheets > CLASCONV_XLSX_MAX_SHEETS) {
        *why = "too many sheets";
        return -1;
    }
    memset(seen, 0, sizeof seen);
    zip = unzOpen64(path);
    if (zip == NULL) {
        *why = "not a zip archive";
        return -1;
    }
    if (unzGetGlobalInfo64(zip, &global) != UNZ_OK ||
        global.number_entry == 0 || global.number_entry > VERIFY_MAX_ENTRIES) {
        *why = "bad zip directory";
        goto out;
    }
    parser = XML_ParserCreate(NULL);
    if (parser == NULL) {
        *why = "out of memory";
        goto out;
    }
    step = unzGoToFirstFile(zip);
    for (entry = 0; entry < global.number_entry; entry++) {
        unz_file_info64 info;
        char name[256];
        unsigned sheet_no;
        char tail;
        int xml, full;

        if (step != UNZ_OK ||
            unzGetCurrentFileInfo64(zip, &info, name, sizeof name, NULL, 0,
                                    NULL, 0) != UNZ_OK) {
            *why = "bad zip entry";
            goto out;
        }
        xml = name_is_xml(name);
        full = xml && parse_in_full(name);
        if (full) {
            if (XML_ParserReset(parser, NULL) != XML_TRUE) {
                *why = "out of memory";
                goto out;
            }
            XML_SetParamEntityParsing(parser, XML_PARAM_ENTITY_PARSING_NEVER);
        }
        if (check_entry(zip, full ? parser : NULL, xml, &total, why) != 0)
            goto out;
        if (strcmp(name, "[Content_Types].xml") == 0)
            have_types = 1;
        else if (strcmp(name, "xl/workbook.xml") == 0)
            have_workbook = 1;
        else if (sscanf(name, "xl/worksheets/sheet%u.xm%c", &sheet_no, &tail) ==
                     2 &&
                 tail == 'l' && sheet_no >= 1 && sheet_no <= nsheets)
            seen[sheet_no] = 1;
        step = unzGoToNextFile(zip);
    }
    if (!have_types || !have_workbook) {
        *why = "a workbook part is missing";
        goto out;
    }
    for (i = 1; i <= nsheets; i++) {
        if (!seen[i]) {
            *why = "a sheet part is missing";
            goto out;
        }
    }
    rc = 0;
out:
    if (parser != NULL)
        XML_ParserFree(parser);
    unzClose(zip);
    return rc;
}

/* --- Finishing ----------------------------------------------------------- */

/* libxlsxwriter's error codes in French (lxw_strerror is English). */
static const char *lxw_french(lxw_error e)
{
    switch (e) {
    case LXW_ERROR_MEMORY_MALLOC_FAILED:
        return "mémoire insuffisante";
    case LXW_ERROR_CREATING_XLSX_FILE:
        return "le fichier ne peut pas être créé";
    case LXW_ERROR_CREATING_TMPFILE:
        return "un fichier temporaire ne peut pas être créé";
    case LXW_ERROR_READING_TMPFILE:
        return "un fichier temporaire ne peut pas être relu";
    case LXW_ERROR_ZIP_FILE_OPERATION:
    case LXW_ERROR_ZIP_FILE_ADD:
    case LXW_ERROR_ZIP_CLOSE:
        return "l'écriture de l'archive a échoué";
    case LXW_ERROR_ZIP_PARAMETER_ERROR:
    case LXW_ERROR_ZIP_BAD_ZIP_FILE:
    case LXW_ERROR_ZIP_INTERNAL_ERROR:
        return "erreur interne de l'archive";
    default:
        return "erreur interne";
    }
}

/* workbook_close() with libxlsxwriter's own stderr lines (« [ERROR] ... »,
 * English) kept from the user: fd 2 goes to /dev/null for the call, and the
 * French diagnostic says what failed (from the error code and errno). fd 2
 * is the process's: a multi-threaded caller (the server) closes workbooks
 * in worker processes, as the batch does. */
static lxw_error quiet_close(lxw_workbook *wb, int *close_errno)
{
    int sink, saved = -1;
    lxw_error closed;

    fflush(stderr);
    sink = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (sink >= 0) {
        saved = dup(STDERR_FILENO);
        if (saved >= 0 && dup2(sink, STDERR_FILENO) < 0) {
            close(saved);
            saved = -1;
        }
        close(sink);
    }
    errno = 0;
    closed = workbook_close(wb);
    *close_errno = errno;
    if (saved >= 0) {
        fflush(stderr);
        dup2(saved, STDERR_FILENO);
        close(saved);
    }
    return closed;
}

void clasconv_xlsx_abort(clasconv_xlsx *x)
{
    int ignored;

    if (x->wb != NULL)
        quiet_close(x->wb, &ignored); /* frees it; its result does not matter */
    x->wb = NULL;
    release(x);
}

static int durable_writes = 1;

void clasconv_write_set_durable(int durable)
{
    durable_writes = durable;
}

/* The disk holding `dir` has no free block left. */
static int disk_full(const char *dir)
{
    struct statvfs vfs;

    return statvfs(dir, &vfs) == 0 && vfs.f_bavail == 0;
}

typedef struct verify_ctx {
    clasconv_xlsx *x;
} verify_ctx;

/* The verify step of clasconv_atomic_commit(): the finished workbook. */
static clasconv_error verify_workbook(const char *tmp_path, void *ctx,
                                      clasconv_diag *diag)
{
    clasconv_xlsx *x = ((verify_ctx *)ctx)->x;
    const char *why = NULL;

    if (clasconv_xlsx_verify(tmp_path, x->nsheets, &why) == 0)
        return CLASCONV_OK;
    if (disk_full(x->file.dir) || disk_full(x->scratch))
        fail_errno(diag, x->file.target, ENOSPC);
    else
        clasconv_diag_set(diag,
                          "Impossible d'écrire « %s » : le fichier écrit "
                          "est incomplet ou corrompu (%s). Vérifiez la "
                          "place libre sur le disque et réessayez.",
                          x->file.target, why);
    return CLASCONV_ERR_WRITE;
}

clasconv_error clasconv_xlsx_commit(clasconv_xlsx *x, clasconv_diag *diag)
{
    lxw_error closed;
    verify_ctx vctx;
    clasconv_error rc;
    int err;

    if (x->wb == NULL) {
        clasconv_diag_set(diag, "Impossible d'écrire le classeur.");
        clasconv_xlsx_abort(x);
        return CLASCONV_ERR_WRITE;
    }
    if (x->lerr != LXW_NO_ERROR) {
        if (x->too_many_rows)
            clasconv_diag_set(diag,
                              "Impossible d'écrire « %s » : le tableau "
                              "dépasse 1 048 576 lignes, la limite d'Excel.",
                              x->file.target);
        else if (x->lerr == LXW_ERROR_MEMORY_MALLOC_FAILED)
            fail_errno(diag, x->file.target, ENOMEM);
        else
            clasconv_diag_set(diag,
                              "Impossible d'écrire « %s » : erreur interne "
                              "du générateur de classeur (%s : %s).",
                              x->file.target, x->what != NULL ? x->what : "?",
                              lxw_french(x->lerr));
        clasconv_xlsx_abort(x);
        return CLASCONV_ERR_WRITE;
    }

    closed = quiet_close(x->wb, &err);
    x->wb = NULL;
    if (closed != LXW_NO_ERROR) {
        if (clasconv_errno_advice_fr(err) != NULL)
            fail_errno(diag, x->file.target, err);
        else if (disk_full(x->file.dir) || disk_full(x->scratch))
            fail_errno(diag, x->file.target, ENOSPC);
        else
            clasconv_diag_set(diag, "Impossible d'écrire « %s » : %s.",
                              x->file.target, lxw_french(closed));
        clasconv_xlsx_abort(x);
        return CLASCONV_ERR_WRITE;
    }
    vctx.x = x;
    rc = clasconv_atomic_commit(&x->file, verify_workbook, &vctx,
                                durable_writes, diag);
    release(x);
    return rc;
}
