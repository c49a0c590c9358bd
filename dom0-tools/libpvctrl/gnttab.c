/* SPDX-License-Identifier: MIT */
/*
 * Grant tables from domain 0 (the libxengnttab part of libpvctrl; see
 * pvctrl.h).
 *
 * Domain 0 has no page tables in the machine.  map_grant_ref with
 * GNTMAP_host_map has the hypervisor check the grant, pin it and take
 * its references; its answer, dev_bus_addr, is the frame's machine
 * address, which this process then maps from the RAM file.  host_addr is
 * the address the page gets here: the hypervisor records it and wants it
 * back at unmap.  The mappings belong to the handle's link session.
 *
 * Grant copies name domain 0's own side by frame (DOMID_SELF), which must
 * be a frame of the session's argument window: local data goes through
 * page-aligned bounce pages there.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xen/grant_table.h>

#include "pvctrl_priv.h"

#define PAGE 4096
#define COPY_BATCH 8 /* bounce pages per hypercall (the window is 64 KiB) */
#define STATUS_BASE 1000

struct pvgnttab_mapping {
    struct pvgnttab_mapping *next;
    uint8_t *addr;
    uint32_t count;
    grant_handle_t *handles;
};

struct pvgnttab {
    struct pvctrl *xc;
    struct pvgnttab_mapping *mappings;
};

int pvgnttab_open(const char *rundir, struct pvgnttab **out)
{
    struct pvgnttab *g = calloc(1, sizeof(*g));
    int rc;

    if (!g)
        return -ENOMEM;
    rc = pvctrl_open(rundir, &g->xc);
    if (rc) {
        free(g);
        return rc;
    }
    *out = g;
    return 0;
}

void pvgnttab_close(struct pvgnttab *g)
{
    if (!g)
        return;
    while (g->mappings)
        pvgnttab_unmap(g, g->mappings->addr, g->mappings->count);
    pvctrl_close(g->xc);
    free(g);
}

int pvgnttab_status(int err)
{
    return err <= -STATUS_BASE ? err + STATUS_BASE : 0;
}

/* Unmaps handles [0, n) of a mapping at addr. */
static int unmap_handles(struct pvgnttab *g, uint8_t *addr,
                         const grant_handle_t *handles, uint32_t n)
{
    struct pvcall_handle *h = pvctrl_call_handle(g->xc);
    struct gnttab_unmap_grant_ref *op;
    int rc = 0;

    op = pvcall_alloc_buffer(h, sizeof(*op));
    if (!op)
        return -ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        long r;

        memset(op, 0, sizeof(*op));
        op->host_addr = (uint64_t)(uintptr_t)(addr + (size_t)i * PAGE);
        op->handle = handles[i];
        r = pvcall_hypercall(h, __HYPERVISOR_grant_table_op,
                             GNTTABOP_unmap_grant_ref,
                             pvcall_buffer_addr(h, op), 1, 0, 0);
        if (!rc && (r || op->status))
            rc = r ? (int)r : op->status - STATUS_BASE;
    }
    pvcall_free_buffer(h, op);
    return rc;
}

void *pvgnttab_map_grant_refs(struct pvgnttab *g, uint32_t count,
                              const uint32_t *domids, const uint32_t *refs,
                              bool readonly, int *err)
{
    struct pvcall_handle *h = pvctrl_call_handle(g->xc);
    struct pvgnttab_mapping *m = NULL;
    struct gnttab_map_grant_ref *op = NULL;
    uint8_t *addr = MAP_FAILED;
    uint32_t done = 0;
    int rc = 0;

    if (!count || pvcall_ram_fd(h) < 0) {
        *err = -EINVAL;
        return NULL;
    }
    m = calloc(1, sizeof(*m));
    if (m)
        m->handles = calloc(count, sizeof(*m->handles));
    op = pvcall_alloc_buffer(h, sizeof(*op));
    if (!m || !m->handles || !op) {
        rc = -ENOMEM;
        goto fail;
    }
    /* The range first: its addresses are the mappings' host_addr. */
    addr = mmap(NULL, (size_t)count * PAGE, PROT_NONE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (addr == MAP_FAILED) {
        rc = -errno;
        goto fail;
    }
    for (; done < count; done++) {
        uint8_t *page = addr + (size_t)done * PAGE;
        int64_t off;
        long r;

        memset(op, 0, sizeof(*op));
        op->host_addr = (uint64_t)(uintptr_t)page;
        op->flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0);
        op->ref = refs[done];
        op->dom = (domid_t)domids[done];
        r = pvcall_hypercall(h, __HYPERVISOR_grant_table_op,
                             GNTTABOP_map_grant_ref,
                             pvcall_buffer_addr(h, op), 1, 0, 0);
        if (r || op->status) {
            rc = r ? (int)r : op->status - STATUS_BASE;
            goto fail;
        }
        m->handles[done] = op->handle;
        off = pvcall_maddr_to_offset(h, op->dev_bus_addr);
        if (off < 0 ||
            mmap(page, PAGE, PROT_READ | (readonly ? 0 : PROT_WRITE),
                 MAP_SHARED | MAP_FIXED, pvcall_ram_fd(h), off) ==
                MAP_FAILED) {
            rc = off < 0 ? -EINVAL : -errno;
            done++; /* this one is mapped in the hypervisor */
            goto fail;
        }
    }
    pvcall_free_buffer(h, op);
    m->addr = addr;
    m->count = count;
    m->next = g->mappings;
    g->mappings = m;
    return addr;

fail:
    if (done)
        unmap_handles(g, addr, m->handles, done);
    if (addr != MAP_FAILED)
        munmap(addr, (size_t)count * PAGE);
    pvcall_free_buffer(h, op);
    if (m)
        free(m->handles);
    free(m);
    *err = rc;
    return NULL;
}

void *pvgnttab_map_grant_ref(struct pvgnttab *g, uint32_t domid,
                             uint32_t ref, bool readonly, int *err)
{
    return pvgnttab_map_grant_refs(g, 1, &domid, &ref, readonly, err);
}

int pvgnttab_unmap(struct pvgnttab *g, void *addr, uint32_t count)
{
    struct pvgnttab_mapping **pp, *m;
    int rc;

    for (pp = &g->mappings; *pp; pp = &(*pp)->next)
        if ((*pp)->addr == addr && (*pp)->count == count)
            break;
    if (!(m = *pp))
        return -EINVAL;
    *pp = m->next;
    /* Our mapping goes before the hypervisor's references do. */
    munmap(addr, (size_t)count * PAGE);
    rc = unmap_handles(g, m->addr, m->handles, count);
    free(m->handles);
    free(m);
    return rc;
}

/* ---------------------------------------------------------------- copy */

static bool local_side(const struct pvgnttab_copy_segment *s, bool source)
{
    return !(s->flags & (source ? GNTCOPY_source_gref : GNTCOPY_dest_gref));
}

int pvgnttab_grant_copy(struct pvgnttab *g, uint32_t count,
                        struct pvgnttab_copy_segment *segs)
{
    struct pvcall_handle *h = pvctrl_call_handle(g->xc);
    struct gnttab_copy *ops;
    uint8_t *raw, *bounce;
    uint64_t raw_ma, bounce_ma;
    int rc = 0;

    ops = pvcall_alloc_buffer(h, COPY_BATCH * sizeof(*ops));
    raw = pvcall_alloc_buffer(h, (COPY_BATCH + 1) * PAGE);
    if (!ops || !raw) {
        rc = -ENOMEM;
        goto out;
    }
    /* Page-aligned bounce pages in machine memory. */
    raw_ma = pvcall_buffer_addr(h, raw);
    bounce_ma = (raw_ma + PAGE - 1) & ~(uint64_t)(PAGE - 1);
    bounce = raw + (bounce_ma - raw_ma);

    for (uint32_t first = 0; first < count && !rc; first += COPY_BATCH) {
        uint32_t n = count - first < COPY_BATCH ? count - first : COPY_BATCH;
        long r;

        for (uint32_t i = 0; i < n; i++) {
            struct pvgnttab_copy_segment *s = &segs[first + i];
            struct gnttab_copy *c = &ops[i];
            uint64_t ma = bounce_ma + (uint64_t)i * PAGE;

            memset(c, 0, sizeof(*c));
            c->len = s->len;
            c->flags = s->flags & (GNTCOPY_source_gref | GNTCOPY_dest_gref);
            if (local_side(s, true)) {
                if (s->len <= PAGE)
                    memcpy(bounce + (size_t)i * PAGE, s->source.virt, s->len);
                c->source.u.gmfn = ma >> 12;
                c->source.domid = DOMID_SELF;
            } else {
                c->source.u.ref = s->source.foreign.ref;
                c->source.domid = s->source.foreign.domid;
                c->source.offset = s->source.foreign.offset;
            }
            if (local_side(s, false)) {
                c->dest.u.gmfn = ma >> 12;
                c->dest.domid = DOMID_SELF;
            } else {
                c->dest.u.ref = s->dest.foreign.ref;
                c->dest.domid = s->dest.foreign.domid;
                c->dest.offset = s->dest.foreign.offset;
            }
        }
        r = pvcall_hypercall(h, __HYPERVISOR_grant_table_op, GNTTABOP_copy,
                             pvcall_buffer_addr(h, ops), n, 0, 0);
        if (r) {
            rc = (int)r;
            break;
        }
        for (uint32_t i = 0; i < n; i++) {
            struct pvgnttab_copy_segment *s = &segs[first + i];

            s->status = ops[i].status;
            if (s->status == GNTST_okay && local_side(s, false))
                memcpy(s->dest.virt, bounce + (size_t)i * PAGE, s->len);
        }
    }
out:
    pvcall_free_buffer(h, ops);
    pvcall_free_buffer(h, raw);
    return rc;
}
