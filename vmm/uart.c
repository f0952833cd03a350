/*
 * The guest's PL011 UART, emulated: enough of the register set and the
 * PrimeCell identification for Linux's amba-pl011 driver. Output goes to
 * the console a line at a time; input arrives through uart_input.
 */
#include <string.h>

#include <abi/persona_layout.h>

#include "vmm.h"

#define DR 0x000
#define FR 0x018
#define IBRD 0x024
#define FBRD 0x028
#define LCRH 0x02c
#define CR 0x030
#define IFLS 0x034
#define IMSC 0x038
#define RIS 0x03c
#define MIS 0x040
#define ICR 0x044
#define DMACR 0x048
#define FR_RXFE (1u << 4)
#define FR_TXFE (1u << 7)
#define INT_RX (1u << 4)
#define INT_TX (1u << 5)
#define INT_RT (1u << 6)
#define UART_IRQ (32 + PERSONA_UART_SPI)
#define INPUT_MAX 256
#define LINE_MAX_BYTES 256

static const uint8_t primecell_id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static struct {
    uint32_t ibrd, fbrd, lcrh, cr, ifls, imsc, dmacr;
    uint32_t ris;
    char input[INPUT_MAX];
    unsigned in_head, in_tail;
    char line[LINE_MAX_BYTES];
    unsigned line_length;
} uart;

void uart_init(void)
{
    memset(&uart, 0, sizeof(uart));
    uart.cr = 0x300;   /* TX and RX enabled, as after reset */
    uart.ris = INT_TX; /* the transmit FIFO is always empty */
}

static bool input_empty(void)
{
    return uart.in_head == uart.in_tail;
}

/* The interrupt line follows the masked status, as the real UART's does. */
static void update_interrupt(void)
{
    uart.ris = (uart.ris & ~(uint32_t)(INT_RX | INT_RT)) | (input_empty() ? 0 : INT_RX | INT_RT);
    vgic_set_level(UART_IRQ, (uart.ris & uart.imsc) != 0);
}

void uart_input(const char *text, uint64_t length)
{
    for (uint64_t i = 0; i < length; i++) {
        unsigned next = (uart.in_tail + 1) % INPUT_MAX;
        if (next == uart.in_head)
            break; /* full: the rest is dropped, as a real FIFO would */
        uart.input[uart.in_tail] = text[i];
        uart.in_tail = next;
    }
    update_interrupt();
}

static void output(char c)
{
    if (c == '\r')
        return;
    uart.line[uart.line_length++] = c;
    if (c == '\n' || uart.line_length == LINE_MAX_BYTES) {
        vmm_console_write(GUEST_CONSOLE_UART, uart.line, uart.line_length);
        uart.line_length = 0;
    }
}

static uint32_t read_register(uint64_t offset)
{
    switch (offset) {
    case DR: {
        if (input_empty())
            return 0;
        char c = uart.input[uart.in_head];
        uart.in_head = (uart.in_head + 1) % INPUT_MAX;
        return (uint8_t)c;
    }
    case FR:
        return FR_TXFE | (input_empty() ? FR_RXFE : 0);
    case IBRD:
        return uart.ibrd;
    case FBRD:
        return uart.fbrd;
    case LCRH:
        return uart.lcrh;
    case CR:
        return uart.cr;
    case IFLS:
        return uart.ifls;
    case IMSC:
        return uart.imsc;
    case RIS:
        return uart.ris;
    case MIS:
        return uart.ris & uart.imsc;
    case DMACR:
        return uart.dmacr;
    default:
        if (offset >= 0xfe0 && offset < 0x1000)
            return primecell_id[(offset - 0xfe0) / 4];
        return 0;
    }
}

static void write_register(uint64_t offset, uint32_t value)
{
    switch (offset) {
    case DR:
        output((char)value);
        break;
    case IBRD:
        uart.ibrd = value;
        break;
    case FBRD:
        uart.fbrd = value;
        break;
    case LCRH:
        uart.lcrh = value;
        break;
    case CR:
        uart.cr = value;
        break;
    case IFLS:
        uart.ifls = value;
        break;
    case IMSC:
        uart.imsc = value & 0x7ff;
        break;
    case ICR:
        uart.ris &= ~value;
        uart.ris |= INT_TX; /* it is still empty */
        break;
    case DMACR:
        uart.dmacr = value;
        break;
    default:
        break;
    }
}

static void access(struct mmio *m, uint64_t offset)
{
    if (m->write)
        write_register(offset, (uint32_t)m->value);
    else
        m->value = read_register(offset);
    update_interrupt();
}

const struct device uart_device = { "PL011 UART", PERSONA_UART_BASE, PERSONA_UART_SIZE, access };
