// SPDX-License-Identifier: MIT
/*
 * Domains: the daemon's start-up state, per-domain accounting and quotas,
 * and the domain operations (INTRODUCE, RELEASE, RESUME, SET_TARGET).
 *
 * Every domain that owns nodes or has connections gets a struct
 * xs_domain holding its counters.  Quotas bind only unprivileged
 * connections, as in xenstored; the defaults below are xenstored's and
 * can be changed on the command line (-Q/--quota name=value and the
 * older single-quota options).
 *
 * INTRODUCE records the domain and, when a ring backend is configured
 * (struct xs_ring_backend: map the xenstore page, bind the event
 * channel), opens a ring connection served by xs_ring.c.  Without a
 * backend the domain is still recorded, so IS_DOMAIN_INTRODUCED and the
 * @introduceDomain watch behave as on Xen; only the guest's own ring is
 * not served.  RELEASE drops the domain's connections and watches,
 * removes the nodes it owns (or, with --keep-orphans, gives them to
 * domain 0) and fires @releaseDomain.
 */
#include "xs_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct xs_quota default_quota[XS_ACC_COUNT] = {
    [XS_ACC_NODES] = {"nodes", "Nodes per domain", 1000, 0},
    [XS_ACC_WATCHES] = {"watches", "Watches per domain", 128, 0},
    [XS_ACC_OUTSTANDING] = {"outstanding", "Outstanding requests per domain",
                            20, 0},
    [XS_ACC_MEMORY] = {"memory", "Total Xenstore memory per domain",
                       2 * 1024 * 1024 + 512 * 1024, 2 * 1024 * 1024},
    [XS_ACC_TRANSACTIONS] = {"transactions", "Active transactions per domain",
                             10, 0},
    [XS_ACC_TXN_NODES] = {"transaction-nodes",
                          "Max. number of accessed nodes per transaction", 1024,
                          0},
    [XS_ACC_NODE_PERMS] = {"node-permissions",
                           "Max. number of permissions per node", 5, 0},
    [XS_ACC_PATH_LEN] = {"path-max", "Max. length of a node path",
                         XENSTORE_REL_PATH_MAX, 0},
    [XS_ACC_NODE_SIZE] = {"node-size", "Max. size of a node", 2048, 0},
};

void xsd_logf(struct xsd *x, const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    if (!x->log || x->log_off)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    x->log(x->log_arg, buf);
}

struct xs_domain *xs_domain_find(struct xsd *x, unsigned int domid)
{
    char key[16];

    snprintf(key, sizeof(key), "%u", domid);
    return (struct xs_domain *)xs_htab_find(&x->domains, key);
}

struct xs_domain *xs_domain_get(struct xsd *x, unsigned int domid)
{
    struct xs_domain *d = xs_domain_find(x, domid);
    char key[16];

    if (d)
        return d;
    snprintf(key, sizeof(key), "%u", domid);
    d = calloc(1, sizeof(*d));
    if (!d || !(d->h.key = strdup(key))) {
        free(d);
        return NULL;
    }
    d->domid = domid;
    d->target = XS_DOMID_SELF;
    d->local_port = -1;
    d->introduced = domid == 0;
    xs_htab_insert(&x->domains, &d->h);
    return d;
}

void xs_acc_add(struct xsd *x, unsigned int domid, enum xs_acc what, int v)
{
    struct xs_domain *d = xs_domain_get(x, domid);

    if (d)
        d->acc[what] += v;
}

bool xs_acc_over(const struct xs_conn *c, enum xs_acc what, long value)
{
    const struct xs_quota *q;

    if (!xs_conn_unprivileged(c))
        return false;
    q = &c->xsd->quota[what];
    if (q->soft && value > (long)q->soft && !c->domain->soft_warned) {
        c->domain->soft_warned = true;
        xsd_logf(c->xsd, "domain %u over soft %s quota (%ld > %u)", c->domid,
                 q->name, value, q->soft);
    }
    return q->hard && value > (long)q->hard;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;

    if (!s || *s < '0' || *s > '9')
        return EINVAL;
    errno = 0;
    *out = strtoul(s, &end, 10);
    return (*end || errno || *out > max) ? EINVAL : 0;
}

int xsd_set_quota(struct xsd *x, const char *spec, bool soft)
{
    const char *eq = strchr(spec, '=');
    unsigned long v;
    unsigned int i;

    if (!eq || parse_uint(eq + 1, 0x7fffffff, &v))
        return -EINVAL;
    for (i = 0; i < XS_ACC_COUNT; i++) {
        if (strlen(x->quota[i].name) == (size_t)(eq - spec) &&
            !strncmp(spec, x->quota[i].name, eq - spec)) {
            if (soft)
                x->quota[i].soft = v;
            else if (i == XS_ACC_PATH_LEN && v > XENSTORE_REL_PATH_MAX)
                x->quota[i].hard = XENSTORE_REL_PATH_MAX;
            else
                x->quota[i].hard = v;
            return 0;
        }
    }
    return -EINVAL;
}

int xsd_set_timeout(struct xsd *x, const char *spec)
{
    unsigned long v;

    if (strncmp(spec, "watch-event=", 12) || parse_uint(spec + 12, 86400, &v))
        return -EINVAL;
    x->watch_event_timeout_ms = v * 1000;
    return 0;
}

static int add_initial(struct xsd *x, const char *name, const char *child)
{
    struct xs_node *n = xs_node_new(name);

    if (!n || (child && xs_node_add_child(n, child))) {
        xs_node_free(n);
        return -ENOMEM;
    }
    n->generation = ++x->generation;
    xs_db_replace(x, n);
    return 0;
}

int xsd_init(struct xsd *x)
{
    memset(x, 0, sizeof(*x));
    memcpy(x->quota, default_quota, sizeof(x->quota));
    x->watch_event_timeout_ms = 20000;
    x->max_conn_output = 16u << 20;
    if (xs_htab_init(&x->nodes) || xs_htab_init(&x->domains))
        goto fail;
    if (!xs_domain_get(x, 0))
        goto fail;
    /* The start-up tree of xenstored, all owned by domain 0, "n0". */
    if (add_initial(x, "/", "tool") || add_initial(x, "/tool", "xenstored") ||
        add_initial(x, "/tool/xenstored", NULL) ||
        add_initial(x, "@releaseDomain", NULL) ||
        add_initial(x, "@introduceDomain", NULL))
        goto fail;
    x->internal = xs_conn_new(x, XS_CONN_TEST, 0, true);
    if (!x->internal)
        goto fail;
    return 0;
fail:
    xsd_destroy(x);
    return -ENOMEM;
}

static void free_node_entry(struct xs_hentry *e, void *arg)
{
    xs_node_free((struct xs_node *)e);
}

static void free_domain_entry(struct xs_hentry *e, void *arg)
{
    struct xs_domain *d = (struct xs_domain *)e;
    struct xsd *x = arg;

    if (d->intf && x->ring && x->ring->unmap)
        x->ring->unmap(x->ring->priv, d->domid, d->intf);
    if (d->local_port >= 0 && x->ring && x->ring->unbind)
        x->ring->unbind(x->ring->priv, d->local_port);
    free(d->h.key);
    free(d);
}

void xsd_destroy(struct xsd *x)
{
    while (x->conns)
        xs_conn_free(x->conns);
    if (x->nodes.buckets)
        xs_htab_each(&x->nodes, free_node_entry, NULL);
    if (x->domains.buckets)
        xs_htab_each(&x->domains, free_domain_entry, x);
    xs_htab_destroy(&x->nodes);
    xs_htab_destroy(&x->domains);
}

bool xs_domain_is_introduced(struct xsd *x, unsigned int domid)
{
    struct xs_domain *d = xs_domain_find(x, domid);

    return d && d->introduced;
}

static int parse_guest_domid(const char *s, unsigned int *domid)
{
    unsigned long v;

    if (parse_uint(s, XS_DOMID_MAX, &v))
        return EINVAL;
    *domid = v;
    return v == 0 ? EINVAL : 0; /* domain 0 is the daemon's own side */
}

/* Drop everything a (re)introduced domain's ring connection holds. */
static void domain_conn_reset(struct xsd *x, struct xs_domain *d)
{
    struct xs_conn *c = d->ring_conn;

    if (!c)
        return;
    xs_watch_remove_all(c);
    xs_txn_free_all(c);
    while (xs_conn_out_peek(c, &(const void *){NULL}))
        xs_conn_out_advance(c, ~(size_t)0 >> 1);
    c->in_used = 0;
    c->in_ready = false;
    if (d->intf) {
        d->intf->req_cons = d->intf->req_prod = 0;
        d->intf->rsp_cons = d->intf->rsp_prod = 0;
        d->intf->server_features |= XENSTORE_SERVER_FEATURE_RECONNECTION |
                                    XENSTORE_SERVER_FEATURE_ERROR;
        __atomic_thread_fence(__ATOMIC_RELEASE);
        if (d->intf->connection == XENSTORE_RECONNECT) {
            d->intf->connection = XENSTORE_CONNECTED;
            if (x->ring && x->ring->notify)
                x->ring->notify(x->ring->priv, d->local_port);
        }
    }
}

/* domid, frame, event channel port */
int xs_op_introduce(struct xs_conn *c, const char *const *argv, int argc)
{
    struct xsd *x = c->xsd;
    const struct xs_ring_backend *rb = x->ring;
    unsigned long long mfn;
    unsigned long port;
    unsigned int domid;
    struct xs_domain *d;
    int local, err;
    char *end;

    if (argc < 3 || parse_guest_domid(argv[0], &domid))
        return EINVAL;
    errno = 0;
    mfn = strtoull(argv[1], &end, 10);
    if (*end || errno || parse_uint(argv[2], 0xffffffff, &port) || !port)
        return EINVAL;
    if (!(d = xs_domain_get(x, domid)))
        return ENOMEM;
    if (!d->introduced && rb && rb->map && rb->bind) {
        errno = ENOMEM;
        d->intf = rb->map(rb->priv, domid, mfn);
        if (!d->intf)
            return errno ? errno : ENOMEM;
        local = rb->bind(rb->priv, domid, port);
        if (local < 0 ||
            !(d->ring_conn = xs_conn_new(x, XS_CONN_RING, domid, false))) {
            err = local < 0 ? -local : ENOMEM;
            if (local >= 0 && rb->unbind)
                rb->unbind(rb->priv, local);
            if (rb->unmap)
                rb->unmap(rb->priv, domid, d->intf);
            d->intf = NULL;
            return err;
        }
        d->ring_conn->transport = d;
        d->local_port = local;
    } else if (d->introduced && rb && rb->bind && d->ring_conn) {
        /* Re-introduction rebinds the xenbus event channel. */
        if (d->local_port >= 0 && rb->unbind)
            rb->unbind(rb->priv, d->local_port);
        local = rb->bind(rb->priv, domid, port);
        d->local_port = local < 0 ? -1 : local;
    }
    d->mfn = mfn;
    d->shutdown = false;
    domain_conn_reset(x, d);
    if (!d->introduced) {
        d->introduced = true;
        xsd_logf(x, "domain %u introduced (frame %llu, port %lu)%s", domid, mfn,
                 port, d->ring_conn ? "" : " without a ring backend");
        xs_watch_fire_special(x, "@introduceDomain");
    }
    return 0;
}

/* Remove (or give to domain 0) every subtree root owned by domid. */
static void remove_owned(struct xsd *x, const char *name, unsigned int domid)
{
    struct xs_node *n = xs_db_get(x, name), *copy;
    unsigned int off, clen;
    char *child;

    if (!n)
        return;
    if (xs_node_owner(n) == domid && strcmp(name, "/")) {
        if (!x->keep_orphans) {
            xs_rm_node(x->internal, name);
            return;
        }
        copy = xs_node_dup(n);
        if (copy) {
            copy->perms[0].id = 0;
            copy->generation = ++x->generation;
            xs_db_replace(x, copy);
            n = copy;
        }
    }
    /* n stays valid: only its descendants change below. */
    for (off = 0; off < n->childlen; off += clen) {
        clen = strlen(n->children + off) + 1;
        if (asprintf(&child, "%s/%s", strcmp(name, "/") ? name : "",
                     n->children + off) < 0)
            return;
        remove_owned(x, child, domid);
        free(child);
        n = xs_db_get(x, name);
        if (!n)
            return;
    }
}

static int find_introduced(struct xsd *x, const char *arg,
                           struct xs_domain **out)
{
    unsigned int domid;

    if (!arg || parse_guest_domid(arg, &domid))
        return EINVAL;
    *out = xs_domain_find(x, domid);
    return *out && (*out)->introduced ? 0 : ENOENT;
}

/* Forgets an introduced domain (but not connection c, which asked). */
static void domain_release(struct xsd *x, struct xs_domain *d,
                           struct xs_conn *c)
{
    struct xs_conn *o;

    for (o = x->conns; o; o = o->next)
        if (o->domid == d->domid)
            xs_watch_remove_all(o);
    if (d->ring_conn) {
        xs_conn_free(d->ring_conn);
        d->ring_conn = NULL;
    }
    for (o = x->conns; o; o = o->next)
        if (o->domid == d->domid && o != c)
            xs_conn_mark_dead(o, "domain released");
    if (x->ring && d->local_port >= 0 && x->ring->unbind)
        x->ring->unbind(x->ring->priv, d->local_port);
    if (x->ring && d->intf && x->ring->unmap)
        x->ring->unmap(x->ring->priv, d->domid, d->intf);
    d->local_port = -1;
    d->intf = NULL;
    d->introduced = false;
    d->target = XS_DOMID_SELF;
    remove_owned(x, "/", d->domid);
    xsd_logf(x, "domain %u released", d->domid);
    xs_watch_fire_special(x, "@releaseDomain");
}

int xs_op_release(struct xs_conn *c, const char *arg)
{
    struct xs_domain *d;
    int err = find_introduced(c->xsd, arg, &d);

    if (!err)
        domain_release(c->xsd, d, c);
    return err;
}

struct state_check {
    struct xsd *x;
    struct xs_domain *gone[64];
    unsigned int nr_gone;
    bool fire;
};

static void check_domain(struct xs_hentry *e, void *arg)
{
    struct xs_domain *d = (struct xs_domain *)e;
    struct state_check *s = arg;
    int st;

    if (!d->introduced)
        return;
    st = s->x->ring->domain_state(s->x->ring->priv, d->domid);
    if (st == XS_DOM_GONE && s->nr_gone < 64) {
        s->gone[s->nr_gone++] = d;
    } else if (st == XS_DOM_SHUTDOWN && !d->shutdown) {
        d->shutdown = true;
        s->fire = true;
    }
}

/*
 * The hypervisor says domains changed state (VIRQ_DOM_EXC): a domain that
 * shut down fires @releaseDomain; one that is gone is released (which
 * fires it too), as xenstored's domain_cleanup() does.
 */
void xs_domains_check(struct xsd *x)
{
    struct state_check s = {.x = x};

    if (!x->ring || !x->ring->domain_state)
        return;
    do {
        s.nr_gone = 0;
        xs_htab_each(&x->domains, check_domain, &s);
        for (unsigned int i = 0; i < s.nr_gone; i++)
            domain_release(x, s.gone[i], NULL);
    } while (s.nr_gone == 64);
    if (s.fire)
        xs_watch_fire_special(x, "@releaseDomain");
}

int xs_op_resume(struct xs_conn *c, const char *arg)
{
    struct xs_domain *d;
    int err = find_introduced(c->xsd, arg, &d);

    if (!err)
        d->shutdown = false;
    return err;
}

/* A domain counts as connected if introduced or talking over a socket. */
static struct xs_domain *connected_domain(struct xsd *x, const char *arg,
                                          int *err)
{
    unsigned long v;
    struct xs_domain *d;

    if (parse_uint(arg, XS_DOMID_MAX, &v)) {
        *err = EINVAL;
        return NULL;
    }
    d = xs_domain_find(x, v);
    if (!d || (!d->introduced && !d->nconns)) {
        *err = ENOENT;
        return NULL;
    }
    return d;
}

int xs_op_set_target(struct xs_conn *c, const char *const *argv, int argc)
{
    struct xs_domain *d, *t;
    int err = 0;

    if (argc < 2)
        return EINVAL;
    if (!(d = connected_domain(c->xsd, argv[0], &err)) ||
        !(t = connected_domain(c->xsd, argv[1], &err)))
        return err;
    d->target = t->domid;
    return 0;
}

void xs_domain_service(struct xsd *x, struct xs_domain *d)
{
    struct xs_ring_status st;

    if (!d->ring_conn || !d->intf)
        return;
    xs_ring_service(d->ring_conn, d->intf, &st);
    if (st.notify && x->ring && x->ring->notify && d->local_port >= 0)
        x->ring->notify(x->ring->priv, d->local_port);
    if (st.error || d->ring_conn->dead) {
        /* A misbehaving ring loses its connection, nothing else. */
        xsd_logf(x, "domain %u: ring error %u, connection closed", d->domid,
                 d->intf->error);
        xs_conn_free(d->ring_conn);
        d->ring_conn = NULL;
    }
}

struct port_search {
    int port;
    struct xs_domain *found;
};

static void match_port(struct xs_hentry *e, void *arg)
{
    struct xs_domain *d = (struct xs_domain *)e;
    struct port_search *s = arg;

    if (d->ring_conn && d->local_port == s->port)
        s->found = d;
}

void xs_domain_event(struct xsd *x, int local_port)
{
    struct port_search s = {.port = local_port};

    xs_htab_each(&x->domains, match_port, &s);
    if (s.found)
        xs_domain_service(x, s.found);
}
