/* SPDX-License-Identifier: MIT */
/*
 * Test guest for xenstore over the guest's ring (xenbus.h): the page and
 * event channel in start_info, introduced by the toolstack to
 * xenstore-lite.  Reads what the toolstack wrote about us, writes and
 * removes our own nodes, gets Xen's errors for what we may not do, and
 * sets a watch that fires when set and when a node below it changes.
 */
#include "events.h"
#include "hypercall.h"
#include "tap.h"
#include "timekeeping.h"
#include "xenbus.h"

#include <xen/errno.h>

#define MS NSEC_PER_MSEC

int guest_main(void)
{
    char buf[256], path[128], home[64];
    long rc;

    guest_init_basic();
    rc = timer_init();
    tap_eq(rc, 0, "VIRQ_TIMER bound");
    local_events_enable();

    rc = xenbus_init();
    tap_eq(rc, 0, "xenstore ring mapped, its event channel bound");

    rc = xenbus_read("domid", buf, sizeof(buf));
    tap_check(rc > 0 && buf[0] >= '1' && buf[0] <= '9', "read",
              "read our domid (relative path): \"%s\"", buf);
    snprintf(home, sizeof(home), "/local/domain/%s", buf);
    rc = xenbus_read("name", buf, sizeof(buf));
    tap_check(rc > 0 && !strcmp(buf, "test-xenbus"), "name",
              "read our name: \"%s\"", buf);
    snprintf(path, sizeof(path), "%s/name", home);
    rc = xenbus_read(path, buf, sizeof(buf));
    tap_check(rc > 0 && !strcmp(buf, "test-xenbus"), "abs",
              "the same through the absolute path %s", path);
    rc = xenbus_read("memory/target", buf, sizeof(buf));
    tap_check(rc > 0 && buf[0] >= '1' && buf[0] <= '9', "target",
              "memory/target is set: %s KiB", buf);

    tap_eq(xenbus_write("data/hello", "world"), 0, "write data/hello");
    rc = xenbus_read("data/hello", buf, sizeof(buf));
    tap_check(rc == 5 && !strcmp(buf, "world"), "readback",
              "read it back: \"%s\"", buf);
    rc = xenbus_directory("data", buf, sizeof(buf));
    tap_check(rc >= 1 && !strcmp(buf, "hello"), "dir",
              "data lists it (%ld children, first \"%s\")", rc, buf);
    tap_eq(xenbus_read("data/nothing-here", buf, sizeof(buf)), -XEN_ENOENT,
           "reading a missing node is ENOENT");
    tap_eq(xenbus_write("/local/domain/0/intruder", "x"), -XEN_EACCES,
           "writing under domain 0 is EACCES");
    tap_eq(xenbus_write("/tool/intruder", "x"), -XEN_EACCES,
           "writing under /tool is EACCES");
    tap_eq(xenbus_read("data//bad", buf, sizeof(buf)), -XEN_EINVAL,
           "a path with // is EINVAL");

    tap_eq(xenbus_watch("data/w", "tok"), 0, "watch data/w");
    rc = xenbus_wait_watch("tok", buf, sizeof(buf), 500 * MS);
    tap_check(rc == 0 && !strcmp(buf, "data/w"), "initial",
              "the watch fires once when set (\"%s\", rc %ld)", buf, rc);
    tap_eq(xenbus_write("data/w/x", "1"), 0, "write data/w/x");
    rc = xenbus_wait_watch("tok", buf, sizeof(buf), 500 * MS);
    tap_check(rc == 0 && !strcmp(buf, "data/w/x"), "fired",
              "the watch fires for data/w/x (\"%s\", rc %ld)", buf, rc);
    tap_eq(xenbus_unwatch("data/w", "tok"), 0, "unwatch");
    tap_eq(xenbus_write("data/w/x", "2"), 0, "write data/w/x again");
    tap_eq(xenbus_wait_watch("tok", buf, sizeof(buf), 200 * MS),
           -XEN_ETIMEDOUT, "... and no event comes");
    tap_eq(xenbus_rm("data/hello"), 0, "rm data/hello");
    tap_eq(xenbus_read("data/hello", buf, sizeof(buf)), -XEN_ENOENT,
           "... it is gone");
    tap_diag("%lu requests, %lu watch events", xenbus_requests,
             xenbus_events);
    tap_done();
}
