/* SPDX-License-Identifier: MIT */
/*
 * Privileged instructions of a PV guest kernel.
 *
 * The guest kernel runs at CPL 3, so RDMSR/WRMSR, moves to and from
 * control and debug registers, port I/O, CLI/STI, CLTS, WBINVD and
 * `int $n` through a DPL-0 IDT gate raise #GP.  For the guest kernel (not
 * its user space) these are decoded from the instruction bytes at RIP --
 * never from the #GP error code, which QEMU 7.2 reports as n*16+2 for
 * `int $n` -- and emulated as Xen emulates them for an unprivileged
 * domain; anything else is reflected to the guest as #GP.  The
 * forced-emulation prefix (ud2; "xen") before CPUID, which raises #UD,
 * gives the PV CPUID policy.
 */
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/pv_emul.h>
#include <asm/pv_mm.h>
#include <pvisor/guest_access.h>
#include <pvisor/hypercall.h>
#include <pvisor/lib.h>
#include <pvisor/sched.h>

#define MSR_IA32_TSC 0x10
#define MSR_IA32_PLATFORM_ID 0x17
#define MSR_IA32_APIC_BASE 0x1b
#define MSR_IA32_SPEC_CTRL 0x48
#define MSR_IA32_UCODE_REV 0x8b
#define MSR_IA32_ARCH_CAPABILITIES 0x10a
#define MSR_PLATFORM_INFO 0xce
#define MSR_MISC_FEATURES_ENABLES 0x140
#define MSR_IA32_MCG_CAP 0x179
#define MSR_IA32_MCG_STATUS 0x17a
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_IA32_CR_PAT 0x277
#define MSR_IA32_PERF_CAPABILITIES 0x345
#define XEN_PAT 0x0000050100070406ULL

static bool canonical(uint64_t a)
{
    return (int64_t)a >> 47 == 0 || (int64_t)a >> 47 == -1;
}

/* Reads up to 15 instruction bytes at the guest's RIP. */
static unsigned int fetch(unsigned long rip, uint8_t *buf)
{
    unsigned int n;

    for (n = 0; n < 15; n++)
        if (raw_copy_from_guest(&buf[n], (const void *)(rip + n), 1))
            break;
    return n;
}

static unsigned long *gpr(struct cpu_user_regs *r, unsigned int n)
{
    switch (n) {
    case 0: return (unsigned long *)&r->rax;
    case 1: return (unsigned long *)&r->rcx;
    case 2: return (unsigned long *)&r->rdx;
    case 3: return (unsigned long *)&r->rbx;
    case 4: return (unsigned long *)&r->rsp;
    case 5: return (unsigned long *)&r->rbp;
    case 6: return (unsigned long *)&r->rsi;
    case 7: return (unsigned long *)&r->rdi;
    case 8: return (unsigned long *)&r->r8;
    case 9: return (unsigned long *)&r->r9;
    case 10: return (unsigned long *)&r->r10;
    case 11: return (unsigned long *)&r->r11;
    case 12: return (unsigned long *)&r->r12;
    case 13: return (unsigned long *)&r->r13;
    case 14: return (unsigned long *)&r->r14;
    default: return (unsigned long *)&r->r15;
    }
}

static uint64_t efer_view(void)
{
    return rdmsr(MSR_EFER) & (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE);
}

/* RDMSR as Xen answers an unprivileged PV guest; false means #GP. */
static bool read_msr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    switch (msr) {
    case MSR_FS_BASE:
        *val = rdmsr(MSR_FS_BASE);
        return true;
    case MSR_GS_BASE:
        *val = rdmsr(MSR_GS_BASE); /* in kernel mode: the kernel's */
        return true;
    case MSR_SHADOW_GS_BASE:
        *val = rdmsr(MSR_SHADOW_GS_BASE);
        return true;
    case MSR_EFER:
        *val = efer_view();
        return true;
    case MSR_IA32_CR_PAT:
        *val = XEN_PAT;
        return true;
    case MSR_IA32_APIC_BASE:
        *val = 0xfee00000ULL | 0x800 | (v->vcpu_id == 0 ? 0x100 : 0);
        return true;
    case MSR_IA32_TSC:
        *val = rdtsc();
        return true;
    case MSR_IA32_MISC_ENABLE:
        *val = (1ULL << 11) | (1ULL << 12); /* BTS and PEBS unavailable */
        return true;
    case MSR_IA32_PLATFORM_ID:
    case MSR_IA32_UCODE_REV:
    case MSR_IA32_SPEC_CTRL:
    case MSR_PLATFORM_INFO:
    case MSR_MISC_FEATURES_ENABLES:
    case MSR_IA32_MCG_CAP:
    case MSR_IA32_MCG_STATUS:
    case MSR_IA32_PERF_CAPABILITIES:
        *val = 0;
        return true;
    default:
        return false;
    }
}

static bool write_msr(struct vcpu *v, uint32_t msr, uint64_t val)
{
    switch (msr) {
    case MSR_FS_BASE:
        if (!canonical(val))
            return false;
        wrmsr(MSR_FS_BASE, val);
        v->arch.fs_base = val;
        return true;
    case MSR_GS_BASE:
        if (!canonical(val))
            return false;
        wrmsr(MSR_GS_BASE, val);
        v->arch.gs_base_kernel = val;
        return true;
    case MSR_SHADOW_GS_BASE:
        if (!canonical(val))
            return false;
        wrmsr(MSR_SHADOW_GS_BASE, val);
        v->arch.gs_base_user = val;
        return true;
    case MSR_EFER:
        return val == efer_view(); /* writing back the same value only */
    case MSR_IA32_SPEC_CTRL:
    case MSR_MISC_FEATURES_ENABLES:
        return val == 0;
    default:
        return false;
    }
}

/* I/O is allowed by the virtual IOPL (kernel mode counts as ring 1). */
static bool io_permitted(const struct vcpu *v)
{
    return v->arch.iopl >= (v->arch.kernel_mode ? 1U : 3U);
}

static bool emulate_int(struct vcpu *v, struct cpu_user_regs *regs,
                        uint8_t vector)
{
    unsigned int dpl = v->arch.trap_ctxt[vector].flags & 3;

    if (dpl < (v->arch.kernel_mode ? 1U : 3U) ||
        !v->arch.trap_ctxt[vector].address)
        return false; /* #GP with the selector error code, as hardware */
    regs->rip += 2;
    pv_inject_trap(v, vector, false, 0);
    return true;
}

bool pv_emulate_privileged(struct vcpu *v, struct cpu_user_regs *regs)
{
    uint8_t b[15];
    unsigned int n = fetch(regs->rip, b), i = 0, rex = 0;
    bool opsize16 = false;

    /* Prefixes. */
    while (i < n && (b[i] == 0x66 || b[i] == 0x67 || b[i] == 0xf2 ||
                     b[i] == 0xf3 || b[i] == 0x2e || b[i] == 0x36 ||
                     b[i] == 0x3e || b[i] == 0x26 || b[i] == 0x64 ||
                     b[i] == 0x65 || b[i] == 0xf0)) {
        if (b[i] == 0x66)
            opsize16 = true;
        i++;
    }
    if (i < n && (b[i] & 0xf0) == 0x40)
        rex = b[i++];
    if (i >= n)
        return false;

    /* `int $n` works from user mode too, subject to the trap's DPL. */
    if (b[i] == 0xcd && i + 1 < n && i == 0) {
        if (emulate_int(v, regs, b[i + 1]))
            return true;
        regs->error_code = ((uint32_t)b[i + 1] << 3) | 2;
        return false;
    }
    if (!v->arch.kernel_mode)
        return false;

    switch (b[i]) {
    case 0xfa: /* cli */
    case 0xfb: /* sti */
        if (!io_permitted(v))
            return false;
        regs->rip += i + 1;
        return true;
    case 0xe4: case 0xe5: case 0xec: case 0xed: { /* in */
        unsigned int size = (b[i] & 1) ? (opsize16 ? 2 : 4) : 1;

        if (!io_permitted(v))
            return false;
        /* Unprivileged domains read all-ones from every port. */
        if (size == 4)
            regs->rax = 0xffffffffUL;
        else
            regs->rax = (regs->rax & ~((1UL << (size * 8)) - 1)) |
                        ((1UL << (size * 8)) - 1);
        regs->rip += i + 1 + (b[i] < 0xe6 ? 1 : 0);
        return true;
    }
    case 0xe6: case 0xe7: case 0xee: case 0xef: /* out: dropped */
        if (!io_permitted(v))
            return false;
        regs->rip += i + 1 + (b[i] < 0xe8 ? 1 : 0);
        return true;
    case 0x0f:
        break;
    default:
        return false;
    }

    if (++i >= n)
        return false;
    switch (b[i]) {
    case 0x32: { /* rdmsr */
        uint64_t val;
        uint32_t msr = (uint32_t)regs->rcx;

        if (!read_msr(v, msr, &val)) {
            /* Before the guest can handle #GP, unknown MSRs read 0. */
            if (v->arch.trap_ctxt[TRAP_gp_fault].address)
                return false;
            val = 0;
        }
        regs->rax = (uint32_t)val;
        regs->rdx = (uint32_t)(val >> 32);
        regs->rip += i + 1;
        return true;
    }
    case 0x30: { /* wrmsr */
        uint64_t val = ((uint64_t)(uint32_t)regs->rdx << 32) |
                       (uint32_t)regs->rax;

        if (!write_msr(v, (uint32_t)regs->rcx, val) &&
            v->arch.trap_ctxt[TRAP_gp_fault].address)
            return false;
        regs->rip += i + 1;
        return true;
    }
    case 0x06: /* clts */
        do_fpu_taskswitch(0);
        regs->rip += i + 1;
        return true;
    case 0x08: /* invd */
    case 0x09: /* wbinvd: nothing to do for an unprivileged domain */
        regs->rip += i + 1;
        return true;
    case 0x20: case 0x22: { /* mov from / to CRn */
        uint8_t modrm;
        unsigned int cr, reg;
        unsigned long *r;

        if (++i >= n)
            return false;
        modrm = b[i];
        if ((modrm >> 6) != 3)
            return false;
        cr = ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0);
        reg = (modrm & 7) | (rex & 1 ? 8 : 0);
        r = gpr(regs, reg);
        if (b[i - 1] == 0x20) {
            switch (cr) {
            case 0:
                *r = (read_cr0() & ~X86_CR0_TS) | v->arch.cr0_ts;
                break;
            case 2:
                *r = v->arch.cr2;
                break;
            case 3:
                *r = xen_pfn_to_cr3(v->arch.guest_table);
                break;
            case 4:
                *r = v->arch.guest_cr4;
                break;
            default:
                return false;
            }
        } else {
            switch (cr) {
            case 0:
                /* Only TS may change, as fpu_taskswitch. */
                if ((*r ^ read_cr0()) & ~(X86_CR0_TS))
                    return false;
                do_fpu_taskswitch(*r & X86_CR0_TS);
                break;
            case 2:
                v->arch.cr2 = *r;
                break;
            case 3: {
                long rc;
                mm_lock(v->domain);
                rc = pv_set_guest_table(v, xen_cr3_to_pfn(*r), false);
                mm_unlock(v->domain);
                if (rc)
                    return false;
                break;
            }
            case 4:
                /* Only TSD and DE are the guest's to change. */
                v->arch.guest_cr4 = (v->arch.guest_cr4 & ~0xcUL) |
                                    (*r & 0xcUL);
                break;
            default:
                return false;
            }
        }
        regs->rip += i + 1;
        return true;
    }
    case 0x21: case 0x23: { /* mov from / to DRn */
        uint8_t modrm;
        unsigned int dr, reg;
        unsigned long *r;

        if (++i >= n)
            return false;
        modrm = b[i];
        if ((modrm >> 6) != 3)
            return false;
        dr = (modrm >> 3) & 7;
        reg = (modrm & 7) | (rex & 1 ? 8 : 0);
        r = gpr(regs, reg);
        if (b[i - 1] == 0x21) {
            long val = do_get_debugreg(dr);
            if (val < 0 && val > -4096)
                return false;
            *r = (unsigned long)val;
        } else if (do_set_debugreg(dr, *r)) {
            return false;
        }
        regs->rip += i + 1;
        return true;
    }
    default:
        return false;
    }
}

bool pv_emulate_forced_cpuid(struct vcpu *v, struct cpu_user_regs *regs)
{
    static const uint8_t sig[7] = {0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2};
    uint8_t b[7];
    uint32_t a, bx, c, d;

    if (raw_copy_from_guest(b, (const void *)regs->rip, sizeof(b)) ||
        memcmp(b, sig, sizeof(sig)))
        return false;
    pv_cpuid(v, (uint32_t)regs->rax, (uint32_t)regs->rcx, &a, &bx, &c, &d);
    regs->rax = a;
    regs->rbx = bx;
    regs->rcx = c;
    regs->rdx = d;
    regs->rip += sizeof(sig);
    return true;
}
