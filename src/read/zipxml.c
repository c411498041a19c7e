/* zipxml.c: zip archives read from memory with hard limits, parts streamed
 * into expat with DOCTYPEs refused. */
#include "read/zipxml.h"

#include <expat.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unzip.h>
#include <zlib.h>

#include "clasconv/buf.h"
#include "clasconv/grid.h"
#include "core/grow.h"

#define CHUNK_SIZE 65536u

/* The archive bytes seen by minizip as a file. */
typedef struct mem_file {
    const unsigned char *data;
    size_t size;
    size_t pos;
} mem_file;

typedef struct zip_entry {
    char *name;
    unz64_file_pos pos;
} zip_entry;

struct clasconv_zip {
    mem_file file;
    unzFile unz;
    zip_entry *entries;
    size_t count;
    uint64_t inflated; /* bytes inflated from this archive so far */
    char *chunk;       /* CHUNK_SIZE bytes */
};

/* --- minizip memory callbacks ------------------------------------------ */

static voidpf ZCALLBACK mem_open(voidpf opaque, const void *filename, int mode)
{
    mem_file *file = opaque;
    (void)filename;
    if ((mode & ZLIB_FILEFUNC_MODE_WRITE) != 0) {
        return NULL;
    }
    file->pos = 0;
    return file;
}

static uLong ZCALLBACK mem_read(voidpf opaque, voidpf stream, void *buf,
                                uLong size)
{
    mem_file *file = stream;
    size_t left;
    size_t n;
    (void)opaque;
    left = file->pos < file->size ? file->size - file->pos : 0;
    n = size < left ? (size_t)size : left;
    if (n > 0) {
        memcpy(buf, file->data + file->pos, n);
        file->pos += n;
    }
    return (uLong)n;
}

static uLong ZCALLBACK mem_write(voidpf opaque, voidpf stream, const void *buf,
                                 uLong size)
{
    (void)opaque;
    (void)stream;
    (void)buf;
    (void)size;
    return 0;
}

static ZPOS64_T ZCALLBACK mem_tell(voidpf opaque, voidpf stream)
{
    mem_file *file = stream;
    (void)opaque;
    return (ZPOS64_T)file->pos;
}

static long ZCALLBACK mem_seek(voidpf opaque, voidpf stream, ZPOS64_T offset,
                               int origin)
{
    mem_file *file = stream;
    uint64_t base;
    (void)opaque;
    switch (origin) {
    case ZLIB_FILEFUNC_SEEK_SET:
        base = 0;
        break;
    case ZLIB_FILEFUNC_SEEK_CUR:
        base = file->pos;
        break;
    case ZLIB_FILEFUNC_SEEK_END:
        base = file->size;
        break;
    default:
        return -1;
    }
    if (offset > (uint64_t)file->size || base + offset > file->size) {
        return -1;
    }
    file->pos = (size_t)(base + offset);
    return 0;
}

static int ZCALLBACK mem_close(voidpf opaque, voidpf stream)
{
    (void)opaque;
    (void)stream;
    return 0;
}

static int ZCALLBACK mem_error(voidpf opaque, voidpf stream)
{
    (void)opaque;
    (void)stream;
    return 0;
}

/* --- Opening ----------------------------------------------------------- */

static clasconv_error damaged(clasconv_diag *diag, clasconv_error err,
                              const char *what)
{
    clasconv_diag_set(diag, "%s%s.%s", CLASCONV_ZIP_DAMAGED, what,
                      CLASCONV_ZIP_RESAVE);
    return err;
}

static clasconv_error refuse_encrypted(clasconv_diag *diag)
{
    clasconv_diag_set(diag,
                      "Le fichier est chiffré (protégé par mot de passe) : "
                      "ouvrez-le, retirez le mot de passe et "
                      "enregistrez-le à nouveau.");
    return CLASCONV_ERR_UNSUPPORTED;
}

/* An entry name safe to quote in a message (ASCII, at most 80 bytes). */
static void printable_name(const char *name, char *out, size_t size)
{
    size_t i;

    for (i = 0; i + 1 < size && i < 80 && name[i] != '\0'; i++) {
        unsigned char c = (unsigned char)name[i];
        out[i] = c >= 0x20 && c < 0x7F ? (char)c : '?';
    }
    out[i] = '\0';
}

/* --- zip64 ------------------------------------------------------------- */

#define ZIP64_MARK 0xFFFFFFFFu

/* Debian's minizip 1.1 leaves 0xFFFFFFFF as the size of a zip64 entry
 * (it does not apply the zip64 extra field): read the real sizes from that
 * field of the current entry's central-directory record, in memory. Returns
 * 1 for a zip64 entry whose sizes are now right, 0 for an ordinary entry,
 * -1 for a zip64 mark without readable sizes. */
static int zip64_sizes(const clasconv_zip *zip, unz_file_info64 *info)
{
    ZPOS64_T record = unzGetOffset64(zip->unz);
    const unsigned char *p;
    size_t name_len, extra_len, at = 0;

    if (info->uncompressed_size != ZIP64_MARK &&
        info->compressed_size != ZIP64_MARK) {
        return 0;
    }
    if (record > zip->file.size || zip->file.size - record < 46) {
        return -1;
    }
    p = zip->file.data + record;
    if (p[0] != 0x50 || p[1] != 0x4B || p[2] != 0x01 || p[3] != 0x02) {
        return -1;
    }
    name_len = p[28] | (size_t)p[29] << 8;
    extra_len = p[30] | (size_t)p[31] << 8;
    if (zip->file.size - record < 46 + name_len + extra_len) {
        return -1;
    }
    p += 46 + name_len;
    while (at + 4 <= extra_len) {
        unsigned id = p[at] | (unsigned)p[at + 1] << 8;
        size_t size = p[at + 2] | (size_t)p[at + 3] << 8;
        const unsigned char *field = p + at + 4;
        size_t used = 0;
        int i;

        if (at + 4 + size > extra_len) {
            return -1;
        }
        if (id == 1) {
            /* the 64-bit values present are those marked in the record,
             * in this order */
            ZPOS64_T *wanted[2];
            int n = 0;
            if (info->uncompressed_size == ZIP64_MARK) {
                wanted[n++] = &info->uncompressed_size;
            }
            if (info->compressed_size == ZIP64_MARK) {
                wanted[n++] = &info->compressed_size;
            }
            for (i = 0; i < n; i++) {
                ZPOS64_T v = 0;
                int b;
                if (used + 8 > size) {
                    return -1;
                }
                for (b = 7; b >= 0; b--) {
                    v = v << 8 | field[used + (size_t)b];
                }
                *wanted[i] = v;
                used += 8;
            }
            return 1;
        }
        at += 4 + size;
    }
    return -1;
}

/* Checks one central-directory entry against the limits. */
static clasconv_error check_entry(const unz_file_info64 *info,
                                  const char *raw_name, uint64_t *declared,
                                  clasconv_diag *diag)
{
    uint64_t size = info->uncompressed_size;
    uint64_t packed = info->compressed_size;
    char name[96];

    printable_name(raw_name, name, sizeof name);

    if ((info->flag & 1u) != 0) {
        return refuse_encrypted(diag);
    }
    if (size > CLASCONV_ZIP_MAX_PART) {
        clasconv_diag_set(diag,
                          "%sla partie « %.200s » annonce %llu octets une "
                          "fois décompressée (limite : %llu Mio).%s",
                          CLASCONV_ZIP_DAMAGED, name, (unsigned long long)size,
                          (unsigned long long)(CLASCONV_ZIP_MAX_PART >> 20),
                          CLASCONV_ZIP_RESAVE);
        return CLASCONV_ERR_TOO_LARGE;
    }
    if (size > CLASCONV_ZIP_RATIO_FLOOR &&
        size / (packed > 0 ? packed : 1) >= CLASCONV_ZIP_MAX_RATIO) {
        clasconv_diag_set(diag,
                          "%sla partie « %.200s » est compressée à plus de "
                          "%u pour 1 (bombe de décompression probable).%s",
                          CLASCONV_ZIP_DAMAGED, name, CLASCONV_ZIP_MAX_RATIO,
                          CLASCONV_ZIP_RESAVE);
        return CLASCONV_ERR_TOO_LARGE;
    }
    *declared += size;
    if (*declared > CLASCONV_ZIP_MAX_DECLARED) {
        clasconv_diag_set(diag,
                          "%sses parties annoncent plus de %llu Mio une fois "
                          "décompressées.%s",
                          CLASCONV_ZIP_DAMAGED,
                          (unsigned long long)(CLASCONV_ZIP_MAX_DECLARED >> 20),
                          CLASCONV_ZIP_RESAVE);
        return CLASCONV_ERR_TOO_LARGE;
    }
    return CLASCONV_OK;
}

/* Walks the central directory once: limits, names and positions. */
static clasconv_error walk_entries(clasconv_zip *zip, clasconv_diag *diag)
{
    unz_global_info64 global;
    uint64_t declared = 0;
    size_t walked = 0;
    char name[CLASCONV_ZIP_MAX_NAME + 1];
    int rc;

    if (unzGetGlobalInfo64(zip->unz, &global) != UNZ_OK) {
        return damaged(diag, CLASCONV_ERR_FORMAT,
                       "son répertoire d'archive est illisible");
    }
    if (global.number_entry > CLASCONV_ZIP_MAX_ENTRIES) {
        clasconv_diag_set(
            diag, "%sl'archive annonce %llu parties (limite : %u).%s",
            CLASCONV_ZIP_DAMAGED, (unsigned long long)global.number_entry,
            CLASCONV_ZIP_MAX_ENTRIES, CLASCONV_ZIP_RESAVE);
        return CLASCONV_ERR_TOO_LARGE;
    }
    zip->entries = calloc(global.number_entry > 0 ? global.number_entry : 1,
                          sizeof *zip->entries);
    if (zip->entries == NULL) {
        return CLASCONV_ERR_MEMORY;
    }
    for (rc = unzGoToFirstFile(zip->unz); rc == UNZ_OK;
         rc = unzGoToNextFile(zip->unz)) {
        unz_file_info64 info;
        clasconv_error err;

        if (walked >= global.number_entry) {
            break;
        }
        walked++;
        if (unzGetCurrentFileInfo64(zip->unz, &info, name, sizeof name, NULL, 0,
                                    NULL, 0) != UNZ_OK) {
            return damaged(diag, CLASCONV_ERR_FORMAT,
                           "une entrée de l'archive est illisible");
        }
        name[sizeof name - 1] = '\0';
        if (zip64_sizes(zip, &info) < 0) {
            return damaged(diag, CLASCONV_ERR_FORMAT,
                           "une entrée zip64 de l'archive est illisible");
        }
        err = check_entry(&info, name, &declared, diag);
        if (err != CLASCONV_OK) {
            return err;
        }
        if (info.size_filename == 0 ||
            info.size_filename > CLASCONV_ZIP_MAX_NAME) {
            continue; /* never looked up: only limits apply */
        }
        zip->entries[zip->count].name = strdup(name);
        if (zip->entries[zip->count].name == NULL) {
            return CLASCONV_ERR_MEMORY;
        }
        if (unzGetFilePos64(zip->unz, &zip->entries[zip->count].pos) !=
            UNZ_OK) {
            free(zip->entries[zip->count].name);
            zip->entries[zip->count].name = NULL;
            return damaged(diag, CLASCONV_ERR_FORMAT,
                           "une entrée de l'archive est illisible");
        }
        zip->count++;
    }
    if (rc != UNZ_OK && rc != UNZ_END_OF_LIST_OF_FILE) {
        return damaged(diag, CLASCONV_ERR_FORMAT,
                       "son répertoire d'archive est tronqué ou abîmé");
    }
    return CLASCONV_OK;
}

clasconv_error clasconv_zip_open(const unsigned char *data, size_t size,
                                 clasconv_zip **out, clasconv_diag *diag)
{
    zlib_filefunc64_def funcs;
    clasconv_zip *zip;
    clasconv_error err;

    *out = NULL;
    zip = calloc(1, sizeof *zip);
    if (zip == NULL) {
        return CLASCONV_ERR_MEMORY;
    }
    zip->file.data = data;
    zip->file.size = size;
    zip->chunk = malloc(CHUNK_SIZE);
    if (zip->chunk == NULL) {
        clasconv_zip_free(zip);
        return CLASCONV_ERR_MEMORY;
    }
    memset(&funcs, 0, sizeof funcs);
    funcs.zopen64_file = mem_open;
    funcs.zread_file = mem_read;
    funcs.zwrite_file = mem_write;
    funcs.ztell64_file = mem_tell;
    funcs.zseek64_file = mem_seek;
    funcs.zclose_file = mem_close;
    funcs.zerror_file = mem_error;
    funcs.opaque = &zip->file;
    zip->unz = unzOpen2_64("memory", &funcs);
    if (zip->unz == NULL) {
        clasconv_zip_free(zip);
        /* No central directory: almost always a file cut off in a copy or
         * a download, not a hostile one. */
        clasconv_diag_set(diag,
                          "Le fichier semble incomplet : il a peut-être été "
                          "mal copié ou envoyé ; redemandez-le à la commune "
                          "(la fin du fichier, qui liste son contenu, "
                          "manque).");
        return CLASCONV_ERR_FORMAT;
    }
    err = walk_entries(zip, diag);
    if (err != CLASCONV_OK) {
        clasconv_zip_free(zip);
        return err;
    }
    *out = zip;
    return CLASCONV_OK;
}

void clasconv_zip_free(clasconv_zip *zip)
{
    size_t i;

    if (zip == NULL) {
        return;
    }
    if (zip->unz != NULL) {
        unzClose(zip->unz);
    }
    if (zip->entries != NULL) {
        for (i = 0; i < zip->count; i++) {
            free(zip->entries[i].name);
        }
        free(zip->entries);
    }
    free(zip->chunk);
    free(zip);
}

size_t clasconv_zip_entry_count(const clasconv_zip *zip)
{
    return zip->count;
}

const char *clasconv_zip_entry_name(const clasconv_zip *zip, size_t index)
{
    return index < zip->count ? zip->entries[index].name : NULL;
}

static int ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* OPC part names: case-insensitive, leading '/' ignored, '\' as '/'. */
static int same_part(const char *a, const char *b)
{
    while (*a == '/' || *a == '\\') {
        a++;
    }
    while (*b == '/' || *b == '\\') {
        b++;
    }
    for (;; a++, b++) {
        int ca = *a == '\\' ? '/' : ascii_lower((unsigned char)*a);
        int cb = *b == '\\' ? '/' : ascii_lower((unsigned char)*b);
        if (ca != cb) {
            return 0;
        }
        if (ca == '\0') {
            return 1;
        }
    }
}

static const zip_entry *find_entry(const clasconv_zip *zip, const char *name)
{
    size_t i;

    for (i = 0; i < zip->count; i++) {
        if (same_part(zip->entries[i].name, name)) {
            return &zip->entries[i];
        }
    }
    return NULL;
}

int clasconv_zip_has(const clasconv_zip *zip, const char *name)
{
    return find_entry(zip, name) != NULL;
}

/* --- Inflating --------------------------------------------------------- */

typedef clasconv_error (*chunk_sink)(void *user, const char *data, size_t len);

static clasconv_error part_failure(clasconv_diag *diag, clasconv_error err,
                                   const char *name, const char *what)
{
    clasconv_diag_set(diag, "%sla partie « %.200s » %s.%s",
                      CLASCONV_ZIP_DAMAGED, name, what, CLASCONV_ZIP_RESAVE);
    return err;
}

/* The current entry, zip64, opened: its data is inflated from memory with
 * the sizes of its zip64 field, the same limits and a CRC check. */
static clasconv_error inflate_zip64(clasconv_zip *zip,
                                    const unz_file_info64 *info,
                                    const char *name, chunk_sink sink,
                                    void *user, clasconv_diag *diag)
{
    ZPOS64_T pos = unzGetCurrentFileZStreamPos64(zip->unz);
    z_stream z;
    uint64_t actual = 0;
    uLong crc = crc32(0L, Z_NULL, 0);
    clasconv_error err = CLASCONV_OK;
    int zrc = Z_OK;

    if (pos == 0 || pos > zip->file.size ||
        info->compressed_size > zip->file.size - pos) {
        return part_failure(diag, CLASCONV_ERR_FORMAT, name, "est tronquée");
    }
    if (info->compression_method == 0 &&
        info->compressed_size != info->uncompressed_size) {
        return part_failure(diag, CLASCONV_ERR_FORMAT, name, "est illisible");
    }
    memset(&z, 0, sizeof z);
    if (info->compression_method != 0 && inflateInit2(&z, -MAX_WBITS) != Z_OK) {
        return CLASCONV_ERR_MEMORY;
    }
    {
        const unsigned char *in = zip->file.data + pos;
        uint64_t left = info->compressed_size;
        while (err == CLASCONV_OK && zrc != Z_STREAM_END) {
            size_t n;
            if (info->compression_method == 0) {
                n = left < CHUNK_SIZE ? (size_t)left : CHUNK_SIZE;
                if (n == 0) {
                    break;
                }
                memcpy(zip->chunk, in, n);
                in += n;
                left -= n;
            } else {
                if (z.avail_in == 0) {
                    uInt take = left < CHUNK_SIZE ? (uInt)left : CHUNK_SIZE;
                    z.next_in = (Bytef *)(uintptr_t)in;
                    z.avail_in = take;
                    in += take;
                    left -= take;
                }
                z.next_out = (Bytef *)zip->chunk;
                z.avail_out = CHUNK_SIZE;
                zrc = inflate(&z, Z_NO_FLUSH);
                if (zrc != Z_OK && zrc != Z_STREAM_END) {
                    err = part_failure(diag, CLASCONV_ERR_FORMAT, name,
                                       "ne se décompresse pas (données "
                                       "abîmées)");
                    break;
                }
                n = CHUNK_SIZE - z.avail_out;
                if (n == 0 && zrc != Z_STREAM_END && z.avail_in == 0 &&
                    left == 0) {
                    err = part_failure(diag, CLASCONV_ERR_FORMAT, name,
                                       "est tronquée");
                    break;
                }
            }
            actual += n;
            zip->inflated += n;
            if (actual > info->uncompressed_size) {
                err = part_failure(diag, CLASCONV_ERR_TOO_LARGE, name,
                                   "se décompresse au-delà de la taille "
                                   "annoncée");
            } else if (actual > CLASCONV_ZIP_MAX_PART ||
                       zip->inflated > CLASCONV_ZIP_MAX_INFLATED) {
                err = part_failure(diag, CLASCONV_ERR_TOO_LARGE, name,
                                   "dépasse la taille décompressée permise");
            } else if (n > 0) {
                crc = crc32(crc, (const Bytef *)zip->chunk, (uInt)n);
                err = sink(user, zip->chunk, n);
            }
        }
    }
    if (info->compression_method != 0) {
        inflateEnd(&z);
    }
    if (err != CLASCONV_OK) {
        return err;
    }
    if (actual != info->uncompressed_size) {
        return part_failure(diag, CLASCONV_ERR_FORMAT, name, "est tronquée");
    }
    if (crc != info->crc) {
        return part_failure(diag, CLASCONV_ERR_FORMAT, name,
                            "a une somme de contrôle (CRC) fausse");
    }
    return CLASCONV_OK;
}

/* Inflates part `name` chunk by chunk into `sink`, counting every byte. */
static clasconv_error stream_part(clasconv_zip *zip, const char *name,
                                  chunk_sink sink, void *user,
                                  clasconv_diag *diag)
{
    const zip_entry *entry = find_entry(zip, name);
    unz_file_info64 info;
    uint64_t actual = 0;
    clasconv_error err = CLASCONV_OK;
    int zip64;
    int n;
    int rc;

    if (entry == NULL) {
        return part_failure(diag, CLASCONV_ERR_FORMAT, name, "manque");
    }
    if (unzGoToFilePos64(zip->unz, &entry->pos) != UNZ_OK ||
        unzGetCurrentFileInfo64(zip->unz, &info, NULL, 0, NULL, 0, NULL, 0) !=
            UNZ_OK) {
        return part_failure(diag, CLASCONV_ERR_FORMAT, name, "est illisible");
    }
    zip64 = zip64_sizes(zip, &info);
    if (zip64 < 0) {
        return part_failure(diag, CLASCONV_ERR_FORMAT, name, "est illisible");
    }
    if ((info.flag & 1u) != 0) {
        return refuse_encrypted(diag);
    }
    if (info.compression_method != 0 && info.compression_method != Z_DEFLATED) {
        clasconv_diag_set(diag,
                          "La partie « %.200s » du fichier est compressée "
                          "par une méthode non prise en charge (%lu) : "
                          "ouvrez le fichier et enregistrez-le à nouveau.",
                          name, (unsigned long)info.compression_method);
        return CLASCONV_ERR_UNSUPPORTED;
    }
    if (unzOpenCurrentFile(zip->unz) != UNZ_OK) {
        return part_failure(diag, CLASCONV_ERR_FORMAT, name, "est illisible");
    }
    if (zip64) {
        /* minizip would read with the 0xFFFFFFFF sizes: inflate here */
        err = inflate_zip64(zip, &info, name, sink, user, diag);
        unzCloseCurrentFile(zip->unz);
        return err;
    }
    for (;;) {
        n = unzReadCurrentFile(zip->unz, zip->chunk, CHUNK_SIZE);
        if (n < 0) {
            err = part_failure(diag, CLASCONV_ERR_FORMAT, name,
                               "ne se décompresse pas (données abîmées)");
            break;
        }
        if (n == 0) {
            break;
        }
        actual += (uint64_t)n;
        zip->inflated += (uint64_t)n;
        if (actual > info.uncompressed_size) {
            err = part_failure(diag, CLASCONV_ERR_TOO_LARGE, name,
                               "se décompresse au-delà de la taille "
                               "annoncée");
            break;
        }
        if (actual > CLASCONV_ZIP_MAX_PART ||
            zip->inflated > CLASCONV_ZIP_MAX_INFLATED) {
            err = part_failure(diag, CLASCONV_ERR_TOO_LARGE, name,
                               "dépasse la taille décompressée permise");
            break;
        }
        err = sink(user, zip->chunk, (size_t)n);
        if (err != CLASCONV_OK) {
            break;
        }
    }
    rc = unzCloseCurrentFile(zip->unz);
    if (err != CLASCONV_OK) {
        return err;
    }
    if (actual != info.uncompressed_size) {
        return part_failure(diag, CLASCONV_ERR_FORMAT, name, "est tronquée");
    }
    if (rc == UNZ_CRCERROR) {
        return part_failure(diag, CLASCONV_ERR_FORMAT, name,
                            "a une somme de contrôle (CRC) fausse");
    }
    if (rc != UNZ_OK) {
        return part_failure(diag, CLASCONV_ERR_FORMAT, name, "est illisible");
    }
    return CLASCONV_OK;
}

typedef struct whole_part {
    clasconv_buf buf;
    size_t max;
    const char *name;
    clasconv_diag *diag;
} whole_part;

static clasconv_error whole_sink(void *user, const char *data, size_t len)
{
    whole_part *part = user;

    clasconv_error err = CLASCONV_ERR_TOO_LARGE;

    if (len > part->max - part->buf.len ||
        (err = clasconv_buf_append(&part->buf, data, len)) ==
            CLASCONV_ERR_TOO_LARGE) {
        clasconv_diag_set(
            part->diag, "%sla partie « %.200s » dépasse %zu octets.%s",
            CLASCONV_ZIP_DAMAGED, part->name, part->max, CLASCONV_ZIP_RESAVE);
        return CLASCONV_ERR_TOO_LARGE;
    }
    return err;
}

clasconv_error clasconv_zip_read(clasconv_zip *zip, const char *name,
                                 size_t max, char **data, size_t *len,
                                 clasconv_diag *diag)
{
    whole_part part;
    clasconv_error err;

    memset(&part, 0, sizeof part);
    part.max = max;
    part.name = name;
    part.diag = diag;
    *data = NULL;
    *len = 0;
    err = stream_part(zip, name, whole_sink, &part, diag);
    if (err != CLASCONV_OK) {
        clasconv_buf_free(&part.buf);
        return err;
    }
    *len = part.buf.len;
    *data = clasconv_buf_detach(&part.buf); /* "" for an empty part */
    if (*data == NULL) {
        return CLASCONV_ERR_MEMORY;
    }
    return CLASCONV_OK;
}

/* --- XML --------------------------------------------------------------- */

typedef struct xml_run {
    XML_Parser parser;
    const clasconv_xml_handler *handler;
    const char *part;
    clasconv_diag *diag;
    clasconv_error err;
    unsigned depth;
    uint64_t fed; /* bytes given to expat so far */
} xml_run;

static void xml_fail(xml_run *run, clasconv_error err)
{
    if (run->err == CLASCONV_OK) {
        run->err = err;
    }
    XML_StopParser(run->parser, XML_FALSE);
}

static void XMLCALL on_start(void *user, const XML_Char *name,
                             const XML_Char **attrs)
{
    xml_run *run = user;
    clasconv_error err;

    if (run->err != CLASCONV_OK) {
        return;
    }
    if (++run->depth > CLASCONV_XML_MAX_DEPTH) {
        part_failure(run->diag, CLASCONV_ERR_FORMAT, run->part,
                     "imbrique trop d'éléments XML");
        xml_fail(run, CLASCONV_ERR_FORMAT);
        return;
    }
    if (run->handler->start != NULL) {
        err = run->handler->start(run->handler->user, name, attrs);
        if (err != CLASCONV_OK) {
            xml_fail(run, err);
        }
    }
}

static void XMLCALL on_end(void *user, const XML_Char *name)
{
    xml_run *run = user;
    clasconv_error err;

    if (run->err != CLASCONV_OK) {
        return;
    }
    run->depth--;
    if (run->handler->end != NULL) {
        err = run->handler->end(run->handler->user, name);
        if (err != CLASCONV_OK) {
            xml_fail(run, err);
        }
    }
}

static void XMLCALL on_text(void *user, const XML_Char *text, int len)
{
    xml_run *run = user;
    clasconv_error err;

    if (run->err != CLASCONV_OK || len <= 0) {
        return;
    }
    if (run->handler->text != NULL) {
        err = run->handler->text(run->handler->user, text, (size_t)len);
        if (err != CLASCONV_OK) {
            xml_fail(run, err);
        }
    }
}

static void XMLCALL on_doctype(void *user, const XML_Char *name,
                               const XML_Char *sysid, const XML_Char *pubid,
                               int has_internal_subset)
{
    xml_run *run = user;
    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal_subset;
    part_failure(run->diag, CLASCONV_ERR_FORMAT, run->part,
                 "contient une déclaration DOCTYPE, que ce format "
                 "n'utilise jamais");
    xml_fail(run, CLASCONV_ERR_FORMAT);
}

static void XMLCALL on_entity_decl(void *user, const XML_Char *name,
                                   int is_parameter, const XML_Char *value,
                                   int value_length, const XML_Char *base,
                                   const XML_Char *sysid, const XML_Char *pubid,
                                   const XML_Char *notation)
{
    xml_run *run = user;
    (void)name;
    (void)is_parameter;
    (void)value;
    (void)value_length;
    (void)base;
    (void)sysid;
    (void)pubid;
    (void)notation;
    part_failure(run->diag, CLASCONV_ERR_FORMAT, run->part,
                 "déclare des entités XML");
    xml_fail(run, CLASCONV_ERR_FORMAT);
}

static int XMLCALL on_external_entity(XML_Parser parser,
                                      const XML_Char *context,
                                      const XML_Char *base,
                                      const XML_Char *sysid,
                                      const XML_Char *pubid)
{
    (void)parser;
    (void)context;
    (void)base;
    (void)sysid;
    (void)pubid;
    return XML_STATUS_ERROR; /* never load anything */
}

static clasconv_error xml_sink(void *user, const char *data, size_t len)
{
    xml_run *run = user;

    XML_Index parsed;

    if (XML_Parse(run->parser, data, (int)len, XML_FALSE) != XML_STATUS_OK) {
        return CLASCONV_ERR_FORMAT;
    }
    run->fed += len;
    /* What expat holds back is the unfinished token it will rescan on the
     * next call: bound it (see CLASCONV_XML_MAX_TOKEN). */
    parsed = XML_GetCurrentByteIndex(run->parser);
    if (parsed >= 0 && run->fed - (uint64_t)parsed > CLASCONV_XML_MAX_TOKEN) {
        clasconv_diag_set(run->diag,
                          "%sla partie « %.200s » contient un élément XML "
                          "d'un seul tenant (balise, attribut, commentaire "
                          "ou instruction) de plus de %llu Mio, ce qu'aucun "
                          "tableur n'écrit.%s",
                          CLASCONV_ZIP_DAMAGED, run->part,
                          (unsigned long long)(CLASCONV_XML_MAX_TOKEN >> 20),
                          CLASCONV_ZIP_RESAVE);
        return CLASCONV_ERR_TOO_LARGE;
    }
    return CLASCONV_OK;
}

/* The one parser set-up of every XML part: namespaces split on '|', no
 * DOCTYPE, no entity declarations, no external or parameter entities.
 * NULL when out of memory. */
static XML_Parser xml_parser_new(xml_run *run)
{
    XML_Parser parser = XML_ParserCreateNS(NULL, '|');

    if (parser == NULL)
        return NULL;
    XML_SetUserData(parser, run);
    XML_SetElementHandler(parser, on_start, on_end);
    XML_SetCharacterDataHandler(parser, on_text);
    XML_SetStartDoctypeDeclHandler(parser, on_doctype);
    XML_SetEntityDeclHandler(parser, on_entity_decl);
    XML_SetExternalEntityRefHandler(parser, on_external_entity);
    XML_SetParamEntityParsing(parser, XML_PARAM_ENTITY_PARSING_NEVER);
    return parser;
}

clasconv_error clasconv_zip_parse_xml(clasconv_zip *zip, const char *name,
                                      const clasconv_xml_handler *handler,
                                      clasconv_diag *diag)
{
    xml_run run;
    clasconv_error err;

    memset(&run, 0, sizeof run);
    run.handler = handler;
    run.part = name;
    run.diag = diag;
    if (find_entry(zip, name) == NULL) {
        return part_failure(diag, CLASCONV_ERR_FORMAT, name, "manque");
    }
    run.parser = xml_parser_new(&run);
    if (run.parser == NULL) {
        return CLASCONV_ERR_MEMORY;
    }

    err = stream_part(zip, name, xml_sink, &run, diag);
    if (err == CLASCONV_OK &&
        XML_Parse(run.parser, NULL, 0, XML_TRUE) != XML_STATUS_OK) {
        err = CLASCONV_ERR_FORMAT;
    }
    if (run.err != CLASCONV_OK) {
        err = run.err; /* a handler or a limit stopped the parse */
    } else if (err == CLASCONV_ERR_FORMAT &&
               XML_GetErrorCode(run.parser) != XML_ERROR_NONE) {
        clasconv_diag_set(diag,
                          "%sle XML de la partie « %.200s » est invalide "
                          "(ligne %lu).%s",
                          CLASCONV_ZIP_DAMAGED, name,
                          (unsigned long)XML_GetCurrentLineNumber(run.parser),
                          CLASCONV_ZIP_RESAVE);
    }
    XML_ParserFree(run.parser);
    return err;
}

clasconv_error clasconv_xml_parse_memory(const char *data, size_t len,
                                         const char *what,
                                         const clasconv_xml_handler *handler,
                                         clasconv_diag *diag)
{
    xml_run run;
    clasconv_error err = CLASCONV_OK;
    size_t pos = 0;

    memset(&run, 0, sizeof run);
    run.handler = handler;
    run.part = what;
    run.diag = diag;
    run.parser = xml_parser_new(&run);
    if (run.parser == NULL) {
        return CLASCONV_ERR_MEMORY;
    }
    do {
        size_t chunk =
            len - pos < ((size_t)1 << 20) ? len - pos : ((size_t)1 << 20);
        int final = pos + chunk == len;
        if (XML_Parse(run.parser, data + pos, (int)chunk,
                      final ? XML_TRUE : XML_FALSE) != XML_STATUS_OK) {
            err = CLASCONV_ERR_FORMAT;
        }
        pos += chunk;
    } while (err == CLASCONV_OK && run.err == CLASCONV_OK && pos < len);
    if (run.err != CLASCONV_OK) {
        err = run.err;
    } else if (err == CLASCONV_ERR_FORMAT) {
        clasconv_diag_set(diag,
                          "%sle XML de « %.200s » est invalide (ligne %lu).%s",
                          CLASCONV_ZIP_DAMAGED, what,
                          (unsigned long)XML_GetCurrentLineNumber(run.parser),
                          CLASCONV_ZIP_RESAVE);
    }
    XML_ParserFree(run.parser);
    return err;
}

const char *clasconv_xml_local(const char *name)
{
    const char *bar = strrchr(name, '|');
    return bar != NULL ? bar + 1 : name;
}

static int ns_matches(const char *name, const char *ns, const char *local)
{
    const char *bar = strrchr(name, '|');
    size_t ns_len;
    size_t want;

    if (strcmp(bar != NULL ? bar + 1 : name, local) != 0) {
        return 0;
    }
    if (ns == NULL) {
        return 1;
    }
    if (bar == NULL) {
        return 0;
    }
    ns_len = (size_t)(bar - name);
    want = strlen(ns);
    return ns_len >= want && memcmp(bar - want, ns, want) == 0;
}

int clasconv_xml_is(const char *name, const char *ns, const char *local)
{
    return ns_matches(name, ns, local);
}

const char *clasconv_xml_attr(const char **attrs, const char *local)
{
    return clasconv_xml_attr_ns(attrs, NULL, local);
}

const char *clasconv_xml_attr_ns(const char **attrs, const char *ns,
                                 const char *local)
{
    size_t i;

    for (i = 0; attrs[i] != NULL && attrs[i + 1] != NULL; i += 2) {
        if (ns_matches(attrs[i], ns, local)) {
            return attrs[i + 1];
        }
    }
    return NULL;
}

/* --- Capped text ------------------------------------------------------- */

static size_t text_limit(const clasconv_text *text)
{
    return text->limit > 0 ? text->limit : 32767u;
}

/* Room for `need` bytes and the NUL; the capacity follows from the length
 * (core/grow.h): only this function allocates `data`. */
static clasconv_error text_reserve(clasconv_text *text, size_t need)
{
    if (clasconv_grow_count((void **)&text->data,
                            text->data != NULL ? text->len + 1 : 0, need + 1, 1,
                            SIZE_MAX) != CLASCONV_OK) {
        return CLASCONV_ERR_MEMORY;
    }
    return CLASCONV_OK;
}

clasconv_error clasconv_text_append(clasconv_text *text, const char *data,
                                    size_t len)
{
    size_t room = text_limit(text) - text->len;
    clasconv_error err;

    if (len > room) {
        len = room;
        text->truncated = 1;
    }
    if (len == 0) {
        return CLASCONV_OK;
    }
    err = text_reserve(text, text->len + len);
    if (err != CLASCONV_OK) {
        return err;
    }
    memcpy(text->data + text->len, data, len);
    text->len += len;
    text->data[text->len] = '\0';
    return CLASCONV_OK;
}

clasconv_error clasconv_text_repeat(clasconv_text *text, char c, uint64_t count)
{
    size_t room = text_limit(text) - text->len;
    size_t len = (size_t)(count < room ? count : room);
    clasconv_error err;

    if (count > room) {
        text->truncated = 1;
    }
    if (len == 0) {
        return CLASCONV_OK;
    }
    err = text_reserve(text, text->len + len);
    if (err != CLASCONV_OK) {
        return err;
    }
    memset(text->data + text->len, c, len);
    text->len += len;
    text->data[text->len] = '\0';
    return CLASCONV_OK;
}

void clasconv_text_reset(clasconv_text *text)
{
    text->len = 0;
    text->truncated = 0;
    if (text->data != NULL) {
        text->data[0] = '\0';
    }
}

void clasconv_text_free(clasconv_text *text)
{
    free(text->data);
    text->data = NULL;
    text->len = 0;
    text->truncated = 0;
}

const char *clasconv_text_str(clasconv_text *text)
{
    if (text->data == NULL) {
        return "";
    }
    if (text->truncated && text->len > 0) {
        /* Drop a character cut by the limit. */
        size_t start = text->len;
        size_t back = 0;
        unsigned char lead;
        size_t need;

        while (start > 0 && back < 4 &&
               ((unsigned char)text->data[start - 1] & 0xC0u) == 0x80u) {
            start--;
            back++;
        }
        if (start > 0) {
            lead = (unsigned char)text->data[start - 1];
            need = lead >= 0xF0u   ? 4
                   : lead >= 0xE0u ? 3
                   : lead >= 0xC0u ? 2
                                   : 1;
            if (need != back + 1) {
                text->len = start - 1;
            }
        }
        text->data[text->len] = '\0';
    }
    return text->data;
}

/* --- Paths and numbers ------------------------------------------------- */

int clasconv_zip_resolve(const char *base, const char *target, char *out,
                         size_t size)
{
    char joined[2 * CLASCONV_ZIP_MAX_NAME + 2];
    const char *slash;
    size_t dir_len = 0;
    size_t len = 0;
    size_t i;
    const char *seg;

    if (size == 0 || target[0] == '\0') {
        return 0;
    }
    if (target[0] == '/' || target[0] == '\\') {
        joined[0] = '\0';
        if (strlen(target) >= sizeof joined) {
            return 0;
        }
        strcpy(joined, target + 1);
    } else {
        slash = strrchr(base, '/');
        dir_len = slash != NULL ? (size_t)(slash - base) + 1 : 0;
        if (dir_len + strlen(target) >= sizeof joined) {
            return 0;
        }
        memcpy(joined, base, dir_len);
        strcpy(joined + dir_len, target);
    }
    for (i = 0; joined[i] != '\0'; i++) {
        if (joined[i] == '\\') {
            joined[i] = '/';
        }
    }
    /* Normalize "." and ".." segments into out. */
    out[0] = '\0';
    seg = joined;
    while (*seg != '\0') {
        const char *end = strchr(seg, '/');
        size_t seg_len = end != NULL ? (size_t)(end - seg) : strlen(seg);

        if (seg_len == 0 || (seg_len == 1 && seg[0] == '.')) {
            /* skip */
        } else if (seg_len == 2 && seg[0] == '.' && seg[1] == '.') {
            if (len == 0) {
                return 0;
            }
            while (len > 0 && out[len - 1] != '/') {
                len--;
            }
            if (len > 0) {
                len--; /* the '/' before the dropped segment */
            }
            out[len] = '\0';
        } else {
            size_t need = len + (len > 0 ? 1 : 0) + seg_len;
            if (need + 1 > size) {
                return 0;
            }
            if (len > 0) {
                out[len++] = '/';
            }
            memcpy(out + len, seg, seg_len);
            len += seg_len;
            out[len] = '\0';
        }
        seg += seg_len;
        if (*seg == '/') {
            seg++;
        }
    }
    return len > 0;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int clasconv_xml_number(const char *text, double *value)
{
    static const double powers[] = {
        1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = text;
    const char *start;
    const char *end;
    uint64_t mantissa = 0;
    int digits = 0;
    int significant = 0;
    int negative = 0;
    long exp10 = 0;
    long exp_part = 0;
    int exp_negative = 0;
    double result;
    char copy[128];

    while (is_blank(*p)) {
        p++;
    }
    start = p;
    if (*p == '-' || *p == '+') {
        negative = *p == '-';
        p++;
    }
    for (; *p >= '0' && *p <= '9'; p++) {
        digits++;
        if (significant > 0 || *p != '0') {
            significant++;
        }
        if (significant <= 18) {
            mantissa = mantissa * 10u + (uint64_t)(*p - '0');
        } else {
            exp10++;
        }
    }
    if (*p == '.') {
        p++;
        for (; *p >= '0' && *p <= '9'; p++) {
            digits++;
            if (significant > 0 || *p != '0') {
                significant++;
            }
            if (significant <= 18) {
                mantissa = mantissa * 10u + (uint64_t)(*p - '0');
                exp10--;
            }
        }
    }
    if (digits == 0) {
        return 0;
    }
    if (*p == 'e' || *p == 'E') {
        int exp_digits = 0;
        p++;
        if (*p == '-' || *p == '+') {
            exp_negative = *p == '-';
            p++;
        }
        for (; *p >= '0' && *p <= '9'; p++) {
            exp_digits++;
            if (exp_part < 100000) {
                exp_part = exp_part * 10 + (*p - '0');
            }
        }
        if (exp_digits == 0) {
            return 0;
        }
    }
    end = p;
    while (is_blank(*p)) {
        p++;
    }
    if (*p != '\0') {
        return 0;
    }
    exp10 += exp_negative ? -exp_part : exp_part;
    if (significant <= 15 && exp10 >= -22 && exp10 <= 22) {
        /* Exact mantissa and power: one correctly rounded operation. */
        result = (double)mantissa;
        result = exp10 >= 0 ? result * powers[exp10] : result / powers[-exp10];
    } else {
        /* Rare: let strtod round, in the C locale. */
        locale_t c_locale;
        locale_t previous;
        size_t len = (size_t)(end - start);

        if (len >= sizeof copy) {
            return 0;
        }
        memcpy(copy, start, len);
        copy[len] = '\0';
        c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
        if (c_locale == (locale_t)0) {
            return 0;
        }
        previous = uselocale(c_locale);
        result = strtod(copy, NULL);
        uselocale(previous);
        freelocale(c_locale);
        if (result < 0) {
            result = -result; /* the sign is applied below */
        }
    }
    if (negative) {
        result = -result;
    }
    if (!isfinite(result)) {
        return 0;
    }
    *value = result;
    return 1;
}

/* --- Relationships ----------------------------------------------------- */

typedef struct rel_search {
    const char *base;
    const char *type_suffix;
    char *out;
    size_t size;
    int found;
} rel_search;

int clasconv_str_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s);
    size_t m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static clasconv_error rel_start(void *user, const char *name,
                                const char **attrs)
{
    rel_search *search = user;
    const char *type;
    const char *target;
    const char *mode;

    if (search->found || !clasconv_xml_is(name, NULL, "Relationship")) {
        return CLASCONV_OK;
    }
    type = clasconv_xml_attr(attrs, "Type");
    target = clasconv_xml_attr(attrs, "Target");
    mode = clasconv_xml_attr(attrs, "TargetMode");
    if (type == NULL || target == NULL ||
        !clasconv_str_ends_with(type, search->type_suffix) ||
        (mode != NULL && strcmp(mode, "External") == 0)) {
        return CLASCONV_OK;
    }
    if (clasconv_zip_resolve(search->base, target, search->out, search->size)) {
        search->found = 1;
    }
    return CLASCONV_OK;
}

clasconv_error clasconv_zip_rel_target(clasconv_zip *zip, const char *rels,
                                       const char *base,
                                       const char *type_suffix, char *out,
                                       size_t size, clasconv_diag *diag)
{
    rel_search search;
    clasconv_xml_handler handler;
    clasconv_error err;

    out[0] = '\0';
    if (!clasconv_zip_has(zip, rels)) {
        return CLASCONV_OK;
    }
    memset(&search, 0, sizeof search);
    search.base = base;
    search.type_suffix = type_suffix;
    search.out = out;
    search.size = size;
    memset(&handler, 0, sizeof handler);
    handler.start = rel_start;
    handler.user = &search;
    err = clasconv_zip_parse_xml(zip, rels, &handler, diag);
    if (err != CLASCONV_OK) {
        out[0] = '\0';
        return err;
    }
    if (!search.found) {
        out[0] = '\0';
    }
    return CLASCONV_OK;
}

clasconv_error clasconv_zip_too_many_sheets(clasconv_diag *diag)
{
    clasconv_diag_set(diag,
                      "Le fichier est trop grand pour être lu : il a plus "
                      "de %u feuilles (ou tableaux), la limite de l'outil. "
                      "Gardez seulement la feuille du tableau des "
                      "dispositifs et enregistrez le fichier à nouveau.",
                      CLASCONV_GRID_MAX_SHEETS);
    return CLASCONV_ERR_TOO_LARGE;
}

clasconv_error clasconv_zip_sheet_failure(clasconv_diag *diag,
                                          clasconv_error err,
                                          const clasconv_grid *grid,
                                          const char *sheet)
{
    if (err == CLASCONV_ERR_TOO_LARGE &&
        clasconv_grid_sheet_count(grid) >= CLASCONV_GRID_MAX_SHEETS) {
        return clasconv_zip_too_many_sheets(diag);
    }
    return clasconv_zip_grid_failure(diag, err, sheet);
}

clasconv_error clasconv_zip_add_merge(clasconv_sheet *sheet, const char *name,
                                      uint32_t r1, uint32_t c1, uint32_t r2,
                                      uint32_t c2, clasconv_diag *diag)
{
    clasconv_merge merge;
    clasconv_error err;

    merge.first_row = r1;
    merge.first_col = c1;
    merge.last_row = r2;
    merge.last_col = c2;
    err = clasconv_sheet_add_merge(sheet, merge);
    if (err != CLASCONV_OK) {
        return clasconv_zip_grid_failure(diag, err, name);
    }
    return CLASCONV_OK;
}

clasconv_error clasconv_zip_nested_sheet(clasconv_grid *grid,
                                         const char *parent, uint32_t number,
                                         uint32_t table_no, char *name,
                                         size_t size, clasconv_sheet **sheet,
                                         clasconv_diag *diag)
{
    clasconv_error err = CLASCONV_OK;
    int n = snprintf(name, size, "%s.%u", parent, (unsigned)number);

    *sheet = NULL;
    if (n < 0 || (size_t)n >= size) {
        return clasconv_zip_too_many_sheets(diag); /* not reached */
    }
    *sheet =
        clasconv_grid_add_sheet(grid, name, CLASCONV_REF_WORD, table_no, &err);
    if (*sheet == NULL) {
        return clasconv_zip_sheet_failure(diag, err, grid, name);
    }
    return CLASCONV_OK;
}

clasconv_error clasconv_zip_grid_failure(clasconv_diag *diag,
                                         clasconv_error err, const char *sheet)
{
    switch (err) {
    case CLASCONV_ERR_TOO_LARGE:
        clasconv_diag_set(diag,
                          "Le fichier est trop grand pour être lu : la "
                          "feuille « %.100s » dépasse les limites de "
                          "l'outil (%u lignes, %u colonnes, %u cellules). "
                          "Gardez seulement le tableau des dispositifs et "
                          "enregistrez le fichier à nouveau.",
                          sheet != NULL ? sheet : "?", CLASCONV_GRID_MAX_ROWS,
                          CLASCONV_GRID_MAX_COLS, CLASCONV_GRID_MAX_CELLS);
        break;
    case CLASCONV_ERR_MEMORY:
        clasconv_diag_set(diag, "Mémoire insuffisante pour lire le fichier.");
        break;
    case CLASCONV_ERR_FORMAT:
        clasconv_diag_set(diag,
                          "%sla feuille « %.100s » contient une valeur "
                          "illisible.%s",
                          CLASCONV_ZIP_DAMAGED, sheet != NULL ? sheet : "?",
                          CLASCONV_ZIP_RESAVE);
        break;
    default:
        break;
    }
    return err;
}
