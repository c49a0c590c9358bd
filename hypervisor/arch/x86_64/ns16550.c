/* SPDX-License-Identifier: MIT */
/*
 * Minimal 16550 UART driver (polled transmit, optional receive interrupt).
 * The FIFO stays off: QEMU may otherwise hold receive interrupts until a
 * trigger level or a character timeout derived from the baud rate, which
 * would delay every doorbell.
 */
#include <asm/ns16550.h>
#include <asm/processor.h>

#define UART_RBR 0 /* receive buffer (read, DLAB=0) */
#define UART_THR 0 /* transmit holding (write, DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1 /* interrupt enable (DLAB=0) */
#define UART_DLM 1 /* divisor latch high (DLAB=1) */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */

#define IER_RDA 0x01  /* receive data available */
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT2 0x08 /* gates the interrupt line on PC UARTs */
#define LSR_DR 0x01   /* data ready */
#define LSR_THRE 0x20 /* transmit holding register empty */

void ns16550_init(uint16_t port, bool rx_interrupt)
{
    outb(port + UART_IER, 0);
    outb(port + UART_LCR, LCR_DLAB);
    outb(port + UART_DLL, 1); /* 115200 baud */
    outb(port + UART_DLM, 0);
    outb(port + UART_LCR, LCR_8N1);
    outb(port + UART_FCR, 0);
    outb(port + UART_MCR, MCR_DTR | MCR_RTS | (rx_interrupt ? MCR_OUT2 : 0));
    /* Drain anything left over, which also clears a pending interrupt
     * (bounded: a missing UART reads as all-ones). */
    for (int i = 0; i < 64 && (inb(port + UART_LSR) & LSR_DR); i++)
        (void)inb(port + UART_RBR);
    outb(port + UART_IER, rx_interrupt ? IER_RDA : 0);
}

void ns16550_putc(uint16_t port, char c)
{
    while (!(inb(port + UART_LSR) & LSR_THRE))
        cpu_relax();
    outb(port + UART_THR, (uint8_t)c);
}

bool ns16550_present(uint16_t port)
{
    return inb(port + UART_LSR) != 0xff;
}

int ns16550_getc(uint16_t port)
{
    if (!(inb(port + UART_LSR) & LSR_DR))
        return -1;
    return inb(port + UART_RBR);
}

void ns16550_console_write(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        ns16550_putc(COM1_PORT, s[i]);
}
