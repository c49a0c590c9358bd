/* SPDX-License-Identifier: MIT */
/*
 * The scheduler's mechanics: per-CPU run queues, waking and sleeping
 * vCPUs, and the context switch decision; which vCPU runs next is the
 * policy's (common/sched_policy.c).
 *
 * Each CPU has a run queue of the runnable vCPUs assigned to it and runs
 * one of them (or its idle vCPU).  A vCPU's scheduling state (on the queue,
 * running, its CPU) is protected by the lock of the CPU it belongs to;
 * code that holds two CPU locks takes the lower-numbered first (or only
 * tries the other).  At each decision a CPU may take a waiting vCPU from
 * the busiest other queue: any, if it would idle; one that has had
 * clearly less service than its own candidate, otherwise, so that CPU
 * time is shared by weight across CPUs too.
 *
 * schedule() runs from SCHEDULE_SOFTIRQ at a safe point (on the way back
 * to a guest, or in the idle loop).  When it switches, the old context's
 * state is saved and the CPU's stack is reset: schedule() does not return.
 * A vCPU stays `is_running` until its state has been saved, and nobody
 * else picks it before that.
 */
#include <asm/current.h>
#include <pvisor/event.h>
#include <pvisor/lib.h>
#include <pvisor/sched_policy.h>
#include <pvisor/schedule.h>
#include <pvisor/smp.h>
#include <pvisor/softirq.h>
#include <pvisor/tasklet.h>
#include <pvisor/trace.h>

struct sched_pcpu {
    spinlock_t lock;
    struct sched_runq runq;
    struct vcpu *curr;
    struct vcpu *idle;
    struct timer slice_timer;
};

static struct sched_pcpu pcpus[NR_CPUS];
struct domain *idle_domain;
static struct sched_entity idle_entities[NR_CPUS];

static struct sched_entity *entity(const struct vcpu *v)
{
    return v->sched_priv;
}

/* Locks the CPU v belongs to, coping with v moving meanwhile. */
static struct sched_pcpu *lock_vcpu_cpu(const struct vcpu *v,
                                        unsigned long *flags)
{
    for (;;) {
        unsigned int cpu = READ_ONCE(v->processor);
        struct sched_pcpu *sp = &pcpus[cpu];

        spin_lock_irqsave(&sp->lock, *flags);
        if (cpu == v->processor)
            return sp;
        spin_unlock_irqrestore(&sp->lock, *flags);
    }
}

bool vcpu_runnable(const struct vcpu *v)
{
    const struct domain *d = v->domain;

    return !READ_ONCE(v->pause_flags) && !READ_ONCE(v->pause_count) &&
           !READ_ONCE(d->pause_count) && d->state == DOMSTATE_active &&
           !READ_ONCE(d->is_shut_down);
}

static void runstate_change(struct vcpu *v, int state, s_time_t now)
{
    s_time_t delta = now - (s_time_t)v->runstate.state_entry_time;

    if (delta > 0)
        v->runstate.time[v->runstate.state] += (uint64_t)delta;
    v->runstate.state = state;
    v->runstate.state_entry_time = (uint64_t)now;
}

static void slice_timer_fn(void *data)
{
    (void)data;
    raise_softirq(SCHEDULE_SOFTIRQ);
}

void scheduler_init(void)
{
    int err;

    idle_domain = domain_create(DOMID_IDLE, 0, NULL, &err);
    if (!idle_domain)
        panic("cannot create the idle domain");
    open_softirq(SCHEDULE_SOFTIRQ, NULL);
}

static void schedule(void);

void scheduler_init_cpu(unsigned int cpu)
{
    struct sched_pcpu *sp = &pcpus[cpu];
    struct vcpu *idle = vcpu_create(idle_domain, cpu);

    if (!idle)
        panic("cannot create the idle vCPU of CPU%u", cpu);
    spin_lock_init(&sp->lock);
    sched_runq_init(&sp->runq);
    idle->is_idle = true;
    idle->processor = cpu;
    idle->is_running = true;
    sched_entity_init(&idle_entities[cpu], idle, SCHED_DEFAULT_WEIGHT, 0);
    idle->sched_priv = &idle_entities[cpu];
    sp->idle = sp->curr = idle;
    timer_init(&sp->slice_timer, slice_timer_fn, NULL, cpu);
    get_cpu_info()->current_vcpu = idle;
    if (cpu == 0)
        open_softirq(SCHEDULE_SOFTIRQ, schedule);
}

unsigned int sched_load(unsigned int cpu)
{
    struct sched_pcpu *sp = &pcpus[cpu];

    return READ_ONCE(sp->runq.nr) + (READ_ONCE(sp->curr) != sp->idle);
}

void sched_init_vcpu(struct vcpu *v)
{
    struct sched_entity *e = alloc_xenheap_page();
    unsigned int best = 0;

    BUILD_BUG_ON(sizeof(*e) > 4096);
    if (!e)
        panic("out of memory for a scheduler entity");
    sched_entity_init(e, v, v->domain->sched_weight, v->domain->sched_cap);
    v->sched_priv = e;
    /* Spread vCPUs: the least loaded online CPU. */
    for (unsigned int cpu = 1; cpu < nr_cpus_online; cpu++)
        if (sched_load(cpu) < sched_load(best))
            best = cpu;
    v->processor = best;
    v->runstate.state = RUNSTATE_offline;
    v->runstate.state_entry_time = (uint64_t)NOW();
}

void sched_destroy_vcpu(struct vcpu *v)
{
    ASSERT(!v->is_running && !entity(v)->on_runq);
    free_xenheap_pages(v->sched_priv, 0);
    v->sched_priv = NULL;
}

void vcpu_wake(struct vcpu *v)
{
    unsigned long flags;
    struct sched_pcpu *sp = lock_vcpu_cpu(v, &flags);
    struct sched_entity *e = entity(v);
    unsigned int cpu = v->processor;
    bool kick = false;

    if (vcpu_runnable(v) && !e->on_runq && sp->curr != v) {
        sched_runq_insert(&sp->runq, e,
                          v->runstate.state != RUNSTATE_runnable);
        runstate_change(v, RUNSTATE_runnable, NOW());
        if (trace_on_domid(PVTRACE_CLASS_SCHED, v->domain->domain_id))
            trace_record(PVTRACE_EV_SCHED_WAKE, 0, v->domain->domain_id,
                         (uint16_t)v->vcpu_id, cpu, 0, 0, 0, 0, 0);
        /*
         * Reschedule now if the CPU is idle, if e should preempt, or if
         * the queue was empty: then the running vCPU was alone and has
         * no slice timer, and e would wait for it forever.
         */
        kick = sp->curr == sp->idle || sp->runq.nr == 1 ||
               sched_should_preempt(entity(sp->curr), e);
    }
    spin_unlock_irqrestore(&sp->lock, flags);
    if (kick)
        cpu_raise_softirq(cpu, SCHEDULE_SOFTIRQ);
    else if (nr_cpus_online > 1)
        /* Let an idle CPU take it. */
        for (unsigned int c = 0; c < nr_cpus_online; c++)
            if (c != cpu && pcpus[c].curr == pcpus[c].idle &&
                !tasklet_work_pending(c)) {
                cpu_raise_softirq(c, SCHEDULE_SOFTIRQ);
                break;
            }
}

void vcpu_sleep_nosync(struct vcpu *v)
{
    unsigned long flags;
    struct sched_pcpu *sp = lock_vcpu_cpu(v, &flags);
    unsigned int cpu = v->processor;
    bool kick = false;

    if (!vcpu_runnable(v)) {
        if (entity(v)->on_runq) {
            sched_runq_remove(&sp->runq, entity(v));
            runstate_change(v, v->pause_flags & (1UL << VPF_down)
                                   ? RUNSTATE_offline
                                   : RUNSTATE_blocked,
                            NOW());
        }
        kick = sp->curr == v;
    }
    spin_unlock_irqrestore(&sp->lock, flags);
    if (kick)
        cpu_raise_softirq(cpu, SCHEDULE_SOFTIRQ);
}

void vcpu_sleep_sync(struct vcpu *v)
{
    ASSERT(v != current);
    vcpu_sleep_nosync(v);
    while (!vcpu_runnable(v) && __atomic_load_n(&v->is_running,
                                                __ATOMIC_ACQUIRE))
        cpu_relax();
}

void vcpu_block(void)
{
    struct vcpu *v = current;

    __atomic_fetch_or(&v->pause_flags, 1UL << VPF_blocked, __ATOMIC_SEQ_CST);
    /* An event that arrived meanwhile cancels the block. */
    if (local_events_need_delivery(v)) {
        __atomic_fetch_and(&v->pause_flags, ~(1UL << VPF_blocked),
                           __ATOMIC_SEQ_CST);
    } else {
        if (trace_on_domid(PVTRACE_CLASS_SCHED, v->domain->domain_id))
            trace_record(PVTRACE_EV_SCHED_BLOCK, 0, v->domain->domain_id,
                         (uint16_t)v->vcpu_id, 0, 0, 0, 0, 0, 0);
        raise_softirq(SCHEDULE_SOFTIRQ);
    }
}

void vcpu_unblock(struct vcpu *v)
{
    if (__atomic_fetch_and(&v->pause_flags, ~(1UL << VPF_blocked),
                           __ATOMIC_SEQ_CST) & (1UL << VPF_blocked))
        vcpu_wake(v);
}

void sched_set_domain_params(struct domain *d, uint32_t weight, uint32_t cap)
{
    d->sched_weight = weight;
    d->sched_cap = cap;
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        struct vcpu *v = d->vcpu[i];
        unsigned long flags;
        struct sched_pcpu *sp;

        if (!v)
            continue;
        sp = lock_vcpu_cpu(v, &flags);
        entity(v)->weight = weight;
        entity(v)->cap = cap;
        spin_unlock_irqrestore(&sp->lock, flags);
    }
}

/*
 * Load balancing, done at every scheduling decision on a machine with
 * several CPUs: take a waiting vCPU from another CPU's queue if it has
 * received clearly less service than what would run here (best_vtime:
 * vtime is weighted CPU time received, comparable across queues), or any
 * waiting vCPU when this CPU would otherwise idle.  The busiest queue is
 * looked at first.  Returns the vCPU moved to this CPU's queue, or NULL.
 */
static struct vcpu *steal_work(unsigned int me, uint64_t best_vtime)
{
    struct sched_pcpu *self = &pcpus[me];
    struct sched_entity *pick = NULL;
    unsigned int victim = me, most = 0;
    struct vcpu *got = NULL;

    for (unsigned int c = 0; c < nr_cpus_online; c++)
        if (c != me && READ_ONCE(pcpus[c].runq.nr) > most) {
            most = pcpus[c].runq.nr;
            victim = c;
        }
    if (victim == me)
        return NULL;
    /* We hold our own lock; only try the other to respect lock order. */
    if (!spin_trylock(&pcpus[victim].lock))
        return NULL;
    for (struct sched_entity *e = pcpus[victim].runq.head; e; e = e->next) {
        struct vcpu *v = e->owner;

        if (v->is_running)
            continue; /* its state is still being saved */
        if (best_vtime != ~0ULL && e->vtime + SCHED_SLICE_NS >= best_vtime)
            continue; /* not worth a move */
        if (!pick || e->vtime < pick->vtime)
            pick = e;
    }
    if (pick) {
        got = pick->owner;
        sched_runq_remove(&pcpus[victim].runq, pick);
        got->processor = me;
        sched_runq_insert(&self->runq, pick, false);
    }
    spin_unlock(&pcpus[victim].lock);
    return got;
}

static void schedule(void)
{
    unsigned int cpu = smp_processor_id();
    struct sched_pcpu *sp = &pcpus[cpu];
    struct vcpu *prev, *next;
    struct sched_entity *e;
    s_time_t now, slice = 0;
    unsigned long flags;

    spin_lock_irqsave(&sp->lock, flags);
    now = NOW();
    prev = sp->curr;
    stop_timer(&sp->slice_timer);

    if (!is_idle_vcpu(prev)) {
        s_time_t ran = now - prev->run_start;

        prev->cpu_time += (uint64_t)(ran > 0 ? ran : 0);
        sched_charge(&sp->runq, entity(prev), ran, now);
        if (vcpu_runnable(prev)) {
            sched_runq_insert(&sp->runq, entity(prev), false);
            runstate_change(prev, RUNSTATE_runnable, now);
        } else {
            runstate_change(prev, prev->pause_flags & (1UL << VPF_down)
                                      ? RUNSTATE_offline
                                      : RUNSTATE_blocked,
                            now);
        }
    }

    /* Tasklet work runs in the idle context and comes first. */
    if (tasklet_work_pending(cpu)) {
        next = sp->idle;
    } else {
        e = sched_pick_next(&sp->runq, now, &slice);
        if (nr_cpus_online > 1 &&
            steal_work(cpu, e ? e->vtime : ~0ULL)) {
            if (e)
                sched_runq_insert(&sp->runq, e, false);
            e = sched_pick_next(&sp->runq, now, &slice);
        }
        next = e ? e->owner : sp->idle;
    }

    if (!is_idle_vcpu(next)) {
        int64_t release;

        next->run_start = now;
        runstate_change(next, RUNSTATE_running, now);
        /*
         * Slice end: only needed if something else could run here, or
         * (several CPUs) to balance the load with the other queues.
         */
        if (sp->runq.nr || nr_cpus_online > 1)
            set_timer(&sp->slice_timer, now + slice);
        else if ((release = sched_next_cap_release(&sp->runq, now)))
            set_timer(&sp->slice_timer, release);
        else if (entity(next)->cap)
            set_timer(&sp->slice_timer, now + slice);
    } else if ((slice = sched_next_cap_release(&sp->runq, now))) {
        set_timer(&sp->slice_timer, slice);
    }

    if (next == prev) {
        spin_unlock_irqrestore(&sp->lock, flags);
        return;
    }
    sp->curr = next;
    next->processor = cpu;
    __atomic_store_n(&next->is_running, true, __ATOMIC_RELEASE);
    spin_unlock_irqrestore(&sp->lock, flags);
    if (unlikely(READ_ONCE(trace_classes) & PVTRACE_CLASS_SCHED) &&
        (trace_on_domid(PVTRACE_CLASS_SCHED, prev->domain->domain_id) ||
         trace_on_domid(PVTRACE_CLASS_SCHED, next->domain->domain_id)))
        trace_record(PVTRACE_EV_SCHED_SWITCH, 0, prev->domain->domain_id,
                     is_idle_vcpu(prev) ? TRACE_NO_VCPU
                                        : (uint16_t)prev->vcpu_id,
                     next->domain->domain_id,
                     is_idle_vcpu(next) ? TRACE_NO_VCPU : next->vcpu_id, 0, 0,
                     0, 0);
    context_switch(prev, next);
}

uint64_t vcpu_cpu_time(const struct vcpu *v)
{
    uint64_t t = READ_ONCE(v->cpu_time);

    if (READ_ONCE(v->is_running) && !v->is_idle &&
        v->runstate.state == RUNSTATE_running) {
        s_time_t ran = NOW() - READ_ONCE(v->run_start);
        if (ran > 0)
            t += (uint64_t)ran;
    }
    return t;
}

void vcpu_runstate_get(const struct vcpu *v, struct vcpu_runstate_info *r)
{
    s_time_t delta;

    *r = v->runstate;
    delta = NOW() - (s_time_t)r->state_entry_time;
    if (delta > 0)
        r->time[r->state] += (uint64_t)delta;
}
