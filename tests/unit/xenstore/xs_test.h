/* SPDX-License-Identifier: MIT */
/*
 * Harness for the xenstore-lite engine unit tests: a fresh store per
 * test, connections of any domain, and helpers that frame a request,
 * feed it to the engine and collect the reply and watch events from the
 * connection's output queue exactly as a transport would.
 */
#ifndef XS_TEST_H
#define XS_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xs_core.h"

struct t_msg {
    struct t_msg *next;
    struct xs_conn *conn;
    struct xsd_sockmsg hdr;
    char body[XENSTORE_PAYLOAD_MAX + 1];
};

static struct xsd X;
static struct t_msg *t_msgs;
static struct t_msg t_last; /* the last reply taken */
static uint32_t t_req_id;
static uint64_t t_clock_ms = 1000;

static __attribute__((unused)) uint64_t t_now(void)
{
    return t_clock_ms;
}

static __attribute__((unused)) int t_setup(void **state)
{
    (void)state;
    assert_int_equal(xsd_init(&X), 0);
    X.now_ms = t_now;
    return 0;
}

static __attribute__((unused)) void t_free_msgs(void)
{
    struct t_msg *m;

    while ((m = t_msgs) != NULL) {
        t_msgs = m->next;
        free(m);
    }
}

static __attribute__((unused)) int t_teardown(void **state)
{
    (void)state;
    t_free_msgs();
    xsd_destroy(&X);
    return 0;
}

static __attribute__((unused)) struct xs_conn *t_conn(unsigned int domid)
{
    struct xs_conn *c = xs_conn_new(&X, XS_CONN_TEST, domid, domid == 0);

    assert_non_null(c);
    return c;
}

/* Move every complete message out of c's queue into t_msgs. */
static __attribute__((unused)) void t_pump(struct xs_conn *c)
{
    const void *p;
    size_t len;
    struct t_msg *m, **tail = &t_msgs;

    while (*tail)
        tail = &(*tail)->next;
    while ((len = xs_conn_out_peek(c, &p)) != 0) {
        m = calloc(1, sizeof(*m));
        assert_non_null(m);
        assert_true(len >= sizeof(m->hdr));
        memcpy(&m->hdr, p, sizeof(m->hdr));
        assert_int_equal(len, sizeof(m->hdr) + m->hdr.len);
        memcpy(m->body, (const char *)p + sizeof(m->hdr), m->hdr.len);
        m->conn = c;
        xs_conn_out_advance(c, len);
        *tail = m;
        tail = &m->next;
    }
}

static __attribute__((unused)) bool t_take(struct xs_conn *c, bool event,
                                           struct t_msg *out)
{
    struct t_msg **pp, *m;

    t_pump(c);
    for (pp = &t_msgs; (m = *pp) != NULL; pp = &m->next) {
        if (m->conn == c && (m->hdr.type == XS_WATCH_EVENT) == event) {
            *pp = m->next;
            *out = *m;
            free(m);
            return true;
        }
    }
    return false;
}

/* Next watch event for c: path and token, or false. */
static __attribute__((unused)) bool t_event(struct xs_conn *c, char *path,
                                            char *token)
{
    struct t_msg m;

    if (!t_take(c, true, &m))
        return false;
    strcpy(path, m.body);
    strcpy(token, m.body + strlen(m.body) + 1);
    return true;
}

static __attribute__((unused)) int t_nevents(struct xs_conn *c)
{
    struct t_msg *m;
    int n = 0;

    t_pump(c);
    for (m = t_msgs; m; m = m->next)
        n += m->conn == c && m->hdr.type == XS_WATCH_EVENT;
    return n;
}

static __attribute__((unused)) void t_drop_events(struct xs_conn *c)
{
    char p[XENSTORE_PAYLOAD_MAX], t[XENSTORE_PAYLOAD_MAX];

    while (t_event(c, p, t))
        ;
}

static __attribute__((unused)) int t_errno(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (!strcmp(xsd_errors[i].errstring, name))
            return xsd_errors[i].errnum;
    fail_msg("unknown error name %s", name);
    return -1;
}

/* Feed one framed request; 0 or the errno of an XS_ERROR reply. */
static __attribute__((unused)) int t_raw(struct xs_conn *c, uint32_t type,
                                         uint32_t tx, const void *body,
                                         size_t len)
{
    struct xsd_sockmsg h = {
        .type = type, .req_id = ++t_req_id, .tx_id = tx, .len = len};
    char buf[sizeof(h) + XENSTORE_PAYLOAD_MAX];

    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), body, len);
    assert_int_equal(xs_conn_feed(c, buf, sizeof(h) + len),
                     (long)(sizeof(h) + len));
    assert_true(t_take(c, false, &t_last));
    assert_int_equal(t_last.hdr.req_id, h.req_id);
    assert_int_equal(t_last.hdr.tx_id, tx);
    t_last.body[t_last.hdr.len] = '\0';
    if (t_last.hdr.type == XS_ERROR)
        return t_errno(t_last.body);
    assert_int_equal(t_last.hdr.type, type);
    return 0;
}

/* A request of n NUL-terminated strings. */
static __attribute__((unused)) int t_call(struct xs_conn *c, uint32_t type,
                                          uint32_t tx, int n, ...)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    size_t len = 0, l;
    va_list ap;
    const char *s;

    va_start(ap, n);
    while (n--) {
        s = va_arg(ap, const char *);
        l = strlen(s) + 1;
        assert_true(len + l <= sizeof(buf));
        memcpy(buf + len, s, l);
        len += l;
    }
    va_end(ap);
    return t_raw(c, type, tx, buf, len);
}

static __attribute__((unused)) int t_write(struct xs_conn *c, uint32_t tx,
                                           const char *path, const char *value)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    size_t lp = strlen(path) + 1, lv = strlen(value);

    memcpy(buf, path, lp);
    memcpy(buf + lp, value, lv);
    return t_raw(c, XS_WRITE, tx, buf, lp + lv);
}

static __attribute__((unused)) int t_read(struct xs_conn *c, uint32_t tx,
                                          const char *path)
{
    return t_call(c, XS_READ, tx, 1, path);
}

static __attribute__((unused)) uint32_t t_txn(struct xs_conn *c)
{
    assert_int_equal(t_call(c, XS_TRANSACTION_START, 0, 1, ""), 0);
    return strtoul(t_last.body, NULL, 10);
}

/* The reply body with NULs shown as '|' (DIRECTORY, GET_PERMS). */
static __attribute__((unused)) const char *t_list(void)
{
    static char s[XENSTORE_PAYLOAD_MAX + 1];
    unsigned int i;

    for (i = 0; i < t_last.hdr.len; i++)
        s[i] = t_last.body[i] ? t_last.body[i] : '|';
    s[i] = '\0';
    return s;
}

#endif
