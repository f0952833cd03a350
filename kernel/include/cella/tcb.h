/* Threads: the TCB object, thread states and what the scheduler needs of them. */
#pragma once

#include <abi/ipc_buffer.h>
#include <arch/context.h>
#include <arch/fpu.h>
#include <cella/cnode.h>
#include <cella/objects.h>

enum thread_state {
    THREAD_INACTIVE,
    THREAD_RUNNING, /* runnable: running now or in a ready queue */
    THREAD_BLOCKED_ON_RECV,
    THREAD_BLOCKED_ON_SEND,
    THREAD_BLOCKED_ON_REPLY,
    THREAD_BLOCKED_ON_NOTIFICATION,
    THREAD_BLOCKED_ON_VIRQ, /* a guest in WFI, until an interrupt is injected for it */
};

/* Why a blocked sender is sending (ipc_flags). */
#define IPC_IS_CALL BIT(0)
#define IPC_CAN_GRANT BIT(1)
#define IPC_CAN_GRANT_REPLY BIT(2)
#define IPC_FAULT BIT(3) /* the message is the pending fault, not the registers */

/* The capabilities a TCB holds, so the objects it uses outlive it. */
enum tcb_slot { TCB_SLOT_CSPACE, TCB_SLOT_VSPACE, TCB_SLOT_IPC_BUFFER, TCB_SLOT_COUNT };

struct fault {
    word_t kind; /* FAULT_* */
    word_t data[4];
};

struct tcb {
    struct user_context ctx;
    struct fpu_state fpu;
    struct cte slots[TCB_SLOT_COUNT];

    uint8_t state;
    uint8_t priority;
    uint8_t mcp;       /* the highest priority this thread may give any thread */
    uint8_t yielding;  /* goes to the back of its queue at the next schedule */
    uint8_t fpu_owned; /* the FP registers hold this thread's state (arch/fpu.h) */
    uint16_t time_slice;
    struct tcb *sched_next, *sched_prev;

    struct tcb *ep_next, *ep_prev; /* endpoint or notification queue */
    void *blocked_on;
    word_t ipc_badge;
    word_t ipc_flags;
    struct reply
        *reply; /* receivers: the reply object given to Recv; callers: the one they wait on */
    struct notification *bound_notification;

    word_t fault_ep; /* capability pointer, looked up in this thread's CSpace at fault time */
    struct fault fault;
    word_t ipc_buffer_addr;
    struct ipc_buffer *ipc_buffer; /* kernel view of it: read it with thread_ipc_buffer() */
    word_t tls_base;
    word_t syscall_emulation; /* where foreign system calls go, or 0 */
    word_t emulation_return;  /* set while the emulation entry runs */
    struct vcpu *vcpu;

#ifdef CELLA_DEBUG
    struct tcb *debug_next, *debug_prev;
    char name[24];
#endif
};

_Static_assert(sizeof(struct tcb) <= (1u << TCB_SIZE_BITS), "TCB fits its object");

static inline struct tcb *tcb_from_cap(cap_t c)
{
    return cap_ptr(c);
}

/* Kernel state of this CPU. */
extern struct tcb *current_thread;

static inline bool thread_is_runnable(const struct tcb *t)
{
    return t->state == THREAD_RUNNING;
}

/* Return values of the system call a thread is blocked in or about to return from. */
static inline void thread_set_error(struct tcb *t, word_t error, word_t detail)
{
    t->ctx.x[7] = error;
    t->ctx.x[6] = detail;
}

/* thread.c */
void thread_init(struct tcb *t);
void thread_suspend(struct tcb *t);
void thread_resume(struct tcb *t);
void thread_cancel_ipc(struct tcb *t);
void thread_set_cancelled(struct tcb *t);
void thread_destroy(struct tcb *t);
word_t thread_message_register(struct tcb *t, unsigned i);
void thread_set_message_register(struct tcb *t, unsigned i, word_t value);

static inline cap_t thread_cspace(const struct tcb *t)
{
    return t->slots[TCB_SLOT_CSPACE].cap;
}

/*
 * The thread's IPC buffer, or NULL. Only while the TCB still holds the
 * frame's capability: revoking the frame (or its untyped) empties that slot
 * and the memory may become another object, so the cached pointer alone
 * must never be used.
 */
static inline struct ipc_buffer *thread_ipc_buffer(const struct tcb *t)
{
    return cap_is_frame(t->slots[TCB_SLOT_IPC_BUFFER].cap) ? t->ipc_buffer : NULL;
}

/* scheduler.c */
void sched_enqueue(struct tcb *t);
void sched_enqueue_front(struct tcb *t);
void sched_dequeue(struct tcb *t);
void sched_wake(struct tcb *t, bool switch_if_higher);
void sched_tick(void);
int sched_highest_ready(void);

/*
 * Which priorities have ready threads: one bit per level, and a summary bit
 * per word of levels, so the highest is two count-leading-zeros away.
 */
struct ready_levels {
    word_t summary;
    word_t levels[PRIORITY_LEVELS / WORD_BITS];
};
extern struct ready_levels ready_levels;

/* Whether any ready thread outranks prio: whether a thread woken at prio runs next. */
static ALWAYS_INLINE bool sched_ready_above(unsigned prio)
{
    unsigned w = prio / WORD_BITS, b = prio % WORD_BITS;
    return ((ready_levels.levels[w] >> b) >> 1) != 0 || ((ready_levels.summary >> w) >> 1) != 0;
}

/* Whether a thread of priority prio is ready: whether yielding at prio hands over. */
static ALWAYS_INLINE bool sched_ready_at(unsigned prio)
{
    return (ready_levels.levels[prio / WORD_BITS] >> (prio % WORD_BITS)) & 1;
}
void sched_yield(void);
/* Takes the thread to run next out of the ready queues (or keeps the current one); NULL: idle. */
struct tcb *sched_choose_next(void);
/* kernel_exit.c */
NORETURN void kernel_exit(void);
