/* SPDX-License-Identifier: MIT */
/*
 * Test guest for multicall (#13), after xen/common/multicall.c: the
 * entries run in order, each result is written back to its entry, a failing
 * entry does not stop the batch (the multicall itself returns 0), unknown
 * numbers give -ENOSYS in their entry, and a multicall nested inside a
 * multicall is refused with -EINVAL in its entry ("Multicall reentry is
 * disallowed").  Side effects of the entries (memory written, state
 * changed) are checked after the batch.
 */
#include "cpu.h"
#include "hypercall.h"
#include "tap.h"

#include <xen/errno.h>

static multicall_entry_t mc[8];

static void entry(unsigned int i, unsigned long op, unsigned long a0,
                  unsigned long a1, unsigned long a2)
{
    mc[i].op = op;
    mc[i].result = 0xdeadbeefUL;
    mc[i].args[0] = a0;
    mc[i].args[1] = a1;
    mc[i].args[2] = a2;
}

int guest_main(void)
{
    static const char msg[] = "# multicall: console_io from inside a batch\n";
    static uint64_t fs_area[2];
    xen_feature_info_t fi = {.submap_idx = 0, .submap = 0x5555};
    xen_extraversion_t extra;
    multicall_entry_t inner[1];
    long version, rc;
    uint64_t fs;

    guest_init_basic();
    version = HYPERVISOR_xen_version(XENVER_version, NULL);
    memset(extra, 0x55, sizeof(extra));

    entry(0, __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    entry(1, __HYPERVISOR_xen_version, XENVER_get_features, (unsigned long)&fi,
          0);
    entry(2, __HYPERVISOR_set_segment_base, SEGBASE_FS, (unsigned long)fs_area,
          0);
    entry(3, 11, 0, 0, 0); /* no hypercall 11 */
    entry(4, __HYPERVISOR_set_segment_base, 99, 0, 0);
    entry(5, __HYPERVISOR_console_io, CONSOLEIO_write, sizeof(msg) - 1,
          (unsigned long)msg);
    entry(6, __HYPERVISOR_xen_version, XENVER_extraversion,
          (unsigned long)extra, 0);
    rc = HYPERVISOR_multicall(mc, 7);
    tap_eq(rc, 0, "multicall of 7 mixed entries returns 0");
    tap_eq(mc[0].result, version, "entry 0: xen_version result written back");
    tap_eq(mc[1].result, 0, "entry 1: XENVER_get_features succeeded");
    tap_check(fi.submap != 0x5555, "not written", "... and wrote its buffer");
    tap_eq(mc[2].result, 0, "entry 2: set_segment_base(FS) succeeded");
    rdmsr_probe(MSR_FS_BASE, &fs);
    tap_eq_hex(fs, (unsigned long)fs_area, "... and the FS base changed");
    tap_eq(mc[3].result, -XEN_ENOSYS,
           "entry 3: unknown hypercall 11 is -ENOSYS");
    tap_eq(mc[4].result, -XEN_EINVAL,
           "entry 4: set_segment_base(99) failed with -EINVAL");
    tap_eq(mc[5].result, 0,
           "entry 5 after the failures still ran (console_io)");
    tap_eq(mc[6].result, 0, "entry 6: XENVER_extraversion");
    tap_ok(strnlen(extra, sizeof(extra)) < sizeof(extra),
           "... wrote a terminated string");

    rc = HYPERVISOR_multicall(mc, 0);
    tap_eq(rc, 0, "multicall of 0 entries");

    /* Nested multicall. */
    inner[0].op = __HYPERVISOR_xen_version;
    inner[0].args[0] = XENVER_version;
    inner[0].result = 0x1234;
    entry(0, __HYPERVISOR_multicall, (unsigned long)inner, 1, 0);
    entry(1, __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    rc = HYPERVISOR_multicall(mc, 2);
    tap_eq(rc, 0, "multicall containing a multicall returns 0");
    tap_eq(mc[0].result, -XEN_EINVAL, "the nested multicall entry is -EINVAL");
    tap_eq(inner[0].result, 0x1234, "the nested batch did not run");
    tap_eq(mc[1].result, version, "the entry after it ran");

    /* Results are 64-bit: a large positive answer survives. */
    entry(0, __HYPERVISOR_xen_version, XENVER_pagesize, 0, 0);
    rc = HYPERVISOR_multicall(mc, 1);
    tap_eq(rc, 0, "single-entry multicall");
    tap_eq(mc[0].result, 4096, "XENVER_pagesize through a multicall is 4096");

    HYPERVISOR_set_segment_base(SEGBASE_FS, 0);
    tap_done();
}
