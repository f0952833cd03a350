/*
 * Scheduling: priorities decide who runs when a thread wakes, Yield passes
 * to equal priorities only, and equal-priority threads that never block
 * share the CPU in time slices (a 2 ms tick, five ticks a slice).
 */
#include "ktest.h"

static volatile uint64_t g_seen[8];
static volatile unsigned g_order;
static cptr_t g_ntfn;

static void wait_then_note(uint64_t slot)
{
    sys_wait(g_ntfn);
    g_seen[slot] = ++g_order;
}

KTEST(sched_higher_priority_thread_woken_by_signal_runs_first)
{
    struct helper h;
    g_ntfn = env_object(env, OBJ_NOTIFICATION, 0);
    g_order = 0;
    g_seen[0] = 0;
    CHECK(g_ntfn && env_thread(env, &h, wait_then_note, 0, MAIN_PRIORITY + 1));
    CHECK_OK(sys_signal(g_ntfn));
    unsigned mine = ++g_order;
    CHECK_EQ(g_seen[0], 1);
    CHECK_EQ(mine, 2);
}

KTEST(sched_lower_priority_thread_woken_by_signal_waits)
{
    struct helper h;
    g_ntfn = env_object(env, OBJ_NOTIFICATION, 0);
    g_order = 0;
    g_seen[0] = 0;
    CHECK(g_ntfn && env_thread(env, &h, wait_then_note, 0, MAIN_PRIORITY - 1));
    env_run_lower(); /* let it reach its Wait */
    CHECK_OK(sys_signal(g_ntfn));
    unsigned mine = ++g_order;
    CHECK_EQ(mine, 1);
    CHECK_EQ(g_seen[0], 0);
    env_run_lower();
    CHECK_EQ(g_seen[0], 2);
}

KTEST(sched_equal_priority_woken_thread_runs_after_yield)
{
    struct helper h;
    g_ntfn = env_object(env, OBJ_NOTIFICATION, 0);
    g_order = 0;
    g_seen[0] = 0;
    CHECK(g_ntfn && env_thread(env, &h, wait_then_note, 0, MAIN_PRIORITY));
    sys_yield(); /* it reaches its Wait */
    CHECK_OK(sys_signal(g_ntfn));
    CHECK_EQ(g_seen[0], 0); /* no preemption by an equal */
    sys_yield();
    CHECK_EQ(g_seen[0], 1);
}

KTEST(sched_new_priority_of_a_blocked_thread_counts_when_it_wakes)
{
    struct helper h;
    g_ntfn = env_object(env, OBJ_NOTIFICATION, 0);
    g_order = 0;
    g_seen[0] = 0;
    CHECK(g_ntfn && env_thread(env, &h, wait_then_note, 0, MAIN_PRIORITY - 1));
    env_run_lower(); /* it waits */
    CHECK_OK(tcb_set_priority(h.tcb, INIT_CAP_TCB, MAIN_PRIORITY + 1));
    CHECK_EQ(g_seen[0], 0);
    CHECK_OK(sys_signal(g_ntfn));
    CHECK_EQ(g_seen[0], 1); /* now above us: it ran at once */
}

static void note_order(uint64_t slot)
{
    g_seen[slot] = ++g_order;
}

KTEST(sched_ready_threads_run_in_priority_order)
{
    struct helper a, b, c;
    g_order = 0;
    CHECK_OK(tcb_set_priority(INIT_CAP_TCB, INIT_CAP_TCB, MAIN_PRIORITY + 10));
    CHECK(env_thread(env, &a, note_order, 0, MAIN_PRIORITY + 1));
    CHECK(env_thread(env, &b, note_order, 1, MAIN_PRIORITY + 3));
    CHECK(env_thread(env, &c, note_order, 2, MAIN_PRIORITY + 2));
    CHECK_EQ(g_order, 0);
    env_run_lower();
    CHECK_EQ(g_seen[1], 1);
    CHECK_EQ(g_seen[2], 2);
    CHECK_EQ(g_seen[0], 3);
}

KTEST(sched_raising_a_ready_thread_above_us_runs_it_at_once)
{
    struct helper h;
    g_order = 0;
    g_seen[0] = 0;
    CHECK(env_thread(env, &h, note_order, 0, MAIN_PRIORITY - 1));
    CHECK_EQ(g_seen[0], 0);
    CHECK_OK(tcb_set_priority(h.tcb, INIT_CAP_TCB, MAIN_PRIORITY + 1));
    CHECK_EQ(g_seen[0], 1);
}

KTEST(sched_lowering_ourselves_below_a_ready_thread_runs_it)
{
    struct helper h;
    g_order = 0;
    g_seen[0] = 0;
    CHECK(env_thread(env, &h, note_order, 0, MAIN_PRIORITY - 1));
    CHECK_OK(tcb_set_priority(INIT_CAP_TCB, INIT_CAP_TCB, MAIN_PRIORITY - 2));
    CHECK_EQ(g_seen[0], 1);
    CHECK_OK(tcb_set_priority(INIT_CAP_TCB, INIT_CAP_TCB, MAIN_PRIORITY));
}

KTEST(sched_yield_does_not_run_lower_priorities)
{
    struct helper h;
    g_order = 0;
    g_seen[0] = 0;
    CHECK(env_thread(env, &h, note_order, 0, MAIN_PRIORITY - 1));
    for (int i = 0; i < 10; i++)
        sys_yield();
    CHECK_EQ(g_seen[0], 0);
    env_run_lower();
    CHECK_EQ(g_seen[0], 1);
}

static volatile char g_log[32];
static volatile unsigned g_log_len;

static void yield_three_times(uint64_t name)
{
    for (int i = 0; i < 3; i++) {
        g_log[g_log_len++] = (char)name;
        sys_yield();
    }
}

KTEST(sched_yield_alternates_equal_priority_threads)
{
    struct helper a, b;
    g_log_len = 0;
    CHECK_OK(tcb_set_priority(INIT_CAP_TCB, INIT_CAP_TCB, MAIN_PRIORITY + 2));
    CHECK(env_thread(env, &a, yield_three_times, 'a', MAIN_PRIORITY + 1));
    CHECK(env_thread(env, &b, yield_three_times, 'b', MAIN_PRIORITY + 1));
    env_run_lower();
    CHECK_EQ(g_log_len, 6);
    g_log[6] = 0;
    CHECK(strcmp((const char *)g_log, "ababab") == 0);
}

/*
 * Two spinners at one priority count the turns they get: a turn starts
 * when one finds that the other ran since it last looked. Both stop after
 * 200 ms. Counting switches, not gaps in the clock, keeps QEMU's pauses on
 * a busy host from looking like preemptions.
 */
#define SPIN_US 200000
static volatile unsigned g_owner, g_turns[2];

static void spin_taking_turns(uint64_t id)
{
    uint64_t start = env_usec();
    while (env_usec() - start < SPIN_US)
        if (g_owner != id) {
            g_owner = (unsigned)id;
            g_turns[id]++;
        }
}

KTEST(sched_equal_priority_spinners_share_cpu_in_time_slices)
{
    struct helper a, b;
    g_owner = 2;
    g_turns[0] = g_turns[1] = 0;
    CHECK_OK(tcb_set_priority(INIT_CAP_TCB, INIT_CAP_TCB, MAIN_PRIORITY + 2));
    CHECK(env_thread(env, &a, spin_taking_turns, 0, MAIN_PRIORITY + 1));
    CHECK(env_thread(env, &b, spin_taking_turns, 1, MAIN_PRIORITY + 1));
    env_run_lower(); /* they never block: only time slices give each a turn */
    /* a slice is five 2 ms ticks, so about 20 turns in 200 ms; a tick or twenty ticks a slice would
     * not do */
    unsigned turns = g_turns[0] + g_turns[1];
    CHECK(g_turns[0] >= 2 && g_turns[1] >= 2);
    CHECK(g_turns[0] <= g_turns[1] + 1 && g_turns[1] <= g_turns[0] + 1); /* they alternate */
    if (turns < SPIN_US / 30000 || turns > SPIN_US / 5000)
        printf("    %u turns in %u ms\n", turns, SPIN_US / 1000);
    CHECK(turns >= SPIN_US / 30000 && turns <= SPIN_US / 5000);
}

static volatile uint64_t g_spins[2];
static void spin_counting(uint64_t id)
{
    for (;;)
        g_spins[id]++;
}

KTEST(sched_spinner_at_our_priority_does_not_starve_us)
{
    struct helper a, low;
    g_spins[0] = g_spins[1] = 0;
    CHECK(env_thread(env, &a, spin_counting, 0, MAIN_PRIORITY));
    CHECK(env_thread(env, &low, spin_counting, 1, MAIN_PRIORITY - 1));
    uint64_t start = env_usec(), mine = 0;
    while (env_usec() - start < 50000)
        mine++;
    CHECK(mine > 0);
    CHECK(g_spins[0] > 0);   /* it had turns while we spun */
    CHECK_EQ(g_spins[1], 0); /* the lower one never runs */
    CHECK_OK(tcb_suspend(a.tcb));
    CHECK_OK(tcb_suspend(low.tcb));
}
