/* PSCI, the guest's firmware interface, answered by the VMM (method "hvc" in its device tree). */
#include "vmm.h"

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND 0xc4000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0xc4000003u
#define PSCI_AFFINITY_INFO 0xc4000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_FEATURES 0x8400000au
#define PSCI_TOS_NOT_PRESENT 2
#define PSCI_1_0 0x10000u
#define AFFINITY_ON 0
#define AFFINITY_OFF 1
#define MPIDR_AFF0 0xffULL
#define MPIDR_HIGHER_AFFINITY 0xff00ffff00ULL

static bool supported(uint64_t function)
{
    switch ((uint32_t)function) {
    case PSCI_VERSION:
    case PSCI_CPU_OFF:
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

/* Our CPUs are 0..n-1 at affinity level 0 of one cluster; anything else names none of them. */
static bool cpu_of(uint64_t mpidr, unsigned *cpu)
{
    if (mpidr & MPIDR_HIGHER_AFFINITY)
        return false;
    *cpu = (unsigned)(mpidr & MPIDR_AFF0);
    return *cpu < vcpu_count();
}

static uint64_t affinity_info(uint64_t mpidr, uint64_t level)
{
    unsigned cpu;
    if (level != 0 || !cpu_of(mpidr, &cpu))
        return (uint64_t)PSCI_INVALID_PARAMETERS;
    return vcpu_is_on(cpu) ? AFFINITY_ON : AFFINITY_OFF;
}

uint64_t psci_call(const uint64_t args[4], enum psci_outcome *outcome)
{
    unsigned cpu;
    *outcome = PSCI_RETURN;
    switch ((uint32_t)args[0]) {
    case PSCI_VERSION:
        return PSCI_1_0;
    case PSCI_FEATURES:
        return supported(args[1]) ? PSCI_SUCCESS : (uint64_t)PSCI_NOT_SUPPORTED;
    case PSCI_CPU_ON:
        if (!cpu_of(args[1], &cpu))
            return (uint64_t)PSCI_INVALID_PARAMETERS;
        return (uint64_t)vcpu_power_on(cpu, args[2], args[3]);
    case PSCI_CPU_OFF:
        *outcome = PSCI_OFF_CPU;
        return PSCI_SUCCESS;
    case PSCI_AFFINITY_INFO:
        return affinity_info(args[1], args[2]);
    case PSCI_MIGRATE_INFO_TYPE:
        return PSCI_TOS_NOT_PRESENT;
    case PSCI_SYSTEM_OFF:
        *outcome = PSCI_OFF_SYSTEM;
        return PSCI_SUCCESS;
    case PSCI_SYSTEM_RESET:
        *outcome = PSCI_RESET_SYSTEM;
        return PSCI_SUCCESS;
    default:
        return (uint64_t)PSCI_NOT_SUPPORTED;
    }
}
