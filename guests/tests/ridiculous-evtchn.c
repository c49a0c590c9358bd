/* SPDX-License-Identifier: MIT */
/*
 * Ridiculous arguments to event_channel_op (#32), after
 * xen/common/event_channel.c (do_event_channel_op and the evtchn_*
 * functions it calls):
 *
 *  - an argument that cannot be read: -EFAULT, for every sub-op;
 *  - unknown sub-ops -ENOSYS; bind_pirq too (pvisor has no physical IRQs
 *    and does not implement it; Xen answers a domU without IRQ access
 *    -EINVAL or -EPERM);
 *  - ports: beyond the domain's table, 0xffffffff -EINVAL for send,
 *    close, status, unmask, bind_vcpu; port 0 (ECS_RESERVED) -EINVAL for
 *    send, close and bind_vcpu, "closed" for status; a free port -EINVAL
 *    for send, close, bind_vcpu;
 *  - vCPUs: bind_virq of a per-vCPU VIRQ, bind_ipi and bind_vcpu to a vCPU
 *    the domain does not have -ENOENT (vCPU numbers are signed in Xen, so
 *    0xffffffff is one of them); a global VIRQ on any vCPU but 0 -EINVAL;
 *  - VIRQs NR_VIRQS and up, or negative, -EINVAL; a second bind -EEXIST;
 *  - other domains: alloc_unbound, status and reset of domain 0 from a domU
 *    -EPERM, of a domain that does not exist -ESRCH (looked up first);
 *    bind_interdomain to a missing domain or DOMID_XEN -ESRCH, to a port
 *    that is not unbound for us -EINVAL (whoever owns it), twice to the
 *    same port -EINVAL;
 *  - after all that our own bindings still work.
 */
#include "events.h"
#include "ridiculous.h"
#include "timekeeping.h"

static long op(unsigned long cmd, void *arg)
{
    return HYPERVISOR_event_channel_op(cmd, arg);
}

static long port_op(unsigned int cmd, evtchn_port_t port)
{
    switch (cmd) {
    case EVTCHNOP_send: {
        struct evtchn_send s = {.port = port};
        return op(cmd, &s);
    }
    case EVTCHNOP_close: {
        struct evtchn_close c = {.port = port};
        return op(cmd, &c);
    }
    case EVTCHNOP_unmask: {
        struct evtchn_unmask u = {.port = port};
        return op(cmd, &u);
    }
    case EVTCHNOP_bind_vcpu: {
        struct evtchn_bind_vcpu b = {.port = port, .vcpu = 0};
        return op(cmd, &b);
    }
    case EVTCHNOP_status: {
        struct evtchn_status st = {.dom = DOMID_SELF, .port = port};
        long rc = op(cmd, &st);
        return rc ? rc : (long)st.status;
    }
    }
    return -XEN_ENOSYS;
}

static const struct {
    unsigned int cmd;
    const char *name;
} ops[] = {
    {EVTCHNOP_bind_interdomain, "bind_interdomain"},
    {EVTCHNOP_bind_virq, "bind_virq"},
    {EVTCHNOP_close, "close"},
    {EVTCHNOP_send, "send"},
    {EVTCHNOP_status, "status"},
    {EVTCHNOP_alloc_unbound, "alloc_unbound"},
    {EVTCHNOP_bind_ipi, "bind_ipi"},
    {EVTCHNOP_bind_vcpu, "bind_vcpu"},
    {EVTCHNOP_unmask, "unmask"},
    {EVTCHNOP_reset, "reset"},
};

static const char *pop_name(unsigned int cmd)
{
    switch (cmd) {
    case EVTCHNOP_send:
        return "send";
    case EVTCHNOP_close:
        return "close";
    case EVTCHNOP_unmask:
        return "unmask";
    case EVTCHNOP_bind_vcpu:
        return "bind_vcpu";
    default:
        return "status";
    }
}

static void test_bad_buffers(void)
{
    for (unsigned int o = 0; o < ARRAY_SIZE(ops); o++) {
        long rc = op(ops[o].cmd, NULL);

        tap_eq(rc, -XEN_EFAULT, "%s(NULL)", ops[o].name);
        NOT_NULL_BAD_PTRS(i)
        {
            /* evtchn_reset is 2 bytes: it fits before the hole. */
            if (ops[o].cmd == EVTCHNOP_reset && i == BAD_STRADDLE)
                continue;
            rc = op(ops[o].cmd, (void *)bad_ptrs[i].addr);
            tap_eq(rc, -XEN_EFAULT, "%s(%s)", ops[o].name, bad_ptrs[i].name);
        }
    }
}

static void test_bad_ports(void)
{
    static const unsigned int cmds[] = {EVTCHNOP_send, EVTCHNOP_close,
                                        EVTCHNOP_status, EVTCHNOP_unmask,
                                        EVTCHNOP_bind_vcpu};
    static const evtchn_port_t bad[] = {4096, 65536, 0x7fffffff, 0xffffffff};
    evtchn_port_t free_port = 0;
    struct evtchn_alloc_unbound a = {.dom = DOMID_SELF, .remote_dom = 0};

    for (unsigned int c = 0; c < ARRAY_SIZE(cmds); c++)
        for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
            tap_eq(port_op(cmds[c], bad[i]), -XEN_EINVAL, "%s of port %#x",
                   pop_name(cmds[c]), bad[i]);
    tap_eq(port_op(EVTCHNOP_send, 0), -XEN_EINVAL, "send on port 0");
    tap_eq(port_op(EVTCHNOP_close, 0), -XEN_EINVAL, "close port 0");
    tap_eq(port_op(EVTCHNOP_bind_vcpu, 0), -XEN_EINVAL, "bind_vcpu of port 0");
    tap_eq(port_op(EVTCHNOP_status, 0), EVTCHNSTAT_closed,
           "status of port 0: closed");
    /* A port that was allocated and closed is free. */
    if (op(EVTCHNOP_alloc_unbound, &a) == 0) {
        free_port = a.port;
        port_op(EVTCHNOP_close, free_port);
    }
    tap_ok(free_port != 0, "a free port to try (%u)", free_port);
    tap_eq(port_op(EVTCHNOP_send, free_port), -XEN_EINVAL, "send on a free port");
    tap_eq(port_op(EVTCHNOP_close, free_port), -XEN_EINVAL, "close a free port");
    tap_eq(port_op(EVTCHNOP_bind_vcpu, free_port), -XEN_EINVAL,
           "bind_vcpu of a free port");
    tap_eq(port_op(EVTCHNOP_unmask, free_port), 0,
           "unmask of a free port: 0, as Xen (only the range is checked)");
}

static void test_bad_vcpus_virqs(void)
{
    static const uint32_t vcpus[] = {1, 31, 32, 4096, 0x7fffffff, 0xffffffff};
    static const uint32_t virqs[] = {NR_VIRQS, NR_VIRQS + 1, 1000, 0x7fffffff,
                                     0xffffffff};
    struct evtchn_bind_virq bv;
    struct evtchn_bind_ipi bi;
    struct evtchn_bind_vcpu bc;
    struct evtchn_alloc_unbound a = {.dom = DOMID_SELF, .remote_dom = 0};
    evtchn_port_t port = 0, con = 0;
    long rc;

    op(EVTCHNOP_alloc_unbound, &a);
    for (unsigned int i = 0; i < ARRAY_SIZE(vcpus); i++) {
        bv = (struct evtchn_bind_virq){.virq = VIRQ_DEBUG, .vcpu = vcpus[i]};
        tap_eq(op(EVTCHNOP_bind_virq, &bv), -XEN_ENOENT,
               "bind_virq VIRQ_DEBUG on vCPU %#x", vcpus[i]);
        bv = (struct evtchn_bind_virq){.virq = VIRQ_CONSOLE, .vcpu = vcpus[i]};
        tap_eq(op(EVTCHNOP_bind_virq, &bv), -XEN_EINVAL,
               "bind_virq VIRQ_CONSOLE (global) on vCPU %#x", vcpus[i]);
        bi = (struct evtchn_bind_ipi){.vcpu = vcpus[i]};
        tap_eq(op(EVTCHNOP_bind_ipi, &bi), -XEN_ENOENT, "bind_ipi on vCPU %#x",
               vcpus[i]);
        bc = (struct evtchn_bind_vcpu){.port = a.port, .vcpu = vcpus[i]};
        tap_eq(op(EVTCHNOP_bind_vcpu, &bc), -XEN_ENOENT,
               "bind_vcpu of an unbound port to vCPU %#x", vcpus[i]);
    }
    port_op(EVTCHNOP_close, a.port);
    for (unsigned int i = 0; i < ARRAY_SIZE(virqs); i++) {
        bv = (struct evtchn_bind_virq){.virq = virqs[i], .vcpu = 0};
        tap_eq(op(EVTCHNOP_bind_virq, &bv), -XEN_EINVAL, "bind_virq of VIRQ %#x",
               virqs[i]);
    }
    rc = evtchn_bind_virq(VIRQ_TIMER, 0, &port);
    tap_eq(rc, -XEN_EEXIST, "bind VIRQ_TIMER twice: -EEXIST");
    rc = evtchn_bind_virq(VIRQ_CONSOLE, 0, &con);
    tap_eq(rc, 0, "bind VIRQ_CONSOLE");
    rc = evtchn_bind_virq(VIRQ_CONSOLE, 0, &port);
    tap_eq(rc, -XEN_EEXIST, "... and again: -EEXIST");
    tap_eq(port_op(EVTCHNOP_close, con), 0, "close it");
    tap_eq(port_op(EVTCHNOP_close, con), -XEN_EINVAL, "... and again: -EINVAL");
}

static void test_other_domains(void)
{
    struct evtchn_alloc_unbound a;
    struct evtchn_status st;
    struct evtchn_reset r;
    struct evtchn_bind_interdomain b;
    evtchn_port_t mine = 0, first = 0;
    long rc;

    a = (struct evtchn_alloc_unbound){.dom = 0, .remote_dom = DOMID_SELF};
    tap_eq(op(EVTCHNOP_alloc_unbound, &a), -XEN_EPERM,
           "alloc_unbound in domain 0: -EPERM");
    a = (struct evtchn_alloc_unbound){.dom = 32000, .remote_dom = DOMID_SELF};
    tap_eq(op(EVTCHNOP_alloc_unbound, &a), -XEN_ESRCH,
           "alloc_unbound in domain 32000: -ESRCH");
    st = (struct evtchn_status){.dom = 0, .port = 1};
    tap_eq(op(EVTCHNOP_status, &st), -XEN_EPERM,
           "status of domain 0's port 1: -EPERM");
    st = (struct evtchn_status){.dom = 32000, .port = 1};
    tap_eq(op(EVTCHNOP_status, &st), -XEN_ESRCH,
           "status in domain 32000: -ESRCH");
    r = (struct evtchn_reset){.dom = 0};
    tap_eq(op(EVTCHNOP_reset, &r), -XEN_EPERM, "reset domain 0: -EPERM");
    r = (struct evtchn_reset){.dom = 32000};
    tap_eq(op(EVTCHNOP_reset, &r), -XEN_ESRCH, "reset domain 32000: -ESRCH");

    b = (struct evtchn_bind_interdomain){.remote_dom = 32000, .remote_port = 1};
    tap_eq(op(EVTCHNOP_bind_interdomain, &b), -XEN_ESRCH,
           "bind_interdomain to domain 32000: -ESRCH");
    b = (struct evtchn_bind_interdomain){.remote_dom = DOMID_XEN,
                                         .remote_port = 1};
    tap_eq(op(EVTCHNOP_bind_interdomain, &b), -XEN_ESRCH,
           "bind_interdomain to DOMID_XEN: -ESRCH");
    /* Domain 0's ports: the ones it left unbound for us are our
     * xenstore and console channels, already bound; none other is
     * unbound for us. */
    for (evtchn_port_t p = 0; p < 64; p++) {
        b = (struct evtchn_bind_interdomain){.remote_dom = 0, .remote_port = p};
        rc = op(EVTCHNOP_bind_interdomain, &b);
        if (rc != -XEN_EINVAL) {
            tap_diag("port %u of domain 0: %s", p, xen_errno_name(rc));
            if (!rc)
                port_op(EVTCHNOP_close, b.local_port);
            break;
        }
        if (p == 63)
            first = 1;
    }
    tap_ok(first, "bind_interdomain to each of domain 0's ports 0-63: -EINVAL");
    b = (struct evtchn_bind_interdomain){.remote_dom = 0, .remote_port = 5000};
    tap_eq(op(EVTCHNOP_bind_interdomain, &b), -XEN_EINVAL,
           "bind_interdomain to domain 0's port 5000: -EINVAL");

    /* Our own port, unbound for domain 0: not ours to bind. */
    a = (struct evtchn_alloc_unbound){.dom = DOMID_SELF, .remote_dom = 0};
    op(EVTCHNOP_alloc_unbound, &a);
    mine = a.port;
    b = (struct evtchn_bind_interdomain){.remote_dom = DOMID_SELF,
                                         .remote_port = mine};
    tap_eq(op(EVTCHNOP_bind_interdomain, &b), -XEN_EINVAL,
           "bind_interdomain to our port left unbound for domain 0: -EINVAL");
    port_op(EVTCHNOP_close, mine);
    /* Bound once, not twice. */
    a = (struct evtchn_alloc_unbound){.dom = DOMID_SELF,
                                      .remote_dom = DOMID_SELF};
    op(EVTCHNOP_alloc_unbound, &a);
    b = (struct evtchn_bind_interdomain){.remote_dom = DOMID_SELF,
                                         .remote_port = a.port};
    rc = op(EVTCHNOP_bind_interdomain, &b);
    tap_eq(rc, 0, "bind our own unbound port");
    first = b.local_port;
    b.local_port = 0;
    tap_eq(op(EVTCHNOP_bind_interdomain, &b), -XEN_EINVAL,
           "bind it a second time: -EINVAL");
    b = (struct evtchn_bind_interdomain){.remote_dom = DOMID_SELF,
                                         .remote_port = first};
    tap_eq(op(EVTCHNOP_bind_interdomain, &b), -XEN_EINVAL,
           "bind its (interdomain) peer: -EINVAL");
    tap_eq(port_op(EVTCHNOP_close, first), 0, "close one end");
    tap_eq(port_op(EVTCHNOP_close, a.port), 0, "close the other");
}

int guest_main(void)
{
    evtchn_port_t ipi = 0;
    unsigned long seen;
    long rc;

    guest_init_basic();
    bad_ptrs_init();
    rc = timer_init();
    tap_eq(rc, 0, "VIRQ_TIMER bound");
    local_events_enable();

    test_bad_buffers();
    {
        struct evtchn_bind_pirq bp = {.pirq = 0};

        tap_eq(op(EVTCHNOP_bind_pirq, &bp), -XEN_ENOSYS,
               "bind_pirq: -ENOSYS (not implemented)");
    }
    tap_eq(op(14, NULL), -XEN_ENOSYS, "sub-op 14: -ENOSYS");
    tap_eq(op(0xffffffffUL, NULL), -XEN_ENOSYS, "sub-op 0xffffffff: -ENOSYS");
    test_bad_ports();
    test_bad_vcpus_virqs();
    test_other_domains();

    /* Still working. */
    rc = evtchn_bind_ipi(0, &ipi);
    tap_eq(rc, 0, "bind_ipi still works");
    seen = evtchn_port_hits[ipi];
    evtchn_send(ipi);
    tap_eq(evtchn_port_hits[ipi], seen + 1, "... and its event arrives");
    seen = timer_events;
    timer_set_singleshot(time_now_ns() + 2 * NSEC_PER_MSEC, 0);
    sched_block_until_changed(&timer_events, seen);
    tap_eq(timer_events, seen + 1, "VIRQ_TIMER still arrives");
    ridiculous_alive();
    tap_done();
}
