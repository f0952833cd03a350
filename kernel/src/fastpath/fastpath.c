/*
 * The fastpaths: the common cases of Call, ReplyRecv, Signal, Yield and of
 * fault delivery and reply, each in one pass. Every condition is checked
 * before anything changes; anything else goes to the general path
 * (syscall.c, faults.c), which gives the same result. tests/ktest's
 * test_fastpath.c holds each case against its general twin.
 *
 * Scheduling needs no queue for most of them: a thread only enters the
 * kernel while no ready thread outranks it (the scheduler runs at every
 * exit), so a thread it wakes that is at least its equal runs next for
 * certain; only a lower one needs the ready queues asked.
 *
 * Every way out is a tail call (fastpath_restore, fastpath_resume, a
 * give_up_*) followed by return, and the hot paths call nothing else, so
 * the compiler keeps every value in registers and builds no stack frame.
 */
#include <abi/error.h>
#include <abi/fault.h>
#include <abi/msginfo.h>
#include <abi/syscall.h>
#include <arch/fast_switch.h>
#include <arch/thread_switch.h>
#include <cella/fastpath.h>
#include <cella/faults.h>
#include <cella/objects.h>
#include <cella/panic.h>
#include <cella/syscall.h>
#include <cella/tcb.h>

#define NOINLINE __attribute__((noinline))

/*
 * The general path, for anything a fastpath does not take: it wants the
 * arguments saved. One function per system call keeps the arguments to
 * eight registers, so a fastpath can leave with a plain branch.
 */
#define GIVE_UP(name, number)                                                                      \
    static NOINLINE void name(word_t cptr, word_t info, word_t mr0, word_t mr1, word_t mr2,        \
                              word_t mr3, word_t reply, struct tcb *self)                          \
    {                                                                                              \
        word_t *x = self->ctx.x;                                                                   \
        x[0] = cptr;                                                                               \
        x[1] = info;                                                                               \
        x[2] = mr0;                                                                                \
        x[3] = mr1;                                                                                \
        x[4] = mr2;                                                                                \
        x[5] = mr3;                                                                                \
        x[6] = reply;                                                                              \
        x[7] = number;                                                                             \
        handle_syscall();                                                                          \
    }
GIVE_UP(give_up_call, SYS_CALL)
GIVE_UP(give_up_reply_recv, SYS_REPLY_RECV)
GIVE_UP(give_up_send, SYS_SEND)
GIVE_UP(give_up_yield, SYS_YIELD)

/* A capability of this type with these rights. */
static ALWAYS_INLINE bool cap_is(cap_t cap, unsigned type, unsigned rights)
{
    return cap_type(cap) == type && cap_has_rights(cap, rights);
}

/*
 * The capabilities two addresses name in t's CSpace, when its root CNode
 * resolves every address in one step; false for any other CSpace, and for
 * an address whose guard does not match (the general path says why).
 */
static ALWAYS_INLINE bool lookup_two(const struct tcb *t, word_t a, word_t b, cap_t *cap_a,
                                     cap_t *cap_b)
{
    struct single_level cspace;
    struct cte *slot_a, *slot_b;
    if (!single_level_root(thread_cspace(t), &cspace) || !single_level_slot(cspace, a, &slot_a) ||
        !single_level_slot(cspace, b, &slot_b))
        return false;
    *cap_a = slot_a->cap;
    *cap_b = slot_b->cap;
    return true;
}

static ALWAYS_INLINE bool lookup(const struct tcb *t, word_t cptr, cap_t *cap)
{
    struct single_level cspace;
    struct cte *slot;
    if (!single_level_root(thread_cspace(t), &cspace) || !single_level_slot(cspace, cptr, &slot))
        return false;
    *cap = slot->cap;
    return true;
}

/*
 * Up to four message registers and no capabilities: all of it in CPU
 * registers. (The extra caps sit just above the length in the message info.)
 */
static ALWAYS_INLINE bool short_message(word_t info)
{
    _Static_assert(MSG_MAX_LENGTH < BIT(7) && MSG_MAX_EXTRA_CAPS < BIT(2), "abi/msginfo.h layout");
    return (info & MASK(9)) <= MSG_REGISTERS_IN_CPU;
}

/* A short message's info as its receiver sees it: no capabilities were unwrapped. */
static ALWAYS_INLINE word_t received_info(word_t info)
{
    return info & ~msginfo_new(0, 7, 0, 0);
}

/* Whether woken runs next once self, the running thread, stops running. */
static ALWAYS_INLINE bool runs_next(const struct tcb *woken, const struct tcb *self)
{
    return woken->priority >= self->priority || !sched_ready_above(woken->priority);
}

/* The receiver waiting at ep's head with a reply object, if it is a native thread that runs next.
 */
static ALWAYS_INLINE struct tcb *waiting_receiver(struct endpoint *ep, const struct tcb *self)
{
    struct tcb *r = ep->queue.head;
    if (!r || r->state != THREAD_BLOCKED_ON_RECV || !r->reply || r->vcpu || !runs_next(r, self))
        return NULL;
    return r;
}

/*
 * The receiver at the head of ep's queue, taken off it and linked to caller
 * through its reply object. can_grant: nonzero if the caller's capability
 * had GRANT_REPLY.
 */
static ALWAYS_INLINE void link_to_receiver(struct endpoint *ep, struct tcb *receiver,
                                           struct tcb *caller, word_t can_grant)
{
    struct tcb *next = receiver->ep_next;
    if (likely(!next)) {
        ep->queue.head = ep->queue.tail = NULL;
    } else {
        ep->queue.head = next;
        next->ep_prev = NULL;
        receiver->ep_next = NULL;
    }
    struct reply *reply = receiver->reply;
    receiver->reply = NULL;
    reply->server = NULL;
    reply->caller = caller;
    reply->can_grant = can_grant;
    caller->reply = reply;
    caller->state = THREAD_BLOCKED_ON_REPLY;
}

/*
 * The end of Recv when nobody is sending: t waits on ep, with reply to
 * answer its caller through. first is ep's first waiter (a receiver), if any.
 */
static ALWAYS_INLINE void wait_on(struct endpoint *ep, struct tcb *first, struct tcb *t,
                                  struct reply *reply)
{
    reply->caller = NULL;
    reply->server = t;
    t->reply = reply;
    t->state = THREAD_BLOCKED_ON_RECV;
    t->blocked_on = ep;
    if (likely(!first)) { /* thread_queue_append, in place */
        t->ep_next = NULL;
        t->ep_prev = NULL;
        ep->queue.head = t;
        ep->queue.tail = t;
    } else {
        t->ep_next = NULL;
        t->ep_prev = ep->queue.tail;
        ep->queue.tail->ep_next = t;
        ep->queue.tail = t;
    }
}

/* Between two native threads of one VSpace only a light switch is needed; otherwise a full one. */
static ALWAYS_INLINE bool switch_is_light(const struct tcb *from, const struct tcb *to)
{
    return from->slots[TCB_SLOT_VSPACE].cap.w0 == to->slots[TCB_SLOT_VSPACE].cap.w0 &&
           !from->vcpu && !to->vcpu;
}

/* Runs `to` with every register from its context, whatever kind of switch it takes. */
static NOINLINE void switch_and_resume(struct tcb *from, struct tcb *to)
{
    current_thread = to;
    if (switch_is_light(from, to))
        arch_switch_light(from, to);
    else
        arch_switch_thread(from, to);
    fastpath_resume(&to->ctx);
}

/* A full switch, with the message to deliver: out of line, as it is rare. */
static NOINLINE void switch_heavy_with_message(struct tcb *from, struct tcb *to, word_t badge,
                                               word_t info, word_t mr0, word_t mr1, word_t mr2,
                                               word_t mr3)
{
    current_thread = to;
    arch_switch_thread(from, to);
    fastpath_restore(badge, info, mr0, mr1, mr2, mr3, &to->ctx);
}

/*
 * Runs `to`, which waits in a system call, with the message in its
 * registers; nothing of the message goes through memory. Neither thread is
 * a guest (the callers checked).
 */
static ALWAYS_INLINE void switch_with_message(struct tcb *from, struct tcb *to, word_t badge,
                                              word_t info, word_t mr0, word_t mr1, word_t mr2,
                                              word_t mr3)
{
    info = received_info(info);
    to->state = THREAD_RUNNING;
    if (unlikely(from->slots[TCB_SLOT_VSPACE].cap.w0 != to->slots[TCB_SLOT_VSPACE].cap.w0)) {
        switch_heavy_with_message(from, to, badge, info, mr0, mr1, mr2, mr3);
        return;
    }
    arch_switch_light(from, to);
    current_thread = to;
    fastpath_restore(badge, info, mr0, mr1, mr2, mr3, &to->ctx);
}

/* Call on an endpoint whose receiver waits: it gets the message and the caller waits for its reply.
 */
void fastpath_call(word_t cptr, word_t info, word_t mr0, word_t mr1, word_t mr2, word_t mr3,
                   word_t reply_cptr, struct tcb *caller)
{
    cap_t cap;
    struct tcb *server;
    if (unlikely(!short_message(info) || !lookup(caller, cptr, &cap) ||
                 !cap_is(cap, CAP_ENDPOINT, RIGHT_WRITE) ||
                 !(server = waiting_receiver(cap_ptr(cap), caller)))) {
        give_up_call(cptr, info, mr0, mr1, mr2, mr3, reply_cptr, caller);
        return;
    }
    link_to_receiver(cap_ptr(cap), server, caller, cap_rights(cap) & RIGHT_GRANT_REPLY);
    switch_with_message(caller, server, cap_badge(cap), info, mr0, mr1, mr2, mr3);
}

/*
 * ReplyRecv's reply went to a thread that faulted: its handler's answer
 * (label and registers, saved in the server's context) says how it goes on,
 * with every register of its own.
 */
static NOINLINE void reply_to_faulter(struct endpoint *ep, struct reply *reply, struct tcb *caller,
                                      struct tcb *server)
{
    caller->reply = NULL;
    reply->caller = NULL;
    if (!fault_apply_reply(caller, server)) {
        /* Suspended by its handler, or yielding: the general path finds who runs instead. */
        fault_reply_held_back(caller);
        server->ctx.x[7] = SYS_RECV; /* the reply is done; the Recv remains */
        handle_syscall();
    }
    wait_on(ep, ep->queue.head, server, reply);
    caller->state = THREAD_RUNNING;
    switch_and_resume(server, caller);
}

/*
 * ReplyRecv whose caller waits and runs next, with nobody sending on the
 * endpoint: the caller gets the reply and the server waits on the endpoint.
 */
void fastpath_reply_recv(word_t cptr, word_t info, word_t mr0, word_t mr1, word_t mr2, word_t mr3,
                         word_t reply_cptr, struct tcb *server)
{
    cap_t ep_cap, reply_cap;
    if (unlikely(!short_message(info) ||
                 !lookup_two(server, cptr, reply_cptr, &ep_cap, &reply_cap) ||
                 !cap_is(ep_cap, CAP_ENDPOINT, RIGHT_READ) || cap_type(reply_cap) != CAP_REPLY)) {
        give_up_reply_recv(cptr, info, mr0, mr1, mr2, mr3, reply_cptr, server);
        return;
    }
    struct endpoint *ep = cap_ptr(ep_cap);
    struct reply *reply = cap_ptr(reply_cap);
    /* A reply object with a caller has no server (reply.c), so only the caller needs checking. */
    struct tcb *caller = reply->caller, *waiting = ep->queue.head;
    struct notification *bound = server->bound_notification;
    if (unlikely(!caller || !runs_next(caller, server) ||
                 (waiting && waiting->state == THREAD_BLOCKED_ON_SEND) || (bound && bound->word))) {
        give_up_reply_recv(cptr, info, mr0, mr1, mr2, mr3, reply_cptr, server);
        return;
    }

    if (unlikely(caller->fault.kind != FAULT_NONE || caller->vcpu))
        goto fault_or_guest;
    caller->reply = NULL;
    wait_on(ep, waiting, server, reply);
    switch_with_message(server, caller, 0, info, mr0, mr1, mr2, mr3);
    return;

fault_or_guest:
    if (caller->fault.kind == FAULT_NONE) { /* a guest blocked in a Call of its own */
        give_up_reply_recv(cptr, info, mr0, mr1, mr2, mr3, reply_cptr, server);
        return;
    }
    word_t *x = server->ctx.x; /* where the fault's reply, and the general path, find them */
    x[0] = cptr;
    x[1] = info;
    x[2] = mr0;
    x[3] = mr1;
    x[4] = mr2;
    x[5] = mr3;
    x[6] = reply_cptr;
    reply_to_faulter(ep, reply, caller, server);
}

/* Signal: wakes the notification's first waiter, or leaves the badge in its word. */
void fastpath_send(word_t cptr, word_t info, word_t mr0, word_t mr1, word_t mr2, word_t mr3,
                   word_t reply_cptr, struct tcb *self)
{
    cap_t cap;
    if (unlikely(!lookup(self, cptr, &cap) || !cap_is(cap, CAP_NOTIFICATION, RIGHT_WRITE))) {
        give_up_send(cptr, info, mr0, mr1, mr2, mr3, reply_cptr, self);
        return;
    }
    struct notification *n = cap_ptr(cap);
    word_t bits = cap_badge(cap) ? cap_badge(cap) : 1; /* unbadged: bit 0 */
    struct tcb *waiter = n->queue.head;
    if (!waiter) {
        if (unlikely(n->bound && n->bound->state == THREAD_BLOCKED_ON_RECV)) {
            give_up_send(cptr, info, mr0, mr1, mr2, mr3, reply_cptr, self);
            return;
        }
        n->word |= bits;
        fastpath_restore(cptr, info, mr0, mr1, mr2, mr3, &self->ctx);
        return;
    }

    /* Sends return x0-x5 as they were, with no error. */
    word_t *x = self->ctx.x;
    x[0] = cptr;
    x[1] = info;
    x[2] = mr0;
    x[3] = mr1;
    x[4] = mr2;
    x[5] = mr3;
    x[6] = 0;
    x[7] = ERR_NONE;
    thread_queue_remove(&n->queue, waiter);
    waiter->blocked_on = NULL;
    waiter->ctx.x[0] = bits;
    waiter->ctx.x[1] = 0;
    waiter->ctx.x[6] = RECV_FROM_NOTIFICATION;
    waiter->ctx.x[7] = ERR_NONE;
    waiter->state = THREAD_RUNNING;
    if (waiter->priority <= self->priority) {
        sched_enqueue(waiter);
        fastpath_resume(&self->ctx);
        return;
    }
    sched_enqueue_front(self); /* preempted: it resumes its time slice first */
    switch_and_resume(self, waiter);
}

/* Yield with nobody else ready at this priority (nobody above is): carry on. */
void fastpath_yield(word_t cptr, word_t info, word_t mr0, word_t mr1, word_t mr2, word_t mr3,
                    word_t reply_cptr, struct tcb *self)
{
    if (unlikely(sched_ready_at(self->priority))) {
        give_up_yield(cptr, info, mr0, mr1, mr2, mr3, reply_cptr, self);
        return;
    }
    fastpath_restore(cptr, info, mr0, mr1, mr2, mr3, &self->ctx);
}

void fastpath_fault(struct tcb *faulter, cap_t ep_cap)
{
    struct endpoint *ep = cap_ptr(ep_cap);
    struct tcb *handler = waiting_receiver(ep, faulter);
    assert(faulter == current_thread);
    if (!handler)
        return;
    link_to_receiver(ep, handler, faulter, cap_rights(ep_cap) & RIGHT_GRANT_REPLY);
    fault_write_message(faulter, handler, cap_badge(ep_cap));
    handler->state = THREAD_RUNNING;
    switch_and_resume(faulter, handler);
}
