/* SPDX-License-Identifier: MIT */
/*
 * Memory barriers, and the names Xen's io/ring.h expects for them.
 * x86 keeps stores in order with stores and loads with loads, so only the
 * full barrier needs an instruction; the others only stop the compiler.
 */
#ifndef PVISOR_BARRIER_H
#define PVISOR_BARRIER_H

#define barrier() asm volatile("" ::: "memory")
#define smp_mb() asm volatile("mfence" ::: "memory")
#define smp_rmb() barrier()
#define smp_wmb() barrier()

#define xen_mb() smp_mb()
#define xen_rmb() smp_rmb()
#define xen_wmb() smp_wmb()

#endif /* PVISOR_BARRIER_H */
