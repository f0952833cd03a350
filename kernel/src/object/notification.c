/*
 * Notifications: a word of pending badges. Signal ORs a badge in (or wakes
 * a waiter with it); Wait takes the whole word. A TCB bound to a
 * notification also receives its signals while waiting on an endpoint.
 */
#include <abi/error.h>
#include <abi/syscall.h>
#include <cella/invocation.h>
#include <cella/irq_handler.h>
#include <cella/objects.h>
#include <cella/tcb.h>
#include <cella/timeouts.h>

/* Delivers a signal word as a syscall return: x0 the badges, x6 saying it is not a message. */
static void deliver(struct tcb *t, word_t word)
{
    t->ctx.x[0] = word;
    t->ctx.x[1] = 0;
    thread_set_error(t, ERR_NONE, RECV_FROM_NOTIFICATION);
}

void notification_signal(struct notification *n, word_t badge)
{
    word_t bits = badge ? badge : 1; /* an unbadged capability signals bit 0 */
    struct tcb *waiter = n->queue.head;
    if (waiter) {
        notification_remove(n, waiter);
        deliver(waiter, bits);
        sched_wake(waiter, true);
        return;
    }
    struct tcb *bound = n->bound;
    if (bound && bound->state == THREAD_BLOCKED_ON_RECV) {
        endpoint_remove(bound->blocked_on, bound);
        reply_release_server(bound);
        deliver(bound, bits);
        sched_wake(bound, true);
        return;
    }
    n->word |= bits;
}

void notification_wait(struct notification *n, struct tcb *t, bool blocking)
{
    if (n->word || !blocking) {
        deliver(t, n->word);
        n->word = 0;
        return;
    }
    sched_dequeue(t);
    t->state = THREAD_BLOCKED_ON_NOTIFICATION;
    t->blocked_on = n;
    thread_queue_append(&n->queue, t);
}

bool notification_deliver_bound(struct tcb *t)
{
    struct notification *n = t->bound_notification;
    if (!n || !n->word)
        return false;
    deliver(t, n->word);
    n->word = 0;
    return true;
}

void notification_bind(struct notification *n, struct tcb *t)
{
    n->bound = t;
    t->bound_notification = n;
}

void notification_unbind_tcb(struct tcb *t)
{
    if (t->bound_notification) {
        t->bound_notification->bound = NULL;
        t->bound_notification = NULL;
    }
}

void notification_remove(struct notification *n, struct tcb *t)
{
    thread_queue_remove(&n->queue, t);
    t->blocked_on = NULL;
}

void notification_destroy(struct notification *n)
{
    struct tcb *t;
    while ((t = n->queue.head)) {
        notification_remove(n, t);
        thread_set_error(t, ERR_CANCELLED, 0);
        sched_wake(t, false);
    }
    if (n->bound)
        notification_unbind_tcb(n->bound);
    irq_forget_notification(n);
    notification_set_timer(n, 0, 0);
}

/*
 * Timers: a notification may carry one deadline. The armed ones form a list,
 * earliest first, so expiry looks at the head only; the kernel's wake-up
 * timer is set for the earliest of them and of the parked guest timers
 * (timeouts.c).
 */
static struct notification *armed_timers;

static void unlink_timer(struct notification *n)
{
    struct notification **p = &armed_timers;
    while (*p && *p != n)
        p = &(*p)->timer_next;
    if (*p)
        *p = n->timer_next;
    n->timer_next = NULL;
    n->deadline = 0;
}

void notification_set_timer(struct notification *n, word_t deadline, word_t badge)
{
    bool was_armed = n->deadline != 0;
    if (was_armed)
        unlink_timer(n);
    if (deadline) {
        struct notification **p = &armed_timers;
        while (*p && (*p)->deadline <= deadline)
            p = &(*p)->timer_next;
        n->deadline = deadline;
        n->timer_badge = badge;
        n->timer_next = *p;
        *p = n;
    }
    if (was_armed || deadline)
        timeouts_update();
}

word_t notification_earliest_timer(void)
{
    return armed_timers ? armed_timers->deadline : ~(word_t)0;
}

void notification_expire_timers(word_t now)
{
    while (armed_timers && armed_timers->deadline <= now) {
        struct notification *n = armed_timers;
        armed_timers = n->timer_next;
        n->timer_next = NULL;
        n->deadline = 0;
        notification_signal(n, n->timer_badge);
    }
}

unsigned decode_notification(struct invocation *inv)
{
    if (inv->label != NOTIFICATION_SET_TIMER)
        return inv_error(inv, ERR_ILLEGAL_OPERATION, inv->label);
    unsigned err = inv_need(inv, 1, 0);
    if (err)
        return err;
    if (!cap_has_rights(inv->cap, RIGHT_WRITE))
        return inv_error(inv, ERR_INVALID_CAPABILITY, 0);
    notification_set_timer(cap_ptr(inv->cap), inv_arg(inv, 0), cap_badge(inv->cap));
    return ERR_NONE;
}
