/* SPDX-License-Identifier: MIT */
/*
 * vsnprintf for the hypervisor: the subset of C99 printf that hypervisor
 * messages use (d i u x X o c s p %, flags - 0 + space #, width, precision,
 * length modifiers hh h l ll z t).  Output is always NUL-terminated when
 * size > 0, and the return value is the length the full output would have.
 */
#include <pvisor/lib.h>

struct outbuf {
    char *buf;
    size_t size;
    size_t len;
};

static void out_char(struct outbuf *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void out_pad(struct outbuf *o, char c, int n)
{
    while (n-- > 0)
        out_char(o, c);
}

#define F_LEFT 1
#define F_ZERO 2
#define F_PLUS 4
#define F_SPACE 8
#define F_ALT 16

static void out_number(struct outbuf *o, unsigned long long v, bool negative,
                       int base, bool upper, int flags, int width, int prec)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0, len, pad;
    bool zero_pad;
    char sign = 0;
    const char *prefix = "";

    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    if (prec == 0 && n == 1 && tmp[0] == '0')
        n = 0;
    if (negative)
        sign = '-';
    else if (flags & F_PLUS)
        sign = '+';
    else if (flags & F_SPACE)
        sign = ' ';
    if ((flags & F_ALT) && base == 16)
        prefix = upper ? "0X" : "0x";
    else if ((flags & F_ALT) && base == 8)
        prefix = "0";

    len = (prec > n ? prec : n) + (sign ? 1 : 0) + (int)strlen(prefix);
    pad = width > len ? width - len : 0;
    zero_pad = (flags & F_ZERO) && !(flags & F_LEFT) && prec < 0;
    if (!(flags & F_LEFT) && !zero_pad) {
        out_pad(o, ' ', pad);
        pad = 0;
    }
    if (sign)
        out_char(o, sign);
    for (; *prefix; prefix++)
        out_char(o, *prefix);
    if (zero_pad) {
        out_pad(o, '0', pad);
        pad = 0;
    }
    out_pad(o, '0', prec - n);
    while (n)
        out_char(o, tmp[--n]);
    out_pad(o, ' ', pad);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct outbuf o = {.buf = buf, .size = size, .len = 0};

    for (; *fmt; fmt++) {
        int flags = 0, width = -1, prec = -1, lng = 0;
        unsigned long long v;
        bool neg;

        if (*fmt != '%') {
            out_char(&o, *fmt);
            continue;
        }
        for (;;) {
            char c = *++fmt;
            if (c == '-')
                flags |= F_LEFT;
            else if (c == '0')
                flags |= F_ZERO;
            else if (c == '+')
                flags |= F_PLUS;
            else if (c == ' ')
                flags |= F_SPACE;
            else if (c == '#')
                flags |= F_ALT;
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
            for (width = 0; *fmt >= '0' && *fmt <= '9'; fmt++)
                width = width * 10 + (*fmt - '0');
        }
        if (*fmt == '.') {
            fmt++;
            if (*fmt == '*') {
                prec = va_arg(ap, int);
                fmt++;
            } else {
                for (prec = 0; *fmt >= '0' && *fmt <= '9'; fmt++)
                    prec = prec * 10 + (*fmt - '0');
            }
        }
        for (;; fmt++) {
            if (*fmt == 'l')
                lng++;
            else if (*fmt == 'h')
                lng--;
            else if (*fmt == 'z' || *fmt == 't')
                lng = 1;
            else
                break;
        }

        switch (*fmt) {
        case 'd':
        case 'i': {
            long long s;
            if (lng >= 2)
                s = va_arg(ap, long long);
            else if (lng == 1)
                s = va_arg(ap, long);
            else
                s = va_arg(ap, int);
            if (lng == -1)
                s = (short)s;
            else if (lng <= -2)
                s = (signed char)s;
            neg = s < 0;
            v = neg ? -(unsigned long long)s : (unsigned long long)s;
            out_number(&o, v, neg, 10, false, flags, width, prec);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            if (lng >= 2)
                v = va_arg(ap, unsigned long long);
            else if (lng == 1)
                v = va_arg(ap, unsigned long);
            else
                v = va_arg(ap, unsigned int);
            if (lng == -1)
                v = (unsigned short)v;
            else if (lng <= -2)
                v = (unsigned char)v;
            out_number(&o, v, false,
                       *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16, *fmt == 'X',
                       flags & ~(F_PLUS | F_SPACE), width, prec);
            break;
        case 'p':
            v = (uintptr_t)va_arg(ap, void *);
            out_number(&o, v, false, 16, false, F_ALT | F_ZERO, 18, -1);
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
        case 's': {
            const char *s = va_arg(ap, const char *);
            int n;
            if (!s)
                s = "(null)";
            n = (int)strnlen(s, prec >= 0 ? (size_t)prec : (size_t)-1);
            if (!(flags & F_LEFT))
                out_pad(&o, ' ', width - n);
            for (int i = 0; i < n; i++)
                out_char(&o, s[i]);
            if (flags & F_LEFT)
                out_pad(&o, ' ', width - n);
            break;
        }
        case '%':
            out_char(&o, '%');
            break;
        case '\0':
            fmt--;
            break;
        default:
            out_char(&o, '%');
            out_char(&o, *fmt);
            break;
        }
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
