/* SPDX-License-Identifier: MIT */
/*
 * Test guest for platform_op (#7) from an unprivileged domain
 * (xen/arch/x86/platform_hypercall.c do_platform_op): the argument is
 * copied in first (-EFAULT), the interface version checked (-EACCES), then
 * XSM refuses every command to a domU (-EPERM).  Linux's xen_apic_read
 * issues XENPF_get_cpuinfo and must get a clean error.
 */
#include "hypercall.h"
#include "tap.h"

#include <xen/errno.h>

int guest_main(void)
{
    struct xen_platform_op op;
    long rc;

    guest_init_basic();
    memset(&op, 0, sizeof(op));
    op.cmd = XENPF_get_cpuinfo;
    op.interface_version = XENPF_INTERFACE_VERSION;
    rc = HYPERVISOR_platform_op(&op);
    tap_eq(rc, -XEN_EPERM, "XENPF_get_cpuinfo from a domU is -EPERM");

    op.cmd = XENPF_settime64;
    rc = HYPERVISOR_platform_op(&op);
    tap_eq(rc, -XEN_EPERM, "XENPF_settime64 from a domU is -EPERM");

    op.cmd = 9999;
    rc = HYPERVISOR_platform_op(&op);
    tap_eq(rc, -XEN_EPERM,
           "an unknown command from a domU is -EPERM (XSM first)");

    op.cmd = XENPF_get_cpuinfo;
    op.interface_version = XENPF_INTERFACE_VERSION + 1;
    rc = HYPERVISOR_platform_op(&op);
    tap_eq(rc, -XEN_EACCES, "a wrong interface version is -EACCES");
    tap_done();
}
