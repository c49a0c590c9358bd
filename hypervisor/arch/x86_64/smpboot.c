/* SPDX-License-Identifier: MIT */
/*
 * Secondary CPU start-up and the idle loop.
 *
 * For each enabled CPU in the ACPI MADT the BSP allocates a stack block,
 * fills in the `struct cpu_info` at its top, copies the trampoline to
 * TRAMPOLINE_PADDR and sends INIT-SIPI-SIPI.  The AP enters long mode on
 * the boot page tables, lands in start_secondary() on its own stack,
 * switches to the idle page tables, loads its descriptor tables, enables
 * its local APIC and reports itself online.  CPUs are started one at a
 * time because they share the trampoline.
 */
#include <asm/apic.h>
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <pvisor/lib.h>
#include <pvisor/mm.h>
#include <pvisor/smp.h>
#include <pvisor/softirq.h>
#include <pvisor/schedule.h>
#include <pvisor/tasklet.h>
#include <asm/pv.h>
#include <pvisor/time.h>

extern char trampoline_start[], trampoline_end[];
extern uint64_t tramp_cr3, tramp_stack, tramp_efer, tramp_idle_cr3;
extern const uint64_t boot_l4_maddr; /* boot.S: the boot L4 (linked low) */

unsigned int nr_cpus_online = 1;
unsigned int nr_cpus_possible = 1;
uint32_t cpu_apic_ids[NR_CPUS];
static struct cpu_info *cpu_infos[NR_CPUS];
static volatile bool cpu_is_online[NR_CPUS];
static volatile bool stopping;

struct cpu_info *cpu_info_of(unsigned int cpu)
{
    return cpu_infos[cpu];
}

bool cpu_online(unsigned int cpu)
{
    return cpu < NR_CPUS && cpu_is_online[cpu];
}

static struct cpu_info *init_cpu_info(unsigned long stack_block,
                                      unsigned int cpu, uint32_t apic_id)
{
    struct cpu_info *ci = (struct cpu_info *)(stack_block + STACK_SIZE) - 1;

    memset(ci, 0, sizeof(*ci));
    ci->processor_id = cpu;
    ci->apic_id = apic_id;
    cpu_infos[cpu] = ci;
    return ci;
}

void smp_prepare_boot_cpu(unsigned long stack_block)
{
    init_cpu_info(stack_block, 0, cpu_apic_ids[0]);
    cpu_is_online[0] = true;
}

/* Runs on the AP, on its own stack and the idle page tables. */
void start_secondary(void) __noreturn;
void start_secondary(void)
{
    struct cpu_info *ci = get_cpu_info();
    unsigned int cpu = ci->processor_id;

    desc_init_cpu(cpu, (unsigned long)ci + sizeof(*ci) - STACK_SIZE);
    lapic_init_cpu();
    scheduler_init_cpu(cpu);
    pv_trap_init_cpu(cpu);
    __atomic_store_n(&cpu_is_online[cpu], true, __ATOMIC_RELEASE);
    idle_loop();
}

static bool start_one_cpu(unsigned int cpu)
{
    void *stack = alloc_xenheap_pages(STACK_ORDER);
    struct cpu_info *ci;
    uint64_t *tramp = (uint64_t *)(HV_VIRT_START + TRAMPOLINE_PADDR);
    size_t tramp_len = (size_t)(trampoline_end - trampoline_start);
    s_time_t deadline;

    if (!stack)
        return false;
    ci = init_cpu_info((unsigned long)stack, cpu, cpu_apic_ids[cpu]);

    memcpy(tramp, trampoline_start, tramp_len);
#define TRAMP_VAR(sym)                                                         \
    (*(uint64_t *)((char *)tramp + ((char *)&(sym) - trampoline_start)))
    TRAMP_VAR(tramp_cr3) = boot_l4_maddr;
    TRAMP_VAR(tramp_stack) = (unsigned long)ci & ~15UL;
    TRAMP_VAR(tramp_efer) = rdmsr(MSR_EFER) & (EFER_LME | EFER_NXE | EFER_SCE);
    TRAMP_VAR(tramp_idle_cr3) = virt_to_maddr(idle_pg_table);
#undef TRAMP_VAR

    lapic_start_ap(cpu_apic_ids[cpu], TRAMPOLINE_PADDR >> PAGE_SHIFT);
    deadline = NOW() + SECONDS(1);
    while (!__atomic_load_n(&cpu_is_online[cpu], __ATOMIC_ACQUIRE)) {
        if (NOW() > deadline) {
            printk("CPU%u (APIC %u) did not start\n", cpu, cpu_apic_ids[cpu]);
            cpu_infos[cpu] = NULL;
            free_xenheap_pages(stack, STACK_ORDER);
            return false;
        }
        cpu_relax();
    }
    return true;
}

void smp_boot_cpus(void)
{
    unsigned int started = 1;

    for (unsigned int cpu = 1; cpu < nr_cpus_possible; cpu++)
        if (start_one_cpu(cpu))
            started++;
    nr_cpus_online = started;
    printk("SMP: %u of %u CPUs online\n", nr_cpus_online, nr_cpus_possible);
}

void smp_send_event_check(unsigned int cpu)
{
    if (cpu_online(cpu))
        lapic_send_ipi(cpu_infos[cpu]->apic_id, EVENT_CHECK_VECTOR);
}

void smp_stop_other_cpus(void)
{
    stopping = true;
    if (nr_cpus_online > 1)
        lapic_send_nmi_allbutself();
    mdelay(10);
}

/* NMI: park this CPU if the machine is stopping. */
void do_nmi_stop_check(void);
void do_nmi_stop_check(void)
{
    if (stopping)
        for (;;)
            halt();
}

/*
 * The idle vCPU's loop: tasklet work first (the dom0 link runs here, with
 * no guest loaded), then softirqs -- a SCHEDULE_SOFTIRQ that switches to
 * a guest never returns -- then halt until an interrupt.
 */
void idle_loop(void)
{
    unsigned int cpu = smp_processor_id();

    local_irq_enable();
    for (;;) {
        if (tasklet_work_pending(cpu)) {
            do_tasklet();
            /* Whatever the tasklet displaced may run again. */
            raise_softirq(SCHEDULE_SOFTIRQ);
        }
        do_softirq();
        local_irq_disable();
        if (!softirq_pending(cpu) && !tasklet_work_pending(cpu))
            safe_halt(); /* sti; hlt: an interrupt cannot slip in between */
        else
            local_irq_enable();
    }
}
