/* SPDX-License-Identifier: MIT */
/*
 * The sysctl hypercall (public/sysctl.h), privileged: physinfo (what
 * `pvctl info` shows) and readconsole (what `pvctl dmesg` shows).  Other
 * sub-operations answer -ENOSYS.
 */
#include <asm/processor.h>
#include <pvisor/console.h>
#include <pvisor/guest_access.h>
#include <pvisor/hypercall.h>
#include <pvisor/lib.h>
#include <pvisor/mm.h>
#include <pvisor/setup.h>
#include <pvisor/smp.h>
#include <pvisor/time.h>
#include <xen/errno.h>
#include <xen/sysctl.h>

static long sysctl_physinfo(struct xen_sysctl_physinfo *pi)
{
    uint32_t a, b, c, d;

    memset(pi, 0, sizeof(*pi));
    pi->threads_per_core = 1;
    pi->cores_per_socket = nr_cpus_online;
    pi->nr_cpus = nr_cpus_online;
    pi->max_cpu_id = nr_cpus_possible - 1;
    pi->nr_nodes = 1;
    pi->max_node_id = 0;
    pi->cpu_khz = tsc_khz;
    pi->capabilities = XEN_SYSCTL_PHYSCAP_pv;
    pi->total_pages = total_ram_pages;
    pi->free_pages = heap_free_pages();
    pi->max_mfn = max_page - 1;
    cpuid_count(1, 0, &a, &b, &c, &d);
    pi->hw_cap[0] = d;
    pi->hw_cap[1] = c;
    cpuid_count(0x80000001, 0, &a, &b, &c, &d);
    pi->hw_cap[2] = d;
    pi->hw_cap[3] = c;
    return 0;
}

static long sysctl_readconsole(struct xen_sysctl_readconsole *rc)
{
    char chunk[512];
    uint32_t want = rc->count, done = 0, index = rc->index;
    bool incremental = rc->incremental;

    /* Copy out in chunks so no large buffer sits on the stack. */
    while (done < want) {
        uint32_t n = MIN(want - done, (uint32_t)sizeof(chunk));

        console_read_ring(chunk, &n, &index, incremental, rc->clear);
        if (!n)
            break;
        if (raw_copy_to_guest(rc->buffer.p + done, chunk, n))
            return -XEN_EFAULT;
        done += n;
        incremental = true; /* continue where this chunk ended */
    }
    rc->count = done;
    rc->index = index;
    return 0;
}

long do_sysctl(unsigned long arg)
{
    struct xen_sysctl op;
    long rc;

    if (copy_struct_from_guest(&op, arg))
        return -XEN_EFAULT;
    if (op.interface_version != XEN_SYSCTL_INTERFACE_VERSION)
        return -XEN_EACCES;

    switch (op.cmd) {
    case XEN_SYSCTL_physinfo:
        rc = sysctl_physinfo(&op.u.physinfo);
        break;
    case XEN_SYSCTL_readconsole:
        rc = sysctl_readconsole(&op.u.readconsole);
        break;
    default:
        return -XEN_ENOSYS;
    }
    if (!rc && copy_struct_to_guest(arg, &op))
        rc = -XEN_EFAULT;
    return rc;
}
