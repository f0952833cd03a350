/* Faults raised by threads, turned into messages to their fault handlers. */
#pragma once

#include <cella/tcb.h>

/* Records the fault and sends it to t's handler; with no handler, t is suspended. */
void fault_raise(struct tcb *t, word_t kind, word_t d0, word_t d1, word_t d2, word_t d3);
void fault_write_message(struct tcb *faulter, struct tcb *receiver, word_t badge);
void fault_handle_reply(struct tcb *faulter, struct tcb *handler);
