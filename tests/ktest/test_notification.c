/* Notifications: Signal, Wait and Poll, badge accumulation, rights, binding to a TCB, deletion. */
#include "ktest.h"

#define ROOT INIT_CAP_CNODE

static volatile uint64_t g_seen[8];
static volatile unsigned g_order;
static cptr_t g_ntfn, g_ep;

KTEST(notification_signal_then_wait_returns_badge)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t b = env_mint(env, n, RIGHTS_ALL, 0x100);
    CHECK(n && b);
    CHECK_OK(sys_signal(b));
    struct sys_result r = sys_wait(n);
    CHECK_OK(r.error);
    CHECK_EQ(r.badge, 0x100);
    CHECK_EQ(r.info, 0);
    CHECK_EQ(sys_poll(n).badge, 0); /* Wait took the word */
}

KTEST(notification_poll_with_nothing_pending_returns_zero)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0);
    struct sys_result r = sys_poll(n);
    CHECK_OK(r.error);
    CHECK_EQ(r.badge, 0);
}

KTEST(notification_badges_accumulate_by_or)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t b1 = env_mint(env, n, RIGHTS_ALL, 0x1), b2 = env_mint(env, n, RIGHTS_ALL, 0x6),
           b3 = env_mint(env, n, RIGHTS_ALL, 0x40);
    CHECK(n && b1 && b2 && b3);
    CHECK_OK(sys_signal(b2));
    CHECK_OK(sys_signal(b3));
    CHECK_OK(sys_signal(b2));
    CHECK_OK(sys_signal(b1));
    CHECK_EQ(sys_poll(n).badge, 0x47);
    CHECK_EQ(sys_poll(n).badge, 0);
}

KTEST(notification_unbadged_cap_signals_bit_zero)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t b = env_mint(env, n, RIGHTS_ALL, 0x10);
    CHECK(n && b);
    CHECK_OK(sys_signal(n));
    CHECK_OK(sys_signal(b));
    CHECK_EQ(sys_poll(n).badge, 0x11);
}

KTEST(notification_rights_signal_needs_write_wait_needs_read)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t w = env_mint(env, n, RIGHT_WRITE, 0), r = env_mint(env, n, RIGHT_READ, 0);
    CHECK(n && w && r);
    CHECK_EQ(sys_signal(r), ERR_INSUFFICIENT_RIGHTS);
    CHECK_EQ(sys_poll(w).error, ERR_INSUFFICIENT_RIGHTS);
    CHECK_EQ(sys_wait(w).error, ERR_INSUFFICIENT_RIGHTS);
    CHECK_OK(sys_signal(w));
    CHECK_EQ(sys_poll(r).badge, 1);
}

KTEST(notification_nb_send_and_call_also_signal)
{
    cptr_t n = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t b2 = env_mint(env, n, RIGHTS_ALL, 2), b4 = env_mint(env, n, RIGHTS_ALL, 4);
    uint64_t mr[4] = { 0 };
    CHECK(n && b2 && b4);
    CHECK_OK(sys_nb_send(b2, 0, mr).error);
    CHECK_OK(sys_call(b4, 0, mr).error); /* does not wait for anything */
    CHECK_EQ(sys_poll(n).badge, 6);
}

static void waiter(uint64_t id)
{
    struct sys_result r = sys_wait(g_ntfn);
    g_seen[id] = r.badge;
    g_seen[id + 4] = ++g_order;
}

KTEST(notification_wait_blocks_until_signalled)
{
    struct helper h;
    g_ntfn = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t b = env_mint(env, g_ntfn, RIGHTS_ALL, 0x8);
    g_seen[0] = 0;
    g_order = 0;
    CHECK(g_ntfn && b && env_thread(env, &h, waiter, 0, MAIN_PRIORITY + 1));
    CHECK_EQ(g_order, 0); /* still waiting */
    CHECK_OK(sys_signal(b));
    CHECK_EQ(g_order, 1);
    CHECK_EQ(g_seen[0], 0x8);
}

KTEST(notification_signal_wakes_one_waiter_in_arrival_order)
{
    struct helper a, b;
    g_ntfn = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t b1 = env_mint(env, g_ntfn, RIGHTS_ALL, 1), b2 = env_mint(env, g_ntfn, RIGHTS_ALL, 2);
    g_order = 0;
    g_seen[0] = g_seen[1] = 0;
    CHECK(g_ntfn && b1 && b2);
    CHECK(env_thread(env, &a, waiter, 0, MAIN_PRIORITY + 1));
    CHECK(env_thread(env, &b, waiter, 1, MAIN_PRIORITY + 1));
    CHECK_OK(sys_signal(b1));
    CHECK_EQ(g_order, 1);
    CHECK_EQ(g_seen[0], 1); /* the first to wait */
    CHECK_EQ(g_seen[1], 0);
    CHECK_OK(sys_signal(b2));
    CHECK_EQ(g_seen[1], 2);
}

static void wait_reporting_error(uint64_t arg)
{
    (void)arg;
    g_seen[0] = sys_wait(g_ntfn).error;
    g_seen[1] = 1;
}

KTEST(notification_deleted_waiter_gets_cancelled_error)
{
    struct helper h;
    g_ntfn = env_object(env, OBJ_NOTIFICATION, 0);
    g_seen[1] = 0;
    CHECK(g_ntfn && env_thread(env, &h, wait_reporting_error, 0, MAIN_PRIORITY + 1));
    CHECK_EQ(g_seen[1], 0);
    CHECK_OK(cnode_delete(ROOT, g_ntfn, 64));
    CHECK_EQ(g_seen[1], 1);
    CHECK_EQ(g_seen[0], ERR_CANCELLED);
}

static void recv_on_endpoint(uint64_t arg)
{
    (void)arg;
    uint64_t mr[4];
    for (unsigned i = 0;; i++) {
        struct sys_result r = sys_recv(g_ep, mr, 0);
        g_seen[2 * (i & 3)] = r.badge;
        g_seen[2 * (i & 3) + 1] = r.info + 1;
    }
}

KTEST(notification_bound_signal_wakes_thread_in_recv)
{
    struct helper h;
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_ntfn = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t b = env_mint(env, g_ntfn, RIGHTS_ALL, 0x20);
    CHECK(g_ep && g_ntfn && b);
    g_seen[1] = 0;
    CHECK(env_thread_prepare(env, &h, recv_on_endpoint, 0, MAIN_PRIORITY + 1));
    CHECK_OK(tcb_bind_notification(h.tcb, g_ntfn));
    CHECK_OK(tcb_resume(h.tcb));
    CHECK_EQ(g_seen[1], 0); /* waiting in Recv on the endpoint */
    CHECK_OK(sys_signal(b));
    CHECK_EQ(g_seen[0], 0x20);
    CHECK_EQ(g_seen[1], 1); /* an empty message */
    /* the endpoint still works as one */
    uint64_t mr[4] = { 0 };
    CHECK_OK(sys_send(g_ep, msginfo_new(5, 0, 0, 0), mr).error);
    CHECK_EQ(g_seen[3], msginfo_new(5, 0, 0, 0) + 1);
}

KTEST(notification_bound_pending_signal_is_taken_by_recv)
{
    struct helper h;
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_ntfn = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t b = env_mint(env, g_ntfn, RIGHTS_ALL, 0x3);
    CHECK(g_ep && g_ntfn && b);
    g_seen[1] = 0;
    CHECK(env_thread_prepare(env, &h, recv_on_endpoint, 0, MAIN_PRIORITY + 1));
    CHECK_OK(tcb_bind_notification(h.tcb, g_ntfn));
    CHECK_OK(sys_signal(b));
    CHECK_OK(tcb_resume(h.tcb));
    CHECK_EQ(g_seen[0], 0x3);
    CHECK_EQ(g_seen[1], 1);
    CHECK_EQ(sys_poll(g_ntfn).badge, 0);
}

KTEST(notification_unbound_signal_no_longer_reaches_recv)
{
    struct helper h;
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_ntfn = env_object(env, OBJ_NOTIFICATION, 0);
    CHECK(g_ep && g_ntfn);
    g_seen[1] = 0;
    CHECK(env_thread_prepare(env, &h, recv_on_endpoint, 0, MAIN_PRIORITY + 1));
    CHECK_OK(tcb_bind_notification(h.tcb, g_ntfn));
    CHECK_OK(tcb_resume(h.tcb));
    CHECK_OK(tcb_unbind_notification(h.tcb));
    CHECK_OK(sys_signal(g_ntfn));
    CHECK_EQ(g_seen[1], 0);
    CHECK_EQ(sys_poll(g_ntfn).badge, 1); /* it stayed pending in the notification */
}

KTEST(notification_deleting_bound_tcb_frees_the_notification)
{
    struct helper h;
    cptr_t t2 = env_object(env, OBJ_TCB, 0);
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_ntfn = env_object(env, OBJ_NOTIFICATION, 0);
    CHECK(t2 && g_ep && g_ntfn);
    CHECK(env_thread_prepare(env, &h, recv_on_endpoint, 0, MAIN_PRIORITY + 1));
    CHECK_OK(tcb_bind_notification(h.tcb, g_ntfn));
    CHECK_OK(tcb_resume(h.tcb));
    CHECK_EQ(tcb_bind_notification(t2, g_ntfn), ERR_ILLEGAL_OPERATION);
    CHECK_OK(cnode_delete(ROOT, h.tcb, 64));
    CHECK_OK(sys_signal(g_ntfn)); /* nobody bound: it stays pending */
    CHECK_EQ(sys_poll(g_ntfn).badge, 1);
    CHECK_OK(tcb_bind_notification(t2, g_ntfn));
}

KTEST(notification_deleting_bound_notification_unbinds_tcb)
{
    struct helper h;
    cptr_t n2 = env_object(env, OBJ_NOTIFICATION, 0);
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_ntfn = env_object(env, OBJ_NOTIFICATION, 0);
    CHECK(n2 && g_ep && g_ntfn);
    g_seen[1] = 0;
    CHECK(env_thread_prepare(env, &h, recv_on_endpoint, 0, MAIN_PRIORITY + 1));
    CHECK_OK(tcb_bind_notification(h.tcb, g_ntfn));
    CHECK_OK(tcb_resume(h.tcb));
    CHECK_OK(cnode_delete(ROOT, g_ntfn, 64));
    CHECK_EQ(g_seen[1], 0); /* a Recv on an endpoint is not cancelled by it */
    CHECK_OK(tcb_bind_notification(h.tcb, n2));
    CHECK_OK(sys_signal(n2));
    CHECK_EQ(g_seen[1], 1);
}

KTEST(notification_signal_on_wrong_object_is_refused)
{
    cptr_t frame = env_object(env, OBJ_FRAME_4K, 0), empty = env_slot(env);
    CHECK(frame && empty);
    CHECK_EQ(sys_signal(empty), ERR_INVALID_CAPABILITY);
    CHECK_EQ(sys_signal(frame), ERR_ILLEGAL_OPERATION); /* a Send to a frame is an invocation */
    CHECK_EQ(sys_poll(frame).error, ERR_INVALID_CAPABILITY);
    CHECK_EQ(sys_poll(empty).error, ERR_INVALID_CAPABILITY);
}
