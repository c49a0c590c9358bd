/* SPDX-License-Identifier: MIT */
/*
 * Ridiculous arguments to set_trap_table (#0), after do_set_trap_table
 * (xen/arch/x86/pv/callback.c): entries are copied one at a time, each
 * copy failure is -EFAULT (entries before it stay applied), a
 * non-canonical handler address is -EINVAL, an address of 0 ends the
 * list, and a NULL list clears the whole virtual IDT (0).
 */
#include "ridiculous.h"

static trap_info_t good[TRAP_NR_STUBS + 1];
static trap_info_t big[4097];

static long int_0x8f(void)
{
    unsigned long before = trap_probe_reset();

    PROBE("int $0x8f", : : : "memory");
    return trap_total() != before ? (long)trap_last.vector : -1;
}

int guest_main(void)
{
    unsigned long page, hole;
    trap_info_t *edge;
    long rc;

    guest_init_basic();
    bad_ptrs_init();
    traps_default_table(good, ARRAY_SIZE(good));

    NOT_NULL_BAD_PTRS(i)
    {
        rc = HYPERVISOR_set_trap_table((trap_info_t *)bad_ptrs[i].addr);
        tap_eq(rc, -XEN_EFAULT, "set_trap_table(%s)", bad_ptrs[i].name);
    }

    /* NULL clears everything; put the table straight back. */
    rc = HYPERVISOR_set_trap_table(NULL);
    rc = rc ?: 0x100 + HYPERVISOR_set_trap_table(good);
    tap_eq(rc, 0x100, "set_trap_table(NULL) clears the IDT, then reinstalled");
    tap_eq(int_0x8f(), 0x8f, "the reinstalled table works (int $0x8f)");

    /* A table running into an unmapped page: earlier entries apply. */
    page = mm_alloc_page();
    hole = mm_unmapped_page();
    if (hole != page + PAGE_SIZE)
        guest_panic("padding pages not adjacent");
    edge = (trap_info_t *)(hole - sizeof(trap_info_t));
    edge->vector = 0x8f;
    edge->flags = 0; /* DPL 0: int $0x8f from the kernel now faults */
    edge->cs = FLAT_KERNEL_CS;
    edge->address = trap_stub(0x8f);
    rc = HYPERVISOR_set_trap_table(edge);
    tap_eq(rc, -XEN_EFAULT,
           "a list with no terminator before an unmapped page");
    tap_eq(int_0x8f(), 13, "... the entry before the fault was applied (#GP)");
    rc = HYPERVISOR_set_trap_table(good);
    tap_eq(rc, 0, "default table back");

    /* Non-canonical handler addresses. */
    big[0] = good[0];
    big[1] = good[1];
    big[1].address = NONCANONICAL_ADDR;
    memset(&big[2], 0, sizeof(big[2]));
    rc = HYPERVISOR_set_trap_table(big);
    tap_eq(rc, -XEN_EINVAL, "an entry with a non-canonical handler is -EINVAL");
    big[1].address = NONCANONICAL_ADDR2;
    rc = HYPERVISOR_set_trap_table(big);
    tap_eq(rc, -XEN_EINVAL, "handler 0x0000800000000000 is -EINVAL");

    /* A hypervisor address is canonical: Xen accepts it for vector 0x8e. */
    big[0] = good[0];
    big[0].vector = 0x8e;
    big[0].address = HV_ADDR_PRIVATE;
    memset(&big[1], 0, sizeof(big[1]));
    rc = HYPERVISOR_set_trap_table(big);
    tap_eq(rc, 0, "a canonical hypervisor-range handler is accepted (unused)");

    /* 4096 entries, all for one vector: long list, preemptible in Xen. */
    for (unsigned int i = 0; i < 4096; i++) {
        big[i] = good[0];
        big[i].vector = 0x8e;
        big[i].flags = 3;
        big[i].address = trap_stub(0x8e);
    }
    memset(&big[4096], 0, sizeof(big[4096]));
    rc = HYPERVISOR_set_trap_table(big);
    tap_eq(rc, 0, "a 4096-entry list");
    trap_probe_reset();
    __asm__ __volatile__("int $0x8e" ::: "memory");
    tap_eq(trap_last.vector, 0x8e, "... and its last entry for 0x8e works");

    /* Garbage vector flags and cs are stored as given (cs RPL fixed). */
    big[0] = good[0];
    big[0].vector = 0x8d;
    big[0].flags = 0xff;
    big[0].cs = 0;
    big[0].address = trap_stub(0x8d);
    memset(&big[1], 0, sizeof(big[1]));
    rc = HYPERVISOR_set_trap_table(big);
    tap_eq(rc, 0, "flags 0xff and cs 0 are accepted");
    trap_probe_reset();
    __asm__ __volatile__("int $0x8d" ::: "memory");
    tap_eq(trap_last.vector, 0x8d, "... and the vector is delivered (DPL 3)");

    rc = HYPERVISOR_set_trap_table(good);
    tap_eq(rc, 0, "default table back at the end");
    ridiculous_alive();
    tap_done();
}
