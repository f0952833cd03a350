/* What the benchmarks need from the system: objects, mapped pages, threads, and reporting. */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

cptr_t bench_object(struct bench_env *env, unsigned type, unsigned size_bits)
{
    cptr_t slot = env->next_slot++;
    if (untyped_retype(env->untyped, type, size_bits, INIT_CAP_CNODE, 0, 0, slot, 1)) {
        printf("bench: cannot make an object of type %u\n", type);
        exit(1);
    }
    return slot;
}

void bench_map(struct bench_env *env, cptr_t frame, cptr_t vspace, uint64_t vaddr, unsigned rights,
               unsigned attrs)
{
    int err;
    while ((err = frame_map(frame, vspace, vaddr, rights, attrs)) == ERR_FAILED_LOOKUP)
        page_table_map(bench_object(env, OBJ_PAGE_TABLE, 0), vspace, vaddr);
    if (err) {
        printf("bench: cannot map a page at %#lx: %d\n", (unsigned long)vaddr, err);
        exit(1);
    }
}

uint64_t bench_map_page(struct bench_env *env, cptr_t vspace, uint64_t vaddr, cptr_t *frame,
                        unsigned rights)
{
    cptr_t f = bench_object(env, OBJ_FRAME_4K, 0);
    bench_map(env, f, vspace, vaddr, rights, 0);
    if (frame)
        *frame = f;
    return vaddr;
}

cptr_t bench_thread(struct bench_env *env, cptr_t vspace, void (*entry)(uint64_t), uint64_t arg,
                    uint64_t sp, unsigned priority)
{
    cptr_t tcb = bench_object(env, OBJ_TCB, 0);
    if (tcb_configure(tcb, 0, INIT_CAP_CNODE, 0, vspace, 0, 0) ||
        tcb_set_priority(tcb, INIT_CAP_TCB, priority) ||
        tcb_start(tcb, (uint64_t)(uintptr_t)entry, sp, arg)) {
        printf("bench: cannot start a thread\n");
        exit(1);
    }
    return tcb;
}

static int by_value(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The first runs warm QEMU's translation cache and are left out. */
void bench_report(const char *name, uint64_t *samples, unsigned count)
{
    samples += BENCH_WARMUP;
    count -= BENCH_WARMUP;
    qsort(samples, count, sizeof(samples[0]), by_value);
    printf("BENCH %s median=%lu min=%lu max=%lu runs=%u\n", name, (unsigned long)samples[count / 2],
           (unsigned long)samples[0], (unsigned long)samples[count - 1], count);
}
