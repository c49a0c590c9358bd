/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's trace buffers from domain 0 (ABI: public/pvisor/
 * trace.h), and the per-domain counters behind `pvctl top`.
 *
 * Tracing is switched with PVLINK_OP_TRACE over the dom0 link; the
 * buffers themselves are read straight from the machine's RAM file, so
 * reading never stops a guest or waits for the hypervisor.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pvctrl.h"
#include "pvctrl_priv.h"

struct pvtrace_reader {
    unsigned int nr_cpus;
    struct {
        struct pvtrace_buffer *buf; /* the mapping (header first) */
        size_t len;
    } cpu[];
};

int pvtrace_set(struct pvctrl *xc, uint32_t classes, uint32_t domid)
{
    long rc = pvcall_hypercall(xc->call, PVLINK_OP_TRACE, PVTRACE_OP_SET,
                               classes, domid, 0, 0);

    return rc < 0 ? (int)rc : 0;
}

int pvtrace_get(struct pvctrl *xc, uint32_t *classes, uint32_t *domid)
{
    long rc = pvcall_hypercall(xc->call, PVLINK_OP_TRACE, PVTRACE_OP_GET, 0,
                               0, 0, 0);

    if (rc < 0)
        return (int)rc;
    *classes = (uint32_t)rc;
    *domid = (uint32_t)((uint64_t)rc >> 32);
    return 0;
}

/* Maps len bytes of machine memory at maddr from the RAM file. */
static void *map_machine(struct pvctrl *xc, uint64_t maddr, size_t len)
{
    int64_t off = pvcall_maddr_to_offset(xc->call, maddr);
    long pagesz = sysconf(_SC_PAGESIZE);
    void *p;

    if (off < 0 || (off & (pagesz - 1)) ||
        pvcall_maddr_to_offset(xc->call, maddr + len - 1) < 0)
        return NULL;
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
             pvcall_ram_fd(xc->call), (off_t)off);
    return p == MAP_FAILED ? NULL : p;
}

int pvtrace_open(struct pvctrl *xc, struct pvtrace_reader **out)
{
    struct xen_sysctl_physinfo pi;
    struct pvtrace_reader *r;
    int rc = pvctrl_physinfo(xc, &pi);

    if (rc)
        return rc;
    r = calloc(1, sizeof(*r) + pi.nr_cpus * sizeof(r->cpu[0]));
    if (!r)
        return -ENOMEM;
    r->nr_cpus = pi.nr_cpus;
    for (unsigned int c = 0; c < r->nr_cpus; c++) {
        long maddr = pvcall_hypercall(xc->call, PVLINK_OP_TRACE,
                                      PVTRACE_OP_INFO, c, 0, 0, 0);
        struct pvtrace_buffer *h;
        size_t len;

        if (maddr < 0) {
            rc = (int)maddr;
            goto fail;
        }
        h = map_machine(xc, (uint64_t)maddr, PVTRACE_HEADER_BYTES);
        if (!h || h->magic != PVTRACE_MAGIC || h->version < 1 ||
            h->record_size != sizeof(struct pvtrace_record) ||
            h->cpu != c) {
            if (h)
                munmap(h, PVTRACE_HEADER_BYTES);
            rc = -EPROTO;
            goto fail;
        }
        len = PVTRACE_HEADER_BYTES +
              (size_t)h->nr_records * sizeof(struct pvtrace_record);
        munmap(h, PVTRACE_HEADER_BYTES);
        r->cpu[c].buf = map_machine(xc, (uint64_t)maddr, len);
        r->cpu[c].len = len;
        if (!r->cpu[c].buf) {
            rc = -EPROTO;
            goto fail;
        }
    }
    *out = r;
    return 0;

fail:
    pvtrace_close(r);
    return rc;
}

void pvtrace_close(struct pvtrace_reader *r)
{
    if (!r)
        return;
    for (unsigned int c = 0; c < r->nr_cpus; c++)
        if (r->cpu[c].buf)
            munmap(r->cpu[c].buf, r->cpu[c].len);
    free(r);
}

unsigned int pvtrace_nr_cpus(const struct pvtrace_reader *r)
{
    return r->nr_cpus;
}

long pvtrace_read(struct pvtrace_reader *r, unsigned int cpu,
                  struct pvtrace_record *out, size_t max, uint64_t *lost)
{
    struct pvtrace_buffer *b;
    const struct pvtrace_record *recs;
    uint64_t prod, cons;
    size_t n = 0;

    if (cpu >= r->nr_cpus)
        return -EINVAL;
    b = r->cpu[cpu].buf;
    recs = (const struct pvtrace_record *)((const char *)b +
                                           PVTRACE_HEADER_BYTES);
    prod = __atomic_load_n(&b->prod, __ATOMIC_ACQUIRE);
    cons = b->cons;
    if (prod - cons > b->nr_records)
        return -EPROTO; /* the hypervisor's index makes no sense */
    while (cons + n < prod && n < max) {
        out[n] = recs[(cons + n) % b->nr_records];
        n++;
    }
    __atomic_store_n(&b->cons, cons + n, __ATOMIC_RELEASE);
    if (lost)
        *lost = __atomic_load_n(&b->lost, __ATOMIC_RELAXED);
    return (long)n;
}

int pvctrl_domstats(struct pvctrl *xc, uint32_t domid,
                    struct pvlink_domstats *out)
{
    struct pvlink_domstats *buf = pvcall_alloc_buffer(xc->call, sizeof(*buf));
    long rc;

    if (!buf)
        return -ENOMEM;
    rc = pvcall_hypercall(xc->call, PVLINK_OP_DOMSTATS, domid,
                          pvcall_buffer_addr(xc->call, buf), 0, 0, 0);
    if (!rc)
        *out = *buf;
    pvcall_free_buffer(xc->call, buf);
    return (int)rc;
}
