/* SPDX-License-Identifier: MIT */
/*
 * Console output through console_io(CONSOLEIO_write).  This is the
 * hypervisor console, not the shared-ring PV console: it needs no event
 * channel or backend and works from the first instruction, which is what a
 * test guest wants.  (On a release build of real Xen an unprivileged domain
 * gets -EPERM here unless Xen was built with verbose debugging; pvisor, like
 * a debug Xen, accepts writes from every domain.)
 *
 * printf formats into a line-sized buffer and issues one console_io per
 * call, so a line printed with one printf is one hypercall and reaches the
 * log whole even when other domains print at the same time.
 */
#include "hypercall.h"

#define PRINTF_BUF 512

long console_write(const char *buf, size_t len)
{
    return HYPERVISOR_console_io(CONSOLEIO_write, len, buf);
}

int vprintf(const char *fmt, va_list ap)
{
    char buf[PRINTF_BUF];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    size_t len = n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1;

    /* A truncated line still ends with its newline. */
    if (n >= (int)sizeof(buf) && fmt[strlen(fmt) - 1] == '\n')
        buf[len - 1] = '\n';
    console_write(buf, len);
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}
