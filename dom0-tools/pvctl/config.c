/* SPDX-License-Identifier: MIT */
/*
 * Domain configuration in xl.cfg syntax, read with Debian's libxlutil (the
 * parser xl itself uses).  The keys pvisor understands so far: name,
 * memory, maxmem, vcpus, kernel, ramdisk, cmdline (or extra and root),
 * on_poweroff, on_reboot, on_crash, cpu_weight, cap.  Relative paths are
 * taken from the configuration file's directory.  libxlutil reports
 * syntax errors with their line; values are checked here, and a bad one
 * is reported with the line its key is on.
 */
#include <errno.h>
#include <libgen.h>
#include <libxlutil.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static const char *const known_keys[] = {
    "name", "memory", "maxmem", "vcpus", "kernel", "ramdisk", "cmdline",
    "extra", "root", "on_poweroff", "on_reboot", "on_crash", "cpu_weight",
    "cap", "type", NULL,
};

/* Line of the first `key = ...` in the file, for messages; 0 if absent. */
static int key_line(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    int n = 0, found = 0;

    while (f && fgets(line, sizeof(line), f)) {
        const char *p = line;
        size_t len = strlen(key);

        n++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!strncmp(p, key, len) && (p[len] == ' ' || p[len] == '\t' ||
                                      p[len] == '=')) {
            found = n;
            break;
        }
    }
    if (f)
        fclose(f);
    return found;
}

static void warn_unknown_keys(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    int n = 0;

    while (f && fgets(line, sizeof(line), f)) {
        char key[64];
        const char *p = line;
        size_t k = 0;
        bool known = false;

        n++;
        while (*p == ' ' || *p == '\t')
            p++;
        while ((p[k] >= 'a' && p[k] <= 'z') || (p[k] >= 'A' && p[k] <= 'Z') ||
               (p[k] >= '0' && p[k] <= '9') || p[k] == '_')
            k++;
        if (!k || k >= sizeof(key))
            continue;
        memcpy(key, p, k);
        key[k] = '\0';
        p += k;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != '=')
            continue;
        for (const char *const *kk = known_keys; *kk; kk++)
            if (!strcmp(*kk, key))
                known = true;
        if (!known)
            fprintf(stderr, "%s:%d: warning: unknown setting '%s' ignored\n",
                    path, n, key);
    }
    if (f)
        fclose(f);
}

static int bad_value(const char *path, const char *key, const char *why)
{
    fprintf(stderr, "%s:%d: %s: %s\n", path, key_line(path, key), key, why);
    return -1;
}

static int parse_action(const char *path, XLU_Config *x, const char *key,
                        enum domain_action *out)
{
    const char *s;

    *out = ACTION_DESTROY;
    if (xlu_cfg_get_string(x, key, &s, 1))
        return 0;
    if (!strcmp(s, "destroy"))
        *out = ACTION_DESTROY;
    else if (!strcmp(s, "preserve"))
        *out = ACTION_PRESERVE;
    else if (!strcmp(s, "restart"))
        *out = ACTION_RESTART;
    else
        return bad_value(path, key, "expected destroy, preserve or restart");
    return 0;
}

const char *action_name(enum domain_action a)
{
    return a == ACTION_PRESERVE ? "preserve"
           : a == ACTION_RESTART ? "restart"
                                 : "destroy";
}

static int resolve(const char *path, const char *value, char *out, size_t size)
{
    char dircopy[PATH_MAX];

    if (value[0] == '/') {
        snprintf(out, size, "%s", value);
        return 0;
    }
    snprintf(dircopy, sizeof(dircopy), "%s", path);
    if ((size_t)snprintf(out, size, "%s/%s", dirname(dircopy), value) >= size)
        return -1;
    return 0;
}

static int get_number(const char *path, XLU_Config *x, const char *key,
                      long min, long max, long *out, bool required)
{
    const char *s;
    char *end;
    long v;

    if (xlu_cfg_get_string(x, key, &s, 1)) {
        long lv;
        /* Not a string: a number, or absent. */
        if (xlu_cfg_get_long(x, key, &lv, 1)) {
            if (required)
                return bad_value(path, key, "missing");
            return 1;
        }
        v = lv;
    } else {
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || end == s || *end)
            return bad_value(path, key, "not a number");
    }
    if (v < min || v > max) {
        char why[96];
        snprintf(why, sizeof(why), "%ld is out of range (%ld..%ld)", v, min,
                 max);
        return bad_value(path, key, why);
    }
    *out = v;
    return 0;
}

int config_parse(const char *path, struct domain_config *cfg)
{
    XLU_Config *x;
    const char *s;
    long v;
    int rc = -1;

    memset(cfg, 0, sizeof(*cfg));
    x = xlu_cfg_init(stderr, path);
    if (!x) {
        fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
        return -1;
    }
    if (xlu_cfg_readfile(x, path)) {
        fprintf(stderr, "%s: not a valid configuration file\n", path);
        goto out;
    }
    warn_unknown_keys(path);

    if (!xlu_cfg_get_string(x, "type", &s, 1) && strcmp(s, "pv")) {
        bad_value(path, "type", "only \"pv\" domains are supported");
        goto out;
    }
    if (xlu_cfg_get_string(x, "name", &s, 0)) {
        bad_value(path, "name", "missing");
        goto out;
    }
    if (!*s || strlen(s) >= sizeof(cfg->name) || strchr(s, '/')) {
        bad_value(path, "name", "must be 1-63 characters, without '/'");
        goto out;
    }
    snprintf(cfg->name, sizeof(cfg->name), "%s", s);

    if (get_number(path, x, "memory", 4, 1 << 20, &v, true))
        goto out;
    cfg->memory_mib = (uint64_t)v;
    rc = get_number(path, x, "maxmem", (long)cfg->memory_mib, 1 << 20, &v,
                    false);
    if (rc < 0)
        goto out;
    cfg->maxmem_mib = rc ? cfg->memory_mib : (uint64_t)v;
    rc = get_number(path, x, "vcpus", 1, 32, &v, false);
    if (rc < 0)
        goto out;
    cfg->vcpus = rc ? 1 : (unsigned int)v;
    rc = get_number(path, x, "cpu_weight", 1, 65535, &v, false);
    if (rc < 0)
        goto out;
    cfg->weight = rc ? 0 : (unsigned int)v;
    rc = get_number(path, x, "cap", 0, 3200, &v, false);
    if (rc < 0)
        goto out;
    cfg->cap = rc ? 0 : (unsigned int)v;
    rc = -1;

    if (xlu_cfg_get_string(x, "kernel", &s, 0)) {
        bad_value(path, "kernel", "missing");
        goto out;
    }
    if (resolve(path, s, cfg->kernel, sizeof(cfg->kernel))) {
        bad_value(path, "kernel", "path too long");
        goto out;
    }
    if (!xlu_cfg_get_string(x, "ramdisk", &s, 1) &&
        resolve(path, s, cfg->ramdisk, sizeof(cfg->ramdisk))) {
        bad_value(path, "ramdisk", "path too long");
        goto out;
    }
    if (!xlu_cfg_get_string(x, "cmdline", &s, 1)) {
        snprintf(cfg->cmdline, sizeof(cfg->cmdline), "%s", s);
    } else {
        const char *root = NULL, *extra = NULL;
        xlu_cfg_get_string(x, "root", &root, 1);
        xlu_cfg_get_string(x, "extra", &extra, 1);
        snprintf(cfg->cmdline, sizeof(cfg->cmdline), "%s%s%s%s",
                 root ? "root=" : "", root ? root : "",
                 root && extra ? " " : "", extra ? extra : "");
    }
    if (parse_action(path, x, "on_poweroff", &cfg->on_poweroff) ||
        parse_action(path, x, "on_reboot", &cfg->on_reboot) ||
        parse_action(path, x, "on_crash", &cfg->on_crash))
        goto out;
    rc = 0;
out:
    xlu_cfg_destroy(x);
    return rc;
}
