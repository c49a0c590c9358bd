/* SPDX-License-Identifier: MIT */
/*
 * Host stand-in for asm/config.h in the PV MMU model: the real layout,
 * except that the direct map of machine memory starts at the model's
 * fake machine memory, a host array, so that maddr_to_virt() and
 * mfn_to_virt() of asm/page.h reach the model's frames unchanged.
 */
#ifndef MM_MODEL_CONFIG_H
#define MM_MODEL_CONFIG_H

#include_next <asm/config.h>

#ifndef __ASSEMBLY__
extern unsigned char *hv_test_machine;
#undef DIRECTMAP_VIRT_START
#define DIRECTMAP_VIRT_START ((unsigned long)hv_test_machine)
#endif

#endif /* MM_MODEL_CONFIG_H */
