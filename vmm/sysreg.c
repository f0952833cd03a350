/*
 * System registers a guest reaches that trap to the VMM: the GIC's SGI
 * registers (a CPU interrupting others), and the debug and performance
 * monitor registers, which the kernel keeps from guests because it does not
 * switch them between worlds. To the guest those are absent: reads give
 * zero (no breakpoints, no counters, no OS lock) and writes are ignored,
 * which Linux accepts.
 */
#include <abi/fault.h>
#include <abi/vcpu.h>

#include "vmm.h"

/* A system register as an ESR's ISS encodes it: op0 op2 op1 CRn CRm (Rt and direction masked). */
#define SYSREG_ID(esr) ((esr)&0x3ffc1e)
#define SYSREG(op0, op1, crn, crm, op2)                                                            \
    ((uint32_t)(op0) << 20 | (uint32_t)(op2) << 17 | (uint32_t)(op1) << 14 |                       \
     (uint32_t)(crn) << 10 | (uint32_t)(crm) << 1)
#define SYSREG_OP0(esr) (((esr) >> 20) & 3)
#define SYSREG_OP1(esr) (((esr) >> 14) & 7)
#define SYSREG_CRN(esr) (((esr) >> 10) & 0xf)
#define SYSREG_CRM(esr) (((esr) >> 1) & 0xf)
#define SYSREG_READ 1u
#define SYSREG_RT(esr) (((esr) >> 5) & 0x1f)
#define ICC_SGI1R_EL1 SYSREG(3, 0, 12, 11, 5)
#define ICC_ASGI1R_EL1 SYSREG(3, 1, 12, 11, 6)
#define ICC_SGI0R_EL1 SYSREG(3, 2, 12, 11, 7)

/*
 * An SGI the guest raised: INTID in bits 27:24, the target list of
 * affinity-0 CPUs in bits 15:0 at Aff1-3 zero (one cluster), or bit 40
 * for every CPU but the sender.
 */
static void send_sgi(unsigned cpu, uint64_t value)
{
    unsigned sgi = (unsigned)(value >> 24) & 0xf;
    bool others = (value >> 40) & 1;
    bool cluster0 = !(value & 0xff00ff0000ULL);
    for (unsigned target = 0; target < vcpu_count(); target++) {
        bool listed = cluster0 && target < 16 && ((value >> target) & 1);
        if (others ? target != cpu : listed)
            vgic_send_sgi(target, sgi);
    }
}

/* Debug registers are all op0 2; the PMU's are CRn 9 CRm 12-14 and PMEVCNTR/PMEVTYPER/PMCCFILTR. */
static bool debug_or_monitor(uint32_t esr)
{
    unsigned op0 = SYSREG_OP0(esr), op1 = SYSREG_OP1(esr), crn = SYSREG_CRN(esr),
             crm = SYSREG_CRM(esr);
    if (op0 == 2)
        return true;
    bool pmu_block = op0 == 3 && crn == 9 && crm >= 12 && crm <= 14 && (op1 == 0 || op1 == 3);
    bool event_counters = op0 == 3 && op1 == 3 && crn == 14 && crm >= 8;
    return pmu_block || event_counters;
}

uint64_t sysreg_trap(unsigned cpu, uint32_t esr, uint64_t *read_value)
{
    uint32_t id = SYSREG_ID(esr);
    bool read = esr & SYSREG_READ;
    bool sgi = id == ICC_SGI1R_EL1 || id == ICC_ASGI1R_EL1 || id == ICC_SGI0R_EL1;
    if (sgi && !read) {
        send_sgi(cpu, vcpu_general_register(cpu, SYSREG_RT(esr)));
        /* The sibling it woke runs first: the sender would only spin until it answers. */
        return VCPU_REPLY_SKIP_YIELD;
    }
    if (!debug_or_monitor(esr))
        return FAULT_REPLY_SUSPEND;
    *read_value = 0;
    return read ? VCPU_REPLY_READ_DONE : FAULT_REPLY_SKIP;
}
