/* Faults raised by threads, turned into messages to their fault handlers. */
#pragma once

#include <cella/tcb.h>

/*
 * Records the fault and sends it to t's handler; with no handler, t is
 * suspended. t is the running thread, and the caller goes on to
 * kernel_exit: when the handler waits and runs next, fault_raise does that
 * itself, switching straight to it (fastpath_fault), and does not return.
 */
void fault_raise(struct tcb *t, word_t kind, word_t d0, word_t d1, word_t d2, word_t d3);
void fault_write_message(struct tcb *faulter, struct tcb *receiver, word_t badge);
/*
 * The handler's reply (label and message in its context) applied to the
 * faulter; true: it goes on at once. False: it stays suspended, or (its
 * yielding flag set, a guest's VCPU_REPLY_SKIP_YIELD) it goes on behind the
 * ready threads of its priority; fault_reply_held_back sorts out which.
 */
bool fault_apply_reply(struct tcb *faulter, struct tcb *handler);
void fault_reply_held_back(struct tcb *faulter);
/* The same, then the faulter runs again (or stays inactive). */
void fault_handle_reply(struct tcb *faulter, struct tcb *handler);
