/* SPDX-License-Identifier: MIT */
/*
 * Foreign mappings of the control domain (common/foreign.c): dom0 maps a
 * domU frame (the builder, xenstore) with XENMEM_add_to_physmap_batch,
 * space XENMAPSPACE_gmfn_foreign, as a PVH dom0's privcmd does.  dom0
 * reaches machine memory through the RAM file, so the hypervisor's part
 * is to check and record the mapping and hold a reference on the frame:
 * it cannot be freed or given to anyone else while dom0 maps it.
 *
 * dom0's "physmap" slots are per link session (each client's arena
 * window), so clients never collide, and closing a session (the client
 * went away) releases whatever it still mapped.
 */
#ifndef PVISOR_FOREIGN_H
#define PVISOR_FOREIGN_H

#include <pvisor/types.h>

void foreign_init(void);
/* Maps frame mfn of domain domid at slot of session; -errno. */
int foreign_map(uint64_t session, uint64_t slot, domid_t domid,
                unsigned long mfn);
int foreign_unmap(uint64_t session, uint64_t slot);
/* Drops every mapping the session holds; returns how many. */
unsigned long foreign_release_session(uint64_t session);
unsigned long foreign_count(void);

#endif /* PVISOR_FOREIGN_H */
