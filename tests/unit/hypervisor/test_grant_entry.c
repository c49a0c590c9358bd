/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of a v1 grant entry's flag transitions (common/grant_entry.c):
 * which entries may be pinned, for reading or writing, the flags pinning
 * sets and unpinning clears, and that the compare-exchange on the shared
 * flags never loses a guest's concurrent update -- in particular a guest
 * ending its grant (flags to 0 unless GTF_reading/GTF_writing) racing the
 * hypervisor's first pin: exactly one of the two wins, every time.
 */
#include "hv_test.h"

#include <pthread.h>
#include <sched.h>
#include <pvisor/grant_table.h>
#include <string.h>

#define DOM 7

static grant_entry_v1_t entry(uint16_t flags, domid_t dom)
{
    grant_entry_v1_t e = {.flags = flags, .domid = dom, .frame = 0x1234};
    return e;
}

/* The first pin of an entry, by type, flags, grantee and access. */
static const struct {
    const char *name;
    uint16_t flags;
    domid_t dom;
    bool readonly, mapping;
    int want;
    uint16_t want_flags; /* the entry's flags afterwards */
} first_pin[] = {
    {"r/w pin of a r/w grant", GTF_permit_access, DOM, false, true,
     GNTST_okay, GTF_permit_access | GTF_reading | GTF_writing},
    {"r/o pin of a r/w grant", GTF_permit_access, DOM, true, true, GNTST_okay,
     GTF_permit_access | GTF_reading},
    {"r/o pin of a r/o grant", GTF_permit_access | GTF_readonly, DOM, true,
     true, GNTST_okay, GTF_permit_access | GTF_readonly | GTF_reading},
    {"r/w pin of a r/o grant", GTF_permit_access | GTF_readonly, DOM, false,
     true, GNTST_general_error, GTF_permit_access | GTF_readonly},
    {"another domain's grant", GTF_permit_access, DOM + 1, true, true,
     GNTST_general_error, GTF_permit_access},
    {"an invalid entry", GTF_invalid, DOM, true, true, GNTST_general_error,
     GTF_invalid},
    {"accept_transfer", GTF_accept_transfer, DOM, true, true,
     GNTST_general_error, GTF_accept_transfer},
    {"transitive (a v2 type)", GTF_transitive, DOM, true, true,
     GNTST_general_error, GTF_transitive},
    {"sub_page, mapped", GTF_permit_access | GTF_sub_page, DOM, true, true,
     GNTST_general_error, GTF_permit_access | GTF_sub_page},
    {"sub_page, copied", GTF_permit_access | GTF_sub_page, DOM, true, false,
     GNTST_okay, GTF_permit_access | GTF_sub_page | GTF_reading},
    {"cache attributes ignored", GTF_permit_access | GTF_PWT | GTF_PCD, DOM,
     false, true, GNTST_okay,
     GTF_permit_access | GTF_PWT | GTF_PCD | GTF_reading | GTF_writing},
};

static void test_first_pin(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(first_pin) / sizeof(first_pin[0]); i++) {
        grant_entry_v1_t e = entry(first_pin[i].flags, first_pin[i].dom);
        int rc = gnttab_entry_pin(&e, false, first_pin[i].readonly,
                                  first_pin[i].mapping, DOM);

        if (rc != first_pin[i].want || e.flags != first_pin[i].want_flags)
            fail_msg("%s: rc %d flags %#x, want %d flags %#x",
                     first_pin[i].name, rc, e.flags, first_pin[i].want,
                     first_pin[i].want_flags);
        assert_int_equal(e.domid, first_pin[i].dom);
        assert_int_equal(e.frame, 0x1234);
    }
}

/* Already pinned: grantee and type were checked at the first pin. */
static void test_later_pins(void **state)
{
    grant_entry_v1_t e = entry(GTF_permit_access | GTF_reading, DOM);

    (void)state;
    /* The guest may have rewritten the entry since: not looked at... */
    e.domid = 99;
    assert_int_equal(gnttab_entry_pin(&e, true, true, true, DOM), GNTST_okay);
    /* ...except GTF_readonly, for a new write pin. */
    assert_int_equal(gnttab_entry_pin(&e, true, false, true, DOM), GNTST_okay);
    assert_int_equal(e.flags, GTF_permit_access | GTF_reading | GTF_writing);
    e.flags = GTF_permit_access | GTF_readonly | GTF_reading;
    assert_int_equal(gnttab_entry_pin(&e, true, false, true, DOM),
                     GNTST_general_error);
    assert_int_equal(e.flags, GTF_permit_access | GTF_readonly | GTF_reading);
}

static void test_clear(void **state)
{
    grant_entry_v1_t e = entry(GTF_permit_access | GTF_readonly |
                                   GTF_reading | GTF_writing,
                               DOM);

    (void)state;
    gnttab_entry_clear(&e, GTF_writing);
    assert_int_equal(e.flags,
                     GTF_permit_access | GTF_readonly | GTF_reading);
    gnttab_entry_clear(&e, GTF_reading | GTF_writing);
    assert_int_equal(e.flags, GTF_permit_access | GTF_readonly);
    assert_int_equal(e.domid, DOM);
    /* Ending the grant is now possible: the guest's compare-exchange. */
    uint16_t f = e.flags;
    assert_false(f & (GTF_reading | GTF_writing));
}

/* ----------------------------------------------- races with the guest */

static grant_entry_v1_t shared;
static pthread_barrier_t start, stop;
static volatile bool done;
static int guest_ended;

/* The guest's gnttab_end_foreign_access_ref_v1: flags to 0 unless in use. */
static bool guest_end(grant_entry_v1_t *e)
{
    uint16_t f = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);

    do {
        if (f & (GTF_reading | GTF_writing))
            return false;
    } while (!__atomic_compare_exchange_n(&e->flags, &f, 0, false,
                                          __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
    return true;
}

static void *guest_ender(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_barrier_wait(&start);
        if (done)
            return NULL;
        guest_ended = guest_end(&shared);
        pthread_barrier_wait(&stop);
    }
}

static void test_race_end_against_pin(void **state)
{
    pthread_t t;
    unsigned int pinned = 0, ended = 0;

    (void)state;
    pthread_barrier_init(&start, NULL, 2);
    pthread_barrier_init(&stop, NULL, 2);
    assert_int_equal(pthread_create(&t, NULL, guest_ender, NULL), 0);
    for (unsigned int i = 0; i < 20000; i++) {
        int rc;

        shared = entry(GTF_permit_access, DOM);
        pthread_barrier_wait(&start);
        rc = gnttab_entry_pin(&shared, false, i & 1, true, DOM);
        pthread_barrier_wait(&stop);
        /* Exactly one side wins. */
        if (rc == GNTST_okay) {
            assert_false(guest_ended);
            assert_true(shared.flags & GTF_reading);
            assert_int_equal(!!(shared.flags & GTF_writing), !(i & 1));
            pinned++;
        } else {
            assert_true(guest_ended);
            assert_int_equal(shared.flags, 0);
            ended++;
        }
    }
    done = true;
    pthread_barrier_wait(&start);
    pthread_join(t, NULL);
    print_message("# race: %u pinned first, %u ended first\n", pinned, ended);
    assert_int_equal(pinned + ended, 20000);
}

/* A guest flipping a flag the pin does not care about: never lost. */
static void *flipper(void *arg)
{
    unsigned long *flips = arg;

    while (!done) {
        __atomic_fetch_xor(&shared.flags, GTF_PWT, __ATOMIC_ACQ_REL);
        __atomic_fetch_add(flips, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void test_race_no_lost_update(void **state)
{
    unsigned long flips = 0, unstable = 0;
    pthread_t t;

    (void)state;
    done = false;
    shared = entry(GTF_permit_access, DOM);
    assert_int_equal(pthread_create(&t, NULL, flipper, &flips), 0);
    while (!__atomic_load_n(&flips, __ATOMIC_RELAXED))
        sched_yield(); /* the guest is running */
    for (unsigned int i = 0; i < 100000; i++) {
        int rc = gnttab_entry_pin(&shared, false, false, true, DOM);

        if (rc == GNTST_okay)
            assert_true((__atomic_load_n(&shared.flags, __ATOMIC_ACQUIRE) &
                         (GTF_reading | GTF_writing)) ==
                        (GTF_reading | GTF_writing));
        else
            unstable++; /* five lost races in a row: refused, unchanged */
        gnttab_entry_clear(&shared, GTF_reading | GTF_writing);
        assert_int_equal(shared.flags & ~GTF_PWT, GTF_permit_access);
    }
    done = true;
    pthread_join(t, NULL);
    print_message("# %lu flips, %lu pins refused as unstable\n", flips,
                  unstable);
    assert_true(flips > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_pin),
        cmocka_unit_test(test_later_pins),
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_race_end_against_pin),
        cmocka_unit_test(test_race_no_lost_update),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
