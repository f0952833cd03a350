/*
 * Console output for stdout and stderr. It runs inside the system-call
 * emulation, in the middle of musl code, so it calls nothing in musl.
 * A cell with a call channel to the cell named "console" sends whole lines
 * to that console server; otherwise, on a
 * debug kernel, text goes to the kernel's debug console (a cell's lines
 * prefixed with its name). A program may install its own writer.
 */
#include <string.h>

#include "runtime.h"

#define CONSOLE_LINE_MAX 512
#define CONSOLE_WRITE 1 /* the console server's one method: MR0 length, bytes from MR1 on */

static char line[CONSOLE_LINE_MAX];
static size_t line_length;
static cptr_t console_server;

static void debug_console_write(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++)
        sys_debug_put_char(text[i]);
}

static void discard(const char *text, size_t length)
{
    (void)text;
    (void)length;
}

static void send_to_server(const char *text, size_t length)
{
    struct ipc_buffer *buf = ipc_buffer();
    uint64_t mr[4] = { length, 0, 0, 0 };
    uint64_t words[CONSOLE_LINE_MAX / 8 + 1] = { 0 };
    for (size_t i = 0; i < length; i++)
        ((char *)words)[i] = text[i];
    size_t count = (length + 7) / 8;
    for (size_t i = 0; i < count; i++) {
        if (1 + i < 4)
            mr[1 + i] = words[i];
        else
            buf->msg[1 + i] = words[i];
    }
    sys_call(console_server, msginfo_new(CONSOLE_WRITE, 0, 0, (unsigned)(1 + count)), mr);
}

/* Lines go out whole, so lines of different cells never mix. */
static void line_write(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        line[line_length++] = text[i];
        if (text[i] == '\n' || line_length == CONSOLE_LINE_MAX)
            runtime_console_flush();
    }
}

static console_write_fn console = debug_console_write;
static console_write_fn line_sink;

void runtime_console_flush(void)
{
    if (!line_length || !line_sink)
        return;
    line_sink(line, line_length);
    line_length = 0;
}

static void prefixed_debug_write(const char *text, size_t length)
{
    size_t name_length = 0;
    while (name_length < CELL_NAME_MAX && runtime_cell_info->name[name_length])
        name_length++;
    debug_console_write(runtime_cell_info->name, name_length);
    debug_console_write(": ", 2);
    debug_console_write(text, length);
}

void runtime_cell_console_init(void)
{
    const struct cell_info *info = runtime_cell_info;
    for (uint32_t i = 0; i < info->end_count; i++)
        if (info->ends[i].kind == CELL_END_CALL_CLIENT &&
            strcmp(info->ends[i].peer, "console") == 0)
            console_server = info->ends[i].slot;
    if (console_server)
        line_sink = send_to_server;
    else if (info->flags & CELL_INFO_DEBUG_CONSOLE)
        line_sink = prefixed_debug_write;
    else
        line_sink = discard;
    console = line_write;
}

void runtime_set_console(console_write_fn write)
{
    console = write;
}

void runtime_console_write(const char *text, size_t length)
{
    console(text, length);
}
