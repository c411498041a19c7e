/* error.c: error code descriptions, the one errno -> French table and the
 * diagnostic buffer. */
#include "clasconv/error.h"

#include <errno.h>
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

/* The one errno -> French table: a short reason, and what the user can do
 * (NULL when there is nothing to advise). */
typedef struct errno_text {
    int err;
    const char *reason;
    const char *advice;
} errno_text;

static const errno_text errno_texts[] = {
    {ENOSPC, "disque plein",
     "Libérez de la place ou choisissez un autre emplacement"},
#ifdef EDQUOT
    {EDQUOT, "disque plein",
     "Libérez de la place ou choisissez un autre emplacement"},
#endif
    {EFBIG, "disque plein",
     "Libérez de la place ou choisissez un autre emplacement"},
    {EACCES, "permission refusée",
     "Choisissez un dossier où vous avez le droit d'écrire"},
    {EPERM, "permission refusée",
     "Choisissez un dossier où vous avez le droit d'écrire"},
    {EROFS, "le disque est en lecture seule",
     "Choisissez un autre emplacement"},
    {ENOENT, "le dossier n'existe pas",
     "Créez-le ou choisissez un autre emplacement"},
    {ENOTDIR, "un élément du chemin n'est pas un dossier",
     "Vérifiez le chemin"},
    {EISDIR, "c'est un dossier", "Indiquez un nom de fichier"},
    {ENAMETOOLONG, "le nom est trop long", "Choisissez un nom plus court"},
    {EIO, "erreur d'entrée-sortie sur le disque",
     "Vérifiez le disque et réessayez"},
    {ENOMEM, "mémoire insuffisante", NULL},
    {EMFILE, "trop de fichiers ouverts", "Fermez des programmes et réessayez"},
    {ENFILE, "trop de fichiers ouverts", "Fermez des programmes et réessayez"},
    {ELOOP, "lien symbolique en boucle", NULL},
    {EEXIST, "le fichier existe déjà", NULL},
    {ENOTEMPTY, "le dossier n'est pas vide", NULL},
    {EBUSY, "le fichier est occupé par un autre programme", NULL},
    {ETXTBSY, "le fichier est occupé par un autre programme", NULL},
    {EXDEV, "les deux chemins sont sur des disques différents", NULL},
    {EINVAL, "opération refusée par le système", NULL},
    {EAGAIN, "ressource momentanément indisponible", NULL},
    {EINTR, "opération interrompue", NULL},
    {ENXIO, "périphérique introuvable", NULL},
    {ENODEV, "périphérique introuvable", NULL},
    {ESPIPE, "ce n'est pas un fichier ordinaire", NULL},
    {EOVERFLOW, "fichier trop volumineux", NULL},
    {EBADF, "fichier fermé trop tôt (erreur interne)", NULL},
    {ETIMEDOUT, "délai dépassé", NULL},
    {EPIPE, "la sortie a été fermée", NULL},
    {ENOSYS, "opération non prise en charge par le système", NULL},
    {ENOTSUP, "opération non prise en charge par ce disque", NULL},
#ifdef ESTALE
    {ESTALE, "fichier réseau devenu inaccessible", NULL},
#endif
};

static const errno_text *errno_find(int err)
{
    size_t i;

    for (i = 0; i < sizeof errno_texts / sizeof *errno_texts; i++) {
        if (errno_texts[i].err == err)
            return &errno_texts[i];
    }
    return NULL;
}

const char *clasconv_errno_fr(int err)
{
    static _Thread_local char other[48];
    const errno_text *t = errno_find(err);

    if (t != NULL)
        return t->reason;
    snprintf(other, sizeof other, "erreur système n° %d", err);
    return other;
}

const char *clasconv_errno_advice_fr(int err)
{
    const errno_text *t = errno_find(err);

    return t != NULL ? t->advice : NULL;
}
