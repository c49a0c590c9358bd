/* SPDX-License-Identifier: MIT */
/*
 * Ridiculous arguments to callback_op (#30), set_callbacks (#4) and
 * stack_switch (#3), after xen/arch/x86/pv/callback.c and
 * misc-hypercalls.c: a bad argument pointer is -EFAULT, a non-canonical
 * address -EINVAL (and the old callback stays), unknown types and
 * commands -ENOSYS; set_callbacks ignores the individual failures and
 * returns 0; stack_switch stores whatever it is given and returns 0.
 */
#include "events.h"
#include "ridiculous.h"

static evtchn_port_t ipi;

static unsigned long kick(void)
{
    unsigned long before = evtchn_upcalls;

    evtchn_send(ipi);
    return evtchn_upcalls - before;
}

static long reg(uint16_t type, unsigned long address)
{
    struct callback_register cb = {.type = type, .address = address};

    return HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
}

int guest_main(void)
{
    struct callback_unregister un = {.type = CALLBACKTYPE_nmi};
    unsigned long sp;
    long rc;

    guest_init_basic();
    bad_ptrs_init();
    evtchn_bind_ipi(0, &ipi);
    evtchn_unmask(ipi);
    local_events_enable();

    NOT_NULL_BAD_PTRS(i)
    {
        rc = HYPERVISOR_callback_op(CALLBACKOP_register,
                                    (void *)bad_ptrs[i].addr);
        tap_eq(rc, -XEN_EFAULT, "callback_op(register, %s)", bad_ptrs[i].name);
    }
    rc = HYPERVISOR_callback_op(CALLBACKOP_register, NULL);
    tap_eq(rc, -XEN_EFAULT, "callback_op(register, NULL)");
    rc = HYPERVISOR_callback_op(CALLBACKOP_unregister, NULL);
    tap_eq(rc, -XEN_EFAULT, "callback_op(unregister, NULL)");
    rc = HYPERVISOR_callback_op(CALLBACKOP_unregister,
                                (void *)bad_ptrs[BAD_M2P].addr);
    tap_eq(rc, -XEN_EFAULT, "callback_op(unregister, the M2P)");

    rc = reg(CALLBACKTYPE_event, NONCANONICAL_ADDR);
    tap_eq(rc, -XEN_EINVAL, "a non-canonical event callback is -EINVAL");
    rc = reg(CALLBACKTYPE_failsafe, NONCANONICAL_ADDR2);
    tap_eq(rc, -XEN_EINVAL, "a non-canonical failsafe callback is -EINVAL");
    rc = reg(CALLBACKTYPE_nmi, NONCANONICAL_ADDR);
    tap_eq(rc, -XEN_EINVAL, "a non-canonical NMI callback is -EINVAL");
    tap_eq(kick(), 1, "events still reach the old event callback");

    rc = reg(6, (unsigned long)hypervisor_callback);
    tap_eq(rc, -XEN_ENOSYS, "callback type 6 is -ENOSYS");
    rc = reg(0xffff, (unsigned long)hypervisor_callback);
    tap_eq(rc, -XEN_ENOSYS, "callback type 0xffff is -ENOSYS");
    rc = HYPERVISOR_callback_op(2, &un);
    tap_eq(rc, -XEN_ENOSYS, "callback_op command 2 is -ENOSYS");
    rc = HYPERVISOR_callback_op(0xffffffffUL, &un);
    tap_eq(rc, -XEN_ENOSYS, "callback_op command 0xffffffff is -ENOSYS");

    /* Canonical but in the hypervisor hole: Xen checks canonicality only. */
    rc = reg(CALLBACKTYPE_syscall, HV_ADDR_PRIVATE);
    tap_eq(rc, 0, "a syscall callback in the hypervisor hole is accepted");
    rc = reg(CALLBACKTYPE_syscall, (unsigned long)syscall_callback);
    tap_eq(rc, 0, "syscall callback put back");

    rc = HYPERVISOR_set_callbacks(NONCANONICAL_ADDR, NONCANONICAL_ADDR,
                                  NONCANONICAL_ADDR2);
    tap_eq(rc, 0, "set_callbacks with non-canonical addresses still returns 0");
    tap_eq(kick(), 1, "... and changed nothing: events still delivered");

    __asm__ __volatile__("mov %%rsp, %0" : "=r"(sp));
    rc = HYPERVISOR_stack_switch(0xffff, NONCANONICAL_ADDR);
    tap_eq(rc, 0, "stack_switch(0xffff, non-canonical) is stored, returns 0");
    rc = HYPERVISOR_stack_switch(~0UL, HV_ADDR_PRIVATE);
    tap_eq(rc, 0, "stack_switch(~0, hypervisor address) returns 0");
    rc = HYPERVISOR_stack_switch(FLAT_KERNEL_SS, sp & ~0xfffUL);
    tap_eq(rc, 0, "stack_switch back to a sane kernel stack");
    tap_eq(kick(), 1,
           "events still delivered (kernel-mode delivery ignores it)");
    ridiculous_alive();
    tap_done();
}
