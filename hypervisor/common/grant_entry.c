/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's side of a v1 grant entry's flags (pvisor/grant_table.h).
 *
 * A grant entry lives in memory the granting guest writes whenever it
 * likes: it sets GTF_permit_access to grant, and ends the grant with a
 * compare-exchange of the flags to 0 that fails while GTF_reading or
 * GTF_writing is set.  The hypervisor sets those two bits when it first
 * pins the entry and clears them when the last pin goes, so the guest
 * knows when its page is no longer in use.  Both sides use atomic
 * operations on the same 32 bits (flags in the low half, domid in the
 * high half on little-endian x86), never plain stores.
 *
 * Kept apart from grant_table.c so the host unit tests can compile it
 * alone (tests/unit/hypervisor/test_grant_entry.c).
 */
#include <pvisor/grant_table.h>

/* Retries before a guest that keeps changing its entry is refused. */
#define PIN_RETRIES 4

union grant_combo {
    uint32_t raw;
    struct {
        uint16_t flags;
        domid_t domid;
    };
};

_Static_assert(sizeof(union grant_combo) == 4, "flags and domid in 32 bits");
_Static_assert(__builtin_offsetof(grant_entry_v1_t, domid) == 2,
               "grant_entry_v1: domid follows flags");

int gnttab_entry_pin(grant_entry_v1_t *e, bool pinned, bool readonly,
                     bool mapping, domid_t ldom)
{
    uint32_t *raw = (uint32_t *)e;
    uint16_t mask = GTF_type_mask | (mapping ? GTF_sub_page : 0);
    union grant_combo cur, nw;
    int retries = 0;

    cur.raw = __atomic_load_n(raw, __ATOMIC_ACQUIRE);
    for (;;) {
        if (!pinned &&
            ((cur.flags & mask) != GTF_permit_access || cur.domid != ldom))
            return GNTST_general_error;
        nw = cur;
        nw.flags |= GTF_reading;
        if (!readonly) {
            if (cur.flags & GTF_readonly)
                return GNTST_general_error; /* write pin of a r/o grant */
            nw.flags |= GTF_writing;
        }
        if (__atomic_compare_exchange_n(raw, &cur.raw, nw.raw, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            return GNTST_okay;
        if (retries++ == PIN_RETRIES)
            return GNTST_general_error; /* the entry is unstable */
    }
}

void gnttab_entry_clear(grant_entry_v1_t *e, uint16_t flags)
{
    __atomic_fetch_and(&e->flags, (uint16_t)~flags, __ATOMIC_ACQ_REL);
}
