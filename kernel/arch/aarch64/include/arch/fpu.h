/* FP/SIMD state, switched lazily: a thread's first FP instruction after a switch traps. */
#pragma once

#include <cella/types.h>

struct fpu_state {
    __uint128_t q[32];
    uint32_t fpsr;
    uint32_t fpcr;
    uint64_t pad;
};

struct tcb;

/* Arms or disarms the FP trap for the thread about to run. */
void fpu_switch_to(struct tcb *t);
/* The trap: saves the previous owner's registers and loads t's. */
void fpu_take_ownership(struct tcb *t);
/* A thread is going away: its registers must not be saved into freed memory. */
void fpu_release(struct tcb *t);
void fpu_init(void);
