/* SPDX-License-Identifier: MIT */
/*
 * Interrupt controllers.
 *
 * The local APIC is used in xAPIC mode through an uncached fixmap mapping.
 * QEMU resets the BSP's LINT0 to ExtINT and raises every ISA interrupt on
 * both the 8259 and the I/O APIC, so the 8259s are remapped away from the
 * exception vectors and masked completely, and LINT0 is masked: device
 * interrupts arrive only once, through the I/O APIC.
 */
#include <asm/apic.h>
#include <asm/desc.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <pvisor/lib.h>
#include <pvisor/time.h>

#define APIC_ID 0x20
#define APIC_TPR 0x80
#define APIC_EOI 0xb0
#define APIC_SVR 0xf0
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_ICR 0x380
#define APIC_TIMER_CCR 0x390
#define APIC_TIMER_DCR 0x3e0

#define SVR_ENABLE 0x100
#define LVT_MASKED 0x10000
#define LVT_NMI 0x400
#define ICR_FIXED 0x000
#define ICR_NMI 0x400
#define ICR_INIT 0x500
#define ICR_STARTUP 0x600
#define ICR_PENDING 0x1000
#define ICR_ASSERT 0x4000
#define ICR_LEVEL 0x8000
#define ICR_ALL_BUT_SELF 0xc0000
#define DCR_DIV_1 0xb

static volatile uint32_t *lapic;

static uint32_t lapic_read(unsigned int reg)
{
    return lapic[reg / 4];
}

static void lapic_write(unsigned int reg, uint32_t v)
{
    lapic[reg / 4] = v;
}

void lapic_map(uint64_t maddr)
{
    lapic = ioremap(maddr, PAGE_SIZE);
}

void lapic_init_cpu(void)
{
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1UL << 11));
    lapic_write(APIC_TPR, 0);
    lapic_write(APIC_LVT_LINT0, LVT_MASKED);
    lapic_write(APIC_LVT_LINT1, LVT_NMI);
    lapic_write(APIC_LVT_ERROR, LVT_MASKED);
    lapic_write(APIC_TIMER_DCR, DCR_DIV_1);
    lapic_write(APIC_LVT_TIMER, TIMER_VECTOR); /* one-shot */
    lapic_write(APIC_TIMER_ICR, 0);
    lapic_write(APIC_SVR, SVR_ENABLE | SPURIOUS_VECTOR);
    lapic_eoi();
}

uint32_t lapic_id(void)
{
    return lapic_read(APIC_ID) >> 24;
}

void lapic_eoi(void)
{
    lapic_write(APIC_EOI, 0);
}

static void lapic_icr(uint32_t apic_id, uint32_t lo)
{
    unsigned long flags = local_irq_save();

    while (lapic_read(APIC_ICR_LO) & ICR_PENDING)
        cpu_relax();
    lapic_write(APIC_ICR_HI, apic_id << 24);
    lapic_write(APIC_ICR_LO, lo);
    local_irq_restore(flags);
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
    lapic_icr(apic_id, ICR_FIXED | ICR_ASSERT | vector);
}

void lapic_send_nmi_allbutself(void)
{
    lapic_icr(0, ICR_ALL_BUT_SELF | ICR_NMI | ICR_ASSERT);
}

int lapic_start_ap(uint32_t apic_id, uint8_t sipi_vector)
{
    lapic_icr(apic_id, ICR_INIT | ICR_LEVEL | ICR_ASSERT);
    udelay(200);
    lapic_icr(apic_id, ICR_INIT | ICR_LEVEL);
    mdelay(10);
    for (int i = 0; i < 2; i++) {
        lapic_icr(apic_id, ICR_STARTUP | sipi_vector);
        udelay(200);
    }
    return 0;
}

void lapic_timer_oneshot(uint32_t ticks)
{
    lapic_write(APIC_TIMER_ICR, ticks);
}

uint32_t lapic_timer_current(void)
{
    return lapic_read(APIC_TIMER_CCR);
}

void pic_disable(void)
{
    /* ICW1-4: remap master to 0x20, slave to 0x28, then mask everything. */
    outb(0x20, 0x11);
    outb(0xa0, 0x11);
    outb(0x21, PIC_BASE_VECTOR);
    outb(0xa1, PIC_BASE_VECTOR + 8);
    outb(0x21, 4);
    outb(0xa1, 2);
    outb(0x21, 1);
    outb(0xa1, 1);
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
}

/* ---------------------------------------------------------- I/O APIC */

#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN 0x10
#define IOAPIC_VER 0x01
#define IOAPIC_REDTBL(n) (0x10 + 2 * (n))
#define RTE_MASKED (1U << 16)
#define RTE_LEVEL (1U << 15)
#define RTE_ACTIVE_LOW (1U << 13)

static volatile uint32_t *ioapic;
static uint32_t ioapic_gsi_base;
static unsigned int ioapic_nr_pins;

static uint32_t ioapic_read(unsigned int reg)
{
    ioapic[IOAPIC_REGSEL / 4] = reg;
    return ioapic[IOAPIC_WIN / 4];
}

static void ioapic_write(unsigned int reg, uint32_t v)
{
    ioapic[IOAPIC_REGSEL / 4] = reg;
    ioapic[IOAPIC_WIN / 4] = v;
}

void ioapic_init(uint64_t maddr, uint32_t gsi_base)
{
    ioapic = ioremap(maddr, PAGE_SIZE);
    ioapic_gsi_base = gsi_base;
    ioapic_nr_pins = ((ioapic_read(IOAPIC_VER) >> 16) & 0xff) + 1;
    for (unsigned int pin = 0; pin < ioapic_nr_pins; pin++) {
        ioapic_write(IOAPIC_REDTBL(pin) + 1, 0);
        ioapic_write(IOAPIC_REDTBL(pin), RTE_MASKED);
    }
}

void ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id, bool level,
                  bool active_low)
{
    unsigned int pin = gsi - ioapic_gsi_base;

    if (!ioapic || gsi < ioapic_gsi_base || pin >= ioapic_nr_pins)
        panic("cannot route GSI %u: no I/O APIC pin for it", gsi);
    ioapic_write(IOAPIC_REDTBL(pin) + 1, apic_id << 24);
    ioapic_write(IOAPIC_REDTBL(pin), vector | (level ? RTE_LEVEL : 0) |
                                         (active_low ? RTE_ACTIVE_LOW : 0));
}
