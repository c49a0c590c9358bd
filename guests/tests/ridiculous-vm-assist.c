/* SPDX-License-Identifier: MIT */
/*
 * Ridiculous arguments to vm_assist (#21), after vm_assist()
 * (xen/common/domain.c): the type is checked first (>= BITS_PER_LONG or
 * not in the valid mask: -EINVAL), then the command (-ENOSYS).  Both are
 * unsigned ints in Xen, so only values below 2^32 are tried.
 */
#include "ridiculous.h"

int guest_main(void)
{
    static const unsigned long types[] = {
        6, 7, 30, 63, 64, 65, 1000, 0x7fffffffUL, 0xffffffffUL};
    long rc;

    guest_init_basic();
    for (unsigned int i = 0; i < ARRAY_SIZE(types); i++) {
        rc = HYPERVISOR_vm_assist(VMASST_CMD_enable, types[i]);
        tap_eq(rc, -XEN_EINVAL, "enable type %#lx", types[i]);
        rc = HYPERVISOR_vm_assist(VMASST_CMD_disable, types[i]);
        tap_eq(rc, -XEN_EINVAL, "disable type %#lx", types[i]);
    }
    rc = HYPERVISOR_vm_assist(0xffffffffUL, VMASST_TYPE_writable_pagetables);
    tap_eq(rc, -XEN_ENOSYS, "command 0xffffffff on a valid type");
    rc = HYPERVISOR_vm_assist(0xffffffffUL, 64);
    tap_eq(rc, -XEN_EINVAL,
           "command 0xffffffff on type 64: the type fails first");
    rc = HYPERVISOR_vm_assist(VMASST_CMD_enable,
                              VMASST_TYPE_writable_pagetables);
    tap_eq(rc, 0, "a valid enable still works");
    ridiculous_alive();
    tap_done();
}
