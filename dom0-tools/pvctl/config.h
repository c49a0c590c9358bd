/* SPDX-License-Identifier: MIT */
/* Domain configuration files in xl.cfg syntax (pvctl/config.c). */
#ifndef PVCTL_CONFIG_H
#define PVCTL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum domain_action { ACTION_DESTROY, ACTION_PRESERVE, ACTION_RESTART };

#define CFG_MAX_PATH 1024
#define CFG_MAX_DISKS 8

/* One entry of disk = [...] (dev_vbd.c). */
struct disk_spec {
    char target[CFG_MAX_PATH]; /* the image, an absolute path */
    char vdev[16];             /* xvda... */
    unsigned int devid;        /* Xen's number for vdev (51712 for xvda) */
    bool readonly;
};

#define CFG_MAX_VIFS 8

/* One vif = [...] entry (dev_vif.c); empty strings: not given. */
struct vif_config {
    char mac[18];
    char ip[24];
    char bridge[16];
};

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
    struct disk_spec disks[CFG_MAX_DISKS];
    unsigned int nr_disks;
    struct vif_config vifs[CFG_MAX_VIFS];
    unsigned int nr_vifs;
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
/* The vif key (dev_vif.c), from libxlutil's parsed configuration. */
int vif_config_parse(const char *path, void *xlu, struct domain_config *cfg);
int vif_parse_spec(const char *spec, struct vif_config *v, char *err,
                   size_t errlen);

/*
 * Parses a disk spec in xl's syntax (xl-disk-configuration): positional
 * "target,format,vdev,access" or KEY=VALUE items (target=, format=,
 * vdev=, access=); format raw, access rw/w or ro/r (default rw); a
 * relative target is taken from dir.  The image must exist.  0, or -1
 * with the reason in err.
 */
int disk_spec_parse(const char *spec, const char *dir, struct disk_spec *out,
                    char *err, size_t errlen);

#endif /* PVCTL_CONFIG_H */
