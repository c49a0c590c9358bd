/* SPDX-License-Identifier: MIT */
/*
 * The block benchmark's baseline (bench/drivers/block.sh): the same I/O
 * the reference guest's disk=bench does through blkfront and
 * pvisor-blkback, done directly on the image file by a host program.
 *
 *   blkhost IMAGE N
 *
 * Sequential write of the whole image in 128 KiB pwrites, then fdatasync;
 * sequential read in 128 KiB preads; N random 4 KiB preads, then N random
 * 4 KiB pwrites, at the offsets the guest uses (the same xorshift).  Prints
 * lines in the guest's format.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (256 * 512)

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t rng_state = 0x2545F4914F6CDD1DULL;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void rate(const char *what, uint64_t bytes, uint64_t ns)
{
    printf("host: bench disk %s %llu KiB in %llu ms: %llu.%03llu MB/s\n", what,
           (unsigned long long)(bytes / 1024),
           (unsigned long long)(ns / 1000000),
           (unsigned long long)(bytes * 1000 / ns),
           (unsigned long long)(bytes * 1000000 / ns % 1000));
}

int main(int argc, char **argv)
{
    static char buf[CHUNK] __attribute__((aligned(4096)));
    struct stat st;
    uint64_t size, t0, pages, n;
    int fd;

    if (argc != 3) {
        fprintf(stderr, "usage: blkhost IMAGE N\n");
        return 2;
    }
    n = strtoull(argv[2], NULL, 10);
    fd = open(argv[1], O_RDWR);
    if (fd < 0 || fstat(fd, &st)) {
        perror(argv[1]);
        return 1;
    }
    size = (uint64_t)st.st_size / 512 * 512;
    pages = size / 4096;
    t0 = now_ns();
    for (uint64_t off = 0; off < size; off += CHUNK) {
        size_t len = size - off < CHUNK ? size - off : CHUNK;

        if (pwrite(fd, buf, len, (off_t)off) != (ssize_t)len)
            return perror("pwrite"), 1;
    }
    if (fdatasync(fd))
        return perror("fdatasync"), 1;
    rate("seq-write", size, now_ns() - t0);
    t0 = now_ns();
    for (uint64_t off = 0; off < size; off += CHUNK) {
        size_t len = size - off < CHUNK ? size - off : CHUNK;

        if (pread(fd, buf, len, (off_t)off) != (ssize_t)len)
            return perror("pread"), 1;
    }
    rate("seq-read", size, now_ns() - t0);
    for (int w = 0; w < 2; w++) {
        uint64_t ns;

        t0 = now_ns();
        for (uint64_t i = 0; i < n; i++) {
            off_t off = (off_t)(rng() % pages * 4096);
            ssize_t r = w ? pwrite(fd, buf, 4096, off) : pread(fd, buf, 4096, off);

            if (r != 4096)
                return perror(w ? "pwrite" : "pread"), 1;
        }
        ns = now_ns() - t0;
        printf("host: bench disk rand-%s-4k %llu in %llu ms: %llu IOPS\n",
               w ? "write" : "read", (unsigned long long)n,
               (unsigned long long)(ns / 1000000),
               (unsigned long long)(n * 1000000000ULL / (ns ? ns : 1)));
    }
    close(fd);
    return 0;
}
