/* SPDX-License-Identifier: MIT */
/* pvctl: the xl-like command-line tool.  Shared helpers of its commands. */
#ifndef PVCTL_H
#define PVCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pvctrl.h"

struct pvctl_cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
    const char *usage; /* full --help text */
};

extern const struct pvctl_cmd pvctl_cmds[];

/* Prints "pvctl: <message>" to stderr. */
void pvctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Explains a failure to reach the machine (not up, daemon gone...). */
void pvctl_err_connect(int rc);
/* Prints the command's help to stdout (help) or stderr (usage error). */
int pvctl_help(const char *cmd, bool error);
/* Parses "512", "512M", "2G" (MiB by default) into bytes; -1 if invalid. */
int64_t pvctl_parse_size(const char *s);
/* Directory of the running pvctl binary (for finding the daemon, image). */
const char *pvctl_bindir(void);
/* Opens a control handle, printing why it failed. */
struct pvctrl *pvctl_open_or_die(void);

int cmd_up(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_dmesg(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_shutdown(int argc, char **argv);
int cmd_mem_set(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_unpause(int argc, char **argv);
int cmd_console(int argc, char **argv);
int cmd_vcpu_list(int argc, char **argv);
int cmd_sched_credit(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_trace_record(int argc, char **argv);
int cmd_trace_report(int argc, char **argv);
int cmd_trace_export(int argc, char **argv);
int cmd_trace_live(int argc, char **argv);
int cmd_trace_dump(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_block_attach(int argc, char **argv);
int cmd_block_detach(int argc, char **argv);
int cmd_block_list(int argc, char **argv);
int cmd_network_attach(int argc, char **argv);
int cmd_network_detach(int argc, char **argv);
int cmd_network_list(int argc, char **argv);

#endif /* PVCTL_H */
