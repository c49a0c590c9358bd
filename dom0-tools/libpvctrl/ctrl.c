/* SPDX-License-Identifier: MIT */
/*
 * Typed control operations (the libxenctrl part of libpvctrl): each one
 * puts its arguments in hypercall buffers, issues the hypercall through the
 * transport and copies the results back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <stdint.h>
#include <xen/version.h>

#include "pvctrl_priv.h"

int pvctrl_open(const char *rundir, struct pvctrl **out)
{
    struct pvctrl *xc = calloc(1, sizeof(*xc));
    int rc;

    if (!xc)
        return -ENOMEM;
    rc = pvcall_open(rundir, &xc->call);
    if (rc) {
        free(xc);
        return rc;
    }
    *out = xc;
    return 0;
}

void pvctrl_close(struct pvctrl *xc)
{
    if (!xc)
        return;
    while (xc->mappings)
        pvforeign_unmap(xc, xc->mappings->addr, xc->mappings->n);
    pvcall_close(xc->call);
    free(xc);
}

struct pvcall_handle *pvctrl_call_handle(struct pvctrl *xc)
{
    return xc->call;
}

int pvctrl_version(struct pvctrl *xc, int *major, int *minor)
{
    long v = pvcall_hypercall(xc->call, __HYPERVISOR_xen_version,
                              XENVER_version, 0, 0, 0, 0);

    if (v < 0)
        return (int)v;
    *major = (int)(v >> 16);
    *minor = (int)(v & 0xffff);
    return 0;
}

/* Size of the string a XENVER_* string sub-op writes. */
static size_t version_string_size(int cmd)
{
    switch (cmd) {
    case XENVER_extraversion:
        return sizeof(xen_extraversion_t);
    case XENVER_capabilities:
        return sizeof(xen_capabilities_info_t);
    case XENVER_changeset:
        return sizeof(xen_changeset_info_t);
    case XENVER_commandline:
        return sizeof(xen_commandline_t);
    default:
        return 0;
    }
}

int pvctrl_version_string(struct pvctrl *xc, int cmd, char *buf, size_t len)
{
    size_t size = version_string_size(cmd);
    char *hb;
    long rc;

    if (!size || !len)
        return -EINVAL;
    hb = pvcall_alloc_buffer(xc->call, size);
    if (!hb)
        return -ENOMEM;
    rc = pvcall_hypercall(xc->call, __HYPERVISOR_xen_version, (uint64_t)cmd,
                          pvcall_buffer_addr(xc->call, hb), 0, 0, 0);
    if (rc >= 0) {
        size_t n = strnlen(hb, size);
        if (n >= len)
            n = len - 1;
        memcpy(buf, hb, n);
        buf[n] = '\0';
        rc = 0;
    }
    pvcall_free_buffer(xc->call, hb);
    return (int)rc;
}

/* Issues a sysctl whose argument is *op; copies the result back to *op. */
int pvctrl__sysctl(struct pvctrl *xc, struct xen_sysctl *op)
{
    struct xen_sysctl *hb = pvcall_alloc_buffer(xc->call, sizeof(*hb));
    long rc;

    if (!hb)
        return -ENOMEM;
    op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    *hb = *op;
    rc = pvcall_hypercall(xc->call, __HYPERVISOR_sysctl,
                          pvcall_buffer_addr(xc->call, hb), 0, 0, 0, 0);
    if (rc >= 0)
        *op = *hb;
    pvcall_free_buffer(xc->call, hb);
    return (int)rc;
}

int pvctrl_physinfo(struct pvctrl *xc, struct xen_sysctl_physinfo *info)
{
    struct xen_sysctl op = {.cmd = XEN_SYSCTL_physinfo};
    int rc = pvctrl__sysctl(xc, &op);

    if (!rc)
        *info = op.u.physinfo;
    return rc;
}

int pvctrl_readconsole(struct pvctrl *xc, char *buf, uint32_t *count,
                       uint32_t *index, bool incremental, bool clear)
{
    struct xen_sysctl op = {.cmd = XEN_SYSCTL_readconsole};
    char *hb = pvcall_alloc_buffer(xc->call, *count);
    int rc;

    if (!hb)
        return -ENOMEM;
    op.u.readconsole.clear = clear;
    op.u.readconsole.incremental = incremental;
    op.u.readconsole.index = *index;
    op.u.readconsole.count = *count;
    set_xen_guest_handle(op.u.readconsole.buffer,
                         (char *)(uintptr_t)pvcall_buffer_addr(xc->call, hb));
    rc = pvctrl__sysctl(xc, &op);
    if (!rc) {
        uint32_t n = op.u.readconsole.count;
        if (n > *count) {
            rc = -EPROTO;
        } else {
            memcpy(buf, hb, n);
            *count = n;
            *index = op.u.readconsole.index;
        }
    }
    pvcall_free_buffer(xc->call, hb);
    return rc;
}
