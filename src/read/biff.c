/* biff.c: a bounded walker of BIFF5/BIFF8 workbook streams. */
#include "read/biff.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REC_FORMULA 0x0006u
#define REC_EOF 0x000Au
#define REC_FILEPASS 0x002Fu
#define REC_CONTINUE 0x003Cu
#define REC_CODEPAGE 0x0042u
#define REC_BOUNDSHEET 0x0085u
#define REC_MULRK 0x00BDu
#define REC_MULBLANK 0x00BEu
#define REC_RSTRING 0x00D6u
#define REC_MERGEDCELLS 0x00E5u
#define REC_LABELSST 0x00FDu
#define REC_DIMENSIONS 0x0200u
#define REC_BLANK 0x0201u
#define REC_NUMBER 0x0203u
#define REC_LABEL 0x0204u
#define REC_BOOLERR 0x0205u
#define REC_STRING 0x0207u
#define REC_RK 0x027Eu
#define REC_ARRAY 0x0221u
#define REC_TABLE 0x0236u
#define REC_SHRFMLA 0x04BCu
#define REC_BOF 0x0809u

#define BOF_GLOBALS 0x0005u
#define MAX_DEPTH 16        /* nested BOF (embedded charts) */
#define MAX_MERGES 1000000u /* per book */
#define MAX_RECORD 8224u    /* BIFF8 record body limit (FreeXL's buffer) */
#define REC_SST 0x00FCu
#define REC_FORMAT 0x041Eu

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
    if (rec->len > MAX_RECORD) {
        return CLASCONV_BIFF_CORRUPT; /* FreeXL would stop there silently */
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

/* Builds the byte table of a single-byte codepage with iconv; keeps
 * Windows-1252 for codepages it does not know (or multi-byte ones). */
static void codepage_set(clasconv_biff_book *book, uint16_t codepage)
{
    char name[32];
    codepage_1252(book);
    if (codepage == 0x8000 || codepage == 10000) {
        snprintf(name, sizeof name, "MACINTOSH");
    } else if ((codepage >= 1250 && codepage <= 1258 && codepage != 1252) ||
               codepage == 437 || codepage == 737 || codepage == 775 ||
               (codepage >= 850 && codepage <= 869) || codepage == 874) {
        snprintf(name, sizeof name, "CP%u", (unsigned)codepage);
    } else {
        return;
    }
    iconv_t cd = iconv_open("UTF-8", name);
    if (cd == (iconv_t)-1) {
        return;
    }
    for (unsigned b = 0x80; b < 256; b++) {
        char in[1] = {(char)b};
        char out[8];
        char *inp = in;
        char *outp = out;
        size_t inleft = 1;
        size_t outleft = sizeof out;
        iconv(cd, NULL, NULL, NULL, NULL);
        if (iconv(cd, &inp, &inleft, &outp, &outleft) == (size_t)-1 ||
            sizeof out - outleft > 3 || sizeof out - outleft == 0) {
            book->cp_len[b] = (uint8_t)put_utf8(book->cp_utf8[b], 0xFFFD);
        } else {
            book->cp_len[b] = (uint8_t)(sizeof out - outleft);
            memcpy(book->cp_utf8[b], out, book->cp_len[b]);
        }
    }
    iconv_close(cd);
}

/* A growing UTF-8 output of known maximum size. */
typedef struct text_out {
    unsigned char *buf;
    size_t len;
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

static void out_byte(text_out *out, const clasconv_biff_book *book,
                     unsigned char byte)
{
    if (byte == 0) {
        out->len += put_utf8(out->buf + out->len, 0xFFFD);
        return;
    }
    memcpy(out->buf + out->len, book->cp_utf8[byte], book->cp_len[byte]);
    out->len += book->cp_len[byte];
}

/* Room for `chars` characters: 3 bytes each at most, plus the NUL. */
static unsigned char *out_alloc(size_t chars)
{
    return malloc(chars * 3 + 1);
}

/*
 * Decodes a string that starts in `segs[0]` and may continue into the
 * following CONTINUE bodies (BIFF8: each begins with a new flags byte).
 * `count_size` is 1 or 2 (the character count's width). BIFF5 strings are
 * 8-bit in the book's codepage. Returns CORRUPT when the characters run
 * past the last segment.
 */
static clasconv_biff_status decode_string(const clasconv_biff_book *book,
                                          const biff_rec *segs, size_t nsegs,
                                          size_t count_size, char **text)
{
    *text = NULL;
    const unsigned char *p = segs[0].body;
    size_t avail = segs[0].len;
    if (avail < count_size) {
        return CLASCONV_BIFF_CORRUPT;
    }
    size_t chars = count_size == 1 ? p[0] : get16(p);
    p += count_size;
    avail -= count_size;
    if (chars == 0) {
        *text = calloc(1, 1);
        return *text == NULL ? CLASCONV_BIFF_MEMORY : CLASCONV_BIFF_OK;
    }
    int wide = 0;
    if (book->version == 8) {
        if (avail < 1) {
            return CLASCONV_BIFF_CORRUPT;
        }
        unsigned flags = p[0];
        p++;
        avail--;
        wide = (flags & 0x01) != 0;
        size_t skip = ((flags & 0x08) ? 2 : 0) + ((flags & 0x04) ? 4 : 0);
        if (avail < skip) {
            return CLASCONV_BIFF_CORRUPT;
        }
        p += skip;
        avail -= skip;
    }
    text_out out = {out_alloc(chars), 0, 0};
    if (out.buf == NULL) {
        return CLASCONV_BIFF_MEMORY;
    }
    size_t seg = 0;
    while (chars > 0) {
        size_t width = wide ? 2 : 1;
        if (avail < width) {
            /* Next CONTINUE record: BIFF8 restarts with a flags byte. */
            if (++seg >= nsegs) {
                free(out.buf);
                return CLASCONV_BIFF_CORRUPT;
            }
            p = segs[seg].body;
            avail = segs[seg].len;
            if (book->version == 8) {
                if (avail < 1) {
                    free(out.buf);
                    return CLASCONV_BIFF_CORRUPT;
                }
                wide = (p[0] & 0x01) != 0;
                p++;
                avail--;
            }
            continue;
        }
        if (book->version == 8) {
            if (wide) {
                out_unit16(&out, get16(p));
            } else {
                out_unit16(&out, p[0]);
            }
        } else {
            out_byte(&out, book, p[0]);
        }
        p += width;
        avail -= width;
        chars--;
    }
    out_finish(&out);
    *text = (char *)out.buf;
    return CLASCONV_BIFF_OK;
}

/* --- Collected values ---------------------------------------------------
 */

static clasconv_biff_status grow(void **items, size_t *cap, size_t n,
                                 size_t item_size)
{
    if (n < *cap) {
        return CLASCONV_BIFF_OK;
    }
    size_t new_cap = *cap == 0 ? 16 : *cap * 2;
    void *p = realloc(*items, new_cap * item_size);
    if (p == NULL) {
        return CLASCONV_BIFF_MEMORY;
    }
    *items = p;
    *cap = new_cap;
    return CLASCONV_BIFF_OK;
}

typedef struct walk_state {
    clasconv_biff_book *book;
    size_t total_values;
    size_t total_merges;
    size_t sst_count;
} walk_state;

static clasconv_biff_status add_value(walk_state *ws,
                                      clasconv_biff_sheet *sheet,
                                      const clasconv_biff_value *value)
{
    if (ws->total_values >= CLASCONV_BIFF_MAX_VALUES) {
        return CLASCONV_BIFF_TOO_LARGE;
    }
    void *items = sheet->values;
    clasconv_biff_status st =
        grow(&items, &sheet->values_cap, sheet->nvalues, sizeof *value);
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

/* --- What FreeXL trusts ------------------------------------------------
 *
 * FreeXL 1.0.6 copies strings out of its record buffer with the lengths
 * the file gives, without checking them against the record: a crafted
 * LABEL, FORMAT or SST reads past its buffer (seen under ASan). FreeXL
 * also takes a record of type 0 and length 0, or a record longer than
 * 8224 bytes, as the end of the stream and silently drops what follows.
 * The walker refuses all of these before FreeXL sees the file.
 */

/* Unicode string header (flags byte + optional fields) at `p`: its size
 * and the width of a character, or 0 when it does not fit in `avail`. */
static size_t unicode_header(const unsigned char *p, size_t avail,
                             size_t *width, uint64_t *extra)
{
    if (avail < 1) {
        return 0;
    }
    unsigned flags = p[0];
    size_t head = 1;
    uint64_t skip = 0;
    if (flags & 0x08) {
        if (avail < head + 2) {
            return 0;
        }
        skip += (uint64_t)get16(p + head) * 4;
        head += 2;
    }
    if (flags & 0x04) {
        if (avail < head + 4) {
            return 0;
        }
        skip += get32(p + head);
        head += 4;
    }
    *width = (flags & 0x01) ? 2 : 1;
    *extra = skip;
    return head;
}

/* LABEL and FORMAT: the characters must lie inside the record. */
static clasconv_biff_status check_label_format(const clasconv_biff_book *book,
                                               const biff_rec *rec)
{
    size_t count_at = rec->type == REC_LABEL ? 6 : 2;
    size_t len = rec->len;
    if (book->version == 5) {
        if (rec->type == REC_FORMAT) {
            return CLASCONV_BIFF_OK; /* 8-bit count: stays in the buffer */
        }
        if (len < 8 || 8 + (size_t)get16(rec->body + 6) > len) {
            return CLASCONV_BIFF_CORRUPT;
        }
        return CLASCONV_BIFF_OK;
    }
    if (len < count_at + 2) {
        return CLASCONV_BIFF_CORRUPT;
    }
    size_t chars = get16(rec->body + count_at);
    size_t width;
    uint64_t extra;
    size_t at = count_at + 2;
    size_t head = unicode_header(rec->body + at, len - at, &width, &extra);
    if (head == 0 || chars * width > len - at - head) {
        return CLASCONV_BIFF_CORRUPT;
    }
    return CLASCONV_BIFF_OK;
}

/* BOUNDSHEET as FreeXL reads it: any non-zero flags byte means UTF-16. */
static clasconv_biff_status check_boundsheet(const clasconv_biff_book *book,
                                             const biff_rec *rec)
{
    size_t chars = rec->len > 6 ? rec->body[6] : 0;
    if (book->version == 5) {
        return rec->len >= 7 && 7 + chars <= rec->len ? CLASCONV_BIFF_OK
                                                      : CLASCONV_BIFF_CORRUPT;
    }
    if (rec->len < 8) {
        return CLASCONV_BIFF_CORRUPT;
    }
    size_t width = rec->body[7] == 0 ? 1 : 2;
    return 8 + chars * width <= rec->len ? CLASCONV_BIFF_OK
                                         : CLASCONV_BIFF_CORRUPT;
}

/*
 * SST and its CONTINUE records, followed the way FreeXL's parse_SST reads
 * them: every read it makes must fall inside its record. A string header
 * may not straddle two records, and the characters of a string may
 * continue into the next record only (FreeXL reads no further).
 */
static clasconv_biff_status check_sst(const biff_rec *recs, size_t nrecs)
{
    if (recs[0].len < 8) {
        return CLASCONV_BIFF_CORRUPT;
    }
    uint32_t count = get32(recs[0].body + 4);
    if (count > 1024u * 1024u) {
        return CLASCONV_BIFF_CORRUPT; /* FreeXL refuses it as "no memory" */
    }
    uint32_t index = 0;
    uint64_t pending_extra = 0;
    uint64_t next_skip = 0; /* tail bytes spilling into next record */
    size_t pending = 0;     /* characters of a split string left */
    for (size_t r = 0; r < nrecs; r++) {
        const unsigned char *body = recs[r].body;
        uint64_t len = recs[r].len;
        uint64_t p = r == 0 ? 8 : 0;
        if (pending > 0) {
            /* FreeXL copies the rest of the split string from here. */
            if (len < 1) {
                return CLASCONV_BIFF_CORRUPT;
            }
            size_t width = (body[0] & 0x01) ? 2 : 1;
            if (1 + (uint64_t)pending * width > len) {
                return CLASCONV_BIFF_CORRUPT;
            }
            /* FreeXL skips the split string's tail in this record only: a
             * tail spilling further is forgotten (and the rest misread, but
             * every read is still checked below). */
            p = 1 + (uint64_t)pending * width + pending_extra;
            pending = 0;
            pending_extra = 0;
            index++;
            next_skip = 0;
        }
        while (index < count) {
            if (p >= len) {
                break;
            }
            p += next_skip;
            next_skip = 0;
            if (p + 2 > len) {
                return CLASCONV_BIFF_CORRUPT;
            }
            size_t chars = get16(body + p);
            p += 2;
            size_t width;
            uint64_t extra;
            size_t head =
                unicode_header(body + p, (size_t)(len - p), &width, &extra);
            if (head == 0) {
                return CLASCONV_BIFF_CORRUPT;
            }
            p += head;
            uint64_t need = (uint64_t)chars * width;
            if (need > len - p) {
                if (r + 1 >= nrecs) {
                    return CLASCONV_BIFF_CORRUPT; /* no CONTINUE follows */
                }
                /* FreeXL keeps whole characters only. */
                uint64_t done = width == 2 ? (len - p) / 2 : len - p;
                pending = chars - (size_t)done;
                pending_extra = extra;
                break;
            }
            if (chars == 0) {
                return CLASCONV_BIFF_CORRUPT; /* FreeXL: "crafted file" */
            }
            p += need + extra;
            index++;
            if (p > len) {
                next_skip = p - len;
                if (r + 1 < nrecs && next_skip > recs[r + 1].len) {
                    return CLASCONV_BIFF_CORRUPT;
                }
            }
        }
    }
    if (pending > 0) {
        return CLASCONV_BIFF_CORRUPT;
    }
    return CLASCONV_BIFF_OK;
}

/* Checks one record (and, for SST, the CONTINUE records after it) that
 * FreeXL will read, wherever it stands in the stream. */
static clasconv_biff_status check_for_freexl(walk_state *ws,
                                             const unsigned char *data,
                                             size_t size, size_t pos,
                                             const biff_rec *rec)
{
    switch (rec->type) {
    case 0x0000:
        return rec->len == 0 ? CLASCONV_BIFF_CORRUPT : CLASCONV_BIFF_OK;
    case REC_LABEL:
    case REC_FORMAT:
        return check_label_format(ws->book, rec);
    case REC_BOUNDSHEET:
        return check_boundsheet(ws->book, rec);
    case REC_SST:
        break;
    default:
        return CLASCONV_BIFF_OK;
    }
    if (ws->book->version != 8 || ++ws->sst_count > 1) {
        return CLASCONV_BIFF_CORRUPT;
    }
    biff_rec recs[256];
    size_t nrecs = 0;
    recs[nrecs++] = *rec;
    size_t look = pos;
    biff_rec next;
    while (next_record(data, size, &look, &next) == CLASCONV_BIFF_OK &&
           next.type == REC_CONTINUE) {
        if (nrecs >= sizeof recs / sizeof recs[0]) {
            return CLASCONV_BIFF_TOO_LARGE; /* over 2 MB of strings */
        }
        recs[nrecs++] = next;
    }
    return check_sst(recs, nrecs);
}

/* --- Globals substream --------------------------------------------------
 */

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
        grow(&items, &book->sheets_cap, book->nsheets, sizeof *book->sheets);
    book->sheets = items;
    if (st != CLASCONV_BIFF_OK) {
        return st;
    }
    clasconv_biff_sheet *sheet = &book->sheets[book->nsheets];
    memset(sheet, 0, sizeof *sheet);
    sheet->offset = get32(rec->body);
    sheet->hidden = (uint8_t)(rec->body[4] & 0x03);
    sheet->type = rec->body[5];
    biff_rec name_seg = *rec;
    name_seg.body = rec->body + 6;
    name_seg.len = (uint16_t)(rec->len - 6);
    st = decode_string(book, &name_seg, 1, 1, &sheet->name);
    if (st != CLASCONV_BIFF_OK) {
        return st;
    }
    book->nsheets++;
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
        st = check_for_freexl(ws, data, size, *pos, &rec);
        if (st != CLASCONV_BIFF_OK) {
            return st;
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
        case REC_BOUNDSHEET:
            st = read_boundsheet(ws, &rec);
            if (st != CLASCONV_BIFF_OK) {
                return st;
            }
            break;
        case REC_BOF:
            return CLASCONV_BIFF_CORRUPT; /* a substream inside globals */
        default:
            break;
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

/* DIMENSIONS: kept for `sheet` (may be NULL: a record in an embedded
 * chart or an unknown substream) and counted for the whole book. */
static clasconv_biff_status read_dimensions(clasconv_biff_book *book,
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
    uint64_t cells = (uint64_t)rows * cols;
    book->dim_cells_total = cells > UINT64_MAX - book->dim_cells_total
                                ? UINT64_MAX
                                : book->dim_cells_total + cells;
    if (cells > book->dim_cells_max) {
        book->dim_cells_max = cells;
    }
    if (sheet == NULL) {
        return CLASCONV_BIFF_OK;
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
    biff_rec segs[64];
    size_t nsegs = 0;
    segs[nsegs++] = *rec;
    /* A string of at most 65535 characters needs few CONTINUE records. */
    while (nsegs < sizeof segs / sizeof segs[0]) {
        size_t look = *pos;
        biff_rec next;
        if (next_record(data, size, &look, &next) != CLASCONV_BIFF_OK ||
            next.type != REC_CONTINUE) {
            break;
        }
        segs[nsegs++] = next;
        *pos = look;
    }
    char *text = NULL;
    clasconv_biff_status st = decode_string(ws->book, segs, nsegs, 2, &text);
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
        clasconv_biff_status st =
            grow(&items, &sheet->merges_cap, sheet->nmerges, sizeof r);
        sheet->merges = items;
        if (st != CLASCONV_BIFF_OK) {
            return st;
        }
        sheet->merges[sheet->nmerges++] = r;
        ws->total_merges++;
    }
    return CLASCONV_BIFF_OK;
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
        st = check_for_freexl(ws, data, size, *pos, &rec);
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
            /* An embedded chart, or an unknown substream. */
            if (rec.type == REC_DIMENSIONS) {
                st = read_dimensions(ws->book, NULL, &rec);
                if (st != CLASCONV_BIFF_OK) {
                    return st;
                }
            }
            continue;
        }
        int was_pending = pending;
        if (rec.type != REC_CONTINUE && rec.type != REC_SHRFMLA &&
            rec.type != REC_ARRAY && rec.type != REC_TABLE) {
            pending = 0; /* these may sit between FORMULA and STRING */
        }
        switch (rec.type) {
        case REC_DIMENSIONS:
            st = read_dimensions(ws->book, sheet, &rec);
            break;
        case REC_FORMULA:
            st = read_formula(ws, sheet, &rec, &pending);
            break;
        case REC_STRING:
            if (was_pending) {
                st = read_string(ws, sheet, data, size, pos, &rec);
            }
            break;
        case REC_BOOLERR:
            if (rec.len < 8) {
                return CLASCONV_BIFF_CORRUPT;
            } else {
                clasconv_biff_value v;
                memset(&v, 0, sizeof v);
                v.row = get16(rec.body);
                v.col = get16(rec.body + 2);
                v.code = rec.body[6];
                if (rec.body[7] != 0) {
                    v.kind = CLASCONV_BIFF_ERROR;
                } else {
                    v.kind = CLASCONV_BIFF_BOOLEAN;
                    v.code = v.code != 0;
                    v.number = v.code;
                }
                note_cell(sheet, v.row, v.col);
                st = add_value(ws, sheet, &v);
            }
            break;
        case REC_MERGEDCELLS:
            st = read_mergedcells(ws, sheet, &rec);
            break;
        case REC_NUMBER:
        case REC_RK:
        case REC_LABEL:
        case REC_LABELSST:
        case REC_BLANK:
        case REC_RSTRING:
            if (rec.len < 4) {
                return CLASCONV_BIFF_CORRUPT;
            }
            note_cell(sheet, get16(rec.body), get16(rec.body + 2));
            break;
        case REC_MULRK:
        case REC_MULBLANK:
            if (rec.len < 6) {
                return CLASCONV_BIFF_CORRUPT;
            } else {
                uint32_t first = get16(rec.body + 2);
                uint32_t last = get16(rec.body + rec.len - 2);
                note_cell(sheet, get16(rec.body), last > first ? last : first);
            }
            break;
        default:
            break;
        }
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
            free(sheet->values[k].text);
        }
        free(sheet->values);
        free(sheet->merges);
        free(sheet->name);
    }
    free(book->sheets);
    book->sheets = NULL;
    book->nsheets = 0;
    book->sheets_cap = 0;
}
