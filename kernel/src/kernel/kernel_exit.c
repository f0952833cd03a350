/* Every way out of the kernel: run the thread the scheduler picks, or idle. */
#include <arch/thread_switch.h>
#include <cella/tcb.h>

void kernel_exit(void)
{
    struct tcb *next = sched_choose_next();
    if (!next) {
        /* Idle forgets who ran last, so the next switch could not save this thread's TLS. */
        if (current_thread)
            arch_save_tls(current_thread);
        current_thread = NULL;
        arch_idle();
    }
    if (next != current_thread)
        arch_switch_thread(current_thread, next);
    current_thread = next;
    restore_user_context(&next->ctx);
}
