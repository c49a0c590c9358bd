/* SPDX-License-Identifier: MIT */
/*
 * Guest-visible time.
 *
 * System time is nanoseconds since the hypervisor started; guests compute
 * it from the TSC with each vCPU's vcpu_time_info (pvclock):
 *   now = system_time + ((tsc - tsc_timestamp) << tsc_shift) * mul >> 32
 * with a negative shift meaning a right shift.  The TSC is the same on
 * every CPU of the machine, so the parameters carry
 * XEN_PVCLOCK_TSC_STABLE_BIT.  Each update follows the version protocol:
 * odd while being written.
 *
 * The wallclock (shared_info wc_sec/wc_nsec) is the Unix time at system
 * time zero, from the RTC read at boot.
 */
#include <asm/processor.h>
#include <pvisor/guest_access.h>
#include <pvisor/lib.h>
#include <pvisor/sched.h>
#include <pvisor/schedule.h>
#include <pvisor/vcpu_time.h>
#include <xen/xen.h>

static uint32_t pv_mul_frac;
static int8_t pv_shift;
static uint64_t boot_wallclock_ns; /* Unix time at system time 0 */

static uint8_t cmos_read(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static unsigned int bcd(uint8_t v, bool is_bcd)
{
    return is_bcd ? (v & 0xf) + (v >> 4) * 10 : v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static uint64_t days_from_civil(int y, unsigned int m, unsigned int d)
{
    int era;
    unsigned int yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned int)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (uint64_t)(era * 146097 + (int)doe - 719468);
}

static uint64_t rtc_unix_seconds(void)
{
    uint8_t sec, min, hour, day, mon, year, regb;
    bool is_bcd;
    unsigned int h;

    /* Wait for a moment with no update in progress. */
    for (int i = 0; i < 1000000 && (cmos_read(0x0a) & 0x80); i++)
        cpu_relax();
    sec = cmos_read(0x00);
    min = cmos_read(0x02);
    hour = cmos_read(0x04);
    day = cmos_read(0x07);
    mon = cmos_read(0x08);
    year = cmos_read(0x09);
    regb = cmos_read(0x0b);
    is_bcd = !(regb & 0x04);
    h = bcd(hour & 0x7f, is_bcd);
    if (!(regb & 0x02) && (hour & 0x80))
        h = (h % 12) + 12; /* 12-hour clock, PM */
    return days_from_civil(2000 + (int)bcd(year, is_bcd), bcd(mon, is_bcd),
                           bcd(day, is_bcd)) * 86400ULL +
           h * 3600ULL + bcd(min, is_bcd) * 60ULL + bcd(sec, is_bcd);
}

void guest_time_init(void)
{
    uint64_t tps = (uint64_t)tsc_khz * 1000, secs;
    uint32_t tps32;
    int shift = 0;

    /* The pvclock scale, as Xen's set_time_scale computes it. */
    while (tps > 2000000000ULL) {
        tps >>= 1;
        shift--;
    }
    tps32 = (uint32_t)tps;
    while (tps32 <= 1000000000U) {
        tps32 <<= 1;
        shift++;
    }
    pv_mul_frac = (uint32_t)((1000000000ULL << 32) / tps32);
    pv_shift = (int8_t)shift;

    secs = rtc_unix_seconds();
    boot_wallclock_ns = secs * 1000000000ULL - (uint64_t)NOW();
    printk("Wallclock: %llu s since the epoch (RTC)\n",
           (unsigned long long)secs);
}

uint64_t wallclock_now_ns(void)
{
    return boot_wallclock_ns + (uint64_t)NOW();
}

void shared_info_wallclock_init(struct domain *d)
{
    shared_info_t *s = d->shared_info;

    s->wc_version++;
    smp_wmb();
    s->wc_sec = (uint32_t)(boot_wallclock_ns / 1000000000ULL);
    s->wc_nsec = (uint32_t)(boot_wallclock_ns % 1000000000ULL);
    s->wc_sec_hi = (uint32_t)((boot_wallclock_ns / 1000000000ULL) >> 32);
    smp_wmb();
    s->wc_version++;
}

void vcpu_time_update(struct vcpu *v)
{
    struct vcpu_time_info *t;

    if (!v->vcpu_info)
        return;
    t = &v->vcpu_info->time;
    t->version++;
    smp_wmb();
    t->tsc_timestamp = rdtsc();
    t->system_time = (uint64_t)tsc_to_ns(t->tsc_timestamp - boot_tsc);
    t->tsc_to_system_mul = pv_mul_frac;
    t->tsc_shift = pv_shift;
    t->flags = XEN_PVCLOCK_TSC_STABLE_BIT;
    smp_wmb();
    t->version++;
}

void vcpu_runstate_area_update(struct vcpu *v)
{
    struct vcpu_runstate_info r;

    if (!v->runstate_guest || v->is_idle)
        return;
    vcpu_runstate_get(v, &r);
    /* A fault here only means the guest unmapped its area. */
    raw_copy_to_guest((void *)v->runstate_guest, &r, sizeof(r));
}
