/* SPDX-License-Identifier: MIT */
/*
 * Fuzzing the grant-table op decoder: random sequences of GNTTABOP_*
 * calls (setup_table, query_size, set_version, get_version,
 * get_status_frames, map_grant_ref, unmap_grant_ref, copy, unknown ops),
 * guests writing and ending grants, dom0 link sessions ending and domains
 * dying, run by the real common/grant_table.c and grant_entry.c over the
 * PV MMU model machine of tests/unit/hypervisor/mm_model.c (real pv/mm.c,
 * mm_ops.c, domheap.c, page_alloc.c, guest_access.c).
 *
 * Domains: d0 privileged, whose vCPU 1 is its dom0 link vCPU (an argument
 * window of 8 hypervisor frames: 2 for arguments, 6 it may copy to and
 * from); d1 and d2 PV guests (and d3 once created), each with a page-table
 * tree l4[0] -> l3[0] -> l2[0] -> l1 loaded on both vCPUs, so that a host
 * mapping at model_va(0, 0, 0, slot) is an entry of that l1.
 *
 * grant_table.c is included here, not linked, so that the checks can read
 * its active entries and map-track tables.  After every step, against an
 * oracle of the live mappings the fuzzer saw succeed:
 *
 *  - every active entry's pin counts are exactly those of the live
 *    mappings of its reference (host/device, read-only/writable), none
 *    negative; its frame and grantee those of the mappings; the table's
 *    count of pinned entries agrees;
 *  - GTF_reading is set in a shared entry exactly while the reference is
 *    pinned, GTF_writing exactly while it is pinned writable;
 *  - each map-track table holds exactly the oracle's live handles;
 *  - a map, copy or unmap that succeeded was allowed: the grant was to
 *    the caller (or already pinned by it), a writable use was of a
 *    writable grant, a non-grant copy frame was the caller's own (or in
 *    dom0's window), offsets and lengths stayed inside the page, the
 *    answer's frame is the granted one; a copy moved exactly the bytes
 *    asked for and nothing else (the destination page and the frame after
 *    it are compared whole), a failed one nothing;
 *  - the PV MMU's invariants (mm_check.c), with the grant code's frame
 *    references declared (each live mapping's, each table frame's own),
 *    and every PTE_GNTTAB entry in a guest's L1 tables accounted for: per
 *    mapper and frame, as many read-only and writable entries as it has
 *    live read-only and writable host mappings;
 *  - query_size, setup_table, set_version, get_version and
 *    get_status_frames answer as documented; a table never has more than
 *    64 frames;
 *  - a dying mapper's mappings are all released; a dying granter's frames
 *    stay while mapped and go once unmapped; at the end, with every
 *    domain destroyed, every frame is back in the heap.
 *
 * The input is a sequence of steps: an opcode byte (% NR_STEPS), then the
 * bytes the step needs (zeros past the end): a guest writes a grant entry
 * or ends one; a batch of map_grant_ref, unmap_grant_ref or copy
 * (perhaps preempted and continued, perhaps from a bad array), by a
 * guest vCPU or dom0's link; setup_table; query_size, set_version,
 * get_version, get_status_frames, a command not offered or malformed; a
 * guest killed or created; dom0's link session ending; a context switch.
 * The step functions give each layout; tests/fuzz/gnttab/make-corpus.py
 * writes seeds in this format.  GNTTAB_TRACE=1 prints every step.
 *
 * Its first runs found two bugs, fixed since (and kept as seeds
 * "unmap-twice" and "copy-bounds"): a writable mapping could be unmapped
 * through a read-only mapping's L1 entry of the same frame, leaving the
 * writable entry without its writable reference; and a copy between
 * overlapping ranges of one page used memcpy.
 */
#include "mm_model.h"

#include "../../../hypervisor/common/grant_table.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct domain *dom0;
DEFINE_SPINLOCK(domlist_lock);

/* As arch/x86_64/mm.c: hypervisor frames from the heap, owned by Xen. */
void *alloc_xenheap_pages(unsigned int order)
{
    struct page_info *pg = alloc_heap_pages(order);

    if (!pg)
        return NULL;
    tlbflush_before_reuse(pg, order);
    for (unsigned long i = 0; i < (1UL << order); i++)
        pg[i].owner = DOMID_XEN;
    return mfn_to_virt(page_to_mfn(pg));
}

void free_xenheap_pages(void *va, unsigned int order)
{
    if (!va)
        return;
    memset(va, 0, PAGE_SIZE << order);
    free_heap_pages(mfn_to_page(virt_to_mfn(va)), order);
}

/* GNTTAB_TRACE=1 in the environment prints every step and its result. */
static int trace = -1;
#define TRACE(...)                                                             \
    do {                                                                       \
        if (trace)                                                             \
            fprintf(stderr, __VA_ARGS__);                                      \
    } while (0)

/* ------------------------------------------------------------ the input */

struct input {
    const uint8_t *p;
    size_t n;
};

static uint8_t u8(struct input *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static uint16_t u16(struct input *in)
{
    return (uint16_t)(u8(in) | u8(in) << 8);
}

/* ----------------------------------------------------------- the world */

#define NR_OWN      12 /* frames each domain starts with */
#define TREE_L4     0  /* their roles: l4, l3, l2, l1, then data */
#define TREE_L1     3
#define FIRST_DATA  4
#define WIN_MFN     0x118UL /* dom0's argument window: 8 hypervisor frames */
#define WIN_PAGES   8
#define WIN_ARGS    2 /* the first two hold hypercall arguments */
#define MAX_HANDLES 1024

struct omap {
    bool live;
    domid_t granter;
    grant_ref_t ref;
    uint16_t flags;
    unsigned long mfn;
    uint64_t host_addr;
};

/* What the fuzzer knows of each domain id's current incarnation. */
static struct world {
    struct domain *d;
    unsigned long l1; /* its tree's l1, or 0 (d0) */
    bool crashed;
    unsigned int hw;               /* handles below this may be live */
    struct omap maps[MAX_HANDLES]; /* by handle */
} w[MODEL_DOMS];

/* Every domain ever created, for the grant tables' final destruction. */
static struct domain *all_doms[64];
static unsigned int nr_all_doms;

static struct vcpu *link_vcpu(void)
{
    return w[0].d ? w[0].d->vcpu[1] : NULL;
}

/* How many live mappings (g, ref) has, how many writable, by whom, of
 * which frame. */
static unsigned int is_mapped_granter(const struct domain *g, grant_ref_t ref,
                                      domid_t *mapper, unsigned int *rw,
                                      unsigned long *mfn)
{
    unsigned int n = 0, nrw = 0;

    for (unsigned int id = 0; id < MODEL_DOMS; id++) {
        if (!w[id].d)
            continue;
        for (unsigned int h = 0; h < w[id].hw; h++) {
            const struct omap *m = &w[id].maps[h];

            if (m->live && m->granter == g->domain_id && m->ref == ref) {
                n++;
                if (!(m->flags & GNTMAP_readonly))
                    nrw++;
                if (mapper)
                    *mapper = (domid_t)id;
                if (mfn)
                    *mfn = m->mfn;
            }
        }
    }
    if (rw)
        *rw = nrw;
    return n;
}

/* The struct domain a granter id names now (live or dying), or NULL. */
static struct domain *dom_of(domid_t id)
{
    return id < MODEL_DOMS ? w[id].d : NULL;
}

/* ------------------------------------------------------ domain set-up */

static void write_entry(struct domain *d, unsigned long mfn, unsigned int s,
                        pte_t e)
{
    if (!model_guest_write(d, mfn, s, e))
        model_fail("d%u cannot write its own frame %#lx", d->domain_id, mfn);
}

static void build_tree(struct world *x)
{
    struct domain *d = x->d;
    unsigned long f[4];
    struct mmuext_op op;

    for (unsigned int i = 0; i < 4; i++)
        f[i] = model_frame(d, TREE_L4 + i);
    write_entry(d, f[3], 0,
                model_pte(model_frame(d, FIRST_DATA), PTE_P | PTE_W));
    write_entry(d, f[2], 0, model_pte(f[3], PTE_P | PTE_W));
    write_entry(d, f[1], 0, model_pte(f[2], PTE_P | PTE_W));
    write_entry(d, f[0], 0, model_pte(f[1], PTE_P | PTE_W));
    op = (struct mmuext_op){.cmd = MMUEXT_PIN_L4_TABLE};
    op.arg1.mfn = f[0];
    if (model_mmuext_op(d->vcpu[0], &op, 1, NULL, DOMID_SELF))
        model_fail("d%u: pinning its tree failed", d->domain_id);
    for (unsigned int v = 0; v < MODEL_VCPUS; v++) {
        op = (struct mmuext_op){.cmd = MMUEXT_NEW_BASEPTR};
        op.arg1.mfn = f[0];
        if (model_mmuext_op(d->vcpu[v], &op, 1, NULL, DOMID_SELF))
            model_fail("d%u: loading its tree failed", d->domain_id);
    }
    x->l1 = f[3];
}

static struct domain *create(domid_t id)
{
    struct world *x = &w[id];
    struct domain *d;

    if (model_domain(id) || nr_all_doms == ARRAY_SIZE(all_doms))
        return NULL;
    d = model_domain_create(id, id == 0, NR_OWN);
    if (!d)
        return NULL;
    all_doms[nr_all_doms++] = d;
    memset(x, 0, sizeof(*x));
    x->d = d;
    if (grant_table_init(d))
        model_fail("d%u: grant_table_init failed", id);
    if (id == 0) {
        dom0 = d;
        d->vcpu[1]->link_window_maddr = WIN_MFN << PAGE_SHIFT;
        d->vcpu[1]->link_window_size = WIN_PAGES * PAGE_SIZE;
    } else {
        build_tree(x);
    }
    return d;
}

/* Between "dying" and the relinquish, and after it, as domain_kill(). */
static void kill_hook(struct domain *d, bool relinquished)
{
    struct world *x = &w[d->domain_id];

    if (!relinquished) {
        gnttab_release_mappings(d);
        if (d->grant_table->nr_maps)
            model_fail("d%u dying with %lu grant mappings left", d->domain_id,
                       d->grant_table->nr_maps);
        for (unsigned int h = 0; h < x->hw; h++)
            x->maps[h].live = false;
    } else {
        gnttab_domain_dying(d);
    }
}

static const char *crash_ok; /* why a crash is expected now, or NULL */

static void crash_hook(struct domain *d, const char *why)
{
    if (!crash_ok)
        model_fail("d%u crashed unexpectedly (%s)", d->domain_id, why);
    TRACE("d%u crashed (%s): %s\n", d->domain_id, why, crash_ok);
    w[d->domain_id].crashed = true;
}

static void kill(struct domain *d)
{
    model_domain_kill(d);
}

/* ----------------------------------------------------- argument memory */

static unsigned long win_used;

static void args_reset(void)
{
    model_guest_reset();
    win_used = 0;
}

/* n bytes of argument memory as v sees it (zeroed). */
static void *arg_alloc(struct vcpu *v, size_t n)
{
    void *p;

    if (!is_link_vcpu(v))
        return model_guest_alloc(n);
    n = (n + 15) & ~(size_t)15;
    if (win_used + n > WIN_ARGS * PAGE_SIZE)
        model_fail("window arguments exhausted");
    p = mfn_to_virt(WIN_MFN) + win_used;
    win_used += n;
    memset(p, 0, n);
    return p;
}

/* The guest address of argument memory p. */
static unsigned long arg_addr(struct vcpu *v, const void *p)
{
    if (!is_link_vcpu(v))
        return model_gaddr(p);
    return (WIN_MFN << PAGE_SHIFT) +
           (unsigned long)((const uint8_t *)p -
                           (uint8_t *)mfn_to_virt(WIN_MFN));
}

/* A bad argument address for v. */
static unsigned long bad_addr(struct vcpu *v, uint8_t b)
{
    static const unsigned long bad[4] = {MODEL_BAD_GADDR, 0,
                                         0xffff800000000000UL, 1UL << 47};

    if (is_link_vcpu(v) && (b & 4))
        return (WIN_MFN + WIN_PAGES) << PAGE_SHIFT; /* past the window */
    return bad[b & 3];
}

static long gnttab_op(struct vcpu *v, unsigned int cmd, unsigned long uop,
                      unsigned int count, uint8_t preempt)
{
    long rc;

    model_preempt_every =
        !is_link_vcpu(v) && (preempt & 1) ? 1 + ((preempt >> 1) & 3) : 0;
    rc = model_call3(v, do_grant_table_op, cmd, uop, count);
    model_preempt_every = 0;
    return rc;
}

static long cont_hook(unsigned long op, const unsigned long a[5])
{
    if (op != __HYPERVISOR_grant_table_op)
        model_fail("continuation of hypercall %lu", op);
    return do_grant_table_op(a[0], a[1], a[2]);
}

/* --------------------------------------------------------- selectors */

/* The issuing vCPU: d0's link vCPU, or a PV guest's vCPU 0 or 1. */
static struct vcpu *issuer(struct input *in)
{
    uint8_t b = u8(in);
    struct domain *d;

    if ((b & 3) == 0)
        return link_vcpu();
    d = model_domain(b & 3);
    if (!d || d->state != DOMSTATE_active)
        return NULL;
    return d->vcpu[(b >> 4) & 1];
}

static domid_t domid_sel(uint8_t b, const struct vcpu *v)
{
    switch (b >> 5) {
    case 0:
        return DOMID_SELF;
    case 1:
        return v ? v->domain->domain_id : 1;
    case 7:
        return (b & 1) ? DOMID_INVALID : 7 + (b & 0x1f);
    default:
        return b & 3;
    }
}

/* A grant reference: mostly small, sometimes at or past a table's end. */
static grant_ref_t ref_sel(uint8_t b)
{
    static const grant_ref_t odd[16] = {
        511,   512,   513,        1023,       1024,       2047, 2048, 32767,
        32768, 65535, 0x7fffffff, 0x80000000, 0xffffffff, 4095, 4096, 600};

    return b < 0xf0 ? b & 0x1f : odd[b & 15];
}

/* A machine frame as a guest names it in a grant entry or a copy. */
static unsigned long frame_sel(uint8_t b, const struct domain *self)
{
    const struct domain *d;

    switch (b >> 5) {
    case 0:
    case 1:
    case 2:
        return model_frame(self, FIRST_DATA + (b & 7) % (NR_OWN - FIRST_DATA));
    case 3: /* one of its page-table frames */
        return model_frame(self, b & 3);
    case 4:
        d = model_domain(b & 3);
        return d ? model_frame(d, FIRST_DATA + ((b >> 2) & 7)) : 0;
    case 5: /* (never a grant-table frame: the checks need the guests to
             * leave GTF_reading/writing alone) */
        d = model_domain(b & 3);
        return d ? model_shared_info_mfn(d) : 0;
    case 6: /* dom0's copy frames, or just past its window */
        return (b & 7) == 7
                   ? WIN_MFN + WIN_PAGES
                   : WIN_MFN + WIN_ARGS + (b & 7) % (WIN_PAGES - WIN_ARGS);
    default:
        return (b & 1) ? MODEL_FRAMES + (b & 15) : ~0UL >> (PAGE_SHIFT + 8);
    }
}

/* A host address for a mapping: an l1 slot of the tree, or worse. */
static uint64_t host_addr_sel(uint8_t b, const struct vcpu *v)
{
    if (v && is_link_vcpu(v))
        return (uint64_t)b << 12;
    if (b < 0xe0)
        return model_va(0, 0, 0, b & 0x3f);
    switch (b & 7) {
    case 0:
        return 0;
    case 1:
        return model_va(1, 0, 0, 0); /* no l1 there */
    case 2:
        return model_va(0, 0, 0, 5) | 0x123; /* not page aligned */
    case 3:
        return 0xffff800000000000UL; /* the hypervisor's */
    case 4:
        return 1UL << 47; /* not canonical */
    default:
        return model_va(0, 0, 0, 511);
    }
}

static unsigned int l1_slot(uint64_t va)
{
    return (unsigned int)((va >> PAGE_SHIFT) & 511);
}

/* The shared entry of (g, ref), if the fuzzer may look at it. */
static grant_entry_v1_t *entry_of(const struct domain *g, grant_ref_t ref)
{
    struct grant_table *gt = g ? g->grant_table : NULL;

    if (!gt || gt->frames_released || ref >= nr_entries(gt))
        return NULL;
    return shared_entry(gt, ref);
}

/* ------------------------------------------------------- guest's grants */

/*
 * A guest writes a grant entry: grantee, frame and flags (permit_access,
 * perhaps read-only, or another type, or sub_page), keeping the
 * hypervisor's GTF_reading/GTF_writing bits as a well-behaved guest's
 * compare-exchange would; it may change an entry that is in use.
 *   [dom] [ref] [grantee] [frame] [flags]
 */
static void step_grant(struct input *in)
{
    struct domain *g = model_domain(u8(in) & 3);
    grant_ref_t ref = ref_sel(u8(in));
    uint8_t gb = u8(in), fb = u8(in), fl = u8(in);
    grant_entry_v1_t *e;
    uint16_t flags, old;
    domid_t grantee;
    unsigned long frame;

    if (!g || !(e = entry_of(g, ref)))
        return;
    grantee = gb < 0xc0 ? gb & 3 : domid_sel(gb, NULL);
    frame = frame_sel(fb, g);
    flags = (fl & 0x80) ? (fl & GTF_type_mask) : GTF_permit_access;
    if (fl & 1)
        flags |= GTF_readonly;
    if (fl & 2)
        flags |= GTF_sub_page;
    if (fl & 4)
        flags |= GTF_PWT;
    e->frame = (uint32_t)frame;
    e->domid = grantee;
    old = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
    while (!__atomic_compare_exchange_n(
        &e->flags, &old,
        (uint16_t)(flags | (old & (GTF_reading | GTF_writing))), false,
        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        ;
    TRACE("d%u grants ref %u to d%u: frame %#lx flags %#x\n", g->domain_id, ref,
          grantee, frame, flags);
}

/* The guest ends a grant as Linux does: flags to 0 unless in use.
 *   [dom] [ref] */
static void step_end_grant(struct input *in)
{
    struct domain *g = model_domain(u8(in) & 3);
    grant_ref_t ref = ref_sel(u8(in));
    grant_entry_v1_t *e;
    uint16_t old;

    if (!g || !(e = entry_of(g, ref)))
        return;
    old = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
    if (old & (GTF_reading | GTF_writing)) {
        if (!is_mapped_granter(g, ref, NULL, NULL, NULL))
            model_fail("d%u ref %u: flags %#x with nothing mapped",
                       g->domain_id, ref, old);
        TRACE("d%u cannot end ref %u: in use\n", g->domain_id, ref);
        return;
    }
    __atomic_compare_exchange_n(&e->flags, &old, 0, false, __ATOMIC_ACQ_REL,
                                __ATOMIC_ACQUIRE);
    TRACE("d%u ends ref %u\n", g->domain_id, ref);
}

/* ------------------------------------------------------------ mapping */

struct snap {
    bool have;
    grant_entry_v1_t e;
    unsigned int pins; /* live mappings of the reference */
    unsigned int rw;   /* writable ones */
    domid_t pinner;    /* their mapper */
    unsigned long mfn; /* their frame, or the granted one */
};

static void snap_entry(struct snap *s, const struct domain *g, grant_ref_t ref)
{
    grant_entry_v1_t *e = entry_of(g, ref);

    memset(s, 0, sizeof(*s));
    if (!e)
        return;
    s->have = true;
    s->e = *e;
    s->pins = is_mapped_granter(g, ref, &s->pinner, &s->rw, &s->mfn);
    if (!s->pins)
        s->mfn = s->e.frame;
}

/*
 * Whether caller may pin (g, ref) for this use, given the entry and pins
 * before the call: the first pin needs a grant to it of the right type,
 * later ones that it is the pinner; a writable use with no writable pin
 * yet needs the entry writable now.
 */
static const char *pin_refused(const struct snap *s, domid_t caller, bool ro,
                               bool mapping)
{
    uint16_t mask = GTF_type_mask | (mapping ? GTF_sub_page : 0);

    if (!s->have)
        return "no such entry";
    if (s->pins) {
        if (s->pinner != caller)
            return "pinned by another domain";
    } else if ((s->e.flags & mask) != GTF_permit_access) {
        return "not a grant (of this kind)";
    } else if (s->e.domid != caller) {
        return "granted to another domain";
    }
    if (!ro && !s->rw && (s->e.flags & GTF_readonly))
        return "a writable use of a read-only grant";
    return NULL;
}

/*
 * map_grant_ref batch:
 *   [issuer] [n] then per op [dom] [ref] [flags] [host_addr] and
 *   [preempt]; n bit 7 makes the array address bad.
 */
static void step_map(struct input *in)
{
    struct vcpu *v = issuer(in);
    uint8_t nb = u8(in);
    unsigned int n = 1 + (nb & 3);
    struct gnttab_map_grant_ref *ops;
    struct snap s[4];
    struct domain *g[4];
    unsigned long uop;
    long rc;

    if (!v)
        return;
    args_reset();
    ops = arg_alloc(v, n * sizeof(*ops));
    crash_ok = NULL;
    for (unsigned int i = 0; i < n; i++) {
        domid_t dom = domid_sel(u8(in), v);
        uint8_t fl = u8(in);

        ops[i].dom = dom;
        ops[i].ref = ref_sel(u8(in));
        ops[i].flags = fl & 0x1f;
        if (fl & 0x20)
            ops[i].flags = GNTMAP_host_map | (fl & GNTMAP_readonly);
        if (fl & 0x40)
            ops[i].flags |= 0x100 | (uint32_t)fl << 16; /* ignored bits */
        ops[i].host_addr = host_addr_sel(u8(in), v);
        ops[i].dev_bus_addr = 0xdeadbeef;
        /* Mapping over a grant mapping crashes the guest, as on Xen: one
         * there now, or one an earlier op of the batch may put there. */
        if (!is_link_vcpu(v) && (ops[i].flags & GNTMAP_host_map) &&
            ops[i].host_addr < (1UL << 21)) {
            unsigned int slot = l1_slot(ops[i].host_addr);

            if (model_table(w[v->domain->domain_id].l1)[slot] & PTE_GNTTAB)
                crash_ok = "a grant mapped over a grant mapping";
            for (unsigned int j = 0; j < i; j++)
                if ((ops[j].flags & GNTMAP_host_map) &&
                    ops[j].host_addr < (1UL << 21) &&
                    l1_slot(ops[j].host_addr) == slot)
                    crash_ok = "a grant mapped over a grant mapping";
        }
    }
    uop = (nb & 0x80) ? bad_addr(v, nb) : arg_addr(v, ops);
    rc = gnttab_op(v, GNTTABOP_map_grant_ref, uop, n, u8(in));
    TRACE("d%u%s map x%u at %#lx -> %ld\n", v->domain->domain_id,
          is_link_vcpu(v) ? " link" : "", n, uop, rc);
    if (nb & 0x80) {
        if (rc != -XEN_EFAULT)
            model_fail("map_grant_ref of a bad array: %ld", rc);
        crash_ok = NULL;
        return;
    }
    if (rc)
        model_fail("map_grant_ref of a good array: %ld", rc);

    /* Replay the batch against the oracle, in order. */
    for (unsigned int i = 0; i < n; i++) {
        struct gnttab_map_grant_ref *op = &ops[i];
        domid_t caller = v->domain->domain_id;
        domid_t gid = op->dom;
        bool ro = op->flags & GNTMAP_readonly;
        const char *why;
        struct omap *m;

        g[i] = gid < MODEL_DOMS ? model_domain(gid) : NULL;
        TRACE("  [%u] d%u ref %u flags %#x at %#lx -> %d handle %#x mfn "
              "%#lx\n",
              i, gid, op->ref, op->flags, (unsigned long)op->host_addr,
              op->status, op->handle,
              (unsigned long)(op->dev_bus_addr >> PAGE_SHIFT));
        if (op->status != GNTST_okay)
            continue;
        if (!g[i] || g[i]->state != DOMSTATE_active)
            model_fail("map of d%u (not a live domain) succeeded", gid);
        snap_entry(&s[i], g[i], op->ref);
        /* s[i] is after the call: undo this op's own pin for the check. */
        if (!(op->flags & (GNTMAP_host_map | GNTMAP_device_map)))
            model_fail("map with neither host_map nor device_map");
        if (op->handle >= MAX_HANDLES)
            model_fail("handle %#x out of the fuzzer's range", op->handle);
        m = &w[caller].maps[op->handle];
        if (m->live)
            model_fail("d%u got live handle %#x again", caller, op->handle);
        if ((uint64_t)s[i].mfn << PAGE_SHIFT != op->dev_bus_addr)
            model_fail("map answered frame %#lx, the grant's is %#lx",
                       (unsigned long)(op->dev_bus_addr >> PAGE_SHIFT),
                       s[i].mfn);
        if (s[i].pins) {
            /* Earlier pins (the oracle's, before this op's). */
            if (s[i].pinner != caller)
                model_fail("d%u mapped d%u ref %u pinned by d%u", caller, gid,
                           op->ref, s[i].pinner);
        } else {
            /* The first pin: the grant must be to the caller, as a map. */
            struct snap first = s[i];

            first.e.flags &= (uint16_t) ~(GTF_reading | GTF_writing);
            if ((why = pin_refused(&first, caller, ro, true)))
                model_fail("d%u mapped d%u ref %u (flags %#x domid %u): %s",
                           caller, gid, op->ref, s[i].e.flags, s[i].e.domid,
                           why);
            if (s[i].mfn != s[i].e.frame)
                model_fail("d%u ref %u pinned frame %#lx, granted %#x", gid,
                           op->ref, s[i].mfn, s[i].e.frame);
        }
        if (!ro && !s[i].rw && (s[i].e.flags & GTF_readonly))
            model_fail("d%u mapped read-only d%u ref %u writable", caller, gid,
                       op->ref);
        if (!is_link_vcpu(v) && (op->flags & GNTMAP_host_map) &&
            (op->flags & GNTMAP_contains_pte))
            model_fail("a contains_pte mapping succeeded");
        m->live = true;
        if (op->handle >= w[caller].hw)
            w[caller].hw = op->handle + 1;
        m->granter = gid;
        m->ref = op->ref;
        m->flags = op->flags & 0xff;
        m->mfn = s[i].mfn;
        m->host_addr = op->host_addr;
    }
    crash_ok = NULL;
}

/* The live handle of v's domain numbered b (among its live ones), or b. */
static uint32_t handle_sel(uint8_t b, const struct vcpu *v)
{
    const struct world *x = &w[v->domain->domain_id];
    unsigned int n = 0, k;

    if (b & 0x80)
        return b & 0x40 ? 0xffffffffU - (b & 7) : (b & 0x3f) + 1000;
    for (unsigned int h = 0; h < x->hw; h++)
        n += x->maps[h].live;
    if (!n)
        return b & 7;
    k = (b & 0x7f) % n;
    for (unsigned int h = 0; h < x->hw; h++)
        if (x->maps[h].live && !k--)
            return h;
    return 0;
}

/*
 * unmap_grant_ref batch:
 *   [issuer] [n] then per op [handle] [how] and [preempt]; how picks the
 *   host address (the mapping's, another live mapping's, one of ours, 0)
 *   and the dev_bus_addr (0, the mapping's, another).
 */
static void step_unmap(struct input *in)
{
    struct vcpu *v = issuer(in);
    uint8_t nb = u8(in);
    unsigned int n = 1 + (nb & 3);
    struct gnttab_unmap_grant_ref *ops;
    struct omap before[4];
    pte_t pte_before[4];
    struct world *x;
    unsigned long uop;
    long rc;

    if (!v)
        return;
    x = &w[v->domain->domain_id];
    args_reset();
    ops = arg_alloc(v, n * sizeof(*ops));
    for (unsigned int i = 0; i < n; i++) {
        uint8_t how = u8(in);
        uint32_t h = handle_sel(u8(in), v);
        const struct omap *m = h < MAX_HANDLES ? &x->maps[h] : NULL;
        uint8_t other = u8(in);

        ops[i].handle = h;
        switch (how & 3) {
        case 0:
            ops[i].host_addr = m ? m->host_addr : 0;
            break;
        case 1: {
            uint32_t h2 = handle_sel(other, v);

            ops[i].host_addr = h2 < MAX_HANDLES ? x->maps[h2].host_addr : 0;
            break;
        }
        case 2:
            ops[i].host_addr = host_addr_sel(other, v);
            break;
        default:
            ops[i].host_addr = 0;
            break;
        }
        switch ((how >> 2) & 3) {
        case 1:
            ops[i].dev_bus_addr = m ? (uint64_t)m->mfn << PAGE_SHIFT : 0;
            break;
        case 2:
            ops[i].dev_bus_addr = (uint64_t)frame_sel(other, v->domain)
                                  << PAGE_SHIFT;
            break;
        default:
            ops[i].dev_bus_addr = 0;
            break;
        }
        ops[i].status = 0x55;
    }
    uop = (nb & 0x80) ? bad_addr(v, nb) : arg_addr(v, ops);
    /* The batch's handles may repeat: replay in order below. */
    for (unsigned int i = 0; i < n; i++) {
        before[i] = ops[i].handle < MAX_HANDLES ? x->maps[ops[i].handle]
                                                : (struct omap){0};
        pte_before[i] = 0;
        if (!is_link_vcpu(v) && l1_slot(ops[i].host_addr) < 512)
            pte_before[i] = model_table(x->l1)[l1_slot(ops[i].host_addr)];
    }
    rc = gnttab_op(v, GNTTABOP_unmap_grant_ref, uop, n, u8(in));
    TRACE("d%u%s unmap x%u -> %ld\n", v->domain->domain_id,
          is_link_vcpu(v) ? " link" : "", n, rc);
    if (nb & 0x80) {
        if (rc != -XEN_EFAULT)
            model_fail("unmap_grant_ref of a bad array: %ld", rc);
        return;
    }
    if (rc)
        model_fail("unmap_grant_ref of a good array: %ld", rc);
    for (unsigned int i = 0; i < n; i++) {
        struct gnttab_unmap_grant_ref *op = &ops[i];
        struct omap *m;

        TRACE("  [%u] handle %#x at %#lx bus %#lx -> %d\n", i, op->handle,
              (unsigned long)op->host_addr, (unsigned long)op->dev_bus_addr,
              op->status);
        if (op->status == 0x55)
            model_fail("unmap left a status unwritten");
        if (op->status != GNTST_okay)
            continue;
        if (op->handle >= MAX_HANDLES || !(m = &x->maps[op->handle])->live)
            model_fail("unmap of handle %#x (not live) succeeded", op->handle);
        if (op->dev_bus_addr && op->dev_bus_addr != (uint64_t)m->mfn
                                                        << PAGE_SHIFT)
            model_fail("unmap with a wrong dev_bus_addr succeeded");
        if (m->flags & GNTMAP_host_map) {
            if (is_link_vcpu(v)) {
                if (op->host_addr != m->host_addr)
                    model_fail("dom0 unmapped with another host_addr");
            } else {
                /* The entry it cleared mapped the frame (once, in a batch
                 * that did not clear it already). */
                pte_t pb = pte_before[i];

                for (unsigned int j = 0; j < i; j++)
                    if (ops[j].status == GNTST_okay &&
                        (before[j].flags & GNTMAP_host_map) &&
                        l1_slot(ops[j].host_addr) == l1_slot(op->host_addr) &&
                        (ops[j].host_addr >> 21) == (op->host_addr >> 21))
                        model_fail("one l1 entry unmapped twice in a batch");
                if (!(pb & PTE_GNTTAB) ||
                    ((pb & PTE_ADDR_MASK) >> PAGE_SHIFT) != m->mfn)
                    model_fail("unmap at %#lx cleared %#lx, not a grant of "
                               "%#lx",
                               (unsigned long)op->host_addr, (unsigned long)pb,
                               m->mfn);
                if (model_table(x->l1)[l1_slot(op->host_addr)])
                    model_fail("unmap left the l1 entry %#lx",
                               (unsigned long)model_table(
                                   x->l1)[l1_slot(op->host_addr)]);
            }
        }
        m->live = false;
    }
}

/* ------------------------------------------------------------- copying */

struct copy_side {
    const char *refused; /* why the oracle refuses it, or NULL */
    uint8_t *virt;       /* its page, when allowed */
    unsigned long mfn;
};

static void copy_side(const struct gnttab_copy_ptr *p, bool gref, bool ro,
                      struct vcpu *v, struct copy_side *c)
{
    domid_t caller = v->domain->domain_id;

    memset(c, 0, sizeof(*c));
    if (gref) {
        domid_t gid = p->domid == DOMID_SELF ? caller : p->domid;
        struct domain *g = gid < MODEL_DOMS ? model_domain(gid) : NULL;
        struct snap s;

        if (!g || g->state != DOMSTATE_active) {
            c->refused = "no such live domain";
            return;
        }
        snap_entry(&s, g, p->u.ref);
        c->refused = pin_refused(&s, caller, ro, false);
        if (!c->refused) {
            c->mfn = s.mfn;
            if (c->mfn >= MODEL_FRAMES)
                c->refused = "a frame past the frame table";
        }
    } else if (p->domid != DOMID_SELF) {
        c->refused = "a frame of another domain";
    } else if (is_link_vcpu(v)) {
        c->mfn = p->u.gmfn;
        if (p->u.gmfn < WIN_MFN || p->u.gmfn >= WIN_MFN + WIN_PAGES)
            c->refused = "a frame outside dom0's window";
    } else {
        c->mfn = p->u.gmfn;
        if (c->mfn >= MODEL_FRAMES || mfn_to_page(c->mfn)->owner != caller ||
            mfn_to_page(c->mfn)->state != PGS_inuse)
            c->refused = "a frame not the caller's";
    }
    if (!c->refused)
        c->virt = mfn_to_virt(c->mfn);
}

static void copy_ptr(struct input *in, struct gnttab_copy_ptr *p, bool *gref,
                     struct vcpu *v)
{
    uint8_t b = u8(in), c = u8(in);

    *gref = b & 1;
    p->domid = (b & 2) ? DOMID_SELF : domid_sel(c, v);
    if (*gref)
        p->u.ref = ref_sel(u8(in));
    else
        p->u.gmfn = frame_sel(u8(in), v->domain);
    p->offset = (b & 0x80) ? u16(in) : (uint16_t)((b >> 2) & 0x1f) * 128;
}

/*
 * GNTTABOP_copy: [issuer] [n] then per segment [source] [dest] [len]
 * [flags-extra], and [preempt]; each pointer is [kind] [domid] [ref or
 * frame] and maybe [offset u16].  A single segment's effect on memory is
 * checked byte for byte.
 */
static void step_copy(struct input *in)
{
    static uint8_t src_snap[PAGE_SIZE], dst_snap[2][PAGE_SIZE];
    static const uint16_t lens[8] = {0, 1, 8, 64, 100, 1024, 4095, 4096};
    struct vcpu *v = issuer(in);
    uint8_t nb = u8(in);
    unsigned int n = 1 + (nb & 1);
    struct gnttab_copy *ops;
    struct copy_side src, dst;
    unsigned long uop, dmfn = 0;
    bool next_page = false;
    long rc;

    if (!v)
        return;
    args_reset();
    ops = arg_alloc(v, n * sizeof(*ops));
    for (unsigned int i = 0; i < n; i++) {
        bool sg, dg;
        uint8_t lb, xb;

        copy_ptr(in, &ops[i].source, &sg, v);
        copy_ptr(in, &ops[i].dest, &dg, v);
        lb = u8(in);
        xb = u8(in);
        ops[i].len =
            (lb & 0x80) ? (uint16_t)(lens[lb & 7] + (xb & 0x3f)) : lens[lb & 7];
        ops[i].flags = (sg ? GNTCOPY_source_gref : 0) |
                       (dg ? GNTCOPY_dest_gref : 0) |
                       ((xb & 0x40) ? 0x10 : 0); /* unknown flag bits */
        ops[i].status = 0x55;
    }
    /* One segment: what it may do, and the memory it may touch. */
    if (n == 1) {
        const struct gnttab_copy *op = &ops[0];

        copy_side(&op->source, op->flags & GNTCOPY_source_gref, true, v, &src);
        copy_side(&op->dest, op->flags & GNTCOPY_dest_gref, false, v, &dst);
        if (src.virt && op->source.offset < PAGE_SIZE)
            memcpy(src_snap + op->source.offset, src.virt + op->source.offset,
                   PAGE_SIZE - op->source.offset);
        if (dst.virt) {
            dmfn = dst.mfn;
            memcpy(dst_snap[0], dst.virt, PAGE_SIZE);
            /* (not the hypervisor's own pages: its active entries keep
             * the last pinner and frame) */
            next_page = dmfn + 1 < MODEL_FRAMES &&
                        mfn_to_page(dmfn + 1)->owner != DOMID_XEN;
            if (next_page)
                memcpy(dst_snap[1], mfn_to_virt(dmfn + 1), PAGE_SIZE);
        }
    }
    uop = (nb & 0x80) ? bad_addr(v, nb) : arg_addr(v, ops);
    rc = gnttab_op(v, GNTTABOP_copy, uop, n, u8(in));
    TRACE("d%u%s copy x%u -> %ld\n", v->domain->domain_id,
          is_link_vcpu(v) ? " link" : "", n, rc);
    if (nb & 0x80) {
        if (rc != -XEN_EFAULT)
            model_fail("copy of a bad array: %ld", rc);
        return;
    }
    if (rc)
        model_fail("copy of a good array: %ld", rc);
    for (unsigned int i = 0; i < n; i++) {
        const struct gnttab_copy *op = &ops[i];

        TRACE("  [%u] %s d%u %#lx+%u -> %s d%u %#lx+%u len %u -> %d\n", i,
              op->flags & GNTCOPY_source_gref ? "ref" : "frame",
              op->source.domid, (unsigned long)op->source.u.gmfn,
              op->source.offset,
              op->flags & GNTCOPY_dest_gref ? "ref" : "frame", op->dest.domid,
              (unsigned long)op->dest.u.gmfn, op->dest.offset, op->len,
              op->status);
        if (op->status == 0x55)
            model_fail("copy left a status unwritten");
        if (op->status != GNTST_okay)
            continue;
        if ((unsigned int)op->source.offset + op->len > PAGE_SIZE ||
            (unsigned int)op->dest.offset + op->len > PAGE_SIZE)
            model_fail("a copy past a page's end succeeded (%u+%u, %u+%u)",
                       op->source.offset, op->len, op->dest.offset, op->len);
        if (n == 1 && (src.refused || dst.refused))
            model_fail("a copy succeeded that must fail: %s",
                       src.refused ? src.refused : dst.refused);
    }
    if (n != 1 || !dst.virt)
        return;
    /* Exactly the bytes asked for moved, and nothing else changed. */
    if (ops[0].status == GNTST_okay) {
        if (memcmp(dst.virt + ops[0].dest.offset,
                   src_snap + ops[0].source.offset, ops[0].len))
            model_fail("the copy's destination does not hold the source");
        memcpy(dst_snap[0] + ops[0].dest.offset,
               src_snap + ops[0].source.offset, ops[0].len);
    }
    if (memcmp(dst.virt, dst_snap[0], PAGE_SIZE))
        model_fail("a copy changed bytes outside its destination");
    if (next_page && memcmp(mfn_to_virt(dmfn + 1), dst_snap[1], PAGE_SIZE)) {
        const uint8_t *p = mfn_to_virt(dmfn + 1);
        unsigned int i = 0;

        while (p[i] == dst_snap[1][i])
            i++;
        model_fail("a copy to %#lx changed byte %u of the page after it "
                   "(owner %u)",
                   dmfn, i, mfn_to_page(dmfn + 1)->owner);
    }
}

/* ---------------------------------------------------- table operations */

/* setup_table: [issuer] [dom] [nr] [how]; how bit 0 a bad frame list,
 * bit 1 count 2, bit 7 a bad argument address. */
static void step_setup(struct input *in)
{
    static const uint32_t nrs[16] = {0,  1,  2,  3,   4, 8, 16,         32,
                                     63, 64, 65, 128, 1, 2, 0xffffffff, 5};
    struct vcpu *v = issuer(in);
    domid_t dom;
    uint8_t nb, how;
    struct gnttab_setup_table *op;
    xen_pfn_t *list;
    struct domain *d;
    unsigned int before;
    long rc;

    if (!v)
        return;
    dom = domid_sel(u8(in), v);
    nb = u8(in);
    how = u8(in);
    args_reset();
    op = arg_alloc(v, sizeof(*op));
    list = arg_alloc(v, 65 * sizeof(*list));
    op->dom = dom;
    op->nr_frames = nrs[nb & 15];
    op->status = 0x55;
    if (how & 1)
        set_xen_guest_handle(op->frame_list,
                             (xen_pfn_t *)bad_addr(v, how >> 1));
    else
        set_xen_guest_handle(op->frame_list, (xen_pfn_t *)arg_addr(v, list));
    d = dom == DOMID_SELF ? v->domain : dom_of(dom);
    before = d && d->grant_table ? d->grant_table->nr_frames : 0;
    rc = gnttab_op(v, GNTTABOP_setup_table,
                   (how & 0x80) ? bad_addr(v, how) : arg_addr(v, op),
                   (how & 2) ? 2 : 1, 0);
    TRACE("d%u setup_table(d%u, %u) -> %ld status %d\n", v->domain->domain_id,
          dom, op->nr_frames, rc, op->status);
    if (how & 2) {
        if (rc != -XEN_EINVAL)
            model_fail("setup_table with count 2: %ld", rc);
        return;
    }
    if (how & 0x80)
        return;
    if (d && d->grant_table && d->grant_table->nr_frames > GNTTAB_MAX_FRAMES)
        model_fail("d%u has %u grant frames", d->domain_id,
                   d->grant_table->nr_frames);
    if (rc || op->status != GNTST_okay)
        return;
    if (!d || d->state != DOMSTATE_active)
        model_fail("setup_table of a domain not live succeeded");
    if (d != v->domain && !v->domain->is_privileged)
        model_fail("setup_table of another domain by d%u succeeded",
                   v->domain->domain_id);
    if (op->nr_frames > GNTTAB_MAX_FRAMES ||
        d->grant_table->nr_frames < op->nr_frames ||
        d->grant_table->nr_frames < before)
        model_fail("setup_table(%u): the table has %u frames (had %u)",
                   op->nr_frames, d->grant_table->nr_frames, before);
    for (unsigned int i = 0; i < op->nr_frames && !(how & 1); i++)
        if (list[i] != virt_to_mfn(d->grant_table->shared[i]) ||
            mfn_to_page(list[i])->owner != d->domain_id)
            model_fail("setup_table frame %u: %#lx", i, (unsigned long)list[i]);
}

/* query_size, set_version, get_version, get_status_frames, an unknown
 * command or one with high bits: [issuer] [which] [dom] [arg] */
static void step_table_op(struct input *in)
{
    struct vcpu *v = issuer(in);
    uint8_t which, db, arg;
    domid_t dom;
    struct domain *d;
    bool allowed;
    long rc;

    if (!v)
        return;
    which = u8(in);
    db = u8(in);
    arg = u8(in);
    dom = domid_sel(db, v);
    d = dom == DOMID_SELF ? v->domain : dom_of(dom);
    allowed = d && d->state == DOMSTATE_active &&
              (d == v->domain || v->domain->is_privileged);
    args_reset();
    switch (which % 6) {
    case 0: {
        struct gnttab_query_size *op = arg_alloc(v, sizeof(*op));

        op->dom = dom;
        op->status = 0x55;
        rc = gnttab_op(v, GNTTABOP_query_size, arg_addr(v, op), arg & 1 ? 0 : 1,
                       0);
        TRACE("d%u query_size(d%u) -> %ld status %d %u/%u\n",
              v->domain->domain_id, dom, rc, op->status, op->nr_frames,
              op->max_nr_frames);
        if (arg & 1) {
            if (rc != -XEN_EINVAL)
                model_fail("query_size count 0: %ld", rc);
            break;
        }
        if (rc || (op->status == GNTST_okay) != allowed)
            model_fail("query_size(d%u) by d%u: %ld status %d", dom,
                       v->domain->domain_id, rc, op->status);
        if (allowed && (op->nr_frames != d->grant_table->nr_frames ||
                        op->max_nr_frames != GNTTAB_MAX_FRAMES))
            model_fail("query_size: %u of %u", op->nr_frames,
                       op->max_nr_frames);
        break;
    }
    case 1: {
        struct gnttab_set_version *op = arg_alloc(v, sizeof(*op));
        uint32_t ver = arg < 0xf0 ? arg % 4 : 0xffffffffU - (arg & 15);

        op->version = ver;
        rc = gnttab_op(v, GNTTABOP_set_version, arg_addr(v, op), 1, 0);
        TRACE("set_version(%u) -> %ld\n", ver, rc);
        if (rc != (ver == 1   ? 0
                   : ver == 2 ? -XEN_ENOSYS
                              : -XEN_EINVAL) ||
            op->version != 1)
            model_fail("set_version(%u): %ld, version %u", ver, rc,
                       op->version);
        break;
    }
    case 2: {
        struct gnttab_get_version *op = arg_alloc(v, sizeof(*op));

        op->dom = dom;
        rc = gnttab_op(v, GNTTABOP_get_version, arg_addr(v, op), 1, 0);
        TRACE("get_version(d%u) -> %ld %u\n", dom, rc, op->version);
        if (allowed ? rc != 0 || op->version != 1 : rc == 0)
            model_fail("get_version(d%u) by d%u: %ld", dom,
                       v->domain->domain_id, rc);
        break;
    }
    case 3: {
        struct gnttab_get_status_frames *op = arg_alloc(v, sizeof(*op));
        uint64_t *list = arg_alloc(v, 8 * sizeof(*list));

        op->dom = dom;
        op->nr_frames = arg & 3 ? arg : 0;
        op->status = 0x55;
        set_xen_guest_handle(op->frame_list, (uint64_t *)arg_addr(v, list));
        rc = gnttab_op(v, GNTTABOP_get_status_frames, arg_addr(v, op), 1, 0);
        TRACE("get_status_frames(d%u, %u) -> %ld status %d\n", dom,
              op->nr_frames, rc, op->status);
        if (rc ||
            (allowed && op->status != (op->nr_frames ? GNTST_general_error
                                                     : GNTST_okay)) ||
            (!allowed && op->status == GNTST_okay))
            model_fail("get_status_frames(d%u, %u) by d%u: %ld status %d", dom,
                       op->nr_frames, v->domain->domain_id, rc, op->status);
        for (unsigned int i = 0; i < 8; i++)
            if (list[i])
                model_fail("get_status_frames wrote a frame");
        break;
    }
    case 4: {
        /* dump_table, transfer, unmap_and_replace, swap_grant_ref,
         * cache_flush, and numbers past them: not offered. */
        static const unsigned int cmds[8] = {GNTTABOP_dump_table,
                                             GNTTABOP_transfer,
                                             GNTTABOP_unmap_and_replace,
                                             GNTTABOP_swap_grant_ref,
                                             GNTTABOP_cache_flush,
                                             13,
                                             0xfff,
                                             42};
        unsigned int cmd = cmds[arg & 7];
        void *buf = arg_alloc(v, 64);

        rc = gnttab_op(v, cmd, arg_addr(v, buf), 1, 0);
        TRACE("grant_table_op %u -> %ld\n", cmd, rc);
        if (rc != -XEN_ENOSYS)
            model_fail("grant_table_op %u: %ld", cmd, rc);
        break;
    }
    default: {
        /* A command with bits above the low 12, or a negative count. */
        void *buf = arg_alloc(v, 64);
        unsigned int cmd = (arg & 7) | (0x1000U << (db & 15));

        rc = gnttab_op(v, (arg & 8) ? GNTTABOP_map_grant_ref : cmd,
                       arg_addr(v, buf), (arg & 8) ? 0x80000000U : 1, 0);
        TRACE("grant_table_op %#x -> %ld\n", cmd, rc);
        if (rc != -XEN_EINVAL)
            model_fail("grant_table_op %#x: %ld", cmd, rc);
        break;
    }
    }
}

/* ------------------------------------------------------ lives, deaths */

/* [dom]: kill d1..d3; d0 is the control domain and stays. */
static void step_kill(struct input *in)
{
    uint8_t b = u8(in);
    struct domain *d = model_domain(1 + b % 3);

    if (d && d->state == DOMSTATE_active) {
        TRACE("kill d%u\n", d->domain_id);
        kill(d);
    }
}

/* [dom]: create d1..d3 if its id is free. */
static void step_create(struct input *in)
{
    uint8_t b = u8(in);

    TRACE("create d%u -> %p\n", 1 + b % 3, (void *)create(1 + b % 3));
}

/* dom0's link session ends: its grant mappings go. */
static void step_session_end(struct input *in)
{
    unsigned long n;

    (void)in;
    if (!w[0].d)
        return;
    n = gnttab_release_session(WIN_MFN << PAGE_SHIFT);
    TRACE("dom0 session ends: %lu mappings released\n", n);
    for (unsigned int h = 0; h < w[0].hw; h++) {
        if (w[0].maps[h].live)
            n--;
        w[0].maps[h].live = false;
    }
    if (n)
        model_fail("session end released a wrong number of mappings");
}

/* A vCPU switches to user mode and back (grant entries are kernel's). */
static void step_schedule(struct input *in)
{
    uint8_t b = u8(in);
    struct vcpu *v = issuer(in);

    if (v && !is_link_vcpu(v))
        model_schedule((b & 0x80) ? NULL : v, b % MODEL_CPUS);
}

/* ----------------------------------------------------------- checking */

/* PTE_GNTTAB l1 entries found by model_check(), per mapper and frame. */
struct l1count {
    domid_t mapper;
    unsigned long mfn;
    unsigned int ro, rw;
};
static struct l1count l1counts[4 * MAX_HANDLES];
static unsigned int nr_l1counts;

static struct l1count *l1count_of(domid_t mapper, unsigned long mfn)
{
    for (unsigned int i = 0; i < nr_l1counts; i++)
        if (l1counts[i].mapper == mapper && l1counts[i].mfn == mfn)
            return &l1counts[i];
    if (nr_l1counts == ARRAY_SIZE(l1counts))
        model_fail("too many grant frames");
    l1counts[nr_l1counts] = (struct l1count){mapper, mfn, 0, 0};
    return &l1counts[nr_l1counts++];
}

static void l1e_hook(const struct domain *owner, unsigned long l1_mfn,
                     unsigned int slot, pte_t e)
{
    struct l1count *c =
        l1count_of(owner->domain_id, (e & PTE_ADDR_MASK) >> PAGE_SHIFT);

    (void)l1_mfn, (void)slot;
    if (!(e & PTE_NX))
        model_fail("grant l1 entry %#lx is executable", (unsigned long)e);
    if (e & PTE_W)
        c->rw++;
    else
        c->ro++;
}

static void extra_refs_hook(void)
{
    nr_l1counts = 0;
    for (unsigned int id = 0; id < MODEL_DOMS; id++) {
        struct domain *d = model_domain(id);
        struct grant_table *gt = d ? d->grant_table : NULL;

        if (!gt)
            continue;
        /* The table's own reference on each of its frames. */
        if (!gt->frames_released)
            for (unsigned int f = 0; f < gt->nr_frames; f++)
                model_expect_ref(virt_to_mfn(gt->shared[f]), false, 0,
                                 "grant frame of d", id);
        /* Each live mapping's: one per host and per device mapping. */
        for (unsigned int h = 0; h < w[id].hw; h++) {
            const struct omap *m = &w[id].maps[h];
            unsigned int k;

            if (!m->live)
                continue;
            k = !!(m->flags & GNTMAP_host_map) +
                !!(m->flags & GNTMAP_device_map);
            while (k--)
                model_expect_ref(m->mfn, !(m->flags & GNTMAP_readonly),
                                 PGT_writable, "grant mapping of d", id);
        }
    }
}

static void check_l1counts(void)
{
    /* Every PV host mapping's l1 entry, and no other. */
    for (unsigned int id = 1; id < MODEL_DOMS; id++) {
        if (!w[id].d || w[id].d->state != DOMSTATE_active)
            continue;
        for (unsigned int h = 0; h < w[id].hw; h++) {
            const struct omap *m = &w[id].maps[h];
            struct l1count *c;

            if (!m->live || !(m->flags & GNTMAP_host_map))
                continue;
            c = l1count_of((domid_t)id, m->mfn);
            if (m->flags & GNTMAP_readonly) {
                if (!c->ro--)
                    model_fail("d%u handle %#x: no read-only l1 entry for "
                               "%#lx (or a writable one instead)",
                               id, h, m->mfn);
            } else if (!c->rw--) {
                model_fail("d%u handle %#x: no writable l1 entry for %#lx", id,
                           h, m->mfn);
            }
        }
    }
    for (unsigned int i = 0; i < nr_l1counts; i++)
        if (l1counts[i].ro || l1counts[i].rw)
            model_fail("d%u has %u read-only and %u writable grant l1 "
                       "entries of %#lx beyond its live mappings",
                       l1counts[i].mapper, l1counts[i].ro, l1counts[i].rw,
                       l1counts[i].mfn);
}

/* The live mappings summed per granted reference. */
static struct agg {
    domid_t granter, mapper;
    grant_ref_t ref;
    uint32_t pin;
    unsigned long mfn;
} aggs[MODEL_DOMS * MAX_HANDLES];
static unsigned int nr_aggs;

static void aggregate(void)
{
    nr_aggs = 0;
    for (unsigned int mid = 0; mid < MODEL_DOMS; mid++) {
        if (!w[mid].d)
            continue;
        for (unsigned int h = 0; h < w[mid].hw; h++) {
            const struct omap *m = &w[mid].maps[h];
            struct agg *a = NULL;

            if (!m->live)
                continue;
            for (unsigned int k = 0; k < nr_aggs && !a; k++)
                if (aggs[k].granter == m->granter && aggs[k].ref == m->ref)
                    a = &aggs[k];
            if (!a) {
                a = &aggs[nr_aggs++];
                *a = (struct agg){m->granter, (domid_t)mid, m->ref, 0, m->mfn};
            } else if (a->mapper != mid || a->mfn != m->mfn) {
                model_fail("d%u ref %u mapped by d%u and d%u (%#lx, %#lx)",
                           m->granter, m->ref, a->mapper, mid, a->mfn, m->mfn);
            }
            a->pin += map_pin_inc(m->flags);
        }
    }
}

static void check_tables(void)
{
    aggregate();
    for (unsigned int id = 0; id < MODEL_DOMS; id++) {
        struct domain *g = model_domain(id);
        struct grant_table *gt = g ? g->grant_table : NULL;
        unsigned long pinned = 0, maps = 0;

        if (!gt)
            continue;
        if (gt->nr_frames > GNTTAB_MAX_FRAMES || !gt->nr_frames)
            model_fail("d%u: %u grant frames", id, gt->nr_frames);
        /* Its map-track table is the oracle's. */
        for (uint32_t h = 0; h < gt->maptrack_limit; h++) {
            const struct grant_mapping *mt = maptrack_entry(gt, h);
            const struct omap *m = h < MAX_HANDLES ? &w[id].maps[h] : NULL;

            if (!mt->flags) {
                if (m && m->live)
                    model_fail("d%u handle %#x live but not tracked", id, h);
                continue;
            }
            maps++;
            if (!m || !m->live || mt->flags != m->flags ||
                mt->domid != m->granter || mt->ref != m->ref)
                model_fail("d%u handle %#x: tracked (d%u ref %u flags %#x), "
                           "not the oracle's",
                           id, h, mt->domid, mt->ref, mt->flags);
        }
        if (maps != gt->nr_maps)
            model_fail("d%u: %lu mappings tracked, nr_maps %lu", id, maps,
                       gt->nr_maps);
        for (uint32_t h = gt->maptrack_limit; h < w[id].hw; h++)
            if (w[id].maps[h].live)
                model_fail("d%u handle %#x live past the limit", id, h);

        /* Its active entries are its live mappings' pins: every entry
         * pinned, and every one the fuzzer can name (ref_sel()). */
        for (unsigned int i = 0; i < 32 + 16; i++) {
            grant_ref_t ref = ref_sel(i < 32 ? i : 0xf0 + i - 32);
            const struct active_grant *act;
            uint32_t pin = 0;
            domid_t mapper = 0;
            unsigned long mfn = 0;

            if (ref >= nr_entries(gt) || (i >= 32 && ref < 32))
                continue;
            act = active_entry(gt, ref);
            for (unsigned int k = 0; k < nr_aggs; k++) {
                if (aggs[k].granter != id || aggs[k].ref != ref)
                    continue;
                pin = aggs[k].pin;
                mapper = aggs[k].mapper;
                mfn = aggs[k].mfn;
            }
            if (act->pin != pin)
                model_fail("d%u ref %u: pin %#x, live mappings %#x", id, ref,
                           act->pin, pin);
            if (!pin)
                continue;
            pinned++;
            if (act->domid != mapper || act->mfn != mfn)
                model_fail("d%u ref %u: active d%u %#lx, mapped by d%u %#lx",
                           id, ref, act->domid, act->mfn, mapper, mfn);
        }
        if (pinned != gt->nr_pinned)
            model_fail("d%u: %lu entries pinned, nr_pinned %lu", id, pinned,
                       gt->nr_pinned);
        if (g->state != DOMSTATE_active && gt->frames_released != !pinned)
            model_fail("dying d%u: %lu pinned, frames %s", id, pinned,
                       gt->frames_released ? "released" : "kept");
        if (gt->frames_released)
            continue;
        /* GTF_reading/GTF_writing exactly while pinned (writable). */
        for (unsigned int i = 0; i < 32 + 16; i++) {
            grant_ref_t ref = ref_sel(i < 32 ? i : 0xf0 + i - 32);
            const struct active_grant *act;
            uint16_t want = 0, flags;

            if (ref >= nr_entries(gt))
                continue;
            act = active_entry(gt, ref);
            flags = shared_entry(gt, ref)->flags;
            if (act->pin)
                want |= GTF_reading;
            if (act->pin & (PIN_HSTW_MASK | PIN_DEVW_MASK))
                want |= GTF_writing;
            if ((flags & (GTF_reading | GTF_writing)) != want)
                model_fail("d%u ref %u: flags %#x, pin %#x", id, ref, flags,
                           act->pin);
        }
    }
}

static void check_all(void)
{
    model_check();
    check_l1counts();
    check_tables();
}

/* --------------------------------------------------------- the driver */

static void (*const steps[])(struct input *) = {
    step_grant,       step_grant,    step_grant,    step_end_grant, step_map,
    step_map,         step_map,      step_unmap,    step_unmap,     step_copy,
    step_copy,        step_setup,    step_table_op, step_kill,      step_create,
    step_session_end, step_schedule,
};
#define NR_STEPS  (sizeof(steps) / sizeof(steps[0]))
#define MAX_STEPS 200

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {data, size};

    if (trace < 0)
        trace = getenv("GNTTAB_TRACE") != NULL;
    model_init();
    memset(w, 0, sizeof(w));
    nr_all_doms = 0;
    dom0 = NULL;
    model_continuation_hook = cont_hook;
    model_crash_hook = crash_hook;
    model_kill_hook = kill_hook;
    model_extra_refs_hook = extra_refs_hook;
    model_grant_l1e_hook = l1e_hook;
    crash_ok = NULL;
    create(0);
    create(1);
    create(2);
    check_all();
    for (unsigned int i = 0; i < MAX_STEPS && in.n; i++) {
        steps[u8(&in) % NR_STEPS](&in);
        /* A crashed guest is destroyed, as the toolstack does. */
        for (unsigned int id = 1; id < MODEL_DOMS; id++)
            if (w[id].crashed && w[id].d) {
                w[id].crashed = false;
                kill(w[id].d);
            }
        check_all();
    }

    /* Teardown: every domain destroyed, every frame back in the heap. */
    for (domid_t id = MODEL_DOMS; id-- > 0;)
        if (model_domain(id))
            kill(model_domain(id));
    check_all();
    for (domid_t id = 0; id < MODEL_DOMS; id++)
        if (model_domain(id))
            model_fail("d%u still alive after teardown", id);
    for (unsigned int i = 0; i < nr_all_doms; i++)
        grant_table_destroy(all_doms[i]);
    if (heap_free_pages() != MODEL_FRAMES - MODEL_HV_FRAMES)
        model_fail("%lu frames not freed after teardown",
                   MODEL_FRAMES - MODEL_HV_FRAMES - heap_free_pages());
    model_extra_refs_hook = NULL;
    model_grant_l1e_hook = NULL;
    model_fini();
    return 0;
}
