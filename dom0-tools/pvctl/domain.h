/* SPDX-License-Identifier: MIT */
/* pvctl's domain management helpers (create.c, domain_build.c, domains.c). */
#ifndef PVCTL_DOMAIN_H
#define PVCTL_DOMAIN_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "pvctrl.h"

/* Builds a created, paused domain from cfg; err gets a message. */
int domain_build(struct pvctrl *xc, uint32_t domid,
                 const struct domain_config *cfg, char *err, size_t errlen);
/*
 * Finds a domain by id ("3") or by name; returns the id or -1 after
 * printing why.
 */
int domain_lookup(struct pvctrl *xc, const char *spec);

#endif /* PVCTL_DOMAIN_H */
