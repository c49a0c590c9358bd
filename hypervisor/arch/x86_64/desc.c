/* SPDX-License-Identifier: MIT */
/*
 * Descriptor tables: per-CPU GDT and TSS, and the IDT shared by all CPUs.
 *
 * Each CPU's GDT is the 16-page window at GDT_VIRT_START + cpu *
 * GDT_VIRT_PER_CPU (see asm/desc.h).  Pages 0-13 are where a PV guest's own
 * descriptor frames will be mapped; until then they map one shared zero
 * page (all descriptors not-present).  Page 14 is this CPU's page of
 * hypervisor descriptors at Xen's fixed selectors.
 */
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/mm.h>
#include <pvisor/lib.h>
#include <pvisor/mm.h>

static struct idt_entry idt[256] __aligned(16);
static struct tss64 tss[NR_CPUS];
static void *gdt_zero_page;
static uint64_t *cpu_gdt_page[NR_CPUS]; /* each CPU's hypervisor GDT page */
extern const unsigned long trap_stubs[256];

static uint64_t *gdt_page_of(unsigned int cpu)
{
    return (uint64_t *)(GDT_VIRT_START + cpu * GDT_VIRT_PER_CPU +
                        FIRST_RESERVED_GDT_PAGE * PAGE_SIZE);
}

static void idt_set_gate(unsigned int vec, unsigned long handler,
                         unsigned int dpl, unsigned int ist)
{
    struct idt_entry *e = &idt[vec];

    e->offset_lo = (uint16_t)handler;
    e->selector = HV_CS;
    e->ist = (uint8_t)ist;
    e->type_attr = IDT_PRESENT | (dpl << 5) | IDT_TYPE_INTR;
    e->offset_mid = (uint16_t)(handler >> 16);
    e->offset_hi = (uint32_t)(handler >> 32);
    e->reserved = 0;
}

void idt_init(void)
{
    for (unsigned int v = 0; v < 256; v++)
        idt_set_gate(v, trap_stubs[v], 0, IST_NONE);
    /* int3 and into may be used by guest kernels at CPL3. */
    idt_set_gate(TRAP_int3, trap_stubs[TRAP_int3], 3, IST_NONE);
    idt_set_gate(TRAP_overflow, trap_stubs[TRAP_overflow], 3, IST_NONE);
    idt_set_gate(TRAP_double_fault, trap_stubs[TRAP_double_fault], 0, IST_DF);
    idt_set_gate(TRAP_nmi, trap_stubs[TRAP_nmi], 0, IST_NMI);
    idt_set_gate(TRAP_machine_check, trap_stubs[TRAP_machine_check], 0,
                 IST_MCE);
}

static void write_tss_desc(uint64_t *gdt, struct tss64 *t)
{
    uint64_t base = (uint64_t)t, limit = sizeof(*t) - 1;
    unsigned int e = GDT_ENTRY_TSS - FIRST_RESERVED_GDT_ENTRY;

    gdt[e] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
             (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
             (((base >> 24) & 0xff) << 56);
    gdt[e + 1] = base >> 32;
}

/*
 * Builds and loads this CPU's GDT, TSS and the IDT.  stack_block is the
 * base of the CPU's STACK_SIZE-aligned stack block.
 */
void desc_init_cpu(unsigned int cpu, unsigned long stack_block)
{
    unsigned long gdt_va = GDT_VIRT_START + cpu * GDT_VIRT_PER_CPU;
    struct cpu_info *ci =
        (struct cpu_info *)(stack_block + STACK_SIZE) - 1;
    struct tss64 *t = &tss[cpu];
    uint64_t *gdt;
    void *page;
    struct desc_ptr gdtr, idtr;

    if (!gdt_zero_page) {
        gdt_zero_page = alloc_xenheap_page();
        BUG_ON(!gdt_zero_page);
        memset(gdt_zero_page, 0, PAGE_SIZE);
    }
    page = alloc_xenheap_page();
    BUG_ON(!page);
    memset(page, 0, PAGE_SIZE);
    for (unsigned int i = 0; i < FIRST_RESERVED_GDT_PAGE; i++)
        BUG_ON(map_pages_to_hv(gdt_va + i * PAGE_SIZE,
                               virt_to_mfn(gdt_zero_page), 1, PTE_HV_RO));
    BUG_ON(map_pages_to_hv(gdt_va + FIRST_RESERVED_GDT_PAGE * PAGE_SIZE,
                           virt_to_mfn(page), 1, PTE_HV_RW));

    gdt = gdt_page_of(cpu);
    cpu_gdt_page[cpu] = page;
    gdt[1] = 0x00af9b000000ffffULL; /* 0xe008 ring-0 64-bit code */
    gdt[2] = 0x00cf93000000ffffULL; /* 0xe010 ring-0 data */
    gdt[4] = 0x00cffb000000ffffULL; /* 0xe023 ring-3 32-bit code */
    gdt[5] = 0x00cff3000000ffffULL; /* 0xe02b ring-3 data */
    gdt[6] = 0x00affb000000ffffULL; /* 0xe033 ring-3 64-bit code */

    memset(t, 0, sizeof(*t));
    t->rsp[0] = cpu_info_stack_top(ci);
    t->ist[IST_MCE - 1] = stack_block + (IST_MCE_PAGE + 1) * PAGE_SIZE;
    t->ist[IST_DF - 1] = stack_block + (IST_DF_PAGE + 1) * PAGE_SIZE;
    t->ist[IST_NMI - 1] = stack_block + (IST_NMI_PAGE + 1) * PAGE_SIZE;
    t->iomap_base = sizeof(*t); /* no I/O bitmap: CPL3 port I/O faults */
    write_tss_desc(gdt, t);

    gdtr.limit = GDT_LIMIT;
    gdtr.base = gdt_va;
    idtr.limit = sizeof(idt) - 1;
    idtr.base = (uint64_t)idt;
    asm volatile("lgdt %0\n\t"
                 "pushq %1\n\t"
                 "leaq 1f(%%rip), %%rax\n\t"
                 "pushq %%rax\n\t"
                 "lretq\n"
                 "1:\n\t"
                 "mov %w2, %%ss\n\t"
                 "mov %w2, %%ds\n\t"
                 "mov %w2, %%es\n\t"
                 "lidt %3\n\t"
                 "ltr %w4"
                 :
                 : "m"(gdtr), "i"(HV_CS), "r"(HV_DS), "m"(idtr),
                   "r"(HV_TSS)
                 : "rax", "memory");
}

unsigned long desc_cpu_gdt_mfn(unsigned int cpu)
{
    return virt_to_mfn(cpu_gdt_page[cpu]);
}

unsigned long desc_zero_page_mfn(void)
{
    return virt_to_mfn(gdt_zero_page);
}

void desc_load_gdt(unsigned long base)
{
    struct desc_ptr gdtr = {.limit = GDT_LIMIT, .base = base};

    asm volatile("lgdt %0" : : "m"(gdtr) : "memory");
}

void desc_load_idle_gdt(unsigned int cpu)
{
    desc_load_gdt(GDT_VIRT_START + cpu * GDT_VIRT_PER_CPU);
    asm volatile("lldt %w0" : : "r"(0));
}

void desc_load_ldt(unsigned int cpu, unsigned long base, unsigned int ents)
{
    uint64_t *gdt = cpu_gdt_page[cpu];
    unsigned int e = GDT_ENTRY_LDT - FIRST_RESERVED_GDT_ENTRY;
    uint64_t limit = ents * 8 - 1;

    if (!ents) {
        asm volatile("lldt %w0" : : "r"(0));
        return;
    }
    gdt[e] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
             (0x82ULL << 40) | (((limit >> 16) & 0xf) << 48) |
             (((base >> 24) & 0xff) << 56);
    gdt[e + 1] = base >> 32;
    asm volatile("lldt %w0" : : "r"(HV_LDT));
}
