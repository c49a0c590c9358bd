/* SPDX-License-Identifier: MIT */
/*
 * A page shared between two guests through a grant, with a counter both
 * increment.  Used by tests/integration/grants/.
 *
 * Roles (cmdline; rounds=N increments each, default 1000):
 *   role=a peer=B   grants B a page (writable) and a second page
 *                   (read-only), prints "# grant REF ROREF"; then by mode:
 *     mode=share    (default) waits for B to map, checks the entry says
 *                   the page is in use and cannot be ended, increments the
 *                   counter, waits for both sides' increments and for B
 *                   to unmap, then ends both grants;
 *     mode=peer-dies waits for B to map, then for the entries to go idle
 *                   when B is destroyed, then ends both grants;
 *     mode=hold     waits for B to map, prints "# mapped" and idles
 *                   (the test destroys it while B maps its page);
 *     mode=both     as hold, but first maps the page B grants back
 *                   (its reference in data/grant-back), so that it dies
 *                   both granting and mapping;
 *     mode=dom0     with peer=0, talks to tests/integration/grants/
 *                   gnttab_peer: domain 0 grant-copies 0xc0ffee into the
 *                   counter (and b_mapped), the guest answers 0xbeef,
 *                   domain 0 maps the page and sets b_done, the guest sees
 *                   it in use, answers 0xd0e, and ends its grants once
 *                   domain 0 has unmapped.
 *   role=b          waits for "A REF ROREF" in its xenstore data/grant,
 *                   maps both (the read-only one also writable: refused),
 *                   then by mode:
 *     mode=share    increments, waits for 2N, unmaps both;
 *     mode=hold     prints "# holding" and waits for "unmap" in data/cmd
 *                   (sent once A is destroyed): the page still works,
 *                   then it unmaps both, and the address faults;
 *     mode=both     as hold, but first grants A a page back ("# grant-back
 *                   REF"), and once A is destroyed checks that A's
 *                   mapping of it went with A (the entry idle, the grant
 *                   ended);
 *     mode=bench    times GNTTABOP_copy of 64, 1024 and 4096 bytes from
 *                   A's page into its own (16 segments a call), and
 *                   memcpy of the same sizes, for bench/domains/
 *                   grant_copy.sh ("# guest grant_copy ..." lines).
 * Each prints TAP and powers off at the end.
 */
#include "events.h"
#include "gnttab.h"
#include "hypercall.h"
#include "mm.h"
#include "tap.h"
#include "timekeeping.h"
#include "traps.h"
#include "xenbus.h"

#include <xen/errno.h>

#define RO_MAGIC 0x6772616e74524fULL /* "grantRO" */
#define BACK_MAGIC 0x6261636bULL       /* "back" */
#define SECOND 1000000000ULL

struct shared {
    volatile uint64_t counter;
    volatile uint64_t b_mapped;
    volatile uint64_t b_done;
};

static const char *parse_ulong(const char *s, unsigned long *out)
{
    unsigned long n = 0;

    while (*s == ' ')
        s++;
    if (*s < '0' || *s > '9')
        return NULL;
    for (; *s >= '0' && *s <= '9'; s++)
        n = n * 10 + (unsigned long)(*s - '0');
    *out = n;
    return s;
}

static void yield(void)
{
    HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

/* Spins (yielding) until *p == want or timeout_s seconds pass. */
static bool wait_eq(volatile uint64_t *p, uint64_t want, unsigned int timeout_s)
{
    uint64_t end = time_now_ns() + timeout_s * SECOND;

    while (*p != want)
        if (time_now_ns() > end)
            return false;
        else
            yield();
    return true;
}

static bool wait_idle(grant_ref_t ref, unsigned int timeout_s)
{
    uint64_t end = time_now_ns() + timeout_s * SECOND;

    while (gnttab_in_use(ref))
        if (time_now_ns() > end)
            return false;
        else
            yield();
    return true;
}

static void increment(volatile uint64_t *c, unsigned long rounds)
{
    for (unsigned long i = 0; i < rounds; i++) {
        __atomic_fetch_add(c, 1, __ATOMIC_SEQ_CST);
        if (i % 16 == 0)
            yield();
    }
}

/* Reads up to three numbers (the first of b and c NULL ends them) from
 * xenstore node, waiting for it. */
static void read_ulongs(const char *node, unsigned long *a, unsigned long *b,
                        unsigned long *c)
{
    char buf[64];
    const char *p = NULL;

    xenbus_watch(node, "g");
    for (unsigned int tries = 0; tries < 60 && !p; tries++) {
        if (xenbus_read(node, buf, sizeof(buf)) > 0 &&
            (p = parse_ulong(buf, a)) && b && (p = parse_ulong(p, b)) && c)
            p = parse_ulong(p, c);
        if (!p)
            xenbus_wait_watch("g", NULL, 0, SECOND);
    }
    xenbus_unwatch(node, "g");
    if (!p)
        guest_panic("no %s in xenstore", node);
}

static void role_a(const char *mode, unsigned long rounds)
{
    domid_t peer = (domid_t)cmdline_ulong("peer", 0);
    struct shared *sh = (struct shared *)mm_alloc_page();
    uint64_t *ro = (uint64_t *)mm_alloc_page();
    long ref, roref, rc;

    rc = gnttab_init(1);
    tap_eq(rc, 0, "setup_table and map the grant frame");
    *ro = RO_MAGIC;
    ref = gnttab_grant_access(peer, virt_to_mfn((unsigned long)sh), false);
    roref = gnttab_grant_access(peer, virt_to_mfn((unsigned long)ro), true);
    tap_ok(ref >= 0 && roref >= 0, "granted d%u a page and a read-only page",
           peer);
    printf("# grant %ld %ld\n", ref, roref);
    if (!strcmp(mode, "dom0")) {
        tap_ok(wait_eq(&sh->b_mapped, 1, 60), "domain 0 copied into the page");
        tap_eq_hex(sh->counter, 0xc0ffee, "... the value it copied");
        tap_ok(!gnttab_in_use(ref) && !gnttab_in_use(roref),
               "... and the copies left no pin behind");
        sh->counter = 0xbeef;
        tap_ok(wait_eq(&sh->b_done, 1, 60), "domain 0 mapped the page");
        tap_ok(gnttab_in_use(ref) && (gnttab_entry(ref)->flags & GTF_writing),
               "... GTF_reading|GTF_writing while domain 0 maps it");
        tap_eq(gnttab_end_access(ref), -XEN_EBUSY,
               "... and the grant cannot be ended");
        sh->counter = 0xd0e;
        tap_ok(wait_idle(ref, 60) && wait_idle(roref, 10),
               "the entries go idle once domain 0 unmapped");
        tap_eq(gnttab_end_access(ref), 0, "end access to the page");
        tap_eq(gnttab_end_access(roref), 0,
               "end access to the read-only page");
        tap_done();
    }
    if (!tap_ok(wait_eq(&sh->b_mapped, 1, 60), "the peer mapped the page"))
        tap_done();
    tap_ok(gnttab_in_use(ref) &&
               (gnttab_entry(ref)->flags & GTF_writing),
           "GTF_reading|GTF_writing set while it is mapped writable");
    tap_ok((gnttab_entry(roref)->flags & (GTF_reading | GTF_writing)) ==
               GTF_reading,
           "only GTF_reading on the read-only grant");
    tap_eq(gnttab_end_access(ref), -XEN_EBUSY,
           "ending the grant while mapped is refused");

    if (!strcmp(mode, "both")) {
        unsigned long bref;
        unsigned long bva = mm_unmapped_page();
        grant_handle_t bh;

        tap_eq(xenbus_init(), 0, "xenstore ring up");
        read_ulongs("data/grant-back", &bref, NULL, NULL);
        tap_eq(gnttab_map(peer, (grant_ref_t)bref, bva, 0, &bh, NULL),
               GNTST_okay, "map the page the peer granted back");
        tap_eq_hex(*(volatile uint64_t *)bva, BACK_MAGIC,
                   "... it reads what the peer wrote");
    }
    if (!strcmp(mode, "hold") || !strcmp(mode, "both")) {
        printf("# mapped\n");
        for (;;)
            HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    }
    if (!strcmp(mode, "peer-dies")) {
        printf("# waiting for the peer to go\n");
        tap_ok(wait_idle(ref, 120) && wait_idle(roref, 10),
               "the entries go idle when the mapping domain is destroyed");
    } else {
        increment(&sh->counter, rounds);
        tap_ok(wait_eq(&sh->counter, 2 * rounds, 60),
               "the counter reaches %lu (both sides' increments)",
               2 * rounds);
        tap_ok(wait_eq(&sh->b_done, 1, 60), "the peer is done");
        tap_ok(wait_idle(ref, 60) && wait_idle(roref, 10),
               "the entries go idle once the peer unmapped");
    }
    tap_eq(gnttab_end_access(ref), 0, "end access to the page");
    tap_eq(gnttab_end_access(roref), 0, "end access to the read-only page");
    tap_eq(gnttab_entry(ref)->flags, 0, "the entry is free again");
    tap_done();
}

/* Grant copies of size bytes from (a, ref) for about a second each. */
static void bench_copy(domid_t a, grant_ref_t ref)
{
    enum { SEGS = 16 };
    static struct gnttab_copy ops[SEGS];
    uint8_t *dst = (uint8_t *)mm_alloc_page(), *src = (uint8_t *)mm_alloc_page();
    static const uint16_t sizes[] = {64, 1024, 4096};

    for (unsigned int k = 0; k < ARRAY_SIZE(sizes); k++) {
        uint64_t t0, t, n = 0, m = 0;
        unsigned long gc, mc;

        for (unsigned int i = 0; i < SEGS; i++)
            ops[i] = (struct gnttab_copy){
                .source = {.u.ref = ref, .domid = a},
                .dest = {.u.gmfn = virt_to_mfn((unsigned long)dst),
                         .domid = DOMID_SELF},
                .len = sizes[k],
                .flags = GNTCOPY_source_gref,
            };
        t0 = time_now_ns();
        do {
            if (HYPERVISOR_grant_table_op(GNTTABOP_copy, ops, SEGS) ||
                ops[0].status != GNTST_okay)
                guest_panic("grant copy failed: %d", ops[0].status);
            n += SEGS;
            t = time_now_ns();
        } while (t - t0 < SECOND);
        gc = (unsigned long)(n * 1000000000ULL / (t - t0));
        t0 = time_now_ns();
        do {
            for (unsigned int i = 0; i < SEGS; i++) {
                memcpy(dst, src, sizes[k]);
                __asm__ __volatile__("" ::"r"(dst) : "memory");
            }
            m += SEGS;
            t = time_now_ns();
        } while (t - t0 < SECOND);
        mc = (unsigned long)(m * 1000000000ULL / (t - t0));
        printf("# guest grant_copy %u bytes: %lu ops/s %lu MB/s, memcpy %lu "
               "ops/s %lu MB/s\n",
               sizes[k], gc, gc * sizes[k] / 1000000, mc,
               mc * sizes[k] / 1000000);
    }
    tap_ok(true, "benchmark done");
}

static void role_b(const char *mode, unsigned long rounds)
{
    unsigned long a, ref, roref;
    unsigned long va = mm_unmapped_page(), rova = mm_unmapped_page();
    struct shared *sh = (struct shared *)va;
    grant_handle_t h = 0, roh = 0, h2;
    long rc, backref = -1;

    rc = xenbus_init();
    tap_eq(rc, 0, "xenstore ring up");
    read_ulongs("data/grant", &a, &ref, &roref);
    tap_diag("peer d%lu, refs %lu and %lu", a, ref, roref);
    if (!strcmp(mode, "bench")) {
        bench_copy((domid_t)a, (grant_ref_t)ref);
        tap_done();
    }
    rc = gnttab_map((domid_t)a, (grant_ref_t)ref, va, 0, &h, NULL);
    tap_eq(rc, GNTST_okay, "map the peer's page writable");
    rc = gnttab_map((domid_t)a, (grant_ref_t)roref, rova, GNTMAP_readonly,
                    &roh, NULL);
    tap_eq(rc, GNTST_okay, "map the read-only page read-only");
    tap_eq_hex(*(volatile uint64_t *)rova, RO_MAGIC,
               "the read-only page reads what the peer wrote");
    rc = gnttab_map((domid_t)a, (grant_ref_t)roref, mm_unmapped_page(), 0,
                    &h2, NULL);
    tap_eq(rc, GNTST_general_error,
           "mapping the read-only grant writable is refused");
    if (!strcmp(mode, "both")) {
        uint64_t *back = (uint64_t *)mm_alloc_page();

        tap_eq(gnttab_init(1), 0, "setup_table and map the grant frame");
        *back = BACK_MAGIC;
        backref = gnttab_grant_access((domid_t)a,
                                      virt_to_mfn((unsigned long)back), false);
        tap_ok(backref >= 0, "granted the peer a page back");
        printf("# grant-back %ld\n", backref);
    }
    sh->b_mapped = 1;

    if (!strcmp(mode, "hold") || !strcmp(mode, "both")) {
        char cmd[16] = "";
        uint64_t before;

        printf("# holding\n");
        xenbus_watch("data/cmd", "c");
        while (strcmp(cmd, "unmap")) {
            xenbus_wait_watch("c", NULL, 0, 10 * SECOND);
            if (xenbus_read("data/cmd", cmd, sizeof(cmd)) < 0)
                cmd[0] = 0;
        }
        if (backref >= 0) {
            tap_ok(wait_idle((grant_ref_t)backref, 20),
                   "the destroyed peer's mapping of our page went with it");
            tap_eq(gnttab_end_access((grant_ref_t)backref), 0,
                   "... and our grant can be ended");
        }
        before = sh->counter;
        increment(&sh->counter, rounds);
        tap_eq((long)sh->counter, (long)(before + rounds),
               "the page still works after its owner was destroyed");
    } else {
        increment(&sh->counter, rounds);
        tap_ok(wait_eq(&sh->counter, 2 * rounds, 60),
               "the counter reaches %lu (both sides' increments)",
               2 * rounds);
        sh->b_done = 1;
    }
    tap_eq(gnttab_unmap(va, h), GNTST_okay, "unmap the page");
    tap_eq(gnttab_unmap(rova, roh), GNTST_okay, "unmap the read-only page");
    {
        uint64_t v;

        tap_eq(probe_read64(va, &v), 14,
               "the address no longer maps the page (#PF)");
    }
    tap_eq(gnttab_unmap(va, h), GNTST_bad_handle,
           "unmapping again: bad handle");
    tap_done();
}

int guest_main(void)
{
    unsigned long rounds = cmdline_ulong("rounds", 1000);
    char role[8], mode[16];
    long rc;

    guest_init_basic();
    rc = timer_init();
    tap_eq(rc, 0, "VIRQ_TIMER bound");
    local_events_enable();
    if (!cmdline_value("role", role, sizeof(role)))
        guest_panic("no role= on the command line");
    if (!cmdline_value("mode", mode, sizeof(mode)))
        memcpy(mode, "share", 6);
    if (!strcmp(role, "a"))
        role_a(mode, rounds);
    else if (!strcmp(role, "b"))
        role_b(mode, rounds);
    guest_panic("unknown role=%s", role);
}
