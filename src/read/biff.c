/* biff.c: a bounded reader of BIFF5/BIFF8 workbook streams: every cell
 * record, the shared strings, number formats for dates, merges. */
#include "read/biff.h"
#include "core/grow.h"

#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REC_FORMULA 0x0006u
#define REC_EOF 0x000Au
#define REC_DATEMODE 0x0022u
#define REC_FILEPASS 0x002Fu
#define REC_CONTINUE 0x003Cu
#define REC_CODEPAGE 0x0042u
#define REC_BOUNDSHEET 0x0085u
#define REC_MULRK 0x00BDu
#define REC_MULBLANK 0x00BEu
#define REC_RSTRING 0x00D6u
#define REC_XF 0x00E0u
#define REC_MERGEDCELLS 0x00E5u
#define REC_SST 0x00FCu
#define REC_LABELSST 0x00FDu
#define REC_DIMENSIONS 0x0200u
#define REC_BLANK 0x0201u
#define REC_NUMBER 0x0203u
#define REC_LABEL 0x0204u
#define REC_BOOLERR 0x0205u
#define REC_STRING 0x0207u
#define REC_ARRAY 0x0221u
#define REC_TABLE 0x0236u
#define REC_RK 0x027Eu
#define REC_FORMAT 0x041Eu
#define REC_SHRFMLA 0x04BCu
#define REC_BOF 0x0809u

#define BOF_GLOBALS 0x0005u
#define MAX_DEPTH 16        /* nested BOF (embedded charts) */
#define MAX_MERGES 1000000u /* per book */
#define MAX_XF 65536u       /* XF indexes are 16-bit */

/* One record: type, body and where it starts in the stream. */
typedef struct biff_rec {
    uint16_t type;
    uint16_t len;
    const unsigned char *body;
    size_t pos;
} biff_rec;

static uint16_t get16(const unsigned char *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

/* Reads the record at `*pos`; CORRUPT when its header or body runs past
 * the end of the stream. */
static clasconv_biff_status next_record(const unsigned char *data, size_t size,
                                        size_t *pos, biff_rec *rec)
{
    if (size - *pos < 4) {
        return CLASCONV_BIFF_CORRUPT;
    }
    rec->pos = *pos;
    rec->type = get16(data + *pos);
    rec->len = get16(data + *pos + 2);
    if (size - *pos - 4 < rec->len) {
        return CLASCONV_BIFF_CORRUPT;
    }
    rec->body = data + *pos + 4;
    *pos += 4 + (size_t)rec->len;
    return CLASCONV_BIFF_OK;
}

/* --- Text ---------------------------------------------------------------
 */

static size_t put_utf8(unsigned char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Windows-1252 bytes 0x80-0x9F; 0xFFFD where the codepage has none. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

static void codepage_1252(clasconv_biff_book *book)
{
    for (unsigned b = 0; b < 256; b++) {
        uint32_t cp = b >= 0x80 && b < 0xA0 ? cp1252_high[b - 0x80] : b;
        book->cp_len[b] = (uint8_t)put_utf8(book->cp_utf8[b], cp);
    }
}

static void codepage_close(clasconv_biff_book *book)
{
    if (book->cp_iconv != NULL && book->cp_iconv != (void *)-1) {
        iconv_close((iconv_t)book->cp_iconv);
    }
    book->cp_iconv = (void *)-1;
}

/*
 * Opens iconv for a BIFF5 CODEPAGE: every Windows and DOS code page
 * (single- and multi-byte) by its number, the Macintosh ones by name.
 * Windows-1252 (the built-in table) when iconv knows none of the names.
 */
static void codepage_set(clasconv_biff_book *book, uint16_t codepage)
{
    codepage_close(book);
    char names[3][32];
    size_t n = 0;
    switch (codepage) {
    case 0:
    case 1252:
    case 0x8001:
    case 1200: /* UTF-16 in a BIFF5 book: its 8-bit text is Latin */
        return;
    case 367:
        snprintf(names[n++], sizeof names[0], "ASCII");
        break;
    case 1361:
        snprintf(names[n++], sizeof names[0], "JOHAB");
        break;
    case 0x8000:
    case 10000:
        snprintf(names[n++], sizeof names[0], "MACINTOSH");
        break;
    default:
        snprintf(names[n++], sizeof names[0], "CP%u", (unsigned)codepage);
        snprintf(names[n++], sizeof names[0], "WINDOWS-%u", (unsigned)codepage);
        snprintf(names[n++], sizeof names[0], "IBM%u", (unsigned)codepage);
        break;
    }
    for (size_t i = 0; i < n; i++) {
        iconv_t cd = iconv_open("UTF-8", names[i]);
        if (cd != (iconv_t)-1) {
            book->cp_iconv = (void *)cd;
            return;
        }
    }
}

/* A UTF-8 output of known maximum size. */
typedef struct text_out {
    unsigned char *buf;
    size_t len, cap;
    uint32_t pending_high; /* a UTF-16 high surrogate waiting for its pair */
} text_out;

static void out_unit16(text_out *out, uint16_t unit)
{
    if (out->pending_high != 0) {
        uint32_t high = out->pending_high;
        out->pending_high = 0;
        if (unit >= 0xDC00 && unit <= 0xDFFF) {
            uint32_t cp = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00);
            out->len += put_utf8(out->buf + out->len, cp);
            return;
        }
        out->len += put_utf8(out->buf + out->len, 0xFFFD);
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
        out->pending_high = unit;
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
        out->len += put_utf8(out->buf + out->len, 0xFFFD);
    } else if (unit == 0) {
        out->len += put_utf8(out->buf + out->len, 0xFFFD);
    } else {
        out->len += put_utf8(out->buf + out->len, unit);
    }
}

static void out_finish(text_out *out)
{
    if (out->pending_high != 0) {
        out->len += put_utf8(out->buf + out->len, 0xFFFD);
        out->pending_high = 0;
    }
    out->buf[out->len] = '\0';
}

/* Room for `chars` characters: 4 bytes each at most, plus the NUL. */
static clasconv_biff_status out_init(text_out *out, size_t chars)
{
    memset(out, 0, sizeof *out);
    out->cap = chars * 4 + 8;
    out->buf = malloc(out->cap);
    return out->buf == NULL ? CLASCONV_BIFF_MEMORY : CLASCONV_BIFF_OK;
}

/* One run of 8-bit text without NUL bytes through iconv; a byte iconv
 * refuses becomes U+FFFD. The final flush emits what a stateful code page
 * (CP1258 composes a letter with the tone mark after it) still holds. */
static void out_iconv_run(text_out *out, iconv_t cd, const unsigned char *in,
                          size_t n)
{
    char *inp = (char *)(uintptr_t)in;
    size_t inleft = n;
    iconv(cd, NULL, NULL, NULL, NULL);
    while (inleft > 0) {
        char *outp = (char *)out->buf + out->len;
        size_t outleft = out->cap - out->len - 8;
        size_t r = iconv(cd, &inp, &inleft, &outp, &outleft);
        out->len = (size_t)((unsigned char *)outp - out->buf);
        if (r != (size_t)-1) {
            break;
        }
        if (errno == E2BIG) {
            break; /* cannot happen: 4 bytes per input byte */
        }
        /* EILSEQ or EINVAL: one byte as U+FFFD, then go on. */
        out->len += put_utf8(out->buf + out->len, 0xFFFD);
        inp++;
        inleft--;
    }
    char *outp = (char *)out->buf + out->len;
    size_t outleft = out->cap - out->len - 1;
    iconv(cd, NULL, NULL, &outp, &outleft);
    out->len = (size_t)((unsigned char *)outp - out->buf);
}

/* 8-bit text in the book's codepage (BIFF5). NUL bytes become U+FFFD. */
static void out_bytes8(text_out *out, const clasconv_biff_book *book,
                       const unsigned char *in, size_t n)
{
    if (book->cp_iconv == NULL || book->cp_iconv == (void *)-1) {
        for (size_t i = 0; i < n; i++) {
            if (in[i] == 0) {
                out->len += put_utf8(out->buf + out->len, 0xFFFD);
            } else {
                memcpy(out->buf + out->len, book->cp_utf8[in[i]],
                       book->cp_len[in[i]]);
                out->len += book->cp_len[in[i]];
            }
        }
        return;
    }
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || in[i] == 0) {
            if (i > start) {
                out_iconv_run(out, (iconv_t)book->cp_iconv, in + start,
                              i - start);
            }
            if (i < n) {
                out->len += put_utf8(out->buf + out->len, 0xFFFD);
            }
            start = i + 1;
        }
    }
}

/*
 * A cursor over a record and the CONTINUE records after it. Header
 * fields and formatting runs read straight across record bounds; the
 * characters of a BIFF8 string restart with a flags byte in each CONTINUE.
 */
typedef struct seg_cursor {
    const biff_rec *segs;
    size_t nsegs;
    size_t seg;
    size_t off;
} seg_cursor;

static int cur_get(seg_cursor *c, unsigned char *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        while (c->off >= c->segs[c->seg].len) {
            if (c->seg + 1 >= c->nsegs) {
                return 0;
            }
            c->seg++;
            c->off = 0;
        }
        out[i] = c->segs[c->seg].body[c->off++];
    }
    return 1;
}

static int cur_skip(seg_cursor *c, uint64_t n)
{
    while (n > 0) {
        size_t avail = c->segs[c->seg].len - c->off;
        if (avail >= n) {
            c->off += (size_t)n;
            return 1;
        }
        n -= avail;
        if (c->seg + 1 >= c->nsegs) {
            return 0;
        }
        c->seg++;
        c->off = 0;
    }
    return 1;
}

/* At the end of the cursor: no byte left in any segment. */
static int cur_at_end(const seg_cursor *c)
{
    for (size_t s = c->seg; s < c->nsegs; s++) {
        if ((s == c->seg ? c->off : 0) < c->segs[s].len) {
            return 0;
        }
    }
    return 1;
}

/*
 * Reads a string at the cursor: a character count of `count_size` bytes
 * (1 or 2), then (BIFF8) a flags byte with optional rich-text and
 * extended-data sizes, the characters (a BIFF8 string split across
 * CONTINUE records restarts with a flags byte), and the runs and extended
 * data, skipped. BIFF5 text is 8-bit in the book's codepage. CORRUPT when
 * the string runs past the last segment.
 */
static clasconv_biff_status read_xlstring(const clasconv_biff_book *book,
                                          seg_cursor *c, size_t count_size,
                                          char **text)
{
    *text = NULL;
    unsigned char b[4];
    if (!cur_get(c, b, count_size)) {
        return CLASCONV_BIFF_CORRUPT;
    }
    size_t chars = count_size == 1 ? b[0] : get16(b);
    uint64_t extra = 0;
    int wide = 0;
    if (book->version == 8) {
        if (!cur_get(c, b, 1)) {
            /* A zero-length string may end the record without flags. */
            if (chars == 0) {
                *text = calloc(1, 1);
                return *text == NULL ? CLASCONV_BIFF_MEMORY : CLASCONV_BIFF_OK;
            }
            return CLASCONV_BIFF_CORRUPT;
        }
        unsigned flags = b[0];
        wide = (flags & 0x01) != 0;
        if (flags & 0x08) {
            if (!cur_get(c, b, 2)) {
                return CLASCONV_BIFF_CORRUPT;
            }
            extra += (uint64_t)get16(b) * 4;
        }
        if (flags & 0x04) {
            if (!cur_get(c, b, 4)) {
                return CLASCONV_BIFF_CORRUPT;
            }
            extra += get32(b);
        }
    }
    text_out out;
    if (out_init(&out, chars) != CLASCONV_BIFF_OK) {
        return CLASCONV_BIFF_MEMORY;
    }
    if (book->version != 8) {
        unsigned char *raw = malloc(chars + 1);
        if (raw == NULL) {
            free(out.buf);
            return CLASCONV_BIFF_MEMORY;
        }
        if (!cur_get(c, raw, chars)) {
            free(raw);
            free(out.buf);
            return CLASCONV_BIFF_CORRUPT;
        }
        out_bytes8(&out, book, raw, chars);
        free(raw);
    } else {
        while (chars > 0) {
            size_t width = wide ? 2 : 1;
            const biff_rec *seg = &c->segs[c->seg];
            if (seg->len - c->off < width) {
                /* Next CONTINUE record: it restarts with a flags byte. */
                if (c->seg + 1 >= c->nsegs) {
                    free(out.buf);
                    return CLASCONV_BIFF_CORRUPT;
                }
                c->seg++;
                c->off = 0;
                seg = &c->segs[c->seg];
                if (seg->len < 1) {
                    free(out.buf);
                    return CLASCONV_BIFF_CORRUPT;
                }
                wide = (seg->body[0] & 0x01) != 0;
                c->off = 1;
                continue;
            }
            const unsigned char *p = seg->body + c->off;
            size_t n = (seg->len - c->off) / width;
            if (n > chars) {
                n = chars;
            }
            for (size_t i = 0; i < n; i++) {
                out_unit16(&out, wide ? get16(p + 2 * i) : p[i]);
            }
            c->off += n * width;
            chars -= n;
        }
    }
    if (!cur_skip(c, extra)) {
        free(out.buf);
        return CLASCONV_BIFF_CORRUPT;
    }
    out_finish(&out);
    *text = (char *)out.buf;
    return CLASCONV_BIFF_OK;
}

/* A string in one record at `offset` (LABEL, RSTRING, FORMAT, names). */
static clasconv_biff_status read_string_at(const clasconv_biff_book *book,
                                           const biff_rec *rec, size_t offset,
                                           size_t count_size, char **text)
{
    *text = NULL;
    if (rec->len < offset) {
        return CLASCONV_BIFF_CORRUPT;
    }
    biff_rec seg = *rec;
    seg.body = rec->body + offset;
    seg.len = (uint16_t)(rec->len - offset);
    seg_cursor c = {&seg, 1, 0, 0};
    return read_xlstring(book, &c, count_size, text);
}

/* --- Dates ----------------------------------------------------------- */

/* Civil date of `days` since 1970-01-01 (proleptic Gregorian). */
static void civil_from_days(long days, int *year, int *month, int *day)
{
    days += 719468;
    long era = (days >= 0 ? days : days - 146096) / 146097;
    long doe = days - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)(y + (m <= 2));
    *month = (int)m;
    *day = (int)d;
}

/* Excel's day `serial` as a civil date. In the 1900 system serial 60 is
 * the 29 February 1900 Excel (after Lotus) believes in, and serials
 * before 1 read as 1900-01-01, as FreeXL gave them. */
static void date_of_serial(long serial, int date1904, int *y, int *m, int *d)
{
    if (date1904) {
        civil_from_days(serial - 24107, y, m, d); /* 1904-01-01 */
    } else if (serial == 60) {
        *y = 1900;
        *m = 2;
        *d = 29;
    } else if (serial < 1) {
        *y = 1900;
        *m = 1;
        *d = 1;
    } else {
        civil_from_days(serial - (serial < 60 ? 25568 : 25569), y, m, d);
    }
}

int clasconv_biff_date_text(double serial, int date1904, int kind, char *out,
                            size_t out_size)
{
    if (!isfinite(serial) || serial < 0 || serial >= 2958466.0) {
        return -1; /* 2958466 is 10000-01-01 */
    }
    long days = (long)floor(serial);
    double frac = serial - (double)days;
    long secs = lround(frac * 86400.0);
    int y, m, d;
    if (kind == CLASCONV_BIFF_TIME) {
        snprintf(out, out_size, "%02ld:%02ld:%02ld", secs / 3600,
                 secs / 60 % 60, secs % 60);
        return 0;
    }
    if (kind == CLASCONV_BIFF_DATETIME) {
        if (secs >= 86400) {
            days++;
            secs -= 86400;
        }
        date_of_serial(days, date1904, &y, &m, &d);
        snprintf(out, out_size, "%04d-%02d-%02d %02ld:%02ld:%02ld", y, m, d,
                 secs / 3600, secs / 60 % 60, secs % 60);
        return 0;
    }
    date_of_serial(days, date1904, &y, &m, &d);
    snprintf(out, out_size, "%04d-%02d-%02d", y, m, d);
    return 0;
}

/*
 * The date kind of a custom number format, as FreeXL told them (year,
 * month, day, hour, second letters), except that quoted text, escaped
 * characters and [colour]/[$-locale] sections do not count: "Semaine "0
 * is no time, [h]:mm is one.
 */
static uint8_t format_kind_of(const char *format)
{
    int y = 0, m = 0, d = 0, h = 0, s = 0;
    for (const char *p = format; *p != '\0'; p++) {
        switch (*p) {
        case '"':
            p++;
            while (*p != '\0' && *p != '"') {
                p++;
            }
            if (*p == '\0') {
                p--;
            }
            continue;
        case '\\':
        case '_':
        case '*':
            if (p[1] != '\0') {
                p++;
            }
            continue;
        case '[':
            if (p[1] == 'h' || p[1] == 'H' || p[1] == 'm' || p[1] == 'M' ||
                p[1] == 's' || p[1] == 'S') {
                break; /* elapsed time: counted below */
            }
            while (p[1] != '\0' && *p != ']') {
                p++;
            }
            continue;
        default:
            break;
        }
        switch (*p) {
        case 'Y':
        case 'y':
            y++;
            break;
        case 'M':
        case 'm':
            m++;
            break;
        case 'D':
        case 'd':
            d++;
            break;
        case 'H':
        case 'h':
            h++;
            break;
        case 'S':
        case 's':
            s++;
            break;
        default:
            break;
        }
    }
    if (y && m && d && h) {
        return CLASCONV_BIFF_DATETIME;
    }
    if ((y && m) || (m && d)) {
        return CLASCONV_BIFF_DATE_ONLY;
    }
    if ((h && m) || (m && s)) {
        return CLASCONV_BIFF_TIME;
    }
    return 0;
}

/* The date kind of the cell format `xf`: Excel's built-in date formats
 * (14-22, 45-47), then the book's FORMAT records. */
static uint8_t xf_date_kind(const clasconv_biff_book *book, uint16_t xf)
{
    if (xf >= book->nxf) {
        return 0;
    }
    uint16_t format = book->xf_formats[xf];
    if (format >= 14 && format <= 17) {
        return CLASCONV_BIFF_DATE_ONLY;
    }
    if ((format >= 18 && format <= 21) || (format >= 45 && format <= 47)) {
        return CLASCONV_BIFF_TIME;
    }
    if (format == 22) {
        return CLASCONV_BIFF_DATETIME;
    }
    return book->format_kinds != NULL ? book->format_kinds[format] : 0;
}

/* --- Collected values ---------------------------------------------------
 */

/* Room for element `n` (0-based) of a growing array, through the
 * library's one growth helper; `max` elements at most (else TOO_LARGE). */
static clasconv_biff_status grow(void **items, size_t *cap, size_t n,
                                 size_t item_size, size_t max)
{
    switch (clasconv_grow(items, cap, n + 1, item_size, max)) {
    case CLASCONV_OK:
        return CLASCONV_BIFF_OK;
    case CLASCONV_ERR_TOO_LARGE:
        return CLASCONV_BIFF_TOO_LARGE;
    default:
        return CLASCONV_BIFF_MEMORY;
    }
}

typedef struct walk_state {
    clasconv_biff_book *book;
    size_t total_values;
    size_t total_merges;
    int sst_seen;
} walk_state;

static clasconv_biff_status add_value(walk_state *ws,
                                      clasconv_biff_sheet *sheet,
                                      const clasconv_biff_value *value)
{
    if (ws->total_values >= CLASCONV_BIFF_MAX_VALUES) {
        return CLASCONV_BIFF_TOO_LARGE;
    }
    void *items = sheet->values;
    clasconv_biff_status st = grow(&items, &sheet->values_cap, sheet->nvalues,
                                   sizeof *value, CLASCONV_BIFF_MAX_VALUES);
    sheet->values = items;
    if (st != CLASCONV_BIFF_OK) {
        return st;
    }
    sheet->values[sheet->nvalues++] = *value;
    ws->total_values++;
    return CLASCONV_BIFF_OK;
}

const char *clasconv_biff_error_text(uint8_t code)
{
    switch (code) {
    case 0x00:
        return "#NULL!";
    case 0x07:
        return "#DIV/0!";
    case 0x0F:
        return "#VALUE!";
    case 0x17:
        return "#REF!";
    case 0x1D:
        return "#NAME?";
    case 0x24:
        return "#NUM!";
    case 0x2A:
        return "#N/A";
    default:
        return "#N/A";
    }
}

/* --- Globals substream --------------------------------------------------
 */

/* The records that follow `pos` as CONTINUE: `rec` and them, in a new
 * array (free it). */
static clasconv_biff_status with_continues(const unsigned char *data,
                                           size_t size, size_t *pos,
                                           const biff_rec *rec, biff_rec **segs,
                                           size_t *nsegs)
{
    size_t cap = 0;
    void *items = NULL;
    *nsegs = 0;
    *segs = NULL;
    if (grow(&items, &cap, 0, sizeof **segs, SIZE_MAX) != CLASCONV_BIFF_OK) {
        return CLASCONV_BIFF_MEMORY;
    }
    *segs = items;
    (*segs)[(*nsegs)++] = *rec;
    for (;;) {
        size_t look = *pos;
        biff_rec next;
        if (next_record(data, size, &look, &next) != CLASCONV_BIFF_OK ||
            next.type != REC_CONTINUE) {
            return CLASCONV_BIFF_OK;
        }
        if (grow(&items, &cap, *nsegs, sizeof **segs, SIZE_MAX) !=
            CLASCONV_BIFF_OK) {
            free(*segs);
            *segs = NULL;
            return CLASCONV_BIFF_MEMORY;
        }
        *segs = items;
        (*segs)[(*nsegs)++] = next;
        *pos = look;
    }
}

/*
 * SST and its CONTINUE records. The unique-string count is taken as a
 * bound, not a promise: writers that give a larger one just end early.
 * Empty strings are kept. A string that runs past the last CONTINUE is
 * CORRUPT.
 */
static clasconv_biff_status read_sst(walk_state *ws, const unsigned char *data,
                                     size_t size, size_t *pos,
                                     const biff_rec *rec)
{
    clasconv_biff_book *book = ws->book;
    biff_rec *segs = NULL;
    size_t nsegs = 0;
    clasconv_biff_status st =
        with_continues(data, size, pos, rec, &segs, &nsegs);
    if (st != CLASCONV_BIFF_OK) {
        return st;
    }
    if (ws->sst_seen++ > 0 || book->version != 8) {
        free(segs);
        return CLASCONV_BIFF_OK; /* a second SST, or one in BIFF5: unused */
    }
    if (rec->len < 8) {
        free(segs);
        return CLASCONV_BIFF_CORRUPT;
    }
    uint32_t count = get32(rec->body + 4);
    seg_cursor c = {segs, nsegs, 0, 8};
    while (book->nsst < count && !cur_at_end(&c)) {
        if (book->nsst >= CLASCONV_BIFF_MAX_SST) {
            st = CLASCONV_BIFF_TOO_LARGE;
            break;
        }
        void *items = book->sst;
        st = grow(&items, &book->sst_cap, book->nsst, sizeof *book->sst,
                  CLASCONV_BIFF_MAX_SST);
        book->sst = items;
        if (st != CLASCONV_BIFF_OK) {
            break;
        }
        char *text = NULL;
        st = read_xlstring(book, &c, 2, &text);
        if (st != CLASCONV_BIFF_OK) {
            break;
        }
        book->sst[book->nsst++] = text;
    }
    free(segs);
    return st;
}

static clasconv_biff_status read_boundsheet(walk_state *ws, const biff_rec *rec)
{
    clasconv_biff_book *book = ws->book;
    if (rec->len < 7) {
        return CLASCONV_BIFF_CORRUPT;
    }
    if (book->nsheets >= CLASCONV_BIFF_MAX_SHEETS) {
        return CLASCONV_BIFF_TOO_LARGE;
    }
    void *items = book->sheets;
    clasconv_biff_status st =
        grow(&items, &book->sheets_cap, book->nsheets, sizeof *book->sheets,
             CLASCONV_BIFF_MAX_SHEETS);
    book->sheets = items;
    if (st != CLASCONV_BIFF_OK) {
        return st;
    }
    clasconv_biff_sheet *sheet = &book->sheets[book->nsheets];
    memset(sheet, 0, sizeof *sheet);
    sheet->offset = get32(rec->body);
    sheet->hidden = (uint8_t)(rec->body[4] & 0x03);
    sheet->type = rec->body[5];
    st = read_string_at(book, rec, 6, 1, &sheet->name);
    if (st != CLASCONV_BIFF_OK) {
        return st;
    }
    book->nsheets++;
    return CLASCONV_BIFF_OK;
}

static clasconv_biff_status read_xf(clasconv_biff_book *book,
                                    const biff_rec *rec)
{
    if (rec->len < 4) {
        return CLASCONV_BIFF_CORRUPT;
    }
    if (book->nxf >= MAX_XF) {
        return CLASCONV_BIFF_OK; /* unreachable by any 16-bit index */
    }
    void *items = book->xf_formats;
    clasconv_biff_status st = grow(&items, &book->xf_cap, book->nxf,
                                   sizeof *book->xf_formats, MAX_XF);
    book->xf_formats = items;
    if (st != CLASCONV_BIFF_OK) {
        return st;
    }
    book->xf_formats[book->nxf++] = get16(rec->body + 2);
    return CLASCONV_BIFF_OK;
}

static clasconv_biff_status read_format(clasconv_biff_book *book,
                                        const biff_rec *rec)
{
    if (rec->len < 3) {
        return CLASCONV_BIFF_CORRUPT;
    }
    uint16_t index = get16(rec->body);
    char *text = NULL;
    clasconv_biff_status st =
        read_string_at(book, rec, 2, book->version == 8 ? 2 : 1, &text);
    if (st != CLASCONV_BIFF_OK) {
        return st;
    }
    uint8_t kind = format_kind_of(text);
    free(text);
    if (book->format_kinds == NULL) {
        if (kind == 0) {
            return CLASCONV_BIFF_OK;
        }
        book->format_kinds = calloc(65536, 1);
        if (book->format_kinds == NULL) {
            return CLASCONV_BIFF_MEMORY;
        }
    }
    book->format_kinds[index] = kind;
    return CLASCONV_BIFF_OK;
}

static clasconv_biff_status read_globals(walk_state *ws,
                                         const unsigned char *data, size_t size,
                                         size_t *pos)
{
    clasconv_biff_book *book = ws->book;
    for (;;) {
        biff_rec rec;
        clasconv_biff_status st = next_record(data, size, pos, &rec);
        if (st != CLASCONV_BIFF_OK) {
            return st; /* no EOF: truncated */
        }
        switch (rec.type) {
        case REC_EOF:
            return CLASCONV_BIFF_OK;
        case REC_FILEPASS:
            book->encrypted = 1;
            return CLASCONV_BIFF_ENCRYPTED;
        case REC_CODEPAGE:
            if (rec.len < 2) {
                return CLASCONV_BIFF_CORRUPT;
            }
            book->codepage = get16(rec.body);
            if (book->version == 5) {
                codepage_set(book, book->codepage);
            }
            break;
        case REC_DATEMODE:
            if (rec.len < 2) {
                return CLASCONV_BIFF_CORRUPT;
            }
            book->date1904 = get16(rec.body) == 1;
            break;
        case REC_BOUNDSHEET:
            st = read_boundsheet(ws, &rec);
            break;
        case REC_XF:
            st = read_xf(book, &rec);
            break;
        case REC_FORMAT:
            st = read_format(book, &rec);
            break;
        case REC_SST:
            st = read_sst(ws, data, size, pos, &rec);
            break;
        case REC_BOF:
            return CLASCONV_BIFF_CORRUPT; /* a substream inside globals */
        default:
            break;
        }
        if (st != CLASCONV_BIFF_OK) {
            return st;
        }
    }
}

/* --- Sheet substreams ---------------------------------------------------
 */

static void note_cell(clasconv_biff_sheet *sheet, uint32_t row,
                      uint32_t last_col)
{
    if (row + 1 > sheet->used_rows) {
        sheet->used_rows = row + 1;
    }
    if (last_col + 1 > sheet->used_cols) {
        sheet->used_cols = last_col + 1;
    }
}

/* DIMENSIONS: what the sheet claims (kept for information only; the
 * cells present are what counts). */
static clasconv_biff_status read_dimensions(const clasconv_biff_book *book,
                                            clasconv_biff_sheet *sheet,
                                            const biff_rec *rec)
{
    uint32_t rows, cols;
    if (book->version == 8) {
        if (rec->len < 12) {
            return CLASCONV_BIFF_CORRUPT;
        }
        rows = get32(rec->body + 4);
        cols = get16(rec->body + 10);
    } else {
        if (rec->len < 8) {
            return CLASCONV_BIFF_CORRUPT;
        }
        rows = get16(rec->body + 2);
        cols = get16(rec->body + 6);
    }
    sheet->has_dimensions = 1;
    if (rows > sheet->dim_rows) {
        sheet->dim_rows = rows;
    }
    if (cols > sheet->dim_cols) {
        sheet->dim_cols = cols;
    }
    return CLASCONV_BIFF_OK;
}

/* A number under cell format `xf`: a DATE when the format is one. */
static clasconv_biff_status add_number(walk_state *ws,
                                       clasconv_biff_sheet *sheet, uint32_t row,
                                       uint32_t col, uint16_t xf, double number)
{
    clasconv_biff_value v;
    memset(&v, 0, sizeof v);
    v.row = row;
    v.col = (uint16_t)col;
    v.number = number;
    v.kind = CLASCONV_BIFF_NUMBER;
    uint8_t kind = xf_date_kind(ws->book, xf);
    char probe[40];
    if (kind != 0 && clasconv_biff_date_text(number, ws->book->date1904, kind,
                                             probe, sizeof probe) == 0) {
        v.kind = CLASCONV_BIFF_DATE;
        v.code = kind;
    }
    note_cell(sheet, row, col);
    return add_value(ws, sheet, &v);
}

/* An RK number: a 30-bit integer or the top of a double, maybe / 100. */
static double rk_value(uint32_t rk)
{
    double value;
    if (rk & 0x02) {
        value = (double)((int32_t)rk >> 2);
    } else {
        uint64_t bits = (uint64_t)(rk & 0xFFFFFFFCu) << 32;
        memcpy(&value, &bits, sizeof value);
    }
    return (rk & 0x01) ? value / 100.0 : value;
}

static clasconv_biff_status
read_mulrk(walk_state *ws, clasconv_biff_sheet *sheet, const biff_rec *rec)
{
    if (rec->len < 6) {
        return CLASCONV_BIFF_CORRUPT;
    }
    uint32_t row = get16(rec->body);
    uint32_t col = get16(rec->body + 2);
    size_t n = (size_t)(rec->len - 6) / 6;
    for (size_t i = 0; i < n && col + i <= 0xFFFF; i++) {
        const unsigned char *p = rec->body + 4 + 6 * i;
        clasconv_biff_status st =
            add_number(ws, sheet, row, (uint32_t)(col + i), get16(p),
                       rk_value(get32(p + 2)));
        if (st != CLASCONV_BIFF_OK) {
            return st;
        }
    }
    return CLASCONV_BIFF_OK;
}

/* LABEL and RSTRING: row, column, XF, then the string (RSTRING's
 * formatting runs after it are left aside). */
static clasconv_biff_status
read_label(walk_state *ws, clasconv_biff_sheet *sheet, const biff_rec *rec)
{
    if (rec->len < 8) {
        return CLASCONV_BIFF_CORRUPT;
    }
    clasconv_biff_value v;
    memset(&v, 0, sizeof v);
    v.row = get16(rec->body);
    v.col = get16(rec->body + 2);
    v.kind = CLASCONV_BIFF_STRING;
    clasconv_biff_status st = read_string_at(ws->book, rec, 6, 2, &v.text);
    if (st != CLASCONV_BIFF_OK) {
        return st;
    }
    note_cell(sheet, v.row, v.col);
    st = add_value(ws, sheet, &v);
    if (st != CLASCONV_BIFF_OK) {
        free(v.text);
    }
    return st;
}

static clasconv_biff_status read_formula(walk_state *ws,
                                         clasconv_biff_sheet *sheet,
                                         const biff_rec *rec, int *pending)
{
    if (rec->len < 16) {
        return CLASCONV_BIFF_CORRUPT;
    }
    const unsigned char *p = rec->body;
    clasconv_biff_value v;
    memset(&v, 0, sizeof v);
    v.row = get16(p);
    v.col = get16(p + 2);
    v.formula = 1;
    const unsigned char *res = p + 6;
    note_cell(sheet, v.row, v.col);
    if (res[6] == 0xFF && res[7] == 0xFF) {
        switch (res[0]) {
        case 0: /* string: in the STRING record that follows */
            v.kind = CLASCONV_BIFF_STRING;
            *pending = 1;
            break;
        case 1:
            v.kind = CLASCONV_BIFF_BOOLEAN;
            v.code = res[2] != 0;
            v.number = v.code;
            break;
        case 2:
            v.kind = CLASCONV_BIFF_ERROR;
            v.code = res[2];
            break;
        case 3: /* empty string */
            v.kind = CLASCONV_BIFF_STRING;
            break;
        default:
            return CLASCONV_BIFF_OK; /* unknown result type: skipped */
        }
    } else {
        v.kind = CLASCONV_BIFF_NUMBER;
        uint64_t bits = (uint64_t)get32(res) | ((uint64_t)get32(res + 4) << 32);
        memcpy(&v.number, &bits, sizeof v.number);
    }
    return add_value(ws, sheet, &v);
}

/* STRING record (+ CONTINUE records): the text of the pending formula. */
static clasconv_biff_status read_string(walk_state *ws,
                                        clasconv_biff_sheet *sheet,
                                        const unsigned char *data, size_t size,
                                        size_t *pos, const biff_rec *rec)
{
    biff_rec *segs = NULL;
    size_t nsegs = 0;
    clasconv_biff_status st =
        with_continues(data, size, pos, rec, &segs, &nsegs);
    if (st != CLASCONV_BIFF_OK) {
        return st;
    }
    seg_cursor c = {segs, nsegs, 0, 0};
    char *text = NULL;
    st = read_xlstring(ws->book, &c, 2, &text);
    free(segs);
    if (st != CLASCONV_BIFF_OK) {
        return st;
    }
    clasconv_biff_value *v = &sheet->values[sheet->nvalues - 1];
    free(v->text);
    v->text = text;
    return CLASCONV_BIFF_OK;
}

static clasconv_biff_status read_mergedcells(walk_state *ws,
                                             clasconv_biff_sheet *sheet,
                                             const biff_rec *rec)
{
    if (rec->len < 2) {
        return CLASCONV_BIFF_CORRUPT;
    }
    size_t count = get16(rec->body);
    if (count > (size_t)(rec->len - 2) / 8) {
        return CLASCONV_BIFF_CORRUPT;
    }
    for (size_t i = 0; i < count; i++) {
        const unsigned char *p = rec->body + 2 + 8 * i;
        clasconv_biff_range r = {get16(p), get16(p + 2), get16(p + 4),
                                 get16(p + 6)};
        if (r.first_row > r.last_row || r.first_col > r.last_col) {
            continue; /* an impossible range: ignored */
        }
        if (ws->total_merges >= MAX_MERGES) {
            return CLASCONV_BIFF_TOO_LARGE;
        }
        void *items = sheet->merges;
        clasconv_biff_status st = grow(&items, &sheet->merges_cap,
                                       sheet->nmerges, sizeof r, MAX_MERGES);
        sheet->merges = items;
        if (st != CLASCONV_BIFF_OK) {
            return st;
        }
        sheet->merges[sheet->nmerges++] = r;
        ws->total_merges++;
    }
    return CLASCONV_BIFF_OK;
}

/* One cell-level record of a worksheet. */
static clasconv_biff_status
read_cell_record(walk_state *ws, clasconv_biff_sheet *sheet,
                 const unsigned char *data, size_t size, size_t *pos,
                 const biff_rec *rec, int *pending, int was_pending)
{
    clasconv_biff_value v;
    switch (rec->type) {
    case REC_DIMENSIONS:
        return read_dimensions(ws->book, sheet, rec);
    case REC_FORMULA:
        return read_formula(ws, sheet, rec, pending);
    case REC_STRING:
        return was_pending ? read_string(ws, sheet, data, size, pos, rec)
                           : CLASCONV_BIFF_OK;
    case REC_BOOLERR:
        if (rec->len < 8) {
            return CLASCONV_BIFF_CORRUPT;
        }
        memset(&v, 0, sizeof v);
        v.row = get16(rec->body);
        v.col = get16(rec->body + 2);
        v.code = rec->body[6];
        if (rec->body[7] != 0) {
            v.kind = CLASCONV_BIFF_ERROR;
        } else {
            v.kind = CLASCONV_BIFF_BOOLEAN;
            v.code = v.code != 0;
            v.number = v.code;
        }
        note_cell(sheet, v.row, v.col);
        return add_value(ws, sheet, &v);
    case REC_MERGEDCELLS:
        return read_mergedcells(ws, sheet, rec);
    case REC_NUMBER:
        if (rec->len < 14) {
            return CLASCONV_BIFF_CORRUPT;
        } else {
            double number;
            uint64_t bits = (uint64_t)get32(rec->body + 6) |
                            ((uint64_t)get32(rec->body + 10) << 32);
            memcpy(&number, &bits, sizeof number);
            return add_number(ws, sheet, get16(rec->body), get16(rec->body + 2),
                              get16(rec->body + 4), number);
        }
    case REC_RK:
        if (rec->len < 10) {
            return CLASCONV_BIFF_CORRUPT;
        }
        return add_number(ws, sheet, get16(rec->body), get16(rec->body + 2),
                          get16(rec->body + 4), rk_value(get32(rec->body + 6)));
    case REC_MULRK:
        return read_mulrk(ws, sheet, rec);
    case REC_LABEL:
    case REC_RSTRING:
        return read_label(ws, sheet, rec);
    case REC_LABELSST:
        if (rec->len < 10) {
            return CLASCONV_BIFF_CORRUPT;
        }
        memset(&v, 0, sizeof v);
        v.row = get16(rec->body);
        v.col = get16(rec->body + 2);
        v.kind = CLASCONV_BIFF_SST;
        v.sst_index = get32(rec->body + 6);
        note_cell(sheet, v.row, v.col);
        return add_value(ws, sheet, &v);
    case REC_BLANK:
        if (rec->len < 4) {
            return CLASCONV_BIFF_CORRUPT;
        }
        note_cell(sheet, get16(rec->body), get16(rec->body + 2));
        return CLASCONV_BIFF_OK;
    case REC_MULBLANK:
        if (rec->len < 6) {
            return CLASCONV_BIFF_CORRUPT;
        } else {
            uint32_t first = get16(rec->body + 2);
            uint32_t last = get16(rec->body + rec->len - 2);
            note_cell(sheet, get16(rec->body), last > first ? last : first);
        }
        return CLASCONV_BIFF_OK;
    default:
        return CLASCONV_BIFF_OK;
    }
}

/* Walks one substream from just after its BOF to its EOF. `sheet` is NULL
 * for a substream no BOUNDSHEET points at (its records are skipped). */
static clasconv_biff_status read_sheet(walk_state *ws,
                                       clasconv_biff_sheet *sheet,
                                       const unsigned char *data, size_t size,
                                       size_t *pos)
{
    int depth = 1;
    int pending = 0; /* the last value is a formula awaiting its STRING */
    while (depth > 0) {
        biff_rec rec;
        clasconv_biff_status st = next_record(data, size, pos, &rec);
        if (st != CLASCONV_BIFF_OK) {
            return st;
        }
        if (rec.type == REC_BOF) {
            if (++depth > MAX_DEPTH) {
                return CLASCONV_BIFF_CORRUPT;
            }
            continue;
        }
        if (rec.type == REC_EOF) {
            depth--;
            continue;
        }
        if (rec.type == REC_FILEPASS) {
            ws->book->encrypted = 1;
            return CLASCONV_BIFF_ENCRYPTED;
        }
        if (sheet == NULL || depth > 1) {
            continue; /* an embedded chart, or an unknown substream */
        }
        int was_pending = pending;
        if (rec.type != REC_CONTINUE && rec.type != REC_SHRFMLA &&
            rec.type != REC_ARRAY && rec.type != REC_TABLE) {
            pending = 0; /* these may sit between FORMULA and STRING */
        }
        st = read_cell_record(ws, sheet, data, size, pos, &rec, &pending,
                              was_pending);
        if (st != CLASCONV_BIFF_OK) {
            return st;
        }
    }
    return CLASCONV_BIFF_OK;
}

static clasconv_biff_sheet *sheet_at(clasconv_biff_book *book, size_t pos)
{
    for (size_t i = 0; i < book->nsheets; i++) {
        if (book->sheets[i].offset == pos && !book->sheets[i].found) {
            return &book->sheets[i];
        }
    }
    return NULL;
}

clasconv_biff_status clasconv_biff_read(const unsigned char *data, size_t size,
                                        clasconv_biff_book *book)
{
    walk_state ws = {book, 0, 0, 0};
    codepage_1252(book);
    book->cp_iconv = (void *)-1;
    size_t pos = 0;
    biff_rec rec;
    if (data == NULL ||
        next_record(data, size, &pos, &rec) != CLASCONV_BIFF_OK) {
        return CLASCONV_BIFF_CORRUPT;
    }
    if (rec.type == 0x0009 || rec.type == 0x0209 || rec.type == 0x0409) {
        return CLASCONV_BIFF_UNSUPPORTED; /* BIFF2 to BIFF4 */
    }
    if (rec.type != REC_BOF || rec.len < 4) {
        return CLASCONV_BIFF_CORRUPT;
    }
    uint16_t version = get16(rec.body);
    if (version == 0x0600) {
        book->version = 8;
    } else if (version == 0x0500) {
        book->version = 5;
    } else {
        return CLASCONV_BIFF_UNSUPPORTED;
    }
    if (get16(rec.body + 2) != BOF_GLOBALS) {
        return CLASCONV_BIFF_UNSUPPORTED; /* a lone worksheet stream */
    }
    clasconv_biff_status st = read_globals(&ws, data, size, &pos);
    if (st != CLASCONV_BIFF_OK) {
        return st;
    }
    book->end = pos;
    /* Sheet substreams follow, each from its BOF to its EOF. Anything else
     * at this level is the zero padding some writers leave: stop there. */
    while (size - pos >= 4) {
        size_t start = pos;
        if (next_record(data, size, &pos, &rec) != CLASCONV_BIFF_OK ||
            rec.type != REC_BOF) {
            break;
        }
        clasconv_biff_sheet *sheet = sheet_at(book, start);
        if (sheet != NULL) {
            sheet->found = 1;
        }
        st = read_sheet(&ws, sheet, data, size, &pos);
        if (st != CLASCONV_BIFF_OK) {
            return st;
        }
        book->end = pos;
    }
    for (size_t i = 0; i < book->nsheets; i++) {
        if (book->sheets[i].type == CLASCONV_BIFF_SHEET_WORKSHEET &&
            !book->sheets[i].found) {
            return CLASCONV_BIFF_CORRUPT; /* a worksheet with no records */
        }
    }
    return CLASCONV_BIFF_OK;
}

void clasconv_biff_free(clasconv_biff_book *book)
{
    if (book == NULL) {
        return;
    }
    for (size_t i = 0; i < book->nsheets; i++) {
        clasconv_biff_sheet *sheet = &book->sheets[i];
        for (size_t k = 0; k < sheet->nvalues; k++) {
            if (sheet->values[k].kind == CLASCONV_BIFF_STRING) {
                free(sheet->values[k].text);
            }
        }
        free(sheet->values);
        free(sheet->merges);
        free(sheet->name);
    }
    free(book->sheets);
    book->sheets = NULL;
    book->nsheets = 0;
    book->sheets_cap = 0;
    for (size_t i = 0; i < book->nsst; i++) {
        free(book->sst[i]);
    }
    free(book->sst);
    book->sst = NULL;
    book->nsst = 0;
    book->sst_cap = 0;
    free(book->xf_formats);
    book->xf_formats = NULL;
    book->nxf = 0;
    book->xf_cap = 0;
    free(book->format_kinds);
    book->format_kinds = NULL;
    if (book->cp_iconv != NULL) {
        codepage_close(book);
    }
}
