/* SPDX-License-Identifier: MIT */
/*
 * Test guest for physdev_op (#33) as an unprivileged PV domain sees it
 * (xen/arch/x86/physdev.c do_physdev_op): PHYSDEVOP_set_iopl is open to
 * every PV guest (0..3, else -EINVAL) and sets the virtual IOPL the
 * I/O-instruction emulation checks (the guest kernel counts as ring 1);
 * ports the domain has no access to then read as all-ones and writes are
 * dropped.  PHYSDEVOP_set_iobitmap is accepted with a sane bitmap.
 * Operations on interrupts and devices are privileged: -EPERM.
 */
#include "cpu.h"
#include "hypercall.h"
#include "tap.h"

#include <xen/errno.h>

static long set_iopl(unsigned int iopl)
{
    struct physdev_set_iopl op = {.iopl = iopl};

    return HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &op);
}

int guest_main(void)
{
    static uint8_t bitmap[8192];
    struct physdev_set_iobitmap bm;
    struct physdev_apic apic = {.apic_physbase = 0xfec00000, .reg = 0};
    struct physdev_manage_pci pci = {.bus = 0, .devfn = 0};
    uint8_t v = 0;
    long rc;

    guest_init_basic();

    tap_eq(inb_probe(0x80, &v), 13, "inb without IOPL raises #GP");
    rc = set_iopl(1);
    tap_eq(rc, 0, "PHYSDEVOP_set_iopl(1)");
    tap_eq(inb_probe(0x80, &v), -1, "inb with virtual IOPL 1 is emulated");
    tap_eq_hex(v, 0xff, "... an inaccessible port reads all-ones");
    tap_eq(outb_probe(0x80, 0x12), -1,
           "outb with IOPL 1 is emulated (dropped)");
    tap_eq(cli_probe(), -1, "cli with IOPL 1 is accepted (a no-op)");
    tap_eq(sti_probe(), -1, "sti with IOPL 1 is accepted");
    rc = set_iopl(0);
    tap_eq(rc, 0, "PHYSDEVOP_set_iopl(0)");
    tap_eq(inb_probe(0x80, &v), 13, "inb faults again with IOPL 0");
    tap_eq(cli_probe(), 13, "cli faults with IOPL 0");
    rc = set_iopl(4);
    tap_eq(rc, -XEN_EINVAL, "PHYSDEVOP_set_iopl(4) is -EINVAL");

    memset(bitmap, 0xff, sizeof(bitmap));
    set_xen_guest_handle(bm.bitmap, bitmap);
    bm.nr_ports = 65536;
    rc = HYPERVISOR_physdev_op(PHYSDEVOP_set_iobitmap, &bm);
    tap_eq(rc, 0, "PHYSDEVOP_set_iobitmap with 65536 ports all denied");
    tap_eq(inb_probe(0x80, &v), 13, "... inb still faults");
    bm.nr_ports = 0;
    rc = HYPERVISOR_physdev_op(PHYSDEVOP_set_iobitmap, &bm);
    tap_eq(rc, 0, "PHYSDEVOP_set_iobitmap with no ports");

    rc = HYPERVISOR_physdev_op(PHYSDEVOP_apic_read, &apic);
    tap_eq(rc, -XEN_EPERM, "PHYSDEVOP_apic_read is privileged");
    rc = HYPERVISOR_physdev_op(PHYSDEVOP_manage_pci_add, &pci);
    tap_eq(rc, -XEN_EPERM, "PHYSDEVOP_manage_pci_add is privileged");
    rc = HYPERVISOR_physdev_op(1000, NULL);
    tap_eq(rc, -XEN_ENOSYS, "physdev_op 1000 is -ENOSYS");
    tap_done();
}
