/* SPDX-License-Identifier: MIT */
/*
 * The UART doorbell of the dom0 link: COM2 (0x2f8, ISA IRQ 3), which QEMU
 * connects to the link daemon's Unix socket.  A byte from the host raises
 * IRQ 3, routed through the I/O APIC to the boot CPU; the handler drains
 * the receive register (which also clears the interrupt) and lets the link
 * code know.  Bytes to the host are written to the transmit register.
 */
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/desc.h>
#include <asm/ns16550.h>
#include <asm/traps.h>
#include <pvisor/lib.h>
#include <pvisor/link.h>
#include <pvisor/smp.h>
#include <pvisor/spinlock.h>

static DEFINE_SPINLOCK(tx_lock); /* serialises transmit-register writes */

static void uart_doorbell_irq(struct cpu_user_regs *regs)
{
    (void)regs;
    while (ns16550_getc(COM2_PORT) >= 0)
        ;
    dom0link_doorbell();
}

static void uart_doorbell_init(void)
{
    unsigned int irq = COM2_IRQ;

    if (!ns16550_present(COM2_PORT))
        panic("no doorbell UART at %#x: start the machine with `pvctl up`",
              COM2_PORT);
    ns16550_init(COM2_PORT, true);
    set_irq_handler(LINK_DOORBELL_VECTOR, uart_doorbell_irq);
    ioapic_route(acpi_info.isa_gsi[irq], LINK_DOORBELL_VECTOR, cpu_apic_ids[0],
                 acpi_info.isa_level[irq], acpi_info.isa_active_low[irq]);
}

static void uart_ring_host(uint8_t bell)
{
    unsigned long flags;

    spin_lock_irqsave(&tx_lock, flags);
    ns16550_putc(COM2_PORT, (char)bell);
    spin_unlock_irqrestore(&tx_lock, flags);
}

const struct link_doorbell_ops uart_doorbell_ops = {
    .name = "16550 UART (COM2, IRQ 3)",
    .init = uart_doorbell_init,
    .ring_host = uart_ring_host,
};
