/* SPDX-License-Identifier: MIT */
/*
 * `pvctl create CFG`: create, build and start a domain from an xl.cfg
 * file, as `xl create` does: the domain, its xenstore and console event
 * channels, its memory image (libpvguest), its xenstore nodes and
 * introduction, then, once pvisor-consoled has connected to its console
 * ring, unpause it, and leave a monitor process behind that
 * carries out on_poweroff/on_reboot/on_crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain.h"
#include "pvctl.h"
#include "xsl.h"

/* A random (version 4) UUID, as bytes and as text. */
static void make_uuid(uint8_t *b, char *out, size_t size)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

    if (fd >= 0) {
        if (read(fd, b, 16) != 16)
            memset(b, 0x5a, 16);
        close(fd);
    }
    b[6] = (b[6] & 0x0f) | 0x40; /* version 4 */
    b[8] = (b[8] & 0x3f) | 0x80;
    snprintf(out, size,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
             b[11], b[12], b[13], b[14], b[15]);
}

static bool name_in_use(struct pvctrl *xc, struct xsl_handle *xs,
                        const char *name)
{
    struct xen_domctl_getdomaininfo info;

    for (uint32_t d = 1; !pvctrl_domain_getinfo(xc, d, &info);
         d = info.domain + 1u) {
        char *n = domain_name(xs, info.domain);
        bool same = n && !strcmp(n, name);

        free(n);
        if (same)
            return true;
    }
    return false;
}

/*
 * Waits (up to 2 s) for pvisor-consoled to connect to the domain's console
 * ring, which it says by writing console/tty, as xl waits for a device's
 * backend before unpausing: a guest that prints and ends within
 * milliseconds would otherwise be gone before the daemon mapped its ring,
 * and its output with it.  Without a daemon the guest runs anyway.
 */
static void wait_console_backend(struct xsl_handle *xs, uint32_t domid)
{
    char path[64], *v = NULL;
    size_t len;

    snprintf(path, sizeof(path), "/local/domain/%u/console/tty", domid);
    for (int i = 0; i < 400; i++) {
        if (!xsl_read(xs, 0, path, &v, &len)) {
            free(v);
            return;
        }
        usleep(5000);
    }
    pvctl_err("warning: no console backend for domain %u after 2 s", domid);
}

int domain_create_from(struct pvctrl *xc, const char *config_path,
                       const struct domain_config *cfg, bool paused)
{
    struct xen_domctl_createdomain c = {0};
    struct built_domain built = {0};
    struct xsl_handle *xs;
    char err[512] = "", uuid[40];
    uint32_t domid = 0;
    int rc, store_port, console_port;

    (void)config_path;
    xs = pvctl_xs_open();
    if (!xs)
        return -1;
    if (name_in_use(xc, xs, cfg->name)) {
        pvctl_err("a domain named '%s' already exists", cfg->name);
        xsl_close(xs);
        return -1;
    }
    make_uuid(c.handle, uuid, sizeof(uuid));
    c.max_vcpus = cfg->vcpus;
    c.max_evtchn_port = 1023;
    c.max_grant_frames = -1;
    c.max_maptrack_frames = -1;
    rc = pvctrl_domain_create(xc, &domid, &c);
    if (rc) {
        pvctl_err("cannot create domain '%s': %s", cfg->name, strerror(-rc));
        xsl_close(xs);
        return -1;
    }
    rc = pvctrl_domain_setmaxmem(xc, domid, cfg->maxmem_mib << 10);
    store_port = rc ? rc : pvctrl_evtchn_alloc_unbound(xc, domid, 0);
    console_port = store_port < 0 ? store_port
                                  : pvctrl_evtchn_alloc_unbound(xc, domid, 0);
    rc = console_port < 0 ? console_port : 0;
    if (!rc)
        rc = domain_build(xc, domid, cfg, (uint32_t)store_port,
                          (uint32_t)console_port, &built, err, sizeof(err));
    if (!rc && (cfg->weight || cfg->cap)) {
        struct xen_domctl_sched_credit sc = {.weight = (uint16_t)cfg->weight,
                                             .cap = (uint16_t)cfg->cap};
        rc = pvctrl_sched_credit_set(xc, domid, &sc);
    }
    if (!rc)
        rc = domain_xs_write(xs, domid, cfg, uuid, built.store_mfn,
                             (uint32_t)store_port, built.console_mfn,
                             (uint32_t)console_port);
    if (!rc)
        rc = vif_create_all(xs, domid, cfg);
    if (!rc)
        rc = xsl_introduce(xs, domid, built.store_mfn, (uint32_t)store_port);
    if (!rc && vbd_create_all(xs, domid, cfg)) {
        pvctrl_domain_destroy(xc, domid);
        domain_xs_remove(xs, domid);
        xsl_close(xs);
        return -1;
    }
    if (!rc)
        wait_console_backend(xs, domid);
    if (!rc)
        rc = vif_wait_backends(xs, domid, cfg);
    if (!rc && !paused)
        rc = pvctrl_domain_unpause(xc, domid);
    if (rc) {
        pvctl_err("cannot build domain '%s': %s", cfg->name,
                  err[0] ? err : strerror(-rc));
        pvctrl_domain_destroy(xc, domid);
        domain_xs_remove(xs, domid);
        xsl_close(xs);
        return -1;
    }
    xsl_close(xs);
    return (int)domid;
}

int cmd_create(int argc, char **argv)
{
    static const struct option opts[] = {
        {"paused", no_argument, NULL, 'p'},
        {"console", no_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    struct domain_config cfg;
    struct pvctrl *xc;
    bool paused = false, console = false;
    int opt, domid;

    while ((opt = getopt_long(argc, argv, "pc", opts, NULL)) != -1) {
        if (opt == 'p')
            paused = true;
        else if (opt == 'c')
            console = true;
        else
            return pvctl_help("create", true);
    }
    if (optind >= argc)
        return pvctl_help("create", true);
    if (config_parse(argv[optind], argv + optind + 1, argc - optind - 1,
                     &cfg))
        return 1;
    xc = pvctl_open_or_die();
    domid = domain_create_from(xc, argv[optind], &cfg, paused);
    pvctrl_close(xc);
    if (domid < 0)
        return 1;
    if (monitor_spawn((uint32_t)domid, argv[optind], argv + optind + 1,
                      argc - optind - 1))
        pvctl_err("warning: no monitor for domain %d: its on_poweroff, "
                  "on_reboot and on_crash will not be carried out", domid);
    printf("Created domain %d (%s)%s\n", domid, cfg.name,
           paused ? ", paused" : "");
    fflush(stdout);
    if (console) {
        char id[16];
        char *cargv[] = {(char *)"console", id, NULL};

        snprintf(id, sizeof(id), "%d", domid);
        optind = 1;
        return cmd_console(2, cargv);
    }
    return 0;
}
