/* SPDX-License-Identifier: MIT */
/* Boot-time facts shared across the hypervisor. */
#ifndef PVISOR_SETUP_H
#define PVISOR_SETUP_H

#include <pvisor/types.h>

extern char hypervisor_cmdline[1024];
/* Frames of RAM in the machine memory map (what physinfo reports). */
extern unsigned long total_ram_pages;

/* Powers the machine off, reboots it or stops it after a crash of the
 * control domain (SCHEDOP_shutdown from domain 0). */
void machine_shutdown(unsigned int reason) __noreturn;

#endif /* PVISOR_SETUP_H */
