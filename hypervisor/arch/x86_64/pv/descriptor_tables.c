/* SPDX-License-Identifier: MIT */
/*
 * Guest descriptor tables: set_gdt, update_descriptor and the LDT
 * (public/xen.h), and loading them on a context switch.
 *
 * A guest's GDT frames and LDT frames take the segment-descriptor type,
 * which requires every descriptor in them to pass check_descriptor() and
 * excludes any writable mapping; the guest changes them only through
 * update_descriptor.  They are mapped into the vCPU's 16-page GDT window
 * (pages 0-13), with the running CPU's page of hypervisor descriptors as
 * page 14, and the window is what GDTR points at while the vCPU runs.
 *
 * MMUEXT_SET_LDT checks only the LDT's address and size, as Xen does.
 * Each LDT page is mapped into the vCPU's LDT window when its frame can
 * take the descriptor type: at once if it can, else on the guest's first
 * use of it, from the page fault in the window.  If the frame still
 * cannot (it is mapped writable, or not mapped at all), the guest gets
 * the #PF at its own LDT address, as from Xen's lazy LDT mapping.
 */
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <asm/uaccess.h>
#include <pvisor/guest_access.h>
#include <pvisor/lib.h>
#include <pvisor/smp.h>
#include <xen/errno.h>

#define DESC_P (1ULL << 47)
#define DESC_S (1ULL << 44)   /* code/data (1) or system (0) */
#define DESC_DPL3 (3ULL << 45)
#define DESC_TYPE(d) (((d) >> 40) & 0xf)

/*
 * Whether a descriptor may be in a guest table; raises code and data
 * descriptors to DPL 3 in place (the guest kernel runs at CPL 3).
 */
static bool check_descriptor(uint64_t *d)
{
    if (!(*d & DESC_P))
        return true; /* not present: unusable, so harmless */
    if (!(*d & DESC_S))
        return DESC_TYPE(*d) == 0; /* no TSS, LDT, gate or call gate */
    *d |= DESC_DPL3;
    return true;
}

int pv_validate_segdesc_page(const uint64_t *descs)
{
    uint64_t *d = (uint64_t *)descs;

    for (unsigned int i = 0; i < PAGE_SIZE / 8; i++)
        if (!check_descriptor(&d[i]))
            return -XEN_EINVAL;
    return 0;
}

/* The per-domain L1 entry for va (GDT windows first 2 MiB, then LDT). */
static pte_t *window_l1(struct vcpu *v, unsigned long va)
{
    unsigned int which = l2_index(va) - l2_index(PERDOMAIN_VIRT_START);

    BUG_ON(which > 1);
    return &v->domain->arch.perdomain_l1[which][l1_index(va)];
}

static void window_map(struct vcpu *v, unsigned long va, unsigned long mfn,
                       uint64_t flags)
{
    *window_l1(v, va) = mfn ? (mfn << PAGE_SHIFT) | flags : 0;
    if (v == current)
        invlpg((void *)va);
}

void pv_destroy_gdt(struct vcpu *v)
{
    unsigned long base = PERDOMAIN_GDT_WINDOW(v->vcpu_id);

    for (unsigned int i = 0; i < FIRST_RESERVED_GDT_PAGE; i++) {
        unsigned long mfn = v->arch.gdt_frames[i];

        if (mfn)
            put_page_and_type(mfn_to_page(mfn));
        v->arch.gdt_frames[i] = 0;
        window_map(v, base + i * PAGE_SIZE, desc_zero_page_mfn(), PTE_HV_RO);
    }
    v->arch.gdt_ents = 0;
}

int pv_set_gdt(struct vcpu *v, const unsigned long *frames, unsigned int ents)
{
    unsigned int nr = (ents + 511) / 512, i;
    unsigned long base = PERDOMAIN_GDT_WINDOW(v->vcpu_id);

    if (ents > FIRST_RESERVED_GDT_ENTRY)
        return -XEN_EINVAL;
    for (i = 0; i < nr; i++)
        if (!mfn_valid(frames[i]) ||
            get_page_and_type(mfn_to_page(frames[i]), v->domain,
                              PGT_seg_desc))
            break;
    if (i < nr) {
        while (i-- > 0)
            put_page_and_type(mfn_to_page(frames[i]));
        return -XEN_EINVAL;
    }
    pv_destroy_gdt(v);
    for (i = 0; i < nr; i++) {
        v->arch.gdt_frames[i] = frames[i];
        window_map(v, base + i * PAGE_SIZE, frames[i], PTE_HV_RW);
    }
    v->arch.gdt_ents = ents;
    if (v == current)
        pv_load_descriptor_tables(v);
    return 0;
}

/* Maps LDT page i into v's window if its frame takes the type (mm_lock). */
static bool map_ldt_page(struct vcpu *v, unsigned int i)
{
    unsigned long va = PERDOMAIN_LDT_WINDOW(v->vcpu_id) + i * PAGE_SIZE;
    unsigned long mfn;

    if (*window_l1(v, va) & PTE_P)
        return true;
    mfn = pv_guest_va_to_mfn(v, v->arch.ldt_base + i * PAGE_SIZE);
    if (!mfn || get_page_and_type(mfn_to_page(mfn), v->domain, PGT_seg_desc))
        return false;
    window_map(v, va, mfn, PTE_HV_RW);
    return true;
}

int pv_set_ldt(struct vcpu *v, unsigned long ldt_base, unsigned int ents)
{
    unsigned long win = PERDOMAIN_LDT_WINDOW(v->vcpu_id);
    unsigned int nr = (ents * 8 + PAGE_SIZE - 1) / PAGE_SIZE, i;

    /* Xen checks the base only when there are entries (do_mmuext_op). */
    if (ents && ((ldt_base & ~PAGE_MASK) || ents > 8192 ||
                 !guest_range_ok(ldt_base, ents * 8UL)))
        return -XEN_EINVAL;
    /* Drop the old LDT. */
    for (i = 0; i < 16; i++) {
        pte_t e = *window_l1(v, win + i * PAGE_SIZE);
        if (e & PTE_P)
            put_page_and_type(mfn_to_page((e & PTE_ADDR_MASK) >> PAGE_SHIFT));
        window_map(v, win + i * PAGE_SIZE, 0, 0);
    }
    v->arch.ldt_base = ents ? ldt_base : 0;
    v->arch.ldt_ents = ents;
    for (i = 0; i < nr; i++)
        map_ldt_page(v, i); /* the others on first use */
    if (v == current)
        pv_load_descriptor_tables(v);
    return 0;
}

bool pv_ldt_page_fault(struct vcpu *v, unsigned long *cr2)
{
    unsigned long win = PERDOMAIN_LDT_WINDOW(v->vcpu_id);
    unsigned long offset = *cr2 - win;
    bool mapped;

    if (*cr2 < win || offset >= 16 * PAGE_SIZE)
        return false;
    if ((offset >> 3) >= v->arch.ldt_ents) {
        *cr2 = v->arch.ldt_base + offset; /* beyond the LDT */
        return false;
    }
    mm_lock(v->domain);
    mapped = map_ldt_page(v, (unsigned int)(offset >> PAGE_SHIFT));
    mm_unlock(v->domain);
    if (!mapped)
        *cr2 = v->arch.ldt_base + offset; /* the guest's own address */
    return mapped;
}

void pv_load_descriptor_tables(struct vcpu *v)
{
    unsigned int cpu = smp_processor_id();
    unsigned long base = PERDOMAIN_GDT_WINDOW(v->vcpu_id);

    /* Page 14: this CPU's hypervisor descriptors (its TSS, its LDT slot). */
    window_map(v, base + FIRST_RESERVED_GDT_PAGE * PAGE_SIZE,
               desc_cpu_gdt_mfn(cpu), PTE_HV_RW);
    invlpg((void *)(base + FIRST_RESERVED_GDT_PAGE * PAGE_SIZE));
    desc_load_gdt(base);
    desc_load_ldt(cpu, v->arch.ldt_ents ? PERDOMAIN_LDT_WINDOW(v->vcpu_id)
                                        : 0,
                  v->arch.ldt_ents);
}

long do_set_gdt(unsigned long frame_list, unsigned long entries)
{
    unsigned long frames[16];
    unsigned int nr = (unsigned int)((entries + 511) / 512);
    long rc;

    if (entries > FIRST_RESERVED_GDT_ENTRY)
        return -XEN_EINVAL;
    if (copy_from_guest_raw(frames, frame_list, nr * sizeof(unsigned long)))
        return -XEN_EFAULT;
    mm_lock(current->domain);
    rc = pv_set_gdt(current, frames, (unsigned int)entries);
    mm_unlock(current->domain);
    return rc;
}

long do_update_descriptor(unsigned long maddr, unsigned long desc)
{
    struct domain *d = current->domain;
    unsigned long mfn = maddr >> PAGE_SHIFT;
    struct page_info *pg;
    uint64_t nd = desc;
    long rc = -XEN_EINVAL;

    if ((maddr & 7) || !mfn_valid(mfn) || !check_descriptor(&nd))
        return -XEN_EINVAL;
    pg = mfn_to_page(mfn);
    mm_lock(d);
    if (!get_page(pg, d))
        goto out;
    if ((pg->type_info & PGT_type_mask) == PGT_seg_desc &&
        (pg->type_info & PGT_count_mask)) {
        *(volatile uint64_t *)((char *)mfn_to_virt(mfn) +
                               (maddr & ~PAGE_MASK)) = nd;
        rc = 0;
    } else if (get_page_type(pg, PGT_writable) == 0) {
        *(volatile uint64_t *)((char *)mfn_to_virt(mfn) +
                               (maddr & ~PAGE_MASK)) = nd;
        put_page_type(pg);
        rc = 0;
    }
    put_page(pg);
out:
    mm_unlock(d);
    return rc;
}
