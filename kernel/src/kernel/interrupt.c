/* Taking interrupts: the kernel's tick, or a device line handed to user level. */
#include <arch/traps.h>
#include <arch/vcpu.h>
#include <cella/interrupt.h>
#include <cella/irq.h>
#include <cella/irq_handler.h>
#include <cella/tcb.h>
#include <cella/timeouts.h>
#include <cella/timer.h>

void interrupt_handle(void)
{
    unsigned irq = irq_acknowledge();
    if (irq == IRQ_NONE)
        return;
    if (irq == timer_irq()) {
        timer_arm(timer_frequency() / TICK_HZ);
        sched_tick();
    } else if (irq == timer_wake_irq()) {
        timeouts_expire(timer_now());
    } else if (irq == VCPU_VTIMER_IRQ) {
        vcpu_vtimer_interrupt();
    } else if (irq == GIC_MAINTENANCE_IRQ) {
        vcpu_maintenance_interrupt();
    } else {
        irq_deliver(irq);
    }
    irq_end(irq);
}

void interrupt_init(void)
{
    irq_reserve(timer_irq());
    irq_enable(timer_irq());
    irq_reserve(timer_wake_irq());
    irq_enable(timer_wake_irq());
    irq_reserve(VCPU_VTIMER_IRQ);
    irq_enable(VCPU_VTIMER_IRQ);
    irq_reserve(GIC_MAINTENANCE_IRQ);
    irq_enable(GIC_MAINTENANCE_IRQ);
    timer_arm(timer_frequency() / TICK_HZ);
}

void handle_idle_interrupt(void)
{
    interrupt_handle();
    kernel_exit();
}
