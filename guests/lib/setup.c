/* SPDX-License-Identifier: MIT */
/*
 * Start-up order for every guest, called from head.S with the start_info
 * pointer the builder passed in RSI:
 *
 *   1. remember start_info (nothing else is touched before this);
 *   2. mm_init: find the free padding after the boot page tables;
 *   3. guest_main(): the guest itself, which installs traps, maps
 *      shared_info and binds events as far as it needs them (a test guest
 *      may deliberately skip any of it);
 *   4. shut down with a reason: poweroff if guest_main returned 0, crash
 *      otherwise.
 */
#include "hypercall.h"
#include "mm.h"
#include "tap.h"
#include "traps.h"

start_info_t *start_info;
shared_info_t *shared_info;
struct vcpu_info *vcpu0;
unsigned long boot_stack_top;

void __noreturn guest_setup(start_info_t *si);

void __noreturn guest_shutdown(unsigned int reason)
{
    struct sched_shutdown s = {.reason = reason};
    long rc = HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);

    /* Only SHUTDOWN_suspend returns on success; anything else is a bug. */
    printf("guest: SCHEDOP_shutdown(%u) returned %ld\n", reason, rc);
    s.reason = SHUTDOWN_crash;
    HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
    for (;;)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

void __noreturn guest_panic(const char *fmt, ...)
{
    char buf[256], line[300];
    va_list ap;
    int n;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    /* The hypervisor console: it works whatever state the ring is in. */
    n = snprintf(line, sizeof(line), "%s%s\n",
                 tap_active() ? "Bail out! " : "panic: ", buf);
    console_write(line, MIN((size_t)n, sizeof(line) - 1));
    guest_shutdown(SHUTDOWN_crash);
}

/*
 * The value of `key` in the space-separated key=value command line, copied
 * into buf; NULL if absent.
 */
const char *cmdline_value(const char *key, char *buf, size_t size)
{
    const char *p = (const char *)start_info->cmd_line;
    const char *end = p + strnlen(p, MAX_GUEST_CMDLINE);
    size_t klen = strlen(key);

    while (p < end) {
        while (p < end && *p == ' ')
            p++;
        if ((size_t)(end - p) > klen && !strncmp(p, key, klen) &&
            p[klen] == '=') {
            size_t n = 0;

            p += klen + 1;
            while (p + n < end && p[n] != ' ' && n + 1 < size) {
                buf[n] = p[n];
                n++;
            }
            buf[n] = '\0';
            return buf;
        }
        while (p < end && *p != ' ')
            p++;
    }
    return NULL;
}

/*
 * The decimal number `key` is set to on the command line; dflt when the
 * key is absent or its value does not start with a digit.
 */
unsigned long cmdline_ulong(const char *key, unsigned long dflt)
{
    char buf[24];
    const char *v = cmdline_value(key, buf, sizeof(buf));
    unsigned long n = 0;

    if (!v || *v < '0' || *v > '9')
        return dflt;
    for (; *v >= '0' && *v <= '9'; v++)
        n = n * 10 + (unsigned long)(*v - '0');
    return n;
}

/* What most guests want first: traps, callbacks, shared_info. */
void guest_init_basic(void)
{
    traps_init();
    mm_map_shared_info();
}

void __noreturn guest_setup(start_info_t *si)
{
    int rc;

    start_info = si;
    mm_init();
    rc = guest_main();
    guest_shutdown(rc == 0 ? SHUTDOWN_poweroff : SHUTDOWN_crash);
}
