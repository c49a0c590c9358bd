/* SPDX-License-Identifier: MIT */
/*
 * TAP producer for the test guests (see tap.h).  Each result line is
 * formatted completely and written with one console_io call.
 */
#include "hypercall.h"
#include "tap.h"

#include <xen/errno.h>

static unsigned int tap_n, tap_failed;

bool tap_active(void)
{
    return tap_n != 0;
}

unsigned int tap_failures(void)
{
    return tap_failed;
}

static bool tap_result(bool ok, const char *why, const char *fmt, va_list ap)
{
    char desc[200];

    vsnprintf(desc, sizeof(desc), fmt, ap);
    tap_n++;
    if (!ok)
        tap_failed++;
    if (ok || !why || !*why)
        printf("%sok %u - %s\n", ok ? "" : "not ", tap_n, desc);
    else
        printf("not ok %u - %s # %s\n", tap_n, desc, why);
    return ok;
}

bool tap_ok(bool cond, const char *fmt, ...)
{
    va_list ap;
    bool r;

    va_start(ap, fmt);
    r = tap_result(cond, NULL, fmt, ap);
    va_end(ap);
    return r;
}

bool tap_check(bool cond, const char *why, const char *fmt, ...)
{
    va_list ap;
    bool r;

    va_start(ap, fmt);
    r = tap_result(cond, why, fmt, ap);
    va_end(ap);
    return r;
}

const char *xen_errno_name(long rc)
{
    switch (-rc) {
    case 0:
        return "0";
    case XEN_EPERM:
        return "-EPERM";
    case XEN_ENOENT:
        return "-ENOENT";
    case XEN_ESRCH:
        return "-ESRCH";
    case XEN_EIO:
        return "-EIO";
    case XEN_E2BIG:
        return "-E2BIG";
    case XEN_EBADF:
        return "-EBADF";
    case XEN_EAGAIN:
        return "-EAGAIN";
    case XEN_ENOMEM:
        return "-ENOMEM";
    case XEN_EACCES:
        return "-EACCES";
    case XEN_EFAULT:
        return "-EFAULT";
    case XEN_EBUSY:
        return "-EBUSY";
    case XEN_EEXIST:
        return "-EEXIST";
    case XEN_ENODEV:
        return "-ENODEV";
    case XEN_EINVAL:
        return "-EINVAL";
    case XEN_ENOSPC:
        return "-ENOSPC";
    case XEN_ERANGE:
        return "-ERANGE";
    case XEN_ENOSYS:
        return "-ENOSYS";
    case XEN_ETIME:
        return "-ETIME";
    case XEN_EOPNOTSUPP:
        return "-EOPNOTSUPP";
    case XEN_ENOBUFS:
        return "-ENOBUFS";
    default:
        return rc < 0 ? "-E?" : "positive";
    }
}

bool tap_eq(long got, long want, const char *fmt, ...)
{
    char why[96];
    va_list ap;
    bool r;

    snprintf(why, sizeof(why), "got %ld (%s), want %ld (%s)", got,
             xen_errno_name(got), want, xen_errno_name(want));
    va_start(ap, fmt);
    r = tap_result(got == want, why, fmt, ap);
    va_end(ap);
    return r;
}

bool tap_eq_hex(unsigned long got, unsigned long want, const char *fmt, ...)
{
    char why[96];
    va_list ap;
    bool r;

    snprintf(why, sizeof(why), "got %#lx, want %#lx", got, want);
    va_start(ap, fmt);
    r = tap_result(got == want, why, fmt, ap);
    va_end(ap);
    return r;
}

void tap_skip(const char *reason, const char *fmt, ...)
{
    char desc[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(desc, sizeof(desc), fmt, ap);
    va_end(ap);
    tap_n++;
    printf("ok %u - %s # SKIP %s\n", tap_n, desc, reason);
}

void tap_diag(const char *fmt, ...)
{
    char buf[240];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printf("# %s\n", buf);
}

void tap_finish(void)
{
    if (tap_failed)
        printf("# %u of %u checks failed\n", tap_failed, tap_n);
    printf("1..%u\n", tap_n);
}

void __noreturn tap_done(void)
{
    tap_finish();
    guest_shutdown(SHUTDOWN_poweroff);
}
