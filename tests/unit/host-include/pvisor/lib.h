/* SPDX-License-Identifier: MIT */
/*
 * Host version of the hypervisor's pvisor/lib.h for unit tests: the C
 * library is the host's, printk prints, and panic/BUG_ON/ASSERT fail the
 * running cmocka test (a test can expect one with expect_hv_panic()).
 */
#ifndef PVISOR_LIB_H
#define PVISOR_LIB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvisor/types.h>

/* Quiet by default (hv_test.h defines them weak); console tests link the
 * real ones from common/console.c. */
void printk(const char *fmt, ...);
void vprintk(const char *fmt, va_list ap);

/* Set by a test that expects the code under test to panic. */
extern jmp_buf *hv_panic_jmp;
void hv_test_panic(const char *fmt, ...) __attribute__((noreturn));
#define panic hv_test_panic
#define BUG() panic("BUG at %s:%d", __FILE__, __LINE__)
#define BUG_ON(c)                                                              \
    do {                                                                       \
        if (c)                                                                 \
            panic("BUG_ON(%s) at %s:%d", #c, __FILE__, __LINE__);             \
    } while (0)
#define ASSERT(c)                                                              \
    do {                                                                       \
        if (!(c))                                                              \
            panic("assertion '%s' failed at %s:%d", #c, __FILE__, __LINE__);  \
    } while (0)

unsigned long long simple_strtoull(const char *s, const char **end, int base);

#endif
