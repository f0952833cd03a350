/* Writing to a PL011 UART mapped at user level: the console server's and a release initializer's
 * output. */
#include "runtime.h"

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_FR_TXFF (1u << 5)

static volatile uint32_t *uart;

void pl011_write(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        if (text[i] == '\n')
            pl011_write("\r", 1);
        while (uart[UART_FR / 4] & UART_FR_TXFF)
            ;
        uart[UART_DR / 4] = (uint8_t)text[i];
    }
}

void pl011_use(void *registers)
{
    uart = registers;
    runtime_set_console(pl011_write);
}
