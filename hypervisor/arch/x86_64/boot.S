/* SPDX-License-Identifier: MIT */
/*
 * PVH entry.  QEMU's `-kernel` loader finds XEN_ELFNOTE_PHYS32_ENTRY and
 * starts us in 32-bit protected mode with paging off, interrupts off, no
 * usable stack and %ebx pointing at `struct hvm_start_info`.  This code
 * (linked at its physical address, section .text.boot) switches to long
 * mode on a static set of boot page tables that map machine 0-1 GiB both
 * 1:1 and at HV_VIRT_START, then jumps to the high half.  The AP start-up
 * trampoline reuses the same boot page tables.
 */
#include <asm/config.h>
#include <asm/page.h>
#include <asm/processor.h>
#include <asm-offsets.h>

/*
 * The PVH note.  QEMU 7.2 reads its descriptor as a size_t at
 * 12 + ALIGN(namesz, p_align): keep the note 4-aligned and the value 8
 * bytes wide.
 */
        .section .note.pvh, "a"
        .balign 4
        .long 4                 /* namesz: "Xen\0" */
        .long 8                 /* descsz */
        .long 18                /* XEN_ELFNOTE_PHYS32_ENTRY */
        .asciz "Xen"
        .balign 4
        .quad pvh_entry

        .section .text.boot, "ax"
        .code32
        .globl pvh_entry
pvh_entry:
        cli
        cld
        /* Our own GDT first: the one we arrived with belongs to QEMU. */
        lgdt    boot_gdtr
        ljmp    $0x08, $1f
1:      mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        mov     %eax, %fs
        mov     %eax, %gs

        mov     %cr4, %eax
        or      $(X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT), %eax
        mov     %eax, %cr4
        mov     $boot_l4, %eax
        mov     %eax, %cr3

        /* Long mode, syscall, and NX when the CPU has it. */
        mov     %ebx, %edi
        mov     $0x80000001, %eax
        cpuid
        mov     %edi, %ebx
        mov     $(EFER_LME | EFER_SCE), %esi
        test    $(1 << 20), %edx
        jz      2f
        or      $EFER_NXE, %esi
2:      mov     $MSR_EFER, %ecx
        rdmsr
        or      %esi, %eax
        wrmsr

        mov     $(X86_CR0_PG | X86_CR0_PE | X86_CR0_WP | X86_CR0_NE | X86_CR0_MP | X86_CR0_ET), %eax
        mov     %eax, %cr0
        ljmp    $0x18, $3f

        .code64
3:      movabs  $__high_entry, %rax
        jmp     *%rax

        .section .data.boot, "aw"
        .balign 8
        .globl boot_gdt
boot_gdt:
        .quad 0x0000000000000000        /* null */
        .quad 0x00cf9b000000ffff        /* 0x08: 32-bit code */
        .quad 0x00cf93000000ffff        /* 0x10: data */
        .quad 0x00af9b000000ffff        /* 0x18: 64-bit code */
boot_gdt_end:
boot_gdtr:
        .word   boot_gdt_end - boot_gdt - 1
        .long   boot_gdt

/*
 * Boot page tables: L4[0] and L4[261] share one L3 path to an L2 that maps
 * machine 0-1 GiB with 2 MiB pages.  Used only until mm_init() builds the
 * real tables, and by APs while they enter long mode.
 */
        .balign PAGE_SIZE
        .globl boot_l4
boot_l4:
        .quad   boot_l3_low + PTE_TABLE
        .fill   (HV_VIRT_START >> L4_SHIFT & 511) - 1, 8, 0
        .quad   boot_l3_high + PTE_TABLE
        .fill   511 - (HV_VIRT_START >> L4_SHIFT & 511), 8, 0
boot_l3_low:
        .quad   boot_l2 + PTE_TABLE
        .fill   511, 8, 0
boot_l3_high:
        .fill   (HV_VIRT_START >> L3_SHIFT & 511), 8, 0
        .quad   boot_l2 + PTE_TABLE
        .fill   511 - (HV_VIRT_START >> L3_SHIFT & 511), 8, 0
boot_l2:
        .set    i, 0
        .rept   512
        .quad   (i << L2_SHIFT) + (PTE_P | PTE_W | PTE_A | PTE_D | PTE_PSE)
        .set    i, i + 1
        .endr

/* ------------------------------------------------------------------ */
        .text
        .code64
__high_entry:
        /* Zero .bss (it holds the boot stack) before touching the stack. */
        lea     __bss_start(%rip), %rdi
        lea     __bss_end(%rip), %rcx
        sub     %rdi, %rcx
        shr     $3, %rcx
        xor     %eax, %eax
        rep stosq

        lea     cpu0_stack + STACK_SIZE - CPUINFO_SIZEOF(%rip), %rsp
        and     $~15, %rsp
        xor     %ebp, %ebp
        mov     %ebx, %edi              /* machine address of hvm_start_info */
        call    start_pvisor
        ud2

/* Secondary CPUs arrive here from the trampoline, on their own stack. */
        .globl ap_entry_high
ap_entry_high:
        mov     %rbx, %cr3              /* the idle page tables */
        xor     %ebp, %ebp
        call    start_secondary
        ud2

        .section .rodata
        .balign 8
        .globl boot_l4_maddr
boot_l4_maddr:
        .quad   boot_l4

        .section .bss.stack_aligned, "aw", @nobits
        .balign STACK_SIZE
        .globl cpu0_stack
cpu0_stack:
        .skip   STACK_SIZE
