/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of libpvguest's builder (build.c) against a fake domain:
 * "machine memory" is a memfd whose frames get MFNs in a shuffled, sparse
 * order; map() really maps frames with mmap(MAP_FIXED), so a store after
 * unmap faults.  Every frame starts poisoned (0xa5), as if not scrubbed,
 * so the test sees exactly what the builder wrote and what it left alone.
 *
 * After a build, the test walks the page tables from the L4 in CR3 as the
 * MMU would: every VA in [virt_base, virt_end) maps the PFN's MFN, the
 * page-table frames read-only, everything else writable, no other entry
 * present; then it reads start_info, the p2m list, the kernel's segments
 * and bss, the ramdisk and the rings through those mappings, and checks
 * vCPU 0's context, the pinned L4 and the hypercall page.  Failures of
 * each callback are injected too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pvguest.h"
#include "telf.h"

#define PAGE       4096ULL
#define POISON     0xa5
#define HCALL_FILL 0xcc
#define MFN_BASE   0x12345ULL
#define MFN_STRIDE 3 /* MFNs are sparse: frame i is MFN_BASE + 3 i */

#define PTE_FLAGS 0xfffULL
#define PTE_ADDR  0x000ffffffffff000ULL

struct fake {
    int fd;
    uint8_t *view; /* every frame, by frame index */
    uint64_t nr_frames, nr_pages;
    uint64_t *perm; /* PFN -> frame index */
    xen_pfn_t *p2m; /* what populate() handed out */
    xen_pfn_t shinfo_mfn;

    unsigned int populate_calls, map_calls, live_maps, max_count;
    unsigned int hcall_calls, pin_calls, ctx_calls, live_at_pin;
    xen_pfn_t hcall_mfn, pinned;
    vcpu_guest_context_t ctx;

    /* Failure injection. */
    int fail_populate, fail_hcall, fail_pin, fail_ctx;
    unsigned int fail_map_at; /* fail the n-th map(); 0: never */
    bool dup_mfn, huge_mfn;
};

static char err[256];

static uint64_t frame_of(const struct fake *f, uint64_t mfn)
{
    uint64_t d = mfn - MFN_BASE;

    if (mfn < MFN_BASE || d % MFN_STRIDE || d / MFN_STRIDE >= f->nr_frames)
        fail_msg("MFN %#llx is not one of the fake's frames",
                 (unsigned long long)mfn);
    return d / MFN_STRIDE;
}

static uint8_t *frame_ptr(const struct fake *f, uint64_t mfn)
{
    return f->view + frame_of(f, mfn) * PAGE;
}

static int f_populate(void *opaque, uint64_t nr_pages, xen_pfn_t *mfns)
{
    struct fake *f = opaque;

    f->populate_calls++;
    assert_int_equal(nr_pages, f->nr_pages);
    if (f->fail_populate)
        return f->fail_populate;
    for (uint64_t i = 0; i < nr_pages; i++)
        mfns[i] = MFN_BASE + f->perm[i] * MFN_STRIDE;
    if (f->dup_mfn)
        mfns[nr_pages - 1] = mfns[3];
    if (f->huge_mfn)
        mfns[7] = 1ULL << 40;
    memcpy(f->p2m, mfns, nr_pages * sizeof(*mfns));
    return 0;
}

static int f_map(void *opaque, const xen_pfn_t *mfns, size_t count, void **addr)
{
    struct fake *f = opaque;
    uint8_t *va;

    f->map_calls++;
    assert_true(count >= 1 && count <= PVGUEST_MAP_MAX);
    if (f->fail_map_at && f->map_calls == f->fail_map_at)
        return -EFAULT;
    va =
        mmap(NULL, count * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(va != MAP_FAILED);
    for (size_t i = 0; i < count; i++) {
        void *p = mmap(va + i * PAGE, PAGE, PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_FIXED, f->fd,
                       (off_t)(frame_of(f, mfns[i]) * PAGE));

        assert_true(p == va + i * PAGE);
    }
    f->live_maps++;
    if (count > f->max_count)
        f->max_count = (unsigned int)count;
    *addr = va;
    return 0;
}

static int f_unmap(void *opaque, void *addr, size_t count)
{
    struct fake *f = opaque;

    assert_int_equal(munmap(addr, count * PAGE), 0);
    assert_true(f->live_maps > 0);
    f->live_maps--;
    return 0;
}

static int f_shinfo(void *opaque, xen_pfn_t *mfn)
{
    struct fake *f = opaque;

    *mfn = f->shinfo_mfn;
    return 0;
}

/* The hypervisor writes the page itself: here, a recognisable fill. */
static int f_hcall(void *opaque, xen_pfn_t mfn)
{
    struct fake *f = opaque;

    f->hcall_calls++;
    if (f->fail_hcall)
        return f->fail_hcall;
    f->hcall_mfn = mfn;
    memset(frame_ptr(f, mfn), HCALL_FILL, PAGE);
    return 0;
}

static int f_pin(void *opaque, xen_pfn_t mfn)
{
    struct fake *f = opaque;

    f->pin_calls++;
    f->live_at_pin = f->live_maps;
    if (f->fail_pin)
        return f->fail_pin;
    f->pinned = mfn;
    return 0;
}

static int f_ctx(void *opaque, unsigned int vcpu,
                 const vcpu_guest_context_t *ctx)
{
    struct fake *f = opaque;

    f->ctx_calls++;
    assert_int_equal(vcpu, 0);
    if (f->fail_ctx)
        return f->fail_ctx;
    f->ctx = *ctx;
    return 0;
}

static struct pvguest_dom_ops fake_ops(struct fake *f)
{
    return (struct pvguest_dom_ops){f,        f_populate, f_map, f_unmap,
                                    f_shinfo, f_hcall,    f_pin, f_ctx};
}

static void fake_init(struct fake *f, uint64_t nr_pages)
{
    uint64_t seed = 0x9e3779b97f4a7c15ULL;

    memset(f, 0, sizeof(*f));
    f->nr_pages = nr_pages;
    f->nr_frames = nr_pages + 1; /* the last is shared_info */
    f->fd = memfd_create("pvguest-test", 0);
    assert_true(f->fd >= 0);
    assert_int_equal(ftruncate(f->fd, (off_t)(f->nr_frames * PAGE)), 0);
    f->view = mmap(NULL, f->nr_frames * PAGE, PROT_READ | PROT_WRITE,
                   MAP_SHARED, f->fd, 0);
    assert_true(f->view != MAP_FAILED);
    memset(f->view, POISON, f->nr_frames * PAGE);
    f->perm = malloc(nr_pages * sizeof(*f->perm));
    f->p2m = malloc(nr_pages * sizeof(*f->p2m));
    for (uint64_t i = 0; i < nr_pages; i++)
        f->perm[i] = i;
    for (uint64_t i = nr_pages - 1; i > 0; i--) { /* Fisher-Yates */
        uint64_t j, t;

        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        j = seed % (i + 1);
        t = f->perm[i], f->perm[i] = f->perm[j], f->perm[j] = t;
    }
    f->shinfo_mfn = MFN_BASE + nr_pages * MFN_STRIDE;
}

static void fake_fini(struct fake *f)
{
    munmap(f->view, f->nr_frames * PAGE);
    close(f->fd);
    free(f->perm);
    free(f->p2m);
}

/* ------------------------------------------------- the page-table walk */

/* Translates va as the MMU would; returns the MFN or ~0 if not present. */
static uint64_t walk(const struct fake *f, uint64_t l4_mfn, uint64_t va,
                     uint64_t flags[4])
{
    uint64_t mfn = l4_mfn;

    for (int lvl = 3; lvl >= 0; lvl--) {
        const uint64_t *t = (const uint64_t *)frame_ptr(f, mfn);
        uint64_t e = t[(va >> (12 + 9 * lvl)) & 511];

        if (!(e & 1))
            return ~0ULL;
        assert_int_equal(e & ~(PTE_ADDR | PTE_FLAGS), 0); /* no NX, avail */
        flags[lvl] = e & PTE_FLAGS;
        mfn = (e & PTE_ADDR) >> 12;
    }
    return mfn;
}

static uint8_t *va_ptr(const struct fake *f,
                       const struct pvguest_build_result *r, uint64_t va)
{
    uint64_t flags[4];
    uint64_t mfn = walk(f, r->l4_mfn, va & ~(PAGE - 1), flags);

    if (mfn == ~0ULL)
        fail_msg("VA %#llx is not mapped", (unsigned long long)va);
    return frame_ptr(f, mfn) + (va & (PAGE - 1));
}

/* Counts the present entries of every table reachable from the L4. */
static void count_present(const struct fake *f, uint64_t mfn, int lvl,
                          uint64_t count[4])
{
    const uint64_t *t = (const uint64_t *)frame_ptr(f, mfn);

    for (int i = 0; i < 512; i++) {
        if (!(t[i] & 1))
            continue;
        count[lvl]++;
        if (lvl > 0)
            count_present(f, (t[i] & PTE_ADDR) >> 12, lvl - 1, count);
    }
}

static void expect_poison(const struct fake *f, uint64_t pfn)
{
    const uint8_t *p = frame_ptr(f, f->p2m[pfn]);

    for (uint64_t i = 0; i < PAGE; i++)
        if (p[i] != POISON)
            fail_msg("PFN %#llx byte %llu was written", (unsigned long long)pfn,
                     (unsigned long long)i);
}

static void expect_zero_page(const uint8_t *p, const char *what)
{
    for (uint64_t i = 0; i < PAGE; i++)
        if (p[i])
            fail_msg("%s byte %llu is %#x", what, (unsigned long long)i, p[i]);
}

/* The byte the kernel window should hold at VA va. */
static int kernel_byte(const struct pvguest_image *img, uint64_t va)
{
    for (unsigned int i = 0; i < img->nr_segments; i++) {
        const struct pvguest_segment *s = &img->seg[i];

        if (va >= s->va && va < s->va + s->filesz)
            return img->elf[s->file_offset + (va - s->va)];
    }
    return 0;
}

static void verify(struct fake *f, const struct pvguest_image *img,
                   const struct pvguest_build_params *p,
                   const struct pvguest_build_result *r, const uint8_t *ramdisk)
{
    const struct pvguest_layout *l = &r->layout;
    const uint64_t base = l->virt_base;
    uint64_t flags[4], count[4] = {0, 0, 0, 0};
    const start_info_t *si;
    const vcpu_guest_context_t *c = &f->ctx;
    const uint64_t *p2m;
    uint64_t hc_pfn = img->hypercall_page == PVGUEST_UNSET
                          ? ~0ULL
                          : (img->hypercall_page - base) / PAGE;

    /* The callbacks: one populate, balanced maps, pin with none live. */
    assert_int_equal(f->populate_calls, 1);
    assert_int_equal(f->live_maps, 0);
    assert_true(f->max_count <= PVGUEST_MAP_MAX);
    assert_int_equal(f->pin_calls, 1);
    assert_int_equal(f->live_at_pin, 0);
    assert_int_equal(r->l4_mfn, f->p2m[l->pt.pfn]);
    assert_int_equal(f->pinned, r->l4_mfn);
    assert_int_equal(f->ctx_calls, 1);
    assert_memory_equal(&f->ctx, &r->ctx, sizeof(f->ctx));
    assert_int_equal(r->shared_info_mfn, f->shinfo_mfn);
    assert_int_equal(r->start_info_mfn, f->p2m[l->start_info_pfn]);
    assert_int_equal(r->store_mfn, f->p2m[l->xenstore_pfn]);
    assert_int_equal(r->console_mfn, f->p2m[l->console_pfn]);

    /* Every page of the region, as the MMU sees it. */
    for (uint64_t pfn = 0; pfn < l->region_pages; pfn++) {
        bool is_pt = pfn >= l->pt.pfn && pfn < l->pt.pfn + l->pt.pages;
        uint64_t mfn = walk(f, r->l4_mfn, base + pfn * PAGE, flags);

        if (mfn != f->p2m[pfn])
            fail_msg("PFN %#llx maps MFN %#llx, not %#llx",
                     (unsigned long long)pfn, (unsigned long long)mfn,
                     (unsigned long long)f->p2m[pfn]);
        assert_int_equal(flags[3], 0x67); /* P RW U A D */
        assert_int_equal(flags[2], 0x67);
        assert_int_equal(flags[1], 0x67);
        assert_int_equal(flags[0], is_pt ? 0x21 : 0x23); /* P A [RW] */
    }
    if (base)
        assert_int_equal(walk(f, r->l4_mfn, base - PAGE, flags), ~0ULL);
    if (l->virt_end)
        assert_int_equal(walk(f, r->l4_mfn, l->virt_end, flags), ~0ULL);
    count_present(f, r->l4_mfn, 3, count);
    assert_int_equal(count[3], l->nr_l3);
    assert_int_equal(count[2], l->nr_l2);
    assert_int_equal(count[1], l->nr_l1);
    assert_int_equal(count[0], l->region_pages);

    /* vCPU 0 (xg_dom_x86.c vcpu_x86_64()). */
    assert_int_equal(c->user_regs.rip, img->entry);
    assert_int_equal(c->user_regs.rsp, base + (l->stack_pfn + 1) * PAGE);
    assert_int_equal(c->user_regs.rsi, base + l->start_info_pfn * PAGE);
    assert_int_equal(c->user_regs.rflags, 0x200);
    assert_int_equal(c->user_regs.cs, 0xe033);
    assert_int_equal(c->user_regs.ss, 0xe02b);
    /* FLAT_KERNEL_DS is the NULL selector on x86-64. */
    assert_int_equal(c->user_regs.ds | c->user_regs.es | c->user_regs.fs |
                         c->user_regs.gs,
                     0);
    assert_int_equal(c->user_regs.rax | c->user_regs.rdi | c->user_regs.rbp, 0);
    assert_int_equal(c->kernel_ss, 0xe02b);
    assert_int_equal(c->kernel_sp, c->user_regs.rsp);
    assert_int_equal(c->flags, VGCF_in_kernel | VGCF_online | VGCF_i387_valid);
    assert_int_equal(c->ctrlreg[3], r->l4_mfn << 12);
    assert_int_equal(c->ctrlreg[0] | c->ctrlreg[4], 0);
    assert_int_equal(c->debugreg[6], 0xffff0ff0);
    assert_int_equal(c->debugreg[7], 0x400);
    assert_int_equal(c->gdt_ents | c->ldt_ents | c->event_callback_eip |
                         c->failsafe_callback_eip | c->fs_base |
                         c->gs_base_kernel | c->gs_base_user,
                     0);
    assert_int_equal(*(const uint16_t *)&c->fpu_ctxt.x[0], 0x037f);
    assert_int_equal(*(const uint32_t *)&c->fpu_ctxt.x[24], 0x1f80);

    /* start_info, read where the guest will: at RSI. */
    si = (const start_info_t *)va_ptr(f, r, c->user_regs.rsi);
    assert_string_equal(si->magic, "xen-3.0-x86_64");
    assert_int_equal(si->nr_pages, l->nr_pages);
    assert_int_equal(si->shared_info, f->shinfo_mfn << 12);
    assert_int_equal(si->flags, l->si_flags);
    assert_int_equal(si->flags & SIF_INITDOMAIN, 0);
    assert_int_equal(si->store_mfn, f->p2m[l->xenstore_pfn]);
    assert_int_equal(si->store_evtchn, p->store_evtchn);
    assert_int_equal(si->console.domU.mfn, f->p2m[l->console_pfn]);
    assert_int_equal(si->console.domU.evtchn, p->console_evtchn);
    assert_int_equal(si->pt_base, base + l->pt.pfn * PAGE);
    assert_int_equal(si->nr_pt_frames, l->pt.pages);
    assert_int_equal(si->mfn_list, base + l->p2m.pfn * PAGE);
    assert_int_equal(si->mod_start, l->mod_start);
    assert_int_equal(si->mod_len, p->ramdisk_len);
    assert_string_equal((const char *)si->cmd_line,
                        p->cmdline ? p->cmdline : "");
    assert_int_equal(si->first_p2m_pfn | si->nr_p2m_frames, 0);
    for (size_t i = sizeof(*si); i < PAGE; i++)
        assert_int_equal(((const uint8_t *)si)[i], 0);

    /* The p2m list at mfn_list, ~0 after the last PFN. */
    for (uint64_t i = 0; i < l->p2m.pages * 512; i++) {
        p2m = (const uint64_t *)va_ptr(f, r, si->mfn_list + i * 8);
        assert_int_equal(*p2m, i < l->nr_pages ? f->p2m[i] : ~0ULL);
    }

    /* The kernel window: segment bytes, zeros elsewhere (bss included),
     * and the hypervisor's hypercall page left as it wrote it. */
    for (uint64_t pfn = l->kernel.pfn; pfn < l->kernel.pfn + l->kernel.pages;
         pfn++) {
        const uint8_t *pg = va_ptr(f, r, base + pfn * PAGE);

        if (pfn == hc_pfn) {
            assert_int_equal(f->hcall_mfn, f->p2m[pfn]);
            for (uint64_t i = 0; i < PAGE; i++)
                assert_int_equal(pg[i], HCALL_FILL);
            continue;
        }
        for (uint64_t i = 0; i < PAGE; i++) {
            int want = kernel_byte(img, base + pfn * PAGE + i);

            if (pg[i] != want)
                fail_msg("kernel VA %#llx holds %#x, not %#x",
                         (unsigned long long)(base + pfn * PAGE + i), pg[i],
                         want);
        }
    }
    assert_int_equal(f->hcall_calls, hc_pfn != ~0ULL);

    /* The ramdisk: mapped (at mod_start) or after the region. */
    for (uint64_t i = 0; i < l->ramdisk.pages * PAGE; i++) {
        uint64_t pfn = l->ramdisk.pfn + i / PAGE;
        const uint8_t *b = l->ramdisk_mapped
                               ? va_ptr(f, r, si->mod_start + i)
                               : frame_ptr(f, f->p2m[pfn]) + i % PAGE;

        assert_int_equal(*b, i < p->ramdisk_len ? ramdisk[i] : 0);
    }
    if (p->ramdisk_len && !l->ramdisk_mapped) {
        assert_int_equal(si->mod_start, l->ramdisk.pfn);
        assert_true(l->ramdisk.pfn >= l->region_pages);
    }

    /* Rings and stack zeroed; shared_info zero but for the masks. */
    expect_zero_page(va_ptr(f, r, base + l->xenstore_pfn * PAGE), "xenstore");
    expect_zero_page(va_ptr(f, r, base + l->console_pfn * PAGE), "console");
    expect_zero_page(va_ptr(f, r, c->user_regs.rsp - PAGE), "stack");
    {
        const shared_info_t *sh =
            (const shared_info_t *)frame_ptr(f, f->shinfo_mfn);
        shared_info_t want;

        memset(&want, 0, sizeof(want));
        for (int i = 0; i < XEN_LEGACY_MAX_VCPUS; i++)
            want.vcpu_info[i].evtchn_upcall_mask = 1;
        assert_memory_equal(sh, &want, sizeof(want));
    }

    /* Nothing else was touched: RAM below the kernel, the padding and
     * the free pages above the region are as the "hypervisor" left them. */
    for (uint64_t pfn = 0; pfn < l->kernel.pfn; pfn++)
        expect_poison(f, pfn);
    for (uint64_t pfn = l->padding.pfn; pfn < l->nr_pages; pfn++) {
        if (!l->ramdisk_mapped && l->ramdisk.pages && pfn >= l->ramdisk.pfn &&
            pfn < l->ramdisk.pfn + l->ramdisk.pages)
            continue;
        expect_poison(f, pfn);
    }
}

/* ------------------------------------------------------------- builds */

static int build(struct fake *f, const struct pvguest_image *img,
                 const struct pvguest_build_params *p,
                 struct pvguest_build_result *r)
{
    struct pvguest_dom_ops ops = fake_ops(f);

    err[0] = '\0';
    return pvguest_build(img, p, &ops, r, err, sizeof(err));
}

static void load(const struct telf *t, struct pvguest_image *img)
{
    uint8_t *buf;
    size_t len = telf_write(t, &buf);

    assert_int_equal(pvguest_image_load(buf, len, img, err, sizeof(err)), 0);
    free(buf);
}

static uint8_t *make_ramdisk(size_t len)
{
    uint8_t *rd = malloc(len);

    for (size_t i = 0; i < len; i++)
        rd[i] = telf_byte(0x77, i) | 1; /* never 0: tails are visible */
    return rd;
}

/* A Linux-shaped kernel with a hypercall page, command line, ports. */
static void test_build_linux_like(void **state)
{
    struct pvguest_build_params p = {.nr_pages = 4096,
                                     .cmdline = "console=hvc0 earlyprintk=xen",
                                     .store_evtchn = 3,
                                     .console_evtchn = 4};
    struct pvguest_build_result r;
    struct pvguest_image img;
    struct fake f;
    struct telf t;

    (void)state;
    telf_linux(&t);
    telf_add_num(&t, XEN_ELFNOTE_HYPERCALL_PAGE, TELF_LINUX_BASE + 0x201000, 8);
    load(&t, &img);
    fake_init(&f, p.nr_pages);
    assert_int_equal(build(&f, &img, &p, &r), 0);
    /* Kernel pfn 0x200..0x21a, p2m 8 pages, magic 0x222..0x224, tables
     * 0x225 (L4, L3, L2, 2 L1s), stack 0x22a, end 4 MiB. */
    assert_int_equal(r.layout.kernel.pfn, 0x200);
    assert_int_equal(r.layout.pt.pfn, 0x225);
    assert_int_equal(r.layout.pt.pages, 5);
    assert_int_equal(r.layout.virt_end, TELF_LINUX_BASE + 0x400000);
    verify(&f, &img, &p, &r, NULL);
    fake_fini(&f);
    pvguest_image_free(&img);
}

static void test_build_ramdisks(void **state)
{
    const size_t rd_len = 3 * PAGE + 123;
    uint8_t *rd = make_ramdisk(rd_len);
    struct pvguest_build_result r;
    struct pvguest_image img;
    struct fake f;
    struct telf t;

    (void)state;
    telf_linux(&t);
    load(&t, &img);
    for (int unmapped = 0; unmapped < 2; unmapped++) {
        struct pvguest_build_params p = {.nr_pages = 2000,
                                         .ramdisk = rd,
                                         .ramdisk_len = rd_len,
                                         .ramdisk_unmapped = unmapped};

        fake_init(&f, p.nr_pages);
        assert_int_equal(build(&f, &img, &p, &r), 0);
        assert_int_equal(r.layout.ramdisk_mapped, !unmapped);
        assert_int_equal(r.layout.ramdisk.pages, 4);
        verify(&f, &img, &p, &r, rd);
        fake_fini(&f);
    }
    pvguest_image_free(&img);
    free(rd);
}

/* The whole path from a bzImage with an XZ payload. */
static void test_build_from_bzimage(void **state)
{
    struct pvguest_build_params p = {.nr_pages = 1024, .cmdline = "quiet"};
    struct pvguest_build_result r;
    struct pvguest_image img;
    struct fake f;
    struct telf t;
    uint8_t *elf, *xz, *bz;
    size_t len;

    (void)state;
    telf_linux(&t);
    len = telf_write(&t, &elf);
    len = telf_xz(elf, len, &xz);
    len = telf_bzimage(xz, len, 31, 0x20f, &bz);
    assert_int_equal(pvguest_image_load(bz, len, &img, err, sizeof(err)), 0);
    free(elf);
    free(xz);
    free(bz);
    fake_init(&f, p.nr_pages);
    assert_int_equal(build(&f, &img, &p, &r), 0);
    verify(&f, &img, &p, &r, NULL);
    fake_fini(&f);
    pvguest_image_free(&img);
}

/*
 * A generic kernel in the low half straddling 512 GiB (2 L3s, 2 L2s,
 * 3 L1s), with a 1.5 MiB bss and a segment past a map batch boundary.
 */
static void test_build_across_512_gib(void **state)
{
    const uint64_t base = 0x7fffe00000ULL;
    struct pvguest_build_params p = {.nr_pages = 4096};
    struct pvguest_build_result r;
    struct pvguest_image img;
    struct fake f;
    struct telf t;

    (void)state;
    memset(&t, 0, sizeof(t));
    t.entry = base + 0x1000;
    telf_add_seg(&t, base, base, 0x2345, 0x180000, 0x5a);
    telf_add_seg(&t, base + 0x3ff800, base + 0x3ff800, 0x1000, 0x1000, 0x6b);
    telf_add_str(&t, XEN_ELFNOTE_GUEST_OS, "Mini-OS");
    telf_add_str(&t, XEN_ELFNOTE_LOADER, "generic");
    telf_add_str(&t, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    telf_add_num(&t, XEN_ELFNOTE_VIRT_BASE, base, 8);
    telf_add_num(&t, XEN_ELFNOTE_PADDR_OFFSET, base, 8);
    load(&t, &img);
    fake_init(&f, p.nr_pages);
    assert_int_equal(build(&f, &img, &p, &r), 0);
    assert_int_equal(r.layout.nr_l3, 2);
    assert_int_equal(r.layout.nr_l2, 2);
    assert_true(r.layout.nr_l1 >= 3);
    verify(&f, &img, &p, &r, NULL);
    fake_fini(&f);
    pvguest_image_free(&img);
}

/* A kernel window of 1537 pages takes two map batches. */
static void test_build_batches_large_kernel(void **state)
{
    struct pvguest_build_params p = {.nr_pages = 4096};
    struct pvguest_build_result r;
    struct pvguest_image img;
    struct fake f;
    struct telf t;

    (void)state;
    telf_linux(&t);
    t.seg[3].memsz = 0x600000 - 0x7f80 + 0x1000; /* bss to 0x801000 */
    load(&t, &img);
    fake_init(&f, p.nr_pages);
    assert_int_equal(build(&f, &img, &p, &r), 0);
    assert_int_equal(r.layout.kernel.pages, 0x601);
    assert_int_equal(f.max_count, PVGUEST_MAP_MAX);
    verify(&f, &img, &p, &r, NULL);
    fake_fini(&f);
    pvguest_image_free(&img);
}

/* ----------------------------------------------------------- failures */

static void expect_failure(struct fake *f, const struct pvguest_image *img,
                           const struct pvguest_build_params *p, int rc,
                           const char *msg)
{
    struct pvguest_build_result r;
    int got = build(f, img, p, &r);

    if (got != rc || !strstr(err, msg))
        fail_msg("rc %d (want %d), message \"%s\" (want \"%s\")", got, rc, err,
                 msg);
    assert_int_equal(f->live_maps, 0);
}

static void test_build_failures(void **state)
{
    struct pvguest_build_params p = {.nr_pages = 1024};
    struct pvguest_dom_ops ops;
    struct pvguest_build_result r;
    struct pvguest_image img;
    char cmdline[MAX_GUEST_CMDLINE + 1];
    unsigned int maps;
    struct fake f;
    struct telf t;

    (void)state;
    telf_linux(&t);
    telf_add_num(&t, XEN_ELFNOTE_HYPERCALL_PAGE, TELF_LINUX_BASE + 0x201000, 8);
    load(&t, &img);

    /* Count the maps of a good build, then fail each one in turn. */
    fake_init(&f, p.nr_pages);
    assert_int_equal(build(&f, &img, &p, &r), 0);
    maps = f.map_calls;
    assert_true(maps >= 8);
    fake_fini(&f);
    for (unsigned int n = 1; n <= maps; n++) {
        fake_init(&f, p.nr_pages);
        f.fail_map_at = n;
        expect_failure(&f, &img, &p, -EFAULT, "mapping");
        assert_int_equal(f.pin_calls, 0);
        assert_int_equal(f.ctx_calls, 0);
        fake_fini(&f);
    }

    fake_init(&f, p.nr_pages);
    f.fail_populate = -ENOMEM;
    expect_failure(&f, &img, &p, -ENOMEM, "populating 1024 pages failed");
    assert_int_equal(f.map_calls, 0);
    f.fail_populate = 0;
    f.dup_mfn = true;
    expect_failure(&f, &img, &p, -EINVAL, "to two PFNs");
    f.dup_mfn = false;
    f.huge_mfn = true;
    expect_failure(&f, &img, &p, -EINVAL, "PFN 0x7 the bad MFN 0x10000000000");
    f.huge_mfn = false;
    f.fail_hcall = -EIO;
    expect_failure(&f, &img, &p, -EIO, "hypercall page");
    f.fail_hcall = 0;
    f.fail_pin = -EBUSY;
    expect_failure(&f, &img, &p, -EBUSY, "pinning the L4");
    f.fail_pin = 0;
    f.fail_ctx = -EINVAL;
    expect_failure(&f, &img, &p, -EINVAL, "vCPU 0");
    f.fail_ctx = 0;
    fake_fini(&f);

    /* Caller errors are found before anything is populated. */
    fake_init(&f, p.nr_pages);
    memset(cmdline, 'x', sizeof(cmdline) - 1);
    cmdline[sizeof(cmdline) - 1] = '\0';
    p.cmdline = cmdline;
    expect_failure(&f, &img, &p, -E2BIG, "command line of 1024 bytes");
    cmdline[MAX_GUEST_CMDLINE - 1] = '\0'; /* 1023 bytes: fits */
    assert_int_equal(build(&f, &img, &p, &r), 0);
    verify(&f, &img, &p, &r, NULL);
    p.cmdline = NULL;
    fake_fini(&f);

    fake_init(&f, p.nr_pages);
    p.ramdisk_len = 10;
    expect_failure(&f, &img, &p, -EINVAL, "ramdisk length without data");
    p.ramdisk_len = 0;
    p.nr_pages = 64;
    expect_failure(&f, &img, &p, -ENOMEM, "does not fit");
    p.nr_pages = 1024;
    ops = fake_ops(&f);
    ops.pin_l4 = NULL;
    assert_int_equal(pvguest_build(&img, &p, &ops, &r, err, sizeof(err)),
                     -EINVAL);
    assert_int_equal(f.populate_calls, 0);
    fake_fini(&f);
    pvguest_image_free(&img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_linux_like),
        cmocka_unit_test(test_build_ramdisks),
        cmocka_unit_test(test_build_from_bzimage),
        cmocka_unit_test(test_build_across_512_gib),
        cmocka_unit_test(test_build_batches_large_kernel),
        cmocka_unit_test(test_build_failures),
    };
    return cmocka_run_group_tests_name("pvguest_build", tests, NULL, NULL);
}
