/* The kernel tick on the EL2 physical timer (CNTHP), which guests cannot touch. */
#include <arch/sysreg.h>
#include <cella/timer.h>
#include <platform_config.h>

#define CNTHP_CTL_ENABLE BIT(0)
#define CNTHP_CTL_IMASK BIT(1)

void timer_init(void)
{
    sysreg_write(cntp_ctl_el0, CNTHP_CTL_IMASK);
    sysreg_write(cnthp_ctl_el2, CNTHP_CTL_IMASK);
    isb();
}

unsigned timer_irq(void)
{
    return PLATFORM_TIMER_HYP_IRQ;
}

uint64_t timer_frequency(void)
{
    return sysreg_read(cntfrq_el0);
}

uint64_t timer_now(void)
{
    isb(); /* the counter read must not be hoisted above earlier instructions */
    return sysreg_read(cntpct_el0);
}

void timer_arm(uint64_t ticks)
{
    sysreg_write(cnthp_cval_el2, timer_now() + ticks);
    sysreg_write(cnthp_ctl_el2, CNTHP_CTL_ENABLE);
    isb();
}

void timer_stop(void)
{
    sysreg_write(cnthp_ctl_el2, CNTHP_CTL_IMASK);
    isb();
}

/*
 * The wake-up timer is the EL1 physical timer, which guests cannot reach
 * (CNTHCTL_EL2.EL1PCEN clear) and natives at EL0 cannot either.
 */
unsigned timer_wake_irq(void)
{
    return PLATFORM_TIMER_PHYS_IRQ;
}

void timer_wake_at(uint64_t deadline)
{
    sysreg_write(cntp_cval_el0, deadline);
    sysreg_write(cntp_ctl_el0, CNTHP_CTL_ENABLE);
    isb();
}

void timer_wake_stop(void)
{
    sysreg_write(cntp_ctl_el0, CNTHP_CTL_IMASK); /* the level-triggered line drops */
    isb();
}
