/*
 * Reply objects: a server's Recv links a caller to one; replying through it
 * (Reply, ReplyRecv or a Send on it) wakes the caller; abandoning or
 * deleting it cancels the caller.
 */
#include "ktest.h"

#define ROOT INIT_CAP_CNODE

static volatile uint64_t g_seen[8];
static cptr_t g_ep, g_call_ep;

/* A client: Calls g_ep with label 1 and records what came back. */
static void client(uint64_t value)
{
    uint64_t mr[4] = { value, 0, 0, 0 };
    g_seen[0] = 1;
    struct sys_result r = sys_call(g_ep, msginfo_new(1, 0, 0, 1), mr);
    g_seen[1] = r.error;
    g_seen[2] = msginfo_label(r.info);
    g_seen[3] = mr[0];
    g_seen[4] = 1;
}

/* A client blocked in its Call, its message taken by us with reply. */
static bool caller_linked_to(struct env *env, cptr_t reply)
{
    struct helper h;
    uint64_t mr[4];
    g_seen[0] = g_seen[4] = 0;
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    if (!g_ep || !env_thread(env, &h, client, 77, MAIN_PRIORITY + 1) || g_seen[0] != 1)
        return false;
    struct sys_result r = sys_nb_recv(g_ep, mr, reply);
    return r.error == 0 && mr[0] == 77 && g_seen[4] == 0;
}

KTEST(reply_wakes_caller_with_message)
{
    cptr_t reply = env_object(env, OBJ_REPLY, 0);
    CHECK(reply && caller_linked_to(env, reply));
    uint64_t mr[4] = { 88, 0, 0, 0 };
    CHECK_OK(sys_reply(reply, msginfo_new(9, 0, 0, 1), mr).error);
    CHECK_EQ(g_seen[4], 1);
    CHECK_OK(g_seen[1]);
    CHECK_EQ(g_seen[2], 9);
    CHECK_EQ(g_seen[3], 88);
    /* a second reply finds nobody */
    CHECK_OK(sys_reply(reply, msginfo_new(10, 0, 0, 1), mr).error);
}

KTEST(reply_send_on_reply_object_replies)
{
    cptr_t reply = env_object(env, OBJ_REPLY, 0);
    CHECK(reply && caller_linked_to(env, reply));
    uint64_t mr[4] = { 5, 0, 0, 0 };
    CHECK_OK(sys_send(reply, msginfo_new(4, 0, 0, 1), mr).error);
    CHECK_EQ(g_seen[4], 1);
    CHECK_EQ(g_seen[2], 4);
    CHECK_EQ(g_seen[3], 5);
}

KTEST(reply_server_abandoning_caller_cancels_it)
{
    cptr_t reply = env_object(env, OBJ_REPLY, 0);
    uint64_t mr[4];
    CHECK(reply && caller_linked_to(env, reply));
    /* a new Recv with the same reply object drops the caller it held */
    CHECK_OK(sys_nb_recv(g_ep, mr, reply).error);
    CHECK_EQ(g_seen[4], 1);
    CHECK_EQ(g_seen[1], ERR_CANCELLED);
}

KTEST(reply_deleting_reply_object_cancels_caller)
{
    cptr_t reply = env_object(env, OBJ_REPLY, 0);
    CHECK(reply && caller_linked_to(env, reply));
    CHECK_OK(cnode_delete(ROOT, reply, 64));
    CHECK_EQ(g_seen[4], 1);
    CHECK_EQ(g_seen[1], ERR_CANCELLED);
}

KTEST(reply_other_reply_object_keeps_its_caller)
{
    cptr_t reply = env_object(env, OBJ_REPLY, 0), other = env_object(env, OBJ_REPLY, 0);
    uint64_t mr[4] = { 1, 0, 0, 0 };
    CHECK(reply && other && caller_linked_to(env, reply));
    CHECK_OK(sys_nb_recv(g_ep, mr, other).error);
    CHECK_OK(sys_reply(other, 0, mr).error); /* nobody on this one */
    CHECK_EQ(g_seen[4], 0);
    CHECK_OK(sys_reply(reply, msginfo_new(3, 0, 0, 0), mr).error);
    CHECK_EQ(g_seen[4], 1);
    CHECK_EQ(g_seen[2], 3);
}

KTEST(reply_call_taken_without_reply_object_waits_until_suspended)
{
    struct helper h;
    uint64_t mr[4];
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_seen[4] = 0;
    CHECK(g_ep && env_thread(env, &h, client, 1, MAIN_PRIORITY + 1));
    CHECK_OK(sys_nb_recv(g_ep, mr, 0).error);
    CHECK_EQ(mr[0], 1);
    env_run_lower();
    CHECK_EQ(g_seen[4], 0); /* no way to answer it */
    CHECK_OK(tcb_suspend(h.tcb));
    CHECK_OK(tcb_resume(h.tcb));
    CHECK_EQ(g_seen[4], 1);
    CHECK_EQ(g_seen[1], ERR_CANCELLED);
}

static void client_twice(uint64_t arg)
{
    (void)arg;
    uint64_t mr[4] = { 10, 0, 0, 0 };
    sys_call(g_ep, msginfo_new(1, 0, 0, 1), mr);
    g_seen[0] = mr[0];
    sys_call(g_ep, msginfo_new(2, 0, 0, 1), mr);
    g_seen[1] = mr[0];
}

KTEST(reply_recv_replies_then_takes_the_next_call)
{
    struct helper h;
    cptr_t reply = env_object(env, OBJ_REPLY, 0);
    uint64_t mr[4];
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_seen[0] = g_seen[1] = 0;
    CHECK(reply && g_ep && env_thread(env, &h, client_twice, 0, MAIN_PRIORITY + 1));
    struct sys_result r = sys_nb_recv(g_ep, mr, reply);
    CHECK_EQ(msginfo_label(r.info), 1);
    mr[0] = 11;
    r = sys_reply_recv(g_ep, msginfo_new(0, 0, 0, 1), mr, reply);
    CHECK_OK(r.error);
    CHECK_EQ(g_seen[0], 11);
    CHECK_EQ(msginfo_label(r.info), 2);
    CHECK_EQ(mr[0], 11); /* the client sends back what it got */
    mr[0] = 12;
    CHECK_OK(sys_reply(reply, msginfo_new(0, 0, 0, 1), mr).error);
    CHECK_EQ(g_seen[1], 12);
}

static void client_receiving_cap(uint64_t slot)
{
    struct ipc_buffer *buf = ipc_buffer();
    buf->receive_cnode = ROOT;
    buf->receive_index = slot;
    buf->receive_depth = 64;
    uint64_t mr[4] = { 0 };
    struct sys_result r = sys_call(g_call_ep, msginfo_new(0, 0, 0, 0), mr);
    g_seen[0] = msginfo_extra_caps(r.info);
    g_seen[4] = 1;
}

static void reply_with_cap(struct env *env, cptr_t ep_cap, cptr_t gift, cptr_t dest)
{
    struct helper h;
    cptr_t reply = env_object(env, OBJ_REPLY, 0);
    uint64_t mr[4];
    g_seen[0] = 99;
    g_seen[4] = 0;
    g_call_ep = ep_cap;
    if (!reply || !env_thread(env, &h, client_receiving_cap, dest, MAIN_PRIORITY + 1))
        return;
    sys_nb_recv(g_ep, mr, reply);
    ipc_buffer()->caps_or_badges[0] = gift;
    sys_reply(reply, msginfo_new(0, 0, 1, 0), mr);
}

KTEST(reply_carries_a_capability_with_grant_reply)
{
    cptr_t gift = env_object(env, OBJ_NOTIFICATION, 0), dest = env_slot(env);
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    CHECK(gift && dest && g_ep);
    reply_with_cap(env, g_ep, gift, dest);
    CHECK_EQ(g_seen[4], 1);
    CHECK_EQ(g_seen[0], 1);
    CHECK_EQ(sys_debug_cap_identify(dest), OBJ_NOTIFICATION);
}

KTEST(reply_carries_no_capability_without_grant_reply)
{
    cptr_t gift = env_object(env, OBJ_NOTIFICATION, 0), dest = env_slot(env);
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    CHECK(gift && dest && g_ep);
    cptr_t no_grant_reply = env_mint(env, g_ep, RIGHT_WRITE | RIGHT_GRANT, 0);
    CHECK(no_grant_reply);
    reply_with_cap(env, no_grant_reply, gift, dest);
    CHECK_EQ(g_seen[4], 1);
    CHECK_EQ(g_seen[0], 0);
    CHECK_EQ(sys_debug_cap_identify(dest), CAP_NULL);
}
