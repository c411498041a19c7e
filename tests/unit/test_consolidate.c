/* test_consolidate.c: what the batch synthesis counts (exact copies, two
 * files for one commune) and the schools listed by two communes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/consolidate.h"
#include "clasconv/clasconv.h"

#define NFILES_MAX 8

typedef struct files {
    clasconv_batch_file f[NFILES_MAX];
    size_t n;
} files;

/* A converted file of `commune` with one school per name. */
static clasconv_batch_file *add(files *fs, const char *path,
                                const char *commune, const char *sha,
                                long long mtime, const char *const *schools)
{
    clasconv_batch_file *f = &fs->f[fs->n++];
    size_t i;

    memset(f, 0, sizeof *f);
    f->path = strdup(path);
    f->status = CLASCONV_BATCH_OK;
    snprintf(f->sha256, sizeof f->sha256, "%s", sha);
    f->mtime = mtime;
    f->table = clasconv_table_new();
    cr_assert_not_null(f->table);
    if (commune)
        cr_assert_eq(clasconv_table_set_string(&f->table->commune, commune),
                     CLASCONV_OK);
    for (i = 0; schools && schools[i]; i++) {
        clasconv_school_name n;
        clasconv_school *s;
        cr_assert_eq(clasconv_school_name_normalize(schools[i], &n),
                     CLASCONV_OK);
        s = clasconv_table_add_school(f->table, n.level, n.canonical, n.key,
                                      schools[i], "A2");
        cr_assert_not_null(s);
        clasconv_school_name_free(&n);
    }
    return f;
}

static void clear(files *fs)
{
    size_t i;

    for (i = 0; i < fs->n; i++) {
        free(fs->f[i].path);
        clasconv_table_free(fs->f[i].table);
    }
    fs->n = 0;
}

static size_t count_code(const batch_consolidation *c,
                         clasconv_anomaly_code code)
{
    size_t i, n = 0;

    for (i = 0; i < c->anomalies.count; i++)
        n += c->anomalies.items[i].code == code;
    return n;
}

Test(consolidate, exact_copy_listed_once_counted)
{
    files fs = {0};
    batch_consolidation c;
    char text[512];

    add(&fs, "bron.csv", "Bron", "aaaa", 100, NULL);
    add(&fs, "copie/bron.csv", "Bron", "aaaa", 200, NULL);
    cr_assert_eq(batch_consolidate(fs.f, fs.n, &c), CLASCONV_OK);
    cr_assert_eq(c.counts[0].kind, BATCH_COUNT_YES);
    cr_assert_eq(c.counts[1].kind, BATCH_COUNT_EXACT_COPY);
    cr_assert_eq(c.counts[1].other, 0);
    cr_assert_eq(c.anomalies.count, 1);
    cr_assert_eq(c.anomalies.items[0].code, CLASCONV_A_FILE_DUPLICATE);
    cr_assert_eq(c.anomaly_file[0], 1);
    cr_assert(strstr(c.anomalies.items[0].message,
                     "« copie/bron.csv » est un doublon exact de « bron.csv »"),
              "%s", c.anomalies.items[0].message);
    batch_count_text(&c, fs.f, 1, text, sizeof text);
    cr_assert_str_eq(text, "Non compté : doublon exact de « bron.csv »");
    batch_count_text(&c, fs.f, 0, text, sizeof text);
    cr_assert_str_eq(text, "Compté");
    batch_consolidation_free(&c);
    clear(&fs);
}

Test(consolidate, same_commune_keeps_the_most_recent)
{
    files fs = {0};
    batch_consolidation c;
    char text[512];

    /* commune keys fold case and accents: "VENISSIEUX" = "Vénissieux" */
    add(&fs, "a.csv", "Vénissieux", "1111", 300, NULL);
    add(&fs, "b.csv", "VENISSIEUX", "2222", 100, NULL);
    add(&fs, "c.csv", "Bron", "3333", 50, NULL);
    cr_assert_eq(batch_consolidate(fs.f, fs.n, &c), CLASCONV_OK);
    cr_assert_eq(c.counts[0].kind, BATCH_COUNT_YES);
    cr_assert_eq(c.counts[1].kind, BATCH_COUNT_SUPERSEDED);
    cr_assert_eq(c.counts[1].other, 0);
    cr_assert_eq(c.counts[2].kind, BATCH_COUNT_YES);
    cr_assert_eq(count_code(&c, CLASCONV_A_COMMUNE_DUPLICATE), 1);
    cr_assert_eq(c.anomaly_file[0], 1);
    cr_assert(strstr(c.anomalies.items[0].message, "« a.csv »"));
    cr_assert(strstr(c.anomalies.items[0].message, "« b.csv »"));
    batch_count_text(&c, fs.f, 1, text, sizeof text);
    cr_assert(strstr(text, "même commune que « a.csv »"), "%s", text);
    batch_consolidation_free(&c);
    clear(&fs);
}

Test(consolidate, same_time_goes_to_the_last_in_order)
{
    files fs = {0};
    batch_consolidation c;

    add(&fs, "a.csv", "Bron", "1111", 100, NULL);
    add(&fs, "b.csv", "Bron", "2222", 100, NULL);
    cr_assert_eq(batch_consolidate(fs.f, fs.n, &c), CLASCONV_OK);
    cr_assert_eq(c.counts[0].kind, BATCH_COUNT_SUPERSEDED);
    cr_assert_eq(c.counts[1].kind, BATCH_COUNT_YES);
    batch_consolidation_free(&c);
    clear(&fs);
}

Test(consolidate, unknown_communes_and_unreadable_files_are_never_merged)
{
    files fs = {0};
    batch_consolidation c;
    clasconv_batch_file *bad;

    add(&fs, "x.csv", NULL, "1111", 100, NULL);
    add(&fs, "y.csv", NULL, "2222", 200, NULL);
    bad = add(&fs, "z.xls", "Bron", "3333", 300, NULL);
    bad->status = CLASCONV_BATCH_UNREADABLE;
    add(&fs, "bron.csv", "Bron", "4444", 100, NULL);
    cr_assert_eq(batch_consolidate(fs.f, fs.n, &c), CLASCONV_OK);
    cr_assert_eq(c.counts[0].kind, BATCH_COUNT_YES);
    cr_assert_eq(c.counts[1].kind, BATCH_COUNT_YES);
    cr_assert_eq(c.counts[2].kind, BATCH_COUNT_NO_FIGURES);
    cr_assert_eq(c.counts[3].kind, BATCH_COUNT_YES);
    cr_assert_eq(c.anomalies.count, 0);
    batch_consolidation_free(&c);
    clear(&fs);
}

Test(consolidate, school_in_two_communes)
{
    static const char *const bron[] = {"EE Jules Ferry", "CLG Ampère", NULL};
    static const char *const vaulx[] = {"École élémentaire JULES-FERRY",
                                        "Collège Henri Barbusse", NULL};
    files fs = {0};
    batch_consolidation c;
    const clasconv_anomaly *a;

    add(&fs, "bron.csv", "Bron", "1111", 100, bron);
    add(&fs, "vaulx.csv", "Vaulx-en-Velin", "2222", 100, vaulx);
    cr_assert_eq(batch_consolidate(fs.f, fs.n, &c), CLASCONV_OK);
    cr_assert_eq(c.anomalies.count, 1);
    a = &c.anomalies.items[0];
    cr_assert_eq(a->code, CLASCONV_A_SCHOOL_IN_TWO_COMMUNES);
    cr_assert_eq(a->severity, CLASCONV_SEV_INFO);
    cr_assert_eq(c.anomaly_file[0], 1);
    cr_assert_eq(a->level, CLASCONV_LEVEL_ELEMENTAIRE);
    cr_assert(strstr(a->message, "Bron") &&
                  strstr(a->message, "Vaulx-en-Velin"),
              "%s", a->message);
    batch_consolidation_free(&c);
    clear(&fs);
}

Test(consolidate, school_twice_in_one_commune_is_not_two_communes)
{
    static const char *const one[] = {"EE Jules Ferry", "EE JULES FERRY", NULL};
    static const char *const older[] = {"EE Jules Ferry", NULL};
    files fs = {0};
    batch_consolidation c;

    add(&fs, "bron.csv", "Bron", "1111", 200, one);
    /* an older file of the same commune is not counted, so not compared */
    add(&fs, "bron-old.csv", "Bron", "2222", 100, older);
    cr_assert_eq(batch_consolidate(fs.f, fs.n, &c), CLASCONV_OK);
    cr_assert_eq(count_code(&c, CLASCONV_A_SCHOOL_IN_TWO_COMMUNES), 0);
    cr_assert_eq(count_code(&c, CLASCONV_A_COMMUNE_DUPLICATE), 1);
    batch_consolidation_free(&c);
    clear(&fs);
}
