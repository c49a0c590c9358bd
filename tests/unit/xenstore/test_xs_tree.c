// SPDX-License-Identifier: MIT
/*
 * Unit tests for the xenstore-lite store and wire framing: read, write,
 * mkdir, rm, directory (and DIRECTORY_PART), implicit parents, path
 * rules and limits, relative paths, request ids, unknown types, malformed
 * frames.  The engine is driven through xs_conn_feed exactly as the
 * socket and ring transports drive it.
 */
#include "xs_test.h"

static void test_initial_tree(void **state)
{
    struct xs_conn *c = t_conn(0);

    assert_int_equal(t_call(c, XS_DIRECTORY, 0, 1, "/"), 0);
    assert_string_equal(t_list(), "tool|");
    assert_int_equal(t_call(c, XS_DIRECTORY, 0, 1, "/tool"), 0);
    assert_string_equal(t_list(), "xenstored|");
    assert_int_equal(t_call(c, XS_GET_PERMS, 0, 1, "@introduceDomain"), 0);
    assert_string_equal(t_list(), "n0|");
}

static void test_write_read_implicit_parents(void **state)
{
    struct xs_conn *c = t_conn(0);

    assert_int_equal(t_write(c, 0, "/a/b/c", "hello"), 0);
    assert_string_equal(t_last.body, "OK");
    assert_int_equal(t_read(c, 0, "/a/b/c"), 0);
    assert_int_equal(t_last.hdr.len, 5);
    assert_memory_equal(t_last.body, "hello", 5);
    assert_int_equal(t_read(c, 0, "/a/b"), 0);
    assert_int_equal(t_last.hdr.len, 0);
    assert_int_equal(t_call(c, XS_DIRECTORY, 0, 1, "/a"), 0);
    assert_string_equal(t_list(), "b|");
    /* Overwrite, binary data with NULs. */
    assert_int_equal(t_raw(c, XS_WRITE, 0, "/a/b/c\0x\0y", 10), 0);
    assert_int_equal(t_read(c, 0, "/a/b/c"), 0);
    assert_int_equal(t_last.hdr.len, 3);
    assert_memory_equal(t_last.body, "x\0y", 3);
    assert_int_equal(t_read(c, 0, "/a/nope"), ENOENT);
}

static void test_children_order_and_rm(void **state)
{
    struct xs_conn *c = t_conn(0);

    assert_int_equal(t_call(c, XS_MKDIR, 0, 1, "/d/z"), 0);
    assert_int_equal(t_write(c, 0, "/d/a", "1"), 0);
    assert_int_equal(t_call(c, XS_MKDIR, 0, 1, "/d/m"), 0);
    assert_int_equal(t_call(c, XS_MKDIR, 0, 1, "/d/m"), 0); /* exists: ok */
    assert_int_equal(t_call(c, XS_DIRECTORY, 0, 1, "/d"), 0);
    assert_string_equal(t_list(), "z|a|m|");
    assert_int_equal(t_write(c, 0, "/d/a/deep/er", "x"), 0);
    assert_int_equal(t_call(c, XS_RM, 0, 1, "/d/a"), 0);
    assert_int_equal(t_read(c, 0, "/d/a/deep/er"), ENOENT);
    assert_int_equal(t_read(c, 0, "/d/a/deep"), ENOENT);
    assert_int_equal(t_call(c, XS_DIRECTORY, 0, 1, "/d"), 0);
    assert_string_equal(t_list(), "z|m|");
    /* Removing what is gone is fine when the parent exists... */
    assert_int_equal(t_call(c, XS_RM, 0, 1, "/d/a"), 0);
    /* ...and ENOENT when it does not. */
    assert_int_equal(t_call(c, XS_RM, 0, 1, "/d/a/b"), ENOENT);
    assert_int_equal(t_call(c, XS_RM, 0, 1, "/"), EINVAL);
    /* Every node counted for domain 0 is gone again after rm. */
    assert_int_equal(t_call(c, XS_RM, 0, 1, "/d"), 0);
    assert_int_equal(xs_domain_find(&X, 0)->acc[XS_ACC_NODES], 3);
}

static void test_path_rules(void **state)
{
    struct xs_conn *c = t_conn(0);
    char long_path[XENSTORE_ABS_PATH_MAX + 10];
    static const char *bad[] = {"",     "/a/",  "/a//b", "/a b", "/a\\b",
                                "/a.b", "@foo", "/ä",    NULL};
    int i;

    for (i = 0; bad[i]; i++)
        assert_int_equal(t_write(c, 0, bad[i], "v"), EINVAL);
    assert_int_equal(t_write(c, 0, "/ok-_@9/Z", "v"), 0);
    memset(long_path, 'x', sizeof(long_path));
    long_path[0] = '/';
    long_path[XENSTORE_ABS_PATH_MAX + 1] = '\0';
    assert_int_equal(t_write(c, 0, long_path, "v"), EINVAL);
    long_path[XENSTORE_ABS_PATH_MAX] = '\0';
    assert_int_equal(t_write(c, 0, long_path, "v"), 0);
}

static void test_relative_paths(void **state)
{
    struct xs_conn *c = t_conn(0);

    assert_int_equal(t_write(c, 0, "rel/x", "1"), 0);
    assert_int_equal(t_read(c, 0, "/local/domain/0/rel/x"), 0);
    assert_string_equal(t_last.body, "1");
    assert_int_equal(t_call(c, XS_GET_DOMAIN_PATH, 0, 1, "7"), 0);
    assert_string_equal(t_last.body, "/local/domain/7");
    assert_int_equal(t_call(c, XS_GET_DOMAIN_PATH, 0, 1, "x"), EINVAL);
}

static void test_directory_part(void **state)
{
    struct xs_conn *c = t_conn(0);
    char name[64], gen[32];
    int i, count = 0;
    unsigned int off = 0, len;
    char offs[16];

    /* Enough long names that one DIRECTORY reply would not fit. */
    for (i = 0; i < 200; i++) {
        snprintf(name, sizeof(name), "/big/child-%03d-%030d", i, 0);
        assert_int_equal(t_call(c, XS_MKDIR, 0, 1, name), 0);
    }
    assert_int_equal(t_call(c, XS_DIRECTORY, 0, 1, "/big"), E2BIG);
    for (;;) {
        snprintf(offs, sizeof(offs), "%u", off);
        assert_int_equal(t_call(c, XS_DIRECTORY_PART, 0, 2, "/big", offs), 0);
        strcpy(gen, t_last.body);
        len = strlen(gen) + 1;
        if (t_last.body[len] == '\0' && len + 1 == t_last.hdr.len)
            break; /* the empty string: end of list */
        while (len < t_last.hdr.len && t_last.body[len]) {
            count++;
            off += strlen(t_last.body + len) + 1;
            len += strlen(t_last.body + len) + 1;
        }
        if (len + 1 == t_last.hdr.len)
            break; /* the list ended inside this part */
    }
    assert_int_equal(count, 200);
    assert_int_equal(t_call(c, XS_DIRECTORY_PART, 0, 1, "/big"), EINVAL);
}

static void test_framing_split_and_batched(void **state)
{
    struct xs_conn *c = t_conn(0);
    struct xsd_sockmsg h1 = {XS_WRITE, 77, 0, 6}, h2 = {XS_READ, 78, 0, 3};
    char buf[64];
    size_t len = 0, i;
    struct t_msg m;

    memcpy(buf, &h1, sizeof(h1));
    memcpy(buf + sizeof(h1), "/f\0abc", 6);
    len = sizeof(h1) + 6;
    memcpy(buf + len, &h2, sizeof(h2));
    memcpy(buf + len + sizeof(h2), "/f", 3);
    len += sizeof(h2) + 3;
    /* One byte at a time. */
    for (i = 0; i < len; i++)
        assert_int_equal(xs_conn_feed(c, buf + i, 1), 1);
    assert_true(t_take(c, false, &m));
    assert_int_equal(m.hdr.req_id, 77);
    assert_true(t_take(c, false, &m));
    assert_int_equal(m.hdr.req_id, 78);
    assert_memory_equal(m.body, "abc", 3);
    /* Both in one go. */
    assert_int_equal(xs_conn_feed(c, buf, len), (long)len);
    assert_true(t_take(c, false, &m));
    assert_true(t_take(c, false, &m));
    assert_int_equal(m.hdr.type, XS_READ);
}

static void test_bad_requests(void **state)
{
    struct xs_conn *c = t_conn(0), *other = t_conn(0);
    struct xsd_sockmsg h = {XS_READ, 1, 0, XENSTORE_PAYLOAD_MAX + 1};

    assert_int_equal(t_raw(c, 999, 0, "x", 2), ENOSYS);
    assert_int_equal(t_raw(c, XS_WATCH_EVENT, 0, "a\0b", 4), ENOSYS);
    assert_int_equal(t_raw(c, XS_ERROR, 0, "", 0), ENOSYS);
    assert_int_equal(t_raw(c, XS_READ, 0, "/tool", 5), EINVAL); /* no NUL */
    assert_int_equal(t_raw(c, XS_READ, 0, "/tool\0/x", 9), EINVAL);
    assert_int_equal(t_raw(c, XS_READ, 0, "", 0), EINVAL);
    assert_int_equal(t_raw(c, XS_WATCH, 0, "/a\0", 3), EINVAL);
    assert_int_equal(t_raw(c, XS_WRITE, 0, "/a", 2), EINVAL);
    assert_int_equal(t_read(c, 42, "/tool"), ENOENT); /* unknown tx id */
    assert_false(c->dead);
    /* An oversized length is a protocol error: the connection dies. */
    assert_true(xs_conn_feed(c, &h, sizeof(h)) < 0);
    assert_true(c->dead);
    assert_int_equal(t_read(other, 0, "/tool"), 0);
    xs_conn_free(c);
}

static void test_unprivileged_ops_denied(void **state)
{
    struct xs_conn *g = t_conn(3);

    assert_int_equal(t_call(g, XS_INTRODUCE, 0, 3, "4", "1", "1"), EACCES);
    assert_int_equal(t_call(g, XS_CONTROL, 0, 1, "check"), EACCES);
    assert_int_equal(t_call(g, XS_IS_DOMAIN_INTRODUCED, 0, 1, "0"), EACCES);
    assert_int_equal(t_call(g, XS_RELEASE, 0, 1, "3"), EACCES);
    assert_int_equal(t_call(g, XS_SET_TARGET, 0, 2, "3", "4"), EACCES);
    assert_int_equal(t_call(g, XS_RESUME, 0, 1, "3"), EACCES);
}

static void test_control(void **state)
{
    struct xs_conn *c = t_conn(0);
    struct xs_node *n;

    assert_int_equal(t_call(c, XS_CONTROL, 0, 1, "check"), 0);
    assert_string_equal(t_last.body, "OK");
    assert_int_equal(t_call(c, XS_CONTROL, 0, 1, "help"), 0);
    assert_non_null(strstr(t_last.body, "check"));
    assert_int_equal(t_call(c, XS_CONTROL, 0, 2, "log", "+io"), 0);
    assert_true(X.trace_io);
    assert_int_equal(t_call(c, XS_CONTROL, 0, 2, "log", "bogus"), EINVAL);
    assert_int_equal(t_call(c, XS_CONTROL, 0, 2, "print", "hi"), 0);
    assert_int_equal(t_call(c, XS_CONTROL, 0, 1, "no-such"), EINVAL);
    assert_int_equal(t_call(c, XS_CONTROL, 0, 1, "quota"), 0);
    assert_non_null(strstr(t_last.body, "nodes"));
    assert_int_equal(t_call(c, XS_CONTROL, 0, 4, "quota", "set", "nodes", "7"),
                     0);
    assert_int_equal(X.quota[XS_ACC_NODES].hard, 7);
    /* check repairs a dangling child entry and an orphan. */
    assert_int_equal(t_write(c, 0, "/r/a", "1"), 0);
    n = xs_db_get(&X, "/r");
    assert_int_equal(xs_node_add_child(n, "ghost"), 0);
    xs_db_remove(&X, "/r/a");
    n = xs_node_new("/orphan/x");
    xs_db_replace(&X, n);
    assert_int_equal(t_call(c, XS_CONTROL, 0, 1, "check"), 0);
    assert_int_equal(t_call(c, XS_DIRECTORY, 0, 1, "/r"), 0);
    assert_int_equal(t_last.hdr.len, 0);
    assert_null(xs_db_get(&X, "/orphan/x"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_initial_tree, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_write_read_implicit_parents,
                                        t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_children_order_and_rm, t_setup,
                                        t_teardown),
        cmocka_unit_test_setup_teardown(test_path_rules, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_relative_paths, t_setup,
                                        t_teardown),
        cmocka_unit_test_setup_teardown(test_directory_part, t_setup,
                                        t_teardown),
        cmocka_unit_test_setup_teardown(test_framing_split_and_batched, t_setup,
                                        t_teardown),
        cmocka_unit_test_setup_teardown(test_bad_requests, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_unprivileged_ops_denied, t_setup,
                                        t_teardown),
        cmocka_unit_test_setup_teardown(test_control, t_setup, t_teardown),
    };

    return cmocka_run_group_tests_name("xenstore_tree", tests, NULL, NULL);
}
