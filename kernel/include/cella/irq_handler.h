/* Interrupts as capabilities: IRQControl hands out one IRQHandler per interrupt line. */
#pragma once

#include <cella/objects.h>

#define IRQ_LINES 1024

void irq_handler_destroy(unsigned irq);
void irq_forget_notification(struct notification *n);
/* Reserves a line for the kernel's own use (its timer), so user level cannot claim it. */
void irq_reserve(unsigned irq);
/* An interrupt arrived: delivers it to its notification and masks it until acknowledged. */
void irq_deliver(unsigned irq);
