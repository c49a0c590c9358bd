/* SPDX-License-Identifier: MIT */
/*
 * Domain configuration in xl.cfg syntax, read with Debian's libxlutil (the
 * parser xl itself uses).  The keys pvisor understands so far: name,
 * memory, maxmem, vcpus, kernel, ramdisk, cmdline (or extra and root),
 * on_poweroff, on_reboot, on_crash, cpu_weight, cap, disk (dev_vbd.c
 * parses each entry), vif (dev_vif.c).  Relative paths are
 * taken from the configuration file's directory.  libxlutil reports
 * syntax errors with their line; values are checked here, and a bad one
 * is reported with the line its key is on.
 *
 * As with `xl create CFG KEY=VALUE...`, settings given after the file
 * are read as extra lines after it and win over the file's own.
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
    "cap", "type", "disk", "vif", NULL,
};

/* The text parsed: the file, then one line per command-line setting. */
static struct {
    const char *path;
    char *data;
    size_t len;
    int file_lines;
    char *const *extras;
} text;

/* "FILE:LINE" or "command line 'KEY=VALUE'" for a line of the text. */
static void where(int line, char *out, size_t size)
{
    if (line > text.file_lines && text.extras)
        snprintf(out, size, "command line '%s'",
                 text.extras[line - text.file_lines - 1]);
    else
        snprintf(out, size, "%s:%d", text.path, line);
}

/*
 * Calls fn for each line that sets a key, with the key and its line
 * number; stops when fn returns true.
 */
static void for_each_setting(bool (*fn)(const char *key, int line, void *),
                             void *opaque)
{
    const char *p = text.data, *end = text.data + text.len;
    int n = 0;

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *q = p;
        char key[64];
        size_t k = 0;

        if (!eol)
            eol = end;
        n++;
        while (q < eol && (*q == ' ' || *q == '\t'))
            q++;
        while (q + k < eol && k < sizeof(key) - 1 &&
               ((q[k] >= 'a' && q[k] <= 'z') || (q[k] >= 'A' && q[k] <= 'Z') ||
                (q[k] >= '0' && q[k] <= '9') || q[k] == '_'))
            k++;
        memcpy(key, q, k);
        key[k] = '\0';
        q += k;
        while (q < eol && (*q == ' ' || *q == '\t'))
            q++;
        if (k && q < eol && *q == '=' && fn(key, n, opaque))
            return;
        p = eol + 1;
    }
}

struct key_search {
    const char *key;
    int line;
};

static bool match_key(const char *key, int line, void *opaque)
{
    struct key_search *ks = opaque;

    if (!strcmp(key, ks->key))
        ks->line = line; /* the last one counts, as in the parser */
    return false;
}

static bool warn_if_unknown(const char *key, int line, void *opaque)
{
    char at[1100];

    (void)opaque;
    for (const char *const *kk = known_keys; *kk; kk++)
        if (!strcmp(*kk, key))
            return false;
    where(line, at, sizeof(at));
    fprintf(stderr, "%s: warning: unknown setting '%s' ignored\n", at, key);
    return false;
}

static int bad_value(const char *path, const char *key, const char *why)
{
    struct key_search ks = {key, 0};
    char at[1100];

    (void)path;
    for_each_setting(match_key, &ks);
    if (ks.line)
        where(ks.line, at, sizeof(at));
    else
        snprintf(at, sizeof(at), "%s", text.path);
    fprintf(stderr, "%s: %s: %s\n", at, key, why);
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

/* disk = ['spec', ...]: each checked now, so errors name their line. */
static int parse_disks(const char *path, XLU_Config *x,
                       struct domain_config *cfg)
{
    XLU_ConfigList *list;
    char dircopy[PATH_MAX], err[CFG_MAX_PATH + 128];
    const char *dir;
    int n;

    if (xlu_cfg_get_list(x, "disk", &list, &n, 1))
        return 0;
    if (n > CFG_MAX_DISKS) {
        snprintf(err, sizeof(err), "%d disks, at most %d", n, CFG_MAX_DISKS);
        return bad_value(path, "disk", err);
    }
    snprintf(dircopy, sizeof(dircopy), "%s", path);
    dir = dirname(dircopy);
    for (int i = 0; i < n; i++) {
        const char *item = xlu_cfg_get_listitem(list, i);
        struct disk_spec *d = &cfg->disks[i];

        if (!item || disk_spec_parse(item, dir, d, err, sizeof(err)))
            return bad_value(path, "disk", item ? err : "not a string");
        for (unsigned int j = 0; j < cfg->nr_disks; j++)
            if (cfg->disks[j].devid == d->devid) {
                snprintf(err, sizeof(err), "%s appears twice", d->vdev);
                return bad_value(path, "disk", err);
            }
        cfg->nr_disks++;
    }
    return 0;
}

/* Reads the file and appends the extra settings, one per line. */
static int load_text(const char *path, char *const *extras, int n_extras)
{
    FILE *f = fopen(path, "r");
    size_t cap = 0;
    int c;

    if (!f) {
        fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
        return -1;
    }
    memset(&text, 0, sizeof(text));
    text.path = path;
    text.extras = n_extras ? extras : NULL;
    for (;;) {
        size_t need;

        c = getc(f);
        need = text.len + 2;
        if (need > cap) {
            char *d;
            cap = cap ? cap * 2 : 4096;
            d = realloc(text.data, cap);
            if (!d)
                break;
            text.data = d;
        }
        if (c == EOF)
            break;
        text.data[text.len++] = (char)c;
        if (c == '\n')
            text.file_lines++;
    }
    if (ferror(f) || c != EOF) {
        fprintf(stderr, "%s: cannot read: %s\n", path,
                ferror(f) ? strerror(errno) : "out of memory");
        fclose(f);
        return -1;
    }
    fclose(f);
    if (text.len && text.data[text.len - 1] != '\n') {
        text.data[text.len++] = '\n';
        text.file_lines++;
    }
    for (int i = 0; i < n_extras; i++) {
        size_t l = strlen(extras[i]);
        char *d;

        if (!strchr(extras[i], '=') || strchr(extras[i], '\n')) {
            fprintf(stderr, "command line '%s': expected KEY=VALUE\n",
                    extras[i]);
            return -1;
        }
        d = realloc(text.data, text.len + l + 2);
        if (!d)
            return -1;
        text.data = d;
        memcpy(text.data + text.len, extras[i], l);
        text.len += l;
        text.data[text.len++] = '\n';
    }
    return 0;
}

int config_parse(const char *path, char *const *extras, int n_extras,
                 struct domain_config *cfg)
{
    XLU_Config *x = NULL;
    const char *s;
    long v;
    int rc = -1;

    memset(cfg, 0, sizeof(*cfg));
    if (load_text(path, extras, n_extras))
        goto out;
    x = xlu_cfg_init(stderr, path);
    if (!x) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        goto out;
    }
    if (xlu_cfg_readdata(x, text.data, (int)text.len)) {
        fprintf(stderr, "%s: not a valid configuration%s\n", path,
                n_extras ? " (with the command line's settings)" : "");
        goto out;
    }
    for_each_setting(warn_if_unknown, NULL);

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
    if (parse_disks(path, x, cfg))
        goto out;
    if (parse_action(path, x, "on_poweroff", &cfg->on_poweroff) ||
        parse_action(path, x, "on_reboot", &cfg->on_reboot) ||
        parse_action(path, x, "on_crash", &cfg->on_crash))
        goto out;
    if (vif_config_parse(path, x, cfg))
        goto out;
    rc = 0;
out:
    if (x)
        xlu_cfg_destroy(x);
    free(text.data);
    memset(&text, 0, sizeof(text));
    return rc;
}
