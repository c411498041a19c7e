/* error.c: error code descriptions and the diagnostic buffer. */
#include "clasconv/error.h"

#include <stdarg.h>
#include <stdio.h>

const char *clasconv_strerror(clasconv_error err)
{
    switch (err) {
    case CLASCONV_OK:
        return "succès";
    case CLASCONV_ERR_MEMORY:
        return "mémoire insuffisante";
    case CLASCONV_ERR_IO:
        return "erreur de lecture du fichier";
    case CLASCONV_ERR_FORMAT:
        return "fichier illisible ou d'un format non pris en charge";
    case CLASCONV_ERR_UNSUPPORTED:
        return "fichier protégé ou fonction non prise en charge";
    case CLASCONV_ERR_TOO_LARGE:
        return "fichier trop volumineux";
    case CLASCONV_ERR_NO_TABLE:
        return "tableau des dispositifs introuvable";
    case CLASCONV_ERR_WRITE:
        return "erreur d'écriture du résultat";
    case CLASCONV_ERR_USAGE:
        return "utilisation incorrecte";
    }
    return "erreur inconnue";
}

void clasconv_diag_set(clasconv_diag *diag, const char *fmt, ...)
{
    va_list ap;

    if (!diag)
        return;
    va_start(ap, fmt);
    vsnprintf(diag->message, sizeof diag->message, fmt, ap);
    va_end(ap);
}

void clasconv_diag_clear(clasconv_diag *diag)
{
    if (diag)
        diag->message[0] = '\0';
}
