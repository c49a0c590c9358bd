/* SPDX-License-Identifier: MIT */
/*
 * The network backend's L2 switch: a learning Ethernet switch between the
 * vifs of all domains and an optional uplink (a TAP device).  Source
 * addresses are learnt per port (the oldest entry makes room when the
 * table is full); a frame to a known unicast address goes to its port
 * only, to a broadcast, multicast or unknown address to every other port;
 * never back out of the port it came in by.
 */
#ifndef NSWITCH_H
#define NSWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NSWITCH_PORTS 64
#define NSWITCH_FDB   256

/* Sends a frame out of a port; flags as netback's (NETTXF_csum_blank...). */
typedef void nswitch_out_fn(void *opaque, const uint8_t *frame, size_t len,
                            uint16_t flags);

struct nswitch_port {
    nswitch_out_fn *out; /* NULL: a free slot */
    void *opaque;
    uint64_t frames_in, frames_out;
};

struct nswitch_fdb {
    uint8_t mac[6];
    int16_t port; /* -1: empty */
    uint64_t used; /* the switch's clock when last seen */
};

struct nswitch {
    struct nswitch_port port[NSWITCH_PORTS];
    struct nswitch_fdb fdb[NSWITCH_FDB];
    uint64_t clock;
    uint64_t forwarded, flooded, dropped;
};

void nswitch_init(struct nswitch *sw);
/* Returns the new port's number, or -1 if every port is taken. */
int nswitch_add_port(struct nswitch *sw, nswitch_out_fn *out, void *opaque);
/* Removes a port and forgets the addresses learnt on it. */
void nswitch_del_port(struct nswitch *sw, int port);
/* A frame that came in on a port. */
void nswitch_input(struct nswitch *sw, int port, const uint8_t *frame, size_t len,
                   uint16_t flags);
/* The port an address was learnt on, or -1. */
int nswitch_lookup(const struct nswitch *sw, const uint8_t mac[6]);

#endif
