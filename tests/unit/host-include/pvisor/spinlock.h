/* SPDX-License-Identifier: MIT */
/* Host version of pvisor/spinlock.h: unit tests are single-threaded. */
#ifndef PVISOR_SPINLOCK_H
#define PVISOR_SPINLOCK_H

#include <pvisor/types.h>

typedef struct {
    int held;
} spinlock_t;

#define SPIN_LOCK_UNLOCKED {0}
#define DEFINE_SPINLOCK(l) spinlock_t l = SPIN_LOCK_UNLOCKED
#define spin_lock_init(l) ((l)->held = 0)
#define spin_lock(l) ((l)->held++)
#define spin_unlock(l) ((l)->held--)
#define spin_trylock(l) ((l)->held ? false : ((l)->held = 1, true))
#define spin_lock_irqsave(l, f) ((f) = 0, (l)->held++)
#define spin_unlock_irqrestore(l, f) ((void)(f), (l)->held--)

#endif
