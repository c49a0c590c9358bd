/* SPDX-License-Identifier: MIT */
/*
 * Test guest for vm_assist (#21), after xen/common/domain.c vm_assist():
 * a type outside the 64-bit PV valid set {4gb_segments,
 * 4gb_segments_notify, writable_pagetables, pae_extended_cr3,
 * architectural_iopl, runstate_update_flag, m2p_strict} (x86
 * NATIVE_VM_ASSIST_VALID) is -EINVAL, an unknown command for a valid type
 * -ENOSYS, enable and disable of a valid type 0.
 */
#include "hypercall.h"
#include "tap.h"

#include <xen/errno.h>

static const struct {
    unsigned int type;
    const char *name;
} valid[] = {
    {VMASST_TYPE_4gb_segments, "4gb_segments"},
    {VMASST_TYPE_4gb_segments_notify, "4gb_segments_notify"},
    {VMASST_TYPE_writable_pagetables, "writable_pagetables"},
    {VMASST_TYPE_pae_extended_cr3, "pae_extended_cr3"},
    {VMASST_TYPE_architectural_iopl, "architectural_iopl"},
    {VMASST_TYPE_runstate_update_flag, "runstate_update_flag"},
    {VMASST_TYPE_m2p_strict, "m2p_strict"},
};

int guest_main(void)
{
    long rc;

    guest_init_basic();
    for (unsigned int i = 0; i < ARRAY_SIZE(valid); i++) {
        rc = HYPERVISOR_vm_assist(VMASST_CMD_enable, valid[i].type);
        tap_eq(rc, 0, "enable %s (%u)", valid[i].name, valid[i].type);
        rc = HYPERVISOR_vm_assist(VMASST_CMD_disable, valid[i].type);
        tap_eq(rc, 0, "disable %s (%u)", valid[i].name, valid[i].type);
    }
    rc = HYPERVISOR_vm_assist(VMASST_CMD_enable, 6);
    tap_eq(rc, -XEN_EINVAL, "type 6 is not a valid assist");
    rc = HYPERVISOR_vm_assist(VMASST_CMD_enable, 31);
    tap_eq(rc, -XEN_EINVAL, "type 31 is not a valid assist");
    rc = HYPERVISOR_vm_assist(VMASST_CMD_enable, 33);
    tap_eq(rc, -XEN_EINVAL, "type 33 is not a valid assist");
    rc = HYPERVISOR_vm_assist(2, VMASST_TYPE_writable_pagetables);
    tap_eq(rc, -XEN_ENOSYS, "command 2 on a valid type is -ENOSYS");

    /* Leave the assists a PV kernel normally runs with switched on. */
    rc = HYPERVISOR_vm_assist(VMASST_CMD_enable,
                              VMASST_TYPE_writable_pagetables);
    tap_eq(rc, 0, "writable_pagetables enabled again");
    rc = HYPERVISOR_vm_assist(VMASST_CMD_enable,
                              VMASST_TYPE_runstate_update_flag);
    tap_eq(rc, 0, "runstate_update_flag enabled again");
    tap_done();
}
