/* annuaire.c: loads an « Annuaire de l'éducation » export into an index of
 * schools by commune and by UAI.
 *
 * The national export has about 66,000 rows of some 70 columns (tens of
 * MB): it is parsed in pieces with libcsv, and of each row only the nine
 * columns used are kept, in a block arena. Columns are found by their
 * folded names, never by position, because exports of different years
 * spell them differently (Code_postal, Code postal...).
 */
#include "clasconv/ref.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/grow.h"
#include "core/text.h"
#include "ref/ref_internal.h"

#define FIELD_MAX 1024              /* bytes kept of one field */
#define ARENA_BLOCK (256u << 10)    /* strings are stored in such blocks */
#define READ_PIECE (256u << 10)     /* bytes parsed at a time */
#define HEADER_FIELDS_MAX 4096u     /* columns of the header row */
#define FIELD_BUFFER_MAX (1u << 20) /* libcsv's buffer for one field */
#define NO_SCHOOL UINT32_MAX

/* The columns used. */
enum {
    F_UAI = 0,
    F_NAME,
    F_TYPE,
    F_NATURE,
    F_NATURE_LABEL,
    F_COMMUNE_CODE,
    F_COMMUNE,
    F_POSTAL,
    F_ETAT,
    F_COUNT
};

/* Folded header names of each column, as seen in exports of several years
 * and in the « Adresse et géolocalisation » file. */
static const char *const field_names[F_COUNT][4] = {
    [F_UAI] = {"identifiant de l etablissement", "numero uai", "uai",
               "code uai"},
    [F_NAME] = {"nom etablissement", "nom de l etablissement",
                "appellation officielle", NULL},
    [F_TYPE] = {"type etablissement", NULL, NULL, NULL},
    [F_NATURE] = {"code nature", "nature uai", NULL, NULL},
    [F_NATURE_LABEL] = {"libelle nature", "nature uai libe", NULL, NULL},
    [F_COMMUNE_CODE] = {"code commune", "code insee commune", NULL, NULL},
    [F_COMMUNE] = {"nom commune", "libelle commune", "commune", NULL},
    [F_POSTAL] = {"code postal", NULL, NULL, NULL},
    [F_ETAT] = {"etat", "etat etablissement", NULL, NULL},
};

static const char *const field_labels[F_COUNT] = {
    "Identifiant_de_l_etablissement",
    "Nom_etablissement",
    "Type_etablissement",
    "code_nature",
    "libelle_nature",
    "Code_commune",
    "Nom_commune",
    "Code postal",
    "etat"};

typedef struct arena_block {
    struct arena_block *next;
    size_t used;
    char data[];
} arena_block;

typedef struct commune_entry {
    const char *key;  /* ref_commune_key() of the name */
    const char *code; /* INSEE code ("" when none) */
    uint32_t first;   /* first school, NO_SCHOOL when none */
} commune_entry;

struct clasconv_annuaire {
    char name[256];
    arena_block *blocks;
    clasconv_annuaire_school *schools;
    size_t nschools, schools_cap;
    commune_entry *communes;
    size_t ncommunes;
    uint32_t *by_name; /* open addressing: commune index + 1, 0 = empty */
    uint32_t *by_code;
    size_t commune_slots; /* power of two */
    uint32_t *by_uai;     /* school index + 1 */
    size_t uai_slots;     /* power of two */
};

/* --- Arena ------------------------------------------------------------- */

static const char *arena_copy(clasconv_annuaire *a, const char *text,
                              size_t len)
{
    arena_block *b = a->blocks;
    char *out;

    if (!b || b->used + len + 1 > ARENA_BLOCK) {
        size_t size = len + 1 > ARENA_BLOCK ? len + 1 : ARENA_BLOCK;
        b = malloc(sizeof *b + size);
        if (!b)
            return NULL;
        b->used = 0;
        b->next = a->blocks;
        a->blocks = b;
    }
    out = b->data + b->used;
    memcpy(out, text, len);
    out[len] = '\0';
    b->used += len + 1;
    return out;
}

static const char *arena_str(clasconv_annuaire *a, const char *text)
{
    return arena_copy(a, text, strlen(text));
}

/* --- Hashing ----------------------------------------------------------- */

static uint64_t hash_text(const char *text)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */

    while (*text) {
        h ^= (unsigned char)*text++;
        h *= 1099511628211u;
    }
    return h;
}

static size_t slots_for(size_t n)
{
    size_t slots = 16;

    while (slots < 2 * n)
        slots <<= 1;
    return slots;
}

/* --- Parsing ----------------------------------------------------------- */

typedef struct loader {
    clasconv_annuaire *a;
    clasconv_diag *diag;
    clasconv_error err;
    size_t row;       /* rows seen, header included */
    size_t field;     /* index of the current field in its row */
    int map[F_COUNT]; /* column of each field, -1 when absent */
    signed char field_of[HEADER_FIELDS_MAX]; /* the reverse, -1 = unused */
    char value[F_COUNT][FIELD_MAX];
    size_t skipped; /* rows without a usable UAI */
    int header_done;
} loader;

/* Folds a header cell ("Code_postal", "\xEF\xBB\xBFIdentifiant...") the
 * way clasconv_text_key() does; underscores become spaces. */
static void fold_header(const char *text, char *out, size_t size)
{
    if (!strncmp(text, "\xEF\xBB\xBF", 3))
        text += 3;
    if (!clasconv_text_fold(text, out, size))
        out[0] = '\0';
}

static void header_field(loader *ld, const char *text)
{
    char folded[256];
    int f, k;

    fold_header(text, folded, sizeof folded);
    for (f = 0; f < F_COUNT; f++) {
        if (ld->map[f] >= 0)
            continue;
        for (k = 0; k < 4 && field_names[f][k]; k++)
            if (!strcmp(folded, field_names[f][k])) {
                ld->map[f] = (int)ld->field;
                return;
            }
    }
}

static void on_field(void *data, size_t len, void *ctx)
{
    loader *ld = ctx;
    const char *text = data ? data : "";
    int f;

    if (ld->err)
        return;
    if (!ld->header_done) {
        if (ld->field < HEADER_FIELDS_MAX) {
            char copy[256];
            size_t n = len < sizeof copy - 1 ? len : sizeof copy - 1;
            memcpy(copy, text, n);
            copy[n] = '\0';
            header_field(ld, copy);
        }
        ld->field++;
        return;
    }
    for (f = 0; f < F_COUNT; f++)
        if (ld->map[f] == (int)ld->field) {
            size_t n = len < FIELD_MAX - 1 ? len : FIELD_MAX - 1;
            /* Cut on a character boundary. */
            while (n < len && n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
                n--;
            memcpy(ld->value[f], text, n);
            ld->value[f][n] = '\0';
        }
    ld->field++;
}

/* The level of a code_nature: 1xx first degree, 34x-35x collèges,
 * 30x-33x lycées. */
static clasconv_level nature_level(int nature)
{
    if (nature >= 100 && nature < 200)
        return CLASCONV_LEVEL_ELEMENTAIRE;
    if (nature >= 340 && nature < 360)
        return CLASCONV_LEVEL_COLLEGE;
    if (nature >= 300 && nature < 340)
        return CLASCONV_LEVEL_LYCEE;
    return CLASCONV_LEVEL_NONE;
}

static int closed_etat(const char *etat)
{
    char folded[64];

    fold_header(etat, folded, sizeof folded);
    return !strcmp(folded, "ferme") || !strcmp(folded, "fermee") ||
           !strcmp(folded, "fermeture");
}

/* A field as valid UTF-8 (export damaged in transit: U+FFFD). */
static const char *arena_field(clasconv_annuaire *a, const char *text)
{
    const char *out;
    char *clean;

    if (clasconv_utf8_valid(text, strlen(text)))
        return arena_str(a, text);
    clean = clasconv_utf8_repair(text, strlen(text));
    if (!clean)
        return NULL;
    out = arena_str(a, clean);
    free(clean);
    return out;
}

static clasconv_error add_school(loader *ld)
{
    clasconv_annuaire *a = ld->a;
    clasconv_annuaire_school *s;
    clasconv_school_name name;
    const char *proper;
    char fingerprint[FIELD_MAX];
    char uai[CLASCONV_UAI_SIZE];
    clasconv_level level;
    int subtype;

    if (clasconv_uai_parse(ld->value[F_UAI], uai, NULL) ==
        CLASCONV_UAI_MALFORMED) {
        ld->skipped++;
        return CLASCONV_OK;
    }
    if (closed_etat(ld->value[F_ETAT]))
        return CLASCONV_OK;
    if (a->nschools >= CLASCONV_ANNUAIRE_MAX_SCHOOLS) {
        clasconv_diag_set(ld->diag,
                          "L'annuaire « %s » compte plus de %u "
                          "établissements : ce n'est pas un export de "
                          "l'Annuaire de l'éducation.",
                          a->name, CLASCONV_ANNUAIRE_MAX_SCHOOLS);
        return CLASCONV_ERR_TOO_LARGE;
    }
    if (clasconv_grow((void **)&a->schools, &a->schools_cap, a->nschools + 1,
                      sizeof *a->schools, CLASCONV_ANNUAIRE_MAX_SCHOOLS))
        return CLASCONV_ERR_MEMORY;
    s = &a->schools[a->nschools];
    memset(s, 0, sizeof *s);
    memcpy(s->uai, uai, sizeof uai);
    s->nature = atoi(ld->value[F_NATURE]);
    s->name = arena_field(a, ld->value[F_NAME]);
    s->type = arena_field(a, ld->value[F_TYPE]);
    s->nature_label = arena_field(a, ld->value[F_NATURE_LABEL]);
    s->commune_code = arena_field(a, ld->value[F_COMMUNE_CODE]);
    s->commune = arena_field(a, ld->value[F_COMMUNE]);
    s->postal_code = arena_field(a, ld->value[F_POSTAL]);
    if (!s->name || !s->type || !s->nature_label || !s->commune_code ||
        !s->commune || !s->postal_code)
        return CLASCONV_ERR_MEMORY;
    if (clasconv_school_name_normalize(s->name, &name))
        return CLASCONV_ERR_MEMORY;
    s->level = nature_level(s->nature);
    proper = ref_type_split(name.key, &subtype, &level);
    if (subtype == REF_SUBTYPE_NONE)
        subtype = ref_nature_subtype(s->nature);
    s->subtype = subtype;
    if (s->level == CLASCONV_LEVEL_NONE)
        s->level = level;
    ref_fingerprint(proper, fingerprint, sizeof fingerprint);
    s->key = arena_str(a, name.key);
    s->proper = s->key ? s->key + (proper - name.key) : NULL;
    s->fingerprint = arena_str(a, fingerprint);
    s->next = NO_SCHOOL;
    clasconv_school_name_free(&name);
    if (!s->key || !s->fingerprint)
        return CLASCONV_ERR_MEMORY;
    a->nschools++;
    return CLASCONV_OK;
}

static void on_record(int c, void *ctx)
{
    loader *ld = ctx;
    int f;

    (void)c;
    if (ld->err)
        return;
    ld->row++;
    if (!ld->header_done) {
        ld->header_done = 1;
        memset(ld->field_of, -1, sizeof ld->field_of);
        for (f = 0; f < F_COUNT; f++)
            if (ld->map[f] >= 0)
                ld->field_of[ld->map[f]] = (signed char)f;
        if (ld->map[F_UAI] < 0 || ld->map[F_NAME] < 0 ||
            (ld->map[F_COMMUNE] < 0 && ld->map[F_COMMUNE_CODE] < 0)) {
            char missing[256] = "";
            size_t used = 0;
            int want[3] = {F_UAI, F_NAME, F_COMMUNE};
            int k;
            for (k = 0; k < 3; k++)
                if (ld->map[want[k]] < 0)
                    used += (size_t)snprintf(
                        missing + used, sizeof missing - used, "%s%s",
                        used ? ", " : "", field_labels[want[k]]);
            clasconv_diag_set(ld->diag,
                              "« %s » n'est pas un export de l'Annuaire de "
                              "l'éducation : colonne%s %s introuvable%s dans "
                              "la première ligne.",
                              ld->a->name, strchr(missing, ',') ? "s" : "",
                              missing, strchr(missing, ',') ? "s" : "");
            ld->err = CLASCONV_ERR_FORMAT;
        }
    } else {
        ld->err = add_school(ld);
    }
    for (f = 0; f < F_COUNT; f++)
        ld->value[f][0] = '\0';
    ld->field = 0;
}

/* --- Index ------------------------------------------------------------- */

static uint32_t *commune_slot(uint32_t *table, size_t slots,
                              const commune_entry *communes, const char *text,
                              int by_code)
{
    size_t mask = slots - 1, i = (size_t)hash_text(text) & mask;

    for (;;) {
        uint32_t v = table[i];
        const commune_entry *c;
        if (v == 0)
            return &table[i];
        c = &communes[v - 1];
        if (!strcmp(by_code ? c->code : c->key, text))
            return &table[i];
        i = (i + 1) & mask;
    }
}

static clasconv_error build_index(clasconv_annuaire *a)
{
    size_t i;
    char key[512];

    a->commune_slots = slots_for(a->nschools);
    a->uai_slots = slots_for(a->nschools);
    a->communes = malloc((a->nschools + 1) * sizeof *a->communes);
    a->by_name = calloc(a->commune_slots, sizeof *a->by_name);
    a->by_code = calloc(a->commune_slots, sizeof *a->by_code);
    a->by_uai = calloc(a->uai_slots, sizeof *a->by_uai);
    if (!a->communes || !a->by_name || !a->by_code || !a->by_uai)
        return CLASCONV_ERR_MEMORY;
    /* Backwards, so that each commune's list is in file order. */
    for (i = a->nschools; i-- > 0;) {
        clasconv_annuaire_school *s = &a->schools[i];
        uint32_t *slot, *code_slot = NULL;
        commune_entry *c;
        size_t mask = a->uai_slots - 1;
        size_t u = (size_t)hash_text(s->uai) & mask;

        while (a->by_uai[u] != 0 &&
               strcmp(a->schools[a->by_uai[u] - 1].uai, s->uai) != 0)
            u = (u + 1) & mask;
        a->by_uai[u] = (uint32_t)i + 1; /* the first row of a UAI wins */

        if (!ref_commune_key(s->commune, key, sizeof key))
            key[0] = '\0';
        if (!key[0] && !s->commune_code[0])
            continue;
        slot = NULL;
        if (key[0])
            slot =
                commune_slot(a->by_name, a->commune_slots, a->communes, key, 0);
        if (s->commune_code[0])
            code_slot = commune_slot(a->by_code, a->commune_slots, a->communes,
                                     s->commune_code, 1);
        if (slot && *slot)
            c = &a->communes[*slot - 1];
        else if (code_slot && *code_slot)
            c = &a->communes[*code_slot - 1];
        else {
            c = &a->communes[a->ncommunes++];
            c->key = key[0] ? arena_str(a, key) : "";
            c->code = s->commune_code;
            c->first = NO_SCHOOL;
            if (!c->key)
                return CLASCONV_ERR_MEMORY;
        }
        if (slot && !*slot)
            *slot = (uint32_t)(c - a->communes) + 1;
        if (code_slot && !*code_slot)
            *code_slot = (uint32_t)(c - a->communes) + 1;
        s->next = c->first;
        c->first = (uint32_t)i;
    }
    return CLASCONV_OK;
}

/* --- Loading ----------------------------------------------------------- */

static clasconv_annuaire *annuaire_new(const char *name)
{
    clasconv_annuaire *a = calloc(1, sizeof *a);
    const char *slash = name ? strrchr(name, '/') : NULL;

    if (a)
        snprintf(a->name, sizeof a->name, "%s",
                 slash ? slash + 1 : (name ? name : "annuaire"));
    return a;
}

static int sniff_delim(const unsigned char *data, size_t size)
{
    size_t i, semi = 0, comma = 0, tab = 0;

    for (i = 0; i < size && data[i] != '\n' && data[i] != '\r'; i++) {
        semi += data[i] == ';';
        comma += data[i] == ',';
        tab += data[i] == '\t';
    }
    if (tab > semi && tab > comma)
        return '\t';
    if (comma > semi)
        return ',';
    return ';';
}

/* libcsv grows one buffer for the longest field, through this hook
 * (libcsv owns that buffer, so clasconv_grow cannot): a field of a
 * gigabyte must fail, not exhaust memory. */
static void *field_buffer_hook(void *ptr, size_t size)
{
    return clasconv_realloc_capped(ptr, size, FIELD_BUFFER_MAX);
}

typedef struct feeder {
    struct csv_parser parser;
    loader *ld;
    int started;
} feeder;

static clasconv_error feed(feeder *fd, const unsigned char *data, size_t size)
{
    if (!fd->started) {
        if (csv_init(&fd->parser, CSV_STRICT | CSV_STRICT_FINI |
                                      CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) != 0)
            return CLASCONV_ERR_MEMORY;
        csv_set_delim(&fd->parser, (unsigned char)sniff_delim(data, size));
        csv_set_realloc_func(&fd->parser, field_buffer_hook);
        fd->started = 1;
    }
    if (csv_parse(&fd->parser, data, size, on_field, on_record, fd->ld) !=
            size &&
        !fd->ld->err) {
        if (csv_error(&fd->parser) == CSV_ENOMEM) {
            clasconv_diag_set(fd->ld->diag,
                              "L'annuaire « %s » a, vers la ligne %zu, un "
                              "champ de plus de %u Mo : ce n'est pas un "
                              "export de l'Annuaire de l'éducation.",
                              fd->ld->a->name, fd->ld->row + 1,
                              FIELD_BUFFER_MAX >> 20);
            fd->ld->err = CLASCONV_ERR_TOO_LARGE;
        } else {
            clasconv_diag_set(fd->ld->diag,
                              "L'annuaire « %s » est mal formé vers la "
                              "ligne %zu (guillemet mal placé ?).",
                              fd->ld->a->name, fd->ld->row + 1);
            fd->ld->err = CLASCONV_ERR_FORMAT;
        }
    }
    return fd->ld->err;
}

static clasconv_error finish(feeder *fd, clasconv_error err)
{
    loader *ld = fd->ld;

    if (fd->started) {
        if (!err && csv_fini(&fd->parser, on_field, on_record, ld) != 0 &&
            !ld->err) {
            clasconv_diag_set(ld->diag,
                              "L'annuaire « %s » se termine au milieu d'un "
                              "champ entre guillemets.",
                              ld->a->name);
            ld->err = CLASCONV_ERR_FORMAT;
        }
        csv_free(&fd->parser);
        if (!err)
            err = ld->err;
    }
    if (!err && !ld->header_done) {
        clasconv_diag_set(ld->diag, "L'annuaire « %s » est vide.", ld->a->name);
        err = CLASCONV_ERR_FORMAT;
    }
    if (!err)
        err = build_index(ld->a);
    if (err == CLASCONV_ERR_MEMORY)
        clasconv_diag_set(ld->diag,
                          "Mémoire insuffisante pour charger l'annuaire "
                          "« %s ».",
                          ld->a->name);
    return err;
}

static loader *loader_new(clasconv_annuaire *a, clasconv_diag *diag)
{
    loader *ld = calloc(1, sizeof *ld);
    int f;

    if (!ld)
        return NULL;
    ld->a = a;
    ld->diag = diag;
    for (f = 0; f < F_COUNT; f++)
        ld->map[f] = -1;
    return ld;
}

static clasconv_error done(clasconv_annuaire *a, loader *ld, clasconv_error err,
                           clasconv_annuaire **out)
{
    free(ld);
    if (err) {
        clasconv_annuaire_free(a);
        return err;
    }
    *out = a;
    return CLASCONV_OK;
}

clasconv_error clasconv_annuaire_load_memory(const char *name,
                                             const unsigned char *data,
                                             size_t size,
                                             clasconv_annuaire **out,
                                             clasconv_diag *diag)
{
    clasconv_annuaire *a = annuaire_new(name);
    loader *ld = a ? loader_new(a, diag) : NULL;
    feeder fd;
    clasconv_error err = CLASCONV_OK;
    size_t pos = 0;

    *out = NULL;
    clasconv_diag_clear(diag);
    if (!a || !ld) {
        free(a);
        free(ld);
        clasconv_diag_set(diag, "Mémoire insuffisante.");
        return CLASCONV_ERR_MEMORY;
    }
    memset(&fd, 0, sizeof fd);
    fd.ld = ld;
    while (pos < size && !err) {
        size_t piece = size - pos < READ_PIECE ? size - pos : READ_PIECE;
        err = feed(&fd, data + pos, piece);
        pos += piece;
    }
    return done(a, ld, finish(&fd, err), out);
}

clasconv_error clasconv_annuaire_load(const char *path, clasconv_annuaire **out,
                                      clasconv_diag *diag)
{
    clasconv_annuaire *a = annuaire_new(path);
    loader *ld = a ? loader_new(a, diag) : NULL;
    unsigned char *piece = malloc(READ_PIECE);
    feeder fd;
    clasconv_error err = CLASCONV_OK;
    int file;

    *out = NULL;
    clasconv_diag_clear(diag);
    if (!a || !ld || !piece) {
        free(a);
        free(ld);
        free(piece);
        clasconv_diag_set(diag, "Mémoire insuffisante.");
        return CLASCONV_ERR_MEMORY;
    }
    do {
        file = open(path, O_RDONLY | O_CLOEXEC);
    } while (file < 0 && errno == EINTR);
    if (file < 0) {
        /* Reading: worded as load.c words inputs; the core's table
         * speaks of ENOENT as a folder to write into. */
        int e = errno;
        clasconv_diag_set(diag, "Impossible d'ouvrir l'annuaire « %s » : %s.",
                          a->name,
                          e == ENOENT || e == ENOTDIR ? "fichier introuvable"
                          : e == EACCES || e == EPERM ? "accès refusé"
                                                      : clasconv_errno_fr(e));
        free(piece);
        return done(a, ld, CLASCONV_ERR_IO, out);
    }
    memset(&fd, 0, sizeof fd);
    fd.ld = ld;
    for (;;) {
        ssize_t n = read(file, piece, READ_PIECE);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            clasconv_diag_set(diag,
                              "Erreur de lecture de l'annuaire « %s » : %s.",
                              a->name, clasconv_errno_fr(errno));
            err = CLASCONV_ERR_IO;
            break;
        }
        if (n == 0)
            break;
        err = feed(&fd, piece, (size_t)n);
        if (err)
            break;
    }
    close(file);
    free(piece);
    return done(a, ld, finish(&fd, err), out);
}

void clasconv_annuaire_free(clasconv_annuaire *a)
{
    arena_block *b, *next;

    if (!a)
        return;
    for (b = a->blocks; b; b = next) {
        next = b->next;
        free(b);
    }
    free(a->schools);
    free(a->communes);
    free(a->by_name);
    free(a->by_code);
    free(a->by_uai);
    free(a);
}

/* --- Look-ups ---------------------------------------------------------- */

const char *clasconv_annuaire_name(const clasconv_annuaire *a)
{
    return a->name;
}

size_t clasconv_annuaire_count(const clasconv_annuaire *a)
{
    return a->nschools;
}

size_t clasconv_annuaire_communes(const clasconv_annuaire *a)
{
    return a->ncommunes;
}

const clasconv_annuaire_school *
clasconv_annuaire_school_at(const clasconv_annuaire *a, size_t i)
{
    return i < a->nschools ? &a->schools[i] : NULL;
}

const clasconv_annuaire_school *
clasconv_annuaire_find_uai(const clasconv_annuaire *a, const char *text)
{
    char uai[CLASCONV_UAI_SIZE];
    size_t mask, i;

    if (!a->by_uai ||
        clasconv_uai_parse(text, uai, NULL) == CLASCONV_UAI_MALFORMED)
        return NULL;
    mask = a->uai_slots - 1;
    for (i = (size_t)hash_text(uai) & mask; a->by_uai[i] != 0;
         i = (i + 1) & mask)
        if (!strcmp(a->schools[a->by_uai[i] - 1].uai, uai))
            return &a->schools[a->by_uai[i] - 1];
    return NULL;
}

static int insee_code(const char *text)
{
    size_t i;

    for (i = 0; text[i]; i++)
        if (!((text[i] >= '0' && text[i] <= '9') ||
              (i == 1 && (text[i] == 'A' || text[i] == 'B'))))
            return 0;
    return i == 5;
}

uint32_t clasconv_annuaire_commune_first(const clasconv_annuaire *a,
                                         const char *commune)
{
    char key[512];
    uint32_t *slot;

    if (!commune || !a->by_name)
        return NO_SCHOOL;
    if (insee_code(commune)) {
        slot =
            commune_slot(a->by_code, a->commune_slots, a->communes, commune, 1);
        return *slot ? a->communes[*slot - 1].first : NO_SCHOOL;
    }
    if (!ref_commune_key(commune, key, sizeof key) || !key[0])
        return NO_SCHOOL;
    slot = commune_slot(a->by_name, a->commune_slots, a->communes, key, 0);
    return *slot ? a->communes[*slot - 1].first : NO_SCHOOL;
}

clasconv_error clasconv_annuaire_commune_table(const clasconv_annuaire *a,
                                               const char *commune,
                                               clasconv_table **out,
                                               clasconv_diag *diag)
{
    uint32_t first = clasconv_annuaire_commune_first(a, commune);
    clasconv_table *t;
    clasconv_error err = CLASCONV_OK;
    uint32_t i;
    int level;

    *out = NULL;
    if (first == NO_SCHOOL) {
        clasconv_diag_set(diag,
                          "L'annuaire « %s » ne compte aucun établissement "
                          "à « %s ». Vérifiez l'orthographe de la commune "
                          "(ou donnez son code INSEE).",
                          a->name, commune ? commune : "");
        return CLASCONV_ERR_NO_TABLE;
    }
    t = clasconv_table_new();
    if (!t ||
        clasconv_table_set_string(&t->commune, a->schools[first].commune[0]
                                                   ? a->schools[first].commune
                                                   : commune)) {
        clasconv_table_free(t);
        clasconv_diag_set(diag, "Mémoire insuffisante.");
        return CLASCONV_ERR_MEMORY;
    }
    for (level = 0; level < CLASCONV_LEVEL_COUNT && !err; level++)
        for (i = first; i != NO_SCHOOL && !err; i = a->schools[i].next) {
            const clasconv_annuaire_school *s = &a->schools[i];
            clasconv_school_name name;
            clasconv_school *row;
            if ((int)s->level != level)
                continue;
            if (clasconv_school_name_normalize(s->name, &name)) {
                err = CLASCONV_ERR_MEMORY;
                break;
            }
            row = clasconv_table_add_school(t, s->level, name.canonical,
                                            name.key, NULL, NULL);
            if (!row || clasconv_table_set_string(&row->uai, s->uai))
                err = CLASCONV_ERR_MEMORY;
            clasconv_school_name_free(&name);
        }
    if (err) {
        clasconv_table_free(t);
        clasconv_diag_set(diag, "Mémoire insuffisante.");
        return err;
    }
    *out = t;
    return CLASCONV_OK;
}
