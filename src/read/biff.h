/* biff.h: a bounded walker of BIFF5/BIFF8 workbook streams (private). It
 * collects what FreeXL does not give: formula cached results, booleans and
 * error values, merged ranges, sheet dimensions and encryption. */
#ifndef CLASCONV_READ_BIFF_H
#define CLASCONV_READ_BIFF_H

#include <stddef.h>
#include <stdint.h>

typedef enum clasconv_biff_status {
    CLASCONV_BIFF_OK = 0,
    CLASCONV_BIFF_CORRUPT,     /* truncated or inconsistent records */
    CLASCONV_BIFF_ENCRYPTED,   /* FILEPASS: password-protected workbook */
    CLASCONV_BIFF_UNSUPPORTED, /* not BIFF5 or BIFF8 */
    CLASCONV_BIFF_MEMORY,
    CLASCONV_BIFF_TOO_LARGE /* more values than the walker keeps */
} clasconv_biff_status;

/** Kinds of value the walker collects. */
typedef enum clasconv_biff_kind {
    CLASCONV_BIFF_NUMBER = 1,
    CLASCONV_BIFF_STRING, /* UTF-8 text (may be empty) */
    CLASCONV_BIFF_BOOLEAN,
    CLASCONV_BIFF_ERROR
} clasconv_biff_kind;

/** A FORMULA cached result or a BOOLERR constant. */
typedef struct clasconv_biff_value {
    uint32_t row, col;
    uint8_t kind;    /* clasconv_biff_kind */
    uint8_t formula; /* 1 for a FORMULA record, 0 for BOOLERR */
    uint8_t code;    /* BOOLEAN: 0/1; ERROR: the BIFF error code */
    double number;   /* NUMBER, and BOOLEAN as 0/1 */
    char *text;      /* STRING (UTF-8, NUL-terminated, owned); else NULL */
} clasconv_biff_value;

typedef struct clasconv_biff_range {
    uint32_t first_row, last_row, first_col, last_col;
} clasconv_biff_range;

/** Sheet types of BOUNDSHEET. */
#define CLASCONV_BIFF_SHEET_WORKSHEET 0
#define CLASCONV_BIFF_SHEET_MACRO 1
#define CLASCONV_BIFF_SHEET_CHART 2
#define CLASCONV_BIFF_SHEET_VBA 6

typedef struct clasconv_biff_sheet {
    char *name;         /* UTF-8, owned */
    uint32_t offset;    /* stream offset of the sheet's BOF */
    uint8_t type;       /* CLASCONV_BIFF_SHEET_* */
    uint8_t hidden;     /* 0 visible, 1 hidden, 2 very hidden */
    int found;          /* its substream was found */
    int has_dimensions; /* a DIMENSIONS record was seen */
    uint32_t dim_rows;  /* largest "last row + 1" in DIMENSIONS */
    uint32_t dim_cols;  /* largest "last column + 1" in DIMENSIONS */
    uint32_t used_rows; /* one past the largest row of a cell record */
    uint32_t used_cols; /* one past the largest column of a cell record */
    clasconv_biff_value *values;
    size_t nvalues, values_cap;
    clasconv_biff_range *merges;
    size_t nmerges, merges_cap;
} clasconv_biff_sheet;

typedef struct clasconv_biff_book {
    int version;       /* 5 or 8 */
    uint16_t codepage; /* CODEPAGE record (0 when absent) */
    int encrypted;     /* a FILEPASS record was seen */
    size_t end;        /* stream offset after the last substream walked */
    /* Rows x columns of every DIMENSIONS record anywhere in the stream
     * (FreeXL allocates that many cells for each): sum and largest. */
    uint64_t dim_cells_total;
    uint64_t dim_cells_max;
    /* BIFF5 8-bit text: UTF-8 of each byte in the book's codepage. */
    unsigned char cp_utf8[256][3];
    uint8_t cp_len[256];
    clasconv_biff_sheet *sheets;
    size_t nsheets, sheets_cap;
} clasconv_biff_book;

/** Most values (formulas + booleans/errors) kept for a whole book. */
#define CLASCONV_BIFF_MAX_VALUES 4000000u
/** Most sheets accepted in BOUNDSHEET. */
#define CLASCONV_BIFF_MAX_SHEETS 4096u

/**
 * Walks the workbook stream `data` (a `Workbook` or `Book` stream): the
 * globals substream, then every sheet substream. Fills `book` (zero it
 * first; free it with clasconv_biff_free whatever the result). Stops at
 * FILEPASS with CLASCONV_BIFF_ENCRYPTED. Also refuses (CORRUPT) the
 * records FreeXL would read past its buffer or take as an early end, so
 * that FreeXL only ever sees `data[0, book->end)` once it passed here.
 */
clasconv_biff_status clasconv_biff_read(const unsigned char *data, size_t size,
                                        clasconv_biff_book *book);

/** Frees what `book` holds (not `book` itself). */
void clasconv_biff_free(clasconv_biff_book *book);

/** The text of a BIFF error code ("#DIV/0!"...), "#N/A" when unknown. */
const char *clasconv_biff_error_text(uint8_t code);

#endif
