/* walk.c: lists a batch's input folder in a stable order, sets aside lock
 * files, hidden files and subfolders, and plans the output names. */
#include "batch/batch_internal.h"
#include "core/grow.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char reason_lock_ms[] =
    "Fichier de verrouillage de Microsoft Office (le document est "
    "ou était ouvert dans Excel ou Word).";
static const char reason_lock_lo[] =
    "Fichier de verrouillage de LibreOffice (le document est ou "
    "était ouvert dans LibreOffice).";
static const char reason_hidden[] = "Fichier caché.";
static const char reason_hidden_dir[] = "Dossier caché.";
static const char reason_subdir[] =
    "Sous-dossier (ajoutez l'option -r pour convertir aussi les "
    "fichiers des sous-dossiers).";
static const char reason_deep[] =
    "Sous-dossier trop profond (plus de 32 niveaux).";
static const char reason_dir_link[] =
    "Lien vers un dossier (les liens ne sont pas suivis).";
static const char reason_special[] = "Ce n'est pas un fichier ordinaire.";
static const char reason_gone[] =
    "Le fichier a disparu ou ne peut pas être ouvert pendant le "
    "parcours du dossier. Vérifiez les droits d'accès.";
static const char reason_dir_unreadable[] =
    "Ce sous-dossier ne peut pas être lu. Vérifiez les droits "
    "d'accès.";

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);

    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* The extension after the last dot, lower-cased into buf ("" if none). */
static void extension(const char *name, char *buf, size_t size)
{
    const char *dot = strrchr(name, '.');
    size_t i;

    buf[0] = '\0';
    if (dot == NULL || dot == name || strlen(dot + 1) >= size)
        return;
    for (i = 0; dot[1 + i] != '\0'; i++) {
        char c = dot[1 + i];
        buf[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    buf[i] = '\0';
}

int batch_name_claims_sheet(const char *name)
{
    static const char *const exts[] = {
        "xls",  "xlsx", "xlsm", "xlsb", "xlt",  "xltx", "xltm", "ods",  "ots",
        "fods", "csv",  "tsv",  "txt",  "tab",  "docx", "docm", "dotx", "doc",
        "odt",  "xml",  "slk",  "dif",  "html", "htm",  "rtf"};
    char ext[8];
    size_t i;

    extension(name, ext, sizeof ext);
    for (i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (strcmp(ext, exts[i]) == 0)
            return 1;
    return 0;
}

/* Joins "a" and "b" with '/' ("b" alone when a is empty). */
static char *join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 2);

    if (s == NULL)
        return NULL;
    if (la == 0) {
        memcpy(s, b, lb + 1);
        return s;
    }
    memcpy(s, a, la);
    s[la] = '/';
    memcpy(s + la + 1, b, lb + 1);
    return s;
}

static clasconv_error add_entry(batch_walk *walk, const char *abs,
                                const char *rel, clasconv_batch_status status,
                                const char *reason, const struct stat *st)
{
    batch_entry *e;

    if (walk->count >= CLASCONV_BATCH_MAX_FILES)
        return CLASCONV_ERR_TOO_LARGE;
    if (clasconv_grow((void **)&walk->entries, &walk->cap, walk->count + 1,
                      sizeof *walk->entries, CLASCONV_BATCH_MAX_FILES))
        return CLASCONV_ERR_MEMORY;
    e = &walk->entries[walk->count];
    memset(e, 0, sizeof *e);
    e->abs = strdup(abs);
    e->rel = strdup(rel);
    if (e->abs == NULL || e->rel == NULL) {
        free(e->abs);
        free(e->rel);
        return CLASCONV_ERR_MEMORY;
    }
    e->status = status;
    e->reason = reason;
    if (st != NULL) {
        e->dev = st->st_dev;
        e->ino = st->st_ino;
        e->mtime = (int64_t)st->st_mtime;
    }
    walk->count++;
    return CLASCONV_OK;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Reads a folder's entry names, sorted. */
static clasconv_error read_names(const char *dir, char ***out, size_t *count,
                                 int *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0;

    *out = NULL;
    *count = 0;
    if (d == NULL) {
        *err = errno;
        return CLASCONV_ERR_IO;
    }
    while ((errno = 0, de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (n >= CLASCONV_BATCH_MAX_FILES) {
            closedir(d);
            free_names(names, n);
            return CLASCONV_ERR_TOO_LARGE;
        }
        if (clasconv_grow((void **)&names, &cap, n + 1, sizeof *names,
                          CLASCONV_BATCH_MAX_FILES)) {
            closedir(d);
            free_names(names, n);
            return CLASCONV_ERR_MEMORY;
        }
        names[n] = strdup(de->d_name);
        if (names[n] == NULL) {
            closedir(d);
            free_names(names, n);
            return CLASCONV_ERR_MEMORY;
        }
        n++;
    }
    *err = errno;
    closedir(d);
    if (*err != 0) {
        free_names(names, n);
        return CLASCONV_ERR_IO;
    }
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_names);
    *out = names;
    *count = n;
    return CLASCONV_OK;
}

typedef struct walk_ctx {
    batch_walk *walk;
    int recursive;
    dev_t out_dev;
    ino_t out_ino;
} walk_ctx;

static clasconv_error walk_one(walk_ctx *ctx, const char *dir,
                               const char *rel_dir, unsigned depth, int *err);

/* Classifies one name of a folder and records it (or descends). */
static clasconv_error visit(walk_ctx *ctx, const char *dir, const char *rel_dir,
                            const char *name, unsigned depth)
{
    char *abs = join(dir, name), *rel = join(rel_dir, name);
    struct stat lst, st;
    clasconv_error rc = CLASCONV_OK;
    int err = 0;

    if (abs == NULL || rel == NULL) {
        free(abs);
        free(rel);
        return CLASCONV_ERR_MEMORY;
    }
    if (lstat(abs, &lst) != 0) {
        rc = add_entry(ctx->walk, abs, rel, CLASCONV_BATCH_UNREADABLE,
                       reason_gone, NULL);
        goto done;
    }
    if (S_ISDIR(lst.st_mode) && lst.st_dev == ctx->out_dev &&
        lst.st_ino == ctx->out_ino)
        goto done; /* OUTDIR inside INDIR: not an input */
    if (starts_with(name, "~$")) {
        rc = add_entry(ctx->walk, abs, rel, CLASCONV_BATCH_SKIPPED,
                       reason_lock_ms, &lst);
        goto done;
    }
    if (starts_with(name, ".~lock.") && ends_with(name, "#")) {
        rc = add_entry(ctx->walk, abs, rel, CLASCONV_BATCH_SKIPPED,
                       reason_lock_lo, &lst);
        goto done;
    }
    if (name[0] == '.') {
        rc = add_entry(ctx->walk, abs, rel, CLASCONV_BATCH_SKIPPED,
                       S_ISDIR(lst.st_mode) ? reason_hidden_dir : reason_hidden,
                       &lst);
        goto done;
    }
    if (S_ISLNK(lst.st_mode)) {
        if (stat(abs, &st) != 0) {
            rc = add_entry(ctx->walk, abs, rel, CLASCONV_BATCH_UNREADABLE,
                           reason_gone, NULL);
            goto done;
        }
        if (S_ISDIR(st.st_mode)) {
            rc = add_entry(ctx->walk, abs, rel, CLASCONV_BATCH_SKIPPED,
                           reason_dir_link, &st);
            goto done;
        }
    } else {
        st = lst;
    }
    if (S_ISDIR(st.st_mode)) {
        if (!ctx->recursive)
            rc = add_entry(ctx->walk, abs, rel, CLASCONV_BATCH_SKIPPED,
                           reason_subdir, &st);
        else if (depth + 1 >= CLASCONV_BATCH_MAX_DEPTH)
            rc = add_entry(ctx->walk, abs, rel, CLASCONV_BATCH_SKIPPED,
                           reason_deep, &st);
        else {
            rc = walk_one(ctx, abs, rel, depth + 1, &err);
            if (rc == CLASCONV_ERR_IO)
                rc = add_entry(ctx->walk, abs, rel, CLASCONV_BATCH_UNREADABLE,
                               reason_dir_unreadable, &st);
        }
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = add_entry(ctx->walk, abs, rel, CLASCONV_BATCH_SKIPPED,
                       reason_special, &st);
        goto done;
    }
    rc = add_entry(ctx->walk, abs, rel, CLASCONV_BATCH_OK, NULL, &st);
done:
    free(abs);
    free(rel);
    return rc;
}

static clasconv_error walk_one(walk_ctx *ctx, const char *dir,
                               const char *rel_dir, unsigned depth, int *err)
{
    char **names;
    size_t n, i;
    clasconv_error rc = read_names(dir, &names, &n, err);

    if (rc != CLASCONV_OK)
        return rc;
    for (i = 0; i < n && rc == CLASCONV_OK; i++)
        rc = visit(ctx, dir, rel_dir, names[i], depth);
    free_names(names, n);
    return rc;
}

clasconv_error batch_walk_dir(const char *indir, int recursive, dev_t out_dev,
                              ino_t out_ino, batch_walk *walk,
                              clasconv_diag *diag)
{
    walk_ctx ctx;
    clasconv_error rc;
    int err = 0;

    memset(walk, 0, sizeof *walk);
    ctx.walk = walk;
    ctx.recursive = recursive;
    ctx.out_dev = out_dev;
    ctx.out_ino = out_ino;
    rc = walk_one(&ctx, indir, "", 0, &err);
    if (rc == CLASCONV_ERR_IO)
        clasconv_diag_set(diag,
                          "Impossible de lire le dossier d'entrée « %s » : "
                          "%s. Vérifiez le chemin et les droits d'accès.",
                          indir, clasconv_errno_fr(err));
    else if (rc == CLASCONV_ERR_TOO_LARGE)
        clasconv_diag_set(diag,
                          "Le dossier d'entrée « %s » contient trop de "
                          "fichiers (plus de %u) : répartissez-les en "
                          "plusieurs dossiers.",
                          indir, CLASCONV_BATCH_MAX_FILES);
    else if (rc == CLASCONV_ERR_MEMORY)
        clasconv_diag_set(diag, "Mémoire insuffisante pour parcourir le "
                                "dossier d'entrée.");
    if (rc != CLASCONV_OK)
        batch_walk_free(walk);
    return rc;
}

void batch_walk_free(batch_walk *walk)
{
    size_t i;

    for (i = 0; i < walk->count; i++) {
        free(walk->entries[i].rel);
        free(walk->entries[i].abs);
        free(walk->entries[i].output);
    }
    free(walk->entries);
    memset(walk, 0, sizeof *walk);
}

/* --- Output names -------------------------------------------------------- */

/* "dir/stem.xlsx" (use_name: "dir/name.xlsx"), with `suffix` before the
 * extension when non-zero. */
static char *output_name(const char *rel, int use_name, unsigned suffix)
{
    const char *slash = strrchr(rel, '/');
    const char *name = slash != NULL ? slash + 1 : rel;
    const char *dot = strrchr(name, '.');
    size_t stem_len, dir_len = (size_t)(name - rel), size;
    char *s;

    if (use_name || dot == NULL || dot == name)
        stem_len = strlen(name);
    else
        stem_len = (size_t)(dot - name);
    size = dir_len + stem_len + 32;
    s = malloc(size);
    if (s == NULL)
        return NULL;
    if (suffix > 1)
        snprintf(s, size, "%.*s%.*s (%u).xlsx", (int)dir_len, rel,
                 (int)stem_len, name, suffix);
    else
        snprintf(s, size, "%.*s%.*s.xlsx", (int)dir_len, rel, (int)stem_len,
                 name);
    return s;
}

typedef struct name_slot {
    char *fold; /* ASCII case folded output path */
    size_t index;
} name_slot;

static int cmp_slots(const void *a, const void *b)
{
    const name_slot *x = a, *y = b;
    int c = strcmp(x->fold, y->fold);

    if (c != 0)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

static char *ascii_fold(const char *s)
{
    char *f = strdup(s);
    char *p;

    if (f == NULL)
        return NULL;
    for (p = f; *p != '\0'; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    return f;
}

/* Sorted slots of the planned outputs (plus synthese.xlsx, index SIZE_MAX).
 */
static name_slot *sorted_slots(const batch_walk *walk, size_t *count)
{
    name_slot *slots = malloc((walk->count + 1) * sizeof *slots);
    size_t i, n = 0;

    if (slots == NULL)
        return NULL;
    slots[n].fold = ascii_fold(BATCH_SYNTHESIS_NAME);
    slots[n++].index = SIZE_MAX;
    for (i = 0; i < walk->count; i++) {
        if (walk->entries[i].output == NULL)
            continue;
        slots[n].fold = ascii_fold(walk->entries[i].output);
        slots[n++].index = i;
    }
    for (i = 0; i < n; i++) {
        if (slots[i].fold == NULL) {
            while (n > 0)
                free(slots[--n].fold);
            free(slots);
            return NULL;
        }
    }
    qsort(slots, n, sizeof *slots, cmp_slots);
    *count = n;
    return slots;
}

static void free_slots(name_slot *slots, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(slots[i].fold);
    free(slots);
}

clasconv_error batch_plan_outputs(batch_walk *walk)
{
    name_slot *slots;
    size_t i, j, k, n;
    unsigned round;
    int reserved;

    for (i = 0; i < walk->count; i++) {
        free(walk->entries[i].output);
        walk->entries[i].output = NULL;
        if (walk->entries[i].status != CLASCONV_BATCH_OK)
            continue;
        walk->entries[i].output = output_name(walk->entries[i].rel, 0, 0);
        if (walk->entries[i].output == NULL)
            return CLASCONV_ERR_MEMORY;
    }
    /* Round 0: every member of a clash takes its full name; later rounds:
     * all but the first of a clash take a number. */
    for (round = 0; round < 16; round++) {
        int clashes = 0;

        slots = sorted_slots(walk, &n);
        if (slots == NULL)
            return CLASCONV_ERR_MEMORY;
        for (i = 0; i < n; i = j) {
            for (j = i + 1; j < n && strcmp(slots[i].fold, slots[j].fold) == 0;
                 j++)
                ;
            if (j - i < 2)
                continue;
            clashes = 1;
            /* synthese.xlsx sorts last in its group: it never moves. */
            reserved = slots[j - 1].index == SIZE_MAX;
            for (k = i; k < j; k++) {
                batch_entry *e;
                char *renamed;

                if (slots[k].index == SIZE_MAX)
                    continue;
                if (round > 0 && k == i && !reserved)
                    continue; /* the first keeps its name */
                e = &walk->entries[slots[k].index];
                renamed = output_name(
                    e->rel, 1, round == 0 ? 0 : (unsigned)(k - i + round));
                if (renamed == NULL) {
                    free_slots(slots, n);
                    return CLASCONV_ERR_MEMORY;
                }
                free(e->output);
                e->output = renamed;
            }
        }
        free_slots(slots, n);
        if (!clashes)
            return CLASCONV_OK;
    }
    return CLASCONV_ERR_TOO_LARGE;
}
