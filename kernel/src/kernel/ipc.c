/*
 * Moving a message from one thread to another: message registers (four in
 * CPU registers, the rest through the IPC buffers), the badge, and with the
 * grant right up to three capabilities.
 */
#include <abi/error.h>
#include <abi/msginfo.h>
#include <abi/syscall.h>
#include <cella/faults.h>
#include <cella/objects.h>
#include <cella/tcb.h>

/* Where the receiver asked a received capability to go, or NULL. */
static struct cte *receive_slot(struct tcb *receiver)
{
    struct ipc_buffer *buf = thread_ipc_buffer(receiver);
    if (!buf)
        return NULL;
    struct lookup node = cspace_lookup_cap(thread_cspace(receiver), buf->receive_cnode);
    if (node.error || cap_type(node.slot->cap) != CAP_CNODE)
        return NULL;
    struct lookup slot =
        cspace_lookup_slot(node.slot->cap, buf->receive_index, (unsigned)buf->receive_depth);
    if (slot.error || !cap_is_null(slot.slot->cap))
        return NULL;
    return slot.slot;
}

/*
 * A capability as it may be handed on: mappings stay with the original, and
 * an untyped never copies (the copy's own watermark would carve the memory
 * the original has given out or will give out).
 */
cap_t cap_derive_for_copy(cap_t cap)
{
    switch (cap_type(cap)) {
    case CAP_FRAME_4K:
    case CAP_FRAME_2M:
    case CAP_PAGE_TABLE:
        cap.w1 = 0;
        return cap;
    case CAP_UNTYPED:
    case CAP_IRQ_CONTROL:
    case CAP_REPLY:
    case CAP_ZOMBIE:
        return cap_null();
    default:
        return cap;
    }
}

/* Returns (unwrapped mask << 8) | number of capabilities transferred. */
static unsigned transfer_caps(struct tcb *sender, struct tcb *receiver, unsigned count,
                              struct endpoint *ep)
{
    struct cte *dest = receive_slot(receiver);
    struct ipc_buffer *sbuf = thread_ipc_buffer(sender), *rbuf = thread_ipc_buffer(receiver);
    unsigned done = 0, unwrapped = 0;
    for (; done < count; done++) {
        struct lookup l = cspace_lookup_cap(thread_cspace(sender), sbuf->caps_or_badges[done]);
        if (l.error || cap_is_null(l.slot->cap))
            break;
        cap_t cap = l.slot->cap;
        if (ep && cap_type(cap) == CAP_ENDPOINT && cap_ptr(cap) == ep && cap_badge(cap)) {
            rbuf->caps_or_badges[done] = cap_badge(cap);
            unwrapped |= 1u << done;
            continue;
        }
        cap_t copy = cap_derive_for_copy(cap);
        if (!dest || cap_is_null(copy))
            break;
        mdb_insert_after(l.slot, dest, copy, 0);
        dest = NULL; /* one slot: further capabilities cannot be received */
    }
    return (unwrapped << 8) | done;
}

void ipc_transfer(struct tcb *sender, struct tcb *receiver, struct ipc_send send,
                  struct endpoint *ep)
{
    if (send.flags & IPC_FAULT) {
        fault_write_message(sender, receiver, send.badge);
        return;
    }
    word_t info = sender->ctx.x[1];
    struct ipc_buffer *sbuf = thread_ipc_buffer(sender), *rbuf = thread_ipc_buffer(receiver);
    unsigned length = msginfo_length(info);
    if (length > MSG_MAX_LENGTH)
        length = MSG_MAX_LENGTH;
    if (length > MSG_REGISTERS_IN_CPU && (!sbuf || !rbuf))
        length = MSG_REGISTERS_IN_CPU;
    for (unsigned i = 0; i < MSG_REGISTERS_IN_CPU; i++)
        receiver->ctx.x[2 + i] = sender->ctx.x[2 + i];
    for (unsigned i = MSG_REGISTERS_IN_CPU; i < length; i++)
        rbuf->msg[i] = sbuf->msg[i];
    unsigned caps = 0;
    unsigned extra = msginfo_extra_caps(info);
    if (extra && (send.flags & IPC_CAN_GRANT) && sbuf && rbuf)
        caps = transfer_caps(sender, receiver, extra, ep);
    receiver->ctx.x[0] = send.badge;
    receiver->ctx.x[1] = msginfo_new(msginfo_label(info), caps >> 8, caps & 0xff, length);
    thread_set_error(receiver, ERR_NONE, 0);
}
