/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor console.
 *
 * printk() formats one message, prefixes each line with the time since
 * boot once the TSC is calibrated, and hands the text to console_write(),
 * which appends it to the log ring and passes it to each sink (the COM1
 * driver).  The log ring is a byte ring indexed by free-running 32-bit
 * positions: conring_prod is where the next byte goes, the oldest byte
 * held is at max(conring_prod - CONRING_SIZE, conring_clear).
 *
 * console_lock protects the ring, the sinks and the line state; it is taken
 * with interrupts off because interrupt handlers print too.
 */
#include <pvisor/console.h>
#include <pvisor/lib.h>
#include <pvisor/spinlock.h>

#define MAX_SINKS 4

static DEFINE_SPINLOCK(console_lock);
static char conring[CONRING_SIZE];
static uint32_t conring_prod;  /* protected by console_lock */
static uint32_t conring_clear; /* protected by console_lock */
static console_sink_fn sinks[MAX_SINKS];
static unsigned int nr_sinks;
static bool at_line_start = true;
static uint64_t (*console_clock)(void);

BUILD_BUG_ON(CONRING_SIZE & (CONRING_SIZE - 1));

void console_add_sink(console_sink_fn fn)
{
    if (nr_sinks < MAX_SINKS)
        sinks[nr_sinks++] = fn;
}

void console_set_clock(uint64_t (*now_ns)(void))
{
    console_clock = now_ns;
}

static void console_emit(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        conring[(conring_prod + i) & (CONRING_SIZE - 1)] = s[i];
    conring_prod += (uint32_t)len;
    for (unsigned int i = 0; i < nr_sinks; i++)
        sinks[i](s, len);
}

/* Writes s, starting each new line with a timestamp; console_lock held. */
static void console_emit_lines(const char *s, size_t len)
{
    while (len) {
        const char *nl;
        size_t chunk;

        if (at_line_start && console_clock) {
            char stamp[24];
            uint64_t ns = console_clock();
            int n = snprintf(stamp, sizeof(stamp), "[%5llu.%06llu] ",
                             (unsigned long long)(ns / 1000000000ULL),
                             (unsigned long long)(ns / 1000 % 1000000));
            console_emit(stamp, (size_t)n);
        }
        nl = NULL;
        for (size_t i = 0; i < len; i++)
            if (s[i] == '\n') {
                nl = s + i;
                break;
            }
        chunk = nl ? (size_t)(nl - s) + 1 : len;
        console_emit(s, chunk);
        at_line_start = nl != NULL;
        s += chunk;
        len -= chunk;
    }
}

void console_write(const char *s, size_t len)
{
    unsigned long flags;

    spin_lock_irqsave(&console_lock, flags);
    console_emit_lines(s, len);
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_force_unlock(void)
{
    spin_lock_init(&console_lock);
}

void vprintk(const char *fmt, va_list ap)
{
    char buf[512];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);

    if (n >= (int)sizeof(buf))
        n = sizeof(buf) - 1;
    console_write(buf, (size_t)n);
}

void printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}

void console_read_ring(char *buf, uint32_t *count, uint32_t *index,
                       bool incremental, bool clear)
{
    unsigned long flags;
    uint32_t start, oldest, held, avail, n;

    spin_lock_irqsave(&console_lock, flags);
    held = conring_prod - conring_clear;
    if (held > CONRING_SIZE)
        held = CONRING_SIZE;
    oldest = conring_prod - held;
    start = incremental ? *index : oldest;
    if ((int32_t)(start - oldest) < 0)
        start = oldest; /* the caller fell behind: skip what was overwritten */
    if ((int32_t)(conring_prod - start) < 0)
        start = conring_prod;
    avail = conring_prod - start;
    n = avail < *count ? avail : *count;
    for (uint32_t i = 0; i < n; i++)
        buf[i] = conring[(start + i) & (CONRING_SIZE - 1)];
    *index = start + n;
    *count = n;
    if (clear)
        conring_clear = start + n;
    spin_unlock_irqrestore(&console_lock, flags);
}
