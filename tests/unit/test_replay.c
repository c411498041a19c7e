/* test_replay.c: replays every fuzz corpus file (tests/fuzz/corpus/<target>/,
 * seeds and every crash ever found) through every fuzz target, without
 * libFuzzer, so that each fixed crash stays fixed in the normal suite. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The targets' bodies, compiled here as plain code. */
#include "../fuzz/targets.c"

#ifndef CLASCONV_FUZZ_CORPUS
#define CLASCONV_FUZZ_CORPUS CLASCONV_FIXTURES "/../tests/fuzz/corpus"
#endif

static unsigned char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data;
    long len;

    cr_assert_not_null(f, "cannot open %s", path);
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    len = ftell(f);
    cr_assert_geq(len, 0);
    rewind(f);
    data = malloc((size_t)len + 1);
    cr_assert_not_null(data);
    cr_assert_eq(fread(data, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *size = (size_t)len;
    return data;
}

/* Runs `target` on every file of every corpus folder; returns the number of
 * files run. A file named p0* in the target's own folder is a sample that
 * must read without error. */
static size_t replay(const fuzz_target *target)
{
    size_t files = 0, t;

    for (t = 0; t < fuzz_target_count; t++) {
        char dir_path[1024];
        DIR *dir;
        struct dirent *ent;

        snprintf(dir_path, sizeof dir_path, "%s/%s", CLASCONV_FUZZ_CORPUS,
                 fuzz_targets[t].name);
        dir = opendir(dir_path);
        cr_assert_not_null(dir, "no corpus folder %s", dir_path);
        while ((ent = readdir(dir)) != NULL) {
            char path[2048];
            struct stat st;
            unsigned char *data;
            size_t size;
            int rc;

            snprintf(path, sizeof path, "%s/%s", dir_path, ent->d_name);
            if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
                continue;
            data = slurp(path, &size);
            rc = target->run(data, size);
            free(data);
            cr_assert(rc >= CLASCONV_OK && rc <= CLASCONV_ERR_USAGE,
                      "%s on %s: error code %d out of range", target->name,
                      path, rc);
            cr_assert_neq(rc, CLASCONV_ERR_USAGE, "%s on %s: usage error",
                          target->name, path);
            if (t < fuzz_target_count && fuzz_targets + t == target &&
                strncmp(ent->d_name, "p0", 2) == 0 &&
                strcmp(target->name, "pipeline") != 0)
                cr_assert_eq(rc, CLASCONV_OK, "%s on sample %s: error %d",
                             target->name, path, rc);
            files++;
        }
        closedir(dir);
    }
    return files;
}

static const fuzz_target *target_named(const char *name)
{
    size_t i;

    for (i = 0; i < fuzz_target_count; i++)
        if (strcmp(fuzz_targets[i].name, name) == 0)
            return &fuzz_targets[i];
    cr_assert_fail("no target %s", name);
    return NULL;
}

#define REPLAY_TEST(name)                                                      \
    Test(replay, name)                                                         \
    {                                                                          \
        cr_assert_gt(replay(target_named(#name)), 20,                          \
                     "the corpus is missing");                                 \
    }

REPLAY_TEST(csv)
REPLAY_TEST(xls)
REPLAY_TEST(xlsx)
REPLAY_TEST(ods)
REPLAY_TEST(docx)
REPLAY_TEST(pipeline)
REPLAY_TEST(xml2003)
REPLAY_TEST(annuaire)
REPLAY_TEST(html)

REPLAY_TEST(render)

/* The render target holds the amplification-shaped seed to the budget. */
Test(replay, render_seed_within_budget)
{
    size_t size;
    unsigned char *data =
        slurp(CLASCONV_FUZZ_CORPUS "/render/seed-unknown-columns.csv", &size);

    cr_assert_eq(fuzz_target_render(data, size), CLASCONV_OK);
    free(data);
}

/* The pipeline writes a workbook for a sample that converts. */
Test(replay, pipeline_sample_converts)
{
    size_t size;
    unsigned char *data =
        slurp(CLASCONV_FUZZ_CORPUS "/csv/p03-bron.csv", &size);

    cr_assert_eq(fuzz_target_pipeline(data, size), CLASCONV_OK);
    free(data);
}

/* A stored zip entry whose bytes changed gets its CRC fixed, so that the
 * reader goes past the checksum. */
Test(replay, stored_crc_fixed)
{
    size_t size;
    unsigned char *data =
        slurp(CLASCONV_FUZZ_CORPUS "/xlsx/p02-vaulx-stored.xlsx", &size);
    unsigned char *hit = NULL;
    size_t i;

    for (i = 0; i + 8 < size; i++)
        if (memcmp(data + i, "Niveau", 6) == 0) {
            hit = data + i;
            break;
        }
    cr_assert_not_null(hit);
    hit[0] = 'M'; /* a different header text, same length */
    cr_assert_eq(fuzz_target_xlsx(data, size), CLASCONV_OK);
    free(data);
}
