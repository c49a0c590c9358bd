/* SPDX-License-Identifier: MIT */
/*
 * pvclock arithmetic and calendar conversion, free of hypercalls so the
 * host unit tests can drive them.
 *
 * System time (xen/xen.h, struct vcpu_time_info):
 *     system_time + ((tsc - tsc_timestamp) << tsc_shift) * mul >> 32
 * where a negative tsc_shift means a right shift.  The product needs 96
 * bits, hence the 128-bit multiply.
 *
 * The reader protocol is a sequence lock: the writer makes `version` odd,
 * updates, makes it even again; a reader retries while the version is odd
 * or has changed across its reads.
 */
#include "timekeeping.h"

uint64_t pvclock_scale_delta(uint64_t delta, uint32_t mul, int8_t shift)
{
    if (shift < 0)
        delta >>= -shift;
    else
        delta <<= shift;
    return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

uint64_t pvclock_system_time(const struct vcpu_time_info *t, uint64_t tsc)
{
    return t->system_time + pvclock_scale_delta(tsc - t->tsc_timestamp,
                                                t->tsc_to_system_mul,
                                                t->tsc_shift);
}

void pvclock_snapshot(const volatile struct vcpu_time_info *t,
                      struct vcpu_time_info *snap)
{
    uint32_t version;

    do {
        version = t->version;
        rmb();
        snap->tsc_timestamp = t->tsc_timestamp;
        snap->system_time = t->system_time;
        snap->tsc_to_system_mul = t->tsc_to_system_mul;
        snap->tsc_shift = t->tsc_shift;
        snap->flags = t->flags;
        rmb();
    } while ((version & 1) || version != t->version);
    snap->version = version;
}

/* Days since 1970-01-01 to a proleptic Gregorian date (400-year eras). */
void time_unix_to_tm(int64_t secs, struct guest_tm *tm)
{
    int64_t days = secs / 86400, rem = secs % 86400;
    int64_t era, doe, yoe, doy, mp, y;

    if (rem < 0) {
        rem += 86400;
        days--;
    }
    tm->hour = (int)(rem / 3600);
    tm->min = (int)(rem / 60 % 60);
    tm->sec = (int)(rem % 60);
    tm->wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */

    days += 719468; /* shift the epoch to 0000-03-01 */
    era = (days >= 0 ? days : days - 146096) / 146097;
    doe = days - era * 146097; /* [0, 146096] */
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* [0, 365] */
    mp = (5 * doy + 2) / 153;                      /* March = 0 */
    tm->day = (int)(doy - (153 * mp + 2) / 5 + 1);
    tm->month = (int)(mp < 10 ? mp + 3 : mp - 9);
    tm->year = (int)(y + (tm->month <= 2));
}
