/* Ending the machine: the platform's firmware interface (PSCI on AArch64). */
#pragma once

#include <cella/util.h>

NORETURN void power_off(void);
NORETURN void power_reset(void);
