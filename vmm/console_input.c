/*
 * Keyboard input for the guest. When the manifest gives the persona the
 * console's notify channel "console_input", the VMM is the console's one
 * reader: it asks for raw keystrokes and feeds them to the guest's console
 * (the one, UART or virtio console, that it writes to), so the
 * guest's own terminal echoes and edits them.
 */
#include <string.h>

#include "vmm.h"
#include "wallet_protocol.h" /* the console server's methods */

static const struct cell_info_end *input, *console;

static bool console_call(uint64_t label, uint64_t *mr, unsigned length, struct sys_result *r)
{
    *r = sys_call(console->slot, msginfo_new(label, 0, 0, length), mr);
    return !r->error && msginfo_label(r->info) == 0;
}

static void arm(void)
{
    struct sys_result r;
    console_call(CONSOLE_INPUT_ARM, (uint64_t[4]){ CONSOLE_INPUT_RAW }, 1, &r);
}

void console_input_init(const struct cell_info *info)
{
    for (uint32_t i = 0; i < info->end_count; i++) {
        const struct cell_info_end *e = &info->ends[i];
        if (e->kind == CELL_END_NOTIFY_WAIT && strcmp(e->name, "console_input") == 0)
            input = e;
        if (e->kind == CELL_END_CALL_CLIENT && strcmp(e->peer, "console") == 0)
            console = e;
    }
    if (input && console)
        arm();
}

/* Signals: typed text waits at the console. */
void console_input_notified(uint64_t bits)
{
    if (!input || !console || !(bits & input->badge))
        return;
    uint64_t mr[4];
    struct sys_result r;
    while (console_call(CONSOLE_READ_LINE, mr, 0, &r)) {
        struct console_line line;
        for (unsigned i = 0; i < sizeof(line) / 8; i++) {
            uint64_t w = i < 4 ? mr[i] : ipc_buffer()->msg[i];
            memcpy((uint8_t *)&line + 8 * i, &w, 8);
        }
        uint64_t length = line.length < CONSOLE_LINE_MAX ? line.length : CONSOLE_LINE_MAX;
        if (vmm_console_in_use() == GUEST_CONSOLE_VIRTIO) /* the guest's console is hvc0 */
            virtio_console_input(line.text, length);
        else
            uart_input(line.text, length);
    }
    arm();
}
