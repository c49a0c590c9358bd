/* SPDX-License-Identifier: MIT */
/*
 * Hypercall bookkeeping: the per-number counters every wrapper in
 * hypercall.h (and the iret paths in entry.S) increment before trapping
 * into the hypervisor, and the one-line summary the reference guest prints
 * so that a tracing test can compare it with the hypervisor's own trace.
 */
#include "hypercall.h"

/* Slot HYPERCALL_COUNT_SLOTS collects numbers >= 64 (hostile tests). */
unsigned long hypercall_counts[HYPERCALL_COUNT_SLOTS + 1];

int hypercall_format_counts(char *buf, size_t size, const unsigned long *counts)
{
    int n = snprintf(buf, size, "hypercall counts:");

    for (unsigned int i = 0; i <= HYPERCALL_COUNT_SLOTS; i++) {
        if (!counts[i])
            continue;
        if (i == HYPERCALL_COUNT_SLOTS)
            n += snprintf(buf + MIN((size_t)n, size),
                          size - MIN((size_t)n, size), " other=%lu", counts[i]);
        else
            n += snprintf(buf + MIN((size_t)n, size),
                          size - MIN((size_t)n, size), " %u=%lu", i, counts[i]);
    }
    n +=
        snprintf(buf + MIN((size_t)n, size), size - MIN((size_t)n, size), "\n");
    return n;
}
