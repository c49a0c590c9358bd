/* SPDX-License-Identifier: MIT */
/*
 * Grant tables, version 1, the granting and the mapping side
 * (xen/grant_table.h), as Linux's grant-table.c does them for PV guests:
 * GNTTABOP_setup_table returns the table's frames, which the guest maps
 * itself (here on padding pages, writable); granting writes frame and
 * grantee, then GTF_permit_access after a write barrier; ending a grant
 * is a compare-exchange of the flags to 0 that fails while the hypervisor
 * says the page is in use (GTF_reading / GTF_writing); a frontend letting
 * go of a device defers such ends until the backend has unmapped.
 */
#ifndef GUEST_GNTTAB_H
#define GUEST_GNTTAB_H

#include "guest.h"

#include <xen/grant_table.h>

/* Sets up and maps nr_frames frames; 0, a GNTST_* status or -errno. */
long gnttab_init(unsigned int nr_frames);
unsigned int gnttab_nr_entries(void);
grant_entry_v1_t *gnttab_entry(grant_ref_t ref);
/* Grants dom access to frame mfn; a reference, or -1 if none is free. */
long gnttab_grant_access(domid_t dom, xen_pfn_t mfn, bool readonly);
/* Ends a grant: 0, or -XEN_EBUSY while it is mapped or being copied. */
long gnttab_end_access(grant_ref_t ref);
/* Whether the hypervisor has the entry pinned (GTF_reading|GTF_writing). */
bool gnttab_in_use(grant_ref_t ref);
/*
 * Ends a grant now if the grantee has let go, else later, as Linux's
 * gnttab_end_foreign_access does: the reference stays taken (and its page
 * must stay put) until a retry finds it free.  Retries run at every
 * gnttab_grant_access() and gnttab_nr_in_use().  0 if ended now, 1 if
 * deferred, -XEN_ENOSPC if too many are deferred already (it then stays).
 */
long gnttab_end_access_deferred(grant_ref_t ref);
/* Retries the deferred ends; how many are still waiting. */
unsigned int gnttab_retry_deferred(void);
/* Entries granted (not the toolstack's reserved ones), deferred included. */
unsigned int gnttab_nr_in_use(void);

/*
 * One GNTTABOP_map_grant_ref of (dom, ref) at va with GNTMAP_* flags
 * (GNTMAP_host_map added); returns the hypercall's result if negative,
 * else the op's status, and the handle and bus address on success.
 */
long gnttab_map(domid_t dom, grant_ref_t ref, unsigned long va,
                uint32_t flags, grant_handle_t *handle, uint64_t *bus);
long gnttab_unmap(unsigned long va, grant_handle_t handle);

#endif /* GUEST_GNTTAB_H */
