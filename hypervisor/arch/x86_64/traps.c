/* SPDX-License-Identifier: MIT */
/*
 * Trap dispatch, fatal-trap reports and machine halt.
 *
 * An exception taken in the hypervisor itself is always fatal: the report
 * names the exception, decodes the error code, prints the registers,
 * control registers and a symbolised stack trace (frame-pointer walk), and
 * then stops the machine with PVLINK_EXIT_PANIC so the link daemon sees a
 * non-zero QEMU exit.  Interrupts (vector >= 32) go to the handler
 * registered for their vector.
 */
#include <asm/apic.h>
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/traps.h>
#include <asm/uaccess.h>
#include <pvisor/console.h>
#include <pvisor/lib.h>
#include <pvisor/smp.h>
#include <pvisor/symbols.h>
#include <public/pvisor/dom0link.h>

static irq_handler_fn irq_handlers[256];
static volatile int panicking = -1; /* CPU that owns the panic path */

static const char *const trap_names[TRAP_nr] = {
    [TRAP_divide_error] = "#DE divide error",
    [TRAP_debug] = "#DB debug",
    [TRAP_nmi] = "NMI",
    [TRAP_int3] = "#BP breakpoint",
    [TRAP_overflow] = "#OF overflow",
    [TRAP_bounds] = "#BR bound range exceeded",
    [TRAP_invalid_op] = "#UD invalid opcode",
    [TRAP_no_device] = "#NM device not available",
    [TRAP_double_fault] = "#DF double fault",
    [TRAP_copro_seg] = "coprocessor segment overrun",
    [TRAP_invalid_tss] = "#TS invalid TSS",
    [TRAP_no_segment] = "#NP segment not present",
    [TRAP_stack_error] = "#SS stack-segment fault",
    [TRAP_gp_fault] = "#GP general protection fault",
    [TRAP_page_fault] = "#PF page fault",
    [TRAP_copro_error] = "#MF x87 floating-point error",
    [TRAP_alignment_check] = "#AC alignment check",
    [TRAP_machine_check] = "#MC machine check",
    [TRAP_simd_error] = "#XM SIMD floating-point error",
    [TRAP_virtualisation] = "#VE virtualisation exception",
    [TRAP_control_prot] = "#CP control protection",
};

const char *trap_name(unsigned int vector)
{
    if (vector < TRAP_nr && trap_names[vector])
        return trap_names[vector];
    return vector < TRAP_nr ? "reserved exception" : "interrupt";
}

void set_irq_handler(unsigned int vector, irq_handler_fn fn)
{
    irq_handlers[vector] = fn;
}

void machine_halt(uint8_t code)
{
    local_irq_disable();
    /* isa-debug-exit: QEMU exits with status (code << 1) | 1. */
    outb(0xf4, code);
    for (;;)
        halt();
}

static void print_sym(const char *prefix, unsigned long addr)
{
    unsigned long off;
    const char *name = symbols_lookup(addr, &off);

    if (name)
        printk("%s[<%016lx>] %s+%#lx\n", prefix, addr, name, off);
    else
        printk("%s[<%016lx>] ?\n", prefix, addr);
}

void show_stack_trace(unsigned long rbp, unsigned long rip)
{
    unsigned long block = rbp & ~(STACK_SIZE - 1);

    printk("Stack trace:\n");
    if (rip)
        print_sym("   ", rip);
    /* Walk saved frame pointers while they stay inside this stack block. */
    for (int depth = 0; depth < 32; depth++) {
        unsigned long *frame = (unsigned long *)rbp;

        if (!rbp || (rbp & 7) || (rbp & ~(STACK_SIZE - 1)) != block ||
            rbp + 16 > block + STACK_SIZE)
            break;
        if (!frame[1])
            break;
        print_sym("   ", frame[1]);
        if (frame[0] <= rbp)
            break;
        rbp = frame[0];
    }
}

void show_registers(const struct cpu_user_regs *r)
{
    print_sym("RIP:    ", r->rip);
    printk("CS: %04x  RFLAGS: %016lx  CPU: %u\n", r->cs,
           (unsigned long)r->rflags, smp_processor_id());
    printk("rax: %016lx   rbx: %016lx   rcx: %016lx\n", (unsigned long)r->rax,
           (unsigned long)r->rbx, (unsigned long)r->rcx);
    printk("rdx: %016lx   rsi: %016lx   rdi: %016lx\n", (unsigned long)r->rdx,
           (unsigned long)r->rsi, (unsigned long)r->rdi);
    printk("rbp: %016lx   rsp: %016lx   r8:  %016lx\n", (unsigned long)r->rbp,
           (unsigned long)r->rsp, (unsigned long)r->r8);
    printk("r9:  %016lx   r10: %016lx   r11: %016lx\n", (unsigned long)r->r9,
           (unsigned long)r->r10, (unsigned long)r->r11);
    printk("r12: %016lx   r13: %016lx   r14: %016lx\n", (unsigned long)r->r12,
           (unsigned long)r->r13, (unsigned long)r->r14);
    printk("r15: %016lx   ss: %04x\n", (unsigned long)r->r15, r->ss);
    printk("cr0: %016lx   cr2: %016lx   cr3: %016lx   cr4: %016lx\n",
           (unsigned long)read_cr0(), (unsigned long)read_cr2(),
           (unsigned long)read_cr3(), (unsigned long)read_cr4());
}

/* Takes the panic path; only the first CPU to get here continues. */
static void panic_enter(void)
{
    int me = (int)smp_processor_id(), none = -1;

    local_irq_disable();
    if (!__atomic_compare_exchange_n(&panicking, &none, me, false,
                                     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) &&
        panicking != me)
        for (;;)
            halt(); /* another CPU is reporting; it will stop the machine */
    smp_stop_other_cpus();
    console_force_unlock();
}

static void fatal_trap(struct cpu_user_regs *regs)
{
    unsigned int vec = regs->entry_vector;

    panic_enter();
    printk("\n****************************************************\n");
    printk("PANIC on CPU %u: %s in the hypervisor", smp_processor_id(),
           trap_name(vec));
    if ((TRAP_HAS_ERRCODE_MASK >> vec) & 1)
        printk(", error code %04x", regs->error_code);
    printk("\n");
    if (vec == TRAP_page_fault) {
        unsigned int ec = regs->error_code;
        printk("Faulting address (CR2): %016lx [%s, %s, %s%s]\n",
               (unsigned long)read_cr2(),
               ec & 1 ? "protection violation" : "not present",
               ec & 2 ? "write" : "read", ec & 4 ? "user" : "supervisor",
               ec & 16 ? ", instruction fetch" : "");
    }
    show_registers(regs);
    show_stack_trace(regs->rbp, regs->rip);
    printk("****************************************************\n");
    printk("Stopping the machine.\n");
    machine_halt(PVLINK_EXIT_PANIC);
}

void panic(const char *fmt, ...)
{
    va_list ap;
    unsigned long rbp;

    panic_enter();
    printk("\n****************************************************\n");
    printk("PANIC on CPU %u: ", smp_processor_id());
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
    printk("\n");
    asm volatile("mov %%rbp, %0" : "=r"(rbp));
    show_stack_trace(rbp, 0); /* starts at panic()'s caller */
    printk("****************************************************\n");
    printk("Stopping the machine.\n");
    machine_halt(PVLINK_EXIT_PANIC);
}

void do_nmi_stop_check(void);
void do_guest_trap(struct cpu_user_regs *regs);

extern const unsigned long __ex_table_start[], __ex_table_end[];

unsigned long search_exception_table(unsigned long rip)
{
    for (const unsigned long *e = __ex_table_start; e < __ex_table_end; e += 2)
        if (e[0] == rip)
            return e[1];
    return 0;
}

void do_trap(struct cpu_user_regs *regs)
{
    unsigned int vec = regs->entry_vector;

    if (vec == TRAP_nmi) {
        do_nmi_stop_check();
        printk("NMI on CPU %u ignored\n", smp_processor_id());
        return;
    }
    if (vec < TRAP_nr) {
        unsigned long fixup;

        if ((regs->cs & 3) == 3) {
            do_guest_trap(regs);
            return;
        }
        /* The return to a guest refused the frame the guest chose. */
        if (regs->rip == (unsigned long)return_to_guest_iretq)
            pv_iret_fault(regs);
        /* A listed access to guest memory: resume at its fixup. */
        if ((vec == TRAP_page_fault || vec == TRAP_gp_fault ||
             vec == TRAP_stack_error) &&
            (fixup = search_exception_table(regs->rip))) {
            regs->rip = fixup;
            return;
        }
        fatal_trap(regs);
    }
    if (vec == SPURIOUS_VECTOR)
        return; /* no EOI for spurious interrupts */
    if (irq_handlers[vec])
        irq_handlers[vec](regs);
    else
        printk("CPU %u: unexpected interrupt vector %#x\n",
               smp_processor_id(), vec);
    lapic_eoi();
}
