/* SPDX-License-Identifier: MIT */
/*
 * TSC and LAPIC timer calibration.
 *
 * The TSC is measured against PIT channel 2: the counter is latched and
 * read before and after a busy wait of PIT_CALIBRATE_TICKS input clocks
 * (10 ms at 1.193182 MHz), which avoids the start-up latency of waiting
 * for the channel's OUT pin.  Under QEMU the PIT follows host real time, so
 * the figure matches the host TSC frequency.  `tsc_khz=` on the command
 * line overrides the measurement.  The LAPIC timer (divide by 1) is then
 * measured against the TSC.
 *
 * System time conversion uses a 32.32 fixed-point multiplier, as Xen's
 * scale_delta does: ns = (tsc_delta * mul) >> 32, evaluated in 128 bits.
 */
#include <asm/apic.h>
#include <asm/processor.h>
#include <pvisor/console.h>
#include <pvisor/lib.h>
#include <pvisor/param.h>
#include <pvisor/time.h>

#define PIT_HZ 1193182U
#define PIT_CALIBRATE_TICKS 11932U /* 10 ms */

uint64_t boot_tsc;
uint32_t tsc_khz;
static uint64_t tsc_to_ns_mul; /* 32.32 */
static uint64_t ns_to_tsc_mul; /* 32.32 */
static uint64_t lapic_ticks_per_ms;
static unsigned long opt_tsc_khz;
integer_param("tsc_khz", opt_tsc_khz);

uint64_t tsc_to_ns(uint64_t d)
{
    return (uint64_t)(((unsigned __int128)d * tsc_to_ns_mul) >> 32);
}

uint64_t ns_to_tsc(uint64_t ns)
{
    return (uint64_t)(((unsigned __int128)ns * ns_to_tsc_mul) >> 32);
}

s_time_t NOW(void)
{
    return (s_time_t)tsc_to_ns(rdtsc() - boot_tsc);
}

static uint64_t console_now(void)
{
    return (uint64_t)NOW();
}

void udelay(unsigned long us)
{
    uint64_t end;

    if (!tsc_khz) {
        /* Before calibration: assume at most 4 GHz and wait long enough. */
        end = rdtsc() + us * 4000ULL;
    } else {
        end = rdtsc() + us * tsc_khz / 1000;
    }
    while ((int64_t)(rdtsc() - end) < 0)
        cpu_relax();
}

void mdelay(unsigned long ms)
{
    udelay(ms * 1000);
}

static uint16_t pit_read_ch2(void)
{
    uint8_t lo, hi;

    outb(0x43, 0x80); /* latch channel 2 */
    lo = inb(0x42);
    hi = inb(0x42);
    return (uint16_t)(lo | hi << 8);
}

/*
 * Both calibrations take their end-of-interval readings inside the loop
 * and run twice, keeping the second result: under QEMU TCG the first
 * execution of any code path includes translating it, tens of microseconds
 * that would otherwise land inside the measured interval.
 */
static uint32_t calibrate_tsc_khz_once(void)
{
    uint16_t start, now;
    uint64_t t0, t1;

    /* Channel 2 gate on, speaker off; mode 2, full 16-bit count. */
    outb(0x61, (inb(0x61) & ~0x02) | 0x01);
    outb(0x43, 0xb4);
    outb(0x42, 0xff);
    outb(0x42, 0xff);
    start = pit_read_ch2();
    while ((uint16_t)(start - pit_read_ch2()) < 16)
        ;
    start = pit_read_ch2();
    t0 = rdtsc();
    do {
        now = pit_read_ch2();
        t1 = rdtsc();
    } while ((uint16_t)(start - now) < PIT_CALIBRATE_TICKS);
    return (uint32_t)((t1 - t0) * PIT_HZ / (uint16_t)(start - now) / 1000);
}

static uint64_t calibrate_lapic_once(void)
{
    uint64_t t0, t1;
    uint32_t c0, c1;

    lapic_timer_oneshot(0xffffffffU);
    c0 = lapic_timer_current();
    t0 = rdtsc();
    do {
        c1 = lapic_timer_current();
        t1 = rdtsc();
    } while (t1 - t0 < (uint64_t)tsc_khz * 10);
    lapic_timer_oneshot(0);
    return (uint64_t)(c0 - c1) * tsc_khz / (t1 - t0);
}

void time_init(void)
{
    if (opt_tsc_khz) {
        tsc_khz = (uint32_t)opt_tsc_khz;
    } else {
        calibrate_tsc_khz_once();
        tsc_khz = calibrate_tsc_khz_once();
    }
    if (!tsc_khz)
        panic("TSC calibration failed");
    tsc_to_ns_mul = (1000000ULL << 32) / tsc_khz;
    ns_to_tsc_mul = ((uint64_t)tsc_khz << 32) / 1000000ULL;
    console_set_clock(console_now);

    calibrate_lapic_once();
    lapic_ticks_per_ms = calibrate_lapic_once();
    printk("Time: TSC %u.%03u MHz (%s), LAPIC timer %llu.%03llu MHz\n",
           tsc_khz / 1000, tsc_khz % 1000,
           opt_tsc_khz ? "tsc_khz=" : "PIT calibration",
           (unsigned long long)(lapic_ticks_per_ms / 1000),
           (unsigned long long)(lapic_ticks_per_ms % 1000));
}

void arch_timer_program(s_time_t deadline)
{
    s_time_t delta;
    uint64_t ticks;

    if (!deadline) {
        lapic_timer_oneshot(0);
        return;
    }
    delta = deadline - NOW();
    if (delta < MICROSECS(1))
        delta = MICROSECS(1);
    ticks = (uint64_t)delta * lapic_ticks_per_ms / 1000000ULL;
    if (ticks == 0)
        ticks = 1;
    if (ticks > 0xffffffffULL)
        ticks = 0xffffffffULL; /* re-armed when it fires early */
    lapic_timer_oneshot((uint32_t)ticks);
}
