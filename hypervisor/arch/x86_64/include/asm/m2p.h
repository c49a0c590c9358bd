/* SPDX-License-Identifier: MIT */
/* The machine-to-physical table (arch/x86_64/m2p.c). */
#ifndef ASM_M2P_H
#define ASM_M2P_H

#include <xen/xen.h>

#define INVALID_M2P_ENTRY (~0UL)

void m2p_init(void);
void set_gpfn_from_mfn(unsigned long mfn, unsigned long gpfn);
unsigned long get_gpfn_from_mfn(unsigned long mfn);

#endif /* ASM_M2P_H */
