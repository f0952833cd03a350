/*
 * System calls, the slow path: anything the fastpath does not take. Every
 * path ends in kernel_exit, which picks the thread to run next.
 */
#include <abi/fault.h>
#include <abi/syscall.h>
#include <cella/debug.h>
#include <cella/faults.h>
#include <cella/invocation.h>
#include <cella/syscall.h>

/* The capability a system call names in x0 (or x6 for reply objects). */
static struct cte *lookup_or_fail(struct tcb *t, word_t cptr)
{
    struct lookup l = cspace_lookup_cap(thread_cspace(t), cptr);
    if (l.error || cap_is_null(l.slot->cap)) {
        thread_set_error(t, ERR_INVALID_CAPABILITY, 0);
        return NULL;
    }
    return l.slot;
}

static bool need_rights(struct tcb *t, cap_t cap, unsigned rights)
{
    if (cap_has_rights(cap, rights))
        return true;
    thread_set_error(t, ERR_INSUFFICIENT_RIGHTS, 0);
    return false;
}

static void copy_results(struct tcb *t, const struct invocation *inv)
{
    unsigned n = inv->result_length;
    if (n > MSG_REGISTERS_IN_CPU && !thread_ipc_buffer(t))
        n = MSG_REGISTERS_IN_CPU;
    for (unsigned i = 0; i < n; i++)
        thread_set_message_register(t, i, inv->result[i]);
    t->ctx.x[1] = msginfo_new(0, 0, 0, n);
}

static void invoke_object(struct tcb *t, struct cte *slot, bool is_call)
{
    word_t info = t->ctx.x[1];
    struct invocation inv = { .thread = t,
                              .slot = slot,
                              .cap = slot->cap,
                              .label = msginfo_label(info),
                              .length = msginfo_length(info) };
    if (inv.length > MSG_REGISTERS_IN_CPU && !thread_ipc_buffer(t))
        inv.length = MSG_REGISTERS_IN_CPU;
    unsigned err = decode_invocation(&inv);
    if (!thread_is_runnable(t))
        return; /* the invocation suspended or destroyed its own caller */
    thread_set_error(t, err, inv.detail);
    if (is_call)
        copy_results(t, &inv);
}

static void syscall_send(struct tcb *t, bool is_call, bool blocking)
{
    struct cte *slot = lookup_or_fail(t, t->ctx.x[0]);
    if (!slot)
        return;
    cap_t cap = slot->cap;
    switch (cap_type(cap)) {
    case CAP_ENDPOINT: {
        if (!need_rights(t, cap, RIGHT_WRITE))
            return;
        word_t flags = (is_call ? IPC_IS_CALL : 0) |
                       (cap_has_rights(cap, RIGHT_GRANT) ? IPC_CAN_GRANT : 0) |
                       (cap_has_rights(cap, RIGHT_GRANT_REPLY) ? IPC_CAN_GRANT_REPLY : 0);
        endpoint_send(cap_ptr(cap), t, (struct ipc_send){ cap_badge(cap), flags }, blocking);
        return;
    }
    case CAP_NOTIFICATION:
        if (is_call && msginfo_label(t->ctx.x[1]) == NOTIFICATION_SET_TIMER)
            invoke_object(t, slot, is_call);
        else if (need_rights(t, cap, RIGHT_WRITE))
            notification_signal(cap_ptr(cap), cap_badge(cap));
        return;
    case CAP_REPLY:
        reply_send(cap_ptr(cap), t);
        return;
    default:
        invoke_object(t, slot, is_call);
    }
}

static void syscall_recv(struct tcb *t, word_t reply_cptr, bool blocking)
{
    struct cte *slot = lookup_or_fail(t, t->ctx.x[0]);
    if (!slot)
        return;
    cap_t cap = slot->cap;
    if (cap_type(cap) != CAP_ENDPOINT && cap_type(cap) != CAP_NOTIFICATION) {
        thread_set_error(t, ERR_INVALID_CAPABILITY, 0);
        return;
    }
    if (!need_rights(t, cap, RIGHT_READ))
        return;
    if (cap_type(cap) == CAP_NOTIFICATION) {
        notification_wait(cap_ptr(cap), t, blocking);
        return;
    }
    struct reply *reply = NULL;
    if (reply_cptr) {
        struct cte *r = lookup_or_fail(t, reply_cptr);
        if (!r)
            return;
        if (cap_type(r->cap) != CAP_REPLY) {
            thread_set_error(t, ERR_INVALID_CAPABILITY, 6);
            return;
        }
        reply = cap_ptr(r->cap);
    }
    endpoint_receive(cap_ptr(cap), t, reply, blocking);
}

static bool syscall_reply(struct tcb *t, word_t reply_cptr)
{
    struct cte *slot = lookup_or_fail(t, reply_cptr);
    if (!slot)
        return false;
    if (cap_type(slot->cap) != CAP_REPLY) {
        thread_set_error(t, ERR_INVALID_CAPABILITY, 6);
        return false;
    }
    reply_send(cap_ptr(slot->cap), t);
    return true;
}

/*
 * A foreign (Linux-ABI) system call: run the thread's emulation entry with
 * every register as it was, remembering where to come back to.
 */
void handle_foreign_syscall(word_t esr)
{
    struct tcb *t = current_thread;
    if (t->syscall_emulation && !t->emulation_return) {
        t->emulation_return = t->ctx.pc;
        t->ctx.pc = t->syscall_emulation;
    } else {
        fault_raise(t, FAULT_UNKNOWN_SYSCALL, t->ctx.pc, t->ctx.sp, t->ctx.x[8], esr);
    }
    kernel_exit();
}

/* The emulation entry is done: back after the foreign svc, registers as the entry left them. */
void handle_emulation_return(word_t esr)
{
    struct tcb *t = current_thread;
    if (!t->emulation_return) {
        /* not svc #1: the number is x8 (abi/fault.h) */
        fault_raise(t, FAULT_UNKNOWN_SYSCALL, t->ctx.pc, t->ctx.sp, t->ctx.x[8], esr);
    } else {
        t->ctx.pc = t->emulation_return;
        t->emulation_return = 0;
    }
    kernel_exit();
}

void handle_syscall(void)
{
    struct tcb *t = current_thread;
    word_t number = t->ctx.x[7], reply = t->ctx.x[6];
    thread_set_error(t, ERR_NONE, 0);
    switch (number) {
    case SYS_CALL:
        syscall_send(t, true, true);
        break;
    case SYS_SEND:
        syscall_send(t, false, true);
        break;
    case SYS_NB_SEND:
        syscall_send(t, false, false);
        break;
    case SYS_RECV:
        syscall_recv(t, reply, true);
        break;
    case SYS_NB_RECV:
        syscall_recv(t, reply, false);
        break;
    case SYS_REPLY:
        syscall_reply(t, reply);
        break;
    case SYS_REPLY_RECV:
        if (syscall_reply(t, reply))
            syscall_recv(t, reply, true);
        break;
    case SYS_YIELD:
        sched_yield();
        break;
    default:
        if (!debug_syscall(t, number)) {
            /* The fault shows the registers as the thread left them, not our error code. */
            t->ctx.x[6] = reply;
            t->ctx.x[7] = number;
            fault_raise(t, FAULT_UNKNOWN_SYSCALL, t->ctx.pc, t->ctx.sp, number, sysreg_esr());
        }
        break;
    }
    kernel_exit();
}
