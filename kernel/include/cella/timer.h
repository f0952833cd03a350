/* The kernel's tick: a one-shot timer re-armed on each expiry. */
#pragma once

#include <cella/types.h>

void timer_init(void);
unsigned timer_irq(void);
uint64_t timer_frequency(void);
uint64_t timer_now(void);
/* Arms the timer to fire after the given number of counter ticks. */
void timer_arm(uint64_t ticks);
void timer_stop(void);

/* A second one-shot timer, at an absolute count: it wakes guests whose timers are parked. */
unsigned timer_wake_irq(void);
void timer_wake_at(uint64_t deadline);
void timer_wake_stop(void);
