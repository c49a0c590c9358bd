/* SPDX-License-Identifier: MIT */
/* Names for traces: hypercalls, their sub-operations, events, vectors. */
#include <stdio.h>
#include <string.h>

#include <xen/callback.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/physdev.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include <xen/xen.h>

#include "trace_file.h"

#define N(x) [__HYPERVISOR_##x] = #x
static const char *const hypercalls[] = {
    N(set_trap_table),   N(mmu_update),      N(set_gdt),
    N(stack_switch),     N(set_callbacks),   N(fpu_taskswitch),
    N(sched_op_compat),  N(platform_op),     N(set_debugreg),
    N(get_debugreg),     N(update_descriptor), N(memory_op),
    N(multicall),        N(update_va_mapping), N(set_timer_op),
    N(event_channel_op_compat), N(xen_version), N(console_io),
    N(physdev_op_compat), N(grant_table_op), N(vm_assist),
    N(update_va_mapping_otherdomain), N(iret), N(vcpu_op),
    N(set_segment_base), N(mmuext_op),     N(xsm_op),
    N(nmi_op),           N(sched_op),        N(callback_op),
    N(xenoprof_op),      N(event_channel_op), N(physdev_op),
    N(hvm_op),           N(sysctl),          N(domctl),
    N(kexec_op),         N(tmem_op),         N(argo_op),
    N(xenpmu_op),        N(dm_op),           N(hypfs_op),
};
#undef N

const char *pvtr_hypercall_name(unsigned long op)
{
    if (op < sizeof(hypercalls) / sizeof(hypercalls[0]) && hypercalls[op])
        return hypercalls[op];
    if (op == 0x10001)
        return "link:trace";
    if (op == 0x10002)
        return "link:domstats";
    return NULL;
}

struct subop {
    unsigned long op, sub;
    const char *name;
};

static const struct subop subops[] = {
    {__HYPERVISOR_sched_op, SCHEDOP_yield, "yield"},
    {__HYPERVISOR_sched_op, SCHEDOP_block, "block"},
    {__HYPERVISOR_sched_op, SCHEDOP_shutdown, "shutdown"},
    {__HYPERVISOR_sched_op, SCHEDOP_poll, "poll"},
    {__HYPERVISOR_sched_op, SCHEDOP_remote_shutdown, "remote_shutdown"},
    {__HYPERVISOR_sched_op, SCHEDOP_shutdown_code, "shutdown_code"},
    {__HYPERVISOR_sched_op, SCHEDOP_watchdog, "watchdog"},
    {__HYPERVISOR_event_channel_op, EVTCHNOP_bind_interdomain,
     "bind_interdomain"},
    {__HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, "bind_virq"},
    {__HYPERVISOR_event_channel_op, EVTCHNOP_close, "close"},
    {__HYPERVISOR_event_channel_op, EVTCHNOP_send, "send"},
    {__HYPERVISOR_event_channel_op, EVTCHNOP_status, "status"},
    {__HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, "alloc_unbound"},
    {__HYPERVISOR_event_channel_op, EVTCHNOP_bind_ipi, "bind_ipi"},
    {__HYPERVISOR_event_channel_op, EVTCHNOP_bind_vcpu, "bind_vcpu"},
    {__HYPERVISOR_event_channel_op, EVTCHNOP_unmask, "unmask"},
    {__HYPERVISOR_event_channel_op, EVTCHNOP_reset, "reset"},
    {__HYPERVISOR_event_channel_op, EVTCHNOP_init_control, "init_control"},
    {__HYPERVISOR_vcpu_op, VCPUOP_initialise, "initialise"},
    {__HYPERVISOR_vcpu_op, VCPUOP_up, "up"},
    {__HYPERVISOR_vcpu_op, VCPUOP_down, "down"},
    {__HYPERVISOR_vcpu_op, VCPUOP_is_up, "is_up"},
    {__HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info, "get_runstate_info"},
    {__HYPERVISOR_vcpu_op, VCPUOP_register_runstate_memory_area,
     "register_runstate_memory_area"},
    {__HYPERVISOR_vcpu_op, VCPUOP_set_periodic_timer, "set_periodic_timer"},
    {__HYPERVISOR_vcpu_op, VCPUOP_stop_periodic_timer, "stop_periodic_timer"},
    {__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer,
     "set_singleshot_timer"},
    {__HYPERVISOR_vcpu_op, VCPUOP_stop_singleshot_timer,
     "stop_singleshot_timer"},
    {__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, "register_vcpu_info"},
    {__HYPERVISOR_memory_op, XENMEM_increase_reservation,
     "increase_reservation"},
    {__HYPERVISOR_memory_op, XENMEM_decrease_reservation,
     "decrease_reservation"},
    {__HYPERVISOR_memory_op, XENMEM_populate_physmap, "populate_physmap"},
    {__HYPERVISOR_memory_op, XENMEM_maximum_ram_page, "maximum_ram_page"},
    {__HYPERVISOR_memory_op, XENMEM_current_reservation,
     "current_reservation"},
    {__HYPERVISOR_memory_op, XENMEM_maximum_reservation,
     "maximum_reservation"},
    {__HYPERVISOR_memory_op, XENMEM_machphys_mapping, "machphys_mapping"},
    {__HYPERVISOR_memory_op, XENMEM_memory_map, "memory_map"},
    {__HYPERVISOR_memory_op, XENMEM_add_to_physmap_batch,
     "add_to_physmap_batch"},
    {__HYPERVISOR_memory_op, XENMEM_remove_from_physmap,
     "remove_from_physmap"},
    {__HYPERVISOR_console_io, CONSOLEIO_write, "write"},
    {__HYPERVISOR_console_io, CONSOLEIO_read, "read"},
    {__HYPERVISOR_xen_version, XENVER_version, "version"},
    {__HYPERVISOR_xen_version, XENVER_extraversion, "extraversion"},
    {__HYPERVISOR_xen_version, XENVER_compile_info, "compile_info"},
    {__HYPERVISOR_xen_version, XENVER_capabilities, "capabilities"},
    {__HYPERVISOR_xen_version, XENVER_changeset, "changeset"},
    {__HYPERVISOR_xen_version, XENVER_platform_parameters,
     "platform_parameters"},
    {__HYPERVISOR_xen_version, XENVER_get_features, "get_features"},
    {__HYPERVISOR_xen_version, XENVER_pagesize, "pagesize"},
    {__HYPERVISOR_xen_version, XENVER_guest_handle, "guest_handle"},
    {__HYPERVISOR_xen_version, XENVER_commandline, "commandline"},
    {__HYPERVISOR_physdev_op, PHYSDEVOP_set_iopl, "set_iopl"},
    {__HYPERVISOR_physdev_op, PHYSDEVOP_set_iobitmap, "set_iobitmap"},
    {__HYPERVISOR_callback_op, CALLBACKOP_register, "register"},
    {__HYPERVISOR_callback_op, CALLBACKOP_unregister, "unregister"},
    {__HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, "map_grant_ref"},
    {__HYPERVISOR_grant_table_op, GNTTABOP_unmap_grant_ref,
     "unmap_grant_ref"},
    {__HYPERVISOR_grant_table_op, GNTTABOP_setup_table, "setup_table"},
    {__HYPERVISOR_grant_table_op, GNTTABOP_copy, "copy"},
    {__HYPERVISOR_grant_table_op, GNTTABOP_query_size, "query_size"},
    {__HYPERVISOR_grant_table_op, GNTTABOP_set_version, "set_version"},
    {__HYPERVISOR_grant_table_op, GNTTABOP_get_version, "get_version"},
    {__HYPERVISOR_grant_table_op, GNTTABOP_get_status_frames,
     "get_status_frames"},
};

const char *pvtr_call_name(unsigned long op, unsigned long a0, char *buf,
                           size_t len)
{
    const char *name = pvtr_hypercall_name(op);

    if (!name) {
        snprintf(buf, len, "hypercall#%lu", op);
        return buf;
    }
    /* memory_op keeps a continuation above its command's low bits. */
    if (op == __HYPERVISOR_memory_op)
        a0 &= 0x3f;
    for (size_t i = 0; i < sizeof(subops) / sizeof(subops[0]); i++)
        if (subops[i].op == op && subops[i].sub == a0) {
            snprintf(buf, len, "%s(%s)", name, subops[i].name);
            return buf;
        }
    snprintf(buf, len, "%s", name);
    return buf;
}

const char *pvtr_event_name(unsigned int event)
{
    static const char *const names[] = {
        [PVTRACE_EV_HCALL] = "hypercall",
        [PVTRACE_EV_EVTCHN_SEND] = "evtchn_send",
        [PVTRACE_EV_EVTCHN_PENDING] = "evtchn_pending",
        [PVTRACE_EV_EVTCHN_UPCALL] = "evtchn_upcall",
        [PVTRACE_EV_TRAP] = "trap",
        [PVTRACE_EV_PTWR] = "ptwr",
        [PVTRACE_EV_SCHED_SWITCH] = "sched_switch",
        [PVTRACE_EV_SCHED_BLOCK] = "sched_block",
        [PVTRACE_EV_SCHED_WAKE] = "sched_wake",
        [PVTRACE_EV_DOM_CREATE] = "domain_create",
        [PVTRACE_EV_DOM_SHUTDOWN] = "domain_shutdown",
        [PVTRACE_EV_DOM_DESTROY] = "domain_destroy",
    };

    if (event < sizeof(names) / sizeof(names[0]) && names[event])
        return names[event];
    return "unknown";
}

const char *pvtr_vector_name(unsigned long vector)
{
    static const char *const names[32] = {
        "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
        "#DF", "coprocessor", "#TS", "#NP", "#SS", "#GP", "#PF", "15",
        "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
    };
    static char buf[16];

    if (vector < 32 && names[vector])
        return names[vector];
    if (vector == PVTRACE_TRAP_SYSCALL)
        return "syscall";
    snprintf(buf, sizeof(buf), "int $%#lx", vector);
    return buf;
}
