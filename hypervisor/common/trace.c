/* SPDX-License-Identifier: MIT */
/*
 * Trace buffers (ABI: public/pvisor/trace.h).
 *
 * One buffer per CPU, allocated the first time tracing is switched on and
 * kept: a header page then the records, contiguous in machine memory so
 * that domain 0 reads them through the RAM file.  Only the CPU itself
 * writes its buffer, with interrupts off for the few stores of one record
 * (an interrupt's own trace point must not interleave), so the producer
 * needs no atomic operation; domain 0 advances `cons`.
 */
#include <asm/current.h>
#include <asm/page.h>
#include <asm/processor.h>
#include <pvisor/lib.h>
#include <pvisor/mm.h>
#include <pvisor/param.h>
#include <pvisor/smp.h>
#include <pvisor/trace.h>
#include <xen/errno.h>

/* trace_records=N: records per CPU (rounded to whole pages). */
static unsigned long opt_trace_records = 8192;
integer_param("trace_records", opt_trace_records);

uint32_t trace_classes;
domid_t trace_domid = PVTRACE_ALL_DOMAINS;

static struct pvtrace_buffer *buffers[NR_CPUS];
static unsigned int buffer_order;

static struct pvtrace_record *record_slot(struct pvtrace_buffer *b,
                                          uint64_t i)
{
    return (struct pvtrace_record *)((char *)b + PVTRACE_HEADER_BYTES) +
           i % b->nr_records;
}

void trace_record(uint16_t event, uint8_t flags, domid_t domid, uint16_t vcpu,
                  uint64_t d0, uint64_t d1, uint64_t d2, uint64_t d3,
                  uint64_t d4, uint64_t d5)
{
    unsigned int cpu = smp_processor_id();
    struct pvtrace_buffer *b = buffers[cpu];
    struct pvtrace_record *r;
    unsigned long irqflags;
    uint64_t prod;

    if (!b)
        return;
    irqflags = local_irq_save();
    prod = b->prod;
    if (prod - READ_ONCE(b->cons) >= b->nr_records) {
        b->lost++; /* full: never overwrite what was not read */
        local_irq_restore(irqflags);
        return;
    }
    r = record_slot(b, prod);
    r->tsc = rdtsc();
    r->event = event;
    r->cpu = (uint8_t)cpu;
    r->flags = flags;
    r->domid = domid;
    r->vcpu = vcpu;
    r->data[0] = d0;
    r->data[1] = d1;
    r->data[2] = d2;
    r->data[3] = d3;
    r->data[4] = d4;
    r->data[5] = d5;
    smp_wmb();
    WRITE_ONCE(b->prod, prod + 1);
    local_irq_restore(irqflags);
}

static int alloc_buffers(void)
{
    unsigned long bytes = PVTRACE_HEADER_BYTES +
                          opt_trace_records * sizeof(struct pvtrace_record);

    buffer_order = 0;
    while ((PAGE_SIZE << buffer_order) < bytes)
        buffer_order++;
    for (unsigned int cpu = 0; cpu < nr_cpus_online; cpu++) {
        struct pvtrace_buffer *b;

        if (buffers[cpu])
            continue;
        b = alloc_xenheap_pages(buffer_order);
        if (!b)
            return -XEN_ENOMEM;
        memset(b, 0, PVTRACE_HEADER_BYTES);
        b->magic = PVTRACE_MAGIC;
        b->version = PVTRACE_VERSION;
        b->cpu = cpu;
        b->nr_records = (uint32_t)(((PAGE_SIZE << buffer_order) -
                                    PVTRACE_HEADER_BYTES) /
                                   sizeof(struct pvtrace_record));
        b->record_size = sizeof(struct pvtrace_record);
        smp_wmb();
        buffers[cpu] = b;
    }
    return 0;
}

long trace_op(unsigned long cmd, unsigned long a1, unsigned long a2)
{
    long rc;

    switch (cmd) {
    case PVTRACE_OP_INFO:
        if (a1 >= nr_cpus_online)
            return -XEN_EINVAL;
        rc = alloc_buffers();
        if (rc)
            return rc;
        return (long)virt_to_maddr(buffers[a1]);
    case PVTRACE_OP_SET:
        if (a1 & ~(unsigned long)PVTRACE_CLASS_ALL || a2 > 0xffff)
            return -XEN_EINVAL;
        if (a1) {
            rc = alloc_buffers();
            if (rc)
                return rc;
        }
        WRITE_ONCE(trace_domid, (domid_t)a2);
        smp_wmb();
        WRITE_ONCE(trace_classes, (uint32_t)a1);
        return 0;
    case PVTRACE_OP_GET:
        return (long)(READ_ONCE(trace_classes) |
                      ((uint64_t)READ_ONCE(trace_domid) << 32));
    default:
        return -XEN_EINVAL;
    }
}
