/* SPDX-License-Identifier: MIT */
/* The network backend's learning L2 switch (see switch.h). */
#include "switch.h"

#include <string.h>

#define ETH_HLEN 14

void nswitch_init(struct nswitch *sw)
{
    memset(sw, 0, sizeof(*sw));
    for (unsigned int i = 0; i < NSWITCH_FDB; i++)
        sw->fdb[i].port = -1;
}

int nswitch_add_port(struct nswitch *sw, nswitch_out_fn *out, void *opaque)
{
    for (int p = 0; p < NSWITCH_PORTS; p++) {
        if (!sw->port[p].out) {
            sw->port[p] = (struct nswitch_port){.out = out, .opaque = opaque};
            return p;
        }
    }
    return -1;
}

void nswitch_del_port(struct nswitch *sw, int port)
{
    if (port < 0 || port >= NSWITCH_PORTS)
        return;
    memset(&sw->port[port], 0, sizeof(sw->port[port]));
    for (unsigned int i = 0; i < NSWITCH_FDB; i++)
        if (sw->fdb[i].port == port)
            sw->fdb[i].port = -1;
}

int nswitch_lookup(const struct nswitch *sw, const uint8_t mac[6])
{
    for (unsigned int i = 0; i < NSWITCH_FDB; i++)
        if (sw->fdb[i].port >= 0 && !memcmp(sw->fdb[i].mac, mac, 6))
            return sw->fdb[i].port;
    return -1;
}

static void learn(struct nswitch *sw, const uint8_t mac[6], int port)
{
    struct nswitch_fdb *slot = NULL;

    if (mac[0] & 1)
        return; /* a group address is never a source */
    for (unsigned int i = 0; i < NSWITCH_FDB; i++) {
        struct nswitch_fdb *e = &sw->fdb[i];

        if (e->port >= 0 && !memcmp(e->mac, mac, 6)) {
            slot = e; /* known: maybe moved */
            break;
        }
        if (!slot || (slot->port >= 0 && (e->port < 0 || e->used < slot->used)))
            slot = e; /* a free one, else the oldest */
    }
    memcpy(slot->mac, mac, 6);
    slot->port = (int16_t)port;
    slot->used = sw->clock;
}

static void send_out(struct nswitch *sw, int port, const uint8_t *frame, size_t len,
                     uint16_t flags)
{
    sw->port[port].frames_out++;
    sw->port[port].out(sw->port[port].opaque, frame, len, flags);
}

void nswitch_input(struct nswitch *sw, int port, const uint8_t *frame, size_t len,
                   uint16_t flags)
{
    int to;

    if (port < 0 || port >= NSWITCH_PORTS || !sw->port[port].out || len < ETH_HLEN) {
        sw->dropped++;
        return;
    }
    sw->clock++;
    sw->port[port].frames_in++;
    learn(sw, frame + 6, port);
    to = (frame[0] & 1) ? -1 : nswitch_lookup(sw, frame);
    if (to == port) {
        sw->dropped++; /* for its own segment */
        return;
    }
    if (to >= 0) {
        sw->forwarded++;
        send_out(sw, to, frame, len, flags);
        return;
    }
    sw->flooded++;
    for (int p = 0; p < NSWITCH_PORTS; p++)
        if (p != port && sw->port[p].out)
            send_out(sw, p, frame, len, flags);
}
