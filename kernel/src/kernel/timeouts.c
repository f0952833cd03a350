/* The kernel's wake-up timer, shared by parked guest timers and notification timers. */
#include <arch/vcpu.h>
#include <cella/objects.h>
#include <cella/timeouts.h>
#include <cella/timer.h>

void timeouts_update(void)
{
    word_t guest = vcpu_earliest_parked_timer(), own = notification_earliest_timer();
    word_t earliest = guest < own ? guest : own;
    if (earliest != ~(word_t)0)
        timer_wake_at(earliest);
    else
        timer_wake_stop();
}

void timeouts_expire(word_t now)
{
    vcpu_wake_timers(now);
    notification_expire_timers(now);
    timeouts_update();
}
