/* test_batch.c: the batch: summary wire format, output names, order,
 * rapport.csv, and whole runs with worker processes (crash, hang, limits,
 * determinism across worker counts, folder checks). */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "batch/batch_internal.h"
#include "clasconv/batch.h"
#include "clasconv/clasconv.h"

#include "test_util.h"

/* --- Helpers ------------------------------------------------------------- */

static void put_file(const char *dir, const char *name, const char *text)
{
    char *path = test_join(dir, name);
    FILE *f = fopen(path, "wb");

    cr_assert_not_null(f, "cannot create %s", path);
    fputs(text, f);
    fclose(f);
    free(path);
}

static unsigned char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data;
    long n;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = malloc((size_t)n + 1);
    cr_assert_not_null(data);
    cr_assert_eq(fread(data, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return data;
}

/* Non-zero when both files exist with the same bytes. */
static int same_bytes(const char *a, const char *b)
{
    size_t na = 0, nb = 0;
    unsigned char *da = slurp(a, &na), *db = slurp(b, &nb);
    int same = da != NULL && db != NULL && na == nb && !memcmp(da, db, na);

    free(da);
    free(db);
    return same;
}

/* Sorted names of a folder joined by '|'. */
static char *listing(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char *names[64];
    size_t n = 0, i;
    clasconv_buf b = {0};

    cr_assert_not_null(d);
    while ((e = readdir(d)) != NULL && n < 64)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    closedir(d);
    for (i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    for (i = 0; i < n; i++) {
        clasconv_buf_puts(&b, i ? "|" : "");
        clasconv_buf_puts(&b, names[i]);
        free(names[i]);
    }
    return b.data != NULL ? clasconv_buf_detach(&b) : strdup("");
}

static void remove_tree(const char *dir)
{
    char cmd[512];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* A table as a reader would give it: two schools, one error anomaly. */
static clasconv_table *sample_table(const char *commune)
{
    clasconv_table *t = clasconv_table_new();
    clasconv_school *s;
    clasconv_anomaly_at at = clasconv_anomaly_nowhere();
    int i;

    cr_assert_not_null(t);
    clasconv_table_set_string(&t->file_name, "f.csv");
    clasconv_table_set_string(&t->format, "csv");
    clasconv_table_set_string(&t->sheet, "f");
    clasconv_table_set_string(&t->commune, commune);
    strcpy(t->sha256, "ab");
    s = clasconv_table_add_school(
        t, CLASCONV_LEVEL_ELEMENTAIRE, "École élémentaire Jules Ferry",
        "ecole elementaire jules ferry", "EE J. FERRY", "ligne 3, champ 1");
    cr_assert_not_null(s);
    for (i = 0; i < CLASCONV_SCHEME_COUNT; i++)
        s->counts[i] = i == 2 ? CLASCONV_BLANK : i;
    s->autre_detail = strdup("Coup de pouce");
    s = clasconv_table_add_school(t, CLASCONV_LEVEL_COLLEGE, "Collège Ampère",
                                  "college ampere", NULL, "ligne 5, champ 1");
    cr_assert_not_null(s);
    s->counts[CLASCONV_SCHEME_CLAS] = 12;
    clasconv_table_totals(t, t->totals);
    at.level = CLASCONV_LEVEL_COLLEGE;
    at.scheme = CLASCONV_SCHEME_CLAS;
    at.school = "Collège Ampère";
    at.cell = "ligne 5, champ 7";
    at.read = "NC";
    at.kept = "";
    cr_assert_eq(clasconv_anomalies_add(&t->anomalies,
                                        CLASCONV_A_VALUE_NOT_A_NUMBER, &at,
                                        "« %s » n'est pas un nombre.", "NC"),
                 CLASCONV_OK);
    return t;
}

/* --- Summary wire format ------------------------------------------------- */

Test(wire, round_trip_keeps_everything)
{
    clasconv_batch_file in, out;
    clasconv_buf buf = {0};
    const clasconv_school *s;
    const clasconv_anomaly *a;

    memset(&in, 0, sizeof in);
    in.status = CLASCONV_BATCH_TO_CHECK;
    in.message = strdup("1 erreur");
    in.output = strdup("sub/f.xlsx");
    strcpy(in.sha256, "0123");
    in.errors = 1;
    in.warnings = 2;
    in.infos = 3;
    in.table = sample_table("Bron");
    in.table->commune_source = CLASCONV_COMMUNE_TITLE;
    cr_assert_eq(clasconv_school_add_observation(&in.table->schools[0],
                                                 "Remarques", "salle B"),
                 CLASCONV_OK);
    cr_assert_eq(batch_wire_encode(&in, &buf), CLASCONV_OK);
    cr_assert_eq(
        batch_wire_decode((const unsigned char *)buf.data, buf.len, &out),
        CLASCONV_OK);
    cr_assert_eq(out.status, CLASCONV_BATCH_TO_CHECK);
    cr_assert_str_eq(out.message, "1 erreur");
    cr_assert_str_eq(out.output, "sub/f.xlsx");
    cr_assert_str_eq(out.sha256, "0123");
    cr_assert_eq(out.errors, 1);
    cr_assert_eq(out.warnings, 2);
    cr_assert_eq(out.infos, 3);
    cr_assert_eq(out.truncated, 0);
    cr_assert_null(out.path);
    cr_assert_not_null(out.table);
    cr_assert_str_eq(out.table->commune, "Bron");
    cr_assert_eq(out.table->commune_source, CLASCONV_COMMUNE_TITLE);
    cr_assert_str_eq(out.table->format, "csv");
    cr_assert_str_eq(out.table->sha256, "ab");
    cr_assert_null(out.table->encoding);
    cr_assert_eq(out.table->nschools, 2);
    s = &out.table->schools[0];
    cr_assert_eq(s->level, CLASCONV_LEVEL_ELEMENTAIRE);
    cr_assert_str_eq(s->name, "École élémentaire Jules Ferry");
    cr_assert_str_eq(s->key, "ecole elementaire jules ferry");
    cr_assert_str_eq(s->read_name, "EE J. FERRY");
    cr_assert_str_eq(s->cell, "ligne 3, champ 1");
    cr_assert_str_eq(s->autre_detail, "Coup de pouce");
    cr_assert_str_eq(s->observations, "Remarques : salle B");
    cr_assert_null(out.table->schools[1].observations);
    cr_assert_eq(s->counts[0], 0);
    cr_assert_eq(s->counts[2], CLASCONV_BLANK);
    cr_assert_eq(s->counts[8], 8);
    s = &out.table->schools[1];
    cr_assert_null(s->read_name);
    cr_assert_null(s->autre_detail);
    cr_assert_eq(s->counts[CLASCONV_SCHEME_CLAS], 12);
    cr_assert_eq(s->counts[CLASCONV_SCHEME_ETUDE], CLASCONV_BLANK);
    cr_assert_eq(out.table->totals[CLASCONV_LEVEL_COUNT].schools, 2);
    cr_assert_eq(
        out.table->totals[CLASCONV_LEVEL_COLLEGE].counts[CLASCONV_SCHEME_CLAS],
        12);
    cr_assert_eq(
        out.table->totals[CLASCONV_TOTALS_ALL].counts[CLASCONV_SCHEME_CLAS],
        6 + 12);
    cr_assert_eq(out.table->totals[CLASCONV_TOTALS_UNKNOWN].schools, 0);
    cr_assert_eq(out.table->anomalies.count, 1);
    a = &out.table->anomalies.items[0];
    cr_assert_eq(a->code, CLASCONV_A_VALUE_NOT_A_NUMBER);
    cr_assert_eq(a->severity, CLASCONV_SEV_ERROR);
    cr_assert_eq(a->level, CLASCONV_LEVEL_COLLEGE);
    cr_assert_eq(a->scheme, CLASCONV_SCHEME_CLAS);
    cr_assert_str_eq(a->school, "Collège Ampère");
    cr_assert_str_eq(a->cell, "ligne 5, champ 7");
    cr_assert_str_eq(a->read, "NC");
    cr_assert_str_eq(a->kept, "");
    cr_assert_str_eq(a->message, "« NC » n'est pas un nombre.");
    batch_file_clear(&in);
    batch_file_clear(&out);
    clasconv_buf_free(&buf);
}

Test(wire, every_truncation_and_corruption_is_refused)
{
    clasconv_batch_file in, out;
    clasconv_buf buf = {0};
    size_t len;
    unsigned char *copy;

    memset(&in, 0, sizeof in);
    in.status = CLASCONV_BATCH_OK;
    in.message = strdup("");
    in.table = sample_table("Saint-Priest");
    cr_assert_eq(batch_wire_encode(&in, &buf), CLASCONV_OK);
    for (len = 0; len < buf.len; len++)
        cr_assert_eq(
            batch_wire_decode((const unsigned char *)buf.data, len, &out),
            CLASCONV_ERR_FORMAT, "prefix of %zu bytes accepted", len);
    /* Flipping any byte never crashes; most are caught. */
    copy = malloc(buf.len);
    cr_assert_not_null(copy);
    for (len = 0; len < buf.len; len++) {
        memcpy(copy, buf.data, buf.len);
        copy[len] ^= 0xFF;
        if (batch_wire_decode(copy, buf.len, &out) == CLASCONV_OK)
            batch_file_clear(&out);
    }
    /* A status out of range is refused. */
    memcpy(copy, buf.data, buf.len);
    copy[4] = 9;
    cr_assert_eq(batch_wire_decode(copy, buf.len, &out), CLASCONV_ERR_FORMAT);
    free(copy);
    batch_file_clear(&in);
    clasconv_buf_free(&buf);
}

Test(wire, summary_caps_schools_and_says_so)
{
    clasconv_batch_file in, out;
    clasconv_buf buf = {0};
    size_t i;

    memset(&in, 0, sizeof in);
    in.message = strdup("");
    in.table = clasconv_table_new();
    for (i = 0; i < CLASCONV_BATCH_MAX_SCHOOLS + 5; i++)
        cr_assert_not_null(clasconv_table_add_school(
            in.table, CLASCONV_LEVEL_LYCEE, "Lycée", "lycee", NULL, "A1"));
    cr_assert_eq(batch_wire_encode(&in, &buf), CLASCONV_OK);
    cr_assert_eq(
        batch_wire_decode((const unsigned char *)buf.data, buf.len, &out),
        CLASCONV_OK);
    cr_assert_eq(out.table->nschools, CLASCONV_BATCH_MAX_SCHOOLS);
    cr_assert_eq(out.truncated, 1);
    batch_file_clear(&in);
    batch_file_clear(&out);
    clasconv_buf_free(&buf);
}

/* --- Output names -------------------------------------------------------- */

static void add(batch_walk *w, const char *rel, clasconv_batch_status status)
{
    batch_entry *e;

    w->entries = realloc(w->entries, (w->count + 1) * sizeof *w->entries);
    cr_assert_not_null(w->entries);
    e = &w->entries[w->count++];
    memset(e, 0, sizeof *e);
    e->rel = strdup(rel);
    e->abs = strdup(rel);
    e->status = status;
}

static const char *out_of(const batch_walk *w, size_t i)
{
    return w->entries[i].output != NULL ? w->entries[i].output : "(none)";
}

Test(names, stems_clashes_and_the_synthesis_name)
{
    batch_walk w = {0};

    add(&w, "Bron.csv", CLASCONV_BATCH_OK);         /* clash, case */
    add(&w, "Rillieux.xls", CLASCONV_BATCH_OK);     /* plain */
    add(&w, "bron.XLS", CLASCONV_BATCH_OK);         /* clash, case */
    add(&w, "synthese.csv", CLASCONV_BATCH_OK);     /* reserved */
    add(&w, "sub/synthese.csv", CLASCONV_BATCH_OK); /* not reserved */
    add(&w, "sub/Rillieux.xls", CLASCONV_BATCH_OK); /* other folder */
    add(&w, "~$lock.xlsx", CLASCONV_BATCH_SKIPPED); /* no output */
    add(&w, "noext", CLASCONV_BATCH_OK);            /* no extension */
    add(&w, ".x", CLASCONV_BATCH_OK);               /* dot first */
    add(&w, "a.b.ods", CLASCONV_BATCH_OK);          /* last dot */
    add(&w, "Same.ods.xlsx", CLASCONV_BATCH_OK);    /* stem Same.ods */
    add(&w, "Same.ods", CLASCONV_BATCH_OK);         /* name Same.ods */
    cr_assert_eq(batch_plan_outputs(&w), CLASCONV_OK);
    cr_assert_str_eq(out_of(&w, 0), "Bron.csv.xlsx");
    cr_assert_str_eq(out_of(&w, 1), "Rillieux.xlsx");
    cr_assert_str_eq(out_of(&w, 2), "bron.XLS.xlsx");
    cr_assert_str_eq(out_of(&w, 3), "synthese.csv.xlsx");
    cr_assert_str_eq(out_of(&w, 4), "sub/synthese.xlsx");
    cr_assert_str_eq(out_of(&w, 5), "sub/Rillieux.xlsx");
    cr_assert_str_eq(out_of(&w, 6), "(none)");
    cr_assert_str_eq(out_of(&w, 7), "noext.xlsx");
    cr_assert_str_eq(out_of(&w, 8), ".x.xlsx");
    cr_assert_str_eq(out_of(&w, 9), "a.b.xlsx");
    /* "Same.ods.xlsx" -> "Same.ods.xlsx" clashes with "Same.ods" ->
     * "Same.xlsx"? No: with "Same.ods"'s full name, so they are numbered. */
    cr_assert_str_eq(out_of(&w, 10), "Same.ods.xlsx");
    cr_assert_str_eq(out_of(&w, 11), "Same.xlsx");
    batch_walk_free(&w);
}

Test(names, full_name_clashes_get_numbers)
{
    batch_walk w = {0};

    add(&w, "A.csv", CLASCONV_BATCH_OK);
    add(&w, "a.csv", CLASCONV_BATCH_OK);
    add(&w, "a.xls", CLASCONV_BATCH_OK);
    cr_assert_eq(batch_plan_outputs(&w), CLASCONV_OK);
    cr_assert_str_eq(out_of(&w, 0), "A.csv.xlsx");
    cr_assert_str_eq(out_of(&w, 1), "a.csv (2).xlsx");
    cr_assert_str_eq(out_of(&w, 2), "a.xls.xlsx");
    batch_walk_free(&w);
}

Test(names, claims)
{
    cr_assert(batch_name_claims_sheet("x.XLS"));
    cr_assert(batch_name_claims_sheet("a b.csv"));
    cr_assert(batch_name_claims_sheet("note.docx"));
    cr_assert(batch_name_claims_sheet("t.txt"));
    cr_assert(batch_name_claims_sheet("formulaire.rtf"));
    cr_assert(batch_name_claims_sheet("ancien.DOC"));
    cr_assert_not(batch_name_claims_sheet("photo.jpg"));
    cr_assert_not(batch_name_claims_sheet("notice.pdf"));
    cr_assert_not(batch_name_claims_sheet("LISEZMOI"));
    cr_assert_not(batch_name_claims_sheet(".csv"));
}

/* --- Order and rapport.csv ----------------------------------------------- */

static clasconv_batch_file file_of(const char *path, const char *commune,
                                   clasconv_batch_status status)
{
    clasconv_batch_file f;

    memset(&f, 0, sizeof f);
    f.path = strdup(path);
    f.message = strdup("");
    f.status = status;
    if (commune != NULL) {
        f.table = clasconv_table_new();
        clasconv_table_set_string(&f.table->commune, commune);
    }
    return f;
}

Test(order, commune_folded_then_path_unknown_last)
{
    clasconv_batch_file files[6];
    size_t i;

    files[0] = file_of("z.csv", NULL, CLASCONV_BATCH_UNREADABLE);
    files[1] = file_of("b2.csv", "Écully", CLASCONV_BATCH_OK);
    files[2] = file_of("a.csv", "vénissieux", CLASCONV_BATCH_OK);
    files[3] = file_of("b1.csv", "Ecully", CLASCONV_BATCH_OK);
    files[4] = file_of("a.pdf", NULL, CLASCONV_BATCH_SKIPPED);
    files[5] = file_of("c.csv", "Bron", CLASCONV_BATCH_TO_CHECK);
    clasconv_batch_sort(files, 6);
    cr_assert_str_eq(files[0].path, "c.csv");
    cr_assert_str_eq(files[1].path, "b1.csv"); /* Ecully < Écully (bytes) */
    cr_assert_str_eq(files[2].path, "b2.csv");
    cr_assert_str_eq(files[3].path, "a.csv");
    cr_assert_str_eq(files[4].path, "a.pdf");
    cr_assert_str_eq(files[5].path, "z.csv");
    for (i = 0; i < 6; i++)
        batch_file_clear(&files[i]);
}

Test(report, csv_exact_bytes)
{
    clasconv_batch_file files[3];
    clasconv_buf out = {0};
    size_t i;

    files[0] = file_of("Bron.csv", "Bron", CLASCONV_BATCH_TO_CHECK);
    files[0].errors = 2;
    files[0].warnings = 1;
    files[0].output = strdup("Bron.xlsx");
    free(files[0].message);
    files[0].message = strdup("Valeur « NC » ; cellule \"B7\"");
    files[1] = file_of("=cmd.xls", NULL, CLASCONV_BATCH_UNREADABLE);
    files[1].errors = 1;
    free(files[1].message);
    files[1].message = strdup("ligne 1\nligne 2");
    files[2] = file_of("~$x.xlsx", NULL, CLASCONV_BATCH_SKIPPED);
    cr_assert_eq(clasconv_batch_render_csv(files, 3, &out), CLASCONV_OK);
    cr_assert_str_eq(out.data,
                     "\xEF\xBB\xBF"
                     "fichier;commune;statut;erreurs;avertissements;sortie;"
                     "message\r\n"
                     "Bron.csv;Bron;À vérifier;2;1;Bron.xlsx;"
                     "\"Valeur « NC » ; cellule \"\"B7\"\"\"\r\n"
                     "'=cmd.xls;;Illisible;1;0;;\"ligne 1\nligne 2\"\r\n"
                     "~$x.xlsx;;Ignoré;0;0;;\r\n");
    for (i = 0; i < 3; i++)
        batch_file_clear(&files[i]);
    clasconv_buf_free(&out);
}

/* A leading TAB or CR hides a formula from the = test: neutralised too. */
Test(report, csv_neutralises_leading_tab_and_cr)
{
    clasconv_batch_file files[2];
    clasconv_buf out = {0};
    size_t i;

    files[0] = file_of("\t=1+1.xls", NULL, CLASCONV_BATCH_UNREADABLE);
    files[1] = file_of("\r=1+1.xls", NULL, CLASCONV_BATCH_UNREADABLE);
    free(files[0].message);
    files[0].message = strdup("\t@SUM(A1)");
    cr_assert_eq(clasconv_batch_render_csv(files, 2, &out), CLASCONV_OK);
    cr_assert_not_null(strstr(out.data, "\r\n'\t=1+1.xls;"), "%s", out.data);
    cr_assert_not_null(strstr(out.data, ";'\t@SUM(A1)\r\n"), "%s", out.data);
    cr_assert_not_null(strstr(out.data, "\r\n\"'\r=1+1.xls\";"), "%s",
                       out.data);
    for (i = 0; i < 2; i++)
        batch_file_clear(&files[i]);
    clasconv_buf_free(&out);
}

Test(report, status_labels)
{
    cr_assert_str_eq(clasconv_batch_status_label(CLASCONV_BATCH_OK), "OK");
    cr_assert_str_eq(clasconv_batch_status_label(CLASCONV_BATCH_TO_CHECK),
                     "À vérifier");
    cr_assert_str_eq(clasconv_batch_status_label(CLASCONV_BATCH_UNREADABLE),
                     "Illisible");
    cr_assert_str_eq(clasconv_batch_status_label(CLASCONV_BATCH_WRITE_FAILED),
                     "Non écrit");
    cr_assert_str_eq(clasconv_batch_status_label(CLASCONV_BATCH_SKIPPED),
                     "Ignoré");
}

/* --- Whole runs ---------------------------------------------------------- */

/* A stand-in pipeline: "commune;errors" in the file gives a table with that
 * commune and that many error anomalies; "loop" spins forever; "alloc"
 * allocates until refused and reports MEMORY; "abort" aborts. */
static clasconv_error fake_convert(const char *file_name, const char *path,
                                   const unsigned char *data, size_t size,
                                   clasconv_table **table, clasconv_diag *diag)
{
    char text[256], *semi;
    clasconv_table *t = clasconv_table_new();
    clasconv_school *s;
    long errors, i;
    volatile unsigned long spin = 0;

    (void)path;
    *table = t;
    if (size >= sizeof text)
        size = sizeof text - 1;
    memcpy(text, data, size);
    text[size] = '\0';
    clasconv_table_set_string(&t->file_name, file_name);
    clasconv_table_set_string(&t->format, "csv");
    if (!strcmp(text, "loop"))
        for (;;)
            spin++;
    if (!strcmp(text, "abort"))
        abort();
    if (!strncmp(text, "burn:", 5)) {
        /* 0.7 s of CPU, then a normal file: a pool worker gets the CPU
         * limit afresh for each file. */
        struct timespec t0, now;
        memmove(text, text + 5, strlen(text + 5) + 1);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
        do {
            spin++;
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
        } while ((double)(now.tv_sec - t0.tv_sec) +
                     (double)(now.tv_nsec - t0.tv_nsec) / 1e9 <
                 0.7);
    }
    if (!strcmp(text, "alloc")) {
        for (;;) {
            char *p = malloc((size_t)8 << 20);
            if (p == NULL) {
                clasconv_diag_set(diag, "Mémoire insuffisante.");
                return CLASCONV_ERR_MEMORY;
            }
            memset(p, 1, (size_t)8 << 20);
        }
    }
    semi = strchr(text, ';');
    if (semi == NULL) {
        clasconv_diag_set(diag, "Pas de tableau.");
        clasconv_anomalies_add(&t->anomalies, CLASCONV_A_TABLE_NOT_FOUND, NULL,
                               "Pas de tableau.");
        return CLASCONV_ERR_NO_TABLE;
    }
    *semi = '\0';
    clasconv_table_set_string(&t->commune, text);
    errors = strtol(semi + 1, NULL, 10);
    s = clasconv_table_add_school(t, CLASCONV_LEVEL_COLLEGE, "Collège X",
                                  "college x", "CLG X", "ligne 2, champ 1");
    s->counts[CLASCONV_SCHEME_CLAS] = 7;
    clasconv_table_totals(t, t->totals);
    for (i = 0; i < errors; i++)
        clasconv_anomalies_add(&t->anomalies, CLASCONV_A_VALUE_NEGATIVE, NULL,
                               "Négatif n° %ld.", i + 1);
    return CLASCONV_OK;
}

typedef struct events {
    size_t start, file, writing, end, last_done, last_total;
} events;

static void count_events(const clasconv_batch_event *ev, void *user)
{
    events *e = user;

    switch (ev->kind) {
    case CLASCONV_BATCH_EV_START:
        e->start++;
        break;
    case CLASCONV_BATCH_EV_FILE:
        e->file++;
        break;
    case CLASCONV_BATCH_EV_WRITING:
        e->writing++;
        break;
    case CLASCONV_BATCH_EV_END:
        e->end++;
        break;
    }
    e->last_done = ev->done;
    e->last_total = ev->total;
}

static void fill_indir(const char *in)
{
    char *sub = test_join(in, "sous");

    put_file(in, "vaulx.csv", "Vaulx-en-Velin;0");
    put_file(in, "bron.csv", "Bron;2");
    put_file(in, "ecully.csv", "Écully;0");
    put_file(in, "budget.csv", "pas de tableau");
    put_file(in, "boucle.csv", "loop");
    put_file(in, "~$bron.csv", "lock");
    put_file(in, ".cache", "hidden");
    put_file(in, "photo.jpg", "\xFF\xD8\xFF\xE0\x00\x10JFIF\x00");
    cr_assert_eq(mkdir(sub, 0755), 0);
    put_file(sub, "givors.csv", "Givors;0");
    free(sub);
}

static clasconv_batch_result *run(const char *in, const char *out,
                                  unsigned jobs, int recursive, events *ev,
                                  clasconv_error *rc)
{
    clasconv_batch_options o;
    clasconv_batch_result *r = NULL;
    clasconv_diag diag;

    memset(&o, 0, sizeof o);
    o.jobs = jobs;
    o.recursive = recursive;
    o.wall_s = 2;
    o.cpu_s = 2;
    o.convert = fake_convert;
    o.progress = count_events;
    o.progress_user = ev;
    *rc = clasconv_batch_run(in, out, &o, &r, &diag);
    return r;
}

static const clasconv_batch_file *find(const clasconv_batch_result *r,
                                       const char *path)
{
    size_t i;

    for (i = 0; i < r->nfiles; i++)
        if (!strcmp(r->files[i].path, path))
            return &r->files[i];
    cr_assert_fail("%s not in the result", path);
    return NULL;
}

Test(run, statuses_order_and_outputs)
{
    char *in = test_make_dir("clasconv_batch"),
         *out = test_make_dir("clasconv_batch");
    clasconv_batch_result *r;
    clasconv_error rc;
    events ev = {0};
    char *list;

    fill_indir(in);
    r = run(in, out, 2, 0, &ev, &rc);
    cr_assert_eq(rc, CLASCONV_OK);
    cr_assert_not_null(r);
    cr_assert_eq(r->nfiles, 9);
    cr_assert_eq(ev.start, 1);
    cr_assert_eq(ev.file, 9);
    cr_assert_eq(ev.writing, 1);
    cr_assert_eq(ev.end, 1);
    cr_assert_eq(ev.last_done, 9);
    cr_assert_eq(r->count[CLASCONV_BATCH_OK], 2);
    cr_assert_eq(r->count[CLASCONV_BATCH_TO_CHECK], 1);
    cr_assert_eq(r->count[CLASCONV_BATCH_UNREADABLE], 2);
    cr_assert_eq(r->count[CLASCONV_BATCH_SKIPPED], 4);
    /* Sorted by commune (folded), unknown communes last, then by path. */
    cr_assert_str_eq(r->files[0].path, "bron.csv");
    cr_assert_str_eq(r->files[1].path, "ecully.csv");
    cr_assert_str_eq(r->files[2].path, "vaulx.csv");
    cr_assert_str_eq(r->files[3].path, ".cache");
    cr_assert_str_eq(r->files[4].path, "boucle.csv");
    cr_assert_str_eq(r->files[5].path, "budget.csv");
    cr_assert_str_eq(r->files[6].path, "photo.jpg");
    cr_assert_str_eq(r->files[7].path, "sous");
    cr_assert_str_eq(r->files[8].path, "~$bron.csv");
    cr_assert_eq(find(r, "bron.csv")->status, CLASCONV_BATCH_TO_CHECK);
    cr_assert_eq(find(r, "bron.csv")->errors, 2);
    cr_assert_str_eq(find(r, "bron.csv")->output, "bron.xlsx");
    cr_assert_str_eq(find(r, "bron.csv")->message,
                     "2 erreurs à vérifier ; la première : Négatif n° 1.");
    cr_assert_str_eq(
        find(r, "bron.csv")->sha256,
        "de586e3e1fd9943da4eb71f078e98a479c6dcb31e67d33a015eefbab26403f48");
    cr_assert_eq(find(r, "boucle.csv")->status, CLASCONV_BATCH_UNREADABLE);
    cr_assert_not_null(strstr(find(r, "boucle.csv")->message, "2 s"));
    cr_assert_null(find(r, "boucle.csv")->output);
    cr_assert_eq(find(r, "budget.csv")->status, CLASCONV_BATCH_UNREADABLE);
    cr_assert_str_eq(find(r, "budget.csv")->message, "Pas de tableau.");
    cr_assert_eq(find(r, "photo.jpg")->status, CLASCONV_BATCH_SKIPPED);
    cr_assert_eq(find(r, "sous")->status, CLASCONV_BATCH_SKIPPED);
    cr_assert_eq(find(r, "~$bron.csv")->status, CLASCONV_BATCH_SKIPPED);
    list = listing(out);
    cr_assert_str_eq(list, "bron.xlsx|ecully.xlsx|rapport.csv|synthese.xlsx|"
                           "vaulx.xlsx");
    free(list);
    clasconv_batch_result_free(r);
    remove_tree(in);
    remove_tree(out);
    free(in);
    free(out);
}

Test(run, same_bytes_for_any_worker_count_and_rerun)
{
    char *in = test_make_dir("clasconv_batch"),
         *o1 = test_make_dir("clasconv_batch"),
         *o3 = test_make_dir("clasconv_batch");
    const char *names[] = {"bron.xlsx",        "ecully.xlsx",   "vaulx.xlsx",
                           "sous/givors.xlsx", "synthese.xlsx", "rapport.csv"};
    clasconv_batch_result *r;
    clasconv_error rc;
    events ev = {0};
    size_t i;
    char *before = NULL;

    fill_indir(in);
    r = run(in, o1, 1, 1, &ev, &rc);
    cr_assert_eq(rc, CLASCONV_OK);
    clasconv_batch_result_free(r);
    r = run(in, o3, 3, 1, &ev, &rc);
    cr_assert_eq(rc, CLASCONV_OK);
    clasconv_batch_result_free(r);
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *a = test_join(o1, names[i]), *b = test_join(o3, names[i]);
        cr_assert(same_bytes(a, b), "%s differs between -j 1 and -j 3",
                  names[i]);
        if (i == 4) {
            size_t n;
            before = (char *)slurp(a, &n);
        }
        free(a);
        free(b);
    }
    /* A second run over the same inputs rewrites the same bytes. */
    r = run(in, o1, 2, 1, &ev, &rc);
    cr_assert_eq(rc, CLASCONV_OK);
    clasconv_batch_result_free(r);
    {
        char *a = test_join(o1, "synthese.xlsx");
        size_t n;
        char *after = (char *)slurp(a, &n);
        cr_assert_not_null(after);
        cr_assert_eq(memcmp(before, after, n), 0);
        free(after);
        free(a);
    }
    free(before);
    remove_tree(in);
    remove_tree(o1);
    remove_tree(o3);
    free(in);
    free(o1);
    free(o3);
}

Test(run, crash_abort_and_memory_limit_are_that_file_s_failure)
{
    char *in = test_make_dir("clasconv_batch"),
         *out = test_make_dir("clasconv_batch");
    clasconv_batch_options o;
    clasconv_batch_result *r = NULL;
    clasconv_diag diag;
    const clasconv_batch_file *f;

    put_file(in, "a.csv", "Albigny;0");
    put_file(in, "crash-me.csv", "Bron;0");
    put_file(in, "c.csv", "abort");
    put_file(in, "d.csv", "alloc");
    put_file(in, "e.csv", "Caluire;0");
    memset(&o, 0, sizeof o);
    o.jobs = 2;
    o.memory_mb = 64;
    o.convert = fake_convert;
#ifdef CLASCONV_TEST_HOOKS
    /* Workers are forks: they see the hook (test builds only). */
    cr_assert_eq(setenv("CLASCONV_BATCH_TEST_HOOK", "crash:crash-me", 1), 0);
#endif
    cr_assert_eq(clasconv_batch_run(in, out, &o, &r, &diag), CLASCONV_OK);
#ifndef CLASCONV_TEST_HOOKS
    cr_assert_eq(r->count[CLASCONV_BATCH_OK], 3);
    cr_assert_eq(r->count[CLASCONV_BATCH_UNREADABLE], 2);
    cr_assert_str_eq(find(r, "crash-me.csv")->output, "crash-me.xlsx");
#else
    unsetenv("CLASCONV_BATCH_TEST_HOOK");
    cr_assert_eq(r->count[CLASCONV_BATCH_OK], 2);
    cr_assert_eq(r->count[CLASCONV_BATCH_UNREADABLE], 3);
    f = find(r, "crash-me.csv");
    cr_assert_eq(f->status, CLASCONV_BATCH_UNREADABLE);
#if !defined(__SANITIZE_ADDRESS__) /* ASan turns SIGSEGV into exit(1) */
    cr_assert_not_null(strstr(f->message, "signal 11"), "%s", f->message);
#endif
    /* The parent hashed the input of the worker that died. */
    cr_assert_eq(strlen(f->sha256), 64);
#endif
    f = find(r, "c.csv");
    cr_assert_not_null(strstr(f->message, "signal 6"), "%s", f->message);
    f = find(r, "d.csv");
    cr_assert_not_null(strstr(f->message, "64 Mo"), "%s", f->message);
    cr_assert_eq(f->status, CLASCONV_BATCH_UNREADABLE);
    cr_assert_str_eq(find(r, "e.csv")->output, "e.xlsx");
    clasconv_batch_result_free(r);
    remove_tree(in);
    remove_tree(out);
    free(in);
    free(out);
}

Test(run, a_pool_worker_gets_its_limits_afresh_for_each_file)
{
    char *in = test_make_dir("clasconv_batch"),
         *out = test_make_dir("clasconv_batch");
    clasconv_batch_options o;
    clasconv_batch_result *r = NULL;
    clasconv_diag diag;
    const clasconv_batch_file *f;

    /* One worker, 1 s of CPU per file: four files of 0.7 s each (2.8 s in
     * all) pass, the endless one after them is stopped. */
    put_file(in, "a.csv", "burn:Albigny;0");
    put_file(in, "b.csv", "burn:Bron;0");
    put_file(in, "c.csv", "burn:Caluire;0");
    put_file(in, "d.csv", "burn:Dardilly;0");
    put_file(in, "e.csv", "loop");
    put_file(in, "f.csv", "Feyzin;0");
    memset(&o, 0, sizeof o);
    o.jobs = 1;
    o.cpu_s = 1;
    o.wall_s = 60;
    o.convert = fake_convert;
    cr_assert_eq(clasconv_batch_run(in, out, &o, &r, &diag), CLASCONV_OK);
    cr_assert_str_eq(find(r, "d.csv")->output, "d.xlsx");
    f = find(r, "e.csv");
    cr_assert_eq(f->status, CLASCONV_BATCH_UNREADABLE);
    cr_assert_not_null(strstr(f->message, "temps permis"), "%s", f->message);
    /* The worker that replaced it converted the last file. */
    cr_assert_str_eq(find(r, "f.csv")->output, "f.xlsx");
    clasconv_batch_result_free(r);
    remove_tree(in);
    remove_tree(out);
    free(in);
    free(out);
}

Test(run, workers_replaced_after_their_quota_write_the_same_bytes)
{
    char *in = test_make_dir("clasconv_batch");
    char *outs[3];
    static const unsigned quota[3] = {0, 1, 2};
    static const char *const names[] = {"a.xlsx", "b.xlsx", "e.xlsx",
                                        "rapport.csv", "synthese.xlsx"};
    clasconv_batch_options o;
    clasconv_batch_result *r = NULL;
    clasconv_diag diag;
    size_t i, k;

    put_file(in, "a.csv", "Albigny;0");
    put_file(in, "b.csv", "Bron;2");
    put_file(in, "c.csv", "abort");
    put_file(in, "d.csv", "pas de tableau");
    put_file(in, "e.csv", "Caluire;0");
    for (k = 0; k < 3; k++) {
        outs[k] = test_make_dir("clasconv_batch");
        memset(&o, 0, sizeof o);
        o.jobs = 2;
        o.worker_files = quota[k];
        o.convert = fake_convert;
        cr_assert_eq(clasconv_batch_run(in, outs[k], &o, &r, &diag),
                     CLASCONV_OK);
        cr_assert_eq(r->count[CLASCONV_BATCH_OK], 2);
        cr_assert_eq(r->count[CLASCONV_BATCH_TO_CHECK], 1);
        cr_assert_eq(r->count[CLASCONV_BATCH_UNREADABLE], 2);
        cr_assert_not_null(strstr(find(r, "c.csv")->message, "signal 6"));
        clasconv_batch_result_free(r);
    }
    for (k = 1; k < 3; k++)
        for (i = 0; i < sizeof names / sizeof names[0]; i++) {
            char *a = test_join(outs[0], names[i]),
                 *b = test_join(outs[k], names[i]);
            cr_assert(same_bytes(a, b), "%s differs with %u files a worker",
                      names[i], quota[k]);
            free(a);
            free(b);
        }
    for (k = 0; k < 3; k++) {
        remove_tree(outs[k]);
        free(outs[k]);
    }
    remove_tree(in);
    free(in);
}

Test(run, folders_are_checked_before_any_work)
{
    char *in = test_make_dir("clasconv_batch"),
         *out = test_make_dir("clasconv_batch");
    char *missing = test_join(out, "absent");
    char *file = test_join(out, "fichier");
    clasconv_batch_result *r = (clasconv_batch_result *)1;
    clasconv_diag diag;
    char *list;

    put_file(in, "a.csv", "Bron;0");
    put_file(out, "fichier", "x");
    cr_assert_eq(clasconv_batch_run(in, missing, NULL, &r, &diag),
                 CLASCONV_ERR_WRITE);
    cr_assert_null(r);
    cr_assert_not_null(strstr(diag.message, "n'existe pas"), "%s",
                       diag.message);
    cr_assert_eq(clasconv_batch_run(in, file, NULL, &r, &diag),
                 CLASCONV_ERR_WRITE);
    cr_assert_not_null(strstr(diag.message, "n'est pas un dossier"));
    cr_assert_eq(clasconv_batch_run(in, in, NULL, &r, &diag),
                 CLASCONV_ERR_USAGE);
    cr_assert_eq(clasconv_batch_run(missing, out, NULL, &r, &diag),
                 CLASCONV_ERR_IO);
    cr_assert_not_null(strstr(diag.message, "introuvable"));
    list = listing(out);
    cr_assert_str_eq(list, "fichier");
    free(list);
    list = listing(in);
    cr_assert_str_eq(list, "a.csv");
    free(list);
    remove_tree(in);
    remove_tree(out);
    free(in);
    free(out);
    free(missing);
    free(file);
}

Test(run, stale_staging_is_removed_and_outdir_inside_indir_is_skipped)
{
    char *in = test_make_dir("clasconv_batch");
    char *out = test_join(in, "sortie");
    char *stale = test_join(out, ".clasconv-batch.old123");
    clasconv_batch_options o;
    clasconv_batch_result *r = NULL;
    clasconv_diag diag;
    char *list;

    cr_assert_eq(mkdir(out, 0755), 0);
    cr_assert_eq(mkdir(stale, 0700), 0);
    put_file(stale, "w3.xlsx", "partial");
    put_file(in, "a.csv", "Bron;0");
    memset(&o, 0, sizeof o);
    o.recursive = 1;
    o.convert = fake_convert;
    cr_assert_eq(clasconv_batch_run(in, out, &o, &r, &diag), CLASCONV_OK);
    cr_assert_eq(r->nfiles, 1); /* OUTDIR is not an input */
    list = listing(out);
    cr_assert_str_eq(list, "a.xlsx|rapport.csv|synthese.xlsx");
    free(list);
    clasconv_batch_result_free(r);
    remove_tree(in);
    free(in);
    free(out);
    free(stale);
}

/* The real pipeline on the shared samples, when they are there: an HTML
 * page named .xls (read: SPEC §5), a CSV, an .xls, and a budget workbook
 * with no CLAS table (refused). */
Test(run, real_samples_match_single_conversions)
{
    static const char *const samples[][2] = {
        {"p01-form-xls-villeurbanne",
         "Tableau dispositifs CLAS 2026 - Villeurbanne.xls"},
        {"p05-flat-csv-utf8-venissieux", "Vénissieux - dispositifs CLAS.csv"},
        {"p07-bad-html-as-xls-decines", "Export_dispositifs_CLAS_Decines.xls"},
        {"p08-bad-budget-sheet-meyzieu",
         "Budget previsionnel CLAS 2026 - Meyzieu.xlsx"},
    };
    test_need_samples();
    char *in = test_make_dir("clasconv_batch"),
         *out = test_make_dir("clasconv_batch"),
         *single = test_make_dir("clasconv_batch");
    clasconv_batch_options o;
    clasconv_batch_result *r = NULL;
    clasconv_diag diag;
    size_t i;

    for (i = 0; i < 4; i++) {
        char src[1024], cmd[2600];
        snprintf(src, sizeof src, "%s/%s/%s", CLASCONV_SAMPLES, samples[i][0],
                 samples[i][1]);
        snprintf(cmd, sizeof cmd, "cp '%s' '%s/'", src, in);
        cr_assert_eq(system(cmd), 0);
    }
    memset(&o, 0, sizeof o);
    o.jobs = 2;
    cr_assert_eq(clasconv_batch_run(in, out, &o, &r, &diag), CLASCONV_OK);
    cr_assert_eq(r->nfiles, 4);
    /* Decines, Vénissieux, Villeurbanne; Meyzieu (unread) goes last. */
    cr_assert_str_eq(r->files[0].path, samples[2][1]);
    cr_assert_str_eq(clasconv_batch_file_commune(&r->files[0]), "Decines");
    cr_assert_eq(r->files[0].status, CLASCONV_BATCH_OK);
    cr_assert_str_eq(r->files[1].path, samples[1][1]);
    cr_assert_str_eq(clasconv_batch_file_commune(&r->files[1]), "Vénissieux");
    cr_assert_eq(r->files[1].status, CLASCONV_BATCH_TO_CHECK);
    cr_assert_str_eq(r->files[2].path, samples[0][1]);
    cr_assert_str_eq(clasconv_batch_file_commune(&r->files[2]), "Villeurbanne");
    cr_assert_eq(r->files[2].status, CLASCONV_BATCH_OK);
    cr_assert_str_eq(r->files[3].path, samples[3][1]);
    cr_assert_eq(r->files[3].status, CLASCONV_BATCH_UNREADABLE);
    cr_assert_null(r->files[3].output);
    for (i = 0; i < 3; i++) {
        char *src = test_join(in, r->files[i].path);
        char *mine = test_join(single, "one.xlsx");
        char *theirs = test_join(out, r->files[i].output);
        clasconv_table *t = NULL;
        cr_assert_eq(clasconv_convert(src, &t, &diag) == CLASCONV_OK, 1);
        cr_assert_eq(clasconv_write_workbook(t, mine, &diag), CLASCONV_OK);
        cr_assert(same_bytes(mine, theirs), "%s differs", r->files[i].output);
        cr_assert_str_eq(r->files[i].sha256, t->sha256);
        clasconv_table_free(t);
        free(src);
        free(mine);
        free(theirs);
    }
    clasconv_batch_result_free(r);
    remove_tree(in);
    remove_tree(out);
    remove_tree(single);
    free(in);
    free(out);
    free(single);
}

Test(run, an_output_never_replaces_an_input)
{
    char *out = test_make_dir("clasconv_batch");
    char *in = test_join(out, "in");
    char *inner = test_join(in, "in");
    char *victim = test_join(in, "a.xlsx");
    clasconv_batch_options o;
    clasconv_batch_result *r = NULL;
    clasconv_diag diag;
    size_t n = 0;
    unsigned char *data;

    cr_assert_eq(mkdir(in, 0755), 0);
    cr_assert_eq(mkdir(inner, 0755), 0);
    put_file(in, "a.xlsx", "Albigny;0");
    put_file(inner, "a.csv", "Bron;0"); /* would become OUTDIR/in/a.xlsx */
    memset(&o, 0, sizeof o);
    o.recursive = 1;
    o.convert = fake_convert;
    cr_assert_eq(clasconv_batch_run(in, out, &o, &r, &diag), CLASCONV_OK);
    cr_assert_eq(find(r, "in/a.csv")->status, CLASCONV_BATCH_WRITE_FAILED);
    cr_assert_null(find(r, "in/a.csv")->output);
    cr_assert_eq(find(r, "a.xlsx")->status, CLASCONV_BATCH_OK);
    data = slurp(victim, &n);
    cr_assert_eq(n, 9);
    cr_assert_eq(memcmp(data, "Albigny;0", 9), 0);
    free(data);
    clasconv_batch_result_free(r);
    remove_tree(out);
    free(out);
    free(in);
    free(inner);
    free(victim);
}
