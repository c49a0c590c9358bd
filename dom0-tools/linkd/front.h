/* SPDX-License-Identifier: MIT */
/*
 * The host's end of the dom0 link ring: pure ring logic, shared by the
 * link daemon and the unit tests (which run it against the hypervisor's
 * end, hypervisor/common/link_ring.c).
 */
#ifndef LINKD_FRONT_H
#define LINKD_FRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef __XEN_TOOLS__
#define __XEN_TOOLS__ 1
#endif
#ifndef xen_mb
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif
#include <pvisor/dom0link.h>

/* Attaches to a ring the hypervisor initialised. */
void link_front_init(struct pvlink_front_ring *f, struct pvlink_sring *s,
                     size_t bytes);
/* Queues one request; returns true if the hypervisor must be rung.
 * The caller checks RING_FULL() first. */
bool link_front_push(struct pvlink_front_ring *f,
                     const struct pvlink_request *req);
/*
 * Hands every response the hypervisor has produced to cb, and re-arms the
 * response event so the next response rings us.  Returns the number
 * handled, or -1 if the producer index is impossible.
 */
int link_front_poll(struct pvlink_front_ring *f,
                    void (*cb)(const struct pvlink_response *rsp, void *arg),
                    void *arg);

#endif /* LINKD_FRONT_H */
