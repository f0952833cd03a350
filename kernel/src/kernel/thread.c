/* Thread lifecycle and access to a thread's message registers. */
#include <abi/error.h>
#include <abi/fault.h>
#include <abi/syscall.h>
#include <arch/thread_switch.h>
#include <arch/vcpu.h>
#include <cella/objects.h>
#include <cella/tcb.h>

#ifdef CELLA_DEBUG
struct tcb *debug_thread_list;
#endif

void thread_init(struct tcb *t)
{
    t->ctx.spsr = SPSR_EL0;
    t->state = THREAD_INACTIVE;
    t->time_slice = TIME_SLICE_TICKS;
#ifdef CELLA_DEBUG
    t->debug_next = debug_thread_list;
    if (debug_thread_list)
        debug_thread_list->debug_prev = t;
    debug_thread_list = t;
#endif
}

word_t thread_message_register(struct tcb *t, unsigned i)
{
    if (i < MSG_REGISTERS_IN_CPU)
        return t->ctx.x[2 + i];
    struct ipc_buffer *buf = thread_ipc_buffer(t);
    return buf && i < MSG_MAX_LENGTH ? buf->msg[i] : 0;
}

void thread_set_message_register(struct tcb *t, unsigned i, word_t value)
{
    if (i < MSG_REGISTERS_IN_CPU)
        t->ctx.x[2 + i] = value;
    else if (thread_ipc_buffer(t) && i < MSG_MAX_LENGTH)
        thread_ipc_buffer(t)->msg[i] = value;
}

/*
 * A wait ended without an answer. A thread in a system call finds
 * ERR_CANCELLED when it next runs. A thread that was reporting a fault made
 * no system call: it keeps its registers, and its fault is over, so a
 * later reply to a Call of its own is not taken for a fault reply; it
 * raises the fault afresh if it runs the faulting instruction again.
 */
void thread_set_cancelled(struct tcb *t)
{
    if (t->fault.kind != FAULT_NONE)
        t->fault.kind = FAULT_NONE;
    else
        thread_set_error(t, ERR_CANCELLED, 0);
}

/* Takes a thread out of whatever wait it is in. */
void thread_cancel_ipc(struct tcb *t)
{
    if (t->state >= THREAD_BLOCKED_ON_RECV)
        thread_set_cancelled(t);
    switch (t->state) {
    case THREAD_BLOCKED_ON_SEND:
    case THREAD_BLOCKED_ON_RECV:
        endpoint_remove(t->blocked_on, t);
        reply_release_server(t);
        break;
    case THREAD_BLOCKED_ON_NOTIFICATION:
        notification_remove(t->blocked_on, t);
        break;
    case THREAD_BLOCKED_ON_REPLY:
        reply_unlink_caller(t);
        break;
    case THREAD_BLOCKED_ON_VIRQ:
        t->vcpu->waiting = false;
        break;
    default:
        break;
    }
}

void thread_suspend(struct tcb *t)
{
    thread_cancel_ipc(t);
    sched_dequeue(t);
    t->state = THREAD_INACTIVE;
}

void thread_resume(struct tcb *t)
{
    if (t->state != THREAD_INACTIVE)
        return;
    sched_wake(t, false);
}

/* The TCB's last capability is going: let go of everything that points at it. */
void thread_destroy(struct tcb *t)
{
    thread_suspend(t);
    notification_unbind_tcb(t);
    vcpu_unbind_tcb(t);
    fpu_release(t);
    if (current_thread == t)
        current_thread = NULL;
#ifdef CELLA_DEBUG
    if (t->debug_prev)
        t->debug_prev->debug_next = t->debug_next;
    else
        debug_thread_list = t->debug_next;
    if (t->debug_next)
        t->debug_next->debug_prev = t->debug_prev;
#endif
}
