/* SPDX-License-Identifier: MIT */
/*
 * Ticket spinlocks.  `spin_lock_irqsave` is for data also touched from
 * interrupt handlers (the console, the heap).  Lock order is documented at
 * each lock's definition.
 */
#ifndef PVISOR_SPINLOCK_H
#define PVISOR_SPINLOCK_H

#include <pvisor/types.h>
#include <asm/processor.h>

typedef struct {
    uint16_t next;  /* next ticket to hand out */
    uint16_t owner; /* ticket now being served */
} spinlock_t;

#define SPIN_LOCK_UNLOCKED {0, 0}
#define DEFINE_SPINLOCK(l) spinlock_t l = SPIN_LOCK_UNLOCKED

static inline void spin_lock_init(spinlock_t *l)
{
    l->next = l->owner = 0;
}

static inline void spin_lock(spinlock_t *l)
{
    uint16_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

    while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
        cpu_relax();
}

static inline bool spin_trylock(spinlock_t *l)
{
    uint16_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
    uint16_t expect = owner;

    return __atomic_compare_exchange_n(&l->next, &expect,
                                       (uint16_t)(owner + 1), false,
                                       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void spin_unlock(spinlock_t *l)
{
    __atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(const spinlock_t *l)
{
    return READ_ONCE(l->next) != READ_ONCE(l->owner);
}

#define spin_lock_irqsave(l, flags)                                            \
    do {                                                                       \
        (flags) = local_irq_save();                                            \
        spin_lock(l);                                                          \
    } while (0)

static inline void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags)
{
    spin_unlock(l);
    local_irq_restore(flags);
}

#endif /* PVISOR_SPINLOCK_H */
