/*
 * Exceptions from lower exception levels: system calls, faults, FP traps
 * and interrupts. The registers are already saved in the current thread.
 */
#include <abi/fault.h>
#include <abi/syscall.h>
#include <arch/esr.h>
#include <arch/sysreg.h>
#include <arch/traps.h>
#include <arch/vcpu.h>
#include <cella/faults.h>
#include <cella/interrupt.h>
#include <cella/panic.h>
#include <cella/syscall.h>

static void raise_vm_fault(struct tcb *t, uint32_t esr, bool instruction)
{
    fault_raise(t, FAULT_VM, t->ctx.pc, sysreg_read(far_el2), instruction, esr);
}

void handle_lower_sync(struct user_context *ctx)
{
    struct tcb *t = current_thread;
    uint32_t esr = (uint32_t)sysreg_read(esr_el2);
    assert(t && ctx == &t->ctx);
    if (t->vcpu && ESR_EC(esr) != EC_FP_ACCESS) {
        vcpu_handle_exit(t, esr);
        kernel_exit();
    }
    switch (ESR_EC(esr)) {
    case EC_SVC64:
        switch (esr & 0xffff) {
        case SVC_CELLA:
            handle_syscall();
        case SVC_FOREIGN:
            handle_foreign_syscall(esr);
        case SVC_EMULATION_RETURN:
            handle_emulation_return(esr);
        default: /* as for svc #0, the number is x8 (abi/fault.h) */
            fault_raise(t, FAULT_UNKNOWN_SYSCALL, t->ctx.pc, t->ctx.sp, t->ctx.x[8], esr);
            break;
        }
        break;
    case EC_FP_ACCESS:
        fpu_take_ownership(t);
        break;
    case EC_DABT_LOWER:
        raise_vm_fault(t, esr, false);
        break;
    case EC_IABT_LOWER:
        raise_vm_fault(t, esr, true);
        break;
    default: /* undefined instructions, alignment faults, BRK, system registers, AArch32, ... */
        fault_raise(t, FAULT_USER_EXCEPTION, t->ctx.pc, t->ctx.sp, esr, ESR_EC(esr));
        break;
    }
    kernel_exit();
}

void handle_lower_irq(struct user_context *ctx)
{
    (void)ctx;
    interrupt_handle();
    kernel_exit();
}

/* FIQs are not used and SErrors mean the thread touched something broken: its fault. */
void handle_lower_unexpected(struct user_context *ctx, unsigned kind)
{
    (void)ctx;
    fault_raise(current_thread, FAULT_USER_EXCEPTION, current_thread->ctx.pc,
                current_thread->ctx.sp, (uint32_t)sysreg_read(esr_el2), kind == 3 ? EC_SERROR : 0);
    kernel_exit();
}

word_t sysreg_esr(void)
{
    return sysreg_read(esr_el2);
}
