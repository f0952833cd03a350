/* Taking interrupts: the kernel's tick, or a device line handed to user level. */
#include <arch/traps.h>
#include <cella/irq.h>
#include <cella/irq_handler.h>
#include <cella/tcb.h>
#include <cella/timer.h>
#include <cella/interrupt.h>

void interrupt_handle(void)
{
    unsigned irq = irq_acknowledge();
    if (irq == IRQ_NONE)
        return;
    if (irq == timer_irq()) {
        timer_arm(timer_frequency() / TICK_HZ);
        sched_tick();
    } else {
        irq_deliver(irq);
    }
    irq_end(irq);
}

void interrupt_init(void)
{
    irq_reserve(timer_irq());
    irq_enable(timer_irq());
    timer_arm(timer_frequency() / TICK_HZ);
}

void handle_idle_interrupt(void)
{
    interrupt_handle();
    kernel_exit();
}
