/* SPDX-License-Identifier: MIT */
/*
 * Generates asm-offsets.h: structure offsets and sizes for assembly code,
 * so that no offset is ever counted by hand.  Compiled to assembly only;
 * the build extracts the "->NAME value" markers.
 */
#include <asm/current.h>
#include <asm/desc.h>

#define DEFINE(sym, val)                                                       \
    asm volatile("\n.ascii \"->" #sym " %0\"" : : "i"(val))
#define OFFSET(sym, str, mem) DEFINE(sym, offsetof(struct str, mem))

void asm_offsets(void);
void asm_offsets(void)
{
    OFFSET(UREGS_r15, cpu_user_regs, r15);
    OFFSET(UREGS_rax, cpu_user_regs, rax);
    OFFSET(UREGS_error_code, cpu_user_regs, error_code);
    OFFSET(UREGS_entry_vector, cpu_user_regs, entry_vector);
    OFFSET(UREGS_rip, cpu_user_regs, rip);
    OFFSET(UREGS_cs, cpu_user_regs, cs);
    OFFSET(UREGS_rflags, cpu_user_regs, rflags);
    OFFSET(UREGS_rsp, cpu_user_regs, rsp);
    OFFSET(UREGS_ss, cpu_user_regs, ss);
    OFFSET(UREGS_es, cpu_user_regs, es);
    DEFINE(UREGS_kernel_sizeof, offsetof(struct cpu_user_regs, es));
    OFFSET(CPUINFO_guest_cpu_user_regs, cpu_info, guest_cpu_user_regs);
    OFFSET(CPUINFO_processor_id, cpu_info, processor_id);
    OFFSET(CPUINFO_current_vcpu, cpu_info, current_vcpu);
    DEFINE(CPUINFO_SIZEOF, sizeof(struct cpu_info));
}
