/* atomic.c: the one atomic-file helper: temporary file beside the target,
 * verify, sync, rename; only regular files replaced; stale temporary files
 * of killed runs removed. */
#include "core/atomic.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Longest part of the target's name kept in the temporary name. */
#define BASE_KEEP 200

void clasconv_atomic_fail(clasconv_diag *diag, const char *path, int err)
{
    const char *advice = clasconv_errno_advice_fr(err);

    if (advice != NULL)
        clasconv_diag_set(diag, "Impossible d'écrire « %s » : %s. %s.", path,
                          clasconv_errno_fr(err), advice);
    else
        clasconv_diag_set(diag, "Impossible d'écrire « %s » : %s.", path,
                          clasconv_errno_fr(err));
}

clasconv_error clasconv_atomic_check_target(const char *target,
                                            clasconv_diag *diag)
{
    struct stat st;

    if (stat(target, &st) != 0 || S_ISREG(st.st_mode))
        return CLASCONV_OK; /* absent (or a dangling link): created */
    if (S_ISDIR(st.st_mode)) {
        clasconv_atomic_fail(diag, target, EISDIR);
        return CLASCONV_ERR_WRITE;
    }
    clasconv_diag_set(diag,
                      "Impossible d'écrire « %s » : ce n'est pas un fichier "
                      "ordinaire (%s). clasconv ne remplace qu'un fichier : "
                      "choisissez un autre nom de sortie.",
                      target,
                      S_ISFIFO(st.st_mode)   ? "c'est un tube nommé"
                      : S_ISSOCK(st.st_mode) ? "c'est une prise (socket)"
                                             : "c'est un périphérique");
    return CLASCONV_ERR_WRITE;
}

/* Reads the process umask without changing it (umask() is not
 * thread-safe); 022 when /proc is not there. */
static mode_t current_umask(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    char line[128];
    mode_t mask = 022;

    if (f == NULL)
        return mask;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "Umask:", 6) == 0) {
            mask = (mode_t)(strtoul(line + 6, NULL, 8) & 0777u);
            break;
        }
    }
    fclose(f);
    return mask;
}

static void release(clasconv_atomic *a)
{
    if (a->fd >= 0)
        close(a->fd);
    a->fd = -1;
    free(a->target);
    free(a->dir);
    free(a->tmp_path);
    a->target = a->dir = a->tmp_path = NULL;
}

void clasconv_atomic_abort(clasconv_atomic *a)
{
    if (a->fd >= 0)
        close(a->fd);
    a->fd = -1;
    if (a->tmp_path != NULL)
        unlink(a->tmp_path);
    release(a);
}

/* The creating process of a temporary name `.NAME.clasconv-PID-XXXXXX`,
 * or 0 when `name` is not one. */
static long temp_pid(const char *name)
{
    const char *mark = NULL, *p, *q;
    char *end;
    long pid;

    if (name[0] != '.')
        return 0;
    for (p = strstr(name, CLASCONV_ATOMIC_MARK); p != NULL;
         p = strstr(p + 1, CLASCONV_ATOMIC_MARK))
        mark = p;
    if (mark == NULL)
        return 0;
    q = mark + strlen(CLASCONV_ATOMIC_MARK);
    if (*q < '1' || *q > '9')
        return 0;
    errno = 0;
    pid = strtol(q, &end, 10);
    if (errno != 0 || pid <= 0 || *end != '-' || strlen(end + 1) != 6)
        return 0;
    return pid;
}

size_t clasconv_atomic_clean_stale(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    time_t now = time(NULL);
    long self = (long)getpid();
    size_t removed = 0;

    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL) {
        long pid = temp_pid(de->d_name);
        struct stat st;
        int dead, old;

        if (pid == 0 ||
            fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode))
            continue;
        dead = pid != self && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
        old = pid != self && now - st.st_mtime > CLASCONV_ATOMIC_STALE_S;
        if ((dead || old) && unlinkat(dirfd(d), de->d_name, 0) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}

clasconv_error clasconv_atomic_open(clasconv_atomic *a, const char *target,
                                    clasconv_diag *diag)
{
    const char *slash, *base;
    size_t base_len, size;
    struct stat st;
    clasconv_error rc;
    int err;

    memset(a, 0, sizeof *a);
    a->fd = -1;
    if (target == NULL || target[0] == '\0') {
        clasconv_diag_set(diag, "Impossible d'écrire le résultat : aucun "
                                "nom de fichier n'a été donné.");
        return CLASCONV_ERR_WRITE;
    }
    slash = strrchr(target, '/');
    base = slash != NULL ? slash + 1 : target;
    base_len = strlen(base);
    if (base_len == 0 || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        clasconv_atomic_fail(diag, target, EISDIR);
        return CLASCONV_ERR_WRITE;
    }
    rc = clasconv_atomic_check_target(target, diag);
    if (rc != CLASCONV_OK)
        return rc;
    a->target = strdup(target);
    if (slash == NULL) {
        a->dir = strdup(".");
    } else {
        size_t dir_len = (size_t)(slash - target);
        a->dir = strndup(target, dir_len == 0 ? 1 : dir_len); /* "/" */
    }
    if (base_len > BASE_KEEP)
        base_len = BASE_KEEP; /* so that the name stays legal */
    if (a->target != NULL && a->dir != NULL) {
        size = strlen(a->dir) + base_len + 64;
        a->tmp_path = malloc(size);
        if (a->tmp_path != NULL)
            snprintf(a->tmp_path, size,
                     "%s/.%.*s" CLASCONV_ATOMIC_MARK "%ld-XXXXXX", a->dir,
                     (int)base_len, base, (long)getpid());
    }
    if (a->tmp_path == NULL) {
        release(a);
        clasconv_atomic_fail(diag, target, ENOMEM);
        return CLASCONV_ERR_MEMORY;
    }
    if (stat(a->dir, &st) != 0) {
        err = errno;
        if (err == ENOENT)
            clasconv_diag_set(diag,
                              "Impossible d'écrire « %s » : le dossier "
                              "« %s » n'existe pas. Créez-le ou choisissez "
                              "un autre emplacement.",
                              target, a->dir);
        else
            clasconv_atomic_fail(diag, target, err);
        release(a);
        return CLASCONV_ERR_WRITE;
    }
    if (!S_ISDIR(st.st_mode)) {
        clasconv_diag_set(diag,
                          "Impossible d'écrire « %s » : « %s » n'est pas un "
                          "dossier. Vérifiez le chemin ou choisissez un autre "
                          "emplacement.",
                          target, a->dir);
        release(a);
        return CLASCONV_ERR_WRITE;
    }
    (void)clasconv_atomic_clean_stale(a->dir);
    a->fd = mkstemp(a->tmp_path);
    if (a->fd < 0) {
        err = errno;
        if (err == ENOENT || err == EINVAL)
            clasconv_diag_set(diag,
                              "Impossible d'écrire « %s » : le dossier "
                              "« %s » n'accepte pas de nouveau fichier. "
                              "Choisissez un autre emplacement.",
                              target, a->dir);
        else
            clasconv_atomic_fail(diag, target, err);
        free(a->tmp_path);
        a->tmp_path = NULL;
        release(a);
        return CLASCONV_ERR_WRITE;
    }
    /* The final file gets the mode an ordinary create would give it, or
     * the mode of the file it replaces. */
    if (stat(target, &st) == 0 && S_ISREG(st.st_mode))
        a->mode = st.st_mode & 0777u;
    else
        a->mode = 0666u & ~current_umask();
    if (fchmod(a->fd, a->mode) != 0) {
        clasconv_atomic_fail(diag, target, errno);
        clasconv_atomic_abort(a);
        return CLASCONV_ERR_WRITE;
    }
    return CLASCONV_OK;
}

clasconv_error clasconv_atomic_write(clasconv_atomic *a, const void *data,
                                     size_t len, clasconv_diag *diag)
{
    const char *p = data;

    while (len > 0) {
        ssize_t n = a->fd >= 0 ? write(a->fd, p, len) : -1;
        if (n < 0) {
            if (a->fd >= 0 && errno == EINTR)
                continue;
            clasconv_atomic_fail(diag, a->target, a->fd >= 0 ? errno : EBADF);
            return CLASCONV_ERR_WRITE;
        }
        p += n;
        len -= (size_t)n;
    }
    return CLASCONV_OK;
}

static int sync_path(const char *path, int flags)
{
    int fd = open(path, flags | O_RDONLY | O_CLOEXEC);
    int rc, err;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    err = errno;
    close(fd);
    errno = err;
    return rc;
}

clasconv_error
clasconv_atomic_commit(clasconv_atomic *a,
                       clasconv_error (*verify)(const char *tmp_path, void *ctx,
                                                clasconv_diag *diag),
                       void *ctx, int durable, clasconv_diag *diag)
{
    clasconv_error rc;

    if (a->tmp_path == NULL) {
        clasconv_diag_set(diag, "Impossible d'écrire le résultat.");
        release(a);
        return CLASCONV_ERR_WRITE;
    }
    if (a->fd >= 0) {
        int closed = close(a->fd);
        a->fd = -1;
        if (closed != 0) {
            clasconv_atomic_fail(diag, a->target, errno);
            clasconv_atomic_abort(a);
            return CLASCONV_ERR_WRITE;
        }
    }
    if (verify != NULL) {
        rc = verify(a->tmp_path, ctx, diag);
        if (rc != CLASCONV_OK) {
            clasconv_atomic_abort(a);
            return rc;
        }
    }
    if (durable && sync_path(a->tmp_path, 0) != 0) {
        clasconv_atomic_fail(diag, a->target, errno);
        clasconv_atomic_abort(a);
        return CLASCONV_ERR_WRITE;
    }
    /* The target may have been replaced by a device since open. */
    rc = clasconv_atomic_check_target(a->target, diag);
    if (rc != CLASCONV_OK) {
        clasconv_atomic_abort(a);
        return rc;
    }
    if (rename(a->tmp_path, a->target) != 0) {
        clasconv_atomic_fail(diag, a->target, errno);
        clasconv_atomic_abort(a);
        return CLASCONV_ERR_WRITE;
    }
    /* The rename is done: the folder sync is best effort, the target is
     * already the new file and must not be removed. */
    if (durable)
        (void)sync_path(a->dir, O_DIRECTORY);
    release(a);
    return CLASCONV_OK;
}

clasconv_error clasconv_atomic_write_file(const char *target, const void *data,
                                          size_t len, int durable,
                                          clasconv_diag *diag)
{
    clasconv_atomic a;
    clasconv_error rc = clasconv_atomic_open(&a, target, diag);

    if (rc != CLASCONV_OK)
        return rc;
    rc = clasconv_atomic_write(&a, data, len, diag);
    if (rc != CLASCONV_OK) {
        clasconv_atomic_abort(&a);
        return rc;
    }
    return clasconv_atomic_commit(&a, NULL, NULL, durable, diag);
}

/* --- Removing a private folder --- */

static void remove_tree(int dirfd_parent, const char *name, int depth)
{
    int fd;
    DIR *d;
    struct dirent *e;

    if (unlinkat(dirfd_parent, name, 0) == 0 || depth > 32)
        return;
    fd = openat(dirfd_parent, name,
                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        remove_tree(dirfd(d), e->d_name, depth + 1);
    }
    closedir(d);
    unlinkat(dirfd_parent, name, AT_REMOVEDIR);
}

void clasconv_remove_tree(const char *dir)
{
    if (dir != NULL)
        remove_tree(AT_FDCWD, dir, 0);
}
