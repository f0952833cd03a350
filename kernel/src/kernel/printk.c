/* Kernel console printing on top of the formatter and the board's UART driver. */
#include <cella/console.h>
#include <cella/printk.h>

static void console_sink(char c, void *ctx)
{
    (void)ctx;
    if (c == '\n')
        console_putc('\r');
    console_putc(c);
}

int vprintk(const char *fmt, va_list args)
{
    return format_v(console_sink, NULL, fmt, args);
}

int printk(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int n = vprintk(fmt, args);
    va_end(args);
    return n;
}
