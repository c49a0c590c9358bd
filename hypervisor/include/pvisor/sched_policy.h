/* SPDX-License-Identifier: MIT */
/*
 * The scheduler's policy: which runnable vCPU of a run queue goes next and
 * for how long.  Pure logic over `struct sched_entity` (no locks, no
 * hardware), unit-tested on the host; common/schedule.c supplies the
 * mechanics (per-CPU queues, locks, timers, context switches).
 *
 * Credit-style proportional share, as Xen's credit scheduler promises it:
 * each domain has a weight (default 256) and an optional cap (percent of
 * one CPU, 0 = none), and CPU time is shared in proportion to the weights
 * of the vCPUs that want it.  The mechanism is weighted virtual time: a
 * running entity's vtime grows by runtime * 256 / weight, and the runnable
 * entity with the smallest vtime runs next, for at most one time slice.
 * A waking entity's vtime is raised to the queue's minimum less one slice,
 * so sleeping earns at most one slice of credit.  A capped entity that has
 * used its share of the current cap period waits for the next one.
 */
#ifndef PVISOR_SCHED_POLICY_H
#define PVISOR_SCHED_POLICY_H

#include <pvisor/types.h>

#define SCHED_DEFAULT_WEIGHT 256
#define SCHED_MAX_WEIGHT 65535
#define SCHED_SLICE_NS 10000000LL       /* 10 ms */
#define SCHED_CAP_PERIOD_NS 100000000LL /* caps are enforced per 100 ms */

struct sched_entity {
    struct sched_entity *next; /* in the run queue (unordered) */
    uint64_t vtime;            /* weighted virtual time, ns */
    uint32_t weight;
    uint32_t cap;              /* percent of a CPU, 0 = uncapped */
    int64_t cap_used;          /* ns run in the current cap period */
    int64_t cap_period_start;
    bool on_runq;
    void *owner;               /* the vCPU */
};

struct sched_runq {
    struct sched_entity *head;
    unsigned int nr;
    uint64_t min_vtime; /* never decreases */
};

void sched_runq_init(struct sched_runq *rq);
void sched_entity_init(struct sched_entity *e, void *owner, uint32_t weight,
                       uint32_t cap);
/* Queues a runnable entity; waking says it was blocked or paused. */
void sched_runq_insert(struct sched_runq *rq, struct sched_entity *e,
                       bool waking);
void sched_runq_remove(struct sched_runq *rq, struct sched_entity *e);
/* Charges ran_ns of CPU time to e at time now. */
void sched_charge(struct sched_runq *rq, struct sched_entity *e,
                  int64_t ran_ns, int64_t now);
/*
 * Removes and returns the entity to run next at time now (NULL: nothing
 * may run).  *slice_ns is how long it may run before the next decision.
 */
struct sched_entity *sched_pick_next(struct sched_runq *rq, int64_t now,
                                     int64_t *slice_ns);
/* Whether a newly woken e should preempt the running curr right away. */
bool sched_should_preempt(const struct sched_entity *curr,
                          const struct sched_entity *e);
/* When the earliest capped entity may run again (0: none waiting). */
int64_t sched_next_cap_release(const struct sched_runq *rq, int64_t now);

#endif /* PVISOR_SCHED_POLICY_H */
