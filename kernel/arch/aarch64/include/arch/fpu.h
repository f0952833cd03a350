/* FP/SIMD state, switched lazily: a thread's first FP instruction after a switch traps. */
#pragma once

#include <cella/util.h>

struct fpu_state {
    __uint128_t q[32];
    uint32_t fpsr;
    uint32_t fpcr;
    uint64_t pad;
};

struct tcb;

/*
 * The FP trap (CPTR_EL2.TFP) is armed exactly when the running thread does
 * not own the FP registers: fpu_owner, whose TCB says so in fpu_owned.
 */
extern struct tcb *fpu_owner;

#define CPTR_EL2_RES1 0x33ffUL
#define CPTR_TFP_SHIFT 10
#define CPTR_TFP BIT(CPTR_TFP_SHIFT)

/* Arms or disarms the FP trap for the thread about to run. */
void fpu_switch_to(struct tcb *t);
/* The trap: saves the previous owner's registers and loads t's. */
void fpu_take_ownership(struct tcb *t);
/* A thread is going away: its registers must not be saved into freed memory. */
void fpu_release(struct tcb *t);
void fpu_init(void);
