/* The crasher: counts, then crashes, until its last allowed restart. */
#include <stdio.h>

#include "crasher.cell.h" /* CH_BUMP (system.toml) */

#define ALLOWED_RESTARTS 2

int main(void)
{
    uint32_t run = runtime_cell_info->restarts + 1;
    uint64_t mr[4] = { 0 };
    struct sys_result r = cell_call(CH_BUMP, 1, mr, 0);
    if (r.error) {
        printf("run %u: counter call failed: %lu\n", run, (unsigned long)r.error);
        return 1;
    }
    if (run <= ALLOWED_RESTARTS) {
        printf("run %u: count %lu; crashing now\n", run, (unsigned long)mr[0]);
        uintptr_t nowhere = 0x8;     /* nothing is mapped at the bottom of a cell */
        __asm__("" : "+r"(nowhere)); /* keep the compiler from judging the address */
        *(volatile uint64_t *)nowhere = run;
    }
    printf("run %u: count %lu after %u restarts\n", run, (unsigned long)mr[0], run - 1);
    printf(mr[0] == run ? "crash-restart: PASS\n" : "crash-restart: FAIL\n");
    for (;;)
        sys_yield();
}
