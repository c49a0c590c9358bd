/* SPDX-License-Identifier: MIT */
/*
 * The back end of the dom0 link ring (see pvisor/link_ring.h).
 *
 * Requests are copied out of the shared ring before they are looked at
 * (RING_COPY_REQUEST), and the producer index is read once per pass and
 * checked against the ring size, so a host that scribbles on the ring
 * cannot make us read outside it or act on a request twice.
 */
#include <pvisor/link_ring.h>
#include <pvisor/lib.h>

void link_back_init(struct link_back *lb, struct pvlink_sring *sring,
                    size_t bytes)
{
    memset(sring, 0, bytes);
    SHARED_RING_INIT(sring);
    BACK_RING_INIT(&lb->ring, sring, bytes);
    lb->broken = false;
}

int link_back_process(struct link_back *lb, const struct link_back_ops *ops,
                      void *arg)
{
    struct pvlink_back_ring *r = &lb->ring;
    int more, notify, handled = 0;

    do {
        RING_IDX rp = READ_ONCE(r->sring->req_prod);

        xen_rmb(); /* read requests only after the index that covers them */
        if (rp - r->req_cons > RING_SIZE(r)) {
            lb->broken = true;
            return -1;
        }
        lb->broken = false;
        while (r->req_cons != rp) {
            struct pvlink_request req;
            struct pvlink_response *rsp;

            RING_COPY_REQUEST(r, r->req_cons, &req);
            r->req_cons++;
            rsp = RING_GET_RESPONSE(r, r->rsp_prod_pvt);
            rsp->id = req.id;
            rsp->result = ops->exec(&req, arg);
            r->rsp_prod_pvt++;
            handled++;
            RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, notify);
            if (notify)
                ops->notify(arg);
        }
        RING_FINAL_CHECK_FOR_REQUESTS(r, more);
    } while (more);
    return handled;
}

bool link_window_valid(uint64_t maddr, uint64_t size, uint64_t arena_maddr,
                       uint64_t arena_size)
{
    return maddr >= arena_maddr && size <= arena_size &&
           maddr - arena_maddr <= arena_size - size;
}
