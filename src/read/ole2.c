/* ole2.c: a small, bounded reader of OLE2 compound files (.xls, .doc). */
#include "read/ole2.h"

#include <stdlib.h>
#include <string.h>

#define HEADER_SIZE 512u
#define DIFAT_IN_HEADER 109u
#define DIR_ENTRY_SIZE 128u
#define MINI_SECTOR_SIZE 64u

#define SECT_MAXREG 0xFFFFFFFAu
#define SECT_DIFAT 0xFFFFFFFCu
#define SECT_FAT 0xFFFFFFFDu
#define SECT_END 0xFFFFFFFEu
#define SECT_FREE 0xFFFFFFFFu
#define NO_STREAM 0xFFFFFFFFu

typedef struct ole2_entry {
    char name[32]; /* ASCII rendering of the UTF-16 name, NUL-terminated */
    uint8_t type;
    uint32_t left, right, child;
    uint32_t start;
    uint64_t size;
} ole2_entry;

struct clasconv_ole2 {
    const unsigned char *data;
    size_t size;
    uint32_t sector_size;
    uint32_t nsectors; /* sectors present (the last one may be partial) */
    uint32_t mini_cutoff;
    int major;
    uint32_t *fat;
    uint32_t nfat;
    uint32_t *minifat;
    uint32_t nminifat;
    unsigned char *ministream;
    size_t ministream_size;
    ole2_entry *entries;
    uint32_t nentries;
};

static const unsigned char ole2_signature[8] = {0xD0, 0xCF, 0x11, 0xE0,
                                                0xA1, 0xB1, 0x1A, 0xE1};

static uint16_t get16(const unsigned char *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

int clasconv_ole2_has_signature(const unsigned char *data, size_t size)
{
    return data != NULL && size >= sizeof ole2_signature &&
           memcmp(data, ole2_signature, sizeof ole2_signature) == 0;
}

/* Copies sector `sect` into `dst` (sector_size bytes); the missing tail of
 * a partial last sector reads as zeros. */
static clasconv_ole2_status copy_sector(const clasconv_ole2 *ole, uint32_t sect,
                                        unsigned char *dst)
{
    if (sect >= ole->nsectors) {
        return CLASCONV_OLE2_CORRUPT;
    }
    size_t offset = ((size_t)sect + 1) * ole->sector_size;
    size_t avail = ole->size - offset;
    if (avail >= ole->sector_size) {
        memcpy(dst, ole->data + offset, ole->sector_size);
    } else {
        memcpy(dst, ole->data + offset, avail);
        memset(dst + avail, 0, ole->sector_size - avail);
    }
    return CLASCONV_OLE2_OK;
}

/* Next sector of a FAT chain, or CORRUPT for an index out of range. */
static clasconv_ole2_status fat_next(const clasconv_ole2 *ole, uint32_t sect,
                                     uint32_t *next)
{
    if (sect >= ole->nfat || sect >= ole->nsectors) {
        return CLASCONV_OLE2_CORRUPT;
    }
    *next = ole->fat[sect];
    return CLASCONV_OLE2_OK;
}

/*
 * Reads a FAT chain from `start`. With `want` == UINT64_MAX the chain is
 * read to its end; otherwise exactly `want` bytes are read and a chain
 * shorter than that is corrupt. A bitmap of visited sectors catches cycles.
 */
static clasconv_ole2_status read_chain(const clasconv_ole2 *ole, uint32_t start,
                                       uint64_t want, unsigned char **out,
                                       size_t *out_size)
{
    *out = NULL;
    *out_size = 0;
    uint64_t capacity = (uint64_t)ole->nsectors * ole->sector_size;
    if (want != UINT64_MAX && want > capacity) {
        return CLASCONV_OLE2_CORRUPT;
    }
    if (want == 0) {
        return CLASCONV_OLE2_OK;
    }
    unsigned char *visited = calloc((size_t)ole->nsectors / 8 + 1, 1);
    if (visited == NULL) {
        return CLASCONV_OLE2_MEMORY;
    }
    /* First pass: count the sectors and check the chain. */
    clasconv_ole2_status st = CLASCONV_OLE2_OK;
    uint64_t needed = want == UINT64_MAX
                          ? UINT64_MAX
                          : (want + ole->sector_size - 1) / ole->sector_size;
    uint64_t count = 0;
    uint32_t sect = start;
    while (count < needed && sect != SECT_END) {
        if (sect >= ole->nsectors ||
            (visited[sect / 8] & (1u << (sect % 8))) != 0) {
            st = CLASCONV_OLE2_CORRUPT;
            break;
        }
        visited[sect / 8] =
            (unsigned char)(visited[sect / 8] | (1u << (sect % 8)));
        count++;
        if (count < needed) {
            st = fat_next(ole, sect, &sect);
            if (st != CLASCONV_OLE2_OK) {
                break;
            }
        }
    }
    free(visited);
    if (st != CLASCONV_OLE2_OK) {
        return st;
    }
    if (want != UINT64_MAX && count < needed) {
        return CLASCONV_OLE2_CORRUPT; /* chain ended early */
    }
    if (count == 0) {
        return CLASCONV_OLE2_OK;
    }
    size_t total = (size_t)count * ole->sector_size;
    unsigned char *buf = malloc(total);
    if (buf == NULL) {
        return CLASCONV_OLE2_MEMORY;
    }
    /* Second pass: copy (the chain was checked above). */
    sect = start;
    for (uint64_t i = 0; i < count; i++) {
        st = copy_sector(ole, sect, buf + (size_t)i * ole->sector_size);
        if (st == CLASCONV_OLE2_OK && i + 1 < count) {
            st = fat_next(ole, sect, &sect);
        }
        if (st != CLASCONV_OLE2_OK) {
            free(buf);
            return st;
        }
    }
    *out = buf;
    *out_size = want == UINT64_MAX ? total : (size_t)want;
    return CLASCONV_OLE2_OK;
}

/* Builds the FAT from the header's DIFAT entries and the DIFAT chain. */
static clasconv_ole2_status load_fat(clasconv_ole2 *ole,
                                     const unsigned char *header)
{
    uint32_t nfat_sectors = get32(header + 0x2C);
    if (nfat_sectors == 0 || nfat_sectors > ole->nsectors) {
        return CLASCONV_OLE2_CORRUPT;
    }
    uint32_t per_sector = ole->sector_size / 4;
    ole->nfat = nfat_sectors * per_sector;
    ole->fat = malloc((size_t)ole->nfat * sizeof *ole->fat);
    uint32_t *fat_sectors = malloc((size_t)nfat_sectors * sizeof(uint32_t));
    unsigned char *sector = malloc(ole->sector_size);
    clasconv_ole2_status st = CLASCONV_OLE2_OK;
    if (ole->fat == NULL || fat_sectors == NULL || sector == NULL) {
        st = CLASCONV_OLE2_MEMORY;
        goto done;
    }
    uint32_t have = 0;
    for (uint32_t i = 0; i < DIFAT_IN_HEADER && have < nfat_sectors; i++) {
        fat_sectors[have++] = get32(header + 0x4C + 4 * i);
    }
    /* The DIFAT chain: each sector holds per_sector - 1 entries and the
     * index of the next DIFAT sector. */
    uint32_t difat = get32(header + 0x44);
    uint32_t steps = 0;
    while (have < nfat_sectors) {
        if (difat >= ole->nsectors || ++steps > ole->nsectors) {
            st = CLASCONV_OLE2_CORRUPT;
            goto done;
        }
        st = copy_sector(ole, difat, sector);
        if (st != CLASCONV_OLE2_OK) {
            goto done;
        }
        for (uint32_t i = 0; i + 1 < per_sector && have < nfat_sectors; i++) {
            fat_sectors[have++] = get32(sector + 4 * i);
        }
        difat = get32(sector + 4 * (per_sector - 1));
    }
    for (uint32_t i = 0; i < nfat_sectors; i++) {
        uint32_t *dst = ole->fat + (size_t)i * per_sector;
        if (fat_sectors[i] == SECT_FREE) {
            /* Some writers declare more FAT sectors than they use. */
            for (uint32_t j = 0; j < per_sector; j++) {
                dst[j] = SECT_FREE;
            }
            continue;
        }
        st = copy_sector(ole, fat_sectors[i], sector);
        if (st != CLASCONV_OLE2_OK) {
            goto done;
        }
        for (uint32_t j = 0; j < per_sector; j++) {
            dst[j] = get32(sector + 4 * j);
        }
    }
done:
    free(fat_sectors);
    free(sector);
    return st;
}

static clasconv_ole2_status load_directory(clasconv_ole2 *ole,
                                           const unsigned char *header)
{
    unsigned char *dir = NULL;
    size_t dir_size = 0;
    clasconv_ole2_status st =
        read_chain(ole, get32(header + 0x30), UINT64_MAX, &dir, &dir_size);
    if (st != CLASCONV_OLE2_OK) {
        return st;
    }
    uint32_t n = (uint32_t)(dir_size / DIR_ENTRY_SIZE);
    if (n == 0) {
        free(dir);
        return CLASCONV_OLE2_CORRUPT;
    }
    ole->entries = calloc(n, sizeof *ole->entries);
    if (ole->entries == NULL) {
        free(dir);
        return CLASCONV_OLE2_MEMORY;
    }
    ole->nentries = n;
    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *p = dir + (size_t)i * DIR_ENTRY_SIZE;
        ole2_entry *e = &ole->entries[i];
        uint16_t name_bytes = get16(p + 0x40);
        size_t chars = name_bytes > 64 ? 32 : name_bytes / 2;
        size_t len = 0;
        for (size_t k = 0; k < chars && len < sizeof e->name - 1; k++) {
            uint16_t c = get16(p + 2 * k);
            if (c == 0) {
                break;
            }
            /* Non-ASCII characters never match an ASCII name. */
            e->name[len++] = c < 0x80 ? (char)c : '\x7f';
        }
        e->name[len] = '\0';
        e->type = p[0x42];
        e->left = get32(p + 0x44);
        e->right = get32(p + 0x48);
        e->child = get32(p + 0x4C);
        e->start = get32(p + 0x74);
        e->size = (uint64_t)get32(p + 0x78);
        if (ole->major == 4) {
            e->size |= (uint64_t)get32(p + 0x7C) << 32;
        }
        /* Version 3 files may hold garbage in the high half: ignored. */
    }
    free(dir);
    if (ole->entries[0].type != CLASCONV_OLE2_ROOT) {
        return CLASCONV_OLE2_CORRUPT;
    }
    return CLASCONV_OLE2_OK;
}

static clasconv_ole2_status load_mini(clasconv_ole2 *ole,
                                      const unsigned char *header)
{
    uint32_t start = get32(header + 0x3C);
    if (start != SECT_END && start != SECT_FREE) {
        unsigned char *buf = NULL;
        size_t size = 0;
        clasconv_ole2_status st =
            read_chain(ole, start, UINT64_MAX, &buf, &size);
        if (st != CLASCONV_OLE2_OK) {
            return st;
        }
        ole->nminifat = (uint32_t)(size / 4);
        ole->minifat = malloc((size_t)ole->nminifat * sizeof(uint32_t) + 1);
        if (ole->minifat == NULL) {
            free(buf);
            return CLASCONV_OLE2_MEMORY;
        }
        for (uint32_t i = 0; i < ole->nminifat; i++) {
            ole->minifat[i] = get32(buf + 4 * (size_t)i);
        }
        free(buf);
    }
    const ole2_entry *root = &ole->entries[0];
    if (root->size > 0 && root->start != SECT_END) {
        return read_chain(ole, root->start, root->size, &ole->ministream,
                          &ole->ministream_size);
    }
    return CLASCONV_OLE2_OK;
}

clasconv_ole2_status clasconv_ole2_open(const unsigned char *data, size_t size,
                                        clasconv_ole2 **out)
{
    *out = NULL;
    if (!clasconv_ole2_has_signature(data, size)) {
        return CLASCONV_OLE2_NOT_OLE2;
    }
    if (size < HEADER_SIZE) {
        return CLASCONV_OLE2_CORRUPT;
    }
    const unsigned char *header = data;
    uint16_t shift = get16(header + 0x1E);
    if (get16(header + 0x1C) != 0xFFFE || (shift != 9 && shift != 12) ||
        get16(header + 0x20) != 6) {
        return CLASCONV_OLE2_CORRUPT;
    }
    clasconv_ole2 *ole = calloc(1, sizeof *ole);
    if (ole == NULL) {
        return CLASCONV_OLE2_MEMORY;
    }
    ole->data = data;
    ole->size = size;
    ole->sector_size = 1u << shift;
    ole->major = shift == 12 ? 4 : 3;
    ole->mini_cutoff = get32(header + 0x38);
    if (ole->mini_cutoff != 4096) {
        ole->mini_cutoff = 4096; /* the only value the format allows */
    }
    clasconv_ole2_status st = CLASCONV_OLE2_OK;
    if (size <= ole->sector_size) {
        st = CLASCONV_OLE2_CORRUPT; /* a header and no sector */
        goto fail;
    }
    size_t nsectors =
        (size - ole->sector_size + ole->sector_size - 1) / ole->sector_size;
    ole->nsectors = nsectors > SECT_MAXREG ? SECT_MAXREG : (uint32_t)nsectors;
    st = load_fat(ole, header);
    if (st == CLASCONV_OLE2_OK) {
        st = load_directory(ole, header);
    }
    if (st == CLASCONV_OLE2_OK) {
        st = load_mini(ole, header);
    }
    if (st != CLASCONV_OLE2_OK) {
        goto fail;
    }
    *out = ole;
    return CLASCONV_OLE2_OK;
fail:
    clasconv_ole2_free(ole);
    return st;
}

void clasconv_ole2_free(clasconv_ole2 *ole)
{
    if (ole == NULL) {
        return;
    }
    free(ole->fat);
    free(ole->minifat);
    free(ole->ministream);
    free(ole->entries);
    free(ole);
}

size_t clasconv_ole2_entry_count(const clasconv_ole2 *ole)
{
    return ole == NULL ? 0 : ole->nentries;
}

static int ascii_ieq(const char *a, const char *b)
{
    for (;; a++, b++) {
        char ca = *a >= 'a' && *a <= 'z' ? (char)(*a - 32) : *a;
        char cb = *b >= 'a' && *b <= 'z' ? (char)(*b - 32) : *b;
        if (ca != cb) {
            return 0;
        }
        if (ca == '\0') {
            return 1;
        }
    }
}

clasconv_ole2_status clasconv_ole2_find(const clasconv_ole2 *ole,
                                        const char *name, size_t *index)
{
    /* Walk the root's child tree (left/right siblings) with an explicit
     * stack; a visited map stops cycles in hostile files. */
    uint32_t n = ole->nentries;
    uint32_t *stack = malloc((size_t)n * sizeof *stack);
    unsigned char *visited = calloc(n, 1);
    clasconv_ole2_status st = CLASCONV_OLE2_NOT_FOUND;
    if (stack == NULL || visited == NULL) {
        st = CLASCONV_OLE2_MEMORY;
        goto done;
    }
    size_t top = 0;
    uint32_t first = ole->entries[0].child;
    visited[0] = 1;
    if (first < n) {
        stack[top++] = first;
        visited[first] = 1;
    }
    while (top > 0) {
        uint32_t i = stack[--top];
        const ole2_entry *e = &ole->entries[i];
        if ((e->type == CLASCONV_OLE2_STREAM ||
             e->type == CLASCONV_OLE2_STORAGE) &&
            ascii_ieq(e->name, name)) {
            *index = i;
            st = CLASCONV_OLE2_OK;
            break;
        }
        uint32_t next[2] = {e->left, e->right};
        for (int k = 0; k < 2; k++) {
            if (next[k] < n && !visited[next[k]]) {
                visited[next[k]] = 1;
                stack[top++] = next[k];
            }
        }
    }
done:
    free(stack);
    free(visited);
    return st;
}

/* Reads `size` bytes of a stream stored in the mini stream. */
static clasconv_ole2_status read_mini_chain(const clasconv_ole2 *ole,
                                            uint32_t start, size_t size,
                                            unsigned char **out)
{
    size_t nmini = ole->ministream_size / MINI_SECTOR_SIZE;
    size_t needed = (size + MINI_SECTOR_SIZE - 1) / MINI_SECTOR_SIZE;
    if (size > ole->ministream_size || needed > nmini) {
        return CLASCONV_OLE2_CORRUPT;
    }
    unsigned char *buf = malloc(size);
    unsigned char *visited = calloc(nmini / 8 + 1, 1);
    clasconv_ole2_status st = CLASCONV_OLE2_OK;
    if (buf == NULL || visited == NULL) {
        st = CLASCONV_OLE2_MEMORY;
        goto done;
    }
    uint32_t sect = start;
    for (size_t i = 0; i < needed; i++) {
        if (sect >= nmini || sect >= ole->nminifat ||
            (visited[sect / 8] & (1u << (sect % 8))) != 0) {
            st = CLASCONV_OLE2_CORRUPT;
            goto done;
        }
        visited[sect / 8] =
            (unsigned char)(visited[sect / 8] | (1u << (sect % 8)));
        size_t chunk = size - i * MINI_SECTOR_SIZE;
        if (chunk > MINI_SECTOR_SIZE) {
            chunk = MINI_SECTOR_SIZE;
        }
        memcpy(buf + i * MINI_SECTOR_SIZE,
               ole->ministream + (size_t)sect * MINI_SECTOR_SIZE, chunk);
        sect = ole->minifat[sect];
    }
done:
    free(visited);
    if (st != CLASCONV_OLE2_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    return CLASCONV_OLE2_OK;
}

clasconv_ole2_status clasconv_ole2_read(const clasconv_ole2 *ole, size_t index,
                                        unsigned char **data, size_t *size)
{
    *data = NULL;
    *size = 0;
    if (index >= ole->nentries ||
        ole->entries[index].type != CLASCONV_OLE2_STREAM) {
        return CLASCONV_OLE2_NOT_FOUND;
    }
    const ole2_entry *e = &ole->entries[index];
    if (e->size == 0) {
        return CLASCONV_OLE2_OK;
    }
    if (e->size > (uint64_t)ole->nsectors * ole->sector_size) {
        return CLASCONV_OLE2_CORRUPT; /* larger than the file */
    }
    if (e->size > CLASCONV_OLE2_STREAM_MAX) {
        return CLASCONV_OLE2_TOO_LARGE;
    }
    if (e->size < ole->mini_cutoff) {
        clasconv_ole2_status st =
            read_mini_chain(ole, e->start, (size_t)e->size, data);
        if (st == CLASCONV_OLE2_OK) {
            *size = (size_t)e->size;
        }
        return st;
    }
    return read_chain(ole, e->start, e->size, data, size);
}
