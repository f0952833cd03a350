/* FIFO queues of blocked threads, linked through the TCBs themselves. */
#include <cella/tcb.h>

void thread_queue_append(struct thread_queue *q, struct tcb *t)
{
    t->ep_next = NULL;
    t->ep_prev = q->tail;
    if (q->tail)
        q->tail->ep_next = t;
    else
        q->head = t;
    q->tail = t;
}

void thread_queue_remove(struct thread_queue *q, struct tcb *t)
{
    if (t->ep_prev)
        t->ep_prev->ep_next = t->ep_next;
    else
        q->head = t->ep_next;
    if (t->ep_next)
        t->ep_next->ep_prev = t->ep_prev;
    else
        q->tail = t->ep_prev;
    t->ep_next = t->ep_prev = NULL;
}
