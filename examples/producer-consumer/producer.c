/* The producer: fills the ring, signals "items", waits for "space" when the ring is full. */
#include <stdio.h>

#include <cell.h>

#include "ring.h"

int main(void)
{
    struct ring *ring = cell_map("ring", NULL);
    cptr_t wake = runtime_cell_info->notification_slot;
    if (!ring || !wake) {
        printf("producer: FAIL: no ring or notification\n");
        return 1;
    }
    for (uint64_t i = 0; i < ITEMS; i++) {
        while (ring->head - ring->tail == RING_SLOTS)
            sys_wait(wake);
        ring->items[ring->head % RING_SLOTS] = item_value(i);
        __asm__ volatile("dmb ish" ::: "memory"); /* the item before the index that publishes it */
        ring->head = i + 1;
        if (i % 16 == 15 || i == ITEMS - 1)
            cell_signal("items");
    }
    printf("produced %d items\n", ITEMS);
    for (;;)
        sys_wait(wake);
}
