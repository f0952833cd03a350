/*
 * A thread's user-visible register state, saved on every kernel entry from a
 * lower exception level. The layout is shared with vectors.S.
 */
#pragma once

#define CTX_X(n) ((n)*8)
#define CTX_SP_EL0 (31 * 8)
#define CTX_ELR (32 * 8)
#define CTX_SPSR (33 * 8)
#define CTX_SIZE (34 * 8)

#ifndef __ASSEMBLER__
#include <cella/types.h>

struct user_context {
    word_t x[31];
    word_t sp;
    word_t pc;   /* ELR_EL2: where the thread resumes */
    word_t spsr; /* SPSR_EL2: its PSTATE */
};

_Static_assert(sizeof(struct user_context) == CTX_SIZE, "vectors.S layout");
#endif
