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

struct pvlinkd_msg;
/* The daemon's socket: connect, whole writes, one request and its reply. */
int pvcall__connect(const char *rundir);
int pvcall__write_all(int fd, const void *buf, size_t len);
int pvcall__transact(int fd, uint64_t *next_id, struct pvlinkd_msg *msg);

/* Issues a domctl/sysctl through a hypercall buffer; *op is updated. */
int pvctrl__domctl(struct pvctrl *xc, struct xen_domctl *op);
int pvctrl__sysctl(struct pvctrl *xc, struct xen_sysctl *op);

#endif /* PVCTRL_PRIV_H */
