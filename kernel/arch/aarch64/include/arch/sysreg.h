/* System-register and barrier access for AArch64. */
#pragma once

#include <cella/util.h>

#define sysreg_read(reg)                                                                           \
    ({                                                                                             \
        word_t value_;                                                                             \
        __asm__ volatile("mrs %0, " #reg : "=r"(value_));                                          \
        value_;                                                                                    \
    })

#define sysreg_write(reg, value) __asm__ volatile("msr " #reg ", %0" ::"r"((word_t)(value)))

#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(domain) __asm__ volatile("dsb " #domain ::: "memory")
#define wfi() __asm__ volatile("wfi")

/* GICv3 CPU-interface registers by encoding, so any assembler accepts them. */
#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_BPR1_EL1 S3_0_C12_C12_3
#define ICC_CTLR_EL1 S3_0_C12_C12_4
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_SRE_EL2 S3_4_C12_C9_5

/* Expands a register name macro before stringizing it. */
#define sysreg_read_enc(reg) sysreg_read_enc_(reg)
#define sysreg_read_enc_(reg) sysreg_read(reg)
#define sysreg_write_enc(reg, value) sysreg_write_enc_(reg, value)
#define sysreg_write_enc_(reg, value) sysreg_write(reg, value)
