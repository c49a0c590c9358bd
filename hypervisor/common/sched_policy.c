/* SPDX-License-Identifier: MIT */
/*
 * Credit-style proportional-share policy (see pvisor/sched_policy.h).
 *
 * Run queues are short (a few vCPUs per CPU), so they are unordered lists
 * scanned for the smallest vtime; this keeps insertion, removal and weight
 * changes trivially correct.
 */
#include <pvisor/lib.h>
#include <pvisor/sched_policy.h>

void sched_runq_init(struct sched_runq *rq)
{
    rq->head = NULL;
    rq->nr = 0;
    rq->min_vtime = 0;
}

void sched_entity_init(struct sched_entity *e, void *owner, uint32_t weight,
                       uint32_t cap)
{
    memset(e, 0, sizeof(*e));
    e->owner = owner;
    e->weight = weight ? weight : SCHED_DEFAULT_WEIGHT;
    e->cap = cap;
}

static uint64_t weighted(int64_t ns, uint32_t weight)
{
    if (ns <= 0)
        return 0;
    return (uint64_t)ns * SCHED_DEFAULT_WEIGHT / weight;
}

void sched_runq_insert(struct sched_runq *rq, struct sched_entity *e,
                       bool waking)
{
    uint64_t floor = weighted(SCHED_SLICE_NS, e->weight);

    ASSERT(!e->on_runq);
    if (waking && rq->min_vtime > floor && e->vtime < rq->min_vtime - floor)
        e->vtime = rq->min_vtime - floor;
    else if (e->vtime < rq->min_vtime && rq->min_vtime > floor &&
             rq->min_vtime - e->vtime > 4 * floor)
        e->vtime = rq->min_vtime - floor; /* e.g. moved from another queue */
    e->next = rq->head;
    rq->head = e;
    rq->nr++;
    e->on_runq = true;
}

void sched_runq_remove(struct sched_runq *rq, struct sched_entity *e)
{
    for (struct sched_entity **pp = &rq->head; *pp; pp = &(*pp)->next)
        if (*pp == e) {
            *pp = e->next;
            rq->nr--;
            e->on_runq = false;
            e->next = NULL;
            return;
        }
}

static bool cap_exhausted(struct sched_entity *e, int64_t now)
{
    if (!e->cap)
        return false;
    if (now - e->cap_period_start >= SCHED_CAP_PERIOD_NS) {
        e->cap_period_start = now - (now - e->cap_period_start) %
                                        SCHED_CAP_PERIOD_NS;
        e->cap_used = 0;
    }
    return e->cap_used >= SCHED_CAP_PERIOD_NS * (int64_t)e->cap / 100;
}

void sched_charge(struct sched_runq *rq, struct sched_entity *e,
                  int64_t ran_ns, int64_t now)
{
    if (ran_ns <= 0)
        return;
    e->vtime += weighted(ran_ns, e->weight);
    if (e->cap) {
        cap_exhausted(e, now); /* rolls the period over if due */
        e->cap_used += ran_ns;
    }
    (void)rq;
}

struct sched_entity *sched_pick_next(struct sched_runq *rq, int64_t now,
                                     int64_t *slice_ns)
{
    struct sched_entity *best = NULL;

    for (struct sched_entity *e = rq->head; e; e = e->next)
        if (!cap_exhausted(e, now) && (!best || e->vtime < best->vtime))
            best = e;
    if (!best)
        return NULL;
    sched_runq_remove(rq, best);
    if (best->vtime > rq->min_vtime)
        rq->min_vtime = best->vtime;
    *slice_ns = SCHED_SLICE_NS;
    if (best->cap) {
        int64_t left = SCHED_CAP_PERIOD_NS * (int64_t)best->cap / 100 -
                       best->cap_used;
        if (left < *slice_ns)
            *slice_ns = left > 0 ? left : 1;
    }
    return best;
}

bool sched_should_preempt(const struct sched_entity *curr,
                          const struct sched_entity *e)
{
    /* Only when the sleeper is clearly behind, to avoid ping-pong. */
    return curr == NULL ||
           e->vtime + weighted(SCHED_SLICE_NS / 2, e->weight) < curr->vtime;
}

int64_t sched_next_cap_release(const struct sched_runq *rq, int64_t now)
{
    int64_t best = 0;

    for (const struct sched_entity *e = rq->head; e; e = e->next) {
        int64_t t;

        if (!e->cap || e->cap_used < SCHED_CAP_PERIOD_NS * (int64_t)e->cap / 100)
            continue;
        t = e->cap_period_start + SCHED_CAP_PERIOD_NS;
        if (t < now)
            t = now;
        if (!best || t < best)
            best = t;
    }
    return best;
}
