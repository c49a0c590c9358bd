/* SPDX-License-Identifier: MIT */
/*
 * Test guest for console_io (#18): CONSOLEIO_write of ordinary, empty,
 * multi-line, unterminated and large buffers (Xen's guest_console_write
 * returns 0 once everything is written, xen/drivers/char/console.c), and
 * CONSOLEIO_read, which returns the number of characters read (0 when no
 * input is waiting; pvisor's hypervisor console has no input).
 *
 * The host checks the log for the marker lines printed here.
 */
#include "hypercall.h"
#include "tap.h"

#include <xen/errno.h>

static char big[8192];

int guest_main(void)
{
    static const char two[] = "# console: line one\n# console: line two\n";
    static const char part1[] = "# console: split ", part2[] = "line\n";
    char in[16];
    long rc, rc2;

    guest_init_basic();
    rc = HYPERVISOR_console_io(CONSOLEIO_write, 0, "x");
    tap_eq(rc, 0, "CONSOLEIO_write of 0 bytes");
    rc = HYPERVISOR_console_io(CONSOLEIO_write, sizeof(two) - 1, two);
    tap_eq(rc, 0, "CONSOLEIO_write of two lines in one call");
    /* No TAP line may land between the two halves. */
    rc = HYPERVISOR_console_io(CONSOLEIO_write, sizeof(part1) - 1, part1);
    rc2 = HYPERVISOR_console_io(CONSOLEIO_write, sizeof(part2) - 1, part2);
    tap_eq(rc, 0, "CONSOLEIO_write of a line without its newline");
    tap_eq(rc2, 0, "CONSOLEIO_write of the rest of that line");

    /* 8 KiB: 127 lines of 63 characters plus a newline each, then 64 more. */
    for (unsigned int i = 0; i < sizeof(big); i++)
        big[i] = (i % 64 == 63) ? '\n' : (i % 64 == 0 ? '#' : 'a' + i % 26);
    rc = HYPERVISOR_console_io(CONSOLEIO_write, sizeof(big), big);
    tap_eq(rc, 0, "CONSOLEIO_write of 8 KiB in one call");

    rc = HYPERVISOR_console_io(CONSOLEIO_read, sizeof(in), in);
    tap_check(rc >= 0 && rc <= (long)sizeof(in), xen_errno_name(rc),
              "CONSOLEIO_read returns a count within the buffer");
    rc = HYPERVISOR_console_io(CONSOLEIO_read, 0, in);
    tap_eq(rc, 0, "CONSOLEIO_read of 0 bytes returns 0");
    rc = HYPERVISOR_console_io(2, 1, in);
    tap_eq(rc, -XEN_ENOSYS, "console_io with an unknown command (2)");
    rc = printf("# console: marker after the tests\n");
    tap_ok(rc > 0, "printf still works");
    tap_done();
}
