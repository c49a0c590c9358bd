/* SPDX-License-Identifier: MIT */
/*
 * A guest that crashes itself: it prints a marker, installs no trap table
 * at all and reads an unmapped address.  With no #PF handler to bounce to,
 * the hypervisor must crash this domain (Xen: "Unhandled page fault",
 * domain_crash) and nothing else; the host checks the marker, the crash
 * shutdown reason and that other domains kept running.
 *
 * With cmdline "how=iret" it instead makes an argument error Xen treats
 * as fatal: the iret hypercall with its stack pointer on an unmapped page,
 * where no iret frame can be read (Xen: domain_crash in do_iret).
 *
 * If the fault or the call ever returns, containment failed: the guest
 * says so and powers off, which the host reads as a failure (it expects
 * "crash").
 */
#include "hypercall.h"
#include "tap.h"

#define UNMAPPED 0x00007fff12345000UL

int guest_main(void)
{
    volatile uint64_t *p = (volatile uint64_t *)UNMAPPED;
    char how[8];
    uint64_t v;

    if (cmdline_value("how", how, sizeof(how)) && !strcmp(how, "iret")) {
        printf("# crash: about to iret with an unreadable frame\n");
        tap_ok(true, "booted");
        tap_finish();
        __asm__ __volatile__("mov %0, %%rsp\n\t"
                             "syscall"
                             :
                             : "r"(UNMAPPED + 2048), "a"(__HYPERVISOR_iret)
                             : "rcx", "r11", "memory");
        printf("not ok 2 - the iret hypercall returned\n");
        guest_shutdown(SHUTDOWN_poweroff);
    }
    printf("# crash: about to fault with no trap table\n");
    tap_ok(true, "booted, no trap table installed");
    tap_finish();
    v = *p;
    printf("not ok 2 - the unhandled #PF returned %#lx\n", v);
    guest_shutdown(SHUTDOWN_poweroff);
}
