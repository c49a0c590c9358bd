/* SPDX-License-Identifier: MIT */
/*
 * The hostile twin of the PV MMU: mmu_update (#1), mmuext_op (#26) and
 * update_va_mapping (#14) asked to break the rules that keep a PV guest
 * inside its own memory.  Every attack is its own test and must fail
 * with the error Xen returns; afterwards the guest checks that its own
 * page tables are as they were and that it still works.  The host test
 * (tests/integration/domains/ridiculous-mmu.sh) runs bystander domains
 * meanwhile and checks they and the hypervisor are untouched.
 *
 * The deciding Xen functions (xen/arch/x86/mm.c unless noted):
 *  - get_page_from_l1e: flags outside l1_disallow_mask (PAT, PCD, PWT for
 *    a domain without I/O rights) -EINVAL; a frame beyond RAM is MMIO,
 *    -EPERM (the all-ones frame -EINVAL); a frame the domain does not own
 *    (another domain's, the hypervisor's, a free one) and a writable
 *    mapping of a frame that is a page table -EBUSY ("could_not_pin");
 *  - get_page_from_l2e/l3e/l4e: PSE/PS -EINVAL; a target that is not a
 *    table of the level below -EINVAL unless it is a read-only "linear"
 *    entry (get_lN_linear_pagetable; writable ones are refused, and they
 *    go one level deep: a table holding linear entries may not be the
 *    target of one, nor a target hold any);
 *  - mod_l4_entry: the hypervisor's slots 256-271 -EINVAL;
 *  - do_mmu_update: a table frame the caller does not own -EINVAL,
 *    MMU_MACHPHYS_UPDATE of a foreign frame -EINVAL, foreigndom naming
 *    another domain -EPERM (xsm_mmu_update); the request list checked
 *    with guest_handle_okay (-EFAULT before anything, *pdone untouched),
 *    each entry copied in turn (-EFAULT, earlier ones applied), *pdone
 *    written with the entries done and its own copy result ignored;
 *  - do_mmuext_op: pin of a frame not ours -EINVAL, of the wrong type
 *    (_get_page_type) -EINVAL, validation errors as above, already
 *    pinned -EINVAL, unpin of an unpinned table -EINVAL (unpinning the
 *    L4 in CR3 succeeds: CR3 holds its own type reference), SET_LDT
 *    checks only alignment, address and size (the LDT is mapped lazily
 *    on first use: pv_map_ldt_shadow_page in pv/mm.c, whose failure
 *    gives the guest #PF at the LDT address, handle_ldt_mapping_fault in
 *    traps.c), a bad vcpumask for TLB_FLUSH_MULTI -EINVAL;
 *  - __do_update_va_mapping: no L1 for the address -EINVAL;
 *  - xen/common/memory.c decrease_reservation: the frame is freed once
 *    nothing references it (pvisor refuses a frame still in use instead
 *    of counting it done: attack_give_back_in_use).
 */
#include "pt.h"
#include "ridiculous.h"

#define RO   (PTE_P | PTE_A)
#define RW   (PTE_P | PTE_RW | PTE_A | PTE_D)
#define LIN  300UL /* a free guest L4 slot for a read-only linear map */
#define SELF DOMID_SELF

#define DESC_DATA_DPL3 0x00cff2000000ffffUL

static xen_pfn_t l4_mfn, l3_mfn, l2_mfn, l1_mfn; /* the image's tables */
static unsigned long spare;                      /* a page we remap */
static uint64_t spare_pte;                       /* its L1 entry */

static long uvm(unsigned long va, xen_pfn_t mfn, uint64_t flags)
{
    return HYPERVISOR_update_va_mapping(
        va, ((uint64_t)mfn << PAGE_SHIFT) | flags, UVMF_INVLPG | UVMF_LOCAL);
}

static void spare_restore(void)
{
    if (uvm(spare, virt_to_mfn(spare), RW))
        guest_panic("cannot restore the spare page's mapping");
}

static long mmu1(uint64_t ptr, uint64_t val, domid_t dom)
{
    mmu_update_t req = {.ptr = ptr, .val = val};

    return HYPERVISOR_mmu_update(&req, 1, NULL, dom);
}

/* The address (a, b, c, d) through the linear slot, sign-extended. */
static unsigned long lin_va(unsigned long a, unsigned long b, unsigned long c,
                            unsigned long d)
{
    unsigned long va = (a << 39) | (b << 30) | (c << 21) | (d << 12);

    return (va & (1UL << 47)) ? va | 0xffff000000000000UL : va;
}

/* The table under our own L4 entry for va, at the level below. */
static xen_pfn_t table_below(unsigned long va, unsigned int level)
{
    return pte_mfn(pt_read(pt_entry_maddr(l4_mfn, va, level)));
}

/*
 * Our boot tables (L4 guest slots, the L3s, L2s and L1s at pt_base) with
 * A/D masked, except the L1 entries of the padding pages, which the
 * tests remap on purpose.
 */
#define SNAP_MAX 16
static uint64_t snap_before[SNAP_MAX][PT_ENTRIES],
    snap_after[SNAP_MAX][PT_ENTRIES];
static void snapshot(uint64_t (*s)[PT_ENTRIES])
{
    unsigned long n = MIN(start_info->nr_pt_frames, (unsigned long)SNAP_MAX);
    const uint64_t *t;

    for (unsigned long f = 0; f < n; f++) {
        t = (const uint64_t *)(start_info->pt_base + f * PAGE_SIZE);
        for (unsigned int i = 0; i < PT_ENTRIES; i++) {
            uint64_t e = t[i] & ~(PTE_A | PTE_D);

            if (f == 0 && i >= 256 && i < 272)
                e = 0; /* the hypervisor's slots */
            if (f >= 3 && (e & PTE_P) &&
                pt_m2p(pte_mfn(e)) >= virt_to_pfn(mm_free_start))
                e = 0; /* a padding page */
            s[f][i] = e;
        }
    }
}

static bool ours(xen_pfn_t mfn)
{
    for (unsigned long pfn = 0; pfn < start_info->nr_pages; pfn++)
        if (pfn_to_mfn(pfn) == mfn)
            return true;
    return false;
}

static long load_ds(uint16_t sel)
{
    unsigned long before = trap_probe_reset();

    PROBE("mov %w[s], %%ds", : : [s] "r"(sel) : "memory");
    return trap_total() != before ? (long)trap_last.vector : -1;
}

static long reservation_n(unsigned long cmd, xen_pfn_t *list, unsigned int n)
{
    struct xen_memory_reservation r = {
        .nr_extents = n, .extent_order = 0, .domid = DOMID_SELF};

    set_xen_guest_handle(r.extent_start, list);
    return HYPERVISOR_memory_op(cmd, &r);
}

static long reservation(unsigned long cmd, xen_pfn_t *list)
{
    return reservation_n(cmd, list, 1);
}

static long current_pages(void)
{
    domid_t self = DOMID_SELF;

    return HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
}

/* Frames that are not ours: another domain's, the hypervisor's, beyond RAM */
static void attack_foreign(xen_pfn_t victim, const char *vname,
                           xen_pfn_t max_page)
{
    struct mmuext_op op;
    long rc;

    rc = uvm(spare, victim, RO);
    tap_eq(rc, -XEN_EBUSY, "map %s read-only", vname);
    rc = uvm(spare, victim, RW);
    tap_eq(rc, -XEN_EBUSY, "map %s writable", vname);
    spare_restore();
    rc = mmu1(pt_maddr(victim, 0), 0, SELF);
    tap_eq(rc, -XEN_EINVAL, "mmu_update writing into %s", vname);
    rc = pt_pin(victim, 1);
    tap_eq(rc, -XEN_EINVAL, "pin %s as an L1", vname);
    rc = mmu1(pt_maddr(victim, 0) | MMU_MACHPHYS_UPDATE, 0, SELF);
    tap_eq(rc, -XEN_EINVAL, "MMU_MACHPHYS_UPDATE of %s", vname);
    op.cmd = MMUEXT_COPY_PAGE;
    op.arg1.mfn = virt_to_mfn(spare);
    op.arg2.src_mfn = victim;
    rc = HYPERVISOR_mmuext_op(&op, 1, NULL, SELF);
    tap_eq(rc, -XEN_EINVAL, "MMUEXT_COPY_PAGE from %s", vname);
    rc = pt_mmuext(MMUEXT_NEW_USER_BASEPTR, victim);
    tap_eq(rc, -XEN_EINVAL, "MMUEXT_NEW_USER_BASEPTR to %s", vname);
    rc = mmu1(spare_pte, ((uint64_t)victim << PAGE_SHIFT) | RO, 0);
    tap_eq(rc, -XEN_EPERM, "mmu_update naming domain 0 as the frames' owner");

    rc = uvm(spare, max_page + 16, RO);
    tap_eq(rc, -XEN_EPERM, "map a frame beyond RAM (taken for MMIO)");
    rc = uvm(spare, 0xb8, RO);
    tap_eq(rc, -XEN_EPERM, "map frame 0xb8 (the first 1 MiB is I/O memory)");
    rc = uvm(spare, 0xffffffffffUL, RO);
    tap_eq(rc, -XEN_EINVAL, "map frame 0xffffffffff (all address bits)");
    spare_restore();
}

/* The M2P and the tables mapping it belong to the hypervisor. */
static void attack_hypervisor(void)
{
    xen_pfn_t m2p_l3, m2p_l2, m2p_data;
    uint64_t e = 0, lin = pt_maddr(l4_mfn, LIN);
    long rc, v;

    rc = mmu1(lin, ((uint64_t)l4_mfn << PAGE_SHIFT) | PTE_RO_TABLE, SELF);
    tap_eq(rc, 0, "a read-only linear map of our L4 in slot %lu", LIN);
    /* Slot 256 of our L4 is the M2P's L3; read on down, level by level. */
    m2p_l3 = pte_mfn(pt_read(pt_maddr(l4_mfn, 256)));
    v = probe_read64(lin_va(LIN, LIN, LIN, 256), &e); /* M2P L3 [0] */
    m2p_l2 = m2p_data = pte_mfn(e);
    if (v == -1 && !(e & PTE_PSE)) {
        v = probe_read64(lin_va(LIN, LIN, 256, 0), &e); /* M2P L2 [0] */
        m2p_data = pte_mfn(e);
        if (v == -1 && !(e & PTE_PSE)) {
            v = probe_read64(lin_va(LIN, 256, 0, 0), &e); /* M2P L1 [0] */
            m2p_data = pte_mfn(e);
        }
    }
    tap_check(v == -1 && m2p_l3 && m2p_l2 && m2p_data, "unreadable",
              "... through which we read the M2P's tables");
    tap_diag("M2P: L3 mfn %#lx, L2 mfn %#lx, first data frame %#lx", m2p_l3,
             m2p_l2, m2p_data);

    rc = uvm(spare, m2p_l3, RO);
    tap_eq(rc, -XEN_EBUSY, "hypervisor memory: map the M2P's L3 read-only");
    rc = uvm(spare, m2p_l2, RW);
    tap_eq(rc, -XEN_EBUSY, "hypervisor memory: map the M2P's L2 writable");
    rc = uvm(spare, m2p_data, RW);
    tap_eq(rc, -XEN_EBUSY, "writable M2P: map an M2P frame writable");
    spare_restore();
    rc = mmu1(pt_maddr(m2p_data, 0), 0, SELF);
    tap_eq(rc, -XEN_EINVAL, "writable M2P: mmu_update into an M2P frame");
    rc = mmu1(pt_maddr(m2p_data, 0) | MMU_MACHPHYS_UPDATE, 0, SELF);
    tap_eq(rc, -XEN_EINVAL,
           "writable M2P: MMU_MACHPHYS_UPDATE of a frame not ours");
    rc = mmu1(pt_maddr(virt_to_mfn(spare), 0) | MMU_MACHPHYS_UPDATE,
              virt_to_pfn(spare), SELF);
    tap_eq(rc, 0, "... (MMU_MACHPHYS_UPDATE of our own frame is allowed)");

    rc = mmu1(pt_maddr(l4_mfn, 261), pt_read(pt_maddr(l4_mfn, 511)), SELF);
    tap_eq(rc, -XEN_EINVAL, "hypervisor L4 slot: put our L3 in slot 261");
    rc = mmu1(pt_maddr(l4_mfn, 256), 0, SELF);
    tap_eq(rc, -XEN_EINVAL, "hypervisor L4 slot: clear the M2P slot 256");

    rc = mmu1(lin, ((uint64_t)l4_mfn << PAGE_SHIFT) | PTE_TABLE, SELF);
    tap_eq(rc, -XEN_EINVAL, "recursive writable linear map of our L4");
    rc = mmu1(pt_maddr(l2_mfn, 500),
              ((uint64_t)l2_mfn << PAGE_SHIFT) | PTE_TABLE, SELF);
    tap_eq(rc, -XEN_EINVAL, "recursive writable linear map of our L2");
    mmu1(pt_maddr(l2_mfn, 500), 0, SELF); /* in case it was accepted */
    rc = mmu1(lin, 0, SELF);
    tap_eq(rc, 0, "the read-only linear map removed");
}

static void attack_own_tables(void)
{
    long rc;

    rc = uvm(spare, l1_mfn, RW);
    tap_eq(rc, -XEN_EBUSY, "writable mapping of our L1 (update_va_mapping)");
    rc = mmu1(spare_pte, ((uint64_t)l2_mfn << PAGE_SHIFT) | RW, SELF);
    tap_eq(rc, -XEN_EBUSY, "writable mapping of our L2 (mmu_update)");
    rc = uvm(spare, l3_mfn, RW);
    tap_eq(rc, -XEN_EBUSY, "writable mapping of our L3");
    rc = uvm(spare, l4_mfn, RW);
    tap_eq(rc, -XEN_EBUSY, "writable mapping of our L4");
    rc = uvm(spare, l4_mfn, RO);
    tap_eq(rc, 0, "... (a read-only one is fine)");
    spare_restore();
    {
        struct mmuext_op op = {.cmd = MMUEXT_CLEAR_PAGE, .arg1.mfn = l1_mfn};

        rc = HYPERVISOR_mmuext_op(&op, 1, NULL, SELF);
        tap_eq(rc, -XEN_EINVAL, "MMUEXT_CLEAR_PAGE of our L1");
    }
}

/* Linear entries one level deep: no chains, no cycles. */
static void attack_linear_chain(void)
{
    unsigned long t[4]; /* A, B, C, D: L2 tables */
    xen_pfn_t m[4];
    long rc = 0;

    for (unsigned int i = 0; i < 4; i++) {
        t[i] = mm_alloc_page();
        m[i] = virt_to_mfn(t[i]);
    }
    ((uint64_t *)t[0])[0] = ((uint64_t)m[1] << PAGE_SHIFT) | PTE_RO_TABLE;
    ((uint64_t *)t[2])[0] = ((uint64_t)m[0] << PAGE_SHIFT) | PTE_RO_TABLE;
    for (unsigned int i = 0; i < 4; i++)
        rc = rc ?: pt_map_ro(t[i]);
    rc = rc ?: pt_pin(m[1], 2) ?: pt_pin(m[3], 2);
    rc = rc ?: 0x100 + pt_pin(m[0], 2);
    tap_eq(rc, 0x100, "pin L2 A holding a read-only linear entry to L2 B");
    rc = pt_pin(m[2], 2);
    tap_eq(rc, -XEN_EINVAL, "linear chain: pin L2 C whose entry targets A");
    rc = mmu1(pt_maddr(m[1], 1), ((uint64_t)m[3] << PAGE_SHIFT) | PTE_RO_TABLE,
              SELF);
    tap_eq(rc, -XEN_EINVAL, "linear chain: B, a target, gets an entry to D");
    rc = mmu1(pt_maddr(m[1], 1), ((uint64_t)m[0] << PAGE_SHIFT) | PTE_RO_TABLE,
              SELF);
    tap_eq(rc, -XEN_EINVAL, "linear cycle: B gets an entry back to A");
    mmu1(pt_maddr(m[1], 1), 0, SELF); /* in case either was accepted */
    rc = pt_unpin(m[0]) ?: pt_unpin(m[1]) ?: pt_unpin(m[3]);
    for (unsigned int i = 0; i < 4; i++)
        rc = rc ?: pt_map_rw(t[i]);
    tap_eq(rc, 0, "... A, B, D unpinned, all four writable again");
}

static void attack_flags(void)
{
    xen_pfn_t pfn0 = pfn_to_mfn(0) & ~511UL;
    unsigned long tbl = mm_alloc_page();
    long rc;

    rc = mmu1(pt_maddr(l2_mfn, 500),
              ((uint64_t)pfn0 << PAGE_SHIFT) | PTE_TABLE | PTE_PSE, SELF);
    tap_eq(rc, -XEN_EINVAL, "PSE: a 2 MiB page in our L2");
    rc = mmu1(pt_maddr(l3_mfn, 500), PTE_TABLE | PTE_PSE, SELF);
    tap_eq(rc, -XEN_EINVAL, "PSE: a 1 GiB page in our L3");
    rc = uvm(spare, virt_to_mfn(spare), RW | PTE_PSE);
    tap_eq(rc, -XEN_EINVAL, "PAT (bit 7) in an L1 entry of a domU");
    rc = uvm(spare, virt_to_mfn(spare), RW | PTE_PCD | PTE_PWT);
    tap_eq(rc, -XEN_EINVAL, "PCD|PWT in an L1 entry of a domU");
    rc = mmu1(pt_maddr(l3_mfn, 500),
              ((uint64_t)l2_mfn << PAGE_SHIFT) | PTE_TABLE | PTE_PCD, SELF);
    tap_eq(rc, -XEN_EINVAL, "PCD in an L3 entry");
    spare_restore();
    mmu1(pt_maddr(l2_mfn, 500), 0, SELF); /* in case any was accepted */
    mmu1(pt_maddr(l3_mfn, 500), 0, SELF);

    ((uint64_t *)tbl)[7] = ((uint64_t)pfn0 << PAGE_SHIFT) | PTE_TABLE | PTE_PSE;
    pt_map_ro(tbl);
    rc = pt_pin(virt_to_mfn(tbl), 2);
    tap_eq(rc, -XEN_EINVAL, "PSE: pin an L2 holding a 2 MiB entry");
    pt_map_rw(tbl);
}

static void attack_pins(void)
{
    unsigned long rwpage = mm_alloc_page(), self = mm_alloc_page();
    unsigned long gdt = mm_alloc_page(), jl4 = mm_alloc_page();
    unsigned long frames[1];
    uint64_t *j;
    long rc;

    rc = pt_unpin(l4_mfn);
    tap_eq(rc, 0, "unpin the L4 in use as CR3 (CR3 keeps it typed)");
    rc = uvm(spare, l4_mfn, RW);
    tap_eq(rc, -XEN_EBUSY, "... it is still an L4: no writable mapping");
    rc = pt_unpin(l4_mfn);
    tap_eq(rc, -XEN_EINVAL, "... unpinning it again: not pinned");
    rc = pt_pin(l4_mfn, 4);
    tap_eq(rc, 0, "... pinned again");
    rc = pt_pin(l4_mfn, 4);
    tap_eq(rc, -XEN_EINVAL, "pin it twice");
    rc = pt_unpin(l1_mfn);
    tap_eq(rc, -XEN_EINVAL, "unpin an L1 that was never pinned");
    spare_restore();

    rc = pt_pin(virt_to_mfn(rwpage), 1);
    tap_eq(rc, -XEN_EINVAL,
           "type confusion: pin as L1 a frame mapped writable");
    rc = pt_pin(l2_mfn, 1);
    tap_eq(rc, -XEN_EINVAL, "type confusion: pin our L2 as an L1");
    rc = pt_pin(l4_mfn, 3);
    tap_eq(rc, -XEN_EINVAL, "type confusion: pin our L4 as an L3");
    rc = pt_mmuext(MMUEXT_NEW_BASEPTR, l1_mfn);
    tap_eq(rc, -XEN_EINVAL, "type confusion: MMUEXT_NEW_BASEPTR to our L1");
    rc = pt_mmuext(MMUEXT_NEW_USER_BASEPTR, virt_to_mfn(rwpage));
    tap_eq(rc, -XEN_EINVAL,
           "type confusion: MMUEXT_NEW_USER_BASEPTR to a writable page");

    ((uint64_t *)gdt)[2] = DESC_DATA_DPL3;
    pt_map_ro(gdt);
    frames[0] = virt_to_mfn(gdt);
    rc = HYPERVISOR_set_gdt(frames, 512);
    rc = rc ?: 0x100 + pt_pin(frames[0], 1);
    tap_eq(rc, 0x100 - XEN_EINVAL, "type confusion: pin a GDT frame as an L1");
    HYPERVISOR_set_gdt(frames, 0);
    pt_map_rw(gdt);

    /* An L1 that maps itself writable can never validate. */
    ((uint64_t *)self)[0] = ((uint64_t)virt_to_mfn(self) << PAGE_SHIFT) | RW;
    pt_map_ro(self);
    rc = pt_pin(virt_to_mfn(self), 1);
    tap_eq(rc, -XEN_EBUSY, "pin an L1 holding a writable mapping of itself");
    pt_map_rw(self);

    /* Entries in the hypervisor's L4 slots are replaced on validation. */
    j = (uint64_t *)jl4;
    memcpy(j, (const void *)start_info->pt_base, PAGE_SIZE);
    j[262] = ((uint64_t *)start_info->pt_base)[511];
    j[257] = ((uint64_t)l1_mfn << PAGE_SHIFT) | PTE_TABLE;
    pt_map_ro(jl4);
    rc = pt_pin(virt_to_mfn(jl4), 4);
    tap_eq(rc, 0, "pin an L4 with our tables in hypervisor slots 257, 262");
    tap_ok(j[262] == ((uint64_t *)start_info->pt_base)[262] &&
               j[257] == ((uint64_t *)start_info->pt_base)[257],
           "... they were replaced by the hypervisor's entries");
    rc = pt_unpin(virt_to_mfn(jl4));
    rc = rc ?: 0x100 + pt_map_rw(jl4);
    tap_eq(rc, 0x100, "... unpinned and writable again");
}

static void attack_freed_frame(void)
{
    unsigned long page = mm_alloc_page(), pfn = virt_to_pfn(page);
    xen_pfn_t mfn = pfn_to_mfn(pfn), list = mfn;
    long rc;

    rc = mm_unmap(page);
    rc = rc ?: reservation(XENMEM_decrease_reservation, &list);
    tap_eq(rc, 1, "decrease_reservation gives an unmapped frame back");
    ((xen_pfn_t *)start_info->mfn_list)[pfn] = INVALID_P2M_ENTRY;
    rc = uvm(spare, mfn, RO);
    tap_eq(rc, -XEN_EBUSY, "map the frame freed by decrease_reservation");
    rc = pt_pin(mfn, 1);
    tap_eq(rc, -XEN_EINVAL, "pin the freed frame as an L1");
    rc = mmu1(pt_maddr(mfn, 0), 0, SELF);
    tap_eq(rc, -XEN_EINVAL, "mmu_update writing into the freed frame");
    spare_restore();

    list = pfn;
    rc = reservation(XENMEM_populate_physmap, &list);
    if (rc == 1) {
        ((xen_pfn_t *)start_info->mfn_list)[pfn] = list;
        rc = 0x100 + uvm(page, list, RW);
    }
    tap_eq(rc, 0x100, "populate_physmap gives us a frame back for that pfn");
}

/*
 * decrease_reservation of frames still in use: pvisor refuses the extent
 * (Xen would count it done and free the frame only when its last
 * reference goes: common/memory.c's header); either way the frame may
 * not be freed while anything maps or pins it.
 */
static void attack_give_back_in_use(void)
{
    unsigned long a = mm_alloc_page(), b = mm_alloc_page(),
                  c = mm_alloc_page(), pfn_a = virt_to_pfn(a);
    xen_pfn_t ma = virt_to_mfn(a), mb = virt_to_mfn(b), mc = virt_to_mfn(c);
    xen_pfn_t list[3] = {ma, mb, mc};
    long before = current_pages(), rc;

    *(volatile uint64_t *)b = 0xfeedface;
    list[0] = mb;
    rc = reservation(XENMEM_decrease_reservation, list);
    tap_eq(rc, 0, "decrease_reservation of a frame still mapped: 0 done");
    tap_ok(*(volatile uint64_t *)b == 0xfeedface && current_pages() == before,
           "... the frame is still ours, its contents intact");

    rc = mm_unmap(a);
    rc = rc ?: uvm(spare, ma, RO);
    list[0] = ma;
    rc = rc ?: reservation(XENMEM_decrease_reservation, list);
    tap_eq(rc, 0, "... refused also when it is mapped only at another address");
    spare_restore();

    rc = pt_pin(ma, 1);
    list[0] = ma;
    rc = rc ?: reservation(XENMEM_decrease_reservation, list);
    tap_eq(rc, 0, "... and when it is a pinned L1 mapped nowhere");
    rc = pt_unpin(ma);
    tap_eq(rc, 0, "... which still unpins");

    /* A batch stops at its first refused frame; the count says where. */
    rc = mm_unmap(c);
    list[0] = ma;
    list[1] = mb;
    list[2] = mc;
    rc = rc ?: reservation_n(XENMEM_decrease_reservation, list, 3);
    tap_eq(rc, 1, "a batch of unmapped, mapped, unmapped frames: 1 done");
    tap_eq(current_pages(), before - 1, "... one frame less in our reservation");
    ((xen_pfn_t *)start_info->mfn_list)[pfn_a] = INVALID_P2M_ENTRY;
    tap_eq(uvm(spare, ma, RO), -XEN_EBUSY, "... the first frame is gone");
    tap_eq(uvm(spare, mc, RO), 0, "... the third is still ours");
    spare_restore();

    /* Back as we were: the third mapped again, a frame for the first. */
    rc = mm_map(c, mc, RW);
    list[0] = pfn_a;
    rc = rc ?: reservation(XENMEM_populate_physmap, list) - 1;
    if (!rc) {
        ((xen_pfn_t *)start_info->mfn_list)[pfn_a] = list[0];
        rc = mm_map(a, list[0], RW);
    }
    tap_eq(rc, 0, "... restored: a new frame for the first, the third mapped");
    tap_eq(current_pages(), before, "... our reservation is what it was");
}

static void attack_ldt(void)
{
    unsigned long ldt = mm_alloc_page();
    uint16_t ds;
    long rc, v;

    __asm__ __volatile__("mov %%ds, %0" : "=r"(ds));
    ((uint64_t *)ldt)[0] = DESC_DATA_DPL3;
    {
        struct mmuext_op op = {.cmd = MMUEXT_SET_LDT,
                               .arg1.linear_addr = ldt + 8,
                               .arg2.nr_ents = 1};

        rc = HYPERVISOR_mmuext_op(&op, 1, NULL, SELF);
        tap_eq(rc, -XEN_EINVAL, "SET_LDT at a misaligned address");
        op.arg1.linear_addr = ldt;
        op.arg2.nr_ents = 8193;
        rc = HYPERVISOR_mmuext_op(&op, 1, NULL, SELF);
        tap_eq(rc, -XEN_EINVAL, "SET_LDT with 8193 entries");
        op.arg1.linear_addr = HV_ADDR_PRIVATE;
        op.arg2.nr_ents = 1;
        rc = HYPERVISOR_mmuext_op(&op, 1, NULL, SELF);
        tap_eq(rc, -XEN_EINVAL, "SET_LDT in the hypervisor's memory");
        op.arg1.linear_addr = ldt;
        rc = HYPERVISOR_mmuext_op(&op, 1, NULL, SELF);
        tap_eq(rc, 0, "SET_LDT on a writable frame (mapped lazily on use)");
    }
    v = load_ds(0x7);
    tap_check(v == 14 && trap_last.cr2 == ldt && trap_last.error_code == 0,
              "no #PF at the LDT",
              "... whose first use faults: #PF at the "
              "LDT address, error code 0");
    tap_diag("vector %ld cr2 %#lx (LDT %#lx) error %#lx", v, trap_last.cr2, ldt,
             trap_last.error_code);
    load_ds(ds);
    rc = pt_map_ro(ldt);
    tap_eq(rc, 0, "... the frame mapped read-only");
    tap_eq(load_ds(0x7), -1, "... now the LDT selector loads");
    load_ds(ds);
    {
        struct mmuext_op op = {.cmd = MMUEXT_SET_LDT};

        rc = HYPERVISOR_mmuext_op(&op, 1, NULL, SELF);
    }
    rc = rc ?: 0x100 + pt_map_rw(ldt);
    tap_eq(rc, 0x100, "... the LDT released, the frame writable again");
}

static void attack_buffers(void)
{
    mmu_update_t *edge = (mmu_update_t *)(bad_hole - 2 * sizeof(mmu_update_t));
    struct mmuext_op *oedge =
        (struct mmuext_op *)(bad_hole - 2 * sizeof(struct mmuext_op));
    mmu_update_t req = {.ptr = spare_pte,
                        .val =
                            ((uint64_t)virt_to_mfn(spare) << PAGE_SHIFT) | RW};
    unsigned int done;
    unsigned long mask = 1;
    long rc;

    edge[0] = edge[1] = req;
    done = 0;
    rc = HYPERVISOR_mmu_update(edge, 0x7fffffff, &done, SELF);
    tap_check(rc == -XEN_EFAULT && done == 2, xen_errno_name(rc),
              "mmu_update count 0x7fffffff: two done, then -EFAULT");
    done = 5;
    rc = HYPERVISOR_mmu_update(edge, 0xffffffff, &done, SELF);
    tap_check(rc == -XEN_EFAULT && done == 7, xen_errno_name(rc),
              "count 0xffffffff is a continuation: done counts on from 5");
    oedge[0].cmd = oedge[1].cmd = MMUEXT_TLB_FLUSH_LOCAL;
    done = 0;
    rc = HYPERVISOR_mmuext_op(oedge, 0x7fffffff, &done, SELF);
    tap_check(rc == -XEN_EFAULT && done == 2, xen_errno_name(rc),
              "mmuext_op count 0x7fffffff: two done, then -EFAULT");

    done = 0xdead;
    rc = HYPERVISOR_mmu_update((mmu_update_t *)bad_hole, 1, &done, SELF);
    tap_check(rc == -XEN_EFAULT && done == 0, xen_errno_name(rc),
              "mmu_update from an unmapped page: -EFAULT, none done");
    done = 0xdead;
    rc = HYPERVISOR_mmu_update((mmu_update_t *)HV_ADDR_M2P, 1, &done, SELF);
    tap_check(rc == -XEN_EFAULT && done == 0xdead, xen_errno_name(rc),
              "mmu_update from the hypervisor's memory: -EFAULT, *pdone "
              "untouched");
    done = 0xdead;
    rc = HYPERVISOR_mmuext_op((struct mmuext_op *)NONCANONICAL_ADDR, 1, &done,
                              SELF);
    tap_check(rc == -XEN_EFAULT && done == 0xdead, xen_errno_name(rc),
              "mmuext_op from a non-canonical address: -EFAULT, *pdone "
              "untouched");
    rc = HYPERVISOR_mmu_update(&req, 1, (unsigned int *)bad_hole, SELF);
    tap_eq(rc, 0, "an unwritable *pdone is ignored (the update is done)");
    rc = HYPERVISOR_mmu_update(&req, 1, (unsigned int *)HV_ADDR_PRIVATE, SELF);
    tap_eq(rc, 0, "*pdone in the hypervisor's memory is ignored too");

    {
        struct mmuext_op op = {.cmd = MMUEXT_TLB_FLUSH_MULTI};

        set_xen_guest_handle(op.arg2.vcpumask, (void *)bad_hole);
        rc = HYPERVISOR_mmuext_op(&op, 1, NULL, SELF);
        tap_eq(rc, -XEN_EINVAL, "TLB_FLUSH_MULTI with an unreadable vcpumask");
        set_xen_guest_handle(op.arg2.vcpumask, &mask);
        rc = HYPERVISOR_mmuext_op(&op, 1, NULL, SELF);
        tap_eq(rc, 0, "... (with a readable one it flushes)");
        op.cmd = 99;
        rc = HYPERVISOR_mmuext_op(&op, 1, NULL, SELF);
        tap_eq(rc, -XEN_ENOSYS, "mmuext_op command 99");
    }
    rc = HYPERVISOR_update_va_mapping(spare, req.val,
                                      UVMF_INVLPG | (unsigned long)bad_hole);
    tap_eq(rc, -XEN_EFAULT, "update_va_mapping with an unreadable vcpumask");
    rc = HYPERVISOR_update_va_mapping(HV_ADDR_PRIVATE, req.val, UVMF_INVLPG);
    tap_eq(rc, -XEN_EINVAL, "update_va_mapping of a hypervisor address");
    rc = HYPERVISOR_update_va_mapping(0x0000100000000000UL, req.val, 0);
    tap_eq(rc, -XEN_EINVAL, "update_va_mapping where no L1 exists");
    rc = mmu1(spare_pte | MMU_PT_UPDATE_NO_TRANSLATE, req.val, SELF);
    tap_eq(rc, 0, "MMU_PT_UPDATE_NO_TRANSLATE: a normal update for PV");
}

/* Entries 0, 1 apply, 2 fails, 3 must not be applied. */
static void attack_half_batch(void)
{
    unsigned long a = mm_alloc_page(), b = mm_alloc_page();
    unsigned long tbl = mm_alloc_page();
    xen_pfn_t am = virt_to_mfn(a), bm = virt_to_mfn(b), tm;
    mmu_update_t req[4];
    struct mmuext_op ops[3];
    unsigned int done = 99;
    long rc;

    *(volatile uint64_t *)a = 0xaaaa;
    *(volatile uint64_t *)b = 0xbbbb;
    req[0].ptr = pt_entry_maddr(l4_mfn, a, 1);
    req[0].val = ((uint64_t)bm << PAGE_SHIFT) | RO;
    req[1].ptr = pt_entry_maddr(l4_mfn, b, 1);
    req[1].val = ((uint64_t)am << PAGE_SHIFT) | RO;
    req[2].ptr = spare_pte;
    req[2].val = ((uint64_t)l1_mfn << PAGE_SHIFT) | RW;
    req[3].ptr = req[0].ptr;
    req[3].val = 0;
    rc = HYPERVISOR_mmu_update(req, 4, &done, SELF);
    tap_check(rc == -XEN_EBUSY && done == 2, xen_errno_name(rc),
              "a batch of 4 whose third fails: its error, 2 done");
    pt_mmuext(MMUEXT_TLB_FLUSH_LOCAL, 0);
    tap_ok(*(volatile uint64_t *)a == 0xbbbb &&
               *(volatile uint64_t *)b == 0xaaaa,
           "... the first two applied, the fourth not");
    uvm(a, am, RW);
    uvm(b, bm, RW);

    tm = virt_to_mfn(tbl);
    pt_map_ro(tbl);
    ops[0].cmd = ops[1].cmd = MMUEXT_PIN_L1_TABLE;
    ops[2].cmd = MMUEXT_UNPIN_TABLE;
    ops[0].arg1.mfn = ops[1].arg1.mfn = ops[2].arg1.mfn = tm;
    done = 99;
    rc = HYPERVISOR_mmuext_op(ops, 3, &done, SELF);
    tap_check(rc == -XEN_EINVAL && done == 1, xen_errno_name(rc),
              "mmuext_op pin, pin again, unpin: -EINVAL, 1 done");
    rc = pt_unpin(tm);
    rc = rc ?: 0x100 + pt_map_rw(tbl);
    tap_eq(rc, 0x100, "... the first pin applied (and undone)");
}

int guest_main(void)
{
    xen_pfn_t max_page, victim;
    domid_t self = DOMID_SELF;
    long pages_before, rc;
    const char *vname = "another domain's frame";

    guest_init_basic();
    bad_ptrs_init();
    spare = mm_alloc_page();
    max_page = (xen_pfn_t)HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
    pages_before = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);

    l4_mfn = pt_current_l4();
    l3_mfn = table_below(GUEST_VIRT_BASE, 4);
    l2_mfn = table_below(GUEST_VIRT_BASE, 3);
    l1_mfn = table_below(GUEST_VIRT_BASE, 2);
    spare_pte = pt_entry_maddr(l4_mfn, spare, 1);
    tap_ok(l4_mfn == virt_to_mfn(start_info->pt_base) && l3_mfn && l2_mfn &&
               l1_mfn && spare_pte,
           "found our L4, L3, L2, L1 and the spare page's entry");

    victim = cmdline_ulong("victim", 0);
    if (!victim || ours(victim)) {
        /* Run alone: the last frame of RAM, whoever has it, is not ours. */
        victim = max_page - 1;
        vname = "the last frame of RAM (not ours)";
    }
    tap_diag("victim frame %#lx: %s", victim, vname);
    snapshot(snap_before);

    attack_own_tables();
    attack_foreign(victim, vname, max_page);
    attack_hypervisor();
    attack_flags();
    attack_linear_chain();
    attack_pins();
    attack_freed_frame();
    attack_give_back_in_use();
    attack_ldt();
    attack_buffers();
    attack_half_batch();

    snapshot(snap_after);
    tap_ok(!memcmp(snap_before, snap_after, sizeof(snap_before)),
           "our boot page tables are as they were");
    tap_eq(pt_current_l4(), l4_mfn, "CR3 is our L4");
    rc = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
    tap_eq(rc, pages_before, "our reservation is what it was");
    *(volatile uint64_t *)spare = 0x5a5a;
    tap_eq_hex(*(volatile uint64_t *)spare, 0x5a5a, "the spare page works");
    ridiculous_alive();
    tap_done();
}
