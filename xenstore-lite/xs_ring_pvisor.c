/* SPDX-License-Identifier: MIT */
/*
 * The ring backend for a pvisor machine (struct xs_ring_backend): guest
 * xenstore pages are mapped through libpvctrl's foreign mappings and
 * their event channels bound through its pvevtchn handles, as xenstored
 * does with libxenforeignmemory and libxenevtchn on Xen.
 *
 * VIRQ_DOM_EXC is bound too: when it fires, the daemon asks the
 * hypervisor about every introduced domain and releases those that are
 * gone, firing @releaseDomain (the toolstack learns of deaths this way,
 * as xl does on Xen).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pvctrl.h" /* first: it asks for the tools' view of the Xen headers */

#include <xen/io/xs_wire.h>
#include <xen/xen.h>

#include "xs_core.h"

struct ring_pvisor {
    struct xs_ring_backend ops; /* first: the daemon holds &ops */
    struct pvctrl *xc;
    struct pvevtchn *xce;
    int dom_exc_port;
};

static struct xenstore_domain_interface *rp_map(void *priv, unsigned int domid,
                                                uint64_t mfn)
{
    struct ring_pvisor *rp = priv;
    xen_pfn_t f = (xen_pfn_t)mfn;
    int err = 0;
    void *p = pvforeign_map(rp->xc, domid, &f, 1, NULL, &err);

    if (!p)
        errno = -err;
    return p;
}

static void rp_unmap(void *priv, unsigned int domid,
                     struct xenstore_domain_interface *intf)
{
    struct ring_pvisor *rp = priv;

    (void)domid;
    pvforeign_unmap(rp->xc, intf, 1);
}

static int rp_bind(void *priv, unsigned int domid, uint32_t remote_port)
{
    struct ring_pvisor *rp = priv;

    return pvevtchn_bind_interdomain(rp->xce, domid, remote_port);
}

static void rp_unbind(void *priv, int local_port)
{
    struct ring_pvisor *rp = priv;

    pvevtchn_unbind(rp->xce, (uint32_t)local_port);
}

static int rp_notify(void *priv, int local_port)
{
    struct ring_pvisor *rp = priv;

    return pvevtchn_notify(rp->xce, (uint32_t)local_port);
}

static int rp_event_fd(void *priv)
{
    struct ring_pvisor *rp = priv;

    return pvevtchn_fd(rp->xce);
}

/*
 * The next port with an event, unmasked at once (events that come while
 * the ring is being served are seen by the next call).  VIRQ_DOM_EXC is
 * reported as XS_RING_DOM_EXC.
 */
static int rp_pending(void *priv)
{
    struct ring_pvisor *rp = priv;
    int port = pvevtchn_pending(rp->xce);

    if (port < 0)
        return port;
    pvevtchn_unmask(rp->xce, (uint32_t)port);
    return port == rp->dom_exc_port ? XS_RING_DOM_EXC : port;
}

/* Where domid is: XS_DOM_RUNNING, _SHUTDOWN, _GONE (or dying), or -errno. */
static int rp_domain_state(void *priv, unsigned int domid)
{
    struct ring_pvisor *rp = priv;
    struct xen_domctl_getdomaininfo info;
    int rc = pvctrl_domain_getinfo(rp->xc, domid, &info);

    if (rc == -ESRCH || (!rc && info.domain != domid))
        return XS_DOM_GONE;
    if (rc)
        return rc;
    if (info.flags & XEN_DOMINF_dying)
        return XS_DOM_GONE;
    return info.flags & XEN_DOMINF_shutdown ? XS_DOM_SHUTDOWN : XS_DOM_RUNNING;
}

const struct xs_ring_backend *xs_ring_pvisor_open(const char *rundir, int *err)
{
    struct ring_pvisor *rp = calloc(1, sizeof(*rp));
    int rc;

    if (!rp) {
        *err = -ENOMEM;
        return NULL;
    }
    rc = pvctrl_open(rundir, &rp->xc);
    if (!rc)
        rc = pvevtchn_open(rundir, &rp->xce);
    if (!rc) {
        rc = pvevtchn_bind_virq(rp->xce, VIRQ_DOM_EXC);
        rp->dom_exc_port = rc;
        rc = rc < 0 ? rc : 0;
    }
    if (rc) {
        pvevtchn_close(rp->xce);
        pvctrl_close(rp->xc);
        free(rp);
        *err = rc;
        return NULL;
    }
    rp->ops = (struct xs_ring_backend){.map = rp_map,
                                       .unmap = rp_unmap,
                                       .bind = rp_bind,
                                       .unbind = rp_unbind,
                                       .notify = rp_notify,
                                       .event_fd = rp_event_fd,
                                       .pending = rp_pending,
                                       .domain_state = rp_domain_state,
                                       .priv = rp};
    return &rp->ops;
}

void xs_ring_pvisor_close(const struct xs_ring_backend *rb)
{
    struct ring_pvisor *rp;

    if (!rb)
        return;
    rp = rb->priv;
    pvevtchn_close(rp->xce);
    pvctrl_close(rp->xc);
    free(rp);
}
