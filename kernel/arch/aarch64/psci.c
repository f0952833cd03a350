/* Power control through PSCI, reached with SMC from EL2. */
#include <arch/traps.h>
#include <cella/power.h>

#define PSCI_SYSTEM_OFF 0x84000008UL
#define PSCI_SYSTEM_RESET 0x84000009UL

static void psci_call(unsigned long function)
{
    register unsigned long x0 __asm__("x0") = function;
    __asm__ volatile("smc #0" : "+r"(x0)::"x1", "x2", "x3", "memory");
}

void power_off(void)
{
    psci_call(PSCI_SYSTEM_OFF);
    arch_halt(); /* no firmware answered */
}

void power_reset(void)
{
    psci_call(PSCI_SYSTEM_RESET);
    arch_halt();
}
