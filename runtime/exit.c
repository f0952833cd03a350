/*
 * Ending a program. The initializer on a debug kernel stops the machine,
 * which ends QEMU; a cell tells its supervisor, which applies its restart
 * policy; otherwise the thread suspends itself and the rest goes on.
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
    runtime_console_flush();
    if (runtime_boot_info) {
        sys_debug_halt();
        tcb_suspend(INIT_CAP_TCB);
    }
    if (runtime_cell_info) { /* the supervisor decides what happens to an exited cell */
        uint64_t mr[4] = { (uint64_t)(int64_t)status, 0, 0, 0 };
        sys_send(runtime_cell_info->supervisor_slot, msginfo_new(CELL_EXIT_LABEL, 0, 0, 1), mr);
    }
    for (;;)
        sys_yield();
}
