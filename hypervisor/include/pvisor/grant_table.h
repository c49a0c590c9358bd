/* SPDX-License-Identifier: MIT */
/*
 * Grant tables, version 1 (common/grant_table.c, grant_entry.c): how a
 * domain lets another map or copy one of its pages (public/grant_table.h).
 *
 * A domain's grant table is a list of grant_entry_v1 in frames shared
 * with it (it writes GTF_permit_access, the grantee's id and the frame);
 * the hypervisor keeps an active entry per reference (who has it pinned,
 * how often, which frame) and, in the *mapping* domain, a map-track table
 * whose index is the handle the grantee unmaps with.
 */
#ifndef PVISOR_GRANT_TABLE_H
#define PVISOR_GRANT_TABLE_H

#include <pvisor/types.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

struct domain;

/* Xen's defaults: 64 grant frames, 1024 map-track frames per domain. */
#define GNTTAB_MAX_FRAMES 64
#define GNTTAB_MAX_MAPTRACK_FRAMES 1024

/* ------------------------------------------ shared entries (grant_entry.c) */

/*
 * Pins a v1 entry for ldom, as Xen's _set_status_v1: unless the entry is
 * already pinned (pinned), its type must be GTF_permit_access (and, for a
 * mapping, GTF_sub_page clear) and its domid ldom; a write pin needs
 * GTF_readonly clear.  GTF_reading (and GTF_writing for a write pin) is
 * set with a compare-exchange of the flags and domid together, so that
 * the granting guest, which may change the entry at any time, never sees
 * a half-made decision.  The guest can race the update; after five lost
 * races the entry is called unstable.  Returns GNTST_okay or
 * GNTST_general_error.
 */
int gnttab_entry_pin(grant_entry_v1_t *e, bool pinned, bool readonly,
                     bool mapping, domid_t ldom);
/* Atomically clears GTF_reading and/or GTF_writing. */
void gnttab_entry_clear(grant_entry_v1_t *e, uint16_t flags);

/* ----------------------------------------------- tables (grant_table.c) */

int grant_table_init(struct domain *d);
/* d is dying: drop every mapping d holds of others' grants. */
void gnttab_release_mappings(struct domain *d);
/* d is dying: free its grant frames once nobody has its grants pinned. */
void gnttab_domain_dying(struct domain *d);
/* The struct domain is freed: the table's bookkeeping goes too. */
void grant_table_destroy(struct domain *d);
/* A dom0 link session ended: drop the grant mappings it made. */
unsigned long gnttab_release_session(uint64_t session);

long do_grant_table_op(unsigned long cmd, unsigned long uop,
                       unsigned long count);

#endif /* PVISOR_GRANT_TABLE_H */
