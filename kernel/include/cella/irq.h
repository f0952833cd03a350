/* The interrupt controller, as the generic kernel sees it. Implemented by a driver. */
#pragma once

#include <cella/types.h>

#define IRQ_NONE 1023u          /* returned by irq_acknowledge when nothing is pending */
#define GIC_MAINTENANCE_IRQ 25u /* the virtual interface's maintenance interrupt (a PPI) */

void irq_controller_init(void);
void irq_enable(unsigned irq);
void irq_disable(unsigned irq);
/* Highest-priority pending interrupt, now active; IRQ_NONE when spurious. */
unsigned irq_acknowledge(void);
void irq_end(unsigned irq);
/* How many interrupt lines the controller implements. */
unsigned irq_line_count(void);
