/* SPDX-License-Identifier: MIT */
/*
 * The backend's side of a console ring (xen/io/console.h): it consumes
 * "out" and produces "in".  The guest may write anything into the page at
 * any moment, so each call reads the guest's index once, checks it
 * against the backend's own copy of the index the backend owns, and never
 * reads the backend's own index back from the page.  An index pair that
 * claims more than the ring holds is -EPROTO: the caller disconnects that
 * guest's console.  Pure code, shared with the unit test and the fuzzer.
 */
#ifndef CONRING_H
#define CONRING_H

#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/io/console.h>

struct conring {
    struct xencons_interface *intf;
    XENCONS_RING_IDX out_cons; /* ours: what we have taken from "out" */
    XENCONS_RING_IDX in_prod;  /* ours: what we have put into "in" */
};

/* Takes the indexes the page holds now as the starting point. */
void conring_attach(struct conring *r, struct xencons_interface *intf);
/*
 * Copies up to size bytes of output into buf and publishes out_cons;
 * returns the count (0: nothing) or -EPROTO.
 */
long conring_read(struct conring *r, char *buf, size_t size);
/* Puts up to len bytes of input into "in"; returns the count or -EPROTO. */
long conring_write(struct conring *r, const char *data, size_t len);

#endif /* CONRING_H */
