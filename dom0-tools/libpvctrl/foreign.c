/* SPDX-License-Identifier: MIT */
/*
 * Foreign memory (the libxenforeignmemory part of libpvctrl): mapping
 * another domain's frames into this process.
 *
 * The hypervisor checks and records each mapping
 * (XENMEM_add_to_physmap_batch, XENMAPSPACE_gmfn_foreign, into dom0
 * "physmap slots" of this client's session) and holds a reference on the
 * frame; the bytes are then reached through the machine's RAM file.
 * Unmapping removes the slots again (a multicall of
 * XENMEM_remove_from_physmap), and if this process dies without doing so
 * the link daemon closes its session, which releases them all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xen/memory.h>

#include "pvctrl_priv.h"

#define MAP_BATCH 1024 /* frames per add_to_physmap_batch */
#define UNMAP_BATCH 256 /* removes per multicall */

/* Records slots [first, first + n) as mapping domid's mfns. */
static int add_slots(struct pvctrl *xc, uint32_t domid, const xen_pfn_t *mfns,
                     size_t n, uint64_t first, int *errs)
{
    struct pvcall_handle *h = xc->call;
    struct xen_add_to_physmap_batch *b = pvcall_alloc_buffer(h, sizeof(*b));
    xen_ulong_t *idxs = pvcall_alloc_buffer(h, MAP_BATCH * sizeof(*idxs));
    xen_pfn_t *gpfns = pvcall_alloc_buffer(h, MAP_BATCH * sizeof(*gpfns));
    int *herrs = pvcall_alloc_buffer(h, MAP_BATCH * sizeof(*herrs));
    int rc = 0;

    if (!b || !idxs || !gpfns || !herrs) {
        rc = -ENOMEM;
        goto out;
    }
    for (size_t done = 0; done < n && !rc;) {
        size_t k = n - done < MAP_BATCH ? n - done : MAP_BATCH;

        for (size_t i = 0; i < k; i++) {
            idxs[i] = mfns[done + i];
            gpfns[i] = first + done + i;
        }
        memset(b, 0, sizeof(*b));
        b->domid = DOMID_SELF;
        b->space = XENMAPSPACE_gmfn_foreign;
        b->size = (uint16_t)k;
        b->u.foreign_domid = (domid_t)domid;
        set_xen_guest_handle(b->idxs, (xen_ulong_t *)(uintptr_t)
                                          pvcall_buffer_addr(h, idxs));
        set_xen_guest_handle(b->gpfns, (xen_pfn_t *)(uintptr_t)
                                           pvcall_buffer_addr(h, gpfns));
        set_xen_guest_handle(b->errs,
                             (int *)(uintptr_t)pvcall_buffer_addr(h, herrs));
        rc = (int)pvcall_hypercall(h, __HYPERVISOR_memory_op,
                                   XENMEM_add_to_physmap_batch,
                                   pvcall_buffer_addr(h, b), 0, 0, 0);
        for (size_t i = 0; i < k && !rc; i++) {
            if (errs)
                errs[done + i] = herrs[i];
            if (herrs[i] && !rc)
                rc = herrs[i];
        }
        done += k;
    }
out:
    pvcall_free_buffer(h, b);
    pvcall_free_buffer(h, idxs);
    pvcall_free_buffer(h, gpfns);
    pvcall_free_buffer(h, herrs);
    return rc;
}

/* Removes slots [first, first + n) (a multicall per batch). */
static int remove_slots(struct pvctrl *xc, uint64_t first, size_t n)
{
    struct pvcall_handle *h = xc->call;
    struct multicall_entry *mc = pvcall_alloc_buffer(h, UNMAP_BATCH * sizeof(*mc));
    struct xen_remove_from_physmap *r =
        pvcall_alloc_buffer(h, UNMAP_BATCH * sizeof(*r));
    int rc = 0;

    if (!mc || !r) {
        rc = -ENOMEM;
        goto out;
    }
    for (size_t done = 0; done < n;) {
        size_t k = n - done < UNMAP_BATCH ? n - done : UNMAP_BATCH;
        long mrc;

        for (size_t i = 0; i < k; i++) {
            r[i].domid = DOMID_SELF;
            r[i].gpfn = first + done + i;
            memset(&mc[i], 0, sizeof(mc[i]));
            mc[i].op = __HYPERVISOR_memory_op;
            mc[i].args[0] = XENMEM_remove_from_physmap;
            mc[i].args[1] = pvcall_buffer_addr(h, &r[i]);
        }
        mrc = pvcall_hypercall(h, __HYPERVISOR_multicall,
                               pvcall_buffer_addr(h, mc), k, 0, 0, 0);
        if (mrc && !rc)
            rc = (int)mrc;
        for (size_t i = 0; i < k; i++)
            if ((long)mc[i].result < 0 && !rc)
                rc = (int)(long)mc[i].result;
        done += k;
    }
out:
    pvcall_free_buffer(h, mc);
    pvcall_free_buffer(h, r);
    return rc;
}

void *pvforeign_map(struct pvctrl *xc, uint32_t domid, const xen_pfn_t *mfns,
                    size_t n, int *errs, int *err)
{
    struct pvcall_handle *h = xc->call;
    struct pvforeign_mapping *m;
    uint64_t first = xc->next_slot;
    uint8_t *addr;
    int rc;

    if (!n || pvcall_ram_fd(h) < 0) {
        *err = -EINVAL;
        return NULL;
    }
    m = calloc(1, sizeof(*m));
    if (!m) {
        *err = -ENOMEM;
        return NULL;
    }
    rc = add_slots(xc, domid, mfns, n, first, errs);
    xc->next_slot += n;
    if (rc)
        goto fail_slots;
    /* Reserve the range, then map each run of consecutive frames. */
    addr = mmap(NULL, n * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (addr == MAP_FAILED) {
        rc = -errno;
        goto fail_slots;
    }
    for (size_t i = 0; i < n;) {
        size_t run = 1;
        int64_t off = pvcall_maddr_to_offset(h, mfns[i] << 12);

        while (i + run < n && mfns[i + run] == mfns[i] + run &&
               pvcall_maddr_to_offset(h, mfns[i + run] << 12) ==
                   off + (int64_t)run * 4096)
            run++;
        if (off < 0 ||
            mmap(addr + i * 4096, run * 4096, PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_FIXED, pvcall_ram_fd(h), off) == MAP_FAILED) {
            rc = off < 0 ? -EINVAL : -errno;
            munmap(addr, n * 4096);
            goto fail_slots;
        }
        i += run;
    }
    m->addr = addr;
    m->n = n;
    m->first_slot = first;
    m->next = xc->mappings;
    xc->mappings = m;
    return addr;

fail_slots:
    remove_slots(xc, first, n);
    free(m);
    *err = rc;
    return NULL;
}

int pvforeign_unmap(struct pvctrl *xc, void *addr, size_t n)
{
    struct pvforeign_mapping **pp, *m;
    int rc;

    for (pp = &xc->mappings; *pp; pp = &(*pp)->next)
        if ((*pp)->addr == addr && (*pp)->n == n)
            break;
    if (!(m = *pp))
        return -EINVAL;
    *pp = m->next;
    munmap(addr, n * 4096);
    rc = remove_slots(xc, m->first_slot, n);
    free(m);
    return rc;
}
