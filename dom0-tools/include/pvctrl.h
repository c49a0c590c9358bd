/* SPDX-License-Identifier: MIT */
/*
 * libpvctrl: the only way dom0 programs reach the pvisor hypervisor.
 *
 * Its shape follows Xen's libraries:
 *   pvcall_*   the hypercall transport and hypercall buffers (libxencall);
 *   pvctrl_*   typed control operations (libxenctrl).
 * Hypercalls travel over the dom0 link: the link daemon (pvisor-linkd)
 * owns QEMU and the doorbell, and each client gets a window of the
 * argument arena in machine memory.  Pointer arguments of a hypercall are
 * the dom0 addresses of hypercall buffers (pvcall_buffer_addr()).
 *
 * Every function returns 0 or a non-negative value on success and a
 * negative errno on failure; hypercall results are Xen's -XEN_E* values,
 * which are the Linux errno values.
 */
#ifndef PVCTRL_H
#define PVCTRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef __XEN_TOOLS__
#define __XEN_TOOLS__ 1
#endif
#include <xen/domctl.h>
#include <xen/sysctl.h>
#include <xen/xen.h>

#include <pvisor/dom0link.h> /* struct pvlink_domstats */
#include <pvisor/trace.h>    /* struct pvtrace_record */

/* ------------------------------------------------------------ run dir */

/*
 * The run directory: $PVISOR_RUNDIR, else /run/pvisor for root, else
 * $XDG_RUNTIME_DIR/pvisor, else /tmp/pvisor-$UID.  Returns buf.
 */
const char *pvisor_rundir(char *buf, size_t size);

/* ---------------------------------------------------------- transport */

struct pvcall_handle;

/* Connects to the link daemon of the machine in rundir (NULL: default). */
int pvcall_open(const char *rundir, struct pvcall_handle **out);
void pvcall_close(struct pvcall_handle *h);

/* Runs one hypercall as domain 0; returns its result. */
long pvcall_hypercall(struct pvcall_handle *h, unsigned int op, uint64_t a1,
                      uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

/* Hypercall buffers, in this client's window of the argument arena. */
void *pvcall_alloc_buffer(struct pvcall_handle *h, size_t size);
void pvcall_free_buffer(struct pvcall_handle *h, void *p);
uint64_t pvcall_buffer_addr(struct pvcall_handle *h, const void *p);

/* The machine's RAM file (for mapping frames), and where a frame is in it. */
int pvcall_ram_fd(struct pvcall_handle *h);
int64_t pvcall_maddr_to_offset(struct pvcall_handle *h, uint64_t maddr);

/* What the link daemon reports about the machine. */
struct pvcall_status {
    int state;          /* PVLINKD_STATE_* */
    int qemu_pid;
    int daemon_pid;
    unsigned int nr_cpus;
    uint64_t ram_bytes;
    char accel[8];      /* "tcg" or "kvm" */
    /* Domain 0's events since the machine started: PVLINK_BELL_EVENT
     * doorbells the daemon took, its passes over the pending bitmap,
     * ports it delivered to handles, and the hypervisor's event_seq (one
     * per dom0 port that became pending while unmasked). */
    uint64_t event_bells, event_scans, events_delivered, event_seq;
};
int pvcall_status(struct pvcall_handle *h, struct pvcall_status *st);

/*
 * Asks the daemon to shut the machine down (domain 0 powers it off) and
 * waits until QEMU has exited and the run directory's state is removed.
 */
int pvcall_shutdown_machine(struct pvcall_handle *h);

/* ------------------------------------------------------- grant tables */

/*
 * Domain 0's side of grant tables, after Xen's libxengnttab: mapping a
 * domU's grants into this process, and grant copies to and from it.  A
 * handle has its own link session; the hypervisor ties the mappings to
 * it, so closing the handle -- or the process dying -- unmaps them all.
 *
 * A mapping is checked and counted by the hypervisor (map_grant_ref with
 * GNTMAP_host_map), which answers the machine frame (dev_bus_addr); the
 * page is then this process's mapping of that frame in the RAM file.
 */
struct pvgnttab;

int pvgnttab_open(const char *rundir, struct pvgnttab **out);
void pvgnttab_close(struct pvgnttab *g);
/* Maps count grants (domids[i], refs[i]) on consecutive pages; NULL and
 * *err (-errno, or a GNTST_* status below -1000 - see pvgnttab_status). */
void *pvgnttab_map_grant_refs(struct pvgnttab *g, uint32_t count,
                              const uint32_t *domids, const uint32_t *refs,
                              bool readonly, int *err);
void *pvgnttab_map_grant_ref(struct pvgnttab *g, uint32_t domid,
                             uint32_t ref, bool readonly, int *err);
int pvgnttab_unmap(struct pvgnttab *g, void *addr, uint32_t count);
/* A map error that was a grant status: the GNTST_* value, else 0. */
int pvgnttab_status(int err);

/* A grant copy segment (libxengnttab's xengnttab_grant_copy_segment_t):
 * each side is a (domid, ref, offset) grant or a local pointer. */
struct pvgnttab_copy_segment {
    union {
        struct {
            uint32_t ref;
            uint16_t offset;
            uint16_t domid;
        } foreign;
        void *virt;
    } source, dest;
    uint16_t len;
    uint16_t flags;  /* GNTCOPY_source_gref, GNTCOPY_dest_gref */
    int16_t status;  /* GNTST_* */
};
/* Copies count segments; each gets its own status.  0 or -errno. */
int pvgnttab_grant_copy(struct pvgnttab *g, uint32_t count,
                        struct pvgnttab_copy_segment *segs);

/* ---------------------------------------------------- event channels */

/*
 * Domain 0's event channels, after Xen's libxenevtchn.  A handle binds
 * ports of domain 0 (to a port another domain left unbound for it, to a
 * VIRQ, or unbound for another domain to bind) and learns of events on
 * them through a descriptor a poll loop (libuv's uv_poll) can watch.  An
 * event is reported once; the port then stays masked until
 * pvevtchn_unmask().  Closing the handle unbinds all its ports.  Ports are
 * returned as non-negative ints; errors are -errno.
 */
struct pvevtchn;

int pvevtchn_open(const char *rundir, struct pvevtchn **out);
void pvevtchn_close(struct pvevtchn *h);
/* Readable when pvevtchn_pending() has something to return. */
int pvevtchn_fd(struct pvevtchn *h);
int pvevtchn_bind_unbound_port(struct pvevtchn *h, uint32_t remote_domid);
int pvevtchn_bind_interdomain(struct pvevtchn *h, uint32_t remote_domid,
                              uint32_t remote_port);
int pvevtchn_bind_virq(struct pvevtchn *h, unsigned int virq);
int pvevtchn_unbind(struct pvevtchn *h, uint32_t port);
int pvevtchn_notify(struct pvevtchn *h, uint32_t port);
/* The next port with an event; -EAGAIN if none (it never blocks). */
int pvevtchn_pending(struct pvevtchn *h);
/* Blocks up to timeout_ms (-1: forever) for the next port; -ETIMEDOUT. */
int pvevtchn_wait(struct pvevtchn *h, int timeout_ms);
int pvevtchn_unmask(struct pvevtchn *h, uint32_t port);

/* ------------------------------------------------------------ control */

struct pvctrl;

int pvctrl_open(const char *rundir, struct pvctrl **out);
void pvctrl_close(struct pvctrl *xc);
struct pvcall_handle *pvctrl_call_handle(struct pvctrl *xc);

/* xen_version: packed major << 16 | minor, or a string sub-op. */
int pvctrl_version(struct pvctrl *xc, int *major, int *minor);
int pvctrl_version_string(struct pvctrl *xc, int cmd, char *buf, size_t len);
int pvctrl_physinfo(struct pvctrl *xc, struct xen_sysctl_physinfo *info);
/*
 * Reads the hypervisor console log (XEN_SYSCTL_readconsole).  *count is
 * the buffer size in, bytes read out; *index is the ring position to start
 * from when incremental, and is updated to where the read ended.
 */
int pvctrl_readconsole(struct pvctrl *xc, char *buf, uint32_t *count,
                       uint32_t *index, bool incremental, bool clear);

/* Domains (XEN_DOMCTL_*).  domid 0 in create: let the hypervisor pick. */
int pvctrl_domain_create(struct pvctrl *xc, uint32_t *domid,
                         const struct xen_domctl_createdomain *config);
int pvctrl_domain_destroy(struct pvctrl *xc, uint32_t domid);
int pvctrl_domain_pause(struct pvctrl *xc, uint32_t domid);
int pvctrl_domain_unpause(struct pvctrl *xc, uint32_t domid);
/* SCHEDOP_remote_shutdown: the domain stops with reason (SHUTDOWN_*). */
int pvctrl_domain_shutdown(struct pvctrl *xc, uint32_t domid, int reason);
int pvctrl_domain_setmaxmem(struct pvctrl *xc, uint32_t domid,
                            uint64_t max_kb);
/* Info on the first domain whose id is >= first (-ESRCH: none). */
int pvctrl_domain_getinfo(struct pvctrl *xc, uint32_t first,
                          struct xen_domctl_getdomaininfo *info);
int pvctrl_vcpu_setcontext(struct pvctrl *xc, uint32_t domid, uint32_t vcpu,
                           const vcpu_guest_context_t *ctx);
int pvctrl_vcpu_getinfo(struct pvctrl *xc, uint32_t domid, uint32_t vcpu,
                        struct xen_domctl_getvcpuinfo *info);
int pvctrl_domain_hypercall_init(struct pvctrl *xc, uint32_t domid,
                                 uint64_t mfn);
int pvctrl_sched_credit_get(struct pvctrl *xc, uint32_t domid,
                            struct xen_domctl_sched_credit *c);
int pvctrl_sched_credit_set(struct pvctrl *xc, uint32_t domid,
                            const struct xen_domctl_sched_credit *c);
/*
 * XENMEM_populate_physmap for domid: pfns[i] in, the MFN backing it out.
 * Returns the number of extents done (all of them on success) or -errno.
 */
long pvctrl_populate_physmap(struct pvctrl *xc, uint32_t domid,
                             unsigned long nr, unsigned int order,
                             xen_pfn_t *pfns);
/* MMUEXT_PIN_L4_TABLE / UNPIN_TABLE on domid's frame. */
int pvctrl_pin_table(struct pvctrl *xc, uint32_t domid, int level,
                     uint64_t mfn);
int pvctrl_unpin_table(struct pvctrl *xc, uint32_t domid, uint64_t mfn);

/* EVTCHNOP_alloc_unbound in domid for remote_domid; the port or -errno. */
int pvctrl_evtchn_alloc_unbound(struct pvctrl *xc, uint32_t domid,
                                uint32_t remote_domid);

/* --------------------------------------------------- foreign memory */

/*
 * Maps n frames of domid (machine frame numbers, as PV domains use) at
 * consecutive host pages, readable and writable (libxenforeignmemory).
 * The hypervisor checks that each frame is domid's and keeps it alive
 * while mapped.  errs[i] (when given) gets each frame's result; the call
 * fails if any frame failed.  Returns NULL with *err set on failure.
 */
void *pvforeign_map(struct pvctrl *xc, uint32_t domid, const xen_pfn_t *mfns,
                    size_t n, int *errs, int *err);
int pvforeign_unmap(struct pvctrl *xc, void *addr, size_t n);

/* ------------------------------------------------------------ tracing */

/*
 * The hypervisor's trace buffers (public/pvisor/trace.h).  pvtrace_set
 * chooses the classes recorded (PVTRACE_CLASS_*, 0: off) and the domain
 * (PVTRACE_ALL_DOMAINS: every one); a reader maps every CPU's buffer and
 * takes the records waiting in one.  Only one reader should consume at a
 * time: reading advances the buffer.
 */
struct pvtrace_reader;

int pvtrace_set(struct pvctrl *xc, uint32_t classes, uint32_t domid);
int pvtrace_get(struct pvctrl *xc, uint32_t *classes, uint32_t *domid);
int pvtrace_open(struct pvctrl *xc, struct pvtrace_reader **out);
void pvtrace_close(struct pvtrace_reader *r);
unsigned int pvtrace_nr_cpus(const struct pvtrace_reader *r);
/* Up to max records of cpu's buffer into out; *lost: its drop count. */
long pvtrace_read(struct pvtrace_reader *r, unsigned int cpu,
                  struct pvtrace_record *out, size_t max, uint64_t *lost);

/* A domain's counters since it was created (PVLINK_OP_DOMSTATS). */
int pvctrl_domstats(struct pvctrl *xc, uint32_t domid,
                    struct pvlink_domstats *out);

#endif /* PVCTRL_H */
