/* SPDX-License-Identifier: MIT */
/*
 * libxsl: a small client library for xenstore-lite (and any xenstored
 * that speaks <xen/io/xs_wire.h> over a Unix socket).
 *
 * Two faces over the same wire code:
 *   - a blocking API (struct xsl_handle) for tools such as pvctl;
 *   - a libuv API (struct xsl_async) for daemons such as the backends.
 * Every function returns 0 (or a count) on success and a negative errno
 * on failure; an XS_ERROR reply "EACCES" comes back as -EACCES.
 * Returned strings and arrays are malloc'd; the caller frees them with
 * free() (an array and its strings are one allocation).
 *
 * Socket path: the path argument, else $XENSTORED_PATH, else
 * $PVISOR_RUNDIR/xenstored/socket with the run directory defaulting as
 * the daemon's does (xsl_default_path).
 */
#ifndef XSL_H
#define XSL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define XSL_NO_TXN 0u

enum {
    XSL_PERM_NONE = 0,
    XSL_PERM_READ = 1,
    XSL_PERM_WRITE = 2,
    XSL_PERM_BOTH = 3,
};

struct xsl_perm {
    unsigned int domid;
    unsigned int perms; /* XSL_PERM_* */
};

/* Fills buf with the socket a client should use; returns buf. */
const char *xsl_default_path(char *buf, size_t len);

/* Helpers shared by both faces (and usable on raw replies). */
int xsl_errno_from_name(const char *name);
/* Split a NUL-separated list into a NULL-terminated array. */
int xsl_split(const char *data, size_t len, char ***out, unsigned int *num);
int xsl_perms_parse(const char *data, size_t len, struct xsl_perm **out,
                    unsigned int *num);

/* ------------------------------------------------------------ blocking */

struct xsl_handle;

int xsl_open(const char *path, struct xsl_handle **out);
void xsl_close(struct xsl_handle *h);

/* Any request: iov holds the payload; *reply (NUL-terminated one past
 * *len) may be NULL if not wanted. */
int xsl_request(struct xsl_handle *h, uint32_t type, uint32_t txn,
                const struct iovec *iov, int niov, char **reply, size_t *len);

int xsl_read(struct xsl_handle *h, uint32_t txn, const char *path, char **value,
             size_t *len);
int xsl_write(struct xsl_handle *h, uint32_t txn, const char *path,
              const void *value, size_t len);
int xsl_mkdir(struct xsl_handle *h, uint32_t txn, const char *path);
int xsl_rm(struct xsl_handle *h, uint32_t txn, const char *path);
int xsl_directory(struct xsl_handle *h, uint32_t txn, const char *path,
                  char ***names, unsigned int *num);
int xsl_get_perms(struct xsl_handle *h, uint32_t txn, const char *path,
                  struct xsl_perm **perms, unsigned int *num);
int xsl_set_perms(struct xsl_handle *h, uint32_t txn, const char *path,
                  const struct xsl_perm *perms, unsigned int num);

int xsl_transaction_start(struct xsl_handle *h, uint32_t *txn);
/* commit false aborts; a conflicting commit returns -EAGAIN. */
int xsl_transaction_end(struct xsl_handle *h, uint32_t txn, bool commit);

int xsl_watch(struct xsl_handle *h, const char *path, const char *token);
int xsl_unwatch(struct xsl_handle *h, const char *path, const char *token);
int xsl_reset_watches(struct xsl_handle *h);
/*
 * Watch events arrive on the socket between replies and are queued.  Poll
 * xsl_watch_fd() for input, then drain with xsl_read_watch(h, false, ...)
 * until -EAGAIN (events already queued do not make the fd readable).
 * *path and *token share one allocation: free(*path) only.
 */
int xsl_watch_fd(struct xsl_handle *h);
int xsl_read_watch(struct xsl_handle *h, bool block, char **path, char **token);
typedef void (*xsl_watch_fn)(const char *path, const char *token, void *opaque);
void xsl_set_watch_cb(struct xsl_handle *h, xsl_watch_fn fn, void *opaque);
/* Calls the watch callback for every event available now; count. */
int xsl_dispatch(struct xsl_handle *h);

int xsl_get_domain_path(struct xsl_handle *h, unsigned int domid, char **path);
int xsl_introduce(struct xsl_handle *h, unsigned int domid, uint64_t mfn,
                  unsigned int port);
int xsl_release(struct xsl_handle *h, unsigned int domid);
int xsl_resume(struct xsl_handle *h, unsigned int domid);
int xsl_set_target(struct xsl_handle *h, unsigned int domid,
                   unsigned int target);
/* 1 introduced, 0 not, negative errno. */
int xsl_is_domain_introduced(struct xsl_handle *h, unsigned int domid);
int xsl_control(struct xsl_handle *h, const char *const *argv, int argc,
                char **reply);

/* ------------------------------------------------------------ libuv */

struct xsl_async;
struct uv_loop_s;

/* err is 0 or negative errno; data/len the reply payload. */
typedef void (*xsl_async_fn)(int err, const char *data, size_t len,
                             void *opaque);

/* Connects (blocking, it is a local socket) and starts reading. */
int xsl_async_open(struct uv_loop_s *loop, const char *path,
                   xsl_watch_fn watch_fn, void *watch_opaque,
                   struct xsl_async **out);
/* Outstanding callbacks run with -ECANCELED; memory goes once the loop
 * has run the handle's close.  A connection the daemon closed (its
 * requests failed with -ECONNRESET or -EPROTO) stays allocated until its
 * owner calls this, so the owner must call it exactly once either way. */
void xsl_async_close(struct xsl_async *a);
int xsl_async_request(struct xsl_async *a, uint32_t type, uint32_t txn,
                      const struct iovec *iov, int niov, xsl_async_fn fn,
                      void *opaque);
int xsl_async_read(struct xsl_async *a, uint32_t txn, const char *path,
                   xsl_async_fn fn, void *opaque);
int xsl_async_write(struct xsl_async *a, uint32_t txn, const char *path,
                    const void *value, size_t len, xsl_async_fn fn,
                    void *opaque);
int xsl_async_mkdir(struct xsl_async *a, uint32_t txn, const char *path,
                    xsl_async_fn fn, void *opaque);
int xsl_async_rm(struct xsl_async *a, uint32_t txn, const char *path,
                 xsl_async_fn fn, void *opaque);
int xsl_async_directory(struct xsl_async *a, uint32_t txn, const char *path,
                        xsl_async_fn fn, void *opaque);
int xsl_async_watch(struct xsl_async *a, const char *path, const char *token,
                    xsl_async_fn fn, void *opaque);
int xsl_async_unwatch(struct xsl_async *a, const char *path, const char *token,
                      xsl_async_fn fn, void *opaque);
/* The reply data is the transaction id in decimal. */
int xsl_async_transaction_start(struct xsl_async *a, xsl_async_fn fn,
                                void *opaque);
int xsl_async_transaction_end(struct xsl_async *a, uint32_t txn, bool commit,
                              xsl_async_fn fn, void *opaque);
unsigned int xsl_async_pending(const struct xsl_async *a);

#endif
