/*
 * Virtual CPUs. A TCB bound to a VCPU (VCPU_SET_TCB) runs at EL1 as a
 * guest: its registers (TCB_READ/WRITE_REGISTERS) are the guest's x0-x30,
 * pc and PSTATE (an EL1 mode may be set), its VSpace is the guest's
 * physical address space, and the VCPU object holds its EL1 system
 * registers, virtual timer and virtual GIC state.
 *
 * Exits reach the guest thread's fault handler (its VMM) as FAULT_VCPU
 * messages; MR0 is the reason:
 *
 *   VCPU_EXIT_DATA_ABORT:  MR1 guest-physical address, MR2 ESR, MR3 the value written
 *                          (a write with a valid syndrome), else 0
 *   VCPU_EXIT_INSTRUCTION_ABORT: MR1 guest-physical address, MR2 ESR, MR3 pc
 *   VCPU_EXIT_HVC, VCPU_EXIT_SMC: MR1-MR3 x0-x2, MR4-MR7 x3-x6; the immediate is MR0 >> 16
 *                          (the guest's pc is already past the instruction)
 *   VCPU_EXIT_SYSTEM_REGISTER, VCPU_EXIT_OTHER: MR1 ESR, MR2 pc
 *
 * The reply says how the guest goes on: FAULT_REPLY_RESUME (retry),
 * FAULT_REPLY_SKIP (past the instruction: a write was emulated),
 * VCPU_REPLY_READ_DONE (MR0 goes into the load's destination register, or
 * a trapped MRS's, then past it; refused after any other exit), VCPU_REPLY_SET_X0_X3 (MR0-MR3 into
 * x0-x3: a hypercall's results), VCPU_REPLY_SKIP_YIELD (FAULT_REPLY_SKIP, then behind the
 * other ready threads of its priority), or FAULT_REPLY_SUSPEND. One exit costs one round trip and
 * no further calls.
 */
#pragma once

#define VCPU_EXIT_DATA_ABORT 1
#define VCPU_EXIT_INSTRUCTION_ABORT 2
#define VCPU_EXIT_HVC 3
#define VCPU_EXIT_SMC 4
#define VCPU_EXIT_SYSTEM_REGISTER 5
#define VCPU_EXIT_OTHER 6

#define VCPU_REPLY_READ_DONE 4
#define VCPU_REPLY_SET_X0_X3 5
/*
 * FAULT_REPLY_SKIP, then the guest goes on behind the other ready threads of
 * its priority: a VMM that has just made a sibling vCPU runnable (an SGI)
 * gives it the CPU so, instead of letting the sender spin out its slice.
 */
#define VCPU_REPLY_SKIP_YIELD 6

/* Virtual interrupt IDs below this may be injected (SGIs, PPIs, SPIs). */
#define VCPU_IRQ_MAX 1020
#define VCPU_VTIMER_IRQ 27 /* the guest's virtual timer: the kernel delivers it itself */

enum vcpu_register {
    VCPU_SCTLR_EL1,
    VCPU_TTBR0_EL1,
    VCPU_TTBR1_EL1,
    VCPU_TCR_EL1,
    VCPU_MAIR_EL1,
    VCPU_AMAIR_EL1,
    VCPU_CONTEXTIDR_EL1,
    VCPU_VBAR_EL1,
    VCPU_ESR_EL1,
    VCPU_FAR_EL1,
    VCPU_AFSR0_EL1,
    VCPU_AFSR1_EL1,
    VCPU_PAR_EL1,
    VCPU_TPIDR_EL1,
    VCPU_TPIDRRO_EL0,
    VCPU_SP_EL1,
    VCPU_ELR_EL1,
    VCPU_SPSR_EL1,
    VCPU_CPACR_EL1,
    VCPU_CNTKCTL_EL1,
    VCPU_CSSELR_EL1,
    VCPU_CNTV_CTL_EL0,
    VCPU_CNTV_CVAL_EL0,
    VCPU_CNTVOFF_EL2,
    VCPU_VMPIDR_EL2,
    VCPU_REGISTER_COUNT
};
