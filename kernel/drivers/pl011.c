/* ARM PL011 UART, transmit only: the kernel's debug console. */
#include <arch/mmio.h>
#include <cella/console.h>
#include <platform_config.h>

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_FR_TXFF (1u << 5)

void console_init(void)
{
    /* Firmware (or QEMU) leaves the UART enabled at a usable rate. */
}

void console_putc(char c)
{
    while (mmio_read32(PLATFORM_CONSOLE_BASE + UART_FR) & UART_FR_TXFF)
        ;
    mmio_write32(PLATFORM_CONSOLE_BASE + UART_DR, (uint8_t)c);
}
