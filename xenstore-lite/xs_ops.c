// SPDX-License-Identifier: MIT
/*
 * The wire operations.  One hand-written table maps each xsd_sockmsg_type
 * to its handler and flags (privileged only; ignores tx_id); the
 * dispatcher checks both before calling, and each handler still checks
 * the node permissions it needs.
 *
 * Permission errors do not leak existence: when a node is missing or not
 * accessible, the answer is EACCES unless the nearest existing ancestor
 * grants the same kind of access (xenstored's errno_from_parents).
 */
#include "xs_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct xs_req {
    const struct xsd_sockmsg *hdr;
    const char *body;
    unsigned int len;
};

/* Number of NUL-terminated strings in the payload; fills vec[0..num). */
static unsigned int get_strings(const struct xs_req *r, const char **vec,
                                unsigned int num)
{
    unsigned int off = 0, i = 0;
    const char *nul;

    while (off < r->len &&
           (nul = memchr(r->body + off, '\0', r->len - off)) != NULL) {
        if (i < num)
            vec[i] = r->body + off;
        i++;
        off = nul - r->body + 1;
    }
    return i;
}

/* Exactly one string, its NUL the last byte. */
static const char *onearg(const struct xs_req *r)
{
    if (!r->len || memchr(r->body, '\0', r->len) != r->body + r->len - 1)
        return NULL;
    return r->body;
}

static int parse_domid(const char *s, unsigned int *out)
{
    char *end;
    unsigned long v;

    if (!s || *s < '0' || *s > '9')
        return EINVAL;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (*end || errno || v > 0xFFFF)
        return EINVAL;
    *out = v;
    return 0;
}

static int errno_from_parents(struct xs_conn *c, const char *name, int err,
                              unsigned int perm)
{
    char *p = strdup(name), *q;
    struct xs_node *n = NULL;
    unsigned int got = XS_PERM_NONE;
    int e;

    if (err == ENOMEM || err == ENOSPC)
        return err;
    while (p && strcmp(p, "/") && p[0] != '@') {
        q = xs_path_parent(p);
        free(p);
        p = q;
        if (!p)
            break;
        n = xs_db_read(c, p, &e);
        if (n)
            break;
        if (e != ENOENT) {
            free(p);
            return e;
        }
    }
    free(p);
    if (n) {
        got = xs_perm_for_conn(c, n->perms, n->nperms);
        xs_node_free(n);
    }
    return (got & perm) ? err : EACCES;
}

/* Read name for an operation needing perm; *out is a copy to free. */
int xs_lookup(struct xs_conn *c, const char *name, unsigned int perm,
              struct xs_node **out)
{
    int err = 0;
    struct xs_node *n = xs_db_read(c, name, &err);

    if (n && (xs_perm_for_conn(c, n->perms, n->nperms) & perm) != perm) {
        xs_node_free(n);
        n = NULL;
        err = EACCES;
    }
    if (!n)
        return errno_from_parents(c, name, err, perm);
    *out = n;
    return 0;
}

/*
 * Create name and any missing ancestors.  New nodes inherit the parent's
 * permissions; nodes an unprivileged domain creates are owned by it.
 * *out (optional) receives a copy of the new node.
 */
int xs_create_node(struct xs_conn *c, const char *name, const void *data,
                   unsigned int len, struct xs_node **out)
{
    char *names[XENSTORE_ABS_PATH_MAX / 2 + 2];
    unsigned int levels = 0, i;
    struct xs_node *parent = NULL, *n;
    int err = 0, ret;
    char *cur = strdup(name);

    if (!cur)
        return ENOMEM;
    /* Walk up until an existing node. */
    while (!parent) {
        names[levels++] = cur;
        if (!strcmp(cur, "/")) {
            err = EINVAL; /* the root always exists */
            goto out;
        }
        cur = xs_path_parent(cur);
        if (!cur) {
            err = ENOMEM;
            goto out;
        }
        parent = xs_db_read(c, cur, &err);
        if (!parent && err != ENOENT) {
            free(cur);
            goto out;
        }
    }
    free(cur);
    if (xs_acc_over(c, XS_ACC_NODES,
                    (long)c->domain->acc[XS_ACC_NODES] + levels)) {
        err = ENOSPC;
        goto out;
    }
    /* Walk down creating: each step rewrites the parent's child list. */
    for (i = levels; i > 0; i--) {
        n = xs_node_new(names[i - 1]);
        if (!n || xs_node_add_child(parent, xs_path_base(names[i - 1])) ||
            xs_node_set_perms(n, parent->perms, parent->nperms)) {
            xs_node_free(n);
            err = ENOMEM;
            goto out;
        }
        if (xs_conn_unprivileged(c))
            n->perms[0].id = c->domid;
        if (i == 1 && (err = xs_node_set_data(n, data, len))) {
            xs_node_free(n);
            goto out;
        }
        ret = xs_db_write(c, parent, false);
        parent = NULL;
        if (ret) {
            xs_node_free(n);
            err = ret;
            goto out;
        }
        parent = n;
    }
    if (out && !(*out = xs_node_dup(parent)))
        err = ENOMEM;
    if (!err)
        err = xs_db_write(c, parent, true);
    else
        xs_node_free(parent);
    parent = NULL;
    if (err && out) {
        xs_node_free(*out);
        *out = NULL;
    }
out:
    xs_node_free(parent);
    for (i = 0; i < levels; i++)
        free(names[i]);
    if (err && c->cur_txn)
        xs_txn_fail(c->cur_txn);
    return err;
}

/* Delete n's subtree bottom-up, firing watches before each node goes. */
static int rm_subtree(struct xs_conn *c, struct xs_node *n, const char *root)
{
    unsigned int off, clen;
    char *child;
    struct xs_node *cn;
    int err = 0;

    for (off = 0; off < n->childlen && !err; off += clen) {
        clen = strlen(n->children + off) + 1;
        if (asprintf(&child, "%s/%s", strcmp(n->h.key, "/") ? n->h.key : "",
                     n->children + off) < 0)
            return ENOMEM;
        cn = xs_db_read(c, child, &err);
        if (cn) {
            err = rm_subtree(c, cn, root);
            xs_node_free(cn);
        } else if (err == ENOENT) {
            err = 0; /* dangling child entry: CONTROL check repairs it */
        }
        free(child);
    }
    if (err)
        return err;
    xs_watch_fire(c->xsd, c, n->h.key, n, strcmp(root, n->h.key) != 0, NULL, 0);
    return xs_db_delete(c, n->h.key);
}

int xs_rm_node(struct xs_conn *c, const char *name)
{
    char *pname = xs_path_parent(name);
    struct xs_node *parent, *n;
    int err = 0;

    if (!pname)
        return ENOMEM;
    parent = xs_db_read(c, pname, &err);
    free(pname);
    if (!parent)
        return err == ENOENT ? EINVAL : err;
    n = xs_db_read(c, name, &err);
    if (n) {
        err = rm_subtree(c, n, name);
        xs_node_free(n);
    }
    if (!err && xs_node_del_child(parent, xs_path_base(name)) == 0) {
        err = xs_db_write(c, parent, false);
        parent = NULL;
    }
    xs_node_free(parent);
    if (err && c->cur_txn)
        xs_txn_fail(c->cur_txn);
    return err;
}

/* ------------------------------------------------------------ handlers */

static int op_read(struct xs_conn *c, const struct xs_req *r, bool dir)
{
    char *name;
    struct xs_node *n;
    int err = xs_canonicalize(c, onearg(r), false, &name);

    if (err)
        return err;
    err = xs_lookup(c, name, XS_PERM_READ, &n);
    free(name);
    if (err)
        return err;
    if (dir)
        err = xs_reply(c, r->hdr, XS_DIRECTORY, n->children, n->childlen);
    else
        err = xs_reply(c, r->hdr, XS_READ, n->data, n->datalen);
    xs_node_free(n);
    return err;
}

static int op_read_data(struct xs_conn *c, const struct xs_req *r)
{
    return op_read(c, r, false);
}

static int op_directory(struct xs_conn *c, const struct xs_req *r)
{
    return op_read(c, r, true);
}

/* Reply: generation, then as many whole child names from offset as fit;
 * an empty string after the last one marks the end of the list. */
static int op_directory_part(struct xs_conn *c, const struct xs_req *r)
{
    const char *vec[2];
    char *name, gen[24], *buf;
    struct xs_node *n;
    unsigned long off;
    unsigned int glen, len = 0, max, l;
    int err;

    if (get_strings(r, vec, 2) != 2)
        return EINVAL;
    if ((err = xs_canonicalize(c, vec[0], false, &name)))
        return err;
    err = xs_lookup(c, name, XS_PERM_READ, &n);
    free(name);
    if (err)
        return err;
    off = strtoul(vec[1], NULL, 10);
    glen =
        snprintf(gen, sizeof(gen), "%llu", (unsigned long long)n->generation) +
        1;
    buf = malloc(XENSTORE_PAYLOAD_MAX);
    if (!buf) {
        xs_node_free(n);
        return ENOMEM;
    }
    memcpy(buf, gen, glen);
    max = XENSTORE_PAYLOAD_MAX - glen - 1;
    if (off < n->childlen) {
        while (off + len < n->childlen) {
            l = strlen(n->children + off + len) + 1;
            if (len + l > max)
                break;
            len += l;
        }
        memcpy(buf + glen, n->children + off, len);
    }
    if (off + len >= n->childlen)
        buf[glen + len++] = '\0';
    err = xs_reply(c, r->hdr, XS_DIRECTORY_PART, buf, glen + len);
    free(buf);
    xs_node_free(n);
    return err;
}

static int op_get_perms(struct xs_conn *c, const struct xs_req *r)
{
    char *name, *buf, *p;
    struct xs_node *n;
    unsigned int i;
    int err = xs_canonicalize(c, onearg(r), true, &name);

    if (err)
        return err;
    err = xs_lookup(c, name, XS_PERM_READ, &n);
    free(name);
    if (err)
        return err;
    p = buf = malloc(n->nperms * 16 + 1);
    if (!buf) {
        xs_node_free(n);
        return ENOMEM;
    }
    for (i = 0; i < n->nperms; i++)
        p += xs_perm_format(&n->perms[i], p, 16) + 1;
    err = xs_reply(c, r->hdr, XS_GET_PERMS, buf, p - buf);
    free(buf);
    xs_node_free(n);
    return err;
}

static int op_write(struct xs_conn *c, const struct xs_req *r)
{
    const char *vec[1];
    char *name;
    struct xs_node *n = NULL;
    unsigned int off;
    int err;

    if (get_strings(r, vec, 1) < 1)
        return EINVAL;
    off = strlen(vec[0]) + 1;
    if ((err = xs_canonicalize(c, vec[0], false, &name)))
        return err;
    err = xs_lookup(c, name, XS_PERM_WRITE, &n);
    if (err == ENOENT) {
        err = xs_create_node(c, name, r->body + off, r->len - off, &n);
    } else if (!err) {
        struct xs_node *w = n;

        n = NULL;
        err = xs_node_set_data(w, r->body + off, r->len - off);
        if (!err && !(n = xs_node_dup(w)))
            err = ENOMEM;
        if (!err)
            err = xs_db_write(c, w, false);
        else
            xs_node_free(w);
    }
    if (!err) {
        xs_watch_fire(c->xsd, c, name, n, false, NULL, 0);
        err = xs_reply(c, r->hdr, XS_WRITE, "OK", 3);
    }
    xs_node_free(n);
    free(name);
    return err;
}

static int op_mkdir(struct xs_conn *c, const struct xs_req *r)
{
    char *name;
    struct xs_node *n = NULL;
    int err = xs_canonicalize(c, onearg(r), false, &name);

    if (err)
        return err;
    err = xs_lookup(c, name, XS_PERM_WRITE, &n);
    if (err == ENOENT) {
        err = xs_create_node(c, name, NULL, 0, &n);
        if (!err)
            xs_watch_fire(c->xsd, c, name, n, false, NULL, 0);
    }
    xs_node_free(n);
    free(name);
    return err ? err : xs_reply(c, r->hdr, XS_MKDIR, "OK", 3);
}

static int op_rm(struct xs_conn *c, const struct xs_req *r)
{
    char *name, *pname;
    struct xs_node *n = NULL;
    int err = xs_canonicalize(c, onearg(r), false, &name);

    if (err)
        return err;
    err = xs_lookup(c, name, XS_PERM_WRITE, &n);
    if (err == ENOENT) {
        /* Already gone is fine if the parent is there. */
        pname = xs_path_parent(name);
        n = pname ? xs_db_read(c, pname, &err) : NULL;
        err = n ? 0 : (pname ? ENOENT : ENOMEM);
        free(pname);
    } else if (!err) {
        err = strcmp(name, "/") ? xs_rm_node(c, name) : EINVAL;
    }
    xs_node_free(n);
    free(name);
    return err ? err : xs_reply(c, r->hdr, XS_RM, "OK", 3);
}

static int op_set_perms(struct xs_conn *c, const struct xs_req *r)
{
    const char *vec[XENSTORE_PAYLOAD_MAX / 2 + 1];
    struct xs_perm *perms = NULL, *old = NULL;
    unsigned int num = get_strings(r, vec, XENSTORE_PAYLOAD_MAX / 2 + 1);
    unsigned int i, nold = 0;
    struct xs_node *n = NULL, *copy = NULL;
    char *name = NULL;
    int err;

    if (num < 2)
        return EINVAL;
    num--;
    if (xs_acc_over(c, XS_ACC_NODE_PERMS, num))
        return ENOSPC;
    if (!(perms = calloc(num, sizeof(*perms))))
        return ENOMEM;
    for (i = 0; i < num; i++)
        if ((err = xs_perm_parse(vec[i + 1], &perms[i])))
            goto out;
    if ((err = xs_canonicalize(c, vec[0], true, &name)))
        goto out;
    if ((err = xs_lookup(c, name, XS_PERM_WRITE | XS_PERM_OWNER, &n)))
        goto out;
    /* Unprivileged domains may not give their nodes away. */
    if (xs_conn_unprivileged(c) && perms[0].id != xs_node_owner(n)) {
        err = EPERM;
        goto out;
    }
    old = n->perms;
    nold = n->nperms;
    n->perms = NULL;
    if ((err = xs_node_set_perms(n, perms, num)) || !(copy = xs_node_dup(n))) {
        err = err ? err : ENOMEM;
        goto out;
    }
    err = xs_db_write(c, n, false);
    n = NULL;
    if (!err) {
        xs_watch_fire(c->xsd, c, name, copy, false, old, nold);
        err = xs_reply(c, r->hdr, XS_SET_PERMS, "OK", 3);
    }
out:
    xs_node_free(copy);
    xs_node_free(n);
    free(old);
    free(perms);
    free(name);
    return err;
}

static int op_watch(struct xs_conn *c, const struct xs_req *r)
{
    const char *vec[2];
    int err;

    if (get_strings(r, vec, 2) != 2)
        return EINVAL;
    err = xs_watch_add(c, vec[0], vec[1]);
    if (err)
        return err;
    err = xs_reply(c, r->hdr, XS_WATCH, "OK", 3);
    /* Fire once at once: clients then need no special start-up read. */
    xs_send_event(c, vec[0], vec[1]);
    return err;
}

static int op_unwatch(struct xs_conn *c, const struct xs_req *r)
{
    const char *vec[2];
    int err;

    if (get_strings(r, vec, 2) != 2)
        return EINVAL;
    err = xs_watch_remove(c, vec[0], vec[1]);
    return err ? err : xs_reply(c, r->hdr, XS_UNWATCH, "OK", 3);
}

static int op_reset_watches(struct xs_conn *c, const struct xs_req *r)
{
    xs_watch_remove_all(c);
    xs_txn_free_all(c);
    return xs_reply(c, r->hdr, XS_RESET_WATCHES, "OK", 3);
}

static int op_txn_start(struct xs_conn *c, const struct xs_req *r)
{
    char buf[16];
    uint32_t id;
    int err;

    if (c->cur_txn)
        return EBUSY; /* no nesting */
    if ((err = xs_txn_start(c, &id)))
        return err;
    snprintf(buf, sizeof(buf), "%u", id);
    return xs_reply(c, r->hdr, XS_TRANSACTION_START, buf, strlen(buf) + 1);
}

static int op_txn_end(struct xs_conn *c, const struct xs_req *r)
{
    const char *arg = onearg(r);
    struct xs_txn *t = c->cur_txn;
    int err;

    if (!arg || (strcmp(arg, "T") && strcmp(arg, "F")))
        return EINVAL;
    if (!t)
        return ENOENT;
    c->cur_txn = NULL;
    err = xs_txn_end(c, t, arg[0] == 'T');
    return err ? err : xs_reply(c, r->hdr, XS_TRANSACTION_END, "OK", 3);
}

static int op_get_domain_path(struct xs_conn *c, const struct xs_req *r)
{
    char buf[32];
    unsigned int domid;
    int err = parse_domid(onearg(r), &domid);

    if (err)
        return err;
    snprintf(buf, sizeof(buf), "/local/domain/%u", domid);
    return xs_reply(c, r->hdr, XS_GET_DOMAIN_PATH, buf, strlen(buf) + 1);
}

static int op_introduce(struct xs_conn *c, const struct xs_req *r)
{
    const char *vec[3];

    if (get_strings(r, vec, 3) < 3)
        return EINVAL;
    return xs_op_introduce(c, vec, 3)
               ?: xs_reply(c, r->hdr, XS_INTRODUCE, "OK", 3);
}

static int op_release(struct xs_conn *c, const struct xs_req *r)
{
    return xs_op_release(c, onearg(r))
               ?: xs_reply(c, r->hdr, XS_RELEASE, "OK", 3);
}

static int op_resume(struct xs_conn *c, const struct xs_req *r)
{
    return xs_op_resume(c, onearg(r))
               ?: xs_reply(c, r->hdr, XS_RESUME, "OK", 3);
}

static int op_set_target(struct xs_conn *c, const struct xs_req *r)
{
    const char *vec[2];

    if (get_strings(r, vec, 2) < 2)
        return EINVAL;
    return xs_op_set_target(c, vec, 2)
               ?: xs_reply(c, r->hdr, XS_SET_TARGET, "OK", 3);
}

static int op_is_introduced(struct xs_conn *c, const struct xs_req *r)
{
    unsigned int domid;
    int err = parse_domid(onearg(r), &domid);
    bool yes;

    if (err)
        return err;
    yes = domid == XS_DOMID_SELF || xs_domain_is_introduced(c->xsd, domid);
    return xs_reply(c, r->hdr, XS_IS_DOMAIN_INTRODUCED, yes ? "T" : "F", 2);
}

static int op_control(struct xs_conn *c, const struct xs_req *r)
{
    return xs_control(c, r->hdr, r->body, r->len);
}

/* ------------------------------------------------------------ table */

#define XS_OP_PRIV  (1u << 0) /* privileged connections only */
#define XS_OP_NOTID (1u << 1) /* tx_id is ignored */

static const struct xs_op_desc {
    const char *name;
    int (*fn)(struct xs_conn *c, const struct xs_req *r);
    unsigned int flags;
} xs_ops[XS_TYPE_COUNT] = {
    [XS_CONTROL] = {"CONTROL", op_control, XS_OP_PRIV},
    [XS_DIRECTORY] = {"DIRECTORY", op_directory, 0},
    [XS_READ] = {"READ", op_read_data, 0},
    [XS_GET_PERMS] = {"GET_PERMS", op_get_perms, 0},
    [XS_WATCH] = {"WATCH", op_watch, XS_OP_NOTID},
    [XS_UNWATCH] = {"UNWATCH", op_unwatch, XS_OP_NOTID},
    [XS_TRANSACTION_START] = {"TRANSACTION_START", op_txn_start, 0},
    [XS_TRANSACTION_END] = {"TRANSACTION_END", op_txn_end, 0},
    [XS_INTRODUCE] = {"INTRODUCE", op_introduce, XS_OP_PRIV},
    [XS_RELEASE] = {"RELEASE", op_release, XS_OP_PRIV},
    [XS_GET_DOMAIN_PATH] = {"GET_DOMAIN_PATH", op_get_domain_path, 0},
    [XS_WRITE] = {"WRITE", op_write, 0},
    [XS_MKDIR] = {"MKDIR", op_mkdir, 0},
    [XS_RM] = {"RM", op_rm, 0},
    [XS_SET_PERMS] = {"SET_PERMS", op_set_perms, 0},
    [XS_WATCH_EVENT] = {"WATCH_EVENT", NULL, 0},
    [XS_ERROR] = {"ERROR", NULL, 0},
    [XS_IS_DOMAIN_INTRODUCED] = {"IS_DOMAIN_INTRODUCED", op_is_introduced,
                                 XS_OP_PRIV},
    [XS_RESUME] = {"RESUME", op_resume, XS_OP_PRIV},
    [XS_SET_TARGET] = {"SET_TARGET", op_set_target, XS_OP_PRIV},
    [XS_RESET_WATCHES] = {"RESET_WATCHES", op_reset_watches, XS_OP_NOTID},
    [XS_DIRECTORY_PART] = {"DIRECTORY_PART", op_directory_part, 0},
};

int xs_process(struct xs_conn *c, const struct xsd_sockmsg *hdr,
               const char *body)
{
    const struct xs_op_desc *d =
        hdr->type < XS_TYPE_COUNT ? &xs_ops[hdr->type] : NULL;
    struct xs_req r = {.hdr = hdr, .body = body, .len = hdr->len};
    int err;

    if (c->xsd->trace_io)
        xsd_logf(c->xsd, "io: d%u %s req %u tx %u len %u", c->domid,
                 d && d->name ? d->name : "UNKNOWN", hdr->req_id, hdr->tx_id,
                 hdr->len);
    if (!d || !d->fn) {
        err = ENOSYS;
    } else if ((d->flags & XS_OP_PRIV) && !c->privileged) {
        err = EACCES;
    } else {
        c->cur_txn = NULL;
        if (!(d->flags & XS_OP_NOTID) && hdr->tx_id &&
            !(c->cur_txn = xs_txn_lookup(c, hdr->tx_id)))
            err = ENOENT;
        else
            err = d->fn(c, &r);
        c->cur_txn = NULL;
    }
    if (err)
        xs_reply_error(c, hdr, err);
    return err;
}
