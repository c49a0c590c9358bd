/* SPDX-License-Identifier: MIT */
/*
 * Test guest for set_callbacks (#4), callback_op (#30) and stack_switch
 * (#3): registration of every callback type, the answers to unregister
 * (Xen only lets the NMI callback be unregistered: xen/arch/x86/pv/
 * callback.c unregister_guest_callback), delivery of events to whichever
 * event callback is registered last, and the state the event callback is
 * entered with (events masked, frame saving the previous mask).
 *
 * The failsafe callback cannot be provoked deterministically from a guest
 * (it needs the hypervisor to fail reloading a data selector on a context
 * switch), so only its registration is checked.
 */
#include "events.h"
#include "hypercall.h"
#include "mm.h"
#include "tap.h"
#include "traps.h"

#include <xen/errno.h>

/* A second event entry point, distinguishable from hypervisor_callback. */
extern void alt_event_callback(void);
__asm__(".text\n\t.balign 16\n"
        "alt_event_callback:\n\t"
        "lock incq alt_event_entries(%rip)\n\t"
        "jmp hypervisor_callback\n");
volatile unsigned long alt_event_entries;

static unsigned long ipi_hits;
static uint8_t mask_in_handler = 0xff;
static void ipi_handler(evtchn_port_t port, void *arg)
{
    (void)port;
    (void)arg;
    ipi_hits++;
    mask_in_handler = vcpu0->evtchn_upcall_mask;
}

static long reg(uint16_t type, uint16_t flags, unsigned long address)
{
    struct callback_register cb = {
        .type = type,
        .flags = flags,
        .address = address,
    };

    return HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
}

static long unreg(uint16_t type)
{
    struct callback_unregister cb = {.type = type};

    return HYPERVISOR_callback_op(CALLBACKOP_unregister, &cb);
}

static evtchn_port_t ipi_port;

/* Send ourselves an event with events enabled; return the upcalls seen. */
static unsigned long kick(void)
{
    unsigned long before = evtchn_upcalls;

    evtchn_send(ipi_port);
    return evtchn_upcalls - before;
}

int guest_main(void)
{
    unsigned long addr_ev = (unsigned long)hypervisor_callback;
    unsigned long addr_fs = (unsigned long)failsafe_callback;
    unsigned long addr_sc = (unsigned long)syscall_callback;
    unsigned long sp;
    long rc;

    traps_init(); /* registers event + failsafe through callback_op */
    tap_ok(true, "callback_op(register) of event and failsafe (traps_init)");
    mm_map_shared_info();

    rc = evtchn_bind_ipi(0, &ipi_port);
    tap_eq(rc, 0, "EVTCHNOP_bind_ipi for the delivery checks");
    evtchn_set_handler(ipi_port, ipi_handler, NULL);
    evtchn_unmask(ipi_port);
    local_events_enable();

    tap_eq(kick(), 1, "event delivered to the registered event callback");
    tap_eq(mask_in_handler, 1, "event callback entered with events masked");
    tap_eq(vcpu0->evtchn_upcall_mask, 0, "events enabled again after its iret");

    /* Each type callback_op knows, with and without mask_events. */
    tap_eq(reg(CALLBACKTYPE_event, 0, addr_ev), 0, "register event (no flags)");
    tap_eq(reg(CALLBACKTYPE_failsafe, CALLBACKF_mask_events, addr_fs), 0,
           "register failsafe with CALLBACKF_mask_events");
    tap_eq(reg(CALLBACKTYPE_failsafe, 0, addr_fs), 0,
           "register failsafe without flags");
    tap_eq(reg(CALLBACKTYPE_syscall, CALLBACKF_mask_events, addr_sc), 0,
           "register syscall with CALLBACKF_mask_events");
    tap_eq(reg(CALLBACKTYPE_syscall32, 0, addr_sc), 0, "register syscall32");
    tap_eq(reg(CALLBACKTYPE_sysenter, 0, addr_sc), 0,
           "register sysenter (type 5)");
    tap_eq(reg(CALLBACKTYPE_nmi, 0, trap_stub(2)), 0, "register nmi");

    /* Unregister: only NMI may go (pv/callback.c). */
    tap_eq(unreg(CALLBACKTYPE_nmi), 0, "unregister nmi succeeds");
    tap_eq(unreg(CALLBACKTYPE_event), -XEN_EINVAL,
           "unregister event is refused");
    tap_eq(unreg(CALLBACKTYPE_failsafe), -XEN_EINVAL,
           "unregister failsafe is refused");
    tap_eq(unreg(CALLBACKTYPE_syscall), -XEN_EINVAL,
           "unregister syscall is refused");
    tap_eq(unreg(CALLBACKTYPE_syscall32), -XEN_EINVAL,
           "unregister syscall32 is refused");
    tap_eq(unreg(CALLBACKTYPE_sysenter), -XEN_EINVAL,
           "unregister sysenter is refused");
    tap_eq(unreg(CALLBACKTYPE_sysenter_deprecated), -XEN_ENOSYS,
           "unregister of the retired type 3 is unknown (-ENOSYS)");
    tap_eq(kick(), 1, "events still delivered after the refused unregister");

    /* The latest registration wins. */
    tap_eq(reg(CALLBACKTYPE_event, CALLBACKF_mask_events,
               (unsigned long)alt_event_callback),
           0, "register a second event callback");
    alt_event_entries = 0;
    tap_eq(kick(), 1, "event delivered once");
    tap_eq(alt_event_entries, 1,
           "... through the newly registered entry point");

    /* set_callbacks: the legacy three-address form. */
    rc = HYPERVISOR_set_callbacks(addr_ev, addr_fs, addr_sc);
    tap_eq(rc, 0, "set_callbacks(event, failsafe, syscall)");
    alt_event_entries = 0;
    tap_eq(kick(), 1, "event delivered after set_callbacks");
    tap_eq(alt_event_entries, 0, "... to the event address set_callbacks gave");
    rc = HYPERVISOR_set_callbacks((unsigned long)alt_event_callback, addr_fs,
                                  addr_sc);
    tap_eq(rc, 0, "set_callbacks back to the counting entry point");
    tap_eq(kick(), 1, "event delivered");
    tap_eq(alt_event_entries, 1, "... through set_callbacks' event address");

    /* stack_switch only records the kernel stack for user->kernel entry. */
    __asm__ __volatile__("mov %%rsp, %0" : "=r"(sp));
    rc = HYPERVISOR_stack_switch(FLAT_KERNEL_SS, sp & ~0xfffUL);
    tap_eq(rc, 0, "stack_switch(FLAT_KERNEL_SS, our stack)");
    rc = HYPERVISOR_stack_switch(FLAT_KERNEL_SS & ~3, sp & ~0xfffUL);
    tap_eq(rc, 0, "stack_switch with an RPL-0 selector (fixed up, accepted)");
    tap_eq(kick(), 1, "events still delivered after stack_switch");

    tap_done();
}
