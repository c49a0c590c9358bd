/* SPDX-License-Identifier: MIT */
/*
 * gnttab_peer: domain 0's side of the grant-table tests, through
 * libpvctrl's pvgnttab API (guests/peers/grantshare.c, mode=dom0).
 *
 *   gnttab_peer session DOMID REF ROREF
 *       the conversation with a guest in mode=dom0: grant copy in (the
 *       read-only page's magic) and out (0xc0ffee into the counter), wait
 *       for the guest's answer by copying in, map the page and set b_done,
 *       wait for 0xd0e through the mapping, unmap; then the refusals:
 *       the read-only grant mapped writable, a copy into it, a bad
 *       reference, a domain that does not exist.  Prints TAP-ish lines,
 *       exits 0 if all passed.
 *   gnttab_peer hold DOMID REF ROREF
 *       maps the grant (and ROREF read-only), sets the guest's b_mapped,
 *       prints "mapped", waits for SIGUSR1 (the test
 *       destroys the guest meanwhile), then checks the page still works,
 *       unmaps, prints "unmapped" and exits 0.
 *   gnttab_peer bench DOMID REF SIZE SECONDS
 *       grant copies of SIZE bytes out of the guest's page (16 segments a
 *       call) for SECONDS, then the same with memcpy on the host; prints
 *       "grant_copy SIZE MB/s OPS/s memcpy MB/s".
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xen/grant_table.h>

#include "pvctrl.h"

#define RO_MAGIC 0x6772616e74524fULL

struct shared {
    volatile uint64_t counter;
    volatile uint64_t b_mapped;
    volatile uint64_t b_done;
};

static int failures, n;

static void check(int cond, const char *what)
{
    printf("%sok %d - %s\n", cond ? "" : "not ", ++n, what);
    failures += !cond;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int copy_in(struct pvgnttab *g, uint32_t dom, uint32_t ref, void *buf,
                   uint16_t off, uint16_t len)
{
    struct pvgnttab_copy_segment s = {
        .source.foreign = {.ref = ref, .offset = off, .domid = (uint16_t)dom},
        .dest.virt = buf,
        .len = len,
        .flags = GNTCOPY_source_gref,
    };
    int rc = pvgnttab_grant_copy(g, 1, &s);

    return rc ? rc : s.status;
}

static int copy_out(struct pvgnttab *g, uint32_t dom, uint32_t ref,
                    const void *buf, uint16_t off, uint16_t len)
{
    struct pvgnttab_copy_segment s = {
        .source.virt = (void *)buf,
        .dest.foreign = {.ref = ref, .offset = off, .domid = (uint16_t)dom},
        .len = len,
        .flags = GNTCOPY_dest_gref,
    };
    int rc = pvgnttab_grant_copy(g, 1, &s);

    return rc ? rc : s.status;
}

static int session(struct pvgnttab *g, uint32_t dom, uint32_t ref,
                   uint32_t roref)
{
    uint64_t magic = 0, v[2] = {0xc0ffee, 1};
    struct shared *sh;
    double end;
    int err = 0;
    void *p;

    check(copy_in(g, dom, roref, &magic, 0, 8) == 0 && magic == RO_MAGIC,
          "grant copy in: the read-only page's magic");
    check(copy_out(g, dom, ref, v, 0, sizeof(v)) == 0,
          "grant copy out: 0xc0ffee into the guest's counter");
    end = now_s() + 30;
    do {
        v[0] = 0;
        if (copy_in(g, dom, ref, &v[0], 0, 8))
            break;
        if (v[0] != 0xbeef)
            usleep(10000);
    } while (v[0] != 0xbeef && now_s() < end);
    check(v[0] == 0xbeef, "grant copy in: the guest's answer 0xbeef");
    check(copy_in(g, dom, ref, v, 4090, 16) == GNTST_bad_copy_arg,
          "grant copy past the page's end: bad_copy_arg");

    p = pvgnttab_map_grant_ref(g, dom, roref, true, &err);
    check(p && *(volatile uint64_t *)p == RO_MAGIC,
          "map the read-only page read-only");
    if (p)
        pvgnttab_unmap(g, p, 1);
    p = pvgnttab_map_grant_ref(g, dom, roref, false, &err);
    check(!p && pvgnttab_status(err) == GNTST_general_error,
          "map the read-only grant writable: general_error");
    check(copy_out(g, dom, roref, v, 0, 8) == GNTST_general_error,
          "grant copy into the read-only grant: general_error");
    p = pvgnttab_map_grant_ref(g, dom, 1 << 20, false, &err);
    check(!p && pvgnttab_status(err) == GNTST_bad_gntref,
          "map reference 2^20: bad_gntref");
    p = pvgnttab_map_grant_ref(g, 31000, ref, false, &err);
    check(!p && pvgnttab_status(err) == GNTST_bad_domain,
          "map from domain 31000: bad_domain");
    sh = pvgnttab_map_grant_ref(g, dom, ref, false, &err);
    check(sh != NULL, "map the guest's page writable");
    if (sh) {
        check(sh->counter == 0xbeef, "... it reads the guest's answer");
        sh->b_done = 1;
        end = now_s() + 30;
        while (sh->counter != 0xd0e && now_s() < end)
            usleep(10000);
        check(sh->counter == 0xd0e, "... and sees the guest's next write");
        check(pvgnttab_unmap(g, sh, 1) == 0, "unmap it");
    }
    printf("1..%d\n", n);
    return failures ? 1 : 0;
}

static volatile sig_atomic_t go;
static void on_usr1(int sig)
{
    (void)sig;
    go = 1;
}

static int hold(struct pvgnttab *g, uint32_t dom, uint32_t ref,
                uint32_t roref)
{
    struct shared *sh;
    void *ro;
    int err = 0, rc;

    signal(SIGUSR1, on_usr1);
    sh = pvgnttab_map_grant_ref(g, dom, ref, false, &err);
    ro = pvgnttab_map_grant_ref(g, dom, roref, true, &err);
    if (!sh || !ro) {
        fprintf(stderr, "map: %d\n", err);
        return 1;
    }
    sh->b_mapped = 1; /* what the guest waits for */
    printf("mapped\n");
    fflush(stdout);
    while (!go)
        pause();
    sh->counter = 77;
    if (sh->counter != 77) {
        fprintf(stderr, "the page no longer works\n");
        return 1;
    }
    rc = pvgnttab_unmap(g, sh, 1);
    if (!rc)
        rc = pvgnttab_unmap(g, ro, 1);
    if (rc) {
        fprintf(stderr, "unmap: %d\n", rc);
        return 1;
    }
    printf("unmapped\n");
    return 0;
}

static int bench(struct pvgnttab *g, uint32_t dom, uint32_t ref,
                 unsigned int size, double seconds)
{
    enum { SEGS = 16 };
    static uint8_t dst[SEGS][4096], src[4096];
    struct pvgnttab_copy_segment s[SEGS];
    unsigned long ops = 0;
    double t0, t, gc_mbs, mc_mbs;

    for (unsigned int i = 0; i < SEGS; i++)
        s[i] = (struct pvgnttab_copy_segment){
            .source.foreign = {.ref = ref, .domid = (uint16_t)dom},
            .dest.virt = dst[i],
            .len = (uint16_t)size,
            .flags = GNTCOPY_source_gref,
        };
    t0 = now_s();
    do {
        int rc = pvgnttab_grant_copy(g, SEGS, s);

        if (rc || s[0].status) {
            fprintf(stderr, "grant copy: %d status %d\n", rc, s[0].status);
            return 1;
        }
        ops += SEGS;
        t = now_s();
    } while (t - t0 < seconds);
    gc_mbs = (double)ops * size / (t - t0) / 1e6;
    printf("grant_copy %u bytes: %.1f MB/s %.0f ops/s", size, gc_mbs,
           (double)ops / (t - t0));

    /* The host baseline: memcpy of the same size, as many times. */
    memset(src, 0x5a, sizeof(src));
    t0 = now_s();
    for (unsigned long i = 0; i < ops * 64; i++) {
        memcpy(dst[i % SEGS], src, size);
        __asm__ __volatile__("" ::"r"(dst) : "memory");
    }
    t = now_s();
    mc_mbs = (double)ops * 64 * size / (t - t0) / 1e6;
    printf(" memcpy %.1f MB/s ratio %.4f\n", mc_mbs, gc_mbs / mc_mbs);
    return 0;
}

int main(int argc, char **argv)
{
    struct pvgnttab *g;
    int rc;

    if (argc < 4) {
        fprintf(stderr, "usage: gnttab_peer session DOMID REF ROREF | hold "
                        "DOMID REF ROREF | bench DOMID REF SIZE SECONDS\n");
        return 2;
    }
    rc = pvgnttab_open(NULL, &g);
    if (rc) {
        fprintf(stderr, "pvgnttab_open: %s\n", strerror(-rc));
        return 1;
    }
    if (!strcmp(argv[1], "session") && argc == 5)
        rc = session(g, (uint32_t)atoi(argv[2]), (uint32_t)atoi(argv[3]),
                     (uint32_t)atoi(argv[4]));
    else if (!strcmp(argv[1], "hold") && argc == 5)
        rc = hold(g, (uint32_t)atoi(argv[2]), (uint32_t)atoi(argv[3]),
                  (uint32_t)atoi(argv[4]));
    else if (!strcmp(argv[1], "bench") && argc == 6)
        rc = bench(g, (uint32_t)atoi(argv[2]), (uint32_t)atoi(argv[3]),
                   (unsigned int)atoi(argv[4]), atof(argv[5]));
    else
        rc = 2;
    pvgnttab_close(g);
    return rc;
}
