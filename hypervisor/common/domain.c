/* SPDX-License-Identifier: MIT */
/*
 * Domain lifecycle: creation, pausing, shutdown, crash and destruction.
 *
 * A domain is born paused (the toolstack unpauses it once built).  It is
 * destroyed in two steps: domain_kill() takes its vCPUs off the CPUs,
 * closes its event channels, releases its page-table references and drops
 * the allocation reference of every frame; the domain is then "dying"
 * until its last frame is freed (frames still mapped by dom0 keep it
 * there), and then it is gone and its id may be reused.
 *
 * The domain list and the id table are protected by domlist_lock.  A
 * struct domain lives while it has references (refcnt, taken with
 * get_domain): being listed is one of them.
 */
#include <asm/current.h>
#include <asm/pv.h>
#include <pvisor/domain_table.h>
#include <pvisor/event.h>
#include <pvisor/grant_table.h>
#include <pvisor/lib.h>
#include <pvisor/mm.h>
#include <pvisor/sched.h>
#include <pvisor/trace.h>
#include <pvisor/schedule.h>
#include <pvisor/smp.h>
#include <pvisor/vcpu_time.h>
#include <xen/domctl.h>
#include <xen/errno.h>
#include <xen/sched.h>

struct domain *dom0;
DEFINE_SPINLOCK(domlist_lock);
struct domain *domain_list;
static struct domain *domain_table[DOMID_FIRST_RESERVED];
static domid_t domid_rover = 1;

static unsigned int domain_order(void)
{
    unsigned int order = 0;

    while ((PAGE_SIZE << order) < sizeof(struct domain))
        order++;
    return order;
}

struct domain *domain_by_id(domid_t id)
{
    return id < DOMID_FIRST_RESERVED ? READ_ONCE(domain_table[id]) : NULL;
}

void get_domain(struct domain *d)
{
    __atomic_fetch_add(&d->refcnt, 1, __ATOMIC_SEQ_CST);
}

static void domain_free(struct domain *d)
{
    for (unsigned int i = 0; i < MAX_VIRT_CPUS; i++)
        if (d->vcpu[i]) {
            if (d->vcpu[i]->sched_priv)
                sched_destroy_vcpu(d->vcpu[i]);
            arch_vcpu_destroy(d->vcpu[i]);
            free_xenheap_pages(d->vcpu[i], vcpu_order());
        }
    grant_table_destroy(d);
    arch_domain_destroy(d);
    free_xenheap_pages(d, domain_order());
}

void put_domain(struct domain *d)
{
    if (__atomic_sub_fetch(&d->refcnt, 1, __ATOMIC_SEQ_CST) == 0)
        domain_free(d);
}

struct domain *get_domain_by_id(domid_t id)
{
    struct domain *d;

    spin_lock(&domlist_lock);
    d = domain_by_id(id);
    if (d && d->state == DOMSTATE_active)
        get_domain(d);
    else
        d = NULL;
    spin_unlock(&domlist_lock);
    return d;
}

struct domain *rcu_lock_domain_by_id(domid_t id)
{
    return get_domain_by_id(id);
}

/* Picks a free id when the caller asked for none (0, unless explicit). */
static int allocate_domid(domid_t *id, bool explicit)
{
    if ((*id || explicit) && *id < DOMID_FIRST_RESERVED)
        return domain_table[*id] ? -XEN_EEXIST : 0;
    if (*id)
        return -XEN_EINVAL;
    for (unsigned int tries = 0; tries < DOMID_FIRST_RESERVED - 1; tries++) {
        domid_t cand = domid_rover;

        domid_rover = (unsigned int)domid_rover + 1 >= DOMID_FIRST_RESERVED
                          ? 1
                          : (domid_t)(domid_rover + 1);
        if (!domain_table[cand]) {
            *id = cand;
            return 0;
        }
    }
    return -XEN_ENOSPC;
}

struct domain *domain_create(domid_t id, unsigned int flags,
                             const struct xen_domctl_createdomain *config,
                             int *err)
{
    struct domain *d = alloc_xenheap_pages(domain_order());
    bool system = id == DOMID_IDLE;
    unsigned int max_vcpus = config ? config->max_vcpus : 1;
    int rc;

    if (!d) {
        *err = -XEN_ENOMEM;
        return NULL;
    }
    memset(d, 0, PAGE_SIZE << domain_order());
    spin_lock_init(&d->page_alloc_lock);
    spin_lock_init(&d->shutdown_lock);
    for (unsigned int i = 0; i < NR_DOMAIN_WATCHDOG_TIMERS; i++)
        timer_init(&d->watchdog_timer[i], domain_watchdog_fired, d, 0);
    spin_lock_init(&d->console_lock);
    page_list_init(&d->page_list);
    d->is_privileged = flags & DOMCRF_privileged;
    d->refcnt = 1;
    d->sched_weight = 256;
    d->max_vcpus = max_vcpus;
    d->pause_count = system || d->is_privileged ? 0 : 1; /* built paused */
    if (config)
        memcpy(d->handle, config->handle, sizeof(d->handle));

    /* The id first: frames given to the domain carry it as their owner. */
    spin_lock(&domlist_lock);
    if (!system) {
        rc = allocate_domid(&id, d->is_privileged);
        if (rc) {
            spin_unlock(&domlist_lock);
            free_xenheap_pages(d, domain_order());
            *err = rc;
            return NULL;
        }
        domain_table[id] = d;
    }
    d->domain_id = id;
    spin_unlock(&domlist_lock);

    if (!system) {
        rc = arch_domain_create(d);
        if (!rc)
            rc = evtchn_init(d, config && config->max_evtchn_port
                                    ? config->max_evtchn_port
                                    : DEFAULT_MAX_EVTCHN_PORT);
        if (rc) {
            spin_lock(&domlist_lock);
            domain_table[id] = NULL;
            spin_unlock(&domlist_lock);
            arch_domain_destroy(d);
            free_xenheap_pages(d, domain_order());
            *err = rc;
            return NULL;
        }
        spin_lock(&domlist_lock);
        d->next_in_list = domain_list;
        domain_list = d;
        spin_unlock(&domlist_lock);
        if (trace_on_domid(PVTRACE_CLASS_DOMAIN, id))
            trace_record(PVTRACE_EV_DOM_CREATE, 0, id, TRACE_NO_VCPU,
                         max_vcpus, 0, 0, 0, 0, 0);
    }

    if (!system && (rc = grant_table_init(d))) {
        domain_kill(d);
        *err = rc;
        return NULL;
    }
    if (!system) {
        for (unsigned int i = 0; i < max_vcpus; i++)
            if (!vcpu_create(d, i)) {
                domain_kill(d);
                *err = -XEN_ENOMEM;
                return NULL;
            }
    }
    *err = 0;
    return d;
}

struct vcpu *vcpu_create(struct domain *d, unsigned int vcpu_id)
{
    struct vcpu *v;

    if (vcpu_id >= MAX_VIRT_CPUS || d->vcpu[vcpu_id])
        return NULL;
    v = alloc_xenheap_pages(vcpu_order());
    if (!v)
        return NULL;
    memset(v, 0, PAGE_SIZE << vcpu_order());
    v->vcpu_id = vcpu_id;
    v->domain = d;
    if (d->domain_id != DOMID_IDLE) {
        v->pause_flags = 1UL << VPF_down; /* until given a context */
        if (arch_vcpu_create(v)) {
            free_xenheap_pages(v, vcpu_order());
            return NULL;
        }
        sched_init_vcpu(v);
    }
    d->vcpu[vcpu_id] = v;
    if (vcpu_id >= d->max_vcpus)
        d->max_vcpus = vcpu_id + 1;
    return v;
}

void vcpu_pause(struct vcpu *v)
{
    __atomic_fetch_add(&v->pause_count, 1, __ATOMIC_SEQ_CST);
    if (v == current)
        vcpu_sleep_nosync(v);
    else
        vcpu_sleep_sync(v);
}

void vcpu_unpause(struct vcpu *v)
{
    if (__atomic_sub_fetch(&v->pause_count, 1, __ATOMIC_SEQ_CST) == 0)
        vcpu_wake(v);
}

void domain_pause(struct domain *d)
{
    __atomic_fetch_add(&d->pause_count, 1, __ATOMIC_SEQ_CST);
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpu[i]) {
            if (d->vcpu[i] == current)
                vcpu_sleep_nosync(d->vcpu[i]);
            else
                vcpu_sleep_sync(d->vcpu[i]);
        }
}

void domain_unpause(struct domain *d)
{
    if (__atomic_sub_fetch(&d->pause_count, 1, __ATOMIC_SEQ_CST) != 0)
        return;
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpu[i])
            vcpu_wake(d->vcpu[i]);
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
    spin_lock(&d->shutdown_lock);
    if (d->is_shutting_down) {
        spin_unlock(&d->shutdown_lock);
        return;
    }
    d->is_shutting_down = true;
    d->shutdown_code = reason;
    /* PV vCPUs stop at once: the domain is shut down. */
    d->is_shut_down = true;
    spin_unlock(&d->shutdown_lock);
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpu[i])
            vcpu_sleep_nosync(d->vcpu[i]);
    if (trace_on_domid(PVTRACE_CLASS_DOMAIN, d->domain_id))
        trace_record(PVTRACE_EV_DOM_SHUTDOWN, 0, d->domain_id, TRACE_NO_VCPU,
                     reason, 0, 0, 0, 0, 0);
    printk("Domain %u shut down: reason %u (%s)\n", d->domain_id, reason,
           reason == SHUTDOWN_poweroff ? "poweroff"
           : reason == SHUTDOWN_reboot ? "reboot"
           : reason == SHUTDOWN_suspend ? "suspend"
           : reason == SHUTDOWN_crash ? "crash"
           : reason == SHUTDOWN_watchdog ? "watchdog"
                                         : "other");
    if (dom0 && d != dom0)
        send_guest_global_virq(dom0, VIRQ_DOM_EXC);
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
    va_list ap;

    printk("Domain %u crashed: ", d->domain_id);
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
    printk("\n");
    if (current && current->domain == d)
        arch_show_guest_state(current);
    domain_shutdown(d, SHUTDOWN_crash);
}

int domain_kill(struct domain *d)
{
    spin_lock(&domlist_lock);
    if (d->state != DOMSTATE_active) {
        spin_unlock(&domlist_lock);
        return 0;
    }
    d->state = DOMSTATE_dying;
    spin_unlock(&domlist_lock);

    /* Off every CPU for good (the state makes them unrunnable). */
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpu[i])
            vcpu_sleep_sync(d->vcpu[i]);
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpu[i])
            vcpu_destroy_timers(d->vcpu[i]);
    for (unsigned int i = 0; i < NR_DOMAIN_WATCHDOG_TIMERS; i++)
        stop_timer(&d->watchdog_timer[i]);
    evtchn_destroy(d);
    /* Its mappings of others' grants, then its own memory; its grant
     * frames stay while others still map its grants. */
    gnttab_release_mappings(d);
    arch_domain_relinquish(d);
    gnttab_domain_dying(d);
    if (dom0 && d != dom0)
        send_guest_global_virq(dom0, VIRQ_DOM_EXC);
    domain_page_freed(d);
    return 0;
}

/* A dying domain with no frames left is gone: unlist it, free its id. */
void domain_page_freed(struct domain *d)
{
    bool gone = false;

    spin_lock(&domlist_lock);
    if (d->state == DOMSTATE_dying && READ_ONCE(d->tot_pages) == 0 &&
        READ_ONCE(d->xenheap_pages) == 0) {
        d->state = DOMSTATE_dead;
        domain_table[d->domain_id] = NULL;
        for (struct domain **pp = &domain_list; *pp; pp = &(*pp)->next_in_list)
            if (*pp == d) {
                *pp = d->next_in_list;
                break;
            }
        gone = true;
    }
    spin_unlock(&domlist_lock);
    if (gone) {
        if (trace_on_domid(PVTRACE_CLASS_DOMAIN, d->domain_id))
            trace_record(PVTRACE_EV_DOM_DESTROY, 0, d->domain_id,
                         TRACE_NO_VCPU, 0, 0, 0, 0, 0, 0);
        printk("Domain %u destroyed\n", d->domain_id);
        put_domain(d);
    }
}
