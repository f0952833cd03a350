/* Kernel objects that are small enough to describe in one place. */
#pragma once

#include <cella/cap.h>

struct tcb;

/* Threads waiting on an endpoint or a notification, in arrival order. */
struct thread_queue {
    struct tcb *head;
    struct tcb *tail;
};

/* An endpoint's queue holds either senders or receivers; the head's state says which. */
struct endpoint {
    struct thread_queue queue;
};

struct notification {
    word_t word;                     /* pending badges, ORed */
    struct thread_queue queue;       /* waiters */
    struct tcb *bound;               /* a TCB that also receives this notification's signals */
    word_t deadline;                 /* its timer: when it signals itself; 0 when disarmed */
    word_t timer_badge;              /* what the timer signals: the arming capability's badge */
    struct notification *timer_next; /* the armed timers, earliest first */
    word_t unused;
};

/* A reply object: the link from a server back to the caller it is serving. */
struct reply {
    struct tcb *caller; /* blocked in Call, waiting on this reply */
    struct tcb *server; /* the thread that holds it in Recv */
    word_t can_grant;   /* the caller's endpoint cap had GRANT_REPLY */
    word_t unused;
};

_Static_assert(sizeof(struct endpoint) == (1u << ENDPOINT_SIZE_BITS), "endpoint size");
_Static_assert(sizeof(struct notification) == (1u << NOTIFICATION_SIZE_BITS), "notification size");
_Static_assert(sizeof(struct reply) == (1u << REPLY_SIZE_BITS), "reply size");

/* What a type is (src/object/object_size.c). */
word_t object_size_bits(unsigned type, unsigned user_size_bits);
bool cap_is_container(cap_t cap);

/* Object lifetime (src/object/objecttype.c). */
/* Makes a fresh object at addr and returns its first capability. */
cap_t object_create(unsigned type, word_t addr, unsigned size_bits, bool device);
/* Tears down what the final (or any, for mappings) capability to an object held. */
void cap_finalise(cap_t cap, bool final);

/* Endpoints, notifications and replies (src/object/{endpoint,notification,reply}.c). */
struct ipc_send {
    word_t badge;
    word_t flags; /* IPC_* */
};

void endpoint_send(struct endpoint *ep, struct tcb *sender, struct ipc_send send, bool blocking);
void endpoint_receive(struct endpoint *ep, struct tcb *receiver, struct reply *reply,
                      bool blocking);
void endpoint_cancel_all(struct endpoint *ep);
void endpoint_remove(struct endpoint *ep, struct tcb *t);

void notification_signal(struct notification *n, word_t badge);
void notification_wait(struct notification *n, struct tcb *t, bool blocking);
bool notification_deliver_bound(struct tcb *t);
void notification_bind(struct notification *n, struct tcb *t);
void notification_unbind_tcb(struct tcb *t);
void notification_remove(struct notification *n, struct tcb *t);
void notification_destroy(struct notification *n);
/* Notification timers (deadlines in counter ticks; 0 disarms). */
void notification_set_timer(struct notification *n, word_t deadline, word_t badge);
word_t notification_earliest_timer(void); /* ~0 when none is armed */
void notification_expire_timers(word_t now);

void reply_link(struct reply *r, struct tcb *caller, bool can_grant);
void reply_send(struct reply *r, struct tcb *server);
void reply_take(struct reply *r, struct tcb *server);
void reply_unlink_caller(struct tcb *caller);
void reply_release_server(struct tcb *server);
void reply_destroy(struct reply *r);

/* Message transfer (src/kernel/ipc.c). */
void ipc_transfer(struct tcb *sender, struct tcb *receiver, struct ipc_send send,
                  struct endpoint *ep);

/* Thread queues (src/kernel/thread_queue.c). */
void thread_queue_append(struct thread_queue *q, struct tcb *t);
void thread_queue_remove(struct thread_queue *q, struct tcb *t);
