/* SPDX-License-Identifier: MIT */
/*
 * The toolstack's use of xenstore: a domain's standard nodes (as xl
 * writes them, docs/misc/xenstore-paths in Xen), names, and cleanup.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "pvctl.h"
#include "xsl.h"

struct xsl_handle *pvctl_xs_open(void)
{
    struct xsl_handle *xs;
    int rc = xsl_open(NULL, &xs);

    if (rc) {
        pvctl_err("cannot reach xenstore: %s", strerror(-rc));
        return NULL;
    }
    return xs;
}

char *domain_name(struct xsl_handle *xs, uint32_t domid)
{
    char path[64], *v = NULL;
    size_t len;

    if (domid == 0)
        return strdup("Domain-0");
    snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    if (xs && !xsl_read(xs, 0, path, &v, &len))
        return v;
    return NULL;
}

int xs_printf(struct xsl_handle *xs, uint32_t t, const char *path,
              const char *fmt, ...)
{
    char v[CFG_MAX_PATH + 16];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(v, sizeof(v), fmt, ap);
    va_end(ap);
    return xsl_write(xs, t, path, v, (size_t)n);
}

int xs_put(struct xsl_handle *xs, uint32_t t, const char *dir,
           const char *key, const char *fmt, ...)
{
    char path[256], v[CFG_MAX_PATH + 16];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(v, sizeof(v), fmt, ap);
    va_end(ap);
    snprintf(path, sizeof(path), "%s/%s", dir, key);
    return xsl_write(xs, t, path, v, (size_t)n);
}

long xs_read_num(struct xsl_handle *xs, const char *dir, const char *key)
{
    char path[256], *v = NULL, *end;
    size_t len;
    long n = -1;

    snprintf(path, sizeof(path), "%s/%s", dir, key);
    if (!xsl_read(xs, 0, path, &v, &len)) {
        n = strtol(v, &end, 10);
        if (end == v || *end)
            n = -1;
    }
    free(v);
    return n;
}

int domain_lookup_xs(const char *spec, struct xsl_handle **xs)
{
    struct pvctrl *xc = pvctl_open_or_die();
    int domid = domain_lookup(xc, spec);

    pvctrl_close(xc);
    if (domid < 0)
        return -1;
    *xs = pvctl_xs_open();
    return *xs ? domid : -1;
}

int domain_xs_write(struct xsl_handle *xs, uint32_t domid,
                    const struct domain_config *cfg, const char *uuid,
                    uint64_t store_mfn, uint32_t store_port,
                    uint64_t console_mfn, uint32_t console_port)
{
    struct xsl_perm ro[2] = {{0, XSL_PERM_NONE}, {domid, XSL_PERM_READ}};
    struct xsl_perm rw[1] = {{domid, XSL_PERM_NONE}};
    char base[64], p[192];
    uint32_t t;
    int rc;

    snprintf(base, sizeof(base), "/local/domain/%u", domid);
    for (int attempt = 0; attempt < 5; attempt++) {
        rc = xsl_transaction_start(xs, &t);
        if (rc)
            return rc;
#define W(sub, ...)                                                            \
    do {                                                                       \
        snprintf(p, sizeof(p), "%s%s", base, sub);                             \
        if (!rc)                                                               \
            rc = xs_printf(xs, t, p, __VA_ARGS__);                             \
    } while (0)
        rc = xsl_mkdir(xs, t, base);
        if (!rc)
            rc = xsl_set_perms(xs, t, base, ro, 2);
        W("/name", "%s", cfg->name);
        W("/domid", "%u", domid);
        W("/vm", "/vm/%s", uuid);
        W("/memory/static-max", "%llu", (unsigned long long)cfg->maxmem_mib << 10);
        W("/memory/target", "%llu", (unsigned long long)cfg->memory_mib << 10);
        W("/store/ring-ref", "%llu", (unsigned long long)store_mfn);
        W("/store/port", "%u", store_port);
        W("/console/ring-ref", "%llu", (unsigned long long)console_mfn);
        W("/console/port", "%u", console_port);
        W("/console/type", "%s", "xenconsoled");
        for (unsigned int i = 0; i < cfg->vcpus; i++) {
            char sub[32];
            snprintf(sub, sizeof(sub), "/cpu/%u/availability", i);
            W(sub, "%s", "online");
        }
        /* Directories the guest itself writes. */
        snprintf(p, sizeof(p), "%s/control", base);
        if (!rc)
            rc = xsl_mkdir(xs, t, p);
        rw[0].domid = domid;
        if (!rc)
            rc = xsl_set_perms(xs, t, p, rw, 1);
        snprintf(p, sizeof(p), "%s/control/shutdown", base);
        if (!rc)
            rc = xsl_write(xs, t, p, "", 0);
        if (!rc)
            rc = xsl_set_perms(xs, t, p, rw, 1);
        snprintf(p, sizeof(p), "%s/data", base);
        if (!rc)
            rc = xsl_mkdir(xs, t, p);
        if (!rc)
            rc = xsl_set_perms(xs, t, p, rw, 1);
        snprintf(p, sizeof(p), "/vm/%s/name", uuid);
        if (!rc)
            rc = xs_printf(xs, t, p, "%s", cfg->name);
        snprintf(p, sizeof(p), "/vm/%s/uuid", uuid);
        if (!rc)
            rc = xs_printf(xs, t, p, "%s", uuid);
#undef W
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

void domain_xs_remove(struct xsl_handle *xs, uint32_t domid)
{
    char p[64], *vm = NULL;
    size_t len;

    snprintf(p, sizeof(p), "/local/domain/%u/vm", domid);
    if (!xsl_read(xs, 0, p, &vm, &len) && !strncmp(vm, "/vm/", 4))
        xsl_rm(xs, 0, vm);
    free(vm);
    /* The backends first: they forget the devices before the frontends go. */
    vbd_remove_all(xs, domid);
    vif_remove_all(xs, domid);
    snprintf(p, sizeof(p), "/local/domain/%u", domid);
    xsl_rm(xs, 0, p);
    xsl_release(xs, domid);
}

int domain_lookup(struct pvctrl *xc, const char *spec)
{
    struct xen_domctl_getdomaininfo info;
    struct xsl_handle *xs;
    char *end;
    unsigned long id = strtoul(spec, &end, 10);
    int found = -1;

    if (*spec && !*end) {
        if (pvctrl_domain_getinfo(xc, (uint32_t)id, &info) ||
            info.domain != id) {
            pvctl_err("no domain %s", spec);
            return -1;
        }
        return (int)id;
    }
    xs = pvctl_xs_open();
    for (uint32_t d = 1; xs && !pvctrl_domain_getinfo(xc, d, &info);
         d = info.domain + 1u) {
        char *name = domain_name(xs, info.domain);
        bool match = name && !strcmp(name, spec);

        free(name);
        if (match) {
            found = info.domain;
            break;
        }
    }
    if (xs)
        xsl_close(xs);
    if (found < 0)
        pvctl_err("no domain named '%s'", spec);
    return found;
}
