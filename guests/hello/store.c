/* SPDX-License-Identifier: MIT */
/*
 * The reference guest's use of xenstore (guests/lib/xenbus.h).
 *
 * Self-test: the guest learns its own domain id from the hypervisor (an
 * unbound port allocated for DOMID_SELF, whose EVTCHNOP_status names the
 * remote domain: Xen resolves DOMID_SELF to the caller's id when it
 * allocates the port), checks that the store's event channel is bound to
 * domain 0, reads `domid` and `name` with relative paths (which the
 * daemon resolves under /local/domain/N) and compares them with what it
 * knows, writes `data/hello`, and sets a watch on `data/ping` that must
 * fire when set and again when the guest writes the node itself.
 *
 * While lingering (linger=S) the guest waits on its watches: a write to
 * data/ping (by dom0: `xenstore-write /local/domain/N/data/ping X`) is
 * echoed on the console and answered in data/pong, and a change of
 * memory/target sets the balloon (balloon.c) to the new target; the
 * loop that waits is the network's (net.c), which also serves the vif.
 */
#include "events.h"
#include "hello.h"
#include "hypercall.h"
#include "timekeeping.h"
#include "xenbus.h"

#include <xen/errno.h>

#define STORE_TIMEOUT (2 * NSEC_PER_SEC)

static bool store_up;

/* Our domain id as the hypervisor knows it, or a negative error. */
static long own_domid(void)
{
    struct evtchn_alloc_unbound a = {.dom = DOMID_SELF,
                                     .remote_dom = DOMID_SELF};
    struct evtchn_status st;
    struct evtchn_close c;
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);

    if (rc)
        return rc;
    st.dom = DOMID_SELF;
    st.port = a.port;
    rc = HYPERVISOR_event_channel_op(EVTCHNOP_status, &st);
    c.port = a.port;
    HYPERVISOR_event_channel_op(EVTCHNOP_close, &c);
    if (rc)
        return rc;
    if (st.status != EVTCHNSTAT_unbound)
        return -XEN_EINVAL;
    return st.u.unbound.dom;
}

static unsigned long parse_ulong(const char *s, bool *ok)
{
    unsigned long n = 0;

    *ok = *s != '\0';
    for (; *s; s++) {
        if (*s < '0' || *s > '9') {
            *ok = false;
            break;
        }
        n = n * 10 + (unsigned long)(*s - '0');
    }
    return n;
}

void selftest_xenbus(void)
{
    struct evtchn_status st = {.dom = DOMID_SELF,
                               .port = start_info->store_evtchn};
    char buf[128], name[64], path[96], fired[96];
    long domid, rc;
    unsigned long store_domid;
    bool num;

    rc = xenbus_init();
    check(rc == 0, "xenstore ring mapped, its event channel bound",
          "store mfn %#lx port %u, rc %ld", start_info->store_mfn,
          start_info->store_evtchn, rc);
    if (rc)
        return;
    rc = HYPERVISOR_event_channel_op(EVTCHNOP_status, &st);
    check(rc == 0 && st.status == EVTCHNSTAT_interdomain &&
              st.u.interdomain.dom == 0,
          "the store's event channel is bound to domain 0",
          "rc %ld status %u remote domain %u", rc, st.status,
          st.u.interdomain.dom);

    domid = own_domid();
    rc = xenbus_read("domid", buf, sizeof(buf));
    store_domid = parse_ulong(buf, &num);
    check(domid > 0 && rc > 0 && num && store_domid == (unsigned long)domid,
          "xenstore `domid` is the id the hypervisor gives us",
          "\"%s\", hypervisor %ld", rc > 0 ? buf : "", domid);
    if (domid <= 0)
        return;

    rc = xenbus_read("name", name, sizeof(name));
    snprintf(path, sizeof(path), "/local/domain/%ld/name", domid);
    rc = rc > 0 ? xenbus_read(path, buf, sizeof(buf)) : rc;
    check(rc > 0 && name[0] && !strcmp(name, buf),
          "xenstore `name` read relative and as /local/domain/N/name",
          "\"%s\"", rc > 0 ? name : "");
    if (rc <= 0)
        return;
    printf("hello: I am \"%s\", domain %ld\n", name, domid);

    snprintf(buf, sizeof(buf), "hello from %s (domain %ld)", name, domid);
    rc = xenbus_write("data/hello", buf);
    rc = rc ?: xenbus_read("data/hello", path, sizeof(path));
    check(rc > 0 && !strcmp(path, buf), "wrote data/hello and read it back",
          "\"%s\", rc %ld", buf, rc);

    rc = xenbus_watch("data/ping", "ping");
    rc = rc ?: xenbus_wait_watch("ping", fired, sizeof(fired), STORE_TIMEOUT);
    check(rc == 0 && !strcmp(fired, "data/ping"),
          "a watch on data/ping fires when set", "rc %ld", rc);
    rc = xenbus_write("data/ping", "self");
    rc = rc ?: xenbus_wait_watch("ping", fired, sizeof(fired), STORE_TIMEOUT);
    check(rc == 0 && !strcmp(fired, "data/ping"),
          "... and when we write the node", "rc %ld", rc);
    store_up = rc == 0;
}

/* A change of data/ping: echo it, answer in data/pong. */
static void on_ping(void)
{
    char v[64];
    long rc = xenbus_read("data/ping", v, sizeof(v));

    if (rc < 0) {
        printf("hello: data/ping unreadable: %ld\n", rc);
        return;
    }
    printf("hello: data/ping is \"%s\"\n", v);
    rc = xenbus_write("data/pong", v);
    if (rc)
        printf("hello: writing data/pong failed: %ld\n", rc);
}

/* A change of memory/target (KiB, as the toolstack writes it). */
static void on_target(void)
{
    char v[32];
    long rc = xenbus_read("memory/target", v, sizeof(v));
    unsigned long kib;
    bool ok;

    if (rc < 0) {
        printf("hello: balloon: memory/target unreadable: %ld\n", rc);
        return;
    }
    kib = parse_ulong(v, &ok);
    if (!ok) {
        printf("hello: balloon: memory/target \"%s\" is not a number\n", v);
        return;
    }
    balloon_set_target(kib / (PAGE_SIZE / 1024));
}

/* A watch fired while lingering (net.c runs the loop) that is not the
 * network's: a ping, the balloon's target, or the disks. */
bool store_watch_event(const char *fired)
{
    if (!strcmp(fired, "data/ping"))
        on_ping();
    else if (!strcmp(fired, "memory/target"))
        on_target();
    else
        disk_changed(); /* device/vbd/... or a disk's backend */
    return true;
}

void store_linger(uint64_t ns)
{
    long rc;

    if (!store_up) {
        timer_sleep_ns(ns);
        return;
    }
    balloon_init();
    rc = xenbus_watch("memory/target", "target");
    if (rc)
        printf("hello: balloon: cannot watch memory/target: %ld\n", rc);
    rc = xenbus_watch("device/vbd", "vbd");
    if (rc)
        printf("hello: cannot watch device/vbd: %ld\n", rc);
    printf("hello: watching data/ping and memory/target, device/vbd "
           "(and device/vif)\n");
    net_serve(ns);
    xenbus_unwatch("device/vbd", "vbd");
    xenbus_unwatch("memory/target", "target");
    xenbus_unwatch("data/ping", "ping");
}
