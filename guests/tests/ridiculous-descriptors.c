/* SPDX-License-Identifier: MIT */
/*
 * Ridiculous arguments to set_gdt (#2) and update_descriptor (#10), after
 * xen/arch/x86/pv/descriptor-tables.c: more than 7168 entries is -EINVAL
 * before anything is read, an unreadable frame list -EFAULT, a frame we do
 * not own or that cannot become a descriptor page (a page table, a
 * writable page, an MFN beyond RAM) -EINVAL with the old GDT kept;
 * update_descriptor refuses misaligned or foreign addresses, page-table
 * frames and system descriptors with -EINVAL.
 */
#include "ridiculous.h"

#define DESC_DATA_DPL3   0x00cff2000000ffffUL
#define DESC_CALLGATE_HV 0x0000ec00e0080000UL /* call gate to 0xe008 (ring 0)  \
                                               */
#define DESC_TASKGATE 0x0000e50000000000UL

static long load_ds(uint16_t sel)
{
    unsigned long before = trap_probe_reset();

    PROBE("mov %w[s], %%ds", : : [s] "r"(sel) : "memory");
    return trap_total() != before ? (long)trap_last.vector : -1;
}

int guest_main(void)
{
    unsigned long gdt = mm_alloc_page(), plain = mm_alloc_page();
    unsigned long frames[16], max_page;
    long rc;

    guest_init_basic();
    bad_ptrs_init();
    max_page =
        (unsigned long)HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);

    /* Install a valid GDT first so we can check it survives the attacks. */
    ((uint64_t *)gdt)[2] = DESC_DATA_DPL3;
    frames[0] = virt_to_mfn(gdt);
    mm_map(gdt, frames[0], PTE_P | PTE_A);
    rc = HYPERVISOR_set_gdt(frames, 512);
    tap_eq(rc, 0, "a valid GDT to defend");

    rc = HYPERVISOR_set_gdt(NULL, 512);
    tap_eq(rc, -XEN_EFAULT, "set_gdt(NULL, 512)");
    NOT_NULL_BAD_PTRS(i)
    {
        rc = HYPERVISOR_set_gdt((unsigned long *)bad_ptrs[i].addr, 512);
        tap_eq(rc, -XEN_EFAULT, "set_gdt(%s, 512)", bad_ptrs[i].name);
    }
    rc = HYPERVISOR_set_gdt(frames, 0xffffffffUL);
    tap_eq(rc, -XEN_EINVAL, "set_gdt with 0xffffffff entries");
    rc = HYPERVISOR_set_gdt(NULL, FIRST_RESERVED_GDT_ENTRY + 1);
    tap_eq(rc, -XEN_EINVAL, "too many entries is checked before the list");

    frames[0] = virt_to_mfn(start_info->pt_base);
    rc = HYPERVISOR_set_gdt(frames, 512);
    tap_eq(rc, -XEN_EINVAL, "set_gdt on our L4 page-table frame");
    frames[0] = virt_to_mfn(plain);
    rc = HYPERVISOR_set_gdt(frames, 512);
    tap_eq(rc, -XEN_EINVAL, "set_gdt on a writably mapped frame");
    frames[0] = max_page + 16;
    rc = HYPERVISOR_set_gdt(frames, 512);
    tap_eq(rc, -XEN_EINVAL, "set_gdt on an MFN beyond RAM");
    frames[0] = ~0UL;
    rc = HYPERVISOR_set_gdt(frames, 512);
    tap_eq(rc, -XEN_EINVAL, "set_gdt on MFN ~0");
    frames[0] = virt_to_mfn(gdt);
    frames[1] = virt_to_mfn(plain); /* second frame bad: all-or-nothing */
    rc = HYPERVISOR_set_gdt(frames, 1024);
    tap_eq(rc, -XEN_EINVAL, "set_gdt with a bad second frame");
    tap_eq(load_ds(0x13), -1, "the old GDT is still installed");
    load_ds(0);

    rc = HYPERVISOR_update_descriptor(virt_to_maddr(gdt) + 3, DESC_DATA_DPL3);
    tap_eq(rc, -XEN_EINVAL, "update_descriptor at a misaligned address");
    rc = HYPERVISOR_update_descriptor((uint64_t)(max_page + 16) << PAGE_SHIFT,
                                      DESC_DATA_DPL3);
    tap_eq(rc, -XEN_EINVAL, "update_descriptor in a frame beyond RAM");
    rc = HYPERVISOR_update_descriptor(~7UL, DESC_DATA_DPL3);
    tap_eq(rc, -XEN_EINVAL, "update_descriptor at machine address ~7");
    rc = HYPERVISOR_update_descriptor(virt_to_maddr(start_info->pt_base),
                                      DESC_DATA_DPL3);
    tap_eq(rc, -XEN_EINVAL, "update_descriptor into our L4");
    rc = HYPERVISOR_update_descriptor(virt_to_maddr(gdt) + 8, DESC_CALLGATE_HV);
    tap_eq(rc, -XEN_EINVAL, "a call gate to the hypervisor's ring-0 selector");
    rc = HYPERVISOR_update_descriptor(virt_to_maddr(gdt) + 8, DESC_TASKGATE);
    tap_eq(rc, -XEN_EINVAL, "a task gate");
    tap_eq_hex(((uint64_t *)gdt)[1], 0, "nothing was written");

    rc = HYPERVISOR_set_gdt(frames, 0);
    tap_eq(rc, 0, "our GDT released");
    ridiculous_alive();
    tap_done();
}
