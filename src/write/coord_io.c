/* coord_io.c: text output through a temporary file next to the target. */
#include "write/coord_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void tmp_free(coord_tmp *tmp)
{
    free(tmp->path);
    free(tmp->dir);
    free(tmp->target);
    tmp->path = tmp->dir = tmp->target = NULL;
}

clasconv_error coord_tmp_open(coord_tmp *tmp, const char *target,
                              clasconv_diag *diag)
{
    const char *slash = strrchr(target, '/');
    const char *base = slash ? slash + 1 : target;
    size_t dir_len = slash ? (size_t)(slash - target) : 1;
    size_t need;
    int fd;

    memset(tmp, 0, sizeof *tmp);
    if (!*base) {
        clasconv_diag_set(diag,
                          "« %s » est un dossier : indiquez un nom de "
                          "fichier.",
                          target);
        return CLASCONV_ERR_WRITE;
    }
    if (slash && dir_len == 0)
        dir_len = 1; /* "/name": the root folder */
    tmp->dir = malloc(dir_len + 1);
    tmp->target = strdup(target);
    need = dir_len + strlen(base) + 16;
    tmp->path = malloc(need);
    if (!tmp->dir || !tmp->target || !tmp->path) {
        tmp_free(tmp);
        return CLASCONV_ERR_MEMORY;
    }
    if (slash)
        memcpy(tmp->dir, target, dir_len);
    else
        tmp->dir[0] = '.';
    tmp->dir[dir_len] = '\0';
    snprintf(tmp->path, need, "%s/.%s.XXXXXX", tmp->dir, base);
    fd = mkstemp(tmp->path);
    if (fd < 0) {
        clasconv_diag_set(diag,
                          "Impossible d'écrire dans le dossier « %s » (%s) : "
                          "vérifiez qu'il existe et que vous pouvez y écrire.",
                          tmp->dir, clasconv_errno_fr(errno));
        tmp_free(tmp);
        return CLASCONV_ERR_WRITE;
    }
    (void)fchmod(fd, 0644);
    close(fd);
    return CLASCONV_OK;
}

void coord_tmp_abort(coord_tmp *tmp)
{
    if (tmp->path)
        (void)unlink(tmp->path);
    tmp_free(tmp);
}

clasconv_error coord_tmp_write(coord_tmp *tmp, const char *data, size_t len,
                               clasconv_diag *diag)
{
    FILE *f = fopen(tmp->path, "wb");
    int ok;

    if (!f) {
        clasconv_diag_set(diag, "Impossible d'écrire « %s » (%s).", tmp->target,
                          clasconv_errno_fr(errno));
        return CLASCONV_ERR_WRITE;
    }
    ok = (len == 0 || fwrite(data, 1, len, f) == len);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0)
        ok = 0;
    if (fclose(f) != 0)
        ok = 0;
    if (!ok) {
        clasconv_diag_set(diag,
                          "Impossible d'écrire « %s » : vérifiez la place "
                          "libre sur le disque.",
                          tmp->target);
        return CLASCONV_ERR_WRITE;
    }
    return CLASCONV_OK;
}

clasconv_error coord_tmp_commit(coord_tmp *tmp, clasconv_diag *diag)
{
    if (rename(tmp->path, tmp->target) != 0) {
        clasconv_diag_set(diag,
                          "Impossible d'écrire « %s » (%s) : vérifiez que ce "
                          "n'est pas un dossier et qu'il n'est pas ouvert "
                          "dans un autre programme.",
                          tmp->target, clasconv_errno_fr(errno));
        coord_tmp_abort(tmp);
        return CLASCONV_ERR_WRITE;
    }
    tmp_free(tmp);
    return CLASCONV_OK;
}
