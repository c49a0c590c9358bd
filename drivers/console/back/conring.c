/* SPDX-License-Identifier: MIT */
/* The backend's side of a console ring: conring.h. */
#include <errno.h>

#include "conring.h"

#define LOAD(x)     __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

void conring_attach(struct conring *r, struct xencons_interface *intf)
{
    r->intf = intf;
    r->out_cons = LOAD(intf->out_cons);
    r->in_prod = LOAD(intf->in_prod);
}

long conring_read(struct conring *r, char *buf, size_t size)
{
    struct xencons_interface *intf = r->intf;
    XENCONS_RING_IDX prod = LOAD(intf->out_prod), cons = r->out_cons;
    size_t n = 0;

    __atomic_thread_fence(__ATOMIC_ACQUIRE); /* index before data */
    if (prod - cons > sizeof(intf->out))
        return -EPROTO;
    for (; cons != prod && n < size; cons++, n++)
        buf[n] = LOAD(intf->out[MASK_XENCONS_IDX(cons, intf->out)]);
    __atomic_thread_fence(__ATOMIC_RELEASE); /* data before index */
    r->out_cons = cons;
    STORE(intf->out_cons, cons);
    return (long)n;
}

long conring_write(struct conring *r, const char *data, size_t len)
{
    struct xencons_interface *intf = r->intf;
    XENCONS_RING_IDX cons = LOAD(intf->in_cons), prod = r->in_prod;
    size_t n = 0;

    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (prod - cons > sizeof(intf->in))
        return -EPROTO;
    for (; prod - cons < sizeof(intf->in) && n < len; prod++, n++)
        STORE(intf->in[MASK_XENCONS_IDX(prod, intf->in)], data[n]);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    r->in_prod = prod;
    STORE(intf->in_prod, prod);
    return (long)n;
}
