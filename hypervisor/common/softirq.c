/* SPDX-License-Identifier: MIT */
/*
 * Softirq dispatch.  raise_softirq() only sets a bit; do_softirq() runs
 * each pending handler on this CPU until none is left.  Raising one on
 * another CPU also sends it an EVENT_CHECK IPI so an idle CPU wakes up.
 */
#include <asm/current.h>
#include <pvisor/lib.h>
#include <pvisor/smp.h>
#include <pvisor/softirq.h>

static softirq_handler handlers[NR_SOFTIRQS];

void open_softirq(enum softirq nr, softirq_handler h)
{
    handlers[nr] = h;
}

void raise_softirq(enum softirq nr)
{
    __atomic_fetch_or(&get_cpu_info()->softirq_pending, 1UL << nr,
                      __ATOMIC_SEQ_CST);
}

void cpu_raise_softirq(unsigned int cpu, enum softirq nr)
{
    struct cpu_info *ci = cpu_info_of(cpu);

    if (!(__atomic_fetch_or(&ci->softirq_pending, 1UL << nr,
                            __ATOMIC_SEQ_CST) & (1UL << nr)) &&
        cpu != smp_processor_id())
        smp_send_event_check(cpu);
}

bool softirq_pending(unsigned int cpu)
{
    return READ_ONCE(cpu_info_of(cpu)->softirq_pending) != 0;
}

void do_softirq(void)
{
    struct cpu_info *ci = get_cpu_info();
    unsigned long pending;

    while ((pending = __atomic_exchange_n(&ci->softirq_pending, 0,
                                          __ATOMIC_SEQ_CST)) != 0) {
        for (unsigned int nr = 0; nr < NR_SOFTIRQS; nr++)
            if ((pending & (1UL << nr)) && handlers[nr])
                handlers[nr]();
    }
}
