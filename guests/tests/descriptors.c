/* SPDX-License-Identifier: MIT */
/*
 * Test guest for set_gdt (#2) and update_descriptor (#10), following
 * xen/arch/x86/pv/descriptor-tables.c and check_descriptor (x86_64/mm.c):
 *
 *  - a GDT frame must be mapped read-only before set_gdt takes it as a
 *    descriptor page (a writable mapping makes set_gdt fail with -EINVAL);
 *  - the installed descriptors are live: our data selector loads;
 *  - update_descriptor validates: code/data are accepted with DPL raised
 *    to 3, not-present anything is accepted, TSS/LDT/interrupt gates are
 *    refused, the address must be 8-byte aligned and in a frame we own that
 *    is not a page table;
 *  - set_gdt(.., 0) releases the frame, which can then be mapped writable.
 */
#include "cpu.h"
#include "hypercall.h"
#include "mm.h"
#include "tap.h"
#include "traps.h"

#include <xen/errno.h>

#define DESC_CODE64_DPL3 0x00affa000000ffffUL
#define DESC_DATA_DPL3   0x00cff2000000ffffUL
#define DESC_DATA_DPL0   0x00cf92000000ffffUL
#define DESC_TSS64       0x0000890000000067UL
#define DESC_LDT         0x0000820000000fffUL
#define DESC_INTGATE     0x00008e000000e008UL
#define DESC_NOT_PRESENT 0x0000090000001234UL /* TSS type, but P clear */
#define DESC_DPL_SHIFT   45

static long load_ds(uint16_t sel)
{
    unsigned long before = trap_probe_reset();

    PROBE("mov %w[s], %%ds", : : [s] "r"(sel) : "memory");
    return trap_total() != before ? (long)trap_last.vector : -1;
}

static uint16_t read_ds(void)
{
    uint16_t sel;

    __asm__ __volatile__("mov %%ds, %w0" : "=r"(sel));
    return sel;
}

int guest_main(void)
{
    unsigned long gdt = mm_alloc_page(), plain = mm_alloc_page();
    uint64_t *desc = (uint64_t *)gdt;
    unsigned long frames[1] = {virt_to_mfn(gdt)};
    uint64_t base = virt_to_maddr(gdt);
    long rc;

    guest_init_basic();
    desc[1] = DESC_CODE64_DPL3;
    desc[2] = DESC_DATA_DPL3;

    rc = HYPERVISOR_set_gdt(frames, 512);
    tap_eq(rc, -XEN_EINVAL, "set_gdt refuses a frame that is mapped writable");
    rc = mm_map(gdt, frames[0], PTE_P | PTE_A);
    tap_eq(rc, 0, "update_va_mapping maps the GDT frame read-only");
    rc = HYPERVISOR_set_gdt(frames, 512);
    tap_eq(rc, 0, "set_gdt with one read-only frame, 512 entries");

    tap_eq(load_ds(0x13), -1, "loading %%ds with our GDT selector 0x13 works");
    tap_eq_hex(read_ds(), 0x13, "%%ds reads back 0x13");
    tap_eq(load_ds(0), -1, "%%ds back to the null selector");
    tap_eq(load_ds((600 << 3) | 3), 13,
           "a selector past the installed entries raises #GP");
    tap_eq_hex(trap_last.error_code, 600 << 3,
               "#GP error code is the selector");

    tap_eq(probe_write8(gdt + 16, 0), 14,
           "writing the GDT frame through its read-only mapping faults");
    tap_eq_hex(trap_last.error_code, 3, "#PF error code P|W");

    rc = HYPERVISOR_update_descriptor(base + 3 * 8, DESC_DATA_DPL0);
    tap_eq(rc, 0, "update_descriptor accepts a DPL 0 data descriptor");
    tap_eq((desc[3] >> DESC_DPL_SHIFT) & 3, 3, "... and stores it with DPL 3");
    tap_eq_hex(desc[3], DESC_DATA_DPL3, "... otherwise unchanged");
    tap_eq(load_ds(0x1b), -1, "the updated descriptor loads (selector 0x1b)");
    load_ds(0);

    rc = HYPERVISOR_update_descriptor(base + 4 * 8, DESC_CODE64_DPL3);
    tap_eq(rc, 0, "update_descriptor accepts a 64-bit code descriptor");
    rc = HYPERVISOR_update_descriptor(base + 5 * 8, DESC_NOT_PRESENT);
    tap_eq(rc, 0, "update_descriptor accepts any not-present descriptor");
    tap_eq_hex(desc[5], DESC_NOT_PRESENT, "... stored as given");
    rc = HYPERVISOR_update_descriptor(base + 6 * 8, DESC_TSS64);
    tap_eq(rc, -XEN_EINVAL, "update_descriptor refuses a TSS descriptor");
    rc = HYPERVISOR_update_descriptor(base + 6 * 8, DESC_LDT);
    tap_eq(rc, -XEN_EINVAL, "update_descriptor refuses an LDT descriptor");
    rc = HYPERVISOR_update_descriptor(base + 6 * 8, DESC_INTGATE);
    tap_eq(rc, -XEN_EINVAL, "update_descriptor refuses an interrupt gate");
    tap_eq_hex(desc[6], 0, "refused descriptors were not written");
    rc = HYPERVISOR_update_descriptor(base + 4, DESC_DATA_DPL3);
    tap_eq(rc, -XEN_EINVAL, "update_descriptor refuses a misaligned address");

    /* An ordinary writable page may hold descriptors too. */
    rc = HYPERVISOR_update_descriptor(virt_to_maddr(plain) + 8, DESC_DATA_DPL0);
    tap_eq(rc, 0, "update_descriptor into an ordinary writable page");
    tap_eq_hex(((uint64_t *)plain)[1], DESC_DATA_DPL3,
               "... written there with DPL 3");
    rc = HYPERVISOR_update_descriptor(virt_to_maddr(start_info->pt_base) + 8,
                                      DESC_DATA_DPL3);
    tap_eq(rc, -XEN_EINVAL,
           "update_descriptor into the L4 page table is refused");

    rc = HYPERVISOR_set_gdt(frames, FIRST_RESERVED_GDT_ENTRY + 1);
    tap_eq(rc, -XEN_EINVAL, "set_gdt with more than 7168 entries is refused");
    tap_eq(load_ds(0x13), -1, "... and the installed GDT is still in use");
    load_ds(0);

    rc = HYPERVISOR_set_gdt(frames, 0);
    tap_eq(rc, 0, "set_gdt(frames, 0) unloads our GDT");
    tap_eq(load_ds(0x13), 13, "our selector no longer loads (#GP)");
    tap_eq_hex(trap_last.error_code, 0x10, "#GP error code 0x10");
    load_ds(0);
    rc = mm_map(gdt, frames[0], PTE_P | PTE_RW | PTE_A | PTE_D);
    tap_eq(rc, 0, "the released frame can be mapped writable again");
    tap_eq(probe_write8(gdt + 16, 0), -1, "and written");
    tap_done();
}
