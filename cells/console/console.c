/*
 * The console server: the one cell that owns the UART. Other cells call it
 * over a channel named "console" with a line of text; it writes the line
 * to the UART with the caller's name in front, so lines never interleave
 * and everybody knows who said what.
 *
 * Every cell and persona with a call channel to it may write; it needs no
 * end of its own for them. Input: with an IRQ end named "uart_irq" it also reads the UART (RX
 * interrupt), echoes what is typed (as '*' when the reader asked for that,
 * for PINs), and keeps whole lines. The cell at the other end of its notify
 * channel named "console_input" is the one reader: it arms input
 * (CONSOLE_INPUT_ARM), is signalled when a line is ready, and fetches it
 * (CONSOLE_READ_LINE). Nobody else may read. A reader with a terminal of
 * its own (a persona's VMM) asks for raw input instead: keystrokes as they
 * come, unechoed. (cells/common/wallet_protocol.h)
 */
#include <string.h>

#include <cell.h>

#include "wallet_protocol.h"

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_LCR_H 0x2c
#define UART_CR 0x30
#define UART_IMSC 0x38
#define UART_FR_RXFE (1u << 4)
#define UART_LCR_H_FEN (1u << 4)
#define UART_CR_RXE (1u << 9)
#define UART_INT_RX (1u << 4)
#define UART_INT_RT (1u << 6)
#define LINES_MAX 4

/* What the console needs from its manifest (cell.h); input needs the last two. */
CELL_MAP(MAP_UART, "uart", CELL_MAP_DEVICE, "rw", 4096);
CELL_IRQ_OPTIONAL(IRQ_UART, "uart_irq");
CELL_SIGNALS_OPTIONAL(CH_INPUT, "console_input"); /* to the one reader */

static volatile uint32_t *uart;
static bool input_on;                  /* the UART's input goes to the reader */
static char pending[CONSOLE_LINE_MAX]; /* the line being typed */
static unsigned pending_length;
static struct console_line lines[LINES_MAX]; /* finished lines, oldest first */
static unsigned line_count;
static uint64_t echo_flags = CONSOLE_ECHO_MASKED; /* until the reader says otherwise */
static bool armed, last_was_cr;
static bool uart_held; /* input waits in the UART until the reader catches up */

static size_t name_length(const char *s)
{
    size_t n = 0;
    while (n < CELL_NAME_MAX && s[n])
        n++;
    return n;
}

/* The text travels in words after MR0 (its length); never trust the length. */
static void write_line(struct cell_message *msg)
{
    if (msg->length < 1) {
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
    const char *who = cell_peer(msg->from);
    pl011_write(who, name_length(who));
    pl011_write(": ", 2);
    pl011_write(text, length);
    if (length && text[length - 1] != '\n')
        pl011_write("\n", 1);
    msg->mr[0] = length;
    msg->reply_label = 0;
    msg->reply_length = 1;
}

static void tell_reader(void)
{
    if (armed && line_count && input_on) {
        armed = false;
        cell_signal(CH_INPUT);
    }
}

static void finish_line(void)
{
    pl011_write("\n", 1);
    if (line_count == LINES_MAX) { /* the oldest unread line goes */
        memmove(&lines[0], &lines[1], sizeof(lines[0]) * (LINES_MAX - 1));
        line_count--;
    }
    struct console_line *l = &lines[line_count++];
    memset(l, 0, sizeof(*l));
    memcpy(l->text, pending, pending_length);
    l->length = pending_length;
    pending_length = 0;
    tell_reader();
}

/*
 * Raw input: every byte goes to the reader as typed; its terminal echoes and
 * edits. What arrives while the reader is busy is added to the last line it
 * has not fetched yet, so a burst of keystrokes takes few lines; when all of
 * them are full the UART keeps the rest (see drain_uart) and nothing is lost.
 */
static void finish_raw(void)
{
    if (pending_length && line_count) {
        struct console_line *last = &lines[line_count - 1];
        size_t room = CONSOLE_LINE_MAX - last->length,
               n = pending_length < room ? pending_length : room;
        memcpy(last->text + last->length, pending, n);
        last->length += n;
        memmove(pending, pending + n, pending_length - n);
        pending_length -= (unsigned)n;
    }
    if (pending_length && line_count < LINES_MAX) {
        struct console_line *l = &lines[line_count++];
        memset(l, 0, sizeof(*l));
        memcpy(l->text, pending, pending_length);
        l->length = pending_length;
        pending_length = 0;
    }
    tell_reader();
}

static void typed_raw(char c)
{
    if (pending_length == CONSOLE_LINE_MAX)
        finish_raw();
    pending[pending_length++] = c; /* room_for_input() said there is room */
}

static void finish_raw_if_waiting(void)
{
    if (echo_flags & CONSOLE_INPUT_RAW)
        finish_raw();
}

/* Whether one more typed byte has somewhere to go (in line mode a full line drops keys, as a
 * terminal does). */
static bool room_for_input(void)
{
    return !(echo_flags & CONSOLE_INPUT_RAW) || pending_length < CONSOLE_LINE_MAX ||
           line_count < LINES_MAX || lines[line_count - 1].length < CONSOLE_LINE_MAX;
}

static void typed(char c)
{
    if (echo_flags & CONSOLE_INPUT_RAW) {
        typed_raw(c);
        return;
    }
    bool cr = c == '\r';
    if (c == '\n' && last_was_cr) { /* CR LF is one end of line */
        last_was_cr = false;
        return;
    }
    last_was_cr = cr;
    if (cr || c == '\n') {
        finish_line();
    } else if ((c == 0x7f || c == '\b') && pending_length) {
        pending_length--;
        pl011_write("\b \b", 3);
    } else if (c >= 0x20 && c < 0x7f && pending_length < CONSOLE_LINE_MAX - 1) {
        pending[pending_length++] = c;
        pl011_write((echo_flags & CONSOLE_ECHO_MASKED) ? "*" : &c, 1);
    }
}

/*
 * Reads what the UART holds while there is room for it. When there is none,
 * the interrupt stays unacknowledged and the bytes stay in the UART (and
 * QEMU's input behind it) until the reader fetches a line.
 */
static void drain_uart(void)
{
    /* Reading the data clears the RX interrupt; writing ICR could lose one that just arrived. */
    while (room_for_input() && !(uart[UART_FR / 4] & UART_FR_RXFE))
        typed((char)uart[UART_DR / 4]);
    finish_raw_if_waiting();
    uart_held = !room_for_input();
    if (!uart_held)
        cell_irq_ack(IRQ_UART);
}

static void notified(const struct cell_end *end)
{
    if (end == IRQ_UART)
        drain_uart();
}

static bool from_reader(const struct cell_message *msg)
{
    return input_on && strcmp(cell_peer(msg->from), cell_peer(CH_INPUT)) == 0;
}

/* Hands the oldest line to the reader; the room it leaves lets held input in. */
static void take_line(struct cell_message *msg)
{
    struct console_line taken = lines[0];
    memmove(&lines[0], &lines[1], sizeof(lines[0]) * (LINES_MAX - 1));
    line_count--;
    if (!(echo_flags & CONSOLE_INPUT_RAW))
        echo_flags = CONSOLE_ECHO_MASKED; /* a PIN prompt must not meet an echoing console */
    finish_raw_if_waiting();
    if (uart_held)
        drain_uart();
    for (unsigned i = 0; i < sizeof(taken) / 8; i++) {
        uint64_t w;
        memcpy(&w, (const uint8_t *)&taken + 8 * i, 8);
        if (i < 4)
            msg->mr[i] = w;
        else
            ipc_buffer()->msg[i] = w;
    }
}

static void called(struct cell_message *msg)
{
    switch (msg->label) {
    case CONSOLE_WRITE:
        write_line(msg);
        return;
    case CONSOLE_INPUT_ARM:
        if (!from_reader(msg) || msg->length != 1) {
            msg->reply_label = from_reader(msg) ? SVC_EMALFORMED : SVC_EFORBIDDEN;
            return;
        }
        echo_flags = msg->mr[0];
        armed = true;
        finish_raw_if_waiting();
        if (uart_held)
            drain_uart();
        tell_reader();
        msg->reply_label = SVC_OK;
        return;
    case CONSOLE_READ_LINE:
        if (!from_reader(msg)) {
            msg->reply_label = SVC_EFORBIDDEN;
            return;
        }
        if (!line_count) {
            msg->reply_label = SVC_ENOTFOUND;
            return;
        }
        take_line(msg);
        msg->reply_label = SVC_OK;
        msg->reply_length = sizeof(struct console_line) / 8;
        return;
    default:
        msg->reply_label = ERR_INVALID_ARGUMENT;
    }
}

int main(void)
{
    uart = MAP_UART->base;
    pl011_use((void *)uart); /* its own output cannot go through itself */
    if (cell_has(CH_INPUT) && cell_has(IRQ_UART)) {
        input_on = true;
        uart[UART_LCR_H / 4] |=
            UART_LCR_H_FEN; /* a burst of keys waits in the FIFO, not one at a time */
        uart[UART_CR / 4] |= UART_CR_RXE;
        uart[UART_IMSC / 4] |= UART_INT_RX | UART_INT_RT;
        cell_irq_ack(IRQ_UART);
    }
    cell_serve(&(struct cell_handlers){ .called = called, .notified = notified });
}
