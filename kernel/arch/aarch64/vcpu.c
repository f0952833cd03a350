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
#include <arch/vgic.h>
#include <cella/faults.h>
#include <cella/tcb.h>
#include <cella/timeouts.h>
#include <cella/timer.h>

#define HCR_GUEST                                                                                  \
    (HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_TWI | HCR_TWE | HCR_TSC | HCR_RW |      \
     BIT(9) /* FB */ | BIT(10) /* BSU inner shareable */)
#define SCTLR_EL1_RESET 0x30d00800UL
#define CNTV_CTL_ENABLE BIT(0)
#define CNTV_CTL_IMASK BIT(1)
#define CNTKCTL_NATIVE 3UL /* EL0 may read the physical and virtual counters */

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
    vgic_init_cpu();
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
    vgic_init(&v->vgic);
}

/*
 * SCTLR_EL1, CPACR_EL1 and CNTKCTL_EL1 also govern native threads at EL0
 * (cache maintenance, FP, counter access), so they hold the natives' values
 * whenever natives run and the guest's only in guest mode.
 */
/* clang-format off */
#define MODE_REGISTERS(X)                                                                \
    X(VCPU_SCTLR_EL1, sctlr_el1, SCTLR_NATIVE) X(VCPU_CPACR_EL1, cpacr_el1, CPACR_NATIVE)  \
    X(VCPU_CNTKCTL_EL1, cntkctl_el1, CNTKCTL_NATIVE)
/* clang-format on */
#define SCTLR_NATIVE (SCTLR_EL1_RESET | BIT(14) | BIT(15) | BIT(26)) /* DZE, UCT, UCI */
#define CPACR_NATIVE (3UL << 20)                                     /* FP at EL0 */

/* clang-format off */
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
/* clang-format on */

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
 * armed timer is parked here, and the kernel's wake-up timer is set for the
 * earliest deadline (timeouts.c), so a guest that waits in WFI for its timer
 * (beside another guest, or another CPU of its own) wakes on time.
 */
static struct vcpu *parked_timers;

word_t vcpu_earliest_parked_timer(void)
{
    word_t earliest = ~(word_t)0;
    for (struct vcpu *v = parked_timers; v; v = v->timer_next)
        earliest = v->timer_deadline < earliest ? v->timer_deadline : earliest;
    return earliest;
}

static void park_timer(struct vcpu *v)
{
    word_t ctl = v->regs[VCPU_CNTV_CTL_EL0];
    if (v->timer_parked || !(ctl & CNTV_CTL_ENABLE) || (ctl & CNTV_CTL_IMASK))
        return;
    v->timer_deadline = v->regs[VCPU_CNTV_CVAL_EL0] + v->regs[VCPU_CNTVOFF_EL2];
    v->timer_next = parked_timers;
    parked_timers = v;
    v->timer_parked = true;
    timeouts_update();
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
    timeouts_update();
}

void vcpu_wake_timers(word_t now)
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
    vgic_save(&v->vgic);
}

static void load(struct vcpu *v)
{
    unpark_timer(v);
#define LOAD(id, reg) sysreg_write(reg, v->regs[id]);
    EL1_REGISTERS(LOAD)
#undef LOAD
    sysreg_write(cntv_ctl_el0, v->regs[VCPU_CNTV_CTL_EL0]);
    vgic_load(&v->vgic);
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
        if (vgic_has_queued(v))
            vgic_refill(v);
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
        vgic_disable();
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
        vgic_refill(v);
    if (v->waiting && v->tcb) {
        v->waiting = false;
        sched_wake(v->tcb, true);
    }
}

/* The guest's timer fired: mask it (the guest unmasks it when it sets the next one) and tell the
 * guest. */
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
        vgic_refill(loaded);
    else
        vgic_disable();
}

bool vcpu_interrupt_waiting(const struct vcpu *v)
{
    return vgic_has_queued(v) || (v == loaded && vgic_any_register_pending());
}
