/*
 * Notifications: a word of pending badges. Signal ORs a badge in (or wakes
 * a waiter with it); Wait takes the whole word. A TCB bound to a
 * notification also receives its signals while waiting on an endpoint.
 */
#include <abi/error.h>
#include <abi/syscall.h>
#include <cella/irq_handler.h>
#include <cella/objects.h>
#include <cella/tcb.h>

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
}
