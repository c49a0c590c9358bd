/* SPDX-License-Identifier: MIT */
/*
 * Domain ids to domains, for everything that has only an id (a frame's
 * owner, a hypercall argument).  Live and dying domains are in the table;
 * an id is reused only after its domain is completely gone.
 */
#ifndef PVISOR_DOMAIN_TABLE_H
#define PVISOR_DOMAIN_TABLE_H

#include <pvisor/types.h>

struct domain;

/* The domain with this id, or NULL (no reference taken). */
struct domain *domain_by_id(domid_t id);
/* Called after one of d's frames was freed: a dying d may now be done. */
void domain_page_freed(struct domain *d);

#endif /* PVISOR_DOMAIN_TABLE_H */
