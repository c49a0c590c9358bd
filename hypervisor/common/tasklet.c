/* SPDX-License-Identifier: MIT */
/*
 * Tasklets (see pvisor/tasklet.h).  Each CPU has a queue protected by its
 * lock; scheduling one raises SCHEDULE_SOFTIRQ on its CPU so that the
 * scheduler switches to the idle context, which runs do_tasklet().
 */
#include <asm/current.h>
#include <pvisor/lib.h>
#include <pvisor/smp.h>
#include <pvisor/softirq.h>
#include <pvisor/spinlock.h>
#include <pvisor/tasklet.h>

static struct tasklet_queue {
    spinlock_t lock;
    struct tasklet *head, *tail;
} queues[NR_CPUS];

void tasklet_init(struct tasklet *t, void (*fn)(void *), void *data,
                  unsigned int cpu)
{
    memset(t, 0, sizeof(*t));
    t->fn = fn;
    t->data = data;
    t->cpu = cpu;
}

void tasklet_schedule(struct tasklet *t)
{
    struct tasklet_queue *q = &queues[t->cpu];
    unsigned long flags;
    bool queued = false;

    spin_lock_irqsave(&q->lock, flags);
    if (!t->scheduled) {
        t->scheduled = true;
        t->next = NULL;
        if (q->tail)
            q->tail->next = t;
        else
            q->head = t;
        q->tail = t;
        queued = true;
    }
    spin_unlock_irqrestore(&q->lock, flags);
    if (queued)
        cpu_raise_softirq(t->cpu, SCHEDULE_SOFTIRQ);
}

bool tasklet_work_pending(unsigned int cpu)
{
    return READ_ONCE(queues[cpu].head) != NULL;
}

void do_tasklet(void)
{
    struct tasklet_queue *q = &queues[smp_processor_id()];
    unsigned long flags;
    struct tasklet *t;

    for (;;) {
        spin_lock_irqsave(&q->lock, flags);
        t = q->head;
        if (t) {
            q->head = t->next;
            if (!q->head)
                q->tail = NULL;
            t->scheduled = false;
        }
        spin_unlock_irqrestore(&q->lock, flags);
        if (!t)
            return;
        t->fn(t->data);
    }
}
