/* SPDX-License-Identifier: MIT */
/* Hypercall handlers and the dispatcher (common/hypercall.c). */
#ifndef PVISOR_HYPERCALL_H
#define PVISOR_HYPERCALL_H

#include <pvisor/types.h>

long hypercall_dispatch(unsigned long op, const unsigned long args[5]);
const char *hypercall_name(unsigned long op);

long do_xen_version(unsigned long cmd, unsigned long arg);
long do_console_io(unsigned long cmd, unsigned long count, unsigned long buf);
long do_sched_op(unsigned long cmd, unsigned long arg);
long do_sysctl(unsigned long arg);

#endif /* PVISOR_HYPERCALL_H */
