/* SPDX-License-Identifier: MIT */
/*
 * PV guest entry and exit paths.
 *
 * Guests run at CPL 3 on their own page tables, which include the
 * hypervisor's L4 slots.  They enter the hypervisor by:
 *   - `syscall`: LSTAR points at a small per-CPU stub (written by
 *     pv_trap_init_cpu) that saves %rax and the guest %rsp at the top of
 *     this CPU's stack -- exactly where an interrupt frame's SS and RSP
 *     fields go -- and jumps to lstar_enter, which completes a struct
 *     cpu_user_regs in cpu_info.guest_cpu_user_regs;
 *   - exceptions and interrupts: through the IDT (entry.S), whose frame
 *     lands in the same place because TSS.RSP0 points just past it.
 * Both leave through return_to_guest: pv_exit_to_guest() runs softirqs
 * (which may switch vCPUs) and delivers pending events, then the frame is
 * restored and `iretq` returns to the guest.
 */
#include <asm/config.h>
#include <asm/desc.h>
#include <asm-offsets.h>

#define FLAT_KERNEL_CS64 0xe033
#define FLAT_KERNEL_SS 0xe02b
#define X86_EFLAGS_IF 0x200
#define X86_EFLAGS_NT 0x4000
#define X86_EFLAGS_IOPL 0x3000
#define X86_EFLAGS_VM 0x20000

        .macro SAVE_ALL
        cld
        push    %rdi
        push    %rsi
        push    %rdx
        push    %rcx
        push    %rax
        push    %r8
        push    %r9
        push    %r10
        push    %r11
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        .endm

        .macro RESTORE_ALL
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        pop     %r11
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rax
        pop     %rcx
        pop     %rdx
        pop     %rsi
        pop     %rdi
        .endm

        .text
/* From the per-CPU LSTAR stub: 8(%rsp) = guest %rax, (%rsp) = guest %rsp. */
        .globl lstar_enter
lstar_enter:
        movq    8(%rsp), %rax
        movq    $FLAT_KERNEL_SS, 8(%rsp)
        pushq   %r11                    /* rflags */
        pushq   $FLAT_KERNEL_CS64       /* cs */
        pushq   %rcx                    /* rip */
        pushq   $0
        movl    $TRAP_syscall, 4(%rsp)
        SAVE_ALL
        mov     %rsp, %rdi
        sub     $8, %rsp
        call    pv_syscall_entry
        jmp     return_to_guest

/* From the per-CPU CSTAR stub: a `syscall` from 32-bit guest code. */
        .globl cstar_enter
cstar_enter:
        movq    8(%rsp), %rax
        movq    $FLAT_KERNEL_SS, 8(%rsp)
        pushq   %r11
        pushq   $0xe023                 /* FLAT_RING3_CS32 */
        pushq   %rcx
        pushq   $0
        movl    $TRAP_syscall, 4(%rsp)
        SAVE_ALL
        mov     %rsp, %rdi
        sub     $8, %rsp
        call    pv_syscall32_entry
        jmp     return_to_guest

/*
 * Leaves for the current vCPU's guest context, from any stack depth: the
 * stack restarts just below cpu_info, whose frame is the guest's.
 */
        .globl return_to_guest
return_to_guest:
        mov     %rsp, %rax
        or      $(STACK_SIZE - 1), %rax
        lea     1 - CPUINFO_SIZEOF + CPUINFO_guest_cpu_user_regs(%rax), %rsp
        sub     $8, %rsp                /* frame start is 8 mod 16 */
        call    pv_exit_to_guest        /* returns with interrupts off */
        add     $8, %rsp
        RESTORE_ALL
        /*
         * sysretq is much cheaper than iretq (under TCG too), and right
         * when the guest gives up %rcx and %r11 (TRAP_syscall), the frame
         * is the flat 64-bit one sysretq loads (STAR), and the return
         * address is canonical: sysretq to a non-canonical %rcx faults in
         * ring 0 on Intel, on the guest's stack.
         */
        testl   $TRAP_syscall, 4(%rsp)
        jz      1f
        cmpw    $FLAT_KERNEL_CS64, 16(%rsp)
        jne     1f
        cmpw    $FLAT_KERNEL_SS, 40(%rsp)
        jne     1f
        movq    8(%rsp), %rcx
        sarq    $47, %rcx
        incl    %ecx                    /* 0 (all ones) or 1 (all zeros) */
        cmpl    $1, %ecx
        ja      1f
        movq    8(%rsp), %rcx           /* rip */
        movq    24(%rsp), %r11          /* rflags */
        andl    $~(X86_EFLAGS_IOPL | X86_EFLAGS_NT | X86_EFLAGS_VM), %r11d
        orl     $X86_EFLAGS_IF, %r11d
        movq    32(%rsp), %rsp          /* the guest's stack, IF still off */
        sysretq
1:      add     $8, %rsp                /* error code and vector */
        /*
         * A frame the guest gave the iret hypercall can make this fault
         * (a bad CS or SS, an LDT page not mapped yet): do_trap hands
         * that to pv_iret_fault as the guest's own fault.
         */
        .globl return_to_guest_iretq
return_to_guest_iretq:
        iretq

/* Starts the idle loop on a fresh stack (the old context is saved). */
        .globl reset_stack_and_jump_idle
reset_stack_and_jump_idle:
        mov     %rsp, %rax
        or      $(STACK_SIZE - 1), %rax
        lea     1 - CPUINFO_SIZEOF(%rax), %rsp
        and     $~15, %rsp
        xor     %ebp, %ebp
        call    idle_loop
        ud2
