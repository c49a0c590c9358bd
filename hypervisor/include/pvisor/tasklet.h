/* SPDX-License-Identifier: MIT */
/*
 * Tasklets: deferred work that runs in a CPU's idle context, with no guest
 * vCPU loaded.  Scheduling a tasklet makes the scheduler switch that CPU to
 * its idle vCPU (saving whatever guest was running) until the work is
 * done, so tasklet work may pause, unpause and destroy any domain without
 * ever waiting on itself.  The dom0 link's requests run as a tasklet.
 */
#ifndef PVISOR_TASKLET_H
#define PVISOR_TASKLET_H

#include <pvisor/types.h>

struct tasklet {
    struct tasklet *next;
    void (*fn)(void *data);
    void *data;
    unsigned int cpu;
    bool scheduled;
};

void tasklet_init(struct tasklet *t, void (*fn)(void *), void *data,
                  unsigned int cpu);
void tasklet_schedule(struct tasklet *t);
/* Whether tasklet work is waiting on cpu. */
bool tasklet_work_pending(unsigned int cpu);
/* Runs this CPU's tasklets (idle context only). */
void do_tasklet(void);

#endif /* PVISOR_TASKLET_H */
