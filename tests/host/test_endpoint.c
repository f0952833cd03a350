/*
 * Endpoints, notifications and replies (src/object/{endpoint,notification,
 * reply}.c) on the real scheduler, thread code and message transfer: who
 * blocks, who wakes, what arrives, and who runs next.
 */
#include <abi/error.h>
#include <abi/fault.h>
#include <abi/msginfo.h>
#include <arch/thread_switch.h>
#include <cella/faults.h>
#include <cella/timeouts.h>

#include "harness.h"
#include "ipc_world.h"
#include "kmem.h"

static struct endpoint *ep;

static void setup(void)
{
    world_reset();
    ep = kmem_alloc(ENDPOINT_SIZE_BITS);
}

/* A thread that is running now (the caller of the system call being simulated). */
static struct tcb *running(unsigned prio)
{
    struct tcb *t = world_thread(prio, true);
    t->state = THREAD_RUNNING;
    current_thread = t;
    return t;
}

static void say(struct tcb *t, word_t label, word_t mr0)
{
    t->ctx.x[1] = msginfo_new(label, 0, 0, 1);
    t->ctx.x[2] = mr0;
}

/* Simulates the return to user level: the chosen thread becomes current. */
static struct tcb *run_next(void)
{
    current_thread = sched_choose_next();
    return current_thread;
}

static void test_send_to_waiting_receiver(void)
{
    setup();
    struct tcb *server = running(7);
    endpoint_receive(ep, server, NULL, true);
    CU_ASSERT_EQUAL(server->state, THREAD_BLOCKED_ON_RECV);
    CU_ASSERT_PTR_EQUAL(server->blocked_on, ep);
    CU_ASSERT_PTR_EQUAL(ep->queue.head, server);
    struct tcb *client = running(5);
    say(client, 9, 0xc0ffee);
    client->ctx.x[7] = 0xff;
    endpoint_send(ep, client, (struct ipc_send){ 0x11, 0 }, true);
    CU_ASSERT_PTR_NULL(ep->queue.head);
    CU_ASSERT_EQUAL(server->state, THREAD_RUNNING);
    CU_ASSERT_EQUAL(server->ctx.x[0], 0x11u);
    CU_ASSERT_EQUAL(server->ctx.x[1], msginfo_new(9, 0, 0, 1));
    CU_ASSERT_EQUAL(server->ctx.x[2], 0xc0ffeeu);
    CU_ASSERT_EQUAL(client->state, THREAD_RUNNING);
    CU_ASSERT_EQUAL(client->ctx.x[7], ERR_NONE);
    CU_ASSERT_PTR_EQUAL(run_next(), server); /* the higher receiver runs at once */
    server->state = THREAD_BLOCKED_ON_RECV;
    CU_ASSERT_PTR_EQUAL(run_next(), client);
}

static void test_send_blocks_until_received(void)
{
    setup();
    struct tcb *client = running(5);
    say(client, 1, 0xabc);
    endpoint_send(ep, client, (struct ipc_send){ 0x22, 0 }, true);
    CU_ASSERT_EQUAL(client->state, THREAD_BLOCKED_ON_SEND);
    CU_ASSERT_EQUAL(client->ipc_badge, 0x22u);
    CU_ASSERT_PTR_EQUAL(ep->queue.head, client);
    CU_ASSERT_PTR_NULL(run_next());
    struct tcb *server = running(7);
    endpoint_receive(ep, server, NULL, true);
    CU_ASSERT_EQUAL(server->state, THREAD_RUNNING);
    CU_ASSERT_EQUAL(server->ctx.x[0], 0x22u);
    CU_ASSERT_EQUAL(server->ctx.x[2], 0xabcu);
    CU_ASSERT_EQUAL(client->state, THREAD_RUNNING);
    CU_ASSERT_PTR_NULL(ep->queue.head);
    CU_ASSERT_PTR_EQUAL(run_next(), server);
    server->state = THREAD_BLOCKED_ON_RECV;
    CU_ASSERT_PTR_EQUAL(run_next(), client); /* it was queued when it woke */
}

static void test_non_blocking(void)
{
    setup();
    struct tcb *t = running(5);
    endpoint_send(ep, t, (struct ipc_send){ 1, 0 }, false);
    CU_ASSERT_EQUAL(t->state, THREAD_RUNNING);
    CU_ASSERT_PTR_NULL(ep->queue.head);
    t->ctx.x[0] = t->ctx.x[1] = 7;
    endpoint_receive(ep, t, NULL, false);
    CU_ASSERT_EQUAL(t->state, THREAD_RUNNING);
    CU_ASSERT_EQUAL(t->ctx.x[0], 0u);
    CU_ASSERT_EQUAL(t->ctx.x[1], 0u);
    CU_ASSERT_PTR_NULL(ep->queue.head);
}

/* Senders are served in the order they arrived. */
static void test_senders_in_order(void)
{
    setup();
    struct tcb *senders[3];
    for (unsigned i = 0; i < 3; i++) {
        senders[i] = running(4);
        say(senders[i], 0, 100 + i);
        endpoint_send(ep, senders[i], (struct ipc_send){ i + 1, 0 }, true);
    }
    struct tcb *server = running(9);
    for (unsigned i = 0; i < 3; i++) {
        endpoint_receive(ep, server, NULL, true);
        CU_ASSERT_EQUAL(server->ctx.x[0], i + 1);
        CU_ASSERT_EQUAL(server->ctx.x[2], 100 + i);
        CU_ASSERT_EQUAL(senders[i]->state, THREAD_RUNNING);
    }
    endpoint_receive(ep, server, NULL, true);
    CU_ASSERT_EQUAL(server->state, THREAD_BLOCKED_ON_RECV);
    for (unsigned i = 0; i < 3; i++) {
        CU_ASSERT_PTR_EQUAL(run_next(), senders[i]);
        senders[i]->state = THREAD_INACTIVE;
    }
}

/* A Call leaves the caller waiting on the server's reply object; the reply wakes it. */
static void test_call_and_reply(void)
{
    setup();
    struct reply *r = kmem_alloc(REPLY_SIZE_BITS);
    struct tcb *server = running(7);
    endpoint_receive(ep, server, r, true);
    CU_ASSERT_PTR_EQUAL(r->server, server);
    CU_ASSERT_PTR_EQUAL(server->reply, r);
    struct tcb *client = running(5);
    say(client, 3, 0x1234);
    endpoint_send(ep, client, (struct ipc_send){ 0x33, IPC_IS_CALL | IPC_CAN_GRANT_REPLY }, true);
    CU_ASSERT_EQUAL(client->state, THREAD_BLOCKED_ON_REPLY);
    CU_ASSERT_PTR_EQUAL(r->caller, client);
    CU_ASSERT_PTR_EQUAL(client->reply, r);
    CU_ASSERT_EQUAL(r->can_grant, 1u);
    CU_ASSERT_PTR_NULL(server->reply); /* released: the reply object is now the caller's */
    CU_ASSERT_PTR_NULL(r->server);
    CU_ASSERT_EQUAL(server->ctx.x[2], 0x1234u);
    CU_ASSERT_PTR_EQUAL(run_next(), server);

    say(server, 0, 0x5678);
    reply_send(r, server);
    CU_ASSERT_PTR_NULL(r->caller);
    CU_ASSERT_PTR_NULL(client->reply);
    CU_ASSERT_EQUAL(client->state, THREAD_RUNNING);
    CU_ASSERT_EQUAL(client->ctx.x[0], 0u);
    CU_ASSERT_EQUAL(client->ctx.x[2], 0x5678u);
    CU_ASSERT_EQUAL(client->ctx.x[7], ERR_NONE);
    CU_ASSERT_PTR_EQUAL(run_next(), server); /* the caller is lower: it waits its turn */
    server->state = THREAD_BLOCKED_ON_RECV;
    CU_ASSERT_PTR_EQUAL(run_next(), client);
    /* A second reply finds no caller and does nothing. */
    reply_send(r, server);
}

static void test_call_without_reply_object(void)
{
    setup();
    struct tcb *server = running(7);
    endpoint_receive(ep, server, NULL, true);
    struct tcb *client = running(5);
    endpoint_send(ep, client, (struct ipc_send){ 0, IPC_IS_CALL }, true);
    CU_ASSERT_EQUAL(client->state, THREAD_BLOCKED_ON_REPLY);
    CU_ASSERT_PTR_EQUAL(run_next(), server);
    server->state = THREAD_BLOCKED_ON_RECV;
    CU_ASSERT_PTR_NULL(run_next());
}

/* A server taking its reply object back into Recv abandons its caller: ERR_CANCELLED. */
static void test_reply_object_reused(void)
{
    setup();
    struct reply *r = kmem_alloc(REPLY_SIZE_BITS);
    struct tcb *server = running(7);
    endpoint_receive(ep, server, r, true);
    struct tcb *client = running(5);
    endpoint_send(ep, client, (struct ipc_send){ 0, IPC_IS_CALL }, true);
    current_thread = server;
    endpoint_receive(ep, server, r, true);
    CU_ASSERT_EQUAL(client->state, THREAD_RUNNING);
    CU_ASSERT_EQUAL(client->ctx.x[7], ERR_CANCELLED);
    CU_ASSERT_PTR_NULL(client->reply);
    CU_ASSERT_PTR_EQUAL(r->server, server);
    CU_ASSERT_PTR_NULL(r->caller);
}

static void test_cancel_all(void)
{
    setup();
    struct tcb *a = running(3), *b;
    endpoint_receive(ep, a, NULL, true);
    b = running(4);
    endpoint_receive(ep, b, NULL, true);
    current_thread = NULL;
    endpoint_cancel_all(ep);
    CU_ASSERT_PTR_NULL(ep->queue.head);
    CU_ASSERT_PTR_NULL(ep->queue.tail);
    CU_ASSERT_EQUAL(a->ctx.x[7], ERR_CANCELLED);
    CU_ASSERT_EQUAL(b->ctx.x[7], ERR_CANCELLED);
    CU_ASSERT_PTR_NULL(a->blocked_on);
    CU_ASSERT_PTR_EQUAL(run_next(), b);
    b->state = THREAD_INACTIVE;
    CU_ASSERT_PTR_EQUAL(run_next(), a);
}

/* A blocked thread suspended leaves the endpoint's queue. */
static void test_suspend_blocked_sender(void)
{
    setup();
    struct tcb *a = running(3), *b = running(3);
    current_thread = a;
    endpoint_send(ep, a, (struct ipc_send){ 1, 0 }, true);
    current_thread = b;
    endpoint_send(ep, b, (struct ipc_send){ 2, 0 }, true);
    thread_suspend(a);
    CU_ASSERT_EQUAL(a->state, THREAD_INACTIVE);
    CU_ASSERT_EQUAL(a->ctx.x[7], ERR_CANCELLED);
    CU_ASSERT_PTR_EQUAL(ep->queue.head, b);
    CU_ASSERT_PTR_EQUAL(ep->queue.tail, b);
    struct tcb *server = running(5);
    endpoint_receive(ep, server, NULL, true);
    CU_ASSERT_EQUAL(server->ctx.x[0], 2u);
}

/* Through the real endpoint path: a badged cap to this endpoint arrives as its badge. */
static void test_grant_through_endpoint(void)
{
    setup();
    struct tcb *server = running(7);
    endpoint_receive(ep, server, NULL, true);
    struct tcb *client = running(5);
    cap_t badged = cap_make(CAP_ENDPOINT, RIGHTS_ALL, 0, (word_t)(uintptr_t)ep, 0x42);
    struct cte *mine = world_put(client, 4, badged);
    client->ipc_buffer->caps_or_badges[0] = 4;
    client->ctx.x[1] = msginfo_new(0, 0, 1, 0);
    endpoint_send(ep, client, (struct ipc_send){ 0, IPC_CAN_GRANT }, true);
    CU_ASSERT_EQUAL(server->ctx.x[1], msginfo_new(0, 1, 1, 0));
    CU_ASSERT_EQUAL(server->ipc_buffer->caps_or_badges[0], 0x42u);
    CU_ASSERT_PTR_NULL(mine->mdb.next);
}

static void test_notification_signal_and_wait(void)
{
    setup();
    struct notification *n = kmem_alloc(NOTIFICATION_SIZE_BITS);
    notification_signal(n, 0x4);
    notification_signal(n, 0x10);
    notification_signal(n, 0); /* unbadged: bit 0 */
    CU_ASSERT_EQUAL(n->word, 0x15u);
    struct tcb *t = running(5);
    notification_wait(n, t, true);
    CU_ASSERT_EQUAL(t->state, THREAD_RUNNING);
    CU_ASSERT_EQUAL(t->ctx.x[0], 0x15u);
    CU_ASSERT_EQUAL(t->ctx.x[1], 0u);
    CU_ASSERT_EQUAL(n->word, 0u);
    notification_wait(n, t, false); /* polling finds nothing */
    CU_ASSERT_EQUAL(t->ctx.x[0], 0u);
    CU_ASSERT_EQUAL(t->state, THREAD_RUNNING);

    notification_wait(n, t, true);
    CU_ASSERT_EQUAL(t->state, THREAD_BLOCKED_ON_NOTIFICATION);
    CU_ASSERT_PTR_EQUAL(n->queue.head, t);
    struct tcb *signaller = running(3);
    notification_signal(n, 0x80);
    CU_ASSERT_EQUAL(t->state, THREAD_RUNNING);
    CU_ASSERT_EQUAL(t->ctx.x[0], 0x80u);
    CU_ASSERT_EQUAL(n->word, 0u);
    CU_ASSERT_PTR_NULL(n->queue.head);
    CU_ASSERT_PTR_EQUAL(run_next(), t);
    t->state = THREAD_INACTIVE;
    CU_ASSERT_PTR_EQUAL(run_next(), signaller);
}

/* A thread bound to a notification gets its signals while in Recv, or on entering it. */
static void test_bound_notification(void)
{
    setup();
    struct notification *n = kmem_alloc(NOTIFICATION_SIZE_BITS);
    struct reply *r = kmem_alloc(REPLY_SIZE_BITS);
    struct tcb *server = running(6);
    notification_bind(n, server);
    endpoint_receive(ep, server, r, true);
    CU_ASSERT_EQUAL(server->state, THREAD_BLOCKED_ON_RECV);
    running(2);
    notification_signal(n, 0x8);
    CU_ASSERT_EQUAL(server->state, THREAD_RUNNING);
    CU_ASSERT_EQUAL(server->ctx.x[0], 0x8u);
    CU_ASSERT_PTR_NULL(ep->queue.head);
    CU_ASSERT_PTR_NULL(server->reply);
    CU_ASSERT_PTR_NULL(r->server);
    CU_ASSERT_PTR_EQUAL(run_next(), server);

    notification_signal(n, 0x1); /* running: the signal waits in the word */
    CU_ASSERT_EQUAL(n->word, 0x1u);
    endpoint_receive(ep, server, NULL, true);
    CU_ASSERT_EQUAL(server->state, THREAD_RUNNING);
    CU_ASSERT_EQUAL(server->ctx.x[0], 0x1u);
    CU_ASSERT_EQUAL(n->word, 0u);

    notification_unbind_tcb(server);
    CU_ASSERT_PTR_NULL(n->bound);
    CU_ASSERT_PTR_NULL(server->bound_notification);
}

static void test_notification_destroy(void)
{
    setup();
    struct notification *n = kmem_alloc(NOTIFICATION_SIZE_BITS);
    struct tcb *a = running(5), *b = running(5), *bound = world_thread(5, true);
    notification_wait(n, a, true);
    notification_wait(n, b, true);
    notification_bind(n, bound);
    current_thread = NULL;
    notification_destroy(n);
    CU_ASSERT_EQUAL(a->ctx.x[7], ERR_CANCELLED);
    CU_ASSERT_EQUAL(b->ctx.x[7], ERR_CANCELLED);
    CU_ASSERT_PTR_NULL(n->queue.head);
    CU_ASSERT_PTR_NULL(bound->bound_notification);
    CU_ASSERT_PTR_EQUAL(irq_forgotten, n);
    CU_ASSERT_PTR_EQUAL(run_next(), a);
    a->state = THREAD_INACTIVE;
    CU_ASSERT_PTR_EQUAL(run_next(), b);
}

/*
 * Notification timers: the wake-up timer follows the earliest armed deadline
 * through arming, re-arming, disarming, expiry and destruction, and expiry
 * signals with the arming capability's badge (waking a waiter).
 */
static void test_notification_timers(void)
{
    setup();
    struct notification *a = kmem_alloc(NOTIFICATION_SIZE_BITS),
                        *b = kmem_alloc(NOTIFICATION_SIZE_BITS),
                        *c = kmem_alloc(NOTIFICATION_SIZE_BITS);
    notification_set_timer(a, 300, 0x1);
    notification_set_timer(b, 100, 0x2);
    notification_set_timer(c, 200, 0x4);
    CU_ASSERT_EQUAL(wake_timer_deadline, 100);
    CU_ASSERT_EQUAL(notification_earliest_timer(), 100);
    notification_set_timer(b, 400, 0x2); /* re-armed later: c is next */
    CU_ASSERT_EQUAL(wake_timer_deadline, 200);
    notification_set_timer(c, 0, 0); /* disarmed */
    CU_ASSERT_EQUAL(wake_timer_deadline, 300);
    struct tcb *t = running(5);
    notification_wait(a, t, true);
    current_thread = NULL;
    timeouts_expire(299);
    CU_ASSERT_EQUAL(t->state, THREAD_BLOCKED_ON_NOTIFICATION); /* not due yet */
    timeouts_expire(350);
    CU_ASSERT_EQUAL(t->state, THREAD_RUNNING);
    CU_ASSERT_EQUAL(t->ctx.x[0], 0x1u);
    CU_ASSERT_EQUAL(b->word, 0u);
    CU_ASSERT_EQUAL(c->word, 0u);
    CU_ASSERT_EQUAL(wake_timer_deadline, 400);
    notification_destroy(b); /* armed when destroyed: off the list, the timer stops */
    CU_ASSERT_EQUAL(wake_timer_deadline, 0);
    CU_ASSERT_EQUAL(notification_earliest_timer(), ~(word_t)0);
    timeouts_expire(1000);
    CU_ASSERT_EQUAL(b->word, 0u);
}

/* A fault travels as a Call to the handler, whose reply label says how the thread goes on. */
static void test_fault_round_trip(void)
{
    setup();
    struct reply *r = kmem_alloc(REPLY_SIZE_BITS);
    struct tcb *handler = running(8);
    endpoint_receive(ep, handler, r, true);
    struct tcb *t = running(4);
    world_put(t, 9, cap_make(CAP_ENDPOINT, RIGHTS_ALL, 0, (word_t)(uintptr_t)ep, 0x77));
    t->fault_ep = 9;
    t->ctx.pc = 0x400100;
    fault_raise(t, FAULT_VM, 0x400100, 0xdead000, 0, 0x92000006);
    CU_ASSERT_EQUAL(t->state, THREAD_BLOCKED_ON_REPLY);
    CU_ASSERT_EQUAL(handler->ctx.x[0], 0x77u);
    CU_ASSERT_EQUAL(handler->ctx.x[1], msginfo_new(FAULT_VM, 0, 0, FAULT_VM_LENGTH));
    CU_ASSERT_EQUAL(handler->ctx.x[3], 0xdead000u);
    CU_ASSERT_PTR_EQUAL(run_next(), handler);
    handler->ctx.x[1] = msginfo_new(FAULT_REPLY_SKIP, 0, 0, 0);
    reply_send(r, handler);
    CU_ASSERT_EQUAL(t->state, THREAD_RUNNING);
    CU_ASSERT_EQUAL(t->fault.kind, FAULT_NONE);
    CU_ASSERT_EQUAL(t->ctx.pc, 0x400104u);

    /* No handler: the thread is suspended. */
    struct tcb *orphan = running(4);
    orphan->fault_ep = 33;
    fault_raise(orphan, FAULT_USER_EXCEPTION, 0, 0, 0, 0);
    CU_ASSERT_EQUAL(orphan->state, THREAD_INACTIVE);
}

SUITE("endpoint", TEST(test_send_to_waiting_receiver), TEST(test_send_blocks_until_received),
      TEST(test_non_blocking), TEST(test_senders_in_order), TEST(test_call_and_reply),
      TEST(test_call_without_reply_object), TEST(test_reply_object_reused), TEST(test_cancel_all),
      TEST(test_suspend_blocked_sender), TEST(test_grant_through_endpoint),
      TEST(test_notification_signal_and_wait), TEST(test_bound_notification),
      TEST(test_notification_destroy), TEST(test_notification_timers), TEST(test_fault_round_trip));
