/* Decoding the Exception Syndrome Register. Pure: shared with host tests and user level. */
#pragma once

#include <stdint.h>

#define ESR_EC_SHIFT 26
#define ESR_EC(esr) (((esr) >> ESR_EC_SHIFT) & 0x3fu)
#define ESR_IL (1u << 25)
#define ESR_ISS(esr) ((esr)&0x1ffffffu)

#define EC_UNKNOWN 0x00u
#define EC_WFX 0x01u
#define ESR_WFX_WFE (1u << 0) /* ISS TI: the trapped instruction was WFE, not WFI */
#define EC_FP_ACCESS 0x07u
#define EC_ILLEGAL_STATE 0x0eu
#define EC_SVC64 0x15u
#define EC_HVC64 0x16u
#define EC_SMC64 0x17u
#define EC_SYSREG 0x18u
#define EC_IABT_LOWER 0x20u
#define EC_IABT_SAME 0x21u
#define EC_PC_ALIGN 0x22u
#define EC_DABT_LOWER 0x24u
#define EC_DABT_SAME 0x25u
#define EC_SP_ALIGN 0x26u
#define EC_SERROR 0x2fu
#define EC_BRK64 0x3cu

/* Abort syndromes (instruction and data aborts). */
#define ESR_ABT_FSC(esr) ((esr)&0x3fu)
#define ESR_DABT_WNR (1u << 6)
#define ESR_DABT_ISV (1u << 24)
#define ESR_DABT_SAS(esr) (((esr) >> 22) & 3u)
#define ESR_DABT_SRT(esr) (((esr) >> 16) & 31u)
#define ESR_SYSREG_READ 1u /* ISS.Direction of a trapped MSR/MRS: a read */
#define ESR_SYSREG_RT(esr) (((esr) >> 5) & 31u)

/* A short English name for an exception class, e.g. "Data abort from a lower EL". */
const char *esr_class_name(uint32_t ec);
/* Address size, translation, access flag and permission faults name a table level. */
#define ESR_FSC_HAS_LEVEL(fsc) ((fsc) < 0x10u)
#define ESR_FSC_LEVEL(fsc) ((fsc)&3u)

/* A short name for an abort's fault status code, e.g. "translation fault". */
const char *esr_fault_status_name(uint32_t fsc);
