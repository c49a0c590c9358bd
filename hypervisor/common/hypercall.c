/* SPDX-License-Identifier: MIT */
/*
 * The hypercall table: one row per implemented hypercall with its handler,
 * argument count and privilege class.  Numbers not in the table answer
 * -ENOSYS.  The privilege class is a first gate only: each handler still
 * checks the caller's rights on every object it touches.
 */
#include <asm/current.h>
#include <pvisor/hypercall.h>
#include <pvisor/lib.h>
#include <pvisor/sched.h>
#include <xen/errno.h>
#include <xen/xen.h>

enum hc_priv {
    HC_ANY,  /* any domain */
    HC_PRIV, /* the privileged control domain only */
};

struct hypercall_entry {
    long (*fn)();
    uint8_t nargs;
    uint8_t priv;
    const char *name;
};

#define HC(nr, handler, n, p) [nr] = {(long (*)())(handler), n, p, #handler}

static const struct hypercall_entry hypercall_table[] = {
    HC(__HYPERVISOR_console_io, do_console_io, 3, HC_ANY),
    HC(__HYPERVISOR_xen_version, do_xen_version, 2, HC_ANY),
    HC(__HYPERVISOR_sched_op, do_sched_op, 2, HC_ANY),
    HC(__HYPERVISOR_sysctl, do_sysctl, 1, HC_PRIV),
};

const char *hypercall_name(unsigned long op)
{
    if (op < ARRAY_SIZE(hypercall_table) && hypercall_table[op].fn)
        return hypercall_table[op].name + 3; /* drop "do_" */
    return "unknown";
}

long hypercall_dispatch(unsigned long op, const unsigned long a[5])
{
    const struct hypercall_entry *e;

    if (op >= ARRAY_SIZE(hypercall_table) || !hypercall_table[op].fn)
        return -XEN_ENOSYS;
    e = &hypercall_table[op];
    if (e->priv == HC_PRIV && !current->domain->is_privileged)
        return -XEN_EPERM;
    switch (e->nargs) {
    case 0:
        return e->fn();
    case 1:
        return e->fn(a[0]);
    case 2:
        return e->fn(a[0], a[1]);
    case 3:
        return e->fn(a[0], a[1], a[2]);
    case 4:
        return e->fn(a[0], a[1], a[2], a[3]);
    default:
        return e->fn(a[0], a[1], a[2], a[3], a[4]);
    }
}
