/* SPDX-License-Identifier: MIT */
/*
 * The xen_version hypercall (public/version.h): version, extra version,
 * compile information, capabilities, changeset, platform parameters,
 * feature bits, page size, guest handle, command line and build id.
 */
#include <asm/config.h>
#include <asm/current.h>
#include <pvisor/guest_access.h>
#include <pvisor/hypercall.h>
#include <pvisor/lib.h>
#include <pvisor/sched.h>
#include <pvisor/setup.h>
#include <pvisor/version.h>
#include <build-info.h>
#include <xen/errno.h>
#include <xen/features.h>
#include <xen/version.h>

/*
 * Feature bits (XENFEAT_*) of submap 0, as Xen gives a PV domain, less
 * those whose interfaces pvisor does not have yet: grant map available
 * bits (no grant tables) and vNUMA (XENMEM_get_vnumainfo is -ENOSYS).
 */
static uint32_t domain_features(const struct domain *d)
{
    uint32_t f = (1U << XENFEAT_mmu_pt_update_preserve_ad) |
                 (1U << XENFEAT_highmem_assist) |
                 (1U << XENFEAT_direct_mapped);

    if (d->arch.vm_assist & (1UL << VMASST_TYPE_pae_extended_cr3))
        f |= 1U << XENFEAT_pae_pgdir_above_4gb;
    if (d->is_privileged)
        f |= 1U << XENFEAT_dom0;
    return f;
}

/* What an unprivileged domain reads instead of a privileged answer. */
#define XEN_DENY "<denied>"

static long copy_string_out(unsigned long arg, const char *s, size_t size)
{
    char buf[1024];

    memset(buf, 0, size);
    strlcpy(buf, s, size);
    return copy_struct_to_guest_n(arg, buf, size) ? -XEN_EFAULT : 0;
}

long do_xen_version(unsigned long cmd, unsigned long arg)
{
    const struct domain *d = current->domain;

    switch (cmd) {
    case XENVER_version:
        return (PVISOR_XEN_MAJOR << 16) | PVISOR_XEN_MINOR;

    case XENVER_extraversion:
        return copy_string_out(arg, PVISOR_XEN_EXTRA,
                               sizeof(xen_extraversion_t));

    case XENVER_compile_info: {
        struct xen_compile_info ci;

        memset(&ci, 0, sizeof(ci));
        strlcpy(ci.compiler, "gcc " __VERSION__, sizeof(ci.compiler));
        strlcpy(ci.compile_by, BUILD_USER, sizeof(ci.compile_by));
        strlcpy(ci.compile_domain, BUILD_HOST, sizeof(ci.compile_domain));
        strlcpy(ci.compile_date, BUILD_DATE, sizeof(ci.compile_date));
        return copy_struct_to_guest(arg, &ci) ? -XEN_EFAULT : 0;
    }

    case XENVER_capabilities:
        return copy_string_out(arg, "xen-3.0-x86_64",
                               sizeof(xen_capabilities_info_t));

    case XENVER_changeset:
        return copy_string_out(arg, BUILD_CHANGESET, sizeof(xen_changeset_info_t));

    case XENVER_platform_parameters: {
        xen_platform_parameters_t p = {.virt_start = HYPERVISOR_VIRT_START};

        return copy_struct_to_guest(arg, &p) ? -XEN_EFAULT : 0;
    }

    case XENVER_get_features: {
        xen_feature_info_t fi;

        if (copy_struct_from_guest(&fi, arg))
            return -XEN_EFAULT;
        if (fi.submap_idx != 0)
            return -XEN_EINVAL; /* XENFEAT_NR_SUBMAPS is 1 */
        fi.submap = domain_features(d);
        return copy_struct_to_guest(arg, &fi) ? -XEN_EFAULT : 0;
    }

    case XENVER_pagesize:
        return arg ? -XEN_EINVAL : (long)PAGE_SIZE; /* takes no argument */

    case XENVER_guest_handle:
        return copy_struct_to_guest_n(arg, d->handle, sizeof(d->handle))
                   ? -XEN_EFAULT
                   : 0;

    /* The rest belongs to the control domain; others are told so. */
    case XENVER_commandline:
        if (!d->is_privileged)
            return copy_struct_to_guest_n(arg, XEN_DENY, sizeof(XEN_DENY))
                       ? -XEN_EFAULT
                       : 0;
        return copy_string_out(arg, hypervisor_cmdline,
                               sizeof(xen_commandline_t));

    case XENVER_build_id:
        if (!d->is_privileged)
            return -XEN_EPERM;
        return -XEN_ENODATA; /* the image carries no build id note */

    default:
        return -XEN_ENOSYS;
    }
}
