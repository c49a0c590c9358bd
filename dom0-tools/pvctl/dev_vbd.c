/* SPDX-License-Identifier: MIT */
/*
 * Virtual block devices (vbd) as the toolstack sees them, after libxl's
 * device code: the disk specs of a configuration (`disk = [...]`), the
 * xenstore nodes of each device, `pvctl block-attach/block-detach/
 * block-list`.
 *
 * A device is two directories, written in one transaction:
 *   /local/domain/0/backend/vbd/<domid>/<devid>   (dom0's; the domain
 *       may read it): frontend, frontend-id, params (the image), type
 *       (raw), mode (w or r), dev (xvda...), device-type (disk), online,
 *       removable, bootable, state (1, Initialising)
 *   /local/domain/<domid>/device/vbd/<devid>      (the domain's): backend,
 *       backend-id (0), virtual-device, device-type, state (1)
 * The block backend daemon (pvisor-blkback) takes it from there; pvctl
 * waits until it has probed the device (backend state InitWait), or
 * reports the "error" it wrote.
 *
 * Detaching is libxl's orderly removal: backend state Closing and online
 * 0, wait (up to DETACH_TIMEOUT_S) for the frontend to close and the
 * backend to follow it to Closed, remove both directories.  Destroying a
 * domain removes its backend directories (before its own, so that the
 * backend forgets the devices before it sees their frontends vanish).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "domain.h"
#include "pvctl.h"
#include "xsl.h"

#include <xen/io/xenbus.h>

#define BACKEND_TIMEOUT_S 10
#define DETACH_TIMEOUT_S 10
#define XVD_MAJOR 202

/* "xvda".."xvdp" -> Xen's device number (xen/include/public/io/blkif.h's
 * Linux convention: major 202, 16 minors per disk). */
static int vdev_number(const char *vdev, unsigned int *devid)
{
    if (strncmp(vdev, "xvd", 3) || vdev[3] < 'a' || vdev[3] > 'p' || vdev[4])
        return -1;
    *devid = (XVD_MAJOR << 8) | (unsigned int)(vdev[3] - 'a') << 4;
    return 0;
}

static void trim(char *s)
{
    size_t n = strlen(s);
    char *p = s;

    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    while (*p == ' ' || *p == '\t')
        p++;
    memmove(s, p, strlen(p) + 1);
}

int disk_spec_parse(const char *spec, const char *dir, struct disk_spec *out,
                    char *err, size_t errlen)
{
    char buf[CFG_MAX_PATH + 128], *items[8], *save = NULL, *tok;
    const char *target = NULL, *format = NULL, *vdev = NULL, *acc = NULL;
    unsigned int n = 0, pos = 0;
    struct stat st;

    memset(out, 0, sizeof(*out));
    if (strlen(spec) >= sizeof(buf)) {
        snprintf(err, errlen, "disk spec too long");
        return -1;
    }
    snprintf(buf, sizeof(buf), "%s", spec);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (n == 8) {
            snprintf(err, errlen, "'%s': too many items", spec);
            return -1;
        }
        trim(tok);
        items[n++] = tok;
    }
    for (unsigned int i = 0; i < n; i++) {
        char *eq = strchr(items[i], '=');

        if (eq) {
            *eq = '\0';
            if (!strcmp(items[i], "target"))
                target = eq + 1;
            else if (!strcmp(items[i], "format"))
                format = eq + 1;
            else if (!strcmp(items[i], "vdev"))
                vdev = eq + 1;
            else if (!strcmp(items[i], "access"))
                acc = eq + 1;
            else {
                snprintf(err, errlen, "'%s': unknown key '%s' (target, "
                         "format, vdev, access)", spec, items[i]);
                return -1;
            }
            continue;
        }
        /* Positional: target, format, vdev, access. */
        switch (pos++) {
        case 0: target = items[i]; break;
        case 1: format = items[i]; break;
        case 2: vdev = items[i]; break;
        case 3: acc = items[i]; break;
        default:
            snprintf(err, errlen, "'%s': more than target,format,vdev,access",
                     spec);
            return -1;
        }
    }
    if (!target || !*target) {
        snprintf(err, errlen, "'%s': no target (the image file)", spec);
        return -1;
    }
    if (format && *format && strcmp(format, "raw")) {
        snprintf(err, errlen, "'%s': format '%s' not supported (raw only)",
                 spec, format);
        return -1;
    }
    if (!vdev || !*vdev) {
        snprintf(err, errlen, "'%s': no vdev (xvda...)", spec);
        return -1;
    }
    if (vdev_number(vdev, &out->devid)) {
        snprintf(err, errlen, "'%s': vdev '%s' is not xvda..xvdp", spec,
                 vdev);
        return -1;
    }
    snprintf(out->vdev, sizeof(out->vdev), "%s", vdev);
    if (!acc || !*acc || !strcmp(acc, "rw") || !strcmp(acc, "w"))
        out->readonly = false;
    else if (!strcmp(acc, "ro") || !strcmp(acc, "r"))
        out->readonly = true;
    else {
        snprintf(err, errlen, "'%s': access '%s' is neither rw nor ro", spec,
                 acc);
        return -1;
    }
    if (target[0] == '/' || !dir)
        n = (unsigned int)snprintf(out->target, sizeof(out->target), "%s",
                                   target);
    else
        n = (unsigned int)snprintf(out->target, sizeof(out->target), "%s/%s",
                                   dir, target);
    if (n >= sizeof(out->target)) {
        snprintf(err, errlen, "'%s': path too long", spec);
        return -1;
    }
    if (stat(out->target, &st)) {
        snprintf(err, errlen, "image %s: %s", out->target, strerror(errno));
        return -1;
    }
    {
        char abs[PATH_MAX];

        if (!realpath(out->target, abs) ||
            strlen(abs) >= sizeof(out->target)) {
            snprintf(err, errlen, "image %s: %s", out->target,
                     strerror(errno ? errno : ENAMETOOLONG));
            return -1;
        }
        memcpy(out->target, abs, strlen(abs) + 1);
    }
    if (stat(out->target, &st)) {
        snprintf(err, errlen, "image %s: %s", out->target, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        snprintf(err, errlen, "image %s is not a regular file", out->target);
        return -1;
    }
    if (S_ISREG(st.st_mode) && st.st_size < 512) {
        snprintf(err, errlen, "image %s is smaller than one sector (%lld "
                 "bytes)", out->target, (long long)st.st_size);
        return -1;
    }
    if (access(out->target, out->readonly ? R_OK : R_OK | W_OK)) {
        snprintf(err, errlen, "image %s: %s", out->target, strerror(errno));
        return -1;
    }
    return 0;
}

static void paths(uint32_t domid, unsigned int devid, char *be, char *fe,
                  size_t size)
{
    snprintf(be, size, "/local/domain/0/backend/vbd/%u/%u", domid, devid);
    snprintf(fe, size, "/local/domain/%u/device/vbd/%u", domid, devid);
}

/* Writes both directories of one device in a transaction. */
static int vbd_write(struct xsl_handle *xs, uint32_t domid,
                     const struct disk_spec *d)
{
    struct xsl_perm be_perms[2] = {{0, XSL_PERM_NONE}, {domid, XSL_PERM_READ}};
    struct xsl_perm fe_perms[2] = {{domid, XSL_PERM_NONE}, {0, XSL_PERM_READ}};
    char be[128], fe[128], p[160];
    uint32_t t;
    int rc;

    paths(domid, d->devid, be, fe, sizeof(be));
    for (int attempt = 0; attempt < 5; attempt++) {
        rc = xsl_transaction_start(xs, &t);
        if (rc)
            return rc;
        rc = xsl_mkdir(xs, t, be);
        rc = rc ?: xsl_set_perms(xs, t, be, be_perms, 2);
        rc = rc ?: xs_put(xs, t, be, "frontend", "%s", fe);
        rc = rc ?: xs_put(xs, t, be, "frontend-id", "%u", domid);
        rc = rc ?: xs_put(xs, t, be, "params", "%s", d->target);
        rc = rc ?: xs_put(xs, t, be, "type", "raw");
        rc = rc ?: xs_put(xs, t, be, "mode", "%s", d->readonly ? "r" : "w");
        rc = rc ?: xs_put(xs, t, be, "dev", "%s", d->vdev);
        rc = rc ?: xs_put(xs, t, be, "device-type", "disk");
        rc = rc ?: xs_put(xs, t, be, "online", "1");
        rc = rc ?: xs_put(xs, t, be, "removable", "1");
        rc = rc ?: xs_put(xs, t, be, "bootable", "1");
        rc = rc ?: xs_put(xs, t, be, "state", "%d", XenbusStateInitialising);
        /* The domain's device directories are its own, as libxl makes them. */
        snprintf(p, sizeof(p), "/local/domain/%u/device", domid);
        rc = rc ?: xsl_mkdir(xs, t, p);
        rc = rc ?: xsl_set_perms(xs, t, p, fe_perms, 2);
        snprintf(p, sizeof(p), "/local/domain/%u/device/vbd", domid);
        rc = rc ?: xsl_mkdir(xs, t, p);
        rc = rc ?: xsl_set_perms(xs, t, p, fe_perms, 2);
        rc = rc ?: xsl_mkdir(xs, t, fe);
        rc = rc ?: xsl_set_perms(xs, t, fe, fe_perms, 2);
        rc = rc ?: xs_put(xs, t, fe, "backend", "%s", be);
        rc = rc ?: xs_put(xs, t, fe, "backend-id", "0");
        rc = rc ?: xs_put(xs, t, fe, "virtual-device", "%u", d->devid);
        rc = rc ?: xs_put(xs, t, fe, "device-type", "disk");
        rc = rc ?: xs_put(xs, t, fe, "state", "%d", XenbusStateInitialising);
        if (rc) {
            xsl_transaction_end(xs, t, false);
            return rc;
        }
        rc = xsl_transaction_end(xs, t, true);
        if (rc != -EAGAIN)
            return rc;
    }
    return rc;
}

static char *read_str(struct xsl_handle *xs, const char *dir, const char *key)
{
    char path[256], *v = NULL;
    size_t len;

    snprintf(path, sizeof(path), "%s/%s", dir, key);
    if (xsl_read(xs, 0, path, &v, &len))
        return NULL;
    return v;
}

static void sleep_ms(unsigned int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/*
 * Waits for the backend to have probed the device (InitWait or later);
 * -1 after printing why if it refused it or did not answer.
 */
static int wait_backend(struct xsl_handle *xs, uint32_t domid,
                        const struct disk_spec *d)
{
    char be[128], fe[128];

    paths(domid, d->devid, be, fe, sizeof(be));
    for (int i = 0; i < BACKEND_TIMEOUT_S * 50; i++) {
        long st = xs_read_num(xs, be, "state");
        char *err = read_str(xs, be, "error");

        if (err && *err) {
            pvctl_err("%s: the block backend refused it: %s", d->vdev, err);
            free(err);
            return -1;
        }
        free(err);
        if (st >= XenbusStateInitWait && st <= XenbusStateConnected)
            return 0;
        if (st >= XenbusStateClosing) {
            pvctl_err("%s: the block backend closed it", d->vdev);
            return -1;
        }
        sleep_ms(20);
    }
    pvctl_err("%s: the block backend (pvisor-blkback) did not take the device "
              "in %d s; see its log in the run directory's log/blkback.log",
              d->vdev, BACKEND_TIMEOUT_S);
    return -1;
}

static void vbd_rm(struct xsl_handle *xs, uint32_t domid, unsigned int devid)
{
    char be[128], fe[128];

    paths(domid, devid, be, fe, sizeof(be));
    xsl_rm(xs, 0, fe);
    xsl_rm(xs, 0, be);
}

int vbd_create_all(struct xsl_handle *xs, uint32_t domid,
                   const struct domain_config *cfg)
{
    for (unsigned int i = 0; i < cfg->nr_disks; i++) {
        int rc = vbd_write(xs, domid, &cfg->disks[i]);

        if (rc) {
            pvctl_err("%s: cannot write its xenstore nodes: %s",
                      cfg->disks[i].vdev, strerror(-rc));
            return -1;
        }
    }
    for (unsigned int i = 0; i < cfg->nr_disks; i++)
        if (wait_backend(xs, domid, &cfg->disks[i]))
            return -1;
    return 0;
}

void vbd_remove_all(struct xsl_handle *xs, uint32_t domid)
{
    char p[96];

    snprintf(p, sizeof(p), "/local/domain/0/backend/vbd/%u", domid);
    xsl_rm(xs, 0, p);
}

/* --------------------------------------------------------- commands */

int cmd_block_attach(int argc, char **argv)
{
    struct disk_spec d;
    struct xsl_handle *xs;
    char err[CFG_MAX_PATH + 128], be[128], fe[128], *v = NULL;
    size_t len;
    int domid, rc;

    if (argc != 3 || argv[1][0] == '-')
        return pvctl_help("block-attach", !(argc == 2 &&
                                            !strcmp(argv[1], "--help")));
    if (disk_spec_parse(argv[2], NULL, &d, err, sizeof(err))) {
        pvctl_err("%s", err);
        return 1;
    }
    domid = domain_lookup_xs(argv[1], &xs);
    if (domid < 0)
        return 1;
    paths((uint32_t)domid, d.devid, be, fe, sizeof(be));
    if (!xsl_read(xs, 0, be, &v, &len) || !xsl_read(xs, 0, fe, &v, &len)) {
        free(v);
        pvctl_err("domain %d already has a %s", domid, d.vdev);
        xsl_close(xs);
        return 1;
    }
    rc = vbd_write(xs, (uint32_t)domid, &d);
    if (rc)
        pvctl_err("cannot write the device's nodes: %s", strerror(-rc));
    else if (wait_backend(xs, (uint32_t)domid, &d)) {
        vbd_rm(xs, (uint32_t)domid, d.devid);
        rc = -1;
    }
    xsl_close(xs);
    if (rc)
        return 1;
    printf("Attached %s (%s, %s) to domain %d\n", d.vdev, d.target,
           d.readonly ? "ro" : "rw", domid);
    return 0;
}

int cmd_block_detach(int argc, char **argv)
{
    struct xsl_handle *xs;
    char be[128], fe[128], *v = NULL;
    unsigned int devid;
    size_t len;
    int domid, i;

    if (argc != 3 || argv[1][0] == '-')
        return pvctl_help("block-detach", !(argc == 2 &&
                                            !strcmp(argv[1], "--help")));
    if (vdev_number(argv[2], &devid)) {
        char *end;
        unsigned long n = strtoul(argv[2], &end, 10);

        if (!*argv[2] || *end || n > 0xffffffffUL) {
            pvctl_err("'%s' is not a device (xvda..xvdp or its number)",
                      argv[2]);
            return 1;
        }
        devid = (unsigned int)n;
    }
    domid = domain_lookup_xs(argv[1], &xs);
    if (domid < 0)
        return 1;
    paths((uint32_t)domid, devid, be, fe, sizeof(be));
    if (xsl_read(xs, 0, be, &v, &len)) {
        pvctl_err("domain %d has no device %s", domid, argv[2]);
        xsl_close(xs);
        return 1;
    }
    free(v);
    xs_put(xs, 0, be, "online", "0");
    xs_put(xs, 0, be, "state", "%d", XenbusStateClosing);
    /*
     * The frontend closes, then the backend follows it to Closed: only
     * then are the directories removed (the backend writes no more).
     */
    for (i = 0; i < DETACH_TIMEOUT_S * 50; i++) {
        long fst = xs_read_num(xs, fe, "state"), bst = xs_read_num(xs, be, "state");

        if ((fst < 0 || fst == XenbusStateClosed) &&
            (bst < 0 || bst == XenbusStateClosed))
            break;
        sleep_ms(20);
    }
    if (i == DETACH_TIMEOUT_S * 50)
        pvctl_err("warning: domain %d did not close %s in %d s; removing it "
                  "anyway", domid, argv[2], DETACH_TIMEOUT_S);
    vbd_rm(xs, (uint32_t)domid, devid);
    xsl_close(xs);
    printf("Detached %s from domain %d\n", argv[2], domid);
    return 0;
}

int cmd_block_list(int argc, char **argv)
{
    struct xsl_handle *xs;
    char base[96], dir[160], **devs = NULL;
    unsigned int n = 0;
    int domid;

    if (argc != 2 || argv[1][0] == '-')
        return pvctl_help("block-list", !(argc == 2 &&
                                          !strcmp(argv[1], "--help")));
    domid = domain_lookup_xs(argv[1], &xs);
    if (domid < 0)
        return 1;
    printf("%-6s %-5s %-3s %-3s %-4s %s\n", "Vdev", "Dev", "BE", "FE",
           "Mode", "Image");
    snprintf(base, sizeof(base), "/local/domain/0/backend/vbd/%d", domid);
    if (!xsl_directory(xs, 0, base, &devs, &n)) {
        for (unsigned int i = 0; i < n; i++) {
            char fe[128], *vd, *mode, *params, *err;

            snprintf(dir, sizeof(dir), "%s/%s", base, devs[i]);
            snprintf(fe, sizeof(fe), "/local/domain/%d/device/vbd/%s", domid,
                     devs[i]);
            vd = read_str(xs, dir, "dev");
            mode = read_str(xs, dir, "mode");
            params = read_str(xs, dir, "params");
            err = read_str(xs, dir, "error");
            printf("%-6s %-5s %-3ld %-3ld %-4s %s%s%s\n", vd ? vd : "?",
                   devs[i], xs_read_num(xs, dir, "state"),
                   xs_read_num(xs, fe, "state"),
                   mode && !strcmp(mode, "r") ? "ro" : "rw",
                   params ? params : "?", err ? "  error: " : "",
                   err ? err : "");
            free(vd);
            free(mode);
            free(params);
            free(err);
        }
        free(devs);
    }
    xsl_close(xs);
    return 0;
}
