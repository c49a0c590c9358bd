/* SPDX-License-Identifier: MIT */
/*
 * xenstore-lite engine: the internal interface shared by the store, the
 * operation handlers, the transport glue and the tests.
 *
 * The engine knows nothing about sockets or event loops.  A connection is
 * fed raw bytes (xs_conn_feed) and produces raw bytes (xs_conn_out_peek /
 * xs_conn_out_advance); the transport that owns it (a Unix socket in the
 * daemon, a xenstore_domain_interface ring, or a unit test) moves them.
 * Everything here runs on one thread: the daemon is a single libuv loop.
 *
 * Wire format, error names and limits come from <xen/io/xs_wire.h>.
 */
#ifndef XS_CORE_H
#define XS_CORE_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

#define XS_NO_GENERATION UINT64_MAX
#define XS_DOMID_SELF    0x7FF0U
#define XS_DOMID_MAX     0x7FEFU

/* Node permission bits (internal; the wire carries "n0", "r5", ...). */
enum {
    XS_PERM_NONE = 0,
    XS_PERM_READ = 1,
    XS_PERM_WRITE = 2,
    XS_PERM_OWNER = 4,
};

struct xs_perm {
    uint32_t id;
    uint32_t perms;
};

/* ------------------------------------------------------------ hash */

/* An intrusive string-keyed hash table (chained, power-of-two sized). */
struct xs_hentry {
    struct xs_hentry *next;
    char *key;
    uint32_t hash;
};

struct xs_htab {
    struct xs_hentry **buckets;
    size_t nbuckets;
    size_t count;
};

int xs_htab_init(struct xs_htab *t);
void xs_htab_destroy(struct xs_htab *t);
struct xs_hentry *xs_htab_find(const struct xs_htab *t, const char *key);
int xs_htab_insert(struct xs_htab *t, struct xs_hentry *e);
void xs_htab_remove(struct xs_htab *t, struct xs_hentry *e);
/* Calls fn for every entry; fn may remove the entry it is given. */
void xs_htab_each(struct xs_htab *t, void (*fn)(struct xs_hentry *, void *),
                  void *arg);
uint32_t xs_hash_str(const char *s);

/* ------------------------------------------------------------ nodes */

struct xs_node {
    struct xs_hentry h; /* h.key is the full path ("/a/b", "@x") */
    uint64_t generation;
    char *data;
    unsigned int datalen;
    char *children; /* NUL-separated base names, insertion order */
    unsigned int childlen;
    struct xs_perm *perms; /* perms[0]: owner and default access */
    unsigned int nperms;
};

struct xs_node *xs_node_new(const char *name);
struct xs_node *xs_node_dup(const struct xs_node *n);
void xs_node_free(struct xs_node *n);
int xs_node_set_data(struct xs_node *n, const void *data, unsigned int len);
int xs_node_set_perms(struct xs_node *n, const struct xs_perm *p,
                      unsigned int num);
int xs_node_add_child(struct xs_node *n, const char *base);
int xs_node_del_child(struct xs_node *n, const char *base);
/* Accounted size, as xenstored counts it for the node-size quota. */
unsigned int xs_node_size(const struct xs_node *n);
static inline uint32_t xs_node_owner(const struct xs_node *n)
{
    return n->perms[0].id;
}

/* ------------------------------------------------------------ quotas */

enum xs_acc {
    XS_ACC_NODES,       /* nodes owned by a domain */
    XS_ACC_WATCHES,     /* watches per domain */
    XS_ACC_OUTSTANDING, /* unsent replies per domain */
    XS_ACC_MEMORY,      /* bytes of nodes, watches, queued output */
    XS_ACC_TRANSACTIONS,
    XS_ACC_TXN_NODES,  /* nodes touched by one transaction */
    XS_ACC_NODE_PERMS, /* permission entries per node */
    XS_ACC_PATH_LEN,   /* path length below /local/domain/N */
    XS_ACC_NODE_SIZE,  /* accounted size of one node */
    XS_ACC_COUNT
};

struct xs_quota {
    const char *name;
    const char *descr;
    unsigned int hard;
    unsigned int soft; /* 0: none */
};

/* ------------------------------------------------------------ domains */

/*
 * How the daemon reaches a guest's xenstore ring.  INTRODUCE maps the
 * page and binds the event channel through these; the daemon polls fd()
 * and calls xs_domain_event() for each pending port.  NULL ops mean "no
 * hypervisor": INTRODUCE still records the domain.
 */
struct xenstore_domain_interface;
struct xs_ring_backend {
    /* Map domid's xenstore page (frame mfn); NULL and errno on failure. */
    struct xenstore_domain_interface *(*map)(void *priv, unsigned int domid,
                                             uint64_t mfn);
    void (*unmap)(void *priv, unsigned int domid,
                  struct xenstore_domain_interface *intf);
    /* Bind to the guest's unbound port; local port or -errno. */
    int (*bind)(void *priv, unsigned int domid, uint32_t remote_port);
    void (*unbind)(void *priv, int local_port);
    int (*notify)(void *priv, int local_port);
    /* Event delivery (optional for a backend driven by hand, as in the
     * unit tests): the daemon polls event_fd() and, when it is readable,
     * calls pending() until it returns a negative errno; each local port
     * returned goes to xs_domain_event().  Like /dev/xen/evtchn. */
    int (*event_fd)(void *priv);
    int (*pending)(void *priv);
    /* Optional: where a domain is (XS_DOM_*), or -errno.  pending()
     * returns XS_RING_DOM_EXC when the hypervisor says domains changed
     * state (VIRQ_DOM_EXC); the daemon then asks about every introduced
     * domain, as xenstored's domain_cleanup() does. */
    int (*domain_state)(void *priv, unsigned int domid);
    void *priv;
};
#define XS_RING_DOM_EXC 0x7fffffff
enum { XS_DOM_GONE, XS_DOM_SHUTDOWN, XS_DOM_RUNNING };

/* A backend for a pvisor machine in rundir (xs_ring_pvisor.c). */
const struct xs_ring_backend *xs_ring_pvisor_open(const char *rundir, int *err);
void xs_ring_pvisor_close(const struct xs_ring_backend *rb);

/* A backend serving rings from files in a directory (xs_ring_file.c):
 * for tests and demonstrations without a hypervisor. */
const struct xs_ring_backend *xs_ring_file_open(const char *dir);
void xs_ring_file_close(const struct xs_ring_backend *rb);

struct xs_conn;
struct xs_domain {
    struct xs_hentry h; /* key: decimal domid */
    unsigned int domid;
    bool introduced;
    bool shutdown;
    int acc[XS_ACC_COUNT]; /* counters for the counted kinds */
    long node_mem;         /* the nodes' share of acc[XS_ACC_MEMORY] */
    bool soft_warned;
    unsigned int target; /* SET_TARGET; XS_DOMID_SELF when unset */
    unsigned int nconns; /* live connections acting as this domain */
    struct xs_conn *ring_conn;
    struct xenstore_domain_interface *intf;
    uint64_t mfn;
    int local_port;
};

/* ------------------------------------------------------------ daemon */

struct xs_watch;
struct xs_txn;

struct xsd {
    struct xs_htab nodes;
    struct xs_htab domains;
    struct xs_conn *conns;    /* all live connections */
    struct xs_conn *internal; /* privileged, for the daemon's own changes */
    uint64_t generation;
    struct xs_quota quota[XS_ACC_COUNT];
    unsigned int watch_event_timeout_ms; /* unprivileged connections */
    bool keep_orphans;
    bool trace_io;
    bool log_off;                  /* CONTROL log off */
    unsigned long max_conn_output; /* bytes queued before a drop */
    const struct xs_ring_backend *ring;
    uint64_t (*now_ms)(void);
    void (*log)(void *arg, const char *msg);
    void *log_arg;
    /* Set by the transport: a connection has new output or must go. */
    void (*kick)(struct xs_conn *c);
    /* statistics */
    unsigned long long nr_requests, nr_errors, nr_events, nr_dropped_events;
};

int xsd_init(struct xsd *x);
void xsd_destroy(struct xsd *x);
void xsd_logf(struct xsd *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int xsd_set_quota(struct xsd *x, const char *spec, bool soft);
int xsd_set_timeout(struct xsd *x, const char *spec);

/* ------------------------------------------------------------ connections */

struct xs_msg {
    struct xs_msg *next;
    uint64_t deadline_ms; /* watch events to unprivileged conns */
    uint32_t len;         /* header + body */
    uint32_t used;
    bool is_event;
    unsigned char bytes[]; /* struct xsd_sockmsg + body */
};

enum xs_conn_kind { XS_CONN_SOCKET, XS_CONN_RING, XS_CONN_TEST };

struct xs_conn {
    struct xs_conn *next, **pprev; /* xsd.conns */
    struct xsd *xsd;
    enum xs_conn_kind kind;
    unsigned int domid;
    bool privileged;
    struct xs_domain *domain; /* accounting; never NULL */
    /* input framing */
    struct xsd_sockmsg in_hdr;
    unsigned int in_used; /* bytes of header + body received */
    char in_buf[XENSTORE_PAYLOAD_MAX + 1];
    bool in_ready; /* whole message held, waiting for quota */
    /* output */
    struct xs_msg *out_head, **out_tail;
    unsigned long out_bytes;
    unsigned int out_replies;
    /* per-connection state */
    struct xs_watch *watches;
    struct xs_txn *txns;
    struct xs_txn *cur_txn; /* during one request */
    uint32_t next_txn_id;
    bool dead; /* protocol error or release: transport must close */
    const char *dead_reason;
    void *transport; /* owner's pointer */
};

struct xs_conn *xs_conn_new(struct xsd *x, enum xs_conn_kind kind,
                            unsigned int domid, bool privileged);
void xs_conn_free(struct xs_conn *c);
/*
 * Consume up to len bytes of input; complete requests are processed.
 * Returns the number of bytes consumed (less than len when the connection
 * is over its outstanding-request quota), or -EPROTO/-EBADMSG when the
 * stream is malformed: the connection is then dead and must be closed.
 */
long xs_conn_feed(struct xs_conn *c, const void *buf, size_t len);
/* Process a request held back by the outstanding quota; true if done. */
bool xs_conn_resume(struct xs_conn *c);
bool xs_conn_can_read(const struct xs_conn *c);
size_t xs_conn_out_peek(struct xs_conn *c, const void **p);
void xs_conn_out_advance(struct xs_conn *c, size_t n);
void xs_conn_mark_dead(struct xs_conn *c, const char *why);

/* Reply helpers used by the operation handlers. */
int xs_reply(struct xs_conn *c, const struct xsd_sockmsg *req, uint32_t type,
             const void *body, size_t len);
void xs_reply_error(struct xs_conn *c, const struct xsd_sockmsg *req, int err);
void xs_send_event(struct xs_conn *c, const char *path, const char *token);
const char *xs_error_name(int err);

/* ------------------------------------------------------------ store */

/* Paths */
const char *xs_implicit_path(const struct xs_conn *c, char *buf, size_t len);
int xs_canonicalize(struct xs_conn *c, const char *in, bool allow_special,
                    char **out);
bool xs_path_is_child(const char *child, const char *parent);
char *xs_path_parent(const char *path);
const char *xs_path_base(const char *path);

/* Permissions */
unsigned int xs_perm_for_conn(const struct xs_conn *c, const struct xs_perm *p,
                              unsigned int num);
int xs_perm_parse(const char *s, struct xs_perm *out);
int xs_perm_format(const struct xs_perm *p, char *buf, size_t len);

/* Node access in the connection's current transaction (or the main db). */
struct xs_node *xs_db_read(struct xs_conn *c, const char *name, int *err);
int xs_db_write(struct xs_conn *c, struct xs_node *n, bool create);
int xs_db_delete(struct xs_conn *c, const char *name);
/* Direct main-db access (no transaction). */
struct xs_node *xs_db_get(struct xsd *x, const char *name);
void xs_db_replace(struct xsd *x, struct xs_node *n);
void xs_db_remove(struct xsd *x, const char *name);

/* Operation helpers shared by ops, transactions and domains. */
int xs_lookup(struct xs_conn *c, const char *name, unsigned int perm,
              struct xs_node **out);
int xs_create_node(struct xs_conn *c, const char *name, const void *data,
                   unsigned int len, struct xs_node **out);
int xs_rm_node(struct xs_conn *c, const char *name);
int xs_process(struct xs_conn *c, const struct xsd_sockmsg *hdr,
               const char *body);

/* Accounting */
struct xs_domain *xs_domain_get(struct xsd *x, unsigned int domid);
struct xs_domain *xs_domain_find(struct xsd *x, unsigned int domid);
void xs_acc_add(struct xsd *x, unsigned int domid, enum xs_acc what, int v);
/* True when an unprivileged conn is at or over a hard quota. */
bool xs_acc_over(const struct xs_conn *c, enum xs_acc what, long value);
bool xs_conn_unprivileged(const struct xs_conn *c);
unsigned int xs_node_memory(const struct xs_node *n);

/* Watches */
int xs_watch_add(struct xs_conn *c, const char *path, const char *token);
int xs_watch_remove(struct xs_conn *c, const char *path, const char *token);
void xs_watch_remove_all(struct xs_conn *c);
/* Fire watches for name.  node is the node (before deletion) whose
 * permissions decide who may see the event; old may hold earlier perms. */
void xs_watch_fire(struct xsd *x, struct xs_conn *origin, const char *name,
                   const struct xs_node *node, bool exact,
                   const struct xs_perm *old, unsigned int nold);
void xs_watch_fire_special(struct xsd *x, const char *name);
unsigned int xs_watch_count(const struct xs_conn *c);

/* Transactions */
int xs_txn_start(struct xs_conn *c, uint32_t *id);
int xs_txn_end(struct xs_conn *c, struct xs_txn *t, bool commit);
struct xs_txn *xs_txn_lookup(struct xs_conn *c, uint32_t id);
void xs_txn_free_all(struct xs_conn *c);
struct xs_node *xs_txn_read(struct xs_txn *t, const char *name, int *err);
int xs_txn_write(struct xs_txn *t, struct xs_node *n);
int xs_txn_delete(struct xs_txn *t, const char *name);
void xs_txn_queue_watch(struct xs_txn *t, const char *name, bool exact);
void xs_txn_fail(struct xs_txn *t);

/* Domains and CONTROL */
int xs_op_introduce(struct xs_conn *c, const char *const *argv, int argc);
int xs_op_release(struct xs_conn *c, const char *arg);
int xs_op_resume(struct xs_conn *c, const char *arg);
int xs_op_set_target(struct xs_conn *c, const char *const *argv, int argc);
bool xs_domain_is_introduced(struct xsd *x, unsigned int domid);
void xs_domain_event(struct xsd *x, int local_port);
void xs_domains_check(struct xsd *x); /* after VIRQ_DOM_EXC */
void xs_domain_service(struct xsd *x, struct xs_domain *d);
int xs_control(struct xs_conn *c, const struct xsd_sockmsg *req,
               const char *body, unsigned int len);
int xs_check_store(struct xsd *x, unsigned int *fixed);

/* Ring transport (xs_ring.c) */
struct xs_ring_status {
    bool notify; /* the other end should be signalled */
    bool error;  /* ring indexes or payload were bad: close */
};
void xs_ring_service(struct xs_conn *c, struct xenstore_domain_interface *intf,
                     struct xs_ring_status *st);

#endif
