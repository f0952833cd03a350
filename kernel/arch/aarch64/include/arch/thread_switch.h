/* Switching the CPU from one thread to another, and per-thread CPU state. */
#pragma once

#include <arch/traps.h>
#include <cella/tcb.h>

#define SPSR_EL0 0x0UL /* EL0t, interrupts unmasked */
#define TIME_SLICE_TICKS 5

/*
 * Moves the CPU's per-thread state beyond the saved registers (TLS, VSpace,
 * FP trap, VCPU) from prev, the thread that ran last (NULL after idle), to next.
 */
void arch_switch_thread(struct tcb *prev, struct tcb *next);
void arch_activate_vspace(struct tcb *t);
void arch_save_tls(struct tcb *t);
void arch_load_tls(struct tcb *t);
/* What user level may put in a thread's saved PSTATE: flags and, for guests, an EL1 mode. */
word_t arch_sanitise_spsr(word_t spsr, bool guest);
void arch_threads_init(void);
