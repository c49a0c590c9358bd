/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor console: every printk() line goes to the registered
 * output sinks (COM1) and into the log ring that domain 0 reads with
 * XEN_SYSCTL_readconsole (`pvctl dmesg`).
 */
#ifndef PVISOR_CONSOLE_H
#define PVISOR_CONSOLE_H

#include <pvisor/types.h>

#define CONRING_SIZE (64 * 1024) /* power of two */

typedef void (*console_sink_fn)(const char *s, size_t len);

void console_add_sink(console_sink_fn fn);
void console_write(const char *s, size_t len);
/* Called on the panic path: takes the console even if another CPU holds it. */
void console_force_unlock(void);
/* Source of the "[seconds.micro]" prefix; NULL until time is calibrated. */
void console_set_clock(uint64_t (*now_ns)(void));

/*
 * Copies up to *count bytes of the log into buf.  With incremental, starts
 * at *index (a free-running byte position), else at the oldest byte still
 * held.  Updates *index to the position after the last byte returned and
 * *count to the number of bytes copied.  With clear, later non-incremental
 * reads start after what has been read.
 */
void console_read_ring(char *buf, uint32_t *count, uint32_t *index,
                       bool incremental, bool clear);

#endif /* PVISOR_CONSOLE_H */
