/* SPDX-License-Identifier: MIT */
/*
 * Ridiculous arguments to xen_version (#17), after do_xen_version
 * (xen/common/kernel.c): every sub-op that copies to or from the guest
 * answers -EFAULT for a bad buffer, including a buffer the guest can read
 * but not write (its own read-only L4 page, which must stay untouched);
 * get_features rejects unknown submaps with -EINVAL, pagesize rejects a
 * non-NULL argument with -EINVAL, build_id is -EPERM before any copy for
 * a domU, unknown sub-ops are -ENOSYS.
 */
#include "ridiculous.h"

static const struct {
    unsigned int cmd;
    const char *name;
} copying[] = {
    {XENVER_extraversion, "extraversion"},
    {XENVER_compile_info, "compile_info"},
    {XENVER_capabilities, "capabilities"},
    {XENVER_changeset, "changeset"},
    {XENVER_platform_parameters, "platform_parameters"},
    {XENVER_get_features, "get_features"},
    {XENVER_guest_handle, "guest_handle"},
    {XENVER_commandline, "commandline"},
};

int guest_main(void)
{
    static uint8_t l4_before[PAGE_SIZE];
    xen_feature_info_t fi;
    long rc;

    guest_init_basic();
    bad_ptrs_init();

    for (unsigned int c = 0; c < ARRAY_SIZE(copying); c++) {
        rc = HYPERVISOR_xen_version(copying[c].cmd, NULL);
        tap_eq(rc, -XEN_EFAULT, "XENVER_%s into NULL", copying[c].name);
        NOT_NULL_BAD_PTRS(i)
        {
            rc = HYPERVISOR_xen_version(copying[c].cmd,
                                        (void *)bad_ptrs[i].addr);
            tap_eq(rc, -XEN_EFAULT, "XENVER_%s into %s", copying[c].name,
                   bad_ptrs[i].name);
        }
    }

    memcpy(l4_before, (void *)start_info->pt_base, PAGE_SIZE);
    rc = HYPERVISOR_xen_version(XENVER_extraversion,
                                (void *)start_info->pt_base);
    tap_eq(rc, -XEN_EFAULT, "XENVER_extraversion into our read-only L4 page");
    rc = HYPERVISOR_xen_version(XENVER_compile_info,
                                (void *)start_info->pt_base);
    tap_eq(rc, -XEN_EFAULT, "XENVER_compile_info into our read-only L4 page");
    tap_ok(!memcmp(l4_before, (void *)start_info->pt_base, PAGE_SIZE),
           "the L4 page is unchanged");

    fi.submap_idx = 0xffffffff;
    rc = HYPERVISOR_xen_version(XENVER_get_features, &fi);
    tap_eq(rc, -XEN_EINVAL, "get_features submap 0xffffffff");
    rc = HYPERVISOR_xen_version(XENVER_pagesize, &fi);
    tap_eq(rc, -XEN_EINVAL, "pagesize with a non-NULL argument");
    rc =
        HYPERVISOR_xen_version(XENVER_build_id, (void *)bad_ptrs[BAD_M2P].addr);
    tap_eq(rc, -XEN_EPERM, "build_id is refused before touching its buffer");
    rc = HYPERVISOR_xen_version(~0UL, NULL);
    tap_eq(rc, -XEN_ENOSYS, "sub-op ~0");
    rc = HYPERVISOR_xen_version(0x80000000UL, NULL);
    tap_eq(rc, -XEN_ENOSYS, "sub-op 0x80000000");
    ridiculous_alive();
    tap_done();
}
