/* The end of the line: report, then stop the machine where a debugger can still look. */
#include <cella/panic.h>
#include <cella/printk.h>

NORETURN void arch_halt(void);

void panic(const char *fmt, ...)
{
    va_list args;
    printk("\nKERNEL PANIC: ");
    va_start(args, fmt);
    vprintk(fmt, args);
    va_end(args);
    printk("\n");
    arch_halt();
}
