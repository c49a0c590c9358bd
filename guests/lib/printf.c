/* SPDX-License-Identifier: MIT */
/*
 * vsnprintf for the guests: no libc here, and the guests print everything
 * (TAP lines, register dumps, dates) through it.  Supported: flags - 0 # +
 * and space, width and precision (also as *), length modifiers hh h l ll z
 * j t, and conversions d i u o x X p s c %.  Anything else is copied
 * through literally so a bad format is visible rather than fatal.  The
 * return value is the length the full output would have had, as in C99.
 * It is pure code, unit-tested on the host against the C library.
 */
#include "guest.h"

struct out {
    char *buf;
    size_t size;
    size_t len; /* characters produced so far, including dropped ones */
};

static void out_char(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void out_pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        out_char(o, c);
}

enum {
    F_LEFT = 1,
    F_ZERO = 2,
    F_ALT = 4,
    F_PLUS = 8,
    F_SPACE = 16,
};

static void out_number(struct out *o, unsigned long long v, bool negative,
                       unsigned int base, bool upper, int flags, int width,
                       int prec)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0, len, zeros, pad;
    char sign = 0;
    const char *prefix = "";

    while (v) {
        tmp[n++] = digits[v % base];
        v /= base;
    }
    /* Precision 0 with value 0 prints no digits (C99 7.19.6.1). */
    if (n == 0 && prec != 0)
        tmp[n++] = '0';
    if (negative)
        sign = '-';
    else if (flags & F_PLUS)
        sign = '+';
    else if (flags & F_SPACE)
        sign = ' ';
    if ((flags & F_ALT) && base == 16 && !(n == 1 && tmp[0] == '0') && n)
        prefix = upper ? "0X" : "0x";
    if ((flags & F_ALT) && base == 8 && (n == 0 || tmp[n - 1] != '0') &&
        prec <= n)
        prefix = "0";
    zeros = prec > n ? prec - n : 0;
    len = n + zeros + (sign ? 1 : 0) + (int)strlen(prefix);
    pad = width > len ? width - len : 0;
    if (prec < 0 && (flags & F_ZERO) && !(flags & F_LEFT)) {
        zeros += pad;
        pad = 0;
    }
    if (!(flags & F_LEFT))
        out_pad(o, ' ', pad);
    if (sign)
        out_char(o, sign);
    while (*prefix)
        out_char(o, *prefix++);
    out_pad(o, '0', zeros);
    while (n)
        out_char(o, tmp[--n]);
    if (flags & F_LEFT)
        out_pad(o, ' ', pad);
}

static void out_string(struct out *o, const char *s, int flags, int width,
                       int prec)
{
    int n = 0;

    if (!s)
        s = "(null)";
    while ((prec < 0 || n < prec) && s[n])
        n++;
    if (!(flags & F_LEFT))
        out_pad(o, ' ', width - n);
    for (int i = 0; i < n; i++)
        out_char(o, s[i]);
    if (flags & F_LEFT)
        out_pad(o, ' ', width - n);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {buf, size, 0};

    while (*fmt) {
        const char *start = fmt;
        int flags = 0, width = 0, prec = -1, lng = 0;
        unsigned long long uv;
        long long sv;

        if (*fmt != '%') {
            out_char(&o, *fmt++);
            continue;
        }
        fmt++;
        for (;; fmt++) {
            if (*fmt == '-')
                flags |= F_LEFT;
            else if (*fmt == '0')
                flags |= F_ZERO;
            else if (*fmt == '#')
                flags |= F_ALT;
            else if (*fmt == '+')
                flags |= F_PLUS;
            else if (*fmt == ' ')
                flags |= F_SPACE;
            else
                break;
        }
        if (*fmt == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                flags |= F_LEFT;
                width = -width;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                width = width * 10 + (*fmt++ - '0');
        }
        if (*fmt == '.') {
            fmt++;
            prec = 0;
            if (*fmt == '*') {
                prec = va_arg(ap, int);
                if (prec < 0)
                    prec = -1;
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    prec = prec * 10 + (*fmt++ - '0');
            }
        }
        /* lng: -2 hh, -1 h, 0 int, 1 long, 2 long long (z, j, t are long) */
        if (*fmt == 'h') {
            lng = -1;
            if (*++fmt == 'h') {
                lng = -2;
                fmt++;
            }
        } else if (*fmt == 'l') {
            lng = 1;
            if (*++fmt == 'l') {
                lng = 2;
                fmt++;
            }
        } else if (*fmt == 'z' || *fmt == 'j' || *fmt == 't') {
            lng = 1;
            fmt++;
        }
        switch (*fmt) {
        case 'd':
        case 'i':
            if (lng == 2)
                sv = va_arg(ap, long long);
            else if (lng == 1)
                sv = va_arg(ap, long);
            else
                sv = va_arg(ap, int);
            if (lng == -1)
                sv = (short)sv;
            else if (lng == -2)
                sv = (signed char)sv;
            uv =
                sv < 0 ? 0ULL - (unsigned long long)sv : (unsigned long long)sv;
            out_number(&o, uv, sv < 0, 10, false, flags, width, prec);
            break;
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            if (lng == 2)
                uv = va_arg(ap, unsigned long long);
            else if (lng == 1)
                uv = va_arg(ap, unsigned long);
            else
                uv = va_arg(ap, unsigned int);
            if (lng == -1)
                uv = (unsigned short)uv;
            else if (lng == -2)
                uv = (unsigned char)uv;
            out_number(&o, uv, false, *fmt == 'u' ? 10 : (*fmt == 'o' ? 8 : 16),
                       *fmt == 'X', flags & ~(F_PLUS | F_SPACE), width, prec);
            break;
        case 'p':
            uv = (unsigned long)va_arg(ap, void *);
            out_number(&o, uv, false, 16, false, flags | F_ALT, width, prec);
            break;
        case 's':
            out_string(&o, va_arg(ap, const char *), flags, width, prec);
            break;
        case 'c': {
            char c = (char)va_arg(ap, int);

            if (!(flags & F_LEFT))
                out_pad(&o, ' ', width - 1);
            out_char(&o, c);
            if (flags & F_LEFT)
                out_pad(&o, ' ', width - 1);
            break;
        }
        case '%':
            out_char(&o, '%');
            break;
        default:
            /* Unknown conversion: copy it through, then carry on. */
            while (start < fmt)
                out_char(&o, *start++);
            if (*fmt)
                out_char(&o, *fmt);
            else
                fmt--;
            break;
        }
        fmt++;
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
