/* jobs.c: what `clasconv serve` does with uploads: each conversion in a
 * worker process (the same library calls as `check --html`, `convert`,
 * `template --depuis`, `batch`), the answer page, the results to hold. */
#include "serve/serve_internal.h"

#include "batch/batch_internal.h"
#include "core/grow.h"
#include "core/text.h"
#include "read/zipxml.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zip.h>

#include "clasconv/clasconv.h"
#include "clasconv/coord.h"

#define CT_XLSX                                                                \
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define CT_JSON "application/json; charset=utf-8"
#define CT_CSV "text/csv; charset=utf-8"
#define CT_ZIP "application/zip"
#define CT_HTML "text/html; charset=utf-8"

/* --- Labels --- */

char *serve_label_clean(const char *name)
{
    const char *base = name ? name : "";
    const char *p;
    char *clean, *q;
    size_t len, cut;

    for (p = base; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    clean = clasconv_utf8_repair(base, strlen(base));
    if (!clean)
        return NULL;
    for (q = clean; *q; q++)
        if ((unsigned char)*q < 0x20 || *q == 0x7F)
            *q = ' ';
    len = strlen(clean);
    while (len > 0 && clean[len - 1] == ' ')
        clean[--len] = '\0';
    if (len > SERVE_LABEL_MAX) {
        cut = SERVE_LABEL_MAX;
        while (cut > 0 && ((unsigned char)clean[cut] & 0xC0) == 0x80)
            cut--;
        clean[cut] = '\0';
        len = cut;
    }
    q = clean;
    while (*q == ' ')
        q++;
    if (!*q || !strcmp(q, ".") || !strcmp(q, "..")) {
        free(clean);
        return strdup("fichier");
    }
    if (q != clean)
        memmove(clean, q, strlen(q) + 1);
    return clean;
}

void serve_label_stem(const char *label, char *out, size_t size)
{
    const char *dot = strrchr(label, '.');
    size_t n = dot && dot != label ? (size_t)(dot - label) : strlen(label);

    snprintf(out, size, "%.*s", (int)n, label);
}

/* --- Answers --- */

int serve_answer_item(serve_answer *a, const char *key, const char *filename,
                      const char *ctype, int page, unsigned char *data,
                      size_t len)
{
    serve_item *it;

    if (clasconv_grow_count((void **)&a->items, a->nitems, a->nitems + 1,
                            sizeof *a->items, SIZE_MAX) != CLASCONV_OK) {
        free(data);
        return -1;
    }
    it = &a->items[a->nitems];
    memset(it, 0, sizeof *it);
    it->key = strdup(key);
    it->filename = strdup(filename ? filename : "");
    if (!it->key || !it->filename) {
        free(it->key);
        free(it->filename);
        free(data);
        return -1;
    }
    it->ctype = ctype;
    it->page = page;
    it->data = data;
    it->len = len;
    a->nitems++;
    return 0;
}

/* Adds a copy of a worker's record as an item; 0 when absent. */
static int item_from_part(serve_answer *a, const serve_part *p, const char *key,
                          const char *filename, const char *ctype, int page)
{
    unsigned char *copy;

    if (!p)
        return 0;
    copy = malloc(p->len ? p->len : 1);
    if (!copy)
        return -1;
    memcpy(copy, p->data, p->len);
    return serve_answer_item(a, key, filename, ctype, page, copy, p->len);
}

void serve_answer_clear(serve_answer *a)
{
    size_t i;

    clasconv_buf_free(&a->body);
    free(a->filename);
    for (i = 0; i < a->nitems; i++)
        serve_item_clear(&a->items[i]);
    free(a->items);
    memset(a, 0, sizeof *a);
}

/* --- Worker failures --- */

/* What a failed worker means, in French, into `out`. */
static void failure_text(const serve_ctx *ctx, serve_outcome outcome, int sig,
                         const char *label, char *out, size_t size)
{
    unsigned wall =
        ctx->limits.wall_s ? ctx->limits.wall_s : CLASCONV_BATCH_DEFAULT_WALL_S;
    unsigned mb = ctx->limits.memory_mb ? ctx->limits.memory_mb
                                        : CLASCONV_BATCH_DEFAULT_MEMORY_MB;

    switch (outcome) {
    case SERVE_WORKER_TIMEOUT:
        snprintf(out, size,
                 "La lecture de « %s » a dépassé la limite de %u secondes : "
                 "le fichier est illisible tel quel.",
                 label, wall);
        break;
    case SERVE_WORKER_NO_PROCESS:
        snprintf(out, size,
                 "Le serveur n'a pas pu lancer la lecture de « %s » "
                 "(ressources épuisées).",
                 label);
        break;
    case SERVE_WORKER_OVERSIZE:
        snprintf(out, size,
                 "La lecture de « %s » a produit des résultats démesurés : "
                 "le fichier est illisible tel quel.",
                 label);
        break;
    default:
        if (sig == SIGXCPU || sig == SIGKILL)
            snprintf(out, size,
                     "La lecture de « %s » a été arrêtée (limite de temps de "
                     "calcul ou de mémoire de %u Mo atteinte) : le fichier "
                     "est illisible tel quel.",
                     label, mb);
        else
            snprintf(out, size,
                     "La lecture de « %s » s'est interrompue (le programme "
                     "de lecture s'est arrêté%s%s) : le fichier est "
                     "illisible tel quel.",
                     label, sig ? ", signal " : "", sig ? strsignal(sig) : "");
        break;
    }
}

static const char next_unreadable[] =
    "Que faire : ouvrez le fichier dans Excel ou LibreOffice, enregistrez-le "
    "à nouveau au format .xlsx (Fichier › Enregistrer sous), puis déposez-le "
    "encore. Si cela se reproduit, transmettez le fichier à l'équipe qui "
    "gère clasconv. <a href=\"/\">Vérifier un autre fichier</a>.";

/* --- One file in a worker --- */

typedef struct file_job {
    const serve_ctx *ctx;
    const serve_upload *up;
    const char *dir;
    const char *token;
    size_t index; /* in a lot; SIZE_MAX for « Vérifier un fichier » */
    int prefill;  /* also write the pre-filled template */
} file_job;

static char *join(const char *dir, const char *name)
{
    size_t size = strlen(dir) + strlen(name) + 2;
    char *p = malloc(size);

    if (p)
        snprintf(p, size, "%s/%s", dir, name);
    return p;
}

/* The block under the verdict: downloads, or what to do. */
static void check_top(clasconv_buf *top, const file_job *j, int converted,
                      const char *diag_message, unsigned keep_min)
{
    const char *t = j->token;

    if (j->index != SIZE_MAX) {
        clasconv_buf_printf(top,
                            "<p><a href=\"/resultat/%s/lot\">← Retour au "
                            "lot</a></p>",
                            t);
        if (converted)
            clasconv_buf_printf(
                top,
                "<section class=\"telecharger\" aria-labelledby=\"t-dl\">"
                "<h2 id=\"t-dl\">Télécharger</h2><ul class=\"dl\"><li><a "
                "href=\"/resultat/%s/classeur-%zu\">Classeur standardisé "
                "(.xlsx)</a></li></ul></section>",
                t, j->index);
        return;
    }
    if (!converted) {
        clasconv_buf_puts(top, "<div class=\"probleme\"><p><strong>Ce fichier "
                               "n'a pas pu être lu.</strong> ");
        serve_esc(top, diag_message);
        clasconv_buf_printf(
            top,
            "</p><p>Que faire ensuite : une fois le fichier corrigé, "
            "déposez-le à nouveau. <a href=\"/\">Vérifier un "
            "fichier</a>.</p></div><section class=\"telecharger\" "
            "aria-labelledby=\"t-dl\"><h2 id=\"t-dl\">"
            "Télécharger</h2><ul class=\"dl\"><li><a "
            "href=\"/resultat/%s/json\">Données (JSON)</a>"
            "</li></ul></section>",
            t);
        return;
    }
    clasconv_buf_printf(
        top,
        "<section class=\"telecharger\" aria-labelledby=\"t-dl\">"
        "<h2 id=\"t-dl\">Télécharger</h2><ul class=\"dl\">"
        "<li><a href=\"/resultat/%s/classeur\">Classeur standardisé "
        "(.xlsx)</a></li>"
        "<li><a href=\"/resultat/%s/modele\">Modèle pré-rempli "
        "(.xlsx)</a></li>"
        "<li><a href=\"/resultat/%s/json\">Données (JSON)</a></li></ul>"
        "<p class=\"aide\">Le modèle pré-rempli reprend le tableau lu, à "
        "corriger et renvoyer. Téléchargements disponibles %u minutes ; "
        "ensuite, déposez le fichier à nouveau.</p></section>",
        t, t, t, keep_min);
}

/* In a pool worker: checks one file, sends its records to `fd`. */
static void job_file_child(const file_job *j, int fd)
{
    clasconv_batch_file f;
    clasconv_table *table = NULL;
    clasconv_diag diag;
    clasconv_error rc;
    clasconv_buf buf = {0}, top = {0}, nav = {0}, bottom = {0};
    clasconv_html_extra extra;
    char name[64];
    char *path;
    int converted;

    clasconv_diag_clear(&diag);
    memset(&f, 0, sizeof f);
    /* The label goes as the path too, as `convert` passes its argument:
     * the readers take only its base name (CSV sheet name, messages) and
     * open nothing by it; a label holds no '/', and the worker's current
     * folder is its private, empty temporary folder. */
    rc = clasconv_convert_memory(j->up->label, j->up->label, j->up->data,
                                 j->up->len, &table, &diag);
    if (!table)
        _exit(4);
    /* As `convert --annuaire` and `batch --annuaire`: the index was loaded
     * by the server before this worker was forked. */
    if (rc == CLASCONV_OK && j->ctx->o.annuaire &&
        clasconv_ref_match(table, j->ctx->o.annuaire, &table->anomalies))
        _exit(4);
    converted = rc == CLASCONV_OK;
    f.table = table;
    f.status = CLASCONV_BATCH_UNREADABLE;
    f.errors = clasconv_anomalies_count(&table->anomalies, CLASCONV_SEV_ERROR);
    f.warnings =
        clasconv_anomalies_count(&table->anomalies, CLASCONV_SEV_WARNING);
    f.infos = clasconv_anomalies_count(&table->anomalies, CLASCONV_SEV_INFO);
    memcpy(f.sha256, table->sha256, sizeof f.sha256);
    if (!converted) {
        f.message =
            strdup(diag.message[0] ? diag.message : clasconv_strerror(rc));
        if (f.errors == 0)
            f.errors = 1;
    } else {
        clasconv_write_set_durable(0); /* the folder is thrown away */
        if (j->index == SIZE_MAX)
            snprintf(name, sizeof name, "classeur.xlsx");
        else
            snprintf(name, sizeof name, "c%zu.xlsx", j->index);
        path = join(j->dir, name);
        clasconv_diag_clear(&diag);
        if (!path || clasconv_write_workbook(table, path, &diag) ||
            serve_send_file(fd, "xlsx", path)) {
            f.status = CLASCONV_BATCH_WRITE_FAILED;
            f.message = strdup(diag.message[0] ? diag.message
                                               : "Mémoire insuffisante.");
        } else {
            f.status =
                f.errors > 0 ? CLASCONV_BATCH_TO_CHECK : CLASCONV_BATCH_OK;
            if (f.errors > 0)
                batch_file_error_hint(&f);
        }
        if (path)
            unlink(path);
        free(path);
        if (j->prefill) {
            clasconv_template_options to;
            memset(&to, 0, sizeof to);
            path = join(j->dir, "modele.xlsx");
            clasconv_diag_clear(&diag);
            if (path &&
                clasconv_write_template(&to, table, path, &diag) == CLASCONV_OK)
                serve_send_file(fd, "modele", path);
            if (path)
                unlink(path);
            free(path);
        }
    }
    if (!f.message)
        f.message = strdup("");
    if (j->index == SIZE_MAX && clasconv_render_json(table, &buf) == 0)
        serve_send(fd, "json", buf.data ? buf.data : "", buf.len);
    clasconv_buf_reset(&buf);

    serve_page_nav(&nav, j->index == SIZE_MAX ? "verifier" : "lot");
    check_top(&top, j, converted && f.status != CLASCONV_BATCH_WRITE_FAILED,
              f.message, (j->ctx->o.keep_s + 59) / 60);
    clasconv_buf_puts(&bottom, "<p><a href=\"/\">Vérifier un autre fichier"
                               "</a> · <a href=\"/lot\">Convertir un lot"
                               "</a></p>");
    memset(&extra, 0, sizeof extra);
    extra.css = serve_page_css;
    extra.nav = nav.data;
    extra.top = top.data;
    extra.bottom = bottom.data;
    if (clasconv_render_html_page(table, &extra, &buf) == CLASCONV_OK)
        serve_send(fd, "html", buf.data, buf.len);
    clasconv_buf_reset(&buf);
    if (batch_wire_encode(&f, &buf) != CLASCONV_OK) {
        clasconv_buf_free(&buf);
        f.table = NULL;
        f.truncated = 1;
        if (batch_wire_encode(&f, &buf) != CLASCONV_OK)
            _exit(4);
    }
    serve_send(fd, "summary", buf.data, buf.len);
    /* A pool worker goes on with the next job: nothing is left behind. */
    clasconv_buf_free(&buf);
    clasconv_buf_free(&top);
    clasconv_buf_free(&nav);
    clasconv_buf_free(&bottom);
    batch_file_clear(&f);
}

/* A request field holding `text` with its NUL. */
static serve_field text_field(const char *name, const char *text)
{
    serve_field f = {name, text, strlen(text) + 1};
    return f;
}

/* Runs the check of one file in a pool worker. */
static serve_outcome run_file_job(serve_ctx *ctx, const file_job *j,
                                  serve_parts *out, int *sig)
{
    unsigned char index[8];
    uint64_t v = j->index == SIZE_MAX ? UINT64_MAX : (uint64_t)j->index;
    char prefill = j->prefill ? '1' : '0';
    const char *label = j->up->label ? j->up->label : "fichier";
    serve_field fields[7];
    int i;

    for (i = 0; i < 8; i++)
        index[i] = (unsigned char)(v >> (8 * i));
    fields[0] = text_field("job", "fichier");
    fields[1] = text_field("label", label);
    fields[2] = text_field("dir", j->dir);
    fields[3] = text_field("token", j->token);
    fields[4] = (serve_field){"index", index, sizeof index};
    fields[5] = (serve_field){"prefill", &prefill, 1};
    fields[6] = (serve_field){"data", j->up->data, j->up->len};
    return serve_pool_run(ctx, fields, 7, out, sig);
}

/* In a worker: the check of one file, from its request. */
static void file_request(const serve_ctx *ctx, const serve_parts *req, int fd)
{
    const serve_part *index = serve_parts_find(req, "index");
    const serve_part *prefill = serve_parts_find(req, "prefill");
    const serve_part *data = serve_parts_find(req, "data");
    serve_upload up;
    file_job j;
    uint64_t v = 0;
    int i;

    memset(&up, 0, sizeof up);
    memset(&j, 0, sizeof j);
    up.label = (char *)serve_parts_string(req, "label");
    j.dir = serve_parts_string(req, "dir");
    j.token = serve_parts_string(req, "token");
    if (!up.label || !j.dir || !j.token || !index || index->len != 8 ||
        !prefill || prefill->len != 1 || !data)
        _exit(6);
    for (i = 7; i >= 0; i--)
        v = v << 8 | index->data[i];
    up.data = data->data;
    up.len = data->len;
    j.ctx = ctx;
    j.up = &up;
    j.index = v == UINT64_MAX ? SIZE_MAX : (size_t)v;
    j.prefill = prefill->data[0] == '1';
    job_file_child(&j, fd);
}

static void file_names(const char *label, char *workbook, char *modele,
                       char *json, size_t size)
{
    char stem[SERVE_LABEL_MAX + 1];

    serve_label_stem(label, stem, sizeof stem);
    snprintf(workbook, size, "%s - classeur standardisé.xlsx", stem);
    snprintf(modele, size, "%s - modèle pré-rempli.xlsx", stem);
    snprintf(json, size, "%s.json", stem);
}

static void worker_error_page(serve_ctx *ctx, serve_answer *a,
                              serve_outcome outcome, int sig, const char *label)
{
    char what[1024];

    failure_text(ctx, outcome, sig, label, what, sizeof what);
    a->status = outcome == SERVE_WORKER_NO_PROCESS ? 503 : 422;
    serve_page_error(&a->body, ctx, "Fichier illisible", what, next_unreadable);
}

/* Draws the token a job's results are held under; -1 when it cannot, with
 * the 503 page in `a`. */
static int job_token(serve_ctx *ctx, char token[SERVE_TOKEN_LEN + 1],
                     serve_answer *a)
{
    if (serve_token(token) == 0) {
        return 0;
    }
    a->status = 503;
    serve_page_error(&a->body, ctx, "Service indisponible",
                     "Le serveur n'a pas pu tirer de numéro aléatoire.",
                     "Réessayez dans un instant.");
    return -1;
}

void serve_job_check(serve_ctx *ctx, const serve_upload *up, const char *dir,
                     serve_answer *a)
{
    char token[SERVE_TOKEN_LEN + 1];
    char workbook[SERVE_LABEL_MAX + 64], modele[SERVE_LABEL_MAX + 64],
        json[SERVE_LABEL_MAX + 64];
    serve_parts parts = {0};
    serve_outcome outcome;
    clasconv_batch_file f;
    const serve_part *html, *summary;
    file_job j;
    int sig = 0;

    if (job_token(ctx, token, a)) {
        return;
    }
    memset(&j, 0, sizeof j);
    j.ctx = ctx;
    j.up = up;
    j.dir = dir;
    j.token = token;
    j.index = SIZE_MAX;
    j.prefill = 1;
    outcome = run_file_job(ctx, &j, &parts, &sig);
    html = serve_parts_find(&parts, "html");
    summary = serve_parts_find(&parts, "summary");
    memset(&f, 0, sizeof f);
    if (outcome != SERVE_WORKER_OK || !html || !summary ||
        batch_wire_decode(summary->data, summary->len, &f) != CLASCONV_OK) {
        worker_error_page(ctx, a,
                          outcome == SERVE_WORKER_OK ? SERVE_WORKER_MALFORMED
                                                     : outcome,
                          sig, up->label);
        serve_parts_free(&parts);
        return;
    }
    file_names(up->label, workbook, modele, json, sizeof workbook);
    a->status = f.status == CLASCONV_BATCH_UNREADABLE ? 422 : 200;
    clasconv_buf_append(&a->body, (const char *)html->data, html->len);
    if (item_from_part(a, serve_parts_find(&parts, "xlsx"), "classeur",
                       workbook, CT_XLSX, 0) ||
        item_from_part(a, serve_parts_find(&parts, "modele"), "modele", modele,
                       CT_XLSX, 0) ||
        item_from_part(a, serve_parts_find(&parts, "json"), "json", json,
                       CT_JSON, 0))
        a->body.failed = 1;
    memcpy(a->token, token, sizeof a->token);
    batch_file_clear(&f);
    serve_parts_free(&parts);
}

/* --- Zip archives of a lot --- */

/* Non-zero for entries that are not files of the lot: folders, hidden
 * files, macOS resource forks. */
static int skip_entry(const char *name)
{
    const char *base = strrchr(name, '/');

    base = base ? base + 1 : name;
    return !*base || base[0] == '.' || !strncmp(name, "__MACOSX/", 9) ||
           strstr(name, "/__MACOSX/") != NULL;
}

/* In a worker: lists and reads the files of a zip archive of a lot. */
static void unzip_request(const serve_ctx *ctx, const serve_parts *req, int fd)
{
    const serve_part *data = serve_parts_find(req, "data");
    clasconv_zip *zip = NULL;
    clasconv_diag diag;
    size_t i, n, sent = 0;

    if (!data)
        _exit(6);
    clasconv_diag_clear(&diag);
    if (clasconv_zip_open(data->data, data->len, &zip, &diag)) {
        serve_send(fd, "error", diag.message, strlen(diag.message));
        return;
    }
    n = clasconv_zip_entry_count(zip);
    for (i = 0; i < n; i++) {
        const char *name = clasconv_zip_entry_name(zip, i);
        char *bytes = NULL;
        size_t len = 0;
        if (skip_entry(name))
            continue;
        if (++sent > ctx->o.max_files) {
            serve_send(fd, "too-many", "", 0);
            break;
        }
        clasconv_diag_clear(&diag);
        serve_send(fd, "name", name, strlen(name));
        if (clasconv_zip_read(zip, name, ctx->max_bytes, &bytes, &len, &diag) !=
            CLASCONV_OK) {
            serve_send(fd, "unreadable", diag.message, strlen(diag.message));
            continue;
        }
        serve_send(fd, "data", bytes, len);
        free(bytes);
    }
    clasconv_zip_free(zip);
}

/* A lot file: label, bytes, or a French reason it was not read. */
typedef struct lot_file {
    serve_upload up;
    char *reason; /* set when the file was refused before conversion */
    int from_zip;
} lot_file;

typedef struct lot {
    lot_file *files; /* capacity from count (clasconv_grow_count) */
    size_t count;
    int too_many;
} lot;

static lot_file *lot_add(lot *l)
{
    if (clasconv_grow_count((void **)&l->files, l->count, l->count + 1,
                            sizeof *l->files, SIZE_MAX) != CLASCONV_OK)
        return NULL;
    memset(&l->files[l->count], 0, sizeof l->files[0]);
    return &l->files[l->count++];
}

static void lot_free(lot *l)
{
    size_t i;

    for (i = 0; i < l->count; i++) {
        free(l->files[i].up.label);
        free(l->files[i].up.data);
        free(l->files[i].reason);
    }
    free(l->files);
}

static int is_plain_zip(const serve_upload *up)
{
    return clasconv_sniff(up->data, up->len) == CLASCONV_FORMAT_ZIP_OTHER;
}

/* Opens a .zip of the lot in a worker; adds its files to `l`. */
static int lot_unzip(serve_ctx *ctx, const serve_upload *up, const char *dir,
                     lot *l)
{
    serve_parts parts = {0};
    serve_field fields[4];
    serve_outcome outcome;
    lot_file *cur = NULL;
    size_t i;
    int sig = 0;

    fields[0] = text_field("job", "zip");
    fields[1] = text_field("label", up->label);
    fields[2] = text_field("dir", dir);
    fields[3] = (serve_field){"data", up->data, up->len};
    outcome = serve_worker_run(ctx, fields, 4, &parts, &sig);
    if (outcome != SERVE_WORKER_OK) {
        char what[1024];
        lot_file *f = lot_add(l);
        if (!f)
            return -1;
        failure_text(ctx, outcome, sig, up->label, what, sizeof what);
        f->up.label = strdup(up->label);
        f->reason = strdup(what);
        return f->up.label && f->reason ? 0 : -1;
    }
    for (i = 0; i < parts.count; i++) {
        const serve_part *p = &parts.items[i];
        char *text = malloc(p->len + 1);
        if (!text) {
            serve_parts_free(&parts);
            return -1;
        }
        memcpy(text, p->data, p->len);
        text[p->len] = '\0';
        if (!strcmp(p->name, "too-many")) {
            l->too_many = 1;
        } else if (!strcmp(p->name, "error")) {
            cur = lot_add(l);
            if (cur) {
                cur->up.label = strdup(up->label);
                cur->reason = text;
                text = NULL;
            }
        } else if (!strcmp(p->name, "name")) {
            cur = lot_add(l);
            if (cur) {
                cur->up.label = serve_label_clean(text);
                cur->from_zip = 1;
            }
        } else if (cur && !strcmp(p->name, "unreadable")) {
            cur->reason = text;
            text = NULL;
        } else if (cur && !strcmp(p->name, "data")) {
            cur->up.data = (unsigned char *)text;
            cur->up.len = p->len;
            text = NULL;
        }
        free(text);
        if (!cur && strcmp(p->name, "too-many")) {
            serve_parts_free(&parts);
            return -1;
        }
    }
    serve_parts_free(&parts);
    return 0;
}

/* --- The synthesis of a lot, in a worker --- */

typedef struct finish_job {
    clasconv_batch_file *files; /* sorted */
    size_t n;
    const serve_part **workbooks; /* per sorted file; NULL when none */
    const char *dir;
} finish_job;

static int zip_add(zipFile z, const char *name, const unsigned char *data,
                   size_t len)
{
    zip_fileinfo zi;

    memset(&zi, 0, sizeof zi);
    zi.tmz_date.tm_year = 2026; /* fixed: same inputs, same bytes */
    zi.tmz_date.tm_mday = 1;
    /* Bit 11: the name is UTF-8. Stored: a workbook is already deflated. */
    if (zipOpenNewFileInZip4_64(z, name, &zi, NULL, 0, NULL, 0, NULL, 0, 0, 0,
                                -MAX_WBITS, DEF_MEM_LEVEL, Z_DEFAULT_STRATEGY,
                                NULL, 0, 0, 1u << 11, 0) != ZIP_OK)
        return -1;
    if (len > UINT32_MAX ||
        zipWriteInFileInZip(z, data, (unsigned)len) != ZIP_OK) {
        zipCloseFileInZip(z);
        return -1;
    }
    return zipCloseFileInZip(z) == ZIP_OK ? 0 : -1;
}

static void finish_write(const finish_job *j, int fd)
{
    clasconv_buf csv = {0};
    clasconv_diag diag;
    char *path;
    zipFile z;
    size_t i;

    clasconv_write_set_durable(0);
    clasconv_diag_clear(&diag);
    path = join(j->dir, BATCH_SYNTHESIS_NAME);
    if (path && clasconv_write_synthesis(j->files, j->n, path, &diag) == 0)
        serve_send_file(fd, "synthese", path);
    if (path)
        unlink(path);
    free(path);
    if (clasconv_batch_render_csv(j->files, j->n, &csv) == CLASCONV_OK)
        serve_send(fd, "csv", csv.data, csv.len);
    clasconv_buf_free(&csv);
    path = join(j->dir, "classeurs.zip");
    z = path ? zipOpen64(path, APPEND_STATUS_CREATE) : NULL;
    if (z) {
        int ok = 1;
        for (i = 0; ok && i < j->n; i++)
            if (j->workbooks[i] && j->files[i].output)
                ok = zip_add(z, j->files[i].output, j->workbooks[i]->data,
                             j->workbooks[i]->len) == 0;
        if (zipClose(z, NULL) == ZIP_OK && ok)
            serve_send_file(fd, "zip", path);
    }
    if (path)
        unlink(path);
    free(path);
}

/* In a worker: the synthesis of a lot from its request, whose records
 * after "job", "label" and "dir" are, per file in order, "file" (its
 * result, batch_wire_encode()), "path" and "xlsx" (empty: none). */
static void finish_request(const serve_parts *req, int fd)
{
    finish_job j;
    size_t i, k;

    memset(&j, 0, sizeof j);
    j.dir = serve_parts_string(req, "dir");
    j.files = calloc(req->count / 3 + 1, sizeof *j.files);
    j.workbooks = calloc(req->count / 3 + 1, sizeof *j.workbooks);
    if (!j.dir || !j.files || !j.workbooks)
        _exit(4);
    for (i = 0; i < req->count; i++) {
        const serve_part *p = &req->items[i];
        if (strcmp(p->name, "file") != 0)
            continue;
        if (i + 2 >= req->count || strcmp(p[1].name, "path") != 0 ||
            strcmp(p[2].name, "xlsx") != 0 || p[1].len == 0 ||
            batch_wire_decode(p->data, p->len, &j.files[j.n]) != CLASCONV_OK)
            _exit(6);
        j.files[j.n].path = strndup((const char *)p[1].data, p[1].len);
        if (!j.files[j.n].path)
            _exit(4);
        j.workbooks[j.n] = p[2].len ? &p[2] : NULL;
        j.n++;
        i += 2;
    }
    finish_write(&j, fd);
    for (k = 0; k < j.n; k++)
        batch_file_clear(&j.files[k]);
    free(j.files);
    free(j.workbooks);
}

/* Runs the synthesis of the lot `j` in a worker, its records into `out`. */
static serve_outcome run_finish_job(serve_ctx *ctx, const finish_job *j,
                                    serve_parts *out, int *sig)
{
    clasconv_buf *wires = calloc(j->n + 1, sizeof *wires);
    serve_field *fields = calloc(3 * j->n + 3, sizeof *fields);
    serve_outcome outcome = SERVE_WORKER_NO_PROCESS;
    size_t i, n = 0;

    *sig = 0;
    if (!wires || !fields)
        goto out;
    fields[n++] = text_field("job", "synthese");
    fields[n++] = text_field("label", "synthese");
    fields[n++] = text_field("dir", j->dir);
    for (i = 0; i < j->n; i++) {
        const serve_part *wb = j->workbooks[i];
        if (batch_wire_encode(&j->files[i], &wires[i]) != CLASCONV_OK ||
            wires[i].failed)
            goto out;
        fields[n++] = (serve_field){"file", wires[i].data, wires[i].len};
        fields[n++] = text_field("path", j->files[i].path);
        fields[n++] =
            (serve_field){"xlsx", wb ? wb->data : NULL, wb ? wb->len : 0};
    }
    outcome = serve_worker_run(ctx, fields, n, out, sig);
out:
    for (i = 0; wires && i < j->n; i++)
        clasconv_buf_free(&wires[i]);
    free(wires);
    free(fields);
    return outcome;
}

/* --- « Convertir un lot » --- */

static const char *status_class(clasconv_batch_status s)
{
    switch (s) {
    case CLASCONV_BATCH_OK:
        return "ok";
    case CLASCONV_BATCH_TO_CHECK:
        return "averifier";
    case CLASCONV_BATCH_UNREADABLE:
        return "illisible";
    case CLASCONV_BATCH_WRITE_FAILED:
        return "nonecrit";
    default:
        return "ignore";
    }
}

static void lot_page(serve_ctx *ctx, clasconv_buf *out, const char *token,
                     const clasconv_batch_file *files, size_t n,
                     const size_t *report_of, int have_zip)
{
    size_t count[CLASCONV_BATCH_SKIPPED + 1] = {0};
    size_t i;

    for (i = 0; i < n; i++)
        count[files[i].status]++;
    serve_page_begin(out, ctx, "Lot converti", "lot");
    clasconv_buf_printf(
        out,
        "<p id=\"verdict\" class=\"verdict %s\">%zu fichier%s : %zu OK, %zu à "
        "vérifier, %zu illisible%s</p><h1>Lot converti</h1>",
        count[CLASCONV_BATCH_UNREADABLE] || count[CLASCONV_BATCH_WRITE_FAILED]
            ? "v-err"
        : count[CLASCONV_BATCH_TO_CHECK] ? "v-warn"
                                         : "v-ok",
        n, serve_plural(n), count[CLASCONV_BATCH_OK],
        count[CLASCONV_BATCH_TO_CHECK],
        count[CLASCONV_BATCH_UNREADABLE] + count[CLASCONV_BATCH_WRITE_FAILED],
        serve_plural(count[CLASCONV_BATCH_UNREADABLE] +
                     count[CLASCONV_BATCH_WRITE_FAILED]));
    clasconv_buf_printf(
        out,
        "<section class=\"telecharger\" aria-labelledby=\"t-dl\">"
        "<h2 id=\"t-dl\">Télécharger</h2><ul class=\"dl\">"
        "<li><a href=\"/resultat/%s/synthese\">Synthèse (synthese.xlsx)</a>"
        "</li><li><a href=\"/resultat/%s/rapport-csv\">Rapport "
        "(rapport.csv)</a></li>",
        token, token);
    if (have_zip)
        clasconv_buf_printf(out,
                            "<li><a href=\"/resultat/%s/classeurs-zip\">Tous "
                            "les classeurs (.zip)</a></li>",
                            token);
    clasconv_buf_printf(out,
                        "</ul><p class=\"aide\">Disponibles %u minutes.</p>"
                        "</section>",
                        (ctx->o.keep_s + 59) / 60);
    clasconv_buf_puts(
        out, "<h2>Fichiers</h2><div class=\"scroll\"><table class=\"lot\">"
             "<thead><tr><th scope=\"col\">Commune</th><th scope=\"col\">"
             "Fichier</th><th scope=\"col\">Statut</th><th scope=\"col\">"
             "Erreurs</th><th scope=\"col\">Avertis&shy;sements</th>"
             "<th scope=\"col\">Détail</th></tr></thead><tbody>");
    for (i = 0; i < n; i++) {
        const clasconv_batch_file *f = &files[i];
        const char *commune = clasconv_batch_file_commune(f);
        clasconv_buf_puts(out, "<tr><td data-label=\"Commune\">");
        if (*commune)
            serve_esc(out, commune);
        else
            clasconv_buf_puts(out, "<span class=\"where\">inconnue</span>");
        clasconv_buf_puts(out, "</td><td data-label=\"Fichier\">");
        serve_esc(out, f->path);
        clasconv_buf_printf(out,
                            "</td><td data-label=\"Statut\"><span "
                            "class=\"st st-%s\">%s</span>",
                            status_class(f->status),
                            clasconv_batch_status_label(f->status));
        if (f->message && *f->message) {
            clasconv_buf_puts(out, "<br><span class=\"where\">");
            serve_esc(out, f->message);
            clasconv_buf_puts(out, "</span>");
        }
        clasconv_buf_printf(out,
                            "</td><td class=\"num\" data-label=\"Erreurs\">"
                            "%zu</td><td class=\"num\" data-label=\""
                            "Avertissements\">%zu</td><td data-label=\""
                            "Détail\">",
                            f->errors, f->warnings);
        if (report_of[i] != SIZE_MAX) {
            clasconv_buf_printf(out,
                                "<a href=\"/resultat/%s/rapport-%zu\">Rapport"
                                "<span class=\"evitement\"> de ",
                                token, report_of[i]);
            serve_esc(out, f->path);
            clasconv_buf_puts(out, "</span></a>");
        } else {
            clasconv_buf_puts(out, "—");
        }
        clasconv_buf_puts(out, "</td></tr>");
    }
    clasconv_buf_puts(out, "</tbody></table></div><p><a href=\"/lot\">"
                           "Convertir un autre lot</a></p>");
    serve_page_end(out);
}

static void lot_too_many(serve_ctx *ctx, serve_answer *a)
{
    char what[256];

    snprintf(what, sizeof what,
             "Ce lot compte plus de %u fichiers, le nombre le plus grand "
             "accepté en une fois.",
             ctx->o.max_files);
    a->status = 413;
    serve_page_error(&a->body, ctx, "Trop de fichiers", what,
                     "Que faire : déposez les fichiers en plusieurs lots. "
                     "<a href=\"/lot\">Convertir un lot</a>.");
}

void serve_job_lot(serve_ctx *ctx, serve_upload *ups, size_t nups,
                   const char *dir, serve_answer *a)
{
    char token[SERVE_TOKEN_LEN + 1];
    lot l = {0};
    clasconv_batch_file *files = NULL;
    serve_parts *parts = NULL;
    const serve_part **workbooks = NULL;
    char **labels = NULL;
    size_t *order = NULL, *report_of = NULL, i, k, n;
    batch_walk walk = {0};
    serve_parts done = {0};
    finish_job fj;
    unsigned lot_budget;
    time_t lot_deadline;
    int sig = 0, failed = 0;

    if (job_token(ctx, token, a)) {
        return;
    }
    for (i = 0; i < nups && !failed; i++) {
        if (is_plain_zip(&ups[i])) {
            failed = lot_unzip(ctx, &ups[i], dir, &l) != 0;
        } else {
            lot_file *f = lot_add(&l);
            failed = !f;
            if (f) { /* moved */
                f->up = ups[i];
                memset(&ups[i], 0, sizeof ups[i]);
            }
        }
        if (l.count > ctx->o.max_files)
            l.too_many = 1;
        if (l.too_many)
            break;
    }
    if (l.too_many) {
        lot_too_many(ctx, a);
        lot_free(&l);
        return;
    }
    n = l.count;
    /* A lot is bounded as a whole, not only file by file: twice the time
     * one file may take. */
    lot_budget = 2 * (ctx->limits.wall_s ? ctx->limits.wall_s
                                         : CLASCONV_BATCH_DEFAULT_WALL_S);
    lot_deadline = time(NULL) + (time_t)lot_budget;
    files = calloc(n ? n : 1, sizeof *files);
    parts = calloc(n ? n : 1, sizeof *parts);
    workbooks = calloc(n ? n : 1, sizeof *workbooks);
    labels = calloc(n ? n : 1, sizeof *labels);
    order = calloc(n ? n : 1, sizeof *order);
    report_of = calloc(n ? n : 1, sizeof *report_of);
    if (failed || !files || !parts || !workbooks || !labels || !order ||
        !report_of)
        goto oom;

    for (i = 0; i < n; i++) {
        lot_file *lf = &l.files[i];
        clasconv_batch_file *f = &files[i];
        const serve_part *summary;
        serve_outcome outcome = SERVE_WORKER_OK;
        file_job j;
        f->path = strdup(lf->up.label ? lf->up.label : "fichier");
        labels[i] = f->path;
        if (!f->path)
            goto oom;
        if (!lf->reason && time(NULL) > lot_deadline) {
            char what[512];
            snprintf(what, sizeof what,
                     "Non lu : le lot a pris plus de %u secondes en tout. "
                     "Déposez ce fichier à nouveau, seul ou dans un lot "
                     "plus petit.",
                     lot_budget);
            lf->reason = strdup(what);
        }
        if (!lf->reason) {
            memset(&j, 0, sizeof j);
            j.ctx = ctx;
            j.up = &lf->up;
            j.dir = dir;
            j.token = token;
            j.index = i;
            outcome = run_file_job(ctx, &j, &parts[i], &sig);
            summary = serve_parts_find(&parts[i], "summary");
            if (outcome == SERVE_WORKER_OK && summary) {
                if (batch_wire_decode(summary->data, summary->len, f) ==
                    CLASCONV_OK) {
                    f->path = labels[i];
                    continue;
                }
                f->path = labels[i];
                outcome = SERVE_WORKER_MALFORMED;
            }
            {
                char what[1024];
                failure_text(ctx,
                             outcome == SERVE_WORKER_OK ? SERVE_WORKER_MALFORMED
                                                        : outcome,
                             sig, lf->up.label, what, sizeof what);
                lf->reason = strdup(what);
            }
            serve_parts_free(&parts[i]);
        }
        f->status = CLASCONV_BATCH_UNREADABLE;
        f->message = strdup(lf->reason ? lf->reason : "Illisible.");
        f->errors = 1;
    }

    /* Same order as `batch`: commune, then name. */
    clasconv_batch_sort(files, n);
    for (i = 0; i < n; i++)
        for (k = 0; k < n; k++)
            if (files[i].path == labels[k])
                order[i] = k;
    /* Workbook names inside the zip, planned as `batch` plans them. */
    walk.entries = calloc(n ? n : 1, sizeof *walk.entries);
    if (!walk.entries)
        goto oom;
    walk.cap = n;
    for (i = 0; i < n; i++) {
        batch_entry *e = &walk.entries[walk.count++];
        workbooks[i] = serve_parts_find(&parts[order[i]], "xlsx");
        e->rel = strdup(files[i].path);
        e->status =
            workbooks[i] ? CLASCONV_BATCH_OK : CLASCONV_BATCH_UNREADABLE;
        if (!e->rel)
            goto oom;
    }
    if (batch_plan_outputs(&walk) != CLASCONV_OK)
        goto oom;
    for (i = 0; i < n; i++) {
        free(files[i].output);
        files[i].output =
            walk.entries[i].output ? strdup(walk.entries[i].output) : NULL;
    }

    memset(&fj, 0, sizeof fj);
    fj.files = files;
    fj.n = n;
    fj.workbooks = workbooks;
    fj.dir = dir;
    run_finish_job(ctx, &fj, &done, &sig);

    for (i = 0; i < n; i++) {
        const serve_parts *p = &parts[order[i]];
        char key[64], name[SERVE_LABEL_MAX + 64];
        report_of[i] = SIZE_MAX;
        snprintf(key, sizeof key, "rapport-%zu", order[i]);
        snprintf(name, sizeof name, "%s.html", files[i].path);
        if (serve_parts_find(p, "html")) {
            if (item_from_part(a, serve_parts_find(p, "html"), key, name,
                               CT_HTML, 1))
                goto oom;
            report_of[i] = order[i];
        }
        snprintf(key, sizeof key, "classeur-%zu", order[i]);
        if (workbooks[i] && files[i].output &&
            item_from_part(a, workbooks[i], key, files[i].output, CT_XLSX, 0))
            goto oom;
    }
    if (item_from_part(a, serve_parts_find(&done, "synthese"), "synthese",
                       BATCH_SYNTHESIS_NAME, CT_XLSX, 0) ||
        item_from_part(a, serve_parts_find(&done, "csv"), "rapport-csv",
                       BATCH_REPORT_NAME, CT_CSV, 0) ||
        item_from_part(a, serve_parts_find(&done, "zip"), "classeurs-zip",
                       "classeurs.zip", CT_ZIP, 0))
        goto oom;
    lot_page(ctx, &a->body, token, files, n, report_of,
             serve_parts_find(&done, "zip") != NULL);
    {
        unsigned char *copy = malloc(a->body.len + 1);
        if (!copy)
            goto oom;
        memcpy(copy, a->body.data, a->body.len);
        if (serve_answer_item(a, "lot", "lot.html", CT_HTML, 1, copy,
                              a->body.len))
            goto oom;
    }
    a->status = 200;
    memcpy(a->token, token, sizeof a->token);
    goto out;
oom:
    serve_answer_clear(a);
    a->status = 503;
    serve_page_error(&a->body, ctx, "Service indisponible",
                     "Le serveur manque de mémoire pour ce lot.",
                     "Réessayez dans un instant, ou déposez un lot plus "
                     "petit.");
out:
    for (i = 0; files && i < n; i++) {
        files[i].path = NULL; /* labels[] owns it */
        batch_file_clear(&files[i]);
    }
    for (i = 0; labels && i < n; i++)
        free(labels[i]);
    for (i = 0; parts && i < n; i++)
        serve_parts_free(&parts[i]);
    batch_walk_free(&walk);
    serve_parts_free(&done);
    free(files);
    free(parts);
    free(workbooks);
    free(labels);
    free(order);
    free(report_of);
    lot_free(&l);
}

/* --- « Comparer avec l'an dernier » --- */

typedef struct compare_job {
    const serve_ctx *ctx;
    const serve_upload *older, *newer;
    const char *dir;
    const char *token;
} compare_job;

/* Reads one side in the worker, matched to the annuaire as `compare
 * --annuaire` does; NULL (and an "error" record naming the side) when the
 * file cannot be read. */
static clasconv_table *compare_side(const compare_job *j,
                                    const serve_upload *up, const char *which,
                                    int fd)
{
    clasconv_table *table = NULL;
    clasconv_diag diag;
    clasconv_error rc;
    char what[sizeof diag.message + 2 * SERVE_LABEL_MAX];

    clasconv_diag_clear(&diag);
    rc = clasconv_convert_memory(up->label, up->label, up->data, up->len,
                                 &table, &diag);
    if (!table)
        _exit(4);
    if (rc == CLASCONV_OK && j->ctx->o.annuaire &&
        clasconv_ref_match(table, j->ctx->o.annuaire, &table->anomalies))
        _exit(4);
    if (rc == CLASCONV_OK)
        return table;
    snprintf(what, sizeof what,
             "Le fichier %s, « %s », n'a pas pu être lu : %s", which, up->label,
             diag.message[0] ? diag.message : clasconv_strerror(rc));
    serve_send(fd, "error", what, strlen(what));
    clasconv_table_free(table);
    return NULL;
}

static size_t changes_of(const clasconv_comparison *cmp,
                         clasconv_change_kind kind)
{
    size_t i, n = 0;

    for (i = 0; i < cmp->count; i++)
        n += cmp->changes[i].kind == kind;
    return n;
}

/* The page: a summary, the downloads, then the report `compare` prints. */
static void compare_page(const compare_job *j,
                         const clasconv_comparison_set *set,
                         const clasconv_buf *report, clasconv_buf *out)
{
    size_t schemes = 0, added = 0, gone = 0, kept = 0, i;

    for (i = 0; i < set->count; i++) {
        const clasconv_comparison *cmp = &set->items[i];
        schemes += changes_of(cmp, CLASCONV_CHANGE_SCHEME_STARTED) +
                   changes_of(cmp, CLASCONV_CHANGE_SCHEME_STOPPED) +
                   changes_of(cmp, CLASCONV_CHANGE_COUNT_MOVED);
        added += changes_of(cmp, CLASCONV_CHANGE_SCHOOL_NEW);
        gone += changes_of(cmp, CLASCONV_CHANGE_SCHOOL_GONE);
        kept += cmp->kept;
    }

    serve_page_begin(out, j->ctx, "Comparaison avec l'an dernier", "comparer");
    clasconv_buf_printf(
        out,
        "<p id=\"verdict\" class=\"verdict %s\">%zu établissement%s "
        "retrouvé%s, %zu apparu%s, %zu disparu%s, %zu changement%s de "
        "dispositif</p><h1>Comparaison avec l'an dernier</h1><p>Ancien : "
        "<strong>",
        added || gone || schemes ? "v-warn" : "v-ok", kept, serve_plural(kept),
        serve_plural(kept), added, serve_plural(added), gone,
        serve_plural(gone), schemes, serve_plural(schemes));
    serve_esc(out, j->older->label);
    clasconv_buf_puts(out, "</strong> · Nouveau : <strong>");
    serve_esc(out, j->newer->label);
    clasconv_buf_puts(out, "</strong></p>");
    if (set->count > 1)
        clasconv_buf_puts(out, "<p class=\"probleme\">Les deux fichiers ne "
                               "portent pas sur la même commune : chacun est "
                               "comparé à un tableau vide.</p>");
    clasconv_buf_printf(
        out,
        "<section class=\"telecharger\" "
        "aria-labelledby=\"t-dl\"><h2 id=\"t-dl\">Télécharger</h2>"
        "<ul class=\"dl\"><li><a href=\"/resultat/%s/comparaison\">"
        "Classeur de comparaison (.xlsx)</a></li><li><a "
        "href=\"/resultat/%s/json\">Données (JSON)</a></li></ul>"
        "<p class=\"aide\">Le classeur a une feuille Évolution (totaux "
        "côte à côte, écarts en formules) et une feuille Changements. "
        "Disponibles %u minutes.</p></section>"
        "<section id=\"rapport\" aria-labelledby=\"t-rapport\"><h2 "
        "id=\"t-rapport\">Rapport</h2><pre class=\"rapport\">",
        j->token, j->token, (j->ctx->o.keep_s + 59) / 60);
    {
        /* The report's text, escaped line by line (the escaper folds
         * newlines; it quotes names read in files). */
        const char *p = report->data ? report->data : "";
        const char *end = p + report->len;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
            char *line = malloc(n + 1);
            if (!line) {
                out->failed = 1;
                return;
            }
            memcpy(line, p, n);
            line[n] = '\0';
            serve_esc(out, line);
            free(line);
            clasconv_buf_puts(out, "\n");
            p += n + 1;
        }
    }
    clasconv_buf_puts(out, "</pre></section><p><a href=\"/comparer\">Comparer "
                           "deux autres fichiers</a></p>");
    serve_page_end(out);
}

static void compare_write(const compare_job *j, int fd)
{
    clasconv_table *before, *after;
    clasconv_comparison_set set;
    clasconv_buf report = {0}, buf = {0};
    clasconv_diag diag;
    char *path;

    before = compare_side(j, j->older, "de l'an dernier", fd);
    after = before ? compare_side(j, j->newer, "de cette année", fd) : NULL;
    if (!after)
        return; /* the "error" record says which */
    /* Two files: one comparison, or two when the communes differ (each
     * with an empty table), exactly as `compare` pairs them. */
    if (clasconv_compare_communes((const clasconv_table *const *)&before, 1,
                                  (const clasconv_table *const *)&after, 1,
                                  &set) != CLASCONV_OK)
        _exit(4);
    clasconv_write_set_durable(0); /* the folder is thrown away */
    clasconv_diag_clear(&diag);
    path = join(j->dir, "comparaison.xlsx");
    if (!path || clasconv_write_comparison(set.items, set.count, path, &diag) ||
        serve_send_file(fd, "xlsx", path)) {
        const char *m =
            diag.message[0] ? diag.message : "Mémoire insuffisante.";
        serve_send(fd, "error", m, strlen(m));
        return;
    }
    unlink(path);
    free(path);
    if (clasconv_render_comparison_json(set.items, set.count, &buf) !=
            CLASCONV_OK ||
        clasconv_render_comparison(set.items, set.count, &report) !=
            CLASCONV_OK)
        _exit(4);
    serve_send(fd, "json", buf.data, buf.len);
    clasconv_buf_reset(&buf);
    compare_page(j, &set, &report, &buf);
    if (buf.failed)
        _exit(4);
    serve_send(fd, "html", buf.data, buf.len);
    /* The worker exits now: the system takes its memory back. */
}

/* In a worker: the comparison from its request ("older-label", "older",
 * "newer-label", "newer", "dir", "token"). */
static void compare_request(const serve_ctx *ctx, const serve_parts *req,
                            int fd)
{
    const serve_part *older = serve_parts_find(req, "older");
    const serve_part *newer = serve_parts_find(req, "newer");
    serve_upload a, b;
    compare_job j;

    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    memset(&j, 0, sizeof j);
    a.label = (char *)serve_parts_string(req, "older-label");
    b.label = (char *)serve_parts_string(req, "newer-label");
    j.dir = serve_parts_string(req, "dir");
    j.token = serve_parts_string(req, "token");
    if (!older || !newer || !a.label || !b.label || !j.dir || !j.token)
        _exit(6);
    a.data = older->data;
    a.len = older->len;
    b.data = newer->data;
    b.len = newer->len;
    j.ctx = ctx;
    j.older = &a;
    j.newer = &b;
    compare_write(&j, fd);
}

void serve_job_compare(serve_ctx *ctx, const serve_upload *older,
                       const serve_upload *newer, const char *dir,
                       serve_answer *a)
{
    char token[SERVE_TOKEN_LEN + 1];
    char label[2 * SERVE_LABEL_MAX + 16];
    char name[SERVE_LABEL_MAX + 64], stem[SERVE_LABEL_MAX + 1];
    serve_parts parts = {0};
    serve_outcome outcome;
    const serve_part *html, *error;
    serve_field fields[8];
    int sig = 0;

    if (job_token(ctx, token, a)) {
        return;
    }
    /* One worker reads both files: the limits of one conversion apply to
     * the comparison as a whole. The test hook sees both names. */
    snprintf(label, sizeof label, "%s et %s", older->label, newer->label);
    fields[0] = text_field("job", "comparer");
    fields[1] = text_field("label", label);
    fields[2] = text_field("dir", dir);
    fields[3] = text_field("token", token);
    fields[4] = text_field("older-label", older->label);
    fields[5] = (serve_field){"older", older->data, older->len};
    fields[6] = text_field("newer-label", newer->label);
    fields[7] = (serve_field){"newer", newer->data, newer->len};
    outcome = serve_worker_run(ctx, fields, 8, &parts, &sig);
    html = serve_parts_find(&parts, "html");
    error = serve_parts_find(&parts, "error");
    if (outcome == SERVE_WORKER_OK && !html && error) {
        char what[4096];
        snprintf(what, sizeof what, "%.*s", (int)error->len,
                 (const char *)error->data);
        a->status = 422;
        serve_page_error(&a->body, ctx, "Comparaison impossible", what,
                         "Que faire : vérifiez d'abord ce fichier avec <a "
                         "href=\"/\">Vérifier un fichier</a>, corrigez-le, "
                         "puis <a href=\"/comparer\">comparez à "
                         "nouveau</a>.");
        serve_parts_free(&parts);
        return;
    }
    if (outcome != SERVE_WORKER_OK || !html) {
        worker_error_page(ctx, a,
                          outcome == SERVE_WORKER_OK ? SERVE_WORKER_MALFORMED
                                                     : outcome,
                          sig, label);
        serve_parts_free(&parts);
        return;
    }
    serve_label_stem(newer->label, stem, sizeof stem);
    snprintf(name, sizeof name, "%s - comparaison.xlsx", stem);
    clasconv_buf_append(&a->body, (const char *)html->data, html->len);
    if (item_from_part(a, serve_parts_find(&parts, "xlsx"), "comparaison", name,
                       CT_XLSX, 0))
        a->body.failed = 1;
    snprintf(name, sizeof name, "%s - comparaison.json", stem);
    if (item_from_part(a, serve_parts_find(&parts, "json"), "json", name,
                       CT_JSON, 0))
        a->body.failed = 1;
    a->status = 200;
    memcpy(a->token, token, sizeof a->token);
    serve_parts_free(&parts);
}

/* --- « Modèle vierge » --- */

/* In a worker: the template from its request ("dir", and "commune" when
 * one was given). */
static void template_request(const serve_parts *req, int fd)
{
    const char *dir = serve_parts_string(req, "dir");
    clasconv_template_options o;
    clasconv_diag diag;
    char *path;

    if (!dir)
        _exit(6);
    path = join(dir, "modele.xlsx");
    memset(&o, 0, sizeof o);
    o.commune = serve_parts_string(req, "commune");
    clasconv_diag_clear(&diag);
    clasconv_write_set_durable(0);
    if (path && clasconv_write_template(&o, NULL, path, &diag) == 0)
        serve_send_file(fd, "modele", path);
    else
        serve_send(fd, "error", diag.message, strlen(diag.message));
    if (path)
        unlink(path);
    free(path);
}

void serve_job_template(serve_ctx *ctx, const char *commune, const char *dir,
                        serve_answer *a)
{
    serve_parts parts = {0};
    serve_field fields[4];
    const serve_part *p;
    char name[256];
    int sig = 0;

    fields[0] = text_field("job", "modele");
    fields[1] = text_field("label", "modele");
    fields[2] = text_field("dir", dir);
    if (commune)
        fields[3] = text_field("commune", commune);
    serve_worker_run(ctx, fields, commune ? 4 : 3, &parts, &sig);
    p = serve_parts_find(&parts, "modele");
    if (!p) {
        const serve_part *e = serve_parts_find(&parts, "error");
        char what[512];
        snprintf(what, sizeof what, "%.*s", e ? (int)e->len : 0,
                 e ? (const char *)e->data : "");
        a->status = e ? 400 : 503;
        serve_page_error(&a->body, ctx, "Modèle non produit",
                         e ? what : "Le modèle n'a pas pu être produit.",
                         "<a href=\"/modele\">Revenir au formulaire</a>.");
        serve_parts_free(&parts);
        return;
    }
    if (*commune)
        snprintf(name, sizeof name, "Tableau CLAS - %s.xlsx", commune);
    else
        snprintf(name, sizeof name, "Tableau CLAS - modèle vierge.xlsx");
    a->status = 200;
    a->ctype = CT_XLSX;
    a->filename = strdup(name);
    clasconv_buf_append(&a->body, (const char *)p->data, p->len);
    serve_parts_free(&parts);
}

void serve_pool_dispatch(const serve_ctx *ctx, const serve_parts *req, int fd)
{
    const char *job = serve_parts_string(req, "job");

    if (!job)
        _exit(6);
    if (!strcmp(job, "fichier"))
        file_request(ctx, req, fd);
    else if (!strcmp(job, "zip"))
        unzip_request(ctx, req, fd);
    else if (!strcmp(job, "synthese"))
        finish_request(req, fd);
    else if (!strcmp(job, "comparer"))
        compare_request(ctx, req, fd);
    else if (!strcmp(job, "modele"))
        template_request(req, fd);
    else
        _exit(6);
}
