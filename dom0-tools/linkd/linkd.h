/* SPDX-License-Identifier: MIT */
/*
 * pvisor-linkd: the dom0 link daemon.  It owns the QEMU process, the
 * machine's RAM file and the doorbell, and relays dom0 hypercalls from
 * libpvctrl clients to the hypervisor's request ring.  Single-threaded
 * libuv loop; all state below is touched only from the loop.
 */
#ifndef LINKD_H
#define LINKD_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "front.h"

#include "linkd_proto.h"

/* A connection on link.sock (clients.c). */
struct linkd_client {
    uv_pipe_t pipe;
    struct linkd_client *next;
    struct pvlinkd_msg in;   /* message being received */
    size_t in_len;
    unsigned int window;     /* 0: none yet */
    unsigned int nr_calls;   /* calls in flight for this client */
    uint64_t shutdown_id;    /* id of a SHUTDOWN waiting for the machine */
    bool closing;
    /* An event connection (after EVTCHN_OPEN, evtchn.c). */
    bool evtchn;
    uint64_t cookie;
    struct pvlinkd_evtchn_unmask ev_in;
    size_t ev_in_len;
};

/* A hypercall on its way to or from the hypervisor. */
struct linkd_call {
    struct linkd_call *next;     /* in the wait queue */
    struct linkd_client *client; /* NULL if the client left */
    uint64_t client_id;          /* the client's message id */
    uint64_t op, args[5];
    uint64_t window_maddr;
    void (*done)(struct linkd_call *call, int64_t result); /* internal calls */
};

struct linkd_options {
    const char *rundir;
    const char *image;
    const char *qemu;
    const char *cmdline;
    const char *accel; /* auto, tcg or kvm */
    uint64_t memory;   /* bytes */
    unsigned int cpus;
    unsigned int boot_timeout_s;
    int ready_fd;      /* where to report "ok" or the boot failure */
    bool daemonize;
};

struct linkd {
    struct linkd_options opt;
    uv_loop_t *loop;
    enum pvlinkd_state state;
    char accel[8];

    /* The machine. */
    uv_process_t qemu;
    bool qemu_running;
    int qemu_status;
    char ram_path[256];
    int ram_fd;
    uint8_t *ram;         /* the whole RAM file, mapped shared */
    uint64_t ram_below_4g;
    struct pvlink_header *hdr;
    struct pvlink_front_ring front;
    uv_timer_t boot_timer;
    /* Calls in flight and no response for a while: look for responses
     * whose bell was lost and ring the hypervisor again (machine.c). */
    uv_timer_t stall_timer;
    RING_IDX stall_rsp_cons;
    bool stall_logged;
    uv_timer_t stop_timer;

    /* The doorbell: QEMU's COM2 connects to our socket. */
    uv_pipe_t bell_server;
    uv_pipe_t bell;
    bool bell_connected;

    /* Clients. */
    uv_pipe_t server;
    struct linkd_client *clients;
    uint8_t *window_used; /* per arena window */
    unsigned int nr_windows;

    /* Calls: in flight (indexed by ring id) and waiting for a ring slot. */
    struct linkd_call **inflight;
    uint64_t next_ring_id;
    struct linkd_call *waitq_head, *waitq_tail;

    /* Clients waiting for the machine to be down. */
    struct linkd_client *shutdown_waiters[8];
    unsigned int nr_shutdown_waiters;

    uv_signal_t sigterm, sigint, sighup;
    int exit_code;

    /* Domain 0's events (STATUS replies; bench/domains/evtchn.sh): event
     * doorbells taken, passes over the pending bitmap, ports delivered. */
    uint64_t event_bells, event_scans, events_delivered;
};

extern struct linkd linkd;

/* machine.c */
int machine_start(void);
void machine_request_shutdown(void);
void machine_submit(struct linkd_call *call);
void machine_cleanup(void);
void machine_fail_all(int64_t err);
uint64_t machine_window_maddr(unsigned int window);
void *machine_window_ptr(unsigned int window);
void *machine_maddr_ptr(uint64_t maddr, uint64_t len);
const char *machine_accel_choose(const char *want, char *why, size_t whylen);

/* clients.c */
int clients_listen(void);
void clients_send(struct linkd_client *c, const struct pvlinkd_msg *msg);
void clients_send_raw(struct linkd_client *c, const void *buf, size_t len);
void clients_close(struct linkd_client *c);
void clients_call_done(struct linkd_call *call, int64_t result);
void clients_machine_gone(void);
void clients_detach_calls(struct linkd_client *c);

/* evtchn.c: domain 0's event channels, delivered to their handles. */
void evtchn_machine_ready(void);
void evtchn_doorbell(void);
void evtchn_open(struct linkd_client *c, struct pvlinkd_msg *m);
void evtchn_command(struct linkd_client *c, struct pvlinkd_msg *m);
void evtchn_unmask_request(struct linkd_client *c,
                           const struct pvlinkd_evtchn_unmask *u);
void evtchn_client_closed(struct linkd_client *c);

/* services.c */
int services_start(void);
void services_stop(void);
void services_kill(void);
void services_finish(void);
bool services_running(void);

/* main.c */
void linkd_report_ready(const char *msg);
void linkd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void linkd_stop(int code);

#endif /* LINKD_H */
