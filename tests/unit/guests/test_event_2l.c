/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the guests' 2-level event-channel scan
 * (guests/lib/event_2l.c) on a shared_info in ordinary memory, with the
 * hypervisor's half (evtchn_2l_set_pending, as xen/common/event_2l.c
 * behaves) driving it: dispatch order, masking, the selector and
 * upcall_pending bookkeeping, events raised while the scan runs, and every
 * port of the 4096.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "events.h"

static shared_info_t *s;
static struct vcpu_info *v;
static evtchn_port_t seen[8192];
static unsigned int nseen;
static evtchn_port_t raise_during; /* port to raise from the callback */

static void record(evtchn_port_t port, void *ctx)
{
    (void)ctx;
    seen[nseen++] = port;
    if (raise_during) {
        evtchn_port_t p = raise_during;

        raise_during = 0;
        evtchn_2l_set_pending(s, v, p);
    }
}

static int setup(void **state)
{
    (void)state;
    s = calloc(1, sizeof(*s));
    v = &s->vcpu_info[0];
    nseen = 0;
    raise_during = 0;
    return s ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(s);
    return 0;
}

static void test_set_pending_raises_upcall_once(void **state)
{
    (void)state;
    evtchn_2l_set_pending(s, v, 5);
    assert_int_equal(v->evtchn_upcall_pending, 1);
    assert_int_equal(v->evtchn_pending_sel, 1);
    assert_int_equal(s->evtchn_pending[0], 1UL << 5);
    v->evtchn_upcall_pending = 0;
    evtchn_2l_set_pending(s, v, 5); /* already pending: no new edge */
    assert_int_equal(v->evtchn_upcall_pending, 0);
}

static void test_scan_dispatches_in_order_and_clears(void **state)
{
    static const evtchn_port_t ports[] = {4095, 64, 1, 63, 130, 65};
    static const evtchn_port_t want[] = {1, 63, 64, 65, 130, 4095};

    (void)state;
    for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
        evtchn_2l_set_pending(s, v, ports[i]);
    assert_int_equal(evtchn_2l_scan(s, v, record, NULL), 6);
    assert_int_equal(nseen, 6);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(seen[i], want[i]);
    assert_int_equal(v->evtchn_upcall_pending, 0);
    assert_int_equal(v->evtchn_pending_sel, 0);
    for (size_t w = 0; w < 64; w++)
        assert_int_equal(s->evtchn_pending[w], 0);
}

static void test_masked_ports_stay_pending(void **state)
{
    (void)state;
    s->evtchn_mask[1] = 1UL << 36; /* port 100 */
    evtchn_2l_set_pending(s, v, 100);
    assert_int_equal(v->evtchn_upcall_pending, 0); /* masked: no upcall */
    evtchn_2l_set_pending(s, v, 101);
    assert_int_equal(evtchn_2l_scan(s, v, record, NULL), 1);
    assert_int_equal(seen[0], 101);
    assert_int_equal(s->evtchn_pending[1], 1UL << 36);
    /* Unmasked later, it is found again once its word is selected. */
    s->evtchn_mask[1] = 0;
    v->evtchn_pending_sel |= 1UL << 1;
    v->evtchn_upcall_pending = 1;
    assert_int_equal(evtchn_2l_scan(s, v, record, NULL), 1);
    assert_int_equal(seen[1], 100);
}

static void test_event_during_scan_is_not_lost(void **state)
{
    (void)state;
    evtchn_2l_set_pending(s, v, 3);
    raise_during = 700; /* another word, raised while port 3 is handled */
    assert_int_equal(evtchn_2l_scan(s, v, record, NULL), 2);
    assert_int_equal(seen[0], 3);
    assert_int_equal(seen[1], 700);
    assert_int_equal(v->evtchn_upcall_pending, 0);
    raise_during = 3; /* the same port again while it is handled */
    evtchn_2l_set_pending(s, v, 3);
    assert_int_equal(evtchn_2l_scan(s, v, record, NULL), 2);
    assert_int_equal(seen[2], 3);
    assert_int_equal(seen[3], 3);
}

static void test_every_port(void **state)
{
    (void)state;
    for (evtchn_port_t p = 0; p < EVTCHN_2L_NR_CHANNELS; p++)
        evtchn_2l_set_pending(s, v, p);
    assert_int_equal(v->evtchn_pending_sel, ~0UL);
    assert_int_equal(evtchn_2l_scan(s, v, record, NULL), EVTCHN_2L_NR_CHANNELS);
    for (evtchn_port_t p = 0; p < EVTCHN_2L_NR_CHANNELS; p++)
        assert_int_equal(seen[p], p);
}

static void test_spurious_upcall(void **state)
{
    (void)state;
    v->evtchn_upcall_pending = 1; /* nothing selected */
    assert_int_equal(evtchn_2l_scan(s, v, record, NULL), 0);
    assert_int_equal(v->evtchn_upcall_pending, 0);
    /* Selected word with nothing pending. */
    v->evtchn_pending_sel = 1UL << 9;
    v->evtchn_upcall_pending = 1;
    assert_int_equal(evtchn_2l_scan(s, v, record, NULL), 0);
    assert_int_equal(v->evtchn_pending_sel, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_set_pending_raises_upcall_once,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_scan_dispatches_in_order_and_clears, setup, teardown),
        cmocka_unit_test_setup_teardown(test_masked_ports_stay_pending, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_event_during_scan_is_not_lost,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spurious_upcall, setup, teardown),
    };
    return cmocka_run_group_tests_name("guest_event_2l", tests, NULL, NULL);
}
