/* Stopping this CPU for good, with interrupts masked, so a debugger can still attach. */
#include <arch/traps.h>

void arch_halt(void)
{
    __asm__ volatile("msr daifset, #0xf");
    for (;;)
        __asm__ volatile("wfi");
}
