/* SPDX-License-Identifier: MIT */
/* 16550 UARTs on I/O ports: COM1 is the console, COM2 the dom0 doorbell. */
#ifndef ASM_NS16550_H
#define ASM_NS16550_H

#include <pvisor/types.h>

#define COM1_PORT 0x3f8
#define COM2_PORT 0x2f8
#define COM2_IRQ 3

void ns16550_init(uint16_t port, bool rx_interrupt);
bool ns16550_present(uint16_t port);
void ns16550_putc(uint16_t port, char c);
/* Returns -1 if no byte is waiting. */
int ns16550_getc(uint16_t port);
void ns16550_console_write(const char *s, size_t len);

#endif /* ASM_NS16550_H */
