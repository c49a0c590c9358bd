// SPDX-License-Identifier: MIT
/*
 * Watches.  A watch is a (path, token) pair on one connection; a change
 * to the path or anything below it queues an XS_WATCH_EVENT carrying the
 * changed path and the token.  Removal of a subtree fires for every node
 * removed: "exact" for the nodes below the removed root (only watches on
 * exactly that node see them), normally for the root itself.
 *
 * A watch registered with a relative path sees relative paths: the
 * connection's /local/domain/N/ prefix is cut off the events.  A watcher
 * learns of a change only if it may read the node, its old permissions
 * (so losing access is seen) or its parent.  Changes made inside a
 * transaction fire when the transaction commits (xs_txn.c).
 *
 * "@introduceDomain" and "@releaseDomain" are special nodes fired by
 * INTRODUCE and RELEASE; their permissions decide who sees them.
 */
#include "xs_core.h"

#include <stdlib.h>
#include <string.h>

struct xs_watch {
    struct xs_watch *next;
    char *node; /* canonical path */
    char *token;
    unsigned int prefix_len; /* bytes cut from event paths (relative) */
};

static unsigned int watch_mem(const struct xs_watch *w)
{
    return strlen(w->node) + strlen(w->token);
}

static void watch_free(struct xs_conn *c, struct xs_watch *w)
{
    xs_acc_add(c->xsd, c->domid, XS_ACC_WATCHES, -1);
    xs_acc_add(c->xsd, c->domid, XS_ACC_MEMORY, -(int)watch_mem(w));
    free(w->node);
    free(w->token);
    free(w);
}

unsigned int xs_watch_count(const struct xs_conn *c)
{
    const struct xs_watch *w;
    unsigned int n = 0;

    for (w = c->watches; w; w = w->next)
        n++;
    return n;
}

int xs_watch_add(struct xs_conn *c, const char *path, const char *token)
{
    bool relative = path[0] != '/' && path[0] != '@';
    struct xs_watch *w, **pp;
    char *node;
    int err = xs_canonicalize(c, path, true, &node);

    if (err)
        return err;
    for (pp = &c->watches; *pp; pp = &(*pp)->next) {
        if (!strcmp((*pp)->node, node) && !strcmp((*pp)->token, token)) {
            free(node);
            return EEXIST;
        }
    }
    if (xs_acc_over(c, XS_ACC_WATCHES,
                    (long)c->domain->acc[XS_ACC_WATCHES] + 1)) {
        free(node);
        return E2BIG;
    }
    if (xs_acc_over(c, XS_ACC_MEMORY,
                    (long)c->domain->acc[XS_ACC_MEMORY] + strlen(node) +
                        strlen(token))) {
        free(node);
        return ENOMEM;
    }
    w = calloc(1, sizeof(*w));
    if (!w || !(w->token = strdup(token))) {
        free(w);
        free(node);
        return ENOMEM;
    }
    w->node = node;
    w->prefix_len = relative ? strlen(node) - strlen(path) : 0;
    *pp = w; /* keep registration order */
    xs_acc_add(c->xsd, c->domid, XS_ACC_WATCHES, 1);
    xs_acc_add(c->xsd, c->domid, XS_ACC_MEMORY, (int)watch_mem(w));
    return 0;
}

int xs_watch_remove(struct xs_conn *c, const char *path, const char *token)
{
    struct xs_watch **pp, *w;
    char *node;
    int err = xs_canonicalize(c, path, true, &node);

    if (err)
        return err;
    for (pp = &c->watches; (w = *pp) != NULL; pp = &w->next) {
        if (!strcmp(w->node, node) && !strcmp(w->token, token)) {
            *pp = w->next;
            watch_free(c, w);
            free(node);
            return 0;
        }
    }
    free(node);
    return ENOENT;
}

void xs_watch_remove_all(struct xs_conn *c)
{
    struct xs_watch *w;

    while ((w = c->watches) != NULL) {
        c->watches = w->next;
        watch_free(c, w);
    }
}

static bool can_read(const struct xs_conn *c, const struct xs_perm *p,
                     unsigned int n)
{
    return p && (xs_perm_for_conn(c, p, n) & XS_PERM_READ);
}

static bool watch_permitted(struct xs_conn *c, const char *name,
                            const struct xs_node *node,
                            const struct xs_perm *old, unsigned int nold)
{
    const struct xs_node *parent;
    char *pname;
    bool ok;

    if (c->privileged || can_read(c, old, nold))
        return true;
    if (!node)
        node = xs_db_get(c->xsd, name);
    if (node && can_read(c, node->perms, node->nperms))
        return true;
    if (name[0] == '@' || !strcmp(name, "/"))
        return false;
    pname = xs_path_parent(name);
    if (!pname)
        return false;
    parent = xs_db_get(c->xsd, pname);
    ok = parent && can_read(c, parent->perms, parent->nperms);
    free(pname);
    return ok;
}

void xs_watch_fire(struct xsd *x, struct xs_conn *origin, const char *name,
                   const struct xs_node *node, bool exact,
                   const struct xs_perm *old, unsigned int nold)
{
    struct xs_conn *c;
    struct xs_watch *w;
    bool match;

    if (origin && origin->cur_txn) {
        xs_txn_queue_watch(origin->cur_txn, name, exact);
        return;
    }
    for (c = x->conns; c; c = c->next) {
        if (c->dead || !c->watches ||
            !watch_permitted(c, name, node, old, nold))
            continue;
        for (w = c->watches; w; w = w->next) {
            match = exact ? !strcmp(name, w->node)
                          : xs_path_is_child(name, w->node);
            if (match && strlen(name) >= w->prefix_len)
                xs_send_event(c, name + w->prefix_len, w->token);
            /* An overfull queue kills c and frees its watches. */
            if (c->dead)
                break;
        }
    }
}

void xs_watch_fire_special(struct xsd *x, const char *name)
{
    xs_watch_fire(x, NULL, name, xs_db_get(x, name), true, NULL, 0);
}
