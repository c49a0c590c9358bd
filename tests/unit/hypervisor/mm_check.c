/* SPDX-License-Identifier: MIT */
/*
 * The PV MMU model's invariant checker (model_check(), mm_model.h).
 *
 * Its rules are Xen's (xen/arch/x86/mm.c, reference §1.10), recomputed
 * independently of the code under test:
 *
 *  - every in-use frame's general count is its allocation reference plus
 *    one per pin, base pointer, GDT/LDT frame and present entry of a
 *    validated table that refers to it (a table's entry for its own frame
 *    refers to nothing); its type count is the same without the
 *    allocation reference and read-only L1 entries; every typed reference
 *    agrees on the type, so no frame is both writable and a table;
 *  - a table with a type reference is validated, and every present entry
 *    of a validated table passes validation: flags allowed at its level,
 *    _PAGE_USER set (and _PAGE_ACCESSED in an L4), the target owned as
 *    required and of the next level's type, or of the same level and
 *    read-only (a linear entry); a table with linear entries is not the
 *    target of one (Xen's one-level rule); slots 256-271 of an L4 hold the
 *    hypervisor's entries; descriptor pages hold only safe descriptors;
 *  - frames the hypervisor writes itself (PGC_xen_heap) keep one writable
 *    type reference while shared, so are never page tables or
 *    descriptor pages;
 *  - every frame is free, reserved, or on exactly one domain's list, and
 *    that domain owns it; list lengths match the domains' page counts;
 *  - no CPU may still hold a writable TLB entry for a frame (one that was
 *    writably mapped while it ran the owner, and that it has not flushed
 *    since) once the frame is a table, a descriptor page or someone
 *    else's.
 */
#include "mm_model.h"

#include <asm/desc.h>
#include <string.h>

/* What validation allows in a present entry, per level (Xen's masks). */
#define MODEL_AVAIL ((7UL << 9) | (0x7ffUL << 52))
#define MODEL_L1_OK                                                            \
    (PTE_P | PTE_W | PTE_U | PTE_A | PTE_D | PTE_G | MODEL_AVAIL | PTE_NX |    \
     PTE_PWT | PTE_PCD | PTE_PSE /* PAT */)
#define MODEL_LX_OK                                                            \
    (PTE_P | PTE_W | PTE_U | PTE_A | PTE_D | MODEL_AVAIL | PTE_NX)

struct expect {
    uint32_t gen, typ;
    uint32_t type; /* the type the typed references need */
    unsigned int linear_entries, linear_uses;
};
static struct expect model_exp[MODEL_FRAMES];

static const char *type_name(uint32_t t)
{
    static const char *const names[] = {"none", "writable", "L1",    "L2", "L3",
                                        "L4",   "seg_desc", "shared"};

    return names[(t & PGT_type_mask) >> PGT_type_shift];
}

void (*model_extra_refs_hook)(void);
void (*model_grant_l1e_hook)(const struct domain *owner, unsigned long l1_mfn,
                             unsigned int slot, pte_t e);

static void expect_ref(unsigned long mfn, bool typed, uint32_t type,
                       const char *what, unsigned long from)
{
    struct expect *e;

    if (!mfn_valid(mfn))
        model_fail("%s %#lx refers to mfn %#lx past the frame table", what,
                   from, mfn);
    e = &model_exp[mfn];
    e->gen++;
    if (!typed)
        return;
    if (e->typ && e->type != type)
        model_fail("mfn %#lx is needed as %s (by %s %#lx) and as %s", mfn,
                   type_name(type), what, from, type_name(e->type));
    e->typ++;
    e->type = type;
}

void model_expect_ref(unsigned long mfn, bool typed, uint32_t type,
                      const char *what, unsigned long from)
{
    expect_ref(mfn, typed, type, what, from);
}

static bool descriptor_ok(uint64_t d)
{
    if (!(d & (1ULL << 47)))
        return true; /* not present */
    if (!(d & (1ULL << 44)))
        return ((d >> 40) & 0xf) == 0; /* system: only type 0 */
    return ((d >> 45) & 3) == 3;       /* code/data at DPL 3 */
}

static void check_table(unsigned long mfn, unsigned int level,
                        const struct domain *owner)
{
    const pte_t *t = model_table(mfn);

    for (unsigned int s = 0; s < PT_ENTRIES; s++) {
        pte_t e = t[s];
        unsigned long target = (e & PTE_ADDR_MASK) >> PAGE_SHIFT;
        const struct page_info *tp;
        uint32_t tt;

        if (level == 4 && s >= HV_SLOT_FIRST && s <= HV_SLOT_LAST) {
            if (e != model_hv_l4e(owner, s))
                model_fail("L4 %#lx slot %u is %#lx, not the hypervisor's", mfn,
                           s, e);
            continue;
        }
        if (!(e & PTE_P))
            continue;
        if (e & ~(PTE_ADDR_MASK | (level == 1 ? MODEL_L1_OK : MODEL_LX_OK)))
            model_fail("L%u %#lx slot %u: %#lx has flags validation refuses",
                       level, mfn, s, e);
        if (!(e & PTE_U) || (level == 4 && !(e & PTE_A)))
            model_fail("L%u %#lx slot %u: %#lx lacks _PAGE_USER/ACCESSED",
                       level, mfn, s, e);
        if (!mfn_valid(target))
            model_fail("L%u %#lx slot %u maps mfn %#lx past the frame table",
                       level, mfn, s, target);
        tp = mfn_to_page(target);
        if (tp->state != PGS_inuse || tp->owner >= MODEL_DOMS)
            model_fail("L%u %#lx slot %u maps mfn %#lx (state %u, owner %u)",
                       level, mfn, s, target, tp->state, tp->owner);
        if (level == 1 && (e & PTE_GNTTAB) && model_grant_l1e_hook) {
            model_grant_l1e_hook(owner, mfn, s, e);
            continue;
        }
        if (level == 1) {
            expect_ref(target, e & PTE_W, PGT_writable, "L1", mfn);
            continue;
        }
        if (target == mfn) {
            if (e & PTE_W)
                model_fail("L%u %#lx maps itself writable", level, mfn);
            continue; /* a self-map holds nothing */
        }
        if (tp->owner != owner->domain_id)
            model_fail("L%u %#lx (d%u) slot %u refers to mfn %#lx of d%u",
                       level, mfn, owner->domain_id, s, target, tp->owner);
        tt = tp->type_info & PGT_type_mask;
        if (tt == PGT_for_level(level - 1)) {
            expect_ref(target, true, tt, "table", mfn);
        } else if (tt == PGT_for_level(level) && !(e & PTE_W)) {
            expect_ref(target, true, tt, "linear entry of", mfn);
            model_exp[target].linear_uses++;
            model_exp[mfn].linear_entries++;
        } else {
            model_fail("L%u %#lx slot %u: %#lx refers to a %s frame", level,
                       mfn, s, e, type_name(tt));
        }
    }
}

static void check_lists(void)
{
    static uint8_t listed[MODEL_FRAMES];

    memset(listed, 0, sizeof(listed));
    for (unsigned int id = 0; id < MODEL_DOMS; id++) {
        const struct domain *d = model_doms[id];
        unsigned long n = 0;

        if (!d)
            continue;
        for (const struct page_info *pg = page_list_first(&d->page_list); pg;
             pg = page_list_next(pg), n++) {
            unsigned long mfn = page_to_mfn(pg);

            if (mfn >= MODEL_FRAMES || listed[mfn])
                model_fail("mfn %#lx twice on domain lists (d%u)", mfn, id);
            listed[mfn] = 1;
            if (pg->state != PGS_inuse || pg->owner != id)
                model_fail("mfn %#lx on d%u's list: state %u owner %u", mfn, id,
                           pg->state, pg->owner);
            if (d->state != DOMSTATE_active && (pg->count_info & PGC_allocated))
                model_fail("dying d%u still holds mfn %#lx's allocation", id,
                           mfn);
        }
        if (n != d->page_list.count || n != d->tot_pages + d->xenheap_pages)
            model_fail("d%u lists %lu frames, counts %lu, has %lu + %lu", id, n,
                       d->page_list.count, d->tot_pages, d->xenheap_pages);
        if (d->state == DOMSTATE_dying && n == 0)
            model_fail("d%u has no frames left but is not dead", id);
    }
    for (unsigned long mfn = 0; mfn < MODEL_FRAMES; mfn++) {
        const struct page_info *pg = mfn_to_page(mfn);

        if (pg->state == PGS_inuse && !listed[mfn] &&
            !(pg->owner == DOMID_XEN && !pg->count_info && !pg->type_info))
            model_fail("mfn %#lx in use by %u but on no domain's list", mfn,
                       pg->owner);
        if (pg->state == PGS_free &&
            (pg->count_info || pg->type_info || pg->owner != DOMID_INVALID))
            model_fail("free mfn %#lx: count %#x type %#x owner %u", mfn,
                       pg->count_info, pg->type_info, pg->owner);
        if ((mfn < MODEL_HV_FRAMES) != (pg->state == PGS_reserved) ||
            (pg->state == PGS_reserved && (pg->count_info || pg->type_info)))
            model_fail("mfn %#lx: state %u count %#x type %#x", mfn, pg->state,
                       pg->count_info, pg->type_info);
    }
}

static void expect_vcpu_refs(const struct vcpu *v)
{
    const pte_t *ldt = v->domain->arch.perdomain_l1[1];

    if (v->arch.guest_table)
        expect_ref(v->arch.guest_table, true, PGT_l4_table, "CR3 of vcpu",
                   v->vcpu_id);
    if (v->arch.guest_table_user)
        expect_ref(v->arch.guest_table_user, true, PGT_l4_table,
                   "user CR3 of vcpu", v->vcpu_id);
    for (unsigned int i = 0; i < FIRST_RESERVED_GDT_PAGE; i++)
        if (v->arch.gdt_frames[i])
            expect_ref(v->arch.gdt_frames[i], true, PGT_seg_desc, "GDT of vcpu",
                       v->vcpu_id);
    for (unsigned int i = 0; i < 16; i++) {
        pte_t e = ldt[v->vcpu_id * 16 + i];

        if (e & PTE_P)
            expect_ref((e & PTE_ADDR_MASK) >> PAGE_SHIFT, true, PGT_seg_desc,
                       "LDT of vcpu", v->vcpu_id);
    }
}

static void check_tlbs(void)
{
    for (unsigned int c = 0; c < MODEL_CPUS; c++)
        for (unsigned long mfn = 0; mfn < MODEL_FRAMES; mfn++) {
            const struct page_info *pg = mfn_to_page(mfn);
            uint32_t t = pg->type_info & PGT_type_mask;

            if (!model_stale[c][mfn])
                continue;
            if (pg->state == PGS_free)
                continue; /* nobody's yet */
            if (pg->owner + 1 != model_stale[c][mfn])
                model_fail("CPU %u may still write mfn %#lx (d%u's), now "
                           "owned by %u",
                           c, mfn, model_stale[c][mfn] - 1, pg->owner);
            if ((pg->type_info & PGT_count_mask) && t != PGT_writable)
                model_fail("CPU %u may still write mfn %#lx, now a %s", c, mfn,
                           type_name(t));
        }

    /* What the CPUs may cache from now on. */
    for (unsigned int c = 0; c < MODEL_CPUS; c++) {
        const struct vcpu *v = model_ci[c].current_vcpu;

        if (!v || v->domain->state != DOMSTATE_active)
            continue;
        for (const struct page_info *pg =
                 page_list_first(&v->domain->page_list);
             pg; pg = page_list_next(pg)) {
            const pte_t *t = model_table(page_to_mfn(pg));

            if ((pg->type_info & (PGT_type_mask | PGT_validated)) !=
                (PGT_l1_table | PGT_validated))
                continue;
            for (unsigned int s = 0; s < PT_ENTRIES; s++)
                if ((t[s] & (PTE_P | PTE_W)) == (PTE_P | PTE_W))
                    model_note_writable(v->domain,
                                        (t[s] & PTE_ADDR_MASK) >> PAGE_SHIFT);
        }
    }
}

void model_check(void)
{
    unsigned long free_frames = 0;

    memset(model_exp, 0, sizeof(model_exp));
    check_lists();

    /* References held by domains, their vCPUs and their validated tables. */
    for (unsigned int id = 0; id < MODEL_DOMS; id++)
        if (model_doms[id])
            for (unsigned int i = 0; i < MODEL_VCPUS; i++)
                expect_vcpu_refs(model_doms[id]->vcpu[i]);
    if (model_extra_refs_hook)
        model_extra_refs_hook();
    for (unsigned long mfn = MODEL_HV_FRAMES; mfn < MODEL_FRAMES; mfn++) {
        const struct page_info *pg = mfn_to_page(mfn);
        uint32_t x = pg->type_info, t = x & PGT_type_mask;

        if (pg->state != PGS_inuse)
            continue;
        if (pg->count_info & PGC_allocated)
            model_exp[mfn].gen++;
        /* A page the hypervisor shares stays writable while shared. */
        if (pg->count_info & PGC_xen_heap) {
            model_exp[mfn].typ++;
            model_exp[mfn].type = PGT_writable;
        }
        if (x & PGT_pinned) {
            if (t < PGT_l1_table || t > PGT_l4_table)
                model_fail("mfn %#lx pinned as %s", mfn, type_name(t));
            expect_ref(mfn, true, t, "pin of", mfn);
        }
        if (!(x & PGT_count_mask) || t < PGT_l1_table)
            continue;
        if (!(x & PGT_validated))
            model_fail("mfn %#lx in use as %s but not validated", mfn,
                       type_name(t));
        if ((pg->count_info & PGC_xen_heap) && t <= PGT_seg_desc)
            model_fail("hypervisor-written mfn %#lx is a %s", mfn,
                       type_name(t));
        if (t <= PGT_l4_table) {
            check_table(mfn, (t >> PGT_type_shift) - 1, model_doms[pg->owner]);
        } else if (t == PGT_seg_desc) {
            for (unsigned int i = 0; i < PAGE_SIZE / 8; i++)
                if (!descriptor_ok(model_table(mfn)[i]))
                    model_fail("descriptor page %#lx entry %u: %#lx", mfn, i,
                               model_table(mfn)[i]);
        }
    }

    /* The counts must be exactly those references. */
    for (unsigned long mfn = MODEL_HV_FRAMES; mfn < MODEL_FRAMES; mfn++) {
        const struct page_info *pg = mfn_to_page(mfn);
        const struct expect *e = &model_exp[mfn];
        uint32_t x = pg->type_info, t = x & PGT_type_mask;

        if (pg->state == PGS_free) {
            free_frames++;
            if (e->gen)
                model_fail("free mfn %#lx is referenced %u times", mfn, e->gen);
            continue;
        }
        if ((pg->count_info & PGC_count_mask) != e->gen)
            model_fail("mfn %#lx (d%u, %s): general count %u, references %u",
                       mfn, pg->owner, type_name(t),
                       pg->count_info & PGC_count_mask, e->gen);
        if ((x & PGT_count_mask) != e->typ)
            model_fail("mfn %#lx (d%u): %s count %u, typed references %u", mfn,
                       pg->owner, type_name(t), x & PGT_count_mask, e->typ);
        if (e->typ && t != e->type)
            model_fail("mfn %#lx is a %s, its references need a %s", mfn,
                       type_name(t), type_name(e->type));
        if (!e->typ && t >= PGT_l1_table && t <= PGT_l4_table &&
            (x & (PGT_validated | PGT_pinned)))
            model_fail("mfn %#lx: unused %s still validated or pinned", mfn,
                       type_name(t));
        if (e->linear_entries && e->linear_uses)
            model_fail("%s %#lx has linear entries and is the target of one",
                       type_name(t), mfn);
        if ((x & PGT_validated) && t >= PGT_l1_table && t <= PGT_l4_table &&
            pg->linear_pt_count !=
                (int)e->linear_entries - (int)e->linear_uses)
            model_fail("%s %#lx: linear count %d, %u entries, %u referring",
                       type_name(t), mfn, pg->linear_pt_count,
                       e->linear_entries, e->linear_uses);
    }
    if (free_frames != heap_free_pages())
        model_fail("%lu free frames, heap says %lu", free_frames,
                   heap_free_pages());
    check_tlbs();
}
