/* SPDX-License-Identifier: MIT */
/*
 * Included before every hypervisor source file (-include).  The image is
 * compiled as position-independent code so that it can live in L4 slot 261
 * with RIP-relative references; marking every symbol, declared or defined,
 * hidden tells the compiler that none of them can come from a shared
 * object, so it never goes through a GOT.
 */
#ifndef PVISOR_COMPILER_H
#define PVISOR_COMPILER_H

#pragma GCC visibility push(hidden)

/* The Xen public headers expect the fixed-width types to be in scope. */
#ifndef __ASSEMBLY__
#include <stdint.h>
#endif

#endif /* PVISOR_COMPILER_H */
