/*
 * Message transfer (src/kernel/ipc.c ipc_transfer): registers, the IPC
 * buffer, the badge, and capabilities with the grant right, through the
 * real CSpace lookup and derivation tree.
 */
#include <abi/error.h>
#include <abi/fault.h>
#include <abi/msginfo.h>
#include <abi/syscall.h>
#include <cella/faults.h>
#include <cella/untyped.h>

#include "harness.h"
#include "ipc_world.h"
#include "kmem.h"

static struct tcb *sender, *receiver;
static struct endpoint *ep; /* the endpoint the message goes through */

static void setup(bool sender_buffer, bool receiver_buffer)
{
    world_reset();
    sender = world_thread(5, sender_buffer);
    receiver = world_thread(5, receiver_buffer);
    ep = kmem_alloc(ENDPOINT_SIZE_BITS);
    /* Whatever the receiver had in its registers must be overwritten. */
    for (unsigned i = 0; i < 8; i++)
        receiver->ctx.x[i] = 0xdead0000 + i;
}

static void message(word_t label, unsigned extra_caps, unsigned length)
{
    sender->ctx.x[1] = msginfo_new(label, 0, extra_caps, length);
    for (unsigned i = 0; i < MSG_REGISTERS_IN_CPU; i++)
        sender->ctx.x[2 + i] = 0x1000 + i;
    if (sender->ipc_buffer)
        for (unsigned i = MSG_REGISTERS_IN_CPU; i < MSG_MAX_LENGTH; i++)
            sender->ipc_buffer->msg[i] = 0x1000 + i;
}

static void transfer(word_t badge, word_t flags)
{
    ipc_transfer(sender, receiver, (struct ipc_send){ badge, flags }, ep);
}

static word_t received_info(void)
{
    return receiver->ctx.x[1];
}

static cap_t ep_cap(word_t badge)
{
    return cap_make(CAP_ENDPOINT, RIGHTS_ALL, 0, (word_t)(uintptr_t)ep, badge);
}

static void test_registers(void)
{
    setup(false, false);
    message(0x77, 0, 3);
    transfer(0, 0);
    for (unsigned i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(receiver->ctx.x[2 + i], 0x1000 + i);
    CU_ASSERT_EQUAL(received_info(), msginfo_new(0x77, 0, 0, 3));
    CU_ASSERT_EQUAL(receiver->ctx.x[0], 0u);
    CU_ASSERT_EQUAL(receiver->ctx.x[6], 0u);
    CU_ASSERT_EQUAL(receiver->ctx.x[7], ERR_NONE);
    CU_ASSERT_EQUAL(receiver->ctx.x[8], 0u); /* not a message register: untouched */
    /* A label uses all its 52 bits. */
    message(MASK(52), 0, 0);
    transfer(0, 0);
    CU_ASSERT_EQUAL(msginfo_label(received_info()), MASK(52));
    CU_ASSERT_EQUAL(msginfo_length(received_info()), 0u);
}

static void test_ipc_buffer(void)
{
    setup(true, true);
    message(1, 0, 10);
    receiver->ipc_buffer->msg[10] = 0x5e;
    transfer(0, 0);
    for (unsigned i = 0; i < MSG_REGISTERS_IN_CPU; i++)
        CU_ASSERT_EQUAL(receiver->ctx.x[2 + i], 0x1000 + i);
    for (unsigned i = MSG_REGISTERS_IN_CPU; i < 10; i++)
        CU_ASSERT_EQUAL(receiver->ipc_buffer->msg[i], 0x1000 + i);
    CU_ASSERT_EQUAL(receiver->ipc_buffer->msg[10], 0x5eu);
    CU_ASSERT_EQUAL(msginfo_length(received_info()), 10u);
}

/* Without a buffer at either end only the registers travel, and the length says so. */
static void test_truncated_without_buffers(void)
{
    for (unsigned which = 0; which < 3; which++) {
        setup(which == 1, which == 0); /* receiver only, sender only, neither */
        message(2, 0, 9);
        transfer(0, 0);
        CU_ASSERT_EQUAL(received_info(), msginfo_new(2, 0, 0, MSG_REGISTERS_IN_CPU));
        CU_ASSERT_EQUAL(receiver->ctx.x[5], 0x1003u);
        if (receiver->ipc_buffer)
            CU_ASSERT_EQUAL(receiver->ipc_buffer->msg[4], 0u);
    }
}

/* A length beyond MSG_MAX_LENGTH (the field holds 127) is cut to it; nothing past msg[] changes. */
static void test_truncated_at_maximum(void)
{
    setup(true, true);
    message(3, 0, 127);
    receiver->ipc_buffer->user_data = 0xabcd;
    transfer(0, 0);
    CU_ASSERT_EQUAL(msginfo_length(received_info()), (unsigned)MSG_MAX_LENGTH);
    CU_ASSERT_EQUAL(receiver->ipc_buffer->msg[MSG_MAX_LENGTH - 1], 0x1000u + MSG_MAX_LENGTH - 1);
    CU_ASSERT_EQUAL(receiver->ipc_buffer->user_data, 0xabcdu);
    message(3, 0, MSG_MAX_LENGTH);
    transfer(0, 0);
    CU_ASSERT_EQUAL(msginfo_length(received_info()), (unsigned)MSG_MAX_LENGTH);
}

static void test_badge(void)
{
    setup(false, false);
    message(0, 0, 0);
    transfer(0xfeedface, 0);
    CU_ASSERT_EQUAL(receiver->ctx.x[0], 0xfeedfaceu);
    transfer(~0UL, IPC_CAN_GRANT);
    CU_ASSERT_EQUAL(receiver->ctx.x[0], ~0UL);
}

/* With grant, a capability goes into the receiver's receive slot, as a child of the sender's. */
static void test_grant_capability(void)
{
    setup(true, true);
    cap_t other = kmem_object(CAP_NOTIFICATION, NOTIFICATION_SIZE_BITS, 0x30);
    struct cte *src = world_put(sender, 7, other);
    struct cte *recv = world_receive_into(receiver, 5);
    sender->ipc_buffer->caps_or_badges[0] = 7;
    message(4, 1, 2);
    transfer(0x99, IPC_CAN_GRANT);
    CU_ASSERT_EQUAL(received_info(), msginfo_new(4, 0, 1, 2));
    CU_ASSERT_EQUAL(recv[5].cap.w0, other.w0);
    CU_ASSERT_EQUAL(recv[5].cap.w1, other.w1);
    CU_ASSERT_PTR_EQUAL(src->mdb.next, &recv[5]);
    CU_ASSERT_PTR_EQUAL(mdb_prev(&recv[5]), src);
    CU_ASSERT_FALSE(mdb_revocable(&recv[5]));
    CU_ASSERT_TRUE(mdb_is_parent_of(src, &recv[5]));
    CU_ASSERT_EQUAL(src->cap.w0, other.w0); /* the sender keeps its own */
    for (unsigned i = 0; i < 16; i++)
        if (i != 5)
            CU_ASSERT_TRUE(cap_is_null(recv[i].cap));
}

static void test_no_transfer_without_grant(void)
{
    setup(true, true);
    world_put(sender, 7, kmem_object(CAP_NOTIFICATION, NOTIFICATION_SIZE_BITS, 0));
    world_put(sender, 8, ep_cap(0x42));
    struct cte *recv = world_receive_into(receiver, 5);
    sender->ipc_buffer->caps_or_badges[0] = 7;
    sender->ipc_buffer->caps_or_badges[1] = 8;
    receiver->ipc_buffer->caps_or_badges[0] = 0x77;
    message(4, 2, 1);
    transfer(0, IPC_CAN_GRANT_REPLY | IPC_IS_CALL);
    CU_ASSERT_EQUAL(received_info(), msginfo_new(4, 0, 0, 1));
    CU_ASSERT_TRUE(cap_is_null(recv[5].cap));
    CU_ASSERT_EQUAL(receiver->ipc_buffer->caps_or_badges[0], 0x77u); /* nor is anything unwrapped */
}

/* A badged capability to the endpoint the message goes through arrives as its badge. */
static void test_unwrap_badged_same_endpoint(void)
{
    setup(true, true);
    world_put(sender, 3, ep_cap(0x42));
    cap_t n = kmem_object(CAP_NOTIFICATION, NOTIFICATION_SIZE_BITS, 0);
    world_put(sender, 4, n);
    world_put(sender, 5, ep_cap(0x43));
    struct cte *recv = world_receive_into(receiver, 2);
    sender->ipc_buffer->caps_or_badges[0] = 3;
    sender->ipc_buffer->caps_or_badges[1] = 4;
    sender->ipc_buffer->caps_or_badges[2] = 5;
    message(0, 3, 0);
    transfer(0, IPC_CAN_GRANT);
    CU_ASSERT_EQUAL(received_info(), msginfo_new(0, 0x5, 3, 0));
    CU_ASSERT_EQUAL(receiver->ipc_buffer->caps_or_badges[0], 0x42u);
    CU_ASSERT_EQUAL(receiver->ipc_buffer->caps_or_badges[2], 0x43u);
    CU_ASSERT_EQUAL(recv[2].cap.w0, n.w0);
    /* No receive slot at all: unwrapping still works, and stops at the first real capability. */
    setup(true, true);
    world_put(sender, 3, ep_cap(0x42));
    world_put(sender, 4, kmem_object(CAP_NOTIFICATION, NOTIFICATION_SIZE_BITS, 0));
    sender->ipc_buffer->caps_or_badges[0] = 3;
    sender->ipc_buffer->caps_or_badges[1] = 4;
    message(0, 2, 0);
    transfer(0, IPC_CAN_GRANT);
    CU_ASSERT_EQUAL(received_info(), msginfo_new(0, 1, 1, 0));
    CU_ASSERT_EQUAL(receiver->ipc_buffer->caps_or_badges[0], 0x42u);
}

/* Unbadged, or to another endpoint, or with no endpoint (a reply): transferred, not unwrapped. */
static void test_no_unwrap_otherwise(void)
{
    setup(true, true);
    struct cte *recv = world_receive_into(receiver, 2);
    world_put(sender, 3, ep_cap(0));
    sender->ipc_buffer->caps_or_badges[0] = 3;
    message(0, 1, 0);
    transfer(0, IPC_CAN_GRANT);
    CU_ASSERT_EQUAL(received_info(), msginfo_new(0, 0, 1, 0));
    CU_ASSERT_EQUAL(recv[2].cap.w0, ep_cap(0).w0);

    setup(true, true);
    recv = world_receive_into(receiver, 2);
    cap_t elsewhere = kmem_object(CAP_ENDPOINT, ENDPOINT_SIZE_BITS, 0x42);
    world_put(sender, 3, elsewhere);
    sender->ipc_buffer->caps_or_badges[0] = 3;
    message(0, 1, 0);
    transfer(0, IPC_CAN_GRANT);
    CU_ASSERT_EQUAL(received_info(), msginfo_new(0, 0, 1, 0));
    CU_ASSERT_EQUAL(recv[2].cap.w1, 0x42u);

    setup(true, true);
    recv = world_receive_into(receiver, 2);
    world_put(sender, 3, ep_cap(0x42));
    sender->ipc_buffer->caps_or_badges[0] = 3;
    message(0, 1, 0);
    ipc_transfer(sender, receiver, (struct ipc_send){ 0, IPC_CAN_GRANT }, NULL);
    CU_ASSERT_EQUAL(received_info(), msginfo_new(0, 0, 1, 0));
    CU_ASSERT_EQUAL(recv[2].cap.w1, 0x42u);
}

/* One receive slot: a second capability that needs a slot ends the transfer. */
static void test_one_capability_per_message(void)
{
    setup(true, true);
    struct cte *recv = world_receive_into(receiver, 2);
    cap_t a = kmem_object(CAP_NOTIFICATION, NOTIFICATION_SIZE_BITS, 0);
    cap_t b = kmem_object(CAP_NOTIFICATION, NOTIFICATION_SIZE_BITS, 0);
    world_put(sender, 3, a);
    world_put(sender, 4, b);
    sender->ipc_buffer->caps_or_badges[0] = 3;
    sender->ipc_buffer->caps_or_badges[1] = 4;
    message(0, 2, 0);
    transfer(0, IPC_CAN_GRANT);
    CU_ASSERT_EQUAL(received_info(), msginfo_new(0, 0, 1, 0));
    CU_ASSERT_EQUAL(recv[2].cap.w0, a.w0);
    for (unsigned i = 0; i < 16; i++)
        if (i != 2)
            CU_ASSERT_TRUE(cap_is_null(recv[i].cap));
}

/* Bad cptrs, empty slots and unusable receive slots end the transfer without harm. */
static void test_failed_lookups(void)
{
    setup(true, true);
    struct cte *recv = world_receive_into(receiver, 2);
    sender->ipc_buffer->caps_or_badges[0] = 9; /* an empty slot */
    message(0, 1, 0);
    transfer(0, IPC_CAN_GRANT);
    CU_ASSERT_EQUAL(received_info(), msginfo_new(0, 0, 0, 0));
    sender->ipc_buffer->caps_or_badges[0] = BIT(40) | 3; /* guard mismatch */
    world_put(sender, 3, kmem_object(CAP_NOTIFICATION, NOTIFICATION_SIZE_BITS, 0));
    transfer(0, IPC_CAN_GRANT);
    CU_ASSERT_EQUAL(received_info(), msginfo_new(0, 0, 0, 0));
    CU_ASSERT_TRUE(cap_is_null(recv[2].cap));

    /* The receive slot is taken, or its CNode is not one, or the depth is wrong. */
    sender->ipc_buffer->caps_or_badges[0] = 3;
    world_put(receiver, 20, kmem_object(CAP_ENDPOINT, ENDPOINT_SIZE_BITS, 0));
    mdb_insert_root(&recv[2], kmem_object(CAP_ENDPOINT, ENDPOINT_SIZE_BITS, 0), MDB_REVOCABLE);
    transfer(0, IPC_CAN_GRANT);
    CU_ASSERT_EQUAL(msginfo_extra_caps(received_info()), 0u);
    receiver->ipc_buffer->receive_index = 3;
    receiver->ipc_buffer->receive_depth = 0;
    transfer(0, IPC_CAN_GRANT);
    CU_ASSERT_EQUAL(msginfo_extra_caps(received_info()), 0u);
    receiver->ipc_buffer->receive_depth = 65;
    transfer(0, IPC_CAN_GRANT);
    CU_ASSERT_EQUAL(msginfo_extra_caps(received_info()), 0u);
    receiver->ipc_buffer->receive_depth = 4;
    receiver->ipc_buffer->receive_cnode = 20;
    transfer(0, IPC_CAN_GRANT);
    CU_ASSERT_EQUAL(msginfo_extra_caps(received_info()), 0u);
    CU_ASSERT_TRUE(cap_is_null(recv[3].cap));
    receiver->ipc_buffer->receive_cnode = WORLD_RECV_CNODE;
    transfer(0, IPC_CAN_GRANT);
    CU_ASSERT_EQUAL(msginfo_extra_caps(received_info()), 1u);
    CU_ASSERT_FALSE(cap_is_null(recv[3].cap));
}

/* A frame's copy carries no mapping; a reply capability never moves. */
static void test_derived_copies(void)
{
    setup(true, true);
    struct cte *recv = world_receive_into(receiver, 2);
    cap_t frame = cap_make(CAP_FRAME_4K, RIGHTS_ALL, 0, (word_t)(uintptr_t)kmem_alloc(12),
                           mapping_make(3, 0x400000, 0));
    world_put(sender, 3, frame);
    sender->ipc_buffer->caps_or_badges[0] = 3;
    message(0, 1, 0);
    transfer(0, IPC_CAN_GRANT);
    CU_ASSERT_EQUAL(recv[2].cap.w0, frame.w0);
    CU_ASSERT_EQUAL(recv[2].cap.w1, 0u);
    CU_ASSERT_EQUAL(world_slot(sender, 3)->cap.w1, frame.w1);

    setup(true, true);
    recv = world_receive_into(receiver, 2);
    world_put(sender, 3, kmem_object(CAP_REPLY, REPLY_SIZE_BITS, 0));
    sender->ipc_buffer->caps_or_badges[0] = 3;
    message(0, 1, 0);
    transfer(0, IPC_CAN_GRANT);
    CU_ASSERT_EQUAL(msginfo_extra_caps(received_info()), 0u);
    CU_ASSERT_TRUE(cap_is_null(recv[2].cap));
}

/*
 * An untyped capability must not be copied by IPC any more than by
 * CNode_Copy: the copy would carve objects over the memory the original
 * already gave out (or will).
 */
static void test_untyped_not_transferred(void)
{
    setup(true, true);
    struct cte *recv = world_receive_into(receiver, 2);
    word_t base = (word_t)(uintptr_t)kmem_alloc(16);
    struct cte *ut = world_put(sender, 3, cap_make(CAP_UNTYPED, RIGHTS_ALL, 16, base, 0));
    sender->ipc_buffer->caps_or_badges[0] = 3;
    message(0, 1, 0);
    transfer(0, IPC_CAN_GRANT);
    CU_ASSERT_EQUAL(msginfo_extra_caps(received_info()), 0u);
    CU_ASSERT_TRUE(cap_is_null(recv[2].cap));
    if (!cap_is_null(recv[2].cap)) {
        /* What goes wrong: both untypeds would place their next object at the same address. */
        struct placement a = untyped_place(base, 16, untyped_used(ut), 12, 1);
        struct placement b = untyped_place(base, 16, untyped_used(&recv[2]), 12, 1);
        CU_ASSERT_NOT_EQUAL(a.start, b.start);
    }
}

/* A fault message is written by the fault code instead (src/kernel/faults.c). */
static void test_fault_message(void)
{
    setup(true, true);
    sender->fault = (struct fault){ FAULT_VM, { 0x400123, 0xbad000, 0, 0x92000047 } };
    message(0, 1, 8);
    transfer(0x5, IPC_FAULT | IPC_CAN_GRANT);
    CU_ASSERT_EQUAL(received_info(), msginfo_new(FAULT_VM, 0, 0, FAULT_VM_LENGTH));
    CU_ASSERT_EQUAL(receiver->ctx.x[0], 0x5u);
    CU_ASSERT_EQUAL(receiver->ctx.x[2], 0x400123u);
    CU_ASSERT_EQUAL(receiver->ctx.x[3], 0xbad000u);
    CU_ASSERT_EQUAL(receiver->ctx.x[5], 0x92000047u);
}

SUITE("ipc", TEST(test_registers), TEST(test_ipc_buffer), TEST(test_truncated_without_buffers),
      TEST(test_truncated_at_maximum), TEST(test_badge), TEST(test_grant_capability),
      TEST(test_no_transfer_without_grant), TEST(test_unwrap_badged_same_endpoint),
      TEST(test_no_unwrap_otherwise), TEST(test_one_capability_per_message),
      TEST(test_failed_lookups), TEST(test_derived_copies), TEST(test_untyped_not_transferred),
      TEST(test_fault_message));
