/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target over libpvguest's kernel parser: pvguest_image_load()
 * on arbitrary bytes (ELF, compressed ELF, bzImage with XZ or gzip
 * payload; libelf, liblzma and zlib are exercised with it), then, for an
 * accepted image, its invariants and pvguest_layout_compute() for a few
 * domain sizes and ramdisks, checking the layout's own invariants.
 * Seeds: tests/fuzz/pvguest/corpus (build/tests/bin/pvguest-make-corpus).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pvguest.h"

#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c))                                                              \
            abort();                                                           \
    } while (0)

static void check_image(const struct pvguest_image *img)
{
    CHECK(img->nr_segments >= 1 && img->nr_segments <= PVGUEST_MAX_SEGMENTS);
    CHECK(img->virt_base <= img->virt_kstart);
    CHECK(img->virt_kstart <= img->entry && img->entry < img->virt_kend);
    CHECK(img->virt_kend - img->virt_kstart <= PVGUEST_MAX_KERNEL_SPAN);
    CHECK((img->virt_kstart & (PVGUEST_PAGE_SIZE - 1)) == 0);
    for (unsigned int i = 0; i < img->nr_segments; i++) {
        const struct pvguest_segment *s = &img->seg[i];

        CHECK(s->filesz <= s->memsz);
        CHECK(s->filesz == 0 || (s->file_offset <= img->elf_len &&
                                 s->filesz <= img->elf_len - s->file_offset));
        CHECK(s->va >= img->virt_kstart && s->va + s->memsz <= img->virt_kend);
    }
    CHECK(img->f_required == (img->f_required & img->f_supported));
}

static void check_layout(const struct pvguest_image *img,
                         const struct pvguest_layout *l)
{
    CHECK(l->region_pages <= l->nr_pages);
    CHECK((l->virt_end & ((4u << 20) - 1)) == 0);
    CHECK(l->virt_end - l->virt_base == l->region_pages * PVGUEST_PAGE_SIZE);
    CHECK(l->kernel.pfn == (img->virt_kstart - img->virt_base) >> 12);
    CHECK(l->p2m.pfn >= l->kernel.pfn + l->kernel.pages);
    CHECK(l->pt.pages == 1ULL + l->nr_l3 + l->nr_l2 + l->nr_l1);
    CHECK(l->stack_pfn == l->pt.pfn + l->pt.pages);
    CHECK(l->padding.pfn + l->padding.pages == l->region_pages);
    CHECK(l->padding.pages >= 128);
    CHECK(l->ramdisk.pfn + l->ramdisk.pages <= l->nr_pages);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint64_t sizes[] = {256, 4096, 65536, 1u << 20};
    struct pvguest_image img;
    struct pvguest_layout lay;
    char err[200];

    err[0] = '\0';
    if (pvguest_image_load(data, size, &img, err, sizeof(err)) != 0) {
        CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)));
        CHECK(img.elf == NULL);
        return 0;
    }
    check_image(&img);
    for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        for (unsigned int rd = 0; rd < 3; rd++) {
            struct pvguest_layout_params p = {sizes[i], rd * 0x123456, rd == 2};

            if (pvguest_layout_compute(&img, &p, &lay, err, sizeof(err)) == 0)
                check_layout(&img, &lay);
            else
                CHECK(err[0] != '\0');
        }
    }
    pvguest_image_free(&img);
    return 0;
}
