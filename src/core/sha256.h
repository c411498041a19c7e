/* sha256.h: SHA-256 of a byte buffer (FIPS 180-4), for the Source sheet. */
#ifndef CLASCONV_CORE_SHA256_H
#define CLASCONV_CORE_SHA256_H

#include <stddef.h>

#include <stdint.h>

/** An incremental SHA-256 computation. */
typedef struct clasconv_sha256 {
    uint32_t h[8];
    unsigned char block[64];
    size_t used;    /* bytes in block */
    uint64_t total; /* bytes hashed */
} clasconv_sha256;

void clasconv_sha256_init(clasconv_sha256 *ctx);
void clasconv_sha256_update(clasconv_sha256 *ctx, const unsigned char *data,
                            size_t size);
/** Finishes and writes 64 lowercase hex digits + NUL. */
void clasconv_sha256_final_hex(clasconv_sha256 *ctx, char out[65]);

/** Writes the SHA-256 of data[0..size) as 64 lowercase hex digits + NUL. */
void clasconv_sha256_hex(const unsigned char *data, size_t size, char out[65]);

#endif
