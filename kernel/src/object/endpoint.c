/*
 * Endpoints: synchronous message passing. A sender meets a waiting receiver
 * (or waits for one), the message moves, and a Call leaves the caller
 * waiting on the receiver's reply object.
 */
#include <abi/error.h>
#include <cella/objects.h>
#include <cella/tcb.h>

static struct tcb *first_waiting(struct endpoint *ep, enum thread_state state)
{
    struct tcb *head = ep->queue.head;
    return head && head->state == state ? head : NULL;
}

/* After a message moved from sender: a caller waits for the reply, anyone else carries on. */
static void complete_send(struct tcb *sender, struct ipc_send send, struct reply *reply)
{
    if (!(send.flags & IPC_IS_CALL)) {
        thread_set_error(sender, ERR_NONE, 0);
        if (sender->state != THREAD_RUNNING)
            sched_wake(sender, false);
        return;
    }
    if (reply) {
        reply_link(reply, sender, (send.flags & IPC_CAN_GRANT_REPLY) != 0);
        return;
    }
    /* No reply object to wait on: the caller stays blocked until someone suspends it. */
    sched_dequeue(sender);
    sender->state = THREAD_BLOCKED_ON_REPLY;
}

static void block(struct endpoint *ep, struct tcb *t, enum thread_state state)
{
    sched_dequeue(t);
    t->state = (uint8_t)state;
    t->blocked_on = ep;
    thread_queue_append(&ep->queue, t);
}

void endpoint_send(struct endpoint *ep, struct tcb *sender, struct ipc_send send, bool blocking)
{
    struct tcb *receiver = first_waiting(ep, THREAD_BLOCKED_ON_RECV);
    if (receiver) {
        thread_queue_remove(&ep->queue, receiver);
        struct reply *reply = receiver->reply;
        reply_release_server(receiver);
        ipc_transfer(sender, receiver, send, ep);
        complete_send(sender, send, reply);
        sched_wake(receiver, true);
        return;
    }
    if (!blocking)
        return; /* NBSend with nobody waiting: the message is dropped */
    sender->ipc_badge = send.badge;
    sender->ipc_flags = send.flags;
    block(ep, sender, THREAD_BLOCKED_ON_SEND);
}

void endpoint_receive(struct endpoint *ep, struct tcb *receiver, struct reply *reply, bool blocking)
{
    if (reply)
        reply_take(reply, receiver);
    if (notification_deliver_bound(receiver))
        return;
    struct tcb *sender = first_waiting(ep, THREAD_BLOCKED_ON_SEND);
    if (sender) {
        thread_queue_remove(&ep->queue, sender);
        struct ipc_send send = { sender->ipc_badge, sender->ipc_flags };
        ipc_transfer(sender, receiver, send, ep);
        complete_send(sender, send, reply);
        return;
    }
    if (!blocking) {
        receiver->ctx.x[0] = 0; /* nothing waiting: badge 0, empty message */
        receiver->ctx.x[1] = 0;
        return;
    }
    if (reply) {
        reply->server = receiver;
        receiver->reply = reply;
    }
    block(ep, receiver, THREAD_BLOCKED_ON_RECV);
}

void endpoint_remove(struct endpoint *ep, struct tcb *t)
{
    thread_queue_remove(&ep->queue, t);
    t->blocked_on = NULL;
}

/* The endpoint is going away: everyone waiting on it is cancelled (thread_set_cancelled). */
void endpoint_cancel_all(struct endpoint *ep)
{
    struct tcb *t;
    while ((t = ep->queue.head)) {
        endpoint_remove(ep, t);
        reply_release_server(t);
        thread_set_cancelled(t);
        sched_wake(t, false);
    }
}
