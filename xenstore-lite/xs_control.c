// SPDX-License-Identifier: MIT
/*
 * XS_CONTROL commands (what `xenstore-control` sends), privileged only:
 *
 *   check               check the store and repair it: child entries
 *                       without a node are dropped, nodes unreachable
 *                       from "/" are deleted, per-domain node counts are
 *                       recounted; replies "OK"
 *   log [on|off|+io|-io] without argument lists the switches; "on"/"off"
 *                       turn the daemon log on and off, "+io"/"-io" the
 *                       per-request trace
 *   print STRING        writes STRING to the log
 *   quota [DOMID]       the hard quotas, or one domain's usage
 *   quota set NAME VAL  change a hard quota at run time
 *   quota-soft [set NAME VAL]  the same for soft quotas
 *   help                this list
 *
 * The reply is a NUL-terminated text, or "OK".  An unknown command is
 * EINVAL, as in xenstored.
 */
#include "xs_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char control_help[] = "Available commands:\n"
                                   "check\n"
                                   "log [on|off|+io|-io]\n"
                                   "print <string>\n"
                                   "quota [set <name> <val>|<domid>]\n"
                                   "quota-soft [set <name> <val>]\n"
                                   "help\n";

/* ------------------------------------------------------------ check */

struct check_state {
    struct xsd *x;
    unsigned int fixed;
    bool removed;
};

static bool listed_in_parent(struct xsd *x, const char *name)
{
    char *pname = xs_path_parent(name);
    const struct xs_node *p = pname ? xs_db_get(x, pname) : NULL;
    const char *base = xs_path_base(name);
    unsigned int off;

    free(pname);
    if (!p)
        return false;
    for (off = 0; off < p->childlen; off += strlen(p->children + off) + 1)
        if (!strcmp(p->children + off, base))
            return true;
    return false;
}

static void check_node(struct xs_hentry *e, void *arg)
{
    struct check_state *s = arg;
    struct xs_node *n = (struct xs_node *)e;
    unsigned int off = 0, len;
    char *child;

    if (n->h.key[0] == '@')
        return;
    if (strcmp(n->h.key, "/") && !listed_in_parent(s->x, n->h.key)) {
        xsd_logf(s->x, "check: removing orphan %s", n->h.key);
        xs_db_remove(s->x, n->h.key);
        s->fixed++;
        s->removed = true;
        return;
    }
    while (off < n->childlen) {
        len = strlen(n->children + off) + 1;
        if (asprintf(&child, "%s/%s", strcmp(n->h.key, "/") ? n->h.key : "",
                     n->children + off) < 0)
            return;
        if (!xs_db_get(s->x, child)) {
            xsd_logf(s->x, "check: dropping dangling child %s", child);
            xs_node_del_child(n, n->children + off);
            s->fixed++;
        } else {
            off += len;
        }
        free(child);
    }
}

static void zero_counts(struct xs_hentry *e, void *arg)
{
    struct xs_domain *d = (struct xs_domain *)e;

    d->acc[XS_ACC_NODES] = 0;
    d->acc[XS_ACC_MEMORY] -= d->node_mem;
    d->node_mem = 0;
}

static void count_node(struct xs_hentry *e, void *arg)
{
    struct xs_node *n = (struct xs_node *)e;
    struct xs_domain *d;

    if (n->h.key[0] == '@')
        return;
    d = xs_domain_get(arg, xs_node_owner(n));
    if (d) {
        d->acc[XS_ACC_NODES]++;
        d->acc[XS_ACC_MEMORY] += xs_node_memory(n);
        d->node_mem += xs_node_memory(n);
    }
}

int xs_check_store(struct xsd *x, unsigned int *fixed)
{
    struct check_state s = {.x = x};

    /* Each pass may orphan the children of what it removed. */
    do {
        s.removed = false;
        xs_htab_each(&x->nodes, check_node, &s);
    } while (s.removed);
    xs_htab_each(&x->domains, zero_counts, NULL);
    xs_htab_each(&x->nodes, count_node, x);
    if (fixed)
        *fixed = s.fixed;
    return 0;
}

/* ------------------------------------------------------------ commands */

static int reply_text(struct xs_conn *c, const struct xsd_sockmsg *req,
                      const char *text)
{
    return xs_reply(c, req, XS_CONTROL, text, strlen(text) + 1);
}

static int control_quota(struct xs_conn *c, const struct xsd_sockmsg *req,
                         const char **argv, int argc, bool soft)
{
    struct xsd *x = c->xsd;
    char buf[1024], spec[96];
    size_t off = 0;
    unsigned int i;
    struct xs_domain *d = NULL;

    if (argc == 3 && !strcmp(argv[0], "set")) {
        snprintf(spec, sizeof(spec), "%s=%s", argv[1], argv[2]);
        if (xsd_set_quota(x, spec, soft))
            return EINVAL;
        return reply_text(c, req, "OK");
    }
    if (argc == 1 && !soft) {
        char *end;
        unsigned long id = strtoul(argv[0], &end, 10);

        if (*end || !(d = xs_domain_find(x, id)))
            return ENOENT;
        off += snprintf(buf, sizeof(buf), "Domain %lu:\n", id);
    } else if (argc) {
        return EINVAL;
    }
    for (i = 0; i < XS_ACC_COUNT && off < sizeof(buf); i++) {
        unsigned int lim = soft ? x->quota[i].soft : x->quota[i].hard;

        if (d && i <= XS_ACC_TRANSACTIONS)
            off +=
                snprintf(buf + off, sizeof(buf) - off, "%-17s: %8d (max %8u)\n",
                         x->quota[i].name, d->acc[i], lim);
        else if (!d && (!soft || lim))
            off += snprintf(buf + off, sizeof(buf) - off, "%-17s: %8u %s\n",
                            x->quota[i].name, lim, x->quota[i].descr);
    }
    return reply_text(c, req, buf);
}

int xs_control(struct xs_conn *c, const struct xsd_sockmsg *req,
               const char *body, unsigned int len)
{
    const char *argv[8];
    unsigned int off = 0;
    int argc = 0;
    const char *nul;
    unsigned int fixed;

    while (off < len && (nul = memchr(body + off, '\0', len - off))) {
        if (argc == 8)
            return E2BIG;
        argv[argc++] = body + off;
        off = nul - body + 1;
    }
    if (!argc)
        return EINVAL;
    if (!strcmp(argv[0], "check")) {
        xs_check_store(c->xsd, &fixed);
        xsd_logf(c->xsd, "check: store checked, %u repairs", fixed);
        return reply_text(c, req, "OK");
    }
    if (!strcmp(argv[0], "log")) {
        if (argc == 1)
            return reply_text(c, req,
                              c->xsd->trace_io
                                  ? "Log switch settings:\nio: on\n"
                                  : "Log switch settings:\nio: "
                                    "off\n");
        if (argc != 2)
            return EINVAL;
        if (!strcmp(argv[1], "+io"))
            c->xsd->trace_io = true;
        else if (!strcmp(argv[1], "-io"))
            c->xsd->trace_io = false;
        else if (!strcmp(argv[1], "on") || !strcmp(argv[1], "off"))
            c->xsd->log_off = argv[1][1] == 'f';
        else
            return EINVAL;
        return reply_text(c, req, "OK");
    }
    if (!strcmp(argv[0], "print")) {
        if (argc != 2)
            return EINVAL;
        xsd_logf(c->xsd, "control: %s", argv[1]);
        return reply_text(c, req, "OK");
    }
    if (!strcmp(argv[0], "quota"))
        return control_quota(c, req, argv + 1, argc - 1, false);
    if (!strcmp(argv[0], "quota-soft"))
        return control_quota(c, req, argv + 1, argc - 1, true);
    if (!strcmp(argv[0], "help"))
        return reply_text(c, req, control_help);
    return EINVAL;
}
