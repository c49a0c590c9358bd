/* SPDX-License-Identifier: MIT */
/*
 * Access to guest memory through guest handles (XEN_GUEST_HANDLE from the
 * public headers).  Every read of guest memory goes through these: copy in
 * once, check, then use.  The raw functions return the number of bytes NOT
 * copied, as Xen's do; callers turn a non-zero result into -EFAULT.
 */
#ifndef PVISOR_GUEST_ACCESS_H
#define PVISOR_GUEST_ACCESS_H

#include <pvisor/types.h>

unsigned long raw_copy_from_guest(void *dst, const void *guest_src,
                                  unsigned long len);
unsigned long raw_copy_to_guest(void *guest_dst, const void *src,
                                unsigned long len);

/* Copies at a guest address held in an integer (a hypercall argument). */
#define copy_from_guest_raw(dst, addr, len)                                    \
    raw_copy_from_guest((dst), (const void *)(unsigned long)(addr), (len))
#define copy_to_guest_raw(addr, src, len)                                      \
    raw_copy_to_guest((void *)(unsigned long)(addr), (src), (len))

/* A handle from a hypercall argument register. */
#define guest_handle_from_arg(type, arg) ((XEN_GUEST_HANDLE(type)){(type *)(arg)})
#define guest_handle_is_null(h) ((h).p == NULL)

#define copy_from_guest_offset(dst, h, off, nr)                                \
    raw_copy_from_guest((dst), (h).p + (off), (nr) * sizeof(*(h).p))
#define copy_to_guest_offset(h, off, src, nr)                                  \
    raw_copy_to_guest((h).p + (off), (src), (nr) * sizeof(*(h).p))
#define copy_from_guest(dst, h, nr) copy_from_guest_offset(dst, h, 0, nr)
#define copy_to_guest(h, src, nr) copy_to_guest_offset(h, 0, src, nr)

/* Whole-structure copies of a pointer argument. */
#define copy_struct_from_guest(dst, uptr)                                      \
    raw_copy_from_guest((dst), (const void *)(uptr), sizeof(*(dst)))
#define copy_struct_to_guest(uptr, src)                                        \
    raw_copy_to_guest((void *)(uptr), (src), sizeof(*(src)))
#define copy_struct_to_guest_n(uptr, src, n)                                   \
    raw_copy_to_guest((void *)(uptr), (src), (n))

#endif /* PVISOR_GUEST_ACCESS_H */
