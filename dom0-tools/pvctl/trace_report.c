/* SPDX-License-Identifier: MIT */
/*
 * `pvctl trace report FILE` (per domain, per hypercall: count, total and
 * mean time, latency percentiles; other events counted; text or --json)
 * and `pvctl trace export FILE --format perfetto` (Chrome's Trace Event
 * JSON, which ui.perfetto.dev and chrome://tracing open: a track per CPU
 * showing which vCPU ran, a track per vCPU with its hypercalls as slices,
 * event-channel sends joined to the deliveries they caused by flows).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvctl.h"
#include "trace_file.h"

/* ---------------------------------------------------------------- file */

static int rec_cmp(const void *a, const void *b)
{
    const struct pvtrace_record *x = a, *y = b;

    return x->tsc < y->tsc ? -1 : x->tsc > y->tsc ? 1 : 0;
}

int pvtrf_load(const char *path, struct pvtrf *t, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    size_t n, cap = 0;

    memset(t, 0, sizeof(*t));
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (fread(&t->h, 1, sizeof(t->h), f) < offsetof(struct pvtrf_header, lost) ||
        memcmp(t->h.magic, PVTRF_MAGIC, 8) || t->h.version < 1 ||
        t->h.header_size < offsetof(struct pvtrf_header, lost) ||
        t->h.record_size != sizeof(struct pvtrace_record) || !t->h.tsc_khz) {
        snprintf(err, errlen, "%s: not a pvisor trace file (version 1)", path);
        fclose(f);
        return -1;
    }
    if (fseek(f, (long)t->h.header_size, SEEK_SET)) {
        snprintf(err, errlen, "%s: truncated", path);
        fclose(f);
        return -1;
    }
    for (;;) {
        struct pvtrace_record r;

        if (fread(&r, sizeof(r), 1, f) != 1)
            break;
        if (r.event == PVTRF_EV_NAME) {
            char *name = strndup((const char *)r.data, sizeof(r.data));
            free(t->names[r.domid]);
            t->names[r.domid] = name;
            continue;
        }
        if (t->nr == cap) {
            struct pvtrace_record *p;
            cap = cap ? cap * 2 : 4096;
            p = realloc(t->recs, cap * sizeof(*p));
            if (!p) {
                snprintf(err, errlen, "out of memory");
                fclose(f);
                return -1;
            }
            t->recs = p;
        }
        t->recs[t->nr++] = r;
    }
    fclose(f);
    n = t->nr;
    qsort(t->recs, n, sizeof(*t->recs), rec_cmp);
    t->t0 = n ? t->recs[0].tsc : 0;
    /* A hypercall's slice starts before its record: start there. */
    for (size_t i = 0; i < n; i++)
        if (t->recs[i].event == PVTRACE_EV_HCALL && t->recs[i].data[5] < t->t0)
            t->t0 = t->recs[i].data[5];
    return 0;
}

void pvtrf_free(struct pvtrf *t)
{
    free(t->recs);
    for (size_t i = 0; i < sizeof(t->names) / sizeof(t->names[0]); i++)
        free(t->names[i]);
}

struct pvtrf *pvtrf_open(const char *path)
{
    struct pvtrf *t = calloc(1, sizeof(*t));
    char err[512];

    if (!t || pvtrf_load(path, t, err, sizeof(err))) {
        pvctl_err("%s", t ? err : "out of memory");
        free(t);
        return NULL;
    }
    return t;
}

void pvtrf_close(struct pvtrf *t)
{
    pvtrf_free(t);
    free(t);
}

double pvtrf_us(const struct pvtrf *t, uint64_t ticks)
{
    return (double)ticks * 1000.0 / (double)t->h.tsc_khz;
}

const char *pvtrf_domain(const struct pvtrf *t, unsigned int domid, char *buf,
                         size_t len)
{
    if (domid < 0x10000 && t->names[domid])
        snprintf(buf, len, "%s (%u)", t->names[domid], domid);
    else if (domid >= 0x7ff0)
        snprintf(buf, len, "hypervisor");
    else
        snprintf(buf, len, "domain %u", domid);
    return buf;
}

/* -------------------------------------------------------------- report */

struct call_stat {
    unsigned int domid;
    char name[64];
    unsigned long op;
    size_t n, cap;
    double *us; /* each call's duration */
    double total;
};

struct dom_stat {
    unsigned int domid;
    unsigned long calls, nested, sends, pendings, upcalls, traps, ptwr,
        ptwr_failed, switches_in, blocks, wakes;
    double hv_us;
};

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static int stat_cmp(const void *a, const void *b)
{
    const struct call_stat *x = a, *y = b;

    if (x->domid != y->domid)
        return x->domid < y->domid ? -1 : 1;
    return x->total < y->total ? 1 : x->total > y->total ? -1 : 0;
}

static double pct(const struct call_stat *s, double p)
{
    size_t i = (size_t)(p * (double)(s->n - 1) + 0.5);

    return s->us[i < s->n ? i : s->n - 1];
}

static void json_str(FILE *o, const char *s)
{
    fputc('"', o);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(o, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(o, "\\u%04x", *s);
        else
            fputc(*s, o);
    }
    fputc('"', o);
}

static struct dom_stat *dom_get(struct dom_stat *ds, size_t *nds,
                                unsigned int domid)
{
    for (size_t i = 0; i < *nds; i++)
        if (ds[i].domid == domid)
            return &ds[i];
    if (*nds >= 1024)
        return NULL;
    ds[*nds] = (struct dom_stat){.domid = domid};
    return &ds[(*nds)++];
}

static int report(const struct pvtrf *t, bool json, bool by_subop)
{
    static struct dom_stat ds[1024];
    struct call_stat *cs = NULL;
    size_t ncs = 0, capcs = 0, nds = 0;
    double span = t->nr ? pvtrf_us(t, t->recs[t->nr - 1].tsc - t->t0) : 0;
    char dom[96];

    for (size_t i = 0; i < t->nr; i++) {
        const struct pvtrace_record *r = &t->recs[i];
        struct dom_stat *d = dom_get(ds, &nds, r->domid);
        struct call_stat *c = NULL;
        char name[64];

        if (!d)
            continue;
        switch (r->event) {
        case PVTRACE_EV_HCALL:
            if (r->flags & PVTRACE_F_NESTED) {
                d->nested++;
                continue; /* inside a multicall, counted with it */
            }
            if (r->flags & PVTRACE_F_CONTINUED)
                continue; /* counted once, with the part that finishes */
            d->calls++;
            if (by_subop)
                pvtr_call_name(r->data[0], r->data[1], name, sizeof(name));
            else
                snprintf(name, sizeof(name), "%s",
                         pvtr_hypercall_name(r->data[0])
                             ? pvtr_hypercall_name(r->data[0])
                             : "unknown");
            for (size_t k = 0; k < ncs; k++)
                if (cs[k].domid == r->domid && !strcmp(cs[k].name, name)) {
                    c = &cs[k];
                    break;
                }
            if (!c) {
                if (ncs == capcs) {
                    capcs = capcs ? capcs * 2 : 64;
                    cs = realloc(cs, capcs * sizeof(*cs));
                    if (!cs)
                        return 1;
                }
                c = &cs[ncs++];
                memset(c, 0, sizeof(*c));
                c->domid = r->domid;
                c->op = r->data[0];
                snprintf(c->name, sizeof(c->name), "%s", name);
            }
            if (c->n == c->cap) {
                c->cap = c->cap ? c->cap * 2 : 16;
                c->us = realloc(c->us, c->cap * sizeof(double));
                if (!c->us)
                    return 1;
            }
            c->us[c->n] = pvtrf_us(t, r->tsc - r->data[5]);
            c->total += c->us[c->n++];
            d->hv_us += c->us[c->n - 1];
            break;
        case PVTRACE_EV_EVTCHN_SEND:
            d->sends++;
            break;
        case PVTRACE_EV_EVTCHN_PENDING:
            d->pendings++;
            break;
        case PVTRACE_EV_EVTCHN_UPCALL:
            d->upcalls++;
            break;
        case PVTRACE_EV_TRAP:
            d->traps++;
            break;
        case PVTRACE_EV_PTWR:
            if (r->data[3]) /* result: not emulated (or re-executed) */
                d->ptwr_failed++;
            else
                d->ptwr++;
            break;
        case PVTRACE_EV_SCHED_SWITCH: {
            struct dom_stat *n = dom_get(ds, &nds, (unsigned int)r->data[0]);
            if (n && r->data[1] != 0x7fff)
                n->switches_in++;
            break;
        }
        case PVTRACE_EV_SCHED_BLOCK:
            d->blocks++;
            break;
        case PVTRACE_EV_SCHED_WAKE:
            d->wakes++;
            break;
        default:
            break;
        }
    }
    for (size_t k = 0; k < ncs; k++)
        qsort(cs[k].us, cs[k].n, sizeof(double), dbl_cmp);
    if (ncs) /* cs is NULL when no hypercall was recorded */
        qsort(cs, ncs, sizeof(*cs), stat_cmp);

    if (json) {
        printf("{\"version\": 1, \"duration_us\": %.3f, \"cpus\": %u, "
               "\"records\": %zu, \"lost\": %llu, \"domains\": [",
               span, t->h.nr_cpus, t->nr, (unsigned long long)t->h.lost);
        for (size_t i = 0; i < nds; i++) {
            const struct dom_stat *d = &ds[i];
            bool first = true;

            if (d->domid >= 0x7ff0)
                continue;
            printf("%s\n  {\"domid\": %u, \"name\": ", i ? "," : "", d->domid);
            json_str(stdout, t->names[d->domid] ? t->names[d->domid] : "");
            printf(", \"hypercalls\": %lu, \"hypercall_us\": %.3f, "
                   "\"multicall_entries\": %lu, \"evtchn_sends\": %lu, "
                   "\"evtchn_pending\": %lu, \"upcalls\": %lu, \"traps\": %lu, "
                   "\"ptwr\": %lu, \"ptwr_not_emulated\": %lu, "
                   "\"switches_in\": %lu, \"blocks\": %lu, "
                   "\"wakes\": %lu, \"calls\": [",
                   d->calls, d->hv_us, d->nested, d->sends, d->pendings,
                   d->upcalls, d->traps, d->ptwr, d->ptwr_failed,
                   d->switches_in, d->blocks, d->wakes);
            for (size_t k = 0; k < ncs; k++) {
                const struct call_stat *c = &cs[k];
                if (c->domid != d->domid)
                    continue;
                printf("%s\n    {\"op\": %lu, \"name\": ", first ? "" : ",",
                       c->op);
                json_str(stdout, c->name);
                printf(", \"count\": %zu, \"total_us\": %.3f, \"mean_us\": %.3f, "
                       "\"p50_us\": %.3f, \"p90_us\": %.3f, \"p99_us\": %.3f, "
                       "\"max_us\": %.3f}",
                       c->n, c->total, c->total / (double)c->n, pct(c, 0.5),
                       pct(c, 0.9), pct(c, 0.99), c->us[c->n - 1]);
                first = false;
            }
            printf("]}");
        }
        printf("\n]}\n");
    } else {
        printf("Trace: %.3f ms, %u CPUs, %zu records, %llu lost\n",
               span / 1000.0, t->h.nr_cpus, t->nr,
               (unsigned long long)t->h.lost);
        for (size_t i = 0; i < nds; i++) {
            const struct dom_stat *d = &ds[i];

            if (d->domid >= 0x7ff0 ||
                (!d->calls && !d->sends && !d->traps && !d->switches_in &&
                 !d->pendings && !d->ptwr && !d->ptwr_failed))
                continue;
            printf("\n%s: %lu hypercalls (%.1f us in the hypervisor)",
                   pvtrf_domain(t, d->domid, dom, sizeof(dom)), d->calls,
                   d->hv_us);
            if (d->nested)
                printf(", %lu multicall entries", d->nested);
            printf("\n  events: %lu evtchn sends, %lu ports pending, %lu "
                   "upcalls, %lu traps, %lu ptwr, %lu switches in, %lu blocks, "
                   "%lu wakes\n",
                   d->sends, d->pendings, d->upcalls, d->traps, d->ptwr,
                   d->switches_in, d->blocks, d->wakes);
            if (d->ptwr_failed)
                printf("  %lu page-table writes not emulated (#PF bounced, "
                       "re-executed or crashed)\n",
                       d->ptwr_failed);
            if (!d->calls)
                continue;
            printf("  %-34s %7s %11s %9s %9s %9s %9s\n", "hypercall", "count",
                   "total(us)", "mean(us)", "p50", "p90", "p99");
            for (size_t k = 0; k < ncs; k++) {
                const struct call_stat *c = &cs[k];
                if (c->domid != d->domid)
                    continue;
                printf("  %-34s %7zu %11.1f %9.2f %9.2f %9.2f %9.2f\n", c->name,
                       c->n, c->total, c->total / (double)c->n, pct(c, 0.5),
                       pct(c, 0.9), pct(c, 0.99));
            }
        }
    }
    for (size_t k = 0; k < ncs; k++)
        free(cs[k].us);
    free(cs);
    return 0;
}

/* -------------------------------------------------------------- export */

static int export_perfetto(const struct pvtrf *t, FILE *o)
{
    /* Which vCPU each CPU runs, for the CPU tracks' slices. */
    struct {
        unsigned int domid, vcpu;
        uint64_t since;
        bool known;
    } on_cpu[256] = {0};
    static uint32_t thread_named[0x10000]; /* a bit per vCPU (32) */
    unsigned long flow = 0;
    bool first = true;
    char dom[96], name[64];

#define SEP() (first ? (first = false, "") : ",\n")
    fprintf(o, "{\"displayTimeUnit\": \"ns\", \"otherData\": {\"tool\": "
               "\"pvctl trace export\", \"lost\": %llu},\n\"traceEvents\": [\n",
            (unsigned long long)t->h.lost);
    fprintf(o, "%s{\"ph\": \"M\", \"name\": \"process_name\", \"pid\": 0, "
               "\"args\": {\"name\": \"pCPUs\"}}",
            SEP());
    for (unsigned int c = 0; c < t->h.nr_cpus && c < 256; c++)
        fprintf(o, "%s{\"ph\": \"M\", \"name\": \"thread_name\", \"pid\": 0, "
                   "\"tid\": %u, \"args\": {\"name\": \"CPU %u\"}}",
                SEP(), c, c);
    for (size_t i = 0; i < t->nr; i++) {
        const struct pvtrace_record *r = &t->recs[i];
        double ts = pvtrf_us(t, r->tsc - t->t0);
        unsigned int pid = 1000 + r->domid;

        if (r->domid < 0x7ff0 && r->vcpu < 32 &&
            !(thread_named[r->domid] & (1U << r->vcpu))) {
            thread_named[r->domid] |= 1U << r->vcpu;
            fprintf(o, "%s{\"ph\": \"M\", \"name\": \"process_name\", "
                       "\"pid\": %u, \"args\": {\"name\": ",
                    SEP(), pid);
            json_str(o, pvtrf_domain(t, r->domid, dom, sizeof(dom)));
            fprintf(o, "}},\n{\"ph\": \"M\", \"name\": \"thread_name\", "
                       "\"pid\": %u, \"tid\": %u, \"args\": {\"name\": "
                       "\"vCPU %u\"}}",
                    pid, r->vcpu, r->vcpu);
        }
        switch (r->event) {
        case PVTRACE_EV_HCALL: {
            double start = pvtrf_us(t, r->data[5] - t->t0);
            fprintf(o, "%s{\"ph\": \"X\", \"cat\": \"hypercall\", \"name\": ",
                    SEP());
            json_str(o, pvtr_call_name(r->data[0], r->data[1], name,
                                       sizeof(name)));
            fprintf(o, ", \"ts\": %.3f, \"dur\": %.3f, \"pid\": %u, \"tid\": "
                       "%u, \"args\": {\"op\": %llu, \"a1\": \"%#llx\", \"a2\": "
                       "\"%#llx\", \"a3\": \"%#llx\", \"result\": %lld%s}}",
                    start, ts - start, pid, r->vcpu,
                    (unsigned long long)r->data[0],
                    (unsigned long long)r->data[1],
                    (unsigned long long)r->data[2],
                    (unsigned long long)r->data[3], (long long)r->data[4],
                    r->flags & PVTRACE_F_NESTED ? ", \"multicall\": true" : "");
            break;
        }
        case PVTRACE_EV_EVTCHN_SEND:
            /* A flow from the send to the delivery it causes. */
            flow++;
            fprintf(o, "%s{\"ph\": \"i\", \"s\": \"t\", \"cat\": \"evtchn\", "
                       "\"name\": \"send port %llu\", \"ts\": %.3f, \"pid\": "
                       "%u, \"tid\": %u, \"args\": {\"to_domid\": %llu, "
                       "\"to_port\": %llu}},\n"
                       "{\"ph\": \"s\", \"cat\": \"evtchn\", \"name\": "
                       "\"event\", \"id\": %lu, \"ts\": %.3f, \"pid\": %u, "
                       "\"tid\": %u}",
                    SEP(), (unsigned long long)r->data[0], ts, pid, r->vcpu,
                    (unsigned long long)r->data[1],
                    (unsigned long long)r->data[2], flow, ts, pid, r->vcpu);
            /* Find the matching delivery: the next pending of that port. */
            for (size_t j = i + 1; j < t->nr; j++) {
                const struct pvtrace_record *q = &t->recs[j];
                if (q->event == PVTRACE_EV_EVTCHN_PENDING &&
                    q->domid == r->data[1] && q->data[0] == r->data[2]) {
                    fprintf(o, ",\n{\"ph\": \"f\", \"bp\": \"e\", \"cat\": "
                               "\"evtchn\", \"name\": \"event\", \"id\": %lu, "
                               "\"ts\": %.3f, \"pid\": %u, \"tid\": %u}",
                            flow, pvtrf_us(t, q->tsc - t->t0), 1000 + q->domid,
                            q->vcpu);
                    break;
                }
                if (q->tsc - r->tsc > t->h.tsc_khz * 1000)
                    break; /* a second later: not this one's */
            }
            break;
        case PVTRACE_EV_EVTCHN_PENDING:
        case PVTRACE_EV_EVTCHN_UPCALL:
            fprintf(o, "%s{\"ph\": \"i\", \"s\": \"t\", \"cat\": \"evtchn\", "
                       "\"name\": \"%s\", \"ts\": %.3f, \"pid\": %u, \"tid\": "
                       "%u, \"args\": {\"port\": %llu}}",
                    SEP(),
                    r->event == PVTRACE_EV_EVTCHN_UPCALL ? "upcall"
                                                         : "port pending",
                    ts, pid, r->vcpu, (unsigned long long)r->data[0]);
            break;
        case PVTRACE_EV_TRAP:
            fprintf(o, "%s{\"ph\": \"i\", \"s\": \"t\", \"cat\": \"trap\", "
                       "\"name\": ",
                    SEP());
            json_str(o, pvtr_vector_name(r->data[0]));
            fprintf(o, ", \"ts\": %.3f, \"pid\": %u, \"tid\": %u, \"args\": "
                       "{\"error_code\": %llu, \"rip\": \"%#llx\", \"cr2\": "
                       "\"%#llx\"}}",
                    ts, pid, r->vcpu, (unsigned long long)r->data[1],
                    (unsigned long long)r->data[2],
                    (unsigned long long)r->data[3]);
            break;
        case PVTRACE_EV_PTWR:
            fprintf(o, "%s{\"ph\": \"i\", \"s\": \"t\", \"cat\": \"ptwr\", "
                       "\"name\": \"ptwr\", \"ts\": %.3f, \"pid\": %u, "
                       "\"tid\": %u, \"args\": {\"va\": \"%#llx\", \"old\": "
                       "\"%#llx\", \"new\": \"%#llx\", \"result\": %lld, "
                       "\"rip\": \"%#llx\", \"insn\": \"%016llx\"}}",
                    SEP(), ts, pid, r->vcpu, (unsigned long long)r->data[0],
                    (unsigned long long)r->data[1],
                    (unsigned long long)r->data[2], (long long)r->data[3],
                    (unsigned long long)r->data[4],
                    (unsigned long long)__builtin_bswap64(r->data[5]));
            break;
        case PVTRACE_EV_SCHED_SWITCH: /* cpu is a uint8_t: in range */
            {
                if (on_cpu[r->cpu].known && r->vcpu != 0x7fff) {
                    double since = pvtrf_us(t, on_cpu[r->cpu].since - t->t0);
                    fprintf(o, "%s{\"ph\": \"X\", \"cat\": \"sched\", "
                               "\"name\": ",
                            SEP());
                    snprintf(name, sizeof(name), "%s vCPU %u",
                             pvtrf_domain(t, r->domid, dom, sizeof(dom)),
                             r->vcpu);
                    json_str(o, name);
                    fprintf(o, ", \"ts\": %.3f, \"dur\": %.3f, \"pid\": 0, "
                               "\"tid\": %u}",
                            since, ts - since, r->cpu);
                }
                on_cpu[r->cpu].domid = (unsigned int)r->data[0];
                on_cpu[r->cpu].vcpu = (unsigned int)r->data[1];
                on_cpu[r->cpu].since = r->tsc;
                on_cpu[r->cpu].known = true;
            }
            break;
        case PVTRACE_EV_SCHED_BLOCK:
        case PVTRACE_EV_SCHED_WAKE:
            fprintf(o, "%s{\"ph\": \"i\", \"s\": \"t\", \"cat\": \"sched\", "
                       "\"name\": \"%s\", \"ts\": %.3f, \"pid\": %u, \"tid\": "
                       "%u}",
                    SEP(), r->event == PVTRACE_EV_SCHED_BLOCK ? "block" : "wake",
                    ts, pid, r->vcpu);
            break;
        case PVTRACE_EV_DOM_CREATE:
        case PVTRACE_EV_DOM_SHUTDOWN:
        case PVTRACE_EV_DOM_DESTROY:
            fprintf(o, "%s{\"ph\": \"i\", \"s\": \"g\", \"cat\": \"domain\", "
                       "\"name\": ",
                    SEP());
            snprintf(name, sizeof(name), "%s %s", pvtr_event_name(r->event),
                     pvtrf_domain(t, r->domid, dom, sizeof(dom)));
            json_str(o, name);
            fprintf(o, ", \"ts\": %.3f, \"pid\": 0, \"tid\": %u}", ts, r->cpu);
            break;
        default:
            break;
        }
    }
    fprintf(o, "\n]}\n");
#undef SEP
    return ferror(o) ? -1 : 0;
}

int cmd_trace_report(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"sub-ops", no_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct pvtrf *t;
    bool json = false, subops = false;
    int opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "jsh", opts, NULL)) != -1) {
        if (opt == 'j')
            json = true;
        else if (opt == 's')
            subops = true;
        else if (opt == 'h')
            return pvctl_help("trace", false);
        else
            return pvctl_help("trace", true);
    }
    if (optind + 1 != argc)
        return pvctl_help("trace", true);
    t = pvtrf_open(argv[optind]);
    if (!t)
        return 1;
    rc = report(t, json, subops);
    pvtrf_close(t);
    return rc;
}

int cmd_trace_export(int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *format = "perfetto", *out = NULL;
    struct pvtrf *t;
    FILE *o = stdout;
    int opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
        if (opt == 'f')
            format = optarg;
        else if (opt == 'o')
            out = optarg;
        else if (opt == 'h')
            return pvctl_help("trace", false);
        else
            return pvctl_help("trace", true);
    }
    if (optind + 1 != argc)
        return pvctl_help("trace", true);
    if (strcmp(format, "perfetto") && strcmp(format, "chrome")) {
        pvctl_err("unknown export format '%s' (perfetto)", format);
        return 2;
    }
    t = pvtrf_open(argv[optind]);
    if (!t)
        return 1;
    if (out && !(o = fopen(out, "w"))) {
        pvctl_err("cannot write %s: %s", out, strerror(errno));
        pvtrf_close(t);
        return 1;
    }
    rc = export_perfetto(t, o) ? 1 : 0;
    if (out && fclose(o))
        rc = 1;
    pvtrf_close(t);
    return rc;
}

/* pvctl trace SUBCOMMAND ... */
int cmd_trace(int argc, char **argv)
{
    if (argc < 2)
        return pvctl_help("trace", true);
    if (!strcmp(argv[1], "record"))
        return cmd_trace_record(argc - 1, argv + 1);
    if (!strcmp(argv[1], "report"))
        return cmd_trace_report(argc - 1, argv + 1);
    if (!strcmp(argv[1], "export"))
        return cmd_trace_export(argc - 1, argv + 1);
    if (!strcmp(argv[1], "live"))
        return cmd_trace_live(argc - 1, argv + 1);
    if (!strcmp(argv[1], "dump"))
        return cmd_trace_dump(argc - 1, argv + 1);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return pvctl_help("trace", false);
    pvctl_err("unknown trace command '%s' (record, report, export, live, "
              "dump)",
              argv[1]);
    return 2;
}
