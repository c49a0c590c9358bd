// SPDX-License-Identifier: MIT
/*
 * Unit tests for node permissions and watches in xenstore-lite: owner
 * and n/r/w/b entries, domain 0's privilege, SET_TARGET, what an
 * unprivileged domain creates and may change, the EACCES-versus-ENOENT
 * rule, watch matching on subtrees and removals, relative watches, the
 * initial event, who may see an event, special watches and duplicates.
 */
#include "xs_test.h"

static void test_perm_strings(void **state)
{
    struct xs_perm p;
    char buf[16];
    static const char *bad[] = {"", "x1", "r", "r-1", "r1x", "b70000", NULL};
    int i;

    assert_int_equal(xs_perm_parse("b12", &p), 0);
    assert_int_equal(p.id, 12);
    assert_int_equal(p.perms, XS_PERM_READ | XS_PERM_WRITE);
    xs_perm_format(&p, buf, sizeof(buf));
    assert_string_equal(buf, "b12");
    for (i = 0; bad[i]; i++)
        assert_int_equal(xs_perm_parse(bad[i], &p), EINVAL);
}

static void test_acl_table(void **state)
{
    struct xs_conn *d0 = t_conn(0), *d1 = t_conn(1), *d2 = t_conn(2),
                   *d3 = t_conn(3);

    /* owner 1, default none, 2 may read, 3 may write */
    assert_int_equal(t_write(d0, 0, "/acl/n", "v"), 0);
    assert_int_equal(t_call(d0, XS_SET_PERMS, 0, 4, "/acl/n", "n1", "r2", "w3"),
                     0);
    assert_int_equal(t_call(d0, XS_SET_PERMS, 0, 2, "/acl", "r0"), 0);
    assert_int_equal(t_read(d1, 0, "/acl/n"), 0); /* owner */
    assert_int_equal(t_write(d1, 0, "/acl/n", "1"), 0);
    assert_int_equal(t_read(d2, 0, "/acl/n"), 0); /* r */
    assert_int_equal(t_write(d2, 0, "/acl/n", "2"), EACCES);
    assert_int_equal(t_read(d3, 0, "/acl/n"), EACCES); /* w only */
    assert_int_equal(t_write(d3, 0, "/acl/n", "3"), 0);
    assert_int_equal(t_read(d0, 0, "/acl/n"), 0); /* dom0 */
    assert_string_equal(t_last.body, "3");
    /* GET_PERMS returns the list as set. */
    assert_int_equal(t_call(d2, XS_GET_PERMS, 0, 1, "/acl/n"), 0);
    assert_string_equal(t_list(), "n1|r2|w3|");
    /* Only the owner (or dom0) changes permissions; unprivileged owners
     * may not give the node away. */
    assert_int_equal(t_call(d3, XS_SET_PERMS, 0, 2, "/acl/n", "b3"), EACCES);
    assert_int_equal(t_call(d1, XS_SET_PERMS, 0, 2, "/acl/n", "b2"), EPERM);
    assert_int_equal(t_call(d1, XS_SET_PERMS, 0, 2, "/acl/n", "r1"), 0);
    assert_int_equal(t_read(d2, 0, "/acl/n"), 0); /* default now r */
    assert_int_equal(t_call(d1, XS_SET_PERMS, 0, 2, "/acl/n", "q1"), EINVAL);
    assert_int_equal(t_call(d1, XS_SET_PERMS, 0, 1, "/acl/n"), EINVAL);
}

static void test_enoent_vs_eacces(void **state)
{
    struct xs_conn *d0 = t_conn(0), *g = t_conn(5);

    assert_int_equal(t_call(d0, XS_MKDIR, 0, 1, "/secret"), 0);
    assert_int_equal(t_call(d0, XS_MKDIR, 0, 1, "/open"), 0);
    assert_int_equal(t_call(d0, XS_SET_PERMS, 0, 2, "/open", "b0"), 0);
    /* Missing below a readable parent: ENOENT; below a hidden one: EACCES */
    assert_int_equal(t_read(g, 0, "/open/none"), ENOENT);
    assert_int_equal(t_read(g, 0, "/secret/none"), EACCES);
    assert_int_equal(t_read(g, 0, "/secret"), EACCES);
    /* Creation needs write access on the nearest existing ancestor. */
    assert_int_equal(t_write(g, 0, "/secret/x", "1"), EACCES);
    assert_int_equal(t_write(g, 0, "/open/a/b", "1"), 0);
    /* What an unprivileged domain creates is its own, parents included. */
    assert_int_equal(t_call(d0, XS_GET_PERMS, 0, 1, "/open/a"), 0);
    assert_string_equal(t_list(), "b5|");
    assert_int_equal(t_call(d0, XS_GET_PERMS, 0, 1, "/open/a/b"), 0);
    assert_string_equal(t_list(), "b5|");
    /* What dom0 creates inherits the parent's list unchanged. */
    assert_int_equal(t_write(d0, 0, "/open/c", "1"), 0);
    assert_int_equal(t_call(d0, XS_GET_PERMS, 0, 1, "/open/c"), 0);
    assert_string_equal(t_list(), "b0|");
    assert_int_equal(t_call(g, XS_RM, 0, 1, "/secret"), EACCES);
    assert_int_equal(t_call(g, XS_RM, 0, 1, "/open/a"), 0);
}

static void test_set_target(void **state)
{
    struct xs_conn *d0 = t_conn(0), *stub = t_conn(8), *guest = t_conn(9);

    assert_int_equal(t_write(d0, 0, "/t/guest-owned", "g"), 0);
    assert_int_equal(t_call(d0, XS_SET_PERMS, 0, 2, "/t/guest-owned", "n9"), 0);
    assert_int_equal(t_read(stub, 0, "/t/guest-owned"), EACCES);
    assert_int_equal(t_call(d0, XS_SET_TARGET, 0, 2, "8", "9"), 0);
    assert_int_equal(t_read(stub, 0, "/t/guest-owned"), 0);
    assert_int_equal(t_write(stub, 0, "/t/guest-owned", "s"), 0);
    assert_int_equal(t_read(guest, 0, "/t/guest-owned"), 0);
    assert_string_equal(t_last.body, "s");
    assert_int_equal(t_call(d0, XS_SET_TARGET, 0, 2, "8", "77"), ENOENT);
    assert_int_equal(t_call(d0, XS_SET_TARGET, 0, 2, "8", "x"), EINVAL);
}

static void test_watch_basic(void **state)
{
    struct xs_conn *w = t_conn(0), *c = t_conn(0);
    char p[256], t[256];

    assert_int_equal(t_call(w, XS_WATCH, 0, 2, "/w", "tok"), 0);
    assert_true(t_event(w, p, t)); /* the initial fire */
    assert_string_equal(p, "/w");
    assert_string_equal(t, "tok");
    assert_false(t_event(w, p, t));
    assert_int_equal(t_write(c, 0, "/w/a/b", "1"), 0);
    assert_true(t_event(w, p, t));
    assert_string_equal(p, "/w/a/b");
    assert_string_equal(t, "tok");
    assert_int_equal(t_write(c, 0, "/wx", "1"), 0); /* not below /w */
    assert_int_equal(t_write(c, 0, "/", ""), 0);    /* above /w */
    assert_false(t_event(w, p, t));
    assert_int_equal(t_call(w, XS_WATCH, 0, 2, "/w", "tok"), EEXIST);
    assert_int_equal(t_call(w, XS_WATCH, 0, 2, "/w", "tok2"), 0);
    t_drop_events(w);
    assert_int_equal(t_call(c, XS_MKDIR, 0, 1, "/w/m"), 0);
    assert_int_equal(t_nevents(w), 2); /* one per token */
    t_drop_events(w);
    assert_int_equal(t_call(w, XS_UNWATCH, 0, 2, "/w", "tok2"), 0);
    assert_int_equal(t_call(w, XS_UNWATCH, 0, 2, "/w", "tok2"), ENOENT);
    assert_int_equal(t_call(c, XS_SET_PERMS, 0, 2, "/w/m", "r0"), 0);
    assert_int_equal(t_nevents(w), 1);
    t_drop_events(w);
    assert_int_equal(t_call(w, XS_RESET_WATCHES, 0, 0), 0);
    assert_int_equal(t_write(c, 0, "/w/z", "1"), 0);
    assert_int_equal(t_nevents(w), 0);
}

static void test_watch_rm_rules(void **state)
{
    struct xs_conn *c = t_conn(0), *top = t_conn(0), *leaf = t_conn(0),
                   *mid = t_conn(0);
    char p[256], t[256];

    assert_int_equal(t_write(c, 0, "/r/a/b/c", "1"), 0);
    assert_int_equal(t_call(top, XS_WATCH, 0, 2, "/r", "t"), 0);
    assert_int_equal(t_call(mid, XS_WATCH, 0, 2, "/r/a/b", "m"), 0);
    assert_int_equal(t_call(leaf, XS_WATCH, 0, 2, "/r/a/b/c", "l"), 0);
    t_drop_events(top);
    t_drop_events(mid);
    t_drop_events(leaf);
    assert_int_equal(t_call(c, XS_RM, 0, 1, "/r/a"), 0);
    /* The removed root fires for watchers on it and above... */
    assert_true(t_event(top, p, t));
    assert_string_equal(p, "/r/a");
    assert_false(t_event(top, p, t));
    /* ...each removed descendant fires only for exact watchers. */
    assert_true(t_event(mid, p, t));
    assert_string_equal(p, "/r/a/b");
    assert_false(t_event(mid, p, t));
    assert_true(t_event(leaf, p, t));
    assert_string_equal(p, "/r/a/b/c");
}

static void test_watch_relative_and_perms(void **state)
{
    struct xs_conn *d0 = t_conn(0), *g = t_conn(4), *other = t_conn(6);
    char p[256], t[256];

    assert_int_equal(t_call(d0, XS_MKDIR, 0, 1, "/local/domain/4"), 0);
    assert_int_equal(t_call(d0, XS_SET_PERMS, 0, 2, "/local/domain/4", "n4"),
                     0);
    assert_int_equal(t_call(g, XS_WATCH, 0, 2, "device", "rel"), 0);
    assert_true(t_event(g, p, t));
    assert_string_equal(p, "device");
    assert_int_equal(t_write(d0, 0, "/local/domain/4/device/vif/0", "x"), 0);
    assert_true(t_event(g, p, t));
    assert_string_equal(p, "device/vif/0");
    /* Domain 6 watches the same subtree but may not read it. */
    assert_int_equal(t_call(other, XS_WATCH, 0, 2, "/local/domain/4", "o"), 0);
    t_drop_events(other);
    assert_int_equal(t_write(d0, 0, "/local/domain/4/device/vif/1", "x"), 0);
    assert_int_equal(t_nevents(other), 0);
    /* Losing access is seen: the old permissions allowed reading. */
    assert_int_equal(
        t_call(d0, XS_SET_PERMS, 0, 3, "/local/domain/4/device", "n4", "r6"),
        0);
    t_drop_events(other);
    assert_int_equal(
        t_call(d0, XS_SET_PERMS, 0, 2, "/local/domain/4/device", "n4"), 0);
    assert_true(t_event(other, p, t));
    assert_string_equal(p, "/local/domain/4/device");
}

static void test_special_watches(void **state)
{
    struct xs_conn *d0 = t_conn(0), *g = t_conn(3);
    char p[256], t[256];

    assert_int_equal(t_call(d0, XS_WATCH, 0, 2, "@introduceDomain", "i"), 0);
    assert_int_equal(t_call(d0, XS_WATCH, 0, 2, "@releaseDomain", "r"), 0);
    assert_int_equal(t_call(g, XS_WATCH, 0, 2, "@introduceDomain", "gi"), 0);
    t_drop_events(d0);
    t_drop_events(g);
    assert_int_equal(t_call(d0, XS_IS_DOMAIN_INTRODUCED, 0, 1, "12"), 0);
    assert_string_equal(t_last.body, "F");
    assert_int_equal(t_call(d0, XS_INTRODUCE, 0, 3, "12", "4660", "7"), 0);
    assert_true(t_event(d0, p, t));
    assert_string_equal(p, "@introduceDomain");
    assert_string_equal(t, "i");
    /* An unprivileged watcher sees it only when permitted. */
    assert_int_equal(t_nevents(g), 0);
    assert_int_equal(t_call(d0, XS_SET_PERMS, 0, 2, "@introduceDomain", "r0"),
                     0);
    /* Changing the permissions fires the node's watches, as any change. */
    assert_int_equal(t_nevents(g), 1);
    t_drop_events(g);
    assert_int_equal(t_call(d0, XS_INTRODUCE, 0, 3, "13", "1", "7"), 0);
    assert_int_equal(t_nevents(g), 1);
    t_drop_events(d0);
    assert_int_equal(t_call(d0, XS_IS_DOMAIN_INTRODUCED, 0, 1, "12"), 0);
    assert_string_equal(t_last.body, "T");
    /* Re-introduction does not fire again. */
    assert_int_equal(t_call(d0, XS_INTRODUCE, 0, 3, "12", "4660", "7"), 0);
    assert_int_equal(t_nevents(d0), 0);
    assert_int_equal(t_call(d0, XS_INTRODUCE, 0, 3, "12", "1", "0"), EINVAL);
    assert_int_equal(t_call(d0, XS_INTRODUCE, 0, 2, "12", "1"), EINVAL);
    assert_int_equal(t_call(d0, XS_RESUME, 0, 1, "12"), 0);
    assert_int_equal(t_call(d0, XS_RELEASE, 0, 1, "12"), 0);
    assert_true(t_event(d0, p, t));
    assert_string_equal(p, "@releaseDomain");
    assert_int_equal(t_call(d0, XS_RELEASE, 0, 1, "12"), ENOENT);
    assert_int_equal(t_call(d0, XS_RELEASE, 0, 1, "0"), EINVAL);
    assert_int_equal(t_call(d0, XS_RESUME, 0, 1, "12"), ENOENT);
    assert_int_equal(t_read(d0, 0, "@introduceDomain"), EINVAL);
    assert_int_equal(t_write(d0, 0, "@releaseDomain", "x"), EINVAL);
}

static void test_release_removes_owned_nodes(void **state)
{
    struct xs_conn *d0 = t_conn(0), *g = t_conn(21);

    assert_int_equal(t_call(d0, XS_INTRODUCE, 0, 3, "21", "1", "1"), 0);
    assert_int_equal(t_call(d0, XS_MKDIR, 0, 1, "/local/domain/21"), 0);
    assert_int_equal(
        t_call(d0, XS_SET_PERMS, 0, 3, "/local/domain/21", "n0", "b21"), 0);
    assert_int_equal(t_write(g, 0, "data/x", "1"), 0);
    assert_int_equal(xs_domain_find(&X, 21)->acc[XS_ACC_NODES], 2);
    assert_int_equal(t_call(g, XS_WATCH, 0, 2, "data", "t"), 0);
    assert_int_equal(t_call(d0, XS_RELEASE, 0, 1, "21"), 0);
    assert_true(g->dead); /* its connections are dropped */
    assert_int_equal(t_read(d0, 0, "/local/domain/21/data"), ENOENT);
    assert_int_equal(t_read(d0, 0, "/local/domain/21"), 0); /* dom0's */
    assert_int_equal(xs_domain_find(&X, 21)->acc[XS_ACC_NODES], 0);
    assert_int_equal(xs_domain_find(&X, 21)->acc[XS_ACC_WATCHES], 0);
}

static void test_event_dedup(void **state)
{
    struct xs_conn *w = t_conn(0), *c = t_conn(0);

    assert_int_equal(t_call(w, XS_WATCH, 0, 2, "/dd", "t"), 0);
    t_drop_events(w);
    /* The watcher does not read in between: identical queued events
     * collapse into one, distinct ones do not. */
    assert_int_equal(t_write(c, 0, "/dd/a", "1"), 0);
    assert_int_equal(t_write(c, 0, "/dd/a", "2"), 0);
    assert_int_equal(t_write(c, 0, "/dd/b", "1"), 0);
    assert_int_equal(t_nevents(w), 2);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, t_setup, t_teardown)
    const struct CMUnitTest tests[] = {
        T(test_perm_strings),
        T(test_acl_table),
        T(test_enoent_vs_eacces),
        T(test_set_target),
        T(test_watch_basic),
        T(test_watch_rm_rules),
        T(test_watch_relative_and_perms),
        T(test_special_watches),
        T(test_release_removes_owned_nodes),
        T(test_event_dedup),
    };

    return cmocka_run_group_tests_name("xenstore_perms_watch", tests, NULL,
                                       NULL);
}
