/* Kernel console output. Debug-only output uses debug_printk, which release builds drop. */
#pragma once

#include <cella/format.h>

int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintk(const char *fmt, va_list args);

#ifdef CELLA_DEBUG
#define debug_printk(...) printk(__VA_ARGS__)
#else
#define debug_printk(...) ((void)0)
#endif
