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

static ALWAYS_INLINE void deliver(struct tcb *to, word_t badge, word_t info, word_t mr0, word_t mr1,
                           word_t mr2, word_t mr3)
{
    to->ctx.x[0] = badge;
    to->ctx.x[1] = msginfo_new(msginfo_label(info), 0, 0, msginfo_length(info));
    to->ctx.x[2] = mr0;
    to->ctx.x[3] = mr1;
    to->ctx.x[4] = mr2;
    to->ctx.x[5] = mr3;
    to->ctx.x[6] = 0;
    to->ctx.x[7] = 0;
    to->state = THREAD_RUNNING;
}

static ALWAYS_INLINE NORETURN void switch_to(struct tcb *from, struct tcb *to)
{
    arch_switch_thread_fast(from, to);
    current_thread = to;
    restore_user_context(&to->ctx);
}

void fastpath_call(word_t cptr, word_t info, word_t mr0, word_t mr1, word_t mr2, word_t mr3)
{
    struct tcb *caller = current_thread;
    cap_t cap = lookup_cap(caller, cptr);
    if (!short_message(info) || cap_type(cap) != CAP_ENDPOINT || !cap_has_rights(cap, RIGHT_WRITE))
        handle_syscall();
    struct endpoint *ep = cap_ptr(cap);
    struct tcb *server = ep->queue.head;
    if (!server || server->state != THREAD_BLOCKED_ON_RECV || !server->reply || server->vcpu ||
        !runs_next(server))
        handle_syscall();

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
    deliver(server, cap_badge(cap), info, mr0, mr1, mr2, mr3);
    switch_to(caller, server);
}

void fastpath_reply_recv(word_t cptr, word_t info, word_t mr0, word_t mr1, word_t mr2, word_t mr3,
                         word_t reply_cptr)
{
    struct tcb *server = current_thread;
    cap_t ep_cap = lookup_cap(server, cptr), reply_cap = lookup_cap(server, reply_cptr);
    if (!short_message(info) || cap_type(ep_cap) != CAP_ENDPOINT ||
        !cap_has_rights(ep_cap, RIGHT_READ) || cap_type(reply_cap) != CAP_REPLY)
        handle_syscall();
    struct endpoint *ep = cap_ptr(ep_cap);
    struct reply *reply = cap_ptr(reply_cap);
    struct tcb *caller = reply->caller;
    struct tcb *waiting = ep->queue.head;
    if (!caller || caller->fault.kind || caller->vcpu || reply->server ||
        (waiting && waiting->state == THREAD_BLOCKED_ON_SEND) ||
        (server->bound_notification && server->bound_notification->word) || !runs_next(caller))
        handle_syscall();

    reply->caller = NULL;
    caller->reply = NULL;
    deliver(caller, 0, info, mr0, mr1, mr2, mr3);
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
    switch_to(server, caller);
}
