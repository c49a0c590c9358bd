// SPDX-License-Identifier: MIT
/*
 * Load generator for xenstore-lite: N concurrent clients (libxsl's libuv
 * API, one loop) doing mixed reads, writes, removals, transactions,
 * directory listings and watch churn for a given time, with exact
 * accounting of watch events.
 *
 * Mix: 30% writes, 25% reads, 25% removals, 10% transactions, 5% watch
 * churn, 5% directory listings (paged with DIRECTORY_PART when big).
 * Client i watches client i+1's subtree /load/cI+1.  Writers only create
 * unique paths /load/cI/SEQ, and remove a path only after its watcher has
 * seen the write event, so no two events of a watcher can be merged by
 * the daemon: every write and every removal must produce exactly one
 * event at the watcher.  Transactions increment one of ten counters
 * /load/counter/K (ten clients share each) and retry on EAGAIN; the
 * counters must add up to the number of commits.  Any
 * other error, a missing or unexpected event, or a wrong value fails.
 *
 * Usage: xs-load SOCKET CLIENTS SECONDS [ROUND]
 * Prints key=value statistics; exit status 0 when everything added up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include <xen/io/xs_wire.h>

#include "xsl.h"

enum { S_NONE, S_WRITTEN, S_SEEN, S_RM_SENT, S_DONE };

struct client {
    int id;
    struct xsl_async *a;
    /* as a writer */
    unsigned int seq;
    unsigned char *state; /* per seq */
    unsigned int cap;
    unsigned int *seen; /* seqs whose write event arrived, not removed */
    unsigned int nseen, seen_cap;
    unsigned int live; /* written and not yet fully removed */
    /* the operation in flight */
    uint32_t txn;
    unsigned long counter_read;
    char path[64];
    char counter[32];
    unsigned int op_seq;
    bool busy;
    bool watch_extra;
};

static struct client *cl;
static int nclients, ready, round_no;
static const char *sock;
static bool stopping, failed;
static uv_loop_t *loop;
static uv_timer_t stop_timer, drain_timer;
static unsigned long long st_ops, st_writes, st_reads, st_rms, st_commits,
    st_eagain, st_events, st_extra_events, st_dirs, st_watch_churn, st_errors;

static void next_op(struct client *c);

static void fail(const char *what, int err, struct client *c)
{
    if (st_errors++ < 20)
        fprintf(stderr, "client %d: %s: %s\n", c ? c->id : -1, what,
                strerror(-err));
    failed = true;
}

static void grow(struct client *c, unsigned int seq)
{
    unsigned int n;

    if (seq < c->cap)
        return;
    n = c->cap ? c->cap * 2 : 1024;
    while (n <= seq)
        n *= 2;
    c->state = realloc(c->state, n);
    memset(c->state + c->cap, S_NONE, n - c->cap);
    c->cap = n;
}

static void seen_push(struct client *c, unsigned int seq)
{
    if (c->nseen == c->seen_cap) {
        c->seen_cap = c->seen_cap ? c->seen_cap * 2 : 256;
        c->seen = realloc(c->seen, c->seen_cap * sizeof(*c->seen));
    }
    c->seen[c->nseen++] = seq;
}

static bool all_drained(void)
{
    int i;

    for (i = 0; i < nclients; i++)
        if (cl[i].live || cl[i].busy)
            return false;
    return true;
}

static void on_watch(const char *path, const char *token, void *opaque)
{
    struct client *k = opaque, *w;
    unsigned int j, seq;
    char extra[32];

    st_events++;
    snprintf(extra, sizeof(extra), "/load/extra/%d", k->id);
    if (token[0] == 'x') {
        if (strcmp(path, extra))
            fail("extra watch event path", -EPROTO, k);
        st_extra_events++;
        return;
    }
    if (sscanf(path, "/load/c%u/%u", &j, &seq) != 2) {
        if (sscanf(path, "/load/c%u", &j) == 1 &&
            (int)j == (k->id + 1) % nclients)
            return; /* the initial event */
        fail("unexpected event", -EPROTO, k);
        return;
    }
    w = &cl[(k->id + 1) % nclients];
    if ((int)j != w->id || seq >= w->cap) {
        fail("event for a path never written", -EPROTO, k);
        return;
    }
    switch (w->state[seq]) {
    case S_WRITTEN:
        w->state[seq] = S_SEEN;
        seen_push(w, seq);
        break;
    case S_RM_SENT:
        w->state[seq] = S_DONE;
        w->live--;
        break;
    default:
        fail("duplicate or unexpected event", -EPROTO, k);
    }
}

static void op_done(int err, const char *data, size_t len, void *opaque)
{
    struct client *c = opaque;

    (void)data;
    (void)len;
    if (err)
        fail("request", err, c);
    c->busy = false;
    next_op(c);
}

static void read_done(int err, const char *data, size_t len, void *opaque)
{
    struct client *c = opaque;
    char want[16];

    snprintf(want, sizeof(want), "%u", c->op_seq);
    if (err)
        fail("read", err, c);
    else if (len != strlen(want) || memcmp(data, want, len))
        fail("read returned a wrong value", -EPROTO, c);
    c->busy = false;
    next_op(c);
}

static void txn_end_done(int err, const char *data, size_t len, void *opaque);

static void txn_write_done(int err, const char *data, size_t len, void *opaque)
{
    struct client *c = opaque;

    if (err) {
        fail("txn write", err, c);
        c->busy = false;
        next_op(c);
        return;
    }
    xsl_async_transaction_end(c->a, c->txn, true, txn_end_done, c);
}

static void txn_read_done(int err, const char *data, size_t len, void *opaque)
{
    struct client *c = opaque;
    char buf[24];
    int n;

    if (err && err != -ENOENT) {
        fail("txn read", err, c);
        xsl_async_transaction_end(c->a, c->txn, false, op_done, c);
        return;
    }
    c->counter_read = err ? 0 : strtoul(data, NULL, 10);
    n = snprintf(buf, sizeof(buf), "%lu", c->counter_read + 1);
    xsl_async_write(c->a, c->txn, c->counter, buf, n, txn_write_done, c);
}

static void txn_start_done(int err, const char *data, size_t len, void *opaque)
{
    struct client *c = opaque;

    if (err) {
        fail("txn start", err, c);
        c->busy = false;
        next_op(c);
        return;
    }
    c->txn = strtoul(data, NULL, 10);
    xsl_async_read(c->a, c->txn, c->counter, txn_read_done, c);
}

static void txn_end_done(int err, const char *data, size_t len, void *opaque)
{
    struct client *c = opaque;

    if (err == -EAGAIN) {
        st_eagain++; /* expected under contention: retry */
        xsl_async_transaction_start(c->a, txn_start_done, c);
        return;
    }
    if (err)
        fail("txn end", err, c);
    else
        st_commits++;
    c->busy = false;
    next_op(c);
}

static void unwatch_extra(int err, const char *data, size_t len, void *opaque)
{
    struct client *c = opaque;
    char p[32], t[16];

    if (err)
        fail("watch", err, c);
    snprintf(p, sizeof(p), "/load/extra/%d", c->id);
    snprintf(t, sizeof(t), "x%d", c->id);
    xsl_async_unwatch(c->a, p, t, op_done, c);
}

/* A directory too big for one reply is paged, as libxenstore does. */
static void dir_done(int err, const char *data, size_t len, void *opaque)
{
    struct client *c = opaque;
    struct iovec iov[2] = {{c->path, strlen(c->path) + 1}, {"0", 2}};

    if (err == -E2BIG) {
        xsl_async_request(c->a, XS_DIRECTORY_PART, 0, iov, 2, op_done, c);
        return;
    }
    op_done(err, data, len, opaque);
}

static void do_rm(struct client *c)
{
    unsigned int k = rand() % c->nseen, seq = c->seen[k];

    c->seen[k] = c->seen[--c->nseen];
    c->state[seq] = S_RM_SENT;
    snprintf(c->path, sizeof(c->path), "/load/c%d/%u", c->id, seq);
    st_rms++;
    xsl_async_rm(c->a, 0, c->path, op_done, c);
}

static void next_op(struct client *c)
{
    int r = rand() % 100, n;
    char val[16], p[32], t[16];

    if (c->busy)
        return;
    c->busy = true;
    if (stopping) {
        /* Wind down: remove whatever has been seen, then rest. */
        if (c->nseen) {
            do_rm(c);
            return;
        }
        c->busy = false;
        return;
    }
    st_ops++;
    if (r < 30 || (r >= 55 && r < 80 && !c->nseen)) {
        grow(c, c->seq);
        c->state[c->seq] = S_WRITTEN;
        c->live++;
        snprintf(c->path, sizeof(c->path), "/load/c%d/%u", c->id, c->seq);
        n = snprintf(val, sizeof(val), "%u", c->seq);
        c->seq++;
        st_writes++;
        xsl_async_write(c->a, 0, c->path, val, n, op_done, c);
    } else if (r < 55) {
        st_reads++;
        if (!c->nseen) {
            xsl_async_read(c->a, 0, "/load", op_done, c);
            return;
        }
        c->op_seq = c->seen[rand() % c->nseen];
        snprintf(c->path, sizeof(c->path), "/load/c%d/%u", c->id, c->op_seq);
        xsl_async_read(c->a, 0, c->path, read_done, c);
    } else if (r < 80) {
        do_rm(c);
    } else if (r < 90) {
        xsl_async_transaction_start(c->a, txn_start_done, c);
    } else if (r < 95) {
        st_watch_churn++;
        snprintf(p, sizeof(p), "/load/extra/%d", c->id);
        snprintf(t, sizeof(t), "x%d", c->id);
        xsl_async_watch(c->a, p, t, unwatch_extra, c);
    } else {
        st_dirs++;
        snprintf(c->path, sizeof(c->path), "/load/c%d", c->id);
        xsl_async_directory(c->a, 0, c->path, dir_done, c);
    }
}

static void setup_done(int err, const char *data, size_t len, void *opaque)
{
    struct client *c = opaque;
    int i;

    if (err)
        fail("setup", err, c);
    if (++ready < nclients)
        return;
    for (i = 0; i < nclients; i++) {
        cl[i].busy = false;
        next_op(&cl[i]);
    }
}

static void setup_mkdir_done(int err, const char *data, size_t len,
                             void *opaque)
{
    struct client *c = opaque;

    if (err)
        fail("mkdir", err, c);
    if (++ready < nclients)
        return;
    ready = 0;
    /* All subtrees exist: every client watches its neighbour's. */
    for (int i = 0; i < nclients; i++) {
        char p[32], t[16];

        snprintf(p, sizeof(p), "/load/c%d", (i + 1) % nclients);
        snprintf(t, sizeof(t), "w%d", i);
        xsl_async_watch(cl[i].a, p, t, setup_done, &cl[i]);
    }
}

static void check_drained(uv_timer_t *t)
{
    static int ticks;
    int i;

    for (i = 0; i < nclients; i++)
        next_op(&cl[i]); /* keep idle clients removing */
    if (all_drained() || ++ticks > 400) {
        uv_timer_stop(t);
        uv_close((uv_handle_t *)t, NULL);
        for (i = 0; i < nclients; i++) {
            if (cl[i].live) {
                fprintf(stderr, "client %d: %u events never arrived\n", i,
                        cl[i].live);
                failed = true;
            }
            xsl_async_close(cl[i].a);
        }
    }
}

static void stop_cb(uv_timer_t *t)
{
    stopping = true;
    uv_close((uv_handle_t *)t, NULL);
    uv_timer_init(loop, &drain_timer);
    uv_timer_start(&drain_timer, check_drained, 25, 25);
}

int main(int argc, char **argv)
{
    struct xsl_handle *h;
    char *v = NULL;
    unsigned long long sum;
    int i, secs;
    double t0;

    if (argc < 4) {
        fprintf(stderr, "usage: xs-load SOCKET CLIENTS SECONDS [ROUND]\n");
        return 2;
    }
    sock = argv[1];
    nclients = atoi(argv[2]);
    secs = atoi(argv[3]);
    round_no = argc > 4 ? atoi(argv[4]) : 0;
    srand(1234 + round_no);
    loop = uv_default_loop();
    if (xsl_open(sock, &h) || xsl_rm(h, 0, "/load") ||
        xsl_mkdir(h, 0, "/load/counter")) {
        fprintf(stderr, "cannot prepare /load\n");
        return 2;
    }
    cl = calloc(nclients, sizeof(*cl));
    for (i = 0; i < nclients; i++) {
        char p[32];

        cl[i].id = i;
        cl[i].busy = true;
        snprintf(cl[i].counter, sizeof(cl[i].counter), "/load/counter/%d",
                 i % 10);
        if (xsl_async_open(loop, sock, on_watch, &cl[i], &cl[i].a)) {
            fprintf(stderr, "client %d cannot connect\n", i);
            return 2;
        }
        snprintf(p, sizeof(p), "/load/c%d", i);
        xsl_async_mkdir(cl[i].a, 0, p, setup_mkdir_done, &cl[i]);
    }
    uv_timer_init(loop, &stop_timer);
    uv_timer_start(&stop_timer, stop_cb, secs * 1000, 0);
    t0 = uv_hrtime() / 1e9;
    uv_run(loop, UV_RUN_DEFAULT);
    t0 = uv_hrtime() / 1e9 - t0;
    for (i = 0, sum = 0; i < 10; i++) {
        char p[32];

        snprintf(p, sizeof(p), "/load/counter/%d", i);
        if (!xsl_read(h, 0, p, &v, NULL))
            sum += strtoull(v, NULL, 10);
        free(v);
        v = NULL;
    }
    if (sum != st_commits) {
        fprintf(stderr, "counters add up to %llu, not %llu commits\n", sum,
                st_commits);
        failed = true;
    }
    xsl_rm(h, 0, "/load");
    xsl_close(h);
    printf("clients=%d seconds=%.1f ops=%llu ops_per_s=%.0f writes=%llu "
           "reads=%llu rms=%llu commits=%llu eagain=%llu dirs=%llu "
           "watch_churn=%llu events=%llu extra_events=%llu errors=%llu\n",
           nclients, t0, st_ops, st_ops / t0, st_writes, st_reads, st_rms,
           st_commits, st_eagain, st_dirs, st_watch_churn, st_events,
           st_extra_events, st_errors);
    if (st_extra_events != st_watch_churn) {
        fprintf(stderr, "extra watches %llu, initial events %llu\n",
                st_watch_churn, st_extra_events);
        failed = true;
    }
    for (i = 0; i < nclients; i++) {
        free(cl[i].state);
        free(cl[i].seen);
    }
    free(cl);
    uv_loop_close(loop);
    return failed ? 1 : 0;
}
