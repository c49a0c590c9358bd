/* SPDX-License-Identifier: MIT */
/*
 * Internal interfaces of libpvguest, shared by its files: the error
 * message helper and the decompressors (decompress.c) that image.c uses.
 */
#ifndef PVGUEST_PRIV_H
#define PVGUEST_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "pvguest.h"

/*
 * Formats a message into err[errlen] (if err is not NULL) and returns rc,
 * so that a failure path reads `return pvguest__fail(err, errlen, -EINVAL,
 * "...")`.
 */
int pvguest__fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Largest decompressed output accepted; smaller when fuzzing (so that a
 * run stays within libFuzzer's memory limit) and settable by unit tests.
 */
#ifndef PVGUEST__DECOMP_MAX
#ifdef FUZZING
#define PVGUEST__DECOMP_MAX (32u << 20)
#else
#define PVGUEST__DECOMP_MAX PVGUEST_MAX_IMAGE_BYTES
#endif
#endif

enum pvguest__comp {
    PVGUEST__COMP_NONE,
    PVGUEST__COMP_GZIP,
    PVGUEST__COMP_XZ,
    PVGUEST__COMP_UNSUPPORTED, /* recognised, but not decompressed */
};

/*
 * Recognises a compressed stream by its magic; for an unsupported format
 * *name says which (bzip2, lzma, lzo, lz4, zstd).
 */
enum pvguest__comp pvguest__comp_detect(const uint8_t *p, size_t len,
                                        const char **name);

/*
 * Decompresses a whole gzip or XZ stream of in_len bytes into a new
 * malloc'd buffer (*out, *out_len), refusing output larger than
 * PVGUEST__DECOMP_MAX.  Bytes after the end of the stream (Linux appends
 * the decompressed size to its payloads) are ignored.
 */
int pvguest__decompress(enum pvguest__comp comp, const uint8_t *in,
                        size_t in_len, uint8_t **out, size_t *out_len,
                        char *err, size_t errlen);

/*
 * If data is a bzImage, finds its payload.  Returns 1 with the payload in
 * (*payload, *payload_len), 0 if data is not a bzImage, or a negative
 * errno for a malformed one.
 */
int pvguest__bzimage_payload(const uint8_t *data, size_t len,
                             const uint8_t **payload, size_t *payload_len,
                             char *err, size_t errlen);

#endif /* PVGUEST_PRIV_H */
