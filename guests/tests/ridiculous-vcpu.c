/* SPDX-License-Identifier: MIT */
/*
 * Ridiculous arguments to vcpu_op (#24), after do_vcpu_op
 * (xen/common/domain.c): a vCPU id the domain does not have is -ENOENT
 * before anything else, unreadable arguments -EFAULT, a runstate area in
 * the hypervisor hole -EFAULT (an unmapped but guest-range area is
 * accepted: only later updates would fail, silently), a periodic period
 * under 1 ms or beyond STIME_DELTA_MAX -EINVAL, a single-shot with
 * VCPU_SSHOTTMR_future in the past -ETIME, unknown ops -ENOSYS.
 */
#include "events.h"
#include "ridiculous.h"
#include "timekeeping.h"

int guest_main(void)
{
    struct vcpu_set_periodic_timer per;
    struct vcpu_register_runstate_memory_area reg;
    static const unsigned long ids[] = {1, 32, 0x7fffffff, 0x80000000UL,
                                        0xffffffffUL};
    long rc;

    guest_init_basic();
    bad_ptrs_init();
    timer_init();

    for (unsigned int i = 0; i < ARRAY_SIZE(ids); i++) {
        rc = HYPERVISOR_vcpu_op(VCPUOP_is_up, ids[i], NULL);
        tap_eq(rc, -XEN_ENOENT, "VCPUOP_is_up(%#lx)", ids[i]);
        rc = HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, ids[i], NULL);
        tap_eq(rc, -XEN_ENOENT, "set_singleshot_timer on vCPU %#lx", ids[i]);
    }
    rc = HYPERVISOR_vcpu_op(VCPUOP_up, 1, NULL);
    tap_eq(rc, -XEN_ENOENT, "VCPUOP_up(1) on a 1-vCPU domain");

    rc = HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, NULL);
    tap_eq(rc, -XEN_EFAULT, "get_runstate_info into NULL");
    NOT_NULL_BAD_PTRS(i)
    {
        rc = HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0,
                                (void *)bad_ptrs[i].addr);
        tap_eq(rc, -XEN_EFAULT, "get_runstate_info into %s", bad_ptrs[i].name);
    }
    rc = HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, NULL);
    tap_eq(rc, -XEN_EFAULT, "register_runstate_memory_area(NULL argument)");
    reg.addr.p = HV_ADDR_M2P;
    rc = HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &reg);
    tap_eq(rc, -XEN_EFAULT, "a runstate area in the M2P");
    reg.addr.p = HV_ADDR_PRIVATE;
    rc = HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &reg);
    tap_eq(rc, -XEN_EFAULT, "a runstate area in hypervisor-private memory");
    reg.addr.p = NONCANONICAL_ADDR;
    rc = HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &reg);
    tap_eq(rc, -XEN_EFAULT, "a non-canonical runstate area");
    reg.addr.p = bad_ptrs[BAD_UNMAPPED].addr;
    rc = HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &reg);
    tap_eq(rc, 0, "an unmapped (guest-range) runstate area is accepted");
    timer_sleep_ns(2 * NSEC_PER_MSEC); /* schedule out and in: updates fail */
    tap_ok(true, "survived runstate updates to the unmapped area");
    reg.addr.p = 0;
    rc = HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &reg);
    tap_eq(rc, 0, "runstate area switched off");

    per.period_ns = 0;
    rc = HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &per);
    tap_eq(rc, -XEN_EINVAL, "periodic period 0");
    per.period_ns = 999999;
    rc = HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &per);
    tap_eq(rc, -XEN_EINVAL, "periodic period just under 1 ms");
    per.period_ns = ~0UL;
    rc = HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &per);
    tap_eq(rc, -XEN_EINVAL, "periodic period ~0 (beyond STIME_DELTA_MAX)");
    rc = HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, NULL);
    tap_eq(rc, -XEN_EFAULT, "set_periodic_timer(NULL)");
    rc = HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, NULL);
    tap_eq(rc, -XEN_EFAULT, "set_singleshot_timer(NULL)");
    rc = timer_set_singleshot(0, VCPU_SSHOTTMR_future);
    tap_eq(rc, -XEN_ETIME, "single-shot at time 0 with VCPU_SSHOTTMR_future");
    rc = timer_set_singleshot(~0UL >> 1, 0);
    tap_eq(rc, 0, "single-shot at the end of time is accepted");
    rc = HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL);
    tap_eq(rc, 0, "... and stopped");

    rc = HYPERVISOR_vcpu_op(0xffffffffUL, 0, NULL);
    tap_eq(rc, -XEN_ENOSYS, "vcpu_op 0xffffffff on vCPU 0");
    rc = HYPERVISOR_vcpu_op(0xffffffffUL, 5, NULL);
    tap_eq(rc, -XEN_ENOENT, "vcpu_op 0xffffffff on an absent vCPU (id first)");
    local_events_enable();
    ridiculous_alive();
    tap_done();
}
