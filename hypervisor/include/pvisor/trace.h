/* SPDX-License-Identifier: MIT */
/*
 * Tracing (common/trace.c; the buffer ABI is public/pvisor/trace.h).
 *
 * A trace point is
 *     if (trace_on(PVTRACE_CLASS_X, d))
 *         trace_record(PVTRACE_EV_Y, v_or_NULL, d, a, b, ...);
 * which costs a load and a test while the class is off.
 */
#ifndef PVISOR_TRACE_H
#define PVISOR_TRACE_H

#include <pvisor/types.h>
#include <public/pvisor/trace.h>

struct domain;
struct vcpu;

extern uint32_t trace_classes; /* enabled classes; 0: tracing is off */
extern domid_t trace_domid;    /* the traced domain, or PVTRACE_ALL_DOMAINS */

static inline bool trace_on_domid(uint32_t class, domid_t domid)
{
    return unlikely(READ_ONCE(trace_classes) & class) &&
           (READ_ONCE(trace_domid) == PVTRACE_ALL_DOMAINS ||
            READ_ONCE(trace_domid) == domid);
}

/* Records an event of domid/vcpu (vcpu 0x7fff: none) with up to 6 words. */
void trace_record(uint16_t event, uint8_t flags, domid_t domid, uint16_t vcpu,
                  uint64_t d0, uint64_t d1, uint64_t d2, uint64_t d3,
                  uint64_t d4, uint64_t d5);

/* PVLINK_OP_TRACE from domain 0. */
long trace_op(unsigned long cmd, unsigned long a1, unsigned long a2);

#define TRACE_NO_VCPU 0x7fff

#endif /* PVISOR_TRACE_H */
