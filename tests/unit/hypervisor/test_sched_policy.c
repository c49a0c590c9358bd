/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the scheduler's decisions (common/sched_policy.c): CPU
 * shares in proportion to weight, caps, the credit a sleeper may keep,
 * wake-up preemption, and run-queue bookkeeping.  The tests drive the
 * policy as common/schedule.c does on one CPU, on simulated time.
 */
#include "hv_test.h"

#include <pvisor/sched_policy.h>
#include <string.h>

#define MS 1000000LL
#define SEC (1000 * MS)

struct sim {
    struct sched_runq rq;
    int64_t now;
    int64_t idle_ns;
};

struct task {
    struct sched_entity e;
    int64_t ran;
    /* For tasks that sleep: run this long, then sleep that long. */
    int64_t burst, sleep;
    int64_t burst_left, wake_at;
    bool asleep;
};

static void sim_init(struct sim *s)
{
    memset(s, 0, sizeof(*s));
    sched_runq_init(&s->rq);
}

static void task_init(struct sim *s, struct task *t, uint32_t weight,
                      uint32_t cap)
{
    memset(t, 0, sizeof(*t));
    sched_entity_init(&t->e, t, weight, cap);
    sched_runq_insert(&s->rq, &t->e, true);
}

/*
 * Runs the queue for `duration` of simulated time.  A task runs for its
 * slice (or until its burst ends, when it sleeps); sleepers wake on time
 * and go back in as waking entities.  With nothing runnable the CPU idles
 * until the next wake-up or cap release.
 */
static void sim_run(struct sim *s, struct task **tasks, unsigned int n,
                    int64_t duration)
{
    int64_t end = s->now + duration;

    while (s->now < end) {
        struct sched_entity *e;
        int64_t slice, run, next_event = end;
        struct task *t;

        for (unsigned int i = 0; i < n; i++) {
            t = tasks[i];
            if (t->asleep && t->wake_at <= s->now) {
                t->asleep = false;
                t->burst_left = t->burst;
                sched_runq_insert(&s->rq, &t->e, true);
            }
            if (t->asleep && t->wake_at < next_event)
                next_event = t->wake_at;
        }
        e = sched_pick_next(&s->rq, s->now, &slice);
        if (!e) {
            int64_t release = sched_next_cap_release(&s->rq, s->now);

            if (release && release < next_event)
                next_event = release;
            assert_true(next_event > s->now);
            s->idle_ns += next_event - s->now;
            s->now = next_event;
            continue;
        }
        t = e->owner;
        assert_true(slice > 0 && slice <= SCHED_SLICE_NS);
        run = slice;
        if (t->burst && t->burst_left < run)
            run = t->burst_left;
        if (s->now + run > end)
            run = end - s->now;
        s->now += run;
        t->ran += run;
        sched_charge(&s->rq, e, run, s->now);
        if (t->burst && (t->burst_left -= run) <= 0) {
            t->asleep = true;
            t->wake_at = s->now + t->sleep;
        } else {
            sched_runq_insert(&s->rq, e, false);
        }
    }
}

/* |a/b - want| <= tol, in thousandths. */
static void assert_ratio(int64_t a, int64_t b, int want_milli, int tol_milli)
{
    int64_t r = b ? a * 1000 / b : 0;

    if (r < want_milli - tol_milli || r > want_milli + tol_milli)
        fail_msg("ratio %lld/%lld = %lld/1000, want %d +- %d", (long long)a,
                 (long long)b, (long long)r, want_milli, tol_milli);
}

static void test_equal_weights_share_equally(void **state)
{
    struct sim s;
    struct task a, b;
    struct task *all[] = {&a, &b};

    (void)state;
    sim_init(&s);
    task_init(&s, &a, 0, 0); /* 0: the default weight */
    task_init(&s, &b, SCHED_DEFAULT_WEIGHT, 0);
    assert_int_equal(a.e.weight, SCHED_DEFAULT_WEIGHT);
    sim_run(&s, all, 2, 10 * SEC);
    assert_ratio(a.ran, b.ran, 1000, 5);
    assert_int_equal(s.idle_ns, 0);
}

static void test_weights_256_512_give_one_to_two(void **state)
{
    struct sim s;
    struct task a, b;
    struct task *all[] = {&a, &b};

    (void)state;
    sim_init(&s);
    task_init(&s, &a, 256, 0);
    task_init(&s, &b, 512, 0);
    sim_run(&s, all, 2, 10 * SEC);
    assert_ratio(b.ran, a.ran, 2000, 10);
    assert_int_equal(a.ran + b.ran, 10 * SEC);
}

static void test_three_weights_share_in_proportion(void **state)
{
    struct sim s;
    struct task a, b, c;
    struct task *all[] = {&a, &b, &c};

    (void)state;
    sim_init(&s);
    task_init(&s, &a, 100, 0);
    task_init(&s, &b, 300, 0);
    task_init(&s, &c, 600, 0);
    sim_run(&s, all, 3, 20 * SEC);
    assert_ratio(a.ran, 20 * SEC, 100, 5);
    assert_ratio(b.ran, 20 * SEC, 300, 5);
    assert_ratio(c.ran, 20 * SEC, 600, 5);
}

static void test_cap_limits_a_lone_entity(void **state)
{
    struct sim s;
    struct task a;
    struct task *all[] = {&a};

    (void)state;
    sim_init(&s);
    task_init(&s, &a, 256, 25);
    sim_run(&s, all, 1, 10 * SEC);
    assert_ratio(a.ran, 10 * SEC, 250, 5);
    assert_int_equal(a.ran + s.idle_ns, 10 * SEC);
}

static void test_cap_below_weight_share(void **state)
{
    struct sim s;
    struct task a, b;
    struct task *all[] = {&a, &b};

    (void)state;
    sim_init(&s);
    /* a's weight would give it 80%; its cap of 20% wins. */
    task_init(&s, &a, 1024, 20);
    task_init(&s, &b, 256, 0);
    sim_run(&s, all, 2, 10 * SEC);
    assert_ratio(a.ran, 10 * SEC, 200, 5);
    assert_ratio(b.ran, 10 * SEC, 800, 5);
    assert_int_equal(s.idle_ns, 0);
}

static void test_sleeper_keeps_at_most_one_slice_of_credit(void **state)
{
    struct sim s;
    struct task a, b;
    struct task *all[] = {&a, &b};
    struct sched_entity *e;
    int64_t slice, before;

    (void)state;
    sim_init(&s);
    task_init(&s, &a, 256, 0);
    task_init(&s, &b, 256, 0);
    /* b sleeps for 5 s while a runs alone. */
    sched_runq_remove(&s.rq, &b.e);
    b.asleep = true;
    b.wake_at = s.now + 5 * SEC;
    b.burst = 100 * SEC;
    b.burst_left = b.burst;
    sim_run(&s, all, 2, 5 * SEC);
    assert_true(a.ran >= 5 * SEC - SCHED_SLICE_NS);
    /* Now both want the CPU: b must not monopolise it for its 5 s asleep. */
    before = b.ran;
    sim_run(&s, all, 2, 200 * MS);
    assert_true(b.ran - before <= 100 * MS + 2 * SCHED_SLICE_NS);
    assert_true(b.ran - before >= 100 * MS - 2 * SCHED_SLICE_NS);
    (void)e;
    (void)slice;
}

static void test_interactive_task_gets_its_small_share_promptly(void **state)
{
    struct sim s;
    struct task hog, ia;
    struct task *all[] = {&hog, &ia};

    (void)state;
    sim_init(&s);
    task_init(&s, &hog, 256, 0);
    task_init(&s, &ia, 256, 0);
    /* ia runs 1 ms every 10 ms: it wants 10% and must get all of it. */
    ia.burst = 1 * MS;
    ia.sleep = 9 * MS;
    ia.burst_left = ia.burst;
    sim_run(&s, all, 2, 10 * SEC);
    assert_true(ia.ran >= 10 * SEC / 11 * 9 / 10);
    assert_int_equal(hog.ran + ia.ran, 10 * SEC);
}

static void test_wakeup_preemption(void **state)
{
    struct sched_entity curr, woken;

    (void)state;
    sched_entity_init(&curr, NULL, 256, 0);
    sched_entity_init(&woken, NULL, 256, 0);
    assert_true(sched_should_preempt(NULL, &woken)); /* idle CPU */
    curr.vtime = 100 * MS;
    woken.vtime = 100 * MS;
    assert_false(sched_should_preempt(&curr, &woken)); /* no ping-pong */
    woken.vtime = 100 * MS - SCHED_SLICE_NS / 4;
    assert_false(sched_should_preempt(&curr, &woken));
    woken.vtime = 100 * MS - SCHED_SLICE_NS;
    assert_true(sched_should_preempt(&curr, &woken));
}

static void test_runq_bookkeeping(void **state)
{
    struct sched_runq rq;
    struct sched_entity a, b, c;
    int64_t slice;
    uint64_t min;

    (void)state;
    sched_runq_init(&rq);
    assert_null(sched_pick_next(&rq, 0, &slice));
    sched_entity_init(&a, &a, 256, 0);
    sched_entity_init(&b, &b, 256, 0);
    sched_entity_init(&c, &c, 256, 0);
    a.vtime = 30;
    b.vtime = 10;
    c.vtime = 20;
    sched_runq_insert(&rq, &a, false);
    sched_runq_insert(&rq, &b, false);
    sched_runq_insert(&rq, &c, false);
    assert_int_equal(rq.nr, 3);
    sched_runq_remove(&rq, &c);
    assert_int_equal(rq.nr, 2);
    assert_false(c.on_runq);
    sched_runq_remove(&rq, &c); /* not queued: nothing happens */
    assert_int_equal(rq.nr, 2);
    assert_ptr_equal(sched_pick_next(&rq, 0, &slice), &b);
    assert_int_equal(slice, SCHED_SLICE_NS);
    assert_false(b.on_runq);
    min = rq.min_vtime;
    assert_int_equal(min, 10);
    assert_ptr_equal(sched_pick_next(&rq, 0, &slice), &a);
    assert_int_equal(rq.min_vtime, 30);
    /* min_vtime never goes back. */
    b.vtime = 0;
    sched_runq_insert(&rq, &b, false);
    assert_ptr_equal(sched_pick_next(&rq, 0, &slice), &b);
    assert_int_equal(rq.min_vtime, 30);
    assert_int_equal(rq.nr, 0);
}

static void test_insert_twice_is_a_bug(void **state)
{
    struct sched_runq rq;
    struct sched_entity a;

    (void)state;
    sched_runq_init(&rq);
    sched_entity_init(&a, &a, 256, 0);
    sched_runq_insert(&rq, &a, false);
    EXPECT_HV_PANIC(sched_runq_insert(&rq, &a, false));
}

static void test_capped_slice_ends_with_the_cap(void **state)
{
    struct sched_runq rq;
    struct sched_entity a;
    int64_t slice;

    (void)state;
    sched_runq_init(&rq);
    sched_entity_init(&a, &a, 256, 5); /* 5 ms per 100 ms period */
    sched_runq_insert(&rq, &a, false);
    assert_ptr_equal(sched_pick_next(&rq, 0, &slice), &a);
    assert_int_equal(slice, 5 * MS);
    sched_charge(&rq, &a, 5 * MS, 5 * MS);
    sched_runq_insert(&rq, &a, false);
    assert_null(sched_pick_next(&rq, 5 * MS, &slice)); /* used up */
    assert_int_equal(sched_next_cap_release(&rq, 5 * MS),
                     SCHED_CAP_PERIOD_NS);
    assert_ptr_equal(sched_pick_next(&rq, SCHED_CAP_PERIOD_NS, &slice), &a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal_weights_share_equally),
        cmocka_unit_test(test_weights_256_512_give_one_to_two),
        cmocka_unit_test(test_three_weights_share_in_proportion),
        cmocka_unit_test(test_cap_limits_a_lone_entity),
        cmocka_unit_test(test_cap_below_weight_share),
        cmocka_unit_test(test_sleeper_keeps_at_most_one_slice_of_credit),
        cmocka_unit_test(test_interactive_task_gets_its_small_share_promptly),
        cmocka_unit_test(test_wakeup_preemption),
        cmocka_unit_test(test_runq_bookkeeping),
        cmocka_unit_test(test_insert_twice_is_a_bug),
        cmocka_unit_test(test_capped_slice_ends_with_the_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
