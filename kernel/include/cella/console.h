/* The kernel's debug console: one UART driver per board, picked by platform.toml. */
#pragma once

void console_init(void);
void console_putc(char c);
