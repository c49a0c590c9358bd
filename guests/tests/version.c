/* SPDX-License-Identifier: MIT */
/*
 * Test guest for xen_version (#17): every XENVER_* sub-op with what an
 * unprivileged PV domain must see (xen/common/kernel.c do_xen_version and
 * the XSM dummy policy, xen/include/xsm/dummy.h xsm_xen_version: version,
 * platform_parameters and get_features are open; extraversion,
 * compile_info, capabilities, changeset, pagesize and guest_handle are
 * open to every guest; commandline answers "<denied>" and build_id -EPERM
 * to unprivileged domains).
 */
#include "hypercall.h"
#include "tap.h"

#include <xen/errno.h>
#include <xen/features.h>

static bool terminated(const char *s, size_t size)
{
    return strnlen(s, size) < size;
}

int guest_main(void)
{
    xen_extraversion_t extra;
    xen_compile_info_t ci;
    static xen_capabilities_info_t caps;
    xen_changeset_info_t cs;
    xen_platform_parameters_t pp;
    xen_feature_info_t fi;
    xen_domain_handle_t handle;
    static xen_commandline_t cmdline;
    long rc;

    guest_init_basic();

    rc = HYPERVISOR_xen_version(XENVER_version, NULL);
    tap_check(rc >= 0x30000, xen_errno_name(rc),
              "XENVER_version is major << 16 | minor with major >= 3");
    tap_diag("version %ld.%ld", rc >> 16, rc & 0xffff);

    memset(extra, 0x55, sizeof(extra));
    rc = HYPERVISOR_xen_version(XENVER_extraversion, extra);
    tap_eq(rc, 0, "XENVER_extraversion");
    tap_ok(terminated(extra, sizeof(extra)),
           "extraversion is NUL-terminated within 16 bytes");

    memset(&ci, 0x55, sizeof(ci));
    rc = HYPERVISOR_xen_version(XENVER_compile_info, &ci);
    tap_eq(rc, 0, "XENVER_compile_info");
    tap_ok(terminated(ci.compiler, sizeof(ci.compiler)) &&
               terminated(ci.compile_by, sizeof(ci.compile_by)) &&
               terminated(ci.compile_domain, sizeof(ci.compile_domain)) &&
               terminated(ci.compile_date, sizeof(ci.compile_date)),
           "compile_info fields are NUL-terminated");

    rc = HYPERVISOR_xen_version(XENVER_capabilities, caps);
    tap_eq(rc, 0, "XENVER_capabilities");
    tap_check(terminated(caps, sizeof(caps)) && strstr(caps, "xen-3.0-x86_64"),
              caps, "capabilities include xen-3.0-x86_64");

    memset(cs, 0x55, sizeof(cs));
    rc = HYPERVISOR_xen_version(XENVER_changeset, cs);
    tap_eq(rc, 0, "XENVER_changeset");
    tap_ok(terminated(cs, sizeof(cs)), "changeset is NUL-terminated");

    rc = HYPERVISOR_xen_version(XENVER_platform_parameters, &pp);
    tap_eq(rc, 0, "XENVER_platform_parameters");
    tap_eq_hex(pp.virt_start, HYPERVISOR_VIRT_START,
               "virt_start is HYPERVISOR_VIRT_START");

    fi.submap_idx = 0;
    fi.submap = 0xdeadbeef;
    rc = HYPERVISOR_xen_version(XENVER_get_features, &fi);
    tap_eq(rc, 0, "XENVER_get_features submap 0");
    tap_eq(!!(fi.submap & (1U << XENFEAT_writable_page_tables)), 0,
           "feature writable_page_tables not offered (PV, not translated)");
    tap_eq(!!(fi.submap & (1U << XENFEAT_auto_translated_physmap)), 0,
           "feature auto_translated_physmap clear");
    tap_eq(!!(fi.submap & (1U << XENFEAT_supervisor_mode_kernel)), 0,
           "feature supervisor_mode_kernel clear");
    tap_eq(!!(fi.submap & (1U << XENFEAT_dom0)), 0, "feature dom0 clear");
    tap_eq(!!(fi.submap & (1U << XENFEAT_hvm_callback_vector)), 0,
           "feature hvm_callback_vector clear (PV)");
    tap_eq(!!(fi.submap & (1U << XENFEAT_hvm_pirqs)), 0,
           "feature hvm_pirqs clear (PV)");
    tap_diag(
        "features submap 0 = %#x (Xen gives a PV domU "
        "mmu_pt_update_preserve_ad, highmem_assist, gnttab_map_avail_bits, "
        "memory_op_vnode_supported)",
        fi.submap);
    fi.submap_idx = 1;
    rc = HYPERVISOR_xen_version(XENVER_get_features, &fi);
    tap_eq(rc, -XEN_EINVAL, "XENVER_get_features submap 1 does not exist");

    rc = HYPERVISOR_xen_version(XENVER_pagesize, NULL);
    tap_eq(rc, 4096, "XENVER_pagesize with a NULL argument is 4096");

    memset(handle, 0x55, sizeof(handle));
    rc = HYPERVISOR_xen_version(XENVER_guest_handle, handle);
    tap_eq(rc, 0, "XENVER_guest_handle copies the 16-byte domain handle");

    memset(cmdline, 0x55, sizeof(cmdline));
    rc = HYPERVISOR_xen_version(XENVER_commandline, cmdline);
    tap_eq(rc, 0, "XENVER_commandline answers");
    tap_check(
        terminated(cmdline, sizeof(cmdline)) && !strcmp(cmdline, "<denied>"),
        "not <denied>", "... with \"<denied>\" for an unprivileged domain");

    rc = HYPERVISOR_xen_version(XENVER_build_id, NULL);
    tap_eq(rc, -XEN_EPERM, "XENVER_build_id is refused to a domU");

    rc = HYPERVISOR_xen_version(64, NULL);
    tap_eq(rc, -XEN_ENOSYS, "an unknown sub-op (64) is -ENOSYS");
    tap_done();
}
