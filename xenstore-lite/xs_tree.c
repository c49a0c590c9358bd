// SPDX-License-Identifier: MIT
/*
 * The store itself: a flat hash table from full path to node, as xenstored
 * keeps it.  A node carries its data, the NUL-separated names of its
 * children (in creation order, which is the order DIRECTORY returns) and
 * its permission list.  Also here: path rules and permission strings.
 *
 * Every change of a node gives it a fresh generation number from
 * xsd.generation; transactions compare generations to detect conflicts.
 * Accounting (nodes and bytes per owning domain) is updated whenever the
 * main table changes, in xs_db_replace and xs_db_remove.
 */
#include "xs_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ hash */

uint32_t xs_hash_str(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */

    while (*s) {
        h ^= (unsigned char)*s++;
        h *= 16777619u;
    }
    return h;
}

int xs_htab_init(struct xs_htab *t)
{
    t->nbuckets = 64;
    t->count = 0;
    t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
    return t->buckets ? 0 : -ENOMEM;
}

void xs_htab_destroy(struct xs_htab *t)
{
    free(t->buckets);
    t->buckets = NULL;
    t->nbuckets = t->count = 0;
}

struct xs_hentry *xs_htab_find(const struct xs_htab *t, const char *key)
{
    uint32_t h = xs_hash_str(key);
    struct xs_hentry *e;

    for (e = t->buckets[h & (t->nbuckets - 1)]; e; e = e->next)
        if (e->hash == h && !strcmp(e->key, key))
            return e;
    return NULL;
}

static void htab_grow(struct xs_htab *t)
{
    size_t n = t->nbuckets * 2, i;
    struct xs_hentry **b = calloc(n, sizeof(*b)), *e, *next;

    if (!b)
        return; /* keep the longer chains; still correct */
    for (i = 0; i < t->nbuckets; i++) {
        for (e = t->buckets[i]; e; e = next) {
            next = e->next;
            e->next = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
}

int xs_htab_insert(struct xs_htab *t, struct xs_hentry *e)
{
    struct xs_hentry **b;

    e->hash = xs_hash_str(e->key);
    if (t->count >= t->nbuckets * 2)
        htab_grow(t);
    b = &t->buckets[e->hash & (t->nbuckets - 1)];
    e->next = *b;
    *b = e;
    t->count++;
    return 0;
}

void xs_htab_remove(struct xs_htab *t, struct xs_hentry *e)
{
    struct xs_hentry **p = &t->buckets[e->hash & (t->nbuckets - 1)];

    for (; *p; p = &(*p)->next) {
        if (*p == e) {
            *p = e->next;
            t->count--;
            return;
        }
    }
}

void xs_htab_each(struct xs_htab *t, void (*fn)(struct xs_hentry *, void *),
                  void *arg)
{
    size_t i;
    struct xs_hentry *e, *next;

    for (i = 0; i < t->nbuckets; i++) {
        for (e = t->buckets[i]; e; e = next) {
            next = e->next;
            fn(e, arg);
        }
    }
}

/* ------------------------------------------------------------ nodes */

struct xs_node *xs_node_new(const char *name)
{
    struct xs_node *n = calloc(1, sizeof(*n));

    if (!n)
        return NULL;
    n->h.key = strdup(name);
    n->perms = calloc(1, sizeof(*n->perms));
    if (!n->h.key || !n->perms) {
        xs_node_free(n);
        return NULL;
    }
    n->nperms = 1;
    n->generation = XS_NO_GENERATION;
    return n;
}

void xs_node_free(struct xs_node *n)
{
    if (!n)
        return;
    free(n->h.key);
    free(n->data);
    free(n->children);
    free(n->perms);
    free(n);
}

static void *memdup(const void *p, size_t len)
{
    void *q;

    if (!len)
        return NULL;
    q = malloc(len);
    if (q)
        memcpy(q, p, len);
    return q;
}

struct xs_node *xs_node_dup(const struct xs_node *n)
{
    struct xs_node *d = calloc(1, sizeof(*d));

    if (!d)
        return NULL;
    d->h.key = strdup(n->h.key);
    d->generation = n->generation;
    d->datalen = n->datalen;
    d->childlen = n->childlen;
    d->nperms = n->nperms;
    d->data = memdup(n->data, n->datalen);
    d->children = memdup(n->children, n->childlen);
    d->perms = memdup(n->perms, n->nperms * sizeof(*n->perms));
    if (!d->h.key || (n->datalen && !d->data) ||
        (n->childlen && !d->children) || !d->perms) {
        xs_node_free(d);
        return NULL;
    }
    return d;
}

int xs_node_set_data(struct xs_node *n, const void *data, unsigned int len)
{
    void *p = NULL;

    if (len && !(p = memdup(data, len)))
        return ENOMEM;
    free(n->data);
    n->data = p;
    n->datalen = len;
    return 0;
}

int xs_node_set_perms(struct xs_node *n, const struct xs_perm *p,
                      unsigned int num)
{
    struct xs_perm *q = memdup(p, num * sizeof(*p));

    if (!q)
        return ENOMEM;
    free(n->perms);
    n->perms = q;
    n->nperms = num;
    return 0;
}

int xs_node_add_child(struct xs_node *n, const char *base)
{
    size_t len = strlen(base) + 1;
    char *c = realloc(n->children, n->childlen + len);

    if (!c)
        return ENOMEM;
    memcpy(c + n->childlen, base, len);
    n->children = c;
    n->childlen += len;
    return 0;
}

int xs_node_del_child(struct xs_node *n, const char *base)
{
    unsigned int off, len;

    for (off = 0; off < n->childlen; off += len) {
        len = strlen(n->children + off) + 1;
        if (!strcmp(n->children + off, base)) {
            memmove(n->children + off, n->children + off + len,
                    n->childlen - off - len);
            n->childlen -= len;
            return 0;
        }
    }
    return ENOENT;
}

unsigned int xs_node_size(const struct xs_node *n)
{
    /* xenstored's header (generation, counts) is 16 bytes, a permission
     * entry 8: keep the same arithmetic so node-size means the same. */
    return 16 + n->nperms * 8 + n->datalen + n->childlen;
}

unsigned int xs_node_memory(const struct xs_node *n)
{
    return xs_node_size(n) + strlen(n->h.key);
}

/* ------------------------------------------------------------ paths */

const char *xs_implicit_path(const struct xs_conn *c, char *buf, size_t len)
{
    snprintf(buf, len, "/local/domain/%u", c->domid);
    return buf;
}

static bool valid_chars(const char *s)
{
    static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             "abcdefghijklmnopqrstuvwxyz"
                             "0123456789-/_@";
    return s[strspn(s, ok)] == '\0';
}

/*
 * Turn a client path into a full one: relative paths are below the
 * connection's /local/domain/N.  Returns 0 and a malloc'd *out, or EINVAL.
 * Limits: the part below /local/domain/N/ (or the whole path elsewhere)
 * must fit the path-max quota for unprivileged connections; everyone is
 * held to XENSTORE_ABS_PATH_MAX.
 */
int xs_canonicalize(struct xs_conn *c, const char *in, bool allow_special,
                    char **out)
{
    char prefix[32], *name;
    size_t len;
    unsigned int domid;
    int off = 0;

    *out = NULL;
    if (!in || !*in || !valid_chars(in) || (in[0] == '@' && !allow_special))
        return EINVAL;
    if (in[0] != '/' && in[0] != '@') {
        xs_implicit_path(c, prefix, sizeof(prefix));
        if (strlen(in) > XENSTORE_REL_PATH_MAX)
            return EINVAL;
        if (asprintf(&name, "%s/%s", prefix, in) < 0)
            return ENOMEM;
    } else {
        if (!(name = strdup(in)))
            return ENOMEM;
    }
    len = strlen(name);
    if (sscanf(name, "/local/domain/%5u/%n", &domid, &off) != 1)
        off = 0;
    if ((len > 1 && name[len - 1] == '/') || strstr(name, "//") ||
        len > XENSTORE_ABS_PATH_MAX ||
        xs_acc_over(c, XS_ACC_PATH_LEN, (long)(len - off))) {
        free(name);
        return EINVAL;
    }
    *out = name;
    return 0;
}

/* Is child equal to parent or below it?  "/" is everyone's parent. */
bool xs_path_is_child(const char *child, const char *parent)
{
    size_t len = strlen(parent);

    if (!strcmp(parent, "/"))
        return child[0] == '/';
    return !strncmp(child, parent, len) &&
           (child[len] == '/' || child[len] == '\0');
}

/* Parent of a full path other than "/"; malloc'd. */
char *xs_path_parent(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (!slash || slash == path)
        return strdup("/");
    return strndup(path, slash - path);
}

const char *xs_path_base(const char *path)
{
    return strrchr(path, '/') + 1;
}

/* ------------------------------------------------------------ permissions */

bool xs_conn_unprivileged(const struct xs_conn *c)
{
    return c && !c->privileged;
}

/*
 * What may c do to a node with these permissions?  Privileged connections
 * and the owner (or a domain whose SET_TARGET is the owner) get
 * everything; otherwise the first entry naming the domain, else the
 * default in perms[0].
 */
unsigned int xs_perm_for_conn(const struct xs_conn *c, const struct xs_perm *p,
                              unsigned int num)
{
    const unsigned int all = XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;
    unsigned int i, target = c->domain->target;

    if (c->privileged || p[0].id == c->domid || p[0].id == target)
        return all;
    for (i = 1; i < num; i++)
        if (p[i].id == c->domid || p[i].id == target)
            return p[i].perms & all;
    return p[0].perms & all;
}

int xs_perm_parse(const char *s, struct xs_perm *out)
{
    char *end;
    unsigned long id;

    switch (s[0]) {
    case 'n':
        out->perms = XS_PERM_NONE;
        break;
    case 'r':
        out->perms = XS_PERM_READ;
        break;
    case 'w':
        out->perms = XS_PERM_WRITE;
        break;
    case 'b':
        out->perms = XS_PERM_READ | XS_PERM_WRITE;
        break;
    default:
        return EINVAL;
    }
    if (s[1] < '0' || s[1] > '9')
        return EINVAL;
    errno = 0;
    id = strtoul(s + 1, &end, 10);
    if (*end || errno || id > 0xFFFF)
        return EINVAL;
    out->id = id;
    return 0;
}

int xs_perm_format(const struct xs_perm *p, char *buf, size_t len)
{
    static const char letter[] = "nrwb";

    return snprintf(buf, len, "%c%u", letter[p->perms & 3], p->id);
}

/* ------------------------------------------------------------ main db */

struct xs_node *xs_db_get(struct xsd *x, const char *name)
{
    struct xs_hentry *e = xs_htab_find(&x->nodes, name);

    return e ? (struct xs_node *)e : NULL;
}

static void account_node(struct xsd *x, const struct xs_node *n, int sign)
{
    struct xs_domain *d;

    if (n->h.key[0] == '@')
        return; /* special nodes belong to nobody's quota */
    xs_acc_add(x, xs_node_owner(n), XS_ACC_NODES, sign);
    xs_acc_add(x, xs_node_owner(n), XS_ACC_MEMORY,
               sign * (int)xs_node_memory(n));
    d = xs_domain_get(x, xs_node_owner(n));
    if (d)
        d->node_mem += sign * (long)xs_node_memory(n);
}

/* Insert or replace n (ownership passes to the table). */
void xs_db_replace(struct xsd *x, struct xs_node *n)
{
    struct xs_node *old = xs_db_get(x, n->h.key);

    if (old) {
        account_node(x, old, -1);
        xs_htab_remove(&x->nodes, &old->h);
        xs_node_free(old);
    }
    account_node(x, n, +1);
    xs_htab_insert(&x->nodes, &n->h);
}

void xs_db_remove(struct xsd *x, const char *name)
{
    struct xs_node *old = xs_db_get(x, name);

    if (old) {
        account_node(x, old, -1);
        xs_htab_remove(&x->nodes, &old->h);
        xs_node_free(old);
    }
}

/*
 * Transaction-aware access used by the operation handlers.  xs_db_read
 * returns a private copy the caller frees; writes take ownership of n.
 */
struct xs_node *xs_db_read(struct xs_conn *c, const char *name, int *err)
{
    struct xs_node *n;

    if (c && c->cur_txn)
        return xs_txn_read(c->cur_txn, name, err);
    n = xs_db_get(c->xsd, name);
    if (!n) {
        *err = ENOENT;
        return NULL;
    }
    n = xs_node_dup(n);
    if (!n)
        *err = ENOMEM;
    return n;
}

int xs_db_write(struct xs_conn *c, struct xs_node *n, bool create)
{
    struct xs_node *old = xs_db_get(c->xsd, n->h.key);
    long mem = c->domain->acc[XS_ACC_MEMORY] + xs_node_memory(n);

    /* Growth is charged to the writer, as xenstored charges its conn. */
    if (old && xs_node_owner(old) == c->domid)
        mem -= xs_node_memory(old);
    if (xs_acc_over(c, XS_ACC_NODE_SIZE, xs_node_size(n)) ||
        xs_acc_over(c, XS_ACC_MEMORY, mem)) {
        xs_node_free(n);
        if (c->cur_txn)
            xs_txn_fail(c->cur_txn);
        return ENOSPC;
    }
    (void)create;
    n->generation = ++c->xsd->generation;
    if (c->cur_txn)
        return xs_txn_write(c->cur_txn, n);
    xs_db_replace(c->xsd, n);
    return 0;
}

int xs_db_delete(struct xs_conn *c, const char *name)
{
    c->xsd->generation++;
    if (c->cur_txn)
        return xs_txn_delete(c->cur_txn, name);
    xs_db_remove(c->xsd, name);
    return 0;
}
