/* SPDX-License-Identifier: MIT */
/*
 * A xenstore client over the guest's ring (xen/io/xs_wire.h): the page at
 * start_info->store_mfn and the event channel start_info->store_evtchn,
 * which the toolstack introduced to the xenstore daemon.  Requests go one
 * at a time; watch events that arrive meanwhile are queued for
 * xenbus_wait_watch().  Paths may be absolute or relative to the domain's
 * home (/local/domain/N).  Errors are negative Xen errno values (the
 * daemon's XS_ERROR names mapped back: ENOENT, EACCES, EINVAL, ...).
 */
#ifndef GUEST_XENBUS_H
#define GUEST_XENBUS_H

#include "guest.h"

/* Maps the ring and binds its event; 0 or a negative error. */
long xenbus_init(void);
/* Reads path into buf (NUL-terminated, truncated to size); its length. */
long xenbus_read(const char *path, char *buf, size_t size);
long xenbus_write(const char *path, const char *value);
long xenbus_rm(const char *path);
long xenbus_mkdir(const char *path);
/* The children of path, NUL-separated into buf; how many there are. */
long xenbus_directory(const char *path, char *buf, size_t size);
long xenbus_watch(const char *path, const char *token);
long xenbus_unwatch(const char *path, const char *token);
/*
 * Waits up to timeout_ns for a watch event with this token (any token if
 * NULL); copies the path that fired into path (size bytes).  0 on an
 * event, -XEN_ETIMEDOUT.  A watch fires once when it is set, as Xen's do.
 * The timeout uses the single-shot timer: call timer_init() first.
 */
long xenbus_wait_watch(const char *token, char *path, size_t size,
                       uint64_t timeout_ns);
/* Requests made and watch events received, for tests. */
extern unsigned long xenbus_requests, xenbus_events;
/* Watch events not kept: the queue (32, duplicates merged) was full. */
extern unsigned long xenbus_events_lost;

#endif /* GUEST_XENBUS_H */
