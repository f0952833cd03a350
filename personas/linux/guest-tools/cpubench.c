/*
 * cpubench: a CPU-bound, deterministic integer workload for measuring what
 * running under Cella costs a guest (the "CPU tax"), bare against guest.
 *
 *   cpubench [ITERATIONS [ROUNDS]]   (default 25000000: 200 million instructions, 1 round)
 *
 * The loop is written in assembly so that every build, debug or release, gcc
 * or clang, executes exactly INSTRUCTIONS_PER_ITERATION instructions per
 * iteration. Each round prints the virtual counter before and after, on one line:
 *   cpubench: start cntvct=<ticks> end cntvct=<ticks> ticks=<end-start> cntfrq=<Hz>
 *             iterations=<n> instructions=<n * 8> checksum=<hex> round=<r>/<rounds>
 * Under QEMU -icount shift=0, ticks * (1e9 / cntfrq) is the number of
 * instructions the CPU ran in that time, timer interrupts included.
 *
 * init's cella.run=PATH passes no arguments, so without arguments the number
 * of rounds comes from the kernel command line: cella.cpubench=ROUNDS
 * (tools/bench-linux uses it to take a median in one boot).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counter.h"

#define DEFAULT_ITERATIONS 25000000ULL
#define INSTRUCTIONS_PER_ITERATION 8
#define MAX_ROUNDS 1000
#define ROUNDS_OPTION "cella.cpubench="

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

/* A count from 1 to max, or 0. */
static uint64_t count_arg(const char *text, uint64_t max)
{
    char *end;
    uint64_t n = strtoull(text, &end, 10);
    return (end != text && *end == '\0' && n <= max) ? n : 0;
}

/* cella.cpubench=ROUNDS from the kernel command line; 1 without it. */
static uint64_t rounds_from_cmdline(void)
{
    char line[4096];
    FILE *f = fopen("/proc/cmdline", "re");
    if (f == NULL)
        return 1;
    size_t n = fread(line, 1, sizeof(line) - 1, f);
    fclose(f);
    line[n] = '\0';
    for (char *save = NULL, *word = strtok_r(line, " \t\n", &save); word != NULL;
         word = strtok_r(NULL, " \t\n", &save))
        if (strncmp(word, ROUNDS_OPTION, strlen(ROUNDS_OPTION)) == 0)
            return count_arg(word + strlen(ROUNDS_OPTION), MAX_ROUNDS);
    return 1;
}

int main(int argc, char **argv)
{
    uint64_t iterations = DEFAULT_ITERATIONS, rounds = 1;
    if (argc == 1)
        rounds = rounds_from_cmdline();
    if (argc >= 2)
        iterations = count_arg(argv[1], UINT64_MAX / INSTRUCTIONS_PER_ITERATION);
    if (argc == 3)
        rounds = count_arg(argv[2], MAX_ROUNDS);
    if (argc > 3 || iterations == 0 || rounds == 0) {
        fputs("usage: cpubench [ITERATIONS [ROUNDS]]  (positive numbers; default 25000000, and\n"
              "       rounds from cella.cpubench=ROUNDS on the kernel command line, else 1)\n",
              stderr);
        return 64;
    }
    for (uint64_t round = 1; round <= rounds; round++) {
        uint64_t before = counter_ticks();
        uint64_t checksum = workload(iterations);
        uint64_t after = counter_ticks();
        printf("cpubench: start cntvct=%" PRIu64 " end cntvct=%" PRIu64 " ticks=%" PRIu64
               " cntfrq=%" PRIu64 " iterations=%" PRIu64 " instructions=%" PRIu64
               " checksum=%016" PRIx64 " round=%" PRIu64 "/%" PRIu64 "\n",
               before, after, after - before, counter_frequency(), iterations,
               iterations * INSTRUCTIONS_PER_ITERATION, checksum, round, rounds);
        fflush(stdout); /* each round's line out before the next round starts */
    }
    return 0;
}
