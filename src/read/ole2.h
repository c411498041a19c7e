/* ole2.h: a small, bounded reader of OLE2 compound files (private). */
#ifndef CLASCONV_READ_OLE2_H
#define CLASCONV_READ_OLE2_H

#include <stddef.h>
#include <stdint.h>

/** What went wrong while reading a compound file. */
typedef enum clasconv_ole2_status {
    CLASCONV_OLE2_OK = 0,
    CLASCONV_OLE2_NOT_OLE2,  /* no compound-file signature */
    CLASCONV_OLE2_CORRUPT,   /* truncated or inconsistent structure */
    CLASCONV_OLE2_NOT_FOUND, /* no such stream */
    CLASCONV_OLE2_MEMORY,    /* out of memory */
    CLASCONV_OLE2_TOO_LARGE  /* a stream larger than the reader accepts */
} clasconv_ole2_status;

/** Largest stream the reader extracts (bytes). */
#define CLASCONV_OLE2_STREAM_MAX ((size_t)200 << 20)

/** Type of a directory entry. */
#define CLASCONV_OLE2_STORAGE 1
#define CLASCONV_OLE2_STREAM 2
#define CLASCONV_OLE2_ROOT 5

typedef struct clasconv_ole2 clasconv_ole2;

/** Non-zero when `data` starts with the compound-file signature. */
int clasconv_ole2_has_signature(const unsigned char *data, size_t size);

/**
 * Parses the header, the DIFAT, the FAT, the directory and the mini-FAT of
 * the compound file in `data` (borrowed: it must outlive the reader).
 * Every sector index, chain and count is checked against the file size.
 */
clasconv_ole2_status clasconv_ole2_open(const unsigned char *data, size_t size,
                                        clasconv_ole2 **out);

/** Frees a reader (NULL does nothing). */
void clasconv_ole2_free(clasconv_ole2 *ole);

/**
 * Finds a stream or storage named `name` (ASCII, compared without case)
 * among the direct children of the root storage. Returns
 * CLASCONV_OLE2_OK and its directory index, or CLASCONV_OLE2_NOT_FOUND.
 */
clasconv_ole2_status clasconv_ole2_find(const clasconv_ole2 *ole,
                                        const char *name, size_t *index);

/**
 * Reads the whole stream at directory index `index` into a new buffer
 * (caller frees `*data`; NULL when the stream is empty).
 */
clasconv_ole2_status clasconv_ole2_read(const clasconv_ole2 *ole, size_t index,
                                        unsigned char **data, size_t *size);

/** Number of directory entries (for tests). */
size_t clasconv_ole2_entry_count(const clasconv_ole2 *ole);

#endif
