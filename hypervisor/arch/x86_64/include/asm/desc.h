/* SPDX-License-Identifier: MIT */
/*
 * Segment descriptors, the IDT and the 64-bit TSS.
 *
 * Every CPU's GDT is 16 pages at GDT_VIRT_START + cpu * GDT_VIRT_PER_CPU:
 * pages 0-13 are reserved for a PV guest's own descriptor frames
 * (set_gdt), page 14 holds the hypervisor's entries at Xen's fixed
 * selectors (FIRST_RESERVED_GDT_ENTRY = 7168, selector 0xe000), including
 * the ring-3 flat selectors that are part of the PV ABI.
 */
#ifndef ASM_DESC_H
#define ASM_DESC_H

#include <asm/config.h>

/* Exception vectors. */
#define TRAP_divide_error 0
#define TRAP_debug 1
#define TRAP_nmi 2
#define TRAP_int3 3
#define TRAP_overflow 4
#define TRAP_bounds 5
#define TRAP_invalid_op 6
#define TRAP_no_device 7
#define TRAP_double_fault 8
#define TRAP_copro_seg 9
#define TRAP_invalid_tss 10
#define TRAP_no_segment 11
#define TRAP_stack_error 12
#define TRAP_gp_fault 13
#define TRAP_page_fault 14
#define TRAP_spurious_int 15
#define TRAP_copro_error 16
#define TRAP_alignment_check 17
#define TRAP_machine_check 18
#define TRAP_simd_error 19
#define TRAP_virtualisation 20
#define TRAP_control_prot 21
#define TRAP_nr 32
/*
 * Flag in a guest frame's entry_vector: the guest may have %rcx and %r11
 * clobbered on the way back (it entered by `syscall`, or its values were
 * saved in a bounce frame), so the return can be `sysretq` (entry.S).
 */
#define TRAP_syscall 0x100

/* Which exceptions push an error code (bit n set for vector n). */
#define TRAP_HAS_ERRCODE_MASK 0x60227d00UL

/* Interrupt vectors used by the hypervisor itself. */
#define FIRST_IRQ_VECTOR 0x20
#define PIC_BASE_VECTOR 0x20       /* legacy 8259s, remapped and masked */
#define LINK_DOORBELL_VECTOR 0x40  /* COM2 doorbell via IOAPIC pin 3 */
#define TIMER_VECTOR 0xf0          /* LAPIC timer */
#define STOP_VECTOR 0xf1           /* IPI: stop this CPU (panic, halt) */
#define EVENT_CHECK_VECTOR 0xf2    /* IPI: wake an idle CPU */
#define FLUSH_VECTOR 0xf3          /* IPI: flush this CPU's TLB */
#define SPURIOUS_VECTOR 0xff

#ifndef __ASSEMBLY__
#include <pvisor/types.h>
#include <xen/xen.h>

/* GDT entry numbers within the reserved page. */
#define GDT_ENTRY_HV_CS (FIRST_RESERVED_GDT_ENTRY + 1)  /* 0xe008 */
#define GDT_ENTRY_HV_DS (FIRST_RESERVED_GDT_ENTRY + 2)  /* 0xe010 */
#define GDT_ENTRY_R3_CS32 (FIRST_RESERVED_GDT_ENTRY + 4) /* 0xe023 */
#define GDT_ENTRY_R3_DS (FIRST_RESERVED_GDT_ENTRY + 5)   /* 0xe02b */
#define GDT_ENTRY_R3_CS64 (FIRST_RESERVED_GDT_ENTRY + 6) /* 0xe033 */
#define GDT_ENTRY_TSS (FIRST_RESERVED_GDT_ENTRY + 8)     /* 0xe040 */
#define GDT_ENTRY_LDT (FIRST_RESERVED_GDT_ENTRY + 10)    /* 0xe050 */


struct idt_entry {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
} __packed;
BUILD_BUG_ON(sizeof(struct idt_entry) != 16);

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7]; /* IST1 is ist[0] */
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __packed __aligned(16);
BUILD_BUG_ON(offsetof(struct tss64, ist) != 36);
BUILD_BUG_ON(offsetof(struct tss64, iomap_base) != 102);

struct desc_ptr {
    uint16_t limit;
    uint64_t base;
} __packed;

#define IST_NONE 0
#define IST_MCE 1
#define IST_DF 2
#define IST_NMI 3

#define IDT_TYPE_INTR 0xe
#define IDT_PRESENT 0x80

void desc_init_cpu(unsigned int cpu, unsigned long stack_block);
unsigned long desc_cpu_gdt_mfn(unsigned int cpu);
unsigned long desc_zero_page_mfn(void);
void desc_load_gdt(unsigned long base);
void desc_load_idle_gdt(unsigned int cpu);
void desc_load_ldt(unsigned int cpu, unsigned long base, unsigned int ents);
void idt_init(void);
#endif

#endif /* ASM_DESC_H */
