/*
 * What the ID registers claim, and that the claims hold: the performance
 * monitors (cycle counter, event counters, overflow interrupt) and the
 * debug architecture (OS lock, breakpoints, watchpoints, single step).
 */
#include "conformance.h"

#define DFR0_PMUVER(d) (((d) >> 8) & 0xf)
#define DFR0_BRPS(d) ((unsigned)(((d) >> 12) & 0xf) + 1)
#define DFR0_WRPS(d) ((unsigned)(((d) >> 20) & 0xf) + 1)
#define PMUVER_V3 1
#define PMUVER_IMPDEF 0xf
#define PMCR_E BIT(0)
#define PMCR_P BIT(1)
#define PMCR_C BIT(2)
#define PMCR_N(pmcr) ((unsigned)((pmcr) >> 11) & 0x1f)
#define PMU_CYCLES BIT(31)
#define EVENT_SW_INCR 0x00
#define PMU_PPI 23 /* QEMU virt's PMU interrupt, PPI 7 */
#define MDSCR_SS BIT(0)
#define MDSCR_KDE BIT(13)
#define MDSCR_MDE BIT(15)
#define OSLSR_OSLK BIT(1)
#define BCR_ENABLE BIT(0)
#define PMC_EL1 (1UL << 1)
#define PMC_EL0 (2UL << 1)
#define BCR_BAS_A64 (0xfUL << 5)
#define WCR_LOAD (1UL << 3)
#define WCR_BAS_ALL (0xffUL << 5)
#define SPSR_SS BIT(21)
#define EC_BREAKPOINT_LOWER 0x30
#define EC_BREAKPOINT_CURRENT 0x31
#define EC_STEP_LOWER 0x32
#define EC_WATCHPOINT_LOWER 0x34
#define IRQ_MS 200

static bool has_pmu(void)
{
    unsigned v = DFR0_PMUVER(read_sysreg(id_aa64dfr0_el1));
    return v != 0 && v != PMUVER_IMPDEF;
}

/* Breakpoint and watchpoint registers by number: each is a register of its own. */
#define BP_CASE(n)                                                                                 \
    case n:                                                                                        \
        if (write) {                                                                               \
            write_sysreg(dbgbvr##n##_el1, *value);                                                 \
            write_sysreg(dbgbcr##n##_el1, *control);                                               \
        } else {                                                                                   \
            *value = read_sysreg(dbgbvr##n##_el1);                                                 \
            *control = read_sysreg(dbgbcr##n##_el1);                                               \
        }                                                                                          \
        break;
#define WP_CASE(n)                                                                                 \
    case n:                                                                                        \
        if (write) {                                                                               \
            write_sysreg(dbgwvr##n##_el1, *value);                                                 \
            write_sysreg(dbgwcr##n##_el1, *control);                                               \
        } else {                                                                                   \
            *value = read_sysreg(dbgwvr##n##_el1);                                                 \
            *control = read_sysreg(dbgwcr##n##_el1);                                               \
        }                                                                                          \
        break;
#define SIXTEEN(X)                                                                                 \
    X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)

static void breakpoint_access(unsigned n, bool write, uint64_t *value, uint64_t *control)
{
    switch (n) {
        SIXTEEN(BP_CASE)
    default:
        break;
    }
    isb();
}

static void watchpoint_access(unsigned n, bool write, uint64_t *value, uint64_t *control)
{
    switch (n) {
        SIXTEEN(WP_CASE)
    default:
        break;
    }
    isb();
}

static void set_breakpoint(unsigned n, uint64_t address, uint64_t control)
{
    breakpoint_access(n, true, &address, &control);
}

static void set_watchpoint(unsigned n, uint64_t address, uint64_t control)
{
    watchpoint_access(n, true, &address, &control);
}

void pmu_cleanup(void)
{
    if (!has_pmu())
        return;
    write_sysreg(pmcr_el0, 0);
    write_sysreg(pmcntenclr_el0, ~0UL);
    write_sysreg(pmintenclr_el1, ~0UL);
    write_sysreg(pmovsclr_el0, ~0UL);
    isb();
}

void debug_cleanup(void)
{
    uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);
    write_sysreg(mdscr_el1, 0);
    for (unsigned n = 0; n < DFR0_BRPS(dfr0); n++)
        set_breakpoint(n, 0, 0);
    for (unsigned n = 0; n < DFR0_WRPS(dfr0); n++)
        set_watchpoint(n, 0, 0);
    __asm__ volatile("msr daifset, #8" ::: "memory");
    isb();
}

/* The CPU interface of the GIC is system registers, as the ID register says. */
bool test_id_gic_sysregs(void)
{
    uint64_t pfr0 = read_sysreg(id_aa64pfr0_el1);
    if (((pfr0 >> 24) & 0xf) != 1)
        return fail("ID_AA64PFR0_EL1 %#lx: GIC field not 1", (unsigned long)pfr0);
    return true;
}

/* Unallocated ID registers read as zero. */
bool test_id_reserved_raz(void)
{
    uint64_t r[4] = { read_sysreg(S3_0_C0_C4_2), read_sysreg(S3_0_C0_C5_2),
                      read_sysreg(S3_0_C0_C6_2), read_sysreg(S3_0_C0_C7_7) };
    for (unsigned i = 0; i < 4; i++)
        if (r[i])
            return fail("reserved ID register %u reads %#lx", i, (unsigned long)r[i]);
    return true;
}

/* If ID_AA64DFR0_EL1 claims a PMU, its cycle counter counts. */
bool test_pmu_cycle_counter(void)
{
    if (!has_pmu())
        return true;
    write_sysreg(pmccfiltr_el0, 0); /* EL0 and EL1 */
    write_sysreg(pmcr_el0, PMCR_E | PMCR_C);
    write_sysreg(pmcntenset_el0, PMU_CYCLES);
    isb();
    uint64_t before = read_sysreg(pmccntr_el0);
    spin_ms(1);
    uint64_t after = read_sysreg(pmccntr_el0);
    if (after <= before)
        return fail("PMCCNTR_EL0 %#lx -> %#lx over 1 ms", (unsigned long)before,
                    (unsigned long)after);
    return true;
}

/* Every event counter PMCR_EL0.N claims counts software increments. */
bool test_pmu_event_counters(void)
{
    if (!has_pmu())
        return true;
    write_sysreg(pmcr_el0, PMCR_E | PMCR_P);
    isb();
    unsigned n = PMCR_N(read_sysreg(pmcr_el0));
    for (unsigned i = 0; i < n; i++) {
        write_sysreg(pmselr_el0, i);
        isb();
        write_sysreg(pmxevtyper_el0, EVENT_SW_INCR);
        write_sysreg(pmxevcntr_el0, 0);
        write_sysreg(pmcntenset_el0, BIT(i));
        isb();
        write_sysreg(pmswinc_el0, BIT(i));
        write_sysreg(pmswinc_el0, BIT(i));
        isb();
        uint64_t count = read_sysreg(pmxevcntr_el0);
        if (count != 2)
            return fail("event counter %u of %u counted %lu software increments of 2", i, n,
                        (unsigned long)count);
    }
    return true;
}

static volatile uint64_t overflow_in_handler;

static void pmu_handler(unsigned intid)
{
    if (intid != PMU_PPI)
        return;
    overflow_in_handler = read_sysreg(pmovsset_el0);
    write_sysreg(pmovsclr_el0, ~0UL);
    isb();
}

/* A counter that overflows sets its flag and interrupts (PPI 23). */
bool test_pmu_overflow_interrupt(void)
{
    if (!has_pmu() || PMCR_N(read_sysreg(pmcr_el0)) == 0)
        return true;
    overflow_in_handler = 0;
    irq_hook = pmu_handler;
    gic_enable_private(PMU_PPI);
    write_sysreg(pmevtyper0_el0, EVENT_SW_INCR);
    write_sysreg(pmevcntr0_el0, 0xffffffffUL);
    write_sysreg(pmintenset_el1, BIT(0));
    write_sysreg(pmcntenset_el0, BIT(0));
    write_sysreg(pmcr_el0, PMCR_E);
    isb();
    unsigned before = irq_count[PMU_PPI];
    irqs_on();
    write_sysreg(pmswinc_el0, BIT(0));
    bool arrived = wait_for_change(&irq_count[PMU_PPI], before, IRQ_MS);
    irqs_off();
    if (!arrived)
        return fail("no PMU interrupt after the counter overflowed (PMOVSSET %#lx)",
                    (unsigned long)read_sysreg(pmovsset_el0));
    if (!(overflow_in_handler & BIT(0)))
        return fail("PMOVSSET_EL0 %#lx in the handler", (unsigned long)overflow_in_handler);
    return true;
}

bool test_debug_os_lock(void)
{
    write_sysreg(oslar_el1, 1);
    isb();
    uint64_t locked = read_sysreg(oslsr_el1);
    write_sysreg(oslar_el1, 0);
    isb();
    uint64_t unlocked = read_sysreg(oslsr_el1);
    if (!(locked & OSLSR_OSLK) || (unlocked & OSLSR_OSLK))
        return fail("OSLSR_EL1 %#lx locked, %#lx unlocked", (unsigned long)locked,
                    (unsigned long)unlocked);
    return true;
}

/* Every breakpoint and watchpoint ID_AA64DFR0_EL1 claims holds what is written to it. */
bool test_debug_registers_hold(void)
{
    uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);
    for (unsigned n = 0; n < DFR0_BRPS(dfr0); n++) {
        uint64_t v = RAM_BASE + 0x1000 + 4 * n, c = BCR_BAS_A64 | PMC_EL0;
        set_breakpoint(n, v, c);
        uint64_t rv = 0, rc = 0;
        breakpoint_access(n, false, &rv, &rc);
        if (rv != v || rc != c)
            return fail("breakpoint %u of %u: wrote %#lx/%#lx, read %#lx/%#lx", n, DFR0_BRPS(dfr0),
                        (unsigned long)v, (unsigned long)c, (unsigned long)rv, (unsigned long)rc);
    }
    for (unsigned n = 0; n < DFR0_WRPS(dfr0); n++) {
        uint64_t v = RAM_BASE + 0x2000 + 8 * n, c = WCR_BAS_ALL | WCR_LOAD | PMC_EL0;
        set_watchpoint(n, v, c);
        uint64_t rv = 0, rc = 0;
        watchpoint_access(n, false, &rv, &rc);
        if (rv != v || rc != c)
            return fail("watchpoint %u of %u: wrote %#lx/%#lx, read %#lx/%#lx", n, DFR0_WRPS(dfr0),
                        (unsigned long)v, (unsigned long)c, (unsigned long)rv, (unsigned long)rc);
    }
    return true;
}

static void disarm_and_retry(struct frame *f)
{
    set_breakpoint(0, 0, 0);
    set_watchpoint(0, 0, 0);
    (void)f;
}

static uint64_t __attribute__((noinline, aligned(16))) el0_target(uint64_t x)
{
    __asm__ volatile("" ::: "memory");
    return x + 1;
}

static bool debug_unlocked(void)
{
    write_sysreg(oslar_el1, 0);
    write_sysreg(osdlr_el1, 0);
    isb();
    return true;
}

bool test_debug_breakpoint_el0(void)
{
    debug_unlocked();
    set_breakpoint(0, (uint64_t)el0_target, BCR_ENABLE | PMC_EL0 | BCR_BAS_A64);
    write_sysreg(mdscr_el1, MDSCR_MDE);
    isb();
    expect_exceptions(disarm_and_retry);
    uint64_t r = run_at_el0(el0_target, 41, 0);
    expect_none();
    if (taken.count != 1 || taken.vector != VECTOR_LOWER_A64 ||
        EC(taken.esr) != EC_BREAKPOINT_LOWER || taken.elr != (uint64_t)el0_target)
        return fail("%u exceptions, vector %u, ESR %#lx, ELR %#lx; wanted a breakpoint at %#lx",
                    taken.count, taken.vector, (unsigned long)taken.esr, (unsigned long)taken.elr,
                    (unsigned long)el0_target);
    if (r != 42)
        return fail("the function returned %lu after the breakpoint", (unsigned long)r);
    return true;
}

static volatile uint64_t watched __attribute__((aligned(8))) = 7;

static uint64_t el0_read_watched(uint64_t unused)
{
    (void)unused;
    return watched;
}

bool test_debug_watchpoint_el0(void)
{
    debug_unlocked();
    set_watchpoint(0, (uint64_t)&watched, BCR_ENABLE | PMC_EL0 | WCR_LOAD | WCR_BAS_ALL);
    write_sysreg(mdscr_el1, MDSCR_MDE);
    isb();
    expect_exceptions(disarm_and_retry);
    uint64_t r = run_at_el0(el0_read_watched, 0, 0);
    expect_none();
    if (taken.count != 1 || taken.vector != VECTOR_LOWER_A64 ||
        EC(taken.esr) != EC_WATCHPOINT_LOWER)
        return fail("%u exceptions, vector %u, ESR %#lx; wanted a watchpoint", taken.count,
                    taken.vector, (unsigned long)taken.esr);
    if (taken.far < (uint64_t)&watched || taken.far >= (uint64_t)&watched + 8)
        return fail("FAR %#lx, not the watched %#lx", (unsigned long)taken.far,
                    (unsigned long)&watched);
    if (r != 7)
        return fail("the load returned %lu after the watchpoint", (unsigned long)r);
    return true;
}

extern char step_target[];
static uint64_t stepped_at[8];

static void step_on(struct frame *f)
{
    if (taken.count <= 8)
        stepped_at[taken.count - 1] = f->elr;
    f->spsr |= SPSR_SS; /* step the next one too */
}

/* MDSCR_EL1.SS and SPSR.SS step EL0 one instruction at a time. */
bool test_debug_single_step_el0(void)
{
    debug_unlocked();
    write_sysreg(mdscr_el1, MDSCR_SS);
    isb();
    expect_exceptions(step_on);
    uint64_t r = run_at_el0((uint64_t(*)(uint64_t))step_target, 0, SPSR_SS);
    expect_none();
    write_sysreg(mdscr_el1, 0);
    isb();
    uint64_t base = (uint64_t)step_target,
             want[4] = { base + 4, base + 8, base + 12, (uint64_t)el0_return };
    if (taken.count != 4 || EC(taken.esr) != EC_STEP_LOWER)
        return fail("%u exceptions, the last ESR %#lx; wanted 4 software steps", taken.count,
                    (unsigned long)taken.esr);
    for (unsigned i = 0; i < 4; i++)
        if (stepped_at[i] != want[i])
            return fail("step %u stopped at %#lx, not %#lx", i, (unsigned long)stepped_at[i],
                        (unsigned long)want[i]);
    if (r != 6)
        return fail("the stepped code returned %lu", (unsigned long)r);
    return true;
}

static uint64_t __attribute__((noinline, aligned(16))) el1_target(uint64_t x)
{
    __asm__ volatile("" ::: "memory");
    return x * 2;
}

/* With MDSCR_EL1.KDE and PSTATE.D clear, a breakpoint fires at EL1 too. */
bool test_debug_breakpoint_el1(void)
{
    debug_unlocked();
    set_breakpoint(0, (uint64_t)el1_target, BCR_ENABLE | PMC_EL1 | BCR_BAS_A64);
    write_sysreg(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
    isb();
    expect_exceptions(disarm_and_retry);
    __asm__ volatile("msr daifclr, #8" ::: "memory");
    isb();
    uint64_t (*volatile call)(uint64_t) = el1_target; /* a real call, to the breakpoint */
    uint64_t r = call(21);
    __asm__ volatile("msr daifset, #8" ::: "memory");
    expect_none();
    if (taken.count != 1 || taken.vector != VECTOR_CURRENT_SPX ||
        EC(taken.esr) != EC_BREAKPOINT_CURRENT || taken.elr != (uint64_t)el1_target)
        return fail("%u exceptions, vector %u, ESR %#lx, ELR %#lx; wanted a breakpoint at %#lx",
                    taken.count, taken.vector, (unsigned long)taken.esr, (unsigned long)taken.elr,
                    (unsigned long)el1_target);
    if (r != 42)
        return fail("the function returned %lu after the breakpoint", (unsigned long)r);
    return true;
}
