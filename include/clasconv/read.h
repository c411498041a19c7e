/* read.h: telling a file's format by content, and one reader per format. */
#ifndef CLASCONV_READ_H
#define CLASCONV_READ_H

#include <stddef.h>

#include "error.h"
#include "grid.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest input accepted (bytes). */
#define CLASCONV_INPUT_MAX ((size_t)200 << 20)

/** What a file is, told by its content. */
typedef enum clasconv_format {
    CLASCONV_FORMAT_UNKNOWN = 0, /* binary of no known kind */
    CLASCONV_FORMAT_CSV,
    CLASCONV_FORMAT_XLS,
    CLASCONV_FORMAT_XLSX,
    CLASCONV_FORMAT_ODS,
    CLASCONV_FORMAT_DOCX,
    CLASCONV_FORMAT_EMPTY, /* zero bytes, or only blanks */
    CLASCONV_FORMAT_HTML,  /* an HTML page (portal "Excel" exports) */
    CLASCONV_FORMAT_XML,   /* XML of another kind (Excel 2003 XML...) */
    CLASCONV_FORMAT_PDF,
    CLASCONV_FORMAT_ZIP_OTHER, /* a zip that is none of xlsx/ods/docx */
    CLASCONV_FORMAT_OLE_OTHER, /* OLE2 without a workbook (.doc, .msg) */
    CLASCONV_FORMAT_RTF,
    CLASCONV_FORMAT_XLSB,      /* Excel binary workbook (no reader) */
    CLASCONV_FORMAT_ENCRYPTED, /* password-protected Office/ODF file */
    CLASCONV_FORMAT_XML2003,   /* Excel 2003 XML (SpreadsheetML 2003) */
    CLASCONV_FORMAT_ODT,       /* OpenDocument text (LibreOffice Writer) */
    CLASCONV_FORMAT_DOC,       /* Word 97-2003 (OLE2 with a WordDocument) */
    CLASCONV_FORMAT_SYLK,      /* SYLK text spreadsheet (.slk) */
    CLASCONV_FORMAT_DIF        /* Data Interchange Format (.dif) */
} clasconv_format;

/** "csv", "xls", "xlsx", "ods", "docx", "odt", or a short word for the others.
 */
const char *clasconv_format_name(clasconv_format format);
/** Non-zero for the formats a reader exists for. */
int clasconv_format_readable(clasconv_format format);

/** The bytes of an input file, with its path (for messages only). */
typedef struct clasconv_input {
    const char *path;          /* may be NULL for in-memory inputs */
    const unsigned char *data; /* whole file */
    size_t size;
} clasconv_input;

/**
 * Tells the format from the first bytes (and, for zips, the names of the
 * parts). Never fails: unknown content gives CLASCONV_FORMAT_UNKNOWN.
 */
clasconv_format clasconv_sniff(const unsigned char *data, size_t size);

/**
 * Loads a whole file into memory (caller frees `*data`). Fails with IO
 * (French message naming the file) or TOO_LARGE (> CLASCONV_INPUT_MAX).
 */
clasconv_error clasconv_load_file(const char *path, unsigned char **data,
                                  size_t *size, clasconv_diag *diag);

/*
 * Readers. Each fills `grid` (then calls clasconv_grid_finish) or fails
 * with a French message in `diag` saying what is wrong and what to do.
 * They never print and never modify the input. They expect what
 * clasconv_read() checks once for all of them: `in` and `grid` not NULL,
 * `in->data` not NULL unless `in->size` is 0, and `in->size` at most
 * CLASCONV_INPUT_MAX (a reader keeps only its own limits).
 */
clasconv_error clasconv_read_csv(const clasconv_input *in, clasconv_grid *grid,
                                 clasconv_diag *diag);
clasconv_error clasconv_read_xls(const clasconv_input *in, clasconv_grid *grid,
                                 clasconv_diag *diag);
clasconv_error clasconv_read_xlsx(const clasconv_input *in, clasconv_grid *grid,
                                  clasconv_diag *diag);
clasconv_error clasconv_read_ods(const clasconv_input *in, clasconv_grid *grid,
                                 clasconv_diag *diag);
/** Excel 2003 XML workbooks (SpreadsheetML 2003, .xml or .xls). */
clasconv_error clasconv_read_xml2003(const clasconv_input *in,
                                     clasconv_grid *grid, clasconv_diag *diag);
clasconv_error clasconv_read_docx(const clasconv_input *in, clasconv_grid *grid,
                                  clasconv_diag *diag);
/** OpenDocument text (.odt): its tables as Word tables ("tableau N"). */
clasconv_error clasconv_read_odt(const clasconv_input *in, clasconv_grid *grid,
                                 clasconv_diag *diag);

/** HTML pages (web exports saved as .xls, Excel's .htm): each <table> as
 * a Word table ("tableau N", nested ones "tableau N.K"). */
clasconv_error clasconv_read_html(const clasconv_input *in, clasconv_grid *grid,
                                  clasconv_diag *diag);

/**
 * .doc, .rtf and .xlsb: converted by LibreOffice headless (when installed;
 * CLASCONV_SOFFICE=path or 0, CLASCONV_SOFFICE_TIMEOUT=seconds) in a
 * private temporary folder, then read as .docx/.xlsx, with the info
 * FILE_CONVERTED. Without LibreOffice, FORMAT with a French message saying
 * what to install or how to re-save the file.
 */
clasconv_error clasconv_read_converted(clasconv_format format,
                                       const clasconv_input *in,
                                       clasconv_grid *grid,
                                       clasconv_diag *diag);

/**
 * Reads `in` with the reader for `format`; for a format with no reader,
 * fails with FORMAT and a French message saying what the file is and what
 * to do (for instance: open it in Excel and save it as .xlsx). Fails first
 * with USAGE ("Aucun fichier à lire.") when `in` or `grid` is NULL or
 * `in->data` is NULL with bytes, and with TOO_LARGE when `in->size` is over
 * CLASCONV_INPUT_MAX.
 */
clasconv_error clasconv_read(clasconv_format format, const clasconv_input *in,
                             clasconv_grid *grid, clasconv_diag *diag);

#ifdef __cplusplus
}
#endif

#endif
