/* SPDX-License-Identifier: MIT */
/*
 * Fuzzing the PV MMU: random mmu_update / mmuext_op / update_va_mapping
 * sequences, page writes, frames given back and reallocated, context
 * switches and domain teardown, run by the real pv/mm.c, pv/mm_ops.c,
 * pv/descriptor_tables.c, common/domheap.c and page_alloc.c on the model
 * machine of tests/unit/hypervisor/mm_model.c, with every invariant of
 * mm_check.c checked after each step (counts recomputed from the tables,
 * validation, ownership, the heap, stale TLB entries).  At the end every
 * domain is torn down and every frame must be back in the heap.
 *
 * The input is a sequence of steps; each starts with an opcode byte and
 * takes the bytes it needs after it (zeros past the end):
 *
 *   issuer    byte: domain (low 2 bits) and vCPU (bit 4)
 *   frame     byte: 0x00-0x7f the issuer's own frame n % 32; 0x80-0x9f a
 *             frame of domain (b >> 3) & 3; 0xa0-0xbf shared_info of
 *             domain b & 3; 0xc0-0xdf machine frame b & 31 (the
 *             hypervisor's); 0xe0-0xff a frame past the frame table
 *   slot      byte: bit 7 clear: one of 16 interesting slots; set: 2 * b
 *   pte       frame byte, then a flags byte: P unless bit 4; bit 0 RW,
 *             bit 1 USER, bit 2 A|D, bit 3 NX; bits 5-7: 1 PSE, 2 GLOBAL,
 *             3 PWT|PCD, 4 available bits, 5 eight raw bytes follow and
 *             are the entry, 6 a zero entry
 *   foreign   byte: mostly DOMID_SELF; else a domain for the data frames,
 *             and maybe one for the tables; or a domain that is not there
 *
 * Steps (opcode % NR_STEPS): mmu_update batch, mmuext_op batch,
 * update_va_mapping(_otherdomain), a guest page write, pin, a frame
 * given back, a frame allocated, a context switch, a kernel/user mode
 * switch, domain teardown, domain creation, set_gdt, update_descriptor.
 * tests/fuzz/pvmm/make-corpus.py writes seeds in this format.
 */
#include "mm_model.h"

#include <asm/pv.h>
#include <pvisor/hypercall.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PVMM_TRACE=1 in the environment prints every step and its result. */
static int trace = -1;
#define TRACE(...)                                                             \
    do {                                                                       \
        if (trace)                                                             \
            fprintf(stderr, __VA_ARGS__);                                      \
    } while (0)

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

static uint64_t u64(struct input *in)
{
    uint64_t v = 0;

    for (unsigned int i = 0; i < 8; i++)
        v |= (uint64_t)u8(in) << (8 * i);
    return v;
}

/* The issuing vCPU, or NULL if its domain is not running. */
static struct vcpu *issuer(struct input *in)
{
    uint8_t b = u8(in);
    struct domain *d = model_domain(b & 3);

    if (!d || d->state != DOMSTATE_active)
        return NULL;
    return d->vcpu[(b >> 4) & 1];
}

static unsigned long frame(struct input *in, const struct domain *self)
{
    uint8_t b = u8(in);
    const struct domain *d;

    if (b < 0x80) {
        unsigned long n = self->tot_pages ? (b & 31) % self->tot_pages : 0;

        return model_frame(self, (unsigned int)n);
    }
    if (b < 0xa0) {
        d = model_domain((b >> 3) & 3);
        return d ? model_frame(d, b & 7) : 0;
    }
    if (b < 0xc0) {
        d = model_domain(b & 3);
        return d ? model_shared_info_mfn(d) : 0;
    }
    if (b < 0xe0)
        return b & 31;
    return (b & 1) ? ~0UL >> PAGE_SHIFT : MODEL_FRAMES + (b & 15);
}

static unsigned int slot(struct input *in)
{
    static const uint16_t slots[16] = {0,   1,   2,   3,   0, 1, 255, 256,
                                       260, 271, 272, 511, 4, 5, 6,   7};
    uint8_t b = u8(in);

    return b & 0x80 ? 2U * (b & 0x7f) + 1 : slots[b & 15];
}

static uint64_t pte(struct input *in, const struct domain *self)
{
    unsigned long mfn = frame(in, self);
    uint8_t f = u8(in);
    uint64_t e = model_pte(mfn, (f & 0x10) ? 0 : PTE_P);

    if (f & 1)
        e |= PTE_W;
    if (f & 2)
        e |= PTE_U;
    if (f & 4)
        e |= PTE_A | PTE_D;
    if (f & 8)
        e |= PTE_NX;
    switch (f >> 5) {
    case 1:
        return e | PTE_PSE;
    case 2:
        return e | PTE_G;
    case 3:
        return e | PTE_PWT | PTE_PCD;
    case 4:
        return e | (7UL << 9) | (1UL << 52) | (1UL << 62);
    case 5:
        return u64(in);
    case 6:
        return 0;
    default:
        return e;
    }
}

/* The foreigndom argument, and the domains it names for the tables
 * (*pt) and the data frames (*pg). */
static unsigned int foreign(struct input *in, struct domain *self,
                            struct domain **pt, struct domain **pg)
{
    uint8_t b = u8(in);
    unsigned int dom = (b >> 2) & 3, ptdom = (b >> 4) & 3;

    *pt = *pg = self;
    switch (b & 3) {
    case 0:
    case 1:
        return DOMID_SELF;
    case 2:
        *pg = model_domain(dom) ? model_domain(dom) : self;
        return b & 0x80 ? 7 : dom; /* 7: no such domain */
    default:
        *pg = model_domain(dom) ? model_domain(dom) : self;
        *pt = model_domain(ptdom) ? model_domain(ptdom) : self;
        return ((ptdom + 1) << 16) | dom;
    }
}

static void set_preemption(struct input *in)
{
    uint8_t b = u8(in);

    model_preempt_every = (b & 1) ? 1 + ((b >> 1) & 3) : 0;
}

static void step_mmu_update(struct input *in)
{
    static const uint8_t cmds[8] = {0, 0, 0, 2, 1, 3, 4, 6};
    struct vcpu *v = issuer(in);
    struct domain *pt, *pg;
    struct mmu_update r[4];
    unsigned int n = 1 + (u8(in) & 3), fd, done = 0;
    long rc;

    if (!v)
        return;
    fd = foreign(in, v->domain, &pt, &pg);
    for (unsigned int i = 0; i < n; i++) {
        unsigned int cmd = cmds[u8(in) & 7];
        unsigned long mfn = frame(in, pt);
        unsigned int s = slot(in);

        r[i] = model_req(mfn, s, cmd, pte(in, pg));
    }
    set_preemption(in);
    rc = model_mmu_update(v, r, n, &done, fd);
    model_preempt_every = 0;
    TRACE("d%u.%u mmu_update fd %#x:", v->domain->domain_id, v->vcpu_id, fd);
    for (unsigned int i = 0; i < n; i++)
        TRACE(" %#lx=%#lx", (unsigned long)r[i].ptr, (unsigned long)r[i].val);
    TRACE(" -> %ld, done %u\n", rc, done);
    if (done > n)
        model_fail("mmu_update did %u of %u", done, n);
}

static unsigned long vaddr(struct input *in)
{
    static const uint16_t idx[8] = {0, 1, 2, 3, 256, 271, 272, 511};
    uint8_t a = u8(in), b = u8(in);

    return model_va(idx[a & 7], idx[(a >> 3) & 7], idx[b & 7],
                    idx[(b >> 3) & 7]) |
           ((a & 0x80) ? 8 : 0);
}

static unsigned long vcpumask(struct input *in)
{
    uint8_t b = u8(in);
    unsigned long *mask;

    if (b & 0x80)
        return MODEL_BAD_GADDR;
    mask = model_guest_alloc(sizeof(*mask));
    *mask = b & 7;
    return (unsigned long)mask;
}

static void step_mmuext(struct input *in)
{
    static const unsigned int ents[8] = {0, 1, 16, 512, 8192, 8193, 3, 0};
    struct vcpu *v = issuer(in);
    struct domain *pt, *pg;
    struct mmuext_op ops[2];
    unsigned int n = 1 + (u8(in) & 1), fd, done = 0;
    long rc;

    if (!v)
        return;
    fd = foreign(in, v->domain, &pt, &pg);
    model_guest_reset();
    for (unsigned int i = 0; i < n; i++) {
        struct mmuext_op *op = &ops[i];
        uint8_t c = u8(in);

        memset(op, 0, sizeof(*op));
        op->cmd = c % 22 == 21 ? 99 : c % 22;
        switch (op->cmd) {
        case MMUEXT_INVLPG_LOCAL:
        case MMUEXT_INVLPG_MULTI:
        case MMUEXT_INVLPG_ALL:
        case MMUEXT_SET_LDT:
            op->arg1.linear_addr = vaddr(in);
            break;
        default:
            op->arg1.mfn = frame(in, pg);
            break;
        }
        switch (op->cmd) {
        case MMUEXT_TLB_FLUSH_MULTI:
        case MMUEXT_INVLPG_MULTI:
            op->arg2.vcpumask.p = (void *)vcpumask(in);
            break;
        case MMUEXT_COPY_PAGE:
            op->arg2.src_mfn = frame(in, pg);
            break;
        default:
            op->arg2.nr_ents = ents[u8(in) & 7];
            break;
        }
    }
    set_preemption(in);
    rc = model_mmuext_op(v, ops, n, &done, fd);
    model_preempt_every = 0;
    TRACE("d%u.%u mmuext_op fd %#x:", v->domain->domain_id, v->vcpu_id, fd);
    for (unsigned int i = 0; i < n; i++)
        TRACE(" %u(%#lx,%#lx)", ops[i].cmd, ops[i].arg1.mfn,
              (unsigned long)ops[i].arg2.src_mfn);
    TRACE(" -> %ld, done %u\n", rc, done);
    if (done > n)
        model_fail("mmuext_op did %u of %u", done, n);
}

static void step_update_va_mapping(struct input *in)
{
    static const unsigned long flush[4] = {UVMF_NONE, UVMF_INVLPG | UVMF_LOCAL,
                                           UVMF_TLB_FLUSH | UVMF_ALL,
                                           UVMF_INVLPG | UVMF_ALL};
    struct vcpu *v = issuer(in);
    uint8_t b = u8(in);
    unsigned long va, flags;
    struct domain *pg;
    uint64_t e;
    long rc;

    if (!v)
        return;
    pg = (b & 0x40) && model_domain((b >> 4) & 3) ? model_domain((b >> 4) & 3)
                                                  : v->domain;
    va = vaddr(in);
    e = pte(in, pg);
    model_guest_reset();
    flags = (b & 8) ? ((b & 1) ? UVMF_INVLPG : UVMF_TLB_FLUSH) | vcpumask(in)
                    : flush[b & 3];
    if (b & 0x40)
        rc =
            model_update_va_mapping_otherdomain(v, va, e, flags, pg->domain_id);
    else
        rc = model_update_va_mapping(v, va, e, flags);
    TRACE("d%u.%u update_va_mapping(%#lx, %#lx, %#lx) d%u -> %ld\n",
          v->domain->domain_id, v->vcpu_id, va, (unsigned long)e, flags,
          pg->domain_id, rc);
}

static void step_write(struct input *in)
{
    struct vcpu *v = issuer(in);
    unsigned long mfn;
    unsigned int s;
    uint64_t e;

    if (!v)
        return;
    mfn = frame(in, v->domain);
    s = slot(in);
    e = pte(in, v->domain);
    model_enter(v);
    TRACE("d%u writes %#lx[%u] = %#lx -> %d\n", v->domain->domain_id, mfn, s,
          (unsigned long)e, model_guest_write(v->domain, mfn, s, e));
}

static void step_pin(struct input *in)
{
    struct vcpu *v = issuer(in);
    uint8_t b = u8(in);
    struct mmuext_op op = {.cmd = b & 4 ? MMUEXT_UNPIN_TABLE
                                        : MMUEXT_PIN_L1_TABLE + (b & 3)};

    if (!v)
        return;
    op.arg1.mfn = frame(in, v->domain);
    TRACE("d%u %s %#lx -> %ld\n", v->domain->domain_id,
          op.cmd == MMUEXT_UNPIN_TABLE ? "unpin" : "pin", op.arg1.mfn,
          model_mmuext_op(v, &op, 1, NULL, DOMID_SELF));
}

static void step_give_back(struct input *in)
{
    struct vcpu *v = issuer(in);

    unsigned long mfn;

    if (!v)
        return;
    mfn = frame(in, v->domain);
    TRACE("d%u gives back %#lx -> %d\n", v->domain->domain_id, mfn,
          model_decrease_reservation(v->domain, mfn));
}

static void step_alloc(struct input *in)
{
    struct vcpu *v = issuer(in);

    if (v)
        TRACE("d%u allocates %#lx\n", v->domain->domain_id,
              model_alloc_frame(v->domain));
}

static void step_schedule(struct input *in)
{
    uint8_t b = u8(in);
    struct vcpu *v = issuer(in);

    model_schedule((b & 0x80) ? NULL : v, b % MODEL_CPUS);
    TRACE("cpu %u runs %s%u.%u\n", b % MODEL_CPUS,
          (b & 0x80) || !v ? "idle " : "d",
          v && !(b & 0x80) ? v->domain->domain_id : 0,
          v && !(b & 0x80) ? v->vcpu_id : 0);
}

static void step_toggle(struct input *in)
{
    struct vcpu *v = issuer(in);

    if (v) {
        model_toggle_mode(v);
        TRACE("d%u.%u to %s mode\n", v->domain->domain_id, v->vcpu_id,
              v->arch.kernel_mode ? "kernel" : "user");
    }
}

static void step_kill(struct input *in)
{
    struct domain *d = model_domain(u8(in) & 3);

    if (d) {
        TRACE("kill d%u\n", d->domain_id);
        model_domain_kill(d);
    }
}

static void step_create(struct input *in)
{
    uint8_t b = u8(in);

    TRACE("create d%u -> %p\n", b & 3,
          (void *)model_domain_create(b & 3, (b & 3) == 0, (b >> 2) % 24));
}

static void step_set_gdt(struct input *in)
{
    static const unsigned int ents[4] = {0, 512, 1024, 8193};
    struct vcpu *v = issuer(in);
    unsigned long frames[16] = {0};
    uint8_t b = u8(in);

    if (!v)
        return;
    frames[0] = frame(in, v->domain);
    frames[1] = frame(in, v->domain);
    TRACE("d%u set_gdt(%#lx, %#lx) -> %ld\n", v->domain->domain_id, frames[0],
          frames[1], model_set_gdt(v, frames, ents[b & 3] - ((b >> 2) & 1)));
}

static void step_update_descriptor(struct input *in)
{
    static const uint64_t descs[8] = {
        0,                     /* not present */
        0x00af9a000000ffffULL, /* 64-bit code, DPL 0 */
        0x00cff2000000ffffULL, /* data, DPL 3 */
        0x0000890000000067ULL, /* TSS */
        0x0000820000000000ULL, /* LDT */
        0x00008c0000000000ULL, /* call gate */
        0x0000800000000000ULL, /* present system type 0 */
        1,
    };
    struct vcpu *v = issuer(in);
    unsigned long mfn;
    unsigned int s;
    uint8_t b;

    if (!v)
        return;
    mfn = frame(in, v->domain);
    s = slot(in);
    b = u8(in);
    TRACE("d%u update_descriptor(%#lx[%u]) -> %ld\n", v->domain->domain_id, mfn,
          s,
          model_update_descriptor(
              v, ((uint64_t)mfn << PAGE_SHIFT) + 8 * s + ((b & 8) ? 4 : 0),
              (b & 0x80) ? u64(in) : descs[b & 7]));
}

static void (*const steps[])(struct input *) = {
    step_mmu_update,
    step_mmu_update,
    step_mmuext,
    step_mmuext,
    step_update_va_mapping,
    step_write,
    step_write,
    step_write,
    step_pin,
    step_pin,
    step_give_back,
    step_alloc,
    step_schedule,
    step_toggle,
    step_kill,
    step_create,
    step_set_gdt,
    step_update_descriptor,
};
#define NR_STEPS  (sizeof(steps) / sizeof(steps[0]))
#define MAX_STEPS 200

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {data, size};

    if (trace < 0)
        trace = getenv("PVMM_TRACE") != NULL;
    model_init();
    model_domain_create(0, true, 10);
    model_domain_create(1, false, 20);
    model_domain_create(2, false, 20);
    model_check();
    for (unsigned int i = 0; i < MAX_STEPS && in.n; i++) {
        steps[u8(&in) % NR_STEPS](&in);
        model_check();
    }

    /* Teardown of everything leaves every frame free. */
    for (domid_t id = 0; id < MODEL_DOMS; id++)
        if (model_domain(id))
            model_domain_kill(model_domain(id));
    model_check();
    for (domid_t id = 0; id < MODEL_DOMS; id++)
        if (model_domain(id))
            model_fail("d%u still alive after teardown", id);
    if (heap_free_pages() != MODEL_FRAMES - MODEL_HV_FRAMES)
        model_fail("%lu frames not freed after teardown",
                   MODEL_FRAMES - MODEL_HV_FRAMES - heap_free_pages());
    model_fini();
    return 0;
}
