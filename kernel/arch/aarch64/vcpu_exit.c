/*
 * Guest exits: what a guest thread's trap becomes (a fault message to its
 * VMM, or sleep in WFI), and how the VMM's reply finishes the instruction.
 */
#include <abi/fault.h>
#include <arch/esr.h>
#include <arch/sysreg.h>
#include <arch/vcpu.h>
#include <cella/faults.h>
#include <cella/tcb.h>

static word_t ipa_of_abort(void)
{
    return ((sysreg_read(hpfar_el2) >> 4) << 12) | (sysreg_read(far_el2) & MASK(12));
}

static word_t register_value(const struct tcb *t, unsigned reg)
{
    return reg == 31 ? 0 : t->ctx.x[reg]; /* 31 is xzr here */
}

/*
 * WFI with nothing to deliver: the thread sleeps until an interrupt is
 * injected for it. WFE: a guest that spins on a lock or on a sibling's
 * answer (Linux's spinlocks and smp_call_function wait so); the CPU goes to
 * the threads of its priority that are ready, the persona's other vCPUs
 * among them, so the one it waits for runs instead of the spinner keeping
 * its whole slice.
 */
static void wait_for_interrupt(struct tcb *t, uint32_t esr)
{
    struct vcpu *v = t->vcpu;
    t->ctx.pc += 4;
    if (esr & ESR_WFX_WFE) {
        sched_yield();
        return;
    }
    if (vcpu_interrupt_waiting(v))
        return;
    v->waiting = true;
    sched_dequeue(t);
    t->state = THREAD_BLOCKED_ON_VIRQ;
}

void vcpu_handle_exit(struct tcb *t, uint32_t esr)
{
    word_t pc = t->ctx.pc;
    switch (ESR_EC(esr)) {
    case EC_WFX:
        wait_for_interrupt(t, esr);
        return;
    case EC_DABT_LOWER: {
        word_t value =
            (esr & ESR_DABT_ISV) && (esr & ESR_DABT_WNR) ? register_value(t, ESR_DABT_SRT(esr)) : 0;
        fault_raise(t, FAULT_VCPU, VCPU_EXIT_DATA_ABORT, ipa_of_abort(), esr, value);
        return;
    }
    case EC_IABT_LOWER:
        fault_raise(t, FAULT_VCPU, VCPU_EXIT_INSTRUCTION_ABORT, ipa_of_abort(), esr, pc);
        return;
    case EC_HVC64:
        fault_raise(t, FAULT_VCPU, VCPU_EXIT_HVC | (word_t)(esr & 0xffff) << 16, t->ctx.x[0],
                    t->ctx.x[1], t->ctx.x[2]);
        return;
    case EC_SMC64:
        t->ctx.pc += 4; /* an SMC trap returns to the SMC itself; the VMM answers it instead */
        fault_raise(t, FAULT_VCPU, VCPU_EXIT_SMC | (word_t)(esr & 0xffff) << 16, t->ctx.x[0],
                    t->ctx.x[1], t->ctx.x[2]);
        return;
    case EC_SYSREG:
        fault_raise(t, FAULT_VCPU, VCPU_EXIT_SYSTEM_REGISTER, esr, pc, 0);
        return;
    default:
        fault_raise(t, FAULT_VCPU, VCPU_EXIT_OTHER, esr, pc, 0);
        return;
    }
}

unsigned vcpu_exit_message_extra(struct tcb *guest, struct tcb *vmm)
{
    word_t reason = guest->fault.data[0] & 0xffff;
    if (reason != VCPU_EXIT_HVC && reason != VCPU_EXIT_SMC)
        return 4;
    struct ipc_buffer *buf = thread_ipc_buffer(vmm);
    if (!buf)
        return 4;
    for (unsigned i = 0; i < 4; i++)
        buf->msg[4 + i] = guest->ctx.x[3 + i];
    return 8;
}

/* A load the VMM emulated: the value goes into the destination register, sized and extended as the
 * load says. */
static void complete_load(struct tcb *t, uint32_t esr, word_t value)
{
    unsigned size = 8u << ESR_DABT_SAS(esr), reg = ESR_DABT_SRT(esr);
    if (size < 64) {
        value &= MASK(size);
        if ((esr & BIT(21)) && (value & BIT(size - 1))) /* SSE: sign-extend */
            value |= ~MASK(size);
        if (!(esr & BIT(15))) /* SF: a 32-bit register */
            value &= MASK(32);
    }
    if (reg != 31)
        t->ctx.x[reg] = value;
}

/*
 * A read the VMM emulated: a load from a device (whose syndrome names the
 * register) or a system register read (MRS). Any other exit has nothing
 * to complete, and the reply is refused.
 */
static bool complete_read(struct tcb *guest, word_t value)
{
    word_t reason = guest->fault.data[0] & 0xffff;
    if (reason == VCPU_EXIT_DATA_ABORT && (guest->fault.data[2] & ESR_DABT_ISV)) {
        complete_load(guest, (uint32_t)guest->fault.data[2], value);
    } else if (reason == VCPU_EXIT_SYSTEM_REGISTER && (guest->fault.data[1] & ESR_SYSREG_READ)) {
        unsigned reg = ESR_SYSREG_RT(guest->fault.data[1]);
        if (reg != 31)
            guest->ctx.x[reg] = value;
    } else {
        return false;
    }
    guest->ctx.pc += 4;
    return true;
}

bool vcpu_apply_reply(struct tcb *guest, struct tcb *vmm)
{
    word_t info = vmm->ctx.x[1];
    word_t label = msginfo_label(info);
    switch (label) {
    case VCPU_REPLY_READ_DONE:
        return complete_read(guest, thread_message_register(vmm, 0));
    case VCPU_REPLY_SET_X0_X3:
        for (unsigned i = 0; i < 4 && i < msginfo_length(info); i++)
            guest->ctx.x[i] = thread_message_register(vmm, i);
        return true;
    case FAULT_REPLY_SKIP:
        guest->ctx.pc += 4;
        return true;
    case FAULT_REPLY_RESUME:
        return true;
    default:
        if (likely(label != VCPU_REPLY_SKIP_YIELD))
            return false;
        guest->ctx.pc += 4;
        guest->yielding = 1; /* it goes on behind its priority's other ready threads: faults.h */
        return false;
    }
}
