/* The consumer: waits for "items", checks every item, signals "space" as it drains. */
#include <stdio.h>

#include "consumer.cell.h" /* MAP_RING, CH_ITEMS, CH_SPACE, ... (system.toml) */

#include "ring.h"

int main(void)
{
    struct ring *ring = MAP_RING->base;
    uint64_t checksum = 0, bad = 0;
    for (uint64_t i = 0; i < ITEMS; i++) {
        while (ring->head == i)
            cell_wait(NULL);
        __asm__ volatile("dmb ish" ::: "memory");
        uint64_t v = ring->items[i % RING_SLOTS];
        bad += v != item_value(i);
        checksum += v;
        ring->tail = i + 1;
        if (i % 16 == 15)
            cell_signal(CH_SPACE);
    }
    printf("consumed %d items, checksum %#lx, %lu wrong\n", ITEMS, (unsigned long)checksum,
           (unsigned long)bad);
    printf(bad ? "producer-consumer: FAIL\n" : "producer-consumer: PASS\n");
    for (;;)
        cell_wait(NULL);
}
