/* SPDX-License-Identifier: MIT */
/*
 * A guest that crashes itself: it prints a marker, installs no trap table
 * at all and reads an unmapped address.  With no #PF handler to bounce to,
 * the hypervisor must crash this domain (Xen: "Unhandled page fault",
 * domain_crash) and nothing else; the host checks the marker, the crash
 * shutdown reason and that other domains kept running.
 *
 * If the read ever returns, containment failed: the guest says so and
 * powers off, which the host reads as a failure (it expects "crash").
 */
#include "hypercall.h"
#include "tap.h"

int guest_main(void)
{
    volatile uint64_t *p = (volatile uint64_t *)0x00007fff12345000UL;
    uint64_t v;

    printf("# crash: about to fault with no trap table\n");
    tap_ok(true, "booted, no trap table installed");
    tap_finish();
    v = *p;
    printf("not ok 2 - the unhandled #PF returned %#lx\n", v);
    guest_shutdown(SHUTDOWN_poweroff);
}
