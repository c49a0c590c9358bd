/* SPDX-License-Identifier: MIT */
/*
 * Guest memory accessors.  For the dom0 link vCPU a "guest address" is a
 * machine address inside the request's arena window; anything outside it
 * is refused (nothing copied).
 */
#include <asm/current.h>
#include <asm/page.h>
#include <pvisor/guest_access.h>
#include <pvisor/lib.h>
#include <pvisor/sched.h>

static void *link_window_ptr(const struct vcpu *v, const void *gaddr,
                             unsigned long len)
{
    uint64_t a = (uint64_t)gaddr;

    if (a < v->link_window_maddr || len > v->link_window_size ||
        a - v->link_window_maddr > v->link_window_size - len)
        return NULL;
    return maddr_to_virt(a);
}

unsigned long raw_copy_from_guest(void *dst, const void *gsrc,
                                  unsigned long len)
{
    struct vcpu *v = current;
    void *p;

    if (!len)
        return 0;
    if (!v || !is_link_vcpu(v) || !(p = link_window_ptr(v, gsrc, len)))
        return len;
    memcpy(dst, p, len);
    return 0;
}

unsigned long raw_copy_to_guest(void *gdst, const void *src,
                                unsigned long len)
{
    struct vcpu *v = current;
    void *p;

    if (!len)
        return 0;
    if (!v || !is_link_vcpu(v) || !(p = link_window_ptr(v, gdst, len)))
        return len;
    memcpy(p, src, len);
    return 0;
}
