/* SPDX-License-Identifier: MIT */
/*
 * Support for unit tests of hypervisor code: panic() inside the code under
 * test fails the test, unless the test wrapped the call in
 * EXPECT_HV_PANIC(), which turns the panic into a checked outcome.
 */
#ifndef HV_TEST_H
#define HV_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

jmp_buf *hv_panic_jmp;

__attribute__((weak)) void printk(const char *fmt, ...)
{
    (void)fmt;
}

__attribute__((weak)) void vprintk(const char *fmt, va_list ap)
{
    (void)fmt;
    (void)ap;
}
static char hv_panic_msg[256];

void hv_test_panic(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(hv_panic_msg, sizeof(hv_panic_msg), fmt, ap);
    va_end(ap);
    if (hv_panic_jmp)
        longjmp(*hv_panic_jmp, 1);
    fail_msg("hypervisor code panicked: %s", hv_panic_msg);
    abort();
}

/* Runs stmt and checks that it panics. */
#define EXPECT_HV_PANIC(stmt)                                                  \
    do {                                                                       \
        jmp_buf jb;                                                            \
        hv_panic_jmp = &jb;                                                    \
        if (setjmp(jb) == 0) {                                                 \
            stmt;                                                              \
            hv_panic_jmp = NULL;                                               \
            fail_msg("expected a panic from: %s", #stmt);                      \
        }                                                                      \
        hv_panic_jmp = NULL;                                                   \
    } while (0)

#endif
