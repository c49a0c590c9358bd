/* SPDX-License-Identifier: MIT */
/*
 * Ridiculous arguments to console_io (#18), after do_console_io and
 * guest_console_write (xen/drivers/char/console.c): unreadable buffers are
 * -EFAULT, unknown commands -ENOSYS.  A count far beyond the buffer is
 * refused as a class (any negative): Xen writes what it can read and
 * stops with -EFAULT at the first unmapped byte, pvisor refuses counts
 * over 16 KiB with -EINVAL up front.  CONSOLEIO_read with no input waiting
 * never touches the buffer in Xen (returns 0), so a bad buffer there may
 * give 0 or -EFAULT.
 */
#include "ridiculous.h"

int guest_main(void)
{
    static const char tail[] = "# console tail\n";
    char *end;
    long rc;

    guest_init_basic();
    bad_ptrs_init();

    rc = HYPERVISOR_console_io(CONSOLEIO_write, 16, NULL);
    tap_eq(rc, -XEN_EFAULT, "CONSOLEIO_write(16 bytes at NULL)");
    NOT_NULL_BAD_PTRS(i)
    {
        rc = HYPERVISOR_console_io(CONSOLEIO_write, 16,
                                   (void *)bad_ptrs[i].addr);
        tap_eq(rc, -XEN_EFAULT, "CONSOLEIO_write(16 bytes at %s)",
               bad_ptrs[i].name);
    }

    /* A short text right before the unmapped page, then a huge count. */
    end = (char *)bad_hole - (sizeof(tail) - 1);
    memcpy(end, tail, sizeof(tail) - 1);
    rc = HYPERVISOR_console_io(CONSOLEIO_write, 1UL << 40, end);
    tap_check(rc < 0, xen_errno_name(rc),
              "CONSOLEIO_write with count 2^40 ending in a hole fails");
    rc = HYPERVISOR_console_io(CONSOLEIO_write, 0xffffffffUL, end);
    tap_check(rc < 0, xen_errno_name(rc),
              "CONSOLEIO_write with count 0xffffffff fails");

    NOT_NULL_BAD_PTRS(i)
    {
        rc =
            HYPERVISOR_console_io(CONSOLEIO_read, 16, (void *)bad_ptrs[i].addr);
        tap_check(rc == 0 || rc == -XEN_EFAULT, xen_errno_name(rc),
                  "CONSOLEIO_read into %s: 0 or -EFAULT", bad_ptrs[i].name);
    }
    rc = HYPERVISOR_console_io(0xffffffffUL, 16, "0123456789abcdef");
    tap_eq(rc, -XEN_ENOSYS, "console_io command 0xffffffff");
    rc = HYPERVISOR_console_io(~0UL, 0, NULL);
    tap_eq(rc, -XEN_ENOSYS, "console_io command ~0");
    ridiculous_alive();
    tap_done();
}
