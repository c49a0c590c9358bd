/* SPDX-License-Identifier: MIT */
/*
 * libxsl's libuv client against a fake daemon on a Unix socket: a reply
 * reaches its callback; a daemon that goes away fails the outstanding
 * request with -ECONNRESET and leaves the handle valid until its owner
 * closes it (pvisor-consoled and pvisor-blkback used to free it twice
 * when xenstore-lite stopped before them); closing with a request
 * outstanding cancels it.  Built with ASan: a use after free fails here.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>
#include <uv.h>
#include <xen/io/xs_wire.h>

#include "xsl.h"

struct fake {
    char dir[32], path[64];
    int listen_fd, conn_fd;
    uv_loop_t loop;
};

struct result {
    int calls, err;
    char data[64];
};

static void record(int err, const char *data, size_t len, void *opaque)
{
    struct result *r = opaque;

    r->calls++;
    r->err = err;
    if (data && len < sizeof(r->data)) {
        memcpy(r->data, data, len);
        r->data[len] = '\0';
    }
}

static int setup(void **state)
{
    struct fake *f = calloc(1, sizeof(*f));
    struct sockaddr_un sa = { .sun_family = AF_UNIX };

    assert_non_null(f);
    strcpy(f->dir, "/tmp/xsl-async.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/socket", f->dir);
    f->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(f->listen_fd >= 0);
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
    assert_int_equal(bind(f->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(f->listen_fd, 1), 0);
    f->conn_fd = -1;
    assert_int_equal(uv_loop_init(&f->loop), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fake *f = *state;

    if (f->conn_fd >= 0)
        close(f->conn_fd);
    close(f->listen_fd);
    unlink(f->path);
    rmdir(f->dir);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    free(f);
    return 0;
}

/* Opens the client and accepts its connection on the fake side. */
static struct xsl_async *open_client(struct fake *f)
{
    struct xsl_async *a = NULL;

    assert_int_equal(xsl_async_open(&f->loop, f->path, NULL, NULL, &a), 0);
    f->conn_fd = accept(f->listen_fd, NULL, NULL);
    assert_true(f->conn_fd >= 0);
    return a;
}

/* Sends XS_READ of "/x"; returns the request id the fake daemon saw. */
static uint32_t send_read(struct fake *f, struct xsl_async *a,
                          struct result *r)
{
    struct iovec iov = { .iov_base = "/x", .iov_len = 3 };
    struct xsd_sockmsg h;
    char body[3];

    assert_int_equal(xsl_async_request(a, XS_READ, 0, &iov, 1, record, r), 0);
    for (int i = 0; i < 10; i++)
        uv_run(&f->loop, UV_RUN_NOWAIT); /* flush the write */
    assert_int_equal(read(f->conn_fd, &h, sizeof(h)), (ssize_t)sizeof(h));
    assert_int_equal(h.type, XS_READ);
    assert_int_equal(h.len, 3);
    assert_int_equal(read(f->conn_fd, body, 3), 3);
    assert_string_equal(body, "/x");
    return h.req_id;
}

static void run_until(struct fake *f, const struct result *r)
{
    for (int i = 0; i < 1000 && r->calls == 0; i++) {
        uv_run(&f->loop, UV_RUN_NOWAIT);
        usleep(1000);
    }
}

static void test_reply_reaches_callback(void **state)
{
    struct fake *f = *state;
    struct xsl_async *a = open_client(f);
    struct result r = { 0 };
    uint32_t id = send_read(f, a, &r);
    struct xsd_sockmsg h = { .type = XS_READ, .req_id = id, .len = 5 };

    assert_int_equal(write(f->conn_fd, &h, sizeof(h)), (ssize_t)sizeof(h));
    assert_int_equal(write(f->conn_fd, "hello", 5), 5);
    run_until(f, &r);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.err, 0);
    assert_string_equal(r.data, "hello");
    xsl_async_close(a);
    uv_run(&f->loop, UV_RUN_DEFAULT);
}

/* The daemon goes away: the request fails, the handle stays valid (new
 * requests refused) and the owner's close afterwards frees it once. */
static void test_daemon_gone_then_owner_closes(void **state)
{
    struct fake *f = *state;
    struct xsl_async *a = open_client(f);
    struct result r = { 0 }, r2 = { 0 };
    struct iovec iov = { .iov_base = "/y", .iov_len = 3 };

    send_read(f, a, &r);
    close(f->conn_fd);
    f->conn_fd = -1;
    run_until(f, &r);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.err, -ECONNRESET);
    uv_run(&f->loop, UV_RUN_DEFAULT); /* the pipe's close runs */
    assert_int_equal(xsl_async_request(a, XS_READ, 0, &iov, 1, record, &r2),
                     -ECONNRESET);
    assert_int_equal(r2.calls, 0);
    xsl_async_close(a); /* ASan: freed before this, it would fail here */
    uv_run(&f->loop, UV_RUN_DEFAULT);
}

/* Closing with a request outstanding: its callback runs once,
 * -ECANCELED, and a reply arriving later goes nowhere. */
static void test_close_cancels_outstanding(void **state)
{
    struct fake *f = *state;
    struct xsl_async *a = open_client(f);
    struct result r = { 0 };

    send_read(f, a, &r);
    xsl_async_close(a);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.err, -ECANCELED);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(r.calls, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reply_reaches_callback, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_daemon_gone_then_owner_closes,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_cancels_outstanding, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
