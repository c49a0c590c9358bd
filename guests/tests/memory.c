/* SPDX-License-Identifier: MIT */
/*
 * Test guest for the informational memory_op (#12) sub-ops an unprivileged
 * PV domain uses (xen/common/memory.c do_memory_op, x86 arch_memory_op and
 * x86_64/mm.c subarch_memory_op), and the read-only M2P table they
 * describe:
 *
 *  - XENMEM_maximum_ram_page: one past the highest machine frame, so above
 *    every MFN in our p2m;
 *  - XENMEM_current_reservation / maximum_reservation for DOMID_SELF: our
 *    page count (start_info.nr_pages) and the limit above it;
 *  - XENMEM_machphys_mapping: where the M2P sits (Xen gives a domU
 *    0xffff800000000000..0xffff804000000000, max_mfn 2^35 - 1);
 *  - XENMEM_memory_map: the domain's E820 if the toolstack set one
 *    (xl sets a single RAM entry), else -ENOSYS, both legal;
 *  - M2P entries of our own frames map back to their pfns; the table is
 *    read-only.
 */
#include "hypercall.h"
#include "mm.h"
#include "tap.h"
#include "traps.h"

#include <xen/errno.h>

struct e820entry {
    uint64_t addr, size;
    uint32_t type;
} __attribute__((packed));
#define E820_RAM 1

int guest_main(void)
{
    const xen_pfn_t *p2m = (const xen_pfn_t *)start_info->mfn_list;
    unsigned long nr = start_info->nr_pages, max_mfn = 0;
    struct xen_machphys_mapping mm;
    struct xen_memory_map map;
    static struct e820entry e820[16];
    domid_t self = DOMID_SELF;
    long rc, cur, max;

    guest_init_basic();
    for (unsigned long pfn = 0; pfn < nr; pfn++)
        max_mfn = MAX(max_mfn, p2m[pfn]);

    rc = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
    tap_check(rc > 0 && (unsigned long)rc > max_mfn, xen_errno_name(rc),
              "XENMEM_maximum_ram_page is above our highest MFN");
    tap_diag("maximum_ram_page %#lx, our highest mfn %#lx", rc, max_mfn);

    cur = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
    tap_eq(cur, nr, "XENMEM_current_reservation(DOMID_SELF) is nr_pages");
    max = HYPERVISOR_memory_op(XENMEM_maximum_reservation, &self);
    tap_check(max >= cur, xen_errno_name(max),
              "XENMEM_maximum_reservation is at least the current one");

    memset(&mm, 0, sizeof(mm));
    rc = HYPERVISOR_memory_op(XENMEM_machphys_mapping, &mm);
    tap_eq(rc, 0, "XENMEM_machphys_mapping");
    tap_eq_hex(mm.v_start, MACH2PHYS_VIRT_START,
               "M2P starts at MACH2PHYS_VIRT_START");
    tap_check(mm.v_end > mm.v_start && mm.v_end <= MACH2PHYS_VIRT_END,
              "bad v_end", "M2P end lies within the M2P slot");
    tap_check(mm.max_mfn >= max_mfn, "too small", "max_mfn covers our frames");
    tap_diag("machphys v_end %#lx max_mfn %#lx (Xen: %#lx, %#lx)", mm.v_end,
             mm.max_mfn, MACH2PHYS_VIRT_END, MACH2PHYS_NR_ENTRIES - 1);

    /* The M2P, read through its read-only user-visible mapping. */
    {
        static const unsigned long probe_pfns[] = {0, 1, 2};
        bool all = true;
        uint64_t v;

        for (unsigned int i = 0; i < ARRAY_SIZE(probe_pfns); i++) {
            unsigned long pfn = probe_pfns[i];

            if (probe_read64(mm.v_start + p2m[pfn] * 8, &v) != -1 || v != pfn) {
                tap_diag("m2p[%#lx] for pfn %#lx: vector %ld value %#lx",
                         p2m[pfn], pfn, (long)trap_last.vector, v);
                all = false;
            }
        }
        rc = probe_read64(
            mm.v_start + p2m[virt_to_pfn(start_info->pt_base)] * 8, &v);
        tap_ok(all && rc == -1 && v == virt_to_pfn(start_info->pt_base),
               "M2P maps our MFNs back to their pfns");
        rc = probe_write64(mm.v_start + p2m[0] * 8, 0);
        tap_eq(rc, 14, "the M2P is read-only (#PF on write)");
        tap_eq_hex(trap_last.error_code, 3, "... error code P|W");
    }

    memset(e820, 0, sizeof(e820));
    map.nr_entries = ARRAY_SIZE(e820);
    set_xen_guest_handle(map.buffer, e820);
    rc = HYPERVISOR_memory_op(XENMEM_memory_map, &map);
    if (rc == -XEN_ENOSYS) {
        tap_ok(true,
               "XENMEM_memory_map: no map set (-ENOSYS, as Xen without one)");
    } else {
        tap_eq(rc, 0, "XENMEM_memory_map");
        tap_check(map.nr_entries >= 1 && map.nr_entries <= ARRAY_SIZE(e820),
                  "bad nr_entries", "... with 1..16 entries");
        tap_check(e820[0].addr == 0 && e820[0].type == E820_RAM &&
                      e820[0].size >= nr * PAGE_SIZE,
                  "bad first entry",
                  "... the first one RAM from 0 covering nr_pages");
    }

    rc = HYPERVISOR_memory_op(63, NULL);
    tap_eq(rc, -XEN_ENOSYS, "memory_op 63 is -ENOSYS");
    tap_done();
}
