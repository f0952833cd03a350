/*
 * A cell that has to keep going beside a guest that misbehaves. It works in
 * chunks of about a millisecond, yielding after each; every BEAT_MS of
 * virtual time it asks the counter cell for the next number over its call
 * channel and prints a numbered beat: how late it was, and how many chunks
 * of work it did since the last one: about 100 when it has the CPU to
 * itself, about 10 when a guest at its priority never gives the CPU up. It
 * beats forever, so that a test may wait for beats after any event.
 *
 * Cells have no timer to sleep on, so it never blocks; yielding after each
 * chunk lets a guest at the same priority run its whole time slice in
 * between. A guest at that priority that never gives the CPU up (a loop in
 * user space, a kernel spinning with its interrupts masked) is preempted by
 * the kernel's tick at the end of its time slice (5 ticks of 2 ms), so a
 * beat is late by about one slice at most. A beat STARVED_MS late, or a
 * wrong count, fails.
 *
 * The chunks are plain arithmetic, not polling: under QEMU's -icount every
 * read of the counter costs the emulator far more than an instruction.
 */
#include <stdio.h>

#include <cell.h>

#define BEAT_MS 100
#define STARVED_MS 1000
#define CHUNK_ROUNDS 200000 /* 5 instructions a round: a millisecond under -icount shift=0 */

CELL_CALLS(CH_COUNT, "count"); /* a beat: one call to the counter (cell.h) */

static uint64_t ticks(void)
{
    uint64_t t;
    __asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(t) : : "memory");
    return t;
}

static uint64_t frequency(void)
{
    uint64_t hz;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(hz));
    return hz ? hz : 1;
}

/* A chunk of work: an xorshift walk (the empty asm keeps every round). */
static uint64_t work(uint64_t x)
{
    x |= 1;
    for (unsigned i = 0; i < CHUNK_ROUNDS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        __asm__ volatile("" : "+r"(x)); /* one round at a time, as written */
    }
    return x;
}

static _Noreturn void fail(void)
{
    printf("heartbeat: FAIL\n");
    for (;;)
        sys_yield();
}

int main(void)
{
    const uint64_t per_ms = frequency() / 1000, start = ticks();
    uint64_t state = 1, chunks = 0;
    printf("started: a beat every %d ms\n", BEAT_MS);
    for (uint64_t beat = 1;; beat++) {
        uint64_t due = start + beat * BEAT_MS * per_ms;
        while (ticks() < due) {
            state = work(state);
            chunks++;
            sys_yield();
        }
        uint64_t late = (ticks() - due) / per_ms;
        if (late >= STARVED_MS) {
            printf("beat %lu: %lu ms late: starved\n", (unsigned long)beat, (unsigned long)late);
            fail();
        }
        uint64_t mr[4] = { 0 };
        struct sys_result r = cell_call(CH_COUNT, 1, mr, 0);
        if (r.error || mr[0] != beat) {
            printf("beat %lu: the counter said %lu (error %lu)\n", (unsigned long)beat,
                   (unsigned long)mr[0], (unsigned long)r.error);
            fail();
        }
        printf("beat %lu at %lu ms, %lu ms late, %lu chunks of work\n", (unsigned long)beat,
               (unsigned long)((ticks() - start) / per_ms), (unsigned long)late,
               (unsigned long)chunks);
        chunks = 0;
    }
}
