/* SPDX-License-Identifier: MIT */
/* Domain configuration files in xl.cfg syntax (pvctl/config.c). */
#ifndef PVCTL_CONFIG_H
#define PVCTL_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

enum domain_action { ACTION_DESTROY, ACTION_PRESERVE, ACTION_RESTART };

#define CFG_MAX_PATH 1024

struct domain_config {
    char name[64];
    uint64_t memory_mib;
    uint64_t maxmem_mib;
    unsigned int vcpus;
    char kernel[CFG_MAX_PATH];  /* resolved against the file's directory */
    char ramdisk[CFG_MAX_PATH]; /* empty: none */
    char cmdline[1024];
    enum domain_action on_poweroff, on_reboot, on_crash;
    unsigned int weight; /* scheduler weight, 0: default */
    unsigned int cap;
};

/*
 * Parses an xl.cfg file, then the n_extras "KEY=VALUE" settings (which
 * win over the file's).  Unknown keys are warned about on stderr; bad
 * values are errors reported with the file and line (or the setting).
 * Returns 0 or -1.
 */
int config_parse(const char *path, char *const *extras, int n_extras,
                 struct domain_config *cfg);
const char *action_name(enum domain_action a);

#endif /* PVCTL_CONFIG_H */
