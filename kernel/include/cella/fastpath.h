/* Entered from vectors.S with the caller's x0-x6 still in registers. */
#pragma once

#include <cella/util.h>

NORETURN void fastpath_call(word_t cptr, word_t info, word_t mr0, word_t mr1, word_t mr2, word_t mr3);
NORETURN void fastpath_reply_recv(word_t cptr, word_t info, word_t mr0, word_t mr1, word_t mr2,
                                  word_t mr3, word_t reply_cptr);
