/* SPDX-License-Identifier: MIT */
/*
 * Guest memory accessors.
 *
 * For a PV vCPU, a guest address is a virtual address in its current
 * (kernel) page tables, which are loaded while it makes hypercalls.  The
 * range is checked to be canonical and outside the hypervisor's L4 slots
 * (the hypervisor could otherwise be made to read or write itself), and
 * the copy itself runs under an exception fixup, so an unmapped or
 * read-only guest page makes the copy stop short instead of faulting.
 *
 * For the dom0 link vCPU a "guest address" is a machine address inside
 * the request's arena window; anything outside it is refused.
 */
#include <asm/current.h>
#include <asm/page.h>
#include <asm/uaccess.h>
#include <pvisor/guest_access.h>
#include <pvisor/lib.h>
#include <pvisor/sched.h>
#include <xen/xen.h>

static void *link_window_ptr(const struct vcpu *v, const void *gaddr,
                             unsigned long len)
{
    uint64_t a = (uint64_t)gaddr;

    if (a < v->link_window_maddr || len > v->link_window_size ||
        a - v->link_window_maddr > v->link_window_size - len)
        return NULL;
    return maddr_to_virt(a);
}

bool guest_range_ok(unsigned long addr, unsigned long len)
{
    unsigned long end = addr + len;

    if (end < addr)
        return false;
    /* Lower half: must end at or below the top of the canonical range. */
    if (addr < (1UL << 47))
        return end <= (1UL << 47);
    /* Upper half: canonical and clear of the hypervisor's slots. */
    if (addr < 0xffff800000000000UL)
        return false;
    return addr >= HYPERVISOR_VIRT_END || end <= HYPERVISOR_VIRT_START;
}

unsigned long raw_copy_from_guest(void *dst, const void *gsrc,
                                  unsigned long len)
{
    struct vcpu *v = current;
    void *p;

    if (!len)
        return 0;
    if (!v || v->is_idle)
        return len;
    if (is_link_vcpu(v)) {
        if (!(p = link_window_ptr(v, gsrc, len)))
            return len;
        memcpy(dst, p, len);
        return 0;
    }
    if (!guest_range_ok((unsigned long)gsrc, len))
        return len;
    return __copy_user(dst, gsrc, len);
}

unsigned long raw_copy_to_guest(void *gdst, const void *src,
                                unsigned long len)
{
    struct vcpu *v = current;
    void *p;

    if (!len)
        return 0;
    if (!v || v->is_idle)
        return len;
    if (is_link_vcpu(v)) {
        if (!(p = link_window_ptr(v, gdst, len)))
            return len;
        memcpy(p, src, len);
        return 0;
    }
    if (!guest_range_ok((unsigned long)gdst, len))
        return len;
    return __copy_user(gdst, src, len);
}
