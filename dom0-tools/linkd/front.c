/* SPDX-License-Identifier: MIT */
/*
 * The host's end of the dom0 link ring (see front.h).  Responses are
 * copied out of shared memory before use and the producer index is read
 * once per pass and checked, as on the hypervisor's side.
 */
#include "front.h"

void link_front_init(struct pvlink_front_ring *f, struct pvlink_sring *s,
                     size_t bytes)
{
    FRONT_RING_INIT(f, s, bytes);
}

bool link_front_push(struct pvlink_front_ring *f,
                     const struct pvlink_request *req)
{
    int notify;

    *RING_GET_REQUEST(f, f->req_prod_pvt) = *req;
    f->req_prod_pvt++;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(f, notify);
    return notify;
}

int link_front_poll(struct pvlink_front_ring *f,
                    void (*cb)(const struct pvlink_response *rsp, void *arg),
                    void *arg)
{
    int more, handled = 0;

    do {
        RING_IDX rp = __atomic_load_n(&f->sring->rsp_prod, __ATOMIC_ACQUIRE);

        if (rp - f->rsp_cons > RING_SIZE(f))
            return -1;
        while (f->rsp_cons != rp) {
            struct pvlink_response rsp;

            RING_COPY_RESPONSE(f, f->rsp_cons, &rsp);
            f->rsp_cons++;
            handled++;
            cb(&rsp, arg);
        }
        RING_FINAL_CHECK_FOR_RESPONSES(f, more);
    } while (more);
    return handled;
}
