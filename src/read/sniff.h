/* sniff.h: private helpers of the format sniffer shared with read.c. */
#ifndef CLASCONV_READ_SNIFF_H
#define CLASCONV_READ_SNIFF_H

#include "clasconv/error.h"
#include "clasconv/read.h"

/** The one French message for a password-protected file, whatever its
 * kind (.xls with FILEPASS, OLE2-wrapped .xlsx/.docx, ODF). */
#define CLASCONV_MSG_PASSWORD                                                  \
    "Le fichier est protégé par un mot de passe : enregistrez-le sans mot "  \
    "de passe et renvoyez-le (dans Excel : Fichier > Informations > "          \
    "Protéger le classeur > Chiffrer avec mot de passe, videz le mot de "     \
    "passe ; dans LibreOffice : Fichier > Enregistrer sous, décochez "        \
    "« Enregistrer avec mot de passe »)."

/**
 * Writes in `diag` a French message saying what a file of `format` (one
 * with no reader, or an unknown one) is and what to do with it. `path` (may
 * be NULL) gives the extension to mention.
 */
void clasconv_format_explain(clasconv_format format, const char *path,
                             clasconv_diag *diag);

#endif
