/* SPDX-License-Identifier: MIT */
/*
 * Smaller hypercalls of PV guests: vm_assist, physdev_op and platform_op
 * as Xen answers an unprivileged domain, and the hypercall page.
 */
#include <asm/current.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <asm/uaccess.h>
#include <pvisor/guest_access.h>
#include <pvisor/hypercall.h>
#include <pvisor/lib.h>
#include <pvisor/sched.h>
#include <xen/errno.h>
#include <xen/physdev.h>
#include <xen/platform.h>

#define IOBMP_BYTES 8192 /* a whole I/O bitmap: 65536 ports */

/* The assists a 64-bit PV guest may turn on (Xen's VM_ASSIST_VALID). */
#define VMASST_VALID                                                           \
    ((1UL << VMASST_TYPE_4gb_segments) |                                       \
     (1UL << VMASST_TYPE_4gb_segments_notify) |                                \
     (1UL << VMASST_TYPE_writable_pagetables) |                                \
     (1UL << VMASST_TYPE_pae_extended_cr3) |                                   \
     (1UL << VMASST_TYPE_architectural_iopl) |                                 \
     (1UL << VMASST_TYPE_runstate_update_flag) |                               \
     (1UL << VMASST_TYPE_m2p_strict))

long do_vm_assist(unsigned long cmd, unsigned long type)
{
    struct domain *d = current->domain;

    if (type >= 64 || !(VMASST_VALID & (1UL << type)))
        return -XEN_EINVAL;
    switch (cmd) {
    case VMASST_CMD_enable:
        __atomic_fetch_or(&d->arch.vm_assist, 1UL << type, __ATOMIC_SEQ_CST);
        return 0;
    case VMASST_CMD_disable:
        __atomic_fetch_and(&d->arch.vm_assist, ~(1UL << type),
                           __ATOMIC_SEQ_CST);
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}

long do_physdev_op(unsigned long cmd, unsigned long arg)
{
    struct vcpu *v = current;

    switch (cmd) {
    case PHYSDEVOP_set_iopl: {
        struct physdev_set_iopl s;

        if (copy_struct_from_guest(&s, arg))
            return -XEN_EFAULT;
        if (s.iopl > 3)
            return -XEN_EINVAL;
        v->arch.iopl = s.iopl; /* a virtual IOPL: ports still read ~0 */
        return 0;
    }
    case PHYSDEVOP_set_iobitmap: {
        struct physdev_set_iobitmap s;

        if (copy_struct_from_guest(&s, arg))
            return -XEN_EFAULT;
        if (!guest_range_ok((unsigned long)s.bitmap.p, IOBMP_BYTES) ||
            s.nr_ports > 65536)
            return -XEN_EINVAL;
        /* Kept as Xen keeps it; a domU is granted no ports to open. */
        v->arch.iobmp = (unsigned long)s.bitmap.p;
        v->arch.iobmp_limit = s.nr_ports;
        return 0;
    }
    case PHYSDEVOP_irq_status_query:
    case PHYSDEVOP_map_pirq:
    case PHYSDEVOP_unmap_pirq:
    case PHYSDEVOP_manage_pci_add:
    case PHYSDEVOP_manage_pci_remove:
    case PHYSDEVOP_apic_read:
    case PHYSDEVOP_apic_write:
    case PHYSDEVOP_alloc_irq_vector:
        return -XEN_EPERM; /* hardware belongs to no domU */
    default:
        return -XEN_ENOSYS;
    }
}

/*
 * Platform operations belong to the hardware domain; pvisor offers none
 * yet.  Checked in Xen's order: the argument is read, its interface
 * version checked, then the caller's privilege.
 */
long do_platform_op(unsigned long arg)
{
    struct xen_platform_op op;

    if (copy_struct_from_guest(&op, arg))
        return -XEN_EFAULT;
    if (op.interface_version != XENPF_INTERFACE_VERSION)
        return -XEN_EACCES;
    if (!current->domain->is_privileged)
        return -XEN_EPERM;
    return -XEN_ENOSYS;
}

/*
 * Fills a guest's hypercall page: 128 stubs of 32 bytes, stub n being
 *   push %rcx; push %r11; mov $n, %eax; syscall; pop %r11; pop %rcx; ret
 * and the iret stub (23) pushing %rax too and never returning.  The
 * hypervisor writes it itself, so QEMU TCG sees the code.
 */
int pv_init_hypercall_page(struct domain *d, unsigned long mfn)
{
    struct page_info *pg;
    uint8_t *p;

    if (!mfn_valid(mfn))
        return -XEN_EINVAL;
    pg = mfn_to_page(mfn);
    if (get_page_and_type(pg, d, PGT_writable))
        return -XEN_EINVAL;
    p = mfn_to_virt(mfn);
    memset(p, 0xcc, PAGE_SIZE);
    for (unsigned int i = 0; i < PAGE_SIZE / 32; i++) {
        uint8_t *s = p + i * 32;

        if (i == __HYPERVISOR_iret) {
            *s++ = 0x51;                         /* push %rcx */
            *s++ = 0x41; *s++ = 0x53;            /* push %r11 */
            *s++ = 0x50;                         /* push %rax */
            *s++ = 0xb8; *(uint32_t *)s = i; s += 4; /* mov $23, %eax */
            *s++ = 0x0f; *s++ = 0x05;            /* syscall */
            continue;
        }
        *s++ = 0x51;
        *s++ = 0x41; *s++ = 0x53;
        *s++ = 0xb8; *(uint32_t *)s = i; s += 4;
        *s++ = 0x0f; *s++ = 0x05;
        *s++ = 0x41; *s++ = 0x5b;                /* pop %r11 */
        *s++ = 0x59;                             /* pop %rcx */
        *s++ = 0xc3;                             /* ret */
    }
    put_page_and_type(pg);
    return 0;
}
