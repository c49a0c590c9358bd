/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor side of the dom0 link (common/dom0link.c) and the doorbell
 * it uses (arch).  The doorbell is an interface so that a faster mechanism
 * can replace the UART without touching the ring code.
 */
#ifndef PVISOR_LINK_H
#define PVISOR_LINK_H

#include <pvisor/types.h>

struct link_doorbell_ops {
    const char *name;
    /* Sets the doorbell up; incoming rings call dom0link_doorbell(). */
    void (*init)(void);
    /* Rings the host with one PVLINK_BELL_* byte. */
    void (*ring_host)(uint8_t bell);
};

void dom0link_init(const struct link_doorbell_ops *ops);
/* Publishes the header and tells the host the machine is ready. */
void dom0link_ready(void);
/* A port of domain 0 became pending: ring the host (dom0link.h). */
void dom0link_notify_events(void);
/* Called from the doorbell interrupt. */
void dom0link_doorbell(void);

extern const struct link_doorbell_ops uart_doorbell_ops;

#endif /* PVISOR_LINK_H */
