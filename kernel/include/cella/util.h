/* Small helpers shared by every part of the kernel. Pure, so host tests use them too. */
#pragma once

#include <cella/types.h>

#define BIT(n) (1UL << (n))
#define MASK(bits) (BIT(bits) - 1UL)
/* MASK for widths that may be 64. */
#define MASK_UPTO64(bits) ((bits) >= 64 ? ~0UL : BIT(bits) - 1UL)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define UNUSED __attribute__((unused))
#define NORETURN __attribute__((noreturn))
#define ALWAYS_INLINE inline __attribute__((always_inline))
#define PACKED __attribute__((packed))
#define ALIGNED(n) __attribute__((aligned(n)))
#define SECTION(s) __attribute__((section(s)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define KIB(n) ((word_t)(n) << 10)
#define MIB(n) ((word_t)(n) << 20)
#define GIB(n) ((word_t)(n) << 30)

static inline bool is_aligned(word_t value, unsigned bits)
{
    return (value & MASK(bits)) == 0;
}

static inline word_t align_down(word_t value, unsigned bits)
{
    return value & ~MASK(bits);
}

static inline word_t align_up(word_t value, unsigned bits)
{
    return (value + MASK(bits)) & ~MASK(bits);
}

/* True when the end of [base, base + size) is representable: no wrap past the top. */
static inline bool range_is_valid(word_t base, word_t size)
{
    return base + size >= base;
}

static inline bool ranges_overlap(word_t a_base, word_t a_size, word_t b_base, word_t b_size)
{
    return a_size && b_size && a_base < b_base + b_size && b_base < a_base + a_size;
}

/* True when [inner_base, +inner_size) lies entirely inside [outer_base, +outer_size). */
static inline bool range_contains(word_t outer_base, word_t outer_size, word_t inner_base,
                                  word_t inner_size)
{
    return range_is_valid(inner_base, inner_size) && inner_base >= outer_base &&
           inner_base + inner_size <= outer_base + outer_size;
}
