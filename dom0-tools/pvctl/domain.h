/* SPDX-License-Identifier: MIT */
/* pvctl's domain management helpers (create.c, domain_build.c, domains.c). */
#ifndef PVCTL_DOMAIN_H
#define PVCTL_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "pvctrl.h"

struct built_domain {
    uint64_t store_mfn;
    uint64_t console_mfn;
};

/* Builds a created, paused domain from cfg; err gets a message. */
int domain_build(struct pvctrl *xc, uint32_t domid,
                 const struct domain_config *cfg, uint32_t store_port,
                 uint32_t console_port, struct built_domain *out, char *err,
                 size_t errlen);
/*
 * Finds a domain by id ("3") or by name; returns the id or -1 after
 * printing why.
 */
int domain_lookup(struct pvctrl *xc, const char *spec);

struct xsl_handle;
struct xsl_handle *pvctl_xs_open(void);
/* The domain's name from xenstore (malloc'd), or NULL. */
char *domain_name(struct xsl_handle *xs, uint32_t domid);
/* Writes a node; xs_put writes DIR/KEY.  0 or a negative errno. */
int xs_printf(struct xsl_handle *xs, uint32_t t, const char *path,
              const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int xs_put(struct xsl_handle *xs, uint32_t t, const char *dir,
           const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* DIR/KEY as a number, or -1 if it is missing or not one. */
long xs_read_num(struct xsl_handle *xs, const char *dir, const char *key);
/*
 * What a command on one domain starts with: the domain by id or name and
 * a xenstore connection; the id, or -1 after printing why.
 */
int domain_lookup_xs(const char *spec, struct xsl_handle **xs);
/* Writes the domain's standard xenstore nodes in one transaction. */
int domain_xs_write(struct xsl_handle *xs, uint32_t domid,
                    const struct domain_config *cfg, const char *uuid,
                    uint64_t store_mfn, uint32_t store_port,
                    uint64_t console_mfn, uint32_t console_port);
/* Removes them (and tells xenstore the domain is gone). */
void domain_xs_remove(struct xsl_handle *xs, uint32_t domid);
/*
 * Virtual block devices (dev_vbd.c): writes the nodes of cfg's disks and
 * waits for the block backend to take them (-1, printed why, if not);
 * removes a domain's backend directories.
 */
int vbd_create_all(struct xsl_handle *xs, uint32_t domid,
                   const struct domain_config *cfg);
void vbd_remove_all(struct xsl_handle *xs, uint32_t domid);

/* Network devices (dev_vif.c): nodes for each configured vif, waiting
 * for the backend to take them, and removing a domain's. */
int vif_create_all(struct xsl_handle *xs, uint32_t domid,
                   const struct domain_config *cfg);
int vif_wait_backends(struct xsl_handle *xs, uint32_t domid,
                      const struct domain_config *cfg);
void vif_remove_all(struct xsl_handle *xs, uint32_t domid);
/* Before a restart: each configured vif without a mac= takes the one it
 * was given (its backend's mac node), as xl keeps it across a reboot. */
void vif_keep_macs(struct xsl_handle *xs, uint32_t domid,
                   struct domain_config *cfg);
/* Starts the process that acts on the domain's shutdown (monitor.c). */
int monitor_spawn(uint32_t domid, const char *config_path,
                  char *const *extras, int n_extras);
int monitor_run(uint32_t domid, const char *config_path, char *const *extras,
                int n_extras);
/* Creates, builds and starts a domain; its id, or -1 (printed why). */
int domain_create_from(struct pvctrl *xc, const char *config_path,
                       const struct domain_config *cfg, bool paused);

#endif /* PVCTL_DOMAIN_H */
