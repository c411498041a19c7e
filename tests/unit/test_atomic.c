/* test_atomic.c: the one atomic-file helper (core/atomic.c). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/atomic.h"

#include "test_util.h"

/* Number of entries in `dir` besides . and .. */
static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t n = 0;

    cr_assert_not_null(d);
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            n++;
    }
    closedir(d);
    return n;
}

static char *read_all(const char *path)
{
    size_t size = 0;
    unsigned char *data = test_load(path, &size);
    char *text = malloc(size + 1);

    cr_assert_not_null(text);
    memcpy(text, data, size);
    text[size] = '\0';
    free(data);
    return text;
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");

    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            unlinkat(dirfd(d), de->d_name, 0);
    }
    closedir(d);
    rmdir(dir);
}

Test(atomic, writes_and_replaces_a_regular_file)
{
    char *dir = test_make_dir("clasconv_atomic");
    char *out = test_join(dir, "out.txt");
    clasconv_diag diag = {{0}};
    char *got;

    cr_assert_eq(clasconv_atomic_write_file(out, "un", 2, 1, &diag),
                 CLASCONV_OK, "%s", diag.message);
    cr_assert_eq(clasconv_atomic_write_file(out, "deux", 4, 0, &diag),
                 CLASCONV_OK, "%s", diag.message);
    got = read_all(out);
    cr_assert_str_eq(got, "deux");
    cr_assert_eq(count_entries(dir), 1, "no temporary file left");
    free(got);
    remove_dir(dir);
    free(out);
    free(dir);
}

Test(atomic, temp_name_carries_the_mark_and_pid)
{
    char *dir = test_make_dir("clasconv_atomic");
    char *out = test_join(dir, "out.xlsx");
    clasconv_diag diag = {{0}};
    clasconv_atomic a;
    char want[64];

    cr_assert_eq(clasconv_atomic_open(&a, out, &diag), CLASCONV_OK);
    snprintf(want, sizeof want, "/.out.xlsx.clasconv-%ld-", (long)getpid());
    cr_assert_not_null(strstr(a.tmp_path, want), "%s", a.tmp_path);
    cr_assert_eq(strlen(strstr(a.tmp_path, want)), strlen(want) + 6);
    cr_assert(a.fd >= 0);
    clasconv_atomic_abort(&a);
    cr_assert_eq(count_entries(dir), 0, "abort removes the temporary file");
    remove_dir(dir);
    free(out);
    free(dir);
}

static clasconv_error refuse(const char *tmp_path, void *ctx,
                             clasconv_diag *diag)
{
    *(int *)ctx = access(tmp_path, F_OK) == 0;
    clasconv_diag_set(diag, "vérification refusée");
    return CLASCONV_ERR_WRITE;
}

Test(atomic, failed_verification_keeps_the_target)
{
    char *dir = test_make_dir("clasconv_atomic");
    char *out = test_join(dir, "out.txt");
    clasconv_diag diag = {{0}};
    clasconv_atomic a;
    int seen = 0;
    char *got;

    put(out, "ancien");
    cr_assert_eq(clasconv_atomic_open(&a, out, &diag), CLASCONV_OK);
    cr_assert_eq(clasconv_atomic_write(&a, "nouveau", 7, &diag), CLASCONV_OK);
    cr_assert_eq(clasconv_atomic_commit(&a, refuse, &seen, 1, &diag),
                 CLASCONV_ERR_WRITE);
    cr_assert(seen, "verify saw the temporary file");
    cr_assert_str_eq(diag.message, "vérification refusée");
    got = read_all(out);
    cr_assert_str_eq(got, "ancien");
    cr_assert_eq(count_entries(dir), 1, "temporary file removed");
    free(got);
    remove_dir(dir);
    free(out);
    free(dir);
}

Test(atomic, refuses_a_fifo_a_device_link_and_a_folder)
{
    char *dir = test_make_dir("clasconv_atomic");
    char *fifo = test_join(dir, "tube.xlsx");
    char *link = test_join(dir, "null.xlsx");
    char *sub = test_join(dir, "dossier.xlsx");
    clasconv_diag diag = {{0}};
    struct stat st;

    cr_assert_eq(mkfifo(fifo, 0600), 0);
    cr_assert_eq(symlink("/dev/null", link), 0);
    cr_assert_eq(mkdir(sub, 0700), 0);

    cr_assert_eq(clasconv_atomic_write_file(fifo, "x", 1, 0, &diag),
                 CLASCONV_ERR_WRITE);
    cr_assert_not_null(strstr(diag.message, "pas un fichier ordinaire"), "%s",
                       diag.message);
    cr_assert_not_null(strstr(diag.message, "tube"), "%s", diag.message);
    cr_assert_eq(lstat(fifo, &st), 0);
    cr_assert(S_ISFIFO(st.st_mode), "the FIFO is still one");

    cr_assert_eq(clasconv_atomic_write_file(link, "x", 1, 0, &diag),
                 CLASCONV_ERR_WRITE);
    cr_assert_not_null(strstr(diag.message, "périphérique"), "%s",
                       diag.message);
    cr_assert_eq(lstat(link, &st), 0);
    cr_assert(S_ISLNK(st.st_mode), "the link is still one");
    cr_assert_eq(stat("/dev/null", &st), 0);
    cr_assert(S_ISCHR(st.st_mode), "/dev/null untouched");

    cr_assert_eq(clasconv_atomic_write_file(sub, "x", 1, 0, &diag),
                 CLASCONV_ERR_WRITE);
    cr_assert_not_null(strstr(diag.message, "c'est un dossier"), "%s",
                       diag.message);
    cr_assert_eq(clasconv_atomic_check_target(sub, &diag), CLASCONV_ERR_WRITE);
    cr_assert_eq(clasconv_atomic_check_target(dir, &diag), CLASCONV_ERR_WRITE);
    cr_assert_eq(count_entries(dir), 3, "no temporary file left");

    rmdir(sub);
    remove_dir(dir);
    free(fifo);
    free(link);
    free(sub);
    free(dir);
}

/* A process id that was just used and is gone. */
static long dead_pid(void)
{
    pid_t pid = fork();

    cr_assert(pid >= 0);
    if (pid == 0)
        _exit(0);
    cr_assert_eq(waitpid(pid, NULL, 0), pid);
    return (long)pid;
}

static char *temp_name(const char *dir, long pid, const char *tail)
{
    char name[128];

    snprintf(name, sizeof name, ".out.xlsx" CLASCONV_ATOMIC_MARK "%ld-%s", pid,
             tail);
    return test_join(dir, name);
}

Test(atomic, next_run_removes_stale_temporary_files)
{
    char *dir = test_make_dir("clasconv_atomic");
    char *out = test_join(dir, "out.xlsx");
    char *dead = temp_name(dir, dead_pid(), "aB3xYz");
    char *old = temp_name(dir, (long)getppid(), "Old123");
    char *live = temp_name(dir, (long)getppid(), "Live12");
    char *mine = temp_name(dir, (long)getpid(), "Mine12");
    char *other = test_join(dir, ".out.xlsx.AbCdEf"); /* not ours */
    struct timeval times[2];
    clasconv_diag diag = {{0}};

    put(dead, "tué");
    put(old, "vieux");
    put(live, "en cours");
    put(mine, "le mien");
    put(other, "autre");
    gettimeofday(&times[0], NULL);
    times[0].tv_sec -= CLASCONV_ATOMIC_STALE_S + 60;
    times[1] = times[0];
    cr_assert_eq(utimes(old, times), 0);

    cr_assert_eq(clasconv_atomic_write_file(out, "x", 1, 0, &diag), CLASCONV_OK,
                 "%s", diag.message);
    cr_assert_neq(access(dead, F_OK), 0, "a dead process's file is removed");
    cr_assert_neq(access(old, F_OK), 0, "an old file is removed");
    cr_assert_eq(access(live, F_OK), 0, "a live process's file stays");
    cr_assert_eq(access(mine, F_OK), 0, "this process's own file stays");
    cr_assert_eq(access(other, F_OK), 0, "a file without the mark stays");
    cr_assert_eq(access(out, F_OK), 0);
    cr_assert_eq(clasconv_atomic_clean_stale(dir), 0);

    remove_dir(dir);
    free(out);
    free(dead);
    free(old);
    free(live);
    free(mine);
    free(other);
    free(dir);
}

Test(atomic, missing_folder_is_said_in_french)
{
    clasconv_diag diag = {{0}};

    cr_assert_eq(clasconv_atomic_write_file("/nonexistent-clasconv/o.html", "x",
                                            1, 0, &diag),
                 CLASCONV_ERR_WRITE);
    cr_assert_not_null(strstr(diag.message, "n'existe pas"), "%s",
                       diag.message);
    cr_assert_null(strstr(diag.message, "No such"), "%s", diag.message);
}
