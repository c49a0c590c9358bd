/* SPDX-License-Identifier: MIT */
/*
 * Timers.  Each CPU keeps its active timers in a list sorted by expiry and
 * programs its one-shot hardware timer for the head.  The timer interrupt
 * only raises TIMER_SOFTIRQ; expired timers run from the softirq with
 * interrupts enabled, after being removed from the list (a handler may
 * re-arm its own timer).
 *
 * Each CPU's list is protected by its lock in timer_cpus[]; a timer belongs
 * to one CPU for its whole life.
 */
#include <asm/current.h>
#include <pvisor/lib.h>
#include <pvisor/smp.h>
#include <pvisor/softirq.h>
#include <pvisor/spinlock.h>
#include <pvisor/time.h>

static struct timer_cpu {
    spinlock_t lock;
    struct timer *head;
} timer_cpus[NR_CPUS];

static void timer_unlink(struct timer_cpu *tc, struct timer *t)
{
    for (struct timer **pp = &tc->head; *pp; pp = &(*pp)->next)
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    t->next = NULL;
    t->active = false;
}

void timer_init(struct timer *t, void (*fn)(void *), void *data,
                unsigned int cpu)
{
    memset(t, 0, sizeof(*t));
    t->fn = fn;
    t->data = data;
    t->cpu = cpu;
}

void set_timer(struct timer *t, s_time_t expires)
{
    struct timer_cpu *tc = &timer_cpus[t->cpu];
    struct timer **pp;
    unsigned long flags;
    bool new_head;

    spin_lock_irqsave(&tc->lock, flags);
    if (t->active)
        timer_unlink(tc, t);
    t->expires = expires;
    for (pp = &tc->head; *pp && (*pp)->expires <= expires; pp = &(*pp)->next)
        ;
    t->next = *pp;
    *pp = t;
    t->active = true;
    new_head = tc->head == t;
    spin_unlock_irqrestore(&tc->lock, flags);

    if (new_head) {
        if (t->cpu == smp_processor_id())
            arch_timer_program(expires);
        else
            cpu_raise_softirq(t->cpu, TIMER_SOFTIRQ);
    }
}

void stop_timer(struct timer *t)
{
    struct timer_cpu *tc = &timer_cpus[t->cpu];
    unsigned long flags;

    spin_lock_irqsave(&tc->lock, flags);
    if (t->active)
        timer_unlink(tc, t);
    spin_unlock_irqrestore(&tc->lock, flags);
}

void timer_interrupt(void)
{
    raise_softirq(TIMER_SOFTIRQ);
}

void timer_softirq_action(void)
{
    struct timer_cpu *tc = &timer_cpus[smp_processor_id()];
    unsigned long flags;
    struct timer *t;

    spin_lock_irqsave(&tc->lock, flags);
    while ((t = tc->head) && t->expires <= NOW()) {
        timer_unlink(tc, t);
        spin_unlock_irqrestore(&tc->lock, flags);
        t->fn(t->data);
        spin_lock_irqsave(&tc->lock, flags);
    }
    arch_timer_program(tc->head ? tc->head->expires : 0);
    spin_unlock_irqrestore(&tc->lock, flags);
}
