/*
 * Virtual CPUs on AArch64. A guest thread's EL1 registers, virtual timer
 * and virtual GIC live in its VCPU object while another VCPU runs; native
 * threads (EL0 with HCR_EL2.TGE) never touch that state, so it stays in the
 * CPU across them and moves only when a different VCPU runs.
 */
#include <abi/fault.h>
#include <arch/cpu.h>
#include <arch/esr.h>
#include <arch/sysreg.h>
#include <arch/vcpu.h>
#include <cella/faults.h>
#include <cella/tcb.h>

#define HCR_GUEST (HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_TWI | HCR_TSC | HCR_RW | \
                   BIT(9) /* FB */ | BIT(10) /* BSU inner shareable */)
#define SCTLR_EL1_RESET 0x30d00800UL
#define CNTV_CTL_ENABLE BIT(0)
#define CNTV_CTL_IMASK BIT(1)
#define CNTKCTL_NATIVE 3UL /* EL0 may read the physical and virtual counters */

#define ICH_AP0R0_EL2 S3_4_C12_C8_0
#define ICH_AP1R0_EL2 S3_4_C12_C9_0
#define ICH_HCR_EL2 S3_4_C12_C11_0
#define ICH_VTR_EL2 S3_4_C12_C11_1
#define ICH_VMCR_EL2 S3_4_C12_C11_7
#define ICH_HCR_EN BIT(0)
#define ICH_LR_EOI BIT(41) /* a maintenance interrupt when the guest deactivates it */
#define ICH_LR_PENDING (1UL << 62)
#define ICH_LR_GROUP1 (1UL << 60)
#define ICH_LR_PRIORITY(p) ((word_t)(p) << 48)
#define ICH_LR_STATE (3UL << 62)
#define CNTHCTL_EL1PCTEN BIT(0)
#define MDCR_HPMN_MASK MASK(5)
#define MDCR_TPMCR BIT(5)
#define MDCR_TPM BIT(6)
#define MDCR_TDA BIT(9)
#define MDCR_TDOSA BIT(10)
#define MDCR_TDRA BIT(11)

static struct vcpu *loaded;
static void write_mode_registers(const struct vcpu *v);
static bool guest_mode;
static unsigned lr_count;

/*
 * Debug and PMU registers are one set per CPU that the kernel does not
 * switch between guests: a guest's watchpoint or counter would reach into
 * the next one. Guests' accesses trap to their VMM, which emulates them as
 * absent. Benchmark kernels leave the PMU open so guests can read the cycle
 * counter.
 */
static word_t guest_debug_traps(void)
{
    word_t traps = MDCR_TDA | MDCR_TDOSA | MDCR_TDRA;
#ifndef CELLA_PMU_USER_ACCESS
    traps |= MDCR_TPM | MDCR_TPMCR;
#endif
    return (sysreg_read(mdcr_el2) & MDCR_HPMN_MASK) | traps;
}

void vcpu_init_cpu(void)
{
    lr_count = (unsigned)(sysreg_read_enc(ICH_VTR_EL2) & 0x1f) + 1;
    if (lr_count > VGIC_MAX_LRS)
        lr_count = VGIC_MAX_LRS;
    /*
     * Guests read the physical counter (it equals the virtual one) but not
     * the physical timer: nothing switches its state between guests.
     */
    sysreg_write(cnthctl_el2, CNTHCTL_EL1PCTEN);
    sysreg_write(mdcr_el2, guest_debug_traps());
    sysreg_write(cntvoff_el2, 0);
    write_mode_registers(NULL);
}

void vcpu_init(struct vcpu *v)
{
    v->regs[VCPU_SCTLR_EL1] = SCTLR_EL1_RESET;
    v->regs[VCPU_CPACR_EL1] = 0;
    v->regs[VCPU_VMPIDR_EL2] = BIT(31); /* RES1; CPU 0 of a uniprocessor cluster */
    v->regs[VCPU_CNTV_CTL_EL0] = CNTV_CTL_IMASK;
    v->vgic.hcr = ICH_HCR_EN;
}

/* ICH_LR<n>_EL2 by number: system registers cannot be indexed at run time. */
#define LR_CASE(n, crm, op2)                                                             \
    case n:                                                                              \
        if (write)                                                                       \
            sysreg_write(S3_4_C12_##crm##_##op2, value);                                 \
        else                                                                             \
            value = sysreg_read(S3_4_C12_##crm##_##op2);                                 \
        break;

static word_t lr_access(unsigned n, bool write, word_t value)
{
    switch (n) {
        LR_CASE(0, C12, 0) LR_CASE(1, C12, 1) LR_CASE(2, C12, 2) LR_CASE(3, C12, 3)
        LR_CASE(4, C12, 4) LR_CASE(5, C12, 5) LR_CASE(6, C12, 6) LR_CASE(7, C12, 7)
        LR_CASE(8, C13, 0) LR_CASE(9, C13, 1) LR_CASE(10, C13, 2) LR_CASE(11, C13, 3)
        LR_CASE(12, C13, 4) LR_CASE(13, C13, 5) LR_CASE(14, C13, 6) LR_CASE(15, C13, 7)
    default:
        break;
    }
    return value;
}

/*
 * SCTLR_EL1, CPACR_EL1 and CNTKCTL_EL1 also govern native threads at EL0
 * (cache maintenance, FP, counter access), so they hold the natives' values
 * whenever natives run and the guest's only in guest mode.
 */
#define MODE_REGISTERS(X)                                                                \
    X(VCPU_SCTLR_EL1, sctlr_el1, SCTLR_NATIVE) X(VCPU_CPACR_EL1, cpacr_el1, CPACR_NATIVE)  \
    X(VCPU_CNTKCTL_EL1, cntkctl_el1, CNTKCTL_NATIVE)
#define SCTLR_NATIVE (SCTLR_EL1_RESET | BIT(14) | BIT(15) | BIT(26)) /* DZE, UCT, UCI */
#define CPACR_NATIVE (3UL << 20)                                     /* FP at EL0 */

#define EL1_REGISTERS(X)                                                                 \
    X(VCPU_TTBR0_EL1, ttbr0_el1) X(VCPU_TTBR1_EL1, ttbr1_el1)                             \
    X(VCPU_TCR_EL1, tcr_el1) X(VCPU_MAIR_EL1, mair_el1) X(VCPU_AMAIR_EL1, amair_el1)      \
    X(VCPU_CONTEXTIDR_EL1, contextidr_el1) X(VCPU_VBAR_EL1, vbar_el1) X(VCPU_ESR_EL1, esr_el1) \
    X(VCPU_FAR_EL1, far_el1) X(VCPU_AFSR0_EL1, afsr0_el1) X(VCPU_AFSR1_EL1, afsr1_el1)    \
    X(VCPU_PAR_EL1, par_el1) X(VCPU_TPIDR_EL1, tpidr_el1) X(VCPU_TPIDRRO_EL0, tpidrro_el0) \
    X(VCPU_SP_EL1, sp_el1) X(VCPU_ELR_EL1, elr_el1) X(VCPU_SPSR_EL1, spsr_el1)            \
    X(VCPU_CSSELR_EL1, csselr_el1)                                                        \
    X(VCPU_CNTV_CVAL_EL0, cntv_cval_el0) X(VCPU_CNTVOFF_EL2, cntvoff_el2)                 \
    X(VCPU_VMPIDR_EL2, vmpidr_el2)

static void save_mode_registers(struct vcpu *v)
{
#define SAVE(id, reg, native) v->regs[id] = sysreg_read(reg);
    MODE_REGISTERS(SAVE)
#undef SAVE
}

static void write_mode_registers(const struct vcpu *v)
{
#define WRITE(id, reg, native) sysreg_write(reg, v ? v->regs[id] : native);
    MODE_REGISTERS(WRITE)
#undef WRITE
}

/*
 * Only the VCPU on the CPU has its timer in the hardware. Another one's
 * armed timer is parked here, and the kernel's tick fires it when its
 * deadline has passed (so within one tick), waking a guest that waits in
 * WFI for it.
 */
static struct vcpu *parked_timers;

static void park_timer(struct vcpu *v)
{
    word_t ctl = v->regs[VCPU_CNTV_CTL_EL0];
    if (v->timer_parked || !(ctl & CNTV_CTL_ENABLE) || (ctl & CNTV_CTL_IMASK))
        return;
    v->timer_deadline = v->regs[VCPU_CNTV_CVAL_EL0] + v->regs[VCPU_CNTVOFF_EL2];
    v->timer_next = parked_timers;
    parked_timers = v;
    v->timer_parked = true;
}

static void unpark_timer(struct vcpu *v)
{
    if (!v->timer_parked)
        return;
    struct vcpu **p = &parked_timers;
    while (*p != v)
        p = &(*p)->timer_next;
    *p = v->timer_next;
    v->timer_parked = false;
}

void vcpu_timer_tick(word_t now)
{
    struct vcpu **p = &parked_timers;
    while (*p) {
        struct vcpu *v = *p;
        if (v->timer_deadline > now) {
            p = &v->timer_next;
            continue;
        }
        *p = v->timer_next;
        v->timer_parked = false;
        v->regs[VCPU_CNTV_CTL_EL0] |= CNTV_CTL_IMASK; /* as for a timer that fires on the CPU */
        vcpu_inject(v, VCPU_VTIMER_IRQ);
    }
}

static void save(struct vcpu *v)
{
#define SAVE(id, reg) v->regs[id] = sysreg_read(reg);
    EL1_REGISTERS(SAVE)
#undef SAVE
    if (guest_mode)
        save_mode_registers(v);
    v->regs[VCPU_CNTV_CTL_EL0] = sysreg_read(cntv_ctl_el0);
    sysreg_write(cntv_ctl_el0, 0); /* its timer must not fire for the next guest */
    park_timer(v);
    v->vgic.vmcr = sysreg_read_enc(ICH_VMCR_EL2);
    v->vgic.ap0r0 = sysreg_read_enc(ICH_AP0R0_EL2);
    v->vgic.ap1r0 = sysreg_read_enc(ICH_AP1R0_EL2);
    for (unsigned i = 0; i < lr_count; i++)
        v->vgic.lr[i] = lr_access(i, false, 0);
}

static void load(struct vcpu *v)
{
    unpark_timer(v);
#define LOAD(id, reg) sysreg_write(reg, v->regs[id]);
    EL1_REGISTERS(LOAD)
#undef LOAD
    sysreg_write(cntv_ctl_el0, v->regs[VCPU_CNTV_CTL_EL0]);
    sysreg_write_enc(ICH_VMCR_EL2, v->vgic.vmcr);
    sysreg_write_enc(ICH_AP0R0_EL2, v->vgic.ap0r0);
    sysreg_write_enc(ICH_AP1R0_EL2, v->vgic.ap1r0);
    for (unsigned i = 0; i < lr_count; i++)
        lr_access(i, true, v->vgic.lr[i]);
    sysreg_write_enc(ICH_HCR_EL2, v->vgic.hcr);
    isb();
}

_Static_assert(ARRAY_SIZE(((struct vcpu *)0)->pending) <= WORD_BITS, "one summary bit per word");

static bool has_pending(const struct vcpu *v)
{
    return v->pending_words != 0;
}

/* An interrupt may be in one list register at most: one already there waits its turn. */
static bool in_a_register(unsigned virq, word_t free)
{
    for (unsigned i = 0; i < lr_count; i++)
        if (!(free & BIT(i)) && (lr_access(i, false, 0) & MASK(32)) == virq)
            return true;
    return false;
}

/*
 * Moves queued interrupts into free list registers. While some still wait,
 * every occupied register asks for an EOI maintenance interrupt, so the
 * next one goes in as soon as the guest finishes one.
 */
/*
 * List registers whose interrupt the guest has finished. ICH_ELRSR_EL2 cannot
 * say: it counts a finished register that asked for an EOI maintenance
 * interrupt as occupied, and that request stays asserted until the register
 * is cleared, so those are cleared here.
 */
static word_t reclaim_finished(void)
{
    word_t free = 0;
    for (unsigned i = 0; i < lr_count; i++) {
        word_t lr = lr_access(i, false, 0);
        if (lr & ICH_LR_STATE)
            continue;
        if (lr)
            lr_access(i, true, 0);
        free |= BIT(i);
    }
    return free;
}

static bool any_register_pending(void)
{
    for (unsigned i = 0; i < lr_count; i++)
        if (lr_access(i, false, 0) & ICH_LR_PENDING)
            return true;
    return false;
}

static void refill(struct vcpu *v)
{
    word_t free = reclaim_finished();
    for (word_t words = v->pending_words; words; words &= words - 1) {
        unsigned w = (unsigned)__builtin_ctzl(words);
        word_t candidates = v->pending[w];
        while (candidates) {
            unsigned bit = (unsigned)__builtin_ctzl(candidates), virq = w * WORD_BITS + bit;
            candidates &= ~BIT(bit);
            if (in_a_register(virq, free))
                continue;
            unsigned lr = free ? (unsigned)__builtin_ctzl(free) : lr_count;
            if (lr >= lr_count)
                break;
            lr_access(lr, true, ICH_LR_PENDING | ICH_LR_GROUP1 | ICH_LR_PRIORITY(0xa0) | virq);
            v->pending[w] &= ~BIT(bit);
            free &= ~BIT(lr);
        }
        if (!v->pending[w])
            v->pending_words &= ~BIT(w);
    }
    if (has_pending(v))
        for (unsigned i = 0; i < lr_count; i++)
            if (!(free & BIT(i)))
                lr_access(i, true, lr_access(i, false, 0) | ICH_LR_EOI);
    v->vgic.hcr = ICH_HCR_EN;
    sysreg_write_enc(ICH_HCR_EL2, v->vgic.hcr);
    isb();
}

void vcpu_switch(struct tcb *prev, struct tcb *next)
{
    struct vcpu *v = next->vcpu;
    if (prev && prev->vcpu && prev->vcpu == loaded)
        loaded->regs[VCPU_TPIDRRO_EL0] = sysreg_read(tpidrro_el0);
    if (v != NULL) {
        if (loaded != v) {
            if (loaded)
                save(loaded);
            load(v);
            loaded = v;
            if (guest_mode) /* from one guest straight to another: the mode registers change too */
                write_mode_registers(v);
        }
        sysreg_write(tpidrro_el0, v->regs[VCPU_TPIDRRO_EL0]);
        /*
         * Only queued interrupts need list registers found for them. A
         * finished one still holding a register asks for a maintenance
         * interrupt, which refills then.
         */
        if (has_pending(v))
            refill(v);
    }
    if (guest_mode != (v != NULL)) {
        if (guest_mode && loaded)
            save_mode_registers(loaded);
        guest_mode = v != NULL;
        write_mode_registers(v);
        /* These govern EL0 and EL1 only: the exception return into the thread synchronises them. */
        sysreg_write(hcr_el2, guest_mode ? HCR_GUEST : HCR_NATIVE);
    }
}

void vcpu_bind(struct vcpu *v, struct tcb *t)
{
    if (t->vcpu)
        vcpu_unbind_tcb(t);
    if (v->tcb)
        vcpu_unbind_tcb(v->tcb);
    v->tcb = t;
    t->vcpu = v;
    t->ctx.spsr = 0x3c5; /* EL1h, interrupts masked: how a CPU leaves reset */
}

void vcpu_unbind_tcb(struct tcb *t)
{
    struct vcpu *v = t->vcpu;
    if (!v)
        return;
    if (loaded == v) {
        save(v); /* keeps its state while it is detached from the CPU */
        sysreg_write_enc(ICH_HCR_EL2, 0);
        loaded = NULL;
    }
    v->tcb = NULL;
    v->waiting = false;
    t->vcpu = NULL;
    t->ctx.spsr = 0; /* back to EL0 */
}

void vcpu_destroy(struct vcpu *v)
{
    if (v->tcb)
        vcpu_unbind_tcb(v->tcb);
    unpark_timer(v);
}

word_t vcpu_read_register(struct vcpu *v, unsigned reg)
{
    if (v == loaded)
        save(v), load(v); /* the CPU has the current values */
    return v->regs[reg];
}

void vcpu_write_register(struct vcpu *v, unsigned reg, word_t value)
{
    if (v == loaded)
        save(v);
    v->regs[reg] = value;
    if (v == loaded)
        load(v);
}

void vcpu_inject(struct vcpu *v, unsigned virq)
{
    v->pending[virq / WORD_BITS] |= BIT(virq % WORD_BITS);
    v->pending_words |= BIT(virq / WORD_BITS);
    if (v == loaded)
        refill(v);
    if (v->waiting && v->tcb) {
        v->waiting = false;
        sched_wake(v->tcb, true);
    }
}

/* The guest's timer fired: mask it (the guest unmasks it when it sets the next one) and tell the guest. */
void vcpu_vtimer_interrupt(void)
{
    if (!loaded) {
        sysreg_write(cntv_ctl_el0, CNTV_CTL_IMASK);
        return;
    }
    sysreg_write(cntv_ctl_el0, sysreg_read(cntv_ctl_el0) | CNTV_CTL_IMASK);
    vcpu_inject(loaded, VCPU_VTIMER_IRQ);
}

void vcpu_maintenance_interrupt(void)
{
    if (loaded)
        refill(loaded);
    else
        sysreg_write_enc(ICH_HCR_EL2, 0);
}

static word_t ipa_of_abort(void)
{
    return ((sysreg_read(hpfar_el2) >> 4) << 12) | (sysreg_read(far_el2) & MASK(12));
}

static word_t register_value(const struct tcb *t, unsigned reg)
{
    return reg == 31 ? 0 : t->ctx.x[reg]; /* 31 is xzr here */
}

/* WFI with nothing to deliver: the thread sleeps until an interrupt is injected for it. */
static void wait_for_interrupt(struct tcb *t)
{
    struct vcpu *v = t->vcpu;
    t->ctx.pc += 4;
    if (has_pending(v) || (v == loaded && any_register_pending()))
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
        wait_for_interrupt(t);
        return;
    case EC_DABT_LOWER: {
        word_t value = (esr & ESR_DABT_ISV) && (esr & ESR_DABT_WNR)
                           ? register_value(t, ESR_DABT_SRT(esr)) : 0;
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

/* A load the VMM emulated: the value goes into the destination register, sized and extended as the load says. */
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
        return false;
    }
}
