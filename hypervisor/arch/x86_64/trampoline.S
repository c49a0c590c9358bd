/* SPDX-License-Identifier: MIT */
/*
 * Secondary-CPU start-up trampoline.  start_secondary_cpus() copies the
 * bytes between trampoline_start and trampoline_end to TRAMPOLINE_PADDR,
 * fills in tramp_cr3 and tramp_stack, and sends INIT-SIPI-SIPI with vector
 * TRAMPOLINE_PADDR >> 12.  The AP starts here in real mode with
 * CS = TRAMPOLINE_PADDR >> 4, goes through protected mode to long mode on
 * the boot page tables and jumps to ap_entry_high in the high half.
 * Everything is addressed relative to trampoline_start.
 */
#include <asm/config.h>
#include <asm/page.h>
#include <asm/processor.h>

#define TR(sym) (TRAMPOLINE_PADDR + (sym) - trampoline_start)

        .section .rodata.trampoline, "a"
        .code16
        .globl trampoline_start, trampoline_end, tramp_cr3, tramp_stack
trampoline_start:
        cli
        cld
        mov     %cs, %ax
        mov     %ax, %ds
        lgdtl   tramp_gdtr - trampoline_start
        mov     %cr0, %eax
        or      $X86_CR0_PE, %eax
        mov     %eax, %cr0
        ljmpl   $0x08, $TR(tramp32)

        .code32
tramp32:
        mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        mov     %cr4, %eax
        or      $(X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT), %eax
        mov     %eax, %cr4
        mov     TR(tramp_cr3), %eax
        mov     %eax, %cr3
        mov     TR(tramp_efer), %esi
        mov     $MSR_EFER, %ecx
        rdmsr
        or      %esi, %eax
        wrmsr
        mov     $(X86_CR0_PG | X86_CR0_PE | X86_CR0_WP | X86_CR0_NE | X86_CR0_MP | X86_CR0_ET), %eax
        mov     %eax, %cr0
        ljmp    $0x18, $TR(tramp64)

        .code64
tramp64:
        /* The stack and the final page tables are only usable from the
         * high half (they are not in the boot tables' 1:1 map of low
         * memory): pass them in registers to ap_entry_high. */
        mov     TR(tramp_stack), %rsp
        mov     TR(tramp_idle_cr3), %rbx
        movabs  $ap_entry_high, %rax
        jmp     *%rax

        .balign 8
tramp_gdt:
        .quad 0x0000000000000000
        .quad 0x00cf9b000000ffff        /* 0x08: 32-bit code */
        .quad 0x00cf93000000ffff        /* 0x10: data */
        .quad 0x00af9b000000ffff        /* 0x18: 64-bit code */
tramp_gdtr:
        .word   4 * 8 - 1
        .long   TR(tramp_gdt)
        .balign 8
tramp_cr3:
        .quad   0
tramp_stack:
        .quad   0
        .globl tramp_efer, tramp_idle_cr3
tramp_efer:
        .quad   0
tramp_idle_cr3:
        .quad   0
trampoline_end:
