/* SPDX-License-Identifier: MIT */
/*
 * The console_io hypercall (public/xen.h CONSOLEIO_*): a domain writes
 * text to the hypervisor console.  Output is collected per domain until a
 * newline (or a full line buffer) and then printed as one line prefixed
 * with the domain id, so lines of different domains never interleave.
 * CONSOLEIO_read returns no input: the hypervisor console has no input.
 */
#include <asm/current.h>
#include <pvisor/console.h>
#include <pvisor/guest_access.h>
#include <pvisor/hypercall.h>
#include <pvisor/lib.h>
#include <pvisor/sched.h>
#include <xen/errno.h>
#include <xen/xen.h>

#define CONSOLEIO_MAX_WRITE (16 * 1024)

static void console_flush_line(struct domain *d)
{
    printk("(d%u) %.*s\n", d->domain_id, (int)d->console_len, d->console_buf);
    d->console_len = 0;
}

long do_console_io(unsigned long cmd, unsigned long count, unsigned long buf)
{
    struct domain *d = current->domain;
    char chunk[128];

    switch (cmd) {
    case CONSOLEIO_write:
        if (count > CONSOLEIO_MAX_WRITE)
            return -XEN_EINVAL;
        for (unsigned long done = 0; done < count;) {
            unsigned long n = MIN(count - done, sizeof(chunk));

            if (raw_copy_from_guest(chunk, (const char *)buf + done, n))
                return -XEN_EFAULT;
            spin_lock(&d->console_lock);
            for (unsigned long i = 0; i < n; i++) {
                if (chunk[i] == '\n') {
                    console_flush_line(d);
                } else if (chunk[i] != '\r' && chunk[i] != '\0') {
                    d->console_buf[d->console_len++] = chunk[i];
                    if (d->console_len == sizeof(d->console_buf))
                        console_flush_line(d);
                }
            }
            spin_unlock(&d->console_lock);
            done += n;
        }
        return 0;
    case CONSOLEIO_read:
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}
