/*
 * The guest's virtual CPUs: each a thread of the kernel bound to a VCPU,
 * whose exits reach the VMM badged with its number. CPU 0 starts with the
 * VMM; the guest starts the others itself (PSCI CPU_ON) and may stop them
 * (CPU_OFF). Inter-processor interrupts are SGIs the VMM passes on.
 */
#include <abi/vcpu.h>

#include "vmm.h"

#define SCTLR_EL1_RESET 0x30d00800UL /* its RES1 bits: MMU and caches off, as out of reset */
#define SPSR_EL1H_MASKED 0x3c5       /* EL1h, every exception masked: the arm64 boot protocol */

static const struct persona_info *info;
static bool on[PERSONA_MAX_VCPUS];

void vcpus_init(const struct persona_info *persona)
{
    info = persona;
}

unsigned vcpu_count(void)
{
    return info->vcpus;
}

bool vcpu_is_on(unsigned cpu)
{
    return cpu < info->vcpus && on[cpu];
}

int vcpu_boot(void)
{
    on[0] = true;
    return tcb_resume(info->vcpu_tcb_slot[0]);
}

int64_t vcpu_power_on(unsigned cpu, uint64_t entry, uint64_t context)
{
    if (cpu >= info->vcpus)
        return PSCI_INVALID_PARAMETERS;
    if (on[cpu])
        return PSCI_ALREADY_ON;
    if (!guest_pointer(entry, 4))
        return PSCI_INVALID_ADDRESS;
    int err = (int)invoke(info->vcpu_slot[cpu], VCPU_WRITE_REGISTER,
                          (uint64_t[]){ VCPU_SCTLR_EL1, SCTLR_EL1_RESET }, 2, NULL, 0, NULL, 0)
                  .error;
    struct user_registers regs = { .pc = entry, .spsr = SPSR_EL1H_MASKED };
    regs.x[0] = context;
    if (!err) /* pc, sp, spsr and x0, then it runs */
        err = tcb_write_registers(info->vcpu_tcb_slot[cpu], true, &regs, 4);
    if (err)
        return PSCI_INTERNAL_FAILURE;
    on[cpu] = true;
    return PSCI_SUCCESS;
}

void vcpu_powered_off(unsigned cpu)
{
    if (cpu < info->vcpus)
        on[cpu] = false;
}

/* Every CPU but `except` (whose exit is being answered) is suspended where it is. */
void vcpus_stop_others(unsigned except)
{
    for (unsigned cpu = 0; cpu < info->vcpus; cpu++) {
        if (cpu != except && on[cpu])
            tcb_suspend(info->vcpu_tcb_slot[cpu]);
        on[cpu] = false;
    }
}

void vmm_inject(unsigned cpu, unsigned irq)
{
    if (cpu < info->vcpus)
        invoke(info->vcpu_slot[cpu], VCPU_INJECT_IRQ, (uint64_t[]){ irq }, 1, NULL, 0, NULL, 0);
}

uint64_t vcpu_general_register(unsigned cpu, unsigned reg)
{
    struct user_registers regs;
    if (reg >= 31 || cpu >= info->vcpus || tcb_read_registers(info->vcpu_tcb_slot[cpu], &regs))
        return 0; /* 31 is xzr in these encodings */
    return regs.x[reg];
}
