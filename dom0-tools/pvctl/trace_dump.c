/* SPDX-License-Identifier: MIT */
/*
 * `pvctl trace dump FILE [-d DOMID] [-e CLASSES]`: every record of a trace
 * file as one line of text, in time order, for reading a trace by eye or
 * with grep and awk (docs/tracing.md shows the format; the exercises in
 * docs/exercises/ use it).  A hypercall's line is at its end, as its
 * record is; the duration is on the line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvctl.h"
#include "trace_file.h"

#define TRACE_NO_VCPU_FILE 0x7fff /* a record of no particular vCPU */

static uint32_t event_class(unsigned int event)
{
    switch (event) {
    case PVTRACE_EV_HCALL:
        return PVTRACE_CLASS_HCALL;
    case PVTRACE_EV_EVTCHN_SEND:
    case PVTRACE_EV_EVTCHN_PENDING:
    case PVTRACE_EV_EVTCHN_UPCALL:
        return PVTRACE_CLASS_EVTCHN;
    case PVTRACE_EV_TRAP:
        return PVTRACE_CLASS_TRAP;
    case PVTRACE_EV_PTWR:
        return PVTRACE_CLASS_PTWR;
    case PVTRACE_EV_SCHED_SWITCH:
    case PVTRACE_EV_SCHED_BLOCK:
    case PVTRACE_EV_SCHED_WAKE:
        return PVTRACE_CLASS_SCHED;
    case PVTRACE_EV_DOM_CREATE:
    case PVTRACE_EV_DOM_SHUTDOWN:
    case PVTRACE_EV_DOM_DESTROY:
        return PVTRACE_CLASS_DOMAIN;
    default:
        return 0;
    }
}

/* Same names as `pvctl trace record -e`. */
static uint32_t parse_classes(const char *s)
{
    static const struct {
        const char *name;
        uint32_t bit;
    } names[] = {
        {"hcall", PVTRACE_CLASS_HCALL}, {"evtchn", PVTRACE_CLASS_EVTCHN},
        {"trap", PVTRACE_CLASS_TRAP},   {"ptwr", PVTRACE_CLASS_PTWR},
        {"sched", PVTRACE_CLASS_SCHED}, {"domain", PVTRACE_CLASS_DOMAIN},
        {"all", PVTRACE_CLASS_ALL},
    };
    char buf[256], *tok, *save;
    uint32_t mask = 0;

    snprintf(buf, sizeof(buf), "%s", s);
    for (tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        size_t i;

        for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
            if (!strcmp(tok, names[i].name))
                break;
        if (i == sizeof(names) / sizeof(names[0])) {
            pvctl_err("unknown event class '%s' (hcall, evtchn, trap, ptwr, "
                      "sched, domain, all)", tok);
            return 0;
        }
        mask |= names[i].bit;
    }
    return mask;
}

static void dump_one(const struct pvtrf *t, const struct pvtrace_record *r)
{
    char name[64];

    printf("%14.3f cpu%u ", pvtrf_us(t, r->tsc - t->t0), r->cpu);
    if (r->domid >= 0x7ff0)
        printf("%-7s ", "-");
    else if (r->vcpu == TRACE_NO_VCPU_FILE)
        printf("d%-6u ", r->domid);
    else {
        char who[24];

        snprintf(who, sizeof(who), "d%uv%u", r->domid, r->vcpu);
        printf("%-7s ", who);
    }
    switch (r->event) {
    case PVTRACE_EV_HCALL:
        printf("hcall    %s %#llx %#llx %#llx = %lld  [%.3f us]%s\n",
               pvtr_call_name(r->data[0], r->data[1], name, sizeof(name)),
               (unsigned long long)r->data[1], (unsigned long long)r->data[2],
               (unsigned long long)r->data[3], (long long)r->data[4],
               pvtrf_us(t, r->tsc - r->data[5]),
               r->flags & PVTRACE_F_NESTED      ? "  (multicall entry)"
               : r->flags & PVTRACE_F_CONTINUED ? "  (preempted: continues)"
                                                : "");
        break;
    case PVTRACE_EV_EVTCHN_SEND:
        printf("send     port %llu -> d%llu port %llu\n",
               (unsigned long long)r->data[0], (unsigned long long)r->data[1],
               (unsigned long long)r->data[2]);
        break;
    case PVTRACE_EV_EVTCHN_PENDING:
        printf("pending  port %llu\n", (unsigned long long)r->data[0]);
        break;
    case PVTRACE_EV_EVTCHN_UPCALL:
        printf("upcall\n");
        break;
    case PVTRACE_EV_TRAP:
        printf("trap     %s error %#llx rip %#llx",
               pvtr_vector_name(r->data[0]), (unsigned long long)r->data[1],
               (unsigned long long)r->data[2]);
        if (r->data[0] == 14)
            printf(" cr2 %#llx", (unsigned long long)r->data[3]);
        printf("\n");
        break;
    case PVTRACE_EV_PTWR:
        printf("ptwr     va %#llx old %#llx new %#llx result %lld rip %#llx "
               "insn %016llx\n",
               (unsigned long long)r->data[0], (unsigned long long)r->data[1],
               (unsigned long long)r->data[2], (long long)r->data[3],
               (unsigned long long)r->data[4],
               (unsigned long long)__builtin_bswap64(r->data[5]));
        break;
    case PVTRACE_EV_SCHED_SWITCH:
        if (r->data[1] == 0x7fff)
            printf("switch   -> idle\n");
        else
            printf("switch   -> d%lluv%llu\n", (unsigned long long)r->data[0],
                   (unsigned long long)r->data[1]);
        break;
    case PVTRACE_EV_SCHED_BLOCK:
        printf("block\n");
        break;
    case PVTRACE_EV_SCHED_WAKE:
        printf("wake\n");
        break;
    case PVTRACE_EV_DOM_CREATE:
        printf("create\n");
        break;
    case PVTRACE_EV_DOM_SHUTDOWN:
        printf("shutdown reason %llu\n", (unsigned long long)r->data[0]);
        break;
    case PVTRACE_EV_DOM_DESTROY:
        printf("destroy\n");
        break;
    default:
        printf("event %u %#llx %#llx %#llx\n", r->event,
               (unsigned long long)r->data[0], (unsigned long long)r->data[1],
               (unsigned long long)r->data[2]);
        break;
    }
}

int cmd_trace_dump(int argc, char **argv)
{
    static const struct option opts[] = {
        {"domain", required_argument, NULL, 'd'},
        {"events", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    uint32_t classes = PVTRACE_CLASS_ALL;
    long domid = -1;
    struct pvtrf *t;
    char *end;
    int opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "d:e:h", opts, NULL)) != -1) {
        if (opt == 'd') {
            domid = strtol(optarg, &end, 10);
            if (*end || domid < 0 || domid > 0xffff) {
                pvctl_err("-d takes a domain id (the trace's numbers)");
                return 2;
            }
        } else if (opt == 'e') {
            classes = parse_classes(optarg);
            if (!classes)
                return 2;
        } else if (opt == 'h') {
            return pvctl_help("trace", false);
        } else {
            return pvctl_help("trace", true);
        }
    }
    if (optind + 1 != argc)
        return pvctl_help("trace", true);
    t = pvtrf_open(argv[optind]);
    if (!t)
        return 1;
    for (size_t i = 0; i < t->nr; i++) {
        const struct pvtrace_record *r = &t->recs[i];

        if (!(event_class(r->event) & classes))
            continue;
        if (domid >= 0 && r->domid != domid &&
            !(r->event == PVTRACE_EV_SCHED_SWITCH &&
              r->data[0] == (uint64_t)domid))
            continue;
        dump_one(t, r);
    }
    if (t->h.lost)
        printf("# %llu records lost (buffers full)\n",
               (unsigned long long)t->h.lost);
    pvtrf_close(t);
    return fflush(stdout) ? 1 : 0;
}
