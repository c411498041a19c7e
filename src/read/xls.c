/* xls.c: the .xls reader (BIFF5 and BIFF8): the OLE2 reader finds the
 * workbook stream in memory, the BIFF walker reads its cells. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clasconv/read.h"
#include "read/biff.h"
#include "read/ole2.h"
#include "read/sniff.h"

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
    clasconv_diag_set(diag, "%s", CLASCONV_MSG_PASSWORD);
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
    if (clasconv_ole2_find(ole, "Workbook", &index) != CLASCONV_OLE2_OK) {
        if (clasconv_ole2_find(ole, "Book", &index) != CLASCONV_OLE2_OK) {
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
                                "cellules, de feuilles ou de cellules "
                                "fusionnées pour être lu : enregistrez le "
                                "tableau CLAS seul dans un nouveau "
                                "classeur.");
        return CLASCONV_ERR_TOO_LARGE;
    case CLASCONV_BIFF_CORRUPT:
        break;
    }
    return damaged(diag, "enregistrements du classeur incomplets");
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

/* The cells and merges the walker found in one worksheet. */
static clasconv_error put_sheet(const clasconv_biff_book *book,
                                const clasconv_biff_sheet *bs,
                                clasconv_sheet *sheet, const char *name,
                                clasconv_diag *diag)
{
    char date[40];
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
        case CLASCONV_BIFF_SST:
            /* An index past the table names no string: the cell stays
             * empty, as in Excel. */
            if (v->sst_index < book->nsst) {
                text = book->sst[v->sst_index];
                err = clasconv_sheet_put_text(sheet, v->row, v->col, text,
                                              strlen(text), 0, 0, flags);
            }
            break;
        case CLASCONV_BIFF_DATE:
            if (clasconv_biff_date_text(v->number, book->date1904, v->code,
                                        date, sizeof date) == 0) {
                err = clasconv_sheet_put_text(sheet, v->row, v->col, date,
                                              strlen(date), 0, 0,
                                              flags | CLASCONV_CELL_DATE);
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

/* One grid sheet per worksheet (charts, macro sheets and VBA modules are
 * left out), named as in the book. */
static clasconv_error put_book(const clasconv_biff_book *book,
                               clasconv_grid *grid, clasconv_diag *diag)
{
    for (size_t i = 0; i < book->nsheets; i++) {
        const clasconv_biff_sheet *bs = &book->sheets[i];
        if (bs->type != CLASCONV_BIFF_SHEET_WORKSHEET) {
            continue;
        }
        const char *name = bs->name;
        char fallback[32];
        if (name == NULL || name[0] == '\0') {
            snprintf(fallback, sizeof fallback, "Feuille %zu", i + 1);
            name = fallback;
        }
        clasconv_error err = CLASCONV_OK;
        clasconv_sheet *sheet =
            clasconv_grid_add_sheet(grid, name, CLASCONV_REF_SHEET, 0, &err);
        if (sheet == NULL) {
            return put_failed(err, name, diag);
        }
        err = put_sheet(book, bs, sheet, name, diag);
        if (err != CLASCONV_OK) {
            return err;
        }
    }
    return CLASCONV_OK;
}

clasconv_error clasconv_read_xls(const clasconv_input *in, clasconv_grid *grid,
                                 clasconv_diag *diag)
{
    unsigned char *stream = NULL;
    size_t stream_size = 0;
    clasconv_biff_book book;
    memset(&book, 0, sizeof book);
    clasconv_error err = read_workbook_stream(in, &stream, &stream_size, diag);
    if (err == CLASCONV_OK) {
        err = walk_workbook(stream, stream_size, &book, diag);
    }
    free(stream);
    if (err == CLASCONV_OK) {
        err = put_book(&book, grid, diag);
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
