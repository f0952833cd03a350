/*
 * printf-style formatting into a character sink. Pure and allocation-free so
 * the same code prints the kernel console and runs in host unit tests.
 * Conversions: %c %s %d %i %u %x %X %p %%, flags '0', '-' and '#', a width, and
 * the length modifiers l, ll and z.
 */
#pragma once

#include <cella/types.h>
#include <stdarg.h>

typedef void (*format_sink_t)(char c, void *ctx);

/* Returns the number of characters produced. */
int format_v(format_sink_t sink, void *ctx, const char *fmt, va_list args);

/* Formats into buf, always NUL-terminated when size > 0; returns the untruncated length. */
int format_string(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
