/* Per-CPU EL2 configuration that every later part relies on. */
#include <arch/cpu.h>
#include <arch/sysreg.h>

void cpu_init(void)
{
    /* Physical interrupts and SErrors come to EL2, whatever level is running. */
    sysreg_write(hcr_el2, HCR_RW | HCR_IMO | HCR_FMO | HCR_AMO);
    isb();
}
