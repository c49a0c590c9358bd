/* SPDX-License-Identifier: MIT */
/*
 * pvctl's trace files (`pvctl trace record` writes them, `report` and
 * `export` read them): a header, then the hypervisor's records as they
 * came off each CPU's buffer (public/pvisor/trace.h), interleaved with
 * PVTRF_EV_NAME records that give domains' names.  Version 1; fields are
 * only appended, `header_size` says how many there are.
 */
#ifndef PVCTL_TRACE_FILE_H
#define PVCTL_TRACE_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "pvctrl.h"

#define PVTRF_MAGIC "PVTRFILE"
#define PVTRF_VERSION 1

struct pvtrf_header {
    char magic[8];        /* PVTRF_MAGIC */
    uint32_t version;     /* PVTRF_VERSION */
    uint32_t header_size; /* sizeof(struct pvtrf_header) */
    uint32_t record_size; /* sizeof(struct pvtrace_record) */
    uint32_t nr_cpus;
    uint64_t tsc_khz;     /* to turn TSC deltas into time */
    uint32_t classes;     /* PVTRACE_CLASS_* recorded */
    uint32_t domid;       /* the domain recorded, or PVTRACE_ALL_DOMAINS */
    int64_t start_unix_ns;
    uint64_t nr_records;  /* records after the header (names included) */
    uint64_t lost;        /* records the hypervisor dropped (buffers full) */
};

/* A file-only record: domain `domid` is called data[] (NUL-terminated). */
#define PVTRF_EV_NAME 0x8001

/* A trace file in memory, records sorted by time. */
struct pvtrf {
    struct pvtrf_header h;
    struct pvtrace_record *recs;
    size_t nr;
    char *names[0x10000]; /* by domid, from the NAME records */
    uint64_t t0;          /* the first record's TSC */
};

int pvtrf_load(const char *path, struct pvtrf *t, char *err, size_t errlen);
void pvtrf_free(struct pvtrf *t);
/* A trace file loaded into a new pvtrf, or NULL after saying why. */
struct pvtrf *pvtrf_open(const char *path);
/* Frees what pvtrf_open() returned. */
void pvtrf_close(struct pvtrf *t);
/* TSC ticks to microseconds with the file's frequency. */
double pvtrf_us(const struct pvtrf *t, uint64_t ticks);
/* "hello (3)", "Domain-0 (0)", "domain 7" into buf. */
const char *pvtrf_domain(const struct pvtrf *t, unsigned int domid, char *buf,
                         size_t len);

/* Names of hypercalls and their sub-operations (trace_names.c). */
const char *pvtr_hypercall_name(unsigned long op);
/* "sched_op(block)" when the sub-op is known, else the name. */
const char *pvtr_call_name(unsigned long op, unsigned long a0, char *buf,
                           size_t len);
const char *pvtr_event_name(unsigned int event);
const char *pvtr_vector_name(unsigned long vector);

#endif /* PVCTL_TRACE_FILE_H */
