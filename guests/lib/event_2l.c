/* SPDX-License-Identifier: MIT */
/*
 * The 2-level event-channel bitmap scan, kept free of hypercalls so the
 * host unit tests can run it on a shared_info in ordinary memory.
 *
 * Order matters (xen/xen.h, vcpu_info comment): upcall_pending is cleared
 * before the selector is read, so an event set during the scan raises it
 * again and is picked up by the next round rather than lost.  The selector
 * is taken with an atomic exchange and each pending bit cleared with an
 * atomic and, because the hypervisor sets them concurrently from other
 * CPUs.  Masked ports stay pending for whoever unmasks them.
 */
#include "events.h"

static inline unsigned int lowest_bit(xen_ulong_t w)
{
    return (unsigned int)__builtin_ctzl(w);
}

unsigned int evtchn_2l_scan(shared_info_t *s, struct vcpu_info *v,
                            evtchn_dispatch_t fn, void *ctx)
{
    unsigned int dispatched = 0;

    do {
        xen_ulong_t sel;

        WRITE_ONCE(v->evtchn_upcall_pending, 0);
        sel = __atomic_exchange_n(&v->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        while (sel) {
            unsigned int word = lowest_bit(sel);
            xen_ulong_t ready;

            sel &= sel - 1;
            ready = READ_ONCE(s->evtchn_pending[word]) &
                    ~READ_ONCE(s->evtchn_mask[word]);
            while (ready) {
                unsigned int bit = lowest_bit(ready);
                xen_ulong_t m = (xen_ulong_t)1 << bit;

                ready &= ready - 1;
                __atomic_fetch_and(&s->evtchn_pending[word], ~m,
                                   __ATOMIC_SEQ_CST);
                fn((evtchn_port_t)(word * EVTCHN_2L_BITS + bit), ctx);
                dispatched++;
            }
        }
    } while (READ_ONCE(v->evtchn_upcall_pending));
    return dispatched;
}

void evtchn_2l_set_pending(shared_info_t *s, struct vcpu_info *v,
                           evtchn_port_t port)
{
    unsigned int word = port / EVTCHN_2L_BITS;
    xen_ulong_t m = (xen_ulong_t)1 << (port % EVTCHN_2L_BITS);

    if (__atomic_fetch_or(&s->evtchn_pending[word], m, __ATOMIC_SEQ_CST) & m)
        return;
    if (READ_ONCE(s->evtchn_mask[word]) & m)
        return;
    if (__atomic_fetch_or(&v->evtchn_pending_sel, (xen_ulong_t)1 << word,
                          __ATOMIC_SEQ_CST) &
        ((xen_ulong_t)1 << word))
        return;
    WRITE_ONCE(v->evtchn_upcall_pending, 1);
}
