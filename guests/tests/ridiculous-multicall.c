/* SPDX-License-Identifier: MIT */
/*
 * Ridiculous arguments to multicall (#13), after do_multicall
 * (xen/common/multicall.c): a list that guest_handle_okay() refuses (it
 * starts in the hypervisor hole or is non-canonical) is -EFAULT before
 * anything runs; otherwise entries are read one at a time, so a list that
 * runs into an unmapped page -- whatever the count claims -- runs the
 * readable entries, writes their results and then fails with -EFAULT.
 * (Xen checks only where a guest buffer starts: a huge count over mapped
 * memory would execute whatever follows, so the count is only ever huge
 * right before a hole here.)  Bad numbers and bad pointers inside entries
 * only fail those entries.  nr_calls is an unsigned int in Xen, so counts
 * stay below 2^32.
 */
#include "ridiculous.h"

static multicall_entry_t list[1000];

int guest_main(void)
{
    multicall_entry_t *edge;
    unsigned long page, hole;
    long rc, version;

    guest_init_basic();
    bad_ptrs_init();
    version = HYPERVISOR_xen_version(XENVER_version, NULL);

    rc = HYPERVISOR_multicall(NULL, 1);
    tap_eq(rc, -XEN_EFAULT, "multicall(NULL, 1)");
    NOT_NULL_BAD_PTRS(i)
    {
        rc = HYPERVISOR_multicall((void *)bad_ptrs[i].addr, 1);
        tap_eq(rc, -XEN_EFAULT, "multicall(%s, 1)", bad_ptrs[i].name);
    }
    /* Two readable entries, then the hole. */
    page = mm_alloc_page();
    hole = mm_unmapped_page();
    if (hole != page + PAGE_SIZE)
        guest_panic("padding pages not adjacent");
    edge = (multicall_entry_t *)(hole - 2 * sizeof(multicall_entry_t));
    for (unsigned int i = 0; i < 2; i++) {
        edge[i].op = __HYPERVISOR_xen_version;
        edge[i].args[0] = XENVER_version;
        edge[i].args[1] = 0;
        edge[i].result = 0x5555;
    }
    rc = HYPERVISOR_multicall(edge, 0x7fffffffUL);
    tap_eq(rc, -XEN_EFAULT,
           "a list of 0x7fffffff entries whose third entry is unmapped");
    tap_ok(edge[0].result == (unsigned long)version &&
               edge[1].result == (unsigned long)version,
           "... the two readable entries ran and got their results");

    /* Bad entries inside a good list. */
    memset(list, 0, 4 * sizeof(list[0]));
    list[0].op = 1UL << 40;
    list[1].op = ~0UL;
    list[2].op = __HYPERVISOR_xen_version;
    list[2].args[0] = XENVER_extraversion;
    list[2].args[1] = HV_ADDR_M2P;
    list[3].op = __HYPERVISOR_console_io;
    list[3].args[0] = CONSOLEIO_write;
    list[3].args[1] = 16;
    list[3].args[2] = NONCANONICAL_ADDR;
    rc = HYPERVISOR_multicall(list, 4);
    tap_eq(rc, 0, "a list of four bad entries returns 0");
    tap_eq(list[0].result, -XEN_ENOSYS, "op 2^40 is -ENOSYS");
    tap_eq(list[1].result, -XEN_ENOSYS, "op ~0 is -ENOSYS");
    tap_eq(list[2].result, -XEN_EFAULT, "xen_version into the M2P is -EFAULT");
    tap_eq(list[3].result, -XEN_EFAULT,
           "console_io from a non-canonical buffer");

    /* A long batch (preemptible in Xen) runs every entry. */
    for (unsigned int i = 0; i < ARRAY_SIZE(list); i++) {
        memset(&list[i], 0, sizeof(list[i]));
        list[i].op = __HYPERVISOR_xen_version;
        list[i].args[0] = XENVER_version;
        list[i].result = 0x5555;
    }
    rc = HYPERVISOR_multicall(list, ARRAY_SIZE(list));
    tap_eq(rc, 0, "a 1000-entry multicall");
    {
        unsigned int bad = 0;

        for (unsigned int i = 0; i < ARRAY_SIZE(list); i++)
            bad += list[i].result != (unsigned long)version;
        tap_eq(bad, 0, "... every entry has its result");
    }
    ridiculous_alive();
    tap_done();
}
