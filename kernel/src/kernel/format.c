/*
 * printf-style formatting. The kernel has no heap and no libc, so this is
 * its only formatter; host tests exercise it against the C library's.
 */
#include <cella/format.h>

struct spec {
    bool zero_pad;
    bool left;
    bool alternate; /* '#': 0x before nonzero hex */
    unsigned width;
    unsigned length; /* count of 'l' (z counts as 1) */
};

struct out {
    format_sink_t sink;
    void *ctx;
    int count;
};

static void emit(struct out *o, char c)
{
    o->sink(c, o->ctx);
    o->count++;
}

static void emit_text(struct out *o, const char *text, unsigned len)
{
    for (unsigned i = 0; i < len; i++)
        emit(o, text[i]);
}

/* Pads to the field width; zero padding goes between the prefix (sign, 0x) and the digits. */
static void emit_padded(struct out *o, const struct spec *s, const char *prefix, const char *text,
                        unsigned len)
{
    unsigned prefix_len = 0;
    while (prefix[prefix_len])
        prefix_len++;
    unsigned body = len + prefix_len;
    unsigned pad = s->width > body ? s->width - body : 0;
    if (s->zero_pad)
        emit_text(o, prefix, prefix_len);
    for (; !s->left && pad; pad--)
        emit(o, s->zero_pad ? '0' : ' ');
    if (!s->zero_pad)
        emit_text(o, prefix, prefix_len);
    emit_text(o, text, len);
    for (; pad; pad--)
        emit(o, ' ');
}

static void emit_number(struct out *o, const struct spec *s, uint64_t value, unsigned base,
                        bool upper, const char *prefix)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[24];
    unsigned pos = sizeof(buf);
    do {
        buf[--pos] = digits[value % base];
        value /= base;
    } while (value);
    emit_padded(o, s, prefix, buf + pos, (unsigned)(sizeof(buf) - pos));
}

static uint64_t take_unsigned(const struct spec *s, va_list *args)
{
    if (s->length >= 1)
        return va_arg(*args, unsigned long long);
    return va_arg(*args, unsigned int);
}

static int64_t take_signed(const struct spec *s, va_list *args)
{
    if (s->length >= 1)
        return va_arg(*args, long long);
    return va_arg(*args, int);
}

static const char *parse_spec(const char *fmt, struct spec *s)
{
    *s = (struct spec){ 0 };
    for (;; fmt++) {
        if (*fmt == '0')
            s->zero_pad = true;
        else if (*fmt == '#')
            s->alternate = true;
        else if (*fmt == '-')
            s->left = true;
        else
            break;
    }
    if (s->left)
        s->zero_pad = false;
    while (*fmt >= '0' && *fmt <= '9')
        s->width = s->width * 10 + (unsigned)(*fmt++ - '0');
    while (*fmt == 'l' || *fmt == 'z') {
        s->length++;
        fmt++;
    }
    return fmt;
}

static void convert(struct out *o, const struct spec *s, char conv, va_list *args)
{
    switch (conv) {
    case 'c': {
        char c = (char)va_arg(*args, int);
        emit_padded(o, s, "", &c, 1);
        break;
    }
    case 's': {
        const char *str = va_arg(*args, const char *);
        unsigned len = 0;
        if (!str)
            str = "(null)";
        while (str[len])
            len++;
        emit_padded(o, s, "", str, len);
        break;
    }
    case 'd':
    case 'i': {
        int64_t v = take_signed(s, args);
        uint64_t magnitude = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        emit_number(o, s, magnitude, 10, false, v < 0 ? "-" : "");
        break;
    }
    case 'u':
        emit_number(o, s, take_unsigned(s, args), 10, false, "");
        break;
    case 'x':
    case 'X': {
        uint64_t v = take_unsigned(s, args);
        const char *prefix = s->alternate && v ? (conv == 'X' ? "0X" : "0x") : "";
        emit_number(o, s, v, 16, conv == 'X', prefix);
        break;
    }
    case 'p':
        emit_number(o, s, (uint64_t)(uintptr_t)va_arg(*args, void *), 16, false, "0x");
        break;
    case '%':
        emit(o, '%');
        break;
    default: /* unknown conversion: show it rather than guess at its argument */
        emit(o, '%');
        emit(o, conv);
        break;
    }
}

int format_v(format_sink_t sink, void *ctx, const char *fmt, va_list args)
{
    struct out o = { sink, ctx, 0 };
    va_list ap;
    va_copy(ap, args);
    while (*fmt) {
        if (*fmt != '%') {
            emit(&o, *fmt++);
            continue;
        }
        struct spec s;
        fmt = parse_spec(fmt + 1, &s);
        if (!*fmt)
            break;
        convert(&o, &s, *fmt++, &ap);
    }
    va_end(ap);
    return o.count;
}

struct string_sink {
    char *buf;
    size_t size;
    size_t pos;
};

static void string_put(char c, void *ctx)
{
    struct string_sink *ss = ctx;
    if (ss->pos + 1 < ss->size)
        ss->buf[ss->pos] = c;
    ss->pos++;
}

int format_string(char *buf, size_t size, const char *fmt, ...)
{
    struct string_sink ss = { buf, size, 0 };
    va_list args;
    va_start(args, fmt);
    int n = format_v(string_put, &ss, fmt, args);
    va_end(args);
    if (size)
        buf[ss.pos < size ? ss.pos : size - 1] = '\0';
    return n;
}
