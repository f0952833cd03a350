/* Per-CPU EL2 configuration that every later part relies on. */
#include <abi/bootinfo.h>
#include <arch/cpu.h>
#include <arch/sysreg.h>

/* ID_AA64ISAR0_EL1.CRC32, bits [19:16]: nonzero when CRC32B..CRC32X exist (optional in ARMv8.0). */
#define ISAR0_CRC32(isar0) (((isar0) >> 16) & 0xf)

#ifdef CELLA_PMU_USER_ACCESS
/*
 * Benchmark kernels only: the cycle counter runs at every exception level
 * (PMCCFILTR_EL0.NSH counts EL2 too) and user level may read it. Under
 * QEMU's -icount shift=0 it counts instructions.
 */
static void pmu_open_to_user(void)
{
    sysreg_write(pmccfiltr_el0, BIT(27));
    sysreg_write(pmcr_el0, BIT(0) | BIT(2)); /* enable, reset the cycle counter */
    sysreg_write(pmcntenset_el0, BIT(31));
    sysreg_write(pmuserenr_el0, BIT(0) | BIT(2));
    isb();
}
#else
static void pmu_open_to_user(void)
{
}
#endif

void cpu_init(void)
{
    /* Physical interrupts and SErrors come to EL2, whatever level is running. */
    sysreg_write(hcr_el2, HCR_RW | HCR_IMO | HCR_FMO | HCR_AMO);
    isb();
    pmu_open_to_user();
}

/* EL0 cannot read the ID registers (the access is undefined), so the kernel tells user level. */
uint64_t arch_cpu_features(void)
{
    uint64_t features = 0;
    if (ISAR0_CRC32(sysreg_read(id_aa64isar0_el1)))
        features |= BOOT_INFO_CPU_CRC32;
    return features;
}
