/* biff.h: a bounded reader of BIFF5/BIFF8 workbook streams (private): every
 * cell record (numbers, texts, shared strings, rich text, formula cached
 * results, booleans, errors, dates from XF/FORMAT), merged ranges, sheet
 * names and encryption. */
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

/** Kinds of cell the walker collects. */
typedef enum clasconv_biff_kind {
    CLASCONV_BIFF_NUMBER = 1,
    CLASCONV_BIFF_STRING, /* UTF-8 text in `text` (may be empty) */
    CLASCONV_BIFF_BOOLEAN,
    CLASCONV_BIFF_ERROR,
    CLASCONV_BIFF_SST, /* LABELSST: the book's shared string `sst_index` */
    CLASCONV_BIFF_DATE /* a number under a date format (`code`: kind) */
} clasconv_biff_kind;

/** Date formats of CLASCONV_BIFF_DATE values (their `code`). */
#define CLASCONV_BIFF_DATE_ONLY 1 /* "YYYY-MM-DD" */
#define CLASCONV_BIFF_DATETIME 2  /* "YYYY-MM-DD HH:MM:SS" */
#define CLASCONV_BIFF_TIME 3      /* "HH:MM:SS" */

/** One cell record: NUMBER, RK/MULRK, LABEL, RSTRING, LABELSST, BOOLERR,
 * or a FORMULA's cached result. 24 bytes: a book holds millions. */
typedef struct clasconv_biff_value {
    uint32_t row;
    uint16_t col;
    uint8_t kind;    /* clasconv_biff_kind */
    uint8_t formula; /* 1 for a FORMULA record */
    uint8_t code;    /* BOOLEAN: 0/1; ERROR: BIFF error code; DATE: kind */
    union {
        double number;      /* NUMBER, DATE (the serial), BOOLEAN as 0/1 */
        char *text;         /* STRING (UTF-8, NUL-terminated, owned) */
        uint32_t sst_index; /* SST */
    };
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
    int date1904;      /* DATEMODE: serials count from 1904-01-01 */
    size_t end;        /* stream offset after the last substream walked */
    /* BIFF5 8-bit text: an iconv descriptor for the book's codepage, or
     * (void *)-1 for the built-in Windows-1252 table below. */
    void *cp_iconv;
    unsigned char cp_utf8[256][3];
    uint8_t cp_len[256];
    /* XF records: the number format of each; FORMAT records: the date
     * kind (0 or CLASCONV_BIFF_DATE_*) of each custom format index. */
    uint16_t *xf_formats;
    size_t nxf, xf_cap;
    uint8_t *format_kinds; /* 65536 entries, allocated at the first FORMAT */
    /* SST: the shared strings (UTF-8, owned). */
    char **sst;
    size_t nsst, sst_cap;
    clasconv_biff_sheet *sheets;
    size_t nsheets, sheets_cap;
} clasconv_biff_book;

/** Most cells kept for a whole book (the grid's own cap). */
#define CLASCONV_BIFF_MAX_VALUES 4000000u
/** Most shared strings kept (FreeXL's limit too; each costs an allocation
 * even when empty). */
#define CLASCONV_BIFF_MAX_SST 1000000u
/** Most sheets accepted in BOUNDSHEET. */
#define CLASCONV_BIFF_MAX_SHEETS 4096u

/**
 * Walks the workbook stream `data` (a `Workbook` or `Book` stream): the
 * globals substream, then every sheet substream. Fills `book` (zero it
 * first; free it with clasconv_biff_free whatever the result). Stops at
 * FILEPASS with CLASCONV_BIFF_ENCRYPTED. A record running past the end of
 * the stream, a substream without its EOF or a string running past its
 * records is CORRUPT; more than CLASCONV_BIFF_MAX_VALUES cells TOO_LARGE.
 */
clasconv_biff_status clasconv_biff_read(const unsigned char *data, size_t size,
                                        clasconv_biff_book *book);

/** Frees what `book` holds (not `book` itself). */
void clasconv_biff_free(clasconv_biff_book *book);

/**
 * Writes the text of date `serial` (a CLASCONV_BIFF_DATE value's number)
 * for `kind` into `out` (at least 32 bytes). Returns 0, or -1 when the
 * serial is no date (negative, beyond 9999, not finite).
 */
int clasconv_biff_date_text(double serial, int date1904, int kind, char *out,
                            size_t out_size);

/** The text of a BIFF error code ("#DIV/0!"...), "#N/A" when unknown. */
const char *clasconv_biff_error_text(uint8_t code);

#endif
