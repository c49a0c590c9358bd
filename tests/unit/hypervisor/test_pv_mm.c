/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the PV MMU (arch/x86_64/pv/mm.c, mm_ops.c, with
 * descriptor_tables.c, common/domheap.c and page_alloc.c), compiled for
 * the host and run on the model machine of mm_model.c: Xen's validation
 * table (reference §1.10) level by level, the type and reference-count
 * state machine, pins and base pointers, the hypercalls' error codes,
 * partial batches and continuations, the flush clock's decisions and
 * teardown.  After every test the model recomputes every frame's counts
 * from the tables and checks them (model_check()).
 */
#include "hv_test.h"

#include "mm_model.h"

#include <asm/pv.h>
#include <pvisor/hypercall.h>
#include <string.h>
#include <xen/errno.h>

void model_fail(const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fail_msg("model invariant: %s", msg);
    abort();
}

static struct domain *d0, *d1, *d2;
static struct vcpu *v1, *v2;

static int setup(void **state)
{
    (void)state;
    model_init();
    d0 = model_domain_create(0, true, 8);
    d1 = model_domain_create(1, false, 32);
    d2 = model_domain_create(2, false, 16);
    v1 = d1->vcpu[0];
    v2 = d2->vcpu[0];
    model_check();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    model_check();
    model_fini();
    return 0;
}

/* ------------------------------------------------------------ helpers */

static unsigned long frame(const struct domain *d, unsigned int n)
{
    unsigned long mfn = model_frame(d, n);

    assert_true(mfn != 0);
    return mfn;
}

static const struct page_info *pg(unsigned long mfn)
{
    return mfn_to_page(mfn);
}

static unsigned int gcount(unsigned long mfn)
{
    return pg(mfn)->count_info & PGC_count_mask;
}

static unsigned int tcount(unsigned long mfn)
{
    return pg(mfn)->type_info & PGT_count_mask;
}

static uint32_t type(unsigned long mfn)
{
    return pg(mfn)->type_info & PGT_type_mask;
}

static bool validated(unsigned long mfn)
{
    return pg(mfn)->type_info & PGT_validated;
}

static long mmu(struct vcpu *v, unsigned long mfn, unsigned int slot,
                uint64_t val)
{
    struct mmu_update r = model_req(mfn, slot, MMU_NORMAL_PT_UPDATE, val);

    return model_mmu_update(v, &r, 1, NULL, DOMID_SELF);
}

static long ext(struct vcpu *v, unsigned int cmd, unsigned long arg1,
                unsigned long arg2)
{
    struct mmuext_op op = {.cmd = cmd};

    op.arg1.mfn = arg1;
    op.arg2.nr_ents = (unsigned int)arg2;
    return model_mmuext_op(v, &op, 1, NULL, DOMID_SELF);
}

static long pin(struct vcpu *v, unsigned int level, unsigned long mfn)
{
    return ext(v, MMUEXT_PIN_L1_TABLE + level - 1, mfn, 0);
}

static long unpin(struct vcpu *v, unsigned long mfn)
{
    return ext(v, MMUEXT_UNPIN_TABLE, mfn, 0);
}

static void write(struct domain *d, unsigned long mfn, unsigned int slot,
                  uint64_t val)
{
    assert_true(model_guest_write(d, mfn, slot, val));
}

/* A page-table tree of d: l4[0] -> l3[0] -> l2[0] -> l1, l1[0] -> data. */
struct tree {
    unsigned long l4, l3, l2, l1, data;
};

static struct tree make_tree(struct domain *d, unsigned int first)
{
    struct tree t = {
        .l4 = frame(d, first),
        .l3 = frame(d, first + 1),
        .l2 = frame(d, first + 2),
        .l1 = frame(d, first + 3),
        .data = frame(d, first + 4),
    };

    write(d, t.l1, 0, model_pte(t.data, PTE_P | PTE_W));
    write(d, t.l2, 0, model_pte(t.l1, PTE_P | PTE_W));
    write(d, t.l3, 0, model_pte(t.l2, PTE_P | PTE_W));
    write(d, t.l4, 0, model_pte(t.l3, PTE_P | PTE_W));
    return t;
}

/* ------------------------------------------------------------- tests */

static void test_tree_pins_and_validates(void **state)
{
    struct tree t = make_tree(d1, 0);

    (void)state;
    assert_int_equal(pin(v1, 4, t.l4), 0);
    model_check();
    assert_int_equal(type(t.l4), PGT_l4_table);
    assert_int_equal(type(t.l3), PGT_l3_table);
    assert_int_equal(type(t.l2), PGT_l2_table);
    assert_int_equal(type(t.l1), PGT_l1_table);
    assert_int_equal(type(t.data), PGT_writable);
    assert_true(validated(t.l4) && validated(t.l1));
    assert_int_equal(tcount(t.l4), 1);
    assert_int_equal(gcount(t.l4), 2); /* allocation + pin */
    assert_int_equal(tcount(t.data), 1);
    assert_int_equal(gcount(t.data), 2);

    assert_int_equal(unpin(v1, t.l4), 0);
    model_check();
    assert_int_equal(tcount(t.l4), 0);
    assert_false(validated(t.l4));
    assert_int_equal(gcount(t.data), 1);
    assert_int_equal(tcount(t.data), 0);
}

/*
 * A validated table of each level with an entry pointing at a frame that
 * can take the next level's type (or a data frame for an L1).
 */
struct level_setup {
    unsigned long table, target;
};

static struct level_setup level_setup(unsigned int level)
{
    struct level_setup s = {frame(d1, 10), frame(d1, 11)};

    assert_int_equal(pin(v1, level, s.table), 0);
    return s;
}

/* Reference §1.10: which flags each level accepts in a present entry. */
static const struct {
    const char *name;
    uint64_t bits;
    bool ok[5]; /* by level */
} flag_cases[] = {
    {"none", 0, {0, 1, 1, 1, 1}},
    {"RW", PTE_W, {0, 1, 1, 1, 1}},
    {"USER", PTE_U, {0, 1, 1, 1, 1}},
    {"ACCESSED", PTE_A, {0, 1, 1, 1, 1}},
    {"DIRTY", PTE_D, {0, 1, 1, 1, 1}},
    {"AVAIL", 7UL << 9, {0, 1, 1, 1, 1}},
    {"AVAIL_HIGH", 0x3ffUL << 52, {0, 1, 1, 1, 1}},
    /* Bit 62 marks grant mappings (Xen's _PAGE_GNTTAB): L1_DISALLOW_MASK. */
    {"GNTTAB", 1UL << 62, {0, 0, 1, 1, 1}},
    {"NX", PTE_NX, {0, 1, 1, 1, 1}},
    /* Cache attributes: refused at every level to a domain without I/O
     * rights (Xen's l1_disallow_mask), as every pvisor domain is; bit 7
     * is PAT in an L1, PSE above. */
    {"PWT", PTE_PWT, {0, 0, 0, 0, 0}},
    {"PCD", PTE_PCD, {0, 0, 0, 0, 0}},
    {"PAT", PTE_PSE, {0, 0, 0, 0, 0}},
    {"GLOBAL", PTE_G, {0, 1, 0, 0, 0}},
};

static void test_validation_flags_by_level(void **state)
{
    (void)state;
    for (unsigned int level = 1; level <= 4; level++) {
        struct level_setup s = level_setup(level);

        for (size_t i = 0; i < ARRAY_SIZE(flag_cases); i++) {
            uint64_t e = model_pte(s.target, PTE_P | flag_cases[i].bits);
            long rc = mmu(v1, s.table, 5, e);
            pte_t got = model_table(s.table)[5];

            if (flag_cases[i].ok[level] ? rc != 0 : rc != -XEN_EINVAL)
                fail_msg("L%u entry with %s: rc %ld", level, flag_cases[i].name,
                         rc);
            model_check();
            if (rc) {
                assert_int_equal(got, 0);
                continue;
            }
            /* Every present entry gets _PAGE_USER, an L4's _PAGE_ACCESSED
             * too, and an L1 entry written without USER is marked as the
             * guest kernel's. */
            assert_true(got & PTE_U);
            if (level == 4)
                assert_true(got & PTE_A);
            if (level == 1 && !(flag_cases[i].bits & PTE_U))
                assert_true(got & PTE_GUEST_KERNEL);
            assert_int_equal(got & ~(PTE_U | PTE_A | PTE_GUEST_KERNEL),
                             e & ~(PTE_U | PTE_A | PTE_GUEST_KERNEL));
            assert_int_equal(mmu(v1, s.table, 5, 0), 0);
            model_check();
        }
        assert_int_equal(unpin(v1, s.table), 0);
        model_check();
    }
}

/* Non-present entries are accepted whatever else they hold. */
static void test_validation_ignores_non_present(void **state)
{
    (void)state;
    for (unsigned int level = 1; level <= 4; level++) {
        unsigned long t = frame(d1, 10);

        write(d1, t, 7, ~PTE_P);
        write(d1, t, 8, model_pte(frame(d2, 0), PTE_W | PTE_PSE));
        assert_int_equal(pin(v1, level, t), 0);
        model_check();
        assert_int_equal(mmu(v1, t, 9, ~PTE_P), 0);
        assert_int_equal(unpin(v1, t), 0);
        write(d1, t, 7, 0);
        write(d1, t, 8, 0);
        write(d1, t, 9, 0);
    }
}

static void test_l1_targets(void **state)
{
    unsigned long l1 = frame(d1, 10), data = frame(d1, 11);
    unsigned long si = model_shared_info_mfn(d1);

    (void)state;
    assert_int_equal(pin(v1, 1, l1), 0);

    /* Read-only: a general reference only; writable: the type too. */
    assert_int_equal(mmu(v1, l1, 0, model_pte(data, PTE_P)), 0);
    assert_int_equal(gcount(data), 2);
    assert_int_equal(tcount(data), 0);
    assert_int_equal(mmu(v1, l1, 1, model_pte(data, PTE_P | PTE_W)), 0);
    assert_int_equal(gcount(data), 3);
    assert_int_equal(type(data), PGT_writable);
    assert_int_equal(tcount(data), 1);
    model_check();
    /* Replacing an entry drops what the old one held. */
    assert_int_equal(mmu(v1, l1, 1, model_pte(data, PTE_P)), 0);
    assert_int_equal(tcount(data), 0);
    assert_int_equal(gcount(data), 3);
    assert_int_equal(mmu(v1, l1, 0, 0), 0);
    assert_int_equal(mmu(v1, l1, 1, 0), 0);
    assert_int_equal(gcount(data), 1);

    /* shared_info may be mapped, read-only or writable. */
    assert_int_equal(mmu(v1, l1, 2, model_pte(si, PTE_P | PTE_W)), 0);
    model_check();
    assert_int_equal(mmu(v1, l1, 2, 0), 0);

    /* Another domain's frame, the table itself, a frame out of range. */
    assert_int_not_equal(mmu(v1, l1, 3, model_pte(frame(d2, 0), PTE_P)), 0);
    assert_int_not_equal(mmu(v1, l1, 3, model_pte(l1, PTE_P | PTE_W)), 0);
    assert_int_not_equal(mmu(v1, l1, 3, model_pte(MODEL_FRAMES + 5, PTE_P)), 0);
    assert_int_equal(model_table(l1)[3], 0);
    /* A read-only mapping of the table itself is fine. */
    assert_int_equal(mmu(v1, l1, 3, model_pte(l1, PTE_P)), 0);
    assert_int_equal(mmu(v1, l1, 3, 0), 0);
    assert_int_equal(unpin(v1, l1), 0);
}

static void test_upper_level_targets(void **state)
{
    (void)state;
    for (unsigned int level = 2; level <= 4; level++) {
        struct level_setup s = level_setup(level);
        unsigned long other = frame(d1, 12), bad = frame(d1, 13);
        uint32_t below = PGT_for_level(level - 1);

        /* The target takes the next level's type, validated. */
        assert_int_equal(mmu(v1, s.table, 0, model_pte(s.target, PTE_P)), 0);
        assert_int_equal(type(s.target), below);
        assert_true(validated(s.target));
        assert_int_equal(tcount(s.target), 1);
        model_check();
        /* A second entry to it: another type reference. */
        assert_int_equal(
            mmu(v1, s.table, 1, model_pte(s.target, PTE_P | PTE_W)), 0);
        assert_int_equal(tcount(s.target), 2);
        assert_int_equal(mmu(v1, s.table, 1, 0), 0);
        assert_int_equal(mmu(v1, s.table, 0, 0), 0);
        assert_int_equal(tcount(s.target), 0);
        assert_false(validated(s.target));

        /* A target that does not validate is refused and left untyped;
         * nothing it referred to keeps a reference. */
        write(d1, bad, 3, model_pte(frame(d1, 14), PTE_P));
        write(d1, bad, 4, model_pte(frame(d2, 1), PTE_P));
        assert_int_equal(mmu(v1, s.table, 0, model_pte(bad, PTE_P)),
                         -XEN_EINVAL);
        assert_int_equal(tcount(bad), 0);
        assert_int_equal(gcount(frame(d1, 14)), 1);
        model_check();
        write(d1, bad, 3, 0);
        write(d1, bad, 4, 0);

        /* Another domain's frame. */
        assert_int_equal(mmu(v1, s.table, 0, model_pte(frame(d2, 1), PTE_P)),
                         -XEN_EINVAL);

        /* A frame in use as writable cannot become a table. */
        assert_int_equal(pin(v1, 1, other), 0);
        assert_int_equal(mmu(v1, other, 0, model_pte(bad, PTE_P | PTE_W)), 0);
        assert_int_equal(mmu(v1, s.table, 0, model_pte(bad, PTE_P)),
                         -XEN_EINVAL);
        assert_int_equal(type(bad), PGT_writable);
        assert_int_equal(mmu(v1, other, 0, 0), 0);
        assert_int_equal(unpin(v1, other), 0);

        /* The table itself: read-only only, holding nothing. */
        assert_int_equal(mmu(v1, s.table, 2, model_pte(s.table, PTE_P | PTE_W)),
                         -XEN_EINVAL);
        assert_int_equal(mmu(v1, s.table, 2, model_pte(s.table, PTE_P)), 0);
        assert_int_equal(tcount(s.table), 1);
        assert_int_equal(gcount(s.table), 2);
        model_check();
        assert_int_equal(mmu(v1, s.table, 2, 0), 0);

        /* A table of the wrong level. */
        assert_int_equal(pin(v1, level == 2 ? 3 : 1, other), 0);
        assert_int_equal(mmu(v1, s.table, 0, model_pte(other, PTE_P)),
                         -XEN_EINVAL);
        assert_int_equal(unpin(v1, other), 0);

        assert_int_equal(unpin(v1, s.table), 0);
        model_check();
    }
}

/* Linear entries: read-only, to an in-use validated table of the same
 * level, holding a type reference on it. */
static void test_linear_entries(void **state)
{
    (void)state;
    for (unsigned int level = 2; level <= 4; level++) {
        unsigned long a = frame(d1, 10), b = frame(d1, 11);
        unsigned long fresh = frame(d1, 12);

        assert_int_equal(pin(v1, level, a), 0);
        assert_int_equal(pin(v1, level, b), 0);
        assert_int_equal(mmu(v1, a, 0, model_pte(b, PTE_P | PTE_W)),
                         -XEN_EINVAL);
        assert_int_equal(mmu(v1, a, 0, model_pte(b, PTE_P)), 0);
        assert_int_equal(tcount(b), 2);
        assert_true(model_table(a)[0] & PTE_U);
        model_check();
        /* It keeps b validated after b's pin goes. */
        assert_int_equal(unpin(v1, b), 0);
        assert_true(validated(b));
        assert_int_equal(tcount(b), 1);
        model_check();
        /* Unpinning a drops the linear reference and so b's last. */
        assert_int_equal(unpin(v1, a), 0);
        assert_false(validated(b));
        assert_int_equal(tcount(b), 0);
        model_check();
        /* A frame not in use as a table of that level is no target: it
         * is validated as the level below instead. */
        write(d1, a, 0, 0);
        assert_int_equal(pin(v1, level, a), 0);
        assert_int_equal(mmu(v1, a, 0, model_pte(fresh, PTE_P)), 0);
        assert_int_equal(type(fresh), PGT_for_level(level - 1));
        assert_int_equal(unpin(v1, a), 0);
        model_check();
    }
}

static void test_l4_hypervisor_slots(void **state)
{
    unsigned long l4 = frame(d1, 10), l3 = frame(d1, 11);

    (void)state;
    /* Whatever the guest left in slots 256-271 is ignored and replaced. */
    for (unsigned int s = HV_SLOT_FIRST; s <= HV_SLOT_LAST; s++)
        write(d1, l4, s, model_pte(frame(d2, 0), PTE_P | PTE_W | PTE_PSE));
    write(d1, l4, 255, model_pte(l3, PTE_P));
    write(d1, l4, 272, model_pte(l3, PTE_P));
    assert_int_equal(pin(v1, 4, l4), 0);
    for (unsigned int s = HV_SLOT_FIRST; s <= HV_SLOT_LAST; s++)
        assert_int_equal(model_table(l4)[s], model_hv_l4e(d1, s));
    assert_int_equal(tcount(l3), 2);
    model_check();
    /* Guests may not change them, even to the same value. */
    assert_int_equal(mmu(v1, l4, 256, 0), -XEN_EINVAL);
    assert_int_equal(mmu(v1, l4, 260, model_hv_l4e(d1, 260)), -XEN_EINVAL);
    assert_int_equal(mmu(v1, l4, 271, model_pte(l3, PTE_P)), -XEN_EINVAL);
    assert_int_equal(mmu(v1, l4, 255, 0), 0);
    assert_int_equal(mmu(v1, l4, 272, 0), 0);
    assert_int_equal(unpin(v1, l4), 0);
    model_check();
}

/* The writable/table exclusion, both ways, and type changes at zero. */
static void test_writable_table_exclusion(void **state)
{
    unsigned long l1 = frame(d1, 10), f = frame(d1, 11), t = frame(d1, 12);

    (void)state;
    assert_int_equal(pin(v1, 1, l1), 0);
    /* f mapped writable cannot become a table... */
    assert_int_equal(mmu(v1, l1, 0, model_pte(f, PTE_P | PTE_W)), 0);
    for (unsigned int level = 1; level <= 4; level++)
        assert_int_equal(pin(v1, level, f), -XEN_EINVAL);
    assert_int_equal(type(f), PGT_writable);
    model_check();
    /* ...until the mapping goes (or is made read-only). */
    assert_int_equal(mmu(v1, l1, 0, model_pte(f, PTE_P)), 0);
    assert_int_equal(pin(v1, 2, f), 0);
    assert_int_equal(type(f), PGT_l2_table);
    /* A table cannot be mapped writable, nor used as another type. */
    assert_int_not_equal(mmu(v1, l1, 1, model_pte(f, PTE_P | PTE_W)), 0);
    assert_int_equal(pin(v1, 3, f), -XEN_EINVAL);
    assert_int_equal(pin(v1, 1, f), -XEN_EINVAL);
    assert_int_equal(model_table(l1)[1], 0);
    model_check();
    assert_int_equal(unpin(v1, f), 0);
    assert_int_equal(mmu(v1, l1, 1, model_pte(f, PTE_P | PTE_W)), 0);
    assert_int_equal(mmu(v1, l1, 1, 0), 0);
    assert_int_equal(mmu(v1, l1, 0, 0), 0);

    /* An mmu_update on an ordinary frame is a plain write... */
    assert_int_equal(mmu(v1, t, 3, 0x1235), 0);
    assert_int_equal(model_table(t)[3], 0x1235);
    assert_int_equal(tcount(t), 0);
    /* ...which makes it fail validation until it is fixed. */
    assert_int_equal(pin(v1, 1, t), -XEN_EINVAL);
    assert_int_equal(mmu(v1, t, 3, 0), 0);
    assert_int_equal(pin(v1, 1, t), 0);
    assert_int_equal(unpin(v1, t), 0);
    assert_int_equal(unpin(v1, l1), 0);
}

static void test_pin_unpin_errors(void **state)
{
    unsigned long t = frame(d1, 10), other = frame(d2, 0);

    (void)state;
    assert_int_equal(pin(v1, 2, t), 0);
    /* Pinning twice, or as another level. */
    assert_int_equal(pin(v1, 2, t), -XEN_EINVAL);
    assert_int_equal(pin(v1, 1, t), -XEN_EINVAL);
    assert_int_equal(tcount(t), 1);
    assert_int_equal(gcount(t), 2);
    model_check();
    /* Another domain's frame, frames out of range, hypervisor frames. */
    assert_int_equal(pin(v1, 1, other), -XEN_EINVAL);
    assert_int_equal(unpin(v1, other), -XEN_EINVAL);
    assert_int_equal(pin(v1, 1, MODEL_FRAMES), -XEN_EINVAL);
    assert_int_equal(pin(v1, 1, ~0UL), -XEN_EINVAL);
    assert_int_equal(unpin(v1, ~0UL), -XEN_EINVAL);
    assert_int_equal(pin(v1, 1, 3), -XEN_EINVAL);
    /* Unpinning what is not pinned. */
    assert_int_equal(unpin(v1, frame(d1, 11)), -XEN_EINVAL);
    assert_int_equal(unpin(v1, t), 0);
    assert_int_equal(unpin(v1, t), -XEN_EINVAL);
    assert_int_equal(tcount(t), 0);
    assert_int_equal(gcount(t), 1);
}

/* A table still in use as CR3 keeps its type when its pin goes. */
static void test_base_pointers(void **state)
{
    struct tree t = make_tree(d1, 0), u = make_tree(d1, 5);

    (void)state;
    assert_int_equal(pin(v1, 4, t.l4), 0);
    assert_int_equal(ext(v1, MMUEXT_NEW_BASEPTR, t.l4, 0), 0);
    assert_int_equal(v1->arch.guest_table, t.l4);
    assert_int_equal(model_cpu[v1->processor].cr3, t.l4 << PAGE_SHIFT);
    assert_int_equal(tcount(t.l4), 2);
    assert_int_equal(unpin(v1, t.l4), 0);
    assert_true(validated(t.l4));
    assert_int_equal(tcount(t.l4), 1);
    assert_int_equal(type(t.l1), PGT_l1_table);
    model_check();
    /* Unpinning again is refused: the CR3 reference is not a pin. */
    assert_int_equal(unpin(v1, t.l4), -XEN_EINVAL);
    assert_true(validated(t.l4));

    /* A new base pointer validates an unpinned tree, drops the old. */
    assert_int_equal(ext(v1, MMUEXT_NEW_BASEPTR, u.l4, 0), 0);
    assert_false(validated(t.l4));
    assert_int_equal(type(t.l1), PGT_l1_table);
    assert_false(validated(t.l1));
    assert_true(validated(u.l1));
    model_check();

    /* Only an L4 of one's own; the kernel one cannot be cleared. */
    assert_int_equal(ext(v1, MMUEXT_NEW_BASEPTR, 0, 0), -XEN_EINVAL);
    assert_int_equal(ext(v1, MMUEXT_NEW_BASEPTR, u.l3, 0), -XEN_EINVAL);
    assert_int_equal(ext(v1, MMUEXT_NEW_BASEPTR, frame(d2, 0), 0), -XEN_EINVAL);
    assert_int_equal(ext(v1, MMUEXT_NEW_BASEPTR, ~0UL, 0), -XEN_EINVAL);
    assert_int_equal(v1->arch.guest_table, u.l4);

    /* The user table: any L4 (here the kernel's), 0 clears it. */
    assert_int_equal(ext(v1, MMUEXT_NEW_USER_BASEPTR, u.l4, 0), 0);
    assert_int_equal(tcount(u.l4), 2);
    assert_int_equal(ext(v1, MMUEXT_NEW_USER_BASEPTR, 0, 0), 0);
    assert_int_equal(tcount(u.l4), 1);
    assert_int_equal(v1->arch.guest_table_user, 0);
    model_check();
    /* Running in user mode on the user table loads it into CR3. */
    assert_int_equal(ext(v1, MMUEXT_NEW_USER_BASEPTR, t.l4, 0), 0);
    model_toggle_mode(v1);
    assert_int_equal(model_cpu[v1->processor].cr3, t.l4 << PAGE_SHIFT);
    model_toggle_mode(v1);
    assert_int_equal(model_cpu[v1->processor].cr3, u.l4 << PAGE_SHIFT);
    model_check();

    /* Another domain may not set our base pointers. */
    {
        struct mmuext_op op = {.cmd = MMUEXT_NEW_BASEPTR};

        op.arg1.mfn = u.l4;
        assert_int_equal(model_mmuext_op(d0->vcpu[0], &op, 1, NULL, 1),
                         -XEN_EPERM);
    }
}

/* The frames a table refers to are released when it is devalidated,
 * recursively, and a validation that fails half-way keeps nothing. */
static void test_devalidation_releases_everything(void **state)
{
    struct tree t = make_tree(d1, 0);
    unsigned long bad = frame(d1, 6), l1b = frame(d1, 7);

    (void)state;
    /* l3 slot 1 -> a second L2 whose slot 1 -> an L1 with a bad entry. */
    write(d1, l1b, 0, model_pte(frame(d1, 8), PTE_P | PTE_W));
    write(d1, l1b, 1, model_pte(frame(d2, 0), PTE_P));
    write(d1, bad, 0, model_pte(t.l1, PTE_P));
    write(d1, bad, 1, model_pte(l1b, PTE_P));
    write(d1, t.l3, 1, model_pte(bad, PTE_P));
    assert_int_equal(pin(v1, 4, t.l4), -XEN_EINVAL);
    for (unsigned int i = 0; i < 10; i++) {
        unsigned long mfn = frame(d1, i);

        assert_int_equal(tcount(mfn), 0);
        assert_int_equal(gcount(mfn), 1);
    }
    model_check();
    write(d1, l1b, 1, 0);
    assert_int_equal(pin(v1, 4, t.l4), 0);
    assert_int_equal(tcount(t.l1), 2);
    assert_int_equal(tcount(frame(d1, 8)), 1);
    model_check();
    assert_int_equal(unpin(v1, t.l4), 0);
    for (unsigned int i = 0; i < 10; i++)
        assert_int_equal(gcount(frame(d1, i)), 1);
    model_check();
}

static void test_mmu_update_errors(void **state)
{
    unsigned long l1 = frame(d1, 10), data = frame(d1, 11);
    struct mmu_update r;
    unsigned int done = 77;

    (void)state;
    assert_int_equal(pin(v1, 1, l1), 0);
    /* Tables or frames of another domain, out of range. */
    assert_int_equal(mmu(v1, frame(d2, 0), 0, 0), -XEN_EINVAL);
    assert_int_equal(mmu(v1, MODEL_FRAMES, 0, 0), -XEN_EINVAL);
    assert_int_equal(mmu(v1, 2, 0, 0), -XEN_EINVAL);
    /* Foreign domains: only the privileged domain may name one. */
    r = model_req(l1, 0, MMU_NORMAL_PT_UPDATE, 0);
    assert_int_equal(model_mmu_update(v1, &r, 1, NULL, 2), -XEN_EPERM);
    assert_int_equal(model_mmu_update(d0->vcpu[0], &r, 1, NULL, 3), -XEN_ESRCH);
    assert_int_equal(model_mmu_update(v1, &r, 1, NULL, (2 + 1) << 16),
                     -XEN_EPERM);
    /* More in test_mmu_update_codes. */
    /* Unreadable requests; *done says none was done. */
    assert_int_equal(
        model_mmu_update(v1, (void *)MODEL_BAD_GADDR, 1, &done, DOMID_SELF),
        -XEN_EFAULT);
    assert_int_equal(done, 0);
    /* Nothing to do. */
    assert_int_equal(model_mmu_update(v1, &r, 0, &done, DOMID_SELF), 0);
    assert_int_equal(done, 0);

    /* The M2P: own frames only. */
    r = model_req(data, 0, MMU_MACHPHYS_UPDATE, 42);
    assert_int_equal(model_mmu_update(v1, &r, 1, NULL, DOMID_SELF), 0);
    r = model_req(frame(d2, 0), 0, MMU_MACHPHYS_UPDATE, 42);
    assert_int_equal(model_mmu_update(v1, &r, 1, NULL, DOMID_SELF),
                     -XEN_EINVAL);
    /* Preserving A/D: the old entry's bits survive. */
    assert_int_equal(mmu(v1, l1, 4, model_pte(data, PTE_P | PTE_A | PTE_D)), 0);
    r = model_req(l1, 4, MMU_PT_UPDATE_PRESERVE_AD, model_pte(data, PTE_P));
    assert_int_equal(model_mmu_update(v1, &r, 1, NULL, DOMID_SELF), 0);
    assert_true((model_table(l1)[4] & (PTE_A | PTE_D)) == (PTE_A | PTE_D));
    r = model_req(l1, 4, MMU_NORMAL_PT_UPDATE, model_pte(data, PTE_P));
    assert_int_equal(model_mmu_update(v1, &r, 1, NULL, DOMID_SELF), 0);
    assert_int_equal(model_table(l1)[4] & (PTE_A | PTE_D), 0);
    assert_int_equal(mmu(v1, l1, 4, 0), 0);
    assert_int_equal(unpin(v1, l1), 0);
}

/* The privileged domain pins and unpins another domain's tables. */
static void test_foreign_pin(void **state)
{
    unsigned long t = frame(d1, 10);
    struct mmuext_op op = {.cmd = MMUEXT_PIN_L2_TABLE};

    (void)state;
    op.arg1.mfn = t;
    assert_int_equal(model_mmuext_op(d0->vcpu[0], &op, 1, NULL, 1), 0);
    assert_int_equal(type(t), PGT_l2_table);
    assert_true(pg(t)->type_info & PGT_pinned);
    model_check();
    assert_int_equal(model_mmuext_op(v2, &op, 1, NULL, 1), -XEN_EPERM);
    assert_int_equal(model_mmuext_op(d0->vcpu[0], &op, 1, NULL, 3), -XEN_ESRCH);
    /* Naming itself, dom0 cannot touch d1's frame. */
    assert_int_equal(model_mmuext_op(d0->vcpu[0], &op, 1, NULL, DOMID_SELF),
                     -XEN_EINVAL);
    op.cmd = MMUEXT_UNPIN_TABLE;
    assert_int_equal(model_mmuext_op(d0->vcpu[0], &op, 1, NULL, 1), 0);
    assert_int_equal(tcount(t), 0);
}

static void test_mmuext_misc(void **state)
{
    unsigned long t = frame(d1, 10), src = frame(d1, 11);
    unsigned int cpu;

    (void)state;
    assert_int_equal(ext(v1, 99, 0, 0), -XEN_ENOSYS);
    assert_int_equal(ext(v1, MMUEXT_FLUSH_CACHE, 0, 0), -XEN_EACCES);
    assert_int_equal(ext(d0->vcpu[0], MMUEXT_FLUSH_CACHE, 0, 0), 0);
    assert_int_equal(model_cpu[d0->vcpu[0]->processor].wbinvds, 1);

    /* Local flushes act on the caller's CPU. */
    model_enter(v1);
    cpu = v1->processor;
    {
        unsigned long loads = model_cpu[cpu].cr3_loads;
        unsigned long invlpgs = model_cpu[cpu].invlpgs;

        assert_int_equal(ext(v1, MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0);
        assert_int_equal(model_cpu[cpu].cr3_loads, loads + 1);
        assert_int_equal(ext(v1, MMUEXT_INVLPG_LOCAL, 0x400000, 0), 0);
        assert_int_equal(model_cpu[cpu].invlpgs, invlpgs + 1);
        /* A hypervisor address is not flushed. */
        assert_int_equal(ext(v1, MMUEXT_INVLPG_LOCAL, 0xffff830000000000UL, 0),
                         0);
        assert_int_equal(model_cpu[cpu].invlpgs, invlpgs + 1);
    }

    /* CLEAR_PAGE and COPY_PAGE: frames that may be writable. */
    write(d1, src, 5, 0x5555);
    assert_int_equal(ext(v1, MMUEXT_COPY_PAGE, t, src), 0);
    assert_int_equal(model_table(t)[5], 0x5555);
    assert_int_equal(ext(v1, MMUEXT_CLEAR_PAGE, t, 0), 0);
    assert_int_equal(model_table(t)[5], 0);
    write(d1, src, 5, 0);
    assert_int_equal(pin(v1, 1, t), 0);
    assert_int_equal(ext(v1, MMUEXT_CLEAR_PAGE, t, 0), -XEN_EINVAL);
    assert_int_equal(ext(v1, MMUEXT_COPY_PAGE, t, src), -XEN_EINVAL);
    assert_int_equal(ext(v1, MMUEXT_COPY_PAGE, src, frame(d2, 0)), -XEN_EINVAL);
    assert_int_equal(ext(v1, MMUEXT_CLEAR_PAGE, frame(d2, 0), 0), -XEN_EINVAL);
    assert_int_equal(unpin(v1, t), 0);
    model_check();
}

/* A batch stops at the first failure; what came before stays done. */
static void test_partial_batches(void **state)
{
    unsigned long l1 = frame(d1, 10), data = frame(d1, 11);
    struct mmu_update r[4] = {
        model_req(l1, 0, MMU_NORMAL_PT_UPDATE, model_pte(data, PTE_P)),
        model_req(l1, 1, MMU_NORMAL_PT_UPDATE, model_pte(data, PTE_P)),
        model_req(l1, 2, MMU_NORMAL_PT_UPDATE, model_pte(frame(d2, 0), PTE_P)),
        model_req(l1, 3, MMU_NORMAL_PT_UPDATE, model_pte(data, PTE_P)),
    };
    struct mmuext_op ops[3] = {{.cmd = MMUEXT_PIN_L2_TABLE},
                               {.cmd = MMUEXT_PIN_L2_TABLE},
                               {.cmd = MMUEXT_PIN_L2_TABLE}};
    unsigned int done = 99;

    (void)state;
    assert_int_equal(pin(v1, 1, l1), 0);
    assert_int_not_equal(model_mmu_update(v1, r, 4, &done, DOMID_SELF), 0);
    assert_int_equal(done, 2);
    assert_true(model_table(l1)[0] && model_table(l1)[1]);
    assert_int_equal(model_table(l1)[2], 0);
    assert_int_equal(model_table(l1)[3], 0);
    assert_int_equal(gcount(data), 3);
    model_check();

    ops[0].arg1.mfn = frame(d1, 12);
    ops[1].arg1.mfn = frame(d1, 12); /* pinned twice */
    ops[2].arg1.mfn = frame(d1, 13);
    assert_int_equal(model_mmuext_op(v1, ops, 3, &done, DOMID_SELF),
                     -XEN_EINVAL);
    assert_int_equal(done, 1);
    assert_int_equal(type(frame(d1, 13)), PGT_none);
    model_check();

    /* Preempted after every entry: the guest re-issues the rest, and
     * *done adds up over the continuations. */
    r[2] = model_req(l1, 2, MMU_NORMAL_PT_UPDATE, 0);
    model_preempt_every = 1;
    model_continuations = 0;
    assert_int_equal(model_mmu_update(v1, r, 4, &done, DOMID_SELF), 0);
    assert_int_equal(done, 4);
    assert_int_equal(model_continuations, 3);
    ops[0].arg1.mfn = frame(d1, 13);
    ops[1].arg1.mfn = frame(d1, 14);
    ops[2].arg1.mfn = frame(d1, 15);
    assert_int_equal(model_mmuext_op(v1, ops, 3, &done, DOMID_SELF), 0);
    assert_int_equal(done, 3);
    assert_int_equal(model_continuations, 5);
    /* Preempted and then failing: *done counts across both calls. */
    r[0] = model_req(l1, 5, MMU_NORMAL_PT_UPDATE, model_pte(data, PTE_P));
    r[1] = model_req(l1, 6, MMU_NORMAL_PT_UPDATE, model_pte(data, PTE_P));
    r[2] = model_req(l1, 7, MMU_NORMAL_PT_UPDATE, model_pte(~0UL >> 20, PTE_P));
    assert_int_not_equal(model_mmu_update(v1, r, 4, &done, DOMID_SELF), 0);
    assert_int_equal(done, 2);
    model_preempt_every = 0;
    model_check();
}

static void test_update_va_mapping(void **state)
{
    struct tree t = make_tree(d1, 0);
    unsigned long data2 = frame(d1, 6), va = model_va(0, 0, 0, 1);
    unsigned int cpu;
    unsigned long loads, invlpgs;
    unsigned long *mask;

    (void)state;
    /* No base pointer yet: no L1 to change. */
    assert_int_equal(model_update_va_mapping(v1, va, 0, 0), -XEN_EINVAL);
    assert_int_equal(pin(v1, 4, t.l4), 0);
    assert_int_equal(ext(v1, MMUEXT_NEW_BASEPTR, t.l4, 0), 0);
    cpu = v1->processor;

    loads = model_cpu[cpu].cr3_loads;
    invlpgs = model_cpu[cpu].invlpgs;
    assert_int_equal(model_update_va_mapping(v1, va,
                                             model_pte(data2, PTE_P | PTE_W),
                                             UVMF_INVLPG | UVMF_LOCAL),
                     0);
    assert_int_equal(type(data2), PGT_writable);
    assert_int_equal(model_table(t.l1)[1] & PTE_ADDR_MASK, data2 << PAGE_SHIFT);
    assert_int_equal(model_cpu[cpu].invlpgs, invlpgs + 1);
    assert_int_equal(
        model_update_va_mapping(v1, va, 0, UVMF_TLB_FLUSH | UVMF_ALL), 0);
    assert_int_equal(model_cpu[cpu].cr3_loads, loads + 1);
    model_check();

    /* A vCPU mask in guest memory, and an unreadable one. */
    mask = model_guest_alloc(sizeof(*mask));
    *mask = 1;
    assert_int_equal(model_update_va_mapping(
                         v1, va, 0, UVMF_TLB_FLUSH | (unsigned long)mask),
                     0);
    assert_int_equal(model_cpu[cpu].cr3_loads, loads + 2);
    assert_int_equal(
        model_update_va_mapping(v1, va, 0, UVMF_INVLPG | MODEL_BAD_GADDR),
        -XEN_EFAULT);

    /* Addresses with no L1 behind them, or not the guest's. */
    assert_int_equal(model_update_va_mapping(v1, model_va(0, 0, 1, 0), 0, 0),
                     -XEN_EINVAL);
    assert_int_equal(model_update_va_mapping(v1, model_va(1, 0, 0, 0), 0, 0),
                     -XEN_EINVAL);
    assert_int_equal(model_update_va_mapping(v1, model_va(256, 0, 0, 0), 0, 0),
                     -XEN_EINVAL);
    assert_int_equal(model_update_va_mapping(v1, 1UL << 47, 0, 0), -XEN_EINVAL);
    /* An entry validation refuses: another domain's frame is -EBUSY. */
    assert_int_equal(
        model_update_va_mapping(v1, va, model_pte(frame(d2, 0), PTE_P), 0),
        -XEN_EBUSY);
    /* A self-mapping L2 makes a walk end on an L2: not an L1. */
    assert_int_equal(mmu(v1, t.l2, 1, model_pte(t.l2, PTE_P)), 0);
    assert_int_equal(model_update_va_mapping(v1, model_va(0, 0, 1, 0), 0, 0),
                     -XEN_EINVAL);
    assert_int_equal(mmu(v1, t.l2, 1, 0), 0);

    /* The privileged domain maps another domain's frame in its own L1:
     * not here -- d0 has no base pointer; d1 may not name d2. */
    assert_int_equal(model_update_va_mapping_otherdomain(
                         v1, va, model_pte(frame(d2, 0), PTE_P), 0, 2),
                     -XEN_EPERM);
    model_check();
}

/* The flush clock: a frame that may still be cached writable somewhere
 * is flushed there before it becomes a table, and only then. */
static void test_flush_clock(void **state)
{
    unsigned long l1 = frame(d1, 10), f = frame(d1, 11);
    struct vcpu *v1b = d1->vcpu[1];
    unsigned int other;
    unsigned long loads, ipis;

    (void)state;
    /* v1 on CPU 0, its second vCPU on CPU 1 (where the guest maps f). */
    model_schedule(v1, 0);
    model_schedule(v1b, 1);
    other = 2;
    model_schedule(NULL, other);
    assert_int_equal(pin(v1b, 1, l1), 0);
    assert_int_equal(mmu(v1b, l1, 0, model_pte(f, PTE_P | PTE_W)), 0);
    model_check(); /* CPUs 0 and 1 may now cache f writable */
    assert_int_equal(mmu(v1b, l1, 0, 0), 0);

    /* Both CPUs running d1 are flushed when f becomes a table; CPU 2
     * flushed long ago and is left alone. */
    loads = model_cpu[0].cr3_loads + model_cpu[1].cr3_loads;
    ipis = model_cpu[0].flush_ipis;
    assert_int_equal(pin(v1b, 1, f), 0);
    assert_int_equal(model_cpu[0].cr3_loads + model_cpu[1].cr3_loads,
                     loads + 2);
    assert_int_equal(model_cpu[0].flush_ipis, ipis + 1);
    assert_int_equal(model_cpu[other].flush_ipis, 0);
    model_check();
    assert_int_equal(unpin(v1b, f), 0);

    /* CPUs 0 and 1 switch after the mapping went: nothing to flush, even
     * though the idle CPU 2 has not flushed since (it runs no guest). */
    assert_int_equal(mmu(v1b, l1, 0, model_pte(f, PTE_P | PTE_W)), 0);
    model_check();
    assert_int_equal(mmu(v1b, l1, 0, 0), 0);
    model_schedule(NULL, 0);
    model_schedule(v1, 0);
    model_schedule(NULL, 1);
    model_schedule(v1b, 1);
    loads = model_cpu[0].cr3_loads + model_cpu[1].cr3_loads;
    assert_int_equal(pin(v1b, 2, f), 0);
    assert_int_equal(model_cpu[0].cr3_loads + model_cpu[1].cr3_loads, loads);
    model_check();
    assert_int_equal(unpin(v1b, f), 0);

    /* Only the CPUs that have not flushed since are flushed: CPU 0 has. */
    assert_int_equal(mmu(v1b, l1, 0, model_pte(f, PTE_P | PTE_W)), 0);
    model_check();
    assert_int_equal(mmu(v1b, l1, 0, 0), 0);
    model_schedule(NULL, 0);
    model_schedule(v1, 0);
    loads = model_cpu[0].cr3_loads;
    ipis = model_cpu[1].cr3_loads;
    assert_int_equal(pin(v1, 1, f), 0);
    assert_int_equal(model_cpu[0].cr3_loads, loads);
    assert_int_equal(model_cpu[1].cr3_loads, ipis + 1);
    model_check();
    assert_int_equal(unpin(v1, f), 0);
    assert_int_equal(unpin(v1b, l1), 0);
}

/* Teardown drops pins, base pointers, descriptor frames and every
 * table's references (also a table kept validated only by a linear
 * entry) and frees every frame. */
static void test_teardown(void **state)
{
    struct tree t = make_tree(d1, 0);
    unsigned long a = frame(d1, 6), b = frame(d1, 7), gdt = frame(d1, 8);
    unsigned long frames[16] = {gdt};
    unsigned long free_before = heap_free_pages();
    unsigned long owned = d1->tot_pages + d1->xenheap_pages;

    (void)state;
    assert_int_equal(pin(v1, 4, t.l4), 0);
    assert_int_equal(ext(v1, MMUEXT_NEW_BASEPTR, t.l4, 0), 0);
    assert_int_equal(ext(v1, MMUEXT_NEW_USER_BASEPTR, t.l4, 0), 0);
    assert_int_equal(pin(v1, 2, a), 0);
    assert_int_equal(pin(v1, 2, b), 0);
    assert_int_equal(mmu(v1, a, 0, model_pte(b, PTE_P)), 0);
    assert_int_equal(mmu(v1, a, 1, model_pte(a, PTE_P)), 0);
    assert_int_equal(unpin(v1, b), 0);
    assert_int_equal(model_set_gdt(v1, frames, 16), 0);
    assert_int_equal(type(gdt), PGT_seg_desc);
    model_check();

    model_domain_kill(d1);
    assert_null(model_domain(1));
    assert_int_equal(heap_free_pages(), free_before + owned);
    for (unsigned long mfn = MODEL_HV_FRAMES; mfn < MODEL_FRAMES; mfn++)
        if (pg(mfn)->state == PGS_free)
            assert_int_equal(pg(mfn)->count_info | pg(mfn)->type_info, 0);
    model_check();
}

/* A frame still mapped by another domain outlives its owner's death,
 * which completes when that mapping goes. */
static void test_teardown_with_foreign_mapping(void **state)
{
    unsigned long l1 = frame(d0, 0), f = frame(d1, 3);
    struct mmu_update r =
        model_req(l1, 0, MMU_NORMAL_PT_UPDATE, model_pte(f, PTE_P | PTE_W));
    struct vcpu *v0 = d0->vcpu[0];

    (void)state;
    assert_int_equal(pin(v0, 1, l1), 0);
    assert_int_equal(model_mmu_update(v0, &r, 1, NULL, 1), 0);
    assert_int_equal(gcount(f), 2);
    model_domain_kill(d1);
    assert_non_null(model_domain(1));
    assert_int_equal(d1->state, DOMSTATE_dying);
    assert_int_equal(d1->tot_pages, 1);
    assert_int_equal(gcount(f), 1);
    model_check();
    r.val = 0;
    assert_int_equal(model_mmu_update(v0, &r, 1, NULL, DOMID_SELF), 0);
    assert_null(model_domain(1));
    assert_int_equal(pg(f)->state, PGS_free);
    assert_int_equal(unpin(v0, l1), 0);
}

/* Giving a frame back: only when nothing uses it; the last reference
 * frees (and scrubs) it. */
static void test_decrease_reservation(void **state)
{
    unsigned long l1 = frame(d1, 10), f = frame(d1, 11);
    unsigned long tot = d1->tot_pages;

    (void)state;
    write(d1, f, 0, 0xdead);
    assert_int_equal(pin(v1, 1, l1), 0);
    assert_int_equal(mmu(v1, l1, 0, model_pte(f, PTE_P)), 0);
    assert_false(model_decrease_reservation(d1, f));
    assert_false(model_decrease_reservation(d1, l1));
    assert_false(model_decrease_reservation(d1, model_shared_info_mfn(d1)));
    assert_int_equal(mmu(v1, l1, 0, 0), 0);
    assert_true(model_decrease_reservation(d1, f));
    assert_int_equal(pg(f)->state, PGS_free);
    assert_int_equal(d1->tot_pages, tot - 1);
    assert_int_equal(model_table(f)[0], 0);
    assert_false(model_decrease_reservation(d1, f));
    assert_int_equal(unpin(v1, l1), 0);
    model_check();
}

/* Descriptor pages: segment-descriptor type, exclusive with writable
 * mappings and with page tables, contents checked. */
static void test_descriptor_pages(void **state)
{
    unsigned long l1 = frame(d1, 10), g = frame(d1, 11);
    unsigned long frames[16] = {g};
    uint64_t code = 0x00af9a000000ffffULL; /* DPL 0 code: raised to 3 */

    (void)state;
    write(d1, g, 1, code);
    assert_int_equal(pin(v1, 1, l1), 0);
    assert_int_equal(mmu(v1, l1, 0, model_pte(g, PTE_P | PTE_W)), 0);
    assert_int_equal(model_set_gdt(v1, frames, 512), -XEN_EINVAL);
    assert_int_equal(mmu(v1, l1, 0, model_pte(g, PTE_P)), 0);
    assert_int_equal(model_set_gdt(v1, frames, 512), 0);
    assert_int_equal(type(g), PGT_seg_desc);
    assert_int_equal((model_table(g)[1] >> 45) & 3, 3);
    assert_int_equal(mmu(v1, l1, 1, model_pte(g, PTE_P | PTE_W)), -XEN_EBUSY);
    assert_int_equal(pin(v1, 1, g), -XEN_EINVAL);
    /* A TSS descriptor is refused, a data descriptor accepted. */
    assert_int_equal(model_update_descriptor(v1, (g << PAGE_SHIFT) + 16,
                                             0x0000890000000067ULL),
                     -XEN_EINVAL);
    assert_int_equal(model_update_descriptor(v1, (g << PAGE_SHIFT) + 16,
                                             0x00cff2000000ffffULL),
                     0);
    model_check();
    frames[0] = frame(d1, 12);
    assert_int_equal(model_set_gdt(v1, frames, 512), 0);
    assert_int_equal(tcount(g), 0);
    assert_int_equal(mmu(v1, l1, 0, model_pte(g, PTE_P | PTE_W)), 0);
    assert_int_equal(mmu(v1, l1, 0, 0), 0);
    assert_int_equal(unpin(v1, l1), 0);
    model_check();
}

static void test_ldt(void **state)
{
    struct tree t = make_tree(d1, 0);
    struct mmuext_op op = {.cmd = MMUEXT_SET_LDT};
    unsigned long va = model_va(0, 0, 0, 0);

    (void)state;
    assert_int_equal(pin(v1, 4, t.l4), 0);
    assert_int_equal(ext(v1, MMUEXT_NEW_BASEPTR, t.l4, 0), 0);
    op.arg1.linear_addr = va;
    op.arg2.nr_ents = 16;
    /*
     * The LDT's page is mapped writable: accepted, as Xen does, but not
     * made a descriptor page; it is mapped on first use, or the guest
     * gets the #PF (pv_ldt_page_fault, tested by the guests).
     */
    assert_int_equal(model_mmuext_op(v1, &op, 1, NULL, DOMID_SELF), 0);
    assert_int_equal(type(t.data), PGT_writable);
    model_check();
    assert_int_equal(mmu(v1, t.l1, 0, model_pte(t.data, PTE_P)), 0);
    assert_int_equal(model_mmuext_op(v1, &op, 1, NULL, DOMID_SELF), 0);
    assert_int_equal(type(t.data), PGT_seg_desc);
    model_check();
    op.arg2.nr_ents = 0;
    assert_int_equal(model_mmuext_op(v1, &op, 1, NULL, DOMID_SELF), 0);
    assert_int_equal(tcount(t.data), 0);
    op.arg1.linear_addr = va + 8;
    op.arg2.nr_ents = 1;
    assert_int_equal(model_mmuext_op(v1, &op, 1, NULL, DOMID_SELF),
                     -XEN_EINVAL);
    model_check();
}

/*
 * shared_info is written by the hypervisor (event bits, time): shared
 * with a permanent writable type, as Xen does, it can never become a
 * page table or a descriptor page, whatever the guest left in it.
 */
static void test_shared_info_stays_writable(void **state)
{
    unsigned long si = model_shared_info_mfn(d1), l1 = frame(d1, 10);
    unsigned long frames[16] = {si};

    (void)state;
    assert_int_equal(type(si), PGT_writable);
    assert_int_equal(tcount(si), 1);
    for (unsigned int level = 1; level <= 4; level++)
        assert_int_equal(pin(v1, level, si), -XEN_EINVAL);
    assert_int_equal(model_set_gdt(v1, frames, 512), -XEN_EINVAL);
    write(d1, l1, 0, model_pte(si, PTE_P));
    assert_int_equal(pin(v1, 2, l1), -XEN_EINVAL);
    write(d1, l1, 0, 0);
    /* Mapping it, writable too, works as before. */
    assert_int_equal(pin(v1, 1, l1), 0);
    assert_int_equal(mmu(v1, l1, 0, model_pte(si, PTE_P | PTE_W)), 0);
    assert_int_equal(tcount(si), 2);
    assert_int_equal(mmu(v1, l1, 0, 0), 0);
    assert_int_equal(tcount(si), 1);
    assert_int_equal(unpin(v1, l1), 0);
    model_check();
    /* It goes with its domain. */
    model_domain_kill(d1);
    assert_int_equal(pg(si)->state, PGS_free);
    assert_int_equal(pg(si)->type_info, 0);
}

/*
 * foreigndom names the owner of the data frames an L1 entry maps; page
 * tables only ever refer to their own domain's tables (Xen refuses L2-L4
 * updates whose data owner is not the table owner).
 */
static void test_foreign_mmu_update(void **state)
{
    struct vcpu *v0 = d0->vcpu[0];
    unsigned long l1 = frame(d0, 0), l2 = frame(d0, 1), f = frame(d2, 2);
    unsigned long d1l2 = frame(d1, 10), d1l1 = frame(d1, 11);
    struct mmu_update r;

    (void)state;
    assert_int_equal(pin(v0, 1, l1), 0);
    assert_int_equal(pin(v0, 2, l2), 0);
    /* dom0 maps d2's frame in its own L1. */
    r = model_req(l1, 0, MMU_NORMAL_PT_UPDATE, model_pte(f, PTE_P | PTE_W));
    assert_int_equal(model_mmu_update(v0, &r, 1, NULL, 2), 0);
    assert_int_equal(type(f), PGT_writable);
    model_check();
    /* ...but its L2 cannot refer to d2's frame as a table. */
    r = model_req(l2, 0, MMU_NORMAL_PT_UPDATE, model_pte(f, PTE_P));
    assert_int_equal(model_mmu_update(v0, &r, 1, NULL, 2), -XEN_EINVAL);
    r = model_req(l2, 0, MMU_NORMAL_PT_UPDATE, model_pte(frame(d2, 3), PTE_P));
    assert_int_equal(model_mmu_update(v0, &r, 1, NULL, 2), -XEN_EINVAL);
    assert_int_equal(tcount(frame(d2, 3)), 0);
    model_check();
    /* dom0 edits d1's tables, entries referring to d1's frames. */
    assert_int_equal(pin(v1, 2, d1l2), 0);
    r = model_req(d1l2, 0, MMU_NORMAL_PT_UPDATE, model_pte(d1l1, PTE_P));
    assert_int_equal(model_mmu_update(v0, &r, 1, NULL, (1 + 1) << 16 | 1), 0);
    assert_int_equal(type(d1l1), PGT_l1_table);
    /* Table owner d1, data owner d2: refused for an L2. */
    r = model_req(d1l2, 1, MMU_NORMAL_PT_UPDATE, model_pte(f, PTE_P));
    assert_int_equal(model_mmu_update(v0, &r, 1, NULL, (1 + 1) << 16 | 2),
                     -XEN_EINVAL);
    model_check();
    r = model_req(l1, 0, MMU_NORMAL_PT_UPDATE, 0);
    assert_int_equal(model_mmu_update(v0, &r, 1, NULL, DOMID_SELF), 0);
    assert_int_equal(unpin(v1, d1l2), 0);
}

/* Allocates frames to d until mfn comes back from the heap. */
static void realloc_until(struct domain *d, unsigned long mfn)
{
    for (unsigned int i = 0; i < MODEL_FRAMES; i++)
        if (model_alloc_frame(d) == mfn)
            return;
    fail_msg("mfn %#lx never came back from the heap", mfn);
}

/*
 * A guest may unmap a frame without flushing and give it back: before the
 * heap hands it out again, every CPU that may still hold a translation
 * and has not flushed since the frame was freed is flushed (idle CPUs
 * hold none); once they have all flushed, nothing is.
 */
static void test_freed_frame_flushed_before_reuse(void **state)
{
    unsigned long l1 = frame(d1, 10), f = frame(d1, 11);
    unsigned long loads[MODEL_CPUS];

    (void)state;
    model_schedule(NULL, 0);
    model_schedule(v1, 1);
    model_schedule(v2, 2);
    assert_int_equal(pin(v1, 1, l1), 0);
    assert_int_equal(mmu(v1, l1, 0, model_pte(f, PTE_P | PTE_W)), 0);
    model_check(); /* CPU 1 may cache f from here on */
    assert_int_equal(mmu(v1, l1, 0, 0), 0);
    assert_true(model_decrease_reservation(d1, f));
    for (unsigned int c = 0; c < MODEL_CPUS; c++)
        loads[c] = model_cpu[c].cr3_loads;
    realloc_until(d2, f);
    assert_int_equal(model_cpu[0].cr3_loads, loads[0]);
    assert_int_equal(model_cpu[1].cr3_loads, loads[1] + 1);
    assert_int_equal(model_cpu[2].cr3_loads, loads[2] + 1);
    model_check();

    /* Freed, then every running CPU switches: no flush on reuse. */
    assert_int_equal(mmu(v1, l1, 0, model_pte(frame(d1, 12), PTE_P)), 0);
    assert_int_equal(mmu(v1, l1, 0, 0), 0);
    f = frame(d1, 12);
    assert_true(model_decrease_reservation(d1, f));
    model_schedule(d1->vcpu[1], 1);
    model_schedule(d2->vcpu[1], 2);
    for (unsigned int c = 0; c < MODEL_CPUS; c++)
        loads[c] = model_cpu[c].cr3_loads;
    realloc_until(d2, f);
    for (unsigned int c = 0; c < MODEL_CPUS; c++)
        assert_int_equal(model_cpu[c].cr3_loads, loads[c]);
    assert_int_equal(unpin(v1, l1), 0);
    model_check();
}

/*
 * Linear entries go one level deep, as in Xen (XSA-240): a table with
 * linear entries is never the target of one and a target never gets
 * any, so tables cannot keep each other validated in a cycle and
 * devalidation never recurses down a chain of them.
 */
static void test_linear_chains_refused(void **state)
{
    (void)state;
    for (unsigned int level = 2; level <= 4; level++) {
        unsigned long a = frame(d1, 10), b = frame(d1, 11), c = frame(d1, 12);
        unsigned long n = frame(d1, 13);

        assert_int_equal(pin(v1, level, a), 0);
        assert_int_equal(pin(v1, level, b), 0);
        assert_int_equal(pin(v1, level, c), 0);
        assert_int_equal(mmu(v1, a, 0, model_pte(b, PTE_P)), 0);
        /* b is a target: no linear entries of its own... */
        assert_int_equal(mmu(v1, b, 0, model_pte(c, PTE_P)), -XEN_EINVAL);
        assert_int_equal(mmu(v1, b, 0, model_pte(a, PTE_P)), -XEN_EINVAL);
        /* ...a has linear entries: no table may refer to it linearly. */
        assert_int_equal(mmu(v1, c, 0, model_pte(a, PTE_P)), -XEN_EINVAL);
        /* More entries to the same target, and self-maps, are fine. */
        assert_int_equal(mmu(v1, a, 1, model_pte(b, PTE_P)), 0);
        assert_int_equal(mmu(v1, c, 1, model_pte(b, PTE_P)), 0);
        assert_int_equal(mmu(v1, b, 2, model_pte(b, PTE_P)), 0);
        assert_int_equal(mmu(v1, a, 2, model_pte(a, PTE_P)), 0);
        /* Rewriting a linear entry in place keeps it. */
        assert_int_equal(mmu(v1, a, 1, model_pte(b, PTE_P | PTE_A)), 0);
        model_check();
        /* With the entries gone, the roles may change. */
        assert_int_equal(mmu(v1, a, 0, 0), 0);
        assert_int_equal(mmu(v1, a, 1, 0), 0);
        assert_int_equal(mmu(v1, c, 1, 0), 0);
        assert_int_equal(mmu(v1, b, 0, model_pte(c, PTE_P)), 0);
        assert_int_equal(mmu(v1, c, 0, model_pte(a, PTE_P)), -XEN_EINVAL);
        model_check();
        /* Validation follows the same rule: n's entry to b (which has a
         * linear entry now) fails, so n cannot be pinned. */
        write(d1, n, 0, model_pte(b, PTE_P));
        assert_int_equal(pin(v1, level, n), -XEN_EINVAL);
        write(d1, n, 0, model_pte(c, PTE_P));
        assert_int_equal(pin(v1, level, n), 0);
        model_check();
        assert_int_equal(unpin(v1, n), 0);
        write(d1, n, 0, 0);
        assert_int_equal(mmu(v1, b, 0, 0), 0);
        assert_int_equal(mmu(v1, b, 2, 0), 0);
        assert_int_equal(mmu(v1, a, 2, 0), 0);
        for (unsigned long t = a; t <= c; t++)
            assert_int_equal(unpin(v1, t), 0);
        model_check();
    }
}

/* Set up by test_flush_clock_race for its mid-flush hook. */
static unsigned long race_l1, race_f;

/*
 * Runs on CPU 1 between its CR3 write and the rest of its flush: CPU 1
 * touches f again (re-caching it), then CPU 0 drops the last writable
 * mapping of f.
 */
static void unmap_during_flush(void)
{
    model_note_writable(d1, race_f);
    assert_int_equal(mmu(v1, race_l1, 0, 0), 0);
    model_enter(d1->vcpu[1]);
}

/*
 * The flush clock must tick before a CPU's flush, not after it: a CPU
 * that re-cached a frame just after its CR3 write, while another CPU
 * dropped the frame's writable mapping, has not flushed since.
 */
static void test_flush_clock_race(void **state)
{
    struct vcpu *v1b = d1->vcpu[1];
    unsigned long loads;

    (void)state;
    race_l1 = frame(d1, 10);
    race_f = frame(d1, 11);
    model_schedule(v1, 0);
    model_schedule(v1b, 1);
    model_schedule(NULL, 2);
    assert_int_equal(pin(v1, 1, race_l1), 0);
    assert_int_equal(mmu(v1, race_l1, 0, model_pte(race_f, PTE_P | PTE_W)), 0);
    model_check();
    model_mid_flush_hook = unmap_during_flush;
    model_toggle_mode(v1b); /* CPU 1 flushes; the unmap happens mid-way */
    assert_null(model_mid_flush_hook);
    assert_int_equal(ext(v1, MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0); /* CPU 0 */
    loads = model_cpu[1].cr3_loads;
    assert_int_equal(pin(v1, 1, race_f), 0);
    assert_int_equal(model_cpu[1].cr3_loads, loads + 1);
    model_check();
    assert_int_equal(unpin(v1, race_f), 0);
    assert_int_equal(unpin(v1, race_l1), 0);
}

/* Xen's answers where the caller gets the domains or the command wrong. */
static void test_mmu_update_codes(void **state)
{
    unsigned long l1 = frame(d1, 10), data = frame(d1, 11);
    struct vcpu *v0 = d0->vcpu[0];
    struct mmu_update r;

    (void)state;
    assert_int_equal(pin(v1, 1, l1), 0);
    /* The command is the low 3 bits of ptr: 4-7 are unknown. */
    for (unsigned int cmd = 4; cmd < 8; cmd++) {
        r = model_req(l1, 0, 0, model_pte(data, PTE_P));
        r.ptr |= cmd;
        assert_int_equal(model_mmu_update(v1, &r, 1, NULL, DOMID_SELF),
                         -XEN_ENOSYS);
    }
    r = model_req(data, 0, MMU_MACHPHYS_UPDATE, 7);
    r.ptr |= 4;
    assert_int_equal(model_mmu_update(v1, &r, 1, NULL, DOMID_SELF),
                     -XEN_ENOSYS);
    /* MMU_PT_UPDATE_NO_TRANSLATE: a normal update for a PV guest. */
    r = model_req(l1, 0, MMU_PT_UPDATE_NO_TRANSLATE, model_pte(data, PTE_P));
    assert_int_equal(model_mmu_update(v1, &r, 1, NULL, DOMID_SELF), 0);
    assert_int_equal(gcount(data), 2);
    r.val = 0;
    assert_int_equal(model_mmu_update(v1, &r, 1, NULL, DOMID_SELF), 0);

    /* Foreign domains: a missing one is -ESRCH before any permission
     * check; naming oneself by number is not naming oneself. */
    r = model_req(l1, 0, MMU_NORMAL_PT_UPDATE, 0);
    assert_int_equal(model_mmu_update(v1, &r, 1, NULL, 3), -XEN_ESRCH);
    assert_int_equal(model_mmu_update(v1, &r, 1, NULL, 1), -XEN_ESRCH);
    assert_int_equal(model_mmu_update(v1, &r, 1, NULL, DOMID_IO), -XEN_ESRCH);
    assert_int_equal(model_mmu_update(v1, &r, 1, NULL, 2), -XEN_EPERM);
    assert_int_equal(model_mmu_update(v1, &r, 1, NULL, (3 + 1) << 16),
                     -XEN_ESRCH);
    assert_int_equal(model_mmu_update(v1, &r, 1, NULL, (2 + 1) << 16),
                     -XEN_EPERM);
    /* The tables' owner may be oneself by number. */
    assert_int_equal(
        model_mmu_update(v1, &r, 1, NULL, (1 + 1) << 16 | DOMID_SELF), 0);
    /* The M2P is the caller's own business. */
    r = model_req(data, 0, MMU_MACHPHYS_UPDATE, 5);
    assert_int_equal(model_mmu_update(v0, &r, 1, NULL, (1 + 1) << 16 | 1),
                     -XEN_EPERM);
    assert_int_equal(model_mmu_update(v0, &r, 1, NULL, 1), 0);
    assert_int_equal(unpin(v1, l1), 0);
    model_check();
}

static void test_mmuext_codes(void **state)
{
    struct vcpu *v0 = d0->vcpu[0];
    struct mmuext_op op = {.cmd = MMUEXT_TLB_FLUSH_LOCAL};
    static const unsigned int own_only[] = {
        MMUEXT_TLB_FLUSH_LOCAL, MMUEXT_INVLPG_LOCAL, MMUEXT_TLB_FLUSH_MULTI,
        MMUEXT_INVLPG_MULTI,    MMUEXT_TLB_FLUSH_ALL, MMUEXT_INVLPG_ALL,
        MMUEXT_FLUSH_CACHE,     MMUEXT_FLUSH_CACHE_GLOBAL, MMUEXT_SET_LDT,
        MMUEXT_NEW_BASEPTR,     MMUEXT_NEW_USER_BASEPTR,
    };
    unsigned long *mask = model_guest_alloc(sizeof(*mask));

    (void)state;
    /* Acting for another domain: only pins, unpins and page copies. */
    for (size_t i = 0; i < ARRAY_SIZE(own_only); i++) {
        memset(&op, 0, sizeof(op));
        op.cmd = own_only[i];
        op.arg2.vcpumask.p = mask;
        assert_int_equal(model_mmuext_op(v0, &op, 1, NULL, 1), -XEN_EPERM);
    }
    assert_int_equal(model_mmuext_op(v1, &op, 1, NULL, 1), -XEN_ESRCH);
    assert_int_equal(model_mmuext_op(v1, &op, 1, NULL, 3), -XEN_ESRCH);
    op.cmd = MMUEXT_CLEAR_PAGE;
    op.arg1.mfn = frame(d1, 3);
    assert_int_equal(model_mmuext_op(v0, &op, 1, NULL, 1), 0);
    /* Cache flushes: refused differently, as Xen does. */
    assert_int_equal(ext(v1, MMUEXT_FLUSH_CACHE, 0, 0), -XEN_EACCES);
    assert_int_equal(ext(v1, MMUEXT_FLUSH_CACHE_GLOBAL, 0, 0), -XEN_EINVAL);
    /* Superpages are not supported. */
    assert_int_equal(ext(v1, MMUEXT_MARK_SUPER, frame(d1, 3), 0),
                     -XEN_EOPNOTSUPP);
    assert_int_equal(ext(v1, MMUEXT_UNMARK_SUPER, frame(d1, 3), 0),
                     -XEN_EOPNOTSUPP);
    /* An unreadable vCPU mask, whatever the address. */
    op.cmd = MMUEXT_TLB_FLUSH_MULTI;
    op.arg2.vcpumask.p = (void *)MODEL_BAD_GADDR;
    assert_int_equal(model_mmuext_op(v1, &op, 1, NULL, DOMID_SELF),
                     -XEN_EINVAL);
    op.cmd = MMUEXT_INVLPG_MULTI;
    op.arg1.linear_addr = 0xffff830000000000UL;
    assert_int_equal(model_mmuext_op(v1, &op, 1, NULL, DOMID_SELF),
                     -XEN_EINVAL);
    op.arg2.vcpumask.p = mask;
    assert_int_equal(model_mmuext_op(v1, &op, 1, NULL, DOMID_SELF), 0);
    model_check();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_tree_pins_and_validates),
        T(test_validation_flags_by_level),
        T(test_validation_ignores_non_present),
        T(test_l1_targets),
        T(test_upper_level_targets),
        T(test_linear_entries),
        T(test_linear_chains_refused),
        T(test_l4_hypervisor_slots),
        T(test_writable_table_exclusion),
        T(test_pin_unpin_errors),
        T(test_base_pointers),
        T(test_devalidation_releases_everything),
        T(test_mmu_update_errors),
        T(test_foreign_pin),
        T(test_foreign_mmu_update),
        T(test_mmuext_misc),
        T(test_mmu_update_codes),
        T(test_mmuext_codes),
        T(test_partial_batches),
        T(test_update_va_mapping),
        T(test_flush_clock),
        T(test_flush_clock_race),
        T(test_freed_frame_flushed_before_reuse),
        T(test_teardown),
        T(test_teardown_with_foreign_mapping),
        T(test_decrease_reservation),
        T(test_descriptor_pages),
        T(test_ldt),
        T(test_shared_info_stays_writable),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
