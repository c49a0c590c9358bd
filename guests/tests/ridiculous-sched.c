/* SPDX-License-Identifier: MIT */
/*
 * Ridiculous arguments to sched_op (#29), after do_sched_op and do_poll
 * (xen/common/sched/core.c): unreadable arguments are -EFAULT (and a
 * shutdown whose argument cannot be read does not shut down), more than
 * 128 poll ports -EINVAL, a poll port beyond the domain's event channels
 * -EINVAL, unknown commands -ENOSYS, remote_shutdown of a domain that does
 * not exist -ESRCH and pin_override from a domU -EPERM.  Events are masked
 * throughout so that do_poll reaches its port checks instead of returning
 * early for a deliverable event.
 */
#include "events.h"
#include "ridiculous.h"
#include "timekeeping.h"

static long poll(const void *ports, unsigned long n, uint64_t timeout)
{
    struct sched_poll p = {.nr_ports = (unsigned int)n, .timeout = timeout};

    set_xen_guest_handle(p.ports, (evtchn_port_t *)ports);
    return HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

int guest_main(void)
{
    static evtchn_port_t ports[200];
    struct sched_remote_shutdown rs;
    struct sched_pin_override pin = {.pcpu = 0};
    long rc;

    guest_init_basic();
    bad_ptrs_init();
    local_events_disable();

    rc = HYPERVISOR_sched_op(SCHEDOP_shutdown, NULL);
    tap_eq(rc, -XEN_EFAULT, "SCHEDOP_shutdown(NULL) fails and we live on");
    NOT_NULL_BAD_PTRS(i)
    {
        rc = HYPERVISOR_sched_op(SCHEDOP_shutdown, (void *)bad_ptrs[i].addr);
        tap_eq(rc, -XEN_EFAULT, "SCHEDOP_shutdown(%s)", bad_ptrs[i].name);
    }
    rc = HYPERVISOR_sched_op(SCHEDOP_shutdown_code, NULL);
    tap_eq(rc, -XEN_EFAULT, "SCHEDOP_shutdown_code(NULL)");

    rc = HYPERVISOR_sched_op(SCHEDOP_poll, NULL);
    tap_eq(rc, -XEN_EFAULT, "SCHEDOP_poll(NULL)");
    NOT_NULL_BAD_PTRS(i)
    {
        rc = HYPERVISOR_sched_op(SCHEDOP_poll, (void *)bad_ptrs[i].addr);
        tap_eq(rc, -XEN_EFAULT, "SCHEDOP_poll(%s)", bad_ptrs[i].name);
    }
    rc = poll(ports, 129, 0);
    tap_eq(rc, -XEN_EINVAL, "SCHEDOP_poll with 129 ports");
    rc = poll(ports, 0xffffffffUL, 0);
    tap_eq(rc, -XEN_EINVAL, "SCHEDOP_poll with 0xffffffff ports");
    rc = poll(NULL, 1, 0);
    tap_eq(rc, -XEN_EFAULT, "SCHEDOP_poll with the port list at NULL");
    rc = poll((void *)bad_ptrs[BAD_M2P].addr, 1, 0);
    tap_eq(rc, -XEN_EFAULT, "SCHEDOP_poll with the port list in the M2P");
    rc = poll((void *)bad_ptrs[BAD_UNMAPPED].addr, 4, 0);
    tap_eq(rc, -XEN_EFAULT, "SCHEDOP_poll with the port list unmapped");
    ports[0] = 0x10000;
    rc = poll(ports, 1, 0);
    tap_eq(rc, -XEN_EINVAL, "SCHEDOP_poll on port 65536");
    ports[0] = ~0U;
    rc = poll(ports, 1, 0);
    tap_eq(rc, -XEN_EINVAL, "SCHEDOP_poll on port 0xffffffff");
    /* A timeout in the past: returns as soon as it is scheduled again. */
    ports[0] = 0;
    rc = poll(ports, 0, 1);
    tap_eq(rc, 0, "SCHEDOP_poll with no ports and a timeout long past");

    rs.domain_id = 32000;
    rs.reason = SHUTDOWN_poweroff;
    rc = HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs);
    tap_eq(rc, -XEN_ESRCH, "SCHEDOP_remote_shutdown of domain 32000");
    rs.domain_id = DOMID_SELF;
    rc = HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs);
    tap_eq(rc, -XEN_ESRCH,
           "SCHEDOP_remote_shutdown of DOMID_SELF (not looked up)");
    rc = HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, NULL);
    tap_eq(rc, -XEN_EFAULT, "SCHEDOP_remote_shutdown(NULL)");
    rc = HYPERVISOR_sched_op(SCHEDOP_pin_override, &pin);
    tap_eq(rc, -XEN_EPERM, "SCHEDOP_pin_override from a domU");

    rc = HYPERVISOR_sched_op(0xffffffffUL, NULL);
    tap_eq(rc, -XEN_ENOSYS, "sched_op 0xffffffff");
    rc = HYPERVISOR_sched_op(8, NULL);
    tap_eq(rc, -XEN_ENOSYS, "sched_op 8");
    local_events_enable();
    ridiculous_alive();
    tap_done();
}
