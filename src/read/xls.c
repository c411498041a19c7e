/* xls.c: the .xls reader (BIFF5 and BIFF8): FreeXL for ordinary cells, the
 * OLE2 + BIFF walker for formula results, booleans, errors and merges. */
#include <errno.h>
#include <freexl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clasconv/read.h"
#include "read/biff.h"
#include "read/ole2.h"

/*
 * FreeXL allocates rows x columns x 16 bytes for every DIMENSIONS record
 * at open, before a single cell is read: a lone cell at IV65536 costs
 * 264 MB. The walker reads the dimensions first and the reader refuses a
 * sheet over XLS_MAX_SHEET_CELLS (64 MB in FreeXL) or a book over
 * XLS_MAX_BOOK_CELLS (256 MB). A CLAS table needs a few hundred cells.
 */
#define XLS_MAX_SHEET_CELLS 4000000u
#define XLS_MAX_BOOK_CELLS 16000000u

/* BIFF5 and BIFF8 sheets hold at most 65536 rows and 256 columns. */
#define XLS_MAX_ROWS 65536u
#define XLS_MAX_COLS 256u

#define MSG_DAMAGED                                                            \
    "Le fichier .xls est endommagé ou tronqué (%s) : demandez à la "        \
    "commune de le renvoyer, ou ouvrez-le dans Excel ou LibreOffice et "       \
    "enregistrez-le à nouveau (de préférence au format .xlsx)."

static clasconv_error damaged(clasconv_diag *diag, const char *detail)
{
    clasconv_diag_set(diag, MSG_DAMAGED, detail);
    return CLASCONV_ERR_FORMAT;
}

static clasconv_error out_of_memory(clasconv_diag *diag)
{
    clasconv_diag_set(diag, "Mémoire insuffisante pour lire le fichier "
                            ".xls : fermez d'autres programmes et "
                            "réessayez.");
    return CLASCONV_ERR_MEMORY;
}

static clasconv_error encrypted(clasconv_diag *diag)
{
    clasconv_diag_set(diag, "Le classeur .xls est protégé par un mot de passe "
                            "(chiffré) et ne peut pas être lu : ouvrez-le dans "
                            "Excel, retirez le mot de passe (Fichier > "
                            "Informations > Protéger le classeur) et "
                            "enregistrez-le à nouveau.");
    return CLASCONV_ERR_UNSUPPORTED;
}

/* An OLE2 file with no workbook stream: say what it seems to be. */
static clasconv_error not_a_workbook(const clasconv_ole2 *ole,
                                     clasconv_diag *diag)
{
    size_t index;
    if (clasconv_ole2_find(ole, "WordDocument", &index) == CLASCONV_OLE2_OK) {
        clasconv_diag_set(diag,
                          "Le fichier est un document Word (.doc), pas un "
                          "classeur Excel : copiez le tableau CLAS dans "
                          "Excel et enregistrez-le au format .xlsx, ou "
                          "enregistrez le document au format .docx.");
    } else if (clasconv_ole2_find(ole, "__properties_version1.0", &index) ==
               CLASCONV_OLE2_OK) {
        clasconv_diag_set(diag,
                          "Le fichier est un message Outlook (.msg), pas un "
                          "classeur Excel : ouvrez le message, enregistrez "
                          "la pièce jointe Excel qu'il contient et "
                          "convertissez ce fichier-là.");
    } else if (clasconv_ole2_find(ole, "PowerPoint Document", &index) ==
               CLASCONV_OLE2_OK) {
        clasconv_diag_set(diag,
                          "Le fichier est une présentation PowerPoint, pas "
                          "un classeur Excel : saisissez le tableau CLAS "
                          "dans Excel et enregistrez-le au format .xlsx.");
    } else {
        clasconv_diag_set(diag,
                          "Le fichier est un document Office qui n'est pas "
                          "un classeur Excel (aucune feuille de calcul) : "
                          "ouvrez le tableau CLAS dans Excel et "
                          "enregistrez-le au format .xlsx.");
    }
    return CLASCONV_ERR_FORMAT;
}

/* Extracts the `Workbook` (BIFF8) or `Book` (BIFF5) stream. */
static clasconv_error read_workbook_stream(const clasconv_input *in,
                                           unsigned char **stream, size_t *size,
                                           const char **name,
                                           clasconv_diag *diag)
{
    clasconv_ole2 *ole = NULL;
    clasconv_ole2_status st = clasconv_ole2_open(in->data, in->size, &ole);
    switch (st) {
    case CLASCONV_OLE2_OK:
        break;
    case CLASCONV_OLE2_MEMORY:
        return out_of_memory(diag);
    case CLASCONV_OLE2_NOT_OLE2:
        clasconv_diag_set(diag,
                          "Le fichier n'est pas un classeur Excel .xls "
                          "(contenu non reconnu) : ouvrez-le dans Excel ou "
                          "LibreOffice et enregistrez-le au format .xlsx.");
        return CLASCONV_ERR_FORMAT;
    case CLASCONV_OLE2_CORRUPT:
    case CLASCONV_OLE2_NOT_FOUND:
    case CLASCONV_OLE2_TOO_LARGE:
        return damaged(diag, "structure du fichier composé invalide");
    }
    size_t index;
    *name = "Workbook";
    if (clasconv_ole2_find(ole, *name, &index) != CLASCONV_OLE2_OK) {
        *name = "Book";
        if (clasconv_ole2_find(ole, *name, &index) != CLASCONV_OLE2_OK) {
            clasconv_error err = not_a_workbook(ole, diag);
            clasconv_ole2_free(ole);
            return err;
        }
    }
    st = clasconv_ole2_read(ole, index, stream, size);
    clasconv_ole2_free(ole);
    switch (st) {
    case CLASCONV_OLE2_OK:
        return CLASCONV_OK;
    case CLASCONV_OLE2_MEMORY:
        return out_of_memory(diag);
    case CLASCONV_OLE2_TOO_LARGE:
        clasconv_diag_set(diag, "Le classeur .xls est trop volumineux pour "
                                "être lu : enregistrez le tableau CLAS seul "
                                "dans un nouveau classeur.");
        return CLASCONV_ERR_TOO_LARGE;
    case CLASCONV_OLE2_NOT_OLE2:
    case CLASCONV_OLE2_CORRUPT:
    case CLASCONV_OLE2_NOT_FOUND:
        break;
    }
    return damaged(diag, "flux du classeur illisible");
}

static clasconv_error walk_workbook(const unsigned char *stream, size_t size,
                                    clasconv_biff_book *book,
                                    clasconv_diag *diag)
{
    switch (clasconv_biff_read(stream, size, book)) {
    case CLASCONV_BIFF_OK:
        return CLASCONV_OK;
    case CLASCONV_BIFF_ENCRYPTED:
        return encrypted(diag);
    case CLASCONV_BIFF_MEMORY:
        return out_of_memory(diag);
    case CLASCONV_BIFF_UNSUPPORTED:
        clasconv_diag_set(diag,
                          "Le fichier .xls est dans un format Excel trop "
                          "ancien (Excel 2 à 4) ou inconnu : ouvrez-le dans "
                          "Excel ou LibreOffice et enregistrez-le au format "
                          ".xlsx.");
        return CLASCONV_ERR_UNSUPPORTED;
    case CLASCONV_BIFF_TOO_LARGE:
        clasconv_diag_set(diag, "Le classeur .xls contient trop de "
                                "formules, de feuilles ou de cellules "
                                "fusionnées pour être lu : enregistrez le "
                                "tableau CLAS seul dans un nouveau "
                                "classeur.");
        return CLASCONV_ERR_TOO_LARGE;
    case CLASCONV_BIFF_CORRUPT:
        break;
    }
    return damaged(diag, "enregistrements du classeur incomplets");
}

/* Refuses a book whose sheets would make FreeXL allocate too much. */
static clasconv_error check_size(const clasconv_biff_book *book,
                                 clasconv_diag *diag)
{
    uint64_t total = book->dim_cells_total;
    uint64_t largest = book->dim_cells_max;
    const clasconv_biff_sheet *worst = NULL;
    uint64_t worst_cells = 0;
    for (size_t i = 0; i < book->nsheets; i++) {
        const clasconv_biff_sheet *sheet = &book->sheets[i];
        uint64_t cells;
        if (sheet->has_dimensions) {
            cells = (uint64_t)sheet->dim_rows * sheet->dim_cols;
        } else {
            /* FreeXL sizes such a sheet from its cell records. */
            cells = ((uint64_t)sheet->used_rows + 1) *
                    ((uint64_t)sheet->used_cols + 1);
            total += cells;
            if (cells > largest) {
                largest = cells;
            }
        }
        if (cells > worst_cells) {
            worst_cells = cells;
            worst = sheet;
        }
    }
    if (largest <= XLS_MAX_SHEET_CELLS && total <= XLS_MAX_BOOK_CELLS) {
        return CLASCONV_OK;
    }
    if (worst != NULL && worst_cells > XLS_MAX_SHEET_CELLS) {
        uint32_t rows =
            worst->has_dimensions ? worst->dim_rows : worst->used_rows;
        uint32_t cols =
            worst->has_dimensions ? worst->dim_cols : worst->used_cols;
        clasconv_diag_set(diag,
                          "La feuille « %s » du fichier .xls s'étend sur %u "
                          "lignes et %u colonnes, au-delà de la limite de %u "
                          "cellules par feuille : supprimez les lignes et "
                          "colonnes vides ou lointaines en fin de feuille "
                          "(ou copiez le tableau CLAS dans un nouveau "
                          "classeur) puis réessayez.",
                          worst->name != NULL ? worst->name : "?",
                          (unsigned)rows, (unsigned)cols,
                          (unsigned)XLS_MAX_SHEET_CELLS);
    } else {
        clasconv_diag_set(diag,
                          "Les feuilles du fichier .xls s'étendent sur plus "
                          "de %u cellules au total : supprimez les feuilles "
                          "inutiles ou copiez le tableau CLAS dans un "
                          "nouveau classeur, puis réessayez.",
                          (unsigned)XLS_MAX_BOOK_CELLS);
    }
    return CLASCONV_ERR_TOO_LARGE;
}

/*
 * FreeXL needs a path. It is never given the input file itself but a
 * private temporary compound file holding only the workbook stream the
 * walker checked, cut after its last substream: FreeXL's own OLE2 code
 * (directory names, mini stream, DIFAT) then never sees hostile
 * structures, and it reads exactly the records the walker accepted.
 * `path` receives the name (to unlink).
 */
static clasconv_error write_temp(const char *name, const unsigned char *stream,
                                 size_t size, char *path, size_t path_size,
                                 clasconv_diag *diag)
{
    const char *dir = getenv("TMPDIR");
    if (dir == NULL || dir[0] == '\0') {
        dir = "/tmp";
    }
    int n = snprintf(path, path_size, "%s/clasconv-xls-XXXXXX", dir);
    if (n < 0 || (size_t)n >= path_size) {
        path[0] = '\0';
        clasconv_diag_set(diag, "Le nom du dossier temporaire (TMPDIR) est "
                                "trop long : choisissez un dossier plus "
                                "court.");
        return CLASCONV_ERR_IO;
    }
    int fd = mkstemp(path);
    if (fd < 0) {
        int e = errno;
        path[0] = '\0';
        clasconv_diag_set(diag,
                          "Impossible de créer un fichier temporaire dans "
                          "« %s » pour lire le classeur .xls (%s) : "
                          "vérifiez ce dossier (variable TMPDIR).",
                          dir, strerror(e));
        return CLASCONV_ERR_IO;
    }
    if (clasconv_ole2_write_single(fd, name, stream, size) != 0) {
        int e = errno;
        close(fd);
        clasconv_diag_set(diag,
                          "Impossible d'écrire le fichier temporaire « %s » "
                          "(%s) : vérifiez l'espace libre du dossier "
                          "temporaire (variable TMPDIR).",
                          path, strerror(e));
        return CLASCONV_ERR_IO;
    }
    if (close(fd) != 0) {
        clasconv_diag_set(diag,
                          "Impossible d'écrire le fichier temporaire « %s » "
                          ": vérifiez l'espace libre du dossier temporaire.",
                          path);
        return CLASCONV_ERR_IO;
    }
    return CLASCONV_OK;
}

/* A grid error while filling cells, as a French message. */
static clasconv_error put_failed(clasconv_error err, const char *sheet,
                                 clasconv_diag *diag)
{
    switch (err) {
    case CLASCONV_ERR_MEMORY:
        return out_of_memory(diag);
    case CLASCONV_ERR_TOO_LARGE:
        clasconv_diag_set(diag,
                          "La feuille « %s » du fichier .xls contient trop "
                          "de cellules, de texte ou de cellules fusionnées : "
                          "copiez le tableau CLAS seul dans un nouveau "
                          "classeur, puis réessayez.",
                          sheet);
        return CLASCONV_ERR_TOO_LARGE;
    default:
        return damaged(diag, "cellule illisible");
    }
}

static clasconv_error put_number_checked(clasconv_sheet *sheet, uint32_t row,
                                         uint32_t col, double value,
                                         unsigned flags)
{
    if (!isfinite(value)) {
        /* NaN and infinities are no number a spreadsheet shows. */
        const char *text = clasconv_biff_error_text(0x24);
        return clasconv_sheet_put_text(
            sheet, row, col, text, strlen(text), 0, 0,
            (flags & CLASCONV_CELL_FORMULA) | CLASCONV_CELL_ERROR);
    }
    return clasconv_sheet_put_number(sheet, row, col, value, flags);
}

/* The ordinary cells of the active FreeXL sheet. */
static clasconv_error put_freexl_cells(const void *handle,
                                       clasconv_sheet *sheet, const char *name,
                                       clasconv_diag *diag)
{
    unsigned int rows = 0;
    unsigned short cols = 0;
    if (freexl_worksheet_dimensions(handle, &rows, &cols) != FREEXL_OK) {
        return damaged(diag, "dimensions d'une feuille illisibles");
    }
    if (rows > XLS_MAX_ROWS) {
        rows = XLS_MAX_ROWS;
    }
    if (cols > XLS_MAX_COLS) {
        cols = XLS_MAX_COLS;
    }
    for (unsigned int r = 0; r < rows; r++) {
        for (unsigned short c = 0; c < cols; c++) {
            FreeXL_CellValue value;
            if (freexl_get_cell_value(handle, r, c, &value) != FREEXL_OK) {
                return damaged(diag, "cellule illisible");
            }
            clasconv_error err = CLASCONV_OK;
            switch (value.type) {
            case FREEXL_CELL_INT:
                err = clasconv_sheet_put_number(sheet, r, c,
                                                value.value.int_value, 0);
                break;
            case FREEXL_CELL_DOUBLE:
                err = put_number_checked(sheet, r, c, value.value.double_value,
                                         0);
                break;
            case FREEXL_CELL_TEXT:
            case FREEXL_CELL_SST_TEXT:
            case FREEXL_CELL_DATE:
            case FREEXL_CELL_DATETIME:
            case FREEXL_CELL_TIME:
                if (value.value.text_value != NULL) {
                    unsigned flags = value.type == FREEXL_CELL_TEXT ||
                                             value.type == FREEXL_CELL_SST_TEXT
                                         ? 0
                                         : CLASCONV_CELL_DATE;
                    err = clasconv_sheet_put_text(
                        sheet, r, c, value.value.text_value,
                        strlen(value.value.text_value), 0, 0, flags);
                }
                break;
            default:
                break; /* FREEXL_CELL_NULL: blank, or a formula */
            }
            if (err != CLASCONV_OK) {
                return put_failed(err, name, diag);
            }
        }
    }
    return CLASCONV_OK;
}

/* What the walker found: formula results, booleans, errors, merges. */
static clasconv_error put_walker_values(const clasconv_biff_sheet *bs,
                                        clasconv_sheet *sheet, const char *name,
                                        clasconv_diag *diag)
{
    for (size_t i = 0; i < bs->nvalues; i++) {
        const clasconv_biff_value *v = &bs->values[i];
        if (v->row >= XLS_MAX_ROWS || v->col >= XLS_MAX_COLS) {
            continue; /* outside any BIFF sheet: a malformed record */
        }
        unsigned flags = v->formula ? CLASCONV_CELL_FORMULA : 0;
        clasconv_error err = CLASCONV_OK;
        const char *text;
        switch (v->kind) {
        case CLASCONV_BIFF_NUMBER:
            err = put_number_checked(sheet, v->row, v->col, v->number, flags);
            break;
        case CLASCONV_BIFF_STRING:
            if (v->text != NULL) {
                err = clasconv_sheet_put_text(sheet, v->row, v->col, v->text,
                                              strlen(v->text), 0, 0, flags);
            }
            break;
        case CLASCONV_BIFF_BOOLEAN:
            err = clasconv_sheet_put_number(sheet, v->row, v->col, v->number,
                                            flags | CLASCONV_CELL_BOOLEAN);
            break;
        case CLASCONV_BIFF_ERROR:
            text = clasconv_biff_error_text(v->code);
            err = clasconv_sheet_put_text(sheet, v->row, v->col, text,
                                          strlen(text), 0, 0,
                                          flags | CLASCONV_CELL_ERROR);
            break;
        default:
            break;
        }
        if (err != CLASCONV_OK) {
            return put_failed(err, name, diag);
        }
    }
    for (size_t i = 0; i < bs->nmerges; i++) {
        const clasconv_biff_range *r = &bs->merges[i];
        if (r->last_row >= XLS_MAX_ROWS || r->last_col >= XLS_MAX_COLS) {
            continue;
        }
        clasconv_merge merge = {r->first_row, r->first_col, r->last_row,
                                r->last_col};
        clasconv_error err = clasconv_sheet_add_merge(sheet, merge);
        if (err != CLASCONV_OK) {
            return put_failed(err, name, diag);
        }
    }
    return CLASCONV_OK;
}

static clasconv_error freexl_failed(int ret, clasconv_diag *diag)
{
    char detail[64];
    if (ret == FREEXL_INSUFFICIENT_MEMORY) {
        return out_of_memory(diag);
    }
    snprintf(detail, sizeof detail, "FreeXL, code %d", ret);
    return damaged(diag, detail);
}

/* Opens the file with FreeXL and fills `grid` sheet by sheet. */
static clasconv_error read_with_freexl(const char *path,
                                       const clasconv_biff_book *book,
                                       clasconv_grid *grid, clasconv_diag *diag)
{
    const void *handle = NULL;
    int ret = freexl_open(path, &handle);
    clasconv_error err = CLASCONV_OK;
    if (ret != FREEXL_OK || handle == NULL) {
        err = freexl_failed(ret != FREEXL_OK ? ret : FREEXL_NULL_HANDLE, diag);
        goto done;
    }
    /* FreeXL 1.0.5 returned another number than FREEXL_BIFF_OBFUSCATED
     * for an encrypted book: anything but PLAIN is taken as FILEPASS. */
    unsigned int info = FREEXL_BIFF_PLAIN;
    if (freexl_get_info(handle, FREEXL_BIFF_PASSWORD, &info) == FREEXL_OK &&
        info != FREEXL_BIFF_PLAIN) {
        err = encrypted(diag);
        goto done;
    }
    unsigned int count = 0;
    ret = freexl_get_info(handle, FREEXL_BIFF_SHEET_COUNT, &count);
    if (ret != FREEXL_OK) {
        err = freexl_failed(ret, diag);
        goto done;
    }
    if (count != book->nsheets) {
        err = damaged(diag, "liste des feuilles incohérente");
        goto done;
    }
    for (unsigned int i = 0; i < count && i <= 0xFFFFu; i++) {
        const clasconv_biff_sheet *bs = &book->sheets[i];
        if (bs->type != CLASCONV_BIFF_SHEET_WORKSHEET) {
            continue; /* charts, macro sheets, VBA modules */
        }
        const char *name = NULL;
        if (freexl_get_worksheet_name(handle, (unsigned short)i, &name) !=
                FREEXL_OK ||
            name == NULL || name[0] == '\0') {
            name = bs->name;
        }
        char fallback[32];
        if (name == NULL || name[0] == '\0') {
            snprintf(fallback, sizeof fallback, "Feuille %u", i + 1);
            name = fallback;
        }
        clasconv_sheet *sheet =
            clasconv_grid_add_sheet(grid, name, CLASCONV_REF_SHEET, 0, &err);
        if (sheet == NULL) {
            err = put_failed(err, name, diag);
            goto done;
        }
        ret = freexl_select_active_worksheet(handle, (unsigned short)i);
        if (ret != FREEXL_OK) {
            err = freexl_failed(ret, diag);
            goto done;
        }
        err = put_freexl_cells(handle, sheet, name, diag);
        if (err == CLASCONV_OK) {
            err = put_walker_values(bs, sheet, name, diag);
        }
        if (err != CLASCONV_OK) {
            goto done;
        }
    }
done:
    freexl_close(handle); /* also after a failed open (NULL is harmless) */
    return err;
}

clasconv_error clasconv_read_xls(const clasconv_input *in, clasconv_grid *grid,
                                 clasconv_diag *diag)
{
    if (in == NULL || grid == NULL || (in->data == NULL && in->size > 0)) {
        clasconv_diag_set(diag, "Lecture .xls : entrée invalide.");
        return CLASCONV_ERR_USAGE;
    }
    unsigned char *stream = NULL;
    size_t stream_size = 0;
    const char *stream_name = "Workbook";
    clasconv_biff_book book;
    memset(&book, 0, sizeof book);
    char temp[4096] = "";
    clasconv_error err =
        read_workbook_stream(in, &stream, &stream_size, &stream_name, diag);
    if (err == CLASCONV_OK) {
        err = walk_workbook(stream, stream_size, &book, diag);
    }
    if (err == CLASCONV_OK) {
        err = check_size(&book, diag);
    }
    if (err == CLASCONV_OK) {
        err =
            write_temp(stream_name, stream, book.end, temp, sizeof temp, diag);
    }
    free(stream);
    if (err == CLASCONV_OK) {
        err = read_with_freexl(temp, &book, grid, diag);
    }
    if (temp[0] != '\0') {
        unlink(temp);
    }
    clasconv_biff_free(&book);
    if (err == CLASCONV_OK) {
        err = clasconv_grid_finish(grid);
        if (err != CLASCONV_OK) {
            err = put_failed(err, "?", diag);
        }
    }
    return err;
}
