/* SPDX-License-Identifier: MIT */
/*
 * Hypervisor command-line options ("name=value" or "name" words, from
 * QEMU's -append).  Each option is declared next to the variable it sets
 * and collected into the .data.param section; parse_cmdline() applies
 * them once at boot.  Unknown words are reported and ignored.
 */
#ifndef PVISOR_PARAM_H
#define PVISOR_PARAM_H

#include <pvisor/types.h>

enum param_kind { PARAM_BOOL, PARAM_INT, PARAM_STRING, PARAM_SIZE };

struct kernel_param {
    const char *name;
    enum param_kind kind;
    void *var;
    size_t len; /* PARAM_STRING: buffer size */
};

#define __param(n, k, v, l)                                                    \
    static const struct kernel_param __used __section(".data.param")         \
        __aligned(8) __param_##v = {n, k, &(v), l}

#define boolean_param(n, v) __param(n, PARAM_BOOL, v, 0)
#define integer_param(n, v) __param(n, PARAM_INT, v, 0)
#define size_param(n, v) __param(n, PARAM_SIZE, v, 0)
#define string_param(n, v) __param(n, PARAM_STRING, v, sizeof(v))

void parse_cmdline(const char *cmdline);

#endif /* PVISOR_PARAM_H */
