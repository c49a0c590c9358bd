// SPDX-License-Identifier: MIT
/*
 * Unit tests for the guest-ring side of xenstore-lite.  A test ring
 * backend (struct xs_ring_backend) hands out xenstore_domain_interface
 * pages in ordinary memory and records binds and notifications; the test
 * plays the guest, producing requests into req[] and consuming rsp[],
 * and calls xs_domain_event() as the event channel would.  Covered:
 * INTRODUCE mapping and binding, request/reply through the ring,
 * wrap-around, a full response ring, watch events to a guest, bad
 * indexes and oversized payloads (only that domain's connection goes),
 * RELEASE unmapping and unbinding.
 */
#include "xs_test.h"

#define NPAGES 4

static struct xenstore_domain_interface pages[NPAGES];
static int mapped[NPAGES], bound[NPAGES], notified[NPAGES];

static struct xenstore_domain_interface *tb_map(void *priv, unsigned int domid,
                                                uint64_t mfn)
{
    (void)priv;
    if (mfn >= NPAGES) {
        errno = EFAULT;
        return NULL;
    }
    mapped[mfn]++;
    return &pages[mfn];
}

static void tb_unmap(void *priv, unsigned int domid,
                     struct xenstore_domain_interface *intf)
{
    mapped[intf - pages]--;
}

static int tb_bind(void *priv, unsigned int domid, uint32_t port)
{
    if (port == 99)
        return -EINVAL;
    bound[domid % NPAGES]++;
    return 100 + domid;
}

static void tb_unbind(void *priv, int port)
{
    bound[(port - 100) % NPAGES]--;
}

static int tb_notify(void *priv, int port)
{
    notified[(port - 100) % NPAGES]++;
    return 0;
}

static const struct xs_ring_backend test_backend = {
    .map = tb_map,
    .unmap = tb_unmap,
    .bind = tb_bind,
    .unbind = tb_unbind,
    .notify = tb_notify,
};

static int ring_setup(void **state)
{
    t_setup(state);
    memset(pages, 0, sizeof(pages));
    memset(mapped, 0, sizeof(mapped));
    memset(bound, 0, sizeof(bound));
    memset(notified, 0, sizeof(notified));
    X.ring = &test_backend;
    return 0;
}

/* Guest side: put bytes into req[]; returns how many fit. */
static size_t guest_put(struct xenstore_domain_interface *r, const void *p,
                        size_t len)
{
    size_t n = 0;

    while (n < len && r->req_prod - r->req_cons < XENSTORE_RING_SIZE) {
        r->req[MASK_XENSTORE_IDX(r->req_prod)] = ((const char *)p)[n++];
        r->req_prod++;
    }
    return n;
}

static size_t guest_get(struct xenstore_domain_interface *r, void *p,
                        size_t len)
{
    size_t n = 0;

    while (n < len && r->rsp_cons != r->rsp_prod) {
        ((char *)p)[n++] = r->rsp[MASK_XENSTORE_IDX(r->rsp_cons)];
        r->rsp_cons++;
    }
    return n;
}

static void guest_request(struct xenstore_domain_interface *r, uint32_t type,
                          uint32_t id, const char *body, size_t len)
{
    struct xsd_sockmsg h = {.type = type, .req_id = id, .len = len};

    assert_int_equal(guest_put(r, &h, sizeof(h)), sizeof(h));
    assert_int_equal(guest_put(r, body, len), len);
}

/* One whole message from rsp[]; false if none is complete. */
static bool guest_reply(struct xenstore_domain_interface *r,
                        struct xsd_sockmsg *h, char *body)
{
    if (r->rsp_prod - r->rsp_cons < sizeof(*h))
        return false;
    guest_get(r, h, sizeof(*h));
    assert_true(h->len <= XENSTORE_PAYLOAD_MAX);
    assert_int_equal(guest_get(r, body, h->len), h->len);
    body[h->len] = '\0';
    return true;
}

static struct xs_domain *introduce(struct xs_conn *d0, const char *domid,
                                   const char *mfn)
{
    assert_int_equal(t_call(d0, XS_INTRODUCE, 0, 3, domid, mfn, "5"), 0);
    return xs_domain_find(&X, atoi(domid));
}

static void test_ring_request_reply(void **state)
{
    struct xs_conn *d0 = t_conn(0);
    struct xs_domain *d = introduce(d0, "1", "1");
    struct xenstore_domain_interface *r = &pages[1];
    struct xsd_sockmsg h;
    char body[XENSTORE_PAYLOAD_MAX + 1];

    assert_non_null(d->ring_conn);
    assert_int_equal(mapped[1], 1);
    assert_int_equal(bound[1], 1);
    assert_true(r->server_features & XENSTORE_SERVER_FEATURE_RECONNECTION);
    assert_int_equal(t_call(d0, XS_MKDIR, 0, 1, "/local/domain/1"), 0);
    assert_int_equal(t_call(d0, XS_SET_PERMS, 0, 2, "/local/domain/1", "n1"),
                     0);
    guest_request(r, XS_WRITE, 7, "name\0guest-one", 14);
    guest_request(r, XS_READ, 8, "/local/domain/1/name", 21);
    xs_domain_event(&X, 101);
    assert_true(notified[1] > 0);
    assert_true(guest_reply(r, &h, body));
    assert_int_equal(h.type, XS_WRITE);
    assert_int_equal(h.req_id, 7);
    assert_true(guest_reply(r, &h, body));
    assert_int_equal(h.req_id, 8);
    assert_string_equal(body, "guest-one");
    /* The guest's own domain path and a permission error. */
    guest_request(r, XS_READ, 9, "/tool/xenstored", 16);
    xs_domain_event(&X, 101);
    assert_true(guest_reply(r, &h, body));
    assert_int_equal(h.type, XS_ERROR);
    assert_string_equal(body, "EACCES");
    assert_int_equal(r->req_cons, r->req_prod);
}

static void test_ring_wrap_and_full(void **state)
{
    struct xs_conn *d0 = t_conn(0);
    struct xenstore_domain_interface *r = &pages[2];
    struct xsd_sockmsg h = {.type = XS_READ};
    char body[XENSTORE_PAYLOAD_MAX + 1], req[64];
    int sent = 0, got = 0, i;
    size_t off = 0, n, len;

    introduce(d0, "2", "2");
    assert_int_equal(t_write(d0, 0, "/value", "0123456789012345678901234567"),
                     0);
    assert_int_equal(t_call(d0, XS_SET_PERMS, 0, 2, "/value", "r0"), 0);
    /* 200 requests, far more than the ring holds either way; the guest
     * feeds and drains in whatever pieces fit. */
    h.len = 7;
    memcpy(req, &h, sizeof(h));
    memcpy(req + sizeof(h), "/value", 7);
    len = sizeof(h) + 7;
    while (got < 200) {
        while (sent < 200) {
            ((struct xsd_sockmsg *)req)->req_id = sent;
            n = guest_put(r, req + off, len - off);
            off += n;
            if (off < len)
                break;
            off = 0;
            sent++;
        }
        xs_domain_event(&X, 102);
        /* Drain only some replies per round so rsp[] fills up. */
        for (i = 0; i < 5 && guest_reply(r, &h, body); i++) {
            assert_int_equal(h.req_id, got);
            assert_string_equal(body, "0123456789012345678901234567");
            got++;
        }
        xs_domain_event(&X, 102);
    }
    assert_true(r->req_prod > 4 * XENSTORE_RING_SIZE);
    assert_int_equal(r->error, XENSTORE_ERROR_NONE);
}

static void test_ring_watch_event(void **state)
{
    struct xs_conn *d0 = t_conn(0);
    struct xs_domain *d = introduce(d0, "3", "3");
    struct xenstore_domain_interface *r = &pages[3];
    struct xsd_sockmsg h;
    char body[XENSTORE_PAYLOAD_MAX + 1];

    assert_int_equal(t_call(d0, XS_MKDIR, 0, 1, "/local/domain/3"), 0);
    assert_int_equal(t_call(d0, XS_SET_PERMS, 0, 2, "/local/domain/3", "n3"),
                     0);
    guest_request(r, XS_WATCH, 1, "control\0tk", 11);
    xs_domain_event(&X, 103);
    assert_true(guest_reply(r, &h, body));
    assert_int_equal(h.type, XS_WATCH);
    assert_true(guest_reply(r, &h, body)); /* the initial fire */
    assert_int_equal(h.type, XS_WATCH_EVENT);
    assert_string_equal(body, "control");
    assert_int_equal(
        t_write(d0, 0, "/local/domain/3/control/shutdown", "poweroff"), 0);
    /* The daemon services rings with new output (its kick); do it here. */
    xs_domain_service(&X, d);
    assert_true(guest_reply(r, &h, body));
    assert_int_equal(h.type, XS_WATCH_EVENT);
    assert_string_equal(body, "control/shutdown");
    assert_string_equal(body + strlen(body) + 1, "tk");
}

static void test_ring_bad_index_and_payload(void **state)
{
    struct xs_conn *d0 = t_conn(0);
    struct xs_domain *d1 = introduce(d0, "1", "1"),
                     *d2 = introduce(d0, "2", "2");
    struct xsd_sockmsg h = {.type = XS_READ, .len = XENSTORE_PAYLOAD_MAX + 1};

    /* A producer index too far ahead of the consumer. */
    pages[1].req_prod = pages[1].req_cons + XENSTORE_RING_SIZE + 1;
    xs_domain_event(&X, 101);
    assert_int_equal(pages[1].error, XENSTORE_ERROR_RINGIDX);
    assert_null(d1->ring_conn);
    assert_true(d1->introduced); /* RELEASE still tidies it */
    /* A header announcing too much payload. */
    guest_put(&pages[2], &h, sizeof(h));
    xs_domain_event(&X, 102);
    assert_int_equal(pages[2].error, XENSTORE_ERROR_PROTO);
    assert_null(d2->ring_conn);
    /* A consumer index beyond the producer on the response side. */
    d2 = introduce(d0, "3", "3");
    pages[3].rsp_cons = pages[3].rsp_prod + 5000;
    guest_request(&pages[3], XS_READ, 1, "/x", 3);
    xs_domain_event(&X, 103);
    assert_int_equal(pages[3].error, XENSTORE_ERROR_RINGIDX);
    /* Everybody else carries on. */
    assert_int_equal(t_read(d0, 0, "/tool"), 0);
    assert_int_equal(t_call(d0, XS_RELEASE, 0, 1, "1"), 0);
    assert_int_equal(mapped[1], 0);
    assert_int_equal(bound[1], 0);
}

static void test_ring_map_and_bind_failures(void **state)
{
    struct xs_conn *d0 = t_conn(0);

    /* EFAULT has no xenstore name: it travels as EINVAL, like xenstored */
    assert_int_equal(t_call(d0, XS_INTRODUCE, 0, 3, "5", "77", "5"), EINVAL);
    assert_false(xs_domain_is_introduced(&X, 5));
    assert_int_equal(t_call(d0, XS_INTRODUCE, 0, 3, "5", "1", "99"), EINVAL);
    assert_int_equal(mapped[1], 0);
    assert_int_equal(bound[1], 0);
    assert_false(xs_domain_is_introduced(&X, 5));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, ring_setup, t_teardown)
    const struct CMUnitTest tests[] = {
        T(test_ring_request_reply),         T(test_ring_wrap_and_full),
        T(test_ring_watch_event),           T(test_ring_bad_index_and_payload),
        T(test_ring_map_and_bind_failures),
    };

    return cmocka_run_group_tests_name("xenstore_ring", tests, NULL, NULL);
}
