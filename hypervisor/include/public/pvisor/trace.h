/* SPDX-License-Identifier: MIT */
/*
 * pvisor's trace buffers, version 1: what the hypervisor records about
 * what guests ask of it, and how domain 0 reads it.
 *
 * Each CPU has a buffer in machine memory: a header page (struct
 * pvtrace_buffer) followed by nr_records records (struct pvtrace_record,
 * 64 bytes).  The CPU produces records; domain 0 consumes them, reading
 * the machine memory directly, without stopping anyone:
 *
 *   hypervisor: if (prod - cons == nr_records) { lost++; drop }
 *               else { write record prod % nr_records; release; prod++ }
 *   domain 0:   p = prod (acquire); copy records cons..p; cons = p
 *
 * A full buffer drops new records and counts them in `lost`; nothing is
 * overwritten before it is read.  Each field has a single writer.
 *
 * Tracing is controlled over the dom0 link (PVLINK_OP_TRACE, dom0link.h):
 * which classes of events are recorded, for which domain (or all), and
 * where each CPU's buffer is.  Classes that are off cost a load and a
 * test at each trace point.
 *
 * Timestamps are the TSC (the trace file records its frequency).  Fields
 * are only ever appended; `version` says which are present.
 */
#ifndef PVISOR_PUBLIC_TRACE_H
#define PVISOR_PUBLIC_TRACE_H

#include <stdint.h>

#define PVTRACE_VERSION 1
#define PVTRACE_MAGIC 0x45434152545650ULL /* "PVTRACE" */

/* Classes (PVLINK_OP_TRACE set's mask). */
#define PVTRACE_CLASS_HCALL (1U << 0)  /* hypercalls */
#define PVTRACE_CLASS_EVTCHN (1U << 1) /* event channel sends, deliveries */
#define PVTRACE_CLASS_TRAP (1U << 2)   /* exceptions bounced to guests */
#define PVTRACE_CLASS_PTWR (1U << 3)   /* writable page-table emulations */
#define PVTRACE_CLASS_SCHED (1U << 4)  /* vCPUs in, out, blocking, waking */
#define PVTRACE_CLASS_DOMAIN (1U << 5) /* domains created, ended, destroyed */
#define PVTRACE_CLASS_ALL 0x3fU

/* Events, and what their data[] hold. */
enum pvtrace_event {
    /* A hypercall, recorded when it returns (tsc = its end): op, its
     * first three arguments, result, the TSC when it started.  A
     * multicall's entries are recorded too (flags PVTRACE_F_NESTED). */
    PVTRACE_EV_HCALL = 1,
    /* EVTCHNOP_send: local port, remote domain, remote port. */
    PVTRACE_EV_EVTCHN_SEND = 2,
    /* A port became pending (domid, vcpu: the receiver): port. */
    PVTRACE_EV_EVTCHN_PENDING = 3,
    /* The event callback was entered (an upcall). */
    PVTRACE_EV_EVTCHN_UPCALL = 4,
    /* An exception or software interrupt bounced: vector, error code,
     * rip, cr2 (for #PF).  A `syscall` from guest user mode bounced to
     * the guest kernel's syscall callback is one too, with vector
     * PVTRACE_TRAP_SYSCALL. */
    PVTRACE_EV_TRAP = 5,
    /* A kernel write that faulted on an L1 page table (writable page
     * tables): linear address written, the entry before, the entry after
     * (as installed; if refused, as the instruction would have made it),
     * result, rip, and the first 8 instruction bytes (little-endian; 0
     * where unreadable).  Result 0: emulated; -EAGAIN: the entry kept
     * changing, the instruction is re-executed; -EOPNOTSUPP: a form not
     * emulated, the domain is crashed; -EINVAL: not 64-bit code, or the
     * operand is misaligned or outside the page; -EFAULT: the instruction
     * could not be read or decoded; anything else: the new entry was
     * refused as mmu_update refuses it (old and new are 0 when the write
     * was turned down before the entry was read: -EINVAL, -EFAULT,
     * -EOPNOTSUPP).  All but 0 and -EAGAIN bounce the
     * #PF to the guest (or crash it).  Writes to other read-only pages and
     * to L2-L4 tables are not recorded here (they are plain #PF traps). */
    PVTRACE_EV_PTWR = 6,
    /* This CPU switched from (domid, vcpu) to data[0] = next domid,
     * data[1] = next vcpu (0x7fff: idle). */
    PVTRACE_EV_SCHED_SWITCH = 7,
    PVTRACE_EV_SCHED_BLOCK = 8, /* the vCPU blocked (SCHEDOP_block, poll) */
    PVTRACE_EV_SCHED_WAKE = 9,  /* the vCPU became runnable */
    PVTRACE_EV_DOM_CREATE = 10,
    PVTRACE_EV_DOM_SHUTDOWN = 11, /* reason */
    PVTRACE_EV_DOM_DESTROY = 12,  /* the last of its memory went */
};

#define PVTRACE_TRAP_SYSCALL 0x100 /* PVTRACE_EV_TRAP: a user `syscall` */

#define PVTRACE_F_NESTED 1 /* an entry of a multicall */
/* A hypercall preempted part-way: it returns to the guest, which issues
 * it again to go on (Xen's continuation); the last part is recorded
 * without this flag, so a call is counted once. */
#define PVTRACE_F_CONTINUED 2

struct pvtrace_record {
    uint64_t tsc;
    uint16_t event;  /* enum pvtrace_event */
    uint8_t cpu;
    uint8_t flags;   /* PVTRACE_F_* */
    uint16_t domid;  /* whose event (0x7ff0 and up: none) */
    uint16_t vcpu;
    uint64_t data[6];
};

struct pvtrace_buffer {
    uint64_t magic;       /* PVTRACE_MAGIC */
    uint32_t version;     /* PVTRACE_VERSION */
    uint32_t cpu;
    uint32_t nr_records;  /* records follow at offset 4096 */
    uint32_t record_size; /* sizeof(struct pvtrace_record) */
    uint64_t prod;        /* written by the hypervisor */
    uint64_t cons;        /* written by domain 0 */
    uint64_t lost;        /* written by the hypervisor */
};

#define PVTRACE_HEADER_BYTES 4096

/* PVLINK_OP_TRACE args[0]. */
#define PVTRACE_OP_INFO 1 /* args[1] cpu -> maddr of its buffer header */
#define PVTRACE_OP_SET 2  /* args[1] class mask, args[2] domid or
                             PVTRACE_ALL_DOMAINS -> 0 */
#define PVTRACE_OP_GET 3  /* -> class mask | domid << 32 */
#define PVTRACE_ALL_DOMAINS 0xffffU

_Static_assert(sizeof(struct pvtrace_record) == 64, "pvtrace_record layout");
_Static_assert(sizeof(struct pvtrace_buffer) == 48, "pvtrace_buffer layout");

#endif /* PVISOR_PUBLIC_TRACE_H */
