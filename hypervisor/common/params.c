/* SPDX-License-Identifier: MIT */
/*
 * Command-line parsing (see pvisor/param.h).  Words are separated by
 * spaces; "name=value" sets an option, a bare "name" sets a boolean, and
 * "no-name" clears one.
 */
#include <pvisor/lib.h>
#include <pvisor/param.h>

extern const struct kernel_param __param_start[], __param_end[];

static void apply_param(const struct kernel_param *p, const char *val)
{
    switch (p->kind) {
    case PARAM_BOOL:
        *(bool *)p->var = !val || !strcmp(val, "1") || !strcmp(val, "on") ||
                          !strcmp(val, "yes") || !strcmp(val, "true");
        break;
    case PARAM_INT:
        *(unsigned long *)p->var = val ? simple_strtoull(val, NULL, 0) : 1;
        break;
    case PARAM_SIZE:
        *(unsigned long *)p->var = val ? parse_size(val, NULL) : 0;
        break;
    case PARAM_STRING:
        strlcpy(p->var, val ? val : "", p->len);
        break;
    }
}

void parse_cmdline(const char *cmdline)
{
    char word[256];

    while (*cmdline) {
        const char *end, *eq, *val = NULL;
        const struct kernel_param *p;
        size_t len;
        bool found = false;

        while (*cmdline == ' ')
            cmdline++;
        if (!*cmdline)
            break;
        end = strchr(cmdline, ' ');
        if (!end)
            end = cmdline + strlen(cmdline);
        len = (size_t)(end - cmdline);
        if (len >= sizeof(word))
            len = sizeof(word) - 1;
        memcpy(word, cmdline, len);
        word[len] = '\0';
        cmdline = end;

        eq = strchr(word, '=');
        if (eq) {
            word[eq - word] = '\0';
            val = eq + 1;
        }
        for (p = __param_start; p < __param_end; p++) {
            if (!strcmp(word, p->name)) {
                apply_param(p, val);
                found = true;
            } else if (!strncmp(word, "no-", 3) && p->kind == PARAM_BOOL &&
                       !strcmp(word + 3, p->name)) {
                *(bool *)p->var = false;
                found = true;
            }
        }
        if (!found)
            printk("Ignoring unknown command-line option '%s'\n", word);
    }
}
