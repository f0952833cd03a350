/*
 * Fixed-priority preemptive scheduling: 256 levels, round-robin within a
 * level on a tick-based time slice. The running thread is never in a ready
 * queue. A thread woken by IPC may become the "candidate" to run next
 * without queueing, so a Call reaches a waiting server directly.
 */
#include <arch/thread_switch.h>
#include <cella/tcb.h>
#include <cella/timer.h>

struct tcb *current_thread;

static struct thread_list {
    struct tcb *head, *tail;
} ready[PRIORITY_LEVELS];
struct ready_levels ready_levels;
static struct tcb *candidate;

static bool is_queued(const struct tcb *t)
{
    return t->sched_prev || ready[t->priority].head == t;
}

static void mark(unsigned prio, bool nonempty)
{
    unsigned w = prio / WORD_BITS;
    if (nonempty)
        ready_levels.levels[w] |= BIT(prio % WORD_BITS);
    else
        ready_levels.levels[w] &= ~BIT(prio % WORD_BITS);
    if (ready_levels.levels[w])
        ready_levels.summary |= BIT(w);
    else
        ready_levels.summary &= ~BIT(w);
}

void sched_enqueue(struct tcb *t)
{
    if (is_queued(t))
        return;
    struct thread_list *q = &ready[t->priority];
    t->sched_next = NULL;
    t->sched_prev = q->tail;
    if (q->tail)
        q->tail->sched_next = t;
    else
        q->head = t;
    q->tail = t;
    mark(t->priority, true);
}

void sched_enqueue_front(struct tcb *t)
{
    if (is_queued(t))
        return;
    struct thread_list *q = &ready[t->priority];
    t->sched_prev = NULL;
    t->sched_next = q->head;
    if (q->head)
        q->head->sched_prev = t;
    else
        q->tail = t;
    q->head = t;
    mark(t->priority, true);
}

void sched_dequeue(struct tcb *t)
{
    if (candidate == t)
        candidate = NULL;
    if (!is_queued(t))
        return;
    struct thread_list *q = &ready[t->priority];
    if (t->sched_prev)
        t->sched_prev->sched_next = t->sched_next;
    else
        q->head = t->sched_next;
    if (t->sched_next)
        t->sched_next->sched_prev = t->sched_prev;
    else
        q->tail = t->sched_prev;
    t->sched_next = t->sched_prev = NULL;
    if (!q->head)
        mark(t->priority, false);
}

/* Highest priority with a ready thread, or -1. */
int sched_highest_ready(void)
{
    if (!ready_levels.summary)
        return -1;
    int w = WORD_BITS - 1 - __builtin_clzl(ready_levels.summary);
    return w * WORD_BITS + (WORD_BITS - 1 - __builtin_clzl(ready_levels.levels[w]));
}

void sched_wake(struct tcb *t, bool switch_if_higher)
{
    t->state = THREAD_RUNNING;
    if (switch_if_higher && !candidate && t != current_thread)
        candidate = t;
    else if (t != current_thread)
        sched_enqueue(t);
}

void sched_yield(void)
{
    if (current_thread)
        current_thread->yielding = 1;
}

void sched_tick(void)
{
    struct tcb *t = current_thread;
    if (t && thread_is_runnable(t) && --t->time_slice == 0) {
        t->time_slice = TIME_SLICE_TICKS;
        t->yielding = 1;
    }
}

/* Puts a thread that lost the choice back where it belongs. */
static void requeue(struct tcb *t)
{
    if (t == current_thread)
        sched_enqueue_front(t); /* preempted: it resumes its slice first */
    else
        sched_enqueue(t);
}

/*
 * The current thread, the candidate or the head of the highest ready queue,
 * whichever ranks first; the losers go back to the ready queues.
 */
struct tcb *sched_choose_next(void)
{
    struct tcb *cur = current_thread, *best = NULL;
    if (cur && thread_is_runnable(cur)) {
        if (cur->yielding) {
            cur->yielding = 0;
            sched_enqueue(cur);
        } else {
            best = cur;
        }
    }
    if (candidate) {
        struct tcb *c = candidate;
        candidate = NULL;
        if (!best || c->priority > best->priority) {
            if (best)
                requeue(best);
            best = c;
        } else {
            sched_enqueue(c);
        }
    }
    int prio = sched_highest_ready();
    if (prio >= 0 && (!best || prio > best->priority)) {
        if (best)
            requeue(best);
        best = ready[prio].head;
        sched_dequeue(best);
    }
    return best;
}
