/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's virtual and physical memory layout.  It follows Xen's
 * x86-64 layout: everything the hypervisor maps lives in L4 slots 256-271
 * (0xffff800000000000-0xffff87ffffffffff), which are copied into every
 * guest L4 so hypercalls and traps run on the guest's page tables without
 * a CR3 switch.  Included from C and from assembly.
 *
 *  slot 256  0xffff800000000000  read-only M2P for guests (PV MMU)
 *  slot 260  0xffff820000000000  per-CPU GDTs (16 pages each)
 *  slot 261  0xffff82d080000000  machine addresses 0-1 GiB: the image
 *            0xffff82d0c0000000  fixmap: LAPIC, IOAPIC (uncached 4K pages)

 *  262-271   0xffff830000000000  direct map of all machine RAM
 *
 * Machine memory (guest-physical addresses of the QEMU machine):
 *  0x008000  AP start-up trampoline (copied there at SMP boot)
 *  0x100000  the dom0 link header page (fixed, see public/pvisor/dom0link.h)
 *  0x200000  the hypervisor image, loaded by QEMU's PVH loader
 */
#ifndef ASM_CONFIG_H
#define ASM_CONFIG_H

#ifdef __ASSEMBLY__
#define _AC(x, y) x
#else
#define _AC(x, y) x##y
#endif

#define PAGE_SHIFT 12
#define PAGE_SIZE (_AC(1, UL) << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

#define NR_CPUS 32

#define HV_SLOT_FIRST 256
#define HV_SLOT_LAST 271
#define HV_VIRT_START _AC(0xffff82d080000000, UL)
#define HV_IMAGE_PADDR _AC(0x200000, UL)
#define HV_IMAGE_VIRT (HV_VIRT_START + HV_IMAGE_PADDR)
#define HV_LOWMAP_SIZE _AC(0x40000000, UL) /* machine 0-1 GiB at HV_VIRT_START */
#define FIXMAP_VIRT_START _AC(0xffff82d0c0000000, UL)

#define DIRECTMAP_VIRT_START _AC(0xffff830000000000, UL)
#define DIRECTMAP_VIRT_END _AC(0xffff880000000000, UL)
#define GDT_VIRT_START _AC(0xffff820000000000, UL)
#define GDT_VIRT_PER_CPU (_AC(16, UL) << PAGE_SHIFT)
/*
 * Slot 260 is per-domain in guest page tables: PERDOMAIN_VIRT_START holds
 * each vCPU's 16-page GDT window (pages 0-13 the guest's set_gdt frames,
 * page 14 the running CPU's hypervisor descriptors), followed by each
 * vCPU's LDT window.  The idle tables keep the per-CPU GDTs there.
 */
#define PERDOMAIN_VIRT_START GDT_VIRT_START
#define PERDOMAIN_GDT_WINDOW(vcpu) (PERDOMAIN_VIRT_START + (vcpu)*GDT_VIRT_PER_CPU)
#define PERDOMAIN_LDT_WINDOW(vcpu)                                             \
    (PERDOMAIN_VIRT_START + _AC(0x200000, UL) + (vcpu)*GDT_VIRT_PER_CPU)
/* Per-CPU syscall entry stubs (executable), slot 261. */
#define STUBS_VIRT_START _AC(0xffff82d100000000, UL)

#define TRAMPOLINE_PADDR 0x8000

/*
 * Each CPU's stack block: STACK_SIZE bytes aligned to STACK_SIZE, so that
 * `struct cpu_info` at its top is found from any stack pointer in it (as
 * Xen does; the hypervisor never relies on the GS base, which belongs to
 * the guest).  Page 0: #MC IST stack, 1: #DF IST, 2: NMI IST, 3: guard,
 * 4-7: the primary stack.
 */
#define STACK_ORDER 3
#define STACK_SIZE (PAGE_SIZE << STACK_ORDER)
#define IST_MCE_PAGE 0
#define IST_DF_PAGE 1
#define IST_NMI_PAGE 2

/*
 * Hypervisor segment selectors, in Xen's reserved GDT page (entry 7168 on,
 * FIRST_RESERVED_GDT_ENTRY in the public headers).
 */
#define HV_CS 0xe008
#define HV_DS 0xe010
#define HV_TSS 0xe040
#define HV_LDT 0xe050
#define GDT_LIMIT ((15 << PAGE_SHIFT) - 1)

#endif /* ASM_CONFIG_H */
