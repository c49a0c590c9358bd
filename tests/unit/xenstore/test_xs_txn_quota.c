// SPDX-License-Identifier: MIT
/*
 * Unit tests for xenstore-lite transactions and quotas: isolation,
 * commit and abort, the conflict cases (read then changed, created,
 * removed, sibling creation, two transactions), watches deferred to
 * commit, ids, nesting, and every per-domain quota with its accounting,
 * including the outstanding-request limit that stops reading a
 * connection, and command-line style quota settings.
 */
#include "xs_test.h"

static void test_txn_isolation_commit_abort(void **state)
{
    struct xs_conn *c = t_conn(0), *o = t_conn(0);
    uint32_t t = t_txn(c), t2;

    assert_int_equal(t_write(c, t, "/tx/a", "1"), 0);
    assert_int_equal(t_read(c, t, "/tx/a"), 0);
    assert_int_equal(t_read(o, 0, "/tx/a"), ENOENT); /* not yet visible */
    assert_int_equal(t_read(c, 0, "/tx/a"), ENOENT);
    assert_int_equal(t_call(c, XS_TRANSACTION_END, t, 1, "T"), 0);
    assert_int_equal(t_read(o, 0, "/tx/a"), 0);
    t2 = t_txn(c);
    assert_true(t2 != t);
    assert_int_equal(t_call(c, XS_RM, t2, 1, "/tx/a"), 0);
    assert_int_equal(t_read(c, t2, "/tx/a"), ENOENT);
    assert_int_equal(t_call(c, XS_TRANSACTION_END, t2, 1, "F"), 0);
    assert_int_equal(t_read(o, 0, "/tx/a"), 0); /* abort kept it */
    assert_int_equal(t_call(c, XS_TRANSACTION_END, t2, 1, "T"), ENOENT);
    assert_int_equal(t_call(c, XS_TRANSACTION_END, 0, 1, "T"), ENOENT);
    t = t_txn(c);
    assert_int_equal(t_call(c, XS_TRANSACTION_END, t, 1, "X"), EINVAL);
    assert_int_equal(t_call(c, XS_TRANSACTION_START, t, 1, ""), EBUSY);
    /* Another connection cannot use this connection's id. */
    assert_int_equal(t_read(o, t, "/tx/a"), ENOENT);
}

static void test_txn_conflicts(void **state)
{
    struct xs_conn *c = t_conn(0), *o = t_conn(0);
    uint32_t t, u;

    assert_int_equal(t_write(c, 0, "/cf/a", "1"), 0);
    /* Read, then someone else writes: EAGAIN, nothing applied. */
    t = t_txn(c);
    assert_int_equal(t_read(c, t, "/cf/a"), 0);
    assert_int_equal(t_write(c, t, "/cf/b", "x"), 0);
    assert_int_equal(t_write(o, 0, "/cf/a", "2"), 0);
    assert_int_equal(t_call(c, XS_TRANSACTION_END, t, 1, "T"), EAGAIN);
    assert_int_equal(t_read(o, 0, "/cf/b"), ENOENT);
    /* Read of a missing node, then it is created. */
    t = t_txn(c);
    assert_int_equal(t_read(c, t, "/cf/new"), ENOENT);
    assert_int_equal(t_write(o, 0, "/cf/new", "1"), 0);
    assert_int_equal(t_call(c, XS_TRANSACTION_END, t, 1, "T"), EAGAIN);
    /* Read, then removed. */
    t = t_txn(c);
    assert_int_equal(t_read(c, t, "/cf/new"), 0);
    assert_int_equal(t_call(o, XS_RM, 0, 1, "/cf/new"), 0);
    assert_int_equal(t_call(c, XS_TRANSACTION_END, t, 1, "T"), EAGAIN);
    /* Two transactions creating siblings conflict on the parent. */
    t = t_txn(c);
    u = t_txn(o);
    assert_int_equal(t_write(c, t, "/cf/s1", "1"), 0);
    assert_int_equal(t_write(o, u, "/cf/s2", "2"), 0);
    assert_int_equal(t_call(c, XS_TRANSACTION_END, t, 1, "T"), 0);
    assert_int_equal(t_call(o, XS_TRANSACTION_END, u, 1, "T"), EAGAIN);
    /* Disjoint transactions both commit. */
    assert_int_equal(t_write(c, 0, "/cf/p/x", "0"), 0);
    assert_int_equal(t_write(c, 0, "/cf/q/y", "0"), 0);
    t = t_txn(c);
    u = t_txn(o);
    assert_int_equal(t_write(c, t, "/cf/p/x", "1"), 0);
    assert_int_equal(t_write(o, u, "/cf/q/y", "1"), 0);
    assert_int_equal(t_call(c, XS_TRANSACTION_END, t, 1, "T"), 0);
    assert_int_equal(t_call(o, XS_TRANSACTION_END, u, 1, "T"), 0);
    /* A transaction sees its snapshot even after an outside change. */
    t = t_txn(c);
    assert_int_equal(t_read(c, t, "/cf/p/x"), 0);
    assert_int_equal(t_write(o, 0, "/cf/p/x", "9"), 0);
    assert_int_equal(t_read(c, t, "/cf/p/x"), 0);
    assert_string_equal(t_last.body, "1");
    assert_int_equal(t_call(c, XS_TRANSACTION_END, t, 1, "F"), 0);
}

static void test_txn_watches_on_commit(void **state)
{
    struct xs_conn *c = t_conn(0), *w = t_conn(0);
    char p[256], tk[256];
    uint32_t t;

    assert_int_equal(t_call(w, XS_WATCH, 0, 2, "/tw", "t"), 0);
    t_drop_events(w);
    t = t_txn(c);
    assert_int_equal(t_write(c, t, "/tw/a", "1"), 0);
    assert_int_equal(t_write(c, t, "/tw/a", "2"), 0);
    assert_int_equal(t_nevents(w), 0);
    assert_int_equal(t_call(c, XS_TRANSACTION_END, t, 1, "T"), 0);
    assert_true(t_event(w, p, tk));
    assert_string_equal(p, "/tw/a");
    assert_false(t_event(w, p, tk));
    /* Aborted and failed transactions fire nothing. */
    t = t_txn(c);
    assert_int_equal(t_write(c, t, "/tw/b", "1"), 0);
    assert_int_equal(t_call(c, XS_TRANSACTION_END, t, 1, "F"), 0);
    assert_int_equal(t_nevents(w), 0);
}

static void test_txn_disconnect_mid_transaction(void **state)
{
    struct xs_conn *c = t_conn(0), *o = t_conn(0);
    uint32_t t = t_txn(c);

    assert_int_equal(t_write(c, t, "/dm/a", "1"), 0);
    xs_conn_free(c);
    assert_int_equal(t_read(o, 0, "/dm/a"), ENOENT);
    assert_int_equal(xs_domain_find(&X, 0)->acc[XS_ACC_TRANSACTIONS], 0);
}

static void test_quota_nodes_and_size(void **state)
{
    struct xs_conn *d0 = t_conn(0), *g = t_conn(7);
    char big[3000], name[32];
    int i;

    assert_int_equal(xsd_set_quota(&X, "nodes=5", false), 0);
    assert_int_equal(t_call(d0, XS_MKDIR, 0, 1, "/local/domain/7"), 0);
    assert_int_equal(t_call(d0, XS_SET_PERMS, 0, 2, "/local/domain/7", "n7"),
                     0);
    /* The domain owns /local/domain/7 already: 4 more fit. */
    for (i = 0; i < 4; i++) {
        snprintf(name, sizeof(name), "n%d", i);
        assert_int_equal(t_write(g, 0, name, "x"), 0);
    }
    assert_int_equal(t_write(g, 0, "n4", "x"), ENOSPC);
    assert_int_equal(t_write(g, 0, "n0", "overwrite ok"), 0);
    assert_int_equal(t_call(g, XS_RM, 0, 1, "n0"), 0);
    assert_int_equal(t_write(g, 0, "n4", "x"), 0);
    /* Implicit parents count too. */
    assert_int_equal(t_call(g, XS_RM, 0, 1, "n4"), 0);
    assert_int_equal(t_write(g, 0, "p/q", "x"), ENOSPC);
    /* dom0 is not bound. */
    for (i = 0; i < 10; i++) {
        snprintf(name, sizeof(name), "/d0/n%d", i);
        assert_int_equal(t_write(d0, 0, name, "x"), 0);
    }
    /* node-size: data + perms + children over 2048 bytes. */
    memset(big, 'b', sizeof(big));
    big[2040] = '\0';
    assert_int_equal(t_write(g, 0, "n1", big), ENOSPC);
    big[1000] = '\0';
    assert_int_equal(t_write(g, 0, "n1", big), 0);
    assert_int_equal(xs_domain_find(&X, 7)->acc[XS_ACC_NODES], 4);
}

static void test_quota_watches_txns_perms_path(void **state)
{
    struct xs_conn *d0 = t_conn(0), *g = t_conn(8);
    char tok[16], path[XENSTORE_REL_PATH_MAX + 40];
    int i;

    assert_int_equal(xsd_set_quota(&X, "watches=3", false), 0);
    assert_int_equal(xsd_set_quota(&X, "transactions=2", false), 0);
    assert_int_equal(xsd_set_quota(&X, "node-permissions=2", false), 0);
    for (i = 0; i < 3; i++) {
        snprintf(tok, sizeof(tok), "t%d", i);
        assert_int_equal(t_call(g, XS_WATCH, 0, 2, "/w", tok), 0);
    }
    assert_int_equal(t_call(g, XS_WATCH, 0, 2, "/w", "t9"), E2BIG);
    assert_int_equal(t_call(g, XS_UNWATCH, 0, 2, "/w", "t0"), 0);
    assert_int_equal(t_call(g, XS_WATCH, 0, 2, "/w", "t9"), 0);
    t_txn(g);
    t_txn(g);
    assert_int_equal(t_call(g, XS_TRANSACTION_START, 0, 1, ""), ENOSPC);
    assert_int_equal(t_call(d0, XS_MKDIR, 0, 1, "/local/domain/8"), 0);
    assert_int_equal(t_call(d0, XS_SET_PERMS, 0, 2, "/local/domain/8", "n8"),
                     0);
    assert_int_equal(
        t_call(g, XS_SET_PERMS, 0, 4, "/local/domain/8", "n8", "r1", "r2"),
        ENOSPC);
    assert_int_equal(
        t_call(g, XS_SET_PERMS, 0, 3, "/local/domain/8", "n8", "r1"), 0);
    /* path-max counts the part below /local/domain/N/ (two components,
     * so no child list grows past the node-size quota). */
    memset(path, 'p', XENSTORE_REL_PATH_MAX + 1);
    path[1000] = '/';
    path[XENSTORE_REL_PATH_MAX + 1] = '\0';
    assert_int_equal(t_write(g, 0, path, "x"), EINVAL);
    path[XENSTORE_REL_PATH_MAX] = '\0';
    assert_int_equal(t_write(g, 0, path, "x"), 0);
    assert_int_equal(xsd_set_quota(&X, "path-max=10", false), 0);
    assert_int_equal(t_write(g, 0, "abcdefghijk", "x"), EINVAL);
    assert_int_equal(t_write(g, 0, "abcdefghij", "x"), 0);
    assert_int_equal(xsd_set_quota(&X, "path-max=99999", false), 0);
    assert_int_equal(X.quota[XS_ACC_PATH_LEN].hard, XENSTORE_REL_PATH_MAX);
    /* Quota syntax. */
    assert_int_equal(xsd_set_quota(&X, "bogus=1", false), -EINVAL);
    assert_int_equal(xsd_set_quota(&X, "nodes=", false), -EINVAL);
    assert_int_equal(xsd_set_quota(&X, "nodes", false), -EINVAL);
    assert_int_equal(xsd_set_quota(&X, "memory=100000", true), 0);
    assert_int_equal(xsd_set_timeout(&X, "watch-event=5"), 0);
    assert_int_equal(X.watch_event_timeout_ms, 5000);
    assert_int_equal(xsd_set_timeout(&X, "other=5"), -EINVAL);
    /* Watch and transaction counters follow the connection. */
    xs_conn_free(g);
    assert_int_equal(xs_domain_find(&X, 8)->acc[XS_ACC_WATCHES], 0);
    assert_int_equal(xs_domain_find(&X, 8)->acc[XS_ACC_TRANSACTIONS], 0);
}

static void test_quota_outstanding_stops_reading(void **state)
{
    struct xs_conn *g = t_conn(9);
    struct xsd_sockmsg h = {XS_READ, 1, 0, 6};
    char buf[10 * (sizeof(h) + 6)];
    struct t_msg m;
    size_t one = sizeof(h) + 6, one_reply;
    int i;
    long n;

    assert_int_equal(xsd_set_quota(&X, "outstanding=3", false), 0);
    for (i = 0; i < 10; i++) {
        h.req_id = i;
        memcpy(buf + i * one, &h, sizeof(h));
        memcpy(buf + i * one + sizeof(h), "/tool", 6);
    }
    /* Three replies queue; the fourth request waits, whole, in the conn. */
    n = xs_conn_feed(g, buf, sizeof(buf));
    assert_int_equal(n, 4 * one);
    assert_int_equal(g->out_replies, 3);
    assert_false(xs_conn_can_read(g));
    /* Taking one reply lets the held request go on. */
    one_reply = xs_conn_out_peek(g, &(const void *){NULL});
    assert_true(one_reply >= sizeof(h));
    xs_conn_out_advance(g, one_reply);
    assert_true(xs_conn_resume(g));
    assert_int_equal(g->out_replies, 3);
    /* The fifth is taken whole, then the connection is full again. */
    n = xs_conn_feed(g, buf + 4 * one, sizeof(buf) - 4 * one);
    assert_int_equal(n, one);
    while (t_take(g, false, &m))
        assert_true(m.hdr.req_id < 10);
}

static void test_watch_event_timeout_and_output_limit(void **state)
{
    struct xs_conn *d0 = t_conn(0), *g = t_conn(10), *slow = t_conn(0);
    char p[64], t[64], name[32];
    int i;

    assert_int_equal(t_call(d0, XS_SET_PERMS, 0, 2, "/", "r0"), 0);
    assert_int_equal(t_call(g, XS_WATCH, 0, 2, "/ev", "t"), 0);
    t_drop_events(g);
    assert_int_equal(t_write(d0, 0, "/ev/a", "1"), 0);
    t_clock_ms += X.watch_event_timeout_ms + 1;
    assert_false(t_event(g, p, t)); /* expired unread */
    assert_int_equal(t_write(d0, 0, "/ev/b", "1"), 0);
    assert_true(t_event(g, p, t));
    /* A dom0 client that never reads is dropped past the output limit. */
    X.max_conn_output = 4096;
    assert_int_equal(t_call(slow, XS_WATCH, 0, 2, "/ev", "slow"), 0);
    for (i = 0; i < 200 && !slow->dead; i++) {
        snprintf(name, sizeof(name), "/ev/n%d", i);
        assert_int_equal(t_call(d0, XS_MKDIR, 0, 1, name), 0);
    }
    assert_true(slow->dead);
    assert_int_equal(t_read(d0, 0, "/ev/n1"), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, t_setup, t_teardown)
    const struct CMUnitTest tests[] = {
        T(test_txn_isolation_commit_abort),
        T(test_txn_conflicts),
        T(test_txn_watches_on_commit),
        T(test_txn_disconnect_mid_transaction),
        T(test_quota_nodes_and_size),
        T(test_quota_watches_txns_perms_path),
        T(test_quota_outstanding_stops_reading),
        T(test_watch_event_timeout_and_output_limit),
    };

    return cmocka_run_group_tests_name("xenstore_txn_quota", tests, NULL, NULL);
}
