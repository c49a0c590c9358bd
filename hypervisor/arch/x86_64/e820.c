/* SPDX-License-Identifier: MIT */
/*
 * Memory map handling (see asm/e820.h).  Pure logic: no hardware access,
 * unit-tested on the host.
 *
 * e820_sanitize() is a sweep over the sorted boundary points of all
 * entries: between two consecutive points the covering entry with the
 * largest type number decides the type.  With E820_MAX entries there are at
 * most 2 * E820_MAX points, so the quadratic scan is cheap and obviously
 * correct.
 */
#include <asm/e820.h>
#include <pvisor/lib.h>

#define PAGE_SZ 4096ULL

int e820_add(struct e820map *m, uint64_t addr, uint64_t size, uint32_t type)
{
    if (m->nr >= E820_MAX)
        return -1;
    m->map[m->nr].addr = addr;
    m->map[m->nr].size = size;
    m->map[m->nr].type = type;
    m->nr++;
    return 0;
}

static void sort_u64(uint64_t *v, unsigned int n)
{
    for (unsigned int i = 1; i < n; i++) {
        uint64_t x = v[i];
        unsigned int j = i;

        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

static uint64_t entry_end(const struct e820entry *e)
{
    uint64_t end = e->addr + e->size;

    return end < e->addr ? UINT64_MAX : end; /* clamp on overflow */
}

/* Uses static scratch space: boot-time, single-threaded use only. */
void e820_sanitize(struct e820map *m)
{
    static uint64_t points[2 * E820_MAX];
    static struct e820map out;
    unsigned int np = 0, i, j;

    for (i = 0; i < m->nr; i++) {
        if (m->map[i].size == 0 || m->map[i].type == 0)
            continue;
        points[np++] = m->map[i].addr;
        points[np++] = entry_end(&m->map[i]);
    }
    sort_u64(points, np);

    out.nr = 0;
    for (i = 0; i + 1 < np; i++) {
        uint64_t lo = points[i], hi = points[i + 1];
        uint32_t type = 0;

        if (lo == hi)
            continue;
        for (j = 0; j < m->nr; j++) {
            const struct e820entry *e = &m->map[j];

            if (e->size && e->type && e->addr <= lo && entry_end(e) >= hi &&
                e->type > type)
                type = e->type;
        }
        if (!type)
            continue;
        if (out.nr && out.map[out.nr - 1].type == type &&
            entry_end(&out.map[out.nr - 1]) == lo)
            out.map[out.nr - 1].size += hi - lo;
        else
            e820_add(&out, lo, hi - lo, type);
    }
    *m = out;
}

int e820_mark(struct e820map *m, uint64_t start, uint64_t end, uint32_t type)
{
    unsigned int i;

    if (end <= start)
        return 0;
    /* Cut [start, end) out of every entry, then add it with the new type. */
    for (i = 0; i < m->nr; i++) {
        struct e820entry *e = &m->map[i];
        uint64_t e_end = entry_end(e);

        if (e_end <= start || e->addr >= end)
            continue;
        if (e->addr < start && e_end > end) {
            if (e820_add(m, end, e_end - end, e->type))
                return -1;
            e = &m->map[i];
            e->size = start - e->addr;
        } else if (e->addr < start) {
            e->size = start - e->addr;
        } else if (e_end > end) {
            e->size = e_end - end;
            e->addr = end;
        } else {
            e->size = 0;
        }
    }
    if (e820_add(m, start, end - start, type))
        return -1;
    e820_sanitize(m);
    return 0;
}

uint64_t e820_ram_pages(const struct e820map *m)
{
    uint64_t pages = 0;

    for (unsigned int i = 0; i < m->nr; i++) {
        uint64_t s, e;

        if (m->map[i].type != E820_RAM)
            continue;
        s = ROUNDUP(m->map[i].addr, PAGE_SZ);
        e = ROUNDDOWN(entry_end(&m->map[i]), PAGE_SZ);
        if (e > s)
            pages += (e - s) / PAGE_SZ;
    }
    return pages;
}

uint64_t e820_ram_end(const struct e820map *m)
{
    uint64_t end = 0;

    for (unsigned int i = 0; i < m->nr; i++)
        if (m->map[i].type == E820_RAM && entry_end(&m->map[i]) > end)
            end = entry_end(&m->map[i]);
    return end;
}

void e820_for_each_ram_frame_range(const struct e820map *m,
                                   void (*fn)(uint64_t, uint64_t, void *),
                                   void *arg)
{
    for (unsigned int i = 0; i < m->nr; i++) {
        uint64_t s, e;

        if (m->map[i].type != E820_RAM)
            continue;
        s = ROUNDUP(m->map[i].addr, PAGE_SZ) / PAGE_SZ;
        e = ROUNDDOWN(entry_end(&m->map[i]), PAGE_SZ) / PAGE_SZ;
        if (e > s)
            fn(s, e, arg);
    }
}

const char *e820_type_name(uint32_t type)
{
    switch (type) {
    case 1: return "RAM";
    case 2: return "reserved";
    case 3: return "ACPI data";
    case 4: return "ACPI NVS";
    case 5: return "unusable";
    case 6: return "disabled";
    case 7: return "persistent";
    default: return "unknown";
    }
}
