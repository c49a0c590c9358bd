/* SPDX-License-Identifier: MIT */
/*
 * Ridiculous arguments to platform_op (#7), after do_platform_op
 * (xen/arch/x86/platform_hypercall.c): the whole struct is copied in
 * first, so every unreadable argument is -EFAULT; then a wrong interface
 * version is -EACCES; anything else from a domU is -EPERM.
 */
#include "ridiculous.h"

int guest_main(void)
{
    struct xen_platform_op op;
    long rc;

    guest_init_basic();
    bad_ptrs_init();

    rc = HYPERVISOR_platform_op(NULL);
    tap_eq(rc, -XEN_EFAULT, "platform_op(NULL)");
    NOT_NULL_BAD_PTRS(i)
    {
        rc = HYPERVISOR_platform_op((void *)bad_ptrs[i].addr);
        tap_eq(rc, -XEN_EFAULT, "platform_op(%s)", bad_ptrs[i].name);
    }
    memset(&op, 0xff, sizeof(op));
    rc = HYPERVISOR_platform_op(&op);
    tap_eq(rc, -XEN_EACCES, "a struct of all-ones (bad interface version)");
    op.interface_version = XENPF_INTERFACE_VERSION;
    rc = HYPERVISOR_platform_op(&op);
    tap_eq(rc, -XEN_EPERM,
           "all-ones with the right version: -EPERM for a domU");
    ridiculous_alive();
    tap_done();
}
