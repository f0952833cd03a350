/*
 * Deadlines the kernel keeps for user level, on its wake-up timer: parked
 * guest timers (a VCPU off the CPU whose virtual timer is armed) and
 * notification timers. The wake-up timer is set for the earliest of all.
 */
#pragma once

#include <cella/types.h>

/* Sets the wake-up timer for the earliest deadline (or stops it): after any deadline changed. */
void timeouts_update(void);
/* The wake-up timer fired: everything due by now is signalled or injected. */
void timeouts_expire(word_t now);
