/* Switching the CPU from one thread to another, and per-thread CPU state. */
#pragma once

#include <arch/traps.h>
#include <cella/tcb.h>

#define SPSR_EL0 0x0UL /* EL0t, interrupts unmasked */
#define TIME_SLICE_TICKS 5

void arch_switch_thread(struct tcb *prev, struct tcb *next);
void arch_activate_vspace(struct tcb *t);

/* The same, with the checks that usually find nothing to do done in place. */
static ALWAYS_INLINE void arch_switch_thread_fast(struct tcb *prev, struct tcb *next)
{
    word_t tls;
    __asm__ volatile("mrs %0, tpidr_el0" : "=r"(tls));
    prev->tls_base = tls;
    __asm__ volatile("msr tpidr_el0, %0" ::"r"(next->tls_base));
    __asm__ volatile("msr tpidrro_el0, %0" ::"r"(next->ipc_buffer_addr));
    if (next->slots[TCB_SLOT_VSPACE].cap.w0 != prev->slots[TCB_SLOT_VSPACE].cap.w0)
        arch_activate_vspace(next);
    if (fpu_switch_needed(next))
        fpu_switch_to(next);
}
void arch_save_tls(struct tcb *t);
void arch_load_tls(struct tcb *t);
/* What user level may put in a thread's saved PSTATE: flags and, for guests, an EL1 mode. */
word_t arch_sanitise_spsr(word_t spsr, bool guest);
void arch_threads_init(void);
