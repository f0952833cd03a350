/*
 * The scheduler (src/kernel/scheduler.c): ready queues, the two-level ready
 * bitmap, and the choice kernel_exit makes between the current thread, a
 * woken candidate and the ready queues. A test "runs" the chosen thread by
 * making it current, as kernel_exit does.
 */
#include <arch/thread_switch.h>
#include <cella/tcb.h>

#include "harness.h"
#include "kmem.h"

#define THREADS 16
static struct tcb *made[THREADS];
static unsigned made_count;

/* Takes every thread of the last test out of the scheduler, then starts afresh. */
static void setup(void)
{
    for (unsigned i = 0; i < made_count; i++)
        sched_dequeue(made[i]);
    made_count = 0;
    current_thread = NULL;
    kmem_reset();
    CU_ASSERT_EQUAL(sched_highest_ready(), -1);
    CU_ASSERT_EQUAL(ready_levels.summary, 0u);
    CU_ASSERT_PTR_NULL(sched_choose_next());
}

static struct tcb *thread(unsigned prio)
{
    struct tcb *t = kmem_alloc(TCB_SIZE_BITS);
    t->priority = (uint8_t)prio;
    t->state = THREAD_RUNNING;
    t->time_slice = TIME_SLICE_TICKS;
    made[made_count++] = t;
    return t;
}

static struct tcb *blocked(unsigned prio)
{
    struct tcb *t = thread(prio);
    t->state = THREAD_BLOCKED_ON_RECV;
    return t;
}

/* kernel_exit without the switch: the chosen thread becomes current. */
static struct tcb *run_next(void)
{
    current_thread = sched_choose_next();
    return current_thread;
}

static void test_enqueue_is_fifo(void)
{
    setup();
    struct tcb *a = thread(10), *b = thread(10), *c = thread(10);
    sched_enqueue(a);
    sched_enqueue(b);
    sched_enqueue(c);
    sched_enqueue(a); /* already queued: stays where it is */
    CU_ASSERT_EQUAL(sched_highest_ready(), 10);
    CU_ASSERT_PTR_EQUAL(sched_choose_next(), a);
    CU_ASSERT_PTR_EQUAL(sched_choose_next(), b);
    CU_ASSERT_PTR_EQUAL(sched_choose_next(), c);
    CU_ASSERT_PTR_NULL(sched_choose_next());
    CU_ASSERT_EQUAL(sched_highest_ready(), -1);
}

static void test_enqueue_front(void)
{
    setup();
    struct tcb *a = thread(3), *b = thread(3), *c = thread(3);
    sched_enqueue(a);
    sched_enqueue(b);
    sched_enqueue_front(c);
    sched_enqueue_front(b); /* already queued */
    CU_ASSERT_PTR_EQUAL(sched_choose_next(), c);
    CU_ASSERT_PTR_EQUAL(sched_choose_next(), a);
    CU_ASSERT_PTR_EQUAL(sched_choose_next(), b);
    /* Into an empty queue. */
    sched_enqueue_front(a);
    CU_ASSERT_EQUAL(sched_highest_ready(), 3);
    CU_ASSERT_PTR_EQUAL(sched_choose_next(), a);
}

static void test_dequeue(void)
{
    setup();
    struct tcb *a = thread(7), *b = thread(7), *c = thread(7), *d = thread(7);
    sched_enqueue(a);
    sched_enqueue(b);
    sched_enqueue(c);
    sched_enqueue(d);
    sched_dequeue(b); /* middle */
    sched_dequeue(a); /* head */
    sched_dequeue(d); /* tail */
    sched_dequeue(d); /* not queued: nothing happens */
    CU_ASSERT_PTR_NULL(b->sched_next);
    CU_ASSERT_PTR_NULL(b->sched_prev);
    CU_ASSERT_EQUAL(sched_highest_ready(), 7);
    sched_enqueue(a);
    CU_ASSERT_PTR_EQUAL(sched_choose_next(), c);
    CU_ASSERT_PTR_EQUAL(sched_choose_next(), a);
    sched_enqueue(d);
    sched_dequeue(d); /* the only one: the level empties */
    CU_ASSERT_EQUAL(sched_highest_ready(), -1);
    CU_ASSERT_EQUAL(ready_levels.levels[0], 0u);
}

/* The bitmap: one bit per level, a summary bit per word, across word boundaries. */
static void test_ready_bitmap(void)
{
    setup();
    static const unsigned prios[] = { 0, 1, 63, 64, 127, 128, 200, 254, 255 };
    struct tcb *t[ARRAY_SIZE(prios)];
    for (unsigned i = 0; i < ARRAY_SIZE(prios); i++)
        sched_enqueue(t[i] = thread(prios[i]));
    CU_ASSERT_EQUAL(ready_levels.summary, 0xfu);
    CU_ASSERT_EQUAL(ready_levels.levels[0], BIT(0) | BIT(1) | BIT(63));
    CU_ASSERT_EQUAL(ready_levels.levels[1], BIT(0) | BIT(63));
    CU_ASSERT_EQUAL(ready_levels.levels[2], BIT(0));
    CU_ASSERT_EQUAL(ready_levels.levels[3], BIT(200 - 192) | BIT(62) | BIT(63));
    for (int i = (int)ARRAY_SIZE(prios) - 1; i >= 0; i--) {
        CU_ASSERT_EQUAL(sched_highest_ready(), (int)prios[i]);
        CU_ASSERT_PTR_EQUAL(sched_choose_next(), t[i]);
    }
    CU_ASSERT_EQUAL(ready_levels.summary, 0u);
    for (unsigned w = 0; w < ARRAY_SIZE(ready_levels.levels); w++)
        CU_ASSERT_EQUAL(ready_levels.levels[w], 0u);
}

static word_t rng_state = 0x2545f4914f6cdd1dUL;

static word_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* sched_ready_above(p) is "the highest ready level is above p", for every p, on random sets. */
static void test_ready_above(void)
{
    for (unsigned round = 0; round < 200; round++) {
        setup();
        unsigned n = 1 + rng() % 4;
        int highest = -1;
        for (unsigned i = 0; i < n; i++) {
            unsigned prio = (unsigned)(rng() % PRIORITY_LEVELS);
            if (round % 4 == 0)
                prio = (unsigned)(rng() % 4) * 64 + (rng() % 2 ? 63 : 0); /* word edges */
            sched_enqueue(thread(prio));
            if ((int)prio > highest)
                highest = (int)prio;
        }
        CU_ASSERT_EQUAL(sched_highest_ready(), highest);
        for (unsigned p = 0; p < PRIORITY_LEVELS; p++)
            if (sched_ready_above(p) != ((int)p < highest))
                CU_FAIL("sched_ready_above disagrees with sched_highest_ready");
    }
    setup();
    for (unsigned p = 0; p < PRIORITY_LEVELS; p++)
        CU_ASSERT_FALSE(sched_ready_above(p));
}

/* Equal priorities take turns when the running thread yields. */
static void test_round_robin(void)
{
    setup();
    struct tcb *a = thread(5), *b = thread(5), *c = thread(5);
    current_thread = a;
    sched_enqueue(b);
    sched_enqueue(c);
    CU_ASSERT_PTR_EQUAL(run_next(), a); /* not yielding: keeps running */
    struct tcb *order[] = { b, c, a, b, c, a };
    for (unsigned i = 0; i < ARRAY_SIZE(order); i++) {
        sched_yield();
        CU_ASSERT_PTR_EQUAL(run_next(), order[i]);
        CU_ASSERT_FALSE(current_thread->yielding);
    }
}

static void test_yield_alone(void)
{
    setup();
    struct tcb *a = thread(5), *low = thread(4);
    current_thread = a;
    sched_enqueue(low);
    sched_yield();
    CU_ASSERT_TRUE(a->yielding);
    CU_ASSERT_PTR_EQUAL(run_next(), a); /* a lower priority never gets the turn */
    CU_ASSERT_FALSE(a->yielding);
    CU_ASSERT_EQUAL(sched_highest_ready(), 4);
}

/* A higher ready thread preempts; the preempted one goes to the front of its level. */
static void test_preemption(void)
{
    setup();
    struct tcb *a = thread(5), *b = thread(5), *h = thread(9), *l = thread(2);
    current_thread = a;
    sched_enqueue(b);
    sched_enqueue(l);
    CU_ASSERT_PTR_EQUAL(run_next(), a);
    sched_enqueue(h);
    CU_ASSERT_PTR_EQUAL(run_next(), h);
    h->state = THREAD_BLOCKED_ON_RECV;
    CU_ASSERT_PTR_EQUAL(run_next(), a);
    CU_ASSERT_PTR_EQUAL(run_next(), a);
    a->state = THREAD_BLOCKED_ON_SEND;
    CU_ASSERT_PTR_EQUAL(run_next(), b);
    b->state = THREAD_INACTIVE;
    CU_ASSERT_PTR_EQUAL(run_next(), l);
    l->state = THREAD_BLOCKED_ON_NOTIFICATION;
    CU_ASSERT_PTR_NULL(run_next());
}

/* A higher woken candidate runs next, never queued; the current thread waits at the front. */
static void test_wake_higher_candidate(void)
{
    setup();
    struct tcb *a = thread(5), *b = thread(5), *s = blocked(7);
    current_thread = a;
    sched_enqueue(b);
    sched_wake(s, true);
    CU_ASSERT_EQUAL(s->state, THREAD_RUNNING);
    CU_ASSERT_FALSE(sched_ready_above(5)); /* a candidate is not in a queue */
    CU_ASSERT_PTR_EQUAL(run_next(), s);
    s->state = THREAD_BLOCKED_ON_RECV;
    CU_ASSERT_PTR_EQUAL(run_next(), a);
}

/* A candidate that does not outrank the current thread is queued behind its level. */
static void test_wake_candidate_not_higher(void)
{
    setup();
    struct tcb *a = thread(5), *b = thread(5), *s = blocked(5), *lo = blocked(1);
    current_thread = a;
    sched_enqueue(b);
    sched_wake(s, true);
    CU_ASSERT_PTR_EQUAL(run_next(), a);
    CU_ASSERT_EQUAL(sched_highest_ready(), 5);
    sched_yield();
    CU_ASSERT_PTR_EQUAL(run_next(), b);
    sched_yield();
    CU_ASSERT_PTR_EQUAL(run_next(), s);
    sched_wake(lo, true);
    CU_ASSERT_PTR_EQUAL(run_next(), s);
    CU_ASSERT_EQUAL(sched_highest_ready(), 5);
}

/* With the current thread blocked, the candidate runs unless a ready thread outranks it. */
static void test_candidate_against_ready_queues(void)
{
    setup();
    struct tcb *caller = thread(5), *r = thread(6), *s = blocked(5), *eq = thread(5);
    current_thread = caller;
    sched_enqueue(r);
    caller->state = THREAD_BLOCKED_ON_REPLY;
    sched_wake(s, true);
    CU_ASSERT_PTR_EQUAL(run_next(), r);
    r->state = THREAD_BLOCKED_ON_RECV;
    CU_ASSERT_PTR_EQUAL(run_next(), s); /* the losing candidate was queued */
    /* Against an equal ready thread the candidate goes first: a Call reaches its server at once. */
    sched_enqueue(eq);
    s->state = THREAD_BLOCKED_ON_RECV;
    struct tcb *server = blocked(5);
    sched_wake(server, true);
    CU_ASSERT_PTR_EQUAL(run_next(), server);
    server->state = THREAD_BLOCKED_ON_RECV;
    CU_ASSERT_PTR_EQUAL(run_next(), eq);
}

/* Only one candidate: a second woken thread queues; waking the current thread queues nothing. */
static void test_wake_queueing(void)
{
    setup();
    struct tcb *a = thread(5), *s1 = blocked(8), *s2 = blocked(9), *s3 = blocked(3);
    current_thread = a;
    sched_wake(a, true);
    CU_ASSERT_EQUAL(sched_highest_ready(), -1);
    sched_wake(s1, true);
    sched_wake(s2, true);
    CU_ASSERT_EQUAL(sched_highest_ready(), 9);
    sched_wake(s3, false);
    CU_ASSERT_EQUAL(s3->state, THREAD_RUNNING);
    CU_ASSERT_TRUE(sched_ready_above(2));
    CU_ASSERT_PTR_EQUAL(run_next(), s2); /* the queue outranks the candidate */
    s2->state = THREAD_INACTIVE;
    CU_ASSERT_PTR_EQUAL(run_next(), s1);
    s1->state = THREAD_INACTIVE;
    CU_ASSERT_PTR_EQUAL(run_next(), a);
    a->state = THREAD_INACTIVE;
    CU_ASSERT_PTR_EQUAL(run_next(), s3);
}

/* A candidate that blocks again before kernel_exit is forgotten. */
static void test_dequeue_forgets_candidate(void)
{
    setup();
    struct tcb *a = thread(5), *s = blocked(9);
    current_thread = a;
    sched_wake(s, true);
    sched_dequeue(s);
    s->state = THREAD_BLOCKED_ON_RECV;
    CU_ASSERT_PTR_EQUAL(run_next(), a);
    a->state = THREAD_INACTIVE;
    CU_ASSERT_PTR_NULL(run_next());
}

/* The time slice: TIME_SLICE_TICKS ticks, then the turn passes and the slice refills. */
static void test_time_slice(void)
{
    setup();
    struct tcb *a = thread(5), *b = thread(5);
    current_thread = a;
    sched_enqueue(b);
    for (unsigned i = 0; i < TIME_SLICE_TICKS - 1; i++) {
        sched_tick();
        CU_ASSERT_PTR_EQUAL(run_next(), a);
    }
    CU_ASSERT_EQUAL(a->time_slice, 1u);
    sched_tick();
    CU_ASSERT_EQUAL(a->time_slice, (unsigned)TIME_SLICE_TICKS);
    CU_ASSERT_PTR_EQUAL(run_next(), b);
    /* b's slice runs out too; a runs again. */
    for (unsigned i = 0; i < TIME_SLICE_TICKS; i++)
        sched_tick();
    CU_ASSERT_PTR_EQUAL(run_next(), a);
    /* A blocked thread's slice does not run down, nor does anything happen when idle. */
    a->state = THREAD_BLOCKED_ON_RECV;
    unsigned left = a->time_slice;
    sched_tick();
    CU_ASSERT_EQUAL(a->time_slice, left);
    current_thread = NULL;
    sched_tick();
    sched_yield();
}

SUITE("scheduler", TEST(test_enqueue_is_fifo), TEST(test_enqueue_front), TEST(test_dequeue),
      TEST(test_ready_bitmap), TEST(test_ready_above), TEST(test_round_robin),
      TEST(test_yield_alone), TEST(test_preemption), TEST(test_wake_higher_candidate),
      TEST(test_wake_candidate_not_higher), TEST(test_candidate_against_ready_queues),
      TEST(test_wake_queueing), TEST(test_dequeue_forgets_candidate), TEST(test_time_slice));
