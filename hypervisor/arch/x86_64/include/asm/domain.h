/* SPDX-License-Identifier: MIT */
/*
 * x86-64 PV state of domains and vCPUs.
 *
 * A PV vCPU's registers live in `user_regs` while it is descheduled; while
 * it runs they live in the hardware and, on entry to the hypervisor, in
 * the current CPU's cpu_info frame.  The guest runs at CPL 3 in both its
 * kernel and user modes; `kernel_mode` says which, and selects the L4 in
 * CR3 (guest_table or guest_table_user) and which GS base is live.
 */
#ifndef ASM_DOMAIN_H
#define ASM_DOMAIN_H

#include <asm/page.h>
#include <pvisor/spinlock.h>
#include <pvisor/types.h>
#include <xen/xen.h>

/* A pending bounce into the guest (set up by a trap, consumed on exit). */
struct trap_bounce {
    unsigned long eip;
    uint16_t error_code;
    uint8_t flags; /* TBF_* */
};
#define TBF_EXCEPTION 1
#define TBF_EXCEPTION_ERRCODE 2
#define TBF_INTERRUPT 8 /* mask events on delivery */
#define TBF_FAILSAFE 16

/* Callbacks registered with set_callbacks / callback_op. */
struct pv_callback {
    unsigned long eip;
    bool mask_events;
};

struct arch_domain {
    /*
     * Serialises every change to this domain's page tables and frame
     * types (validation, devalidation, entry updates, pins, base pointers).
     * Recursive for the CPU holding it: validation nests.
     */
    spinlock_t mm_lock;
    int mm_lock_owner;
    unsigned int mm_lock_depth;
    pte_t *perdomain_l3;      /* L4 slot 260 of this domain's tables */
    pte_t *perdomain_l2;
    pte_t *perdomain_l1[2];   /* [0]: GDT windows, [1]: LDT windows */
    unsigned long vm_assist;  /* VMASST_TYPE_* bits enabled */
};

struct arch_vcpu {
    struct trap_info trap_ctxt[256];
    struct trap_bounce trap_bounce;
    struct pv_callback event_callback, failsafe_callback, syscall_callback,
        syscall32_callback, sysenter_callback, nmi_callback;
    unsigned long kernel_ss, kernel_sp; /* stack_switch */
    bool kernel_mode;
    /* Page tables: machine frames holding a type reference each. */
    unsigned long guest_table;      /* kernel-mode L4 */
    unsigned long guest_table_user; /* user-mode L4 (0: none) */
    uint64_t fs_base, gs_base_kernel, gs_base_user;
    /* Descriptor tables. */
    unsigned long gdt_frames[16];
    unsigned int gdt_ents;
    unsigned long ldt_base;
    unsigned int ldt_ents;
    /* Virtual control and debug registers. */
    unsigned long cr0_ts;   /* virtual CR0.TS (fpu_taskswitch) */
    unsigned long guest_cr4;
    unsigned long cr2;
    unsigned long debugreg[8];
    unsigned int iopl;      /* virtual IOPL (PHYSDEVOP_set_iopl) */
    unsigned long iobmp;    /* PHYSDEVOP_set_iobitmap: guest VA and ports */
    unsigned int iobmp_limit;
    /* FPU state, saved lazily (FXSAVE format). */
    uint8_t fpu_ctxt[512] __aligned(16);
    bool fpu_initialised;
    bool fpu_dirtied;       /* the hardware holds this vCPU's FPU state */
};

#endif /* ASM_DOMAIN_H */
