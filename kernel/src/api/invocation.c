/* Sending to an object capability: look up the extra capabilities, then the object decodes. */
#include <cella/invocation.h>

unsigned inv_lookup_empty_slot(struct invocation *inv, cap_t root, word_t index, word_t depth,
                               struct cte **slot)
{
    if (cap_type(root) != CAP_CNODE)
        return inv_error(inv, ERR_INVALID_CAPABILITY, 1);
    struct lookup l = cspace_lookup_slot(root, index, (unsigned)depth);
    if (l.error)
        return inv_error(inv, l.error, l.bits_left);
    if (!cap_is_null(l.slot->cap))
        return inv_error(inv, ERR_DELETE_FIRST, 0);
    *slot = l.slot;
    return ERR_NONE;
}

/* Extra capabilities are named by cptrs in the invoker's IPC buffer. */
static unsigned lookup_extra_caps(struct invocation *inv, unsigned count)
{
    struct tcb *t = inv->thread;
    struct ipc_buffer *buf = thread_ipc_buffer(t);
    if (count && !buf)
        return inv_error(inv, ERR_TRUNCATED_MESSAGE, 0);
    for (unsigned i = 0; i < count; i++) {
        struct lookup l = cspace_lookup_cap(thread_cspace(t), buf->caps_or_badges[i]);
        if (l.error || cap_is_null(l.slot->cap))
            return inv_error(inv, ERR_INVALID_CAPABILITY, i + 1);
        inv->extra[i] = l.slot;
    }
    inv->extra_count = count;
    return ERR_NONE;
}

unsigned decode_invocation(struct invocation *inv)
{
    unsigned err = lookup_extra_caps(inv, msginfo_extra_caps(inv->thread->ctx.x[1]));
    if (err)
        return err;
    switch (cap_type(inv->cap)) {
    case CAP_UNTYPED:
        return decode_untyped(inv);
    case CAP_CNODE:
        return decode_cnode(inv);
    case CAP_TCB:
        return decode_tcb(inv);
    case CAP_FRAME_4K:
    case CAP_FRAME_2M:
        return decode_frame(inv);
    case CAP_PAGE_TABLE:
        return decode_page_table(inv);
    case CAP_IRQ_CONTROL:
        return decode_irq_control(inv);
    case CAP_IRQ_HANDLER:
        return decode_irq_handler(inv);
    case CAP_VCPU:
        return decode_vcpu(inv);
    case CAP_NOTIFICATION: /* only Call with NOTIFICATION_SET_TIMER reaches here (syscall.c) */
        return decode_notification(inv);
    default: /* VSpaces have no methods */
        return inv_error(inv, ERR_ILLEGAL_OPERATION, inv->label);
    }
}
