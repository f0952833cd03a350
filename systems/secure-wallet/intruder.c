/*
 * The intruder: a cell with no channel to the wallet, standing in for a
 * malicious app or the personal persona. When the client signals it, it
 * tries to call the wallet through capability slots it was never given
 * (the kernel refuses: ERR_INVALID_CAPABILITY), then reads the address where
 * the wallet keeps its key (a VM fault in its own VSpace, reported by the
 * supervisor; the intruder stays stopped and the wallet never notices).
 */
#include <stdio.h>

#include <abi/cell_layout.h>

#include "service.h"

#define WALLET_KEYSTORE 0x50000000UL /* the wallet's "keystore" map (system.toml) */
#define SLOTS_TRIED 32

CELL_WAITS(CH_GO, "intruder_go"); /* its cue */

static bool own_slot(cptr_t slot)
{
    const struct cell_info *info = runtime_cell_info;
    if (slot == info->supervisor_slot || slot == info->notification_slot ||
        slot == info->endpoint_slot)
        return true;
    for (uint32_t i = 0; i < info->end_count; i++)
        if (info->ends[i].slot == slot)
            return true;
    return false;
}

int main(void)
{
    cell_wait(NULL);
    printf("I have no channel to the wallet; trying capability slots 2 to %d anyway\n",
           SLOTS_TRIED - 1);
    unsigned tried = 0, refused = 0;
    uint64_t first_error = 0;
    for (cptr_t slot = CELL_FIRST_FREE_SLOT; slot < SLOTS_TRIED; slot++) {
        if (own_slot(slot))
            continue;
        uint64_t st = cell_request_slot(slot, WALLET_PUBLIC_KEY, NULL, 0, NULL, 0);
        tried++;
        if (st == ERR_INVALID_CAPABILITY)
            refused++;
        if (!first_error)
            first_error = st;
    }
    printf("call on %u slots I do not hold: %u refused by the kernel with ERR_INVALID_CAPABILITY "
           "(%lu)\n",
           tried, refused, (unsigned long)first_error);
    if (refused != tried)
        printf("FAIL: some slot answered\n");
    printf("reading the wallet's key at %#lx, as the wallet sees it\n", WALLET_KEYSTORE);
    uintptr_t where = WALLET_KEYSTORE;
    __asm__("" : "+r"(where)); /* keep the compiler from judging the address */
    uint64_t stolen = *(volatile uint64_t *)where;
    printf("FAIL: read %#lx from the wallet's key\n", (unsigned long)stolen);
    return 1;
}
