/*
 * A faulting thread Calls its fault handler with a message describing the
 * fault and waits; the handler's reply label says how the thread goes on.
 */
#include <abi/error.h>
#include <abi/fault.h>
#include <abi/msginfo.h>
#include <arch/vcpu.h>
#include <cella/fastpath.h>
#include <cella/faults.h>
#include <cella/objects.h>
#include <cella/printk.h>

static void suspend_unhandled(struct tcb *t)
{
#ifdef CELLA_DEBUG
    printk("cella: thread '%s' fault %lu (pc %lx, %lx, %lx) has no handler; suspended\n", t->name,
           t->fault.kind, t->fault.data[0], t->fault.data[1], t->fault.data[2]);
#endif
    t->fault.kind = FAULT_NONE; /* nobody will answer it; resumed, the thread retries */
    thread_suspend(t);
}

/* The handler's endpoint: looked up in the thread's CSpace at fault time, one step when it can be.
 */
static struct cte *handler_slot(struct tcb *t)
{
    struct cte *slot = cspace_lookup_single_level(thread_cspace(t), t->fault_ep);
    if (slot)
        return slot;
    struct lookup l = cspace_lookup_cap(thread_cspace(t), t->fault_ep);
    return l.error ? NULL : l.slot;
}

void fault_raise(struct tcb *t, word_t kind, word_t d0, word_t d1, word_t d2, word_t d3)
{
    t->fault = (struct fault){ kind, { d0, d1, d2, d3 } };
    struct cte *slot = handler_slot(t);
    if (!slot || cap_type(slot->cap) != CAP_ENDPOINT || !cap_has_rights(slot->cap, RIGHT_WRITE)) {
        suspend_unhandled(t);
        return;
    }
    cap_t ep = slot->cap;
    fastpath_fault(t, ep);
    word_t flags = IPC_IS_CALL | IPC_FAULT;
    if (cap_has_rights(ep, RIGHT_GRANT_REPLY))
        flags |= IPC_CAN_GRANT_REPLY;
    endpoint_send(cap_ptr(ep), t, (struct ipc_send){ cap_badge(ep), flags }, true);
}

void fault_write_message(struct tcb *faulter, struct tcb *receiver, word_t badge)
{
    unsigned length = 4;
    for (unsigned i = 0; i < 4; i++)
        receiver->ctx.x[2 + i] = faulter->fault.data[i];
    /* Unknown system call: data holds pc, sp, number, ESR; x0-x7 follow in MR4-MR11. */
    struct ipc_buffer *buf =
        faulter->fault.kind == FAULT_UNKNOWN_SYSCALL ? thread_ipc_buffer(receiver) : NULL;
    if (buf) {
        for (unsigned i = 0; i < 8; i++)
            buf->msg[4 + i] = faulter->ctx.x[i];
        length = FAULT_UNKNOWN_SYSCALL_LENGTH;
    }
    if (faulter->fault.kind == FAULT_VCPU)
        length = vcpu_exit_message_extra(faulter, receiver);
    receiver->ctx.x[0] = badge;
    receiver->ctx.x[1] = msginfo_new(faulter->fault.kind, 0, 0, length);
    thread_set_error(receiver, ERR_NONE, 0);
}

static void set_registers_from(struct tcb *faulter, struct tcb *handler, unsigned length)
{
    if (length > 0)
        faulter->ctx.pc = thread_message_register(handler, 0);
    if (length > 1)
        faulter->ctx.sp = thread_message_register(handler, 1);
    for (unsigned i = 2; i < length && i - 2 < 31; i++)
        faulter->ctx.x[i - 2] = thread_message_register(handler, i);
}

bool fault_apply_reply(struct tcb *faulter, struct tcb *handler)
{
    word_t info = handler->ctx.x[1];
    word_t kind = faulter->fault.kind;
    faulter->fault.kind = FAULT_NONE;
    if (kind == FAULT_VCPU)
        return vcpu_apply_reply(faulter, handler);
    switch (msginfo_label(info)) {
    case FAULT_REPLY_RESUME:
        return true;
    case FAULT_REPLY_SET_REGISTERS:
        set_registers_from(faulter, handler, msginfo_length(info));
        return true;
    case FAULT_REPLY_SKIP:
        faulter->ctx.pc += 4;
        return true;
    default:
        return false;
    }
}

void fault_reply_held_back(struct tcb *faulter)
{
    if (faulter->yielding) {
        faulter->yielding = 0;
        faulter->state = THREAD_RUNNING;
        sched_enqueue(faulter); /* behind the ready threads of its priority */
    } else {
        faulter->state = THREAD_INACTIVE;
    }
}

void fault_handle_reply(struct tcb *faulter, struct tcb *handler)
{
    if (fault_apply_reply(faulter, handler))
        sched_wake(faulter, true);
    else
        fault_reply_held_back(faulter);
}
