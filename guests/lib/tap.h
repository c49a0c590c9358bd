/* SPDX-License-Identifier: MIT */
/*
 * TAP output for the test guests, over console_io:
 *
 *     ok 1 - description
 *     not ok 2 - description # got X, want Y
 *     # diagnostic
 *     1..N
 *
 * The plan line comes last (TAP allows a trailing plan): a guest that dies
 * half-way never prints it, so the host sees a truncated run as a failure
 * rather than as a shorter plan.  tap_done() prints the plan and shuts the
 * domain down with SHUTDOWN_poweroff whatever the results; the host reads
 * the verdict from the log.
 */
#ifndef GUEST_TAP_H
#define GUEST_TAP_H

#include "guest.h"

bool tap_active(void);
unsigned int tap_failures(void);

bool tap_ok(bool cond, const char *fmt, ...) __printf(2, 3);
/* Integer comparison, printing both values on failure (decimal). */
bool tap_eq(long got, long want, const char *fmt, ...) __printf(3, 4);
/* The same in hexadecimal, for addresses and bit masks. */
bool tap_eq_hex(unsigned long got, unsigned long want, const char *fmt, ...)
    __printf(3, 4);
/* A failing check with a free-form explanation after the '#'. */
bool tap_check(bool cond, const char *why, const char *fmt, ...) __printf(3, 4);
void tap_skip(const char *reason, const char *fmt, ...) __printf(2, 3);
void tap_diag(const char *fmt, ...) __printf(1, 2);
void tap_finish(void); /* print the plan only */
void __noreturn tap_done(void);

/* A negative errno as text ("-EINVAL"), for messages. */
const char *xen_errno_name(long rc);

#endif /* GUEST_TAP_H */
