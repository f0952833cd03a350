/* Endpoints: Send, NBSend, Recv, NBRecv, Call, Reply, ReplyRecv, badges, long messages, grants. */
#include "ktest.h"

static cptr_t g_ep, g_reply, g_aux;
static volatile uint64_t g_seen[8];

/* A server: receives, replies with each register + 1, forever. */
static void echo_server(uint64_t arg)
{
    (void)arg;
    uint64_t mr[4];
    struct sys_result r = sys_recv(g_ep, mr, g_reply);
    for (;;) {
        g_seen[0] = r.badge;
        g_seen[1] = msginfo_label(r.info);
        for (int i = 0; i < 4; i++)
            mr[i] += 1;
        r = sys_reply_recv(g_ep, msginfo_new(msginfo_label(r.info) + 1, 0, 0, 4), mr, g_reply);
    }
}

static bool start_echo(struct env *env, unsigned prio)
{
    struct helper h;
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_reply = env_object(env, OBJ_REPLY, 0);
    return g_ep && g_reply && env_thread(env, &h, echo_server, 0, prio);
}

KTEST(ipc_call_reply_recv_roundtrip)
{
    CHECK(start_echo(env, MAIN_PRIORITY + 1));
    uint64_t mr[4] = { 10, 20, 30, 40 };
    struct sys_result r = sys_call(g_ep, msginfo_new(7, 0, 0, 4), mr);
    CHECK_OK(r.error);
    CHECK_EQ(msginfo_label(r.info), 8);
    CHECK_EQ(msginfo_length(r.info), 4);
    CHECK_EQ(mr[0], 11);
    CHECK_EQ(mr[3], 41);
    CHECK_EQ(g_seen[1], 7);
}

KTEST(ipc_call_to_lower_priority_server)
{
    CHECK(start_echo(env, MAIN_PRIORITY - 1));
    uint64_t mr[4] = { 1, 2, 3, 4 };
    for (int i = 0; i < 100; i++) {
        struct sys_result r = sys_call(g_ep, msginfo_new(i, 0, 0, 4), mr);
        CHECK_OK(r.error);
        CHECK_EQ(msginfo_label(r.info), i + 1);
    }
    CHECK_EQ(mr[0], 101);
}

KTEST(ipc_badge_is_delivered)
{
    CHECK(start_echo(env, MAIN_PRIORITY + 1));
    cptr_t badged = env_slot(env);
    CHECK_OK(cnode_mint(INIT_CAP_CNODE, badged, 64, INIT_CAP_CNODE, g_ep, 64, RIGHTS_ALL, 0xbeef));
    uint64_t mr[4] = { 0 };
    CHECK_OK(sys_call(badged, msginfo_new(1, 0, 0, 0), mr).error);
    CHECK_EQ(g_seen[0], 0xbeef);
    CHECK_OK(sys_call(g_ep, msginfo_new(1, 0, 0, 0), mr).error);
    CHECK_EQ(g_seen[0], 0);
}

KTEST(ipc_long_message_through_buffers)
{
    CHECK(start_echo(env, MAIN_PRIORITY + 1));
    struct ipc_buffer *buf = ipc_buffer();
    for (int i = 4; i < 100; i++)
        buf->msg[i] = 1000 + i;
    uint64_t mr[4] = { 0 };
    struct sys_result r = sys_call(g_ep, msginfo_new(1, 0, 0, 100), mr);
    CHECK_OK(r.error);
    /* the echo server replies with 4 words; the long part made it there and back unchanged */
    CHECK_EQ(msginfo_length(r.info), 4);
    CHECK_EQ(buf->msg[99], 1099);
}

static void long_receiver(uint64_t arg)
{
    (void)arg;
    uint64_t mr[4];
    struct sys_result r = sys_recv(g_ep, mr, 0);
    g_seen[0] = msginfo_length(r.info);
    g_seen[1] = ipc_buffer()->msg[MSG_MAX_LENGTH - 1];
    g_seen[2] = mr[3];
    sys_recv(g_aux, 0, 0);
}

KTEST(ipc_send_max_length)
{
    struct helper h;
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_aux = env_object(env, OBJ_NOTIFICATION, 0);
    CHECK(g_ep && g_aux && env_thread(env, &h, long_receiver, 0, MAIN_PRIORITY + 1));
    struct ipc_buffer *buf = ipc_buffer();
    buf->msg[MSG_MAX_LENGTH - 1] = 0x1234;
    uint64_t mr[4] = { 0, 0, 0, 77 };
    CHECK_OK(sys_send(g_ep, msginfo_new(0, 0, 0, 127), mr).error);
    CHECK_EQ(g_seen[0], MSG_MAX_LENGTH); /* lengths past the maximum are cut to it */
    CHECK_EQ(g_seen[1], 0x1234);
    CHECK_EQ(g_seen[2], 77);
}

static void blocking_sender(uint64_t value)
{
    uint64_t mr[4] = { value, 0, 0, 0 };
    g_seen[2] = sys_send(g_ep, msginfo_new(3, 0, 0, 1), mr).error + 1;
    sys_recv(g_aux, 0, 0);
}

KTEST(ipc_recv_takes_queued_senders_in_order)
{
    struct helper a, b;
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_aux = env_object(env, OBJ_NOTIFICATION, 0);
    CHECK(g_ep && g_aux);
    CHECK(env_thread(env, &a, blocking_sender, 111, MAIN_PRIORITY + 1));
    CHECK(env_thread(env, &b, blocking_sender, 222, MAIN_PRIORITY + 1));
    uint64_t mr[4];
    struct sys_result r = sys_recv(g_ep, mr, 0);
    CHECK_OK(r.error);
    CHECK_EQ(mr[0], 111);
    CHECK_EQ(msginfo_label(r.info), 3);
    r = sys_recv(g_ep, mr, 0);
    CHECK_EQ(mr[0], 222);
}

KTEST(ipc_nb_recv_with_nobody_returns_empty)
{
    cptr_t ep = env_object(env, OBJ_ENDPOINT, 0);
    uint64_t mr[4] = { 9, 9, 9, 9 };
    struct sys_result r = sys_nb_recv(ep, mr, 0);
    CHECK_OK(r.error);
    CHECK_EQ(r.badge, 0);
    CHECK_EQ(r.info, 0);
}

KTEST(ipc_nb_send_with_nobody_is_dropped)
{
    cptr_t ep = env_object(env, OBJ_ENDPOINT, 0);
    uint64_t mr[4] = { 1, 2, 3, 4 };
    CHECK_OK(sys_nb_send(ep, msginfo_new(1, 0, 0, 4), mr).error);
    struct sys_result r = sys_nb_recv(ep, mr, 0);
    CHECK_EQ(r.info, 0);
}

KTEST(ipc_rights_are_enforced)
{
    cptr_t ep = env_object(env, OBJ_ENDPOINT, 0);
    cptr_t recv_only = env_slot(env), send_only = env_slot(env);
    CHECK_OK(cnode_copy(INIT_CAP_CNODE, recv_only, 64, INIT_CAP_CNODE, ep, 64, RIGHT_READ));
    CHECK_OK(cnode_copy(INIT_CAP_CNODE, send_only, 64, INIT_CAP_CNODE, ep, 64, RIGHT_WRITE));
    uint64_t mr[4] = { 0 };
    CHECK_EQ(sys_nb_send(recv_only, 0, mr).error, ERR_INSUFFICIENT_RIGHTS);
    CHECK_EQ(sys_nb_recv(send_only, mr, 0).error, ERR_INSUFFICIENT_RIGHTS);
    CHECK_OK(sys_nb_send(send_only, 0, mr).error);
    CHECK_OK(sys_nb_recv(recv_only, mr, 0).error);
}

KTEST(ipc_recv_on_wrong_type_is_refused)
{
    cptr_t frame = env_object(env, OBJ_FRAME_4K, 0);
    cptr_t ep = env_object(env, OBJ_ENDPOINT, 0);
    uint64_t mr[4];
    CHECK_EQ(sys_nb_recv(frame, mr, 0).error, ERR_INVALID_CAPABILITY);
    CHECK_EQ(sys_nb_recv(ep, mr, frame).error, ERR_INVALID_CAPABILITY); /* reply must be a Reply */
    CHECK_EQ(sys_nb_recv(env_slot(env), mr, 0).error, ERR_INVALID_CAPABILITY);
    CHECK_EQ(sys_reply(frame, 0, mr).error, ERR_INVALID_CAPABILITY);
}

KTEST(ipc_reply_without_caller_is_harmless)
{
    cptr_t reply = env_object(env, OBJ_REPLY, 0);
    uint64_t mr[4] = { 0 };
    CHECK_OK(sys_reply(reply, 0, mr).error);
}

static void grant_receiver(uint64_t slot)
{
    struct ipc_buffer *buf = ipc_buffer();
    buf->receive_cnode = INIT_CAP_CNODE;
    buf->receive_index = slot;
    buf->receive_depth = 64;
    uint64_t mr[4];
    struct sys_result r = sys_recv(g_ep, mr, 0);
    g_seen[0] = msginfo_extra_caps(r.info);
    g_seen[1] = msginfo_unwrapped(r.info);
    g_seen[2] = buf->caps_or_badges[0];
    sys_recv(g_aux, 0, 0);
}

KTEST(ipc_grant_transfers_a_capability)
{
    struct helper h;
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_aux = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t gift = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t dest = env_slot(env);
    CHECK(g_ep && g_aux && gift && dest);
    CHECK(env_thread(env, &h, grant_receiver, dest, MAIN_PRIORITY + 1));
    ipc_buffer()->caps_or_badges[0] = gift;
    uint64_t mr[4] = { 0 };
    CHECK_OK(sys_send(g_ep, msginfo_new(0, 0, 1, 0), mr).error);
    CHECK_EQ(g_seen[0], 1);
    CHECK_EQ(g_seen[1], 0);
    CHECK_EQ(sys_debug_cap_identify(dest), OBJ_NOTIFICATION);
}

KTEST(ipc_without_grant_no_capability_moves)
{
    struct helper h;
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_aux = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t gift = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t dest = env_slot(env), no_grant = env_slot(env);
    CHECK_OK(cnode_copy(INIT_CAP_CNODE, no_grant, 64, INIT_CAP_CNODE, g_ep, 64, RIGHT_WRITE));
    CHECK(env_thread(env, &h, grant_receiver, dest, MAIN_PRIORITY + 1));
    ipc_buffer()->caps_or_badges[0] = gift;
    uint64_t mr[4] = { 0 };
    CHECK_OK(sys_send(no_grant, msginfo_new(0, 0, 1, 0), mr).error);
    CHECK_EQ(g_seen[0], 0);
    CHECK_EQ(sys_debug_cap_identify(dest), CAP_NULL);
}

KTEST(ipc_badged_cap_to_same_endpoint_is_unwrapped)
{
    struct helper h;
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_aux = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t badged = env_slot(env), dest = env_slot(env);
    CHECK_OK(cnode_mint(INIT_CAP_CNODE, badged, 64, INIT_CAP_CNODE, g_ep, 64, RIGHTS_ALL, 42));
    CHECK(env_thread(env, &h, grant_receiver, dest, MAIN_PRIORITY + 1));
    ipc_buffer()->caps_or_badges[0] = badged;
    uint64_t mr[4] = { 0 };
    CHECK_OK(sys_send(g_ep, msginfo_new(0, 0, 1, 0), mr).error);
    CHECK_EQ(g_seen[0], 1);
    CHECK_EQ(g_seen[1], 1);
    CHECK_EQ(g_seen[2], 42);
    CHECK_EQ(sys_debug_cap_identify(dest), CAP_NULL);
}

static void waiting_receiver(uint64_t arg)
{
    (void)arg;
    uint64_t mr[4];
    struct sys_result r = sys_recv(g_ep, mr, 0);
    g_seen[3] = r.error;
    sys_recv(g_aux, 0, 0);
}

KTEST(ipc_deleting_endpoint_releases_waiters_with_error)
{
    struct helper h;
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_aux = env_object(env, OBJ_NOTIFICATION, 0);
    g_seen[3] = 99;
    CHECK(env_thread(env, &h, waiting_receiver, 0, MAIN_PRIORITY - 1));
    sys_yield();
    tcb_set_priority(INIT_CAP_TCB, INIT_CAP_TCB, MAIN_PRIORITY - 2); /* let it block */
    tcb_set_priority(INIT_CAP_TCB, INIT_CAP_TCB, MAIN_PRIORITY);
    CHECK_OK(cnode_delete(INIT_CAP_CNODE, g_ep, 64));
    tcb_set_priority(INIT_CAP_TCB, INIT_CAP_TCB, MAIN_PRIORITY - 2); /* let it see the error */
    tcb_set_priority(INIT_CAP_TCB, INIT_CAP_TCB, MAIN_PRIORITY);
    CHECK_EQ(g_seen[3], ERR_CANCELLED);
}

static void receive_into_seen(uint64_t arg)
{
    (void)arg;
    uint64_t mr[4];
    struct sys_result r = sys_recv(g_ep, mr, 0);
    g_seen[4] = msginfo_label(r.info);
    g_seen[5] = mr[0];
    g_seen[6] = r.error + 1;
}

KTEST(ipc_nb_send_reaches_a_waiting_receiver)
{
    struct helper h;
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_seen[6] = 0;
    CHECK(g_ep && env_thread(env, &h, receive_into_seen, 0, MAIN_PRIORITY + 1));
    CHECK_EQ(g_seen[6], 0);
    uint64_t mr[4] = { 31, 0, 0, 0 };
    CHECK_OK(sys_nb_send(g_ep, msginfo_new(6, 0, 0, 1), mr).error);
    CHECK_EQ(g_seen[6], 1);
    CHECK_EQ(g_seen[4], 6);
    CHECK_EQ(g_seen[5], 31);
}

KTEST(ipc_send_waits_for_a_lower_priority_receiver)
{
    struct helper h;
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_seen[6] = 0;
    CHECK(g_ep && env_thread(env, &h, receive_into_seen, 0, MAIN_PRIORITY - 1));
    CHECK_EQ(g_seen[6], 0); /* it has not run yet */
    uint64_t mr[4] = { 32, 0, 0, 0 };
    CHECK_OK(sys_send(g_ep, msginfo_new(7, 0, 0, 1), mr).error);
    /* our Send blocked until the receiver took the message; it has not run on since */
    CHECK_EQ(g_seen[6], 0);
    env_run_lower();
    CHECK_EQ(g_seen[6], 1);
    CHECK_EQ(g_seen[4], 7);
    CHECK_EQ(g_seen[5], 32);
}

KTEST(ipc_deleting_endpoint_releases_senders_with_error)
{
    struct helper h;
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_aux = env_object(env, OBJ_NOTIFICATION, 0);
    g_seen[2] = 0;
    CHECK(g_ep && g_aux && env_thread(env, &h, blocking_sender, 5, MAIN_PRIORITY + 1));
    CHECK_EQ(g_seen[2], 0);
    CHECK_OK(cnode_delete(INIT_CAP_CNODE, g_ep, 64));
    CHECK_EQ(g_seen[2], ERR_CANCELLED + 1);
}

KTEST(ipc_call_and_send_need_write_right)
{
    cptr_t ep = env_object(env, OBJ_ENDPOINT, 0);
    cptr_t recv_only = env_mint(env, ep, RIGHT_READ, 0);
    CHECK(ep && recv_only);
    uint64_t mr[4] = { 0 };
    CHECK_EQ(sys_call(recv_only, 0, mr).error, ERR_INSUFFICIENT_RIGHTS);
    CHECK_EQ(sys_send(recv_only, 0, mr).error, ERR_INSUFFICIENT_RIGHTS);
    CHECK_EQ(sys_recv(ep | (1UL << 30), mr, 0).error, ERR_INVALID_CAPABILITY);
}

KTEST(ipc_grant_into_occupied_slot_transfers_nothing)
{
    struct helper h;
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_aux = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t gift = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t occupied = env_object(env, OBJ_ENDPOINT, 0);
    CHECK(g_ep && g_aux && gift && occupied);
    CHECK(env_thread(env, &h, grant_receiver, occupied, MAIN_PRIORITY + 1));
    ipc_buffer()->caps_or_badges[0] = gift;
    uint64_t mr[4] = { 0 };
    CHECK_OK(sys_send(g_ep, msginfo_new(0, 0, 1, 0), mr).error);
    CHECK_EQ(g_seen[0], 0);
    CHECK_EQ(sys_debug_cap_identify(occupied), OBJ_ENDPOINT);
}

KTEST(ipc_grant_moves_at_most_one_capability)
{
    struct helper h;
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_aux = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t gift1 = env_object(env, OBJ_NOTIFICATION, 0), gift2 = env_object(env, OBJ_FRAME_4K, 0);
    cptr_t dest = env_slot(env);
    CHECK(g_ep && g_aux && gift1 && gift2 && dest);
    CHECK(env_thread(env, &h, grant_receiver, dest, MAIN_PRIORITY + 1));
    ipc_buffer()->caps_or_badges[0] = gift1;
    ipc_buffer()->caps_or_badges[1] = gift2;
    uint64_t mr[4] = { 0 };
    CHECK_OK(sys_send(g_ep, msginfo_new(0, 0, 2, 0), mr).error);
    CHECK_EQ(g_seen[0], 1);
    CHECK_EQ(sys_debug_cap_identify(dest),
             OBJ_NOTIFICATION); /* the first; the frame had nowhere to go */
}

KTEST(ipc_reply_objects_do_not_travel)
{
    struct helper h;
    g_ep = env_object(env, OBJ_ENDPOINT, 0);
    g_aux = env_object(env, OBJ_NOTIFICATION, 0);
    cptr_t reply = env_object(env, OBJ_REPLY, 0), dest = env_slot(env);
    CHECK(g_ep && g_aux && reply && dest);
    CHECK(env_thread(env, &h, grant_receiver, dest, MAIN_PRIORITY + 1));
    ipc_buffer()->caps_or_badges[0] = reply;
    uint64_t mr[4] = { 0 };
    CHECK_OK(sys_send(g_ep, msginfo_new(0, 0, 1, 0), mr).error);
    CHECK_EQ(g_seen[0], 0);
    CHECK_EQ(sys_debug_cap_identify(dest), CAP_NULL);
}

KTEST(ipc_label_keeps_all_52_bits)
{
    CHECK(start_echo(env, MAIN_PRIORITY + 1));
    uint64_t label = (1UL << 52) - 2, mr[4] = { 0 };
    struct sys_result r = sys_call(g_ep, msginfo_new(label, 0, 0, 0), mr);
    CHECK_OK(r.error);
    CHECK_EQ(g_seen[1], label);
    CHECK_EQ(msginfo_label(r.info), label + 1);
}
