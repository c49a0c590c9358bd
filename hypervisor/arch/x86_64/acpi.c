/* SPDX-License-Identifier: MIT */
/*
 * ACPI table parsing: RSDP -> RSDT/XSDT -> MADT.  Only the MADT is used:
 * it lists the local APICs (the CPUs to start), the I/O APIC and the ISA
 * interrupt overrides.  Every table is checksummed before use; without a
 * valid MADT the hypervisor runs on the boot CPU alone.
 */
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/config.h>
#include <asm/mm.h>
#include <pvisor/lib.h>
#include <pvisor/smp.h>

struct acpi_info acpi_info;

struct rsdp {
    char signature[8];
    uint8_t checksum;
    char oem_id[6];
    uint8_t revision;
    uint32_t rsdt;
    uint32_t length;
    uint64_t xsdt;
    uint8_t ext_checksum;
    uint8_t reserved[3];
} __packed;

struct sdt_header {
    char signature[4];
    uint32_t length;
    uint8_t revision;
    uint8_t checksum;
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision;
    uint32_t creator_id;
    uint32_t creator_revision;
} __packed;

struct madt {
    struct sdt_header h;
    uint32_t lapic_addr;
    uint32_t flags;
    uint8_t entries[];
} __packed;

#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_ISO 2
#define MADT_LAPIC_ADDR_OVERRIDE 5

static bool checksum_ok(const void *p, size_t len)
{
    uint8_t sum = 0;

    for (size_t i = 0; i < len; i++)
        sum += ((const uint8_t *)p)[i];
    return sum == 0;
}

static const struct rsdp *rsdp_at(uint64_t maddr)
{
    const struct rsdp *r = map_firmware_table(maddr, sizeof(*r));

    if (memcmp(r->signature, "RSD PTR ", 8) || !checksum_ok(r, 20))
        return NULL;
    return r;
}

static const struct rsdp *rsdp_search(void)
{
    /* The EBDA's first KiB, then the BIOS area 0xe0000-0xfffff. */
    const uint16_t *ebda_seg = (const uint16_t *)(HV_VIRT_START + 0x40e);
    uint64_t ranges[2][2] = {{(uint64_t)*ebda_seg << 4, 1024},
                             {0xe0000, 0x20000}};

    for (int i = 0; i < 2; i++) {
        const char *base = (const char *)(HV_VIRT_START + ranges[i][0]);
        if (!ranges[i][0])
            continue;
        for (uint64_t off = 0; off < ranges[i][1]; off += 16)
            if (!memcmp(base + off, "RSD PTR ", 8) &&
                checksum_ok(base + off, 20))
                return (const struct rsdp *)(base + off);
    }
    return NULL;
}

static const struct sdt_header *map_table(uint64_t maddr)
{
    const struct sdt_header *h = map_firmware_table(maddr, sizeof(*h));

    if (h->length < sizeof(*h) || h->length > MiB(1))
        return NULL;
    h = map_firmware_table(maddr, h->length);
    return checksum_ok(h, h->length) ? h : NULL;
}

static const struct madt *find_madt(const struct rsdp *r)
{
    bool x = r->revision >= 2 && r->xsdt;
    const struct sdt_header *root = map_table(x ? r->xsdt : r->rsdt);
    unsigned int entry = x ? 8 : 4, n;

    if (!root)
        return NULL;
    n = (root->length - sizeof(*root)) / entry;
    for (unsigned int i = 0; i < n; i++) {
        const uint8_t *p = (const uint8_t *)(root + 1) + i * entry;
        uint64_t addr = x ? *(const uint64_t *)p : *(const uint32_t *)p;
        const struct sdt_header *h = map_table(addr);

        if (h && !memcmp(h->signature, "APIC", 4))
            return (const struct madt *)h;
    }
    return NULL;
}

void acpi_init(uint64_t rsdp_maddr, uint32_t boot_apic_id)
{
    const struct rsdp *r = rsdp_maddr ? rsdp_at(rsdp_maddr) : NULL;
    const struct madt *m;
    const uint8_t *p, *end;

    acpi_info.lapic_maddr = LAPIC_DEFAULT_MADDR;
    acpi_info.ioapic_maddr = IOAPIC_DEFAULT_MADDR;
    for (unsigned int i = 0; i < 16; i++)
        acpi_info.isa_gsi[i] = i;
    cpu_apic_ids[0] = boot_apic_id;
    nr_cpus_possible = 1;

    if (!r)
        r = rsdp_search();
    if (!r || !(m = find_madt(r))) {
        printk("ACPI: no MADT found; using the boot CPU only\n");
        return;
    }
    acpi_info.found = true;
    acpi_info.lapic_maddr = m->lapic_addr;
    p = m->entries;
    end = (const uint8_t *)m + m->h.length;
    while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
        switch (p[0]) {
        case MADT_LAPIC: {
            uint32_t apic_id = p[3];
            bool enabled = *(const uint32_t *)(p + 4) & 1;
            if (!enabled || apic_id == boot_apic_id)
                break;
            if (nr_cpus_possible == NR_CPUS) {
                printk("ACPI: more than %d CPUs; ignoring APIC %u\n", NR_CPUS,
                       apic_id);
                break;
            }
            cpu_apic_ids[nr_cpus_possible++] = apic_id;
            break;
        }
        case MADT_IOAPIC:
            acpi_info.ioapic_maddr = *(const uint32_t *)(p + 4);
            acpi_info.ioapic_gsi_base = *(const uint32_t *)(p + 8);
            break;
        case MADT_ISO: {
            uint8_t irq = p[3];
            uint16_t flags = *(const uint16_t *)(p + 8);
            if (irq < 16) {
                acpi_info.isa_gsi[irq] = *(const uint32_t *)(p + 4);
                acpi_info.isa_active_low[irq] = (flags & 3) == 3;
                acpi_info.isa_level[irq] = ((flags >> 2) & 3) == 3;
            }
            break;
        }
        case MADT_LAPIC_ADDR_OVERRIDE:
            acpi_info.lapic_maddr = *(const uint64_t *)(p + 4);
            break;
        default:
            break;
        }
        p += p[1];
    }
    printk("ACPI: %u CPUs, I/O APIC at %#llx (GSI base %u)\n",
           nr_cpus_possible, (unsigned long long)acpi_info.ioapic_maddr,
           acpi_info.ioapic_gsi_base);
}
