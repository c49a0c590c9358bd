/* SPDX-License-Identifier: MIT */
/*
 * The machine: QEMU, its shared RAM file, the doorbell and the front end
 * of the dom0 link ring.
 *
 * Start-up: create a fresh RAM file (QEMU keeps a file's contents across
 * runs, so it is recreated every boot), listen on the doorbell socket,
 * spawn QEMU (its COM2 connects to that socket as a client, so no early
 * byte can be lost), then wait for the hypervisor's READY bell.  The header
 * it published is checked (magic, version, RAM ranges that agree with our
 * file layout) before any request is sent.
 *
 * Machine addresses map to RAM-file offsets as QEMU's pc machine lays the
 * RAM out with max-ram-below-4g=2G: [0, 2 GiB) is at offset = address, and
 * RAM above 4 GiB follows at 2 GiB.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdint.h>
#include <xen/sched.h>

#include "linkd.h"

#define RAM_BELOW_4G (2ULL << 30)
#define STOP_TIMEOUT_MS 15000

static uint64_t maddr_to_offset(uint64_t maddr, uint64_t len, bool *ok)
{
    uint64_t off;

    if (maddr + len <= linkd.ram_below_4g)
        off = maddr;
    else if (maddr >= (4ULL << 30))
        off = linkd.ram_below_4g + (maddr - (4ULL << 30));
    else
        off = UINT64_MAX;
    *ok = off != UINT64_MAX && off + len <= linkd.opt.memory && off + len >= off;
    return off;
}

static void *maddr_ptr(uint64_t maddr, uint64_t len)
{
    bool ok;
    uint64_t off = maddr_to_offset(maddr, len, &ok);

    return ok ? linkd.ram + off : NULL;
}

void *machine_maddr_ptr(uint64_t maddr, uint64_t len)
{
    return maddr_ptr(maddr, len);
}

const char *machine_accel_choose(const char *want, char *why, size_t whylen)
{
    bool dev_ok, cpu_ok = false;
    char line[4096];
    FILE *f;
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

    dev_ok = fd >= 0;
    if (fd >= 0)
        close(fd);
    f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, "flags", 5) &&
            (strstr(line, " vmx") || strstr(line, " svm"))) {
            cpu_ok = true;
            break;
        }
    if (f)
        fclose(f);

    if (!strcmp(want, "tcg")) {
        snprintf(why, whylen, "requested");
        return "tcg";
    }
    if (!strcmp(want, "kvm")) {
        snprintf(why, whylen, "requested%s", dev_ok && cpu_ok ? ""
                 : dev_ok ? "; the CPU shows no vmx/svm, so this KVM emulates "
                            "ring 0 in software and will be very slow"
                          : "; /dev/kvm is not usable");
        return "kvm";
    }
    if (dev_ok && cpu_ok) {
        snprintf(why, whylen, "/dev/kvm usable and the CPU has vmx/svm");
        return "kvm";
    }
    snprintf(why, whylen, "%s",
             !dev_ok ? "/dev/kvm not usable"
                     : "/dev/kvm exists but the CPU shows no vmx/svm: a "
                       "software KVM, refused");
    return "tcg";
}

/*
 * The machine's RAM is an anonymous shared-memory file (memfd): tmpfs
 * speed without a file system to leave it on if we are killed.  QEMU gets
 * it as its fd 3 and opens /proc/self/fd/3; clients open it through
 * /proc/<our pid>/fd/<n>, which only processes of our user may.  A file on
 * a disk file system would cost a page fault into the page cache for every
 * first touch (measured: 45 ms instead of 10 ms to boot with 1 GiB).
 */
static int create_ram_file(void)
{
    int fd = memfd_create("pvisor-machine-ram", MFD_CLOEXEC);

    if (fd < 0)
        return -errno;
    if (ftruncate(fd, (off_t)linkd.opt.memory) < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    linkd.ram = mmap(NULL, linkd.opt.memory, PROT_READ | PROT_WRITE,
                     MAP_SHARED, fd, 0);
    if (linkd.ram == MAP_FAILED) {
        int err = errno;
        linkd.ram = NULL;
        close(fd);
        return -err;
    }
    linkd.ram_fd = fd;
    snprintf(linkd.ram_path, sizeof(linkd.ram_path), "/proc/%d/fd/%d",
             (int)getpid(), fd);
    linkd.ram_below_4g = linkd.opt.memory < RAM_BELOW_4G ? linkd.opt.memory
                                                         : RAM_BELOW_4G;
    return 0;
}

/* The last max_lines lines of a log in the run directory's log/. */
static void log_tail(const char *name, char *out, size_t size,
                     unsigned int max_lines)
{
    char path[512], *buf;
    FILE *f;
    long len, start;
    unsigned int lines = 0;

    out[0] = '\0';
    snprintf(path, sizeof(path), "%s/log/%s", linkd.opt.rundir, name);
    f = fopen(path, "r");
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    start = len > 16384 ? len - 16384 : 0;
    fseek(f, start, SEEK_SET);
    buf = calloc(1, (size_t)(len - start) + 1);
    if (buf && fread(buf, 1, (size_t)(len - start), f) == (size_t)(len - start)) {
        char *p = buf + (len - start);
        while (p > buf && lines <= max_lines)
            if (*--p == '\n' && p[1])
                lines++;
        if (lines > max_lines)
            p++;
        snprintf(out, size, "%s", p);
    }
    free(buf);
    fclose(f);
}

static void report_boot_failure(const char *what)
{
    char msg[8192], tail[4096], qemu[1024];

    log_tail("hypervisor.log", tail, sizeof(tail), 40);
    log_tail("qemu.log", qemu, sizeof(qemu), 10);
    snprintf(msg, sizeof(msg), "error: %s\n%s%s%s%s", what,
             qemu[0] ? "--- QEMU said:\n" : "", qemu,
             tail[0] ? "--- last lines of the hypervisor console:\n" : "",
             tail);
    linkd_log("%s", msg);
    linkd_report_ready(msg);
}

/* ------------------------------------------------------------- ring */

static void ring_push(struct linkd_call *call)
{
    struct pvlink_request req = {
        .id = linkd.next_ring_id++,
        .op = call->op,
        .window_maddr = call->window_maddr,
        .window_size = PVLINKD_WINDOW_SIZE,
    };

    memcpy(req.args, call->args, sizeof(req.args));
    linkd.inflight[req.id % RING_SIZE(&linkd.front)] = call;
    if (link_front_push(&linkd.front, &req) && linkd.bell_connected) {
        static char bell = 'K';
        uv_buf_t b = uv_buf_init(&bell, 1);
        uv_try_write((uv_stream_t *)&linkd.bell, &b, 1);
    }
}

static void ring_fill(void)
{
    while (linkd.waitq_head && !RING_FULL(&linkd.front)) {
        struct linkd_call *call = linkd.waitq_head;

        linkd.waitq_head = call->next;
        if (!linkd.waitq_head)
            linkd.waitq_tail = NULL;
        call->next = NULL;
        ring_push(call);
    }
}

void machine_submit(struct linkd_call *call)
{
    call->next = NULL;
    if (linkd.waitq_tail)
        linkd.waitq_tail->next = call;
    else
        linkd.waitq_head = call;
    linkd.waitq_tail = call;
    if (linkd.state != PVLINKD_STATE_BOOTING)
        ring_fill();
}

static void call_finish(struct linkd_call *call, int64_t result)
{
    if (call->done)
        call->done(call, result);
    else
        clients_call_done(call, result);
}

static void ring_response(const struct pvlink_response *rsp, void *arg)
{
    unsigned int size = RING_SIZE(&linkd.front);
    struct linkd_call *call = linkd.inflight[rsp->id % size];

    (void)arg;
    if (!call || rsp->id >= linkd.next_ring_id) {
        linkd_log("link ring: response for unknown request %llu",
                  (unsigned long long)rsp->id);
        return;
    }
    linkd.inflight[rsp->id % size] = NULL;
    call_finish(call, rsp->result);
}

static void ring_drain_responses(void)
{
    if (link_front_poll(&linkd.front, ring_response, NULL) < 0)
        linkd_log("link ring: bad response producer index %u (consumer %u)",
                  linkd.front.sring->rsp_prod, linkd.front.rsp_cons);
    ring_fill();
}

/*
 * Every STALL_MS while calls are in flight: responses the hypervisor
 * pushed whose doorbell byte never arrived are collected, and if nothing
 * has been answered since the last look, the hypervisor is rung again.
 * Both ends follow the ring's notification protocol, which never rings
 * twice for one batch, so one byte lost on the UART path (QEMU drops a
 * byte it cannot hand to the socket after a few retries) would otherwise
 * stall every dom0 client for good.  A spare bell costs the hypervisor
 * one pass over an empty ring.
 */
#define STALL_MS 100

static void stall_check(uv_timer_t *t)
{
    (void)t;
    if (linkd.state != PVLINKD_STATE_READY)
        return;
    ring_drain_responses();
    if (linkd.front.req_prod_pvt == linkd.front.rsp_cons) {
        linkd.stall_logged = false;
        return;
    }
    if (linkd.front.rsp_cons == linkd.stall_rsp_cons && linkd.bell_connected) {
        static char bell = 'K';
        uv_buf_t b = uv_buf_init(&bell, 1);

        if (!linkd.stall_logged)
            linkd_log("link ring: %u calls unanswered for %d ms: ringing again",
                      linkd.front.req_prod_pvt - linkd.front.rsp_cons,
                      STALL_MS);
        linkd.stall_logged = true;
        uv_try_write((uv_stream_t *)&linkd.bell, &b, 1);
    }
    linkd.stall_rsp_cons = linkd.front.rsp_cons;
}

/* Completes every call in flight or waiting with err (the machine died). */
void machine_fail_all(int64_t err)
{
    unsigned int size = linkd.inflight ? RING_SIZE(&linkd.front) : 0;
    struct linkd_call *c;

    for (unsigned int i = 0; i < size; i++)
        if ((c = linkd.inflight[i])) {
            linkd.inflight[i] = NULL;
            call_finish(c, err);
        }
    while ((c = linkd.waitq_head)) {
        linkd.waitq_head = c->next;
        call_finish(c, err);
    }
    linkd.waitq_tail = NULL;
}

/* ---------------------------------------------------------- doorbell */

static bool check_header(char *why, size_t len)
{
    const struct pvlink_header *h = linkd.hdr;

    if (h->magic != PVLINK_MAGIC || h->version < PVLINK_VERSION) {
        snprintf(why, len, "bad link header (magic %#llx, version %u)",
                 (unsigned long long)h->magic, h->version);
        return false;
    }
    if (h->nr_ram_ranges > PVLINK_MAX_RAM_RANGES) {
        snprintf(why, len, "bad RAM range count %u", h->nr_ram_ranges);
        return false;
    }
    for (unsigned int i = 0; i < h->nr_ram_ranges; i++)
        if (!maddr_ptr(h->ram[i].start, h->ram[i].end - h->ram[i].start)) {
            snprintf(why, len, "RAM range %#llx-%#llx is not where the RAM "
                     "file puts it", (unsigned long long)h->ram[i].start,
                     (unsigned long long)h->ram[i].end);
            return false;
        }
    if (!maddr_ptr(h->ring_maddr, PVLINK_RING_BYTES) ||
        !maddr_ptr(h->arena_maddr, h->arena_size) ||
        h->arena_size < 2 * PVLINKD_WINDOW_SIZE ||
        h->arena_maddr + h->arena_size > linkd.ram_below_4g) {
        snprintf(why, len, "ring or arena outside low RAM");
        return false;
    }
    return true;
}

static void machine_ready(void)
{
    char why[256];
    unsigned int size;

    if (!check_header(why, sizeof(why))) {
        report_boot_failure(why);
        machine_request_shutdown();
        return;
    }
    link_front_init(&linkd.front,
                    (struct pvlink_sring *)maddr_ptr(linkd.hdr->ring_maddr,
                                                     PVLINK_RING_BYTES),
                    PVLINK_RING_BYTES);
    size = RING_SIZE(&linkd.front);
    linkd.inflight = calloc(size, sizeof(*linkd.inflight));
    linkd.nr_windows = (unsigned int)(linkd.hdr->arena_size / PVLINKD_WINDOW_SIZE);
    linkd.window_used = calloc(linkd.nr_windows, 1);
    if (!linkd.inflight || !linkd.window_used) {
        report_boot_failure("out of memory");
        machine_request_shutdown();
        return;
    }
    linkd.window_used[0] = 1; /* the daemon's own */
    evtchn_machine_ready();
    uv_timer_stop(&linkd.boot_timer);
    linkd.state = PVLINKD_STATE_READY;
    uv_timer_init(linkd.loop, &linkd.stall_timer);
    uv_timer_start(&linkd.stall_timer, stall_check, STALL_MS, STALL_MS);
    uv_unref((uv_handle_t *)&linkd.stall_timer);
    linkd_log("hypervisor ready: %u CPUs, ring of %u, %u client windows",
              linkd.hdr->nr_cpus, size, linkd.nr_windows - 1);
    ring_fill();
    if (services_start()) {
        report_boot_failure("the dom0 services did not start (see the "
                            "logs in the run directory's log/)");
        machine_request_shutdown();
        return;
    }
    linkd_report_ready("ok\n");
}

uint64_t machine_window_maddr(unsigned int window)
{
    return linkd.hdr->arena_maddr + (uint64_t)window * PVLINKD_WINDOW_SIZE;
}

void *machine_window_ptr(unsigned int window)
{
    return maddr_ptr(machine_window_maddr(window), PVLINKD_WINDOW_SIZE);
}

static void bell_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    static char space[64];

    (void)h;
    (void)hint;
    *buf = uv_buf_init(space, sizeof(space));
}

static void bell_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    (void)s;
    if (n < 0) {
        if (n != UV_EOF)
            linkd_log("doorbell: %s", uv_strerror((int)n));
        linkd.bell_connected = false;
        uv_close((uv_handle_t *)&linkd.bell, NULL);
        return;
    }
    for (ssize_t i = 0; i < n; i++) {
        if (buf->base[i] == PVLINK_BELL_READY &&
            linkd.state == PVLINKD_STATE_BOOTING &&
            __atomic_load_n(&linkd.hdr->state, __ATOMIC_ACQUIRE) ==
                PVLINK_STATE_READY)
            machine_ready();
        else if (buf->base[i] == PVLINK_BELL_EVENT &&
                 linkd.state == PVLINKD_STATE_READY)
            evtchn_doorbell();
    }
    if (n > 0 && linkd.state != PVLINKD_STATE_BOOTING)
        ring_drain_responses();
}

static void bell_connect(uv_stream_t *server, int status)
{
    if (status < 0 || linkd.bell_connected) {
        uv_pipe_t tmp;
        /* Only QEMU's single connection is welcome. */
        uv_pipe_init(linkd.loop, &tmp, 0);
        if (uv_accept(server, (uv_stream_t *)&tmp) == 0)
            uv_close((uv_handle_t *)&tmp, NULL);
        return;
    }
    uv_pipe_init(linkd.loop, &linkd.bell, 0);
    if (uv_accept(server, (uv_stream_t *)&linkd.bell) == 0) {
        linkd.bell_connected = true;
        uv_read_start((uv_stream_t *)&linkd.bell, bell_alloc, bell_read);
    }
}

/* ---------------------------------------------------------- QEMU */

static void qemu_exit(uv_process_t *p, int64_t status, int signo)
{
    char what[256];
    int code;

    linkd.qemu_running = false;
    linkd.qemu_status = (int)status;
    uv_close((uv_handle_t *)p, NULL);
    if (signo)
        snprintf(what, sizeof(what), "QEMU was killed by signal %d", signo);
    else if (status == ((PVLINK_EXIT_PANIC << 1) | 1))
        snprintf(what, sizeof(what), "the hypervisor panicked");
    else if (status == ((PVLINK_EXIT_POWEROFF << 1) | 1))
        snprintf(what, sizeof(what), "the machine powered off");
    else
        snprintf(what, sizeof(what), "QEMU exited with status %lld",
                 (long long)status);
    linkd_log("%s", what);
    if (linkd.state == PVLINKD_STATE_BOOTING) {
        char msg[300];
        snprintf(msg, sizeof(msg), "%s during boot", what);
        report_boot_failure(msg);
    }
    code = linkd.state == PVLINKD_STATE_STOPPING ? 0 : 1;
    /* No longer ready: the clients closed from here on must not reach for
     * the machine's memory (their windows), which linkd_stop() unmaps. */
    linkd.state = PVLINKD_STATE_STOPPING;
    machine_fail_all(-EIO);
    clients_machine_gone();
    linkd_stop(code);
}

static void boot_timeout(uv_timer_t *t)
{
    char msg[128];

    (void)t;
    snprintf(msg, sizeof(msg), "the hypervisor did not come up within %u s",
             linkd.opt.boot_timeout_s);
    report_boot_failure(msg);
    linkd.state = PVLINKD_STATE_STOPPING;
    if (linkd.qemu_running)
        uv_process_kill(&linkd.qemu, SIGKILL);
}

static void stop_timeout(uv_timer_t *t)
{
    (void)t;
    linkd_log("the machine did not power off in time; killing QEMU");
    if (linkd.qemu_running)
        uv_process_kill(&linkd.qemu, SIGKILL);
}

int machine_start(void)
{
    char bell_path[300], mem[32], smp[16], machine_arg[64], ramobj[400];
    char serial[400], bellchr[400], why[200], path[400];
    int qemu_log;
    const char *argv[48];
    unsigned int n = 0;
    uv_process_options_t po;
    uv_stdio_container_t stdio[4];
    int rc;

    snprintf(linkd.accel, sizeof(linkd.accel), "%s",
             machine_accel_choose(linkd.opt.accel, why, sizeof(why)));
    linkd_log("accelerator: %s (%s)", linkd.accel, why);

    rc = create_ram_file();
    if (rc) {
        linkd_log("cannot create the RAM file %s: %s", linkd.ram_path,
                  strerror(-rc));
        return rc;
    }
    linkd.hdr = (struct pvlink_header *)(linkd.ram + PVLINK_HDR_MADDR);

    snprintf(bell_path, sizeof(bell_path), "%s/doorbell.sock", linkd.opt.rundir);
    unlink(bell_path);
    uv_pipe_init(linkd.loop, &linkd.bell_server, 0);
    rc = uv_pipe_bind(&linkd.bell_server, bell_path);
    if (!rc)
        rc = uv_listen((uv_stream_t *)&linkd.bell_server, 1, bell_connect);
    if (rc) {
        linkd_log("cannot listen on %s: %s", bell_path, uv_strerror(rc));
        return rc;
    }

    snprintf(mem, sizeof(mem), "%lluM",
             (unsigned long long)(linkd.opt.memory >> 20));
    snprintf(smp, sizeof(smp), "%u", linkd.opt.cpus);
    snprintf(machine_arg, sizeof(machine_arg),
             "pc,memory-backend=ram,max-ram-below-4g=2G");
    snprintf(ramobj, sizeof(ramobj),
             "memory-backend-file,id=ram,size=%s,mem-path=/proc/self/fd/3,"
             "share=on", mem);
    snprintf(serial, sizeof(serial), "file,id=hvcon,path=%s/log/hypervisor.log",
             linkd.opt.rundir);
    snprintf(bellchr, sizeof(bellchr), "socket,id=bell,path=%s", bell_path);

    argv[n++] = linkd.opt.qemu;
    argv[n++] = "-name";
    argv[n++] = "pvisor,debug-threads=on";
    argv[n++] = "-accel";
    argv[n++] = linkd.accel;
    argv[n++] = "-machine";
    argv[n++] = machine_arg;
    argv[n++] = "-cpu";
    argv[n++] = strcmp(linkd.accel, "kvm") ? "max" : "host";
    argv[n++] = "-m";
    argv[n++] = mem;
    argv[n++] = "-smp";
    argv[n++] = smp;
    argv[n++] = "-object";
    argv[n++] = ramobj;
    if (access("/usr/share/qemu/qboot.rom", R_OK) == 0) {
        argv[n++] = "-bios";
        argv[n++] = "/usr/share/qemu/qboot.rom";
    }
    argv[n++] = "-nodefaults";
    argv[n++] = "-no-user-config";
    argv[n++] = "-display";
    argv[n++] = "none";
    argv[n++] = "-no-reboot";
    argv[n++] = "-chardev";
    argv[n++] = serial;
    argv[n++] = "-serial";
    argv[n++] = "chardev:hvcon";
    argv[n++] = "-chardev";
    argv[n++] = bellchr;
    argv[n++] = "-device";
    argv[n++] = "isa-serial,chardev=bell,iobase=0x2f8,irq=3";
    argv[n++] = "-device";
    argv[n++] = "isa-debug-exit,iobase=0xf4,iosize=0x04";
    argv[n++] = "-kernel";
    argv[n++] = linkd.opt.image;
    argv[n++] = "-append";
    argv[n++] = linkd.opt.cmdline;
    argv[n] = NULL;

    /* This boot's console log replaces the last one's. */
    snprintf(path, sizeof(path), "%s/log/hypervisor.log", linkd.opt.rundir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/log/qemu.log", linkd.opt.rundir);
    qemu_log = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    memset(&po, 0, sizeof(po));
    stdio[0].flags = UV_IGNORE;
    stdio[1].flags = UV_INHERIT_FD;
    stdio[1].data.fd = qemu_log >= 0 ? qemu_log : STDERR_FILENO;
    stdio[2] = stdio[1];
    stdio[3].flags = UV_INHERIT_FD; /* the RAM file, as QEMU's fd 3 */
    stdio[3].data.fd = linkd.ram_fd;
    po.file = linkd.opt.qemu;
    po.args = (char **)argv;
    po.exit_cb = qemu_exit;
    po.stdio = stdio;
    po.stdio_count = 4;
    rc = uv_spawn(linkd.loop, &linkd.qemu, &po);
    if (qemu_log >= 0)
        close(qemu_log);
    if (rc) {
        linkd_log("cannot start %s: %s", linkd.opt.qemu, uv_strerror(rc));
        return rc;
    }
    linkd.qemu_running = true;
    linkd_log("QEMU started (pid %d): %u CPUs, %s RAM, image %s, cmdline '%s'",
              linkd.qemu.pid, linkd.opt.cpus, mem, linkd.opt.image,
              linkd.opt.cmdline);
    uv_timer_init(linkd.loop, &linkd.boot_timer);
    uv_timer_start(&linkd.boot_timer, boot_timeout,
                   (uint64_t)linkd.opt.boot_timeout_s * 1000, 0);
    uv_timer_init(linkd.loop, &linkd.stop_timer);
    return 0;
}

static void shutdown_call_done(struct linkd_call *call, int64_t result)
{
    /* SCHEDOP_shutdown from domain 0 never returns while the machine
     * runs; an answer means the hypervisor refused, so stop it anyway. */
    free(call);
    if (linkd.qemu_running) {
        linkd_log("shutdown hypercall returned %lld; killing QEMU",
                  (long long)result);
        uv_process_kill(&linkd.qemu, SIGKILL);
    }
}

void machine_request_shutdown(void)
{
    struct linkd_call *call;
    struct sched_shutdown *arg;

    if (linkd.state == PVLINKD_STATE_STOPPING)
        return;
    services_stop();
    if (!linkd.qemu_running) {
        linkd_stop(0);
        return;
    }
    if (linkd.state == PVLINKD_STATE_BOOTING) {
        linkd.state = PVLINKD_STATE_STOPPING;
        uv_process_kill(&linkd.qemu, SIGKILL);
        return;
    }
    linkd.state = PVLINKD_STATE_STOPPING;
    uv_timer_start(&linkd.stop_timer, stop_timeout, STOP_TIMEOUT_MS, 0);
    call = calloc(1, sizeof(*call));
    arg = machine_window_ptr(0);
    if (!call || !arg) {
        free(call);
        uv_process_kill(&linkd.qemu, SIGKILL);
        return;
    }
    arg->reason = SHUTDOWN_poweroff;
    call->op = __HYPERVISOR_sched_op;
    call->args[0] = SCHEDOP_shutdown;
    call->args[1] = machine_window_maddr(0);
    call->window_maddr = machine_window_maddr(0);
    call->done = shutdown_call_done;
    linkd_log("shutting the machine down");
    /* Jump the queue: nothing else matters any more. */
    call->next = linkd.waitq_head;
    linkd.waitq_head = call;
    if (!linkd.waitq_tail)
        linkd.waitq_tail = call;
    ring_fill();
}

void machine_cleanup(void)
{
    char path[400];

    machine_fail_all(-EIO);
    if (linkd.ram) {
        munmap(linkd.ram, linkd.opt.memory);
        linkd.ram = NULL;
        close(linkd.ram_fd);
    }
    snprintf(path, sizeof(path), "%s/doorbell.sock", linkd.opt.rundir);
    unlink(path);
    free(linkd.inflight);
    free(linkd.window_used);
    linkd.inflight = NULL;
    linkd.window_used = NULL;
}
