/* Ping: calls pong with a number, checks the answer, a thousand times. */
#include <stdio.h>

#include "ping.cell.h" /* what system.toml gives cell ping: CH_BALL, CH_PING_CONSOLE */

#define ROUNDS 1000

int main(void)
{
    uint64_t sum = 0;
    for (uint64_t i = 1; i <= ROUNDS; i++) {
        uint64_t mr[4] = { i, 0, 0, 0 };
        struct sys_result r = cell_call(CH_BALL, 1, mr, 1);
        if (r.error || msginfo_label(r.info) != 0 || mr[0] != i + 1) {
            printf("round %lu: bad answer (error %lu, got %lu)\n", (unsigned long)i,
                   (unsigned long)r.error, (unsigned long)mr[0]);
            printf("pingpong: FAIL\n");
            return 1;
        }
        sum += mr[0];
    }
    printf("%d round trips, sum %lu\n", ROUNDS, (unsigned long)sum);
    printf("pingpong: PASS\n");
    return 0;
}
