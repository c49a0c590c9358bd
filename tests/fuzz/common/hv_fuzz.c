/* SPDX-License-Identifier: MIT */
/*
 * What the fuzz targets built on the PV MMU model (tests/fuzz/pvmm,
 * tests/fuzz/gnttab) provide in place of the hypervisor's console and
 * panic: printk says nothing (the fuzzer runs millions of steps), and a
 * hypervisor panic or a broken model invariant aborts, which libFuzzer
 * reports as a crash with its input.
 */
#include "mm_model.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

jmp_buf *hv_panic_jmp;

void printk(const char *fmt, ...)
{
    (void)fmt;
}

void vprintk(const char *fmt, va_list ap)
{
    (void)fmt, (void)ap;
}

static void __attribute__((noreturn)) die(const char *what, const char *fmt,
                                          va_list ap)
{
    fprintf(stderr, "%s: ", what);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    abort();
}

void hv_test_panic(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    die("hypervisor panic", fmt, ap);
}

void model_fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    die("model invariant broken", fmt, ap);
}
