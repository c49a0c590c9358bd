/* SPDX-License-Identifier: MIT */
/*
 * Ridiculous arguments to physdev_op (#33), after do_physdev_op
 * (xen/arch/x86/physdev.c): unreadable arguments are -EFAULT, an IOPL
 * above 3 -EINVAL, an I/O bitmap that is not a guest buffer or claims more
 * than 65536 ports -EINVAL, privileged operations -EPERM, unknown
 * operations -ENOSYS.
 */
#include "cpu.h"
#include "ridiculous.h"

int guest_main(void)
{
    struct physdev_set_iopl iopl;
    struct physdev_set_iobitmap bm;
    static uint8_t bitmap[8192];
    uint8_t v;
    long rc;

    guest_init_basic();
    bad_ptrs_init();

    rc = HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, NULL);
    tap_eq(rc, -XEN_EFAULT, "set_iopl(NULL)");
    NOT_NULL_BAD_PTRS(i)
    {
        rc =
            HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, (void *)bad_ptrs[i].addr);
        tap_eq(rc, -XEN_EFAULT, "set_iopl(%s)", bad_ptrs[i].name);
    }
    iopl.iopl = 0xffffffff;
    rc = HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &iopl);
    tap_eq(rc, -XEN_EINVAL, "set_iopl(0xffffffff)");
    tap_eq(inb_probe(0x80, &v), 13, "... and IOPL stayed 0 (inb faults)");

    rc = HYPERVISOR_physdev_op(PHYSDEVOP_set_iobitmap, NULL);
    tap_eq(rc, -XEN_EFAULT, "set_iobitmap(NULL)");
    set_xen_guest_handle(bm.bitmap, (uint8_t *)HV_ADDR_M2P);
    bm.nr_ports = 16;
    rc = HYPERVISOR_physdev_op(PHYSDEVOP_set_iobitmap, &bm);
    tap_eq(rc, -XEN_EINVAL, "an I/O bitmap in the M2P");
    set_xen_guest_handle(bm.bitmap, (uint8_t *)NONCANONICAL_ADDR);
    rc = HYPERVISOR_physdev_op(PHYSDEVOP_set_iobitmap, &bm);
    tap_eq(rc, -XEN_EINVAL, "a non-canonical I/O bitmap");
    set_xen_guest_handle(bm.bitmap, bitmap);
    bm.nr_ports = 65537;
    rc = HYPERVISOR_physdev_op(PHYSDEVOP_set_iobitmap, &bm);
    tap_eq(rc, -XEN_EINVAL, "an I/O bitmap of 65537 ports");
    bm.nr_ports = 0xffffffff;
    rc = HYPERVISOR_physdev_op(PHYSDEVOP_set_iobitmap, &bm);
    tap_eq(rc, -XEN_EINVAL, "an I/O bitmap of 0xffffffff ports");

    /* An unmapped bitmap is accepted; reading it later must fail safely. */
    set_xen_guest_handle(bm.bitmap, (uint8_t *)bad_ptrs[BAD_UNMAPPED].addr);
    bm.nr_ports = 65536;
    rc = HYPERVISOR_physdev_op(PHYSDEVOP_set_iobitmap, &bm);
    tap_eq(rc, 0, "an unmapped (guest-range) I/O bitmap is accepted");
    tap_eq(inb_probe(0x80, &v), 13,
           "... and an unreadable bitmap denies (#GP)");
    bm.nr_ports = 0;
    HYPERVISOR_physdev_op(PHYSDEVOP_set_iobitmap, &bm);

    rc = HYPERVISOR_physdev_op(PHYSDEVOP_apic_read, NULL);
    tap_check(rc == -XEN_EFAULT || rc == -XEN_EPERM, xen_errno_name(rc),
              "apic_read(NULL): -EFAULT or -EPERM");
    rc = HYPERVISOR_physdev_op(0xffffffffUL, NULL);
    tap_eq(rc, -XEN_ENOSYS, "physdev_op 0xffffffff");
    rc = HYPERVISOR_physdev_op(1000, (void *)HV_ADDR_M2P);
    tap_eq(rc, -XEN_ENOSYS, "physdev_op 1000 (argument never read)");
    ridiculous_alive();
    tap_done();
}
