/*
 * The console server: the one cell that owns the UART. Other cells call it
 * over a channel named "console" with a line of text; it writes the line
 * to the UART with the caller's name in front, so lines never interleave
 * and everybody knows who said what.
 */
#include <cell.h>

#define CONSOLE_WRITE 1

static size_t name_length(const char *s)
{
    size_t n = 0;
    while (n < CELL_NAME_MAX && s[n])
        n++;
    return n;
}

/* The text travels in words after MR0 (its length); never trust the length. */
static void called(struct cell_message *msg)
{
    if (msg->label != CONSOLE_WRITE || msg->length < 1) {
        msg->reply_label = ERR_INVALID_ARGUMENT;
        return;
    }
    uint64_t words = msg->length - 1, length = msg->mr[0];
    if (length > words * 8)
        length = words * 8;
    char text[MSG_MAX_LENGTH * 8];
    for (uint64_t i = 0; i < words; i++) {
        uint64_t w = i + 1 < 4 ? msg->mr[i + 1] : ipc_buffer()->msg[i + 1];
        for (int b = 0; b < 8; b++)
            text[i * 8 + b] = (char)(w >> (8 * b));
    }
    const char *who = msg->from->peer;
    pl011_write(who, name_length(who));
    pl011_write(": ", 2);
    pl011_write(text, length);
    if (length && text[length - 1] != '\n')
        pl011_write("\n", 1);
    msg->mr[0] = length;
    msg->reply_label = 0;
    msg->reply_length = 1;
}

int main(void)
{
    void *uart = cell_map("uart", NULL);
    if (!uart)
        return 1;
    pl011_use(uart); /* its own output cannot go through itself */
    cell_serve(&(struct cell_handlers){ .called = called });
}
