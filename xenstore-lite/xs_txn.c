// SPDX-License-Identifier: MIT
/*
 * Transactions: optimistic, generation-checked, as in xenstored.
 *
 * A transaction keeps its own table of the nodes it touched.  The first
 * read of a node copies it into that table with the node's generation
 * (or XS_NO_GENERATION if it did not exist); later reads in the
 * transaction see the copy, so the transaction works on a stable view.
 * Writes and deletes change only the copy.  Commit compares every
 * recorded generation with the main table: if any node read by the
 * transaction has been changed (or created, or removed) since, the commit
 * fails with EAGAIN and nothing is applied.  Otherwise the modified
 * copies replace the main nodes, each with a new generation, and the
 * watches queued during the transaction fire.
 *
 * Adding a child rewrites the parent, so two transactions creating
 * siblings conflict on the parent: the second to commit gets EAGAIN.
 * Internal failures inside a transaction (quota, memory) mark it failed;
 * its commit then reports that error.  A connection that goes away
 * aborts its transactions.
 */
#include "xs_core.h"

#include <stdlib.h>
#include <string.h>

struct xs_txn_node {
    struct xs_hentry h; /* key: node path */
    struct xs_txn_node *next;
    uint64_t generation; /* when first read */
    bool check_gen;
    bool modified;
    bool fire;
    bool fire_exact;
    struct xs_node *node;      /* the transaction's version; NULL: absent */
    struct xs_perm *old_perms; /* perms when first seen, for watches */
    unsigned int nold;
};

struct xs_txn {
    struct xs_txn *next;
    struct xs_conn *conn;
    uint32_t id;
    struct xs_htab tab;
    struct xs_txn_node *first, **last;
    unsigned int nodes;
    int fail; /* 0, or the error that doomed it */
};

struct xs_txn *xs_txn_lookup(struct xs_conn *c, uint32_t id)
{
    struct xs_txn *t;

    for (t = c->txns; t; t = t->next)
        if (t->id == id)
            return t;
    return NULL;
}

void xs_txn_fail(struct xs_txn *t)
{
    if (!t->fail)
        t->fail = ENOMEM;
}

int xs_txn_start(struct xs_conn *c, uint32_t *id)
{
    struct xs_txn *t;

    if (xs_acc_over(c, XS_ACC_TRANSACTIONS,
                    (long)c->domain->acc[XS_ACC_TRANSACTIONS] + 1))
        return ENOSPC;
    t = calloc(1, sizeof(*t));
    if (!t || xs_htab_init(&t->tab)) {
        free(t);
        return ENOMEM;
    }
    do {
        t->id = c->next_txn_id++;
    } while (t->id == 0 || xs_txn_lookup(c, t->id));
    t->conn = c;
    t->last = &t->first;
    t->next = c->txns;
    c->txns = t;
    xs_acc_add(c->xsd, c->domid, XS_ACC_TRANSACTIONS, 1);
    *id = t->id;
    return 0;
}

static void txn_free(struct xs_txn *t)
{
    struct xs_txn_node *e, *next;

    for (e = t->first; e; e = next) {
        next = e->next;
        xs_node_free(e->node);
        free(e->old_perms);
        free(e->h.key);
        free(e);
    }
    xs_htab_destroy(&t->tab);
    xs_acc_add(t->conn->xsd, t->conn->domid, XS_ACC_TRANSACTIONS, -1);
    free(t);
}

static void txn_unlink(struct xs_txn *t)
{
    struct xs_txn **pp;

    for (pp = &t->conn->txns; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            return;
        }
    }
}

void xs_txn_free_all(struct xs_conn *c)
{
    struct xs_txn *t;

    c->cur_txn = NULL;
    while ((t = c->txns) != NULL) {
        c->txns = t->next;
        txn_free(t);
    }
}

/* Find or record the transaction's entry for name. */
static struct xs_txn_node *txn_entry(struct xs_txn *t, const char *name,
                                     bool read, int *err)
{
    struct xs_hentry *h = xs_htab_find(&t->tab, name);
    struct xs_txn_node *e;
    const struct xs_node *main;

    if (h)
        return (struct xs_txn_node *)h;
    if (xs_acc_over(t->conn, XS_ACC_TXN_NODES, (long)t->nodes + 1)) {
        t->fail = t->fail ? t->fail : ENOSPC;
        *err = ENOSPC;
        return NULL;
    }
    main = xs_db_get(t->conn->xsd, name);
    e = calloc(1, sizeof(*e));
    if (!e || !(e->h.key = strdup(name)))
        goto nomem;
    e->generation = main ? main->generation : XS_NO_GENERATION;
    e->check_gen = read;
    if (main) {
        if (read && !(e->node = xs_node_dup(main)))
            goto nomem;
        e->nold = main->nperms;
        e->old_perms = malloc(main->nperms * sizeof(*main->perms));
        if (!e->old_perms)
            goto nomem;
        memcpy(e->old_perms, main->perms, main->nperms * sizeof(*main->perms));
    }
    xs_htab_insert(&t->tab, &e->h);
    *t->last = e;
    t->last = &e->next;
    t->nodes++;
    return e;
nomem:
    if (e) {
        xs_node_free(e->node);
        free(e->h.key);
        free(e);
    }
    t->fail = t->fail ? t->fail : ENOMEM;
    *err = ENOMEM;
    return NULL;
}

struct xs_node *xs_txn_read(struct xs_txn *t, const char *name, int *err)
{
    struct xs_txn_node *e = txn_entry(t, name, true, err);
    struct xs_node *n;

    if (!e)
        return NULL;
    if (!e->node) {
        *err = ENOENT;
        return NULL;
    }
    n = xs_node_dup(e->node);
    if (!n)
        *err = ENOMEM;
    return n;
}

int xs_txn_write(struct xs_txn *t, struct xs_node *n)
{
    int err = 0;
    struct xs_txn_node *e = txn_entry(t, n->h.key, false, &err);

    if (!e) {
        xs_node_free(n);
        return err;
    }
    xs_node_free(e->node);
    e->node = n;
    e->modified = true;
    return 0;
}

int xs_txn_delete(struct xs_txn *t, const char *name)
{
    int err = 0;
    struct xs_txn_node *e = txn_entry(t, name, false, &err);

    if (!e)
        return err;
    xs_node_free(e->node);
    e->node = NULL;
    e->modified = true;
    return 0;
}

void xs_txn_queue_watch(struct xs_txn *t, const char *name, bool exact)
{
    struct xs_hentry *h = xs_htab_find(&t->tab, name);
    struct xs_txn_node *e = (struct xs_txn_node *)h;

    if (!e) {
        xs_txn_fail(t);
        return;
    }
    if (!e->fire) {
        e->fire = true;
        e->fire_exact = exact;
    } else if (!exact) {
        e->fire_exact = false;
    }
}

/* Would committing push the connection's domain over its node quota? */
static bool txn_over_quota(struct xs_txn *t)
{
    struct xs_conn *c = t->conn;
    const struct xs_txn_node *e;
    const struct xs_node *main;
    long delta = 0;

    if (!xs_conn_unprivileged(c))
        return false;
    for (e = t->first; e; e = e->next) {
        if (!e->modified)
            continue;
        main = xs_db_get(c->xsd, e->h.key);
        if (main && xs_node_owner(main) == c->domid)
            delta--;
        if (e->node && xs_node_owner(e->node) == c->domid)
            delta++;
    }
    return delta > 0 &&
           xs_acc_over(c, XS_ACC_NODES, c->domain->acc[XS_ACC_NODES] + delta);
}

static int txn_commit(struct xs_txn *t)
{
    struct xsd *x = t->conn->xsd;
    struct xs_txn_node *e;
    const struct xs_node *main;
    uint64_t gen;

    if (t->fail)
        return t->fail;
    for (e = t->first; e; e = e->next) {
        if (!e->check_gen)
            continue;
        main = xs_db_get(x, e->h.key);
        gen = main ? main->generation : XS_NO_GENERATION;
        if (gen != e->generation)
            return EAGAIN;
    }
    if (txn_over_quota(t))
        return ENOSPC;
    for (e = t->first; e; e = e->next) {
        if (!e->modified)
            continue;
        if (e->node) {
            e->node->generation = ++x->generation;
            xs_db_replace(x, e->node);
            e->node = NULL;
        } else {
            x->generation++;
            xs_db_remove(x, e->h.key);
        }
    }
    for (e = t->first; e; e = e->next)
        if (e->fire)
            xs_watch_fire(x, NULL, e->h.key, NULL, e->fire_exact, e->old_perms,
                          e->nold);
    return 0;
}

int xs_txn_end(struct xs_conn *c, struct xs_txn *t, bool commit)
{
    int err = 0;

    txn_unlink(t);
    if (commit)
        err = txn_commit(t);
    txn_free(t);
    return err;
}
