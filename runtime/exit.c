/*
 * Ending a program. A debug kernel can stop the machine, which ends QEMU;
 * otherwise the thread suspends itself and the rest of the system goes on.
 */
#include "runtime.h"

_Noreturn void runtime_exit(int status)
{
    static const char prefix[] = "exit status ";
    char digits[12];
    unsigned n = 0, v = (unsigned)status;
    do {
        digits[sizeof(digits) - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && n < sizeof(digits) - 1);
    runtime_console_write(prefix, sizeof(prefix) - 1);
    runtime_console_write(digits + sizeof(digits) - n, n);
    runtime_console_write("\n", 1);
    if (runtime_boot_info) {
        sys_debug_halt();
        tcb_suspend(INIT_CAP_TCB);
    }
    for (;;)
        sys_yield();
}
