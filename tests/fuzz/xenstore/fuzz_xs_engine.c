// SPDX-License-Identifier: MIT
/*
 * libFuzzer target over xenstore-lite's request parser and operation
 * engine, and its guest-ring consumer.  The input is a script of steps,
 * each [op u8][len u16 little-endian][len bytes]:
 *
 *   op % 8 = 0..2  feed the bytes to connection op%8 (0: dom0,
 *                  1: domain 5, 2: domain 6, both unprivileged)
 *   3              write the bytes over the guest ring page of domain 9
 *                  (indexes included) and service it
 *   4              drain every connection's output
 *   5              disconnect connection (first byte % 3) and reconnect:
 *                  mid-transaction, mid-message, with watches
 *   6              advance the clock past the watch-event timeout
 *   7              CONTROL check, then verify the accounting it recounts
 *                  had not drifted
 *
 * Every run starts from a fresh store and frees everything, so ASan's
 * leak check covers the engine too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xs_core.h"

static struct xenstore_domain_interface page;
static uint64_t now_ms;

static struct xenstore_domain_interface *fz_map(void *p, unsigned int d,
                                                uint64_t mfn)
{
    return &page;
}

static void fz_unmap(void *p, unsigned int d,
                     struct xenstore_domain_interface *i)
{
}

static int fz_bind(void *p, unsigned int d, uint32_t port)
{
    return 42;
}

static void fz_unbind(void *p, int port)
{
}

static int fz_notify(void *p, int port)
{
    return 0;
}

static const struct xs_ring_backend fz_backend = {
    .map = fz_map,
    .unmap = fz_unmap,
    .bind = fz_bind,
    .unbind = fz_unbind,
    .notify = fz_notify,
};

static uint64_t fz_now(void)
{
    return now_ms;
}

static void drain(struct xs_conn *c)
{
    const void *p;
    size_t n;

    while ((n = xs_conn_out_peek(c, &p)) != 0)
        xs_conn_out_advance(c, n);
}

static struct xs_conn *reconnect(struct xsd *x, struct xs_conn *c, int i)
{
    static const unsigned int domid[3] = {0, 5, 6};

    if (c)
        xs_conn_free(c);
    return xs_conn_new(x, XS_CONN_SOCKET, domid[i], i == 0);
}

static void check_accounting(struct xsd *x)
{
    static const unsigned int ids[] = {0, 5, 6, 9};
    int before[4];
    unsigned int i, fixed;
    struct xs_domain *d;

    for (i = 0; i < 4; i++) {
        d = xs_domain_find(x, ids[i]);
        before[i] = d ? d->acc[XS_ACC_NODES] : 0;
    }
    xs_check_store(x, &fixed);
    if (fixed)
        abort(); /* the store's structure broke */
    for (i = 0; i < 4; i++) {
        d = xs_domain_find(x, ids[i]);
        if ((d ? d->acc[XS_ACC_NODES] : 0) != before[i])
            abort(); /* node accounting drifted */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xsd x;
    struct xs_conn *c[3];
    struct xs_domain *guest;
    size_t off = 0, len;
    uint8_t op;
    int i;

    if (xsd_init(&x))
        return 0;
    x.ring = &fz_backend;
    x.now_ms = fz_now;
    x.max_conn_output = 64 * 1024;
    memset(&page, 0, sizeof(page));
    for (i = 0; i < 3; i++)
        c[i] = reconnect(&x, NULL, i);
    /* Domain 9 has a ring; the script may scribble over it. */
    {
        struct xsd_sockmsg h = {XS_INTRODUCE, 1, 0, 8};
        const char body[] = "9\0"
                            "1\0"
                            "77\0";

        h.len = sizeof(body);
        xs_conn_feed(c[0], &h, sizeof(h));
        xs_conn_feed(c[0], body, sizeof(body));
        drain(c[0]);
    }
    guest = xs_domain_find(&x, 9);
    while (off + 3 <= size) {
        op = data[off];
        len = data[off + 1] | (size_t)data[off + 2] << 8;
        off += 3;
        if (len > size - off)
            len = size - off;
        switch (op % 8) {
        case 0:
        case 1:
        case 2:
            i = op % 8;
            if (!c[i] || c[i]->dead)
                c[i] = reconnect(&x, c[i], i);
            if (c[i])
                xs_conn_feed(c[i], data + off, len);
            break;
        case 3:
            memcpy(&page, data + off, len < sizeof(page) ? len : sizeof(page));
            if (guest && guest->introduced)
                xs_domain_service(&x, guest);
            break;
        case 4:
            for (i = 0; i < 3; i++)
                if (c[i])
                    drain(c[i]);
            if (guest && guest->ring_conn)
                xs_domain_service(&x, guest);
            break;
        case 5:
            i = len ? data[off] % 3 : 0;
            c[i] = reconnect(&x, c[i], i);
            break;
        case 6:
            now_ms += 30000;
            break;
        case 7:
            check_accounting(&x);
            break;
        }
        off += len;
    }
    xsd_destroy(&x);
    return 0;
}
