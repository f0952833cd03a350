/*
 * cpubench: a CPU-bound, deterministic integer workload for measuring what
 * running under Cella costs a guest (the "CPU tax"), bare against guest.
 *
 *   cpubench [ITERATIONS]      (default 25000000: 200 million instructions)
 *
 * The loop is written in assembly so that every build, debug or release, gcc
 * or clang, executes exactly INSTRUCTIONS_PER_ITERATION instructions per
 * iteration. It prints the virtual counter before and after, on one line:
 *   cpubench: start cntvct=<ticks> end cntvct=<ticks> ticks=<end-start> cntfrq=<Hz>
 *             iterations=<n> instructions=<n * 8> checksum=<hex>
 * Under QEMU -icount shift=0, ticks * (1e9 / cntfrq) is the number of
 * instructions the CPU ran in that time, timer interrupts included.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "counter.h"

#define DEFAULT_ITERATIONS 25000000ULL
#define INSTRUCTIONS_PER_ITERATION 8

/* A xorshift64 generator folded into two accumulators: 8 instructions per turn. */
static uint64_t workload(uint64_t iterations)
{
    uint64_t state = 0x9E3779B97F4A7C15ULL, sum = 0, mix = 1;
    if (iterations == 0)
        return 0;
    __asm__ volatile("1:\n\t"
                     "eor  %[state], %[state], %[state], lsl #13\n\t"
                     "eor  %[state], %[state], %[state], lsr #7\n\t"
                     "eor  %[state], %[state], %[state], lsl #17\n\t"
                     "add  %[sum], %[sum], %[state]\n\t"
                     "madd %[mix], %[mix], %[sum], %[state]\n\t"
                     "eor  %[mix], %[mix], %[mix], lsr #29\n\t"
                     "subs %[n], %[n], #1\n\t"
                     "b.ne 1b"
                     : [state] "+r"(state), [sum] "+r"(sum), [mix] "+r"(mix), [n] "+r"(iterations)
                     :
                     : "cc");
    return sum ^ mix;
}

int main(int argc, char **argv)
{
    uint64_t iterations = DEFAULT_ITERATIONS;
    if (argc > 2 || (argc == 2 && (iterations = strtoull(argv[1], NULL, 10)) == 0)) {
        fputs("usage: cpubench [ITERATIONS]  (a positive number, default 25000000)\n", stderr);
        return 64;
    }
    uint64_t before = counter_ticks();
    uint64_t checksum = workload(iterations);
    uint64_t after = counter_ticks();
    printf("cpubench: start cntvct=%" PRIu64 " end cntvct=%" PRIu64 " ticks=%" PRIu64
           " cntfrq=%" PRIu64 " iterations=%" PRIu64 " instructions=%" PRIu64
           " checksum=%016" PRIx64 "\n",
           before, after, after - before, counter_frequency(), iterations,
           iterations * INSTRUCTIONS_PER_ITERATION, checksum);
    return 0;
}
