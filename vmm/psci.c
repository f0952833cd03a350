/* PSCI, the guest's firmware interface, answered by the VMM (method "hvc" in its device tree). */
#include "vmm.h"

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND 0xc4000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0xc4000003u
#define PSCI_AFFINITY_INFO 0xc4000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au
#define SMCCC_VERSION 0x80000000u

#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED ((uint64_t)-1)
#define PSCI_ALREADY_ON ((uint64_t)-4)
#define PSCI_TOS_NOT_PRESENT 2
#define PSCI_1_0 0x10000u

static bool supported(uint64_t function)
{
    switch ((uint32_t)function) {
    case PSCI_VERSION:
    case PSCI_CPU_ON:
    case PSCI_AFFINITY_INFO:
    case PSCI_MIGRATE_INFO_TYPE:
    case PSCI_SYSTEM_OFF:
    case PSCI_SYSTEM_RESET:
    case PSCI_FEATURES:
        return true;
    default:
        return false;
    }
}

uint64_t psci_call(uint64_t function, uint64_t arg1, uint64_t arg2, uint64_t arg3, bool *off)
{
    (void)arg2;
    (void)arg3;
    switch ((uint32_t)function) {
    case PSCI_VERSION:
        return PSCI_1_0;
    case PSCI_FEATURES:
        return supported(arg1) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
    case PSCI_CPU_ON: /* one virtual CPU for now: the boot CPU is the only one, and it is on */
        return arg1 == 0 ? PSCI_ALREADY_ON : PSCI_NOT_SUPPORTED;
    case PSCI_AFFINITY_INFO:
        return arg1 == 0 ? 0 /* on */ : PSCI_NOT_SUPPORTED;
    case PSCI_MIGRATE_INFO_TYPE:
        return PSCI_TOS_NOT_PRESENT;
    case PSCI_SYSTEM_OFF:
    case PSCI_SYSTEM_RESET:
        *off = true;
        return PSCI_SUCCESS;
    default:
        return PSCI_NOT_SUPPORTED;
    }
}
