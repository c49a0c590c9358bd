/* SPDX-License-Identifier: MIT */
/*
 * Network devices (vifs), as xl and libxl set them up: the `vif = [...]`
 * configuration key, their xenstore nodes, `pvctl network-attach`,
 * `network-detach` and `network-list`.
 *
 * A vif spec is xl's comma-separated KEY=VALUE list: mac=00:16:3e:xx:xx:xx
 * (generated with Xen's OUI 00:16:3e as xl does when missing), ip=A.B.C.D
 * [/N] (written for the guest to read: the reference guest takes its
 * address from it), bridge=NAME (the backend connects its switch to the
 * host's TAP device NAME), backend=0 (the only backend domain).  xl's
 * script=, vifname=, model= and type= are accepted and have no effect.
 *
 * Nodes, as libxl__device_vif_add writes them (in one transaction):
 *   /local/domain/<domid>/device/vif/<devid>/   the frontend's, owned by
 *       the domain, readable by domain 0: backend, backend-id, state=1,
 *       handle, mac
 *   /local/domain/0/backend/vif/<domid>/<devid>/  the backend's, readable
 *       by the domain: frontend, frontend-id, online=1, state=1, handle,
 *       mac, type=vif, and ip, bridge when given
 * Removal (destroy, shutdown): the backend's directory of the domain goes
 * with the domain's own.  network-detach is libxl's orderly removal: the
 * backend's state is set to Closing (with online=0), the frontend closes,
 * the backend reaches Closed (10 s at most), then both directories go.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libxlutil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "domain.h"
#include "pvctl.h"
#include "xsl.h"

#include <xen/io/xenbus.h>

#define VIF_WAIT_MS 10000

/* "00:16:3e:.." with six hex pairs. */
static bool mac_ok(const char *s)
{
    if (strlen(s) != 17)
        return false;
    for (int i = 0; i < 17; i++) {
        char c = s[i];

        if (i % 3 == 2 ? c != ':'
                       : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                           (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

static bool ip_ok(const char *s)
{
    unsigned int a, b, c, d, n = 24;
    char tail;
    int k = sscanf(s, "%3u.%3u.%3u.%3u/%2u%c", &a, &b, &c, &d, &n, &tail);

    return (k == 4 || k == 5) && a < 256 && b < 256 && c < 256 && d < 256 &&
           n <= 32 && strspn(s, "0123456789./") == strlen(s);
}

int vif_parse_spec(const char *spec, struct vif_config *v, char *err,
                   size_t errlen)
{
    char buf[512], *save = NULL;

    memset(v, 0, sizeof(*v));
    if (strlen(spec) >= sizeof(buf)) {
        snprintf(err, errlen, "vif spec too long");
        return -1;
    }
    snprintf(buf, sizeof(buf), "%s", spec);
    for (char *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq, *key, *val;

        while (*tok == ' ')
            tok++;
        if (!*tok)
            continue;
        eq = strchr(tok, '=');
        if (!eq) {
            snprintf(err, errlen, "'%s' is not KEY=VALUE", tok);
            return -1;
        }
        *eq = '\0';
        key = tok;
        val = eq + 1;
        if (!strcmp(key, "mac")) {
            if (!mac_ok(val)) {
                snprintf(err, errlen, "mac '%s' is not xx:xx:xx:xx:xx:xx",
                         val);
                return -1;
            }
            snprintf(v->mac, sizeof(v->mac), "%s", val);
        } else if (!strcmp(key, "ip")) {
            if (!ip_ok(val)) {
                snprintf(err, errlen, "ip '%s' is not A.B.C.D[/N]", val);
                return -1;
            }
            snprintf(v->ip, sizeof(v->ip), "%s", val);
        } else if (!strcmp(key, "bridge")) {
            if (!*val || strlen(val) >= sizeof(v->bridge) ||
                strspn(val, "abcdefghijklmnopqrstuvwxyz"
                            "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
                    strlen(val)) {
                snprintf(err, errlen,
                         "bridge '%s' is not an interface name (1-15 "
                         "letters, digits, - _ .)", val);
                return -1;
            }
            snprintf(v->bridge, sizeof(v->bridge), "%s", val);
        } else if (!strcmp(key, "backend")) {
            if (strcmp(val, "0") && strcmp(val, "Domain-0")) {
                snprintf(err, errlen, "backend '%s': only domain 0 serves "
                         "vifs", val);
                return -1;
            }
        } else if (strcmp(key, "script") && strcmp(key, "vifname") &&
                   strcmp(key, "model") && strcmp(key, "type")) {
            snprintf(err, errlen, "unknown vif key '%s'", key);
            return -1;
        }
    }
    return 0;
}

int vif_config_parse(const char *path, void *xlu, struct domain_config *cfg)
{
    XLU_Config *x = xlu;
    XLU_ConfigList *list;
    int count = 0;
    char err[256];

    cfg->nr_vifs = 0;
    if (xlu_cfg_get_list(x, "vif", &list, &count, 1))
        return 0;
    if (count > CFG_MAX_VIFS) {
        fprintf(stderr, "%s: vif: at most %d vifs\n", path, CFG_MAX_VIFS);
        return -1;
    }
    for (int i = 0; i < count; i++) {
        const char *spec = xlu_cfg_get_listitem(list, i);

        if (!spec ||
            vif_parse_spec(spec, &cfg->vifs[i], err, sizeof(err))) {
            fprintf(stderr, "%s: vif %d: %s\n", path, i,
                    spec ? err : "not a string");
            return -1;
        }
    }
    cfg->nr_vifs = (unsigned int)count;
    return 0;
}

/* xl's random MAC: Xen's OUI, then three random bytes, locally unique. */
static void make_mac(char *out, size_t size)
{
    uint8_t r[3] = {0x12, 0x34, 0x56};
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

    if (fd >= 0) {
        if (read(fd, r, sizeof(r)) != (ssize_t)sizeof(r))
            r[0] ^= (uint8_t)getpid();
        close(fd);
    }
    snprintf(out, size, "00:16:3e:%02x:%02x:%02x", r[0] & 0x7f, r[1], r[2]);
}

/* A bridge= the backend cannot serve: say so here, not only in its log. */
static void check_uplink(unsigned int devid, const struct vif_config *v)
{
    int fd;

    if (!v->bridge[0])
        return;
    fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        return;
    }
    pvctl_err("warning: vif %u: bridge=%s: /dev/net/tun cannot be used here "
              "(%s): no host uplink; the vif still reaches the other "
              "domains", devid, v->bridge, strerror(errno));
}

int vif_add(struct xsl_handle *xs, uint32_t domid, unsigned int devid,
            struct vif_config *v)
{
    char fe[128], be[128];
    struct xsl_perm fe_perm[2] = {{domid, XSL_PERM_NONE}, {0, XSL_PERM_READ}};
    struct xsl_perm be_perm[2] = {{0, XSL_PERM_NONE}, {domid, XSL_PERM_READ}};
    uint32_t t;
    int rc;

    if (!v->mac[0])
        make_mac(v->mac, sizeof(v->mac));
    check_uplink(devid, v);
    snprintf(fe, sizeof(fe), "/local/domain/%u/device/vif/%u", domid, devid);
    snprintf(be, sizeof(be), "/local/domain/0/backend/vif/%u/%u", domid, devid);
    for (int attempt = 0; attempt < 5; attempt++) {
        rc = xsl_transaction_start(xs, &t);
        if (rc)
            return rc;
        rc = xsl_mkdir(xs, t, fe);
        rc = rc ?: xsl_set_perms(xs, t, fe, fe_perm, 2);
        rc = rc ?: xsl_mkdir(xs, t, be);
        rc = rc ?: xsl_set_perms(xs, t, be, be_perm, 2);
        rc = rc ?: xs_put(xs, t, fe, "backend", "%s", be);
        rc = rc ?: xs_put(xs, t, fe, "backend-id", "0");
        rc = rc ?: xs_put(xs, t, fe, "state", "1");
        rc = rc ?: xs_put(xs, t, fe, "handle", "%u", devid);
        rc = rc ?: xs_put(xs, t, fe, "mac", "%s", v->mac);
        rc = rc ?: xs_put(xs, t, be, "frontend", "%s", fe);
        rc = rc ?: xs_put(xs, t, be, "frontend-id", "%u", domid);
        rc = rc ?: xs_put(xs, t, be, "online", "1");
        rc = rc ?: xs_put(xs, t, be, "state", "1");
        rc = rc ?: xs_put(xs, t, be, "handle", "%u", devid);
        rc = rc ?: xs_put(xs, t, be, "mac", "%s", v->mac);
        rc = rc ?: xs_put(xs, t, be, "type", "vif");
        if (v->ip[0])
            rc = rc ?: xs_put(xs, t, be, "ip", "%s", v->ip);
        if (v->bridge[0])
            rc = rc ?: xs_put(xs, t, be, "bridge", "%s", v->bridge);
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

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The backend's state, 0 if it has none (or nonsense). */
static int be_state(struct xsl_handle *xs, uint32_t domid, unsigned int devid)
{
    char be[128];
    long s;

    snprintf(be, sizeof(be), "/local/domain/0/backend/vif/%u/%u", domid,
             devid);
    s = xs_read_num(xs, be, "state");
    return s >= XenbusStateInitialising && s <= XenbusStateReconfigured
               ? (int)s
               : 0;
}

/* Waits until the backend's state is one of lo..hi; the last seen. */
static int wait_state(struct xsl_handle *xs, uint32_t domid,
                      unsigned int devid, int lo, int hi, long ms)
{
    long end = now_ms() + ms;
    int s;

    for (;;) {
        s = be_state(xs, domid, devid);
        if ((s >= lo && s <= hi) || now_ms() >= end)
            return s;
        usleep(20000);
    }
}

static const char *state_name(int s)
{
    static const char *const n[] = {"none",      "Initialising", "InitWait",
                                    "Initialised", "Connected",  "Closing",
                                    "Closed",    "Reconfiguring",
                                    "Reconfigured"};

    return s >= 0 && s <= 8 ? n[s] : "?";
}

static void backend_error(struct xsl_handle *xs, uint32_t domid,
                          unsigned int devid)
{
    char p[128], *v = NULL;
    size_t len;

    snprintf(p, sizeof(p), "/local/domain/0/backend/vif/%u/%u/error", domid,
             devid);
    if (!xsl_read(xs, XSL_NO_TXN, p, &v, &len))
        pvctl_err("vif %u/%u: the backend says: %.*s", domid, devid, (int)len,
                  v);
    free(v);
}

int vif_create_all(struct xsl_handle *xs, uint32_t domid,
                   const struct domain_config *cfg)
{
    for (unsigned int i = 0; i < cfg->nr_vifs; i++) {
        struct vif_config v = cfg->vifs[i]; /* its mac may be made up */
        int rc = vif_add(xs, domid, i, &v);

        if (rc) {
            pvctl_err("vif %u: cannot write its xenstore nodes: %s", i,
                      strerror(-rc));
            return rc;
        }
    }
    return 0;
}

void vif_keep_macs(struct xsl_handle *xs, uint32_t domid,
                   struct domain_config *cfg)
{
    for (unsigned int i = 0; i < cfg->nr_vifs; i++) {
        char p[128], *mac = NULL;
        size_t len;

        if (cfg->vifs[i].mac[0])
            continue;
        snprintf(p, sizeof(p), "/local/domain/0/backend/vif/%u/%u/mac", domid,
                 i);
        if (!xsl_read(xs, XSL_NO_TXN, p, &mac, &len) &&
            len < sizeof(cfg->vifs[i].mac) && mac_ok(mac))
            memcpy(cfg->vifs[i].mac, mac, len + 1);
        free(mac);
    }
}

int vif_wait_backends(struct xsl_handle *xs, uint32_t domid,
                      const struct domain_config *cfg)
{
    /* As libxl before it unpauses: each backend has taken its device. */
    for (unsigned int i = 0; i < cfg->nr_vifs; i++) {
        int s = wait_state(xs, domid, i, 2, 4, VIF_WAIT_MS);

        if (s < 2 || s > 4) {
            pvctl_err("vif %u: the network backend did not take it (state "
                      "%s after %d s; is pvisor-netback running? see "
                      "log/netback.log)", i, state_name(s),
                      VIF_WAIT_MS / 1000);
            backend_error(xs, domid, i);
            return -ETIMEDOUT;
        }
    }
    return 0;
}

void vif_remove_all(struct xsl_handle *xs, uint32_t domid)
{
    char p[96];

    snprintf(p, sizeof(p), "/local/domain/0/backend/vif/%u", domid);
    xsl_rm(xs, XSL_NO_TXN, p);
}

/* The next free devid: one more than the largest there. */
static unsigned int next_devid(struct xsl_handle *xs, uint32_t domid)
{
    char p[96], **names = NULL;
    unsigned int n = 0, next = 0;

    snprintf(p, sizeof(p), "/local/domain/%u/device/vif", domid);
    if (xsl_directory(xs, XSL_NO_TXN, p, &names, &n))
        return 0;
    for (unsigned int i = 0; i < n; i++) {
        unsigned long id = strtoul(names[i], NULL, 10);

        if (id + 1 > next)
            next = (unsigned int)id + 1;
    }
    free(names);
    return next;
}

int cmd_network_attach(int argc, char **argv)
{
    struct vif_config v;
    struct xsl_handle *xs;
    char err[256], spec[1024] = "";
    unsigned int devid;
    int domid, rc, s;

    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return pvctl_help("network-attach", argc < 2);
    for (int i = 2; i < argc; i++) {
        size_t l = strlen(spec);

        snprintf(spec + l, sizeof(spec) - l, "%s%s", l ? "," : "", argv[i]);
    }
    if (vif_parse_spec(spec, &v, err, sizeof(err))) {
        pvctl_err("network-attach: %s", err);
        return 1;
    }
    domid = domain_lookup_xs(argv[1], &xs);
    if (domid < 0)
        return 1;
    devid = next_devid(xs, (uint32_t)domid);
    rc = vif_add(xs, (uint32_t)domid, devid, &v);
    if (rc) {
        pvctl_err("network-attach: cannot write the nodes: %s", strerror(-rc));
        xsl_close(xs);
        return 1;
    }
    s = wait_state(xs, (uint32_t)domid, devid, 4, 6, VIF_WAIT_MS);
    if (s != 4) {
        backend_error(xs, (uint32_t)domid, devid);
        printf("Attached vif %u (mac %s) to domain %d; backend state %s: the "
               "frontend has not connected\n", devid, v.mac, domid,
               state_name(s));
    } else {
        printf("Attached vif %u (mac %s) to domain %d: connected\n", devid,
               v.mac, domid);
    }
    xsl_close(xs);
    return 0;
}

int cmd_network_detach(int argc, char **argv)
{
    struct xsl_handle *xs;
    char be[128], fe[128];
    unsigned long devid;
    char *end;
    int domid, s;

    if (argc != 3 || !strcmp(argv[1], "--help"))
        return pvctl_help("network-detach", argc != 2 || strcmp(argv[1], "--help"));
    devid = strtoul(argv[2], &end, 10);
    if (*end || end == argv[2] || devid > 0xffff) {
        pvctl_err("network-detach: '%s' is not a vif number", argv[2]);
        return 1;
    }
    domid = domain_lookup_xs(argv[1], &xs);
    if (domid < 0)
        return 1;
    snprintf(be, sizeof(be), "/local/domain/0/backend/vif/%d/%lu", domid,
             devid);
    snprintf(fe, sizeof(fe), "/local/domain/%d/device/vif/%lu", domid, devid);
    if (be_state(xs, (uint32_t)domid, (unsigned int)devid) == 0) {
        pvctl_err("network-detach: domain %d has no vif %lu", domid, devid);
        xsl_close(xs);
        return 1;
    }
    xs_put(xs, XSL_NO_TXN, be, "online", "0");
    xs_put(xs, XSL_NO_TXN, be, "state", "%d", XenbusStateClosing);
    s = wait_state(xs, (uint32_t)domid, (unsigned int)devid, 6, 6,
                   VIF_WAIT_MS);
    if (s != 6)
        pvctl_err("network-detach: the vif did not close in %d s (state %s); "
                  "removing it anyway", VIF_WAIT_MS / 1000, state_name(s));
    xsl_rm(xs, XSL_NO_TXN, fe);
    xsl_rm(xs, XSL_NO_TXN, be);
    xsl_close(xs);
    printf("Detached vif %lu from domain %d\n", devid, domid);
    return 0;
}

int cmd_network_list(int argc, char **argv)
{
    struct xsl_handle *xs;
    char p[160], **names = NULL;
    unsigned int n = 0;
    int domid;

    if (argc != 2 || !strcmp(argv[1], "--help"))
        return pvctl_help("network-list", argc != 2);
    domid = domain_lookup_xs(argv[1], &xs);
    if (domid < 0)
        return 1;
    printf("Idx BE Mac Addr.         State        IP\n");
    snprintf(p, sizeof(p), "/local/domain/0/backend/vif/%d", domid);
    if (!xsl_directory(xs, XSL_NO_TXN, p, &names, &n)) {
        for (unsigned int i = 0; i < n; i++) {
            char q[200], *mac = NULL, *ip = NULL;
            size_t l;
            unsigned int id = (unsigned int)strtoul(names[i], NULL, 10);

            snprintf(q, sizeof(q), "%s/%s/mac", p, names[i]);
            xsl_read(xs, XSL_NO_TXN, q, &mac, &l);
            snprintf(q, sizeof(q), "%s/%s/ip", p, names[i]);
            xsl_read(xs, XSL_NO_TXN, q, &ip, &l);
            printf("%-3u 0  %-17s %-12s %s\n", id, mac ? mac : "-",
                   state_name(be_state(xs, (uint32_t)domid, id)),
                   ip ? ip : "-");
            free(mac);
            free(ip);
        }
        free(names);
    }
    xsl_close(xs);
    return 0;
}
