/* SPDX-License-Identifier: MIT */
/*
 * Host stand-in for asm/processor.h in the CPUID policy test: cpuid_count
 * reads a fake host CPU that the test fills (test_cpuid.c).
 */
#ifndef ASM_PROCESSOR_H
#define ASM_PROCESSOR_H

#include <stdint.h>

void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b,
                 uint32_t *c, uint32_t *d);

#endif
