/*
 * The generic timer: the counters, the EL1 virtual timer and the EL1
 * physical timer, each with its interrupt (PPI 27 and PPI 30) and its
 * state as the interrupt controller shows it.
 */
#include "conformance.h"

#define CTL_ENABLE BIT(0)
#define CTL_IMASK BIT(1)
#define CTL_ISTATUS BIT(2)
#define VTIMER_PPI 27
#define PTIMER_PPI 30
#define GIC_ISPENDR 0x0200
#define IRQ_MS 200

static volatile uint64_t ctl_in_handler;

void timers_cleanup(void)
{
    write_sysreg(cntv_ctl_el0, 0);
    isb();
}

void ptimer_cleanup(void)
{
    write_sysreg(cntp_ctl_el0, 0);
    isb();
}

static void vtimer_handler(unsigned intid)
{
    if (intid != VTIMER_PPI)
        return;
    ctl_in_handler = read_sysreg(cntv_ctl_el0);
    write_sysreg(cntv_ctl_el0, 0); /* the level drops before the EOI */
    isb();
}

static void ptimer_handler(unsigned intid)
{
    if (intid != PTIMER_PPI)
        return;
    ctl_in_handler = read_sysreg(cntp_ctl_el0);
    write_sysreg(cntp_ctl_el0, 0);
    isb();
}

bool test_timer_counters(void)
{
    if (read_sysreg(cntfrq_el0) == 0)
        return fail("CNTFRQ_EL0 is 0");
    uint64_t v0 = ticks(), p0 = read_sysreg(cntpct_el0);
    spin_ms(1);
    uint64_t v1 = ticks(), p1 = read_sysreg(cntpct_el0);
    if (v1 <= v0 || p1 <= p0)
        return fail("counters stand still: virtual %#lx -> %#lx, physical %#lx -> %#lx",
                    (unsigned long)v0, (unsigned long)v1, (unsigned long)p0, (unsigned long)p1);
    return true;
}

/* Armed 1 ms ahead, the virtual timer interrupts; its handler sees ISTATUS. */
static bool vtimer_interrupt(uint64_t *ctl)
{
    ctl_in_handler = 0;
    irq_hook = vtimer_handler;
    gic_enable_private(VTIMER_PPI);
    write_sysreg(cntv_tval_el0, ticks_per_ms());
    write_sysreg(cntv_ctl_el0, CTL_ENABLE);
    isb();
    unsigned before = irq_count[VTIMER_PPI];
    irqs_on();
    bool arrived = wait_for_change(&irq_count[VTIMER_PPI], before, IRQ_MS);
    irqs_off();
    *ctl = ctl_in_handler;
    if (!arrived)
        return fail("no virtual timer interrupt within %u ms", IRQ_MS);
    if (!(*ctl & CTL_ISTATUS))
        return fail("CNTV_CTL_EL0 %#lx in the handler: ISTATUS clear", (unsigned long)*ctl);
    return true;
}

bool test_vtimer_fires(void)
{
    uint64_t ctl;
    return vtimer_interrupt(&ctl);
}

/* Nobody but the program writes its timer's control register: it reads back as written. */
bool test_vtimer_ctl_as_written(void)
{
    uint64_t ctl;
    if (!vtimer_interrupt(&ctl))
        return false;
    if ((ctl & (CTL_ENABLE | CTL_IMASK)) != CTL_ENABLE)
        return fail("CNTV_CTL_EL0 %#lx in the handler; written %#lx", (unsigned long)ctl,
                    (unsigned long)CTL_ENABLE);
    return true;
}

static bool ppi_pending(unsigned intid)
{
    return (mmio_read32(GICR_SGI_BASE + GIC_ISPENDR) >> intid) & 1;
}

/*
 * The timer's output is a level: while its condition holds (interrupts
 * masked, so it is not taken) PPI 27 is pending in the redistributor; once
 * the timer is disabled it is not, and nothing is taken.
 */
bool test_vtimer_pending_visible(void)
{
    irq_hook = vtimer_handler;
    gic_enable_private(VTIMER_PPI);
    write_sysreg(cntv_tval_el0, ticks_per_ms() / 4);
    write_sysreg(cntv_ctl_el0, CTL_ENABLE);
    isb();
    uint64_t end = ticks() + IRQ_MS * ticks_per_ms();
    while (!(read_sysreg(cntv_ctl_el0) & CTL_ISTATUS))
        if (ticks() > end)
            return fail("CNTV_CTL_EL0.ISTATUS never set");
    spin_ms(1);
    if (!ppi_pending(VTIMER_PPI))
        return fail("the timer's condition holds, but PPI 27 is not pending");
    write_sysreg(cntv_ctl_el0, 0);
    isb();
    if (ppi_pending(VTIMER_PPI))
        return fail("the timer is disabled, but PPI 27 is still pending");
    unsigned before = irq_count[VTIMER_PPI];
    irqs_on();
    spin_ms(5);
    irqs_off();
    if (irq_count[VTIMER_PPI] != before)
        return fail("PPI 27 taken after the timer was disabled");
    return true;
}

bool test_ptimer_fires(void)
{
    ctl_in_handler = 0;
    irq_hook = ptimer_handler;
    gic_enable_private(PTIMER_PPI);
    write_sysreg(cntp_tval_el0, ticks_per_ms());
    write_sysreg(cntp_ctl_el0, CTL_ENABLE);
    isb();
    unsigned before = irq_count[PTIMER_PPI];
    irqs_on();
    bool arrived = wait_for_change(&irq_count[PTIMER_PPI], before, IRQ_MS);
    irqs_off();
    if (!arrived)
        return fail("no physical timer interrupt within %u ms", IRQ_MS);
    if ((ctl_in_handler & (CTL_ISTATUS | CTL_ENABLE | CTL_IMASK)) != (CTL_ISTATUS | CTL_ENABLE))
        return fail("CNTP_CTL_EL0 %#lx in the handler", (unsigned long)ctl_in_handler);
    return true;
}

/* CVAL reads back; TVAL counts down to it; ISTATUS follows the condition, masked or not. */
bool test_ptimer_registers(void)
{
    uint64_t now = read_sysreg(cntpct_el0), cval = now + 1000 * ticks_per_ms();
    write_sysreg(cntp_ctl_el0, CTL_ENABLE | CTL_IMASK);
    write_sysreg(cntp_cval_el0, cval);
    isb();
    uint64_t back = read_sysreg(cntp_cval_el0);
    int32_t tval = (int32_t)read_sysreg(cntp_tval_el0);
    uint64_t ctl = read_sysreg(cntp_ctl_el0);
    if (back != cval)
        return fail("CNTP_CVAL_EL0 reads %#lx, written %#lx", (unsigned long)back,
                    (unsigned long)cval);
    if (tval <= 0 || (uint64_t)tval > 1000 * ticks_per_ms())
        return fail("CNTP_TVAL_EL0 %d for a deadline 1 s ahead", tval);
    if (ctl & CTL_ISTATUS)
        return fail("CNTP_CTL_EL0 %#lx: ISTATUS before the deadline", (unsigned long)ctl);
    write_sysreg(cntp_cval_el0, now);
    isb();
    ctl = read_sysreg(cntp_ctl_el0);
    if (!(ctl & CTL_ISTATUS))
        return fail("CNTP_CTL_EL0 %#lx: ISTATUS clear past the deadline", (unsigned long)ctl);
    return true;
}
