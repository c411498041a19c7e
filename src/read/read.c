/* read.c: the dispatch from a sniffed format to its reader. */
#include "clasconv/read.h"
#include "read/sniff.h"

clasconv_error clasconv_read(clasconv_format format, const clasconv_input *in,
                             clasconv_grid *grid, clasconv_diag *diag)
{
    /* What every reader needs, checked once here (each reader keeps only
     * its own limits). */
    if (in == NULL || grid == NULL || (in->data == NULL && in->size > 0)) {
        clasconv_diag_set(diag, "Aucun fichier à lire.");
        return CLASCONV_ERR_USAGE;
    }
    if (in->size > CLASCONV_INPUT_MAX) {
        clasconv_diag_set(diag,
                          "Le fichier est trop volumineux (au plus %zu "
                          "Mo acceptés).",
                          CLASCONV_INPUT_MAX >> 20);
        return CLASCONV_ERR_TOO_LARGE;
    }
    switch (format) {
    case CLASCONV_FORMAT_CSV:
        return clasconv_read_csv(in, grid, diag);
    case CLASCONV_FORMAT_XLS:
        return clasconv_read_xls(in, grid, diag);
    case CLASCONV_FORMAT_XLSX:
        return clasconv_read_xlsx(in, grid, diag);
    case CLASCONV_FORMAT_ODS:
        return clasconv_read_ods(in, grid, diag);
    case CLASCONV_FORMAT_DOCX:
        return clasconv_read_docx(in, grid, diag);
    case CLASCONV_FORMAT_XML2003:
        return clasconv_read_xml2003(in, grid, diag);
    case CLASCONV_FORMAT_ODT:
        return clasconv_read_odt(in, grid, diag);
    case CLASCONV_FORMAT_HTML:
        return clasconv_read_html(in, grid, diag);
    case CLASCONV_FORMAT_DOC:
    case CLASCONV_FORMAT_RTF:
    case CLASCONV_FORMAT_XLSB:
    case CLASCONV_FORMAT_SYLK:
    case CLASCONV_FORMAT_DIF:
        return clasconv_read_converted(format, in, grid, diag);
    case CLASCONV_FORMAT_UNKNOWN:
    case CLASCONV_FORMAT_EMPTY:
    case CLASCONV_FORMAT_XML:
    case CLASCONV_FORMAT_PDF:
    case CLASCONV_FORMAT_ZIP_OTHER:
    case CLASCONV_FORMAT_OLE_OTHER:
    case CLASCONV_FORMAT_ENCRYPTED:
        break;
    }
    clasconv_format_explain(format, in->path, diag);
    return CLASCONV_ERR_FORMAT;
}
