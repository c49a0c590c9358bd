/* SPDX-License-Identifier: MIT */
/*
 * The reference guest's virtual disks (guests/lib/blkfront.h), for
 * disk=MODE on its command line:
 *
 *   check    every vbd in device/vbd: a read-write disk gets a pattern
 *            written over all of it, a flush, and a read-back compared
 *            sector by sector and by checksum; a read-only disk is read
 *            whole and then refuses a write (BLKIF_RSP_ERROR)
 *   durable  writes DURABLE_SECTORS sectors with the pattern of seed=S at
 *            the start of the first disk, flushes, prints "disk: flushed
 *            seed S" and waits (the durability test kills the machine
 *            there)
 *   rounds=R writes the first disk's first ROUND_SECTORS sectors with
 *            pattern seed r (1..R), each request acknowledged before the
 *            next, and reads the round back: every acknowledged write
 *            must be there (the backend-restart test kills the backend
 *            meanwhile)
 *   bench=N  sequential write and read of the first disk, then N random
 *            4 KiB reads and N random 4 KiB writes (bench/drivers)
 *
 * While lingering (store.c), device/vbd is watched: a disk attached
 * meanwhile gets the check, one being detached is closed.
 *
 * The pattern: the 64-bit little-endian word at byte offset o of the
 * disk is (o / 8 + 1) * 0x9E3779B97F4A7C15 ^ seed, so the host can
 * compute what the image must hold (tests/integration/drivers/).
 * Checksums are FNV-1a 64 over the bytes.
 */
#include "blkfront.h"
#include "gnttab.h"
#include "hello.h"
#include "hypercall.h"
#include "timekeeping.h"
#include "xenbus.h"

#include <xen/errno.h>

#define MAX_DISKS 2
#define CONNECT_TIMEOUT (10 * NSEC_PER_SEC)
#define CHUNK_SECTORS 256 /* 128 KiB per blkfront_io */
#define DURABLE_SECTORS 2048
#define ROUND_SECTORS 512

static struct blkfront disks[MAX_DISKS];
static bool in_use[MAX_DISKS];
/* Disks that failed to connect: not tried again while they are listed. */
static unsigned int failed[8], nr_failed;
static uint8_t chunk[CHUNK_SECTORS * BLKFRONT_SECTOR] __aligned(PAGE_SIZE);
static uint8_t expect[CHUNK_SECTORS * BLKFRONT_SECTOR] __aligned(PAGE_SIZE);

#define FNV_OFFSET 0xcbf29ce484222325UL
#define FNV_PRIME  0x100000001b3UL

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * FNV_PRIME;
    return h;
}

static void pattern(uint8_t *buf, uint64_t sector, uint64_t nsect,
                    uint64_t seed)
{
    uint64_t *w = (uint64_t *)buf;
    uint64_t first = sector * BLKFRONT_SECTOR / 8;

    for (uint64_t i = 0; i < nsect * BLKFRONT_SECTOR / 8; i++)
        w[i] = (first + i + 1) * 0x9E3779B97F4A7C15UL ^ seed;
}

static const char *errname(long rc)
{
    switch (rc) {
    case -XEN_EIO:
        return "BLKIF_RSP_ERROR";
    case -XEN_EOPNOTSUPP:
        return "BLKIF_RSP_EOPNOTSUPP";
    case -XEN_ETIMEDOUT:
        return "timed out";
    case -XEN_ENODEV:
        return "no device";
    default:
        return "error";
    }
}

static void describe(struct blkfront *bf)
{
    printf("hello: disk vbd %u: %lu sectors of %u bytes (%lu KiB), %s%s%s; "
           "grants in use %u\n",
           bf->devid, (unsigned long)bf->sectors, bf->sector_size,
           (unsigned long)(bf->sectors / 2), bf->readonly ? "ro" : "rw",
           bf->flush ? ", flush" : "", bf->barrier ? ", barrier" : "",
           gnttab_nr_in_use());
}

/* Writes the pattern of seed over the whole disk, flushes, reads back. */
static void check_rw(struct blkfront *bf, uint64_t seed)
{
    uint64_t wsum = FNV_OFFSET, rsum = FNV_OFFSET, bad = 0, t0, t1, t2;
    long rc = 0;

    t0 = time_now_ns();
    for (uint64_t s = 0; s < bf->sectors && !rc; s += CHUNK_SECTORS) {
        uint64_t n = MIN((uint64_t)CHUNK_SECTORS, bf->sectors - s);

        pattern(chunk, s, n, seed);
        wsum = fnv(wsum, chunk, n * BLKFRONT_SECTOR);
        rc = blkfront_io(bf, BLKIF_OP_WRITE, s, chunk, n);
    }
    check(rc == 0, "disk: pattern written over the whole disk",
          "vbd %u, %lu sectors, rc %ld", bf->devid, (unsigned long)bf->sectors,
          rc);
    if (rc)
        return;
    rc = blkfront_flush(bf);
    check(rc == 0, "disk: flush (BLKIF_OP_FLUSH_DISKCACHE) acknowledged",
          "rc %ld", rc);
    t1 = time_now_ns();
    for (uint64_t s = 0; s < bf->sectors && !rc; s += CHUNK_SECTORS) {
        uint64_t n = MIN((uint64_t)CHUNK_SECTORS, bf->sectors - s);

        memset(chunk, 0, sizeof(chunk));
        rc = blkfront_io(bf, BLKIF_OP_READ, s, chunk, n);
        pattern(expect, s, n, seed);
        for (uint64_t i = 0; i < n; i++)
            bad += memcmp(chunk + i * BLKFRONT_SECTOR,
                          expect + i * BLKFRONT_SECTOR, BLKFRONT_SECTOR) != 0;
        rsum = fnv(rsum, chunk, n * BLKFRONT_SECTOR);
    }
    t2 = time_now_ns();
    check(rc == 0 && bad == 0 && rsum == wsum,
          "disk: read back, every sector as written",
          "vbd %u: %lu bad sectors, checksum written %#lx read %#lx, rc %ld",
          bf->devid, (unsigned long)bad, (unsigned long)wsum,
          (unsigned long)rsum, rc);
    printf("hello: disk vbd %u: seed %lu fnv64 %#lx, write+flush %lu ms, "
           "read %lu ms\n",
           bf->devid, (unsigned long)seed, (unsigned long)rsum,
           (unsigned long)((t1 - t0) / NSEC_PER_MSEC),
           (unsigned long)((t2 - t1) / NSEC_PER_MSEC));
}

/* A read-only disk: read it all, then a write must be refused. */
static void check_ro(struct blkfront *bf)
{
    uint64_t sum = FNV_OFFSET;
    long rc = 0;

    for (uint64_t s = 0; s < bf->sectors && !rc; s += CHUNK_SECTORS) {
        uint64_t n = MIN((uint64_t)CHUNK_SECTORS, bf->sectors - s);

        rc = blkfront_io(bf, BLKIF_OP_READ, s, chunk, n);
        sum = fnv(sum, chunk, n * BLKFRONT_SECTOR);
    }
    check(rc == 0, "disk: read-only disk read whole", "vbd %u fnv64 %#lx",
          bf->devid, (unsigned long)sum);
    printf("hello: disk vbd %u: read-only, fnv64 %#lx\n", bf->devid,
           (unsigned long)sum);
    pattern(chunk, 0, 8, 1);
    rc = blkfront_io(bf, BLKIF_OP_WRITE, 0, chunk, 8);
    check(rc == -XEN_EIO, "disk: a write to the read-only disk is refused",
          "rc %ld (%s)", rc, errname(rc));
    printf("hello: disk vbd %u: write refused: %s\n", bf->devid, errname(rc));
}

/* The vbd ids in device/vbd, up to max. */
static unsigned int list_vbds(unsigned int *ids, unsigned int max)
{
    char buf[256];
    long n = xenbus_directory("device/vbd", buf, sizeof(buf));
    unsigned int count = 0;
    const char *p = buf;

    for (long i = 0; i < n && count < max; i++) {
        unsigned int id = 0;
        bool num = *p != '\0';

        for (const char *q = p; *q; q++) {
            if (*q < '0' || *q > '9')
                num = false;
            id = id * 10 + (unsigned int)(*q - '0');
        }
        if (num)
            ids[count++] = id;
        p += strlen(p) + 1;
    }
    return count;
}

/* Whether vbd devid's backend is being set up or connected (state 1-4). */
static bool backend_open(unsigned int devid)
{
    char path[160], be[128], v[8];
    long n;

    snprintf(path, sizeof(path), "device/vbd/%u/backend", devid);
    if (xenbus_read(path, be, sizeof(be)) <= 0)
        return false;
    snprintf(path, sizeof(path), "%s/state", be);
    n = xenbus_read(path, v, sizeof(v));
    return n == 1 && v[0] >= '1' && v[0] <= '4';
}

static struct blkfront *find(unsigned int devid)
{
    for (unsigned int i = 0; i < MAX_DISKS; i++)
        if (in_use[i] && disks[i].devid == devid)
            return &disks[i];
    return NULL;
}

static struct blkfront *attach(unsigned int devid)
{
    long rc;

    for (unsigned int i = 0; i < MAX_DISKS; i++) {
        if (in_use[i])
            continue;
        rc = blkfront_connect(&disks[i], devid, CONNECT_TIMEOUT);
        check(rc == 0, "disk: vbd connected (xenbus handshake)",
              "vbd %u, rc %ld", devid, rc);
        if (rc) {
            if (nr_failed < ARRAY_SIZE(failed))
                failed[nr_failed++] = devid;
            return NULL;
        }
        in_use[i] = true;
        describe(&disks[i]);
        return &disks[i];
    }
    printf("hello: disk vbd %u: no room for more than %u disks\n", devid,
           MAX_DISKS);
    return NULL;
}

static void detach(struct blkfront *bf)
{
    long rc = blkfront_close(bf, CONNECT_TIMEOUT);

    printf("hello: disk vbd %u: closed (rc %ld)\n", bf->devid, rc);
    in_use[bf - disks] = false;
}

static void check_disk(struct blkfront *bf, uint64_t seed)
{
    if (bf->readonly)
        check_ro(bf);
    else
        check_rw(bf, seed);
}

static bool disk_init(void)
{
    long rc = gnttab_init(1);

    if (rc)
        printf("hello: disk: grant table setup failed: %ld\n", rc);
    return rc == 0;
}

/* disk=durable: one flushed write, then wait to be killed. */
static void durable(uint64_t seed)
{
    struct blkfront *bf = &disks[0];
    long rc;

    pattern(chunk, 0, CHUNK_SECTORS, seed);
    for (uint64_t s = 0; s < DURABLE_SECTORS; s += CHUNK_SECTORS) {
        pattern(chunk, s, CHUNK_SECTORS, seed);
        rc = blkfront_io(bf, BLKIF_OP_WRITE, s, chunk, CHUNK_SECTORS);
        if (rc) {
            printf("hello: disk: durable write failed: %ld\n", rc);
            return;
        }
    }
    rc = blkfront_flush(bf);
    if (rc) {
        printf("hello: disk: durable flush failed: %ld\n", rc);
        return;
    }
    printf("hello: disk: flushed seed %lu\n", (unsigned long)seed);
}

/*
 * disk=rounds: each round writes ROUND_SECTORS in 8-sector requests, each
 * acknowledged before the next, then reads them back.
 */
static void rounds(unsigned long nr)
{
    struct blkfront *bf = &disks[0];
    uint64_t n = MIN((uint64_t)ROUND_SECTORS, bf->sectors);

    for (unsigned long r = 1; r <= nr; r++) {
        uint64_t bad = 0;
        long rc = 0;

        for (uint64_t s = 0; s < n && !rc; s += 8) {
            pattern(chunk, s, 8, r);
            rc = blkfront_io(bf, BLKIF_OP_WRITE, s, chunk, 8);
        }
        for (uint64_t s = 0; s < n && !rc; s += CHUNK_SECTORS) {
            uint64_t k = MIN((uint64_t)CHUNK_SECTORS, n - s);

            rc = blkfront_io(bf, BLKIF_OP_READ, s, chunk, k);
            pattern(expect, s, k, r);
            for (uint64_t i = 0; i < k; i++)
                bad += memcmp(chunk + i * BLKFRONT_SECTOR,
                              expect + i * BLKFRONT_SECTOR,
                              BLKFRONT_SECTOR) != 0;
        }
        if (rc || bad) {
            check(false, "disk: round written and read back",
                  "round %lu: rc %ld, %lu bad sectors", r, rc,
                  (unsigned long)bad);
            return;
        }
        printf("hello: disk round %lu ok (%lu requests, %lu kicks)\n", r,
               bf->stats.requests, bf->stats.kicks);
    }
    check(true, "disk: every round written and read back", "%lu rounds", nr);
}

static uint64_t rng_state = 0x2545F4914F6CDD1DUL;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void print_rate(const char *what, uint64_t bytes, uint64_t ns)
{
    uint64_t kbs = ns ? bytes * 1000000UL / ns * 1000 / 1024 : 0;

    printf("hello: bench disk %s %lu KiB in %lu ms: %lu.%03lu MB/s\n", what,
           (unsigned long)(bytes / 1024), (unsigned long)(ns / NSEC_PER_MSEC),
           (unsigned long)(bytes * 1000 / (ns ? ns : 1)),
           (unsigned long)(bytes * 1000000 / (ns ? ns : 1) % 1000));
    (void)kbs;
}

/* disk=bench: sequential MB/s and random 4 KiB IOPS on the first disk. */
static void bench(unsigned long n)
{
    struct blkfront *bf = &disks[0];
    uint64_t t0, ns, pages = bf->sectors / 8;
    long rc = 0;

    t0 = time_now_ns();
    for (uint64_t s = 0; s < bf->sectors && !rc; s += CHUNK_SECTORS)
        rc = blkfront_io(bf, BLKIF_OP_WRITE, s, chunk,
                         MIN((uint64_t)CHUNK_SECTORS, bf->sectors - s));
    rc = rc ?: blkfront_flush(bf);
    ns = time_now_ns() - t0;
    print_rate("seq-write", bf->sectors * BLKFRONT_SECTOR, ns);
    t0 = time_now_ns();
    for (uint64_t s = 0; s < bf->sectors && !rc; s += CHUNK_SECTORS)
        rc = blkfront_io(bf, BLKIF_OP_READ, s, chunk,
                         MIN((uint64_t)CHUNK_SECTORS, bf->sectors - s));
    ns = time_now_ns() - t0;
    print_rate("seq-read", bf->sectors * BLKFRONT_SECTOR, ns);
    for (int w = 0; w < 2 && !rc && pages; w++) {
        t0 = time_now_ns();
        for (unsigned long i = 0; i < n && !rc; i++)
            rc = blkfront_io(bf, w ? BLKIF_OP_WRITE : BLKIF_OP_READ,
                             rng() % pages * 8, chunk, 8);
        ns = time_now_ns() - t0;
        printf("hello: bench disk rand-%s-4k %lu in %lu ms: %lu IOPS\n",
               w ? "write" : "read", n, (unsigned long)(ns / NSEC_PER_MSEC),
               (unsigned long)(n * NSEC_PER_SEC / (ns ? ns : 1)));
    }
    if (rc)
        printf("hello: bench disk failed: %ld\n", rc);
}

void disk_run(const char *mode, uint64_t seed, unsigned long count)
{
    unsigned int ids[MAX_DISKS], n;

    if (!disk_init())
        return;
    n = list_vbds(ids, MAX_DISKS);
    printf("hello: disk: %u vbd%s in device/vbd\n", n, n == 1 ? "" : "s");
    for (unsigned int i = 0; i < n; i++)
        attach(ids[i]);
    if (!strcmp(mode, "check")) {
        for (unsigned int i = 0; i < MAX_DISKS; i++)
            if (in_use[i])
                check_disk(&disks[i], seed + i);
        return;
    }
    if (!in_use[0]) {
        check(false, "disk: a disk to work on", "mode %s", mode);
        return;
    }
    if (!strcmp(mode, "durable"))
        durable(seed);
    else if (!strcmp(mode, "rounds"))
        rounds(count);
    else if (!strcmp(mode, "bench"))
        bench(count);
    else
        printf("hello: disk: unknown mode \"%s\"\n", mode);
}

/*
 * Something under device/vbd or a disk's backend state changed (store.c
 * calls this while lingering): attach new disks, close leaving ones.
 */
void disk_changed(void)
{
    unsigned int ids[MAX_DISKS], n;
    static bool ready;

    for (unsigned int i = 0; i < MAX_DISKS; i++)
        if (in_use[i] && blkfront_backend_closing(&disks[i]))
            detach(&disks[i]);
    n = list_vbds(ids, MAX_DISKS);
    if (n && !ready)
        ready = disk_init();
    if (!ready)
        return;
    for (unsigned int j = 0; j < nr_failed;) {
        bool listed = false;

        for (unsigned int i = 0; i < n; i++)
            listed |= ids[i] == failed[j];
        if (listed)
            j++;
        else
            failed[j] = failed[--nr_failed];
    }
    for (unsigned int i = 0; i < n; i++) {
        struct blkfront *bf;
        bool bad = false;

        for (unsigned int j = 0; j < nr_failed; j++)
            bad |= failed[j] == ids[i];
        if (bad)
            continue;
        /* One being closed (or closed, its nodes not yet gone): not again. */
        if (find(ids[i]) || !backend_open(ids[i]))
            continue;
        bf = attach(ids[i]);
        if (bf)
            check_disk(bf, 1000 + ids[i]);
    }
}

/* Closes every disk (before the guest powers off). */
void disk_close_all(void)
{
    for (unsigned int i = 0; i < MAX_DISKS; i++)
        if (in_use[i])
            detach(&disks[i]);
}
