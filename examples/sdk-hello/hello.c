/*
 * A cell of a system built outside the Cella tree. Its header, written
 * from system.toml by `cella-manifest headers` (cella_cell ... MANIFEST),
 * declares what the manifest gives it: MAP_SCRATCH and CH_HELLO_CONSOLE.
 */
#include <stdio.h>

#include "hello.cell.h"

int main(void)
{
    volatile uint64_t *scratch = MAP_SCRATCH->base;
    uint64_t words = MAP_SCRATCH->size / 8, wrong = 0;
    printf("a scratch map of %lu bytes at %p\n", (unsigned long)MAP_SCRATCH->size, (void *)scratch);
    for (uint64_t i = 0; i < words; i++)
        scratch[i] = i * 0x9e3779b97f4a7c15u;
    for (uint64_t i = 0; i < words; i++)
        wrong += scratch[i] != i * 0x9e3779b97f4a7c15u;
    printf("built against the Cella SDK: %s (%lu of %lu words wrong)\n", wrong ? "FAIL" : "PASS",
           (unsigned long)wrong, (unsigned long)words);
    return 0;
}
