/* The C side of the exception vectors, and the ways back out of the kernel. */
#pragma once

#include <arch/context.h>
#include <cella/util.h>

/* Entered from vectors.S. */
NORETURN void kernel_exception(struct user_context *frame, unsigned kind);
NORETURN void handle_lower_sync(struct user_context *ctx);
NORETURN void handle_lower_irq(struct user_context *ctx);
NORETURN void handle_lower_unexpected(struct user_context *ctx, unsigned kind);
NORETURN void handle_idle_interrupt(void);

/* Implemented in vectors.S. */
NORETURN void restore_user_context(struct user_context *ctx);
NORETURN void arch_idle(void);

NORETURN void arch_halt(void);
void print_registers(const struct user_context *ctx);
