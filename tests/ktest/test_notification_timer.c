/* Notification timers: a deadline on a notification, signalled by the kernel's wake-up timer. */
#include "ktest.h"

#define ROOT INIT_CAP_CNODE

static uint64_t ticks_now(void)
{
    uint64_t t;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t));
    return t;
}

static uint64_t ticks_per_ms(void)
{
    uint64_t f;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
    return f / 1000;
}

/* Spins until the counter passes t: a wait that no timer of the kernel's can end early. */
static void spin_until(uint64_t t)
{
    while (ticks_now() < t)
        ;
}

KTEST(notification_timer_signals_at_its_deadline)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0);
    CHECK(n);
    uint64_t deadline = ticks_now() + 2 * ticks_per_ms();
    CHECK_OK(notification_set_timer(n, deadline));
    CHECK_EQ(sys_poll(n).badge, 0); /* not yet */
    struct sys_result r = sys_wait(n);
    uint64_t woke = ticks_now();
    CHECK_OK(r.error);
    CHECK_EQ(r.badge, 1);    /* an unbadged capability's signal */
    CHECK(woke >= deadline); /* how late depends on the host; a timer that never fires hangs */
}

KTEST(notification_timer_signals_the_arming_capabilitys_badge)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t b = env_mint(env, n, RIGHTS_ALL, 0x20);
    CHECK(n && b);
    CHECK_OK(notification_set_timer(b, ticks_now() + ticks_per_ms()));
    CHECK_OK(sys_signal(n)); /* an ordinary signal beside it: the bits accumulate */
    uint64_t seen = 0;
    while (seen != 0x21) {
        struct sys_result r = sys_wait(n);
        CHECK_OK(r.error);
        seen |= r.badge;
    }
}

KTEST(notification_timer_disarmed_never_fires)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0);
    CHECK(n);
    uint64_t deadline = ticks_now() + ticks_per_ms();
    CHECK_OK(notification_set_timer(n, deadline));
    CHECK_OK(notification_set_timer(n, 0));
    spin_until(deadline + 2 * ticks_per_ms());
    sys_yield(); /* the wake-up timer, had it been left armed, has fired by now */
    CHECK_EQ(sys_poll(n).badge, 0);
}

KTEST(notification_timer_rearmed_replaces_its_deadline)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0);
    CHECK(n);
    uint64_t early = ticks_now() + ticks_per_ms(), late = early + 5 * ticks_per_ms();
    CHECK_OK(notification_set_timer(n, early));
    CHECK_OK(notification_set_timer(n, late));
    spin_until(early + ticks_per_ms());
    uint64_t polled = sys_poll(n).badge;
    if (ticks_now() < late)  /* on a loaded host the spin may overrun the late deadline too */
        CHECK_EQ(polled, 0); /* the first deadline is gone */
    if (!polled)
        CHECK_EQ(sys_wait(n).badge, 1);
    CHECK(ticks_now() >= late);
}

KTEST(notification_timers_fire_in_deadline_order)
{
    cptr_t a = env_object(env, OBJ_NOTIFICATION, 0), b = env_object(env, OBJ_NOTIFICATION, 0);
    CHECK(a && b);
    uint64_t now = ticks_now(), a_due = now + 100 * ticks_per_ms();
    CHECK_OK(notification_set_timer(a, a_due)); /* armed first, due last */
    CHECK_OK(notification_set_timer(b, now + 2 * ticks_per_ms()));
    CHECK_EQ(sys_wait(b).badge, 1);
    uint64_t woke = ticks_now();
    uint64_t early = sys_poll(a).badge;
    if (woke < a_due) /* a loaded host may wake us late; only then is a rightly pending */
        CHECK_EQ(early, 0);
    if (!early)
        CHECK_EQ(sys_wait(a).badge, 1);
    CHECK(ticks_now() >= a_due);
}

KTEST(notification_timer_in_the_past_fires_at_once)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0);
    CHECK(n);
    CHECK_OK(notification_set_timer(n, 1));
    CHECK_EQ(sys_wait(n).badge, 1);
}

KTEST(notification_timer_deleted_while_armed_is_forgotten)
{
    cptr_t gone = env_object(env, OBJ_NOTIFICATION, 0), kept = env_object(env, OBJ_NOTIFICATION, 0);
    CHECK(gone && kept);
    uint64_t now = ticks_now();
    CHECK_OK(notification_set_timer(gone, now + ticks_per_ms()));
    CHECK_OK(notification_set_timer(kept, now + 3 * ticks_per_ms()));
    CHECK_OK(cnode_delete(ROOT, gone, 64));
    /* The deleted one is off the kernel's list: the other still fires, at its own time. */
    CHECK_EQ(sys_wait(kept).badge, 1);
    CHECK(ticks_now() >= now + 3 * ticks_per_ms());
}

KTEST(notification_timer_needs_the_write_right)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t r = env_mint(env, n, RIGHT_READ, 0);
    CHECK(n && r);
    CHECK_EQ(notification_set_timer(r, ticks_now() + ticks_per_ms()), ERR_INVALID_CAPABILITY);
    uint64_t no_args[4] = { 0 };
    CHECK_EQ(sys_call(n, msginfo_new(NOTIFICATION_SET_TIMER, 0, 0, 0), no_args).error,
             ERR_TRUNCATED_MESSAGE);
}
