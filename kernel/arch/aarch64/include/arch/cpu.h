/* EL2 control registers. */
#pragma once

#include <cella/util.h>

/* HCR_EL2 */
#define HCR_VM BIT(0)
#define HCR_SWIO BIT(1)
#define HCR_FMO BIT(3)
#define HCR_IMO BIT(4)
#define HCR_AMO BIT(5)
#define HCR_DC BIT(12)
#define HCR_TWI BIT(13)
#define HCR_TWE BIT(14)
#define HCR_TSC BIT(19)
#define HCR_TGE BIT(27)
#define HCR_RW BIT(31)

/* Native threads: EL0 with stage 1 off and every exception coming to EL2. */
#define HCR_NATIVE (HCR_VM | HCR_DC | HCR_TGE | HCR_RW | HCR_IMO | HCR_FMO | HCR_AMO)

void cpu_init(void);
/* The optional instructions this CPU has, as the boot info's BOOT_INFO_CPU_* bits. */
uint64_t arch_cpu_features(void);
