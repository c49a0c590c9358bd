/* SPDX-License-Identifier: MIT */
/*
 * The reference guest's parts: hello.c (start-up, self-test, the end),
 * proc.c (user processes), store.c (xenstore), balloon.c (the balloon),
 * bench_mmu.c (the page-table benchmarks), net.c (the vif and its IP stack).
 */
#ifndef HELLO_H
#define HELLO_H

#include "guest.h"

/* One self-test check: counted, printed, failures remembered. */
void check(bool ok, const char *what, const char *fmt, ...) __printf(3, 4);

/* Runs nr user processes to their end and tears them down (checks). */
void selftest_processes(unsigned int nr);

/* xenstore: domid, name, data/hello, a watch (store.c, checks). */
void selftest_xenbus(void);
/* Waits ns on the watches of data/ping and memory/target (store.c). */
void store_linger(uint64_t ns);
/* A watch event of store.c's (data/ping, memory/target): handled? */
bool store_watch_event(const char *fired);

/* The network (net.c): serves the vif and the watches for ns, after the
 * tasks the command line asks for (ping=, udp=, net_bench=). */
void net_serve(uint64_t ns);
bool net_wanted(void);

/* The balloon (balloon.c): follows memory/target, in pages. */
void balloon_init(void);
void balloon_set_target(unsigned long pages);

/*
 * The virtual disks (disk.c): disk=check|durable|rounds|bench on the
 * command line; seed is the pattern's, count the rounds or the random I/Os.
 */
void disk_run(const char *mode, uint64_t seed, unsigned long count);
/* While lingering: device/vbd or a disk's backend changed. */
void disk_changed(void);
void disk_close_all(void);

/* bench_mmu=R: mmu_update and page-table pin timings, R repetitions. */
void bench_mmu(unsigned long reps);

/* Median of n TSC deltas (sorts v), and TSC cycles to nanoseconds. */
uint64_t median_u64(uint64_t *v, unsigned int n);
uint64_t tsc_to_ns(uint64_t cycles);

#endif /* HELLO_H */
