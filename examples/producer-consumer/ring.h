/* The ring both cells map: the producer moves head, the consumer moves tail. */
#pragma once

#include <stdint.h>

#define RING_SLOTS 64
#define ITEMS 1000

struct ring {
    volatile uint64_t head;
    volatile uint64_t tail;
    volatile uint64_t items[RING_SLOTS];
};

/* Item i carries a value both sides can compute, so the consumer can check every one. */
static inline uint64_t item_value(uint64_t i)
{
    return i * 2654435761u ^ (i << 7);
}
