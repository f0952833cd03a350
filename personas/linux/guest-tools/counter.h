/*
 * The ARM generic timer's virtual counter, read from EL0 (Linux lets user
 * space read CNTVCT_EL0 for the vDSO). Under QEMU with -icount shift=0 one
 * instruction takes 1 ns of virtual time, so a tick of a 62.5 MHz counter is
 * 16 instructions; docs/linux-guest.md shows how that was checked.
 */
#ifndef CELLA_GUEST_COUNTER_H
#define CELLA_GUEST_COUNTER_H

#include <stdint.h>

static inline uint64_t counter_ticks(void)
{
    uint64_t ticks;
    __asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(ticks) : : "memory");
    return ticks;
}

static inline uint64_t counter_frequency(void)
{
    uint64_t hz;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(hz));
    return hz;
}

#endif
