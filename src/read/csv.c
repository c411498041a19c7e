/* csv.c: reads a CSV file (any usual encoding and delimiter) into a grid. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "clasconv/anomaly.h"
#include "clasconv/read.h"
#include "core/grow.h"
#include "core/text.h"

/* Bytes and records looked at to choose the delimiter. */
#define CSV_SNIFF_BYTES ((size_t)64 << 10)
#define CSV_SNIFF_RECORDS 200u
/* Largest field libcsv may buffer; longer ones fail with TOO_LARGE. */
#define CSV_FIELD_MAX ((size_t)1 << 20)
/* libcsv grows its field buffer by this much at a time. */
#define CSV_BLOCK ((size_t)4096)

/* The parse state shared with libcsv's callbacks. */
typedef struct csv_ctx {
    clasconv_sheet *sheet;
    const char *text;     /* the whole decoded text, for offsets */
    uint32_t line;        /* physical line (1-based) of the current byte */
    uint32_t field_no;    /* 0-based index of the current field */
    uint32_t field_line;  /* line where the current field started */
    uint32_t record_line; /* line where the current record started */
    int field_started;    /* field_line is set for the current field */
    int record_started;   /* the current record has begun (not blank lines) */
    clasconv_error err;
    uint32_t err_line, err_field; /* where err happened */
    size_t err_len;               /* length of the field that failed */
} csv_ctx;

/* The decoded text and what it was decoded from. */
typedef struct decoded {
    const char *text;
    size_t len;
    char *owned; /* freed by the caller when the text had to be converted */
    const char *encoding;
    int assumed;
} decoded;

static clasconv_error decode(const unsigned char *data, size_t size, decoded *d)
{
    memset(d, 0, sizeof *d);
    if (size >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) {
        data += 3;
        size -= 3;
        if (!clasconv_utf8_valid((const char *)data, size)) {
            /* A BOM on broken UTF-8: keep the text, mark the bad bytes
             * with U+FFFD, and say the encoding was not quite what the
             * file declares. */
            clasconv_error err = clasconv_text_convert(
                "UTF-8", "UTF-8", 1, data, size, size * 3, &d->owned, &d->len);
            if (err != CLASCONV_OK)
                return err;
            d->text = d->owned;
            d->encoding = "UTF-8";
            d->assumed = 1;
            return CLASCONV_OK;
        }
        d->text = (const char *)data;
        d->len = size;
        d->encoding = "UTF-8";
        return CLASCONV_OK;
    }
    if (size >= 2 && ((data[0] == 0xFF && data[1] == 0xFE) ||
                      (data[0] == 0xFE && data[1] == 0xFF))) {
        clasconv_error err;
        const char *from = data[0] == 0xFF ? "UTF-16LE" : "UTF-16BE";
        data += 2;
        size -= 2;
        /* A 2-byte unit gives at most 3 bytes of UTF-8. */
        err = clasconv_text_convert(from, "UTF-8", 2, data, size,
                                    (size / 2 + 1) * 3, &d->owned, &d->len);
        if (err != CLASCONV_OK)
            return err;
        d->text = d->owned;
        d->encoding = "UTF-16";
        return CLASCONV_OK;
    }
    if (clasconv_utf8_valid((const char *)data, size)) {
        d->text = (const char *)data;
        d->len = size;
        d->encoding = "UTF-8";
        return CLASCONV_OK;
    }
    {
        clasconv_error err = clasconv_text_convert(
            "CP1252", "UTF-8", 1, data, size, size * 3, &d->owned, &d->len);
        if (err != CLASCONV_OK)
            return err;
        d->text = d->owned;
        d->encoding = "Windows-1252";
        d->assumed = 1;
        return CLASCONV_OK;
    }
}

/*
 * Counts `delim` per record outside quotes over the start of the text
 * (a quote opens a quoted field only at the start of a field).
 */
static size_t count_per_record(const char *t, size_t len, char delim,
                               uint32_t *counts, size_t max_records)
{
    size_t i, n = 0;
    uint32_t count = 0;
    int in_quotes = 0, field_start = 1, content = 0;
    for (i = 0; i < len && n < max_records; i++) {
        char c = t[i];
        if (in_quotes) {
            if (c == '"') {
                if (i + 1 < len && t[i + 1] == '"')
                    i++;
                else
                    in_quotes = 0;
            }
            continue;
        }
        if (c == '\r' || c == '\n') {
            if (content)
                counts[n++] = count;
            count = 0;
            content = 0;
            field_start = 1;
            continue;
        }
        content = 1;
        if (c == delim) {
            count++;
            field_start = 1;
        } else if (c == '"' && field_start) {
            in_quotes = 1;
            field_start = 0;
        } else {
            field_start = 0;
        }
    }
    /* The last record counts only if the text really ends there. */
    if (content && i == len && !in_quotes && n < max_records)
        counts[n++] = count;
    return n;
}

/*
 * Chooses among ';', ',' and tab: the delimiter found the same non-zero
 * number of times on the most records wins; then the larger number; then
 * the order ';', ',', tab (French exports use ';').
 */
static char sniff_delimiter(const char *t, size_t len)
{
    static const char candidates[] = {';', ',', '\t'};
    uint32_t counts[CSV_SNIFF_RECORDS];
    size_t best_freq = 0, c;
    uint32_t best_mode = 0;
    char best = ',';
    if (len > CSV_SNIFF_BYTES)
        len = CSV_SNIFF_BYTES;
    for (c = 0; c < sizeof candidates; c++) {
        size_t n =
            count_per_record(t, len, candidates[c], counts, CSV_SNIFF_RECORDS);
        size_t i, j, freq = 0;
        uint32_t mode = 0;
        for (i = 0; i < n; i++) {
            size_t f = 0;
            if (counts[i] == 0)
                continue;
            for (j = 0; j < n; j++)
                f += counts[j] == counts[i];
            if (f > freq || (f == freq && counts[i] > mode)) {
                freq = f;
                mode = counts[i];
            }
        }
        if (freq > best_freq || (freq == best_freq && mode > best_mode)) {
            best_freq = freq;
            best_mode = mode;
            best = candidates[c];
        }
    }
    return best;
}

/* libcsv's buffer grows through this hook (libcsv owns that buffer, so
 * clasconv_grow cannot): it refuses absurdly long fields. */
static void *field_buffer_hook(void *ptr, size_t size)
{
    return clasconv_realloc_capped(ptr, size, CSV_FIELD_MAX + CSV_BLOCK);
}

/*
 * What LibreOffice reads that strict CSV refuses (RFC 4180): spaces before
 * an opening quote (dropped), a quote inside an unquoted field (a
 * character), text after a closing quote on the same line (appended). The
 * text is rewritten into strict CSV with the same lines, and the first
 * such place is kept for the info anomaly. A quoted field that ran over
 * line breaks and is followed by text is a quote never closed: reported
 * at the line where it opens.
 */
typedef struct csv_lenient {
    size_t count;         /* fields rewritten */
    uint32_t line, field; /* the first one */
    int kind;             /* CSV_LENIENT_* of the first one */
    uint32_t open_line;   /* unclosed: where the quote opened */
    uint32_t open_field;
    int unclosed;
} csv_lenient;

enum { CSV_LENIENT_SPACE = 1, CSV_LENIENT_QUOTE, CSV_LENIENT_AFTER };

static void lenient_note(csv_lenient *l, int kind, uint32_t line,
                         uint32_t field)
{
    if (l->count++ == 0) {
        l->kind = kind;
        l->line = line;
        l->field = field;
    }
}

/* Appends `n` bytes of `src` to `out` (when writing), quotes doubled when
 * `escape`. */
static void put_bytes(char *out, size_t *o, const char *src, size_t n,
                      int escape)
{
    size_t i;
    if (out == NULL)
        return;
    for (i = 0; i < n; i++) {
        if (escape && src[i] == '"')
            out[(*o)++] = '"';
        out[(*o)++] = src[i];
    }
}

/*
 * One pass over the text: notes the lenient fields in `l` and, when `out`
 * is not NULL (room for 2 * len + 2 per field), writes the strict text.
 * Returns the output length.
 */
static size_t lenient_pass(const char *t, size_t len, char delim, char *out,
                           csv_lenient *l)
{
    size_t i = 0, o = 0;
    uint32_t line = 1, field = 1;
    memset(l, 0, sizeof *l);
    while (i < len) {
        size_t start = i, spaces = 0;
        char c = t[i];
        if (c == '\r' || c == '\n') {
            /* A line break ends the record (CRLF counts once). */
            put_bytes(out, &o, t + i, 1, 0);
            if (c == '\n' || i + 1 >= len || t[i + 1] != '\n')
                line++;
            field = 1;
            i++;
            continue;
        }
        while (i + spaces < len && t[i + spaces] == ' ')
            spaces++;
        if (i + spaces < len && t[i + spaces] == '"') {
            /* A quoted field, maybe after spaces LibreOffice drops. */
            uint32_t open_line = line;
            size_t q = i + spaces + 1, tail;
            int spanned = 0;
            while (q < len) {
                if (t[q] == '"') {
                    if (q + 1 < len && t[q + 1] == '"') {
                        q += 2;
                        continue;
                    }
                    break;
                }
                if (t[q] == '\n' ||
                    (t[q] == '\r' && (q + 1 >= len || t[q + 1] != '\n'))) {
                    line++;
                    spanned = 1;
                }
                q++;
            }
            if (q >= len) {
                /* Never closed: libcsv reports it at its opening line. */
                put_bytes(out, &o, t + i + spaces, len - i - spaces, 0);
                return o;
            }
            tail = q + 1;
            int blank_tail = 1;
            while (tail < len && t[tail] != delim && t[tail] != '\r' &&
                   t[tail] != '\n') {
                blank_tail &= t[tail] == ' ';
                tail++;
            }
            if (tail > q + 1 && spanned && !blank_tail && !l->unclosed) {
                l->unclosed = 1;
                l->open_line = open_line;
                l->open_field = field;
            }
            if (spaces > 0)
                lenient_note(l, CSV_LENIENT_SPACE, open_line, field);
            else if (tail > q + 1)
                lenient_note(l, CSV_LENIENT_AFTER, line, field);
            /* The quoted part as it is, the text after it escaped. */
            put_bytes(out, &o, t + i + spaces, q - i - spaces, 0);
            put_bytes(out, &o, t + q + 1, tail - q - 1, 1);
            put_bytes(out, &o, "\"", 1, 0);
            i = tail;
        } else {
            size_t end = i;
            int quote = 0;
            while (end < len && t[end] != delim && t[end] != '\r' &&
                   t[end] != '\n') {
                quote |= t[end] == '"';
                end++;
            }
            if (quote) {
                lenient_note(l, CSV_LENIENT_QUOTE, line, field);
                put_bytes(out, &o, "\"", 1, 0);
                put_bytes(out, &o, t + start, end - start, 1);
                put_bytes(out, &o, "\"", 1, 0);
            } else {
                put_bytes(out, &o, t + start, end - start, 0);
            }
            i = end;
        }
        if (i < len && t[i] == delim) {
            put_bytes(out, &o, t + i, 1, 0);
            field++;
            i++;
        }
    }
    return o;
}

/* Tells the pipeline (an info anomaly) where the CSV was read leniently. */
static clasconv_error note_lenient(clasconv_grid *grid, const csv_lenient *l,
                                   clasconv_diag *diag)
{
    char cell[64], message[512], more[96] = "";
    const char *what =
        l->kind == CSV_LENIENT_SPACE
            ? "des espaces avant un guillemet ouvrant ont été ignorés"
        : l->kind == CSV_LENIENT_QUOTE
            ? "un guillemet au milieu d'un champ a été lu comme un caractère"
            : "du texte après un guillemet fermant a été ajouté au champ";
    clasconv_error err;
    snprintf(cell, sizeof cell, "ligne %u, champ %u", (unsigned)l->line,
             (unsigned)l->field);
    if (l->count > 1)
        snprintf(more, sizeof more, " (et %zu autre%s champ%s)", l->count - 1,
                 l->count > 2 ? "s" : "", l->count > 2 ? "s" : "");
    snprintf(message, sizeof message,
             "Guillemets hors norme lus comme LibreOffice les lit : %s, "
             "%s%s. Vérifiez le texte de ce champ.",
             what, cell, more);
    err = clasconv_grid_add_note(grid, CLASCONV_A_CSV_QUOTE_LENIENT, cell,
                                 message);
    if (err != CLASCONV_OK)
        clasconv_diag_set(diag, "Mémoire insuffisante pour lire le fichier "
                                "CSV.");
    return err;
}

/* Never a space: fields keep their leading and trailing spaces. */
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

static int is_newline(unsigned char c)
{
    return c == '\r' || c == '\n';
}

static void on_field(void *s, size_t len, void *data)
{
    csv_ctx *ctx = data;
    uint32_t field = ctx->field_no;
    if (ctx->err != CLASCONV_OK)
        return;
    if (s != NULL && len > 0) {
        clasconv_error err =
            clasconv_sheet_put_text(ctx->sheet, ctx->record_line - 1, field, s,
                                    len, ctx->field_line, field + 1, 0);
        if (err != CLASCONV_OK) {
            ctx->err = err;
            ctx->err_line = ctx->field_line;
            ctx->err_field = field + 1;
            ctx->err_len = len;
            return;
        }
    }
    if (ctx->field_no == UINT32_MAX - 1) {
        ctx->err = CLASCONV_ERR_TOO_LARGE;
        ctx->err_line = ctx->field_line;
        ctx->err_field = field + 1;
        return;
    }
    ctx->field_no++;
    ctx->field_started = 0;
}

static void on_record(int c, void *data)
{
    csv_ctx *ctx = data;
    (void)c;
    ctx->field_no = 0;
    ctx->field_started = 0;
    ctx->record_started = 0;
}

/* The file's base name without its extension, or NULL. */
static char *sheet_name(const char *path)
{
    const char *base, *dot;
    size_t len;
    char *name;
    if (path == NULL)
        return NULL;
    base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    dot = strrchr(base, '.');
    len = dot != NULL && dot != base ? (size_t)(dot - base) : strlen(base);
    if (len == 0 || !clasconv_utf8_valid(base, len))
        return NULL;
    name = malloc(len + 1);
    if (name == NULL)
        return NULL;
    memcpy(name, base, len);
    name[len] = '\0';
    return name;
}

static void explain_limit(const csv_ctx *ctx, clasconv_diag *diag)
{
    if (ctx->err_len > CLASCONV_GRID_MAX_CELL_TEXT)
        clasconv_diag_set(diag,
                          "Le champ %u de la ligne %u est trop long (%zu "
                          "octets ; au plus %u par cellule) : ce fichier "
                          "n'est sans doute pas un tableau CLAS, ou il est "
                          "mal découpé. Ouvrez-le dans Excel ou LibreOffice "
                          "et enregistrez-le à nouveau au format CSV.",
                          (unsigned)ctx->err_field, (unsigned)ctx->err_line,
                          ctx->err_len, (unsigned)CLASCONV_GRID_MAX_CELL_TEXT);
    else if (ctx->err_field > CLASCONV_GRID_MAX_COLS)
        clasconv_diag_set(diag,
                          "La ligne %u a trop de champs (plus de %u) : ce "
                          "fichier n'est sans doute pas un tableau CLAS.",
                          (unsigned)ctx->err_line,
                          (unsigned)CLASCONV_GRID_MAX_COLS);
    else if (ctx->err_line > CLASCONV_GRID_MAX_ROWS)
        clasconv_diag_set(diag,
                          "Le fichier a trop de lignes (plus de %u) : ce "
                          "n'est sans doute pas un tableau CLAS.",
                          (unsigned)CLASCONV_GRID_MAX_ROWS);
    else
        clasconv_diag_set(diag,
                          "Le fichier est trop volumineux (limite atteinte "
                          "ligne %u, champ %u) : ce n'est sans doute pas un "
                          "tableau CLAS.",
                          (unsigned)ctx->err_line, (unsigned)ctx->err_field);
}

static void explain_syntax(uint32_t line, uint32_t field, int unclosed,
                           clasconv_diag *diag)
{
    if (unclosed)
        clasconv_diag_set(diag,
                          "Le fichier CSV est mal formé : un guillemet ouvert "
                          "ligne %u, champ %u n'est jamais refermé. Ouvrez le "
                          "fichier dans Excel ou LibreOffice, vérifiez cette "
                          "ligne, puis enregistrez-le à nouveau au format CSV "
                          "et recommencez.",
                          (unsigned)line, (unsigned)field);
    else
        clasconv_diag_set(diag,
                          "Le fichier CSV est mal formé ligne %u, champ %u : "
                          "un guillemet (\") est mal placé (un champ entre "
                          "guillemets doit commencer et finir par un "
                          "guillemet). Ouvrez le fichier dans Excel ou "
                          "LibreOffice, vérifiez cette ligne, puis "
                          "enregistrez-le à nouveau au format CSV et "
                          "recommencez.",
                          (unsigned)line, (unsigned)field);
}

/* Maps a libcsv failure to an error and a message. */
static clasconv_error parse_failed(struct csv_parser *parser,
                                   const csv_ctx *ctx, uint32_t line,
                                   int unclosed, clasconv_diag *diag)
{
    switch (csv_error(parser)) {
    case CSV_EPARSE:
        explain_syntax(line, ctx->field_no + 1, unclosed, diag);
        return CLASCONV_ERR_FORMAT;
    case CSV_ENOMEM:
    case CSV_ETOOBIG:
        if (csv_get_buffer_size(parser) + CSV_BLOCK >= CSV_FIELD_MAX) {
            clasconv_diag_set(diag,
                              "Un champ commençant ligne %u est démesurément "
                              "long (plus de %zu octets) : un guillemet n'est "
                              "sans doute pas refermé. Ouvrez le fichier dans "
                              "Excel ou LibreOffice, vérifiez cette ligne, "
                              "puis enregistrez-le à nouveau au format CSV.",
                              (unsigned)ctx->field_line, CSV_FIELD_MAX);
            return CLASCONV_ERR_TOO_LARGE;
        }
        clasconv_diag_set(diag, "Mémoire insuffisante pour lire le fichier "
                                "CSV.");
        return CLASCONV_ERR_MEMORY;
    default:
        break;
    }
    explain_syntax(line, ctx->field_no + 1, unclosed, diag);
    return CLASCONV_ERR_FORMAT;
}

/*
 * Feeds libcsv one piece at a time, each ending at a delimiter or line
 * break, so that the line and field of every callback are known: libcsv
 * itself skips blank lines and counts nothing.
 */
static clasconv_error parse(const char *t, size_t len, char delim, csv_ctx *ctx,
                            clasconv_diag *diag)
{
    struct csv_parser parser;
    size_t pos = 0;
    clasconv_error err = CLASCONV_OK;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL |
                              CSV_EMPTY_IS_NULL) != 0) {
        clasconv_diag_set(diag, "Mémoire insuffisante pour lire le fichier "
                                "CSV.");
        return CLASCONV_ERR_MEMORY;
    }
    csv_set_delim(&parser, (unsigned char)delim);
    csv_set_space_func(&parser, no_space);
    csv_set_realloc_func(&parser, field_buffer_hook);
    csv_set_blk_size(&parser, CSV_BLOCK);
    ctx->line = 1;
    while (pos < len) {
        size_t end = pos, piece;
        unsigned char last;
        while (end < len && t[end] != delim &&
               !is_newline((unsigned char)t[end]))
            end++;
        if (end < len)
            end++; /* the delimiter or line break ends the piece */
        piece = end - pos;
        /* Where a field (and maybe a record) starts: libcsv skips blank
         * lines between records, so a record starts at its first byte. */
        if (!ctx->field_started &&
            (ctx->record_started || !is_newline((unsigned char)t[pos]))) {
            ctx->field_started = 1;
            ctx->field_line = ctx->line;
            if (!ctx->record_started) {
                ctx->record_started = 1;
                ctx->record_line = ctx->line;
            }
        }
        if (csv_parse(&parser, t + pos, piece, on_field, on_record, ctx) !=
            piece) {
            err = parse_failed(&parser, ctx, ctx->line, 0, diag);
            break;
        }
        if (ctx->err != CLASCONV_OK)
            break;
        last = (unsigned char)t[end - 1];
        if (last == '\n' || (last == '\r' && (end == len || t[end] != '\n'))) {
            if (ctx->line == UINT32_MAX) {
                ctx->err = CLASCONV_ERR_TOO_LARGE;
                ctx->err_line = ctx->line;
                break;
            }
            ctx->line++;
        }
        pos = end;
    }
    if (err == CLASCONV_OK && ctx->err == CLASCONV_OK &&
        csv_fini(&parser, on_field, on_record, ctx) != 0)
        err = parse_failed(&parser, ctx, ctx->field_line, 1, diag);
    csv_free(&parser);
    if (err == CLASCONV_OK && ctx->err != CLASCONV_OK) {
        err = ctx->err;
        if (err == CLASCONV_ERR_TOO_LARGE)
            explain_limit(ctx, diag);
        else if (err == CLASCONV_ERR_MEMORY)
            clasconv_diag_set(diag, "Mémoire insuffisante pour lire le "
                                    "fichier CSV.");
        else
            clasconv_diag_set(diag,
                              "Le champ %u de la ligne %u n'a pas pu être "
                              "lu. Ouvrez le fichier dans Excel ou "
                              "LibreOffice et enregistrez-le à nouveau au "
                              "format CSV.",
                              (unsigned)ctx->err_field,
                              (unsigned)ctx->err_line);
    }
    return err;
}

static int only_blanks(const char *t, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++) {
        char c = t[i];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f' &&
            c != '\v')
            return 0;
    }
    return 1;
}

clasconv_error clasconv_read_csv(const clasconv_input *in, clasconv_grid *grid,
                                 clasconv_diag *diag)
{
    decoded d;
    csv_ctx ctx;
    clasconv_error err;
    char *name, *strict, delim;
    size_t strict_len;
    csv_lenient lenient;

    err = decode(in->data, in->size, &d);
    if (err == CLASCONV_ERR_MEMORY) {
        clasconv_diag_set(diag, "Mémoire insuffisante pour lire le fichier "
                                "CSV.");
        return err;
    }
    if (err != CLASCONV_OK) {
        clasconv_diag_set(diag,
                          "Le codage des caractères de ce fichier CSV n'a pas "
                          "pu être converti. Ouvrez-le dans Excel ou "
                          "LibreOffice et enregistrez-le à nouveau au format "
                          "CSV UTF-8.");
        return CLASCONV_ERR_FORMAT;
    }
    if (memchr(d.text, 0, d.len) != NULL) {
        free(d.owned);
        clasconv_diag_set(diag,
                          "Ce fichier contient des octets nuls : ce n'est pas "
                          "un fichier texte (CSV). Ouvrez-le dans son "
                          "logiciel, puis enregistrez-le au format Excel "
                          "(.xlsx) ou CSV et recommencez.");
        return CLASCONV_ERR_FORMAT;
    }
    if (only_blanks(d.text, d.len)) {
        free(d.owned);
        clasconv_diag_set(diag,
                          "Ce fichier est vide : il ne contient aucune "
                          "donnée. Vérifiez que vous avez transmis le bon "
                          "fichier, ou demandez à la commune de le renvoyer.");
        return CLASCONV_ERR_FORMAT;
    }
    err = clasconv_grid_set_encoding(grid, d.encoding, d.assumed);
    if (err != CLASCONV_OK) {
        free(d.owned);
        clasconv_diag_set(diag, "Mémoire insuffisante pour lire le fichier "
                                "CSV.");
        return err;
    }
    memset(&ctx, 0, sizeof ctx);
    name = sheet_name(in->path);
    ctx.sheet = clasconv_grid_add_sheet(grid, name != NULL ? name : "CSV",
                                        CLASCONV_REF_CSV, 0, &err);
    free(name);
    if (ctx.sheet == NULL) {
        free(d.owned);
        if (err == CLASCONV_OK)
            err = CLASCONV_ERR_MEMORY;
        clasconv_diag_set(diag, "Mémoire insuffisante pour lire le fichier "
                                "CSV.");
        return err;
    }
    delim = sniff_delimiter(d.text, d.len);
    lenient_pass(d.text, d.len, delim, NULL, &lenient);
    if (lenient.unclosed) {
        free(d.owned);
        explain_syntax(lenient.open_line, lenient.open_field, 1, diag);
        return CLASCONV_ERR_FORMAT;
    }
    if (lenient.count > 0) {
        /* Room: every quote doubled, two more per field. */
        strict = malloc(4 * d.len + 4);
        if (strict == NULL) {
            free(d.owned);
            clasconv_diag_set(diag, "Mémoire insuffisante pour lire le "
                                    "fichier CSV.");
            return CLASCONV_ERR_MEMORY;
        }
        strict_len = lenient_pass(d.text, d.len, delim, strict, &lenient);
        err = parse(strict, strict_len, delim, &ctx, diag);
        free(strict);
        if (err == CLASCONV_OK)
            err = note_lenient(grid, &lenient, diag);
    } else {
        err = parse(d.text, d.len, delim, &ctx, diag);
    }
    free(d.owned);
    if (err != CLASCONV_OK)
        return err;
    err = clasconv_grid_finish(grid);
    if (err != CLASCONV_OK)
        clasconv_diag_set(diag, err == CLASCONV_ERR_TOO_LARGE
                                    ? "Le fichier CSV dépasse les limites "
                                      "acceptées : ce n'est sans doute pas un "
                                      "tableau CLAS."
                                    : "Mémoire insuffisante pour lire le "
                                      "fichier CSV.");
    return err;
}
