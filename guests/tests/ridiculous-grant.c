/* SPDX-License-Identifier: MIT */
/*
 * Ridiculous arguments to grant_table_op (#20), after do_grant_table_op
 * and its helpers in xen/common/grant_table.c (map_grant_ref,
 * unmap_common, gnttab_copy_one/_claim_buf/_buf, acquire_grant_for_copy,
 * gnttab_setup_table, gnttab_set_version, gnttab_get_status_frames):
 *
 *   a negative count or state bits above the command    -EINVAL
 *   unknown or not offered commands                      -ENOSYS
 *   an unreadable op array or struct                     -EFAULT
 *   no GNTMAP_host_map/device_map                        GNTST_bad_gntref
 *   a domain that does not exist, DOMID_SELF in a map    GNTST_bad_domain
 *   a reference beyond the table                         GNTST_bad_gntref
 *   an entry not granted to us, r/o mapped writable,
 *   no L1 table at host_addr, wrong address at unmap     GNTST_general_error
 *   the granted frame not the granter's                  GNTST_bad_page
 *   a handle not in use                                  GNTST_bad_handle
 *   a copy running past a page's end                     GNTST_bad_copy_arg
 *   a copy by frame of another domain                    GNTST_permission_denied
 *   more than 64 grant frames                            GNTST_general_error
 *   foreign mapping (XENMEM_add_to_physmap_batch,
 *   XENMAPSPACE_gmfn_foreign), dom0's alone              -EACCES
 *
 * Most cases use grants the guest makes to itself (Xen lets a domain map
 * its own grants).  With victim=DOMID ref=REF on the command line (set by
 * tests/integration/grants/ridiculous-grant.sh) it also attacks a grant
 * another guest made to someone else.  Every refusal leaves the entries
 * as they were.
 */
#include "gnttab.h"
#include "ridiculous.h"
#include "xenbus.h"

static domid_t self;
static uint8_t *page_a, *page_b;
static xen_pfn_t mfn_a, mfn_b;

static long gop(unsigned long cmd, void *uop, unsigned long count)
{
    return HYPERVISOR_grant_table_op(cmd, uop, count);
}

static long map1(domid_t dom, grant_ref_t ref, unsigned long va,
                 uint32_t flags, grant_handle_t *h)
{
    struct gnttab_map_grant_ref op = {
        .host_addr = va, .flags = flags, .ref = ref, .dom = dom};
    long rc = gop(GNTTABOP_map_grant_ref, &op, 1);

    if (rc)
        return rc;
    if (h)
        *h = op.handle;
    return op.status;
}

static long unmap1(unsigned long va, grant_handle_t h, uint64_t bus)
{
    struct gnttab_unmap_grant_ref op = {
        .host_addr = va, .dev_bus_addr = bus, .handle = h};
    long rc = gop(GNTTABOP_unmap_grant_ref, &op, 1);

    return rc ? rc : op.status;
}

static long copy1(struct gnttab_copy *c)
{
    long rc = gop(GNTTABOP_copy, c, 1);

    return rc ? rc : c->status;
}

/* A copy from our grant sref to our frame mfn_b. */
static struct gnttab_copy copy_op(grant_ref_t sref, uint16_t soff,
                                  uint16_t doff, uint16_t len)
{
    struct gnttab_copy c = {
        .source = {.u.ref = sref, .domid = self, .offset = soff},
        .dest = {.u.gmfn = mfn_b, .domid = DOMID_SELF, .offset = doff},
        .len = len,
        .flags = GNTCOPY_source_gref,
    };
    return c;
}

static uint16_t flags_of(grant_ref_t ref)
{
    return __atomic_load_n(&gnttab_entry(ref)->flags, __ATOMIC_ACQUIRE);
}

static void table_ops(void)
{
    struct gnttab_query_size qs = {.dom = DOMID_SELF};
    struct gnttab_set_version sv;
    struct gnttab_get_version gv;
    struct gnttab_get_status_frames gs;
    struct gnttab_setup_table st;
    uint64_t status_frames[2];
    long rc;

    rc = gop(GNTTABOP_query_size, &qs, 1);
    tap_ok(!rc && qs.status == GNTST_okay && qs.nr_frames == 1 &&
               qs.max_nr_frames == 64,
           "query_size: 1 frame of at most 64 (rc %ld, %u of %u)", rc,
           qs.nr_frames, qs.max_nr_frames);
    tap_eq(gop(GNTTABOP_query_size, &qs, 2), -XEN_EINVAL,
           "query_size with count 2: -EINVAL");
    qs.dom = 32000;
    rc = gop(GNTTABOP_query_size, &qs, 1);
    tap_eq(rc ? rc : qs.status, GNTST_bad_domain,
           "query_size of domain 32000: bad_domain");
    qs.dom = 0;
    rc = gop(GNTTABOP_query_size, &qs, 1);
    tap_eq(rc ? rc : qs.status, GNTST_permission_denied,
           "query_size of domain 0: permission_denied");

    sv.version = 1;
    tap_eq(gop(GNTTABOP_set_version, &sv, 1), 0, "set_version 1");
    sv.version = 2;
    rc = gop(GNTTABOP_set_version, &sv, 1);
    tap_ok(rc == -XEN_ENOSYS && sv.version == 1,
           "set_version 2: -ENOSYS, version stays 1 (rc %ld)", rc);
    sv.version = 3;
    tap_eq(gop(GNTTABOP_set_version, &sv, 1), -XEN_EINVAL,
           "set_version 3: -EINVAL");
    sv.version = 0;
    tap_eq(gop(GNTTABOP_set_version, &sv, 1), -XEN_EINVAL,
           "set_version 0: -EINVAL");
    gv.dom = DOMID_SELF;
    rc = gop(GNTTABOP_get_version, &gv, 1);
    tap_ok(!rc && gv.version == 1, "get_version: 1");
    gv.dom = 0;
    tap_eq(gop(GNTTABOP_get_version, &gv, 1), -XEN_EPERM,
           "get_version of domain 0: -EPERM");
    gv.dom = 32000;
    tap_eq(gop(GNTTABOP_get_version, &gv, 1), -XEN_ESRCH,
           "get_version of domain 32000: -ESRCH");

    gs = (struct gnttab_get_status_frames){.nr_frames = 1, .dom = DOMID_SELF};
    set_xen_guest_handle(gs.frame_list, status_frames);
    rc = gop(GNTTABOP_get_status_frames, &gs, 1);
    tap_eq(rc ? rc : gs.status, GNTST_general_error,
           "get_status_frames of a v1 table: general_error");
    gs.nr_frames = 0;
    rc = gop(GNTTABOP_get_status_frames, &gs, 1);
    tap_eq(rc ? rc : gs.status, GNTST_okay, "get_status_frames of 0 frames");
    tap_eq(gop(GNTTABOP_get_status_frames, &gs, 2), -XEN_EINVAL,
           "get_status_frames with count 2: -EINVAL");

    st = (struct gnttab_setup_table){.dom = DOMID_SELF, .nr_frames = 1};
    set_xen_guest_handle(st.frame_list, NULL);
    tap_eq(gop(GNTTABOP_setup_table, &st, 0), -XEN_EINVAL,
           "setup_table with count 0: -EINVAL");
    tap_eq(gop(GNTTABOP_setup_table, NULL, 1), -XEN_EFAULT,
           "setup_table(NULL): -EFAULT");
    set_xen_guest_handle(st.frame_list, (xen_pfn_t *)bad_ptrs[BAD_M2P].addr);
    tap_eq(gop(GNTTABOP_setup_table, &st, 1), -XEN_EFAULT,
           "setup_table, frame list in the hypervisor hole: -EFAULT");
    set_xen_guest_handle(st.frame_list,
                         (xen_pfn_t *)bad_ptrs[BAD_UNMAPPED].addr);
    rc = gop(GNTTABOP_setup_table, &st, 1);
    tap_eq(rc ? rc : st.status, GNTST_bad_virt_addr,
           "setup_table, frame list on an unmapped page: bad_virt_addr");
    st.dom = 0;
    rc = gop(GNTTABOP_setup_table, &st, 1);
    tap_eq(rc ? rc : st.status, GNTST_permission_denied,
           "setup_table for domain 0: permission_denied");
    st.dom = 32000;
    rc = gop(GNTTABOP_setup_table, &st, 1);
    tap_eq(rc ? rc : st.status, GNTST_bad_domain,
           "setup_table for domain 32000: bad_domain");
}

static void frame_exhaustion(void)
{
    struct gnttab_setup_table st = {.dom = DOMID_SELF, .nr_frames = 65};
    struct gnttab_query_size qs = {.dom = DOMID_SELF};
    xen_pfn_t *list = (xen_pfn_t *)mm_alloc_page(), frame0;
    long rc;

    set_xen_guest_handle(st.frame_list, list);
    st.nr_frames = 1;
    gop(GNTTABOP_setup_table, &st, 1);
    frame0 = list[0];
    st.nr_frames = 65;
    rc = gop(GNTTABOP_setup_table, &st, 1);
    tap_eq(rc ? rc : st.status, GNTST_general_error,
           "setup_table of 65 frames (the limit is 64): general_error");
    st.nr_frames = 0xffffffff;
    rc = gop(GNTTABOP_setup_table, &st, 1);
    tap_ok(rc == -XEN_EFAULT || (!rc && st.status == GNTST_general_error),
           "setup_table of 2^32-1 frames: refused (rc %ld status %d)", rc,
           st.status);
    st.nr_frames = 64;
    rc = gop(GNTTABOP_setup_table, &st, 1);
    tap_eq(rc ? rc : st.status, GNTST_okay, "setup_table of 64 frames");
    rc = gop(GNTTABOP_query_size, &qs, 1);
    tap_eq(qs.nr_frames, 64, "query_size: now 64 frames");
    tap_ok(list[0] == frame0 && list[63] != frame0,
           "frame 0 is still the one we map, 63 more after it");
}

static void map_cases(void)
{
    unsigned long va = mm_unmapped_page(), va2 = mm_unmapped_page();
    grant_handle_t h, h2;
    long ref, roref, other, sub, bad;
    struct gnttab_map_grant_ref ops[2];
    long rc;

    ref = gnttab_grant_access(self, mfn_a, false);
    roref = gnttab_grant_access(self, mfn_a, true);
    other = gnttab_grant_access(0, mfn_a, false);
    sub = gnttab_grant_access(self, mfn_a, false);
    bad = gnttab_grant_access(self, 1, false); /* frame 1: not ours */
    gnttab_entry(sub)->flags |= GTF_sub_page;
    tap_ok(ref > 0 && roref > 0 && other > 0 && sub > 0 && bad > 0,
           "granted ourselves five entries");

    rc = map1(self, ref, va, GNTMAP_host_map, &h);
    tap_eq(rc, GNTST_okay, "map our own grant");
    tap_ok(rc == GNTST_okay && ((volatile uint8_t *)va)[5] == page_a[5] &&
               (((volatile uint8_t *)va)[6] = 0x5a, page_a[6] == 0x5a),
           "... it maps the page, writable");
    tap_eq_hex(flags_of(ref), GTF_permit_access | GTF_reading | GTF_writing,
               "... the entry says reading|writing");
    tap_eq(gnttab_end_access(ref), -XEN_EBUSY, "... and cannot be ended");
    tap_eq(unmap1(va + 4096, h, 0), GNTST_general_error,
           "unmap at the wrong address: general_error");
    tap_eq(unmap1(va, h, 0x1000), GNTST_general_error,
           "unmap with the wrong dev_bus_addr: general_error");
    tap_eq(unmap1(va, h, 0), GNTST_okay, "unmap");
    tap_eq(unmap1(va, h, 0), GNTST_bad_handle, "unmap twice: bad_handle");
    tap_eq_hex(flags_of(ref), GTF_permit_access, "... the entry is idle");
    tap_eq(unmap1(va, 0xffffffff, 0), GNTST_bad_handle,
           "unmap handle 0xffffffff: bad_handle");
    tap_eq(unmap1(va, 7, 0), GNTST_bad_handle,
           "unmap a handle never used: bad_handle");

    tap_eq(map1(self, roref, va, GNTMAP_host_map, NULL), GNTST_general_error,
           "map a read-only grant writable: general_error");
    tap_eq_hex(flags_of(roref), GTF_permit_access | GTF_readonly,
               "... the entry is untouched");
    rc = map1(self, roref, va, GNTMAP_host_map | GNTMAP_readonly, &h);
    tap_eq(rc, GNTST_okay, "map it read-only");
    tap_eq(probe_write8(va, 1), 14, "... a write faults");
    tap_eq_hex(flags_of(roref), GTF_permit_access | GTF_readonly | GTF_reading,
               "... the entry says reading only");
    rc = map1(self, roref, va2, GNTMAP_host_map, &h2);
    tap_eq(rc, GNTST_general_error,
           "map it writable while mapped read-only: general_error");
    tap_eq(unmap1(va, h, 0), GNTST_okay, "unmap the read-only mapping");

    /*
     * One frame mapped writable at va and read-only at va2: neither may be
     * unmapped through the other's entry, or the writable mapping's
     * writable reference would go while its entry stays (found by the
     * grant-table fuzzer; Xen checks only the frame).
     */
    rc = map1(self, ref, va, GNTMAP_host_map, &h);
    tap_eq(rc, GNTST_okay, "map our grant writable at one address");
    rc = map1(self, ref, va2, GNTMAP_host_map | GNTMAP_readonly, &h2);
    tap_eq(rc, GNTST_okay, "... and read-only at another");
    tap_eq(unmap1(va2, h, 0), GNTST_general_error,
           "unmap the writable mapping at the read-only one's address: "
           "general_error");
    tap_eq(unmap1(va, h2, 0), GNTST_general_error,
           "unmap the read-only mapping at the writable one's address: "
           "general_error");
    tap_ok((((volatile uint8_t *)va)[7] = 0x3c, page_a[7] == 0x3c),
           "... the writable mapping still writes the page");
    tap_eq(unmap1(va2, h2, 0), GNTST_okay, "... unmap the read-only one");
    tap_eq_hex(flags_of(ref), GTF_permit_access | GTF_reading | GTF_writing,
               "... the entry still says reading|writing");
    tap_eq(unmap1(va, h, 0), GNTST_okay, "... unmap the writable one");
    tap_eq_hex(flags_of(ref), GTF_permit_access, "... the entry is idle");

    tap_eq(map1(self, other, va, GNTMAP_host_map, NULL), GNTST_general_error,
           "map an entry granted to domain 0: general_error");
    tap_eq(map1(self, sub, va, GNTMAP_host_map, NULL), GNTST_general_error,
           "map an entry with GTF_sub_page: general_error");
    tap_eq(map1(self, bad, va, GNTMAP_host_map, NULL), GNTST_bad_page,
           "map a grant of a frame not the granter's: bad_page");
    tap_eq_hex(flags_of(bad), GTF_permit_access, "... the entry is idle");
    tap_eq(map1(self, ref, va, 0, NULL), GNTST_bad_gntref,
           "map with neither host_map nor device_map: bad_gntref");
    tap_eq(map1(self, 500, va, GNTMAP_host_map, NULL), GNTST_general_error,
           "map an empty entry: general_error");
    tap_eq(map1(self, 64 * 512, va, GNTMAP_host_map, NULL), GNTST_bad_gntref,
           "map reference 32768 (beyond the table): bad_gntref");
    tap_eq(map1(self, 0xffffffff, va, GNTMAP_host_map, NULL),
           GNTST_bad_gntref, "map reference 0xffffffff: bad_gntref");
    tap_eq(map1(32000, ref, va, GNTMAP_host_map, NULL), GNTST_bad_domain,
           "map from domain 32000: bad_domain");
    tap_eq(map1(DOMID_SELF, ref, va, GNTMAP_host_map, NULL),
           GNTST_bad_domain, "map from DOMID_SELF: bad_domain");
    tap_eq(map1(self, ref, 0x0000400000000000UL, GNTMAP_host_map, NULL),
           GNTST_general_error, "map where no L1 table is: general_error");
    tap_eq(map1(self, ref, bad_ptrs[BAD_M2P].addr, GNTMAP_host_map, NULL),
           GNTST_general_error, "map over the M2P: general_error");
    tap_eq(map1(self, ref, NONCANONICAL_ADDR, GNTMAP_host_map, NULL),
           GNTST_general_error, "map at a non-canonical address: general_error");
    tap_eq_hex(flags_of(ref), GTF_permit_access,
               "... every refused map left the entry idle");

    /* A batch: one good, one bad, one good; each its own status. */
    memset(ops, 0, sizeof(ops));
    ops[0] = (struct gnttab_map_grant_ref){.host_addr = va,
        .flags = GNTMAP_host_map, .ref = ref, .dom = self};
    ops[1] = (struct gnttab_map_grant_ref){.host_addr = va2,
        .flags = GNTMAP_host_map, .ref = 0xfffff, .dom = self};
    rc = gop(GNTTABOP_map_grant_ref, ops, 2);
    tap_ok(!rc && ops[0].status == GNTST_okay &&
               ops[1].status == GNTST_bad_gntref,
           "a batch of two: statuses okay and bad_gntref (rc %ld: %d %d)",
           rc, ops[0].status, ops[1].status);
    tap_eq(unmap1(va, ops[0].handle, 0), GNTST_okay, "... unmap the first");
    tap_eq(gnttab_end_access(ref), 0, "end the grants");
    gnttab_end_access(roref);
    gnttab_end_access(other);
    gnttab_end_access(sub);
    gnttab_end_access(bad);
}

static void copy_cases(void)
{
    long ref = gnttab_grant_access(self, mfn_a, false);
    long roref = gnttab_grant_access(self, mfn_b, true);
    struct gnttab_copy c, batch[3];
    long rc;

    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        page_a[i] = (uint8_t)(i * 7);
    memset(page_b, 0, PAGE_SIZE);
    c = copy_op(ref, 0, 0, PAGE_SIZE);
    tap_eq(copy1(&c), GNTST_okay, "copy a whole page from our grant");
    tap_eq(memcmp(page_a, page_b, PAGE_SIZE), 0, "... the bytes arrived");
    tap_eq_hex(flags_of(ref), GTF_permit_access,
               "... and the entry is idle again");
    c = copy_op(ref, 4000, 0, 200);
    tap_eq(copy1(&c), GNTST_bad_copy_arg,
           "copy 200 bytes from offset 4000: bad_copy_arg");
    c = copy_op(ref, 0, 1, PAGE_SIZE);
    tap_eq(copy1(&c), GNTST_bad_copy_arg,
           "copy a page to offset 1: bad_copy_arg");
    c = copy_op(ref, 0xffff, 0, 1);
    tap_eq(copy1(&c), GNTST_bad_copy_arg,
           "copy from offset 65535: bad_copy_arg");
    c = copy_op(ref, 0, 0, 0xffff);
    tap_eq(copy1(&c), GNTST_bad_copy_arg, "copy 65535 bytes: bad_copy_arg");
    c = copy_op(ref, 0, 0, 16);
    c.flags = 0;
    c.source.u.gmfn = mfn_a;
    tap_eq(copy1(&c), GNTST_permission_denied,
           "copy by frame naming our domid, not DOMID_SELF: permission_denied");
    c.source.domid = DOMID_SELF;
    c.source.u.gmfn = 1;
    tap_eq(copy1(&c), GNTST_bad_page, "copy from frame 1 (not ours): bad_page");
    c = copy_op(ref, 0, 0, 16);
    c.dest.u.gmfn = 1;
    tap_eq(copy1(&c), GNTST_bad_page, "copy to frame 1 (not ours): bad_page");
    c = copy_op(ref, 0, 0, 16);
    c.dest = (struct gnttab_copy_ptr){.u.ref = (grant_ref_t)roref,
                                      .domid = self};
    c.flags |= GNTCOPY_dest_gref;
    tap_eq(copy1(&c), GNTST_general_error,
           "copy into a read-only grant: general_error");
    tap_eq_hex(flags_of(roref), GTF_permit_access | GTF_readonly,
               "... the entry is untouched");
    c = copy_op(0x7fffffff, 0, 0, 16);
    tap_eq(copy1(&c), GNTST_bad_gntref, "copy from reference 2^31-1: bad_gntref");
    c = copy_op(ref, 0, 0, 16);
    c.source.domid = 32000;
    tap_eq(copy1(&c), GNTST_bad_domain, "copy from domain 32000: bad_domain");
    c = copy_op(511, 0, 0, 16);
    tap_eq(copy1(&c), GNTST_general_error, "copy from an empty entry: general_error");

    /* Overlapping ranges of one page: copied as memmove would (found by
     * the grant-table fuzzer). */
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        page_a[i] = (uint8_t)(i * 7);
    c = copy_op(ref, 0, 128, 1024);
    c.dest = (struct gnttab_copy_ptr){.u.ref = (grant_ref_t)ref,
                                      .domid = self, .offset = 128};
    c.flags = GNTCOPY_source_gref | GNTCOPY_dest_gref;
    tap_eq(copy1(&c), GNTST_okay, "copy 1 KiB of our grant 128 bytes on");
    rc = 0;
    for (unsigned int i = 0; i < 1024; i++)
        if (page_a[128 + i] != (uint8_t)(i * 7))
            rc++;
    tap_eq(rc, 0, "... every byte moved as by memmove");
    tap_eq_hex(flags_of(ref), GTF_permit_access,
               "... and the entry is idle again");

    batch[0] = copy_op(ref, 0, 0, 8);
    batch[1] = copy_op(ref, 4090, 0, 8);
    batch[2] = copy_op(ref, 8, 8, 8);
    rc = gop(GNTTABOP_copy, batch, 3);
    tap_ok(!rc && batch[0].status == GNTST_okay &&
               batch[1].status == GNTST_bad_copy_arg &&
               batch[2].status == GNTST_okay,
           "a batch of three: okay, bad_copy_arg, okay (%d %d %d)",
           batch[0].status, batch[1].status, batch[2].status);
    tap_eq(gnttab_end_access(ref), 0, "end the grants");
    gnttab_end_access(roref);
}

static void buffer_cases(void)
{
    /* One map op at the very end of a page followed by an unmapped one. */
    struct gnttab_map_grant_ref *last =
        (struct gnttab_map_grant_ref *)(bad_hole -
                                        sizeof(struct gnttab_map_grant_ref));
    long ref = gnttab_grant_access(self, mfn_a, false);
    long rc;

    tap_eq(gop(GNTTABOP_map_grant_ref, NULL, 1), -XEN_EFAULT,
           "map_grant_ref(NULL): -EFAULT");
    tap_eq(gop(GNTTABOP_unmap_grant_ref, NULL, 1), -XEN_EFAULT,
           "unmap_grant_ref(NULL): -EFAULT");
    tap_eq(gop(GNTTABOP_copy, NULL, 1), -XEN_EFAULT, "copy(NULL): -EFAULT");
    tap_eq(gop(GNTTABOP_query_size, NULL, 1), -XEN_EFAULT,
           "query_size(NULL): -EFAULT");
    tap_eq(gop(GNTTABOP_set_version, NULL, 1), -XEN_EFAULT,
           "set_version(NULL): -EFAULT");
    NOT_NULL_BAD_PTRS(i)
    {
        rc = gop(GNTTABOP_map_grant_ref, (void *)bad_ptrs[i].addr, 1);
        tap_eq(rc, -XEN_EFAULT, "map_grant_ref(%s): -EFAULT",
               bad_ptrs[i].name);
        rc = gop(GNTTABOP_copy, (void *)bad_ptrs[i].addr, 1);
        tap_eq(rc, -XEN_EFAULT, "copy(%s): -EFAULT", bad_ptrs[i].name);
    }
    tap_eq(gop(GNTTABOP_map_grant_ref, last, 0x80000000UL), -XEN_EINVAL,
           "map with count 2^31: -EINVAL");
    tap_eq(gop(GNTTABOP_copy, last, 0xffffffffUL), -XEN_EINVAL,
           "copy with count 2^32-1: -EINVAL");
    *last = (struct gnttab_map_grant_ref){.host_addr = mm_unmapped_page(),
        .flags = GNTMAP_host_map | GNTMAP_readonly, .ref = (grant_ref_t)ref,
        .dom = self, .status = 99};
    rc = gop(GNTTABOP_map_grant_ref, last, 0x7fffffffUL);
    tap_ok(rc == -XEN_EFAULT && last->status == 99,
           "map with count 2^31-1 (the array runs off the address space): "
           "-EFAULT, nothing done (rc %ld, status %d)", rc, last->status);
    tap_eq_hex(flags_of(ref), GTF_permit_access, "... the entry is idle");
    tap_eq(gop(GNTTABOP_map_grant_ref | (1U << 12), last, 1), -XEN_EINVAL,
           "state bits above the command: -EINVAL");
    tap_eq(gop(GNTTABOP_transfer, last, 1), -XEN_ENOSYS,
           "transfer: -ENOSYS (not offered)");
    tap_eq(gop(13, last, 1), -XEN_ENOSYS, "command 13: -ENOSYS");
    tap_eq(gop(0xfff, last, 1), -XEN_ENOSYS, "command 0xfff: -ENOSYS");
    tap_eq(gop(GNTTABOP_map_grant_ref, last, 0), 0, "map with count 0: 0");
    tap_eq(gnttab_end_access(ref), 0, "end the grant");
}

static void victim_cases(void)
{
    domid_t victim = (domid_t)cmdline_ulong("victim", 0);
    grant_ref_t vref = (grant_ref_t)cmdline_ulong("ref", 0);
    unsigned long va = mm_unmapped_page();
    struct gnttab_copy c;

    if (!victim) {
        tap_skip("no victim= on the command line",
                 "map another guest's grant to someone else");
        tap_skip("no victim= on the command line",
                 "copy from another guest's grant to someone else");
        return;
    }
    tap_eq(map1(victim, vref, va, GNTMAP_host_map | GNTMAP_readonly, NULL),
           GNTST_general_error,
           "map d%u's grant %u, made for someone else: general_error", victim,
           vref);
    c = copy_op(vref, 0, 0, 16);
    c.source.domid = victim;
    tap_eq(copy1(&c), GNTST_general_error,
           "copy from d%u's grant %u: general_error", victim, vref);
}

/*
 * Foreign mapping by (domid, gfn) is domain 0's (its builder and
 * xenstore, through XENMEM_add_to_physmap_batch, XENMAPSPACE_gmfn_foreign,
 * pvisor/foreign.h): a guest asking is refused before anything is read
 * or written.
 */
static void foreign_cases(void)
{
    domid_t victim = (domid_t)cmdline_ulong("victim", 0);
    domid_t doms[2] = {victim, self};
    xen_ulong_t idx = mfn_a;
    xen_pfn_t gpfn = 0x80000;
    int err = 12345;
    struct xen_remove_from_physmap r = {.domid = DOMID_SELF, .gpfn = gpfn};
    long rc;

    for (unsigned int i = 0; i < 2; i++) {
        struct xen_add_to_physmap_batch b = {
            .domid = DOMID_SELF,
            .space = XENMAPSPACE_gmfn_foreign,
            .size = 1,
            .u.foreign_domid = doms[i],
        };

        set_xen_guest_handle(b.idxs, &idx);
        set_xen_guest_handle(b.gpfns, &gpfn);
        set_xen_guest_handle(b.errs, &err);
        rc = HYPERVISOR_memory_op(XENMEM_add_to_physmap_batch, &b);
        tap_ok(rc == -XEN_EACCES && err == 12345,
               "foreign map of d%u's frame %#lx by (domid, gfn), dom0's "
               "alone: -EACCES, nothing written (rc %ld, err %d)",
               doms[i], (unsigned long)idx, rc, err);
    }
    rc = HYPERVISOR_memory_op(XENMEM_remove_from_physmap, &r);
    tap_eq(rc, -XEN_EACCES, "remove_from_physmap: -EACCES");
}

int guest_main(void)
{
    char buf[16];
    long rc;

    guest_init_basic();
    bad_ptrs_init();
    rc = xenbus_init();
    if (rc || xenbus_read("domid", buf, sizeof(buf)) <= 0)
        guest_panic("cannot learn our domid from xenstore (%ld)", rc);
    for (const char *p = buf; *p >= '0' && *p <= '9'; p++)
        self = (domid_t)(self * 10 + (*p - '0'));
    rc = gnttab_init(1);
    tap_eq(rc, 0, "setup_table and map our grant frame");
    page_a = (uint8_t *)mm_alloc_page();
    page_b = (uint8_t *)mm_alloc_page();
    mfn_a = virt_to_mfn((unsigned long)page_a);
    mfn_b = virt_to_mfn((unsigned long)page_b);
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        page_a[i] = (uint8_t)i;

    table_ops();
    map_cases();
    copy_cases();
    buffer_cases();
    victim_cases();
    foreign_cases();
    frame_exhaustion();
    ridiculous_alive();
    tap_done();
}
