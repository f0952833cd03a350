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

/* Arms or disarms the FP trap for the thread about to run. */
void fpu_switch_to(struct tcb *t);
extern struct tcb *fpu_owner;
extern bool fpu_trapping;
static ALWAYS_INLINE bool fpu_switch_needed(const struct tcb *next)
{
    return (next != fpu_owner) != fpu_trapping;
}

#define CPTR_EL2_RES1 0x33ffUL
#define CPTR_TFP BIT(10)

/* fpu_switch_to in place: the trap is armed exactly when the thread to run does not own the FPU. */
static ALWAYS_INLINE void fpu_switch_inline(const struct tcb *next)
{
    if (fpu_switch_needed(next)) {
        fpu_trapping = !fpu_trapping;
        __asm__ volatile("msr cptr_el2, %0; isb" ::"r"(CPTR_EL2_RES1 | (fpu_trapping ? CPTR_TFP : 0))
                         : "memory");
    }
}
/* The trap: saves the previous owner's registers and loads t's. */
void fpu_take_ownership(struct tcb *t);
/* A thread is going away: its registers must not be saved into freed memory. */
void fpu_release(struct tcb *t);
void fpu_init(void);
