/* Interrupt entry from any context. */
#pragma once

#define TICK_HZ 500 /* a 2 ms tick; time slices are counted in ticks */

void interrupt_init(void);
void interrupt_handle(void);
