/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's end of the dom0 link ring, free of hardware so that it
 * is unit-tested on the host against the daemon's end.
 */
#ifndef PVISOR_LINK_RING_H
#define PVISOR_LINK_RING_H

#include <pvisor/barrier.h>
#include <pvisor/types.h>
#include <public/pvisor/dom0link.h>

struct link_back {
    struct pvlink_back_ring ring;
    bool broken; /* the last look at the indexes found them corrupt */
};

struct link_back_ops {
    /* Runs one request (copied out of shared memory) and returns its result. */
    int64_t (*exec)(const struct pvlink_request *req, void *arg);
    /* Rings the host: responses are waiting. */
    void (*notify)(void *arg);
};

/* Initialises the shared ring in bytes of memory and our end of it. */
void link_back_init(struct link_back *lb, struct pvlink_sring *sring,
                    size_t bytes);
/*
 * Handles every request the host has produced, pushing each response as it
 * completes and notifying the host when it asked to be.  Returns the number
 * handled, or -1 if the host's producer index is impossible (the ring is
 * then left alone until the next call).
 */
int link_back_process(struct link_back *lb, const struct link_back_ops *ops,
                      void *arg);
/* Whether [maddr, maddr + size) lies inside the arena. */
bool link_window_valid(uint64_t maddr, uint64_t size, uint64_t arena_maddr,
                       uint64_t arena_size);

#endif /* PVISOR_LINK_RING_H */
