// SPDX-License-Identifier: MIT
/*
 * libxsl: what both faces share - the socket path, connecting, building
 * a request, reading XS_ERROR names back into errno, and splitting the
 * NUL-separated payloads of DIRECTORY and GET_PERMS.
 */
#include "xsl_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

const char *xsl_default_path(char *buf, size_t len)
{
    const char *env = getenv("XENSTORED_PATH"), *run, *xdg;

    if (env && *env)
        snprintf(buf, len, "%s", env);
    else if ((run = getenv("PVISOR_RUNDIR")) && *run)
        snprintf(buf, len, "%s/xenstored/socket", run);
    else if (geteuid() == 0)
        snprintf(buf, len, "/run/pvisor/xenstored/socket");
    else if ((xdg = getenv("XDG_RUNTIME_DIR")) && *xdg)
        snprintf(buf, len, "%s/pvisor/xenstored/socket", xdg);
    else
        snprintf(buf, len, "/tmp/pvisor-%u/xenstored/socket",
                 (unsigned)getuid());
    return buf;
}

int xsl__connect(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    char buf[sizeof(sa.sun_path) + 1];
    int fd, err;

    if (!path)
        path = xsl_default_path(buf, sizeof(buf));
    if (strlen(path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
        err = -errno;
        close(fd);
        return err;
    }
    return fd;
}

int xsl_errno_from_name(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (!strcmp(xsd_errors[i].errstring, name))
            return xsd_errors[i].errnum;
    return EINVAL;
}

int xsl__build(uint32_t type, uint32_t req_id, uint32_t txn,
               const struct iovec *iov, int niov, char **out, size_t *outlen)
{
    struct xsd_sockmsg h = {.type = type, .req_id = req_id, .tx_id = txn};
    size_t len = 0;
    char *p;
    int i;

    for (i = 0; i < niov; i++)
        len += iov[i].iov_len;
    if (len > XENSTORE_PAYLOAD_MAX)
        return -E2BIG;
    h.len = len;
    p = malloc(sizeof(h) + len);
    if (!p)
        return -ENOMEM;
    memcpy(p, &h, sizeof(h));
    *out = p;
    p += sizeof(h);
    for (i = 0; i < niov; i++) {
        memcpy(p, iov[i].iov_base, iov[i].iov_len);
        p += iov[i].iov_len;
    }
    *outlen = sizeof(h) + len;
    return 0;
}

int xsl_split(const char *data, size_t len, char ***out, unsigned int *num)
{
    unsigned int n = 0, i;
    size_t off;
    char **v, *copy;

    for (off = 0; off < len; off++)
        if (!data[off])
            n++;
    if (len && data[len - 1])
        n++; /* tolerate a missing final NUL */
    v = malloc((n + 1) * sizeof(*v) + len + 1);
    if (!v)
        return -ENOMEM;
    copy = (char *)(v + n + 1);
    memcpy(copy, data, len);
    copy[len] = '\0';
    for (i = 0, off = 0; i < n; i++) {
        v[i] = copy + off;
        off += strlen(copy + off) + 1;
    }
    v[n] = NULL;
    *out = v;
    *num = n;
    return 0;
}

int xsl_perms_parse(const char *data, size_t len, struct xsl_perm **out,
                    unsigned int *num)
{
    char **v, *end;
    unsigned int n, i;
    struct xsl_perm *p;
    int err = xsl_split(data, len, &v, &n);

    if (err)
        return err;
    p = calloc(n ? n : 1, sizeof(*p));
    if (!p) {
        free(v);
        return -ENOMEM;
    }
    for (i = 0; i < n; i++) {
        switch (v[i][0]) {
        case 'n':
            p[i].perms = XSL_PERM_NONE;
            break;
        case 'r':
            p[i].perms = XSL_PERM_READ;
            break;
        case 'w':
            p[i].perms = XSL_PERM_WRITE;
            break;
        case 'b':
            p[i].perms = XSL_PERM_BOTH;
            break;
        default:
            err = -EPROTO;
        }
        p[i].domid = strtoul(v[i] + 1, &end, 10);
        if (*end || end == v[i] + 1)
            err = -EPROTO;
    }
    free(v);
    if (err) {
        free(p);
        return err;
    }
    *out = p;
    *num = n;
    return 0;
}

int xsl__perms_format(const struct xsl_perm *perms, unsigned int num,
                      char **out, size_t *len)
{
    static const char letter[] = "nrwb";
    char *buf = malloc(num * 12 + 1), *p = buf;
    unsigned int i;

    if (!buf)
        return -ENOMEM;
    for (i = 0; i < num; i++)
        p += sprintf(p, "%c%u", letter[perms[i].perms & 3], perms[i].domid) + 1;
    *out = buf;
    *len = p - buf;
    return 0;
}
