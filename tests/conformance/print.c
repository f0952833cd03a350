/* Output on the PL011 UART, polled: a printf subset and each test's failure detail. */
#include <stdarg.h>

#include "conformance.h"

#define UART_DR 0x000
#define UART_FR 0x018
#define FR_TXFF BIT(5)

char failure_detail[160];

static void put_char(char c)
{
    while (mmio_read32(UART_BASE + UART_FR) & FR_TXFF)
        ;
    mmio_write32(UART_BASE + UART_DR, (uint32_t)(unsigned char)c);
}

/* Where formatted text goes: the UART, or a buffer (size counts the NUL). */
struct sink {
    char *buffer;
    size_t size, used;
};

static void emit(struct sink *s, char c)
{
    if (!s->buffer)
        put_char(c);
    else if (s->used + 1 < s->size)
        s->buffer[s->used++] = c;
}

static void emit_number(struct sink *s, uint64_t value, unsigned base, bool negative, bool prefix)
{
    char digits[24];
    unsigned n = 0;
    do {
        digits[n++] = "0123456789abcdef"[value % base];
        value /= base;
    } while (value);
    if (negative)
        emit(s, '-');
    if (prefix) {
        emit(s, '0');
        emit(s, 'x');
    }
    while (n)
        emit(s, digits[--n]);
}

static void format(struct sink *s, const char *f, va_list ap)
{
    for (; *f; f++) {
        if (*f != '%') {
            emit(s, *f);
            continue;
        }
        bool alternate = false, is_long = false;
        for (f++; *f == '#' || *f == 'l'; f++) {
            alternate |= *f == '#';
            is_long |= *f == 'l';
        }
        switch (*f) {
        case 's':
            for (const char *p = va_arg(ap, const char *); *p; p++)
                emit(s, *p);
            break;
        case 'c':
            emit(s, (char)va_arg(ap, int));
            break;
        case 'd': {
            int64_t v = is_long ? va_arg(ap, long) : va_arg(ap, int);
            emit_number(s, v < 0 ? (uint64_t)-v : (uint64_t)v, 10, v < 0, false);
            break;
        }
        case 'u':
            emit_number(s, is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, false,
                        false);
            break;
        case 'x':
            emit_number(s, is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, false,
                        alternate);
            break;
        case '%':
            emit(s, '%');
            break;
        default:
            emit(s, '?');
            break;
        }
    }
    if (s->buffer)
        s->buffer[s->used] = '\0';
}

void say(const char *f, ...)
{
    struct sink s = { 0 };
    va_list ap;
    va_start(ap, f);
    format(&s, f, ap);
    va_end(ap);
}

/* Keeps the first failure of a test: later ones usually follow from it. */
bool fail(const char *f, ...)
{
    if (failure_detail[0])
        return false;
    struct sink s = { failure_detail, sizeof(failure_detail), 0 };
    va_list ap;
    va_start(ap, f);
    format(&s, f, ap);
    va_end(ap);
    return false;
}
