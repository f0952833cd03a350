/*
 * The IPC fastpath: Call and ReplyRecv with a short message (up to four
 * registers, no capabilities) between threads where the one woken runs
 * next. Every condition is checked before anything changes; anything else
 * goes to the general path in syscall.c, which gives the same result.
 */
#include <abi/msginfo.h>
#include <abi/syscall.h>
#include <arch/thread_switch.h>
#include <cella/fastpath.h>
#include <cella/objects.h>
#include <cella/syscall.h>
#include <cella/tcb.h>

/* Only single-level CSpaces are fast; anything else is looked up by the general path. */
static ALWAYS_INLINE cap_t lookup_cap(struct tcb *t, word_t cptr)
{
    struct cte *slot = cspace_lookup_single_level(thread_cspace(t), cptr);
    return slot ? slot->cap : cap_null();
}

static ALWAYS_INLINE bool short_message(word_t info)
{
    return msginfo_extra_caps(info) == 0 && msginfo_length(info) <= MSG_REGISTERS_IN_CPU;
}

/* The woken thread runs next only if nobody ready outranks it. */
static ALWAYS_INLINE bool runs_next(const struct tcb *woken)
{
    return !sched_ready_above(woken->priority);
}

/*
 * The general path, for anything the fastpath does not take: it wants the
 * arguments saved. One function per system call keeps the arguments to
 * eight registers, so the fastpath can leave with a plain branch.
 */
#define GIVE_UP(name, number)                                                            \
    static __attribute__((noinline)) void name(struct tcb *self, word_t cptr, word_t info, \
                                               word_t mr0, word_t mr1, word_t mr2, word_t mr3, \
                                               word_t reply)                             \
    {                                                                                    \
        word_t *x = self->ctx.x;                                                         \
        x[0] = cptr;                                                                     \
        x[1] = info;                                                                     \
        x[2] = mr0;                                                                      \
        x[3] = mr1;                                                                      \
        x[4] = mr2;                                                                      \
        x[5] = mr3;                                                                      \
        x[6] = reply;                                                                    \
        x[7] = number;                                                                   \
        handle_syscall();                                                                \
    }
GIVE_UP(give_up_call, SYS_CALL)
GIVE_UP(give_up_reply_recv, SYS_REPLY_RECV)

/* Switching to another VSpace: out of line, as it has a VMID to find. */
static __attribute__((noinline)) void switch_slowly(struct tcb *from, struct tcb *to, word_t badge,
                                                    word_t info, word_t mr0, word_t mr1, word_t mr2,
                                                    word_t mr3)
{
    arch_switch_thread(from, to);
    current_thread = to;
    fastpath_restore(badge, info, mr0, mr1, mr2, mr3, &to->ctx);
}

/* Runs `to` with the message in its registers; nothing of it goes through memory. */
static ALWAYS_INLINE void switch_with_message(struct tcb *from, struct tcb *to, word_t badge,
                                             word_t info, word_t mr0, word_t mr1, word_t mr2,
                                             word_t mr3)
{
    info = msginfo_new(msginfo_label(info), 0, 0, msginfo_length(info));
    to->state = THREAD_RUNNING;
    if (unlikely(to->slots[TCB_SLOT_VSPACE].cap.w0 != from->slots[TCB_SLOT_VSPACE].cap.w0)) {
        switch_slowly(from, to, badge, info, mr0, mr1, mr2, mr3);
        return;
    }
    fpu_switch_inline(to);
    word_t tls;
    __asm__ volatile("mrs %0, tpidr_el0" : "=r"(tls));
    from->tls_base = tls;
    __asm__ volatile("msr tpidr_el0, %0" ::"r"(to->tls_base));
    __asm__ volatile("msr tpidrro_el0, %0" ::"r"(to->ipc_buffer_addr));
    current_thread = to;
    fastpath_restore(badge, info, mr0, mr1, mr2, mr3, &to->ctx);
}

void fastpath_call(word_t cptr, word_t info, word_t mr0, word_t mr1, word_t mr2, word_t mr3,
                   word_t reply_cptr, struct tcb *caller)
{
    cap_t cap = lookup_cap(caller, cptr);
    if (unlikely(!short_message(info) || cap_type(cap) != CAP_ENDPOINT ||
                 !cap_has_rights(cap, RIGHT_WRITE))) {
        give_up_call(caller, cptr, info, mr0, mr1, mr2, mr3, reply_cptr);
        return;
    }
    struct endpoint *ep = cap_ptr(cap);
    struct tcb *server = ep->queue.head;
    if (unlikely(!server || server->state != THREAD_BLOCKED_ON_RECV || !server->reply ||
                 server->vcpu || !runs_next(server))) {
        give_up_call(caller, cptr, info, mr0, mr1, mr2, mr3, reply_cptr);
        return;
    }

    ep->queue.head = server->ep_next; /* the server is the head */
    if (server->ep_next)
        server->ep_next->ep_prev = NULL;
    else
        ep->queue.tail = NULL;
    server->ep_next = NULL;
    struct reply *reply = server->reply;
    server->reply = NULL;
    reply->server = NULL;
    reply->caller = caller;
    reply->can_grant = cap_has_rights(cap, RIGHT_GRANT_REPLY);
    caller->reply = reply;
    caller->state = THREAD_BLOCKED_ON_REPLY;
    switch_with_message(caller, server, cap_badge(cap), info, mr0, mr1, mr2, mr3);
}

void fastpath_reply_recv(word_t cptr, word_t info, word_t mr0, word_t mr1, word_t mr2, word_t mr3,
                         word_t reply_cptr, struct tcb *server)
{
    cap_t ep_cap = lookup_cap(server, cptr), reply_cap = lookup_cap(server, reply_cptr);
    if (unlikely(!short_message(info) || cap_type(ep_cap) != CAP_ENDPOINT ||
                 !cap_has_rights(ep_cap, RIGHT_READ) || cap_type(reply_cap) != CAP_REPLY)) {
        give_up_reply_recv(server, cptr, info, mr0, mr1, mr2, mr3, reply_cptr);
        return;
    }
    struct endpoint *ep = cap_ptr(ep_cap);
    struct reply *reply = cap_ptr(reply_cap);
    struct tcb *caller = reply->caller;
    struct tcb *waiting = ep->queue.head;
    if (unlikely(!caller || caller->fault.kind || caller->vcpu || reply->server ||
                 (waiting && waiting->state == THREAD_BLOCKED_ON_SEND) ||
                 (server->bound_notification && server->bound_notification->word) ||
                 !runs_next(caller))) {
        give_up_reply_recv(server, cptr, info, mr0, mr1, mr2, mr3, reply_cptr);
        return;
    }

    reply->caller = NULL;
    caller->reply = NULL;
    server->state = THREAD_BLOCKED_ON_RECV;
    server->blocked_on = ep;
    server->reply = reply;
    reply->server = server;
    server->ep_next = NULL; /* the queue holds no senders, so it is empty or holds receivers */
    server->ep_prev = ep->queue.tail;
    if (ep->queue.tail)
        ep->queue.tail->ep_next = server;
    else
        ep->queue.head = server;
    ep->queue.tail = server;
    switch_with_message(server, caller, 0, info, mr0, mr1, mr2, mr3);
}
