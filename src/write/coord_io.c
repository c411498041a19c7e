/* coord_io.c: temporary file next to the target, verify, rename. */
#include "write/coord_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unzip.h>

/* Caps for re-reading our own small workbook. */
#define VERIFY_MAX_ENTRIES 200
#define VERIFY_MAX_BYTES ((size_t)512 << 20)

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
                          tmp->dir, strerror(errno));
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
                          strerror(errno));
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

/* Reads one entry to its end; returns 0 when it inflates with a good CRC.
 * For the sheet, also checks the XML ends with its closing tag. */
static int verify_entry(unzFile zip, const char *name, size_t *total)
{
    char buf[16384], tail[32] = "";
    size_t tail_len = 0;
    int n, is_sheet = !strcmp(name, "xl/worksheets/sheet1.xml");

    if (unzOpenCurrentFile(zip) != UNZ_OK)
        return -1;
    while ((n = unzReadCurrentFile(zip, buf, sizeof buf)) > 0) {
        *total += (size_t)n;
        if (*total > VERIFY_MAX_BYTES) {
            unzCloseCurrentFile(zip);
            return -1;
        }
        if ((size_t)n >= sizeof tail - 1) {
            memcpy(tail, buf + n - (sizeof tail - 1), sizeof tail - 1);
            tail_len = sizeof tail - 1;
        } else {
            size_t keep = sizeof tail - 1 - (size_t)n;
            if (keep > tail_len)
                keep = tail_len;
            memmove(tail, tail + tail_len - keep, keep);
            memcpy(tail + keep, buf, (size_t)n);
            tail_len = keep + (size_t)n;
        }
        tail[tail_len] = '\0';
    }
    if (unzCloseCurrentFile(zip) != UNZ_OK || n < 0)
        return -1;
    if (is_sheet) {
        while (tail_len &&
               (tail[tail_len - 1] == '\n' || tail[tail_len - 1] == '\r'))
            tail[--tail_len] = '\0';
        if (tail_len < 12 || strcmp(tail + tail_len - 12, "</worksheet>"))
            return -1;
    }
    return 0;
}

/* Checks a written workbook is complete: the writer can report success on a
 * truncated file when its temporary folder fills up. */
static int verify_xlsx(const char *path)
{
    unzFile zip = unzOpen64(path);
    unz_global_info64 info;
    size_t total = 0, entries = 0;
    int found_sheet = 0, found_book = 0, rc;

    if (!zip)
        return -1;
    if (unzGetGlobalInfo64(zip, &info) != UNZ_OK ||
        info.number_entry > VERIFY_MAX_ENTRIES) {
        unzClose(zip);
        return -1;
    }
    for (rc = unzGoToFirstFile(zip); rc == UNZ_OK; rc = unzGoToNextFile(zip)) {
        char name[256];
        if (++entries > VERIFY_MAX_ENTRIES ||
            unzGetCurrentFileInfo64(zip, NULL, name, sizeof name, NULL, 0, NULL,
                                    0) != UNZ_OK ||
            verify_entry(zip, name, &total) != 0) {
            unzClose(zip);
            return -1;
        }
        found_sheet |= !strcmp(name, "xl/worksheets/sheet1.xml");
        found_book |= !strcmp(name, "xl/workbook.xml");
    }
    unzClose(zip);
    if (rc != UNZ_END_OF_LIST_OF_FILE || !found_sheet || !found_book)
        return -1;
    return 0;
}

clasconv_error coord_tmp_commit(coord_tmp *tmp, int is_xlsx,
                                clasconv_diag *diag)
{
    if (is_xlsx && verify_xlsx(tmp->path) != 0) {
        clasconv_diag_set(diag,
                          "Le classeur « %s » n'a pas pu être écrit en entier "
                          "(disque plein ?) : rien n'a été modifié.",
                          tmp->target);
        coord_tmp_abort(tmp);
        return CLASCONV_ERR_WRITE;
    }
    if (rename(tmp->path, tmp->target) != 0) {
        clasconv_diag_set(diag,
                          "Impossible d'écrire « %s » (%s) : vérifiez que ce "
                          "n'est pas un dossier et qu'il n'est pas ouvert "
                          "dans un autre programme.",
                          tmp->target, strerror(errno));
        coord_tmp_abort(tmp);
        return CLASCONV_ERR_WRITE;
    }
    tmp_free(tmp);
    return CLASCONV_OK;
}
