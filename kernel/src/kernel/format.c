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

/*
 * The conversion's argument, widened to 64 bits. Every va_arg is a dozen
 * instructions on AArch64, so all conversions take theirs here, once each
 * type. conv is one that takes an argument.
 */
static uint64_t take(const struct spec *s, char conv, va_list *args)
{
    bool is_signed = conv == 'd' || conv == 'i' || conv == 'c';
    if (conv == 's' || conv == 'p')
        return (uint64_t)(uintptr_t)va_arg(*args, const void *);
    if (s->length >= 1)
        return is_signed ? (uint64_t)va_arg(*args, long long) : va_arg(*args, unsigned long long);
    return is_signed ? (uint64_t)(int64_t)va_arg(*args, int) : va_arg(*args, unsigned int);
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

static bool takes_argument(char conv)
{
    switch (conv) {
    case 'c':
    case 's':
    case 'd':
    case 'i':
    case 'u':
    case 'x':
    case 'X':
    case 'p':
        return true;
    default:
        return false;
    }
}

static void convert(struct out *o, const struct spec *s, char conv, va_list *args)
{
    if (!takes_argument(conv)) {
        /* an unknown conversion is shown rather than guessing at its argument */
        emit(o, '%');
        if (conv != '%')
            emit(o, conv);
        return;
    }
    uint64_t v = take(s, conv, args);
    switch (conv) {
    case 'c': {
        char c = (char)v;
        emit_padded(o, s, "", &c, 1);
        break;
    }
    case 's': {
        const char *str = (const char *)(uintptr_t)v;
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
        bool negative = (int64_t)v < 0;
        emit_number(o, s, negative ? (uint64_t)0 - v : v, 10, false, negative ? "-" : "");
        break;
    }
    case 'u':
        emit_number(o, s, v, 10, false, "");
        break;
    case 'p':
        emit_number(o, s, v, 16, false, "0x");
        break;
    default: { /* x, X */
        const char *prefix = s->alternate && v ? (conv == 'X' ? "0X" : "0x") : "";
        emit_number(o, s, v, 16, conv == 'X', prefix);
        break;
    }
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
