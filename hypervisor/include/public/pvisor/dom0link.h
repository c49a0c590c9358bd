/* SPDX-License-Identifier: MIT */
/*
 * The dom0 link ABI, version 1: how the control domain on the host reaches
 * the hypervisor running inside the QEMU machine.
 *
 * The machine's RAM is a file the host maps (QEMU memory-backend-file,
 * share=on).  At boot the hypervisor fills the link header page at the
 * fixed machine address PVLINK_HDR_MADDR with the location of:
 *
 *  - the request/response ring (Xen's io/ring.h layout, PVLINK_RING_PAGES
 *    pages): the host produces requests (one dom0 hypercall each), the
 *    hypervisor consumes them and produces responses;
 *  - the argument arena: dom0 hypercall arguments that are pointers
 *    ("guest handles") are machine addresses inside the arena, and each
 *    request names the window of the arena it may touch;
 *  - a copy of the RAM ranges of the machine memory map, so the host can
 *    check that it translates machine addresses to file offsets the same
 *    way the machine does.
 *
 * Doorbells are single bytes on a 16550 UART (COM2, 0x2f8, IRQ 3) that QEMU
 * connects to a Unix socket of the link daemon.  Host -> hypervisor: any
 * byte means "look at the request ring".  Hypervisor -> host: one of the
 * PVLINK_BELL_* bytes.  Both sides use the ring's event indexes
 * (RING_PUSH_*_AND_CHECK_NOTIFY) so a doorbell is rung only when the other
 * side may be waiting.
 *
 * Event channels owned by domain 0 (version 2).  Domain 0 has no vCPU in
 * the machine, so its events are not upcalls: the pending and mask bits
 * of its ports are the 2-level arrays of its shared_info page, at
 * dom0_shared_info_maddr, which the host reads and writes directly, and
 * "there are new events" is a pair of sequence numbers with one writer
 * each, so that neither side needs an atomic operation the other side's
 * memory model (QEMU TCG with one vCPU emulates `lock` instructions
 * without host atomics) might not honour:
 *
 *   hypervisor, when a port of domain 0 becomes pending while unmasked:
 *       old = event_seq; event_seq = old + 1; full barrier;
 *       if (old == event_ack) ring PVLINK_BELL_EVENT
 *   host, on PVLINK_BELL_EVENT:
 *       do { s = event_seq; event_ack = s; full barrier;
 *            deliver every port that is pending and not masked;
 *       } while (event_seq != s);
 *
 * So the doorbell rings at most once until the host has caught up.  The
 * host delivers a port by setting its mask bit and then clearing its
 * pending bit (both with atomic operations), and unmasks it by clearing
 * the mask bit and then delivering it again if it is pending.  A pending
 * bit the host clears can reappear (the hypervisor's update of the same
 * word may not be atomic), which only makes an event spurious; one the
 * hypervisor sets is never lost.
 *
 * Fields are only ever appended; `version` says which are present.
 */
#ifndef PVISOR_PUBLIC_DOM0LINK_H
#define PVISOR_PUBLIC_DOM0LINK_H

#include <stdint.h>
#include <xen/io/ring.h>

#define PVLINK_HDR_MADDR 0x100000ULL
#define PVLINK_MAGIC 0x4b4e494c30564450ULL /* "PDV0LINK" little-endian */
#define PVLINK_VERSION 2
#define PVLINK_RING_PAGES 4
#define PVLINK_MAX_RAM_RANGES 8

/*
 * Link operations that are not hypercalls (request.op values above the
 * hypercall numbers):
 *   PVLINK_OP_CLOSE_SESSION  the client owning the request's window went
 *                            away: release what it held (foreign
 *                            mappings); returns how many were released.
 */
#define PVLINK_OP_CLOSE_SESSION 0x10000
/*
 *   PVLINK_OP_TRACE          tracing control (public/pvisor/trace.h):
 *                            args[0] = PVTRACE_OP_*, then its operands.
 *   PVLINK_OP_DOMSTATS       args[0] = domid, args[1] = address of a
 *                            struct pvlink_domstats in the window: the
 *                            domain's counters (what `pvctl top` shows).
 */
#define PVLINK_OP_TRACE 0x10001
#define PVLINK_OP_DOMSTATS 0x10002

/* Counts since the domain was created, summed over its vCPUs. */
struct pvlink_domstats {
    uint64_t hypercalls;
    uint64_t events_sent;     /* EVTCHNOP_send */
    uint64_t events_received; /* ports that became pending */
    uint64_t traps;           /* exceptions, user syscalls bounced to it */
    uint64_t ptwr;            /* page-table writes emulated */
};

/* Doorbell bytes from the hypervisor. */
#define PVLINK_BELL_READY 'B'    /* boot finished, header is valid */
#define PVLINK_BELL_RESPONSE 'R' /* responses are waiting on the ring */
#define PVLINK_BELL_EVENT 'E'    /* dom0 event channels are pending */

/* pvlink_header.state */
#define PVLINK_STATE_BOOTING 0
#define PVLINK_STATE_READY 1
#define PVLINK_STATE_DOWN 2

/* Exit statuses the hypervisor gives QEMU through isa-debug-exit (port
 * 0xf4).  QEMU exits with (value << 1) | 1. */
#define PVLINK_EXIT_POWEROFF 0x10
#define PVLINK_EXIT_REBOOT 0x11
#define PVLINK_EXIT_PANIC 0x7e

struct pvlink_ram_range {
    uint64_t start; /* machine address */
    uint64_t end;   /* one past the last byte */
};

struct pvlink_header {
    uint64_t magic;
    uint32_t version;
    uint32_t state;            /* PVLINK_STATE_* */
    uint64_t boot_tsc;         /* TSC at hypervisor entry: tells boots apart */
    uint64_t ring_maddr;       /* PVLINK_RING_PAGES contiguous pages */
    uint64_t arena_maddr;      /* argument arena */
    uint64_t arena_size;
    uint32_t nr_cpus;          /* CPUs brought up */
    uint32_t nr_ram_ranges;
    struct pvlink_ram_range ram[PVLINK_MAX_RAM_RANGES];
    /* Version 2: domain 0's event channels (see above). */
    uint64_t dom0_shared_info_maddr; /* a shared_info_t page */
    uint32_t event_seq;              /* written by the hypervisor only */
    uint32_t event_ack;              /* written by the host only */
};

/*
 * One dom0 hypercall.  Pointer arguments are machine addresses that must
 * lie in [window_maddr, window_maddr + window_size), itself inside the
 * arena; the hypervisor refuses anything else with -EFAULT.
 */
struct pvlink_request {
    uint64_t id;     /* echoed in the response */
    uint64_t op;     /* hypercall number (__HYPERVISOR_*) */
    uint64_t args[5];
    uint64_t window_maddr;
    uint64_t window_size;
};

struct pvlink_response {
    uint64_t id;
    int64_t result; /* the hypercall's return value (-XEN_E* on error) */
};

/*
 * The ring: struct pvlink_sring, pvlink_front_ring (host side) and
 * pvlink_back_ring (hypervisor side).  Includers define xen_mb(), xen_rmb()
 * and xen_wmb()
 * before using the RING_* macros.
 */
DEFINE_RING_TYPES(pvlink, struct pvlink_request, struct pvlink_response);
#define PVLINK_RING_BYTES (PVLINK_RING_PAGES * 4096)

#define PVLINK_STATIC_ASSERT(c) _Static_assert(c, #c)
PVLINK_STATIC_ASSERT(sizeof(struct pvlink_request) == 72);
PVLINK_STATIC_ASSERT(sizeof(struct pvlink_response) == 16);
PVLINK_STATIC_ASSERT(sizeof(struct pvlink_domstats) == 40);
PVLINK_STATIC_ASSERT(sizeof(struct pvlink_header) == 56 + 16 * 8 + 16);

#endif /* PVISOR_PUBLIC_DOM0LINK_H */
