/* SPDX-License-Identifier: MIT */
/*
 * Boot: the start-up order of every subsystem, in one place.
 *
 * boot.S arrives here on CPU 0's stack with the machine address of the PVH
 * `struct hvm_start_info`.  Nothing else runs yet: no interrupts, no other
 * CPUs, only the boot page tables.
 */
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/e820.h>
#include <asm/mm.h>
#include <asm/ns16550.h>
#include <asm/processor.h>
#include <asm/traps.h>
#include <pvisor/console.h>
#include <pvisor/link.h>
#include <pvisor/lib.h>
#include <pvisor/mm.h>
#include <pvisor/param.h>
#include <pvisor/setup.h>
#include <pvisor/smp.h>
#include <pvisor/softirq.h>
#include <pvisor/time.h>
#include <pvisor/version.h>
#include <pvisor/schedule.h>
#include <pvisor/vcpu_time.h>
#include <pvisor/foreign.h>
#include <asm/m2p.h>
#include <asm/pv.h>
#include <public/pvisor/dom0link.h>
#include <xen/arch-x86/hvm/start_info.h>
#include <xen/sched.h>

extern char cpu0_stack[];

char hypervisor_cmdline[1024];
static char opt_crash[16];
string_param("crash", opt_crash);

static const void *lowmem(uint64_t maddr)
{
    return (const void *)(HV_VIRT_START + maddr);
}

/* Takes what we need from hvm_start_info before low memory is reused. */
static uint64_t read_start_info(uint32_t si_maddr)
{
    const struct hvm_start_info *si = lowmem(si_maddr);

    if (si->magic != XEN_HVM_START_MAGIC_VALUE)
        panic("bad hvm_start_info magic %#x at %#x", si->magic, si_maddr);
    if (si->cmdline_paddr)
        strlcpy(hypervisor_cmdline, lowmem(si->cmdline_paddr),
                sizeof(hypervisor_cmdline));
    if (si->version < 1 || !si->memmap_paddr || !si->memmap_entries)
        panic("no memory map in hvm_start_info (version %u)", si->version);
    for (uint32_t i = 0; i < si->memmap_entries; i++) {
        const struct hvm_memmap_table_entry *e =
            (const struct hvm_memmap_table_entry *)lowmem(si->memmap_paddr) +
            i;
        if (e820_add(&e820, e->addr, e->size, e->type))
            printk("E820: too many entries; ignoring the rest\n");
    }
    e820_sanitize(&e820);
    return si->version >= 1 ? si->rsdp_paddr : 0;
}

static void print_e820(void)
{
    printk("Machine memory map:\n");
    for (unsigned int i = 0; i < e820.nr; i++)
        printk("  %016llx - %016llx  %s\n",
               (unsigned long long)e820.map[i].addr,
               (unsigned long long)(e820.map[i].addr + e820.map[i].size),
               e820_type_name(e820.map[i].type));
}

static void timer_irq(struct cpu_user_regs *regs)
{
    (void)regs;
    timer_interrupt();
}

static void event_check_irq(struct cpu_user_regs *regs)
{
    (void)regs; /* waking the CPU is all it is for */
}

static volatile s_time_t selftest_fired;

static void selftest_timer_fn(void *data)
{
    (void)data;
    selftest_fired = NOW();
}

/* Checks that a one-shot timer fires, and fires on time. */
static void timer_selftest(void)
{
    static struct timer t;
    s_time_t start = NOW(), want = MILLISECS(5);

    timer_init(&t, selftest_timer_fn, NULL, 0);
    set_timer(&t, start + want);
    for (;;) {
        do_softirq();
        if (selftest_fired)
            break;
        if (NOW() - start > SECONDS(2))
            panic("timer self-test: no timer interrupt after 2 s");
        local_irq_disable();
        if (!softirq_pending(0))
            safe_halt();
        local_irq_enable();
    }
    local_irq_disable();
    printk("Timer self-test: 5 ms one-shot fired after %lld.%03lld ms\n",
           (long long)((selftest_fired - start) / 1000000),
           (long long)((selftest_fired - start) / 1000 % 1000));
}

/* crash=<what>: a deliberate fault, to test the panic path end to end. */
static void __attribute__((noinline)) trigger_crash(const char *what)
{
    printk("Triggering a deliberate '%s' fault (crash= option)\n", what);
    if (!strcmp(what, "panic"))
        panic("deliberate panic (crash=panic)");
    if (!strcmp(what, "pf"))
        *(volatile uint64_t *)0x00007ead0000dead = 1;
    if (!strcmp(what, "gp"))
        *(volatile uint64_t *)0x8000000000000000ULL = 1;
    if (!strcmp(what, "ud"))
        asm volatile("ud2");
    if (!strcmp(what, "bp"))
        asm volatile("int3");
    if (!strcmp(what, "de")) {
        unsigned long zero = 0;
        asm volatile("div %1" : : "a"(1UL), "r"(zero), "d"(0UL));
    }
    if (!strcmp(what, "df")) {
        /* No usable stack: the #PF cannot be delivered, so #DF (IST). */
        asm volatile("mov $0x00007ead00001000, %%rsp; push %%rax" ::: "memory");
    }
    printk("Unknown crash= option '%s' (de, bp, ud, gp, pf, df, panic)\n",
           what);
}

void machine_shutdown(unsigned int reason)
{
    static const char *const names[] = {"poweroff", "reboot", "suspend",
                                        "crash", "watchdog", "soft_reset"};

    printk("Domain 0 shut down (%s): stopping the machine\n",
           reason < ARRAY_SIZE(names) ? names[reason] : "?");
    smp_stop_other_cpus();
    machine_halt(reason == SHUTDOWN_reboot ? PVLINK_EXIT_REBOOT
                 : reason == SHUTDOWN_crash ? PVLINK_EXIT_PANIC
                                            : PVLINK_EXIT_POWEROFF);
}

void start_pvisor(uint32_t start_info_maddr) __noreturn;
void start_pvisor(uint32_t start_info_maddr)
{
    uint64_t rsdp;
    uint32_t boot_apic;

    boot_tsc = rdtsc();
    smp_prepare_boot_cpu((unsigned long)cpu0_stack);
    ns16550_init(COM1_PORT, false);
    console_add_sink(ns16550_console_write);

    rsdp = read_start_info(start_info_maddr);
    printk("pvisor %s (Xen ABI %d.%d%s) starting\n", PVISOR_VERSION_STRING,
           PVISOR_XEN_MAJOR, PVISOR_XEN_MINOR, PVISOR_XEN_EXTRA);
    printk("Command line: %s\n", hypervisor_cmdline);
    parse_cmdline(hypervisor_cmdline);
    print_e820();

    mm_init();
    m2p_init();
    idt_init();
    desc_init_cpu(0, (unsigned long)cpu0_stack);

    lapic_map(LAPIC_DEFAULT_MADDR);
    boot_apic = lapic_id();
    get_cpu_info()->apic_id = boot_apic;
    acpi_init(rsdp, boot_apic);
    pic_disable();
    lapic_init_cpu();
    ioapic_init(acpi_info.ioapic_maddr, acpi_info.ioapic_gsi_base);
    set_irq_handler(TIMER_VECTOR, timer_irq);
    set_irq_handler(EVENT_CHECK_VECTOR, event_check_irq);
    open_softirq(TIMER_SOFTIRQ, timer_softirq_action);

    time_init();
    guest_time_init();
    scheduler_init();
    scheduler_init_cpu(0);
    pv_flush_init();
    pv_trap_init_cpu(0);
    syscall_baseline_measure();
    foreign_init();
    timer_selftest();
    smp_boot_cpus();
    dom0link_init(&uart_doorbell_ops);

    if (opt_crash[0])
        trigger_crash(opt_crash);

    printk("pvisor ready: %u CPUs, %lu MiB free of %lu MiB\n", nr_cpus_online,
           heap_free_pages() >> 8, heap_total_pages() >> 8);
    dom0link_ready();
    idle_loop();
}
