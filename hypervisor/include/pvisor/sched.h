/* SPDX-License-Identifier: MIT */
/*
 * Domains and vCPUs.
 *
 * Domain 0 is a real domain inside the hypervisor (privileged, id 0).  Its
 * hypercalls arrive over the dom0 link rather than from a vCPU running in
 * the machine; they execute on the link vCPU (dom0->vcpu[0]), whose
 * guest-memory accessors reach dom0's argument window in the link arena.
 *
 * Lock order: domlist_lock, then d->page_alloc_lock, then the heap lock;
 * d->event_lock before any per-CPU scheduler lock.
 */
#ifndef PVISOR_SCHED_H
#define PVISOR_SCHED_H

#include <asm/domain.h>
#include <pvisor/mm.h>
#include <pvisor/spinlock.h>
#include <pvisor/time.h>
#include <pvisor/types.h>
#include <xen/event_channel.h>
#include <xen/vcpu.h>
#include <xen/xen.h>

struct xen_domctl_createdomain;

#define MAX_VIRT_CPUS XEN_LEGACY_MAX_VCPUS /* vcpu_info slots in shared_info */
#define DEFAULT_MAX_EVTCHN_PORT 1023
#define NR_EVTCHN_BUCKETS 4

struct domain;
struct evtchn;

/* vCPU pause_flags: why a vCPU cannot run. */
#define VPF_blocked 0 /* SCHEDOP_block / poll */
#define VPF_down 1    /* not brought up (or VCPUOP_down) */

struct vcpu {
    unsigned int vcpu_id;
    struct domain *domain;
    unsigned int processor;       /* the pCPU it runs or queues on */
    struct cpu_user_regs user_regs;
    struct arch_vcpu arch;

    vcpu_info_t *vcpu_info;       /* in shared_info (or a registered page) */

    /* Scheduling: protected by the per-CPU scheduler lock. */
    unsigned long pause_flags;    /* VPF_* bits */
    int pause_count;              /* pauses by the toolstack or the hv */
    bool is_running;              /* loaded on a pCPU right now */
    bool is_idle;                 /* a pCPU's idle vCPU */
    void *sched_priv;             /* the scheduler's per-vCPU data */
    s_time_t run_start;
    uint64_t cpu_time;            /* ns spent running */
    struct vcpu_runstate_info runstate;
    uint64_t runstate_guest;      /* guest VA of its copy, 0 if none */

    /* Timers and event polling. */
    struct timer singleshot_timer;
    struct timer periodic_timer;
    s_time_t periodic_period;
    s_time_t periodic_last;
    struct timer poll_timer;
    unsigned long *poll_mask;     /* SCHEDOP_poll: ports polled, or NULL */
    unsigned int poll_nr;
    evtchn_port_t poll_ports[128];
    evtchn_port_t virq_to_evtchn[NR_VIRQS];

    /* Counters for pvctl top (PVLINK_OP_DOMSTATS); only this vCPU's CPU
     * writes them, so plain increments do, and readers sum them. */
    struct {
        uint64_t hypercalls, events_sent, traps, ptwr;
    } stats;

    /* Multicall state: a sub-call's continuation lands here, not in regs. */
    unsigned int mc_flags;        /* MCSF_* */
    unsigned long mc_args[5];
    /* The current hypercall made a continuation (for its trace record). */
    bool hcall_continued;

    /* For the dom0 link vCPU: the arena window of the current request. */
    uint64_t link_window_maddr;
    uint64_t link_window_size;
};

enum domain_state {
    DOMSTATE_active,
    DOMSTATE_dying, /* being destroyed: resources going back */
    DOMSTATE_dead,
};

struct domain {
    domid_t domain_id;
    bool is_privileged;
    enum domain_state state;
    xen_domain_handle_t handle;
    struct domain *next_in_list;  /* domain list, protected by domlist_lock */
    unsigned int refcnt;          /* references from the hypervisor */

    unsigned int max_vcpus;
    struct vcpu *vcpu[MAX_VIRT_CPUS];
    int pause_count;              /* toolstack pauses (pausedomain) */

    /* Memory: protected by page_alloc_lock. */
    spinlock_t page_alloc_lock;
    struct page_list_head page_list;
    unsigned long tot_pages;      /* frames it owns (its reservation) */
    unsigned long max_pages;
    unsigned long xenheap_pages;  /* hypervisor pages shared with it */
    shared_info_t *shared_info;

    /* Shutdown: protected by shutdown_lock. */
    spinlock_t shutdown_lock;
    bool is_shutting_down;
    bool is_shut_down;
    unsigned int shutdown_code;

    /* SCHEDOP_watchdog timers: protected by shutdown_lock. */
#define NR_DOMAIN_WATCHDOG_TIMERS 2
    struct timer watchdog_timer[NR_DOMAIN_WATCHDOG_TIMERS];
    unsigned int watchdog_inuse;  /* bitmap of the ids handed out */

    /* Event channels: protected by event_lock. */
    spinlock_t event_lock;
    struct evtchn *evtchn_bucket[NR_EVTCHN_BUCKETS];
    unsigned int max_evtchn_port;
    unsigned int valid_evtchns;

    /* Grant table (common/grant_table.c); its own locks inside. */
    struct grant_table *grant_table;

    uint32_t sched_weight;
    uint32_t sched_cap;

    /* Ports of this domain made pending (any CPU): atomic increments. */
    uint64_t events_received;

    struct arch_domain arch;

    /* console_io output not yet printed (no newline seen yet); both
     * protected by console_lock. */
    spinlock_t console_lock;
    char console_buf[160];
    unsigned int console_len;
};

extern struct domain *dom0;
extern spinlock_t domlist_lock;
extern struct domain *domain_list;

#define DOMCRF_privileged 1U

struct domain *domain_create(domid_t id, unsigned int flags,
                             const struct xen_domctl_createdomain *config,
                             int *err);
struct vcpu *vcpu_create(struct domain *d, unsigned int vcpu_id);
/* Finds a live domain by id and takes a reference; NULL if none. */
struct domain *rcu_lock_domain_by_id(domid_t id);
struct domain *get_domain_by_id(domid_t id);
void get_domain(struct domain *d);
void put_domain(struct domain *d);
int domain_kill(struct domain *d);
void domain_shutdown(struct domain *d, unsigned int reason);
/* Crashes d (its fault, never the hypervisor's); prints why. */
void domain_crash(struct domain *d, const char *fmt, ...) __printf(2, 3);
/* SCHEDOP_watchdog expiry (common/sched_op.c). */
void domain_watchdog_fired(void *data);
void domain_pause(struct domain *d);
void domain_unpause(struct domain *d);
void vcpu_pause(struct vcpu *v);
void vcpu_unpause(struct vcpu *v);

static inline bool is_link_vcpu(const struct vcpu *v)
{
    return v->link_window_size != 0;
}

static inline bool is_idle_vcpu(const struct vcpu *v)
{
    return v->is_idle;
}

#endif /* PVISOR_SCHED_H */
