/* Console output for stdout and stderr: the kernel's debug console unless redirected. */
#include "runtime.h"

static void debug_console_write(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++)
        sys_debug_put_char(text[i]);
}

static console_write_fn console = debug_console_write;

void runtime_set_console(console_write_fn write)
{
    console = write;
}

void runtime_console_write(const char *text, size_t length)
{
    console(text, length);
}
