/* load.c: reads a whole input file into memory, read-only and bounded. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clasconv/read.h"

/* The last path component, for messages. */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

static void open_failed(const char *path, int err, clasconv_diag *diag)
{
    const char *name = base_name(path);
    switch (err) {
    case ENOENT:
    case ENOTDIR:
        clasconv_diag_set(diag,
                          "Impossible d'ouvrir « %s » : fichier introuvable. "
                          "Vérifiez le nom et le dossier du fichier.",
                          name);
        break;
    case EACCES:
    case EPERM:
        clasconv_diag_set(diag,
                          "Impossible d'ouvrir « %s » : accès refusé. "
                          "Vérifiez les droits de lecture du fichier.",
                          name);
        break;
    case ENAMETOOLONG:
        clasconv_diag_set(diag,
                          "Impossible d'ouvrir « %s » : le chemin est trop "
                          "long. Déplacez le fichier dans un dossier plus "
                          "proche de la racine.",
                          name);
        break;
    case ELOOP:
        clasconv_diag_set(diag,
                          "Impossible d'ouvrir « %s » : lien symbolique en "
                          "boucle.",
                          name);
        break;
    case EMFILE:
    case ENFILE:
    case ENOMEM:
        clasconv_diag_set(diag,
                          "Impossible d'ouvrir « %s » : trop de fichiers "
                          "ouverts ou mémoire insuffisante. Réessayez.",
                          name);
        break;
    default:
        clasconv_diag_set(diag,
                          "Impossible d'ouvrir « %s » : erreur système "
                          "(errno %d).",
                          name, err);
        break;
    }
}

clasconv_error clasconv_load_file(const char *path, unsigned char **data,
                                  size_t *size, clasconv_diag *diag)
{
    struct stat st;
    unsigned char *buf;
    size_t want, got = 0;
    int fd;

    if (data != NULL)
        *data = NULL;
    if (size != NULL)
        *size = 0;
    if (path == NULL || data == NULL || size == NULL) {
        clasconv_diag_set(diag, "Aucun fichier à lire.");
        return CLASCONV_ERR_USAGE;
    }
    /* O_NONBLOCK: opening a named pipe must not hang. */
    do {
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        open_failed(path, errno, diag);
        return CLASCONV_ERR_IO;
    }
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        open_failed(path, err, diag);
        return CLASCONV_ERR_IO;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        clasconv_diag_set(diag,
                          "« %s » est un dossier, pas un fichier. Indiquez "
                          "le fichier du tableau lui-même.",
                          base_name(path));
        return CLASCONV_ERR_IO;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        clasconv_diag_set(
            diag,
            "« %s » n'est pas un fichier ordinaire (périphérique, "
            "tube ou socket) : indiquez un fichier enregistré "
            "sur le disque.",
            base_name(path));
        return CLASCONV_ERR_IO;
    }
    if (st.st_size < 0 || (uintmax_t)st.st_size > CLASCONV_INPUT_MAX) {
        close(fd);
        clasconv_diag_set(diag,
                          "« %s » est trop volumineux (%jd octets ; au plus "
                          "%zu Mo acceptés) : ce n'est sans doute pas un "
                          "tableau CLAS.",
                          base_name(path), (intmax_t)st.st_size,
                          CLASCONV_INPUT_MAX >> 20);
        return CLASCONV_ERR_TOO_LARGE;
    }
    /* A regular file: blocking reads again (O_NONBLOCK was for pipes). */
    {
        int flags = fcntl(fd, F_GETFL);
        if (flags >= 0)
            (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    }
    want = (size_t)st.st_size;
    buf = malloc(want + 1); /* + 1: never malloc(0), room for a NUL */
    if (buf == NULL) {
        close(fd);
        clasconv_diag_set(diag, "Mémoire insuffisante pour lire « %s ».",
                          base_name(path));
        return CLASCONV_ERR_MEMORY;
    }
    while (got < want) {
        ssize_t n = read(fd, buf + got, want - got);
        if (n < 0) {
            int err = errno;
            if (err == EINTR)
                continue;
            free(buf);
            close(fd);
            clasconv_diag_set(diag,
                              "Erreur de lecture de « %s » (errno %d) : "
                              "copiez le fichier sur le disque local et "
                              "réessayez.",
                              base_name(path), err);
            return CLASCONV_ERR_IO;
        }
        if (n == 0) /* the file shrank while being read */
            break;
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    *data = buf;
    *size = got;
    return CLASCONV_OK;
}
