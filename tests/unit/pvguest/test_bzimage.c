/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of libpvguest's containers (decompress.c): bzImages with XZ
 * payloads (x86 BCJ + LZMA2 + CRC32, made with liblzma as Linux's
 * xz_wrap.sh makes them) and gzip payloads, compressed ELF files, and
 * malformed containers: old boot protocols, payloads outside the file,
 * other compressions, corrupt and truncated streams, non-ELF payloads and
 * decompression bombs (built with PVGUEST__DECOMP_MAX = 16 MiB).
 */
#include "pvguest_test.h"

static void check_bzimage(const uint8_t *payload, size_t plen,
                          uint8_t setup_sects, enum pvguest_format want,
                          const uint8_t *elf, size_t elf_len)
{
    struct pvguest_image img;
    uint8_t *bz;
    size_t len = telf_bzimage(payload, plen, setup_sects, 0x20f, &bz);

    assert_int_equal(load_buf(bz, len, &img), 0);
    free(bz);
    assert_int_equal(img.format, want);
    assert_int_equal(img.elf_len, elf_len);
    assert_memory_equal(img.elf, elf, elf_len);
    expect_linux_fields(&img);
    pvguest_image_free(&img);
}

static void test_bzimage_xz_and_gzip(void **state)
{
    struct pvguest_image img;
    struct telf t;
    uint8_t *elf, *xz, *gz;
    size_t elf_len, xz_len, gz_len;

    (void)state;
    telf_linux(&t);
    elf_len = telf_write(&t, &elf);
    xz_len = telf_xz(elf, elf_len, &xz);
    gz_len = telf_gzip(elf, elf_len, &gz);
    assert_memory_equal(xz, "\3757zXZ\0", 6);
    assert_memory_equal(gz, "\037\213", 2);

    check_bzimage(xz, xz_len, 39, PVGUEST_FORMAT_BZIMAGE_XZ, elf, elf_len);
    check_bzimage(xz, xz_len, 0, PVGUEST_FORMAT_BZIMAGE_XZ, elf, elf_len);
    check_bzimage(gz, gz_len, 27, PVGUEST_FORMAT_BZIMAGE_GZIP, elf, elf_len);

    /* Compressed ELF files, as Xen's loader also takes them. */
    assert_int_equal(load_buf(xz, xz_len, &img), 0);
    assert_int_equal(img.format, PVGUEST_FORMAT_ELF_XZ);
    expect_linux_fields(&img);
    pvguest_image_free(&img);
    assert_int_equal(load_buf(gz, gz_len, &img), 0);
    assert_int_equal(img.format, PVGUEST_FORMAT_ELF_GZIP);
    expect_linux_fields(&img);
    pvguest_image_free(&img);
    free(elf);
    free(xz);
    free(gz);
}

static int load_bz(const uint8_t *payload, size_t plen, uint16_t version,
                   void (*patch)(uint8_t *bz, size_t len))
{
    struct pvguest_image img;
    uint8_t *bz;
    size_t len = telf_bzimage(payload, plen, 7, version, &bz);
    int rc;

    if (patch)
        patch(bz, len);
    rc = load_buf(bz, len, &img);
    free(bz);
    if (rc == 0)
        pvguest_image_free(&img);
    return rc;
}

static void bz_offset_past_end(uint8_t *bz, size_t len)
{
    uint32_t v = (uint32_t)len;

    memcpy(bz + 0x248, &v, 4);
}

static void bz_length_past_end(uint8_t *bz, size_t len)
{
    uint32_t v = (uint32_t)len;

    memcpy(bz + 0x24c, &v, 4);
}

static void bz_length_zero(uint8_t *bz, size_t len)
{
    memset(bz + 0x24c, 0, 4);
}

static void bz_length_short(uint8_t *bz, size_t len)
{
    uint32_t v;

    memcpy(&v, bz + 0x24c, 4);
    v /= 2;
    memcpy(bz + 0x24c, &v, 4);
}

static void bz_corrupt(uint8_t *bz, size_t len)
{
    bz[8 * 512 + TELF_BZ_CODE + 100] ^= 0x40;
}

static void assert_load(int rc, int want, const char *msg)
{
    if (rc != want || !strstr(err, msg))
        fail_msg("rc %d (want %d), message \"%s\" (want \"%s\")", rc, want, err,
                 msg);
}

static void test_bzimage_rejections(void **state)
{
    static const uint8_t zstd[] = {0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0};
    static const uint8_t bzip2[] = "BZh91AY&SY";
    static const uint8_t junk[] = "not compressed at all";
    struct pvguest_image img;
    struct telf t;
    uint8_t *elf, *xz, *gz, *notelf, *zeros, *bomb;
    size_t elf_len, xz_len, gz_len, ne_len, bomb_len;

    (void)state;
    telf_linux(&t);
    elf_len = telf_write(&t, &elf);
    xz_len = telf_xz(elf, elf_len, &xz);
    gz_len = telf_gzip(elf, elf_len, &gz);

    assert_load(load_bz(xz, xz_len, 0x207, NULL), -EOPNOTSUPP,
                "2.07 is older than 2.08");
    assert_load(load_bz(xz, xz_len, 0x20f, bz_offset_past_end), -ENOEXEC,
                "lies outside");
    assert_load(load_bz(xz, xz_len, 0x20f, bz_length_past_end), -ENOEXEC,
                "lies outside");
    assert_load(load_bz(xz, xz_len, 0x20f, bz_length_zero), -ENOEXEC,
                "payload is empty");
    assert_load(load_bz(zstd, sizeof(zstd), 0x20f, NULL), -EOPNOTSUPP,
                "zstd-compressed");
    assert_load(load_bz(junk, sizeof(junk), 0x20f, NULL), -ENOEXEC,
                "unknown format");
    assert_load(load_bz(xz, xz_len, 0x20f, bz_corrupt), -ENOEXEC, "xz: ");
    assert_load(load_bz(xz, xz_len, 0x20f, bz_length_short), -ENOEXEC, "xz: ");
    assert_load(load_bz(gz, gz_len, 0x20f, bz_corrupt), -ENOEXEC, "gzip: ");
    assert_load(load_bz(gz, gz_len, 0x20f, bz_length_short), -ENOEXEC,
                "gzip: stream truncated");
    assert_load(load_buf(bzip2, sizeof(bzip2), &img), -EOPNOTSUPP,
                "bzip2-compressed");

    /* A payload that is not an ELF file. */
    ne_len = telf_xz(junk, sizeof(junk), &notelf);
    assert_load(load_bz(notelf, ne_len, 0x20f, NULL), -ENOEXEC,
                "payload is not an ELF file");
    free(notelf);

    /* A decompression bomb: 17 MiB of zeros against the 16 MiB limit. */
    zeros = calloc(1, 17u << 20);
    bomb_len = telf_gzip(zeros, 17u << 20, &bomb);
    assert_load(load_bz(bomb, bomb_len, 0x20f, NULL), -EFBIG,
                "larger than 16 MiB");
    free(bomb);
    bomb_len = telf_xz(zeros, 17u << 20, &bomb);
    assert_load(load_buf(bomb, bomb_len, &img), -EFBIG, "larger than 16 MiB");
    free(bomb);
    free(zeros);
    free(elf);
    free(xz);
    free(gz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bzimage_xz_and_gzip),
        cmocka_unit_test(test_bzimage_rejections),
    };
    return cmocka_run_group_tests_name("pvguest_bzimage", tests, NULL, NULL);
}
