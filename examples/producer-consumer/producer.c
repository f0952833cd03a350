/* The producer: fills the ring, signals "items", waits for "space" when the ring is full. */
#include <stdio.h>

#include "producer.cell.h" /* MAP_RING, CH_ITEMS, CH_SPACE, ... (system.toml) */

#include "ring.h"

int main(void)
{
    struct ring *ring = MAP_RING->base;
    for (uint64_t i = 0; i < ITEMS; i++) {
        while (ring->head - ring->tail == RING_SLOTS)
            cell_wait(NULL);
        ring->items[ring->head % RING_SLOTS] = item_value(i);
        __asm__ volatile("dmb ish" ::: "memory"); /* the item before the index that publishes it */
        ring->head = i + 1;
        if (i % 16 == 15 || i == ITEMS - 1)
            cell_signal(CH_ITEMS);
    }
    printf("produced %d items\n", ITEMS);
    for (;;)
        cell_wait(NULL);
}
