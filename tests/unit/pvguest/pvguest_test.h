/* SPDX-License-Identifier: MIT */
/*
 * Shared by libpvguest's image unit tests: loading a buffer or a telf
 * description, and the fields every loader must find in telf_linux().
 */
#ifndef PVGUEST_TEST_H
#define PVGUEST_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>
#include <errno.h>

#include "pvguest.h"
#include "telf.h"

#include <xen/features.h>

static char err[256];

static __attribute__((unused)) int load_buf(const uint8_t *buf, size_t len,
                                            struct pvguest_image *img)
{
    err[0] = '\0';
    return pvguest_image_load(buf, len, img, err, sizeof(err));
}

static __attribute__((unused)) int load_telf(const struct telf *t,
                                             struct pvguest_image *img)
{
    uint8_t *buf;
    size_t len = telf_write(t, &buf);
    int rc = load_buf(buf, len, img);

    free(buf);
    return rc;
}

static __attribute__((unused)) void
expect_linux_fields(const struct pvguest_image *img)
{
    const uint64_t base = TELF_LINUX_BASE;

    assert_int_equal(img->virt_base, base);
    assert_int_equal(img->paddr_offset, 0);
    assert_int_equal(img->virt_offset, base);
    assert_int_equal(img->entry, TELF_LINUX_ENTRY);
    assert_int_equal(img->virt_kstart, base + 0x200000);
    assert_int_equal(img->virt_kend, base + 0x207f80 + 0x12080);
    assert_string_equal(img->guest_os, "linux");
    assert_string_equal(img->guest_version, "2.6");
    assert_string_equal(img->xen_version, "xen-3.0");
    assert_string_equal(img->loader, "generic");
    assert_string_equal(img->pae_mode, "yes");
    assert_string_equal(img->features,
                        "!writable_page_tables|pae_pgdir_above_4gb");
    assert_int_equal(img->f_required, 1u << XENFEAT_writable_page_tables);
    assert_int_equal(img->f_supported,
                     0x8801 | 1u << XENFEAT_pae_pgdir_above_4gb);
    assert_int_equal(img->hypercall_page, PVGUEST_UNSET);
    assert_int_equal(img->init_p2m, 0x8000000000ULL);
    assert_int_equal(img->hv_start_low, 0xffff800000000000ULL);
    assert_int_equal(img->phys32_entry, 0x1000850);
    assert_int_equal(img->l1_mfn_valid_mask, 1);
    assert_int_equal(img->l1_mfn_valid_value, 1);
    assert_true(img->mod_start_pfn);
    assert_true(img->suspend_cancel);
    assert_int_equal(img->nr_xen_notes, 16);
    /* Placed by p_paddr: the percpu segment's p_vaddr 0 is ignored. */
    assert_int_equal(img->nr_segments, 4);
    assert_int_equal(img->seg[0].va, base + 0x200000);
    assert_int_equal(img->seg[0].filesz, 0x3000);
    assert_int_equal(img->seg[0].flags, PF_R | PF_X);
    assert_int_equal(img->seg[1].va, base + 0x204000);
    assert_int_equal(img->seg[1].memsz, 0x2000);
    assert_int_equal(img->seg[2].va, base + 0x206000);
    assert_int_equal(img->seg[3].va, base + 0x207f80);
    assert_int_equal(img->seg[3].filesz, 0x1900);
    assert_int_equal(img->seg[3].memsz, 0x12080);
    for (unsigned int i = 0; i < img->nr_segments; i++) {
        const struct pvguest_segment *s = &img->seg[i];

        assert_true(s->file_offset + s->filesz <= img->elf_len);
    }
    assert_int_equal(img->elf[img->seg[3].file_offset + 7], telf_byte(0x44, 7));
}

#endif /* PVGUEST_TEST_H */
