/* Exceptions from lower exception levels. No thread runs yet, so any is unexpected. */
#include <arch/esr.h>
#include <arch/sysreg.h>
#include <arch/traps.h>
#include <cella/panic.h>
#include <cella/printk.h>

void handle_lower_sync(struct user_context *ctx)
{
    uint32_t esr = (uint32_t)sysreg_read(esr_el2);
    print_registers(ctx);
    panic("%s from a lower EL with no thread running (ESR %08x)", esr_class_name(ESR_EC(esr)), esr);
}

void handle_lower_irq(struct user_context *ctx)
{
    print_registers(ctx);
    panic("IRQ from a lower EL with no thread running");
}

void handle_lower_unexpected(struct user_context *ctx, unsigned kind)
{
    print_registers(ctx);
    panic("exception kind %u from a lower EL", kind);
}
