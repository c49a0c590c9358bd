/* SPDX-License-Identifier: MIT */
/*
 * Unwrapping kernels: the bzImage container (Linux boot protocol >= 2.08,
 * Documentation/arch/x86/boot.rst) and the gzip (zlib) and XZ (liblzma)
 * decompressors.  All input here is untrusted: every offset is checked
 * against the buffer, and output is bounded by PVGUEST__DECOMP_MAX.
 *
 * Linux compresses vmlinux with `xz --check=crc32 --x86 --lzma2` (the x86
 * BCJ filter then LZMA2), which liblzma's stream decoder handles, and
 * appends the decompressed size as 4 little-endian bytes after the stream.
 * That trailer is used as a first guess of the output size, never trusted.
 */
#include <errno.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "pvguest_priv.h"

/* Setup header fields (boot.rst), as offsets into the file. */
#define BZ_SETUP_SECTS    0x1f1
#define BZ_HEADER         0x202 /* "HdrS" */
#define BZ_VERSION        0x206
#define BZ_PAYLOAD_OFFSET 0x248
#define BZ_PAYLOAD_LENGTH 0x24c
#define BZ_HDR_END        0x250
#define BZ_MIN_VERSION    0x0208 /* first protocol with payload fields */

/* The XZ decoder's memory limit: Linux uses a 32 MiB dictionary. */
#define XZ_MEMLIMIT (64u << 20)

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint16_t get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

enum pvguest__comp pvguest__comp_detect(const uint8_t *p, size_t len,
                                        const char **name)
{
    static const struct {
        const char *magic;
        size_t len;
        enum pvguest__comp comp;
        const char *name;
    } magics[] = {
        {"\037\213", 2, PVGUEST__COMP_GZIP, "gzip"},
        {"\3757zXZ\0", 6, PVGUEST__COMP_XZ, "xz"},
        {"BZh", 3, PVGUEST__COMP_UNSUPPORTED, "bzip2"},
        {"\x28\xb5\x2f\xfd", 4, PVGUEST__COMP_UNSUPPORTED, "zstd"},
        {"\x89LZO", 4, PVGUEST__COMP_UNSUPPORTED, "lzo"},
        {"\x02\x21", 2, PVGUEST__COMP_UNSUPPORTED, "lz4"},
        {"\x5d\x00", 2, PVGUEST__COMP_UNSUPPORTED, "lzma"},
    };

    *name = NULL;
    for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
        if (len >= magics[i].len &&
            memcmp(p, magics[i].magic, magics[i].len) == 0) {
            *name = magics[i].name;
            return magics[i].comp;
        }
    }
    return PVGUEST__COMP_NONE;
}

int pvguest__bzimage_payload(const uint8_t *data, size_t len,
                             const uint8_t **payload, size_t *payload_len,
                             char *err, size_t errlen)
{
    uint64_t setup_sects, off, plen;
    uint16_t version;

    if (len < BZ_HDR_END || memcmp(data + BZ_HEADER, "HdrS", 4) != 0)
        return 0;
    version = get_le16(data + BZ_VERSION);
    if (version < BZ_MIN_VERSION)
        return pvguest__fail(err, errlen, -EOPNOTSUPP,
                             "bzImage boot protocol %u.%02u is older than "
                             "2.08 (no payload fields)",
                             version >> 8, version & 0xff);
    setup_sects = data[BZ_SETUP_SECTS];
    if (setup_sects == 0)
        setup_sects = 4; /* boot.rst: 0 means 4 */
    off = (setup_sects + 1) * 512 + get_le32(data + BZ_PAYLOAD_OFFSET);
    plen = get_le32(data + BZ_PAYLOAD_LENGTH);
    if (off >= len || plen > len - off)
        return pvguest__fail(err, errlen, -ENOEXEC,
                             "bzImage payload [%#llx, +%#llx) lies outside "
                             "the %zu-byte file",
                             (unsigned long long)off, (unsigned long long)plen,
                             len);
    if (plen == 0)
        return pvguest__fail(err, errlen, -ENOEXEC, "bzImage payload is empty");
    *payload = data + off;
    *payload_len = plen;
    return 1;
}

/* A growing output buffer, bounded by PVGUEST__DECOMP_MAX. */
struct outbuf {
    uint8_t *p;
    size_t size;
};

static int outbuf_grow(struct outbuf *o, size_t want, char *err, size_t errlen)
{
    size_t size = o->size ? o->size : 1u << 16;
    uint8_t *p;

    if (o->size >= PVGUEST__DECOMP_MAX)
        return pvguest__fail(err, errlen, -EFBIG,
                             "decompressed kernel is larger than %u MiB",
                             PVGUEST__DECOMP_MAX >> 20);
    while (size < want && size < PVGUEST__DECOMP_MAX)
        size *= 2;
    if (size == o->size)
        size *= 2;
    if (size > PVGUEST__DECOMP_MAX)
        size = PVGUEST__DECOMP_MAX;
    p = realloc(o->p, size);
    if (!p)
        return pvguest__fail(err, errlen, -ENOMEM,
                             "out of memory for a %zu-byte kernel", size);
    o->p = p;
    o->size = size;
    return 0;
}

/* First guess of the output size: Linux's trailer if it is plausible. */
static size_t size_hint(const uint8_t *in, size_t in_len)
{
    uint32_t n;

    if (in_len < 8)
        return in_len * 4;
    n = get_le32(in + in_len - 4);
    if (n >= in_len && n <= PVGUEST__DECOMP_MAX)
        return n;
    return in_len * 4;
}

static int gunzip(const uint8_t *in, size_t in_len, struct outbuf *o,
                  size_t *out_len, char *err, size_t errlen)
{
    z_stream zs;
    int zrc, rc = 0;

    memset(&zs, 0, sizeof(zs));
    /* 16 + MAX_WBITS: a gzip header and trailer, nothing else. */
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return pvguest__fail(err, errlen, -ENOMEM, "gzip: inflateInit2 failed");
    zs.next_in = (Bytef *)in;
    for (size_t left = in_len;;) {
        uInt chunk_in = left > UINT32_MAX ? UINT32_MAX : (uInt)left;

        if (zs.total_out == o->size) {
            rc = outbuf_grow(o, size_hint(in, in_len), err, errlen);
            if (rc)
                break;
        }
        zs.avail_in = chunk_in;
        zs.next_out = o->p + zs.total_out;
        zs.avail_out = (uInt)(o->size - zs.total_out > UINT32_MAX
                                  ? UINT32_MAX
                                  : o->size - zs.total_out);
        zrc = inflate(&zs, Z_NO_FLUSH);
        left -= chunk_in - zs.avail_in;
        if (zrc == Z_STREAM_END)
            break;
        if (zrc == Z_BUF_ERROR && zs.avail_out != 0) {
            rc = pvguest__fail(err, errlen, -ENOEXEC, "gzip: stream truncated");
            break;
        }
        if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
            rc = pvguest__fail(err, errlen, -ENOEXEC, "gzip: %s",
                               zs.msg ? zs.msg : "corrupt stream");
            break;
        }
    }
    *out_len = zs.total_out;
    inflateEnd(&zs);
    return rc;
}

static const char *lzma_strerror(lzma_ret r)
{
    switch (r) {
    case LZMA_MEM_ERROR:
        return "out of memory";
    case LZMA_MEMLIMIT_ERROR:
        return "dictionary larger than the 64 MiB limit";
    case LZMA_FORMAT_ERROR:
        return "not an XZ stream";
    case LZMA_OPTIONS_ERROR:
        return "unsupported options";
    case LZMA_DATA_ERROR:
        return "corrupt data";
    case LZMA_BUF_ERROR:
        return "stream truncated";
    default:
        return "decoder error";
    }
}

static int unxz(const uint8_t *in, size_t in_len, struct outbuf *o,
                size_t *out_len, char *err, size_t errlen)
{
    lzma_stream s = LZMA_STREAM_INIT;
    lzma_ret r;
    int rc = 0;

    /*
     * No LZMA_CONCATENATED: decoding stops at the end of the first
     * stream, leaving Linux's size trailer unread.
     */
    if (lzma_stream_decoder(&s, XZ_MEMLIMIT, 0) != LZMA_OK)
        return pvguest__fail(err, errlen, -ENOMEM, "xz: decoder init failed");
    s.next_in = in;
    s.avail_in = in_len;
    for (;;) {
        if (s.total_out == o->size) {
            rc = outbuf_grow(o, size_hint(in, in_len), err, errlen);
            if (rc)
                break;
        }
        s.next_out = o->p + s.total_out;
        s.avail_out = o->size - s.total_out;
        r = lzma_code(&s, LZMA_FINISH);
        if (r == LZMA_STREAM_END)
            break;
        if (r == LZMA_OK) /* a call without progress ends in BUF_ERROR */
            continue;
        rc =
            pvguest__fail(err, errlen, r == LZMA_MEM_ERROR ? -ENOMEM : -ENOEXEC,
                          "xz: %s", lzma_strerror(r));
        break;
    }
    *out_len = s.total_out;
    lzma_end(&s);
    return rc;
}

int pvguest__decompress(enum pvguest__comp comp, const uint8_t *in,
                        size_t in_len, uint8_t **out, size_t *out_len,
                        char *err, size_t errlen)
{
    struct outbuf o = {NULL, 0};
    size_t n = 0;
    int rc;

    if (comp == PVGUEST__COMP_GZIP)
        rc = gunzip(in, in_len, &o, &n, err, errlen);
    else if (comp == PVGUEST__COMP_XZ)
        rc = unxz(in, in_len, &o, &n, err, errlen);
    else
        rc = pvguest__fail(err, errlen, -EOPNOTSUPP, "unsupported compression");
    if (rc) {
        free(o.p);
        return rc;
    }
    *out = o.p;
    *out_len = n;
    return 0;
}
