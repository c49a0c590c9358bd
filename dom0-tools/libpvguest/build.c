/* SPDX-License-Identifier: MIT */
/*
 * libpvguest's builder: writes the start-of-day image of a new PV domain.
 *
 * Design note.  The domain builder has three steps, each in its own file:
 *
 *   image.c      kernel file -> struct pvguest_image (ELF, Xen notes);
 *   layout.c     image + memory size -> struct pvguest_layout (PFNs);
 *   build.c      layout -> the domain's memory and vCPU 0 (this file).
 *
 * The first two are pure functions of their inputs, so they are unit
 * tested and fuzzed without a hypervisor.  This file is the only one that
 * acts on a domain, and it does so only through struct pvguest_dom_ops,
 * which the caller implements over libpvctrl (the way libxenguest sits on
 * libxenctrl; the library itself never makes a hypercall).
 *
 * The steps follow Xen's xc_dom_boot_image() (tools/libs/guest/
 * xg_dom_boot.c and xg_dom_x86.c):
 *   1. populate nr_pages frames and learn their MFNs (meminit_pv);
 *   2. write the kernel window (zeroed, then each segment's file bytes; the
 *      memsz tail stays zero), the ramdisk, the p2m list (PFN -> MFN),
 *      start_info, the zeroed xenstore and console rings, the page tables
 *      and the zeroed boot stack;
 *   3. have the hypervisor fill the hypercall page, if the kernel has one;
 *   4. initialise shared_info (zero, every legacy vcpu_info's upcall
 *      masked), as Xen's bootlate_pv() does;
 *   5. pin the L4 -- only now, with nothing mapped, because a pinned
 *      table may not have writable mappings;
 *   6. set vCPU 0's context (vcpu_x86_64()).
 *
 * Hazards.  Frames come from the hypervisor already scrubbed by stores
 * made inside the machine: besides keeping data from leaking between
 * domains, that is what makes QEMU's TCG drop any code it had translated
 * from those frames, since it never sees host-side writes.  So the builder
 * writes guest memory only through ops->map(), only into frames of this
 * domain, and never writes a frame the guest may already have executed.
 * The hypercall page is written by the hypervisor for the same reason.
 * Every write is bounded by the layout, which is checked against nr_pages;
 * MFNs from populate() are checked (in range, distinct) before use.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pvguest_priv.h"

/* Page-table entry bits (Intel SDM vol. 3 4.5). */
#define PTE_P  (1ULL << 0)
#define PTE_RW (1ULL << 1)
#define PTE_US (1ULL << 2)
#define PTE_A  (1ULL << 5)
#define PTE_D  (1ULL << 6)
/* Initial entries (xg_dom_x86.c x86_64_params): no NX, no PSE. */
#define L1_PROT    (PTE_P | PTE_RW | PTE_A)
#define L1_PROT_RO (PTE_P | PTE_A)
#define LN_PROT    (PTE_P | PTE_RW | PTE_A | PTE_D | PTE_US)

#define MFN_LIMIT   (1ULL << 40) /* 52-bit physical addresses */
#define VA_MASK     ((1ULL << 48) - 1)
#define PT_ENTRIES  512
#define INVALID_P2M (~0ULL)

/* Initial vCPU state (xg_dom_x86.c vcpu_x86_64()). */
#define X86_EFLAGS_IF   (1u << 9)
#define X86_DR6_DEFAULT 0xffff0ff0u
#define X86_DR7_DEFAULT 0x00000400u
/* FXSAVE image of FNINIT + default MXCSR: FCW at 0, MXCSR at 24. */
#define FXSAVE_FCW_OFF   0
#define FXSAVE_MXCSR_OFF 24
#define FCW_DEFAULT      0x037f
#define MXCSR_DEFAULT    0x1f80

_Static_assert(sizeof(start_info_t) <= PVGUEST_PAGE_SIZE,
               "start_info fits in its page");
_Static_assert(sizeof(shared_info_t) <= PVGUEST_PAGE_SIZE,
               "shared_info fits in its page");

#define FAIL(rc, ...) pvguest__fail(b->err, b->errlen, rc, __VA_ARGS__)

struct bld {
    const struct pvguest_dom_ops *ops;
    const struct pvguest_layout *lay;
    xen_pfn_t *p2m; /* PFN -> MFN for PFNs below lay->nr_pages */
    char *err;
    size_t errlen;
};

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

/*
 * Writes len bytes of src (zeros if src is NULL) at byte offset off into
 * the frames mfns[0..nr), mapping at most PVGUEST_MAP_MAX at a time and
 * unmapping each batch before the next.
 */
static int put(struct bld *b, const xen_pfn_t *mfns, uint64_t nr, uint64_t off,
               const void *src, uint64_t len, const char *what)
{
    const uint8_t *s = src;
    uint64_t i = off >> PVGUEST_PAGE_SHIFT;
    int rc, urc;

    off &= PVGUEST_PAGE_SIZE - 1;
    while (len) {
        uint64_t need =
            (off + len + PVGUEST_PAGE_SIZE - 1) >> PVGUEST_PAGE_SHIFT;
        uint64_t count = min_u64(need, PVGUEST_MAP_MAX);
        uint64_t chunk = min_u64(len, count * PVGUEST_PAGE_SIZE - off);
        void *va = NULL;

        if (i > nr || count > nr - i)
            return FAIL(-EINVAL, "internal error: %s overruns its frames",
                        what);
        rc = b->ops->map(b->ops->opaque, mfns + i, count, &va);
        if (rc)
            return FAIL(rc, "mapping %llu frames for %s failed",
                        (unsigned long long)count, what);
        if (s)
            memcpy((uint8_t *)va + off, s, chunk);
        else
            memset((uint8_t *)va + off, 0, chunk);
        urc = b->ops->unmap(b->ops->opaque, va, count);
        if (urc)
            return FAIL(urc, "unmapping %llu frames of %s failed",
                        (unsigned long long)count, what);
        i += count;
        off = 0;
        len -= chunk;
        if (s)
            s += chunk;
    }
    return 0;
}

/* put() into the domain's PFNs [r->pfn, r->pfn + r->pages). */
static int put_range(struct bld *b, const struct pvguest_range *r, uint64_t off,
                     const void *src, uint64_t len, const char *what)
{
    return put(b, b->p2m + r->pfn, r->pages, off, src, len, what);
}

static int mfn_cmp(const void *a, const void *b)
{
    xen_pfn_t x = *(const xen_pfn_t *)a, y = *(const xen_pfn_t *)b;

    return x < y ? -1 : x > y;
}

/* MFNs from populate() must be usable in a PTE and given only once. */
static int check_mfns(struct bld *b, uint64_t nr)
{
    xen_pfn_t *sorted;
    int rc = 0;

    for (uint64_t i = 0; i < nr; i++) {
        if (b->p2m[i] >= MFN_LIMIT)
            return FAIL(-EINVAL, "populate gave PFN %#llx the bad MFN %#llx",
                        (unsigned long long)i, (unsigned long long)b->p2m[i]);
    }
    sorted = malloc(nr * sizeof(*sorted));
    if (!sorted)
        return FAIL(-ENOMEM, "out of memory checking %llu MFNs",
                    (unsigned long long)nr);
    memcpy(sorted, b->p2m, nr * sizeof(*sorted));
    qsort(sorted, nr, sizeof(*sorted), mfn_cmp);
    for (uint64_t i = 1; i < nr; i++) {
        if (sorted[i] == sorted[i - 1]) {
            rc = FAIL(-EINVAL, "populate gave MFN %#llx to two PFNs",
                      (unsigned long long)sorted[i]);
            break;
        }
    }
    free(sorted);
    return rc;
}

/* Kernel window: zeroed, then each segment's bytes at its place. */
static int write_kernel(struct bld *b, const struct pvguest_image *img)
{
    const struct pvguest_layout *lay = b->lay;
    uint64_t kva = lay->virt_base + (lay->kernel.pfn << PVGUEST_PAGE_SHIFT);
    int rc;

    rc = put_range(b, &lay->kernel, 0, NULL,
                   lay->kernel.pages << PVGUEST_PAGE_SHIFT, "the kernel");
    for (unsigned int i = 0; !rc && i < img->nr_segments; i++) {
        const struct pvguest_segment *s = &img->seg[i];

        rc = put_range(b, &lay->kernel, s->va - kva, img->elf + s->file_offset,
                       s->filesz, "a kernel segment");
    }
    return rc;
}

static int write_ramdisk(struct bld *b, const struct pvguest_build_params *p)
{
    const struct pvguest_layout *lay = b->lay;
    uint64_t tail = (lay->ramdisk.pages << PVGUEST_PAGE_SHIFT) - p->ramdisk_len;
    int rc;

    if (!p->ramdisk_len)
        return 0;
    rc = put_range(b, &lay->ramdisk, 0, p->ramdisk, p->ramdisk_len,
                   "the ramdisk");
    if (!rc && tail)
        rc = put_range(b, &lay->ramdisk, p->ramdisk_len, NULL, tail,
                       "the ramdisk's last page");
    return rc;
}

/* The p2m list: PFN -> MFN, the rest of its last page ~0 (no frame). */
static int write_p2m(struct bld *b)
{
    const struct pvguest_layout *lay = b->lay;
    uint64_t n = lay->p2m.pages * (PVGUEST_PAGE_SIZE / sizeof(uint64_t));
    uint64_t *list = malloc(n * sizeof(*list));
    int rc;

    if (!list)
        return FAIL(-ENOMEM, "out of memory for the p2m list");
    for (uint64_t i = 0; i < n; i++)
        list[i] = i < lay->nr_pages ? b->p2m[i] : INVALID_P2M;
    rc = put_range(b, &lay->p2m, 0, list, n * sizeof(*list), "the p2m list");
    free(list);
    return rc;
}

static int write_start_info(struct bld *b, const struct pvguest_build_params *p,
                            xen_pfn_t shinfo_mfn)
{
    const struct pvguest_layout *lay = b->lay;
    struct pvguest_range r = {lay->start_info_pfn, 1};
    uint8_t page[PVGUEST_PAGE_SIZE];
    start_info_t *si = (start_info_t *)page;
    size_t cl = p->cmdline ? strlen(p->cmdline) : 0;

    memset(page, 0, sizeof(page));
    strncpy(si->magic, "xen-3.0-x86_64", sizeof(si->magic) - 1);
    si->nr_pages = lay->nr_pages;
    si->shared_info = shinfo_mfn << PVGUEST_PAGE_SHIFT;
    si->flags = lay->si_flags;
    si->store_mfn = b->p2m[lay->xenstore_pfn];
    si->store_evtchn = p->store_evtchn;
    si->console.domU.mfn = b->p2m[lay->console_pfn];
    si->console.domU.evtchn = p->console_evtchn;
    si->pt_base = lay->virt_base + (lay->pt.pfn << PVGUEST_PAGE_SHIFT);
    si->nr_pt_frames = lay->pt.pages;
    si->mfn_list = lay->virt_base + (lay->p2m.pfn << PVGUEST_PAGE_SHIFT);
    si->mod_start = lay->mod_start;
    si->mod_len = lay->mod_len;
    memcpy(si->cmd_line, p->cmdline ? p->cmdline : "", cl);
    return put_range(b, &r, 0, page, sizeof(page), "start_info");
}

/*
 * The page tables, built in host memory then written in one go: table k
 * of a level holds the entries for the k-th 512 GiB (L3), 1 GiB (L2) or
 * 2 MiB (L1) slice of the region, counting from the one holding
 * virt_base.  The region maps PFN i at virt_base + i * 4096.
 */
static int write_page_tables(struct bld *b)
{
    const struct pvguest_layout *lay = b->lay;
    const uint64_t from = lay->virt_base & VA_MASK;
    const uint64_t level_pfn[4] = {lay->l1_pfn, lay->l2_pfn, lay->l3_pfn,
                                   lay->pt.pfn};
    const uint64_t level_nr[4] = {lay->nr_l1, lay->nr_l2, lay->nr_l3, 1};
    uint64_t *pt = calloc(lay->pt.pages, PVGUEST_PAGE_SIZE);
    uint64_t *table;
    int rc;

    if (!pt)
        return FAIL(-ENOMEM, "out of memory for %llu page tables",
                    (unsigned long long)lay->pt.pages);

    /* L1 entries: the region's pages; the page tables read-only. */
    for (uint64_t pfn = 0; pfn < lay->region_pages; pfn++) {
        uint64_t c = (from >> PVGUEST_PAGE_SHIFT) + pfn;
        uint64_t k = (c >> 9) - (from >> 21);
        bool is_pt = pfn >= lay->pt.pfn && pfn < lay->pt.pfn + lay->pt.pages;

        table = pt + (level_pfn[0] - lay->pt.pfn + k) * PT_ENTRIES;
        table[c % PT_ENTRIES] = ((uint64_t)b->p2m[pfn] << PVGUEST_PAGE_SHIFT) |
                                (is_pt ? L1_PROT_RO : L1_PROT);
    }
    /* L2, L3 and L4 entries: each table of the level below. */
    for (unsigned int lvl = 1; lvl < 4; lvl++) {
        unsigned int shift = 12 + 9 * lvl; /* bytes one child maps */

        for (uint64_t k = 0; k < level_nr[lvl - 1]; k++) {
            uint64_t c = (from >> shift) + k;
            uint64_t parent = (c >> 9) - (from >> (shift + 9));
            uint64_t child_pfn = level_pfn[lvl - 1] + k;

            table = pt + (level_pfn[lvl] - lay->pt.pfn + parent) * PT_ENTRIES;
            table[c % PT_ENTRIES] =
                ((uint64_t)b->p2m[child_pfn] << PVGUEST_PAGE_SHIFT) | LN_PROT;
        }
    }
    rc = put_range(b, &lay->pt, 0, pt, lay->pt.pages * PVGUEST_PAGE_SIZE,
                   "the page tables");
    free(pt);
    return rc;
}

/* shared_info: zero, with every legacy vcpu_info's upcalls masked. */
static int write_shared_info(struct bld *b, xen_pfn_t mfn)
{
    uint8_t page[PVGUEST_PAGE_SIZE];
    shared_info_t *sh = (shared_info_t *)page;

    memset(page, 0, sizeof(page));
    for (unsigned int i = 0; i < XEN_LEGACY_MAX_VCPUS; i++)
        sh->vcpu_info[i].evtchn_upcall_mask = 1;
    return put(b, &mfn, 1, 0, page, sizeof(page), "shared_info");
}

static void make_context(const struct pvguest_image *img,
                         const struct pvguest_layout *lay, xen_pfn_t l4_mfn,
                         vcpu_guest_context_t *ctx)
{
    uint16_t fcw = FCW_DEFAULT;
    uint32_t mxcsr = MXCSR_DEFAULT;

    memset(ctx, 0, sizeof(*ctx));
    /* An explicit default FPU state rather than relying on a default. */
    memcpy(ctx->fpu_ctxt.x + FXSAVE_FCW_OFF, &fcw, sizeof(fcw));
    memcpy(ctx->fpu_ctxt.x + FXSAVE_MXCSR_OFF, &mxcsr, sizeof(mxcsr));
    ctx->flags = VGCF_in_kernel | VGCF_online | VGCF_i387_valid;
    ctx->user_regs.rip = img->entry;
    ctx->user_regs.rsp =
        lay->virt_base + ((lay->stack_pfn + 1) << PVGUEST_PAGE_SHIFT);
    ctx->user_regs.rsi =
        lay->virt_base + (lay->start_info_pfn << PVGUEST_PAGE_SHIFT);
    ctx->user_regs.rflags = X86_EFLAGS_IF;
    ctx->user_regs.cs = FLAT_KERNEL_CS;
    ctx->user_regs.ss = FLAT_KERNEL_SS;
    ctx->user_regs.ds = FLAT_KERNEL_DS;
    ctx->user_regs.es = FLAT_KERNEL_DS;
    ctx->user_regs.fs = FLAT_KERNEL_DS;
    ctx->user_regs.gs = FLAT_KERNEL_DS;
    ctx->kernel_ss = ctx->user_regs.ss;
    ctx->kernel_sp = ctx->user_regs.rsp;
    ctx->ctrlreg[3] = xen_pfn_to_cr3(l4_mfn);
    ctx->debugreg[6] = X86_DR6_DEFAULT;
    ctx->debugreg[7] = X86_DR7_DEFAULT;
}

static int check_params(struct bld *b, const struct pvguest_build_params *p,
                        const struct pvguest_dom_ops *ops)
{
    if (!ops || !ops->populate || !ops->map || !ops->unmap ||
        !ops->get_shared_info || !ops->init_hypercall_page || !ops->pin_l4 ||
        !ops->set_vcpu_context)
        return FAIL(-EINVAL, "a domain operation is missing");
    if (p->ramdisk_len && !p->ramdisk)
        return FAIL(-EINVAL, "ramdisk length without data");
    if (p->cmdline && strlen(p->cmdline) >= MAX_GUEST_CMDLINE)
        return FAIL(-E2BIG, "command line of %zu bytes (limit %d)",
                    strlen(p->cmdline), MAX_GUEST_CMDLINE - 1);
    return 0;
}

int pvguest_build(const struct pvguest_image *img,
                  const struct pvguest_build_params *p,
                  const struct pvguest_dom_ops *ops,
                  struct pvguest_build_result *res, char *err, size_t errlen)
{
    struct pvguest_layout_params lp;
    struct pvguest_layout *lay = &res->layout;
    struct bld bb = {ops, lay, NULL, err, errlen}, *b = &bb;
    struct pvguest_range stack;
    xen_pfn_t shinfo = 0;
    int rc;

    memset(res, 0, sizeof(*res));
    rc = check_params(b, p, ops);
    if (rc)
        return rc;
    lp = (struct pvguest_layout_params){p->nr_pages, p->ramdisk_len,
                                        p->ramdisk_unmapped};
    rc = pvguest_layout_compute(img, &lp, lay, err, errlen);
    if (rc)
        return rc;

    b->p2m = malloc(lay->nr_pages * sizeof(*b->p2m));
    if (!b->p2m)
        return FAIL(-ENOMEM, "out of memory for a %llu-page p2m",
                    (unsigned long long)lay->nr_pages);
    rc = ops->populate(ops->opaque, lay->nr_pages, b->p2m);
    if (rc) {
        FAIL(rc, "populating %llu pages failed",
             (unsigned long long)lay->nr_pages);
        goto out;
    }
    rc = check_mfns(b, lay->nr_pages);
    if (rc)
        goto out;
    rc = ops->get_shared_info(ops->opaque, &shinfo);
    if (rc) {
        FAIL(rc, "getting the shared_info frame failed");
        goto out;
    }
    if (shinfo >= MFN_LIMIT) {
        rc = FAIL(-EINVAL, "bad shared_info MFN %#llx",
                  (unsigned long long)shinfo);
        goto out;
    }

    stack = (struct pvguest_range){lay->stack_pfn, 1};
    rc = write_kernel(b, img);
    if (!rc)
        rc = write_ramdisk(b, p);
    if (!rc)
        rc = write_p2m(b);
    if (!rc)
        rc = write_start_info(b, p, shinfo);
    if (!rc)
        rc = put(b, b->p2m + lay->xenstore_pfn, 1, 0, NULL, PVGUEST_PAGE_SIZE,
                 "the xenstore ring");
    if (!rc)
        rc = put(b, b->p2m + lay->console_pfn, 1, 0, NULL, PVGUEST_PAGE_SIZE,
                 "the console ring");
    if (!rc)
        rc = write_page_tables(b);
    if (!rc)
        rc = put_range(b, &stack, 0, NULL, PVGUEST_PAGE_SIZE, "the stack");
    if (rc)
        goto out;

    if (img->hypercall_page != PVGUEST_UNSET) {
        uint64_t pfn =
            (img->hypercall_page - lay->virt_base) >> PVGUEST_PAGE_SHIFT;

        rc = ops->init_hypercall_page(ops->opaque, b->p2m[pfn]);
        if (rc) {
            FAIL(rc, "filling the hypercall page (PFN %#llx) failed",
                 (unsigned long long)pfn);
            goto out;
        }
    }
    rc = write_shared_info(b, shinfo);
    if (rc)
        goto out;

    res->shared_info_mfn = shinfo;
    res->start_info_mfn = b->p2m[lay->start_info_pfn];
    res->store_mfn = b->p2m[lay->xenstore_pfn];
    res->console_mfn = b->p2m[lay->console_pfn];
    res->l4_mfn = b->p2m[lay->pt.pfn];
    rc = ops->pin_l4(ops->opaque, res->l4_mfn);
    if (rc) {
        FAIL(rc, "pinning the L4 table (MFN %#llx) failed",
             (unsigned long long)res->l4_mfn);
        goto out;
    }
    make_context(img, lay, res->l4_mfn, &res->ctx);
    rc = ops->set_vcpu_context(ops->opaque, 0, &res->ctx);
    if (rc)
        FAIL(rc, "setting vCPU 0's context failed");
out:
    free(b->p2m);
    return rc;
}
