/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's small C library: string functions, formatted printing
 * and the assertion/panic helpers.  printk() goes to the hypervisor console
 * (COM1 and the log ring that dom0 reads with XEN_SYSCTL_readconsole).
 */
#ifndef PVISOR_LIB_H
#define PVISOR_LIB_H

#include <pvisor/types.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *dst, const char *src, size_t size);
unsigned long long simple_strtoull(const char *s, const char **end, int base);
/* Parses "123", "64K", "16M", "2G"; returns the value in bytes. */
unsigned long long parse_size(const char *s, const char **end);

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
void printk(const char *fmt, ...) __printf(1, 2);
void vprintk(const char *fmt, va_list ap);

/* Stops the machine with a report; never returns. */
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;

#define BUG() panic("BUG at %s:%d", __FILE__, __LINE__)
#define BUG_ON(cond)                                                           \
    do {                                                                       \
        if (unlikely(cond))                                                    \
            panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__);          \
    } while (0)
#define ASSERT(cond)                                                           \
    do {                                                                       \
        if (unlikely(!(cond)))                                                 \
            panic("assertion '%s' failed at %s:%d", #cond, __FILE__,          \
                  __LINE__);                                                   \
    } while (0)

#endif /* PVISOR_LIB_H */
