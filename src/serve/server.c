/* server.c: the HTTP side of `clasconv serve` on libmicrohttpd: routes,
 * uploads through MHD's post processor with hard caps, limits and their
 * French pages, security headers, downloads, start and clean stop. */
#include "serve/serve_internal.h"

#include "serve/mhd.h"

#include "core/grow.h"
#include "core/sha256.h"
#include "core/text.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clasconv/coord.h"
#include "clasconv/write.h"

/* Bytes of multipart framing allowed on top of --max-taille. */
#define SERVE_FRAMING_SLACK ((size_t)256 << 10)
/* Largest value of a form field that is not a file. */
#define SERVE_FIELD_MAX 4096u
/* Post processor buffer: also the largest part header. */
#define SERVE_PP_BUFFER 16384u
/* Whole request body must arrive within this many seconds. */
#define SERVE_BODY_MAX_S 300
#define SERVE_RETRY_AFTER "10"

enum route { R_NONE = 0, R_CHECK, R_LOT, R_COMPARE };

typedef struct req {
    enum route route;
    struct MHD_PostProcessor *pp;
    serve_upload *ups; /* capacity from nups (clasconv_grow_count) */
    size_t nups;
    size_t received; /* body bytes seen */
    size_t held;     /* file bytes kept */
    unsigned parts;  /* parts seen (files and fields) */
    unsigned max_files;
    size_t max_bytes;
    int too_big, too_many, bad, wrong_field;
    time_t started;
} req;

/* --- Small helpers --- */

static time_t mono_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec;
}

static void base64(const unsigned char *in, size_t len, char *out)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i, o = 0;

    for (i = 0; i + 2 < len; i += 3) {
        uint32_t v =
            (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = tab[v >> 18];
        out[o++] = tab[(v >> 12) & 63];
        out[o++] = tab[(v >> 6) & 63];
        out[o++] = tab[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)in[i + 1] << 8;
        out[o++] = tab[v >> 18];
        out[o++] = tab[(v >> 12) & 63];
        out[o++] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
}

/* The style sheet of every page and the policy that allows it by hash. */
static int make_style(serve_ctx *ctx)
{
    const char *css = clasconv_html_css();
    size_t len = strlen(css) + strlen(serve_page_css);
    unsigned char digest[32];
    char hex[65], b64[48];
    size_t i;

    ctx->style = malloc(len + 1);
    ctx->csp = malloc(512);
    if (!ctx->style || !ctx->csp)
        return -1;
    snprintf(ctx->style, len + 1, "%s%s", css, serve_page_css);
    clasconv_sha256_hex((const unsigned char *)ctx->style, len, hex);
    for (i = 0; i < 32; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        digest[i] = (unsigned char)v;
    }
    base64(digest, sizeof digest, b64);
    snprintf(ctx->csp, 512,
             "default-src 'none'; style-src 'sha256-%s'; form-action 'self'; "
             "base-uri 'none'; frame-ancestors 'none'",
             b64);
    return 0;
}

/* Decodes one UTF-8 character; returns its length (1 for a bad byte). */
static size_t utf8_next(const unsigned char *s, int32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
        *cp = (int32_t)((s[0] & 0x1F) << 6 | (s[1] & 0x3F));
        return 2;
    }
    if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 &&
        (s[2] & 0xC0) == 0x80) {
        *cp =
            (int32_t)((s[0] & 0x0F) << 12 | (s[1] & 0x3F) << 6 | (s[2] & 0x3F));
        return 3;
    }
    if ((s[0] & 0xF8) == 0xF0 && (s[1] & 0xC0) == 0x80 &&
        (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80) {
        *cp = (int32_t)((s[0] & 0x07) << 18 | (s[1] & 0x3F) << 12 |
                        (s[2] & 0x3F) << 6 | (s[3] & 0x3F));
        return 4;
    }
    *cp = -1;
    return 1;
}

/* Content-Disposition (RFC 6266) with an ASCII fallback and filename*
 * (RFC 5987) for accents. */
static char *disposition(const char *name, int attachment)
{
    static const char attr[] = "!#$&+-.^_`|~";
    clasconv_buf out = {0};
    char *clean = serve_label_clean(name);
    const unsigned char *p;

    if (!clean)
        return NULL;
    clasconv_buf_puts(&out, attachment ? "attachment; filename=\""
                                       : "inline; filename=\"");
    for (p = (const unsigned char *)clean; *p;) {
        int32_t cp;
        size_t n = utf8_next(p, &cp);
        if (cp >= 0x20 && cp < 0x7F && cp != '"' && cp != '\\' && cp != '%') {
            char c = (char)cp;
            clasconv_buf_append(&out, &c, 1);
        } else {
            const char *fold = cp >= 0x80 ? clasconv_latin_fold(cp) : NULL;
            /* Capitals stay capitals: "É" -> "E". */
            if (fold && cp >= 0xC0 && cp <= 0xDE && cp != 0xD7 &&
                *fold >= 'a' && *fold <= 'z') {
                char first = (char)(*fold - 'a' + 'A');
                clasconv_buf_append(&out, &first, 1);
                fold++;
            }
            clasconv_buf_puts(&out, fold ? fold : "_");
        }
        p += n;
    }
    clasconv_buf_puts(&out, "\"; filename*=UTF-8''");
    for (p = (const unsigned char *)clean; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
            (*p >= '0' && *p <= '9') || (*p < 0x80 && strchr(attr, *p)))
            clasconv_buf_append(&out, (const char *)p, 1);
        else
            clasconv_buf_printf(&out, "%%%02X", *p);
    }
    free(clean);
    if (out.failed) {
        clasconv_buf_free(&out);
        return NULL;
    }
    return clasconv_buf_detach(&out);
}

/* One line for the operator's journal (no file name: only what was done,
 * its status and its time). */
static void log_line(const serve_ctx *ctx, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void log_line(const serve_ctx *ctx, const char *fmt, ...)
{
    char line[256];
    va_list ap;

    if (!ctx->o.log)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    ctx->o.log(line, ctx->o.ready_user);
}

/* --- Responses --- */

static enum MHD_Result send_bytes(serve_ctx *ctx, struct MHD_Connection *c,
                                  unsigned status, const char *data, size_t len,
                                  const char *ctype, const char *filename,
                                  int attachment)
{
    struct MHD_Response *r;
    enum MHD_Result ret;

    r = serve_mhd.create_response_from_buffer(len, (void *)(uintptr_t)data,
                                              MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    serve_mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                                  ctype ? ctype : "text/html; charset=utf-8");
    serve_mhd.add_response_header(r, "Content-Security-Policy", ctx->csp);
    serve_mhd.add_response_header(r, "X-Content-Type-Options", "nosniff");
    serve_mhd.add_response_header(r, "Referrer-Policy", "no-referrer");
    serve_mhd.add_response_header(r, "X-Frame-Options", "DENY");
    serve_mhd.add_response_header(r, "Cache-Control", "no-store");
    if (filename) {
        char *cd = disposition(filename, attachment);
        if (cd)
            serve_mhd.add_response_header(r, "Content-Disposition", cd);
        free(cd);
    }
    if (status == 405)
        serve_mhd.add_response_header(r, MHD_HTTP_HEADER_ALLOW,
                                      "GET, HEAD, POST");
    if (status == 503)
        serve_mhd.add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER,
                                      SERVE_RETRY_AFTER);
    ret = serve_mhd.queue_response(c, status, r);
    serve_mhd.destroy_response(r);
    return ret;
}

static enum MHD_Result send_page(serve_ctx *ctx, struct MHD_Connection *c,
                                 unsigned status, clasconv_buf *page)
{
    enum MHD_Result ret;

    if (page->failed) {
        clasconv_buf_free(page);
        serve_page_error(page, ctx, "Service indisponible",
                         "Le serveur manque de mémoire.",
                         "Réessayez dans un instant.");
        status = 503;
    }
    ret = send_bytes(ctx, c, status, page->data ? page->data : "", page->len,
                     NULL, NULL, 0);
    clasconv_buf_free(page);
    return ret;
}

static enum MHD_Result send_error(serve_ctx *ctx, struct MHD_Connection *c,
                                  unsigned status, const char *title,
                                  const char *what, const char *next)
{
    clasconv_buf page = {0};

    serve_page_error(&page, ctx, title, what, next);
    return send_page(ctx, c, status, &page);
}

static enum MHD_Result send_too_big(serve_ctx *ctx, struct MHD_Connection *c)
{
    char what[256];

    snprintf(what, sizeof what,
             "L'envoi dépasse %u Mo, la taille la plus grande acceptée en "
             "une fois.",
             ctx->o.max_mb);
    return send_error(ctx, c, 413, "Envoi trop volumineux", what,
                      "Que faire : déposez les fichiers en plusieurs fois, "
                      "ou enregistrez le tableau seul dans un nouveau "
                      "classeur. <a href=\"/\">Revenir à l'accueil</a>.");
}

static enum MHD_Result send_busy(serve_ctx *ctx, struct MHD_Connection *c)
{
    return send_error(ctx, c, 503, "Serveur occupé",
                      "Trop de fichiers sont en cours de lecture en ce "
                      "moment.",
                      "Que faire : réessayez dans une minute (le fichier "
                      "n'a pas été gardé). <a href=\"/\">Revenir à "
                      "l'accueil</a>.");
}

/* --- Uploads --- */

static void req_free(req *r)
{
    size_t i;

    if (!r)
        return;
    if (r->pp)
        serve_mhd.destroy_post_processor(r->pp);
    for (i = 0; i < r->nups; i++) {
        free(r->ups[i].label);
        free(r->ups[i].data);
    }
    free(r->ups);
    free(r);
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind,
                               const char *key, const char *filename,
                               const char *content_type,
                               const char *transfer_encoding, const char *data,
                               uint64_t off, size_t size)
{
    req *r = cls;
    serve_upload *u;

    (void)kind;
    (void)content_type;
    (void)transfer_encoding;
    if (!filename) {
        /* A plain field: none is expected beside the files; bound it. */
        if (off == 0 && ++r->parts > SERVE_FIELD_MAX)
            r->bad = 1;
        if (off + size > SERVE_FIELD_MAX)
            r->bad = 1;
        return r->bad ? MHD_NO : MHD_YES;
    }
    if (r->route == R_COMPARE
            ? strcmp(key, "ancien") && strcmp(key, "nouveau")
            : strcmp(key, r->route == R_CHECK ? "fichier" : "fichiers")) {
        r->wrong_field = 1;
        return MHD_YES; /* ignored */
    }
    if (off == 0) {
        if (r->nups > r->max_files) {
            r->too_many = 1; /* said at the end; nothing more is kept */
            return MHD_NO;
        }
        if (clasconv_grow_count((void **)&r->ups, r->nups, r->nups + 1,
                                sizeof *r->ups, SIZE_MAX) != CLASCONV_OK) {
            r->too_big = 1;
            return MHD_NO;
        }
        u = &r->ups[r->nups++];
        memset(u, 0, sizeof *u);
        u->newer = !strcmp(key, "nouveau");
        u->label = serve_label_clean(filename);
        if (!u->label) {
            r->too_big = 1;
            return MHD_NO;
        }
        r->parts++;
    }
    if (r->nups == 0)
        return MHD_NO;
    u = &r->ups[r->nups - 1];
    if (size == 0)
        return MHD_YES;
    if (off != u->len) {
        r->bad = 1;
        return MHD_NO;
    }
    if (r->held + size > r->max_bytes) {
        r->too_big = 1;
        return MHD_NO;
    }
    /* At most max_bytes, which the check above keeps the file under. */
    if (clasconv_grow_count((void **)&u->data, u->len, u->len + size, 1,
                            r->max_bytes) != CLASCONV_OK) {
        r->too_big = 1;
        return MHD_NO;
    }
    memcpy(u->data + u->len, data, size);
    u->len += size;
    r->held += size;
    return MHD_YES;
}

/* Drops empty file parts (a form sent with no file chosen). */
static void drop_empty(req *r)
{
    size_t i, k = 0;

    for (i = 0; i < r->nups; i++) {
        if (r->ups[i].len == 0 && r->ups[i].data == NULL) {
            free(r->ups[i].label);
            continue;
        }
        r->ups[k++] = r->ups[i];
    }
    r->nups = k;
}

/* --- Routes --- */

static int is_hex_token(const char *s, size_t n)
{
    size_t i;

    if (n != SERVE_TOKEN_LEN)
        return 0;
    for (i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static int is_key(const char *s)
{
    size_t n = strlen(s), i;

    if (n == 0 || n > 40)
        return 0;
    for (i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '-'))
            return 0;
    return 1;
}

static enum MHD_Result send_gone(serve_ctx *ctx, struct MHD_Connection *c)
{
    char what[256];

    snprintf(what, sizeof what,
             "Ce résultat n'est plus disponible : les résultats sont gardés "
             "%u minutes, puis effacés.",
             (ctx->o.keep_s + 59) / 60);
    return send_error(ctx, c, 404, "Résultat expiré", what,
                      "Que faire : déposez le fichier à nouveau. <a "
                      "href=\"/\">Vérifier un fichier</a> · <a "
                      "href=\"/lot\">Convertir un lot</a>.");
}

static enum MHD_Result download(serve_ctx *ctx, struct MHD_Connection *c,
                                const char *rest)
{
    const char *slash = strchr(rest, '/');
    char token[SERVE_TOKEN_LEN + 1];
    serve_item it;
    enum MHD_Result ret;

    if (!slash || !is_hex_token(rest, (size_t)(slash - rest)) ||
        !is_key(slash + 1))
        return send_gone(ctx, c);
    memcpy(token, rest, SERVE_TOKEN_LEN);
    token[SERVE_TOKEN_LEN] = '\0';
    if (serve_store_get(ctx->store, token, slash + 1, &it) != 0)
        return send_gone(ctx, c);
    ret = send_bytes(ctx, c, 200, (const char *)it.data, it.len, it.ctype,
                     it.page ? NULL : it.filename, !it.page);
    serve_item_clear(&it);
    return ret;
}

/* A commune typed in the template form: clean text, bounded. */
static char *clean_commune(const char *text)
{
    char *s =
        clasconv_utf8_repair(text ? text : "", text ? strnlen(text, 480) : 0);
    size_t len, cut;
    char *p;

    if (!s)
        return NULL;
    for (p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7F || *p == '/' || *p == '\\')
            *p = ' ';
    len = strlen(s);
    if (len > 120) {
        cut = 120;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--;
        s[cut] = '\0';
    }
    len = strlen(s);
    while (len > 0 && s[len - 1] == ' ')
        s[--len] = '\0';
    for (p = s; *p == ' '; p++)
        ;
    memmove(s, p, strlen(p) + 1);
    return s;
}

/* Runs a job that needs a worker: slot, private folder, answer. */
static enum MHD_Result run_job(serve_ctx *ctx, struct MHD_Connection *c, req *r,
                               const char *commune)
{
    serve_answer a;
    char *dir;
    enum MHD_Result ret;

    struct timespec t0, t1;
    const char *what = !r                      ? "modèle"
                       : r->route == R_CHECK   ? "vérification"
                       : r->route == R_COMPARE ? "comparaison"
                                               : "lot";

    memset(&a, 0, sizeof a);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (serve_slot_acquire(ctx) != 0) {
        log_line(ctx, "%s : refusée, serveur occupé (503)", what);
        return send_busy(ctx, c);
    }
    dir = serve_tmpdir_make(ctx);
    if (!dir) {
        serve_slot_release(ctx);
        return send_error(ctx, c, 503, "Service indisponible",
                          "Le serveur n'a pas pu créer son dossier "
                          "temporaire.",
                          "Réessayez dans un instant ; si cela dure, "
                          "prévenez l'équipe qui gère le serveur.");
    }
    if (!r)
        serve_job_template(ctx, commune, dir, &a);
    else if (r->route == R_CHECK)
        serve_job_check(ctx, &r->ups[0], dir, &a);
    else if (r->route == R_COMPARE)
        serve_job_compare(ctx, &r->ups[r->ups[0].newer ? 1 : 0],
                          &r->ups[r->ups[0].newer ? 0 : 1], dir, &a);
    else
        serve_job_lot(ctx, r->ups, r->nups, dir, &a);
    /* Nothing uploaded outlives the request. */
    serve_tmpdir_remove(dir);
    free(dir);
    serve_slot_release(ctx);
    if (a.nitems) {
        if (serve_store_put(ctx->store, a.token, a.items, a.nitems) != 0)
            a.body.failed = 1;
        a.items = NULL;
        a.nitems = 0;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    log_line(ctx, "%s : %u, %zu fichier%s, %.0f ms", what,
             a.status ? a.status : 200, r ? r->nups : 0,
             serve_plural(r ? r->nups : 0),
             (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
                 (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    if (a.ctype) {
        ret = send_bytes(ctx, c, a.status, a.body.data, a.body.len, a.ctype,
                         a.filename, 1);
        serve_answer_clear(&a);
        return ret;
    }
    ret = send_page(ctx, c, a.status ? a.status : 200, &a.body);
    serve_answer_clear(&a);
    return ret;
}

static enum MHD_Result finish_upload(serve_ctx *ctx, struct MHD_Connection *c,
                                     req *r)
{
    int complete = serve_mhd.destroy_post_processor(r->pp) == MHD_YES;

    r->pp = NULL;
    if (r->too_big || r->held > ctx->max_bytes)
        return send_too_big(ctx, c);
    drop_empty(r);
    /* --max-fichiers bounds a lot; the comparison takes two, always. */
    if (r->too_many || (r->route != R_COMPARE && r->nups > ctx->o.max_files) ||
        (r->route == R_CHECK && r->nups > 1) ||
        (r->route == R_COMPARE && r->nups > 2)) {
        char what[256];
        if (r->route == R_CHECK)
            snprintf(what, sizeof what,
                     "Cette page vérifie un fichier à la fois (%zu reçus).",
                     r->nups);
        else if (r->route == R_COMPARE)
            snprintf(what, sizeof what,
                     "Cette page compare deux fichiers, pas plus.");
        else
            snprintf(what, sizeof what,
                     "Ce lot compte plus de %u fichiers, le nombre le plus "
                     "grand accepté en une fois.",
                     ctx->o.max_files);
        return send_error(ctx, c, 413, "Trop de fichiers", what,
                          r->route == R_CHECK
                              ? "Que faire : pour plusieurs fichiers, utilisez "
                                "<a href=\"/lot\">Convertir un lot</a>."
                          : r->route == R_COMPARE
                              ? "Que faire : choisissez un seul fichier dans "
                                "chaque champ. <a href=\"/comparer\">Comparer "
                                "avec l'an dernier</a>."
                              : "Que faire : déposez les fichiers en "
                                "plusieurs lots. <a href=\"/lot\">Convertir "
                                "un lot</a>.");
    }
    if (r->bad || !complete)
        return send_error(ctx, c, 400, "Envoi illisible",
                          "Le formulaire reçu est incomplet ou mal formé "
                          "(envoi interrompu ?).",
                          "Que faire : rechargez la page et déposez le "
                          "fichier à nouveau. <a href=\"/\">Vérifier un "
                          "fichier</a>.");
    if (r->route == R_COMPARE &&
        (r->nups != 2 || r->ups[0].newer == r->ups[1].newer))
        return send_error(ctx, c, 400,
                          r->nups == 0 ? "Aucun fichier reçu"
                                       : "Deux fichiers attendus",
                          "La comparaison demande deux fichiers : le tableau "
                          "de l'an dernier (ancien) et celui de cette année "
                          "(nouveau).",
                          "Que faire : choisissez un fichier dans chacun des "
                          "deux champs, puis « Comparer les deux fichiers ». "
                          "<a href=\"/comparer\">Comparer avec l'an "
                          "dernier</a>.");
    if (r->nups == 0)
        return send_error(ctx, c, 400, "Aucun fichier reçu",
                          "Aucun fichier n'était joint à l'envoi (ou il était "
                          "vide).",
                          r->route == R_CHECK
                              ? "Que faire : choisissez le fichier avec le "
                                "bouton « Parcourir », puis « Vérifier le "
                                "fichier ». <a href=\"/\">Vérifier un "
                                "fichier</a>."
                              : "Que faire : choisissez les fichiers, puis « "
                                "Convertir le lot ». <a href=\"/lot\">"
                                "Convertir un lot</a>.");
    return run_job(ctx, c, r, NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    serve_ctx *ctx = cls;
    req *r = *con_cls;
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    int post = !strcmp(method, "POST");

    (void)version;
    if (r) { /* the body of a POST, in pieces, then its end */
        if (*upload_data_size) {
            r->received += *upload_data_size;
            if (r->received > ctx->max_bytes + SERVE_FRAMING_SLACK ||
                mono_s() - r->started > SERVE_BODY_MAX_S)
                return MHD_NO; /* chunked past the cap: cut */
            if (!r->too_big && !r->bad && !r->too_many &&
                serve_mhd.post_process(r->pp, upload_data, *upload_data_size) !=
                    MHD_YES &&
                !r->too_big && !r->too_many)
                r->bad = 1;
            if (r->held > ctx->max_bytes)
                r->too_big = 1;
            *upload_data_size = 0;
            return MHD_YES;
        }
        return finish_upload(ctx, c, r);
    }

    if (!strcmp(url, "/") || !strcmp(url, "/verifier") ||
        !strcmp(url, "/lot") || !strcmp(url, "/comparer")) {
        int lot = !strcmp(url, "/lot"), compare = !strcmp(url, "/comparer");
        const char *length;
        if (get) {
            clasconv_buf page = {0};
            if (lot)
                serve_page_lot_form(&page, ctx);
            else if (compare)
                serve_page_compare_form(&page, ctx);
            else
                serve_page_check_form(&page, ctx);
            return send_page(ctx, c, 200, &page);
        }
        if (!post || !strcmp(url, "/"))
            goto not_allowed;
        length = serve_mhd.lookup_connection_value(
            c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (length) {
            char *end;
            unsigned long long n;
            errno = 0;
            n = strtoull(length, &end, 10);
            if (errno || *end || n > ctx->max_bytes + SERVE_FRAMING_SLACK)
                return send_too_big(ctx, c);
        }
        r = calloc(1, sizeof *r);
        if (!r)
            return send_busy(ctx, c);
        r->route = lot ? R_LOT : compare ? R_COMPARE : R_CHECK;
        r->max_files = compare ? 2 : ctx->o.max_files;
        r->max_bytes = ctx->max_bytes;
        r->started = mono_s();
        r->pp = serve_mhd.create_post_processor(c, SERVE_PP_BUFFER, on_part, r);
        if (!r->pp) {
            req_free(r);
            return send_error(ctx, c, 415, "Envoi non reconnu",
                              "Le serveur attend un formulaire d'envoi de "
                              "fichier (multipart/form-data).",
                              "Que faire : utilisez le formulaire de la page. "
                              "<a href=\"/\">Vérifier un fichier</a>.");
        }
        *con_cls = r;
        return MHD_YES;
    }
    if (!strcmp(url, "/modele") || !strcmp(url, "/modele.xlsx")) {
        if (!get)
            goto not_allowed;
        if (!strcmp(url, "/modele")) {
            clasconv_buf page = {0};
            serve_page_template_form(&page, ctx);
            return send_page(ctx, c, 200, &page);
        } else {
            char *commune = clean_commune(serve_mhd.lookup_connection_value(
                c, MHD_GET_ARGUMENT_KIND, "commune"));
            enum MHD_Result ret;
            if (!commune)
                return send_busy(ctx, c);
            ret = run_job(ctx, c, NULL, commune);
            free(commune);
            return ret;
        }
    }
    if (!strncmp(url, "/resultat/", 10)) {
        if (!get)
            goto not_allowed;
        return download(ctx, c, url + 10);
    }
    return send_error(ctx, c, 404, "Page introuvable",
                      "Cette adresse ne correspond à aucune page du "
                      "service.",
                      "Que faire : <a href=\"/\">vérifier un fichier</a>, "
                      "<a href=\"/lot\">convertir un lot</a>, <a "
                      "href=\"/comparer\">comparer avec l'an dernier</a> ou "
                      "<a href=\"/modele\">télécharger le modèle "
                      "vierge</a>.");
not_allowed:
    return send_error(ctx, c, 405, "Méthode non acceptée",
                      "Cette page ne répond pas à ce type de requête.",
                      "Que faire : ouvrez la page depuis l'accueil. <a "
                      "href=\"/\">Revenir à l'accueil</a>.");
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)c;
    (void)code;
    req_free(*con_cls); /* also on error and disconnect */
    *con_cls = NULL;
}

/* --- Start and stop --- */

static void fill_defaults(serve_ctx *ctx, const clasconv_serve_options *o)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    const char *tmp = getenv("TMPDIR");

    ctx->o = *o;
    if (!ctx->o.address || !*ctx->o.address)
        ctx->o.address = CLASCONV_SERVE_DEFAULT_ADDRESS;
    if (!ctx->o.port && !ctx->o.any_port)
        ctx->o.port = CLASCONV_SERVE_DEFAULT_PORT;
    if (!ctx->o.max_mb)
        ctx->o.max_mb = CLASCONV_SERVE_DEFAULT_MAX_MB;
    if (!ctx->o.max_files)
        ctx->o.max_files = CLASCONV_SERVE_DEFAULT_MAX_FILES;
    if (!ctx->o.workers)
        ctx->o.workers = cores > 0 ? (unsigned)cores : 1;
    if (!ctx->o.queue_set)
        ctx->o.queue = CLASCONV_SERVE_DEFAULT_QUEUE;
    if (!ctx->o.keep_s)
        ctx->o.keep_s = CLASCONV_SERVE_DEFAULT_KEEP_S;
    if (!ctx->o.timeout_s)
        ctx->o.timeout_s = CLASCONV_SERVE_DEFAULT_TIMEOUT_S;
    ctx->max_bytes = (size_t)ctx->o.max_mb << 20;
    ctx->limits.memory_mb = o->memory_mb;
    ctx->limits.cpu_s = o->cpu_s;
    ctx->limits.wall_s = o->wall_s;
    ctx->tmpbase = tmp && *tmp ? tmp : "/tmp";
}

clasconv_error clasconv_serve_run(const clasconv_serve_options *options,
                                  clasconv_diag *diag)
{
    serve_ctx ctx;
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
    struct sockaddr *sa;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
    sigset_t set, old;
    char url[128];
    int sig = 0, v6;

    memset(&ctx, 0, sizeof ctx);
    if (!options || options->max_mb > 4096 || options->max_files > 100000) {
        clasconv_diag_set(diag, "Options du serveur invalides.");
        return CLASCONV_ERR_USAGE;
    }
    if (serve_mhd_load(diag) != CLASCONV_OK)
        return CLASCONV_ERR_UNSUPPORTED;
    fill_defaults(&ctx, options);
    memset(&sin, 0, sizeof sin);
    memset(&sin6, 0, sizeof sin6);
    v6 = strchr(ctx.o.address, ':') != NULL;
    if (v6) {
        sin6.sin6_family = AF_INET6;
        sin6.sin6_port = htons((uint16_t)ctx.o.port);
        if (inet_pton(AF_INET6, ctx.o.address, &sin6.sin6_addr) != 1)
            v6 = -1;
        sa = (struct sockaddr *)&sin6;
        flags |= MHD_USE_IPv6;
    } else {
        sin.sin_family = AF_INET;
        sin.sin_port = htons((uint16_t)ctx.o.port);
        if (inet_pton(AF_INET, ctx.o.address, &sin.sin_addr) != 1)
            v6 = -1;
        sa = (struct sockaddr *)&sin;
    }
    if (v6 < 0) {
        clasconv_diag_set(diag,
                          "Adresse d'écoute « %s » invalide : donnez une "
                          "adresse IP, par exemple 127.0.0.1 ou 0.0.0.0.",
                          ctx.o.address);
        return CLASCONV_ERR_USAGE;
    }
    if (make_style(&ctx) != 0 || !(ctx.store = serve_store_new(ctx.o.keep_s))) {
        free(ctx.style);
        free(ctx.csp);
        clasconv_diag_set(diag, "Mémoire insuffisante.");
        return CLASCONV_ERR_MEMORY;
    }
    ctx.pids = calloc(ctx.o.workers, sizeof *ctx.pids);
    if (!ctx.pids) {
        serve_store_free(ctx.store);
        free(ctx.style);
        free(ctx.csp);
        clasconv_diag_set(diag, "Mémoire insuffisante.");
        return CLASCONV_ERR_MEMORY;
    }
    pthread_mutex_init(&ctx.lock, NULL);
    pthread_cond_init(&ctx.freed, NULL);

    /* Every thread, MHD's included, inherits this mask: only sigwait()
     * below takes SIGINT and SIGTERM, and SIGUSR1, by which a request
     * thread asks this thread to fork the pool's missing workers. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGPIPE);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    ctx.main_thread = pthread_self();
    /* Forked before the server listens: no other thread runs yet. */
    if (serve_pool_start(&ctx) != 0) {
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        serve_store_free(ctx.store);
        free(ctx.pids);
        free(ctx.style);
        free(ctx.csp);
        clasconv_diag_set(diag, "Mémoire insuffisante.");
        return CLASCONV_ERR_MEMORY;
    }
    d = serve_mhd.start_daemon(
        flags, (uint16_t)ctx.o.port, NULL, NULL, on_request, &ctx,
        MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)CLASCONV_SERVE_MAX_CONNECTIONS,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)CLASCONV_SERVE_MAX_PER_IP,
        MHD_OPTION_CONNECTION_TIMEOUT, ctx.o.timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 << 10),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &ctx,
        MHD_OPTION_STRICT_FOR_CLIENT, 1, MHD_OPTION_END);
    if (!d) {
        serve_pool_stop(&ctx);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        clasconv_diag_set(diag,
                          "Impossible d'écouter sur %s:%u (adresse déjà "
                          "utilisée, ou port réservé à l'administrateur) : "
                          "choisissez un autre port avec --ecoute.",
                          ctx.o.address, ctx.o.port);
        serve_store_free(ctx.store);
        free(ctx.pids);
        free(ctx.style);
        free(ctx.csp);
        return CLASCONV_ERR_IO;
    }
    info = serve_mhd.get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(url, sizeof url, v6 ? "http://[%s]:%u/" : "http://%s:%u/",
             ctx.o.address, info ? (unsigned)info->port : ctx.o.port);
    if (ctx.o.ready)
        ctx.o.ready(url, ctx.o.ready_user);
    sigdelset(&set, SIGPIPE);
    for (;;) {
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig != SIGUSR1)
            break;
        serve_pool_tend(&ctx);
    }
    pthread_mutex_lock(&ctx.lock);
    ctx.stopping = 1;
    pthread_cond_broadcast(&ctx.freed);
    pthread_cond_broadcast(&ctx.pool_ready);
    pthread_mutex_unlock(&ctx.lock);
    serve_kill_workers(&ctx);
    serve_mhd.stop_daemon(d);
    serve_pool_stop(&ctx);
    {
        /* A wake-up sent before the stop must not reach the caller. */
        struct timespec now = {0, 0};
        sigset_t usr1;
        sigemptyset(&usr1);
        sigaddset(&usr1, SIGUSR1);
        while (sigtimedwait(&usr1, NULL, &now) == SIGUSR1)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    serve_store_free(ctx.store);
    pthread_cond_destroy(&ctx.freed);
    pthread_mutex_destroy(&ctx.lock);
    free(ctx.pids);
    free(ctx.style);
    free(ctx.csp);
    return CLASCONV_OK;
}
