/* SPDX-License-Identifier: MIT */
/* Internals shared by libpvctrl's files. */
#ifndef PVCTRL_PRIV_H
#define PVCTRL_PRIV_H

#include "pvctrl.h"

struct pvforeign_mapping {
    struct pvforeign_mapping *next;
    void *addr;
    size_t n;
    uint64_t first_slot; /* dom0 physmap slots [first_slot, +n) */
};

struct pvctrl {
    struct pvcall_handle *call;
    uint64_t next_slot;                   /* foreign mapping slots */
    struct pvforeign_mapping *mappings;
};

/* Issues a domctl/sysctl through a hypercall buffer; *op is updated. */
int pvctrl__domctl(struct pvctrl *xc, struct xen_domctl *op);
int pvctrl__sysctl(struct pvctrl *xc, struct xen_sysctl *op);

#endif /* PVCTRL_PRIV_H */
