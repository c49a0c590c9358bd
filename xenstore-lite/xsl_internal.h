/* SPDX-License-Identifier: MIT */
/*
 * libxsl internals shared by the blocking and libuv faces.  Names carry
 * the xsl__ prefix: they are not part of the public API in xsl.h.
 */
#ifndef XSL_INTERNAL_H
#define XSL_INTERNAL_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <xen/io/xs_wire.h>

#include "xsl.h"

/* Connected, blocking AF_UNIX socket or -errno; NULL path: default. */
int xsl__connect(const char *path);
/* Header + payload in one malloc'd buffer. */
int xsl__build(uint32_t type, uint32_t req_id, uint32_t txn,
               const struct iovec *iov, int niov, char **out, size_t *len);
int xsl__perms_format(const struct xsl_perm *perms, unsigned int num,
                      char **out, size_t *len);

static inline struct iovec xsl__str(const char *s)
{
    return (struct iovec){.iov_base = (void *)s, .iov_len = strlen(s) + 1};
}

#endif
