/* SPDX-License-Identifier: MIT */
/*
 * Ridiculous arguments to the informational memory_op (#12) sub-ops, after
 * do_memory_op (xen/common/memory.c) and arch_memory_op /
 * subarch_memory_op (xen/arch/x86/mm.c, x86_64/mm.c): an unreadable domid
 * or struct is -EFAULT, a domain that does not exist -ESRCH, another
 * domain's reservation -EPERM for a domU (XSM_TARGET) unless it does not
 * exist, unknown sub-ops -ENOSYS.  XENMEM_memory_map with an unwritable
 * buffer is -EFAULT if the toolstack set a map, -ENOSYS if not.
 */
#include "ridiculous.h"

int guest_main(void)
{
    static const unsigned long infos[] = {XENMEM_current_reservation,
                                          XENMEM_maximum_reservation};
    static const char *const names[] = {"current_reservation",
                                        "maximum_reservation"};
    struct xen_memory_map map;
    domid_t dom;
    long rc;

    guest_init_basic();
    bad_ptrs_init();

    for (unsigned int c = 0; c < ARRAY_SIZE(infos); c++) {
        rc = HYPERVISOR_memory_op(infos[c], NULL);
        tap_eq(rc, -XEN_EFAULT, "%s(NULL)", names[c]);
        NOT_NULL_BAD_PTRS(i)
        {
            if (i == BAD_STRADDLE)
                continue; /* a 2-byte domid fits before the hole */
            rc = HYPERVISOR_memory_op(infos[c], (void *)bad_ptrs[i].addr);
            tap_eq(rc, -XEN_EFAULT, "%s(%s)", names[c], bad_ptrs[i].name);
        }
        dom = 32000;
        rc = HYPERVISOR_memory_op(infos[c], &dom);
        tap_eq(rc, -XEN_ESRCH, "%s of domain 32000", names[c]);
        dom = DOMID_IO;
        rc = HYPERVISOR_memory_op(infos[c], &dom);
        tap_eq(rc, -XEN_ESRCH, "%s of DOMID_IO", names[c]);
        dom = 0xffff;
        rc = HYPERVISOR_memory_op(infos[c], &dom);
        tap_eq(rc, -XEN_ESRCH, "%s of domain 0xffff", names[c]);
    }

    rc = HYPERVISOR_memory_op(XENMEM_machphys_mapping, NULL);
    tap_eq(rc, -XEN_EFAULT, "machphys_mapping(NULL)");
    NOT_NULL_BAD_PTRS(i)
    {
        rc = HYPERVISOR_memory_op(XENMEM_machphys_mapping,
                                  (void *)bad_ptrs[i].addr);
        tap_eq(rc, -XEN_EFAULT, "machphys_mapping(%s)", bad_ptrs[i].name);
    }
    rc = HYPERVISOR_memory_op(XENMEM_machphys_mapping,
                              (void *)start_info->pt_base);
    tap_eq(rc, -XEN_EFAULT, "machphys_mapping into our read-only L4");

    rc = HYPERVISOR_memory_op(XENMEM_memory_map, NULL);
    tap_eq(rc, -XEN_EFAULT, "memory_map(NULL)");
    map.nr_entries = 0x7fffffff;
    set_xen_guest_handle(map.buffer, (void *)HV_ADDR_M2P);
    rc = HYPERVISOR_memory_op(XENMEM_memory_map, &map);
    tap_check(rc == -XEN_EFAULT || rc == -XEN_ENOSYS, xen_errno_name(rc),
              "memory_map into the M2P with 2^31 entries: -EFAULT or -ENOSYS");

    rc = HYPERVISOR_memory_op(0x3f, NULL);
    tap_eq(rc, -XEN_ENOSYS, "memory_op 0x3f");
    rc = HYPERVISOR_memory_op(0xffffffffUL & ~0x3fUL, NULL);
    tap_check(rc < 0, xen_errno_name(rc),
              "memory_op 0 with all continuation bits set fails");
    ridiculous_alive();
    tap_done();
}
