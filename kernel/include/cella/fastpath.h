/*
 * The system calls' fastpaths are entered from vectors.S with the caller's
 * x0-x6 still in registers and the calling thread in x7. They return only in
 * the sense of a tail call: every way out ends in a return to user level.
 */
#pragma once

#include <cella/tcb.h>

void fastpath_call(word_t cptr, word_t info, word_t mr0, word_t mr1, word_t mr2, word_t mr3,
                   word_t reply_cptr, struct tcb *caller);
void fastpath_reply_recv(word_t cptr, word_t info, word_t mr0, word_t mr1, word_t mr2, word_t mr3,
                         word_t reply_cptr, struct tcb *server);
void fastpath_send(word_t cptr, word_t info, word_t mr0, word_t mr1, word_t mr2, word_t mr3,
                   word_t reply_cptr, struct tcb *self);
void fastpath_yield(word_t cptr, word_t info, word_t mr0, word_t mr1, word_t mr2, word_t mr3,
                    word_t reply_cptr, struct tcb *self);

/*
 * From fault_raise, with the fault recorded and its handler's endpoint
 * capability checked: when the handler waits and runs next, delivers the
 * fault and switches to it, never returning. Otherwise returns, having
 * changed nothing.
 */
void fastpath_fault(struct tcb *faulter, cap_t ep_cap);

/* vectors.S: back to user level with a message in x0-x5 (declared returning so calls can be tail
 * calls). */
void fastpath_restore(word_t badge, word_t info, word_t mr0, word_t mr1, word_t mr2, word_t mr3,
                      struct user_context *ctx);
/* restore_user_context, declared returning for the same reason. */
void fastpath_resume(struct user_context *ctx);
