/* Exceptions taken by the kernel itself: always a kernel bug, so report everything and stop. */
#include <arch/context.h>
#include <arch/esr.h>
#include <arch/sysreg.h>
#include <arch/traps.h>
#include <cella/panic.h>
#include <cella/printk.h>

static const char *const kind_names[] = { "synchronous", "IRQ", "FIQ", "SError" };

void print_registers(const struct user_context *ctx)
{
    for (unsigned i = 0; i < 31; i++)
        printk("x%-2u %016lx%s", i, ctx->x[i], (i % 4 == 3) ? "\n" : "  ");
    printk("\nsp  %016lx  pc  %016lx  spsr %08lx\n", ctx->sp, ctx->pc, ctx->spsr);
}

#ifdef CELLA_DEBUG
/* Debug kernels say what went wrong in words first (release kernels leave esr.c's names out). */
static void describe_syndrome(uint32_t esr)
{
    uint32_t ec = ESR_EC(esr);
    printk("%s (EC %#x)", esr_class_name(ec), ec);
    if (ec == EC_DABT_SAME || ec == EC_DABT_LOWER || ec == EC_IABT_SAME || ec == EC_IABT_LOWER) {
        uint32_t fsc = ESR_ABT_FSC(esr);
        printk(": %s", esr_fault_status_name(fsc));
        if (ESR_FSC_HAS_LEVEL(fsc))
            printk(", level %u", ESR_FSC_LEVEL(fsc));
        if (ec == EC_DABT_SAME || ec == EC_DABT_LOWER)
            printk(", %s", (esr & ESR_DABT_WNR) ? "write" : "read");
    }
}
#else
static void describe_syndrome(uint32_t esr)
{
    (void)esr;
}
#endif

/* What went wrong, then the raw syndrome registers. */
static void print_syndrome(uint32_t esr, word_t far, word_t elr, word_t spsr)
{
    describe_syndrome(esr);
    printk("\nESR %08x  FAR %016lx  ELR %016lx  SPSR %08lx\n", esr, far, elr, spsr);
}

void kernel_exception(struct user_context *frame, unsigned kind)
{
    uint32_t esr = (uint32_t)sysreg_read(esr_el2);
    printk("\nKERNEL PANIC: %s exception at EL2: ", kind_names[kind & 3]);
    if (kind == 0)
        print_syndrome(esr, sysreg_read(far_el2), frame->pc, frame->spsr);
    else
        printk("ELR %016lx  SPSR %08lx\n", frame->pc, frame->spsr);
    print_registers(frame);
    panic("unrecoverable exception in the kernel");
}
