/* IPC, signal, fault and yield benchmarks, counted with the cycle counter under -icount. */
#pragma once

#include <stdint.h>

#include <runtime.h>

#define BENCH_RUNS 2001
#define BENCH_WARMUP 16

static inline uint64_t cycles(void)
{
    uint64_t c;
    __asm__ volatile("isb; mrs %0, pmccntr_el0" : "=r"(c)::"memory");
    return c;
}

/* Slots and objects the benchmarks share; made once from one untyped. */
struct bench_env {
    const struct boot_info *bi;
    cptr_t untyped;
    cptr_t next_slot;
    uint64_t next_vaddr;
};

cptr_t bench_object(struct bench_env *env, unsigned type, unsigned size_bits);
/* Maps frame at vaddr, making page tables on the way as needed. */
void bench_map(struct bench_env *env, cptr_t frame, cptr_t vspace, uint64_t vaddr, unsigned rights,
               unsigned attrs);
uint64_t bench_map_page(struct bench_env *env, cptr_t vspace, uint64_t vaddr, cptr_t *frame,
                        unsigned rights);
cptr_t bench_thread(struct bench_env *env, cptr_t vspace, void (*entry)(uint64_t), uint64_t arg,
                    uint64_t sp, unsigned priority);
void bench_report(const char *name, uint64_t *samples, unsigned count);
