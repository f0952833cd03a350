/* Switching between two running threads in place, on the way out to user level. */
#pragma once

#include <arch/fpu.h>
#include <cella/tcb.h>

/*
 * fpu_switch_to between two threads, the first of which ran last: the trap
 * changes only when one of them owns the FP registers. The exception return
 * that follows synchronises the write (the kernel uses no FP registers), so
 * no ISB.
 */
static ALWAYS_INLINE void arch_fpu_switch_between(const struct tcb *from, const struct tcb *to)
{
    if (unlikely(from->fpu_owned | to->fpu_owned)) {
        word_t cptr = CPTR_EL2_RES1 | (word_t)from->fpu_owned << CPTR_TFP_SHIFT;
        __asm__ volatile("msr cptr_el2, %0" ::"r"(cptr));
    }
}

/* Between two native threads of one VSpace only the TLS registers and the FP trap differ. */
static ALWAYS_INLINE void arch_switch_light(struct tcb *from, struct tcb *to)
{
    word_t tls, next_tls = to->tls_base, next_buffer = to->ipc_buffer_addr;
    __asm__ volatile("mrs %0, tpidr_el0" : "=r"(tls));
    from->tls_base = tls;
    __asm__ volatile("msr tpidr_el0, %0" ::"r"(next_tls));
    __asm__ volatile("msr tpidrro_el0, %0" ::"r"(next_buffer));
    arch_fpu_switch_between(from, to);
}
