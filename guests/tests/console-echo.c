/* SPDX-License-Identifier: MIT */
/*
 * The ring console's round trip (xen/io/console.h): this guest prints on
 * its console ring and answers every line of input it gets with
 * "echo: LINE".  The line "quit" powers it off; so do 60 s without input.
 *
 * hostile=out or hostile=in on the command line: after its first line it
 * writes nonsense into the ring's out_prod (or in_cons) and notifies, as a
 * broken or malicious guest would; the backend must disconnect this
 * domain's ring and nothing else.  It then prints "after: ..." (with
 * hostile=out the library sees the nonsense itself and falls back to
 * console_io; with hostile=in the line goes into a ring nobody reads any
 * more) and powers off.
 */
#include "events.h"
#include "hypercall.h"
#include "mm.h"
#include "timekeeping.h"

#include <xen/io/console.h>

static struct xencons_interface *ring_page(void)
{
    unsigned long pfn = machine_to_phys_mapping[start_info->console.domU.mfn];

    return (struct xencons_interface *)pfn_to_virt(pfn);
}

static int hostile(const char *how)
{
    struct xencons_interface *r = ring_page();
    uint64_t until = time_now_ns() + 5 * NSEC_PER_SEC;

    /* Let the backend take "ready" first, so that the log shows it. */
    while (READ_ONCE(r->out_cons) != READ_ONCE(r->out_prod) &&
           time_now_ns() < until)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    if (!strcmp(how, "out"))
        WRITE_ONCE(r->out_prod, READ_ONCE(r->out_cons) + 0x12345);
    else
        WRITE_ONCE(r->in_cons, READ_ONCE(r->in_prod) - 0x54321);
    evtchn_send(start_info->console.domU.evtchn);
    timer_sleep_ns(NSEC_PER_SEC);
    /* The ring is nonsense now: this goes through console_io. */
    printf("after: the guest is still running\n");
    return 0;
}

int guest_main(void)
{
    char line[256], buf[64], how[8];
    size_t len = 0;
    uint64_t last_input;

    guest_init_basic();
    timer_init();
    if (!console_ring_active()) {
        printf("console-echo: no ring console\n");
        return 1;
    }
    printf("console-echo: ready\n");
    if (cmdline_value("hostile", how, sizeof(how)))
        return hostile(how);
    last_input = time_now_ns();
    for (;;) {
        long n = console_read(buf, sizeof(buf));

        if (n < 0) {
            printf("console-echo: the ring is gone\n");
            return 1;
        }
        if (n == 0) {
            if (time_now_ns() - last_input > 60 * NSEC_PER_SEC) {
                printf("console-echo: no input for 60 s\n");
                return 0;
            }
            console_wait_input(NSEC_PER_SEC);
            continue;
        }
        last_input = time_now_ns();
        for (long i = 0; i < n; i++) {
            char c = buf[i];

            if (c == '\r' || c == '\n') {
                line[len] = '\0';
                if (len)
                    printf("echo: %s\n", line);
                if (!strcmp(line, "quit"))
                    return 0;
                len = 0;
            } else if (len + 1 < sizeof(line)) {
                line[len++] = c;
            }
        }
    }
}
